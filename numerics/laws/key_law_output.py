"""Exact finite-n output functionals for n i.i.d. keys of the catalog key laws (docs/key_law_output.md).

The identities of docs/output.md §1 use the key law in two ways only: E⟨q, y⟩, Var⟨q, y⟩, E H and E W_(k) are
functionals of the scores βD_i alone (any key law), and E|P_⊥ y|² = E Σ w_i² D_i (2 − D_i) needs in addition that
the perpendicular part of K is centred given D, true for every law symmetric about q. The catalog laws of
``theory.key_laws`` with that symmetry (angle = 0) all have a distance law of Beta type, Z = D/2 on [0, z_end] with
density ∝ z^{p−1} (1 − z)^{q−1} e^{−cz} (docs/key_law_output.md §2):

- uniform on S^{d−1}: p = q = a = (d − 1)/2, c = 0 (``finite_output.exact_output``);
- great subsphere S^{m−1} through q: exactly the uniform law of S^{m−1} (a = (m − 1)/2);
- vMF(q, κ₀): p = q = a, c = 2κ₀ (the density e^{κ₀⟨q, K⟩} = e^{κ₀} e^{−κ₀ D});
- cap of radius r centred at q: p = q = a, c = 0, z_end = (1 − cos r)/2;
- vanishing, density ∝ |K − q|^γ = (2D)^{γ/2}: p = a + γ/2, q = a, c = 0.

Each law gives the intensity of v = βD to the Campbell sweep (``numerics.quadrature.campbell.sweep``) and the
outer integrals of ``finite_output.output_from_keys`` do the rest. :func:`key_law_output` is the entry point.
"""
from __future__ import annotations

import dataclasses
import math
import time

import mpmath
import numpy as np
from flint import arb, ctx

from attnlimits.numerics.laws.finite_output import (K_MAX, MAX_DIMENSION, MAX_KEYS, OutputFunctionals,
                                                    check_beta_digits, check_output_range, exact_output,
                                                    output_from_keys)
from attnlimits.numerics.precision import precise
from attnlimits.numerics.quadrature.campbell import mass_inverse
from attnlimits.numerics.quadrature.gauss_panels import to_mpf as arb_to_mpf
from attnlimits.theory.validation import InputError, count, dimension, integer, positive_real, real, to_mpf

__all__ = ["KeyLaw", "KeyLawOutput", "parse_key_law", "check_key_law_range", "key_law_output", "VmfIntensity",
           "CapIntensity", "VanishingIntensity", "MAX_KAPPA0", "LAW_KINDS"]

#: The spec kinds of :func:`parse_key_law`.
LAW_KINDS = ("uniform", "vmf", "cap", "subsphere", "vanishing")

#: Largest κ₀ of the vMF law: its distance CDF is a positive series of about 4κ₀ + 30 terms (docs/key_law_output.md §2).
MAX_KAPPA0 = 1000

#: The tilted laws (angle ≠ 0) are refused with this reason.
TILTED = ("the perpendicular part of K is not centred given D when the law is tilted away from q, so E|P_perp y|^2 "
          "needs a two-point term the identities do not have: not offered (angle = 0 only)")


# ---------------------------------------------------------------------------------------------- the intensities


def _num_mpf(x):
    """A checked parameter (decimal text, Exact, int, sympy number) as an mpf at the current mpmath precision."""
    if hasattr(x, "evalf") and hasattr(x, "free_symbols"):
        return mpmath.mpf(x.evalf(mpmath.mp.dps + 10)._to_mpmath(mpmath.mp.prec + 30))
    return to_mpf(x)


def _num_arb(x):
    """A parameter as an arb at the current Arb precision (through mpmath at that precision)."""
    with mpmath.workprec(ctx.prec + 10):
        return arb(_num_mpf(x))


