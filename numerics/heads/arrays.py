"""Queries and keys of attention heads from arrays and files, and each query's logits (docs/heads_estimators.md §1).

Accepted inputs: an ``.npz`` or ``.safetensors`` file holding arrays named ``q`` and ``k`` (other arrays are
ignored), or a pair of ``.npy`` files. The format is recognised from the file's first bytes, not its name.
Shapes (layers, heads, n, d_head), (heads, n, d_head) or (n, d_head); queries and keys may differ in number
(m queries against n keys). Everything is promoted to 4-D float64.

The ``.safetensors`` reader and writer are pure numpy (the format: an 8-byte little-endian header length, a
JSON header mapping each name to its dtype, shape and byte offsets, then the raw little-endian data), so no
optional package is needed to read a model's activations.

Every bad input is refused with one line (:class:`~attnlimits.theory.validation.InputError`) before any work:
mismatched shapes or d_head, NaN or inf entries, zero-norm keys or queries, fewer keys than the estimators
need (:data:`MIN_KEYS`), a file that is not an array file, a missing ``q`` or ``k``.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> qk = qk_from_arrays(rng.standard_normal((3, 8)), rng.standard_normal((20, 8)))
>>> qk.q.shape, qk.k.shape
((1, 1, 3, 8), (1, 1, 20, 8))
>>> s = logits(qk.q[0, 0], qk.k[0, 0])
>>> s.shape, bool(np.allclose(s, qk.q[0, 0] @ qk.k[0, 0].T / np.sqrt(8)))
((3, 20), True)
"""
from __future__ import annotations

import dataclasses
import io
import json
import os
import struct

import numpy as np

from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, positive_real

__all__ = ["QK", "MIN_KEYS", "load_qk", "qk_from_arrays", "logits", "save_safetensors", "read_safetensors"]

#: The fewest keys a query may see for the estimators of the gap law: k = 10 top gaps need 11 keys
#: (docs/heads_estimators.md §4).
MIN_KEYS = 11

#: safetensors dtype names and their little-endian numpy types (BF16 is widened by hand: numpy has no bfloat16).
_ST_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "<i1", "U8": "<u1", "BOOL": "|b1"}
_ST_NAMES = {np.dtype("<f8"): "F64", np.dtype("<f4"): "F32", np.dtype("<f2"): "F16", np.dtype("<i8"): "I64",
             np.dtype("<i4"): "I32", np.dtype("<i2"): "I16", np.dtype("<i1"): "I8", np.dtype("<u1"): "U8",
             np.dtype("|b1"): "BOOL"}
_MAX_HEADER = 100_000_000  # the safetensors package's own bound on the JSON header


@dataclasses.dataclass(frozen=True)
class QK(Result):
    """Queries and keys of every head.

    ``q``       float64 array (layers, heads, m, d_head);
    ``k``       float64 array (layers, heads, n, d_head);
    ``source``  where they came from (a file name, or ``"arrays"``);
    ``names``   the array names used, ``("q", "k")`` or the two .npy file names.
    """

    q: np.ndarray
    k: np.ndarray
    source: str = "arrays"
    names: tuple = ("q", "k")

    @property
    def layers(self) -> int:
        return self.q.shape[0]

    @property
    def heads(self) -> int:
        return self.q.shape[1]

    @property
    def d_head(self) -> int:
        return self.q.shape[3]


def _as_4d(a, name: str) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except Exception as exc:  # noqa: BLE001 - ragged lists and the like
        raise InputError(f"{name} must be a numeric array, got {type(a).__name__} ({exc})") from None
    if arr.dtype.kind not in "fiub" or arr.dtype == object:
        raise InputError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim not in (2, 3, 4):
        raise InputError(f"{name} must have shape (layers, heads, n, d_head), (heads, n, d_head) or (n, d_head), "
                         f"got shape {arr.shape}")
    if 0 in arr.shape:
        raise InputError(f"{name} is empty (shape {arr.shape})")
    arr = arr.astype(np.float64, copy=False)
    while arr.ndim < 4:
        arr = arr[None]
    return arr


