"""The bodies of :class:`~multipolar.relations.RelationMatrix`'s longer methods (frames in
and out, code conversion, symmetrizing, equality, display), kept apart so the class file
holds the class and its documented interface.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._validation import as_number
from . import frames as _frames
from ._common import (
    _INTEGER_SYSTEMS,
    _SHOW,
    _check_codes,
    _examples,
    _fmt_at,
    _normalize_actors,
    _plain,
    _year_of,
)

if TYPE_CHECKING:
    from .matrix import RelationMatrix

__all__: list[str] = []  # the bodies of RelationMatrix's methods: nothing public

_SYMMETRIZE = ("mean", "max", "min", "sum")
_REPR_ACTORS = 10  # actors shown by repr before an ellipsis


def _from_frame(
    cls: Any, df: Any, row: Hashable | None, col: Hashable | None, value: Hashable | None, *,
    codes: str | None, at: Any, actors: Any, fill: float, aggregate: Any, n: Hashable | None,
) -> RelationMatrix:
    """The body of :meth:`RelationMatrix.from_frame`: its defaults, then the pivot."""
    meta = _written_by_to_frame(df) if row is None and col is None else None
    pair = ("ccode1", "ccode2")
    if isinstance(df, pd.DataFrame) and not set(pair) <= set(df.columns) and {
        "actor1", "actor2"
    } <= set(df.columns):
        pair = ("actor1", "actor2")
    row = pair[0] if row is None else row
    col = pair[1] if col is None else col
    if meta is not None:
        # a frame as to_frame wrote it: its code system, time, actor order,
        # evidence counts and left-out diagonal come back, so the defaults round-trip
        codes = meta["codes"] if codes is None else codes
        at = meta["at"] if at is None else at
        actors = meta["actors"] if actors is None else actors
        n = "n" if n is None and "n" in df.columns else n
    out = _frames.from_frame(cls, df, row, col, value, codes=codes or "cow", at=at,
                             actors=actors, fill=fill, aggregate=aggregate, n=n)
    default_fill = isinstance(fill, float) and np.isnan(fill)
    if meta is not None and meta["diagonal"] is not None and default_fill:
        vals = out.values.copy()
        np.fill_diagonal(vals, meta["diagonal"])
        counts = out.n
        if counts is not None and meta.get("n_diagonal") is not None:
            counts = counts.copy()
            np.fill_diagonal(counts, meta["n_diagonal"])
        out = out._derive(vals, n=counts)
    return out


def _written_by_to_frame(df: Any) -> dict[str, Any] | None:
    """The record :meth:`RelationMatrix.to_frame` left in ``df.attrs``, if the frame still
    has the rows it wrote (a filtered or concatenated frame is read as any other)."""
    if not isinstance(df, pd.DataFrame):
        return None
    meta = df.attrs.get("relation_matrix")
    if not isinstance(meta, dict) or meta.get("rows") != len(df):
        return None
    if not {"actor1", "actor2"} <= set(df.columns):
        return None
    return meta


def _locate(m: RelationMatrix, key: Any) -> int:
    """Position of one actor key, read in the matrix's code system."""
    if isinstance(key, (list, tuple, slice, np.ndarray, pd.Index, pd.Series, set, dict)):
        raise TypeError(
            "RelationMatrix: key must be an actor or a pair of actors "
            f"(use .sub() for several); got {type(key).__name__}"
        )
    found: Any = None
    if isinstance(key, (bool, np.bool_)):
        pass
    elif m._codes in _INTEGER_SYSTEMS:
        if isinstance(key, (int, np.integer)):
            found = int(key)
        elif m._codes == "cow" and isinstance(key, str):
            # a string names a state by its COW abbreviation
            # in a COW-based matrix.
            from ..codes import lookup_state

            try:
                found = int(lookup_state(key, codes="cowabb", year=_year_of(m._at)))
            except (KeyError, ValueError, LookupError):
                found = None
            if found is None:
                # not a COW abbreviation: ISO3, ISO2 or an English name
                from .._validation import _lookup_any

                found = _lookup_any(key, "cowabb", _year_of(m._at))
    elif isinstance(key, str):
        found = key
    if found is not None:
        try:
            loc = m._actors.get_loc(found)
        except KeyError:
            loc = None
        if isinstance(loc, (int, np.integer)):
            return int(loc)
    where = ""
    if m._codes == "cow" and isinstance(key, str) and found is not None:
        where = f" (ccode {found})"
    raise KeyError(
        f"RelationMatrix: actor not found in {m._codes!r} actors; got {_plain(key)!r}{where}"
    )




