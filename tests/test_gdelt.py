"""read_gdelt and the C tokenizer: real files, formats, malformed input, direct _core calls;
CAMEO facts and goldstein()."""

from __future__ import annotations

import gc
import gzip
import sys
import warnings
import zipfile

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from multipolar import _core
from multipolar.cameo import (
    GROUPINGS,
    ROOT_CODES,
    goldstein,
    quad_class,
    read_goldstein_table,
    roots,
)
from multipolar.gdelt import COLUMNS

V2 = "20191024143000.export.CSV"
V1 = "gdelt1_events_sample_reed9999.tsv"


@pytest.fixture(scope="module")
def gdir(data_dir):
    return data_dir / "gdelt"


@pytest.fixture(scope="module")
def v2_lines(gdir):
    return (gdir / V2).read_bytes().split(b"\n")[:-1]


def reference(path) -> pd.DataFrame:
    """The obvious pandas parse of the same columns (strings kept as strings)."""
    raw = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False,
                      quoting=3)
    code = lambda c: raw[c].replace("", np.nan)
    return pd.DataFrame({
        "event_id": raw[0].astype(np.int64),
        "date": pd.to_datetime(raw[1], format="%Y%m%d"),
        "actor1": code(7), "actor2": code(17),
        "event_code": code(26), "base_code": code(27), "root_code": code(28),
        "quad_class": raw[29].astype(np.int8),
        "goldstein": raw[30].astype(np.float64),
        "num_mentions": raw[31].astype(np.int32),
        "num_sources": raw[32].astype(np.int32),
        "num_articles": raw[33].astype(np.int32),
        "avg_tone": raw[34].astype(np.float64),
        "is_root": raw[25].astype(np.int64).astype(bool),
    })


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in got.columns:
        g, w = got[c], want[c]
        if isinstance(g.dtype, pd.CategoricalDtype) or g.dtype == object:
            g = g.astype(object)
            w = w.astype(object)
            assert (g.isna() == w.isna()).all(), c
            assert (g[g.notna()].to_numpy() == w[w.notna()].to_numpy()).all(), c
        else:
            np.testing.assert_array_equal(g.to_numpy(), w.to_numpy(), err_msg=c)


def row(lines, i=0, **changes) -> bytes:
    """A real GDELT 2.0 line with some 0-based fields replaced (f7=b"USA", ...)."""
    fields = lines[i].split(b"\t")
    for k, v in changes.items():
        fields[int(k[1:])] = v
    return b"\t".join(fields)


# ---------------------------------------------------------------- real files


@pytest.mark.parametrize("name,nrows,ncols", [(V2, 2111, 61), (V1, 710, 58)])
def test_real_files_match_reference_parse(gdir, name, nrows, ncols):
    df = mp.read_gdelt(gdir / name)
    assert df.shape == (nrows, 14)
    assert {c: str(t) for c, t in df.dtypes.items()} == COLUMNS
    assert_same(df, reference(gdir / name))
    for c in ("actor1", "actor2", "event_code", "root_code"):
        cats = list(df[c].cat.categories)
        assert cats == sorted(cats)
    assert df["actor1"].cat.categories.equals(df["actor2"].cat.categories)


@pytest.mark.parametrize("name", [V2, V1])
def test_goldstein_and_quad_class_match_every_row(gdir, name):
    df = mp.read_gdelt(gdir / name)
    table = gdir / "lookups" / "CAMEO.goldsteinscale.txt"
    g = mp.goldstein(df["event_code"], table=table)
    assert isinstance(g, pd.Series)
    np.testing.assert_array_equal(g.to_numpy(), df["goldstein"].to_numpy())
    np.testing.assert_array_equal(quad_class(df["root_code"]), df["quad_class"].to_numpy())
    np.testing.assert_array_equal(quad_class(df["event_code"].astype(object)),
                                  df["quad_class"].to_numpy())
    plain = goldstein(df["event_code"].astype(object).tolist(), table=table)
    np.testing.assert_array_equal(plain, df["goldstein"].to_numpy())


