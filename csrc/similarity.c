/*
 * similarity.c -- the similarity family's driver: foreign-policy similarity of
 * every pair of portfolios in every year, wrapped by multipolar.similarity
 * (similarity, similarity_matrix, s_score, kappa, scott_pi, tau_b). The
 * measures themselves are in similarity_measures.c.
 *
 *   similarity_years(year_ptr, nitems, row_key, year_key, entry_row,
 *                    entry_item, entry_level, levels, implicit, weights,
 *                    measures, drop_empty)
 *       Rows are portfolios (a state in a year), grouped by year; the items
 *       of a year are what the portfolios code (the year's states for
 *       alliances, its roll calls for UN votes). The input lists, sparsely,
 *       the level of each (row, item). For every unordered pair of rows of
 *       a year the c x c co-occurrence table of their levels is built, every
 *       requested measure is computed from it, and the result is written to
 *       both directed output rows. Years are the tasks of the thread runtime
 *       (dynamic schedule, largest years first); each year owns its output
 *       rows and shares no accumulator, so the result does not depend on the
 *       number of threads.
 *
 * Alliance portfolios are sparse: the most common level (0, "no alliance") is
 * implicit, each row's bit sets are only scanned over the span of 64-item
 * words where it has non-zero codes, and the cells involving level 0 follow
 * from the row counts. UN-vote portfolios are dense but short; there an item
 * without a level is missing and the table counts common items only.
 */
#include "multipolar.h"

#include <stdlib.h>
#include <string.h>

#include "similarity.h"
#include "similarity_measures.h"
#include "threads.h"

/* Doubles of pair results a worker keeps per block of rows (16 MiB). */
#define SIM_SCRATCH_DOUBLES ((npy_intp)1 << 21)

/* ---- loop instantiations ------------------------------------------------- */
#define MP_LOOPS_HEADER "similarity_loops.h"
#include "each_code_dtype.h"
#undef MP_LOOPS_HEADER

/* ---- dispatch table: [code dtype], in the order of multipolar.h's list ---- */
typedef void (*read_entries_fn)(const char *, npy_intp, const char *, npy_intp, const char *,
                                npy_intp, npy_intp, npy_intp, int, const npy_intp *,
                                const npy_intp *, npy_intp *, npy_intp *, npy_int64 *,
                                multipolar_error_t *);
#define MP_READ_ITEM(cname, ctype, typenum) read_entries_##cname,
static const read_entries_fn read_entries_table[] = {MULTIPOLAR_CODE_DTYPES(MP_READ_ITEM)};
#undef MP_READ_ITEM

/* ---- the state of one call ------------------------------------------------ */

/* The arguments, as parsed (all borrowed from the call's args and kwargs). */
typedef struct {
    PyArrayObject *year_ptr, *nitems, *row_key, *year_key;
    PyArrayObject *erow, *eitem, *elev, *levels, *measures;
    PyObject *weights_obj;
    PyArrayObject *weights; /* weights_obj when it is an array, else NULL */
    int implicit, drop_empty;
    int cidx; /* code dtype position of the entry arrays */
    npy_intp nyears, nrows, nentries, nmeasures;
} sim_args_t;

/* Everything the GIL-free stages read or write; owned arrays are raw-allocated. */
typedef struct {
    npy_intp nyears, nrows, nentries;
    npy_intp *year_ptr;  /* [nyears + 1] first row of each year (copied) */
    npy_intp *nitems;    /* [nyears] items of each year (copied) */
    npy_intp *item_ptr;  /* [nyears + 1] first weight of each year */
    npy_intp *out_ptr;   /* [nyears + 1] first output row of each year */
    npy_int64 *year_key; /* [nyears] year label (copied) */
    npy_intp *row_year;  /* [nrows] year position of each row */
    npy_intp *order;     /* [nyears] years, largest first: the task order */
    npy_intp max_rows, max_words, total_items, nout;
    const char *row_key; /* ccode of each row (int64, any stride; read once per output) */
    npy_intp row_key_stride;
    /* the entries, checked and copied once, then as CSR rows of sorted keys */
    npy_intp *erow;      /* [nentries] row of each entry */
    npy_int64 *ekey;     /* [nentries] item * LEVEL_SLOTS + level */
    npy_intp *row_start; /* [nrows + 1] */
    npy_intp *next;      /* [nrows] scatter cursor */
    npy_int64 *keys;     /* [nentries] sorted per row */
    multipolar_sim_levels_t lev;
    int implicit;
    double *weights; /* [total_items] copied, or NULL */
    double *wtotal;  /* [nyears] sum of the year's weights, or NULL */
    npy_intp nmeasures;
    int *measure; /* [nmeasures] measure ids (copied) */
    int need_table, need_weighted;
    multipolar_sim_cooccur_fn cooccur;
    npy_int64 *o_c1, *o_c2, *o_year, *o_n;
    double *o_val; /* [nmeasures][nout] */
    /* per-worker scratch: one slot per worker, each bits | cnt | first | last | sym */
    void *scratch;
    size_t scratch_stride;
    npy_intp bits_len, cnt_len, sym_len;
} sim_ctx_t;

