"""Change points: where a series' level shifts, for one series or every dyad at once.

:func:`changepoints` segments each series exactly (PELT, Killick, Fearnhead &
Eckley 2012) in the C kernel ``_core.pelt_segments``, all series of a long
frame in one call on the package's threads, and returns a
:class:`ChangePoints` result: one row per break with the means (or rates)
before and after, the shift and the segment lengths; one row per segment; and
the series that were too short to segment, counted rather than dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._errors import call
from ._validation import duplicate_error, require_columns, value_array

__all__ = ["ChangePoints", "break_probability", "changepoints", "COSTS", "PENALTIES"]

#: Segment costs: name -> kernel id.
COSTS = {"mean": 0, "poisson": 1}
#: Named penalties: name -> parameters added per break (multiplied by log n for "bic").
PENALTIES = ("bic", "aic")


@dataclass
class ChangePoints:
    """Breaks found by :func:`changepoints` (or :func:`multipolar.realignments`).

    Attributes
    ----------
    breaks : DataFrame
        One row per break: the series keys (e.g. ``ccode1, ccode2``), the
        time column (the first period of the new segment), ``last_before``
        (the last observed period before it: missing periods are gaps),
        ``mean_before``, ``mean_after`` (rates per period for
        ``cost="poisson"``), ``shift`` (after minus before), ``n_before``,
        ``n_after`` (observations in the two segments) and, when the input
        has an ``n`` column (the roll calls or items behind a similarity
        value), ``evidence_before``, ``evidence_after``: its sums over the
        two segments.
    segments : DataFrame
        One row per segment of every segmented series: keys, ``start``,
        ``end`` (first and last observed period), ``n`` (observations),
        ``mean``.
    skipped : DataFrame
        Series with fewer than ``2 * min_size`` observed periods (no break
        can be placed): keys and ``n``. They have no break and are counted
        here, not dropped silently.
    data : DataFrame
        The series as segmented: keys, time, ``value`` (sorted).
    keys : tuple of str
        Names of the key columns (empty for a single series).
    time : str
        Name of the time column.
    info : dict
        ``series`` (how many), ``segmented``, ``skipped``, ``constant`` (no
        variation: no break), ``cost``, ``penalty`` and ``min_size``.
    """

    breaks: pd.DataFrame
    segments: pd.DataFrame
    skipped: pd.DataFrame
    data: pd.DataFrame
    keys: tuple[str, ...]
    time: str
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.breaks)

    def __repr__(self) -> str:
        i = self.info
        return (f"ChangePoints({len(self.breaks)} breaks in {i.get('series', 0)} series; "
                f"{i.get('skipped', 0)} too short, {i.get('constant', 0)} constant; "
                f"cost={i.get('cost')!r}, penalty={i.get('penalty')!r}, "
                f"min_size={i.get('min_size')})")

    def to_frame(self) -> pd.DataFrame:
        """The breaks table."""
        return self.breaks

    def _repr_html_(self) -> str:
        from .plot import _html_table

        i = self.info
        rows = [("series", i.get("series", 0)), ("breaks", len(self.breaks)),
                ("too short (skipped)", i.get("skipped", 0)), ("constant", i.get("constant", 0)),
                ("cost", i.get("cost")), ("penalty", i.get("penalty")),
                ("min_size", i.get("min_size"))]
        head = self.breaks.head(10).to_html(index=False, float_format="%.3g")
        return _html_table("ChangePoints", rows) + head

    def series(self, *key: Any) -> pd.Series:
        """One series as segmented (``key``: its key values, e.g. ``365, 710``)."""
        mask = _key_mask(self.data, self.keys, key)
        d = self.data[mask]
        return pd.Series(d["value"].to_numpy(), index=pd.Index(d[self.time].to_numpy(),
                                                                 name=self.time))

    def plot(self, *key: Any, ax: Any = None) -> Any:
        """Plot one series with its breaks and segment means
        (:func:`multipolar.plot.plot_changepoints`)."""
        from .plot import plot_changepoints

        return plot_changepoints(self, *key, ax=ax)


def _key_mask(frame: pd.DataFrame, keys: tuple[str, ...], key: tuple[Any, ...]) -> np.ndarray:
    if len(key) != len(keys):
        raise ValueError(f"ChangePoints: give one value per key {list(keys)}; got {key!r}")
    mask = np.ones(len(frame), dtype=bool)
    for k, v in zip(keys, key):
        mask &= frame[k].to_numpy() == v
    if not mask.any() and keys:
        raise ValueError(f"ChangePoints: no series with {dict(zip(keys, key))!r}")
    return mask


def _penalty_per_series(penalty: Any, m: np.ndarray, func: str) -> tuple[np.ndarray, str]:
    """The penalty of each series (before any variance scaling) and its description."""
    if isinstance(penalty, str):
        if penalty not in PENALTIES:
            raise ValueError(f"{func}: penalty must be one of {list(PENALTIES)} or a number >= 0; "
                             f"got {penalty!r}")
        with np.errstate(divide="ignore"):
            base = 2.0 * np.log(np.maximum(m, 1).astype(float)) if penalty == "bic" else \
                np.full(len(m), 4.0)
        return base, penalty
    if isinstance(penalty, (bool, np.bool_)) or not isinstance(penalty, (int, float, np.number)):
        raise TypeError(f"{func}: penalty must be 'bic', 'aic' or a number; got {penalty!r}")
    p = float(penalty)
    if not (np.isfinite(p) and p >= 0):
        raise ValueError(f"{func}: penalty must be finite and >= 0; got {penalty!r}")
    return np.full(len(m), p), repr(p)


def _as_long(data: Any, measure: str | None, keys: Sequence[str] | None, time: str | None,
             func: str) -> tuple[pd.DataFrame, tuple[str, ...], str, str]:
    """(frame, keys, time column, value column) of any accepted input."""
    from .relations.tensor import EventTensor

    if isinstance(data, pd.Series):
        name = "time" if data.index.name is None else str(data.index.name)
        frame = pd.DataFrame({name: data.index.to_numpy(), "value": data.to_numpy()})
        return frame, (), name, "value"
    if isinstance(data, EventTensor):
        v = np.asarray(data.values, dtype=np.float64)
        T, N, _ = v.shape
        active = np.flatnonzero(np.any(v != 0, axis=0).ravel() & ~np.eye(N, dtype=bool).ravel())
        i, j = np.divmod(active, N)
        frame = pd.DataFrame({
            "actor1": np.repeat(np.asarray(data.actors)[i], T),
            "actor2": np.repeat(np.asarray(data.actors)[j], T),
            "time": np.tile(np.asarray(data.times), len(active)),
            "value": v.reshape(T, N * N)[:, active].T.ravel(),
        })
        return frame, ("actor1", "actor2"), "time", "value"
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}: data must be a Series, a long DataFrame or an EventTensor; "
                        f"got {type(data).__name__}")
    if keys is None:
        keys = tuple(k for k in ("ccode1", "ccode2") if k in data.columns)
    if isinstance(keys, str):
        keys = (keys,)
    if time is None:
        time = "year" if "year" in data.columns else "date" if "date" in data.columns else "year"
    if measure is None:
        raise ValueError(f"{func}: measure must name the value column of a frame; got None")
    require_columns(data, [*keys, time, measure], func, "data")
    return data, tuple(keys), time, measure


def _sorted_series(frame: pd.DataFrame, keys: tuple[str, ...], time: str,
                   func: str) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(order, offsets, key codes) of the rows sorted by keys then time."""
    n = len(frame)
    codes = []
    for k in keys:
        c, _ = pd.factorize(frame[k], sort=True, use_na_sentinel=True)
        if (c < 0).any():
            raise ValueError(f"{func}: column {k!r} must not be missing; got a missing key at "
                             f"row {int(np.flatnonzero(c < 0)[0])}")
        codes.append(c)
    tcol = frame[time]
    if tcol.isna().any():
        raise ValueError(f"{func}: column {time!r} must not be missing; got a missing value at "
                         f"row {int(np.flatnonzero(tcol.isna().to_numpy())[0])}")
    tcodes, _ = pd.factorize(tcol, sort=True)
    order = np.lexsort([tcodes, *codes[::-1]]) if n else np.zeros(0, np.int64)
    starts = np.zeros(n, dtype=bool)
    same_time = np.zeros(n, dtype=bool)
    if n:
        starts[0] = True
        for c in codes:
            cs = c[order]
            starts[1:] |= cs[1:] != cs[:-1]
        ts = tcodes[order]
        same_time[1:] = (ts[1:] == ts[:-1]) & ~starts[1:]
    if same_time.any():
        duplicate_error([frame[c].to_numpy()[order] for c in (*keys, time)], [*keys, time],
                        func, "data")
    offsets = np.append(np.flatnonzero(starts), n).astype(np.int64)
    return order.astype(np.int64), offsets, codes


