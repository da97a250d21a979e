"""The settling test (docs/output.md §3): the exact finite-n output along β_n = n^{2/(d−1) ∓ ε} and on the critical scale.

Paper 1's subcritical claim says that attention at β_n ≪ n^{2/(d−1)} returns the local average A_d(β_n) q with its
explicit bias 1 − A_d(β_n) ~ (d − 1)/(2β_n). The exact finite-n E⟨q, y⟩ of ``numerics.laws.finite_output`` settles
that at n = 10^3 … 10^15, far beyond any simulation:

- at β_n = n^{2/(d−1) − ε} the relative error of the bias, E(1 − ⟨q, y⟩)/(1 − A_d(β_n)) − 1, tends to 0 like
  C_d n^{−αε} (α = (d − 1)/2, C_d = 1/(2^{α+1} κ_d Γ(α + 1)), from the ratio bias R(A_2 − A_1)/n of
  docs/mathematics.md §5.4 at leading Watson order), and E W_(1) → 0;
- at β_n = n^{2/(d−1) + ε} (the mirror), E W_(1) → 1 with 1 − E W_(1) ~ α Γ(2 − 1/α) log 2 κ_d^{1/α} n^{−ε} and the
  output sits on the nearest key: E(1 − ⟨q, y⟩)/E D_(1) − 1 ~ α Γ(2 − 1/α) π²/(12 Γ(1 + 1/α)) κ_d^{2/α} n^{−2ε}
  (the nearest gap S_2 − S_1 has density α Γ(2 − 1/α) at 0, docs/mathematics.md §4.6, §7.1);
- at β_n = λ(κ_d n)^{1/α} E W_(1) and (κ_d n)^{1/α} E(1 − ⟨q, y⟩) reach the Poisson-limit E W_(1) and E N with an
  error O(n^{−1/α}) (O(1/n) for d = 3; docs/mathematics.md §8.4).

The claim ids are ``P1.settling.*``, but for the subcritical settling test: it is the claim ``P1.sub.settling_test``,
registered in ``claims/subcritical.py`` (the area ``P1.sub`` belongs to that module) with the statement
``SETTLING_TEST`` and the check ``settling_subcritical`` defined here.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np

from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.settling"  # the claim ids this module owns (checked by the registry)

EPS = mpmath.mpf("0.1")


def derived_constants(d):
    """(α, κ_d, C_sub, C_super_w, C_super_y) from sympy's κ_d: the amplitudes of the three rates of the module
    docstring (C_sub n^{−αε}, C_super_w n^{−ε}, C_super_y n^{−2ε}).

    >>> a, k, c, cw, cy = derived_constants(3)   # α = 1, κ_3 = 1/2: C_sub = 1/(4 · 1/2 · 1) = 1/2
    >>> float(a), float(k), float(c), round(float(cw), 6), round(float(cy), 6)
    (1.0, 0.5, 0.5, 0.346574, 0.205617)
    """
    import sympy as sp

    from attnlimits.theory import sphere

    alpha = sp.Rational(d - 1, 2)
    kappa = sp.nsimplify(sphere.kappa(d))
    c_sub = 1 / (2 ** (alpha + 1) * kappa * sp.gamma(alpha + 1))
    g0 = alpha * sp.gamma(2 - 1 / alpha)
    c_w = g0 * sp.log(2) * kappa ** (1 / alpha)
    c_y = g0 * sp.pi ** 2 / (12 * sp.gamma(1 + 1 / alpha)) * kappa ** (2 / alpha)
    return tuple(mpmath.mpf(sp.N(x, 30)) for x in (alpha, kappa, c_sub, c_w, c_y))


def _beta(n, d, sign):
    return mpmath.mpf(n) ** (mpmath.mpf(2) / (d - 1) + sign * EPS)


def settling_table(d, ns, digits: int = 8):
    """Rows (n, β_n, E(1 − ⟨q, y⟩), 1 − A_d(β_n), relative error, the ratio-bias prediction R(A_2 − A_1)/(n(1 − A_1)),
    E W_(1)) at β_n = n^{2/(d−1) − ε} (docs/output.md §3). The relative error carries ``digits`` digits: E(1 − ⟨q, y⟩)
    is computed with as many more as the derived error C_d n^{−αε} is small."""
    from attnlimits.numerics.laws.finite_output import exact_output
    from attnlimits.numerics.special.bessel_ratio import mean_resultant, mgf_ratio

    alpha, _, c_sub, _, _ = derived_constants(d)
    rows = []
    for n in ns:
        b = mpmath.nstr(_beta(n, d, -1), 30)
        extra = max(0, int(math.ceil(-float(mpmath.log10(c_sub * mpmath.mpf(n) ** (-alpha * EPS))))))
        r = exact_output(n, d, b, digits + extra, k_max=1, variance=False, entropy=False)
        # 1 − A_d(β) ~ (d − 1)/(2β): log10 β more digits keep the bias and A_2 − A_1 to ``digits + extra``
        dg = digits + extra + 5 + max(0, int(math.ceil(float(mpmath.log10(mpmath.mpf(b))))))
        a1 = mean_resultant(d, b, dg)
        with mpmath.workdps(dg + 10):
            b2 = mpmath.nstr(2 * mpmath.mpf(b), dg + 5)
        a2 = mean_resultant(d, b2, dg)
        rr = mgf_ratio(d, b, digits + 5)
        bias = 1 - a1
        rows.append(dict(n=n, beta=mpmath.mpf(b), gap=r.E_gap, bias=bias, rel=r.E_gap / bias - 1,
                         pred=rr * (a2 - a1) / (n * bias), W1=r.E_W1))
    return rows


def mirror_table(d, ns, digits: int = 10):
    """Rows (n, β_n, E W_(1), E(1 − ⟨q, y⟩), E D_(1), relative error) at β_n = n^{2/(d−1) + ε}."""
    from attnlimits.numerics.laws.finite_output import exact_output, nearest_distance_moments

    rows = []
    for n in ns:
        b = mpmath.nstr(_beta(n, d, +1), 30)
        r = exact_output(n, d, b, digits, k_max=1, variance=False, entropy=False)
        d1 = nearest_distance_moments(n, d, digits + 5)[0]
        rows.append(dict(n=n, beta=mpmath.mpf(b), W1=r.E_W1, gap=r.E_gap, D1=d1, rel=r.E_gap / d1 - 1))
    return rows


def critical_table(d, lam, ns, digits: int = 10):
    """Rows (n, β_n, E W_(1), (κn)^{1/α} E(1 − ⟨q, y⟩)) at β_n = λ(κ_d n)^{1/α}, and the Poisson limit (E W_(1), E N)."""
    from attnlimits.numerics.laws import poisson_limit as C
    from attnlimits.numerics.laws.finite_n import beta_from_lambda
    from attnlimits.numerics.laws.finite_output import exact_output

    alpha = mpmath.mpf(d - 1) / 2
    lim = (C.alpha1_functionals(lam, digits + 3) if d == 3 else
           C.campbell_functionals(alpha, lam, digits + 3, k_max=1))
    rows = []
    for n in ns:
        b = beta_from_lambda(n, d, lam, digits + 10)
        r = exact_output(n, d, mpmath.nstr(b, digits + 10), digits, k_max=1, variance=False, entropy=False)
        s = b / lam
        rows.append(dict(n=n, beta=b, W1=r.E_W1, N=r.E_gap * s))
    return rows, lim


def fitted_slope(ns, values):
    """Slope of log |value| against log n (least squares)."""
    x = np.log([float(n) for n in ns])
    y = np.log([abs(float(v)) for v in values])
    return float(np.polyfit(x, y, 1)[0])


def _decreasing(xs):
    return all(abs(b) < abs(a) for a, b in zip(xs, xs[1:]))


def settling_subcritical(ctx):
    """The check of the settling test (subcritical side; module docstring). Quick: d = 5, n = 10^6 … 10^15;
    full: d = 3, 5, 9 and n = 10^3 … 10^15."""
    dims = (3, 5, 9) if ctx.full else (5,)
    ns = [10 ** e for e in ((3, 6, 9, 12, 15) if ctx.full else (6, 9, 12, 15))]
    figs, ok = {}, True
    for d in dims:
        alpha, _, c_sub, _, _ = derived_constants(d)
        rows = settling_table(d, ns, 8)
        rel = [r["rel"] for r in rows]
        ratio = [r["rel"] / r["pred"] for r in rows]
        slope = fitted_slope(ns[-2:], rel[-2:])
        derived = -float(alpha * EPS)
        amp = float(rel[-1] * mpmath.mpf(ns[-1]) ** (alpha * EPS))
        w1 = [r["W1"] for r in rows]
        figs.update({f"d{d}_rel_err_first": mpmath.nstr(rel[0], 4), f"d{d}_rel_err_last": mpmath.nstr(rel[-1], 4),
                     f"d{d}_fitted_slope": round(slope, 4), f"d{d}_derived_slope": round(derived, 4),
                     f"d{d}_amplitude": round(amp, 5), f"d{d}_derived_amplitude": round(float(c_sub), 5),
                     f"d{d}_ratio_to_ratio_bias_last": mpmath.nstr(ratio[-1], 6),
                     f"d{d}_E_W1_first": mpmath.nstr(w1[0], 4), f"d{d}_E_W1_last": mpmath.nstr(w1[-1], 4)})
        ok &= _decreasing(rel) and 0 < rel[-1] < rel[0] / 5
        ok &= abs(slope - derived) <= 0.01 + 0.1 * abs(derived)
        ok &= abs(amp / float(c_sub) - 1) <= 0.1
        # the ratio tends to 1 (up to 10^{-6}: beyond, the digits of the relative error and the O(n^{-2}) terms)
        dev = [abs(x - 1) for x in ratio]
        ok &= abs(ratio[-1] - 1) <= 0.05 and all(b <= a + mpmath.mpf("1e-6") for a, b in zip(dev, dev[1:]))
        ok &= _decreasing(w1) and w1[-1] < w1[0] / 5
    return Outcome(bool(ok), "exact finite-n E(1 - <q,y>) at beta_n = n^(2/(d-1) - 0.1) against the explicit bias "
                             "1 - A_d(beta_n): relative error -> 0, fitted slope vs -alpha*eps, amplitude vs "
                             "1/(2^(alpha+1) kappa_d Gamma(alpha+1)), ratio to the ratio-bias term -> 1; E W_(1) -> 0",
                   figs)


#: The declaration of the settling test (module docstring): quick (d = 5, 7 s), full d = 3, 5, 9 (26 s).
SETTLING_TEST = dict(
    statement="At beta_n = n^{2/(d-1) - 0.1} the exact finite-n E<q, y> approaches the local average A_d(beta_n) "
              "with its explicit bias: the relative error of the bias tends to 0 like C_d n^{-alpha eps} (fitted "
              "slope and amplitude against the derived ones), and E W_(1) -> 0 (d = 3, 5, 9; n = 1e3 ... 1e15)",
    source=Source("P1", "§4"), evidence="numerical", quick=True)


@claim("P1.settling.supercritical",
       statement="At beta_n = n^{2/(d-1) + 0.1} the exact finite-n E W_(1) -> 1 like n^{-eps} and the output sits on the "
                 "nearest key: E(1 - <q, y>)/E D_(1) - 1 -> 0 like n^{-2 eps} (fitted slopes and amplitudes against "
                 "the derived ones; d = 3 (n = 1e3 ... 1e12), 5, 9 (n = 1e3 ... 1e15))",
       source=Source("P1", "§3"), evidence="numerical", quick=False)
def _super(ctx):
    figs, ok = {}, True
    for d in (3, 5, 9):
        # d = 3 stops at n = 1e12: beta_n = n^1.1 is 3e16 at n = 1e15, beyond the exact output's range beta <= 1e14
        ns = [10 ** e for e in ((3, 6, 9, 12) if d == 3 else (3, 6, 9, 12, 15))]
        _, _, _, c_w, c_y = derived_constants(d)
        rows = mirror_table(d, ns, 10)
        miss = [1 - r["W1"] for r in rows]
        rel = [r["rel"] for r in rows]
        sw = fitted_slope(ns[-2:], miss[-2:])
        sy = fitted_slope(ns[-2:], rel[-2:])
        aw = float(miss[-1] * mpmath.mpf(ns[-1]) ** EPS)
        ay = float(rel[-1] * mpmath.mpf(ns[-1]) ** (2 * EPS))
        figs.update({f"d{d}_one_minus_W1_last": mpmath.nstr(miss[-1], 4), f"d{d}_rel_err_last": mpmath.nstr(rel[-1], 4),
                     f"d{d}_slope_W1": round(sw, 4), f"d{d}_slope_output": round(sy, 4),
                     f"d{d}_amplitude_W1": round(aw, 4), f"d{d}_derived_amplitude_W1": round(float(c_w), 4),
                     f"d{d}_amplitude_output": round(ay, 4), f"d{d}_derived_amplitude_output": round(float(c_y), 4)})
        ok &= _decreasing(miss) and _decreasing(rel) and all(x > 0 for x in rel)
        ok &= abs(sw + 0.1) <= 0.02 and abs(sy + 0.2) <= 0.04
        ok &= abs(aw / float(c_w) - 1) <= 0.15 and abs(ay / float(c_y) - 1) <= 0.25
    return Outcome(bool(ok), "exact finite-n E W_(1) and E(1 - <q,y>) at beta_n = n^(2/(d-1) + 0.1) against 1 and the "
                             "exact E D_(1); slopes -eps, -2 eps and amplitudes from the nearest-gap density", figs)


@claim("P1.settling.critical",
       statement="At beta_n = lambda (kappa_d n)^{1/alpha} (lambda = 1) the exact finite-n E W_(1) and "
                 "(kappa_d n)^{1/alpha} E(1 - <q, y>) reach the Poisson-limit E W_(1) and E N with errors decaying like "
                 "n^{-1/alpha} (n^{-1} for d = 3); d = 3 (n = 1e3 ... 1e12), 5, 9 (n = 1e3 ... 1e15)",
       source=Source("P1", "§3"), evidence="numerical", quick=False)
def _critical(ctx):
    from attnlimits.numerics.figures.validity import derived_rate

    figs, ok = {}, True
    for d in (3, 5, 9):
        # the error n^{−1/α} must stay above the digits computed: d = 3 to 10^12 at 17 digits
        ns = [10 ** e for e in ((3, 6, 9, 12) if d == 3 else (3, 6, 9, 12, 15))]
        rows, lim = critical_table(d, 1, ns, 17 if d == 3 else 12)
        ew = [r["W1"] - lim.E_W1 for r in rows]
        en = [r["N"] - lim.E_normal for r in rows]
        sw, sn = fitted_slope(ns[-2:], ew[-2:]), fitted_slope(ns[-2:], en[-2:])
        # −min(1, k/α) from the cap series by sympy (k: its first nonzero correction; 1: binomial to Poisson)
        derived = float(derived_rate(d))
        figs.update({f"d{d}_err_W1_last": mpmath.nstr(ew[-1], 4), f"d{d}_err_N_last": mpmath.nstr(en[-1], 4),
                     f"d{d}_slope_W1": round(sw, 4), f"d{d}_slope_N": round(sn, 4), f"d{d}_derived": round(derived, 4)})
        ok &= _decreasing(ew) and _decreasing(en)
        ok &= abs(sw - derived) <= 0.05 * abs(derived) + 0.02 and abs(sn - derived) <= 0.05 * abs(derived) + 0.02
    return Outcome(bool(ok), "exact finite-n E W_(1), (kappa n)^(1/alpha) E(1 - <q,y>) vs the Poisson limit "
                             "(alpha1 closed forms for d = 3, Campbell route otherwise); fitted slopes vs the "
                             "exponent -min(1, k/alpha) derived from the cap series (k = its first nonzero "
                             "correction)", figs)
