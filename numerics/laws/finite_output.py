"""Exact finite-n expectations of the attention output for n uniform keys on S^{d−1} (docs/output.md §1).

With v_i = β D_i, Y_i = e^{−v_i}, T = Σ Y_i, w_i = Y_i/T and y = Σ w_i K_i, the reduction of
docs/mathematics.md §1.2 gives ⟨q, y⟩ = 1 − Σ w_i D_i and E|P_⊥ y|² = E Σ w_i² D_i (2 − D_i) (the cross terms
vanish: the directions U_i are independent and centred). The identities 1/T = ∫ e^{−tT} dt, 1/T² = ∫ t e^{−tT} dt,
the one-point formula E Σ_i g(v_i) e^{−v_i} e^{−tT} = M_g (1 − Φ/n)^{n−1} and its two-point companion
E Σ_{i≠j} g(v_i) g(v_j) e^{−v_i−v_j} e^{−tT} = (1 − 1/n) M_g² (1 − Φ/n)^{n−2} (M_g = ∫ ρ_n g e^{−v} e^{−te^{−v}} dv
in the notation of ``numerics.quadrature.campbell``) turn every functional into one outer integral in t:

    E⟨q, y⟩        = ∫ (M_1 − M_v/β) L^{n−1} dt,                          L = 1 − Φ/n = E e^{−tY},
    Var⟨q, y⟩      = ∫ t [M_{(D−c)² e^{−2v}} L^{n−1} + (1 − 1/n) M_{(D−c)e^{−v}}² L^{n−2}] dt − (E Σ w D − c)²,
    E|P_⊥ y|²      = ∫ t M_{D(2−D) e^{−2v}} L^{n−1} dt,
    E H            = ∫ [t (M_v − κ M_1) L^{n−1} + k(t) − L^n] dt/t − log m + ψ(m),   H = −Σ w log w,
    E log T        = E H − β E Σ w D,    k(t) = (1 + t e^{−κ}/m)^{−m}  (any κ: ∫ t M_1 L^{n−1} dt/t = E Σ w = 1),
    E W_(k)        = ∫ ∫ ρ_n e^{−v} e^{−te^{−v}} C(n−1, k−1) (A/n)^{k−1} (1 − (Φ + A)/n)^{n−k} dv dt,

with D = v/β, c = E Σ w D (the variance is centred there, so its outer integrand is positive and n = 10^18
costs no cancellation), A(t, v) the discounted mass below v. Routes:

- :func:`exact_output` (any d ≥ 2): the Gauss-panel sweep of ``numerics.quadrature.campbell`` at every node of the
  one double-exponential outer rule, all functionals from the same sweeps;
- :func:`exact_output_d3` (d = 3, D uniform on [0, 2]): the inner integrals in closed form (E_1, Ein, γ(2, ·))
  or as one-dimensional ``mpmath.quad`` integrals, the outer integral by ``mpmath.quad``: independent of the
  panels and of the double-exponential engine.
"""
from __future__ import annotations

import dataclasses
import math
import time

import mpmath
from flint import arb

from attnlimits.numerics.precision import arb_digits, precise, working_digits
from attnlimits.numerics.quadrature.campbell import FiniteIntensity, sweep
from attnlimits.numerics.quadrature.double_exponential import de_integrate, de_integrate_split, outer_log_integral
from attnlimits.numerics.quadrature.gauss_panels import to_mpf as arb_to_mpf
from attnlimits.numerics.results import Result, json_value
from attnlimits.numerics.special.incomplete_gamma import ein, lower_gamma_2
from attnlimits.theory.validation import InputError, count, dimension, integer, positive_real, to_mpf

__all__ = ["OutputFunctionals", "exact_output", "exact_output_d3", "nearest_distance_moments", "check_output_range",
           "UniformKeys", "output_from_keys", "check_beta_digits", "MAX_KEYS", "MAX_DIMENSION", "MAX_OUTPUT_DIGITS", "MAX_LAMBDA", "MAX_BETA", "K_MAX"]

#: Largest n: the powers (1 − x)^{n−1} need log10 n guard digits; 10^18 keys cost 12 more digits than 10^6.
MAX_KEYS = 10 ** 18

#: Largest d of the panel route (the bulk of ρ_n e^{−v} narrows like 1/√d; measured to d = 4096).
MAX_DIMENSION = 4096

#: Most digits: the cost grows about threefold from 15 to 30 digits (n = 10^12, d = 3: docs/output.md §2).
MAX_OUTPUT_DIGITS = 30

#: Largest λ = β/(κ_d n)^{1/α}: deep in the supercritical regime the outer integrand spreads over log t ∈ [−log E T,
#: 2β] and the cost grows with λ (docs/output.md §2); there the collapse on the nearest key describes the output.
MAX_LAMBDA = 100

#: Largest β: the panels of the inner sweep are placed in double precision along v ∈ [0, 2β] (as in finite_n).
MAX_BETA = 10 ** 14

#: Largest rank k of E W_(k).
K_MAX = 5

#: Exponent m of the Frullani kernel (1 + t E T/m)^{−m} of E log T (docs/output.md §1.2).
KERNEL_M = 16


