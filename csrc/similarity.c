/*
 * similarity.c -- the similarity family: foreign-policy similarity of every
 * pair of portfolios in every year, wrapped by multipolar.similarity
 * (similarity, similarity_matrix, s_score, kappa, scott_pi, tau_b).
 *
 *   similarity_years(year_ptr, nitems, row_key, year_key, entry_row,
 *                    entry_item, entry_level, levels, implicit, weights,
 *                    measures, nthreads, drop_empty)
 *       Rows are portfolios (a state in a year), grouped by year; the items
 *       of a year are what the portfolios code (the year's states for
 *       alliances, its roll calls for UN votes). The input lists, sparsely,
 *       the level of each (row, item). For every unordered pair of rows of
 *       a year the c x c co-occurrence table of their levels is built, every
 *       requested measure is computed from it, and the result is written to
 *       both directed output rows. Years run in parallel on threads; each
 *       year owns its output rows, so the result does not depend on the
 *       number of threads.
 *
 * The tables come from bit sets: per row, one bit set over the items for
 * each explicit level, so a table cell is the popcount of an AND. Alliance
 * portfolios are sparse: the most common level (0, "no alliance") is
 * implicit, each row's bit sets are only scanned over the span of 64-item
 * words where it has non-zero codes, and the cells involving level 0 follow
 * from the row counts. UN-vote portfolios are dense but short; there an item
 * without a level is missing and the table counts common items only.
 *
 * Measures (for levels v_1 < ... < v_c, table T, n = sum T, margins r, s):
 *   s      Signorino & Ritter (1999): 1 - 2 sum T_ab |v_a - v_b| / (n d),
 *          d = v_c - v_1 (the range of the possible levels)
 *   s_sq   the same with squared distances and d^2
 *   kappa  Cohen's (1968) weighted kappa with quadratic disagreement weights
 *          w_ab = (v_a - v_b)^2 (Hage 2011): 1 - n sum w T / sum w r s
 *   pi     Scott's (1955) nominal pi with pooled marginals
 *   taub   Kendall's (1938) tau-b
 *   s_w, s_w_sq  S with item weights (Signorino & Ritter 1999, e.g.
 *          capability shares): sums of w_k d(a_ik, a_jk) over the common
 *          items, divided by d (d^2) times the sum of their weights
 * A measure whose denominator is zero is NaN.
 */
#include "multipolar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <pthread.h>
#define SIM_HAVE_THREADS 1
#else
#define SIM_HAVE_THREADS 0
#endif

#include "similarity.h"

/* ---- status codes and the packed entry key ------------------------------- */

/* Status of the GIL-free stages; zero is success. */
typedef enum {
    SIM_OK = 0,
    SIM_ERR_NOMEM,     /* scratch allocation failed */
    SIM_ERR_ROW,       /* an entry's row outside [0, nrows) */
    SIM_ERR_ITEM,      /* an entry's item outside [0, nitems of its year) */
    SIM_ERR_LEVEL,     /* an entry's level outside [0, nlevels) */
    SIM_ERR_DUPLICATE, /* two entries for one (row, item) */
    SIM_ERR_WEIGHT,    /* a weight that is negative, infinite or NaN */
} sim_status_t;

typedef struct {
    sim_status_t status;
    npy_intp index;  /* entry (or weight) position at fault */
    npy_int64 value; /* offending value */
    npy_int64 extra; /* bound, or the row of a duplicate */
    double dvalue;   /* offending weight */
} sim_error_t;

/* An entry is stored as item * SIM_LEVEL_SLOTS + level. */
#define SIM_LEVEL_SLOTS 16
#define SIM_LEVEL_SHIFT 4

/* Doubles of pair results a worker keeps per block of rows (16 MiB). */
#define SIM_SCRATCH_DOUBLES ((npy_intp)1 << 21)

enum {
    SIM_S = 0,
    SIM_S_SQ = 1,
    SIM_KAPPA = 2,
    SIM_PI = 3,
    SIM_TAUB = 4,
    SIM_S_W = 5,
    SIM_S_W_SQ = 6,
};

/* ---- loop instantiations ------------------------------------------------- */
#define MP_LOOPS_HEADER "similarity_loops.h"
#include "each_code_dtype.h"
#undef MP_LOOPS_HEADER

/* ---- dispatch tables: [code dtype], in the order of multipolar.h's list ---- */
typedef void (*count_entries_fn)(const char *, npy_intp, const char *, npy_intp, const char *,
                                 npy_intp, npy_intp, npy_intp, int, const npy_intp *,
                                 const npy_intp *, npy_intp *, sim_error_t *);
typedef void (*scatter_entries_fn)(const char *, npy_intp, const char *, npy_intp, const char *,
                                   npy_intp, npy_intp, npy_intp *, npy_int64 *);

#define MP_CNT_ITEM(cname, ctype, typenum) count_entries_##cname,
#define MP_SCT_ITEM(cname, ctype, typenum) scatter_entries_##cname,
static const count_entries_fn count_entries_table[] = {MULTIPOLAR_CODE_DTYPES(MP_CNT_ITEM)};
static const scatter_entries_fn scatter_entries_table[] = {MULTIPOLAR_CODE_DTYPES(MP_SCT_ITEM)};
#undef MP_CNT_ITEM
#undef MP_SCT_ITEM

/* ---- shared state of one call --------------------------------------------- */

typedef struct {
    npy_intp nyears;
    const npy_intp *year_ptr;  /* [nyears + 1] first row of each year */
    const npy_intp *nitems;    /* [nyears] items of each year */
    const npy_intp *item_ptr;  /* [nyears + 1] first weight of each year */
    const char *row_key;       /* ccode of each row (int64, any stride) */
    npy_intp row_key_stride;
    const npy_int64 *year_key; /* [nyears] year label */
    const npy_intp *row_start; /* [nrows + 1] CSR segments of keys */
    const npy_int64 *keys;     /* item * SIM_LEVEL_SLOTS + level, sorted per row */
    int nlevels;
    int implicit;
    double lv[MULTIPOLAR_SIM_MAX_LEVELS];
    double dabs[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS]; /* |v_a - v_b| */
    double dsq[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];  /* (v_a - v_b)^2 */
    const double *weights; /* [sum nitems] or NULL */
    const double *wtotal;  /* [nyears] sum of the year's weights, or NULL */
    npy_intp nmeasures;
    const int *measure;      /* [nmeasures] measure ids */
    int need_table;          /* some measure needs the co-occurrence table */
    void (*cooccur)(const npy_uint64 *, const npy_uint64 *, npy_intp, npy_intp, int, int, int,
                    npy_int64 *); /* table builder for this CPU */
    int need_weighted;       /* some measure needs the weighted sums */
    const npy_intp *out_ptr; /* [nyears + 1] first output row of each year */
    npy_int64 *o_c1, *o_c2, *o_year, *o_n;
    double *o_val; /* [nmeasures][nout] */
    npy_intp nout;
    const npy_intp *order; /* years, largest first */
#if SIM_HAVE_THREADS
    pthread_mutex_t lock;
#endif
    npy_intp next; /* next position in order, guarded by lock */
} sim_ctx_t;

