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
from hypothesis import example, given, settings
from hypothesis import strategies as st
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


def _kw(data, /, **changes):
    """Keyword arguments of a valid direct gdelt_parse call over all of data."""
    kw = dict(buf=data, start=0, stop=len(data), fmt=0, strict=True, actor_vocab=[],
              event_vocab=[], base_vocab=[], root_vocab=[], allowed=None, line0=1,
              segment=4 << 20)
    kw.update(changes)
    return kw


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
        segment = int(rng.choice([4096, 4 << 20]))
        res = _core.gdelt_parse(**_kw(data, strict=False, segment=segment))
        cols, end, nlines, nskip, problem = res[0], res[1], res[2], res[3], res[7]
        assert end == len(data) and len(cols) == 14 and nskip <= nlines
        assert (problem is None) == (nskip == 0)
        try:
            _core.gdelt_parse(**_kw(data, segment=segment))
        except ValueError as exc:
            assert exc.status in ("parse", "fields") and 1 <= exc.row <= nlines
            assert str(exc).startswith("gdelt_parse: buf")
            assert exc.row == problem.row and exc.text == problem.text


# ---------------------------------------------------------------- direct _core calls


@pytest.mark.parametrize(
    "name,value,exc,match",
    [
        ("buf", 5, TypeError, "buf must support the buffer protocol"),
        ("start", -1, ValueError, "start must be in"),
        ("stop", 10**9, ValueError, "stop must be in"),
        ("fmt", 7, ValueError, "fmt must be 0"),
        ("actor_vocab", ["USA", 3], TypeError, "actor_vocab items must be str"),
        ("actor_vocab", ["USA", "USA"], ValueError, "actor_vocab items must be unique"),
        ("event_vocab", ["x" * 16], ValueError, "event_vocab items must be 1 to 15"),
        ("base_vocab", ["é"], ValueError, "base_vocab items must be 1 to 15 printable ASCII"),
        ("root_vocab", ("01",), TypeError, "must be list"),
        ("allowed", "USA", TypeError, "allowed must be None or a list"),
        ("line0", 0, ValueError, "line0 must be >= 1"),
        ("segment", 100, ValueError, "segment must be >= 4096"),
        ("segment", "x", TypeError, "integer"),
    ],
)
def test_core_gdelt_parse_rejects_bad_arguments(v2_lines, name, value, exc, match):
    kw = _kw(b"\n".join(v2_lines[:3]), **{name: value})
    with pytest.raises(exc, match=match):
        _core.gdelt_parse(**kw)
    with pytest.raises(exc, match=match):
        _core.gdelt_parse(*kw.values())


def test_core_gdelt_parse_takes_keywords_and_positions(v2_lines):
    kw = _kw(b"\n".join(v2_lines[:30]) + b"\n", actor_vocab=["USA"])
    by_name, by_place = _core.gdelt_parse(**kw), _core.gdelt_parse(*kw.values())
    mixed = _core.gdelt_parse(*list(kw.values())[:5], **dict(list(kw.items())[5:]))
    for got in (by_place, mixed):
        assert got[1:] == by_name[1:]
        for a, b in zip(got[0], by_name[0]):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError):
        _core.gdelt_parse(**kw, source="x")
    with pytest.raises(TypeError):
        _core.gdelt_parse(*list(kw.values())[:-1])


