"""Bad input to every public reader and function: one table of (function, bad input,
expected exception, message fragment).

Every row must raise the expected exception type (no crash, no raw pandas/NumPy/gzip
error, no bare ZeroDivisionError), with a message that starts with the public function's
name and contains the fragment: the argument or column, and the value as the user wrote
it where there is one. The suite also runs in the sanitizer stage of ``.ci/run``, where
each case is checked for out-of-bounds reads and writes as well.
"""

from __future__ import annotations

import gzip
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar.io import DEU_ACTORS
from multipolar.relations import RelationMatrix


@dataclass(frozen=True)
class Case:
    id: str
    func: str  # the public name the message must start with
    run: Callable[[Any], Any]  # called with the tmp-path file writer
    exc: type[BaseException]
    fragment: str


CASES: list[Case] = []


def case(id: str, func: str, run: Callable[[Any], Any], exc: type[BaseException],
         fragment: str) -> None:
    CASES.append(Case(id, func, run, exc, fragment))


# ---------------------------------------------------------------- small valid inputs


def nmc_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [(c, y) for y in range(1990, 1996) for c in (2, 200, 220, 255, 365, 710, 740)]
    df = pd.DataFrame(rows, columns=["ccode", "year"])
    for comp in mp.io.NMC_COMPONENTS:
        df[comp] = rng.random(len(df)) * 100 + 1
    return df


def trade_frame() -> pd.DataFrame:
    rows = []
    for y in (2000, 2001):
        for a, b in ((2, 20), (20, 2), (2, 200), (200, 2), (20, 200), (200, 20)):
            rows.append((a, b, y, float(a + b), float(a * 2 + y % 7)))
    return pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "flow1", "flow2"])


def ally_frame() -> pd.DataFrame:
    rows = []
    for y in (1990, 1991):
        for a, b in ((2, 20), (20, 2), (2, 200), (200, 2), (20, 200), (200, 20)):
            rows.append((a, b, y, 3))
    return pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "code"])


def events() -> pd.DataFrame:
    return pd.DataFrame({
        "actor1": ["USA", "RUS", "CHN", "USA"], "actor2": ["RUS", "USA", "USA", "CHN"],
        "goldstein": [1.0, -2.0, 3.0, 0.5], "quad_class": np.array([1, 4, 2, 1], np.int8),
        "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-09", "2024-02-02"]),
    })


def matrix() -> RelationMatrix:
    v = np.array([[1.0, 0.8, -0.5, -0.6], [0.8, 1.0, -0.4, -0.7],
                  [-0.5, -0.4, 1.0, 0.9], [-0.6, -0.7, 0.9, 1.0]])
    return RelationMatrix(v, actors=[2, 200, 365, 710])


def actors() -> pd.DataFrame:
    return pd.DataFrame({"actor": ["a", "b", "c"], "position": [10.0, 50.0, 90.0],
                         "capability": [1.0, 2.0, 3.0], "salience": [0.5, 0.9, 0.3]})


def votes() -> pd.DataFrame:
    rows = [(r, c, 1990, float(1 + (r + c) % 3)) for r in range(6) for c in (2, 20, 200, 365)]
    return pd.DataFrame(rows, columns=["rcid", "ccode", "year", "vote"])


def with_value(df: pd.DataFrame, col: str, row: int, value: Any) -> pd.DataFrame:
    out = df.copy()
    out[col] = out[col].astype(object)
    out.loc[row, col] = value
    return out


# ---------------------------------------------------------------- readers: files


NMC_HEAD = "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\n"
NMC_ROW = "USA,2,1816,3823,17,80,254,8659,101,0.04,2021\n"
ALLY_COW = "ccode1,ccode2,year,cow_defense,cow_neutral,cow_nonagg,cow_entente\n"
ALLY_ATOP = "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n"
TRADE_DY = "ccode1,ccode2,year,flow1,flow2\n"
TRADE_NAT = "ccode,year,imports,exports\n"
VOETEN = "rcid,ccode,vote,year\n"
IDEAL = "ccode,session,idealpointall,nvotesall\n"


def deu_text(col: str | None = None, value: str = "") -> str:
    cols = ["isnr", "out"] + [f"p{a}" for a in DEU_ACTORS] + [f"s{a}" for a in DEU_ACTORS]
    good = ["1", "50"] + ["10"] * 30 + ["50"] * 30
    bad = list(good)
    if col is not None:
        bad[cols.index(col)] = value
    return "\t".join(cols) + "\n" + "\t".join(good) + "\n" + "\t".join(bad) + "\n"


def reader(func: str, text: str | bytes, name: str = "f.csv", **kw: Any) -> Callable:
    def run(write):
        return getattr(mp, func)(write(name, text), **kw)
    return run


