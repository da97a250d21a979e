"""Progress bars for long work (tqdm on stderr; silent when stderr is not a terminal).

Set ATTNLIMITS_PROGRESS=1 to force bars on, 0 to force them off.
"""
from __future__ import annotations

import os
import sys

__all__ = ["progress", "progress_enabled"]


def progress_enabled() -> bool:
    """Whether bars are shown: ATTNLIMITS_PROGRESS if set (``0``, ``""``, ``false``, ``no`` mean off), else
    whether stderr is a terminal.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "0"}):
    ...     progress_enabled()
    False
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "1"}):
    ...     progress_enabled()
    True
    """
    env = os.environ.get("ATTNLIMITS_PROGRESS")
    if env is not None:
        return env not in ("0", "", "false", "no")
    return sys.stderr.isatty()


def progress(iterable=None, *, desc: str = "", total=None, unit: str = "it", disable: bool = False, **kw):
    """A tqdm progress bar, or a plain pass-through when bars are off.

    It yields the items of ``iterable`` unchanged (bars, when on, go to stderr):

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ATTNLIMITS_PROGRESS": "0"}):
    ...     list(progress(range(3), desc="demo"))
    [0, 1, 2]
    >>> sum(progress(range(5), disable=True))  # disable=True wins over the environment
    10
    """
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False,
                disable=disable or not progress_enabled(), file=sys.stderr, **kw)
