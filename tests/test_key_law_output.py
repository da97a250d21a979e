"""Exact finite-n output functionals for the catalog key laws (numerics.laws.key_law_output, docs/key_law_output.md).

Reference values come from routes that share nothing with the panel sweep: a Gauss–Jacobi tensor rule in double
precision (numpy/scipy) and nested ``mpmath.quad`` over the two distances at n = 2; the uniform route
(``finite_output.exact_output``) for the subsphere identity and the κ₀ → 0 limit; Monte Carlo with full keys
(distances from ``numerics.laws.key_laws.sample_distance`` or numpy's Beta sampler, tangential directions from
Gaussian vectors) with fixed seeds and 5-sigma tolerances.
"""
from __future__ import annotations

import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.special import roots_jacobi

from attnlimits.numerics.laws.finite_output import exact_output
from attnlimits.numerics.laws.key_law_output import key_law_output, parse_key_law
from attnlimits.numerics.laws.key_laws import sample_distance
from attnlimits.theory import key_laws as T
from attnlimits.theory.validation import InputError


def _shape(spec):
    with mpmath.workdps(20):
        return tuple(float(x) for x in parse_key_law(spec).shape())


def _ref_n2(p, q, c, z_end, beta, N=400):
    """n = 2 by a Gauss–Jacobi tensor rule over (Z_1, Z_2), Z = D/2 with density ∝ z^{p−1}(1 − z)^{q−1} e^{−cz} on
    [0, z_end] (the weight's endpoint powers are exact in the rule; the rest is analytic for these β)."""
    if z_end >= 1:
        x, w = roots_jacobi(N, q - 1, p - 1)
        z = (1 + x) / 2
        w = w * np.exp(-c * z)
    else:
        x, w = roots_jacobi(N, 0, p - 1)
        z = z_end * (1 + x) / 2
        w = w * (1 - z) ** (q - 1) * np.exp(-c * z)
    w = w / w.sum()
    D1, D2 = np.meshgrid(2 * z, 2 * z, indexing="ij")
    W = np.outer(w, w)
    w1 = 1 / (1 + np.exp(beta * (D1 - D2)))
    w2 = 1 - w1
    inner = w1 * (1 - D1) + w2 * (1 - D2)
    Ei = (W * inner).sum()
    return dict(E_inner=Ei, Var_inner=(W * (inner - Ei) ** 2).sum(),
                E_perp2=(W * (w1 ** 2 * D1 * (2 - D1) + w2 ** 2 * D2 * (2 - D2))).sum(),
                E_entropy=(W * -(w1 * np.log(w1) + w2 * np.log(w2))).sum(),
                E_sum_W2=(W * (w1 ** 2 + w2 ** 2)).sum())


def _ref_w1(p, q, c, z_end, beta, dps=30):
    """E W_(1) at n = 2 = 2 E[w_1 1{D_1 < D_2}] by nested mpmath.quad (the inner range split at the kink z_2 = z_1)."""
    with mpmath.workdps(dps):
        f = lambda z: z ** (p - 1) * (1 - z) ** (q - 1) * mpmath.exp(-c * z)  # noqa: E731
        N = mpmath.quad(f, [0, z_end])
        g = lambda z1: f(z1) * mpmath.quad(lambda z2: f(z2) / (1 + mpmath.exp(2 * beta * (z1 - z2))),  # noqa: E731
                                           [z1, z_end])
        return 2 * mpmath.quad(g, [0, z_end]) / N ** 2


N2_CASES = [("vmf:3,2", 2.0), ("vmf:4,1.5", 3.0), ("vmf:20,5", 3.0), ("cap:3,1", 2.0), ("cap:4,1.2", 3.0),
            ("cap:6,0.7", 5.0), ("cap:18,0.4", 40.0), ("vanishing:3,2", 2.0), ("vanishing:4,1", 3.0),
            ("vanishing:4,-1", 1.5), ("vanishing:5,3", 2.0), ("vanishing:20,3", 3.0)]


@pytest.mark.parametrize("spec,beta", N2_CASES, ids=[f"{s}@{b}" for s, b in N2_CASES])
def test_two_keys_against_direct_quadrature(spec, beta):
    """Every field at n = 2 to 11 digits (the double-precision tensor rule reaches 13-14; measured 1e-13 or better)."""
    p, q, c, ze = _shape(spec)
    r = key_law_output(2, spec, str(beta), 12)
    ref = _ref_n2(p, q, c, ze, beta)
    for name, v in ref.items():
        got = float(getattr(r, name))
        assert abs(got - v) <= 1e-11 * abs(v), (name, got, v)
    w1 = _ref_w1(p, q, c, ze, beta)
    assert abs(r.E_W1 - w1) <= mpmath.mpf(10) ** -11 * w1
    assert abs(r.E_W1 + r.E_W[1] - 1) < mpmath.mpf(10) ** -11


