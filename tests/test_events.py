"""Event matrices: RelationMatrix.from_events / update / decay_to / quad_counts against a slow
reference; dyad_series and event_tensor; direct _core calls (decay_accumulate, bin_accumulate)."""

from __future__ import annotations

import gc
import inspect
import pickle
import sys
import threading
import time
import warnings

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from multipolar import _core
from multipolar.relations import RelationMatrix

# Reference comparisons: floating sums depend on order, so a matrix matches the slow
# reference when max|A - B| <= TOL * max|B| (atol scaled to the reference, rtol 0).
# Thread counts are compared bitwise (np.testing.assert_array_equal).
TOL = 1e-12


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kw)


@pytest.fixture(scope="module")
def real(data_dir):
    d = data_dir / "gdelt"
    return mp.read_gdelt([d / "20191024143000.export.CSV", d / "gdelt1_events_sample_reed9999.tsv"],
                         progress=False)


def synthetic(n=3000, n_actors=12, seed=0, days=400, missing=0.05, unit="ns"):
    rng = np.random.default_rng(seed)
    names = [f"A{i:02d}" for i in range(n_actors)]
    a1 = rng.choice(names, n).astype(object)
    a2 = rng.choice(names, n).astype(object)
    a1[rng.random(n) < missing] = None
    a2[rng.random(n) < missing] = None
    date = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.DataFrame({
        "actor1": pd.Categorical(a1), "actor2": pd.Categorical(a2),
        "date": date.as_unit(unit),
        "goldstein": np.round(rng.uniform(-10, 10, n), 1),
        "quad_class": rng.integers(1, 5, n).astype(np.int8),
        "tone": rng.normal(size=n),
    })


def reference(ev, *, weight="goldstein", half_life=None, directed=True, at=None, actors=None):
    """The obvious per-event loop."""
    e = ev[ev["actor1"].notna() & ev["actor2"].notna()]
    if actors is None:
        actors = sorted(set(e["actor1"].astype(object)) | set(e["actor2"].astype(object)))
    pos = {a: i for i, a in enumerate(actors)}
    T = ev["date"].max() if at is None else pd.Timestamp(at)
    n = len(actors)
    out = np.zeros((n, n))
    quad = np.zeros((4, n, n))
    for a, b, t, g, q in zip(e["actor1"], e["actor2"], e["date"], e["goldstein"], e["quad_class"]):
        if a not in pos or b not in pos or t > T:
            continue
        w = g if weight == "goldstein" else 1.0 if weight == "count" else float(q == int(weight[-1]))
        f = 1.0 if half_life is None else 2.0 ** (-((T - t) / pd.Timedelta(half_life)))
        pairs = [(pos[a], pos[b])]
        if not directed and a != b:
            pairs.append((pos[b], pos[a]))
        for i, j in pairs:
            out[i, j] += w * f
            quad[q - 1, i, j] += f
    return out, quad, actors, T


# ---------------------------------------------------------------- from_events


@pytest.mark.parametrize("weight", ["goldstein", "count", "quad3"])
@pytest.mark.parametrize("half_life", [None, "30D"])
@pytest.mark.parametrize("directed", [True, False])
def test_from_events_matches_reference(weight, half_life, directed):
    ev = synthetic()
    with pytest.warns(UserWarning, match="with a missing actor"):
        R = RelationMatrix.from_events(ev, weight=weight, half_life=half_life, directed=directed)
    want, quad, actors, T = reference(ev, weight=weight, half_life=half_life, directed=directed)
    assert list(R.actors) == actors and R.codes == "cameo" and R.at == T
    np.testing.assert_allclose(R.values, want, rtol=0, atol=TOL * np.abs(want).max())
    np.testing.assert_allclose(R.quad_counts, quad, rtol=0, atol=TOL * np.abs(quad).max())
    assert not R.values.flags.writeable and not R.quad_counts.flags.writeable


def test_real_gdelt_matrix_matches_reference(real):
    with pytest.warns(UserWarning, match="2035 with a missing actor"):
        R = RelationMatrix.from_events(real, half_life="90D")
    want, quad, actors, _ = reference(real, half_life="90D")
    assert list(R.actors) == actors and R.at == pd.Timestamp("2019-10-24")
    np.testing.assert_allclose(R.values, want, rtol=0, atol=TOL * np.abs(want).max())
    np.testing.assert_allclose(R.quad_counts, quad, rtol=0, atol=TOL * np.abs(quad).max())
    # summing the quad counts without decay counts the events
    C = quiet(RelationMatrix.from_events, real, weight="count")
    assert np.array_equal(C.quad_counts.sum(axis=0), C.values)


def test_explicit_actors_at_and_columns():
    ev = synthetic()
    actors = ["A03", "A01", "A07", "ZZZ"]
    at = "2020-06-01"
    with pytest.warns(UserWarning, match="outside actors; .* after at"):
        R = RelationMatrix.from_events(ev, actors=actors, at=at, half_life="10D")
    want, _, _, _ = reference(ev, actors=actors, at=at, half_life="10D")
    assert list(R.actors) == actors and R.at == pd.Timestamp(at)
    np.testing.assert_allclose(R.values, want, rtol=0, atol=TOL * np.abs(want).max())
    # other column names, a weight column, an array weight, object and int64 codes
    ev2 = ev.rename(columns={"actor1": "src", "actor2": "dst", "date": "when"})
    ev2["src"] = ev2["src"].astype(object)
    R2 = quiet(RelationMatrix.from_events, ev2, actor_cols=("src", "dst"), time_col="when",
               weight="tone")
    R3 = quiet(RelationMatrix.from_events, ev, weight=ev["tone"].to_numpy())
    assert R2.equals(R3)
    num = ev.assign(actor1=ev["actor1"].cat.codes.astype(np.int64) + 2,
                    actor2=ev["actor2"].cat.codes.astype(np.int64) + 2)
    num = num[(num.actor1 >= 2) & (num.actor2 >= 2)]
    R4 = RelationMatrix.from_events(num, weight="count")
    assert R4.codes == "cow" and R4.actors.dtype == np.int64
    assert R4.values.sum() == len(num)


