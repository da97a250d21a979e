"""The constants table (numerics/laws/constants_table.py) and `attnlimits constants` without --d."""
from __future__ import annotations

import json

import mpmath
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.laws.constants_table import critical_rows, latex, sphere_rows


def test_sphere_rows_against_closed_forms():
    # independent closed forms: kappa_2 = sqrt(2)/pi (a = 1/2, B(1/2,1/2) = pi), kappa_3 = 1/2 (X uniform),
    # kappa_5 = 3/4 (a = 2, B(2,2) = 1/6); C_5 = kappa_5^{1/2}; kappa_3 Gamma(2) = 1/2.
    rows = {r["d"]: r for r in sphere_rows(25, dims=(2, 3, 5))}
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(rows["2"]["kappa"]) - mpmath.sqrt(2) / mpmath.pi) < mpmath.mpf(10) ** -24
        assert mpmath.mpf(rows["3"]["kappa"]) == mpmath.mpf(1) / 2
        assert abs(mpmath.mpf(rows["5"]["kappa"]) - mpmath.mpf(3) / 4) < mpmath.mpf(10) ** -24
        assert abs(mpmath.mpf(rows["5"]["critical_constant"]) - mpmath.sqrt(mpmath.mpf(3) / 4)) < mpmath.mpf(10) ** -24
        assert mpmath.mpf(rows["3"]["neff_constant"]) == mpmath.mpf(1) / 2


def test_latex_table_is_complete():
    text = latex(10, dims=(3, 64))
    assert text.startswith(r"\begin{tabular}") and text.rstrip().endswith(r"\end{tabular}")
    assert text.count(r"\\") == 3  # header and two rows
    assert r"\times 10^{42}" in text  # kappa_64 Gamma(32.5) = 7.04e42 in scientific form


@pytest.mark.slow
def test_lambda_half_against_independent_ein_route():
    # independent route: Ein(z) = E_1(z) + log z + Euler gamma (DLMF 6.2.3), E W_(1) = int exp(-t - Ein(t)/lambda) dt
    rows = {k: v for k, _, v in critical_rows(12)}
    with mpmath.workdps(30):
        ein = lambda z: mpmath.e1(z) + mpmath.log(z) + mpmath.euler  # noqa: E731
        ew = lambda lam: mpmath.quad(lambda t: mpmath.exp(-t - ein(t) / lam), [0, 1, 10, mpmath.inf])  # noqa: E731
        ref = mpmath.findroot(lambda lam: ew(lam) - mpmath.mpf(1) / 2, 0.8)
        assert abs(mpmath.mpf(rows["lambda_half"]) - ref) < mpmath.mpf(10) ** -11
        assert abs(mpmath.mpf(rows["E_W1_lambda1"]) - ew(1)) < mpmath.mpf(10) ** -11


def test_cli_table_json(capsys):
    assert main(["constants", "--digits", "6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["d"] for r in data["sphere"]][:3] == ["2", "3", "4"]
    assert data["sphere"][1]["kappa"] == "0.500000"
