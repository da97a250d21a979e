"""Files written whole or not at all.

Every writer of the package (reports, figures, the Monte Carlo sweep store) goes through :func:`atomic_path`:
the content is written to a temporary file in the destination's folder and renamed over the destination
with ``os.replace``, so a reader, or a run interrupted half-way, sees the old file or the new one and never
half of one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomically"]


@contextlib.contextmanager
def atomic_path(path, *, sync: bool = False):
    """A temporary path next to ``path``; on a clean exit it replaces ``path``, on an error it is removed.

    The file gets the ordinary permissions of a new file (``mkstemp`` would make it private). With
    ``sync=True`` the data are flushed to disk before the rename (for stores that must survive a crash).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "out.txt"
    ...     with atomic_path(target) as tmp:
    ...         _ = pathlib.Path(tmp).write_text("done")
    ...     try:
    ...         with atomic_path(target) as tmp:
    ...             _ = pathlib.Path(tmp).write_text("half")
    ...             raise KeyboardInterrupt
    ...     except KeyboardInterrupt:
    ...         pass
    ...     target.read_text(), sorted(p.name for p in pathlib.Path(folder).iterdir())
    ('done', ['out.txt'])
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        if sync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomically(path, text: str, *, sync: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_text_atomically(pathlib.Path(folder) / "a.json", "{}")
    ...     (pathlib.Path(folder) / "a.json").read_text()
    '{}'
    """
    with atomic_path(path, sync=sync) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