@pytest.mark.parametrize("code_dtype", [np.int8, np.int16, np.int32, np.int64])
@pytest.mark.parametrize("unit", ["s", "ns"])
def test_code_dtypes_and_time_units(code_dtype, unit):
    ev = synthetic(unit=unit)
    base = quiet(RelationMatrix.from_events, synthetic(), half_life="7D")
    cat = ev["actor1"].cat
    codes1 = ev["actor1"].cat.codes.to_numpy().astype(code_dtype)
    codes2 = ev["actor2"].cat.codes.to_numpy().astype(code_dtype)
    # Categorical.from_codes picks its own code dtype; the C side must take any of them
    ev["actor1"] = pd.Categorical.from_codes(codes1, categories=cat.categories)
    ev["actor2"] = pd.Categorical.from_codes(codes2, categories=ev["actor2"].cat.categories)
    R = quiet(RelationMatrix.from_events, ev, half_life="7D")
    assert R.equals(base)
    tz = ev.assign(date=ev["date"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"))
    assert quiet(RelationMatrix.from_events, tz, half_life="7D").equals(base)


def test_subday_times_use_exact_decay():
    ev = pd.DataFrame({"actor1": ["A", "A"], "actor2": ["B", "B"],
                       "date": pd.to_datetime(["2020-01-01 06:00", "2020-01-02 00:00"]),
                       "goldstein": [1.0, 1.0]})
    R = RelationMatrix.from_events(ev, half_life="12h")
    assert R["A", "B"] == pytest.approx(1 + 2 ** -1.5, rel=1e-15)


# ---------------------------------------------------------------- update / decay_to


@pytest.mark.parametrize("fixed", [False, True])
@pytest.mark.parametrize("half_life", [None, "45D"])
def test_update_equals_batch_in_any_order(fixed, half_life):
    ev = synthetic(n=4000, n_actors=30, seed=3)
    rng = np.random.default_rng(1)
    order = rng.permutation(len(ev))
    cuts = np.sort(rng.choice(len(ev), 4, replace=False))
    chunks = np.split(order, cuts)
    actors = [f"A{i:02d}" for i in range(0, 30, 2)] if fixed else None
    B = quiet(RelationMatrix.from_events, ev, half_life=half_life, actors=actors)
    A = quiet(RelationMatrix.from_events, ev.iloc[chunks[0]], half_life=half_life, actors=actors)
    for c in chunks[1:]:
        assert quiet(A.update, ev.iloc[c]) is A
    assert A.equals(B, rtol=TOL)
    assert list(A.actors) == list(B.actors) and A.at == B.at
    assert np.max(np.abs(A.quad_counts - B.quad_counts)) <= TOL * np.max(B.quad_counts)


def test_update_adds_new_actors_and_reports(real):
    old = real.iloc[:2111]
    new = real.iloc[2111:]
    A = quiet(RelationMatrix.from_events, old, half_life="30D")
    n_before = len(A)
    with pytest.warns(UserWarning, match="RelationMatrix.update: left out .* missing actor"):
        A.update(new)
    B = quiet(RelationMatrix.from_events, real, half_life="30D")
    assert len(A) > n_before and A.equals(B)
    fixed = quiet(RelationMatrix.from_events, old, half_life="30D", actors=["USA", "CHN"])
    with pytest.warns(UserWarning, match="outside actors"):
        fixed.update(new)
    assert list(fixed.actors) == ["USA", "CHN"]


def test_decay_to_and_snapshots():
    ev = synthetic()
    R = quiet(RelationMatrix.from_events, ev, half_life="30D")
    snap = R.copy()
    later = pd.Timestamp("2021-06-01")
    assert R.decay_to(later) is R and R.at == later
    want = quiet(RelationMatrix.from_events, ev, half_life="30D", at=later)
    assert R.equals(want)
    assert snap.equals(quiet(RelationMatrix.from_events, ev, half_life="30D"))
    with pytest.raises(ValueError, match="must not be before at"):
        R.decay_to("2020-01-01")
    for derived in (snap, R.T, R.sub(list(R.actors[:3]))):
        with pytest.raises(TypeError, match="must come from RelationMatrix.from_events"):
            derived.update(ev)
        assert derived.quad_counts is None
    plain = RelationMatrix([[0.0]], actors=[2])
    with pytest.raises(TypeError, match="from_events"):
        plain.decay_to("2020-01-01")
    # pickling keeps the event state
    P = pickle.loads(pickle.dumps(R))
    assert P.equals(R) and np.array_equal(P.quad_counts, R.quad_counts)
    quiet(P.update, ev.iloc[:10])
    quiet(R.update, ev.iloc[:10])
    assert P.equals(R)
    # no decay: only at moves
    S = quiet(RelationMatrix.from_events, ev)
    v = S.values.copy()
    S.decay_to(later)
    assert np.array_equal(S.values, v)


def test_array_weights_need_weights_on_update():
    ev = synthetic(n=200)
    R = quiet(RelationMatrix.from_events, ev, weight=np.ones(200))
    with pytest.raises(ValueError, match="weight must be given"):
        R.update(ev)
    quiet(R.update, ev, weight=np.ones(200))
    assert R.equals(quiet(RelationMatrix.from_events, pd.concat([ev, ev]), weight="count"))


def test_series_weight_aligns_to_the_events_index():
    ev = synthetic(n=300, missing=0.0)
    ev.index = pd.RangeIndex(1000, 1300)
    w = pd.Series(np.arange(300, dtype=float), index=ev.index)
    want = RelationMatrix.from_events(ev, weight=w.to_numpy())
    # a shuffled Series gives the same matrix: labels, not positions, count
    shuffled = w.sample(frac=1, random_state=3)
    assert not np.array_equal(shuffled.to_numpy(), w.to_numpy())
    assert RelationMatrix.from_events(ev, weight=shuffled).equals(want)
    assert RelationMatrix.from_events(ev, weight=w).equals(want)
    # an array is still read by position
    got = RelationMatrix.from_events(ev, weight=shuffled.to_numpy())
    assert not got.equals(want)
    # events in another row order, weights matched by label
    ev2 = ev.sample(frac=1, random_state=4)
    assert RelationMatrix.from_events(ev2, weight=w).equals(want)
    with pytest.raises(ValueError, match=r"weight Series index must not have duplicates; got \[1000\]"):
        RelationMatrix.from_events(ev, weight=pd.concat([w.iloc[:1], w.iloc[1:-1], w.iloc[:1]]))
    with pytest.raises(ValueError, match=r"weight Series index must match the events' index; "
                                         r"got labels not in events \[0, 1, 2"):
        RelationMatrix.from_events(ev, weight=w.reset_index(drop=True))
    with pytest.raises(ValueError, match="weight Series index must match the events' index; "
                                         "got 299 labels for 300 events"):
        RelationMatrix.from_events(ev, weight=w.iloc[1:])
    with pytest.raises(ValueError, match="weight array must have one value per event"):
        RelationMatrix.from_events(ev, weight=w.to_numpy()[1:])
    # update and event_tensor align a Series the same way
    half = ev.iloc[:150]
    grown = RelationMatrix.from_events(half, weight=w.loc[half.index]).update(
        ev.iloc[150:], weight=shuffled.loc[ev.index[150:]].sample(frac=1, random_state=5))
    assert grown.equals(want)
    t_label = mp.event_tensor(ev, freq="MS", weight=shuffled)
    t_pos = mp.event_tensor(ev, freq="MS", weight=w.to_numpy())
    np.testing.assert_array_equal(t_label.values, t_pos.values)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"half_life": "-3D"}, ValueError, "half_life must be positive"),
        ({"half_life": "soon"}, ValueError, "half_life must be a fixed duration"),
        # a bare number would be read as nanoseconds and decay everything silently
        ({"half_life": 90}, TypeError, "half_life must be a duration"),
        ({"half_life": 90.0}, TypeError, "half_life must be a duration"),
        ({"weight": "nope"}, KeyError, "weight column not found"),
        ({"weight": np.ones(3)}, ValueError, "one value per event"),
        ({"time_col": "x"}, KeyError, "time_col column not found"),
        ({"actor_cols": "actor1"}, TypeError, "actor_cols must be a pair"),
        ({"at": 2020}, TypeError, "at must be a time"),
        ({"directed": "yes"}, TypeError, "directed must be a bool"),
        ({"codes": "klingon"}, ValueError, "codes must be one of"),
        ({"time_col": "tone"}, TypeError, "must be datetime64"),
    ],
)
def test_from_events_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        quiet(RelationMatrix.from_events, synthetic(n=50), **kwargs)


