/*
 * power.c -- the power family: grouped capability shares and grouped
 * concentration, wrapped by multipolar.power (cinc, concentration, polarity).
 *
 *   group_shares(components, codes, ngroups)
 *       For each row, the mean over its present components of the row's share
 *       of its group's total of that component: the Composite Index of
 *       National Capability when the components are COW's six and the groups
 *       are years (Singer, Bremer & Stuckey 1972; COW NMC codebook v6.0).
 *   group_concentration(values, codes, ngroups)
 *       Per group, from the shares s_i = v_i / sum(v) of its present values:
 *       HHI, CON (Ray & Singer 1973), effective number 1/HHI (Laakso &
 *       Taagepera 1979), Shannon entropy in nats, Gini (population form),
 *       largest share, sum of the two largest, and the count. Gini and top-k
 *       come from a per-group sort of a counting-sorted scratch copy.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "power.h"
#include "threads.h"

/* ---- loop instantiations ------------------------------------------------ */
#define MP_LOOPS_HEADER "power_loops.h"
#define MP_V_T npy_float64
#define MP_V_NAME float64
#include "each_code_dtype.h"
#undef MP_V_T
#undef MP_V_NAME

#define MP_V_T npy_float32
#define MP_V_NAME float32
#include "each_code_dtype.h"
#undef MP_V_T
#undef MP_V_NAME

#define MP_V_T npy_int64
#define MP_V_NAME int64
#include "each_code_dtype.h"
#undef MP_V_T
#undef MP_V_NAME

#define MP_V_T npy_int32
#define MP_V_NAME int32
#include "each_code_dtype.h"
#undef MP_V_T
#undef MP_V_NAME
#undef MP_LOOPS_HEADER

/* ---- dispatch tables: [value dtype][code dtype], in the order of multipolar.h's lists ---- */
typedef void (*accumulate_fn)(const char *, npy_intp, const char *, npy_intp, npy_intp, npy_intp,
                              double *, npy_intp *, multipolar_error_t *);
typedef void (*add_shares_fn)(const char *, npy_intp, const char *, npy_intp, npy_intp,
                              npy_intp, const double *, double *, npy_int32 *);
typedef void (*scatter_groups_fn)(const char *, npy_intp, const char *, npy_intp, npy_intp,
                                  npy_intp, npy_intp *, const npy_intp *, double *);

#define MP_ACC_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(accumulate, vname),
#define MP_ADD_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(add_shares, vname),
#define MP_SCT_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(scatter_groups, vname),
static const accumulate_fn accumulate_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_ACC_ROW)};
static const add_shares_fn add_shares_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_ADD_ROW)};
static const scatter_groups_fn scatter_groups_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_SCT_ROW)};
#undef MP_ACC_ROW
#undef MP_ADD_ROW
#undef MP_SCT_ROW

/* ---- sorting helper ------------------------------------------------------ */

/* Ascending in-place sort of finite doubles: quicksort with median-of-three
 * pivots, insertion sort below 24 elements, recursion on the smaller side only
 * (stack depth O(log n)). Runs without the GIL. */
