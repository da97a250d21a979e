"""sympy's special functions, printed so that ``sympy.lambdify`` gives the right number (docs/mathematics.md §11.7).

The formulas of :mod:`attnlimits.theory` are imported by other projects and evaluated with
``sympy.lambdify(args, expr, "numpy" | "scipy" | "mpmath")``. sympy 1.14 does not get the special functions
right there:

- ``"numpy"`` prints ``gamma`` and ``loggamma`` as ``math.gamma`` / ``math.lgamma``, which refuse arrays, and has
  no incomplete beta, Pochhammer symbol, hypergeometric or exponential integral at all (``NameError`` at call time);
- ``"mpmath"`` translates ``betainc_regularized`` to ``mpmath.betainc`` *without* ``regularized=True``, i.e. to the
  unregularized B_x(a, b): a wrong number (0.00734 instead of 0.01869 at d = 4, t = 0.1);
- ``"scipy"`` prints ``hyper`` and ``expint`` as undefined names.

Each class below *is* the sympy function of the same name (a subclass: same evaluation, derivatives, series,
LaTeX and string form) and adds only its code for the numpy/scipy printer (``_numpycode``: the scipy.special
ufunc, vectorised over arrays; scipy is a dependency of attnlimits) and, where sympy's is wrong or missing, for
the mpmath printer (``_mpmathcode``).
``hyper`` with (p, q) other than (0, 1) and (1, 1) is refused by the numpy/scipy printer, at lambdify time, with
one line naming the alternative: scipy's ``hyp2f1`` loses every digit at the parameters of these formulas
(about 7e25 instead of 2.7e-46 at a = 2047.5), and a formula that fails is better than one that lies.

``RisingFactorial(x, k)`` rewrites to ``gamma(x + k)/gamma(x)`` without sympy's Piecewise for x <= 0 (every x here
is a positive Beta parameter), so that ``gammasimp`` proves identities between the rising-factorial forms and the
Gamma forms. :func:`to_gamma` turns the log-Gamma forms back into Gamma functions for the same purpose.

Arrays: pass float arrays (``np.asarray(d, float)``). An int64 array stays int64 through the polynomial parts of the
generated code, which overflow silently beyond 9.2e18 (d^5 at d = 10^4); the scipy ufuncs convert to float
themselves, and every formula written with a = (d - 1)/2 is float from the first division.

A subclass instance is *not* equal to the sympy original with the same arguments (making it equal would let sympy's
cache hand back expressions built with the original, whose code is wrong): an identity between the two kinds is
checked after :func:`to_gamma` or ``.rewrite``, not by structural equality.

>>> import numpy as np
>>> d = sp.Symbol("d", positive=True)
>>> f = sp.lambdify(d, loggamma(d / 2), "numpy")  # sympy's own loggamma would print math.lgamma here
>>> [round(float(v), 6) for v in f(np.array([4, 10, 4096]))]
[0.0, 3.178054, 13564.326353]
"""
from __future__ import annotations

import sympy as sp

__all__ = ["gamma", "loggamma", "beta", "RisingFactorial", "betainc_regularized", "hyper", "expint", "to_gamma",
           "refine", "stable", "log_form", "EXACT_LIMIT", "exact_number"]

#: Numeric arguments up to this size are evaluated exactly by sympy (Gamma(101) has 158 digits); beyond it the
#: exact values (Gamma(4095) has 13,000 digits, past Python's 4300-digit str limit) are left unevaluated.
EXACT_LIMIT = 100


def exact_number(x) -> bool:
    """True if ``x`` is a sympy number small enough for exact closed forms (see :data:`EXACT_LIMIT`).

    >>> exact_number(sp.Integer(5)), exact_number(sp.Integer(4096)), exact_number(sp.Symbol("d"))
    (True, False, False)
    """
    x = sp.sympify(x)
    return bool(x.is_Number and abs(x) <= EXACT_LIMIT)


def _call(printer, name, *args):
    return "{}({})".format(printer._module_format(name), ", ".join(printer._print(a) for a in args))


class gamma(sp.gamma):
    """sympy's ``gamma``; numpy/scipy code ``scipy.special.gamma`` (vectorised).

    >>> x = sp.Symbol("x", positive=True)
    >>> gamma(x), gamma(4)
    (gamma(x), 6)
    """


    def _numpycode(self, printer):
        return _call(printer, "scipy.special.gamma", *self.args)


class loggamma(sp.loggamma):
    """sympy's ``loggamma``; numpy/scipy code ``scipy.special.gammaln``. Exact values only at numbers up to
    :data:`EXACT_LIMIT` (``loggamma(4095)`` stays unevaluated instead of becoming the log of a 13,000-digit
    integer, and ``loggamma(m + 1)`` of an integer symbol is not turned into ``log(gamma(m + 1))``).

    >>> loggamma(3), loggamma(4095)
    (log(2), loggamma(4095))
    >>> round(float(loggamma(4095)), 6)  # evalf at any size
    29962.012773
    """


    @classmethod
    def eval(cls, z):
        # sympy's own turns loggamma(m + 1) of an integer symbol m into log(gamma(m + 1)), i.e. back to math.gamma
        return sp.loggamma.eval(z) if exact_number(z) else None

    def _numpycode(self, printer):
        return _call(printer, "scipy.special.gammaln", *self.args)


