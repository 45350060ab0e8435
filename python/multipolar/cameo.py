"""CAMEO event codes: root codes, their names and quad classes, Goldstein weights.

CAMEO (Conflict and Mediation Event Observations; Schrodt 2012) codes an event
with a 2-, 3- or 4-digit code whose first two digits are its *root* (01-20).
The tables below are facts written from the CAMEO codebook; the full
Goldstein table is not carried by the package but read from a path the user
gives (GDELT's published ``CAMEO.goldsteinscale.txt``) or downloaded from
GDELT into a cache.

Quad classes group the roots into four kinds of event. GDELT's grouping
(its ``QuadClass`` column; GDELT 2.0 event codebook) is

* 1 verbal cooperation: roots 01-05
* 2 material cooperation: roots 06-09
* 3 verbal conflict: roots 10-14
* 4 material conflict: roots 15-20

ICEWS-based tools (e.g. the ``icews`` R package's quad categories) group
06-08, 09-13 and 14-20 instead; :func:`quad_class` takes the grouping as a
parameter.

References
----------
* Schrodt, Philip A. 2012. *CAMEO Conflict and Mediation Event Observations
  Event and Actor Codebook*, version 1.1b3. Pennsylvania State University.
* Goldstein, Joshua S. 1992. "A Conflict-Cooperation Scale for WEIS Events
  Data." *Journal of Conflict Resolution* 36(2): 369-85.
* Leetaru, Kalev, and Philip A. Schrodt. 2013. "GDELT: Global Data on Events,
  Location, and Tone, 1979-2012." ISA Annual Convention.
"""

from __future__ import annotations

import os
import urllib.request
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GOLDSTEIN_URL",
    "GROUPINGS",
    "QUAD_CLASSES",
    "ROOT_CODES",
    "goldstein",
    "quad_class",
    "read_goldstein_table",
    "roots",
]

#: CAMEO root codes (two digits, leading zero kept) and their codebook names.
ROOT_CODES: dict[str, str] = {
    "01": "MAKE PUBLIC STATEMENT",
    "02": "APPEAL",
    "03": "EXPRESS INTENT TO COOPERATE",
    "04": "CONSULT",
    "05": "ENGAGE IN DIPLOMATIC COOPERATION",
    "06": "ENGAGE IN MATERIAL COOPERATION",
    "07": "PROVIDE AID",
    "08": "YIELD",
    "09": "INVESTIGATE",
    "10": "DEMAND",
    "11": "DISAPPROVE",
    "12": "REJECT",
    "13": "THREATEN",
    "14": "PROTEST",
    "15": "EXHIBIT FORCE POSTURE",
    "16": "REDUCE RELATIONS",
    "17": "COERCE",
    "18": "ASSAULT",
    "19": "FIGHT",
    "20": "USE UNCONVENTIONAL MASS VIOLENCE",
}

#: Names of the four quad classes.
QUAD_CLASSES: dict[int, str] = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


def _grouping(last_of_class: tuple[int, int, int]) -> dict[str, int]:
    a, b, c = last_of_class
    out = {}
    for code in ROOT_CODES:
        r = int(code)
        out[code] = 1 if r <= a else 2 if r <= b else 3 if r <= c else 4
    return out


#: Root code -> quad class, per grouping: GDELT's (01-05, 06-09, 10-14, 15-20)
#: and ICEWS's (01-05, 06-08, 09-13, 14-20).
GROUPINGS: dict[str, dict[str, int]] = {
    "gdelt": _grouping((5, 9, 14)),
    "icews": _grouping((5, 8, 13)),
}

#: GDELT's published Goldstein table (tab-separated, header CAMEOEVENTCODE, GOLDSTEINSCALE).
GOLDSTEIN_URL = "https://www.gdeltproject.org/data/lookups/CAMEO.goldsteinscale.txt"


