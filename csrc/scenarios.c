/*
 * scenarios.c -- the scenarios family: Monte Carlo sensitivity analysis of
 * Bayesian competing hypotheses, wrapped by multipolar.scenarios.compete.
 *
 *   ach_sensitivity(bitgens, block_draws, prior, kind, a, b)
 *       For each draw, every likelihood L[e, h] = P(evidence e | hypothesis h)
 *       is drawn from its own distribution -- kind 0: fixed at a; kind 1:
 *       uniform on [a, b]; kind 2: Beta(a, b) -- and the posterior
 *       pi_h * prod_e L[e, h] / sum_h' (...) is formed (Bayes' rule, the
 *       evidence items taken as conditionally independent). The kernel
 *       returns every draw's posterior and how often each hypothesis ranks
 *       first (a tie counts for every tied hypothesis; an all-zero draw for
 *       none and gives a NaN row).
 *
 * Draws are cut into blocks, each with its own BitGenerator (spawned by the
 * wrapper); cells are drawn in the order draw, evidence, hypothesis, so the
 * result is bitwise the same however blocks are spread over threads or calls.
 * Beta variates come from two gammas (Marsaglia & Tsang 2000); see
 * random.h. The generators' locks are held while the kernel draws (random.c).
 */
#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "random.h"
#include "scenarios.h"
#include "threads.h"

/* Products below this are rescaled by the largest, so long evidence lists do not underflow. */
#define MP_RESCALE 1e-200

typedef struct {
    bitgen_t **bitgens;
    const npy_int64 *block_draws, *block_offset;
    npy_intp nb, ntasks, ne, nh;
    const double *prior;      /* nh */
    const npy_int8 *kind;     /* ne x nh */
    const double *a, *b;      /* ne x nh */
    double *post;             /* total x nh */
    /* per worker w, at scratch + w * stride bytes: prod (nh doubles), then the
     * worker's first-rank counts (nh npy_int64; integer, so order-free) */
    char *scratch;
    size_t stride;
    const mp_zig_t *zig;
} ach_ctx_t;

/* One likelihood draw of cell `cell` (kind 0 fixed, 1 uniform, 2 beta). */
static inline double
draw_cell(const ach_ctx_t *c, mp_stream_t *st, npy_intp cell)
{
    switch (c->kind[cell]) {
    case 1:
        return c->a[cell] + (c->b[cell] - c->a[cell]) * mp_uniform(st);
    case 2:
        return mp_beta(st, c->a[cell], c->b[cell]);
    default:
        return c->a[cell];
    }
}

/*
 * Task k: blocks k, k + ntasks, ... Contract: draws each cell of each draw
 * from the block's stream; writes the draws' posteriors (rows of its own
 * blocks) and adds first-rank counts into the worker's slot. Parameters were
 * validated (a <= b in [0, 1] for uniforms, a, b > 0 for betas). No status.
 * Runs without the GIL.
 */
static void
ach_task(void *arg, npy_intp k, int worker)
{
    const ach_ctx_t *c = (const ach_ctx_t *)arg;
    const npy_intp ne = c->ne, nh = c->nh;
    double *prod = (double *)(c->scratch + (size_t)worker * c->stride);
    npy_int64 *first = (npy_int64 *)(prod + nh);
    for (npy_intp blk = k; blk < c->nb; blk += c->ntasks) {
        mp_stream_t st;
        mp_stream_init(&st, c->bitgens[blk], c->zig);
        for (npy_intp d = 0; d < (npy_intp)c->block_draws[blk]; d++) {
            double *row = c->post + ((npy_intp)c->block_offset[blk] + d) * nh;
            memcpy(prod, c->prior, (size_t)nh * sizeof(double));
            for (npy_intp e = 0; e < ne; e++) {
                double mx = 0.0;
                for (npy_intp h = 0; h < nh; h++) {
                    prod[h] *= draw_cell(c, &st, e * nh + h);
                    if (prod[h] > mx) {
                        mx = prod[h];
                    }
                }
                if (mx > 0.0 && mx < MP_RESCALE) {
                    for (npy_intp h = 0; h < nh; h++) {
                        prod[h] /= mx;
                    }
                }
            }
            double total = 0.0, best = 0.0;
            for (npy_intp h = 0; h < nh; h++) {
                total += prod[h];
                if (prod[h] > best) {
                    best = prod[h];
                }
            }
            if (!(total > 0.0)) {
                for (npy_intp h = 0; h < nh; h++) {
                    row[h] = NPY_NAN;
                }
                continue;
            }
            for (npy_intp h = 0; h < nh; h++) {
                row[h] = prod[h] / total;
                if (prod[h] == best) {
                    first[h]++;
                }
            }
        }
    }
}

