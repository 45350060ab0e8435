/*
 * similarity_boot.c -- bootstrap bands of foreign-policy similarity, wrapped by
 * multipolar.similarity (similarity(..., bootstrap=B), similarity_matrix and
 * multipolar.blocs(..., bootstrap=B)).
 *
 *   similarity_boot(bitgens, year_ptr, nitems, codes, levels, weights,
 *                   measures, replicates, block_pairs, probs, keep)
 *       Every unordered pair of rows (i < j) of every year, in year order and
 *       row-major pair order, is compared on its common items (the items
 *       both rows code). Each replicate draws n of the pair's n common items
 *       with replacement (Efron 1979; Efron & Tibshirani 1993, ch. 13: the
 *       percentile interval), builds the co-occurrence table of the draw and
 *       computes every requested measure from it (similarity_measures.c). The
 *       bands are the probs-quantiles of a measure's finite replicate values,
 *       linear interpolation between order statistics (NumPy's default
 *       "linear" method); NaN when no replicate is finite or n = 0.
 *
 * Draws. Pairs are cut, year by year, into blocks of block_pairs pairs (the
 * last block of a year may be shorter); block b draws from bitgens[b] only,
 * pair after pair, replicate after replicate. An index in [0, n) is drawn
 * by Lemire's (2019) multiply-shift rule with rejection, "Fast random
 * integer generation in an interval", ACM TOMACS 29(1): a chunk x of b bits
 * gives m = x n; m mod 2^b below 2^b mod n is rejected (so every index has
 * probability exactly 1/n), else the index is m >> b. Chunks are b = 16 bits
 * (n <= 2^16; four per next_uint64, highest first) or 32 bits (two). A
 * replicate starts on a fresh 64-bit word and drops the unused chunks of its
 * last one; a pair without common items draws nothing. The order is simple
 * enough for a NumPy twin to repeat exactly from BitGenerator.random_raw.
 * Blocks are the tasks of the thread runtime and each writes only its own
 * pairs, so the result does not depend on the number of threads.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "similarity.h"
#include "similarity_measures.h"
#include "threads.h"

/* Outputs: n, bands, replicates (or None). */
#define BOOT_NOUT 3

typedef struct {
    PyObject *bitgen_obj, *weights_obj; /* borrowed from the call's arguments */
    PyArrayObject *year_ptr, *nitems, *codes, *levels, *measures, *probs;
    PyArrayObject *weights; /* weights_obj when it is an array */
    npy_intp replicates, block_pairs;
    int keep;
    npy_intp nyears, nrows, ncells, nitems_total, nmeasures, nprobs;
} boot_args_t;

/* What the GIL-free stages read or write; owned buffers are raw-allocated. */
typedef struct {
    bitgen_t **gens;
    npy_intp nyears, nblocks, npairs, B, M, P, max_items;
    npy_intp *row_ptr;   /* [nyears + 1] first row of each year */
    npy_intp *nitems;    /* [nyears] items of each year */
    npy_intp *cell_ptr;  /* [nyears + 1] first code cell of each year */
    npy_intp *item_ptr;  /* [nyears + 1] first weight of each year */
    npy_intp *pair_ptr;  /* [nyears + 1] first pair of each year */
    npy_intp *blk_year;  /* [nblocks] year of each block */
    npy_intp *blk_first; /* [nblocks] first pair of each block, within its year */
    npy_intp *blk_end;   /* [nblocks] one past its last pair, within its year */
    npy_int8 *codes;     /* [ncells] checked copy */
    double *weights;     /* [nitems_total] checked copy, or NULL */
    double probs[16];
    int measure[MULTIPOLAR_SIM_NMEASURES];
    multipolar_sim_levels_t lev;
    npy_int64 *o_n;
    double *o_band; /* [M][P][npairs] */
    double *o_rep;  /* [M][npairs][B] or NULL */
    void *scratch;
    size_t scratch_stride;
} boot_ctx_t;

