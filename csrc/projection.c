/*
 * projection.c -- the projection family: Monte Carlo paths of capabilities,
 * wrapped by multipolar.projection (project, Projection, project_distributed).
 *
 *   project_paths(bitgens, block_paths, log0, drift, factor, n_among, pairs,
 *                 threshold, unipolar, bins, keep)
 *       Log-growth model: for each path, state i and projected year h,
 *           log v[h, i] = log v[h-1, i] + drift[h, i] + (F z_h)[i],
 *       z_h iid standard normal, F a factor of the growth covariance
 *       (F F' = Sigma). Per year the kernel counts, over paths: histograms
 *       of each state's share among the first n_among states, of CON (Ray &
 *       Singer 1973) and of the effective number 1/HHI (Laakso & Taagepera
 *       1979); the polarity label by the rule of multipolar.polarity (a pole
 *       holds a share >= threshold, the leader always is one; unipolar with
 *       one pole or a leader share >= unipolar, bipolar with two, multipolar
 *       with more); how often each state is a pole; and for each pair (a, b)
 *       whether v_a > v_b that year and the first year it is. Block sums of
 *       the shares give exact means.
 *   block_normals(bitgen, n)
 *       The first n normals of one stream, for tests and baselines.
 *
 * Within a block the paths advance year by year and draw their normals in
 * the order year, path, state.
 *
 * Reproducibility: paths are cut into blocks, each drawing from its own
 * BitGenerator (the wrapper spawns them from one SeedSequence). A block's
 * paths depend on its stream only; all cross-block results are integer
 * counts (order-free) or per-block float sums, so the result is bitwise the
 * same however blocks are spread over calls, threads or machines.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "projection.h"
#include "projection_loops.h"
#include "threads.h"

/* Largest number of histogram bins accepted. */
#define MP_MAX_BINS 1000000
/* Largest number of states simulated. */
#define MP_MAX_STATES 4096

/* ---- BitGenerator access ------------------------------------------------ */

static int
cmp_ptr(const void *a, const void *b)
{
    const char *pa = *(char *const *)a;
    const char *pb = *(char *const *)b;
    return (pa > pb) - (pa < pb);
}

int
multipolar_block_offsets(PyArrayObject *arr, npy_intp nb, const char *func, const char *arg,
                         npy_int64 *sizes, npy_int64 *offsets, npy_intp *total)
{
    npy_intp sum = 0;
    for (npy_intp b = 0; b < nb; b++) {
        const npy_int64 v =
            *(const npy_int64 *)(PyArray_BYTES(arr) + b * PyArray_STRIDE(arr, 0));
        if (v < 0 || v > NPY_MAX_INTP - sum) {
            PyErr_Format(PyExc_ValueError, "%s: %s must be >= 0; got %lld at %zd", func, arg,
                         (long long)v, (Py_ssize_t)b);
            return -1;
        }
        sizes[b] = v;
        offsets[b] = sum;
        sum += (npy_intp)v;
    }
    *total = sum;
    return 0;
}

bitgen_t **
multipolar_bitgens_from_tuple(PyObject *tuple, const char *func, const char *arg)
{
    const Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    bitgen_t **out = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(bitgen_t *));
    bitgen_t **sorted = NULL;
    if (out == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i); /* borrowed from tuple */
        PyObject *cap = PyObject_GetAttrString(item, "capsule");
        if (cap == NULL || !PyCapsule_IsValid(cap, "BitGenerator")) {
            Py_XDECREF(cap);
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "%s: %s[%zd] must be a numpy.random BitGenerator; got %R", func, arg, i,
                         (PyObject *)Py_TYPE(item));
            PyMem_Free(out);
            return NULL;
        }
        /* the capsule points into the generator object, which the tuple keeps alive */
        out[i] = (bitgen_t *)PyCapsule_GetPointer(cap, "BitGenerator");
        Py_DECREF(cap);
        if (out[i] == NULL) {
            PyMem_Free(out);
            return NULL;
        }
    }
    sorted = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(bitgen_t *));
    if (sorted == NULL) {
        PyMem_Free(out);
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(sorted, out, (size_t)n * sizeof(bitgen_t *));
    qsort(sorted, (size_t)n, sizeof(bitgen_t *), cmp_ptr);
    for (Py_ssize_t i = 1; i < n; i++) {
        if (sorted[i] == sorted[i - 1]) {
            PyErr_Format(PyExc_ValueError,
                         "%s: %s must hold distinct generators; got one generator twice", func,
                         arg);
            PyMem_Free(sorted);
            PyMem_Free(out);
            return NULL;
        }
    }
    PyMem_Free(sorted);
    return out;
}

