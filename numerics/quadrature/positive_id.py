"""Distribution functions of positive infinitely divisible laws that are Poisson sums (docs/critical_output.md §9).

X = Σ_j J(v_j) over the points v_j of a Poisson process of intensity ρ(v) dv, J > 0. Mecke's formula
E[X g(X)] = ∫ ρ(v) J(v) E g(X + J(v)) dv with g = 1{· ≤ y}, and E[X; X ≤ y] = y F(y) − ∫_0^y F, give the
Volterra equation of the distribution function F (with its atom F(0) = e^{−∫ρ} when the mass is finite):

    y F(y) = ∫_0^y F(t) dt + ∫ ρ(v) J(v) F(y − J(v)) dv.                                         (9.1)

Its solution is marched over panels [b_m, b_{m+1}] of y: F is a polynomial of degree p on each panel
(its values at the p + 1 Chebyshev–Lobatto points, the left one known from the panel before), and (9.1) at the
p new points is a p × p linear system. The v-integral is split where J(v) = y − b_m (below: F is known;
above: the current panel's Lagrange basis) and where y − J(v) is a kink of F; each piece is a tanh-sinh rule
of the package's double-exponential engine (``numerics.quadrature.double_exponential``, nodes converted to
double precision once), which absorbs the endpoint singularity of F(y − J(v)) at J(v) = y. F is smooth inside
each panel when the panels are graded geometrically toward 0 (F ~ y^θ there) and toward each kink from its right
(the jump density's fold or end, e.g. (J_max − z)^{−1/2}, makes F behave like (y − m J_max)^{mθ + 1/2}).

Without an atom (infinitely many small jumps) (9.1) is homogeneous: the march starts from a seed
F(t) ∝ t^s on [0, y_lo] and is normalised by F = 1 at the top. Beyond y_lo the seed enters (9.1) through
∫_0^{y_lo} F(t)(1 + k(y − t)) dt ≈ (1 + k(y)) ∫_0^{y_lo} F (k(z) = z × the jump density), a constant
factor that the normalisation removes, up to a relative O(y_lo/y). Arithmetic is double precision: the solution
carries about 12 digits (measured against the generalised Dickman law and against Laplace transforms,
docs/critical_output.md §9.3).
"""
from __future__ import annotations

import dataclasses
import functools
import math

import mpmath
import numpy as np
from numpy.polynomial import chebyshev as _cheb

from attnlimits.numerics.quadrature.double_exponential import DERule, TanhSinhMap

__all__ = ["JumpMap", "PanelFunction", "solve_cdf", "graded_breaks", "tanh_sinh_rule", "chernoff_upper"]


@functools.lru_cache(maxsize=None)
def tanh_sinh_rule(level: int = 3):
    """(s, 1 − s, w): the tanh-sinh rule of the DE engine on [0, 1] at level ``level`` in double precision, the
    distance to the right end kept without cancellation (computed at 60 digits).

    >>> s, r, w = tanh_sinh_rule(3)
    >>> round(float(w @ np.sqrt(s)), 14), round(float(w @ (1 / np.sqrt(r))), 13)   # 2/3 and 2
    (0.66666666666667, 2.0)
    """
    with mpmath.workdps(60):
        nodes = DERule(TanhSinhMap(mpmath.mpf(0), mpmath.mpf(1))).nodes(level)
        s = np.array([float(a) for a, _ in nodes])
        r = np.array([float(1 - a) for a, _ in nodes])
        w = np.array([float(b) for _, b in nodes])
    # nodes nearer an end than 1e−40 (weight below about 1e−40) change no double-precision sum of an integrand
    # whose endpoint singularity is at worst r^{−1/2} (ρ ∝ v^{α−1}, α ≥ 1/2): their share is below 1e−20
    keep = (w > 1e-40) & (s > 1e-40) & (r > 1e-40)
    return s[keep], r[keep], w[keep]


