"""High-precision evaluation of the equiangular model (paper 2, Theorems 2.1 and 2.4) at finite n and in the limit.

Finite n: the exact formulas of :mod:`attnlimits.theory.equiangular` (cosine of the outputs) and
:mod:`attnlimits.theory.gradient_stat` (eta), evaluated with mpmath at the requested digits; n up to 10^12
and beyond (the guard digits grow with log10 n because the expanded eta polynomial cancels in n).
Limits: the sympy-derived expressions, evaluated at the requested digits. :func:`simplex_summary` gathers what
``attnlimits simplex`` prints (docs/mathematics.md §10).
"""
from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction

import mpmath
import sympy as sp

from attnlimits.numerics.precision import GUARD_DIGITS, precise, working_digits
from attnlimits.numerics.results import Result
from attnlimits.theory import equiangular as T
from attnlimits.theory import gradient_stat as GS
from attnlimits.theory.validation import Exact, InputError, count, integer, positive_real, real

__all__ = ["check_rho", "self_weight", "finite_inner", "limit_inner", "window_inner", "phase", "critical_gamma",
           "finite_eta", "limit_eta", "beta_of", "ETA_LIMIT_FORMULAS", "SimplexSummary", "simplex_summary"]


def _rational(x) -> sp.Rational:
    """A checked number as the exact rational it was typed as (decimal text, ratio, int, float by its repr)."""
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    return sp.Rational(str(x).strip())


def check_rho(rho, n=None):
    """rho must lie in (-1/(n-1), 1) (Gram matrix positive definite); without n, in (0, 1) (n -> infinity).
    The comparison is exact: rho = 1 - 10^-40 is inside, -1/(n-1) itself is not.

    >>> check_rho("-0.2", 5)  # -1/(n-1) = -0.25 < rho: the Gram matrix is positive definite
    '-0.2'
    """
    if n is None:
        return real(rho, "rho", low=0, high=1, low_open=True, high_open=True)
    n = count(n, "n", low=2)
    lo = sp.Rational(-1, n - 1)
    if not (lo < _rational(real(rho, "rho")) < 1):
        raise InputError(f"rho must lie in (-1/(n-1), 1) = ({sp.N(lo, 6)}, 1) for n = {n}, got {rho}")
    return rho


def critical_gamma(rho) -> Exact:
    """gamma_c = 1/(1 - rho) exactly, as the fraction it is (``simplex --gamma critical``; paper 2, Thm 2.1).

    >>> g = critical_gamma("0.3")  # 1/(1 - 3/10) = 10/7, which no decimal reaches
    >>> str(g), phase(g, "0.3")
    ('10/7', 'critical')
    """
    r = _rational(real(rho, "rho", high=1, high_open=True))
    g = 1 / (1 - r)
    return Exact(Fraction(int(g.p), int(g.q)), str(g))


def _gamma(gamma, rho):
    """``gamma`` checked, with the symbolic value "critical" read as :func:`critical_gamma` (rho)."""
    if isinstance(gamma, str) and gamma.strip() == "critical":
        return critical_gamma(rho)
    return positive_real(gamma, "gamma")


def _mp(x):
    return mpmath.mpf(x) if not isinstance(x, str) else mpmath.mpf(x.strip())


def beta_of(n, gamma=None, beta=None):
    """beta = gamma log n, or beta itself (exactly one of the two), at the current precision.

    >>> mpmath.nstr(beta_of(10**6, gamma=2), 15)  # 2 log(10^6) = 27.63102111592854820...
    '27.6310211159285'
    """
    if (gamma is None) == (beta is None):
        raise InputError("give exactly one of gamma and beta")
    if beta is not None:
        return _mp(real(beta, "beta", low=0))
    return _mp(positive_real(gamma, "gamma")) * mpmath.log(n)


@precise
def self_weight(n, beta, rho, digits=30):
    """A_ii = 1/(1 + (n - 1) exp(-beta (1 - rho))), the weight of a token on itself.

    >>> self_weight(10, 0, "0.5", 20)  # beta = 0: uniform weights 1/n
    mpf('0.1')
    """
    n = count(n, "n", low=2)
    real(beta, "beta", low=0)
    check_rho(rho, n)
    return _self_weight(n, beta, rho)


