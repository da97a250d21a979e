"""Campbell–Mecke sweeps: the inner integrals of the critical and finite-n functionals at one t.

Both the Poisson limit (docs/mathematics.md §4) and the exact finite-n law (docs/mathematics.md §8) are described by the points
v_i = β D_i (finite n) or v_i = λ S_i (limit), their intensity ρ(v) dv on [0, V_end), and the
unnormalised weights y = e^{-v}. With E(v) = exp(-t e^{-v}) and

    Φ(t)    = ∫ ρ(v) (1 − E(v)) dv                       (Laplace exponent; e^{-Φ} = E e^{-tT} in the limit)
    A(t, v) = ∫_0^v ρ(w) E(w) dw                         (mass of the points above v, discounted)
    M_g(t)  = ∫ ρ(v) g(v) E(v) dv                        (Campbell's formula, one marked point)

the functionals are one outer integral in t of combinations of these (the package's derivation,
see docs/critical.md):

    E Σ W²      = ∫ t P(Φ) M_{e^{-2v}} dt,
    E W_(k)     = ∫ ∫ ρ(v) e^{-v} E(v) · A^{k-1}/(k-1)! · P_k(Φ, A) dv dt,

where, for the Poisson limit, P(Φ) = e^{-Φ} and P_k = e^{-Φ-A}; for n keys,
P(Φ) = (1 − Φ/n)^{n-1} and, in place of A^{k-1}/(k-1)! P_k, C(n−1, k−1) (A/n)^{k−1} (1 − (Φ + A)/n)^{n−k}
(k − 1 of the other keys below v; the powers taken in log space; docs/mathematics.md §8).

:func:`sweep` evaluates every inner integral at one t on Gauss–Legendre panels (``numerics.quadrature.gauss_panels``)
aligned with the step of E at v = log t, carrying A cumulatively, so the k-th weight costs no
third integral. Everything is Arb arithmetic at the caller's precision.
"""
from __future__ import annotations

import math

from flint import arb, arb_mat, ctx

from attnlimits.numerics.quadrature.gauss_panels import gl_rule

__all__ = ["LimitIntensity", "FiniteIntensity", "sweep", "mass_inverse"]


def mass_inverse(mass, m, hi):
    """The v0 in (0, hi] with mass(v0) = m for an increasing mass function of arb balls (the upper end of the final
    bracket, to 30 bits): halving from hi while mass < m is far below, then bisection; 200 steps are ample at any
    precision. Used by every intensity to place the sweep's first panel (docs/mathematics.md §8).

    >>> float(mass_inverse(lambda v: v * v, arb(4), arb(10)))  # v0 = 2
    2.0000000...
    """
    lo = arb(0)
    for _ in range(200):
        mid = (lo + hi) / 2 if lo > 0 else hi / 2
        if mass(mid) < m:
            lo = mid
        else:
            hi = mid
        if hi - lo < hi * arb(2) ** (-30):
            break
    return hi


