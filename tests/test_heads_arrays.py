"""Reading queries and keys (numerics/heads/arrays.py, docs/heads_estimators.md §1): formats, shapes, the pure-numpy
safetensors reader/writer against the `safetensors` package (when installed), logits and causal masks, and every
refusal (exception type, message words, time)."""
from __future__ import annotations

import json
import os
import struct
import time

import numpy as np
import pytest

from attnlimits.numerics.heads.arrays import (MIN_KEYS, load_qk, logits, qk_from_arrays, read_safetensors,
                                              save_safetensors)
from attnlimits.theory.validation import InputError

RNG = np.random.default_rng(20240)


def _qk(L=2, H=3, m=5, n=40, dh=8):
    return RNG.standard_normal((L, H, m, dh)), RNG.standard_normal((L, H, n, dh))


def _refused(fn, *words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        fn()
    elapsed = time.perf_counter() - t0
    msg = str(exc.value)
    assert "\n" not in msg and msg
    for w in words:
        assert w in msg, (w, msg)
    assert elapsed < 10, elapsed
    return msg


# ------------------------------------------------------------------------------------------------ formats

def test_npz_with_other_arrays(tmp_path):
    q, k = _qk()
    p = tmp_path / "heads.npz"
    np.savez(p, q=q, k=k, attention_mask=np.ones(7), tokens=np.arange(40))
    qk = load_qk(str(p))
    assert np.array_equal(qk.q, q) and np.array_equal(qk.k, k)
    assert qk.q.dtype == np.float64 and qk.names == ("q", "k") and qk.source == str(p)
    assert (qk.layers, qk.heads, qk.d_head) == (2, 3, 8)


def test_npy_pair_and_shape_promotion(tmp_path):
    q, k = RNG.standard_normal((3, 6, 4)).astype(np.float32), RNG.standard_normal((3, 25, 4)).astype(np.float32)
    np.save(tmp_path / "q.npy", q)
    np.save(tmp_path / "k.npy", k)
    qk = load_qk(q_path=str(tmp_path / "q.npy"), k_path=str(tmp_path / "k.npy"))
    assert qk.q.shape == (1, 3, 6, 4) and qk.k.shape == (1, 3, 25, 4)
    assert np.array_equal(qk.q[0], q.astype(np.float64))
    assert qk_from_arrays(q[0], k[0]).q.shape == (1, 1, 6, 4)


def test_format_is_read_from_content_not_name(tmp_path):
    q, k = _qk(1, 1)
    p = tmp_path / "activations.bin"
    save_safetensors(str(p), {"q": q, "k": k})
    assert np.array_equal(load_qk(str(p)).k, k)
    p2 = tmp_path / "activations.dat"
    with open(p2, "wb") as fh:
        np.savez(fh, q=q, k=k)
    assert np.array_equal(load_qk(str(p2)).q, q)


def test_safetensors_round_trip_all_float_dtypes(tmp_path):
    arrays = {"q": RNG.standard_normal((2, 3, 5, 4)), "k": RNG.standard_normal((2, 3, 30, 4)).astype(np.float32),
              "h": RNG.standard_normal((7,)).astype(np.float16), "ids": np.arange(5, dtype=np.int64)}
    p = str(tmp_path / "a.safetensors")
    save_safetensors(p, arrays, metadata={"format": "np"})
    back = read_safetensors(p)
    for name, a in arrays.items():
        assert back[name].dtype == a.dtype and np.array_equal(back[name], a), name
    with open(p, "rb") as fh:  # the header is padded to 8 bytes, as the format allows
        (hlen,) = struct.unpack("<Q", fh.read(8))
    assert hlen % 8 == 0


def test_bf16_by_hand(tmp_path):
    # bfloat16 is the top 16 bits of a float32: values with 8-bit mantissas are exact; the reference is the float32
    # bit pattern shifted by hand, independent of the reader
    vals = np.array([1.5, -2.0, 0.15625, 3.0e38, -1.0e-30], dtype=np.float32)
    bits = (vals.view(np.uint32) >> 16).astype("<u2")
    header = json.dumps({"q": {"dtype": "BF16", "shape": [5, 1], "data_offsets": [0, 10]},
                         "k": {"dtype": "F64", "shape": [12, 1], "data_offsets": [10, 106]}}).encode()
    p = tmp_path / "bf.safetensors"
    with open(p, "wb") as fh:
        fh.write(struct.pack("<Q", len(header)) + header + bits.tobytes() + np.arange(1.0, 13.0).astype("<f8").tobytes())
    got = read_safetensors(str(p))
    want = (bits.astype(np.uint32) << 16).view(np.float32)
    assert np.array_equal(got["q"].ravel(), want)
    assert np.array_equal(got["q"].ravel()[:3], vals[:3])
    assert load_qk(str(p)).k.shape == (1, 1, 12, 1)


def test_against_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy", reason="the safetensors package is optional (pip install safetensors)")
    arrays = {"q": RNG.standard_normal((2, 2, 3, 4)), "k": RNG.standard_normal((2, 2, 20, 4)).astype(np.float32),
              "half": RNG.standard_normal((3, 3)).astype(np.float16)}
    mine = str(tmp_path / "mine.safetensors")
    save_safetensors(mine, arrays)
    theirs_read = st.load_file(mine)
    for name, a in arrays.items():
        assert theirs_read[name].dtype == a.dtype and np.array_equal(theirs_read[name], a), name
    theirs = str(tmp_path / "theirs.safetensors")
    st.save_file(arrays, theirs, metadata={"source": "test"})
    back = read_safetensors(theirs)
    for name, a in arrays.items():
        assert back[name].dtype == a.dtype and np.array_equal(back[name], a), name
    qk = load_qk(theirs)
    assert np.array_equal(qk.k, arrays["k"].astype(np.float64))


# ------------------------------------------------------------------------------------------------ logits

def test_logits_scale_and_causal_mask():
    q, k = RNG.standard_normal((6, 16)), RNG.standard_normal((6, 16))
    s = logits(q, k)
    ref = np.array([[sum(q[i, t] * k[j, t] for t in range(16)) / 4.0 for j in range(6)] for i in range(6)])
    assert np.allclose(s, ref, rtol=1e-13, atol=1e-14)
    c = logits(q, k, scale="0.5", causal=True)
    for i in range(6):
        for j in range(6):
            assert (c[i, j] == -np.inf) == (j > i)
            if j <= i:
                assert abs(c[i, j] - 2 * ref[i, j]) < 1e-12
    assert logits(q[:2], k).shape == (2, 6)


# ------------------------------------------------------------------------------------------------ refusals

def test_refuse_mismatched_shapes():
    q, k = _qk()
    _refused(lambda: qk_from_arrays(q[..., :7], k), "same d_head")
    _refused(lambda: qk_from_arrays(q[:, :2], k), "same layers and heads")
    _refused(lambda: qk_from_arrays(q[0, 0, 0], k), "shape")
    _refused(lambda: qk_from_arrays(np.zeros((1, 1, 1, 2, 3)), k), "shape")
    _refused(lambda: qk_from_arrays(np.zeros((0, 8)), k[0, 0]), "empty")
    _refused(lambda: qk_from_arrays(q.astype(complex), k), "real numeric")
    _refused(lambda: logits(q[0, 0], k[0, 0, :, :7]), "same d_head")
    _refused(lambda: logits(q[0, 0], k[0, 0], causal=True), "causal", "as many queries as keys")
    _refused(lambda: logits(q[0, 0], k[0, 0], scale=0), "scale")
    _refused(lambda: logits(q[0, 0], k[0, 0], scale="nan"), "scale")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_refuse_nan_inf(bad):
    q, k = _qk()
    k[1, 2, 7, 3] = bad
    _refused(lambda: qk_from_arrays(q, k), "k has 1 NaN or inf", "layer 1, head 2, key 7")
    q2 = q.copy()
    q2[0, 1, 4, 0] = bad
    _refused(lambda: qk_from_arrays(q2, _qk()[1]), "q has 1 NaN or inf", "query 4")


def test_refuse_zero_norm():
    q, k = _qk()
    k[0, 1, 3] = 0.0
    _refused(lambda: qk_from_arrays(q, k), "zero-norm", "key 3")
    q[1, 0, 2] = 0.0
    _refused(lambda: qk_from_arrays(q, _qk()[1]), "zero-norm", "query 2")


def test_refuse_too_few_keys():
    q, k = _qk(n=MIN_KEYS - 1)
    _refused(lambda: qk_from_arrays(q, k), f"at least {MIN_KEYS}", "keys")


def test_refuse_not_an_array_file(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("these are not arrays\n" * 10)
    _refused(lambda: load_qk(str(text)), "not an array file")
    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(b"")
    _refused(lambda: load_qk(str(empty)), "not an array file")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(struct.pack("<Q", 10**6) + b"{" + b"x" * 50)  # a header longer than the file
    _refused(lambda: load_qk(str(junk)), "not an array file")
    badjson = tmp_path / "badjson.safetensors"
    badjson.write_bytes(struct.pack("<Q", 8) + b"{notjson" + b"\0" * 8)
    _refused(lambda: load_qk(str(badjson)), "not a safetensors file", "JSON")
    _refused(lambda: load_qk(str(tmp_path / "missing.npz")), "file not found")
    _refused(lambda: load_qk(str(tmp_path)), "directory")
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04" + os.urandom(200))
    _refused(lambda: load_qk(str(corrupt)), "not a readable .npz")


def test_refuse_pickled_objects(tmp_path):
    p = tmp_path / "obj.npy"
    with open(p, "wb") as fh:
        np.save(fh, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    q = tmp_path / "q.npy"
    np.save(q, RNG.standard_normal((3, 4)))
    _refused(lambda: load_qk(q_path=str(q), k_path=str(p)), "not a readable .npy")


def test_refuse_missing_q_or_k(tmp_path):
    q, k = _qk()
    p = tmp_path / "onlyq.npz"
    np.savez(p, q=q, keys=k)
    _refused(lambda: load_qk(str(p)), "no array named k", "keys")
    st = tmp_path / "onlyk.safetensors"
    save_safetensors(str(st), {"k": k})
    _refused(lambda: load_qk(str(st)), "no array named q")
    np.save(tmp_path / "one.npy", q)
    _refused(lambda: load_qk(str(tmp_path / "one.npy")), "single .npy")
    _refused(lambda: load_qk(q_path=str(tmp_path / "one.npy")), "both .npy files")
    _refused(lambda: load_qk(q_path=str(p), k_path=str(tmp_path / "one.npy")), "is not a .npy file")


def test_refuse_unsupported_safetensors_dtype(tmp_path):
    header = json.dumps({"q": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}).encode()
    p = tmp_path / "f8.safetensors"
    p.write_bytes(struct.pack("<Q", len(header)) + header + b"\0\0")
    _refused(lambda: load_qk(str(p)), "F8_E4M3", "supported")
    header = json.dumps({"q": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
    p2 = tmp_path / "short.safetensors"
    p2.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 8)
    _refused(lambda: load_qk(str(p2)), "inconsistent")


def test_read_safetensors_from_bytes_and_file_objects(tmp_path):
    """The reader takes the file's bytes (no temporary file: numerics/heads/minilm.py reads the weights from the
    zip in memory) or a seekable binary file object; the arrays equal those read from the path."""
    import io

    p = tmp_path / "a.safetensors"
    arrays = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "y": np.array([1.5, -2.0])}
    save_safetensors(str(p), arrays)
    data = p.read_bytes()
    for source in (data, bytearray(data), memoryview(data), io.BytesIO(data), open(p, "rb")):
        got = read_safetensors(source)
        assert set(got) == {"x", "y"}
        assert np.array_equal(got["x"], arrays["x"]) and np.array_equal(got["y"], arrays["y"])
        if hasattr(source, "close"):
            source.close()
    assert list(read_safetensors(data, names=("y",))) == ["y"]
    _refused(lambda: read_safetensors(data[:5]), "not a safetensors file")
    _refused(lambda: read_safetensors(data[:-4]), "inconsistent")
    with open(p, "r", encoding="latin-1") as text:
        _refused(lambda: read_safetensors(text), "binary")
