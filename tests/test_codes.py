"""Tests for multipolar.codes: the code table, spells, convert and the panels.

The fact tables are checked against the public files in ``../shared/data``
(COW states2016 and majors2024, the Gleditsch-Ward list, the countrycode
crosswalk and GDELT's CAMEO country lookup). Missing files fail the tests.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from multipolar import codes
from multipolar.codes import (
    convert,
    dyad_years,
    is_major,
    is_member,
    lookup_state,
    lookup_states,
    major_spells,
    majors,
    members,
    state_years,
    states,
    system_spells,
)

pytestmark = pytest.mark.filterwarnings("error")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STRING_SYSTEMS = ("cowabb", "iso3", "iso2", "cameo", "name")


def _read(rel: str, **kwargs) -> pd.DataFrame:
    path = DATA / rel
    assert path.is_file(), f"shared test data missing: {path}"
    return pd.read_csv(path, **kwargs)


@pytest.fixture(scope="module")
def cow_states() -> pd.DataFrame:
    return _read("cow_states/states2016.csv")


@pytest.fixture(scope="module")
def cow_majors() -> pd.DataFrame:
    return _read("cow_states/majors2024.csv")


@pytest.fixture(scope="module")
def gw_list() -> pd.DataFrame:
    return _read("cow_states/gw_states.csv")


@pytest.fixture(scope="module")
def crosswalk() -> pd.DataFrame:
    # Namibia's ISO2 code is "NA": only empty fields are missing.
    return _read(
        "country_codes/countrycode_cow_iso_crosswalk.csv", keep_default_na=False, dtype=str
    )


@pytest.fixture(scope="module")
def cameo_lookup() -> set[str]:
    df = _read("gdelt/lookups/CAMEO.country.txt", sep="\t", keep_default_na=False, dtype=str)
    return set(df["CODE"])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return states()


def _spell_years(df: pd.DataFrame, edge_year: int) -> list[tuple[int, int, float]]:
    """(ccode, first year, last year) of each spell; a spell on the list's edge never ends."""
    out = []
    for r in df.itertuples(index=False):
        at_edge = (r.endyear, r.endmonth, r.endday) == (edge_year, 12, 31)
        out.append((int(r.ccode), int(r.styear), np.inf if at_edge else int(r.endyear)))
    return out


def _reference_members(df: pd.DataFrame, edge_year: int, year: int) -> list[int]:
    return sorted({c for c, a, b in _spell_years(df, edge_year) if a <= year <= b})


# --------------------------------------------------------------------------- package data


def test_package_data_files_present():
    data = resources.files("multipolar") / "data"
    for name in ("states.csv", "system_spells.csv", "major_spells.csv"):
        assert (data / name).is_file(), name


# --------------------------------------------------------------------------- code table


def test_table_shape_and_dtypes(table):
    assert list(table.columns) == ["ccode", "cowabb", "name", "iso3", "iso2", "cameo", "gw"]
    assert table["ccode"].dtype == np.int64
    assert str(table["gw"].dtype) == "Int64"
    assert table["ccode"].is_unique and table["ccode"].is_monotonic_increasing
    for col in ("cowabb", "name"):
        assert table[col].notna().all() and table[col].is_unique
    for col in ("iso3", "iso2", "cameo"):
        codes_ = table[col].dropna()
        assert codes_.str.fullmatch(r"[A-Z]{3}" if col != "iso2" else r"[A-Z]{2}").all(), col


def test_states_returns_a_copy(table):
    t = states()
    t.loc[0, "iso3"] = "XXX"
    assert states().loc[0, "iso3"] == table.loc[0, "iso3"]


