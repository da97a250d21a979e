"""The `attnlimits constants` and `attnlimits cap` commands (called through attnlimits.cli.main.main)."""
import json

import mpmath
import pytest

from attnlimits.cli.main import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_constants_d3_json(capsys):
    status, out, err = run(capsys, "constants", "--d", "3", "--digits", "30", "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    # d = 3: X is uniform on [-1, 1], so P(D <= t) = t/2 exactly: kappa = 1/2, alpha = 1
    assert data["kappa"] == "0.500000000000000000000000000000"
    assert data["alpha"] == "1.00000000000000000000000000000"
    assert data["critical_exponent"] == "1.00000000000000000000000000000"
    assert data["digits"] == "30"
    assert data["cap_series"][0] == "0.500000000000000000000000000000"
    assert mpmath.mpf(data["cap_series"][1]) == 0


def test_constants_d4_against_closed_form(capsys):
    status, out, _ = run(capsys, "constants", "--d", "4", "--digits", "25", "--json")
    data = json.loads(out)
    with mpmath.workdps(40):
        # a = 3/2, B(3/2, 3/2) = pi/8: kappa_4 = 2^{-3/2} / ((3/2) pi/8) = 4 sqrt(2) / (3 pi)
        ref = 4 * mpmath.sqrt(2) / (3 * mpmath.pi)
        assert data["kappa"] == mpmath.nstr(ref, 25, strip_zeros=False)
        assert abs(mpmath.mpf(data["critical_constant"]) - ref ** (mpmath.mpf(2) / 3)) < mpmath.mpf("1e-24")
        assert abs(mpmath.mpf(data["critical_exponent"]) - mpmath.mpf(2) / 3) < mpmath.mpf("1e-25")


def test_constants_latex(capsys):
    status, out, _ = run(capsys, "constants", "--d", "5", "--digits", "8", "--latex")
    lines = out.strip().splitlines()
    assert status == 0 and len(lines) >= 5
    assert all(" & " in ln and ln.endswith("\\\\") for ln in lines)
    assert any("0.75000000" in ln for ln in lines)  # kappa_5 = 3/4: Beta(2,2) CDF 3x^2 - 2x^3 at x = t/2


@pytest.mark.parametrize("argv", [
    ("constants", "--d", "1"),
    ("constants", "--d", "2.5"),
    ("constants", "--d", "abc"),
    ("constants", "--d", "3", "--digits", "0"),
    ("constants", "--d", "3", "--digits", "1e9"),
    ("cap", "--d", "3", "--t", "0"),
    ("cap", "--d", "3", "--t", "2.5"),
    ("cap", "--d", "3", "--t", "-1e-3"),
    ("cap", "--d", "3", "--t", "nan"),
    ("cap", "--d", "1", "--t", "0.5"),
    ("cap", "--d", "3", "--t", "0.5", "--digits", "-3"),
])
def test_bad_input_one_line_exit_2(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("attnlimits")


def test_cap_d4096_tiny_to_20_digits(capsys):
    status, out, _ = run(capsys, "cap", "--d", "4096", "--t", "1e-3", "--digits", "20", "--json")
    data = json.loads(out)
    # independent route: mpmath's betainc at 60 digits (hypergeometric series), not Arb as in the command
    with mpmath.workdps(60):
        a = mpmath.mpf(4095) / 2
        p = mpmath.betainc(a, a, 0, mpmath.mpf("1e-3") / 2, regularized=True)
        assert data["probability"] == mpmath.nstr(p, 20, strip_zeros=False, min_fixed=1, max_fixed=0)
        assert data["log_probability"] == mpmath.nstr(mpmath.log(p), 20, strip_zeros=False)
    assert data["probability"].endswith("e-5529")


def test_cap_certified_and_text(capsys):
    status, out, _ = run(capsys, "cap", "--d", "10", "--t", "0.25", "--digits", "15", "--certified", "--json")
    data = json.loads(out)
    assert status == 0 and data["probability_ball"].startswith("[") and "+/-" in data["probability_ball"]
    status, out, _ = run(capsys, "cap", "--d", "3", "--t", "0.5")
    assert status == 0 and "probability" in out and "2.5000000000000000000e-1" in out  # d = 3: t/2