class LimitIntensity:
    """ρ(v) = α λ^{-α} v^{α-1} on (0, ∞): the Poisson limit in the variable v = λ S = λ Γ^{1/α}.

    >>> import mpmath
    >>> from flint import arb
    >>> from attnlimits.numerics.quadrature.gauss_panels import to_mpf
    >>> model = LimitIntensity(arb(2), arb(1))  # ρ(v) = 2v, mass (v/λ)^α = v²
    >>> mpmath.nstr(to_mpf(model.rho(arb(3))), 15), mpmath.nstr(to_mpf(model.mass(arb(3))), 15)
    ('6.0', '9.0')
    """

    finite = False

    def __init__(self, alpha: arb, lam: arb):
        self.alpha, self.lam = alpha, lam
        self.c = alpha * lam ** (-alpha)
        self.v_end = None

    def rho(self, v):
        return self.c * v ** (self.alpha - 1)

    def rho_sq(self, h, s):
        """ρ(v) dv/ds for v = h s² on the first panel: 2 c h^α s^{2α-1} (smooth for half-integer α)."""
        return 2 * self.c * h ** self.alpha * s ** (2 * self.alpha - 1)

    def dlogrho(self, v: float) -> float:
        return (float(self.alpha.mid()) - 1) / v if v > 0 else 0.0

    def peak(self) -> float:
        """Where ρ(v) e^{−v} is largest: v = α − 1 (or 0)."""
        return max(float(self.alpha.mid()) - 1, 0.0)

    def width(self) -> float:
        """Gaussian width of ρ e^{−v} at its peak: 1/sqrt(−(log ρ)''), = sqrt(α − 1); at least 1."""
        return max(math.sqrt(max(float(self.alpha.mid()) - 1, 0.0)), 1.0)

    def mass(self, v0):
        """∫_0^{v0} ρ = λ^{-α} v0^α."""
        return (v0 / self.lam) ** self.alpha

    def mass_inverse(self, m):
        """v0 with ∫_0^{v0} ρ = m."""
        return self.lam * m ** (1 / self.alpha)

    def mass_inverse_float(self, m: float) -> float:
        """Float v with ∫_0^v ρ = m (panel placement only)."""
        a, la = float(self.alpha.mid()), float(self.lam.mid())
        return la * math.exp(math.log(m) / a)

    def mass_float(self, v: float) -> float:
        """Float (v/λ)^α, capped at e^{700} (panel placement only)."""
        a, la = float(self.alpha.mid()), float(self.lam.mid())
        return math.exp(min(a * (math.log(v) - math.log(la)), 700.0)) if v > 0 else 0.0


