"""Limit values of the attention weights for any score law, by extreme-value domain (docs/score_laws.md §2–§4).

- **weibull** (P(top − X ≤ t) ~ κ t^α): at β = λ (κ n)^{1/α} the ranked weights tend to the Poisson–Kingman law of
  ``numerics.laws.poisson_limit`` at (α, λ), for every real α > 0 and κ > 0.
- **gumbel** (ξ = 0): at β = c/a_n the points y_i = e^{β(X_i − b_n)} tend to a Poisson process of intensity
  θ y^{−1−θ} dy, θ = 1/c. For c > 1 the weights tend to Poisson–Dirichlet PD(θ, 0) (:func:`pd_functionals`):

      E Σ W² = 1 − θ,   E H = ψ(1) − ψ(1 − θ)   (the structural law Beta(1 − θ, θ) of a size-biased pick),
      E W_(1) = ∫_0^∞ e^{−τ} / (e^{−τ} + τ^θ γ(1 − θ, τ)) dτ,
      P(W_(1) > w) = ((1 − w)/w)^θ sin(πθ)/(πθ)   for 1/2 ≤ w < 1;

  for c ≤ 1 no weight stays macroscopic (every limit value is 0, E H → ∞).
- **frechet** (P(X > x) ~ C x^{−a}): at β = c log n/(C n)^{1/a} the largest weight tends to 1{Γ_1 < c^a} (all or
  nothing), so E W_(1) and E Σ W² tend to 1 − e^{−c^a}; at fixed β > 0, W_(1) → 1; at β ≪ log n/n^{1/a}, W_(1) → 0.

The critical scale β_n at a given n comes from the law's sympy constants (``theory.score_laws``), and
:func:`gumbel_effective_c` gives the finite-n effective c of the Gumbel domain: c_eff = β F̄(b*)/f(b*) at the exact
level n F̄(b*) = 1, which carries the slow log log n / log n part of the approach to the limit.
"""
from __future__ import annotations

import dataclasses

import mpmath

from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, count, positive_real, real, to_mpf

__all__ = ["LimitValues", "pd_functionals", "pd_max_weight_tail", "critical_beta", "beta_at", "limit_values",
           "gumbel_level", "gumbel_effective_c", "pd_sum_w2_curvature", "gumbel_sum_w2_expansion",
           "frechet_limit_first_order", "frechet_fixed_beta_deficit"]


def _law(law):
    from attnlimits.theory.score_laws import ScoreLaw, score_law

    return law if isinstance(law, ScoreLaw) else score_law(law)


def _sym(expr):
    """A sympy constant (no free symbols) as an mpf at the working precision."""
    import sympy as sp

    return mpmath.mpf(str(sp.N(expr, mpmath.mp.dps + 10)))


@dataclasses.dataclass(frozen=True)
class LimitValues(Result):
    """Limit (n → ∞) expectations of the ranked weights at a domain's critical scaling.

    - ``law``, ``domain``; ``scale``: ``"lambda"`` (β = λ (κ n)^{1/α}) or ``"c"`` (β = c β_n); ``value``: λ or c.
    - ``E_W1``, ``E_sum_W2``, ``E_entropy``: the limit values (``E_entropy`` ``None`` where it diverges).
    - ``theta``: 1/c in the Gumbel domain; ``alpha``: the Weibull exponent.

    >>> r = pd_functionals(mpmath.mpf(1) / 2, digits=10)
    >>> r.to_json(10, skip_none=True)["E_sum_W2"]
    '0.5000000000'
    """

    law: str | None = None
    domain: str | None = None
    scale: str | None = None
    value: object = None
    E_W1: object = None
    E_sum_W2: object = None
    E_entropy: object = None
    theta: object = None
    alpha: object = None


