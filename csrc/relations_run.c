/*
 * relations_run.c -- the threaded driver of the relations family's event
 * loops (decay_accumulate and bin_accumulate in relations.c): events cut into
 * blocks fixed by the input sizes, each into its own buffers on the module's
 * threads, merged into the outputs in block order.
 */
#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "relations_events.h"
#include "threads.h"

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

/*
 * The number of event blocks for n events when each block's private
 * accumulator holds `cells` doubles and takes `bytes` of scratch in all:
 * n / MP_EV_BLOCK blocks (at least up to MP_EV_MIN_BLOCKS of MP_EV_SMALL_BLOCK
 * events), with at least one event per cell in a block (zeroing, faulting in
 * and merging a private cell costs less than adding an event into a large
 * output: 5M events into 36 x 250^2 bins run faster as two blocks on two
 * threads than as one), at most MP_EV_MAX_BLOCKS blocks and MP_EV_SCRATCH
 * bytes. A function of the sizes alone.
 */
static npy_intp
event_blocks(npy_intp n, npy_intp cells, npy_intp bytes)
{
    npy_intp nblocks = n / MP_EV_BLOCK;
    if (nblocks < MP_EV_MIN_BLOCKS) {
        const npy_intp few = n / MP_EV_SMALL_BLOCK;
        nblocks = few < MP_EV_MIN_BLOCKS ? few : MP_EV_MIN_BLOCKS;
    }
    if (cells > 0 && nblocks > n / cells) {
        nblocks = n / cells;
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
PyObject *
multipolar_run_events(PyObject *module, const mp_events_t *ev, events_fn fn, npy_intp n, int fast, double *out,
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

