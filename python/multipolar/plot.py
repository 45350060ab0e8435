"""Figures: capability shares, concentration and a two-panel power chart.

matplotlib is imported inside the functions, so ``import multipolar`` does not
need it; install it with ``pip install 'multipolar[plot]'``. The functions draw
on an Axes you pass or on a new one, and return what they drew on.
:func:`power_chart` builds its figure without pyplot, so it works under any
backend (Agg included) and leaves no figure open.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._validation import require_columns, require_frame
from .io import NMC_COMPONENTS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_blocs_over_time", "plot_changepoints", "plot_concentration", "plot_shares",
           "power_chart"]

_MISSING_MPL = "plotting needs matplotlib: pip install 'multipolar[plot]'"

#: Readable names of the concentration columns.
_LABELS = {
    "hhi": "HHI",
    "con": "CON (Ray & Singer)",
    "n_eff": "effective number of powers (1/HHI)",
    "entropy": "entropy (nats)",
    "gini": "Gini",
    "top1": "leader's share",
    "top2": "top-two share",
    "n": "number of states",
}
#: Concentration columns bounded by [0, 1]; the others get a second y axis.
_UNIT_COLUMNS = {"hhi", "con", "gini", "top1", "top2"}
#: Background colours of the polarity labels.
_POLARITY_COLOURS = {"unipolar": "#f2c9c4", "bipolar": "#c9daf0", "multipolar": "#d3ebc8"}


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError(_MISSING_MPL) from None
    return matplotlib


def _new_axes() -> Axes:
    _matplotlib()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    return ax


def _integer_years(ax: Axes) -> None:
    """Year axes tick on whole years only: a default locator puts ticks at
    2017.5 on a short span, which reads as a half year that has no data."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _html_table(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """A small two-column HTML table (label, value) for a notebook's ``_repr_html_``;
    every text is escaped, since state names and scenario labels come from the user."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


def _state_names(codes: Sequence[Any], limit: int = 6) -> str:
    """Comma-separated names of states (COW abbreviations of COW ccodes, other
    labels as given), the first ``limit`` then how many more."""
    from .codes import convert

    out = []
    for c in list(codes)[:limit]:
        name = str(c)
        if isinstance(c, (int, np.integer)):
            try:
                name = str(convert(int(c), from_="cow", to="cowabb"))
            except (ValueError, TypeError, KeyError):
                name = str(c)
        out.append(name)
    more = len(codes) - limit
    return ", ".join(out) + (f" and {more} more" if more > 0 else "")


def _with_value(df: pd.DataFrame, value: str) -> pd.DataFrame:
    if value == "cinc" and "cinc" not in df.columns and set(NMC_COMPONENTS) <= set(df.columns):
        from .power import cinc

        df = df.assign(cinc=cinc(df))
    return df


def _set_mask(df: pd.DataFrame, among: object, func: str) -> np.ndarray:
    """Rows of ``df`` inside the set plotted."""
    if among is None:
        return np.ones(len(df), dtype=bool)
    if isinstance(among, str):
        if among != "majors":
            raise ValueError(
                f"{func}: among must be None, 'majors' or a list of states; got {among!r}"
            )
        from .codes import is_major

        return np.asarray(is_major(df["ccode"].to_numpy(), df["year"].to_numpy()), dtype=bool)
    if not isinstance(among, Sequence) or not among:
        raise TypeError(f"{func}: among must be None, 'majors' or a list of states; got {among!r}")
    ints = [a for a in among if isinstance(a, (int, np.integer)) and not isinstance(a, bool)]
    strs = [a for a in among if isinstance(a, str)]
    if len(ints) + len(strs) != len(among):
        raise TypeError(
            f"{func}: among must hold ccodes (int) or abbreviations (str); got {among!r}"
        )
    mask = df["ccode"].isin(ints).to_numpy()
    if strs:
        require_columns(df, ["stateabb"], func)
        mask |= df["stateabb"].isin(strs).to_numpy()
    return mask


