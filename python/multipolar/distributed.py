"""Dask versions of the heavy event paths: :func:`relation_matrix`.

Decayed event matrices distribute exactly: with half-life h, the
matrix of a chunk of events built at its own latest time T_c is rescaled to a
common time T by :math:`2^{-(T - T_c)/h}`, and the rescaled chunk matrices add
up to the matrix of all events,

.. math:: A(T) = \\sum_c 2^{-(T - T_c)/h} A_c(T_c).

Each file (or Dask partition) is read and accumulated on a worker by the same
C kernels as :meth:`multipolar.relations.RelationMatrix.from_events`; only the
N×N partial matrices travel back. Importing this module imports Dask.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import dask
import numpy as np
import pandas as pd

from .relations import RelationMatrix
from .relations.accumulate import (
    EventSpec,
    Part,
    accumulate_partial,
    event_at,
    event_matrix,
    fixed_actors,
    merge_partials,
    warn_counts,
)

__all__ = ["relation_matrix", "project"]


def _read_partial(
    path: str, countries: Any, codes: str, strict: bool, spec_args: dict, fixed: Any, at: Any
) -> tuple[Part, int, int, str | None]:
    """A file's partial matrix, with the rows and files the reader skipped and the first problem."""
    from .gdelt import _allowed, _frame, _Parser, _pieces, _Problems

    problems = _Problems()
    parser = _Parser(_allowed(countries, codes, "read_gdelt"), strict, problems)
    pieces = [c for c in _pieces([path], parser, problems, False) if len(c[0])]
    events = _frame(pieces, parser.vocab)
    first = problems.first or (problems.bad_files[0] if problems.bad_files else None)
    spec = EventSpec.make(events, func="relation_matrix", **spec_args)
    part = accumulate_partial(events, spec, spec_args["weight"], fixed, at, "relation_matrix")
    return part, problems.skipped, len(problems.bad_files), first


def _warn_skipped(results: list[tuple[Part, int, int, str | None]]) -> None:
    """One warning for the rows and files the readers skipped (lenient mode)."""
    rows = sum(r[1] for r in results)
    files = sum(r[2] for r in results)
    if rows or files:
        first = next(r[3] for r in results if r[1] or r[2])
        warnings.warn(
            f"relation_matrix: read_gdelt skipped {rows} malformed rows and {files} unreadable "
            f"file(s); first: {first}",
            UserWarning,
            stacklevel=3,
        )


def _frame_partial(events: pd.DataFrame, spec_args: dict, fixed: Any, at: Any) -> Part:
    spec = EventSpec.make(events, func="relation_matrix", **spec_args)
    return accumulate_partial(events, spec, spec_args["weight"], fixed, at, "relation_matrix")


