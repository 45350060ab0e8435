/*
 * relations.c -- the relations family: events into dyadic matrices, wrapped by
 * multipolar.relations (RelationMatrix.from_events, RelationMatrix.update,
 * dyad_series, event_tensor) and multipolar.distributed.
 *
 *   decay_accumulate(out, quad_out, code1, map1, code2, map2, weight, time,
 *                    quad, used, at, day, half_life) -> (counts, at)
 *       out[i, j] += sum of w * 2^(-(at - t) / h) over the events from actor i
 *       to actor j with t <= at (at None: the latest time of any event, found
 *       in the same pass): the exponentially decayed event score with
 *       half-life h (a score halves every h), e.g. Goldstein (1992) weights on
 *       GDELT events. Exponential decay factorizes, 2^(-(T - t)/h) =
 *       2^(-(T - T0)/h) 2^(-(T0 - t)/h), so partial matrices built at T0 and
 *       rescaled to T add up to the batch matrix (incremental updates, Dask).
 *       quad_out[q - 1, i, j] adds the decay factor alone: decayed event counts
 *       per QuadClass q.
 *   bin_accumulate(out, code1, map1, code2, map2, weight, time, edges, used)
 *       out[k, i, j] += w over the events in time bin k = [edges[k], edges[k+1]).
 *
 * Actors arrive as integer codes (pandas Categorical codes, any code dtype)
 * with a small map from codes to output positions, so a 50M-row column is
 * read as it is. Events are split into contiguous blocks whose number
 * depends on the input sizes only, each with its own accumulator (never a
 * shared hot one); the blocks are added in block order afterwards, so the
 * result is bitwise the same for any thread count, and correct for any event
 * order. Every input value the loops index with is read once (codes) or comes
 * from a private copy made while validating (maps, quad classes, bin edges):
 * another Python thread may write the caller's arrays while the GIL is out.
 * Errors found in the loops go through multipolar_error_t naming the kernel
 * argument (code1, code2) and its bound.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relations.h"
#include "threads.h"

/* Everything the loops read; filled and validated by the entry points. */
typedef struct {
    const char *code1, *code2, *weight, *time, *quad;
    npy_intp s_code1, s_code2, s_weight, s_time, s_quad;
    const npy_int64 *map1, *map2; /* contiguous copies */
    npy_intp nmap1, nmap2;
    npy_intp nactors;
    /* decay: at - t = phase + kday[k] (kday[k] = k day) has the factor
     * 2^(-(at - t) / h) = ftab[k] */
    npy_int64 at, day, phase;
    double half_life;
    const double *ftab;
    const npy_int64 *kday;
    npy_intp ntable; /* a power of two */
    /* the fast decay loop's extended maps (see decay_fast_body): xmap1 gives
     * pa * N, xmap2 pb, or a class value; positions [fold_lo, fold_hi1/2) are
     * the codes 0, 1, ... of map1/map2 */
    int fast_ok;
    int auto_at; /* at is provisional (fast loop only): the loops track the latest time */
    const npy_int32 *xmap1, *xmap2;
    npy_intp xlen1, xlen2, fold_lo, fold_hi1, fold_hi2;
    /* bins */
    const npy_int64 *edges;
    npy_intp nbins;
} mp_events_t;

/* Events per chunk of the fast decay loop (stack buffers of this length). */
#define MP_EV_CHUNK 512
/* Class values of the extended maps: an actor outside the output, a missing
 * code, a code beyond the map. A cell xmap1[a] + xmap2[b] below N * N is a
 * kept event (N * N < 2^24); bits 24-25 count outside actors, 26-27 missing
 * codes, 28-29 codes out of range, so the sum of two entries keeps each class. */
#define MP_XMAP_OUTSIDE ((npy_int32)1 << 24)
#define MP_XMAP_MISSING ((npy_int32)1 << 26)
#define MP_XMAP_RANGE ((npy_int32)1 << 28)
#define MP_XMAP_MISSING_BITS ((npy_int32)3 << 26)
#define MP_XMAP_RANGE_BITS ((npy_int32)3 << 28)
/* Largest actor count of the fast loop: N * N + 1 < 2^24. */
#define MP_XMAP_MAX_ACTORS 4095

#if defined(_MSC_VER)
#define MP_ALWAYS_INLINE __forceinline
#elif defined(__GNUC__)
#define MP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MP_ALWAYS_INLINE inline
#endif

/* Actors already marked present in used[n] (0 without used). */
static inline npy_intp
count_marked(const npy_uint8 *used, npy_intp n)
{
    npy_intp marked = 0;
    for (npy_intp k = 0; used != NULL && k < n; k++) {
        marked += used[k] != 0;
    }
    return marked;
}

/* Add a loop's local event tallies to its block's counts (MP_EV_* order). The
 * loops keep them in locals: stores through acc would force reloads otherwise. */
static inline void
add_counts(npy_intp *counts, npy_intp used, npy_intp missing, npy_intp outside, npy_intp after,
           npy_intp nan)
{
    counts[MP_EV_USED] += used;
    counts[MP_EV_MISSING] += missing;
    counts[MP_EV_OUTSIDE] += outside;
    counts[MP_EV_AFTER] += after;
    counts[MP_EV_NAN] += nan;
}

/* ---- loop instantiations: [weight dtype][code dtype] ------------------------ */
#define MP_LOOPS_HEADER "relations_loops.h"
#define MP_W_T npy_float64
#define MP_W_NAME float64
#include "each_code_dtype.h"
#undef MP_W_T
#undef MP_W_NAME

#define MP_W_T npy_float32
#define MP_W_NAME float32
#include "each_code_dtype.h"
#undef MP_W_T
#undef MP_W_NAME

#define MP_W_T npy_int64
#define MP_W_NAME int64
#include "each_code_dtype.h"
#undef MP_W_T
#undef MP_W_NAME

#define MP_W_T npy_int32
#define MP_W_NAME int32
#include "each_code_dtype.h"
#undef MP_W_T
#undef MP_W_NAME

