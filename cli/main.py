"""Entry point of the ``attnlimits`` command."""
from __future__ import annotations

import importlib
import pkgutil
import sys

from attnlimits.cli.common import OneLineParser, UsageError

__all__ = ["main", "build_parser"]


def build_parser() -> OneLineParser:
    import attnlimits.cli as pkg

    parser = OneLineParser(
        prog="attnlimits",
        description="Verify the long-context scaling limits of softmax attention: regimes, limit laws, "
                    "constants and the claims of arXiv 2605.08505 and 2510.05554.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("cmd_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}").register(sub)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        status = args.func(args)
        return int(status or 0)
    except (UsageError, ValueError) as exc:
        msg = " ".join(str(exc).split()) or type(exc).__name__
        if not msg.startswith("attnlimits"):
            msg = f"attnlimits: error: {msg}"
        print(msg, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("attnlimits: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
