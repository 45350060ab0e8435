"""The README's notebook tour runs as written, on the shared datasets."""

from __future__ import annotations

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
    # the tour's claim: on 2015 UN-vote kappa, Russia is the most borderline state of a k=2 cut
    assert namespace["b"].margin.idxmin() == 365