class _BetaTiltIntensity:
    """ρ_n(v) = (n/(2β)) f(v/(2β)) on (0, v_end), f(z) = z^{p−1} (1 − z)^{q−1} e^{−cz}/N on (0, z_end): the
    interface of ``campbell.FiniteIntensity`` (docs/key_law_output.md §2). Subclasses give the normaliser N, the
    CDF in Arb (``_cdf``) and in floats (``_cdf_float``, ``_cdf_inverse_float``).

    The sweep's test for the far end (it drops the panels within ``rest`` of v_end once the mass within ``rest``
    of v = 0 is below 2^{−prec−10}: the two ends mirror each other for uniform keys) reads ``mass``; with
    ``far_guard`` the mass is the CDF plus min(far-end mass within v, 2^{−prec−9}): within 2^{−prec−9} of the
    CDF, and never below the far-end mass the test stands for (docs/key_law_output.md §2).
    """

    finite = True
    far_guard = False

    def __init__(self, n, beta, p, q, c, z_end, log_norm, alpha_attr):
        self.n = arb(n)
        self.n_int = n
        self.beta = beta
        self.p, self.q, self.c = p, q, c
        self.a = q
        self.alpha = alpha_attr
        self.v2 = 2 * beta
        self.z_end = z_end
        self.v_end = self.v2 * z_end
        self.logc = self.n.log() - self.v2.log() - log_norm
        self._pf, self._qf, self._cf = float(p.mid()), float(q.mid()), float(c.mid())
        self._v2f = float(self.v2.mid())
        self._vendf = float(self.v_end.mid())
        # a cap ends where its density is positive and smooth; the other laws end at z = 1 like (1 − z)^{q−1}
        self._regular_end = z_end < 1
        self._memo = {}

    # -- density
    def _log_core(self, v):
        z = v / self.v2
        return self.logc + (self.p - 1) * z.log() + (self.q - 1) * ((self.v2 - v) / self.v2).log() - self.c * z

    def rho(self, v):
        return self._log_core(v).exp()

    def rho_sq(self, h, s):
        """ρ(v) dv/ds for v = h s² (smooth in s when 2p − 1 is an integer)."""
        v = h * s * s
        lg = (self.logc - (self.p - 1) * self.v2.log() + self.p * h.log() + (2 * self.p - 1) * s.log()
              + (self.q - 1) * ((self.v2 - v) / self.v2).log() - self.c * v / self.v2)
        return lg.exp() * 2

    def rho_sq_end(self, h, s):
        """ρ(v) dv/ds for v = v_end − h s²."""
        v = self.v_end - h * s * s
        if self._regular_end:
            return self.rho(v) * 2 * h * s
        lg = (self.logc + (self.p - 1) * (v / self.v2).log() - (self.q - 1) * self.v2.log() + self.q * h.log()
              + (2 * self.q - 1) * s.log() - self.c * v / self.v2)
        return lg.exp() * 2

    def dlogrho(self, v: float) -> float:
        if v <= 0 or v >= self._vendf:
            return 0.0
        return (self._pf - 1) / v - (self._qf - 1) / (self._v2f - v) - self._cf / self._v2f

    def peak(self) -> float:
        """Where ρ e^{−v} is largest: the root of (p−1)/v − (q−1)/(2β−v) = 1 + c/(2β) (or 0)."""
        p1, q1 = self._pf - 1, self._qf - 1
        if p1 <= 0:
            return 0.0
        k = 1 + self._cf / self._v2f
        B = k * self._v2f + p1 + q1
        disc = max(B * B - 4 * k * p1 * self._v2f, 0.0)
        return min(2 * p1 * self._v2f / (B + math.sqrt(disc)), self._vendf)

    def width(self) -> float:
        p1, q1 = self._pf - 1, self._qf - 1
        pk = self.peak()
        if p1 <= 0 or pk <= 0:
            return 1.0
        curv = p1 / pk ** 2 + (q1 / (self._v2f - pk) ** 2 if pk < self._v2f else 0.0)
        return max(1 / math.sqrt(curv), 1.0) if curv > 0 else 1.0

    # -- mass
    def _true_mass(self, v0):
        if v0 <= 0:
            return arb(0)
        if v0 >= self.v_end:
            return self.n
        key = (v0.mid().str(30, radius=False), ctx.prec)
        r = self._memo.get(key)
        if r is None:
            r = self._memo[key] = self.n * self._cdf(v0 / self.v2)
        return r

    def mass(self, v0):
        """n P(βD ≤ v0) (``far_guard``: plus at most 2^{−prec−9}, see the class docstring)."""
        m = self._true_mass(v0)
        if self.far_guard and v0 > 0 and v0 < self.v_end:
            tiny = arb(2) ** (-ctx.prec - 10)
            if m < tiny:
                far = self._far_mass(v0)
                m = m + (far if float(far.mid()) < float(2 * tiny.mid()) else 2 * tiny)
        return m

    def _far_mass(self, w):
        """n P(βD > v_end − w), without the cancellation of n − mass(v_end − w)."""
        raise NotImplementedError

    def mass_float(self, v: float) -> float:
        if v <= 0:
            return 0.0
        if v >= self._vendf:
            return float(self.n_int)
        m = float(self.n_int) * self._cdf_float(v / self._v2f)
        if self.far_guard:
            tiny = 2.0 ** (-ctx.prec - 10)
            if m < 1e3 * tiny:
                far = float(self.n_int) * self._sf_float((self._vendf - v) / self._v2f)
                m += min(far, 2 * tiny)
        return m

    def mass_inverse_float(self, m: float) -> float:
        if m >= self.n_int:
            return self._vendf
        if m <= 0:
            return 0.0
        return self._v2f * self._cdf_inverse_float(m / self.n_int)

    def mass_inverse(self, m):
        return mass_inverse(self._true_mass, m, self.v_end)


