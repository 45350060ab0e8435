"""The panel pipe (multipolar.panel) against plain pandas merges with explicit suffixes,
on the real dyad-years 1946-2012, and its rules: row count, names, coverage, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar import io as mio
from multipolar.power import cinc

from conftest import DATA

COW_FILE = DATA / "cow_alliance" / "cow_alliance_v4.1_directed_dyad_year_peacesciencer.csv"
VOETEN = DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz"
NMC = DATA / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv"
TRADE = DATA / "cow_trade" / "cow_trade_v4_directed_dyad_year_peacesciencer.csv.gz"
IDEAL = DATA / "un_ideal_points" / "IdealpointestimatesAll_Jul2023.csv"


@pytest.fixture(scope="module")
def sources(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the readers' counted-and-reported rows
        return {
            "alliances": mio.read_alliances(COW_FILE),
            "votes": mio.read_unvotes(VOETEN),
            "nmc": mio.read_nmc(NMC),
            "trade": mio.read_trade(TRADE),
            "ideal": mio.read_idealpoints(IDEAL),
        }


@pytest.fixture(scope="module")
def panel(sources):
    dy = mp.dyad_years(1946, 2012)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = (
            dy.pipe(mp.add_similarity, sources["alliances"], measures=["s", "kappa"])
            .pipe(mp.add_similarity, sources["votes"], kind="unvote", measures=["kappa"])
            .pipe(mp.add_capabilities, sources["nmc"])
            .pipe(mp.add_dependence, sources["trade"])
        )
    return dy, out


def _merged(left: pd.DataFrame, right: pd.DataFrame, on: list[str], cols: dict[str, str]):
    """Plain pandas left merge of ``right[cols]`` renamed, with explicit suffixes."""
    r = right[on + list(cols)].rename(columns=cols)
    return left.merge(r, on=on, how="left", suffixes=("", "_dup"), validate="many_to_one")


def test_panel_matches_plain_pandas_merges(panel, sources):
    dy, out = panel
    assert len(out) == len(dy)  # the row count never changes
    assert out[["ccode1", "ccode2", "year"]].equals(dy[["ccode1", "ccode2", "year"]])
    keys = ["ccode1", "ccode2", "year"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        al = mp.similarity(sources["alliances"], measures=["s", "kappa"], years=range(1946, 2013))
        un = mp.similarity(sources["votes"], kind="unvote", measures=["kappa"],
                           years=range(1946, 2013))
    ref = _merged(dy, al, keys, {"s": "al_s", "kappa": "al_kappa", "n": "al_n"})
    ref = _merged(ref, un, keys, {"kappa": "un_kappa", "n": "un_n"})
    nmc = sources["nmc"].assign(cinc_re=cinc(sources["nmc"]).to_numpy())
    for side in ("1", "2"):
        c = nmc[["ccode", "year", "cinc_re"]].rename(
            columns={"ccode": f"ccode{side}", "cinc_re": f"ref_cinc{side}"}
        )
        ref = ref.merge(c, on=[f"ccode{side}", "year"], how="left")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dep = mp.dependence(sources["trade"])
    ref = _merged(ref, dep, keys, {"share": "ref_share1", "trade": "ref_total"})
    rev = dep.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    ref = _merged(ref, rev, keys, {"share": "ref_share2"})
    assert len(ref) == len(dy)
    pairs = {
        "alliance_s": "al_s", "alliance_kappa": "al_kappa", "alliance_n": "al_n",
        "unvote_kappa": "un_kappa", "unvote_n": "un_n",
        "cinc1": "ref_cinc1", "cinc2": "ref_cinc2",
        "trade_share1": "ref_share1", "trade_share2": "ref_share2", "trade_total": "ref_total",
    }
    for mine, theirs in pairs.items():
        np.testing.assert_array_equal(
            out[mine].to_numpy(dtype=float), ref[theirs].to_numpy(dtype=float), err_msg=mine
        )
    # both similarity results were kept apart: the UN kappa did not replace the alliance one
    both = out["alliance_kappa"].notna() & out["unvote_kappa"].notna()
    assert both.sum() > 100_000
    assert (out.loc[both, "alliance_kappa"] != out.loc[both, "unvote_kappa"]).any()
    assert "n" not in out.columns and "kappa" not in out.columns
    # USA-Russia 1990: both sides' CINC from NMC itself (COW rounds to ~1e-8)
    row = out[(out.ccode1 == 2) & (out.ccode2 == 365) & (out.year == 1990)].iloc[0]
    nmc_raw = sources["nmc"].set_index(["ccode", "year"])["cinc"]
    assert abs(row.cinc1 - nmc_raw[(2, 1990)]) < 1e-7
    assert abs(row.cinc2 - nmc_raw[(365, 1990)]) < 1e-7


def test_panel_reports_coverage(panel):
    dy, out = panel
    cov = out.attrs["coverage"]
    assert out.attrs["rows"] == len(dy)
    for col in ("alliance_kappa", "unvote_kappa", "cinc1", "trade_share1"):
        assert cov[col] == int(out[col].notna().sum())
        assert 0 < cov[col] <= len(dy)
    assert cov["unvote_kappa"] < len(dy)  # not every dyad shares a roll call


def test_naive_merge_loses_a_kappa_the_pipe_keeps(sources):
    """The trap the pipe avoids: two similarity results merged plainly share n and kappa."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        al = mp.similarity(sources["alliances"], measures=["kappa"], years=[1990])
        un = mp.similarity(sources["votes"], kind="unvote", measures=["kappa"], years=[1990])
    naive = al.merge(un)  # joins on n and kappa too
    assert len(naive) < 0.01 * len(al)
    dy = mp.dyad_years(1990, 1990)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = dy.pipe(mp.add_similarity, sources["alliances"], measures=["kappa"]).pipe(
            mp.add_similarity, sources["votes"], kind="unvote", measures=["kappa"]
        )
    assert len(out) == len(dy)
    assert out["alliance_kappa"].notna().sum() > 0.9 * len(dy)
    assert out["unvote_kappa"].notna().sum() > 0.5 * len(dy)


