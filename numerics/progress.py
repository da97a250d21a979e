"""Progress of long work on stderr: a tqdm bar on a terminal, plain lines elsewhere (pipes, CI logs).

Inner loops show a bar on a terminal and nothing elsewhere. The long top-level loops (the claims of
``check``/``report``, the figures) ask for ``lines=True``: without a terminal they print one line per finished
item (count, item, elapsed seconds), so a ten-minute run in CI is not silent.

Set ATTNLIMITS_PROGRESS=1 to force bars on, 0 to turn bars and lines off.
"""
from __future__ import annotations

import os
import sys
import time

__all__ = ["progress", "progress_enabled", "progress_mode"]


def progress_mode() -> str:
    """``"bar"``, ``"lines"`` or ``"off"``: ATTNLIMITS_PROGRESS if set (``0``, ``""``, ``false``, ``no`` mean off,
    anything else bars), else bars when stderr is a terminal and lines when it is not.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "0"}):
    ...     progress_mode()
    'off'
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "1"}):
    ...     progress_mode()
    'bar'
    """
    env = os.environ.get("ATTNLIMITS_PROGRESS")
    if env is not None:
        return "off" if env.strip().lower() in ("0", "", "false", "no") else "bar"
    return "bar" if sys.stderr.isatty() else "lines"


def progress_enabled() -> bool:
    """Whether bars are shown (:func:`progress_mode` is ``"bar"``).

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "0"}):
    ...     progress_enabled()
    False
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "1"}):
    ...     progress_enabled()
    True
    """
    return progress_mode() == "bar"


class _Lines:
    """One stderr line per finished item; ``set_postfix_str`` names the item (tqdm's method, so callers need
    not know which kind they hold)."""

    def __init__(self, iterable, desc: str, total, stream):
        self.iterable = iterable
        self.desc = desc
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.postfix = ""
        self.stream = stream

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = str(s)

    def __len__(self):
        return self.total

    def __iter__(self):
        t0 = time.perf_counter()
        for k, item in enumerate(self.iterable, 1):
            self.postfix = ""
            yield item  # the caller's work on item runs here: the line below reports it finished
            count = f"{k}/{self.total}" if self.total is not None else f"{k}"
            what = f" {self.postfix}" if self.postfix else ""
            print(f"{self.desc} {count}:{what} done, {time.perf_counter() - t0:.1f} s elapsed",
                  file=self.stream, flush=True)


def progress(iterable=None, *, desc: str = "", total=None, unit: str = "it", disable: bool = False,
             lines: bool = False, **kw):
    """A tqdm progress bar on a terminal; with ``lines`` and no terminal, one line per finished item; else a
    plain pass-through.

    It yields the items of ``iterable`` unchanged (bars and lines go to stderr):

    >>> import os, sys
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "0"}):
    ...     list(progress(range(3), desc="demo"))
    [0, 1, 2]
    >>> sum(progress(range(5), disable=True))  # disable=True wins over the environment
    10
    >>> with mock.patch.dict(os.environ, clear=False) as env, mock.patch("sys.stderr", sys.stdout):
    ...     _ = env.pop("ATTNLIMITS_PROGRESS", None)
    ...     bar = progress(["a", "b"], desc="claims", lines=True)
    ...     for x in bar:
    ...         bar.set_postfix_str(x)
    claims 1/2: a done, ... s elapsed
    claims 2/2: b done, ... s elapsed
    """
    from tqdm.auto import tqdm

    mode = "off" if disable else progress_mode()
    if mode == "lines" and lines:
        return _Lines(iterable, desc or "progress", total, sys.stderr)
    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False,
                disable=mode != "bar", file=sys.stderr, **kw)