class VmfIntensity(_BetaTiltIntensity):
    """v = βD for n keys vMF(q, κ₀) on S^{d−1}: Z = D/2 has density ∝ z^{a−1}(1 − z)^{a−1} e^{−2κ₀ z} on (0, 1).

    Its CDF is a weighted mean of incomplete Beta ratios with positive weights (docs/key_law_output.md §2):
    F(z) = Σ_k w_k I_z(a, a + k)/Σ_k w_k, w_k = c^k (a)_k/(k! (2a)_k), c = 2κ₀ (from e^{−cz} = e^{−c} e^{c(1−z)}).
    At κ₀ = 0 it is the uniform law (``campbell.FiniteIntensity``):

    >>> from flint import arb
    >>> from attnlimits.numerics.precision import arb_digits
    >>> from attnlimits.numerics.quadrature.campbell import FiniteIntensity
    >>> with arb_digits(20):
    ...     m1 = VmfIntensity(5, 3, arb(2), arb(0)).mass(arb(1)); m2 = FiniteIntensity(5, 3, arb(2)).mass(arb(1))
    >>> float(m1), float(m2)
    (1.25, 1.25)
    """

    def __init__(self, n, d, beta, kappa0):
        a = arb(d - 1) / 2
        c = 2 * kappa0
        # N = B(a, a) 1F1(a; 2a; −c) = B(a, a) e^{−c} 1F1(a; 2a; c) (Kummer: a series of positive terms)
        log_norm = 2 * a.lgamma() - (2 * a).lgamma() - c + c.hypgeom_1f1(a, 2 * a).log()
        super().__init__(n, beta, a, a, c, arb(1), log_norm, a)
        self._table = None

    def _cdf(self, z):
        if z <= 0:
            return arb(0)
        if z >= 1:
            return arb(1)
        a, c = self.p, self.c
        R = z.beta_lower(a, a, regularized=True)
        if c == 0:
            return R
        # u_k = z^a (1 − z)^{a+k}/((a + k) B(a, a + k)) = I_z(a, a + k + 1) − I_z(a, a + k)
        u = (a * z.log() + a * (1 - z).log() - (2 * a.lgamma() - (2 * a).lgamma())).exp() / a
        w = arb(1)
        S, W = R, arb(1)
        eps = arb(2) ** (-ctx.prec - 20)
        cf = float(c.mid())
        k = 0
        while True:
            k += 1
            R = R + u
            u = u * (1 - z) * (2 * a + k - 1) / (a + k)
            w = w * c * (a + k - 1) / (k * (2 * a + k - 1))
            S += w * R
            W += w
            # past k = 2c the terms w_k R_k fall at least by half each (w_{k+1}/w_k ≤ c/(k+1) and
            # I_z(a, b+1)/I_z(a, b) ≤ (a + b)/b): the tail is below the last term
            if k > 2 * cf + 2 and w * R < eps * S:
                break
        return S / W

    def _build_table(self):
        """log F and log(1 − F) on a grid of z (float, from the same series with scipy's betainc): panel placement."""
        from scipy.special import betainc, gammaln

        a, c = self._pf, self._cf
        kc = max(int(c + 12 * math.sqrt(c) + 40), 40)
        k = np.arange(0, 2 * kc + 1) if c > 0 else np.array([0])
        logw = (k * math.log(c) if c > 0 else 0 * k) + gammaln(a + k) - gammaln(a) - gammaln(k + 1) \
            - gammaln(2 * a + k) + gammaln(2 * a)
        w = np.exp(logw - logw.max())
        w = w / w.sum()
        keep = w > 1e-30
        w, k = w[keep], k[keep]
        zl = np.logspace(-300, math.log10(0.5), 600)
        with np.errstate(all="ignore"):
            F = (betainc(a, a + k[None, :], zl[:, None]) * w).sum(axis=1)
            zu = np.logspace(-300, math.log10(0.5), 600)   # 1 − z
            G = (betainc(a + k[None, :], a, zu[:, None]) * w).sum(axis=1)
        ok = F > 1e-300
        okg = G > 1e-300
        self._table = (np.log(zl[ok]), np.log(F[ok]), np.log(zu[okg]), np.log(G[okg]))

    def _cdf_float(self, z):
        if z >= 1:
            return 1.0
        if self._table is None:
            self._build_table()
        lz, lF, lu, lG = self._table
        if z <= 0.5:
            x = math.log(z)
            if len(lz) == 0 or x < lz[0]:
                return math.exp(lF[0] + self._pf * (x - lz[0])) if len(lz) else 0.0
            return math.exp(np.interp(x, lz, lF))
        return 1.0 - self._sf_float(1 - z)

    def _sf_float(self, w):
        """P(Z > 1 − w): the mass within w of the far end."""
        if w <= 0:
            return 0.0
        if self._table is None:
            self._build_table()
        lz, lF, lu, lG = self._table
        if w > 0.5:
            return 1.0 - self._cdf_float(1 - w)
        x = math.log(w)
        if len(lu) == 0 or x < lu[0]:
            return math.exp(lG[0] + self._qf * (x - lu[0])) if len(lu) else 0.0
        return math.exp(np.interp(x, lu, lG))

    def _cdf_inverse_float(self, f):
        if self._table is None:
            self._build_table()
        lz, lF, lu, lG = self._table
        if f <= math.exp(lF[-1]):
            y = math.log(f)
            if y < lF[0]:
                return math.exp(lz[0] + (y - lF[0]) / self._pf)
            return math.exp(np.interp(y, lF, lz))
        y = math.log1p(-f) if f < 1 else -800.0
        # log G decreases as log(1 − z) decreases: interpolate on the reversed arrays
        if y < lG[0]:
            return 1 - math.exp(lu[0] + (y - lG[0]) / self._qf)
        return 1 - math.exp(np.interp(y, lG, lu))