def test_ideal_distance_state_and_dyad(sources):
    pts = sources["ideal"]
    dy = mp.dyad_years(2000, 2001)
    out = mp.add_ideal_distance(dy, pts)
    ref = dy.merge(
        pts[["ccode", "year", "idealpoint"]].rename(columns={"ccode": "ccode1", "idealpoint": "p1"}),
        on=["ccode1", "year"], how="left",
    ).merge(
        pts[["ccode", "year", "idealpoint"]].rename(columns={"ccode": "ccode2", "idealpoint": "p2"}),
        on=["ccode2", "year"], how="left",
    )
    np.testing.assert_array_equal(out["ideal_distance"], (ref.p1 - ref.p2).abs())
    sy = mp.state_years(2000, 2001)
    s = mp.add_ideal_distance(sy, pts)
    assert len(s) == len(sy)
    assert s.attrs["coverage"]["ideal_point"] == int(s["ideal_point"].notna().sum())


def test_groups_and_majors_per_side_and_joint():
    dy = mp.dyad_years(2015, 2015)
    out = dy.pipe(mp.add_groups, ["BRICS", "NATO"]).pipe(mp.add_majors)
    assert len(out) == len(dy)
    r = out.set_index(["ccode1", "ccode2"])
    assert bool(r.loc[(710, 365), "brics_both"]) and not bool(r.loc[(710, 2), "brics_both"])
    assert bool(r.loc[(2, 200), "nato_both"]) and bool(r.loc[(365, 2), "nato2"])
    assert bool(r.loc[(2, 365), "major_both"]) and not bool(r.loc[(2, 20), "major2"])
    ref = mp.GROUPS["NATO"].is_member(dy.ccode1.to_numpy(), dy.year.to_numpy())
    np.testing.assert_array_equal(out["nato1"].to_numpy(), ref)
    sy = mp.state_years(2015, 2015).pipe(mp.add_majors)
    assert set(sy.loc[sy.major, "ccode"]) == set(mp.majors(2015).tolist())


