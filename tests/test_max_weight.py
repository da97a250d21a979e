"""The distribution function of W_(1) (numerics.laws.max_weight): closed forms, route agreement, bad input, CLI."""
import json

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from attnlimits.cli.main import main
from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.numerics.laws import max_weight as MW
from attnlimits.numerics.precision import digits_agreed
from attnlimits.theory.validation import InputError


def _gd_cdf(lam, x):
    """P(R < x) for alpha = 1, where R = 1/W_(1) - 1 is generalised Dickman GD(theta), theta = 1/lambda,
    independently of the first point (docs/critical.md). With G0(z) = e^{-gamma theta} z^theta/Gamma(1+theta)
    and the Lévy density theta/y on (0, 1]:
      x <= 1:     G0(x)
      1 < x <= 2: G0(x) - theta int_1^x G0(x-y) dy/y = G0(x) - theta C (x-1)^{theta+1}/(theta+1) 2F1(1,1;theta+2;1-x)
      2 < x <= 3: + theta^2/2 int int_{y1,y2 >= 1, y1+y2 <= x} G0(x-y1-y2) dy1 dy2/(y1 y2)  (mpmath.quad)
    """
    th = 1 / mpmath.mpf(lam)
    c = mpmath.exp(-mpmath.euler * th) / mpmath.gamma(1 + th)
    x = mpmath.mpf(x)
    g0 = lambda z: c * z ** th if z > 0 else mpmath.mpf(0)  # noqa: E731
    r = g0(x)
    if x > 1:
        r -= th * c * (x - 1) ** (th + 1) / (th + 1) * mpmath.hyp2f1(1, 1, th + 2, 1 - x)
    if x > 2:
        r += th ** 2 / 2 * mpmath.quad(lambda y1: mpmath.quad(lambda y2: g0(x - y1 - y2) / y2, [1, x - y1]) / y1,
                                       [1, x - 1])
    return r


def test_alpha1_dickman_tail_both_routes():
    # reference: max_weight_tail, the closed form e^{-gamma/lambda} ((1-w)/w)^{1/lambda}/Gamma(1+1/lambda)
    for lam, w in ((1, "0.5"), (2, "0.8"), ("0.5", "0.6")):
        ref = C.max_weight_tail(lam, w, 45)  # w as text: every side reads it at its own working precision
        a = MW.max_weight_sf_first_point(1, lam, w, 30).sf
        b = MW.max_weight_sf_mecke(1, lam, w, 30).sf
        assert digits_agreed(a, ref, tie=30) >= 29
        assert digits_agreed(b, ref, tie=30) >= 29


def test_alpha1_below_half_against_generalised_dickman():
    # w = 0.4, 0.3 (x = 1.5, 2.33): the E-expansion terms j = 1, 2 against the GD(theta) formulas above
    with mpmath.workdps(50):
        for w in ("0.4", "0.3"):
            x = (1 - mpmath.mpf(w)) / mpmath.mpf(w)
            ref = _gd_cdf(2, x)
            got = MW.max_weight_sf_first_point(1, 2, w, 20).sf
            assert digits_agreed(got, ref, tie=20) >= 19


def test_conditional_law_near_integers_alpha1():
    # x just above and below 1 (the slowest term of the expansion), and x = 2.5, against GD(theta)
    with mpmath.workdps(50):
        for x in ("1.02", "1.98", "2.5"):
            ref = _gd_cdf("1.5", x)
            got = MW.conditional_cdf_R(1, "1.5", "0.8", x, 25)
            assert digits_agreed(got, ref, tie=25) >= 24


def test_routes_agree_alpha2():
    # alpha = 2 (d = 5): first point (Hankel sums, average over v_1) against Mecke (one contour, no average)
    for lam, w in ((1, "0.6"), (3, "0.55")):
        a = MW.max_weight_sf_first_point(2, lam, w, 28).sf
        b = MW.max_weight_sf_mecke(2, lam, w, 28).sf
        assert digits_agreed(a, b, tie=28) >= 27


def test_laplace_closure_alpha2():
    # tau int e^{-tau x} P(R < x | u) dx = e^{-F(tau; u)}, F by its power series (numerics.laws.poisson_limit)
    r = MW.laplace_closure(2, 1, "0.7", 40, 18)
    assert digits_agreed(r.lhs, r.rhs, tie=18) >= 17


def test_cdf_properties():
    with mpmath.workdps(40):
        cdf = [MW.max_weight_cdf(2, 2, w, 15) for w in ("0.45", "0.7", "0.9")]
        assert all(0 < p < 1 for p in cdf)
        assert all(a < b for a, b in zip(cdf, cdf[1:]))
        sf = MW.max_weight_sf(2, 2, "0.7", 15)
        assert digits_agreed(cdf[1] + sf, 1, tie=15) >= 14


