"""The symbolic pieces of theory/poisson_limit.py against their definitions, by mpmath quadrature.

Φ(t) is defined as ∫_0^∞ (1 − exp(−t e^{−v})) ρ(v) dv with ρ(v) = α λ^{−α} v^{α−1} (docs/mathematics.md §4);
the module's integration by parts, its termwise series, its α = 1 closed form Ein(t)/λ and E T = Φ'(0) are
each checked here against a quadrature of that definition (the chain behind the claim P1.crit.alpha1_identity,
"Φ(t) = Ein(t)/λ", and the E T of P1.crit.weights).
"""
import mpmath
import pytest
import sympy as sp

from attnlimits.theory import poisson_limit as P


def _quad_v(expr):
    """∫_0^∞ expr dv (expr a function of v alone) by mpmath tanh-sinh at the current precision."""
    return mpmath.quad(sp.lambdify(P.v, expr, "mpmath"), [0, 1, 10, 60, mpmath.inf])


@pytest.mark.parametrize("alpha,lam,tval", [(1, sp.Rational(7, 10), sp.Rational(5, 2)),
                                           (sp.Rational(5, 2), sp.Rational(13, 10), sp.Rational(17, 10))])
def test_laplace_exponent_routes(assert_digits, alpha, lam, tval):
    """Φ(t) three ways: the definition, λ^{-α} times the by-parts integral, λ^{-α} times the series Σ_m."""
    with mpmath.workdps(30):
        by_definition = _quad_v(P.phi_integrand(alpha, lam).subs(P.t, tval))
        by_parts = lam ** (-alpha) * _quad_v(P.phi_by_parts_integrand(alpha).subs(P.t, tval))
        series = lam ** (-alpha) * sum(P.phi_series_term(alpha).subs({P.m: k, P.t: tval}) for k in range(1, 60))
        assert_digits(sp.N(by_parts, 30), by_definition, 25)
        assert_digits(sp.N(series, 30), by_definition, 25)
        if alpha == 1:
            assert_digits(P.laplace_exponent_alpha1(lam).subs(P.t, tval), by_definition, 25)


@pytest.mark.parametrize("alpha,lam", [(1, 2), (sp.Rational(7, 2), sp.Rational(3, 5))])
def test_mean_T_is_the_slope_of_phi_at_zero(assert_digits, alpha, lam):
    """E T = Φ'(0) = ∫ e^{-v} ρ(v) dv: the t-derivative of the integrand at t = 0, integrated, is mean_T."""
    slope = sp.diff(P.phi_integrand(alpha, lam), P.t).subs(P.t, 0)
    with mpmath.workdps(30):
        assert_digits(P.mean_T(alpha, lam), _quad_v(slope), 25)
