"""Power beyond CINC: power_frame, power_index and the value= path through concentration,
polarity, transition, group_power and project, against plain pandas on every row of the
real World Bank files (and NMC v7 for CINC)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar.projection import BLOCK, WINDOW


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def sources(data_dir):
    wb = data_dir / "world_bank"
    return {
        "gdp": _quiet(mp.read_worldbank, wb / "wb_gdp_current_usd.csv"),
        "population": _quiet(mp.read_worldbank, wb / "wb_population.csv"),
        "nmc": _quiet(mp.read_nmc, data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv"),
    }


@pytest.fixture(scope="module")
def frame(sources):
    return mp.power_frame(gdp=sources["gdp"], population=sources["population"])


def plain_frame(sources) -> pd.DataFrame:
    g = sources["gdp"][["ccode", "year", "value"]].rename(columns={"value": "gdp"})
    p = sources["population"][["ccode", "year", "value"]].rename(columns={"value": "population"})
    out = g.merge(p, on=["ccode", "year"], how="outer")
    out["net_power"] = out["gdp"] * out["gdp"] / out["population"]
    return out.sort_values(["ccode", "year"]).reset_index(drop=True)


def majors_of(year: int) -> set[int]:
    """COW's major powers, 1950-2024 and on (USA, UK, France, Russia, China; Germany and
    Japan again from 1991), written out from the COW list."""
    return {2, 200, 220, 365, 710} | ({255, 740} if year >= 1991 else set())


def plain_concentration(df: pd.DataFrame, value: str, majors: bool) -> pd.DataFrame:
    rows = {}
    for year, g in df.groupby("year"):
        if majors:
            g = g[g["ccode"].isin(majors_of(int(year)))]
        v = g[value].dropna().to_numpy()
        n = len(v)
        if n == 0 or v.sum() == 0:
            rows[year] = dict(hhi=np.nan, con=np.nan, n_eff=np.nan, top1=np.nan, gini=np.nan, n=n)
            continue
        s = v / v.sum()
        hhi = (s ** 2).sum()
        rows[year] = dict(
            hhi=hhi,
            con=np.sqrt((hhi - 1 / n) / (1 - 1 / n)) if n > 1 else np.nan,
            n_eff=1 / hhi,
            top1=s.max(),
            gini=np.abs(s[:, None] - s[None, :]).sum() / (2 * n * s.sum()),
            n=n,
        )
    return pd.DataFrame.from_dict(rows, orient="index")


# ---- power_frame and power_index ---------------------------------------------------------


def test_power_frame_equals_plain_pandas_on_every_row(sources, frame):
    want = plain_frame(sources)
    assert len(frame) == len(want)
    for col in ("ccode", "year"):
        np.testing.assert_array_equal(frame[col].to_numpy(), want[col].to_numpy())
    for col in ("gdp", "population", "net_power"):
        np.testing.assert_allclose(frame[col].to_numpy(), want[col].to_numpy(), rtol=1e-14,
                                   equal_nan=True)
    np.testing.assert_allclose(frame["gdp_per_capita"], want["gdp"] / want["population"],
                               rtol=1e-15)
    assert frame["year"].max() == 2024 and frame.loc[frame["gdp"].notna(), "year"].max() == 2023
    assert set(frame.attrs["set_aside"]) == {"gdp", "population"}


def test_power_frame_carries_cinc_from_nmc(sources):
    f = mp.power_frame(gdp=sources["gdp"], nmc=sources["nmc"])
    nmc = sources["nmc"]
    got = f.dropna(subset=["cinc"]).set_index(["ccode", "year"])["cinc"]
    want = nmc.dropna(subset=["cinc"]).set_index(["ccode", "year"])["cinc"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index().astype(float),
                                   check_names=False)
    # an NMC frame without its cinc column: recomputed from the six components
    again = mp.power_frame(nmc=nmc.drop(columns="cinc"))
    np.testing.assert_allclose(again.set_index(["ccode", "year"])["cinc"].reindex(got.index),
                               got, atol=5e-8)


@pytest.mark.parametrize("kind", ["gdp", "net_power"])
@pytest.mark.parametrize("majors", [False, True])
def test_power_index_equals_plain_shares(frame, kind, majors):
    df = frame
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = mp.power_index(df, kind, among="majors" if majors else None)
    sel = df["year"].map(majors_of)
    inside = np.array([c in s for c, s in zip(df["ccode"], sel)]) if majors else np.ones(len(df), bool)
    v = df[kind].where(inside)
    want = v / v.groupby(df["year"]).transform("sum")
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, equal_nan=True)
    assert got.name == f"{kind}_share"


def test_power_index_net_power_from_gdp_and_population(frame):
    small = frame.drop(columns=["net_power", "gdp_per_capita"])
    np.testing.assert_array_equal(mp.power_index(small, "net_power").to_numpy(),
                                  mp.power_index(frame, "net_power").to_numpy())


def test_power_index_milex_and_cinc(sources):
    nmc = sources["nmc"]
    np.testing.assert_array_equal(mp.power_index(nmc, "cinc").to_numpy(),
                                  nmc["cinc"].to_numpy(dtype=float))
    milex = nmc["milex"].where(nmc["milex"] >= 0)
    got = mp.power_index(nmc.assign(milex=milex), "milex")
    np.testing.assert_allclose(got, milex / milex.groupby(nmc["year"]).transform("sum"),
                               rtol=1e-12, equal_nan=True)


def test_power_measure_errors(frame):
    with pytest.raises(ValueError, match="kind must be one of"):
        mp.power_index(frame, "gnp")
    with pytest.raises(ValueError, match="columns"):
        mp.power_index(frame.drop(columns=["gdp", "net_power"]), "gdp")
    bad = frame.head(3).assign(gdp=[-1.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="negative"):
        mp.power_index(bad, "gdp")
    with pytest.raises(ValueError, match="at least one"):
        mp.power_frame()
    with pytest.raises(ValueError, match="non-negative"):
        mp.power_frame(gdp=pd.DataFrame({"ccode": [2], "year": [2000], "value": [-5.0]}))
    with pytest.raises(ValueError, match="duplicate"):
        mp.power_frame(gdp=pd.DataFrame({"ccode": [2, 2], "year": [2000, 2000], "value": [1.0, 2]}))
    with pytest.raises(TypeError):
        mp.power_frame(gdp=[1, 2])


# ---- the value= path, against plain pandas on every year ---------------------------------------


@pytest.mark.parametrize("value", ["gdp", "net_power"])
@pytest.mark.parametrize("majors", [False, True])
def test_concentration_on_world_bank_measures(frame, value, majors):
    got = mp.concentration(frame, value=value, among="majors" if majors else None)
    want = plain_concentration(frame, value, majors)
    assert got.index.tolist() == want.index.tolist() == list(range(1960, 2025))
    for col in ("hhi", "con", "n_eff", "top1", "gini"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-10, atol=1e-14, equal_nan=True,
                                   err_msg=col)
    np.testing.assert_array_equal(got["n"], want["n"])


def test_concentration_net_power_without_the_column(frame):
    small = frame.drop(columns=["net_power"])
    pd.testing.assert_frame_equal(mp.concentration(small, value="net_power", among="majors"),
                                  mp.concentration(frame, value="net_power", among="majors"))


@pytest.mark.parametrize("value", ["gdp", "net_power"])
def test_polarity_on_world_bank_measures(frame, value):
    got = mp.polarity(frame, value=value, threshold=0.2)
    assert got.index.tolist() == list(range(1960, 2025))
    for year in range(1960, 2024):  # every year with GDP (2024 has population only)
        g = frame[(frame["year"] == year) & frame["ccode"].isin(majors_of(year))].dropna(
            subset=[value])
        s = (g.set_index("ccode")[value] / g[value].sum()).sort_values(ascending=False)
        poles = tuple(int(c) for c in s[s >= 0.2].index) or (int(s.index[0]),)
        assert got.loc[year, "poles"] == poles
        assert got.loc[year, "top_share"] == pytest.approx(s.iloc[0], rel=1e-12)
        assert got.loc[year, "label"] == ("unipolar", "bipolar", "multipolar")[min(len(poles), 3) - 1]
    assert got.loc[2023, "poles"][0] == 2 and got.loc[2024, "label"] is None


@pytest.mark.parametrize("value", ["gdp", "net_power"])
def test_transition_china_usa(frame, value):
    got = mp.transition(frame, "CHN", "USA", value=value)
    w = frame.pivot(index="year", columns="ccode", values=value)[[710, 2]].dropna()
    np.testing.assert_allclose(got["ratio"], w[710] / w[2], rtol=1e-14)
    np.testing.assert_array_equal(got.index, w.index)
    assert (got["leader"] == 2).all()  # the USA leads by GDP and net power through 2023


def test_group_power_gdp_shares(frame):
    gdp = frame[frame["gdp"].notna()]
    got = mp.group_power(gdp, ["G7", "BRICS"], value="gdp")
    world = gdp.groupby("year")["gdp"].sum()

    def g7(c, y):
        return (c in (2, 200, 220, 325, 740) or (c == 20 and y >= 1976)
                or (c == 260 and y < 1990) or (c == 255 and y >= 1990))

    def brics(c, y):
        return (c in (140, 365, 750, 710) and y >= 2009) or (c == 560 and y >= 2011)

    for name, rule, start in (("G7", g7, 1975), ("BRICS", brics, 2009)):
        inside = np.array([rule(c, y) for c, y in zip(gdp["ccode"], gdp["year"])])
        want = gdp[inside].groupby("year")["gdp"].sum() / world
        want[want.index < start] = np.nan
        share = got[got["group"] == name].set_index("year")["share"]
        np.testing.assert_allclose(share, want.reindex(share.index), rtol=1e-12, equal_nan=True)
    # BRICS enlargement of 2024: the population frame reaches 2024
    pop = mp.group_power(frame.dropna(subset=["population"]), ["BRICS"], value="population")
    members_2024 = {140, 365, 750, 710, 560, 651, 530, 630, 696}
    p24 = frame[(frame["year"] == 2024)].dropna(subset=["population"])
    want24 = p24.loc[p24["ccode"].isin(members_2024), "population"].sum() / p24["population"].sum()
    assert pop.set_index("year").loc[2024, "share"] == pytest.approx(want24, rel=1e-12)


def test_group_power_net_power_without_the_column(frame):
    gdp = frame[frame["gdp"].notna()]
    a = mp.group_power(gdp.drop(columns=["net_power"]), ["G7"], value="net_power")
    b = mp.group_power(gdp, ["G7"], value="net_power")
    pd.testing.assert_frame_equal(a, b)


# ---- major powers past COW's list -------------------------------------------------------------


def test_majors_past_the_list_warn(frame):
    later = frame[frame["year"] == 2023].assign(year=2026)
    both = pd.concat([frame, later], ignore_index=True)
    with pytest.warns(UserWarning, match="past the end of COW's major-power list"):
        c = mp.concentration(both, value="gdp", among="majors")
    # the majors of 2024 carry on: 2026 is computed over the same seven states as 2023
    assert c.loc[2026, "n"] == 7 and c.loc[2026, "hhi"] == pytest.approx(c.loc[2023, "hhi"])
    with pytest.warns(UserWarning, match="past the end"):
        mp.polarity(both, value="gdp")
    with pytest.warns(UserWarning, match="past the end"):
        mp.project(both, value="gdp", years=2, paths=BLOCK, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mp.concentration(frame, value="gdp", among="majors")  # to 2024: no warning


# ---- projection from the latest year ----------------------------------------------------------


def test_project_gdp_starts_from_2023(frame):
    gdp = frame[frame["gdp"].notna()]
    p = mp.project(gdp, value="gdp", years=12, paths=2 * BLOCK, seed=3, pairs=[("CHN", "USA")])
    assert p.start_year == 2023 and p.years[0] == 2024 and p.years[-1] == 2035
    assert p._config.window == (2023 - WINDOW + 1, 2023)
    over = p.overtaking().loc[("CHN>USA", 2035)]
    assert 0 <= over["p_over"] <= over["p_by"] <= 1
    # calibration = mean yearly log growth over the window, by plain pandas
    w = gdp.pivot(index="year", columns="ccode", values="gdp").loc[1999:2023, list(p.states)]
    growth = np.log(w).diff().dropna()
    cal = p.calibration
    np.testing.assert_allclose(cal["mean_growth"].to_numpy(), growth.mean().to_numpy(), rtol=1e-12)
    start = w.loc[2023].to_numpy()
    np.testing.assert_allclose(cal["start_value"].to_numpy(), start, rtol=1e-12)
    assert sorted(p.among) == sorted(majors_of(2023))


def test_project_window_forms(frame):
    gdp = frame[frame["gdp"].notna()]
    kw = dict(value="net_power", years=3, paths=BLOCK, seed=1, among=["USA", "CHN", "RUS"])
    a = mp.project(gdp, window=10, **kw)
    b = mp.project(gdp, window=(2014, 2023), **kw)
    assert a._config.window == b._config.window == (2014, 2023)
    np.testing.assert_array_equal(a.calibration.to_numpy(), b.calibration.to_numpy())
    with pytest.raises(ValueError, match="at least two years"):
        mp.project(gdp, window=1, **kw)


def test_project_starts_at_the_last_year_with_a_value(tmp_path):
    """A joined frame whose population runs a year past its GDP projects GDP from the
    last GDP year, and calibrates on the years before it (not on the NaN year)."""
    gdp = pd.DataFrame({"ccode": np.repeat([2, 710], 12), "year": np.tile(np.arange(2012, 2024), 2),
                        "value": np.r_[np.linspace(10, 21, 12), np.linspace(5, 16, 12)]})
    pop = pd.DataFrame({"ccode": np.repeat([2, 710], 13), "year": np.tile(np.arange(2012, 2025), 2),
                        "value": 1.0})
    frame = mp.power_frame(gdp=gdp, population=pop)
    assert frame["year"].max() == 2024
    pr = mp.project(frame, value="gdp", years=3, paths=200, seed=1, among=[2, 710], window=5)
    assert pr.start_year == 2023
    assert list(pr.years) == [2024, 2025, 2026]
    alone = mp.project(gdp.rename(columns={"value": "gdp"}), value="gdp", years=3, paths=200,
                       seed=1, among=[2, 710], window=5)
    pd.testing.assert_frame_equal(pr.shares(), alone.shares())
