"""Where beta sits and whether the asymptotics apply (numerics/laws/regime.py, docs/regimes.md §2–5), the supported
range of `attnlimits regime`, and exact gamma for `attnlimits simplex` (numerics/laws/equiangular.py).

Reference values come from independent routes: the exact finite-n integral (numerics/laws/finite_n.py, Arb) for the
half-mass beta solved in double precision (numerics/laws/critical_beta.py); paper 1's Poisson limit
(numerics/laws/poisson_limit.py) against the exact finite-n E W_(1) for the local-law criterion; closed forms
(n/(2n - 1), (d - 1)/(d q)) for the equiangular model.
"""
from __future__ import annotations

import json
import time

import mpmath
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.laws import equiangular as EQ
from attnlimits.numerics.laws import regime as R
from attnlimits.numerics.laws.finite_n import beta_from_lambda, exact_E_W1
from attnlimits.numerics.laws.poisson_limit import campbell_functionals
from attnlimits.theory.validation import InputError

#: The README's head: d = 128, n = 131072, YaRN from 4096 at base 11.3: beta = 11.3 (0.1 log 32 + 1)^2.
README_BETA = "20.48982"


@pytest.fixture(scope="module")
def readme_head():
    """(report, position) of the README's head, computed once: the exact finite-n integral there takes seconds."""
    return R.regime_report(131072, 128, README_BETA, 6), R.regime_position(131072, 128, README_BETA, 6)


def _cli(argv, capsys):
    t0 = time.perf_counter()
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err, time.perf_counter() - t0


# ---------------------------------------------------------------- where beta sits (docs/regimes.md §3)

@pytest.mark.parametrize("n, d", [(100, 3), pytest.param(1000, 32, marks=pytest.mark.slow)])
def test_half_mass_beta_is_where_the_exact_top_weight_is_half(n, d):
    # the solver works in double precision (critical_beta.py); the exact finite-n integral in Arb is independent
    p = R.regime_position(n, d, 1, digits=6)
    w = exact_E_W1(n, d, mpmath.nstr(p.beta_half_mass, 17), digits=10)
    assert abs(w - mpmath.mpf(1) / 2) < 1e-5
    assert p.half_mass_note is None
    assert abs(p.beta_over_half_mass * p.beta_half_mass - 1) < 1e-12


def test_readme_head_position_and_verdict_agree_with_the_exact_top_weight(readme_head):
    rep, pos = readme_head
    assert rep.regime.startswith("subcritical") and rep.E_W1 < R.CRITICAL_LOW
    # E W_(1) increases in beta: below 1/2 exactly when beta is below the half-mass beta
    assert pos.beta_over_half_mass < 1 and rep.E_W1 < 0.5
    assert 0.24 < pos.beta_over_half_mass < 0.26  # measured 0.2507 (docs/regimes.md §1)
    js = pos.to_json(6)
    assert js["beta_half_mass"].startswith("81.73") and len(js["beta_half_mass"].replace(".", "")) <= 6


def test_verdict_follows_the_top_weight_with_few_keys():
    # n = 3, d = 64, beta = 6.5: Kish's n/R = 0.53 n (the former rule said "uniform averaging"), but
    # E W_(1) = 0.556 is past the half-mass point, so the verdict is the critical window
    rep = R.regime_report(3, 64, "6.5", 6)
    pos = R.regime_position(3, 64, "6.5", 6)
    assert rep.kish_n >= 1.5 and rep.E_W1 > 0.5 and pos.beta_over_half_mass > 1
    assert rep.regime == "critical window"


def test_classify_uses_the_excess_over_equal_weights():
    assert R.classify(0.6, 0.55, -0.9, 0.5, n=3) == "critical window"  # excess (0.55 - 1/3)/(2/3) = 0.33
    assert R.classify(0.9, 0.34, -0.9, 0.5, n=3) == "uniform averaging"  # excess 0.01: equal weights
    assert R.classify(0.1, 0.95, -1e-6, 1e-3, n=3) == "supercritical"
    assert R.classify(0.1, 0.11, -0.5, 0.1, n=10**6) == "critical window"  # excess ~ E W_(1) for large n
    assert R.classify(0.1, 0.09, -0.5, 0.1, n=10**6) == "subcritical, bias-dominated"


def test_one_and_two_keys_have_no_half_mass_point():
    p1 = R.regime_position(1, 3, 5, digits=6)
    p2 = R.regime_position(2, 3, 5, digits=6)
    assert p1.beta_half_mass is None and "one key" in p1.half_mass_note
    assert p2.beta_half_mass is None and "beta = 0" in p2.half_mass_note
    # E W_(1) > 1/2 for two keys at every beta > 0 (W_(1) >= 1/2, strictly when beta > 0): the note's claim
    assert exact_E_W1(2, 3, "0.01", digits=10) > 0.5


