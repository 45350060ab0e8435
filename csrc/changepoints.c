/*
 * changepoints.c -- the change-point family: exact optimal segmentation of
 * many series at once by PELT (Killick, Fearnhead & Eckley 2012). Wrapped by
 * multipolar.changepoints (changepoints) and multipolar.realign
 * (realignments).
 *
 *   pelt_segments(values, offsets, cost, penalty, min_size, scale)
 *       Series i is values[offsets[i] .. offsets[i+1]); NaN entries are gaps:
 *       they are dropped and the series is segmented over its m finite
 *       observations. The segmentation minimizes
 *           sum over segments C(segment) + pen_i * (number of breaks)
 *       over all segmentations whose segments hold at least min_size
 *       observations, with the segment costs (twice the negative
 *       log-likelihood up to constants)
 *           cost 0 (mean):    C = sum (x - mean)^2           (Gaussian mean shift)
 *           cost 1 (poisson): C = 2 (S - S log(S / n))        (Poisson rate; S = sum, 0 log 0 = 0)
 *       and pen_i = penalty[i], times sigma_i^2 when scale is 1 (mean cost
 *       with estimated variance): sigma_i = MAD / 0.6744897501960817 of the
 *       first differences over sqrt(2), i.e. the median of |x[k+1] - x[k]|
 *       scaled to a normal standard deviation (robust to the shifts
 *       themselves); when that median is 0 the sample variance (ddof 1)
 *       is used; a constant series has no break.
 *       Returns (counts, breaks, pen): counts[i] breaks of series i; breaks,
 *       in series order and ascending within a series, the positions in
 *       values of the first observation of each new segment; pen[i] the
 *       penalty used (NaN where the series was too short, constant, or its
 *       costs overflow, so that no break could be placed).
 *
 * PELT is exact: a candidate last break s is discarded at time t only when
 * F(s) + C(s, t) > F(t) (both costs above satisfy C(a, c) >= C(a, b) +
 * C(b, c), so K = 0 in Killick et al.'s condition), and because a later end
 * T must lie at least min_size after t for t to compete, s is kept until
 * t + min_size. Candidates are scanned in ascending order and a strictly
 * smaller value wins, so ties go to the earliest last break, as in the
 * plain O(n^2) optimal partitioning (Jackson et al. 2005) of the slow twin.
 *
 * Sources: Killick, R., Fearnhead, P. & Eckley, I. A. (2012), "Optimal
 * detection of changepoints with a linear computational cost", JASA 107(500),
 * 1590-1598; Jackson, B. et al. (2005), "An algorithm for optimal
 * partitioning of data on an interval", IEEE Signal Processing Letters 12(2),
 * 105-108.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "changepoints.h"
#include "threads.h"

#define CP_COST_MEAN 0
#define CP_COST_POISSON 1
/* Series per task: many short series (dyads x years), handed out dynamically. */
#define CP_SERIES_PER_TASK 16
/* 1 / Phi^-1(3/4): the MAD of a normal sample is 0.6744897501960817 sigma. */
#define CP_MAD_NORMAL 0.6744897501960817

/* ---- one series -------------------------------------------------------------- */

/* Scratch of one worker for series of at most L entries (see cp_scratch_bytes). */
typedef struct {
    double *x, *diff, *s, *q, *f, *gap;
    npy_intp *pos, *last, *cand, *kill;
} cp_scratch_t;

static size_t
cp_scratch_bytes(npy_intp L)
{
    return (size_t)(6 * (L + 1)) * sizeof(double) + (size_t)(4 * (L + 1)) * sizeof(npy_intp);
}

static cp_scratch_t
cp_scratch_at(char *slot, npy_intp L)
{
    double *d = (double *)slot;
    npy_intp *p = (npy_intp *)(d + 6 * (L + 1));
    cp_scratch_t s = {d,         d + (L + 1), d + 2 * (L + 1), d + 3 * (L + 1), d + 4 * (L + 1),
                      d + 5 * (L + 1), p,     p + (L + 1),     p + 2 * (L + 1), p + 3 * (L + 1)};
    return s;
}