def test_core_gdelt_parse_errors_are_structured(v2_lines):
    lines = list(v2_lines[:6])
    lines[2] = row(lines, 2, f29=b"5")
    lines[4] = b"\t".join(lines[4].split(b"\t")[:40])
    buf = b"\n".join(lines) + b"\n"
    with pytest.raises(ValueError) as info:
        _core.gdelt_parse(**_kw(buf, line0=10))
    e = info.value
    assert (e.status, e.argument, e.row, e.field, e.value, e.text, e.format) == (
        "parse", "buf", 12, 29, 5.0, b"5", 2)
    assert str(e) == "gdelt_parse: buf[29] does not parse; got 5.0 at row 12"
    assert not isinstance(e, mp.InputError)
    # lenient: the first problem comes back as the same structured error, not raised
    cols, _, nlines, nskip, _, _, _, problem = _core.gdelt_parse(**_kw(buf, strict=False))
    assert (len(cols[0]), nlines, nskip) == (4, 6, 2)
    assert (problem.status, problem.row, problem.field, problem.text) == ("parse", 3, 29, b"5")
    lines[2] = v2_lines[2]
    with pytest.raises(ValueError) as info:
        _core.gdelt_parse(**_kw(b"\n".join(lines)))
    e = info.value
    assert (e.status, e.row, e.field, e.value, e.text) == ("fields", 5, None, 40.0, b"")
    # a full vocabulary names the buffer's column, not the caller's list
    seed = [f"K{i}" for i in range(32767)]
    with pytest.raises(ValueError) as info:
        _core.gdelt_parse(**_kw(row(v2_lines, 0, f7=b"NEW"), actor_vocab=seed, strict=False))
    e = info.value
    assert (e.status, e.row, e.field, e.limit) == ("too_many", 1, 7, 32767)
    assert "actor_vocab" not in str(e) and "read_gdelt" not in str(e)
    long = row(v2_lines, 0, f30=b"1" * 60 + b"x")
    with pytest.raises(ValueError) as info:
        _core.gdelt_parse(**_kw(long))
    assert info.value.text == b"1" * 40 + b"..."


def test_read_gdelt_errors_are_input_errors(tmp_path, v2_lines):
    lines = list(v2_lines[:8])
    lines[5] = row(lines, 5, f7=b"U S")
    p = _write(tmp_path, "bad.CSV", lines)
    with pytest.raises(mp.InputError) as info:
        mp.read_gdelt(p)
    e = info.value
    assert (e.function, e.argument, e.row, e.value) == ("read_gdelt", "Actor1CountryCode", 6, b"U S")
    assert str(e) == (f"read_gdelt: file {str(p)!r} line 6 column 8 (Actor1CountryCode) must be "
                      "a code of at most 15 printable ASCII characters; got 'U S'")


def test_lenient_warning_quotes_the_first_bad_line(tmp_path, v2_lines):
    lines = list(v2_lines[:20])
    lines[3] = row(lines, 3, f30=b"abc")
    lines[9] = row(lines, 9, f29=b"7")
    lines[12] = lines[12] + b"\tmore"
    p = _write(tmp_path, "two.CSV", lines)
    with pytest.warns(UserWarning) as rec:
        df = mp.read_gdelt(p, strict=False)
    assert len(df) == 17 and df.attrs["skipped_rows"] == 3
    (w,) = rec
    assert str(w.message) == (
        f"read_gdelt: skipped 3 malformed rows; first: file {str(p)!r} line 4 column 31 "
        "(GoldsteinScale) must be a number or empty; got 'abc'")


def _synthetic(i: int, actor1: bytes, actor2: bytes = b"USA", **fields: bytes) -> bytes:
    """A made-up GDELT 2.0 line (61 fields) with event id i and the given actors."""
    f = [b""] * 61
    f[0], f[1], f[7], f[17] = str(i).encode(), b"20191024", actor1, actor2
    f[25:35] = [b"1", b"042", b"042", b"04", b"1", b"1.9", b"2", b"2", b"2", b"-1.5"]
    f[60] = b"https://example.org/" + b"x" * 100  # SOURCEURL: makes the file several MB
    for k, v in fields.items():
        f[int(k[1:])] = v
    return b"\t".join(f)


