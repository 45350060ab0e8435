"""Result objects explain themselves (repr, notebook HTML, frames) and charts read well
(whole-year ticks, labelled axes, legends with state names, history before a fan)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar.datasets import demo_majors, demo_world

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# COW ccodes with well-known abbreviations: two camps and one state between them.
WEST = [2, 200, 220, 255, 325]  # USA, UKG, FRN, GMY, ITA
EAST = [365, 710, 750, 560]  # RUS, CHN, IND, SAF
SWING = 640  # TUR


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _camps() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    actors = WEST + EAST + [SWING]
    side = {a: 0 for a in WEST} | {a: 1 for a in EAST}
    n = len(actors)
    S = np.empty((n, n))
    for i, a in enumerate(actors):
        for j, b in enumerate(actors):
            if SWING in (a, b):
                S[i, j] = 0.2
            else:
                S[i, j] = 0.8 if side[a] == side[b] else -0.4
    S += rng.normal(0, 0.02, (n, n))
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    return pd.DataFrame(S, index=actors, columns=actors)


def _integer_ticks(ax) -> bool:
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    return bool(ticks) and all(float(t).is_integer() for t in ticks)


def _projection(years: int = 6):
    world = demo_world()
    return world, mp.project(world, among=demo_majors(), years=years, paths=2000, seed=7)


def test_blocs_repr_names_members_and_borderline():
    b = mp.blocs(_camps(), k=2, borderline=0.3)
    assert SWING in b.borderline
    text = repr(b)
    sizes = b.labels.value_counts()
    assert f"2 blocs of {len(b.labels)} states" in text
    for bloc, size in sizes.items():
        assert f"bloc {bloc} ({size} states)" in text
    # names, not codes: the firmest members and the borderline state
    assert "USA" in text and "RUS" in text
    assert f"borderline ({len(b.borderline)}): " in text and "TUR" in text
    html = b._repr_html_()
    assert html.startswith("<table>") and "TUR" in html and "USA" in html
    frame = b.to_frame()
    assert len(frame) == len(b.labels)
    pd.testing.assert_series_equal(frame["margin"], b.margin, check_names=False)


def test_blocs_plot_bars_per_state_and_legend_per_bloc():
    b = mp.blocs(_camps(), k=2)
    ax = b.plot()
    assert sum(len(c.patches) for c in ax.containers) == len(b.labels)
    assert len(ax.get_legend().get_texts()) == 2
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert "TUR" in [t.get_text() for t in ax.get_yticklabels()]


def test_repr_html_escapes_text():
    df = _camps()
    df.index = df.columns = [f"<s{i}>" for i in range(len(df))]
    b = mp.blocs(df, k=2)
    html = b._repr_html_()
    assert "<s0>" not in html and "&lt;s0&gt;" in html


def test_projection_repr_horizon_and_leader():
    world, P = _projection()
    text = repr(P)
    assert f"{P.years[0]}-{P.years[-1]}" in text
    assert f"{len(P.years)} years after {P.start_year}" in text
    assert "2,000" in text
    med = P.shares([0.5])["q50"].xs(P.years[-1], level="year")
    assert f"leading in {P.years[-1]}: {int(med.idxmax())}" in text
    pol = P.polarity().loc[P.years[-1]]
    assert f"likeliest polarity in {P.years[-1]}: {pol.idxmax()}" in text
    assert "<table>" in P._repr_html_()
    frame = P.to_frame()
    assert frame.index.tolist() == P.years.tolist()
    np.testing.assert_allclose(frame["p_bipolar"], P.polarity()["bipolar"])


def test_projection_plot_integer_ticks_history_and_legend():
    world, P = _projection(years=4)  # a short horizon: matplotlib's default puts half years here
    ax = P.plot()
    assert _integer_ticks(ax)
    assert ax.get_xlabel() == "year" and "share" in ax.get_ylabel() and ax.get_title()
    ax2 = P.plot(history=world)
    assert _integer_ticks(ax2)
    n = len(P.among)
    legend = [t.get_text() for t in ax2.get_legend().get_texts()]
    assert len(legend) == n
    # one observed line and one median line per state
    data_lines = [ln for ln in ax2.lines if len(ln.get_xdata()) > 2]
    assert len(data_lines) == 2 * n
    history = [ln for ln in data_lines if np.min(ln.get_xdata()) < P.start_year]
    assert len(history) == n
    # the history line is the observed share among the set (plain pandas)
    sub = world[world.ccode.isin(P.among) & (world.year <= P.start_year)]
    wide = sub.pivot(index="year", columns="ccode", values="cinc")
    share = wide.div(wide.sum(axis=1), axis=0)
    first = history[0]
    code = P.among[0]
    np.testing.assert_allclose(first.get_ydata(), share[code].to_numpy())
    assert np.max(first.get_xdata()) == P.start_year
    with pytest.raises(ValueError, match="history lacks"):
        P.plot(history=world.drop(columns="cinc"))


def test_backtest_repr_and_frame():
    bt = mp.backtest(demo_world(), among=demo_majors(), origins=[2020, 2025], horizon=5,
                     paths=1000, seed=1)
    text = repr(bt)
    allrow = bt.coverage.loc["all"]
    assert f"state-years compared: {int(allrow['n'])}" in text
    assert f"{float(allrow['cover_90']):.2f}" in text
    assert bt.to_frame() is bt.coverage
    assert "<table>" in bt._repr_html_()
    ax = bt.plot()
    assert len(ax.get_legend().get_texts()) == 2 and _integer_ticks(ax)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), bt.coverage["cover_50"].iloc[:-1])


def _scores():
    con = pd.Series([0.30, 0.33, 0.37, 0.41], index=[2020, 2021, 2022, 2023])
    up = mp.Scenario("hegemony", expects={"con": mp.Direction("up", p=0.8)})
    down = mp.Scenario("diffusion", expects={"con": mp.Direction("down", p=0.8)})
    return mp.score_scenarios([up, down], [mp.Indicator("con", con)])


def test_scenario_scores_repr_leading_scenario():
    res = _scores()
    last = res.posterior.iloc[-1]
    assert last.idxmax() == "hegemony"
    text = repr(res)
    assert f"leading in 2023: hegemony (p = {last.max():.2f})" in text
    assert "scenarios: 2" in text and "2020-2023 (4)" in text
    frame = res.to_frame()
    assert len(frame) == res.posterior.size
    assert frame.loc[(2023, "diffusion"), "posterior"] == last["diffusion"]
    assert "hegemony" in res._repr_html_()
    ax = res.plot()
    assert len(ax.lines) == 2 and _integer_ticks(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hegemony", "diffusion"]
    assert ax.get_ylabel() and ax.get_title()


def test_ach_repr_frame_plot():
    L = np.array([[0.9, 0.2], [0.3, 0.6], [0.5, 0.5]])
    res = mp.compete(["rise", "decline"], ["e1", "e2", "e3"], L)
    final = res.posterior.iloc[-1]
    text = repr(res)
    assert f"leading (posterior): {final.idxmax()}" in text
    assert "hypotheses: 2" in text and "evidence items: 3" in text
    assert "non-diagnostic evidence (1): e3" in text
    frame = res.to_frame()
    assert frame.index.tolist() == ["rise", "decline"]
    np.testing.assert_allclose(frame["posterior"], final)
    ax = res.plot()
    assert len(ax.lines) == 2 and len(ax.get_xticks()) == len(res.posterior)
    assert "decline" in res._repr_html_()


def test_blocs_over_time_repr_and_frame():
    from test_realign import _bloc_sim

    bt = mp.blocs_over_time(_bloc_sim(), k=2)
    text = repr(bt)
    assert f"switches: {len(bt.switchers)}" in text and "blocs: 2" in text
    frame = bt.to_frame()
    assert len(frame) == int(bt.labels.notna().to_numpy().sum())
    row = frame.iloc[0]
    assert bt.labels.loc[row.ccode, row.year] == row.bloc
    assert "<table>" in bt._repr_html_()


def test_changepoints_html_and_integer_ticks():
    s = pd.Series(np.r_[np.zeros(4), np.ones(4)] + np.arange(8) % 2 * 0.05,
                  index=pd.Index(np.arange(2010, 2018), name="year"))
    cp = mp.changepoints(s, min_size=2)
    html = cp._repr_html_()
    assert "<table>" in html and f"<td style='text-align:left'>{len(cp.breaks)}</td>" in html
    ax = cp.plot()
    assert _integer_ticks(ax)


def test_share_and_concentration_charts_whole_years():
    world = demo_world()
    short = world[world.year.between(2015, 2018)]
    ax = mp.plot.plot_shares(short, among=demo_majors())
    assert _integer_ticks(ax) and ax.get_xlabel() == "year" and ax.get_ylabel()
    conc = mp.concentration(short, among=demo_majors())
    ax = mp.plot.plot_concentration(conc)
    assert _integer_ticks(ax)
