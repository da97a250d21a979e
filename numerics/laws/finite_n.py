"""Exact finite-n expectations of attention weights for n uniform keys on S^{d−1} (docs/mathematics.md §8).

With X_i = ⟨q, K_i⟩, D_i = 1 − X_i, v_i = β D_i and Y_i = e^{−v_i} (the common factor e^{β} cancels
in the weights w_i = Y_i/Σ_j Y_j), the identities 1/T = ∫ e^{−tT} dt and 1/T² = ∫ t e^{−tT} dt give,
for every n ≥ 1 (the package's derivation, docs/critical.md):

    E Σ w²  = ∫_0^∞ t · n E[Y² e^{−tY}] · (E e^{−tY})^{n−1} dt,
    E w_(1) = ∫_0^∞ ∫ n f(v) e^{−v} e^{−t e^{−v}} (E[e^{−tY} 1{v_1 > v}])^{n−1} dv dt,

and E[e^{−tY} 1{v_1 > v}] = 1 − (Φ_n(t) + A_n(t, v))/n with Φ_n = ∫ ρ_n (1 − e^{−t e^{−w}}) dw over
the whole range and A_n = ∫_0^v ρ_n e^{−t e^{−w}} dw, ρ_n = n f_{βD} (``numerics.quadrature.campbell``).
The powers are taken as exp((n − 1) log1p(−x)), so n = 10^12 and beyond costs nothing extra.

Routes: ``exact_finite`` (any d: Gauss panels in Arb with the cumulative A, DE trapezoid in log t);
``exact_finite_d3`` (d = 3: D is uniform on [0, 2], so Φ_n, A_n and n E[Y² e^{−tY}] are
exponential integrals, and E w_(1) is the two-dimensional integral of docs/mathematics.md §8 over (D_(1), τ)).
"""
from __future__ import annotations

import math
import time

import mpmath
from flint import arb

from attnlimits.numerics.quadrature.campbell import FiniteIntensity, sweep
from attnlimits.numerics.quadrature.double_exponential import de_integrate_split, outer_log_integral
from attnlimits.numerics.quadrature.gauss_panels import to_mpf
from attnlimits.numerics.laws.weight_functionals import WeightFunctionals
from attnlimits.numerics.precision import arb_digits, precise, working_digits
from attnlimits.numerics.special.incomplete_gamma import ein
from attnlimits.theory.validation import count, dimension, positive_real

__all__ = ["exact_finite", "exact_E_W1", "exact_E_sum_W2", "exact_finite_d3", "beta_from_lambda"]


def _check(n, d, beta):
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    return n, d


@precise
def beta_from_lambda(n, d, lam, digits: int = 20):
    """β = λ (κ_d n)^{1/α}, α = (d−1)/2 (docs/mathematics.md §3).

    >>> import mpmath
    >>> mpmath.nstr(beta_from_lambda(1000, 3, 1, digits=20), 15)  # d = 3: κ = 1/2, α = 1, β = λ n/2
    '500.0'
    """
    from attnlimits.theory import sphere

    n, d = count(n, "n"), dimension(d)
    positive_real(lam, "lambda")
    k = mpmath.mpf(str(sphere.kappa(d).evalf(digits + 30)))
    a = mpmath.mpf(d - 1) / 2
    return mpmath.mpf(lam) * (k * n) ** (1 / a)