@dataclasses.dataclass(frozen=True)
class OutputFunctionals(Result):
    """Exact finite-n expectations of the attention output and weights (mpmath numbers) and diagnostics.

    n keys uniform on S^{d−1}, inverse temperature β, output y = Σ w_i K_i (docs/output.md §1):

    - ``E_inner``: E⟨q, y⟩; ``E_gap``: E(1 − ⟨q, y⟩) = E Σ w D (accurate when small);
    - ``Var_inner``: Var⟨q, y⟩;
    - ``E_perp2``: E|P_⊥ y|², the tangential part (E|y|² = E⟨q, y⟩² + Var⟨q, y⟩ + E|P_⊥ y|²);
    - ``E_entropy``: E H, H = −Σ w log w; ``E_sum_Wv``: E Σ w v (v = βD); ``E_log_T``: E log Σ_i e^{−βD_i};
    - ``E_W1``: E W_(1); ``E_W``: (E W_(1), …, E W_(K)), the expected k-th largest weights (0 for k > n);
    - ``E_sum_W2``: E Σ w²;
    - ``n``, ``d``, ``beta``: the problem; ``outer_nodes``, ``outer_error``: the outer rule (largest over its
      passes); ``seconds``: wall time.

    >>> r = OutputFunctionals(E_inner=mpmath.mpf(1) / 3, E_W=(mpmath.mpf(3) / 4, mpmath.mpf(1) / 4), n=2, d=3)
    >>> r.cli_json(5)
    {'E_inner': '0.33333', 'E_W2': '0.25000'}
    """

    E_inner: object = None
    E_gap: object = None
    Var_inner: object = None
    E_perp2: object = None
    E_entropy: object = None
    E_sum_Wv: object = None
    E_log_T: object = None
    E_W1: object = None
    E_W: tuple | None = None
    E_sum_W2: object = None
    n: int | None = None
    d: int | None = None
    beta: object = None
    outer_nodes: int | None = None
    outer_error: object = None
    seconds: float | None = None

    def cli_json(self, digits: int) -> dict:
        """The keys of ``attnlimits law finite --output --json``: E_inner, Var_inner, E_perp2, E_entropy and
        E_W2 … E_W5 (those computed), as decimal strings of ``digits`` digits."""
        out = {}
        for name in ("E_inner", "Var_inner", "E_perp2", "E_entropy"):
            v = getattr(self, name)
            if v is not None:
                out[name] = json_value(v, digits)
        for k, v in enumerate(self.E_W or (), start=1):
            if k >= 2:
                out[f"E_W{k}"] = json_value(v, digits)
        return out


def _check_n(n):
    n = count(n, "n")
    if n > MAX_KEYS:
        raise InputError(f"n = {n:.3g} is beyond the supported range n <= 1e18 of the exact finite-n output "
                         f"(each factor 10 costs a guard digit); for larger n use the Poisson limit "
                         f"(attnlimits law critical)")
    return n


def _check_d(d):
    d = dimension(d)
    if d > MAX_DIMENSION:
        raise InputError(f"d = {d} is beyond the supported range d <= {MAX_DIMENSION} of the exact finite-n output "
                         f"(the panels narrow like 1/sqrt(d)); use the subcritical laws (attnlimits law subcritical)")
    return d


def _check(n, d, beta, k_max):
    n = _check_n(n)
    d = _check_d(d)
    beta = positive_real(beta, "beta")
    k_max = integer(k_max, "k_max", low=0, high=K_MAX)
    return n, d, beta, k_max


def check_output_range(n, d, beta, digits=15) -> None:
    """Raise :class:`InputError` at once (one line: the range, why, what to use instead) when ``exact_output``
    would not finish (n, d, β, digits) in its time budget (docs/output.md §2): n ≤ 10^18, d ≤ 4096,
    digits ≤ 30, β ≤ 10^14 and λ = β/(κ_d n)^{1/α} ≤ 100 (n ≥ 2).

    >>> check_output_range(10 ** 12, 256, 3)
    >>> check_output_range(1000, 3, 10 ** 6)   # d = 3: λ = β/(n/2) = 2000
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: beta = 1000000 is lambda = 2000 times the critical scale ...
    """
    from attnlimits.numerics.laws.sphere import log_kappa_value

    n = _check_n(n)
    d = _check_d(d)
    beta = positive_real(beta, "beta")
    check_beta_digits(n, beta, digits, lambda: (log_kappa_value(d, 30), mpmath.mpf(d - 1) / 2),
                      "(kappa_d n)^(2/(d-1))")


