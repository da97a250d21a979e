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


def test_bad_eps():
    with pytest.raises(InputError):
        S.collapse_probability_alpha1(1, 0.7)
    with pytest.raises(InputError):
        S.gap_survival(0, 1)