def test_bad_frames():
    with pytest.raises(TypeError, match="events must be a pandas DataFrame"):
        RelationMatrix.from_events([1, 2])
    ev = synthetic(n=50).assign(quad_class=7)
    with pytest.raises(ValueError, match="quad_class' must hold 1, 2, 3 or 4"):
        quiet(RelationMatrix.from_events, ev)
    # GDELT's int8 column is read as it is, yet checked in the public function's words
    ev = synthetic(n=50)
    ev.loc[17, "quad_class"] = np.int8(0)
    assert ev["quad_class"].dtype == np.int8
    with pytest.raises(ValueError, match=r"^RelationMatrix\.from_events: column 'quad_class' "
                                         r"must hold 1, 2, 3 or 4; got 0 at row 17$"):
        quiet(RelationMatrix.from_events, ev)
    with pytest.raises(ValueError, match=r"^event_tensor: column 'quad_class' must hold"):
        quiet(mp.event_tensor, ev, weight="quad2")
    empty = synthetic(n=50).iloc[:0]
    R = RelationMatrix.from_events(empty)
    assert R.shape == (0, 0) and R.at is None
    quiet(R.update, synthetic(n=50))
    assert R.equals(quiet(RelationMatrix.from_events, synthetic(n=50)))


# ---------------------------------------------------------------- dyad_series / event_tensor


def test_dyad_series_matches_pandas(real):
    for both in (False, True):
        s = mp.dyad_series(real, "USA", "CHN", freq="YS", weight="count", both=both)
        m = (real.actor1 == "USA") & (real.actor2 == "CHN")
        if both:
            m |= (real.actor1 == "CHN") & (real.actor2 == "USA")
        want = real[m].set_index("date").resample("YS").size().astype(float)
        got = s[s.index >= want.index[0]][: len(want)]
        assert np.array_equal(got.to_numpy(), want.to_numpy())
        assert s.sum() == m.sum() and s.name == ("USA<->CHN" if both else "USA->CHN")
    g = mp.dyad_series(real, "USA", "USA", freq="MS")
    m = (real.actor1 == "USA") & (real.actor2 == "USA")
    assert g.sum() == pytest.approx(real.goldstein[m].sum(), rel=1e-12)


def test_dyad_series_reports_its_own_left_out_events():
    ev = pd.DataFrame({
        "actor1": ["RUS", "RUS", "RUS", "CHN", "CHN", "RUS", "USA", "RUS", "USA"],
        "actor2": ["CHN", "CHN", "CHN", "RUS", "RUS", "RUS", "RUS", None, "CHN"],
        "date": pd.to_datetime(["2024-01-05", "2024-02-01", None, "2024-01-09", "2024-03-01",
                                "2024-01-02", "2024-02-02", "2024-02-03", "2024-03-03"]),
        "goldstein": [4.0, np.nan, 1.0, 1.0, np.nan, np.nan, np.nan, 2.0, 3.0],
    })
    # RUS->CHN: one NaN weight, one NaT time; other dyads' events (NaN or not) are not reported
    with pytest.warns(UserWarning) as rec:
        s = mp.dyad_series(ev, "RUS", "CHN")
    assert [str(r.message) for r in rec] == [
        "dyad_series: left out 2 events of RUS->CHN with a missing weight or time"
    ]
    assert s.tolist() == [4.0, 0.0, 0.0]
    with pytest.warns(UserWarning, match="left out 3 events of RUS<->CHN"):
        s = mp.dyad_series(ev, "RUS", "CHN", both=True)
    assert s.tolist() == [5.0, 0.0, 0.0]
    with pytest.warns(UserWarning, match="left out 1 events of RUS->RUS"):
        mp.dyad_series(ev, "RUS", "RUS")
    with pytest.warns(UserWarning, match="left out 1 events of CHN->RUS"):
        mp.dyad_series(ev, "CHN", "RUS")
    # nothing of the dyad itself is missing: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mp.dyad_series(ev, "USA", "CHN").tolist() == [0.0, 0.0, 3.0]
        assert mp.dyad_series(ev, "CHN", "USA", both=True).sum() == 3.0
    with pytest.warns(UserWarning, match="left out 1 events of RUS->CHN"):
        s = mp.dyad_series(ev, "RUS", "CHN", weight="count")  # the NaT time only
    assert s.tolist() == [1.0, 1.0, 0.0]



def test_event_tensor_bins_sum_to_the_undecayed_matrix(real):
    X = quiet(mp.event_tensor, real, freq="MS", weight="goldstein")
    R = quiet(RelationMatrix.from_events, real)
    assert list(X.actors) == list(R.actors)
    np.testing.assert_allclose(X.values.sum(axis=0), R.values, rtol=0,
                               atol=TOL * np.abs(R.values).max())
    assert X.times[0] == pd.Timestamp("1982-01-01") and X.times[-1] == pd.Timestamp("2019-10-01")
    assert len(X.times) == X.values.shape[0] and (X.times.day == 1).all()
    k = X.times.get_loc(pd.Timestamp("2019-10-01"))
    month = real[(real.date >= "2019-10-01") & (real.date < "2019-11-01")]
    M = quiet(RelationMatrix.from_events, month, actors=list(X.actors))
    np.testing.assert_allclose(X.values[k], M.values, rtol=0, atol=TOL * np.abs(M.values).max())
    assert X.matrix(k).equals(M, check_at=False)
    U = quiet(mp.event_tensor, real, freq="YS", actors=["USA", "CHN", "RUS"], directed=False,
              weight="count")
    assert np.array_equal(U.values, np.swapaxes(U.values, 1, 2))
    with pytest.raises(ValueError, match="freq must be"):
        quiet(mp.event_tensor, real, freq="bogus")


# ---------------------------------------------------------------- direct _core calls


def _core_args(n=100, nact=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "out": np.zeros((nact, nact)), "quad_out": np.zeros((4, nact, nact)),
        "code1": rng.integers(-1, nact, n).astype(np.int16),
        "map1": np.arange(nact, dtype=np.int64),
        "code2": rng.integers(-1, nact, n).astype(np.int16),
        "map2": np.arange(nact, dtype=np.int64),
        "weight": rng.normal(size=n), "time": rng.integers(0, 50, n).astype(np.int64),
        "quad": rng.integers(1, 5, n).astype(np.int8), "used": None, "at": 40, "day": 1,
        "half_life": 7.0,
    }


@pytest.mark.parametrize(
    "key,value,exc,match",
    [
        ("out", np.zeros((5, 4)), ValueError, "out must be square"),
        ("out", np.zeros((5, 5), np.float32), TypeError, "out dtype must be float64"),
        ("out", np.zeros((5, 5))[:, ::-1], ValueError, "C-contiguous"),
        ("quad_out", np.zeros((3, 5, 5)), ValueError, "quad_out must have shape"),
        ("quad_out", None, ValueError, "both be None"),
        ("code1", np.zeros(100, np.float64), TypeError, "code1 dtype must be one of"),
        ("code2", np.zeros(100, np.int32), TypeError, "code2 dtype must equal code1"),
        ("code2", np.zeros(99, np.int16), ValueError, "code2 must have length 100"),
        ("map1", np.array([0, 1, 9], np.int64), ValueError, "map1 entries must be in"),
        ("map1", np.arange(5, dtype=np.int32), TypeError, "map1 dtype must be int64"),
        ("map1", np.arange(2, dtype=np.int64), ValueError, r"code1 must be in \[0, 2\); got"),
        ("weight", np.zeros(100, ">f8"), ValueError, "native byte order"),
        ("weight", np.zeros(100, np.complex128), TypeError, "weight dtype"),
        ("time", np.zeros(100, np.int32), TypeError, "time dtype must be int64"),
        ("quad", np.full(100, 5, np.int8), ValueError, "quad must be 1, 2, 3 or 4"),
        ("quad", np.ones(100, np.int64), TypeError, "quad dtype must be int8"),
        ("used", np.zeros(3, np.uint8), ValueError, "used must be a writeable"),
        ("used", [0] * 5, TypeError, "used must be None or an ndarray"),
        ("day", 0, ValueError, "day must be > 0"),
        ("half_life", 0.0, ValueError, "half_life must be > 0"),
        ("half_life", float("nan"), ValueError, "half_life must be > 0"),
    ],
)
def test_core_decay_accumulate_rejects_bad_input(key, value, exc, match):
    args = _core_args()
    args[key] = value
    with pytest.raises(exc, match=f"decay_accumulate: .*{match}"):
        _core.decay_accumulate(*args.values())