def _to_codes(
    m: RelationMatrix, codes: str, year: int | None, errors: str = "raise"
) -> RelationMatrix:
    func = "RelationMatrix.to_codes"
    if errors not in ("raise", "drop"):
        raise ValueError(f"{func}: errors must be 'raise' or 'drop'; got {errors!r}")
    target = _check_codes(codes, func)
    if year is None:
        year = _year_of(m._at)
    elif isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"{func}: year must be an int; got {type(year).__name__} {year!r}")
    if target == m._codes:
        return m.copy()
    from ..codes import convert

    labels = m._actors.tolist()
    try:
        converted = list(convert(labels, from_=m._codes, to=target, year=year))
    except ValueError:
        if errors == "raise":
            raise
        converted = []
        for a in labels:  # one by one, to find the actors unknown in the matrix's system
            try:
                converted.append(convert([a], from_=m._codes, to=target, year=year)[0])
            except ValueError:
                converted.append(None)
    if len(converted) != len(labels):
        raise ValueError(
            f"{func}: conversion returned {len(converted)} codes for {len(labels)} actors"
        )
    unmatched = [
        a
        for a, c in zip(labels, converted)
        if c is None or (not isinstance(c, str) and pd.isna(c))
    ]
    if unmatched and errors == "drop":
        warnings.warn(
            f"{func}: dropped {len(unmatched)} of {len(labels)} actors with no code in "
            f"{target!r}" + (f" in {year}" if year is not None else "")
            + f": {', '.join(repr(_plain(a)) for a in unmatched)}",
            UserWarning, stacklevel=3,
        )
        keep = [a for a, c in zip(labels, converted) if a not in set(unmatched)]
        converted = [c for a, c in zip(labels, converted) if a not in set(unmatched)]
        m = m.sub(keep)
        labels = keep
    elif unmatched:
        raise ValueError(
            f"{func}: actors must have a code in {target!r}"
            + (f" in {year}" if year is not None else "")
            + f"; got none for {_examples(unmatched)}"
        )
    new = pd.Index(converted)
    if not new.is_unique:
        dup = new[new.duplicated()].unique()
        clashes = [
            f"{_examples([a for a, c in zip(labels, converted) if c == d])} -> {_plain(d)!r}"
            for d in dup[:_SHOW]
        ]
        raise ValueError(
            f"{func}: actors must map to distinct codes in {target!r}; got {'; '.join(clashes)}"
        )
    idx = _normalize_actors(new, target, func, arg="converted actors")
    return m._derive(m._values.copy(), actors=idx, codes=target)




def _to_frame(m: RelationMatrix, diagonal: bool, dropna: bool) -> pd.DataFrame:
    """The body of :meth:`RelationMatrix.to_frame`."""
    n = len(m._actors)
    pos = np.arange(n * n, dtype=np.intp)
    a1, a2 = np.divmod(pos, n) if n else (pos, pos)
    vals = m._values.ravel()
    counts = m.n.ravel() if m.n is not None else None
    mask = None
    if not diagonal:
        mask = a1 != a2
    if dropna:
        notna = ~np.isnan(vals)
        mask = notna if mask is None else mask & notna
    if mask is not None:
        a1, a2, vals = a1[mask], a2[mask], vals[mask]
        counts = counts[mask] if counts is not None else None
    else:
        vals = vals.copy()
        counts = counts.copy() if counts is not None else None
    cols = {
        "actor1": m._actors.take(a1),
        "actor2": m._actors.take(a2),
        "value": vals,
    }
    if counts is not None:
        cols["n"] = counts
    out = pd.DataFrame(cols)
    # what from_frame needs to rebuild the matrix from this frame with its defaults
    out.attrs["relation_matrix"] = {
        "codes": m._codes,
        "at": m._at,
        "actors": m._actors.tolist(),
        "diagonal": None if diagonal else np.diagonal(m._values).tolist(),
        "n_diagonal": None if diagonal or m.n is None else np.diagonal(m.n).tolist(),
        "rows": len(out),
    }
    return out


