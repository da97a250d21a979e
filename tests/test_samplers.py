"""Samplers of attention for a fixed query: naive, exact reduced, order statistics, the reference.

Every comparison is a fixed-seed statistical test whose reference comes from an independent route:
a closed-form law (scipy.stats.beta, a quadrature of a density), a different sampler (d-dimensional
Gaussian keys, scipy's own vMF sampler), or an exact finite-n expectation computed by quadrature.
Families of comparisons are judged with Holm's procedure at the package's family level.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from attnlimits.numerics.montecarlo.isotropic_merge import draw_cosine, merge_norms, sphere_coordinate
from attnlimits.numerics.montecarlo.exact_sampler import _coordinate_pair, _gaussian_triple, draw_distance, exact_replicate
from attnlimits.numerics.montecarlo.sampling import replicates
from attnlimits.numerics.montecarlo.stats import family_verdict, ks_compare, ks_two_sample, two_sample_z, z_compare
from attnlimits.theory.validation import InputError


def _holds(comps):
    ok, fig = family_verdict(comps)
    assert ok, (fig, [(c.name, round(c.z, 2), c.p) for c in comps])


@pytest.mark.parametrize("m", [1, 2, 3, 6])
def test_isotropic_merge_matches_vectors(m):
    """|sum c_i U_i| by the scalar tree merge against the same sum formed with explicit vectors in R^m."""
    rng = np.random.default_rng(11 + m)
    c = np.array([0.3, 1.0, 0.7, 0.2, 0.5])
    R = 3000
    merged = np.array([merge_norms(c, m, rng) for _ in range(R)])
    G = rng.standard_normal((R, c.size, m))
    U = G / np.linalg.norm(G, axis=2, keepdims=True)
    direct = np.linalg.norm(np.einsum("i,rij->rj", c, U), axis=1)
    if m == 1:  # a discrete law: the two routes may differ by an ulp on the same atom
        merged, direct = np.round(merged, 12), np.round(direct, 12)
    # E|sum c U|^2 = sum c^2 exactly (cross terms have mean 0)
    _holds([ks_two_sample(f"m={m} KS", merged, direct),
            z_compare(f"m={m} second moment", merged ** 2, float(np.dot(c, c)))])


@pytest.mark.parametrize("m", [1, 2, 3, 7])
def test_cosine_law(m):
    """(1 + C)/2 ~ Beta((m-1)/2, (m-1)/2) for m >= 2 (scipy.stats.beta); C = +-1 equally for m = 1."""
    c = draw_cosine(m, 20000, np.random.default_rng(3))
    if m == 1:
        assert set(np.unique(c)) == {-1.0, 1.0}
        _holds([z_compare("sign", c, 0.0)])
    else:
        b = (m - 1) / 2
        _holds([ks_compare("C", c, lambda x: stats.beta(b, b).cdf((1 + x) / 2))])


@pytest.mark.parametrize("d", [4, 9, 128])
def test_gaussian_triple_law(d):
    """D = 1 - X with (1 + X)/2 ~ Beta(a, a); |P_perp K| = sqrt(D(2 - D)); C independent of D."""
    D, tang, C = _gaussian_triple(20000, d, np.random.default_rng(d))
    a, b = (d - 1) / 2, (d - 2) / 2
    np.testing.assert_allclose(tang, np.sqrt(D * (2 - D)), rtol=1e-12)
    rho = np.corrcoef(D, C)[0, 1]
    _holds([ks_compare("D", D, lambda t: stats.beta(a, a).cdf(t / 2)),
            ks_compare("C", C, lambda x: stats.beta(b, b).cdf((1 + x) / 2)),
            z_compare("corr(D, C)", (D - D.mean()) * (C - C.mean()) / (D.std() * C.std()), 0.0)])
    assert abs(rho) < 0.05


@pytest.mark.parametrize("method", ["ziggurat", "gauss"])
@pytest.mark.parametrize("dim", [4, 5, 16, 128, 1024])
def test_sphere_coordinate_law(dim, method):
    """Ziggurat and Gaussian rejection: (1 + X)/2 ~ Beta((dim-1)/2, (dim-1)/2) (scipy.stats.beta), and
    E X^2 = 1/dim exactly (the squared coordinates of a unit vector sum to 1, each with the same law)."""
    x = sphere_coordinate(20000, dim, np.random.default_rng(dim), method=method)
    a = (dim - 1) / 2
    _holds([ks_compare("X", x, lambda t: stats.beta(a, a).cdf((1 + t) / 2)),
            z_compare("E X^2", x * x, 1.0 / dim), z_compare("E X", x, 0.0)])
    assert np.all(np.abs(x) < 1)


@pytest.mark.parametrize("dim", [4, 16, 128, 1024])
def test_ziggurat_tables_and_tail(dim):
    """The ziggurat's layers have equal area and its top reaches f(0) = 1; the tail sampler (scalar path for a
    few draws, array path for many) has the law of X^2 ~ Beta(1/2, k + 1) conditioned on X >= r."""
    from attnlimits.numerics.montecarlo.ziggurat import N_LAYERS, _tail, ziggurat_tables

    t = ziggurat_tables(dim)
    k, r = t["k"], t["r"]
    X = t["wsigned"][1:N_LAYERS] / 2.0 ** -53
    # layer j: width x_j, height v/x_j; next layer's bottom f(x_{j+1}) is this layer's top
    np.testing.assert_allclose(X * t["height"][1:], t["v"], rtol=1e-12)
    assert np.all(np.diff(t["bottom"][1:]) > 0) and t["bottom"][1] == t["height"][0]  # f(r): base's top
    assert t["bottom"][-1] + t["height"][-1] >= 1.0 > t["bottom"][-1]
    # x_j = f^{-1}(bottom of layer j) = sqrt(1 - bottom^(1/k)) to a few ulps, evaluated with mpmath at 40 digits
    import mpmath

    with mpmath.workdps(40):
        inv = [float(mpmath.sqrt(1 - mpmath.mpf(b) ** (1 / mpmath.mpf(k)))) for b in t["bottom"][1:]]
    np.testing.assert_allclose(X, inv, rtol=1e-14)
    # half the total mass int_0^1 f = B(1/2, k + 1)/2 over N v: the acceptance
    assert t["acceptance"] == pytest.approx(0.5 * special.beta(0.5, k + 1) / (N_LAYERS * t["v"]), rel=1e-12)
    rng = np.random.default_rng(dim)
    few = np.concatenate([_tail(3, t, rng) for _ in range(1000)])
    many = _tail(3000, t, rng)
    lo = special.betainc(0.5, k + 1, r * r)

    def cdf(x):
        return (special.betainc(0.5, k + 1, np.clip(x, r, 1) ** 2) - lo) / (1 - lo)

    assert few.min() >= r and many.max() < 1
    _holds([ks_compare("tail scalar", few, cdf), ks_compare("tail array", many, cdf)])


@pytest.mark.parametrize("d", [16, 128])
def test_coordinate_pair_law(d):
    """The d >= 16 route: D = 1 - X with (1 + X)/2 ~ Beta(a, a); |P_perp K| = sqrt(D(2 - D)); C ~ coordinate
    of R^{d-1}, uncorrelated with D."""
    D, tang, C = _coordinate_pair(20000, d, np.random.default_rng(d + 1))
    a, b = (d - 1) / 2, (d - 2) / 2
    np.testing.assert_allclose(tang, np.sqrt(D * (2 - D)), rtol=1e-12)
    _holds([ks_compare("D", D, lambda t: stats.beta(a, a).cdf(t / 2)),
            ks_compare("C", C, lambda x: stats.beta(b, b).cdf((1 + x) / 2)),
            z_compare("corr(D, C)", (D - D.mean()) * (C - C.mean()) / (D.std() * C.std()), 0.0)])


@pytest.mark.parametrize("d", [2, 3, 5])
def test_uniform_distance_law(d):
    """draw_distance for uniform keys: P(D <= t) = I_{t/2}(a, a) (paper 1 §2)."""
    a = (d - 1) / 2
    D = draw_distance(20000, d, np.random.default_rng(5))
    _holds([ks_compare("D", D, lambda t: special.betainc(a, a, np.clip(t / 2, 0, 1)))])


def _vmf_cdf(d, k0):
    """P(D <= t) for vMF(q, k0) keys by quadrature of the density ~ e^{-k0 t} t^{a-1} (2 - t)^{a-1}."""
    a = (d - 1) / 2
    f = lambda t: math.exp(-k0 * t) * t ** (a - 1) * (2 - t) ** (a - 1)
    Z = integrate.quad(f, 0, 2, limit=200)[0]
    return np.vectorize(lambda t: integrate.quad(f, 0, min(max(t, 0.0), 2.0), limit=200)[0] / Z)


@pytest.mark.parametrize("d,k0", [(3, 4.0), (5, 2.5), (16, 20.0)])
def test_vmf_distance_law(d, k0):
    """vMF(q, kappa0) distances from the exact sampler against the law by quadrature, and against scipy's sampler."""
    D = draw_distance(3000, d, np.random.default_rng(7), law="vmf", kappa0=k0)
    from scipy.stats import vonmises_fisher

    mu = np.zeros(d)
    mu[0] = 1
    K = vonmises_fisher(mu, k0).rvs(3000, random_state=np.random.default_rng(8))
    _holds([ks_compare("D vs quadrature", D, _vmf_cdf(d, k0)),
            ks_two_sample("D vs scipy", D, 1 - K[:, 0])])


