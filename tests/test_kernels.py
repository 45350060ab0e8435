"""The kernel harness: every kernel of the registry (``multipolar._kernels``) against
its slow twin (``tests/reference``) over dtypes, layouts and thread counts.

For each kernel a small case generator feeds the kernel (through ``_core`` where the
wrapper only normalises, through the public function otherwise) and the twin:
- every supported dtype (values float64/float32/int64/int32, codes int8..int64);
- layouts: contiguous, strided, reversed, read-only, byte-swapped (``_core`` rejects
  byte-swapped input with TypeError/ValueError or reads it correctly, never wrongly);
- thread counts 1, 2, 4: the result must match the twin (tolerance per kernel) and,
  where the registry promises it, be bitwise identical across thread counts.
For each threaded kernel one case is large enough that worker threads are really
started, shown by ``_core.threads_started()``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar import _core, _kernels

from conftest import LAYOUTS  # contiguous, strided, reversed, read-only, byte-swapped

ROOT = Path(__file__).resolve().parents[1]
THREADS = (1, 2, 4)
KERNELS = {k.name: k for k in _kernels.KERNELS}
REJECTED = (TypeError, ValueError)


def resolve(dotted: str):
    """The object a dotted name names: attributes first (``multipolar.similarity`` is the
    function the package exports), submodules where no attribute of that name exists."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    path = parts[0]
    for attr in parts[1:]:
        path = f"{path}.{attr}"
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            obj = importlib.import_module(path)
    return obj


def over_threads(fn, kernel: str | None):
    """fn() at 1, 2 and 4 threads; results bitwise equal where the registry promises it
    for ``kernel`` (None: no comparison). Returns the 1-thread result."""
    results = []
    for n in THREADS:
        with mp.num_threads(n):
            results.append(fn())
    if kernel is not None and KERNELS[kernel].deterministic:
        for r in results[1:]:
            assert_bitwise(r, results[0])
    return results[0]