def test_table_matches_cow_state_list(table, cow_states):
    ref = cow_states.drop_duplicates("ccode").set_index("ccode")
    ours = table.set_index("ccode")
    assert sorted(ours.index) == sorted(ref.index)
    assert len(ours) == 217
    diff_abb = {
        c: (ours.at[c, "cowabb"], ref.at[c, "stateabb"])
        for c in ref.index
        if ours.at[c, "cowabb"] != ref.at[c, "stateabb"]
    }
    assert diff_abb == {}
    diff_name = {
        c: (ours.at[c, "name"], ref.at[c, "statenme"])
        for c in ref.index
        if ours.at[c, "name"] != ref.at[c, "statenme"]
    }
    assert diff_name == {}


def _spells_from_cow(frame):
    """A COW spell file (styear/stmonth/stday, endyear/...) as our spell table."""

    def day(prefix):
        cols = [f"{prefix}year", f"{prefix}month", f"{prefix}day"]
        return pd.to_datetime(frame[cols].set_axis(["year", "month", "day"], axis=1))

    ref = pd.DataFrame(
        {"ccode": frame["ccode"].astype(np.int64), "start": day("st"), "end": day("end")}
    )
    return (
        ref.sort_values(["ccode", "start"])
        .reset_index(drop=True)
        .astype({"start": "datetime64[ns]", "end": "datetime64[ns]"})
    )


@pytest.mark.parametrize(
    "ours, fixture, n",
    [(system_spells, "cow_states", 243), (major_spells, "cow_majors", 14)],
    ids=["states2016", "majors2024"],
)
def test_spells_match_cow_lists(ours, fixture, n, request):
    got = ours()
    assert list(got.columns) == ["ccode", "start", "end"]
    assert got["start"].dtype == "datetime64[ns]" and got["end"].dtype == "datetime64[ns]"
    assert len(got) == n
    pd.testing.assert_frame_equal(got, _spells_from_cow(request.getfixturevalue(fixture)))


def test_gw_column_matches_gw_list(table, gw_list):
    gw_codes = set(gw_list["gwcode"])
    # A COW state's G-W number is its ccode when G-W lists that number; micro-states have none.
    exceptions = {679: 678}  # G-W keeps 678 for unified Yemen
    for c, g in zip(table["ccode"], table["gw"]):
        expected = exceptions.get(c, c if c in gw_codes else None)
        got = None if pd.isna(g) else int(g)
        assert got == expected, c


def test_every_gw_spell_converts(gw_list):
    # Every G-W number is known; each G-W spell maps to the COW state of that time.
    cow_of = {340: 345}  # G-W Serbia is COW 345 (Yugoslavia)
    no_cow = {89, 99, 563, 564, 711, 815}
    for r in gw_list.itertuples(index=False):
        for date in (r.startdate, r.enddate):
            year = int(date[:4])
            got = convert(r.gwcode, "gw", "cow", year=year)
            if r.gwcode in no_cow:
                assert got is None
                continue
            expected = cow_of.get(r.gwcode, r.gwcode)
            if r.gwcode == 260 and year >= 1991:
                expected = 255
            if r.gwcode == 678 and year >= 1991:
                expected = 679
            assert got == expected, (r.gwcode, year)


# Where the countrycode crosswalk deliberately differs from our table: (ccode, system): (crosswalk, ours).
CROSSWALK_DIFFERENCES = {
    # Historical ISO 3166-3 codes; the crosswalk has one row per country and no ISO code for these.
    (265, "iso3"): ("", "DDR"),
    (265, "iso2"): ("", "DD"),
    (315, "iso3"): ("", "CSK"),
    (315, "iso2"): ("", "CS"),
    (345, "iso3"): ("", "YUG"),
    (345, "iso2"): ("", "YU"),
    (680, "iso3"): ("", "YMD"),
    (680, "iso2"): ("", "YD"),
    # The Yemen Arab Republic held YEM/YE until unification.
    (678, "iso3"): ("", "YEM"),
    (678, "iso2"): ("", "YE"),
    # Papal States (1816-1870) are not Vatican City.
    (327, "iso3"): ("VAT", ""),
    (327, "iso2"): ("VA", ""),
    # G-W numbers: we follow the G-W list (255 Germany/Prussia, 816 DRV, Yemen 678,
    # and the G-W list has Wuerttemberg and both Hesses).
    (255, "gw"): ("260", "255"),
    (816, "gw"): ("815", "816"),
    (679, "gw"): ("", "678"),
    (271, "gw"): ("", "271"),
    (273, "gw"): ("", "273"),
    (275, "gw"): ("", "275"),
}
# The crosswalk maps 255 to DEU and lacks the German Federal Republic; it also lacks Korea (1887-1905).
CROSSWALK_MISSING = {260, 730}