/* ---- quantiles (no GIL) ---------------------------------------------------- */

/* Put the k-th smallest of a[0..n) at a[k], smaller ones before it, larger after
 * (Hoare's selection with a median-of-three pivot). The value found is the order
 * statistic whatever the pivots, so the result does not depend on them. */
static void
select_kth(double *a, npy_intp n, npy_intp k)
{
    npy_intp lo = 0, hi = n - 1;
    while (hi > lo) {
        const npy_intp mid = lo + (hi - lo) / 2;
        double x = a[lo], y = a[mid], z = a[hi];
        const double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        npy_intp i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i <= j) {
                const double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j) {
            hi = j;
        }
        else if (k >= i) {
            lo = i;
        }
        else {
            return;
        }
    }
}

/* The p-quantile of the finite values among v[0..B) (v is reordered), by NumPy's
 * "linear" rule: position p (m - 1) between the sorted values, interpolated as
 * numpy's _lerp does. NaN when no value is finite. */
static double
quantile_finite(double *v, npy_intp B, double p)
{
    npy_intp m = 0;
    for (npy_intp r = 0; r < B; r++) {
        if (!npy_isnan(v[r])) {
            v[m++] = v[r];
        }
    }
    if (m == 0) {
        return NPY_NAN;
    }
    const double pos = p * (double)(m - 1);
    npy_intp k = (npy_intp)floor(pos);
    if (k > m - 1) {
        k = m - 1;
    }
    select_kth(v, m, k);
    const double a = v[k];
    const double t = pos - (double)k;
    if (k + 1 >= m || t == 0.0) {
        return a;
    }
    double b = v[k + 1];
    for (npy_intp r = k + 2; r < m; r++) {
        b = v[r] < b ? v[r] : b;
    }
    const double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

/* ---- one block of pairs (no GIL) --------------------------------------------- */

/* The accepted chunks of one word u (b bits each, highest first), counted in T2
 * until *got reaches n: the general path of draw_table. */
static void
count_chunks(npy_uint64 u, int bits, int per, npy_uint64 un, npy_uint64 reject,
             const npy_uint8 *cells, npy_intp n, npy_intp *got,
             npy_int32 T2[4][MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS])
{
    const npy_uint64 mask = bits == 32 ? 0xffffffffULL : 0xffffULL;
    for (int q = 1; q <= per && *got < n; q++) {
        const npy_uint64 m = ((u >> (64 - bits * q)) & mask) * un;
        if ((m & mask) >= reject) {
            T2[*got & 3][cells[m >> bits]]++;
            (*got)++;
        }
    }
}

/*
 * One replicate's draws: n indices into the pair's common items (see the file
 * comment for the rule), counted into the table T[c * c]. Four partial
 * tables take the draws in turn, so consecutive increments of one cell do not
 * wait on each other; with weights, the weighted distance sums too (in draw order).
 */
static void
draw_table(bitgen_t *bg, const npy_uint8 *cells, const npy_intp *items, npy_intp n,
           const double *w, const multipolar_sim_levels_t *lev, npy_int64 *T, double *wsum)
{
    const int cc = lev->nlevels * lev->nlevels;
    const int bits = n > 65536 ? 32 : 16, per = 64 / bits;
    const npy_uint64 mask = bits == 32 ? 0xffffffffULL : 0xffffULL;
    const npy_uint64 un = (npy_uint64)n;
    const npy_uint64 reject = (mask + 1 - un) % un; /* 2^bits mod n */
    npy_int32 T2[4][MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];
    memset(T2, 0, sizeof(T2));
    npy_intp got = 0;
    if (w == NULL && bits == 16) {
        /* the common case: four chunks a word, none rejected (rejections are rare) */
        while (got + 4 <= n) {
            const npy_uint64 u = bg->next_uint64(bg->state);
            const npy_uint64 m0 = (u >> 48) * un, m1 = ((u >> 32) & mask) * un;
            const npy_uint64 m2 = ((u >> 16) & mask) * un, m3 = (u & mask) * un;
            if ((m0 & mask) < reject || (m1 & mask) < reject || (m2 & mask) < reject ||
                (m3 & mask) < reject) {
                count_chunks(u, 16, 4, un, reject, cells, n, &got, T2);
                continue;
            }
            T2[0][cells[m0 >> 16]]++;
            T2[1][cells[m1 >> 16]]++;
            T2[2][cells[m2 >> 16]]++;
            T2[3][cells[m3 >> 16]]++;
            got += 4;
        }
    }
    while (got < n) {
        const npy_uint64 u = bg->next_uint64(bg->state);
        for (int q = 1; q <= per && got < n; q++) {
            const npy_uint64 m = ((u >> (64 - bits * q)) & mask) * un;
            if ((m & mask) < reject) {
                continue;
            }
            const npy_intp k = (npy_intp)(m >> bits);
            const int cell = cells[k];
            T2[got & 3][cell]++;
            if (w != NULL) {
                const double wk = w[items[k]];
                wsum[0] += wk * lev->dabs[cell];
                wsum[1] += wk * lev->dsq[cell];
                wsum[2] += wk;
            }
            got++;
        }
    }
    for (int k = 0; k < cc; k++) {
        T[k] = (npy_int64)T2[0][k] + T2[1][k] + T2[2][k] + T2[3][k];
    }
}

/*
 * The replicates of one pair: cells[n] (a * c + b of each common item) and
 * items[n] (its position in the year, for the weights w, or NULL).
 * out: vals[m * B + r] for measure m and replicate r
 */
static void
pair_replicates(const boot_ctx_t *ctx, bitgen_t *bg, const npy_uint8 *cells,
                const npy_intp *items, npy_intp n, const double *w, double *vals)
{
    npy_int64 T[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];
    double res[MULTIPOLAR_SIM_NMEASURES];
    for (npy_intp r = 0; r < ctx->B; r++) {
        double wsum[3] = {0.0, 0.0, 0.0};
        draw_table(bg, cells, items, n, w, &ctx->lev, T, wsum);
        multipolar_sim_measures_of_table(&ctx->lev, T, ctx->measure, ctx->M, wsum, res);
        for (npy_intp m = 0; m < ctx->M; m++) {
            vals[m * ctx->B + r] = res[m];
        }
    }
}

/*
 * Task b: the pairs of block b, each compared on its common items, drawn from
 * bitgens[b]. Writes only those pairs' outputs. Scratch: cells and items of
 * the current pair, its replicate values and a copy for the quantiles.
 */
static void
block_task(void *arg, npy_intp b, int worker)
{
    const boot_ctx_t *ctx = (const boot_ctx_t *)arg;
    char *slot = multipolar_scratch_slot(ctx->scratch, ctx->scratch_stride, worker);
    double *vals = (double *)slot;
    double *work = vals + ctx->M * ctx->B;
    npy_intp *items = (npy_intp *)(work + ctx->B);
    npy_uint8 *cells = (npy_uint8 *)(items + ctx->max_items);
    const npy_intp y = ctx->blk_year[b];
    const npy_intp N = ctx->row_ptr[y + 1] - ctx->row_ptr[y];
    const npy_intp K = ctx->nitems[y];
    const npy_int8 *codes = ctx->codes + ctx->cell_ptr[y];
    const double *w = ctx->weights != NULL ? ctx->weights + ctx->item_ptr[y] : NULL;
    const npy_intp p0 = ctx->blk_first[b], last = ctx->blk_end[b];
    const int c = ctx->lev.nlevels;
    bitgen_t *bg = ctx->gens[b];
    /* (i, j) of the block's first pair: row i holds N - 1 - i pairs */
    npy_intp i = 0, left = p0;
    while (left >= N - 1 - i) {
        left -= N - 1 - i;
        i++;
    }
    npy_intp j = i + 1 + left;
    for (npy_intp p = p0; p < last; p++) {
        const npy_int8 *ri = codes + i * K, *rj = codes + j * K;
        npy_intp n = 0;
        for (npy_intp k = 0; k < K; k++) {
            const int a = ri[k], e = rj[k];
            if (a >= 0 && e >= 0) {
                cells[n] = (npy_uint8)(a * c + e);
                items[n] = k;
                n++;
            }
        }
        const npy_intp q = ctx->pair_ptr[y] + p;
        ctx->o_n[q] = (npy_int64)n;
        if (n > 0) {
            pair_replicates(ctx, bg, cells, items, n, w, vals);
        }
        else {
            for (npy_intp r = 0; r < ctx->M * ctx->B; r++) {
                vals[r] = NPY_NAN;
            }
        }
        for (npy_intp m = 0; m < ctx->M; m++) {
            const double *v = vals + m * ctx->B;
            if (ctx->o_rep != NULL) {
                memcpy(ctx->o_rep + (m * ctx->npairs + q) * ctx->B, v,
                       (size_t)ctx->B * sizeof(double));
            }
            for (npy_intp k = 0; k < ctx->P; k++) {
                memcpy(work, v, (size_t)ctx->B * sizeof(double));
                ctx->o_band[(m * ctx->P + k) * ctx->npairs + q] =
                    quantile_finite(work, ctx->B, ctx->probs[k]);
            }
        }
        if (++j == N) {
            i++;
            j = i + 1;
        }
    }
}

/* ---- checks and copies (serial) --------------------------------------------- */

static void
ctx_free(boot_ctx_t *ctx)
{
    void *owned[] = {ctx->row_ptr,  ctx->nitems,    ctx->cell_ptr, ctx->item_ptr, ctx->pair_ptr,
                     ctx->blk_year, ctx->blk_first, ctx->blk_end,  ctx->codes,    ctx->weights};
    for (size_t k = 0; k < sizeof(owned) / sizeof(owned[0]); k++) {
        PyMem_RawFree(owned[k]);
    }
    multipolar_scratch_free(ctx->scratch);
}

static int
boot_parse(PyObject *args, PyObject *kwargs, boot_args_t *a)
{
    static char *kwlist[] = {"bitgens",  "year_ptr",   "nitems",      "codes",
                             "levels",   "weights",    "measures",    "replicates",
                             "block_pairs", "probs",   "keep",        NULL};
    memset(a, 0, sizeof(*a));
    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "O!O!O!O!O!OO!nnO!p:similarity_boot", kwlist, &PyTuple_Type,
            &a->bitgen_obj, &PyArray_Type, &a->year_ptr, &PyArray_Type, &a->nitems,
            &PyArray_Type, &a->codes, &PyArray_Type, &a->levels, &a->weights_obj,
            &PyArray_Type, &a->measures, &a->replicates, &a->block_pairs, &PyArray_Type,
            &a->probs, &a->keep)) {
        return -1;
    }
    if (a->weights_obj != Py_None) {
        if (!PyArray_Check(a->weights_obj)) {
            PyErr_Format(PyExc_TypeError,
                         "similarity_boot: weights must be None or an ndarray; got %R",
                         (PyObject *)Py_TYPE(a->weights_obj));
            return -1;
        }
        a->weights = (PyArrayObject *)a->weights_obj;
    }
    return 0;
}

