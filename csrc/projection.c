/*
 * projection.c -- the projection family: Monte Carlo paths of capabilities,
 * wrapped by multipolar.projection (project, Projection, project_distributed).
 *
 *   project_paths(bitgens, block_paths, log0, drift, factor, n_among, pairs,
 *                 threshold, unipolar, bins, keep, drift_factor=None)
 *       Log-growth model: for each path p, state i and projected year h,
 *           log v[h, i] = log v[h-1, i] + drift[h, i] + (D u_p)[i] + (F z_h)[i],
 *       z_h and u_p iid standard normal, F a factor of the growth covariance
 *       (F F' = Sigma), D a factor of the sampling covariance of the
 *       estimated mean growth (D D' = Sigma / T), or no u_p term when
 *       drift_factor is None (the drift taken as known). Per year the kernel counts, over paths: histograms
 *       of each state's share among the first n_among states, of CON (Ray &
 *       Singer 1973) and of the effective number 1/HHI (Laakso & Taagepera
 *       1979); the polarity label by the rule of multipolar.polarity (a pole
 *       holds a share >= threshold, the leader always is one; unipolar with
 *       one pole or a leader share >= unipolar, bipolar with two, multipolar
 *       with more); how often each state is a pole; and for each pair (a, b)
 *       whether v_a > v_b that year and the first year it is. Block sums of
 *       the shares give exact means.
 *   block_normals(bitgens, n)
 *       The first n normals of one stream, for tests and baselines.
 *
 * Within a block the paths advance year by year and draw their normals in
 * the order year, path, state (projection_loops.h; the normals in random.h).
 *
 * Reproducibility: paths are cut into blocks, each drawing from its own
 * BitGenerator (the wrapper spawns them from one SeedSequence). A block's
 * paths depend on its stream only; all cross-block results are integer
 * counts (order-free) or per-block float sums, so the result is bitwise the
 * same however blocks are spread over calls, threads or machines. The
 * generators' locks are held while the kernel draws (random.c).
 */
#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "projection.h"
#include "projection_loops.h"
#include "random.h"
#include "threads.h"

/* Largest number of histogram bins accepted. */
#define MP_MAX_BINS 1000000
/* Largest number of states simulated. */
#define MP_MAX_STATES 4096
/* Largest number of projected years. */
#define MP_MAX_YEARS 100000
/* Number of result arrays. */
#define MP_NOUT 9

/* ---- float64 parameter arrays ------------------------------------------ */

/*
 * Check a float64 parameter array: native, aligned, ndim and (where >= 0)
 * each dimension; copy it, with any strides, into dst (C order) if dst is
 * given and check every value is finite (each value read once). Returns 0 or
 * -1 with an exception.
 */
static int
take_f64(PyArrayObject *arr, const char *func, const char *arg, int ndim, const npy_intp *dims,
         double *dst)
{
    if (multipolar_check_dtype_ndim(arr, func, arg, NPY_FLOAT64, "float64", ndim) < 0 ||
        multipolar_check_native(arr, func, arg) < 0) {
        return -1;
    }
    for (int d = 0; d < ndim; d++) {
        if (dims[d] >= 0 && PyArray_DIM(arr, d) != dims[d]) {
            PyErr_Format(PyExc_ValueError, "%s: %s must have shape[%d] %zd; got %zd", func, arg,
                         d, (Py_ssize_t)dims[d], (Py_ssize_t)PyArray_DIM(arr, d));
            return -1;
        }
    }
    if (dst == NULL) {
        return 0;
    }
    const char *base = PyArray_BYTES(arr);
    const npy_intp n0 = ndim > 0 ? PyArray_DIM(arr, 0) : 1;
    const npy_intp n1 = ndim > 1 ? PyArray_DIM(arr, 1) : 1;
    const npy_intp s0 = ndim > 0 ? PyArray_STRIDE(arr, 0) : 0;
    const npy_intp s1 = ndim > 1 ? PyArray_STRIDE(arr, 1) : 0;
    for (npy_intp i = 0; i < n0; i++) {
        for (npy_intp j = 0; j < n1; j++) {
            const double v = *(const double *)(base + i * s0 + j * s1);
            if (!npy_isfinite(v)) {
                char *repr = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
                if (repr != NULL) {
                    PyErr_Format(PyExc_ValueError, "%s: %s must be finite; got %s at %zd", func,
                                 arg, repr, (Py_ssize_t)(i * n1 + j));
                    PyMem_Free(repr);
                }
                return -1;
            }
            dst[i * n1 + j] = v;
        }
    }
    return 0;
}

