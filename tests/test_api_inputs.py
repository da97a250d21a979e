"""Every public function of numerics/laws and numerics/special refuses bad numbers with a ValueError.

The class of inputs is the one the command line refuses: NaN, infinities, numbers beyond the double range
written as text ("1e400"), text that is not a number, wrong types, and for each parameter the values outside
its domain (d < 2, n < 1, digits < 1, lambda <= 0, ...). hypothesis draws them; each call runs under a
10-second alarm, so a function that would hang or grind on a huge argument fails the test instead of
stalling it. A refusal must be :class:`attnlimits.theory.validation.InputError` (a ValueError) with a
one-line message: not ZeroDivisionError, OverflowError, a NaN result or a minute of work.

Not swept, and why: the quadrature engines (numerics/quadrature) take callables and Arb balls that the
law modules have already checked; Monte Carlo functions are swept in tests/test_montecarlo_inputs.py.
"""
from __future__ import annotations

import importlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnlimits.theory.validation import InputError

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Valid baseline arguments of each function (cheap values); one parameter at a time is replaced by a bad one.
BASE = {
    "cap.cap_probability": dict(d=3, t="0.1", digits=15),
    "cap.log_cap_probability": dict(d=3, t="0.1", digits=15),
    "cap.cap_probability_quad": dict(d=3, t="0.1", digits=15),
    "cap.cap_series_coefficients": dict(d=3, order=2, digits=15),
    "sphere.alpha_value": dict(d=3, digits=15),
    "sphere.kappa_value": dict(d=3, digits=15),
    "sphere.log_kappa_value": dict(d=3, digits=15),
    "sphere.critical_exponent_value": dict(d=3, digits=15),
    "sphere.critical_constant": dict(d=3, digits=15),
    "sphere.neff_constant": dict(d=3, digits=15),
    "sphere.cap_series_values": dict(d=3, digits=15, order=2),
    "sphere.constants": dict(d=3, digits=15),
    "subcritical.clt_variances": dict(d=3, beta="2", digits=15),
    "subcritical.clt_variances_hyp0f1": dict(d=3, beta="2", digits=15),
    "subcritical.clt_variances_quadrature": dict(d=3, beta="2", digits=15),
    "subcritical.n_eff": dict(n=100, d=3, beta="2", digits=15),
    "subcritical.output_bias": dict(d=3, beta="2", digits=15),
    "subcritical.ratio_bias": dict(n=100, d=3, beta="2", digits=15),
    "subcritical.subcritical_summary": dict(d=3, beta="2", n=100, digits=15),
    "heat.funk_hecke_eigenvalue": dict(d=3, degree=2, beta="2", digits=15),
    "heat.heat_semigroup": dict(d=3, degree=2, beta="2", digits=15),
    "heat.heat_values": dict(d=3, degree=2, beta="2", digits=15),
    "heat.funk_hecke_quadrature": dict(d=3, degree=2, beta="2", digits=15),
    "bessel_ratio.mean_resultant": dict(d=3, beta="2", digits=15),
    "bessel_ratio.mean_resultant_ball": dict(d=3, beta="2", digits=15),
    "bessel_ratio.mgf_ratio": dict(d=3, beta="2", digits=15),
    "bessel_ratio.mgf_ratio_ball": dict(d=3, beta="2", digits=15),
    "finite_n.exact_E_W1": dict(n=10, d=3, beta="2", digits=15),
    "finite_n.exact_E_sum_W2": dict(n=10, d=3, beta="2", digits=15),
    "finite_n.exact_finite": dict(n=10, d=3, beta="2", digits=15),
    # E_W1 by this route is a nested mpmath.quad (about a minute at 15 digits): the sweep uses the 1-D E_sum_W2 part
    "finite_n.exact_finite_d3": dict(n=10, beta="2", digits=15, which=("E_sum_W2",)),
    "finite_n.beta_from_lambda": dict(n=10, d=3, lam="1", digits=15),
    "poisson_limit.alpha1_functionals": dict(lam="1", digits=15),
    "poisson_limit.mean_T": dict(alpha="1", lam="1", digits=15),
    "poisson_limit.max_weight_tail": dict(lam="1", w="0.5", digits=15),
    "poisson_limit.campbell_functionals": dict(alpha="1", lam="1", digits=15),
    "poisson_limit.first_point_functionals": dict(alpha="1", lam="1", digits=15),
    "max_weight.max_weight_cdf": dict(alpha="1", lam="1", w="0.5", digits=15),
    "max_weight.max_weight_sf": dict(alpha="1", lam="1", w="0.5", digits=15),
    "supercritical.collapse_probability_alpha1": dict(lam="2", eps="0.1", digits=15),
    "supercritical.gap_survival": dict(alpha="1", h="1", digits=15),
    "supercritical.gap_mean": dict(alpha="1", digits=15),
    "supercritical.nearest_survival_exact": dict(n=10, d=3, s="1", digits=15),
    "supercritical.nearest_survival_limit": dict(alpha="1", s="1", digits=15),
    "supercritical.output_excess": dict(lam="2", digits=15),
    "equiangular.self_weight": dict(n=10, beta="2", rho="0.3", digits=15),
    "equiangular.limit_inner": dict(gamma="2", rho="0.3", digits=15),
    "equiangular.finite_inner": dict(n=10, rho="0.3", gamma="2", digits=15),
    "equiangular.simplex_summary": dict(rho="0.3", gamma="2", n=10, digits=15),
    "regime.regime_report": dict(n=100, d=3, beta="2", digits=6),
    "regime.median_nearest_distance": dict(n=100, d=3, digits=15),
    "transport.backward_step": dict(d=3, ell=2, eps="0.1", beta="5", digits=15, points=8),
    "score_finite.score_finite": dict(law="uniform", n=2, beta="2", digits=10),
    "score_finite.score_finite_top": dict(law="gaussian", n=2, beta="1", digits=6),
    "score_finite.truncation_level": dict(law="exponential", n=100),
    "score_finite.gap_law": dict(law="uniform", n=2),
    "score_finite.top_key_v": dict(law="uniform", n=2, beta="2"),
    "score_limits.pd_functionals": dict(theta="0.5"),
    "score_limits.pd_max_weight_tail": dict(theta="0.5", w="0.6"),
    "score_limits.critical_beta": dict(law="gaussian", n=100),
    "score_limits.beta_at": dict(law="gaussian", n=100, c="2"),
    "score_limits.limit_values": dict(law="gaussian", c="2"),
    "score_limits.gumbel_level": dict(law="gaussian", n=100),
    "score_limits.gumbel_effective_c": dict(law="gaussian", n=100, beta="3"),
    "score_limits.pd_sum_w2_curvature": dict(theta="0.5", digits=8),
    "score_limits.gumbel_sum_w2_expansion": dict(law="gaussian", n=100, beta="5", digits=8),
    "score_limits.frechet_limit_first_order": dict(law="pareto:2", c="1", n=1000),
    "score_limits.frechet_fixed_beta_deficit": dict(law="pareto:2", n=1000, beta="1"),
    "critical_output.check_supported": dict(alpha="2", lam="1", x="2", digits=8),
    "critical_output.output_cdf": dict(alpha="2", lam="1", x="2", digits=8),
    "critical_output.perp_cdf": dict(alpha="1.5", lam="0.25", x="1", digits=8),
    "finite_output.exact_output": dict(n=10, d=3, beta="2", digits=6),
    "finite_output.exact_output_d3": dict(n=3, beta="2", digits=6),
    "finite_output.nearest_distance_moments": dict(n=10, d=3, digits=6),
    "finite_output.check_output_range": dict(n=10, d=3, beta="2", digits=6),
    "validity.validity": dict(n=10, d=3, beta="2", digits=3),
    "critical_output.choose_route": dict(alpha="2", lam="1", x="2", digits=8),
    "critical_output_real.real_space_cdf": dict(alpha="1", lam="1", x="0.01"),
    "critical_output_real.real_space_output": dict(alpha="1", lam="1", x="0.01"),
    "critical_output_real.far_cdf": dict(alpha="1", lam="1", c="0.01"),
    "critical_output_real.near_cdf": dict(alpha="1", lam="1", x="0.01"),
    "key_law_output.key_law_output": dict(n=10, law="vmf:3,2", beta="2", digits=6),
    "key_law_output.check_key_law_range": dict(n=10, law="cap:3,1", beta="2", digits=6),
}