def _self_weight(n: int, beta, rho):
    """:func:`self_weight` for checked inputs (beta may be an internal mpf such as gamma log n, beyond a double)."""
    return 1 / (1 + (n - 1) * mpmath.exp(-_mp(beta) * (1 - _mp(rho))))


@precise
def finite_inner(n, rho, *, gamma=None, beta=None, alpha=0, q=1, digits=30):
    """Exact <y_i', y_j'> (cosine of the outputs) after one layer, n equiangular tokens (package derivation,
    :mod:`attnlimits.theory.equiangular`): (a^2 rho + 2abg + b^2 n g)/(a^2 + 2abg + b^2 n g).

    >>> mpmath.nstr(finite_inner(1000, "0.5", gamma=2, digits=20), 15)  # -> 0.8 as n -> oo (critical phase)
    '0.800279967980788'
    """
    n = count(n, "n", low=2)
    check_rho(rho, n)
    real(alpha, "alpha", low=0)
    positive_real(q, "q")
    # numerator and denominator share terms of relative size 1/n: guard digits grow with log10 n (added to the
    # guard, not to the digits asked for, which may already be the largest allowed)
    with working_digits(digits, guard=GUARD_DIGITS + 2 * len(str(n))):
        b_ = beta_of(n, gamma, beta)
        r = _mp(rho)
        sw = 1 / (1 + (n - 1) * mpmath.exp(-b_ * (1 - r)))
        t = (1 - sw) / (n - 1)
        a = sw - t + _mp(alpha) * mpmath.sqrt(_mp(q))
        g = 1 + (n - 1) * r
        common = 2 * a * t * g + t * t * n * g
        val = (a * a * r + common) / (a * a + common)
    return val


def phase(gamma, rho) -> str:
    """'subcritical', 'critical' or 'supercritical' as gamma (1 - rho) <, =, > 1 (exact decimal comparison).

    >>> phase("1.5", "0.5"), phase(2, "0.5"), phase("2.5", "0.5")
    ('subcritical', 'critical', 'supercritical')
    """
    return T.phase_name(_rational(gamma), _rational(rho))


@functools.lru_cache(maxsize=None)
def _limits():
    return T.phase_limits()


@functools.lru_cache(maxsize=None)
def _window():
    return T.window_profile()


def _subs_eval(expr, digits, **vals):
    """``expr`` at the given exact decimal values, evaluated by sympy to digits + 10 digits (current precision)."""
    sub = {getattr(T, "alpha_res" if k == "alpha" else k): _rational(v) for k, v in vals.items()}
    return mpmath.mpf(sp.N(expr.subs(sub), digits + 10))


@precise
def limit_inner(gamma, rho, *, alpha=0, q=1, digits=30):
    """(phase, lim_{n->oo} <y_i', y_j'>) for beta = gamma log n (sympy-derived phase limits; Thm 2.1 at alpha = 0).

    >>> limit_inner(2, "0.5", digits=20)  # gamma (1 - rho) = 1: critical
    ('critical', mpf('0.8'))
    """
    positive_real(gamma, "gamma")
    check_rho(rho)
    real(alpha, "alpha", low=0)
    positive_real(q, "q")
    ph = phase(gamma, rho)
    return ph, _subs_eval(_limits()[ph], digits, rho=rho, alpha=alpha, q=q)


@precise
def window_inner(c, rho, *, alpha=0, q=1, digits=30):
    """Crossover profile: lim <y_i', y_j'> for beta = gamma_c log n + c (sympy-derived).

    >>> mpmath.nstr(window_inner(0, "0.5", digits=20), 15)  # c = 0 is the critical limit itself
    '0.8'
    """
    real(c, "c")
    check_rho(rho)
    return _subs_eval(_window(), digits, c=c, rho=rho, alpha=alpha, q=q)