/* Everything a task reads; tasks write disjoint series. */
typedef struct {
    const double *values; /* nvalues, any stride */
    npy_intp vstride;     /* bytes */
    const npy_int64 *off; /* nseries + 1, private validated copy */
    const double *pen;    /* nseries, private validated copy */
    npy_intp nseries, maxlen, min_size;
    int cost, scale;
    npy_int64 *slots;     /* nvalues: the breaks of series i from off[i] */
    npy_int64 *counts;    /* nseries */
    double *pen_used;     /* nseries */
    char *scratch;
    size_t stride;
    multipolar_error_t *errs; /* one per worker: its error of lowest row */
} cp_ctx_t;

static int
cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * sigma^2 of m >= 2 finite observations: (median |diff| / 0.6745)^2 / 2, or
 * the sample variance when that median is 0 (0: a constant series).
 */
static double
cp_sigma2(const double *x, npy_intp m, double *diff)
{
    for (npy_intp k = 0; k + 1 < m; k++) {
        diff[k] = fabs(x[k + 1] - x[k]);
    }
    const npy_intp nd = m - 1;
    qsort(diff, (size_t)nd, sizeof(double), cmp_double);
    const double med = nd % 2 ? diff[nd / 2] : (diff[nd / 2 - 1] + diff[nd / 2]) / 2.0;
    if (med > 0.0) {
        const double sd = med / CP_MAD_NORMAL;
        return sd * sd / 2.0;
    }
    double mean = 0.0, ss = 0.0;
    for (npy_intp k = 0; k < m; k++) {
        mean += x[k];
    }
    mean /= (double)m;
    for (npy_intp k = 0; k < m; k++) {
        ss += (x[k] - mean) * (x[k] - mean);
    }
    return ss / (double)(m - 1);
}

/* Cost of observations [a, b) from the prefix sums (b - a >= 1). */
static inline double
cp_cost(const cp_ctx_t *c, const cp_scratch_t *s, npy_intp a, npy_intp b)
{
    const double n = (double)(b - a), sum = s->s[b] - s->s[a];
    if (c->cost == CP_COST_MEAN) {
        const double v = (s->q[b] - s->q[a]) - sum * sum / n;
        return v > 0.0 ? v : 0.0; /* rounding can leave a tiny negative sum of squares */
    }
    return sum > 0.0 ? 2.0 * (sum - sum * log(sum / n)) : 0.0;
}

/*
 * PELT over the m finite observations in s (prefix sums filled) with penalty
 * pen: fills s->last; candidates in s->cand (ascending), each kept until its
 * s->kill time. Runs without the GIL.
 */
static void
cp_pelt(const cp_ctx_t *c, const cp_scratch_t *s, npy_intp m, double pen)
{
    const npy_intp ms = c->min_size;
    npy_intp nc = 0;
    s->f[0] = -pen;
    for (npy_intp t = ms; t <= m; t++) {
        const npy_intp fresh = t - ms;
        if (fresh == 0 || fresh >= ms) {
            s->cand[nc] = fresh;
            s->kill[nc] = NPY_MAX_INTP;
            nc++;
        }
        /* drop candidates pruned at least min_size ago; evaluate the rest */
        double best = NPY_INFINITY;
        npy_intp arg = -1, keep = 0;
        for (npy_intp r = 0; r < nc; r++) {
            if (s->kill[r] <= t) {
                continue;
            }
            const npy_intp a = s->cand[r];
            const double v = s->f[a] + cp_cost(c, s, a, t);
            s->gap[keep] = v;
            s->cand[keep] = a;
            s->kill[keep] = s->kill[r];
            keep++;
            if (v + pen < best) {
                best = v + pen;
                arg = a;
            }
        }
        nc = keep;
        s->f[t] = best;
        s->last[t] = arg;
        /* prune: F(a) + C(a, t) > F(t), with a margin for rounding (keeping more is exact) */
        for (npy_intp r = 0; r < nc; r++) {
            const double tol = 1e-12 * (fabs(s->gap[r]) + fabs(best) + pen);
            if (s->kill[r] == NPY_MAX_INTP && s->gap[r] > best + tol) {
                s->kill[r] = t + ms;
            }
        }
    }
}