/* Raise "<func>: <what>; got <v>" (ValueError); returns -1. */
static int
bad_scalar(const char *func, const char *what, double v)
{
    char *repr = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (repr != NULL) {
        PyErr_Format(PyExc_ValueError, "%s: %s; got %s", func, what, repr);
        PyMem_Free(repr);
    }
    return -1;
}

/* ---- project_paths: one call's arguments and resources ------------------- */

typedef struct {
    /* arguments (borrowed from args/kwds) */
    PyObject *bitgen_obj;
    PyArrayObject *block_arr, *log0_arr, *drift_arr, *factor_arr, *pairs_arr;
    PyObject *dfactor_obj; /* None or a float64 (n, n) array */
    Py_ssize_t n_among, bins;
    double threshold, unipolar;
    int keep;
    /* sizes */
    npy_intp nb, n, h, npairs, total, max_block;
    /* owned */
    multipolar_bitgens_t bg;
    npy_int64 *block_paths, *block_offset, *pairs;
    double *log0, *drift, *factor, *dfactor;
    char *acc, *scratch; /* multipolar_scratch_alloc blocks */
    size_t acc_stride, scratch_stride;
    npy_intp ntasks;
    PyArrayObject *out[MP_NOUT]; /* share, con, neff, labels, poles, first, over, sum, paths */
} paths_call_t;

static void
paths_call_free(paths_call_t *c)
{
    for (int a = 0; a < MP_NOUT; a++) {
        Py_CLEAR(c->out[a]);
    }
    multipolar_bitgens_free(&c->bg); /* unlocks first */
    multipolar_scratch_free(c->acc);
    multipolar_scratch_free(c->scratch);
    PyMem_Free(c->block_paths);
    PyMem_Free(c->block_offset);
    PyMem_Free(c->pairs);
    PyMem_Free(c->log0);
    PyMem_Free(c->drift);
    PyMem_Free(c->factor);
    PyMem_Free(c->dfactor);
}

/* Step 1: parse, positional or by keyword (names as in _core.pyi). */
static int
paths_parse(PyObject *args, PyObject *kwds, paths_call_t *c)
{
    static char *kwlist[] = {"bitgens", "block_paths", "log0", "drift", "factor", "n_among",
                             "pairs", "threshold", "unipolar", "bins", "keep", "drift_factor",
                             NULL};
    c->dfactor_obj = Py_None;
    return PyArg_ParseTupleAndKeywords(
               args, kwds, "O!O!O!O!O!nO!ddnp|O:project_paths", kwlist, &PyTuple_Type,
               &c->bitgen_obj, &PyArray_Type, &c->block_arr, &PyArray_Type, &c->log0_arr,
               &PyArray_Type, &c->drift_arr, &PyArray_Type, &c->factor_arr, &c->n_among,
               &PyArray_Type, &c->pairs_arr, &c->threshold, &c->unipolar, &c->bins, &c->keep, &c->dfactor_obj)
               ? 0
               : -1;
}

