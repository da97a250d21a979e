"""The shared machinery: input validation, precision contexts, number formatting, the claims
registry, the runner, the report and the command line's one-line error rule."""
from __future__ import annotations

import json

import mpmath
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.formatting import decimal_string, scientific_string
from attnlimits.numerics.precision import MAX_DIGITS, arb_digits, check_digits, working_digits
from attnlimits.numerics.montecarlo.stats import holm, z_compare
from attnlimits.proofs_checks.registry import Claim, CheckContext, Outcome, Source
from attnlimits.proofs_checks.report import write_report
from attnlimits.proofs_checks.runner import run_claims
from attnlimits.theory import validation as v


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("bad, words", [
    (1, "d must be an integer >= 2"),
    (2.5, "d must be an integer"),
    ("three", "d must be a number"),
    (float("nan"), "d must be finite"),
    (float("inf"), "d must be finite"),
    (True, "boolean"),
])
def test_dimension_rejects_with_one_line(bad, words):
    with pytest.raises(ValueError) as e:
        v.dimension(bad)
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_scientific_notation_counts_are_integers():
    assert v.count("1e12") == 10**12
    assert v.count(1e6) == 10**6
    assert v.integer("-3", "k") == -3
    with pytest.raises(v.InputError, match="n must be an integer >= 1"):
        v.count("0")
    with pytest.raises(v.InputError, match="must be an integer"):
        v.count("1.5")


def test_real_keeps_the_users_text_and_checks_bounds():
    assert v.real(" 0.1 ", "t") == "0.1"
    assert v.positive_real(3, "beta") == 3
    with pytest.raises(v.InputError, match="beta must be > 0"):
        v.positive_real("0", "beta")
    with pytest.raises(v.InputError, match="beta must be finite"):
        v.positive_real("inf", "beta")
    with pytest.raises(v.InputError, match="t must be <= 2"):
        v.real("2.5", "t", low=0, high=2, low_open=True)
    with pytest.raises(v.InputError, match="must be one of"):
        v.choice("fast", "sampler", ("naive", "exact"))


# ---------------------------------------------------------------- precision and formatting

def test_working_digits_restores_precision_even_on_error():
    before = mpmath.mp.dps
    with pytest.raises(RuntimeError):
        with working_digits(60):
            assert mpmath.mp.dps >= 60
            raise RuntimeError
    assert mpmath.mp.dps == before


def test_arb_digits_restores_flint_precision():
    from flint import arb, ctx

    before = ctx.prec
    with arb_digits(50):
        # pi to 50 digits (reference: mpmath at 80 digits, an independent implementation)
        ball = arb.pi()
        with mpmath.workdps(80):
            assert abs(mpmath.mpf(ball.mid().str(60, radius=False)) - mpmath.pi) < mpmath.mpf(10) ** -50
    assert ctx.prec == before


@pytest.mark.parametrize("bad", [0, -1, MAX_DIGITS + 1, "many", 2.5])
def test_absurd_digits_are_refused(bad):
    with pytest.raises(ValueError, match="digits"):
        check_digits(bad)


def test_decimal_strings_carry_the_requested_digits():
    assert decimal_string(mpmath.mpf(1) / 2, 30) == "0." + "5" + "0" * 29
    with mpmath.workdps(40):
        s = scientific_string(mpmath.mpf(10) ** -5529 * mpmath.pi, 20)
    assert s.startswith("3.1415926535897932385") and s.endswith("e-5529")


# ---------------------------------------------------------------- statistics

def test_holm_is_step_down():
    # sorted p: 0.001 <= 0.05/3 is rejected; 0.03 > 0.05/2 stops the procedure
    assert holm([0.03, 0.001, 0.5], level=0.05) == [False, True, False]
    # 0.001 <= 0.05/3, 0.02 <= 0.05/2, 0.5 > 0.05
    assert holm([0.02, 0.001, 0.5], level=0.05) == [True, True, False]
    assert holm([0.01, 0.02, 0.04], level=0.05) == [True, True, True]


def test_z_compare_against_known_mean():
    c = z_compare("m", [1.0, 2.0, 3.0, 4.0], 2.5)
    assert c.z == 0.0 and c.p == pytest.approx(1.0)


# ---------------------------------------------------------------- registry, runner, report

def _claims():
    ok = Claim("T.ok", "one holds", Source.extension(), "numerical", lambda ctx: Outcome(True, "1 == 1", {"digits": 30}))
    bad = Claim("T.bad", "one fails", Source.extension(), "numerical", lambda ctx: Outcome(False, "1 != 2", {}))
    boom = Claim("T.boom", "one breaks", Source.extension(), "numerical", lambda ctx: 1 / 0)
    return [ok, bad, boom]


