/*
 * similarity_measures.c -- the measures of the similarity family from the
 * c x c co-occurrence table of two portfolios (multipolar.similarity: s_score,
 * kappa, scott_pi, tau_b, and every dyad-year through similarity.c).
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
 *   constant  1 when one portfolio or both use a single level on the common
 *          items (r or s has one non-zero margin), else 0: kappa is then 0
 *          by construction (NaN when both sit at the same level) whatever
 *          the other portfolio does, so the pair's kappa carries no evidence
 * A measure whose denominator is zero is NaN.
 *
 * The tables come from bit sets: per row, one bit set over the items for each
 * explicit level, so a table cell is the popcount of an AND.
 */
#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "similarity_measures.h"

/* a packed key keeps a level in its low bits */
_Static_assert(MULTIPOLAR_SIM_LEVEL_SLOTS >= MULTIPOLAR_SIM_MAX_LEVELS &&
                   (1 << MULTIPOLAR_SIM_LEVEL_SHIFT) == MULTIPOLAR_SIM_LEVEL_SLOTS,
               "a level must fit the low bits of a packed key");

/* ---- names and level tables ----------------------------------------------- */

PyObject *
multipolar_similarity_measure_names(void)
{
#define MP_NAME_ITEM(id, name) name,
    static const char *const names[] = {MULTIPOLAR_SIM_MEASURES(MP_NAME_ITEM)};
#undef MP_NAME_ITEM
    PyObject *tuple = PyTuple_New(MULTIPOLAR_SIM_NMEASURES);
    if (tuple == NULL) {
        return NULL;
    }
    for (Py_ssize_t m = 0; m < MULTIPOLAR_SIM_NMEASURES; m++) {
        PyObject *s = PyUnicode_FromString(names[m]);
        if (s == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, m, s); /* steals s */
    }
    return tuple;
}

void
multipolar_sim_levels_init(multipolar_sim_levels_t *lev)
{
    const int c = lev->nlevels;
    for (int a = 0; a < c; a++) {
        for (int b = 0; b < c; b++) {
            const double dist = lev->lv[a] - lev->lv[b];
            lev->dabs[a * c + b] = fabs(dist);
            lev->dsq[a * c + b] = dist * dist;
        }
    }
}

/* ---- co-occurrence tables --------------------------------------------------- */

/* Bits set in a 64-bit word (portable SWAR count; runs without the GIL). */
static inline npy_int64
popcount64(npy_uint64 x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (npy_int64)((x * 0x0101010101010101ULL) >> 56);
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SIM_X86_POPCNT 1
#define SIM_INLINE static inline __attribute__((always_inline))
#else
#define SIM_X86_POPCNT 0
#define SIM_INLINE static inline
#endif

/*
 * The table loop, written once: T[(a + off) c + (b + off)] += popcount of the
 * AND of level a's bits of row i and level b's bits of row j, over words
 * lo..hi (each word holds L level words). `hw` is a constant at each call
 * site: 1 only where the function is compiled for the POPCNT instruction, so
 * the builtin becomes that instruction; otherwise the portable count. Counts
 * are exact integers, so both builds give the same table. Runs without the GIL.
 */
SIM_INLINE void
cooccur_body(const npy_uint64 *bi, const npy_uint64 *bj, npy_intp lo, npy_intp hi, int L,
             int off, int c, npy_int64 *T, int hw)
{
    for (npy_intp word = lo; word <= hi; word++) {
        const npy_uint64 *wi = bi + word * L;
        const npy_uint64 *wj = bj + word * L;
        for (int a = 0; a < L; a++) {
            if (wi[a] == 0) {
                continue;
            }
            for (int b = 0; b < L; b++) {
                const npy_uint64 x = wi[a] & wj[b];
#if SIM_X86_POPCNT
                T[(a + off) * c + (b + off)] +=
                    hw ? (npy_int64)__builtin_popcountll(x) : popcount64(x);
#else
                (void)hw;
                T[(a + off) * c + (b + off)] += popcount64(x);
#endif
            }
        }
    }
}

static void
cooccur_portable(const npy_uint64 *bi, const npy_uint64 *bj, npy_intp lo, npy_intp hi, int L,
                 int off, int c, npy_int64 *T)
{
    cooccur_body(bi, bj, lo, hi, L, off, c, T, 0);
}

#if SIM_X86_POPCNT
__attribute__((target("popcnt"))) static void
cooccur_popcnt(const npy_uint64 *bi, const npy_uint64 *bj, npy_intp lo, npy_intp hi, int L,
               int off, int c, npy_int64 *T)
{
    cooccur_body(bi, bj, lo, hi, L, off, c, T, 1);
}
#endif

multipolar_sim_cooccur_fn
multipolar_sim_cooccur(void)
{
#if SIM_X86_POPCNT
    if (__builtin_cpu_supports("popcnt")) {
        return cooccur_popcnt;
    }
#endif
    return cooccur_portable;
}

/* ---- measures of one table ---------------------------------------------------- */
/*
 * Weighted kappa's value from the margins r, s of a table with n items and
 * num_sq = sum T_ab (v_a - v_b)^2. The expected disagreement
 * sum_ab r_a s_b (v_a - v_b)^2 is expanded with the levels shifted to v_1 = 0;
 * it is zero exactly when both portfolios sit on one common level, which is
 * tested on the integer margins directly. NaN when undefined.
 */
static double
kappa_of(const double *lv, int c, const npy_int64 *r, const npy_int64 *s, npy_int64 n,
         double num_sq)
{
    const double nd = (double)n;
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
        return 1.0 - nd * num_sq / expected;
    }
    return NPY_NAN;
}

