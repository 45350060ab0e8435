"""The ``multipolar`` command (also ``python -m multipolar``).

Subcommands
-----------
demo
    The polarity report and power chart of the package's synthetic demo world.
power
    The same report and chart for a Correlates of War NMC file.

Handled errors (a missing or unreadable file, bad data, an unwritable output
directory, matplotlib missing) print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["main", "power_report"]

_PROG = "multipolar"
_DEMO_PNG = "multipolar_demo_power.png"
_POWER_PNG = "multipolar_power.png"
#: Parity band of the transition line (power.transition's default).
_PARITY = (0.8, 1.25)


class _CommandError(Exception):
    """A user-facing failure: printed on stderr, exit status 2."""


# --------------------------------------------------------------------------- report


def _report_years(years: np.ndarray) -> list[int]:
    """First year, each decade year, last year."""
    if len(years) == 0:
        return []
    first, last = int(years[0]), int(years[-1])
    picked = {first, last}
    picked.update(int(y) for y in years if y % 10 == 0)
    return sorted(picked)


def _run_of(flags: pd.Series, year: int) -> tuple[int, int] | None:
    """First and last year of the run of consecutive True flags containing ``year``."""
    if year not in flags.index or not flags.loc[year]:
        return None
    years = flags.index.to_numpy()
    vals = flags.to_numpy()
    i = int(np.flatnonzero(years == year)[0])
    lo = hi = i
    while lo > 0 and vals[lo - 1] and years[lo - 1] == years[lo] - 1:
        lo -= 1
    while hi + 1 < len(vals) and vals[hi + 1] and years[hi + 1] == years[hi] + 1:
        hi += 1
    return int(years[lo]), int(years[hi])


def power_report(
    df: pd.DataFrame,
    value: str = "cinc",
    among: object = None,
    threshold: float = 0.15,
    unipolar: float | None = None,
) -> list[str]:
    """Lines of a concise polarity report.

    One row for the first year, each decade and the last year: the leading
    state, its share within the set analysed, CON, the effective number of
    powers, the number of poles and the polarity label
    (:func:`multipolar.power.concentration` and :func:`multipolar.power.polarity`).
    Then the last change of leader, with the capability ratio and parity band of
    the pair from :func:`multipolar.power.transition`, over the years both are
    in the set.

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year``, ``value`` and, for labels,
        ``stateabb``.
    value : str
        Capability column, ``"cinc"`` by default.
    among : None or "majors"
        The set analysed, as in :func:`multipolar.power.concentration`.
    threshold : float
        Minimum share of a pole, as in :func:`multipolar.power.polarity`.
    unipolar : float or None
        Optional leader share that makes a year unipolar, as in
        :func:`multipolar.power.polarity`.

    Returns
    -------
    list of str
        The report's lines, without line ends.
    """
    from .io import NMC_COMPONENTS
    from .power import cinc, concentration, polarity, transition

    if value == "cinc" and "cinc" not in df.columns and set(NMC_COMPONENTS) <= set(df.columns):
        df = df.assign(cinc=cinc(df))
    conc = concentration(df, value=value, among=among)
    pol = polarity(df, value=value, among=among, threshold=threshold, unipolar=unipolar)
    pol = pol[pol["n_poles"] > 0]
    if pol.empty:
        return [f"No state of the set analysed has a {value!r} value."]
    if "stateabb" in df.columns:
        first = df.drop_duplicates("ccode")
        names = {int(c): str(s) for c, s in zip(first["ccode"], first["stateabb"])}
    else:
        names = {}

    def name(code: int) -> str:
        return names.get(int(code), str(code))

    leaders = pol["poles"].map(lambda p: int(p[0]))
    header = (
        f"{'year':>4}  {'leader':<6}  {'share':>5}  {'CON':>5}  {'n_eff':>5}  {'poles':>5}  "
        f"{'polarity':<10}  pole states"
    )
    lines = [header, ""]
    for year in _report_years(pol.index.to_numpy()):
        row = pol.loc[year]
        con = conc.loc[year, "con"]
        con_txt = f"{con:5.3f}" if np.isfinite(con) else f"{'-':>5}"
        pole_names = " ".join(name(p) for p in row["poles"])
        lines.append(
            f"{year:>4}  {name(leaders.loc[year]):<6}  {row['top_share']:5.3f}  {con_txt}  "
            f"{conc.loc[year, 'n_eff']:5.2f}  {row['n_poles']:>5}  {row['label']:<10}  {pole_names}"
        )

    lines[1] = "-" * max(len(line) for line in lines)
    lines.append("")
    changes = leaders.index[1:][leaders.to_numpy()[1:] != leaders.to_numpy()[:-1]]
    y0, y1 = int(pol.index[0]), int(pol.index[-1])
    if len(changes) == 0:
        lines.append(f"Transition: none; {name(leaders.iloc[0])} leads every year {y0}-{y1}.")
        return lines
    year = int(changes[-1])
    challenger = int(leaders.loc[year])
    incumbent = int(leaders.iloc[leaders.index.get_loc(year) - 1])
    in_set = df
    if among == "majors":
        from .codes import is_major

        in_set = df[is_major(df["ccode"].to_numpy(), df["year"].to_numpy())]
    tr = transition(in_set, challenger, incumbent, value=value, parity=_PARITY)
    c, i = name(challenger), name(incumbent)
    takes = tr.index[(tr["overtake"] & (tr["leader"] == challenger)).to_numpy()]
    if len(takes) == 0:
        span = f" ({int(tr.index[0])}-{int(tr.index[-1])})" if len(tr) else ""
        lines.append(
            f"Transition: {c} leads from {year}, after {i}; it did not overtake {i} "
            f"while both were in the set{span}."
        )
        return lines
    year = int(takes[-1])
    text = f"Transition: {c} overtakes {i} in {year}"
    if len(takes) > 1:
        flips = int(tr["overtake"].sum())
        text += f" (first in {int(takes[0])}; the lead changed hands {flips} times)"
    lines.append(text + ".")
    ratio = tr["ratio"]
    parts = [
        f"{int(y)} {ratio.loc[y]:.2f}"
        for y in dict.fromkeys((int(ratio.index[0]), year, int(ratio.index[-1])))
    ]
    label = value.upper() if value == "cinc" else value
    lines.append(f"  {label} ratio {c}/{i}: " + ", ".join(parts) + ".")
    run = _run_of(tr["parity"], year)
    if run is not None:
        lo, hi = _PARITY
        lines.append(f"  At parity (ratio {lo:g}-{hi:g}) {run[0]}-{run[1]}.")
    return lines


# --------------------------------------------------------------------------- commands


def _out_dir(arg: str | None) -> Path:
    out = Path(arg) if arg is not None else Path.cwd()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _CommandError(
            f"--out directory cannot be created; got {str(out)!r}: {exc.strerror}"
        ) from None
    if not out.is_dir():
        raise _CommandError(f"--out must be a directory; got {str(out)!r}")
    return out


def _rule(threshold: float, unipolar: float | None) -> str:
    text = f"a pole holds a share >= {threshold:g}; the label counts poles"
    if unipolar is not None:
        text += f" (unipolar also when the leader holds >= {unipolar:g})"
    return text


#: Outlook settings: paths, projected years, calibration window (years before the last).
_OUTLOOK_PATHS, _OUTLOOK_YEARS, _OUTLOOK_WINDOW = 20_000, 20, 25


def _outlook_lines(frame: pd.DataFrame, among: object, args: argparse.Namespace) -> list[str]:
    """A Monte Carlo outlook: polarity-label probabilities and the runner-up's chance
    of overtaking the leader (multipolar.project on the same set of states)."""
    from .power import polarity
    from .projection import project

    last = int(frame["year"].max())
    pol = polarity(frame, among=among, threshold=args.threshold, unipolar=args.unipolar)
    leaders = frame[frame["year"] == last].dropna(subset=["cinc"])
    if among is None:
        in_set = leaders
    elif among == "majors":
        from .codes import is_major

        in_set = leaders[is_major(leaders["ccode"].to_numpy(), leaders["year"].to_numpy())]
    else:
        in_set = leaders[leaders["ccode"].isin(list(among))]
    top = in_set.sort_values("cinc", ascending=False)["ccode"].tolist()
    if len(top) < 2 or pol.empty:
        return []
    first, second = int(top[0]), int(top[1])
    name = dict(zip(frame["ccode"], frame["stateabb"]))
    proj_among = list(in_set["ccode"]) if among is None else among
    try:
        proj = project(frame, years=_OUTLOOK_YEARS, paths=_OUTLOOK_PATHS,
                       window=(last - _OUTLOOK_WINDOW, last), among=proj_among,
                       pairs=[(second, first)], seed=args.seed if hasattr(args, "seed") else 2026,
                       threshold=args.threshold, unipolar=args.unipolar)
    except ValueError as exc:
        return ["", f"Outlook: not projected ({' '.join(str(exc).split())})."]
    probs = proj.polarity()
    over = proj.overtaking()["p_by"]
    end = last + _OUTLOOK_YEARS
    out = [
        "",
        (
            f"Outlook: Monte Carlo projection, {_OUTLOOK_PATHS:,} paths, log-growth calibrated on "
            f"{last - _OUTLOOK_WINDOW}-{last} (a projection under stated assumptions, not a forecast)."
        ),
    ]
    for year in (last + _OUTLOOK_YEARS // 2, end):
        row = probs.loc[year]
        out.append(f"  in {year}: P(unipolar) {row['unipolar']:.3f}, P(bipolar) {row['bipolar']:.3f}, "
                   f"P(multipolar) {row['multipolar']:.3f}")
    p_by = float(over.iloc[-1]) if len(over) else float("nan")
    out.append(f"  P({name[second]} overtakes {name[first]} by {end}) = {p_by:.3f}")
    return out


def _present(
    args: argparse.Namespace,
    intro: list[str],
    frame: pd.DataFrame,
    among: object,
    png: str,
    title: str,
    set_name: str,
) -> int:
    """Print the intro, the report and, unless --no-plot, write and name the chart."""
    out = None if args.no_plot else _out_dir(args.out)
    try:
        lines = power_report(frame, among=among, threshold=args.threshold, unipolar=args.unipolar)
    except (ValueError, TypeError) as exc:
        raise _CommandError(f"data cannot be analysed: {exc}") from None
    intro = intro + [
        f"  Shares of CINC within that set; {_rule(args.threshold, args.unipolar)}.",
        "",
    ]
    lines += _outlook_lines(frame, among, args)
    print("\n".join(intro + lines))
    if out is None:
        return 0
    from .plot import power_chart

    path = out / png
    try:
        power_chart(
            frame,
            path,
            title=title,
            among=among,
            threshold=args.threshold,
            unipolar=args.unipolar,
            set_name=set_name,
        )
    except ImportError as exc:
        raise _CommandError(str(exc)) from None
    except OSError as exc:
        raise _CommandError(f"chart cannot be written; got {str(path)!r}: {exc}") from None
    print(f"\nChart: {path.resolve()}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .datasets import demo_majors, demo_states, demo_world

    world = demo_world(seed=args.seed)
    states = demo_states()
    majors = states[states["major"]]
    frame = world[world["ccode"].isin(demo_majors())]
    y0, y1 = int(world["year"].min()), int(world["year"].max())
    intro = [
        "multipolar demo: a SYNTHETIC world of invented states -- not real data.",
        (
            f"  {len(states)} invented states (codes {states['ccode'].min()}-"
            f"{states['ccode'].max()}), {y0}-{y1}, seed {args.seed}."
        ),
        f"  Analysed: the {len(majors)} demo major powers ("
        + ", ".join(f"{a} {n}" for a, n in zip(majors["stateabb"], majors["name"]))
        + ").",
    ]
    title = f"Synthetic demo world (not real data): demo major powers {y0}-{y1}, seed {args.seed}"
    return _present(args, intro, frame, None, _DEMO_PNG, title, "the demo major powers")


def _cmd_power(args: argparse.Namespace) -> int:
    from .io import read_nmc
    from .power import cinc

    path = Path(args.nmc)
    if not path.exists():
        raise _CommandError(f"--nmc file not found; got {str(path)!r}")
    if path.is_dir():
        raise _CommandError(f"--nmc must be a file, not a directory; got {str(path)!r}")
    try:
        nmc = read_nmc(path)
        # CINC recomputed from the components, so files without a cinc column
        # work alike; it matches COW's published column to COW's rounding.
        frame = nmc.assign(cinc=cinc(nmc))
    except OSError as exc:
        raise _CommandError(f"--nmc file cannot be read; got {str(path)!r}: {exc}") from None
    except (ValueError, TypeError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise _CommandError(
            f"--nmc is not a readable NMC file; got {str(path)!r} ({' '.join(str(exc).split())})"
        ) from None
    if frame.empty:
        raise _CommandError(f"--nmc file has no rows; got {str(path)!r}")
    among = "majors" if args.among == "majors" else None
    set_name = "COW major powers" if among else "all states"
    y0, y1 = int(frame["year"].min()), int(frame["year"].max())
    intro = [
        f"multipolar power: COW National Material Capabilities, {path.name}",
        f"  {frame['ccode'].nunique()} states, {len(frame)} state-years, {y0}-{y1}.",
        (
            f"  Analysed: {'the COW major powers of each year' if among else 'all states'};"
            " CINC recomputed from the six components."
        ),
    ]
    title = f"Capability and polarity, {set_name}, {y0}-{y1} ({path.name})"
    return _present(args, intro, frame, among, _POWER_PNG, title, set_name)


def _share(text: str) -> float:
    """argparse type: a share in (0, 1]."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1]; got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1]; got {text!r}")
    return v