static int
take_matrix(PyArrayObject *arr, const char *func, const char *arg, int typenum, npy_intp ne,
            npy_intp nh, void *dst)
{
    if (PyArray_TYPE(arr) != typenum) {
        PyErr_Format(PyExc_TypeError, "%s: %s dtype must be %s; got %R", func, arg,
                     typenum == NPY_INT8 ? "int8" : "float64", (PyObject *)PyArray_DESCR(arr));
        return -1;
    }
    if (PyArray_NDIM(arr) != 2 || PyArray_DIM(arr, 0) != ne || PyArray_DIM(arr, 1) != nh) {
        PyErr_Format(PyExc_ValueError, "%s: %s must have shape (%zd, %zd); got ndim %d", func, arg,
                     (Py_ssize_t)ne, (Py_ssize_t)nh, PyArray_NDIM(arr));
        return -1;
    }
    if (!PyArray_ISNOTSWAPPED(arr) || !PyArray_ISALIGNED(arr)) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be aligned and in native byte order", func,
                     arg);
        return -1;
    }
    const size_t size = typenum == NPY_INT8 ? 1 : sizeof(double);
    for (npy_intp i = 0; i < ne; i++) {
        for (npy_intp j = 0; j < nh; j++) {
            memcpy((char *)dst + (i * nh + j) * (npy_intp)size,
                   PyArray_BYTES(arr) + i * PyArray_STRIDE(arr, 0) + j * PyArray_STRIDE(arr, 1),
                   size);
        }
    }
    return 0;
}

