"""multipolar.distributed.relation_matrix on a LocalCluster with two worker processes,
against the local RelationMatrix.from_events."""

from __future__ import annotations

import os
import warnings

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from multipolar.relations import RelationMatrix


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kw)


@pytest.fixture(scope="module")
def files(data_dir, tmp_path_factory):
    """The real 2.0 file cut into three files, plus the 1.0 sample: four tasks."""
    d = data_dir / "gdelt"
    lines = (d / "20191024143000.export.CSV").read_bytes().split(b"\n")[:-1]
    out = tmp_path_factory.mktemp("gdelt")
    paths = []
    for k, part in enumerate(np.array_split(np.arange(len(lines)), 3)):
        p = out / f"part{k}.export.CSV"
        p.write_bytes(b"\n".join(lines[i] for i in part) + b"\n")
        paths.append(str(p))
    paths.append(str(d / "gdelt1_events_sample_reed9999.tsv"))
    return paths


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    # Start-up chatter (a busy dashboard port, resource notices) is not what is tested here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=50)
        except Exception as exc:
            if os.environ.get("MULTIPOLAR_SANITIZED") == "1":
                pytest.skip(f"worker processes do not start under the sanitizers: {exc}")
            raise
        c = Client(cluster)
    try:
        yield c
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c.close()
            cluster.close()


def test_files_on_two_worker_processes_equal_local(files, client):
    from multipolar.distributed import relation_matrix

    info = client.scheduler_info()
    assert len(info["workers"]) == 2
    local = quiet(RelationMatrix.from_events, mp.read_gdelt(files, progress=False),
                  half_life="30D")
    with pytest.warns(UserWarning, match="relation_matrix: left out 2035 events"):
        got = relation_matrix(files, half_life="30D", client=client)
    assert got.equals(local, rtol=1e-12)
    assert list(got.actors) == list(local.actors) and got.at == local.at
    assert np.max(np.abs(got.quad_counts - local.quad_counts)) <= 1e-12 * local.quad_counts.max()
    # the merged matrix keeps updating like the local one
    extra = mp.read_gdelt(files[0], progress=False).assign(date=pd.Timestamp("2019-12-01"))
    quiet(got.update, extra)
    quiet(local.update, extra)
    assert got.equals(local, rtol=1e-12)


def test_dask_frame_partitions_equal_local(files, client):
    from multipolar.distributed import relation_matrix

    import dask.dataframe as dd
    ev = mp.read_gdelt(files, progress=False)
    ddf = dd.from_pandas(ev, npartitions=3, sort=False)
    actors = ["USA", "CHN", "RUS", "GBR", "IND", "FRA"]
    local = quiet(RelationMatrix.from_events, ev, half_life="90D", actors=actors,
                  directed=False, weight="count")
    got = quiet(relation_matrix, ddf, half_life="90D", actors=actors, directed=False,
                weight="count", client=client)
    assert got.equals(local, rtol=1e-12)


def test_local_scheduler_and_argument_errors(files):
    from multipolar.distributed import relation_matrix

    ev = mp.read_gdelt(files[:2], progress=False)
    local = quiet(RelationMatrix.from_events, ev, at="2019-10-01", half_life="10D")
    got = quiet(relation_matrix, files[:2], at="2019-10-01", half_life="10D")
    assert got.equals(local, rtol=1e-12)
    keep = quiet(relation_matrix, files[:2], countries=["USA", "CHN"], weight="count")
    assert set(keep.actors) <= {"USA", "CHN"}
    with pytest.raises(ValueError, match="half_life must be positive"):
        relation_matrix(files[:1], half_life="-1D")
    with pytest.raises(TypeError, match="weight must be a name"):
        relation_matrix(files[:1], weight=np.ones(3))
    with pytest.raises(FileNotFoundError):
        relation_matrix(["/nonexistent/file.CSV"])


def test_lenient_reads_report_skipped_rows_and_files(files, tmp_path):
    from pathlib import Path

    from multipolar.distributed import relation_matrix

    lines = Path(files[0]).read_bytes().split(b"\n")
    bad = tmp_path / "bad.export.CSV"
    bad.write_bytes(lines[0] + b"\n" + lines[1][:100] + b"\n" + lines[2] + b"\n")
    broken = tmp_path / "broken.export.CSV.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    paths = [str(bad), str(broken), files[1]]
    events = quiet(mp.read_gdelt, paths, strict=False, progress=False)
    local = quiet(RelationMatrix.from_events, events, weight="count")
    with pytest.warns(UserWarning) as record:
        got = relation_matrix(paths, strict=False, weight="count")
    assert got.equals(local, rtol=1e-12)
    msgs = [str(w.message) for w in record]
    assert any("skipped 1 malformed rows and 1 unreadable file(s)" in m and "line 2" in m
               for m in msgs), msgs