class _IncompleteBetaIntensity(_BetaTiltIntensity):
    """c = 0: the CDF is I_z(p, q)/I_{z_end}(p, q) (Arb's incomplete Beta; scipy's for panel placement)."""

    far_guard = True

    def __init__(self, n, beta, p, q, z_end, alpha_attr):
        self._Iend = arb(1) if z_end >= 1 else z_end.beta_lower(p, q, regularized=True)
        log_norm = p.lgamma() + q.lgamma() - (p + q).lgamma() + self._Iend.log()
        super().__init__(n, beta, p, q, arb(0), z_end, log_norm, alpha_attr)
        self._zef = float(z_end.mid())
        self._Iendf = float(self._Iend.mid())

    def _cdf(self, z):
        if z <= 0:
            return arb(0)
        if z >= self.z_end:
            return arb(1)
        return z.beta_lower(self.p, self.q, regularized=True) / self._Iend

    def _far_mass(self, w):
        z = w / self.v2
        if self._zef >= 1:
            return self.n * z.beta_lower(self.q, self.p, regularized=True)   # I_{1−x}(q, p) = 1 − I_x(p, q)
        # a cap: the difference of two close incomplete Beta ratios, with the bits it cancels
        prec = ctx.prec
        ctx.prec = prec + 30 + max(0, -int(float(z.mid().log()) / math.log(2)))
        try:
            ze = self.z_end
            r = self.n * (1 - (ze - z).beta_lower(self.p, self.q, regularized=True)
                          / ze.beta_lower(self.p, self.q, regularized=True))
        finally:
            ctx.prec = prec
        return +r

    def _cdf_float(self, z):
        from scipy.special import betainc

        return min(float(betainc(self._pf, self._qf, min(z, self._zef))) / self._Iendf, 1.0)

    def _sf_float(self, w):
        from scipy.special import betainc

        if self._zef >= 1:
            return float(betainc(self._qf, self._pf, min(max(w, 0.0), 1.0)))
        z = max(self._zef - w, 0.0)
        return max(1.0 - float(betainc(self._pf, self._qf, z)) / self._Iendf, 0.0)

    def _cdf_inverse_float(self, f):
        from scipy.special import betaincinv

        return min(float(betaincinv(self._pf, self._qf, min(f * self._Iendf, 1.0))), self._zef)


class CapIntensity(_IncompleteBetaIntensity):
    """v = βD for n keys uniform on the cap {⟨q, K⟩ ≥ cos r}: Z = D/2 is Beta(a, a) restricted to
    (0, (1 − cos r)/2), v_end = β(1 − cos r); the density is smooth and positive at v_end.

    >>> from flint import arb
    >>> from attnlimits.numerics.precision import arb_digits
    >>> with arb_digits(20):   # d = 3: D uniform on [0, 1 − cos r]; r = π/2: on [0, 1]
    ...     model = CapIntensity(4, 3, arb(2), arb(0))
    >>> float(model.mass(arb(1))), float(model.v_end)   # n P(2D ≤ 1) = 4/2
    (2.0, 2.0)
    """

    def __init__(self, n, d, beta, cos_r):
        a = arb(d - 1) / 2
        super().__init__(n, beta, a, a, (1 - cos_r) / 2, a)