@precise
def exact_finite(n, d, beta, digits: int = 20, *, which=("E_W1", "E_sum_W2"),
                 n_nodes: int = 24) -> WeightFunctionals:
    """Exact E w_(1) and E Σ w² for n uniform keys on S^{d−1} at inverse temperature β (any n ≥ 1).

    Returns a :class:`WeightFunctionals` with E_W1 (unless ``which`` leaves it out), E_sum_W2 (``digits``
    significant digits), n, d, beta and the diagnostics outer_nodes, outer_error, seconds.

    >>> import mpmath
    >>> r = exact_finite(1, 3, 2, digits=10)  # one key takes all the mass
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(r.E_sum_W2, 10)
    ('1.0', '1.0')
    """
    n, d = _check(n, d, beta)
    want_w1 = "E_W1" in which
    t0 = time.perf_counter()
    guard = int(math.log10(n)) + 5 if n > 1 else 5
    # log10 n + 5 digits beyond the gate's: the power exp((n − 1) log1p(−x)) multiplies the relative error of x by n
    with working_digits(digits + guard), arb_digits(digits + guard):
        b = mpmath.mpf(beta)
        model = FiniteIntensity(n, d, arb(b))

        def integrand(s):
            tt = arb(mpmath.exp(s))
            r = sweep(model, tt, k_max=1 if want_w1 else 0, n_nodes=n_nodes)
            x = r["Phi"] / n
            if n == 1:
                pw = arb(1)
            else:
                ok = (1 - x > 0) and float((1 - x).mid()) > 1e-30 * float(x.mid())
                pw = ((n - 1) * (-x).log1p()).exp() if ok else arb(0)
            out = [tt * tt * pw * r["M2"]]
            if want_w1:
                out.append(tt * r["I"][0])
            return [to_mpf(y) for y in out]

        # scale of T = Σ e^{−v_i}: E T = n e^{−β} 0F1(; d/2; β²/4) (docs/mathematics.md §5 with the factor e^{−β})
        logET = mpmath.log(n) - b + mpmath.log(mpmath.hyp0f1(mpmath.mpf(d) / 2, b * b / 4))
        c = -logET
        bits = mpmath.mp.prec
        lo = c - (bits * math.log(2) + 20)
        need = bits * math.log(2) + 25
        c0 = math.log(bits * math.log(2) + 30)
        if n > need:
            v_star = to_mpf(model.mass_inverse(arb(need)))
            hi = v_star + c0 + 6
        else:
            hi = 2 * b + mpmath.log(need) + 6
        hi = max(hi, c + 10)
        if hi - c > 3 * (c - lo):
            # deep in the supercritical regime with few keys, log(1/T) spreads over [0, 2β]: a sinh map
            # scaled to that length would be too coarse near c (and near the edge of the support at
            # 2β, which matters when all n keys can be far), so each gets its own exp-sinh map
            centers = [c] + ([2 * b] if hi > 2 * b and _edge_matters(n, d, float(b), bits) else [])
            r = de_integrate_split(integrand, centers=centers, lo=lo, hi=hi, digits=digits + 2)
        else:
            r = outer_log_integral(integrand, c, lo, hi, digits + 2)
        vals, nodes, err = r.value, r.nodes, r.error
        return WeightFunctionals(E_W1=vals[1] if want_w1 else None, E_sum_W2=vals[0], n=n, d=d, beta=b,
                                 outer_nodes=nodes, outer_error=err, seconds=time.perf_counter() - t0)


def _edge_matters(n: int, d: int, beta: float, bits: int) -> bool:
    """Whether all n keys lie within 5 of the far end v = 2β with probability above 2^{−bits}.

    Then the outer integrand has unit-scale structure at s ≈ 2β (the edge of the support of
    log(1/T)); P(βD > 2β − 5) = I_{5/(2β)}(a, a) by the symmetry of the Beta law.
    """
    from scipy.special import betainc

    a = (d - 1) / 2
    p = float(betainc(a, a, min(5 / (2 * beta), 1.0)))
    return p > 0 and n * math.log(p) > -bits * math.log(2)


def exact_E_W1(n, d, beta, digits: int = 20):
    """Exact E w_(1) (the largest attention weight) for n uniform keys on S^{d−1}.

    d = 3, n = 2: w_(1) = 1/(1 + e^{−β Z}), Z = |D_1 − D_2| with the density (2 − z)/2 on [0, 2]:

    >>> import mpmath
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-4 * z)), [0, 2])
    >>> mpmath.nstr(exact_E_W1(2, 3, 4, digits=10), 10), mpmath.nstr(ref, 10)
    ('0.8524048173', '0.8524048173')
    """
    return exact_finite(n, d, beta, digits, which=("E_W1",)).E_W1


def exact_E_sum_W2(n, d, beta, digits: int = 20):
    """Exact E Σ w_i² for n uniform keys on S^{d−1} (one outer integral; no cumulative part).

    One key carries all the weight; with two keys at d = 3, Σ w² = (1 + e^{−2βZ})/(1 + e^{−βZ})², Z as in
    :func:`exact_E_W1`:

    >>> import mpmath
    >>> mpmath.nstr(exact_E_sum_W2(1, 5, 3, digits=10), 10)
    '1.0'
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-8 * z)) / (1 + mpmath.exp(-4 * z)) ** 2, [0, 2])
    >>> mpmath.nstr(exact_E_sum_W2(2, 3, 4, digits=10), 10), mpmath.nstr(ref, 10)
    ('0.7933007359', '0.7933007359')
    """
    return exact_finite(n, d, beta, digits, which=("E_sum_W2",)).E_sum_W2


