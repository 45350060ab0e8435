"""Group memberships, group_power, group_cohesion and group_trade against plain pandas
references, COW's system membership list and the COW NMC/trade files."""

from __future__ import annotations

import multipolar.io as mio
import numpy as np
import pandas as pd
import pytest
from multipolar import groups as G
from multipolar import trade as T
from multipolar.power import CONCENTRATION_COLUMNS, concentration
from test_trade import quiet, random_trade, real_trade, ref_dependence

_SPELLS: dict[int, list[tuple[int, float, float]]] = {}


def member_ref(g: G.Group, ccode: int, year: int) -> bool:
    """Membership from the spells table, one Python comparison at a time."""
    if g.founded is not None and year < g.founded:
        return False
    if g.dissolved is not None and year >= g.dissolved:
        return False
    if id(g) not in _SPELLS:
        sp = g.spells
        _SPELLS[id(g)] = [
            (int(c), -np.inf if pd.isna(j) else int(j), np.inf if pd.isna(lv) else int(lv))
            for c, j, lv in zip(sp["ccode"], sp["join"], sp["leave"])
        ]
    return any(c == ccode and j <= year < lv for c, j, lv in _SPELLS[id(g)])


# ---- memberships ---------------------------------------------------------------------


def abbs(g, year):
    from multipolar.codes import convert

    return set(convert(g.members_in(year), from_="cow", to="cowabb"))


def test_builtin_memberships_spot_checks():
    assert "FIN" in abbs(G.NATO, 2023) and "SWD" not in abbs(G.NATO, 2023)
    assert "SWD" in abbs(G.NATO, 2024) and len(G.NATO.members_in(2024)) == 32
    assert len(G.NATO.members_in(1949)) == 12 and len(G.NATO.members_in(1948)) == 0
    assert {255} & set(G.NATO.members_in(1990)) and not {260} & set(G.NATO.members_in(1990))
    assert "UKG" in abbs(G.EU, 2019) and "UKG" not in abbs(G.EU, 2020)
    assert len(G.EU.members_in(2019)) == 28 and len(G.EU.members_in(2020)) == 27
    assert abbs(G.G7, 1975) == {"USA", "UKG", "FRN", "GFR", "ITA", "JPN"}
    assert "CAN" in abbs(G.G7, 1976) and "RUS" not in abbs(G.G7, 2005)
    assert "RUS" in abbs(G.G8, 2013) and len(G.G8.members_in(2014)) == 0
    assert len(G.BRICS.members_in(2008)) == 0
    assert abbs(G.BRICS, 2009) == {"BRA", "RUS", "IND", "CHN"}
    assert "SAF" not in abbs(G.BRICS, 2010) and "SAF" in abbs(G.BRICS, 2011)
    assert len(G.BRICS.members_in(2024)) == 9 and "SAU" not in abbs(G.BRICS, 2025)
    assert "INS" in abbs(G.BRICS, 2025)
    assert len(G.SCO.members_in(2000)) == 0 and len(G.SCO.members_in(2001)) == 6
    assert {"IND", "PAK"} <= abbs(G.SCO, 2017) and "IND" not in abbs(G.SCO, 2016)
    assert "IRN" in abbs(G.SCO, 2023) and "BLR" in abbs(G.SCO, 2024)
    assert {"AZE", "GRG", "UZB"} <= abbs(G.CSTO, 1998)
    assert not {"AZE", "GRG", "UZB"} & abbs(G.CSTO, 1999)
    assert "UZB" in abbs(G.CSTO, 2011) and "UZB" not in abbs(G.CSTO, 2012)
    assert "ARM" in abbs(G.CSTO, 2025)


