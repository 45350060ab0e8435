"""Readers for public data files, returning tidy pandas frames (DESIGN §3).

Missing values are NaN in memory: each reader says which source codes it turns
into NaN. Nothing is dropped silently.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["read_nmc", "NMC_COMPONENTS"]

#: The six National Material Capabilities components, in COW's order.
NMC_COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
_NMC_COLUMNS = ("ccode", "stateabb", "year", *NMC_COMPONENTS, "cinc")


def read_nmc(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Correlates of War National Material Capabilities (NMC) file.

    Reads COW's abridged CSV releases v5.0/v6.0 (``stateabb, ccode, year, milex,
    milper, irst, pec, tpop, upop, cinc, version``; CRLF line ends, no final
    newline and scientific notation are all fine) and the v7.0 layout without a
    ``stateabb`` column (as distributed by peacesciencer), whose abbreviations
    are filled from the package's COW code table.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or compressed ``.csv.gz``/``.zip``).

    Returns
    -------
    DataFrame
        Columns ``ccode`` (int64), ``stateabb`` (str), ``year`` (int64), the six
        components ``milex`` (thousands of current GBP before 1914, USD after),
        ``milper`` (thousands), ``irst`` (thousands of tons), ``pec`` (thousands
        of coal-ton equivalents), ``tpop`` and ``upop`` (thousands), all float64,
        and COW's published ``cinc`` (float64). COW's missing code ``-9`` and
        empty fields become NaN. Rows keep the file's order.

    Raises
    ------
    ValueError
        A required column is absent, a component holds a negative value other
        than -9, a (ccode, year) pair occurs twice, or a ccode is not a COW state.
    TypeError
        A component or key column holds text that is not a number.

    References
    ----------
    Singer, Bremer & Stuckey (1972), "Capability Distribution, Uncertainty, and
    Major Power War, 1820-1965"; COW NMC codebook v6.0 (2021) and v7.0.

    Examples
    --------
    >>> import multipolar as mp
    >>> nmc = mp.read_nmc("NMC-60-abridged.csv")  # doctest: +SKIP
    >>> nmc.loc[(nmc.ccode == 2) & (nmc.year == 2000), "cinc"]  # doctest: +SKIP
    """
    func = "read_nmc"
    from ._validation import check_unique_pairs, require_columns, value_array

    try:
        raw = pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False)
    except FileNotFoundError:
        raise
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{func}: path is not a readable CSV file; got {os.fspath(path)!r}: {exc}")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    require_columns(raw, ("ccode", "year", *NMC_COMPONENTS), func, arg="path")
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for key in ("ccode", "year"):
        col = raw[key]
        if col.isna().any():
            row = int(np.flatnonzero(col.isna().to_numpy())[0])
            raise ValueError(f"{func}: column {key!r} must not be empty; got an empty field in data row {row + 1}")
        arr = value_array(col, func, key)
        if arr.dtype.kind == "f":
            if not np.all(arr == np.round(arr)):
                raise ValueError(f"{func}: column {key!r} must hold integers; got {arr[arr != np.round(arr)][0]!r}")
        out[key] = arr.astype(np.int64)
    for comp in (*NMC_COMPONENTS, "cinc"):
        if comp not in raw.columns:
            out[comp] = np.nan
            continue
        arr = value_array(raw[comp], func, comp).astype(np.float64)
        arr = np.where(arr == -9, np.nan, arr)
        bad = arr < 0
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{func}: column {comp!r} must be non-negative or -9 (missing); got {float(arr[row])!r} "
                f"in data row {row + 1}"
            )
        if np.isinf(arr).any():
            row = int(np.flatnonzero(np.isinf(arr))[0])
            raise ValueError(f"{func}: column {comp!r} must be finite; got {float(arr[row])!r} in data row {row + 1}")
        out[comp] = arr
    check_unique_pairs(out["ccode"].to_numpy(), out["year"].to_numpy(), func, ("ccode", "year"))
    from .codes import convert

    ccodes = out["ccode"].to_numpy()
    uniq = np.unique(ccodes)
    try:
        abb = convert(uniq, from_="cow", to="cowabb")
    except ValueError as exc:
        raise ValueError(f"{func}: file has ccode(s) that are not COW states: {exc}") from None
    table = dict(zip(uniq.tolist(), list(abb)))
    if "stateabb" in raw.columns:
        stateabb = raw["stateabb"].astype(str).str.strip()
    else:
        stateabb = pd.Series(pd.Index(uniq).map(table), index=uniq).reindex(ccodes).to_numpy()
    out.insert(1, "stateabb", np.asarray(stateabb, dtype=object))
    return out[list(_NMC_COLUMNS)]