@precise
def exact_finite_d3(n, beta, digits: int = 15, *, which=("E_W1", "E_sum_W2")) -> WeightFunctionals:
    """d = 3 by closed-form inner integrals (independent of the Gauss-panel route).

    D uniform on [0, 2] gives, with τ = t e^{−β D_(1)} conditioning on the nearest key (docs/mathematics.md §8):
    E w_(1) = n ∫_0^2 (1/2) ∫_0^∞ e^{−τ} (1 − δ/2 − G(τ, δ))^{n−1} dτ dδ,
    G(τ, δ) = (Ein(τ) − Ein(τ e^{−β(2−δ)}))/(2β)   (DLMF 6.2.3 for Ein);
    E Σ w² = ∫ t n E[Y² e^{−tY}] (E e^{−tY})^{n−1} dt with
    E e^{−tY} = (E_1(t e^{−2β}) − E_1(t))/(2β), n E[Y² e^{−tY}] = n (γ(2, t) − γ(2, t e^{−2β}))/(2β t²).
    Returns a :class:`WeightFunctionals` (E_W1, E_sum_W2 as ``which`` asks; n, d = 3, beta, seconds).

    >>> import mpmath
    >>> r = exact_finite_d3(2, 4, digits=10, which=("E_sum_W2",))
    >>> # n = 2: Σ w² = w² + (1 − w)², |D_1 − D_2| has the density (2 − z)/2 on [0, 2]
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-8 * z)) / (1 + mpmath.exp(-4 * z)) ** 2, [0, 2])
    >>> mpmath.nstr(r.E_sum_W2, 10), mpmath.nstr(ref, 10)
    ('0.7933007359', '0.7933007359')
    """
    n = count(n, "n")
    positive_real(beta, "beta")
    t0 = time.perf_counter()
    guard = int(math.log10(n)) + 5
    # log10 n + 5 digits beyond the gate's: the power (1 − x)^{n−1} multiplies the relative error of x by n
    with working_digits(digits + guard):
        b = mpmath.mpf(beta)

        def G(tau, dl):
            return (ein(tau) - ein(tau * mpmath.exp(-b * (2 - dl)))) / (2 * b)

        def inner(dl):
            def f(tau):
                x = dl / 2 + G(tau, dl)
                if x >= 1:
                    return mpmath.mpf(0)
                return mpmath.exp(-tau + (n - 1) * mpmath.log1p(-x))
            return mpmath.quad(f, [0, 4, mpmath.inf])

        # δ-breaks at the scale 2/n of the nearest key
        brk = [mpmath.mpf(0)]
        for m in (1, 10, 60):
            x = 2 * m / n
            if x < 2:
                brk.append(x)
        brk.append(mpmath.mpf(2))
        w1 = n * mpmath.quad(inner, brk) / 2 if "E_W1" in which else None

        def lower_gamma2(z):
            # γ(2, z) = 1 − (1 + z) e^{−z}, by its series for small z (no cancellation)
            if z < 1:
                term = z * z / 2
                tot, k = term, 2
                while abs(term) > mpmath.eps * tot:
                    term *= -z / (k + 1)
                    tot += term * k
                    k += 1
                return tot
            return 1 - (1 + z) * mpmath.exp(-z)

        def e1diff(t):
            # n E(1 − e^{−tY}) · 2β/n = Ein(t) − Ein(t e^{−2β})  (D uniform on [0, 2])
            return ein(t) - ein(t * mpmath.exp(-2 * b))

        def f2(s):
            t = mpmath.exp(s)
            L = 1 - e1diff(t) / (2 * b)  # E e^{−tY} = 1 − E(1 − e^{−tY})
            if L <= 0:
                return mpmath.mpf(0)
            m2 = n * (lower_gamma2(t) - lower_gamma2(t * mpmath.exp(-2 * b))) / (2 * b * t * t)
            return t * t * m2 * mpmath.exp((n - 1) * mpmath.log(L))

        c = -(mpmath.log(n) + mpmath.log(-mpmath.expm1(-2 * b) / (2 * b)))
        # beyond v* with n P(βD <= v*) = prec ln 2 + 25 the power (E e^{−tY})^{n−1} is negligible once
        # log t > v* + log(prec); otherwise e^{−t e^{−2β}} ends the range
        need = mpmath.mp.prec * math.log(2) + 25
        v_star = 2 * b * need / n if n > need else 2 * b
        s_hi = v_star + mpmath.log(need) + 8
        s_lo = c - mpmath.mp.prec * math.log(2) - 20
        pts = sorted(set([s_lo, c - 20, c - 5, c, c + 5, c + 20] + [x for x in (2 * b, b) if s_lo < x < s_hi] + [s_hi]))
        pts = [p for p in pts if s_lo <= p <= max(s_hi, c + 20)]
        s2 = mpmath.quad(f2, pts) if "E_sum_W2" in which else None
        return WeightFunctionals(E_W1=w1, E_sum_W2=s2, n=n, d=3, beta=b, seconds=time.perf_counter() - t0)
