"""Slow twin of ``_core.gdelt_parse`` at the level of ``multipolar.read_gdelt``: a
line-by-line ``split("\\t")`` reader of the 14 columns read_gdelt returns.

Field positions (0-based) are those of the GDELT 1.0 and 2.0 codebooks, equal
for the first 58 fields of both: 0 GlobalEventID, 1 Day (YYYYMMDD), 7/17
Actor1/2CountryCode, 25 IsRootEvent, 26-28 EventCode/BaseCode/RootCode, 29
QuadClass, 30 GoldsteinScale, 31-33 NumMentions/Sources/Articles, 34 AvgTone.
An empty code is missing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

FIELDS = {"event_id": 0, "date": 1, "actor1": 7, "actor2": 17, "event_code": 26,
          "base_code": 27, "root_code": 28, "quad_class": 29, "goldstein": 30,
          "num_mentions": 31, "num_sources": 32, "num_articles": 33, "avg_tone": 34,
          "is_root": 25}
CODES = ("actor1", "actor2", "event_code", "base_code", "root_code")


def read_gdelt(path) -> pd.DataFrame:
    """Every non-empty line of an uncompressed GDELT file, parsed with Python's int/float."""
    cols: dict[str, list] = {k: [] for k in FIELDS}
    with open(path, encoding="utf-8", newline="") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            f = line.split("\t")
            cols["event_id"].append(int(f[0]))
            cols["date"].append(dt.datetime.strptime(f[1], "%Y%m%d"))
            for c in CODES:
                cols[c].append(f[FIELDS[c]] or None)
            cols["quad_class"].append(int(f[29]))
            cols["goldstein"].append(float(f[30]) if f[30] else float("nan"))
            for c in ("num_mentions", "num_sources", "num_articles"):
                cols[c].append(int(f[FIELDS[c]]))
            cols["avg_tone"].append(float(f[34]) if f[34] else float("nan"))
            cols["is_root"].append(bool(int(f[25])))
    return pd.DataFrame({
        "event_id": np.array(cols["event_id"], np.int64),
        "date": pd.to_datetime(pd.Series(cols["date"], dtype=object)).astype("datetime64[ns]"),
        **{c: pd.Series(cols[c], dtype=object) for c in CODES},
        "quad_class": np.array(cols["quad_class"], np.int8),
        "goldstein": np.array(cols["goldstein"], np.float64),
        "num_mentions": np.array(cols["num_mentions"], np.int32),
        "num_sources": np.array(cols["num_sources"], np.int32),
        "num_articles": np.array(cols["num_articles"], np.int32),
        "avg_tone": np.array(cols["avg_tone"], np.float64),
        "is_root": np.array(cols["is_root"], bool),
    })


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Column by column: codes as strings (missing equal), numbers bitwise."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in got.columns:
        g, w = got[c], want[c]
        if c in CODES:
            g = g.astype(object).where(g.notna(), None).tolist()
            w = w.astype(object).where(w.notna(), None).tolist()
            assert g == w, c
        else:
            np.testing.assert_array_equal(g.to_numpy(), w.to_numpy(), err_msg=c)
