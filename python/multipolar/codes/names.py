"""English state names as analysts meet them: a table of patterns for the ``"name"`` system.

A name is first normalised (:func:`normalize_name`: accents dropped, case folded,
"&" read as "and", apostrophes removed, other punctuation turned into spaces, a
leading "the" dropped), then matched against the COW state names of the code
table and against :data:`NAME_PATTERNS`, each a regular expression that must
match the whole normalised name. The patterns cover the forms of the World
Bank's country names ("Korea, Rep.", "Iran, Islamic Rep.", "Egypt, Arab Rep."),
the UN's and ISO 3166's short names ("Russian Federation", "Korea, Republic
of", "Viet Nam", "Türkiye", "Côte d'Ivoire", "Bolivia (Plurinational State
of)"), news usage ("Russia", "Britain", "the US", "Burma") and the former names
of COW states ("Soviet Union", "Zaire", "Dahomey", "Upper Volta", "Ceylon",
"Swaziland").

Some names name several COW states over time; they carry all of them, and the
``year`` of :func:`multipolar.codes.convert` decides as for codes: "Germany" is
the German Federal Republic (260) in 1955-1990 and Germany (255) otherwise,
"Yemen" the Yemen Arab Republic (678) before 1990. Without a year the most
recent state wins. Names of places that are not COW states (territories such as
Puerto Rico or Hong Kong, regions and income groups such as "Euro area" or
"World") match no pattern and stay unknown.

Sources: ISO 3166-1 short names in English (ISO 3166 Maintenance Agency); the
UN Statistics Division's "Standard country or area codes for statistical use"
(M49) names; the World Bank's country and economy names in its World
Development Indicators; the COW State System Membership List v2016 for
historical names. The patterns are ours, written from those lists.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: (ccode, pattern over normalised names). A pattern must match the whole
#: normalised name; several rows may name the same state.
NAME_PATTERNS: tuple[tuple[int, str], ...] = (
    (2, r"(united states( of america)?|usa?|u s( a)?|america)"),
    (31, r"bahamas( the)?"),
    (52, r"trinidad( and)? tobago"),
    (56, r"(saint|st) lucia"),
    (57, r"(saint|st) vincent( and)?( the)? grenadines"),
    (58, r"antigua( and)? barbuda"),
    (60, r"(saint|st) (kitts|christopher)( and)? nevis"),
    (101, r"venezuela( rb| bolivarian republic( of)?| \(?bolivarian republic of\)?)?"),
    (145, r"bolivia( plurinational state( of)?)?"),
    (200, r"(united kingdom( of great britain and northern ireland)?|uk|u k|great britain|britain)"),
    (210, r"(the )?netherlands( kingdom of( the)?)?|holland"),
    (240, r"hanover|hannover"),
    (255, r"germany( federal republic( of)?)?|federal republic of germany"),
    (260, r"germany|west germany|federal republic of germany|germany federal republic( of)?"),
    (265, r"east germany|german democratic republic|gdr"),
    (271, r"wurtt?emb(e|u)rg"),
    (273, r"hesse( kassel| electoral)|electoral hesse"),
    (275, r"hesse( darmstadt| grand ducal)|grand ducal hesse"),
    (280, r"mecklenburg( schwerin)?"),
    (300, r"austria hungary|austro hungarian empire"),
    (315, r"czechoslovakia|czechoslovak socialist republic"),
    (316, r"czechia|czech republic"),
    (317, r"slovak republic|slovakia"),
    (327, r"papal states"),
    (329, r"two sicilies|kingdom of the two sicilies"),
    (343, r"(north )?macedonia( the former yugoslav republic of| republic of)?"
          r"|former yugoslav republic of macedonia"),
    (345, r"yugoslavia|serbia|serbia and montenegro|serbia montenegro"),
    (346, r"bosnia( and)? herzegovina|bosnia"),
    (359, r"moldova( republic of)?|republic of moldova"),
    (365, r"russia|russian federation|soviet union|ussr|union of soviet socialist republics"),
    (402, r"cape verde|cabo verde"),
    (403, r"sao tome( and)? principe"),
    (420, r"gambia( the)?"),
    (434, r"benin|dahomey"),
    (437, r"ivory coast|cote d ?ivoire"),
    (439, r"burkina faso|upper volta"),
    (484, r"congo( rep| republic( of( the)?)?| brazzaville)?|republic of( the)? congo"),
    (490, r"(democratic republic of( the)? congo|congo( dem rep| democratic republic( of( the)?)?"
          r"| kinshasa| dr)|dr congo|drc|zaire)"),
    (510, r"tanzania( united republic( of)?)?|united republic of tanzania"),
    (520, r"somalia( fed rep| federal republic( of)?)?"),
    (552, r"zimbabwe|rhodesia"),
    (572, r"swaziland|eswatini( kingdom of)?"),
    (630, r"iran( islamic rep| islamic republic( of)?)?|islamic republic of iran|persia"),
    (640, r"turkey|turkiye|republic of turkiye"),
    (651, r"egypt( arab rep| arab republic( of)?)?|united arab republic"),
    (652, r"syria|syrian arab republic"),
    (678, r"yemen( arab republic)?|north yemen"),
    (679, r"yemen( rep| republic( of)?)?|republic of yemen"),
    (680, r"south yemen|yemen (peoples|people s) (democratic )?republic|"
          r"(peoples|people s) democratic republic of yemen"),
    (703, r"kyrgyzstan|kyrgyz republic"),
    (710, r"china|(peoples|people s) republic of china|prc|china (peoples|people s) republic( of)?"),
    (713, r"taiwan( china| province of china)?|republic of china"),
    (730, r"korea"),
    (731, r"north korea|korea (dem|democratic) (peoples|people s) rep(ublic)?( of)?|"
          r"(dem|democratic) (peoples|people s) republic of korea|korea dpr|dprk"),
    (732, r"south korea|korea( rep| republic( of)?)|republic of korea|rok"),
    (775, r"myanmar( burma)?|burma"),
    (780, r"sri lanka|ceylon"),
    (811, r"cambodia|kampuchea"),
    (812, r"laos|lao( pdr| (peoples|people s) democratic republic)"),
    (816, r"vietnam|viet nam|north vietnam|democratic republic of vietnam"),
    (817, r"south vietnam|republic of vietnam"),
    (835, r"brunei( darussalam)?"),
    (860, r"east timor|timor leste"),
    (987, r"micronesia( fed sts| federated states( of)?)?|federated states of micronesia"),
    (990, r"samoa|western samoa"),
)

_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`\u00b4")


def normalize_name(name: str) -> str:
    """The normalised form names are matched in (see the module docstring)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").translate(_APOSTROPHES)
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


@functools.cache
def _compiled() -> tuple[tuple[int, re.Pattern[str]], ...]:
    return tuple((c, re.compile(p)) for c, p in NAME_PATTERNS)


@functools.cache
def _cow_names() -> dict[str, tuple[int, ...]]:
    """Normalised COW state name -> ccodes."""
    from .tables import _states_table

    table = _states_table()
    out: dict[str, tuple[int, ...]] = {}
    for c, n in zip(table["ccode"].tolist(), table["name"].tolist()):
        if n is not None:
            key = normalize_name(n)
            out[key] = (*out.get(key, ()), int(c))
    return out


# bounded: a column of many distinct strings must not grow the cache without limit
@functools.lru_cache(maxsize=4096)
def name_matches(name: str) -> tuple[int, ...]:
    """ccodes whose COW name or a pattern matches ``name`` in full (sorted; empty if none)."""
    key = normalize_name(name)
    if not key:
        return ()
    hits = set(_cow_names().get(key, ()))
    hits.update(c for c, pat in _compiled() if pat.fullmatch(key))
    return tuple(sorted(hits))
