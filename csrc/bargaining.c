/*
 * bargaining.c -- the bargaining family: Bueno de Mesquita's expected-utility
 * model as formalized by Scholz, Calbert & Smith (2011), and the weighted
 * median and mean of positions, for many issues at once. Wrapped by
 * multipolar.bargaining (bargain, bargain_issues, evaluate_deu).
 *
 *   bargain_issues(position, capability, salience, issue_ptr, rounds, q, t, receiver,
 *                  normalization)
 *       Issue k holds the actors issue_ptr[k] .. issue_ptr[k+1]-1. Per round:
 *       the forecast mu is the weighted median (weights c*s; the Condorcet
 *       winner of votes v = c*s*(|x - x_j| - |x - x_i|)); the probability that
 *       i beats j is P_ij = sum_k max(v_k, 0) / sum_k |v_k| over all actors k,
 *       normalized per pair (normalization 0, the default); with normalization
 *       1 the denominator is instead sum_k |v_k(a, b)| summed over all ordered
 *       pairs a != b, as public replications of Scholz et al.'s Table 2 do
 *       (then P_ij + P_ji <= 1/2); with r = 1 the security D_i = sum_j EU_ji gives
 *       R_i = (2 D_i - D_max - D_min) / (D_max - D_min) and the risk exponent
 *       r_i = (1 - R_i/3) / (1 + R_i/3); with r_i, actor i's view of a
 *       challenge of j,
 *         EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
 *                 - Q U_sq - (1 - Q) (T U_b + (1 - T) U_w),
 *       U_s = 2 - 4 (1/2 - d/2)^r, U_f = 2 - 4 (1/2 + d/2)^r,
 *       U_b = 2 - 4 (1/2 - (d_mu + d)/4)^r, U_w = 2 - 4 (1/2 + (d_mu + d)/4)^r,
 *       U_sq = 2 - 4 (1/2)^r, d = |x_i - x_j| / range, d_mu = |x_i - mu| / range,
 *       and of j's challenge of i (EU_ji, same r_i), decides i's offer to j:
 *       conflict (EU_ij > EU_ji > 0): j to x_i; compromise (EU_ij > 0 > EU_ji,
 *       |EU_ji| < EU_ij): j moves the fraction |EU_ji / EU_ij| towards x_i;
 *       capitulation (EU_ij > 0 > EU_ji, |EU_ji| > EU_ij): j to x_i. Each
 *       actor takes the offer that moves it least; all move at once. With
 *       receiver set, the offer to j is judged with r_j instead of r_i.
 *
 * Sources: Bueno de Mesquita, B. (1994), "Political forecasting: an expected
 * utility method", in European Community Decision Making, Yale UP, 71-104;
 * Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011), "Unravelling Bueno de
 * Mesquita's group decision model", J. Theoretical Politics 23(4), 510-531.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bargaining.h"
#include "threads.h"

/* ---- per-issue model ------------------------------------------------------ */

/* Denominator of the win probability P_ij: the votes on the pair (i, j), or on all pairs. */
#define MP_NORM_PAIR 0
#define MP_NORM_ALL 1
/* Most actors in one issue: the win probabilities take m x m doubles per worker. */
#define MP_MAX_ACTORS 4096
/* Most rounds. */
#define MP_MAX_ROUNDS 100000

/* Scratch of one worker, sized for the largest issue (m actors): x, xn, w,
 * eu1 and risk (m doubles each), prob (m x m doubles), order (m npy_intp). */
typedef struct {
    double *x, *xn, *w, *eu1, *risk, *prob;
    npy_intp *order;
} bargain_scratch_t;

/* Bytes of one worker's scratch for issues of at most m actors (m <= MP_MAX_ACTORS). */
static size_t
bargain_scratch_bytes(npy_intp m)
{
    return (size_t)(5 * m + m * m) * sizeof(double) + (size_t)m * sizeof(npy_intp);
}

/* The scratch record of a worker's slot (the layout of bargain_scratch_bytes). */
static bargain_scratch_t
bargain_scratch_at(char *slot, npy_intp m)
{
    double *d = (double *)slot;
    bargain_scratch_t s = {d, d + m, d + 2 * m, d + 3 * m, d + 4 * m, d + 5 * m,
                           (npy_intp *)(d + 5 * m + m * m)};
    return s;
}