/* One worker's views into its scratch slot. */
typedef struct {
    npy_uint64 *bits; /* [N][W][L] bit sets of the explicit levels */
    npy_int64 *cnt;   /* [N][nlevels] entries per level */
    npy_intp *first;  /* [N] first word with a set bit, or W */
    npy_intp *last;   /* [N] last word with a set bit, or -1 */
    double *sym;      /* block of pair results, see similarity_year */
} sim_worker_t;

/* What one year's pairs share (set by similarity_year). */
typedef struct {
    npy_intp r0, N, K, W;
    int off, L;
    const double *w;
    double total;
} sim_year_t;

static void
ctx_free(sim_ctx_t *ctx)
{
    void *owned[] = {ctx->year_ptr, ctx->nitems,  ctx->item_ptr, ctx->out_ptr, ctx->year_key,
                     ctx->row_year, ctx->order,   ctx->erow,     ctx->ekey,    ctx->row_start,
                     ctx->next,     ctx->keys,    ctx->weights,  ctx->wtotal,  ctx->measure};
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        PyMem_RawFree(owned[i]);
    }
    multipolar_scratch_free(ctx->scratch);
}

/* ---- small helpers ---------------------------------------------------------- */

/* Ascending in-place sort of packed keys: insertion sort for short rows, qsort
 * otherwise. Runs without the GIL. */
static int
cmp_int64(const void *a, const void *b)
{
    const npy_int64 x = *(const npy_int64 *)a, y = *(const npy_int64 *)b;
    return (x > y) - (x < y);
}

