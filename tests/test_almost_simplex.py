"""General tokens: analytic JVP/Jacobian against complex-step differentiation, Hutchinson against the exact
Frobenius norm, the deterministic self-weight bounds of Theorem 2.3, and the figures."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest

from attnlimits.numerics.laws import almost_simplex as AS
from attnlimits.numerics.montecarlo.stats import z_compare


@pytest.mark.parametrize("n,d,beta,alpha", [(2, 3, 0.7, 0.0), (4, 6, 2.3, 0.3), (7, 2, 5.0, 0.0), (5, 16, 11.0, 1.2)])
def test_jvp_and_jacobian_match_complex_step(n, d, beta, alpha):
    rng = np.random.default_rng(100 + n)
    X = rng.standard_normal((n, d))
    V = rng.standard_normal((n, d))
    h = 1e-30
    # complex step: Im f(X + i h V)/h = J V to rounding (no subtractive cancellation)
    cs = AS.layer(X + 1j * h * V, beta, alpha).imag / h
    assert np.abs(AS.jvp(X, V, beta, alpha) - cs).max() < 1e-12 * max(1.0, np.abs(cs).max())
    J = AS.jacobian(X, beta, alpha)
    assert np.abs((J @ V.ravel()).reshape(n, d) - cs).max() < 1e-12 * max(1.0, np.abs(cs).max())


def test_hutchinson_is_unbiased():
    rng = np.random.Generator(np.random.PCG64(7))
    for gam in (1.0, 2.0, 3.0):
        X = AS.gaussian_tokens(20, 12, 0.5, rng)
        beta = gam * math.log(20)
        _, se, vals = AS.eta_hutchinson(X, beta, 300, rng)
        c = z_compare("eta", vals, AS.eta_exact(X, beta))
        assert abs(c.z) <= 5, c


def test_self_weight_bounds_hold_on_gaussian_tokens():
    rng = np.random.Generator(np.random.PCG64(11))
    for d in (2, 32, 512):
        X = AS.gaussian_tokens(64, d, 0.4, rng)
        Y = AS.normalize(X)
        off = (Y @ Y.T)[~np.eye(64, dtype=bool)]
        for gam in (0.5, 1.6, 3.0):
            beta = gam * math.log(64)
            _, A = AS.layer(X, beta, return_attention=True)
            lo, hi = AS.self_weight_bounds(64, beta, off.min(), off.max())
            assert np.all(np.diag(A) >= lo * (1 - 1e-12)) and np.all(np.diag(A) <= hi * (1 + 1e-12))


def test_ratio_tracks_equiangular_at_large_d():
    # at d = 4096 Gaussian tokens are nearly equiangular: the mean angle ratio is within 0.02 of the exact
    # equiangular value (independent closed form) at gamma = 1.5, 2, 3 (rho = 1/2, n = 128)
    from attnlimits.numerics.laws import equiangular as EQ

    curve = AS.ratio_curve(128, 4096, 0.5, (1.5, 2.0, 3.0), 2, seed=3)
    for k, g in enumerate((1.5, 2.0, 3.0)):
        eq = (1 - float(EQ.finite_inner(128, "0.5", gamma=str(g)))) / 0.5
        assert abs(curve[k].mean() - eq) < 0.02


def test_make_figures_writes_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    from attnlimits.numerics.figures.equiangular import make_figures

    from types import SimpleNamespace as Row  # the fields of critical_beta.CriticalBetaRow the figure reads

    rows = [Row(d=3, n=100, ratio_paper1_power=0.8, ratio_gaussian_scores=7.6, ratio_log_n=8.7),
            Row(d=3, n=10000, ratio_paper1_power=0.798, ratio_gaussian_scores=537, ratio_log_n=433)]
    paths = make_figures(tmp_path, quick=True, critical_rows=rows)
    assert len(paths) == 3
    for p in paths:
        with open(p, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
        assert os.path.getsize(p) > 5000
