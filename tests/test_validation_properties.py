"""Property-based tests (hypothesis) of the input checks of the cap, constants and local-exponent APIs."""
import math

import mpmath
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnlimits.numerics.laws import cap as ncap
from attnlimits.numerics.laws import sphere as nsphere
from attnlimits.numerics.precision import MAX_DIGITS
from attnlimits.theory import key_laws as L
from attnlimits.theory.validation import InputError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

bad_d = st.one_of(
    st.integers(max_value=1),
    st.floats(min_value=2.01, max_value=1e6, allow_nan=False).filter(lambda x: x != math.floor(x)),
    st.sampled_from([float("nan"), float("inf"), "three", "", None, True, "2.5"]),
)
bad_t = st.one_of(
    st.floats(max_value=0.0, allow_nan=False, allow_infinity=False),
    st.floats(min_value=2.0, exclude_min=True, allow_nan=False, allow_infinity=False),
    st.sampled_from([float("nan"), float("inf"), "-1e-3", "2.0000001", "x", None]),
)
bad_digits = st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_DIGITS + 1, max_value=10**12),
                       st.sampled_from([1.5, "many", None, float("nan")]))


def one_line(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except InputError as e:
        msg = str(e)
        assert msg and "\n" not in msg
        return True
    return False


@SETTINGS
@given(bad_d)
def test_bad_dimension(d):
    assert one_line(ncap.cap_probability, d, "0.1", 10)
    assert one_line(ncap.log_cap_probability, d, "0.1", 10)
    assert one_line(nsphere.constants, d, 10)
    assert one_line(nsphere.kappa_value, d, 10)
    assert one_line(L.uniform, d)


@SETTINGS
@given(bad_t)
def test_bad_t(t):
    assert one_line(ncap.cap_probability, 5, t, 10)
    assert one_line(ncap.log_cap_probability, 5, t, 10)
    assert one_line(ncap.cap_probability_quad, 5, t, 10)


@SETTINGS
@given(bad_digits)
def test_bad_digits(digits):
    assert one_line(ncap.cap_probability, 5, "0.1", digits)
    assert one_line(nsphere.constants, 5, digits)


@SETTINGS
@given(st.floats(max_value=-0.001, min_value=-1e6, allow_nan=False))
def test_bad_law_parameters(x):
    assert one_line(L.von_mises_fisher, 4, x)
    assert one_line(L.cap, 4, x)
    assert one_line(L.vanishing, 4, x - 3)  # gamma <= -(d-1) = -3: not integrable


@SETTINGS
@given(st.integers(min_value=2, max_value=5000),
       st.floats(min_value=1e-12, max_value=2.0, allow_nan=False),
       st.integers(min_value=5, max_value=25))
def test_good_inputs_give_finite_results_in_range(d, t, digits):
    p = ncap.cap_probability(d, t, digits)
    lp = ncap.log_cap_probability(d, t, digits)
    assert 0 < p <= 1 and mpmath.isfinite(lp) and lp <= 0
    with mpmath.workdps(digits + 5):
        # log of the probability and the logarithm agree (p > 0 even when it underflows a double)
        assert abs(mpmath.log(p) - lp) <= abs(lp) * mpmath.mpf(10) ** (-digits + 2) + mpmath.mpf(10) ** (-digits)
    k = nsphere.kappa_value(d, digits)
    assert k > 0 and mpmath.isfinite(k)


@SETTINGS
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=0, max_value=20))
def test_good_vmf_gives_positive_kappa(d, k0):
    from attnlimits.theory.local_exponent import local_exponent

    r = local_exponent(L.von_mises_fisher(d, k0))
    assert r.power_law and r.alpha == sp.Rational(d - 1, 2) and sp.N(r.kappa) > 0
