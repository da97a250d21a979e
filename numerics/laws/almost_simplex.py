"""One pre-LN attention layer on general tokens: forward map, analytic Jacobian, Hutchinson's estimator of eta,
and the Gaussian-token experiments of paper 2 (Theorem 2.3, Figures 1 and 2).

Layer (package convention, see :mod:`attnlimits.theory.equiangular`): y_i = x_i/|x_i|,
A = softmax_row(beta Y Y^T), X' = A Y + alpha X. Outputs are compared through their cosines.

Jacobian-vector product (derived in the package): for a perturbation V of X,
dy_j = P_j v_j/|x_j|, dL = beta (dY Y^T + Y dY^T), dA = A * (dL - rowsum(A * dL)), dX' = A dY + dA Y + alpha V.
eta = |J|_F^2/(n d) = E|J v|^2/(n d) for v with E v v^T = I (Hutchinson 1990; Rademacher probes).

Gaussian tokens (paper 2, §4): x_i = sqrt(rho) z_0 + sqrt(1 - rho) z_i with z ~ N(0, I_d)/sqrt(d), so that
<y_i, y_j> concentrates at rho as d grows (the almost-simplex case of Theorem 2.3).
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.theory.validation import InputError, count, dimension, positive_real, real

__all__ = ["normalize", "layer", "jvp", "jacobian", "eta_exact", "eta_hutchinson", "gaussian_tokens",
           "angle_ratio", "self_weight_bounds", "ratio_curve"]


def _norms(X):
    # sqrt(sum x^2), not abs(): keeps the map analytic for complex-step differentiation
    return np.sqrt((X * X).sum(axis=1))


def normalize(X):
    """Pre-LN onto the unit sphere: y_i = x_i/|x_i|.

    >>> normalize(np.array([[3.0, 4.0]])).tolist()
    [[0.6, 0.8]]
    """
    return X / _norms(X)[:, None]


def _softmax_rows(L):
    L = L - L.real.max(axis=1, keepdims=True)
    E = np.exp(L)
    return E / E.sum(axis=1, keepdims=True)


def layer(X, beta, alpha=0.0, *, return_attention=False):
    """X' = softmax(beta Y Y^T) Y + alpha X with Y = LN(X) (rows are tokens).

    >>> layer(np.array([[1.0, 0.0], [0.0, 2.0]]), 0.0).tolist()  # beta = 0: every output is the mean of the y_i
    [[0.5, 0.5], [0.5, 0.5]]
    """
    Y = normalize(X)
    A = _softmax_rows(beta * (Y @ Y.T))
    out = A @ Y + alpha * X
    return (out, A) if return_attention else out


def jvp(X, V, beta, alpha=0.0):
    """J V for the layer map at X (analytic, O(n^2 d)); V has the shape of X (or (k, n, d) for k probes).

    >>> X = gaussian_tokens(4, 6, 0.5, np.random.default_rng(0))
    >>> bool(np.abs(jvp(X, X, 3.0)).max() < 1e-12)  # alpha = 0: the layer ignores the norms, J X = 0
    True
    """
    Y = normalize(X)
    nr = _norms(X)
    A = _softmax_rows(beta * (Y @ Y.T))
    V = np.asarray(V)
    batched = V.ndim == 3
    Vb = V if batched else V[None]
    dY = (Vb - (Vb * Y).sum(axis=2, keepdims=True) * Y) / nr[:, None]
    G = dY @ Y.T
    dL = beta * (G + np.swapaxes(G, 1, 2))
    AdL = A * dL
    dA = AdL - A * AdL.sum(axis=2, keepdims=True)
    out = A @ dY + dA @ Y + alpha * Vb
    return out if batched else out[0]


def jacobian(X, beta, alpha=0.0):
    """The full (n d) x (n d) Jacobian from the block formula J_ij = (A_ij P_j + beta A_ij (y_j - m_i)(P_j y_i)^T
    + [i=j] beta Cov_i P_i)/|x_j| (+ alpha I on the diagonal). Row index i*d + a, column j*d + b.

    >>> jacobian(np.array([[1.0, 0.0, 0.0]]), 0.0).tolist()  # one token: the projection P_perp onto e_1^perp
    [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n, d = X.shape
    Y = normalize(X)
    nr = _norms(X)
    A = _softmax_rows(beta * (Y @ Y.T))
    M = A @ Y
    I = np.eye(d)
    P = I[None] - Y[:, :, None] * Y[:, None, :]  # (n, d, d)
    J = A[:, :, None, None] * P[None]  # A_ij P_j
    PY = np.einsum("jab,ib->ija", P, Y)  # P_j y_i (P symmetric)
    diff = Y[None, :, :] - M[:, None, :]  # y_j - m_i
    J = J + beta * A[:, :, None, None] * diff[:, :, :, None] * PY[:, :, None, :]
    Cov = np.einsum("ik,ka,kb->iab", A, Y, Y) - M[:, :, None] * M[:, None, :]
    idx = np.arange(n)
    J[idx, idx] += beta * np.einsum("iab,ibc->iac", Cov, P)
    J = J / nr[None, :, None, None]
    J[idx, idx] += alpha * I
    return J.transpose(0, 2, 1, 3).reshape(n * d, n * d)


def eta_exact(X, beta, alpha=0.0):
    """eta = |J|_F^2/(n d) from the full analytic Jacobian (small n d only).

    >>> round(eta_exact(np.array([[1.0, 0.0, 0.0]]), 0.0), 12)  # one token: J = P_perp, eta = (d - 1)/d
    0.666666666667
    """
    n, d = X.shape
    if n * d > 6000:
        raise InputError(f"n*d = {n * d} is too large for the full Jacobian; use eta_hutchinson")
    J = jacobian(X, beta, alpha)
    return float((J * J).sum() / (n * d))


def eta_hutchinson(X, beta, probes, rng, alpha=0.0, batch=8):
    """Hutchinson's estimate of eta with Rademacher probes: returns (mean, standard error, per-probe values).

    >>> m, se, _ = eta_hutchinson(np.array([[1.0, 0.0, 0.0]]), 0.0, 4, np.random.default_rng(0))
    >>> round(m, 12), se  # one token: |P_perp v|^2 = d - 1 for every sign vector v, so the estimate is exact
    (0.666666666667, 0.0)
    """
    n, d = X.shape
    probes = count(probes, "probes", low=2)
    vals = []
    for s0 in range(0, probes, batch):
        k = min(batch, probes - s0)
        V = rng.choice(np.array([-1.0, 1.0]), size=(k, n, d))
        JV = jvp(X, V, beta, alpha)
        vals.extend(((JV * JV).sum(axis=(1, 2)) / (n * d)).tolist())
    v = np.array(vals)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size)), v


