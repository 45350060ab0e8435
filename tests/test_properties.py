"""Property tests (hypothesis, small sizes, bounded examples) of promises the public API makes:
row order does not matter; an update equals the batch; chunks merged equal the whole; a
year's CINC does not depend on other years' rows; GDELT numbers parse as Python parses them.

Floating sums depend on order, so matrices are compared as DESIGN section 4 says:
max|A - B| <= 1e-12 max|B|.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import multipolar as mp

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TOL = 1e-12
COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
V2 = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gdelt"
      / "20191024143000.export.CSV")


def close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    return a.size == 0 or np.abs(a - b).max() <= TOL * max(np.abs(b).max(), 1e-300)


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kw)


# ---------------------------------------------------------------- power


@st.composite
def nmc_frames(draw):
    """A small state-year frame: 1-4 years, 1-6 states a year, some components missing."""
    years = draw(st.lists(st.integers(1900, 1910), min_size=1, max_size=4, unique=True))
    rows = []
    value = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
    for y in years:
        states = draw(st.lists(st.integers(2, 40), min_size=1, max_size=6, unique=True))
        for c in states:
            rows.append({"ccode": c, "year": y, **{k: draw(value) for k in COMPONENTS}})
    return pd.DataFrame(rows).astype({k: float for k in COMPONENTS})


@SETTINGS
@given(df=nmc_frames(), seed=st.integers(0, 2**32 - 1))
def test_cinc_permutation_invariant(df, seed):
    want = quiet(mp.cinc, df)
    perm = np.random.default_rng(seed).permutation(len(df))
    got = quiet(mp.cinc, df.iloc[perm])
    np.testing.assert_allclose(got.loc[df.index].to_numpy(), want.to_numpy(), rtol=1e-12, atol=0)


@SETTINGS
@given(df=nmc_frames())
def test_cinc_per_year_independent_of_other_years(df):
    whole = quiet(mp.cinc, df)
    for _, rows in df.groupby("year"):
        alone = quiet(mp.cinc, rows)
        np.testing.assert_allclose(alone.to_numpy(), whole.loc[rows.index].to_numpy(),
                                   rtol=1e-12, atol=0)


@SETTINGS
@given(df=nmc_frames(), seed=st.integers(0, 2**32 - 1))
def test_concentration_permutation_invariant(df, seed):
    df = df.assign(value=df["milex"])
    want = quiet(mp.concentration, df, value="value")
    perm = np.random.default_rng(seed).permutation(len(df))
    got = quiet(mp.concentration, df.iloc[perm], value="value")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- similarity


@st.composite
def vote_frames(draw):
    years = draw(st.lists(st.integers(1990, 1995), min_size=1, max_size=3, unique=True))
    rows = []
    for y in years:
        states = draw(st.lists(st.integers(2, 30), min_size=2, max_size=6, unique=True))
        for r in range(draw(st.integers(1, 6))):
            for c in states:
                rows.append((y * 100 + r, c, y, draw(st.sampled_from([1, 2, 3, 8, 9]))))
    return pd.DataFrame(rows, columns=["rcid", "ccode", "year", "vote"])


@SETTINGS
@given(votes=vote_frames(), seed=st.integers(0, 2**32 - 1))
def test_similarity_permutation_invariant(votes, seed):
    keys = ["year", "ccode1", "ccode2"]
    run = lambda v: quiet(mp.similarity, v, kind="unvote").sort_values(keys).reset_index(drop=True)
    want = run(votes)
    got = run(votes.iloc[np.random.default_rng(seed).permutation(len(votes))])
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- events


ACTORS = [f"A{i:02d}" for i in range(6)]


@st.composite
def event_frames(draw, min_size=1):
    n = draw(st.integers(min_size, 40))
    actor = st.one_of(st.none(), st.sampled_from(ACTORS))
    days = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    return pd.DataFrame({
        "actor1": pd.Categorical(draw(st.lists(actor, min_size=n, max_size=n)), categories=ACTORS),
        "actor2": pd.Categorical(draw(st.lists(actor, min_size=n, max_size=n)), categories=ACTORS),
        "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D"),
        "goldstein": draw(st.lists(st.floats(-10, 10, allow_nan=False), min_size=n, max_size=n)),
        "quad_class": np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), np.int8),
    })


def _usable(ev: pd.DataFrame) -> bool:
    return bool((ev["actor1"].notna() & ev["actor2"].notna()).any())


def _aligned(m, actors) -> np.ndarray:
    return m.to_pandas().reindex(index=actors, columns=actors, fill_value=0.0).to_numpy()


@SETTINGS
@given(ev=event_frames(), seed=st.integers(0, 2**32 - 1))
def test_from_events_permutation_invariant(ev, seed):
    assume(_usable(ev))
    want = quiet(mp.RelationMatrix.from_events, ev, half_life="30D")
    perm = np.random.default_rng(seed).permutation(len(ev))
    got = quiet(mp.RelationMatrix.from_events, ev.iloc[perm], half_life="30D")
    assert list(got.actors) == list(want.actors) and got.at == want.at
    assert close(got.values, want.values)


@SETTINGS
@given(a=event_frames(), b=event_frames())
def test_update_equals_batch(a, b):
    assume(_usable(a))
    batch = quiet(mp.RelationMatrix.from_events, pd.concat([a, b], ignore_index=True),
                  half_life="30D")
    inc = quiet(mp.RelationMatrix.from_events, a, half_life="30D")
    quiet(inc.update, b)
    assert inc.at == batch.at
    actors = list(batch.actors)
    assert set(inc.actors) >= set(actors)
    assert close(_aligned(inc, actors), batch.values)


@SETTINGS
@given(ev=event_frames(min_size=2), cuts=st.lists(st.integers(1, 39), max_size=3))
def test_chunks_merged_equal_whole(ev, cuts):
    assume(_usable(ev))
    whole = quiet(mp.RelationMatrix.from_events, ev, half_life="30D")
    bounds = sorted({0, len(ev), *(c for c in cuts if c < len(ev))})
    total = np.zeros(whole.shape)
    actors = list(whole.actors)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        part = ev.iloc[lo:hi]
        if not _usable(part):
            continue
        m = quiet(mp.RelationMatrix.from_events, part, half_life="30D")
        total += _aligned(m.decay_to(whole.at), actors)
    assert close(total, whole.values)


# ---------------------------------------------------------------- GDELT numbers


@pytest.fixture(scope="module")
def v2_line() -> list[bytes]:
    return V2.read_bytes().split(b"\n", 1)[0].split(b"\t")


def _decimal(x: float, digits: int) -> str:
    s = f"{x:.{digits}f}"
    return "0" if s in ("-0", "0") and digits == 0 else s


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
decimals = st.builds(_decimal, finite, st.integers(0, 17))


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(golds=st.lists(decimals, min_size=1, max_size=20), data=st.data())
def test_gdelt_numbers_parse_as_python(tmp_path_factory, v2_line, golds, data):
    n = len(golds)
    tone = st.one_of(decimals, st.builds(repr, finite))
    tones = data.draw(st.lists(tone, min_size=n, max_size=n))
    counts = data.draw(st.lists(st.integers(0, 2**31 - 1), min_size=3 * n, max_size=3 * n))
    lines = []
    for i in range(n):
        f = list(v2_line)
        f[0] = str(1000 + i).encode()
        f[30], f[34] = golds[i].encode(), tones[i].encode()
        f[31], f[32], f[33] = (str(c).encode() for c in counts[3 * i:3 * i + 3])
        lines.append(b"\t".join(f))
    path = tmp_path_factory.mktemp("gdelt") / "numbers.export.CSV"
    path.write_bytes(b"\n".join(lines) + b"\n")
    ev = mp.read_gdelt(path, progress=False)
    assert ev["goldstein"].tolist() == [float(s) for s in golds]
    assert ev["avg_tone"].tolist() == [float(s) for s in tones]
    got = ev[["num_mentions", "num_sources", "num_articles"]].to_numpy().ravel().tolist()
    assert got == counts
    assert all(math.isfinite(x) for x in ev["goldstein"])