typedef struct {
    sim_ctx_t *ctx;
    npy_uint64 *bits; /* [maxN][maxW][L] bit sets of the explicit levels */
    npy_int64 *cnt;   /* [maxN][nlevels] entries per level */
    npy_intp *first;  /* [maxN] first word with a set bit, or W */
    npy_intp *last;   /* [maxN] last word with a set bit, or -1 */
    double *sym;      /* block of pair results, see similarity_year */
} sim_worker_t;

/* ---- small helpers ---------------------------------------------------------- */

/* Bits set in a 64-bit word (portable SWAR count; runs without the GIL). */
static inline npy_int64
popcount64(npy_uint64 x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (npy_int64)((x * 0x0101010101010101ULL) >> 56);
}

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

/*
 * Add the popcounts of the explicit-level bit sets of two rows, over words
 * lo..hi, into the table T[c][c] (explicit levels start at `off`). Two
 * builds of one loop: the portable one, and on x86 one compiled for the
 * POPCNT instruction, chosen at run time when the CPU has it. Runs without
 * the GIL.
 */
#define SIM_COOCCUR(NAME, POPCOUNT)                                                          \
    static void NAME(const npy_uint64 *bi, const npy_uint64 *bj, npy_intp lo, npy_intp hi,     \
                     int L, int off, int c, npy_int64 *T)                                      \
    {                                                                                          \
        for (npy_intp word = lo; word <= hi; word++) {                                         \
            const npy_uint64 *wi = bi + word * L;                                              \
            const npy_uint64 *wj = bj + word * L;                                              \
            for (int a = 0; a < L; a++) {                                                      \
                if (wi[a] == 0) {                                                              \
                    continue;                                                                  \
                }                                                                              \
                for (int b = 0; b < L; b++) {                                                  \
                    T[(a + off) * c + (b + off)] += POPCOUNT(wi[a] & wj[b]);                   \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }

SIM_COOCCUR(cooccur_portable, popcount64)

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SIM_X86_POPCNT 1
#define SIM_POPCNT(x) ((npy_int64)__builtin_popcountll(x))
__attribute__((target("popcnt"))) SIM_COOCCUR(cooccur_popcnt, SIM_POPCNT)
#undef SIM_POPCNT
#else
#define SIM_X86_POPCNT 0
#endif
#undef SIM_COOCCUR

typedef struct {
    npy_intp cost;
    npy_intp year;
} sim_order_t;

/* Larger years first; ties by position, so the schedule is deterministic. */
static int
cmp_order(const void *a, const void *b)
{
    const sim_order_t *x = (const sim_order_t *)a, *y = (const sim_order_t *)b;
    if (x->cost != y->cost) {
        return x->cost > y->cost ? -1 : 1;
    }
    return (x->year > y->year) - (x->year < y->year);
}

/*
 * Every measure of one co-occurrence table.
 * in:  T[c][c] counts (row level, column level), the call's level constants
 *      (ctx->lv, dabs, dsq), the measure ids; wsum[0..2] = weighted |d|, d^2
 *      and weight sums
 * NaN: a measure with a zero denominator (no common item; a constant
 *      portfolio for kappa, pi and tau-b) is NaN
 * out: res[m] for each of the nmeasures ids in measure[]
 * Counts and the tau-b pair sums are exact integers; runs without the GIL.
 */
static void
measures_of_table(const sim_ctx_t *ctx, const npy_int64 *T, const int *measure,
                  npy_intp nmeasures, const double *wsum, double *res)
{
    const int c = ctx->nlevels;
    const double *lv = ctx->lv;
    const double d = lv[c - 1] - lv[0];
    npy_int64 n = 0, agree = 0;
    npy_int64 r[MULTIPOLAR_SIM_MAX_LEVELS], s[MULTIPOLAR_SIM_MAX_LEVELS];
    double num_abs = 0.0, num_sq = 0.0;
    for (int a = 0; a < c; a++) {
        r[a] = 0;
        s[a] = 0;
    }
    for (int a = 0; a < c; a++) {
        for (int b = 0; b < c; b++) {
            const npy_int64 t = T[a * c + b];
            r[a] += t;
            s[b] += t;
            num_abs += (double)t * ctx->dabs[a * c + b];
            num_sq += (double)t * ctx->dsq[a * c + b];
        }
        agree += T[a * c + a];
        n += r[a];
    }
    const double nd = (double)n;
    for (npy_intp m = 0; m < nmeasures; m++) {
        double v = NPY_NAN;
        switch (measure[m]) {
        case SIM_S:
            if (n > 0) {
                v = 1.0 - 2.0 * num_abs / (nd * d);
            }
            break;
        case SIM_S_SQ:
            if (n > 0) {
                v = 1.0 - 2.0 * num_sq / (nd * d * d);
            }
            break;
        case SIM_KAPPA: {
            /* expected disagreement sum_ab r_a s_b (v_a - v_b)^2, expanded with
             * levels shifted to v_1 = 0; it is zero exactly when both
             * portfolios sit on one common level, which is tested directly */
            double r1 = 0.0, r2 = 0.0, s1 = 0.0, s2 = 0.0;
            int same_constant = 0;
            for (int a = 0; a < c; a++) {
                const double u = lv[a] - lv[0];
                r1 += (double)r[a] * u;
                r2 += (double)r[a] * u * u;
                s1 += (double)s[a] * u;
                s2 += (double)s[a] * u * u;
                same_constant |= (r[a] == n && s[a] == n);
            }
            const double expected = nd * r2 + nd * s2 - 2.0 * r1 * s1;
            if (n > 0 && !same_constant && expected > 0) {
                v = 1.0 - nd * num_sq / expected;
            }
            break;
        }
        case SIM_PI:
            if (n > 0) {
                /* p_e = sum_a ((r_a + s_a) / 2n)^2, accumulated exactly */
                npy_int64 pooled = 0;
                for (int a = 0; a < c; a++) {
                    pooled += (r[a] + s[a]) * (r[a] + s[a]);
                }
                const double pe = (double)pooled / (4.0 * nd * nd);
                if (pooled < 4 * n * n) {
                    v = ((double)agree / nd - pe) / (1.0 - pe);
                }
            }
            break;
        case SIM_TAUB: {
            /* C - D = sum_ab T_ab (pairs below-right - pairs below-left), with
             * below[] the column sums of the rows below row a */
            npy_int64 below[MULTIPOLAR_SIM_MAX_LEVELS];
            npy_int64 cd = 0, tie_r = 0, tie_s = 0;
            for (int b = 0; b < c; b++) {
                below[b] = 0;
            }
            for (int a = c - 2; a >= 0; a--) {
                npy_int64 left = 0, total = 0;
                for (int b = 0; b < c; b++) {
                    below[b] += T[(a + 1) * c + b];
                    total += below[b];
                }
                for (int b = 0; b < c; b++) {
                    const npy_int64 right = total - left - below[b];
                    cd += T[a * c + b] * (right - left);
                    left += below[b];
                }
            }
            for (int a = 0; a < c; a++) {
                tie_r += r[a] * (r[a] - 1) / 2;
                tie_s += s[a] * (s[a] - 1) / 2;
            }
            const npy_int64 n0 = n * (n - 1) / 2;
            if (n0 - tie_r > 0 && n0 - tie_s > 0) {
                v = (double)cd / sqrt((double)(n0 - tie_r) * (double)(n0 - tie_s));
            }
            break;
        }
        case SIM_S_W:
            if (wsum[2] > 0) {
                v = 1.0 - 2.0 * wsum[0] / (wsum[2] * d);
            }
            break;
        case SIM_S_W_SQ:
            if (wsum[2] > 0) {
                v = 1.0 - 2.0 * wsum[1] / (wsum[2] * d * d);
            }
            break;
        default:
            break;
        }
        res[m] = v;
    }
}

/*
 * Weighted distance sums of two sorted rows of packed keys.
 * in:  ka[na], kb[nb] (sorted by item), item weights w of the year, level
 *      values lv; implicit: an item missing from a row has level 0 and every
 *      item counts (total = the year's weight sum); otherwise only items in
 *      both rows count
 * out: wsum[0] = sum w |d|, wsum[1] = sum w d^2, wsum[2] = sum w;
 *      returns the number of items in both rows
 * Runs without the GIL.
 */
static npy_int64
weighted_sums(const npy_int64 *ka, npy_intp na, const npy_int64 *kb, npy_intp nb,
              const double *w, const double *lv, int implicit, double total, double *wsum)
{
    double sabs = 0.0, ssq = 0.0, sw = 0.0;
    npy_int64 common = 0;
    npy_intp i = 0, j = 0;
    while (i < na || j < nb) {
        const npy_int64 ia = i < na ? ka[i] >> SIM_LEVEL_SHIFT : NPY_MAX_INT64;
        const npy_int64 ib = j < nb ? kb[j] >> SIM_LEVEL_SHIFT : NPY_MAX_INT64;
        double va, vb, wk;
        if (ia == ib) {
            va = lv[ka[i] & (SIM_LEVEL_SLOTS - 1)];
            vb = lv[kb[j] & (SIM_LEVEL_SLOTS - 1)];
            wk = w != NULL ? w[ia] : 1.0;
            i++;
            j++;
            sw += wk;
            common++;
        }
        else if (ia < ib) {
            i++;
            if (!implicit) {
                continue;
            }
            va = lv[ka[i - 1] & (SIM_LEVEL_SLOTS - 1)];
            vb = lv[0];
            wk = w != NULL ? w[ia] : 1.0;
        }
        else {
            j++;
            if (!implicit) {
                continue;
            }
            va = lv[0];
            vb = lv[kb[j - 1] & (SIM_LEVEL_SLOTS - 1)];
            wk = w != NULL ? w[ib] : 1.0;
        }
        sabs += wk * fabs(va - vb);
        ssq += wk * (va - vb) * (va - vb);
    }
    wsum[0] = sabs;
    wsum[1] = ssq;
    wsum[2] = implicit ? total : sw;
    return common;
}

/* What one year's pairs share (set by similarity_year). */
typedef struct {
    npy_intp r0, N, K, W;
    int off, L;
    const double *w;
    double total;
} sim_year_t;

/*
 * The measures of one pair of rows (i, j) of a year, i != j.
 * out: vals[m * stride] for each measure m, then vals[nmeasures * stride] = n
 * Runs without the GIL.
 */
static void
pair_values(const sim_ctx_t *ctx, const sim_worker_t *wk, const sim_year_t *yr, npy_intp i,
            npy_intp j, double *vals, npy_intp stride)
{
    const int c = ctx->nlevels, off = yr->off, L = yr->L;
    npy_int64 T[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];
    double res[MULTIPOLAR_SIM_NMEASURES];
    double wsum[3] = {0.0, 0.0, 0.0};
    npy_int64 n = yr->K;

    memset(T, 0, (size_t)(c * c) * sizeof(npy_int64));
    if (ctx->need_table) {
        const npy_uint64 *bits = wk->bits;
        const npy_int64 *cnt = wk->cnt;
        const npy_intp lo = wk->first[i] > wk->first[j] ? wk->first[i] : wk->first[j];
        const npy_intp hi = wk->last[i] < wk->last[j] ? wk->last[i] : wk->last[j];
        ctx->cooccur(bits + i * yr->W * L, bits + j * yr->W * L, lo, hi, L, off, c, T);
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
        const npy_int64 common = weighted_sums(
            ctx->keys + si, ctx->row_start[yr->r0 + i + 1] - si, ctx->keys + sj,
            ctx->row_start[yr->r0 + j + 1] - sj, yr->w, ctx->lv, ctx->implicit, yr->total, wsum);
        if (!ctx->need_table && !ctx->implicit) {
            n = common;
        }
    }
    for (npy_intp m0 = 0; m0 < ctx->nmeasures; m0 += MULTIPOLAR_SIM_NMEASURES) {
        npy_intp mcount = ctx->nmeasures - m0;
        if (mcount > MULTIPOLAR_SIM_NMEASURES) {
            mcount = MULTIPOLAR_SIM_NMEASURES;
        }
        measures_of_table(ctx, T, ctx->measure + m0, mcount, wsum, res);
        for (npy_intp m = 0; m < mcount; m++) {
            vals[(m0 + m) * stride] = res[m];
        }
    }
    vals[ctx->nmeasures * stride] = (double)n;
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

/*
 * All pairs of one year.
 * in:  the call's shared state (read-only), the year's position y
 * out: the year's N (N - 1) output rows, written in order; nothing else is
 *      written, so years may run concurrently
 * scratch: the worker's bit sets and counts, and a block of results: rows
 *      i0..i1 of the year against every row, measure-major. A pair inside
 *      the block or after it is computed once and stored for both rows; a
 *      pair with a row of an earlier block is computed again (only when a
 *      year has more rows than fit one block).
 * Runs without the GIL; cannot fail (input validated beforehand).
 */
static void
similarity_year(const sim_ctx_t *ctx, sim_worker_t *wk, npy_intp y)
{
    sim_year_t yr;
    const int c = ctx->nlevels;
    const npy_intp M = ctx->nmeasures;
    const npy_intp nout = ctx->nout;
    const npy_int64 year = ctx->year_key[y];
    const npy_intp base = ctx->out_ptr[y];

    yr.r0 = ctx->year_ptr[y];
    yr.N = ctx->year_ptr[y + 1] - yr.r0;
    yr.K = ctx->nitems[y];
    yr.W = (yr.K + 63) / 64;
    yr.off = ctx->implicit ? 1 : 0;
    yr.L = c - yr.off;
    yr.w = ctx->weights != NULL ? ctx->weights + ctx->item_ptr[y] : NULL;
    yr.total = ctx->wtotal != NULL ? ctx->wtotal[y] : 0.0;
    const npy_intp N = yr.N;
    if (N < 2) {
        return;
    }
    /* bit sets and level counts of every row of the year */
    if (ctx->need_table) {
        const npy_intp W = yr.W;
        const int off = yr.off, L = yr.L;
        memset(wk->bits, 0, (size_t)(N * W * L) * sizeof(npy_uint64));
        memset(wk->cnt, 0, (size_t)(N * c) * sizeof(npy_int64));
        for (npy_intp i = 0; i < N; i++) {
            npy_intp first = W, last = -1;
            for (npy_intp e = ctx->row_start[yr.r0 + i]; e < ctx->row_start[yr.r0 + i + 1]; e++) {
                const npy_int64 k = ctx->keys[e] >> SIM_LEVEL_SHIFT;
                const int l = (int)(ctx->keys[e] & (SIM_LEVEL_SLOTS - 1));
                wk->cnt[i * c + l] += 1;
                if (l < off) {
                    continue;
                }
                const npy_intp word = (npy_intp)(k >> 6);
                wk->bits[(i * W + word) * L + (l - off)] |= (npy_uint64)1 << (k & 63);
                if (word < first) {
                    first = word;
                }
                if (word > last) {
                    last = word;
                }
            }
            wk->first[i] = first;
            wk->last[i] = last;
        }
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
        /* write the block's output rows in order */
        for (npy_intp i = i0; i < i1; i++) {
            const npy_intp p = base + i * (N - 1);
            const double *row = sym + (i - i0) * N;
            const npy_int64 ci =
                *(const npy_int64 *)(ctx->row_key + (yr.r0 + i) * ctx->row_key_stride);
            for (npy_intp j = 0, q = p; j < N; j++) {
                if (j == i) {
                    continue;
                }
                ctx->o_c1[q] = ci;
                ctx->o_c2[q] =
                    *(const npy_int64 *)(ctx->row_key + (yr.r0 + j) * ctx->row_key_stride);
                ctx->o_year[q] = year;
                ctx->o_n[q] = (npy_int64)row[M * plane + j];
                q++;
            }
            for (npy_intp m = 0; m < M; m++) {
                double *dst = ctx->o_val + m * nout + p;
                const double *src = row + m * plane;
                memcpy(dst, src, (size_t)i * sizeof(double));
                memcpy(dst + i, src + i + 1, (size_t)(N - 1 - i) * sizeof(double));
            }
        }
    }
}

/* Take years from the shared queue until it is empty. Runs without the GIL. */
static void *
sim_worker_main(void *arg)
{
    sim_worker_t *wk = (sim_worker_t *)arg;
    sim_ctx_t *ctx = wk->ctx;
    for (;;) {
        npy_intp t;
#if SIM_HAVE_THREADS
        pthread_mutex_lock(&ctx->lock);
#endif
        t = ctx->next++;
#if SIM_HAVE_THREADS
        pthread_mutex_unlock(&ctx->lock);
#endif
        if (t >= ctx->nyears) {
            break;
        }
        similarity_year(ctx, wk, ctx->order[t]);
    }
    return NULL;
}

/*
 * Build the CSR rows from the entries, check them, and copy the weights.
 * in:  entry arrays (dtype position cidx), row_year[nrows]
 * out: row_start[nrows + 1], keys[n] sorted per row; weights copied to
 *      wcopy with per-year totals; status in *err
 * Runs without the GIL.
 */
static void
build_rows(int cidx, const char *erow, npy_intp ers, const char *eitem, npy_intp eis,
           const char *elev, npy_intp els, npy_intp n, npy_intp nrows, int nlevels,
           const npy_intp *row_year, const npy_intp *nitems, npy_intp *row_start,
           npy_intp *next, npy_int64 *keys, sim_error_t *err)
{
    count_entries_table[cidx](erow, ers, eitem, eis, elev, els, n, nrows, nlevels, row_year,
                              nitems, row_start, err);
    if (err->status != SIM_OK) {
        return;
    }
    for (npy_intp r = 0; r < nrows; r++) {
        row_start[r + 1] += row_start[r];
        next[r] = row_start[r];
    }
    scatter_entries_table[cidx](erow, ers, eitem, eis, elev, els, n, next, keys);
    for (npy_intp r = 0; r < nrows; r++) {
        npy_int64 *seg = keys + row_start[r];
        const npy_intp len = row_start[r + 1] - row_start[r];
        sort_keys(seg, len);
        for (npy_intp e = 1; e < len; e++) {
            if ((seg[e] >> SIM_LEVEL_SHIFT) == (seg[e - 1] >> SIM_LEVEL_SHIFT)) {
                err->status = SIM_ERR_DUPLICATE;
                err->index = row_start[r] + e;
                err->value = seg[e] >> SIM_LEVEL_SHIFT;
                err->extra = r;
                return;
            }
        }
    }
}

/* Turn a GIL-free stage's status into an exception. Call with the GIL held. */
static int
sim_raise(const sim_error_t *err, const char *func)
{
    char *repr = NULL;
    switch (err->status) {
    case SIM_OK:
        return 0;
    case SIM_ERR_NOMEM:
        PyErr_NoMemory();
        return -1;
    case SIM_ERR_ROW:
        PyErr_Format(PyExc_ValueError,
                     "%s: entry_row must be in [0, nrows); got %lld at entry %zd", func,
                     (long long)err->value, (Py_ssize_t)err->index);
        return -1;
    case SIM_ERR_ITEM:
        PyErr_Format(PyExc_ValueError,
                     "%s: entry_item must be in [0, %lld) for its year; got %lld at entry %zd",
                     func, (long long)err->extra, (long long)err->value, (Py_ssize_t)err->index);
        return -1;
    case SIM_ERR_LEVEL:
        PyErr_Format(PyExc_ValueError,
                     "%s: entry_level must be in [0, nlevels); got %lld at entry %zd", func,
                     (long long)err->value, (Py_ssize_t)err->index);
        return -1;
    case SIM_ERR_DUPLICATE:
        PyErr_Format(PyExc_ValueError,
                     "%s: entries must name each (row, item) once; got item %lld twice in "
                     "row %lld",
                     func, (long long)err->value, (long long)err->extra);
        return -1;
    case SIM_ERR_WEIGHT:
        repr = PyOS_double_to_string(err->dvalue, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (repr == NULL) {
            return -1;
        }
        PyErr_Format(PyExc_ValueError,
                     "%s: weights must be finite and non-negative; got %s at position %zd", func,
                     repr, (Py_ssize_t)err->index);
        PyMem_Free(repr);
        return -1;
    }
    PyErr_Format(PyExc_SystemError, "%s: unknown internal status %d", func, (int)err->status);
    return -1;
}

#define SIM_I64(arr, i) (*(const npy_int64 *)(PyArray_BYTES(arr) + (i) * PyArray_STRIDE(arr, 0)))
#define SIM_F64(arr, i) (*(const double *)(PyArray_BYTES(arr) + (i) * PyArray_STRIDE(arr, 0)))
#define SIM_MAX_THREADS 64

/* ---- entry point ---------------------------------------------------------- */

PyObject *
multipolar_similarity_years(PyObject *self, PyObject *args)
{
    static const char func[] = "similarity_years";
    PyArrayObject *year_ptr = NULL, *nitems_arr = NULL, *row_key = NULL, *year_key = NULL;
    PyArrayObject *erow = NULL, *eitem = NULL, *elev = NULL, *levels = NULL;
    PyArrayObject *measures = NULL; /* all borrowed from args */
    PyObject *weights_obj = NULL;   /* borrowed from args */
    PyArrayObject *weights = NULL;  /* borrowed: weights_obj when it is an array */
    int implicit = 0, drop_empty = 0;
    Py_ssize_t nthreads = 1;
    PyArrayObject *o_c1 = NULL, *o_c2 = NULL, *o_year = NULL, *o_n = NULL, *o_val = NULL;
    npy_intp *yp = NULL, *nit = NULL, *item_ptr = NULL, *out_ptr = NULL, *row_year = NULL;
    npy_intp *row_start = NULL, *next = NULL, *order = NULL;
    sim_order_t *order_tmp = NULL;
    npy_int64 *keys = NULL, *ykey = NULL;
    double *wcopy = NULL, *wtotal = NULL;
    int *measure = NULL;
    sim_worker_t *workers = NULL;
    npy_intp nworkers = 0;
    npy_intp nkept = 0;
    int mutex_ready = 0;
    sim_ctx_t ctx;
    sim_error_t err = {SIM_OK, 0, 0, 0, 0.0};
    NPY_BEGIN_THREADS_DEF;

    memset(&ctx, 0, sizeof(ctx));
    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!O!O!pOO!np:similarity_years", &PyArray_Type,
                          &year_ptr, &PyArray_Type, &nitems_arr, &PyArray_Type, &row_key,
                          &PyArray_Type, &year_key, &PyArray_Type, &erow, &PyArray_Type, &eitem,
                          &PyArray_Type, &elev, &PyArray_Type, &levels, &implicit, &weights_obj,
                          &PyArray_Type, &measures, &nthreads, &drop_empty)) {
        return NULL;
    }
    /* 2. validate */
    if (multipolar_check_typed_1d(year_ptr, func, "year_ptr", NPY_INT64, "int64", -1) < 0) {
        return NULL;
    }
    if (PyArray_DIM(year_ptr, 0) < 1) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must have at least one element; got 0",
                     func);
        return NULL;
    }
    const npy_intp nyears = PyArray_DIM(year_ptr, 0) - 1;
    if (multipolar_check_typed_1d(nitems_arr, func, "nitems", NPY_INT64, "int64", nyears) < 0 ||
        multipolar_check_typed_1d(row_key, func, "row_key", NPY_INT64, "int64", -1) < 0 ||
        multipolar_check_typed_1d(year_key, func, "year_key", NPY_INT64, "int64", nyears) < 0 ||
        multipolar_check_typed_1d(levels, func, "levels", NPY_FLOAT64, "float64", -1) < 0 ||
        multipolar_check_typed_1d(measures, func, "measures", NPY_INT64, "int64", -1) < 0) {
        return NULL;
    }
    const npy_intp nrows = PyArray_DIM(row_key, 0);
    const int cidx = multipolar_check_1d(erow, func, "entry_row", 1, -1);
    if (cidx < 0) {
        return NULL;
    }
    const npy_intp nentries = PyArray_DIM(erow, 0);
    if (multipolar_check_1d(eitem, func, "entry_item", 1, nentries) < 0 ||
        multipolar_check_1d(elev, func, "entry_level", 1, nentries) < 0) {
        return NULL;
    }
    if (PyArray_TYPE(eitem) != PyArray_TYPE(erow) || PyArray_TYPE(elev) != PyArray_TYPE(erow)) {
        PyErr_Format(PyExc_TypeError,
                     "%s: entry_item and entry_level must have entry_row's dtype %R; got %R and "
                     "%R",
                     func, (PyObject *)PyArray_DESCR(erow), (PyObject *)PyArray_DESCR(eitem),
                     (PyObject *)PyArray_DESCR(elev));
        return NULL;
    }
    const npy_intp nlevels = PyArray_DIM(levels, 0);
    if (nlevels < 2 || nlevels > MULTIPOLAR_SIM_MAX_LEVELS) {
        PyErr_Format(PyExc_ValueError, "%s: levels must have 2 to %d elements; got %zd", func,
                     MULTIPOLAR_SIM_MAX_LEVELS, (Py_ssize_t)nlevels);
        return NULL;
    }
    for (npy_intp a = 0; a < nlevels; a++) {
        const double v = SIM_F64(levels, a);
        if (!npy_isfinite(v) || (a > 0 && !(v > ctx.lv[a - 1]))) {
            PyErr_Format(PyExc_ValueError,
                         "%s: levels must be finite and strictly increasing; got %R", func,
                         (PyObject *)levels);
            return NULL;
        }
        ctx.lv[a] = v;
    }
    for (npy_intp a = 0; a < nlevels; a++) {
        for (npy_intp b = 0; b < nlevels; b++) {
            const double dist = ctx.lv[a] - ctx.lv[b];
            ctx.dabs[a * nlevels + b] = fabs(dist);
            ctx.dsq[a * nlevels + b] = dist * dist;
        }
    }
    if (nthreads < 1) {
        PyErr_Format(PyExc_ValueError, "%s: nthreads must be >= 1; got %zd", func, nthreads);
        return NULL;
    }
    if (weights_obj != Py_None) {
        if (!PyArray_Check(weights_obj)) {
            PyErr_Format(PyExc_TypeError, "%s: weights must be None or an ndarray; got %R", func,
                         (PyObject *)Py_TYPE(weights_obj));
            return NULL;
        }
        weights = (PyArrayObject *)weights_obj;
    }
    const npy_intp nmeasures = PyArray_DIM(measures, 0);
    for (npy_intp m = 0; m < nmeasures; m++) {
        const npy_int64 id = SIM_I64(measures, m);
        if (id < 0 || id >= MULTIPOLAR_SIM_NMEASURES) {
            PyErr_Format(PyExc_ValueError, "%s: measures must be in [0, %d); got %lld", func,
                         MULTIPOLAR_SIM_NMEASURES, (long long)id);
            return NULL;
        }
        if ((id == SIM_S_W || id == SIM_S_W_SQ) && weights == NULL) {
            PyErr_Format(PyExc_ValueError, "%s: weights must be given for measure %lld; got None",
                         func, (long long)id);
            return NULL;
        }
    }
    /* year layout: row and item offsets, output offsets, scratch sizes */
    yp = PyMem_RawMalloc((size_t)(nyears + 1) * sizeof(npy_intp));
    nit = PyMem_RawMalloc((size_t)(nyears + 1) * sizeof(npy_intp));
    item_ptr = PyMem_RawMalloc((size_t)(nyears + 1) * sizeof(npy_intp));
    out_ptr = PyMem_RawMalloc((size_t)(nyears + 1) * sizeof(npy_intp));
    ykey = PyMem_RawMalloc((size_t)(nyears + 1) * sizeof(npy_int64));
    if (yp == NULL || nit == NULL || item_ptr == NULL || out_ptr == NULL || ykey == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    npy_intp max_rows = 0, max_words = 0;
    yp[0] = 0;
    item_ptr[0] = 0;
    out_ptr[0] = 0;
    if (SIM_I64(year_ptr, 0) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must start at 0; got %lld", func,
                     (long long)SIM_I64(year_ptr, 0));
        goto fail;
    }
    for (npy_intp y = 0; y < nyears; y++) {
        const npy_int64 hi = SIM_I64(year_ptr, y + 1);
        const npy_int64 k = SIM_I64(nitems_arr, y);
        if (hi < yp[y] || hi > nrows) {
            PyErr_Format(PyExc_ValueError,
                         "%s: year_ptr must be non-decreasing within [0, %zd]; got %lld at "
                         "position %zd",
                         func, (Py_ssize_t)nrows, (long long)hi, (Py_ssize_t)(y + 1));
            goto fail;
        }
        if (k < 0 || k > NPY_MAX_INTP / SIM_LEVEL_SLOTS) {
            PyErr_Format(PyExc_ValueError, "%s: nitems must be in [0, %zd]; got %lld at position %zd",
                         func, (Py_ssize_t)(NPY_MAX_INTP / SIM_LEVEL_SLOTS), (long long)k,
                         (Py_ssize_t)y);
            goto fail;
        }
        yp[y + 1] = (npy_intp)hi;
        nit[y] = (npy_intp)k;
        ykey[y] = SIM_I64(year_key, y);
        const npy_intp nr = yp[y + 1] - yp[y];
        const npy_intp pairs = multipolar_mul_size(nr, nr > 0 ? nr - 1 : 0);
        if (pairs < 0 || item_ptr[y] > NPY_MAX_INTP - (npy_intp)k ||
            out_ptr[y] > NPY_MAX_INTP - pairs) {
            PyErr_Format(PyExc_ValueError, "%s: input too large; got %zd rows in year position %zd",
                         func, (Py_ssize_t)nr, (Py_ssize_t)y);
            goto fail;
        }
        item_ptr[y + 1] = item_ptr[y] + (npy_intp)k;
        out_ptr[y + 1] = out_ptr[y] + pairs;
        if (nr > max_rows) {
            max_rows = nr;
        }
        if ((k + 63) / 64 > max_words) {
            max_words = (npy_intp)((k + 63) / 64);
        }
    }
    if (yp[nyears] != nrows) {
        PyErr_Format(PyExc_ValueError, "%s: year_ptr must end at len(row_key) = %zd; got %zd",
                     func, (Py_ssize_t)nrows, (Py_ssize_t)yp[nyears]);
        goto fail;
    }
    const npy_intp total_items = item_ptr[nyears];
    const npy_intp nout = out_ptr[nyears];
    if (weights != NULL &&
        multipolar_check_typed_1d(weights, func, "weights", NPY_FLOAT64, "float64", total_items) < 0) {
        goto fail;
    }
    const int L = (int)nlevels - (implicit ? 1 : 0);
    const npy_intp bits_words =
        multipolar_mul_size(multipolar_mul_size(max_rows, max_words), (npy_intp)L);
    const npy_intp cnt_len = multipolar_mul_size(max_rows, (npy_intp)nlevels);
    npy_intp sym_len = 1;
    for (npy_intp y = 0; y < nyears; y++) {
        const npy_intp nr = yp[y + 1] - yp[y];
        const npy_intp per_row = multipolar_mul_size(nr, nmeasures + 1);
        const npy_intp len = multipolar_mul_size(block_rows(nr, nmeasures + 1), per_row);
        if (per_row < 0 || len < 0) {
            sym_len = -1;
            break;
        }
        if (len > sym_len) {
            sym_len = len;
        }
    }
    if (sym_len < 0 || sym_len > NPY_MAX_INTP / (npy_intp)sizeof(double) ||
        bits_words < 0 || cnt_len < 0 || multipolar_mul_size(nout, nmeasures) < 0 ||
        bits_words > NPY_MAX_INTP / (npy_intp)sizeof(npy_uint64) ||
        nentries > NPY_MAX_INTP / (npy_intp)sizeof(npy_int64)) {
        PyErr_Format(PyExc_ValueError, "%s: input too large; got %zd rows and %zd items", func,
                     (Py_ssize_t)nrows, (Py_ssize_t)total_items);
        goto fail;
    }
    /* 3. allocate */
    o_c1 = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){nout}, NPY_INT64, 0);
    o_c2 = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){nout}, NPY_INT64, 0);
    o_year = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){nout}, NPY_INT64, 0);
    o_n = (PyArrayObject *)PyArray_EMPTY(1, (npy_intp[]){nout}, NPY_INT64, 0);
    o_val = (PyArrayObject *)PyArray_EMPTY(2, ((npy_intp[]){nmeasures, nout}), NPY_FLOAT64, 0);
    if (o_c1 == NULL || o_c2 == NULL || o_year == NULL || o_n == NULL || o_val == NULL) {
        goto fail;
    }
    measure = PyMem_RawMalloc((size_t)(nmeasures > 0 ? nmeasures : 1) * sizeof(int));
    row_year = PyMem_RawMalloc((size_t)(nrows > 0 ? nrows : 1) * sizeof(npy_intp));
    row_start = PyMem_RawCalloc((size_t)nrows + 1, sizeof(npy_intp));
    next = PyMem_RawMalloc((size_t)(nrows > 0 ? nrows : 1) * sizeof(npy_intp));
    keys = PyMem_RawMalloc((size_t)(nentries > 0 ? nentries : 1) * sizeof(npy_int64));
    order = PyMem_RawMalloc((size_t)(nyears > 0 ? nyears : 1) * sizeof(npy_intp));
    order_tmp = PyMem_RawMalloc((size_t)(nyears > 0 ? nyears : 1) * sizeof(sim_order_t));
    if (measure == NULL || row_year == NULL || row_start == NULL || next == NULL ||
        keys == NULL || order == NULL || order_tmp == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (weights != NULL) {
        wcopy = PyMem_RawMalloc((size_t)(total_items > 0 ? total_items : 1) * sizeof(double));
        wtotal = PyMem_RawMalloc((size_t)(nyears > 0 ? nyears : 1) * sizeof(double));
        if (wcopy == NULL || wtotal == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    for (npy_intp m = 0; m < nmeasures; m++) {
        measure[m] = (int)SIM_I64(measures, m);
        if (measure[m] == SIM_S_W || measure[m] == SIM_S_W_SQ) {
            ctx.need_weighted = 1;
        }
        else {
            ctx.need_table = 1;
        }
    }
    if (nyears > 0) {
        npy_intp want = nthreads < SIM_MAX_THREADS ? (npy_intp)nthreads : SIM_MAX_THREADS;
        if (want > nyears) {
            want = nyears;
        }
        if (!SIM_HAVE_THREADS) {
            want = 1;
        }
        workers = PyMem_RawCalloc((size_t)want, sizeof(sim_worker_t));
        if (workers == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        nworkers = want;
        for (npy_intp t = 0; t < nworkers; t++) {
            workers[t].ctx = &ctx;
            workers[t].bits =
                PyMem_RawMalloc((size_t)(bits_words > 0 ? bits_words : 1) * sizeof(npy_uint64));
            workers[t].cnt =
                PyMem_RawMalloc((size_t)(cnt_len > 0 ? cnt_len : 1) * sizeof(npy_int64));
            workers[t].first =
                PyMem_RawMalloc((size_t)(max_rows > 0 ? max_rows : 1) * sizeof(npy_intp));
            workers[t].last =
                PyMem_RawMalloc((size_t)(max_rows > 0 ? max_rows : 1) * sizeof(npy_intp));
            workers[t].sym = PyMem_RawMalloc((size_t)sym_len * sizeof(double));
            if (workers[t].bits == NULL || workers[t].cnt == NULL || workers[t].first == NULL ||
                workers[t].last == NULL || workers[t].sym == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
        }
    }
#if SIM_HAVE_THREADS
    if (pthread_mutex_init(&ctx.lock, NULL) != 0) {
        PyErr_NoMemory();
        goto fail;
    }
    mutex_ready = 1;
#endif
    ctx.cooccur = cooccur_portable;
#if SIM_X86_POPCNT
    if (__builtin_cpu_supports("popcnt")) {
        ctx.cooccur = cooccur_popcnt;
    }
#endif
    ctx.nyears = nyears;
    ctx.year_ptr = yp;
    ctx.nitems = nit;
    ctx.item_ptr = item_ptr;
    ctx.row_key = PyArray_BYTES(row_key);
    ctx.row_key_stride = PyArray_STRIDE(row_key, 0);
    ctx.year_key = ykey;
    ctx.row_start = row_start;
    ctx.keys = keys;
    ctx.nlevels = (int)nlevels;
    ctx.implicit = implicit;
    ctx.weights = wcopy;
    ctx.wtotal = wtotal;
    ctx.nmeasures = nmeasures;
    ctx.measure = measure;
    ctx.out_ptr = out_ptr;
    ctx.o_c1 = (npy_int64 *)PyArray_DATA(o_c1);
    ctx.o_c2 = (npy_int64 *)PyArray_DATA(o_c2);
    ctx.o_year = (npy_int64 *)PyArray_DATA(o_year);
    ctx.o_n = (npy_int64 *)PyArray_DATA(o_n);
    ctx.o_val = (double *)PyArray_DATA(o_val);
    ctx.nout = nout;
    ctx.order = order;
    ctx.next = 0;

    /* 4. release the GIL */
    NPY_BEGIN_THREADS_THRESHOLDED(nentries + nout + total_items);
    /* 5. loop: rows and weights, then the years on the workers */
    for (npy_intp y = 0; y < nyears; y++) {
        for (npy_intp r = yp[y]; r < yp[y + 1]; r++) {
            row_year[r] = y;
        }
    }
    build_rows(cidx, PyArray_BYTES(erow), PyArray_STRIDE(erow, 0), PyArray_BYTES(eitem),
               PyArray_STRIDE(eitem, 0), PyArray_BYTES(elev), PyArray_STRIDE(elev, 0), nentries,
               nrows, (int)nlevels, row_year, nit, row_start, next, keys, &err);
    if (err.status == SIM_OK && weights != NULL) {
        const char *wdata = PyArray_BYTES(weights);
        const npy_intp wstride = PyArray_STRIDE(weights, 0);
        for (npy_intp y = 0; y < nyears && err.status == SIM_OK; y++) {
            double total = 0.0;
            for (npy_intp k = item_ptr[y]; k < item_ptr[y + 1]; k++) {
                const double v = *(const double *)(wdata + k * wstride);
                if (!(v >= 0.0) || npy_isinf(v)) {
                    err.status = SIM_ERR_WEIGHT;
                    err.index = k;
                    err.dvalue = v;
                    break;
                }
                wcopy[k] = v;
                total += v;
            }
            wtotal[y] = total;
        }
    }
    if (err.status == SIM_OK && nworkers > 0) {
        for (npy_intp y = 0; y < nyears; y++) {
            const npy_intp nr = yp[y + 1] - yp[y];
            order_tmp[y].cost = out_ptr[y + 1] - out_ptr[y] + nr;
            order_tmp[y].year = y;
        }
        qsort(order_tmp, (size_t)nyears, sizeof(sim_order_t), cmp_order);
        for (npy_intp y = 0; y < nyears; y++) {
            order[y] = order_tmp[y].year;
        }
#if SIM_HAVE_THREADS
        pthread_t tids[SIM_MAX_THREADS];
        npy_intp started = 0;
        for (npy_intp t = 1; t < nworkers; t++) {
            if (pthread_create(&tids[started], NULL, sim_worker_main, &workers[t]) != 0) {
                break; /* fewer threads: the queue still gets emptied */
            }
            started++;
        }
        sim_worker_main(&workers[0]);
        for (npy_intp t = 0; t < started; t++) {
            pthread_join(tids[t], NULL);
        }
#else
        sim_worker_main(&workers[0]);
#endif
    }
    nkept = nout;
    if (err.status == SIM_OK && drop_empty) {
        /* keep the rows with at least one common item, in order */
        npy_intp k = 0;
        for (npy_intp p = 0; p < nout; p++) {
            if (ctx.o_n[p] == 0) {
                continue;
            }
            if (k != p) {
                ctx.o_c1[k] = ctx.o_c1[p];
                ctx.o_c2[k] = ctx.o_c2[p];
                ctx.o_year[k] = ctx.o_year[p];
                ctx.o_n[k] = ctx.o_n[p];
                for (npy_intp m = 0; m < nmeasures; m++) {
                    ctx.o_val[m * nout + k] = ctx.o_val[m * nout + p];
                }
            }
            k++;
        }
        nkept = k;
    }
    NPY_END_THREADS;

    /* 6. translate */
    if (sim_raise(&err, func) < 0) {
        goto fail;
    }
    /* 7. clean up */
    PyObject *result = Py_BuildValue("(NNNNNn)", (PyObject *)o_c1, (PyObject *)o_c2,
                                     (PyObject *)o_year, (PyObject *)o_n, (PyObject *)o_val,
                                     (Py_ssize_t)nkept);
    /* Py_BuildValue's N steals the five references, on failure too */
    o_c1 = o_c2 = o_year = o_n = o_val = NULL;
    if (result == NULL) {
        goto fail;
    }
    goto done;

fail:
    Py_XDECREF(o_c1);
    Py_XDECREF(o_c2);
    Py_XDECREF(o_year);
    Py_XDECREF(o_n);
    Py_XDECREF(o_val);
    result = NULL;
done:
#if SIM_HAVE_THREADS
    if (mutex_ready) {
        pthread_mutex_destroy(&ctx.lock);
    }
#endif
    (void)mutex_ready;
    if (workers != NULL) {
        for (npy_intp t = 0; t < nworkers; t++) {
            PyMem_RawFree(workers[t].bits);
            PyMem_RawFree(workers[t].cnt);
            PyMem_RawFree(workers[t].first);
            PyMem_RawFree(workers[t].last);
            PyMem_RawFree(workers[t].sym);
        }
    }
    PyMem_RawFree(workers);
    PyMem_RawFree(yp);
    PyMem_RawFree(nit);
    PyMem_RawFree(item_ptr);
    PyMem_RawFree(out_ptr);
    PyMem_RawFree(ykey);
    PyMem_RawFree(measure);
    PyMem_RawFree(row_year);
    PyMem_RawFree(row_start);
    PyMem_RawFree(next);
    PyMem_RawFree(keys);
    PyMem_RawFree(order);
    PyMem_RawFree(order_tmp);
    PyMem_RawFree(wcopy);
    PyMem_RawFree(wtotal);
    return result;
}