static void
sort_keys(npy_int64 *a, npy_intp n)
{
    if (n > 32) {
        qsort(a, (size_t)n, sizeof(npy_int64), cmp_int64);
        return;
    }
    for (npy_intp i = 1; i < n; i++) {
        const npy_int64 v = a[i];
        npy_intp j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

typedef struct {
    npy_intp cost;
    npy_intp year;
} sim_order_t;

/* Larger years first; ties by position, so the task order is fixed. */
static int
cmp_order(const void *a, const void *b)
{
    const sim_order_t *x = (const sim_order_t *)a, *y = (const sim_order_t *)b;
    if (x->cost != y->cost) {
        return x->cost > y->cost ? -1 : 1;
    }
    return (x->year > y->year) - (x->year < y->year);
}

/* Rows of a year handled per block, so a block's results fit the scratch. */
static npy_intp
block_rows(npy_intp N, npy_intp nvals)
{
    const npy_intp per_row = multipolar_mul_size(N, nvals);
    if (per_row <= 0) {
        return N > 0 ? N : 1;
    }
    npy_intp b = SIM_SCRATCH_DOUBLES / per_row;
    if (b < 1) {
        b = 1;
    }
    return b < N ? b : N;
}

/* ---- one pair, one year ------------------------------------------------------ */

/*
 * The measures of one pair of rows (i, j) of a year, i != j.
 * out: vals[m * stride] for each measure m, then vals[nmeasures * stride] = n
 * Runs without the GIL.
 */
static void
pair_values(const sim_ctx_t *ctx, const sim_worker_t *wk, const sim_year_t *yr, npy_intp i,
            npy_intp j, double *vals, npy_intp stride)
{
    const int c = ctx->lev.nlevels, off = yr->off, L = yr->L;
    npy_int64 T[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];
    double res[MULTIPOLAR_SIM_NMEASURES];
    double wsum[3] = {0.0, 0.0, 0.0};
    npy_int64 n = yr->K;

    memset(T, 0, (size_t)(c * c) * sizeof(npy_int64));
    if (ctx->need_table) {
        const npy_int64 *cnt = wk->cnt;
        const npy_intp lo = wk->first[i] > wk->first[j] ? wk->first[i] : wk->first[j];
        const npy_intp hi = wk->last[i] < wk->last[j] ? wk->last[i] : wk->last[j];
        ctx->cooccur(wk->bits + i * yr->W * L, wk->bits + j * yr->W * L, lo, hi, L, off, c, T);
        if (off) {
            /* level 0 is implicit: its cells follow from the row counts */
            npy_int64 rest = 0;
            for (int a = 1; a < c; a++) {
                npy_int64 row = 0, col = 0;
                for (int b = 1; b < c; b++) {
                    row += T[a * c + b];
                    col += T[b * c + a];
                }
                T[a * c] = cnt[i * c + a] - row;
                T[a] = cnt[j * c + a] - col;
                rest += row + T[a * c] + T[a];
            }
            T[0] = yr->K - rest;
        }
        else {
            n = 0;
            for (int a = 0; a < c * c; a++) {
                n += T[a];
            }
        }
    }
    if (ctx->need_weighted) {
        const npy_intp si = ctx->row_start[yr->r0 + i], sj = ctx->row_start[yr->r0 + j];
        const npy_int64 common = multipolar_sim_weighted_sums(
            ctx->keys + si, ctx->row_start[yr->r0 + i + 1] - si, ctx->keys + sj,
            ctx->row_start[yr->r0 + j + 1] - sj, yr->w, ctx->lev.lv, ctx->implicit, yr->total,
            wsum);
        if (!ctx->need_table && !ctx->implicit) {
            n = common;
        }
    }
    for (npy_intp m0 = 0; m0 < ctx->nmeasures; m0 += MULTIPOLAR_SIM_NMEASURES) {
        npy_intp mcount = ctx->nmeasures - m0;
        if (mcount > MULTIPOLAR_SIM_NMEASURES) {
            mcount = MULTIPOLAR_SIM_NMEASURES;
        }
        multipolar_sim_measures_of_table(&ctx->lev, T, ctx->measure + m0, mcount, wsum, res);
        for (npy_intp m = 0; m < mcount; m++) {
            vals[(m0 + m) * stride] = res[m];
        }
    }
    vals[ctx->nmeasures * stride] = (double)n;
}

/*
 * Bit sets and level counts of every row of a year, from the CSR keys (our
 * checked copy: every item < K and level < nlevels). Runs without the GIL.
 */
static void
year_bitsets(const sim_ctx_t *ctx, sim_worker_t *wk, const sim_year_t *yr)
{
    const npy_intp N = yr->N, W = yr->W;
    const int c = ctx->lev.nlevels, off = yr->off, L = yr->L;
    memset(wk->bits, 0, (size_t)(N * W * L) * sizeof(npy_uint64));
    memset(wk->cnt, 0, (size_t)(N * c) * sizeof(npy_int64));
    for (npy_intp i = 0; i < N; i++) {
        npy_intp first = W, last = -1;
        for (npy_intp e = ctx->row_start[yr->r0 + i]; e < ctx->row_start[yr->r0 + i + 1]; e++) {
            const npy_int64 k = ctx->keys[e] >> MULTIPOLAR_SIM_LEVEL_SHIFT;
            const int l = (int)(ctx->keys[e] & (MULTIPOLAR_SIM_LEVEL_SLOTS - 1));
            wk->cnt[i * c + l] += 1;
            if (l < off) {
                continue;
            }
            const npy_intp word = (npy_intp)(k >> 6);
            wk->bits[(i * W + word) * L + (l - off)] |= (npy_uint64)1 << (k & 63);
            first = word < first ? word : first;
            last = word > last ? word : last;
        }
        wk->first[i] = first;
        wk->last[i] = last;
    }
}

/* Output rows i0..i1 of a year from the block of results. Runs without the GIL. */
static void
write_block(const sim_ctx_t *ctx, const sim_year_t *yr, npy_intp y, npy_intp i0, npy_intp i1,
            const double *sym, npy_intp plane)
{
    const npy_intp N = yr->N, M = ctx->nmeasures, base = ctx->out_ptr[y];
    const npy_int64 year = ctx->year_key[y];
    for (npy_intp i = i0; i < i1; i++) {
        const npy_intp p = base + i * (N - 1);
        const double *row = sym + (i - i0) * N;
        const npy_int64 ci =
            *(const npy_int64 *)(ctx->row_key + (yr->r0 + i) * ctx->row_key_stride);
        for (npy_intp j = 0, q = p; j < N; j++) {
            if (j == i) {
                continue;
            }
            ctx->o_c1[q] = ci;
            ctx->o_c2[q] =
                *(const npy_int64 *)(ctx->row_key + (yr->r0 + j) * ctx->row_key_stride);
            ctx->o_year[q] = year;
            ctx->o_n[q] = (npy_int64)row[M * plane + j];
            q++;
        }
        for (npy_intp m = 0; m < M; m++) {
            double *dst = ctx->o_val + m * ctx->nout + p;
            const double *src = row + m * plane;
            memcpy(dst, src, (size_t)i * sizeof(double));
            memcpy(dst + i, src + i + 1, (size_t)(N - 1 - i) * sizeof(double));
        }
    }
}

/*
 * All pairs of one year.
 * in:  the call's shared state (read-only), the year's position y
 * out: the year's N (N - 1) output rows, written in order; nothing else is
 *      written, so years may run concurrently, on any worker
 * scratch: the worker's bit sets and counts, and a block of results: rows
 *      i0..i1 of the year against every row, measure-major. A pair inside
 *      the block or after it is computed once and stored for both rows; a
 *      pair with a row of an earlier block is computed again (only when a
 *      year has more rows than fit one block).
 * Runs without the GIL; cannot fail (input checked beforehand).
 */
static void
similarity_year(const sim_ctx_t *ctx, sim_worker_t *wk, npy_intp y)
{
    sim_year_t yr;
    const npy_intp M = ctx->nmeasures;
    yr.r0 = ctx->year_ptr[y];
    yr.N = ctx->year_ptr[y + 1] - yr.r0;
    yr.K = ctx->nitems[y];
    yr.W = (yr.K + 63) / 64;
    yr.off = ctx->implicit ? 1 : 0;
    yr.L = ctx->lev.nlevels - yr.off;
    yr.w = ctx->weights != NULL ? ctx->weights + ctx->item_ptr[y] : NULL;
    yr.total = ctx->wtotal != NULL ? ctx->wtotal[y] : 0.0;
    const npy_intp N = yr.N;
    if (N < 2) {
        return;
    }
    if (ctx->need_table) {
        year_bitsets(ctx, wk, &yr);
    }
    const npy_intp B = block_rows(N, M + 1);
    const npy_intp plane = B * N; /* one measure's block of results */
    double *sym = wk->sym;
    for (npy_intp i0 = 0; i0 < N; i0 += B) {
        const npy_intp i1 = i0 + B < N ? i0 + B : N;
        for (npy_intp i = i0; i < i1; i++) {
            double *row = sym + (i - i0) * N;
            for (npy_intp j = 0; j < i0; j++) {
                pair_values(ctx, wk, &yr, i, j, row + j, plane);
            }
            for (npy_intp j = i + 1; j < N; j++) {
                pair_values(ctx, wk, &yr, i, j, row + j, plane);
                if (j < i1) {
                    double *mirror = sym + (j - i0) * N + i;
                    for (npy_intp m = 0; m <= M; m++) {
                        mirror[m * plane] = row[m * plane + j];
                    }
                }
            }
        }
        write_block(ctx, &yr, y, i0, i1, sym, plane);
    }
}

/* Task t of the thread runtime: year order[t] on the worker's scratch slot. */
static void
year_task(void *arg, npy_intp t, int worker)
{
    const sim_ctx_t *ctx = (const sim_ctx_t *)arg;
    char *slot = multipolar_scratch_slot(ctx->scratch, ctx->scratch_stride, worker);
    sim_worker_t wk;
    wk.bits = (npy_uint64 *)slot;
    wk.cnt = (npy_int64 *)(wk.bits + ctx->bits_len);
    wk.first = (npy_intp *)(wk.cnt + ctx->cnt_len);
    wk.last = wk.first + ctx->max_rows;
    wk.sym = (double *)(wk.last + ctx->max_rows);
    similarity_year(ctx, &wk, ctx->order[t]);
}

/* ---- entries and weights (serial, before the years) -------------------------- */

/*
 * The first repeated item in the sorted row r: a DUPLICATE on entry_item whose
 * row is the later of the two entry positions (found in the checked copy, in
 * entry order) and whose value is the item. Returns 1 if one was found.
 */
static int
find_duplicate(const sim_ctx_t *ctx, npy_intp r, multipolar_error_t *err)
{
    const npy_int64 *seg = ctx->keys + ctx->row_start[r];
    const npy_intp len = ctx->row_start[r + 1] - ctx->row_start[r];
    for (npy_intp e = 1; e < len; e++) {
        const npy_int64 item = seg[e] >> MULTIPOLAR_SIM_LEVEL_SHIFT;
        if (item != seg[e - 1] >> MULTIPOLAR_SIM_LEVEL_SHIFT) {
            continue;
        }
        npy_intp seen = 0, at = 0;
        for (npy_intp x = 0; x < ctx->nentries && seen < 2; x++) {
            if (ctx->erow[x] == r && (ctx->ekey[x] >> MULTIPOLAR_SIM_LEVEL_SHIFT) == item) {
                seen++;
                at = x;
            }
        }
        *err = multipolar_error(MULTIPOLAR_ERR_DUPLICATE, "entry_item", at, (double)item);
        return 1;
    }
    return 0;
}

/*
 * Check and copy the entries once, then build the CSR rows of sorted keys.
 * out: ctx->row_start, ctx->keys; a CODE_RANGE or DUPLICATE in *err.
 * Runs without the GIL.
 */
static void
build_rows(sim_ctx_t *ctx, const sim_args_t *a, multipolar_error_t *err)
{
    const npy_intp nrows = ctx->nrows;
    read_entries_table[a->cidx](PyArray_BYTES(a->erow), PyArray_STRIDE(a->erow, 0),
                                PyArray_BYTES(a->eitem), PyArray_STRIDE(a->eitem, 0),
                                PyArray_BYTES(a->elev), PyArray_STRIDE(a->elev, 0), ctx->nentries,
                                nrows, ctx->lev.nlevels, ctx->row_year, ctx->nitems,
                                ctx->row_start, ctx->erow, ctx->ekey, err);
    if (err->status != MULTIPOLAR_OK) {
        return;
    }
    for (npy_intp r = 0; r < nrows; r++) {
        ctx->row_start[r + 1] += ctx->row_start[r];
        ctx->next[r] = ctx->row_start[r];
    }
    /* rows come from the checked copy, and the counts are exact: no overflow */
    for (npy_intp e = 0; e < ctx->nentries; e++) {
        ctx->keys[ctx->next[ctx->erow[e]]++] = ctx->ekey[e];
    }
    for (npy_intp r = 0; r < nrows; r++) {
        sort_keys(ctx->keys + ctx->row_start[r], ctx->row_start[r + 1] - ctx->row_start[r]);
        if (find_duplicate(ctx, r, err)) {
            return;
        }
    }
}

/* Copy the weights once and total them per year; INVALID for a negative,
 * infinite or NaN weight. Runs without the GIL. */
static void
copy_weights(sim_ctx_t *ctx, PyArrayObject *weights, multipolar_error_t *err)
{
    const char *wdata = PyArray_BYTES(weights);
    const npy_intp wstride = PyArray_STRIDE(weights, 0);
    for (npy_intp y = 0; y < ctx->nyears; y++) {
        double total = 0.0;
        for (npy_intp k = ctx->item_ptr[y]; k < ctx->item_ptr[y + 1]; k++) {
            const double v = *(const double *)(wdata + k * wstride);
            if (!(v >= 0.0) || npy_isinf(v)) {
                *err = multipolar_error(MULTIPOLAR_ERR_INVALID, "weights", k, v);
                return;
            }
            ctx->weights[k] = v;
            total += v;
        }
        ctx->wtotal[y] = total;
    }
}

/* Keep the output rows with at least one common item, in order; returns their
 * number. Runs without the GIL. */
static npy_intp
drop_empty_rows(sim_ctx_t *ctx)
{
    npy_intp k = 0;
    for (npy_intp p = 0; p < ctx->nout; p++) {
        if (ctx->o_n[p] == 0) {
            continue;
        }
        if (k != p) {
            ctx->o_c1[k] = ctx->o_c1[p];
            ctx->o_c2[k] = ctx->o_c2[p];
            ctx->o_year[k] = ctx->o_year[p];
            ctx->o_n[k] = ctx->o_n[p];
            for (npy_intp m = 0; m < ctx->nmeasures; m++) {
                ctx->o_val[m * ctx->nout + k] = ctx->o_val[m * ctx->nout + p];
            }
        }
        k++;
    }
    return k;
}

/* ---- parse and validate (GIL held) --------------------------------------------- */

static int
parse_args(PyObject *args, PyObject *kwargs, sim_args_t *a)
{
    static char *kwlist[] = {"year_ptr", "nitems",      "row_key", "year_key",
                             "entry_row", "entry_item", "entry_level", "levels",
                             "implicit", "weights",     "measures", "drop_empty", NULL};
    memset(a, 0, sizeof(*a));
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!O!O!O!O!O!O!pOO!p:similarity_years",
                                     kwlist, &PyArray_Type, &a->year_ptr, &PyArray_Type,
                                     &a->nitems, &PyArray_Type, &a->row_key, &PyArray_Type,
                                     &a->year_key, &PyArray_Type, &a->erow, &PyArray_Type,
                                     &a->eitem, &PyArray_Type, &a->elev, &PyArray_Type,
                                     &a->levels, &a->implicit, &a->weights_obj, &PyArray_Type,
                                     &a->measures, &a->drop_empty)) {
        return -1;
    }
    if (a->weights_obj != Py_None) {
        if (!PyArray_Check(a->weights_obj)) {
            PyErr_Format(PyExc_TypeError,
                         "similarity_years: weights must be None or an ndarray; got %R",
                         (PyObject *)Py_TYPE(a->weights_obj));
            return -1;
        }
        a->weights = (PyArrayObject *)a->weights_obj;
    }
    return 0;
}

