"""The README's notebook tour runs as written, on the shared datasets."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tour_runs(data_dir, monkeypatch):
    text = README.read_text(encoding="utf-8")
    start = text.index("```python") + len("```python")
    code = text[start:text.index("```", start)]
    assert "mp.read_nmc" in code and "mp.similarity" in code
    monkeypatch.chdir(data_dir)  # the tour's paths are relative to ../shared/data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tour's readers report rows they leave out
        namespace: dict = {}
        exec(compile(code, str(README), "exec"), namespace)
    assert namespace["dep"]["share"].dropna().between(0, 1).all()
    # on 2015 UN-vote kappa, Russia sits near the boundary of a k=2 cut, and the constant
    # voters and Sao Tome (one vote) are set aside rather than placed by chance
    assert 365 in namespace["b"].margin.nsmallest(10).index
    assert 403 in namespace["b"].unassigned.index


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