@precise
def pd_functionals(theta, digits: int = 20) -> LimitValues:
    """E W_(1), E Σ W², E H of Poisson–Dirichlet PD(θ, 0), 0 ≤ θ < 1 (module docstring; docs/score_laws.md §3).

    E W_(1) = ∫ e^{−τ}/(e^{−τ} + τ^θ γ(1 − θ, τ)) dτ: condition on the top point y_1 (y_1^{−θ} ~ Exp(1)); the others,
    divided by y_1, form a Poisson process on (0, 1) of intensity θ y_1^{−θ} z^{−1−θ} dz, whose Laplace exponent is
    y_1^{−θ} (τ^θ γ(1 − θ, τ) − 1 + e^{−τ}). At θ = 1/2, E Σ W² = 1/2 and E H = ψ(1) − ψ(1/2) = 2 log 2:

    >>> r = pd_functionals("1/2", digits=15)
    >>> mpmath.nstr(r.E_sum_W2, 15), mpmath.nstr(r.E_entropy, 15), mpmath.nstr(2 * mpmath.log(2), 15)
    ('0.5', '1.38629436111989', '1.38629436111989')
    >>> mpmath.nstr(pd_functionals(0, digits=15).E_W1, 15)   # θ = 0: one weight carries everything
    '1.0'
    """
    th = to_mpf(real(theta, "theta", low=0, high=1, high_open=True))
    if th == 0:
        w1 = mpmath.mpf(1)
    else:
        def f(t):
            return mpmath.exp(-t) / (mpmath.exp(-t) + t ** th * mpmath.gammainc(1 - th, 0, t))

        w1 = mpmath.quad(f, [0, 1, 10, 40, mpmath.inf])
    return LimitValues(domain="gumbel", E_W1=w1, E_sum_W2=1 - th, E_entropy=mpmath.digamma(1) - mpmath.digamma(1 - th),
                       theta=th)


@precise
def pd_max_weight_tail(theta, w, digits: int = 20):
    """P(W_(1) > w) for PD(θ, 0) and 1/2 ≤ w < 1: ((1 − w)/w)^θ sin(πθ)/(πθ) (docs/score_laws.md §3).

    At most one weight exceeds 1/2, so P(W_(1) > w) = E Σ 1{W_j > w} = ∫ θ y^{−1−θ} P(T' < y (1 − w)/w) dy
    = x^θ E[T^{−θ}], x = (1 − w)/w, and E T^{−θ} = 1/(Γ(1 + θ) Γ(1 − θ)) for E e^{−tT} = e^{−Γ(1−θ) t^θ}.

    >>> mpmath.nstr(pd_max_weight_tail("1/2", "1/2", digits=15), 15), mpmath.nstr(2 / mpmath.pi, 15)
    ('0.636619772367581', '0.636619772367581')
    """
    th = to_mpf(real(theta, "theta", low=0, high=1, low_open=True, high_open=True))
    ww = to_mpf(real(w, "w", low="1/2", high=1, high_open=True))
    return ((1 - ww) / ww) ** th * mpmath.sin(mpmath.pi * th) / (mpmath.pi * th)


@precise
def critical_beta(law, n, digits: int = 20):
    """β_n of the law's domain at n keys: (κ n)^{1/α}, 1/a_n or log n/a_n (``ScoreLaw.critical_scale``).

    >>> mpmath.nstr(critical_beta("sphere:3", 1000, digits=15), 15)   # κ_3 n = n/2
    '500.0'
    >>> mpmath.nstr(critical_beta("gaussian", 10 ** 12, digits=15), 15), mpmath.nstr(mpmath.sqrt(24 * mpmath.log(10)), 15)
    ('7.43384437769968', '7.43384437769968')
    """
    import sympy as sp

    from attnlimits.theory.score_laws import n as nsym

    law = _law(law)
    n = count(n, "n")
    expr = law.critical_scale()
    if expr is None:
        raise InputError(f"law {law.spec} is in no extreme-value domain ({law.note}): it has no critical scale")
    if law.domain != "weibull" and n < 2:
        raise InputError(f"n must be >= 2 for the critical scale of a {law.domain}-domain law (log n), got {n}")
    f = sp.lambdify(nsym, expr, "mpmath")
    return mpmath.mpf(f(mpmath.mpf(n)))


@precise
def beta_at(law, n, *, c=None, lam=None, digits: int = 20):
    """β from a scaling: λ (κ n)^{1/α} (weibull, ``lam``) or c β_n (gumbel and frechet, ``c``).

    >>> mpmath.nstr(beta_at("gaussian", 10 ** 12, c=2, digits=15), 15)
    '14.8676887553994'
    """
    law = _law(law)
    scale, val = _scale(law, c, lam)
    return to_mpf(val) * critical_beta(law, n, digits)