/* ---- float64 parameter arrays ------------------------------------------ */

/*
 * Check a float64 parameter array: native, aligned, ndim and (where >= 0)
 * each dimension; copy it, with any strides, into dst (C order) if dst is
 * given and check every value is finite. Returns 0 or -1 with an exception.
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

/* ---- the path loop ------------------------------------------------------ */

/* Everything a task reads, and the per-task accumulators it writes. */
typedef struct {
    bitgen_t **bitgens;
    const npy_int64 *block_paths;  /* nb */
    const npy_int64 *block_offset; /* nb, first global path of each block */
    npy_intp nb, ntasks;
    npy_intp n, na, h, npairs, bins;
    const double *log0;   /* n */
    const double *drift;  /* h x n */
    const double *factor; /* n x n */
    const npy_int64 *pairs; /* npairs x 2 */
    double threshold, unipolar;
    /* per task k, each of the sizes below: */
    npy_int64 *share_hist; /* ntasks x h x na x bins */
    npy_int64 *con_hist;   /* ntasks x h x bins */
    npy_int64 *neff_hist;  /* ntasks x h x bins */
    npy_int64 *labels;     /* ntasks x h x 3 */
    npy_int64 *poles;      /* ntasks x h x na */
    npy_int64 *first_over; /* ntasks x npairs x (h + 1) */
    npy_int64 *over;       /* ntasks x npairs x h */
    npy_intp max_block;        /* largest block_paths */
    npy_intp scratch_per_task; /* doubles: 2 n + max_block n */
    double *scratch;
    npy_intp *first;           /* ntasks x (max_block npairs + 1) */
    /* per block: */
    double *share_sum; /* nb x h x na */
    double *paths;     /* total x h x n, or NULL */
    const mp_zig_t *zig; /* normal tables */
} paths_ctx_t;

static inline npy_intp
bin_of(double x, npy_intp bins)
{
    /* x in [0, 1] up to rounding; clamp so x = 1 (and any rounding) stays in range */
    const double b = x * (double)bins;
    if (!(b > 0.0)) {
        return 0;
    }
    if (b >= (double)bins) {
        return bins - 1;
    }
    return (npy_intp)b;
}

/*
 * Task k: the blocks k, k + ntasks, ... Contract: reads the context's inputs;
 * adds integer counts into task k's accumulators, writes the block sums and
 * (if kept) the path values of its own blocks only. Within a block the paths
 * advance year by year (so one year's histograms stay in cache), drawing
 * from the block's own stream in the order year, path, state. No status:
 * inputs were validated (finite), and shares are formed in log space
 * (subtracting the largest log value), so they are finite in [0, 1]. Runs
 * without the GIL.
 */
