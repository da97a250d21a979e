"""Exact finite-n expectations of the attention weights for n i.i.d. scores of any law with a density.

The weights w_i = e^{βX_i}/Σ_j e^{βX_j} do not change when every score is shifted, so they are computed from the gaps
g_i = r − X_i below a reference level r: the top of the law when it is finite, and otherwise a truncation level b
with n P(X > b) ≤ 10^{−digits−5}; the keys above b (probability at most that bound) are given weight 0, which moves
any expectation of a weight functional by at most n P(X > b) (docs/score_laws.md §6). With v_i = β g_i and the
intensity ρ_n(v) dv = n f_g(v/β) dv/β of the points on [0, β g_end), the identities of docs/mathematics.md §8 hold
verbatim (1/T = ∫ e^{−tT} dt, 1/T² = ∫ t e^{−tT} dt, Frullani for log T):

    E Σ w²    = ∫ t² (1 − Φ_n/n)^{n−1} M_{e^{−2v}} ds,           E w_(1) = ∫ t I_1 ds    (s = log t),
    E Σ w v   = ∫ t (1 − Φ_n/n)^{n−1} M_{v e^{−v}} ds,           E log T = log C + ∫ (e^{−tC} − (1 − Φ_n/n)^n) ds,
    E H       = E Σ w v + E log T                               (H = −Σ w log w, since −log w_i = v_i + log T),

with Φ_n, M_g and I_1 the inner integrals of ``numerics.quadrature.campbell.sweep`` for the model
:class:`ScoreIntensity` (any C > 0 is exact in Frullani's identity; C = E T centres the integrand). This is the
**campbell** route, at any number of digits, for every law whose gap density the module knows in Arb: ``uniform``,
``beta:A,B``, ``sphere:D``, ``gaussian``, ``gumbel``, ``exponential``.

The **top** route (double precision, digits ≤ 9) conditions on the top score x: the other n − 1 scores are i.i.d.
below x, v = β(x − X), R = Σ e^{−v_j}, W_(1) = 1/(1 + R), and with L(u) = E[e^{−u e^{−v}} | X < x],
m_2(u) = E[e^{−2v} e^{−u e^{−v}} | X < x], m_v(u) = E[v e^{−v} e^{−u e^{−v}} | X < x],

    E[W_(1) | x]  = ∫ e^{−u} L^{n−1} du,
    E[Σ W² | x]   = ∫ u e^{−u} (L^{n−1} + (n − 1) L^{n−2} m_2) du,
    E[H | x]      = ∫ e^{−u} (n − 1) L^{n−2} m_v du + ∫ e^{−u} (1 − L^{n−1}) du/u,

averaged over the top with P(top > x) = 1 − F(x)^n, i.e. F(x)^n = e^{−w}, w ~ Exp(1) (docs/score_laws.md §6). It
serves the laws with an unbounded top (Gaussian, Gumbel, exponential; and the Fréchet laws ``pareto:A``,
``student:NU``, whose critical scale β_n = log n/(C n)^{1/a} puts the truncation level of the campbell route at
β b ~ 10^{20} gaps: out of reach of any quadrature in v).
"""
from __future__ import annotations

import dataclasses
import math
import time

import mpmath
import numpy as np
from flint import arb
from scipy import special

from attnlimits.numerics.precision import arb_digits, check_digits, precise, working_digits
from attnlimits.numerics.quadrature.campbell import mass_inverse, sweep
from attnlimits.numerics.quadrature.double_exponential import de_integrate, de_integrate_split, outer_log_integral
from attnlimits.numerics.quadrature.gauss_panels import to_mpf
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, choice, count, positive_real, to_mpf as checked_mpf

__all__ = ["ScoreFunctionals", "ScoreIntensity", "gap_law", "truncation_level", "score_finite", "score_finite_top",
           "top_key_v", "CAMPBELL_FAMILIES", "TOP_FAMILIES", "TOP_MAX_DIGITS", "ENTROPY_V_MAX"]

#: Families with a gap density in Arb (the campbell route, any digits).
CAMPBELL_FAMILIES = ("uniform", "beta", "sphere", "gaussian", "gumbel", "exponential")
#: Families with an unbounded top (the top route, double precision).
TOP_FAMILIES = ("gaussian", "gumbel", "exponential", "pareto", "student")
#: The top route is double precision: this many significant digits at most.
TOP_MAX_DIGITS = 9
#: The campbell route's E H: supported while the top key sits at v = β × gap <= this (docs/score_laws.md §6).
ENTROPY_V_MAX = 200


def _law(law):
    from attnlimits.theory.score_laws import ScoreLaw, score_law

    return law if isinstance(law, ScoreLaw) else score_law(law)


def _f(v) -> float:
    return float(mpmath.mpf(v)) if not isinstance(v, float) else v


# ---------------------------------------------------------------- gap laws (campbell route)


class _Gap:
    """The gap g = r − X ≥ 0 below the reference r (top or truncation level); ``g_end`` = r − (bottom) or None.

    Arb: ``logf(g, w)`` (w = g_end − g, passed separately so that either end keeps its digits), ``mass(g)`` =
    P(0 ≤ gap ≤ g). Floats (panel placement only): ``logf_f``, ``dlogf_f`` (d/dg), ``mass_f``, ``mass_inv_f``,
    ``log_far_f(g)`` = log P(gap > g), ``far_inv_f(q)``. ``mean_exp(β)`` = E[e^{−β gap}; gap ≥ 0] (mpf).
    """

    top_alpha = 1.0
    g_end = None
    total = 1.0

    def span_f(self, beta: float) -> float:
        """A gap beyond which ρ e^{−v} is negligible (unbounded bottoms)."""
        return float(self.g_end)


class _Uniform(_Gap):
    def __init__(self):
        self.r, self.g_end = mpmath.mpf(1), mpmath.mpf(1)

    def logf(self, g, w):
        return arb(0)

    def mass(self, g):
        return g if g < 1 else arb(1)

    def logf_f(self, g):
        return 0.0

    def dlogf_f(self, g):
        return 0.0

    def mass_f(self, g):
        return min(max(g, 0.0), 1.0)

    def mass_inv_f(self, p):
        return min(p, 1.0)

    def log_far_f(self, g):
        return math.log1p(-g) if g < 1 else -math.inf

    def far_inv_f(self, q):
        return -math.expm1(q)

    def mean_exp(self, beta):
        return -mpmath.expm1(-beta) / beta