def _finite_nonzero(arr: np.ndarray, name: str, what: str):
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{name} has {int(bad.sum())} NaN or inf entries (first at layer {idx[0]}, head {idx[1]}, "
                         f"{what} {idx[2]}): the logits would be undefined")
    zero = ~np.any(arr != 0.0, axis=3)
    if zero.any():
        idx = tuple(int(i) for i in np.argwhere(zero)[0])
        raise InputError(f"{name} has {int(zero.sum())} zero-norm vectors (first at layer {idx[0]}, head {idx[1]}, "
                         f"{what} {idx[2]}): a zero {what} has no direction; drop padding positions first")


def qk_from_arrays(q, k, *, source: str = "arrays", names=("q", "k")) -> QK:
    """Check and promote queries ``q`` (…, m, d_head) and keys ``k`` (…, n, d_head) to a :class:`QK`.

    >>> import numpy as np
    >>> qk_from_arrays(np.ones((2, 5, 4)), np.ones((2, 30, 4))).k.shape
    (1, 2, 30, 4)
    >>> qk_from_arrays(np.ones((5, 4)), np.ones((30, 3)))
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: q and k must have the same d_head, got q shape (5, 4) and k shape (30, 3)
    """
    qa, ka = _as_4d(q, "q"), _as_4d(k, "k")
    if qa.shape[3] != ka.shape[3]:
        raise InputError(f"q and k must have the same d_head, got q shape {np.shape(q)} and k shape {np.shape(k)}")
    if qa.shape[:2] != ka.shape[:2]:
        raise InputError(f"q and k must have the same layers and heads, got q shape {np.shape(q)} and "
                         f"k shape {np.shape(k)}")
    if ka.shape[2] < MIN_KEYS:
        raise InputError(f"k holds {ka.shape[2]} keys per head: the gap-law estimators need at least {MIN_KEYS} "
                         f"(10 top gaps)")
    _finite_nonzero(qa, "q", "query")
    _finite_nonzero(ka, "k", "key")
    return QK(qa, ka, str(source), tuple(names))


def _kind(path: str) -> str:
    """The array format of a file from its first bytes: 'npz', 'npy', 'safetensors'; refuse anything else."""
    if not os.path.exists(path):
        raise InputError(f"file not found: {path}")
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory, not an array file (.npz, .npy, .safetensors)")
    with open(path, "rb") as fh:
        head = fh.read(9)
    size = os.path.getsize(path)
    if head[:4] == b"PK\x03\x04" or head[:4] == b"PK\x05\x06":
        return "npz"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    if len(head) == 9:
        (hlen,) = struct.unpack("<Q", head[:8])
        if 0 < hlen <= min(_MAX_HEADER, size - 8) and head[8:9] == b"{":
            return "safetensors"
    raise InputError(f"{path} is not an array file: expected .npz, .npy or .safetensors content")