def test_table_matches_crosswalk(table, crosswalk):
    cw = crosswalk[crosswalk["cown"] != ""].copy()
    cw["cown"] = cw["cown"].astype(int)
    assert cw["cown"].is_unique
    assert set(table["ccode"]) - set(cw["cown"]) == CROSSWALK_MISSING
    assert set(cw["cown"]) <= set(table["ccode"])
    ours = table.set_index("ccode")
    found = {}
    columns = {"cowabb": "cowc", "iso3": "iso3c", "iso2": "iso2c", "gw": "gwn"}
    for r in cw.to_dict("records"):
        c = r["cown"]
        for system, col in columns.items():
            mine = ours.at[c, system]
            mine = "" if pd.isna(mine) else str(mine)
            if mine != r[col]:
                found[(c, system)] = (r[col], mine)
    assert found == CROSSWALK_DIFFERENCES


def test_cameo_codes_in_cameo_lookup(table, cameo_lookup):
    cameo = table["cameo"].dropna()
    assert set(cameo) - cameo_lookup == set()
    # Every state of 2016 has a CAMEO code but Kosovo (not in the CAMEO country list).
    now = table[table["ccode"].isin(members(2016))]
    assert set(now.loc[now["cameo"].isna(), "ccode"]) == {347}
    # CAMEO follows ISO alpha-3 with these exceptions.
    differ = now[now["cameo"].notna() & (now["cameo"] != now["iso3"])]
    assert dict(zip(differ["ccode"], differ["cameo"])) == {
        341: "MTN",
        345: "SRB",
        360: "ROM",
        860: "TMP",
    }


def test_historical_codes(table):
    t = table.set_index("ccode")
    assert tuple(t.loc[315, ["iso3", "iso2"]]) == ("CSK", "CS")
    assert tuple(t.loc[345, ["iso3", "iso2", "gw"]]) == ("YUG", "YU", 345)
    assert tuple(t.loc[265, ["iso3", "iso2"]]) == ("DDR", "DD")
    assert tuple(t.loc[680, ["iso3", "iso2"]]) == ("YMD", "YD")
    assert tuple(t.loc[260, ["iso3", "iso2", "gw"]]) == ("DEU", "DE", 260)
    assert tuple(t.loc[255, ["iso3", "iso2"]]) == ("DEU", "DE")
    assert t.loc[565, "iso2"] == "NA"


# --------------------------------------------------------------------------- convert


def _first_member_year(c: int) -> int:
    return int(np.flatnonzero(is_member(c, np.arange(1816, 2017)))[0]) + 1816


@pytest.mark.parametrize("system", ["cowabb", "iso3", "iso2", "cameo", "gw", "name"])
def test_round_trip_with_year(table, system):
    ccodes = table["ccode"].to_numpy()
    first = np.array([_first_member_year(c) for c in ccodes])
    for years in (first, np.where(is_member(ccodes, 2030), 2030, first)):
        out = convert(ccodes, "cow", system, year=years)
        has = ~pd.isna(out)
        back = convert(out[has], system, "cow", year=years[has])
        np.testing.assert_array_equal(back, ccodes[has])
    if system in ("cowabb", "name"):
        assert has.all()