class _Beta(_Gap):
    """gap = 1 − X ~ Beta(B, A)."""

    def __init__(self, A, B):
        self.r, self.g_end = mpmath.mpf(1), mpmath.mpf(1)
        self.A, self.B = A, B  # mpf
        self.Af, self.Bf = float(A), float(B)
        self.top_alpha = self.Bf
        self.lnB = None

    def logf(self, g, w):
        if self.lnB is None or self.lnB[1] != _prec():
            A, B = arb(self.A), arb(self.B)
            self.lnB = (A.lgamma() + B.lgamma() - (A + B).lgamma(), _prec())
        return (arb(self.B) - 1) * g.log() + (arb(self.A) - 1) * w.log() - self.lnB[0]

    def mass(self, g):
        if g >= 1:
            return arb(1)
        return g.beta_lower(arb(self.B), arb(self.A), regularized=True)

    def logf_f(self, g):
        return ((self.Bf - 1) * math.log(g) + (self.Af - 1) * math.log1p(-g) - special.betaln(self.Bf, self.Af)
                if 0 < g < 1 else -math.inf)

    def dlogf_f(self, g):
        return (self.Bf - 1) / g - (self.Af - 1) / (1 - g) if 0 < g < 1 else 0.0

    def mass_f(self, g):
        return float(special.betainc(self.Bf, self.Af, min(max(g, 0.0), 1.0)))

    def mass_inv_f(self, p):
        return 1.0 if p >= 1 else float(special.betaincinv(self.Bf, self.Af, p))

    def log_far_f(self, g):
        return math.log(max(float(special.betainc(self.Af, self.Bf, max(1 - g, 0.0))), 1e-320))

    def far_inv_f(self, q):
        return 1 - float(special.betaincinv(self.Af, self.Bf, math.exp(max(q, -700))))

    def mean_exp(self, beta):
        return mpmath.hyp1f1(self.B, self.A + self.B, -beta)


class _Sphere(_Gap):
    """gap = 1 − X = D, D/2 ~ Beta(a, a), a = (d − 1)/2 (docs/mathematics.md §2)."""

    def __init__(self, d):
        self.d = d
        self.a = mpmath.mpf(d - 1) / 2
        self.af = float(self.a)
        self.top_alpha = self.af
        self.r, self.g_end = mpmath.mpf(1), mpmath.mpf(2)
        self.c = None

    def logf(self, g, w):
        if self.c is None or self.c[1] != _prec():
            a = arb(self.a)
            self.c = ((1 - 2 * a) * arb(2).log() - (2 * a.lgamma() - (2 * a).lgamma()), _prec())
        return self.c[0] + (arb(self.a) - 1) * (g.log() + w.log())

    def mass(self, g):
        if g >= 2:
            return arb(1)
        return (g / 2).beta_lower(arb(self.a), arb(self.a), regularized=True)

    def logf_f(self, g):
        a = self.af
        if not 0 < g < 2:
            return -math.inf
        return (1 - 2 * a) * math.log(2) - special.betaln(a, a) + (a - 1) * (math.log(g) + math.log(2 - g))

    def dlogf_f(self, g):
        return (self.af - 1) * (1 / g - 1 / (2 - g)) if 0 < g < 2 else 0.0

    def mass_f(self, g):
        return float(special.betainc(self.af, self.af, min(max(g / 2, 0.0), 1.0)))

    def mass_inv_f(self, p):
        return 2.0 if p >= 1 else 2 * float(special.betaincinv(self.af, self.af, p))

    def log_far_f(self, g):
        return math.log(max(float(special.betainc(self.af, self.af, max(1 - g / 2, 0.0))), 1e-320))

    def far_inv_f(self, q):
        return 2 - 2 * float(special.betaincinv(self.af, self.af, math.exp(max(q, -700))))

    def mean_exp(self, beta):
        return mpmath.exp(-beta) * mpmath.hyp0f1(mpmath.mpf(self.d) / 2, beta * beta / 4)


class _Gaussian(_Gap):
    """gap = b − X, X ~ N(0, σ²), truncated at b."""

    def __init__(self, sigma, b):
        self.s, self.r = sigma, b
        self.sf, self.bf = float(sigma), float(b)
        self.pb = float(mpmath.ncdf(-b / sigma))
        self.total = 1 - self.pb

    def logf(self, g, w):
        s = arb(self.s)
        y = arb(self.r) - g
        return -(y * y) / (2 * s * s) - (s * (2 * arb.pi()).sqrt()).log()

    def mass(self, g):
        s2 = arb(self.s) * arb(2).sqrt()
        b = arb(self.r)
        return (((b - g) / s2).erfc() - (b / s2).erfc()) / 2

    def logf_f(self, g):
        y = (self.bf - g) / self.sf
        return -y * y / 2 - math.log(self.sf * math.sqrt(2 * math.pi))

    def dlogf_f(self, g):
        return (self.bf - g) / self.sf ** 2

    def mass_f(self, g):
        return float(special.ndtr(-(self.bf - g) / self.sf)) - self.pb

    def mass_inv_f(self, p):
        q = min(p + self.pb, 1 - 1e-16)
        return self.bf + self.sf * float(special.ndtri(q))

    def log_far_f(self, g):
        return float(special.log_ndtr((self.bf - g) / self.sf))

    def far_inv_f(self, q):
        lo, hi = -40.0, 40.0  # z with log Φ(z) = q, by bisection (q may be below the double range of e^q)
        while special.log_ndtr(lo) > q:
            lo *= 2
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if special.log_ndtr(mid) < q else (lo, mid)
        return self.bf - self.sf * lo

    def mean_exp(self, beta):
        s, b = self.s, self.r
        return mpmath.exp(-beta * b + (beta * s) ** 2 / 2) * mpmath.ncdf((b - beta * s * s) / s)


class _Gumbel(_Gap):
    """gap = b − X, X standard Gumbel (density e^{−x − e^{−x}}), truncated at b."""

    def __init__(self, b):
        self.r, self.bf = b, float(b)
        self.pb = -math.expm1(-math.exp(-self.bf))
        self.total = 1 - self.pb

    def logf(self, g, w):
        y = arb(self.r) - g
        return -y - (-y).exp()

    def mass(self, g):
        def sf(y):
            return -(-((-y).exp())).expm1()

        b = arb(self.r)
        return sf(b - g) - sf(b)

    def logf_f(self, g):
        y = self.bf - g
        return -y - math.exp(-y) if y > -700 else -math.inf

    def dlogf_f(self, g):
        y = self.bf - g
        return 1 - math.exp(min(-y, 700))

    def mass_f(self, g):
        y = self.bf - g
        return -math.expm1(-math.exp(min(-y, 700))) - self.pb

    def mass_inv_f(self, p):
        q = min(p + self.pb, 1 - 1e-16)
        return self.bf + math.log(-math.log1p(-q))

    def log_far_f(self, g):
        return -math.exp(min(-(self.bf - g), 700))

    def far_inv_f(self, q):
        return self.bf + math.log(-q)

    def mean_exp(self, beta):
        b = self.r
        return mpmath.exp(-beta * b) * mpmath.gammainc(1 - beta, mpmath.exp(-b))


