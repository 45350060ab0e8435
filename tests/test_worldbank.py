"""World Bank (long and WDI wide) and Our World in Data readers, on the real World Bank files
in ../shared/data and on small files written here in the other layouts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar.worldbank import OWID_CODES, WB_AGGREGATES

FILES = {"gdp": "wb_gdp_current_usd.csv", "population": "wb_population.csv"}


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def raw(data_dir):
    return {k: pd.read_csv(data_dir / "world_bank" / f, keep_default_na=False)
            for k, f in FILES.items()}


@pytest.fixture(scope="module")
def crosswalk(data_dir):
    """The countrycode crosswalk (an independent ISO3 -> COW table; test fixture only)."""
    cw = pd.read_csv(data_dir / "country_codes" / "countrycode_cow_iso_crosswalk.csv",
                     keep_default_na=False, dtype=str)
    return cw[cw["iso3c"] != ""].set_index("iso3c")["cown"]


@pytest.fixture(scope="module")
def read(data_dir):
    return {k: _quiet(mp.read_worldbank, data_dir / "world_bank" / f) for k, f in FILES.items()}


# ---- the real long files, every row ---------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_row_is_mapped_or_reported(kind, raw, read):
    r, df = raw[kind], read[kind]
    rep = df.attrs["set_aside"]
    aside = sum(rep["aggregates"].values()) + sum(rep["no_cow_code"].values())
    assert len(df) + aside == len(r)
    # the set-aside codes are exactly the file's codes that are not in the frame, by count
    counts = r["Country Code"].value_counts()
    kept = set(df["code"])
    assert {**rep["aggregates"], **rep["no_cow_code"]} == {
        c: int(n) for c, n in counts.items() if c not in kept}
    assert set(rep["aggregates"]) <= WB_AGGREGATES
    assert rep["skipped_rows"] == 0 and rep["missing_values"] == 0


@pytest.mark.parametrize("kind", sorted(FILES))
def test_values_equal_the_file_on_every_row(kind, raw, read):
    r, df = raw[kind], read[kind]
    plain = r.rename(columns={"Country Code": "code", "Year": "year", "Value": "v"})
    both = df.merge(plain[["code", "year", "v"]], on=["code", "year"], how="left",
                    validate="one_to_one")
    assert both["v"].notna().all()
    np.testing.assert_array_equal(both["value"].to_numpy(), both["v"].astype(float).to_numpy())
    assert df["ccode"].dtype == np.int64 and df["year"].dtype == np.int64
    assert not df.duplicated(["ccode", "year"]).any()


@pytest.mark.parametrize("kind", sorted(FILES))
def test_ccodes_agree_with_an_independent_crosswalk(kind, read, crosswalk):
    df = read[kind]
    cw = df["code"].map(crosswalk)
    assert cw.notna().mean() > 0.95
    # Germany and Yemen are year-aware (the crosswalk knows only 255 and 679); Kosovo is
    # not in it
    aware = (df["code"] == "DEU") | ((df["code"] == "YEM") & (df["year"] < 1990))
    assert set(df.loc[(df["code"] == "YEM") & (df["year"] < 1990), "ccode"]) <= {678}
    plain = cw.notna() & (cw != "") & ~aware
    np.testing.assert_array_equal(df.loc[plain, "ccode"].to_numpy(),
                                  cw[plain].astype(np.int64).to_numpy())
    # every code the crosswalk gives a COW number is mapped, never set aside
    rep = df.attrs["set_aside"]
    for code in [*rep["aggregates"], *rep["no_cow_code"]]:
        assert code not in crosswalk.index or crosswalk[code] == "", code


def test_year_aware_codes(read):
    df = read["population"]
    deu = df[df["code"] == "DEU"]
    assert set(deu.loc[deu["year"] < 1990, "ccode"]) == {260}
    assert set(deu.loc[deu["year"] >= 1990, "ccode"]) == {255}
    for code, ccode in (("RUS", 365), ("SRB", 345), ("XKX", 347), ("CHN", 710), ("USA", 2)):
        assert set(df.loc[df["code"] == code, "ccode"]) == {ccode}, code
    g = read["gdp"].set_index(["code", "year"])["value"]
    # the provenance note's spot checks
    assert g[("CHN", 2023)] == 17794781986104 or abs(g[("CHN", 2023)] - 17794781986104) < 1
    assert abs(g[("USA", 2023)] - 27360935000000) < 1


def test_territory_and_membership_are_reported(read, raw):
    df = read["gdp"]
    rep = df.attrs["set_aside"]
    assert rep["territory"]["RUS"] == int(((df["code"] == "RUS") & (df["year"] <= 1991)).sum())
    assert rep["territory"]["DEU"] == int(((df["code"] == "DEU") & (df["year"] <= 1989)).sum())
    # Czechia before 1993 is not a COW member: kept (as 316), flagged and reported
    cze = df[(df["code"] == "CZE") & (df["year"] < 1993)]
    assert len(cze) == 3 and set(cze["ccode"]) == {316} and not cze["member"].any()
    assert rep["outside_system"]["CZE"] == 3
    assert rep["outside_system"] == {
        c: int(n) for c, n in df.loc[~df["member"], "code"].value_counts().items()}
    members = _quiet(mp.read_worldbank, pd.DataFrame(raw["gdp"]), members_only=True)
    assert members["member"].all() and len(members) == int(df["member"].sum())


def test_warning_counts_what_is_set_aside(data_dir, raw):
    r = raw["gdp"]
    n_agg = int(r["Country Code"].isin(WB_AGGREGATES).sum())
    n_codes = int(r.loc[r["Country Code"].isin(WB_AGGREGATES), "Country Code"].nunique())
    with pytest.warns(UserWarning, match=f"set aside {n_agg} rows of {n_codes} aggregate codes"):
        mp.read_worldbank(data_dir / "world_bank" / FILES["gdp"])


def test_io_reexports_the_readers():
    assert mp.io.read_worldbank is mp.read_worldbank
    assert mp.io.read_owid is mp.read_owid


# ---- WDI wide layout -------------------------------------------------------------------------


def _wide(raw: dict, api: bool) -> str:
    parts = []
    for kind, ind, name in (("gdp", "NY.GDP.MKTP.CD", "GDP (current US$)"),
                            ("population", "SP.POP.TOTL", "Population, total")):
        w = raw[kind].pivot(index=["Country Name", "Country Code"], columns="Year",
                            values="Value").reset_index()
        w.insert(2, "Indicator Name", name)
        w.insert(3, "Indicator Code", ind)
        parts.append(w)
    wide = pd.concat(parts, ignore_index=True)
    wide.columns = [str(c) for c in wide.columns]
    text = wide.to_csv(index=False)
    if api:  # the API download's preamble and trailing comma
        text = ('"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-06-28",\n\n'
                + "\n".join(line + "," for line in text.splitlines()) + "\n")
    return text


@pytest.mark.parametrize("api", [False, True])
def test_wide_layout_equals_the_long_file(tmp_path, raw, read, api):
    path = tmp_path / "wdi.csv"
    path.write_text(_wide(raw, api), encoding="utf-8")
    with pytest.raises(ValueError, match="holds 2 indicators"):
        mp.read_worldbank(path)
    for kind, pick in (("gdp", "NY.GDP.MKTP.CD"), ("population", "Population, total")):
        wide = _quiet(mp.read_worldbank, path, indicator=pick)
        assert wide["value"].isna().sum() == wide.attrs["set_aside"]["missing_values"]
        assert kind != "gdp" or wide["value"].isna().sum() > 0  # empty cells are NaN, kept
        got = wide.dropna(subset=["value"]).reset_index(drop=True)
        want = read[kind]
        pd.testing.assert_frame_equal(got[["ccode", "year", "value", "code"]],
                                      want[["ccode", "year", "value", "code"]])
    with pytest.raises(ValueError, match="indicator not in the file"):
        mp.read_worldbank(path, indicator="XX.NOPE")


def test_wide_bad_cell_names_its_line(tmp_path, raw):
    text = _wide(raw, api=False).splitlines()
    cells = text[5].split(",")
    cells[-1] = "n/a"
    text[5] = ",".join(cells)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 6"):
        mp.read_worldbank(path, indicator="NY.GDP.MKTP.CD")


# ---- malformed rows, strict and lenient -------------------------------------------------------


def test_long_bad_rows_strict_and_lenient(tmp_path):
    path = tmp_path / "gdp.csv"
    path.write_text("Country Name,Country Code,Year,Value\nChina,CHN,2020,10\nChina,CHN,20x1,11\n"
                    "China,CHN,2022,abc\nWorld,WLD,2022,99\nUnited States,USA,2022,\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"'Year'.*'20x1'.*line 3"):
        mp.read_worldbank(path)
    with pytest.warns(UserWarning, match="2 malformed rows"):
        df = mp.read_worldbank(path, errors="skip")
    rep = df.attrs["set_aside"]
    assert rep["skipped_rows"] == 2 and rep["aggregates"] == {"WLD": 1}
    assert df[["ccode", "year"]].to_numpy().tolist() == [[2, 2022], [710, 2020]]
    assert np.isnan(df["value"].iloc[0]) and rep["missing_values"] == 1
    with pytest.raises(ValueError, match="errors must be"):
        mp.read_worldbank(path, errors="ignore")


def test_unknown_layout_and_missing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="neither the long layout"):
        mp.read_worldbank(path)
    with pytest.raises(FileNotFoundError):
        mp.read_worldbank(tmp_path / "missing.csv")


# ---- Our World in Data ------------------------------------------------------------------------

OWID = """Entity,Code,Year,military_expenditure
Africa,,2000,10
China,CHN,2000,22.2
China,CHN,2001,25.0
Czechoslovakia,OWID_CZS,1985,3.5
Germany,DEU,1985,40
Germany,DEU,2000,30
Hong Kong,HKG,2000,1
Kosovo,OWID_KOS,2010,0.1
USSR,OWID_USS,1985,300
World,OWID_WRL,2000,800
High-income countries,,2000,600
"""


def test_owid_maps_codes_and_reports_aggregates(tmp_path):
    path = tmp_path / "milex.csv"
    path.write_text(OWID, encoding="utf-8")
    with pytest.warns(UserWarning, match=r"3 rows of 3 aggregate codes.*1 rows of 1 no-COW-code"):
        df = mp.read_owid(path)
    plain = pd.read_csv(path, keep_default_na=False)
    iso = {"CHN": 710, "HKG": None}
    want = []
    for _, row in plain.iterrows():
        code = row["Code"]
        if code == "DEU":
            want.append((260 if row["Year"] < 1990 else 255, row["Year"], row.iloc[3]))
        elif code in OWID_CODES:
            want.append((OWID_CODES[code], row["Year"], row.iloc[3]))
        elif iso.get(code):
            want.append((iso[code], row["Year"], row.iloc[3]))
    want.sort()
    got = list(df[["ccode", "year", "value"]].itertuples(index=False, name=None))
    assert got == [(int(c), int(y), float(v)) for c, y, v in want]
    rep = df.attrs["set_aside"]
    assert rep["aggregates"] == {"Africa": 1, "High-income countries": 1, "OWID_WRL": 1}
    assert rep["no_cow_code"] == {"HKG": 1}


def test_owid_value_column_choice_and_errors(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("Entity,Code,Year,gdp,note\nChina,CHN,2000,1.5,x\nChina,CHN,2001,oops,y\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="name the value column"):
        mp.read_owid(path)
    with pytest.raises(ValueError, match="value must name a column"):
        mp.read_owid(path, value="GDP")
    with pytest.raises(ValueError, match=r"'gdp'.*'oops'.*line 3"):
        mp.read_owid(path, value="gdp")
    with pytest.warns(UserWarning, match="1 malformed rows"):
        df = mp.read_owid(path, value="gdp", errors="skip")
    assert df["value"].tolist() == [1.5]
    bad = tmp_path / "bad.csv"
    bad.write_text("Country,Year,x\nChina,2000,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Entity, Code, Year"):
        mp.read_owid(bad)


def test_two_codes_for_one_state_year_raise(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Entity,Code,Year,v\nSerbia,SRB,2004,1\nSerbia and Montenegro,OWID_SRM,2004,2\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"same COW state-year.*345 in 2004"):
        mp.read_owid(path)


# ---- the README's present-day section -----------------------------------------------------------


def test_readme_present_day_section_is_what_the_command_prints(data_dir):
    from pathlib import Path

    from multipolar.worldbank import present_day, present_day_text

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Power today"):]
    assert "wb.present_day_text('../shared/data')" in section
    start = section.index("```text\n") + len("```text\n")
    shown = section[start:section.index("```", start)].rstrip("\n")
    assert shown == present_day_text(data_dir)
    # spot checks of the tables against plain arithmetic on the files
    t = present_day(data_dir)
    wb = data_dir / "world_bank"
    g = pd.read_csv(wb / "wb_gdp_current_usd.csv").set_index(["Country Code", "Year"])["Value"]
    p = pd.read_csv(wb / "wb_population.csv").set_index(["Country Code", "Year"])["Value"]
    for y in (2000, 2010, 2023):
        assert t["ratio"].loc[y, "gdp"] == pytest.approx(g[("CHN", y)] / g[("USA", y)], rel=1e-12)
        net = {c: g[(c, y)] ** 2 / p[(c, y)] for c in ("CHN", "USA")}
        assert t["ratio"].loc[y, "net_power"] == pytest.approx(net["CHN"] / net["USA"], rel=1e-12)
    assert t["set_aside"].loc["aggregate codes", "gdp"] == len(
        set(g.index.get_level_values(0)) & WB_AGGREGATES)


def test_owid_historical_iso_codes(tmp_path):
    path = tmp_path / "gdp.csv"
    path.write_text("Entity,Code,Year,gdp\nYugoslavia,YUG,1990,1\nSerbia and Montenegro,SCG,2004,2\n"
                    "Serbia,SRB,2010,3\nUSSR,SUN,1985,4\nGermany,DEU,1989,5\nGermany,DEU,1990,6\n"
                    "Kosovo,XKX,2010,7\nCzechia,CZE,1991,8\n", encoding="utf-8")
    df = mp.read_owid(path)
    got = dict(zip(df["value"].astype(int), df["ccode"]))
    assert got == {1: 345, 2: 345, 3: 345, 4: 365, 5: 260, 6: 255, 7: 347, 8: 316}
    rep = df.attrs["set_aside"]
    assert rep["outside_system"] == {"CZE": 1} and rep["territory"] == {"DEU": 1}
    assert not rep["aggregates"] and not rep["no_cow_code"]