class FiniteIntensity:
    """ρ_n(v) = (n/β) f_D(v/β) on (0, 2β): n uniform keys on S^{d-1}, v = β D, D = 1 − ⟨q, K⟩.

    f_D(s) = 2^{1-2a} s^{a-1} (2 − s)^{a-1} / B(a, a), a = (d−1)/2 (docs/mathematics.md §2).

    At d = 3, D is uniform on [0, 2]: ρ_n = n/(2β) on (0, 2β), and Φ_n(t) = n/(2β) (Ein(t) − Ein(t e^{−2β})):

    >>> import mpmath
    >>> from flint import arb
    >>> from attnlimits.numerics.precision import arb_digits
    >>> from attnlimits.numerics.quadrature.gauss_panels import to_mpf
    >>> from attnlimits.numerics.special.incomplete_gamma import ein
    >>> model = FiniteIntensity(5, 3, arb(2))
    >>> mpmath.nstr(to_mpf(model.rho(arb(1))), 15), mpmath.nstr(to_mpf(model.mass(arb(1))), 15)  # 5/4, 5/4
    ('1.25', '1.25')
    >>> with arb_digits(20):
    ...     r = sweep(model, arb(3), k_max=0)
    >>> mpmath.nstr(to_mpf(r["Phi"]), 15), mpmath.nstr(mpmath.mpf(5) / 4 * (ein(3) - ein(3 * mpmath.exp(-4))), 15)
    ('2.04334385839375', '2.04334385839375')
    """

    finite = True

    def __init__(self, n: int, d: int, beta: arb):
        self.n = arb(n)
        self.n_int = n
        self.a = arb(d - 1) / 2
        self.alpha = self.a
        self.beta = beta
        # log of the constant (n/β) 2^{1-2a}/B(a,a) / β^{a-1} ... kept as a log for large d
        a = self.a
        self.logc = (self.n.log() - beta.log() + (1 - 2 * a) * arb(2).log()
                     - (2 * a.lgamma() - (2 * a).lgamma()) - (a - 1) * beta.log())
        self.v_end = 2 * beta

    def rho(self, v):
        a = self.a
        return (self.logc + (a - 1) * (v.log() + (2 - v / self.beta).log())).exp()

    def rho_sq(self, h, s):
        """ρ(v) dv/ds for v = h s²."""
        a = self.a
        v = h * s * s
        return (self.logc + (a - 1) * ((2 - v / self.beta).log()) + a * h.log()
                + (2 * a - 1) * s.log()).exp() * 2

    def rho_sq_end(self, h, s):
        """ρ(v) dv/ds for v = 2β − h s² (the singular end of the range when a is not an integer)."""
        a = self.a
        v = self.v_end - h * s * s
        return (self.logc + (a - 1) * (v.log() - self.beta.log()) + a * h.log()
                + (2 * a - 1) * s.log()).exp() * 2

    def dlogrho(self, v: float) -> float:
        a1 = float(self.a.mid()) - 1
        b2 = 2 * float(self.beta.mid())
        if v <= 0 or v >= b2:
            return 0.0
        return a1 * (1 / v - 1 / (b2 - v))

    def peak(self) -> float:
        """Where ρ_n(v) e^{−v} is largest: the root of (a−1)(1/v − 1/(2β−v)) = 1 in (0, β]."""
        a1 = float(self.a.mid()) - 1
        b = float(self.beta.mid())
        if a1 <= 0:
            return 0.0
        p = b + a1
        return p - math.sqrt(max(p * p - 2 * a1 * b, 0.0))

    def width(self) -> float:
        """Gaussian width of ρ_n e^{−v} at its peak: 1/sqrt((a−1)(1/p² + 1/(2β−p)²)); at least 1."""
        a1 = float(self.a.mid()) - 1
        b = float(self.beta.mid())
        p = self.peak()
        if a1 <= 0 or p <= 0:
            return 1.0
        return max(1 / math.sqrt(a1 * (1 / p ** 2 + 1 / (2 * b - p) ** 2)), 1.0)

    def mass(self, v0):
        """∫_0^{v0} ρ_n = n I_{v0/(2β)}(a, a)."""
        if v0 <= 0:
            return arb(0)
        z = v0 / self.v_end
        if z >= 1:
            return self.n
        return self.n * z.beta_lower(self.a, self.a, regularized=True)

    def mass_float(self, v: float) -> float:
        """Float n I_{v/(2β)}(a, a) (panel placement only)."""
        from scipy.special import betainc

        x = v / (2 * float(self.beta.mid()))
        if x <= 0:
            return 0.0
        return float(self.n_int) * float(betainc(float(self.a.mid()), float(self.a.mid()), min(x, 1.0)))

    def mass_inverse_float(self, m: float) -> float:
        """Float v with n I_{v/(2β)}(a, a) = m, or the end of the range when m ≥ n."""
        from scipy.special import betaincinv

        b2 = 2 * float(self.beta.mid())
        if m >= self.n_int:
            return b2
        return b2 * float(betaincinv(float(self.a.mid()), float(self.a.mid()), m / self.n_int))

    def mass_inverse(self, m):
        """v0 with n I_{v0/(2β)}(a, a) = m (bisection in log space; m < n)."""
        return mass_inverse(self.mass, m, self.v_end)


def _geometry(model, a, b, kind, rule):
    """Node data of one panel, independent of t: (v, ρ·dv/dx·w_j, ρ·dv/dx, e^{-v}) per node."""
    half = (b - a) / 2
    out = []
    for xj, wj in zip(rule.x, rule.w):
        if isinstance(kind, tuple):  # ("sq", s_a, s_b): v = s², s ∈ [s_a, s_b]
            _, sa, sb = kind
            sv = sa + (sb - sa) * (xj + 1) / 2
            v = sv * sv
            jr = model.rho_sq(arb(1), sv) * (sb - sa) / 2
        elif kind == "sq_end":
            sv = (1 - xj) / 2
            v = b - (b - a) * sv * sv
            jr = model.rho_sq_end(b - a, sv) / 2
        else:
            v = a + half * (xj + 1)
            jr = model.rho(v) * half
        out.append((v, wj * jr, jr, (-v).exp()))
    vs = [o[0] for o in out]
    Ws = [o[1] for o in out]
    es = [o[3] for o in out]
    # rows: e^{-v}, e^{-2v}, v e^{-v}, v^2 e^{-2v}, v e^{-2v} (each times the quadrature weight)
    G = arb_mat([[W * e for W, e in zip(Ws, es)],
                 [W * e * e for W, e in zip(Ws, es)],
                 [W * v * e for W, v, e in zip(Ws, vs, es)],
                 [W * v * v * e * e for W, v, e in zip(Ws, vs, es)],
                 [W * v * e * e for W, v, e in zip(Ws, vs, es)]])
    return {"v": vs, "W": Ws, "jr": [o[2] for o in out], "e": es, "G": G}