/*
 * Series i: copy its finite values (each read once), check them, segment,
 * and write its breaks into slots[off[i] ..]. Runs without the GIL.
 */
static void
cp_series(const cp_ctx_t *c, npy_intp i, const cp_scratch_t *s, multipolar_error_t *err)
{
    const npy_intp lo = (npy_intp)c->off[i], hi = (npy_intp)c->off[i + 1];
    npy_intp m = 0;
    c->counts[i] = 0;
    c->pen_used[i] = NPY_NAN;
    for (npy_intp k = lo; k < hi; k++) {
        const double v = *(const double *)((const char *)c->values + k * c->vstride);
        if (npy_isnan(v)) {
            continue;
        }
        if (!npy_isfinite(v) || (c->cost == CP_COST_POISSON && v < 0.0)) {
            if (err->status == MULTIPOLAR_OK || k < err->index) {
                *err = multipolar_error(npy_isfinite(v) ? MULTIPOLAR_ERR_NEGATIVE
                                                        : MULTIPOLAR_ERR_NONFINITE,
                                        "values", k, v);
            }
            return;
        }
        s->x[m] = v;
        s->pos[m] = k;
        m++;
    }
    if (m < 2 * c->min_size) {
        return;
    }
    double pen = c->pen[i];
    if (c->scale) {
        const double sigma2 = cp_sigma2(s->x, m, s->diff);
        if (!(sigma2 > 0.0)) {
            return; /* constant: no break */
        }
        pen *= sigma2;
    }
    /* prefix sums, shifted by the first value for the mean cost (less cancellation) */
    const double shift = c->cost == CP_COST_MEAN ? s->x[0] : 0.0;
    s->s[0] = s->q[0] = 0.0;
    for (npy_intp k = 0; k < m; k++) {
        const double d = s->x[k] - shift;
        s->s[k + 1] = s->s[k] + d;
        s->q[k + 1] = s->q[k] + d * d;
    }
    if (!npy_isfinite(pen) || !npy_isfinite(cp_cost(c, s, 0, m))) {
        return; /* too large for the cost in double precision */
    }
    c->pen_used[i] = pen;
    cp_pelt(c, s, m, pen);
    /* backtrack from the end: breaks come out in descending order */
    npy_intp nb = 0;
    for (npy_intp t = s->last[m]; t > 0; t = s->last[t]) {
        s->cand[nb++] = t;
    }
    for (npy_intp j = 0; j < nb; j++) {
        c->slots[lo + j] = (npy_int64)s->pos[s->cand[nb - 1 - j]];
    }
    c->counts[i] = nb;
}

static void
cp_task(void *arg, npy_intp task, int worker)
{
    const cp_ctx_t *c = (const cp_ctx_t *)arg;
    const cp_scratch_t s =
        cp_scratch_at(multipolar_scratch_slot(c->scratch, c->stride, worker), c->maxlen);
    const npy_intp stop = (task + 1) * CP_SERIES_PER_TASK < c->nseries
                              ? (task + 1) * CP_SERIES_PER_TASK
                              : c->nseries;
    for (npy_intp i = task * CP_SERIES_PER_TASK; i < stop; i++) {
        cp_series(c, i, &s, &c->errs[worker]);
    }
}

/* ---- entry point ------------------------------------------------------------- */

/* One call's arguments and resources. */
typedef struct {
    PyArrayObject *val_arr, *off_arr, *pen_arr; /* borrowed from args */
    int cost, scale;
    Py_ssize_t min_size;
    npy_intp nvalues, nseries, maxlen;
    npy_int64 *off;
    double *pen;
    npy_int64 *slots;
    multipolar_error_t *errs;
    char *scratch;
    size_t stride;
    PyArrayObject *o_counts, *o_breaks, *o_pen;
} cp_call_t;

