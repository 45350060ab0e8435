"""Structure of a similarity or signed relation matrix: blocs, alignment, polarization, balance.

NumPy/SciPy only: the matrices are N x N with N about 200 states, so the
eigen-solves and matrix products here take milliseconds.

Inputs are :class:`multipolar.RelationMatrix` objects or square DataFrames
(index and columns the same actors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validation import resolve_states

__all__ = ["Blocs", "alignment", "balance", "blocs", "polarization"]


def _square(matrix: Any, func: str, arg: str = "matrix") -> tuple[np.ndarray, pd.Index, Any]:
    """(values as float64 copy, actors, codes) of a RelationMatrix or square frame."""
    from .relations import RelationMatrix

    if isinstance(matrix, RelationMatrix):
        return np.array(matrix.values, dtype=np.float64), matrix.actors, matrix.codes
    if isinstance(matrix, pd.DataFrame):
        if matrix.shape[0] != matrix.shape[1] or not matrix.index.equals(matrix.columns):
            raise ValueError(
                f"{func}: {arg} must be square with the same actors as index and columns; "
                f"got shape {matrix.shape}"
            )
        vals = matrix.to_numpy(dtype=np.float64, na_value=np.nan)
        # integer labels are taken as COW ccodes (so "RUS" finds 365); other labels as they are
        idx = pd.Index(matrix.index)
        return np.array(vals), idx, "cow" if pd.api.types.is_integer_dtype(idx.dtype) else "labels"
    raise TypeError(
        f"{func}: {arg} must be a RelationMatrix or a square DataFrame; got {type(matrix).__name__}"
    )


def _position(actors: pd.Index, codes: str, state: Any, func: str) -> int:
    if state in actors:
        return int(actors.get_loc(state))
    if isinstance(state, str) and codes == "cow":
        try:
            c = int(resolve_states([state], func, "state")[0])
        except ValueError:
            c = None
        if c is not None and c in actors:
            return int(actors.get_loc(c))
    raise ValueError(f"{func}: state must be one of the matrix's actors; got {state!r}")


@dataclass(frozen=True)
class Blocs:
    """A partition of states into blocs, with how firmly each state belongs.

    Attributes
    ----------
    labels : Series
        Bloc number (0..k-1) of each actor, indexed by actor. Blocs are
        numbered by size (largest first, ties by their first actor), or to
        match ``reference`` when one was given.
    margin : Series
        ``(d2 - d1) / (d2 + d1)`` in [0, 1], with d1, d2 the distances of the
        state's spectral embedding to its own and to the nearest other bloc
        centre: 0 is exactly on the boundary, 1 at the centre.
    borderline : list
        Actors with margin below the ``borderline`` threshold, lowest first.
    cohesion : Series
        Mean pairwise similarity within each bloc (off-diagonal; NaN for a
        bloc of one state).
    between : DataFrame
        Mean similarity between the members of each pair of blocs (k x k; the
        diagonal is the cohesion).
    separation : float
        Mean within-bloc minus mean between-bloc similarity, over pairs of states.
    at : Any
        The matrix's ``at`` (year), if any.
    unassigned : Series
        The actors left out of every bloc, indexed by actor, with the reason
        (str): too little evidence (``min_n``), a constant portfolio (kappa 0
        with every state by construction), or no similarity with any state.
        They appear in no other attribute.
    probability : DataFrame or None
        With ``bootstrap``: the share of replicates that put each assigned
        actor (rows) in each bloc (columns, the bloc numbers of ``labels``),
        labels matched to ``labels`` in every replicate; rows sum to 1.
    """

    labels: pd.Series
    margin: pd.Series
    borderline: list
    cohesion: pd.Series
    between: pd.DataFrame
    separation: float
    at: Any = None
    unassigned: pd.Series = field(
        default_factory=lambda: pd.Series([], dtype=object, name="reason")
    )
    probability: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Per-actor frame: ``bloc`` and ``margin``, indexed by actor (assigned actors)."""
        return pd.DataFrame({"bloc": self.labels, "margin": self.margin})

    def _headline(self) -> list[tuple[str, str]]:
        """Each bloc's size and firmest members, then the borderline and unassigned
        states by name: what a reader checks before trusting the partition."""
        from .plot import _state_names

        rows = [("year", str(self.at))] if self.at is not None else []
        sizes = self.labels.value_counts().sort_index()
        for b, size in sizes.items():
            members = self.margin[self.labels == b].sort_values(ascending=False, kind="stable")
            rows.append((f"bloc {b} ({size} states)", _state_names(list(members.index), 5)))
        rows.append(("separation", f"{self.separation:.3f}"))
        rows.append((f"borderline ({len(self.borderline)})",
                     _state_names(self.borderline) if self.borderline else "none"))
        if len(self.unassigned):
            rows.append((f"unassigned ({len(self.unassigned)})",
                         _state_names(list(self.unassigned.index))))
        return rows

    def __repr__(self) -> str:
        k = self.labels.nunique()
        return (f"Blocs({k} blocs of {len(self.labels)} states; "
                + "; ".join(f"{a}: {b}" for a, b in self._headline()) + ")")

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table(f"Blocs ({self.labels.nunique()} blocs)", self._headline())

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of each state's margin, grouped and coloured by bloc
        (firmest first within a bloc); borderline states sit at the short end."""
        from .plot import _new_axes, _state_names

        if ax is None:
            ax = _new_axes()
        frame = self.to_frame().sort_values(["bloc", "margin"], ascending=[True, False],
                                            kind="stable")
        y = np.arange(len(frame))
        for b in sorted(frame["bloc"].unique()):
            m = (frame["bloc"] == b).to_numpy()
            ax.barh(y[m], frame["margin"].to_numpy()[m], label=f"bloc {b} ({int(m.sum())})")
        if len(frame) <= 60:
            ax.set_yticks(y, [_state_names([a], 1) for a in frame.index], fontsize="x-small")
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("margin (0 = on the boundary, 1 = at the bloc centre)")
        ax.set_ylabel("state")
        title = "Blocs and how firmly each state belongs"
        ax.set_title(title + (f" ({self.at})" if self.at is not None else ""))
        ax.legend(loc="lower right", fontsize="small", title="bloc (states)")
        return ax


def _kmeans(X: np.ndarray, k: int, iters: int = 100) -> np.ndarray:
    """Deterministic k-means: farthest-point seeding from the point of largest norm."""
    n = len(X)
    centres = [int(np.argmax(np.einsum("ij,ij->i", X, X)))]
    d = np.full(n, np.inf)
    for _ in range(1, k):
        d = np.minimum(d, ((X - X[centres[-1]]) ** 2).sum(1))
        centres.append(int(np.argmax(d)))
    C = X[centres].copy()
    labels = np.full(n, -1)
    for _ in range(iters):
        dist = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
        new = dist.argmin(1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                C[j] = X[labels == j].mean(0)
    return labels


#: Reasons an actor is left unassigned.
_NO_DATA = "no similarity with any other state"
_CONSTANT = (
    "constant portfolio: the same code on every compared item (e.g. a yes on every roll "
    "call), so kappa is 0 with every state by construction"
)


def _unassigned(
    A: np.ndarray, counts: np.ndarray | None, min_n: int | None, actors: pd.Index
) -> pd.Series:
    """The actors that no bloc can take, with the reason (see :class:`Blocs`)."""
    n = len(actors)
    off = ~np.eye(n, dtype=bool)
    reasons: dict[Any, str] = {}
    for i in range(n):
        row = np.concatenate([A[i][off[i]], A[:, i][off[:, i]]])
        fin = row[np.isfinite(row)]
        if counts is not None and min_n is not None:
            c = np.nan_to_num(counts[i][off[i]], nan=0.0)
            med = float(np.median(c)) if len(c) else 0.0
            if med < min_n:
                reasons[actors[i]] = (
                    f"too little evidence: a median of {med:g} compared items with the other "
                    f"states, below min_n = {min_n}"
                )
                continue
        if len(fin) == 0:
            reasons[actors[i]] = _NO_DATA
        elif np.all(fin == 0.0):
            reasons[actors[i]] = _CONSTANT
    return pd.Series(reasons, dtype=object, name="reason")


def _affinity(A: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Symmetric affinities in [0, 1]; missing pairs take the median similarity."""
    lo, hi = bounds
    n = len(A)
    S = np.where(np.isnan(A), A.T, A)  # fill one missing direction from the other
    S = (S + S.T) / 2
    off = ~np.eye(n, dtype=bool)
    finite = np.isfinite(S)
    if not finite[off].all():
        fill = np.median(S[finite & off]) if (finite & off).any() else (lo + hi) / 2
        S = np.where(finite, S, fill)
    W = np.clip((S - lo) / (hi - lo), 0.0, 1.0)
    np.fill_diagonal(W, 0.0)
    return W