/* Everything a task reads; tasks write disjoint issues. */
typedef struct {
    const double *pos, *cap, *sal; /* contiguous copies, n */
    const npy_int64 *ptr;          /* nissues + 1 */
    npy_intp nissues, n, rounds, max_m;
    double q, t;
    int receiver;       /* offers judged with the receiver's risk exponent instead of the proposer's */
    int normalization;  /* MP_NORM_PAIR or MP_NORM_ALL: denominator of win probabilities */
    double *out_pos;    /* (rounds + 1) x n */
    double *out_median; /* nissues x (rounds + 1) */
    double *out_mean;   /* nissues x (rounds + 1) */
    char *scratch;      /* per worker, padded (multipolar_scratch_alloc) */
    size_t stride;      /* bytes between workers' slots */
} bargain_ctx_t;

static int
cmp_idx_by_x(const void *a, const void *b, const double *x)
{
    const double xa = x[*(const npy_intp *)a], xb = x[*(const npy_intp *)b];
    return (xa > xb) - (xa < xb);
}

/* Insertion sort of indices by x (issues hold tens of actors). */
static void
argsort_small(const double *x, npy_intp m, npy_intp *order)
{
    for (npy_intp i = 0; i < m; i++) {
        order[i] = i;
    }
    for (npy_intp i = 1; i < m; i++) {
        const npy_intp v = order[i];
        npy_intp j = i - 1;
        while (j >= 0 && cmp_idx_by_x(&order[j], &v, x) > 0) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
}

/*
 * Weighted median of x[0..m) with weights w >= 0: the smallest position whose
 * cumulative weight reaches half the total; when it reaches exactly half,
 * the midpoint with the next larger position (the set of minimizers of
 * sum w |x_k - y| is then an interval). NaN when the total weight is 0.
 */
static double
weighted_median(const double *x, const double *w, npy_intp m, npy_intp *order)
{
    double total = 0.0, cum = 0.0;
    for (npy_intp i = 0; i < m; i++) {
        total += w[i];
    }
    if (!(total > 0.0)) {
        return NPY_NAN;
    }
    argsort_small(x, m, order);
    const double half = 0.5 * total;
    for (npy_intp k = 0; k < m; k++) {
        cum += w[order[k]];
        /* positions equal to x[order[k]] are summed before deciding */
        if (k + 1 < m && x[order[k + 1]] == x[order[k]]) {
            continue;
        }
        if (cum > half) {
            return x[order[k]];
        }
        if (cum == half) {
            for (npy_intp j = k + 1; j < m; j++) {
                if (w[order[j]] > 0.0) {
                    return 0.5 * (x[order[k]] + x[order[j]]);
                }
            }
            return x[order[k]];
        }
    }
    return x[order[m - 1]];
}

static double
weighted_mean(const double *x, const double *w, npy_intp m)
{
    double sw = 0.0, swx = 0.0;
    for (npy_intp i = 0; i < m; i++) {
        sw += w[i];
        swx += w[i] * x[i];
    }
    return sw > 0.0 ? swx / sw : NPY_NAN;
}

/* 2 - 4 b^r, the utility shape of the model; b in [0, 1]. */
static inline double
util(double b, double r)
{
    return 2.0 - 4.0 * pow(b > 0.0 ? b : 0.0, r);
}

/* Expected utility of challenger i against target j, seen with risk exponent r. */
static inline double
expected_utility(const double *x, const double *sal, const double *prob, npy_intp m, npy_intp i,
                 npy_intp j, double mu, double range, double r, double q, double t)
{
    const double d = fabs(x[i] - x[j]) / range;
    const double dmu = fabs(x[i] - mu) / range;
    const double us = util(0.5 - 0.5 * d, r);
    const double uf = util(0.5 + 0.5 * d, r);
    const double ub = util(0.5 - 0.25 * (dmu + d), r);
    const double uw = util(0.5 + 0.25 * (dmu + d), r);
    const double usq = util(0.5, r);
    const double p = prob[i * m + j];
    return sal[j] * (p * us + (1.0 - p) * uf) + (1.0 - sal[j]) * us - q * usq -
           (1.0 - q) * (t * ub + (1.0 - t) * uw);
}

/* Win probabilities per pair: P_ij = sum_k max(v_k, 0) / sum_k |v_k|; P_ij + P_ji = 1. */
static void
win_probabilities_pair(const double *x, const double *w, npy_intp m, double *prob)
{
    for (npy_intp i = 0; i < m; i++) {
        prob[i * m + i] = 0.5;
        for (npy_intp j = i + 1; j < m; j++) {
            double num = 0.0, den = 0.0;
            for (npy_intp v = 0; v < m; v++) {
                const double vote = w[v] * (fabs(x[v] - x[j]) - fabs(x[v] - x[i]));
                if (vote > 0.0) {
                    num += vote;
                }
                den += fabs(vote);
            }
            const double p = den > 0.0 ? num / den : 0.5;
            prob[i * m + j] = p;
            prob[j * m + i] = den > 0.0 ? 1.0 - p : 0.5;
        }
    }
}

/*
 * Win probabilities divided by the votes over all ordered pairs: P_ij = sum_k
 * max(v_k(i, j), 0) / sum_{a != b} sum_k |v_k(a, b)|. As |v_k(a, b)| =
 * |v_k(b, a)|, the total is twice the sum over unordered pairs. Without any
 * vote on any pair, every P_ij is 1/2 (as with per-pair normalization).
 */
static void
win_probabilities_all(const double *x, const double *w, npy_intp m, double *prob)
{
    double total = 0.0;
    for (npy_intp i = 0; i < m; i++) {
        prob[i * m + i] = 0.5;
        for (npy_intp j = i + 1; j < m; j++) {
            double pos = 0.0, neg = 0.0;
            for (npy_intp v = 0; v < m; v++) {
                const double vote = w[v] * (fabs(x[v] - x[j]) - fabs(x[v] - x[i]));
                if (vote > 0.0) {
                    pos += vote;
                }
                else {
                    neg -= vote;
                }
            }
            prob[i * m + j] = pos; /* votes for i over j */
            prob[j * m + i] = neg; /* votes for j over i */
            total += pos + neg;
        }
    }
    total *= 2.0;
    for (npy_intp i = 0; i < m; i++) {
        for (npy_intp j = 0; j < m; j++) {
            if (j != i) {
                prob[i * m + j] = total > 0.0 ? prob[i * m + j] / total : 0.5;
            }
        }
    }
}

/*
 * One issue: m actors (pos, cap, sal contiguous), positions per round into
 * out_pos (stride n between rounds), median and mean per round. No status:
 * inputs were validated (finite, c >= 0, s in [0, 1]). Runs without the GIL.
 */
static void
bargain_one(const bargain_ctx_t *c, npy_intp k, bargain_scratch_t *s)
{
    const npy_intp lo = (npy_intp)c->ptr[k], m = (npy_intp)c->ptr[k + 1] - lo;
    const double *sal = c->sal + lo;
    double *x = s->x, *xn = s->xn, *w = s->w;
    double xmin = NPY_INFINITY, xmax = -NPY_INFINITY;
    for (npy_intp i = 0; i < m; i++) {
        x[i] = c->pos[lo + i];
        w[i] = c->cap[lo + i] * sal[i];
        c->out_pos[lo + i] = x[i];
        if (x[i] < xmin) {
            xmin = x[i];
        }
        if (x[i] > xmax) {
            xmax = x[i];
        }
    }
    const double range = xmax - xmin;
    double *med = c->out_median + k * (c->rounds + 1);
    double *mean = c->out_mean + k * (c->rounds + 1);
    med[0] = m > 0 ? weighted_median(x, w, m, s->order) : NPY_NAN;
    mean[0] = weighted_mean(x, w, m);
    for (npy_intp round = 1; round <= c->rounds; round++) {
        const double mu = med[round - 1];
        if (m >= 2 && range > 0.0 && !npy_isnan(mu)) {
            if (c->normalization == MP_NORM_ALL) {
                win_probabilities_all(x, w, m, s->prob);
            }
            else {
                win_probabilities_pair(x, w, m, s->prob);
            }
            /* risk: security of each position with r = 1 */
            double dmax = -NPY_INFINITY, dmin = NPY_INFINITY;
            for (npy_intp i = 0; i < m; i++) {
                double di = 0.0;
                for (npy_intp j = 0; j < m; j++) {
                    if (j != i) {
                        di += expected_utility(x, sal, s->prob, m, j, i, mu, range, 1.0, c->q,
                                               c->t);
                    }
                }
                s->eu1[i] = di;
                if (di > dmax) {
                    dmax = di;
                }
                if (di < dmin) {
                    dmin = di;
                }
            }
            for (npy_intp i = 0; i < m; i++) {
                const double R = dmax > dmin ? (2.0 * s->eu1[i] - dmax - dmin) / (dmax - dmin) : 0.0;
                s->risk[i] = (1.0 - R / 3.0) / (1.0 + R / 3.0);
            }
            /* offers: i's view of (i challenges j) and (j challenges i), with r_i */
            for (npy_intp j = 0; j < m; j++) {
                xn[j] = x[j];
            }
            for (npy_intp j = 0; j < m; j++) {
                double best = NPY_INFINITY, target = x[j];
                for (npy_intp i = 0; i < m; i++) {
                    if (i == j || x[i] == x[j]) {
                        continue;
                    }
                    const double r = c->receiver ? s->risk[j] : s->risk[i];
                    const double a = expected_utility(x, sal, s->prob, m, i, j, mu, range, r,
                                                      c->q, c->t);
                    const double b = expected_utility(x, sal, s->prob, m, j, i, mu, range, r,
                                                      c->q, c->t);
                    double proposal;
                    if (a > 0.0 && b > 0.0 && a > b) {
                        proposal = x[i]; /* conflict that i expects to win */
                    }
                    else if (a > 0.0 && b < 0.0 && a > -b) {
                        proposal = x[j] + (x[i] - x[j]) * (-b / a); /* compromise */
                    }
                    else if (a > 0.0 && b < 0.0 && a < -b) {
                        proposal = x[i]; /* capitulation */
                    }
                    else {
                        continue;
                    }
                    const double move = fabs(proposal - x[j]);
                    if (move < best) {
                        best = move;
                        target = proposal;
                    }
                }
                xn[j] = target;
            }
            memcpy(x, xn, (size_t)m * sizeof(double));
        }
        double *row = c->out_pos + round * c->n + lo;
        memcpy(row, x, (size_t)m * sizeof(double));
        med[round] = m > 0 ? weighted_median(x, w, m, s->order) : NPY_NAN;
        mean[round] = weighted_mean(x, w, m);
    }
}

/* Issues per task. */
#define MP_ISSUES_PER_TASK 8

/* Issues [8 task, 8 task + 8) with the worker's scratch. Runs without the GIL. */
static void
bargain_task(void *arg, npy_intp task, int worker)
{
    const bargain_ctx_t *c = (const bargain_ctx_t *)arg;
    bargain_scratch_t s = bargain_scratch_at(multipolar_scratch_slot(c->scratch, c->stride, worker),
                                             c->max_m > 0 ? c->max_m : 1);
    const npy_intp stop = (task + 1) * MP_ISSUES_PER_TASK < c->nissues
                              ? (task + 1) * MP_ISSUES_PER_TASK
                              : c->nissues;
    for (npy_intp k = task * MP_ISSUES_PER_TASK; k < stop; k++) {
        bargain_one(c, k, &s);
    }
}

/* ---- entry point ------------------------------------------------------------ */

/* Read element i of a validated float64 1-D array with any stride. */
static inline double
at_f64(PyArrayObject *a, npy_intp i)
{
    return *(const double *)(PyArray_BYTES(a) + i * PyArray_STRIDE(a, 0));
}

static int
raise_value(const char *func, const char *arg, const char *problem, double v, npy_intp row)
{
    char *repr = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (repr == NULL) {
        return -1;
    }
    PyErr_Format(PyExc_ValueError, "%s: %s must be %s; got %s at row %zd", func, arg, problem,
                 repr, (Py_ssize_t)row);
    PyMem_Free(repr);
    return -1;
}

/* One call's arguments and resources. */
typedef struct {
    PyArrayObject *pos_arr, *cap_arr, *sal_arr, *ptr_arr; /* borrowed from args */
    Py_ssize_t rounds;
    double q, t;
    int receiver, normalization;
    npy_intp n, nptr, max_m;
    double *copies; /* position, capability, salience: 3 x n */
    npy_int64 *ptr;
    char *scratch;
    size_t stride;
    PyArrayObject *o_pos, *o_med, *o_mean;
} bargain_call_t;

/* Steps 1-2: parse (positional or by keyword, names as in _core.pyi); dtypes, shapes, ranges. */
static int
bargain_parse(PyObject *args, PyObject *kwds, bargain_call_t *c, const char *func)
{
    static char *kwlist[] = {"position", "capability", "salience", "issue_ptr", "rounds", "q",
                             "t", "receiver", "normalization", NULL};
    c->q = c->t = 1.0;
    c->normalization = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!nddpi:bargain_issues", kwlist,
                                     &PyArray_Type, &c->pos_arr, &PyArray_Type, &c->cap_arr,
                                     &PyArray_Type, &c->sal_arr, &PyArray_Type, &c->ptr_arr,
                                     &c->rounds, &c->q, &c->t, &c->receiver, &c->normalization)) {
        return -1;
    }
    if (c->normalization != MP_NORM_PAIR && c->normalization != MP_NORM_ALL) {
        PyErr_Format(PyExc_ValueError, "%s: normalization must be %d (pair) or %d (all); got %d",
                     func, MP_NORM_PAIR, MP_NORM_ALL, c->normalization);
        return -1;
    }
    if (multipolar_check_typed_1d(c->pos_arr, func, "position", NPY_FLOAT64, "float64", -1) < 0) {
        return -1;
    }
    c->n = PyArray_DIM(c->pos_arr, 0);
    if (multipolar_check_typed_1d(c->cap_arr, func, "capability", NPY_FLOAT64, "float64", c->n) <
            0 ||
        multipolar_check_typed_1d(c->sal_arr, func, "salience", NPY_FLOAT64, "float64", c->n) <
            0 ||
        multipolar_check_typed_1d(c->ptr_arr, func, "issue_ptr", NPY_INT64, "int64", -1) < 0) {
        return -1;
    }
    c->nptr = PyArray_DIM(c->ptr_arr, 0);
    if (c->nptr < 1) {
        PyErr_Format(PyExc_ValueError, "%s: issue_ptr must have at least 1 entry; got 0", func);
        return -1;
    }
    if (c->rounds < 0 || c->rounds > MP_MAX_ROUNDS) {
        PyErr_Format(PyExc_ValueError, "%s: rounds must be in [0, %d]; got %zd", func,
                     MP_MAX_ROUNDS, c->rounds);
        return -1;
    }
    if (!(c->q >= 0.0 && c->q <= 1.0)) {
        return raise_value(func, "q", "in [0, 1]", c->q, 0);
    }
    if (!(c->t >= 0.0 && c->t <= 1.0)) {
        return raise_value(func, "t", "in [0, 1]", c->t, 0);
    }
    return 0;
}

