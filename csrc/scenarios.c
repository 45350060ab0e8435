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
 * projection_loops.h.
 */
#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "projection.h"
#include "projection_loops.h"
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
    npy_int64 *first;         /* ntasks x nh */
    double *scratch;          /* ntasks x nh */
    const mp_zig_t *zig;
} ach_ctx_t;

/*
 * Task k: blocks k, k + ntasks, ... Contract: draws each cell of each draw
 * from the block's stream; writes the draws' posteriors (rows of its own
 * blocks) and adds first-rank counts into task k's row. Parameters were
 * validated (a <= b in [0, 1] for uniforms, a, b > 0 for betas). No status.
 * Runs without the GIL.
 */
static void
ach_task(void *arg, npy_intp k, int worker)
{
    const ach_ctx_t *c = (const ach_ctx_t *)arg;
    const npy_intp ne = c->ne, nh = c->nh;
    double *prod = c->scratch + k * nh;
    npy_int64 *first = c->first + k * nh;
    for (npy_intp blk = k; blk < c->nb; blk += c->ntasks) {
        mp_stream_t st;
        mp_stream_init(&st, c->bitgens[blk], c->zig);
        for (npy_intp d = 0; d < (npy_intp)c->block_draws[blk]; d++) {
            double *row = c->post + ((npy_intp)c->block_offset[blk] + d) * nh;
            memcpy(prod, c->prior, (size_t)nh * sizeof(double));
            for (npy_intp e = 0; e < ne; e++) {
                double mx = 0.0;
                for (npy_intp h = 0; h < nh; h++) {
                    const npy_intp cell = e * nh + h;
                    double l;
                    switch (c->kind[cell]) {
                    case 1:
                        l = c->a[cell] + (c->b[cell] - c->a[cell]) * mp_uniform(&st);
                        break;
                    case 2:
                        l = mp_beta(&st, c->a[cell], c->b[cell]);
                        break;
                    default:
                        l = c->a[cell];
                    }
                    prod[h] *= l;
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

PyObject *
multipolar_ach_sensitivity(PyObject *self, PyObject *args)
{
    static const char func[] = "ach_sensitivity";
    PyObject *bitgen_obj = NULL; /* borrowed from args */
    PyArrayObject *block_arr = NULL, *prior_arr = NULL, *kind_arr = NULL, *a_arr = NULL,
                  *b_arr = NULL; /* borrowed from args */
    bitgen_t **bitgens = NULL;
    npy_int64 *block_draws = NULL, *block_offset = NULL, *acc = NULL;
    double *prior = NULL, *a = NULL, *b = NULL, *scratch = NULL;
    npy_int8 *kind = NULL;
    PyArrayObject *o_post = NULL, *o_first = NULL;
    PyObject *result = NULL;
    NPY_BEGIN_THREADS_DEF;

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!:ach_sensitivity", &PyTuple_Type, &bitgen_obj,
                          &PyArray_Type, &block_arr, &PyArray_Type, &prior_arr, &PyArray_Type,
                          &kind_arr, &PyArray_Type, &a_arr, &PyArray_Type, &b_arr)) {
        return NULL;
    }
    /* 2. validate */
    const npy_intp nb = PyTuple_GET_SIZE(bitgen_obj);
    if (multipolar_check_typed_1d(block_arr, func, "block_draws", NPY_INT64, "int64", nb) < 0) {
        return NULL;
    }
    if (PyArray_TYPE(prior_arr) != NPY_FLOAT64) {
        PyErr_Format(PyExc_TypeError, "%s: prior dtype must be float64; got %R", func,
                     (PyObject *)PyArray_DESCR(prior_arr));
        return NULL;
    }
    if (multipolar_check_1d(prior_arr, func, "prior", 0, -1) < 0) {
        return NULL;
    }
    const npy_intp nh = PyArray_DIM(prior_arr, 0);
    if (nh < 1 || PyArray_NDIM(a_arr) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: prior must hold >= 1 hypothesis and a be 2-D; got %zd",
                     func, (Py_ssize_t)nh);
        return NULL;
    }
    const npy_intp ne = PyArray_DIM(a_arr, 0);
    const npy_intp cells = multipolar_mul_size(ne, nh);
    if (cells < 0 || cells > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "%s: evidence x hypotheses too large", func);
        return NULL;
    }
    bitgens = multipolar_bitgens_from_tuple(bitgen_obj, func, "bitgens");
    if (bitgens == NULL) {
        return NULL;
    }
    block_draws = PyMem_Calloc((size_t)nb + 1, sizeof(npy_int64));
    block_offset = PyMem_Calloc((size_t)nb + 1, sizeof(npy_int64));
    prior = PyMem_Calloc((size_t)nh, sizeof(double));
    kind = PyMem_Calloc((size_t)cells + 1, 1);
    a = PyMem_Calloc((size_t)cells + 1, sizeof(double));
    b = PyMem_Calloc((size_t)cells + 1, sizeof(double));
    if (block_draws == NULL || block_offset == NULL || prior == NULL || kind == NULL ||
        a == NULL || b == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    npy_intp total = 0;
    if (multipolar_block_offsets(block_arr, nb, func, "block_draws", block_draws, block_offset,
                                 &total) < 0) {
        goto fail;
    }
    for (npy_intp h = 0; h < nh; h++) {
        prior[h] = *(const double *)(PyArray_BYTES(prior_arr) + h * PyArray_STRIDE(prior_arr, 0));
        if (!(npy_isfinite(prior[h]) && prior[h] >= 0.0)) {
            PyErr_Format(PyExc_ValueError, "%s: prior must be finite and >= 0; got %R", func,
                         (PyObject *)prior_arr);
            goto fail;
        }
    }
    if (take_matrix(kind_arr, func, "kind", NPY_INT8, ne, nh, kind) < 0 ||
        take_matrix(a_arr, func, "a", NPY_FLOAT64, ne, nh, a) < 0 ||
        take_matrix(b_arr, func, "b", NPY_FLOAT64, ne, nh, b) < 0) {
        goto fail;
    }
    for (npy_intp e = 0; e < ne; e++) {
        for (npy_intp h = 0; h < nh; h++) {
            const npy_intp cell = e * nh + h;
            const double x = a[cell], y = b[cell];
            if (kind[cell] == 0 && !(x >= 0.0 && x <= 1.0)) {
                bad_cell(func, "a fixed likelihood must be in [0, 1]", x, y, e, h);
                goto fail;
            }
            if (kind[cell] == 1 && !(x >= 0.0 && x <= y && y <= 1.0)) {
                bad_cell(func, "a uniform range must satisfy 0 <= low <= high <= 1", x, y, e, h);
                goto fail;
            }
            if (kind[cell] == 2 && !(x > 0.0 && y > 0.0 && npy_isfinite(x) && npy_isfinite(y))) {
                bad_cell(func, "beta parameters must be finite and > 0", x, y, e, h);
                goto fail;
            }
            if (kind[cell] < 0 || kind[cell] > 2) {
                PyErr_Format(PyExc_ValueError, "%s: kind must be 0, 1 or 2; got %d", func,
                             (int)kind[cell]);
                goto fail;
            }
        }
    }
    /* 3. allocate */
    if (multipolar_mul_size(total, nh) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: draws x hypotheses too large", func);
        goto fail;
    }
    o_post = (PyArrayObject *)PyArray_ZEROS(2, ((npy_intp[]){total, nh}), NPY_FLOAT64, 0);
    o_first = (PyArrayObject *)PyArray_ZEROS(1, ((npy_intp[]){nh}), NPY_INT64, 0);
    if (o_post == NULL || o_first == NULL) {
        goto fail;
    }
    const multipolar_team_t team = multipolar_team(self, nb);
    const npy_intp ntasks = team.nthreads;
    acc = PyMem_RawCalloc((size_t)(ntasks * nh), sizeof(npy_int64));
    scratch = PyMem_RawCalloc((size_t)(ntasks * nh), sizeof(double));
    if (acc == NULL || scratch == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    mp_zig_t zig;
    mp_zig_init(&zig);
    ach_ctx_t ctx = {bitgens, block_draws, block_offset, nb, ntasks, ne, nh, prior, kind, a, b,
                     (double *)PyArray_DATA(o_post), acc, scratch, &zig};

    /* 4. release the GIL; 5. loop: tasks over blocks, then sum the task counts */
    NPY_BEGIN_THREADS_THRESHOLDED(total * cells);
    multipolar_parallel_for(&team, ntasks, MULTIPOLAR_STATIC, ach_task, &ctx);
    {
        npy_int64 *first = (npy_int64 *)PyArray_DATA(o_first);
        for (npy_intp k = 0; k < ntasks; k++) {
            for (npy_intp h = 0; h < nh; h++) {
                first[h] += acc[k * nh + h];
            }
        }
    }
    NPY_END_THREADS;

    /* 6. translate: no failure status after validation */
    result = PyTuple_Pack(2, o_post, o_first);
    /* 7. clean up (the tuple holds its own references) */
fail:
    Py_XDECREF(o_post);
    Py_XDECREF(o_first);
    PyMem_Free(bitgens);
    PyMem_Free(block_draws);
    PyMem_Free(block_offset);
    PyMem_Free(prior);
    PyMem_Free(kind);
    PyMem_Free(a);
    PyMem_Free(b);
    PyMem_RawFree(acc);
    PyMem_RawFree(scratch);
    return result;
}
