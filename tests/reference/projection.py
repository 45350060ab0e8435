"""Slow twins of the projection kernels (``_core.project_paths``, ``_core.block_normals``):
plain Python and NumPy, nothing from multipolar.

``ZigguratNormals`` is the normal generator of ``csrc/random.h`` written out from its
published description, the 256-layer ziggurat of Marsaglia & Tsang (2000, "The ziggurat
method for generating random variables", J. Stat. Softw. 5(8)) with Marsaglia's (1964)
tail. It reads raw 64-bit words from a ``numpy.random.PCG64`` (``random_raw``), exactly as
the C code reads ``next_uint64``; a uniform is ``(word >> 11) * 2**-53``, which is what a
PCG64's ``next_double`` is. One word per candidate:

* bits 0-7: the layer ``i``; bit 8: the sign; bits 11-63: a 53-bit uniform ``u``;
* ``x = u * X[i]``; accept if ``x < X[i + 1]`` (inside the layer's rectangle core);
* layer 0 beyond ``R``: the tail, ``a = -ln(1 - U1) / R``, ``b = -ln(1 - U2)`` until
  ``2 b > a**2``, giving ``R + a``;
* otherwise accept if ``F[i + 1] + U (F[i] - F[i + 1]) < exp(-x**2 / 2)`` (the wedge),
  else draw a new word.

The tables: ``X[1] = R``, ``F[i] = exp(-X[i]**2 / 2)``, ``X[0] = V / F[1]`` (the base
strip of area V), ``X[i + 1] = sqrt(-2 ln(V / X[i] + F[i]))``, ``X[256] = 0``; R and V are
Marsaglia & Tsang's constants for 256 layers.

``project_paths`` is the whole projection kernel in plain NumPy on those normals;
``block_normals_moments`` checks any normal sample by its first two moments.
"""

from __future__ import annotations

import math

import numpy as np

R = 3.6541528853610088
V = 0.00492867323399
_U53 = 1.0 / 9007199254740992.0  # 2**-53


def ziggurat_tables() -> tuple[list[float], list[float]]:
    """Layer edges X[0..256] and the density F[0..256] at them."""
    x = [0.0] * 257
    f = [0.0] * 257
    x[1] = R
    f[1] = math.exp(-0.5 * R * R)
    x[0] = V / f[1]
    f[0] = 1.0  # unused: layer 0 goes to the tail
    for i in range(1, 255):
        x[i + 1] = math.sqrt(-2.0 * math.log(V / x[i] + f[i]))
        f[i + 1] = math.exp(-0.5 * x[i + 1] * x[i + 1])
    x[256] = 0.0
    f[256] = 1.0
    return x, f


class ZigguratNormals:
    """Standard normals from the raw words of a PCG64, one at a time."""

    def __init__(self, bitgen: np.random.PCG64, chunk: int = 4096) -> None:
        self._bitgen = bitgen
        self._chunk = chunk
        self._words: list[int] = []
        self._pos = 0
        self.words_used = 0
        self._x, self._f = ziggurat_tables()

    def _word(self) -> int:
        if self._pos == len(self._words):
            # reading ahead is harmless: this generator is the twin's own
            self._words = [int(w) for w in self._bitgen.random_raw(self._chunk)]
            self._pos = 0
        w = self._words[self._pos]
        self._pos += 1
        self.words_used += 1
        return w

    def _uniform(self) -> float:
        return (self._word() >> 11) * _U53

    def normal(self) -> float:
        X, F = self._x, self._f
        while True:
            r = self._word()
            i = r & 0xFF
            neg = (r >> 8) & 1
            x = (r >> 11) * _U53 * X[i]
            if x < X[i + 1]:
                return -x if neg else x
            if i == 0:
                while True:
                    a = -math.log(1.0 - self._uniform()) / R
                    b = -math.log(1.0 - self._uniform())
                    if b + b > a * a:
                        break
                return -(R + a) if neg else R + a
            if F[i + 1] + self._uniform() * (F[i] - F[i + 1]) < math.exp(-0.5 * x * x):
                return -x if neg else x

    def normals(self, n: int) -> np.ndarray:
        return np.array([self.normal() for _ in range(n)], dtype=np.float64)