@pytest.mark.parametrize("kwargs", [
    dict(alpha=1, lam=1, w=0), dict(alpha=1, lam=1, w=1), dict(alpha=1, lam=1, w=-0.2), dict(alpha=1, lam=1, w=2),
    dict(alpha=0, lam=1, w=0.5), dict(alpha=1, lam=-1, w=0.5), dict(alpha=1, lam=1, w=0.01),
    dict(alpha=1, lam=1, w="nan"),
])
def test_bad_inputs(kwargs):
    with pytest.raises(InputError):
        MW.max_weight_cdf(digits=10, **kwargs)


def test_bad_route_and_mecke_domain():
    with pytest.raises(InputError):
        MW.max_weight_cdf(1, 1, 0.6, 10, route="talbot")
    with pytest.raises(InputError):
        MW.max_weight_sf_mecke(2, 1, 0.4, 10)
    # large alpha: the Mecke contour would cancel thousands of digits, and says so
    with pytest.raises(InputError):
        MW.max_weight_sf_mecke(mpmath.mpf(63) / 2, 40, 0.6, 10)


@settings(max_examples=15, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v <= 0 or v >= 1))
def test_w_outside_unit_interval(w):
    with pytest.raises(InputError):
        MW.max_weight_cdf(1, 1, w, 10)


def test_cli_cdf_json(capsys):
    status = main(["law", "critical", "--d", "3", "--lam", "2", "--digits", "10", "--cdf-w", "0.6,0.3",
                   "--cdf-w", "0.75", "--json"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    data = json.loads(out)
    got = {d["w"]: mpmath.mpf(d["value"]) for d in data["P_W1_le"]}
    assert set(got) == {"0.6", "0.3", "0.75"}
    with mpmath.workdps(40):
        # d = 3: alpha = 1, the Dickman closed form for w >= 1/2, the GD(theta) formula below
        assert digits_agreed(got["0.6"], 1 - C.max_weight_tail(2, mpmath.mpf("0.6"), 30), tie=10) >= 9
        assert digits_agreed(got["0.75"], 1 - C.max_weight_tail(2, mpmath.mpf("0.75"), 30), tie=10) >= 9
        assert digits_agreed(got["0.3"], 1 - _gd_cdf(2, mpmath.mpf(7) / 3), tie=10) >= 9


def test_cdf_reads_w_at_working_precision(assert_digits):
    # w = 0.6 is not a binary fraction: read at the caller's 15 digits it would be 0.59999999999999998, and
    # P(W_(1) <= w) would be off from the 17th digit on. reference: the Dickman closed form at w = 0.6 exactly
    sf_ref = C.max_weight_tail(2, "0.6", 45)
    with mpmath.workdps(60):
        cdf_ref = 1 - sf_ref
    assert_digits(MW.max_weight_cdf(1, 2, "0.6", 25), cdf_ref, 24)
    r = MW.max_weight_sf_first_point(1, 2, "0.6", 25)
    assert isinstance(r, MW.MaxWeightTail) and r.terms == 1 and r.outer_nodes > 0
    assert_digits(r.sf, sf_ref, 24)


def test_cli_cdf_and_top_mass_at_20_digits(capsys, assert_digits):
    # the CLI passes --cdf-w as text (no rounding to 15 digits) and prints the top-k masses computed by numerics
    status = main(["law", "critical", "--d", "3", "--lam", "2", "--digits", "20", "--cdf-w", "0.6", "--json"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    data = json.loads(out)
    with mpmath.workdps(60):
        ref = 1 - C.max_weight_tail(2, "0.6", 45)
        assert_digits(mpmath.mpf(data["P_W1_le"][0]["value"]), ref, 19)
        for j in range(1, 6):  # E_top{j}_mass = E_W1 + ... + E_Wj (each printed to 20 digits)
            assert_digits(data[f"E_top{j}_mass"], sum(mpmath.mpf(data[f"E_W{i}"]) for i in range(1, j + 1)), 19)
    assert_digits(data["P_W1_gt_half"], C.max_weight_tail(2, "0.5", 30), 19)


def test_cli_cdf_bad_w(capsys):
    status = main(["law", "critical", "--d", "3", "--lam", "1", "--cdf-w", "1.5"])
    _, err = capsys.readouterr()
    assert status == 2 and "cdf-w" in err and len(err.strip().splitlines()) == 1