@pytest.fixture(scope="module")
def too_many_actors(tmp_path_factory):
    """33,000 lines, each with a new Actor1CountryCode (USA, every line's Actor2, is the
    second code) and two malformed lines, whose codes are never added: the 32,768th actor
    code is A32768 on line 32,769."""
    lines = [_synthetic(i, f"A{i}".encode()) for i in range(33000)]
    lines[100] = _synthetic(100, b"A100", f29=b"9")
    lines[20000] = _synthetic(20000, b"A20000", f31=b"-1")
    p = tmp_path_factory.mktemp("gdelt") / "actors.export.CSV"
    p.write_bytes(b"\n".join(lines) + b"\n")
    return p


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("segment", ["default", "small", "whole"])
def test_full_vocabulary_is_the_same_error_for_any_thread_count(
        too_many_actors, monkeypatch, strict, segment):
    from multipolar import gdelt

    size = too_many_actors.stat().st_size
    assert size > 4 << 20  # several default segments
    sizes = {"default": gdelt._SEGMENT, "small": 256 << 10, "whole": 2 * size}
    monkeypatch.setattr(gdelt, "_SEGMENT", sizes[segment])
    seen = []
    for n in (1, 2, 4):
        mp.set_num_threads(n)
        with pytest.raises(mp.InputError) as info:
            mp.read_gdelt(too_many_actors, strict=strict)
        seen.append((str(info.value), info.value.row, info.value.value))
    assert seen[0] == seen[1] == seen[2]
    if strict:
        assert seen[0][0].endswith("line 101 column 30 (QuadClass) must be 1, 2, 3 or 4; got '9'")
    else:
        assert seen[0] == (
            f"read_gdelt: more than 32767 distinct actor codes in file {str(too_many_actors)!r}; "
            "the first that does not fit is 'A32768' at line 32769 column 8 (Actor1CountryCode)",
            32769, b"A32768")


def test_vocabulary_just_full_reads_the_same_for_any_thread_count(tmp_path, monkeypatch):
    from multipolar import gdelt

    # 32,766 actor codes plus USA: exactly full; two malformed lines in different segments
    lines = [_synthetic(i, f"A{i}".encode()) for i in range(32766)]
    lines[5] = _synthetic(5, b"A5", f1=b"20191324")
    lines[30000] = _synthetic(30000, b"A30000", f30=b"x")
    p = _write(tmp_path, "full.CSV", lines)
    monkeypatch.setattr(gdelt, "_SEGMENT", 512 << 10)
    frames, warned = [], []
    for n in (1, 2, 4):
        mp.set_num_threads(n)
        with pytest.warns(UserWarning) as rec:
            frames.append(mp.read_gdelt(p, strict=False))
        warned.append([str(w.message) for w in rec])
    assert warned[0] == warned[1] == warned[2]
    assert warned[0] == [f"read_gdelt: skipped 2 malformed rows; first: file {str(p)!r} line 6 "
                         "column 2 (SQLDATE) must be a date YYYYMMDD in 1678-2261; got '20191324'"]
    for df in frames[1:]:
        assert_bitwise(df, frames[0])
    assert len(frames[0]) == 32764
    assert len(frames[0]["actor1"].cat.categories) == 32764 + 1  # A5 and A30000 never added