def _names(df: pd.DataFrame) -> dict[int, str]:
    """ccode -> label: the state's abbreviation if the frame has one."""
    if "stateabb" in df.columns:
        first = df.drop_duplicates("ccode")
        return {int(c): str(a) for c, a in zip(first["ccode"], first["stateabb"])}
    return {int(c): str(c) for c in pd.unique(df["ccode"])}


def _share_label(value: str, among: object, set_name: str | None) -> str:
    if set_name is None and among == "majors":
        set_name = "major powers"
    return f"share of {value} among {set_name}" if set_name else f"share of {value}"


def plot_shares(
    df: pd.DataFrame,
    value: str = "cinc",
    among: object = None,
    top: int = 6,
    ax: Axes | None = None,
    kind: str = "line",
    set_name: str | None = None,
) -> Axes:
    """Plot each state's share of capability over time.

    Shares are renormalized within the set plotted each year, ``s_i = v_i /
    sum_j v_j`` over the states of ``among`` with a value, as in
    :func:`multipolar.power.concentration`. The ``top`` states with the largest
    share in any year are drawn one by one, the rest as one ``others`` series.

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and ``value`` (``cinc`` is
        recomputed from the six NMC components when absent). A ``stateabb``
        column, if present, labels the states.
    value : str
        Capability column, ``"cinc"`` by default.
    among : None, "majors" or list
        None: every state. ``"majors"``: the COW major powers of each year. A
        list: these states, as ccodes (int, matched as they are, so the synthetic
        demo's codes work) or abbreviations (str, matched against ``stateabb``).
    top : int
        Number of states drawn individually, at least 1.
    ax : matplotlib Axes, optional
        Where to draw; a new figure through pyplot if None.
    kind : {"line", "stack"}
        One line per state (overtaking is easy to see), or stacked areas
        summing to 1 (composition is easy to see).
    set_name : str, optional
        What the set is, for the y label (``"share of cinc among <set_name>"``);
        ``"major powers"`` by default with ``among="majors"``.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ImportError
        matplotlib is not installed.
    ValueError
        Missing columns, ``top < 1``, an unknown ``kind``, or no state in the set
        has a value.

    Examples
    --------
    >>> from multipolar.datasets import demo_world, demo_majors
    >>> from multipolar.plot import plot_shares
    >>> world = demo_world()
    >>> ax = plot_shares(world, among=demo_majors())  # doctest: +SKIP
    """
    func = "plot_shares"
    mpl = _matplotlib()
    require_frame(df, func)
    df = _with_value(df, value)
    require_columns(df, ["ccode", "year", value], func)
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"{func}: top must be an int >= 1; got {top!r}")
    if kind not in ("line", "stack"):
        raise ValueError(f"{func}: kind must be 'line' or 'stack'; got {kind!r}")
    sub = df.loc[_set_mask(df, among, func)]
    sub = sub[sub[value].notna()]
    if sub.empty:
        raise ValueError(
            f"{func}: df has no state with a {value!r} value in the set plotted; got {len(df)} rows"
        )
    wide = sub.pivot_table(index="year", columns="ccode", values=value, aggfunc="sum")
    total = wide.sum(axis=1)
    shares = wide.div(total.where(total > 0), axis=0)
    order = shares.max().sort_values(ascending=False, kind="stable").index
    kept = list(order[:top])
    rest = list(order[top:])
    names = _names(sub)
    years = shares.index.to_numpy()
    if ax is None:
        ax = _new_axes()
    series = [(names[int(c)], shares[c]) for c in kept]
    if rest:
        series.append((f"others ({len(rest)})", shares[rest].sum(axis=1, min_count=1)))
    if kind == "line":
        for i, (label, s) in enumerate(series):
            is_rest = bool(rest) and i == len(series) - 1
            ax.plot(
                years,
                s.to_numpy(),
                label=label,
                lw=1.2 if is_rest else 1.8,
                ls="--" if is_rest else "-",
                color="0.55" if is_rest else None,
            )
    else:
        cycle = mpl.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        colours = [cycle[i % len(cycle)] for i in range(len(kept))] + (["0.8"] if rest else [])
        ax.stackplot(
            years,
            [s.fillna(0.0).to_numpy() for _, s in series],
            labels=[label for label, _ in series],
            colors=colours,
            alpha=0.9,
        )
    ax.set_xlim(years[0], years[-1])
    ax.set_xlabel("year")
    _integer_years(ax)
    ax.set_ylim(0, 1 if kind == "stack" else min(1.0, float(np.nanmax(shares.to_numpy())) * 1.12))
    ax.set_ylabel(_share_label(value, among, set_name))
    ax.grid(True, color="0.9", lw=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return ax


def plot_concentration(
    conc_frame: pd.DataFrame,
    columns: Sequence[str] = ("con", "n_eff"),
    ax: Axes | None = None,
) -> Axes:
    """Plot concentration measures over time.

    Columns bounded by [0, 1] (``hhi``, ``con``, ``gini``, ``top1``, ``top2``)
    use the left y axis; the others (``n_eff``, ``entropy``, ``n``) a second,
    right-hand y axis, so CON and the effective number of powers read together.

    Parameters
    ----------
    conc_frame : DataFrame
        The result of :func:`multipolar.power.concentration`: indexed by year,
        with the columns named in ``columns``.
    columns : sequence of str
        Columns to draw; CON and n_eff by default.
    ax : matplotlib Axes, optional
        Where to draw; a new figure through pyplot if None.

    Returns
    -------
    matplotlib Axes
        The left-hand axes (the right-hand one, if any, is its twin).

    Raises
    ------
    ImportError
        matplotlib is not installed.
    ValueError
        ``columns`` is empty or names a column the frame lacks.

    Examples
    --------
    >>> from multipolar.datasets import demo_world, demo_majors
    >>> from multipolar.power import concentration
    >>> from multipolar.plot import plot_concentration
    >>> world = demo_world()
    >>> conc = concentration(world[world["ccode"].isin(demo_majors())])
    >>> ax = plot_concentration(conc)  # doctest: +SKIP
    """
    func = "plot_concentration"
    mpl = _matplotlib()
    require_frame(conc_frame, func, "conc_frame")
    columns = list(columns)
    if not columns:
        raise ValueError(f"{func}: columns must name at least one column; got []")
    require_columns(conc_frame, columns, func, "conc_frame")
    if ax is None:
        ax = _new_axes()
    left = [c for c in columns if c in _UNIT_COLUMNS]
    right = [c for c in columns if c not in _UNIT_COLUMNS]
    if not left:
        left, right = right, []
    colours = mpl.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    years = conc_frame.index.to_numpy()
    handles = []
    for i, col in enumerate(left):
        (h,) = ax.plot(
            years,
            conc_frame[col].to_numpy(),
            color=colours[i % len(colours)],
            lw=1.8,
            label=_LABELS.get(col, col),
        )
        handles.append(h)
    ax.set_ylabel(", ".join(_LABELS.get(c, c) for c in left) if len(left) < 3 else "concentration")
    ax.grid(True, color="0.9", lw=0.6)
    if right:
        twin = ax.twinx()
        for i, col in enumerate(right, start=len(left)):
            (h,) = twin.plot(
                years,
                conc_frame[col].to_numpy(),
                color=colours[i % len(colours)],
                lw=1.8,
                ls="-.",
                label=_LABELS.get(col, col),
            )
            handles.append(h)
        twin.set_ylabel(", ".join(_LABELS.get(c, c) for c in right))
    if len(years):
        ax.set_xlim(years[0], years[-1])
    ax.set_xlabel(conc_frame.index.name or "year")
    _integer_years(ax)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.08 if right else 1.01, 1.0),
        frameon=False,
        fontsize="small",
    )
    return ax