class _Exponential(_Gap):
    """gap = b − X, X standard exponential on [0, ∞), truncated at b: gap ∈ [0, b]."""

    def __init__(self, b):
        self.r, self.g_end, self.bf = b, b, float(b)
        self.pb = math.exp(-self.bf)
        self.total = 1 - self.pb

    def logf(self, g, w):
        return -w

    def mass(self, g):
        b = arb(self.r)
        if g >= b:
            return 1 - (-b).exp()
        return (g - b).exp() - (-b).exp()

    def logf_f(self, g):
        return -(self.bf - g)

    def dlogf_f(self, g):
        return 1.0

    def mass_f(self, g):
        return math.exp(min(g, self.bf) - self.bf) - self.pb

    def mass_inv_f(self, p):
        return min(self.bf + math.log(p + self.pb), self.bf)

    def log_far_f(self, g):
        y = self.bf - g
        return math.log(-math.expm1(-y)) if y > 0 else -math.inf

    def far_inv_f(self, q):
        return self.bf + math.log1p(-math.exp(q))

    def mean_exp(self, beta):
        b = self.r
        if beta == 1:
            return b * mpmath.exp(-b)
        return (mpmath.exp(-b) - mpmath.exp(-beta * b)) / (beta - 1)


def _prec():
    from flint import ctx

    return ctx.prec


def truncation_level(law, n, digits: int = 15):
    """The level b with n P(X > b) ≤ 10^{−digits−5} (unbounded tops), or the top of the law (mpf).

    Gaussian: P(X > b) = erfc(b/(σ√2))/2; Gumbel: 1 − exp(−e^{−b}); exponential: e^{−b}.

    >>> import mpmath
    >>> b = truncation_level("exponential", 10 ** 6, 15)   # e^{−b} = 10^{−26}: b = 26 log 10 = 59.867…
    >>> mpmath.nstr(b, 6), truncation_level("beta:2,3", 100)
    ('59.8672', mpf('1.0'))
    """
    law = _law(law)
    n = count(n, "n")
    digits = check_digits(digits)
    lg = mpmath.log(n) + (digits + 5) * mpmath.log(10)  # −log of the admitted P(X > b)
    fam = law.family
    if fam == "exponential":
        return lg
    if fam == "gumbel":
        return -mpmath.log(-mpmath.log1p(-mpmath.exp(-lg)))
    if fam == "gaussian":
        s = mpmath.mpf(law.param("SIGMA"))
        z = mpmath.sqrt(2 * lg)
        for _ in range(60):  # Newton on log Φ̄(z) = −lg (log-concave: monotone convergence from above)
            lsf = mpmath.log(mpmath.ncdf(-z))
            z -= (lsf + lg) / (-mpmath.npdf(z) / mpmath.ncdf(-z))
        return s * (z + mpmath.mpf("1e-6"))
    if law.top.is_finite:
        return mpmath.mpf(law.top)
    raise InputError(f"law {law.spec} has a power-law top: no truncation level serves (use the top route)")


def gap_law(law, n=1, digits: int = 15):
    """The gap law of the campbell route for ``law`` (an internal description, exposed for tests).

    >>> g = gap_law("sphere:3")
    >>> round(g.mass_f(0.5), 12), g.top_alpha   # D uniform on [0, 2]
    (0.25, 1.0)
    """
    law = _law(law)
    n = count(n, "n")
    digits = check_digits(digits)
    fam = law.family
    if law.density is None:
        raise InputError(f"law {law.spec} has no density ({law.note}): exact finite n needs one")
    if fam not in CAMPBELL_FAMILIES:
        raise InputError(f"law {law.spec} has no gap density in Arb: the campbell route serves "
                         f"{', '.join(CAMPBELL_FAMILIES)}")
    with mpmath.workdps(max(mpmath.mp.dps, digits + 20)):
        if fam == "uniform":
            return _Uniform()
        if fam == "beta":
            return _Beta(mpmath.mpf(law.param("A")), mpmath.mpf(law.param("B")))
        if fam == "sphere":
            return _Sphere(int(law.param("D")))
        b = truncation_level(law, n, digits)
        if fam == "exponential":
            return _Exponential(b)
        gap = _Gaussian(mpmath.mpf(law.param("SIGMA")), b) if fam == "gaussian" else _Gumbel(b)
        # the bottom is cut too, where n P(X < r − g_end) = 10^{−digits−5}: the panels of the sweep then end
        # (a key below the cut would have weight e^{−β g_end} relative to the top, and counts as absent)
        q = -float(mpmath.log(n) + (digits + 5) * mpmath.log(10))
        gap.g_end = mpmath.mpf(gap.far_inv_f(q))
        return gap