def test_v1_file_mixes_57_and_58_fields(gdir):
    counts = {len(line.split(b"\t")) for line in (gdir / V1).read_bytes().splitlines()}
    assert counts == {57, 58}
    assert len(mp.read_gdelt(gdir / V1)) == 710


def test_cameo_root_names_match_codebook_file(gdir):
    tab = pd.read_csv(gdir / "lookups" / "CAMEO.eventcodes.txt", sep="\t", dtype=str)
    two = dict(zip(tab.iloc[:, 0], tab.iloc[:, 1].str.strip()))
    assert {k: v for k, v in two.items() if len(k) == 2} == ROOT_CODES
    r = roots()
    assert list(r["code"]) == [f"{i:02d}" for i in range(1, 21)]
    assert r["quad_gdelt"].tolist() == [1] * 5 + [2] * 4 + [3] * 5 + [4] * 6
    assert r["quad_icews"].tolist() == [1] * 5 + [2] * 3 + [3] * 5 + [4] * 7
    assert GROUPINGS["icews"]["09"] == 3 and GROUPINGS["gdelt"]["09"] == 2


def test_goldstein_table_and_unknown_codes(gdir):
    table = read_goldstein_table(gdir / "lookups" / "CAMEO.goldsteinscale.txt")
    assert len(table) == 311 and table["190"] == -10.0 and table.index.is_unique
    with pytest.warns(UserWarning, match="1 codes are not in the Goldstein table"):
        out = goldstein(["040", "999", None], table=table)
    assert out[0] == table["040"] and np.isnan(out[1]) and np.isnan(out[2])
    # an unused category outside the table (left after filtering a frame) is no unknown code
    cat = pd.Categorical(["040", "190"], categories=["040", "190", "999"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert goldstein(cat, table=table).tolist() == [table["040"], -10.0]
    with pytest.raises(TypeError, match="goldstein: event_codes must be strings"):
        goldstein([40], table=table)
    with pytest.raises(TypeError, match="list-like"):
        goldstein("040", table=table)
    with pytest.raises(ValueError, match="CAMEO root 01-20"):
        quad_class(["21"])
    with pytest.raises(ValueError, match="grouping must be"):
        quad_class(["01"], grouping="x")
    assert quad_class(pd.Series(["190", None])).tolist() == [4, 0]


# ---------------------------------------------------------------- containers and layouts


def test_gz_zip_glob_and_lists(gdir, tmp_path):
    raw = (gdir / V2).read_bytes()
    want = mp.read_gdelt(gdir / V2)
    gz = tmp_path / "a.export.CSV.gz"
    gz.write_bytes(gzip.compress(raw))
    zp = tmp_path / "b.export.CSV.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("b.export.CSV", raw)
    assert_same(mp.read_gdelt(gz), want)
    assert_same(mp.read_gdelt(zp), want)
    both = mp.read_gdelt(str(tmp_path / "*.export.CSV.*"), progress=False)
    assert len(both) == 2 * len(want)
    assert_same(both.iloc[len(want):].reset_index(drop=True), want)
    mixed = mp.read_gdelt([gdir / V1, gdir / V2], progress=False)
    assert len(mixed) == 710 + 2111


def test_crlf_missing_newline_and_blank_lines(gdir, tmp_path, v2_lines):
    want = mp.read_gdelt(gdir / V2)
    p = tmp_path / "crlf.CSV"
    p.write_bytes(b"\r\n".join(v2_lines))  # CRLF, no final newline
    assert_same(mp.read_gdelt(p), want)
    p.write_bytes(b"\n\n".join(v2_lines) + b"\n\n")
    assert_same(mp.read_gdelt(p), want)


def test_chunksize_iterates_the_same_rows(gdir):
    want = mp.read_gdelt([gdir / V2, gdir / V1])
    chunks = list(mp.read_gdelt([gdir / V2, gdir / V1], chunksize=1000, progress=False))
    assert sum(len(c) for c in chunks) == len(want)
    assert all(len(c) == 1000 for c in chunks[:-1])
    got = pd.concat([c.astype({k: object for k in ("actor1", "actor2", "event_code",
                                                   "base_code", "root_code")})
                     for c in chunks], ignore_index=True)
    assert_same(got, want.astype({k: object for k in ("actor1", "actor2", "event_code",
                                                      "base_code", "root_code")}))


def test_countries_filter_during_parse(gdir):
    full = mp.read_gdelt(gdir / V2)
    keep = ["USA", "CHN", "RUS", "GBR"]
    got = mp.read_gdelt(gdir / V2, countries=keep)
    mask = full["actor1"].isin(keep) & full["actor2"].isin(keep)
    assert len(got) == int(mask.sum()) > 0
    np.testing.assert_array_equal(got["event_id"], full.loc[mask, "event_id"])
    assert set(got["actor1"].cat.categories) <= set(keep)
    via_cow = mp.read_gdelt(gdir / V2, countries=[2, 710, 365, 200], codes="cow")
    np.testing.assert_array_equal(via_cow["event_id"], got["event_id"])
    with pytest.raises(TypeError, match="countries"):
        mp.read_gdelt(gdir / V2, countries="USA")
    with pytest.raises(ValueError, match="codes must be one of"):
        mp.read_gdelt(gdir / V2, codes="xx")


def test_threads_split_large_files_without_changing_the_result(gdir, tmp_path, monkeypatch):
    raw = (gdir / V2).read_bytes()
    p = tmp_path / "big.CSV"
    p.write_bytes(raw * 12)  # ~10 MB: several segments
    mp.set_num_threads(int("1"))
    one = mp.read_gdelt(p)
    mp.set_num_threads(int("3"))
    three = mp.read_gdelt(p)
    assert_same(three, one)
    assert len(one) == 12 * 2111
    # an error deep in the file names the right line, whatever the split
    lines = raw.split(b"\n")[:-1] * 12
    bad = 2111 * 9 + 17
    lines[bad] = lines[bad].replace(b"\t", b"\t\t", 1)
    p.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(ValueError, match=f"line {bad + 1} must have 61"):
        mp.read_gdelt(p)


# ---------------------------------------------------------------- malformed files


def _write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_bytes(b"\n".join(lines) + b"\n")
    return p


@pytest.mark.parametrize(
    "case,edit,match",
    [
        ("truncated", lambda ls: ls[:3] + [b"\t".join(ls[3].split(b"\t")[:40])] + ls[4:],
         "line 4 must have 61 tab-separated fields \\(GDELT 2.0\\); got 40"),
        ("extra_tabs", lambda ls: ls[:5] + [ls[5] + b"\textra"] + ls[6:],
         "line 6 must have 61 tab-separated fields \\(GDELT 2.0\\); got 62"),
        ("goldstein", lambda ls: ls[:2] + [row(ls, 2, f30=b"abc")] + ls[3:],
         "line 3 column 31 \\(GoldsteinScale\\) must be a number or empty; got 'abc'"),
        ("v1_row", lambda ls: ls[:7] + [b"\t".join(ls[7].split(b"\t")[:58])] + ls[8:],
         "line 8 must have 61 tab-separated fields \\(GDELT 2.0\\); got 58"),
        ("bad_date", lambda ls: ls[:1] + [row(ls, 1, f1=b"20190230")] + ls[2:],
         "line 2 column 2 \\(SQLDATE\\) must be a date"),
        ("quad", lambda ls: ls[:1] + [row(ls, 1, f29=b"5")] + ls[2:],
         "line 2 column 30 \\(QuadClass\\) must be 1, 2, 3 or 4; got '5'"),
        ("code", lambda ls: ls[:1] + [row(ls, 1, f7=b"U S")] + ls[2:],
         "line 2 column 8 \\(Actor1CountryCode\\) must be a code"),
    ],
)
def test_malformed_rows_strict_and_lenient(tmp_path, v2_lines, case, edit, match):
    lines = edit(list(v2_lines[:50]))
    p = _write(tmp_path, f"{case}.CSV", lines)
    with pytest.raises(ValueError, match=f"read_gdelt: file .*{case}.CSV.* {match}"):
        mp.read_gdelt(p)
    with pytest.warns(UserWarning, match="skipped 1 malformed rows; first: file"):
        df = mp.read_gdelt(p, strict=False)
    assert len(df) == len(lines) - 1
    assert df.attrs["skipped_rows"] == 1


def test_empty_file_and_bad_archives(tmp_path, gdir):
    empty = tmp_path / "empty.CSV"
    empty.write_bytes(b"")
    df = mp.read_gdelt(empty)
    assert df.shape == (0, 14) and {c: str(t) for c, t in df.dtypes.items()} == COLUMNS
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(ValueError, match="bad.zip.* not a readable zip archive"):
        mp.read_gdelt(bad)
    with pytest.warns(UserWarning, match="skipped 1 unreadable file"):
        assert len(mp.read_gdelt([bad, gdir / V1], strict=False, progress=False)) == 710
    badgz = tmp_path / "bad.gz"
    badgz.write_bytes(gzip.compress((gdir / V1).read_bytes())[:-40])
    with pytest.raises(ValueError, match="bad.gz"):
        mp.read_gdelt(badgz)
    with pytest.raises(FileNotFoundError, match="read_gdelt: paths"):
        mp.read_gdelt(tmp_path / "nope.CSV")
    with pytest.raises(FileNotFoundError, match="matches no file"):
        mp.read_gdelt(str(tmp_path / "*.none"))
    with pytest.raises(TypeError, match="paths must be"):
        mp.read_gdelt(3)
    with pytest.raises(ValueError, match="chunksize must be >= 1"):
        mp.read_gdelt(empty, chunksize=0)


def test_only_garbage_lines(tmp_path):
    p = _write(tmp_path, "junk.txt", [b"hello", b"a\tb\tc"])
    with pytest.raises(ValueError, match="junk.txt.* line 1 must have 57 or 58 \\(GDELT 1.0\\) or 61"):
        mp.read_gdelt(p)
    with pytest.warns(UserWarning, match="skipped 2 malformed rows"):
        assert len(mp.read_gdelt(p, strict=False)) == 0


@pytest.mark.parametrize(
    "text,value",
    [(b"1e1", 10.0), (b"-0.0", -0.0), (b".5", 0.5), (b"5.", 5.0), (b"+2.5", 2.5),
     (b"1.2345678901234567890123", 1.2345678901234567890123),
     (b"123456789012345678901234567890", 123456789012345678901234567890.0),
     (b"0.000000000000000000000000123", 1.23e-25), (b"9007199254740993", 9007199254740993.0),
     (b"", np.nan)],
)
def test_number_parsing_is_exact(tmp_path, v2_lines, text, value):
    p = _write(tmp_path, "n.CSV", [row(v2_lines, 0, f30=text, f34=text)])
    df = mp.read_gdelt(p)
    for c in ("goldstein", "avg_tone"):
        got = df[c].iloc[0]
        if np.isnan(value):
            assert np.isnan(got)
        else:
            assert got == value and np.signbit(got) == np.signbit(value)


@pytest.mark.parametrize("text", [b"1e", b"e5", b".", b"+", b"nan", b"inf", b"1.2.3", b"1 ", b"0x10"])
def test_bad_numbers_are_rejected(tmp_path, v2_lines, text):
    p = _write(tmp_path, "n.CSV", [row(v2_lines, 0, f30=text)])
    with pytest.raises(ValueError, match="GoldsteinScale"):
        mp.read_gdelt(p)


def test_fuzzed_lines_never_crash(v2_lines):
    rng = np.random.default_rng(7)
    base = b"\n".join(v2_lines[:30]) + b"\n"
    for _ in range(300):
        buf = bytearray(base)
        for _ in range(rng.integers(1, 8)):
            pos = int(rng.integers(0, len(buf)))
            op = rng.integers(0, 3)
            if op == 0:
                buf[pos] = int(rng.choice([9, 10, 13, 0, 255, 48, 45, 46]))
            elif op == 1:
                del buf[pos: pos + int(rng.integers(1, 50))]
            else:
                buf[pos:pos] = bytes(rng.integers(0, 256, int(rng.integers(1, 20)), dtype=np.uint8))
        data = bytes(buf)
        res = _core.gdelt_parse(data, 0, len(data), 0, False, [], [], [], [], None, "fuzz", 1)
        cols, end, nlines, nskip = res[0], res[1], res[2], res[3]
        assert end == len(data) and len(cols) == 14 and nskip <= nlines
        try:
            _core.gdelt_parse(data, 0, len(data), 0, True, [], [], [], [], None, "fuzz", 1)
        except ValueError as exc:
            assert "read_gdelt: file 'fuzz' line" in str(exc)


# ---------------------------------------------------------------- direct _core calls


def _good_args(buf):
    return [buf, 0, len(buf), 0, True, [], [], [], [], None, "x", 1]


@pytest.mark.parametrize(
    "pos,value,exc,match",
    [
        (0, 5, TypeError, "buf must support the buffer protocol"),
        (1, -1, ValueError, "start must be in"),
        (2, 10**9, ValueError, "stop must be in"),
        (3, 7, ValueError, "fmt must be 0"),
        (5, ["USA", 3], TypeError, "actor_vocab items must be str"),
        (5, ["USA", "USA"], ValueError, "actor_vocab items must be unique"),
        (6, ["x" * 16], ValueError, "event_vocab items must be 1 to 15"),
        (7, ["é"], ValueError, "base_vocab items must be 1 to 15 printable ASCII"),
        (8, ("01",), TypeError, "must be list"),
        (9, "USA", TypeError, "allowed must be None or a list"),
        (11, 0, ValueError, "line0 must be >= 1"),
        (10, b"x", TypeError, "must be str"),
    ],
)
def test_core_gdelt_parse_rejects_bad_arguments(v2_lines, pos, value, exc, match):
    args = _good_args(b"\n".join(v2_lines[:3]))
    args[pos] = value
    with pytest.raises(exc, match=match):
        _core.gdelt_parse(*args)


def test_core_gdelt_parse_windows_and_vocab_seed(v2_lines):
    buf = b"\n".join(v2_lines[:10]) + b"\n"
    cut = len(b"\n".join(v2_lines[:4])) + 5  # inside line 5: the window runs to its end
    cols, end, nlines, *_ = _core.gdelt_parse(buf, 0, cut, 0, True, [], [], [], [], None, "x", 1)
    assert nlines == 5 and len(cols[0]) == 5 and buf[end - 1:end] == b"\n"
    cols2, end2, nlines2, _, _, fmt, new, _ = _core.gdelt_parse(
        buf, end, len(buf), 2, True, ["ZZZ"], [], [], [], None, "x", 6)
    assert end2 == len(buf) and nlines2 == 5 and fmt == 2
    assert "ZZZ" not in new[0] and (cols2[2][cols2[2] >= 0] >= 1).all()


def test_core_gdelt_parse_refcounts_and_memory(v2_lines):
    buf = b"\n".join(v2_lines[:20]) + b"\n"
    vocab = ["USA"]
    before = (sys.getrefcount(buf), sys.getrefcount(vocab))
    for _ in range(100):
        out = _core.gdelt_parse(buf, 0, len(buf), 0, True, vocab, [], [], [], ["USA"], "x", 1)
        with pytest.raises(ValueError):
            _core.gdelt_parse(buf[:-300], 0, len(buf) - 300, 0, True, vocab, [], [], [], None,
                              "x", 1)
        with pytest.raises(TypeError):
            _core.gdelt_parse(buf, 0, len(buf), 0, True, [1], [], [], [], None, "x", 1)
    del out
    gc.collect()
    assert (sys.getrefcount(buf), sys.getrefcount(vocab)) == before