@pytest.mark.parametrize("system", ["cowabb", "iso3", "iso2", "cameo", "gw", "name"])
def test_round_trip_without_year(table, system):
    col = table[system]
    has = col.notna().to_numpy()
    out = convert(table["ccode"], "cow", system)
    assert out.isna().to_numpy().tolist() == (~has).tolist()
    values = col[has].astype(object if system != "gw" else np.int64)
    assert out[has].tolist() == values.tolist()
    # Codes naming one state come back to it without a year; the others give the most recent state.
    several = SEVERAL_STATES.get(system, {})
    unique = ~values.isin(list(several)).to_numpy()
    back = convert(values[unique], system, "cow")
    assert back.tolist() == table["ccode"][has][unique].tolist()
    assert convert(list(several), system, "cow") == list(several.values())


# Codes that name several COW states, with the most recent one (the answer without a year).
SEVERAL_STATES = {
    "iso3": {"DEU": 255, "YEM": 679},
    "iso2": {"DE": 255, "YE": 679, "CS": 345},
    "cameo": {"DEU": 255, "YEM": 679, "CZE": 316, "SVK": 317},
    "gw": {260: 255, 678: 679},
}


def test_several_states_list_is_complete(table):
    for system in ("iso3", "iso2", "cameo", "gw"):
        book = codes._codebook().inputs[system]
        found = {k for k, links in book.items() if len({link.ccode for link in links}) > 1}
        assert found == {k.upper() if isinstance(k, str) else k for k in SEVERAL_STATES[system]}


def test_collisions_between_systems():
    assert convert("AUS", "cowabb", "cow") == 305
    assert convert("AUS", "iso3", "cow") == 900
    assert convert("AUS", "cameo", "cow") == 900
    assert convert("SAF", "cowabb", "iso3") == "ZAF"
    # CAMEO's SAF is the region Southern Africa: known, and never South Africa
    assert convert("SAF", "cameo", "cow") is None
    assert convert("CZE", "cowabb", "cow") == 315
    assert convert("CZE", "iso3", "cow") == 316
    assert convert("KOR", "cowabb", "cow") == 730
    assert convert("KOR", "iso3", "cow") == 732
    assert convert("MNG", "cowabb", "iso3") == "MNE"
    assert convert("MNG", "iso3", "cowabb") == "MON"


def test_year_disambiguation():
    assert convert("DE", "iso2", "cow", year=1985) == 260
    assert convert("DE", "iso2", "cow", year=1995) == 255
    assert convert("DEU", "iso3", "cow", year=1985) == 260
    assert convert("DEU", "iso3", "cow", year=1995) == 255
    assert convert("DEU", "cameo", "cow", year=1970) == 260
    assert convert("DEU", "iso3", "cow", year=1900) == 255
    assert convert("DEU", "iso3", "cow", year=1990) == 255  # both members: the most recent
    assert convert("DEU", "iso3", "cow") == 255  # no year: the most recent
    assert convert(["DE", "DE"], "iso2", "cow", year=[1985, 1995]) == [260, 255]
    assert convert(260, "gw", "cow", year=1980) == 260
    assert convert(260, "gw", "cow", year=1995) == 255
    assert convert(260, "gw", "cow") == 255
    assert convert(255, "gw", "cow") == 255
    assert convert("YEM", "iso3", "cow", year=1980) == 678
    assert convert("YEM", "iso3", "cow", year=1995) == 679
    assert convert("YEM", "iso3", "cow", year=1920) == 678  # nearest in time to membership
    assert convert(678, "gw", "cow", year=1995) == 679
    assert convert("CS", "iso2", "cow", year=1980) == 315
    assert convert("CS", "iso2", "cow", year=2004) == 345
    assert convert("RS", "iso2", "cow") == 345
    assert convert("SRB", "iso3", "cow", year=1990) == 345
    assert convert(340, "gw", "cow", year=1900) == 345
    # Output period codes.
    assert convert([345] * 4, "cow", "iso3", year=[1990, 2004, 2010, 2050]) == [
        "YUG",
        "SCG",
        "SRB",
        "SRB",
    ]
    assert convert([345] * 3, "cow", "gw", year=[1900, 1990, 2010]) == [340, 345, 340]
    assert convert([255] * 3, "cow", "gw", year=[1900, 1990, 2010]) == [255, 260, 260]
    assert convert(345, "cow", "iso3") == "YUG"  # without year: the table code
    # Year NaN means no year; year aligned with a Series by position.
    assert convert(["DE", "DE"], "iso2", "cow", year=[1985.0, np.nan]) == [260, 255]
    s = pd.Series(["DE", "DE", "US"], index=[10, 11, 12])
    out = convert(s, "iso2", "cow", year=np.array([1985, 1995, 1700]))
    assert out.tolist() == [260, 255, 2] and list(out.index) == [10, 11, 12]


