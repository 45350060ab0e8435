/*
 * relations_loops.h -- GIL-free typed loops of the relations family, written once.
 *
 * relations.c includes this file once per (weight dtype, code dtype) pair, with
 *   MP_W_T      the C type of the weights       (npy_float64, npy_int32, ...)
 *   MP_W_NAME   its name suffix                  (float64, int32, ...)
 *   MP_C_T      the C type of the actor codes   (npy_int8 ... npy_int64)
 *   MP_C_NAME   its name suffix                  (int8 ... int64)
 * defined before the include and undefined after it. The loops read the
 * event columns through raw pointers and byte strides (any stride, zero
 * included), touch no Python object and run without the GIL.
 *
 * Shared event semantics (both loops):
 *   - an actor code below zero is missing: the event counts as MISSING;
 *   - a code at or beyond the length of its map is an error (ERR_CODE_RANGE);
 *   - a code whose map entry is -1 names an actor outside the output: OUTSIDE;
 *   - otherwise both output positions are marked in used[] (if given);
 *   - a NaT time (INT64_MIN) or a NaN weight: NAN;
 *   - a time outside the window (after `at`, or outside the bin edges): AFTER;
 *   - every other event is added and counted as USED.
 */

#define MP_CAT3(a, b, c) a##_##b##_##c
#define MP_XCAT3(a, b, c) MP_CAT3(a, b, c)
#define MP_FN(base) MP_XCAT3(base, MP_W_NAME, MP_C_NAME)

#ifndef MP_EV_CHUNK
/* Events per chunk of the decay loop's two phases (stack buffers of this length). */
#define MP_EV_CHUNK 512
#endif

/*
 * Decayed accumulation over events [lo, hi).
 * acc:  acc[pa * N + pb] += w * 2^(-(at - t) / h); qacc (if the context has
 *       quad classes) qacc[(q - 1) N^2 + pa N + pb] += 2^(-(at - t) / h)
 * The decay factor of a time difference that is a whole number k of `day`
 * units comes from table[k] (one exp2 per distinct day, not per event);
 * other differences, and k beyond the table, call exp2 directly. With
 * h = inf the factor is 1.
 * status: ERR_CODE_RANGE (a code beyond its map) with the row in *err;
 *         counts[MP_EV_*] incremented. Quad classes are checked (1..4) before.
 */