def roots() -> pd.DataFrame:
    """The 20 CAMEO root codes with their names and quad classes.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (str, "01".."20"), ``name``, ``quad_gdelt`` and
        ``quad_icews`` (int8), one row per root.

    Examples
    --------
    >>> from multipolar.cameo import roots
    >>> r = roots().set_index("code")
    >>> r.loc["19", "name"], int(r.loc["19", "quad_gdelt"]), int(r.loc["09", "quad_icews"])
    ('FIGHT', 4, 3)
    """
    codes = list(ROOT_CODES)
    return pd.DataFrame(
        {
            "code": codes,
            "name": [ROOT_CODES[c] for c in codes],
            "quad_gdelt": np.array([GROUPINGS["gdelt"][c] for c in codes], dtype=np.int8),
            "quad_icews": np.array([GROUPINGS["icews"][c] for c in codes], dtype=np.int8),
        }
    )


def _factorize(codes: Any, func: str) -> tuple[np.ndarray, np.ndarray, str, Any]:
    """(integer codes with -1 for missing, unique strings, kind, index) of event codes."""
    if isinstance(codes, (str, bytes)) or not pd.api.types.is_list_like(codes):
        raise TypeError(f"{func}: event_codes must be a list-like of code strings; got {codes!r}")
    index = codes.index if isinstance(codes, pd.Series) else None
    kind = "series" if isinstance(codes, pd.Series) else "array"
    values = codes.array if isinstance(codes, pd.Series) else codes
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(values)
        k = np.asarray(cat.codes)
        uniques = np.asarray(cat.categories, dtype=object)
    else:
        k, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    bad = [u for u in uniques if not isinstance(u, str)]
    if bad:
        raise TypeError(
            f"{func}: event_codes must be strings (leading zeros kept, e.g. '040'); "
            f"got {type(bad[0]).__name__} {bad[0]!r}"
        )
    return np.asarray(k), uniques, kind, index


def quad_class(codes: Any, grouping: str = "gdelt") -> Any:
    """Quad class of CAMEO event codes from their root (first two digits).

    Parameters
    ----------
    codes : list-like of str
        CAMEO event, base or root codes as strings with leading zeros
        (``"040"``, ``"04"``); a pandas Categorical or Series is read through
        its categories. Missing values give 0.
    grouping : {"gdelt", "icews"}, default "gdelt"
        GDELT's QuadClass grouping (01-05, 06-09, 10-14, 15-20) or the ICEWS
        one (01-05, 06-08, 09-13, 14-20); see :data:`GROUPINGS`.

    Returns
    -------
    numpy.ndarray of int8, or pandas.Series
        1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
        4 material conflict, 0 missing. A Series keeps its index.

    Raises
    ------
    ValueError
        If a code does not start with a root 01-20, or ``grouping`` is unknown.

    Examples
    --------
    >>> from multipolar.cameo import quad_class
    >>> quad_class(["040", "0874", "190", "09"]).tolist()
    [1, 2, 4, 2]
    >>> quad_class(["09"], grouping="icews").tolist()
    [3]
    """
    func = "quad_class"
    if grouping not in GROUPINGS:
        raise ValueError(f"{func}: grouping must be 'gdelt' or 'icews'; got {grouping!r}")
    table = GROUPINGS[grouping]
    k, uniques, kind, index = _factorize(codes, func)
    lut = np.zeros(len(uniques) + 1, dtype=np.int8)
    unknown = []
    for i, u in enumerate(uniques):
        q = table.get(u[:2]) if len(u) >= 2 else None
        if q is None:
            unknown.append(u)
        else:
            lut[i] = q
    if unknown:
        raise ValueError(
            f"{func}: codes must start with a CAMEO root 01-20; got {unknown[:8]!r}"
        )
    out = lut[k]  # code -1 picks the trailing 0
    if kind == "series":
        return pd.Series(out, index=index, name="quad_class")
    return out