class ScoreIntensity:
    """ρ_n(v) = (n/β) f_g(v/β) on [0, β g_end): n scores of a gap law, v = β (r − X); the model of ``sweep``.

    It provides what ``numerics.quadrature.campbell.sweep`` reads: ``rho``, ``rho_sq`` (v = h s², from the top),
    ``rho_sq_end`` (v = v_end − h s²), ``dlogrho``, ``peak``, ``width``, ``mass``, ``mass_float``, ``mass_inverse``,
    ``mass_inverse_float``, and ``finite``, ``n``, ``n_int``, ``alpha``, ``v_end``.

    Uniform scores on [0, 1] at β = 2, n = 5: ρ = 5/2 on [0, 2], mass(1) = 5/2:

    >>> import mpmath
    >>> from flint import arb
    >>> m = ScoreIntensity(gap_law("uniform"), 5, arb(2))
    >>> mpmath.nstr(to_mpf(m.rho(arb("0.3"))), 15), mpmath.nstr(to_mpf(m.mass(arb(1))), 15)
    ('2.5', '2.5')
    """

    finite = True

    def __init__(self, gap, n: int, beta):
        self.gap = gap
        self.n = arb(n)
        self.n_int = n
        self.beta = beta
        self.bf = float(beta.mid())
        self.alpha = arb(gap.top_alpha)
        self.logc = self.n.log() - beta.log()
        self.v_end = None if gap.g_end is None else beta * arb(gap.g_end)
        self._peak = None

    def _logrho(self, v, d_end=None):
        g = v / self.beta
        w = None
        if self.v_end is not None:
            w = (d_end if d_end is not None else self.v_end - v) / self.beta
        return self.logc + self.gap.logf(g, w)

    def rho(self, v):
        return self._logrho(v).exp()

    def rho_sq(self, h, s):
        """ρ(v) dv/ds for v = h s²."""
        return self._logrho(h * s * s).exp() * (2 * h * s)

    def rho_sq_end(self, h, s):
        """ρ(v) dv/ds for v = v_end − h s² (the far end of the range)."""
        d = h * s * s
        return self._logrho(self.v_end - d, d).exp() * (2 * h * s)

    def dlogrho(self, v: float) -> float:
        if v <= 0 or (self.v_end is not None and v >= float(self.v_end.mid())):
            return 0.0
        return self.gap.dlogf_f(v / self.bf) / self.bf

    def _logrho_f(self, v):
        return self.gap.logf_f(v / self.bf) - v

    def peak(self) -> float:
        """Where ρ_n(v) e^{−v} is largest (a grid in log v and v, refined by golden sections)."""
        if self._peak is None:
            hi = self.bf * self.gap.span_f(self.bf)
            hi = min(hi, float(self.v_end.mid())) if self.v_end is not None else hi
            grid = np.unique(np.concatenate([np.linspace(0, hi, 801)[1:-1], np.geomspace(hi * 1e-12, hi, 400)[:-1]]))
            vals = [self._logrho_f(v) for v in grid]
            j = int(np.argmax(vals))
            a, b = grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]
            gr = (math.sqrt(5) - 1) / 2
            for _ in range(80):
                c, d = b - gr * (b - a), a + gr * (b - a)
                if self._logrho_f(c) > self._logrho_f(d):
                    b = d
                else:
                    a = c
            p = (a + b) / 2
            self._peak = 0.0 if (j == 0 and self._logrho_f(grid[0]) >= self._logrho_f(p)) else p
        return self._peak

    def width(self) -> float:
        """Gaussian width 1/sqrt(−(log ρ)'') of ρ_n e^{−v} at its peak; at least 1."""
        p = self.peak()
        h = max(1e-4 * max(p, 1.0), 1e-6)
        lo = max(p - h, h / 2)
        f0, f1, f2 = self._logrho_f(lo), self._logrho_f(lo + h), self._logrho_f(lo + 2 * h)
        c = (f2 - 2 * f1 + f0) / (h * h)
        if not math.isfinite(c) or c >= 0:
            return 1.0
        return max(1 / math.sqrt(-c), 1.0)

    def typical_log_t(self) -> float:
        """s = log t where Φ_n(t) = 1, the centre of the outer integrand (float).

        Φ_n(e^s) ≈ mass(s) + e^s ∫_s ρ e^{−v} dv. Not −log E T: when a few rare keys near the top dominate E T
        (the Gumbel domain at c > 1), the typical T is far below its mean.
        """
        V = float(self.v_end.mid()) if self.v_end is not None else self.mass_inverse_float(float(self.n_int))
        # Φ_n ≥ mass, so Φ_n = 1 before the mass reaches 1: a fine grid up to there, a geometric one beyond
        V1 = min(V, 1.01 * self.mass_inverse_float(min(1.0, 0.5 * self.n_int)) + 1.0)
        v = np.linspace(0.0, V1, 10001)[1:]
        if V > V1:
            v = np.concatenate([v, V1 + np.geomspace(1e-3, V - V1, 2000)])
        lr = np.array([self.gap.logf_f(x / self.bf) for x in v]) + math.log(self.n_int / self.bf) - v
        # log ∫_v^V ρ e^{−u} du (trapezoids in log space), accumulated from the right
        seg = np.logaddexp(lr[:-1], lr[1:]) + np.log(np.diff(v) / 2)
        tail = np.append(np.logaddexp.accumulate(seg[::-1])[::-1], -np.inf)
        mass = np.array([self.mass_float(x) for x in v])
        with np.errstate(over="ignore"):
            phi = mass + np.exp(np.minimum(v + tail, 700.0))
        j = int(np.searchsorted(phi, 1.0)) if phi[-1] >= 1 else len(v) - 1
        return float(v[min(j, len(v) - 1)])

    def mass(self, v0):
        """∫_0^{v0} ρ_n = n P(0 ≤ gap ≤ v0/β)."""
        if v0 <= 0:
            return arb(0)
        if self.v_end is not None and v0 >= self.v_end:
            return self.n * self.gap.mass(arb(self.gap.g_end))
        return self.n * self.gap.mass(v0 / self.beta)

    def mass_float(self, v: float) -> float:
        return float(self.n_int) * self.gap.mass_f(v / self.bf) if v > 0 else 0.0

    def mass_inverse_float(self, m: float) -> float:
        p = m / float(self.n_int)
        if p >= self.gap.total:
            return self.bf * self.gap.far_inv_f(-700.0)
        return self.bf * self.gap.mass_inv_f(p)

    def mass_inverse(self, m):
        """v0 with mass(v0) = m (bisection; m below the total mass)."""
        hi = self.v_end if self.v_end is not None else arb(self.mass_inverse_float(float(self.n_int)))
        return mass_inverse(self.mass, m, hi)


# ---------------------------------------------------------------- the result


@dataclasses.dataclass(frozen=True)
class ScoreFunctionals(Result):
    """Exact finite-n expectations for n i.i.d. scores of one law at inverse temperature β (mpmath numbers).

    - ``law``: the law's name; ``n``; ``beta``; ``route``: ``"campbell"`` or ``"top"``.
    - ``E_W1``: E w_(1); ``E_sum_W2``: E Σ w²; ``E_entropy``: E H, H = −Σ w log w;
      ``E_sum_Wv``, ``E_log_T``: its two parts in the gaps below the reference (campbell route).
    - ``truncation``: the level b of an unbounded top (campbell route), ``truncation_bound``: n P(X > b), a bound
      on the error it makes; ``None`` for a finite top.
    - ``outer_nodes``, ``outer_error``: the outer double-exponential integral; ``seconds``: wall time.

    >>> r = ScoreFunctionals(law="uniform", n=1, beta=mpmath.mpf(2), E_W1=mpmath.mpf(1))
    >>> r.to_json(5, skip_none=True)
    {'law': 'uniform', 'n': 1, 'beta': '2.0000', 'E_W1': '1.0000'}
    """

    law: str
    n: int
    beta: object
    route: str | None = None
    E_W1: object = None
    E_sum_W2: object = None
    E_entropy: object = None
    E_sum_Wv: object = None
    E_log_T: object = None
    truncation: object = None
    truncation_bound: object = None
    outer_nodes: int | None = None
    outer_error: object = None
    seconds: float | None = None