def check_beta_digits(n: int, beta, digits, log_kappa_alpha, scale: str) -> None:
    """The refusals every key law of the exact finite-n output shares (docs/output.md §2): digits ≤ 30, and for
    n ≥ 2 β ≤ 10^14 and λ = β/(κ n)^{1/α} ≤ 100, with (log κ, α) from ``log_kappa_alpha()`` (called only when
    needed) and ``scale`` naming the critical scale in the message.

    >>> check_beta_digits(10, 2, 15, lambda: (mpmath.log(0.5), mpmath.mpf(1)), "(kappa n)^(1/alpha)")
    """
    digits = integer(digits, "digits", low=1)
    if digits > MAX_OUTPUT_DIGITS:
        raise InputError(f"digits = {digits} is beyond the supported range of the exact finite-n output: at most "
                         f"{MAX_OUTPUT_DIGITS} digits (its cost triples from 15 to 30); law finite without --output "
                         f"gives E_W1 and E_sum_W2 to 60 digits")
    if n == 1:
        return
    with mpmath.workdps(30):
        b = to_mpf(beta)
        if b > MAX_BETA:
            raise InputError(f"beta = {beta} is beyond the supported range beta <= 1e14 of the exact finite-n output "
                             f"(the inner panels are placed in double precision along [0, 2 beta]); the collapse "
                             f"on the nearest key describes it: attnlimits law supercritical")
        log_kappa, alpha = log_kappa_alpha()
        lam = b / mpmath.exp((log_kappa + mpmath.log(n)) / alpha)
        # a λ typed as 100 comes back from β = λ (κ n)^{1/α} within rounding of 100: not refused
        if lam > MAX_LAMBDA * (1 + mpmath.mpf(10) ** -12):
            raise InputError(f"beta = {beta} is lambda = {float(lam):.6g} times the critical scale "
                             f"{scale}: beyond the supported lambda <= {MAX_LAMBDA} of the exact "
                             f"finite-n output (deep supercritical, its outer integral spreads up to log t = 2 beta "
                             f"and the time grows with lambda); there the output collapses on the nearest key "
                             f"(attnlimits law supercritical), and law finite without --output gives E_W1, E_sum_W2")


class UniformKeys:
    """The key law of :func:`exact_output`: n uniform keys on S^{d−1}. A key law for :func:`output_from_keys` is any
    object with these four members (docs/output.md §1): ``model(n, beta)`` the intensity of v = βD (an object of
    the interface of ``numerics.quadrature.campbell.FiniteIntensity``), ``log_mean_T(n, b)`` = log E Σ e^{−βD_i},
    ``edge_matters(n, beta, bits)`` (whether the far end v = 2β carries structure at ``bits`` bits) and
    ``small_beta_scale`` (s: at small β the difference M_1 − M_v/β that gives E⟨q, y⟩ cancels log10(s/β) digits;
    2d for uniform keys, where E⟨q, y⟩ ≈ β(1 − 1/n)/d).

    >>> keys = UniformKeys(3)
    >>> float(keys.log_mean_T(1, mpmath.mpf(0)))   # E e^{0} = 1
    0.0
    """

    def __init__(self, d: int):
        self.d = d
        self.small_beta_scale = 2 * d

    def model(self, n, beta):
        return FiniteIntensity(n, self.d, beta)

    def log_mean_T(self, n, b):
        return _log_mean_T(n, self.d, b)

    def edge_matters(self, n, beta, bits):
        return _edge_matters(n, self.d, beta, bits)


def _log_mean_T(n, d, b):
    """log E T, E T = n e^{−β} ₀F₁(; d/2; β²/4) (docs/mathematics.md §2.5), without overflow for large β."""
    if b > 50 * d + 1000:
        # e^{−β} I_ν(β) scaled: ₀F₁(; d/2; β²/4) = Γ(d/2) (2/β)^ν I_ν(β), ν = d/2 − 1 (DLMF 10.39.9)
        nu = mpmath.mpf(d) / 2 - 1
        return (mpmath.log(n) + mpmath.loggamma(mpmath.mpf(d) / 2) + nu * mpmath.log(2 / b)
                + mpmath.log(mpmath.besseli(nu, b) * mpmath.exp(-b)))
    return mpmath.log(n) - b + mpmath.log(mpmath.hyp0f1(mpmath.mpf(d) / 2, b * b / 4))


def _edge_matters(n: int, d: int, beta: float, bits: int) -> bool:
    """Whether all n keys lie within 5 of the far end v = 2β with probability above 2^{−bits}
    (P(βD > 2β − 5) = I_{5/(2β)}(a, a) by the symmetry of the Beta law): then the outer integrand has
    unit-scale structure at log t ≈ 2β as well as at −log E T (docs/mathematics.md §8.2)."""
    from scipy.special import betainc

    a = (d - 1) / 2
    p = float(betainc(a, a, min(5 / (2 * beta), 1.0)))
    return p > 0 and n * math.log(p) > -bits * math.log(2)


#: The peak-centred outer rule is used when the unit-scale bend of the integrand at log t ≈ the peak of ρ e^{−v}
#: carries less than 10^{−(digits − PEAK_SLACK)} of it (it lies e^{peak + log E T} below the linear regime there).
PEAK_SLACK = 3


