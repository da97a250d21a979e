"""Score laws beyond the sphere: the law of X = <q, K> near its top, its extreme-value domain and critical scale.

Paper 1's principle, for any i.i.d. score law (docs/score_laws.md §1): the critical inverse temperature is set by
the law of the top scores. With M_n the largest of n scores and (M_n − b_n)/a_n → G_ξ (the generalized extreme
value law), the three domains are (docs/score_laws.md §2–§4):

============  ==========================  =======================  =======================================
domain        top of the law              critical scale β_n        limit of the ranked weights at β = c β_n
============  ==========================  =======================  =======================================
weibull       finite, P(top − X ≤ t)      (κ n)^{1/α}               Poisson–Kingman, y_j = e^{−λ Γ_j^{1/α}}
              ~ κ t^α (ξ = −1/α)                                    (β = λ β_n; any real α > 0, any κ)
gumbel        infinite, light (ξ = 0)     1/a_n                     PD(1/c, 0) for c > 1; no macroscopic
                                                                    weight for c ≤ 1
frechet       infinite, P(X > x)          log n / a_n,              W_(1) → 1{Γ_1 < c^a}: all or nothing,
              ~ C x^{−a} (ξ = 1/a)        a_n = (C n)^{1/a}         E W_(1) → 1 − e^{−c^a}
============  ==========================  =======================  =======================================

A law is a :class:`ScoreLaw` (sympy objects: density, support, CDF where it has a closed form, and the constants
above, each derived by hand and re-derived from the density by :func:`derive`). :func:`score_law` parses the
command line's names: ``gaussian[:SIGMA]``, ``gumbel``, ``exponential``, ``uniform``, ``beta:A,B``, ``sphere:D``,
``pareto:A``, ``student:NU``, ``norm-sphere:D,G`` and ``bernoulli:P`` (no density: atoms at 0 and 1).

Keys with random norms (``norm-sphere:D,G``): X = R U with U = <q, K̂>, K̂ uniform on S^{D−1}, and R on [0, 1] with
P(1 − R ≤ s) = s^G. Near the top 1 − X = (1 − R) + (1 − U) − (1 − R)(1 − U), and the law of a sum of two independent
power-law gaps is the Beta-type convolution of :func:`convolved_top`: α = (D − 1)/2 + G,
κ = κ_D Γ(G + 1) Γ(a + 1)/Γ(a + G + 1) with a = (D − 1)/2 (docs/score_laws.md §5).

>>> law = score_law("beta:2,3/2")
>>> law.domain, law.alpha, law.kappa, law.xi
('weibull', 3/2, 5/2, -2/3)
>>> score_law("gaussian").critical_scale()
sqrt(2)*sqrt(log(n))
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from attnlimits.theory.sphere import kappa as sphere_kappa
from attnlimits.theory.sphere import n
from attnlimits.theory.validation import InputError, dimension, real

__all__ = ["x", "n", "ScoreLaw", "LAWS", "score_law", "from_density", "top_exponent", "tail_exponent",
           "von_mises_xi", "convolved_top", "derive", "gumbel_limit"]

x = sp.Symbol("x", real=True)  #: the score
_u = sp.Symbol("u", positive=True)
_z = sp.Symbol("z", real=True)

#: The law names of :func:`score_law`, with their parameters (the command line's ``--law``).
LAWS = ("gaussian[:SIGMA]", "gumbel", "exponential", "uniform", "beta:A,B", "sphere:D", "pareto:A", "student:NU",
        "norm-sphere:D,G", "bernoulli:P")


@dataclasses.dataclass(frozen=True)
class ScoreLaw:
    """One score law and its extreme-value data (sympy; ``None`` where a field does not apply).

    - ``spec``: the canonical name (``"beta:2,3/2"``); ``family``; ``params``: ((name, value), ...).
    - ``density``: f(x) (an unevaluated ``Integral`` for ``norm-sphere``), ``None`` for a law without one;
      ``support``: (lo, hi), possibly ±oo; ``cdf``: F(x) where it has a closed form; ``atoms``: point masses.
    - ``domain``: ``"weibull"``, ``"gumbel"``, ``"frechet"`` or ``"none"``; ``xi``: the extreme-value index ξ.
    - ``alpha``, ``kappa``: P(top − X ≤ t) ~ κ t^α (weibull); ``tail_index`` a and ``tail_constant`` C:
      P(X > x) ~ C x^{−a} (frechet).
    - ``a_n``, ``b_n``: normalizing constants in the symbol n, (M_n − b_n)/a_n → G_ξ.
    - ``note``: one sentence on the law.

    >>> law = score_law("sphere:3")
    >>> law.density, law.support, law.alpha, law.kappa, law.critical_scale()
    (1/2, (-1, 1), 1, 1/2, n/2)
    """

    spec: str
    family: str
    params: tuple
    density: object
    support: tuple
    cdf: object = None
    atoms: tuple = ()
    domain: str = "none"
    xi: object = None
    alpha: object = None
    kappa: object = None
    tail_index: object = None
    tail_constant: object = None
    a_n: object = None
    b_n: object = None
    note: str = ""

    @property
    def top(self):
        """The right end of the support (``oo`` for an unbounded top)."""
        return self.support[1]

    def param(self, name: str):
        """The value of the parameter ``name``.

        >>> score_law("beta:2,3").param("B")
        3
        """
        return dict(self.params)[name]

    def critical_scale(self, nn=n):
        """β_n: (κ n)^{1/α} (weibull), 1/a_n (gumbel), log n / a_n (frechet); ``None`` outside the three domains.

        >>> score_law("uniform").critical_scale(), score_law("pareto:2").critical_scale()
        (n, log(n)/sqrt(n))
        """
        if self.domain == "weibull":
            e = (self.kappa * n) ** (1 / self.alpha)
        elif self.domain == "gumbel":
            e = 1 / self.a_n
        elif self.domain == "frechet":
            e = sp.log(n) / self.a_n
        else:
            return None
        return sp.powsimp(e.subs(n, nn), force=True)


# ---------------------------------------------------------------- parsing


def _number(text, name, **bounds):
    """A user's parameter as an exact sympy Rational (decimal text and ratios keep every digit)."""
    v = real(text, name, **bounds)
    if isinstance(v, Fraction):
        fr = v
    elif isinstance(v, str):
        fr = Fraction(Decimal(v))
    else:
        fr = Fraction(v)
    return sp.Rational(fr.numerator, fr.denominator)