def test_half_mass_over_budget_is_reported_not_waited_for(monkeypatch):
    monkeypatch.setattr(R, "HALF_MASS_SECONDS", 0.0)
    t0 = time.perf_counter()
    p = R.regime_position(1000, 32, 50, digits=6)
    assert time.perf_counter() - t0 < 5
    assert p.beta_half_mass is None and p.beta_over_half_mass is None
    assert p.half_mass_note.startswith("not computed") and "took more than" in p.half_mass_note


# ---------------------------------------------------------------- when the asymptotics apply (docs/regimes.md §4)

@pytest.mark.parametrize("n, applies", [(10**3, False), (10**6, True), pytest.param(10**9, True, marks=pytest.mark.slow)])
def test_local_law_error_tracks_the_error_of_the_limit(n, applies):
    # d = 8, lambda = 1: paper 1's limit E W_(1)(1) (Poisson limit, alpha = 7/2) against the exact finite-n value
    d, lam = 8, 1
    beta = beta_from_lambda(n, d, lam, digits=20)
    with mpmath.workdps(30):
        b = mpmath.nstr(beta, 25)
    actual = abs(exact_E_W1(n, d, b, digits=8) / campbell_functionals("3.5", lam, digits=10).E_W1 - 1)
    p = R.regime_position(n, d, b, digits=6)
    assert p.asymptotics_apply is applies
    assert (actual <= R.LOCAL_LAW_TOLERANCE) is applies  # the criterion's verdict is the limit's actual accuracy
    assert 0.6 < actual / p.local_law_error < 1.6  # measured 1.44, 1.003, 0.956 (docs/regimes.md §4 table)


def test_readme_head_asymptotics_do_not_apply(readme_head):
    rep, pos = readme_head
    assert pos.asymptotics_apply is False and pos.local_law_error > 1
    # what the note says: the weight sits at 1 - A_d(beta) (the tilted mean), far outside the local region
    assert abs(pos.weight_distance - (1 - rep.mean_resultant)) < 1e-6
    assert "n >= 4.6e+140" in pos.asymptotics_note and "beta >= 2.0e+4" in pos.asymptotics_note
    # the limit at lambda = 8.97, alpha = 63.5 is off from the exact E W_(1) by orders of magnitude
    lim = campbell_functionals("63.5", mpmath.nstr(rep.lam, 12), digits=6).E_W1
    assert rep.E_W1 / lim > 1e6 and rep.n_eff > 131072  # Watson's n_eff is meaningless here (more keys than n)


def test_local_law_is_exact_in_shape_at_d3():
    # d = 3: F(t) = t/2 on [0, 2], so the error is the Le Cam term F(t_w) = t_w/2 alone
    p = R.regime_position(100, 3, 50, digits=10)
    assert abs(p.local_law_error - p.weight_distance / 2) < 1e-12
    assert p.asymptotics_apply is True


# ---------------------------------------------------------------- beta = critical (lambda = 1)

def test_beta_critical_is_lambda_one():
    r = R.regime_report(10**4, 8, "critical", digits=10)
    assert abs(r.lam - 1) < 1e-12
    with mpmath.workdps(30):
        ref = beta_from_lambda(10**4, 8, 1, digits=25)  # lambda (kappa_d n)^{1/alpha} from sympy's kappa_d
        assert abs(R.critical_scale(10**4, 8, digits=20) / ref - 1) < mpmath.mpf(10) ** -18


def test_cli_beta_critical(capsys):
    status, out, err, _ = _cli(["regime", "--n", "10000", "--d", "3", "--beta", "critical", "--json"], capsys)
    assert status == 0, err
    js = json.loads(out)
    assert js["lambda"] == "1.00000" and js["beta"] == "5000.00"  # d = 3: (kappa n)^{1/alpha} = n/2
    assert js["asymptotics_apply"] is True and js["regime"] == "critical window"
    status, out, err, secs = _cli(["regime", "--n", "100", "--d", "3", "--beta", "critical", "--rule", "ssmax",
                                   "--ssmax-s", "1"], capsys)
    assert status == 2 and "cannot be combined with --rule" in err and err.count("\n") == 1 and secs < 10


def test_cli_listing_marks_asymptotic_figures(capsys):
    status, out, err, _ = _cli(["regime", "--n", "100", "--d", "3", "--beta", "10/7"], capsys)
    assert status == 0, err
    lines = {ln.split()[0]: ln for ln in out.splitlines()[1:]}
    assert "not valid here" in lines["lambda"] and "not valid here" in lines["n_eff"]
    assert lines["asymptotics_apply"].split()[1] == "False"
    # 10/7 arrives exactly: lambda = (10/7)/(n/2) at d = 3
    assert lines["lambda"].split()[1] == mpmath.nstr(mpmath.mpf(10) / 7 / 50, 6)


# ---------------------------------------------------------------- supported range (docs/regimes.md §5)