def _cases():
    return [(300, 3, 60.0), (300, 6, 8.0), (100, 2, 30.0)]


@pytest.mark.parametrize("n,d,beta", _cases())
def test_samplers_agree_in_law(n, d, beta):
    """naive, exact, orderstat and reference: two-sample KS and means of every statistic, Holm family."""
    R = 300
    runs = {s: replicates(n, d, beta, R, seed, sampler=s)
            for s, seed in (("naive", 1), ("exact", 2), ("orderstat", 3), ("reference", 4))}
    assert np.all(runs["orderstat"].truncation_bound <= 1e-13)  # the default target bound
    comps = []
    for s in ("exact", "orderstat", "reference"):
        for key in ("sum_w2", "entropy", "gap", "perp_norm", "min_dist"):
            comps.append(ks_two_sample(f"{s} {key} KS", getattr(runs[s], key), getattr(runs["naive"], key)))
            comps.append(two_sample_z(f"{s} {key} mean", getattr(runs[s], key), getattr(runs["naive"], key)))
        comps.append(ks_two_sample(f"{s} top1 KS", runs[s].top[:, 0], runs["naive"].top[:, 0]))
        comps.append(two_sample_z(f"{s} perp_coord mean", runs[s].perp_coord, runs["naive"].perp_coord))
    _holds(comps)