def score_law(spec) -> ScoreLaw:
    """The law named ``spec`` (one of :data:`LAWS`); bad names and parameters raise one-line ``InputError``.

    >>> score_law("gaussian:2").a_n
    sqrt(2)/sqrt(log(n))
    >>> score_law("beta:1")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: law beta:A,B takes 2 parameters (A, B); got 'beta:1'
    >>> score_law("cauchy")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: law must be one of gaussian[:SIGMA], gumbel, ...; got 'cauchy'
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"law must be a name such as gaussian or beta:2,3; got {spec!r}")
    text = spec.strip()
    family, _, rest = text.partition(":")
    family = family.strip().lower()
    args = [a.strip() for a in rest.split(",")] if rest.strip() else []
    if family not in _FAMILIES:
        raise InputError(f"law must be one of {', '.join(LAWS)}; got {spec!r}")
    names, build, optional = _FAMILIES[family]
    if not (len(args) == len(names) or (optional and not args)):
        usage = family + (":" + ",".join(names) if names else "")
        want = f"{len(names)} parameter{'s' if len(names) != 1 else ''} ({', '.join(names)})" if names else \
            "no parameters"
        raise InputError(f"law {usage} takes {want}; got {spec!r}")
    return build(*args)


def _label(family, names):
    return family + (":" + ",".join(names) if names else "")


def _gaussian(sigma="1"):
    s = _number(sigma, "SIGMA (in gaussian:SIGMA)", low=0, low_open=True)
    L = sp.log(n)
    dens = sp.exp(-x ** 2 / (2 * s ** 2)) / (s * sp.sqrt(2 * sp.pi))
    return ScoreLaw(
        spec="gaussian" if s == 1 else f"gaussian:{s}", family="gaussian", params=(("SIGMA", s),),
        density=dens, support=(-sp.oo, sp.oo), cdf=(1 + sp.erf(x / (s * sp.sqrt(2)))) / 2,
        domain="gumbel", xi=sp.Integer(0),
        a_n=s / sp.sqrt(2 * L),
        b_n=s * (sp.sqrt(2 * L) - (sp.log(L) + sp.log(4 * sp.pi)) / (2 * sp.sqrt(2 * L))),
        note="Gaussian scores N(0, SIGMA^2) (Gaussian keys, fixed query): the random energy model")


def _gumbel():
    return ScoreLaw(
        spec="gumbel", family="gumbel", params=(), density=sp.exp(-x - sp.exp(-x)), support=(-sp.oo, sp.oo),
        cdf=sp.exp(-sp.exp(-x)), domain="gumbel", xi=sp.Integer(0), a_n=sp.Integer(1), b_n=sp.log(n),
        note="standard Gumbel scores: an exactly exponential upper tail, so a_n = 1 at every n")


def _exponential():
    return ScoreLaw(
        spec="exponential", family="exponential", params=(), density=sp.exp(-x), support=(sp.Integer(0), sp.oo),
        cdf=1 - sp.exp(-x), domain="gumbel", xi=sp.Integer(0), a_n=sp.Integer(1), b_n=sp.log(n),
        note="standard exponential scores: n P(X > log n + z) = e^{-z} exactly")


def _uniform():
    return ScoreLaw(
        spec="uniform", family="uniform", params=(), density=sp.Integer(1), support=(sp.Integer(0), sp.Integer(1)),
        cdf=x, domain="weibull", xi=sp.Integer(-1), alpha=sp.Integer(1), kappa=sp.Integer(1),
        a_n=1 / n, b_n=sp.Integer(1), note="uniform scores on [0, 1]")


def _beta(A, B):
    a = _number(A, "A (in beta:A,B)", low=0, low_open=True)
    b = _number(B, "B (in beta:A,B)", low=0, low_open=True)
    for v, nm in ((a, "A"), (b, "B")):
        if v > 10 ** 6:
            raise InputError(f"{nm} (in beta:A,B) must be <= 1e6, got {v}")
    dens = x ** (a - 1) * (1 - x) ** (b - 1) / sp.beta(a, b)
    kap = 1 / (b * sp.beta(a, b))
    return ScoreLaw(
        spec=f"beta:{a},{b}", family="beta", params=(("A", a), ("B", b)), density=dens,
        support=(sp.Integer(0), sp.Integer(1)), domain="weibull", xi=-1 / b, alpha=b, kappa=sp.gammasimp(kap),
        a_n=(kap * n) ** (-1 / b), b_n=sp.Integer(1), note="Beta(A, B) scores on [0, 1]")


def _sphere(D):
    d = sp.Integer(dimension(D, "D (in sphere:D)"))
    a = (d - 1) / 2
    dens = sp.gamma(d / 2) / (sp.sqrt(sp.pi) * sp.gamma(a)) * (1 - x ** 2) ** (a - 1)
    k = sphere_kappa(d)
    return ScoreLaw(
        spec=f"sphere:{d}", family="sphere", params=(("D", d),), density=dens, support=(sp.Integer(-1), sp.Integer(1)),
        domain="weibull", xi=-1 / a, alpha=a, kappa=k, a_n=(k * n) ** (-1 / a), b_n=sp.Integer(1),
        note="X = <q, K>, K uniform on S^{D-1} (paper 1's keys)")


def _pareto(A):
    a = _number(A, "A (in pareto:A)", low=0, low_open=True)
    if a > 10 ** 6:
        raise InputError(f"A (in pareto:A) must be <= 1e6, got {a}")
    return ScoreLaw(
        spec=f"pareto:{a}", family="pareto", params=(("A", a),), density=a * x ** (-a - 1),
        support=(sp.Integer(1), sp.oo), cdf=1 - x ** (-a), domain="frechet", xi=1 / a, tail_index=a,
        tail_constant=sp.Integer(1), a_n=n ** (1 / a), b_n=sp.Integer(0),
        note="Pareto scores, P(X > x) = x^{-A} on [1, oo)")


def _student(NU):
    nu = _number(NU, "NU (in student:NU)", low=0, low_open=True)
    if nu > 10 ** 6:
        raise InputError(f"NU (in student:NU) must be <= 1e6, got {nu}")
    K = sp.gamma((nu + 1) / 2) / (sp.sqrt(nu * sp.pi) * sp.gamma(nu / 2))
    C = sp.gammasimp(K * nu ** ((nu - 1) / 2))
    return ScoreLaw(
        spec=f"student:{nu}", family="student", params=(("NU", nu),), density=K * (1 + x ** 2 / nu) ** (-(nu + 1) / 2),
        support=(-sp.oo, sp.oo), domain="frechet", xi=1 / nu, tail_index=nu, tail_constant=C,
        a_n=(C * n) ** (1 / nu), b_n=sp.Integer(0), note="Student t scores with NU degrees of freedom")


def _norm_sphere(D, G):
    d = sp.Integer(dimension(D, "D (in norm-sphere:D,G)"))
    g = _number(G, "G (in norm-sphere:D,G)", low=0, low_open=True)
    if g > 10 ** 6:
        raise InputError(f"G (in norm-sphere:D,G) must be <= 1e6, got {g}")
    a = (d - 1) / 2
    r = sp.Symbol("r", positive=True)
    f_u = sp.gamma(d / 2) / (sp.sqrt(sp.pi) * sp.gamma(a)) * (1 - (x / r) ** 2) ** (a - 1)
    f_r = g * (1 - r) ** (g - 1)
    dens = sp.Integral(f_r * f_u / r, (r, sp.Abs(x), 1))
    al, ka = convolved_top(g, sp.Integer(1), a, sphere_kappa(d))
    return ScoreLaw(
        spec=f"norm-sphere:{d},{g}", family="norm-sphere", params=(("D", d), ("G", g)), density=dens,
        support=(sp.Integer(-1), sp.Integer(1)), domain="weibull", xi=-1 / al, alpha=al, kappa=ka,
        a_n=(ka * n) ** (-1 / al), b_n=sp.Integer(1),
        note="X = R <q, K>, K uniform on S^{D-1}, P(1 - R <= s) = s^G on [0, 1]")


def _bernoulli(P):
    p = _number(P, "P (in bernoulli:P)", low=0, high=1, low_open=True, high_open=True)
    return ScoreLaw(
        spec=f"bernoulli:{p}", family="bernoulli", params=(("P", p),), density=None,
        support=(sp.Integer(0), sp.Integer(1)), cdf=None, atoms=((sp.Integer(0), 1 - p), (sp.Integer(1), p)),
        domain="none", note="scores 0 or 1: an atom at the top, no extreme-value limit and no density")


# family -> (parameter names, builder, parameters optional)
_FAMILIES = {
    "gaussian": (("SIGMA",), _gaussian, True),
    "gumbel": ((), _gumbel, False),
    "exponential": ((), _exponential, False),
    "uniform": ((), _uniform, False),
    "beta": (("A", "B"), _beta, False),
    "sphere": (("D",), _sphere, False),
    "pareto": (("A",), _pareto, False),
    "student": (("NU",), _student, False),
    "norm-sphere": (("D", "G"), _norm_sphere, False),
    "bernoulli": (("P",), _bernoulli, False),
}


# ---------------------------------------------------------------- derivations from the density


def top_exponent(density, top):
    """(α, κ) of P(top − X ≤ t) ~ κ t^α from the density: f(top − u) ~ c u^{α−1}, so κ = c/α (docs/score_laws.md §2).

    >>> top_exponent(x ** 2 * 3, 1)   # f = 3x² on [0, 1]: f(1 − u) → 3, α = 1, κ = 3
    (1, 3)
    """
    f = sp.sympify(density).subs(x, top - _u)
    e = sp.limit(_u * sp.diff(sp.log(f), _u), _u, 0, "+")
    c = sp.limit(f / _u ** e, _u, 0, "+")
    al = sp.simplify(e + 1)
    return al, sp.gammasimp(sp.simplify(c / al))


def tail_exponent(density):
    """(a, C) of P(X > x) ~ C x^{−a} from a density with a power tail: x f'/f → −(a + 1), x^{a+1} f → C a.

    >>> tail_exponent(2 * x ** -3)   # Pareto a = 2
    (2, 1)
    """
    f = sp.sympify(density)
    e = sp.limit(x * sp.diff(f, x) / f, x, sp.oo)
    a = sp.simplify(-e - 1)
    c = sp.limit(x ** (a + 1) * f, x, sp.oo)
    return a, sp.gammasimp(sp.simplify(c / a))


def von_mises_xi(density, survival, top=sp.oo):
    """ξ = lim_{x → top} d/dx (F̄(x)/f(x)), von Mises' condition (F̄ = 1 − F): −1/α, 0 or 1/a by domain.

    >>> von_mises_xi(sp.exp(-x), sp.exp(-x))   # exponential: F̄/f = 1
    0
    """
    h = sp.diff(sp.sympify(survival) / sp.sympify(density), x)
    return sp.limit(h, x, top, "-") if top is not sp.oo else sp.limit(h, x, sp.oo)


def convolved_top(alpha1, kappa1, alpha2, kappa2):
    """(α, κ) of P(S + D ≤ t) for independent gaps with P(S ≤ s) ~ κ1 s^{α1}, P(D ≤ s) ~ κ2 s^{α2}.

    The leading terms convolve: ∫_0^t κ1 α1 s^{α1−1} κ2 (t − s)^{α2} ds = κ1 κ2 Γ(α1+1) Γ(α2+1)/Γ(α1+α2+1) t^{α1+α2}
    (a Beta integral; docs/score_laws.md §5).

    >>> convolved_top(1, 1, 1, sp.Rational(1, 2))   # two uniform gaps (densities 1 and 1/2): t²/4
    (2, 1/4)
    """
    a1, k1, a2, k2 = map(sp.sympify, (alpha1, kappa1, alpha2, kappa2))
    # s = t u turns the integral into κ1 κ2 α1 t^{α1+α2} B(α1, α2 + 1) (the Beta integral, DLMF 5.12.1)
    kap = sp.gammasimp(k1 * k2 * sp.gamma(a1 + 1) * sp.gamma(a2 + 1) / sp.gamma(a1 + a2 + 1))
    return sp.simplify(a1 + a2), kap


def gumbel_limit(law: ScoreLaw):
    """lim_{n→∞} n F̄(b_n + a_n z) for a Gumbel-domain law with a closed-form CDF (e^{−z} if a_n, b_n are right).

    >>> gumbel_limit(score_law("exponential"))
    exp(-z)
    """
    if law.domain != "gumbel" or law.cdf is None:
        raise InputError(f"gumbel_limit needs a gumbel-domain law with a closed-form CDF; {law.spec} is not one")
    L = sp.Symbol("L", positive=True)
    expr = (n * (1 - law.cdf.subs(x, law.b_n + law.a_n * _z))).subs(n, sp.exp(L))
    return sp.limit(sp.simplify(expr), L, sp.oo)


def derive(law: ScoreLaw) -> dict:
    """The domain constants re-derived from the density by sympy (the checks of the hand-derived fields).

    Weibull: (alpha, kappa) from :func:`top_exponent`; frechet: (tail_index, tail_constant) from
    :func:`tail_exponent`; gumbel: ξ from :func:`von_mises_xi`. ``norm-sphere``'s density is an integral: its
    exponent comes from :func:`convolved_top` and is checked numerically (docs/score_laws.md §5).

    >>> derive(score_law("beta:2,3"))
    {'alpha': 3, 'kappa': 4, 'xi': -1/3}
    """
    if law.density is None:
        raise InputError(f"law {law.spec} has no density: nothing to derive from")
    if law.family == "norm-sphere":
        raise InputError("the density of norm-sphere:D,G is an integral; its exponent is convolved_top's")
    if law.domain == "weibull":
        al, ka = top_exponent(law.density, law.top)
        return {"alpha": al, "kappa": ka, "xi": -1 / al}
    if law.domain == "frechet":
        a, c = tail_exponent(law.density)
        return {"tail_index": a, "tail_constant": c, "xi": 1 / a}
    if law.domain == "gumbel":
        return {"xi": von_mises_xi(law.density, 1 - law.cdf)}
    return {}


def from_density(density, support, name: str = "custom") -> ScoreLaw:
    """A score law given by a density in the symbol :data:`x` on ``support`` = (lo, hi): it must be a density.

    The integral over the support must be 1 (a one-line ``InputError`` says what it is otherwise). The domain
    follows from the top: finite → weibull (:func:`top_exponent`); infinite with x f'/f → −(a + 1) finite →
    frechet; x f'/f → −oo → gumbel (a_n, b_n left to the caller: they need F̄^{−1}(1/n)).

    >>> from_density(2 * x, (0, 1)).alpha, from_density(2 * x, (0, 1)).kappa
    (1, 2)
    >>> from_density(x, (0, 1))
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: the density of custom does not normalize: its integral over [0, 1] is 1/2, not 1
    """
    f = sp.sympify(density)
    if not f.free_symbols <= {x}:
        raise InputError(f"the density of {name} must depend on x only, got {f}")
    lo, hi = (sp.sympify(v) for v in support)
    if not (lo.is_number and hi.is_number) or not bool(lo < hi):
        raise InputError(f"the support of {name} must be an interval lo < hi, got {support!r}")
    total = sp.simplify(sp.integrate(f, (x, lo, hi)))
    if total != 1:
        raise InputError(f"the density of {name} does not normalize: its integral over [{lo}, {hi}] is {total}, not 1")
    cdf = sp.simplify(sp.integrate(f.subs(x, _u), (_u, lo, x)))
    base = dict(spec=name, family="custom", params=(), density=f, support=(lo, hi), cdf=cdf)
    if hi.is_finite:
        al, ka = top_exponent(f, hi)
        return ScoreLaw(**base, domain="weibull", xi=-1 / al, alpha=al, kappa=ka, a_n=(ka * n) ** (-1 / al), b_n=hi)
    e = sp.limit(x * sp.diff(f, x) / f, x, sp.oo)
    if e.is_finite:
        a, c = tail_exponent(f)
        return ScoreLaw(**base, domain="frechet", xi=1 / a, tail_index=a, tail_constant=c, a_n=(c * n) ** (1 / a),
                        b_n=sp.Integer(0))
    return ScoreLaw(**base, domain="gumbel", xi=sp.Integer(0))
