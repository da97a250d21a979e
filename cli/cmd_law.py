"""``attnlimits law REGIME``: the limiting laws, one module ``cli/law/<regime>.py`` per regime."""
from __future__ import annotations

import importlib
import pkgutil

from attnlimits.cli.common import OneLineParser


def register(sub):
    import attnlimits.cli.law as pkg

    p = sub.add_parser("law", help="limiting laws of attention in each regime",
                       description="Evaluate the limiting laws of the attention weights and output.")
    laws = p.add_subparsers(dest="law", metavar="REGIME", parser_class=OneLineParser)
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}").register(laws)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