/* Step 3a: private copies of issue_ptr and the three columns, each value read once and checked. */
static int
bargain_copy_inputs(bargain_call_t *c, const char *func)
{
    const npy_intp n = c->n, nptr = c->nptr;
    c->ptr = PyMem_Calloc((size_t)nptr, sizeof(npy_int64));
    c->copies = PyMem_Calloc((size_t)(3 * n + 1), sizeof(double));
    if (c->ptr == NULL || c->copies == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    c->max_m = 0;
    for (npy_intp k = 0; k < nptr; k++) {
        const npy_int64 v =
            *(const npy_int64 *)(PyArray_BYTES(c->ptr_arr) + k * PyArray_STRIDE(c->ptr_arr, 0));
        const npy_int64 prev = k > 0 ? c->ptr[k - 1] : 0;
        if (v < prev || v > n || (k == 0 && v != 0) || (k == nptr - 1 && v != n)) {
            PyErr_Format(PyExc_ValueError,
                         "%s: issue_ptr must rise from 0 to %zd; got %lld at %zd", func,
                         (Py_ssize_t)n, (long long)v, (Py_ssize_t)k);
            return -1;
        }
        c->ptr[k] = v;
        if (k > 0 && (npy_intp)(v - prev) > c->max_m) {
            c->max_m = (npy_intp)(v - prev);
        }
    }
    if (c->max_m > MP_MAX_ACTORS) {
        PyErr_Format(PyExc_ValueError, "%s: an issue may hold at most %d actors; got %zd", func,
                     MP_MAX_ACTORS, (Py_ssize_t)c->max_m);
        return -1;
    }
    for (npy_intp i = 0; i < n; i++) {
        const double x = at_f64(c->pos_arr, i), cv = at_f64(c->cap_arr, i);
        const double sv = at_f64(c->sal_arr, i);
        if (!npy_isfinite(x)) {
            return raise_value(func, "position", "finite", x, i);
        }
        if (!(npy_isfinite(cv) && cv >= 0.0)) {
            const multipolar_error_t err =
                multipolar_error(MULTIPOLAR_ERR_INVALID, "capability", i, cv);
            return multipolar_raise_status(&err, func);
        }
        if (!(sv >= 0.0 && sv <= 1.0)) {
            return raise_value(func, "salience", "in [0, 1]", sv, i);
        }
        c->copies[i] = x;
        c->copies[n + i] = cv;
        c->copies[2 * n + i] = sv;
    }
    return 0;
}

PyObject *
multipolar_bargain_issues(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char func[] = "bargain_issues";
    bargain_call_t c;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&c, 0, sizeof(c));

    /* 1. parse; 2. validate */
    if (bargain_parse(args, kwds, &c, func) < 0 || bargain_copy_inputs(&c, func) < 0) {
        goto done;
    }
    /* 3. allocate */
    const npy_intp n = c.n, nissues = c.nptr - 1, rounds = c.rounds;
    if (multipolar_mul_size(rounds + 1, n) < 0 || multipolar_mul_size(nissues, rounds + 1) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: rounds x actors too large; got rounds %zd", func,
                     (Py_ssize_t)rounds);
        goto done;
    }
    c.o_pos = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){rounds + 1, n}), NPY_FLOAT64, 0);
    c.o_med = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){nissues, rounds + 1}), NPY_FLOAT64,
                                             0);
    c.o_mean = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){nissues, rounds + 1}), NPY_FLOAT64,
                                              0);
    if (c.o_pos == NULL || c.o_med == NULL || c.o_mean == NULL) {
        goto done;
    }
    const npy_intp ntasks = (nissues + MP_ISSUES_PER_TASK - 1) / MP_ISSUES_PER_TASK;
    /* the team is fixed here: one scratch slot per worker it runs with */
    const multipolar_team_t team = multipolar_team(self, ntasks);
    c.scratch = multipolar_scratch_alloc(team.nthreads,
                                         bargain_scratch_bytes(c.max_m > 0 ? c.max_m : 1),
                                         &c.stride);
    if (c.scratch == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const bargain_ctx_t ctx = {c.copies, c.copies + n, c.copies + 2 * n, c.ptr, nissues, n,
                               rounds, c.max_m, c.q, c.t, c.receiver, c.normalization,
                               (double *)PyArray_DATA(c.o_pos), (double *)PyArray_DATA(c.o_med),
                               (double *)PyArray_DATA(c.o_mean), c.scratch, c.stride};

    /* 4. release the GIL; 5. loop: issues in tasks of 8, task t on worker t mod nthreads */
    NPY_BEGIN_THREADS_THRESHOLDED(multipolar_mul_size(rounds + 1, n));
    multipolar_parallel_for(&team, ntasks, MULTIPOLAR_STATIC, bargain_task, (void *)&ctx);
    NPY_END_THREADS;

    /* 6. translate: no failure status after validation */
    result = PyTuple_Pack(3, c.o_pos, c.o_med, c.o_mean);
    /* 7. clean up (the tuple holds its own references) */
done:
    Py_XDECREF(c.o_pos);
    Py_XDECREF(c.o_med);
    Py_XDECREF(c.o_mean);
    PyMem_Free(c.ptr);
    PyMem_Free(c.copies);
    multipolar_scratch_free(c.scratch);
    return result;
}
