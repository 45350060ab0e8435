"""Readers of UN General Assembly roll-call votes (Voeten's files and the unvotes
package's layout) and of Bailey, Strezhnev & Voeten's ideal points, keyed by COW ccode.
Re-exported by :mod:`multipolar.io`.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from ._readers import _int_key, _plain, _read_table

__all__ = ["read_idealpoints", "read_unvotes"]

#: UN member-state names whose unvotes rows carry no ISO2 code, and their COW ccodes.
_UNVOTES_NAMES = {
    "Federal Republic of Germany": 260,
    "Yemen Arab Republic": 678,
    "Zanzibar": 511,
}
_VOTE_TEXT = {"yes": 1.0, "abstain": 2.0, "no": 3.0}


def read_unvotes(
    path: str | os.PathLike[str],
    *,
    roll_calls: str | os.PathLike[str] | pd.DataFrame | None = None,
    year: str | None = None,
) -> pd.DataFrame:
    """Read UN General Assembly roll-call votes (Voeten) into ``rcid, ccode, year, vote``.

    Two layouts:

    - Voeten's long file (``UNVotesPublished``: ``rcid, session, vote, ccode,
      member, ..., year``): votes 1 yes, 2 abstain, 3 no; 8 (absent) and 9 (not
      a member) become NaN (the rows are kept).
    - The unvotes 2021 tables (``un_votes``: ``rcid, country, country_code,
      vote`` with yes/abstain/no text and ISO 3166 alpha-2 codes). The year of
      each roll call comes from ``roll_calls`` (the ``un_roll_calls`` table, or
      any frame with ``rcid`` and ``date`` or ``year``). ISO2 codes, including
      the historical CS, YU, DD, YD and YE, map to COW ccodes in the year of
      the vote (:func:`multipolar.codes.convert`); three states the table
      leaves without a code are mapped by name (Federal Republic of Germany
      260 up to 2 October 1990 and 255, Germany, from its unification on
      3 October 1990, as in Voeten's own file; Yemen Arab Republic 678,
      Zanzibar 511). Rows that still cannot be mapped are left out and
      reported in a warning. Namibia's code "NA" is read as a code, not as
      missing.

    **Which year.** A General Assembly session opens in September and runs
    into the next calendar year, so a vote has two years. Voeten's file dates
    each roll call by its session, ``year = 1945 + session`` (session 3's
    votes of April 1949 are in 1948); the unvotes tables give the date, and
    this reader took its calendar year. 239 of Voeten's 5,429 roll calls
    differ, enough to move a dyad-year measure (Russia-China kappa 2015:
    0.6185 by session year, 0.6168 by calendar year). ``year`` chooses:
    ``"session"`` (1945 + session: Voeten's convention, comparable with
    fpsim and most of the literature), ``"calendar"`` (the year of the
    vote's date), or None (default: each layout's own, session year for
    Voeten's file, calendar year for the unvotes tables).

    Parameters
    ----------
    path : str or path-like
        The votes file (CSV, optionally compressed).
    roll_calls : str, path-like or DataFrame, optional
        Required for the unvotes layout.
    year : "session", "calendar" or None
        The year each vote is assigned to (see above). ``"session"`` on the
        unvotes layout needs a ``session`` column in ``roll_calls``;
        ``"calendar"`` on Voeten's file reads its ``date`` column.

    Returns
    -------
    DataFrame
        ``rcid, ccode, year`` (int64) and ``vote`` (float64: 1, 2, 3 or NaN),
        in file order.

    Raises
    ------
    ValueError
        Unknown layout, votes outside 1/2/3/8/9 (or yes/abstain/no), a
        roll call without a year, or the unvotes layout without ``roll_calls``.

    Warns
    -----
    UserWarning
        Rows whose country cannot be mapped to a COW ccode.

    References
    ----------
    Voeten, E. (2013). Data and analyses of voting in the UN General Assembly.
    In B. Reinalda (Ed.), *Routledge Handbook of International Organization*.
    Robinson, D. unvotes: United Nations General Assembly Voting Data (R package).

    Examples
    --------
    >>> import multipolar as mp
    >>> v = mp.read_unvotes("voeten_UNVotesPublished.csv.gz")  # doctest: +SKIP
    >>> v2 = mp.read_unvotes("un_votes.csv.gz", roll_calls="un_roll_calls.csv.gz")  # doctest: +SKIP
    """
    func = "read_unvotes"
    if year not in (None, "session", "calendar"):
        raise ValueError(f"{func}: year must be 'session', 'calendar' or None; got {year!r}")
    if isinstance(path, pd.DataFrame):
        header = [str(c).strip().lower() for c in path.columns]
    else:
        header = list(_read_table(path, func, nrows=0).columns)
    if {"rcid", "ccode", "vote", "year"} <= set(header):
        return _read_voeten(path, func, year == "calendar")
    if not {"rcid", "country_code", "vote"} <= set(header):
        raise ValueError(
            f"{func}: path is neither Voeten's long file (rcid, ccode, vote, year) nor the unvotes "
            f"table (rcid, country, country_code, vote); got columns {header}"
        )
    if roll_calls is None:
        raise ValueError(
            f"{func}: roll_calls must be given for the unvotes layout (it holds the years); got None"
        )
    raw = _read_table(path, func, keep_default_na=False, na_values=[""])
    rcid = _int_key(raw, "rcid", func)
    years, dates = _roll_call_years(roll_calls, rcid, func, year or "calendar")
    text = raw["vote"].astype(str).str.strip().str.lower()
    vote = text.map(_VOTE_TEXT).to_numpy(np.float64)
    if np.isnan(vote).any():
        row = int(np.flatnonzero(np.isnan(vote))[0])
        raise ValueError(
            f"{func}: column 'vote' must be yes, abstain or no; got {raw['vote'].iloc[row]!r} in "
            f"data row {row + 1}"
        )
    code = raw["country_code"].astype(object).where(raw["country_code"].notna(), None)
    name = raw["country"].astype(str) if "country" in raw.columns else pd.Series([""] * len(raw))
    keys = pd.DataFrame({"code": code.to_numpy(), "name": name.to_numpy(), "year": years})
    ccode = _unvotes_ccodes(keys)
    # the table names unified Germany's votes after 3 Oct 1990 "Federal Republic of
    # Germany" without a code: COW's 255 (Voeten's file has 255 for them)
    frg = (name.to_numpy() == "Federal Republic of Germany") & (ccode == 260)
    unified = np.where(np.isnat(dates), years > 1990, dates >= np.datetime64("1990-10-03"))
    ccode = np.where(frg & unified, 255, ccode)
    lost = ccode < 0
    if lost.any():
        missing = keys[lost].drop_duplicates(["code", "name"])
        examples = [f"{n} ({c})" for c, n in zip(missing["code"], missing["name"])][:5]
        warnings.warn(
            f"{func}: left out {int(lost.sum())} vote(s) whose country has no COW ccode, e.g. "
            f"{examples}", UserWarning, stacklevel=2,
        )
    keep = ~lost
    return pd.DataFrame({
        "rcid": rcid[keep],
        "ccode": ccode[keep],
        "year": years[keep].astype(np.int64),
        "vote": vote[keep],
    })


def _read_voeten(
    path: str | os.PathLike[str] | pd.DataFrame, func: str, calendar: bool = False
) -> pd.DataFrame:
    """Voeten's long layout: numeric votes 1/2/3 kept, 8 and 9 (absent, not a member) NaN;
    the file's (session) year, or with ``calendar`` the year of its ``date`` column."""
    cols = ("rcid", "ccode", "vote", "year") + (("date",) if calendar else ())
    raw = _read_table(path, func, usecols=lambda c: str(c).strip().lower() in cols)
    if calendar:
        if "date" not in raw.columns:
            raise ValueError(f"{func}: year='calendar' needs a 'date' column; got {list(raw.columns)}")
        when = pd.to_datetime(raw["date"], errors="coerce", format="mixed")
        bad = raw["date"].notna() & when.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"{func}: column 'date' must hold dates; got {raw['date'].iloc[row]!r} in data "
                f"row {row + 1}"
            )
        # a roll call dated on some rows only takes that date on all of them
        when = when.groupby(raw["rcid"].to_numpy()).transform("first")
        undated = when.isna().to_numpy()
        if undated.any():
            warnings.warn(
                f"{func}: {pd.unique(raw['rcid'][undated]).size} roll call(s) "
                f"({int(undated.sum())} rows) have no date; their session year is kept",
                UserWarning, stacklevel=3,
            )
        raw["year"] = np.where(undated, pd.to_numeric(raw["year"], errors="coerce"),
                               when.dt.year.to_numpy(np.float64))
    vote = pd.to_numeric(raw["vote"], errors="coerce").to_numpy(np.float64)
    textual = raw["vote"].notna().to_numpy() & np.isnan(vote)
    bad = textual | (~np.isnan(vote) & ~np.isin(vote, (1, 2, 3, 8, 9)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{func}: column 'vote' must hold 1, 2, 3, 8 or 9; got {_plain(raw['vote'].iloc[row])!r} "
            f"in data row {row + 1}"
        )
    vote = np.where(vote >= 8, np.nan, vote)
    return pd.DataFrame({
        "rcid": _int_key(raw, "rcid", func),
        "ccode": _int_key(raw, "ccode", func),
        "year": _int_key(raw, "year", func),
        "vote": vote,
    })


def _roll_call_years(
    roll_calls: str | os.PathLike[str] | pd.DataFrame, rcid: np.ndarray, func: str,
    kind: str = "calendar",
) -> tuple[np.ndarray, np.ndarray]:
    """The year (float64) of each vote's roll call -- from ``year`` or ``date``, or with
    ``kind="session"`` 1945 + ``session`` -- and its date (NaT without a ``date``
    column); a roll call without a year raises."""
    rc = _read_table(roll_calls, func, keep_default_na=False, na_values=[""])
    if "rcid" not in rc.columns or not ({"year", "date"} & set(rc.columns)):
        raise ValueError(
            f"{func}: roll_calls must have 'rcid' and 'date' or 'year' columns; got {list(rc.columns)}"
        )
    when = (pd.to_datetime(rc["date"], errors="coerce") if "date" in rc.columns
            else pd.Series(pd.NaT, index=rc.index, dtype="datetime64[ns]"))
    if kind == "session":
        if "session" not in rc.columns:
            raise ValueError(
                f"{func}: year='session' needs a 'session' column in roll_calls; got "
                f"{list(rc.columns)}"
            )
        rc_year = 1945 + pd.to_numeric(rc["session"], errors="coerce")
    elif "year" in rc.columns:
        rc_year = pd.to_numeric(rc["year"], errors="coerce")
    else:
        rc_year = when.dt.year
    key = _int_key(rc, "rcid", func)
    first = ~pd.Index(key).duplicated()
    year_of = pd.Series(rc_year.to_numpy(np.float64)[first], index=key[first])
    date_of = pd.Series(when.to_numpy()[first], index=key[first])
    years = year_of.reindex(rcid).to_numpy(np.float64)
    if np.isnan(years).any():
        row = int(np.flatnonzero(np.isnan(years))[0])
        raise ValueError(f"{func}: roll_calls has no year for rcid {rcid[row]} (data row {row + 1})")
    return years, date_of.reindex(rcid).to_numpy("datetime64[ns]")


def _unvotes_ccodes(keys: pd.DataFrame) -> np.ndarray:
    """COW ccodes (int64, -1 where none) of the unvotes rows' (ISO2 ``code``, ``name``, ``year``).

    Each distinct key is converted once: ISO2 codes in the year of the vote,
    the states the table leaves without a code by name.
    """
    from .codes import convert

    uniq = keys.drop_duplicates().reset_index(drop=True)
    ccode_u = np.full(len(uniq), -1, dtype=np.int64)
    known: dict[str, bool] = {}
    for c in uniq["code"].dropna().unique().tolist():
        try:
            convert([c], from_="iso2", to="cow")
            known[c] = True
        except ValueError:
            known[c] = False
    has = uniq["code"].map(lambda c: c is not None and known.get(c, False)).to_numpy(bool)
    if has.any():
        res = convert(uniq["code"][has].to_numpy(dtype=object), from_="iso2", to="cow",
                      year=uniq["year"][has].to_numpy())
        res = np.asarray(res, dtype=np.float64)
        ccode_u[has] = np.where(np.isnan(res), -1, np.nan_to_num(res, nan=-1)).astype(np.int64)
    by_name = ~has & uniq["name"].isin(list(_UNVOTES_NAMES)).to_numpy()
    ccode_u[by_name] = uniq["name"][by_name].map(_UNVOTES_NAMES).to_numpy(np.int64)
    idx = keys.merge(uniq.assign(_i=np.arange(len(uniq))), on=["code", "name", "year"],
                     how="left")["_i"].to_numpy()
    return ccode_u[idx]



def read_idealpoints(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read Bailey, Strezhnev & Voeten's UN General Assembly ideal-point estimates.

    Layouts: the country-session file (``IdealpointestimatesAll_Jul2023``:
    ``ccode, session, NVotesAll, IdealPointAll, ...``; year = 1945 + session)
    and the country-year file (``IdealpointsJuly2025``: ``ccode, year,
    idealpointfp, idealpointall, idealpointlegacy, nvotesfp, ..., nvotesall``).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    DataFrame
        ``ccode, year`` (int64), ``idealpoint`` (float64, the estimate from all
        votes) and ``nvotes`` (float64), then, where the file has them,
        ``idealpointfp`` (foreign-policy votes only), ``idealpointlegacy``,
        ``nvotesfp`` and ``session``. Empty fields are NaN. File order.

    Raises
    ------
    ValueError
        A layout that is neither of the above, or duplicate (ccode, year) rows.

    References
    ----------
    Bailey, M. A., Strezhnev, A., & Voeten, E. (2017). Estimating dynamic state
    preferences from United Nations voting data. *Journal of Conflict Resolution*,
    61(2), 430-456.

    Examples
    --------
    >>> import multipolar as mp
    >>> ip = mp.read_idealpoints("IdealpointestimatesAll_Jul2023.csv")  # doctest: +SKIP
    """
    func = "read_idealpoints"
    from ._validation import check_unique

    raw = _read_table(path, func)
    out = pd.DataFrame({"ccode": _int_key(raw, "ccode", func)} if "ccode" in raw.columns else {})
    by_session = {"ccode", "session", "idealpointall"} <= set(raw.columns)
    if not by_session and not {"ccode", "year", "idealpointall"} <= set(raw.columns):
        raise ValueError(
            f"{func}: path is not a known ideal-point layout (ccode, session, IdealPointAll or "
            f"ccode, year, idealpointall); got columns {list(raw.columns)}"
        )

    def num(col: str) -> np.ndarray | float:
        if col not in raw.columns:
            return np.nan
        return pd.to_numeric(raw[col], errors="coerce").to_numpy(np.float64)

    if by_session:
        session = _int_key(raw, "session", func)
        out["year"] = session + 1945
    else:
        out["year"] = _int_key(raw, "year", func)
    out["idealpoint"] = num("idealpointall")
    out["nvotes"] = num("nvotesall")
    if by_session:
        out["session"] = session
    else:
        for extra in ("idealpointfp", "idealpointlegacy", "nvotesfp"):
            if extra in raw.columns:
                out[extra] = num(extra)
    check_unique(out, ("ccode", "year"), func)
    return out