def test_core_decay_counts_and_readonly_out():
    args = _core_args()
    counts, at = _core.decay_accumulate(*args.values())
    assert sum(counts) == 100 and counts[1] > 0 and counts[3] > 0 and at == 40
    ro = np.zeros((5, 5))
    ro.flags.writeable = False
    args = _core_args()
    args["out"] = ro
    with pytest.raises(ValueError, match="writeable"):
        _core.decay_accumulate(*args.values())
    with pytest.raises(TypeError):
        _core.decay_accumulate(1, 2, 3)


def test_core_bin_accumulate_bad_input():
    a = _core_args()
    good = [np.zeros((3, 5, 5)), a["code1"], a["map1"], a["code2"], a["map2"], a["weight"],
            a["time"], np.array([0, 10, 20, 30], np.int64), None]
    counts = _core.bin_accumulate(*good)
    assert sum(counts) == 100
    for pos, value, match in [
        (7, np.array([0, 10, 10, 30], np.int64), "edges must be strictly increasing"),
        (7, np.array([0, 10, 30], np.int64), "edges must have length 4"),
        (0, np.zeros((3, 5, 4)), "out must have shape"),
        (8, np.zeros(5, np.float64), "used must be a writeable"),
    ]:
        args = list(good)
        args[pos] = value
        with pytest.raises((ValueError, TypeError), match=f"bin_accumulate: {match}"):
            _core.bin_accumulate(*args)


def test_core_threads_and_strides_give_the_serial_result(monkeypatch):
    rng = np.random.default_rng(5)
    n, nact = 1_200_000, 40
    code = rng.integers(-1, nact, 2 * n).astype(np.int32)
    time = rng.integers(0, 3000, n).astype(np.int64) * 86400
    weight = rng.normal(size=n)
    args = lambda: [np.zeros((nact, nact)), None, code[::2], np.arange(nact, dtype=np.int64),
                    code[1::2], np.arange(nact, dtype=np.int64), weight, time, None, None,
                    3000 * 86400, 86400, 90.0 * 86400]
    mp.set_num_threads(int("1"))
    one = args()
    c1 = _core.decay_accumulate(*one)[0]
    mp.set_num_threads(int("4"))
    four = args()
    c4 = _core.decay_accumulate(*four)[0]
    assert c1 == c4
    np.testing.assert_array_equal(four[0], one[0])
    # concurrent calls from Python threads
    results = [None] * 4

    def work(k):
        a = args()
        _core.decay_accumulate(*a)
        results[k] = a[0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, one[0])


def test_core_refcounts_unchanged():
    args = _core_args()
    arrays = [v for v in args.values() if isinstance(v, np.ndarray)]
    before = [sys.getrefcount(x) for x in arrays]
    for _ in range(200):
        _core.decay_accumulate(*args.values())
        bad = dict(args)
        bad["quad"] = np.full(100, 9, np.int8)
        with pytest.raises(ValueError):
            _core.decay_accumulate(*bad.values())
        bad = dict(args)
        bad["map2"] = np.arange(1, dtype=np.int64)
        with pytest.raises(ValueError):
            _core.decay_accumulate(*bad.values())
    del bad
    gc.collect()
    assert [sys.getrefcount(x) for x in arrays] == before


# ---------------------------------------------------------------- decay kernel, all paths

NAT = np.iinfo(np.int64).min


def reference_actors(code1, map1, code2, map2, used):
    """Output positions and classes of each event's actors (marking used[]), or the
    kernels' error for a code beyond its map: (pa, pb, missing, outside, keep)."""
    a, b = code1.astype(np.int64), code2.astype(np.int64)
    missing = (a < 0) | (b < 0)
    beyond = ~missing & ((a >= len(map1)) | (b >= len(map2)))
    if beyond.any():
        raise ValueError(f"row {np.flatnonzero(beyond)[0]}")
    pa = np.where(missing, -1, map1[np.clip(a, 0, max(len(map1) - 1, 0))] if len(map1) else -1)
    pb = np.where(missing, -1, map2[np.clip(b, 0, max(len(map2) - 1, 0))] if len(map2) else -1)
    outside = ~missing & ((pa < 0) | (pb < 0))
    keep = ~missing & ~outside
    if used is not None:
        used[pa[keep]] = 1
        used[pb[keep]] = 1
    return pa, pb, missing, outside, keep


def reference_decay(out, qout, code1, map1, code2, map2, weight, time, quad, used, at, day, half):
    """decay_accumulate's contract, vectorized with NumPy: adds into out/qout/used in place,
    returns the counts (used, missing, outside, after, NaN) and at, or raises like the kernel.
    at None: the latest time of any event (None if no event has a time)."""
    if at is None:
        timed = time[time != NAT]
        at = int(timed.max()) if len(timed) else None
        counts = reference_decay(out, qout, code1, map1, code2, map2, weight, time, quad, used,
                                 NAT if at is None else at, day, half)[0]
        return counts, at
    pa, pb, missing, outside, keep = reference_actors(code1, map1, code2, map2, used)
    t = time.astype(np.int64)
    nat = keep & (t == NAT)
    after = keep & ~nat & (t > at)
    w = weight.astype(np.float64)
    nanw = keep & ~nat & ~after & np.isnan(w)
    good = keep & ~nat & ~after & ~nanw
    dt = (np.int64(at).astype(np.uint64) - t[good].astype(np.uint64)).astype(np.float64)
    f = np.exp2(-dt / half) if np.isfinite(half) else np.ones(good.sum())
    np.add.at(out, (pa[good], pb[good]), w[good] * f)
    if qout is not None:
        np.add.at(qout, (quad[good].astype(np.int64) - 1, pa[good], pb[good]), f)
    return (int(good.sum()), int(missing.sum()), int(outside.sum()), int(after.sum()),
            int((nat | nanw).sum())), at