# ---- COW Trade v4.0 ------------------------------------------------------------

_TRADE_DYADIC = ("ccode1", "ccode2", "year", "flow1", "flow2", "smoothflow1", "smoothflow2")
_TRADE_NATIONAL = ("ccode", "year", "imports", "exports")


def read_trade(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Correlates of War Trade v4.0 file: dyadic flows or national totals.

    The layout is recognised from the header:

    - **dyadic** (``ccode1, ccode2, year, flow1, flow2`` and, when present,
      ``smoothflow1, smoothflow2``): COW's ``Dyadic_COW_4.0.csv`` (undirected,
      each dyad once; its other columns are not read) or the directed version
      distributed by peacesciencer (each dyad in both orders, flows swapped).
      ``flow1`` = imports of ccode1 from ccode2, ``flow2`` = imports of ccode2
      from ccode1, in millions of current US dollars;
    - **national** (``ccode, year, imports, exports``): COW's
      ``National_COW_4.0.csv`` or peacesciencer's state-year version, in
      millions of current US dollars.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or compressed ``.csv.gz``/``.zip``).

    Returns
    -------
    DataFrame
        Dyadic: ``ccode1, ccode2, year`` (int64), ``flow1, flow2, smoothflow1,
        smoothflow2`` (float64; the smoothed flows are NaN if the file has
        none). National: ``ccode, year`` (int64), ``imports, exports``
        (float64). COW's missing code ``-9`` and empty fields become NaN. Rows
        keep the file's order; other columns are not read.

    Raises
    ------
    ValueError
        The header fits neither layout, a key is empty or fractional, a value is
        negative (other than -9), or a key occurs twice.
    TypeError
        A column holds text that is not a number.

    References
    ----------
    Barbieri, K., Keshk, O. M. G., & Pollins, B. (2009). Trading data:
    Evaluating our assumptions and coding rules. *Conflict Management and Peace
    Science*, 26(5), 471-491. Barbieri, K., & Keshk, O. M. G. (2016).
    Correlates of War Project Trade Data Set Codebook, Version 4.0.

    Examples
    --------
    >>> import multipolar as mp
    >>> trade = mp.read_trade("Dyadic_COW_4.0.csv")  # doctest: +SKIP
    >>> dep = mp.dependence(trade, year=2014)  # doctest: +SKIP
    """
    func = "read_trade"
    from ._validation import check_unique_pairs, value_array

    wanted = set(_TRADE_DYADIC) | set(_TRADE_NATIONAL)
    try:
        raw = pd.read_csv(
            path,
            keep_default_na=False,
            na_values=[""],
            low_memory=False,
            usecols=lambda c: str(c).strip().lower() in wanted,
        )
    except FileNotFoundError:
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{func}: path is not a readable CSV file; got {os.fspath(path)!r}: {exc}")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    cols = set(raw.columns)
    if {"ccode1", "ccode2", "year", "flow1", "flow2"} <= cols:
        keys, values = ("ccode1", "ccode2", "year"), _TRADE_DYADIC[3:]
    elif set(_TRADE_NATIONAL) <= cols:
        keys, values = ("ccode", "year"), _TRADE_NATIONAL[2:]
    else:
        raise ValueError(
            f"{func}: path has neither the dyadic (ccode1, ccode2, year, flow1, flow2) nor the "
            f"national (ccode, year, imports, exports) columns; got columns {list(raw.columns)}"
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for key in keys:
        col = raw[key]
        if col.isna().any():
            row = int(np.flatnonzero(col.isna().to_numpy())[0])
            raise ValueError(
                f"{func}: column {key!r} must not be empty; got an empty field in data row {row + 1}"
            )
        arr = value_array(col, func, key)
        if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise ValueError(
                f"{func}: column {key!r} must hold integers; got {arr[arr != np.round(arr)][0]!r}"
            )
        out[key] = arr.astype(np.int64)
    for name in values:
        if name not in cols:
            out[name] = np.nan
            continue
        arr = value_array(raw[name], func, name).astype(np.float64)
        arr = np.where(arr == -9, np.nan, arr)
        bad = (arr < 0) | np.isinf(arr)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{func}: column {name!r} must be finite and non-negative or -9 (missing); "
                f"got {arr[row]!r} in data row {row + 1}"
            )
        out[name] = arr
    if len(keys) == 2:
        check_unique_pairs(out["ccode"].to_numpy(), out["year"].to_numpy(), func, keys)
    else:
        from .trade import dyad_table

        # Validates (ccode1, ccode2, year) uniqueness and self-pairs with the
        # same rules as the trade functions; the table itself is discarded.
        dyad_table(out, func)
    return out
