"""RelationMatrix.update with dedupe: events fed again are counted once, checked against a
plain pandas sum over the distinct events."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from multipolar.relations import RelationMatrix

HALF = pd.Timedelta("30D")


def feed(n=300, seed=0, start=0):
    rng = np.random.default_rng(seed)
    actors = np.array(["CHN", "RUS", "USA", "IND", "BRA"])
    return pd.DataFrame({
        "event_id": np.arange(start, start + n, dtype=np.int64),
        "actor1": actors[rng.integers(0, 5, n)],
        "actor2": actors[rng.integers(0, 5, n)],
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90 * 24, n), "h"),
        "goldstein": rng.integers(-100, 101, n) / 10.0,
    })


def reference(ev):
    """sum of w * 2**(-(T - t)/h) per (actor1, actor2) over the distinct event ids."""
    ev = ev.drop_duplicates("event_id")
    T = ev["date"].max()
    w = ev["goldstein"] * np.exp2(-(T - ev["date"]) / HALF)
    tab = w.groupby([ev["actor1"], ev["actor2"]]).sum().unstack(fill_value=0.0)
    idx = sorted(set(ev["actor1"]) | set(ev["actor2"]))
    return tab.reindex(index=idx, columns=idx, fill_value=0.0)


def check(R, ev):
    ref = reference(ev)
    assert list(R.actors) == list(ref.index)
    np.testing.assert_allclose(R.values, ref.to_numpy(), rtol=1e-12, atol=1e-12)


def test_same_events_twice_count_once_with_dedupe():
    ev = feed()
    R = RelationMatrix.from_events(ev, half_life=HALF, dedupe="event_id")
    R.update(ev, dedupe="event_id")
    check(R, ev)
    assert R.duplicates_skipped == len(ev)


def test_same_events_twice_count_twice_without_dedupe():
    ev = feed()
    R = RelationMatrix.from_events(ev, half_life=HALF)
    R.update(ev)
    ref = reference(ev)
    np.testing.assert_allclose(R.values, 2 * ref.to_numpy(), rtol=1e-12, atol=1e-12)
    assert R.duplicates_skipped is None


@pytest.mark.parametrize("ids", ["int", "str"])
def test_overlapping_batches(ids):
    ev = feed(600, seed=3)
    if ids == "str":
        ev["event_id"] = "e" + ev["event_id"].astype(str)
    batches = [ev.iloc[0:250], ev.iloc[200:400], ev.iloc[100:600], ev.iloc[550:600]]
    R = RelationMatrix.from_events(batches[0], half_life=HALF, dedupe="event_id")
    for b in batches[1:]:
        R.update(b, dedupe="event_id")
    check(R, ev)
    assert R.duplicates_skipped == sum(map(len, batches)) - len(ev)


def test_repeats_within_one_batch_and_old_events():
    ev = feed(200, seed=5)
    # the newest events first; then a batch of older events, half of them repeats
    order = ev.sort_values("date")
    new, old = order.iloc[100:], order.iloc[:100]
    R = RelationMatrix.from_events(new, half_life=HALF, dedupe="event_id")
    at = R.at
    batch = pd.concat([old, old.iloc[:30], new.iloc[:50]])
    R.update(batch, dedupe="event_id")
    assert R.at == at  # older events do not move the matrix's time
    check(R, ev)
    assert R.duplicates_skipped == 80


def test_dedupe_starts_at_first_update_and_keeps_array_weights():
    ev = feed(120, seed=7)
    w = np.linspace(-1, 1, len(ev))
    R = RelationMatrix.from_events(ev.iloc[:60], half_life=HALF, weight=w[:60])
    R.update(ev.iloc[60:], weight=w[60:], dedupe="event_id")
    R.update(ev.iloc[60:], weight=w[60:], dedupe="event_id")
    ref = RelationMatrix.from_events(ev, half_life=HALF, weight=w)
    assert R.equals(ref)
    # a weight Series aligned by label follows the rows kept
    R.update(ev.iloc[50:70], weight=pd.Series(w[50:70], index=ev.index[50:70]), dedupe="event_id")
    big = ev.iloc[50:60]
    ref.update(big, weight=w[50:60])
    assert R.equals(ref)


def test_dedupe_errors_and_pickle():
    ev = feed(50)
    R = RelationMatrix.from_events(ev, half_life=HALF, dedupe="event_id")
    with pytest.raises(ValueError, match="dedupe must be given"):
        R.update(ev)
    with pytest.raises(ValueError, match="dedupe must be 'event_id'"):
        R.update(ev.rename(columns={"event_id": "id"}), dedupe="id")
    with pytest.raises(KeyError, match="dedupe column not found"):
        R.update(ev.drop(columns="event_id"), dedupe="event_id")
    bad = ev.assign(event_id=ev["event_id"].astype("Int64"))
    bad.loc[bad.index[3], "event_id"] = pd.NA
    with pytest.raises(ValueError, match="1 missing, the first at row 3"):
        R.update(bad, dedupe="event_id")
    P = pickle.loads(pickle.dumps(R))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P.update(ev, dedupe="event_id")
    assert P.equals(R) and P.duplicates_skipped == 50


def test_a_batch_that_fails_is_not_remembered():
    ev = feed(80, seed=11)
    R = RelationMatrix.from_events(ev.iloc[:40], half_life=HALF, dedupe="event_id")
    bad = ev.iloc[40:].assign(goldstein=ev["goldstein"].iloc[40:].astype(str))
    with pytest.raises(TypeError):
        R.update(bad, dedupe="event_id")
    assert R.duplicates_skipped == 0
    R.update(ev.iloc[30:], dedupe="event_id")
    check(R, ev)
    assert R.duplicates_skipped == 10
