"""Benchmark of the GDELT reader: read_gdelt against pandas.read_csv for the same columns.

The input is a GDELT 2.0 export of >= 300 MB (30 MB with ``--quick``) made by repeating the rows
of the real 15-minute file in ``../shared/data/gdelt``, written to a temporary directory.
Run ``python benchmarks/bench_gdelt.py [--quick]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multipolar as mp
from _timing import best_of, main, row

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SOURCE = DATA / "gdelt" / "20191024143000.export.CSV"
#: The 14 fields read_gdelt converts (0-based GDELT columns).
USECOLS = [0, 1, 7, 17, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]


def pandas_read(path: str) -> pd.DataFrame:
    """The idiomatic pandas read of the same columns (codes as strings, leading zeros kept)."""
    return pd.read_csv(path, sep="\t", header=None, usecols=USECOLS,
                       dtype={7: str, 17: str, 26: str, 27: str, 28: str})


def make_file(directory: str, megabytes: int) -> tuple[str, int]:
    raw = SOURCE.read_bytes()
    reps = -(-megabytes * 1_000_000 // len(raw))
    path = os.path.join(directory, "repeated.export.CSV")
    with open(path, "wb") as fh:
        fh.writelines(raw for _ in range(reps))
    return path, reps * raw.count(b"\n")


def rows(quick: bool = False) -> list[dict]:
    mb = 30 if quick else 310
    with tempfile.TemporaryDirectory() as tmp:
        path, nrows = make_file(tmp, mb)
        size = os.path.getsize(path)
        ours = best_of(lambda: mp.read_gdelt(path), 3)
        base = best_of(lambda: pandas_read(path), 1 if not quick else 2)
        got, want = mp.read_gdelt(path), pandas_read(path)
        assert len(got) == len(want) == nrows
        assert np.array_equal(got["avg_tone"].to_numpy(), want[34].to_numpy())
        assert (got["event_code"].astype(str).to_numpy() == want[26].to_numpy()).all()
    note = (f"pandas.read_csv(sep='\\t', usecols=14 cols); {size / 1e6:.0f} MB, "
            f"{nrows / 1e6:.2f}M rows; ours {size / ours / 1e6:.0f} MB/s "
            f"({nrows / ours / 1e6:.1f}M rows/s), pandas {size / base / 1e6:.0f} MB/s")
    return [row("read_gdelt (GDELT 2.0 file)", ours, base, note)]


if __name__ == "__main__":
    main(rows)