def _outer_rule(model, keys, n, b, logET, digits):
    """(integrate, kc): the outer integral ∫ f(s) ds, s = log t, as a function of (integrand, digits), and the
    centre kc = −log K of the Frullani kernel of E log T (docs/output.md §2).

    The integrand ≈ the law of −log T (smoothed on the unit scale by t T e^{−tT}) times the functional: it grows
    like t E T = e^{s + log E T} up to the peak p of ρ e^{−v}, where it bends on the scale of ρ e^{−v}, then
    follows the law of −log T up to its mode and falls like e^{−Φ(t)} past it. Below −log E T − (prec ln 2 + 20)
    and above the v where the mass of ρ reaches prec ln 2 + 25 it is below the working precision. Two shapes:

    - subcritical to moderately supercritical (T near E T, or the bend near the mode): centred at c = −log E T
      (sinh map, split at 2β deep in the supercritical regime with few keys: docs/mathematics.md §8.2);
    - deep supercritical with many keys (λ ~ 100 at d ≥ 64, n = 10^12): −log T ≈ v_(1), the nearest key, whose
      law peaks at s* = the v with mass(v) = 1 with width σ = 1/ρ(s*) while the bend at p lies e^{p − c} below
      the peak, beyond the digits asked: one sinh map centred at s* with scales σ resolves the mode in
      138–238 nodes where the rule centred at c, 14–50 units away, needed 512–1088;
    - in between (the mode of −log T far above c and wider than 4, the bend too heavy for the rule at s*: d = 16,
      λ = 100): centred at c with the right-hand scale widened to σ.
    """
    c = -logET
    cf = float(c)
    bits = mpmath.mp.prec
    lo = c - (bits * math.log(2) + 20)
    need = bits * math.log(2) + 25
    c0 = math.log(bits * math.log(2) + 30)
    if n > need:
        hi = arb_to_mpf(model.mass_inverse(arb(need))) + c0 + 6
    else:
        hi = 2 * b + mpmath.log(need) + 6
    edge = hi > 2 * b and keys.edge_matters(n, float(b), bits)
    s1 = model.mass_inverse_float(1.0)
    dl = 1e-4 * max(1.0, s1)
    dm = model.mass_float(s1 + dl) - model.mass_float(s1 - dl)
    sig = 2 * dl / dm if dm > 0 else math.inf
    peak = (not edge and math.isfinite(sig) and s1 - cf >= 3 * max(sig, 1.0)
            and model.peak() - cf < -(digits - PEAK_SLACK) * math.log(10))
    kc = mpmath.mpf(s1) if peak else c
    # the Frullani kernel (1 + t K/m)^{−m} is below 10^{−dps−5} from kc + log m + (dps + 5) ln 10/m on
    hi = max(hi, c + 10, kc + math.log(KERNEL_M) + (mpmath.mp.dps + 5) * math.log(10) / KERNEL_M)
    if peak:
        a = max(sig, 1.0)
        xl = mpmath.log(2 * (kc - lo) / a + 1)
        xr = mpmath.log(2 * (hi - kc) / a + 1)
        return (lambda f, dg: de_integrate(f, center=kc, a_left=a, a_right=a, x_left=xl, x_right=xr,
                                           digits=dg)), kc
    if hi - c > 3 * (c - lo):
        centers = [c] + ([2 * b] if edge else [])
        return (lambda f, dg: de_integrate_split(f, centers=centers, lo=lo, hi=hi, digits=dg)), kc
    if math.isfinite(sig) and s1 - cf >= 3 * max(sig, 1.0) and sig > 4:
        # the mode of −log T lies well above c but the bend at p weighs too much for the rule centred at s*: the
        # sinh map of outer_log_integral with its right-hand scale widened to σ, the width of that mode
        # (n = 10^12, d = 16, λ = 100: 489 nodes instead of 567)
        aL = 2 * max(1, min(2, (c - lo) / 60))
        xl = mpmath.log(2 * (c - lo) / aL + 1)
        xr = mpmath.log(2 * (hi - c) / sig + 1)
        return (lambda f, dg: de_integrate(f, center=c, a_left=aL, a_right=sig, x_left=xl, x_right=xr,
                                           digits=dg)), kc
    return (lambda f, dg: outer_log_integral(f, c, lo, hi, dg)), kc


def _one_key(d, b, k_max):
    """n = 1: w_1 = 1, y = K: ⟨q, y⟩ = X with E X = 0, Var X = E X² = 1/d, |P_⊥ y|² = 1 − X²."""
    one, zero = mpmath.mpf(1), mpmath.mpf(0)
    return dict(E_inner=zero, E_gap=one, Var_inner=one / d, E_perp2=1 - one / d, E_entropy=zero, E_sum_Wv=b,
                E_log_T=-b, E_W1=one if k_max else None,
                E_W=tuple([one] + [zero] * (k_max - 1)) if k_max else None, E_sum_W2=one, outer_nodes=0,
                outer_error=zero)