class VanishingIntensity(_IncompleteBetaIntensity):
    """v = βD for n keys with density ∝ |K − q|^γ: Z = D/2 ~ Beta(a + γ/2, a) on (0, 1) (|K − q|² = 2D).

    The near end has the exponent p = a + γ/2, the far end a; ``alpha`` (which the sweep reads for both ends) is p,
    moved off an integer by 10^{−9} when the far end is singular (d even) and p is an integer ≤ 8, so that the
    sweep grades its panels towards v_end (docs/key_law_output.md §2).

    >>> from flint import arb
    >>> from attnlimits.numerics.precision import arb_digits
    >>> with arb_digits(20):   # d = 3, γ = 2: Z ~ Beta(2, 1), P(Z ≤ 1/2) = 1/4
    ...     float(VanishingIntensity(8, 3, arb(1), 2).mass(arb(1)))
    2.0
    """

    def __init__(self, n, d, beta, gamma: int):
        a = arb(d - 1) / 2
        p = a + arb(gamma) / 2
        pf = (d - 1 + gamma) / 2
        alpha = p
        if pf == int(pf) and pf <= 8 and (d - 1) % 2 == 1:
            alpha = p - arb(10) ** -9
        super().__init__(n, beta, p, a, arb(1), alpha)


# ---------------------------------------------------------------------------------------------- the key laws


@dataclasses.dataclass(frozen=True)
class KeyLaw:
    """A checked key law centred at q: ``kind`` in LAW_KINDS, dimension ``d``, and its parameter ``param``
    (vmf: κ₀; cap: the radius r; subsphere: m; vanishing: γ; uniform: None), kept as typed (decimal text,
    an exact ratio or a sympy number) and converted at the working precision. It is also the key-law object of
    ``finite_output.output_from_keys`` (``model``, ``log_mean_T``, ``edge_matters``, ``small_beta_scale``).

    >>> law = parse_key_law("vmf:3,2")
    >>> law.kind, law.d, law.param, law.spec
    ('vmf', 3, '2', 'vmf:3,2')
    """

    kind: str
    d: int
    param: object = None

    @property
    def spec(self) -> str:
        return self.kind + ":" + str(self.d) + ("" if self.param is None else "," + str(self.param))

    @property
    def small_beta_scale(self):
        # at small β, E⟨q, y⟩ ≈ E X + β (1 − 1/n) Var X: 2d covers the uniform case E X = 0 (docs/output.md §2)
        return 2 * self.d

    # -- exact moments of D, for n = 1 and the range check
    def shape(self):
        """(p, q, c, z_end) of the law of Z = D/2 as mpf at the current precision."""
        a = mpmath.mpf((self.param if self.kind == "subsphere" else self.d) - 1) / 2
        if self.kind == "vmf":
            return a, a, 2 * _num_mpf(self.param), mpmath.mpf(1)
        if self.kind == "cap":
            return a, a, mpmath.mpf(0), (1 - mpmath.cos(_num_mpf(self.param))) / 2
        if self.kind == "vanishing":
            return a + mpmath.mpf(int(self.param)) / 2, a, mpmath.mpf(0), mpmath.mpf(1)
        return a, a, mpmath.mpf(0), mpmath.mpf(1)

    def log_kappa_alpha(self):
        """(log κ, α) of P(D ≤ t) ~ κ t^α (docs/mathematics.md §9.3), from the Beta form: the density of Z near 0
        is z^{p−1}/N, so P(D ≤ t) ~ (t/2)^p/(p N)."""
        p, q, c, z_end = self.shape()
        if self.kind == "vmf":
            logN = mpmath.log(mpmath.beta(p, q)) - c + mpmath.log(mpmath.hyp1f1(p, 2 * p, c))
        elif self.kind == "cap":
            logN = mpmath.log(mpmath.beta(p, q)) + mpmath.log(mpmath.betainc(p, q, 0, z_end, regularized=True))
        else:
            logN = mpmath.loggamma(p) + mpmath.loggamma(q) - mpmath.loggamma(p + q)
        return -p * mpmath.log(2) - mpmath.log(p) - logN, p

    def distance_moments(self):
        """(E D, E D²) exactly: Beta moments, restricted (cap) or tilted (vMF, through 0F1, docs/key_law_output.md §1)."""
        p, q, c, z_end = self.shape()
        if self.kind == "vmf":
            k0 = c / 2
            x = k0 * k0 / 4
            F0 = mpmath.hyp0f1(mpmath.mpf(self.d) / 2, x)
            EX = k0 / self.d * mpmath.hyp0f1(mpmath.mpf(self.d) / 2 + 1, x) / F0
            EX2 = (mpmath.hyp0f1(mpmath.mpf(self.d) / 2 + 1, x) / self.d
                   + k0 * k0 / (self.d * (self.d + 2)) * mpmath.hyp0f1(mpmath.mpf(self.d) / 2 + 2, x)) / F0
            return 1 - EX, 1 - 2 * EX + EX2
        if self.kind == "cap":
            I0 = mpmath.betainc(p, q, 0, z_end, regularized=True)
            EZ = p / (p + q) * mpmath.betainc(p + 1, q, 0, z_end, regularized=True) / I0
            EZ2 = p * (p + 1) / ((p + q) * (p + q + 1)) * mpmath.betainc(p + 2, q, 0, z_end, regularized=True) / I0
            return 2 * EZ, 4 * EZ2
        EZ = p / (p + q)
        return 2 * EZ, 4 * p * (p + 1) / ((p + q) * (p + q + 1))

    # -- the interface of finite_output.output_from_keys
    def model(self, n, beta):
        if self.kind == "vmf":
            return VmfIntensity(n, self.d, beta, _num_arb(self.param))
        if self.kind == "cap":
            return CapIntensity(n, self.d, beta, _num_arb(self.param).cos())
        if self.kind == "vanishing":
            return VanishingIntensity(n, self.d, beta, int(self.param))
        raise InputError(f"no intensity for {self.kind}: it is the uniform law")

    def log_mean_T(self, n, b):
        """log E Σ e^{−βD_i} = log n + log E e^{−2βZ}: vMF e^{−β} ₀F₁(; d/2; (β + κ₀)²/4)/₀F₁(; d/2; κ₀²/4);
        vanishing ₁F₁(p; p + q; −2β) = e^{−2β} ₁F₁(q; p + q; 2β) (Kummer); cap a 1-D integral (mpmath.quad)."""
        p, q, c, z_end = self.shape()
        ln = mpmath.log(n)
        with mpmath.workprec(mpmath.mp.prec + 20):
            prec = ctx.prec
            ctx.prec = mpmath.mp.prec
            try:
                if self.kind == "vmf":
                    k0 = arb(c / 2)
                    bb = arb(b)
                    half_d = arb(self.d) / 2
                    r = ((bb + k0) ** 2 / 4).hypgeom_0f1(half_d).log() - (k0 ** 2 / 4).hypgeom_0f1(half_d).log()
                    return +(ln - b + arb_to_mpf(r))
                if self.kind == "vanishing":
                    bb = arb(2 * b)
                    r = bb.hypgeom_1f1(arb(q), arb(p) + arb(q)).log()
                    return +(ln - 2 * b + arb_to_mpf(r))
            finally:
                ctx.prec = prec
            # cap: ∫_0^{z_end} z^{a−1} (1 − z)^{a−1} e^{−2βz} dz/(B(a, a) I_{z_end}(a, a)), split around the peak
            cc = 2 * b
            a1 = p - 1

            def f(z):
                if z <= 0:
                    return mpmath.mpf(0)
                return mpmath.exp(a1 * mpmath.log(z) + a1 * mpmath.log1p(-z) - cc * z)

            zs = max(a1, 1) / (cc + 2 * max(a1, 1))
            pts = sorted(set([mpmath.mpf(0), z_end] + [zs * m for m in (0.25, 0.5, 1, 2, 4, 8, 16, 64, 256)
                                                       if zs * m < z_end]))
            J = mpmath.quad(f, pts)
            norm = mpmath.beta(p, q) * mpmath.betainc(p, q, 0, z_end, regularized=True)
            return +(ln + mpmath.log(J) - mpmath.log(norm))

    def edge_matters(self, n, beta, bits):
        """Whether all n keys lie within 5 of the far end v_end with probability above 2^{−bits}."""
        with mpmath.workdps(20):
            p, q, c, z_end = (float(x) for x in self.shape())
        w = 5 / (2 * beta)
        from scipy.special import betainc

        if self.kind == "cap":
            I0 = float(betainc(p, q, z_end))
            pr = max(1 - float(betainc(p, q, max(z_end - w, 0.0))) / I0, 0.0)
        else:
            # vMF: the tilt e^{−cz} only lowers the far end's mass: the untilted value is an upper bound
            pr = float(betainc(q, p, min(w, 1.0)))
        return pr > 0 and n * math.log(pr) > -bits * math.log(2)