class beta(sp.beta):
    """sympy's ``beta`` B(a, b); numpy/scipy code ``scipy.special.beta`` (sympy's numpy code is math.gamma).

    >>> a = sp.Symbol("a", positive=True)
    >>> round(float(sp.lambdify(a, beta(a, sp.S.Half), "numpy")(2047.5)), 12)  # sqrt(pi/a) (1 + 1/(8a) + ...)
    0.039173240137
    """


    def _numpycode(self, printer):
        return _call(printer, "scipy.special.beta", *self.args)


class RisingFactorial(sp.RisingFactorial):
    """sympy's ``RisingFactorial`` rf(x, k) = Gamma(x + k)/Gamma(x) (x > 0 here); numpy/scipy code
    ``scipy.special.poch``, mpmath code ``mpmath.rf``. Rewritten as a Gamma ratio without sympy's Piecewise for
    x <= 0, so that ``gammasimp`` proves identities with it.

    >>> a = sp.Symbol("a", positive=True)
    >>> RisingFactorial(a, sp.S.Half).rewrite(sp.gamma)
    gamma(a + 1/2)/gamma(a)
    """


    def _eval_rewrite_as_gamma(self, x, k, piecewise=True, **kwargs):
        return sp.gamma(x + k) / sp.gamma(x)

    def _numpycode(self, printer):
        return _call(printer, "scipy.special.poch", *self.args)

    def _mpmathcode(self, printer):
        return _call(printer, "mpmath.rf", *self.args)


class betainc_regularized(sp.betainc_regularized):
    """sympy's ``betainc_regularized`` I_{x1..x2}(a, b); mpmath code ``mpmath.betainc(..., regularized=True)``
    (sympy's translation drops ``regularized``), numpy/scipy code ``scipy.special.betainc``.

    >>> import mpmath
    >>> d, t = sp.symbols("d t", positive=True)
    >>> e = betainc_regularized((d - 1) / 2, (d - 1) / 2, 0, t / 2)
    >>> mpmath.nstr(sp.lambdify((d, t), e, "mpmath")(4, mpmath.mpf("0.1")), 10)  # P(D <= 0.1) at d = 4
    '0.01869303673'
    """


    def _mpmathcode(self, printer):
        a, b, x1, x2 = (printer._print(e) for e in self.args)
        return f"{printer._module_format('mpmath.betainc')}({a}, {b}, {x1}, {x2}, regularized=True)"

    def _numpycode(self, printer):
        a, b, x1, x2 = self.args
        upper = _call(printer, "scipy.special.betainc", a, b, x2)
        if x1 == 0:
            return upper
        return f"({upper} - {_call(printer, 'scipy.special.betainc', a, b, x1)})"


class hyper(sp.hyper):
    """sympy's ``hyper`` pFq; numpy/scipy code ``scipy.special.hyp0f1`` / ``hyp1f1`` for (p, q) = (0, 1), (1, 1);
    any other (p, q) is refused at lambdify time (scipy's ``hyp2f1`` is inaccurate at large parameters; mpmath is
    right everywhere).

    >>> b = sp.Symbol("b", positive=True)
    >>> round(float(sp.lambdify(b, hyper([1], [2], -2 * b), "numpy")(1.0)), 12)  # (1 - e^{-2b})/(2b) at b = 1
    0.432332358382
    >>> sp.lambdify(b, hyper([b, 1], [b + 1], b / 4), "numpy")
    Traceback (most recent call last):
    ...
    NotImplementedError: hyper with (p, q) = (2, 1) has no accurate double-precision route ...
    """


    def _numpycode(self, printer):
        ap, bq, z = list(self.ap), list(self.bq), self.argument
        if (len(ap), len(bq)) == (0, 1):
            return _call(printer, "scipy.special.hyp0f1", bq[0], z)
        if (len(ap), len(bq)) == (1, 1):
            return _call(printer, "scipy.special.hyp1f1", ap[0], bq[0], z)
        raise NotImplementedError(
            f"hyper with (p, q) = ({len(ap)}, {len(bq)}) has no accurate double-precision route (scipy's hyp2f1 "
            f"loses every digit at large parameters): lambdify with modules='mpmath', or for the cap law use "
            f"attnlimits.theory.cap.cap_probability (regularized incomplete beta)")


class expint(sp.expint):
    """sympy's ``expint`` E_nu(z); numpy/scipy code ``scipy.special.exp1`` (nu = 1) or ``expn`` (integer nu).

    >>> t = sp.Symbol("t", positive=True)
    >>> round(float(sp.lambdify(t, expint(1, t), "numpy")(1.0)), 12)  # E_1(1)
    0.219383934396
    """


    def _numpycode(self, printer):
        nu, z = self.args
        if nu == 1:
            return _call(printer, "scipy.special.exp1", z)
        if nu.is_integer:
            return _call(printer, "scipy.special.expn", nu, z)
        raise NotImplementedError(f"expint of non-integer order {nu} has no scipy route: lambdify with 'mpmath'")


