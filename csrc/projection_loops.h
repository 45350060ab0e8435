/*
 * projection_loops.h -- the GIL-free path loop of project_paths
 * (projection.c): the per-call context and the task that simulates blocks of
 * paths and counts their statistics. Included once, by projection.c.
 */
#ifndef MULTIPOLAR_PROJECTION_LOOPS_H
#define MULTIPOLAR_PROJECTION_LOOPS_H

#include "multipolar.h"

#include <math.h>
#include <string.h>

#include "random.h"

/* Everything a task reads, and where it writes. */
typedef struct {
    bitgen_t **bitgens;            /* nb, one stream per block */
    const npy_int64 *block_paths;  /* nb */
    const npy_int64 *block_offset; /* nb, first global path of each block */
    npy_intp nb, ntasks;
    npy_intp n, na, h, npairs, bins;
    const double *log0;     /* n */
    const double *drift;    /* h x n */
    const double *factor;   /* n x n */
    const double *dfactor;  /* n x n factor of the drift's sampling covariance, or NULL */
    const npy_int64 *pairs; /* npairs x 2, each in [0, n) */
    double threshold, unipolar;
    /* per task k, at acc + k * acc_stride bytes: the integer counts below */
    char *acc;
    size_t acc_stride;
    /* per worker w, at scratch + w * scratch_stride bytes: z (n), sh (n),
     * logv (max_block x n), dr (max_block x n) doubles, then first
     * (max_block x npairs) npy_intp */
    char *scratch;
    size_t scratch_stride;
    npy_intp max_block;
    double *share_sum;   /* nb x h x na: per-block sums of the shares */
    double *paths;       /* total x h x n, or NULL */
    const mp_zig_t *zig; /* normal tables */
} paths_ctx_t;

/* One task's integer counts, laid out in its accumulator slot. */
typedef struct {
    npy_int64 *share_hist; /* h x na x bins */
    npy_int64 *con_hist;   /* h x bins */
    npy_int64 *neff_hist;  /* h x bins */
    npy_int64 *labels;     /* h x 3 */
    npy_int64 *poles;      /* h x na */
    npy_int64 *first_over; /* npairs x (h + 1) */
    npy_int64 *over;       /* npairs x h */
} paths_counts_t;

/* Number of npy_int64 counts of one task (sizes checked by the caller). */
static inline npy_intp
paths_counts_len(npy_intp h, npy_intp na, npy_intp bins, npy_intp npairs)
{
    return h * na * bins + 2 * h * bins + 3 * h + h * na + npairs * (h + 1) + npairs * h;
}

/* The counts of a task whose slot starts at base. */
static inline paths_counts_t
paths_counts_at(npy_int64 *base, npy_intp h, npy_intp na, npy_intp bins, npy_intp npairs)
{
    paths_counts_t k;
    k.share_hist = base;
    k.con_hist = k.share_hist + h * na * bins;
    k.neff_hist = k.con_hist + h * bins;
    k.labels = k.neff_hist + h * bins;
    k.poles = k.labels + 3 * h;
    k.first_over = k.poles + h * na;
    k.over = k.first_over + npairs * (h + 1);
    return k;
}

static inline npy_intp
bin_of(double x, npy_intp bins)
{
    /* x in [0, 1] up to rounding; clamp so x = 1 (and any rounding) stays in range */
    const double b = x * (double)bins;
    if (!(b > 0.0)) {
        return 0;
    }
    if (b >= (double)bins) {
        return bins - 1;
    }
    return (npy_intp)b;
}

/*
 * The statistics of one path in year t from its log values lv: shares among
 * the first na states (formed in log space, subtracting the largest, so they
 * are finite in [0, 1]), their histograms and block sum ssum, CON, n_eff, the
 * poles and the polarity label, added to the counts k. sh is scratch (na).
 */
static inline void
path_year_stats(const paths_ctx_t *c, const double *lv, double *sh, double *ssum, npy_intp t,
                const paths_counts_t *k)
{
    const npy_intp na = c->na, bins = c->bins;
    npy_int64 *sh_t = k->share_hist + t * na * bins;
    double m = lv[0];
    for (npy_intp i = 1; i < na; i++) {
        if (lv[i] > m) {
            m = lv[i];
        }
    }
    double total = 0.0;
    for (npy_intp i = 0; i < na; i++) {
        sh[i] = exp(lv[i] - m);
        total += sh[i];
    }
    double hhi = 0.0, top = -1.0;
    npy_intp npoles = 0, leader = 0;
    for (npy_intp i = 0; i < na; i++) {
        const double s = sh[i] / total;
        sh[i] = s;
        hhi += s * s;
        if (s > top) {
            top = s;
            leader = i;
        }
        ssum[t * na + i] += s;
        sh_t[i * bins + bin_of(s, bins)]++;
    }
    for (npy_intp i = 0; i < na; i++) {
        /* the leader (first largest share) is a pole whatever the threshold */
        if (sh[i] >= c->threshold || i == leader) {
            k->poles[t * na + i]++;
            npoles++;
        }
    }
    if (na >= 2) {
        const double inv_na = 1.0 / (double)na;
        const double r = (hhi - inv_na) / (1.0 - inv_na);
        k->con_hist[t * bins + bin_of(r > 0.0 ? sqrt(r) : 0.0, bins)]++;
        k->neff_hist[t * bins + bin_of((1.0 / hhi - 1.0) / ((double)na - 1.0), bins)]++;
    }
    else {
        k->neff_hist[t * bins]++;
    }
    int label;
    if (npoles <= 1 || (!npy_isnan(c->unipolar) && top >= c->unipolar)) {
        label = 0;
    }
    else {
        label = npoles == 2 ? 1 : 2;
    }
    k->labels[t * 3 + label]++;
}