def normals_from_words(words: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """The first n normals drawn from a given sequence of raw words, and the words used."""

    class _Words:
        def __init__(self) -> None:
            self.pos = 0

        def random_raw(self, size: int) -> np.ndarray:
            out = words[self.pos:self.pos + size]
            self.pos += size
            if len(out) == 0:
                raise IndexError("normals_from_words: ran out of words")
            return out

    z = ZigguratNormals(_Words(), chunk=256)  # type: ignore[arg-type]
    return z.normals(n), z.words_used


def block_normals(seed_sequence: np.random.SeedSequence, n: int) -> np.ndarray:
    """The first n normals of the stream PCG64(seed_sequence)."""
    return ZigguratNormals(np.random.PCG64(seed_sequence)).normals(n)


def project_paths(children, sizes, log0, drift, factor, na, pairs, threshold, unipolar, bins,
                  drift_factor=None):
    """The projection kernel in plain NumPy.

    ``children`` are the blocks' SeedSequences; within a block the normals are consumed
    first, with ``drift_factor`` D, as one draw u_p per path (path, state order) that adds
    ``D u_p`` to the path's drift in every year, then in the order year, path, state. Returns the path values, the label, pole, overtaking
    and first-overtaking counts, the share histograms, the mean shares and the CON values.
    """
    H, n = drift.shape
    vals, labels, poles, over, first = [], np.zeros((H, 3), int), np.zeros((H, na), int), [], []
    shares_all, con_all = [], []
    for child, B in zip(children, sizes):
        nd = 0 if drift_factor is None else int(B) * n
        allz = block_normals(child, nd + H * int(B) * n)
        z = allz[nd:].reshape(H, int(B), n)
        steps = drift[:, None, :] + z @ factor.T
        if drift_factor is not None:
            steps = steps + (allz[:nd].reshape(int(B), n) @ np.asarray(drift_factor).T)[None]
        logv = log0 + np.cumsum(steps, axis=0)  # (H, B, n)
        vals.append(np.exp(logv).transpose(1, 0, 2))
        la = logv[:, :, :na]
        e = np.exp(la - la.max(axis=2, keepdims=True))
        s = e / e.sum(axis=2, keepdims=True)
        shares_all.append(s)
        hhi = (s * s).sum(axis=2)
        if na >= 2:
            r = (hhi - 1 / na) / (1 - 1 / na)
            con_all.append(np.sqrt(np.clip(r, 0, None)))
        lead = s.argmax(axis=2)
        is_pole = (s >= threshold) | (np.arange(na) == lead[:, :, None])
        npoles = is_pole.sum(axis=2)
        top = s.max(axis=2)
        uni = (npoles <= 1) | ((top >= unipolar) if unipolar is not None else False)
        lab = np.where(uni, 0, np.where(npoles == 2, 1, 2))
        for k in range(3):
            labels[:, k] += (lab == k).sum(axis=1)
        poles += is_pole.sum(axis=1)
        ov = np.stack([logv[:, :, a] > logv[:, :, b] for a, b in pairs], axis=0)  # (P, H, B)
        over.append(ov.sum(axis=2))
        fy = np.where(ov.any(axis=1), ov.argmax(axis=1), H)  # (P, B)
        first.append(np.stack([np.bincount(f, minlength=H + 1) for f in fy]))
    sh = np.concatenate(shares_all, axis=1)
    share_hist = np.zeros((H, na, bins), int)
    for t in range(H):
        for i in range(na):
            idx = np.minimum((sh[t, :, i] * bins).astype(np.int64), bins - 1)
            share_hist[t, i] = np.bincount(idx, minlength=bins)
    return {
        "values": np.concatenate(vals, axis=0),
        "labels": labels,
        "poles": poles,
        "over": sum(over),
        "first": sum(first),
        "share_hist": share_hist,
        "mean_share": sh.mean(axis=1),
        "con": np.concatenate(con_all, axis=1) if con_all else None,
    }


def block_normals_moments(x) -> tuple[float, float]:
    """Mean and standard deviation of draws, plain Python (a N(0, 1) sample gives ~(0, 1))."""
    xs = [float(v) for v in x]
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((v - m) ** 2 for v in xs) / (len(xs) - 1))