def gz_cut(text: str) -> bytes:
    packed = gzip.compress(text.encode() * 2000)
    return packed[: len(packed) // 2]


# empty, header-only, damaged: every CSV reader
for func, head, row in (("read_nmc", NMC_HEAD, NMC_ROW), ("read_alliances", ALLY_COW, "2,20,1900,1,0,0,0\n"),
                        ("read_trade", TRADE_NAT, "2,1990,1,2\n"), ("read_unvotes", VOETEN, "1,2,1,1990\n"),
                        ("read_idealpoints", IDEAL, "2,50,0.5,100\n")):
    case(f"{func}-empty", func, reader(func, ""), ValueError, "path must not be an empty file")
    case(f"{func}-header-only", func, reader(func, head), ValueError, "path")
    case(f"{func}-truncated-gz", func, reader(func, gz_cut(head + row * 50), "f.csv.gz"), ValueError,
         "path is a damaged compressed file")
    case(f"{func}-not-gzip", func, reader(func, b"\x1f\x8bnot really gzip", "f.csv.gz"), ValueError,
         "path is a damaged compressed file")
    case(f"{func}-binary", func, reader(func, b"\xff\xfe\x00\x81" * 50), ValueError, "path")
    case(f"{func}-wrong-layout", func, reader(func, "a,b,c\n1,2,3\n"), ValueError, "path")
    case(f"{func}-missing-file", func, lambda w, f=func: getattr(mp, f)(str(w.dir / "nope.csv")),
         FileNotFoundError, "")

# read_nmc: keys, years, values
for i, (line, exc, frag) in enumerate([
    ("USA,2,18", ValueError, "column 'year' must hold years in 1816..2022"),
    ("USA,2,-5,1,1,1,1,1,1,0.1,2021", ValueError, "got -5 in data row 2"),
    ("USA,2,1e10,1,1,1,1,1,1,0.1,2021", ValueError, "column 'year' must hold years"),
    ("USA,2,99999999999999999999,1,1,1,1,1,1,0.1,2021", ValueError, "got 99999999999999999999"),
    ("USA,2,2023,1,1,1,1,1,1,0.1,2021", ValueError, "got 2023 in data row 2"),
    ("USA,2,1815,1,1,1,1,1,1,0.1,2021", ValueError, "got 1815 in data row 2"),
    ("USA,1e30,1900,1,1,1,1,1,1,0.1,2021", ValueError, "got 1e+30 in data row 2"),
    ("USA,2.5,1900,1,1,1,1,1,1,0.1,2021", ValueError, "column 'ccode' must hold integers; got 2.5"),
    ("USA,,1900,1,1,1,1,1,1,0.1,2021", ValueError, "column 'ccode' must not be empty"),
    ("USA,2,,1,1,1,1,1,1,0.1,2021", ValueError, "column 'year' must not be empty"),
    ("USA,2,1900.5,1,1,1,1,1,1,0.1,2021", ValueError, "column 'year' must hold integers; got 1900.5"),
    ("USA,2,1900,abc,1,1,1,1,1,0.1,2021", TypeError, "column 'milex' must be numeric"),
    ("USA,2,1900,1,x,1,1,1,1,0.1,2021", TypeError, "column 'milper' must be numeric"),
    ("USA,2,1900,-5,1,1,1,1,1,0.1,2021", ValueError, "column 'milex' must be non-negative"),
    ("USA,2,1900,1,1,-1,1,1,1,0.1,2021", ValueError, "column 'irst' must be non-negative"),
    ("USA,2,1900,1,1,1,inf,1,1,0.1,2021", ValueError, "column 'pec' must be finite"),
    ("USA,2,1900,1,1,1,1,-inf,1,0.1,2021", ValueError, "column 'tpop'"),
    ("USA,2,1900,1,1,1,1,1,-2,0.1,2021", ValueError, "column 'upop' must be non-negative"),
    ("XXX,9999,1900,1,1,1,1,1,1,0.1,2021", ValueError, "not COW states: [9999]"),
    ("XXX,-3,1900,1,1,1,1,1,1,0.1,2021", ValueError, "not COW states: [-3]"),
    (NMC_ROW.strip(), ValueError, "duplicate (ccode, year)"),
]):
    case(f"read_nmc-row{i}", "read_nmc", reader("read_nmc", NMC_HEAD + NMC_ROW + line + "\n"), exc, frag)
case("read_nmc-no-components", "read_nmc", reader("read_nmc", "ccode,year\n2,1900\n"), ValueError,
     "path is missing column(s)")

# read_alliances
for i, (src, text, exc, frag) in enumerate([
    ("cow", ALLY_COW + "2,20,1815,1,0,0,0\n", ValueError, "column 'year' must hold years in 1816..2012"),
    ("cow", ALLY_COW + "2,20,2013,1,0,0,0\n", ValueError, "got 2013 in data row 1"),
    ("cow", ALLY_COW + "2,20,0,1,0,0,0\n", ValueError, "got 0 in data row 1"),
    ("cow", ALLY_COW + "2,20,1900,2,0,0,0\n", ValueError, "column 'cow_defense' must hold 0/1 flags; got 2"),
    ("cow", ALLY_COW + "2,20,1900,1,x,0,0\n", ValueError, "column 'cow_neutral' must hold 0/1 flags; got 'x'"),
    ("cow", ALLY_COW + "2,20,1900,1,0,-1,0\n", ValueError, "column 'cow_nonagg'"),
    ("cow", ALLY_COW + ",20,1900,1,0,0,0\n", ValueError, "column 'ccode1' must not be empty"),
    ("cow", ALLY_COW + "2,,1900,1,0,0,0\n", ValueError, "column 'ccode2' must not be empty"),
    ("cow", ALLY_COW + "2,20,,1,0,0,0\n", ValueError, "column 'year' must not be empty"),
    ("cow", ALLY_COW + "2.5,20,1900,1,0,0,0\n", ValueError, "column 'ccode1' must hold integers"),
    ("cow", ALLY_COW + "1e30,20,1900,1,0,0,0\n", ValueError, "int64 range"),
    ("atop", ALLY_ATOP + "2,20,1814,1,0,0,0,0\n", ValueError, "must hold years in 1815..2018"),
    ("atop", ALLY_ATOP + "2,20,2019,1,0,0,0,0\n", ValueError, "got 2019"),
    ("atop", ALLY_ATOP + "2,20,10000000000,1,0,0,0,0\n", ValueError, "got 10000000000"),
    ("atop", ALLY_ATOP + "2,20,1900,1,0,0,0,7\n", ValueError, "column 'atop_consul' must hold 0/1"),
    ("atop", ALLY_COW + "2,20,1900,1,0,0,0\n", ValueError, "path is not a known atop alliance layout"),
    ("cow", ALLY_ATOP + "2,20,1900,1,0,0,0,0\n", ValueError, "path is not a known cow alliance layout"),
    ("cow", "version4id,ccode1,ccode2,dyad_st_year,dyad_end_year,defense,neutrality,nonaggression,"
            "entente,year\n1,2,20,0,50000000,1,0,0,0,0\n", ValueError, "column 'dyad_st_year' must hold years"),
    ("cow", "version4id,ccode1,ccode2,dyad_st_year,dyad_end_year,defense,neutrality,nonaggression,"
            "entente,year\n1,2,20,1980,1000000000000,1,0,0,0,0\n", ValueError,
     "column 'dyad_end_year' must hold years in 1816..2012 (COW Formal Alliances v4.1 covers "
     "1816-2012); got 1000000000000 in data row 1"),
]):
    case(f"read_alliances-{src}{i}", "read_alliances", reader("read_alliances", text, source=src), exc, frag)
for bad in ("COW", "ucdp", None, 3):
    case(f"read_alliances-source-{bad}", "read_alliances",
         reader("read_alliances", ALLY_COW + "2,20,1900,1,0,0,0\n", source=bad), ValueError,
         f"source must be 'cow' or 'atop'; got {bad!r}")

# read_trade
for i, (text, exc, frag) in enumerate([
    (TRADE_DY + "2,20,2000,-5,1\n", ValueError, "column 'flow1' must be finite and non-negative"),
    (TRADE_DY + "2,20,2000,1,x\n", TypeError, "column 'flow2' must be numeric"),
    (TRADE_DY + "2,20,2000,1,inf\n", ValueError, "column 'flow2'"),
    (TRADE_DY + "2,,2000,1,1\n", ValueError, "column 'ccode2' must not be empty"),
    (TRADE_DY + "2,20,2000.5,1,1\n", ValueError, "column 'year' must hold integers"),
    (TRADE_DY + "2,20,2000,1,1\n2,20,2000,1,1\n", ValueError, "read_trade"),
    (TRADE_DY + "2,2,2000,1,1\n", ValueError, "read_trade"),
    (TRADE_NAT + "2,1990,-1,2\n", ValueError, "column 'imports'"),
    (TRADE_NAT + "2,1990,1,abc\n", TypeError, "column 'exports' must be numeric"),
    (TRADE_NAT + "2,1990,1,2\n2,1990,1,2\n", ValueError, "duplicate (ccode, year)"),
    (TRADE_NAT + "1e30,1990,1,2\n", ValueError, "int64 range"),
    ("ccode1,year,flow1\n2,1990,1\n", ValueError, "path has neither the dyadic"),
]):
    case(f"read_trade-{i}", "read_trade", reader("read_trade", text), exc, frag)

# read_unvotes
for i, (text, kw, exc, frag) in enumerate([
    (VOETEN + "1,2,7,1990\n", {}, ValueError, "column 'vote' must hold 1, 2, 3, 8 or 9; got 7"),
    (VOETEN + "1,2,yes,1990\n", {}, ValueError, "column 'vote' must hold 1, 2, 3, 8 or 9; got 'yes'"),
    (VOETEN + "1,2,1.5,1990\n", {}, ValueError, "got 1.5"),
    (VOETEN + "1,,1,1990\n", {}, ValueError, "column 'ccode' must not be empty"),
    (VOETEN + ",2,1,1990\n", {}, ValueError, "column 'rcid' must not be empty"),
    (VOETEN + "1,2,1,\n", {}, ValueError, "column 'year' must not be empty"),
    ("rcid,country,country_code,vote\n1,United States,US,yes\n", {}, ValueError,
     "roll_calls must be given"),
    ("rcid,country,country_code,vote\n1,United States,US,maybe\n",
     {"roll_calls": pd.DataFrame({"rcid": [1], "year": [1990]})}, ValueError,
     "column 'vote' must be yes, abstain or no; got 'maybe'"),
    ("rcid,country,country_code,vote\n2,United States,US,yes\n",
     {"roll_calls": pd.DataFrame({"rcid": [1], "year": [1990]})}, ValueError,
     "roll_calls has no year for rcid 2"),
    ("rcid,country,country_code,vote\n1,United States,US,yes\n",
     {"roll_calls": pd.DataFrame({"x": [1]})}, ValueError, "roll_calls must have 'rcid'"),
    ("a,b\n1,2\n", {}, ValueError, "path is neither Voeten's long file"),
]):
    case(f"read_unvotes-{i}", "read_unvotes", reader("read_unvotes", text, **kw), exc, frag)

# read_idealpoints
for i, (text, exc, frag) in enumerate([
    (IDEAL + "2,50,0.5,100\n2,50,0.7,100\n", ValueError, "duplicate (ccode, year)"),
    (IDEAL + ",50,0.5,100\n", ValueError, "column 'ccode' must not be empty"),
    (IDEAL + "2,,0.5,100\n", ValueError, "column 'session' must not be empty"),
    (IDEAL + "2,50.5,0.5,100\n", ValueError, "column 'session' must hold integers"),
    (IDEAL + "x,50,0.5,100\n", TypeError, "column 'ccode' must be numeric"),
    ("ccode,year\n2,1990\n", ValueError, "path is not a known ideal-point layout"),
]):
    case(f"read_idealpoints-{i}", "read_idealpoints", reader("read_idealpoints", text), exc, frag)

# read_deu
for col, val, exc, frag in [
    ("pfr", "abc", ValueError, "column 'pfr' must be numeric; got 'abc' in data row 2"),
    ("sde", "x", ValueError, "column 'sde' must be numeric; got 'x'"),
    ("out", "?", ValueError, "column 'out' must be numeric; got '?'"),
    ("sfr", "150", ValueError, "salience must be in 0-100; got '150' for actor 'fr'"),
    ("suk", "-1", ValueError, "salience must be in 0-100; got '-1'"),
    ("pcom", "1,5", ValueError, "column 'pcom' must be numeric"),
]:
    case(f"read_deu-{col}-{val}", "read_deu", reader("read_deu", deu_text(col, val), "d.tsv"), exc, frag)
case("read_deu-empty", "read_deu", reader("read_deu", "", "d.tsv"), ValueError, "path must not be an empty file")
case("read_deu-no-columns", "read_deu", reader("read_deu", "isnr\tout\n1\t2\n", "d.tsv"), ValueError,
     "path is missing column(s)")
case("read_deu-header-only", "read_deu", reader("read_deu", deu_text().split("\n")[0] + "\n", "d.tsv"),
     ValueError, "path must hold data rows")


# read_gdelt
def gdelt_line(**fields: str) -> str:
    f = [""] * 61
    f[0], f[1], f[7], f[17] = "1", "20191024", "USA", "RUS"
    f[25:35] = ["1", "042", "042", "04", "1", "1.9", "2", "2", "2", "-1.5"]
    for k, v in fields.items():
        f[int(k[1:])] = v
    return "\t".join(f) + "\n"


for field, value, frag in [
    ("f0", "x", "line 2 column 1 (GLOBALEVENTID) must be a non-negative integer; got 'x'"),
    ("f0", "-1", "(GLOBALEVENTID)"),
    ("f1", "20191324", "column 2 (SQLDATE) must be a date YYYYMMDD in 1678-2261; got '20191324'"),
    ("f1", "99991231", "(SQLDATE)"),
    ("f1", "2019", "(SQLDATE)"),
    ("f7", "U S", "(Actor1CountryCode) must be a code of at most 15 printable ASCII characters"),
    ("f17", "X" * 16, "(Actor2CountryCode)"),
    ("f25", "2", "(IsRootEvent) must be 0 or 1; got '2'"),
    ("f26", "0 4", "(EventCode)"),
    ("f29", "5", "(QuadClass) must be 1, 2, 3 or 4; got '5'"),
    ("f29", "", "(QuadClass)"),
    ("f30", "abc", "(GoldsteinScale) must be a number or empty; got 'abc'"),
    ("f30", "nan", "(GoldsteinScale)"),
    ("f30", "1e400", "(GoldsteinScale)"),
    ("f31", "-1", "(NumMentions) must be an integer in [0, 2**31); got '-1'"),
    ("f31", "2147483648", "(NumMentions)"),
    ("f32", "1.5", "(NumSources)"),
    ("f33", "x", "(NumArticles)"),
    ("f34", "--1", "(AvgTone)"),
]:
    case(f"read_gdelt-{field}-{value[:8]}", "read_gdelt",
         reader("read_gdelt", gdelt_line() + gdelt_line(**{field: value}), "g.CSV"), ValueError,
         frag)
case("read_gdelt-fields", "read_gdelt", reader("read_gdelt", gdelt_line() + "a\tb\tc\n", "g.CSV"),
     ValueError, "line 2 must have 61 tab-separated fields (GDELT 2.0); got 3")
case("read_gdelt-garbage", "read_gdelt", reader("read_gdelt", "hello\n", "g.CSV"), ValueError,
     "line 1 must have 57 or 58 (GDELT 1.0) or 61")
case("read_gdelt-truncated-gz", "read_gdelt", reader("read_gdelt", gz_cut(gdelt_line()), "g.CSV.gz"),
     ValueError, "is not a readable gzip file")
case("read_gdelt-bad-zip", "read_gdelt", reader("read_gdelt", b"PK\x03\x04 nope", "g.zip"), ValueError,
     "is not a readable zip archive")
for kw, exc, frag in [
    ({"countries": ["XXX"]}, ValueError, "countries must be CAMEO country codes; got ['XXX']"),
    ({"countries": "USA"}, TypeError, "countries must be None or a list-like"),
    ({"countries": [1]}, TypeError, "countries must be CAMEO code strings; got 1"),
    ({"countries": ["Narnia"], "codes": "name"}, ValueError, "countries must be name codes"),
    ({"countries": [99999], "codes": "cow"}, ValueError, "countries"),
    ({"countries": ["U S A"]}, ValueError, "countries must be codes like 'USA'"),
    ({"codes": "xyz"}, ValueError, "codes must be one of"),
    ({"strict": "yes"}, TypeError, "strict must be a bool"),
    ({"chunksize": 0}, ValueError, "chunksize must be >= 1; got 0"),
    ({"chunksize": 1.5}, TypeError, "chunksize must be None or an int"),
    ({"progress": "x"}, TypeError, "progress must be None or a bool"),
]:
    case(f"read_gdelt-{sorted(kw)[0]}-{list(kw.values())[0]!r}", "read_gdelt",
         reader("read_gdelt", gdelt_line(), "g.CSV", **kw), exc, frag)
case("read_gdelt-paths-int", "read_gdelt", lambda w: mp.read_gdelt(3), TypeError, "paths must be")
case("read_gdelt-paths-none", "read_gdelt", lambda w: mp.read_gdelt([str(w.dir / "*.none")]),
     FileNotFoundError, "matches no file")
case("read_gdelt-paths-empty", "read_gdelt", lambda w: mp.read_gdelt([]), ValueError,
     "paths must name at least one file")
case("read_gdelt-paths-missing", "read_gdelt", lambda w: mp.read_gdelt(str(w.dir / "x.CSV")),
     FileNotFoundError, "paths must name existing files")


# ---------------------------------------------------------------- frames: power


for i, (edit, exc, frag) in enumerate([
    (lambda d: d.drop(columns="pec"), ValueError, "df is missing column(s) ['pec']"),
    (lambda d: with_value(d, "milex", 3, "abc"), TypeError, "column 'milex' must be numeric"),
    (lambda d: d.assign(irst=-d.irst), ValueError, "column 'irst' must be non-negative"),
    (lambda d: d.assign(tpop=np.inf), ValueError, "column 'tpop' must be finite"),
    (lambda d: pd.concat([d, d.iloc[:1]]), ValueError, "duplicate (ccode, year)"),
    (lambda d: d.assign(year=d.year + 0.5), ValueError, "column 'year' must hold whole numbers; got 1990.5"),
    (lambda d: with_value(d, "year", 4, np.nan).astype({"year": float}), ValueError,
     "column 'year' must not be missing; got nan at row 4"),
    (lambda d: with_value(d, "ccode", 2, np.nan).astype({"ccode": float}), ValueError,
     "column 'ccode' must not be missing; got nan at row 2"),
    (lambda d: with_value(d, "ccode", 2, 1e30).astype({"ccode": float}), ValueError,
     "column 'ccode' must hold whole numbers; got 1e+30 at row 2"),
    (lambda d: d.assign(upop=pd.array([None] + [1.0] * (len(d) - 1), dtype="Float64")).assign(
        milex=lambda x: x.milex.astype(str)), TypeError, "column 'milex' must be numeric"),
    (lambda d: [1, 2], TypeError, "df must be a pandas DataFrame"),
    (lambda d: d.drop(columns="year"), ValueError, "df is missing column(s) ['year']"),
]):
    case(f"cinc-{i}", "cinc", lambda w, e=edit: mp.cinc(e(nmc_frame())), exc, frag)
case("cinc-no-components", "cinc", lambda w: mp.cinc(nmc_frame(), components=[]), ValueError,
     "components must name at least one column")
case("cinc-unknown-component", "cinc", lambda w: mp.cinc(nmc_frame(), components=["gdp"]), ValueError,
     "df is missing column(s) ['gdp']")

for func in ("concentration", "polarity"):
    f = getattr(mp, func)
    for i, (call, exc, frag) in enumerate([
        (lambda f: f(nmc_frame().assign(cinc=-1.0), among=None), ValueError, "column 'cinc'"),
        (lambda f: f(nmc_frame().assign(cinc=np.inf), among=None), ValueError, "column 'cinc'"),
        (lambda f: f(with_value(nmc_frame().assign(cinc=1.0), "cinc", 0, "x"), among=None),
         TypeError, "column 'cinc' must be numeric"),
        (lambda f: f(nmc_frame(), value="nope", among=None), ValueError, "missing column(s) ['nope']"),
        (lambda f: f(nmc_frame().assign(cinc=1.0), among=["XXX"]), ValueError, "among"),
        (lambda f: f(nmc_frame().assign(cinc=1.0), among="minors"), ValueError, "among"),
        (lambda f: f(nmc_frame().assign(cinc=1.0), among=[2], codes="klingon"), ValueError, "codes"),
        (lambda f: f("frame"), TypeError, "df must be a pandas DataFrame"),
        (lambda f: f(pd.concat([nmc_frame(), nmc_frame().iloc[:2]]).assign(cinc=1.0), among=None),
         ValueError, "duplicate (ccode, year)"),
        (lambda f: f(nmc_frame().assign(cinc=1.0, year=np.nan), among=None), ValueError, "year"),
    ]):
        case(f"{func}-{i}", func, lambda w, c=call, f=f: c(f), exc, frag)
for i, (kw, exc, frag) in enumerate([
    ({"threshold": 0.0}, ValueError, "threshold"), ({"threshold": 1.5}, ValueError, "threshold"),
    ({"threshold": "x"}, (TypeError, ValueError), "threshold"), ({"unipolar": 2.0}, ValueError, "unipolar"),
    ({"threshold": float("nan")}, ValueError, "threshold"),
]):
    case(f"polarity-kw{i}", "polarity",
         lambda w, kw=kw: mp.polarity(nmc_frame().assign(cinc=1.0), among=None, **kw), exc, frag)
for i, (args, kw, exc, frag) in enumerate([
    ((2, "XXX"), {}, ValueError, "XXX"), ((2, 2), {}, ValueError, "transition"),
    ((2, 200), {"parity": (1.2, 0.8)}, ValueError, "parity"),
        ((2, 200), {"value": "nope"}, ValueError, "nope"), ((2, 999), {}, ValueError, "999"),
    ((None, 200), {}, TypeError, "transition"),
]):
    case(f"transition-{i}", "transition",
         lambda w, a=args, kw=kw: mp.transition(nmc_frame().assign(cinc=1.0), *a, **kw), exc, frag)


# ---------------------------------------------------------------- similarity


for i, (call, exc, frag) in enumerate([
    (lambda: mp.similarity(ally_frame(), kind="treaty"), ValueError, "kind"),
    (lambda: mp.similarity(ally_frame(), measures=["x"]), ValueError, "measures"),
    (lambda: mp.similarity(ally_frame().assign(code=7)), ValueError, "code"),
    (lambda: mp.similarity(ally_frame().assign(code=-1)), ValueError, "code"),
    (lambda: mp.similarity(ally_frame().assign(code="x")), TypeError, "code"),
    (lambda: mp.similarity(ally_frame().drop(columns="code")), ValueError, "code"),
    (lambda: mp.similarity(ally_frame().drop(columns="year")), ValueError, "year"),
    (lambda: mp.similarity(ally_frame(), years="1990"), TypeError, "years"),
    (lambda: mp.similarity(ally_frame(), binary="x"), TypeError, "binary"),
    (lambda: mp.similarity(pd.concat([ally_frame(), ally_frame().iloc[:1]])), ValueError, "duplicate"),
    (lambda: mp.similarity(ally_frame().assign(ccode1=1.5)), ValueError, "ccode1"),
    (lambda: mp.similarity(votes(), kind="votes", measures=["s"]), ValueError, "kind must be"),
    (lambda: mp.similarity(votes().assign(vote=5.0), kind="unvote"), ValueError, "vote"),
    (lambda: mp.similarity(votes().assign(vote="yes"), kind="unvote"), TypeError, "vote"),
    (lambda: mp.similarity(votes().drop(columns="rcid"), kind="unvote"), ValueError, "rcid"),
    (lambda: mp.similarity([1, 2]), TypeError, "data must be"),
    (lambda: mp.similarity(ally_frame(), weights=pd.DataFrame({"x": [1]})), ValueError, "weights"),
    (lambda: mp.similarity(ally_frame(), weights="cinc"), TypeError, "weights must be"),
]):
    case(f"similarity-{i}", "similarity", lambda w, c=call: c(), exc, frag)
for i, (call, exc, frag) in enumerate([
    (lambda: mp.similarity_matrix(ally_frame(), "1990"), TypeError, "year"),
    (lambda: mp.similarity_matrix(ally_frame(), 1990, measure="x"), ValueError, "measure"),
    (lambda: mp.similarity_matrix(ally_frame(), 1990, kind="x"), ValueError, "kind"),
    (lambda: mp.similarity_matrix(ally_frame(), 1990.5), TypeError, "year"),
    (lambda: mp.similarity_matrix(ally_frame().assign(code=9), 1990), ValueError, "code"),
]):
    case(f"similarity_matrix-{i}", "similarity_matrix", lambda w, c=call: c(), exc, frag)
LEVELS = [0, 1, 2, 3]
for func in ("s_score", "kappa", "scott_pi"):
    f = getattr(mp, func)
    for i, (args, kw, exc, frag) in enumerate([
        (([0, 1], [0]), {"levels": LEVELS}, ValueError, "same length"),
        (([0, 9], [0, 1]), {"levels": LEVELS}, ValueError, "levels"),
        (([0, 1], [0, 1]), {"levels": [0]}, ValueError, "levels"),
        ((["a", "b"], [0, 1]), {"levels": LEVELS}, TypeError, "x"),
        (([0, 1], [0, 1]), {"levels": "0123"}, TypeError, "levels"),
        (([[0, 1]], [[0, 1]]), {"levels": LEVELS}, ValueError, "1-D"),
        (([0, 1], [0, 1]), {"levels": [1, 1, 2]}, ValueError, "levels"),
    ]):
        case(f"{func}-{i}", func, lambda w, f=f, a=args, kw=kw: f(*a, **kw), exc, frag)
case("s_score-weights", "s_score", lambda w: mp.s_score([0, 1], [0, 1], levels=LEVELS, weights=[-1, 1]),
     ValueError, "weights")
case("s_score-weights-len", "s_score", lambda w: mp.s_score([0, 1], [0, 1], levels=LEVELS, weights=[1]),
     ValueError, "weights")
for i, (args, exc, frag) in enumerate([
    (([0, 1], [0]), ValueError, "same length"), ((["a"], [1]), TypeError, "x"),
    (([[1, 2]], [[1, 2]]), ValueError, "1-D"), (([1.0, np.inf], [1.0, 2.0]), ValueError, "x"),
]):
    case(f"tau_b-{i}", "tau_b", lambda w, a=args: mp.tau_b(*a), exc, frag)


# ---------------------------------------------------------------- trade


for func in ("dependence", "partner_concentration"):
    f = getattr(mp, func)
    for i, (call, exc, frag) in enumerate([
        (lambda f: f(trade_frame().assign(flow1=-1.0)), ValueError, "flow1"),
        (lambda f: f(trade_frame().assign(flow2=np.inf)), ValueError, "flow2"),
        (lambda f: f(with_value(trade_frame(), "flow1", 0, "x")), TypeError, "flow1"),
        (lambda f: f(trade_frame().drop(columns="flow2")), ValueError, "flow2"),
        (lambda f: f(trade_frame(), year="2000"), TypeError, "year"),
        (lambda f: f(trade_frame(), smoothed=True), ValueError, "smooth"),
        (lambda f: f(pd.concat([trade_frame(), trade_frame().iloc[:1]])), ValueError, "duplicate"),
        (lambda f: f(trade_frame().assign(ccode2=trade_frame().ccode1)), ValueError, "ccode"),
        (lambda f: f(trade_frame().assign(year=2000.5)), ValueError, "year"),
        (lambda f: f({"a": 1}), TypeError, "trade must be"),
    ]):
        case(f"{func}-{i}", func, lambda w, c=call, f=f: c(f), exc, frag)
for i, (args, kw, exc, frag) in enumerate([
    (("XXX",), {}, ValueError, "state"),
    ((None,), {}, TypeError, "state"), ((2,), {"top": 0}, ValueError, "top"),
    ((2,), {"top": "3"}, TypeError, "top"), ((2,), {"top": -1}, ValueError, "top"),
    ((2.5,), {}, TypeError, "state"),
]):
    case(f"partners-{i}", "partners", lambda w, a=args, kw=kw: mp.partners(trade_frame(), *a, **kw), exc, frag)
for i, (args, kw, exc, frag) in enumerate([
    (("2000",), {}, TypeError, "year"),
    ((2000,), {"smoothed": True}, ValueError, "smooth"),
]):
    case(f"dependence_matrix-{i}", "dependence_matrix",
         lambda w, a=args, kw=kw: mp.dependence_matrix(trade_frame(), *a, **kw), exc, frag)


# ---------------------------------------------------------------- groups, codes


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.group_power(nmc_frame().assign(cinc=1.0), "WARSAW"), "group_power", ValueError, "WARSAW"),
    (lambda: mp.group_power(nmc_frame().assign(cinc=1.0), 3), "group_power", TypeError, "groups"),
    (lambda: mp.group_power(nmc_frame().assign(cinc=1.0), "NATO", value="x"), "group_power", ValueError, "x"),
    (lambda: mp.group_power([1], "NATO"), "group_power", TypeError, "group_power"),
    (lambda: mp.group_trade(trade_frame(), "WARSAW"), "group_trade", ValueError, "WARSAW"),
    (lambda: mp.group_trade(trade_frame(), "NATO", year="x"), "group_trade", TypeError, "year"),
    (lambda: mp.Group("x", ["XXX"]), "Group", ValueError, "XXX"),
    (lambda: mp.Group("", [2]), "Group", ValueError, "name"),
    (lambda: mp.Group("x", [2], founded=2000, dissolved=1990), "Group", ValueError, "dissolved"),
    (lambda: mp.Group(3, [2]), "Group", TypeError, "name"),
    (lambda: mp.convert([2], from_="klingon"), "convert", ValueError, "klingon"),
    (lambda: mp.convert([2], to="klingon"), "convert", ValueError, "klingon"),
    (lambda: mp.convert([99999], from_="cow", to="iso3"), "convert", ValueError, "99999"),
    (lambda: mp.convert(["ZZZ"], from_="iso3", to="cow"), "convert", ValueError, "ZZZ"),
    (lambda: mp.convert([2], year="x"), "convert", TypeError, "year"),
    (lambda: mp.lookup_state("Narnia"), "lookup_state", ValueError, "Narnia"),
    (lambda: mp.lookup_state(None), "lookup_state", ValueError, "got None"),
    (lambda: mp.lookup_state("USA", codes="klingon"), "lookup_state", ValueError, "klingon"),
    (lambda: mp.lookup_states(["USA", "Narnia"]), "lookup_states", ValueError, "Narnia"),
    (lambda: mp.state_years(2000, 1990), "state_years", ValueError, "end"),
    (lambda: mp.state_years("1990", 2000), "state_years", TypeError, "start"),
    (lambda: mp.dyad_years(2000, 1990), "dyad_years", ValueError, "end"),
    (lambda: mp.dyad_years(1990, 1991, directed="x"), "dyad_years", TypeError, "directed"),
    (lambda: mp.majors("1990"), "majors", TypeError, "year"),
    (lambda: mp.members(1990.5), "members", TypeError, "year"),
    (lambda: mp.majors(-5), "majors", ValueError, "year"),
    (lambda: mp.is_major(["x"], [1990]), "is_major", TypeError, "is_major"),
    (lambda: mp.is_member(["x"], [1990]), "is_member", TypeError, "ccodes must be integers"),
    (lambda: mp.is_member([2], ["y"]), "is_member", TypeError, "years must be integers"),
    (lambda: mp.is_major([2.5], [1990]), "is_major", ValueError, "ccodes must hold whole numbers; got 2.5"),
    (lambda: mp.set_num_threads(0), "set_num_threads", ValueError, "0"),
    (lambda: mp.set_num_threads("2"), "set_num_threads", TypeError, "n must be an int or None; got str"),
    (lambda: mp.set_num_threads(2.5), "set_num_threads", TypeError, "n must be an int or None; got float"),
    (lambda: mp.set_num_threads(-3), "set_num_threads", ValueError, "-3"),
    (lambda: mp.set_num_threads(10**30), "set_num_threads", ValueError, "set_num_threads"),
    (lambda: mp.demo_world(start=2040, end=1950), "demo_world", ValueError, "end"),
    (lambda: mp.demo_world(seed="x"), "demo_world", TypeError, "seed"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


# ---------------------------------------------------------------- relations, events


def ev_with(**cols: Any) -> pd.DataFrame:
    return events().assign(**cols)


for i, (call, func, exc, frag) in enumerate([
    (lambda: RelationMatrix.from_events([1]), "RelationMatrix.from_events", TypeError, "events must be"),
    (lambda: RelationMatrix.from_events(ev_with(quad_class=7)), "RelationMatrix.from_events",
     ValueError, "column 'quad_class' must hold 1, 2, 3 or 4; got 7 at row 0"),
    (lambda: RelationMatrix.from_events(ev_with(quad_class=np.array([1, 0, 2, 3], np.int8))),
     "RelationMatrix.from_events", ValueError, "got 0 at row 1"),
    (lambda: RelationMatrix.from_events(ev_with(goldstein="x")), "RelationMatrix.from_events",
     TypeError, "goldstein"),
    (lambda: RelationMatrix.from_events(events(), half_life="0D"), "RelationMatrix.from_events",
     ValueError, "half_life must be positive; got '0D'"),
    (lambda: RelationMatrix.from_events(events(), half_life="-3D"), "RelationMatrix.from_events",
     ValueError, "half_life must be positive"),
    (lambda: RelationMatrix.from_events(events(), half_life=5), "RelationMatrix.from_events",
     TypeError, "half_life"),
    (lambda: RelationMatrix.from_events(events(), half_life="MS"), "RelationMatrix.from_events",
     ValueError, "half_life"),
    (lambda: RelationMatrix.from_events(events(), at="2300-01-01", half_life="1D"),
     "RelationMatrix.from_events", ValueError, "at must be a time in 1677-09-21..2262-04-11"),
    (lambda: RelationMatrix.from_events(events(), at=5), "RelationMatrix.from_events", TypeError, "at"),
    (lambda: RelationMatrix.from_events(events(), at="tomorrow-ish"), "RelationMatrix.from_events",
     TypeError, "at"),
    (lambda: RelationMatrix.from_events(ev_with(date=events().date.astype("M8[s]")).assign(
        date=np.array(["2024-01-01", "2300-01-01", "2024-01-02", "2024-01-03"], "M8[s]")),
        half_life="30D"), "RelationMatrix.from_events", ValueError,
     "column 'date' must hold times in 1677-09-21..2262-04-11 (pandas' nanosecond range); got "
     "2300-01-01T00:00:00 at row 1"),
    (lambda: RelationMatrix.from_events(ev_with(date="2024")), "RelationMatrix.from_events",
     TypeError, "time column 'date' must be datetime64"),
    (lambda: RelationMatrix.from_events(events().drop(columns="actor2")), "RelationMatrix.from_events",
     KeyError, "actor2"),
    (lambda: RelationMatrix.from_events(events(), weight="nope"), "RelationMatrix.from_events",
     KeyError, "nope"),
    (lambda: RelationMatrix.from_events(events(), codes="klingon"), "RelationMatrix.from_events",
     ValueError, "codes"),
    (lambda: RelationMatrix.from_events(events(), actors=["USA", "USA"]), "RelationMatrix.from_events",
     ValueError, "actors"),
    (lambda: RelationMatrix.from_events(events(), directed="x"), "RelationMatrix.from_events",
     TypeError, "directed"),
    (lambda: RelationMatrix.from_events(events(), time_col="when"), "RelationMatrix.from_events",
     KeyError, "when"),
    (lambda: mp.event_tensor(events(), freq="-1D"), "event_tensor", ValueError,
     "freq must be a positive step such as 'MS' or '7D'; got '-1D'"),
    (lambda: mp.event_tensor(events(), freq="0D"), "event_tensor", ValueError, "freq must be a positive step"),
    (lambda: mp.event_tensor(events(), freq="0MS"), "event_tensor", ValueError, "got '0MS'"),
    (lambda: mp.event_tensor(events(), freq="-2W"), "event_tensor", ValueError, "got '-2W'"),
    (lambda: mp.event_tensor(events(), freq="1ns"), "event_tensor", ValueError,
     "freq must give at most 10,000,000 bins"),
    (lambda: mp.event_tensor(events(), freq="xyz"), "event_tensor", ValueError,
     "freq must be a pandas offset alias"),
    (lambda: mp.event_tensor(events(), freq=None), "event_tensor", ValueError, "freq"),
    (lambda: mp.event_tensor(events(), time_col=None), "event_tensor", ValueError, "time_col"),
    (lambda: mp.dyad_series(events(), "USA", "RUS", freq="0D"), "dyad_series", ValueError,
     "freq must be a positive step"),
    (lambda: mp.dyad_series(events(), "USA", "RUS", freq="-1MS"), "dyad_series", ValueError, "freq"),
    (lambda: mp.dyad_series(events(), "USA", "RUS", both="x"), "dyad_series", TypeError, "both"),
    (lambda: RelationMatrix([[1, 2]], actors=["a"]), "RelationMatrix", ValueError, "square"),
    (lambda: RelationMatrix([[1, 2], [3, 4]], actors=["a"], codes="iso3"), "RelationMatrix", ValueError,
     "actors"),
    (lambda: RelationMatrix([[1, 2], [3, 4]], actors=["a", "a"], codes="iso3"), "RelationMatrix",
     ValueError, "actors"),
    (lambda: RelationMatrix([["x", "y"], ["z", "w"]], actors=["a", "b"]), "RelationMatrix",
     (TypeError, ValueError), "values"),
    (lambda: RelationMatrix([[1, 2], [3, 4]], actors=[2, 20], codes="klingon"), "RelationMatrix",
     ValueError, "codes"),
    (lambda: RelationMatrix.from_frame(pd.DataFrame({"a": [1]})), "RelationMatrix.from_frame",
     KeyError, "row column not found in df; got 'ccode1'"),
    (lambda: RelationMatrix.from_frame(pd.DataFrame({"ccode1": [2, 2], "ccode2": [20, 20],
                                                     "value": [1.0, 2.0]})),
     "RelationMatrix.from_frame", ValueError, "RelationMatrix.from_frame"),
    (lambda: RelationMatrix.from_frame(pd.DataFrame({"ccode1": [2], "ccode2": [20], "value": ["x"]})),
     "RelationMatrix.from_frame", TypeError, "value column must be numeric"),
    (lambda: RelationMatrix.from_frame(pd.DataFrame({"ccode1": [2], "ccode2": [20], "value": [1.0]}),
                                       aggregate="mode"), "RelationMatrix.from_frame", ValueError,
     "aggregate"),
    (lambda: RelationMatrix.from_frame(pd.DataFrame({"ccode1": [2], "ccode2": [20], "value": [1.0]}),
                                       fill="x"), "RelationMatrix.from_frame", TypeError, "fill"),
    (lambda: matrix().fill_diagonal("x"), "RelationMatrix.fill_diagonal", TypeError, "value"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


# ---------------------------------------------------------------- structure


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.blocs(matrix(), k=1), "blocs", ValueError, "k"),
    (lambda: mp.blocs(matrix(), k=9), "blocs", ValueError, "k"),
    (lambda: mp.blocs(matrix(), k="2"), "blocs", (TypeError, ValueError), "k must be"),
    (lambda: mp.blocs(matrix(), bounds=(1, -1)), "blocs", ValueError, "bounds"),
    (lambda: mp.blocs([[1, 2], [3]]), "blocs", (TypeError, ValueError), "matrix"),
    (lambda: mp.blocs("matrix"), "blocs", TypeError, "matrix"),
    (lambda: mp.polarization([1.0, 2.0], weights=[1.0]), "polarization", TypeError, "data must be"),
    (lambda: mp.polarization(matrix(), alpha=-1), "polarization", ValueError, "alpha"),
    (lambda: mp.polarization(matrix(), alpha="x"), "polarization", (TypeError, ValueError), "alpha must be"),
    (lambda: mp.polarization("abc"), "polarization", TypeError, "data"),
    (lambda: mp.balance(matrix(), beta=0), "balance", ValueError, "beta"),
    (lambda: mp.balance(matrix(), beta="x"), "balance", (TypeError, ValueError), "beta must be"),
    (lambda: mp.balance([[1, 2]]), "balance", (TypeError, ValueError), "balance"),
    (lambda: mp.alignment(matrix(), pd.Series({2: 0, 200: 0, 365: 1, 710: 1}), "XXX"), "alignment",
     ValueError, "XXX"),
    (lambda: mp.alignment(matrix(), "blocs", 2), "alignment", TypeError, "blocs"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


# ---------------------------------------------------------------- scenarios, bargaining, projection


H, E = ["h1", "h2"], ["e1", "e2"]
GOOD = np.array([[0.9, 0.2], [0.3, 0.6]])
for i, (call, exc, frag) in enumerate([
    (lambda: mp.compete(H, E, GOOD[:1]), ValueError, "compete"),
    (lambda: mp.compete(H, E, GOOD * 2), ValueError, "compete"),
    (lambda: mp.compete(H, E, -GOOD), ValueError, "compete"),
    (lambda: mp.compete(H, E, GOOD, prior=[1.0]), ValueError, "prior"),
    (lambda: mp.compete(H, E, GOOD, prior=[-1.0, 2.0]), ValueError, "prior"),
    (lambda: mp.compete(H, E, GOOD, prior=[0.0, 0.0]), ValueError, "prior"),
    (lambda: mp.compete(H, E, GOOD, uncertainty=-0.1, draws=100, seed=1), ValueError, "uncertainty"),
    (lambda: mp.compete(H, E, GOOD, uncertainty=0.1, draws=0, seed=1), ValueError, "draws"),
    (lambda: mp.compete(H, E, GOOD, uncertainty=0.1, draws="x", seed=1), (TypeError, ValueError),
     "draws must be"),
    (lambda: mp.compete(H, E, GOOD, uncertainty=0.1, draws=100, seed=1, q=[2.0]), ValueError, "q"),
    (lambda: mp.compete(["h", "h"], E, GOOD), ValueError, "hypotheses"),
    (lambda: mp.compete(H, E, np.full((2, 2), np.nan)), ValueError, "compete"),
    (lambda: mp.compete(H, E, [["CCC", "I"], ["I", "C"]]), ValueError, "CCC"),
]):
    case(f"compete-{i}", "compete", lambda w, c=call: c(), exc, frag)
for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.Threshold("x"), "Threshold", (TypeError, ValueError), "value must be"),
    (lambda: mp.Threshold(1.0, p=2.0), "Threshold", ValueError, "p"),
    (lambda: mp.Direction("sideways"), "Direction", ValueError, "direction"),
    (lambda: mp.Direction("up", lag=0), "Direction", ValueError, "lag"),
    (lambda: mp.Distribution(sd=-1.0), "Distribution", ValueError, "sd"),
    (lambda: mp.score_scenarios([mp.Scenario("s", prior=-1.0)],
                                [mp.Indicator("i", pd.Series([1.0, 2.0], index=[2000, 2001]))]),
     "score_scenarios", ValueError, "priors must be finite and > 0; got [-1.0]"),
    (lambda: mp.score_scenarios([], []), "score_scenarios", TypeError, "scenarios must be a non-empty"),
    (lambda: mp.score_scenarios("x", []), "score_scenarios", TypeError, "scenarios"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)
for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.bargain(actors(), model="auction"), "bargain", ValueError, "model"),
    (lambda: mp.bargain(actors(), rounds=-1), "bargain", ValueError, "rounds"),
    (lambda: mp.bargain(actors(), rounds="3"), "bargain", (TypeError, ValueError), "rounds must be"),
    (lambda: mp.bargain(actors().assign(salience=1.5)), "bargain", ValueError, "salience"),
    (lambda: mp.bargain(actors().assign(salience=-0.1)), "bargain", ValueError, "salience"),
    (lambda: mp.bargain(actors().assign(capability=-1.0)), "bargain", ValueError, "capability"),
    (lambda: mp.bargain(actors().assign(position=np.inf)), "bargain", ValueError, "position"),
    (lambda: mp.bargain(actors().assign(position="x")), "bargain", TypeError, "position"),
    (lambda: mp.bargain(actors().drop(columns="salience")), "bargain", ValueError, "salience"),
    (lambda: mp.bargain(actors(), q=2.0), "bargain", ValueError, "q"),
    (lambda: mp.bargain(actors(), t=-1.0), "bargain", ValueError, "t"),
    (lambda: mp.bargain(actors(), perspective="x"), "bargain", ValueError, "perspective"),
    (lambda: mp.bargain(actors(), normalization="x"), "bargain", ValueError, "normalization"),
    (lambda: mp.bargain([1]), "bargain", TypeError, "actors"),
    (lambda: mp.bargain_issues(actors().assign(issue=[0, 0, 1]).assign(salience=[2.0, 0.1, 0.1])),
     "bargain_issues", ValueError, "salience"),
    (lambda: mp.bargain_issues(actors().assign(issue=[0, 0, 1]), issue="nope"), "bargain_issues",
     ValueError, "nope"),
    (lambda: mp.bargain_issues(actors().assign(issue=[0, np.nan, 1])), "bargain_issues",
     ValueError, "issue"),
    (lambda: mp.evaluate_deu(42), "evaluate_deu", TypeError, "deu"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


def nmc_long() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [(c, y) for y in range(1985, 2017) for c in (2, 200, 220, 365, 710)]
    df = pd.DataFrame(rows, columns=["ccode", "year"])
    df["cinc"] = rng.random(len(df)) + 0.5
    return df


for i, (kw, exc, frag) in enumerate([
    ({"paths": 10**12}, ValueError, "paths must be <= 100000000; got 1000000000000"),
    ({"paths": 100_000_001}, ValueError, "paths must be <= 100000000"),
    ({"paths": 0}, ValueError, "paths must be an integer >= 1; got 0"),
    ({"paths": -5}, ValueError, "paths must be an integer >= 1"),
    ({"paths": 1.5}, ValueError, "paths"),
    ({"paths": True}, ValueError, "paths"),
    ({"years": 0}, ValueError, "years must be an integer >= 1"),
    ({"years": 10**6}, ValueError, "years must be <= 100000"),
    ({"bins": 0}, ValueError, "bins"),
    ({"bins": 10**7}, ValueError, "bins must be <= 1000000"),
    ({"threshold": 0}, ValueError, "threshold"),
    ({"unipolar": 5.0}, ValueError, "unipolar"),
    ({"window": (2016, 1992)}, ValueError, "window"),
    ({"window": "1992-2016"}, TypeError, "window"),
    ({"window": (1992.0, 2016.0)}, TypeError, "window"),
    ({"among": ["XXX"]}, ValueError, "XXX"),
    ({"pairs": [("CHN", "XXX")]}, ValueError, "XXX"),
    ({"value": "nope"}, ValueError, "nope"),
    ({"blocks": (5, 2)}, ValueError, "blocks"),
    ({"blocks": "x"}, TypeError, "blocks"),
    ({"paths": 10**7, "years": 300, "keep_paths": True}, ValueError, "keep_paths must keep at most"),
]):
    args = {"years": 3, "paths": 100, "seed": 1, "among": [2, 200, 710], **kw}
    case(f"project-{i}", "project", lambda w, a=args: mp.project(nmc_long(), **a), exc, frag)


# ---------------------------------------------------------------- the table as tests


# ---------------------------------------------------------------- power today, change points


WB_HEAD = "Country Name,Country Code,Year,Value\n"
OWID_HEAD = "Entity,Code,Year,gdp\n"
for i, (text, kw, exc, frag) in enumerate([
    ("", {}, ValueError, "not a readable CSV file"),
    (WB_HEAD, {}, ValueError, "header but no data rows"),
    ("a,b,c\n1,2,3\n", {}, ValueError, "neither the long layout"),
    (WB_HEAD + "United States,USA,20x3,5\n", {}, ValueError, "'20x3'"),
    (WB_HEAD + "United States,USA,2003,abc\n", {}, ValueError, "'abc'"),
    (WB_HEAD + "United States,USA,2003.5,1\n", {}, ValueError, "whole years"),
    (WB_HEAD + "United States,USA,2003,5\n", {"errors": "nope"}, ValueError, "errors"),
    (WB_HEAD + "United States,USA,2003,5\nUnited States,USA,2003,6\n", {}, ValueError,
     "same COW state-year"),
    ("Country Name,Country Code,Indicator Name,Indicator Code,2000\nUS,USA,GDP,NY.GDP,1\n"
     "US,USA,Pop,SP.POP,2\n", {}, ValueError, "indicator"),
    ("Country Name,Country Code,Indicator Name,Indicator Code,2000\nUS,USA,GDP,NY.GDP,1\n",
     {"indicator": "X.Y"}, ValueError, "X.Y"),
]):
    case(f"read_worldbank-{i}", "read_worldbank", reader("read_worldbank", text, **kw), exc, frag)

for i, (text, kw, exc, frag) in enumerate([
    ("", {}, ValueError, "not a readable CSV file"),
    (OWID_HEAD, {}, ValueError, "header but no data rows"),
    ("Entity,Year,gdp\nUS,2000,1\n", {}, ValueError, "Entity, Code, Year"),
    (OWID_HEAD + "US,USA,2000,1\n", {"value": "nope"}, ValueError, "'nope'"),
    ("Entity,Code,Year,gdp,pop\nUS,USA,2000,1,2\n", {}, ValueError, "value="),
    (OWID_HEAD + "US,USA,x,1\n", {}, ValueError, "'x'"),
    (OWID_HEAD + "US,USA,2000,zz\n", {}, ValueError, "'zz'"),
    (OWID_HEAD + "US,USA,2000,1\n", {"errors": 3}, ValueError, "errors"),
]):
    case(f"read_owid-{i}", "read_owid", reader("read_owid", text, **kw), exc, frag)


def gdp_src() -> pd.DataFrame:
    return pd.DataFrame({"ccode": [2, 710], "year": 2023, "value": [27.0, 18.0]})


def gdp_frame() -> pd.DataFrame:
    return gdp_src().rename(columns={"value": "gdp"})


def kappa_series() -> pd.Series:
    return pd.Series([0.1, 0.2, 0.3, 0.9, 1.0, 1.1], index=range(2000, 2006))


def kappa_frame() -> pd.DataFrame:
    return pd.DataFrame({"ccode1": 2, "ccode2": 365, "year": range(2000, 2006),
                         "kappa": kappa_series().to_numpy(), "n": 10})


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.power_frame(), "power_frame", ValueError, "at least one"),
    (lambda: mp.power_frame(gdp=[1, 2]), "power_frame", TypeError, "gdp"),
    (lambda: mp.power_frame(gdp=gdp_src().assign(value=[-1.0, 2.0])), "power_frame", ValueError,
     "non-negative"),
    (lambda: mp.power_frame(gdp=gdp_src().assign(value=[np.inf, 2.0])), "power_frame",
     ValueError, "finite"),
    (lambda: mp.power_frame(gdp=pd.concat([gdp_src(), gdp_src()])), "power_frame", ValueError,
     "duplicate"),
    (lambda: mp.power_frame(gdp=gdp_src().drop(columns="year")), "power_frame", ValueError,
     "year"),
    (lambda: mp.power_frame(gdp=gdp_src().assign(value=["a", "b"])), "power_frame", TypeError,
     "'a'"),
    (lambda: mp.power_frame(gdp=gdp_src().assign(ccode=[2.5, 710])), "power_frame", ValueError,
     "ccode"),
    (lambda: mp.power_frame(nmc=42), "power_frame", TypeError, "nmc"),
    (lambda: mp.power_index(gdp_frame(), "nope"), "power_index", ValueError, "'nope'"),
    (lambda: mp.power_index(gdp_src(), "gdp"), "power_index", ValueError, "gdp"),
    (lambda: mp.power_index(gdp_frame(), "gdp", among=["XXX"]), "power_index", ValueError, "XXX"),
    (lambda: mp.power_index(3, "gdp"), "power_index", TypeError, "df"),
    (lambda: mp.power_index(gdp_frame().assign(gdp=["a", "b"]), "gdp"), "power_index",
     TypeError, "'a'"),
    (lambda: mp.changepoints("abc"), "changepoints", TypeError, "data"),
    (lambda: mp.changepoints(kappa_series(), cost="nope"), "changepoints", ValueError, "'nope'"),
    (lambda: mp.changepoints(kappa_series(), penalty=-1.0), "changepoints", ValueError,
     "penalty"),
    (lambda: mp.changepoints(kappa_series(), penalty="xyz"), "changepoints", ValueError, "'xyz'"),
    (lambda: mp.changepoints(kappa_series(), min_size=0), "changepoints", ValueError, "min_size"),
    (lambda: mp.changepoints(kappa_series(), min_size=1.5), "changepoints", TypeError, "1.5"),
    (lambda: mp.changepoints(pd.Series([1.0, np.inf, 2, 3, 4, 5])), "changepoints", ValueError,
     "inf at row 1"),
    (lambda: mp.changepoints(pd.Series([1.0, -1, 2, 3, 4, 5]), cost="poisson"), "changepoints",
     ValueError, "-1.0 at row 1"),
    (lambda: mp.changepoints(kappa_frame(), "nope"), "changepoints", ValueError, "nope"),
    (lambda: mp.changepoints(kappa_frame().assign(kappa="x"), "kappa"), "changepoints",
     TypeError, "'x'"),
    (lambda: mp.changepoints(kappa_series(), variance=-1.0), "changepoints", ValueError,
     "variance"),
    (lambda: mp.changepoints(pd.Series([1.0, 2, 3], index=[1, 1, 2])), "changepoints",
     ValueError, "duplicate"),
    (lambda: mp.break_probability("abc"), "break_probability", TypeError, "series"),
    (lambda: mp.break_probability(kappa_series(), hazard=2.0), "break_probability", ValueError,
     "hazard"),
    (lambda: mp.break_probability(kappa_series(), hazard=0), "break_probability", ValueError,
     "hazard"),
    (lambda: mp.break_probability(kappa_series(), lag=-1), "break_probability", ValueError,
     "lag"),
    (lambda: mp.break_probability(kappa_series(), variance=0), "break_probability", ValueError,
     "variance"),
    (lambda: mp.realignments(kappa_frame(), measure="nope"), "realignments", ValueError, "nope"),
    (lambda: mp.realignments(kappa_frame(), state="XXX"), "realignments", ValueError, "XXX"),
    (lambda: mp.realignments(kappa_frame(), partner="XXX"), "realignments", ValueError, "XXX"),
    (lambda: mp.realignments(kappa_frame(), period=(2010, 2000)), "realignments", ValueError,
     "(2010, 2000)"),
    (lambda: mp.realignments(kappa_frame(), period="1990s"), "realignments", TypeError, "1990s"),
    (lambda: mp.realignments([1, 2]), "realignments", TypeError, "similarity"),
    (lambda: mp.realignments(kappa_frame(), min_size=0), "realignments", ValueError, "min_size"),
    (lambda: mp.blocs_over_time(kappa_frame(), k=0), "blocs_over_time", ValueError, "k"),
    (lambda: mp.blocs_over_time(42), "blocs_over_time", TypeError, "data"),
    (lambda: mp.blocs_over_time(kappa_frame(), years=[1800]), "blocs_over_time", ValueError,
     "1800"),
    (lambda: mp.blocs_over_time(kappa_frame(), measure="nope"), "blocs_over_time", ValueError,
     "nope"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.backtest(nmc_long(), origins=(1800,)), "backtest", ValueError, "origin 1800"),
    (lambda: mp.backtest(nmc_long(), origins=(2016,)), "backtest", ValueError, "origin 2016"),
    (lambda: mp.backtest(nmc_long(), origins="x"), "backtest", TypeError, "origins"),
    (lambda: mp.backtest(nmc_long(), origins=(2000.5,)), "backtest", TypeError, "origins"),
    (lambda: mp.backtest(nmc_long(), origins=(2000,), horizon=0), "backtest", ValueError,
     "horizon"),
    (lambda: mp.backtest(3), "backtest", TypeError, "nmc"),
    (lambda: mp.backtest(nmc_long(), value="nope", origins=(2000,)), "backtest", ValueError,
     "nope"),
    (lambda: mp.backtest(nmc_long(), origins=(2000,), paths=0), "backtest", ValueError, "paths"),
    (lambda: mp.backtest(nmc_long(), origins=(2000,), among=["XXX"]), "backtest", ValueError,
     "XXX"),
    (lambda: mp.dyad_shares(3, "USA", "RUS"), "dyad_shares", TypeError, "events"),
    (lambda: mp.dyad_shares(events(), "USA", "XXX"), "dyad_shares", ValueError, "'XXX'"),
    (lambda: mp.dyad_shares(events(), "USA", "RUS", freq="nope"), "dyad_shares", ValueError,
     "'nope'"),
    (lambda: mp.dyad_shares(events(), "USA", "RUS", min_events=-1), "dyad_shares", ValueError,
     "min_events"),
    (lambda: mp.dyad_shares(events(), "USA", "RUS", both="x"), "dyad_shares", TypeError, "both"),
    (lambda: mp.dyad_shares(events().drop(columns="quad_class"), "USA", "RUS"), "dyad_shares",
     ValueError, "quad_class"),
]):
    case(f"{func}-{i}", func, lambda w, c=call: c(), exc, frag)


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.transition(nmc_long(), 710, 2, parity="x"), "transition", TypeError, "parity"),
    (lambda: mp.transition(nmc_long(), 710, 2, parity=(0.8,)), "transition", TypeError, "parity"),
    (lambda: mp.transition(nmc_long(), 710, 2, parity=("a", "b")), "transition", TypeError,
     "parity"),
    (lambda: mp.goldstein(["040"], table=3), "goldstein", TypeError, "table"),
    (lambda: mp.goldstein(["040"], table=[1.0]), "goldstein", TypeError, "table"),
]):
    case(f"{func}-extra-{i}", func, lambda w, c=call: c(), exc, frag)