def _step_window(model, t, bits: int):
    """Float range of v where e^{−A(t, v)} steps from 1 to below 2^{−bits} (the k-th weight integrals).

    A(t, v) ≤ ∫_0^v ρ, so e^{−A} > 1 − 10^{−6} while the mass is below 10^{−6}; and E(w) ≥ 0.95 for
    w ≥ log t + 3, so A(t, v) ≥ 0.95 (mass(v) − mass(log t + 3)) and e^{−A} is below 2^{−bits−40}
    once mass(v) exceeds mass(log t + 3) + (bits ln 2 + 40)/0.95. Inside this window e^{−A(v)},
    as a function of complex v, grows within a distance ~ v/α of the real axis when ρ ~ v^{α−1}
    (A ~ v^α), so the Gauss panels there must be narrower than the 4/|d log ρ/dv| used elsewhere.
    """
    Lf = float(t.log().mid())
    lo = model.mass_inverse_float(1e-6)
    m_top = model.mass_float(max(Lf + 3, 1e-300)) + (bits * math.log(2) + 40) / 0.95
    return lo, model.mass_inverse_float(m_top)


#: Panel width times |d log ρ/dv| outside the step window of e^{−A} (ρ alone is resolved at this width).
RHO_WIDTH = 4.0


def _mass_below(model, v, tiny: float) -> bool:
    """Whether ∫_0^v ρ < ``tiny``: decided by the float incomplete beta when it is conclusive by a factor 10^3 either
    way (the Arb incomplete beta costs about a millisecond at a = (d − 1)/2 ~ 100), else in Arb as before."""
    m = model.mass_float(float(v.mid()))
    if m > 1e3 * tiny:
        return False
    if tiny > 1e-290 and m < 1e-3 * tiny:
        return True
    return float(model.mass(v).mid()) < tiny


