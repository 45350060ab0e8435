"""Slow twin of ``_core.similarity_years`` at the level of ``multipolar.similarity``:
every directed dyad of every year, measure by measure, from the item-by-item
definitions in ``tests/reference_similarity.py`` (imported, not copied)."""

from __future__ import annotations

import pandas as pd

import reference_similarity as _defs


def similarity_years(data: pd.DataFrame, kind: str, measures, years=None,
                     members=None) -> pd.DataFrame:
    """All directed dyads of the given years (default: every year of ``data``).

    ``kind="unvote"``: ``data`` has rcid, ccode, year, vote. ``kind="alliance"``:
    ``data`` has ccode1, ccode2, year, code and ``members(year)`` gives the
    year's sorted members. Rows are ordered by year, then ccode1, then ccode2.
    """
    years = sorted(data["year"].unique()) if years is None else list(years)
    parts = []
    for y in years:
        if kind == "unvote":
            parts.append(_defs.unvote_year(data, y, tuple(measures)))
        else:
            parts.append(_defs.alliance_year(data, list(members(y)), y, tuple(measures)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["ccode1", "ccode2", "year", "n", *measures])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["year", "ccode1", "ccode2"], kind="stable").reset_index(drop=True)