def test_former_iso_codes_are_read():
    assert convert(["SUN", "ZAR", "BUR", "DHY", "HVO", "RHO", "TMP", "ROM"], "iso3", "cow") == [
        365,
        490,
        775,
        434,
        439,
        552,
        860,
        360,
    ]
    assert convert(["SU", "ZR", "BU"], "iso2", "cow") == [365, 490, 775]
    assert convert(365, "cow", "iso3", year=1980) == "RUS"  # former codes are never produced


def test_unknown_values_raise_with_values_named():
    with pytest.raises(
        ValueError, match=r"^convert: values not known as iso3 codes: \['XYZ', 'QQQ'\]$"
    ):
        convert(["USA", "XYZ", None, "QQQ", "XYZ"], "iso3", "cow")
    with pytest.raises(ValueError, match=r"^convert: values not known as cow codes: \[999\]$"):
        convert(np.array([2, 999]), "cow", "iso3")
    with pytest.raises(ValueError, match=r"not known as cow codes: \[2\.5\]"):
        convert(2.5)
    with pytest.raises(ValueError, match=r"not known as gw codes: \['2'\]"):
        convert("2", "gw", "cow")
    with pytest.raises(ValueError, match=r"and 5 more$"):
        convert([f"X{i:02d}" for i in range(15)], "iso3", "cow")
    with pytest.raises(ValueError, match=r"^convert: from_ must be one of \[.*\]; got 'iso'$"):
        convert("USA", "iso", "cow")
    with pytest.raises(ValueError, match=r"^convert: to must be one of"):
        convert("USA", "iso3", "COW")
    with pytest.raises(ValueError, match=r"^convert: year must be a scalar or align with values"):
        convert(["USA", "UKG"], "cowabb", "cow", year=[1990, 1991, 1992])
    with pytest.raises(ValueError, match=r"^convert: year must hold whole years"):
        convert("USA", "cowabb", "cow", year=1990.5)
    with pytest.raises(TypeError, match=r"^convert: year must be an integer"):
        convert("USA", "cowabb", "cow", year="1990")


