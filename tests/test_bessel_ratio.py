"""Bessel ratios: Perron's fraction against closed forms, Arb balls and mpmath's besseli (independent routes)."""

import mpmath
import pytest
from flint import arb, ctx
from hypothesis import given, settings, strategies as st

from attnlimits.numerics.special.bessel_ratio import (bessel_ratio_gap, bessel_ratio_gap_ball, mean_resultant,
                                              mean_resultant_ball, mgf_ratio, mgf_ratio_ball, perron_ratio)
from attnlimits.theory.validation import InputError


@pytest.mark.parametrize("beta", ["1e-8", "1e-3", "1", "37.5", "1e4", "1e8"])
def test_d3_closed_form(assert_digits, beta):
    # X is uniform on [-1, 1] for d = 3, so A_3(b) = E[X e^{bX}]/E[e^{bX}] = coth b - 1/b (elementary, no Bessel)
    with mpmath.workdps(120):
        b = mpmath.mpf(beta)
        ref = mpmath.coth(b) - 1 / b
    assert_digits(mean_resultant(3, beta, 50), ref, 50)


@pytest.mark.parametrize("d,beta,literal", [
    # generated with python-flint at ctx.dps = 60:
    #   x = arb(beta); nu = arb(d - 2)/2; (x.bessel_i(nu + 1, scaled=True)/x.bessel_i(nu, scaled=True)).str(35)
    (4096, "100", "0.024399534982850465719013574132935519"),
    (512, "1", "0.0019531175784661718325774342461775932"),
    (10000, "1e8", "0.99995000624950004921437536031914196"),
])
def test_extreme_corners_literal(assert_digits, d, beta, literal):
    with mpmath.workdps(60):
        ref = mpmath.mpf(literal)
    assert_digits(mean_resultant(d, beta, 34), ref, 34)


@pytest.mark.parametrize("d,beta", [(4096, 100), (512, 1), (3, 10**8), (10**4, 10**8), (2, 1e-8), (10**4, 1e-8),
                                    (10**4, 10**4), (64, 1e17)])
def test_against_arb_ball(assert_digits, d, beta):
    a = mean_resultant(d, beta, 60)
    ball = mean_resultant_ball(d, beta, 80)
    with mpmath.workdps(100):
        assert ball.overlaps(arb(mpmath.nstr(a, 90)))
        mid = mpmath.mpf(ball.mid().str(90, radius=False))
        rad = mpmath.mpf(ball.rad().str(5, radius=False))
    assert rad < abs(mid) * mpmath.mpf(10) ** -75  # the ball is as narrow as promised
    assert_digits(a, mid, 60)


@pytest.mark.parametrize("d,beta", [(5, 3), (40, 700), (2, 1e-6)])
def test_against_mpmath_besseli(assert_digits, d, beta):
    # mpmath's own besseli (hypergeometric / asymptotic series) at higher precision
    with mpmath.workdps(80):
        ref = mpmath.besseli(mpmath.mpf(d) / 2, beta) / mpmath.besseli(mpmath.mpf(d - 2) / 2, beta)
    assert_digits(mean_resultant(d, beta, 50), ref, 50)


def test_beyond_scipy_range():
    # scipy's ive(v+1, x)/ive(v, x) is nan at x = 1e17 (docs/mathematics.md §11.7); here the value is finite and equals
    # 1 - (d-1)/(2x) + (d-1)(d-3)/(8x^2) + O(x^-3) (the derived bias expansion, checked separately)
    a = mean_resultant(10, "1e17", 40)
    with mpmath.workdps(60):
        x = mpmath.mpf("1e17")
        assert abs(a - (1 - mpmath.mpf(9) / (2 * x) + mpmath.mpf(63) / (8 * x * x))) < 100 / x**3


def test_gap_ratio_half_integer_closed_form(assert_digits):
    # d = 3 (nu = 1/2): I_{3/2}/I_{1/2} = coth b - 1/b and I_{5/2}/I_{1/2} = 1 - 3 A_3/b (recurrence DLMF 10.29.1
    # applied to the elementary I_{1/2}, I_{3/2}); I_{7/2}/I_{1/2} = A_3 - 5 (1 - 3 A_3/b)/b
    for beta in ("0.25", "3", "1e6"):
        with mpmath.workdps(100):
            b = mpmath.mpf(beta)
            a3 = mpmath.coth(b) - 1 / b
            l2 = 1 - 3 * a3 / b
            l3 = a3 - 5 * l2 / b
        assert_digits(bessel_ratio_gap(0.5, 1, beta, 50), a3, 50)
        assert_digits(bessel_ratio_gap(0.5, 2, beta, 50), l2, 50)
        assert_digits(bessel_ratio_gap(0.5, 3, beta, 50), l3, 50)


@pytest.mark.parametrize("nu,ell,beta", [(0, 1000, 50), (2047, 5, 100), (4999, 50, 1e-8), (0.5, 10, 1e8)])
def test_gap_ratio_against_arb(assert_digits, nu, ell, beta):
    v = bessel_ratio_gap(nu, ell, beta, 40)
    ball = bessel_ratio_gap_ball(nu, ell, beta, 60)
    with mpmath.workdps(80):
        assert ball.overlaps(arb(mpmath.nstr(v, 70)))
        assert_digits(v, mpmath.mpf(ball.mid().str(70, radius=False)), 40)


@pytest.mark.parametrize("d,beta", [(4096, 100), (512, 1), (3, 10**8), (7, 2.5)])
def test_mgf_ratio_against_arb(d, beta):
    r = mgf_ratio(d, beta, 40)
    ball = mgf_ratio_ball(d, beta, 60)
    with mpmath.workdps(80):
        assert ball.overlaps(arb(mpmath.nstr(r, 70)))


def test_mgf_ratio_d3_closed_form(assert_digits):
    # d = 3: M(b) = sinh(b)/b, so R = M(2b)/M(b)^2 = b coth(b)
    with mpmath.workdps(80):
        ref = mpmath.mpf(40) * mpmath.coth(40)
    assert_digits(mgf_ratio(3, 40, 50), ref, 50)


def test_precision_restored():
    old_dps, old_prec = mpmath.mp.dps, ctx.prec
    mean_resultant(5, 3, 200)
    mean_resultant_ball(5, 3, 200)
    bessel_ratio_gap(1, 4, 3, 100)
    assert mpmath.mp.dps == old_dps and ctx.prec == old_prec


def test_perron_domain():
    with pytest.raises(InputError):
        perron_ratio(0.25, 1)


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.floats(max_value=0.0, allow_nan=False), st.just(float("nan")), st.just(float("inf")),
                 st.just("abc")))
def test_bad_beta(beta):
    with pytest.raises(InputError):
        mean_resultant(3, beta, 10)


@settings(max_examples=20, deadline=None)
@given(st.integers(max_value=-1))
def test_bad_degree(ell):
    with pytest.raises(InputError):
        bessel_ratio_gap(0.5, ell, 1.0, 10)