def test_subsphere_is_the_uniform_law_of_its_dimension():
    """subsphere(d, m) through q carries the uniform law of S^{m−1}: same values as exact_output(n, m, β); and its
    exact sampler's distances match the uniform ones of S^{m−1} (two-sample KS at fixed seeds)."""
    from scipy.stats import ks_2samp

    a = key_law_output(1000, "subsphere:7,4", "3", 12)
    b = exact_output(1000, 4, "3", 12)
    for name in ("E_inner", "Var_inner", "E_perp2", "E_entropy", "E_W1"):
        assert getattr(a, name) == getattr(b, name), name
    c = key_law_output(1000, T.subsphere(7, 4), "3", 12)
    assert c.E_inner == b.E_inner and c.law == "subsphere:7,4"
    x = sample_distance(T.subsphere(7, 4), 20000, 1)
    y = sample_distance(T.uniform(4), 20000, 2)
    assert ks_2samp(x, y).pvalue > 1e-4


def test_vmf_small_kappa_tends_to_uniform():
    """κ₀ = 10^{−8}: the vMF law differs from the uniform one by O(κ₀) (E⟨q, K⟩ = κ₀/d): 8 digits."""
    a = key_law_output(10 ** 6, "vmf:5,1e-8", "20", 12)
    b = exact_output(10 ** 6, 5, "20", 12)
    for name in ("E_inner", "Var_inner", "E_perp2", "E_entropy", "E_W1"):
        x, y = getattr(a, name), getattr(b, name)
        assert abs(x - y) <= mpmath.mpf(10) ** -8 * abs(y), name


def test_polar_law_input_and_exact_parameters():
    """A theory PolarLaw (angle 0, symbolic radius) gives the spec's values; a 30-digit κ₀ keeps its digits."""
    a = key_law_output(50, T.cap(4, sp.pi / 3), "2", 12)
    b = key_law_output(50, "cap:4,1.047197551196597746154214461093167628", "2", 12)
    assert abs(a.E_inner - b.E_inner) < mpmath.mpf(10) ** -12
    r1 = key_law_output(3, "vmf:3,2.000000000000000000000000000001", "1", 25, k_max=0, variance=False)
    r2 = key_law_output(3, "vmf:3,2", "1", 25, k_max=0, variance=False)
    assert r1.E_inner != r2.E_inner


def test_one_key_moments():
    """n = 1: ⟨q, y⟩ = 1 − D; E D and E D² against direct quadrature of the density of Z = D/2."""
    for spec in ("vmf:4,2", "cap:5,0.8", "vanishing:4,3"):
        p, q, c, ze = _shape(spec)
        with mpmath.workdps(30):
            f = lambda z: z ** (p - 1) * (1 - z) ** (q - 1) * mpmath.exp(-c * z)  # noqa: E731
            N = mpmath.quad(f, [0, ze])
            ED = 2 * mpmath.quad(lambda z: z * f(z), [0, ze]) / N
            ED2 = 4 * mpmath.quad(lambda z: z * z * f(z), [0, ze]) / N
        r = key_law_output(1, spec, "2", 15)
        assert abs(r.E_inner - (1 - ED)) < 1e-14
        assert abs(r.Var_inner - (ED2 - ED ** 2)) < 1e-14
        assert abs(r.E_perp2 - (2 * ED - ED2)) < 1e-14


