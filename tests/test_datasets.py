"""The synthetic demo world: shape, determinism, CINC, and the story it tells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from multipolar.datasets import demo_majors, demo_states, demo_world
from multipolar.io import NMC_COMPONENTS
from multipolar.power import cinc, concentration, polarity

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NMC_COLUMNS = ["ccode", "stateabb", "year", *NMC_COMPONENTS, "cinc"]


@pytest.fixture(scope="module")
def world() -> pd.DataFrame:
    return demo_world()


def _reference_cinc(df: pd.DataFrame) -> np.ndarray:
    """COW's rule, written plainly: mean over present components of the year share."""
    shares = []
    for comp in NMC_COMPONENTS:
        total = df.groupby("year")[comp].transform("sum")
        shares.append((df[comp] / total).to_numpy())
    return np.nanmean(np.column_stack(shares), axis=1)


def test_columns_and_dtypes_match_read_nmc(world):
    assert list(world.columns) == NMC_COLUMNS
    assert world["ccode"].dtype == np.int64
    assert world["year"].dtype == np.int64
    for col in (*NMC_COMPONENTS, "cinc"):
        assert world[col].dtype == np.float64
    assert isinstance(world.index, pd.RangeIndex)
    assert not world.duplicated(["ccode", "year"]).any()


def test_shape_states_and_years(world):
    assert world["ccode"].nunique() == 12
    assert world["year"].min() == 1950 and world["year"].max() == 2040
    # Eleven states every year, and one that appears in 1962.
    assert len(world) == 11 * 91 + (2040 - 1962 + 1)
    assert world.loc[world["ccode"] == 1012, "year"].min() == 1962
    assert (world[list(NMC_COMPONENTS)].dropna() >= 0).all().all()


def test_same_seed_identical_other_seed_different(world):
    pd.testing.assert_frame_equal(demo_world(), world)
    pd.testing.assert_frame_equal(demo_world(seed=7), demo_world(seed=7))
    other = demo_world(seed=2027)
    assert other.shape == world.shape
    assert not np.allclose(other["milex"].fillna(0), world["milex"].fillna(0))


def test_a_window_is_a_slice_of_the_same_world():
    wide = demo_world(1900, 2100, seed=3)
    for start, end in [(1960, 2000), (1900, 1949), (1945, 1955), (2030, 2100)]:
        part = demo_world(start, end, seed=3)
        expected = wide[(wide["year"] >= start) & (wide["year"] <= end)]
        cols = ["ccode", "year", *NMC_COMPONENTS]
        pd.testing.assert_frame_equal(part[cols], expected[cols].reset_index(drop=True))


def test_cinc_is_power_cinc(world):
    recomputed = cinc(world.drop(columns="cinc"))
    pd.testing.assert_series_equal(world["cinc"], recomputed)
    np.testing.assert_allclose(world["cinc"], _reference_cinc(world), rtol=1e-12)


def test_some_components_missing_early_only(world):
    early = world[world["year"] < 1970]
    late = world[world["year"] >= 1970]
    assert early[list(NMC_COMPONENTS)].isna().any(axis=1).sum() > 10
    assert not late[list(NMC_COMPONENTS)].isna().any().any()
    assert world["cinc"].notna().all()


def test_invented_codes_do_not_collide_with_cow():
    states = demo_states()
    cow = pd.read_csv(DATA / "cow_states" / "states2016.csv")
    assert not set(states["ccode"]) & set(cow["ccode"])
    assert not set(states["stateabb"]) & set(cow["stateabb"])
    assert states["ccode"].is_unique and states["stateabb"].is_unique and states["name"].is_unique
    assert set(demo_majors()) == set(states.loc[states["major"], "ccode"])
    assert len(demo_majors()) == 5


def test_story_hegemon_overtaken_unipolar_to_multipolar(world):
    majors = world[world["ccode"].isin(demo_majors())]
    pol = polarity(majors, among=None)
    conc = concentration(majors, among=None)
    assert pol.loc[1950, "poles"][0] == 1001
    assert pol.loc[2040, "poles"][0] == 1002
    assert pol.loc[1950, "label"] == "unipolar"
    assert pol.loc[1990, "label"] == "bipolar"
    assert pol.loc[2040, "label"] == "multipolar"
    assert (conc["n"] == 5).all()
    leader = pol["poles"].map(lambda p: p[0])
    first_lead = int(leader.index[(leader == 1002).to_numpy()][0])
    assert 1980 <= first_lead <= 2020


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"start": 2000, "end": 1990}, ValueError, "demo_world: start must not be after end"),
        ({"start": 1800}, ValueError, r"demo_world: start must lie in 1900..2100; got 1800"),
        ({"end": 2101}, ValueError, r"demo_world: end must lie in 1900..2100; got 2101"),
        ({"start": 1950.0}, TypeError, "demo_world: start must be an integer year; got 1950.0"),
        ({"seed": "a"}, TypeError, "demo_world: seed must be an int; got 'a'"),
        ({"seed": -1}, ValueError, "demo_world: seed must be non-negative; got -1"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        demo_world(**kwargs)
