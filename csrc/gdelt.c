/*
 * gdelt.c -- entry point of the GDELT reader family, wrapped by
 * multipolar.gdelt (read_gdelt); the line scanner is gdelt_scan.c, the code
 * vocabularies gdelt_vocab.c.
 *
 *   gdelt_parse(buf, start, stop, fmt, strict, actor_vocab, event_vocab,
 *               base_vocab, root_vocab, allowed, line0, segment)
 *       Parses the lines of buf[start:stop] (extended to the end of the line
 *       holding byte stop - 1) and returns the 14 columns listed in gdelt.h.
 *       The format is fixed by the field count: 61 fields is GDELT 2.0, 57 or
 *       58 (with or without SOURCEURL) GDELT 1.0; with fmt 0 the first line
 *       whose count fits decides.
 *
 * Code fields become int16 codes into small vocabularies the caller holds
 * (one for both actors, one each for event, base and root codes): the caller
 * passes the codes known so far, gets the new ones back in order of first
 * appearance, and builds pandas Categoricals without a Python string per row.
 *
 * The lines are cut into segments of about `segment` bytes, a number that
 * depends on the input size alone; the segments are parsed on the thread
 * runtime without the GIL, each into its own rows and new keys, and merged in
 * file order. The merge replays what a serial reader sees: it finds the first
 * code a full vocabulary cannot take and the first malformed line in file
 * order, so rows, codes, categories and errors are the same for any thread
 * count.
 *
 * Errors go through the one status channel (multipolar_raise_status): PARSE
 * or FIELDS for a malformed line, TOO_MANY for a full vocabulary, with row =
 * the line number in the file (line0 for the first line), field = 1 + the
 * GDELT column, and the extra attributes `text` (the field's bytes) and
 * `format`. Strict mode raises the first; lenient mode skips malformed lines
 * and returns the first one's error object; a full vocabulary raises in both.
 */
#include "multipolar.h"

#include <string.h>

#include "gdelt.h"
#include "gdelt_scan.h"
#include "gdelt_vocab.h"
#include "threads.h"

#define NVOCAB MULTIPOLAR_GDELT_NVOCAB

static const char KERNEL[] = "gdelt_parse";

/* The smallest segment a caller may ask for (a few lines). */
#define MP_GDELT_MIN_SEGMENT 4096

/* Everything one call owns (released by call_free) and what it found. */
typedef struct {
    Py_buffer view;
    int have_view;
    const char *buf;
    npy_intp size, start, stop, end, line0, segment;
    int fmt, strict, have_allowed;
    multipolar_vocab_t seed[NVOCAB], merged[NVOCAB], allowed;
    multipolar_gdelt_seg_t *segs;
    npy_intp nseg;
    multipolar_gdelt_scan_t scan; /* segs and the row stores of nworkers workers */
    int nworkers;
    npy_int16 *remap;
    npy_intp nrows, nlines, nskipped, nfiltered;
} call_t;

static void
call_free(call_t *c)
{
    PyMem_RawFree(c->remap);
    for (int w = 0; w < c->nworkers; w++) {
        PyMem_RawFree(multipolar_gdelt_store(&c->scan, w)->rows);
    }
    multipolar_scratch_free(c->scan.stores);
    if (c->segs != NULL) {
        for (npy_intp k = 0; k < c->nseg; k++) {
            multipolar_gdelt_seg_free(&c->segs[k]);
        }
        PyMem_RawFree(c->segs);
    }
    for (int v = 0; v < NVOCAB; v++) {
        multipolar_vocab_free(&c->seed[v]);
        multipolar_vocab_free(&c->merged[v]);
    }
    multipolar_vocab_free(&c->allowed);
    if (c->have_view) {
        PyBuffer_Release(&c->view);
    }
}

/* ---- arguments (GIL held) -------------------------------------------------- */