@precise
def exact_output(n, d, beta, digits: int = 15, *, k_max: int = K_MAX, variance: bool = True, entropy: bool = True,
                 n_nodes: int = 24) -> OutputFunctionals:
    """Exact E⟨q, y⟩, Var⟨q, y⟩, E|P_⊥ y|², E H and E W_(1..k_max) for n uniform keys on S^{d−1} (docs/output.md §1).

    Any 1 ≤ n ≤ 10^18, 2 ≤ d ≤ 4096, β ≤ 10^14 with λ = β/(κ_d n)^{1/α} ≤ 100, digits ≤ 30
    (:func:`check_output_range` refuses the rest at once); ``digits`` significant digits of every field (E_inner: of
    E⟨q, y⟩ itself, however small β makes it; E_entropy: of E H, however deep the supercritical regime
    makes its two terms cancel). ``variance=False`` skips the second outer pass (Var_inner is None);
    ``entropy=False`` leaves out the integrand of E H (E_entropy, E_log_T are None).
    Returns an :class:`OutputFunctionals`. n = 10^12, d ≤ 256, 15 digits: docs/output.md §2 gives the timings.

    Two keys at d = 3: E⟨q, y⟩ = E (X_1 e^{βX_1} + X_2 e^{βX_2})/(e^{βX_1} + e^{βX_2}), X_i uniform on [−1, 1]:

    >>> import mpmath
    >>> r = exact_output(2, 3, 2, digits=10)
    >>> f = lambda x, z: (x * mpmath.exp(2 * x) + z * mpmath.exp(2 * z)) / (mpmath.exp(2 * x) + mpmath.exp(2 * z))
    >>> mpmath.nstr(r.E_inner, 10), mpmath.nstr(mpmath.quad(f, [-1, 1], [-1, 1]) / 4, 10)
    ('0.2335670559', '0.2335670559')
    >>> mpmath.nstr(r.E_W[1], 10), mpmath.nstr(r.E_W1 + r.E_W[1], 10), r.E_W[2]   # E W_(3) = 0 for n = 2
    ('0.2460442672', '1.0', mpf('0.0'))
    """
    n, d, beta, k_max = _check(n, d, beta, k_max)
    check_output_range(n, d, beta, digits)
    t0 = time.perf_counter()
    b = to_mpf(beta)
    if n == 1:
        return OutputFunctionals(**_one_key(d, b, k_max), n=n, d=d, beta=b, seconds=time.perf_counter() - t0)
    return output_from_keys(UniformKeys(d), n, beta, digits, k_max=k_max, variance=variance, entropy=entropy,
                            n_nodes=n_nodes, d=d, t0=t0)


def output_from_keys(keys, n: int, beta, digits: int = 15, *, k_max: int = K_MAX, variance: bool = True,
                     entropy: bool = True, n_nodes: int = 24, d=None, t0=None) -> OutputFunctionals:
    """The functionals of :func:`exact_output` for n i.i.d. keys of a law ``keys`` (the interface of
    :class:`UniformKeys`) whose perpendicular parts are centred given D (docs/output.md §1). The caller checks
    (n ≥ 2, β, digits) and its range; ``d`` is recorded in the result.

    >>> r = output_from_keys(UniformKeys(3), 2, 2, 10, k_max=1, variance=False)
    >>> mpmath.nstr(r.E_inner, 10)    # as exact_output(2, 3, 2) above
    '0.2335670559'
    """
    t0 = time.perf_counter() if t0 is None else t0
    b = to_mpf(beta)
    # log10 n + 5 digits: the powers exp((n − 1) log1p(−x)) multiply the relative error of x by n, and the
    # centred variance cancels ~log10 n digits inside M_{(D−c)e^{−v}}; small β: E⟨q, y⟩ ≈ β(1 − 1/n)/d is the
    # difference of M_1 and M_v/β, which cancel in log10(d/β) digits
    guard = int(math.log10(n)) + 5 + max(0, int(math.ceil(math.log10(max(1.0, keys.small_beta_scale / float(b))))))
    vals, nodes, err = _panel_route(keys, n, beta, digits, guard, k_max, n_nodes, variance=variance,
                                    entropy=entropy)
    return OutputFunctionals(**vals, n=n, d=d, beta=b, outer_nodes=nodes, outer_error=err,
                             seconds=time.perf_counter() - t0)