def _seed(text: str) -> int:
    """argparse type: a non-negative int."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative int; got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative int; got {text!r}")
    return v


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", metavar="DIR", help="directory for the PNG (default: current directory)"
    )
    p.add_argument("--no-plot", action="store_true", help="print the report only")
    p.add_argument(
        "--threshold",
        type=_share,
        default=0.15,
        metavar="S",
        help="minimum share of a pole within the set (default: 0.15)",
    )
    p.add_argument(
        "--unipolar",
        type=_share,
        default=None,
        metavar="S",
        help="also call a year unipolar when the leader holds at least this share (default: off)",
    )


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Capability, concentration and polarity of the international system.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="report and chart on the package's synthetic demo world (not real data)",
        description="Polarity report and power chart of the package's seeded, synthetic demo "
        "world of invented states. Not real data.",
    )
    demo.add_argument(
        "--seed", type=_seed, default=2026, help="seed of the demo world (default: 2026)"
    )
    _add_common(demo)
    demo.set_defaults(run=_cmd_demo)

    power = sub.add_parser(
        "power",
        help="report and chart on a COW National Material Capabilities file",
        description="Polarity report and power chart of a Correlates of War NMC file "
        "(abridged CSV, v5.0-v7.0).",
    )
    power.add_argument("--nmc", metavar="PATH", required=True, help="NMC CSV file")
    power.add_argument(
        "--among",
        choices=("majors", "all"),
        default="majors",
        help="set analysed: COW major powers of each year (default) or all states",
    )
    _add_common(power)
    power.set_defaults(run=_cmd_power)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``multipolar`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage error or a handled failure (the
        message goes to stderr, without a traceback).

    Examples
    --------
    >>> from multipolar.__main__ import main
    >>> main(["demo", "--no-plot"])  # doctest: +SKIP
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(None if argv is None else [os.fspath(a) for a in argv])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.run(args))
    except _CommandError as exc:
        print(f"{_PROG} {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{_PROG} {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