def _normalized(A: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """``D^-1/2 W D^-1/2`` of the affinities of A."""
    W = _affinity(A, bounds)
    deg = W.sum(1)
    deg = np.where(deg > 0, deg, 1e-12)
    dinv = 1.0 / np.sqrt(deg)
    return W * dinv[:, None] * dinv[None, :]


def _leading(M: np.ndarray, k: int, start: np.ndarray | None) -> np.ndarray:
    """The k leading eigenvectors of M (largest eigenvalue first).

    Without ``start``: LAPACK (SciPy ``eigh``, expert driver). With ``start``
    (an orthonormal basis of p > k columns near the wanted subspace, e.g. the
    point estimate's leading vectors for a bootstrap replicate): subspace
    iteration with Rayleigh-Ritz (Saad 2011, ch. 5), a few matrix products,
    accepted when the residual of the k vectors is below 1e-10 and fewer than
    p Ritz values reach the k-th eigenvalue in magnitude (else the subspace
    could miss an eigenvalue, and LAPACK decides).
    """
    from scipy.linalg import eigh

    n = len(M)
    if start is not None:
        Q = start
        for _ in range(100):
            MQ = M @ Q  # the one product with M per step: Ritz vectors and the next basis use it
            w, U = np.linalg.eigh(Q.T @ MQ)
            U = U[:, np.argsort(-w)]
            w = np.sort(w)[::-1]
            Y, MY = Q @ U, MQ @ U
            if np.linalg.norm(MY[:, :k] - Y[:, :k] * w[:k]) < 1e-10:
                if np.sum(np.abs(w) >= w[k - 1]) < Q.shape[1]:
                    return Y[:, :k]
                break
            Q, _ = np.linalg.qr(MY)
    # M is finite by construction (affinities are clipped to [0, 1]): no check needed.
    # LAPACK's expert driver (bisection + inverse iteration) is the quickest for a few
    # eigenpairs of these matrices (~3x the MRRR default).
    _, vecs = eigh(M, subset_by_index=[n - k, n - 1], check_finite=False, driver="evx")
    return vecs[:, ::-1]


def _spectral(
    A: np.ndarray, k: int, bounds: tuple[float, float], start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(labels numbered by size then first actor, row-normalized embedding)."""
    U = _leading(_normalized(A, bounds), k, start)
    U = U * np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])  # deterministic signs
    norms = np.linalg.norm(U, axis=1, keepdims=True)
    X = U / np.where(norms > 0, norms, 1.0)
    lab = _kmeans(X, k)
    # bloc order: by size, then by first actor
    used = [j for j in range(k) if np.any(lab == j)]
    used.sort(key=lambda j: (-int(np.sum(lab == j)), int(np.flatnonzero(lab == j)[0])))
    remap = np.full(k, -1)
    for new, old in enumerate(used):
        remap[old] = new
    return remap[lab], X


def _match(lab: np.ndarray, ref: np.ndarray, kk: int) -> np.ndarray:
    """The renumbering (array over bloc numbers 0..kk-1) under which ``lab`` agrees with
    ``ref`` on as many actors as possible (Hungarian assignment, SciPy's
    ``linear_sum_assignment``); blocs left unmatched get spare numbers."""
    from scipy.optimize import linear_sum_assignment

    size = max(kk, int(ref.max()) + 1)
    table = np.zeros((kk, size))
    np.add.at(table, (lab, ref), 1)
    rows, cols = linear_sum_assignment(-table)
    mapping = {int(r): int(c) for r, c in zip(rows, cols)}
    taken = set(mapping.values())
    spare = (j for j in range(size + kk) if j not in taken)
    for x in range(kk):
        if x not in mapping:
            mapping[x] = next(spare)
    return np.array([mapping[x] for x in range(kk)], dtype=np.int64)


def _evidence(matrix: Any, actors: pd.Index) -> np.ndarray | None:
    from .relations import RelationMatrix

    if isinstance(matrix, RelationMatrix) and matrix.n is not None:
        return np.array(matrix.n, dtype=np.float64)
    return None


def _one_blocs(
    matrix: Any,
    k: int,
    bounds: tuple[float, float],
    borderline: float,
    reference: Blocs | pd.Series | None,
    func: str,
    min_n: int | None = None,
    bootstrap: int | None = None,
    seed: Any = None,
) -> Blocs:
    A_all, actors_all, _ = _square(matrix, func)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 2:
        raise ValueError(f"{func}: k must be an integer >= 2; got {k!r}")
    if len(actors_all) < k:
        raise ValueError(f"{func}: matrix must have at least k = {k} actors; got {len(actors_all)}")
    lo, hi = bounds
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ValueError(f"{func}: bounds must be finite with lo < hi; got {bounds!r}")
    counts = _evidence(matrix, actors_all)
    if bootstrap is not None:
        from .similarity.bootstrap import replicates_arg, seed_sequence

        bootstrap = replicates_arg(bootstrap, func)
        seed = seed_sequence(seed, func)
    if bootstrap is not None and getattr(matrix, "replicates", None) is None:
        raise ValueError(
            f"{func}: bootstrap needs a matrix from multipolar.similarity_matrix (it resamples "
            f"the votes or alliances behind it); got {type(matrix).__name__}"
        )
    unassigned = _unassigned(A_all, counts, min_n, actors_all)
    keep = ~actors_all.isin(unassigned.index)
    pos = np.flatnonzero(keep)
    actors = actors_all[pos]
    n = len(actors)
    if n < k:
        raise ValueError(
            f"{func}: matrix must have at least k = {k} actors with enough evidence; got {n} "
            f"({len(unassigned)} unassigned, e.g. {unassigned.index[0]!r}: {unassigned.iloc[0]})"
        )
    A = A_all[np.ix_(pos, pos)]
    weak = None
    if counts is not None and min_n is not None:
        weak = np.nan_to_num(counts[np.ix_(pos, pos)], nan=0.0) < min_n
        np.fill_diagonal(weak, False)
        A = np.where(weak, np.nan, A)
    off = ~np.eye(n, dtype=bool)
    lab, X = _spectral(A, k, bounds)
    kk = len(np.unique(lab))
    if reference is not None:
        ref = reference.labels if isinstance(reference, Blocs) else reference
        if not isinstance(ref, pd.Series):
            raise TypeError(
                f"{func}: reference must be a Blocs or a Series of labels; got {type(reference).__name__}"
            )
        common = ref.reindex(actors)
        ok = common.notna().to_numpy()
        if ok.any():
            rl = common.to_numpy()[ok].astype(np.int64)
            lab = _match(lab[ok], rl, kk)[lab]
    centres = np.array([X[lab == j].mean(0) for j in np.unique(lab)])
    names = np.unique(lab)
    dist = np.sqrt(((X[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    own = dist[np.arange(n), np.searchsorted(names, lab)]
    other = np.where(names[None, :] == lab[:, None], np.inf, dist).min(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(np.isfinite(other), (other - own) / (other + own), 1.0)
    margin = np.nan_to_num(margin, nan=0.0)
    labels = pd.Series(lab, index=actors, name="bloc")
    marg = pd.Series(margin, index=actors, name="margin")
    border = marg[marg < borderline].sort_values()
    vals = np.where(off, A_all[np.ix_(pos, pos)], np.nan)
    cohesion, between = {}, pd.DataFrame(index=names, columns=names, dtype=float)
    within_mask = lab[:, None] == lab[None, :]
    for a in names:
        for b in names:
            block = vals[np.ix_(lab == a, lab == b)]
            between.loc[a, b] = np.nanmean(block) if np.isfinite(block).any() else np.nan
        cohesion[a] = between.loc[a, a]
    win = vals[within_mask & off]
    btw = vals[~within_mask]
    sep = (np.nanmean(win) if np.isfinite(win).any() else np.nan) - (
        np.nanmean(btw) if np.isfinite(btw).any() else np.nan
    )
    prob = None
    if bootstrap is not None:
        reps = matrix.replicates(bootstrap, seed=seed, actors=actors, func=func)
        prob = _probabilities(reps, A, weak, lab, names, k, bounds, actors)
    from .relations import RelationMatrix

    at = matrix.at if isinstance(matrix, RelationMatrix) else None
    return Blocs(
        labels,
        marg,
        list(border.index),
        pd.Series(cohesion, name="cohesion"),
        between,
        float(sep),
        at,
        unassigned,
        prob,
    )


def _probabilities(
    reps: np.ndarray, point: np.ndarray, weak: np.ndarray | None, lab: np.ndarray,
    names: np.ndarray, k: int, bounds: tuple[float, float], actors: pd.Index,
) -> pd.DataFrame:
    """Share of replicates putting each actor in each bloc, labels matched to ``lab``."""
    from scipy.linalg import eigh

    counts = np.zeros((len(lab), int(names.max()) + 1))
    rows = np.arange(len(lab))
    # the replicates start from the leading subspace of the point estimate (k + 2 vectors)
    n = len(lab)
    p = min(n, k + 2)
    M0 = _normalized(point, bounds)
    start = eigh(M0, subset_by_index=[n - p, n - 1], check_finite=False)[1] if p > k else None
    for A in reps:
        if weak is not None:
            A = np.where(weak, np.nan, A)
        rl, _ = _spectral(A, k, bounds, start)
        matched = _match(rl, lab, int(rl.max()) + 1)[rl]
        ok = matched < counts.shape[1]
        counts[rows[ok], matched[ok]] += 1
    prob = counts[:, names] / len(reps)
    return pd.DataFrame(prob, index=actors, columns=pd.Index(names, name="bloc"))


def blocs(
    matrix: Any,
    k: int = 2,
    *,
    bounds: tuple[float, float] = (-1.0, 1.0),
    borderline: float = 0.1,
    reference: Blocs | pd.Series | None = None,
    min_n: int | None = 10,
    bootstrap: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
) -> Blocs | dict[Any, Blocs]:
    """Spectral partition of states into k blocs, with a margin per state.

    The similarity matrix is symmetrized, rescaled to affinities
    ``W = (S - lo) / (hi - lo)`` in [0, 1] (``bounds``, -1..1 for S, kappa,
    pi and tau-b; missing values take the median off-diagonal similarity) and
    partitioned by normalized spectral clustering (Ng, Jordan & Weiss 2002):
    the k leading eigenvectors of ``D^-1/2 W D^-1/2`` (SciPy), rows
    normalized, then k-means with deterministic farthest-point seeding. Each
    state's ``margin`` ``(d2 - d1) / (d2 + d1)`` compares its distance to its
    own bloc centre (d1) and to the nearest other (d2), so borderline states
    (e.g. Russia on 2015 UN-vote kappa) are visible rather than hidden in a
    label.

    No state is placed by chance. Before the partition, states are set aside
    in ``unassigned`` with the reason: those whose evidence is too thin (the
    matrix carries its counts, :attr:`RelationMatrix.n`, as
    :func:`multipolar.similarity_matrix` results do, and the median count of
    the state's pairs is below ``min_n``: e.g. Sao Tome and Principe, one
    vote in 2015); those whose similarities are all exactly 0 (a constant
    portfolio: a state that voted the same way on every roll call has kappa 0
    with everyone by construction -- 12 states in 2015, which a plain cut
    puts all with the USA); and those with no similarity at all. Among the
    others, pairs below ``min_n`` count as missing.

    With ``bootstrap=B``, the matrix's data are resampled B times
    (:meth:`multipolar.similarity.SimilarityMatrix.replicates`: each pair's
    compared items drawn with replacement, Efron 1979), every replicate is
    partitioned the same way, its bloc numbers are matched to ``labels`` by
    the Hungarian assignment on the overlap table (Kuhn 1955; SciPy's
    ``linear_sum_assignment``), and ``probability`` holds each state's share
    of replicates in each bloc.

    Parameters
    ----------
    matrix : RelationMatrix, square DataFrame, or mapping of them
        A similarity matrix (e.g. :func:`multipolar.similarity_matrix`). A
        mapping (e.g. ``{year: matrix}``) is partitioned in key order with
        each result's labels matched to the previous one (stable labels
        across years).
    k : int, default 2
        Number of blocs.
    bounds : (float, float), default (-1, 1)
        Range of the similarity measure, for the affinity rescaling.
    borderline : float, default 0.1
        Margin below which a state is listed in ``borderline``.
    reference : Blocs or Series, optional
        Previous labels: bloc numbers are permuted to agree with them on as
        many shared actors as possible (Hungarian assignment).
    min_n : int or None, default 10
        Least evidence (compared items, e.g. common roll calls) behind a pair
        and, as the median over a state's pairs, behind a state; used when
        the matrix carries counts (``R.n``). None: no evidence rule.
    bootstrap : int, optional
        Replicates for the membership probabilities (needs a
        :func:`multipolar.similarity_matrix` result).
    seed : int, SeedSequence or None
        Root of the bootstrap's random streams (as in
        :func:`multipolar.similarity`).

    Returns
    -------
    Blocs or dict
        A :class:`Blocs`; for a mapping, a dict with the same keys.

    References
    ----------
    Ng, A. Y., Jordan, M. I., & Weiss, Y. (2002). On spectral clustering:
    Analysis and an algorithm. *NIPS 14*. Shi, J., & Malik, J. (2000).
    Normalized cuts and image segmentation. *IEEE TPAMI*, 22(8), 888-905.
    Efron, B. (1979). Bootstrap methods: Another look at the jackknife. *The
    Annals of Statistics*, 7(1), 1-26. Kuhn, H. W. (1955). The Hungarian
    method for the assignment problem. *Naval Research Logistics Quarterly*,
    2(1-2), 83-97.

    Examples
    --------
    >>> import numpy as np, multipolar as mp
    >>> S = np.array([[1, .9, -.5, -.6], [.9, 1, -.4, -.5],
    ...               [-.5, -.4, 1, .8], [-.6, -.5, .8, 1]])
    >>> R = mp.RelationMatrix(S, actors=[2, 20, 365, 710])
    >>> mp.blocs(R).labels.tolist()
    [0, 0, 1, 1]
    """
    func = "blocs"
    if min_n is not None:
        if isinstance(min_n, (bool, np.bool_)) or not isinstance(min_n, (int, np.integer)):
            raise TypeError(f"{func}: min_n must be None or an int; got {min_n!r}")
        if min_n < 1:
            raise ValueError(f"{func}: min_n must be >= 1; got {min_n!r}")
    if isinstance(matrix, Mapping):
        out: dict[Any, Blocs] = {}
        prev = reference
        for key in sorted(matrix):
            res = _one_blocs(matrix[key], k, bounds, borderline, prev, func, min_n, bootstrap, seed)
            out[key] = res
            prev = res
        return out
    return _one_blocs(matrix, k, bounds, borderline, reference, func, min_n, bootstrap, seed)


def alignment(matrix: Any, blocs: Blocs | pd.Series, state: Any) -> pd.Series:
    """How closely a state aligns with each bloc: its mean similarity to the members.

    ``alignment_b(i) = mean_{j in b, j != i} S_ij``, for every bloc b.

    Parameters
    ----------
    matrix : RelationMatrix or square DataFrame
        Similarity matrix.
    blocs : Blocs or Series
        Bloc labels by actor (from :func:`blocs`).
    state : int or str
        An actor of the matrix (a COW abbreviation is accepted for COW matrices).

    Returns
    -------
    Series
        Mean similarity to each bloc, indexed by bloc number, named after the
        state; NaN for a bloc with no other member.

    Examples
    --------
    >>> import numpy as np, pandas as pd, multipolar as mp
    >>> S = np.array([[1, .9, -.5], [.9, 1, -.4], [-.5, -.4, 1]])
    >>> R = mp.RelationMatrix(S, actors=[2, 20, 365])
    >>> lab = pd.Series([0, 0, 1], index=[2, 20, 365])
    >>> mp.alignment(R, lab, 365).tolist()
    [-0.45, nan]
    """
    func = "alignment"
    A, actors, codes = _square(matrix, func)
    labels = blocs.labels if isinstance(blocs, Blocs) else blocs
    if not isinstance(labels, pd.Series):
        raise TypeError(
            f"{func}: blocs must be a Blocs or a Series of labels; got {type(blocs).__name__}"
        )
    i = _position(actors, codes, state, func)
    lab = labels.reindex(actors).to_numpy(dtype=np.float64)
    out = {}
    for b in sorted(labels.dropna().unique().tolist()):
        members = lab == b
        members[i] = False
        row = A[i, members]
        out[b] = float(np.nanmean(row)) if np.isfinite(row).any() else np.nan
    return pd.Series(out, name=actors[i], dtype=np.float64)


def polarization(
    data: Any,
    weights: Any = None,
    *,
    blocs: Blocs | pd.Series | None = None,
    alpha: float = 1.0,
    k: float = 1.0,
    bounds: tuple[float, float] = (-1.0, 1.0),
) -> pd.Series:
    """Esteban-Ray polarization and the between-bloc distance.

    ``P = k * sum_i sum_j pi_i^(1 + alpha) pi_j delta_ij`` (Esteban & Ray
    1994), over groups i with population shares ``pi_i`` (summing to 1) and
    distances ``delta_ij``:

    - ``data`` a Series of positions (e.g. UN ideal points by state): the
      groups are the states (or, with ``blocs``, the blocs, each at the
      weighted mean position of its members) and ``delta_ij = |y_i - y_j|``.
    - ``data`` a similarity matrix: ``blocs`` is required; the groups are the
      blocs and ``delta_ab`` their mean dissimilarity ``(hi - S_ij) / (hi - lo)``
      over member pairs (``bounds`` as in :func:`blocs`).

    ``between`` is the share-weighted mean distance between different groups,
    ``sum_{i != j} pi_i pi_j delta_ij / sum_{i != j} pi_i pi_j``.

    Parameters
    ----------
    data : Series, RelationMatrix or square DataFrame
    weights : Series, optional
        Non-negative weight of each state (population, capability), indexed like
        ``data``; equal weights by default.
    blocs : Blocs or Series, optional
        Bloc labels by state.
    alpha : float, default 1.0
        Polarization sensitivity, in [0, 1.6] (Esteban & Ray's admissible range);
        alpha = 0 gives the Gini mean difference.
    k : float, default 1.0
        Scale constant K > 0.
    bounds : (float, float)
        Range of the similarity measure (matrix input).

    Returns
    -------
    Series
        ``er`` (the index), ``between`` and ``n_groups``.

    References
    ----------
    Esteban, J.-M., & Ray, D. (1994). On the measurement of polarization.
    *Econometrica*, 62(4), 819-851.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> float(mp.polarization(pd.Series([0.0, 0.0, 1.0, 1.0]))["er"])
    0.125
    """
    func = "polarization"
    if not (isinstance(alpha, (int, float)) and 0 <= alpha <= 1.6):
        raise ValueError(f"{func}: alpha must be in [0, 1.6]; got {alpha!r}")
    if not (isinstance(k, (int, float)) and k > 0):
        raise ValueError(f"{func}: k must be positive; got {k!r}")
    if isinstance(weights, Blocs) and blocs is None:
        raise TypeError(
            f"{func}: weights got a Blocs; the second positional argument is weights: "
            f"did you mean polarization(data, blocs=...)?"
        )
    labels = None
    if blocs is not None:
        labels = blocs.labels if isinstance(blocs, Blocs) else blocs
        if not isinstance(labels, pd.Series):
            raise TypeError(
                f"{func}: blocs must be a Blocs or a Series of labels; got {type(blocs).__name__}"
            )
    if isinstance(data, pd.Series) or (isinstance(data, np.ndarray) and data.ndim == 1):
        y = data if isinstance(data, pd.Series) else pd.Series(data)
        y = y.astype(np.float64)
        w = (
            pd.Series(1.0, index=y.index)
            if weights is None
            else pd.Series(weights).reindex(y.index).astype(np.float64)
        )
        keep = y.notna() & w.notna()
        y, w = y[keep], w[keep]
        if (w < 0).any():
            raise ValueError(
                f"{func}: weights must be non-negative; got {w[w < 0].iloc[0].item()!r}"
            )
        if labels is not None:
            lab = labels.reindex(y.index)
            keep = lab.notna()
            y, w, lab = y[keep], w[keep], lab[keep]
            tot = w.groupby(lab).sum()
            pos = (y * w).groupby(lab).sum() / tot.where(tot > 0)
            pi = (tot / tot.sum()).to_numpy()
            yv = pos.to_numpy()
        else:
            pi = (w / w.sum()).to_numpy()
            yv = y.to_numpy()
        delta = np.abs(yv[:, None] - yv[None, :])
    else:
        A, actors, _ = _square(data, func, "data")
        if labels is None:
            hint = (
                "; the second positional argument is weights: did you mean "
                "polarization(data, blocs=...)?"
                if weights is not None
                else ": pass blocs=multipolar.blocs(data) or a Series of labels"
            )
            raise ValueError(f"{func}: blocs must be given for a similarity matrix; got None{hint}")
        lo, hi = bounds
        lab = labels.reindex(actors).to_numpy(dtype=np.float64)
        w = (
            np.ones(len(actors))
            if weights is None
            else pd.Series(weights).reindex(actors).fillna(0).to_numpy(np.float64)
        )
        names = np.unique(lab[~np.isnan(lab)])
        D = (hi - A) / (hi - lo)
        np.fill_diagonal(D, np.nan)
        tot = np.array([w[lab == b].sum() for b in names])
        pi = tot / tot.sum()
        delta = np.zeros((len(names), len(names)))
        for a, ba in enumerate(names):
            for b, bb in enumerate(names):
                block = D[np.ix_(lab == ba, lab == bb)]
                delta[a, b] = np.nanmean(block) if a != b and np.isfinite(block).any() else 0.0
    er = float(k * np.sum((pi[:, None] ** (1 + alpha)) * pi[None, :] * delta))
    off = ~np.eye(len(pi), dtype=bool)
    den = np.sum((pi[:, None] * pi[None, :])[off])
    between = float(np.sum((pi[:, None] * pi[None, :] * delta)[off]) / den) if den > 0 else np.nan
    return pd.Series({"er": er, "between": between, "n_groups": float(len(pi))})


def balance(signed_matrix: Any, *, beta: float = 1.0, weighted: bool = False) -> pd.Series:
    """Structural balance of a signed matrix: triangle indices and walk index.

    The matrix is symmetrized; an entry > 0 is a positive tie, < 0 a negative
    tie, 0 or NaN no tie (the diagonal is ignored). Over the triangles with
    three ties:

    - ``strict`` = share of balanced triangles in Cartwright & Harary's sense
      (+++ and +--), i.e. an even number of negative ties;
    - ``generalized`` = share that is balanced or all-negative (---), Davis's
      (1967) weak balance (clusterability).

    ``walk`` is Estrada & Benzi's (2014) walk-based index
    ``tr exp(beta A) / tr exp(beta |A|)`` (1 for a balanced network), computed
    from eigenvalues; ``A`` holds the signs, or the values with
    ``weighted=True``.

    Parameters
    ----------
    signed_matrix : RelationMatrix or square DataFrame
    beta : float, default 1.0
        Inverse temperature of the walk index, > 0.
    weighted : bool, default False
        Use the tie values instead of their signs in the walk index.

    Returns
    -------
    Series
        ``triangles``, ``ppp``, ``ppn``, ``pnn``, ``nnn`` (counts of triangles
        with 3, 2, 1, 0 positive ties), ``strict``, ``generalized`` (NaN with no
        triangle) and ``walk``.

    References
    ----------
    Cartwright, D., & Harary, F. (1956). Structural balance. *Psychological
    Review*, 63(5), 277-293. Davis, J. A. (1967). Clustering and structural
    balance in graphs. *Human Relations*, 20(2), 181-187. Estrada, E., & Benzi,
    M. (2014). Walk-based measure of balance in signed networks. *Physical
    Review E*, 90, 042802.

    Examples
    --------
    >>> import numpy as np, multipolar as mp
    >>> S = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
    >>> float(mp.balance(mp.RelationMatrix(S, actors=[2, 20, 365]))["strict"])
    1.0
    """
    func = "balance"
    if not (isinstance(beta, (int, float)) and beta > 0):
        raise ValueError(f"{func}: beta must be positive; got {beta!r}")
    A, _, _ = _square(signed_matrix, func, "signed_matrix")
    A = np.where(np.isnan(A), 0.0, A)
    A = (A + A.T) / 2
    np.fill_diagonal(A, 0.0)
    P = (A > 0).astype(np.float64)
    N = (A < 0).astype(np.float64)
    ppp = np.trace(P @ P @ P) / 6
    nnn = np.trace(N @ N @ N) / 6
    ppn = np.trace(P @ P @ N) / 2
    pnn = np.trace(P @ N @ N) / 2
    tri = ppp + ppn + pnn + nnn
    strict = (ppp + pnn) / tri if tri > 0 else np.nan
    gen = (ppp + pnn + nnn) / tri if tri > 0 else np.nan
    S = A if weighted else np.sign(A)
    ev = np.linalg.eigvalsh(beta * S)
    ev_abs = np.linalg.eigvalsh(beta * np.abs(S))
    if len(ev):
        from scipy.special import logsumexp

        walk = float(np.exp(logsumexp(ev) - logsumexp(ev_abs)))
    else:
        walk = np.nan
    return pd.Series(
        {
            "triangles": float(round(tri)),
            "ppp": float(round(ppp)),
            "ppn": float(round(ppn)),
            "pnn": float(round(pnn)),
            "nnn": float(round(nnn)),
            "strict": strict,
            "generalized": gen,
            "walk": walk,
        }
    )
