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

#include "relations_events.h"

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
#define MP_DECAY_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(decay_loop, vname),
#define MP_BIN_ROW(vname, ctype, typenum) MULTIPOLAR_CODE_ROW(bin_loop, vname),
static const events_fn decay_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_DECAY_ROW)};
static const events_fn bin_table[][4] = {MULTIPOLAR_VALUE_DTYPES(MP_BIN_ROW)};
#undef MP_DECAY_ROW
#undef MP_BIN_ROW

/* Most entries of the per-day decay table. */
#define MP_EV_TABLE ((npy_intp)1 << 16)

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
        counts = multipolar_run_events(self, &ev, decay_table[widx][cidx], n, fast && ev.fast_ok,
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
    result = multipolar_run_events(self, &ev, bin_table[widx][cidx], n, 0, (double *)PyArray_DATA(out), nout,
                        NULL, used != NULL ? (npy_uint8 *)PyArray_DATA(used) : NULL, func, &retry,
                        &latest);
    /* 7. clean up */
done:
    PyMem_RawFree(edges);
    PyMem_RawFree((void *)ev.map1);
    PyMem_RawFree((void *)ev.map2);
    return result;
}
