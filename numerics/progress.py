"""Progress bars for long work (tqdm on stderr; silent when stderr is not a terminal).

Set ATTNLIMITS_PROGRESS=1 to force bars on, 0 to force them off.
"""
from __future__ import annotations

import os
import sys

__all__ = ["progress", "progress_enabled"]


def progress_enabled() -> bool:
    env = os.environ.get("ATTNLIMITS_PROGRESS")
    if env is not None:
        return env not in ("0", "", "false", "no")
    return sys.stderr.isatty()


def progress(iterable=None, *, desc: str = "", total=None, unit: str = "it", disable: bool = False, **kw):
    """A tqdm progress bar, or a plain pass-through when bars are off."""
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False,
                disable=disable or not progress_enabled(), file=sys.stderr, **kw)
