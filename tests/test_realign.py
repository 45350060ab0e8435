"""Realignment tables and blocs over time: against plain pandas/NumPy computations and the
per-year blocs, on synthetic data and on the real UN votes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp

from reference.changepoints import optimal_partition, sigma2


def _sim(seed=0, states=(2, 20, 200, 220, 365, 710), years=range(1970, 2010)):
    """Directed similarity frame, both orders equal; 365-710 jumps up in 1990, 2-365 down
    in 1985; n is the number of common roll calls."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for i, a in enumerate(states):
            for b in states[i + 1:]:
                v = 0.2
                if {a, b} == {365, 710}:
                    v = 0.0 if y < 1990 else 0.7
                if {a, b} == {2, 365}:
                    v = 0.5 if y < 1985 else -0.3
                v += rng.normal(0, 0.05)
                n = int(rng.integers(20, 90))
                rows += [(a, b, y, v, n), (b, a, y, v, n)]
    return pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "kappa", "n"])


def test_realignments_ranked_filtered_and_oriented():
    sim = _sim()
    r = mp.realignments(sim)
    shifts = np.abs(r.breaks["shift"].to_numpy())
    assert (np.diff(shifts) <= 0).all()
    top = r.breaks.iloc[:2]
    assert sorted(map(tuple, top[["ccode1", "ccode2", "year"]].to_numpy().tolist())) == \
        [(2, 365, 1985), (365, 710, 1990)]
    # state filter: the state is ccode1; partner filter; period filter
    rus = mp.realignments(sim, state="RUS")
    assert (rus.breaks["ccode1"] == 365).all()
    assert {tuple(x) for x in rus.breaks.iloc[:2][["ccode2", "year"]].to_numpy().tolist()} == \
        {(2, 1985), (710, 1990)}
    assert rus.info["series"] == 5
    pair = mp.realignments(sim, state=365, partner=2)
    assert pair.breaks[["ccode1", "ccode2", "year"]].iloc[0].tolist() == [365, 2, 1985]
    late = mp.realignments(sim, state=365, period=(1988, 2000))
    assert (late.breaks["year"].between(1988, 2000)).all() and len(late.breaks)
    # the evidence count: the roll calls behind each segment, summed by pandas
    g = sim[(sim.ccode1 == 365) & (sim.ccode2 == 710)].sort_values("year")
    row = mp.realignments(sim, state=365, partner=710).breaks
    row = row[row.year == 1990].iloc[0]
    seg_before = row.year - row.n_before
    assert row.evidence_before == g[g.year.between(seg_before, 1989)]["n"].sum()
    assert row.mean_before == pytest.approx(g[g.year.between(seg_before, 1989)]["kappa"].mean())


def test_realignments_directed_and_errors():
    sim = _sim()
    both = mp.realignments(sim, directed=True)
    one = mp.realignments(sim)
    assert both.info["series"] == 2 * one.info["series"]
    with pytest.raises(ValueError, match="missing column"):
        mp.realignments(sim, measure="s")
    with pytest.raises(TypeError, match="directed must be a bool"):
        mp.realignments(sim, directed="yes")
    with pytest.raises(ValueError, match="period"):
        mp.realignments(sim, period=(1990,))


def _bloc_sim(years=range(2000, 2008), switcher=50, switch_year=2004, seed=1):
    """Two blocs: states 2..48 step 2 (west) and 600..648 step 2 (east); `switcher` moves
    from west to east in switch_year."""
    rng = np.random.default_rng(seed)
    west = list(range(2, 50, 2)) + [switcher]
    east = list(range(600, 650, 2))
    states = west + east
    rows = []
    for y in years:
        side = {s: 0 for s in west} | {s: 1 for s in east}
        if y >= switch_year:
            side[switcher] = 1
        for a in states:
            for b in states:
                if a != b:
                    v = 0.8 if side[a] == side[b] else -0.4
                    rows.append((a, b, y, v + rng.normal(0, 0.05)))
    df = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "kappa"])
    # symmetric values
    sym = df.merge(df, left_on=["ccode1", "ccode2", "year"], right_on=["ccode2", "ccode1", "year"])
    df["kappa"] = (sym["kappa_x"].to_numpy() + sym["kappa_y"].to_numpy()) / 2
    return df


def test_blocs_over_time_matches_labels_and_finds_the_switcher():
    sim = _bloc_sim()
    bt = mp.blocs_over_time(sim, k=2)
    assert bt.years == list(range(2000, 2008))
    # labels follow the blocs: the west keeps one label in every year
    west = bt.labels.loc[list(range(2, 50, 2))]
    assert (west.nunique(axis=1) == 1).all() and west.nunique().eq(1).all()
    assert bt.switchers[["ccode", "year"]].to_numpy().tolist() == [[50, 2004]]
    sw = bt.switchers.iloc[0]
    assert sw["from"] == bt.labels.loc[2, 2003] and sw["to"] == bt.labels.loc[600, 2004]
    assert sw["margin_before"] == bt.margin.loc[50, 2003]
    # each year is the plain per-year partition up to a permutation of labels
    for y in bt.years:
        d = sim[sim.year == y].pivot(index="ccode1", columns="ccode2", values="kappa")
        d = d.reindex(index=d.index.union(d.columns), columns=d.index.union(d.columns))
        arr = d.to_numpy(copy=True)
        np.fill_diagonal(arr, 1.0)
        plain = mp.blocs(pd.DataFrame(arr, index=d.index, columns=d.columns), k=2).labels
        mine = bt.labels[y].reindex(plain.index)
        table = pd.crosstab(plain, mine)
        assert ((table > 0).sum(axis=1) == 1).all()  # a bijection of labels
        np.testing.assert_allclose(
            bt.margin[y].reindex(plain.index).to_numpy(),
            mp.blocs(pd.DataFrame(arr, index=d.index, columns=d.columns), k=2).margin.to_numpy(),
            rtol=1e-12)