def _sim_frame() -> pd.DataFrame:
    return pd.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": 2000, "kappa": 0.1})


def _ideal() -> pd.DataFrame:
    return pd.DataFrame({"ccode": [2, 365], "year": 2000, "idealpoint": [1.0, -1.0]})


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.num_threads(0).__enter__(), "num_threads", ValueError, "0"),
    (lambda: mp.num_threads("x").__enter__(), "num_threads", TypeError, "'x'"),
    (lambda: mp.ideal_distance(3), "ideal_distance", TypeError, "idealpoints"),
    (lambda: mp.ideal_distance(_ideal(), column="nope"), "ideal_distance", ValueError, "nope"),
    (lambda: mp.ideal_distance(_ideal().assign(idealpoint=["a", "b"])), "ideal_distance",
     TypeError, "'a'"),
    (lambda: mp.group_cohesion(3, "BRICS"), "group_cohesion", TypeError, "similarity_frame"),
    (lambda: mp.group_cohesion(_sim_frame(), "NOPE"), "group_cohesion", ValueError, "'NOPE'"),
    (lambda: mp.group_cohesion(_sim_frame(), "G7", measure="nope"), "group_cohesion",
     ValueError, "nope"),
    (lambda: mp.plot_concentration(3), "plot_concentration", TypeError, "conc_frame"),
    (lambda: mp.plot_concentration(pd.DataFrame({"year": [2000], "con": [0.1]}),
                                   columns=("nope",)), "plot_concentration", ValueError, "nope"),
    (lambda: mp.plot_shares(3), "plot_shares", TypeError, "df"),
    (lambda: mp.plot_shares(nmc_frame(), value="nope"), "plot_shares", ValueError, "nope"),
    (lambda: mp.power_chart(3, "x.png"), "power_chart", TypeError, "df"),
    (lambda: mp.power_chart(nmc_frame(), "x.png", value="nope"), "power_chart", ValueError,
     "nope"),
]):
    case(f"{func}-more-{i}", func, lambda w, c=call: c(), exc, frag)


