"""Running log-sum-exp statistics of softmax weights, fed chunk by chunk (memory independent of n).

With logits l_i = -beta D_i and the running maximum M, the accumulator keeps

    S  = sum_i e^{l_i - M},   S2 = sum_i e^{2(l_i - M)},   A = sum_i e^{l_i - M} (l_i - M),
    SD = sum_i e^{l_i - M} D_i,

and the k largest logits. When M grows to M', every sum is multiplied by f = e^{M - M'} (f^2 for S2)
and A picks up (M - M') S: A' = f (A + (M - M') S). At the end, with w_i = e^{l_i - M}/S,

    sum w^2 = S2/S^2,   entropy -sum w log w = log S - A/S,   sum w D = SD/S,   top weights e^{l - M}/S.

Writing the entropy through the shifted logits l_i - M (not beta X_i - log Z) keeps it accurate when
beta is large and the weights are concentrated.
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.numerics.montecarlo.arguments import float_array, whole
from attnlimits.theory.validation import InputError

__all__ = ["SoftmaxAccumulator"]


class SoftmaxAccumulator:
    """Running softmax statistics; ``add`` returns the chunk's unnormalized weights e^{l - M}.

    Three logits in two chunks against the softmax written out:

    >>> acc = SoftmaxAccumulator(k=2)
    >>> _ = acc.add(np.array([1.0]), np.array([0.5]))
    >>> _ = acc.add(np.array([2.0, 3.0]), np.array([0.3, 0.1]))
    >>> out = acc.finish()
    >>> w = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    >>> [bool(np.allclose(out[key], ref, rtol=1e-15)) for key, ref in (("top", [w[2], w[1]]), ("sum_w2", w @ w),
    ...                                                    ("entropy", -(w @ np.log(w))), ("gap", w @ [0.5, 0.3, 0.1]))]
    [True, True, True, True]
    """

    def __init__(self, k: int, *, inplace: bool = False):
        # inplace: ``add`` may overwrite the logits array it is given (the caller's scratch buffer)
        self.inplace = bool(inplace)
        self.k = whole(k, "k")
        self.M = -math.inf
        self.S = 0.0
        self.S2 = 0.0
        self.A = 0.0
        self.SD = 0.0
        self.top = np.empty(0)

    def add(self, logits: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, float]:
        """Add a chunk of logits (and their distances D); return (e^{l - M}, rescale factor f).

        ``f`` is the factor by which any vector state the caller keeps alongside must be multiplied
        (the running maximum may have moved).
        """
        if not (isinstance(logits, np.ndarray) and logits.dtype == np.float64 and logits.ndim == 1):
            logits = float_array(logits, "logits")
        if not (isinstance(D, np.ndarray) and D.dtype == np.float64):
            D = float_array(D, "D", low=0.0)
        if D.shape != logits.shape:
            raise InputError(f"D must have the shape of logits, {logits.shape}; got {D.shape}")
        f = 1.0
        if logits.size == 0:
            return np.empty(0), f
        mc = float(logits.max())
        # checked here, once per chunk, with the reductions the sums need anyway: a nan logit makes mc nan,
        # -inf one makes the sum A nan (0 * -inf), and D is checked by its least element and its sum SD below
        if not math.isfinite(mc) or not float(np.minimum.reduce(D, axis=None)) >= 0.0:
            raise InputError("logits must be finite and D finite and >= 0")
        saved = (self.M, self.S, self.S2, self.A, self.SD, self.top)
        if mc > self.M:
            if self.S > 0.0:
                f = math.exp(self.M - mc)
                self.A = f * (self.A + (self.M - mc) * self.S)
                self.S *= f
                self.S2 *= f * f
                self.SD *= f
            self.M = mc
        # the top-k candidates are taken before ``logits`` is overwritten below
        if logits.size <= 4 * self.k:
            cand = logits
        elif self.top.size >= self.k:
            cand = logits[logits > self.top.min()]  # only these can enter the top k
        else:
            # first chunk: the k-th largest of a prefix bounds the chunk's k-th largest from below
            head = logits[: max(4 * self.k, 256)]
            t0 = np.partition(head, head.size - self.k)[head.size - self.k]
            cand = logits[logits >= t0]
        kk = min(self.k, cand.size)
        part = cand.copy() if cand.size <= kk else np.partition(cand, cand.size - kk)[cand.size - kk:]
        shifted = np.subtract(logits, self.M, out=logits if self.inplace else None)
        e = np.exp(shifted)
        self.S += float(e.sum())
        # einsum's own sum-of-products loop: no temporary array, and no BLAS threads (np.dot's BLAS
        # threads stall badly on a busy machine)
        self.S2 += float(np.einsum("i,i->", e, e))
        self.A += float(np.einsum("i,i->", e, shifted))
        self.SD += float(np.einsum("i,i->", e, D))
        if not math.isfinite(self.A + self.SD):
            self.M, self.S, self.S2, self.A, self.SD, self.top = saved
            raise InputError("logits must be finite and D finite and >= 0")
        both = np.concatenate([self.top, part])
        if both.size > self.k:
            both = np.partition(both, both.size - self.k)[both.size - self.k:]
        self.top = both
        return e, f

    def finish(self) -> dict:
        """Top weights ``top`` (padded with zeros to k), ``sum_w2``, ``entropy`` and ``gap`` = sum w D: the
        weight statistics of a :class:`~attnlimits.numerics.montecarlo.replicate.Replicate`, as its keyword
        arguments."""
        if self.S == 0.0:
            raise InputError("no logits were added: the softmax of an empty set is undefined")
        top = np.zeros(self.k)
        t = np.sort(self.top)[::-1]
        top[: t.size] = np.exp(t - self.M) / self.S
        return {
            "top": top,
            "sum_w2": self.S2 / (self.S * self.S),
            "entropy": math.log(self.S) - self.A / self.S,  # both terms >= 0: S >= 1, A <= 0
            "gap": self.SD / self.S,
        }
