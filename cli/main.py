"""Entry point of the ``attnlimits`` command."""
from __future__ import annotations

import importlib
import os
import pkgutil
import signal
import sys
import threading

from attnlimits.cli.common import OneLineParser, UsageError

__all__ = ["main", "build_parser", "version"]


def version() -> str:
    """The installed distribution's version (``attnlimits --version`` prints ``attnlimits <version>``).

    >>> import importlib.metadata as md
    >>> version() == md.version("attnlimits")
    True
    """
    import importlib.metadata as md

    try:
        return md.version("attnlimits")
    except md.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> OneLineParser:
    import attnlimits.cli as pkg

    parser = OneLineParser(
        prog="attnlimits",
        description="Verify the long-context scaling limits of softmax attention: regimes, limit laws, "
                    "constants and the claims of arXiv 2605.08505 and 2510.05554.",
    )
    parser.add_argument("--version", action="version", version=f"attnlimits {version()}",
                        help="print the installed version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("cmd_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}").register(sub)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a CI time-out, ``kill``) turned into an interruption, so a long run stops like Ctrl-C does:
    the subcommand keeps what it finished and main prints one line."""


def _on_sigterm(main_pid):
    def handler(signum, frame):
        if os.getpid() != main_pid:  # a forked worker: die as SIGTERM would have made it
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise _Terminated("terminated")

    return handler


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _on_sigterm(os.getpid())) if in_main_thread else None
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
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        detail = " ".join(str(exc).split())
        print(f"attnlimits: {what}" + (f"; {detail}" if detail and detail != what else ""), file=sys.stderr)
        return 143 if isinstance(exc, _Terminated) else 130
    except BrokenPipeError:
        return 0
    finally:
        if in_main_thread and old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
