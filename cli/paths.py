"""Output folders of the command line, checked before any work starts.

Every option that names a folder the command writes into (``check --report``, ``report --out``,
``figures --out``, ``simulate --out``) goes through :func:`output_dir_arg` at parse time, so a bad destination is
refused in one line (exit 2) before a long run, not with a traceback after it. The files themselves are written
atomically (a temporary file in the same folder, then ``os.replace``) by their writers: the report
(``attnlimits.proofs_checks.report``), the figures (``attnlimits.numerics.figures.registry``) and the Monte Carlo
store (``attnlimits.numerics.montecarlo.sweep``), so an interrupted run leaves no half-written file.
"""
from __future__ import annotations

import argparse
import os
import tempfile

from attnlimits.theory.validation import InputError

__all__ = ["check_output_dir", "output_dir_arg"]

#: Pseudo file systems: nothing the package writes belongs there, and probing them can have side effects.
REFUSED_ROOTS = ("/dev", "/proc", "/sys")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def check_output_dir(path, name: str = "", *, files=(), folders=()) -> str:
    """Check that ``path`` is a folder the command can create or write into; return it (``~`` expanded).

    Refused, each with one line naming ``name`` and the path: an empty path; a path under /dev, /proc or /sys;
    a path that exists and is not a folder (or whose nearest existing ancestor is not a folder); a folder whose
    nearest existing ancestor does not accept a new file (a probe file is created there and removed at once);
    an existing folder holding a folder where one of ``files`` (the names of the files the command writes there)
    must go, or a non-folder where one of ``folders`` (its subfolders) must go.
    Nothing is created: a missing folder is made only when the first result is written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     check_output_dir(tmp + "/new/report", "--out") == tmp + "/new/report"
    True
    >>> check_output_dir("", "--out")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: --out: an empty path is not a folder; name one
    >>> check_output_dir("/dev/null/x", "--out")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: --out: '/dev/null/x' is under /dev; results go to an ordinary folder
    """
    prefix = f"{name}: " if name else ""
    text = os.fspath(path) if not isinstance(path, str) else path
    if not text.strip():
        raise InputError(f"{prefix}an empty path is not a folder; name one")
    if "\0" in text:
        raise InputError(f"{prefix}{text!r} holds a NUL character")
    expanded = os.path.expanduser(text)
    absolute = os.path.abspath(expanded)
    for candidate in (absolute, os.path.realpath(absolute)):
        for root in REFUSED_ROOTS:
            if _under(candidate, root):
                raise InputError(f"{prefix}{text!r} is under {root}; results go to an ordinary folder")
    ancestor = absolute
    while not os.path.lexists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        if ancestor == absolute:
            raise InputError(f"{prefix}{text!r} exists and is not a folder; name a new or existing folder")
        raise InputError(f"{prefix}{text!r} cannot be made: {ancestor!r} is a file, not a folder")
    if ancestor == absolute:
        for entry in files:
            target = os.path.join(absolute, entry)
            if os.path.isdir(target):
                raise InputError(f"{prefix}{target!r} is a folder; the command writes a file of that name")
        for entry in folders:
            target = os.path.join(absolute, entry)
            if os.path.lexists(target) and not os.path.isdir(target):
                raise InputError(f"{prefix}{target!r} is not a folder; the command writes a folder of that name")
    try:
        fd, probe = tempfile.mkstemp(prefix=".attnlimits-probe-", dir=ancestor)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"{prefix}cannot write in {ancestor!r} ({exc.strerror or exc}); "
                         "name a folder you can write to") from None
    return expanded


def output_dir_arg(*, files=(), folders=()):
    """An argparse ``type`` running :func:`check_output_dir` at parse time (argparse names the option).

    Give the option ``default=None`` and check the default with :func:`check_output_dir` when it is used:
    argparse would convert a string default at every parse, even for ``--list``.

    >>> import tempfile
    >>> p = argparse.ArgumentParser(prog="demo")
    >>> _ = p.add_argument("--out", type=output_dir_arg(), default=None)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p.parse_args(["--out", tmp]).out == tmp, p.parse_args([]).out
    (True, None)
    """

    def folder(s):
        try:
            return check_output_dir(s, files=files, folders=folders)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return folder