static void
sort_doubles(double *a, npy_intp n)
{
    while (n > 24) {
        const npy_intp mid = n / 2;
        double x = a[0], y = a[mid], z = a[n - 1], pivot;
        if (x > y) { double t = x; x = y; y = t; }
        if (y > z) { y = z; }
        if (x > y) { y = x; }
        pivot = y;
        npy_intp i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            double t = a[i]; a[i] = a[j]; a[j] = t;
            i++;
            j--;
        }
        /* a[0..j] <= pivot <= a[j+1..n-1] */
        const npy_intp left = j + 1;
        if (left < n - left) {
            sort_doubles(a, left);
            a += left;
            n -= left;
        }
        else {
            sort_doubles(a + left, n - left);
            n = left;
        }
    }
    for (npy_intp i = 1; i < n; i++) {
        const double v = a[i];
        npy_intp j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/*
 * Concentration of one group's present values v[0..n) (finite, >= 0; sorted
 * here in place). Writes the eight output columns in the order
 * hhi, con, n_eff, entropy, gini, top1, top2, n. A group with no values or a
 * zero total has undefined shares: every column but n is NaN. CON is NaN for
 * n < 2. Runs without the GIL.
 */
static void
concentration_of(double *v, npy_intp n, double *out)
{
    double total = 0.0, hhi = 0.0, entropy = 0.0, gini = 0.0;
    for (int c = 0; c < MULTIPOLAR_CONCENTRATION_NCOL - 1; c++) {
        out[c] = NPY_NAN;
    }
    out[MULTIPOLAR_CONCENTRATION_NCOL - 1] = (double)n;
    if (n == 0) {
        return;
    }
    for (npy_intp i = 0; i < n; i++) {
        total += v[i];
    }
    if (!(total > 0.0)) {
        return;
    }
    sort_doubles(v, n);
    for (npy_intp i = 0; i < n; i++) {
        const double s = v[i] / total;
        hhi += s * s;
        if (s > 0.0) {
            entropy -= s * log(s);
        }
        /* sum_i sum_j |s_i - s_j| = 2 sum_i (2i - n - 1) s_(i), i = 1..n ascending */
        gini += (double)(2 * (i + 1) - n - 1) * s;
    }
    out[0] = hhi;
    if (n >= 2) {
        const double inv = 1.0 / (double)n;
        const double r = (hhi - inv) / (1.0 - inv);
        out[1] = r > 0.0 ? sqrt(r) : 0.0;
    }
    out[2] = 1.0 / hhi;
    out[3] = entropy;
    out[4] = gini / (double)n; /* 2 sum (2i-n-1) s / (2 N sum s), sum s = 1 */
    out[5] = v[n - 1] / total;
    out[6] = n >= 2 ? (v[n - 1] + v[n - 2]) / total : out[5];
}

/* ---- entry points -------------------------------------------------------- */

/* Rows per task of the share pass: small enough that a block's sums stay in L1. */
#define MP_SHARE_BLOCK 2048
/* Rows per task of the totals pass; a fixed split, so sums never depend on the thread count. */
#define MP_TOTALS_BLOCK ((npy_intp)1 << 20)
/* Most scratch memory the totals pass may take for per-task totals. */
#define MP_TOTALS_SCRATCH ((npy_intp)64 << 20)

/* Everything a task of either pass reads. Totals pass: task t writes
 * task_totals[t] and errs[t k ...]; share pass: the tasks write disjoint rows of out. */
typedef struct {
    Py_ssize_t k;
    const char **vdata;
    const npy_intp *vstride;
    const int *vidx;
    const char *cdata;
    npy_intp cstride;
    int cidx;
    npy_intp n;
    npy_intp ngroups;
    const double *totals; /* k x ngroups; inverted before the row pass */
    double *out;
    npy_intp ntasks;          /* of the totals pass */
    double **task_totals;     /* per task: k x ngroups */
    multipolar_error_t *errs; /* per task and component */
} shares_ctx_t;

/*
 * One block of rows: the mean over present components of each row's share.
 * Runs without the GIL, on any worker thread.
 */
static void
shares_block(void *arg, npy_intp block, int worker)
{
    const shares_ctx_t *ctx = (const shares_ctx_t *)arg;
    double sum[MP_SHARE_BLOCK];
    npy_int32 cnt[MP_SHARE_BLOCK];
    const npy_intp start = block * MP_SHARE_BLOCK;
    const npy_intp len = ctx->n - start < MP_SHARE_BLOCK ? ctx->n - start : MP_SHARE_BLOCK;
    memset(sum, 0, (size_t)len * sizeof(double));
    memset(cnt, 0, (size_t)len * sizeof(npy_int32));
    for (Py_ssize_t c = 0; c < ctx->k; c++) {
        add_shares_table[ctx->vidx[c]][ctx->cidx](
            ctx->vdata[c] + start * ctx->vstride[c], ctx->vstride[c],
            ctx->cdata + start * ctx->cstride, ctx->cstride, len, ctx->ngroups,
            ctx->totals + c * ctx->ngroups, sum, cnt);
    }
    for (npy_intp i = 0; i < len; i++) {
        ctx->out[start + i] = cnt[i] > 0 ? sum[i] / (double)cnt[i] : NPY_NAN;
    }
}

/*
 * Rows [lo, hi) of task t (contiguous, in order): each component's group totals
 * and its first error in the block. A task stops at its first component with an
 * error (later components cannot be the one reported). Runs without the GIL.
 */
static void
totals_block(void *arg, npy_intp t, int worker)
{
    const shares_ctx_t *ctx = (const shares_ctx_t *)arg;
    npy_intp lo, hi;
    multipolar_block_range(ctx->n, ctx->ntasks, t, &lo, &hi);
    const npy_intp len = hi - lo;
    for (Py_ssize_t c = 0; c < ctx->k; c++) {
        multipolar_error_t *err = &ctx->errs[t * ctx->k + c];
        accumulate_table[ctx->vidx[c]][ctx->cidx](
            ctx->vdata[c] + lo * ctx->vstride[c], ctx->vstride[c],
            ctx->cdata + lo * ctx->cstride, ctx->cstride, len, ctx->ngroups,
            ctx->task_totals[t] + c * ctx->ngroups, NULL, err);
        if (err->status != MULTIPOLAR_OK) {
            err->index += lo;
            return;
        }
    }
}

/* Free the per-task totals of tasks 1.. (task 0's are the caller's) and the list. */
static void
free_task_totals(double **task_totals, npy_intp ntasks)
{
    for (npy_intp t = 1; task_totals != NULL && t < ntasks; t++) {
        PyMem_RawFree(task_totals[t]);
    }
    PyMem_RawFree(task_totals);
}

/* Check each component array of group_shares (an ndarray of a value dtype, length n)
 * and record its dtype index, data and stride. -1 with an exception set on failure. */
static int
parse_components(PyObject *components, npy_intp n, int *vidx, const char **vdata,
                 npy_intp *vstride)
{
    static const char func[] = "group_shares";
    for (Py_ssize_t c = 0; c < PyTuple_GET_SIZE(components); c++) {
        PyObject *item = PyTuple_GET_ITEM(components, c); /* borrowed from components */
        if (!PyArray_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s: components[%zd] must be an ndarray; got %R", func, c,
                         (PyObject *)Py_TYPE(item));
            return -1;
        }
        vidx[c] = multipolar_check_1d((PyArrayObject *)item, func, "components", 0, n);
        if (vidx[c] < 0) {
            return -1;
        }
        vdata[c] = PyArray_BYTES((PyArrayObject *)item);
        vstride[c] = PyArray_STRIDE((PyArrayObject *)item, 0);
    }
    return 0;
}