#undef MP_LOOPS_HEADER

/* ---- dispatch tables, in the order of multipolar.h's dtype lists ------------ */
typedef void (*events_fn)(const mp_events_t *, npy_intp, npy_intp, int, double *, double *,
                          npy_uint8 *, npy_uint8 *, npy_uint8 *, npy_intp *, npy_int64 *,
                          multipolar_error_t *);

#define MP_DECAY_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(decay_loop, vname),
#define MP_BIN_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(bin_loop, vname),
static const events_fn decay_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_DECAY_ROW)};
static const events_fn bin_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_BIN_ROW)};
#undef MP_DECAY_ROW
#undef MP_BIN_ROW

/* ---- threaded driver ----------------------------------------------------------- */

/*
 * Determinism: events are cut into blocks whose number depends on the input
 * sizes only (events, output cells, actors), never on the thread count. Each
 * block accumulates into its own zeroed buffer and the buffers are added into
 * the output cell by cell in block order, so any number of threads -- one
 * included -- gives the same bits.
 */
/* Events per block of a large call: fewer, and the per-block costs (a fresh zeroed
 * accumulator brought into cache, its merge) outweigh the work (measured: 2^18 made
 * 50M events 2x slower on one thread). */
#define MP_EV_BLOCK ((npy_intp)1 << 22)
/* Below 4 blocks of MP_EV_BLOCK, up to that many blocks of at least MP_EV_SMALL_BLOCK
 * events, so a mid-sized call still runs on a few threads. */
#define MP_EV_MIN_BLOCKS 4
#define MP_EV_SMALL_BLOCK ((npy_intp)1 << 19)
/* Most blocks of one call (so at most as many threads are useful). */
#define MP_EV_MAX_BLOCKS 32
/* Most scratch memory the private accumulators of one call may take. */
#define MP_EV_SCRATCH ((npy_intp)256 << 20)
/* Output cells per task of the merge. */
#define MP_EV_MERGE_CELLS ((npy_intp)1 << 15)
/* Most entries of the per-day decay table. */
#define MP_EV_TABLE ((npy_intp)1 << 16)

/*
 * The number of event blocks for n events when each block's private
 * accumulator holds `cells` doubles and takes `bytes` of scratch in all:
 * n / MP_EV_BLOCK blocks (at least up to MP_EV_MIN_BLOCKS of MP_EV_SMALL_BLOCK
 * events), with two events per cell in a block (zeroing,
 * faulting in and merging a private cell costs about as much as adding an
 * event into a large output), at most MP_EV_MAX_BLOCKS blocks and
 * MP_EV_SCRATCH bytes. A function of the sizes alone.
 */
static npy_intp
event_blocks(npy_intp n, npy_intp cells, npy_intp bytes)
{
    npy_intp nblocks = n / MP_EV_BLOCK;
    if (nblocks < MP_EV_MIN_BLOCKS) {
        const npy_intp few = n / MP_EV_SMALL_BLOCK;
        nblocks = few < MP_EV_MIN_BLOCKS ? few : MP_EV_MIN_BLOCKS;
    }
    if (cells > 0 && nblocks > n / (2 * cells)) {
        nblocks = n / (2 * cells);
    }
    if (nblocks > MP_EV_MAX_BLOCKS) {
        nblocks = MP_EV_MAX_BLOCKS;
    }
    if (bytes > 0 && nblocks > MP_EV_SCRATCH / bytes) {
        nblocks = MP_EV_SCRATCH / bytes;
    }
    return nblocks < 1 ? 1 : nblocks;
}

typedef struct {
    const mp_events_t *ev;
    events_fn fn;
    npy_intp n;
    npy_intp nblocks;
    int fast;
    double **acc;
    double **qacc;
    npy_uint8 **used;
    npy_uint8 **seen1;
    npy_uint8 **seen2;
    npy_intp (*counts)[MP_EV_NCOUNT];
    npy_int64 *tmax;
    multipolar_error_t *err;
} run_t;

/* One contiguous block of events into its own accumulator. Runs without the GIL. */
static void
run_task(void *arg, npy_intp t, int worker)
{
    const run_t *r = (const run_t *)arg;
    npy_intp lo, hi;
    multipolar_block_range(r->n, r->nblocks, t, &lo, &hi);
    r->fn(r->ev, lo, hi, r->fast, r->acc[t], r->qacc != NULL ? r->qacc[t] : NULL,
          r->used != NULL ? r->used[t] : NULL, r->seen1 != NULL ? r->seen1[t] : NULL,
          r->seen2 != NULL ? r->seen2[t] : NULL, r->counts[t], &r->tmax[t], &r->err[t]);
}

typedef struct {
    double *out, *qout;         /* the outputs: nout doubles, and 4 x nout */
    double *const *acc;         /* nblocks private accumulators of nacc doubles */
    double *const *qacc;        /* ... and of 4 x nacc (or NULL) */
    npy_intp nout, nacc, nblocks;
    double scale;               /* every private cell is multiplied by it (1: as is) */
} merge_t;

/*
 * Cells [task * MP_EV_MERGE_CELLS, ...) of out (and of each quad matrix):
 * out[k] += scale * acc[b][k] for b = 0, 1, ... in block order, the order
 * the bits of the result depend on. Runs without the GIL.
 */
static void
merge_task(void *arg, npy_intp task, int worker)
{
    const merge_t *m = (const merge_t *)arg;
    const npy_intp lo = task * MP_EV_MERGE_CELLS;
    const npy_intp hi = m->nout - lo < MP_EV_MERGE_CELLS ? m->nout : lo + MP_EV_MERGE_CELLS;
    const npy_intp nmat = m->qout != NULL ? 5 : 1;
    for (npy_intp c = 0; c < nmat; c++) {
        double *out = c == 0 ? m->out : m->qout + (c - 1) * m->nout;
        for (npy_intp b = 0; b < m->nblocks; b++) {
            const double *acc = c == 0 ? m->acc[b] : m->qacc[b] + (c - 1) * m->nacc;
            if (m->scale != 1.0) {
                for (npy_intp k = lo; k < hi; k++) {
                    out[k] += acc[k] * m->scale;
                }
            }
            else {
                for (npy_intp k = lo; k < hi; k++) {
                    out[k] += acc[k];
                }
            }
        }
    }
}

