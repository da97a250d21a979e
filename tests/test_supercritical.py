"""Supercritical laws: gap law, Weibull limit, exact d = 3 collapse probability."""
import mpmath
import pytest

from attnlimits.numerics.laws import supercritical as S
from attnlimits.theory.validation import InputError


def test_gap_law_alpha1_is_exponential():
    with mpmath.workdps(30):
        assert abs(S.gap_survival(1, 2, 25) - mpmath.exp(-2)) < mpmath.mpf("1e-24")


def test_gap_mean_is_integral_of_survival():
    with mpmath.workdps(25):
        m = mpmath.quad(lambda h: S.gap_survival(3, h, 12), [0, 1, 3])
        assert abs(m - S.gap_mean(3, 15)) < mpmath.mpf("1e-10")


def test_collapse_alpha1_tends_to_one():
    vals = [S.collapse_probability_alpha1(lam, "0.01", 20) for lam in (1, 10, 100, 1000)]
    assert all(a < b for a, b in zip(vals, vals[1:])) and vals[-1] > 0.99


def test_nearest_exact_converges_to_weibull():
    d = [abs(S.nearest_survival_exact(n, 5, 1, 15) - S.nearest_survival_limit(2, 1, 15)) for n in (10 ** 3, 10 ** 6)]
    assert d[1] < d[0] / 10


def test_supercritical_laws_d3(assert_digits):
    # references: alpha = 1 closed forms. E(S_2 - S_1) = Gamma(3) - Gamma(2) = 1, the gap is Exp(1), the Weibull
    # law is exp(-s), and P(W_(1) > 1 - eps) = e^{-gamma/lam} (eps/(1 - eps))^{1/lam}/Gamma(1 + 1/lam) (Dickman)
    r = S.supercritical_laws(d=3, lam=10, eps="0.01", h="0.5", s=2, digits=15)
    with mpmath.workdps(40):
        lam, eps = mpmath.mpf(10), mpmath.mpf("0.01")
        dickman = mpmath.exp(-mpmath.euler / lam) * (eps / (1 - eps)) ** (1 / lam) / mpmath.gamma(1 + 1 / lam)
        assert_digits(r.alpha, 1, 15)
        assert_digits(r.E_gap, 1, 15)
        assert_digits(r.P_gap_gt_h, mpmath.exp(mpmath.mpf("-0.5")), 14)
        assert_digits(r.P_nearest_gt_s_weibull, mpmath.exp(-2), 15)
        assert_digits(r.P_W1_gt_1_minus_eps, dickman, 15)
    # lambda^2 (E N - E S_1) -> pi^2/12 (docs/critical.md): at lambda = 10 within 10 %
    assert abs(100 * r.E_output_excess / (mpmath.pi ** 2 / 12) - 1) < 0.1
    # alpha != 1: no exact collapse law, those fields stay None and the JSON leaves them out
    r5 = S.supercritical_laws(alpha=2, lam=10, digits=10)
    assert r5.P_W1_gt_1_minus_eps is None and r5.E_output_excess is None
    assert list(r5.to_json(10, skip_none=True)) == ["alpha", "P_gap_gt_h", "E_gap", "P_nearest_gt_s_weibull"]


def test_bad_eps():
    with pytest.raises(InputError):
        S.collapse_probability_alpha1(1, 0.7)
    with pytest.raises(InputError):
        S.gap_survival(0, 1)
    with pytest.raises(InputError):
        S.nearest_survival_limit(2, -1)
    with pytest.raises(InputError):
        S.supercritical_laws(alpha=1, d=3)
    with pytest.raises(InputError):
        S.supercritical_laws(d=3, lam=1, eps="0.7")
