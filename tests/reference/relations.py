"""Slow twins of the relations kernels ``_core.decay_accumulate`` (from_events,
update) and ``_core.bin_accumulate`` (event_tensor), event by event in Python,
plus a frame-level decayed matrix for the property tests.

Event semantics (both kernels): a code below zero is missing (MISSING); a code
at or beyond its map is an error; a map entry -1 is an actor outside the output
(OUTSIDE); otherwise both actors count as used; a NaT time (INT64_MIN) or a NaN
weight is NAN; a time after ``at`` (or outside the bins) is AFTER; every other
event is added (USED). Counts come back in the order (USED, MISSING, OUTSIDE,
AFTER, NAN).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NAT = np.iinfo(np.int64).min


def _actors(code1, map1, code2, map2, i):
    """('missing' | 'outside' | (pa, pb)) of event i; ValueError for a code beyond its map."""
    a, b = int(code1[i]), int(code2[i])
    if a < 0 or b < 0:
        return "missing"
    if a >= len(map1) or b >= len(map2):
        raise ValueError(f"code beyond its map at row {i}")
    pa, pb = int(map1[a]), int(map2[b])
    if pa < 0 or pb < 0:
        return "outside"
    return pa, pb


def _kept(code1, map1, code2, map2, weight, time, used, counts, place):
    """The events both kernels add, in row order, as ``(row, pa, pb, place(t), w)``.

    Marks the actors of every event inside the output in ``used`` and counts the others
    by reason into ``counts`` (USED, MISSING, OUTSIDE, AFTER, NAN), in the kernels' order
    of checks: actors, NaT, ``place(t)`` None (after ``at`` or outside the bins), NaN weight.
    """
    for i in range(len(time)):
        who = _actors(code1, map1, code2, map2, i)
        if who == "missing":
            counts[1] += 1
            continue
        if who == "outside":
            counts[2] += 1
            continue
        pa, pb = who
        used[pa] = used[pb] = True
        t = int(time[i])
        if t == NAT:
            counts[4] += 1
            continue
        where = place(t)
        if where is None:
            counts[3] += 1
            continue
        w = float(weight[i])
        if math.isnan(w):
            counts[4] += 1
            continue
        counts[0] += 1
        yield i, pa, pb, where, w


def decay_accumulate(nactors, code1, map1, code2, map2, weight, time, quad=None,
                     at=None, half_life=math.inf):
    """Twin of ``_core.decay_accumulate`` on a fresh output.

    Returns ``(out (N, N), quad_out (4, N, N) or None, used (N,) bool, counts, latest)``:
    out[i, j] = sum of w * 2^(-(at - t) / h) over the kept events from i to j;
    ``at`` None means the latest non-NaT time of any row (returned as latest;
    None without one), and with ``at`` given, latest is ``at``.
    """
    times = [int(t) for t in time]
    if at is None:
        valid = [t for t in times if t != NAT]
        at = max(valid) if valid else None
    out = np.zeros((nactors, nactors))
    qout = np.zeros((4, nactors, nactors)) if quad is not None else None
    used = np.zeros(nactors, bool)
    counts = [0, 0, 0, 0, 0]

    def decay(t):
        if at is None or t > at:
            return None
        return 1.0 if math.isinf(half_life) else 2.0 ** (-(at - t) / half_life)

    for i, pa, pb, f, w in _kept(code1, map1, code2, map2, weight, times, used, counts, decay):
        out[pa, pb] += w * f
        if qout is not None:
            qout[int(quad[i]) - 1, pa, pb] += f
    return out, qout, used, tuple(counts), at


def bin_accumulate(nbins, nactors, code1, map1, code2, map2, weight, time, edges):
    """Twin of ``_core.bin_accumulate`` on a fresh output: out[k, i, j] sums w over
    the kept events with edges[k] <= t < edges[k + 1]. Returns (out, used, counts)."""
    edges = [int(e) for e in edges]
    out = np.zeros((nbins, nactors, nactors))
    used = np.zeros(nactors, bool)
    counts = [0, 0, 0, 0, 0]

    def bin_of(t):
        return next((k for k in range(nbins) if edges[k] <= t < edges[k + 1]), None)

    for _, pa, pb, k, w in _kept(code1, map1, code2, map2, weight, time, used, counts, bin_of):
        out[k, pa, pb] += w
    return out, used, tuple(counts)


def decayed_matrix(events: pd.DataFrame, half_life: pd.Timedelta, at=None,
                   weight: str = "goldstein", actor_cols=("actor1", "actor2"),
                   time_col: str = "date") -> pd.DataFrame:
    """Frame-level twin of ``RelationMatrix.from_events`` (directed, one code system):
    an actors x actors frame of sum w * 2^(-(T - t) / h) over events with both
    actors present, a time and a weight, T = ``at`` or the newest event. Actors
    are those of the kept rows, sorted."""
    a1, a2 = actor_cols
    ev = events[events[a1].notna() & events[a2].notna() & events[time_col].notna()]
    T = pd.Timestamp(at) if at is not None else ev[time_col].max()
    actors = sorted(set(ev[a1].astype(str)) | set(ev[a2].astype(str)))
    pos = {a: k for k, a in enumerate(actors)}
    out = np.zeros((len(actors), len(actors)))
    h = pd.Timedelta(half_life).value
    for x, y, t, w in zip(ev[a1].astype(str), ev[a2].astype(str), ev[time_col], ev[weight]):
        if t > T or math.isnan(float(w)):
            continue
        out[pos[x], pos[y]] += float(w) * 2.0 ** (-(T - t).value / h)
    return pd.DataFrame(out, index=actors, columns=actors)