@functools.lru_cache(maxsize=None)
def _eta_fn():
    return sp.lambdify((T.s, T.n, GS.d, T.beta, T.rho, T.q), GS.eta_of_s(), modules="mpmath")


@precise
def finite_eta(n, rho, d, *, gamma=None, beta=None, q=1, digits=30):
    """Exact eta = |dX'/dX|_F^2/(n d) for n equiangular tokens in R^d (d >= n), alpha = 0 (Thm 2.4 setting).

    No example here: the first call derives eta symbolically (:func:`attnlimits.theory.gradient_stat.eta_of_s`,
    about 3 s); e.g. finite_eta(100, "0.5", 100, gamma=2) = 0.289277290193609..., tending to (1/4)(1 - 1/d).
    """
    n = count(n, "n", low=2)
    d = integer(d, "d", low=2)  # not dimension(): the model needs d >= n, and n may be 10^12
    if d < n:
        raise InputError(f"the equiangular configuration needs d >= n; got d = {d} < n = {n}")
    check_rho(rho, n)
    positive_real(q, "q")
    # the expanded polynomial cancels like n^4 / d, and its beta and beta^2 terms vanish at s = 1 only after
    # cancelling: guard digits grow with log10 n and with 2 log10 beta
    with working_digits(digits, guard=GUARD_DIGITS + 6 * len(str(n)) + _beta_guard(n, gamma, beta)):
        b_ = beta_of(n, gamma, beta)
        r = _mp(rho)
        sw = 1 / (1 + (n - 1) * mpmath.exp(-b_ * (1 - r)))
        val = _eta_fn()(sw, mpmath.mpf(n), mpmath.mpf(d), b_, r, _mp(q))
    return val


def _beta_guard(n, gamma, beta) -> int:
    """2 log10(beta) + 2 digits (at least 0): eta's beta^2 e_2 term cancels that many digits when beta is large."""
    with mpmath.workdps(20):
        b = beta_of(n, gamma, beta)
        return 0 if b < 10 else 2 * int(mpmath.log10(b)) + 2


#: The Theorem 2.4 limits of eta by phase, as printed when no dimension is given (derived in
#: :func:`attnlimits.theory.gradient_stat.eta_phase_limits` with delta = 1/d; a test checks they agree).
ETA_LIMIT_FORMULAS = {"subcritical": "0", "critical": "(1/(4q))(1 - 1/d)", "supercritical": "(1/q)(1 - 1/d)"}


@precise
def limit_eta(gamma, rho, d, *, q=1, digits=30):
    """The Theorem 2.4 limit L(d) = 0, (1/(4q))(1 - 1/d), (1/q)(1 - 1/d) by phase (sympy-derived, d = d_n >= n).

    >>> limit_eta(2, "0.5", 100, digits=20)  # critical: (1/4)(1 - 1/100)
    ('critical', mpf('0.2475'))
    """
    positive_real(gamma, "gamma")
    check_rho(rho)
    d = integer(d, "d", low=2)
    ph = phase(gamma, rho)
    expr = GS.eta_phase_limits()[ph]["limit"]
    v = mpmath.mpf(sp.N(expr.subs({GS.delta: sp.Rational(1, d), T.q: _rational(q)}), digits + 10))
    return ph, v