/* Fill v from a list of str codes (printable ASCII, 1..KEYMAX characters). 0, or -1. */
static int
vocab_from_list(multipolar_vocab_t *v, PyObject *list, const char *arg, int unique)
{
    const Py_ssize_t n = PyList_GET_SIZE(list);
    if (n > MULTIPOLAR_GDELT_VOCABMAX) {
        PyErr_Format(PyExc_ValueError, "%s: %s must have at most %d codes; got %zd", KERNEL, arg,
                     MULTIPOLAR_GDELT_VOCABMAX, n);
        return -1;
    }
    if (multipolar_vocab_init(v, n + 16) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    /* the list may change length while items are converted: index it afresh every time */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list) && i < MULTIPOLAR_GDELT_VOCABMAX; i++) {
        PyObject *item = PyList_GET_ITEM(list, i); /* borrowed from list */
        Py_ssize_t len = 0;
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s: %s items must be str; got %R at position %zd",
                         KERNEL, arg, (PyObject *)Py_TYPE(item), i);
            return -1;
        }
        const char *s = PyUnicode_IS_ASCII(item) ? PyUnicode_AsUTF8AndSize(item, &len) : NULL;
        if (s == NULL || len < 1 || !multipolar_gdelt_code_ok(s, len)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError,
                         "%s: %s items must be 1 to %d printable ASCII characters; got %R",
                         KERNEL, arg, MULTIPOLAR_GDELT_KEYMAX, item);
            return -1;
        }
        const npy_intp before = v->n;
        const npy_intp k = multipolar_vocab_add(v, s, len, multipolar_vocab_hash(s, len),
                                                MULTIPOLAR_GDELT_VOCABMAX, 0, 0);
        if (k == -1) {
            PyErr_NoMemory();
            return -1;
        }
        if (unique && v->n == before) {
            PyErr_Format(PyExc_ValueError, "%s: %s items must be unique; got %R twice", KERNEL,
                         arg, item);
            return -1;
        }
    }
    return 0;
}