/* dtype, layout and shape of every array argument. */
static int
check_arrays(sim_args_t *a)
{
    static const char func[] = "similarity_years";
    if (multipolar_check_typed_1d(a->year_ptr, func, "year_ptr", NPY_INT64, "int64", -1) < 0) {
        return -1;
    }
    if (PyArray_DIM(a->year_ptr, 0) < 1) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must have at least one element; got 0",
                     func);
        return -1;
    }
    a->nyears = PyArray_DIM(a->year_ptr, 0) - 1;
    if (multipolar_check_typed_1d(a->nitems, func, "nitems", NPY_INT64, "int64", a->nyears) < 0 ||
        multipolar_check_typed_1d(a->row_key, func, "row_key", NPY_INT64, "int64", -1) < 0 ||
        multipolar_check_typed_1d(a->year_key, func, "year_key", NPY_INT64, "int64", a->nyears) <
            0 ||
        multipolar_check_typed_1d(a->levels, func, "levels", NPY_FLOAT64, "float64", -1) < 0 ||
        multipolar_check_typed_1d(a->measures, func, "measures", NPY_INT64, "int64", -1) < 0) {
        return -1;
    }
    a->nrows = PyArray_DIM(a->row_key, 0);
    a->nmeasures = PyArray_DIM(a->measures, 0);
    a->cidx = multipolar_check_1d(a->erow, func, "entry_row", 1, -1);
    if (a->cidx < 0) {
        return -1;
    }
    a->nentries = PyArray_DIM(a->erow, 0);
    if (multipolar_check_1d(a->eitem, func, "entry_item", 1, a->nentries) < 0 ||
        multipolar_check_1d(a->elev, func, "entry_level", 1, a->nentries) < 0) {
        return -1;
    }
    if (PyArray_TYPE(a->eitem) != PyArray_TYPE(a->erow) ||
        PyArray_TYPE(a->elev) != PyArray_TYPE(a->erow)) {
        PyErr_Format(PyExc_TypeError,
                     "%s: entry_item and entry_level must have entry_row's dtype %R; got %R and "
                     "%R",
                     func, (PyObject *)PyArray_DESCR(a->erow), (PyObject *)PyArray_DESCR(a->eitem),
                     (PyObject *)PyArray_DESCR(a->elev));
        return -1;
    }
    return 0;
}