NOT_A_NUMBER = [float("nan"), float("inf"), float("-inf"), "1e400", "-1e400", "1e-400", "abc", "", None,
                [1.0], object()]
# Values outside each parameter's domain, by parameter name.
OUT_OF_DOMAIN = {
    "d": [0, 1, -3, 2.5, "3.5", 10**30],
    "n": [0, -1, 2.5],
    "digits": [0, -1, 2.5, 10**9],
    "degree": [-1, 0.5],
    "ell": [-1, 0.5],
    "order": [-1, 0.5],
    "points": [0, -1],
    "lam": [0, -1, "-1e-3"],
    "alpha": [0, -1],
    "t": [0, -0.5, 3],
    "w": [0, 1, -0.5, 1.5],
    "s": [-1],
    "h": [-1],
    "rho": [1, 1.5, -2],
    "gamma": [0, -1],
    "theta": [1, -0.5, 1.5],
    "c": [0, -1],
}


# Where a parameter's domain depends on the function: "module.function:param".
OUT_OF_DOMAIN_AT = {
    "supercritical.collapse_probability_alpha1:eps": [0, -0.1, 0.75],
}
# Parameters for which None means "not given" (an optional argument), so None is not a bad value there.
OPTIONAL = {"subcritical.subcritical_summary:n", "equiangular.simplex_summary:n"}