def test_convert_shapes_and_missing():
    assert convert(2) == "USA"
    assert convert("usa ", "cowabb", "cow") == 2
    assert convert("united states of america", "name", "cow") == 2
    assert convert(2, "cow", "name") == "United States of America"
    assert convert(None) is None
    assert convert(np.nan, "iso3", "cow") is None
    assert convert(pd.NA, "cowabb", "cow") is None
    assert convert(240) is None  # Hanover: no ISO code
    assert convert(711, "gw", "cow") is None  # Tibet: G-W only
    assert convert(58, "cow", "gw") is None  # micro-state: none in G-W
    assert convert((2, 20)) == ["USA", "CAN"]
    assert convert([2, None, 240]) == ["USA", None, None]
    assert convert(["USA", np.nan], "cowabb", "cow") == [2, None]

    arr = convert(np.array([2, 20, 255]), "cow", "iso2")
    assert (
        isinstance(arr, np.ndarray) and arr.dtype == object and arr.tolist() == ["US", "CA", "DE"]
    )
    arr = convert(np.array(["USA", "CAN"]), "iso3", "cow")
    assert arr.dtype == np.int64 and arr.tolist() == [2, 20]
    arr = convert(np.array([2.0, np.nan, 255.0]), "cow", "gw")
    assert arr.dtype == np.float64 and np.isnan(arr[1]) and arr[[0, 2]].tolist() == [2.0, 255.0]
    arr = convert(np.array([[2, 20], [200, 220]]), "cow", "cowabb")
    assert arr.shape == (2, 2) and arr.tolist() == [["USA", "CAN"], ["UKG", "FRN"]]
    assert convert(np.array([], dtype=np.int64)).shape == (0,)

    s = pd.Series([2, 365, 240], index=list("abc"), name="ccode")
    before = s.copy()
    out = convert(s, "cow", "iso3")
    assert isinstance(out, pd.Series) and list(out.index) == list("abc") and out.name == "ccode"
    assert out.iloc[:2].tolist() == ["USA", "RUS"] and pd.isna(out.iloc[2])
    pd.testing.assert_series_equal(s, before)
    out = convert(pd.Series(["USA", None], dtype="category"), "iso3", "cow")
    assert out.dtype == np.float64 and out.iloc[0] == 2 and np.isnan(out.iloc[1])
    out = convert(pd.Series([2, None], dtype="Int64"), "cow", "cowabb")
    assert out.iloc[0] == "USA" and pd.isna(out.iloc[1])
    idx = convert(pd.Index(["USA", "RUS"]), "iso3", "cow")
    assert isinstance(idx, pd.Index) and idx.tolist() == [2, 365]


# --------------------------------------------------------------------------- lookup_state


def test_lookup_state():
    assert lookup_state("UKG") == 200
    assert lookup_state("ukg") == 200
    assert lookup_state(710) == 710
    assert lookup_state(np.int32(2)) == 2
    assert lookup_state("AUS") == 305
    assert lookup_state("AUS", codes="iso3") == 900
    assert lookup_state(2, codes="iso3") == 2  # ints are COW ccodes
    assert lookup_state("DE", codes="iso2", year=1985) == 260
    assert lookup_state("DE", codes="iso2") == 255
    assert lookup_state(260, codes="gw", year=1995) == 255
    assert lookup_state("365", codes="cow") == 365
    assert lookup_state("Russia", codes="name") == 365
    assert isinstance(lookup_state("USA"), int)


def test_lookup_state_errors():
    with pytest.raises(ValueError, match=r"^lookup_state: x not known as COW ccodes; got 999$"):
        lookup_state(999)
    with pytest.raises(ValueError, match=r"^lookup_state: x not known as cowabb codes; got 'XYZ'$"):
        lookup_state("XYZ")
    with pytest.raises(ValueError, match=r"^lookup_state: x not known as iso3 codes; got 'GMY'$"):
        lookup_state("GMY", codes="iso3")
    with pytest.raises(ValueError, match=r"^lookup_state: x names no COW state; got 711$"):
        lookup_state(711, codes="gw")
    with pytest.raises(
        ValueError, match=r"^lookup_state: x must name a state, not a missing value; got None$"
    ):
        lookup_state(None)
    with pytest.raises(
        TypeError, match=r"^lookup_state: x must be an int ccode or a string code; got float 2.0$"
    ):
        lookup_state(2.0)
    with pytest.raises(TypeError, match=r"got bool True"):
        lookup_state(True)
    with pytest.raises(ValueError, match=r"^lookup_state: codes must be one of"):
        lookup_state("USA", codes="iso")