/* 1. parse and 2. validate the arguments into c. 0, or -1 with an exception set. */
static int
parse_args(call_t *c, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"buf",        "start",      "stop",      "fmt",
                             "strict",     "actor_vocab", "event_vocab", "base_vocab",
                             "root_vocab", "allowed",    "line0",     "segment",
                             NULL};
    static const char *const vocab_args[NVOCAB] = {"actor_vocab", "event_vocab", "base_vocab",
                                                   "root_vocab"};
    PyObject *buf_obj = NULL, *allowed_obj = NULL; /* borrowed from args */
    PyObject *vlist[NVOCAB];                         /* borrowed from args */
    Py_ssize_t start = 0, stop = 0, line0 = 0, segment = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OnnipO!O!O!O!Onn:gdelt_parse", kwlist,
                                     &buf_obj, &start, &stop, &c->fmt, &c->strict, &PyList_Type,
                                     &vlist[0], &PyList_Type, &vlist[1], &PyList_Type, &vlist[2],
                                     &PyList_Type, &vlist[3], &allowed_obj, &line0, &segment)) {
        return -1;
    }
    if (PyObject_GetBuffer(buf_obj, &c->view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: buf must support the buffer protocol; got %R", KERNEL,
                     (PyObject *)Py_TYPE(buf_obj));
        return -1;
    }
    c->have_view = 1;
    c->buf = (const char *)c->view.buf;
    c->size = (npy_intp)c->view.len;
    if (start < 0 || start > c->size) {
        PyErr_Format(PyExc_ValueError, "%s: start must be in [0, len(buf)] = [0, %zd]; got %zd",
                     KERNEL, (Py_ssize_t)c->size, start);
        return -1;
    }
    if (stop < start || stop > c->size) {
        PyErr_Format(PyExc_ValueError,
                     "%s: stop must be in [start, len(buf)] = [%zd, %zd]; got %zd", KERNEL, start,
                     (Py_ssize_t)c->size, stop);
        return -1;
    }
    if (c->fmt < 0 || c->fmt > 2) {
        PyErr_Format(PyExc_ValueError, "%s: fmt must be 0 (detect), 1 or 2; got %d", KERNEL,
                     c->fmt);
        return -1;
    }
    if (line0 < 1) {
        PyErr_Format(PyExc_ValueError, "%s: line0 must be >= 1; got %zd", KERNEL, line0);
        return -1;
    }
    if (segment < MP_GDELT_MIN_SEGMENT) {
        PyErr_Format(PyExc_ValueError, "%s: segment must be >= %d; got %zd", KERNEL,
                     MP_GDELT_MIN_SEGMENT, segment);
        return -1;
    }
    c->start = start;
    c->stop = stop;
    c->line0 = line0;
    c->segment = segment;
    for (int v = 0; v < NVOCAB; v++) {
        if (vocab_from_list(&c->seed[v], vlist[v], vocab_args[v], 1) < 0) {
            return -1;
        }
    }
    if (allowed_obj != Py_None) {
        if (!PyList_Check(allowed_obj)) {
            PyErr_Format(PyExc_TypeError, "%s: allowed must be None or a list of str; got %R",
                         KERNEL, (PyObject *)Py_TYPE(allowed_obj));
            return -1;
        }
        c->have_allowed = 1;
        if (vocab_from_list(&c->allowed, allowed_obj, "allowed", 0) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- segments ------------------------------------------------------------------ */

/* 3. the end of the lines to parse, and the segments (as many as the size asks for). 0, or -1. */
static int
alloc_segments(call_t *c)
{
    c->end = c->stop;
    if (c->stop > c->start && c->buf[c->stop - 1] != '\n') {
        const char *q = memchr(c->buf + c->stop, '\n', (size_t)(c->size - c->stop));
        c->end = q != NULL ? (q - c->buf) + 1 : c->size;
    }
    const npy_intp len = c->end - c->start;
    c->nseg = len / c->segment + (len % c->segment != 0);
    if (c->nseg < 1) {
        c->nseg = 1;
    }
    c->segs = PyMem_RawCalloc((size_t)c->nseg, sizeof(multipolar_gdelt_seg_t));
    if (c->segs == NULL) {
        c->nseg = 0;
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* One row store per worker of the team, each sized at first use for its share. 0, or -1. */
static int
alloc_stores(call_t *c, const multipolar_team_t *team)
{
    c->scan.segs = c->segs;
    c->scan.stores =
        multipolar_scratch_alloc(team->nthreads, sizeof(multipolar_gdelt_rows_t), &c->scan.stride);
    if (c->scan.stores == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    c->nworkers = team->nthreads;
    for (int w = 0; w < c->nworkers; w++) {
        /* about 300 bytes or more per GDELT line */
        multipolar_gdelt_store(&c->scan, w)->hint = (c->end - c->start) / team->nthreads / 300;
    }
    return 0;
}

/*
 * Cut [start, end) into the segments at line starts: segment k begins after
 * the first newline at or after the k-th of nseg near-equal cuts. Runs without
 * the GIL; boundaries depend on the bytes and sizes only.
 */
static void
split_segments(call_t *c)
{
    npy_intp prev = c->start;
    for (npy_intp k = 0; k < c->nseg; k++) {
        npy_intp b = c->end;
        if (k + 1 < c->nseg) {
            npy_intp lo, hi;
            multipolar_block_range(c->end - c->start, c->nseg, k, &lo, &hi);
            npy_intp pos = c->start + hi;
            if (pos < prev) {
                pos = prev;
            }
            const char *q = memchr(c->buf + pos, '\n', (size_t)(c->end - pos));
            b = q != NULL ? (q - c->buf) + 1 : c->end;
        }
        multipolar_gdelt_seg_t *sg = &c->segs[k];
        sg->begin = c->buf + prev;
        sg->end = c->buf + b;
        sg->fmt = c->fmt;
        sg->strict = c->strict;
        sg->seed = c->seed;
        sg->allowed = c->have_allowed ? &c->allowed : NULL;
        prev = b;
    }
}

/* ---- merge (GIL held; small: keys, not rows) -------------------------------------- */

/* Whether problem a (of segment ka) comes before b (of segment kb) in file order: by segment,
 * line within it, then column (a line's field count, column 0, is checked first). */
static int
earlier(npy_intp ka, const multipolar_gdelt_problem_t *a, npy_intp kb,
        const multipolar_gdelt_problem_t *b)
{
    if (ka != kb) {
        return ka < kb;
    }
    if (a->err.index != b->err.index) {
        return a->err.index < b->err.index;
    }
    return a->err.field < b->err.field;
}

/* The error of a merged vocabulary that cannot take key `key` (first seen in its segment). */
static void
overflow_problem(multipolar_gdelt_problem_t *pb, const multipolar_vkey_t *key)
{
    pb->err = multipolar_error(MULTIPOLAR_ERR_TOO_MANY, "buf", key->line,
                               (double)MULTIPOLAR_GDELT_VOCABMAX + 1.0);
    pb->err.field = key->column + 1;
    pb->err.limit = MULTIPOLAR_GDELT_VOCABMAX;
    pb->textlen = key->len;
    pb->cut = 0;
    memcpy(pb->text, key->key, key->len);
}

/* Start each merged vocabulary with the caller's seed codes, in their order. 0, or -1. */
static int
merged_from_seed(call_t *c)
{
    for (int v = 0; v < NVOCAB; v++) {
        if (multipolar_vocab_init(&c->merged[v], c->seed[v].n + 64) < 0) {
            return -1;
        }
        for (npy_intp j = 0; j < c->seed[v].n; j++) {
            const multipolar_vkey_t *key = &c->seed[v].keys[j];
            if (multipolar_vocab_add(&c->merged[v], key->key, key->len,
                                     multipolar_vocab_hash(key->key, key->len),
                                     MULTIPOLAR_GDELT_VOCABMAX, 0, 0) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/*
 * Merge the segments' new keys into c->merged (the seed first) in file order
 * and map each to its merged code (c->remap). A key the merged vocabulary
 * cannot take is where a serial reader would have stopped: the first such key
 * of each vocabulary becomes a candidate in *pb / *pk (earliest kept). 0, or -1
 * (no memory, exception set).
 */
static int
merge_vocabs(call_t *c, multipolar_gdelt_problem_t *pb, npy_intp *pk)
{
    int full[NVOCAB] = {0};
    npy_intp nremap = 0;
    for (npy_intp k = 0; k < c->nseg; k++) {
        for (int v = 0; v < NVOCAB; v++) {
            nremap += c->segs[k].voc[v].n;
        }
    }
    c->remap = PyMem_RawMalloc((size_t)(nremap + 1) * sizeof(npy_int16));
    if (c->remap == NULL || merged_from_seed(c) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    npy_int16 *r = c->remap;
    for (npy_intp k = 0; k < c->nseg; k++) {
        multipolar_gdelt_seg_t *sg = &c->segs[k];
        for (int v = 0; v < NVOCAB; v++) {
            sg->remap[v] = r;
            for (npy_intp j = 0; j < sg->voc[v].n; j++) {
                const multipolar_vkey_t *key = &sg->voc[v].keys[j];
                const npy_intp idx =
                    full[v] ? -2
                            : multipolar_vocab_add(&c->merged[v], key->key, key->len,
                                                   multipolar_vocab_hash(key->key, key->len),
                                                   MULTIPOLAR_GDELT_VOCABMAX, 0, 0);
                if (idx == -1) {
                    PyErr_NoMemory();
                    return -1;
                }
                if (idx == -2 && !full[v]) {
                    multipolar_gdelt_problem_t cand;
                    full[v] = 1;
                    overflow_problem(&cand, key);
                    if (*pk < 0 || earlier(k, &cand, *pk, pb)) {
                        *pb = cand;
                        *pk = k;
                    }
                }
                *r++ = (npy_int16)(idx < 0 ? -1 : idx);
            }
        }
    }
    return 0;
}

/*
 * Totals over the segments in file order, and each segment's first output
 * row. 0, or -1 (MemoryError) if a segment ran out of memory.
 */
static int
count_segments(call_t *c)
{
    for (npy_intp k = 0; k < c->nseg; k++) {
        multipolar_gdelt_seg_t *sg = &c->segs[k];
        if (sg->stop.err.status == MULTIPOLAR_ERR_NOMEM) {
            PyErr_NoMemory();
            return -1;
        }
        sg->out0 = c->nrows;
        c->nrows += sg->nrows;
        c->nlines += sg->nlines;
        c->nskipped += sg->nskipped;
        c->nfiltered += sg->nfiltered;
    }
    return 0;
}

/* The problem that stops the call, earliest in file order: a segment's stop
 * record or the merge's candidate (segment *pk). NULL if there is none. */
static const multipolar_gdelt_problem_t *
first_stop(const call_t *c, const multipolar_gdelt_problem_t *cand, npy_intp *pk)
{
    const multipolar_gdelt_problem_t *best = *pk >= 0 ? cand : NULL;
    for (npy_intp k = 0; k < c->nseg; k++) {
        const multipolar_gdelt_problem_t *pb = &c->segs[k].stop;
        if (pb->err.status != MULTIPOLAR_OK && (best == NULL || earlier(k, pb, *pk, best))) {
            best = pb;
            *pk = k;
        }
    }
    return best;
}

/* ---- errors and results (GIL held) ----------------------------------------------- */

/* The exception just raised, taken out of the error indicator (a new reference). */
static PyObject *
take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/*
 * The structured ValueError of problem pb of segment k, made by
 * multipolar_raise_status with row = the line number in the file, plus the
 * attributes `text` (bytes: the field, cut to TEXTMAX bytes and "..." if
 * longer; empty for a field count) and `format` (the file's, 0 if unknown).
 * Returns a new reference with no exception set, or NULL with one set.
 */
static PyObject *
problem_error(const call_t *c, const multipolar_gdelt_problem_t *pb, npy_intp k)
{
    multipolar_error_t err = pb->err;
    err.index = c->line0 + pb->err.index;
    for (npy_intp i = 0; i < k; i++) {
        err.index += c->segs[i].nlines;
    }
    if (multipolar_raise_status(&err, KERNEL) == 0 || !PyErr_ExceptionMatches(PyExc_ValueError)) {
        return NULL;
    }
    PyObject *exc = take_exception();
    if (exc == NULL) {
        return NULL;
    }
    PyObject *text = PyBytes_FromStringAndSize(NULL, pb->textlen + (pb->cut ? 3 : 0));
    if (text != NULL) {
        memcpy(PyBytes_AS_STRING(text), pb->text, (size_t)pb->textlen);
        if (pb->cut) {
            memcpy(PyBytes_AS_STRING(text) + pb->textlen, "...", 3);
        }
    }
    if (multipolar_set_attr(exc, "text", text) < 0 ||
        multipolar_set_attr(exc, "format", PyLong_FromLong(c->fmt)) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    return exc;
}

/* Output columns of the rows, written by segment without the GIL. */
typedef struct {
    const call_t *c;
    npy_int64 *id, *date;
    npy_int16 *code[MULTIPOLAR_GDELT_NCODE];
    npy_int8 *quad;
    double *gold, *tone;
    npy_int32 *ment, *src, *art;
    npy_bool *isroot;
} columns_t;

/*
 * Contract: copy the rows of segment `task` to the output columns from its
 * first output row, mapping its new codes to merged codes (seed codes stay).
 * Segments write disjoint rows; no GIL, any worker.
 */
static void
scatter_segment(void *arg, npy_intp task, int worker)
{
    const columns_t *o = (const columns_t *)arg;
    const multipolar_gdelt_seg_t *sg = &o->c->segs[task];
    npy_intp ns[MULTIPOLAR_GDELT_NCODE];
    const npy_int16 *rm[MULTIPOLAR_GDELT_NCODE];
    for (int j = 0; j < MULTIPOLAR_GDELT_NCODE; j++) {
        const int v = multipolar_gdelt_code_vocab[j];
        ns[j] = o->c->seed[v].n;
        rm[j] = sg->remap[v];
    }
    const multipolar_gdelt_row_t *rows = multipolar_gdelt_store(&o->c->scan, sg->worker)->rows;
    for (npy_intp i = 0, out = sg->out0; i < sg->nrows; i++, out++) {
        const multipolar_gdelt_row_t *r = &rows[sg->row0 + i];
        o->id[out] = r->id;
        o->date[out] = r->date;
        for (int j = 0; j < MULTIPOLAR_GDELT_NCODE; j++) {
            const npy_int16 v = r->code[j];
            o->code[j][out] = v < ns[j] ? v : rm[j][v - ns[j]];
        }
        o->quad[out] = r->quad;
        o->gold[out] = r->gold;
        o->ment[out] = r->ment;
        o->src[out] = r->src;
        o->art[out] = r->art;
        o->tone[out] = r->tone;
        o->isroot[out] = r->isroot;
    }
}

/* The 14 output columns (gdelt.h), filled on the team. A new tuple, or NULL. */
static PyObject *
build_columns(const call_t *c, const multipolar_team_t *team)
{
    static const int col_type[MULTIPOLAR_GDELT_NCOL] = {
        NPY_INT64, NPY_INT64, NPY_INT16,   NPY_INT16, NPY_INT16, NPY_INT16,   NPY_INT16,
        NPY_INT8,  NPY_FLOAT64, NPY_INT32, NPY_INT32, NPY_INT32, NPY_FLOAT64, NPY_BOOL};
    void *data[MULTIPOLAR_GDELT_NCOL];
    npy_intp n = c->nrows;
    NPY_BEGIN_THREADS_DEF;
    PyObject *tuple = PyTuple_New(MULTIPOLAR_GDELT_NCOL);
    if (tuple == NULL) {
        return NULL;
    }
    for (int j = 0; j < MULTIPOLAR_GDELT_NCOL; j++) {
        PyObject *arr = PyArray_EMPTY(1, &n, col_type[j], 0);
        if (arr == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, j, arr); /* steals */
        data[j] = PyArray_DATA((PyArrayObject *)arr);
    }
    columns_t o = {c, data[0], data[1], {data[2], data[3], data[4], data[5], data[6]},
                   data[7], data[8], data[12], data[9], data[10], data[11], data[13]};
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    multipolar_parallel_for(team, c->nseg, MULTIPOLAR_DYNAMIC, scatter_segment, &o);
    NPY_END_THREADS;
    return tuple;
}

/* The codes each merged vocabulary gained, as 4 lists of str. A new tuple, or NULL. */
static PyObject *
new_codes(const call_t *c)
{
    PyObject *tuple = PyTuple_New(NVOCAB);
    if (tuple == NULL) {
        return NULL;
    }
    for (int v = 0; v < NVOCAB; v++) {
        const multipolar_vocab_t *m = &c->merged[v];
        PyObject *list = PyList_New(m->n - c->seed[v].n);
        if (list == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, v, list); /* steals */
        for (npy_intp j = c->seed[v].n; j < m->n; j++) {
            PyObject *s = PyUnicode_FromStringAndSize(m->keys[j].key, m->keys[j].len);
            if (s == NULL) {
                Py_DECREF(tuple);
                return NULL;
            }
            PyList_SET_ITEM(list, j - c->seed[v].n, s); /* steals */
        }
    }
    return tuple;
}

/* ---- entry point ------------------------------------------------------------------ */

PyObject *
multipolar_gdelt_parse(PyObject *self, PyObject *args, PyObject *kwds)
{
    call_t c;
    multipolar_team_t team;
    multipolar_gdelt_problem_t cand;
    npy_intp k = -1;
    PyObject *cols = NULL, *vocabs = NULL, *problem = NULL, *result = NULL;
    NPY_BEGIN_THREADS_DEF;
    memset(&c, 0, sizeof(c));

    /* 1. parse, 2. validate */
    if (parse_args(&c, args, kwds) < 0) {
        goto done;
    }
    /* 3. allocate the segments (their number from the size alone) and the team */
    if (alloc_segments(&c) < 0) {
        goto done;
    }
    team = multipolar_team(self, c.nseg);
    if (alloc_stores(&c, &team) < 0) {
        goto done;
    }
    /* 4. release the GIL; 5. detect the format, cut at line starts, scan on the team */
    NPY_BEGIN_THREADS_THRESHOLDED(c.end - c.start);
    if (c.fmt == 0) {
        c.fmt = multipolar_gdelt_detect(c.buf + c.start, c.buf + c.end);
    }
    split_segments(&c);
    multipolar_parallel_for(&team, c.nseg, MULTIPOLAR_DYNAMIC, multipolar_gdelt_scan_segment,
                            &c.scan);
    NPY_END_THREADS;

    /* 6. translate: out of memory, then the first stop in file order, then the results */
    if (count_segments(&c) < 0 || merge_vocabs(&c, &cand, &k) < 0) {
        goto done;
    }
    const multipolar_gdelt_problem_t *stop = first_stop(&c, &cand, &k);
    if (stop != NULL) {
        problem = problem_error(&c, stop, k);
        if (problem != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(problem), problem);
        }
        goto done;
    }
    for (k = 0; k < c.nseg && problem == NULL; k++) {
        if (c.segs[k].first.err.status != MULTIPOLAR_OK) {
            problem = problem_error(&c, &c.segs[k].first, k);
            if (problem == NULL) {
                goto done;
            }
        }
    }
    cols = build_columns(&c, &team);
    vocabs = cols != NULL ? new_codes(&c) : NULL;
    if (vocabs != NULL) {
        result = Py_BuildValue("(OnnnniOO)", cols, (Py_ssize_t)c.end, (Py_ssize_t)c.nlines,
                               (Py_ssize_t)c.nskipped, (Py_ssize_t)c.nfiltered, c.fmt, vocabs,
                               problem != NULL ? problem : Py_None);
    }
    /* 7. clean up (also on success: result holds its own references) */
done:
    Py_XDECREF(cols);
    Py_XDECREF(vocabs);
    Py_XDECREF(problem);
    call_free(&c);
    return result;
}