def assert_bitwise(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes, bytes; categoricals with the same categories in the same order
    and the same codes."""
    assert list(got.columns) == list(want.columns)
    for c in got.columns:
        g, w = got[c], want[c]
        assert g.dtype == w.dtype, c
        if isinstance(g.dtype, pd.CategoricalDtype):
            assert list(g.cat.categories) == list(w.cat.categories), c
            g, w = g.cat.codes, w.cat.codes
        assert g.to_numpy().tobytes() == w.to_numpy().tobytes(), c


@pytest.mark.parametrize("name", [V2, V1])
def test_segments_on_threads_give_bitwise_identical_frames(gdir, monkeypatch, name):
    from multipolar import gdelt

    whole = mp.read_gdelt(gdir / name)  # one segment
    monkeypatch.setattr(gdelt, "_SEGMENT", 16 << 10)  # dozens of segments
    for n in (1, 2, 4):
        mp.set_num_threads(n)
        before = _core.threads_started()
        df = mp.read_gdelt(gdir / name)
        started = _core.threads_started() - before
        assert started >= n - 1 if n > 1 else started == 0
        assert_bitwise(df, whole)


def test_codes_systems_are_the_codes_modules():
    from multipolar import codes, gdelt

    assert gdelt.SYSTEMS is codes.SYSTEMS
    with pytest.raises(ValueError, match="'cow', 'cowabb'"):
        mp.read_gdelt(__file__, codes="fips")


def test_core_gdelt_parse_windows_and_vocab_seed(v2_lines):
    buf = b"\n".join(v2_lines[:10]) + b"\n"
    cut = len(b"\n".join(v2_lines[:4])) + 5  # inside line 5: the window runs to its end
    cols, end, nlines, *_ = _core.gdelt_parse(**_kw(buf, stop=cut))
    assert nlines == 5 and len(cols[0]) == 5 and buf[end - 1:end] == b"\n"
    cols2, end2, nlines2, _, _, fmt, new, _ = _core.gdelt_parse(
        **_kw(buf, start=end, fmt=2, actor_vocab=["ZZZ"], line0=6))
    assert end2 == len(buf) and nlines2 == 5 and fmt == 2
    assert "ZZZ" not in new[0] and (cols2[2][cols2[2] >= 0] >= 1).all()


def test_core_gdelt_parse_refcounts_and_memory(v2_lines):
    buf = b"\n".join(v2_lines[:20]) + b"\n"
    vocab = ["USA"]
    before = (sys.getrefcount(buf), sys.getrefcount(vocab))
    for _ in range(100):
        out = _core.gdelt_parse(**_kw(buf, actor_vocab=vocab, allowed=["USA"]))
        with pytest.raises(ValueError):
            _core.gdelt_parse(**_kw(buf[:-300], actor_vocab=vocab))
        with pytest.raises(TypeError):
            _core.gdelt_parse(**_kw(buf, actor_vocab=[1]))
        lenient = _core.gdelt_parse(**_kw(buf[:-300] + b"x\n", strict=False, segment=4096))
        assert lenient[7] is not None
    del out, lenient
    gc.collect()
    assert (sys.getrefcount(buf), sys.getrefcount(vocab)) == before


# ---------------------------------------------------------------- number parsing, as Python does

#: Field kind -> (GDELT column, frame column).
_NUMERIC = {"gold": (30, "goldstein"), "tone": (34, "avg_tone"), "ment": (31, "num_mentions"),
            "src": (32, "num_sources"), "art": (33, "num_articles"), "date": (1, "date")}
_REJECT = object()


def _python_value(kind: str, text: str):
    """What Python's own float()/int()/date make of a field's text (_REJECT: the reader must
    skip the line). The reader's documented narrowing of Python's rules: ASCII digits only, no
    surrounding whitespace, no underscores, no nan/inf; integers within the column's range;
    dates exactly YYYYMMDD in 1678-2261."""
    import datetime
    import math

    if not text.isascii() or any(c in text for c in "_ \t") or any(
            w in text.lower() for w in ("nan", "inf")):
        return _REJECT
    if kind in ("gold", "tone"):
        if text == "":
            return math.nan
        try:
            v = float(text)
        except ValueError:
            return _REJECT
        return v if math.isfinite(v) else _REJECT
    if kind == "date":
        if len(text) != 8 or not text.isdigit():
            return _REJECT
        try:
            day = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return _REJECT
        return np.datetime64(day, "ns") if 1678 <= day.year <= 2261 else _REJECT
    try:
        v = int(text)
    except ValueError:
        return _REJECT
    return v if 0 <= v < 2**31 else _REJECT


_floats = st.floats(allow_nan=False, allow_infinity=False)
_field_texts = st.one_of(
    _floats.map(repr),
    st.tuples(_floats, st.sampled_from("efgE"), st.integers(0, 40)).map(
        lambda t: format(t[0], f".{t[2]}{t[1]}")),
    st.from_regex(r"\A[+-]?([0-9]{1,40}(\.[0-9]{0,40})?|\.[0-9]{1,40})([eE][+-]?[0-9]{1,3})?\Z"),
    st.integers(-(2**40), 2**40).map(str),
    st.integers(-5, 2**31 + 5).map(lambda v: f"{v:+d}" if v % 3 == 0 else f"{v:08d}"),
    st.tuples(st.integers(1600, 2300), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]:04d}{t[1]:02d}{t[2]:02d}"),
    st.text(alphabet="0123456789+-.eE_ xnaif", max_size=12),
)


@pytest.fixture(scope="module")
def number_file(tmp_path_factory):
    return tmp_path_factory.mktemp("numbers") / "numbers.export.CSV"


@settings(max_examples=200, deadline=None)
@example(cases=[("gold", "0." + "0" * 70 + "1"), ("tone", format(-1e300, ".30f"))])
@given(cases=st.lists(st.tuples(st.sampled_from(sorted(_NUMERIC)), _field_texts),
                      min_size=1, max_size=6))
def test_number_fields_parse_as_python_does(number_file, cases):
    """Every numeric field text is kept exactly as Python's float()/int()/date read it
    (bitwise, sign of zero included), or its line is skipped where Python refuses it."""
    lines = [_synthetic(i, b"USA", **{f"f{_NUMERIC[kind][0]}": text.encode()})
             for i, (kind, text) in enumerate(cases)]
    number_file.write_bytes(b"\n".join(lines) + b"\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = mp.read_gdelt(number_file, strict=False)
    kept = dict(zip(df["event_id"].tolist(), range(len(df))))
    for i, (kind, text) in enumerate(cases):
        want = _python_value(kind, text)
        assert (i not in kept) == (want is _REJECT), (kind, text)
        if want is _REJECT:
            continue
        got = df[_NUMERIC[kind][1]].to_numpy()[kept[i]]
        if kind in ("gold", "tone"):
            assert np.array(got).tobytes() == np.array(want, dtype=np.float64).tobytes() or (
                np.isnan(got) and np.isnan(want)), (kind, text)
        else:
            assert got == want, (kind, text)


# ---------------------------------------------------------------- files that change or break


_SHRINK = r"""
import sys, warnings
import multipolar as mp
from multipolar import gdelt

path, strict = sys.argv[1], sys.argv[2] == "1"
gdelt._WINDOW = 64 << 10  # several windows, so the file is read again after the cut
real = gdelt._Parser.parse
calls = [0]

def parse(self, buf, start, stop, state, source):
    calls[0] += 1
    if calls[0] == 1:  # another process cuts the file while it is being read
        with open(path, "r+b") as fh:
            fh.truncate(100_000)
    return real(self, buf, start, stop, state, source)

gdelt._Parser.parse = parse
try:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        df = mp.read_gdelt(path, strict=strict)
    print("rows", len(df), "|", " / ".join(str(w.message) for w in rec))
except mp.InputError as exc:
    print("error", exc)
"""


@pytest.mark.parametrize("strict", [True, False])
def test_file_cut_short_while_read_is_reported_not_a_crash(tmp_path, gdir, strict):
    """A file truncated by another process during the read: the reader once mapped the
    file and died of SIGBUS; now an error (strict) or the rows read with a warning."""
    import subprocess

    p = tmp_path / "shrinks.export.CSV"
    p.write_bytes((gdir / V2).read_bytes() * 3)  # ~3 MB
    script = tmp_path / "shrink.py"
    script.write_text(_SHRINK)
    res = subprocess.run([sys.executable, str(script), str(p), "1" if strict else "0"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, (res.returncode, res.stderr[-2000:])
    out = res.stdout
    assert "was cut short while being read" in out and "of its" in out, out
    if strict:
        assert out.startswith("error read_gdelt: file") and "good rows" in out, out
    else:
        nrows = int(out.split()[1])
        assert 0 < nrows < 3 * 2111 and f"kept the {nrows} rows" in out, out


def test_truncated_gz_keeps_and_reports_the_rows_before_the_cut(tmp_path, gdir):
    raw = (gdir / V2).read_bytes()
    packed = gzip.compress(raw * 4)
    p = tmp_path / "cut.export.CSV.gz"
    p.write_bytes(packed[: len(packed) // 2])
    # the rows before the cut are exactly the leading whole lines that gzip can still give
    d = __import__("zlib").decompressobj(wbits=31)
    readable = d.decompress(packed[: len(packed) // 2])
    whole = readable[: readable.rfind(b"\n") + 1]
    want = whole.count(b"\n")
    with pytest.warns(UserWarning) as rec:
        df = mp.read_gdelt(p, strict=False)
    assert 0 < len(df) <= want and len(df) > want - 2111  # at most one read step lost
    (w,) = rec
    assert f"kept the {len(df)} rows read before" in str(w.message)
    assert "skipped" not in str(w.message)
    assert df["event_id"].tolist() == reference_ids(raw * 4)[: len(df)]
    with pytest.raises(mp.InputError, match=f"after {len(df)} good rows"):
        mp.read_gdelt(p)


def reference_ids(data: bytes) -> list[int]:
    return [int(line.split(b"\t", 1)[0]) for line in data.split(b"\n") if line]


def test_unknown_countries_raise(gdir):
    with pytest.raises(mp.InputError, match="countries must be CAMEO country codes; got \\['XXX'\\]"):
        mp.read_gdelt(gdir / V2, countries=["USA", "XXX"])
    with pytest.raises(mp.InputError, match="'XXX'"):
        list(mp.read_gdelt(gdir / V2, countries=["XXX"], chunksize=100))
    # region codes CAMEO uses as countries are fine when the files hold them
    ref = reference(gdir / V2)
    keep = ref["actor1"].isin(["USA", "AFR"]) & ref["actor2"].isin(["USA", "AFR"])
    assert len(mp.read_gdelt(gdir / V2, countries=["USA", "AFR"])) == int(keep.sum()) > 0
    with pytest.raises(ValueError) as info:
        mp.read_gdelt(gdir / V2, countries=["Narnia"], codes="name")
    assert str(info.value).startswith("read_gdelt: countries") and "convert" not in str(info.value)


@pytest.mark.parametrize("text", [
    "1." + "0" * 70, "-" + "3" * 80 + "e-80", "0." + "1234567890" * 7, "9" * 64 + ".5e-60",
    "+" + "0" * 100 + "7.25",
])
def test_long_goldstein_numbers_parse_as_python_does(tmp_path, v2_lines, text):
    assert len(text) > 63
    p = _write(tmp_path, "long.CSV", [row(v2_lines, 0, f30=text.encode(), f34=text.encode())])
    df = mp.read_gdelt(p)
    assert df["goldstein"].iloc[0] == float(text) and df["avg_tone"].iloc[0] == float(text)


def test_ctrl_c_stops_a_long_read(tmp_path, gdir, monkeypatch):
    """Ctrl-C (interrupt_main from a timer thread) stops read_gdelt between windows
    instead of after the whole input."""
    import _thread
    import threading

    from multipolar import gdelt

    p = tmp_path / "long.export.CSV"
    p.write_bytes((gdir / V2).read_bytes() * 8)  # ~8 MB
    monkeypatch.setattr(gdelt, "_WINDOW", 64 << 10)  # ~130 windows
    calls = []
    real = gdelt._Parser.parse
    monkeypatch.setattr(gdelt._Parser, "parse",
                        lambda self, *a: (r := real(self, *a), calls.append(1))[0])

    def ctrl_c():
        while not calls:
            threading.Event().wait(0.005)
        _thread.interrupt_main()

    t = threading.Thread(target=ctrl_c)
    t.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            mp.read_gdelt(p)
    finally:
        t.join()
    assert 0 < len(calls) < (p.stat().st_size >> 16)