def test_vmf_exact_vs_naive():
    """vMF keys: exact reduced against naive (scipy's vMF keys), several statistics."""
    a = replicates(200, 5, 6.0, 300, 21, sampler="naive", law="vmf", kappa0=3.0)
    b = replicates(200, 5, 6.0, 300, 22, sampler="exact", law="vmf", kappa0=3.0)
    _holds([ks_two_sample(k, getattr(a, k), getattr(b, k))
            for k in ("sum_w2", "entropy", "gap", "perp_norm", "min_dist")])


def test_exact_two_keys():
    """n = 2, d = 3: with S = |X1 - X2| (density (2 - s)/2 on [0, 2]), W_(1) = 1/(1 + e^{-beta S}) and
    sum w^2 = (1 + e^{-2 beta S})/(1 + e^{-beta S})^2; expectations by quadrature."""
    beta = 2.0
    dens = lambda s: (2 - s) / 2
    EW1 = integrate.quad(lambda s: dens(s) / (1 + math.exp(-beta * s)), 0, 2)[0]
    ESW2 = integrate.quad(lambda s: dens(s) * (1 + math.exp(-2 * beta * s)) / (1 + math.exp(-beta * s)) ** 2, 0, 2)[0]
    comps = []
    for s, seed in (("exact", 31), ("orderstat", 32), ("naive", 33)):
        r = replicates(2, 3, beta, 4000, seed, sampler=s)
        comps += [z_compare(f"{s} E W1", r.top[:, 0], EW1), z_compare(f"{s} E sum w2", r.sum_w2, ESW2)]
    _holds(comps)