@dataclasses.dataclass(frozen=True)
class SimplexSummary(Result):
    """What ``attnlimits simplex`` prints for n equiangular tokens at beta = gamma log n (docs/mathematics.md §10).

    Values are mpf at the requested digits; fields that do not apply are None.

    - ``gamma_c``: 1/(1 - rho), the critical slope;
    - ``phase``: 'subcritical', 'critical' or 'supercritical' as gamma (1 - rho) <, =, > 1;
    - ``limit_inner``: lim_{n->oo} <y_i', y_j'> (None when rho <= 0: the family does not extend to n -> oo);
    - ``note``: why ``limit_inner`` is missing, or None;
    - ``n``: the number of tokens (an int), or None; ``beta``, ``self_weight`` and ``finite_n_inner`` need it:
    - ``beta``: gamma log n;
    - ``self_weight``: A_ii = 1/(1 + (n - 1) e^{-beta (1 - rho)});
    - ``finite_n_inner``: the exact <y_i', y_j'> at this n;
    - ``d``: the dimension of the eta limit (the given d, else n), or None;
    - ``eta_limit``: the Theorem 2.4 limit of eta at ``d``, or its formula (a string of :data:`ETA_LIMIT_FORMULAS`)
      when no dimension is known, None when rho <= 0;
    - ``finite_n_eta``: the exact eta at (n, d), d defaulting to n.
    """

    gamma_c: mpmath.mpf
    phase: str
    limit_inner: mpmath.mpf | None
    note: str | None = None
    n: int | None = None
    beta: mpmath.mpf | None = None
    self_weight: mpmath.mpf | None = None
    finite_n_inner: mpmath.mpf | None = None
    d: int | None = None
    eta_limit: mpmath.mpf | str | None = None
    finite_n_eta: mpmath.mpf | None = None


@precise
def simplex_summary(rho, gamma, n=None, *, residual=0, sqnorm=1, d=None, digits=20) -> SimplexSummary:
    """The phase, the limits and (with ``n``) the exact finite-n values of the equiangular model at (rho, gamma),
    with residual weight ``residual`` and squared token norm ``sqnorm`` (:class:`SimplexSummary`). Every number is
    read exactly at the working precision (ratios such as "10/7" too); ``gamma="critical"`` is gamma_c = 1/(1 - rho)
    exactly (:func:`critical_gamma`).

    >>> s = simplex_summary("0.5", 2, 10**12, digits=25)  # critical; A_ii = n/(2n - 1) = 1/2 + 1/(4n) + ...
    >>> s.phase, mpmath.nstr(s.self_weight, 25)
    ('critical', '0.5000000000002500000000001')
    >>> s = simplex_summary("0.3", "critical", 10**6, digits=20)  # gamma = 10/7 exactly: A_ii = n/(2n - 1)
    >>> s.phase, mpmath.nstr(s.self_weight, 20)  # n/(2n - 1) = 1/2 + 1/(4n) + 1/(8n^2) + ... at n = 10^6
    ('critical', '0.50000025000012500006')
    """
    real(residual, "residual", low=0)
    if not (isinstance(gamma, str) and gamma.strip() == "critical"):
        positive_real(gamma, "gamma")
    positive_real(sqnorm, "sqnorm")
    n = None if n is None else count(n, "n", low=2)
    check_rho(rho, n)
    gamma = _gamma(gamma, rho)
    d = None if d is None else integer(d, "d", low=2)
    if n is not None and d is not None and d < n:
        raise InputError(f"the equiangular configuration needs d >= n; got d = {d} < n = {n}")
    with working_digits(digits, guard=30):  # 1 - rho cancels when rho is close to 1: read rho with more digits
        rho_v = mpmath.mpf(rho)
        gamma_c = 1 / (1 - rho_v)
    if rho_v > 0:
        ph, lim = limit_inner(gamma, rho, alpha=residual, q=sqnorm, digits=digits)
        note = None
    else:
        ph, lim = phase(gamma, rho), None
        note = "rho <= 0: the equiangular family does not extend to n -> infinity, no limit"
    beta = sw = fin = fin_eta = None
    d_eta = d if d is not None else n
    if n is not None:
        beta = beta_of(n, gamma=gamma)
        sw = _self_weight(n, beta, rho)
        fin = finite_inner(n, rho, gamma=gamma, alpha=residual, q=sqnorm, digits=digits)
        fin_eta = finite_eta(n, rho, d_eta, gamma=gamma, q=sqnorm, digits=digits)
    eta_lim = d_out = None
    if rho_v > 0 and d_eta is not None:
        eta_lim, d_out = limit_eta(gamma, rho, d_eta, q=sqnorm, digits=digits)[1], d_eta
    elif rho_v > 0:
        eta_lim = ETA_LIMIT_FORMULAS[ph]
    return SimplexSummary(gamma_c, ph, lim, note, n, beta, sw, fin, d_out, eta_lim, fin_eta)