WHICH = ("E_W1", "E_sum_W2", "E_entropy")


def _which(which):
    which = tuple(which)
    for w in which:
        choice(w, "which", WHICH)
    if not which:
        raise InputError("which must name at least one of E_W1, E_sum_W2, E_entropy")
    return which


# ---------------------------------------------------------------- the campbell route


@precise
def score_finite(law, n, beta, digits: int = 15, *, which=WHICH, route=None) -> ScoreFunctionals:
    """Exact E w_(1), E Σ w² and E H for n i.i.d. scores of ``law`` at inverse temperature β (module docstring).

    ``route``: ``"campbell"`` (default where the law has an Arb gap density) or ``"top"`` (unbounded tops;
    ``digits`` ≤ :data:`TOP_MAX_DIGITS`). Returns a :class:`ScoreFunctionals`.

    Two uniform scores: w_(1) = 1/(1 + e^{−β Z}), Z = |X_1 − X_2| with the density 2(1 − z) on [0, 1]:

    >>> import mpmath
    >>> r = score_finite("uniform", 2, 3, digits=12)
    >>> ref = mpmath.quad(lambda z: 2 * (1 - z) / (1 + mpmath.exp(-3 * z)), [0, 1])
    >>> mpmath.nstr(r.E_W1, 12), mpmath.nstr(ref, 12)
    ('0.709743282535', '0.709743282535')
    """
    law = _law(law)
    n = count(n, "n")
    positive_real(beta, "beta")
    which = _which(which)
    if law.density is None:
        raise InputError(f"law {law.spec} has no density ({law.note}): exact finite n needs one")
    if law.family == "norm-sphere":
        raise InputError(f"exact finite n is not available for {law.spec}: its density is itself an integral over the "
                         f"norm; its domain, exponent and limit values are (no n), and sphere:D gives exact finite n "
                         f"for unit norms")
    if route is None:
        route = "campbell" if law.family in CAMPBELL_FAMILIES else "top"
    choice(route, "route", ("campbell", "top"))
    if route == "top":
        return _top_checked(law, n, beta, digits, which)
    if law.family not in CAMPBELL_FAMILIES:
        raise InputError(f"law {law.spec}: the campbell route serves {', '.join(CAMPBELL_FAMILIES)}; "
                         f"use route='top'")
    _check_range(law, n, beta)
    if n == 1:  # one key carries all the weight
        return _one_key(law, beta, which, "campbell")
    if "E_entropy" in which:
        v1 = top_key_v(law, n, beta)
        if v1 > ENTROPY_V_MAX:
            raise InputError(f"E_entropy of {law.spec} at n = {n}, beta = {beta}: the top key sits at v = beta x gap "
                             f"= {v1:.3g}, beyond the supported v <= {ENTROPY_V_MAX} (deep in the supercritical regime "
                             f"E H ~ log v/v is the difference of two parts of size v, and its outer integral needs "
                             f"thousands of nodes); E_W1 and E_sum_W2 are computed there")
    spec, b_given = law.spec, checked_mpf(beta)
    sigma = law.param("SIGMA") if law.family == "gaussian" else 1
    law, beta = _standardized(law, b_given)
    r = _campbell(law, n, beta, digits, which)
    if r.truncation is not None and sigma != 1:  # back to the user's units
        r = dataclasses.replace(r, truncation=r.truncation * checked_mpf(str(sigma)))
    return dataclasses.replace(r, law=spec, beta=b_given)


def _one_key(law, beta, which, route):
    one = {"E_W1": mpmath.mpf(1), "E_sum_W2": mpmath.mpf(1), "E_entropy": mpmath.mpf(0)}
    return ScoreFunctionals(law=law.spec, n=1, beta=checked_mpf(beta), route=route, **{k: one[k] for k in which},
                            seconds=0.0)


def _standardized(law, beta):
    """N(0, σ²) scores at β are N(0, 1) scores at βσ (the weights see β X only)."""
    if law.family == "gaussian" and law.param("SIGMA") != 1:
        from attnlimits.theory.score_laws import score_law

        return score_law("gaussian"), beta * checked_mpf(str(law.param("SIGMA")))
    return law, beta


def _check_range(law, n, beta):
    """Refuse up front what the campbell route cannot finish (docs/score_laws.md §6)."""
    if law.family == "beta":
        for name in ("A", "B"):
            v = law.param(name)
            if (2 * v).q != 1 and v < 8:
                raise InputError(f"exact finite n of {law.spec} needs 2A and 2B integers or >= 8, got {name} = {v}: "
                                 f"the sweep's first panels in sqrt(v) carry v^({name} - 1/2) exactly only then (5 of "
                                 f"15 digits at {name} = 0.7); the limit values (no --n) cover every A, B")
    if n > 10 ** 300:
        raise InputError(f"n = {n} is out of range for exact finite n: n <= 1e300 (the sweep places its panels in "
                         f"double precision)")
    with mpmath.workdps(30):
        b = checked_mpf(beta)
        if law.family == "gaussian":  # the weights depend on beta sigma only
            b *= mpmath.mpf(law.param("SIGMA"))
    what = "beta sigma" if law.family == "gaussian" else "beta"
    if b > mpmath.mpf(10) ** 300:
        raise InputError(f"{what} = {mpmath.nstr(b, 6)} is out of range for exact finite n of {law.spec}: the gap of "
                         f"the top key times beta must stay below 1e12")
    std = law if law.family != "gaussian" else _standardized(law, 1)[0]
    gap = gap_law(std, n, 15)
    g1 = gap.mass_inv_f(min(1.0 / n, 0.5))  # the typical gap of the top key below the reference
    spread = float(gap.g_end)
    v1, vs = float(b) * g1, float(b) * spread
    if v1 > 1e12:
        raise InputError(f"{what} = {mpmath.nstr(b, 6)} is out of range for exact finite n of {law.spec} at n = {n}: "
                         f"it puts the top key at v = beta gap = {v1:.2g}, beyond the sweep's range v <= 1e12 (its "
                         f"panels are placed in double precision)")
    if vs < 1e-12:
        raise InputError(f"{what} = {mpmath.nstr(b, 6)} is out of range for exact finite n of {law.spec}: "
                         f"1e-12 <= beta x (spread of the scores) = {vs:.2g} is needed (below, every weight is 1/n "
                         f"to more digits than the sweep's double-precision panel placement resolves)")


