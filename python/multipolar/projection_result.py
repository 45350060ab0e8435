"""The result of :func:`multipolar.project`: counts and histograms of a Monte Carlo
projection, with the quantiles, probabilities and charts read from them.

Kept apart from :mod:`multipolar.projection` (calibration, streams and the kernel
call) so each file holds one concern.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._validation import resolve_states

if TYPE_CHECKING:
    from .projection import _Config

_FUNC = "project"
#: Polarity labels, in the order of :meth:`Projection.polarity`'s columns.
LABELS = ("unipolar", "bipolar", "multipolar")
#: Default quantiles of the bands.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

def _state(x: object, arg: str) -> int:
    """One state, a ccode (the frame's own code, e.g. a demo world's: the calibration
    checks that the frame has it) or a COW abbreviation."""
    return int(resolve_states([x], _FUNC, arg)[0])


def _labels(codes: Sequence[int]) -> list[str]:
    """COW abbreviations of ccodes; codes that are not COW states (a demo world's) as text."""
    from .codes import convert

    out = []
    for c in codes:
        try:
            out.append(str(convert(int(c), from_="cow", to="cowabb")))
        except ValueError:
            out.append(str(int(c)))
    return out


# --------------------------------------------------------------------------- result


def _hist_quantiles(hist: np.ndarray, q: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Quantiles of histograms (last axis = bins over [lo, hi]), linear within a bin."""
    bins = hist.shape[-1]
    flat = hist.reshape(-1, bins).astype(np.float64)
    cum = np.cumsum(flat, axis=1)
    total = cum[:, -1:]
    out = np.full((flat.shape[0], len(q)), np.nan)
    width = (hi - lo) / bins
    for r in range(flat.shape[0]):
        n = total[r, 0]
        if n <= 0:
            continue
        target = q * n
        k = np.searchsorted(cum[r], target, side="left")
        k = np.clip(k, 0, bins - 1)
        below = np.where(k > 0, cum[r, k - 1], 0.0)
        cnt = flat[r, k]
        frac = np.where(cnt > 0, (target - below) / np.where(cnt > 0, cnt, 1.0), 0.0)
        out[r] = lo + (k + np.clip(frac, 0.0, 1.0)) * width
    return out.reshape(hist.shape[:-1] + (len(q),))


def _qlabels(q: np.ndarray) -> list[str]:
    return [f"q{round(float(x) * 100, 6):g}" for x in q]


def _check_q(q: object, func: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if arr.ndim != 1 or not np.all((arr >= 0) & (arr <= 1)):
        raise ValueError(f"{func}: q must be probabilities in [0, 1]; got {q!r}")
    return arr


class Projection:
    """Result of :func:`project`: per projected year, distributions over paths.

    Attributes
    ----------
    years : ndarray
        Projected years (the year after the data's last year onwards).
    states : tuple of int
        Projected states (ccodes): the ``among`` set first, then other pair states.
    among : tuple of int
        The set whose shares, concentration and polarity are reported.
    pairs : tuple of (int, int)
        Overtaking dyads.
    paths : int
        Paths computed (all blocks, or the blocks of a partial run).
    seed : int or sequence of int
        SeedSequence entropy of the run (pass it as ``seed`` to repeat it).
    calibration : DataFrame
        Per state: start value, calibrated mean log growth, growth s.d., and
        the drift used (after assumptions, first projected year).
    path_values : ndarray or None
        With ``keep_paths=True``: values per (path, year, state).
    """

    def __init__(
        self,
        config: _Config,
        blocks: tuple[int, int],
        share_hist: np.ndarray,
        con_hist: np.ndarray,
        neff_hist: np.ndarray,
        labels: np.ndarray,
        poles: np.ndarray,
        first_over: np.ndarray,
        over: np.ndarray,
        share_sum: np.ndarray,
        path_values: np.ndarray | None,
    ) -> None:
        self._config = config
        self.blocks = blocks
        self._share_hist = share_hist
        self._con_hist = con_hist
        self._neff_hist = neff_hist
        self._labels = labels
        self._poles = poles
        self._first_over = first_over
        self._over = over
        self._share_sum = share_sum
        self.path_values = path_values
        self.paths = int(labels[0].sum()) if len(labels) else 0

    # -- descriptive attributes
    @property
    def years(self) -> np.ndarray:
        return np.asarray(self._config.years, dtype=np.int64)

    @property
    def states(self) -> tuple[int, ...]:
        return self._config.states

    @property
    def among(self) -> tuple[int, ...]:
        return self._config.states[: self._config.n_among]

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        return self._config.pairs

    @property
    def seed(self) -> Any:
        return self._config.entropy

    @property
    def start_year(self) -> int:
        return self._config.start_year

    @property
    def complete(self) -> bool:
        """True when every block of the run is included."""
        return self.blocks == (0, self._config.nblocks)

    @property
    def calibration(self) -> pd.DataFrame:
        c = self._config
        return pd.DataFrame(
            {
                "start_value": np.exp(c.log0),
                "mean_growth": c.mean_growth,
                "sd_growth": np.sqrt(np.diag(c.cov)),
                "drift": c.drift[0],
            },
            index=pd.Index(c.states, name="ccode"),
        )

    def _headline(self) -> list[tuple[str, str]]:
        """The facts a reader wants first: horizon, leading state, likeliest polarity."""
        c = self._config
        last = c.years[-1] if c.years else c.start_year
        rows = [
            ("value", c.value),
            ("horizon", f"{c.years[0]}-{last} ({len(c.years)} years after {c.start_year})"
             if c.years else "none"),
            ("paths", f"{self.paths:,}" + ("" if self.complete else f" (blocks {self.blocks})")),
            ("calibration window", f"{c.window[0]}-{c.window[1]}"),
            ("among", ", ".join(_labels(self.among))),
        ]
        if self.paths and c.years and self.among:
            sh = self.shares([0.5])["q50"].xs(last, level="year")
            lead = int(sh.idxmax())
            rows.append(("leading in " + str(last),
                         f"{_labels([lead])[0]} (median share {float(sh.max()):.2f})"))
            pol = self.polarity().loc[last]
            rows.append(("likeliest polarity in " + str(last),
                         f"{pol.idxmax()} (p = {float(pol.max()):.2f})"))
        return rows

    def __repr__(self) -> str:
        return "Projection(" + "; ".join(f"{k}: {v}" for k, v in self._headline()) + ")"

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table("Projection", self._headline())

    def to_frame(self) -> pd.DataFrame:
        """One row per projected year (:meth:`summary` with its default quantiles)."""
        return self.summary()

    # -- combining partial runs
    @classmethod
    def merge(cls, parts: Sequence[Projection]) -> Projection:
        """Combine partial runs (consecutive block ranges of one run) into one.

        Counts add exactly and block sums are concatenated in block order, so
        the merge is bitwise equal to computing all blocks at once.

        Raises
        ------
        ValueError
            Parts of different runs, or block ranges that overlap or leave gaps.
        """
        if not parts:
            raise ValueError("Projection.merge: parts must not be empty; got 0 parts")
        parts = sorted(parts, key=lambda p: p.blocks)
        first = parts[0]
        for prev, nxt in itertools.pairwise(parts):
            if not first._config.same_run(nxt._config):
                raise ValueError("Projection.merge: parts come from different runs")
            if prev.blocks[1] != nxt.blocks[0]:
                raise ValueError(
                    f"Projection.merge: block ranges must be consecutive; got {prev.blocks} "
                    f"and {nxt.blocks}"
                )
        if len(parts) == 1:
            return first

        def add(name: str) -> np.ndarray:
            out = getattr(first, name).copy()
            for p in parts[1:]:
                out += getattr(p, name)
            return out

        keep = all(p.path_values is not None for p in parts)
        return cls(
            first._config,
            (first.blocks[0], parts[-1].blocks[1]),
            add("_share_hist"),
            add("_con_hist"),
            add("_neff_hist"),
            add("_labels"),
            add("_poles"),
            add("_first_over"),
            add("_over"),
            np.concatenate([p._share_sum for p in parts], axis=0),
            np.concatenate([p.path_values for p in parts], axis=0) if keep else None,  # type: ignore[misc]
        )

    # -- results
    def shares(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Quantile bands and mean of each ``among`` state's share, per year.

        Returns
        -------
        DataFrame
            Index (year, ccode); columns ``mean`` and one per quantile
            (``q5``, ``q50``, ...).
        """
        qa = _check_q(q, "Projection.shares")
        c = self._config
        qs = _hist_quantiles(self._share_hist, qa, 0.0, 1.0)  # (H, na, nq)
        mean = self._share_sum.sum(axis=0) / max(self.paths, 1)
        idx = pd.MultiIndex.from_product([c.years, self.among], names=["year", "ccode"])
        out = pd.DataFrame(qs.reshape(-1, len(qa)), index=idx, columns=_qlabels(qa))
        out.insert(0, "mean", mean.reshape(-1))
        return out

    def concentration(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Quantile bands of CON and of the effective number ``n_eff`` per year.

        Returns
        -------
        DataFrame
            Index year; columns ``con_q5, ..., n_eff_q5, ...``.
        """
        qa = _check_q(q, "Projection.concentration")
        na = self._config.n_among
        con = _hist_quantiles(self._con_hist, qa, 0.0, 1.0)
        neff = _hist_quantiles(self._neff_hist, qa, 1.0, float(max(na, 1)))
        if na < 2:
            con[:] = np.nan
            neff[:] = 1.0
        labels = _qlabels(qa)
        data = {f"con_{lab}": con[:, k] for k, lab in enumerate(labels)}
        data.update({f"n_eff_{lab}": neff[:, k] for k, lab in enumerate(labels)})
        return pd.DataFrame(data, index=pd.Index(self.years, name="year"))

    def polarity(self) -> pd.DataFrame:
        """Probability of each polarity label per year (rows sum to 1).

        Returns
        -------
        DataFrame
            Index year; columns ``unipolar``, ``bipolar``, ``multipolar``.
        """
        n = max(self.paths, 1)
        return pd.DataFrame(
            self._labels / n, index=pd.Index(self.years, name="year"), columns=list(LABELS)
        )

    def poles(self) -> pd.DataFrame:
        """Probability that each ``among`` state is a pole, per year.

        Returns
        -------
        DataFrame
            Index year; one column per ccode.
        """
        n = max(self.paths, 1)
        return pd.DataFrame(
            self._poles / n,
            index=pd.Index(self.years, name="year"),
            columns=pd.Index(self.among, name="ccode"),
        )

    def _pair_names(self) -> list[str]:

        out = []
        for a, b in self.pairs:
            na, nb = _labels([a, b])
            out.append(f"{na}>{nb}")
        return out

    def overtaking(self) -> pd.DataFrame:
        """Overtaking probabilities of each pair ``(a, b)`` per year.

        Returns
        -------
        DataFrame
            Index (pair, year) with pair labelled ``"CHN>USA"``; columns
            ``ahead_at_start`` (``v_a > v_b`` in the last year of the data),
            ``p_over`` (P(v_a > v_b) that year), ``p_first`` (P(that year is
            the first projected year with v_a > v_b)), ``p_by`` (P(v_a > v_b
            in some year up to and including that year)), and the overtaking
            proper: ``p_overtake`` (P(a, behind b at the start, first passes
            b that year)) and ``p_overtake_by`` (P(it has by that year)).
            P(no overtaking within the horizon) is ``1 - p_overtake_by`` of
            the last year.

        Notes
        -----
        ``p_first`` marks the first projected year in which ``a`` is ahead,
        not a crossing. A pair whose ``a`` is already ahead of ``b`` at the
        start (China's CINC has exceeded the USA's since 1995) would show
        ``p_first`` near 1 in the first projected year, which reads like an
        overtaking; for such a pair ``p_overtake`` and ``p_overtake_by`` are
        NaN (there is nothing to overtake: read ``p_over`` as the
        probability that ``a`` is still ahead, or ask for the pair ``(b, a)``
        to see whether ``b`` passes ``a`` back). A pair level at the start
        counts as behind.
        """
        n = max(self.paths, 1)
        names = self._pair_names()
        H = len(self.years)
        c = self._config
        frames = []
        for k, name in enumerate(names):
            a, b = (c.states.index(x) for x in c.pairs[k])
            ahead = bool(c.log0[a] > c.log0[b])
            first = self._first_over[k, :H] / n
            by = np.cumsum(self._first_over[k, :H]) / n
            frames.append(
                pd.DataFrame(
                    {
                        "pair": name,
                        "year": self.years,
                        "ahead_at_start": ahead,
                        "p_over": self._over[k] / n,
                        "p_first": first,
                        "p_by": by,
                        "p_overtake": np.nan if ahead else first,
                        "p_overtake_by": np.nan if ahead else by,
                    }
                )
            )
        if not frames:
            return pd.DataFrame(
                {"ahead_at_start": pd.Series([], dtype=bool), "p_over": [], "p_first": [],
                 "p_by": [], "p_overtake": [], "p_overtake_by": []},
                index=pd.MultiIndex.from_arrays([[], []], names=["pair", "year"]),
            )
        return pd.concat(frames, ignore_index=True).set_index(["pair", "year"])

    def summary(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """One row per projected year: label probabilities, CON and ``n_eff``
        bands, each ``among`` state's median share and each pair's
        P(overtaken by that year).

        Returns
        -------
        DataFrame
            Index year; columns ``p_unipolar, p_bipolar, p_multipolar``,
            ``con_q5 ...``, ``n_eff_q5 ...``, ``share_<ABB>_q50`` per state and
            ``p_<A>><B>_by`` per pair.
        """

        pol = self.polarity().add_prefix("p_")
        conc = self.concentration(q)
        sh = self.shares([0.5])["q50"].unstack("ccode")
        abbs = _labels(list(sh.columns))
        sh.columns = [f"share_{a}_q50" for a in abbs]
        parts = [pol, conc, sh]
        if self.pairs:
            ov = self.overtaking()["p_by"].unstack("pair")
            ov.columns = [f"p_{c}_by" for c in ov.columns]
            parts.append(ov)
        out = pd.concat(parts, axis=1)
        out.index.name = "year"
        return out

    def plot(
        self,
        ax: Any = None,
        states: Sequence[int | str] | None = None,
        bands: tuple[tuple[float, float], ...] = ((0.05, 0.95), (0.25, 0.75)),
        history: pd.DataFrame | None = None,
    ) -> Any:
        """Fan chart: median share of each ``among`` state with shaded quantile bands.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on (a new figure otherwise).
        states : list of states, optional
            Subset of ``among`` to draw (ccodes or COW abbreviations).
        bands : tuple of (lo, hi)
            Quantile bands, widest first.
        history : DataFrame, optional
            The state-year frame the projection was calibrated on (``ccode``,
            ``year`` and the projected value column): the observed shares among
            the same set, up to the start year, are drawn before the fan in the
            state's colour, so the fan reads as a continuation of the record.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from .plot import _integer_years, _new_axes

        if ax is None:
            ax = _new_axes()
        chosen = list(self.among) if states is None else [_state(s, "states") for s in states]
        for code in chosen:
            if code not in self.among:
                raise ValueError(f"Projection.plot: state {code} is not in among {self.among}")
        observed = self._observed_shares(history)
        qs = sorted({x for b in bands for x in b} | {0.5})
        sh = self.shares(qs)
        labels = _qlabels(np.asarray(qs))
        lab = dict(zip(qs, labels))
        for code in chosen:
            d = sh.xs(code, level="ccode")
            x, y = d.index.to_numpy(), d[lab[0.5]].to_numpy()
            if observed is not None and code in observed.columns:
                obs = observed[code].dropna()
                (line,) = ax.plot(obs.index.to_numpy(), obs.to_numpy(), label=_labels([code])[0])
                if len(obs) and obs.index[-1] == self.start_year:
                    # Join the fan to the last observed year so the two do not float apart.
                    x, y = np.r_[self.start_year, x], np.r_[obs.iloc[-1], y]
                ax.plot(x, y, color=line.get_color(), linestyle="--")
            else:
                (line,) = ax.plot(x, y, label=_labels([code])[0])
            for k, (lo, hi) in enumerate(bands):
                ax.fill_between(
                    d.index, d[lab[lo]], d[lab[hi]], color=line.get_color(),
                    alpha=0.12 + 0.1 * k, linewidth=0,
                )
        if observed is not None:
            ax.axvline(self.start_year, color="0.5", linewidth=0.8, linestyle=":")
        ax.set_xlabel("year")
        _integer_years(ax)
        ax.set_ylabel(f"share of {self._config.value} among the set (0-1)")
        what = "Observed and projected" if observed is not None else "Projected"
        ax.set_title(f"{what} shares ({self.paths:,} paths, from {self.start_year}; "
                     "median, dashed, with quantile bands)")
        ax.legend(loc="best", fontsize="small", title="state")
        return ax

    def _observed_shares(self, history: pd.DataFrame | None) -> pd.DataFrame | None:
        """Observed shares among the ``among`` set per year up to the start year
        (year by ccode), from the frame the projection was calibrated on."""
        if history is None:
            return None
        func = "Projection.plot"
        if not isinstance(history, pd.DataFrame):
            raise TypeError(f"{func}: history must be a DataFrame; got {type(history).__name__}")
        value = self._config.value
        missing = [c for c in ("ccode", "year", value) if c not in history.columns]
        if missing:
            raise ValueError(f"{func}: history lacks column(s) {missing}")
        df = history[["ccode", "year", value]]
        df = df[df["ccode"].isin(self.among) & (df["year"] <= self.start_year)]
        if df.empty:
            raise ValueError(
                f"{func}: history has no year up to {self.start_year} for the states "
                f"{list(self.among)}"
            )
        wide = df.pivot_table(index="year", columns="ccode", values=value, aggfunc="sum")
        total = wide.sum(axis=1)
        return wide.div(total.where(total > 0), axis=0)