def read_safetensors(source, names=None) -> dict:
    """The arrays of a ``.safetensors`` file (only those in ``names`` if given), read with numpy alone.

    ``source`` is a path, the file's bytes (``bytes``, ``bytearray``, ``memoryview``: the arrays are then read-only
    views of them, no copy) or a seekable binary file object (e.g. a member opened from a zip archive).

    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.safetensors")
    >>> save_safetensors(p, {"x": np.arange(6, dtype=np.float32).reshape(2, 3)})
    >>> read_safetensors(p)["x"].tolist()
    [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    >>> data = open(p, "rb").read()
    >>> read_safetensors(data)["x"].tolist() == read_safetensors(io.BytesIO(data))["x"].tolist()
    True
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        buf = memoryview(source).cast("B")
        return _read_safetensors(lambda pos, nb: buf[pos:pos + nb], buf.nbytes, "the safetensors bytes", names)
    if hasattr(source, "read"):
        if not (hasattr(source, "seek") and (not hasattr(source, "seekable") or source.seekable())):
            raise InputError("source must be a path, bytes or a seekable binary file object")
        label = str(getattr(source, "name", "the safetensors stream"))
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start

        def read_at(pos, nb):
            source.seek(start + pos)
            data = source.read(nb)
            if not isinstance(data, (bytes, bytearray)):
                raise InputError(f"{label} must be opened in binary mode")
            return data
        return _read_safetensors(read_at, size, label, names)
    path = os.fspath(source)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        def read_at(pos, nb):
            fh.seek(pos)
            return fh.read(nb)
        return _read_safetensors(read_at, size, path, names)


def _read_safetensors(read_at, size: int, path: str, names) -> dict:
    """The reader of :func:`read_safetensors` over ``read_at(offset, nbytes)`` of a source of ``size`` bytes."""
    raw = bytes(read_at(0, 8))
    if len(raw) < 8:
        raise InputError(f"{path} is not a safetensors file: shorter than its 8-byte header length")
    (hlen,) = struct.unpack("<Q", raw)
    if hlen > min(_MAX_HEADER, size - 8):
        raise InputError(f"{path} is not a safetensors file: header length {hlen} exceeds the file size")
    try:
        header = json.loads(bytes(read_at(8, hlen)).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a safetensors file: its header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise InputError(f"{path} is not a safetensors file: its header is not a JSON object")
    base, out = 8 + hlen, {}
    for name, info in header.items():
        if name == "__metadata__" or (names is not None and name not in names):
            continue
        try:
            dtype, shape, (begin, end) = info["dtype"], [int(s) for s in info["shape"]], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: the safetensors entry {name!r} lacks dtype, shape or data_offsets") from None
        if dtype not in _ST_DTYPES:
            raise InputError(f"{path}: array {name!r} has safetensors dtype {dtype}; supported: "
                             f"{', '.join(_ST_DTYPES)}")
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(_ST_DTYPES[dtype]).itemsize
        if not (0 <= begin <= end and end - begin == nbytes and base + end <= size):
            raise InputError(f"{path}: array {name!r} has data offsets {begin}..{end} inconsistent with its "
                             f"shape {shape} and dtype {dtype} or with the file size")
        arr = np.frombuffer(read_at(base + begin, nbytes), dtype=_ST_DTYPES[dtype]).reshape(shape)
        if dtype == "BF16":  # bfloat16 is the top half of a float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = arr
    return out


def save_safetensors(path: str, arrays: dict, metadata: dict | None = None) -> None:
    """Write ``arrays`` (name → numpy array) as a ``.safetensors`` file (little-endian, C order).

    Float16/32/64, integer and boolean arrays are written with their dtype; the header is padded with blanks
    to a multiple of 8 bytes, as the format allows.

    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "qk.safetensors")
    >>> save_safetensors(p, {"q": np.zeros((2, 4)) + 1, "k": np.ones((12, 4))})
    >>> load_qk(p).k.shape
    (1, 1, 12, 4)
    """
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(a): str(b) for a, b in metadata.items()}
    for name in sorted(arrays):
        a = np.asarray(arrays[name])
        dt = a.dtype.newbyteorder("<") if a.dtype.byteorder not in "|<=" else a.dtype
        dt = np.dtype(dt.str.replace("=", "<"))
        if dt not in _ST_NAMES:
            raise InputError(f"array {name!r} has dtype {a.dtype}, which safetensors does not hold here")
        blob = np.ascontiguousarray(a, dtype=dt).tobytes()
        header[str(name)] = {"dtype": _ST_NAMES[dt], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for blob in blobs:
            fh.write(blob)


def _read_npy(path: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - any failure to parse means "not an array file"
        raise InputError(f"{path} is not a readable .npy array file ({type(exc).__name__}: {exc})") from None


def load_qk(path: str | None = None, *, q_path: str | None = None, k_path: str | None = None) -> QK:
    """Queries and keys from an ``.npz`` / ``.safetensors`` file with arrays ``q`` and ``k``, or two ``.npy`` files.

    >>> import numpy as np, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> np.savez(os.path.join(d, "qk.npz"), q=np.ones((2, 3, 5, 4)), k=np.ones((2, 3, 40, 4)), other=np.zeros(3))
    >>> qk = load_qk(os.path.join(d, "qk.npz"))
    >>> qk.q.shape, qk.k.shape, qk.names
    ((2, 3, 5, 4), (2, 3, 40, 4), ('q', 'k'))
    >>> load_qk(os.path.join(d, "qk.npz"), q_path="x.npy")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: give either one .npz/.safetensors file or a pair of .npy files (q and k), not both
    """
    if path is not None and (q_path is not None or k_path is not None):
        raise InputError("give either one .npz/.safetensors file or a pair of .npy files (q and k), not both")
    if path is None:
        if q_path is None or k_path is None:
            raise InputError("give a .npz/.safetensors file with arrays q and k, or both .npy files (q and k)")
        arrays = {}
        for name, p in (("q", q_path), ("k", k_path)):
            p = os.fspath(p)
            if _kind(p) != "npy":
                raise InputError(f"{p} is not a .npy file (the {name} of a .npy pair)")
            arrays[name] = _read_npy(p)
        return qk_from_arrays(arrays["q"], arrays["k"], source=f"{q_path}, {k_path}",
                              names=(os.path.basename(str(q_path)), os.path.basename(str(k_path))))
    path = os.fspath(path)
    kind = _kind(path)
    if kind == "npy":
        raise InputError(f"{path} is a single .npy array: give q and k as a pair of .npy files, or one .npz/.safetensors "
                         f"file with arrays named q and k")
    if kind == "npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                present = set(z.files)
                missing = [n for n in ("q", "k") if n not in present]
                if missing:
                    raise InputError(f"{path} has no array named {' or '.join(missing)} (it holds: "
                                     f"{', '.join(sorted(present)) or 'nothing'})")
                arrays = {n: z[n] for n in ("q", "k")}
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupt archive or pickled objects
            raise InputError(f"{path} is not a readable .npz array file ({type(exc).__name__}: {exc})") from None
    else:
        arrays = read_safetensors(path, names=("q", "k"))
        missing = [n for n in ("q", "k") if n not in arrays]
        if missing:
            raise InputError(f"{path} has no array named {' or '.join(missing)}")
    return qk_from_arrays(arrays["q"], arrays["k"], source=path, names=("q", "k"))


def logits(q_head, k_head, scale=None, causal: bool = False) -> np.ndarray:
    """The logits s_ij = scale <q_i, k_j> of one head, (m, n), with −inf where a causal mask hides key j > i.

    ``scale`` defaults to 1/sqrt(d_head); ``causal`` needs m == n (query i sees keys 0..i).

    >>> import numpy as np
    >>> s = logits(np.eye(3), np.eye(3), scale=2, causal=True)
    >>> s.tolist()
    [[2.0, -inf, -inf], [0.0, 2.0, -inf], [0.0, 0.0, 2.0]]
    """
    q = np.asarray(q_head, dtype=np.float64)
    k = np.asarray(k_head, dtype=np.float64)
    if q.ndim != 2 or k.ndim != 2 or q.shape[1] != k.shape[1]:
        raise InputError(f"logits need q_head (m, d_head) and k_head (n, d_head) with the same d_head, got "
                         f"{q.shape} and {k.shape}")
    c = 1.0 / np.sqrt(q.shape[1]) if scale is None else float(positive_real(scale, "scale"))
    if not np.isfinite(c) or c == 0.0:
        raise InputError(f"scale must be a positive number in the double range, got {scale!r}")
    s = (q @ k.T) * c
    if causal:
        if q.shape[0] != k.shape[0]:
            raise InputError(f"causal masking needs as many queries as keys (query i sees keys 0..i), got "
                             f"{q.shape[0]} queries and {k.shape[0]} keys")
        s[np.triu_indices(q.shape[0], 1)] = -np.inf
    if not np.all(np.isfinite(s) | np.isneginf(s)) or np.isposinf(s).any():
        raise InputError("the logits overflow the double range: lower scale or rescale q and k")
    return s
