"""Bargaining models: expected utility (Bueno de Mesquita), compromise, median voter.

Three forecasts of a collective decision on a one-dimensional issue from the
actors' positions x_i, capabilities c_i and saliences s_i (in [0, 1]):

- **compromise**: the capability x salience weighted mean
  ``sum c_i s_i x_i / sum c_i s_i`` (the "compromise model" of the EU
  decision-making literature, e.g. Achen 2006 in *The European Union
  Decides*);
- **median**: the weighted median voter, the position that beats every other
  in pairwise votes weighted by ``c_i s_i`` (Black 1948);
- **expected_utility**: Bueno de Mesquita's (1994) model of challenges,
  compromises and capitulations, as formalized by Scholz, Calbert & Smith
  (2011); its forecast is the weighted median after the bargaining rounds.

All issues of a call run in one C kernel (``csrc/bargaining.c``), on threads,
with the GIL released.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _core
from ._errors import call
from ._validation import factorize, require_columns, require_frame, value_array

__all__ = ["COUNCIL_VOTES", "MODELS", "BargainResult", "bargain", "bargain_issues", "evaluate_deu"]

#: Model names accepted by :func:`bargain`.
MODELS = ("expected_utility", "compromise", "median")

#: Win-probability normalizations accepted by :func:`bargain`, by their code in the C kernel.
_NORMALIZATIONS = {"pair": 0, "all": 1}

#: Council of the EU votes per member under qualified majority voting as set by
#: the Treaty of Nice (in force 2004-11-01 to 2014-10-31, and for QMV on request
#: until 2017-03-31), with the 2007 and 2013 accessions (Bulgaria, Romania,
#: Croatia), keyed by the DEU III actor codes. Source: Treaty of Nice, Protocol
#: on the enlargement of the EU, art. 3, as amended by the 2005 and 2012
#: Accession Treaties.
COUNCIL_VOTES = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7, "cy": 4, "ee": 4, "lv": 4,
    "lu": 4, "si": 4, "mt": 3,
}


@dataclass
class BargainResult:
    """Result of :func:`bargain`.

    Attributes
    ----------
    model : str
        The model run.
    forecast : float
        The forecast outcome: the weighted mean (compromise), the weighted
        median (median), or the weighted median after the last round
        (expected_utility).
    initial_median, initial_mean : float
        Weighted median and mean of the initial positions.
    rounds : DataFrame
        Expected utility only (else None): per round (0 = initial positions)
        the weighted ``median`` and ``mean`` of the positions.
    positions : DataFrame
        Expected utility only (else None): positions per round (rows) and
        actor (columns).
    """

    model: str
    forecast: float
    initial_median: float
    initial_mean: float
    rounds: pd.DataFrame | None
    positions: pd.DataFrame | None


def _check_params(func: str, model: str, rounds: object, q: float, t: float,
                  perspective: str, normalization: object = "pair") -> None:
    if model not in MODELS:
        raise ValueError(f"{func}: model must be one of {MODELS}; got {model!r}")
    if isinstance(rounds, (bool, np.bool_)) or not isinstance(rounds, numbers.Integral) or not (
        0 <= rounds <= 100_000
    ):
        raise ValueError(f"{func}: rounds must be an integer in [0, 100000]; got {rounds!r}")
    for name, v in (("q", q), ("t", t)):
        if not (isinstance(v, numbers.Real) and 0 <= v <= 1):
            raise ValueError(f"{func}: {name} must be in [0, 1]; got {v!r}")
    if perspective not in ("proposer", "receiver"):
        raise ValueError(
            f"{func}: perspective must be 'proposer' or 'receiver'; got {perspective!r}"
        )
    if not (isinstance(normalization, str) and normalization in _NORMALIZATIONS):
        raise ValueError(
            f"{func}: normalization must be 'pair' or 'all'; got {normalization!r}"
        )


#: The user's words for the kernel's arguments (errors restated by _errors.call).
_COLUMN_NAMES = {c: f"column {c!r}" for c in ("position", "capability", "salience")}


def _columns(df: pd.DataFrame, func: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    require_columns(df, ["position", "capability", "salience"], func, "actors")
    out = []
    for col in ("position", "capability", "salience"):
        arr = value_array(df[col], func, col).astype(np.float64)
        nan = np.isnan(arr)
        if nan.any():
            raise ValueError(
                f"{func}: column {col!r} must not be missing; got NaN in row {int(np.argmax(nan))}"
            )
        out.append(arr)
    pos, cap, sal = out
    bad = (sal < 0) | (sal > 1)
    if bad.any():
        raise ValueError(
            f"{func}: column 'salience' must be in [0, 1] (rescale 0-100 data first); got "
            f"{float(sal[bad][0])!r}"
        )
    bad = ~np.isfinite(cap) | (cap < 0)
    if bad.any():
        raise ValueError(
            f"{func}: column 'capability' must be finite and >= 0; got {float(cap[bad][0])!r}"
        )
    if not np.all(np.isfinite(pos)):
        raise ValueError(
            f"{func}: column 'position' must be finite; got {float(pos[~np.isfinite(pos)][0])!r}"
        )
    return pos, cap, sal


def bargain(
    actors: pd.DataFrame,
    model: str = "expected_utility",
    rounds: int = 10,
    *,
    q: float = 1.0,
    t: float = 1.0,
    perspective: str = "proposer",
    normalization: str = "pair",
) -> BargainResult:
    """Forecast a collective decision with the expected-utility, compromise or median model.

    **Compromise**: ``sum_i c_i s_i x_i / sum_i c_i s_i``. **Median**: the
    position minimizing ``sum_i c_i s_i |x_i - y|`` (the Condorcet winner of
    votes ``v_k(i, j) = c_k s_k (|x_k - x_j| - |x_k - x_i|)``); when exactly
    half the weight lies on each side, the midpoint of the two middle
    positions.

    **Expected utility** (Bueno de Mesquita 1994; Scholz, Calbert & Smith
    2011). Each round, with the current weighted median mu and the issue's
    range (largest minus smallest initial position):

    1. P_ij = sum_k max(v_k(i, j), 0) / sum_k |v_k(i, j)| -- the probability
       that i prevails over j, normalized over the votes on *that* pair
       (``normalization="pair"``; see below for ``"all"``);
    2. with all risk exponents 1, the security of i's position
       D_i = sum_{j != i} EU_ji gives R_i = (2 D_i - max D - min D) /
       (max D - min D) and the risk exponent r_i = (1 - R_i/3) / (1 + R_i/3);
    3. with r, the expected utility of i challenging j is::

           EU_ij = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s
                   - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]

       with U_s = 2 - 4 (0.5 - 0.5 d)^r, U_f = 2 - 4 (0.5 + 0.5 d)^r,
       U_b = 2 - 4 (0.5 - 0.25 (d_mu + d))^r, U_w = 2 - 4 (0.5 + 0.25 (d_mu + d))^r,
       U_sq = 2 - 4 (0.5)^r, d = |x_i - x_j| / range, d_mu = |x_i - mu| / range.
       Note the minus sign on the whole (1 - Q) term;
    4. actor i, judging both EU_ij and EU_ji with its own r_i (``perspective=
       "proposer"``; with ``"receiver"`` the target j's r_j is used), offers j:
       *conflict* if EU_ij > EU_ji > 0 (j moves to x_i); *compromise* if
       EU_ij > 0 > EU_ji and |EU_ji| < EU_ij (j moves the fraction
       |EU_ji / EU_ij| of the way to x_i); *capitulation* if EU_ij > 0 > EU_ji
       and |EU_ji| > EU_ij (j moves to x_i);
    5. every actor accepts the offer that moves it least (ties: the first
       proposer in row order); all actors move at once.

    The forecast is the weighted median after ``rounds`` rounds. Known errors
    of public ports avoided here: a plus sign on the (1 - Q) term and a
    capitulation test that can never be true.

    **Normalization of the win probabilities.** ``"pair"`` (the default)
    divides by the votes on the pair at hand, as in step 1, so P_ij + P_ji =
    1: our reading of Scholz, Calbert & Smith (2011). ``"all"`` divides the
    same numerator by the votes summed over all ordered pairs,
    ``sum_{a != b} sum_k |v_k(a, b)|`` (P_ij + P_ji is then at most 1/2), as
    the public replications of Scholz et al.'s Table 2 do. On the EC
    car-emissions example (10 actors, positions 4/7/10; weighted median 7 and
    mean 7.390 at round 0) the two give, by round (rounds 1-10):

    ============================ ===== ===== ===== ===== ===== ===== ===== ===== ===== =====
    normalization, perspective       1     2     3     4     5     6     7     8     9    10
    ============================ ===== ===== ===== ===== ===== ===== ===== ===== ===== =====
    "pair", "proposer" median    7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00
    "pair", "proposer" mean      7.00  6.71  7.09  7.07  7.06  7.05  7.04  7.04  7.03  7.03
    "pair", "receiver" median    7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00  7.00
    "pair", "receiver" mean      7.26  7.25  7.14  7.15  7.17  7.09  7.02  6.96  6.91  6.90
    "all", "proposer" median     7.78  7.38  9.55  9.99 10.00 10.00 10.00  7.01  9.45  9.98
    "all", "proposer" mean       7.27  7.42  7.54  7.56  7.56  7.56  7.56  7.42  7.53  7.56
    "all", "receiver" median     8.43  9.49  9.94 10.00 10.00 10.00 10.00 10.00  7.00  8.24
    "all", "receiver" mean       7.47  7.53  7.55  7.55  7.55  7.56  7.56  7.56  7.42  7.48
    ============================ ===== ===== ===== ===== ===== ===== ===== ===== ===== =====

    Only ``normalization="all"`` with ``perspective="receiver"`` comes close
    to the figures quoted for Scholz et al.'s Table 2 (medians about 8.4,
    9.9, 9.9; round means about 7.4, 7.5; not checked against the article);
    with ``"pair"`` the forecast stays at the initial median 7. With
    ``"all"`` the positions do not settle: after reaching 10 the median falls
    back to 7 and climbs again (the quoted later rounds fall too).

    Parameters
    ----------
    actors : DataFrame
        Columns ``position``, ``capability`` (>= 0) and ``salience`` (in
        [0, 1]; 0-100 data must be rescaled first), optionally ``actor``
        (names for the position table; the index is used otherwise).
    model : {"expected_utility", "compromise", "median"}
    rounds : int
        Bargaining rounds of the expected-utility model.
    q : float
        Probability Q that the status quo persists if i does not challenge
        (1.0 as in Bueno de Mesquita 1994 and both public replications).
    t : float
        Probability T that, if it changes anyway, it improves for i.
    perspective : {"proposer", "receiver"}
        Whose risk exponent judges an offer (see step 4).
    normalization : {"pair", "all"}
        Denominator of the win probabilities: the votes on the pair at hand
        (default) or the votes over all pairs (see above).

    Returns
    -------
    BargainResult

    Raises
    ------
    ValueError
        Missing columns or values, salience outside [0, 1], negative
        capability, unknown model, bad rounds/q/t/perspective/normalization.
    TypeError
        Non-numeric columns, ``actors`` not a DataFrame.

    References
    ----------
    Bueno de Mesquita, B. (1994). Political forecasting: an expected utility
    method. In B. Bueno de Mesquita & F. N. Stokman (Eds.), *European
    Community Decision Making* (pp. 71-104). Yale University Press.
    Scholz, J. B., Calbert, G. J., & Smith, G. A. (2011). Unravelling Bueno de
    Mesquita's group decision model. *Journal of Theoretical Politics*,
    23(4), 510-531.
    Black, D. (1948). On the rationale of group decision-making. *Journal of
    Political Economy*, 56(1), 23-34.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ec = pd.DataFrame({"position": [4, 7, 10], "capability": [1.0, 1.0, 3.0],
    ...                    "salience": [0.8, 0.4, 0.6]})
    >>> mp.bargain(ec, model="median").forecast
    10.0
    >>> round(mp.bargain(ec, model="compromise").forecast, 4)
    8.0
    """
    func = "bargain"
    require_frame(actors, func, "actors")
    _check_params(func, model, rounds, q, t, perspective, normalization)
    pos, cap, sal = _columns(actors, func)
    if len(pos) == 0:
        raise ValueError(f"{func}: actors must have at least one row; got 0")
    eu_rounds = int(rounds) if model == "expected_utility" else 0
    out_pos, med, mean = _run(
        func, (pos, cap, sal), np.array([0, len(pos)], dtype=np.int64), eu_rounds, q, t,
        perspective, normalization,
    )
    forecast = float(mean[0, 0]) if model == "compromise" else float(med[0, -1])
    table = pos_table = None
    if model == "expected_utility":
        table, pos_table = _round_tables(actors, out_pos, med[0], mean[0])
    return BargainResult(model, forecast, float(med[0, 0]), float(mean[0, 0]), table, pos_table)


def _run(
    func: str, columns: tuple[np.ndarray, np.ndarray, np.ndarray], ptr: np.ndarray,
    rounds: int, q: float, t: float, perspective: str, normalization: str,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One call of the kernel on the issues ``ptr`` delimits (rows grouped by issue):
    final positions, and the weighted median and mean of every round."""
    pos, cap, sal = columns
    return call(
        func, _core.bargain_issues, position=pos, capability=cap, salience=sal, issue_ptr=ptr,
        rounds=int(rounds), q=float(q), t=float(t), receiver=perspective == "receiver",
        normalization=_NORMALIZATIONS[normalization], names=_COLUMN_NAMES, rows=rows,
    )