def decay_case(n, nact, code_dtype, weight_dtype, seed, *, spoil=(), day=86400, ncodes=None):
    """Events on whole days (plus what `spoil` adds) for decay_accumulate."""
    rng = np.random.default_rng(seed)
    ncodes = nact + 3 if ncodes is None else ncodes
    map1 = rng.permutation(np.r_[np.arange(nact), np.full(ncodes - nact, -1)]).astype(np.int64)
    map2 = rng.permutation(map1)
    code1 = rng.integers(0, ncodes, n).astype(code_dtype)
    code2 = rng.integers(0, ncodes, n).astype(code_dtype)
    time = rng.integers(0, 700, n).astype(np.int64) * day + 5 * day
    if np.dtype(weight_dtype).kind == "f":
        weight = np.round(rng.uniform(-10, 10, n), 1).astype(weight_dtype)
    else:
        weight = rng.integers(-10, 11, n).astype(weight_dtype)
    quad = rng.integers(1, 5, n).astype(np.int8)
    at = int(time.max())
    where = lambda k: rng.choice(n, k, replace=False)
    if "missing" in spoil:
        code1[where(n // 20)] = -1
        code2[where(n // 20)] = -1
    if "nan" in spoil:
        weight[where(3)] = np.nan
    if "nat" in spoil:
        time[where(3)] = NAT
    if "after" in spoil:
        time[where(5)] = at + day * rng.integers(1, 5, 5)
    if "subday" in spoil:
        time[where(7)] += rng.integers(1, day, 7)
    if "phase" in spoil:
        at += day // 3
    return {"code1": code1, "map1": map1, "code2": code2, "map2": map2, "weight": weight,
            "time": time, "quad": quad, "at": at, "day": day}


def run_decay(case, half, *, quad, used, fn, nact, latest=False):
    """(out, quad_out, used, (counts, at)) of fn on a case; latest: at=None."""
    out = np.zeros((nact, nact))
    qout = np.zeros((4, nact, nact)) if quad else None
    u = np.zeros(nact, np.uint8) if used else None
    counts, at = fn(out, qout, case["code1"], case["map1"], case["code2"], case["map2"],
                    case["weight"], case["time"], case["quad"] if quad else None, u,
                    None if latest else case["at"], case["day"], half)
    return out, qout, u, (tuple(counts), at)


@pytest.mark.parametrize("code_dtype", [np.int8, np.int16, np.int32, np.int64])
@pytest.mark.parametrize("weight_dtype", [np.float64, np.float32, np.int64, np.int32])
@pytest.mark.parametrize("spoil", [(), ("missing",), ("missing", "nan", "nat", "after"),
                                   ("subday", "phase")])
@pytest.mark.parametrize("half", [90.0 * 86400, np.inf])
@pytest.mark.parametrize("latest", [False, True])
def test_core_decay_matches_numpy_reference(code_dtype, weight_dtype, spoil, half, latest):
    if np.dtype(weight_dtype).kind == "i" and "nan" in spoil:
        spoil = tuple(s for s in spoil if s != "nan")
    nact = 11
    case = decay_case(6000, nact, code_dtype, weight_dtype, seed=len(spoil), spoil=spoil)
    for quad in (False, True):
        got = run_decay(case, half, quad=quad, used=True, fn=_core.decay_accumulate, nact=nact,
                        latest=latest)
        want = run_decay(case, half, quad=quad, used=True, fn=reference_decay, nact=nact,
                         latest=latest)
        assert got[3] == want[3]
        np.testing.assert_allclose(got[0], want[0], rtol=0, atol=TOL * np.abs(want[0]).max())
        if quad:
            np.testing.assert_allclose(got[1], want[1], rtol=0, atol=TOL * np.abs(want[1]).max())
        assert np.array_equal(got[2], want[2])


@pytest.mark.parametrize("step", [1, 2, 3])
def test_core_decay_strided_inputs_match_contiguous(step):
    nact = 9
    case = decay_case(5000 * step, nact, np.int16, np.float64, seed=step, spoil=("missing",))
    strided = {k: (v[::step] if isinstance(v, np.ndarray) and v.ndim == 1 and
                   len(v) == 5000 * step else v) for k, v in case.items()}
    dense = {k: (np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v)
             for k, v in strided.items()}
    for half in (30.0 * 86400, np.inf):
        got = run_decay(strided, half, quad=True, used=True, fn=_core.decay_accumulate, nact=nact)
        want = run_decay(dense, half, quad=True, used=True, fn=reference_decay, nact=nact)
        assert got[3] == want[3]
        np.testing.assert_allclose(got[0], want[0], rtol=0, atol=TOL * np.abs(want[0]).max())
        np.testing.assert_allclose(got[1], want[1], rtol=0, atol=TOL * np.abs(want[1]).max())
        assert np.array_equal(got[2], want[2])


def test_core_decay_unused_codes_and_wide_maps():
    """Codes of the map that never occur leave their actors unmarked; int8 codes with a map
    longer than 128; int64 codes below -1 are missing too."""
    nact = 40
    case = decay_case(8000, nact, np.int8, np.float64, seed=3, ncodes=200)
    case["code1"] = np.abs(case["code1"]) % 100  # codes 100..199 of the map never occur
    case["code2"] = np.abs(case["code2"]) % 100
    for code_dtype in (np.int8, np.int64):
        c = dict(case, code1=case["code1"].astype(code_dtype),
                 code2=case["code2"].astype(code_dtype))
        if code_dtype is np.int64:
            c["code1"][::97] = -5
        got = run_decay(c, 45.0 * 86400, quad=False, used=True, fn=_core.decay_accumulate,
                        nact=nact)
        want = run_decay(c, 45.0 * 86400, quad=False, used=True, fn=reference_decay, nact=nact)
        assert got[3] == want[3]
        np.testing.assert_allclose(got[0], want[0], rtol=0, atol=TOL * np.abs(want[0]).max())
        assert np.array_equal(got[2], want[2]) and not got[2].all()


@pytest.mark.parametrize("row", [0, 511, 512, 4999])
def test_core_decay_code_beyond_map_names_first_row(row):
    case = decay_case(5000, 8, np.int16, np.float64, seed=1)
    beyond = len(case["map2"]) + 2
    case["code2"][row] = beyond
    if row + 700 < 5000:
        case["code2"][row + 700] = beyond + 3
    nmap = len(case["map2"])
    with pytest.raises(ValueError, match=rf"^decay_accumulate: code2 must be in \[0, {nmap}\); "
                                         rf"got {beyond} at row {row}$") as info:
        run_decay(case, 86400.0, quad=False, used=False, fn=_core.decay_accumulate, nact=8)
    # the structured record of the one error channel
    err = info.value
    assert (err.status, err.argument, err.row, err.limit) == ("code_range", "code2", row, nmap)
    assert err.value == beyond and err.field is None
    # a missing partner makes the event missing, not an error
    case["code1"][row] = -1
    if row + 700 < 5000:
        case["code1"][row + 700] = -1
    got = run_decay(case, 86400.0, quad=False, used=False, fn=_core.decay_accumulate, nact=8)
    want = run_decay(case, 86400.0, quad=False, used=False, fn=reference_decay, nact=8)
    assert got[3] == want[3]
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=TOL * np.abs(want[0]).max())


def test_core_decay_adds_into_out_and_threads_agree(monkeypatch):
    nact = 25
    case = decay_case(2_300_000, nact, np.int16, np.float64, seed=9,
                      spoil=("missing", "nan", "nat", "after"))
    start = np.random.default_rng(0).normal(size=(nact, nact))
    results = []
    for threads in ("1", "2", "3"):
        mp.set_num_threads(int(threads))
        out, qout = start.copy(), np.ones((4, nact, nact))
        u = np.zeros(nact, np.uint8)
        counts = _core.decay_accumulate(out, qout, case["code1"], case["map1"], case["code2"],
                                        case["map2"], case["weight"], case["time"], case["quad"],
                                        u, case["at"], case["day"], 60.0 * 86400)
        results.append((out, qout, u, (tuple(counts[0]), counts[1])))
    want = run_decay(case, 60.0 * 86400, quad=True, used=True, fn=reference_decay, nact=nact)
    for out, qout, u, counts in results:
        assert counts == want[3]
        np.testing.assert_allclose(out - start, want[0], rtol=0,
                                   atol=TOL * np.abs(want[0]).max())
        np.testing.assert_allclose(qout - 1.0, want[1], rtol=0, atol=TOL * np.abs(want[1]).max())
        np.testing.assert_array_equal(out, results[0][0])
        np.testing.assert_array_equal(qout, results[0][1])
        assert np.array_equal(u, want[2])


@pytest.mark.parametrize("order", ["random", "ascending", "descending", "one_late", "far_late"])
@pytest.mark.parametrize("half", [20.0 * 86400, 0.5 * 86400, np.inf])
def test_core_decay_latest_time_found_in_the_pass(order, half, monkeypatch):
    """at=None: the latest event's time, whatever the order; a time beyond the sampled
    provisional at is rescaled, and one far beyond it (2^64 growth) reruns exactly."""
    nact = 13
    n = 1_100_000  # several event blocks
    case = decay_case(n, nact, np.int16, np.float64, seed=7, spoil=("missing", "nat"))
    t = case["time"]
    if order == "ascending":
        idx = np.argsort(t, kind="stable")
    elif order == "descending":
        idx = np.argsort(-t, kind="stable")
    else:
        idx = np.arange(len(t))
    case = {k: (v[idx] if isinstance(v, np.ndarray) and len(v) == len(t) else v)
            for k, v in case.items()}
    if order in ("one_late", "far_late"):
        # one event (a missing actor's) later than every other, off the sampled rows
        days = 2 if order == "one_late" else 900
        late = n - 4096 * 7 + 1  # in the last block
        case["time"][late] = case["time"].max() + days * 86400
        case["code1"][late] = -1
        case["time"][4097 * 5 + 7] = case["time"].max() - 86400 // 3
    want = run_decay(case, half, quad=True, used=True, fn=reference_decay, nact=nact,
                     latest=True)
    first = None
    for threads in ("1", "2"):
        mp.set_num_threads(int(threads))
        got = run_decay(case, half, quad=True, used=True, fn=_core.decay_accumulate, nact=nact,
                        latest=True)
        first = got if first is None else first
        np.testing.assert_array_equal(got[0], first[0])
        np.testing.assert_array_equal(got[1], first[1])
        assert got[3] == want[3]
        np.testing.assert_allclose(got[0], want[0], rtol=0, atol=TOL * np.abs(want[0]).max())
        np.testing.assert_allclose(got[1], want[1], rtol=0, atol=TOL * np.abs(want[1]).max())
        assert np.array_equal(got[2], want[2])


@pytest.mark.parametrize("n", [0, 10, 5000])
def test_core_decay_latest_time_without_times(n):
    case = decay_case(max(n, 1), 4, np.int16, np.float64, seed=2)
    case = {k: (v[:n] if isinstance(v, np.ndarray) and v.ndim == 1 and k not in ("map1", "map2")
                else v) for k, v in case.items()}
    case["time"][:] = NAT
    got = run_decay(case, 86400.0 * 3, quad=False, used=True, fn=_core.decay_accumulate, nact=4,
                    latest=True)
    want = run_decay(case, 86400.0 * 3, quad=False, used=True, fn=reference_decay, nact=4,
                     latest=True)
    assert got[3] == want[3] and got[3][1] is None and not got[0].any()


def reference_bins(out, code1, map1, code2, map2, weight, time, edges, used):
    """bin_accumulate's contract with NumPy: adds into out/used, returns the counts."""
    pa, pb, missing, outside, keep = reference_actors(code1, map1, code2, map2, used)
    t = time.astype(np.int64)
    nat = keep & (t == NAT)
    after = keep & ~nat & ((t < edges[0]) | (t >= edges[-1]))
    w = weight.astype(np.float64)
    nanw = keep & ~nat & ~after & np.isnan(w)
    good = keep & ~nat & ~after & ~nanw
    k = np.searchsorted(edges, t[good], side="right") - 1
    np.add.at(out, (k, pa[good], pb[good]), w[good])
    return (int(good.sum()), int(missing.sum()), int(outside.sum()), int(after.sum()),
            int((nat | nanw).sum()))


@pytest.mark.parametrize("code_dtype", [np.int8, np.int16, np.int64])
@pytest.mark.parametrize("weight_dtype", [np.float64, np.int32])
@pytest.mark.parametrize("order", ["random", "sorted"])
def test_core_bin_accumulate_matches_numpy_reference(code_dtype, weight_dtype, order,
                                                     monkeypatch):
    nact, day = 9, 86400
    spoil = ("missing", "nat", "subday") + (("nan",) if weight_dtype is np.float64 else ())
    case = decay_case(1_200_000, nact, code_dtype, weight_dtype, seed=4, spoil=spoil)
    if order == "sorted":
        idx = np.argsort(case["time"], kind="stable")
        case = {k: (v[idx] if isinstance(v, np.ndarray) and len(v) == len(idx) else v)
                for k, v in case.items()}
    # uneven bins (months of days) that leave out the first and last weeks
    edges = np.cumsum(np.r_[12, np.tile([31, 28, 31, 30], 5)]) * day
    want = np.zeros((len(edges) - 1, nact, nact))
    want_used = np.zeros(nact, np.uint8)
    want_counts = reference_bins(want, case["code1"], case["map1"], case["code2"], case["map2"],
                                 case["weight"], case["time"], edges, want_used)
    assert want_counts[3] > 0 and want_counts[4] > 0
    for threads in ("1", "2"):
        mp.set_num_threads(int(threads))
        out = np.zeros_like(want)
        used = np.zeros(nact, np.uint8)
        counts = _core.bin_accumulate(out, case["code1"], case["map1"], case["code2"],
                                      case["map2"], case["weight"], case["time"], edges, used)
        assert tuple(counts) == want_counts
        np.testing.assert_allclose(out, want, rtol=0, atol=TOL * np.abs(want).max())
        if threads == "1":
            first = out
        np.testing.assert_array_equal(out, first)
        assert np.array_equal(used, want_used)


# ---------------------------------------------------------------- thread-count independence


def tiled(ev, times, days=3):
    """`times` copies of the events, each copy `days` later than the previous one."""
    parts = [ev.assign(date=ev["date"] + pd.Timedelta(days=days * k)) for k in range(times)]
    return pd.concat(parts, ignore_index=True)


def by_thread_count(fn, counts=(1, 2, 4)):
    """fn() under each thread count, with the workers each run started."""
    out = []
    for k in counts:
        mp.set_num_threads(k)
        before = _core.threads_started()
        out.append((fn(), _core.threads_started() - before))
    return out


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_public_event_results_are_bitwise_independent_of_threads(source, real):
    """from_events, update and event_tensor give the same bits on 1, 2 and 4 threads (the
    number of event blocks depends on the input sizes only), and threads really run."""
    if source == "real":
        ev = tiled(real, 420)  # ~1.2M GDELT events: several blocks
    else:
        ev = synthetic(n=1_300_000, n_actors=60, seed=11, days=900)
    assert len(ev) > 1_000_000
    head, tail = ev.iloc[: len(ev) // 2], ev.iloc[len(ev) // 2:]

    def run():
        R = quiet(RelationMatrix.from_events, ev, half_life="30D")
        U = quiet(RelationMatrix.from_events, head, half_life="30D")
        quiet(U.update, tail)
        X = quiet(mp.event_tensor, ev, freq="MS", directed=False)
        N = quiet(RelationMatrix.from_events, ev, weight="count")  # no decay: exact loop
        return R, U, X, N

    results = by_thread_count(run)
    (R1, U1, X1, N1), _ = results[0]
    for (R, U, X, N), started in results[1:]:
        assert started > 0  # the inputs are large enough for worker threads
        for a, b in ((R, R1), (U, U1), (N, N1)):
            assert list(a.actors) == list(b.actors) and a.at == b.at
            np.testing.assert_array_equal(a.values, b.values)
            np.testing.assert_array_equal(a.quad_counts, b.quad_counts)
        np.testing.assert_array_equal(X.values, X1.values)
        assert list(X.actors) == list(X1.actors)


def test_core_used_flags_and_counts_are_independent_of_threads():
    """The slow loop (int64 codes, NaN weights), the fast loop with used[] and quad classes,
    and bin_accumulate: outputs, used flags and counts identical for 1, 2 and 4 threads."""
    nact = 50
    case = decay_case(1_500_000, nact, np.int64, np.float64, seed=12,
                      spoil=("missing", "nan", "nat", "after", "subday"))

    def run():
        got = []
        for half in (20.0 * 86400, np.inf):
            for latest in (False, True):
                got.append(run_decay(case, half, quad=True, used=True,
                                     fn=_core.decay_accumulate, nact=nact, latest=latest))
        edges = np.arange(0, 720, 30, dtype=np.int64) * 86400
        out = np.zeros((len(edges) - 1, nact, nact))
        used = np.zeros(nact, np.uint8)
        counts = _core.bin_accumulate(out, case["code1"], case["map1"], case["code2"],
                                      case["map2"], case["weight"], case["time"], edges, used)
        got.append((out, None, used, tuple(counts)))
        return got

    results = by_thread_count(run)
    for got, started in results[1:]:
        assert started > 0
        for (out, qout, used, counts), (out1, qout1, used1, counts1) in zip(got, results[0][0]):
            np.testing.assert_array_equal(out, out1)
            if qout is not None:
                np.testing.assert_array_equal(qout, qout1)
            np.testing.assert_array_equal(used, used1)
            assert counts == counts1


# ---------------------------------------------------------------- inputs changed during a call


def _mutate_while(stop, arrays, rng_seed, nat=0.2):
    """Write random values into the arrays until stop is set: valid ones that stay (codes of
    actors inside and outside the output, missing codes, NaN weights, NaT and late times) and
    invalid ones that are put back at once (codes beyond the map, quad classes outside 1-4),
    so a kernel may meet them after its validation pass."""
    rng = np.random.default_rng(rng_seed)
    rounds = 0
    while not stop.is_set():
        rounds += 1
        for name, arr, lo, hi in arrays:
            idx = rng.integers(0, len(arr), 64)
            if name == "weight":
                arr[idx] = np.where(rng.random(64) < 0.2, np.nan, rng.normal(size=64))
            elif name == "time":
                arr[idx] = np.where(rng.random(64) < nat, NAT, rng.integers(lo, hi, 64) * 86400)
            else:
                keep = arr[idx]
                if rounds % 8 == 0:
                    arr[idx] = rng.choice([lo - 1, hi, hi + 1], 64)  # invalid for a moment
                arr[idx] = np.where(rng.random(64) < 0.5, keep, rng.integers(lo, hi, 64))


@pytest.mark.parametrize("kernel", ["decay", "decay_latest", "bins"])
@pytest.mark.parametrize("code_dtype", [np.int8, np.int32])
def test_core_inputs_changed_by_another_thread_never_crash(kernel, code_dtype):
    """A second Python thread writes actor codes (inside, outside, missing and beyond the map),
    quad classes (0..6), weights (NaN) and times (NaT, far ahead) while the kernels run without
    the GIL: no crash and no write outside the outputs; a result or a clean ValueError."""
    nact = 20
    case = decay_case(600_000, nact, code_dtype, np.float64, seed=21, ncodes=nact + 10)
    nmap = len(case["map1"])
    arrays = [("code1", case["code1"], -1, nmap), ("code2", case["code2"], -1, nmap),
              ("quad", case["quad"], 1, 5), ("weight", case["weight"], 0, 0),
              ("time", case["time"], 0, 3000)]
    edges = np.arange(0, 800, 30, dtype=np.int64) * 86400
    stop = threading.Event()
    mutator = threading.Thread(target=_mutate_while, args=(stop, arrays, 5))
    mp.set_num_threads(2)
    outcomes = {"ok": 0, "error": 0}
    mutator.start()
    try:
        # about a second, and on until two calls have run through (slow sanitized builds)
        deadline, give_up = time.monotonic() + 1.0, time.monotonic() + 30.0
        while time.monotonic() < deadline or (outcomes["ok"] < 2 and time.monotonic() < give_up):
            # guards around the outputs catch writes just outside them
            base = np.zeros((nact + 2) * nact)
            out = base[nact:-nact].reshape(nact, nact)
            used = np.zeros(nact + 2, np.uint8)
            try:
                if kernel == "bins":
                    bins = np.zeros((len(edges) - 1) * nact * nact + 2 * 64)
                    view = bins[64:-64].reshape(len(edges) - 1, nact, nact)
                    counts = _core.bin_accumulate(
                        view, case["code1"], case["map1"], case["code2"], case["map2"],
                        case["weight"], case["time"], edges, used[1:-1])
                    assert not bins[:64].any() and not bins[-64:].any()
                else:
                    qbase = np.zeros(6 * nact * nact)
                    qout = qbase[nact * nact:-nact * nact].reshape(4, nact, nact)
                    counts, _ = _core.decay_accumulate(
                        out, qout, case["code1"], case["map1"], case["code2"], case["map2"],
                        case["weight"], case["time"], case["quad"], used[1:-1],
                        None if kernel == "decay_latest" else 2000 * 86400, 86400,
                        60.0 * 86400)
                    assert not qbase[:nact * nact].any() and not qbase[-nact * nact:].any()
                assert not base[:nact].any() and not base[-nact:].any()
                assert sum(counts) == len(case["code1"])
                outcomes["ok"] += 1
            except ValueError as exc:
                # a code beyond the map or a quad class outside 1-4, seen while validating
                assert getattr(exc, "status", None) == "code_range" or "quad must be" in str(exc)
                outcomes["error"] += 1
            assert used[0] == 0 and used[-1] == 0
    finally:
        stop.set()
        mutator.join()
    assert outcomes["ok"] > 0


def test_public_inputs_changed_by_another_thread_never_crash():
    """The same through from_events and event_tensor: the frame's Categorical codes, quad
    classes, weights and times are written while the calls run."""
    ev = synthetic(n=400_000, n_actors=30, seed=8, missing=0.0)
    ncat = len(ev["actor1"].cat.categories)
    arrays = [("code1", ev["actor1"].array._ndarray, -1, ncat),
              ("code2", ev["actor2"].array._ndarray, -1, ncat),
              ("quad", ev["quad_class"].to_numpy(), 1, 5),
              ("weight", ev["goldstein"].to_numpy(), 0, 0),
              ("time", ev["date"].to_numpy().view(np.int64), 0, 1000)]
    for _, arr, _, _ in arrays:
        arr.flags.writeable = True  # views of the frame's own buffers (pandas marks them read-only)
    arrays[3][1][0] = 123.0
    assert ev["goldstein"].iloc[0] == 123.0  # the writes reach the frame
    stop = threading.Event()
    # (no NaT here: the Python side reads the times more than once to find the bins, and
    # only the kernels promise to read them once)
    mutator = threading.Thread(target=_mutate_while, args=(stop, arrays, 6, 0.0))
    mp.set_num_threads(2)
    mutator.start()
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                R = quiet(RelationMatrix.from_events, ev, half_life="30D")
                assert R.values.shape == (len(R.actors),) * 2
                X = quiet(mp.event_tensor, ev, freq="MS")
                assert X.values.shape[1:] == (len(X.actors),) * 2
            except ValueError as exc:
                # a code beyond the categories or a class outside 1-4, met for a moment
                assert "must be in [0," in str(exc) or "quad" in str(exc), exc
    finally:
        stop.set()
        mutator.join()


# ---------------------------------------------------------------- keywords and errors


def test_core_kernels_take_keywords_and_positions():
    args = _core_args(n=3000, nact=6, seed=4)
    pos = {k: (v.copy() if k in ("out", "quad_out") else v) for k, v in args.items()}
    kw = {k: (v.copy() if k in ("out", "quad_out") else v) for k, v in args.items()}
    assert _core.decay_accumulate(*pos.values()) == _core.decay_accumulate(**kw)
    np.testing.assert_array_equal(pos["out"], kw["out"])
    np.testing.assert_array_equal(pos["quad_out"], kw["quad_out"])
    misspelt = {("half_lif" if k == "half_life" else k): v for k, v in kw.items()}
    with pytest.raises(TypeError, match="half_lif"):
        _core.decay_accumulate(**misspelt)
    sig = inspect.signature(_core.decay_accumulate)
    assert list(sig.parameters) == list(args)
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in sig.parameters.values())
    b = dict(out=np.zeros((2, 6, 6)), code1=args["code1"], map1=args["map1"],
             code2=args["code2"], map2=args["map2"], weight=args["weight"], time=args["time"],
             edges=np.array([0, 20, 50], np.int64), used=None)
    b_pos = dict(b, out=np.zeros((2, 6, 6)))
    assert _core.bin_accumulate(**b) == _core.bin_accumulate(*b_pos.values())
    np.testing.assert_array_equal(b["out"], b_pos["out"])
    assert list(inspect.signature(_core.bin_accumulate).parameters) == list(b)


def test_kernel_code_errors_are_restated_in_the_users_words(monkeypatch):
    """A kernel's code_range error reaches the user as InputError naming the public function
    and the actor column (a map one entry short stands in for a broken invariant)."""
    from multipolar.relations import accumulate as events_mod

    ev = synthetic(n=500, n_actors=5, seed=2, missing=0.0)
    real_resolve = events_mod.resolve_actors

    def short_maps(*args, **kw):
        idx, map1, map2 = real_resolve(*args, **kw)
        return idx, map1[:-1], map2

    monkeypatch.setattr(events_mod, "resolve_actors", short_maps)
    with pytest.raises(mp.InputError, match=r"^RelationMatrix\.from_events: column 'actor1' "
                                            r"must be in \[0, 4\); got 4 at row \d+$"):
        RelationMatrix.from_events(ev)
    monkeypatch.setattr("multipolar.relations.tensor.resolve_actors", short_maps)
    with pytest.raises(mp.InputError, match=r"^event_tensor: column 'actor1' must be in"):
        mp.event_tensor(ev)


# ---------------------------------------------------------------- bad steps, far times, pickles


def _three_events():
    return pd.DataFrame({
        "actor1": ["USA", "RUS", "CHN"], "actor2": ["RUS", "USA", "USA"],
        "goldstein": [1.0, 2.0, 3.0], "quad_class": np.array([1, 2, 3], np.int8),
        "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-09"]),
    })


@pytest.mark.parametrize("freq", ["-1D", "0D", "0MS", "-2MS", "-1h"])
def test_event_tensor_rejects_steps_that_are_not_positive(freq):
    """A negative step once dropped every event with a warning about ``at`` (there is
    none); a zero step raised a bare ZeroDivisionError."""
    ev = _three_events()
    with pytest.raises(ValueError, match=f"^event_tensor: freq must be a positive step .*got '{freq}'$"):
        mp.event_tensor(ev, freq=freq)
    with pytest.raises(ValueError, match="dyad_series: freq must be a positive step"):
        mp.dyad_series(ev, "USA", "RUS", freq=freq)


def test_event_tensor_bounds_the_number_of_bins():
    ev = _three_events()
    with pytest.raises(ValueError, match="event_tensor: freq must give at most 10,000,000 bins"):
        mp.event_tensor(ev, freq="1ns")
    # a fine step that fits is still fine, and equals a plain pandas count
    X = mp.event_tensor(ev, freq="1D", weight="count")
    days = (ev["date"] - ev["date"].min()).dt.days
    assert X.values.shape[0] == days.max() + 1 and X.values.sum() == len(ev)


@pytest.mark.parametrize("call", ["from_events", "update", "event_tensor"])
def test_times_past_2262_are_input_errors(call):
    """Second-resolution times beyond pandas' nanosecond range once surfaced as a raw
    OutOfBoundsDatetime; now an InputError naming the column, row and time."""
    ev = _three_events()
    far = ev.assign(date=ev["date"].astype("M8[s]"))
    far.loc[1, "date"] = np.datetime64("2300-01-01", "s")
    assert far["date"].dtype == "M8[s]"
    if call == "from_events":
        run = lambda: RelationMatrix.from_events(far, half_life="30D")
        func = "RelationMatrix.from_events"
    elif call == "update":
        R = RelationMatrix.from_events(ev, half_life="30D")
        run = lambda: R.update(far)
        func = "RelationMatrix.update"
    else:
        run = lambda: mp.event_tensor(far)
        func = "event_tensor"
    with pytest.raises(mp.InputError) as info:
        run()
    assert str(info.value) == (f"{func}: column 'date' must hold times in 1677-09-21..2262-04-11 "
                               "(pandas' nanosecond range); got 2300-01-01T00:00:00 at row 1")
    assert info.value.row == 1
    with pytest.raises(mp.InputError, match="at must be a time in 1677-09-21..2262-04-11"):
        RelationMatrix.from_events(ev, half_life="30D", at="2300-01-01")


def test_quad_counts_stay_read_only_after_pickling():
    R = RelationMatrix.from_events(_three_events(), half_life="30D")
    assert not R.quad_counts.flags.writeable
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        S = pickle.loads(pickle.dumps(R, protocol=proto))
        np.testing.assert_array_equal(S.quad_counts, R.quad_counts)
        assert not S.quad_counts.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            S.quad_counts[0, 0, 0] = 1.0


def test_to_frame_round_trip_keeps_the_diagonal():
    R = RelationMatrix.from_events(_three_events(), half_life="30D", directed=True)
    values = R.values.copy()
    np.fill_diagonal(values, [5.0, 6.0, 7.0])
    R = RelationMatrix(values, actors=R.actors, codes="cameo")
    back = RelationMatrix.from_frame(R.to_frame(diagonal=True), row="actor1", col="actor2",
                                     codes="cameo")
    np.testing.assert_array_equal(back.values, values)
    # the default leaves the diagonal out, as the docstring now says: from_frame's fill
    part = RelationMatrix.from_frame(R.to_frame(), row="actor1", col="actor2", codes="cameo")
    assert np.isnan(np.diag(part.values)).all()
    np.testing.assert_array_equal(part.values[~np.eye(3, dtype=bool)],
                                  values[~np.eye(3, dtype=bool)])
    doc = RelationMatrix.to_frame.__doc__
    assert "inverts ``to_frame(diagonal=True)``" in doc and "pass ``diagonal=True``" in doc


def test_kernel_argument_errors_are_restated_in_the_public_name(monkeypatch):
    """A kernel's own argument check fails only when another thread changed the events
    after the wrapper's checks; the user hears of it from from_events and event_tensor,
    never under the internal names decay_accumulate or bin_accumulate."""
    def changed(*args, **kwargs):
        raise ValueError("decay_accumulate: quad must be 1, 2, 3 or 4; got 9 at row 3")

    def changed_bins(*args, **kwargs):
        raise ValueError("bin_accumulate: code1 entries must be in [-1, 3); got 7 at 2")

    monkeypatch.setattr(_core, "decay_accumulate", changed)
    monkeypatch.setattr(_core, "bin_accumulate", changed_bins)
    ev = _three_events()
    with pytest.raises(mp.InputError) as info:
        RelationMatrix.from_events(ev, half_life="30D")
    msg = str(info.value)
    assert msg.startswith("RelationMatrix.from_events: events must not change while the call "
                          "reads them") and "decay_accumulate" not in msg and "got 9 at row 3" in msg
    with pytest.raises(mp.InputError) as info:
        mp.event_tensor(ev)
    assert str(info.value).startswith("event_tensor: events must not change")
    assert "bin_accumulate" not in str(info.value)