def changepoints(
    data: Any,
    measure: str | None = None,
    *,
    cost: str = "mean",
    penalty: Any = "bic",
    min_size: int = 2,
    variance: float | None = None,
    keys: Sequence[str] | None = None,
    time: str | None = None,
) -> ChangePoints:
    """Change points of one series or of every series of a long frame (PELT).

    Each series is cut into segments by exact minimisation of

        sum over segments C(segment) + beta * (number of breaks)

    over all segmentations with at least ``min_size`` observations per
    segment, by PELT (Killick, Fearnhead & Eckley 2012), which returns the
    optimal partition of Jackson et al. (2005) in about linear time. Costs
    (twice the negative log-likelihood, up to constants):

    * ``cost="mean"`` (Gaussian change in mean): C = sum (x - mean)^2 /
      sigma^2. With ``variance=None`` sigma is estimated per series
      robustly, from the first differences (which a few shifts barely
      touch): sigma = median|x[t+1] - x[t]| / (0.6745 sqrt 2) (the MAD
      estimator of Hampel 1974, as recommended for PELT by Killick &
      Eckley 2014); when that median is 0, the sample standard deviation.
      With ``variance`` given, sigma^2 is that known variance.
    * ``cost="poisson"`` (change in the rate of counts, e.g. monthly event
      counts): C = 2 (S - S log(S / n)) for a segment of n periods with
      total S (0 log 0 = 0); values must be >= 0.

    The penalty beta is, with n the series' observed periods: ``"bic"``
    (default) 2 log n (Schwarz's criterion, Yao 1988: a break adds two
    parameters, its location and the new level), ``"aic"`` 4, or a number
    (in the same units: multiples of sigma^2 for the mean cost). Raise it
    for fewer, larger breaks.

    Missing periods are gaps, not zeros: NaN values (or absent rows) are
    left out and a segment spans the gap. A series with fewer than
    ``2 * min_size`` observations has no break and is listed in
    ``skipped``; a constant series has none either (``info["constant"]``).

    Parameters
    ----------
    data : Series, DataFrame or EventTensor
        One series (a pandas Series indexed by year or date), or a long frame
        with key columns, a time column and ``measure`` (e.g. ``ccode1,
        ccode2, year, kappa`` as :func:`multipolar.similarity` returns), or
        an :func:`multipolar.event_tensor` result (every ordered pair of
        actors with an event: keys ``actor1, actor2``, time ``time``).
    measure : str
        Frames: the value column.
    cost : {"mean", "poisson"}
    penalty : {"bic", "aic"} or float, default "bic"
    min_size : int, default 2
        Fewest observations in a segment.
    variance : float, optional
        Known variance for ``cost="mean"`` (default: estimated per series).
    keys : sequence of str, optional
        Frames: the columns naming a series (default ``ccode1, ccode2``
        where present).
    time : str, optional
        Frames: the time column (default ``year``, else ``date``).

    Returns
    -------
    ChangePoints
        ``.breaks`` (one row per break), ``.segments``, ``.skipped``,
        ``.info``; ``.plot(*key)`` draws a series with its segments.

    Raises
    ------
    ValueError
        Unknown cost or penalty, ``min_size < 1``, missing columns, missing
        keys or times, duplicate (keys, time) rows, infinite values,
        negative values with ``cost="poisson"``.
    TypeError
        ``data`` of another type, a non-numeric value column.

    References
    ----------
    Killick, R., Fearnhead, P., & Eckley, I. A. (2012). Optimal detection of
    changepoints with a linear computational cost. *JASA*, 107(500),
    1590-1598. Jackson, B., et al. (2005). An algorithm for optimal
    partitioning of data on an interval. *IEEE SPL*, 12(2), 105-108. Yao, Y.-C.
    (1988). Estimating the number of change-points via Schwarz' criterion.
    *Statistics & Probability Letters*, 6(3), 181-189. Killick, R., & Eckley,
    I. A. (2014). changepoint: An R package for changepoint analysis. *JSS*,
    58(3).

    Examples
    --------
    >>> import numpy as np, pandas as pd, multipolar as mp
    >>> x = pd.Series(np.r_[np.zeros(10), np.ones(10)] + np.tile([0.01, -0.01], 10),
    ...               index=pd.Index(range(1990, 2010), name="year"))
    >>> cp = mp.changepoints(x)
    >>> cp.breaks[["year", "mean_before", "mean_after"]].round(3).to_numpy().tolist()
    [[2000.0, 0.0, 1.0]]
    """
    return _changepoints(data, measure, cost, penalty, min_size, variance, keys, time,
                         "changepoints")