def assert_bitwise(a, b) -> None:
    """Bitwise equality (NaN equal to NaN) of nested tuples/arrays/frames/scalars."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_bitwise(x, y)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    elif isinstance(a, np.ndarray) or b is None or a is None:
        if a is None or b is None:
            assert a is b
        else:
            np.testing.assert_array_equal(a, b, strict=True)
    else:
        assert a == b or (a != a and b != b), (a, b)


def threads_grew(fn, n: int) -> bool:
    before = _core.threads_started()
    with mp.num_threads(n):
        fn()
    return _core.threads_started() > before


def assert_threads_start(fn) -> None:
    """fn really starts worker threads at 2 and at 4 threads."""
    assert threads_grew(fn, 2), "no worker thread started at 2 threads"
    assert threads_grew(fn, 4), "no worker thread started at 4 threads"


# ---------------------------------------------------------------- the registry


def _core_kernels() -> set[str]:
    return {n for n in dir(_core) if not n.startswith("_") and callable(getattr(_core, n))}


def test_every_core_function_is_registered_and_every_kernel_exists():
    assert _core_kernels() - set(_kernels.RUNTIME) == set(KERNELS)
    assert set(_kernels.RUNTIME) <= _core_kernels()
    assert len(KERNELS) == len(_kernels.KERNELS), "a kernel is registered twice"


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_registry_entry_resolves(name):
    k = KERNELS[name]
    assert _kernels.by_name(name) is k
    assert (ROOT / k.benchmark).is_file(), k.benchmark
    assert callable(resolve(k.twin)), k.twin
    for w in k.wrappers:
        assert callable(resolve(w)), w
    for arg in k.args:
        assert all(np.dtype(d) for d in arg.dtypes)
    sig = inspect.signature(getattr(_core, name))
    assert [p for p in sig.parameters] == [a.name for a in k.args], "argument schema out of date"


def test_similarity_measure_ids_have_one_source():
    """Ids are positions in the C X-macro list; the registry, the wrapper and the twin
    read the same names in the same order."""
    from reference.similarity import MEASURES as twin_measures

    assert _kernels.SIMILARITY_MEASURES == tuple(_core.SIMILARITY_MEASURES)
    assert importlib.import_module("multipolar.similarity").MEASURES == _kernels.SIMILARITY_MEASURES
    assert tuple(twin_measures) == _kernels.SIMILARITY_MEASURES


def _benchmark_runner():
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("run")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_run_py_runs_every_registered_benchmark():
    runner = _benchmark_runner()
    run = {p.relative_to(ROOT).as_posix() for p in runner.families()}
    for k in _kernels.KERNELS:
        assert (ROOT / k.benchmark).is_file(), k.benchmark
        assert k.benchmark in run, f"benchmarks/run.py does not run {k.benchmark}"
        stem = Path(k.benchmark).stem
        assert [p.stem for p in runner.families([stem])] == [stem]


#: Modules a twin may import: the standard library and NumPy/pandas (anything not named
#: here or under multipolar is checked below), its own package, and the family tests'
#: plain models. From multipolar only the public package, to read inputs.
_TWIN_ALLOWED_MULTIPOLAR = {"multipolar"}


def _imports(tree):
    """(module, names) of every import statement anywhere in a module (nested ones too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, ()
        elif isinstance(node, ast.ImportFrom):
            mod = "." * node.level + (node.module or "")
            yield mod, tuple(a.name for a in node.names)


def _plain(test_file: Path, name: str, seen: set[str]) -> None:
    """The function ``name`` of a family test, and the module-level functions it calls,
    use nothing the test imported from multipolar."""
    tree = ast.parse(test_file.read_text())
    banned = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            banned |= {(a.asname or a.name).split(".")[0] for a in node.names
                       if a.name.split(".")[0] == "multipolar"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("multipolar"):
            banned |= {a.asname or a.name for a in node.names}
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    todo = [name]
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        used = {n.id for n in ast.walk(funcs[fn]) if isinstance(n, ast.Name)}
        assert not used & banned, f"{test_file.name}:{fn} uses {sorted(used & banned)}"
        todo += sorted(used & set(funcs))


def test_twins_are_independent_of_the_kernels():
    """No twin imports multipolar._core or the wrappers' internals, directly, through a
    family test's helper, or by name (importlib)."""
    twins = sorted((ROOT / "tests" / "reference").glob("*.py"))
    assert {p.stem for p in twins} >= {k.twin.split(".")[1] for k in _kernels.KERNELS}
    for path in twins:
        text = path.read_text()
        tree = ast.parse(text)
        # names handed to a call (importlib.import_module, __import__, getattr)
        strings = [a.value for n in ast.walk(tree) if isinstance(n, ast.Call) for a in n.args
                   if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        assert not any(s.startswith("multipolar.") or s == "_core" for s in strings), path.name
        for mod, names in _imports(tree):
            top = mod.split(".")[0]
            if mod.startswith("."):
                continue
            if top == "multipolar":
                assert mod in _TWIN_ALLOWED_MULTIPOLAR, f"{path.name} imports {mod}"
                assert not any(n.startswith("_") for n in names), f"{path.name}: {names}"
            elif top.startswith("test_"):
                for n in names:
                    _plain(ROOT / "tests" / f"{top}.py", n, set())
            else:
                assert top in {"__future__", "math", "datetime", "numpy", "pandas", "importlib",
                               "itertools", "collections", "functools", "typing"}, \
                    f"{path.name} imports {mod}"


# ---------------------------------------------------------------- power


def _power_case(vdtype: str, cdtype: str, n: int = 300, ngroups: int = 7, seed: int = 0):
    rng = np.random.default_rng(seed)
    vals = rng.gamma(1.0, 50.0, n)
    vals[rng.random(n) < 0.05] = 0.0
    if np.dtype(vdtype).kind == "f":
        vals[rng.random(n) < 0.1] = np.nan
    vals = vals.astype(vdtype) if np.dtype(vdtype).kind == "f" else np.round(vals).astype(vdtype)
    codes = rng.integers(0, ngroups - 1, n).astype(cdtype)  # the last group stays empty
    return vals, codes, ngroups


@pytest.mark.parametrize("cdtype", _kernels.CODE_DTYPES)
@pytest.mark.parametrize("vdtype", _kernels.VALUE_DTYPES)
def test_group_shares(vdtype, cdtype):
    from reference.power import group_shares as twin

    vals, codes, ng = _power_case(vdtype, cdtype)
    other = vals[::-1].copy()
    want = twin((vals, other), codes, ng)
    for name, lay in LAYOUTS.items():
        args = ((lay(vals), lay(other)), lay(codes), ng)
        if name == "byteswapped":
            _rejected_or_equal(lambda: _core.group_shares(*args), want, 1e-12)
            continue
        got = over_threads(lambda: _core.group_shares(*args), "group_shares")
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=name)


@pytest.mark.parametrize("cdtype", _kernels.CODE_DTYPES)
@pytest.mark.parametrize("vdtype", _kernels.VALUE_DTYPES)
def test_group_concentration(vdtype, cdtype):
    from reference.power import group_concentration as twin

    vals, codes, ng = _power_case(vdtype, cdtype, seed=1)
    want = twin(vals, codes, ng)
    for name, lay in LAYOUTS.items():
        args = (lay(vals), lay(codes), ng)
        if name == "byteswapped":
            _rejected_or_equal(lambda: _core.group_concentration(*args), want, 1e-12)
            continue
        got = over_threads(lambda: _core.group_concentration(*args), "group_concentration")
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=name)


def _rejected_or_equal(call, want, rtol) -> None:
    try:
        got = call()
    except REJECTED:
        return
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-15)


