"""Code systems, actor labels and display helpers shared by the relations modules."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

#: Code systems an actor index can be written in.
CODE_SYSTEMS = ("cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name")

# Systems whose codes are integers; all others are strings.
_INTEGER_SYSTEMS = frozenset({"cow", "gw"})
_SHOW = 8  # how many offending values an error message lists


def _examples(values: Any) -> str:
    """Format up to ``_SHOW`` values for an error message."""
    items = list(values)
    text = ", ".join(repr(_plain(v)) for v in items[:_SHOW])
    if len(items) > _SHOW:
        text += f", ... ({len(items)} in all)"
    return "[" + text + "]"


def _plain(value: Any) -> Any:
    """Turn NumPy scalars into Python ones so reprs stay short."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_codes(codes: Any, func: str, arg: str = "codes") -> str:
    if not isinstance(codes, str):
        raise TypeError(
            f"{func}: {arg} must be a string naming a code system; got {type(codes).__name__}"
        )
    if codes not in CODE_SYSTEMS:
        known = ", ".join(repr(c) for c in CODE_SYSTEMS)
        raise ValueError(f"{func}: {arg} must be one of {known}; got {codes!r}")
    return codes


def _check_at(at: Any, func: str) -> Any:
    """Normalise ``at``: None, a year (int) or a time (Timestamp or Period)."""
    if at is None:
        return None
    if isinstance(at, (bool, np.bool_)):
        raise TypeError(f"{func}: at must be None, a year (int) or a time; got bool {at!r}")
    if isinstance(at, (int, np.integer)):
        return int(at)
    if isinstance(at, pd.Period):
        return at
    if isinstance(at, (_dt.date, np.datetime64)):
        ts = pd.Timestamp(at)
        if pd.isna(ts):
            raise ValueError(f"{func}: at must not be a missing time; got {at!r}")
        return ts
    raise TypeError(
        f"{func}: at must be None, a year (int) or a time; got {type(at).__name__} {at!r}"
    )


def _year_of(at: Any) -> int | None:
    """The calendar year ``at`` refers to, or None."""
    if isinstance(at, int):
        return at
    if isinstance(at, (pd.Timestamp, pd.Period)):
        return int(at.year)
    return None


def _normalize_actors(actors: Any, codes: str, func: str, arg: str = "actors") -> pd.Index:
    """Return ``actors`` as a unique, non-missing pandas Index of one type.

    Integer systems give an int64 Index (integral floats are accepted); string
    systems need every label to be a ``str``.
    """
    if (
        actors is None
        or isinstance(actors, (str, bytes, dict, set, frozenset))
        or not pd.api.types.is_list_like(actors)
    ):
        raise TypeError(
            f"{func}: {arg} must be a list-like of actor codes; got {type(actors).__name__}"
        )
    try:
        idx = actors if isinstance(actors, pd.Index) else pd.Index(actors)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{func}: {arg} must be a 1-D list-like of actor codes; got {exc}"
        ) from None
    if isinstance(idx, pd.MultiIndex):
        raise TypeError(
            f"{func}: {arg} must be a 1-D list-like of actor codes; "
            f"got a MultiIndex with {idx.nlevels} levels"
        )
    if isinstance(idx.dtype, pd.CategoricalDtype):
        idx = pd.Index(np.asarray(idx))
    if len(idx) and idx.hasnans:
        n_missing = int(np.count_nonzero(idx.isna()))
        raise ValueError(f"{func}: {arg} must not contain missing values; got {n_missing} missing")
    kind = pd.api.types.infer_dtype(idx, skipna=False)
    if codes in _INTEGER_SYSTEMS:
        if kind == "empty":
            idx = pd.Index([], dtype=np.int64)
        elif kind == "integer":
            idx = pd.Index(np.asarray(idx, dtype=np.int64))
        elif kind in ("floating", "mixed-integer-float", "decimal"):
            arr = np.asarray(idx, dtype=np.float64)
            bad = ~np.isfinite(arr) | (arr != np.round(arr))
            if bad.any():
                raise TypeError(
                    f"{func}: {arg} must hold integer codes for codes={codes!r}; "
                    f"got non-integral values {_examples(arr[bad])}"
                )
            idx = pd.Index(arr.astype(np.int64))
        else:
            bad = [
                v
                for v in idx
                if isinstance(v, (bool, np.bool_))
                or not isinstance(v, (int, np.integer, float, np.floating))
            ] or list(idx[:3])
            hint = (
                " (string codes need codes='cowabb', 'iso3', ...)"
                if isinstance(bad[0], str)
                else ""
            )
            raise TypeError(
                f"{func}: {arg} must hold integer codes for codes={codes!r}; "
                f"got {type(bad[0]).__name__} values such as {_examples(bad[:3])}{hint}"
            )
    else:
        if kind == "empty":
            idx = pd.Index([], dtype=object)
        elif kind != "string":
            bad = [v for v in idx if not isinstance(v, str)]
            raise TypeError(
                f"{func}: {arg} must hold string codes for codes={codes!r}; "
                f"got {type(bad[0]).__name__} values such as {_examples(bad[:3])}"
            )
    if not idx.is_unique:
        dups = idx[idx.duplicated()].unique()
        raise ValueError(f"{func}: {arg} must be unique; got duplicates {_examples(dups)}")
    if idx.name is not None:
        idx = idx.rename(None)
    return idx


def _all_slots(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name not in ("__dict__", "__weakref__") and name not in names:
                names.append(name)
    return names


def _fmt_value(v: float) -> str:
    if np.isnan(v):
        return "NaN"
    return f"{v:.4g}"


def _fmt_at(at: Any) -> str:
    if at is None:
        return "None"
    if isinstance(at, pd.Timestamp):
        if at == at.normalize() and at.tz is None:
            return at.strftime("%Y-%m-%d")
        return at.isoformat()
    return str(at)


def _display_positions(n: int, max_actors: int) -> tuple[list[int], int | None]:
    """Positions to show and where (if anywhere) an ellipsis goes."""
    if n <= max_actors:
        return list(range(n)), None
    head = max(1, max_actors // 2)
    tail = max(1, max_actors - head)
    return list(range(head)) + list(range(n - tail, n)), head