def _changepoints(data: Any, measure: str | None, cost: str, penalty: Any, min_size: int,
                  variance: float | None, keys: Sequence[str] | None, time: str | None,
                  func: str) -> ChangePoints:
    """:func:`changepoints`, with errors naming ``func`` (the public caller)."""
    if cost not in COSTS:
        raise ValueError(f"{func}: cost must be one of {list(COSTS)}; got {cost!r}")
    if isinstance(min_size, (bool, np.bool_)) or not isinstance(min_size, (int, np.integer)):
        raise TypeError(f"{func}: min_size must be an integer; got {min_size!r}")
    if min_size < 1:
        raise ValueError(f"{func}: min_size must be >= 1; got {min_size}")
    if variance is not None:
        if cost != "mean":
            raise ValueError(f"{func}: variance applies to cost='mean'; got cost={cost!r}")
        if isinstance(variance, (bool, np.bool_)) or not isinstance(variance, (int, float,
                                                                                np.number)):
            raise TypeError(f"{func}: variance must be a number; got {variance!r}")
        if not (np.isfinite(variance) and variance > 0):
            raise ValueError(f"{func}: variance must be finite and > 0; got {variance!r}")
    frame, keys_t, tcol, vcol = _as_long(data, measure, keys, time, func)
    word = f"column {vcol!r}" if isinstance(data, pd.DataFrame) else \
        "series" if isinstance(data, pd.Series) else "values"
    values = value_array(frame[vcol], func, word if isinstance(data, pd.Series) else vcol)
    if values.dtype != np.float64:
        values = values.astype(np.float64)
    order, offsets, _ = _sorted_series(frame, keys_t, tcol, func)
    vals = np.ascontiguousarray(values[order])
    finite = ~np.isnan(vals)
    m = np.add.reduceat(finite.astype(np.int64), offsets[:-1]) if len(vals) else \
        np.zeros(len(offsets) - 1, np.int64)
    base, pen_name = _penalty_per_series(penalty, m, func)
    if variance is not None:
        base = base * float(variance)
    scale = cost == "mean" and variance is None
    counts, brk, used = call(func, _core_pelt(), vals, offsets, COSTS[cost], base, int(min_size),
                             scale, names={"values": word}, rows=order)
    return _result(frame, order, offsets, vals, finite, m, counts, brk, used, keys_t, tcol,
                   vcol, dict(cost=cost, penalty=pen_name, min_size=int(min_size),
                              measure=vcol))