def _panel_route(keys, n, beta, digits, guard, k_max, n_nodes, variance=True, entropy=True):
    """The outer integrals of :func:`exact_output` (two passes: the variance is centred at the first pass's
    E Σ w D). Returns (values, outer nodes, outer error)."""
    with working_digits(digits + guard), arb_digits(digits + guard):
        b = to_mpf(beta)
        ba = arb(b)
        model = keys.model(n, ba)
        logET = keys.log_mean_T(n, b)
        memo = {}

        def inner(s):
            r = memo.get(s)
            if r is None:
                tt = arb(mpmath.exp(s))
                r = sweep(model, tt, k_max=k_max, n_nodes=n_nodes)
                x = r["Phi"] / n
                ok = (1 - x > 0) and float((1 - x).mid()) > 1e-30 * float(x.mid())
                lg = (-x).log1p() if ok else None
                r["t"] = tt
                r["L1"] = ((n - 1) * lg).exp() if ok else arb(0)
                r["L2"] = ((n - 2) * lg).exp() if ok else (arb(1) if n == 2 else arb(0))
                r["Ln"] = (n * lg).exp() if ok else arb(0)
                memo[s] = r
            return r

        def first(s):
            r = inner(s)
            tt, L1 = r["t"], r["L1"]
            out = [tt * r["Mv"] / ba * L1, tt * (r["M1"] - r["Mv"] / ba) * L1, tt * tt * r["M2"] * L1,
                   tt * tt * (2 * r["Mve2"] / ba - r["Mv2e2"] / (ba * ba)) * L1]
            out += [tt * Ik for Ik in r["I"]]
            if entropy:
                # E H = E Σ w v + E log T as one integrand. Frullani with the kernel k(t) = (1 + tK/m)^{−m}:
                # ∫ (k − e^{−tT}) dt/t = log(T/K) + log m − ψ(m); k falls with a slope of at most m in log t
                # past log t = kc = −log K, the centre of the outer rule. The −kc = −kc ∫ t M_1 L^{n−1} dt/t
                # (E Σ w = 1) is taken inside: deep in the supercritical regime E Σ w v ≈ −E log T ≈ β D_(1)
                # while E H → 0, and the integrand of E Σ w (v − kc) + ∫ (k − L^n) dt/t is small where they cancel,
                # so the stopping rule settles E H to its own digits in this one pass
                out.append(tt * (r["Mv"] - kca * r["M1"]) * L1 + (1 + tt * K / KERNEL_M) ** (-KERNEL_M) - r["Ln"])
            return [arb_to_mpf(y) for y in out]

        integrate, kc = _outer_rule(model, keys, n, b, logET, digits)
        kca = arb(kc)
        K = (-kca).exp()
        # the stopping rule's predicted error is below 10^{−digits−2} (docs/output.md §2: the fields then agree with
        # 20-digit values to 19 digits or more)
        r1 = integrate(first, digits)
        v = r1.value
        gap = v[0]
        out = {"E_gap": gap, "E_sum_Wv": b * gap, "E_inner": v[1], "E_sum_W2": v[2], "E_perp2": v[3]}
        if k_max:
            out.update(E_W=tuple(v[4:4 + k_max]), E_W1=v[4])
        if entropy:
            H = v[-1] - (mpmath.log(KERNEL_M) - mpmath.digamma(KERNEL_M))
            out.update(E_entropy=H, E_log_T=H - b * gap)
        else:
            out.update(E_entropy=None, E_log_T=None)
        nodes, err = r1.nodes, r1.error
        if not variance:
            return out, nodes, err
        c = arb(gap)
        frac = arb(n - 1) / n

        def second(s):
            r = inner(s)
            tt = r["t"]
            dev = r["Mv"] / ba - c * r["M1"]           # n E[(D − c) Y e^{−tY}]
            sq = r["Mv2e2"] / (ba * ba) - 2 * c * r["Mve2"] / ba + c * c * r["M2"]   # n E[(D − c)² Y² e^{−tY}]
            # E Σ w D again: its difference from c is the error of c (the integrand of E Σ w D − c itself is
            # near zero, which the relative stopping rule cannot settle)
            return [arb_to_mpf(tt * tt * (sq * r["L1"] + frac * dev * dev * r["L2"])),
                    arb_to_mpf(tt * r["Mv"] / ba * r["L1"])]

        r2 = integrate(second, digits)
        m2, gap2 = r2.value
        e = gap2 - gap
        out["Var_inner"] = m2 - e * e
        return out, max(nodes, r2.nodes), max(err, r2.error)


@precise
def nearest_distance_moments(n, d, digits: int = 20):
    """(E D_(1), E D_(1)²) of the nearest of n uniform keys: ∫_0^2 S(s) ds and ∫_0^2 2s S(s) ds with
    S(s) = P(D_(1) > s) = (1 − I_{s/2}(a, a))^n (docs/mathematics.md §7.2), by mpmath.quad on the scale (κ_d n)^{−1/α}.
    The output of the collapsed (supercritical) description sits on the nearest key: 1 − ⟨q, y⟩ = D_(1).

    d = 3: D is uniform on [0, 2], so E D_(1) = 2/(n + 1) and E D_(1)² = 8/((n + 1)(n + 2)):

    >>> m1, m2 = nearest_distance_moments(9, 3, 15)
    >>> mpmath.nstr(m1, 15), mpmath.nstr(m2, 15)
    ('0.2', '0.0727272727272727')
    """
    from attnlimits.numerics.laws.sphere import log_kappa_value

    n = _check_n(n)
    d = _check_d(d)
    a = mpmath.mpf(d - 1) / 2
    scale = mpmath.exp(-(log_kappa_value(d, digits + 5) + mpmath.log(n)) / a)

    def surv(s):
        p = mpmath.betainc(a, a, 0, s / 2, regularized=True)
        return mpmath.exp(n * mpmath.log1p(-p)) if p < 1 else mpmath.mpf(0)

    two = mpmath.mpf(2)
    pts = sorted(set([mpmath.mpf(0)] + [min(scale * m, two) for m in (1, 3, 10, 30, 100)] + [two]))
    return mpmath.quad(surv, pts), mpmath.quad(lambda s: 2 * s * surv(s), pts)


# ---------------------------------------------------------------- d = 3: the independent route


