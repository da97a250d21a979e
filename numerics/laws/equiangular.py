"""High-precision evaluation of the equiangular model (paper 2, Theorems 2.1 and 2.4) at finite n and in the limit.

Finite n: the exact formulas of :mod:`attnlimits.theory.equiangular` (cosine of the outputs) and
:mod:`attnlimits.theory.gradient_stat` (eta), evaluated with mpmath at the requested digits; n up to 10^12
and beyond (the guard digits grow with log10 n because the expanded eta polynomial cancels in n).
Limits: the sympy-derived expressions, evaluated at the requested digits.
"""
from __future__ import annotations

import functools

import mpmath
import sympy as sp

from attnlimits.numerics.precision import working_digits
from attnlimits.theory import equiangular as T
from attnlimits.theory import gradient_stat as GS
from attnlimits.theory.validation import InputError, count, integer, positive_real, real

__all__ = ["check_rho", "self_weight", "finite_inner", "limit_inner", "window_inner", "phase",
           "finite_eta", "limit_eta", "beta_of"]


def check_rho(rho, n=None):
    """rho must lie in (-1/(n-1), 1) (Gram matrix positive definite); without n, in (0, 1) (n -> infinity)."""
    if n is None:
        return real(rho, "rho", low=0, high=1, low_open=True, high_open=True)
    n = count(n, "n", low=2)
    with mpmath.workdps(60):
        lo = -mpmath.mpf(1) / (n - 1)
        v = mpmath.mpf(real(rho, "rho"))
        if not (lo < v < 1):
            raise InputError(f"rho must lie in (-1/(n-1), 1) = ({mpmath.nstr(lo, 6)}, 1) for n = {n}, got {rho}")
    return rho


def _mp(x):
    return mpmath.mpf(x) if not isinstance(x, str) else mpmath.mpf(x.strip())


def beta_of(n, gamma=None, beta=None):
    """beta = gamma log n, or beta itself (exactly one of the two)."""
    if (gamma is None) == (beta is None):
        raise InputError("give exactly one of gamma and beta")
    if beta is not None:
        return _mp(real(beta, "beta", low=0))
    return _mp(positive_real(gamma, "gamma")) * mpmath.log(n)


def self_weight(n, beta, rho, digits=30):
    """A_ii = 1/(1 + (n - 1) exp(-beta (1 - rho)))."""
    with working_digits(digits):
        return +(1 / (1 + (n - 1) * mpmath.exp(-_mp(beta) * (1 - _mp(rho)))))


def finite_inner(n, rho, *, gamma=None, beta=None, alpha=0, q=1, digits=30):
    """Exact <y_i', y_j'> (cosine of the outputs) after one layer, n equiangular tokens (package derivation,
    :mod:`attnlimits.theory.equiangular`): (a^2 rho + 2abg + b^2 n g)/(a^2 + 2abg + b^2 n g)."""
    n = count(n, "n", low=2)
    check_rho(rho, n)
    real(alpha, "alpha", low=0)
    positive_real(q, "q")
    with working_digits(digits + 2 * len(str(n))):
        b_ = beta_of(n, gamma, beta)
        r = _mp(rho)
        sw = 1 / (1 + (n - 1) * mpmath.exp(-b_ * (1 - r)))
        t = (1 - sw) / (n - 1)
        a = sw - t + _mp(alpha) * mpmath.sqrt(_mp(q))
        g = 1 + (n - 1) * r
        common = 2 * a * t * g + t * t * n * g
        val = (a * a * r + common) / (a * a + common)
    with working_digits(digits):
        return +val


def phase(gamma, rho) -> str:
    """'subcritical', 'critical' or 'supercritical' as gamma (1 - rho) <, =, > 1 (exact decimal comparison)."""
    return T.phase_name(sp.Rational(str(gamma)), sp.Rational(str(rho)))


@functools.lru_cache(maxsize=None)
def _limits():
    return T.phase_limits()


@functools.lru_cache(maxsize=None)
def _window():
    return T.window_profile()


def _subs_eval(expr, digits, **vals):
    with working_digits(digits):
        sub = {getattr(T, "alpha_res" if k == "alpha" else k): sp.Rational(str(v)) for k, v in vals.items()}
        return mpmath.mpf(sp.N(expr.subs(sub), digits + 10))


def limit_inner(gamma, rho, *, alpha=0, q=1, digits=30):
    """lim_{n->oo} <y_i', y_j'> for beta = gamma log n (sympy-derived phase limits; Thm 2.1 at alpha = 0)."""
    positive_real(gamma, "gamma")
    check_rho(rho)
    real(alpha, "alpha", low=0)
    positive_real(q, "q")
    ph = phase(gamma, rho)
    return ph, _subs_eval(_limits()[ph], digits, rho=rho, alpha=alpha, q=q)


def window_inner(c, rho, *, alpha=0, q=1, digits=30):
    """Crossover profile: lim <y_i', y_j'> for beta = gamma_c log n + c (sympy-derived)."""
    real(c, "c")
    check_rho(rho)
    return _subs_eval(_window(), digits, c=c, rho=rho, alpha=alpha, q=q)


@functools.lru_cache(maxsize=None)
def _eta_fn():
    return sp.lambdify((T.s, T.n, GS.d, T.beta, T.rho, T.q), GS.eta_of_s(), modules="mpmath")


def finite_eta(n, rho, d, *, gamma=None, beta=None, q=1, digits=30):
    """Exact eta = |dX'/dX|_F^2/(n d) for n equiangular tokens in R^d (d >= n), alpha = 0 (Thm 2.4 setting)."""
    n = count(n, "n", low=2)
    d = integer(d, "d", low=2)  # not dimension(): the model needs d >= n, and n may be 10^12
    if d < n:
        raise InputError(f"the equiangular configuration needs d >= n; got d = {d} < n = {n}")
    check_rho(rho, n)
    positive_real(q, "q")
    # the expanded polynomial cancels like n^4 / d: guard digits grow with log10 n
    with working_digits(digits + 6 * len(str(n))):
        b_ = beta_of(n, gamma, beta)
        r = _mp(rho)
        sw = 1 / (1 + (n - 1) * mpmath.exp(-b_ * (1 - r)))
        val = _eta_fn()(sw, mpmath.mpf(n), mpmath.mpf(d), b_, r, _mp(q))
    with working_digits(digits):
        return +val


def limit_eta(gamma, rho, d, *, q=1, digits=30):
    """The Theorem 2.4 limit L(d) = 0, (1/(4q))(1 - 1/d), (1/q)(1 - 1/d) by phase (sympy-derived, d = d_n >= n)."""
    positive_real(gamma, "gamma")
    check_rho(rho)
    d = integer(d, "d", low=2)
    ph = phase(gamma, rho)
    expr = GS.eta_phase_limits()[ph]["limit"]
    with working_digits(digits):
        v = mpmath.mpf(sp.N(expr.subs({GS.delta: sp.Rational(1, d), T.q: sp.Rational(str(q))}), digits + 10))
    return ph, v
