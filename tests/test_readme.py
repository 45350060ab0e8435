"""The README's notebook tour runs as written, on the shared datasets."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

README = Path(__file__).resolve().parents[1] / "README.md"


def _tour() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.index("## A tour from a notebook")
    start = text.index("```python", section) + len("```python")
    return text[start:text.index("```", start)]


def test_readme_tour_runs(data_dir, monkeypatch):
    """The tour block, executed whole, from the repository root, as a reader pastes it."""
    code = _tour()
    assert "mp.read_nmc" in code and "mp.similarity" in code
    root = README.parent
    # the paths in the tour are relative to the repository root, where the README sits
    assert (root / "../shared/data").resolve() == data_dir.resolve()
    monkeypatch.chdir(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tour's readers report rows they leave out
        namespace: dict = {}
        exec(compile(code, str(README), "exec"), namespace)
    assert namespace["dep"]["share"].dropna().between(0, 1).all()
    # on 2015 UN-vote kappa, Russia sits near the boundary of a k=2 cut, and the constant
    # voters and Sao Tome (one vote) are set aside rather than placed by chance
    assert 365 in namespace["b"].margin.nsmallest(10).index
    assert 403 in namespace["b"].unassigned.index
    # the GDELT file fed twice with dedupe counts its events once: the same matrix as a plain
    # pandas sum of the distinct events' decayed Goldstein scores
    ev = namespace["ev"]
    R = namespace["R"]
    assert R.duplicates_skipped == len(ev)
    once = ev.drop_duplicates("event_id").dropna(subset=["actor1", "actor2", "goldstein", "date"])
    h = pd.Timedelta("90D")
    w = once["goldstein"] * np.exp2(-(R.at - once["date"]) / h)
    ref = w.groupby([once["actor1"].astype(str), once["actor2"].astype(str)]).sum()
    got = R.to_frame(diagonal=True)
    got = got.set_index([got.columns[0], got.columns[1]])[got.columns[2]]
    got = got[got != 0]
    ref = ref[ref != 0]
    assert len(got) == len(ref)
    np.testing.assert_allclose(got.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-9)


def test_readme_tour_paths_start_at_the_root():
    """Every file the tour reads is named from the repository root and exists there."""
    code = _tour()
    paths = re.findall(r'"(\.\./shared/data/[^"]+)"', code)
    assert len(paths) == 4
    assert "chdir" not in code
    for p in paths:
        assert (README.parent / p).is_file(), p
    # each dataset folder the tour reads has its publisher named under the block
    after = README.read_text(encoding="utf-8").split(code, 1)[1][:1200]
    for folder, publisher in (("cow_nmc", "Correlates of War"), ("un_votes", "Voeten"),
                              ("gdelt", "GDELT Project"), ("cow_trade", "Correlates of War")):
        assert f"`{folder}/`" in after and publisher in after, folder


def _layout_names() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Layout"):text.index("## Data and licence")]
    names = set()
    for tok in re.findall(r"`([^`]+)`", section):
        for part in re.split(r"[ ,/()]+", tok):
            if re.fullmatch(r"[\w.]+\.(py|c|h|pyi)", part):
                names.add(part)
        if tok.endswith("/"):
            names.add(tok.rstrip("/").split(" ")[0])
    return names


def test_readme_layout_matches_the_tree():
    """Every file the Layout section names exists, and every C file and public module is named."""
    root = README.parent
    names = _layout_names()
    places = [root, root / "python" / "multipolar", root / "csrc", root / "tests", root / "benchmarks"]
    for name in names:
        assert any((p / name).exists() for p in places), f"README Layout names {name!r}: not found"
    c_files = {p.name for p in (root / "csrc").glob("*.c")}
    assert c_files <= names, f"C files missing from README Layout: {sorted(c_files - names)}"
    pkg = root / "python" / "multipolar"
    modules = {p.name for p in pkg.glob("*.py") if not p.name.startswith("__")}
    modules |= {p.name for p in pkg.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    missing = {m for m in modules if m not in names and m.removesuffix(".py") not in names}
    assert not missing, f"modules missing from README Layout: {sorted(missing)}"