static void
MP_FN(decay_loop)(const mp_events_t *ev, npy_intp lo, npy_intp hi, double *acc, double *qacc,
                  npy_uint8 *used, npy_intp *counts, multipolar_error_t *err)
{
    /* Every field in a local: stores through acc/used (uint8 may alias anything) would
     * otherwise force the compiler to reload the context on every event. */
    const npy_intp n = ev->nactors;
    const char *const code1 = ev->code1, *const code2 = ev->code2, *const time = ev->time;
    const char *const weight = ev->weight, *const quad = ev->quad;
    const npy_intp s1 = ev->s_code1, s2 = ev->s_code2, st = ev->s_time, sw = ev->s_weight;
    const npy_intp sq = ev->s_quad, nmap1 = ev->nmap1, nmap2 = ev->nmap2;
    const npy_int64 *const map1 = ev->map1, *const map2 = ev->map2;
    const npy_int64 at = ev->at;
    const npy_uint64 day = (npy_uint64)ev->day;
    const double inv_day = 1.0 / (double)ev->day;
    const double h = ev->half_life;
    const int decay = npy_isfinite(h);
    const double *table = ev->table;
    const npy_uint64 ntable = (npy_uint64)ev->ntable;
    npy_intp n_used = 0, n_missing = 0, n_outside = 0, n_after = 0, n_nan = 0;
    /* Two phases per chunk of events: the branchy checks and the decay factor
     * write (cell, value) pairs to small stack buffers, then a tight loop adds
     * them into acc. Splitting keeps each loop's registers free of the other's. */
    npy_intp cell[MP_EV_CHUNK];
    double value[MP_EV_CHUNK], factor[MP_EV_CHUNK];
    npy_int8 qclass[MP_EV_CHUNK];
    npy_intp seen_a[MP_EV_CHUNK], seen_b[MP_EV_CHUNK];
    /* actors already marked in used[] (which may come in partly marked) */
    npy_intp n_marked = 0;
    for (npy_intp k = 0; used != NULL && k < n; k++) {
        n_marked += used[k] != 0;
    }
    for (npy_intp base = lo; base < hi && err->status == MULTIPOLAR_OK; base += MP_EV_CHUNK) {
        const npy_intp stop = hi - base < MP_EV_CHUNK ? hi : base + MP_EV_CHUNK;
        npy_intp m = 0, nseen = 0;
        const int track = used != NULL && n_marked < n;
        for (npy_intp i = base; i < stop; i++) {
            const npy_intp a = (npy_intp)(*(const MP_C_T *)(code1 + i * s1));
            const npy_intp b = (npy_intp)(*(const MP_C_T *)(code2 + i * s2));
            /* one unsigned compare per code on the hot path: missing (< 0) or beyond the map */
            if ((npy_uintp)a >= (npy_uintp)nmap1 || (npy_uintp)b >= (npy_uintp)nmap2) {
                if (a < 0 || b < 0) {
                    n_missing++;
                    continue;
                }
                err->status = MULTIPOLAR_ERR_CODE_RANGE;
                err->index = i;
                err->value = (double)(a >= nmap1 ? a : b);
                break;
            }
            const npy_intp pa = (npy_intp)map1[a];
            const npy_intp pb = (npy_intp)map2[b];
            if ((pa | pb) < 0) {
                n_outside++;
                continue;
            }
            /* both actors are in the output: they count as present (used[]), whatever
             * the time and weight; marked in a loop of their own after the chunk, and
             * not at all once every actor is marked */
            if (track) {
                seen_a[nseen] = pa;
                seen_b[nseen] = pb;
                nseen++;
            }
            const npy_int64 t = *(const npy_int64 *)(time + i * st);
            if (t > at || t == NPY_MIN_INT64) {
                if (t == NPY_MIN_INT64) {
                    n_nan++;
                }
                else {
                    n_after++;
                }
                continue;
            }
            const double w = (double)(*(const MP_W_T *)(weight + i * sw));
            if (npy_isnan(w)) {
                n_nan++;
                continue;
            }
            double f = 1.0;
            if (decay) {
                const npy_uint64 dt = (npy_uint64)at - (npy_uint64)t;
                const double kd = (double)dt * inv_day + 0.5;
                const npy_uint64 k = kd < (double)ntable ? (npy_uint64)kd : ntable;
                f = (k < ntable && k * day == dt) ? table[k] : exp2(-(double)dt / h);
            }
            cell[m] = pa * n + pb;
            value[m] = w * f;
            if (qacc != NULL) {
                /* validated 1..4 by the entry point */
                factor[m] = f;
                qclass[m] = *(const npy_int8 *)(quad + i * sq);
            }
            m++;
        }
        for (npy_intp j = 0; j < m; j++) {
            acc[cell[j]] += value[j];
        }
        if (used != NULL) {
            /* test before storing: after the first chunks every actor is marked,
             * and loads are cheaper than a stream of stores to the same bytes */
            for (npy_intp j = 0; j < nseen; j++) {
                if (!used[seen_a[j]]) {
                    used[seen_a[j]] = 1;
                    n_marked++;
                }
                if (!used[seen_b[j]]) {
                    used[seen_b[j]] = 1;
                    n_marked++;
                }
            }
        }
        if (qacc != NULL) {
            for (npy_intp j = 0; j < m; j++) {
                qacc[(npy_intp)(qclass[j] - 1) * n * n + cell[j]] += factor[j];
            }
        }
        n_used += m;
    }
    counts[MP_EV_USED] += n_used;
    counts[MP_EV_MISSING] += n_missing;
    counts[MP_EV_OUTSIDE] += n_outside;
    counts[MP_EV_AFTER] += n_after;
    counts[MP_EV_NAN] += n_nan;
}