def parse_key_law(law) -> KeyLaw:
    """A key law from a spec string ("uniform:D", "vmf:D,KAPPA0", "cap:D,RADIUS", "subsphere:D,M",
    "vanishing:D,GAMMA") or a ``theory.key_laws`` PolarLaw centred at q (angle = 0); one-line InputError otherwise.

    >>> parse_key_law("cap:5,10/7").param     # an exact ratio stays exact
    Exact('10/7')
    >>> parse_key_law("vmf:3,2,1")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: law = 'vmf:3,2,1': vmf takes D,KAPPA0 (2 numbers after 'vmf:'), got 3
    """
    if isinstance(law, KeyLaw):
        return law
    if isinstance(law, str):
        return _parse_spec(law)
    if type(law).__name__ == "PolarLaw" and hasattr(law, "params"):
        return _from_polar(law)
    raise InputError(f"law must be a spec string such as 'vmf:3,2' or a theory.key_laws law, got {type(law).__name__}")


_ARITY = {"uniform": ("D",), "vmf": ("D", "KAPPA0"), "cap": ("D", "RADIUS"), "subsphere": ("D", "M"),
          "vanishing": ("D", "GAMMA")}


def _parse_spec(spec: str) -> KeyLaw:
    s = spec.strip()
    kind, sep, rest = s.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in _ARITY:
        raise InputError(f"law = {spec!r}: give one of uniform:D, vmf:D,KAPPA0, cap:D,RADIUS, subsphere:D,M, "
                         f"vanishing:D,GAMMA (e.g. vmf:3,2)")
    parts = [x.strip() for x in rest.split(",")] if rest.strip() else []
    names = _ARITY[kind]
    if len(parts) != len(names):
        raise InputError(f"law = {spec!r}: {kind} takes {','.join(names)} ({len(names)} number"
                         f"{'s' if len(names) > 1 else ''} after '{kind}:'), got {len(parts)}")
    d = dimension(parts[0], "d (of the law)")
    return _checked(kind, d, parts[1] if len(parts) > 1 else None)