/*
 * The drift offset of one path, dfactor z with z (n) standard normals drawn in
 * state order: the path's draw of its mean growth from the estimate's sampling
 * distribution. Kept for the whole horizon (the drift is unknown, not varying).
 */
static inline void
path_drift_offset(const paths_ctx_t *c, mp_stream_t *st, double *z, double *off)
{
    const npy_intp n = c->n;
    for (npy_intp i = 0; i < n; i++) {
        z[i] = mp_normal(st);
    }
    for (npy_intp i = 0; i < n; i++) {
        const double *row = c->dfactor + i * n;
        double acc = 0.0;
        for (npy_intp j = 0; j < n; j++) {
            acc += row[j] * z[j];
        }
        off[i] = acc;
    }
}

/* One year of one path: normals z (n, drawn in state order), the step (the year's drift
 * dr plus the path's own offset off), the kept values. */
static inline void
path_step(const paths_ctx_t *c, mp_stream_t *st, double *z, double *lv, const double *dr,
          const double *off, double *out)
{
    const npy_intp n = c->n;
    for (npy_intp i = 0; i < n; i++) {
        z[i] = mp_normal(st);
    }
    for (npy_intp i = 0; i < n; i++) {
        const double *row = c->factor + i * n;
        double acc = 0.0;
        for (npy_intp j = 0; j < n; j++) {
            acc += row[j] * z[j];
        }
        lv[i] += (dr[i] + off[i]) + acc;
    }
    if (out != NULL) {
        for (npy_intp i = 0; i < n; i++) {
            out[i] = exp(lv[i]);
        }
    }
}

/*
 * Task k: the blocks k, k + ntasks, ... Contract: reads the context's inputs
 * (private copies, validated finite; pairs in range); adds integer counts
 * into task k's accumulator slot, writes the block sums and (if kept) the
 * path values of its own blocks only; temporaries in worker's scratch slot.
 * Within a block each path first draws its drift offset (with dfactor; n
 * normals per path, in path order), then the paths advance year by year (so
 * one year's histograms stay in cache), drawing from the block's own stream
 * in the order year, path, state. No status. Runs without the GIL.
 */
static void
paths_task(void *arg, npy_intp task, int worker)
{
    const paths_ctx_t *c = (const paths_ctx_t *)arg;
    const npy_intp n = c->n, H = c->h, P = c->npairs;
    const paths_counts_t k = paths_counts_at(
        (npy_int64 *)(c->acc + (size_t)task * c->acc_stride), H, c->na, c->bins, P);
    double *z = (double *)(c->scratch + (size_t)worker * c->scratch_stride);
    double *sh = z + n;
    double *logv = sh + n;                 /* max_block x n */
    double *doff = logv + c->max_block * n; /* max_block x n: each path's drift offset */
    npy_intp *first = (npy_intp *)(doff + c->max_block * n); /* max_block x P: first year a > b, or H */

    for (npy_intp b = task; b < c->nb; b += c->ntasks) {
        mp_stream_t st;
        mp_stream_init(&st, c->bitgens[b], c->zig);
        double *ssum = c->share_sum + b * H * c->na;
        const npy_intp np_ = (npy_intp)c->block_paths[b];
        for (npy_intp p = 0; p < np_; p++) {
            memcpy(logv + p * n, c->log0, (size_t)n * sizeof(double));
            for (npy_intp q = 0; q < P; q++) {
                first[p * P + q] = H;
            }
        }
        /* the drift draws come first in the block's stream, in path order */
        for (npy_intp p = 0; p < np_; p++) {
            if (c->dfactor != NULL) {
                path_drift_offset(c, &st, z, doff + p * n);
            }
            else {
                memset(doff + p * n, 0, (size_t)n * sizeof(double));
            }
        }
        for (npy_intp t = 0; t < H; t++) {
            for (npy_intp p = 0; p < np_; p++) {
                double *lv = logv + p * n;
                double *out = c->paths == NULL
                                  ? NULL
                                  : c->paths + (((npy_intp)c->block_offset[b] + p) * H + t) * n;
                path_step(c, &st, z, lv, c->drift + t * n, doff + p * n, out);
                path_year_stats(c, lv, sh, ssum, t, &k);
                for (npy_intp q = 0; q < P; q++) {
                    if (lv[c->pairs[2 * q]] > lv[c->pairs[2 * q + 1]]) {
                        k.over[q * H + t]++;
                        if (first[p * P + q] == H) {
                            first[p * P + q] = t;
                        }
                    }
                }
            }
        }
        for (npy_intp p = 0; p < np_; p++) {
            for (npy_intp q = 0; q < P; q++) {
                k.first_over[q * (H + 1) + first[p * P + q]]++;
            }
        }
    }
}

#endif /* MULTIPOLAR_PROJECTION_LOOPS_H */