def test_lookup_states():
    out = lookup_states(["USA", 365, "chn"])
    assert out.dtype == np.int64 and out.tolist() == [2, 365, 710]
    assert lookup_states(np.array([2, 20])).tolist() == [2, 20]
    assert lookup_states(pd.Series(["DEU", "DEU"]), codes="iso3", year=[1985, 1995]).tolist() == [
        260,
        255,
    ]
    assert lookup_states([]).tolist() == []
    with pytest.raises(
        ValueError, match=r"^lookup_states: xs not known as cowabb codes; got \['XYZ', 'ABC'\]$"
    ):
        lookup_states(["USA", "XYZ", "ABC"])
    with pytest.raises(
        ValueError,
        match=r"^lookup_states: xs not known as COW ccodes or cowabb codes; got \[999, 'XYZ'\]$",
    ):
        lookup_states([999, "XYZ"])
    with pytest.raises(
        TypeError, match=r"^lookup_states: xs must be a list-like of states; got 'USA'$"
    ):
        lookup_states("USA")


# --------------------------------------------------------------------------- membership


@pytest.mark.parametrize(
    "lookup, fixture, edge, last",
    [(is_member, "cow_states", 2016, 2040), (is_major, "cow_majors", 2024, 2060)],
    ids=["is_member-states2016", "is_major-majors2024"],
)
def test_membership_matches_cow_lists(lookup, fixture, edge, last, request):
    ccodes = np.arange(0, 1000)
    years = np.arange(1800, last + 1)
    cc, yy = np.meshgrid(ccodes, years, indexing="ij")
    ref = np.zeros(cc.shape, dtype=bool)
    for c, a, b in _spell_years(request.getfixturevalue(fixture), edge):
        ref[c, (years >= a) & (years <= b)] = True
    np.testing.assert_array_equal(lookup(cc, yy), ref)


def test_is_major_cases():
    assert is_major(710, 2022)
    assert is_major(710, 2100)  # continues past the list's edge
    assert not is_major(740, 1950)
    assert is_major(740, 1991)
    assert is_major(255, 1991)  # spell starts 1991-12-11: covers part of the year
    assert not is_major(255, 1990)
    assert not is_major(2, 1897) and is_major(2, 1898)
    assert majors(2030).tolist() == [2, 200, 220, 255, 365, 710, 740]
    assert majors(1816).tolist() == [200, 220, 255, 300, 365]


def test_is_member_cases_and_inputs():
    assert is_member([265, 255, 260], 1990).tolist() == [True, True, True]
    assert is_member(690, [1990, 1991]).tolist() == [True, True]  # Kuwait, occupied 1990-1991
    assert not is_member(255, 1950)
    assert is_member(2, 3000)
    assert not is_member(2, 1815)
    out = is_member(np.array([[2], [260]]), np.array([1950, 2000]))
    assert out.shape == (2, 2) and out.tolist() == [[True, True], [False, False]]
    assert is_member(np.array([2.0, np.nan]), np.array([2000.0, 2000.0])).tolist() == [True, False]
    assert is_member(pd.Series([2, 2]), pd.Series([2000, 1700])).tolist() == [True, False]
    assert is_member([-5, 5000], 2000).tolist() == [False, False]
    assert is_member(np.array([], dtype=np.int64), 2000).shape == (0,)
    with pytest.raises(ValueError, match=r"^is_member: years must hold whole numbers; got 2000.5$"):
        is_member(2, 2000.5)
    with pytest.raises(TypeError, match=r"^is_member: ccodes must be integers; got dtype"):
        is_member(["USA"], 2000)
    with pytest.raises(TypeError, match=r"^is_major: years must be integers; got dtype bool$"):
        is_major(2, True)
    with pytest.raises(ValueError, match=r"^is_member: ccodes and years must align"):
        is_member([2, 20], [2000, 2001, 2002])