/* Steps 1-2: parse (names as in _core.pyi); dtypes, shapes, ranges; private copies. */
static int
cp_parse(PyObject *args, PyObject *kwds, cp_call_t *c, const char *func)
{
    static char *kwlist[] = {"values", "offsets", "cost", "penalty", "min_size", "scale", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!iO!np:pelt_segments", kwlist, &PyArray_Type,
                                     &c->val_arr, &PyArray_Type, &c->off_arr, &c->cost,
                                     &PyArray_Type, &c->pen_arr, &c->min_size, &c->scale)) {
        return -1;
    }
    if (c->cost != CP_COST_MEAN && c->cost != CP_COST_POISSON) {
        PyErr_Format(PyExc_ValueError, "%s: cost must be %d (mean) or %d (poisson); got %d", func,
                     CP_COST_MEAN, CP_COST_POISSON, c->cost);
        return -1;
    }
    if (c->scale && c->cost != CP_COST_MEAN) {
        PyErr_Format(PyExc_ValueError, "%s: scale needs cost %d (mean); got cost %d", func,
                     CP_COST_MEAN, c->cost);
        return -1;
    }
    if (c->min_size < 1) {
        PyErr_Format(PyExc_ValueError, "%s: min_size must be >= 1; got %zd", func, c->min_size);
        return -1;
    }
    if (multipolar_check_typed_1d(c->val_arr, func, "values", NPY_FLOAT64, "float64", -1) < 0 ||
        multipolar_check_typed_1d(c->off_arr, func, "offsets", NPY_INT64, "int64", -1) < 0) {
        return -1;
    }
    c->nvalues = PyArray_DIM(c->val_arr, 0);
    const npy_intp noff = PyArray_DIM(c->off_arr, 0);
    if (noff < 1) {
        PyErr_Format(PyExc_ValueError, "%s: offsets must have at least 1 entry; got 0", func);
        return -1;
    }
    c->nseries = noff - 1;
    if (multipolar_check_typed_1d(c->pen_arr, func, "penalty", NPY_FLOAT64, "float64",
                                  c->nseries) < 0) {
        return -1;
    }
    c->off = PyMem_Calloc((size_t)noff, sizeof(npy_int64));
    c->pen = PyMem_Calloc((size_t)(c->nseries + 1), sizeof(double));
    if (c->off == NULL || c->pen == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    c->maxlen = 0;
    for (npy_intp k = 0; k < noff; k++) {
        const npy_int64 v =
            *(const npy_int64 *)(PyArray_BYTES(c->off_arr) + k * PyArray_STRIDE(c->off_arr, 0));
        const npy_int64 prev = k > 0 ? c->off[k - 1] : 0;
        if (v < prev || v > c->nvalues || (k == 0 && v != 0) ||
            (k == noff - 1 && v != c->nvalues)) {
            PyErr_Format(PyExc_ValueError,
                         "%s: offsets must rise from 0 to %zd; got %lld at %zd", func,
                         (Py_ssize_t)c->nvalues, (long long)v, (Py_ssize_t)k);
            return -1;
        }
        c->off[k] = v;
        if (k > 0 && (npy_intp)(v - prev) > c->maxlen) {
            c->maxlen = (npy_intp)(v - prev);
        }
    }
    for (npy_intp i = 0; i < c->nseries; i++) {
        const double p =
            *(const double *)(PyArray_BYTES(c->pen_arr) + i * PyArray_STRIDE(c->pen_arr, 0));
        if (!(npy_isfinite(p) && p >= 0.0)) {
            const multipolar_error_t err = multipolar_error(MULTIPOLAR_ERR_INVALID, "penalty", i, p);
            return multipolar_raise_status(&err, func);
        }
        c->pen[i] = p;
    }
    return 0;
}

