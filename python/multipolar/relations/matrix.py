"""The :class:`RelationMatrix` container: labelled N×N scores, their actors and code system.

:class:`RelationMatrix` holds one score for every ordered pair of actors
(states, groupings, CAMEO actors): alliance ties, similarity of foreign-policy
portfolios, decayed event scores, trade dependence. It is the result type the
event-, similarity- and trade-built matrices of this package share, so every
method here works on all of them. Building matrices from frames lives in
:mod:`.frames`, from events in :mod:`.events` (whose methods the class
inherits).

A matrix knows the code system of its actors (``.codes``):
an integer names a state by its COW ccode only in a ``"cow"`` matrix, and a
string is read in the matrix's own system. ``"AUS"`` is Austria in COW and
Australia in ISO3 and CAMEO, so actors are never compared across systems
without an explicit :meth:`RelationMatrix.to_codes`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_number
from . import frames as _frames
from ._common import (
    _all_slots,
    _check_at,
    _check_codes,
    _display_positions,
    _examples,
    _fmt_at,
    _fmt_value,
    _normalize_actors,
    _plain,
)
from .events import EventMethods
from ._matrix_ops import (
    _counts,
    _equals,
    _from_frame,
    _html_repr,
    _locate,
    _symmetrized,
    _symmetrized_counts,
    _text_repr,
    _to_codes,
    _to_frame,
)

__all__ = ["RelationMatrix"]



def _as_matrix(values: Any, func: str) -> np.ndarray:
    """Validate ``values`` and return a float64, C-contiguous, read-only copy."""
    if isinstance(values, (pd.DataFrame, pd.Series)):
        raise TypeError(
            f"{func}: values must be an array, not a labelled pandas object; "
            f"got {type(values).__name__} (use RelationMatrix.from_pandas)"
        )
    if isinstance(values, RelationMatrix):
        raise TypeError(f"{func}: values must be an array; got RelationMatrix (use .copy())")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: values must be a 2-D numeric array; got {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{func}: values must be numeric (bool, integer or float); got dtype {arr.dtype}"
        )
    if arr.ndim != 2:
        raise ValueError(f"{func}: values must be 2-D; got shape {arr.shape}")
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{func}: values must be square; got shape {arr.shape}")
    out = np.array(arr, dtype=np.float64, order="C", copy=True)
    out.flags.writeable = False
    return out


# ---------------------------------------------------------------- the type


class _Presentation:
    """Pickling and display of a :class:`RelationMatrix` (kept apart so the class
    body stays about the matrix)."""

    __slots__ = ()
    _actors: pd.Index
    _codes: str
    _at: Any
    _values: np.ndarray

    # -- pickling --------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = {
            name: getattr(self, name) for name in _all_slots(type(self)) if hasattr(self, name)
        }
        if hasattr(self, "__dict__"):
            state.update(self.__dict__)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, val in state.items():
            object.__setattr__(self, name, val)
        if isinstance(self._values, np.ndarray) and self._values.flags.writeable:
            self._values.flags.writeable = False

    # -- display ---------------------------------------------------------

    def _summary(self) -> str:
        n = len(self._actors)
        return f"{type(self).__name__}: {n} x {n}, codes={self._codes!r}, at={_fmt_at(self._at)}"

    def _display_grid(self, max_actors: int) -> tuple[list[str], list[list[str]], int | None]:
        pos, cut = _display_positions(len(self._actors), max_actors)
        labels = [str(_plain(self._actors[p])) for p in pos]
        block = self._values[np.ix_(pos, pos)] if pos else np.empty((0, 0))
        cells = [[_fmt_value(v) for v in row] for row in block]
        return labels, cells, cut

    def __repr__(self) -> str:
        return _text_repr(self)

    def _repr_html_(self) -> str:
        return _html_repr(self)


class RelationMatrix(EventMethods, _Presentation):
    """A labelled N×N matrix of dyadic scores.

    ``values[i, j]`` is the score of actor ``actors[i]`` towards actor
    ``actors[j]`` (row: sender / first state of the dyad; column: receiver /
    second state). Missing is NaN.

    Parameters
    ----------
    values : array_like, shape (N, N)
        Scores. Bool and integer input is converted to float64. The matrix
        keeps its own C-contiguous float64 copy, so later changes to
        ``values`` do not reach it.
    actors : list-like of length N
        Unique, non-missing actor labels in the code system ``codes``:
        integers for ``"cow"`` and ``"gw"`` (integral floats are accepted),
        strings for the others.
    codes : {"cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name"}, default "cow"
        Code system of ``actors``.
    at : None, int, or datetime-like, default None
        The year (int) or time (``pandas.Timestamp``; dates and
        ``numpy.datetime64`` are converted; ``pandas.Period`` is kept) the
        matrix refers to.
    n : array_like, shape (N, N), optional
        The evidence behind each score, e.g. the common roll calls of a UN-vote
        similarity (:func:`multipolar.similarity_matrix` sets it): non-negative
        counts, NaN where unknown. Kept, in the same actor order, through
        :meth:`sub`, :meth:`T`, :meth:`to_codes`, :meth:`symmetrize` (the
        smaller count of the two directions that enter a score),
        :meth:`fillna` and :meth:`fill_diagonal` (counts unchanged), and
        written by :meth:`to_frame` as a column ``n``.

    Attributes
    ----------
    values : numpy.ndarray
        The N×N float64 scores, C-contiguous and **read-only** (the matrix is
        immutable; methods return new matrices). ``np.array(R.values)`` gives
        a writeable copy.
    actors : pandas.Index
        Actor labels (int64 for integer systems).
    codes : str
        Code system of ``actors``.
    at : None, int, pandas.Timestamp or pandas.Period
        The year or time the matrix refers to.
    n : numpy.ndarray or None
        The N×N float64 evidence counts (read-only), or None when unknown.

    Raises
    ------
    TypeError
        If ``values`` is not numeric, ``actors`` is not a list-like of codes
        of the right type, ``codes`` is not a string or ``at`` has an
        unsupported type.
    ValueError
        If ``values`` is not square and 2-D, ``len(actors)`` differs from N,
        ``actors`` has duplicates or missing labels, or ``codes`` is unknown.

    See Also
    --------
    RelationMatrix.from_frame : pivot a long dyad frame into a matrix.
    RelationMatrix.from_pandas : wrap a square DataFrame.

    Notes
    -----
    ``==`` compares identity, as for any Python object; use :meth:`equals`
    to compare contents with a relative tolerance.

    Examples
    --------
    >>> from multipolar.relations import RelationMatrix
    >>> R = RelationMatrix([[0, 1], [3, 0]], actors=[2, 365], at=2015)
    >>> R[2, 365]
    1.0
    >>> R.shape
    (2, 2)
    >>> R.to_frame()
       actor1  actor2  value
    0       2     365    1.0
    1     365       2    3.0
    """

    __slots__ = ("__weakref__", "_actors", "_at", "_codes", "_events", "_n", "_values")

    _values: np.ndarray
    _actors: pd.Index
    _codes: str
    _at: Any

    def __init__(
        self, values: Any, actors: Any, codes: str = "cow", at: Any = None, *, n: Any = None
    ) -> None:
        arr, idx, codes, at = self._validate(values, actors, codes, at, "RelationMatrix")
        self._values = arr
        self._actors = idx
        self._codes = codes
        self._at = at
        self._n = _counts(n, arr.shape, "RelationMatrix")

    # -- construction hooks ---------------------------------------------

    @staticmethod
    def _validate(
        values: Any, actors: Any, codes: Any, at: Any, func: str
    ) -> tuple[np.ndarray, pd.Index, str, Any]:
        codes = _check_codes(codes, func)
        arr = _as_matrix(values, func)
        idx = _normalize_actors(actors, codes, func)
        if len(idx) != arr.shape[0]:
            raise ValueError(
                f"{func}: actors must have one label per row of values; "
                f"got {len(idx)} actors for shape {arr.shape}"
            )
        return arr, idx, codes, _check_at(at, func)

    @classmethod
    def _from_parts(
        cls, values: np.ndarray, actors: pd.Index, codes: str, at: Any
    ) -> RelationMatrix:
        """Build a matrix from parts that are already valid (no copy).

        ``values`` must be a float64 C-contiguous array the new matrix may
        own, ``actors`` a normalised Index. Subclasses with extra state
        override this hook.
        """
        obj = object.__new__(cls)
        values.flags.writeable = False
        obj._values = values
        obj._actors = actors
        obj._codes = codes
        obj._at = at
        obj._n = None
        return obj

    def _derive(
        self,
        values: np.ndarray,
        actors: pd.Index | None = None,
        codes: str | None = None,
        n: Any = "keep",
    ) -> RelationMatrix:
        """A new matrix of the same class with new values (and actors).

        All other state, including a subclass's extra slots, is carried
        over; subclasses for which that is wrong override this hook. ``n``:
        the new count matrix (None: unknown); by default the counts are kept.
        """
        cls = type(self)
        obj = object.__new__(cls)
        for name in _all_slots(cls):
            # Event state (from_events) describes this matrix only: a derived
            # matrix is a plain snapshot that update() does not accept.
            if name != "_events" and hasattr(self, name):
                object.__setattr__(obj, name, getattr(self, name))
        if hasattr(self, "__dict__"):
            obj.__dict__.update(self.__dict__)
        arr = np.ascontiguousarray(values, dtype=np.float64)
        if arr is self._values or np.shares_memory(arr, self._values):
            arr = arr.copy()
        arr.flags.writeable = False
        obj._values = arr
        if actors is not None:
            obj._actors = actors
        if codes is not None:
            obj._codes = codes
        if not isinstance(n, str):
            if n is not None:
                n = np.ascontiguousarray(n, dtype=np.float64)
                n.flags.writeable = False
            obj._n = n
        return obj

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        row: Hashable | None = None,
        col: Hashable | None = None,
        value: Hashable | None = "value",
        *,
        codes: str | None = None,
        at: Any = None,
        actors: Any = None,
        fill: float = np.nan,
        aggregate: str | Callable[..., Any] | None = None,
        n: Hashable | None = None,
    ) -> RelationMatrix:
        """Pivot a long dyad frame into a matrix.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per directed pair; other columns are ignored. The index
            and row order do not matter.
        row, col : column labels, optional
            Columns holding the first (row) and second (column) actor of each
            pair, in the code system ``codes``. Categorical columns are
            matched through their categories. Default: ``ccode1, ccode2``, or
            ``actor1, actor2`` when the frame has those and not the former
            (the columns :meth:`to_frame` writes).
        value : column label or None, default "value"
            Numeric column holding the score. NaN values are kept as NaN
            (they are not replaced by ``fill``). ``None`` counts rows per pair
            (duplicates are then expected and summed).
        codes : str, optional
            Code system of the keys; see :class:`RelationMatrix`. Default: the
            system recorded by :meth:`to_frame` in ``df.attrs``, else "cow".
        at : None, int or datetime-like, default None
            The year or time of the result.
        actors : list-like, optional
            Actors of the result, in this order. Default: the sorted union of
            the non-missing ``row`` and ``col`` values. With explicit actors,
            rows whose pair falls outside them are left out, counted and
            reported in a ``UserWarning``.
        fill : float, default NaN
            Score of the pairs that no row provides (the diagonal included,
            unless rows provide it).
        aggregate : str, callable or None, default None
            How to combine several rows of the same pair. ``None``: duplicate
            pairs raise ``ValueError``. ``"sum"``, ``"mean"``, ``"min"``,
            ``"max"``, ``"count"`` (vectorized) skip NaN values; a pair whose
            values are all NaN gets NaN (``"count"``: 0). ``"median"``,
            ``"first"``, ``"last"``, ``"prod"``, ``"std"``, ``"var"`` or a
            callable taking a Series of one pair's values go through pandas
            ``groupby`` (slower).
        n : column label, optional
            Column holding the evidence count of each score (e.g. ``n`` of
            :func:`multipolar.similarity`, or of :meth:`to_frame`): the result
            carries it as :attr:`n`, NaN for pairs no row provides; repeated
            pairs add their counts.

        Returns
        -------
        RelationMatrix

        Raises
        ------
        TypeError
            If ``df`` is not a DataFrame, ``value`` is not numeric, or the
            keys have the wrong type for ``codes``.
        KeyError
            If ``row``, ``col`` or ``value`` is not a column of ``df``.
        ValueError
            If a pair occurs twice and ``aggregate`` is None, or an argument
            has a bad value.

        Warns
        -----
        UserWarning
            If rows with a missing ``row`` or ``col`` key were left out, or,
            with explicit ``actors``, rows with a key outside ``actors``. The
            message gives the count; nothing is dropped silently.

        Notes
        -----
        Keys are matched with ``pandas.Index.get_indexer`` and scores placed
        with one fancy assignment (or ``numpy.bincount``/``ufunc.at`` for
        aggregates), so a 1M-row frame takes a fraction of a second. The
        aggregate path allocates scratch arrays of N² elements.

        Examples
        --------
        >>> import pandas as pd
        >>> from multipolar.relations import RelationMatrix
        >>> df = pd.DataFrame({"ccode1": [2, 2, 365], "ccode2": [365, 710, 710],
        ...                    "value": [0.5, 0.25, 0.75]})
        >>> R = RelationMatrix.from_frame(df, at=2015, fill=0.0)
        >>> R.actors.tolist()
        [2, 365, 710]
        >>> R.values
        array([[0.  , 0.5 , 0.25],
               [0.  , 0.  , 0.75],
               [0.  , 0.  , 0.  ]])
        """
        return _from_frame(cls, df, row, col, value, codes=codes, at=at, actors=actors,
                           fill=fill, aggregate=aggregate, n=n)

    @classmethod
    def from_pandas(cls, df: pd.DataFrame, codes: str = "cow", at: Any = None) -> RelationMatrix:
        """Wrap a square DataFrame whose index and columns name the same actors.

        Parameters
        ----------
        df : pandas.DataFrame
            Numeric scores, rows and columns labelled by actors. The columns
            may be in another order than the index; they are aligned to it.
        codes : str, default "cow"
            Code system of the labels.
        at : None, int or datetime-like, default None
            The year or time of the matrix.

        Returns
        -------
        RelationMatrix
            Actors in the order of ``df.index``.

        Raises
        ------
        TypeError
            If ``df`` is not a DataFrame or holds non-numeric columns.
        ValueError
            If index and columns do not hold the same unique actors.

        Examples
        --------
        >>> import pandas as pd
        >>> from multipolar.relations import RelationMatrix
        >>> df = pd.DataFrame([[1.0, 0.2], [0.2, 1.0]], index=["USA", "RUS"],
        ...                   columns=["RUS", "USA"])
        >>> RelationMatrix.from_pandas(df, codes="iso3")["USA", "RUS"]
        1.0
        """
        return _frames.from_pandas(cls, df, codes, at)

    # -- basic properties ------------------------------------------------

    @property
    def values(self) -> np.ndarray:
        """The N×N float64 scores (C-contiguous, read-only)."""
        return self._values

    @property
    def actors(self) -> pd.Index:
        """Actor labels, in the code system :attr:`codes`."""
        return self._actors

    @property
    def codes(self) -> str:
        """Code system of :attr:`actors`."""
        return self._codes

    @property
    def at(self) -> Any:
        """The year (int) or time the matrix refers to, or None."""
        return self._at

    @property
    def n(self) -> np.ndarray | None:
        """Evidence count of each score (read-only N×N float64), or None when unknown."""
        return getattr(self, "_n", None)

    @property
    def shape(self) -> tuple[int, int]:
        """``(N, N)``."""
        n = len(self._actors)
        return (n, n)

    def __len__(self) -> int:
        return len(self._actors)

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the actors (as a dict iterates over its keys)."""
        return iter(self._actors)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self._values
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            if copy is False:
                raise ValueError(
                    f"RelationMatrix: dtype {np.dtype(dtype)} needs a copy; got copy=False"
                )
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    # -- lookup ----------------------------------------------------------

    def _locate(self, key: Any) -> int:
        """Position of one actor key, read in the matrix's code system."""
        return _locate(self, key)

    def __getitem__(self, key: Any) -> Any:
        """``R[a, b]`` → float score; ``R[a]`` → row of ``a`` as a Series.

        Keys are read in the matrix's code system: an int is a COW ccode
        only when ``codes == "cow"`` (where a string is read as a COW
        abbreviation, else as ISO3, ISO2 or an English name, in that order:
        ``R["USA", "Russian Federation"]``), a GW code when ``codes == "gw"``;
        otherwise keys are strings of :attr:`codes`. An unknown actor raises
        ``KeyError``.
        """
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError(
                    f"RelationMatrix: key must be an actor or a pair of actors; got {key!r}"
                )
            i = self._locate(key[0])
            j = self._locate(key[1])
            return float(self._values[i, j])
        i = self._locate(key)
        return pd.Series(
            self._values[i].copy(), index=self._actors.copy(), name=_plain(self._actors[i])
        )

    def __contains__(self, key: Any) -> bool:
        try:
            self._locate(key)
        except (KeyError, TypeError):
            return False
        return True

    # -- conversion ------------------------------------------------------

    def to_frame(self, diagonal: bool = False, dropna: bool = False) -> pd.DataFrame:
        """Long frame with one row per ordered pair of actors.

        Parameters
        ----------
        diagonal : bool, default False
            Include the pairs (i, i).
        dropna : bool, default False
            Leave out pairs whose score is NaN.

        Returns
        -------
        pandas.DataFrame
            Columns ``actor1``, ``actor2`` (labels, dtype of :attr:`actors`)
            and ``value`` (float64), rows in row-major order of the matrix,
            with a RangeIndex; and ``n`` (float64) when the matrix carries
            evidence counts (:attr:`n`). :meth:`from_frame` with ``row="actor1",
            col="actor2"`` inverts ``to_frame(diagonal=True)``; the default
            leaves the pairs (i, i) out, and ``from_frame`` then gives them its
            ``fill`` (NaN unless given), so pass ``diagonal=True`` for a round
            trip.

        ``df.attrs["relation_matrix"]`` records the code system, time, actor
        order and (when left out) the diagonal, so that ``from_frame`` with
        its defaults rebuilds the matrix from the unchanged frame:
        ``RelationMatrix.from_frame(R.to_frame()).equals(R)``. A frame whose
        row count has changed since is read as any other frame.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[9, 1], [2, 9]], actors=["USA", "RUS"], codes="iso3")
        >>> RelationMatrix.from_frame(R.to_frame()).equals(R)
        True
        >>> R.to_frame(diagonal=True)
          actor1 actor2  value
        0    USA    USA    9.0
        1    USA    RUS    1.0
        2    RUS    USA    2.0
        3    RUS    RUS    9.0
        """
        return _to_frame(self, diagonal, dropna)

    def to_pandas(self) -> pd.DataFrame:
        """The matrix as a square DataFrame (a copy).

        The index is named ``actor1`` and the columns ``actor2``, so
        ``R.to_pandas().stack()`` is indexed like :meth:`to_frame`.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> df = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365]).to_pandas()
        >>> df.loc[2, 365]
        np.float64(1.0)
        >>> df.stack().index.names
        FrozenList(['actor1', 'actor2'])
        """
        return pd.DataFrame(
            np.array(self._values),
            index=self._actors.rename("actor1"),
            columns=self._actors.rename("actor2"),
        )

    def to_codes(
        self, codes: str, *, year: int | None = None, errors: str = "raise"
    ) -> RelationMatrix:
        """A copy with the actors converted to another code system.

        Parameters
        ----------
        codes : str
            Target system: "cow", "cowabb", "iso3", "iso2", "cameo", "gw" or
            "name".
        year : int, optional
            Year for conversions that depend on it. Default: :attr:`at` if it
            is a year (int), or the year of :attr:`at` if it is a time.
        errors : {"raise", "drop"}, default "raise"
            An actor with no code in ``codes`` -- a CAMEO region (AFR, EUR,
            SAF, ...; see :data:`multipolar.codes.CAMEO_REGIONS`), Palestine
            (PSE) or any actor unknown in the matrix's system -- raises
            (``"raise"``), or is set aside with its rows and columns
            (``"drop"``): a UserWarning then reports how many actors were
            dropped and which.

        Returns
        -------
        RelationMatrix
            Same values and actor order (less any dropped actors), actors in
            ``codes``.

        Raises
        ------
        ValueError
            If an actor is unknown in the matrix's own system or has no code
            in ``codes`` (with ``errors="raise"``), or two actors map to one
            code.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365], at=2015)
        >>> R.to_codes("iso3").actors.tolist()
        ['USA', 'RUS']
        """
        return _to_codes(self, codes, year, errors)

    # -- derived matrices ------------------------------------------------

    def copy(self) -> RelationMatrix:
        """A copy with its own values array."""
        return self._derive(self._values.copy())

    @property
    def T(self) -> RelationMatrix:
        """The transposed matrix (scores of column actors towards row actors)."""
        return self._derive(np.ascontiguousarray(self._values.T), n=None if self.n is None else self.n.T)

    def symmetrize(self, how: str = "mean", *, skipna: bool = False) -> RelationMatrix:
        """A symmetric matrix combining ``A[i, j]`` and ``A[j, i]``.

        Parameters
        ----------
        how : {"mean", "max", "min", "sum"}, default "mean"
            ``"mean"``: (A + Aᵀ)/2; ``"max"``/``"min"``: elementwise
            maximum/minimum of A and Aᵀ; ``"sum"``: A + Aᵀ (so the diagonal
            doubles).
        skipna : bool, default False
            If False a NaN on either side gives NaN. If True the present side
            is used alone; a pair NaN on both sides stays NaN.

        Returns
        -------
        RelationMatrix

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [3, 0]], actors=[2, 365])
        >>> R.symmetrize().values
        array([[0., 2.],
               [2., 0.]])
        >>> R.symmetrize("max")[365, 2]
        3.0
        """
        counts = _symmetrized_counts(self._values, self.n, skipna)
        return self._derive(_symmetrized(self._values, how, skipna), n=counts)

    def sub(self, actors: Any) -> RelationMatrix:
        """The submatrix of the given actors, in the given order.

        Keys are read as in ``R[a]``. Unknown actors raise ``KeyError``,
        repeated ones ``ValueError``.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1, 2], [3, 0, 4], [5, 6, 0]], actors=[2, 365, 710])
        >>> R.sub([710, 2]).values
        array([[0., 5.],
               [2., 0.]])
        """
        func = "RelationMatrix.sub"
        if isinstance(actors, (str, bytes)) or not pd.api.types.is_list_like(actors):
            raise TypeError(
                f"{func}: actors must be a list-like of actor keys; got {type(actors).__name__}"
            )
        keys = list(actors)
        pos = np.fromiter((self._locate(k) for k in keys), dtype=np.intp, count=len(keys))
        if len(np.unique(pos)) != len(pos):
            repeated = pd.Index(pos).duplicated()
            dups = [k for k, rep in zip(keys, repeated) if rep]
            raise ValueError(f"{func}: actors must be unique; got duplicates {_examples(dups)}")
        values = self._values[np.ix_(pos, pos)]
        n = self.n
        return self._derive(
            values, actors=self._actors.take(pos), n=n[np.ix_(pos, pos)] if n is not None else None
        )

    def fillna(self, value: float) -> RelationMatrix:
        """A copy with NaN scores replaced by ``value``.

        Examples
        --------
        >>> import numpy as np
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[np.nan, 1], [2, np.nan]], actors=[2, 365])
        >>> R.fillna(0).values
        array([[0., 1.],
               [2., 0.]])
        """
        value = as_number(value, "RelationMatrix.fillna", "value")
        return self._derive(np.where(np.isnan(self._values), value, self._values))

    def fill_diagonal(self, value: float) -> RelationMatrix:
        """A copy with every diagonal score set to ``value``.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365])
        >>> R.fill_diagonal(1).values
        array([[1., 1.],
               [2., 1.]])
        """
        value = as_number(value, "RelationMatrix.fill_diagonal", "value")
        out = self._values.copy()
        np.fill_diagonal(out, value)
        return self._derive(out)

    # -- comparison ------------------------------------------------------

    def equals(self, other: Any, rtol: float = 1e-12, *, check_at: bool = True) -> bool:
        """Whether ``other`` holds the same matrix, up to rounding.

        Floating sums depend on order, so two matrices are equal
        when they have the same actors and code system and
        ``max|A − B| ≤ rtol · max|B|`` over the finite scores, with ``other``
        as B. NaN must sit at the same pairs, and infinite scores must match
        exactly. Actor order does not matter (``other`` is aligned to
        ``self``).

        Parameters
        ----------
        other : object
            Anything; a non-matrix is never equal.
        rtol : float, default 1e-12
            Relative tolerance, non-negative.
        check_at : bool, default True
            Also require the same :attr:`at`.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> A = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365])
        >>> B = RelationMatrix([[0, 1 + 1e-15], [2, 0]], actors=[2, 365])
        >>> A.equals(B), A == B
        (True, False)
        """
        return _equals(self, other, rtol, check_at)