/* dtypes, shapes and scalar ranges of the arguments. */
static int
boot_check(boot_args_t *a)
{
    static const char func[] = "similarity_boot";
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
        multipolar_check_typed_1d(a->codes, func, "codes", NPY_INT8, "int8", -1) < 0 ||
        multipolar_check_typed_1d(a->levels, func, "levels", NPY_FLOAT64, "float64", -1) < 0 ||
        multipolar_check_typed_1d(a->measures, func, "measures", NPY_INT64, "int64", -1) < 0 ||
        multipolar_check_typed_1d(a->probs, func, "probs", NPY_FLOAT64, "float64", -1) < 0) {
        return -1;
    }
    if (a->weights != NULL &&
        multipolar_check_typed_1d(a->weights, func, "weights", NPY_FLOAT64, "float64", -1) < 0) {
        return -1;
    }
    a->ncells = PyArray_DIM(a->codes, 0);
    a->nmeasures = PyArray_DIM(a->measures, 0);
    a->nprobs = PyArray_DIM(a->probs, 0);
    if (a->nmeasures < 1 || a->nmeasures > MULTIPOLAR_SIM_NMEASURES) {
        PyErr_Format(PyExc_ValueError, "%s: measures must have 1 to %d elements; got %zd", func,
                     MULTIPOLAR_SIM_NMEASURES, (Py_ssize_t)a->nmeasures);
        return -1;
    }
    if (a->nprobs < 1 || a->nprobs > 16) {
        PyErr_Format(PyExc_ValueError, "%s: probs must have 1 to 16 elements; got %zd", func,
                     (Py_ssize_t)a->nprobs);
        return -1;
    }
    /* a pair's replicate values live in per-worker scratch: keep them addressable */
    if (a->replicates < 1 || a->replicates > ((npy_intp)1 << 30)) {
        PyErr_Format(PyExc_ValueError, "%s: replicates must be in [1, 2^30]; got %zd", func,
                     (Py_ssize_t)a->replicates);
        return -1;
    }
    if (a->block_pairs < 1) {
        PyErr_Format(PyExc_ValueError, "%s: block_pairs must be >= 1; got %zd", func,
                     (Py_ssize_t)a->block_pairs);
        return -1;
    }
    return 0;
}