def top_key_v(law, n, beta) -> float:
    """v_1 = β × the typical gap of the top key below the reference (float): n P(gap <= v_1/β) = 1 (or 1/2).

    >>> round(top_key_v("uniform", 2, 1000), 6)   # P(gap <= g) = g: the median of the top gap of two, 1 − 1/√2
    292.893219
    """
    law = _law(law)
    n = count(n, "n")
    positive_real(beta, "beta")
    std, b = (law, checked_mpf(beta)) if law.family != "gaussian" else _standardized(law, checked_mpf(beta))
    with mpmath.workdps(20):
        g0 = gap_law(std, n, 15)
        if n == 2:
            return float(b) * g0.mass_inv_f(1 - 1 / math.sqrt(2))
        return float(b) * g0.mass_inv_f(min(1.0 / n, 0.5))


def _campbell(law, n, beta, digits, which):
    """The campbell route; E H = E Σ w v + E log T loses log10(|E Σ w v|/|E H|) digits to cancellation, so the
    parts are integrated to that many more digits: first log10 v_1 (v_1 = β × the gap of the top key, the size of
    each part), then, if E H came out smaller than that allowed for (in the supercritical regime E H ~
    log v_1/v_1), once more with the measured loss."""
    extra = 0
    if "E_entropy" in which:
        v1 = top_key_v(law, n, beta)
        extra = max(0, int(math.ceil(math.log10(max(v1, 1.0)))))
    r = _campbell_once(law, n, beta, digits, which, extra)
    if r.E_entropy is not None and r.E_entropy != 0:
        loss = float(mpmath.log10(abs(r.E_sum_Wv) / abs(r.E_entropy))) if r.E_sum_Wv else 0.0
        if loss > extra:
            r2 = _campbell_once(law, n, beta, digits, which, min(int(math.ceil(loss)) + 1, 40))
            r = dataclasses.replace(r2, seconds=r.seconds + r2.seconds)
    return r


def _campbell_once(law, n, beta, digits, which, extra):
    t0 = time.perf_counter()
    want_w1, want_w2, want_h = ("E_W1" in which), ("E_sum_W2" in which), ("E_entropy" in which)
    # 8 digits beyond the gate's: the power exp((n − 1) log1p(−x)), x = (Φ + A)/n, matters only where (n − 1) x is
    # below prec ln 2 + 25 (a few hundred), and its exponent carries the relative error of Φ + A times that
    guard = 8 + extra
    with working_digits(digits + guard), arb_digits(digits + guard):
        b = checked_mpf(beta)
        gap = gap_law(law, n, digits)
        model = ScoreIntensity(gap, n, arb(b))
        ET = n * gap.mean_exp(b)
        c_mean = -mpmath.log(ET)
        c = mpmath.mpf(model.typical_log_t()) if n > 1 else c_mean
        # Frullani's constant: e^{−c}, the typical T, so that e^{−tC} and (1 − Φ/n)^n step down together (E T
        # itself is far above the typical T when rare keys near the top dominate it)
        logC = -c
        C = arb(mpmath.exp(logC))

        def integrand(s):
            tt = arb(mpmath.exp(s))
            r = sweep(model, tt, k_max=1 if want_w1 else 0)
            x = r["Phi"] / n
            ok = (1 - x > 0) and float((1 - x).mid()) > 1e-30 * float(x.mid())
            lg = (-x).log1p() if ok else None
            pw = ((n - 1) * lg).exp() if (ok and n > 1) else (arb(1) if n == 1 else arb(0))
            out = [tt * tt * pw * r["M2"] if want_w2 else arb(0), tt * r["I"][0] if want_w1 else arb(0)]
            if want_h:
                # e^{−tC} − (1 − Φ/n)^n: as −e^{−tC} expm1(n log1p(−Φ/n) + tC) while tC < 1 (no cancellation at
                # small t), as the plain difference beyond (where tC itself would swamp the exponent's digits)
                tC = tt * C
                if not ok:
                    full = (-tC).exp()
                elif tC < 1:
                    full = (-tC).exp() * (-((n * lg + tC).expm1()))
                else:
                    full = (-tC).exp() - (n * lg).exp()
                out += [tt * pw * r["Mv"], full]
            return [to_mpf(y) for y in out]

        bits = mpmath.mp.prec
        lo = min(c, c_mean, mpmath.mpf(0)) - (bits * math.log(2) + 20)
        need = bits * math.log(2) + 25
        c0 = math.log(bits * math.log(2) + 30)
        if n > need and model.mass_float(model.mass_inverse_float(need)) < 0.999 * n:
            hi = mpmath.mpf(model.mass_inverse_float(need)) + c0 + 6
        else:
            # the power (E e^{−tY})^{n−1} is below e^{−need} once P(gap > v/β)^{n} is
            v_far = model.bf * gap.far_inv_f(-need / n)
            hi = mpmath.mpf(v_far) + mpmath.log(need) + 6
        hi = max(hi, c + 10)
        edge = (model.v_end is not None and hi > to_mpf(model.v_end)
                and n * gap.log_far_f(float(gap.g_end) - 5 / model.bf) > -bits * math.log(2))
        # keys within a few units of v = 0 (the top, or the truncation level) put a step into the integrand near
        # −log E T; where they are likelier than the tolerance and s* is far from there, log(1/T) spreads from
        # −log E T over s* (to the far end of the support when all n keys can lie there): each gets its own
        # cluster of nodes, as in finite_n. In the Gumbel domain at c > 1 such keys have probability 1e-20 (the
        # truncation) and the single centre s* serves
        near_top = model.mass_float(5.0) > 10.0 ** (-digits - 2)
        split_mean = c - c_mean > 10 and near_top
        if split_mean or hi - c > 3 * (c - lo) or edge:
            centers = sorted({c_mean, c} if split_mean else {c})
            if edge:
                centers.append(to_mpf(model.v_end))
            r = de_integrate_split(integrand, centers=centers, lo=lo, hi=hi, digits=digits + 2 + extra)
        else:
            r = outer_log_integral(integrand, c, lo, hi, digits + 2 + extra)
        vals = r.value
        sum_wv = log_t = ent = None
        if want_h:
            sum_wv = vals[2]
            log_t = logC + vals[3]
            ent = sum_wv + log_t
        bound = None
        trunc = None
        if not law.top.is_finite:
            trunc = gap.r
            bound = _truncation_bound(law, n, gap)
        return ScoreFunctionals(
            law=law.spec, n=n, beta=b, route="campbell",
            E_W1=vals[1] if want_w1 else None, E_sum_W2=vals[0] if want_w2 else None, E_entropy=ent,
            E_sum_Wv=sum_wv, E_log_T=log_t, truncation=trunc, truncation_bound=bound,
            outer_nodes=r.nodes, outer_error=r.error, seconds=time.perf_counter() - t0)


