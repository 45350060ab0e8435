"""The Examples sections of the installed package's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import multipolar

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(multipolar.__path__, "multipolar.")
    if not m.name.startswith("multipolar._") and m.name != "multipolar.__main__"
)


@pytest.mark.parametrize("name", ["multipolar", *MODULES])
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write here
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_every_public_name_resolves():
    for name in multipolar.__all__:
        assert getattr(multipolar, name) is not None, name
    assert callable(multipolar.similarity)  # the function, not the submodule of that name
    assert multipolar.NATO.name == "NATO" and "project" in dir(multipolar.distributed)