def _core_pelt() -> Any:
    from . import _core

    return _core.pelt_segments


def _result(frame: pd.DataFrame, order: np.ndarray, offsets: np.ndarray, vals: np.ndarray,
            finite: np.ndarray, m: np.ndarray, counts: np.ndarray, brk: np.ndarray,
            used: np.ndarray, keys: tuple[str, ...], tcol: str, vcol: str,
            info: dict[str, Any]) -> ChangePoints:
    """Build the tables from the kernel's breaks (positions in the sorted values)."""
    nser = len(offsets) - 1
    times = frame[tcol].to_numpy()[order]
    keyvals = {k: frame[k].to_numpy()[order] for k in keys}
    csum = np.concatenate([[0.0], np.cumsum(np.where(finite, vals, 0.0))])
    ccnt = np.concatenate([[0], np.cumsum(finite)])
    has_n = "n" in frame.columns and keys != () and vcol != "n"
    if has_n:
        nv = pd.to_numeric(frame["n"], errors="coerce").to_numpy(dtype=np.float64)[order]
        nsum = np.concatenate([[0.0], np.cumsum(np.where(finite, np.nan_to_num(nv), 0.0))])
    # segment boundaries: series starts, breaks, series ends
    bser = np.repeat(np.arange(nser), counts)
    seg_ser = np.repeat(np.arange(nser), counts + 1)
    segmented = ~np.isnan(used)
    # segment starts ordered by series, then position (breaks ascend within a series)
    starts = np.concatenate([offsets[:-1], brk])
    starts = starts[np.lexsort([starts, np.concatenate([np.arange(nser), bser])])]
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    if len(ends):
        ends[-1] = offsets[-1]
    last_of_series = np.r_[seg_ser[1:] != seg_ser[:-1], True] if len(seg_ser) else \
        np.zeros(0, dtype=bool)
    ends[last_of_series] = offsets[1:][seg_ser[last_of_series]]
    nobs = ccnt[ends] - ccnt[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (csum[ends] - csum[starts]) / nobs
    # first and last observed period of each segment
    fpos = np.flatnonzero(finite)
    first_obs = fpos[np.minimum(ccnt[starts], max(len(fpos) - 1, 0))] if len(fpos) else starts
    last_obs = fpos[np.maximum(ccnt[ends] - 1, 0)] if len(fpos) else starts
    keep = segmented[seg_ser] & (nobs > 0)
    seg = pd.DataFrame({**{k: v[starts[keep]] for k, v in keyvals.items()},
                        "start": times[first_obs[keep]], "end": times[last_obs[keep]],
                        "n": nobs[keep].astype(np.int64), "mean": means[keep]})
    # breaks: segment j (not the first of its series) against segment j - 1
    is_break = np.r_[False, seg_ser[1:] == seg_ser[:-1]] if len(seg_ser) else \
        np.zeros(0, dtype=bool)
    bj = np.flatnonzero(is_break)
    out = {k: v[starts[bj]] for k, v in keyvals.items()}
    out[tcol] = times[starts[bj]]
    out["last_before"] = times[last_obs[bj - 1]]
    out["mean_before"] = means[bj - 1]
    out["mean_after"] = means[bj]
    out["shift"] = means[bj] - means[bj - 1]
    out["n_before"] = nobs[bj - 1].astype(np.int64)
    out["n_after"] = nobs[bj].astype(np.int64)
    if has_n:
        out["evidence_before"] = nsum[ends[bj - 1]] - nsum[starts[bj - 1]]
        out["evidence_after"] = nsum[ends[bj]] - nsum[starts[bj]]
    breaks = pd.DataFrame(out)
    short = np.flatnonzero(m < 2 * info["min_size"])
    skipped = pd.DataFrame({**{k: v[offsets[short]] for k, v in keyvals.items()},
                            "n": m[short].astype(np.int64)})
    data = pd.DataFrame({**keyvals, tcol: times, "value": vals})
    info = dict(series=nser, segmented=int(segmented.sum()), skipped=len(short),
                constant=int(nser - len(short) - segmented.sum()), **info)
    return ChangePoints(breaks, seg, skipped, data, keys, tcol, info)


def break_probability(
    series: pd.Series,
    *,
    hazard: float = 1 / 25,
    lag: int = 3,
    variance: float | None = None,
) -> pd.Series:
    """Probability of a break at each period: Bayesian online change-point detection.

    The run-length recursion of Adams & MacKay (2007) for a Gaussian mean
    with known variance: segments are independent, a new segment starts at
    each period with probability ``hazard`` (constant hazard: expected
    segment length 1/hazard), and a segment's mean has the prior
    N(mu0, tau0^2) with mu0 the median and tau0^2 the variance (ddof 1) of
    the series (an empirical-Bayes prior). With r the number of
    observations of the current segment so far, the predictive of the next
    value is N(mu_r, tau_r^2 + sigma^2) (conjugate normal update), and

        P(s_t = k + 1, x_1..t) = P(s_t-1 = k, x_1..t-1) (1 - hazard) p(x_t | run of k)
        P(s_t = 1, x_1..t)     = sum_k P(s_t-1 = k, x_1..t-1) hazard p(x_t | prior)

    where s_t is the length of the segment holding x_t. The probability
    reported for period t is that the segment holding x_{t+lag} began at t,
    given the data up to t + lag (up to the last period near the end): a
    short look-ahead, since one period alone rarely tells a break from
    noise. sigma^2 is ``variance`` or, by default, estimated as for
    :func:`changepoints` (MAD of first differences). Pure NumPy, O(n^2)
    per series: meant for one dyad at a time.

    Parameters
    ----------
    series : Series
        Indexed by year or date; NaN values are gaps (no probability).
    hazard : float, default 1/25
        Prior probability of a break per period, in (0, 1).
    lag : int, default 3
        Periods of look-ahead (0: filtering, only data up to t).
    variance : float, optional
        Known observation variance.

    Returns
    -------
    Series
        float64 with the series' index: the break probability per period;
        NaN for the first observation and for missing values.

    References
    ----------
    Adams, R. P., & MacKay, D. J. C. (2007). Bayesian online changepoint
    detection. arXiv:0710.3742.

    Examples
    --------
    >>> import numpy as np, pandas as pd, multipolar as mp
    >>> x = pd.Series(np.r_[np.zeros(12), np.ones(12)] + np.tile([0.05, -0.05], 12),
    ...               index=range(2000, 2024))
    >>> p = mp.break_probability(x)
    >>> int(p.idxmax()), bool(p.max() > 0.9)
    (2012, True)
    """
    func = "break_probability"
    if not isinstance(series, pd.Series):
        raise TypeError(f"{func}: series must be a pandas Series; got {type(series).__name__}")
    h = float(hazard) if isinstance(hazard, (int, float, np.number)) and \
        not isinstance(hazard, (bool, np.bool_)) else np.nan
    if not 0 < h < 1:
        raise ValueError(f"{func}: hazard must be in (0, 1); got {hazard!r}")
    if isinstance(lag, (bool, np.bool_)) or not isinstance(lag, (int, np.integer)) or lag < 0:
        raise ValueError(f"{func}: lag must be an integer >= 0; got {lag!r}")
    vals = value_array(series, func, "series").astype(np.float64)
    if np.isinf(vals).any():
        raise ValueError(f"{func}: series must be finite or NaN; got inf at row "
                         f"{int(np.flatnonzero(np.isinf(vals))[0])}")
    keep = np.flatnonzero(~np.isnan(vals))
    x = vals[keep]
    out = np.full(len(vals), np.nan)
    n = len(x)
    if n < 2:
        return pd.Series(out, index=series.index, name="break_probability")
    if variance is None:
        med = float(np.median(np.abs(np.diff(x))))
        s2 = (med / 0.6744897501960817) ** 2 / 2 if med > 0 else float(np.var(x, ddof=1))
    else:
        s2 = float(variance)
        if not (np.isfinite(s2) and s2 > 0):
            raise ValueError(f"{func}: variance must be finite and > 0; got {variance!r}")
    if not s2 > 0:  # a constant series: no break anywhere
        out[keep[1:]] = 0.0
        return pd.Series(out, index=series.index, name="break_probability")
    prob = _bocpd(x, h, lag, s2)
    out[keep[1:]] = prob[1:]
    return pd.Series(out, index=series.index, name="break_probability")


def _bocpd(x: np.ndarray, h: float, lag: int, s2: float) -> np.ndarray:
    """P(the segment holding x[min(t + lag, n - 1)] began at t | x[..t + lag]) for each t."""
    n = len(x)
    mu0 = float(np.median(x))
    t0 = max(float(np.var(x, ddof=1)), s2)
    # log P(s_t = k, x_1..t) for k = 1..t+1 (index k - 1), and each run's posterior of its mean
    logr = np.array([0.0])
    mu = np.array([(mu0 / t0 + x[0] / s2) / (1 / t0 + 1 / s2)])
    tau = np.array([1.0 / (1 / t0 + 1 / s2)])
    post = [np.array([1.0])]
    for t in range(1, n):
        var = tau + s2
        lp_grow = logr + np.log1p(-h) - 0.5 * (np.log(2 * np.pi * var) + (x[t] - mu) ** 2 / var)
        lp_new = np.logaddexp.reduce(logr) + np.log(h) - 0.5 * (
            np.log(2 * np.pi * (t0 + s2)) + (x[t] - mu0) ** 2 / (t0 + s2))
        logr = np.concatenate([[lp_new], lp_grow])
        logr -= np.logaddexp.reduce(logr)
        prec = np.concatenate([[1 / t0], 1 / tau]) + 1 / s2
        mu = (np.concatenate([[mu0 / t0], mu / tau]) + x[t] / s2) / prec
        tau = 1 / prec
        post.append(np.exp(logr))
    prob = np.zeros(n)
    for t in range(n):
        e = min(t + lag, n - 1)
        prob[t] = post[e][e - t]  # run of length e - t + 1 at time e began at t
    return prob