def gaussian_tokens(n, d, rho, rng):
    """x_i = sqrt(rho) z_0 + sqrt(1 - rho) z_i, z ~ N(0, I_d/d): E<x_i, x_j> = rho, E|x_i|^2 = 1.

    >>> gaussian_tokens(4, 8, 0.5, np.random.default_rng(0)).shape
    (4, 8)
    """
    n = count(n, "n", low=2)
    d = dimension(d)
    r = float(real(rho, "rho", low=0, high=1, high_open=True))
    Z = rng.standard_normal((n + 1, d)) / math.sqrt(d)
    return math.sqrt(r) * Z[0][None, :] + math.sqrt(1 - r) * Z[1:]


def _offdiag(G):
    n = G.shape[0]
    return G[~np.eye(n, dtype=bool)]


def angle_ratio(X, beta, alpha=0.0, *, return_attention=False):
    """Mean over pairs i != j of (1 - <y_i', y_j'>)/(1 - <y_i, y_j>) (paper 2, Figure 1), with the pair data.

    Pairs with <y_i, y_j> = 1 to rounding (coincident tokens, possible at d = 2) are left out.

    >>> X = gaussian_tokens(5, 16, 0.5, np.random.default_rng(0))
    >>> abs(angle_ratio(X, 0.0)[0]) < 1e-12  # beta = 0: all outputs are the mean, every angle collapses
    True
    """
    Y = normalize(X)
    out, A = layer(X, beta, alpha, return_attention=True)
    Yp = normalize(out)
    g0 = _offdiag(Y @ Y.T)
    g1 = _offdiag(Yp @ Yp.T)
    ok = (1 - g0) > 1e-12
    ratios = (1 - g1[ok]) / (1 - g0[ok])
    return (float(ratios.mean()), ratios, g0, A) if return_attention else (float(ratios.mean()), ratios, g0)


def self_weight_bounds(n, beta, rho1, rho2):
    """Deterministic bounds on A_ii when rho1 <= <y_i, y_j> <= rho2 for all i != j:
    1/(1 + (n-1) e^{-beta(1-rho1)}) >= A_ii >= 1/(1 + (n-1) e^{-beta(1-rho2)}).

    >>> self_weight_bounds(10, 0.0, 0.2, 0.6)  # beta = 0: uniform weights, A_ii = 1/n
    (0.1, 0.1)
    """
    lo = 1.0 / (1.0 + (n - 1) * math.exp(-beta * (1 - rho2)))
    hi = 1.0 / (1.0 + (n - 1) * math.exp(-beta * (1 - rho1)))
    return lo, hi


def ratio_curve(n, d, rho, gammas, reps, seed, alpha=0.0):
    """Mean angle ratio at beta = gamma log n over ``reps`` independent Gaussian-token samples.

    Returns an array (len(gammas), reps); replicate r uses PCG64(SeedSequence(seed).spawn(reps)[r]) and the
    same tokens serve every gamma (common random numbers, so the curve is smooth in gamma).

    >>> ratio_curve(4, 8, 0.5, [0.5, 1.0], 3, seed=0).shape
    (2, 3)
    """
    n = count(n, "n", low=2)
    positive_real(min(gammas), "gamma")
    out = np.empty((len(gammas), reps))
    for r, ch in enumerate(np.random.SeedSequence(seed).spawn(reps)):
        X = gaussian_tokens(n, d, rho, np.random.Generator(np.random.PCG64(ch)))
        for k, g in enumerate(gammas):
            out[k, r] = angle_ratio(X, g * math.log(n), alpha)[0]
    return out