@pytest.mark.parametrize("name", sorted(G.GROUPS))
def test_builtin_members_are_cow_states(name, data_dir):
    # Every member-year from the founding to 2024 is a COW system member-year
    # (spells ending on 2016-12-31 mark the list's edge and continue).
    st = pd.read_csv(data_dir / "cow_states" / "states2016.csv")
    g = G.GROUPS[name]
    first = g.founded
    for s in g.spells.itertuples():
        lo = max(first, int(s.join))
        hi = min(2024, (int(s.leave) - 1) if not pd.isna(s.leave) else 2024)
        if g.dissolved is not None:
            hi = min(hi, g.dissolved - 1)
        rows = st[st.ccode == s.ccode]
        assert len(rows), f"{name}: {s.ccode} is not a COW state"
        for year in range(lo, hi + 1):
            ok = ((rows.styear <= year) & ((rows.endyear >= year) | (rows.endyear == 2016))).any()
            assert ok, f"{name}: {s.ccode} is not a COW member in {year}"


def test_builtin_is_member_matches_spells():
    rng = np.random.default_rng(0)
    codes = np.array([2, 20, 200, 255, 260, 365, 371, 704, 710, 560, 850, 670, 375, 380, 999])
    c = rng.choice(codes, 300)
    y = rng.integers(1945, 2027, 300)
    for g in G.GROUPS.values():
        got = g.is_member(c, y)
        want = np.array([member_ref(g, int(a), int(b)) for a, b in zip(c, y)])
        np.testing.assert_array_equal(got, want, err_msg=g.name)


def test_user_group_forms():
    quad = G.Group("Quad", {"USA": 2007, "JPN": 2007, "IND": 2007,
                            "AUL": [(2007, 2008), (2017, None)]})
    assert quad.founded == 2007 and quad.dissolved is None
    assert quad.members_in(2010).tolist() == [2, 740, 750]
    assert quad.members_in(2020).tolist() == [2, 740, 750, 900]
    assert quad.members_in(2006).tolist() == []
    always = G.Group("pair", [2, "RUS"])
    assert always.founded is None and always.members_in(1816).tolist() == [2, 365]
    fixed = G.Group("f", {2: None, 20: (None, 2000)}, founded=1990, dissolved=2010)
    assert fixed.members_in(1999).tolist() == [2, 20]
    assert fixed.members_in(2000).tolist() == [2] and fixed.members_in(2010).size == 0
    assert fixed.exists([1989, 1990, 2009, 2010]).tolist() == [False, True, True, False]
    assert repr(quad) == "Group('Quad', 4 states, founded 2007)"
    assert fixed.spells["leave"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((1, [2]), {}, TypeError, "Group: name must be a str; got 1"),
        ((" ", [2]), {}, ValueError, "Group: name must not be empty"),
        (("g", 5), {}, TypeError, "Group: members must be a mapping"),
        (("g", {2: (2000, 1990)}), {}, ValueError, "empty spell for 2"),
        (("g", {2: [(1990, 2000), (1995, None)]}), {}, ValueError, "overlapping spells of ccode 2"),
        (("g", {2: 1980}), {"founded": 1990}, ValueError, "starting before founded=1990"),
        (("g", {2: "1990"}), {}, TypeError, r"members\[2\] must be None, a join year"),
        (("g", {2.0: 1990}), {}, TypeError, "members must hold ccodes"),
        (("g", [2]), {"founded": 2000, "dissolved": 1990}, ValueError, "dissolved must come after"),
        (("g", [2]), {"founded": 1990.0}, TypeError, "founded must be an int year or None"),
    ],
)
def test_group_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        G.Group(*args, **kwargs)


def test_group_unknown_abbreviation():
    with pytest.raises(ValueError):
        G.Group("g", ["NOT_A_STATE"])


# ---- group_power -----------------------------------------------------------------------


