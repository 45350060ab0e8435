"""Scenarios against evidence: indicators, scenario scores, competing hypotheses.

Two auditable ways to weigh futures (e.g. a formal Russia-China alliance, a
partnership short of one, a drift to multipolarity, hardening blocs):

- :func:`score_scenarios` -- observed series (:class:`Indicator`) against what
  each :class:`Scenario` expects of them (a :class:`Direction`, a
  :class:`Threshold` or a :class:`Distribution`), updated period by period
  with Bayes' rule under forgetting and an autocorrelation discount (so a
  trending series does not compound into certainty); every indicator's
  log-likelihood-ratio contribution is reported, so one sees why a future
  leads;
- :func:`compete` -- Heuer's Analysis of Competing Hypotheses done as Bayes,
  with a Monte Carlo sensitivity analysis over uncertain likelihoods in C
  (``csrc/scenarios.c``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import call

__all__ = [
    "DRAW_BLOCK",
    "FORGETTING",
    "RATINGS",
    "ACHResult",
    "Direction",
    "Distribution",
    "Indicator",
    "Scenario",
    "ScenarioScores",
    "Threshold",
    "compete",
    "score_scenarios",
]

#: Default likelihood P(evidence | hypothesis) of each ACH rating (our choice,
#: symmetric around "N"; only ratios between hypotheses matter). Heuer's
#: scale: CC very consistent, C consistent, N neutral, I inconsistent, II very
#: inconsistent, NA not applicable (neutral).
RATINGS = {"CC": 0.9, "C": 0.7, "N": 0.5, "NA": 0.5, "I": 0.3, "II": 0.1}
#: Heuer's inconsistency weight of each rating.
_INCONSISTENCY = {"I": 1.0, "II": 2.0}
#: Draws per block of the sensitivity analysis; each block has its own stream.
DRAW_BLOCK = 1024
#: Default forgetting factor of :func:`score_scenarios` (our choice: an evidence
#: memory of 1 / (1 - 0.95) = 20 periods, i.e. about 20 years of annual data).
FORGETTING = 0.95


# --------------------------------------------------------------------------- expectations


def _prob(p: object, cls: str) -> float:
    if not (isinstance(p, numbers.Real) and 0 < p < 1):
        raise ValueError(f"{cls}: p must be in (0, 1); got {p!r}")
    return float(p)


def _lagged(x: pd.Series, lag: int) -> np.ndarray:
    """x at period t - lag for each period t (NaN where the series has no such period)."""
    idx = x.index
    step: Any = None
    if pd.api.types.is_integer_dtype(idx.dtype) or isinstance(idx, pd.PeriodIndex):
        step = lag
    elif isinstance(idx, pd.DatetimeIndex) and idx.freq is not None:
        step = lag * idx.freq
    if step is None or not idx.is_unique:
        return x.shift(lag).to_numpy(np.float64)
    return x.reindex(idx - step).to_numpy(np.float64)


@dataclass(frozen=True)
class Direction:
    """Expect the indicator to move ``"up"``, ``"down"`` or stay ``"flat"``.

    The change over ``lag`` periods, ``dx = x_t - x_{t-lag}``, matches when
    ``dx > tol`` (up), ``dx < -tol`` (down) or ``|dx| <= tol`` (flat). The
    likelihood of the observation under the scenario is ``p`` if it matches
    and ``1 - p`` otherwise. Periods are counted by label on an integer
    (year) index, a PeriodIndex and a DatetimeIndex with a frequency, so a
    gap in the series leaves ``dx`` missing (no evidence) rather than
    spanning the gap; on other indexes ``t - lag`` is ``lag`` rows earlier.
    """

    direction: str
    p: float = 0.8
    tol: float = 0.0
    lag: int = 1

    def __post_init__(self) -> None:
        if self.direction not in ("up", "down", "flat"):
            raise ValueError(f"Direction: direction must be 'up', 'down' or 'flat'; got {self.direction!r}")
        _prob(self.p, "Direction")
        if not (isinstance(self.tol, numbers.Real) and self.tol >= 0):
            raise ValueError(f"Direction: tol must be >= 0; got {self.tol!r}")
        if isinstance(self.lag, bool) or not isinstance(self.lag, numbers.Integral) or self.lag < 1:
            raise ValueError(f"Direction: lag must be an integer >= 1; got {self.lag!r}")

    def loglik(self, x: pd.Series) -> np.ndarray:
        dx = (x.to_numpy(np.float64) - _lagged(x, self.lag))
        if self.direction == "up":
            hit = dx > self.tol
        elif self.direction == "down":
            hit = dx < -self.tol
        else:
            hit = np.abs(dx) <= self.tol
        out = np.where(hit, math.log(self.p), math.log1p(-self.p))
        return np.where(np.isnan(dx), np.nan, out)


@dataclass(frozen=True)
class Threshold:
    """Expect the indicator above (or below) ``value``.

    Likelihood ``p`` when ``x_t > value`` (``above=True``; ``x_t < value``
    otherwise) and ``1 - p`` when not.
    """

    value: float
    above: bool = True
    p: float = 0.8

    def __post_init__(self) -> None:
        if not (isinstance(self.value, numbers.Real) and math.isfinite(self.value)):
            raise ValueError(f"Threshold: value must be a finite number; got {self.value!r}")
        _prob(self.p, "Threshold")

    def loglik(self, x: pd.Series) -> np.ndarray:
        v = x.to_numpy(np.float64)
        hit = v > self.value if self.above else v < self.value
        out = np.where(hit, math.log(self.p), math.log1p(-self.p))
        return np.where(np.isnan(v), np.nan, out)


@dataclass(frozen=True)
class Distribution:
    """Expect the indicator to follow a distribution.

    Either a normal ``N(mean, sd)`` or, with ``dist``, any object with a
    ``logpdf`` method (e.g. a frozen ``scipy.stats`` distribution). The
    likelihood is the density at the observed value.
    """

    mean: float = 0.0
    sd: float = 1.0
    dist: Any = None

    def __post_init__(self) -> None:
        if self.dist is None:
            if not (isinstance(self.sd, numbers.Real) and self.sd > 0 and math.isfinite(self.sd)):
                raise ValueError(f"Distribution: sd must be > 0; got {self.sd!r}")
        elif not hasattr(self.dist, "logpdf"):
            raise TypeError(f"Distribution: dist must have a logpdf method; got {self.dist!r}")

    def loglik(self, x: pd.Series) -> np.ndarray:
        v = x.to_numpy(np.float64)
        if self.dist is not None:
            out = np.asarray(self.dist.logpdf(v), dtype=np.float64)
        else:
            z = (v - self.mean) / self.sd
            out = -0.5 * z * z - math.log(self.sd) - 0.5 * math.log(2 * math.pi)
        return np.where(np.isnan(v), np.nan, out)


_EXPECTATIONS = (Direction, Threshold, Distribution)


def _check_expectation(e: object, where: str) -> Any:
    if not isinstance(e, _EXPECTATIONS):
        raise TypeError(
            f"score_scenarios: {where} must be a Direction, Threshold or Distribution; got {e!r}"
        )
    return e


@dataclass
class Indicator:
    """A named observed series and, per scenario, what that scenario expects of it.

    Parameters
    ----------
    name : str
        Indicator name (unique among the indicators scored together).
    series : Series
        Observations indexed by period (years, dates), e.g. a column of
        :func:`multipolar.concentration` or a dyad series. NaN means not
        observed (no evidence that period).
    expects : dict, optional
        Scenario name -> :class:`Direction`, :class:`Threshold` or
        :class:`Distribution`.
    """

    name: str
    series: pd.Series
    expects: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    """A possible future: a prior, its expectations of indicators, and weights.

    Parameters
    ----------
    name : str
        Scenario name.
    prior : float
        Prior weight (> 0); priors are normalized over the scenarios scored.
    expects : dict, optional
        Indicator name -> expectation (as in :class:`Indicator`).
    weights : dict, optional
        Indicator name -> weight w >= 0 (default 1): the indicator's
        log-likelihood is multiplied by w (w < 1 discounts a noisy or
        redundant indicator).
    """

    name: str
    prior: float = 1.0
    expects: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)


@dataclass
class ScenarioScores:
    """Result of :func:`score_scenarios`.

    Attributes
    ----------
    posterior : DataFrame
        Period x scenario posterior probabilities (rows sum to 1).
    score : DataFrame
        Period x scenario log score ``ln prior + sum of weighted
        log-likelihoods`` (unnormalized log posterior).
    contributions : DataFrame
        Index (period, indicator), columns scenarios: each indicator's
        log-likelihood ratio that period, against the mean over scenarios,
        after its weight and its autocorrelation discount.
    discount : DataFrame
        Per indicator: ``n`` (pairs of consecutive observed periods),
        ``rho1`` (lag-1 autocorrelation of the series, clipped to [0, 1)),
        ``n_eff`` and ``factor`` = n_eff / n applied to its log-likelihoods
        (1 when ``discount=None``, or with fewer than 3 pairs).
    forgetting : float
        The forgetting factor used (1 = plain Bayes accumulation).
    """

    posterior: pd.DataFrame
    score: pd.DataFrame
    contributions: pd.DataFrame
    discount: pd.DataFrame | None = None
    forgetting: float = 1.0

    def _headline(self) -> list[tuple[str, str]]:
        post = self.posterior
        rows = [("scenarios", str(post.shape[1])), ("periods", str(post.shape[0]))]
        if post.shape[0]:
            rows[1] = ("periods", f"{post.index[0]}-{post.index[-1]} ({post.shape[0]})")
            last = post.iloc[-1].sort_values(ascending=False, kind="stable")
            rows.append((f"leading in {post.index[-1]}", f"{last.index[0]} (p = {last.iloc[0]:.2f})"))
            rows.append(("posterior", ", ".join(f"{k} {v:.2f}" for k, v in last.items())))
        if self.forgetting != 1.0:
            rows.append(("forgetting", f"{self.forgetting:g}"))
        return rows

    def __repr__(self) -> str:
        return "ScenarioScores(" + "; ".join(f"{k}: {v}" for k, v in self._headline()) + ")"

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table("ScenarioScores", self._headline())

    def to_frame(self) -> pd.DataFrame:
        """Long frame: one row per (period, scenario), ``posterior`` and ``score``."""
        post = self.posterior.rename_axis(index="period", columns="scenario")
        out = post.stack().rename("posterior").to_frame()
        out["score"] = self.score.rename_axis(index="period", columns="scenario").stack()
        return out

    def plot(self, ax: Any = None) -> Any:
        """Posterior probability of each scenario per period, one line each."""
        from .plot import _integer_years, _new_axes

        if ax is None:
            ax = _new_axes()
        x = self.posterior.index.to_numpy()
        for name in self.posterior.columns:
            ax.plot(x, self.posterior[name].to_numpy(), marker="o", markersize=3, label=str(name))
        ax.set_ylim(0, 1)
        ax.set_xlabel(str(self.posterior.index.name or "period"))
        if np.issubdtype(x.dtype, np.integer):
            _integer_years(ax)
        ax.set_ylabel("posterior probability (0-1)")
        ax.set_title("Scenario posterior by period")
        ax.legend(loc="best", fontsize="small", title="scenario")
        return ax


def _autocorr_discount(
    indicators: list[Indicator], periods: pd.Index, on: bool
) -> pd.DataFrame:
    """Per indicator: pairs of consecutive observed periods, lag-1 autocorrelation of
    the series (clipped to [0, 1)), effective number of observations, factor."""
    rows = []
    for ind in indicators:
        x = ind.series.astype(np.float64).sort_index().reindex(periods).to_numpy()
        a, b = x[:-1], x[1:]
        pair = np.isfinite(a) & np.isfinite(b)
        n = int(pair.sum())
        rho = np.nan
        if n >= 3:
            aa, bb = a[pair] - a[pair].mean(), b[pair] - b[pair].mean()
            den = math.sqrt(float((aa * aa).sum()) * float((bb * bb).sum()))
            # a constant series carries one piece of evidence however long it is
            rho = float((aa * bb).sum()) / den if den > 0 else 1.0
            rho = min(max(rho, 0.0), 1.0 - 1e-12)
        factor = (1.0 - rho) / (1.0 + rho) if (on and n >= 3) else 1.0
        rows.append((n, rho, factor * n, factor))
    return pd.DataFrame(rows, columns=["n", "rho1", "n_eff", "factor"],
                        index=pd.Index([i.name for i in indicators], name="indicator"))


def score_scenarios(
    scenarios: Sequence[Scenario],
    indicators: Sequence[Indicator],
    cumulative: bool = True,
    *,
    forgetting: float = FORGETTING,
    discount: str | None = "autocorr",
) -> ScenarioScores:
    """Score scenarios against indicator evidence, period by period.

    For scenario s, indicator i with weight w_si and observation x_it, the
    expectation gives a log-likelihood l_sit (see :class:`Direction`,
    :class:`Threshold`, :class:`Distribution`). A scenario without an
    expectation for an indicator is neutral on it: it gets the mean of the
    other scenarios' log-likelihoods (so the indicator does not move it
    relative to them). Each period's evidence is::

        L_st = sum_i d_i w_si l_sit

    and the score accumulates it with forgetting (``cumulative=True``)::

        S_s,-1 = ln pi_s,   S_st = alpha S_s,t-1 + L_st

    or takes one period alone (``cumulative=False``): ``S_st = ln pi_s + L_st``.
    The posterior is ``exp(S_st) / sum_s' exp(S_s't)``.

    **Why not the plain product.** Bayes' rule multiplies the likelihoods of
    every period as if each were fresh, independent evidence. A trending
    series moves the same way year after year, so the product compounds one
    trend into certainty (with a CON ``Direction(p=0.7)`` and a Russia-China
    kappa indicator, a "US-China bipolarity" scenario reaches 0.997 by 2000
    while the same evidence scored for 2015 alone gives 0.49). Two standard
    corrections, both on by default:

    - *Forgetting* (dynamic model averaging, Raftery, Karny & Ettler 2010):
      the prior of period t is the previous posterior flattened,
      ``prior_t ∝ posterior_{t-1}^alpha``, so evidence older than about
      ``1 / (1 - alpha)`` periods fades. Default ``alpha = 0.95`` (our
      choice; Raftery et al. use 0.99 on fast-changing high-frequency data,
      annual indicators call for a memory of decades, not a century).
    - *Effective number of observations* (``discount="autocorr"``): indicator
      i's log-likelihoods are multiplied by ``d_i = n_eff / n = (1 - rho1) /
      (1 + rho1)``, where rho1 is the lag-1 autocorrelation of its series
      over consecutive observed periods (clipped to [0, 1); 1 for a constant
      series). This is the AR(1) effective sample size (Bartlett 1946; see
      Bretherton et al. 1999, eq. 31): n autocorrelated observations carry the
      information of n_eff independent ones. With fewer than 3 pairs of
      consecutive observations no correction is made (``d_i = 1``).

    ``forgetting=1.0, discount=None`` is the plain Bayes product (the former
    default). The contribution of indicator i is its discounted, weighted
    log-likelihood ratio against the average scenario, ``c_sit = d_i w_si
    l_sit - mean_s' d_i w_s'i l_s'it``: the log-odds of s over s' move by
    ``sum_i (c_sit - c_s'it)`` in period t (and then fade by alpha per
    period). Indicators are still treated as independent of each other given
    the scenario (correlated indicators double-count; weight them down).

    Parameters
    ----------
    scenarios : sequence of Scenario
    indicators : sequence of Indicator
    cumulative : bool
        Accumulate evidence over periods (default) or score each period alone.
    forgetting : float
        Forgetting factor alpha in (0, 1]; 1 accumulates without forgetting.
        Ignored when ``cumulative=False``.
    discount : "autocorr" or None
        Discount each indicator by its effective number of independent
        observations (default), or not (None).

    Returns
    -------
    ScenarioScores

    Raises
    ------
    ValueError
        Duplicate names, a non-positive prior, a negative weight, an
        expectation naming an unknown scenario or indicator, or an indicator
        no scenario has an expectation for.
    TypeError
        Wrong object types.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> con = pd.Series([0.30, 0.33, 0.37], index=[2020, 2021, 2022])
    >>> up = mp.Scenario("hegemony", expects={"con": mp.Direction("up", p=0.8)})
    >>> down = mp.Scenario("diffusion", expects={"con": mp.Direction("down", p=0.8)})
    >>> res = mp.score_scenarios([up, down], [mp.Indicator("con", con)],
    ...                          forgetting=1.0, discount=None)       # plain Bayes
    >>> res.posterior.round(3).loc[2022].tolist()
    [0.941, 0.059]
    >>> mp.score_scenarios([up, down], [mp.Indicator("con", con)]).posterior.round(3).loc[2022].tolist()
    [0.937, 0.063]

    References
    ----------
    Raftery, A. E., Karny, M., & Ettler, P. (2010). Online prediction under
    model uncertainty via dynamic model averaging: Application to a cold
    rolling mill. *Technometrics*, 52(1), 52-66.
    Bretherton, C. S., Widmann, M., Dymnikov, V. P., Wallace, J. M., & Blade,
    I. (1999). The effective number of spatial degrees of freedom of a
    time-varying field. *Journal of Climate*, 12(7), 1990-2009.
    """
    func = "score_scenarios"
    if isinstance(forgetting, bool) or not (
        isinstance(forgetting, numbers.Real) and 0 < forgetting <= 1
    ):
        raise ValueError(f"{func}: forgetting must be in (0, 1]; got {forgetting!r}")
    if discount not in ("autocorr", None):
        raise ValueError(f"{func}: discount must be 'autocorr' or None; got {discount!r}")
    scenarios = list(scenarios)
    indicators = list(indicators)
    if not scenarios or not all(isinstance(s, Scenario) for s in scenarios):
        raise TypeError(f"{func}: scenarios must be a non-empty list of Scenario; got {scenarios!r}")
    if not indicators or not all(isinstance(i, Indicator) for i in indicators):
        raise TypeError(f"{func}: indicators must be a non-empty list of Indicator; got {indicators!r}")
    snames = [s.name for s in scenarios]
    inames = [i.name for i in indicators]
    for what, names in (("scenario", snames), ("indicator", inames)):
        if len(set(names)) != len(names):
            raise ValueError(f"{func}: {what} names must be unique; got {names}")
    priors = np.array([s.prior for s in scenarios], dtype=np.float64)
    if not np.all(np.isfinite(priors) & (priors > 0)):
        raise ValueError(f"{func}: priors must be finite and > 0; got {priors.tolist()}")
    # expectations: scenario x indicator, from both sides
    table: dict[tuple[str, str], Any] = {}
    for s in scenarios:
        for iname, e in s.expects.items():
            if iname not in inames:
                raise ValueError(f"{func}: scenario {s.name!r} expects unknown indicator {iname!r}")
            table[(s.name, iname)] = _check_expectation(e, f"{s.name}.expects[{iname!r}]")
        for iname, w in s.weights.items():
            if iname not in inames:
                raise ValueError(f"{func}: scenario {s.name!r} weights unknown indicator {iname!r}")
            if not (isinstance(w, numbers.Real) and w >= 0 and math.isfinite(w)):
                raise ValueError(f"{func}: weights must be finite and >= 0; got {w!r}")
    for ind in indicators:
        if not isinstance(ind.series, pd.Series):
            raise TypeError(f"{func}: indicator {ind.name!r} series must be a pandas Series")
        for sname, e in ind.expects.items():
            if sname not in snames:
                raise ValueError(f"{func}: indicator {ind.name!r} names unknown scenario {sname!r}")
            if (sname, ind.name) in table and table[(sname, ind.name)] != e:
                raise ValueError(
                    f"{func}: scenario {sname!r} and indicator {ind.name!r} give different "
                    f"expectations"
                )
            table[(sname, ind.name)] = _check_expectation(e, f"{ind.name}.expects[{sname!r}]")
        if not any((s, ind.name) in table for s in snames):
            raise ValueError(f"{func}: no scenario has an expectation for indicator {ind.name!r}")
    periods = indicators[0].series.index
    for ind in indicators[1:]:
        periods = periods.union(ind.series.index)
    periods = periods.sort_values()
    S, I, T = len(scenarios), len(indicators), len(periods)
    ll = np.full((T, I, S), np.nan)
    for k, ind in enumerate(indicators):
        x = ind.series.astype(np.float64)
        if x.index.has_duplicates:
            raise ValueError(f"{func}: indicator {ind.name!r} has duplicate periods")
        x = x.sort_index()
        for j, s in enumerate(scenarios):
            e = table.get((s.name, ind.name))
            if e is None:
                continue
            w = float(s.weights.get(ind.name, 1.0))
            vals = pd.Series(e.loglik(x), index=x.index).reindex(periods).to_numpy()
            ll[:, k, j] = w * vals
        # neutral scenarios take the mean of the others; an unobserved period is no evidence
        have = ~np.isnan(ll[:, k, :])
        cnt = have.sum(axis=1)
        tot = np.where(have, ll[:, k, :], 0.0).sum(axis=1)
        row_mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
        for j in range(S):
            miss = np.isnan(ll[:, k, j])
            ll[miss, k, j] = row_mean[miss]
    ll = np.nan_to_num(ll, nan=0.0)
    disc = _autocorr_discount(indicators, periods, discount == "autocorr")
    ll *= disc["factor"].to_numpy()[None, :, None]
    contrib = ll - ll.mean(axis=2, keepdims=True)
    per_period = ll.sum(axis=1)
    logprior = np.log(priors / priors.sum())
    if cumulative:
        alpha = float(forgetting)
        score = np.empty_like(per_period)
        prev = logprior
        for t in range(T):
            # prior_t ∝ posterior_{t-1}^alpha, then Bayes' rule with period t's evidence
            prev = alpha * prev + per_period[t]
            score[t] = prev
    else:
        score = logprior + per_period
    post = np.exp(score - score.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    pidx = pd.Index(periods, name="period")
    cols = pd.Index(snames, name="scenario")
    cidx = pd.MultiIndex.from_product([periods, inames], names=["period", "indicator"])
    return ScenarioScores(
        posterior=pd.DataFrame(post, index=pidx, columns=cols),
        score=pd.DataFrame(score, index=pidx, columns=cols),
        contributions=pd.DataFrame(contrib.reshape(T * I, S), index=cidx, columns=cols),
        discount=disc,
        forgetting=float(forgetting) if cumulative else 1.0,
    )


# --------------------------------------------------------------------------- ACH


@dataclass
class ACHResult:
    """Result of :func:`compete`.

    Attributes
    ----------
    likelihoods : DataFrame
        Evidence x hypothesis P(e | h) used (ratings mapped by the scale).
    inconsistency : Series
        Heuer's weighted inconsistency score per hypothesis (I counts 1, II 2;
        numeric likelihoods are first mapped to the nearest rating). Heuer
        ranks hypotheses by *least* inconsistency.
    posterior : DataFrame
        Rows ``prior`` then one per evidence item: the posterior after that
        item and all before it (Bayes' rule, items conditionally independent).
    diagnosticity : Series
        Per evidence item, ``ln(max_h L / min_h L)``: 0 for an item every
        hypothesis explains equally (Heuer's non-diagnostic evidence); inf if
        some hypothesis gives it probability 0.
    sensitivity : DataFrame or None
        With ``uncertainty``: per hypothesis ``p_first`` (share of draws in
        which it ranks first), ``mean`` and quantiles of its posterior.
    draws : ndarray or None
        With ``uncertainty``: the posterior of every draw, (draws, H).
    """

    likelihoods: pd.DataFrame
    inconsistency: pd.Series
    posterior: pd.DataFrame
    diagnosticity: pd.Series
    sensitivity: pd.DataFrame | None
    draws: np.ndarray | None

    def _headline(self) -> list[tuple[str, str]]:
        final = self.posterior.iloc[-1].sort_values(ascending=False, kind="stable")
        least = self.inconsistency.sort_values(kind="stable")
        rows = [("hypotheses", str(len(final))), ("evidence items", str(len(self.diagnosticity))),
                ("leading (posterior)", f"{final.index[0]} (p = {final.iloc[0]:.2f})"),
                ("least inconsistent (Heuer)", f"{least.index[0]} ({least.iloc[0]:g})"),
                ("posterior", ", ".join(f"{k} {v:.2f}" for k, v in final.items()))]
        flat = [str(e) for e, d in self.diagnosticity.items() if d == 0]
        if flat:
            rows.append((f"non-diagnostic evidence ({len(flat)})", ", ".join(flat)))
        if self.sensitivity is not None and "p_first" in self.sensitivity:
            top = self.sensitivity["p_first"]
            rows.append(("ranked first in draws", f"{top.idxmax()} ({float(top.max()):.2f})"))
        return rows

    def __repr__(self) -> str:
        return "ACHResult(" + "; ".join(f"{k}: {v}" for k, v in self._headline()) + ")"

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table("ACHResult", self._headline())

    def to_frame(self) -> pd.DataFrame:
        """Per hypothesis: final ``posterior`` and Heuer ``inconsistency`` (and the
        sensitivity columns with ``uncertainty``)."""
        out = pd.DataFrame({"posterior": self.posterior.iloc[-1],
                            "inconsistency": self.inconsistency})
        out.index.name = "hypothesis"
        if self.sensitivity is not None:
            out = out.join(self.sensitivity)
        return out

    def plot(self, ax: Any = None) -> Any:
        """Posterior of each hypothesis after each evidence item, in the order given."""
        from .plot import _new_axes

        if ax is None:
            ax = _new_axes()
        x = np.arange(len(self.posterior))
        for h in self.posterior.columns:
            ax.plot(x, self.posterior[h].to_numpy(), marker="o", markersize=3, label=str(h))
        ax.set_xticks(x, [str(i) for i in self.posterior.index], rotation=30, ha="right",
                      fontsize="small")
        ax.set_ylim(0, 1)
        ax.set_xlabel("evidence item (cumulative, in order)")
        ax.set_ylabel("posterior probability (0-1)")
        ax.set_title("Competing hypotheses: posterior as evidence accumulates")
        ax.legend(loc="best", fontsize="small", title="hypothesis")
        return ax


def _likelihoods(
    values: object, hyps: list[str], evs: list[str], scale: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    func = "compete"
    if isinstance(values, pd.DataFrame):
        missing_e = [e for e in evs if e not in values.index]
        missing_h = [h for h in hyps if h not in values.columns]
        if missing_e or missing_h:
            raise ValueError(
                f"{func}: ratings_or_likelihoods must be indexed by evidence and have hypotheses "
                f"as columns; missing {missing_e + missing_h}"
            )
        arr = values.loc[evs, hyps].to_numpy(dtype=object)
    else:
        arr = np.asarray(values, dtype=object)
    if arr.shape != (len(evs), len(hyps)):
        raise ValueError(
            f"{func}: ratings_or_likelihoods must have shape (evidence, hypotheses) = "
            f"({len(evs)}, {len(hyps)}); got {arr.shape}"
        )
    lik = np.empty(arr.shape)
    ratings = np.empty(arr.shape, dtype=object)
    levels = sorted(scale.items(), key=lambda kv: kv[1])
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, str):
            key = v.strip().upper()
            if key not in scale:
                raise ValueError(
                    f"{func}: rating must be one of {sorted(scale)}; got {v!r} at {idx}"
                )
            lik[idx] = scale[key]
            ratings[idx] = key
        elif isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 <= v <= 1:
            lik[idx] = float(v)
            ratings[idx] = min(levels, key=lambda kv: abs(kv[1] - float(v)))[0]
        else:
            raise ValueError(
                f"{func}: likelihoods must be in [0, 1] or ratings; got {v!r} at {idx}"
            )
    return lik, ratings


def _uncertainty(
    unc: object, lik: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    func = "compete"
    E, H = lik.shape
    if isinstance(unc, numbers.Real) and not isinstance(unc, bool):
        d = float(unc)
        if not (0 <= d <= 1):
            raise ValueError(f"{func}: uncertainty as a number must be in [0, 1]; got {unc!r}")
        lo = np.clip(lik - d, 0.0, 1.0)
        hi = np.clip(lik + d, 0.0, 1.0)
        return np.ones((E, H), np.int8), lo, hi
    if isinstance(unc, Mapping) and set(unc) == {"beta"}:
        k = np.broadcast_to(np.asarray(unc["beta"], dtype=np.float64), (E, H))
        if not np.all(np.isfinite(k) & (k > 0)):
            raise ValueError(f"{func}: beta concentration must be finite and > 0; got {unc!r}")
        if np.any((lik <= 0) | (lik >= 1)):
            raise ValueError(
                f"{func}: beta uncertainty needs likelihoods strictly inside (0, 1); got "
                f"{lik.min()!r}..{lik.max()!r}"
            )
        return np.full((E, H), 2, np.int8), k * lik, k * (1 - lik)
    if isinstance(unc, tuple) and len(unc) == 2:
        lo = np.broadcast_to(np.asarray(unc[0], dtype=np.float64), (E, H)).copy()
        hi = np.broadcast_to(np.asarray(unc[1], dtype=np.float64), (E, H)).copy()
        if not np.all((0 <= lo) & (lo <= hi) & (hi <= 1)):
            raise ValueError(
                f"{func}: uncertainty ranges must satisfy 0 <= low <= high <= 1; got {unc!r}"
            )
        return np.ones((E, H), np.int8), lo, hi
    raise TypeError(
        f"{func}: uncertainty must be None, a number, a (low, high) pair of arrays or "
        f"{{'beta': concentration}}; got {unc!r}"
    )


def _quantile_levels(q: object, func: str) -> np.ndarray:
    """q as distinct levels in [0, 1] (a 1-D float array), or a named error."""
    if isinstance(q, (str, bytes)):
        raise TypeError(f"{func}: q must be a sequence of quantile levels in [0, 1]; got {q!r}")
    try:
        qa = np.asarray(q, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: q must be a sequence of quantile levels in [0, 1]; got {q!r}"
        ) from None
    if qa.ndim != 1 or not np.all((qa >= 0) & (qa <= 1)):
        raise ValueError(f"{func}: q must be a sequence of quantile levels in [0, 1]; got {q!r}")
    labels = [f"q{round(float(v) * 100, 6):g}" for v in qa]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{func}: q levels must be distinct; got {q!r}")
    return qa


def compete(
    hypotheses: Sequence[str],
    evidence: Sequence[str],
    ratings_or_likelihoods: object,
    prior: Sequence[float] | None = None,
    uncertainty: object = None,
    draws: int = 10_000,
    *,
    seed: int | np.random.SeedSequence | None = None,
    scale: Mapping[str, float] | None = None,
    q: Sequence[float] = (0.05, 0.5, 0.95),
) -> ACHResult:
    """Analysis of Competing Hypotheses (Heuer 1999) as Bayesian inference.

    The matrix ``ratings_or_likelihoods`` (evidence x hypotheses) holds either
    Heuer's ratings -- "CC", "C", "N", "I", "II", "NA" -- mapped to
    likelihoods P(e | h) by ``scale`` (default :data:`RATINGS`), or the
    likelihoods themselves in [0, 1]. With items conditionally independent
    given the hypothesis, the posterior after items 1..k is::

        P(h | e_1..e_k) = pi_h prod_{j<=k} L(e_j | h) / sum_h' pi_h' prod_{j<=k} L(e_j | h')

    Heuer's inconsistency score (sum over items of 1 per "I" and 2 per "II")
    and each item's diagnosticity ``ln(max_h L / min_h L)`` are reported.

    **Sensitivity.** With ``uncertainty``, every likelihood is redrawn
    ``draws`` times -- uniformly within ``L +- u`` (clipped to [0, 1]) for a
    number u, uniformly within per-cell ``(low, high)`` arrays, or from
    ``Beta(k L, k (1 - L))`` (mean L, concentration k) for ``{"beta": k}`` --
    and the share of draws in which each hypothesis ranks first is reported,
    with the mean and quantiles of its posterior. The draws run in C in
    blocks of :data:`DRAW_BLOCK`, each with its own stream spawned from
    ``seed`` (bitwise reproducible on any number of threads).

    Parameters
    ----------
    hypotheses, evidence : sequence of str
        Names, in the order of the matrix's columns and rows.
    ratings_or_likelihoods : DataFrame or array-like
        Evidence x hypotheses; a DataFrame is aligned by its index and columns.
    prior : sequence of float, optional
        Prior weights (normalized); uniform by default.
    uncertainty : None, float, (low, high) or {"beta": k}
        See above. None: no sensitivity analysis.
    draws : int
        Monte Carlo draws.
    seed : int, SeedSequence or None
        Seed of the draws.
    scale : dict, optional
        Rating -> likelihood, replacing :data:`RATINGS`.
    q : sequence of float
        Posterior quantile levels (distinct, in [0, 1]) reported by the
        sensitivity analysis, as columns ``q5``, ``q50``, ... .

    Returns
    -------
    ACHResult

    Raises
    ------
    ValueError
        Duplicate names, a matrix of the wrong shape, unknown ratings,
        likelihoods outside [0, 1], an evidence item with probability 0 under
        every hypothesis, bad priors or uncertainty.
    TypeError
        A wrongly typed uncertainty or seed.

    References
    ----------
    Heuer, R. J. (1999). *Psychology of Intelligence Analysis*, ch. 8.
    Center for the Study of Intelligence, CIA.

    Examples
    --------
    >>> import multipolar as mp
    >>> r = mp.compete(["alliance", "partnership"], ["joint exercise", "no treaty"],
    ...                [["C", "C"], ["II", "C"]])
    >>> r.posterior.round(3).loc["no treaty"].tolist()
    [0.125, 0.875]
    >>> r.inconsistency.tolist()
    [2.0, 0.0]
    """
    func = "compete"
    hyps = [str(h) for h in hypotheses]
    evs = [str(e) for e in evidence]
    if not hyps:
        raise ValueError(f"{func}: hypotheses must not be empty; got []")
    for what, names in (("hypotheses", hyps), ("evidence", evs)):
        if len(set(names)) != len(names):
            raise ValueError(f"{func}: {what} names must be unique; got {names}")
    scale = dict(RATINGS if scale is None else {str(k).upper(): float(v) for k, v in scale.items()})
    lik, ratings = _likelihoods(ratings_or_likelihoods, hyps, evs, scale)
    if len(evs) and np.any(lik.max(axis=1) <= 0):
        e = evs[int(np.argmax(lik.max(axis=1) <= 0))]
        raise ValueError(f"{func}: evidence {e!r} has likelihood 0 under every hypothesis")
    pri = np.ones(len(hyps)) if prior is None else np.asarray(prior, dtype=np.float64)
    if pri.shape != (len(hyps),) or not np.all(np.isfinite(pri) & (pri >= 0)) or pri.sum() <= 0:
        raise ValueError(f"{func}: prior must hold one weight >= 0 per hypothesis; got {prior!r}")
    pri = pri / pri.sum()
    post = _sequential_posterior(lik, pri, evs, func)
    with np.errstate(divide="ignore"):
        diag = np.log(lik.max(axis=1)) - np.log(lik.min(axis=1)) if len(evs) else np.zeros(0)
    inc = np.array(
        [[_INCONSISTENCY.get(r, 0.0) for r in row] for row in ratings]
    ).reshape(len(evs), len(hyps)).sum(axis=0)
    hidx = pd.Index(hyps, name="hypothesis")
    eidx = pd.Index(evs, name="evidence")
    result = ACHResult(
        likelihoods=pd.DataFrame(lik, index=eidx, columns=hidx),
        inconsistency=pd.Series(inc, index=hidx, name="inconsistency"),
        posterior=pd.DataFrame(post, index=pd.Index(["prior", *evs], name="after"), columns=hidx),
        diagnosticity=pd.Series(diag, index=eidx, name="diagnosticity"),
        sensitivity=None,
        draws=None,
    )
    if uncertainty is None:
        return result
    result.sensitivity, result.draws = _sensitivity(
        func, lik, pri, hidx, uncertainty, draws, seed, q
    )
    return result


def _sequential_posterior(
    lik: np.ndarray, pri: np.ndarray, evs: list[str], func: str
) -> np.ndarray:
    """Posterior over the hypotheses after the prior and after each evidence item."""
    # sequential posteriors in log space (stable for long evidence lists)
    with np.errstate(divide="ignore"):
        logl = np.log(lik)
        logp = np.log(pri)
    rows = [logp]
    for k in range(len(evs)):
        rows.append(rows[-1] + logl[k])
    logpost = np.vstack(rows)
    finite = np.isfinite(logpost).any(axis=1)
    if not finite.all():
        bad = evs[int(np.argmin(finite)) - 1]
        raise ValueError(f"{func}: after evidence {bad!r} every hypothesis has probability 0")
    post = np.exp(logpost - logpost.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    return post


def _sensitivity(
    func: str, lik: np.ndarray, pri: np.ndarray, hidx: pd.Index, uncertainty: object,
    draws: object, seed: object, q: Sequence[float],
) -> tuple[pd.DataFrame, np.ndarray]:
    """The Monte Carlo sensitivity table of :func:`compete` and its posterior draws."""
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or draws < 1:
        raise ValueError(f"{func}: draws must be an integer >= 1; got {draws!r}")
    qa = _quantile_levels(q, func)
    kind, a, b = _uncertainty(uncertainty, lik)
    if isinstance(seed, np.random.SeedSequence):
        ss = seed
    elif seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        ss = np.random.SeedSequence(seed)
    else:
        raise TypeError(f"{func}: seed must be None, an int or a SeedSequence; got {seed!r}")
    nb = -(-int(draws) // DRAW_BLOCK)
    sizes = np.full(nb, DRAW_BLOCK, dtype=np.int64)
    if draws % DRAW_BLOCK:
        sizes[-1] = draws % DRAW_BLOCK
    # the children of ss.spawn(nb), built directly so that ss itself is not advanced
    gens = tuple(
        np.random.PCG64(
            np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (i,),
                                   pool_size=ss.pool_size)
        )
        for i in range(nb)
    )
    out, first = call(
        func, _core.ach_sensitivity, bitgens=gens, block_draws=sizes, prior=pri,
        kind=np.ascontiguousarray(kind), a=np.ascontiguousarray(a, dtype=np.float64),
        b=np.ascontiguousarray(b, dtype=np.float64),
        names={"block_draws": "draws", "prior": "prior", "kind": "uncertainty",
               "a": "uncertainty", "b": "uncertainty"},
    )
    with np.errstate(invalid="ignore"):
        qs = np.nanquantile(out, qa, axis=0) if len(out) else np.full((len(qa), len(hidx)), np.nan)
    sens = pd.DataFrame({"p_first": first / float(draws), "mean": np.nanmean(out, axis=0)}, index=hidx)
    for k, qq in enumerate(qa):
        sens[f"q{round(float(qq) * 100, 6):g}"] = qs[k]
    return sens, out