/* Levels, measure ids and probabilities, copied once into ctx. */
static int
boot_small_args(const boot_args_t *a, boot_ctx_t *ctx)
{
    static const char func[] = "similarity_boot";
    const npy_intp nlevels = PyArray_DIM(a->levels, 0);
    if (nlevels < 2 || nlevels > MULTIPOLAR_SIM_MAX_LEVELS) {
        PyErr_Format(PyExc_ValueError, "%s: levels must have 2 to %d elements; got %zd", func,
                     MULTIPOLAR_SIM_MAX_LEVELS, (Py_ssize_t)nlevels);
        return -1;
    }
    ctx->lev.nlevels = (int)nlevels;
    for (npy_intp l = 0; l < nlevels; l++) {
        const double v =
            *(const double *)(PyArray_BYTES(a->levels) + l * PyArray_STRIDE(a->levels, 0));
        if (!npy_isfinite(v) || (l > 0 && !(v > ctx->lev.lv[l - 1]))) {
            PyErr_Format(PyExc_ValueError,
                         "%s: levels must be finite and strictly increasing; got %R", func,
                         (PyObject *)a->levels);
            return -1;
        }
        ctx->lev.lv[l] = v;
    }
    multipolar_sim_levels_init(&ctx->lev);
    ctx->M = a->nmeasures;
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
    }
    ctx->P = a->nprobs;
    for (npy_intp k = 0; k < a->nprobs; k++) {
        const double p =
            *(const double *)(PyArray_BYTES(a->probs) + k * PyArray_STRIDE(a->probs, 0));
        if (!(p >= 0.0 && p <= 1.0)) {
            PyErr_Format(PyExc_ValueError, "%s: probs must lie in [0, 1]; got %R", func,
                         (PyObject *)a->probs);
            return -1;
        }
        ctx->probs[k] = p;
    }
    ctx->B = a->replicates;
    return 0;
}

