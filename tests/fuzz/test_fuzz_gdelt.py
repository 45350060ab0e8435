"""The GDELT fuzz target itself: its oracle agrees with read_gdelt on the real files, a
short mutation run finds no mismatch, and a disagreement is caught (not swallowed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fuzz_gdelt
import gdelt_oracle
import multipolar as mp

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", ["20191024143000.export.CSV", "gdelt1_events_sample_reed9999.tsv"])
def test_oracle_reads_the_real_files_as_read_gdelt_does(data_dir, name):
    path = data_dir / "gdelt" / name
    rows, skipped = gdelt_oracle.parse(path.read_bytes())
    assert skipped == 0 and len(rows) in (2111, 710)
    assert gdelt_oracle.same_rows(gdelt_oracle.frame_rows(mp.read_gdelt(path)), rows)


def test_short_mutation_run_finds_no_mismatch(data_dir):
    corpus = fuzz_gdelt.seeds(per_file=5)
    before = fuzz_gdelt.STATS["runs"]
    runs = fuzz_gdelt.run_plain(2.0, corpus, rng_seed=5)
    assert runs - before > len(corpus)


def test_a_mismatch_is_reported(data_dir):
    data = fuzz_gdelt.seeds(per_file=1)[0]

    def wrong(buf):
        rows, skipped = gdelt_oracle.parse(buf)
        return rows[1:], skipped

    with pytest.raises(fuzz_gdelt.Mismatch, match="lenient"):
        fuzz_gdelt.check(data, parse=wrong)
    fuzz_gdelt.check(data)  # the right oracle agrees


def test_runner_stops_on_time_and_prints_its_count(data_dir, tmp_path):
    res = subprocess.run([sys.executable, str(HERE / "fuzz_gdelt.py"), "--plain", "--seconds", "1",
                          "--artifacts", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "executions in" in res.stdout and "0 mismatches" in res.stdout
