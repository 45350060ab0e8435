"""read_nmc on both real NMC files, on the raw COW layout's quirks and on bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import multipolar as mp

COLUMNS = ["ccode", "stateabb", "year", "milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]


def test_read_nmc_v6_raw_file(data_dir):
    path = data_dir / "cow_nmc" / "NMC-60-abridged.csv"
    nmc = mp.read_nmc(path)
    assert list(nmc.columns) == COLUMNS
    assert len(nmc) == 15951  # CRLF, no final newline: the last row is kept
    assert nmc["ccode"].dtype == np.int64 and nmc["year"].dtype == np.int64
    raw = pd.read_csv(path)
    # -9 became NaN, and only -9
    for c in ["milex", "milper", "irst", "pec", "tpop", "upop"]:
        assert nmc[c].isna().sum() == (raw[c] == -9).sum()
        keep = raw[c] != -9
        np.testing.assert_array_equal(nmc.loc[keep, c].to_numpy(), raw.loc[keep, c].to_numpy(float))
    assert nmc["milex"].isna().sum() == 2217
    row = nmc[(nmc.ccode == 2) & (nmc.year == 2000)].iloc[0]
    assert row["cinc"] == pytest.approx(0.14268766, abs=1e-12)
    assert row["stateabb"] == "USA"
    # scientific notation parsed
    assert (nmc["cinc"] < 1e-5).any()


def test_read_nmc_v7_fills_stateabb(data_dir):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    assert list(nmc.columns) == COLUMNS and len(nmc) == 17121
    assert nmc["stateabb"].notna().all()
    chn = nmc[(nmc.ccode == 710) & (nmc.year == 2022)].iloc[0]
    assert chn["stateabb"] == "CHN" and chn["cinc"] == pytest.approx(0.2340966, abs=1e-7)
    # the abbreviations agree with COW's own column in v6 wherever both have the state
    v6 = mp.read_nmc(data_dir / "cow_nmc" / "NMC-60-abridged.csv")
    m = v6[["ccode", "stateabb"]].drop_duplicates().merge(
        nmc[["ccode", "stateabb"]].drop_duplicates(), on="ccode", suffixes=("_v6", "_v7"))
    assert (m.stateabb_v6 == m.stateabb_v7).all()


def _write(tmp_path, text, name="nmc.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


HEADER = "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\r\n"


def test_read_nmc_crlf_no_final_newline_and_gzip(tmp_path):
    body = HEADER + "USA,2,1816,3823,17,80,254,8659,101,0.039697491,2021\r\nUKG,200,1816,-9,255,325,7664,19520,1098,3.3E-01,2021"
    nmc = mp.read_nmc(_write(tmp_path, body))
    assert len(nmc) == 2 and np.isnan(nmc.loc[1, "milex"]) and nmc.loc[1, "cinc"] == 0.33
    import gzip

    gz = tmp_path / "nmc.csv.gz"
    gz.write_bytes(gzip.compress(body.encode()))
    pd.testing.assert_frame_equal(mp.read_nmc(gz), nmc)


@pytest.mark.parametrize(
    "body, exc, match",
    [
        ("ccode,year,milex\n2,1816,1\n", ValueError,
         r"read_nmc: path is missing column\(s\) \['milper', 'irst', 'pec', 'tpop', 'upop'\]"),
        (HEADER + "USA,2,1816,abc,17,80,254,8659,101,0.1,2021\n", TypeError,
         "read_nmc: column 'milex' must be numeric; got dtype .* with value 'abc'"),
        (HEADER + "USA,2,1816,-5,17,80,254,8659,101,0.1,2021\n", ValueError,
         r"read_nmc: column 'milex' must be non-negative or -9 \(missing\); got -5.0 in data row 1"),
        (HEADER + "USA,2,1816,1,17,80,254,8659,101,0.1,2021\nUSA,2,1816,1,17,80,254,8659,101,0.1,2021\n",
         ValueError, r"read_nmc: df has duplicate \(ccode, year\) rows; got 1 duplicated key\(s\), e.g. \(2, 1816\)"),
        (HEADER + "XXX,9999,1816,1,17,80,254,8659,101,0.1,2021\n", ValueError,
         "read_nmc: file has ccode.* not COW states.*9999"),
        (HEADER + "USA,,1816,1,17,80,254,8659,101,0.1,2021\n", ValueError,
         "read_nmc: column 'ccode' must not be empty"),
    ],
    ids=["missing-columns", "non-numeric", "negative", "duplicate", "unknown-state", "empty-key"],
)
def test_read_nmc_bad_files(tmp_path, body, exc, match):
    with pytest.raises(exc, match=match):
        mp.read_nmc(_write(tmp_path, body))


def test_read_nmc_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        mp.read_nmc(tmp_path / "nope.csv")


def test_read_alliances_cow_year_zero_rows(tmp_path):
    # COW's by-dyad file: a year-0 row is spread over its dyad's years when
    # they are given, else left out and counted; rows are then mirrored.
    p = tmp_path / "ally.csv"
    p.write_text(
        "ccode1,ccode2,year,defense,neutrality,nonaggression,entente,dyad_st_year,dyad_end_year\n"
        "2,20,1950,1,0,0,0,1949,1950\n"
        "2,200,0,0,0,0,1,1951,1952\n"
        "20,200,0,0,1,0,0,,\n"
    )
    with pytest.warns(UserWarning, match=r"^read_alliances: left out 1 row\(s\) with year 0"):
        out = mp.read_alliances(p)
    assert out[["ccode1", "ccode2", "year", "code"]].to_numpy().tolist() == [
        [2, 20, 1950, 3], [20, 2, 1950, 3],
        [2, 200, 1951, 1], [200, 2, 1951, 1],
        [2, 200, 1952, 1], [200, 2, 1952, 1],
    ]