/* The levels (copied once into ctx->lev) and the measure ids (copied once into
 * ctx->measure). */
static int
read_levels_measures(const sim_args_t *a, sim_ctx_t *ctx)
{
    static const char func[] = "similarity_years";
    const npy_intp nlevels = PyArray_DIM(a->levels, 0);
    if (nlevels < 2 || nlevels > MULTIPOLAR_SIM_MAX_LEVELS) {
        PyErr_Format(PyExc_ValueError, "%s: levels must have 2 to %d elements; got %zd", func,
                     MULTIPOLAR_SIM_MAX_LEVELS, (Py_ssize_t)nlevels);
        return -1;
    }
    ctx->lev.nlevels = (int)nlevels;
    for (npy_intp l = 0; l < nlevels; l++) {
        const double v = *(const double *)(PyArray_BYTES(a->levels) +
                                           l * PyArray_STRIDE(a->levels, 0));
        if (!npy_isfinite(v) || (l > 0 && !(v > ctx->lev.lv[l - 1]))) {
            PyErr_Format(PyExc_ValueError,
                         "%s: levels must be finite and strictly increasing; got %R", func,
                         (PyObject *)a->levels);
            return -1;
        }
        ctx->lev.lv[l] = v;
    }
    multipolar_sim_levels_init(&ctx->lev);
    ctx->nmeasures = a->nmeasures;
    ctx->measure = PyMem_RawMalloc((size_t)(a->nmeasures > 0 ? a->nmeasures : 1) * sizeof(int));
    if (ctx->measure == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (npy_intp m = 0; m < a->nmeasures; m++) {
        const npy_int64 id = *(const npy_int64 *)(PyArray_BYTES(a->measures) +
                                                  m * PyArray_STRIDE(a->measures, 0));
        if (id < 0 || id >= MULTIPOLAR_SIM_NMEASURES) {
            PyErr_Format(PyExc_ValueError, "%s: measures must be in [0, %d); got %lld", func,
                         MULTIPOLAR_SIM_NMEASURES, (long long)id);
            return -1;
        }
        if (multipolar_sim_weighted((int)id) && a->weights == NULL) {
            PyErr_Format(PyExc_ValueError, "%s: weights must be given for measure %lld; got None",
                         func, (long long)id);
            return -1;
        }
        ctx->measure[m] = (int)id;
        if (multipolar_sim_weighted((int)id)) {
            ctx->need_weighted = 1;
        }
        else {
            ctx->need_table = 1;
        }
    }
    return 0;
}

/*
 * The year layout, read once from year_ptr, nitems and year_key: row, item and
 * output offsets per year, the year of every row, and the largest year's size.
 */
static int
read_years(const sim_args_t *a, sim_ctx_t *ctx)
{
    static const char func[] = "similarity_years";
    const npy_intp nyears = a->nyears, nrows = a->nrows;
    const size_t ny = (size_t)nyears + 1;
    ctx->year_ptr = PyMem_RawMalloc(ny * sizeof(npy_intp));
    ctx->nitems = PyMem_RawMalloc(ny * sizeof(npy_intp));
    ctx->item_ptr = PyMem_RawMalloc(ny * sizeof(npy_intp));
    ctx->out_ptr = PyMem_RawMalloc(ny * sizeof(npy_intp));
    ctx->year_key = PyMem_RawMalloc(ny * sizeof(npy_int64));
    ctx->row_year = PyMem_RawMalloc((size_t)(nrows > 0 ? nrows : 1) * sizeof(npy_intp));
    if (ctx->year_ptr == NULL || ctx->nitems == NULL || ctx->item_ptr == NULL ||
        ctx->out_ptr == NULL || ctx->year_key == NULL || ctx->row_year == NULL) {
        PyErr_NoMemory();
        return -1;
    }
#define SIM_I64(arr, i) (*(const npy_int64 *)(PyArray_BYTES(arr) + (i) * PyArray_STRIDE(arr, 0)))
    const npy_int64 start = SIM_I64(a->year_ptr, 0);
    if (start != 0) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must start at 0; got %lld", func,
                     (long long)start);
        return -1;
    }
    ctx->year_ptr[0] = ctx->item_ptr[0] = ctx->out_ptr[0] = 0;
    for (npy_intp y = 0; y < nyears; y++) {
        const npy_int64 hi = SIM_I64(a->year_ptr, y + 1), k = SIM_I64(a->nitems, y);
        if (hi < ctx->year_ptr[y] || hi > nrows) {
            PyErr_Format(PyExc_ValueError,
                         "%s: year_ptr must be non-decreasing within [0, %zd]; got %lld at "
                         "position %zd",
                         func, (Py_ssize_t)nrows, (long long)hi, (Py_ssize_t)(y + 1));
            return -1;
        }
        if (k < 0 || k > NPY_MAX_INTP / MULTIPOLAR_SIM_LEVEL_SLOTS) {
            PyErr_Format(PyExc_ValueError,
                         "%s: nitems must be in [0, %zd]; got %lld at position %zd", func,
                         (Py_ssize_t)(NPY_MAX_INTP / MULTIPOLAR_SIM_LEVEL_SLOTS), (long long)k,
                         (Py_ssize_t)y);
            return -1;
        }
        ctx->year_ptr[y + 1] = (npy_intp)hi;
        ctx->nitems[y] = (npy_intp)k;
        ctx->year_key[y] = SIM_I64(a->year_key, y);
        const npy_intp nr = ctx->year_ptr[y + 1] - ctx->year_ptr[y];
        const npy_intp pairs = multipolar_mul_size(nr, nr > 0 ? nr - 1 : 0);
        if (pairs < 0 || ctx->item_ptr[y] > NPY_MAX_INTP - (npy_intp)k ||
            ctx->out_ptr[y] > NPY_MAX_INTP - pairs) {
            PyErr_Format(PyExc_ValueError, "%s: input too large; got %zd rows in year position %zd",
                         func, (Py_ssize_t)nr, (Py_ssize_t)y);
            return -1;
        }
        ctx->item_ptr[y + 1] = ctx->item_ptr[y] + (npy_intp)k;
        ctx->out_ptr[y + 1] = ctx->out_ptr[y] + pairs;
        ctx->max_rows = nr > ctx->max_rows ? nr : ctx->max_rows;
        const npy_intp words = (npy_intp)((k + 63) / 64);
        ctx->max_words = words > ctx->max_words ? words : ctx->max_words;
        for (npy_intp r = ctx->year_ptr[y]; r < ctx->year_ptr[y + 1]; r++) {
            ctx->row_year[r] = y;
        }
    }