@pytest.mark.parametrize("d", [2, 3, 7])
def test_uniform_weights_output_moments(d):
    """beta = 0: y = mean of n uniform keys, so E<q, y> = 0 and E|P_perp y|^2 = (1 - 1/d)/n exactly."""
    n = 50
    comps = []
    for s, seed in (("exact", 40 + d), ("orderstat", 50 + d)):
        r = replicates(n, d, 0.0, 1500, seed, sampler=s)
        comps += [z_compare(f"{s} parallel", r.parallel, 0.0),
                  z_compare(f"{s} |perp|^2", r.perp_norm ** 2, (1 - 1 / d) / n),
                  z_compare(f"{s} perp coord^2", r.perp_coord ** 2, (1 - 1 / d) / (n * (d - 1)))]
    _holds(comps)


def test_vmf_single_key_mean():
    """n = 1: <q, y> = X has mean A_d(kappa0) = I_{d/2}(kappa0)/I_{d/2-1}(kappa0) (vMF mean resultant length)."""
    d, k0 = 6, 3.5
    ref = special.ive(d / 2, k0) / special.ive(d / 2 - 1, k0)
    r = replicates(1, d, 1.0, 6000, 61, sampler="exact", law="vmf", kappa0=k0)
    _holds([z_compare("E X", r.parallel, ref)])


def test_value_matrix():
    """A general V: y = V ybar; exact reduced against naive for <q, y> and |P_perp y|."""
    d = 4
    V = np.array([[1.0, 0.5, 0, 0], [0.2, -1.0, 0.3, 0], [0, 0, 2.0, 0.1], [0.4, 0, 0, 0.5]])
    a = replicates(100, d, 10.0, 400, 71, sampler="naive", V=V)
    b = replicates(100, d, 10.0, 400, 72, sampler="exact", V=V)
    c = replicates(100, d, 10.0, 400, 73, sampler="orderstat", V=V)
    comps = []
    for name, x in (("exact", b), ("orderstat", c)):
        comps += [ks_two_sample(f"{name} {k}", getattr(x, k), getattr(a, k))
                  for k in ("parallel", "perp_norm", "perp_coord")]
    _holds(comps)


def test_rectangular_value_matrix():
    """V of shape d_v x d (d_v = 2 < d = 5): exact reduced against naive for |y| and both coordinates of y."""
    d = 5
    V = np.array([[0.5, 1.0, 0.0, -0.3, 0.2], [1.0, 0.0, 0.7, 0.0, -1.0]])
    a = replicates(60, d, 8.0, 400, 81, sampler="naive", V=V)
    b = replicates(60, d, 8.0, 400, 82, sampler="exact", V=V)
    assert a.value.shape == b.value.shape == (400, 2)
    np.testing.assert_allclose(b.value_norm, np.linalg.norm(b.value, axis=1), rtol=1e-14)
    _holds([ks_two_sample("|y|", b.value_norm, a.value_norm)]
           + [ks_two_sample(f"y_{j}", b.value[:, j], a.value[:, j]) for j in range(2)])


def test_underflow_cut_changes_nothing():
    """Skipping keys whose weight is below e^{-350} of the largest (d = 4: same random stream) leaves the
    weight statistics unchanged to rounding."""
    kw = dict(n=200000, d=4, beta=3e3, k=5, chunk=1 << 14)
    a = exact_replicate(rng=np.random.default_rng(5), **kw)
    b = exact_replicate(rng=np.random.default_rng(5), cut=math.inf, **kw)
    for key in ("sum_w2", "entropy", "gap", "min_dist"):
        assert getattr(a, key) == pytest.approx(getattr(b, key), rel=1e-12), key
    np.testing.assert_allclose(a.top, b.top, rtol=1e-12)


def test_replicates_keeps_reference_api():
    """The historic call replicates(n, d, beta, reps, seed, k=5) still returns every STAT_KEYS statistic, one row
    per replicate, as the fields of a typed result."""
    from attnlimits.numerics.montecarlo.sampling import STAT_KEYS

    r = replicates(50, 3, 5.0, 3, 0, k=4)
    assert set(STAT_KEYS) <= set(r.fields())
    assert all(getattr(r, key).shape[0] == 3 for key in STAT_KEYS)
    assert r.top.shape == (3, 4)