static int
bad_cell(const char *func, const char *what, double a, double b, npy_intp e, npy_intp h)
{
    char *ra = PyOS_double_to_string(a, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    char *rb = PyOS_double_to_string(b, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (ra != NULL && rb != NULL) {
        PyErr_Format(PyExc_ValueError, "%s: %s; got (%s, %s) at evidence %zd, hypothesis %zd",
                     func, what, ra, rb, (Py_ssize_t)e, (Py_ssize_t)h);
    }
    else {
        PyErr_NoMemory();
    }
    PyMem_Free(ra);
    PyMem_Free(rb);
    return -1;
}

/* One call's arguments and resources. */
typedef struct {
    PyObject *bitgen_obj; /* borrowed from args */
    PyArrayObject *block_arr, *prior_arr, *kind_arr, *a_arr, *b_arr; /* borrowed */
    npy_intp nb, nh, ne, cells, total;
    multipolar_bitgens_t bg;
    npy_int64 *block_draws, *block_offset;
    double *prior, *a, *b;
    npy_int8 *kind;
    char *scratch; /* multipolar_scratch_alloc */
    size_t stride;
    PyArrayObject *o_post, *o_first;
} ach_call_t;

static void
ach_call_free(ach_call_t *c)
{
    Py_CLEAR(c->o_post);
    Py_CLEAR(c->o_first);
    multipolar_bitgens_free(&c->bg); /* unlocks first */
    multipolar_scratch_free(c->scratch);
    PyMem_Free(c->block_draws);
    PyMem_Free(c->block_offset);
    PyMem_Free(c->prior);
    PyMem_Free(c->kind);
    PyMem_Free(c->a);
    PyMem_Free(c->b);
}

/* Steps 1-2: parse (positional or by keyword, names as in _core.pyi) and check shapes. */
static int
ach_parse(PyObject *args, PyObject *kwds, ach_call_t *c, const char *func)
{
    static char *kwlist[] = {"bitgens", "block_draws", "prior", "kind", "a", "b", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!O!:ach_sensitivity", kwlist,
                                     &PyTuple_Type, &c->bitgen_obj, &PyArray_Type, &c->block_arr,
                                     &PyArray_Type, &c->prior_arr, &PyArray_Type, &c->kind_arr,
                                     &PyArray_Type, &c->a_arr, &PyArray_Type, &c->b_arr)) {
        return -1;
    }
    c->nb = PyTuple_GET_SIZE(c->bitgen_obj);
    if (multipolar_check_typed_1d(c->block_arr, func, "block_draws", NPY_INT64, "int64", c->nb) <
            0 ||
        multipolar_check_typed_1d(c->prior_arr, func, "prior", NPY_FLOAT64, "float64", -1) < 0) {
        return -1;
    }
    c->nh = PyArray_DIM(c->prior_arr, 0);
    if (c->nh < 1) {
        PyErr_Format(PyExc_ValueError, "%s: prior must hold >= 1 hypothesis; got 0", func);
        return -1;
    }
    if (PyArray_NDIM(c->a_arr) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: a must be 2-D; got ndim %d", func,
                     PyArray_NDIM(c->a_arr));
        return -1;
    }
    c->ne = PyArray_DIM(c->a_arr, 0);
    c->cells = multipolar_mul_size(c->ne, c->nh);
    if (c->cells < 0 || c->cells > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "%s: evidence x hypotheses too large", func);
        return -1;
    }
    return multipolar_bitgens_from_tuple(c->bitgen_obj, func, "bitgens", &c->bg);
}

/* Check every cell's distribution parameters (copied, so each value is read once). */
static int
ach_check_cells(const ach_call_t *c, const char *func)
{
    for (npy_intp e = 0; e < c->ne; e++) {
        for (npy_intp h = 0; h < c->nh; h++) {
            const npy_intp cell = e * c->nh + h;
            const double x = c->a[cell], y = c->b[cell];
            const int k = c->kind[cell];
            if (k < 0 || k > 2) {
                multipolar_error_t err =
                    multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "kind", e, (double)k);
                err.field = h + 1;
                err.limit = 3;
                return multipolar_raise_status(&err, func);
            }
            if (k == 0 && !(x >= 0.0 && x <= 1.0)) {
                return bad_cell(func, "a fixed likelihood must be in [0, 1]", x, y, e, h);
            }
            if (k == 1 && !(x >= 0.0 && x <= y && y <= 1.0)) {
                return bad_cell(func, "a uniform range must satisfy 0 <= low <= high <= 1", x, y,
                                e, h);
            }
            if (k == 2 && !(x > 0.0 && y > 0.0 && npy_isfinite(x) && npy_isfinite(y))) {
                return bad_cell(func, "beta parameters must be finite and > 0", x, y, e, h);
            }
        }
    }
    return 0;
}