/* Private buffers of the blocks; NULL entries where a block writes the outputs. */
typedef struct {
    double *acc[MP_EV_MAX_BLOCKS];
    double *qacc[MP_EV_MAX_BLOCKS];
    npy_uint8 *used[MP_EV_MAX_BLOCKS];
    npy_uint8 *seen1[MP_EV_MAX_BLOCKS];
    npy_uint8 *seen2[MP_EV_MAX_BLOCKS];
} blocks_t;

/* Allocate block t's buffers (zeroed); -1 on failure. `direct`: block t writes
 * out/qout/used itself (one block, exact loop). GIL held (raw allocator). */
static int
alloc_block(blocks_t *b, npy_intp t, int direct, const mp_events_t *ev, npy_intp nacc,
            double *out, double *qout, npy_uint8 *used, int fast)
{
    if (direct) {
        b->acc[t] = out;
        b->qacc[t] = qout;
        b->used[t] = used;
        return 0;
    }
    b->acc[t] = PyMem_RawCalloc((size_t)(nacc > 0 ? nacc : 1), sizeof(double));
    if (b->acc[t] == NULL) {
        return -1;
    }
    if (qout != NULL) {
        b->qacc[t] = PyMem_RawCalloc((size_t)(nacc > 0 ? 4 * nacc : 1), sizeof(double));
        if (b->qacc[t] == NULL) {
            return -1;
        }
    }
    if (used != NULL) {
        b->used[t] = PyMem_RawCalloc((size_t)(ev->nactors > 0 ? ev->nactors : 1), 1);
        if (b->used[t] == NULL) {
            return -1;
        }
    }
    if (fast && used != NULL) {
        b->seen1[t] = PyMem_RawCalloc((size_t)ev->xlen1 + 1, 1);
        b->seen2[t] = PyMem_RawCalloc((size_t)ev->xlen2 + 1, 1);
        if (b->seen1[t] == NULL || b->seen2[t] == NULL) {
            return -1;
        }
    }
    return 0;
}

static void
free_blocks(blocks_t *b, npy_intp nblocks, const double *out, const npy_uint8 *used)
{
    for (npy_intp t = 0; t < nblocks; t++) {
        if (b->acc[t] != out) {
            PyMem_RawFree(b->acc[t]);
            PyMem_RawFree(b->qacc[t]);
        }
        if (b->used[t] != used) {
            PyMem_RawFree(b->used[t]);
        }
        PyMem_RawFree(b->seen1[t]);
        PyMem_RawFree(b->seen2[t]);
    }
}

/*
 * Run fn over n events into out (nout doubles), qout (4 blocks of nout doubles,
 * or NULL) and used (nactors flags or NULL), on threads when n is large.
 * The events go in event_blocks() blocks, each into private buffers (nout
 * doubles, nout + 1 for the fast decay loop, whose last cell collects the
 * events left out) merged into out in block order; one block of the exact
 * loop writes the outputs directly. With ev->auto_at (fast only), the private
 * buffers are rescaled from the provisional ev->at to the latest time, which
 * goes to *latest. Holds the GIL on entry and exit; releases it around the
 * loops. Returns the counts tuple; NULL with an exception set (out may then
 * be partly updated); or NULL with *retry set and out untouched when an
 * auto_at run must be repeated with an exact at.
 */
