"""Groupings of states as actors: NATO, the EU, the G7, BRICS, the SCO, the CSTO, your own.

A :class:`Group` is a set of membership spells of COW states (ccodes) with
join and leave years. The package carries the memberships of NATO, the EU,
the G7 (and the G8), BRICS, the SCO and the CSTO as public facts, with their
sources below; :func:`group_power`, :func:`group_cohesion` and
:func:`group_trade` treat any group as an actor in the analyses of capability,
foreign-policy similarity and trade.

Counting rule
-------------
Membership is counted by the state's status at the end of each year: a spell
``(join, leave)`` covers the years ``join <= t < leave``. A state that joins
during year t counts from t (Finland joined NATO on 4 April 2023 and counts
from 2023); a state that leaves during year t counts through t - 1 (the
United Kingdom left the EU on 31 January 2020 and counts through 2019).
Before a group's founding (and from its dissolution) it has no members: its
values are NaN, not 0.

Sources
-------
Each built-in group's comment lists its members with COW ccodes, dates and
sources: NATO (nato.int, "NATO member countries"), the EU (european-union.europa.eu,
"EU enlargement"; the withdrawal agreement, OJ L 29, 31.1.2020), the G7 and G8
(G7 Research Group, g7.utoronto.ca), BRICS (summit declarations 2009, 2011, 2023;
Brazil's 2025 chairship on Indonesia), the SCO (eng.sectsco.org; the 2001
founding declaration) and the CSTO (en.odkb-csto.org; UNTS No. 32307). The tests
check every spell against COW's system membership list.

Germany
-------
COW codes West Germany as 260 (1955-1990) and unified Germany as 255 (from
3 October 1990); its data list both in 1990. The built-in groups hold 260 until
1990 and 255 from 1990, so a group counts Germany once in 1990 (unified
Germany, the state at the end of the year).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from ._validation import (
    _is_int,
    check_unique,
    factorize,
    int_keys,
    require_columns,
    require_frame,
    resolve_states,
    value_array,
)
from .trade import _dyad_table, _ratio

__all__ = [
    "BRICS",
    "CSTO",
    "EU",
    "G7",
    "G8",
    "GROUPS",
    "NATO",
    "SCO",
    "Group",
    "group_cohesion",
    "group_power",
    "group_trade",
]

_OPEN_START = np.iinfo(np.int64).min
_OPEN_END = np.iinfo(np.int64).max


def _year_or_none(x: object, func: str, what: str) -> int | None:
    if x is None:
        return None
    if not _is_int(x):
        raise TypeError(f"{func}: {what} must be an int year or None; got {x!r}")
    return int(x)


class Group:
    """A grouping of states with membership spells, usable as one actor.

    Parameters
    ----------
    name : str
        The group's name (non-empty), used in result frames.
    members : mapping or list-like
        States are ccodes, or COW abbreviations, ISO3/ISO2 codes or English
        names ("RUS", "Russian Federation"). Either a list-like of states,
        members in every year the group exists,
        or a mapping from state to its spells, each given as

        - ``None``: member in every year the group exists;
        - an int ``join``: member from ``join`` on;
        - a pair ``(join, leave)``: member in the years ``join <= t < leave``
          (``leave=None``: still a member; ``join=None``: since the founding);
        - a list of such pairs, for a state that left and came back.

        A state is an int (COW ccode) or a str (COW abbreviation).
    founded : int, optional
        First year the group exists. Default: the earliest join year (or
        always, if some member has no join year).
    dissolved : int, optional
        First year the group no longer exists. Default: it still exists.

    Attributes
    ----------
    name : str
    founded, dissolved : int or None
    spells : DataFrame
        ``ccode, join, leave`` (``leave`` and ``join`` as nullable Int64; missing
        means open).

    Raises
    ------
    TypeError
        ``name`` is not a str, a state is neither int nor str, or a year is not
        an int.
    ValueError
        ``name`` is empty, a state is unknown, a spell is empty
        (``join >= leave``), two spells of one state overlap, or a spell starts
        before ``founded``.

    Notes
    -----
    A state counts as a member in year t if its status at the end of t is
    member: a spell ``(join, leave)`` covers ``join <= t < leave``. Before
    ``founded`` and from ``dissolved`` on, the group has no members and the
    group functions return NaN for it.

    Examples
    --------
    >>> import multipolar as mp
    >>> quad = mp.Group("Quad", {"USA": 2007, "JPN": 2007, "IND": 2007,
    ...                          "AUL": [(2007, 2008), (2017, None)]})
    >>> quad.members_in(2010).tolist()
    [2, 740, 750]
    >>> quad.is_member([900, 900], [2010, 2020]).tolist()
    [False, True]
    """

    __slots__ = ("_ccode", "_dissolved", "_founded", "_join", "_leave", "_name")

    def __init__(
        self,
        name: str,
        members: Mapping[Any, Any] | Iterable[Any],
        *,
        founded: int | None = None,
        dissolved: int | None = None,
    ) -> None:
        func = "Group"
        if not isinstance(name, str):
            raise TypeError(f"{func}: name must be a str; got {name!r}")
        if not name.strip():
            raise ValueError(f"{func}: name must not be empty; got {name!r}")
        founded = _year_or_none(founded, func, "founded")
        dissolved = _year_or_none(dissolved, func, "dissolved")
        if founded is not None and dissolved is not None and dissolved <= founded:
            raise ValueError(
                f"{func}: dissolved must come after founded; got founded={founded}, "
                f"dissolved={dissolved}"
            )
        if isinstance(members, Mapping):
            items = list(members.items())
        elif isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
            raise TypeError(
                f"{func}: members must be a mapping of states to spells or a list of states; "
                f"got {type(members).__name__}"
            )
        else:
            items = [(m, None) for m in members]
        rows: list[tuple[int, int, int]] = []
        for state, spec in items:
            ccode = int(resolve_states([state], func, "members")[0])
            for join, leave in _spells_of(spec, state, func):
                j = _OPEN_START if join is None else join
                lv = _OPEN_END if leave is None else leave
                if j >= lv:
                    raise ValueError(
                        f"{func}: members has an empty spell for {state!r} (join must come "
                        f"before leave); got ({join}, {leave})"
                    )
                if founded is not None and join is not None and join < founded:
                    raise ValueError(
                        f"{func}: members has a spell of {state!r} starting before "
                        f"founded={founded}; got join={join}"
                    )
                rows.append((ccode, j, lv))
        rows.sort()
        for (c0, _, l0), (c1, j1, _) in pairwise(rows):
            if c0 == c1 and j1 < l0:
                raise ValueError(f"{func}: members has overlapping spells of ccode {c0}; got "
                                 f"{[r[1:] for r in rows if r[0] == c0]}")
        if founded is None and rows and all(r[1] != _OPEN_START for r in rows):
            founded = min(r[1] for r in rows)
        self._name = name
        self._ccode = np.array([r[0] for r in rows], dtype=np.int64)
        self._join = np.array([r[1] for r in rows], dtype=np.int64)
        self._leave = np.array([r[2] for r in rows], dtype=np.int64)
        self._founded = founded
        self._dissolved = dissolved

    # -- attributes -------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def founded(self) -> int | None:
        return self._founded

    @property
    def dissolved(self) -> int | None:
        return self._dissolved

    @property
    def spells(self) -> pd.DataFrame:
        join = pd.array(np.where(self._join == _OPEN_START, 0, self._join), dtype="Int64")
        leave = pd.array(np.where(self._leave == _OPEN_END, 0, self._leave), dtype="Int64")
        join[self._join == _OPEN_START] = pd.NA
        leave[self._leave == _OPEN_END] = pd.NA
        return pd.DataFrame({"ccode": self._ccode.copy(), "join": join, "leave": leave})

    def __repr__(self) -> str:
        n = len(np.unique(self._ccode))
        life = f"founded {self._founded}" if self._founded is not None else "always"
        if self._dissolved is not None:
            life += f", dissolved {self._dissolved}"
        return f"Group({self._name!r}, {n} states, {life})"

    # -- membership -------------------------------------------------------------

    def exists(self, years: Any) -> np.ndarray:
        """Whether the group exists in each year (``founded <= t < dissolved``), as a bool array."""
        y = np.asarray(years, dtype=np.int64)
        ok = np.ones(y.shape, dtype=bool)
        if self._founded is not None:
            ok &= y >= self._founded
        if self._dissolved is not None:
            ok &= y < self._dissolved
        return ok

    def is_member(self, ccodes: Any, years: Any) -> np.ndarray:
        """Whether each ccode is a member in the matching year, as a bool array.

        ``ccodes`` and ``years`` broadcast against each other. False wherever the
        group does not exist.
        """
        c, y = np.broadcast_arrays(
            np.asarray(ccodes, dtype=np.int64), np.asarray(years, dtype=np.int64)
        )
        out = np.zeros(c.shape, dtype=bool)
        if len(self._ccode) == 0 or c.size == 0:
            return out
        # Spells are sorted by (ccode, join); slot k holds the k-th spell of each state.
        uniq, first, counts = np.unique(self._ccode, return_index=True, return_counts=True)
        pos = np.searchsorted(uniq, c)
        pos = np.minimum(pos, len(uniq) - 1)
        hit = uniq[pos] == c
        for k in range(int(counts.max())):
            has = counts > k
            idx = np.where(has, first + k, first)
            join = np.where(has, self._join[idx], _OPEN_END)
            leave = np.where(has, self._leave[idx], _OPEN_START)
            out |= hit & (y >= join[pos]) & (y < leave[pos])
        return out & self.exists(y)

    def members_in(self, year: int) -> np.ndarray:
        """The sorted ccodes of the members in ``year`` (empty before the founding)."""
        if not _is_int(year):
            raise TypeError(f"Group.members_in: year must be an int; got {year!r}")
        cand = np.unique(self._ccode)
        return cand[self.is_member(cand, int(year))]


def _spells_of(spec: object, state: object, func: str) -> list[tuple[int | None, int | None]]:
    if spec is None:
        return [(None, None)]
    if _is_int(spec):
        return [(int(spec), None)]
    if isinstance(spec, tuple) and len(spec) == 2 and all(x is None or _is_int(x) for x in spec):
        return [(None if spec[0] is None else int(spec[0]), None if spec[1] is None else int(spec[1]))]
    if isinstance(spec, list) and spec:
        out = []
        for s in spec:
            if _is_int(s) or s is None or isinstance(s, list):
                raise TypeError(
                    f"{func}: members[{state!r}] must be None, a join year, a (join, leave) "
                    f"pair or a list of pairs; got {spec!r}"
                )
            out.extend(_spells_of(s, state, func))
        return out
    raise TypeError(
        f"{func}: members[{state!r}] must be None, a join year, a (join, leave) pair or a "
        f"list of pairs; got {spec!r}"
    )


# ---- the built-in groups -------------------------------------------------------

_GERMANY = {260: (None, 1990), 255: (1990, None)}  # joined with the founders; see module notes

#: NATO (North Atlantic Treaty Organization), 1949-.
#:
#: Founders (treaty signed 4 April 1949): USA 2, CAN 20, UKG 200, NTH 210, BEL 211,
#: LUX 212, FRN 220, POR 235, ITA 325, NOR 385, DEN 390, ICE 395. Accessions: Greece
#: 350 and Turkey 640 (18 Feb 1952); West Germany 260 (6 May 1955; unified Germany
#: 255 from 1990); Spain 230 (30 May 1982); Czech Republic 316, Hungary 310, Poland
#: 290 (12 Mar 1999); Bulgaria 355, Estonia 366, Latvia 367, Lithuania 368, Romania
#: 360, Slovakia 317, Slovenia 349 (29 Mar 2004); Albania 339, Croatia 344 (1 Apr
#: 2009); Montenegro 341 (5 Jun 2017); North Macedonia 343 (27 Mar 2020); Finland
#: 375 (4 Apr 2023); Sweden 380 (7 Mar 2024). France's (1966-2009) and Greece's
#: (1974-1980) absence from the integrated military command did not end membership.
#: Source: NATO, "NATO member countries" (nato.int, topics_52044) and "Enlargement and
#: Article 10" (topics_49212).
NATO = Group(
    "NATO",
    {
        2: 1949, 20: 1949, 200: 1949, 210: 1949, 211: 1949, 212: 1949, 220: 1949,
        235: 1949, 325: 1949, 385: 1949, 390: 1949, 395: 1949,
        350: 1952, 640: 1952,
        260: (1955, 1990), 255: 1990,
        230: 1982,
        316: 1999, 310: 1999, 290: 1999,
        355: 2004, 366: 2004, 367: 2004, 368: 2004, 360: 2004, 317: 2004, 349: 2004,
        339: 2009, 344: 2009,
        341: 2017,
        343: 2020,
        375: 2023,
        380: 2024,
    },
    founded=1949,
)

#: The European Union and its predecessor, the European Economic Community /
#: European Communities, from 1958 (the Treaty of Rome in force on 1 January 1958;
#: the Maastricht Treaty made it the EU on 1 November 1993). The 1952 Coal and
#: Steel Community is not counted.
#:
#: Founders: BEL 211, FRN 220, West Germany 260 (unified Germany 255 from 1990),
#: ITA 325, LUX 212, NTH 210. Accessions: Denmark 390, Ireland 205, United Kingdom
#: 200 (1973); Greece 350 (1981); Portugal 235, Spain 230 (1986); Austria 305,
#: Finland 375, Sweden 380 (1995); Cyprus 352, Czech Republic 316, Estonia 366,
#: Hungary 310, Latvia 367, Lithuania 368, Malta 338, Poland 290, Slovakia 317,
#: Slovenia 349 (1 May 2004); Bulgaria 355, Romania 360 (2007); Croatia 344 (1 Jul
#: 2013). The United Kingdom left on 31 January 2020 (member through 2019).
#: Source: European Union, "EU enlargement" and "Country profiles"
#: (european-union.europa.eu); Agreement on the withdrawal of the United Kingdom,
#: OJ L 29, 31.1.2020.
EU = Group(
    "EU",
    {
        211: 1958, 220: 1958, 325: 1958, 212: 1958, 210: 1958,
        260: (1958, 1990), 255: 1990,
        390: 1973, 205: 1973, 200: (1973, 2020),
        350: 1981,
        235: 1986, 230: 1986,
        305: 1995, 375: 1995, 380: 1995,
        352: 2004, 316: 2004, 366: 2004, 310: 2004, 367: 2004, 368: 2004, 338: 2004,
        290: 2004, 317: 2004, 349: 2004,
        355: 2007, 360: 2007,
        344: 2013,
    },
    founded=1958,
)

#: The Group of Seven, from its first summit (Rambouillet, November 1975: France
#: 220, West Germany 260 / Germany 255 from 1990, Italy 325, Japan 740, United
#: Kingdom 200, United States 2); Canada 20 from the 1976 San Juan summit. The
#: European Union takes part but is not a state and is not counted.
#: Russia is not a member: it joined the leaders' summits as the G8 from 1997
#: (Denver "Summit of the Eight"; formally G8 from Birmingham 1998) until its
#: suspension on 24 March 2014, while the seven kept meeting as the G7 (notably
#: the finance ministers); see :data:`G8` for the eight.
#: Source: G7 Research Group, University of Toronto, "G7/8 summits" (g7.utoronto.ca).
G7 = Group(
    "G7",
    {2: 1975, 200: 1975, 220: 1975, 325: 1975, 740: 1975, 260: (1975, 1990), 255: 1990,
     20: 1976},
    founded=1975,
)

#: The Group of Eight: the G7 members and Russia 365, 1997-2013 (we date it from
#: Russia's full participation at Denver, June 1997; Russia was suspended on
#: 24 March 2014 and the 2014 Sochi summit was replaced by the G7 in Brussels, so
#: the group is dissolved from 2014). Source as for :data:`G7`.
G8 = Group(
    "G8",
    {2: 1997, 20: 1997, 200: 1997, 220: 1997, 325: 1997, 740: 1997, 255: 1997, 365: 1997},
    founded=1997,
    dissolved=2014,
)

#: BRICS, from the first BRIC leaders' summit (Yekaterinburg, 16 June 2009):
#: Brazil 140, Russia 365, India 750, China 710 (their foreign ministers had met as
#: BRIC since September 2006; we date the group from the summit). South Africa 560
#: from 2011, the group's first enlargement: invited on 24 December 2010, it took
#: its seat as a member at the Sanya summit of 14 April 2011. Egypt 651, Ethiopia 530, Iran 630 and
#: the United Arab Emirates 696 from 1 January 2024; Indonesia 850 from 6 January
#: 2025. Saudi Arabia 670 was invited in August 2023 but has not confirmed its
#: membership (BRICS documents list it inconsistently): it is not counted; add it
#: with ``Group("BRICS+SAU", {**spells, "SAU": 2024})`` if your question needs it.
#: Sources: Joint Statement of the BRIC Countries' Leaders, Yekaterinburg, 16 June
#: 2009; Sanya Declaration, 14 April 2011; XV BRICS Summit Johannesburg II
#: Declaration, 23 August 2023; Brazil's BRICS Chairship statement on Indonesia,
#: 6 January 2025.
BRICS = Group(
    "BRICS",
    {140: 2009, 365: 2009, 750: 2009, 710: 2009, 560: 2011,
     651: 2024, 530: 2024, 630: 2024, 696: 2024, 850: 2025},
    founded=2009,
)

#: The Shanghai Cooperation Organisation, founded in Shanghai on 15 June 2001 by
#: China 710, Russia 365, Kazakhstan 705, Kyrgyzstan 703, Tajikistan 702 and
#: Uzbekistan 704. Its forerunner, the "Shanghai Five" (the 1996 Shanghai agreement
#: of the five without Uzbekistan), is not counted: the group starts in 2001. India
#: 750 and Pakistan 770 became full members on 9 June 2017 (Astana), Iran 630 on
#: 4 July 2023, Belarus 370 on 4 July 2024. Observers and dialogue partners are not
#: members. Source: SCO Secretariat, "General information" (eng.sectsco.org);
#: Declaration on the Establishment of the SCO, 15 June 2001.
SCO = Group(
    "SCO",
    {710: 2001, 365: 2001, 705: 2001, 703: 2001, 702: 2001, 704: 2001,
     750: 2017, 770: 2017, 630: 2023, 370: 2024},
    founded=2001,
)

#: The Collective Security Treaty Organization, dated from the Collective Security
#: Treaty (Tashkent, 15 May 1992; the Organization itself was chartered on 7 October
#: 2002 by the then parties). Signatories 1992: Armenia 371, Kazakhstan 705,
#: Kyrgyzstan 703, Russia 365, Tajikistan 702, Uzbekistan 704; Azerbaijan 373
#: (24 Sep 1993), Georgia 372 (9 Dec 1993) and Belarus 370 (31 Dec 1993) acceded
#: in 1993. Azerbaijan, Georgia and Uzbekistan did not sign the 1999 protocol
#: renewing the treaty and left in April 1999 (members through 1998). Uzbekistan
#: rejoined in 2006 (decision of 16 August 2006) and suspended its membership in
#: December 2012 (member 2006-2011). Armenia froze its participation in February 2024
#: but has not withdrawn: it is counted as a member.
#: Sources: CSTO, "From the Treaty to the Organization" (en.odkb-csto.org); Collective
#: Security Treaty, UNTS vol. 1894, No. 32307.
CSTO = Group(
    "CSTO",
    {371: 1992, 705: 1992, 703: 1992, 365: 1992, 702: 1992,
     704: [(1992, 1999), (2006, 2012)],
     373: (1993, 1999), 372: (1993, 1999), 370: 1993},
    founded=1992,
)

#: The built-in groups by name.
GROUPS: dict[str, Group] = {g.name: g for g in (NATO, EU, G7, G8, BRICS, SCO, CSTO)}


def _as_groups(groups: object, func: str, arg: str = "groups") -> list[Group]:
    """Normalise a Group, a built-in name, or a list of them, to a list of Groups."""
    if isinstance(groups, (Group, str)):
        items: list[Any] = [groups]
    elif isinstance(groups, Mapping):
        items = list(groups.values())
    elif isinstance(groups, Iterable):
        items = list(groups)
    else:
        raise TypeError(
            f"{func}: {arg} must be a Group, a group name or a list of them; "
            f"got {type(groups).__name__}"
        )
    out = []
    for g in items:
        if isinstance(g, str):
            found = GROUPS.get(g.upper())
            if found is None:
                raise ValueError(
                    f"{func}: {arg} names an unknown group (known: {', '.join(GROUPS)}); got {g!r}"
                )
            g = found
        if not isinstance(g, Group):
            raise TypeError(
                f"{func}: {arg} must be a Group, a group name or a list of them; got {g!r}"
            )
        out.append(g)
    if not out:
        raise ValueError(f"{func}: {arg} must name at least one group; got {groups!r}")
    names = [g.name for g in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"{func}: {arg} must have unique names; got {dup} more than once")
    return out


# ---- capability ------------------------------------------------------------------


def group_power(
    nmc_frame: pd.DataFrame,
    groups: Group | str | Iterable[Group | str],
    *,
    value: str = "cinc",
    as_actors: bool = False,
) -> pd.DataFrame:
    """Share of world capability held by each group, per year.

    For group G and year t, with v_i the value (CINC by default) of state i::

        share_Gt = sum_{i in G in year t} v_it / sum_{all i} v_it

    over the rows of ``nmc_frame`` with a value. Groups may overlap (a state
    counts in each group it belongs to). With ``as_actors=True``, each group
    becomes one actor whose value is the sum of its members', every other state
    stays an actor of its own, and :func:`multipolar.concentration` is computed
    over these actors (groups must not overlap).

    Parameters
    ----------
    nmc_frame : DataFrame
        State-year frame with ``ccode, year`` and ``value`` (as
        :func:`multipolar.read_nmc` or :func:`multipolar.power_frame` returns
        it). ``cinc`` is recomputed from the six components when the frame has
        none, ``net_power`` from ``gdp`` and ``population``.
    groups : Group, str or list of them
        Groups (built-in ones by name: "NATO", "EU", "G7", "G8", "BRICS", "SCO",
        "CSTO").
    value : str, default "cinc"
        The capability column; any non-negative measure works, e.g. ``"gdp"``
        or ``"net_power"`` of a :func:`multipolar.power_frame` (World Bank data
        to 2023/2024; years past COW's lists are fine, groups are dated by
        their own membership tables).
    as_actors : bool, default False
        Return the concentration of capability over actors instead.

    Returns
    -------
    DataFrame
        ``as_actors=False``: columns ``year`` (int64), ``group`` (str),
        ``share`` (float64), one row per year of the frame and group, sorted by
        year then the order of ``groups``. ``share`` is NaN before a group's
        founding, after its dissolution, and when the world total is 0.
        ``as_actors=True``: the :func:`multipolar.concentration` frame indexed
        by year (``hhi, con, n_eff, entropy, gini, top1, top2, n``).

    Raises
    ------
    TypeError
        Bad argument types, a non-numeric column.
    ValueError
        Missing columns, duplicate (ccode, year) rows, negative or infinite
        values, unknown group names; with ``as_actors=True``, a state-year that
        belongs to two groups.

    Warns
    -----
    UserWarning
        Member rows without a value (left out of the group's and the world's
        totals), with their count.

    References
    ----------
    Singer, J. D., Bremer, S., & Stuckey, J. (1972). Capability distribution,
    uncertainty, and major power war, 1820-1965.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> nmc = pd.DataFrame({"ccode": [2, 365, 710, 2, 365, 710],
    ...                     "year": [2008, 2008, 2008, 2010, 2010, 2010],
    ...                     "cinc": [0.5, 0.2, 0.3, 0.4, 0.2, 0.4]})
    >>> mp.group_power(nmc, ["BRICS", "G7"])
       year  group  share
    0  2008  BRICS    NaN
    1  2008     G7    0.5
    2  2010  BRICS    0.6
    3  2010     G7    0.4
    """
    func = "group_power"
    require_frame(nmc_frame, func, "nmc_frame")
    if not isinstance(value, str):
        raise TypeError(f"{func}: value must be a column name (str); got {value!r}")
    if not isinstance(as_actors, (bool, np.bool_)):
        raise TypeError(f"{func}: as_actors must be True or False; got {as_actors!r}")
    glist = _as_groups(groups, func)
    from .power import _derive

    # cinc from the NMC components, net_power from gdp and population, when absent
    nmc_frame = _derive(nmc_frame, value, func)
    require_columns(nmc_frame, ["ccode", "year", value], func, "nmc_frame")
    c = int_keys(nmc_frame["ccode"], func, "ccode")
    y = int_keys(nmc_frame["year"], func, "year")
    check_unique([c, y], ("ccode", "year"), func, "nmc_frame")
    v = value_array(nmc_frame[value], func, value).astype(np.float64)
    bad = (v < 0) | np.isinf(v)
    if bad.any():
        raise ValueError(f"{func}: column {value!r} must be finite and non-negative; got {v[bad][0]!r}")
    present = ~np.isnan(v)
    v0 = np.where(present, v, 0.0)
    yc, years = factorize(y, func, "year", dtype=np.int64)
    Y = len(years)
    world = np.bincount(yc, weights=v0, minlength=Y)
    member = [g.is_member(c, y) for g in glist]
    missing = int(sum(np.count_nonzero(m & ~present) for m in member))
    if missing:
        warnings.warn(
            f"{func}: {missing} member row(s) have no {value!r} value (left out of the totals)",
            UserWarning,
            stacklevel=2,
        )
    if as_actors:
        return _actor_concentration(glist, member, c, y, v, present, func)
    shares = np.empty((Y, len(glist)))
    for k, (g, m) in enumerate(zip(glist, member)):
        tot = np.bincount(yc, weights=np.where(m, v0, 0.0), minlength=Y)
        shares[:, k] = np.where(g.exists(years), _ratio(tot, world), np.nan)
    return _year_group_frame(years, glist, {"share": shares})


def _year_group_frame(years: np.ndarray, glist: list[Group], cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame of one row per (year, group), year-major; each of ``cols`` is years x groups."""
    return pd.DataFrame(
        {
            "year": np.repeat(years, len(glist)),
            "group": np.tile(np.array([g.name for g in glist], dtype=object), len(years)),
            **{name: arr.ravel() for name, arr in cols.items()},
        }
    )


