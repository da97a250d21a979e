"""The local-exponent engine and the key-law catalog (theory/local_exponent.py, theory/key_laws.py,
numerics/laws/key_laws.py).

Expected answers are written here from the laws' definitions (density at q relative to uniform, the
cap's mass, the subsphere's own dimension), never read from the engine.
"""
import mpmath
import numpy as np
import pytest
import sympy as sp

from attnlimits.numerics.laws import key_laws as nkl
from attnlimits.numerics.montecarlo.stats import z_compare
from attnlimits.theory import key_laws as L
from attnlimits.theory.cap import cap_probability_hyper
from attnlimits.theory.local_exponent import LocalExponent, from_distance_cdf, local_exponent, polar_law, theta
from attnlimits.theory.sphere import n, t
from attnlimits.theory.validation import InputError


def kappa_unif(m):
    """2^{-a}/(a B(a,a)), a = (m-1)/2."""
    a = sp.Rational(m - 1, 2)
    return 2 ** (-a) / (a * sp.beta(a, a))


def test_uniform(assert_digits):
    r = local_exponent(L.uniform(8))
    assert r.power_law and r.alpha == sp.Rational(7, 2)
    assert_digits(r.kappa, kappa_unif(8), 25)
    assert_digits(r.critical_scale(1000), (kappa_unif(8) * 1000) ** sp.Rational(2, 7), 25)


def test_vmf_off_mean(assert_digits):
    r = local_exponent(L.von_mises_fisher(5, 3, sp.pi / 4))
    # density at q relative to uniform: e^{kappa0 cos(angle)} / 0F1(; d/2; kappa0^2/4)
    rel = sp.exp(3 * sp.cos(sp.pi / 4)) / sp.hyper([], [sp.Rational(5, 2)], sp.Rational(9, 4))
    assert r.alpha == 2
    assert_digits(r.kappa, kappa_unif(5) * rel, 25)


def test_cap_inside_and_boundary(assert_digits):
    r_in = local_exponent(L.cap(5, 1, sp.Rational(1, 3)))
    r_bd = local_exponent(L.cap(5, 1, 1))
    mass = sp.N(cap_probability_hyper(5, 1 - sp.cos(1)), 40)  # 2F1 form of the cap's mass
    assert r_in.position == "interior"
    assert_digits(r_in.kappa, kappa_unif(5) / mass, 25)
    assert r_bd.position == "boundary"
    assert_digits(r_bd.kappa, kappa_unif(5) / (2 * mass), 25)
    assert r_in.alpha == r_bd.alpha == 2


def test_subsphere_circle(assert_digits):
    r = local_exponent(L.subsphere(9, 2))
    # uniform on a great circle through q: P(D <= t) = arccos(1-t)/pi ~ sqrt(2t)/pi
    assert r.alpha == sp.Rational(1, 2)
    assert_digits(r.kappa, sp.sqrt(2) / sp.pi, 25)


def test_vanishing_density_exponent():
    r = local_exponent(L.vanishing(4, 3))
    assert r.alpha == 3


def test_outside_support_is_a_result_not_an_error():
    r = local_exponent(L.cap(4, sp.Rational(1, 2), 2))
    assert isinstance(r, LocalExponent) and not r.power_law and r.alpha is None
    assert abs(float(r.nearest_distance) - (1 - np.cos(1.5))) < 1e-14
    with pytest.raises(InputError, match="outside the support"):
        r.critical_scale(n)


def test_distance_cdf_route(assert_digits):
    r = from_distance_cdf(cap_probability_hyper(6))
    assert r.alpha == sp.Rational(5, 2)
    assert_digits(r.kappa, kappa_unif(6), 25)
    out = from_distance_cdf(sp.Piecewise((0, t < sp.Rational(1, 3)), (t - sp.Rational(1, 3), True)))
    assert not out.power_law and out.nearest_distance == sp.Rational(1, 3)
    with pytest.raises(InputError):
        from_distance_cdf(1 / t)


