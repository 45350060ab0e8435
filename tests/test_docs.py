"""The Examples sections of the installed package's docstrings run and give what they show;
every public name is the object its defining module exports, and is documented."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import multipolar

# every module of the package, subpackages included (relations, similarity and codes
# may be packages), except private modules and the command-line entry point
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(multipolar.__path__, "multipolar.")
    if not any(part.startswith("_") for part in m.name.split(".")[1:])
)


def test_walk_finds_the_families():
    assert {"multipolar.power", "multipolar.gdelt", "multipolar.projection"} <= set(MODULES)


@pytest.mark.parametrize("name", ["multipolar", *MODULES])
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write here
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize("name", sorted(multipolar._EXPORTS))
def test_every_public_name_resolves(name):
    """Each public name is the very object of the module ``_EXPORTS`` says defines it,
    and is documented: functions and classes by their own docstring, data objects by
    a documented class and a place in their module's ``__all__``."""
    module = importlib.import_module(f"multipolar.{multipolar._EXPORTS[name]}")
    obj = getattr(multipolar, name)
    assert obj is getattr(module, name), f"multipolar.{name} is not {module.__name__}.{name}"
    assert name in dir(multipolar)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
        assert doc and doc.strip(), f"multipolar.{name} has no docstring"
    else:
        assert type(obj).__module__.startswith("multipolar") or type(obj) in (dict, tuple, list)
        assert name in getattr(module, "__all__", ()), f"{name} is not in {module.__name__}.__all__"
        if type(obj).__module__.startswith("multipolar"):
            assert type(obj).__doc__ and type(obj).__doc__.strip()


def test_public_surface():
    assert multipolar.__all__ == [*sorted(multipolar._EXPORTS), "__version__"]
    assert callable(multipolar.similarity)  # the function, not the submodule of that name
    assert multipolar.similarity is importlib.import_module("multipolar.similarity").similarity
    assert multipolar.NATO.name == "NATO" and "project" in dir(multipolar.distributed)
    with pytest.raises(AttributeError):
        multipolar.no_such_name  # noqa: B018