def test_blocs_over_time_mapping_input_and_errors():
    sim = _bloc_sim(years=range(2000, 2003))
    mats = {}
    for y in (2000, 2001, 2002):
        d = sim[sim.year == y].pivot(index="ccode1", columns="ccode2", values="kappa")
        arr = d.to_numpy(copy=True)
        np.fill_diagonal(arr, 1.0)
        mats[y] = pd.DataFrame(arr, index=d.index, columns=d.columns)
    a = mp.blocs_over_time(mats, k=2)
    b = mp.blocs_over_time(sim, k=2)
    pd.testing.assert_frame_equal(a.labels, b.labels, check_dtype=False)
    with pytest.raises(ValueError, match="no rows for year"):
        mp.blocs_over_time(sim, years=[1999])
    with pytest.raises(ValueError, match="no matrix for year"):
        mp.blocs_over_time(mats, years=[1999])


def test_plots(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = mp.realignments(_sim(), state=365)
    ax = r.plot(365, 710)
    assert len(ax.lines) >= 2 and "365 - 710" in ax.get_title()
    bt = mp.blocs_over_time(_bloc_sim(years=range(2000, 2006)), k=2)
    ax2 = bt.plot()
    assert ax2.images and ax2.images[0].get_array().shape == bt.labels.shape
    ax2.figure.savefig(tmp_path / "blocs.png")
    plt.close("all")


# ---------------------------------------------------------------- real UN votes


@pytest.fixture(scope="module")
def kappa(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        votes = mp.read_unvotes(data_dir / "un_votes" / "voeten_UNVotesPublished.csv.gz")
    return mp.similarity(votes, kind="unvote", measures=("kappa",))


@pytest.mark.parametrize("partner", [710, 2])
def test_real_russia_realignments(kappa, partner):
    """Russia-China and Russia-USA: the breaks are the plain DP's (min_size 3, bic) and the
    segment means are pandas means of the years between them."""
    r = mp.realignments(kappa, state="RUS", partner=partner)
    g = kappa[(kappa.ccode1 == 365) & (kappa.ccode2 == partner)].dropna(subset=["kappa"])
    g = g.sort_values("year")
    x = g["kappa"].to_numpy()
    want = g["year"].to_numpy()[optimal_partition(x, 0, 2 * np.log(len(x)) * sigma2(x), 3)]
    got = r.breaks.sort_values("year")
    assert got["year"].tolist() == want.tolist()
    edges = [g.year.min(), *want, g.year.max() + 1]
    means = [g[(g.year >= a) & (g.year < b)]["kappa"].mean() for a, b in zip(edges, edges[1:])]
    np.testing.assert_allclose(got["mean_before"], means[:-1], rtol=1e-12)
    np.testing.assert_allclose(got["mean_after"], means[1:], rtol=1e-12)


def test_real_blocs_over_time(kappa):
    bt = mp.blocs_over_time(kappa, years=range(2010, 2016), k=2)
    # the USA and its closest allies keep one label; switchers change label between years
    assert bt.labels.loc[2].nunique() == 1 and bt.labels.loc[20].eq(bt.labels.loc[2]).all()
    for _, s in bt.switchers.iterrows():
        prev = bt.labels.loc[s.ccode, :s.year - 1].dropna()
        assert prev.iloc[-1] == s["from"] and bt.labels.loc[s.ccode, s.year] == s["to"]


def test_readme_realignments_table_is_what_the_code_prints(kappa):
    """The README's Russia-China and Russia-USA table: every row is a break the command
    finds, with the same year, means (2 decimals) and segment lengths, and none is missing."""
    from pathlib import Path
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Realignments"):text.index("## Layout")]
    partner = None
    rows = []
    for line in section.splitlines():
        m = re.match(r"\|\s*(?:Russia–\w+ \(365–(\d+)\))?\s*\|\s*(\d{4})\s*\|\s*(\S+) → (\S+)\s*\|"
                     r"\s*(\d+) / (\d+)", line)
        if m:
            partner = int(m.group(1)) if m.group(1) else partner
            num = lambda s: float(s.replace("−", "-"))
            rows.append((partner, int(m.group(2)), num(m.group(3)), num(m.group(4)),
                         int(m.group(5)), int(m.group(6))))
    assert {r[0] for r in rows} == {710, 2}
    for p in (710, 2):
        got = mp.realignments(kappa, state="RUS", partner=p).breaks.sort_values("year")
        want = [r[1:] for r in rows if r[0] == p]
        mine = [(int(r.year), round(r.mean_before, 2), round(r.mean_after, 2), int(r.n_before),
                 int(r.n_after)) for r in got.itertuples()]
        assert mine == [tuple(w) for w in want]