static void
paths_task(void *arg, npy_intp k, int worker)
{
    const paths_ctx_t *c = (const paths_ctx_t *)arg;
    const npy_intp n = c->n, na = c->na, H = c->h, P = c->npairs, bins = c->bins;
    const npy_intp B = c->max_block;
    npy_int64 *share_hist = c->share_hist + k * H * na * bins;
    npy_int64 *con_hist = c->con_hist + k * H * bins;
    npy_int64 *neff_hist = c->neff_hist + k * H * bins;
    npy_int64 *labels = c->labels + k * H * 3;
    npy_int64 *poles = c->poles + k * H * na;
    npy_int64 *first_over = c->first_over + k * P * (H + 1);
    npy_int64 *over = c->over + k * P * H;
    double *z = c->scratch + k * c->scratch_per_task;
    double *sh = z + n;
    double *logv = sh + n;         /* B x n */
    npy_intp *first = c->first + k * (B * P + 1); /* B x P: first year a > b, or H */
    const double inv_na = 1.0 / (double)na;

    for (npy_intp b = k; b < c->nb; b += c->ntasks) {
        mp_stream_t st;
        mp_stream_init(&st, c->bitgens[b], c->zig);
        double *ssum = c->share_sum + b * H * na;
        const npy_intp np_ = (npy_intp)c->block_paths[b];
        for (npy_intp p = 0; p < np_; p++) {
            memcpy(logv + p * n, c->log0, (size_t)n * sizeof(double));
            for (npy_intp q = 0; q < P; q++) {
                first[p * P + q] = H;
            }
        }
        for (npy_intp t = 0; t < H; t++) {
            const double *dr = c->drift + t * n;
            npy_int64 *sh_t = share_hist + t * na * bins;
            npy_int64 *con_t = con_hist + t * bins;
            npy_int64 *neff_t = neff_hist + t * bins;
            for (npy_intp p = 0; p < np_; p++) {
                double *lv = logv + p * n;
                for (npy_intp i = 0; i < n; i++) {
                    z[i] = mp_normal(&st);
                }
                for (npy_intp i = 0; i < n; i++) {
                    const double *row = c->factor + i * n;
                    double acc = 0.0;
                    for (npy_intp j = 0; j < n; j++) {
                        acc += row[j] * z[j];
                    }
                    lv[i] += dr[i] + acc;
                }
                if (c->paths != NULL) {
                    double *out = c->paths + (((npy_intp)c->block_offset[b] + p) * H + t) * n;
                    for (npy_intp i = 0; i < n; i++) {
                        out[i] = exp(lv[i]);
                    }
                }
                /* shares among the first na states, in log space */
                double m = lv[0];
                for (npy_intp i = 1; i < na; i++) {
                    if (lv[i] > m) {
                        m = lv[i];
                    }
                }
                double total = 0.0;
                for (npy_intp i = 0; i < na; i++) {
                    sh[i] = exp(lv[i] - m);
                    total += sh[i];
                }
                double hhi = 0.0, top = -1.0;
                npy_intp npoles = 0, leader = 0;
                for (npy_intp i = 0; i < na; i++) {
                    const double s = sh[i] / total;
                    sh[i] = s;
                    hhi += s * s;
                    if (s > top) {
                        top = s;
                        leader = i;
                    }
                    ssum[t * na + i] += s;
                    sh_t[i * bins + bin_of(s, bins)]++;
                }
                for (npy_intp i = 0; i < na; i++) {
                    /* the leader (first largest share) is a pole whatever the threshold */
                    if (sh[i] >= c->threshold || i == leader) {
                        poles[t * na + i]++;
                        npoles++;
                    }
                }
                if (na >= 2) {
                    const double r = (hhi - inv_na) / (1.0 - inv_na);
                    con_t[bin_of(r > 0.0 ? sqrt(r) : 0.0, bins)]++;
                    neff_t[bin_of((1.0 / hhi - 1.0) / ((double)na - 1.0), bins)]++;
                }
                else {
                    neff_t[0]++;
                }
                int label;
                if (npoles <= 1 || (!npy_isnan(c->unipolar) && top >= c->unipolar)) {
                    label = 0;
                }
                else {
                    label = npoles == 2 ? 1 : 2;
                }
                labels[t * 3 + label]++;
                for (npy_intp q = 0; q < P; q++) {
                    if (lv[c->pairs[2 * q]] > lv[c->pairs[2 * q + 1]]) {
                        over[q * H + t]++;
                        if (first[p * P + q] == H) {
                            first[p * P + q] = t;
                        }
                    }
                }
            }
        }
        for (npy_intp p = 0; p < np_; p++) {
            for (npy_intp q = 0; q < P; q++) {
                first_over[q * (H + 1) + first[p * P + q]]++;
            }
        }
    }
}