def _actor_concentration(glist, member, c, y, v, present, func) -> pd.DataFrame:
    from .power import concentration

    count = np.zeros(len(c), dtype=np.int64)
    for m in member:
        count += m
    if (count > 1).any():
        k = int(np.flatnonzero(count > 1)[0])
        both = [g.name for g, m in zip(glist, member) if m[k]]
        raise ValueError(
            f"{func}: groups must not overlap with as_actors=True; got ccode {int(c[k])} in "
            f"{' and '.join(both)} in {int(y[k])}"
        )
    own = (count == 0) & present
    parts = [pd.DataFrame({"year": y[own], "value": v[own]})]
    for m in member:
        sel = m & present
        if sel.any():
            sums = pd.Series(v[sel]).groupby(y[sel]).sum()
            parts.append(pd.DataFrame({"year": sums.index.to_numpy(np.int64), "value": sums.to_numpy()}))
    actors = pd.concat(parts, ignore_index=True)
    out = concentration(actors, value="value", by="year")
    # Years whose rows are all missing still get a (NaN) row.
    years = np.unique(y)
    return out.reindex(pd.Index(years, name="year")) if len(out) != len(years) else out


# ---- similarity --------------------------------------------------------------------


def group_cohesion(
    similarity_frame: pd.DataFrame,
    group: Group | str,
    measure: str = "kappa",
) -> pd.DataFrame:
    """Mean foreign-policy similarity within a group and towards outsiders, per year.

    For group G in year t, over the dyad rows (i, j) with a value of the
    measure::

        within_t  = mean of m_ij over rows with i and j both members
        between_t = mean of m_ij over rows with exactly one of i, j a member

    A directed frame (both orders of each dyad) and an undirected one (each
    dyad once) give the same means for a symmetric measure. ``within -
    between`` is a simple cohesion gap: positive when members agree more with
    each other than with the rest.

    Parameters
    ----------
    similarity_frame : DataFrame
        Dyad-year frame with ``ccode1, ccode2, year`` and the ``measure`` column
        (e.g. the similarity functions' ``kappa``, ``s``, ``pi``, ``tau``), any
        row order. NaN values are left out of the means. Rows with ccode1 ==
        ccode2 are left out and counted in a warning.
    group : Group or str
        The group (a built-in one by name).
    measure : str, default "kappa"
        The similarity column.

    Returns
    -------
    DataFrame
        Columns ``year`` (int64), ``within, between`` (float64), ``n_within,
        n_between`` (int64, rows averaged), one row per year of the frame,
        sorted. Means are NaN when no row qualifies, in particular before the
        group's founding.

    Raises
    ------
    TypeError
        Bad argument types, a non-numeric column.
    ValueError
        Missing columns or keys, duplicate (ccode1, ccode2, year) rows, unknown
        group names.

    References
    ----------
    Signorino, C. S., & Ritter, J. M. (1999). Tau-b or not tau-b: Measuring the
    similarity of foreign policy positions. *International Studies Quarterly*,
    43(1), 115-144. Häge, F. M. (2011). Choice or circumstance? Adjusting
    measures of foreign policy similarity for chance agreement. *Political
    Analysis*, 19(3), 287-305.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> sim = pd.DataFrame({"ccode1": [365, 710, 365, 2], "ccode2": [710, 365, 2, 365],
    ...                     "year": 2005, "kappa": [0.8, 0.8, 0.1, 0.1]})
    >>> mp.group_cohesion(sim, "SCO")
       year  within  between  n_within  n_between
    0  2005     0.8      0.1         2          2
    """
    func = "group_cohesion"
    from .relations import RelationMatrix

    if isinstance(similarity_frame, RelationMatrix):
        raise TypeError(
            f"{func}: similarity_frame must be a pandas DataFrame (ccode1, ccode2, year, "
            f"{measure}), as multipolar.similarity returns; got a RelationMatrix: pass "
            f"R.to_frame().rename(columns={{'actor1': 'ccode1', 'actor2': 'ccode2', "
            f"'value': {measure!r}}}).assign(year=R.at), "
            f"or the frame of multipolar.similarity(...)"
        )
    require_frame(similarity_frame, func, "similarity_frame")
    if not isinstance(measure, str):
        raise TypeError(f"{func}: measure must be a column name (str); got {measure!r}")
    if not isinstance(group, (Group, str)):
        raise TypeError(f"{func}: group must be a Group or a group name; got {group!r}")
    (g,) = _as_groups(group, func, "group")
    require_columns(similarity_frame, ["ccode1", "ccode2", "year", measure], func, "similarity_frame")
    c1 = int_keys(similarity_frame["ccode1"], func, "ccode1")
    c2 = int_keys(similarity_frame["ccode2"], func, "ccode2")
    y = int_keys(similarity_frame["year"], func, "year")
    v = value_array(similarity_frame[measure], func, measure).astype(np.float64)
    check_unique([c1, c2, y], ("ccode1", "ccode2", "year"), func, "similarity_frame")
    self_rows = c1 == c2
    n_self = int(np.count_nonzero(self_rows))
    if n_self:
        warnings.warn(
            f"{func}: {n_self} row(s) pair a state with itself (left out)",
            UserWarning,
            stacklevel=2,
        )
    yc, years = factorize(y, func, "year", dtype=np.int64)
    Y = len(years)
    m1 = g.is_member(c1, y)
    m2 = g.is_member(c2, y)
    ok = ~np.isnan(v) & ~self_rows
    v0 = np.where(ok, v, 0.0)
    w_in = m1 & m2 & ok
    w_out = (m1 ^ m2) & ok
    n_in = np.bincount(yc, weights=w_in.astype(np.float64), minlength=Y)
    n_out = np.bincount(yc, weights=w_out.astype(np.float64), minlength=Y)
    s_in = np.bincount(yc, weights=np.where(w_in, v0, 0.0), minlength=Y)
    s_out = np.bincount(yc, weights=np.where(w_out, v0, 0.0), minlength=Y)
    within = _ratio(s_in, n_in)
    between = _ratio(s_out, n_out)
    return pd.DataFrame(
        {
            "year": years,
            "within": within,
            "between": between,
            "n_within": n_in.astype(np.int64),
            "n_between": n_out.astype(np.int64),
        }
    )