/* Step 3a: private copies of the inputs, checked. */
static int
ach_copy_inputs(ach_call_t *c, const char *func)
{
    const npy_intp nh = c->nh;
    c->block_draws = PyMem_Calloc((size_t)c->nb + 1, sizeof(npy_int64));
    c->block_offset = PyMem_Calloc((size_t)c->nb + 1, sizeof(npy_int64));
    c->prior = PyMem_Calloc((size_t)nh, sizeof(double));
    c->kind = PyMem_Calloc((size_t)c->cells + 1, 1);
    c->a = PyMem_Calloc((size_t)c->cells + 1, sizeof(double));
    c->b = PyMem_Calloc((size_t)c->cells + 1, sizeof(double));
    if (c->block_draws == NULL || c->block_offset == NULL || c->prior == NULL ||
        c->kind == NULL || c->a == NULL || c->b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (multipolar_block_offsets(c->block_arr, c->nb, func, "block_draws", c->block_draws,
                                 c->block_offset, &c->total) < 0) {
        return -1;
    }
    for (npy_intp h = 0; h < nh; h++) {
        const double v =
            *(const double *)(PyArray_BYTES(c->prior_arr) + h * PyArray_STRIDE(c->prior_arr, 0));
        if (!(npy_isfinite(v) && v >= 0.0)) {
            const multipolar_error_t err = multipolar_error(MULTIPOLAR_ERR_INVALID, "prior", h, v);
            return multipolar_raise_status(&err, func);
        }
        c->prior[h] = v;
    }
    if (take_matrix(c->kind_arr, func, "kind", NPY_INT8, c->ne, nh, c->kind) < 0 ||
        take_matrix(c->a_arr, func, "a", NPY_FLOAT64, c->ne, nh, c->a) < 0 ||
        take_matrix(c->b_arr, func, "b", NPY_FLOAT64, c->ne, nh, c->b) < 0) {
        return -1;
    }
    return ach_check_cells(c, func);
}

PyObject *
multipolar_ach_sensitivity(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char func[] = "ach_sensitivity";
    ach_call_t c;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&c, 0, sizeof(c));

    /* 1. parse; 2. validate */
    if (ach_parse(args, kwds, &c, func) < 0 || ach_copy_inputs(&c, func) < 0) {
        goto done;
    }
    /* 3. allocate */
    if (multipolar_mul_size(c.total, c.nh) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: draws x hypotheses too large", func);
        goto done;
    }
    c.o_post = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){c.total, c.nh}), NPY_FLOAT64, 0);
    c.o_first = (PyArrayObject *)PyArray_ZEROS(1, ((npy_intp[]){c.nh}), NPY_INT64, 0);
    if (c.o_post == NULL || c.o_first == NULL) {
        goto done;
    }
    const multipolar_team_t team = multipolar_team(self, c.nb);
    c.scratch = multipolar_scratch_alloc(
        team.nthreads, (size_t)c.nh * (sizeof(double) + sizeof(npy_int64)), &c.stride);
    if (c.scratch == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    mp_zig_t zig;
    mp_zig_init(&zig);
    const ach_ctx_t ctx = {c.bg.gens, c.block_draws, c.block_offset, c.nb, team.nthreads, c.ne,
                           c.nh, c.prior, c.kind, c.a, c.b, (double *)PyArray_DATA(c.o_post),
                           c.scratch, c.stride, &zig};
    /* the generators are ours until the GIL is back */
    if (multipolar_bitgens_lock(&c.bg) < 0) {
        goto done;
    }

    /* 4. release the GIL; 5. loop: tasks over blocks, then the workers' counts */
    const npy_intp work = multipolar_mul_size(c.total, c.cells);
    NPY_BEGIN_THREADS_THRESHOLDED(work < 0 ? NPY_MAX_INTP : work);
    multipolar_parallel_for(&team, team.nthreads, MULTIPOLAR_STATIC, ach_task, (void *)&ctx);
    {
        npy_int64 *first = (npy_int64 *)PyArray_DATA(c.o_first);
        for (int w = 0; w < team.nthreads; w++) {
            const npy_int64 *counts =
                (const npy_int64 *)((const double *)(c.scratch + (size_t)w * c.stride) + c.nh);
            for (npy_intp h = 0; h < c.nh; h++) {
                first[h] += counts[h];
            }
        }
    }
    NPY_END_THREADS;

    /* 6. translate: no failure status after validation */
    result = PyTuple_Pack(2, c.o_post, c.o_first);
    /* 7. clean up (the tuple holds its own references; unlocks the generators) */
done:
    ach_call_free(&c);
    return result;
}