def test_state_year_capabilities_keep_index_and_order():
    nmc = pd.DataFrame({"ccode": [2, 365], "year": [2000, 2000], "milex": [300.0, -9.0]})
    sy = pd.DataFrame({"ccode": [365, 2, 20], "year": [2000, 2000, 2000]}, index=[7, 3, 9])
    out = mp.add_capabilities(sy, nmc, columns=["milex"])
    assert out.index.tolist() == [7, 3, 9]
    assert out["milex"].tolist()[1] == 300.0
    assert np.isnan(out["milex"].tolist()[0]) and np.isnan(out["milex"].tolist()[2])
    assert out.attrs["coverage"]["milex"] == 1
    assert "milex" not in sy.columns  # the input is not modified


def test_collisions_and_duplicate_sources_raise():
    dy = pd.DataFrame({"ccode1": [2], "ccode2": [365], "year": [2000]})
    out = mp.add_majors(dy)
    with pytest.raises(ValueError, match=r"add_majors: df already has column\(s\) \['major1'.*prefix="):
        mp.add_majors(out)
    assert "x_major1" in mp.add_majors(out, prefix="x_").columns
    nmc = pd.DataFrame({"ccode": [2, 2], "year": [2000, 2000], "cinc": [0.1, 0.2]})
    with pytest.raises(ValueError, match="add_capabilities: nmc has duplicate"):
        mp.add_capabilities(dy, nmc)
    with pytest.raises(ValueError, match="add_dependence: df must be a dyad-year frame"):
        mp.add_dependence(pd.DataFrame({"ccode": [2], "year": [2000]}), pd.DataFrame())
    with pytest.raises(ValueError, match="add_groups: df must be a dyad-year frame"):
        mp.add_groups(pd.DataFrame({"state": [2]}), "NATO")
    with pytest.raises(TypeError, match="add_majors: df must be a pandas DataFrame"):
        mp.add_majors([2, 2000])


# ---- RelationMatrix frames round-trip with their defaults ------------------------------


def test_relation_matrix_frame_round_trip_with_defaults():
    from multipolar.relations import RelationMatrix

    vals = np.array([[1.0, 0.2, np.nan], [0.3, 1.0, 0.5], [0.7, 0.1, 1.0]])
    for actors, codes in (([710, 2, 365], "cow"), (["USA", "RUS", "CHN"], "iso3")):
        R = RelationMatrix(vals, actors=actors, codes=codes, at=2015,
                           n=np.array([[5, 4, 0], [4, 5, 3], [0, 3, 5]]))
        back = RelationMatrix.from_frame(R.to_frame())
        assert back.equals(R)
        assert back.actors.tolist() == list(actors) and back.codes == codes and back.at == 2015
        np.testing.assert_array_equal(back.n, R.n)
        np.testing.assert_array_equal(np.diag(back.values), np.diag(vals))
    # a frame changed since to_frame is read as any other: its own actors, NaN diagonal
    f = R.to_frame()
    part = RelationMatrix.from_frame(f[f.value > 0.25], codes="iso3")
    assert sorted(part.actors.tolist()) == ["CHN", "RUS", "USA"]
    assert np.isnan(np.diag(part.values)).all()
    # a plain ccode1/ccode2 frame keeps its old reading
    plain = pd.DataFrame({"ccode1": [2], "ccode2": [365], "value": [0.5]})
    assert RelationMatrix.from_frame(plain)[2, 365] == 0.5


def test_coverage_is_logged_and_kept_along_a_chain(caplog):
    sy = pd.DataFrame({"ccode": [2, 365, 20], "year": [2000, 2000, 2000]})
    nmc = pd.DataFrame({"ccode": [2], "year": [2000], "cinc": [0.15]})
    with caplog.at_level("INFO", logger="multipolar.panel"):
        out = sy.pipe(mp.add_capabilities, nmc).pipe(mp.add_majors)
    assert out.attrs["coverage"] == {"cinc": 1, "major": 3}
    assert "add_capabilities: cinc 1 of 3 rows" in caplog.text