def _scale(law, c, lam):
    if (c is None) == (lam is None):
        raise InputError("give exactly one of c and lambda")
    if law.domain == "none":
        raise InputError(f"law {law.spec} is in no extreme-value domain ({law.note}): give beta")
    if lam is not None:
        positive_real(lam, "lambda")
        if law.domain != "weibull":
            raise InputError(f"lambda is the weibull-domain scale beta = lambda (kappa n)^(1/alpha); law {law.spec} "
                             f"is in the {law.domain} domain: use c")
        return "lambda", lam
    positive_real(c, "c")
    if law.domain == "weibull":
        raise InputError(f"c is the gumbel/frechet-domain scale; law {law.spec} is in the weibull domain: use lambda "
                         f"(beta = lambda (kappa n)^(1/alpha))")
    return "c", c


@precise
def limit_values(law, *, c=None, lam=None, digits: int = 20) -> LimitValues:
    """The n → ∞ limit of E W_(1), E Σ W², E H at the law's critical scaling (module docstring).

    >>> r = limit_values("uniform", lam=1, digits=10)   # α = κ = 1: E W_(1) = e^{−γ}
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(mpmath.exp(-mpmath.euler), 10)
    ('0.5614594836', '0.5614594836')
    >>> mpmath.nstr(limit_values("pareto:2", c=1, digits=10).E_W1, 10), mpmath.nstr(1 - mpmath.exp(-1), 10)
    ('0.6321205588', '0.6321205588')
    """
    law = _law(law)
    scale, val = _scale(law, c, lam)
    v = to_mpf(val)
    if law.domain == "weibull":
        from attnlimits.numerics.laws import poisson_limit as PL

        al = _sym(law.alpha)
        try:
            PL.check_supported(al, v, digits, route="campbell")
            r = PL.campbell_functionals(al, v, digits, k_max=1)
        except InputError as campbell_refused:
            # the Campbell panels need 2 alpha an integer (or alpha >= 8); conditioning on the first point does not
            try:
                PL.check_supported(al, v, digits, route="first_point")
            except InputError:
                raise campbell_refused from None
            r = PL.first_point_functionals(al, v, digits)
        return LimitValues(law=law.spec, domain="weibull", scale=scale, value=v, E_W1=r.E_W1, E_sum_W2=r.E_sum_W2,
                           E_entropy=r.E_entropy, alpha=al)
    if law.domain == "gumbel":
        th = 1 / v
        if th >= 1:
            return LimitValues(law=law.spec, domain="gumbel", scale=scale, value=v, E_W1=mpmath.mpf(0),
                               E_sum_W2=mpmath.mpf(0), E_entropy=None, theta=th)
        r = pd_functionals(th, digits)
        return dataclasses.replace(r, law=law.spec, scale=scale, value=v)
    a = _sym(law.tail_index)
    p = -mpmath.expm1(-v ** a)
    return LimitValues(law=law.spec, domain="frechet", scale=scale, value=v, E_W1=p, E_sum_W2=p, E_entropy=None)


@precise
def gumbel_level(law, n, digits: int = 20):
    """(b*, a*): the exact level n F̄(b*) = 1 and the von Mises scale a* = F̄(b*)/f(b*) of a gumbel-domain law.

    For N(0, 1), b* = √(2 log n) − (log log n + log 4π)/(2√(2 log n)) + O(log log n/log n)^2·…, a* ~ 1/b*:

    >>> b, a = gumbel_level("exponential", 1000, digits=15)   # F̄ = e^{−x}: b* = log n, a* = 1
    >>> mpmath.nstr(b, 15), mpmath.nstr(a, 15)
    ('6.90775527898214', '1.0')
    """
    law = _law(law)
    n = count(n, "n", low=2)
    if law.domain != "gumbel":
        raise InputError(f"law {law.spec} is in the {law.domain} domain, not the gumbel domain")
    fam = law.family
    L = mpmath.log(n)
    if fam == "exponential":
        return L, mpmath.mpf(1)
    if fam == "gumbel":
        b = -mpmath.log(-mpmath.log1p(-1 / mpmath.mpf(n)))
        return b, -mpmath.expm1(-mpmath.exp(-b)) / mpmath.exp(-b - mpmath.exp(-b))
    s = _sym(law.param("SIGMA"))
    z = mpmath.findroot(lambda y: mpmath.log(mpmath.ncdf(-y)) + L, mpmath.sqrt(2 * L))
    return s * z, s * mpmath.ncdf(-z) / mpmath.npdf(z)