_REFINED = {sp.gamma: gamma, sp.loggamma: loggamma, sp.beta: beta, sp.RisingFactorial: RisingFactorial,
            sp.betainc_regularized: betainc_regularized, sp.hyper: hyper, sp.expint: expint}


_PARENT = {v: k for k, v in _REFINED.items()}


def refine(expr):
    """``expr`` with sympy's special functions replaced by the classes above (same values, code that lambdifies);
    for the outputs of sympy's integrator and simplifier.

    >>> x = sp.Symbol("x", positive=True)
    >>> e = refine(sp.gamma(x) + sp.expint(1, x))
    >>> e, sorted(type(f).__module__ for f in e.args)
    (expint(1, x) + gamma(x), ['attnlimits.theory.special', 'attnlimits.theory.special'])
    """
    return sp.sympify(expr).replace(lambda f: type(f) in _REFINED, lambda f: _REFINED[type(f)](*f.args))


def stable(expr):
    """``expr`` with every Gamma ratio Gamma(x + c)/Gamma(x) (c a nonzero rational) written as the rising factorial
    rf(x, c), and the remaining special functions refined (:func:`refine`): for the outputs of sympy's simplifier,
    whose Gamma ratios overflow in double (Gamma(d/2)/Gamma(d/2 + 1/2) is inf/inf beyond d = 343).

    >>> d = sp.Symbol("d", positive=True)
    >>> stable(2**d * sp.gamma(d / 2) / sp.gamma(d / 2 + sp.S.Half))
    2**d/RisingFactorial(d/2, 1/2)
    """
    def fix(m):
        num, den, rest = [], [], []
        for f in sp.Mul.make_args(m):
            b, e = f.as_base_exp()
            if isinstance(b, sp.gamma) and e.is_Integer:
                (num if e > 0 else den).extend([b.args[0]] * abs(int(e)))
            else:
                rest.append(f)
        pairs = []
        for p in list(num):
            for q in den:
                c = sp.expand(p - q)
                if c.is_Rational and c != 0:
                    pairs.append(RisingFactorial(q, c) if c > 0 else 1 / RisingFactorial(p, -c))
                    num.remove(p)
                    den.remove(q)
                    break
        if not pairs:
            return m
        return sp.Mul(*rest, *pairs, *[sp.gamma(p) for p in num], *[1 / sp.gamma(q) for q in den])

    return refine(sp.sympify(expr).replace(lambda e: e.is_Mul, fix))


def log_form(expr):
    """log(expr) expanded into a sum of logarithms (``expr`` positive), with log(gamma(z)) as loggamma(z): a form
    finite in double when ``expr`` itself is not (exp of it is the overflow-free way to raise ``expr`` to a power).

    >>> d = sp.Symbol("d", positive=True)
    >>> log_form(2**(d - 1) * sp.gamma(d) / sp.sqrt(sp.pi))
    (d - 1)*log(2) + loggamma(d) - log(pi)/2
    """
    e = sp.expand_log(sp.log(sp.sympify(expr)), force=True)
    return e.replace(lambda f: isinstance(f, sp.log) and isinstance(f.args[0], sp.gamma),
                     lambda f: loggamma(f.args[0].args[0]))


def to_gamma(expr):
    """``expr`` with log-Gamma forms turned back into Gamma functions, for identity checks with ``gammasimp``.

    exp(sum_i c_i log X_i) becomes prod_i X_i^{c_i} with loggamma(z) read as log(gamma(z)) (valid for z > 0, the
    only case in this package), the rising factorials become Gamma ratios, and the classes of this module become
    sympy's own (so that they cancel against them).

    >>> a = sp.Symbol("a", positive=True)
    >>> to_gamma(sp.exp(loggamma(2 * a) - 2 * loggamma(a) - a * sp.log(2)))
    gamma(2*a)/(2**a*gamma(a)**2)
    """
    e = sp.sympify(expr).replace(lambda f: type(f) in _PARENT, lambda f: _PARENT[type(f)](*f.args))
    e = e.replace(lambda x: isinstance(x, sp.loggamma), lambda x: sp.log(sp.gamma(x.args[0])))
    e = e.replace(lambda x: isinstance(x, sp.exp),
                  lambda x: sp.Mul(*map(_power, sp.Add.make_args(sp.expand(x.args[0])))))
    return e.replace(lambda x: isinstance(x, sp.RisingFactorial),
                     lambda x: sp.gamma(x.args[0] + x.args[1]) / sp.gamma(x.args[0]))


def _power(term):
    """exp(c log X) as X^c; any other exp(term) unchanged."""
    logs = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
    if len(logs) != 1:
        return sp.exp(term)
    return logs[0].args[0] ** (term / logs[0])