@precise
def exact_output_d3(n, beta, digits: int = 12, *, k_max: int = 0) -> OutputFunctionals:
    """d = 3 by closed-form inner integrals and ``mpmath.quad`` (independent of the panels and the DE engine).

    D uniform on [0, 2]: with b = 2β, u_0 = t e^{−b} and the substitution u = t e^{−v} (docs/output.md §1.3),
    L = 1 − (Ein(t) − Ein(u_0))/b, M_1/n = (e^{−u_0} − e^{−t})/(bt), M_2/n = (γ(2, t) − γ(2, u_0))/(bt²),
    M_v/n = (log t (e^{−u_0} − e^{−t}) − ∫_{u_0}^t log u e^{−u} du)/(bt) and M_{ve^{−2v}} by the antiderivatives
    ∫ log u e^{−u} du = −log u e^{−u} − E_1(u), ∫ u log u e^{−u} du = −(1 + u) log u e^{−u} − E_1(u) − e^{−u};
    M_{v²e^{−2v}} by the positive series of ∂²_s γ(s + 2, u) (DLMF 8.7.1); the rank integrals
    (A = n (E_1(u) − E_1(t))/b, only if ``k_max`` > 0: slow) by one-dimensional ``mpmath.quad`` in u.
    Returns an :class:`OutputFunctionals` (no outer diagnostics). Meant for checks: seconds to a minute.

    >>> import mpmath
    >>> r = exact_output_d3(2, 2, digits=6)
    >>> mpmath.nstr(r.E_inner, 6)   # as in exact_output's example
    '0.233567'
    """
    n = _check_n(n)
    positive_real(beta, "beta")
    k_max = integer(k_max, "k_max", low=0, high=K_MAX)
    t0 = time.perf_counter()
    if n == 1:
        return OutputFunctionals(**_one_key(3, to_mpf(beta), k_max), n=n, d=3, beta=to_mpf(beta),
                                 seconds=time.perf_counter() - t0)
    guard = int(math.log10(n)) + 8 + max(0, int(math.ceil(math.log10(max(1.0, 6 / float(to_mpf(beta)))))))
    with working_digits(digits + guard):
        b = to_mpf(beta)
        bb = 2 * b
        logET = mpmath.log(n) + mpmath.log(-mpmath.expm1(-bb) / bb)
        ET = mpmath.exp(logET)

        # antiderivatives of log u e^{−u} and u log u e^{−u}, −log u e^{−u} − E_1(u) and
        # −(1 + u) log u e^{−u} − E_1(u) − e^{−u}, rewritten with E_1 = Ein − γ − log u (DLMF 6.2.4) so that
        # the log u of a tiny u_0 = t e^{−2β} does not cancel against E_1(u_0)
        def anti1(u):
            return mpmath.euler - mpmath.log(u) * mpmath.expm1(-u) - ein(u)

        def anti2(u):
            return mpmath.euler - 1 + mpmath.log(u) * lower_gamma_2(u) - ein(u) - mpmath.expm1(-u)

        memo = {}

        def inner(t):
            r = memo.get(t)
            if r is not None:
                return r
            u0 = t * mpmath.exp(-bb)
            lt = mpmath.log(t)
            x = (ein(t) - ein(u0)) / bb
            # e^{−u0} − e^{−t} = e^{−u0} (1 − e^{−(t − u0)}) without cancellation
            d1 = mpmath.exp(-u0) * -mpmath.expm1(-(t - u0))
            M1 = n * d1 / (bb * t)
            M2 = n * (lower_gamma_2(t) - lower_gamma_2(u0)) / (bb * t * t)
            # log(t/u) = v ∈ [0, b]: ∫ v e^{−v}… written as the integral of log(t/u) u^k e^{−u} du/u
            Mv = n * (lt * d1 - (anti1(t) - anti1(u0))) / (bb * t)
            g2 = lower_gamma_2(t) - lower_gamma_2(u0)
            Mve2 = n * (lt * g2 - (anti2(t) - anti2(u0))) / (bb * t * t)
            # ∫ log²(t/u) u e^{−u} du = lt² g2 − 2 lt ∫ log u · u e^{−u} du + ∫ log² u · u e^{−u} du
            Mv2e2 = n * (lt * lt * g2 - 2 * lt * (anti2(t) - anti2(u0)) + _log2_gamma2(t) - _log2_gamma2(u0)) / (bb * t * t)
            L = 1 - x
            r = dict(x=x, M1=M1, M2=M2, Mv=Mv, Mve2=Mve2, Mv2e2=Mv2e2, u0=u0)
            if L > 0:
                lg = mpmath.log1p(-x)
                r.update(L1=mpmath.exp((n - 1) * lg), L2=mpmath.exp((n - 2) * lg), Ln=mpmath.exp(n * lg), lg=lg)
            else:
                r.update(L1=mpmath.mpf(0), L2=mpmath.mpf(1 if n == 2 else 0), Ln=mpmath.mpf(0), lg=None)
            memo[t] = r
            return r

        need = mpmath.mp.prec * math.log(2) + 25
        v_star = bb * need / n if n > need else bb
        s_hi = v_star + mpmath.log(need) + 8
        c = -logET
        s_lo = c - mpmath.mp.prec * math.log(2) - 20
        # deep in the supercritical regime with few keys the integrands spread from c to s_hi ~ 2β: a geometric
        # grid of breaks c + 2^j keeps every piece of mpmath.quad on the scale of its distance from c
        grid = [c + 2 ** j for j in range(3, 80) if c + 2 ** j < s_hi]
        pts = sorted(set([s_lo, c - 20, c - 5, c, c + 5] + grid + [x for x in (bb, b) if s_lo < x < s_hi] + [s_hi]))
        pts = [p for p in pts if s_lo <= p <= max(s_hi, c + 20)]

        def outer(f):
            return mpmath.quad(lambda s: f(inner(mpmath.exp(s)), mpmath.exp(s)), pts)

        gap = outer(lambda r, t: t * r["Mv"] / b * r["L1"])
        J = outer(lambda r, t: mpmath.exp(-t * ET) - r["Ln"])
        e_inner = outer(lambda r, t: t * (r["M1"] - r["Mv"] / b) * r["L1"])
        s2 = outer(lambda r, t: t * t * r["M2"] * r["L1"])
        perp = outer(lambda r, t: t * t * (2 * r["Mve2"] / b - r["Mv2e2"] / (b * b)) * r["L1"])
        cg = gap
        frac = mpmath.mpf(n - 1) / n

        def var_f(r, t):
            dev = r["Mv"] / b - cg * r["M1"]
            sq = r["Mv2e2"] / (b * b) - 2 * cg * r["Mve2"] / b + cg * cg * r["M2"]
            return t * t * (sq * r["L1"] + frac * dev * dev * r["L2"])

        m2 = outer(var_f)
        # E(R − c)² = Var R + (E R − c)², and E R − c is the quadrature error of c, far below Var R
        ews = []
        for k in range(1, min(k_max, n) + 1):
            ews.append(outer(lambda r, t, k=k: t * _rank_d3(r, t, n, k, bb)))
        ews += [mpmath.mpf(0)] * (k_max - len(ews))
        return OutputFunctionals(E_inner=e_inner, E_gap=gap, Var_inner=m2, E_perp2=perp,
                                 E_entropy=b * gap + logET + J, E_sum_Wv=b * gap, E_log_T=logET + J,
                                 E_W1=ews[0] if k_max else None, E_W=tuple(ews) if k_max else None, E_sum_W2=s2,
                                 n=n, d=3, beta=b, seconds=time.perf_counter() - t0)