@precise
def gumbel_effective_c(law, n, beta, digits: int = 20):
    """c_eff = β a*, the Gumbel-domain c that the n keys actually see (docs/score_laws.md §3).

    Near the exact level b* the tail is n F̄(b* + a* z) = e^{−z − η z²/2 + …} with η = O(1/log n) for Gaussian
    scores: the linear part is exact with a* = F̄(b*)/f(b*), so the PD(1/c_eff, 0) functionals carry the
    log log n/log n part of the finite-n correction and leave O(1/log n).

    >>> mpmath.nstr(gumbel_effective_c("exponential", 1000, 3, digits=10), 10)
    '3.0'
    """
    positive_real(beta, "beta")
    _, a = gumbel_level(law, n, digits)
    return to_mpf(beta) * a


@precise
def pd_sum_w2_curvature(theta, digits: int = 20):
    """D(θ) = d/dη E Σ W² at η = 0 for the Poisson process with P(#points > z) = e^{−z − η z²/2}, y = e^{z/θ}.

    Campbell: E Σ W² = ∫ t e^{−Φ(t)} M_2(t) dt with Φ, M_2 linear in the intensity μ; to first order in η,
    μ = μ_0 + η μ_1, μ_1(dz) = (z − z²/2) e^{−z} dz, and δ E Σ W² = ∫ t e^{−Φ_0} (M_2[μ_1] − Φ[μ_1] M_2[μ_0]) dt with
    Φ_0 = Γ(1 − θ) t^θ, M_2[μ_0] = θ Γ(2 − θ) t^{θ−2}. In y, μ_1 carries (θ log y − θ² log² y/2), so
    Φ[μ_1] = θ (−θ G'(θ) − (θ²/2) G''(θ)) with G(s) = t^s Γ(1 − s)/s and M_2[μ_1] likewise with
    H(s) = Γ(2 − s) t^{s−2} (derivatives in s; docs/score_laws.md §3).

    >>> mpmath.nstr(pd_sum_w2_curvature("1/2", digits=10), 10)
    '0.4160872026'
    """
    th = to_mpf(real(theta, "theta", low=0, high=1, low_open=True, high_open=True))

    def f(t):
        def G(s):
            return t ** s * mpmath.gamma(1 - s) / s

        def H(s):
            return mpmath.gamma(2 - s) * t ** (s - 2)

        A1, A2 = -mpmath.diff(G, th, 1), mpmath.diff(G, th, 2)
        B1, B2 = -mpmath.diff(H, th, 1), mpmath.diff(H, th, 2)
        phi1 = th * (th * A1 - th ** 2 / 2 * A2)
        m21 = th * (th * B1 - th ** 2 / 2 * B2)
        phi0 = mpmath.gamma(1 - th) * t ** th
        m20 = th * mpmath.gamma(2 - th) * t ** (th - 2)
        return t * mpmath.exp(-phi0) * (m21 - phi1 * m20)

    return mpmath.quad(f, [0, 1, 10, 100, mpmath.inf])


