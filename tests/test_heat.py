"""Heat-equation picture: Funk–Hecke vs heat semigroup, density drift, backward heat step, CLI."""
import contextlib
import io
import json

import mpmath
import pytest
import sympy as sp

from attnlimits.cli.main import main
from attnlimits.numerics.laws.heat import (difference_slope, funk_hecke_eigenvalue, funk_hecke_quadrature, heat_semigroup,
                                      heat_values)
from attnlimits.numerics.laws.transport import (backward_step, drift_closed_form, drift_error, drift_prediction,
                                           drift_quadrature)
from attnlimits.theory.heat import (drift_expansion_harmonic, drift_expansion_vmf, ell, first_order_gap,
                                    heat_difference_coefficients)
from attnlimits.theory.sphere import d as dsym
from attnlimits.theory.validation import InputError


def _l2_d3(beta):
    # d = 3, l = 2: I_{5/2}/I_{1/2} = 1 - 3 A_3/b with A_3 = coth b - 1/b (elementary half-integer Bessel functions)
    b = mpmath.mpf(beta)
    return 1 - 3 * (mpmath.coth(b) - 1 / b) / b


def test_first_order_agreement_symbolic():
    gap, f1 = first_order_gap()
    assert gap == 0
    assert sp.simplify(f1 + ell * (ell + dsym - 2) / 2) == 0


def test_beta2_coefficient_against_closed_form():
    c = heat_difference_coefficients(2)
    c2 = c[2].subs({dsym: 3, ell: 2})  # derived: -l(l+d-2)/4 = -3/2 at d = 3, l = 2
    with mpmath.workdps(80):
        b = mpmath.mpf(10) ** 6
        diff = _l2_d3(b) - mpmath.exp(-3 / b)
        assert abs(diff * b * b - mpmath.mpf(str(sp.N(c2, 30)))) < 10 / b


@pytest.mark.parametrize("beta", ["1e-8", "0.5", "1e3", "1e8"])
def test_eigenvalue_d3_closed_form(assert_digits, beta):
    with mpmath.workdps(100):
        ref = _l2_d3(beta)
    assert_digits(funk_hecke_eigenvalue(3, 2, beta, 40), ref, 40)


@pytest.mark.parametrize("d,ell_,beta", [(4096, 5, 100), (512, 3, 1), (2, 1000, 50), (10**4, 7, 10**8)])
def test_eigenvalue_certified(assert_digits, d, ell_, beta):
    from flint import arb

    v = funk_hecke_eigenvalue(d, ell_, beta, 40)
    ball = funk_hecke_eigenvalue(d, ell_, beta, 60, certified=True)
    with mpmath.workdps(80):
        assert ball.overlaps(arb(mpmath.nstr(v, 70)))
        assert_digits(v, mpmath.mpf(ball.mid().str(70, radius=False)), 40)


@pytest.mark.parametrize("d,ell_,beta", [(2, 3, 5), (7, 2, 100)])
def test_funk_hecke_by_quadrature(assert_digits, d, ell_, beta):
    assert_digits(funk_hecke_quadrature(d, ell_, beta, 30), funk_hecke_eigenvalue(d, ell_, beta, 30), 30)


def test_difference_digits_despite_cancellation(assert_digits):
    hv = heat_values(3, 2, 10**6, 30)
    with mpmath.workdps(100):
        ref = _l2_d3(10**6) - mpmath.exp(-mpmath.mpf(3) / 10**6)
    assert_digits(hv.difference, ref, 30)
    assert_digits(hv.heat_semigroup, heat_semigroup(3, 2, 10**6, 30), 30)


def test_difference_rate():
    s = difference_slope(3, 2, [10**3, 10**4, 10**5])
    assert abs(s[-1] + 2) < 1e-3


def test_degree_zero_is_identity():
    hv = heat_values(5, 0, 3, 20)
    assert hv.eigenvalue == 1 and hv.heat_semigroup == 1 and hv.difference == 0


def test_drift_symbolic_first_order():
    for e in (drift_expansion_harmonic(), drift_expansion_vmf()):
        assert all(g == 0 for g in e["rad_gap"] + e["tan_gap"])


