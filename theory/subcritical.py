"""Subcritical regime (paper 1, §4; docs/mathematics.md §5): population output, bias, CLT covariance, crossover —
exact objects.

Setting: X = <q, K> for K uniform on S^{d-1}; M(b) = E e^{bX} = 0F1(; d/2; b^2/4) = Gamma(d/2)(2/b)^nu I_nu(b),
nu = d/2 - 1. The population output is m(beta) = E[e^{beta X} K]/M(beta) = A_d(beta) q with
A_d = M'/M = I_{d/2}/I_{d/2-1}.

Derivations held here (each is re-done by sympy when called, none is quoted):

* ODE. M's power series sum_k b^{2k}/(4^k k! (d/2)_k) satisfies M'' + ((d-1)/b) M' - M = 0
  (:func:`mgf_ode_residual` checks the general coefficient), hence M''/M = 1 - (d-1) A_d(b)/b.
* CLT. For y = sum e^{beta X_i} K_i / sum e^{beta X_j}, the delta method gives
  sqrt(n)(y - m) -> N(0, Sigma), Sigma = E[e^{2 beta X}(K - m)(K - m)^T]/M(beta)^2 (E[e^{beta X}(K - m)] = 0).
  With E[e^{2bX} X^j] = M^{(j)}(2b) and E[(K_perp,i)^2 e^{2bX}] = E[(1 - X^2) e^{2bX}]/(d-1):
  var_par = R (1 - (d-1)A_2/(2 beta) - 2 A_1 A_2 + A_1^2), var_perp = R A_2/(2 beta),
  with A_1 = A_d(beta), A_2 = A_d(2 beta), R = M(2 beta)/M(beta)^2 (:func:`clt_variances_symbolic`).
* Ratio-estimator bias of the mean: E<q, y> = A_1 + R (A_1 - A_2)/n + O(n^{-2}) (second-order delta method).
* Large beta: A_d = 1 - (d-1)/(2 beta) + ..., var_perp ~ C beta^{(d-3)/2}, var_par ~ C' beta^{(d-5)/2};
  bias^2 ~ beta^{-2} against var_perp/n gives the crossover beta ~ n^{2/(d+1)}; n_eff -> oo needs beta << n^{2/(d-1)}.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory import special, watson
from attnlimits.theory.bessel_asymptotics import hankel_coefficients, ratio_large_coefficients, \
    ratio_small_coefficients, series_quotient
from attnlimits.theory.sphere import alpha, d as d_sym
from attnlimits.theory.validation import integer

__all__ = ["beta", "n", "bias_coefficients", "bias_expansion", "small_beta_coefficients", "small_beta_expansion",
           "mgf_ode_residual", "second_moment_over_mgf", "clt_variances_symbolic", "clt_leading_terms",
           "ratio_bias_symbolic", "n_eff", "crossover_exponents"]

beta = sp.Symbol("beta", positive=True)
n = sp.Symbol("n", positive=True)
A1, A2, R = sp.symbols("A_1 A_2 R", positive=True)


def _dd(dd):
    return d_sym if dd is None else (dd if isinstance(dd, sp.Basic) else sp.Integer(integer(dd, "d", low=2)))


def bias_coefficients(order, dd=None) -> list:
    """b_0..b_order with A_d(beta) ~ sum_k b_k beta^{-k} (quotient of the derived Hankel series of I_{d/2}, I_{d/2-1}).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> bias_coefficients(2)
    [1, -(d - 1)/2, (d - 3)*(d - 1)/8]
    """
    D = _dd(dd)
    return ratio_large_coefficients(order, D / 2, D / 2 - 1)


def bias_expansion(order, dd=None):
    """A_d(beta) - 1 to O(beta^{-order-1}): sum_{k=1..order} b_k beta^{-k} (the deterministic bias along q;
    docs/mathematics.md §5.2).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> bias_expansion(3)
    -(d - 1)/(2*beta) + (d - 3)*(d - 1)/(8*beta**2) + (d - 3)*(d - 1)/(8*beta**3)
    >>> bias_expansion(3, 3)  # d = 3: A_3(beta) = coth(beta) - 1/beta, exactly 1 - 1/beta up to e^{-2 beta}
    -1/beta
    """
    b = bias_coefficients(order, dd)
    return sum(b[k] * beta ** (-k) for k in range(1, len(b)))


def small_beta_coefficients(order, dd=None) -> list:
    """s_0..s_order with A_d(beta) = sum_k s_k beta^{2k+1} near 0 (DLMF 10.25.2); s_0 = 1/d (uniform averaging).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> small_beta_coefficients(2, 3), sp.series(sp.coth(beta) - 1 / beta, beta, 0, 6)  # A_3 = coth - 1/beta
    ([1/3, -1/45, 2/945], beta/3 - beta**3/45 + 2*beta**5/945 + O(beta**6))
    >>> small_beta_coefficients(1)
    [1/d, -1/(d**2*(d + 2))]
    """
    D = _dd(dd)
    e = ratio_small_coefficients(order, 1, D / 2 - 1)
    return [sp.factor(c / 2) for c in e]


def small_beta_expansion(order, dd=None):
    """A_d(beta) = beta/d - beta^3/(d^2(d+2)) + ... to O(beta^{2 order + 3}).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> small_beta_expansion(1)
    -beta**3/(d**2*(d + 2)) + beta/d
    """
    s = small_beta_coefficients(order, dd)
    return sum(s[k] * beta ** (2 * k + 1) for k in range(len(s)))


def mgf_ode_residual(dd=None):
    """Residual of M'' + ((d-1)/b) M' - M = 0 on the general power-series coefficient of M = 0F1(; d/2; b^2/4).

    With M = sum_k m_k b^{2k}, m_k = 1/(4^k k! (d/2)_k), the coefficient of b^{2k-2} is
    2k(2k-1) m_k + (d-1) 2k m_k - m_{k-1}; divided by m_{k-1} it must simplify to 0 (returned).

    >>> mgf_ode_residual()
    0
    """
    D = _dd(dd)
    k = sp.Symbol("k", positive=True, integer=True)
    m = lambda j: 1 / (4**j * sp.factorial(j) * sp.rf(D / 2, j))  # noqa: E731
    ratio = sp.gammasimp(sp.combsimp(m(k) / m(k - 1)))
    return sp.simplify((2 * k * (2 * k - 1) + (D - 1) * 2 * k) * ratio - 1)


def second_moment_over_mgf(b=beta, dd=None, A=None):
    """M''(b)/M(b) = E[X^2 e^{bX}]/E[e^{bX}] = 1 - (d-1) A_d(b)/b (from the ODE; A defaults to a symbol).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> second_moment_over_mgf()
    -A*(d - 1)/beta + 1
    >>> b = sp.Symbol("b", positive=True)
    >>> M = sp.sinh(b) / b  # d = 3: M(b) = E e^{bX}, X uniform on [-1, 1]
    >>> sp.simplify(second_moment_over_mgf(b, 3, sp.diff(M, b) / M) - sp.diff(M, b, 2) / M)
    0
    """
    D = _dd(dd)
    A = sp.Symbol("A") if A is None else A
    return 1 - (D - 1) * A / b


def clt_variances_symbolic(dd=None) -> dict:
    """var_par and var_perp (n times the variances of <q,y> and of one coordinate of P_perp y) in A_1, A_2, R.

    Built from the moments: E[e^{2bX}(X - A_1)^2] = M''(2b) - 2 A_1 M'(2b) + A_1^2 M(2b),
    E[e^{2bX}(1 - X^2)]/(d-1) = (M(2b) - M''(2b))/(d-1), with M'(2b) = A_2 M(2b), M''(2b) = M(2b) (1 - (d-1)A_2/(2b)).
    (docs/mathematics.md §5.3)
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> clt_variances_symbolic()["var_perp"]
    A_2*R/(2*beta)
    """
    D = _dd(dd)
    M2 = sp.Symbol("M2", positive=True)  # M(2 beta)
    Mb = sp.Symbol("Mb", positive=True)  # M(beta)
    d1 = A2 * M2
    d2 = M2 * second_moment_over_mgf(2 * beta, D, A2)
    par = (d2 - 2 * A1 * d1 + A1**2 * M2) / Mb**2
    perp = (M2 - d2) / ((D - 1) * Mb**2)
    sub = {M2: R * Mb**2}
    return {"var_parallel": sp.factor(sp.simplify(par.subs(sub))), "var_perp": sp.factor(sp.simplify(perp.subs(sub)))}


def ratio_bias_symbolic():
    """First-order bias of the self-normalised mean: E<q,y> - A_1 = R (A_1 - A_2)/n + O(n^{-2}).

    Delta method to second order for N/Z with N = mean e^{bX}X, Z = mean e^{bX}:
    E[N/Z] = mu_N/mu_Z + (mu_N Var Z/mu_Z^3 - Cov(N, Z)/mu_Z^2)/n + O(n^{-2}), Var Z = M(2b) - M^2,
    Cov = M'(2b) - M M'. Returned as the simplified coefficient of 1/n in terms of A_1, A_2, R.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> ratio_bias_symbolic()
    R*(A_1 - A_2)
    """
    M2, Mb = sp.symbols("M2 Mb", positive=True)
    muN, muZ = A1 * Mb, Mb
    varZ = M2 - Mb**2
    cov = A2 * M2 - Mb * A1 * Mb
    c = muN * varZ / muZ**3 - cov / muZ**2
    return sp.factor(sp.simplify(c.subs(M2, R * Mb**2)))


def clt_leading_terms(dd=None, order: int = 3) -> dict:
    """Leading large-beta behaviour of R, var_perp, var_par, with symbolic d (derived from the Hankel series).

    R = (beta/4)^nu I_nu(2 beta)/(Gamma(d/2) I_nu(beta)^2) ~ (beta/4)^nu sqrt(pi beta)/Gamma(d/2) * (1 + O(1/beta)),
    A_1, A_2 from :func:`bias_coefficients`; var_par's O(1) and O(1/beta) terms cancel, leaving a beta^{-2} term.
    Returns the leading coefficient and exponent of beta for each. The coefficients lambdify with numpy (arrays of d),
    scipy and mpmath (tested); in double they underflow to 0 beyond d = 340, where they are below 1e-400.

    >>> lead = clt_leading_terms(3)  # d = 3: R = beta coth(beta), var_perp -> 1/2, var_par = 1/(2 beta) + ...
    >>> lead["R"], lead["var_perp"], lead["var_parallel"]  # (coefficient, exponent of beta)
    ((1, 1), (1/2, 0), (1/2, -1))
    """
    D = _dd(dd)
    nu = D / 2 - 1
    c = hankel_coefficients(order, nu)
    w = sp.Symbol("w", positive=True)  # w = 1/beta
    num = [ci / 2**i for i, ci in enumerate(c)]  # sum c_k (2 beta)^{-k}
    den = [sp.expand(sum(c[i] * c[k - i] for i in range(k + 1))) for k in range(order + 1)]
    corr = series_quotient(num, den, order)  # R's correction factor as a series in w
    pref = (beta / 4) ** nu * sp.sqrt(sp.pi * beta) / sp.gamma(D / 2)
    b = bias_coefficients(order, D)
    a1 = sum(b[k] * w**k for k in range(order + 1))
    a2 = sum(b[k] * (w / 2) ** k for k in range(order + 1))
    corr_s = sum(corr[k] * w**k for k in range(order + 1))
    par_bracket = sp.expand(1 - (D - 1) * a2 * w / 2 - 2 * a1 * a2 + a1**2)
    par_bracket = sp.series(par_bracket, w, 0, 3).removeO()
    out = {}
    lead_par = sp.factor(par_bracket.coeff(w, 2))
    out["R"] = (sp.simplify(pref / beta ** (nu + sp.Rational(1, 2))), sp.simplify(nu + sp.Rational(1, 2)))
    out["var_perp"] = (sp.simplify(pref / beta ** (nu + sp.Rational(1, 2)) / 2), sp.simplify(nu - sp.Rational(1, 2)))
    out["var_parallel"] = (sp.simplify(pref / beta ** (nu + sp.Rational(1, 2)) * lead_par),
                           sp.simplify(nu - sp.Rational(3, 2)))
    out["par_bracket_low_orders"] = [sp.simplify(par_bracket.coeff(w, j)) for j in range(3)]
    out["R_correction"] = corr
    # Gamma(d/2) as special.gamma: the numpy code of sympy's is math.gamma (no arrays)
    return {k: (tuple(map(special.refine, v)) if isinstance(v, tuple) else v) for k, v in out.items()}


def n_eff(dd=None):
    """n_eff = n kappa_d Gamma(alpha + 1) beta^{-alpha}: n times the Laplace-transform asymptotic of E e^{-beta D}
    (docs/mathematics.md §2.5).

    >>> n_eff(3)
    n/(2*beta)
    >>> D = sp.Symbol("D", positive=True)  # d = 3: D uniform on [0, 2], E e^{-beta D} ~ 1/(2 beta)
    >>> sp.limit(n * sp.integrate(sp.exp(-beta * D) / 2, (D, 0, 2)) / n_eff(3), beta, sp.oo)
    1

    The form is :func:`attnlimits.theory.watson.n_eff`'s: for a symbolic d one exponential (no overflow), lambdified
    with numpy (arrays), scipy and mpmath, tested up to d = 10^4.
    """
    return watson.n_eff(n, beta, _dd(dd))


def crossover_exponents(dd=None) -> dict:
    """Exponents e of beta = n^e bounding the two subcritical sub-regimes, derived from the leading powers.

    bias ~ beta^{-1}; tangential fluctuation sd ~ sqrt(var_perp / n) ~ sqrt(beta^{p}/n) with p the exponent of
    :func:`clt_leading_terms`; they balance at beta = n^{e_cross}. The regime is subcritical while n_eff -> oo,
    i.e. beta = n^e with e < e_crit (docs/mathematics.md §5.5).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> crossover_exponents()
    {'perp_power': d/2 - 3/2, 'e_cross': 2/(d + 1), 'e_crit': 2/(d - 1)}
    """
    D = _dd(dd)
    e = sp.Symbol("e", positive=True)
    lead = clt_leading_terms(D, order=1)
    p = lead["var_perp"][1]
    # log_n of bias^2 and of var_perp/n along beta = n^e
    bias_pow = -2 * e
    fluct_pow = p * e - 1
    e_cross = sp.solve(sp.Eq(bias_pow, fluct_pow), e)
    neff_pow = sp.simplify(1 - alpha(D) * e)  # log_n n_eff up to constants
    e_crit = sp.solve(sp.Eq(neff_pow, 0), e)
    return {"perp_power": p, "e_cross": sp.simplify(e_cross[0]), "e_crit": sp.simplify(e_crit[0])}