def relation_matrix(
    source: Any,
    *,
    actors: Any = None,
    weight: Any = "goldstein",
    half_life: Any = None,
    directed: bool = True,
    at: Any = None,
    codes: str | None = None,
    actor_cols: tuple[Hashable, Hashable] = ("actor1", "actor2"),
    time_col: Hashable | None = "date",
    countries: Any = None,
    strict: bool = True,
    client: Any = None,
) -> RelationMatrix:
    """Build :meth:`RelationMatrix.from_events` on a Dask cluster.

    Parameters
    ----------
    source : path, glob pattern, list of paths, or dask.dataframe.DataFrame
        GDELT event files (read on the workers with
        :func:`multipolar.read_gdelt`, one task per file) or a Dask frame of
        events (one task per partition).
    actors, weight, half_life, directed, at, codes, actor_cols, time_col
        As in :meth:`RelationMatrix.from_events`. ``weight`` must be a name
        (not an array). For files, ``codes`` is the code system of
        ``countries`` and the actors are CAMEO codes.
    countries, strict
        Passed to :func:`multipolar.read_gdelt` for file sources.
    client : dask.distributed.Client, optional
        Where to run. Default: the current Dask scheduler (a distributed
        client if one is active, else Dask's local scheduler).

    Returns
    -------
    RelationMatrix
        Equal to the local :meth:`RelationMatrix.from_events` over all
        events up to rounding (``max|A - B| <= 1e-12 max|B|``), with ``at``
        the latest event (or ``at``), and updatable with
        :meth:`RelationMatrix.update`.

    Warns
    -----
    UserWarning
        With the counts of the events left out, summed over the chunks; with
        ``strict=False``, also with the malformed rows and unreadable files
        the readers skipped.

    Notes
    -----
    Partial matrices merge as :math:`A(T) = \\sum_c 2^{-(T - T_c)/h} A_c(T_c)`;
    ``directed=False`` symmetrizes each partial, which commutes with the sum.

    Examples
    --------
    >>> from dask.distributed import Client                         # doctest: +SKIP
    >>> from multipolar.distributed import relation_matrix          # doctest: +SKIP
    >>> with Client(n_workers=4) as client:                          # doctest: +SKIP
    ...     R = relation_matrix("gdelt/2019*.export.CSV.zip", half_life="30D",
    ...                         countries=["USA", "RUS", "CHN"], client=client)
    """
    func = "relation_matrix"
    if isinstance(weight, (np.ndarray, pd.Series, pd.Index, list)):
        raise TypeError(f"{func}: weight must be a name or column label; got an array")
    at_ts = event_at(at, func)
    spec_args = {
        "weight": weight, "half_life": half_life, "directed": directed, "codes": None,
        "actor_cols": actor_cols, "time_col": time_col,
    }
    is_frame = _is_dask_frame(source)
    if is_frame:
        spec_args["codes"] = codes
        meta = source._meta if hasattr(source, "_meta") else source.head(0)
        spec = EventSpec.make(meta, func=func, **spec_args)
        spec_args["codes"] = spec.codes
        out_codes = spec.codes
        fixed = fixed_actors(actors, out_codes, func)
        tasks = [dask.delayed(_frame_partial)(part, spec_args, fixed, at_ts)
                 for part in source.to_delayed()]
    else:
        from .gdelt import _expand, _frame

        files = _expand(source, func)
        read_codes = "cameo" if codes is None else codes
        spec_args["codes"] = "cameo"
        out_codes = "cameo"
        # validate the arguments once, against an empty frame of read_gdelt's columns
        spec = EventSpec.make(_frame([], ([], [], [], [])), func=func, **spec_args)
        fixed = fixed_actors(actors, out_codes, func)
        tasks = [dask.delayed(_read_partial)(f, countries, read_codes, strict, spec_args, fixed,
                                              at_ts) for f in files]
    if client is not None:
        parts = client.gather(client.compute(tasks))
    else:
        parts = list(dask.compute(*tasks))
    if not is_frame:
        _warn_skipped(parts)
        parts = [r[0] for r in parts]
    values, quad, idx, at_out, counts = merge_partials(parts, out_codes, fixed, at_ts,
                                                       spec.half_life, func)
    warn_counts(func, counts, stacklevel=2)
    return event_matrix(RelationMatrix, spec, values, quad, idx, at_out, fixed is not None,
                        counts)


def _is_dask_frame(obj: Any) -> bool:
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask[dataframe] missing
        return False
    return isinstance(obj, dd.DataFrame)


def project(nmc: pd.DataFrame, *, chunks: int | None = None, **kwargs: Any) -> Any:
    """:func:`multipolar.project` with its path blocks computed as Dask tasks.

    The same seed gives a result bitwise identical to the local
    :func:`multipolar.project`; see :func:`multipolar.projection.project_distributed`
    for the parameters. Uses the active Dask scheduler (e.g. a
    ``distributed.Client``).
    """
    from .projection import project_distributed

    return project_distributed(nmc, chunks=chunks, **kwargs)