def random_nmc(rng, n_states=15, years=(1995, 2012), nan_frac=0.05):
    pool = np.array([2, 20, 200, 220, 255, 325, 740, 140, 365, 710, 750, 560, 705, 703, 702,
                     704, 771, 770, 630, 900, 70, 640])
    states = rng.choice(pool, n_states, replace=False)
    rows = [(c, y) for y in range(years[0], years[1] + 1) for c in states if rng.random() < 0.9]
    df = pd.DataFrame(rows, columns=["ccode", "year"])
    df["cinc"] = rng.gamma(0.5, 0.01, len(df))
    df.loc[rng.random(len(df)) < nan_frac, "cinc"] = np.nan
    df["other"] = "x"
    df = df.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))
    df.index = df.index + 100
    return df


def ref_group_power(df, groups, value="cinc"):
    out = []
    for y, rows in df.groupby("year"):
        world = rows[value].sum()
        for g in groups:
            mem = [member_ref(g, int(c), int(y)) for c in rows["ccode"]]
            tot = rows.loc[mem, value].sum()
            alive = (g.founded is None or y >= g.founded) and (g.dissolved is None or y < g.dissolved)
            out.append((y, g.name, tot / world if alive and world > 0 else np.nan))
    return pd.DataFrame(out, columns=["year", "group", "share"]).astype({"year": "int64"})


@pytest.mark.parametrize("seed", range(3))
def test_group_power_matches_reference(seed):
    rng = np.random.default_rng(seed)
    df = random_nmc(rng)
    groups = [G.BRICS, G.G7, G.SCO, G.NATO, G.G8]
    before = df.copy()
    if df["cinc"].isna().any():
        with pytest.warns(UserWarning, match="member row\\(s\\) have no 'cinc' value"):
            got = G.group_power(df, groups)
    else:
        got = G.group_power(df, groups)
    want = ref_group_power(df, groups)
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)
    pd.testing.assert_frame_equal(df, before)


def test_group_power_names_and_nan_before_founding():
    df = pd.DataFrame({"ccode": [2, 365, 710, 2, 365, 710], "year": [2008] * 3 + [2010] * 3,
                       "cinc": [0.5, 0.2, 0.3, 0.4, 0.2, 0.4]})
    got = G.group_power(df, ["brics", "G7"])
    assert got["group"].tolist() == ["BRICS", "G7"] * 2
    assert np.isnan(got["share"].iloc[0])
    np.testing.assert_allclose(got["share"].iloc[1:], [0.5, 0.6, 0.4], rtol=1e-12)
    one = G.group_power(df[df.year == 2010], G.BRICS)
    assert one["share"].tolist() == [pytest.approx(0.6, rel=1e-12)]
    empty = G.group_power(df.iloc[:0], G.BRICS)
    assert list(empty.columns) == ["year", "group", "share"] and empty.empty


def test_group_power_recomputes_cinc(data_dir):
    nmc = mio.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    sub = nmc[nmc.year.between(2009, 2012)]
    a = G.group_power(sub, "BRICS")
    b = G.group_power(sub.drop(columns="cinc"), "BRICS")
    np.testing.assert_allclose(a["share"], b["share"], atol=1e-6)


def test_group_power_as_actors_matches_reference():
    rng = np.random.default_rng(7)
    df = random_nmc(rng, nan_frac=0.0)
    got = G.group_power(df, [G.G7, G.BRICS], as_actors=True)
    rows = []
    for r in df.itertuples():
        actor = next((g.name for g in (G.G7, G.BRICS) if member_ref(g, r.ccode, r.year)), str(r.ccode))
        rows.append((r.year, actor, r.cinc))
    act = pd.DataFrame(rows, columns=["year", "actor", "v"]).groupby(["year", "actor"], as_index=False)["v"].sum()
    want = concentration(act, value="v", by="year")
    assert list(got.columns) == list(CONCENTRATION_COLUMNS)
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)