def test_power_kernels_start_threads():
    rng = np.random.default_rng(2)
    n = 1 << 22  # 4 blocks of the totals pass; 1024 groups for the concentration tasks
    vals = rng.gamma(1.0, 1.0, n)
    codes = rng.integers(0, 1024, n).astype(np.int16)
    shares = lambda: _core.group_shares((vals,), codes, 1024)
    conc = lambda: _core.group_concentration(vals, codes, 1024)
    assert_threads_start(shares)
    assert_threads_start(conc)
    over_threads(shares, "group_shares")
    over_threads(conc, "group_concentration")


def test_first_duplicate():
    from reference.validation import first_duplicate as twin

    rng = np.random.default_rng(3)
    for n, hi in ((0, 5), (1, 5), (50, 5), (400, 1000), (30, 1 << 40)):
        a = rng.integers(0, hi, n).astype(np.int64)
        b = rng.integers(-3, 3, n).astype(np.int64)
        want = twin(a, b)
        for name, lay in LAYOUTS.items():
            args = (lay(a), lay(b))
            try:
                got = _core.first_duplicate(*args)
            except REJECTED:
                assert name == "byteswapped"
                continue
            assert got in (want, -2), (n, name, got, want)


# ---------------------------------------------------------------- similarity


def _votes(seed: int, years=(1990, 1991), states=12, calls=9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for r in range(calls):
            for c in range(states):
                rows.append((y * 100 + r, 2 + 10 * c, y, rng.choice([1, 1, 2, 3, 8, 9])))
    return pd.DataFrame(rows, columns=["rcid", "ccode", "year", "vote"])


SIM_MEASURES = ("s", "s_sq", "kappa", "pi", "taub")


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "float64"])
def test_similarity_years(dtype):
    from reference.similarity import similarity_years as twin

    votes = _votes(4)
    want = twin(votes, "unvote", SIM_MEASURES)
    shuffled = votes.sample(frac=1.0, random_state=1).reset_index(drop=True)
    data = shuffled.astype({"vote": dtype, "ccode": dtype if dtype != "int8" else "int16"})

    def run():
        out = mp.similarity(data, kind="unvote", measures=SIM_MEASURES)
        return out.sort_values(["year", "ccode1", "ccode2"], kind="stable").reset_index(drop=True)

    got = over_threads(run, "similarity_years")
    assert got[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist() == \
        want[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
    for m in SIM_MEASURES:
        np.testing.assert_allclose(got[m].to_numpy(float), want[m].to_numpy(float),
                                   rtol=1e-12, atol=1e-12, err_msg=m)


def test_similarity_starts_threads():
    votes = _votes(5, years=tuple(range(1960, 1968)), states=40, calls=30)
    assert_threads_start(lambda: mp.similarity(votes, kind="unvote", measures=("kappa",)))


# ---------------------------------------------------------------- relations


NAT = np.iinfo(np.int64).min


def _event_case(wdtype: str, cdtype: str, n: int = 400, nactors: int = 6, seed: int = 0):
    """Codes with missing (-1) entries, a map with one actor outside (-1), NaT and NaN rows."""
    rng = np.random.default_rng(seed)
    ncodes = nactors + 1
    code1 = rng.integers(-1, ncodes, n).astype(cdtype)
    code2 = rng.integers(-1, ncodes, n).astype(cdtype)
    mp_ = np.arange(ncodes, dtype=np.int64)
    mp_[3] = -1
    mp_[4:] -= 1
    w = rng.uniform(-10, 10, n)
    if np.dtype(wdtype).kind == "f":
        w[rng.random(n) < 0.05] = np.nan
    w = w.astype(wdtype) if np.dtype(wdtype).kind == "f" else np.round(w).astype(wdtype)
    day = 1000
    t = rng.integers(0, 40, n).astype(np.int64) * day + rng.integers(0, 3, n) * 17
    t[rng.random(n) < 0.05] = NAT
    quad = rng.integers(1, 5, n).astype(np.int8)
    return dict(code1=code1, map1=mp_, code2=code2, map2=mp_.copy(), weight=w, time=t,
                quad=quad, nactors=nactors, day=day)


@pytest.mark.parametrize("cdtype", _kernels.CODE_DTYPES)
@pytest.mark.parametrize("wdtype", _kernels.VALUE_DTYPES)
def test_decay_accumulate(wdtype, cdtype):
    from reference.relations import decay_accumulate as twin

    c = _event_case(wdtype, cdtype)
    N = c["nactors"]
    for at, half in ((None, 5500.0), (30_000, 3000.0), (None, np.inf)):
        want, wq, wused, wcounts, wat = twin(N, c["code1"], c["map1"], c["code2"], c["map2"],
                                            c["weight"], c["time"], c["quad"], at, half)
        for name, lay in LAYOUTS.items():
            cols = {k: lay(c[k]) for k in ("code1", "code2", "weight", "time", "quad")}

            def run():
                out, qout, used = np.zeros((N, N)), np.zeros((4, N, N)), np.zeros(N, np.uint8)
                counts, latest = _core.decay_accumulate(
                    out, qout, cols["code1"], c["map1"], cols["code2"], c["map2"],
                    cols["weight"], cols["time"], cols["quad"], used, at, c["day"], half)
                return out, qout, used, tuple(counts), latest

            if name == "byteswapped":
                with pytest.raises(REJECTED):
                    run()
                continue
            out, qout, used, counts, latest = over_threads(run, "decay_accumulate")
            scale = max(np.abs(want).max(), 1e-300)
            assert np.abs(out - want).max() <= 1e-12 * scale, name
            np.testing.assert_allclose(qout, wq, rtol=1e-12, atol=1e-12 * wq.max())
            np.testing.assert_array_equal(used.astype(bool), wused)
            assert counts == wcounts and latest == wat, name


@pytest.mark.parametrize("cdtype", _kernels.CODE_DTYPES)
@pytest.mark.parametrize("wdtype", _kernels.VALUE_DTYPES)
def test_bin_accumulate(wdtype, cdtype):
    from reference.relations import bin_accumulate as twin

    c = _event_case(wdtype, cdtype, seed=1)
    N = c["nactors"]
    edges = np.array([0, 5000, 12_000, 12_001, 30_000], np.int64)
    nb = len(edges) - 1
    want, wused, wcounts = twin(nb, N, c["code1"], c["map1"], c["code2"], c["map2"],
                                c["weight"], c["time"], edges)
    for name, lay in LAYOUTS.items():
        cols = {k: lay(c[k]) for k in ("code1", "code2", "weight", "time")}

        def run():
            out, used = np.zeros((nb, N, N)), np.zeros(N, np.uint8)
            counts = _core.bin_accumulate(out, cols["code1"], c["map1"], cols["code2"], c["map2"],
                                          cols["weight"], cols["time"], lay(edges), used)
            return out, used, tuple(counts)

        if name == "byteswapped":
            with pytest.raises(REJECTED):
                run()
            continue
        out, used, counts = over_threads(run, "bin_accumulate")
        np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_array_equal(used.astype(bool), wused)
        assert counts == wcounts, name


def _big_events(n=(1 << 21) + 5, nactors=40, seed=7):
    rng = np.random.default_rng(seed)
    code1 = rng.integers(0, nactors, n).astype(np.int8)
    code2 = rng.integers(0, nactors, n).astype(np.int8)
    w = rng.uniform(-10, 10, n)
    t = rng.integers(0, 3650, n).astype(np.int64) * 86_400
    return code1, code2, np.arange(nactors, dtype=np.int64), w, t, nactors


def test_decay_accumulate_starts_threads():
    code1, code2, amap, w, t, N = _big_events()
    run = lambda: _core.decay_accumulate(np.zeros((N, N)), None, code1, amap, code2, amap, w, t,
                                         None, None, None, 86_400, 30 * 86_400.0)
    assert_threads_start(run)


def test_decay_accumulate_bitwise_across_threads():
    code1, code2, amap, w, t, N = _big_events()

    def run():
        out = np.zeros((N, N))
        _core.decay_accumulate(out, None, code1, amap, code2, amap, w, t, None, None, None,
                               86_400, 30 * 86_400.0)
        return out

    over_threads(run, "decay_accumulate")


def test_bin_accumulate_starts_threads():
    code1, code2, amap, w, t, N = _big_events()
    edges = np.arange(0, 3651 * 86_400, 365 * 86_400, dtype=np.int64)
    run = lambda: _core.bin_accumulate(np.zeros((len(edges) - 1, N, N)), code1, amap, code2, amap,
                                       w, t, edges, None)
    assert_threads_start(run)


def test_bin_accumulate_bitwise_across_threads():
    code1, code2, amap, w, t, N = _big_events()
    edges = np.arange(0, 3651 * 86_400, 365 * 86_400, dtype=np.int64)

    def run():
        out = np.zeros((len(edges) - 1, N, N))
        _core.bin_accumulate(out, code1, amap, code2, amap, w, t, edges, None)
        return out

    over_threads(run, "bin_accumulate")


def _events_frame(n=500, seed=0, cat_dtype_codes=12):
    rng = np.random.default_rng(seed)
    names = [f"A{i:02d}" for i in range(cat_dtype_codes)]
    a1 = rng.choice(names, n).astype(object)
    a2 = rng.choice(names, n).astype(object)
    a1[rng.random(n) < 0.05] = None
    return pd.DataFrame({
        "actor1": pd.Categorical(a1), "actor2": pd.Categorical(a2),
        "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "goldstein": np.round(rng.uniform(-10, 10, n), 1),
        "quad_class": rng.integers(1, 5, n).astype(np.int8),
    })


@pytest.mark.parametrize("wdtype", _kernels.VALUE_DTYPES)
def test_from_events_public(wdtype):
    from reference.relations import decayed_matrix as twin

    ev = _events_frame()
    ev["goldstein"] = ev["goldstein"].astype(wdtype) if wdtype[0] == "f" else \
        np.round(ev["goldstein"]).astype(wdtype)
    want = twin(ev, pd.Timedelta("30D"))

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            m = mp.RelationMatrix.from_events(ev, half_life="30D")
        return m.to_pandas()

    got = over_threads(run, "decay_accumulate")
    got = got.loc[want.index, want.columns].to_numpy()
    assert np.abs(got - want.to_numpy()).max() <= 1e-12 * np.abs(want.to_numpy()).max()


# ---------------------------------------------------------------- gdelt


def test_gdelt_parse(data_dir, tmp_path):
    from reference.gdelt import assert_same, read_gdelt as twin

    src = data_dir / "gdelt" / "20191024143000.export.CSV"
    lines = src.read_bytes().split(b"\n")[:400]
    path = tmp_path / "small.CSV"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = twin(path)
    got = over_threads(lambda: mp.read_gdelt(path, progress=False), "gdelt_parse")
    assert_same(got, want)
    v1 = data_dir / "gdelt" / "gdelt1_events_sample_reed9999.tsv"
    assert_same(mp.read_gdelt(v1, progress=False), twin(v1))


def test_gdelt_parse_starts_threads(data_dir, tmp_path):
    src = (data_dir / "gdelt" / "20191024143000.export.CSV").read_bytes()
    path = tmp_path / "big.CSV"
    path.write_bytes(src * 15)  # ~13 MB: 4 segments of the tokenizer
    run = lambda: mp.read_gdelt(path, progress=False)
    assert_threads_start(run)
    over_threads(run, "gdelt_parse")


# ---------------------------------------------------------------- bargaining


def _issues(seed=0, k=30):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, k)
    n = int(sizes.sum())
    pos = rng.choice([0.0, 10.0, 25.0, 50.0, 75.0, 100.0], n)
    pos += rng.random(n) * (rng.random(n) < 0.5)
    cap = rng.gamma(1.0, 1.0, n)
    sal = rng.choice([0.0, 0.3, 0.5, 1.0], n)
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return pos, cap, sal, ptr


@pytest.mark.parametrize("normalization", [0, 1])
def test_bargain_issues(normalization):
    from reference.bargaining import bargain_issues as twin

    pos, cap, sal, ptr = _issues(normalization)
    rounds, q, t = 3, 0.7, 0.4
    want = twin(pos, cap, sal, ptr, rounds, q, t, False, normalization)
    for name, lay in LAYOUTS.items():
        args = (lay(pos), lay(cap), lay(sal), lay(ptr), rounds, q, t, False, normalization)
        if name == "byteswapped":
            with pytest.raises(REJECTED):
                _core.bargain_issues(*args)
            continue
        got = over_threads(lambda: _core.bargain_issues(*args), "bargain_issues")
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-9, err_msg=name)