@pytest.mark.parametrize("kwargs, words", [
    (dict(n=10**31, d=3, beta=2), "supported range n <= 1e30"),
    (dict(n=100, d=1025, beta=2), "supported range d <= 1024"),
    (dict(n=100, d=3, beta=2, digits=31), "at most 30 digits"),
    (dict(n=100, d=128, beta="1e300"), "beyond the supported range of the regime calculator"),
    (dict(n=100, d=3, beta="1e400"), "beyond the largest double"),
])
@pytest.mark.parametrize("fn", [R.regime_report, R.regime_position])
def test_out_of_range_is_refused_at_once(fn, kwargs, words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        fn(**kwargs)
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("argv, words", [
    (["--beta", "1e400"], "beta = 1e400 is out of range: beyond the largest double"),
    (["--beta", "2", "--rule", "ssmax", "--ssmax-s", "1e400"], "ssmax-s = 1e400 is out of range"),
    (["--beta", "1e300"], "beyond the supported range of the regime calculator"),
    (["--beta", "2", "--rule", "ssmax", "--ssmax-s", "1e300"], "beyond the supported range of the regime calculator"),
    (["--beta", "2", "--digits", "1e300"], "digits must be an integer <= 5000"),
])
def test_cli_huge_values_are_refused_at_once(argv, words, capsys):
    status, out, err, secs = _cli(["regime", "--n", "100", "--d", "128", *argv], capsys)
    assert status == 2 and words in err and err.count("\n") == 1 and "Traceback" not in err
    assert secs < 10


# ---------------------------------------------------------------- simplex: exact gamma (docs/equiangular.md §7)

def test_gamma_critical_is_exact():
    for rho, text in (("0.3", "10/7"), ("1/3", "3/2"), ("0.5", "2"), ("-1/7", "7/8")):
        g = EQ.critical_gamma(rho)
        assert str(g) == text and EQ.phase(g, rho) == "critical"
    # the closest decimals cannot reach it: 1.428571428571428571 is below 10/7
    assert EQ.phase("1.428571428571428571", "0.3") == "subcritical"


def test_cli_simplex_ratio_lands_on_the_critical_phase(capsys):
    status, out, err, _ = _cli(["simplex", "--rho", "0.3", "--gamma", "10/7", "--n", "1e6", "--json"], capsys)
    assert status == 0, err
    js = json.loads(out)
    assert js["gamma"] == "10/7" and js["phase"] == "critical"
    with mpmath.workdps(40):  # at gamma = gamma_c, A_ii = 1/(1 + (n - 1)/n) = n/(2n - 1)
        ref = mpmath.mpf(10**6) / (2 * 10**6 - 1)
        assert abs(mpmath.mpf(js["self_weight"]) - ref) < mpmath.mpf(10) ** -20
    status, out2, err, _ = _cli(["simplex", "--rho", "0.3", "--gamma", "critical", "--n", "1e6", "--json"], capsys)
    assert status == 0, err
    assert json.loads(out2) == js  # "critical" is 10/7 exactly


def test_cli_simplex_critical_with_a_thirty_digit_rho(capsys):
    rho = "0.123456789012345678901234567891"
    status, out, err, _ = _cli(["simplex", "--rho", rho, "--gamma", "critical", "--n", "1000", "--digits", "30",
                                "--json"], capsys)
    assert status == 0, err
    js = json.loads(out)
    assert js["phase"] == "critical" and js["gamma"].count("/") == 1
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(js["self_weight"]) - mpmath.mpf(1000) / 1999) < mpmath.mpf(10) ** -30


def test_check_rho_is_exact_at_the_ends():
    near_one = "0." + "9" * 70
    assert EQ.check_rho(near_one, 10) == near_one  # 1 - 1e-70 < 1: inside (60-digit arithmetic said "= 1")
    with pytest.raises(InputError, match="rho must lie in"):
        EQ.check_rho("-1/9", 10)  # exactly -1/(n-1): the Gram matrix is singular
    assert EQ.check_rho("-0.1111111111111111111111111111111", 10)


def test_eta_at_huge_gamma_is_the_projection():
    # beta = 1e300 log n: A = I to all digits, so the Jacobian is blockdiag(P_i/|x_i|) and eta = (d - 1)/(d q)
    # exactly; before the beta guard digits the cancelling beta^2 term gave 1.7e539
    v = EQ.finite_eta(1000, "0.3", 1000, gamma="1e300", q=2, digits=20)
    with mpmath.workdps(40):
        assert abs(v - mpmath.mpf(999) / 2000) < mpmath.mpf(10) ** -20


def test_simplex_at_the_largest_digits(capsys):
    # the guard digits ride on the gate's guard: --digits 5000 is not refused as "5008"
    status, out, err, _ = _cli(["simplex", "--rho", "0.5", "--gamma", "2", "--n", "100", "--digits", "5000",
                                "--json"], capsys)
    assert status == 0, err
    js = json.loads(out)
    assert js["phase"] == "critical" and js["limit_inner"].startswith("0.8000000000")
    assert len(js["self_weight"].replace(".", "").lstrip("0")) >= 5000