def _round_tables(
    actors: pd.DataFrame, out_pos: np.ndarray, med: np.ndarray, mean: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median and mean by round, and every actor's position by round."""
    names = actors["actor"].to_numpy() if "actor" in actors.columns else actors.index
    idx = pd.RangeIndex(len(med), name="round")
    table = pd.DataFrame({"median": med, "mean": mean}, index=idx)
    return table, pd.DataFrame(out_pos, index=idx, columns=pd.Index(names, name="actor"))


def bargain_issues(
    df: pd.DataFrame,
    issue: str = "issue",
    rounds: int = 10,
    *,
    q: float = 1.0,
    t: float = 1.0,
    perspective: str = "proposer",
    normalization: str = "pair",
) -> pd.DataFrame:
    """All three models on many issues at once (one C call, issues on threads).

    Parameters
    ----------
    df : DataFrame
        Long frame: one row per (issue, actor) with ``issue``, ``position``,
        ``capability`` and ``salience`` (in [0, 1]) columns. Rows of an issue
        need not be contiguous.
    issue : str
        The issue column.
    rounds, q, t, perspective, normalization
        As in :func:`bargain`.

    Returns
    -------
    DataFrame
        Indexed by issue (sorted): ``n`` actors, ``compromise`` (weighted
        mean), ``median`` (weighted median) and ``expected_utility`` (weighted
        median after ``rounds`` rounds) forecasts.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"issue": [1, 1, 2, 2], "position": [0, 100, 20, 40],
    ...                    "capability": 1.0, "salience": [1.0, 0.5, 0.5, 0.5]})
    >>> mp.bargain_issues(df)[["compromise", "median"]].round(2).to_numpy().tolist()
    [[33.33, 0.0], [30.0, 30.0]]
    """
    func = "bargain_issues"
    require_frame(df, func)
    _check_params(func, "expected_utility", rounds, q, t, perspective, normalization)
    require_columns(df, [issue], func)
    codes, uniques = factorize(df[issue], func, issue, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    pos, cap, sal = _columns(df, func)
    counts = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    _, med, mean = _run(
        func, (pos[order], cap[order], sal[order]), ptr, rounds, q, t, perspective,
        normalization, rows=order,
    )
    return pd.DataFrame(
        {"n": counts, "compromise": mean[:, 0], "median": med[:, 0], "expected_utility": med[:, -1]},
        index=pd.Index(uniques, name=issue),
    )


def evaluate_deu(
    deu: pd.DataFrame | str | os.PathLike[str],
    capability: str = "gdp",
    rounds: int = 10,
    *,
    missing_salience: float = 0.5,
    perspective: str = "proposer",
) -> pd.DataFrame:
    """Mean absolute error of the three models on the DEU III issues.

    Every usable issue -- an observed outcome and at least two actors with a
    position -- is forecast by each model and compared with the outcome on
    the issue's 0-100 scale.

    Capability (our choice, stated with the result): ``"gdp"`` uses the GDP
    row that the DEU III redistribution adds (in which the Commission and the
    Parliament carry Germany's value); ``"votes"`` uses the Council votes of
    the Treaty of Nice (:data:`COUNCIL_VOTES`, public facts), with the
    Commission and the Parliament given the largest member's 29; ``"equal"``
    gives every actor 1.

    Parameters
    ----------
    deu : DataFrame or path
        The frame of :func:`multipolar.read_deu`, or the file to read.
    capability : {"gdp", "votes", "equal"}
    rounds : int
        Expected-utility rounds.
    missing_salience : float
        Salience in [0, 1] given to an actor that has a position but no
        salience (54 cells of the file); the count is reported in
        ``df.attrs["imputed_salience"]``.
    perspective : str
        As in :func:`bargain`.

    Returns
    -------
    DataFrame
        Index ``model`` (compromise, median, expected_utility, and
        ``reference_point`` -- the status quo where the file has one, a naive
        baseline); columns ``mae``, ``rmse``, ``n_issues``. ``df.attrs`` holds
        ``issues`` (the per-issue forecasts), ``capability``, ``rounds``.

    Examples
    --------
    >>> import multipolar as mp
    >>> mp.evaluate_deu("deu3_blksv.tsv", capability="votes")  # doctest: +SKIP
    """
    func = "evaluate_deu"
    if not isinstance(deu, (pd.DataFrame, str, os.PathLike)):
        raise TypeError(
            f"{func}: deu must be a DataFrame or a path; got {type(deu).__name__}"
        )
    if not isinstance(deu, pd.DataFrame):
        from .io import read_deu

        deu = read_deu(deu)
    require_columns(deu, ["issue", "actor", "position", "salience", "outcome"], func, "deu")
    if capability not in ("gdp", "votes", "equal"):
        raise ValueError(f"{func}: capability must be 'gdp', 'votes' or 'equal'; got {capability!r}")
    if not (isinstance(missing_salience, numbers.Real) and 0 <= missing_salience <= 1):
        raise ValueError(f"{func}: missing_salience must be in [0, 1]; got {missing_salience!r}")
    d = deu[deu["position"].notna() & deu["outcome"].notna()].copy()
    sal = pd.to_numeric(d["salience"], errors="coerce")
    if sal.notna().sum() < d["salience"].notna().sum() or ((sal < 0) | (sal > 1)).any():
        bad = d["salience"][d["salience"].notna() & ~sal.between(0, 1)].iloc[0]
        raise ValueError(
            f"{func}: deu salience must be numbers in [0, 1] (read_deu rescales the file's "
            f"0-100 salience); got {bad!r}"
        )
    d["salience"] = sal
    imputed = int(d["salience"].isna().sum())
    d["salience"] = d["salience"].fillna(float(missing_salience))
    if capability == "gdp":
        require_columns(deu, ["gdp"], func, "deu")
        d["capability"] = d["gdp"]
    elif capability == "votes":
        top = max(COUNCIL_VOTES.values())
        d["capability"] = d["actor"].map(lambda a: COUNCIL_VOTES.get(a, top)).astype(np.float64)
    else:
        d["capability"] = 1.0
    n = d.groupby("issue")["position"].transform("size")
    d = d[n >= 2]
    res = bargain_issues(d, rounds=rounds, perspective=perspective)
    issue_info = d.groupby("issue")[["outcome", "reference"]].first()
    res = res.join(issue_info)
    rows = {}
    for model in ("compromise", "median", "expected_utility", "reference"):
        err = (res[model] - res["outcome"]).dropna()
        rows["reference_point" if model == "reference" else model] = {
            "mae": float(err.abs().mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "n_issues": len(err),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    out.attrs.update(
        {"issues": res, "capability": capability, "rounds": rounds, "imputed_salience": imputed}
    )
    return out