def test_bargain_issues_starts_threads():
    pos, cap, sal, ptr = _issues(5, k=400)
    run = lambda: _core.bargain_issues(pos, cap, sal, ptr, 4, 1.0, 1.0, False, 0)
    assert_threads_start(run)
    over_threads(run, "bargain_issues")


# ---------------------------------------------------------------- scenarios


def _gens(seed, nb):
    return tuple(np.random.PCG64(c) for c in np.random.SeedSequence(seed).spawn(nb))


def test_ach_sensitivity():
    from reference.scenarios import ach_sensitivity as twin, first_counts, posterior

    from multipolar.scenarios import DRAW_BLOCK

    prior = np.array([0.5, 0.3, 0.2])
    kind = np.array([[0, 1, 2], [1, 0, 0]], np.int8)
    a = np.array([[0.6, 0.2, 2.0], [0.1, 0.5, 0.9]])
    b = np.array([[0.6, 0.8, 3.0], [0.7, 0.5, 0.9]])
    nb = 6
    sizes = np.full(nb, DRAW_BLOCK, np.int64)
    sizes[-1] = 100
    for name, lay in LAYOUTS.items():
        if name in ("byteswapped", "strided", "reversed"):
            # 2-D likelihood tables: the flat layouts do not apply; byte order is rejected
            if name == "byteswapped":
                with pytest.raises(REJECTED):
                    _core.ach_sensitivity(_gens(1, nb), sizes, lay(prior), kind, a, b)
            continue
        run = lambda: _core.ach_sensitivity(_gens(1, nb), lay(sizes), lay(prior), kind, a, b)
        post, first = over_threads(run, "ach_sensitivity")
        assert post.shape == (int(sizes.sum()), 3)
        np.testing.assert_array_equal(first, first_counts(post))
        ref = twin(4000, prior, kind, a, b)
        np.testing.assert_allclose(post.mean(axis=0), ref.mean(axis=0), atol=0.02)
    lik = np.minimum(a, 1.0)
    fixed = _core.ach_sensitivity(_gens(2, 1), np.array([5], np.int64), prior,
                                  np.zeros((2, 3), np.int8), lik, lik)[0]
    for row in fixed:
        np.testing.assert_allclose(row, posterior(prior, lik), rtol=1e-14)


