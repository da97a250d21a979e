"""The typed result of every route to the expectations of the attention weights (docs/mathematics.md §4, §8).

One class, :class:`WeightFunctionals`, whatever the route: the Campbell sweep and conditioning on the
first point of the Poisson limit, the α = 1 closed forms (``numerics.laws.poisson_limit``), and the exact
finite-n values (``numerics.laws.finite_n``). ``E_W1`` is E W_(1) on every route, so a claim comparing two
routes reads the same field on both; a field a route does not compute is ``None``.
"""
from __future__ import annotations

import dataclasses

from attnlimits.numerics.results import Result

__all__ = ["WeightFunctionals"]


@dataclasses.dataclass(frozen=True)
class WeightFunctionals(Result):
    """Expectations of functionals of the ranked weights W_(1) ≥ W_(2) ≥ … (mpmath numbers) and diagnostics.

    Limit law (docs/mathematics.md §4: y_j = e^{−v_j}, T = Σ y_j, W_j = y_j/T) or n keys (§8: w_i):

    - ``E_W1``: E W_(1), the expected largest weight.
    - ``E_W``: (E W_(1), …, E W_(K)), the expected k-th largest weights (Campbell route only).
    - ``E_top_mass``: (E Σ_{j≤k} W_(j))_{k=1..K}, the expected mass of the k largest weights (Campbell route).
    - ``E_sum_W2``: E Σ W², the expected inverse participation (1/E Σ W² keys matter).
    - ``E_entropy``: E H, H = −Σ W log W.
    - ``E_log_T``: E log T; ``E_T``: E T = Γ(α+1) λ^{−α}.
    - ``E_sum_Wv``: E Σ W v; ``E_sum_Wv_sq``: E (Σ W v)²; ``E_sum_W2v``: E Σ W² v.
    - ``E_normal``: E N, N = Σ W S = Σ W v/λ, the limit of (κn)^{1/α}(1 − ⟨q, y⟩) (§4);
      ``E_normal_sq``: E N²; ``E_tangential_sq``: E |Σ W √(2S) U|² = 2 E Σ W² v/λ.
    - ``n``, ``d``, ``beta``: the finite-n problem (exact finite-n routes only).
    - ``outer_nodes``, ``outer_error``: nodes and error estimate of the outer double-exponential integral;
      ``inner_nodes``, ``tau_step``: the fixed τ-rule of the first-point route; ``inner``: the Campbell route's
      inner integrals, ``"panels"`` (Gauss–Legendre panels in v) or ``"series"`` (power series in t, E T large);
      ``seconds``: wall time.

    >>> import mpmath
    >>> r = WeightFunctionals(E_W1=mpmath.exp(-mpmath.euler), E_T=mpmath.mpf(1))  # α = λ = 1: e^{−γ}, Γ(2)
    >>> mpmath.nstr(r.E_W1, 10), r.E_sum_W2
    ('0.5614594836', None)
    >>> r.to_json(6, skip_none=True)
    {'E_W1': '0.561459', 'E_T': '1.00000'}
    >>> r.to_json(0)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: digits must be an integer >= 1, got 0
    """

    E_W1: object = None
    E_W: tuple | None = None
    E_top_mass: tuple | None = None
    E_sum_W2: object = None
    E_entropy: object = None
    E_log_T: object = None
    E_T: object = None
    E_sum_Wv: object = None
    E_sum_Wv_sq: object = None
    E_sum_W2v: object = None
    E_normal: object = None
    E_normal_sq: object = None
    E_tangential_sq: object = None
    n: int | None = None
    d: int | None = None
    beta: object = None
    outer_nodes: int | None = None
    outer_error: object = None
    inner_nodes: int | None = None
    tau_step: float | None = None
    inner: str | None = None
    seconds: float | None = None

    def to_json(self, digits: int, *, skip_none: bool = False) -> dict:
        """:meth:`Result.to_json` with ``digits`` checked first (1 .. MAX_DIGITS; InputError otherwise)."""
        from attnlimits.numerics.precision import check_digits

        return super().to_json(check_digits(digits), skip_none=skip_none)