# ---- trade ----------------------------------------------------------------------------


def group_trade(
    trade: pd.DataFrame,
    groups: Group | str | Iterable[Group | str],
    *,
    year: int | Iterable[int] | None = None,
    smoothed: bool = False,
) -> pd.DataFrame:
    """Intra-group and extra-group trade of each group, per year.

    With trade_ij = flow1 + flow2 of the dyad (see
    :func:`multipolar.dependence`), members' total trade T_G = sum over
    members i of sum_j trade_ij, I = trade among members (each dyad once) and
    E = trade of members with non-members::

        intra_share = 2 I / T_G,   extra_share = E / T_G,   T_G = 2 I + E

    the members' trade with each other as a share of their total trade
    (imports plus exports), so an intra-group flow counts once as an export and
    once as an import, as in the intra-regional trade share of UNCTAD and the
    WTO; the two shares sum to 1.

    Parameters
    ----------
    trade : DataFrame
        Dyad-year trade frame, as for :func:`multipolar.dependence`.
    groups : Group, str or list of them
        Groups (built-in ones by name); they may overlap.
    year : int or list of int, optional
        Only these years.
    smoothed : bool, default False
        Use COW's smoothed flows.

    Returns
    -------
    DataFrame
        Columns ``year`` (int64), ``group`` (str), ``intra_trade``,
        ``extra_trade`` (I and E, in the flows' unit), ``intra_share``,
        ``extra_share`` (float64); one row per year of the frame and group,
        sorted by year then the order of ``groups``. NaN before a group's
        founding and after its dissolution; the shares are NaN when T_G = 0.

    Warns
    -----
    TradeDataWarning
        Rows missing one or both directions, as in :func:`multipolar.dependence`.

    References
    ----------
    UNCTAD, *Handbook of Statistics*, "Intra-group trade" (intra-trade share of
    total trade of the group).

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode1": [365, 365], "ccode2": [710, 2], "year": 2005,
    ...                    "flow1": [3.0, 1.0], "flow2": [1.0, 1.0]})
    >>> mp.group_trade(df, "SCO")
       year group  intra_trade  extra_trade  intra_share  extra_share
    0  2005   SCO          4.0          2.0          0.8          0.2
    """
    func = "group_trade"
    glist = _as_groups(groups, func)
    tab = _dyad_table(trade, func, year=year, smoothed=smoothed)
    Y = len(tab.years)
    cols: dict[str, np.ndarray] = {
        k: np.empty((Y, len(glist)))
        for k in ("intra_trade", "extra_trade", "intra_share", "extra_share")
    }
    for k, g in enumerate(glist):
        grid = g.is_member(tab.states[:, None], tab.years[None, :])  # S x Y
        m1 = grid[tab.a, tab.yc]
        m2 = grid[tab.b, tab.yc]
        tot = np.bincount(tab.yc, weights=np.where(m1, tab.trade, 0.0), minlength=Y)
        intra2 = np.bincount(tab.yc, weights=np.where(m1 & m2, tab.trade, 0.0), minlength=Y)
        extra = tot - intra2
        alive = g.exists(tab.years)
        for col, arr in (
            ("intra_trade", intra2 / 2.0),
            ("extra_trade", extra),
            ("intra_share", _ratio(intra2, tot)),
            ("extra_share", _ratio(extra, tot)),
        ):
            cols[col][:, k] = np.where(alive, arr, np.nan)
    out = _year_group_frame(tab.years, glist, cols)
    tab.warn(func)
    return out