def _truncation_bound(law, n, gap):
    """n (P(X > b) + P(X < b − g_end)): the probability that a key falls outside the modelled range."""
    b, fam = gap.r, law.family
    if fam == "gaussian":
        s = mpmath.mpf(law.param("SIGMA"))
        return n * (mpmath.ncdf(-b / s) + mpmath.ncdf((b - gap.g_end) / s))
    if fam == "gumbel":
        return n * (-mpmath.expm1(-mpmath.exp(-b)) + mpmath.exp(-mpmath.exp(gap.g_end - b)))
    return n * mpmath.exp(-b)


# ---------------------------------------------------------------- the top route (double precision)


class _TopLaw:
    """Float description of a law with an unbounded top: log density, upper quantile, lower end, panel breaks."""

    def __init__(self, law):
        self.family = law.family
        fam = law.family
        if fam == "gaussian":
            self.s = float(law.param("SIGMA"))
            self.lo = -math.inf
        elif fam == "gumbel":
            self.lo = -math.inf
        elif fam == "exponential":
            self.lo = 0.0
        elif fam == "pareto":
            self.a = float(law.param("A"))
            self.lo = 1.0
        elif fam == "student":
            self.nu = float(law.param("NU"))
            self.lo = -math.inf
            self.lc = (special.gammaln((self.nu + 1) / 2) - special.gammaln(self.nu / 2)
                       - 0.5 * math.log(self.nu * math.pi))
        else:
            raise InputError(f"law {law.spec}: the top route serves the laws with an unbounded top, "
                             f"{', '.join(TOP_FAMILIES)}")

    def logpdf(self, y):
        fam = self.family
        if fam == "gaussian":
            z = y / self.s
            return -z * z / 2 - math.log(self.s * math.sqrt(2 * math.pi))
        if fam == "gumbel":
            return -y - np.exp(-y)
        if fam == "exponential":
            return -y
        if fam == "pareto":
            return math.log(self.a) - (self.a + 1) * np.log(y)
        return self.lc - (self.nu + 1) / 2 * np.log1p(y * y / self.nu)

    def isf(self, p):
        """x with P(X > x) = p (p may be tiny)."""
        fam = self.family
        if fam == "gaussian":
            return -self.s * float(special.ndtri(p))
        if fam == "gumbel":
            return -math.log(-math.log1p(-p))
        if fam == "exponential":
            return -math.log(p)
        if fam == "pareto":
            return p ** (-1 / self.a)
        return float(special.stdtrit(self.nu, 1 - p)) if p > 1e-10 else self._student_isf(p)

    def ppf(self, q):
        """x with P(X < x) = q (the lower half: q >= 1/2 is :meth:`isf`'s)."""
        fam = self.family
        if fam == "gaussian":
            return self.s * float(special.ndtri(q))
        if fam == "gumbel":
            return -math.log(-math.log(q))
        if fam == "exponential":
            return -math.log1p(-q)
        if fam == "pareto":
            return (-math.expm1(math.log(q))) ** (-1 / self.a)
        return float(special.stdtrit(self.nu, q))

    def quantile_top(self, w, n):
        """The top score at F(x)^n = e^{−w}: x = F^{−1}(e^{−w/n}), from whichever tail keeps the digits."""
        p = -math.expm1(-w / n)
        return self.isf(p) if p < 0.5 else self.ppf(math.exp(-w / n))

    def _student_isf(self, p):
        # P(T > x) ~ C x^{−ν}: start there, then Newton on log sf in log x
        C = math.exp(self.lc + (self.nu - 1) / 2 * math.log(self.nu)) / self.nu * self.nu
        x = (C / (p * self.nu)) ** (1 / self.nu)
        for _ in range(50):
            sf = float(special.stdtr(self.nu, -x))
            f = math.exp(self.logpdf(x))
            step = (math.log(sf) - math.log(p)) / (f * x / sf)
            x *= math.exp(step)
            if abs(step) < 1e-15:
                break
        return x

    def breaks(self, lo, hi):
        """Break points on [lo, hi] at the law's own scale (geometric for power tails, σ/4 for the Gaussian)."""
        fam = self.family
        if fam == "pareto" or (fam == "student" and lo > 0):
            a = max(lo, 1.0 if fam == "pareto" else lo)
            return np.geomspace(a, hi, max(int(math.log(hi / a) / math.log(1.2)), 1) + 1) if hi > a else np.array([])
        step = (self.s / 4) if fam == "gaussian" else (0.5 if fam != "student" else 0.25)
        if fam == "student":
            # |y| below 1 on a grid of 1/4, beyond geometrically on both sides
            inner = np.arange(max(lo, -1.0), min(hi, 1.0) + 1e-12, step)
            left = -np.geomspace(1.0, -lo, max(int(math.log(-lo) / math.log(1.2)), 1) + 1) if lo < -1 else np.array([])
            right = np.geomspace(1.0, hi, max(int(math.log(hi) / math.log(1.2)), 1) + 1) if hi > 1 else np.array([])
            return np.concatenate([left, inner, right])
        return np.arange(lo, hi, step)

    def bulk_low(self, beta, x):
        """A level below which neither the density nor the tilted density e^{βy} f(y) matters (e^{−60})."""
        fam = self.family
        if fam == "gaussian":
            return min(-40 * self.s, beta * self.s ** 2 - 40 * self.s)
        if fam == "gumbel":
            return -math.log(70.0)
        if fam == "student":
            return -(math.exp(60 / max(self.nu, 0.05)) * 10)
        return self.lo


_GL10 = np.polynomial.legendre.leggauss(10)


def _gl(edges):
    x, w = _GL10
    a, b = np.asarray(edges[:-1]), np.asarray(edges[1:])
    mid, half = (a + b) / 2, (b - a) / 2
    return (mid[:, None] + half[:, None] * x[None]).ravel(), (half[:, None] * w[None]).ravel()


