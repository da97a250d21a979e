"""Critical-regime limit functionals: routes against each other and against closed forms."""
import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.theory.validation import InputError


def _close(a, b, digits):
    with mpmath.workdps(60):
        return abs(mpmath.mpf(a) - mpmath.mpf(b)) <= mpmath.mpf(10) ** (-digits) * max(1, abs(mpmath.mpf(b)))


def test_alpha1_lambda1_closed_form():
    # reference: E W_(1) = e^{-gamma} at lambda = 1, d = 3 (integrate d/dt e^{-E_1(t)}; docs/critical.md)
    r = C.alpha1_functionals(1, 30)
    with mpmath.workdps(40):
        assert _close(r["E_W1"], mpmath.exp(-mpmath.euler), 29)
        # E sum W^2 = 1 - E W_(1)/lambda (integration by parts)
        assert _close(r["E_sum_W2"], 1 - r["E_W1"], 29)


def test_campbell_matches_alpha1_at_20_digits():
    a = C.campbell_functionals(1, mpmath.mpf(3) / 2, 20, k_max=2)
    b = C.alpha1_functionals(mpmath.mpf(3) / 2, 20)
    for x, y in ((a["E_W"][0], b["E_W1"]), (a["E_sum_W2"], b["E_sum_W2"]), (a["E_entropy"], b["E_entropy"])):
        assert _close(x, y, 19)


def test_campbell_matches_first_point_alpha2():
    a = C.campbell_functionals(2, 1, 10, k_max=1)
    b = C.first_point_functionals(2, 1, 10)
    for x, y in ((a["E_W"][0], b["E_W1"]), (a["E_sum_W2"], b["E_sum_W2"]), (a["E_entropy"], b["E_entropy"])):
        assert _close(x, y, 10)


def test_sum_w2_alpha2_reference():
    # reference: E sum W^2 at alpha = 2, lambda = 1 by a plain double mpmath.quad (Phi and M_2 by
    # tanh-sinh in v at each t; dps = 30): 0.1140378708422129110063616092
    a = C.campbell_functionals(2, 1, 20, k_max=0)
    with mpmath.workdps(40):
        assert _close(a["E_sum_W2"], mpmath.mpf("0.1140378708422129110063616092"), 19)


def test_E_T_and_dickman_tail():
    with mpmath.workdps(30):
        assert _close(C.mean_T(mpmath.mpf(5) / 2, 2, 25), mpmath.gamma(mpmath.mpf(7) / 2) * mpmath.mpf(2) ** (-2.5), 24)
    # P(W_(1) > 1/2) at lambda = 1 is e^{-gamma}/Gamma(2)
    with mpmath.workdps(30):
        assert _close(C.max_weight_tail(1, 0.5, 20), mpmath.exp(-mpmath.euler), 19)


def test_normalizations():
    p = C.parameters(d=3, c=1, digits=20)
    # kappa_3 = 1/2, alpha = 1: lambda = c / kappa = 2
    assert _close(p.lam, 2, 19) and _close(p.c, 1, 19)
    p = C.parameters(alpha=2, kappa="0.75", lam=1, digits=20)
    assert _close(p.c, mpmath.sqrt(mpmath.mpf("0.75")), 19)


@settings(max_examples=20, deadline=None)
@given(st.floats(max_value=0, allow_nan=False, allow_infinity=False))
def test_bad_lambda(x):
    with pytest.raises(InputError):
        C.parameters(d=3, lam=x)


def test_bad_inputs():
    with pytest.raises(InputError):
        C.parameters(alpha=0, lam=1)
    with pytest.raises(InputError):
        C.parameters(alpha=2, c=1)
    with pytest.raises(InputError):
        C.parameters(d=3, lam=1, c=1)


@pytest.mark.slow
def test_routes_25_digits_d64():
    a = C.campbell_functionals(mpmath.mpf(63) / 2, 1, 25, k_max=1)
    b = C.first_point_functionals(mpmath.mpf(63) / 2, 1, 25)
    assert _close(a["E_W"][0], b["E_W1"], 25)
    assert _close(a["E_sum_W2"], b["E_sum_W2"], 25)


def test_de_integrate_split_two_scales():
    # reference: closed form. e^{s} on (−80, 0) and e^{−s/100}/100 on (0, 9000): unit scale on one side,
    # a scale of 100 on the other, a kink at the centre: ∫ = (1 − e^{−80}) + (1 − e^{−90})
    from attnlimits.numerics.quadrature.double_exponential import de_integrate_split

    with mpmath.workdps(40):
        f = lambda s: [mpmath.exp(s) if s < 0 else mpmath.exp(-s / 100) / 100]
        vals, nodes, err = de_integrate_split(f, centers=[0], lo=-80, hi=9000, digits=30)
        ref = 2 - mpmath.exp(-80) - mpmath.exp(-90)
        assert abs(vals[0] - ref) < mpmath.mpf(10) ** -30
        assert nodes < 1000