def test_members_match_reference(cow_states):
    for year in (1816, 1871, 1946, 1990, 2016, 2020, 2100):
        assert members(year).tolist() == _reference_members(cow_states, 2016, year), year
    assert members(1800).tolist() == []
    assert members(2016).dtype == np.int64
    with pytest.raises(TypeError, match=r"^members: year must be an integer year; got '2000'$"):
        members("2000")


# --------------------------------------------------------------------------- panels


def test_state_years_matches_reference(cow_states):
    sy = state_years(1816, 2030)
    assert list(sy.columns) == ["ccode", "stateabb", "year"]
    assert sy["ccode"].dtype == np.int64 and sy["year"].dtype == np.int64
    assert isinstance(sy.index, pd.RangeIndex)
    assert sy.equals(sy.sort_values(["year", "ccode"]).reset_index(drop=True))
    counts = sy.groupby("year").size()
    spells = _spell_years(cow_states, 2016)
    ref = {y: len({c for c, a, b in spells if a <= y <= b}) for y in range(1816, 2031)}
    assert counts.to_dict() == ref
    for year in (1816, 1946, 2016, 2020):
        got = sy.loc[sy["year"] == year, "ccode"].tolist()
        assert got == _reference_members(cow_states, 2016, year), year
    assert counts[2020] == counts[2016] == 195
    abbs = dict(zip(cow_states["ccode"], cow_states["stateabb"]))
    assert (sy["stateabb"] == sy["ccode"].map(abbs)).all()
    assert not sy.duplicated(["ccode", "year"]).any()


def test_state_years_single_and_empty_years():
    assert len(state_years(1816, 1816)) == 23
    assert len(state_years(1700, 1815)) == 0
    assert list(state_years(1700, 1700).columns) == ["ccode", "stateabb", "year"]


def test_dyad_years():
    d = dyad_years(1990, 1992)
    assert list(d.columns) == ["ccode1", "ccode2", "year"]
    assert all(d[c].dtype == np.int64 for c in d.columns)
    assert not (d["ccode1"] == d["ccode2"]).any()
    assert d.equals(d.sort_values(["year", "ccode1", "ccode2"]).reset_index(drop=True))
    assert is_member(d["ccode1"], d["year"]).all() and is_member(d["ccode2"], d["year"]).all()
    for year in (1990, 1991, 1992):
        n = len(members(year))
        assert (d["year"] == year).sum() == n * (n - 1)
    u = dyad_years(1990, 1992, directed=False)
    assert (u["ccode1"] < u["ccode2"]).all()
    assert len(u) * 2 == len(d)
    # Undirected pairs are the directed ones with ccode1 < ccode2.
    both = d[d["ccode1"] < d["ccode2"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(both, u)
    d2020 = dyad_years(2020, 2020)
    assert len(d2020) == 195 * 194


@pytest.mark.parametrize("func", [state_years, dyad_years])
def test_panel_argument_errors(func):
    name = func.__name__
    with pytest.raises(
        ValueError, match=rf"^{name}: start must not exceed end; got start=2000, end=1990$"
    ):
        func(2000, 1990)
    with pytest.raises(TypeError, match=rf"^{name}: start must be an integer year; got '1816'$"):
        func("1816", 1820)
    with pytest.raises(TypeError, match=rf"^{name}: end must be an integer year; got 1820.0$"):
        func(1816, 1820.0)
    with pytest.raises(TypeError, match=rf"^{name}: start must be an integer year; got True$"):
        func(True, 1820)
    with pytest.raises(ValueError, match=rf"^{name}: end must lie in 1..9999; got 100000$"):
        func(1816, 100000)
    assert len(func(np.int64(1816), np.int32(1817))) > 0


def test_dyad_years_directed_must_be_bool():
    with pytest.raises(TypeError, match=r"^dyad_years: directed must be a bool; got 'yes'$"):
        dyad_years(1816, 1817, directed="yes")


def test_module_exports():
    for name in codes.__all__:
        assert hasattr(codes, name)
