"""The double-exponential engine (numerics.quadrature.double_exponential), the Gauss–Gumbel rule and the
incomplete-gamma helpers, against closed forms (references computed independently: mpmath special
functions and the integrals' known values)."""
import mpmath
import pytest
from flint import arb, ctx

from attnlimits.numerics.quadrature.double_exponential import (DERule, ExponentialMap, ExpSinhMap, SinhMap,
                                                                TanhSinhMap, integrate_rules, outer_log_integral,
                                                                predicted_error)
from attnlimits.numerics.quadrature.gauss_gumbel import gumbel_rule
from attnlimits.numerics.special.incomplete_gamma import ein, scaled_upper_gamma_table


def _rel(a, b):
    return abs(a - b) / abs(b)


def test_sinh_map_gaussian_and_node_reuse():
    # ∫ e^{−s²} ds = √π; every node is evaluated once although the rule visits several levels
    calls = []

    def f(s):
        calls.append(s)
        return [mpmath.exp(-s * s), s * s * mpmath.exp(-s * s)]

    with mpmath.workdps(50):
        rule = DERule(SinhMap(0, 2, 2, 4, 4))
        r = rule.integrate(f, 35)
        assert r.converged and r.level >= 2
        assert _rel(r.value[0], mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -35
        assert _rel(r.value[1], mpmath.sqrt(mpmath.pi) / 2) < mpmath.mpf(10) ** -35
        assert len(calls) == r.nodes == len(set(calls))
        assert r.nodes == len(rule.indices(r.level))  # the finest level holds every coarser node
        # the fixed rule of the returned level gives the same sum
        fixed = sum(w * mpmath.exp(-s * s) for s, w in rule.nodes(r.level))
        assert _rel(fixed, r.value[0]) < mpmath.mpf(10) ** -45


def test_tanh_sinh_endpoint_singularity():
    # ∫_0^1 log s ds = −1: the map gives the distance to the nearer end without cancellation
    with mpmath.workdps(45):
        r = DERule(TanhSinhMap(mpmath.mpf(0), mpmath.mpf(1))).integrate(mpmath.log, 30)
        assert r.converged
        assert abs(r.value + 1) < mpmath.mpf(10) ** -30


def test_exp_sinh_half_line():
    # ∫_0^∞ e^{−u} √u du = Γ(3/2) = √π/2, nodes clustered at u = 0 (integrand singular in its derivative)
    with mpmath.workdps(45):
        rule = DERule(ExpSinhMap(mpmath.mpf(0), 1, mpmath.mpf(200)))
        r = rule.integrate(lambda u: mpmath.exp(-u) * mpmath.sqrt(u), 30)
        assert r.converged
        assert _rel(r.value, mpmath.sqrt(mpmath.pi) / 2) < mpmath.mpf(10) ** -30


def test_exponential_map_in_arb_and_fixed_rule():
    # τ = e^{2 sinh x}: ∫_0^∞ e^{−τ} τ^{−1/2} dτ = Γ(1/2) = √π in Arb; the fixed rule of the returned
    # level, applied to another integrand of the family (∫ e^{−τ} τ^{1/2} = Γ(3/2)), keeps the digits
    old = ctx.prec
    ctx.prec = 200
    try:
        # x from −5.5 (τ = e^{−2 sinh 5.5} ≈ e^{−245}: ∫_0^τ τ^{−1/2} = 2√τ is negligible) to 1.9 (τ ≈ 690)
        rule = DERule(ExponentialMap(SinhMap(0, 2, 2, 5.5, 1.9)), h0=1 / 16, arithmetic="arb")
        r = rule.integrate(lambda t: (-t).exp() / t.sqrt(), 30)
        assert isinstance(r.value, arb) and r.converged
        with mpmath.workdps(45):
            got = mpmath.mpf(r.value.mid()._mpf_)
            assert _rel(got, mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -30
            fixed = sum((w * (-t).exp() * t.sqrt() for t, w in rule.nodes(r.level)), arb(0))
            assert _rel(mpmath.mpf(fixed.mid()._mpf_), mpmath.sqrt(mpmath.pi) / 2) < mpmath.mpf(10) ** -30
    finally:
        ctx.prec = old


def test_several_pieces_share_the_levels():
    # ∫_{−60}^{60} e^{−s²/50} ds = √(50π) erf(60/√50) on [−60, −1], [−1, 1], [1, 60]: exp-sinh, tanh-sinh,
    # exp-sinh pieces halved together
    with mpmath.workdps(45):
        rules = [DERule(ExpSinhMap(mpmath.mpf(-1), -1, mpmath.mpf(59))),
                 DERule(TanhSinhMap(mpmath.mpf(-1), mpmath.mpf(1))),
                 DERule(ExpSinhMap(mpmath.mpf(1), 1, mpmath.mpf(59)))]
        r = integrate_rules(lambda s: [mpmath.exp(-s * s / 50)], rules, 30)
        assert r.converged
        ref = mpmath.sqrt(50 * mpmath.pi) * mpmath.erf(60 / mpmath.sqrt(50))
        assert _rel(r.value[0], ref) < mpmath.mpf(10) ** -30


def test_outer_log_integral_gamma_function():
    # ∫ t^{5/2} e^{−t} dt/t over s = log t: Γ(5/2) = 3√π/4, centred where the integrand peaks
    with mpmath.workdps(45):
        f = lambda s: [mpmath.exp(mpmath.mpf(5) / 2 * s - mpmath.exp(s))]
        r = outer_log_integral(f, mpmath.log(mpmath.mpf(5) / 2), -80, 8, 30)
        assert r.converged
        assert _rel(r.value[0], 3 * mpmath.sqrt(mpmath.pi) / 4) < mpmath.mpf(10) ** -30


def test_stopping_rule():
    mp = mpmath.mpf
    with mpmath.workdps(30):
        err, stalled = predicted_error(mp(10) ** -12)
        assert not stalled and abs(mpmath.log10(err) + 18) < 1e-9  # first halving: δ^{3/2}
        err, _ = predicted_error(mp(10) ** -20, mp(10) ** -11)  # measured rate 20/11 > 7/4: capped
        assert abs(mpmath.log10(err) + 35) < 1e-9
        err, _ = predicted_error(mp(10) ** -15, mp(10) ** -10)  # measured rate 3/2
        assert abs(mpmath.log10(err) + 22.5) < 1e-9
        err, stalled = predicted_error(mp(10) ** -20, mp(10) ** -18)  # no progress after agreeing to 18 digits
        assert stalled and err == mp(10) ** -20
        assert predicted_error(mp(0), mp(10) ** -9) == (0, False)


def test_noisy_integrand_stops_and_says_so():
    # an integrand carrying noise of relative size 1e-20: the halvings stop paying, the rule stops early
    # instead of running to max_level, and reports an error near the noise, not below the tolerance
    with mpmath.workdps(50):
        def f(s):
            noise = mpmath.mpf(10) ** -20 * mpmath.cos(mpmath.mpf(10) ** 7 * s)
            return [mpmath.exp(-s * s) * (1 + noise)]

        r = DERule(SinhMap(0, 2, 2, 4, 4)).integrate(f, 35, max_level=9)
        assert not r.converged and r.level < 9
        assert mpmath.mpf(10) ** -24 < r.error < mpmath.mpf(10) ** -17
        assert _rel(r.value[0], mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -19


def test_gumbel_rule_moments():
    # E G = γ, E G² = γ² + π²/6 (cumulants of log Γ(1 − z)), exact for polynomials of degree < 2n
    xs, ws = gumbel_rule(10, 25)
    old = ctx.prec
    ctx.prec = 200
    try:
        with mpmath.workdps(40):
            m = [sum(mpmath.mpf(w.mid()._mpf_) * mpmath.mpf(x.mid()._mpf_) ** k for x, w in zip(xs, ws))
                 for k in range(3)]
    finally:
        ctx.prec = old
    with mpmath.workdps(40):
        g = mpmath.euler
        assert abs(m[0] - 1) < mpmath.mpf(10) ** -25
        assert abs(m[1] - g) < mpmath.mpf(10) ** -25
        assert abs(m[2] - (g * g + mpmath.pi ** 2 / 6)) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize("alpha", ["0.3", "0.5", "1", "2.5", "4", "31.5"])
def test_scaled_upper_gamma_table(alpha):
    old = ctx.prec
    ctx.prec = 200
    try:
        xs = ["0.01", "1", "7.5", "40"]
        got = scaled_upper_gamma_table(arb(alpha), [arb(x) for x in xs])
        with mpmath.workdps(50):
            for x, g in zip(xs, got):
                ref = mpmath.exp(mpmath.mpf(x)) * mpmath.gammainc(mpmath.mpf(alpha), mpmath.mpf(x))
                mid, rad = mpmath.mpf(g.mid()._mpf_), mpmath.mpf(g.rad()._mpf_)
                assert rad < mpmath.mpf(10) ** -36 * ref  # at least 36 digits at 200 bits
                assert abs(mid - ref) <= rad + mpmath.mpf(10) ** -45 * ref  # the reference lies in the ball
    finally:
        ctx.prec = old


@pytest.mark.parametrize("z", ["1e-8", "0.5", "1.999", "2", "3", "50"])
def test_ein_both_branches(z):
    # reference: Ein(z) = ∫_0^z (1 − e^{−t}) dt/t by quadrature (DLMF 6.2.3)
    with mpmath.workdps(40):
        zz = mpmath.mpf(z)
        ref = mpmath.quad(lambda t: -mpmath.expm1(-t) / t, [0, min(zz, 1), zz])
        assert _rel(ein(zz), ref) < mpmath.mpf(10) ** -35
