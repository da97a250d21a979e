"""The exact finite-(n, d) E W_(1) evaluator and the critical beta (extension)."""
from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.laws import critical_beta as CB
from attnlimits.numerics.montecarlo.sampling import replicates
from attnlimits.numerics.montecarlo.stats import z_compare


def _ein(z):
    return mpmath.e1(z) + mpmath.log(z) + mpmath.euler if z > 0 else mpmath.mpf(0)


def test_inner_quadrature_matches_d3_closed_form():
    # d = 3: D uniform on [0, 2] with density 1/2, so psi(u) = (Ein(u) - Ein(u e^{-beta (2 - D_top)}))/(2 beta)
    law = CB.SphereScores(3)
    u = np.exp(np.linspace(-30, 3.5, 9))
    for D_top, beta in ((1e-3, 800.0), (0.3, 5.0), (1e-9, 1e9)):
        got = CB._psi(law, D_top, beta, u)
        with mpmath.workdps(40):
            ref = [float((_ein(mpmath.mpf(x)) - _ein(x * mpmath.exp(-beta * (2 - mpmath.mpf(D_top))))) / (2 * beta))
                   for x in u]
        assert np.allclose(got, ref, rtol=1e-10, atol=0)


def test_two_keys_closed_form():
    # n = 2, d = 3: |X1 - X2| has density (2 - z)/2 on [0, 2] and W_(1) = 1/(1 + e^{-beta |X1 - X2|})
    beta = 3.0
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-beta * z)), [0, 2])
    assert abs(CB.expected_top_weight(2, beta, CB.SphereScores(3)) - float(ref)) < 1e-6


@pytest.mark.parametrize("n,d,beta", [(1000, 8, 20.0), (300, 64, 30.0)])
def test_top_weight_against_reference_sampler(n, d, beta):
    top = replicates(n, d, beta, 1500, seed=42).top[:, 0]
    c = z_compare("E W_(1)", top, CB.expected_top_weight(n, beta, CB.SphereScores(d)))
    assert abs(c.z) <= 5, c


def test_gaussian_scores_against_direct_sampling():
    rng = np.random.Generator(np.random.PCG64(5))
    n, beta = 500, 2.5
    Z = rng.standard_normal((3000, n)) * beta
    Z -= Z.max(axis=1, keepdims=True)
    W1 = 1 / np.exp(Z).sum(axis=1)
    c = z_compare("gauss", W1, CB.expected_top_weight(n, beta, CB.GaussianScores(1.0)))
    assert abs(c.z) <= 5, c


def test_grid_convergence():
    base = CB.expected_top_weight(10**6, 40.0, CB.SphereScores(32))
    old = dict(CB.GRID)
    try:
        CB.GRID.update(w_panels=2 * old["w_panels"], u_panels=2 * old["u_panels"])
        fine = CB.expected_top_weight(10**6, 40.0, CB.SphereScores(32))
    finally:
        CB.GRID.update(old)
    assert abs(fine - base) < 1e-7


def test_d3_critical_beta_tends_to_poisson_limit():
    # independent route: the d = 3 Poisson limit E W_(1) = int exp(-tau - Ein(tau)/lambda) dtau, beta = lambda n/2
    with mpmath.workdps(25):
        lam = mpmath.findroot(lambda l: mpmath.quad(lambda t: mpmath.exp(-t - _ein(t) / l), [0, 1, 10, mpmath.inf])
                              - 0.5, 0.8)
    r = CB.critical_beta(10**5, 3) / (10**5 / 2)
    assert abs(r - float(lam)) < 2e-5


def test_laws_and_row(assert_digits):
    # references: d = 3 closed forms. kappa_3 = 1/2, so (kappa_3 n)^{2/(d-1)} = n/2; sqrt(2 d log n); log n
    lw = CB.laws(100, 3)
    assert_digits(lw.paper1_power, 50, 12)
    assert_digits(lw.gaussian_scores, math.sqrt(6 * math.log(100)), 14)
    assert_digits(lw.log_n, math.log(100), 15)
    row = CB.critical_beta_row(100, 3)
    assert (row.d, row.n) == (3, 100)
    for name in lw.fields():
        assert getattr(row, name) == getattr(lw, name)
        assert_digits(getattr(row, f"ratio_{name}"), row.beta_crit / getattr(lw, name), 14)
    assert abs(CB.expected_top_weight(100, row.beta_crit, CB.SphereScores(3)) - 0.5) < 1e-5


def test_cli_critical_beta(capsys):
    assert main(["critical-beta", "--d", "16", "--n", "1e3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for k in ("beta_crit", "paper1_power", "gaussian_scores", "log_n", "energy_entropy", "ratio_paper1_power"):
        assert k in out
    b = float(out["beta_crit"])
    assert abs(CB.expected_top_weight(1000, b, CB.SphereScores(16)) - 0.5) < 1e-5


@pytest.mark.parametrize("argv", [["--d", "3", "--n", "1"], ["--d", "1", "--n", "100"],
                                  ["--d", "3", "--n", "100", "--criterion", "entropy"],
                                  ["--d", "3", "--n", "100", "--digits", "12"]])
def test_cli_critical_beta_bad_input(capsys, argv):
    assert main(["critical-beta", *argv]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
def test_full_table_laws():
    rows = CB.table((3, 8, 32, 128, 512, 1024), (10**2, 10**4, 10**6, 10**9, 10**12), progress_bar=False)
    R = {(r.d, r.n): r for r in rows}
    assert abs(R[(3, 10**12)].ratio_paper1_power / R[(3, 10**6)].ratio_paper1_power - 1) < 1e-5
    g = CB.critical_beta(100, law=CB.GaussianScores(1.0))
    assert abs(R[(1024, 100)].beta_crit / math.sqrt(1024) / g - 1) < 0.01


@pytest.mark.parametrize("d,n", [(16, 10**6), (4096, 10**6)])
def test_gaussian_exact_half_mass_by_the_score_law_route(d, n):
    """The crossover column: the half-mass beta of N(0, 1/d) scores, checked by the score-law module's exact finite-n
    E W_(1) (a different algorithm: Campbell sweep over the Gaussian score density, docs/score_laws.md §6) at the
    standard-normal temperature beta / sqrt(d), where it must be 1/2 to the solver's 6 digits."""
    from attnlimits.numerics.laws.score_finite import score_finite

    row = CB.critical_beta_row(n, d, both_domains=True)
    assert row.ratio_gaussian_exact == row.beta_crit / row.gaussian_exact
    w1 = score_finite("gaussian", n, repr(row.gaussian_exact / math.sqrt(d)), digits=10).E_W1
    assert abs(float(w1) - 0.5) < 5e-6, float(w1)


def test_crossover_between_the_two_domains():
    """At d = 3 the sphere's half-mass beta is far from the Gaussian-score one (Weibull top, alpha = 1); at
    d = 4096 >> log n it is within 1% of it (docs/score_laws.md §9). References: the scales themselves, n/2 at d = 3
    and sqrt(2 d log n) at large d."""
    low = CB.critical_beta_row(10**6, 3, both_domains=True)
    high = CB.critical_beta_row(10**6, 4096, both_domains=True)
    assert low.ratio_gaussian_exact > 1e4 and abs(low.ratio_paper1_power - 0.798) < 0.01
    assert abs(high.ratio_gaussian_exact - 1) < 0.01
