"""The sdist can test itself, its metadata is complete, and tqdm is optional."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

import multipolar as mp

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> tuple[set[str], email.message.Message]:
    """Build the sdist once (without build isolation: no download) and list its members."""
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("sdist")
    run = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out),
         str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (archive,) = out.glob("multipolar-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        info = tar.extractfile(f"{top}/PKG-INFO")
        assert info is not None
        meta = email.message_from_bytes(info.read())
    return {n.split("/", 1)[1] for n in names if "/" in n}, meta


def _source_files(folder: str, pattern: str = "*.py") -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / folder).rglob(pattern)
        if "__pycache__" not in p.parts
    }


def test_sdist_carries_the_test_suite(sdist):
    members, _ = sdist
    for must in ("tests/conftest.py", "tests/reference/__init__.py", "setup.py",
                 "pyproject.toml", "README.md", "LICENSE", "benchmarks/run.py",
                 "benchmarks/_timing.py"):
        assert must in members, must
    reference = _source_files("tests/reference")
    assert len(reference) >= 5
    for folder in ("tests", "benchmarks", "python/multipolar"):
        missing = _source_files(folder) - members
        assert not missing, f"{folder}: not in the sdist: {sorted(missing)}"
    missing = (_source_files("csrc", "*.c") | _source_files("csrc", "*.h")) - members
    assert not missing, f"C sources not in the sdist: {sorted(missing)}"
    assert any(m.startswith("tests/fuzz/") for m in members)
    # nothing built or cached slips in
    junk = [m for m in members if "__pycache__" in m or m.endswith((".pyc", ".so", ".o"))]
    assert not junk, junk


def test_sdist_metadata(sdist):
    _, meta = sdist
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    assert all(u.startswith("https://github.com/multipolar/multipolar") for u in urls.values())
    assert "GDELT" in meta["Keywords"].split(",")
    classifiers = set(meta.get_all("Classifier"))
    assert {"Programming Language :: C", "Topic :: Scientific/Engineering"} <= classifiers
    minor = int(declared["requires-python"].removeprefix(">=3."))
    assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert meta["License-Expression"] == declared["license"]
    # tqdm is an extra, not a requirement
    requires = meta.get_all("Requires-Dist")
    assert not any(r.startswith("tqdm") and "extra" not in r for r in requires)
    assert any(r.startswith("tqdm") and 'extra == "progress"' in r for r in requires)


def test_read_gdelt_without_tqdm(data_dir, monkeypatch, capsys):
    """Without tqdm the default shows nothing; progress=True prints one line per file."""
    files = sorted((data_dir / "gdelt").glob("*.export.CSV"))
    files = [files[0], files[0]]
    with_tqdm = mp.read_gdelt(files, progress=False)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    capsys.readouterr()
    quiet = mp.read_gdelt(files)
    assert capsys.readouterr().err == ""
    shown = mp.read_gdelt(files, progress=True)
    err = capsys.readouterr().err.splitlines()
    assert err == ["read_gdelt: 1/2 files", "read_gdelt: 2/2 files"]
    assert quiet.equals(with_tqdm) and shown.equals(with_tqdm)
