"""The ``multipolar`` command, and the charts it writes."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar.__main__ import main
from multipolar.datasets import demo_majors, demo_world

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NMC6 = DATA / "cow_nmc" / "NMC-60-abridged.csv"
NMC7 = DATA / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LABELS = ("unipolar", "bipolar", "multipolar")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def report_rows(text: str) -> dict[int, list[str]]:
    """Table rows of a report, keyed by year."""
    rows = {}
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0].isdigit() and len(fields[0]) == 4:
            rows[int(fields[0])] = fields
    return rows


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return (out, *run(["demo", "--out", str(out)]))


@pytest.fixture(scope="module")
def power_run(tmp_path_factory):
    assert NMC6.is_file(), f"shared test data missing: {NMC6}"
    out = tmp_path_factory.mktemp("power")
    return (out, *run(["power", "--nmc", str(NMC6), "--out", str(out)]))


# --------------------------------------------------------------------------- demo


def test_demo_exits_0_and_writes_png(demo_run):
    out, rc, stdout, stderr = demo_run
    assert rc == 0, stderr
    png = out / "multipolar_demo_power.png"
    assert png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert str(png.resolve()) in stdout
    assert stderr == ""


def test_demo_says_synthetic_and_reports_polarity(demo_run):
    _, _, stdout, _ = demo_run
    head = stdout.splitlines()[0]
    assert "SYNTHETIC" in head and "not real data" in head
    rows = report_rows(stdout)
    assert sorted(rows) == list(range(1950, 2041, 10))
    assert rows[1950][1] == "VLD" and rows[2040][1] == "KSH"
    assert {r[6] for r in rows.values()} == set(LABELS)
    assert "Transition: KSH overtakes VLD in" in stdout


def test_demo_outlook_matches_project(demo_run):
    _, _, stdout, _ = demo_run
    assert "Outlook: Monte Carlo projection, 20,000 paths" in stdout
    rows = {}
    for ln in stdout.splitlines():
        if ln.startswith("  in "):
            year, rest = ln[5:].split(":", 1)
            rows[int(year)] = [float(part.split()[-1]) for part in rest.split(",")]
    assert sorted(rows) == [2050, 2060]
    from multipolar.datasets import demo_majors, demo_world

    world = demo_world()
    frame = world[world["ccode"].isin(demo_majors())]
    probs = mp.project(frame, years=20, paths=20_000, window=(2015, 2040),
                       among=list(demo_majors()), seed=2026,
                       pairs=[(1001, 1002)]).polarity()
    for year, got in rows.items():
        np.testing.assert_allclose(got, probs.loc[year].to_numpy(), atol=5e-4)
        assert abs(sum(got) - 1) < 2e-3


def test_demo_report_columns_are_aligned(demo_run):
    _, _, stdout, _ = demo_run
    lines = [ln for ln in stdout.splitlines() if ln[:4].isdigit()]
    header = next(ln for ln in stdout.splitlines() if ln.startswith("year"))
    for col in ("share", "CON", "n_eff", "poles"):
        end = header.index(col) + len(col)
        assert all(ln[end - 1] != " " and ln[end] == " " for ln in lines), col


def test_demo_seed_and_no_plot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, stdout, _ = run(["demo", "--seed", "7", "--no-plot"])
    assert rc == 0
    assert "seed 7" in stdout
    assert list(tmp_path.iterdir()) == []
    assert run(["demo", "--seed", "7", "--no-plot"])[1] == stdout


def test_demo_polarity_rule_options():
    rc, stdout, _ = run(["demo", "--no-plot", "--threshold", "0.6"])
    assert rc == 0
    assert "share >= 0.6" in stdout
    assert {r[6] for r in report_rows(stdout).values()} == {"unipolar"}
    rc, stdout, _ = run(["demo", "--no-plot", "--unipolar", "0.45"])
    assert rc == 0
    assert "unipolar also when the leader holds >= 0.45" in stdout
    assert report_rows(stdout)[1990][6] == "unipolar"


def test_python_m_multipolar_demo(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "multipolar", "demo", "--no-plot"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "not real data" in proc.stdout
    assert any(label in proc.stdout for label in LABELS)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- power


def test_power_on_nmc_v6(power_run):
    out, rc, stdout, stderr = power_run
    assert rc == 0, stderr
    assert (out / "multipolar_power.png").read_bytes()[:8] == PNG_MAGIC
    rows = report_rows(stdout)
    assert min(rows) == 1816 and max(rows) == 2016
    assert rows[2016][1] == "CHN"
    assert rows[1816][1] == "UKG"
    assert rows[2016][6] in LABELS
    assert "Transition: CHN overtakes USA in" in stdout


def test_power_v7_without_stateabb_all_states(tmp_path):
    assert NMC7.is_file(), f"shared test data missing: {NMC7}"
    rc, stdout, stderr = run(["power", "--nmc", str(NMC7), "--among", "all", "--no-plot"])
    assert rc == 0, stderr
    rows = report_rows(stdout)
    assert max(rows) == 2022
    assert rows[2022][1] == "CHN"
    assert "all states" in stdout


def test_power_missing_file_exits_2(tmp_path):
    missing = tmp_path / "nope.csv"
    rc, stdout, stderr = run(["power", "--nmc", str(missing), "--out", str(tmp_path)])
    assert rc == 2
    assert stdout == ""
    assert stderr.startswith("multipolar power: --nmc file not found")
    assert str(missing) in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "content",
    [
        "just some text\nnot a table\n",
        "ccode,year,milex\n2,2000,1\n",
        "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc\nUSA,2,2000,x,1,1,1,1,1,1\n",
    ],
    ids=["not-csv", "missing-columns", "text-in-component"],
)
def test_power_bad_file_exits_2(tmp_path, content):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    rc, _, stderr = run(["power", "--nmc", str(bad), "--no-plot"])
    assert rc == 2
    assert stderr.startswith(
        f"multipolar power: --nmc is not a readable NMC file; got {str(bad)!r}"
    )
    assert stderr.count("\n") == 1


def test_out_that_is_a_file_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    rc, _, stderr = run(["demo", "--out", str(blocker)])
    assert rc == 2
    assert "--out" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["power"],
        ["demo", "--seed", "x"],
        ["demo", "--seed", "-1"],
        ["demo", "--threshold", "0"],
        ["demo", "--unipolar", "1.5"],
    ],
)
def test_usage_errors_exit_2(argv):
    rc, _, stderr = run(argv)
    assert rc == 2
    assert "usage: multipolar" in stderr


def test_help_exits_0():
    rc, stdout, _ = run(["demo", "--help"])
    assert rc == 0
    assert "synthetic" in stdout


# --------------------------------------------------------------------------- charts


def test_plot_functions_return_axes_and_figure(tmp_path):
    from matplotlib.figure import Figure
    from multipolar.plot import plot_concentration, plot_shares, power_chart
    from multipolar.power import concentration

    world = demo_world(1990, 2000)
    majors = world[world["ccode"].isin(demo_majors())]
    fig = Figure()
    ax1, ax2 = fig.subplots(2)
    assert plot_shares(world, among=demo_majors(), top=3, ax=ax1, kind="stack") is ax1
    labels = [t.get_text() for t in ax1.get_legend().get_texts()]
    assert labels == ["VLD", "KSH", "MRD", "others (2)"]
    assert plot_concentration(concentration(majors), columns=("con", "gini"), ax=ax2) is ax2
    chart = power_chart(majors, tmp_path / "c.png", title="t")
    assert isinstance(chart, Figure) and len(chart.axes) == 3
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_argument_errors():
    from multipolar.plot import plot_concentration, plot_shares

    world = demo_world(2000, 2001)
    with pytest.raises(ValueError, match="plot_shares: top must be an int >= 1; got 0"):
        plot_shares(world, top=0)
    with pytest.raises(ValueError, match="plot_shares: kind must be 'line' or 'stack'; got 'pie'"):
        plot_shares(world, kind="pie")
    with pytest.raises(ValueError, match="plot_concentration: conc_frame is missing column"):
        plot_concentration(pd.DataFrame({"con": [0.1]}), columns=("con", "n_eff"))


def test_missing_matplotlib_message(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    from multipolar.plot import plot_shares

    with pytest.raises(
        ImportError, match=r"plotting needs matplotlib: pip install 'multipolar\[plot\]'"
    ):
        plot_shares(demo_world(2000, 2001))
    rc, stdout, stderr = run(["demo", "--out", str(tmp_path)])
    assert rc == 2
    assert "not real data" in stdout
    assert "plotting needs matplotlib" in stderr