def _mc(spec, d, n, beta, reps, seed):
    """(mean, standard error) of ⟨q, y⟩, |P_⊥ y|², W_(1), H over ``reps`` attention draws with full keys: D from
    the exact samplers, the tangential directions U_i uniform on S^{d−2} (normalised Gaussians of R^{d−1})."""
    law = parse_key_law(spec)
    rng = np.random.Generator(np.random.PCG64(seed))
    if law.kind == "vanishing":
        p, q, _, _ = _shape(spec)
        D = 2 * rng.beta(p, q, size=(reps, n))
    else:
        polar = T.von_mises_fisher(d, float(law.param)) if law.kind == "vmf" else T.cap(d, float(law.param))
        D = sample_distance(polar, reps * n, seed + 1).reshape(reps, n)
    s = -beta * D
    w = np.exp(s - s.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    inner = 1 - (w * D).sum(axis=1)
    perp = np.zeros(reps)
    for i in range(0, reps, 200):   # chunks: (200, n, d − 1) Gaussians at a time
        g = rng.standard_normal((min(200, reps - i), n, d - 1))
        U = g / np.linalg.norm(g, axis=2, keepdims=True)
        amp = w[i:i + 200] * np.sqrt(D[i:i + 200] * (2 - D[i:i + 200]))
        perp[i:i + 200] = (((amp[:, :, None] * U).sum(axis=1)) ** 2).sum(axis=1)
    H = -(w * np.log(np.where(w > 0, w, 1))).sum(axis=1)
    out = {}
    for name, x in (("E_inner", inner), ("E_perp2", perp), ("E_W1", w.max(axis=1)), ("E_entropy", H)):
        out[name] = (x.mean(), x.std(ddof=1) / np.sqrt(reps))
    return out


MC_CASES = [("vmf:5,3", 5, 1000, 4.0, 11), ("cap:4,0.9", 4, 1000, 30.0, 12), ("vanishing:5,2", 5, 1000, 8.0, 13)]


@pytest.mark.parametrize("spec,d,n,beta,seed", MC_CASES, ids=[c[0] for c in MC_CASES])
def test_monte_carlo_full_keys(spec, d, n, beta, seed):
    """n = 1000 keys, 2000 draws: the exact values within 5 standard errors (E|P_⊥ y|² from the sampled tangential
    parts, not from the identity E Σ w² D(2 − D) that the exact route uses)."""
    r = key_law_output(n, spec, str(beta), 8)
    mc = _mc(spec, d, n, beta, 2000, seed)
    for name, (m, se) in mc.items():
        z = (m - float(getattr(r, name))) / se
        assert abs(z) < 5, (name, m, se, float(getattr(r, name)))


@pytest.mark.slow
def test_monte_carlo_large_n():
    """n = 10^5 keys (vMF, d = 8, κ₀ = 4, at the law's λ = 1), 400 draws: 5 standard errors."""
    law = parse_key_law("vmf:8,4")
    with mpmath.workdps(20):
        lk, al = law.log_kappa_alpha()
        beta = float(mpmath.exp((lk + mpmath.log(10 ** 5)) / al))
    r = key_law_output(10 ** 5, "vmf:8,4", repr(beta), 8)
    mc = _mc("vmf:8,4", 8, 10 ** 5, beta, 400, 21)
    for name, (m, se) in mc.items():
        assert abs((m - float(getattr(r, name))) / se) < 5, name


REFUSALS = [
    (dict(n=10, law="vmf:3", beta=1), "vmf takes D,KAPPA0"),
    (dict(n=10, law="gauss:3,1", beta=1), "give one of uniform:D"),
    (dict(n=10, law="vmf:3,abc", beta=1), "kappa0 must be a number"),
    (dict(n=10, law="vmf:3,2000", beta=1), "kappa0 <= 1000"),
    (dict(n=10, law="cap:3,4", beta=1), "must be in (0, pi)"),
    (dict(n=10, law="subsphere:3,5", beta=1), "m = 5 must be <= d = 3"),
    (dict(n=10, law="vanishing:3,0.5", beta=1), "only integer gamma"),
    (dict(n=10, law="vanishing:3,-2", beta=1), "not integrable"),
    (dict(n=10, law="uniform:5000", beta=1), "d <= 4096"),
    (dict(n=10, law=T.von_mises_fisher(3, 2, sp.pi / 4), beta=1), "two-point term"),
    (dict(n=10, law=T.cap(3, 1, 1), beta=1), "angle = 0 only"),
    (dict(n=10, law="vmf:3,2", beta=10 ** 6), "lambda <= 100"),
    (dict(n=10, law="vmf:3,2", beta=1, digits=40), "at most 30 digits"),
    (dict(n=10 ** 19, law="cap:3,1", beta=1), "n <= 1e18"),
    (dict(n=10, law="cap:3,1", beta="1e400"), "beyond the largest double"),
    (dict(n=10, law=3.5, beta=1), "spec string"),
]


@pytest.mark.parametrize("kw,words", REFUSALS, ids=[w for _, w in REFUSALS])
def test_refusals_are_one_line_and_quick(kw, words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        key_law_output(**kw)
    assert time.perf_counter() - t0 < 10
    msg = str(exc.value)
    assert words in msg and "\n" not in msg, msg