class _Lobatto:
    """Chebyshev–Lobatto points on [−1, 1], barycentric weights, integration and differentiation matrices."""

    def __init__(self, p: int):
        j = np.arange(p + 1)
        x = -np.cos(np.pi * j / p)
        x[0], x[-1] = -1.0, 1.0
        self.p, self.x = p, x
        bw = (-1.0) ** j
        bw[0] *= 0.5
        bw[-1] *= 0.5
        self.bw = bw
        vi = np.linalg.inv(_cheb.chebvander(x, p))
        eye = np.eye(p + 1)
        self.Q = np.stack([_cheb.chebval(x, _cheb.chebint(eye[k], lbnd=-1)) for k in range(p + 1)], axis=1) @ vi
        self.D = np.stack([_cheb.chebval(x, _cheb.chebder(eye[k])) for k in range(p + 1)], axis=1) @ vi

    def basis(self, s):
        """Rows l_0(s) … l_p(s) of the Lagrange basis at the points s in [−1, 1] (barycentric form)."""
        diff = np.asarray(s, float)[:, None] - self.x[None, :]
        exact = diff == 0
        diff[exact] = 1.0
        tmp = self.bw[None, :] / diff
        out = tmp / tmp.sum(axis=1, keepdims=True)
        rows = exact.any(axis=1)
        if rows.any():
            out[rows] = exact[rows].astype(float)
        return out


@functools.lru_cache(maxsize=None)
def _lobatto(p: int) -> _Lobatto:
    return _Lobatto(p)


@dataclasses.dataclass
class JumpMap:
    """The Poisson sum: monotone ``pieces`` (v_lo, v_hi, increasing, J^{-1} on the piece), the jump J(v) and the
    intensity ρ(v) (numpy functions), and ``tail`` = ∫ ρ J over v beyond the pieces (jumps so small there that
    F(y − J) = F(y) to first order)."""

    pieces: list
    J: object
    rho: object
    tail: float = 0.0


class PanelFunction:
    """A function given by its values at the Chebyshev–Lobatto points of panels [b_m, b_{m+1}]; below b_0 the
    seed F(b_0) (t/b_0)^s (or 0), above the last panel its last value.

    >>> f = PanelFunction(5, [0.0, 1.0, 2.0], None)
    >>> f.values = np.array([f.points(0) ** 2, f.points(1) ** 2])
    >>> [round(float(v), 12) for v in f(np.array([0.5, 1.5, 3.0]))]
    [0.25, 2.25, 4.0]
    """

    def __init__(self, p: int, breaks, seed):
        self.lob = _lobatto(p)
        self.breaks = np.asarray(breaks, float)
        self.values = np.zeros((len(self.breaks) - 1, p + 1))
        self.seed = seed

    def points(self, m: int):
        a, b = self.breaks[m], self.breaks[m + 1]
        return a + (b - a) / 2 * (self.lob.x + 1)

    def __call__(self, t):
        t = np.asarray(t, float)
        out = np.empty_like(t)
        b = self.breaks
        lo = t < b[0]
        if self.seed is not None and lo.any():
            out[lo] = self.values[0, 0] * (np.maximum(t[lo], 0) / b[0]) ** self.seed
        else:
            out[lo] = 0.0
        hi = t >= b[-1]
        out[hi] = self.values[-1, -1]
        mid = ~(lo | hi)
        if mid.any():
            tm = t[mid]
            idx = np.clip(np.searchsorted(b, tm, side="right") - 1, 0, len(b) - 2)
            a, c = b[idx], b[idx + 1]
            s = np.clip((2 * tm - a - c) / (c - a), -1, 1)
            out[mid] = np.einsum("ij,ij->i", self.lob.basis(s), self.values[idx])
        return out

    def derivative(self) -> "PanelFunction":
        """The derivative, panel by panel (spectral differentiation)."""
        d = PanelFunction(self.lob.p, self.breaks, None)
        widths = np.diff(self.breaks)
        d.values = (self.values @ self.lob.D.T) * (2 / widths)[:, None]
        return d