def test_custom_polar_law_through_engine():
    # density proportional to cos(theta)^2 ... near q it is 1 + O(theta^2): kappa = kappa_d / normalizer
    law = polar_law(3, 3 * sp.cos(theta) ** 2)  # mean of cos^2 theta on S^2 is 1/3
    r = local_exponent(law)
    assert r.alpha == 1 and r.kappa == sp.Rational(3, 2)
    assert abs(nkl.distance_cdf(law, 2, 15) - 1) < 1e-12  # normalized


@pytest.mark.parametrize("make, words", [
    (lambda: polar_law(3, -1), "negative"),
    (lambda: polar_law(3, sp.cos(theta)), "negative"),
    (lambda: local_exponent(polar_law(3, theta ** -3)), "not integrable"),
    (lambda: polar_law(3, 1, m=4), "m must be"),
    (lambda: polar_law(3, sp.Symbol("z")), "only on theta and u"),
    (lambda: L.von_mises_fisher(3, -1), "kappa0"),
    (lambda: L.cap(3, 0), "radius"),
    (lambda: L.cap(3, 4), "radius"),
    (lambda: L.subsphere(3, 5), "m must be"),
    (lambda: L.vanishing(3, -2), "not integrable"),
    (lambda: L.uniform(1), "d must be"),
    (lambda: local_exponent("uniform"), "PolarLaw"),
])
def test_malformed_laws(make, words):
    with pytest.raises(InputError, match=words) as e:
        make()
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("law", [L.von_mises_fisher(4, 2, sp.Rational(1, 2)), L.cap(4, 1, 1), L.subsphere(6, 3),
                                 L.vanishing(5, sp.Rational(1, 2))])
def test_catalog_laws_are_normalized(law):
    assert abs(nkl.distance_cdf(law, 2, 10) - 1) < 1e-8


def test_wood_sampler_mean_resultant_length():
    # E <mu, K> = I_{d/2}(kappa0) / I_{d/2-1}(kappa0) for vMF (Mardia & Jupp 9.3.9)
    rng = np.random.Generator(np.random.PCG64(7))
    for d, k0 in ((3, 0.5), (5, 4.0), (50, 10.0)):
        w = nkl.wood_vmf_w(d, k0, 100_000, rng)
        ref = mpmath.besseli(d / 2, k0) / mpmath.besseli(d / 2 - 1, k0)
        assert abs(z_compare("w", w, ref).z) < 5


def test_sampled_cap_boundary_against_exact_cdf():
    law = L.cap(3, 1, 1)
    D = nkl.sample_distance(law, 100_000, 3)
    F = nkl.distance_cdf(law, "0.05", 8)
    assert abs(z_compare("cap", (D <= 0.05).astype(float), F).z) < 5


def test_symbolic_dimension():
    from attnlimits.theory.sphere import d, kappa

    a = (d - 1) / 2
    r = local_exponent(L.uniform(d))
    assert sp.simplify(r.alpha - a) == 0 and sp.simplify(sp.gammasimp(r.kappa / kappa())) == 1
    inside, boundary = local_exponent(L.cap(d, 1, sp.Rational(1, 3))), local_exponent(L.cap(d, 1, 1))
    assert sp.simplify(boundary.kappa / inside.kappa) == sp.Rational(1, 2)
    g = sp.Symbol("g", positive=True)
    assert sp.simplify(local_exponent(L.vanishing(d, g)).alpha - (d - 1 + g) / 2) == 0
    # d = 5 by hand: C = B(2,2)/(2^g B(2+g/2, 2)) = (3+g/2)(2+g/2)/(6 2^g), c_5 = 3/4,
    # kappa = C c_5 2^{1+g/2}/(2+g/2) = (6+g) 2^{-3-g/2}
    assert sp.simplify(local_exponent(L.vanishing(5, g)).kappa - (6 + g) * 2 ** (-3 - g / 2)) == 0
    r = from_distance_cdf(cap_probability_hyper(d))
    assert sp.simplify(sp.gammasimp(r.kappa / kappa())) == 1
