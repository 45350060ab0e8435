"""Backtests of :func:`multipolar.project`: project from an origin year with only the
data up to it and count how often the realized shares fall inside the bands.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validation import int_keys, require_columns, require_frame, value_array
from .projection import _FUNC, project

__all__ = ["Backtest", "backtest"]

# --------------------------------------------------------------------------- backtest


@dataclass
class Backtest:
    """Result of :func:`backtest`.

    Attributes
    ----------
    coverage : DataFrame
        Index origin year, plus a last row ``"all"``: ``n`` (state-years
        compared), ``cover_50`` and ``cover_90`` (share of realized shares
        inside the central 50% and 90% bands; a calibrated model gives about
        0.5 and 0.9), ``skipped`` (projected state-years with no realized
        value in the data, left out).
    detail : DataFrame
        One row per (origin, year, ccode): the realized share, the band edges
        ``q5, q25, q50, q75, q95`` and the booleans ``in_50``, ``in_90``.
    """

    coverage: pd.DataFrame
    detail: pd.DataFrame

    def _headline(self) -> list[tuple[str, str]]:
        cov = self.coverage
        rows = [("origins", str(max(len(cov) - 1, 0)))]
        if "all" in cov.index:
            a = cov.loc["all"]
            rows += [("state-years compared", str(int(a["n"]))),
                     ("inside the 50% band", f"{float(a['cover_50']):.2f} (calibrated: 0.50)"),
                     ("inside the 90% band", f"{float(a['cover_90']):.2f} (calibrated: 0.90)"),
                     ("skipped (no realized value)", str(int(a["skipped"])))]
        return rows

    def __repr__(self) -> str:
        return "Backtest(" + "; ".join(f"{k}: {v}" for k, v in self._headline()) + ")"

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table("Backtest", self._headline())

    def to_frame(self) -> pd.DataFrame:
        """The coverage table (per origin year, then ``"all"``)."""
        return self.coverage

    def plot(self, ax: Any = None) -> Any:
        """Coverage of the 50% and 90% bands per origin year, against the nominal
        0.5 and 0.9 (dotted) that a calibrated model would reach."""
        from .plot import _integer_years, _new_axes

        if ax is None:
            ax = _new_axes()
        cov = self.coverage.drop(index="all", errors="ignore")
        x = np.asarray(cov.index, dtype=np.int64)
        for col, nominal in (("cover_50", 0.5), ("cover_90", 0.9)):
            (line,) = ax.plot(x, cov[col].to_numpy(dtype=np.float64), marker="o",
                              label=f"inside the {col[6:]}% band")
            ax.axhline(nominal, color=line.get_color(), linestyle=":", linewidth=0.8)
        ax.set_ylim(0, 1)
        ax.set_xlabel("origin year (last year of data)")
        _integer_years(ax)
        ax.set_ylabel("share of realized shares inside the band (0-1)")
        ax.set_title("Backtest: band coverage per origin (dotted: nominal)")
        ax.legend(loc="best", fontsize="small")
        return ax


def backtest(
    nmc: pd.DataFrame,
    origins: Sequence[int] = (1970, 1980, 1990),
    horizon: int = 10,
    *,
    value: str = "cinc",
    paths: int = 20_000,
    window: tuple[int, int] | int | None = None,
    among: object = "majors",
    seed: int | None = 0,
    parameter_error: bool = True,
) -> Backtest:
    """How often realized shares fall inside the projected bands (calibration).

    For each origin year T, :func:`project` is run on the rows of ``nmc``
    with ``year <= T`` only (so the calibration window, the start values and
    ``among="majors"`` are those an analyst had in T), for ``horizon`` years.
    The realized share of each projected state in each year T+1..T+horizon is
    its value over the sum over the same set, from the full frame (years in
    which a state of the set has no value are skipped and counted). Coverage
    of a band is the share of realized values inside it::

        cover_50 = mean[ q25 <= s_real <= q75 ],  cover_90 = mean[ q5 <= s_real <= q95 ]

    A calibrated forecast covers about 0.5 and 0.9 (Gneiting, Balabdaoui &
    Raftery 2007 call this marginal calibration); lower numbers mean bands too
    narrow. State-years of one origin are dependent (shares sum to 1, years
    follow each other), so the numbers are a description of a few dozen
    paths of history, not a test with a sampling distribution.

    Parameters
    ----------
    nmc : DataFrame
        As in :func:`project`; must reach past the origins.
    origins : sequence of int
        Origin years (the last year of data each projection sees).
    horizon : int
        Projected years per origin.
    value, paths, window, among, parameter_error
        As in :func:`project`.
    seed : int or None
        Seed; origin k uses ``SeedSequence(seed).spawn(len(origins))[k]``.

    Returns
    -------
    Backtest

    References
    ----------
    Gneiting, T., Balabdaoui, F., & Raftery, A. E. (2007). Probabilistic
    forecasts, calibration and sharpness. *JRSS B*, 69(2), 243-268.

    Examples
    --------
    >>> import multipolar as mp
    >>> nmc = mp.read_nmc("nmc_v7_abridged_peacesciencer.csv")   # doctest: +SKIP
    >>> mp.backtest(nmc, origins=(1970, 1980, 1990), horizon=20).coverage  # doctest: +SKIP
    """
    func = "backtest"
    require_frame(nmc, func, "nmc")
    require_columns(nmc, ["year"], func, "nmc")
    if isinstance(origins, (str, bytes)) or not isinstance(origins, Sequence) or not origins:
        raise TypeError(f"{func}: origins must be a non-empty sequence of years; got {origins!r}")
    if not all(isinstance(o, numbers.Integral) and not isinstance(o, bool) for o in origins):
        raise TypeError(f"{func}: origins must be int years; got {origins!r}")
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise ValueError(f"{func}: horizon must be an integer >= 1; got {horizon!r}")
    from .power import _derive

    full = _derive(nmc, value, func)
    require_columns(full, ["ccode", "year", value], func, "nmc")
    years = int_keys(full["year"], func, "year")
    vals = value_array(full[value], func, value).astype(np.float64)
    wide = pd.DataFrame({"ccode": int_keys(full["ccode"], func, "ccode"), "year": years,
                         "v": vals}).pivot_table(index="year", columns="ccode", values="v",
                                                 aggfunc="first")
    children = np.random.SeedSequence(seed).spawn(len(origins))
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    rows = []
    skipped = {}
    for origin, child in zip(origins, children):
        o = int(origin)
        if o >= int(years.max()):
            raise ValueError(
                f"{func}: origin {o} leaves no realized year in nmc (data end in {int(years.max())})"
            )
        if o < int(years.min()) + 2:
            raise ValueError(
                f"{func}: origin {o} leaves fewer than 3 years to calibrate on (data begin in "
                f"{int(years.min())})"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # past-the-list notes of `project`
                p = project(full[years <= o], value=value, years=int(horizon), paths=paths,
                            window=window, among=among, seed=child,
                            parameter_error=parameter_error)
        except (ValueError, TypeError) as exc:
            # the projection from one origin failed: say so in this function's name
            kind = TypeError if isinstance(exc, TypeError) else ValueError
            text = str(exc).removeprefix(f"{_FUNC}: ")
            raise kind(f"{func}: from origin {o}: {text}") from None
        bands = p.shares(q)
        states = list(p.among)
        real = wide.reindex(index=p.years, columns=states)
        real = real.where(real > 0)
        complete = real.notna().all(axis=1)
        skipped[o] = int((~complete).sum()) * len(states)
        shares = real[complete].div(real[complete].sum(axis=1), axis=0)
        for yr, row in shares.iterrows():
            for c in states:
                b = bands.loc[(yr, c)]
                rows.append((o, int(yr), int(c), float(row[c]), *(float(b[k]) for k in
                             ("q5", "q25", "q50", "q75", "q95"))))
    detail = pd.DataFrame(rows, columns=["origin", "year", "ccode", "share", "q5", "q25", "q50",
                                         "q75", "q95"])
    detail["in_50"] = (detail["share"] >= detail["q25"]) & (detail["share"] <= detail["q75"])
    detail["in_90"] = (detail["share"] >= detail["q5"]) & (detail["share"] <= detail["q95"])
    detail = detail.set_index(["origin", "year", "ccode"])
    g = detail.groupby(level="origin")
    cov = pd.DataFrame({"n": g.size(), "cover_50": g["in_50"].mean(),
                        "cover_90": g["in_90"].mean()})
    cov["skipped"] = [skipped[int(o)] for o in cov.index]
    cov.index = cov.index.astype(object)
    cov.loc["all"] = [len(detail), detail["in_50"].mean(), detail["in_90"].mean(),
                      sum(skipped.values())]
    cov["n"] = cov["n"].astype(np.int64)
    cov["skipped"] = cov["skipped"].astype(np.int64)
    return Backtest(coverage=cov, detail=detail)