/* The year layout (read once) and the blocks of pairs. */
static int
boot_layout(const boot_args_t *a, boot_ctx_t *ctx)
{
    static const char func[] = "similarity_boot";
    const npy_intp ny = a->nyears;
    const size_t n1 = (size_t)ny + 1;
    ctx->nyears = ny;
    ctx->row_ptr = PyMem_RawMalloc(n1 * sizeof(npy_intp));
    ctx->nitems = PyMem_RawMalloc(n1 * sizeof(npy_intp));
    ctx->cell_ptr = PyMem_RawMalloc(n1 * sizeof(npy_intp));
    ctx->item_ptr = PyMem_RawMalloc(n1 * sizeof(npy_intp));
    ctx->pair_ptr = PyMem_RawMalloc(n1 * sizeof(npy_intp));
    if (!ctx->row_ptr || !ctx->nitems || !ctx->cell_ptr || !ctx->item_ptr || !ctx->pair_ptr) {
        PyErr_NoMemory();
        return -1;
    }
#define BOOT_I64(arr, i) (*(const npy_int64 *)(PyArray_BYTES(arr) + (i) * PyArray_STRIDE(arr, 0)))
    if (BOOT_I64(a->year_ptr, 0) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must start at 0; got %lld", func,
                     (long long)BOOT_I64(a->year_ptr, 0));
        return -1;
    }
    ctx->row_ptr[0] = ctx->cell_ptr[0] = ctx->item_ptr[0] = ctx->pair_ptr[0] = 0;
    npy_intp nblocks = 0;
    for (npy_intp y = 0; y < ny; y++) {
        const npy_int64 hi = BOOT_I64(a->year_ptr, y + 1), k = BOOT_I64(a->nitems, y);
        if (hi < ctx->row_ptr[y] || hi > NPY_MAX_INT32 || k < 0 || k > NPY_MAX_INT32) {
            PyErr_Format(PyExc_ValueError,
                         "%s: year_ptr must be non-decreasing and nitems in [0, 2^31); got "
                         "%lld and %lld at year position %zd",
                         func, (long long)hi, (long long)k, (Py_ssize_t)y);
            return -1;
        }
        const npy_intp N = (npy_intp)hi - ctx->row_ptr[y];
        const npy_intp cells = multipolar_mul_size(N, (npy_intp)k);
        const npy_intp pairs = multipolar_mul_size(N, N > 0 ? N - 1 : 0) / 2;
        if (cells < 0 || pairs < 0 || ctx->cell_ptr[y] > NPY_MAX_INTP - cells ||
            ctx->pair_ptr[y] > NPY_MAX_INTP - pairs ||
            ctx->item_ptr[y] > NPY_MAX_INTP - (npy_intp)k) {
            PyErr_Format(PyExc_ValueError, "%s: input too large at year position %zd", func,
                         (Py_ssize_t)y);
            return -1;
        }
        ctx->row_ptr[y + 1] = (npy_intp)hi;
        ctx->nitems[y] = (npy_intp)k;
        ctx->cell_ptr[y + 1] = ctx->cell_ptr[y] + cells;
        ctx->item_ptr[y + 1] = ctx->item_ptr[y] + (npy_intp)k;
        ctx->pair_ptr[y + 1] = ctx->pair_ptr[y] + pairs;
        ctx->max_items = (npy_intp)k > ctx->max_items ? (npy_intp)k : ctx->max_items;
        nblocks += (pairs + a->block_pairs - 1) / a->block_pairs;
    }