def _log2_gamma2(x):
    """G(x) = ∫_0^x log² u · u e^{−u} du = ∂²/∂s² γ(s + 2, x) at s = 0, from γ(a, x) = x^a e^{−x} Σ_k x^k/(a)_{k+1}
    (DLMF 8.7.1): G = x² e^{−x} Σ_k x^k/(k+2)! ((log x − h_k)² + h'_k), h_k = Σ_{j=2}^{k+2} 1/j,
    h'_k = Σ_{j=2}^{k+2} 1/j² (positive terms: no cancellation). Beyond x = 2.3 dps + 60 the rest of the
    integral, ~x log² x e^{−x}, is below the working precision: G = Γ''(2) = (1 − γ)² + π²/6 − 1."""
    limit = 2.31 * mpmath.mp.dps + 60
    if x > limit:
        return (1 - mpmath.euler) ** 2 + mpmath.pi ** 2 / 6 - 1
    lx = mpmath.log(x)
    eps = mpmath.eps
    term = mpmath.mpf(1) / 2            # x^k/(k+2)! at k = 0
    h, h2 = mpmath.mpf(1) / 2, mpmath.mpf(1) / 4
    tot = term * ((lx - h) ** 2 + h2)
    k = 0
    while True:
        k += 1
        j = k + 2
        term = term * x / j
        h += mpmath.mpf(1) / j
        h2 += mpmath.mpf(1) / (j * j)
        add = term * ((lx - h) ** 2 + h2)
        tot += add
        if k > x and add < eps * tot:
            break
    return x * x * mpmath.exp(-x) * tot


def _u_breaks(u0, t):
    """Break points of ∫_{u_0}^t … e^{−u} du: the unit scale of e^{−u} and a geometric grid (ratio 16, at most
    60 points) down towards u_0; below 10^{−dps} min(t, 1) the integrand, bounded by e^{−u}, adds nothing."""
    pts = [u0, t]
    x = max(u0, mpmath.mpf(10) ** (-mpmath.mp.dps) * min(t, 1))
    for _ in range(60):
        if x >= min(t, 1):
            break
        pts.append(x)
        x *= 16
    for y in (1, 4, 16, 64):
        if u0 < y < t:
            pts.append(mpmath.mpf(y))
    return sorted(set(pts))


def _rank_d3(r, t, n, k, bb):
    """I_k(t)/n ... the rank integral at t for d = 3 in u = t e^{−v}: (n/(bt)) ∫_{u_0}^t e^{−u} C(n−1, k−1)
    (A/n)^{k−1} (1 − x − A/n)^{n−k} du with A/n = (E_1(u) − E_1(t))/b."""
    e1t = mpmath.e1(t)
    x = r["x"]
    C = mpmath.binomial(n - 1, k - 1)

    def f(u):
        a = (mpmath.e1(u) - e1t) / bb
        rest = 1 - x - a
        if n - k == 0:
            p = mpmath.mpf(1)
        elif rest <= 0:
            return mpmath.mpf(0)
        else:
            p = mpmath.exp((n - k) * mpmath.log(rest))
        return mpmath.exp(-u) * C * a ** (k - 1) * p

    return n * mpmath.quad(f, _u_breaks(r["u0"], t)) / (bb * t)
