"""State identities, code conversion and COW state-year and dyad-year panels.

The canonical name of a state is its Correlates of War (COW) country code, an
integer ``ccode``. This package carries three small fact tables, loaded lazily
from ``multipolar/data/`` the first time they are needed:

``states.csv``
    One row per COW state (217 rows): ``ccode``, ``cowabb`` (COW abbreviation),
    ``name`` (COW state name), ``iso3`` and ``iso2`` (ISO 3166-1 alpha-3 and
    alpha-2), ``cameo`` (CAMEO country code) and ``gw`` (Gleditsch-Ward
    number). An empty field means the state has no code in that system.
``system_spells.csv``
    The 243 COW system-membership spells (``ccode, start, end``), v2016.
``major_spells.csv``
    The 14 COW major-power spells (``ccode, start, end``), v2024.

Code systems (the ``from_``/``to``/``codes`` arguments)
-------------------------------------------------------
``"cow"`` (int ccode), ``"cowabb"``, ``"iso3"``, ``"iso2"``, ``"cameo"``,
``"gw"`` (int) and ``"name"`` (the COW state name). The systems collide:
"AUS" is Austria in COW but Australia in ISO and CAMEO; likewise SWZ, MNG,
SLV, MAC, KOR, CZE and SAF. Never guess a system.

Choices made in the table
-------------------------
* Historical states carry their historical ISO codes: Czechoslovakia 315
  CSK/CS, German Democratic Republic 265 DDR/DD, Yemen People's Republic 680
  YMD/YD, Yugoslavia 345 YUG/YU, and the Yemen Arab Republic 678 YEM/YE (the
  code it held until unification; Yemen 679 kept it). Germany 255 and the
  German Federal Republic 260 both carry DEU/DE.
* Codes that changed while COW kept the number are period codes: COW 345 is
  SCG/CS (Serbia and Montenegro) in 2003-2006 and SRB/RS (Serbia) from 2006;
  in G-W, COW 255 is 260 from 1990 and COW 345 is 340 (Serbia) up to 1917 and
  from 2006. ``convert(..., year=...)`` uses them; without ``year`` the table
  code is used.
* Former ISO 3166-3 codes of COW states are read as input (never produced):
  SUN/SU (365), ZAR/ZR (490), BUR/BU (775), DHY/DY (434), HVO/HV (439),
  RHO/RH (552), TMP/TP (860), ROM (360, ISO alpha-3 until 2002) and SCG/CS.
  Kosovo's user-assigned XKX/XK (the World Bank's codes) are read as 347.
* No ISO code: the German and Italian states of the 19th century,
  Austria-Hungary 300, Papal States 327 (Vatican City is a different state),
  Zanzibar 511, Korea 730, Republic of Vietnam 817, and Kosovo 347 (XK/XKX are
  user-assigned, not ISO codes).
* CAMEO country codes follow ISO alpha-3 except ROM (Romania), MTN
  (Montenegro) and TMP (East Timor). Our reading where the CAMEO manual has
  no historical code: Yugoslavia 345 is SRB and the Yemen Arab Republic 678
  is YEM; other historical states and Kosovo have none. With a year before
  1993, CAMEO CZE and SVK read as Czechoslovakia 315 (event coders use
  today's codes for the Czech and Slovak lands; Czechia 316 and Slovakia
  317 enter the system in 1993); from 1993, and without a year, they are
  316 and 317. ISO CZE/SVK keep naming Czechia and Slovakia in every year
  (an ISO code names its own state: a World Bank CZE row of 1991 is the
  Czech lands, not Czechoslovakia), so a reader reports those years as
  outside the system.
* CAMEO's regional codes (AFR, EUR, MEA, SAF -- Southern Africa, not COW's
  South Africa --, WST, ...) and places such as PSE, WSB and GZS are
  :data:`CAMEO_REGIONS`: known CAMEO codes that name no state, so
  :func:`convert` gives a missing value for them (and
  ``RelationMatrix.to_codes(..., errors="drop")`` sets them aside).
* G-W numbers equal COW ccodes except as noted above and that Yemen 679 is
  G-W 678. COW micro-states (e.g. Monaco, Nauru, Tuvalu) are not in the G-W
  list of independent states and have none. G-W states with no COW state
  (89, 99, 563, 564, 711, 815) are known G-W codes that convert to missing.

Membership rule
---------------
A state is a system member (or a major power) in a year if one of its spells
covers any part of that year. A spell that ends on its list's last date
(2016-12-31 for the system list, 2024-12-31 for the major-power list) marks
the edge of the list, not an exit: the state stays a member in every later
year, projected years included.

Sources
-------
* Correlates of War Project. 2017. "State System Membership List, v2016"
  and its codebook. http://correlatesofwar.org
* Correlates of War Project. State System Membership v2024, major-power list.
* ISO 3166-1 (country codes) and ISO 3166-3 (code elements for formerly used
  names of countries), ISO 3166 Maintenance Agency.
* Schrodt, Philip A. 2012. *CAMEO Conflict and Mediation Event Observations
  Event and Actor Codebook*, v1.1b3, country codes.
* Gleditsch, Kristian S. and Michael D. Ward. 1999. "Interstate System
  Membership: A Revised List of the Independent States since 1816."
  *International Interactions* 25: 393-413.

Layout: ``tables`` (the fact tables and the codebook), ``convert`` (conversion and
state lookup), ``panels`` (membership, state-year and dyad-year panels).
"""

from __future__ import annotations

from .convert import convert, lookup_state, lookup_states
from .panels import dyad_years, is_major, is_member, majors, members, state_years
from .tables import CAMEO_REGIONS, SYSTEMS, major_spells, states, system_spells
from .tables import _codebook as _codebook  # the resolved codebook, read by tests

__all__ = [
    "CAMEO_REGIONS",
    "SYSTEMS",
    "convert",
    "dyad_years",
    "is_major",
    "is_member",
    "lookup_state",
    "lookup_states",
    "major_spells",
    "majors",
    "members",
    "state_years",
    "states",
    "system_spells",
]