/* Step 3: outputs and scratch, with the team that will run. */
static int
cp_allocate(cp_call_t *c, const multipolar_team_t *team)
{
    const npy_intp ns = c->nseries;
    c->o_counts = (PyArrayObject *)PyArray_ZEROS(1, &ns, NPY_INT64, 0);
    c->o_pen = (PyArrayObject *)PyArray_ZEROS(1, &ns, NPY_FLOAT64, 0);
    c->slots = PyMem_Calloc((size_t)(c->nvalues + 1), sizeof(npy_int64));
    c->errs = PyMem_Calloc((size_t)team->nthreads, sizeof(multipolar_error_t));
    if (c->o_counts == NULL || c->o_pen == NULL) {
        return -1;
    }
    /* a worker's scratch is 10 arrays of maxlen + 1 eight-byte values (cp_scratch_bytes) */
    if (c->slots == NULL || c->errs == NULL ||
        multipolar_mul_size(c->maxlen + 1, 10 * (npy_intp)sizeof(double)) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    c->scratch = multipolar_scratch_alloc(team->nthreads, cp_scratch_bytes(c->maxlen), &c->stride);
    if (c->scratch == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

PyObject *
multipolar_pelt_segments(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char func[] = "pelt_segments";
    cp_call_t c;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&c, 0, sizeof(c));

    /* 1. parse; 2. validate (offsets and penalties copied, each read once) */
    if (cp_parse(args, kwds, &c, func) < 0) {
        goto done;
    }
    /* 3. allocate, for the team fixed here */
    const npy_intp ntasks = (c.nseries + CP_SERIES_PER_TASK - 1) / CP_SERIES_PER_TASK;
    const multipolar_team_t team = multipolar_team(self, ntasks);
    if (cp_allocate(&c, &team) < 0) {
        goto done;
    }
    const cp_ctx_t ctx = {(const double *)PyArray_DATA(c.val_arr), PyArray_STRIDE(c.val_arr, 0),
                          c.off, c.pen, c.nseries, c.maxlen, (npy_intp)c.min_size, c.cost,
                          c.scale, c.slots, (npy_int64 *)PyArray_DATA(c.o_counts),
                          (double *)PyArray_DATA(c.o_pen), c.scratch, c.stride, c.errs};

    /* 4. release the GIL; 5. loop: series in tasks of 16, to the first free worker */
    NPY_BEGIN_THREADS_THRESHOLDED(c.nvalues);
    multipolar_parallel_for(&team, ntasks, MULTIPOLAR_DYNAMIC, cp_task, (void *)&ctx);
    NPY_END_THREADS;

    /* 6. translate: the error of lowest row, whichever worker met it */
    const multipolar_error_t *err = multipolar_first_error(c.errs, team.nthreads);
    if (err != NULL) {
        multipolar_raise_status(err, func);
        goto done;
    }
    /* compact the per-series slots in series order */
    npy_intp total = 0;
    const npy_int64 *counts = (const npy_int64 *)PyArray_DATA(c.o_counts);
    for (npy_intp i = 0; i < c.nseries; i++) {
        total += (npy_intp)counts[i];
    }
    c.o_breaks = (PyArrayObject *)PyArray_ZEROS(1, &total, NPY_INT64, 0);
    if (c.o_breaks == NULL) {
        goto done;
    }
    npy_int64 *out = (npy_int64 *)PyArray_DATA(c.o_breaks);
    for (npy_intp i = 0, w = 0; i < c.nseries; i++) {
        memcpy(out + w, c.slots + c.off[i], (size_t)counts[i] * sizeof(npy_int64));
        w += (npy_intp)counts[i];
    }
    result = PyTuple_Pack(3, c.o_counts, c.o_breaks, c.o_pen);
    /* 7. clean up (the tuple holds its own references) */
done:
    Py_XDECREF(c.o_counts);
    Py_XDECREF(c.o_breaks);
    Py_XDECREF(c.o_pen);
    PyMem_Free(c.off);
    PyMem_Free(c.pen);
    PyMem_Free(c.slots);
    PyMem_Free(c.errs);
    multipolar_scratch_free(c.scratch);
    return result;
}