def _counts(n: Any, shape: tuple[int, ...], func: str) -> np.ndarray | None:
    """A checked read-only float64 copy of a count matrix (None stays None)."""
    if n is None:
        return None
    try:
        arr = np.array(n, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: n must be a numeric array of counts; got {type(n).__name__}") from None
    if arr.shape != shape:
        raise ValueError(f"{func}: n must have the shape of values {shape}; got {arr.shape}")
    if (arr < 0).any() or np.isinf(arr).any():
        raise ValueError(f"{func}: n must hold non-negative finite counts or NaN; got {arr[(arr < 0) | np.isinf(arr)][0]!r}")
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


def _symmetrized_counts(a: np.ndarray, n: np.ndarray | None, skipna: bool) -> np.ndarray | None:
    """The evidence of a symmetrized score: the smaller count of the directions used.

    Without ``skipna`` both directions enter every score; with it a direction
    whose score is NaN is left out, so its count is too.
    """
    if n is None:
        return None
    if not skipna:
        return np.ascontiguousarray(np.minimum(n, n.T))
    ok = ~np.isnan(a)
    big = np.inf
    left = np.where(ok, n, big)
    right = np.where(ok.T, n.T, big)
    out = np.minimum(left, right)
    return np.ascontiguousarray(np.where(np.isinf(out), np.nan, out))


def _symmetrized(a: np.ndarray, how: str, skipna: bool) -> np.ndarray:
    func = "RelationMatrix.symmetrize"
    if how not in _SYMMETRIZE:
        raise ValueError(
            f"{func}: how must be one of {', '.join(repr(h) for h in _SYMMETRIZE)}; got {how!r}"
        )
    b = a.T
    if how == "max":
        out = np.fmax(a, b) if skipna else np.maximum(a, b)
    elif how == "min":
        out = np.fmin(a, b) if skipna else np.minimum(a, b)
    elif not skipna:
        out = a + b
        if how == "mean":
            out *= 0.5
    else:
        a_ok = ~np.isnan(a)
        b_ok = a_ok.T
        total = np.where(a_ok, a, 0.0) + np.where(b_ok, b, 0.0)
        count = a_ok.astype(np.int8) + b_ok
        if how == "mean":
            out = np.full_like(a, np.nan)
            np.divide(total, count, out=out, where=count > 0)
        else:
            out = np.where(count > 0, total, np.nan)
    return np.ascontiguousarray(out)




def _equals(m: RelationMatrix, other: Any, rtol: Any, check_at: bool) -> bool:
    rtol = as_number(rtol, "RelationMatrix.equals", "rtol")
    if not rtol >= 0:
        raise ValueError(f"RelationMatrix.equals: rtol must be non-negative; got {rtol!r}")
    from .matrix import RelationMatrix

    if not isinstance(other, RelationMatrix):
        return False
    if m._codes != other._codes or len(m) != len(other):
        return False
    if check_at:
        if (m._at is None) != (other._at is None):
            return False
        if m._at is not None:
            try:
                if not bool(m._at == other._at) or type(m._at) is not type(other._at):
                    return False
            except (TypeError, ValueError):
                return False
    a = m._values
    b = other._values
    if not m._actors.equals(other._actors):
        perm = other._actors.get_indexer(m._actors)
        if (perm < 0).any():
            return False
        b = b[np.ix_(perm, perm)]
    a_nan = np.isnan(a)
    if not np.array_equal(a_nan, np.isnan(b)):
        return False
    a_inf = np.isinf(a)
    b_inf = np.isinf(b)
    if not np.array_equal(a_inf, b_inf) or not np.array_equal(a[a_inf], b[b_inf]):
        return False
    finite = ~(a_nan | a_inf)
    if not finite.any():
        return True
    af = a[finite]
    bf = b[finite]
    return bool(np.max(np.abs(af - bf)) <= rtol * np.max(np.abs(bf)))




def _text_repr(m: RelationMatrix) -> str:
    labels, cells, cut = m._display_grid(_REPR_ACTORS)
    lines = [m._summary()]
    if not labels:
        return lines[0]
    if cut is not None:
        labels = labels[:cut] + ["..."] + labels[cut:]
        cells = [row[:cut] + ["..."] + row[cut:] for row in cells]
        cells = cells[:cut] + [["..."] * len(labels)] + cells[cut:]
    width_label = max(len(s) for s in labels)
    widths = [max(len(labels[j]), *(len(row[j]) for row in cells)) for j in range(len(labels))]
    header = " " * width_label + "  " + "  ".join(s.rjust(w) for s, w in zip(labels, widths))
    lines.append(header.rstrip())
    for lab, row in zip(labels, cells):
        lines.append(
            lab.ljust(width_label) + "  " + "  ".join(s.rjust(w) for s, w in zip(row, widths))
        )
    if cut is not None:
        lines.append(f"[showing {len(labels) - 1} of {len(m)} actors]")
    return "\n".join(lines)




def _html_repr(m: RelationMatrix) -> str:
    labels, cells, cut = m._display_grid(_REPR_ACTORS)
    esc = [html.escape(s) for s in labels]
    ell = "&hellip;"
    if cut is not None:
        esc = esc[:cut] + [ell] + esc[cut:]
        cells = [row[:cut] + [ell] + row[cut:] for row in cells]
        cells = cells[:cut] + [[ell] * len(esc)] + cells[cut:]
    parts = ['<div class="multipolar-relationmatrix">', '<table class="dataframe">']
    parts.append(
        "<thead><tr><th></th>" + "".join(f"<th>{s}</th>" for s in esc) + "</tr></thead>"
    )
    parts.append("<tbody>")
    for lab, row in zip(esc, cells):
        parts.append(f"<tr><th>{lab}</th>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    n = len(m)
    note = (
        f"{html.escape(type(m).__name__)}: {n} &times; {n}, "
        f"codes={html.escape(repr(m._codes))}, at={html.escape(_fmt_at(m._at))}"
    )
    if cut is not None:
        note += f" (showing {len(esc) - 1} of {n} actors)"
    parts.append(f"<p>{note}</p></div>")
    return "\n".join(parts)
