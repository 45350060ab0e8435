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


# ---- files that are empty, cut short or out of their data's range ------------------------

NMC_HEAD = "ccode,year,milex,milper,irst,pec,tpop,upop\n"
ALLY_HEAD = ("version4id,ccode1,ccode2,dyad_st_year,dyad_end_year,defense,neutrality,"
             "nonaggression,entente,year\n")


@pytest.mark.parametrize("reader", ["read_nmc", "read_alliances", "read_unvotes", "read_trade",
                                    "read_idealpoints", "read_deu"])
def test_empty_and_header_only_files_are_input_errors(tmp_path, reader):
    """pandas' EmptyDataError and a TypeError about None once reached the user."""
    fn = getattr(mp, reader)
    with pytest.raises(mp.InputError, match=f"^{reader}: path must not be an empty file"):
        fn(_write(tmp_path, ""))
    header = {"read_nmc": NMC_HEAD, "read_alliances": ALLY_HEAD,
              "read_unvotes": "rcid,ccode,vote,year\n", "read_trade": "ccode,year,imports,exports\n",
              "read_idealpoints": "ccode,session,idealpointall\n",
              "read_deu": "isnr\tout\n"}[reader]
    with pytest.raises(ValueError, match=f"^{reader}: path"):
        fn(_write(tmp_path, header))


@pytest.mark.parametrize("reader,path", [
    ("read_nmc", "cow_nmc/NMC-60-abridged.csv"),
    ("read_unvotes", "un_votes/voeten_UNVotesPublished.csv.gz"),
    ("read_trade", "cow_trade/cow_trade_v4_state_year_peacesciencer.csv"),
])
def test_truncated_gz_is_an_input_error(tmp_path, data_dir, reader, path):
    import gzip

    raw = (data_dir / path).read_bytes()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)[: 2 << 20]
    packed = gzip.compress(raw)
    p = tmp_path / "cut.csv.gz"
    p.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(mp.InputError, match=f"^{reader}: path is a damaged compressed file"):
        getattr(mp, reader)(p)


@pytest.mark.parametrize("line,match", [
    ("USA,2,18", r"column 'year' must hold years in 1816..2022 .*; got 18 in data row 2"),
    ("USA,2,-5,1,1,1,1,1,1,0.1,2021", r"got -5 in data row 2"),
    ("USA,2,1e10,1,1,1,1,1,1,0.1,2021", r"got 10000000000.0 in data row 2"),
    ("USA,2,99999999999999999999,1,1,1,1,1,1,0.1,2021",
     r"column 'year' must hold integers in int64 range; got 99999999999999999999 in data row 2"),
    ("USA,1e30,1900,1,1,1,1,1,1,0.1,2021",
     r"column 'ccode' must hold integers in int64 range; got 1e\+30 in data row 2"),
])
def test_read_nmc_rejects_years_outside_cow_and_cut_lines(tmp_path, line, match):
    body = HEADER + "USA,2,1816,1,17,80,254,8659,101,0.1,2021\n" + line
    with pytest.raises(mp.InputError, match="^read_nmc: .*" + match):
        mp.read_nmc(_write(tmp_path, body))
    assert mp.io.NMC_YEARS == (1816, 2022)


def test_read_nmc_real_years_lie_in_the_documented_range(data_dir):
    for name in ("NMC-60-abridged.csv", "nmc_v7_abridged_peacesciencer.csv"):
        raw = pd.read_csv(data_dir / "cow_nmc" / name)
        lo, hi = mp.io.NMC_YEARS
        assert lo == raw["year"].min() and raw["year"].max() <= hi


@pytest.mark.parametrize("start,end", [(0, 50_000_000), (1981, 10**12), (-5, 1990), (1900, 2013)])
def test_read_alliances_bounds_year_zero_spans(tmp_path, start, end):
    """A two-line file once asked for gigabytes (end year 50,000,000) or 7 TiB (1e12)."""
    body = ALLY_HEAD + f"1,2,20,{start},{end},1,0,0,0,0\n1,2,20,1950,1950,1,0,0,0,1950\n"
    with pytest.raises(mp.InputError, match=r"^read_alliances: column 'dyad_(st|end)_year' must "
                                            r"hold years in 1816..2012"):
        mp.read_alliances(_write(tmp_path, body))


@pytest.mark.parametrize("source,year", [("cow", 1815), ("cow", 2013), ("atop", 1814),
                                         ("atop", 2019), ("atop", 10**10)])
def test_read_alliances_rejects_years_outside_the_source(tmp_path, source, year):
    names = {"cow": "cow_defense,cow_neutral,cow_nonagg,cow_entente",
             "atop": "atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul"}[source]
    nflags = len(names.split(","))
    body = f"ccode1,ccode2,year,{names}\n2,20,{year}," + ",".join(["1"] * nflags) + "\n"
    lo, hi = mp.io.ALLIANCE_YEARS[source]
    with pytest.raises(mp.InputError, match=f"column 'year' must hold years in {lo}..{hi}.*got {year}"):
        mp.read_alliances(_write(tmp_path, body), source=source)


def test_read_alliances_real_years_lie_in_the_documented_range(data_dir):
    for source, path in (("cow", "cow_alliance/cow_alliance_v4.1_directed_dyad_year_peacesciencer.csv"),
                         ("atop", "atop_alliance/atop5_directed_dyad_year_peacesciencer.csv")):
        years = pd.read_csv(data_dir / path, usecols=["year"])["year"]
        assert (years.min(), years.max()) == mp.io.ALLIANCE_YEARS[source]


@pytest.mark.parametrize("col,text", [("pfr", "abc"), ("sde", "x1"), ("out", "?")])
def test_read_deu_quotes_the_bad_text(tmp_path, col, text):
    from multipolar.io import DEU_ACTORS

    cols = ["isnr", "out"] + [f"p{a}" for a in DEU_ACTORS] + [f"s{a}" for a in DEU_ACTORS]
    good = ["1", "50"] + ["10"] * 30 + ["50"] * 30
    bad = list(good)
    bad[cols.index(col)] = text
    body = "\t".join(cols) + "\n" + "\t".join(good) + "\n" + "\t".join(bad) + "\n"
    with pytest.raises(mp.InputError) as info:
        mp.read_deu(_write(tmp_path, body, "d.tsv"))
    assert str(info.value) == f"read_deu: column {col!r} must be numeric; got {text!r} in data row 2"