@pytest.mark.parametrize("density", [("harmonic", 3, 0.3), ("vmf", [1, 0], 1.5)])
def test_drift_closed_form_vs_quadrature_circle(density):
    c = drift_closed_form(2, 40, [0.6, 0.8], density, 25)
    q = drift_quadrature(2, 40, [0.6, 0.8], density, 25)
    with mpmath.workdps(50):
        assert mpmath.norm(c - q) < mpmath.mpf(10) ** -24 * mpmath.norm(c)


def test_drift_vmf_on_circle_closed_form():
    # d = 2, vMF keys: exp(b cos(t - t_q) + k0 cos(t - t_mu)) = exp(r cos(t - t_v)), so m = I_1(r)/I_0(r) e^{i t_v}
    with mpmath.workdps(60):
        v = 40 * mpmath.matrix([mpmath.mpf("0.6"), mpmath.mpf("0.8")]) + mpmath.mpf(1.5) * mpmath.matrix([1, 0])
        r = mpmath.norm(v)
        ref = mpmath.besseli(1, r) / mpmath.besseli(0, r) * v / r
    c = drift_closed_form(2, 40, ["0.6", "0.8"], ("vmf", [1, 0], 1.5), 40)
    with mpmath.workdps(60):
        assert mpmath.norm(c - ref) < mpmath.mpf(10) ** -40


def test_drift_error_rate():
    errs = [drift_error(3, b, [0.6, 0.0, 0.8], ("harmonic", 2, 0.3), 25) for b in (10**3, 10**4)]
    slope = float(mpmath.log(errs[1] / errs[0]) / mpmath.log(10))
    assert abs(slope + 2) < 0.01
    # and the O(1/beta) part is really there: the prediction beats the uniform-key output (1 - (d-1)/(2b)) q
    m = drift_closed_form(3, 10**3, [0.6, 0.0, 0.8], ("harmonic", 2, 0.3), 25)
    p = drift_prediction(3, 10**3, [0.6, 0.0, 0.8], ("harmonic", 2, 0.3), 25)
    with mpmath.workdps(40):
        naive = (1 - mpmath.mpf(2) / (2 * 10**3)) * mpmath.matrix([0.6, 0.0, 0.8])
        assert mpmath.norm(m - p) < mpmath.norm(m - naive) / 100


@pytest.mark.parametrize("d", [2, 3])
def test_backward_step_rate(d):
    rows = [backward_step(d, 2, 0.2, b, 20, points=12) for b in (10**3, 10**4)]
    slope = float(mpmath.log(rows[1].max_error / rows[0].max_error) / mpmath.log(10))
    assert abs(slope + 2) < 0.01
    # the Y_l coefficient grows by the backward-heat factor 1 + l(l+d-2)/beta up to O(beta^-2)
    r = rows[1]
    assert r.coefficient_error < 10 / mpmath.mpf(10) ** 8
    assert r.coefficient - 0.2 > 0  # grows: backward (anti-diffusive) step


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_cli_heat_json(assert_digits):
    rc, out, _ = _run(["law", "heat", "--d", "3", "--beta", "1e6", "--degree", "2", "--digits", "25", "--json"])
    assert rc == 0
    data = json.loads(out)
    with mpmath.workdps(80):
        ref = _l2_d3(10**6)
        assert data["eigenvalue"] == mpmath.nstr(ref, 25, strip_zeros=False)
        assert_digits(mpmath.mpf(data["difference"]), ref - mpmath.exp(-mpmath.mpf(3) / 10**6), 24)


@pytest.mark.parametrize("argv", [["--d", "3", "--beta", "1", "--degree", "-1"],
                                  ["--d", "3", "--beta", "0", "--degree", "1"],
                                  ["--d", "3", "--beta", "inf", "--degree", "1"],
                                  ["--d", "3", "--beta", "1", "--degree", "2.5"]])
def test_cli_heat_bad_input(argv):
    rc, out, err = _run(["law", "heat"] + argv)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_api_bad_input():
    with pytest.raises(InputError):
        funk_hecke_eigenvalue(3, -1, 1.0)
    with pytest.raises(InputError):
        backward_step(2, 2, 1.5, 100)
    with pytest.raises(InputError):
        drift_quadrature(4, 10, [1, 0, 0, 0], ("harmonic", 1, 0.1))