def _bad_values(key, param):
    values = NOT_A_NUMBER + OUT_OF_DOMAIN.get(param, []) + OUT_OF_DOMAIN_AT.get(f"{key}:{param}", [])
    return [v for v in values if not (v is None and f"{key}:{param}" in OPTIONAL)]


def _function(key):
    module, name = key.split(".")
    for wing in ("laws", "special"):
        try:
            mod = importlib.import_module(f"attnlimits.numerics.{wing}.{module}")
        except ModuleNotFoundError:
            continue
        return getattr(mod, name)
    raise LookupError(key)


def _refused(limit, fn, kwargs, param, value):
    try:
        with limit(10):
            result = fn(**kwargs)
    except limit.Expired:
        pytest.fail(f"{fn.__qualname__}({param}={value!r}) did not refuse within 10 s")
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    except ValueError as exc:  # a ValueError from the package must still be one line naming something
        assert str(exc) and "\n" not in str(exc), repr(exc)
        return
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{fn.__qualname__}({param}={value!r}) raised {type(exc).__name__}: {exc}")
    pytest.fail(f"{fn.__qualname__}({param}={value!r}) accepted the value and returned {str(result)[:120]}")


NOT_NUMERIC = {"which", "law"}
CASES = [(key, param) for key, base in BASE.items() for param in base if param not in NOT_NUMERIC]


def test_baselines_are_valid(time_limit):
    """The baseline arguments themselves are accepted (else the sweep would test nothing)."""
    for key, base in BASE.items():
        with time_limit(30):
            _function(key)(**base)


@pytest.mark.parametrize("key,param", CASES, ids=[f"{k}:{p}" for k, p in CASES])
@SETTINGS
@given(data=st.data())
def test_bad_number_is_a_value_error(key, param, data, time_limit):
    bad = data.draw(st.sampled_from(_bad_values(key, param)), label=param)
    fn = _function(key)
    _refused(time_limit, fn, {**BASE[key], param: bad}, param, bad)


def test_out_of_domain_table_names_real_parameters():
    params = {p for base in BASE.values() for p in base} - NOT_NUMERIC
    assert set(OUT_OF_DOMAIN) <= params, set(OUT_OF_DOMAIN) - params
    assert all(k.split(":")[0] in BASE for k in list(OUT_OF_DOMAIN_AT) + list(OPTIONAL))
    assert all(not (isinstance(v, float) and math.isnan(v)) for vs in OUT_OF_DOMAIN.values() for v in vs)
