"""The constants table: the numbers a paper on these limits quotes, regenerated at stated digits.

- Uniform keys on S^{d-1} (P1 §2–3, docs/mathematics.md §2-§3), for the dimensions in :data:`DIMS`: alpha = (d-1)/2,
  kappa_d = 2^{-alpha}/(alpha B(alpha, alpha)), C_d = kappa_d^{2/(d-1)} (beta*_n = C_d n^{2/(d-1)}) and
  kappa_d Gamma(alpha + 1) (n_eff = kappa_d Gamma(alpha+1) n beta^{-alpha}); from :mod:`attnlimits.numerics.laws.sphere`.
- The d = 3 (alpha = 1) Poisson limit at lambda = 1 (P1 §3): E W_(1), E sum W^2, the expected entropy, and
  lambda_1/2, where E W_(1) = 1/2; from the one-dimensional integrals of
  :func:`attnlimits.numerics.laws.poisson_limit.alpha1_functionals`.

Rendered as Markdown (for the report) or as a LaTeX ``tabular`` (``attnlimits constants --latex``).
"""
from __future__ import annotations

import mpmath

from attnlimits.numerics.formatting import decimal_string
from attnlimits.numerics.precision import precise
from attnlimits.numerics.laws.sphere import alpha_value, critical_constant, kappa_value, neff_constant

__all__ = ["DIMS", "sphere_rows", "critical_rows", "markdown", "latex"]

DIMS = (2, 3, 4, 5, 8, 16, 64, 128, 512, 1024, 4096)

SPHERE_COLUMNS = (
    ("alpha", r"$\alpha$", alpha_value),
    ("kappa", r"$\kappa_d$", kappa_value),
    ("critical_constant", r"$\kappa_d^{2/(d-1)}$", critical_constant),
    ("neff_constant", r"$\kappa_d\,\Gamma(\alpha+1)$", neff_constant),
)


@precise
def sphere_rows(digits: int = 15, dims=DIMS) -> list[dict]:
    """One row per d: {'d', 'alpha', 'kappa', 'critical_constant', 'neff_constant'} as decimal strings.

    >>> sphere_rows(6, dims=(3,))  # d = 3: kappa_3 = 1/2 (X uniform on [-1, 1])
    [{'d': '3', 'alpha': '1.00000', 'kappa': '0.500000', 'critical_constant': '0.500000', 'neff_constant': '0.500000'}]
    """
    return [{"d": str(d), **{k: decimal_string(f(d, digits), digits) for k, _, f in SPHERE_COLUMNS}} for d in dims]


@precise
def critical_rows(digits: int = 15) -> list[tuple[str, str, str]]:
    """(key, LaTeX name, value) rows of the d = 3 Poisson limit (alpha = 1), docs/mathematics.md §4.

    E W_(1), E sum W^2 and the entropy at lambda = 1 come from the one-dimensional integrals of
    :func:`attnlimits.numerics.laws.poisson_limit.alpha1_functionals` (3 extra digits); lambda_1/2 solves
    E W_(1)(lambda) = 1/2 by the secant method. About 15 s at 15 digits, hence no example here.
    """
    from attnlimits.numerics.laws.poisson_limit import alpha1_functionals

    f1 = alpha1_functionals(1, digits + 3)
    lam_half = mpmath.findroot(lambda lam: alpha1_functionals(lam, digits + 3).E_W1 - mpmath.mpf(1) / 2,
                               (mpmath.mpf("0.7"), mpmath.mpf("0.9")), solver="secant")
    return [
        ("E_W1_lambda1", r"$\mathbb{E} W_{(1)}$, $d=3$, $\lambda=1$", decimal_string(f1.E_W1, digits)),
        ("E_sum_W2_lambda1", r"$\mathbb{E}\sum_j W_j^2$, $d=3$, $\lambda=1$", decimal_string(f1.E_sum_W2, digits)),
        ("E_entropy_lambda1", r"$-\mathbb{E}\sum_j W_j\log W_j$, $d=3$, $\lambda=1$",
         decimal_string(f1.E_entropy, digits)),
        ("lambda_half", r"$\lambda_{1/2}$: $\mathbb{E} W_{(1)} = 1/2$, $d=3$", decimal_string(lam_half, digits)),
    ]


def markdown(digits: int = 15, *, critical: bool = True) -> str:
    """The tables as Markdown: the sphere constants over :data:`DIMS` and, with ``critical``, :func:`critical_rows`.

    >>> print(markdown(4, critical=False).splitlines()[4])  # d = 2: kappa_2 = sqrt(2)/pi
    | 2 | 0.5000 | 0.4502 | 0.2026 | 0.3989 |
    """
    head = "| d | α | κ_d | κ_d^{2/(d-1)} | κ_d Γ(α+1) |\n|---|---|---|---|---|"
    body = "\n".join(f"| {r['d']} | {r['alpha']} | {r['kappa']} | {r['critical_constant']} | {r['neff_constant']} |"
                     for r in sphere_rows(digits))
    text = (f"Uniform keys on S^(d-1), {digits} significant digits: P(D ≤ t) ~ κ_d t^α, "
            f"β*_n = κ_d^(2/(d-1)) n^(2/(d-1)), n_eff = κ_d Γ(α+1) n β^(-α).\n\n{head}\n{body}\n")
    if critical:
        rows = critical_rows(digits)
        text += ("\nPoisson limit of the critical regime, d = 3 (α = 1), β_n = λ κ_3 n:\n\n| constant | value |\n|---|---|\n"
                 + "\n".join(f"| `{k}` | {v} |" for k, _, v in rows) + "\n")
    return text


def latex(digits: int = 15, *, dims=DIMS, critical: bool = False) -> str:
    r"""A complete LaTeX ``tabular`` (booktabs rules) of the sphere constants, ready to paste.

    >>> print(latex(4, dims=(3,)))
    \begin{tabular}{rllll}
    \toprule
    $d$ & $\alpha$ & $\kappa_d$ & $\kappa_d^{2/(d-1)}$ & $\kappa_d\,\Gamma(\alpha+1)$ \\
    \midrule
    3 & $1.000$ & $0.5000$ & $0.5000$ & $0.5000$ \\
    \bottomrule
    \end{tabular}
    <BLANKLINE>
    """
    cols = "r" + "l" * len(SPHERE_COLUMNS)
    lines = [r"\begin{tabular}{" + cols + "}", r"\toprule",
             "$d$ & " + " & ".join(name for _, name, _ in SPHERE_COLUMNS) + r" \\", r"\midrule"]
    for r in sphere_rows(digits, dims):
        lines.append(f"{r['d']} & " + " & ".join(f"${_tex_number(r[k])}$" for k, _, _ in SPHERE_COLUMNS) + r" \\")
    if critical:
        lines.append(r"\midrule")
        lines += [f"\\multicolumn{{2}}{{l}}{{{name}}} & \\multicolumn{{{len(SPHERE_COLUMNS) - 1}}}{{l}}{{${v}$}} \\\\"
                  for _, name, v in critical_rows(digits)]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _tex_number(s: str) -> str:
    if "e" in s:
        m, e = s.split("e")
        return f"{m} \\times 10^{{{int(e)}}}"
    return s