/*
 * Time-binned accumulation over events [lo, hi).
 * acc: acc[k N^2 + pa N + pb] += w for the bin k with edges[k] <= t < edges[k + 1]
 *      (edges strictly increasing, nbins + 1 of them); times outside count as AFTER.
 * The bin of the previous event is tried first (events usually come in time
 * order), then a binary search.
 * status: ERR_CODE_RANGE as decay_loop.
 */
static void
MP_FN(bin_loop)(const mp_events_t *ev, npy_intp lo, npy_intp hi, double *acc, double *unused,
                npy_uint8 *used, npy_intp *counts, multipolar_error_t *err)
{
    const npy_intp n = ev->nactors;
    const char *const code1 = ev->code1, *const code2 = ev->code2, *const time = ev->time;
    const char *const weight = ev->weight;
    const npy_intp s1 = ev->s_code1, s2 = ev->s_code2, st = ev->s_time, sw = ev->s_weight;
    const npy_intp nmap1 = ev->nmap1, nmap2 = ev->nmap2;
    const npy_int64 *const map1 = ev->map1, *const map2 = ev->map2;
    const npy_int64 *edges = ev->edges;
    const npy_intp nbins = ev->nbins;
    npy_intp last = 0;
    npy_intp n_used = 0, n_missing = 0, n_outside = 0, n_after = 0, n_nan = 0;
    for (npy_intp i = lo; i < hi; i++) {
        const npy_intp a = (npy_intp)(*(const MP_C_T *)(code1 + i * s1));
        const npy_intp b = (npy_intp)(*(const MP_C_T *)(code2 + i * s2));
        /* one unsigned compare per code on the hot path: missing (< 0) or beyond the map */
        if ((npy_uintp)a >= (npy_uintp)nmap1 || (npy_uintp)b >= (npy_uintp)nmap2) {
            if (a < 0 || b < 0) {
                n_missing++;
                continue;
            }
            err->status = MULTIPOLAR_ERR_CODE_RANGE;
            err->index = i;
            err->value = (double)(a >= nmap1 ? a : b);
            break;
        }
        const npy_intp pa = (npy_intp)map1[a];
        const npy_intp pb = (npy_intp)map2[b];
        if ((pa | pb) < 0) {
            n_outside++;
            continue;
        }
        if (used != NULL) {
            used[pa] = 1;
            used[pb] = 1;
        }
        const npy_int64 t = *(const npy_int64 *)(time + i * st);
        if (t == NPY_MIN_INT64) {
            n_nan++;
            continue;
        }
        if (nbins == 0 || t < edges[0] || t >= edges[nbins]) {
            n_after++;
            continue;
        }
        const double w = (double)(*(const MP_W_T *)(weight + i * sw));
        if (npy_isnan(w)) {
            n_nan++;
            continue;
        }
        if (!(edges[last] <= t && t < edges[last + 1])) {
            npy_intp l = 0, r = nbins; /* edges[l] <= t < edges[r] */
            while (r - l > 1) {
                const npy_intp mid = l + (r - l) / 2;
                if (edges[mid] <= t) {
                    l = mid;
                }
                else {
                    r = mid;
                }
            }
            last = l;
        }
        acc[last * n * n + pa * n + pb] += w;
        n_used++;
    }
    counts[MP_EV_USED] += n_used;
    counts[MP_EV_MISSING] += n_missing;
    counts[MP_EV_OUTSIDE] += n_outside;
    counts[MP_EV_AFTER] += n_after;
    counts[MP_EV_NAN] += n_nan;
}

#undef MP_FN
#undef MP_XCAT3
#undef MP_CAT3