def _panels(model, t, tail_width=4, steep=RHO_WIDTH, window=None):
    """Panels for the sweep at t.

    Below v0 = log t − log(prec ln 2 + 30) every E(v) = exp(−t e^{−v}) is below 2^{−prec}, so only the
    mass of ρ matters there. Above, panel widths are the smallest of: 1/4 where t e^{−v} > e^{1.5}
    (E steep), 1 up to log t + 8, 4 in the tail; 4/|d log ρ/dv| (ρ steep: large α, large d), or
    ``steep``/|d log ρ/dv| inside ``window`` (where e^{−A} steps; see :func:`_step_window`);
    and a third of the distance to a singular end of the range (geometric grading). For α ≤ 8 the
    range v ∈ [0, 1] (or [0, 4] for non-integer α) is covered in the variable s = √v, where
    ρ dv = 2c s^{2α−1} ds is smooth. The tail reaches past the step at log t and past the bulk
    of ρ e^{−v}; everything below 2^{−prec} of the mass is dropped.
    """
    L = t.log()
    bits = ctx.prec
    tiny = 2.0 ** (-bits - 10)
    c0 = math.log(bits * math.log(2) + 30)
    Lf = float(L.mid())
    alpha_f = float(model.alpha.mid())
    v0 = max(0, math.floor(Lf - c0))
    # past the step at log t the integrands decay at least like e^{−(v − log t)} times ρ(v)/ρ(log t); past
    # the peak p of ρ e^{−v} they fall like a Gaussian of width σ: cover both to 2^{−prec}
    depth = bits * math.log(2)
    p = model.peak()
    v_hi = max(Lf + depth + 12, p + 1.5 * model.width() * math.sqrt(2 * depth) + 12)
    end = model.v_end
    end_f = None if end is None else float(end.mid())
    if end_f is not None and v0 >= end_f:
        return end, []
    unit_hi = max(Lf, 0) + 8
    quarter_hi = Lf - 1.5
    out = []
    if v0 == 0 and alpha_f <= 8:
        s_top = 8 if alpha_f == int(alpha_f) else 16
        short = end_f is not None and end_f <= (s_top / 8) ** 2 + 0.5
        cuts = [arb(0), (end / 2).sqrt()] if short else [arb(j) / 8 for j in range(s_top + 1)]
        first = float(cuts[1].mid())
        if window is not None and 0 < window[0] and math.sqrt(window[0]) < first:
            # the step of e^{−A} (the ranks) lies in the first panel (small β, many keys: it sits where about one
            # key is expected, v ~ 2β n^{−1/α}): geometric panels in s through it, ratio 1 + 1/max(1, α) inside
            # the window (A ∝ s^{2α} there), 2 below and above, so every panel sees A change by a bounded factor
            s_lo, s_hi = math.sqrt(window[0]), min(math.sqrt(max(window[1], window[0])), first)
            fine = []
            sv = s_lo
            while sv < first * 0.999:
                fine.append(sv)
                sv *= (1 + 1 / max(1.0, alpha_f)) if sv < s_hi else 2.0
            cuts = [arb(0)] + [arb(x) for x in fine] + cuts[1:]
        for sa, sb in zip(cuts[:-1], cuts[1:]):
            out.append(((sa * sa, sb * sb), ("sq", sa, sb)))
        if short:
            out.append(((end / 2, end), "sq_end"))
            return arb(0), out
        k = arb(s_top // 8) ** 2
    elif alpha_f > 8:
        # large α: the mass below v_s is negligible; start there (or at v0 if higher)
        vs = model.__dict__.get("_v_start")
        if vs is None:
            vs = model._v_start = model.mass_inverse(arb(tiny))
        k = vs if float(vs.mid()) > v0 else arb(v0)
        v0 = k
        if end_f is not None and float(k.mid()) >= end_f:
            return end, []
    else:
        k = arb(v0)
    kf = float(k.mid())
    singular_end = end_f is not None and (alpha_f != int(alpha_f) or alpha_f > 8)
    while kf < v_hi:
        w = 0.25 if kf < quarter_hi else (1.0 if kf < unit_hi else float(tail_width))
        g = abs(model.dlogrho(kf))
        st = steep if (window is not None and window[0] <= kf <= window[1]) else RHO_WIDTH
        if g > 0:
            w = min(w, st / g)
        if kf > 0:
            w = min(w, kf / 1.5) if kf < 1 else w
        if end_f is not None:
            rest = end_f - kf
            if alpha_f <= 8 and rest <= max(w, 0.25) * 1.5:
                out.append(((k, end), "sq_end"))
                break
            if singular_end:
                w = min(w, rest / 3)
                g2 = abs(model.dlogrho(min(kf + w, end_f - 1e-300)))
                if g2 > 0:
                    w = min(w, st / g2)
                if rest < 1 and _mass_below(model, end - k, tiny):
                    break
            elif rest <= w:
                out.append(((k, end), "plain"))
                break
        else:
            g2 = abs(model.dlogrho(kf + w))
            if g2 > 0:
                w = min(w, st / g2)
        b = k + arb(w)
        out.append(((k, b), "plain"))
        k, kf = b, kf + w
    return arb(v0) if not isinstance(v0, arb) else v0, out


def _finite_ranks(model, Phi, per_node, I, negligible, step):
    """The finite-n I_k, k = 1..len(I), added into ``I`` (see :func:`sweep`).

    Per node, with x = (Φ + A)/n and r = A/(n (1 − x)): p_1 = exp((n − 1) log1p(−x)) and
    p_k = C(n−1, k−1) (A/n)^{k−1} (1 − x)^{n−k} = p_1 r^{k−1} ∏_{j<k} (n − j)/j, the last product applied once
    at the end. When 1 − x is not positive to the working precision only the term without a power of 1 − x
    (k = n) survives. Past the mode of every p_k in A (A > k n/(n − 1)) the p_k decrease along the nodes, so
    once their largest bound times M_1 is below the precision of every partial I_k the remaining nodes are
    dropped (as for k = 1).
    """
    n_int = model.n_int
    n = model.n
    kk = min(len(I), n_int)
    inv_n = 1 / n
    nm1 = n - 1
    coef = [arb(1)]  # C(n−1, k)/n^k, k = 0..kk−1
    prod = [arb(1)]  # ∏_{j≤k} (n − j)/j
    for k in range(1, kk):
        coef.append(coef[-1] * (n_int - k) / (k * n))
        prod.append(prod[-1] * (n_int - k) / k)
    log_coef = [float(c.log().mid()) for c in coef]
    check = n_int > kk + 1
    acc = [arb(0)] * kk

    def partial():
        return [I[k] + acc[k] * prod[k] for k in range(kk)] + I[kk:]

    for j, (base, Ai) in enumerate(per_node):
        x = (Phi + Ai) * inv_n
        one_x = 1 - x
        if one_x > 0:
            l1 = (-x).log1p()
            if check and j % step == 0:
                af = float(Ai.mid())
                if af > 2 * kk + 1:
                    lf = max(log_coef[k] + k * math.log(af) + (n_int - 1 - k) * float(l1.mid()) for k in range(kk))
                    saved = I[:]
                    I[:] = partial()
                    stop = negligible(lf)
                    I[:] = saved
                    if stop:
                        break
            q = base * (nm1 * l1).exp()
            acc[0] += q
            if kk > 1:
                r = Ai * inv_n / one_x
                for k in range(1, kk):
                    q *= r
                    acc[k] += q
        elif kk == n_int:
            # (1 − x)^0: the term of rank n (all other keys below v)
            I[kk - 1] += base * coef[kk - 1] * Ai ** (kk - 1)
    for k in range(kk):
        I[k] += acc[k] * prod[k]


def sweep(model, t, *, k_max: int = 1, moments: bool = True, n_nodes: int = 24, steep: float = 1.0):
    """All inner integrals at one t (an arb > 0); see the module docstring.

    Returns a dict: ``Phi``, ``M1`` (g = e^{-v}), ``M2`` (e^{-2v}), ``Mv`` (v e^{-v}),
    ``Mv2e2`` (v² e^{-2v}), ``Mve2`` (v e^{-2v}), and ``I`` = [I_1, ..., I_kmax] with
    I_k = ∫ ρ e^{-v} E A^{k-1}/(k-1)! P_k dv, P_k = e^{-A} (limit); for n keys
    I_k = ∫ ρ e^{-v} E C(n−1, k−1) (A/n)^{k−1} (1 − (Φ+A)/n)^{n−k} dv (k − 1 of the other n − 1 keys below v,
    docs/mathematics.md §8), which is 0 for k > n. The Poisson I_k omit the common factor e^{-Φ}.

    At α = 1 the intensity is 1/λ on (0, ∞), so Φ(t) = (1/λ) ∫_0^t (1 − e^{−u}) du/u = Ein(t)/λ (DLMF 6.2.3) and
    M_{e^{−v}}(t) = (1/λ) ∫ e^{−v} exp(−t e^{−v}) dv = (1 − e^{−t})/(λ t):

    >>> import mpmath
    >>> from flint import arb
    >>> from attnlimits.numerics.precision import arb_digits
    >>> from attnlimits.numerics.quadrature.gauss_panels import to_mpf
    >>> from attnlimits.numerics.special.incomplete_gamma import ein
    >>> with arb_digits(20):
    ...     r = sweep(LimitIntensity(arb(1), arb(2)), arb(3), k_max=1)
    >>> mpmath.nstr(to_mpf(r["Phi"]), 15), mpmath.nstr(ein(mpmath.mpf(3)) / 2, 15)
    ('0.84443816733192', '0.84443816733192')
    >>> mpmath.nstr(to_mpf(r["M1"]), 15), mpmath.nstr(-mpmath.expm1(-3) / 6, 15)
    ('0.158368821938689', '0.158368821938689')
    """
    rule = gl_rule(n_nodes)
    cache = model.__dict__.setdefault("_geom", {})
    window = _step_window(model, t, ctx.prec) if k_max else None
    v0, panels = _panels(model, t, steep=steep, window=window)
    Phi = model.mass(v0)
    mom = arb_mat(5, 1)
    A = arb(0)  # ∫_0^{v0} ρ E is below 2^{-prec} · mass: dropped
    per_node = []  # (W e E, A_i) for the weight integrals
    for (a, b), kind in panels:
        key = (str(a), str(b), str(kind), n_nodes, ctx.prec)
        g = cache.get(key)
        if g is None:
            g = cache[key] = _geometry(model, a, b, kind, rule)
        Es = []
        for W, e in zip(g["W"], g["e"]):
            mz = -(t * e)
            Es.append(mz.exp())
            Phi -= W * mz.expm1()
        if moments:
            mom += g["G"] * arb_mat([[E] for E in Es])
        if k_max:
            a_vals = [jr * E for jr, E in zip(g["jr"], Es)]
            cum = rule.cumulative(a_vals)
            for W, e, E, c in zip(g["W"], g["e"], Es, cum):
                per_node.append((W * e * E, A + c))
            A = A + sum((wj * av for wj, av in zip(rule.w, a_vals)), arb(0))
    I = [arb(0)] * k_max
    # The nodes come in increasing v, so A only grows. Past a node with A > k_max, the rest of I_k is at
    # most (A^{k_max−1} e^{−A} or the finite-n power at A) × Σ(remaining W e^{−v} E) ≤ that × M1; once this
    # is below 2^{−prec−10} of every partial I_k the remaining nodes are dropped (checked once a panel).
    log_m1 = float(mom[0, 0].log().mid()) if (moments and mom[0, 0] > 0) else None
    margin = ctx.prec * math.log(2) + 10

    def negligible(log_factor):
        if log_m1 is None or not all(x > 0 for x in I):
            return False
        return log_factor + log_m1 < min(float(x.log().mid()) for x in I) - margin

    step = max(n_nodes, 1)
    if k_max and model.finite and model.n_int == 1:
        I[0] = sum((base for base, Ai in per_node), arb(0))
    elif k_max > 1 and model.finite:
        _finite_ranks(model, Phi, per_node, I, negligible, step)
    elif k_max and model.finite:
        n = model.n
        nm1 = n - 1
        for j, (base, Ai) in enumerate(per_node):
            x = (Phi + Ai) / n
            # (1 − x)^{n−1} with 1 − x below the working precision is 0 to that precision
            if not (1 - x > 0) or float((1 - x).mid()) < 1e-30 * float(x.mid()):
                continue
            lp = nm1 * (-x).log1p()
            if j % step == 0 and negligible(float(lp.mid())):
                break
            I[0] += base * lp.exp()
    elif k_max:
        for j, (base, Ai) in enumerate(per_node):
            if j % step == 0:
                af = float(Ai.mid())
                if af > k_max and negligible(-af + (k_max - 1) * math.log(af)):
                    break
            p = base * (-Ai).exp()
            for k in range(k_max):
                if k:
                    p = p * Ai / k
                I[k] += p
    return {"Phi": Phi, "M1": mom[0, 0], "M2": mom[1, 0], "Mv": mom[2, 0], "Mv2e2": mom[3, 0],
            "Mve2": mom[4, 0], "I": I, "A_inf": A}