def _given_top(tl: _TopLaw, n: int, beta: float, x: float, F: float, which):
    """E[W_(1)], E[Σ W²], E[H] given the top score x (the other n − 1 below x; F = P(X < x))."""
    v_cut = 48.0
    lo = max(tl.bulk_low(beta, x), tl.lo)
    # break points: the law's own scale, and unit steps in v = β(x − y) near the top
    vb = np.arange(0.0, v_cut + 60.0, 0.5)
    yb = x - vb / beta
    br = np.concatenate([tl.breaks(lo, x), yb, [lo, x]])
    br = np.unique(br[np.isfinite(br) & (br >= lo) & (br <= x)])
    y, wy = _gl(br)
    with np.errstate(over="ignore"):
        v = np.minimum(beta * (x - y), 1e300)  # a gap beyond 1e300 has weight 0 whatever it is
    logf = tl.logpdf(y)
    near = v < v_cut
    fw = np.exp(logf) * wy
    # beyond v_cut, 1 − exp(−u e^{−v}) = u e^{−v} to a relative e^{−44} for u ≤ e^{4}: moments suffice there
    far = near == False  # noqa: E712 - elementwise
    vf = v[far]
    ef = np.exp(-vf)
    M1 = float(np.sum(fw[far] * ef))
    M2 = float(np.sum(fw[far] * ef * ef))
    Mv = float(np.sum(fw[far] * np.where(vf < 800, vf, 0.0) * ef))
    vn, fn = v[near], fw[near]
    en = np.exp(-vn)
    # u from below the scale where (n − 1) u E[e^{−v}] matters to e^4 (e^{−u} < 1e-23), unit panels in log u
    m1_all = M1 + float(np.sum(fn * en))
    lu_lo = -40.0 - math.log(max(1.0, (n - 1) * m1_all / F))
    lu, wlu = _gl(np.linspace(lu_lo, 4.0, int(math.ceil(4.0 - lu_lo)) + 1))
    u = np.exp(lu)
    wu = wlu * u
    K = -np.expm1(-u[:, None] * en[None, :])
    psi = K @ fn + u * M1
    # log L = log1p(−ψ/F) directly: at n = 10^20 the ψ that matters is 10^{−20}, below the resolution of 1 − ψ/F
    with np.errstate(divide="ignore"):
        lL = np.log1p(-np.minimum(psi / F, 1.0))
    Ln1 = np.exp((n - 1) * lL)
    Ln2 = np.exp((n - 2) * lL) if n > 2 else np.ones_like(lL)
    eu = np.exp(-u)
    out = {}
    if "E_W1" in which:
        out["E_W1"] = float(np.sum(wu * eu * Ln1))
    if "E_sum_W2" in which:
        E2 = np.exp(-u[:, None] * en[None, :])
        m2 = (E2 * (en * en)[None, :]) @ fn + M2
        out["E_sum_W2"] = float(np.sum(wu * u * eu * (Ln1 + (n - 1) * Ln2 * m2 / F)))
    if "E_entropy" in which:
        E2 = np.exp(-u[:, None] * en[None, :])
        mv = (E2 * (vn * en)[None, :]) @ fn + Mv
        part1 = float(np.sum(wu * eu * (n - 1) * Ln2 * mv / F))
        part2 = float(np.sum(wlu * eu * (-np.expm1((n - 1) * lL))))  # ∫ e^{−u}(1 − L^{n−1}) du/u in log u
        out["E_entropy"] = part1 + part2
    return out


def _top_checked(law, n, beta, digits, which):
    if digits > TOP_MAX_DIGITS:
        raise InputError(f"exact finite n of {law.spec} comes from the double-precision top route: digits must be "
                         f"<= {TOP_MAX_DIGITS}, got {digits}")
    if n < 2:
        return _one_key(law, beta, which, "top")
    spec, b_given = law.spec, checked_mpf(beta)
    law, beta = _standardized(law, b_given)
    r = _top(law, n, beta, digits, which)
    return dataclasses.replace(r, law=spec, beta=b_given)


def _top(law, n, beta, digits, which):
    t0 = time.perf_counter()
    tl = _TopLaw(law)
    b = float(checked_mpf(beta))
    keys = list(which)

    def integrand(s):
        # s = log w, the top at F(x)^n = e^{−w}: P(X > x) = 1 − e^{−w/n}
        w = math.exp(float(s))
        if w > 60 or w < 1e-300:  # e^{−w} w below 1e-24 above 60; the top beyond every double below
            return [mpmath.mpf(0)] * len(keys)
        x = tl.quantile_top(w, n)
        F = math.exp(-w / n)
        r = _given_top(tl, n, b, x, F, which)
        f = w * math.exp(-w)
        return [mpmath.mpf(f * r[k]) for k in keys]

    with mpmath.workdps(20):
        # s = log w from −60 (the tops above carry probability e^{−60}) to log 60 (e^{−60} again), unit scale at
        # w = 1 where the weights change (the Fréchet edge at w = c^a has width a/log n in s)
        r = de_integrate(integrand, center=0, a_left=1, a_right=1, x_left=mpmath.log(121),
                         x_right=mpmath.log(2 * math.log(60) + 1), digits=digits, max_halvings=8)
    vals = dict(zip(keys, r.value))
    return ScoreFunctionals(law=law.spec, n=n, beta=checked_mpf(beta), route="top", **vals,
                            outer_nodes=r.nodes, outer_error=r.error, seconds=time.perf_counter() - t0)


@precise
def score_finite_top(law, n, beta, digits: int = 9, *, which=WHICH) -> ScoreFunctionals:
    """The top route alone (module docstring): double precision, ``digits`` ≤ :data:`TOP_MAX_DIGITS`.

    Two standard Gaussian scores: X_1 − X_2 ~ N(0, 2), w_(1) = 1/(1 + e^{−β|X_1 − X_2|}):

    >>> import mpmath
    >>> r = score_finite_top("gaussian", 2, 1, digits=8, which=("E_W1",))
    >>> ref = mpmath.quad(lambda z: 2 * mpmath.npdf(z, 0, mpmath.sqrt(2)) / (1 + mpmath.exp(-z)), [0, mpmath.inf])
    >>> mpmath.nstr(r.E_W1, 8), mpmath.nstr(ref, 8)
    ('0.72521345', '0.72521345')
    """
    law = _law(law)
    n = count(n, "n")
    positive_real(beta, "beta")
    if law.density is None:
        raise InputError(f"law {law.spec} has no density ({law.note}): exact finite n needs one")
    return _top_checked(law, n, beta, digits, _which(which))