#undef BOOT_I64
    if (ctx->cell_ptr[ny] != a->ncells) {
        PyErr_Format(PyExc_ValueError,
                     "%s: codes must have one cell per row and item of each year (%zd); got %zd",
                     func, (Py_ssize_t)ctx->cell_ptr[ny], (Py_ssize_t)a->ncells);
        return -1;
    }
    if (a->weights != NULL && PyArray_DIM(a->weights, 0) != ctx->item_ptr[ny]) {
        PyErr_Format(PyExc_ValueError, "%s: weights must have length %zd; got %zd", func,
                     (Py_ssize_t)ctx->item_ptr[ny], (Py_ssize_t)PyArray_DIM(a->weights, 0));
        return -1;
    }
    if (PyTuple_GET_SIZE(a->bitgen_obj) != nblocks) {
        PyErr_Format(PyExc_ValueError, "%s: bitgens must hold one generator per block (%zd); got %zd",
                     func, (Py_ssize_t)nblocks, PyTuple_GET_SIZE(a->bitgen_obj));
        return -1;
    }
    ctx->nblocks = nblocks;
    ctx->npairs = ctx->pair_ptr[ny];
    const size_t nb1 = (size_t)(nblocks > 0 ? nblocks : 1);
    ctx->blk_year = PyMem_RawMalloc(nb1 * sizeof(npy_intp));
    ctx->blk_first = PyMem_RawMalloc(nb1 * sizeof(npy_intp));
    ctx->blk_end = PyMem_RawMalloc(nb1 * sizeof(npy_intp));
    if (!ctx->blk_year || !ctx->blk_first || !ctx->blk_end) {
        PyErr_NoMemory();
        return -1;
    }
    npy_intp b = 0;
    for (npy_intp y = 0; y < ny; y++) {
        const npy_intp pairs = ctx->pair_ptr[y + 1] - ctx->pair_ptr[y];
        for (npy_intp p = 0; p < pairs; p += a->block_pairs) {
            ctx->blk_year[b] = y;
            ctx->blk_first[b] = p;
            ctx->blk_end[b] = p + a->block_pairs < pairs ? p + a->block_pairs : pairs;
            b++;
        }
    }
    return 0;
}