def _checked(kind, d, x) -> KeyLaw:
    if d > MAX_DIMENSION:
        raise InputError(f"d = {d} of the law is beyond the supported range d <= {MAX_DIMENSION} of the exact "
                         f"finite-n output")
    if kind == "uniform":
        return KeyLaw(kind, d)
    if kind == "vmf":
        k0 = real(x, "kappa0", low=0)
        if _num_mpf(k0) > MAX_KAPPA0:
            raise InputError(f"kappa0 = {x} is beyond the supported range 0 <= kappa0 <= {MAX_KAPPA0} of the exact "
                             f"finite-n output for vMF keys (the distance CDF is a positive series of about "
                             f"2 kappa0 terms)")
        return KeyLaw(kind, d, k0)
    if kind == "cap":
        if hasattr(x, "evalf"):
            rv = mpmath.mpf(x.evalf(30)._to_mpmath(120))
            r = x
        else:
            r = real(x, "radius", low=0, low_open=True)
            rv = _num_mpf(r)
        if not 0 < rv < mpmath.pi:
            raise InputError(f"radius = {x} must be in (0, pi) (pi is the whole sphere: use uniform:{d})")
        return KeyLaw(kind, d, r)
    if kind == "subsphere":
        m = dimension(x, "m")
        if m > d:
            raise InputError(f"m = {m} must be <= d = {d} (a great subsphere S^(m-1) of S^(d-1))")
        return KeyLaw(kind, d, m)
    g = real(x, "gamma")
    gv = mpmath.mpf(_num_mpf(g))
    if gv != int(gv):
        raise InputError(f"gamma = {x} is not offered: only integer gamma (the panels of the sweep need a "
                         f"density smooth in sqrt(v) at v = 0, i.e. d - 2 + gamma an integer)")
    if gv <= -(d - 1):
        raise InputError(f"gamma = {x}: |K - q|^gamma is not integrable on S^{d - 1} for gamma <= -(d-1)")
    if gv > 2 * MAX_DIMENSION:
        raise InputError(f"gamma = {x} is beyond the supported range gamma <= {2 * MAX_DIMENSION}")
    return KeyLaw(kind, d, int(gv))


def _from_polar(law) -> KeyLaw:
    prm = dict(law.params)
    name = law.name
    if name not in _ARITY:
        raise InputError(f"law {name!r} is not a catalog law (uniform, vmf, cap, subsphere, vanishing)")
    try:
        d = int(law.d)
    except TypeError:
        raise InputError(f"law has a symbolic dimension d = {law.d}: give a number") from None
    d = dimension(d, "d (of the law)")
    ang = prm.get("angle", 0)
    if ang != 0:
        raise InputError(f"angle = {ang}: {TILTED}")
    if name == "uniform":
        return _checked(name, d, None)
    if name == "vmf":
        return _checked(name, d, prm["kappa0"])
    if name == "cap":
        return _checked(name, d, prm["radius"])
    if name == "subsphere":
        return _checked(name, d, int(prm["m"]))
    return _checked(name, d, prm["gamma"])


# ---------------------------------------------------------------------------------------------- range and entry point


@dataclasses.dataclass(frozen=True)
class KeyLawOutput(OutputFunctionals):
    """The fields of ``finite_output.OutputFunctionals`` (E_inner, E_gap, Var_inner, E_perp2, E_entropy, E_sum_Wv,
    E_log_T, E_W1, E_W, E_sum_W2, n, d, beta, outer_nodes, outer_error, seconds) for n keys of the law ``law``
    (its spec string, e.g. 'vmf:3,2').

    >>> KeyLawOutput(E_inner=mpmath.mpf(1) / 4, law="vmf:3,2", n=2, d=3).cli_json(3)
    {'E_inner': '0.250'}
    """

    law: str | None = None