def test_runner_reports_pass_fail_and_error(tmp_path):
    res = run_claims(_claims(), show_progress=False)
    assert [r.status for r in res] == ["pass", "fail", "error"]
    assert "ZeroDivisionError" in res[2].outcome.evidence
    md, js = write_report(res, tmp_path / "rep", mode="quick")
    data = json.loads(js.read_text())
    assert data["counts"] == {"pass": 1, "fail": 1, "error": 1}
    assert data["claims"][0]["figures"] == {"digits": 30}
    text = md.read_text()
    for c in _claims():
        assert f"`{c.id}`" in text


def test_check_context_default_is_quick():
    assert CheckContext().full is False


def test_every_registered_claim_is_well_formed():
    from attnlimits.proofs_checks.registry import EVIDENCE_KINDS, all_claims

    claims = all_claims()
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids))
    for c in claims:
        assert c.evidence in EVIDENCE_KINDS
        assert c.statement and c.source
        assert c.id.split(".")[0] in ("P1", "P2", "EXT"), c.id
        assert isinstance(c.source, Source) and str(c.source).startswith(("P1 ", "P2 ", "extension")), c.id


def _fake_claims_module(name, area):
    import sys
    import types

    mod = types.ModuleType(name)
    mod.AREA = area
    sys.modules[name] = mod
    return mod


def _check_in(module_name):
    def f(ctx):
        return Outcome(True, "", {})
    f.__module__ = module_name
    f.__qualname__ = module_name + ".f"
    return f


def test_registry_refuses_a_claim_outside_its_module_area():
    from attnlimits.proofs_checks.registry import claim

    _fake_claims_module("tests_fake_claims_area", "T.area")
    deco = claim("T.other.x", statement="s", source=Source("P1", "§2"), evidence="numerical")
    with pytest.raises(ValueError, match="outside the areas T.area"):
        deco(_check_in("tests_fake_claims_area"))
    _fake_claims_module("tests_fake_claims_none", None)
    deco = claim("T.none.x", statement="s", source=Source("P1", "§2"), evidence="numerical")
    with pytest.raises(ValueError, match="must declare AREA"):
        deco(_check_in("tests_fake_claims_none"))


def test_registry_refuses_an_area_declared_by_two_modules():
    from attnlimits.proofs_checks.registry import all_claims, claim

    all_claims()  # the real modules have declared their areas
    _fake_claims_module("tests_fake_claims_overlap", "P1.cap.sub")
    deco = claim("P1.cap.sub.x", statement="s", source=Source("P1", "§2"), evidence="numerical")
    with pytest.raises(ValueError, match="overlaps 'P1.cap'"):
        deco(_check_in("tests_fake_claims_overlap"))


def test_claim_sources_are_structured():
    from attnlimits.proofs_checks.registry import claim

    with pytest.raises(TypeError, match="source must be a Source"):
        claim("T.x.y", statement="s", source="P1 §2", evidence="numerical")
    with pytest.raises(TypeError, match="source must be a Source"):
        Claim("T.x", "s", "extension", "numerical", lambda ctx: Outcome(True, "", {}))
    with pytest.raises(ValueError, match="section must look like"):
        Source("P1", "2")
    with pytest.raises(ValueError, match="names a section or an item"):
        Source("P2")
    with pytest.raises(ValueError, match="names no paper section"):
        Source(None, "§2")
    assert str(Source("P2", item="Thm 2.4", note="Fig. 2 method")) == "P2 Thm 2.4 (Fig. 2 method)"
    assert f"{Source('P1', '§3'):8s}|" == "P1 §3   |"  # `check --list` pads it like a string


# ---------------------------------------------------------------- command line

def test_unknown_option_is_one_line_exit_2(capsys):
    assert main(["check", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments" in err


def test_unknown_claim_is_one_line_exit_2(capsys):
    assert main(["check", "--claim", "P9.nothing"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "attnlimits: error: unknown claim 'P9.nothing'; `attnlimits check --list` shows the ids"


def test_no_command_exits_2(capsys):
    assert main([]) == 2


def test_digits_agreed():
    from attnlimits.numerics.precision import digits_agreed

    with mpmath.workdps(50):
        pi = +mpmath.pi
        # relative difference 1e-40/pi = 3.2e-41: -log10 = 40.497, so 40 digits agree
        assert digits_agreed(pi, pi + mpmath.mpf(10) ** -40) == 40
        assert digits_agreed(pi, pi) == 50  # a tie counts as the caller's precision, no more
        assert digits_agreed(pi, pi, tie=30) == 30  # or as the digits both were computed to deliver
    assert digits_agreed(1, 2) == 0
    assert digits_agreed(0.5, 0.5000001) == 6  # relative 2e-7