def test_ach_sensitivity_starts_threads():
    nb = 16
    prior = np.full(4, 0.25)
    kind = np.full((20, 4), 2, np.int8)
    a, b = np.full((20, 4), 2.0), np.full((20, 4), 3.0)
    sizes = np.full(nb, 1024, np.int64)
    run = lambda: _core.ach_sensitivity(_gens(3, nb), sizes, prior, kind, a, b)
    assert_threads_start(run)


# ---------------------------------------------------------------- projection


@pytest.fixture(scope="module")
def nmc(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mp.read_nmc(data_dir / "cow_nmc" / "NMC-60-abridged.csv")


def test_project_paths(nmc):
    from reference.projection import project_paths as twin

    run = lambda: mp.project(nmc, years=3, paths=3000, seed=11, keep_paths=True)
    p = over_threads(run, None)  # compared below: Projection holds arrays
    again = [run() for _ in range(2)]
    for q in again:
        np.testing.assert_array_equal(q.path_values, p.path_values)
    for n in (2, 4):
        with mp.num_threads(n):
            np.testing.assert_array_equal(run().path_values, p.path_values)
    # statistics against the calibration: first-year log growth has the calibrated drift
    cal = p.calibration
    g = np.log(p.path_values[:, 0, :]) - np.log(cal["start_value"].to_numpy())
    se = g.std(axis=0, ddof=1) / np.sqrt(len(g))
    assert (np.abs(g.mean(axis=0) - cal["drift"].to_numpy()) <= 5 * se + 1e-12).all()
    # path by path against the twin (its ziggurat is bitwise the C generator), on a case
    # small enough for plain Python: four blocks, so threads split them differently
    rng = np.random.default_rng(5)
    n, H, na, bins, seed = 4, 5, 3, 20, 21
    log0 = np.log(rng.uniform(0.5, 2.0, n))
    drift = rng.normal(0, 0.02, (H, n))
    a = rng.normal(0, 0.05, (n, n))
    factor = a @ a.T
    pairs = np.array([[0, 1], [2, 0]], np.int64)
    sizes = np.array([64, 64, 64, 37], np.int64)
    got = over_threads(lambda: _core.project_paths(_gens(seed, 4), sizes, log0, drift, factor,
                                                   na, pairs, 0.3, np.nan, bins, True),
                       "project_paths")
    _, _, _, labels, poles, first, over, ssum, values = got
    ref = twin(np.random.SeedSequence(seed).spawn(4), sizes, log0, drift, factor, na,
               pairs.tolist(), 0.3, None, bins)
    # the same normals; the twin's matrix product and cumulative sum round differently
    np.testing.assert_allclose(values, ref["values"], rtol=1e-12)
    np.testing.assert_allclose(ssum.sum(axis=0) / sizes.sum(), ref["mean_share"], rtol=1e-12)
    for mine, theirs in ((labels, "labels"), (poles, "poles"), (over, "over"), (first, "first")):
        np.testing.assert_array_equal(mine, ref[theirs])


def test_project_paths_starts_threads(nmc):
    assert_threads_start(lambda: mp.project(nmc, years=2, paths=8 * 1024, seed=1))


def test_block_normals():
    from reference.projection import block_normals_moments as twin

    x = over_threads(lambda: _core.block_normals(_gens(9, 1), 20_000), "block_normals")
    m, s = twin(np.ravel(x))
    assert abs(m) < 0.03 and abs(s - 1) < 0.03