/* Copy the codes and weights once (so a concurrent change of the inputs cannot
 * reach the loops). CODE_RANGE for a code outside [-1, nlevels), INVALID for a
 * negative or non-finite weight. Runs without the GIL. */
static void
boot_copy(const boot_args_t *a, boot_ctx_t *ctx, multipolar_error_t *err)
{
    const char *src = PyArray_BYTES(a->codes);
    const npy_intp stride = PyArray_STRIDE(a->codes, 0);
    const int c = ctx->lev.nlevels;
    for (npy_intp k = 0; k < a->ncells; k++) {
        const npy_int8 v = *(const npy_int8 *)(src + k * stride);
        if (v < -1 || v >= c) {
            *err = multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "codes", k, (double)v);
            err->limit = c;
            return;
        }
        ctx->codes[k] = v;
    }
    if (ctx->weights != NULL) {
        const char *ws = PyArray_BYTES(a->weights);
        const npy_intp wst = PyArray_STRIDE(a->weights, 0);
        for (npy_intp k = 0; k < ctx->item_ptr[ctx->nyears]; k++) {
            const double v = *(const double *)(ws + k * wst);
            if (!(v >= 0.0) || npy_isinf(v)) {
                *err = multipolar_error(MULTIPOLAR_ERR_INVALID, "weights", k, v);
                return;
            }
            ctx->weights[k] = v;
        }
    }
}