@precise
def gumbel_sum_w2_expansion(law, n, beta, digits: int = 20):
    """E Σ w² ≈ 1 − θ_eff + η D(θ_eff) for n gumbel-domain scores at β (docs/score_laws.md §3).

    θ_eff = 1/(β a*) carries the log log n/log n term (:func:`gumbel_effective_c`); η = h'(b*)/h(b*)², h = f/F̄ the
    hazard at the exact level b*, is the curvature of log(n F̄) in the units of a* (η ~ 1/(2 log n) for Gaussian
    scores, 0 for exponential ones); D is :func:`pd_sum_w2_curvature`. Returns (expansion, θ_eff, η).

    >>> e, th, eta = gumbel_sum_w2_expansion("exponential", 1000, 2, digits=10)   # exactly exponential: η = 0
    >>> mpmath.nstr(e, 10), mpmath.nstr(eta, 3)
    ('0.5', '0.0')
    """
    law = _law(law)
    b, a = gumbel_level(law, n, digits)
    th = 1 / (to_mpf(positive_real(beta, "beta")) * a)
    if th >= 1:
        raise InputError(f"the expansion needs c_eff = beta a* > 1 (a Poisson-Dirichlet limit), got {mpmath.nstr(1 / th, 6)}")
    fam = law.family
    if fam == "exponential":
        eta = mpmath.mpf(0)
    elif fam == "gumbel":
        # hazard of the Gumbel law: h(x) = e^{−x} e^{−e^{−x}}/(1 − e^{−e^{−x}}); η = h'/h², by differentiation
        h = lambda x: mpmath.exp(-x - mpmath.exp(-x)) / -mpmath.expm1(-mpmath.exp(-x))  # noqa: E731
        eta = mpmath.diff(h, b) / h(b) ** 2
    else:
        s = _sym(law.param("SIGMA"))
        z = b / s
        hz = mpmath.npdf(z) / mpmath.ncdf(-z)
        eta = (hz - z) / hz  # h' = h (h − z) for the standard normal hazard, in units of a* = s/h
    return 1 - th + eta * pd_sum_w2_curvature(th, digits), th, eta


@precise
def frechet_limit_first_order(law, c, n, digits: int = 20):
    """E W_(1) ≈ 1 − e^{−c^a} − (log 2/log n) a² c^{2a} ∫_1^∞ e^{−(c/x)^a} x^{−2a−2} dx (docs/score_laws.md §4).

    With x_k = c Γ_k^{−1/a} the exponents of the two top keys (e^{β X_(k)} = n^{x_k}), W_(1) ≈ 1/(1 + n^{x_2 − x_1})
    when both exceed 1; the loss (log 2/log n) p(x, x) integrated along the diagonal, p the joint density of
    (x_1, x_2), is the first-order correction (the bulk's logistic edge at x_1 = 1 is odd: second order).

    >>> mpmath.nstr(frechet_limit_first_order("pareto:2", 1, 10 ** 12, digits=10), 10)
    '0.6220592535'
    """
    law = _law(law)
    n = count(n, "n", low=3)
    if law.domain != "frechet":
        raise InputError(f"law {law.spec} is in the {law.domain} domain, not the frechet domain")
    cc = to_mpf(positive_real(c, "c"))
    a = _sym(law.tail_index)
    lim = -mpmath.expm1(-cc ** a)
    K = a * a * cc ** (2 * a) * mpmath.quad(lambda x: mpmath.exp(-(cc / x) ** a) * x ** (-2 * a - 2), [1, mpmath.inf])
    return lim - mpmath.log(2) / mpmath.log(n) * K


@precise
def frechet_fixed_beta_deficit(law, n, beta, digits: int = 20):
    """1 − E W_(1) ≈ (log 2/β) a Γ(2 + 1/a) (C n)^{−1/a} at fixed β for a frechet-domain law (docs/score_laws.md §4).

    Only the second key competes: 1 − W_(1) ≈ e^{−βG}/(1 + e^{−βG}), G = X_(1) − X_(2), whose density at 0 is
    n(n − 1) ∫ f² F^{n−2} dx ≈ a Γ(2 + 1/a) (C n)^{−1/a}; ∫_0^∞ e^{−βg}/(1 + e^{−βg}) dg = log 2/β.

    >>> mpmath.nstr(frechet_fixed_beta_deficit("pareto:2", 10 ** 6, 1, digits=10), 6)
    '0.00184286'
    """
    law = _law(law)
    n = count(n, "n", low=2)
    if law.domain != "frechet":
        raise InputError(f"law {law.spec} is in the {law.domain} domain, not the frechet domain")
    b = to_mpf(positive_real(beta, "beta"))
    a, C = _sym(law.tail_index), _sym(law.tail_constant)
    return mpmath.log(2) / b * a * mpmath.gamma(2 + 1 / a) * (C * n) ** (-1 / a)