@pytest.mark.parametrize("sampler", ["reference", "naive", "exact", "orderstat"])
def test_every_sampler_returns_the_same_typed_replicate(sampler):
    """One Replicate class for every sampler: the weight and output statistics always present, explicit_keys
    only from order statistics, value_norm and value only with a value matrix; the store's JSON form of a
    replicate stacks back to the same bits."""
    from attnlimits.numerics.montecarlo.replicate import Replicate, Replicates
    from attnlimits.numerics.montecarlo.sampling import STAT_KEYS, one_replicate

    r = one_replicate(40, 4, 6.0, 3, np.random.default_rng(8), sampler=sampler)
    assert type(r) is Replicate
    assert all(getattr(r, key) is not None for key in STAT_KEYS + ("gap", "truncation_bound"))
    assert (r.explicit_keys is not None) == (sampler == "orderstat")
    assert r.value is None and r.value_norm is None
    back = Replicates.stack([r.to_json(17, skip_none=True)])
    direct = Replicates.stack([r])
    assert all(np.array_equal(getattr(back, f), getattr(direct, f)) for f in direct.fields()
               if getattr(direct, f) is not None)
    if sampler != "reference":
        V = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0]])
        rv = one_replicate(40, 4, 6.0, 3, np.random.default_rng(8), sampler=sampler, V=V)
        assert rv.value.shape == (2,) and rv.value_norm == pytest.approx(np.linalg.norm(rv.value), rel=1e-15)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["reps", "n", "sampler", "law", "kappa0", "V"]))
def test_bad_input(which):
    kw = dict(n=10, d=3, beta=1.0, reps=2, seed=0, sampler="exact")
    if which == "reps":
        kw["reps"] = 0
    elif which == "n":
        kw["n"] = -3
    elif which == "sampler":
        kw["sampler"] = "magic"
    elif which == "law":
        kw["sampler"], kw["law"], kw["kappa0"] = "orderstat", "vmf", 1.0
    elif which == "kappa0":
        kw["law"], kw["kappa0"] = "vmf", -1.0
    else:
        kw["V"] = np.eye(2)
    with pytest.raises(InputError):
        replicates(**kw)


@pytest.mark.slow
@pytest.mark.parametrize("n,d,beta,law,k0", [(2000, 128, 3.0, "uniform", 0.0), (500, 1024, 2.0, "uniform", 0.0),
                                             (1000, 64, 4.0, "vmf", 30.0)])
def test_high_dimension_agreement(n, d, beta, law, k0):
    """High d (the Gaussian-triple route and Wood's algorithm): exact reduced against naive, 1500 replicates."""
    a = replicates(n, d, beta, 1500, 91, sampler="naive", law=law, kappa0=k0)
    b = replicates(n, d, beta, 1500, 92, sampler="exact", law=law, kappa0=k0)
    comps = []
    for key in ("sum_w2", "entropy", "gap", "perp_norm", "min_dist"):
        comps += [ks_two_sample(key, getattr(a, key), getattr(b, key)),
                  two_sample_z(f"{key} mean", getattr(a, key), getattr(b, key))]
    comps.append(ks_two_sample("top1", a.top[:, 0], b.top[:, 0]))
    _holds(comps)


@pytest.mark.parametrize("d,law", [(2, "uniform"), (3, "uniform"), (5, "uniform"), (5, "vmf")])
def test_chunking_does_not_change_the_law(d, law):
    """Many small chunks (running log-sum-exp and merges across chunks) against one chunk: same law."""
    kw = dict(law=law, kappa0=2.0 if law == "vmf" else 0.0)
    a = replicates(2000, d, 20.0, 300, 101, sampler="exact", chunk=128, **kw)
    b = replicates(2000, d, 20.0, 300, 102, sampler="exact", chunk=4096, **kw)
    _holds([ks_two_sample(k, getattr(a, k), getattr(b, k))
            for k in ("sum_w2", "entropy", "gap", "perp_norm", "perp_coord")]
           + [two_sample_z(f"{k} mean", getattr(a, k), getattr(b, k)) for k in ("perp_norm", "gap")])