def _shade_polarity(ax: Axes, labels: pd.Series) -> list[Any]:
    """Shade runs of equal polarity labels; return legend handles for them."""
    from matplotlib.patches import Patch

    years = labels.index.to_numpy()
    vals = labels.to_numpy()
    seen = []
    i = 0
    while i < len(vals):
        j = i
        while j + 1 < len(vals) and vals[j + 1] == vals[i] and years[j + 1] == years[j] + 1:
            j += 1
        colour = _POLARITY_COLOURS.get(vals[i]) if isinstance(vals[i], str) else None
        if colour is not None:
            ax.axvspan(years[i] - 0.5, years[j] + 0.5, color=colour, lw=0, zorder=0)
            if vals[i] not in seen:
                seen.append(vals[i])
        i = j + 1
    order = [k for k in _POLARITY_COLOURS if k in seen]
    return [Patch(facecolor=_POLARITY_COLOURS[k], label=k) for k in order]


def power_chart(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str | None = None,
    value: str = "cinc",
    among: object = None,
    top: int = 6,
    threshold: float = 0.15,
    unipolar: float | None = None,
    set_name: str | None = None,
) -> Figure:
    """Write a two-panel PNG: capability shares, and concentration with polarity.

    The top panel is :func:`plot_shares`; the bottom one is
    :func:`plot_concentration` of CON and the effective number of powers, on a
    background shaded by the polarity label of each year
    (:func:`multipolar.power.polarity` with ``threshold`` and ``unipolar``).

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and ``value``.
    path : str or path-like
        Where to write the figure; the format follows the extension (PNG for
        ``.png``).
    title : str, optional
        Figure title.
    value : str
        Capability column, ``"cinc"`` by default (recomputed if absent).
    among : None or "majors"
        The set analysed, as in :func:`multipolar.power.concentration`. To
        analyse states outside the COW tables (such as the synthetic demo
        world), filter ``df`` to them and keep ``among=None``.
    top : int
        Number of states drawn individually in the share panel.
    threshold : float
        Minimum share of a pole, as in :func:`multipolar.power.polarity`.
    unipolar : float or None
        Optional leader share that makes a year unipolar, as in
        :func:`multipolar.power.polarity`.
    set_name : str, optional
        What the set analysed is, for the share axis label (see :func:`plot_shares`).

    Returns
    -------
    matplotlib Figure
        Built without pyplot, so no figure stays open.

    Raises
    ------
    ImportError
        matplotlib is not installed.
    ValueError
        As :func:`plot_shares`, :func:`multipolar.power.concentration` and
        :func:`multipolar.power.polarity`.
    OSError
        ``path`` cannot be written.

    Examples
    --------
    >>> from multipolar.datasets import demo_world, demo_majors
    >>> from multipolar.plot import power_chart
    >>> world = demo_world()
    >>> majors = world[world["ccode"].isin(demo_majors())]
    >>> fig = power_chart(majors, "demo.png", title="Demo world")  # doctest: +SKIP
    """
    func = "power_chart"
    _matplotlib()
    from matplotlib.figure import Figure

    from .power import concentration, polarity

    require_frame(df, func)
    if among is not None and among != "majors":
        raise ValueError(f"{func}: among must be None or 'majors'; got {among!r}")
    df = _with_value(df, value)
    require_columns(df, ["ccode", "year", value], func)
    conc = concentration(df, value=value, among=among)
    pol = polarity(df, value=value, among=among, threshold=threshold, unipolar=unipolar)

    fig = Figure(figsize=(10, 7.5), layout="constrained")
    ax_shares, ax_conc = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    plot_shares(df, value=value, among=among, top=top, ax=ax_shares, set_name=set_name)
    ax_shares.set_xlabel("")
    # The polarity rule reads off the share panel: poles sit above the first
    # line, a unipolar leader above the second.
    for level, text in ((threshold, "pole"), (unipolar, "unipolar")):
        if level is not None and level < ax_shares.get_ylim()[1]:
            ax_shares.axhline(level, color="0.45", lw=0.8, ls=":", zorder=1)
            ax_shares.annotate(
                text,
                (1.0, level),
                xycoords=("axes fraction", "data"),
                xytext=(-3, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize="x-small",
                color="0.35",
            )
    plot_concentration(conc, ax=ax_conc)
    patches = _shade_polarity(ax_conc, pol["label"])
    if patches:
        legend = ax_conc.get_legend()
        handles = list(legend.legend_handles) if legend is not None else []
        ax_conc.legend(
            handles=handles + patches,
            loc="upper left",
            bbox_to_anchor=(1.08, 1.0),
            frameon=False,
            fontsize="small",
            title=f"polarity (poles: share >= {threshold:g})",
            title_fontsize="small",
            alignment="left",
        )
    if title:
        fig.suptitle(title, fontsize="large")
    fig.savefig(os.fspath(path), dpi=110)
    return fig


def plot_changepoints(result: Any, *key: Any, ax: Axes | None = None) -> Axes:
    """One series of a :class:`multipolar.ChangePoints` result with its breaks and segment means.

    ``key`` names the series (e.g. ``365, 710`` for a dyad; nothing for a single
    series). Observed values are dots joined where consecutive; each segment's
    mean is a horizontal line over the segment; each break a dashed vertical
    line at its first period.
    """
    ax = _new_axes() if ax is None else ax
    s = result.series(*key)
    ax.plot(s.index, s.to_numpy(), marker="o", markersize=3, linewidth=0.8, color="#555555",
            label="observed")
    seg = result.segments
    br = result.breaks
    for k, v in zip(result.keys, key):
        seg = seg[seg[k].to_numpy() == v]
        br = br[br[k].to_numpy() == v]
    for i, (start, end, mean) in enumerate(seg[["start", "end", "mean"]].itertuples(index=False)):
        ax.hlines(mean, start, end, colors="#c0392b", linewidth=2.0,
                  label="segment mean" if i == 0 else "_nolegend_")
    for i, t in enumerate(br[result.time]):
        ax.axvline(t, color="#2c3e50", linestyle="--", linewidth=1.0,
                   label="break" if i == 0 else "_nolegend_")
    title = " - ".join(str(v) for v in key) if key else "series"
    ax.set_title(f"{title}: {len(br)} break(s)")
    ax.set_xlabel(result.time)
    if np.issubdtype(np.asarray(s.index).dtype, np.integer):
        _integer_years(ax)
    ax.set_ylabel(str(result.info.get("measure", "value")))
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_blocs_over_time(result: Any, ax: Axes | None = None) -> Axes:
    """State-by-year heat map of bloc membership from :func:`multipolar.blocs_over_time`.

    Rows are states ordered by their most frequent bloc, then by mean margin
    (firmest first); the colour is the matched bloc label; white cells are years
    without data for the state.
    """
    ax = _new_axes() if ax is None else ax
    mpl = _matplotlib()
    lab = result.labels
    L = lab.to_numpy(dtype=np.float64)
    mode = np.array([np.bincount(r[~np.isnan(r)].astype(np.int64)).argmax()
                     if (~np.isnan(r)).any() else -1 for r in L])
    firm = np.nanmean(result.margin.to_numpy(dtype=np.float64), axis=1)
    order = np.lexsort([-np.nan_to_num(firm), mode])
    nb = int(np.nanmax(L)) + 1 if np.isfinite(L).any() else 1
    base = mpl.colormaps["tab10"].colors
    cmap = mpl.colors.ListedColormap([base[i % len(base)] for i in range(max(nb, 2))])
    ax.imshow(np.ma.masked_invalid(L[order]), aspect="auto", interpolation="nearest", cmap=cmap,
              vmin=-0.5, vmax=max(nb, 2) - 0.5)
    years = list(lab.columns)
    step = max(1, len(years) // 12)
    ax.set_xticks(range(0, len(years), step), [str(y) for y in years[::step]])
    if len(order) <= 60:
        ax.set_yticks(range(len(order)), [str(c) for c in lab.index[order]], fontsize="x-small")
    else:
        ax.set_yticks([])
    ax.set_xlabel("year")
    ax.set_ylabel("state (ordered by bloc)")
    ax.set_title(f"bloc membership over time (k = {result.k}), labels matched year to year")
    return ax