/* Output arrays and the team's scratch. GIL held. */
static int
boot_alloc(const boot_args_t *a, boot_ctx_t *ctx, const multipolar_team_t *team,
           PyArrayObject **out)
{
    static const char func[] = "similarity_boot";
    const npy_intp mp = multipolar_mul_size(ctx->M, ctx->P);
    const npy_intp mn = multipolar_mul_size(ctx->M, ctx->npairs);
    const npy_intp mb = multipolar_mul_size(ctx->M + 1, ctx->B);
    const npy_intp rep = a->keep ? multipolar_mul_size(mn, ctx->B) : 0;
    if (mp < 0 || mn < 0 || mb < 0 || rep < 0 || multipolar_mul_size(mp, ctx->npairs) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: output too large; got %zd pairs", func,
                     (Py_ssize_t)ctx->npairs);
        return -1;
    }
    ctx->codes = PyMem_RawMalloc((size_t)(a->ncells > 0 ? a->ncells : 1));
    if (ctx->codes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (a->weights != NULL) {
        const npy_intp nw = ctx->item_ptr[ctx->nyears];
        ctx->weights = PyMem_RawMalloc((size_t)(nw > 0 ? nw : 1) * sizeof(double));
        if (ctx->weights == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    out[0] = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){ctx->npairs}, NPY_INT64, 0);
    out[1] = (PyArrayObject *)PyArray_EMPTY(3, ((npy_intp[]){ctx->M, ctx->P, ctx->npairs}),
                                            NPY_FLOAT64, 0);
    if (a->keep) {
        out[2] = (PyArrayObject *)PyArray_EMPTY(3, ((npy_intp[]){ctx->M, ctx->npairs, ctx->B}),
                                                NPY_FLOAT64, 0);
    }
    if (out[0] == NULL || out[1] == NULL || (a->keep && out[2] == NULL)) {
        return -1;
    }
    ctx->o_n = (npy_int64 *)PyArray_DATA(out[0]);
    ctx->o_band = (double *)PyArray_DATA(out[1]);
    ctx->o_rep = a->keep ? (double *)PyArray_DATA(out[2]) : NULL;
    const size_t bytes = (size_t)mb * sizeof(double) +
                         (size_t)(ctx->max_items + 1) * (sizeof(npy_intp) + 1);
    ctx->scratch = multipolar_scratch_alloc(team->nthreads, bytes, &ctx->scratch_stride);
    if (ctx->scratch == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* ---- entry point --------------------------------------------------------------- */

PyObject *
multipolar_similarity_boot(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char func[] = "similarity_boot";
    boot_args_t a;
    boot_ctx_t ctx;
    multipolar_bitgens_t bg;
    PyArrayObject *out[BOOT_NOUT] = {NULL, NULL, NULL};
    PyObject *result = NULL;
    multipolar_error_t err = multipolar_error(MULTIPOLAR_OK, NULL, 0, 0.0);
    NPY_BEGIN_THREADS_DEF;
    memset(&ctx, 0, sizeof(ctx));
    memset(&bg, 0, sizeof(bg));

    /* 1. parse; 2. validate */
    if (boot_parse(args, kwargs, &a) < 0 || boot_check(&a) < 0 ||
        boot_small_args(&a, &ctx) < 0 || boot_layout(&a, &ctx) < 0) {
        goto done;
    }
    if (multipolar_bitgens_from_tuple(a.bitgen_obj, func, "bitgens", &bg) < 0) {
        goto done;
    }
    ctx.gens = bg.gens;
    /* 3. allocate */
    const multipolar_team_t team = multipolar_team(self, ctx.nblocks);
    if (boot_alloc(&a, &ctx, &team, out) < 0 || multipolar_bitgens_lock(&bg) < 0) {
        goto done;
    }
    /* 4. release the GIL; 5. loop: copy and check once, then the blocks */
    NPY_BEGIN_THREADS;
    boot_copy(&a, &ctx, &err);
    if (err.status == MULTIPOLAR_OK) {
        multipolar_parallel_for(&team, ctx.nblocks, MULTIPOLAR_DYNAMIC, block_task, &ctx);
    }
    NPY_END_THREADS;
    /* 6. translate */
    if (err.status != MULTIPOLAR_OK) {
        multipolar_raise_status(&err, func);
        goto done;
    }
    result = PyTuple_New(BOOT_NOUT);
    if (result != NULL) {
        for (int k = 0; k < BOOT_NOUT; k++) {
            PyObject *o = out[k] != NULL ? (PyObject *)out[k] : Py_NewRef(Py_None);
            PyTuple_SET_ITEM(result, k, o); /* steals */
            out[k] = NULL;
        }
    }
    /* 7. clean up (unlocks the generators) */
done:
    for (int k = 0; k < BOOT_NOUT; k++) {
        Py_XDECREF(out[k]);
    }
    multipolar_bitgens_free(&bg);
    ctx_free(&ctx);
    return result;
}