def check_key_law_range(n, law, beta, digits=15) -> None:
    """Raise :class:`InputError` at once (one line) when :func:`key_law_output` would not finish
    (docs/key_law_output.md §3): the ranges of ``finite_output.check_output_range`` (n ≤ 10^18, d ≤ 4096, digits ≤ 30,
    β ≤ 10^14) with λ = β/(κ n)^{1/α} ≤ 100 for the law's own κ, α; vMF κ₀ ≤ 1000; vanishing γ an integer.

    >>> check_key_law_range(10 ** 12, "vmf:16,5", 30)
    >>> check_key_law_range(10, "vanishing:3,2", 1e6)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: beta = 1000000.0 is lambda = ... times the critical scale ...
    """
    k = parse_key_law(law)
    n = count(n, "n")
    if n > MAX_KEYS:
        raise InputError(f"n = {n:.3g} is beyond the supported range n <= 1e18 of the exact finite-n output")
    beta = positive_real(beta, "beta")
    digits = integer(digits, "digits", low=1)
    if k.kind in ("uniform", "subsphere"):
        check_output_range(n, k.d if k.kind == "uniform" else k.param, beta, digits)
        return
    check_beta_digits(n, beta, digits, k.log_kappa_alpha, f"(kappa n)^(1/alpha) of the law {k.spec}")


def _one_key(law: KeyLaw, b, k_max):
    """n = 1: w = 1, y = K: ⟨q, y⟩ = 1 − D, |P_⊥ y|² = D(2 − D)."""
    ED, ED2 = law.distance_moments()
    one, zero = mpmath.mpf(1), mpmath.mpf(0)
    return dict(E_inner=1 - ED, E_gap=ED, Var_inner=ED2 - ED * ED, E_perp2=2 * ED - ED2, E_entropy=zero,
                E_sum_Wv=b * ED, E_log_T=-b * ED, E_W1=one if k_max else None,
                E_W=tuple([one] + [zero] * (k_max - 1)) if k_max else None, E_sum_W2=one, outer_nodes=0,
                outer_error=zero)


@precise
def key_law_output(n, law, beta, digits: int = 15, *, k_max: int = K_MAX, variance: bool = True,
                   entropy: bool = True) -> KeyLawOutput:
    """Exact E⟨q, y⟩, Var⟨q, y⟩, E|P_⊥ y|², E H and E W_(1..k_max) for n i.i.d. keys of a catalog law centred at q
    (docs/key_law_output.md §1): ``law`` a spec string ("uniform:D", "vmf:D,KAPPA0", "cap:D,RADIUS",
    "subsphere:D,M", "vanishing:D,GAMMA") or a ``theory.key_laws`` law with angle = 0. Range:
    :func:`check_key_law_range` (refusals at once). Returns a :class:`KeyLawOutput`.

    Two vMF keys, d = 3, κ₀ = 1: E⟨q, y⟩ as a double integral over the two distances (D/2 has density
    ∝ e^{−2κ₀ z} on [0, 1] at d = 3):

    >>> import mpmath
    >>> r = key_law_output(2, "vmf:3,1", 2, digits=10, k_max=1, variance=False)
    >>> f = lambda x, z: mpmath.exp(-2 * x - 2 * z) * (1 - (2 * x * mpmath.exp(-4 * x) + 2 * z * mpmath.exp(-4 * z))
    ...                                              / (mpmath.exp(-4 * x) + mpmath.exp(-4 * z)))
    >>> N = (1 - mpmath.exp(-2)) / 2
    >>> mpmath.nstr(r.E_inner, 10), mpmath.nstr(mpmath.quad(f, [0, 1], [0, 1]) / N ** 2, 10)
    ('0.510215198', '0.510215198')
    """
    k = parse_key_law(law)
    check_key_law_range(n, k, beta, digits)
    n = count(n, "n")
    k_max = integer(k_max, "k_max", low=0, high=K_MAX)
    t0 = time.perf_counter()
    if k.kind in ("uniform", "subsphere"):
        # the subsphere S^{m−1} through q carries exactly the uniform law of S^{m−1}: ⟨q, K⟩ and the centred
        # tangential part live in R^m (docs/key_law_output.md §1)
        dd = k.d if k.kind == "uniform" else k.param
        r = exact_output(n, dd, beta, digits, k_max=k_max, variance=variance, entropy=entropy)
        return KeyLawOutput(**{f.name: getattr(r, f.name) for f in dataclasses.fields(OutputFunctionals)},
                            law=k.spec)
    b = to_mpf(beta)
    if n == 1:
        return KeyLawOutput(**_one_key(k, b, k_max), n=n, d=k.d, beta=b, seconds=time.perf_counter() - t0,
                            law=k.spec)
    r = output_from_keys(k, n, beta, digits, k_max=k_max, variance=variance, entropy=entropy, d=k.d, t0=t0)
    return KeyLawOutput(**{f.name: getattr(r, f.name) for f in dataclasses.fields(OutputFunctionals)}, law=k.spec)