/*
 * After the totals pass: the error of the serial order (the first component with
 * one, at its first row) into *err, returning that component; without an error,
 * the tasks' totals added into task 0's in task order, so the sums never depend
 * on the thread count. Runs without the GIL.
 */
static Py_ssize_t
reduce_totals(const shares_ctx_t *ctx, multipolar_error_t *err)
{
    const npy_intp ntotals = ctx->k * ctx->ngroups;
    for (Py_ssize_t c = 0; c < ctx->k; c++) {
        for (npy_intp t = 0; t < ctx->ntasks; t++) {
            if (ctx->errs[t * ctx->k + c].status != MULTIPOLAR_OK) {
                *err = ctx->errs[t * ctx->k + c];
                return c;
            }
        }
    }
    for (npy_intp t = 1; t < ctx->ntasks; t++) {
        for (npy_intp j = 0; j < ntotals; j++) {
            ctx->task_totals[0][j] += ctx->task_totals[t][j];
        }
    }
    return 0;
}

PyObject *
multipolar_group_shares(PyObject *self, PyObject *args)
{
    static const char func[] = "group_shares";
    PyObject *components = NULL; /* borrowed from args */
    PyArrayObject *codes = NULL; /* borrowed from args */
    Py_ssize_t ngroups = 0;
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    double *totals = NULL;
    int *vidx = NULL;
    const char **vdata = NULL;
    npy_intp *vstride = NULL;
    Py_ssize_t failed = 0;
    double **task_totals = NULL;
    multipolar_error_t *task_errs = NULL;
    npy_intp ntasks = 0;
    multipolar_error_t err = {MULTIPOLAR_OK, 0, 0.0, NULL, 0, 0};
    NPY_BEGIN_THREADS_DEF;

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!n:group_shares", &PyTuple_Type, &components, &PyArray_Type,
                          &codes, &ngroups)) {
        return NULL;
    }
    /* 2. validate */
    if (ngroups < 0) {
        PyErr_Format(PyExc_ValueError, "%s: ngroups must be >= 0; got %zd", func, ngroups);
        return NULL;
    }
    const int cidx = multipolar_check_1d(codes, func, "codes", 1, -1);
    if (cidx < 0) {
        return NULL;
    }
    const npy_intp n = PyArray_DIM(codes, 0);
    const Py_ssize_t k = PyTuple_GET_SIZE(components);
    if (k == 0) {
        PyErr_Format(PyExc_ValueError, "%s: components must not be empty; got 0 arrays", func);
        return NULL;
    }
    const npy_intp ntotals = multipolar_mul_size(k, ngroups);
    if (ntotals < 0 || ntotals > NPY_MAX_INTP / (npy_intp)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: ngroups too large; got %zd", func, ngroups);
        return NULL;
    }
    vidx = PyMem_Calloc((size_t)k, sizeof(int));
    vdata = PyMem_Calloc((size_t)k, sizeof(char *));
    vstride = PyMem_Calloc((size_t)k, sizeof(npy_intp));
    if (vidx == NULL || vdata == NULL || vstride == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (parse_components(components, n, vidx, vdata, vstride) < 0) {
        goto fail;
    }
    /* 3. allocate */
    out = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){n}, NPY_FLOAT64, 0);
    if (out == NULL) {
        goto fail;
    }
    totals = PyMem_RawCalloc((size_t)(ntotals > 0 ? ntotals : 1), sizeof(double));
    if (totals == NULL) {
        PyErr_NoMemory();
        goto fail;
    }

    /* the totals pass in blocks of MP_TOTALS_BLOCK rows, each with its own totals,
     * added in block order (within the scratch limit; else one block) */
    ntasks = (n + MP_TOTALS_BLOCK - 1) / MP_TOTALS_BLOCK;
    if (ntasks < 1 || (ntasks - 1) > MP_TOTALS_SCRATCH / (ntotals * (npy_intp)sizeof(double) + 1)) {
        ntasks = 1;
    }
    task_totals = PyMem_RawCalloc((size_t)ntasks, sizeof(double *));
    task_errs = PyMem_RawCalloc((size_t)(ntasks * k), sizeof(multipolar_error_t));
    if (task_totals == NULL || task_errs == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    task_totals[0] = totals;
    for (npy_intp t = 1; t < ntasks; t++) {
        task_totals[t] = PyMem_RawCalloc((size_t)(ntotals > 0 ? ntotals : 1), sizeof(double));
        if (task_totals[t] == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    shares_ctx_t ctx = {k, vdata, vstride, vidx, PyArray_BYTES(codes), PyArray_STRIDE(codes, 0),
                        cidx, n, ngroups, totals, (double *)PyArray_DATA(out), ntasks,
                        task_totals, task_errs};

    const multipolar_team_t team = multipolar_team(self, MULTIPOLAR_MAX_THREADS);

    /* 4. release the GIL; 5. loop: per-component totals, then row blocks on threads */
    NPY_BEGIN_THREADS_THRESHOLDED(n * k);
    if (ntasks > 1) {
        multipolar_parallel_for(&team, ntasks, MULTIPOLAR_STATIC, totals_block, &ctx);
    }
    else {
        totals_block(&ctx, 0, 0);
    }
    failed = reduce_totals(&ctx, &err);
    if (err.status == MULTIPOLAR_OK) {
        /* multiply by the inverse in the row pass: one division per group, not per row */
        for (npy_intp j = 0; j < ntotals; j++) {
            totals[j] = totals[j] > 0.0 ? 1.0 / totals[j] : 0.0;
        }
        const npy_intp nblocks = (n + MP_SHARE_BLOCK - 1) / MP_SHARE_BLOCK;
        /* threads from about a million values: starting them costs more below */
        if (n >= 8 * MP_SHARE_BLOCK && n * k >= ((npy_intp)1 << 20)) {
            multipolar_parallel_for(&team, nblocks, MULTIPOLAR_STATIC, shares_block, &ctx);
        }
        else {
            for (npy_intp b = 0; b < nblocks; b++) {
                shares_block(&ctx, b, 0);
            }
        }
    }
    NPY_END_THREADS;

    /* 6. translate */
    if (err.arg == NULL) {
        err.arg = "components";
        err.field = failed + 1;
    }
    if (multipolar_raise_status(&err, func) < 0) {
        goto fail;
    }
    result = (PyObject *)out;
    out = NULL;
    /* 7. clean up (out is NULL on success: its reference moved to result) */
fail:
    Py_XDECREF(out);
    free_task_totals(task_totals, ntasks);
    PyMem_RawFree(task_errs);
    PyMem_RawFree(totals);
    PyMem_Free(vidx);
    PyMem_Free(vdata);
    PyMem_Free(vstride);
    return result;
}

/* Groups per task of the concentration pass. */
#define MP_CONC_GROUPS 64

/* What a concentration task reads; tasks write disjoint rows of res. Group g's
 * values are scratch[starts[g] .. ends[g]): ends are where the scatter pass
 * stopped, which is what was written even if the input changed under it. */
typedef struct {
    npy_intp ngroups;
    const npy_intp *starts;
    const npy_intp *ends;
    double *scratch;
    double *res;
} conc_ctx_t;

/* Concentration of groups [task*MP_CONC_GROUPS, ...): sorts their own segments only. */
static void
conc_groups(void *arg, npy_intp task, int worker)
{
    const conc_ctx_t *ctx = (const conc_ctx_t *)arg;
    const npy_intp stop = (task + 1) * MP_CONC_GROUPS < ctx->ngroups ? (task + 1) * MP_CONC_GROUPS
                                                                      : ctx->ngroups;
    for (npy_intp g = task * MP_CONC_GROUPS; g < stop; g++) {
        concentration_of(ctx->scratch + ctx->starts[g], ctx->ends[g] - ctx->starts[g],
                         ctx->res + g * MULTIPOLAR_CONCENTRATION_NCOL);
    }
}

PyObject *
multipolar_group_concentration(PyObject *self, PyObject *args)
{
    static const char func[] = "group_concentration";
    PyArrayObject *values = NULL; /* borrowed from args */
    PyArrayObject *codes = NULL;  /* borrowed from args */
    Py_ssize_t ngroups = 0;
    PyArrayObject *out = NULL;
    PyObject *result = NULL;
    npy_intp *counts = NULL;
    npy_intp *next = NULL;
    npy_intp *starts = NULL;
    double *scratch = NULL;
    multipolar_error_t err = {MULTIPOLAR_OK, 0, 0.0, NULL, 0, 0};
    NPY_BEGIN_THREADS_DEF;

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!n:group_concentration", &PyArray_Type, &values,
                          &PyArray_Type, &codes, &ngroups)) {
        return NULL;
    }
    /* 2. validate */
    if (ngroups < 0) {
        PyErr_Format(PyExc_ValueError, "%s: ngroups must be >= 0; got %zd", func, ngroups);
        return NULL;
    }
    const int vidx = multipolar_check_1d(values, func, "values", 0, -1);
    if (vidx < 0) {
        return NULL;
    }
    const npy_intp n = PyArray_DIM(values, 0);
    const int cidx = multipolar_check_1d(codes, func, "codes", 1, n);
    if (cidx < 0) {
        return NULL;
    }
    if (multipolar_mul_size(ngroups, MULTIPOLAR_CONCENTRATION_NCOL) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: ngroups too large; got %zd", func, ngroups);
        return NULL;
    }
    /* 3. allocate */
    out = (PyArrayObject *)PyArray_EMPTY(2, ((npy_intp[]){ngroups, MULTIPOLAR_CONCENTRATION_NCOL}),
                                         NPY_FLOAT64, 0);
    if (out == NULL) {
        goto fail;
    }
    counts = PyMem_RawCalloc((size_t)ngroups + 1, sizeof(npy_intp));
    next = PyMem_RawCalloc((size_t)ngroups + 1, sizeof(npy_intp));
    starts = PyMem_RawCalloc((size_t)ngroups + 1, sizeof(npy_intp));
    scratch = PyMem_RawMalloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (counts == NULL || next == NULL || starts == NULL || scratch == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    const char *vdata = PyArray_BYTES(values);
    const npy_intp vstride = PyArray_STRIDE(values, 0);
    const char *cdata = PyArray_BYTES(codes);
    const npy_intp cstride = PyArray_STRIDE(codes, 0);
    double *res = (double *)PyArray_DATA(out);

    const multipolar_team_t team = multipolar_team(self, MULTIPOLAR_MAX_THREADS);

    /* 4. release the GIL; 5. loop: count, scatter into segments, reduce each segment */
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    accumulate_table[vidx][cidx](vdata, vstride, cdata, cstride, n, ngroups, NULL, counts, &err);
    if (err.status == MULTIPOLAR_OK) {
        /* segment g is [starts[g], starts[g] + counts[g]); counts becomes the segment
         * ends, the most the scatter may write (the counts sum to at most n) */
        npy_intp start = 0;
        for (npy_intp g = 0; g < ngroups; g++) {
            starts[g] = next[g] = start;
            start += counts[g];
            counts[g] = start;
        }
        scatter_groups_table[vidx][cidx](vdata, vstride, cdata, cstride, n, ngroups, next,
                                         counts, scratch);
        /* after the scatter, next[g] is where segment g's written values end */
        conc_ctx_t ctx = {ngroups, starts, next, scratch, res};
        const npy_intp ntasks = (ngroups + MP_CONC_GROUPS - 1) / MP_CONC_GROUPS;
        if (n >= 65536) {
            multipolar_parallel_for(&team, ntasks, MULTIPOLAR_DYNAMIC, conc_groups, &ctx);
        }
        else {
            for (npy_intp t = 0; t < ntasks; t++) {
                conc_groups(&ctx, t, 0);
            }
        }
    }
    NPY_END_THREADS;

    /* 6. translate */
    err.arg = err.arg != NULL ? err.arg : "values";
    if (multipolar_raise_status(&err, func) < 0) {
        goto fail;
    }
    result = (PyObject *)out;
    out = NULL;
    /* 7. clean up (out is NULL on success: its reference moved to result) */
fail:
    Py_XDECREF(out);
    PyMem_RawFree(counts);
    PyMem_RawFree(next);
    PyMem_RawFree(starts);
    PyMem_RawFree(scratch);
    return result;
}