# ---------------------------------------------------------------- the panel pipe and
# errors that say what to do


def dyads() -> pd.DataFrame:
    return pd.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000]})


def votes() -> pd.DataFrame:
    return pd.DataFrame({"rcid": [1, 1], "ccode": [2, 20], "year": [2000, 2000], "vote": [1, 3]})


for i, (call, func, exc, frag) in enumerate([
    (lambda: mp.add_capabilities([1], nmc_frame()), "add_capabilities", TypeError, "df"),
    (lambda: mp.add_capabilities(dyads(), 3), "add_capabilities", TypeError, "nmc"),
    (lambda: mp.add_capabilities(dyads(), nmc_frame(), columns="cinc"), "add_capabilities",
     TypeError, "columns"),
    (lambda: mp.add_capabilities(dyads(), nmc_frame(), columns=["nope"]), "add_capabilities",
     ValueError, "nope"),
    (lambda: mp.add_capabilities(dyads(), pd.concat([nmc_frame()] * 2)), "add_capabilities",
     ValueError, "duplicate"),
    (lambda: mp.add_capabilities(pd.DataFrame({"a": [1]}), nmc_frame()), "add_capabilities",
     ValueError, "ccode1, ccode2, year"),
    (lambda: mp.add_capabilities(dyads().assign(ccode1=["USA", "CAN"]), nmc_frame()),
     "add_capabilities", TypeError, "from_='iso3'"),
    (lambda: mp.add_similarity(dyads(), ally_frame(), prefix=3), "add_similarity", TypeError,
     "prefix"),
    (lambda: mp.add_similarity(dyads(), ally_frame(), years=[2000]), "add_similarity",
     TypeError, "years"),
    (lambda: mp.add_similarity(dyads()[["ccode1", "year"]].rename(columns={"ccode1": "ccode"}),
                               ally_frame()), "add_similarity", ValueError, "dyad-year"),
    (lambda: mp.add_similarity(dyads(), ally_frame(), kind="treaty"), "add_similarity",
     ValueError, "kind"),
    (lambda: mp.add_similarity(dyads(), votes()), "add_similarity", ValueError,
     "kind='unvote'"),
    (lambda: mp.add_dependence(dyads(), "trade"), "add_dependence", TypeError, "trade"),
    (lambda: mp.add_dependence(dyads(), trade_frame().drop(columns="flow1")), "add_dependence",
     ValueError, "flow1"),
    (lambda: mp.add_ideal_distance(dyads(), pd.DataFrame({"ccode": [2], "year": [2000]})),
     "add_ideal_distance", ValueError, "idealpoint"),
    (lambda: mp.add_ideal_distance(dyads(), pd.DataFrame({"ccode": [2], "year": [2000],
                                                          "x": [1.0]}), column=5),
     "add_ideal_distance", TypeError, "column"),
    (lambda: mp.add_groups(dyads(), ["NOPE"]), "add_groups", ValueError, "NOPE"),
    (lambda: mp.add_groups(dyads(), "NATO", prefix=1), "add_groups", TypeError, "prefix"),
    (lambda: mp.add_majors(mp.add_majors(dyads())), "add_majors", ValueError, "prefix="),
    (lambda: mp.add_majors(dyads().assign(year=[2000.5, 2000])), "add_majors", ValueError,
     "year"),
    (lambda: mp.similarity(votes()), "similarity", ValueError, "did you mean kind='unvote'?"),
    (lambda: mp.similarity(ally_frame(), kind="unvote"), "similarity", ValueError,
     "did you mean kind='alliance'?"),
    (lambda: mp.group_cohesion(RelationMatrix([[1.0, 0.5], [0.5, 1.0]], actors=[2, 20]), "NATO"),
     "group_cohesion", TypeError, "to_frame()"),
    (lambda: mp.structure.polarization(RelationMatrix([[1.0, 0.5], [0.5, 1.0]], actors=[2, 20]),
                                       pd.Series([0, 1], index=[2, 20])),
     "polarization", ValueError, "blocs="),
    (lambda: mp.similarity(ally_frame().assign(ccode1="USA")), "similarity", TypeError,
     "multipolar.convert(df['ccode1'], from_='iso3', to='cow')"),
    (lambda: mp.transition(nmc_frame(), "Atlantis", "USA"), "transition", ValueError,
     "'Atlantis'"),
]):
    case(f"{func}-what-{i}", func, lambda w, c=call: c(), exc, frag)