def graded_breaks(start, kinks, top, *, first_width, grading, fill):
    """Panel ends from ``start`` to ``top``: geometric (ratio 2) from ``start`` up to ``first_width``; around each
    kink κ (increasing) geometric toward κ from both sides, down to κ ± (half the gap to the next kink or end)
    2^{−grading(i)} (i = 0, 1, …: the kink's index); panels at most ``fill`` wide in between.

    >>> graded_breaks(0.25, [1.0], 2.0, first_width=1.0, grading=lambda i: 2, fill=0.5)
    [0.25, 0.5, 0.8125, 0.90625, 1.0, 1.125, 1.25, 1.625, 2.0]
    """
    br = {start, top}
    y = start
    while y < first_width:
        br.add(y)
        y *= 2
    br.add(min(first_width, top))
    ks = [k for k in kinks if start < k < top]
    ends = [start] + ks + [top]
    for i, k in enumerate(ks):
        left, right = (k - ends[i]) / 2, (ends[i + 2] - k) / 2
        for j in range(grading(i), 0, -1):
            br.add(k + right * 2.0 ** -j)
            br.add(k - left * 2.0 ** -j)
        br.add(k)
    edges = sorted(br)
    out = [edges[0]]
    for e in edges[1:]:
        n = max(1, int(math.ceil((e - out[-1]) / fill - 1e-9)))
        a = out[-1]
        out.extend(a + (e - a) * (i + 1) / n for i in range(n))
    return out


def chernoff_upper(jumps: JumpMap, eps: float, scale: float) -> float:
    """A y with P(X > y) < eps: min over s of (log(1/eps) + log E e^{sX})/s, log E e^{sX} = ∫ ρ (e^{sJ} − 1)
    (s on a logarithmic grid around 1/scale)."""
    s_ts, _, w_ts = tanh_sinh_rule(3)
    best = math.inf
    for s in np.logspace(-3, 3, 61) / scale:
        tot = 0.0
        with np.errstate(over="ignore", invalid="ignore"):   # a too large s gives inf: no bound from it
            for lo, hi, _, _ in jumps.pieces:
                v = lo + (hi - lo) * s_ts
                tot += (hi - lo) * (w_ts @ (jumps.rho(v) * np.expm1(np.minimum(s * jumps.J(v), 700.0))))
        tot += jumps.tail * s
        if not math.isfinite(tot):
            continue
        best = min(best, (math.log(1 / eps) + tot) / s)
    return best