def read_goldstein_table(path: str | os.PathLike[str]) -> pd.Series:
    """Read GDELT's Goldstein table (``CAMEO.goldsteinscale.txt``).

    Parameters
    ----------
    path : path-like
        A tab-separated file with a header row and two columns, the CAMEO
        event code (string, leading zeros kept) and its Goldstein (1992)
        weight in [-10, 10].

    Returns
    -------
    pandas.Series
        Weights (float64) indexed by code.

    Raises
    ------
    ValueError
        If the file does not have two columns, a weight is not a number or
        outside [-10, 10], or a code repeats.
    """
    func = "read_goldstein_table"
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if df.shape[1] != 2:
        raise ValueError(
            f"{func}: table must have two tab-separated columns; got {df.shape[1]} in {str(path)!r}"
        )
    code = df.iloc[:, 0].str.strip()
    weight = pd.to_numeric(df.iloc[:, 1].str.strip(), errors="coerce")
    bad = weight.isna() | (weight.abs() > 10)
    if bad.any():
        raise ValueError(
            f"{func}: weights must be numbers in [-10, 10]; got {df.iloc[:, 1][bad].iloc[0]!r} "
            f"for code {code[bad].iloc[0]!r} in {str(path)!r}"
        )
    if code.duplicated().any():
        raise ValueError(
            f"{func}: codes must be unique; got {code[code.duplicated()].iloc[0]!r} twice in "
            f"{str(path)!r}"
        )
    return pd.Series(weight.to_numpy(dtype=np.float64), index=pd.Index(code, name="code"),
                     name="goldstein")


def _cache_dir() -> Path:
    root = os.environ.get("MULTIPOLAR_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "multipolar"


def _default_table() -> Path:
    """GDELT's Goldstein table, downloaded once into the cache."""
    path = _cache_dir() / "CAMEO.goldsteinscale.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with urllib.request.urlopen(GOLDSTEIN_URL, timeout=60) as resp:
            tmp.write_bytes(resp.read())
        read_goldstein_table(tmp)  # refuse to cache something that is not the table
        tmp.replace(path)
    return path


def goldstein(event_codes: Any, table: str | os.PathLike[str] | pd.Series | None = None) -> Any:
    """Goldstein (1992) conflict-cooperation weights of CAMEO event codes.

    Parameters
    ----------
    event_codes : list-like of str
        CAMEO event codes as strings with leading zeros (``"040"``,
        ``"0874"``); a Categorical (as :func:`multipolar.read_gdelt` returns)
        is mapped through its categories, so 10M rows cost one lookup per
        distinct code. Missing codes give NaN.
    table : path-like or pandas.Series, optional
        GDELT's published ``CAMEO.goldsteinscale.txt`` (or the Series
        :func:`read_goldstein_table` returns). Default: that file,
        downloaded from GDELT (:data:`GOLDSTEIN_URL`) once into the cache
        directory (``$MULTIPOLAR_CACHE``, else ``~/.cache/multipolar``).
        Public Goldstein tables disagree on a few codes; GDELT's own is the
        one its GoldsteinScale column follows.

    Returns
    -------
    numpy.ndarray of float64, or pandas.Series
        One weight per code, NaN where the code is missing or not in the
        table. A Series input gives a Series with its index.

    Warns
    -----
    UserWarning
        If codes are not in the table; the message counts them.

    Examples
    --------
    >>> import pandas as pd
    >>> from multipolar.cameo import goldstein
    >>> table = pd.Series({"040": 1.0, "190": -10.0})
    >>> goldstein(["190", "040", None], table=table).tolist()
    [-10.0, 1.0, nan]
    """
    func = "goldstein"
    if table is not None and not isinstance(table, (str, os.PathLike, pd.Series)):
        raise TypeError(
            f"{func}: table must be a path, a pandas Series of weights or None; got "
            f"{type(table).__name__} {table!r}"
        )
    if isinstance(table, pd.Series):
        weights = table.astype(np.float64)
    else:
        weights = read_goldstein_table(_default_table() if table is None else table)
    k, uniques, kind, index = _factorize(event_codes, func)
    lut = np.append(weights.reindex(uniques).to_numpy(dtype=np.float64), np.nan)
    # only codes that occur count: a Categorical may carry unused categories
    used = np.bincount(k[k >= 0], minlength=len(uniques)) > 0 if len(k) else np.zeros(0, bool)
    unknown = [u for u, w, hit in zip(uniques, lut[:-1], used) if np.isnan(w) and hit]
    out = lut[k]
    if unknown:
        n_rows = int(np.count_nonzero(np.isin(k, [i for i, w in enumerate(lut[:-1]) if np.isnan(w)])))
        warnings.warn(
            f"{func}: {n_rows} codes are not in the Goldstein table and got NaN; "
            f"e.g. {unknown[:5]!r}",
            UserWarning,
            stacklevel=2,
        )
    if kind == "series":
        return pd.Series(out, index=index, name="goldstein")
    return out
