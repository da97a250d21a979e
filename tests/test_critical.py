"""Critical-regime limit functionals: routes against each other and against closed forms."""
import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.theory.validation import InputError


def test_alpha1_lambda1_closed_form(assert_digits):
    # reference: E W_(1) = e^{-gamma} at lambda = 1, d = 3 (integrate d/dt e^{-E_1(t)}; docs/critical.md)
    r = C.alpha1_functionals(1, 30)
    with mpmath.workdps(40):
        assert_digits(r.E_W1, mpmath.exp(-mpmath.euler), 29)
        # E sum W^2 = 1 - E W_(1)/lambda (integration by parts)
        assert_digits(r.E_sum_W2, 1 - r.E_W1, 29)


def test_campbell_matches_alpha1_at_20_digits(assert_digits):
    a = C.campbell_functionals(1, mpmath.mpf(3) / 2, 20, k_max=2)
    b = C.alpha1_functionals(mpmath.mpf(3) / 2, 20)
    for x, y in ((a.E_W1, b.E_W1), (a.E_sum_W2, b.E_sum_W2), (a.E_entropy, b.E_entropy)):
        assert_digits(x, y, 19)


def test_campbell_matches_first_point_alpha2(assert_digits):
    a = C.campbell_functionals(2, 1, 10, k_max=1)
    b = C.first_point_functionals(2, 1, 10)
    for x, y in ((a.E_W1, b.E_W1), (a.E_sum_W2, b.E_sum_W2), (a.E_entropy, b.E_entropy)):
        assert_digits(x, y, 10)


def test_sum_w2_alpha2_reference(assert_digits):
    # reference: E sum W^2 at alpha = 2, lambda = 1 by a plain double mpmath.quad (Phi and M_2 by
    # tanh-sinh in v at each t; dps = 30): 0.1140378708422129110063616092
    a = C.campbell_functionals(2, 1, 20, k_max=0)
    with mpmath.workdps(40):
        assert_digits(a.E_sum_W2, mpmath.mpf("0.1140378708422129110063616092"), 19)


def test_E_T_and_dickman_tail(assert_digits):
    with mpmath.workdps(30):
        assert_digits(C.mean_T(mpmath.mpf(5) / 2, 2, 25), mpmath.gamma(mpmath.mpf(7) / 2) * mpmath.mpf(2) ** (-2.5), 24)
    # P(W_(1) > 1/2) at lambda = 1 is e^{-gamma}/Gamma(2)
    with mpmath.workdps(30):
        assert_digits(C.max_weight_tail(1, 0.5, 20), mpmath.exp(-mpmath.euler), 19)


def test_normalizations(assert_digits):
    p = C.parameters(d=3, c=1, digits=20)
    # kappa_3 = 1/2, alpha = 1: lambda = c / kappa = 2
    assert_digits(p.lam, 2, 19)
    assert_digits(p.c, 1, 19)
    p = C.parameters(alpha=2, kappa="0.75", lam=1, digits=20)
    assert_digits(p.c, mpmath.sqrt(mpmath.mpf("0.75")), 19)


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


def test_every_route_returns_weight_functionals(assert_digits):
    # one result class, one field name: E_W1 is E W_(1) on the Campbell, first-point and alpha = 1 routes.
    # reference: e^{-gamma} at alpha = lambda = 1 (docs/critical.md)
    from attnlimits.numerics.laws.weight_functionals import WeightFunctionals

    routes = {"campbell": C.campbell_functionals(1, 1, 10, k_max=3), "first_point": C.first_point_functionals(1, 1, 5),
              "alpha1": C.alpha1_functionals(1, 10)}
    for name, r in routes.items():
        assert isinstance(r, WeightFunctionals), name
        assert_digits(r.E_W1, mpmath.exp(-mpmath.euler), 5, name)
        # E T = Gamma(alpha + 1) lambda^{-alpha} = 1 on every route that reports it
        assert_digits(r.E_T, 1, 10, name)
        assert r.seconds > 0 and set(r.to_json(10)) == set(r.fields())
    a = routes["campbell"]
    assert a.E_W1 == a.E_W[0] and len(a.E_W) == len(a.E_top_mass) == 3
    with mpmath.workdps(60):  # the top-k masses are the partial sums of the E W_(k)
        for k in range(3):
            assert_digits(a.E_top_mass[k], sum(a.E_W[:k + 1]), 24)
    assert routes["first_point"].E_W is None and routes["alpha1"].E_top_mass is None
    # alpha = 1: E N = E sum W v / lambda on the closed-form route too, and it agrees with the Campbell route
    assert_digits(routes["alpha1"].E_normal, a.E_normal, 9)


def test_bad_inputs_of_the_routes():
    for call in (lambda: C.mean_T(0, 1), lambda: C.mean_T(1, "x"), lambda: C.max_weight_tail(-1, "0.6"),
                 lambda: C.max_weight_tail(1, "0.4"), lambda: C.campbell_functionals("nan", 1, 10),
                 lambda: C.campbell_functionals(1, 1, 10, k_max=-1), lambda: C.first_point_functionals(1, 0, 5),
                 lambda: C.alpha1_functionals(-2, 10), lambda: C.alpha1_functionals(1, 0)):
        with pytest.raises(InputError):
            call()


@pytest.mark.slow
def test_routes_25_digits_d64(assert_digits):
    # d = 64 at its natural scale lambda ~ alpha/e (E T of order 10): the two routes are independent
    a = C.campbell_functionals(mpmath.mpf(63) / 2, 12, 25, k_max=1)
    b = C.first_point_functionals(mpmath.mpf(63) / 2, 12, 25)
    assert_digits(a.E_W1, b.E_W1, 25)
    assert_digits(a.E_sum_W2, b.E_sum_W2, 25)


def test_first_point_route_refuses_d64_lambda1():
    """At d = 64, lambda = 1 (E T ~ 1e35) the first-point tau-rule delivered about 7 of 25 digits; it now refuses
    such E T up front (its supported range, docs/critical.md §4) instead of printing wrong digits, and the
    Campbell route answers there."""
    from attnlimits.theory.validation import InputError

    with pytest.raises(InputError, match="first"):
        C.first_point_functionals(mpmath.mpf(63) / 2, 1, 25)


def test_de_integrate_split_two_scales():
    # reference: closed form. e^{s} on (−80, 0) and e^{−s/100}/100 on (0, 9000): unit scale on one side,
    # a scale of 100 on the other, a kink at the centre: ∫ = (1 − e^{−80}) + (1 − e^{−90})
    from attnlimits.numerics.quadrature.double_exponential import de_integrate_split

    with mpmath.workdps(40):
        f = lambda s: [mpmath.exp(s) if s < 0 else mpmath.exp(-s / 100) / 100]
        r = de_integrate_split(f, centers=[0], lo=-80, hi=9000, digits=30)
        ref = 2 - mpmath.exp(-80) - mpmath.exp(-90)
        assert abs(r.value[0] - ref) < mpmath.mpf(10) ** -30
        assert r.nodes < 1000 and r.converged