def solve_cdf(jumps: JumpMap, breaks, *, p: int = 20, level: int = 3, seed=None, atom=None, kinks=()):
    """March (9.1) over the panels ``breaks``: with ``atom`` (F(0), breaks[0] = 0) or with ``seed`` (the exponent
    s of F ∝ t^s on [0, breaks[0]]; the result is normalised to 1 at the top). ``kinks``: points where F is not
    smooth (the v-integrals are split there). Returns a :class:`PanelFunction`.

    The generalised Dickman law (jumps e^{−v}, ρ = θ on (0, ∞)): F(y) = e^{−γθ} y^θ/Γ(1 + θ) for y ≤ 1.

    >>> th = 0.5
    >>> jm = JumpMap([(0.0, 40.0, False, lambda z: -np.log(z))], lambda v: np.exp(-v), lambda v: th + 0 * v,
    ...              tail=th * math.exp(-40))
    >>> br = graded_breaks(1e-12, [1.0, 2.0, 3.0], 10.0, first_width=1.0, grading=lambda i: 30, fill=0.5)
    >>> F = solve_cdf(jm, br, seed=th, kinks=[1.0, 2.0, 3.0, 4.0, 5.0])
    >>> exact = math.exp(-0.5772156649015329 * th) * 0.3 ** th / math.gamma(1 + th)
    >>> bool(abs(F(np.array([0.3]))[0] / exact - 1) < 1e-12)
    True
    """
    s_ts, _, w_ts = tanh_sinh_rule(level)
    F = PanelFunction(p, breaks, seed if atom is None else None)
    lob = F.lob
    br = F.breaks
    kinks = np.asarray(sorted(kinks), float)
    if atom is None:
        f0 = 1.0
        cum = br[0] * f0 / (seed + 1)
    else:
        if br[0] != 0:
            raise ValueError("with an atom the panels start at 0")
        f0, cum = float(atom), 0.0
    ends = [(jumps.J(np.array([lo, hi])), lo, hi, inc, inv) for lo, hi, inc, inv in jumps.pieces]
    n_ts = len(s_ts)
    for m in range(len(br) - 1):
        a, b = br[m], br[m + 1]
        hw = (b - a) / 2
        y = F.points(m)
        A = hw * lob.Q.copy()
        rhs = np.full(p + 1, cum)
        yi = y[1:]
        rows, va_all, L_all, cur_all = [], [], [], []
        for (jl, jh), lo, hi, inc, inv in ends:
            jmin, jmax = (jl, jh) if inc else (jh, jl)
            top = np.minimum(yi, jmax)
            # cut points in the jump size z: y − a (known | current panel), y − kinks, and the ends jmin, top
            ks = kinks[kinks < b]
            cand = np.concatenate([np.full((p, 1), jmin), top[:, None], (yi[:, None] - ks[None, :]),
                                   (yi - a)[:, None]], axis=1)
            inside = (cand > jmin) & (cand < top[:, None])
            inside[:, :2] = True
            cand = np.where(inside, cand, np.nan)
            cand.sort(axis=1)                       # NaN last
            z0, z1 = cand[:, :-1], cand[:, 1:]
            ok = np.isfinite(z0) & np.isfinite(z1) & (z1 > z0) & (yi[:, None] > jmin)
            if not ok.any():
                continue
            r_idx = np.nonzero(ok)[0]
            z0, z1 = z0[ok], z1[ok]

            def to_v(z):
                v = np.empty_like(z)
                at_min, at_max = z <= jmin, z >= jmax
                mid = ~(at_min | at_max)
                v[at_min] = lo if inc else hi
                v[at_max] = hi if inc else lo
                if mid.any():
                    v[mid] = inv(z[mid])
                return v

            v0, v1 = to_v(z0), to_v(z1)
            va, vb = (v0, v1) if inc else (v1, v0)
            rows.append(r_idx + 1)
            va_all.append(va)
            L_all.append(vb - va)
            cur_all.append(0.5 * (z0 + z1) < yi[r_idx] - a)
        if rows:
            rows = np.concatenate(rows)
            va = np.concatenate(va_all)
            L = np.concatenate(L_all)
            cur = np.concatenate(cur_all)
            keep = L > 0
            rows, va, L, cur = rows[keep], va[keep], L[keep], cur[keep]
            V = va[:, None] + L[:, None] * s_ts[None, :]
            W = L[:, None] * w_ts[None, :] * jumps.rho(V) * jumps.J(V)
            T = y[rows][:, None] - jumps.J(V)
            if cur.any():
                Tc = T[cur].ravel()
                B = lob.basis(np.clip((2 * Tc - a - b) / (b - a), -1, 1)).reshape(int(cur.sum()), n_ts, p + 1)
                np.add.at(A, rows[cur], np.einsum("kn,knj->kj", W[cur], B))
            if (~cur).any():
                Fk = F(np.maximum(T[~cur], 0.0).ravel()).reshape(int((~cur).sum()), n_ts)
                np.add.at(rhs, rows[~cur], np.einsum("kn,kn->k", W[~cur], Fk))
        A[np.arange(1, p + 1), np.arange(1, p + 1)] += jumps.tail
        F0 = f0 if m == 0 else F.values[m - 1, -1]
        M = np.diag(y) - A
        F.values[m, 0] = F0
        F.values[m, 1:] = np.linalg.solve(M[1:, 1:], rhs[1:] + A[1:, 0] * F0)
        cum += hw * (lob.Q[-1] @ F.values[m])
        big = np.abs(F.values[m]).max()
        if atom is None and big > 1e50:   # homogeneous: rescale (normalised at the top)
            F.values[:m + 1] /= big
            cum /= big
    if atom is None:
        F.values /= F.values[-1, -1]
    return F
