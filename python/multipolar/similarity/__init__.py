"""Foreign-policy similarity: S, kappa, pi and tau-b, pairwise and for every dyad-year.

Two states' foreign-policy *portfolios* -- their alliance ties to every state
of the system, or their votes on the year's UN General Assembly roll calls --
are compared item by item. Every measure here is a function of the c x c
co-occurrence table of the two code vectors (c <= 4 for the usual data), so
the C kernel (``csrc/similarity.c``, measures in
``csrc/similarity_measures.c``) builds these tables for all pairs of a year
from bit sets, computes every measure in the same pass, and runs the years on
the package's threads (:func:`multipolar.set_num_threads`) with the GIL
released; the result does not depend on the number of threads. Each
unordered pair is computed once and written to both directed rows.

The package has three parts: :mod:`~multipolar.similarity.pairwise` (two
code vectors: :func:`s_score`, :func:`kappa`, :func:`scott_pi`,
:func:`tau_b`), :mod:`~multipolar.similarity.inputs` (alliance and UN-vote
frames into the kernel's portfolios) and :mod:`~multipolar.similarity.driver`
(every dyad-year: :func:`similarity`, :func:`similarity_matrix`,
:func:`ideal_distance`), and :mod:`~multipolar.similarity.bootstrap` (the
bootstrap bands' random streams and kernel call, ``csrc/similarity_boot.c``).

Evidence. Every result reports ``n``, the items compared; ``min_n=`` sets
measures below it to NaN (rows kept and counted), :func:`similarity_matrix`
keeps the counts as ``R.n``, and a ``constant`` column flags dyad-years where
one portfolio uses a single code on the compared items (kappa is then 0 by
construction). ``bootstrap=B`` adds percentile bands per measure.

Measures, for codes drawn from the ordered *possible* levels v_1 < ... < v_c
(never the observed ones), over the n items both portfolios code:

``s``
    Signorino & Ritter (1999): ``S = 1 - 2 * sum_k d(x_k, y_k) / (n * d_max)``
    with ``d = |x - y|`` and ``d_max = v_c - v_1``.
``s_sq``
    The same with squared distances: ``1 - 2 * sum (x - y)^2 / (n * d_max^2)``.
``s_w`` / ``s_w_sq``
    Weighted S: ``1 - 2 * sum_k w_k d(x_k, y_k) / (d_max * sum_k w_k)``,
    e.g. with capability (CINC) shares as the weights of the reference states
    (Signorino & Ritter 1999). The weights need not sum to 1.
``kappa``
    Cohen's (1968) weighted kappa with quadratic disagreement weights
    ``w_ab = (v_a - v_b)^2``, as recommended by Hage (2011):
    ``1 - sum_ab w_ab p_ab / sum_ab w_ab p_a. p_.b``. NaN when the expected
    disagreement is zero (both portfolios constant at the same level).
``pi``
    Scott's (1955) pi, nominal, with pooled marginals (as in the fpsim R
    package): ``(p_o - p_e) / (1 - p_e)``, ``p_o`` = share of items coded
    alike, ``p_e = sum_a ((p_a. + p_.a) / 2)^2``. NaN when ``p_e = 1``.
``taub``
    Kendall's (1938) tau-b, the measure of Bueno de Mesquita (1975):
    ``(C - D) / sqrt((n0 - n1)(n0 - n2))`` over the pairs of items. NaN when
    either portfolio is constant (or n < 2).

Every measure is NaN when no item is compared.

References
----------
Signorino, C. S., & Ritter, J. M. (1999). Tau-b or not tau-b: Measuring the
similarity of foreign policy positions. *International Studies Quarterly*,
43(1), 115-144.
Hage, F. M. (2011). Choice or circumstance? Adjusting measures of foreign
policy similarity for chance agreement. *Political Analysis*, 19(3), 287-305.
Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70(4), 213-220.
Scott, W. A. (1955). Reliability of content analysis. *Public Opinion
Quarterly*, 19(3), 321-325.
Bueno de Mesquita, B. (1975). Measuring systemic polarity. *Journal of
Conflict Resolution*, 19(2), 187-216.
Miller, S. V. fpsim: Measure Foreign Policy Similarity (R package).
"""

from __future__ import annotations

from .driver import MEASURES, SimilarityMatrix, ideal_distance, similarity, similarity_matrix
# the possible levels of each kind of portfolio, public as before the split
from .inputs import ALLIANCE_LEVELS as ALLIANCE_LEVELS
from .inputs import BINARY_LEVELS as BINARY_LEVELS
from .inputs import VOTE_LEVELS as VOTE_LEVELS
from .pairwise import kappa, s_score, scott_pi, tau_b

__all__ = [
    "MEASURES",
    "SimilarityMatrix",
    "ideal_distance",
    "kappa",
    "s_score",
    "scott_pi",
    "similarity",
    "similarity_matrix",
    "tau_b",
]

# The functions live in the submodules; doctest looks at this package's own
# objects only, so their Examples are listed here to run with it.
__test__ = {name: globals()[name] for name in __all__ if name not in ("MEASURES", "SimilarityMatrix")}