/* ---- entry points -------------------------------------------------------- */

PyObject *
multipolar_project_paths(PyObject *self, PyObject *args)
{
    static const char func[] = "project_paths";
    PyObject *bitgen_obj = NULL;     /* borrowed from args */
    PyArrayObject *block_arr = NULL; /* borrowed from args */
    PyArrayObject *log0_arr = NULL, *drift_arr = NULL, *factor_arr = NULL, *pairs_arr = NULL;
    Py_ssize_t n_among = 0, bins = 0;
    double threshold = 0.0, unipolar = 0.0;
    int keep = 0;
    bitgen_t **bitgens = NULL;
    npy_int64 *block_paths = NULL, *block_offset = NULL, *pairs = NULL;
    double *log0 = NULL, *drift = NULL, *factor = NULL, *scratch = NULL;
    npy_intp *first = NULL;
    npy_int64 *acc = NULL;
    PyArrayObject *o_share = NULL, *o_con = NULL, *o_neff = NULL, *o_labels = NULL,
                  *o_poles = NULL, *o_first = NULL, *o_over = NULL, *o_sum = NULL,
                  *o_paths = NULL;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!nO!ddnp:project_paths", &PyTuple_Type, &bitgen_obj,
                          &PyArray_Type, &block_arr, &PyArray_Type, &log0_arr, &PyArray_Type,
                          &drift_arr, &PyArray_Type, &factor_arr, &n_among, &PyArray_Type,
                          &pairs_arr, &threshold, &unipolar, &bins, &keep)) {
        return NULL;
    }
    /* 2. validate */
    const npy_intp nb = PyTuple_GET_SIZE(bitgen_obj);
    if (multipolar_check_typed_1d(block_arr, func, "block_paths", NPY_INT64, "int64", nb) < 0) {
        return NULL;
    }
    if (take_f64(log0_arr, func, "log0", 1, (npy_intp[]){-1}, NULL) < 0) {
        return NULL;
    }
    const npy_intp n = PyArray_DIM(log0_arr, 0);
    if (n < 1 || n > MP_MAX_STATES) {
        PyErr_Format(PyExc_ValueError, "%s: log0 must hold 1 to %d states; got %zd", func,
                     MP_MAX_STATES, (Py_ssize_t)n);
        return NULL;
    }
    if (take_f64(drift_arr, func, "drift", 2, (npy_intp[]){-1, n}, NULL) < 0 ||
        take_f64(factor_arr, func, "factor", 2, (npy_intp[]){n, n}, NULL) < 0) {
        return NULL;
    }
    const npy_intp H = PyArray_DIM(drift_arr, 0);
    if (H < 1 || H > 100000) {
        PyErr_Format(PyExc_ValueError, "%s: drift must have 1 to 100000 years; got %zd", func,
                     (Py_ssize_t)H);
        return NULL;
    }
    if (n_among < 1 || n_among > n) {
        PyErr_Format(PyExc_ValueError, "%s: n_among must be in [1, %zd]; got %zd", func,
                     (Py_ssize_t)n, n_among);
        return NULL;
    }
    if (PyArray_TYPE(pairs_arr) != NPY_INT64 || PyArray_NDIM(pairs_arr) != 2 ||
        PyArray_DIM(pairs_arr, 1) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: pairs must be an int64 array of shape (P, 2); got %R",
                     func, (PyObject *)PyArray_DESCR(pairs_arr));
        return NULL;
    }
    if (!PyArray_ISNOTSWAPPED(pairs_arr) || !PyArray_ISALIGNED(pairs_arr)) {
        PyErr_Format(PyExc_ValueError, "%s: pairs must be aligned and in native byte order",
                     func);
        return NULL;
    }
    const npy_intp P = PyArray_DIM(pairs_arr, 0);
    if (!(threshold > 0.0 && threshold <= 1.0)) {
        PyErr_Format(PyExc_ValueError, "%s: threshold must be in (0, 1]; got %R", func,
                     PyTuple_GET_ITEM(args, 7));
        return NULL;
    }
    if (!npy_isnan(unipolar) && !(unipolar > 0.0 && unipolar <= 1.0)) {
        PyErr_Format(PyExc_ValueError, "%s: unipolar must be NaN or in (0, 1]; got %R", func,
                     PyTuple_GET_ITEM(args, 8));
        return NULL;
    }
    if (bins < 1 || bins > MP_MAX_BINS) {
        PyErr_Format(PyExc_ValueError, "%s: bins must be in [1, %d]; got %zd", func, MP_MAX_BINS,
                     bins);
        return NULL;
    }
    bitgens = multipolar_bitgens_from_tuple(bitgen_obj, func, "bitgens");
    if (bitgens == NULL) {
        return NULL;
    }
    /* 3. allocate (and copy the small parameters into C order) */
    block_paths = PyMem_Calloc((size_t)nb + 1, sizeof(npy_int64));
    block_offset = PyMem_Calloc((size_t)nb + 1, sizeof(npy_int64));
    pairs = PyMem_Calloc((size_t)(2 * P + 1), sizeof(npy_int64));
    log0 = PyMem_Calloc((size_t)n, sizeof(double));
    factor = PyMem_Calloc((size_t)(n * n), sizeof(double));
    if (block_paths == NULL || block_offset == NULL || pairs == NULL || log0 == NULL ||
        factor == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    npy_intp total = 0;
    if (multipolar_block_offsets(block_arr, nb, func, "block_paths", block_paths, block_offset,
                                 &total) < 0) {
        goto fail;
    }
    for (npy_intp q = 0; q < P; q++) {
        for (int c = 0; c < 2; c++) {
            const npy_int64 v = *(const npy_int64 *)(PyArray_BYTES(pairs_arr) +
                                                     q * PyArray_STRIDE(pairs_arr, 0) +
                                                     c * PyArray_STRIDE(pairs_arr, 1));
            if (v < 0 || v >= n) {
                PyErr_Format(PyExc_ValueError, "%s: pairs must index states in [0, %zd); got %lld",
                             func, (Py_ssize_t)n, (long long)v);
                goto fail;
            }
            pairs[2 * q + c] = v;
        }
    }
    const npy_intp hn = multipolar_mul_size(H, n);
    drift = hn < 0 ? NULL : PyMem_Calloc((size_t)hn, sizeof(double));
    if (drift == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (take_f64(log0_arr, func, "log0", 1, (npy_intp[]){n}, log0) < 0 ||
        take_f64(drift_arr, func, "drift", 2, (npy_intp[]){H, n}, drift) < 0 ||
        take_f64(factor_arr, func, "factor", 2, (npy_intp[]){n, n}, factor) < 0) {
        goto fail;
    }
    const npy_intp hab = multipolar_mul_size(multipolar_mul_size(H, n_among), bins);
    const npy_intp hb = multipolar_mul_size(H, bins);
    if (hab < 0 || hb < 0 || hab > NPY_MAX_INTP / 16 || multipolar_mul_size(P, H + 1) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: years x states x bins too large; got bins %zd", func,
                     bins);
        goto fail;
    }
    o_share = (PyArrayObject *)PyArray_ZEROS(3, ((npy_intp[]){H, n_among, bins}), NPY_INT64, 0);
    o_con = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){H, bins}), NPY_INT64, 0);
    o_neff = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){H, bins}), NPY_INT64, 0);
    o_labels = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){H, 3}), NPY_INT64, 0);
    o_poles = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){H, n_among}), NPY_INT64, 0);
    o_first = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){P, H + 1}), NPY_INT64, 0);
    o_over = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){P, H}), NPY_INT64, 0);
    o_sum = (PyArrayObject *)PyArray_ZEROS(3, ((npy_intp[]){nb, H, n_among}), NPY_FLOAT64, 0);
    if (o_share == NULL || o_con == NULL || o_neff == NULL || o_labels == NULL ||
        o_poles == NULL || o_first == NULL || o_over == NULL || o_sum == NULL) {
        goto fail;
    }
    if (keep) {
        if (multipolar_mul_size(multipolar_mul_size(total, H), n) < 0) {
            PyErr_Format(PyExc_ValueError, "%s: paths x years x states too large to keep", func);
            goto fail;
        }
        o_paths = (PyArrayObject *)PyArray_ZEROS(3, ((npy_intp[]){total, H, n}), NPY_FLOAT64, 0);
        if (o_paths == NULL) {
            goto fail;
        }
    }
    const multipolar_team_t team = multipolar_team(self, nb);
    npy_intp ntasks = team.nthreads;
    if (ntasks < 1) {
        ntasks = 1;
    }
    /* per task: share, con, neff histograms, labels, poles, first_over, over */
    const npy_intp per_task = hab + 2 * hb + 3 * H + H * n_among + P * (H + 1) + P * H;
    const npy_intp acc_n = multipolar_mul_size(per_task, ntasks);
    if (acc_n < 0 || acc_n > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "%s: bins too large; got %zd", func, bins);
        goto fail;
    }
    acc = PyMem_RawCalloc((size_t)(acc_n > 0 ? acc_n : 1), sizeof(npy_int64));
    npy_intp max_block = 0;
    for (npy_intp b = 0; b < nb; b++) {
        if ((npy_intp)block_paths[b] > max_block) {
            max_block = (npy_intp)block_paths[b];
        }
    }
    const npy_intp per_scratch = multipolar_mul_size(max_block + 2, n);
    const npy_intp per_first = multipolar_mul_size(max_block, P);
    if (per_scratch < 0 || per_first < 0 || multipolar_mul_size(per_scratch, ntasks) < 0 ||
        multipolar_mul_size(per_first + 1, ntasks) < 0 ||
        per_scratch > NPY_MAX_INTP / 16 / ntasks || per_first > NPY_MAX_INTP / 16 / ntasks) {
        PyErr_Format(PyExc_ValueError, "%s: block_paths too large; got %zd", func,
                     (Py_ssize_t)max_block);
        goto fail;
    }
    scratch = PyMem_RawCalloc((size_t)(ntasks * per_scratch + 1), sizeof(double));
    first = PyMem_RawCalloc((size_t)(ntasks * (per_first + 1)), sizeof(npy_intp));
    if (acc == NULL || scratch == NULL || first == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    mp_zig_t zig;
    mp_zig_init(&zig);
    paths_ctx_t ctx = {
        bitgens, block_paths, block_offset, nb, ntasks, n, n_among, H, P, bins,
        log0, drift, factor, pairs, threshold, unipolar,
        acc,
        acc + ntasks * hab,
        acc + ntasks * (hab + hb),
        acc + ntasks * (hab + 2 * hb),
        acc + ntasks * (hab + 2 * hb + 3 * H),
        acc + ntasks * (hab + 2 * hb + 3 * H + H * n_among),
        acc + ntasks * (hab + 2 * hb + 3 * H + H * n_among + P * (H + 1)),
        max_block,
        per_scratch,
        scratch,
        first,
        (double *)PyArray_DATA(o_sum),
        o_paths != NULL ? (double *)PyArray_DATA(o_paths) : NULL,
        &zig,
    };

    /* 4. release the GIL; 5. loop: tasks over blocks, then sum the task counts */
    NPY_BEGIN_THREADS_THRESHOLDED(total * H * n);
    multipolar_parallel_for(&team, ntasks, MULTIPOLAR_STATIC, paths_task, &ctx);
    {
        npy_int64 *dst[7] = {(npy_int64 *)PyArray_DATA(o_share), (npy_int64 *)PyArray_DATA(o_con),
                             (npy_int64 *)PyArray_DATA(o_neff), (npy_int64 *)PyArray_DATA(o_labels),
                             (npy_int64 *)PyArray_DATA(o_poles), (npy_int64 *)PyArray_DATA(o_first),
                             (npy_int64 *)PyArray_DATA(o_over)};
        const npy_int64 *src[7] = {ctx.share_hist, ctx.con_hist, ctx.neff_hist, ctx.labels,
                                   ctx.poles, ctx.first_over, ctx.over};
        const npy_intp len[7] = {hab, hb, hb, 3 * H, H * n_among, P * (H + 1), P * H};
        for (int a = 0; a < 7; a++) {
            for (npy_intp k = 0; k < ntasks; k++) {
                const npy_int64 *s = src[a] + k * len[a];
                for (npy_intp i = 0; i < len[a]; i++) {
                    dst[a][i] += s[i];
                }
            }
        }
    }
    NPY_END_THREADS;

    /* 6. translate: the loop has no failure status */
    if (o_paths == NULL) {
        Py_INCREF(Py_None);
        o_paths = (PyArrayObject *)Py_None;
    }
    result = PyTuple_Pack(9, o_share, o_con, o_neff, o_labels, o_poles, o_first, o_over, o_sum,
                          o_paths);
    if (result == NULL) {
        goto fail;
    }
    /* 7. clean up (the tuple holds its own references) */
fail:
    Py_XDECREF(o_share);
    Py_XDECREF(o_con);
    Py_XDECREF(o_neff);
    Py_XDECREF(o_labels);
    Py_XDECREF(o_poles);
    Py_XDECREF(o_first);
    Py_XDECREF(o_over);
    Py_XDECREF(o_sum);
    Py_XDECREF(o_paths);
    PyMem_RawFree(acc);
    PyMem_RawFree(scratch);
    PyMem_RawFree(first);
    PyMem_Free(bitgens);
    PyMem_Free(block_paths);
    PyMem_Free(block_offset);
    PyMem_Free(pairs);
    PyMem_Free(log0);
    PyMem_Free(drift);
    PyMem_Free(factor);
    return result;
}

PyObject *
multipolar_block_normals(PyObject *self, PyObject *args)
{
    static const char func[] = "block_normals";
    PyObject *bitgen_obj = NULL; /* borrowed from args */
    Py_ssize_t n = 0;
    bitgen_t **bitgens = NULL;
    PyArrayObject *out = NULL;
    NPY_BEGIN_THREADS_DEF;

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
    bitgens = multipolar_bitgens_from_tuple(bitgen_obj, func, "bitgens");
    if (bitgens == NULL) {
        return NULL;
    }
    /* 3. allocate */
    out = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){n}, NPY_FLOAT64, 0);
    if (out == NULL) {
        PyMem_Free(bitgens);
        return NULL;
    }
    double *z = (double *)PyArray_DATA(out);
    /* 4. release the GIL; 5. loop */
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    mp_zig_t zig;
    mp_zig_init(&zig);
    mp_stream_t st;
    mp_stream_init(&st, bitgens[0], &zig);
    for (npy_intp i = 0; i < n; i++) {
        z[i] = mp_normal(&st);
    }
    NPY_END_THREADS;
    /* 6./7. no status; clean up */
    PyMem_Free(bitgens);
    return (PyObject *)out;
}