/* Step 2: dtypes, shapes and scalar ranges; the generators (not yet locked). */
static int
paths_validate(paths_call_t *c, const char *func)
{
    c->nb = PyTuple_GET_SIZE(c->bitgen_obj);
    if (multipolar_check_typed_1d(c->block_arr, func, "block_paths", NPY_INT64, "int64", c->nb) <
            0 ||
        take_f64(c->log0_arr, func, "log0", 1, (npy_intp[]){-1}, NULL) < 0) {
        return -1;
    }
    c->n = PyArray_DIM(c->log0_arr, 0);
    if (c->n < 1 || c->n > MP_MAX_STATES) {
        PyErr_Format(PyExc_ValueError, "%s: log0 must hold 1 to %d states; got %zd", func,
                     MP_MAX_STATES, (Py_ssize_t)c->n);
        return -1;
    }
    if (take_f64(c->drift_arr, func, "drift", 2, (npy_intp[]){-1, c->n}, NULL) < 0 ||
        take_f64(c->factor_arr, func, "factor", 2, (npy_intp[]){c->n, c->n}, NULL) < 0) {
        return -1;
    }
    if (c->dfactor_obj != Py_None) {
        if (!PyArray_Check(c->dfactor_obj)) {
            PyErr_Format(PyExc_TypeError, "%s: drift_factor must be None or a float64 array; got %s",
                         func, Py_TYPE(c->dfactor_obj)->tp_name);
            return -1;
        }
        if (take_f64((PyArrayObject *)c->dfactor_obj, func, "drift_factor", 2,
                     (npy_intp[]){c->n, c->n}, NULL) < 0) {
            return -1;
        }
    }
    c->h = PyArray_DIM(c->drift_arr, 0);
    if (c->h < 1 || c->h > MP_MAX_YEARS) {
        PyErr_Format(PyExc_ValueError, "%s: drift must have 1 to %d years; got %zd", func,
                     MP_MAX_YEARS, (Py_ssize_t)c->h);
        return -1;
    }
    if (c->n_among < 1 || c->n_among > c->n) {
        PyErr_Format(PyExc_ValueError, "%s: n_among must be in [1, %zd]; got %zd", func,
                     (Py_ssize_t)c->n, c->n_among);
        return -1;
    }
    if (multipolar_check_dtype_ndim(c->pairs_arr, func, "pairs", NPY_INT64, "int64", 2) < 0 ||
        multipolar_check_native(c->pairs_arr, func, "pairs") < 0) {
        return -1;
    }
    if (PyArray_DIM(c->pairs_arr, 1) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: pairs must have shape (P, 2); got shape[1] %zd", func,
                     (Py_ssize_t)PyArray_DIM(c->pairs_arr, 1));
        return -1;
    }
    c->npairs = PyArray_DIM(c->pairs_arr, 0);
    if (!(c->threshold > 0.0 && c->threshold <= 1.0)) {
        return bad_scalar(func, "threshold must be in (0, 1]", c->threshold);
    }
    if (!npy_isnan(c->unipolar) && !(c->unipolar > 0.0 && c->unipolar <= 1.0)) {
        return bad_scalar(func, "unipolar must be NaN or in (0, 1]", c->unipolar);
    }
    if (c->bins < 1 || c->bins > MP_MAX_BINS) {
        PyErr_Format(PyExc_ValueError, "%s: bins must be in [1, %d]; got %zd", func, MP_MAX_BINS,
                     c->bins);
        return -1;
    }
    return multipolar_bitgens_from_tuple(c->bitgen_obj, func, "bitgens", &c->bg);
}

/* Step 3a: private C-order copies of the inputs, each value read once and checked. */
static int
paths_copy_inputs(paths_call_t *c, const char *func)
{
    const npy_intp n = c->n, P = c->npairs;
    const npy_intp hn = multipolar_mul_size(c->h, n);
    c->block_paths = PyMem_Calloc((size_t)c->nb + 1, sizeof(npy_int64));
    c->block_offset = PyMem_Calloc((size_t)c->nb + 1, sizeof(npy_int64));
    c->pairs = PyMem_Calloc((size_t)(2 * P + 1), sizeof(npy_int64));
    c->log0 = PyMem_Calloc((size_t)n, sizeof(double));
    c->factor = PyMem_Calloc((size_t)(n * n), sizeof(double));
    c->drift = hn < 0 ? NULL : PyMem_Calloc((size_t)hn, sizeof(double));
    const int with_dfactor = c->dfactor_obj != Py_None;
    c->dfactor = with_dfactor ? PyMem_Calloc((size_t)(n * n), sizeof(double)) : NULL;
    if (c->block_paths == NULL || c->block_offset == NULL || c->pairs == NULL ||
        c->log0 == NULL || c->factor == NULL || c->drift == NULL ||
        (with_dfactor && c->dfactor == NULL)) {
        PyErr_NoMemory();
        return -1;
    }
    if (multipolar_block_offsets(c->block_arr, c->nb, func, "block_paths", c->block_paths,
                                 c->block_offset, &c->total) < 0) {
        return -1;
    }
    c->max_block = 0;
    for (npy_intp b = 0; b < c->nb; b++) {
        if ((npy_intp)c->block_paths[b] > c->max_block) {
            c->max_block = (npy_intp)c->block_paths[b];
        }
    }
    for (npy_intp q = 0; q < P; q++) {
        for (int k = 0; k < 2; k++) {
            const npy_int64 v = *(const npy_int64 *)(PyArray_BYTES(c->pairs_arr) +
                                                     q * PyArray_STRIDE(c->pairs_arr, 0) +
                                                     k * PyArray_STRIDE(c->pairs_arr, 1));
            if (v < 0 || v >= n) {
                multipolar_error_t err =
                    multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "pairs", q, (double)v);
                err.field = k + 1;
                err.limit = n;
                return multipolar_raise_status(&err, func);
            }
            c->pairs[2 * q + k] = v;
        }
    }
    if (take_f64(c->log0_arr, func, "log0", 1, (npy_intp[]){n}, c->log0) < 0 ||
        take_f64(c->drift_arr, func, "drift", 2, (npy_intp[]){c->h, n}, c->drift) < 0 ||
        take_f64(c->factor_arr, func, "factor", 2, (npy_intp[]){n, n}, c->factor) < 0 ||
        (with_dfactor && take_f64((PyArrayObject *)c->dfactor_obj, func, "drift_factor", 2,
                                  (npy_intp[]){n, n}, c->dfactor) < 0)) {
        return -1;
    }
    return 0;
}