class Writer:
    """Writes a case's file into the test's tmp_path and returns its path."""

    def __init__(self, tmp_path):
        self.dir = tmp_path

    def __call__(self, name: str, content: str | bytes):
        p = self.dir / name
        p.write_bytes(content.encode() if isinstance(content, str) else content)
        return p


def test_the_table_is_large_and_covers_every_public_function():
    assert len(CASES) >= 300
    assert len({c.id for c in CASES}) == len(CASES)
    covered = {c.func.split(".")[0] for c in CASES}
    callables = {n for n in mp.__all__ if callable(getattr(mp, n)) and n[0].islower()}
    # functions that take no input to check (demo data, the thread count getter)
    exempt = {"get_num_threads", "demo_majors", "demo_states"}
    assert callables - exempt <= covered, sorted(callables - exempt - covered)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_a_clear_error(tmp_path, c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(c.exc) as info:
            c.run(Writer(tmp_path))
    exc = info.value
    # never a raw library error: the message names the public function first
    msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    if not isinstance(exc, FileNotFoundError) or c.fragment:
        assert str(msg).startswith(f"{c.func}"), msg
    assert c.fragment in str(msg), msg
    assert not isinstance(exc, ZeroDivisionError)
    assert type(exc).__module__ in ("builtins", "multipolar._errors"), type(exc)
    assert not math.isnan(len(str(msg)))


def test_an_atop_file_read_as_cow_says_source_atop(tmp_path):
    p = tmp_path / "atop.csv"
    p.write_text("ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,"
                 "atop_consul\n2,20,2000,1,0,0,0,0\n")
    with pytest.raises(ValueError, match=r"read_alliances: .*did you mean source='atop'\?"):
        mp.read_alliances(p)
    assert len(mp.read_alliances(p, source="atop")) == 1
