"""Evidence behind similarity: counts (min_n, R.n), constant portfolios, bootstrap bands,
and blocs that set aside what they cannot place (with membership probabilities)."""

from __future__ import annotations

import warnings

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from conftest import DATA, LAYOUTS
from multipolar import _core
from multipolar.relations import RelationMatrix
from reference.similarity import MEASURES as TWIN_MEASURES
from reference.similarity import similarity_boot as twin_boot

IDS = {m: i for i, m in enumerate(_core.SIMILARITY_MEASURES)}
FIVE = ("s", "s_sq", "kappa", "pi", "taub")
BLOCK = 256  # multipolar.similarity.bootstrap.BOOT_BLOCK, part of the reproducibility contract


def _gens(seed, year_sizes, block=BLOCK):
    """One PCG64 per block of unordered pairs, spawned from the seed as the docs say."""
    ss = np.random.SeedSequence(seed)
    pairs = np.array([n * (n - 1) // 2 for n in year_sizes])
    nb = int(((pairs + block - 1) // block).sum())
    return tuple(np.random.PCG64(np.random.SeedSequence(ss.entropy, spawn_key=(b,)))
                 for b in range(nb))


def _random_years(seed, shapes, levels=3, missing=0.2):
    rng = np.random.default_rng(seed)
    mats = []
    for n, k in shapes:
        A = rng.integers(0, levels, size=(n, k)).astype(np.int8)
        A[rng.random((n, k)) < missing] = -1
        mats.append(A)
    return mats


def _flat(mats):
    year_ptr = np.r_[0, np.cumsum([m.shape[0] for m in mats])].astype(np.int64)
    nitems = np.array([m.shape[1] for m in mats], dtype=np.int64)
    codes = np.concatenate([m.ravel() for m in mats]) if mats else np.zeros(0, np.int8)
    return year_ptr, nitems, codes


# ---------------------------------------------------------------- the kernel and its twin


@pytest.mark.parametrize("layout", ["contiguous", "strided", "reversed", "readonly"])
def test_similarity_boot_matches_twin_bitwise_over_threads(layout):
    mats = _random_years(1, [(6, 11), (1, 4), (9, 5), (3, 1)])
    year_ptr, nitems, codes = _flat(mats)
    if layout == "reversed":
        codes = np.ascontiguousarray(codes[::-1])[::-1]
    else:
        codes = LAYOUTS[layout](codes)
    sizes = [m.shape[0] for m in mats]
    ids = np.array([IDS[m] for m in FIVE], dtype=np.int64)
    probs = np.array([0.05, 0.5, 0.95])
    runs = []
    for threads in (1, 2, 4):
        with mp.num_threads(threads):
            runs.append(_core.similarity_boot(_gens(7, sizes, 4), year_ptr, nitems, codes,
                                              np.array([1.0, 2.0, 3.0]), None, ids, 40, 4,
                                              probs, True))
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b, strict=True)
    n, bands, reps = runs[0]
    tn, tbands, treps = twin_boot(mats, (1, 2, 3), FIVE, _gens(7, sizes, 4), 40, 4, probs)
    np.testing.assert_array_equal(n, tn)
    np.testing.assert_allclose(reps, treps, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bands, tbands, rtol=0, atol=1e-12)
    assert np.isnan(reps).any() and np.isfinite(reps).any()  # undefined replicates are NaN


def test_similarity_boot_weighted_alliance_levels():
    rng = np.random.default_rng(3)
    A = rng.choice([0, 0, 0, 1, 3], size=(7, 7)).astype(np.int8)
    np.fill_diagonal(A, 3)
    w = rng.random(7)
    ids = np.array([IDS["s_w"], IDS["s"], IDS["kappa"]], dtype=np.int64)
    n, bands, reps = _core.similarity_boot(_gens(2, [7]), *_flat([A]),
                                           np.array([0.0, 1.0, 2.0, 3.0]), w, ids, 25,
                                           BLOCK, np.array([0.1, 0.9]), True)
    tn, tbands, treps = twin_boot([A], (0, 1, 2, 3), ("s_w", "s", "kappa"), _gens(2, [7]), 25,
                                  BLOCK, [0.1, 0.9], weights_by_year=[w])
    assert (n == 7).all() and np.array_equal(n, tn)
    np.testing.assert_allclose(reps, treps, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bands, tbands, rtol=0, atol=1e-12)


def test_similarity_boot_starts_threads():
    mats = _random_years(2, [(40, 30)] * 3)
    args = (*_flat(mats), np.array([1.0, 2.0, 3.0]), None, np.array([2]), 20, 64,
            np.array([0.5]), False)
    for threads in (2, 4):
        before = _core.threads_started()
        with mp.num_threads(threads):
            _core.similarity_boot(_gens(1, [40] * 3, 64), *args)
        assert _core.threads_started() > before


@pytest.mark.parametrize(
    "change, exc, match",
    [
        ({"bitgens": ()}, ValueError, "one generator per block"),
        ({"codes": np.array([0, 5, 1, 0, 1, 2], np.int8)}, ValueError, "codes"),
        ({"codes": np.zeros(6, np.int16)}, TypeError, "codes dtype must be int8"),
        ({"codes": np.zeros(5, np.int8)}, ValueError, "one cell per row and item"),
        ({"probs": np.array([1.5])}, ValueError, "probs must lie in"),
        ({"replicates": 0}, ValueError, "replicates must be in"),
        ({"block_pairs": 0}, ValueError, "block_pairs must be >= 1"),
        ({"measures": np.array([IDS["s_w"]])}, ValueError, "weights must be given"),
        ({"measures": np.array([99])}, ValueError, "measures must be in"),
        ({"weights": np.array([1.0, -1.0, 1.0])}, ValueError, "weights"),
        ({"weights": np.array([1.0])}, ValueError, "weights must have length 3"),
        ({"levels": np.array([1.0, 1.0, 3.0])}, ValueError, "strictly increasing"),
        ({"year_ptr": np.array([1, 2])}, ValueError, "year_ptr must start at 0"),
    ],
)
def test_similarity_boot_rejects_bad_input(change, exc, match):
    args = dict(bitgens=_gens(1, [2]), year_ptr=np.array([0, 2]), nitems=np.array([3]),
                codes=np.array([0, 1, 2, 2, 1, -1], np.int8), levels=np.array([1.0, 2.0, 3.0]),
                weights=None, measures=np.array([0]), replicates=5, block_pairs=BLOCK,
                probs=np.array([0.5]), keep=False)
    args.update(change)
    with pytest.raises(exc, match=match):
        _core.similarity_boot(**args)


def test_twin_lists_the_kernel_measures():
    assert tuple(TWIN_MEASURES) == tuple(_core.SIMILARITY_MEASURES)


# ---------------------------------------------------------------- similarity(bootstrap=...)


def _votes(seed, years=(2001, 2002), states=9, calls=14, choices=(1, 1, 2, 3, 8, 9)):
    rng = np.random.default_rng(seed)
    rows = [(y * 1000 + r, 2 + 10 * c, y, rng.choice(choices))
            for y in years for r in range(calls) for c in range(states)]
    return pd.DataFrame(rows, columns=["rcid", "ccode", "year", "vote"])


def test_bands_match_the_twin_on_a_pivot_of_the_votes():
    votes = _votes(4)
    out = mp.similarity(votes, kind="unvote", measures=FIVE, bootstrap=30, level=0.8, seed=5)
    # the twin's input, built straight from the frame: one (state x roll call) table a year
    mats, sizes, keys = [], [], []
    for y, g in votes[votes.vote.isin([1, 2, 3])].groupby("year"):
        wide = g.pivot(index="ccode", columns="rcid", values="vote")
        mats.append(np.where(wide.isna(), -1, wide.fillna(1) - 1).astype(np.int8))
        sizes.append(len(wide))
        keys.append((y, wide.index.to_numpy()))
    n, bands, _ = twin_boot(mats, (1, 2, 3), FIVE, _gens(5, sizes), 30, BLOCK, [0.1, 0.9])
    rows, base = [], 0
    for (y, cc), N in zip(keys, sizes):
        for i in range(N):
            for j in range(N):
                if i != j:
                    a, b = min(i, j), max(i, j)
                    q = base + a * (2 * N - a - 1) // 2 + (b - a - 1)
                    if n[q] > 0:
                        rows.append((cc[i], cc[j], y, q))
        base += N * (N - 1) // 2
    want = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "q"])
    assert out[["ccode1", "ccode2", "year"]].to_numpy().tolist() == \
        want[["ccode1", "ccode2", "year"]].to_numpy().tolist()
    q = want["q"].to_numpy()
    for k, m in enumerate(FIVE):
        np.testing.assert_allclose(out[f"{m}_lo"], bands[k, 0, q], rtol=0, atol=1e-12)
        np.testing.assert_allclose(out[f"{m}_hi"], bands[k, 1, q], rtol=0, atol=1e-12)
    assert list(out.columns[-10:]) == [f"{m}_{s}" for m in FIVE for s in ("lo", "hi")]


def test_bands_reproducible_and_bitwise_equal_for_any_thread_count():
    votes = _votes(6, years=tuple(range(1990, 1996)), states=30, calls=20)
    runs = {}
    for threads in (1, 2, 4):
        with mp.num_threads(threads):
            runs[threads] = mp.similarity(votes, kind="unvote", measures=("kappa", "s"),
                                          bootstrap=50, seed=np.random.SeedSequence(9))
    for threads in (2, 4):
        pd.testing.assert_frame_equal(runs[threads], runs[1], check_exact=True)
    other = mp.similarity(votes, kind="unvote", measures=("kappa", "s"), bootstrap=50, seed=10)
    assert not np.array_equal(other["s_lo"].to_numpy(), runs[1]["s_lo"].to_numpy())


def _pair_votes(rng, p, n):
    """n roll calls of two states from the joint distribution p (3 x 3, votes 1..3)."""
    cells = rng.choice(9, size=n, p=p.ravel())
    return cells // 3 + 1, cells % 3 + 1


def _kappa_of(p):
    lv = np.arange(1.0, 4.0)
    w = (lv[:, None] - lv[None, :]) ** 2
    return 1 - (w * p).sum() / (w * np.outer(p.sum(1), p.sum(0))).sum()


def test_bands_cover_a_known_kappa_and_shrink_with_n():
    p = np.array([[0.40, 0.05, 0.05], [0.05, 0.15, 0.05], [0.05, 0.05, 0.15]])
    truth = _kappa_of(p)
    rng = np.random.default_rng(0)
    rows = []
    for y in range(1000, 1300):  # 300 independent dyad-years of 80 roll calls
        a, b = _pair_votes(rng, p, 80)
        for r in range(80):
            rows += [(y * 100 + r, 2, y, a[r]), (y * 100 + r, 20, y, b[r])]
    votes = pd.DataFrame(rows, columns=["rcid", "ccode", "year", "vote"])
    out = mp.similarity(votes, kind="unvote", measures=("kappa",), bootstrap=200, seed=1)
    out = out[out.ccode1 == 2]
    cover = ((out.kappa_lo <= truth) & (truth <= out.kappa_hi)).mean()
    assert 0.82 <= cover <= 0.97, cover
    assert ((out.kappa_lo <= out.kappa) & (out.kappa <= out.kappa_hi)).mean() > 0.97
    # ten times the roll calls: about a third of the width (1 / sqrt(10))
    a, b = _pair_votes(rng, p, 800)
    big = pd.DataFrame({"rcid": np.r_[np.arange(800), np.arange(800)],
                        "ccode": np.r_[np.full(800, 2), np.full(800, 20)], "year": 2000,
                        "vote": np.r_[a, b]})
    wide = mp.similarity(big, kind="unvote", measures=("kappa",), bootstrap=400, seed=2)
    narrow_w = float((wide.kappa_hi - wide.kappa_lo).iloc[0])
    small_w = float((out.kappa_hi - out.kappa_lo).median())
    assert 0.2 < narrow_w / small_w < 0.5


def test_alliance_bands_resample_the_reference_states():
    ally = pd.DataFrame({"ccode1": [2, 20, 2, 200, 220], "ccode2": [20, 2, 200, 2, 200],
                         "year": 1950, "code": [3, 3, 1, 1, 2]})
    out = mp.similarity(ally, measures=("s",), years=[1950], bootstrap=100, seed=3)
    assert (out["n"] == out["n"].iloc[0]).all()  # every member is a reference state
    assert ((out.s_lo <= out.s) & (out.s <= out.s_hi)).all()
    assert (out.s_hi - out.s_lo).max() > 0


def test_bootstrap_arguments_are_checked():
    votes = _votes(1)
    with pytest.raises(ValueError, match="bootstrap must be >= 2"):
        mp.similarity(votes, kind="unvote", bootstrap=1)
    with pytest.raises(TypeError, match="bootstrap must be an int"):
        mp.similarity(votes, kind="unvote", bootstrap=2.5)
    with pytest.raises(ValueError, match="level must lie in"):
        mp.similarity(votes, kind="unvote", bootstrap=10, level=1.0)
    with pytest.raises(TypeError, match="seed must be"):
        mp.similarity(votes, kind="unvote", bootstrap=10, seed="x")
    with pytest.raises(ValueError, match="min_n must be >= 1"):
        mp.similarity(votes, kind="unvote", min_n=0)


# ---------------------------------------------------------------- the real 2015 UN votes


@pytest.fixture(scope="module")
def votes2015():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = mp.read_unvotes(DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz")
    return v[v.year == 2015].reset_index(drop=True)


@pytest.fixture(scope="module")
def pivot2015(votes2015):
    """(states, one-hot votes [3, N, K], voted [N, K]) straight from the frame."""
    v = votes2015[votes2015.vote.isin([1, 2, 3])]
    wide = v.pivot(index="ccode", columns="rcid", values="vote")
    X = np.stack([(wide == a).to_numpy(float) for a in (1, 2, 3)])
    return wide.index.to_numpy(), X, X.sum(0)


def test_min_n_sets_thin_dyads_aside_and_counts_them(votes2015, pivot2015):
    states, _, V = pivot2015
    common = V @ V.T
    with pytest.warns(UserWarning, match=r"dyad-years rest on fewer than min_n = 10"):
        out = mp.similarity(votes2015, kind="unvote", measures=("kappa", "s"), min_n=10)
    i = np.searchsorted(states, out.ccode1)
    j = np.searchsorted(states, out.ccode2)
    np.testing.assert_array_equal(out["n"], common[i, j])
    thin = common[i, j] < 10
    assert thin.sum() == out.attrs["below_min_n"] > 0
    assert out.loc[thin, ["kappa", "s"]].isna().all().all()  # rows kept, measures NaN
    plain = mp.similarity(votes2015, kind="unvote", measures=("kappa", "s"))
    assert len(plain) == len(out)
    np.testing.assert_array_equal(out.loc[~thin, "s"], plain.loc[~thin, "s"])
    assert (out.loc[out.ccode1 == 403, "n"] <= 1).all()  # Sao Tome: one vote in 2015


def test_constant_flags_kappa_zero_by_construction(votes2015, pivot2015):
    states, X, V = pivot2015
    used = np.stack([(X[a] @ V.T) > 0 for a in range(3)]).sum(0)  # codes of i where j voted
    out = mp.similarity(votes2015, kind="unvote", measures=("kappa", "s"))
    i = np.searchsorted(states, out.ccode1)
    j = np.searchsorted(states, out.ccode2)
    want = (used[i, j] <= 1) | (used[j, i] <= 1)
    np.testing.assert_array_equal(out["constant"].to_numpy(), want)
    k = out.loc[out.constant, "kappa"]
    assert ((k == 0) | k.isna()).all()
    always = out.groupby("ccode1")["constant"].all()
    assert always.sum() == 12  # the count for 2015
    # their S agreement still discriminates: closer to China than to the USA
    s = out[out.ccode1.isin(always[always].index)]
    assert s.loc[s.ccode2 == 710, "s"].mean() > s.loc[s.ccode2 == 2, "s"].mean()


def test_similarity_matrix_carries_counts(votes2015, pivot2015):
    states, _, V = pivot2015
    K = mp.similarity_matrix(votes2015, 2015, kind="unvote")
    assert K.n is not None and K.n.shape == K.shape
    i = np.searchsorted(states, K.actors.to_numpy())
    common = (V @ V.T)[np.ix_(i, i)]
    np.testing.assert_array_equal(K.n, common)  # diagonal: the state's own votes
    sub = K.sub([710, 2, 365])
    np.testing.assert_array_equal(sub.n, common[np.ix_(*[np.searchsorted(K.actors, [710, 2, 365])] * 2)])
    assert sub.to_frame()["n"].tolist() == [sub.n[0, 1], sub.n[0, 2], sub.n[1, 0], sub.n[1, 2],
                                            sub.n[2, 0], sub.n[2, 1]]
    back = RelationMatrix.from_frame(K.to_frame(), "actor1", "actor2", n="n")
    off = ~np.eye(len(K), dtype=bool)
    np.testing.assert_array_equal(back.n[off], K.n[off])
    np.testing.assert_array_equal(K.to_codes("iso3").n, K.n)
    np.testing.assert_array_equal(K.symmetrize().n, np.minimum(K.n, K.n.T))
    np.testing.assert_array_equal(K.T.n, K.n.T)


def test_blocs_set_aside_thin_evidence_and_constant_voters(votes2015, pivot2015):
    states, X, V = pivot2015
    K = mp.similarity_matrix(votes2015, 2015, kind="unvote")
    b = mp.blocs(K, k=2)
    used = np.stack([(X[a] @ V.T) > 0 for a in range(3)]).sum(0)
    off = ~np.eye(len(states), dtype=bool)
    constant = states[((used <= 1) | ~off).all(1)]
    assert 403 in b.unassigned.index and "too little evidence" in b.unassigned[403]
    reasons = b.unassigned.drop(403)
    assert sorted(reasons.index) == sorted(set(constant) - {403})
    assert reasons.str.startswith("constant portfolio").all()
    for c in b.unassigned.index:
        assert c not in b.labels.index and c not in b.borderline
    assert len(b.labels) + len(b.unassigned) == len(K)


def test_blocs_bootstrap_on_2015(votes2015):
    K = mp.similarity_matrix(votes2015, 2015, kind="unvote")
    b = mp.blocs(K, k=2, bootstrap=30, seed=4)
    P = b.probability
    assert list(P.index) == list(b.labels.index)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    own = P.to_numpy()[np.arange(len(P)), b.labels.to_numpy()]
    assert (own >= 0.5).mean() > 0.9  # labels matched across replicates
    assert P.loc[2, b.labels[2]] == 1.0 and P.loc[710, b.labels[710]] == 1.0
    again = mp.blocs(K, k=2, bootstrap=30, seed=4)
    pd.testing.assert_frame_equal(again.probability, P, check_exact=True)


# ---------------------------------------------------------------- blocs on small matrices


def _camps(n1=6, n2=5, seed=0):
    rng = np.random.default_rng(seed)
    lab = np.r_[np.zeros(n1, int), np.ones(n2, int)]
    S = np.where(lab[:, None] == lab[None, :], 0.7, -0.3) + rng.normal(0, 0.03, (len(lab),) * 2)
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    return S, lab


def test_blocs_evidence_rule_uses_the_counts():
    S, _ = _camps()
    actors = list(range(2, 2 + 10 * len(S), 10))
    n = np.full(S.shape, 50.0)
    n[3, :] = n[:, 3] = 2.0  # one state with two compared items
    n[0, 7] = n[7, 0] = 1.0  # one thin pair
    R = RelationMatrix(S, actors, n=n)
    b = mp.blocs(R)
    assert list(b.unassigned.index) == [actors[3]]
    assert "min_n = 10" in b.unassigned[actors[3]]
    assert mp.blocs(R, min_n=None).unassigned.empty
    assert mp.blocs(R, min_n=2).unassigned.empty
    # without counts (a DataFrame) the rule cannot apply
    assert mp.blocs(pd.DataFrame(S, index=actors, columns=actors)).unassigned.empty


def test_blocs_leave_a_zero_row_and_an_empty_row_unassigned():
    S, lab = _camps()
    S[4, :] = S[:, 4] = 0.0
    S[4, 4] = 1.0
    S[8, :] = S[:, 8] = np.nan
    actors = list(range(len(S)))
    b = mp.blocs(RelationMatrix(S, [a + 2 for a in actors]))
    assert b.unassigned.to_dict() == {
        6: "constant portfolio: the same code on every compared item (e.g. a yes on every roll "
           "call), so kappa is 0 with every state by construction",
        10: "no similarity with any other state",
    }
    keep = [i for i in actors if i not in (4, 8)]
    got = b.labels.to_numpy()
    assert (got == lab[keep]).all() or (got == 1 - lab[keep]).all()


def test_blocs_bootstrap_needs_a_similarity_matrix():
    S, _ = _camps()
    with pytest.raises(ValueError, match="bootstrap needs a matrix from"):
        mp.blocs(RelationMatrix(S, list(range(2, 2 + len(S)))), bootstrap=10)
    votes = pd.DataFrame({"rcid": np.repeat(np.arange(6), 4), "ccode": [2, 20, 200, 365] * 6,
                          "year": 2001, "vote": np.random.default_rng(1).integers(1, 4, 24)})
    K = mp.similarity_matrix(votes, 2001, kind="unvote")
    assert K.replicates(5, seed=1).shape == (5, 4, 4)
    with pytest.raises(ValueError, match="COW actors"):
        K.to_codes("iso3").replicates(5)


def test_relation_matrix_counts_are_checked():
    with pytest.raises(ValueError, match="n must have the shape"):
        RelationMatrix(np.eye(2), [2, 20], n=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        RelationMatrix(np.eye(2), [2, 20], n=-np.ones((2, 2)))
    R = RelationMatrix(np.eye(2), [2, 20], n=[[1, np.nan], [3, 4]])
    assert not R.n.flags.writeable and np.isnan(R.n[0, 1])
    assert R.fillna(0).n is R.n or np.array_equal(R.fillna(0).n, R.n, equal_nan=True)
    assert RelationMatrix(np.eye(2), [2, 20]).n is None