/* Step 3b: the result arrays (zeroed). */
static int
paths_alloc_outputs(paths_call_t *c, const char *func)
{
    const npy_intp H = c->h, na = c->n_among, bins = c->bins, P = c->npairs;
    const npy_intp hab = multipolar_mul_size(multipolar_mul_size(H, na), bins);
    if (hab < 0 || hab > NPY_MAX_INTP / 16 || multipolar_mul_size(P, H + 1) < 0 ||
        multipolar_mul_size(P, H + 1) > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "%s: years x states x bins too large; got bins %zd", func,
                     (Py_ssize_t)bins);
        return -1;
    }
    const npy_intp dims[MP_NOUT - 1][3] = {{H, na, bins}, {H, bins}, {H, bins},  {H, 3},
                                           {H, na},       {P, H + 1}, {P, H}, {c->nb, H, na}};
    for (int a = 0; a < MP_NOUT - 1; a++) {
        c->out[a] = (PyArrayObject *)PyArray_ZEROS(a == 0 || a == 7 ? 3 : 2, dims[a],
                                                   a == 7 ? NPY_FLOAT64 : NPY_INT64, 0);
        if (c->out[a] == NULL) {
            return -1;
        }
    }
    if (!c->keep) {
        c->out[MP_NOUT - 1] = (PyArrayObject *)Py_NewRef(Py_None);
        return 0;
    }
    if (multipolar_mul_size(multipolar_mul_size(c->total, H), c->n) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: paths x years x states too large to keep", func);
        return -1;
    }
    c->out[MP_NOUT - 1] =
        (PyArrayObject *)PyArray_ZEROS(3, ((npy_intp[]){c->total, H, c->n}), NPY_FLOAT64, 0);
    return c->out[MP_NOUT - 1] == NULL ? -1 : 0;
}

/*
 * Step 3c: per-task count slots (one task per worker; integer counts, so the
 * sum over tasks does not depend on their number) and per-worker scratch,
 * each slot on its own cache lines.
 */
