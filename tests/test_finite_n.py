"""Exact finite-n expectations: independent routes, trivial cases, input checks, Monte Carlo (slow)."""
import mpmath
import pytest

from attnlimits.numerics.laws import finite_n as F
from attnlimits.theory.validation import InputError


def test_one_key(assert_digits):
    r = F.exact_finite(1, 7, 5, 15)
    assert_digits(r.E_W1, 1, 14)
    assert_digits(r.E_sum_W2, 1, 14)


def test_two_keys_d3_closed_form(assert_digits):
    # reference: n = 2, d = 3: E w_(1) = ∫_0^2 ((2 - z)/2) / (1 + e^{-β z}) dz (|D_1 - D_2| is triangular)
    beta = 4
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-beta * z)), [0, 0.25, 2])
    assert_digits(F.exact_E_W1(2, 3, beta, 15), ref, 14)


@pytest.mark.slow  # tens of seconds: run with -m slow
def test_two_keys_d3_deep_supercritical(assert_digits):
    # β = 5000 with two keys: log(1/T) spreads over [0, 2β], the split outer rule's case.
    # reference: the same one-dimensional closed form, by mpmath.quad with breaks at the 1/β scale
    beta = 5000
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-beta * z)),
                          [0, mpmath.mpf(1) / beta, mpmath.mpf(30) / beta, 2])
    r = F.exact_finite(2, 3, beta, 12)
    assert_digits(r.E_W1, ref, 12)
    # Σ w² = w² + (1 − w)² with the same kernel: E = ∫ ((2−z)/2) (1 + e^{−2βz})/(1 + e^{−βz})² dz
    with mpmath.workdps(30):
        ref2 = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-2 * beta * z)) / (1 + mpmath.exp(-beta * z)) ** 2,
                           [0, mpmath.mpf(1) / beta, mpmath.mpf(30) / beta, 2])
    assert_digits(r.E_sum_W2, ref2, 12)


def test_two_keys_d5_double_integral(assert_digits):
    # reference: n = 2, d = 5, E w_(1) = E 1/(1 + e^{-β|X_1 - X_2|}) with density (3/4)(1 - x^2) (d = 5)
    beta = 3
    f = lambda x: mpmath.mpf(3) / 4 * (1 - x * x)
    with mpmath.workdps(20):
        # the inner integral is split at the |x − y| kink on the diagonal
        ref = mpmath.quad(lambda x: mpmath.quad(
            lambda y: f(x) * f(y) / (1 + mpmath.exp(-beta * abs(x - y))), [-1, x, 1]), [-1, 1])
    assert_digits(F.exact_E_W1(2, 5, beta, 12), ref, 12)


def test_sum_w2_d3_routes_at_1e12(assert_digits):
    a = F.exact_finite(10 ** 12, 3, 5 * 10 ** 11, 15, which=("E_sum_W2",)).E_sum_W2
    b = F.exact_finite_d3(10 ** 12, 5 * 10 ** 11, 15, which=("E_sum_W2",)).E_sum_W2
    assert_digits(a, b, 15)


def test_subcritical_sum_w2_matches_bessel_ratio():
    # far below the critical scale E sum w^2 ≈ M(2β)/(n M(β)^2) (docs/mathematics.md §5), d = 3: M(β) = sinh(β)/β
    n, beta = 10 ** 9, 20
    r = F.exact_E_sum_W2(n, 3, beta, 12)
    M = lambda b: mpmath.sinh(b) / b
    approx = M(2 * beta) / (n * M(beta) ** 2)
    assert abs(r / approx - 1) < 1e-6


def test_result_fields_and_which(assert_digits):
    # reference: n = 2, d = 3 closed form of E sum w^2 (as in test_two_keys_d3_deep_supercritical)
    beta = 4
    r = F.exact_finite(2, 3, beta, 10, which=("E_sum_W2",))
    assert r.E_W1 is None and (r.n, r.d) == (2, 3) and r.beta == beta and r.outer_nodes > 0
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-2 * beta * z)) / (1 + mpmath.exp(-beta * z)) ** 2,
                          [0, 2])
    assert_digits(r.E_sum_W2, ref, 10)
    assert r.to_json(10, skip_none=True).keys() == {"E_sum_W2", "n", "d", "beta", "outer_nodes", "outer_error",
                                                     "seconds"}


def test_bad_input():
    with pytest.raises(InputError):
        F.exact_finite(0, 3, 1)
    with pytest.raises(InputError):
        F.exact_finite(10, 3, -1)
    with pytest.raises(InputError):
        F.exact_finite(10, 1, 1)
    with pytest.raises(InputError):
        F.exact_finite(10, 3, 1, 0)
    with pytest.raises(InputError):
        F.beta_from_lambda(10, 3, -1)


@pytest.mark.slow
def test_deep_supercritical_routes_d3(assert_digits):
    # λ = 100 at n = 100: the Gauss-panel route (split outer rule) against the Ein route of docs/mathematics.md §8
    a = F.exact_finite(100, 3, 5000, 10)
    b = F.exact_finite_d3(100, 5000, 10)
    assert_digits(a.E_W1, b.E_W1, 10)
    assert_digits(a.E_sum_W2, b.E_sum_W2, 10)


@pytest.mark.slow
def test_monte_carlo_1e6():
    from attnlimits.numerics.montecarlo.sampling import replicates
    from attnlimits.numerics.montecarlo.stats import z_compare

    n, d = 10 ** 6, 3
    beta = F.beta_from_lambda(n, d, 1, 15)
    ex = F.exact_finite(n, d, beta, 12)
    r = replicates(n, d, float(beta), 60, seed=5)
    assert abs(z_compare("w1", r.top[:, 0], ex.E_W1).z) < 5
    assert abs(z_compare("s2", r.sum_w2, ex.E_sum_W2).z) < 5