static PyObject *
run_events(PyObject *module, const mp_events_t *ev, events_fn fn, npy_intp n, int fast, double *out,
           npy_intp nout, double *qout, npy_uint8 *used, const char *func, int *retry,
           npy_int64 *latest)
{
    blocks_t bufs;
    npy_intp counts[MP_EV_MAX_BLOCKS][MP_EV_NCOUNT];
    npy_int64 tmaxs[MP_EV_MAX_BLOCKS];
    multipolar_error_t errs[MP_EV_MAX_BLOCKS];
    PyObject *result = NULL;
    const npy_intp nacc = fast ? nout + 1 : nout; /* doubles per private matrix */
    const npy_intp cells = qout != NULL ? 5 * nacc : nacc;
    npy_intp bytes = multipolar_mul_size(cells, (npy_intp)sizeof(double));
    NPY_BEGIN_THREADS_DEF;

    memset(&bufs, 0, sizeof(bufs));
    bytes = bytes < 0 ? NPY_MAX_INTP : bytes + (used != NULL ? ev->nactors : 0) +
                                           (fast && used != NULL ? ev->xlen1 + ev->xlen2 + 2 : 0);
    const npy_intp nblocks = event_blocks(n, cells, bytes);
    const int direct = nblocks == 1 && !fast;
    memset(counts, 0, sizeof(counts));
    for (npy_intp t = 0; t < nblocks; t++) {
        errs[t] = multipolar_error(MULTIPOLAR_OK, NULL, 0, 0.0);
        tmaxs[t] = ev->at;
        if (alloc_block(&bufs, t, direct, ev, nacc, out, qout, used, fast) < 0) {
            PyErr_NoMemory();
            goto done;
        }
    }
    run_t run = {ev, fn, n, nblocks, fast, bufs.acc, qout != NULL ? bufs.qacc : NULL,
                 used != NULL ? bufs.used : NULL, fast && used != NULL ? bufs.seen1 : NULL,
                 fast && used != NULL ? bufs.seen2 : NULL, counts, tmaxs, errs};
    merge_t merge = {out, qout, bufs.acc, bufs.qacc, nout, nacc, direct ? 0 : nblocks, 1.0};
    const npy_intp nmerge = (nout + MP_EV_MERGE_CELLS - 1) / MP_EV_MERGE_CELLS;
    /* both teams are fixed with the GIL held; the results do not depend on them */
    const multipolar_team_t team = multipolar_team(module, nblocks);
    const multipolar_team_t merge_team = multipolar_team(module, direct ? 1 : nmerge);

    *retry = 0;
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    multipolar_parallel_for(&team, nblocks, MULTIPOLAR_DYNAMIC, run_task, &run);
    *latest = ev->at;
    for (npy_intp t = 0; t < nblocks; t++) {
        *retry |= errs[t].status == MULTIPOLAR_RETRY;
        *latest = tmaxs[t] > *latest ? tmaxs[t] : *latest;
    }
    /* the provisional at: every private cell goes to the latest time,
     * 2^(-(T - t) / h) = 2^(-(T - at) / h) 2^(-(at - t) / h) */
    if (ev->auto_at && !*retry && *latest > ev->at && npy_isfinite(ev->half_life)) {
        merge.scale = exp2(-(double)((npy_uint64)*latest - (npy_uint64)ev->at) / ev->half_life);
    }
    if (!direct && !*retry && multipolar_first_error(errs, nblocks) == NULL) {
        multipolar_parallel_for(&merge_team, nmerge, MULTIPOLAR_STATIC, merge_task, &merge);
        for (npy_intp t = 0; used != NULL && t < nblocks; t++) {
            for (npy_intp k = 0; k < ev->nactors; k++) {
                used[k] |= bufs.used[t][k];
            }
        }
    }
    NPY_END_THREADS;

    if (*retry) {
        goto done;
    }
    /* 6. translate: the error of the earliest row, as the serial loop would meet it */
    if (multipolar_raise_status(multipolar_first_error(errs, nblocks), func) < 0) {
        goto done;
    }
    for (npy_intp t = 1; t < nblocks; t++) {
        for (int c = 0; c < MP_EV_NCOUNT; c++) {
            counts[0][c] += counts[t][c];
        }
    }
    result = Py_BuildValue("(nnnnn)", (Py_ssize_t)counts[0][0], (Py_ssize_t)counts[0][1],
                           (Py_ssize_t)counts[0][2], (Py_ssize_t)counts[0][3],
                           (Py_ssize_t)counts[0][4]);
done:
    free_blocks(&bufs, nblocks, out, used);
    return result;
}

/* ---- argument checks (GIL held) ------------------------------------------------ */

/* A float64, C-contiguous, aligned, native, writeable array of ndim dimensions. */
static int
check_out(PyArrayObject *arr, const char *func, const char *arg, int ndim)
{
    if (multipolar_check_dtype_ndim(arr, func, arg, NPY_FLOAT64, "float64", ndim) < 0) {
        return -1;
    }
    if (!PyArray_IS_C_CONTIGUOUS(arr) || !PyArray_ISWRITEABLE(arr) || !PyArray_ISALIGNED(arr) ||
        !PyArray_ISNOTSWAPPED(arr)) {
        PyErr_Format(PyExc_ValueError,
                     "%s: %s must be C-contiguous, aligned, native and writeable", func, arg);
        return -1;
    }
    return 0;
}

/* None or an ndarray; *arr is NULL for None. */
static int
optional_array(PyObject *obj, const char *func, const char *arg, PyArrayObject **arr)
{
    if (obj == Py_None) {
        *arr = NULL;
        return 0;
    }
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be None or an ndarray; got %R", func, arg,
                     (PyObject *)Py_TYPE(obj));
        return -1;
    }
    *arr = (PyArrayObject *)obj;
    return 0;
}

/*
 * A 1-D code array of length n that must have one code dtype (position idx in
 * MULTIPOLAR_CODE_DTYPES, named tname): a dtype outside the list gets the
 * list's message, an integer of another width this one. Returns 0 or -1.
 */
static int
check_one_code_dtype(PyArrayObject *arr, const char *func, const char *arg, npy_intp n, int idx,
                     const char *tname)
{
    const int got = multipolar_check_1d(arr, func, arg, 1, n);
    if (got < 0) {
        return -1;
    }
    if (got != idx) {
        PyErr_Format(PyExc_TypeError, "%s: %s dtype must be %s; got %R", func, arg, tname,
                     (PyObject *)PyArray_DESCR(arr));
        return -1;
    }
    return 0;
}