static int
paths_alloc_scratch(paths_call_t *c, const multipolar_team_t *team, const char *func)
{
    const npy_intp counts = paths_counts_len(c->h, c->n_among, c->bins, c->npairs);
    /* z and sh (n each), then the log values and drift offsets (max_block x n each) */
    const npy_intp dbl = multipolar_mul_size(2 * c->max_block + 2, c->n);
    const npy_intp idx = multipolar_mul_size(c->max_block, c->npairs);
    if (counts < 0 || counts > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "%s: bins too large; got %zd", func, (Py_ssize_t)c->bins);
        return -1;
    }
    if (dbl < 0 || idx < 0 || dbl > NPY_MAX_INTP / 16 - idx) {
        PyErr_Format(PyExc_ValueError, "%s: block_paths too large; got %zd", func,
                     (Py_ssize_t)c->max_block);
        return -1;
    }
    c->ntasks = team->nthreads;
    c->acc = multipolar_scratch_alloc(c->ntasks, (size_t)counts * sizeof(npy_int64),
                                      &c->acc_stride);
    c->scratch = multipolar_scratch_alloc(
        team->nthreads, (size_t)dbl * sizeof(double) + (size_t)(idx + 1) * sizeof(npy_intp),
        &c->scratch_stride);
    if (c->acc == NULL || c->scratch == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Step 5b: add the task counts into the outputs, in task order. No GIL. */
static void
paths_merge_counts(const paths_call_t *c)
{
    const npy_intp H = c->h, na = c->n_among, bins = c->bins, P = c->npairs;
    /* the slot layout of paths_counts_at, array by array */
    const npy_intp len[7] = {H * na * bins, H * bins, H * bins, 3 * H, H * na, P * (H + 1), P * H};
    for (npy_intp k = 0; k < c->ntasks; k++) {
        const npy_int64 *src = (const npy_int64 *)(c->acc + (size_t)k * c->acc_stride);
        for (int a = 0; a < 7; a++) {
            npy_int64 *dst = (npy_int64 *)PyArray_DATA(c->out[a]);
            for (npy_intp i = 0; i < len[a]; i++) {
                dst[i] += src[i];
            }
            src += len[a];
        }
    }
}

/* a * b * d for non-negative sizes, saturated at NPY_MAX_INTP (a work estimate). */
static npy_intp
work_of(npy_intp a, npy_intp b, npy_intp d)
{
    const npy_intp ab = multipolar_mul_size(a, b);
    const npy_intp abd = ab < 0 ? -1 : multipolar_mul_size(ab, d);
    return abd < 0 ? NPY_MAX_INTP : abd;
}

/* ---- entry points -------------------------------------------------------- */

PyObject *
multipolar_project_paths(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char func[] = "project_paths";
    paths_call_t c;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&c, 0, sizeof(c));

    /* 1. parse; 2. validate */
    if (paths_parse(args, kwds, &c) < 0 || paths_validate(&c, func) < 0) {
        goto done;
    }
    /* 3. allocate: private copies of the inputs, outputs, scratch for the team */
    if (paths_copy_inputs(&c, func) < 0 || paths_alloc_outputs(&c, func) < 0) {
        goto done;
    }
    const multipolar_team_t team = multipolar_team(self, c.nb);
    if (paths_alloc_scratch(&c, &team, func) < 0) {
        goto done;
    }
    mp_zig_t zig;
    mp_zig_init(&zig);
    const paths_ctx_t ctx = {
        c.bg.gens, c.block_paths, c.block_offset, c.nb, c.ntasks, c.n, c.n_among, c.h,
        c.npairs, c.bins, c.log0, c.drift, c.factor, c.dfactor, c.pairs, c.threshold, c.unipolar,
        c.acc, c.acc_stride, c.scratch, c.scratch_stride, c.max_block,
        (double *)PyArray_DATA(c.out[7]),
        c.keep ? (double *)PyArray_DATA(c.out[8]) : NULL, &zig,
    };
    /* the generators are ours until the GIL is back */
    if (multipolar_bitgens_lock(&c.bg) < 0) {
        goto done;
    }

    /* 4. release the GIL; 5. loop: tasks over blocks, then the task counts in order */
    NPY_BEGIN_THREADS_THRESHOLDED(work_of(c.total, c.h, c.n));
    multipolar_parallel_for(&team, c.ntasks, MULTIPOLAR_STATIC, paths_task, (void *)&ctx);
    paths_merge_counts(&c);
    NPY_END_THREADS;

    /* 6. translate: the loop has no failure status */
    result = PyTuple_New(MP_NOUT);
    if (result != NULL) {
        for (int a = 0; a < MP_NOUT; a++) {
            PyTuple_SET_ITEM(result, a, (PyObject *)c.out[a]); /* steals */
            c.out[a] = NULL;
        }
    }
    /* 7. clean up (unlocks the generators) */
done:
    paths_call_free(&c);
    return result;
}

PyObject *
multipolar_block_normals(PyObject *self, PyObject *args)
{
    static const char func[] = "block_normals";
    PyObject *bitgen_obj = NULL; /* borrowed from args */
    Py_ssize_t n = 0;
    multipolar_bitgens_t bg;
    PyArrayObject *out = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&bg, 0, sizeof(bg));

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!n:block_normals", &PyTuple_Type, &bitgen_obj, &n)) {
        return NULL;
    }
    /* 2. validate */
    if (PyTuple_GET_SIZE(bitgen_obj) != 1) {
        PyErr_Format(PyExc_ValueError, "%s: bitgens must hold one generator; got %zd", func,
                     PyTuple_GET_SIZE(bitgen_obj));
        return NULL;
    }
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "%s: n must be >= 0; got %zd", func, n);
        return NULL;
    }
    if (multipolar_bitgens_from_tuple(bitgen_obj, func, "bitgens", &bg) < 0) {
        return NULL;
    }
    /* 3. allocate */
    out = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){n}, NPY_FLOAT64, 0);
    if (out == NULL || multipolar_bitgens_lock(&bg) < 0) {
        Py_XDECREF(out);
        multipolar_bitgens_free(&bg);
        return NULL;
    }
    double *z = (double *)PyArray_DATA(out);
    /* 4. release the GIL; 5. loop */
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    mp_zig_t zig;
    mp_zig_init(&zig);
    mp_stream_t st;
    mp_stream_init(&st, bg.gens[0], &zig);
    for (npy_intp i = 0; i < n; i++) {
        z[i] = mp_normal(&st);
    }
    NPY_END_THREADS;
    /* 6./7. no status; unlock and clean up */
    multipolar_bitgens_free(&bg);
    return (PyObject *)out;
}
