"""Shared pieces of the command line: argument types, output, and the one-line error rule.

Every subcommand module ``cmd_<name>.py`` defines ``register(subparsers)``, which adds its parser
and sets ``func`` (a callable taking the parsed namespace and returning an exit status). Bad
input anywhere raises :class:`~attnlimits.theory.validation.InputError` (a ``ValueError``); ``main``
turns it into one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import sys

from attnlimits.theory import validation as v

__all__ = ["OneLineParser", "UsageError", "add_digits", "add_json", "emit",
           "int_arg", "real_arg", "positive_arg", "dimension_arg"]


class UsageError(Exception):
    """Raised instead of argparse's multi-line usage dump."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line (and exit status 2, raised by main)."""

    def error(self, message):  # noqa: D401 - argparse API
        raise UsageError(f"{self.prog}: {message}")


# Argument types keep the user's text, so numbers are parsed later at the working precision.
# Scientific notation is accepted everywhere (--n 1e12, --beta 1e8).

def _named(f, name):
    """An argparse type that reports the validator's own words ("beta must be > 0, got 0")."""

    def typed(s):
        try:
            return f(s)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    typed.__name__ = name
    return typed


def int_arg(name: str, low=None):
    return _named(lambda s: v.integer(s, name, low=low), "integer")


def real_arg(name: str):
    return _named(lambda s: v.real(s, name), "number")


def positive_arg(name: str):
    return _named(lambda s: v.positive_real(s, name), "positive number")


dimension_arg = _named(lambda s: v.dimension(s, "d"), "dimension")


def add_digits(p, default: int = 20):
    p.add_argument("--digits", type=int_arg("digits", low=None), default=default,
                   help=f"significant decimal digits to deliver (default {default})")


def add_json(p):
    p.add_argument("--json", action="store_true", help="print a JSON object (numbers as decimal strings)")


def emit(result: dict, as_json: bool, *, title: str | None = None, stream=None) -> None:
    """Print a result: JSON, or an aligned 'key  value' listing for people."""
    stream = stream or sys.stdout
    if as_json:
        json.dump(result, stream, indent=2)
        stream.write("\n")
        return
    if title:
        stream.write(title + "\n")
    width = max((len(k) for k in result), default=0)
    for k, val in result.items():
        if isinstance(val, (list, tuple)):
            val = ", ".join(map(str, val))
        elif isinstance(val, dict):
            val = ", ".join(f"{a}={b}" for a, b in val.items())
        stream.write(f"  {k.ljust(width)}  {val}\n")