/* A contiguous copy of an int64 1-D map with entries in [-1, nactors); NULL on error. */
static npy_int64 *
copy_map(PyArrayObject *arr, npy_intp nactors, const char *func, const char *arg, npy_intp *len)
{
    if (multipolar_check_typed_1d(arr, func, arg, NPY_INT64, "int64", -1) < 0) {
        return NULL;
    }
    const npy_intp n = PyArray_DIM(arr, 0);
    npy_int64 *out = PyMem_RawMalloc((size_t)(n > 0 ? n : 1) * sizeof(npy_int64));
    if (out == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    const char *data = PyArray_BYTES(arr);
    const npy_intp stride = PyArray_STRIDE(arr, 0);
    for (npy_intp i = 0; i < n; i++) {
        const npy_int64 v = *(const npy_int64 *)(data + i * stride);
        if (v < -1 || v >= nactors) {
            PyErr_Format(PyExc_ValueError, "%s: %s entries must be in [-1, %zd); got %lld at %zd",
                         func, arg, (Py_ssize_t)nactors, (long long)v, (Py_ssize_t)i);
            PyMem_RawFree(out);
            return NULL;
        }
        out[i] = v;
    }
    *len = n;
    return out;
}

/*
 * Check and record the event columns shared by both entry points. Sets *cidx
 * and *widx (dispatch positions) and fills ev; maps are copied (caller frees).
 */
static int
fill_events(mp_events_t *ev, PyArrayObject *code1, PyArrayObject *map1, PyArrayObject *code2,
            PyArrayObject *map2, PyArrayObject *weight, PyArrayObject *time, PyArrayObject *used,
            npy_intp nactors, const char *func, int *cidx, int *widx, npy_intp *n)
{
    *cidx = multipolar_check_1d(code1, func, "code1", 1, -1);
    if (*cidx < 0) {
        return -1;
    }
    *n = PyArray_DIM(code1, 0);
    const int c2 = multipolar_check_1d(code2, func, "code2", 1, *n);
    if (c2 < 0) {
        return -1;
    }
    if (c2 != *cidx) {
        PyErr_Format(PyExc_TypeError, "%s: code2 dtype must equal code1's (%R); got %R", func,
                     (PyObject *)PyArray_DESCR(code1), (PyObject *)PyArray_DESCR(code2));
        return -1;
    }
    *widx = multipolar_check_1d(weight, func, "weight", 0, *n);
    if (*widx < 0) {
        return -1;
    }
    const int tidx = multipolar_check_1d(time, func, "time", 1, *n);
    if (tidx < 0) {
        return -1;
    }
    if (tidx != 3) {
        PyErr_Format(PyExc_TypeError, "%s: time dtype must be int64; got %R", func,
                     (PyObject *)PyArray_DESCR(time));
        return -1;
    }
    if (used != NULL) {
        if ((PyArray_TYPE(used) != NPY_UINT8 && PyArray_TYPE(used) != NPY_BOOL) ||
            PyArray_NDIM(used) != 1 || PyArray_DIM(used, 0) != nactors ||
            !PyArray_IS_C_CONTIGUOUS(used) || !PyArray_ISWRITEABLE(used)) {
            PyErr_Format(PyExc_ValueError,
                         "%s: used must be a writeable contiguous uint8 or bool array of length "
                         "%zd; got %R",
                         func, (Py_ssize_t)nactors, (PyObject *)used);
            return -1;
        }
    }
    ev->code1 = PyArray_BYTES(code1);
    ev->s_code1 = PyArray_STRIDE(code1, 0);
    ev->code2 = PyArray_BYTES(code2);
    ev->s_code2 = PyArray_STRIDE(code2, 0);
    ev->weight = PyArray_BYTES(weight);
    ev->s_weight = PyArray_STRIDE(weight, 0);
    ev->time = PyArray_BYTES(time);
    ev->s_time = PyArray_STRIDE(time, 0);
    ev->nactors = nactors;
    ev->map1 = copy_map(map1, nactors, func, "map1", &ev->nmap1);
    if (ev->map1 == NULL) {
        return -1;
    }
    ev->map2 = copy_map(map2, nactors, func, "map2", &ev->nmap2);
    if (ev->map2 == NULL) {
        return -1;
    }
    return 0;
}

/* One extended map (see decay_fast_body): entry k for the code of fast index k. */
static npy_int32 *
make_xmap(const mp_events_t *ev, const npy_int64 *map, npy_intp nmap, int itemsize, int row,
          npy_intp *len, npy_intp *fold_hi)
{
    const npy_intp xlen = itemsize == 1 ? 256 : itemsize == 2 ? 65536 : nmap + 2;
    const npy_intp half = itemsize == 1 ? 128 : 32768; /* 8/16-bit: the top half is negative */
    npy_int32 *x = PyMem_RawMalloc((size_t)xlen * sizeof(npy_int32));
    if (x == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (npy_intp k = 0; k < xlen; k++) {
        npy_intp v; /* the code */
        if (itemsize <= 2) {
            v = k < half ? k : k - 2 * half;
        }
        else {
            v = k <= nmap ? k - 1 : nmap; /* k = nmap + 1: beyond the map */
        }
        if (v < 0) {
            x[k] = MP_XMAP_MISSING;
        }
        else if (v >= nmap) {
            x[k] = MP_XMAP_RANGE;
        }
        else if (map[v] < 0) {
            x[k] = MP_XMAP_OUTSIDE;
        }
        else {
            x[k] = (npy_int32)(row ? map[v] * ev->nactors : map[v]);
        }
    }
    *len = xlen;
    *fold_hi = itemsize <= 2 ? (nmap < half ? nmap : half) : nmap + 1;
    return x;
}

/* Build ev's extended maps for codes of itemsize bytes; -1 with MemoryError. */
static int
fill_xmaps(mp_events_t *ev, int itemsize, npy_int32 **xmap1, npy_int32 **xmap2)
{
    *xmap1 = make_xmap(ev, ev->map1, ev->nmap1, itemsize, 1, &ev->xlen1, &ev->fold_hi1);
    if (*xmap1 == NULL) {
        return -1;
    }
    *xmap2 = make_xmap(ev, ev->map2, ev->nmap2, itemsize, 0, &ev->xlen2, &ev->fold_hi2);
    if (*xmap2 == NULL) {
        return -1;
    }
    ev->xmap1 = *xmap1;
    ev->xmap2 = *xmap2;
    ev->fold_lo = itemsize <= 2 ? 0 : 1;
    return 0;
}

/* The latest time of the n events (NaT if none has a time). Runs without the GIL. */
static npy_int64
time_max(const mp_events_t *ev, npy_intp n)
{
    npy_int64 m = NPY_MIN_INT64;
    for (npy_intp i = 0; i < n; i++) {
        const npy_int64 t = *(const npy_int64 *)(ev->time + i * ev->s_time);
        m = t > m ? t : m;
    }
    return m;
}

/* The latest time among the first and last MP_EV_CHUNK events and every
 * 4096th: a provisional at for the fast loop. Runs without the GIL. */
static npy_int64
time_max_sample(const mp_events_t *ev, npy_intp n)
{
    npy_int64 m = NPY_MIN_INT64;
    const npy_intp head = n < MP_EV_CHUNK ? n : MP_EV_CHUNK;
    const npy_intp tail = n - MP_EV_CHUNK > head ? n - MP_EV_CHUNK : head;
    for (npy_intp i = 0; i < n;) {
        const npy_int64 t = *(const npy_int64 *)(ev->time + i * ev->s_time);
        m = t > m ? t : m;
        i = i < head || i >= tail ? i + 1 : (i + 4096 < tail ? i + 4096 : tail);
    }
    return m;
}

/*
 * (Re)build ev's decay table for ev->at -- phase, ntable, ftab, kday (freeing
 * the previous *ftab / *kday) -- and set ev->fast_ok. -1 with MemoryError.
 */
static int
decay_tables(mp_events_t *ev, npy_intp n, double **ftab, npy_int64 **kday)
{
    const int decay = npy_isfinite(ev->half_life);
    PyMem_RawFree(*ftab);
    PyMem_RawFree(*kday);
    *ftab = NULL;
    *kday = NULL;
    ev->ftab = NULL;
    ev->kday = NULL;
    ev->phase = 0;
    ev->ntable = 1;
    if (decay) {
        /* the phase of at - t within a day, from the first event with a time */
        for (npy_intp i = 0; i < n; i++) {
            const npy_int64 t = *(const npy_int64 *)(ev->time + i * ev->s_time);
            if (t != NPY_MIN_INT64) {
                const npy_int64 ra = ((ev->at % ev->day) + ev->day) % ev->day;
                const npy_int64 rt = ((t % ev->day) + ev->day) % ev->day;
                ev->phase = (ra - rt + ev->day) % ev->day;
                break;
            }
        }
        /* a power of two entries, about one per event up to MP_EV_TABLE, with
         * phase + ntable day < 2^62 */
        while (ev->ntable < n && ev->ntable < MP_EV_TABLE &&
               (npy_uint64)(2 * ev->ntable) <= ((npy_uint64)1 << 62) / (npy_uint64)ev->day &&
               (npy_uint64)ev->phase + (npy_uint64)(2 * ev->ntable) * (npy_uint64)ev->day <
                   ((npy_uint64)1 << 62)) {
            ev->ntable *= 2;
        }
        *ftab = PyMem_RawMalloc((size_t)ev->ntable * sizeof(double));
        *kday = PyMem_RawMalloc((size_t)ev->ntable * sizeof(npy_int64));
        if (*ftab == NULL || *kday == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (npy_intp k = 0; k < ev->ntable; k++) {
            (*kday)[k] = (npy_int64)k * ev->day;
            (*ftab)[k] = exp2(-(double)(ev->phase + (*kday)[k]) / ev->half_life);
        }
        ev->ftab = *ftab;
        ev->kday = *kday;
    }
    /* the fast loop: up to MP_XMAP_MAX_ACTORS actors, at not NaT, and with decay a
     * day of at least 2 ticks and NaT times that cannot match the table */
    ev->fast_ok = ev->nactors <= MP_XMAP_MAX_ACTORS && ev->at != NPY_MIN_INT64 &&
                  (!decay || (ev->day >= 2 && (npy_uint64)ev->at - (npy_uint64)NPY_MIN_INT64 >
                                                  (npy_uint64)ev->phase +
                                                      (npy_uint64)ev->ntable *
                                                          (npy_uint64)ev->day));
    return 0;
}

/* ev->at := the latest time exactly (GIL released meanwhile), no provisional at,
 * and the tables rebuilt for it. -1 with MemoryError. */
static int
exact_at(mp_events_t *ev, npy_intp n, double **ftab, npy_int64 **kday)
{
    NPY_BEGIN_THREADS_DEF;
    NPY_BEGIN_THREADS;
    ev->at = time_max(ev, n);
    NPY_END_THREADS;
    ev->auto_at = 0;
    return decay_tables(ev, n, ftab, kday);
}

/* ---- entry points ----------------------------------------------------------------- */

/*
 * A private copy of the quad classes, checked to be 1..4 as it is made: the
 * loops index the quad accumulators with them, so they must not change while
 * the GIL is released (another Python thread could write the caller's array).
 * NULL with an exception set.
 */
static npy_int8 *
copy_quad(PyArrayObject *quad, npy_intp n, const char *func)
{
    if (check_one_code_dtype(quad, func, "quad", n, 0, "int8") < 0) {
        return NULL;
    }
    npy_int8 *copy = PyMem_RawMalloc((size_t)(n > 0 ? n : 1));
    if (copy == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    const char *data = PyArray_BYTES(quad);
    const npy_intp stride = PyArray_STRIDE(quad, 0);
    npy_intp bad = -1;
    npy_int8 badq = 0;
    NPY_BEGIN_THREADS_DEF;
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (npy_intp i = 0; i < n; i++) {
        const npy_int8 q = *(const npy_int8 *)(data + i * stride);
        copy[i] = q;
        if (q < 1 || q > 4) {
            bad = i;
            badq = q;
            break;
        }
    }
    NPY_END_THREADS;
    if (bad >= 0) {
        PyErr_Format(PyExc_ValueError, "%s: quad must be 1, 2, 3 or 4; got %d at row %zd", func,
                     (int)badq, (Py_ssize_t)bad);
        PyMem_RawFree(copy);
        return NULL;
    }
    return copy;
}

/* at: None (*at untouched) or an int that fits a C long long. Returns 0 or -1. */
static int
parse_at(PyObject *at_obj, const char *func, long long *at)
{
    if (at_obj == Py_None) {
        return 0;
    }
    if (!PyLong_Check(at_obj)) {
        PyErr_Format(PyExc_TypeError, "%s: at must be an int or None; got %R", func,
                     (PyObject *)Py_TYPE(at_obj));
        return -1;
    }
    *at = PyLong_AsLongLong(at_obj);
    return *at == -1 && PyErr_Occurred() ? -1 : 0;
}

/*
 * decay_accumulate's arrays besides the event columns: out square (N, N);
 * quad_out and quad both None or both arrays, quad_out (4, N, N); used None or
 * an array (checked with the events). Sets the borrowed *qout, *quad, *used.
 */
static int
check_decay_outputs(PyArrayObject *out, PyObject *qout_obj, PyObject *quad_obj,
                    PyObject *used_obj, const char *func, PyArrayObject **qout,
                    PyArrayObject **quad, PyArrayObject **used)
{
    if (check_out(out, func, "out", 2) < 0) {
        return -1;
    }
    const npy_intp nactors = PyArray_DIM(out, 0);
    if (PyArray_DIM(out, 1) != nactors) {
        PyErr_Format(PyExc_ValueError, "%s: out must be square; got shape (%zd, %zd)", func,
                     (Py_ssize_t)nactors, (Py_ssize_t)PyArray_DIM(out, 1));
        return -1;
    }
    if (optional_array(qout_obj, func, "quad_out", qout) < 0 ||
        optional_array(quad_obj, func, "quad", quad) < 0 ||
        optional_array(used_obj, func, "used", used) < 0) {
        return -1;
    }
    if ((*qout == NULL) != (*quad == NULL)) {
        PyErr_Format(PyExc_ValueError, "%s: quad_out and quad must both be None or both arrays",
                     func);
        return -1;
    }
    if (*qout == NULL) {
        return 0;
    }
    if (check_out(*qout, func, "quad_out", 3) < 0) {
        return -1;
    }
    if (PyArray_DIM(*qout, 0) != 4 || PyArray_DIM(*qout, 1) != nactors ||
        PyArray_DIM(*qout, 2) != nactors) {
        PyErr_Format(PyExc_ValueError, "%s: quad_out must have shape (4, %zd, %zd); got %R", func,
                     (Py_ssize_t)nactors, (Py_ssize_t)nactors, qout_obj);
        return -1;
    }
    return 0;
}

/* day > 0 and half_life > 0 (inf: no decay; NaN fails). Returns 0 or -1. */
static int
check_decay_scalars(long long day, double half_life, const char *func)
{
    if (!(day > 0)) {
        PyErr_Format(PyExc_ValueError, "%s: day must be > 0; got %lld", func, day);
        return -1;
    }
    if (!(half_life > 0.0)) {
        char *repr = PyOS_double_to_string(half_life, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (repr != NULL) {
            PyErr_Format(PyExc_ValueError, "%s: half_life must be > 0 (inf: no decay); got %s",
                         func, repr);
            PyMem_Free(repr);
        }
        return -1;
    }
    return 0;
}

/*
 * The automatic at, with the GIL released: provisionally the latest time of a
 * sample when the size suits the fast loop (which tracks later times and
 * rescales), else exactly the latest time (NPY_MIN_INT64 if none). Sets ev->at
 * and ev->auto_at; returns whether the size still suits the fast loop.
 */
static int
choose_at(mp_events_t *ev, npy_intp n, int size_fast)
{
    NPY_BEGIN_THREADS_DEF;
    NPY_BEGIN_THREADS;
    ev->at = size_fast ? time_max_sample(ev, n) : NPY_MIN_INT64;
    if (ev->at == NPY_MIN_INT64) {
        ev->at = time_max(ev, n);
        size_fast = size_fast && ev->at != NPY_MIN_INT64;
    }
    NPY_END_THREADS;
    ev->auto_at = size_fast;
    return size_fast;
}

PyObject *
multipolar_decay_accumulate(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char func[] = "decay_accumulate";
    static char *kwlist[] = {"out",  "quad_out", "code1", "map1", "code2", "map2",      "weight",
                             "time", "quad",     "used",  "at",   "day",   "half_life", NULL};
    PyArrayObject *out = NULL, *code1 = NULL, *map1 = NULL, *code2 = NULL, *map2 = NULL,
                  *weight = NULL, *time = NULL; /* borrowed from args */
    PyObject *qout_obj = NULL, *quad_obj = NULL, *used_obj = NULL; /* borrowed from args */
    PyArrayObject *qout = NULL, *quad = NULL, *used = NULL;         /* borrowed from args */
    PyObject *at_obj = NULL; /* borrowed from args */
    long long at = 0, day = 0;
    double half_life = 0.0;
    mp_events_t ev;
    double *table = NULL;
    npy_int64 *kday = NULL;
    npy_int32 *xmap1 = NULL, *xmap2 = NULL;
    npy_int8 *quad_copy = NULL;
    PyObject *result = NULL;
    int cidx = 0, widx = 0;
    npy_intp n = 0;

    memset(&ev, 0, sizeof(ev));
    /* 1. parse */
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OO!O!O!O!O!O!OOOLd:decay_accumulate", kwlist,
                                     &PyArray_Type, &out, &qout_obj, &PyArray_Type, &code1,
                                     &PyArray_Type, &map1, &PyArray_Type, &code2, &PyArray_Type,
                                     &map2, &PyArray_Type, &weight, &PyArray_Type, &time,
                                     &quad_obj, &used_obj, &at_obj, &day, &half_life)) {
        return NULL;
    }
    const int auto_at = at_obj == Py_None;
    if (parse_at(at_obj, func, &at) < 0) {
        return NULL;
    }
    /* 2. validate */
    if (check_decay_outputs(out, qout_obj, quad_obj, used_obj, func, &qout, &quad, &used) < 0 ||
        check_decay_scalars(day, half_life, func) < 0) {
        return NULL;
    }
    const npy_intp nactors = PyArray_DIM(out, 0);
    if (fill_events(&ev, code1, map1, code2, map2, weight, time, used, nactors, func, &cidx, &widx,
                    &n) < 0) {
        goto done;
    }
    if (quad != NULL) {
        quad_copy = copy_quad(quad, n, func);
        if (quad_copy == NULL) {
            goto done;
        }
        ev.quad = (const char *)quad_copy;
        ev.s_quad = 1;
    }
    ev.day = (npy_int64)day;
    ev.half_life = half_life;
    const npy_intp nn = nactors * nactors;
    /* 3. at: given, or the latest time -- provisionally the latest of a sample when
     * the fast loop runs (it tracks later times and rescales), else exactly */
    int size_fast = nactors <= MP_XMAP_MAX_ACTORS && n >= 4 * MP_EV_CHUNK && nn <= n;
    if (auto_at) {
        size_fast = choose_at(&ev, n, size_fast);
    }
    else {
        ev.at = (npy_int64)at;
    }
    /* 4. allocate the decay table and the fast loop's extended maps */
    if (decay_tables(&ev, n, &table, &kday) < 0) {
        goto done;
    }
    if (ev.auto_at && !ev.fast_ok && exact_at(&ev, n, &table, &kday) < 0) {
        /* (the sample's at does not suit the fast loop: the exact at, no provisional one) */
        goto done;
    }
    const int fast = ev.fast_ok && size_fast;
    if (fast && fill_xmaps(&ev, PyArray_ITEMSIZE(code1), &xmap1, &xmap2) < 0) {
        goto done;
    }
    /* 5.-6. release the GIL, loop on threads, translate; once more with the exact at
     * if a time lies far beyond the provisional one */
    int retry = 0;
    npy_int64 latest = ev.at;
    PyObject *counts = NULL;
    do {
        if (retry && exact_at(&ev, n, &table, &kday) < 0) {
            goto done;
        }
        counts = run_events(self, &ev, decay_table[widx][cidx], n, fast && ev.fast_ok,
                            (double *)PyArray_DATA(out), nn,
                            qout != NULL ? (double *)PyArray_DATA(qout) : NULL,
                            used != NULL ? (npy_uint8 *)PyArray_DATA(used) : NULL, func, &retry,
                            &latest);
    } while (retry);
    if (counts != NULL) {
        if (!auto_at) {
            latest = (npy_int64)at;
        }
        result = latest == NPY_MIN_INT64
                     ? Py_BuildValue("(NO)", counts, Py_None)
                     : Py_BuildValue("(NL)", counts, (long long)latest);
    }
    /* 7. clean up */
done:
    PyMem_RawFree(table);
    PyMem_RawFree(kday);
    PyMem_RawFree(xmap1);
    PyMem_RawFree(xmap2);
    PyMem_RawFree(quad_copy);
    PyMem_RawFree((void *)ev.map1);
    PyMem_RawFree((void *)ev.map2);
    return result;
}

PyObject *
multipolar_bin_accumulate(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char func[] = "bin_accumulate";
    static char *kwlist[] = {"out",    "code1", "map1",  "code2", "map2",
                             "weight", "time",  "edges", "used",  NULL};
    PyArrayObject *out = NULL, *code1 = NULL, *map1 = NULL, *code2 = NULL, *map2 = NULL,
                  *weight = NULL, *time = NULL, *edges_arr = NULL; /* borrowed from args */
    PyObject *used_obj = NULL;                                     /* borrowed from args */
    PyArrayObject *used = NULL;                                    /* borrowed from args */
    mp_events_t ev;
    npy_int64 *edges = NULL;
    PyObject *result = NULL;
    int cidx = 0, widx = 0;
    npy_intp n = 0;

    memset(&ev, 0, sizeof(ev));
    /* 1. parse */
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!O!O!O!O!O!O!O:bin_accumulate", kwlist,
                                     &PyArray_Type, &out, &PyArray_Type, &code1, &PyArray_Type,
                                     &map1, &PyArray_Type, &code2, &PyArray_Type, &map2,
                                     &PyArray_Type, &weight, &PyArray_Type, &time, &PyArray_Type,
                                     &edges_arr, &used_obj)) {
        return NULL;
    }
    /* 2. validate */
    if (check_out(out, func, "out", 3) < 0) {
        return NULL;
    }
    const npy_intp nbins = PyArray_DIM(out, 0);
    const npy_intp nactors = PyArray_DIM(out, 1);
    if (PyArray_DIM(out, 2) != nactors) {
        PyErr_Format(PyExc_ValueError, "%s: out must have shape (bins, N, N); got (%zd, %zd, %zd)",
                     func, (Py_ssize_t)nbins, (Py_ssize_t)nactors,
                     (Py_ssize_t)PyArray_DIM(out, 2));
        return NULL;
    }
    if (optional_array(used_obj, func, "used", &used) < 0) {
        return NULL;
    }
    if (check_one_code_dtype(edges_arr, func, "edges", nbins + 1, 3, "int64") < 0) {
        return NULL;
    }
    /* 3. allocate: a contiguous, checked copy of the edges */
    edges = PyMem_RawMalloc((size_t)(nbins + 1) * sizeof(npy_int64));
    if (edges == NULL) {
        return PyErr_NoMemory();
    }
    for (npy_intp k = 0; k <= nbins; k++) {
        edges[k] = *(const npy_int64 *)(PyArray_BYTES(edges_arr) + k * PyArray_STRIDE(edges_arr, 0));
        if (k > 0 && !(edges[k] > edges[k - 1])) {
            PyErr_Format(PyExc_ValueError, "%s: edges must be strictly increasing; got %lld after %lld",
                         func, (long long)edges[k], (long long)edges[k - 1]);
            goto done;
        }
    }
    if (fill_events(&ev, code1, map1, code2, map2, weight, time, used, nactors, func, &cidx, &widx,
                    &n) < 0) {
        goto done;
    }
    ev.edges = edges;
    ev.nbins = nbins;
    /* 4.-6. release the GIL, loop on threads, translate */
    const npy_intp nout = multipolar_mul_size(nbins, multipolar_mul_size(nactors, nactors));
    int retry = 0;
    npy_int64 latest = 0;
    if (nout < 0) {
        PyErr_Format(PyExc_ValueError, "%s: out is too large", func);
        goto done;
    }
    result = run_events(self, &ev, bin_table[widx][cidx], n, 0, (double *)PyArray_DATA(out), nout,
                        NULL, used != NULL ? (npy_uint8 *)PyArray_DATA(used) : NULL, func, &retry,
                        &latest);
    /* 7. clean up */
done:
    PyMem_RawFree(edges);
    PyMem_RawFree((void *)ev.map1);
    PyMem_RawFree((void *)ev.map2);
    return result;
}