#undef SIM_I64
    if (ctx->year_ptr[nyears] != nrows) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must end at len(row_key) = %zd; got %zd",
                     func, (Py_ssize_t)nrows, (Py_ssize_t)ctx->year_ptr[nyears]);
        return -1;
    }
    ctx->nyears = nyears;
    ctx->nrows = nrows;
    ctx->nentries = a->nentries;
    ctx->total_items = ctx->item_ptr[nyears];
    ctx->nout = ctx->out_ptr[nyears];
    return 0;
}

/* ---- allocate (GIL held) --------------------------------------------------------- */

/* Per-worker scratch sizes (in 8-byte elements) and the slot block for the team. */
static int
alloc_scratch(sim_ctx_t *ctx, const multipolar_team_t *team)
{
    const int L = ctx->lev.nlevels - (ctx->implicit ? 1 : 0);
    const npy_intp M = ctx->nmeasures;
    ctx->bits_len = multipolar_mul_size(multipolar_mul_size(ctx->max_rows, ctx->max_words), L);
    ctx->cnt_len = multipolar_mul_size(ctx->max_rows, ctx->lev.nlevels);
    ctx->sym_len = 1;
    for (npy_intp y = 0; y < ctx->nyears; y++) {
        const npy_intp nr = ctx->year_ptr[y + 1] - ctx->year_ptr[y];
        const npy_intp len =
            multipolar_mul_size(block_rows(nr, M + 1), multipolar_mul_size(nr, M + 1));
        if (len < 0) {
            ctx->sym_len = -1;
            break;
        }
        ctx->sym_len = len > ctx->sym_len ? len : ctx->sym_len;
    }
    npy_intp words = -1;
    if (ctx->bits_len >= 0 && ctx->cnt_len >= 0 && ctx->sym_len >= 0 &&
        ctx->max_rows <= NPY_MAX_INTP / 4) {
        words = ctx->bits_len;
        const npy_intp parts[] = {ctx->cnt_len, 2 * ctx->max_rows, ctx->sym_len};
        for (size_t i = 0; i < 3 && words >= 0; i++) {
            words = words <= NPY_MAX_INTP - parts[i] ? words + parts[i] : -1;
        }
    }
    if (words < 0 || words > NPY_MAX_INTP / 8 || multipolar_mul_size(ctx->nout, M) < 0) {
        PyErr_Format(PyExc_ValueError,
                     "similarity_years: input too large; got %zd rows and %zd items",
                     (Py_ssize_t)ctx->nrows, (Py_ssize_t)ctx->total_items);
        return -1;
    }
    ctx->scratch = multipolar_scratch_alloc(team->nthreads, (size_t)words * 8,
                                            &ctx->scratch_stride);
    if (ctx->scratch == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* The entry copies, CSR rows, weight copies and the task order. */
static int
alloc_work(sim_ctx_t *ctx)
{
    const size_t ne = (size_t)(ctx->nentries > 0 ? ctx->nentries : 1);
    const size_t nr = (size_t)(ctx->nrows > 0 ? ctx->nrows : 1);
    const size_t ny = (size_t)(ctx->nyears > 0 ? ctx->nyears : 1);
    if (ctx->nentries > NPY_MAX_INTP / 16) {
        PyErr_Format(PyExc_ValueError, "similarity_years: input too large; got %zd entries",
                     (Py_ssize_t)ctx->nentries);
        return -1;
    }
    ctx->erow = PyMem_RawMalloc(ne * sizeof(npy_intp));
    ctx->ekey = PyMem_RawMalloc(ne * sizeof(npy_int64));
    ctx->keys = PyMem_RawMalloc(ne * sizeof(npy_int64));
    ctx->row_start = PyMem_RawCalloc(nr + 1, sizeof(npy_intp));
    ctx->next = PyMem_RawMalloc(nr * sizeof(npy_intp));
    ctx->order = PyMem_RawMalloc(ny * sizeof(npy_intp));
    sim_order_t *tmp = PyMem_RawMalloc(ny * sizeof(sim_order_t));
    if (ctx->erow == NULL || ctx->ekey == NULL || ctx->keys == NULL || ctx->row_start == NULL ||
        ctx->next == NULL || ctx->order == NULL || tmp == NULL) {
        PyMem_RawFree(tmp);
        PyErr_NoMemory();
        return -1;
    }
    for (npy_intp y = 0; y < ctx->nyears; y++) {
        tmp[y].cost =
            ctx->out_ptr[y + 1] - ctx->out_ptr[y] + ctx->year_ptr[y + 1] - ctx->year_ptr[y];
        tmp[y].year = y;
    }
    qsort(tmp, (size_t)ctx->nyears, sizeof(sim_order_t), cmp_order);
    for (npy_intp y = 0; y < ctx->nyears; y++) {
        ctx->order[y] = tmp[y].year;
    }
    PyMem_RawFree(tmp);
    return 0;
}

/* ---- entry point ------------------------------------------------------------------ */

PyObject *
multipolar_similarity_years(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char func[] = "similarity_years";
    sim_args_t a;
    sim_ctx_t ctx;
    PyArrayObject *out[5] = {NULL, NULL, NULL, NULL, NULL}; /* c1, c2, year, n, values */
    PyObject *result = NULL;
    multipolar_error_t err = multipolar_error(MULTIPOLAR_OK, NULL, 0, 0.0);
    npy_intp nkept = 0;
    NPY_BEGIN_THREADS_DEF;

    memset(&ctx, 0, sizeof(ctx));
    /* 1. parse, 2. validate: every input value is read once here or in build_rows */
    if (parse_args(args, kwargs, &a) < 0 || check_arrays(&a) < 0) {
        return NULL;
    }
    ctx.implicit = a.implicit;
    if (read_levels_measures(&a, &ctx) < 0 || read_years(&a, &ctx) < 0) {
        goto done;
    }
    if (a.weights != NULL && multipolar_check_typed_1d(a.weights, func, "weights", NPY_FLOAT64,
                                                       "float64", ctx.total_items) < 0) {
        goto done;
    }
    /* 3. allocate: outputs, entry copies, per-worker scratch for the team */
    const multipolar_team_t team = multipolar_team(self, ctx.nyears);
    if (alloc_scratch(&ctx, &team) < 0 || alloc_work(&ctx) < 0) {
        goto done;
    }
    if (a.weights != NULL) {
        ctx.weights = PyMem_RawMalloc((size_t)(ctx.total_items > 0 ? ctx.total_items : 1) *
                                      sizeof(double));
        ctx.wtotal = PyMem_RawMalloc((size_t)(ctx.nyears > 0 ? ctx.nyears : 1) * sizeof(double));
        if (ctx.weights == NULL || ctx.wtotal == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (int k = 0; k < 4; k++) {
        out[k] = (PyArrayObject *)PyArray_EMPTY(1, &ctx.nout, NPY_INT64, 0);
    }
    out[4] = (PyArrayObject *)PyArray_EMPTY(2, ((npy_intp[]){ctx.nmeasures, ctx.nout}),
                                            NPY_FLOAT64, 0);
    if (out[0] == NULL || out[1] == NULL || out[2] == NULL || out[3] == NULL || out[4] == NULL) {
        goto done;
    }
    ctx.o_c1 = (npy_int64 *)PyArray_DATA(out[0]);
    ctx.o_c2 = (npy_int64 *)PyArray_DATA(out[1]);
    ctx.o_year = (npy_int64 *)PyArray_DATA(out[2]);
    ctx.o_n = (npy_int64 *)PyArray_DATA(out[3]);
    ctx.o_val = (double *)PyArray_DATA(out[4]);
    ctx.row_key = PyArray_BYTES(a.row_key);
    ctx.row_key_stride = PyArray_STRIDE(a.row_key, 0);
    ctx.cooccur = multipolar_sim_cooccur();

    /* 4. release the GIL */
    NPY_BEGIN_THREADS_THRESHOLDED(ctx.nentries + ctx.nout + ctx.total_items);
    /* 5. loop: entries and weights, then the years as tasks of the team */
    build_rows(&ctx, &a, &err);
    if (err.status == MULTIPOLAR_OK && a.weights != NULL) {
        copy_weights(&ctx, a.weights, &err);
    }
    if (err.status == MULTIPOLAR_OK) {
        multipolar_parallel_for(&team, ctx.nyears, MULTIPOLAR_DYNAMIC, year_task, &ctx);
        nkept = a.drop_empty ? drop_empty_rows(&ctx) : ctx.nout;
    }
    NPY_END_THREADS;

    /* 6. translate */
    if (multipolar_raise_status(&err, func) < 0) {
        goto done;
    }
    /* 7. clean up: Py_BuildValue's N steals the five references, on failure too */
    result = Py_BuildValue("(NNNNNn)", (PyObject *)out[0], (PyObject *)out[1],
                           (PyObject *)out[2], (PyObject *)out[3], (PyObject *)out[4],
                           (Py_ssize_t)nkept);
    for (int k = 0; k < 5; k++) {
        out[k] = NULL;
    }
done:
    for (int k = 0; k < 5; k++) {
        Py_XDECREF(out[k]);
    }
    ctx_free(&ctx);
    return result;
}
