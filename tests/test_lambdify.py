"""Every exported sympy expression of attnlimits.theory lambdifies to the right number (issue 15, "Formulas imported
by another project"; docs/mathematics.md §11.7).

Each public function of a theory module's ``__all__`` that returns a sympy expression with free symbols is a
:class:`Case` below (or is listed in :data:`EXCLUDED` with the reason it has nothing to lambdify; the coverage test
checks that nothing is left out). Its expression is lambdified with modules "numpy" and "scipy" (every argument an
array, one call for all points) and "mpmath" (scalars at 50 digits), and compared with a reference from another route:

- the numerics wing: Arb's regularized incomplete beta for the cap (``numerics.laws.cap``), kappa_d, log kappa_d, the
  critical and n_eff constants in log space (``numerics.laws.sphere``), E T and the Dickman tail
  (``numerics.laws.poisson_limit``), Ein by its series (``numerics.special.incomplete_gamma``);
- closed forms typed here in mpmath at 60 digits: c_d = 1/B(1/2, a) (the integral of (1 - x^2)^{a-1}), the 2F1
  series coefficients of the cap (DLMF 15.2.1), Watson's coefficients b_k Gamma(a + k), e^{-beta} 0F1(; d/2;
  beta^2/4), the Hankel-series leading constant of R, the Beta tail of the direction u, ...;
- for expressions of rational and elementary functions only, sympy's own evaluation of the expression at exact
  rational points (``evalf`` at 60 digits, no rounding of the inputs): there the printed code is what is tested,
  the derivations being tested in test_subcritical.py, test_heat.py, test_equiangular.py, test_poisson_theory.py.

Double precision: |value/reference - 1| <= 1e-14 (1 + scale), the scale being the size of the log-Gammas involved
(about d); a reference beyond the double range must come back as inf of the right sign (overflow), one below
2.2e-308 in absolute value as at most 2.3e-308 (underflow); NaN is never accepted. mpmath: 40 digits out of 50
(d = 10^4 costs about 5 through log Gamma(5000) = 37,000). A form that has no correct double-precision route is
refused (an exception, checked with its message), never allowed to return a wrong number.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import time
from typing import Callable

import mpmath
import numpy as np
import pytest
import sympy as sp

from attnlimits.numerics.laws import cap as ncap
from attnlimits.numerics.laws import poisson_limit as npl
from attnlimits.numerics.laws import sphere as nsphere
from attnlimits.numerics.special.incomplete_gamma import ein
from attnlimits.theory import bessel_asymptotics as BA
from attnlimits.theory import cap, equiangular as EQ, gradient_stat as GS, heat, key_laws as KL, special, sphere
from attnlimits.theory import local_exponent as LE, poisson_limit as PL, scaling_rules as SR, subcritical as SUB
from attnlimits.theory import watson

DBL_MAX, DBL_MIN = 1.7976931348623157e308, 2.2250738585072014e-308
D_POINTS = [(3,), (4,), (64,), (4096,), (10000,)]


@dataclasses.dataclass
class Case:
    """One exported expression: ``build()`` returns it, ``names`` are its free symbols in call order (checked: the
    expression must have exactly these), ``points`` tuples of ints or decimal strings, ``ref`` the reference at the
    point's mpf values (60 digits) or ``"evalf"`` (sympy at exact rational points), ``scale`` the tolerance scale at a
    point, ``refuse`` module -> (exception, words of the message, "lambdify" | "call"), ``mp_points`` the points of
    the mpmath check when they differ from ``points``."""

    name: str
    covers: tuple
    build: Callable
    names: tuple
    points: list
    ref: object
    scale: Callable = lambda *p: 1.0
    refuse: dict = dataclasses.field(default_factory=dict)
    digits: int = 40
    modules: tuple = ("numpy", "scipy", "mpmath")
    mp_points: list | None = None  # the mpmath points, when they differ


#: arguments that are integer-only (series indices, harmonic degrees): integer arrays; every other argument is a
#: float array (an int64 array of d overflows silently in polynomial terms: d^5 > 9.2e18 at d = 10^4)
INTEGER_ARGS = {"m", "ell", "k"}


def _a(d):
    return (mpmath.mpf(d) - 1) / 2


def c_d(d):
    """1/B(1/2, a), since int_{-1}^{1} (1 - x^2)^{a-1} dx = B(1/2, a)."""
    return 1 / mpmath.beta(mpmath.mpf(1) / 2, _a(d))


def cap_coefficient(d, k):
    """C_k of P(D <= t) = sum_k C_k t^{a+k}: the 2F1(a, 1-a; a+1; t/2) series (DLMF 15.2.1) times (t/2)^a/(a B(a,a))."""
    a = _a(d)
    return (2 ** (-a - k) / (a * mpmath.beta(a, a)) * mpmath.rf(a, k) * mpmath.rf(1 - a, k)
            / (mpmath.rf(a + 1, k) * mpmath.factorial(k)))


def density_coefficient(d, k):
    """b_k of the density c_d (s (2 - s))^{a-1} = sum_k b_k s^{a-1+k}: c_d 2^{a-1} binomial(a-1, k) (-1/2)^k."""
    a = _a(d)
    return c_d(d) * 2 ** (a - 1) * mpmath.binomial(a - 1, k) * (-mpmath.mpf(1) / 2) ** k


def _kappa(d):
    return nsphere.kappa_value(int(d), 55)


def _crit(d, n):
    return nsphere.critical_constant(int(d), 55) * n ** (1 / _a(d))


def _neff(d, n, b):
    return nsphere.neff_constant(int(d), 55) * n * b ** (-_a(d))


def _d_scale(d, *rest):
    return float(d)


CASES: list[Case] = []


def add(*cases):
    CASES.extend(cases)


# ---------------------------------------------------------------- sphere

add(
    Case("half", ("sphere.half",), sphere.half, ("d",), D_POINTS, lambda d: (d - 1) / 2),
    Case("alpha", ("sphere.alpha",), sphere.alpha, ("d",), D_POINTS, lambda d: (d - 1) / 2),
    Case("critical_exponent", ("sphere.critical_exponent",), sphere.critical_exponent, ("d",), D_POINTS,
         lambda d: 2 / (d - 1)),
    Case("normalizer", ("sphere.normalizer",), sphere.normalizer, ("d",), D_POINTS, c_d, _d_scale),
    Case("half_gamma_ratio", ("sphere.half_gamma_ratio",), lambda: sphere.half_gamma_ratio(sphere.half()), ("d",),
         D_POINTS, lambda d: mpmath.gamma(d / 2) / mpmath.gamma(_a(d)), _d_scale),
    Case("x_density", ("sphere.x_density",), sphere.x_density, ("d", "x"),
         [(3, "0.5"), (4, "-0.3"), (5, "1"), (64, "0.1"), (4096, "0.01"), (10000, "-0.02")],
         lambda d, x: c_d(d) * (1 - x**2) ** ((d - 3) / 2), _d_scale),
    Case("distance_density", ("sphere.distance_density",), sphere.distance_density, ("d", "s"),
         [(3, "0"), (4, "0.5"), (64, "1.2"), (4096, "0.999"), (10000, "1"), (10000, "0.1")],
         lambda d, s: c_d(d) * (s * (2 - s)) ** (_a(d) - 1), _d_scale),
    # kappa_d is 1.4e614 at d = 4096: inf in double, and the reference says so
    Case("kappa", ("sphere.kappa",), sphere.kappa, ("d",), D_POINTS, _kappa, _d_scale),
    Case("log_kappa", ("sphere.log_kappa",), sphere.log_kappa, ("d",), D_POINTS,
         lambda d: nsphere.log_kappa_value(int(d), 55), _d_scale),
    Case("critical_scale", ("sphere.critical_scale", "watson.critical_scale"),
         lambda: sphere.critical_scale(sphere.n), ("d", "n"),
         [(3, "1e6"), (4, "1000"), (64, "1e12"), (4096, "1e300"), (10000, "1e9"), (10000, "2")], _crit, _d_scale),
    Case("critical_scale_d4096", ("sphere.critical_scale",), lambda: sphere.critical_scale(sphere.n, 4096), ("n",),
         [("1e3",), ("1e300",)], lambda n: _crit(4096, n), lambda n: 4096.0),
)

# ---------------------------------------------------------------- cap

_HYPER_REFUSED = (NotImplementedError, "no accurate double-precision route", "lambdify")
add(
    # mpmath's betainc raises "hypsum() failed to converge" near t = 1 at d = 10^4 (test below): a refusal
    Case("cap_probability", ("cap.cap_probability",), cap.cap_probability, ("d", "t"),
         [(3, "0.5"), (4, "0.1"), (64, "0.9"), (4096, "1"), (4096, "0.1"), (10000, "0.97"), (10000, "1.5")],
         lambda d, t: ncap.cap_probability(int(d), t, 50), _d_scale,
         mp_points=[(3, "0.5"), (4, "0.1"), (64, "0.9"), (4096, "1"), (4096, "0.1"), (10000, "1e-3")]),
    Case("cap_probability_hyper", ("cap.cap_probability_hyper",), cap.cap_probability_hyper, ("d", "t"),
         [(4, "0.1"), (64, "0.9"), (4096, "0.1"), (10000, "0.5")],
         lambda d, t: ncap.cap_probability(int(d), t, 50), _d_scale,
         refuse={"numpy": _HYPER_REFUSED, "scipy": _HYPER_REFUSED}),
    Case("cap_series", ("cap.cap_series",), lambda: cap.cap_series(4), ("d", "t"),
         [(3, "0.5"), (4, "0.01"), (5, "1.5"), (64, "0.01"), (4096, "0.5"), (4096, "1e-3"), (10000, "0.5")],
         lambda d, t: sum(cap_coefficient(d, k) * t ** (_a(d) + k) for k in range(4)), _d_scale),
    Case("cap_series_d3", ("cap.cap_series",), lambda: cap.cap_series(3, 3), ("t",),  # d = 3: exactly t/2
         [("0.5",), ("2",)], lambda t: t / 2),
    Case("derived_alpha", ("cap.derived_alpha",), cap.derived_alpha, ("d",), D_POINTS, lambda d: (d - 1) / 2),
    Case("derived_kappa", ("cap.derived_kappa",), cap.derived_kappa, ("d",), D_POINTS, _kappa, _d_scale),
    Case("integrate_monomial", ("cap.integrate_monomial",),
         lambda: cap.integrate_monomial(sp.Symbol("e", positive=True), sphere.t), ("e", "t"),
         [("0.5", "1.5"), ("3", "0.2"), ("2047.5", "1.001")],
         lambda e, t: mpmath.quad(lambda u: u**e, [0, t]), lambda e, t: float(e)),  # t^e: the input's rounding x e
)
for _k in range(3):
    add(Case(f"density_series_terms[{_k}]", ("cap.density_series_terms",),
             lambda k=_k: cap.density_series_terms(3)[k][1], ("d",), D_POINTS,
             lambda d, k=_k: density_coefficient(d, k), _d_scale),
        Case(f"cap_series_terms[{_k}]", ("cap.cap_series_terms",),
             lambda k=_k: cap.cap_series_terms(3)[k][1], ("d",), D_POINTS,
             lambda d, k=_k: cap_coefficient(d, k), _d_scale),
        Case(f"cap_series_terms_power[{_k}]", ("cap.cap_series_terms",),
             lambda k=_k: cap.cap_series_terms(3)[k][0], ("d",), D_POINTS, lambda d, k=_k: _a(d) + k))

# ---------------------------------------------------------------- watson

add(
    Case("watson_expansion", ("watson.watson_expansion",), lambda: watson.watson_expansion(3), ("beta", "d"),
         [("10", 3), ("50", 4), ("1000", 64), ("1500", 4096), ("1e8", 4096), ("3700", 10000)],
         lambda b, d: sum(density_coefficient(d, k) * mpmath.gamma(_a(d) + k) * b ** (-_a(d) - k)
                          for k in range(3)),
         lambda b, d: float(d)),
    Case("exact_laplace", ("watson.exact_laplace",), watson.exact_laplace, ("beta", "d"),
         [("0.5", 3), ("10", 4), ("1000", 64), ("10", 4096), ("100", 10000)],
         lambda b, d: mpmath.exp(-b) * mpmath.hyp0f1(d / 2, b * b / 4), lambda b, d: float(d)),
    Case("n_eff", ("watson.n_eff",), watson.n_eff, ("beta", "d", "n"),
         [("10", 3, "1e6"), ("100", 4, "1e6"), ("1000", 64, "1e12"), ("1500", 4096, "1e300"), ("3700", 10000, "1")],
         lambda b, d, n: _neff(d, n, b), lambda b, d, n: float(d)),
    Case("n_eff_given_alpha_kappa", ("watson.n_eff",),
         lambda: watson.n_eff(a=PL.alpha_sym, k=sp.Symbol("K", positive=True)), ("K", "alpha", "beta", "n"),
         [("0.5", "1", "10", "100"), ("1e-600", "2047.5", "1500", "1e6")],
         lambda k, al, b, n: n * k * mpmath.gamma(al + 1) * b ** (-al), lambda *p: float(p[1]),
         modules=("mpmath",)),  # k = 1e-600 has no double; the double cases are below
    Case("n_eff_given_alpha_kappa_double", ("watson.n_eff",),
         lambda: watson.n_eff(a=PL.alpha_sym, k=sp.Symbol("K", positive=True)), ("K", "alpha", "beta", "n"),
         [("0.5", "1", "10", "100"), ("1e-10", "300.5", "200", "1e6")],
         lambda k, al, b, n: n * k * mpmath.gamma(al + 1) * b ** (-al), lambda *p: float(p[1])),
    Case("critical_scale_closed", ("watson.critical_scale_closed",), watson.critical_scale_closed, ("d", "n"),
         [(3, "1e6"), (4, "1000"), (64, "1e12"), (4096, "1e300"), (10000, "1e9")], _crit, _d_scale),
)
for _k in range(2):
    add(Case(f"laplace_terms[{_k}]", ("watson.laplace_terms",),
             lambda k=_k: watson.laplace_terms(cap.density_series_terms(2))[k][1], ("d",),
             [(3,), (4,), (64,), (300,), (4096,)],  # A_k ~ 2^a Gamma(a + k): inf from d ~ 260, as the reference
             lambda d, k=_k: density_coefficient(d, k) * mpmath.gamma(_a(d) + k), _d_scale))

# ---------------------------------------------------------------- subcritical (rational in d, beta, A_1, A_2, R)

_D_RATIONAL = [(3,), (64,), (10000,)]
_clt = functools.lru_cache(maxsize=None)(lambda: SUB.clt_leading_terms(order=1))
for _k in range(1, 4):  # b_0 = 1
    add(Case(f"bias_coefficients[{_k}]", ("subcritical.bias_coefficients",),
             lambda k=_k: SUB.bias_coefficients(3)[k], ("d",), _D_RATIONAL, "evalf"))
for _k in range(3):
    add(Case(f"small_beta_coefficients[{_k}]", ("subcritical.small_beta_coefficients",),
             lambda k=_k: SUB.small_beta_coefficients(2)[k], ("d",), _D_RATIONAL, "evalf"))
add(
    Case("bias_expansion", ("subcritical.bias_expansion",), lambda: SUB.bias_expansion(3), ("beta", "d"),
         [("10", 3), ("1e3", 64), ("1e7", 10000)], "evalf"),
    Case("small_beta_expansion", ("subcritical.small_beta_expansion",), lambda: SUB.small_beta_expansion(2),
         ("beta", "d"), [("0.1", 3), ("1", 64), ("10", 10000)], "evalf"),
    Case("second_moment_over_mgf", ("subcritical.second_moment_over_mgf",), SUB.second_moment_over_mgf,
         ("A", "beta", "d"), [("0.5", "2", 3), ("0.999", "1e3", 10000)], "evalf"),
    Case("clt_var_parallel", ("subcritical.clt_variances_symbolic",),
         lambda: SUB.clt_variances_symbolic()["var_parallel"], ("A_1", "A_2", "R", "beta", "d"),
         [("0.5", "0.7", "1.3", "2", 3), ("0.99", "0.995", "1e5", "1e3", 64)], "evalf"),
    Case("clt_var_perp", ("subcritical.clt_variances_symbolic",), lambda: SUB.clt_variances_symbolic()["var_perp"],
         ("A_2", "R", "beta"), [("0.7", "1.3", "2"), ("0.995", "1e5", "1e3")], "evalf"),
    Case("ratio_bias_symbolic", ("subcritical.ratio_bias_symbolic",), SUB.ratio_bias_symbolic, ("A_1", "A_2", "R"),
         [("0.5", "0.7", "1.3")], "evalf"),
    # R ~ (beta/4)^nu sqrt(pi beta)/Gamma(d/2): leading constant 4^{-nu} sqrt(pi)/Gamma(d/2), nu = d/2 - 1
    Case("clt_leading_R", ("subcritical.clt_leading_terms",), lambda: _clt()["R"][0],
         ("d",), [(3,), (4,), (64,), (340,), (4096,)],
         lambda d: 4 ** (1 - d / 2) * mpmath.sqrt(mpmath.pi) / mpmath.gamma(d / 2), _d_scale),
    Case("clt_leading_var_perp", ("subcritical.clt_leading_terms",),
         lambda: _clt()["var_perp"][0], ("d",), [(3,), (4,), (64,), (340,), (4096,)],
         lambda d: 4 ** (1 - d / 2) * mpmath.sqrt(mpmath.pi) / mpmath.gamma(d / 2) / 2, _d_scale),
    Case("clt_leading_var_parallel", ("subcritical.clt_leading_terms",),
         lambda: _clt()["var_parallel"][0], ("d",), [(3,), (4,), (64,), (340,), (4096,)],
         "evalf", _d_scale),
    Case("clt_leading_power", ("subcritical.clt_leading_terms",),
         lambda: _clt()["var_parallel"][1], ("d",), _D_RATIONAL, "evalf"),
    Case("subcritical_n_eff", ("subcritical.n_eff",), SUB.n_eff, ("beta", "d", "n"),
         [("10", 3, "1e6"), ("1000", 64, "1e12"), ("3700", 10000, "1")], lambda b, d, n: _neff(d, n, b),
         lambda b, d, n: float(d)),
    Case("crossover_e_cross", ("subcritical.crossover_exponents",), lambda: SUB.crossover_exponents()["e_cross"],
         ("d",), _D_RATIONAL, "evalf"),
)

# ---------------------------------------------------------------- bessel_asymptotics, heat (rational)

_MU = sp.Symbol("mu")
add(
    Case("hankel_recurrence", ("bessel_asymptotics.hankel_recurrence",), BA.hankel_recurrence, ("k", "mu"),
         [(0, "0.5"), (3, "4999"), (10, "2.25")], "evalf"),
    Case("hankel_coefficients", ("bessel_asymptotics.hankel_coefficients",), lambda: BA.hankel_coefficients(3)[3],
         ("mu",), [("0.5",), ("31",), ("4999",)], "evalf"),
    Case("hankel_product_formula", ("bessel_asymptotics.hankel_product_formula",),
         lambda: BA.hankel_product_formula(3), ("mu",), [("0.5",), ("4999",)], "evalf"),
    Case("ratio_large_coefficients", ("bessel_asymptotics.ratio_large_coefficients",),
         lambda: BA.ratio_large_coefficients(3, _MU + 1, _MU)[3], ("mu",), [("0.5",), ("31",), ("4999",)], "evalf"),
    Case("ratio_small_coefficients", ("bessel_asymptotics.ratio_small_coefficients",),
         lambda: BA.ratio_small_coefficients(2, 1, _MU)[2], ("mu",), [("0.5",), ("31",), ("4999",)], "evalf"),
    Case("series_quotient", ("bessel_asymptotics.series_quotient",),
         lambda: BA.series_quotient([sp.Integer(1)], [sp.Integer(1), -_MU], 3)[3], ("mu",), [("0.5",), ("7",)],
         "evalf"),
    Case("funk_hecke_coefficients", ("heat.funk_hecke_coefficients",), lambda: heat.funk_hecke_coefficients(2)[2],
         ("d", "ell"), [(3, 1), (64, 5), (10000, 40)], "evalf"),
    Case("heat_coefficients", ("heat.heat_coefficients",), lambda: heat.heat_coefficients(2)[2], ("d", "ell"),
         [(3, 1), (10000, 40)], "evalf"),
    Case("heat_difference_coefficients", ("heat.heat_difference_coefficients",),
         lambda: heat.heat_difference_coefficients(2)[2], ("d", "ell"), [(3, 1), (10000, 40)], "evalf"),
    Case("first_order_gap", ("heat.first_order_gap",), lambda: heat.first_order_gap()[1], ("d", "ell"),
         [(3, 1), (10000, 40)], "evalf"),
    Case("drift_expansion_harmonic", ("heat.drift_expansion_harmonic",),
         lambda: heat.drift_expansion_harmonic(order=1)["tan"][1], ("epsilon", "y"), [("0.1", "0.3"), ("-0.5", "1")],
         "evalf"),
    Case("drift_expansion_vmf", ("heat.drift_expansion_vmf",), lambda: heat.drift_expansion_vmf(order=1)["rad"][1],
         ("d",), _D_RATIONAL, "evalf"),
)

# ---------------------------------------------------------------- paper 2: equiangular tokens, gradient statistic

add(
    Case("gamma_c", ("equiangular.gamma_c",), EQ.gamma_c, ("rho",), [("0.5",), ("-0.1",), ("0.999",)], "evalf"),
    Case("self_weight", ("equiangular.self_weight",), EQ.self_weight, ("beta", "n", "rho"),
         [("2", "10", "0.5"), ("41.4", "1e9", "0.5"), ("1e3", "1e12", "0.1")], "evalf"),
    Case("inner_finite", ("equiangular.inner_finite",), EQ.inner_finite, ("alpha", "beta", "n", "q", "rho"),
         [("0", "41.4", "1e9", "1", "0.5"), ("0.5", "10", "1e12", "2", "0.9")], "evalf"),
    Case("inner_of_sh", ("equiangular.inner_of_sh",), EQ.inner_of_sh, ("alpha", "h", "q", "rho", "s"),
         [("0", "0.25", "1", "0.3", "0.5"), ("0.5", "1e-9", "2", "0.9", "0.999")], "evalf"),
    Case("limit_inner_of_s", ("equiangular.limit_inner_of_s",), EQ.limit_inner_of_s, ("alpha", "q", "rho", "s"),
         [("0", "1", "0.3", "0.5"), ("0.5", "2", "0.9", "1")], "evalf"),
    Case("phase_limits", ("equiangular.phase_limits",), lambda: EQ.phase_limits()["critical"], ("alpha", "q", "rho"),
         [("0", "1", "0.3"), ("0.5", "2", "0.9")], "evalf"),
    Case("window_profile", ("equiangular.window_profile",), EQ.window_profile, ("alpha", "c", "q", "rho"),
         [("0", "0", "1", "0.5"), ("0.5", "-30", "2", "0.9"), ("0.5", "30", "2", "0.9")], "evalf"),
    Case("eta_of_s", ("gradient_stat.eta_of_s", "gradient_stat.block_norms"), GS.eta_of_s,
         ("beta", "d", "n", "q", "rho", "s"),
         [("2", "20", "10", "1", "0.5", "0.3"), ("27.6", "2e6", "1e6", "2", "0.5", "0.5")], "evalf"),
    Case("eta_finite", ("gradient_stat.eta_finite",),
         lambda: GS.eta_finite(EQ.n, EQ.beta, EQ.rho, GS.d, EQ.q), ("beta", "d", "n", "q", "rho"),
         [("13.8", "2000", "1000", "1", "0.5")], "evalf"),
    Case("eta_beta_coefficients", ("gradient_stat.eta_beta_coefficients",),
         lambda: GS.eta_beta_coefficients()[0][2], ("delta", "h", "q", "rho", "s"),
         [("0.001", "0.01", "1", "0.5", "0.5")], "evalf"),
    Case("eta_phase_limits", ("gradient_stat.eta_phase_limits",),
         lambda: GS.eta_phase_limits()["critical"]["limit"], ("delta", "q"), [("0.001", "1"), ("0.5", "3")], "evalf"),
)

# ---------------------------------------------------------------- scaling rules

for _rule, _names, _points in (("yarn", ("L_train", "n"), [("4096", "131072"), ("4096", "1000")]),
                               ("qwen-logn", ("L_train", "n"), [("4096", "1e6"), ("4096", "100")]),
                               ("ssmax", ("n", "s"), [("1e6", "0.3")]),
                               ("yarn-mscale", ("L_train", "mscale", "mscale_all_dim", "n"),
                                [("4096", "0.707", "1", "131072"), ("4096", "1", "0.5", "1000")]),
                               ("llama4", ("n",), [("131072",), ("100",), ("8192",)]),
                               ("mistral", ("n",), [("65537",), ("16385",), ("100",)]),
                               ("grok2", ("n",), [("4097",), ("100",)])):
    add(Case(f"multiplier[{_rule}]", ("scaling_rules.multiplier",), lambda r=_rule: SR.multiplier(r), _names,
             _points, "evalf"))

# ---------------------------------------------------------------- Poisson limit

_EIN_REFUSED = (NameError, "expint", "call")
add(
    Case("phi_integrand", ("poisson_limit.phi_integrand",), PL.phi_integrand, ("alpha", "lambda", "t", "v"),
         [("1", "0.7", "2.5", "0"), ("2.5", "1.3", "1.7", "3"), ("1", "1", "1", "40"), ("30", "2", "1", "10")],
         "evalf"),
    Case("phi_by_parts_integrand", ("poisson_limit.phi_by_parts_integrand",), PL.phi_by_parts_integrand,
         ("alpha", "t", "v"), [("1", "2.5", "0.5"), ("2.5", "1.7", "3"), ("30", "1", "40")], "evalf"),
    Case("phi_series_term", ("poisson_limit.phi_series_term",), PL.phi_series_term, ("alpha", "m", "t"),
         [("1", 1, "2.5"), ("2.5", 7, "1.7"), ("2047.5", 200, "300"), ("5000", 3, "0.5")],
         lambda al, m, t: (mpmath.gamma(al + 1) * (-1) ** (int(m) + 1) * t ** m
                           / (mpmath.factorial(m) * m ** al)), lambda al, m, t: float(al + m)),
    Case("mean_T", ("poisson_limit.mean_T",), PL.mean_T, ("alpha", "lambda"),
         [("1", "2"), ("3.5", "0.6"), ("2047.5", "1000"), ("5000", "1e4")],
         lambda al, lam: npl.mean_T(al, lam, 50), lambda al, lam: float(al)),
    Case("max_weight_tail_alpha1", ("poisson_limit.max_weight_tail_alpha1",), PL.max_weight_tail_alpha1,
         ("lambda", "w"), [("1", "0.5"), ("0.7", "0.8"), ("0.01", "0.5"), ("100", "0.999")],
         lambda lam, w: npl.max_weight_tail(lam, w, 50), lambda lam, w: float(1 / lam)),
    Case("dickman_density", ("poisson_limit.dickman_density",),
         lambda: PL.dickman_density(sp.Symbol("theta", positive=True), sp.Symbol("x", positive=True)),
         ("theta", "x"), [("1", "0.5"), ("1.43", "0.1"), ("150", "0.9")],
         lambda th, x: mpmath.exp(-mpmath.euler * th) * x ** (th - 1) / mpmath.gamma(th), lambda th, x: float(th)),
    Case("dickman_constant_limit", ("poisson_limit.dickman_constant_limit",),
         lambda: PL.dickman_constant_limit(sp.Symbol("theta", positive=True)), ("theta",), [("0.5",), ("100",)],
         lambda th: mpmath.exp(-mpmath.euler * th)),
    # Ein = E_1 + log + gamma: mpmath only (t >= 1e-3, where the cancellation costs 3 of the 50 digits)
    Case("Ein", ("poisson_limit.Ein",), lambda: PL.Ein(PL.t), ("t",), [("1e-3",), ("0.5",), ("1",), ("30",)],
         lambda t: ein(t), refuse={"numpy": _EIN_REFUSED, "scipy": _EIN_REFUSED}),
    Case("laplace_exponent_alpha1", ("poisson_limit.laplace_exponent_alpha1",), PL.laplace_exponent_alpha1,
         ("lambda", "t"), [("0.7", "2.5"), ("2", "0.01")], lambda lam, t: ein(t) / lam,
         refuse={"numpy": _EIN_REFUSED, "scipy": _EIN_REFUSED}),
)

# ---------------------------------------------------------------- local exponents and key laws

_M_SYM = sp.Symbol("m", positive=True)


@functools.lru_cache(maxsize=None)
def _uniform():
    return LE.local_exponent(KL.uniform(sphere.d))


add(
    Case("direction_density", ("local_exponent.direction_density",), lambda: LE.direction_density(_M_SYM),
         ("m", "u"), [(3, "0.5"), (4, "-0.3"), (64, "0.1"), (10000, "0.01")],
         # u^2 ~ Beta(1/2, (m-2)/2): density c_{m-1} (1 - u^2)^{(m-4)/2} with c_{m-1} = 1/B(1/2, (m-2)/2)
         lambda m, u: (1 - u**2) ** ((m - 4) / 2) / mpmath.beta(mpmath.mpf(1) / 2, (m - 2) / 2),
         lambda m, u: float(m)),
    Case("direction_tail", ("local_exponent.direction_tail",),
         lambda: LE.direction_tail(sp.Rational(1, 2), _M_SYM), ("m",), [(3,), (4,), (64,), (10000,)],
         lambda m: 1 - mpmath.betainc(mpmath.mpf(1) / 2, (m - 2) / 2, 0, mpmath.mpf(1) / 4, regularized=True) / 2
         - mpmath.mpf(1) / 2, _d_scale),
    Case("direction_tail_negative", ("local_exponent.direction_tail",),
         lambda: LE.direction_tail(sp.Rational(-1, 2), _M_SYM), ("m",), [(3,), (4,), (64,), (10000,)],
         lambda m: mpmath.mpf(1) / 2 + mpmath.betainc(mpmath.mpf(1) / 2, (m - 2) / 2, 0, mpmath.mpf(1) / 4,
                                                        regularized=True) / 2, _d_scale),
    Case("local_exponent_uniform_kappa", ("local_exponent.local_exponent", "key_laws.uniform"),
         lambda: _uniform().kappa, ("d",), D_POINTS, _kappa, _d_scale),
    Case("LocalExponent.critical_scale", ("local_exponent.local_exponent",),
         lambda: _uniform().critical_scale(sphere.n), ("d", "n"),
         [(3, "1e6"), (64, "1e12"), (4096, "1e300"), (10000, "1e9")], _crit, _d_scale),
    Case("LocalExponent.n_eff", ("local_exponent.local_exponent",), lambda: _uniform().n_eff(sphere.n, sphere.beta),
         ("beta", "d", "n"), [("10", 3, "1e6"), ("1000", 64, "1e12"), ("1500", 4096, "1e300")],
         lambda b, d, n: _neff(d, n, b), lambda b, d, n: float(d)),
    Case("from_distance_cdf_kappa", ("local_exponent.from_distance_cdf",),
         lambda: LE.from_distance_cdf(cap.cap_probability_hyper()).kappa, ("d",), D_POINTS, _kappa, _d_scale),
    Case("mu_dot_k", ("key_laws.mu_dot_k",), lambda: KL.mu_dot_k(sp.pi / 3), ("theta", "u"),
         [("0.1", "0.5"), ("3", "-1")], "evalf"),
    Case("vmf_density", ("key_laws.von_mises_fisher",), lambda: KL.von_mises_fisher(sphere.d, 2).density,
         ("d", "theta"), [(3, "0.5"), (64, "2"), (10000, "0.1")],
         lambda d, th: mpmath.exp(2 * mpmath.cos(th)) / mpmath.hyp0f1(d / 2, 1), _d_scale),
    Case("vmf_density_off_axis", ("key_laws.von_mises_fisher",),
         lambda: KL.von_mises_fisher(5, 3, sp.pi / 4).density, ("theta", "u"), [("0.5", "0.2"), ("3", "-1")],
         lambda th, u: (mpmath.exp(3 * (mpmath.cos(th) + mpmath.sin(th) * u) / mpmath.sqrt(2))
                        / mpmath.hyp0f1(mpmath.mpf(5) / 2, mpmath.mpf(9) / 4))),
    Case("cap_density", ("key_laws.cap",), lambda: KL.cap(sphere.d, 1, sp.Rational(1, 3)).density, ("d",),
         [(3,), (4,), (64,), (300,)],  # 1/sigma(cap): sigma = 3e-40 at d = 300, 1e-308 near d = 2240
         lambda d: 1 / ncap.cap_probability(int(d), 1 - mpmath.cos(1), 50), _d_scale),
    Case("vanishing_density", ("key_laws.vanishing",),
         lambda: KL.vanishing(sphere.d, sp.Symbol("g", positive=True)).density, ("d", "g", "theta"),
         [(3, "1", "0.5"), (64, "0.5", "1"), (4096, "2.5", "2"), (10000, "7", "0.1")],
         # |K - q|^g / E|K - q|^g, E|K - q|^g = 2^g B(a + g/2, a)/B(a, a) (|K - q|^2/4 ~ Beta(a, a))
         lambda d, g, th: ((2 * mpmath.sin(th / 2)) ** g * mpmath.beta(_a(d), _a(d))
                           / (2**g * mpmath.beta(_a(d) + g / 2, _a(d)))), _d_scale),
)

#: theory functions with nothing to lambdify, and why
EXCLUDED = {
    "sphere.symbolic_dimension": "returns its argument (the user's symbol or number)",
    "equiangular.phase_self_weight_limits": "returns the numbers 0, 1/2, 1",
    "equiangular.phase_name": "returns a string",
    "subcritical.mgf_ode_residual": "returns the simplified residual 0",
    "poisson_limit.steutel_residual": "returns the simplified residual 0",
    "scaling_rules.eventual_ratio": "a limit at a numeric d, a number (sympy cannot take it for a symbolic d)",
    "scaling_rules.eventual_limit": "a limit at a numeric alpha: 0, oo or an expression of the symbols beta_0, kappa",
    "scaling_rules.eventual_regime": "returns a string",
    "scaling_rules.parse_rule": "returns the user's own expression (the catalogue's rules are cases of multiplier)",
    "local_exponent.polar_law": "builds a PolarLaw from the user's density (key_laws' densities are cases)",
    "key_laws.subsphere": "its density is the constant 1",
}


# ---------------------------------------------------------------- the checks


@functools.lru_cache(maxsize=None)
def _expr(name):
    case = next(c for c in CASES if c.name == name)
    return sp.sympify(case.build())


def _symbols(case, expr):
    by_name = {str(s): s for s in expr.free_symbols}
    assert set(by_name) == set(case.names), f"{case.name}: free symbols {sorted(by_name)}, expected {case.names}"
    return [by_name[n] for n in case.names]


def _reference(case, expr, syms, point):
    with mpmath.workdps(60):
        if case.ref == "evalf":  # exact substitution first: evalf(subs=...) leaves 1e-198 where the value is 0
            return mpmath.mpf(sp.N(expr.xreplace({s: sp.Rational(str(v)) for s, v in zip(syms, point)}), 60))
        return +case.ref(*[mpmath.mpf(v) for v in point])


def _check_double(v, ref, rtol, where):
    assert not np.isnan(v), f"{where}: NaN (reference {mpmath.nstr(ref, 15)})"
    if abs(ref) > DBL_MAX:
        assert np.isinf(v) and np.sign(v) == mpmath.sign(ref), f"{where}: {v}, expected overflow to ±inf"
    elif abs(ref) < DBL_MIN:
        assert abs(v) <= 2.3e-308, f"{where}: {v}, expected underflow (reference {mpmath.nstr(ref, 5)})"
    else:
        assert abs(v / float(ref) - 1) <= rtol, f"{where}: {v} vs {mpmath.nstr(ref, 17)} (rtol {rtol:.1e})"


def _column(points, i, name):
    return np.array([p[i] for p in points], dtype=np.int64 if name in INTEGER_ARGS else float)


def _columns(case, points):
    return [_column(points, i, n) for i, n in enumerate(case.names)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_lambdify_matches_reference(case):
    expr = _expr(case.name)
    syms = _symbols(case, expr)
    refs = [_reference(case, expr, syms, p) for p in case.points]
    mp_points = case.points if case.mp_points is None else case.mp_points
    mp_refs = refs if case.mp_points is None else [_reference(case, expr, syms, p) for p in mp_points]
    for module in case.modules:
        where = f"{case.name} [{module}]"
        if module in case.refuse:
            exc, words, when = case.refuse[module]
            with pytest.raises(exc, match=words):
                f = sp.lambdify(syms, expr, module)
                assert when == "call", f"{where}: lambdify should have refused"
                f(*_columns(case, case.points))
            continue
        f = sp.lambdify(syms, expr, module)
        if module == "mpmath":
            with mpmath.workdps(50):
                for p, ref in zip(mp_points, mp_refs):
                    v = f(*[mpmath.mpf(x) for x in p])
                    assert mpmath.isfinite(v), f"{where} at {p}: {v}"
                    tol = mpmath.mpf(10) ** (-case.digits) * (abs(ref) if ref else 1)
                    assert abs(v - ref) <= tol, f"{where} at {p}: {mpmath.nstr(v, 45)} vs {mpmath.nstr(ref, 45)}"
            continue
        with np.errstate(all="ignore"):  # overflow and underflow are part of what is checked
            got = np.broadcast_to(np.asarray(f(*_columns(case, case.points)), dtype=float), (len(case.points),))
        for p, v, ref in zip(case.points, got, refs):
            scale = case.scale(*[mpmath.mpf(x) for x in p])
            _check_double(float(v), ref, 1e-14 * (1 + scale), f"{where} at {p}")


def test_every_exported_expression_has_a_case():
    covered = {c for case in CASES for c in case.covers}
    missing = []
    for mod in ("bessel_asymptotics", "cap", "equiangular", "gradient_stat", "heat", "key_laws", "local_exponent",
                "poisson_limit", "scaling_rules", "sphere", "subcritical", "watson"):
        m = importlib.import_module(f"attnlimits.theory.{mod}")
        for name in m.__all__:
            obj = getattr(m, name)
            if inspect.isfunction(obj) and f"{mod}.{name}" not in covered | set(EXCLUDED):
                missing.append(f"{mod}.{name}")
    assert not missing, f"exported functions with no lambdify case and no stated exclusion: {missing}"


# ---------------------------------------------------------------- the reported cases, verbatim


def test_issue_cap_probability_mpmath_is_regularized():
    f = sp.lambdify((sphere.d, sphere.t), cap.cap_probability(), "mpmath")
    ref = ncap.cap_probability(4, "0.1", 20)  # Arb, regularized; sympy's own translation gave B_x = 0.00734
    assert abs(f(4, mpmath.mpf("0.1")) / ref - 1) < 1e-14 and abs(float(ref) - 0.018693036734) < 1e-11


def test_issue_cap_series_lambdifies_at_odd_d():
    # d = 3: D is uniform on [0, 2], P(D <= t) = t/2, and the series is exact (closed form)
    e = cap.cap_series(3)
    for module in ("numpy", "scipy", "mpmath"):
        f = sp.lambdify((sphere.d, sphere.t), e, module)
        assert abs(float(f(3, 0.5)) - 0.25) < 1e-15 and abs(float(f(5, 1.0)) - 0.5) < 1e-15  # d = 5: 3t^2/4 - t^3/4


def test_issue_kappa_and_critical_scale_take_arrays_of_d():
    d = np.array([3, 4, 64, 4096, 10000])
    with np.errstate(over="ignore"):
        k = sp.lambdify(sphere.d, sphere.kappa(), "numpy")(d)
    assert abs(k[0] - 0.5) < 1e-15 and np.isinf(k[3:]).all() and not np.isnan(k).any()  # kappa_4096 = 1.4e614
    lk = sp.lambdify(sphere.d, sphere.log_kappa(), "numpy")(d)
    c = sp.lambdify((sphere.d, sphere.n), sphere.critical_scale(sphere.n), "numpy")(d, 1e6)
    for i, dd in enumerate(d):
        assert abs(lk[i] / float(nsphere.log_kappa_value(int(dd), 20)) - 1) < 1e-10
        assert abs(c[i] / float(_crit(int(dd), mpmath.mpf(10) ** 6)) - 1) < 1e-10


# ---------------------------------------------------------------- the helpers of theory/special.py


def test_refusals_come_at_lambdify_time_and_fast():
    t0 = time.perf_counter()
    with pytest.raises(NotImplementedError, match="lambdify with modules='mpmath'"):
        sp.lambdify((sphere.d, sphere.t), cap.cap_probability_hyper(), "numpy")
    with pytest.raises(NotImplementedError, match="non-integer order"):
        sp.lambdify((sphere.t, sp.Symbol("nu")), special.expint(sp.Symbol("nu"), sphere.t), "scipy")
    assert time.perf_counter() - t0 < 2


def test_cap_probability_mpmath_refuses_where_its_series_fails():
    # mpmath.betainc's hypergeometric series gives up (ValueError, not a wrong number) at d = 10^4 near t = 1;
    # attnlimits.numerics.laws.cap (Arb) is the route there
    f = sp.lambdify((sphere.d, sphere.t), cap.cap_probability(), "mpmath")
    with mpmath.workdps(50), pytest.raises(ValueError, match="failed to converge"):
        f(10000, mpmath.mpf("0.97"))


def test_to_gamma_proves_the_rewritten_forms():
    d = sphere.d
    a = (d - 1) / 2
    textbook = 2 ** (-a) / (a * sp.beta(a, a))  # kappa_d as in docs/mathematics.md §2.4
    assert sp.simplify(sp.gammasimp(special.to_gamma(sphere.kappa()) / textbook)) == 1
    lead = special.to_gamma(watson.watson_expansion(1))
    assert sp.simplify(sp.gammasimp(lead / (textbook * sp.gamma(a + 1) * sphere.beta ** (-a)))) == 1
    assert sp.simplify(special.to_gamma(PL.mean_T()) - sp.gamma(PL.alpha_sym + 1) * PL.lam_sym ** -PL.alpha_sym) == 0


def test_stable_and_log_form_keep_the_value():
    d = sphere.d
    e = 2**d * sp.gamma(d / 2) / sp.gamma(d / 2 + sp.S.Half)
    for dd in (3, 64, 301):
        ref = sp.N(e.subs(d, dd), 30)
        assert abs(sp.N(special.stable(e).subs(d, dd), 30) / ref - 1) < 1e-25
        assert abs(sp.N(sp.exp(special.log_form(e)).subs(d, dd), 30) / ref - 1) < 1e-25