def test_group_power_errors():
    df = pd.DataFrame({"ccode": [2, 365, 710], "year": 2015, "cinc": [0.5, 0.2, 0.3]})
    with pytest.raises(ValueError, match="groups must not overlap with as_actors=True; got ccode 365 in BRICS and SCO in 2015"):
        G.group_power(df, ["BRICS", "SCO"], as_actors=True)
    with pytest.raises(ValueError, match="names an unknown group"):
        G.group_power(df, "WARSAW")
    with pytest.raises(ValueError, match="must have unique names"):
        G.group_power(df, ["G7", G.G7])
    with pytest.raises(TypeError, match="group_power: groups must be a Group"):
        G.group_power(df, 5)
    with pytest.raises(TypeError, match="group_power: nmc_frame must be a pandas DataFrame"):
        G.group_power(df.to_dict(), "G7")
    with pytest.raises(ValueError, match="duplicate \\(ccode, year\\)"):
        G.group_power(pd.concat([df, df]), "G7")
    with pytest.raises(ValueError, match="column 'cinc' must be finite and non-negative"):
        G.group_power(df.assign(cinc=-df.cinc), "G7")
    with pytest.raises(ValueError, match="missing column"):
        G.group_power(df, "G7", value="milex")
    with pytest.raises(TypeError, match="as_actors must be True or False"):
        G.group_power(df, "G7", as_actors=1)


def test_group_power_real_nmc(data_dir):
    nmc = mio.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    sub = nmc[nmc.year.between(1990, 2016)]
    w = G.group_power(sub, ["BRICS", "G7"]).pivot(index="year", columns="group", values="share")
    assert w.loc[1990:2008, "BRICS"].isna().all()
    assert w.loc[2009:, "BRICS"].notna().all()
    # BRICS overtook the G7 in CINC share well before its founding; the G7's share fell.
    assert (w.loc[2009:, "BRICS"] > w.loc[2009:, "G7"]).all()
    assert w.loc[1990, "G7"] > w.loc[2016, "G7"] + 0.05


# ---- group_cohesion ----------------------------------------------------------------------


def random_similarity(rng, directed=True):
    states = [2, 20, 200, 365, 710, 705, 703, 750, 770, 140]
    rows = []
    for y in (1999, 2001, 2010, 2018):
        for i in states:
            for j in states:
                if i < j:
                    rows.append((i, j, y, rng.uniform(-1, 1) if rng.random() > 0.1 else np.nan))
    df = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "kappa"])
    if directed:
        df = pd.concat([df, df.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})], ignore_index=True)
    df["s"] = df["kappa"] / 2
    return df.sample(frac=1.0, random_state=3)


def ref_cohesion(df, g, measure):
    out = []
    for y, rows in df.groupby("year"):
        w, b = [], []
        for r in rows.itertuples():
            v = getattr(r, measure)
            if np.isnan(v):
                continue
            m1, m2 = member_ref(g, r.ccode1, y), member_ref(g, r.ccode2, y)
            if m1 and m2:
                w.append(v)
            elif m1 != m2:
                b.append(v)
        out.append((y, np.mean(w) if w else np.nan, np.mean(b) if b else np.nan, len(w), len(b)))
    return pd.DataFrame(out, columns=["year", "within", "between", "n_within", "n_between"]).astype(
        {"year": "int64", "n_within": "int64", "n_between": "int64"})


@pytest.mark.parametrize("measure", ["kappa", "s"])
def test_group_cohesion_matches_reference(measure):
    rng = np.random.default_rng(1)
    df = random_similarity(rng)
    for g in (G.SCO, G.NATO):
        got = G.group_cohesion(df, g, measure=measure)
        pd.testing.assert_frame_equal(got, ref_cohesion(df, g, measure), rtol=1e-12)
    got = G.group_cohesion(df, "SCO", measure)
    assert np.isnan(got.loc[got.year == 1999, "within"]).all()  # before 2001


def test_group_cohesion_directed_equals_undirected():
    rng = np.random.default_rng(2)
    und = random_similarity(rng, directed=False)
    dire = pd.concat([und, und.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})])
    a = G.group_cohesion(und, "NATO")
    b = G.group_cohesion(dire, "NATO")
    np.testing.assert_allclose(a[["within", "between"]], b[["within", "between"]], rtol=1e-12)