/*
 * Kendall's tau-b of a table. C - D = sum_ab T_ab (pairs below-right - pairs
 * below-left), with below[] the column sums of the rows below row a; the pair
 * counts are exact integers. NaN when either portfolio is constant (or n < 2).
 */
static double
taub_of(const npy_int64 *T, int c, const npy_int64 *r, const npy_int64 *s, npy_int64 n)
{
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
        return (double)cd / sqrt((double)(n0 - tie_r) * (double)(n0 - tie_s));
    }
    return NPY_NAN;
}

/*
 * Every measure of one co-occurrence table.
 * in:  T[c][c] counts (row level, column level), the call's levels and
 *      distances (lev), the measure ids; wsum[0..2] = weighted |d|, d^2
 *      and weight sums
 * NaN: a measure with a zero denominator (no common item; a constant
 *      portfolio for kappa, pi and tau-b) is NaN
 * out: res[m] for each of the nmeasures ids in measure[]
 * Counts and the tau-b pair sums are exact integers; runs without the GIL.
 */
void
multipolar_sim_measures_of_table(const multipolar_sim_levels_t *lev, const npy_int64 *T,
                                 const int *measure, npy_intp nmeasures, const double *wsum,
                                 double *res)
{
    const int c = lev->nlevels;
    const double *lv = lev->lv;
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
            num_abs += (double)t * lev->dabs[a * c + b];
            num_sq += (double)t * lev->dsq[a * c + b];
        }
        agree += T[a * c + a];
        n += r[a];
    }
    const double nd = (double)n;
    for (npy_intp m = 0; m < nmeasures; m++) {
        double v = NPY_NAN;
        switch (measure[m]) {
        case MULTIPOLAR_SIM_S:
            if (n > 0) {
                v = 1.0 - 2.0 * num_abs / (nd * d);
            }
            break;
        case MULTIPOLAR_SIM_S_SQ:
            if (n > 0) {
                v = 1.0 - 2.0 * num_sq / (nd * d * d);
            }
            break;
        case MULTIPOLAR_SIM_KAPPA:
            v = kappa_of(lv, c, r, s, n, num_sq);
            break;
        case MULTIPOLAR_SIM_PI:
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
        case MULTIPOLAR_SIM_TAUB:
            v = taub_of(T, c, r, s, n);
            break;
        case MULTIPOLAR_SIM_S_W:
            if (wsum[2] > 0) {
                v = 1.0 - 2.0 * wsum[0] / (wsum[2] * d);
            }
            break;
        case MULTIPOLAR_SIM_S_W_SQ:
            if (wsum[2] > 0) {
                v = 1.0 - 2.0 * wsum[1] / (wsum[2] * d * d);
            }
            break;
        case MULTIPOLAR_SIM_CONSTANT:
            if (n > 0) {
                int used_r = 0, used_s = 0;
                for (int a = 0; a < c; a++) {
                    used_r += r[a] > 0;
                    used_s += s[a] > 0;
                }
                v = (used_r <= 1 || used_s <= 1) ? 1.0 : 0.0;
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
npy_int64
multipolar_sim_weighted_sums(const npy_int64 *ka, npy_intp na, const npy_int64 *kb, npy_intp nb,
                             const double *w, const double *lv, int implicit, double total,
                             double *wsum)
{
    double sabs = 0.0, ssq = 0.0, sw = 0.0;
    npy_int64 common = 0;
    npy_intp i = 0, j = 0;
    while (i < na || j < nb) {
        const npy_int64 ia = i < na ? ka[i] >> MULTIPOLAR_SIM_LEVEL_SHIFT : NPY_MAX_INT64;
        const npy_int64 ib = j < nb ? kb[j] >> MULTIPOLAR_SIM_LEVEL_SHIFT : NPY_MAX_INT64;
        double va, vb, wk;
        if (ia == ib) {
            va = lv[ka[i] & (MULTIPOLAR_SIM_LEVEL_SLOTS - 1)];
            vb = lv[kb[j] & (MULTIPOLAR_SIM_LEVEL_SLOTS - 1)];
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
            va = lv[ka[i - 1] & (MULTIPOLAR_SIM_LEVEL_SLOTS - 1)];
            vb = lv[0];
            wk = w != NULL ? w[ia] : 1.0;
        }
        else {
            j++;
            if (!implicit) {
                continue;
            }
            va = lv[0];
            vb = lv[kb[j - 1] & (MULTIPOLAR_SIM_LEVEL_SLOTS - 1)];
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
