"""Lazy public entry points of a wing of ``attnlimits.numerics``.

Each wing's ``__init__`` names its entry points in a table {name: module}; the module is imported the first
time the name is used (PEP 562 module ``__getattr__``), so ``import attnlimits.numerics.laws.cap`` does not
pull in sympy and scipy.stats through the other laws, and the CLI starts in a fraction of a second.
"""
from __future__ import annotations

import importlib

__all__ = ["lazy_exports"]


def lazy_exports(package: str, table: dict[str, str]):
    """(``__getattr__``, ``__dir__``, ``__all__``) for ``package`` exporting ``name`` from ``package.table[name]``.

    >>> getattr_, dir_, all_ = lazy_exports("attnlimits.numerics.laws", {"kappa_value": "sphere"})
    >>> all_
    ['kappa_value']
    >>> getattr_("kappa_value").__module__
    'attnlimits.numerics.laws.sphere'
    """

    def __getattr__(name: str):
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{table[name]}"), name)

    def __dir__():
        return sorted(table)

    return __getattr__, __dir__, list(table)