def test_group_cohesion_errors_and_self_rows():
    df = random_similarity(np.random.default_rng(3))
    with pytest.raises(ValueError, match="group_cohesion: similarity_frame has duplicate"):
        G.group_cohesion(pd.concat([df, df.iloc[:1]]), "SCO")
    with pytest.raises(TypeError, match="group_cohesion: group must be a Group or a group name"):
        G.group_cohesion(df, ["SCO"])
    with pytest.raises(ValueError, match="missing column"):
        G.group_cohesion(df, "SCO", measure="tau")
    selfrow = pd.DataFrame({"ccode1": [365], "ccode2": [365], "year": [2010], "kappa": [1.0], "s": [1.0]})
    with pytest.warns(UserWarning, match="1 row\\(s\\) pair a state with itself"):
        got = G.group_cohesion(pd.concat([df, selfrow]), "SCO")
    pd.testing.assert_frame_equal(got, G.group_cohesion(df, "SCO"))
    assert G.group_cohesion(df.iloc[:0], "SCO").empty


# ---- group_trade -------------------------------------------------------------------------


def ref_group_trade(df, groups):
    dep = ref_dependence(df)
    out = []
    for y, rows in dep.groupby("year"):
        for g in groups:
            m1 = np.array([member_ref(g, c, y) for c in rows.ccode1])
            m2 = np.array([member_ref(g, c, y) for c in rows.ccode2])
            tot = rows.trade[m1].sum()
            intra = rows.trade[m1 & m2].sum()
            alive = (g.founded is None or y >= g.founded) and (g.dissolved is None or y < g.dissolved)
            nan = np.nan
            out.append((y, g.name, intra / 2 if alive else nan, tot - intra if alive else nan,
                        intra / tot if alive and tot > 0 else nan,
                        (tot - intra) / tot if alive and tot > 0 else nan))
    return pd.DataFrame(out, columns=["year", "group", "intra_trade", "extra_trade", "intra_share",
                                      "extra_share"]).astype({"year": "int64"})


def test_group_trade_matches_reference():
    rng = np.random.default_rng(8)
    df = random_trade(rng, n_states=10, years=(2000, 2003), layout="mixed", nan_frac=0.0)
    pool = [2, 20, 200, 365, 710, 705, 750, 140, 560, 220]
    remap = dict(zip(sorted(set(df.ccode1) | set(df.ccode2)), pool))
    df = df.assign(ccode1=df.ccode1.map(remap), ccode2=df.ccode2.map(remap))
    groups = [G.SCO, G.G7, G.Group("late", {2: 2002, 20: 2002})]
    got = G.group_trade(df, groups)
    pd.testing.assert_frame_equal(got, ref_group_trade(df, groups), rtol=1e-12)
    assert np.isnan(got.loc[(got.group == "late") & (got.year < 2002), "intra_share"]).all()


def test_group_trade_real(data_dir):
    d = real_trade()
    got = quiet(G.group_trade, d, ["EU", "BRICS"], year=[2000, 2010])
    w = got.set_index(["group", "year"])
    assert 0.55 < w.loc[("EU", 2010), "intra_share"] < 0.75  # the EU trades mostly with itself
    assert w.loc[("BRICS", 2010), "intra_share"] < 0.2
    assert np.isnan(w.loc[("BRICS", 2000), "intra_share"])
    np.testing.assert_allclose((w["intra_share"] + w["extra_share"]).dropna(), 1.0, rtol=1e-12)


def test_group_trade_errors():
    df = random_trade(np.random.default_rng(1), nan_frac=0.0)
    with pytest.raises(ValueError, match="group_trade: groups must name at least one group"):
        G.group_trade(df, [])
    with pytest.raises(TypeError, match="group_trade: trade must be a pandas DataFrame"):
        G.group_trade(None, "EU")


def test_warning_is_trade_warning():
    assert issubclass(T.TradeDataWarning, UserWarning)
