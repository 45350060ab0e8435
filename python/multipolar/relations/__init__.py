"""Labelled matrices of dyadic relations.

:class:`RelationMatrix` holds one score for every ordered pair of actors
(states, groupings, CAMEO actors): alliance ties, similarity of foreign-policy
portfolios, decayed event scores, trade dependence. It is the result type the
event-, similarity- and trade-built matrices of this package share, so every
method here works on all of them.

A matrix knows the code system of its actors (``.codes``):
an integer names a state by its COW ccode only in a ``"cow"`` matrix, and a
string is read in the matrix's own system. ``"AUS"`` is Austria in COW and
Australia in ISO3 and CAMEO, so actors are never compared across systems
without an explicit :meth:`RelationMatrix.to_codes`.

The package's modules: :mod:`.matrix` (the container), :mod:`.frames`
(matrices from dyad frames), :mod:`.events` (events into decayed matrices,
incremental updates), :mod:`.tensor` (time-binned tensors and dyad series).
"""

from __future__ import annotations

# matrix first: it imports frames and events, which only need the shared helpers
from ._common import CODE_SYSTEMS
from .matrix import RelationMatrix
from .tensor import EventTensor, dyad_series, event_tensor

__all__ = ["CODE_SYSTEMS", "EventTensor", "RelationMatrix", "dyad_series", "event_tensor"]
