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

/* The actor columns and maps, as locals of a loop. */
typedef struct {
    const char *code1, *code2;
    npy_intp s1, s2, nmap1, nmap2;
    const npy_int64 *map1, *map2;
} MP_FN(actors_t);

/*
 * The actors of event i: 1 with their output positions in *pa and *pb; 0
 * after counting the event in *n_missing (a code below zero) or *n_outside
 * (a map entry -1); -1 with ERR_CODE_RANGE in *err (a code beyond its map;
 * arg "code1" or "code2", limit the length of its map). Each code is read
 * once: the checks and the lookups use the same local.
 */
static MP_ALWAYS_INLINE int
MP_FN(event_actors)(const MP_FN(actors_t) *ac, npy_intp i, npy_intp *pa, npy_intp *pb,
                    npy_intp *n_missing, npy_intp *n_outside, multipolar_error_t *err)
{
    const npy_intp a = (npy_intp)(*(const MP_C_T *)(ac->code1 + i * ac->s1));
    const npy_intp b = (npy_intp)(*(const MP_C_T *)(ac->code2 + i * ac->s2));
    /* one unsigned compare per code on the hot path: missing (< 0) or beyond the map */
    if ((npy_uintp)a >= (npy_uintp)ac->nmap1 || (npy_uintp)b >= (npy_uintp)ac->nmap2) {
        if (a < 0 || b < 0) {
            ++*n_missing;
            return 0;
        }
        /* the argument at fault and its bound go with the error (one error channel) */
        const int first = a >= ac->nmap1;
        err->status = MULTIPOLAR_ERR_CODE_RANGE;
        err->index = i;
        err->value = (double)(first ? a : b);
        err->arg = first ? "code1" : "code2";
        err->limit = first ? ac->nmap1 : ac->nmap2;
        return -1;
    }
    *pa = (npy_intp)ac->map1[a];
    *pb = (npy_intp)ac->map2[b];
    if ((*pa | *pb) < 0) {
        ++*n_outside;
        return 0;
    }
    return 1;
}

/*
 * Decayed accumulation over events [lo, hi), the exact event-by-event loop.
 * acc:  acc[pa * N + pb] += w * 2^(-(at - t) / h); qacc (if the context has
 *       quad classes) qacc[(q - 1) qstride + pa N + pb] += 2^(-(at - t) / h)
 * The decay factor of a time difference at - t = phase + k day (k a whole
 * number below the table's length, kday[k] = k day) is ftab[k]: one exp2 per distinct day,
 * not per event; other differences call exp2 directly. With h = inf the
 * factor is 1.
 * *n_marked counts the actors marked in used[] (kept up to date).
 * status: ERR_CODE_RANGE (a code beyond its map) with the row in *err;
 *         RETRY (auto_at: a time so far beyond the provisional at that its
 *         factor could overflow); counts[MP_EV_*] incremented. Quad classes
 *         come from the entry point's validated private copy.
 */
static void
MP_FN(decay_slow)(const mp_events_t *ev, npy_intp lo, npy_intp hi, double *acc, double *qacc,
                  npy_intp qstride, npy_uint8 *used, npy_intp *n_marked, npy_intp *counts,
                  npy_int64 *tmax, multipolar_error_t *err)
{
    /* Every field in a local: stores through acc/used (uint8 may alias anything) would
     * otherwise force the compiler to reload the context on every event. */
    const npy_intp n = ev->nactors;
    const char *const time = ev->time, *const weight = ev->weight, *const quad = ev->quad;
    const npy_intp st = ev->s_time, sw = ev->s_weight, sq = ev->s_quad;
    const MP_FN(actors_t) ac = {ev->code1, ev->code2, ev->s_code1, ev->s_code2,
                                ev->nmap1, ev->nmap2, ev->map1, ev->map2};
    const npy_int64 at = ev->at;
    const npy_uint64 phase = (npy_uint64)ev->phase;
    const double inv_day = 1.0 / (double)ev->day;
    const double h = ev->half_life;
    const int decay = npy_isfinite(h);
    const double *const ftab = ev->ftab;
    const npy_int64 *const kday = ev->kday;
    const double ntable = (double)ev->ntable;
    npy_intp n_used = 0, n_missing = 0, n_outside = 0, n_after = 0, n_nan = 0;
    npy_intp marked = *n_marked;
    const int auto_at = ev->auto_at;
    npy_int64 latest = *tmax;
    for (npy_intp i = lo; i < hi; i++) {
        /* read once: the latest time and the decay see the same value */
        const npy_int64 t = *(const npy_int64 *)(time + i * st);
        if (auto_at) {
            latest = t > latest ? t : latest;
        }
        npy_intp pa = 0, pb = 0;
        const int kept = MP_FN(event_actors)(&ac, i, &pa, &pb, &n_missing, &n_outside, err);
        if (kept <= 0) {
            if (kept < 0) {
                break;
            }
            continue;
        }
        /* both actors are in the output: they count as present (used[]), whatever
         * the time and weight; not looked at once every actor is marked */
        if (used != NULL && marked < n) {
            marked += !used[pa];
            used[pa] = 1;
            marked += !used[pb];
            used[pb] = 1;
        }
        if ((t > at && !auto_at) || t == NPY_MIN_INT64) {
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
        if (t > at) {
            /* auto_at: `at` is provisional and the caller rescales to the latest time;
             * a factor that could overflow asks for an exact run */
            const double up = decay ? (double)((npy_uint64)t - (npy_uint64)at) / h : 0.0;
            if (!(up <= 64.0) || !npy_isfinite(w * exp2(up))) {
                err->status = MULTIPOLAR_RETRY;
                break;
            }
            f = exp2(up);
        }
        else if (decay) {
            const npy_uint64 dt = (npy_uint64)at - (npy_uint64)t; /* t <= at: exact */
            const double kd = dt >= phase ? (double)(dt - phase) * inv_day + 0.5 : -1.0;
            if (kd >= 0.0 && kd < ntable && (npy_uint64)kday[(npy_uint64)kd] == dt - phase) {
                f = ftab[(npy_uint64)kd];
            }
            else {
                f = exp2(-(double)dt / h);
            }
        }
        acc[pa * n + pb] += w * f;
        if (qacc != NULL) {
            /* the entry point's private copy, validated 1..4: no other thread writes it */
            const npy_intp q = (npy_intp)(*(const npy_int8 *)(quad + i * sq));
            qacc[(q - 1) * qstride + pa * n + pb] += f;
        }
        n_used++;
    }
    *n_marked = marked;
    *tmax = latest;
    add_counts(counts, n_used, n_missing, n_outside, n_after, n_nan);
}

/* Position in the extended maps (ev->xmap1/2) of an actor code: the code itself
 * for 8- and 16-bit codes (a negative code wraps to the top half, whose entries
 * say "missing"), the code + 1 clamped to nmap + 1 for wider ones (0: -1, missing). */
static MP_ALWAYS_INLINE npy_uintp
MP_FN(fast_index)(MP_C_T code, npy_uintp nmap)
{
    if (sizeof(MP_C_T) == 1) {
        return (npy_uintp)(npy_uint8)code;
    }
    if (sizeof(MP_C_T) == 2) {
        return (npy_uintp)(npy_uint16)code;
    }
    const npy_uintp k = (npy_uintp)code + 1;
    return k <= nmap ? k : nmap + 1;
}

/*
 * Step 1 of decay_fast_body for the m events of one chunk (pointers at its
 * first event): fills cell, value and, with QUAD, factor and qclass; returns
 * nonzero if a time is off the table (DECAY) or not in [NaT + 1, at].
 */
static MP_ALWAYS_INLINE npy_uint64
MP_FN(decay_fast_chunk)(const mp_events_t *ev, const char *c1, const char *c2, const char *tp,
                        const char *wp, const char *qp, npy_intp m, npy_int32 *cell,
                        double *value, double *factor, npy_int8 *qclass, const npy_intp S1,
                        const npy_intp S2, const npy_intp ST, const npy_intp SW,
                        const npy_intp SQ, const int DECAY, const int QUAD)
{
    const npy_uintp nmap1 = (npy_uintp)ev->nmap1, nmap2 = (npy_uintp)ev->nmap2;
    const npy_int32 *const xmap1 = ev->xmap1, *const xmap2 = ev->xmap2;
    /* at - t = phase + d0, and d0 = k day picks ftab[k] */
    const npy_uint64 atp = (npy_uint64)ev->at - (npy_uint64)ev->phase;
    const double inv_day = 1.0 / (double)ev->day;
    const double *const ftab = ev->ftab;
    const npy_int64 *const kday = ev->kday;
    const npy_uint64 mask = (npy_uint64)ev->ntable - 1;
    /* no decay: a time is kept when t - (NaT + 1) <= at - (NaT + 1), unsigned */
    const npy_uint64 tlo = (npy_uint64)NPY_MIN_INT64 + 1;
    const npy_uint64 tspan = (npy_uint64)ev->at - tlo;
    npy_uint64 bad = 0;
    for (npy_intp j = 0; j < m; j++) {
        const npy_uintp i1 = MP_FN(fast_index)(*(const MP_C_T *)(c1 + j * S1), nmap1);
        const npy_uintp i2 = MP_FN(fast_index)(*(const MP_C_T *)(c2 + j * S2), nmap2);
        const npy_uint64 t = *(const npy_uint64 *)(tp + j * ST);
        const double w = (double)(*(const MP_W_T *)(wp + j * SW));
        double f = 1.0;
        if (DECAY) {
            const npy_int64 d0 = (npy_int64)(atp - t);
            /* |d0| / day < 2^62: the conversion is defined; the check decides */
            const npy_uint64 k = (npy_uint64)(npy_int64)((double)d0 * inv_day + 0.5) & mask;
            bad |= (npy_uint64)kday[k] ^ (npy_uint64)d0;
            f = ftab[k];
        }
        else {
            bad |= (npy_uint64)(t - tlo > tspan);
        }
        cell[j] = xmap1[i1] + xmap2[i2];
        value[j] = w * f;
        if (QUAD) {
            factor[j] = f;
            qclass[j] = *(const npy_int8 *)(qp + j * SQ);
        }
    }
    return bad;
}

/*
 * The decay loop's fast form over [lo, hi), into a private accumulator laid
 * out as acc[N * N + 1] (the last cell collects the events left out) and
 * qacc[4][N * N + 1]. Per chunk of MP_EV_CHUNK events:
 *   1. one branch-free pass: cell = xmap1[code1] + xmap2[code2] (an int32
 *      whose high bits say missing / outside / code out of range), the
 *      factor from ftab with the time difference checked exactly against
 *      kday (or, with h = inf, the time checked to be in [NaT + 1, at]);
 *   2. a vectorizable pass that counts the classes of the chunk's cells;
 *   3. the scatter acc[cell] += w f.
 * A chunk with a time off the table, NaT, after `at` or a code out of range
 * goes through decay_slow instead, which decides each event on its own. A
 * NaN weight of a kept event turns its cell NaN: the caller checks acc and
 * reruns the block through decay_slow if any cell is NaN. S1..SW are the byte
 * strides (constants in the contiguous instantiation), DECAY is 0 or 1.
 */
static MP_ALWAYS_INLINE void
MP_FN(decay_fast_body)(const mp_events_t *ev, npy_intp lo, npy_intp hi, double *acc,
                       double *qacc, npy_uint8 *used, npy_uint8 *seen1, npy_uint8 *seen2,
                       npy_intp *counts, npy_int64 *tmax, multipolar_error_t *err,
                       const npy_intp S1, const npy_intp S2, const npy_intp ST, const npy_intp SW,
                       const int DECAY)
{
    const npy_intp n = ev->nactors;
    const npy_int32 nn = (npy_int32)(n * n);
    const npy_intp qstride = (npy_intp)nn + 1;
    const char *const code1 = ev->code1, *const code2 = ev->code2, *const time = ev->time;
    const char *const weight = ev->weight, *const quad = ev->quad;
    const npy_uintp nmap1 = (npy_uintp)ev->nmap1, nmap2 = (npy_uintp)ev->nmap2;
    const npy_uintp trash1 = ev->xlen1, trash2 = ev->xlen2; /* seen[] slots of left-out events */
    npy_int32 cell[MP_EV_CHUNK];
    double value[MP_EV_CHUNK], factor[MP_EV_CHUNK];
    npy_int8 qclass[MP_EV_CHUNK];
    npy_intp n_marked = count_marked(used, n);
    /* fold seen[] into used[] every `every` chunks: at most about one step per event */
    const npy_intp fold_len = ev->fold_hi1 + ev->fold_hi2 - 2 * ev->fold_lo;
    const npy_intp every = 1 + fold_len / MP_EV_CHUNK;
    npy_intp since_fold = 0;
    int track = used != NULL && n_marked < n;
    for (npy_intp base = lo; base < hi && err->status == MULTIPOLAR_OK; base += MP_EV_CHUNK) {
        const npy_intp m = hi - base < MP_EV_CHUNK ? hi - base : MP_EV_CHUNK;
        const char *const c1 = code1 + base * S1, *const c2 = code2 + base * S2;
        const char *const tp = time + base * ST, *const wp = weight + base * SW;
        /* 1. */
        const char *const qp = qacc != NULL ? quad + base * ev->s_quad : NULL;
        npy_uint64 bad;
        if (qacc != NULL) {
            bad = MP_FN(decay_fast_chunk)(ev, c1, c2, tp, wp, qp, m, cell, value, factor, qclass,
                                          S1, S2, ST, SW, ev->s_quad, DECAY, 1);
        }
        else {
            bad = MP_FN(decay_fast_chunk)(ev, c1, c2, tp, wp, qp, m, cell, value, factor, qclass,
                                          S1, S2, ST, SW, 0, DECAY, 0);
        }
        if (track) {
            /* both actors of a kept event count as present, whatever its time and weight */
            for (npy_intp j = 0; j < m; j++) {
                /* The codes are read again here (storing both indices in step 1 would
                 * slow the hot loop), so "kept" is decided anew from these very reads:
                 * another thread may have changed a code since step 1, and a seen[]
                 * mark must only ever name an actor inside the output. */
                const npy_uintp i1 = MP_FN(fast_index)(*(const MP_C_T *)(c1 + j * S1), nmap1);
                const npy_uintp i2 = MP_FN(fast_index)(*(const MP_C_T *)(c2 + j * S2), nmap2);
                const int keep = (npy_uint32)(ev->xmap1[i1] + ev->xmap2[i2]) < (npy_uint32)nn;
                seen1[keep ? i1 : trash1] = 1;
                seen2[keep ? i2 : trash2] = 1;
            }
        }
        /* 2. (over the whole buffer, a constant trip count, padded with "outside") */
        for (npy_intp j = m; j < MP_EV_CHUNK; j++) {
            cell[j] = MP_XMAP_OUTSIDE;
        }
        npy_int32 any = 0;
        npy_intp n_keep = 0, n_missing = 0;
        for (npy_intp j = 0; j < MP_EV_CHUNK; j++) {
            const npy_int32 c = cell[j];
            any |= c;
            n_keep += (npy_uint32)c < (npy_uint32)nn;
            n_missing += (c & MP_XMAP_MISSING_BITS) != 0;
        }
        if (bad != 0 || (any & MP_XMAP_RANGE_BITS) != 0) {
            MP_FN(decay_slow)(ev, base, base + m, acc, qacc, qstride, used, &n_marked, counts,
                              tmax, err);
        }
        else {
            /* 3. */
            for (npy_intp j = 0; j < m; j++) {
                const npy_int32 c = (npy_uint32)cell[j] < (npy_uint32)nn ? cell[j] : nn;
                acc[c] += value[j];
            }
            if (qacc != NULL) {
                for (npy_intp j = 0; j < m; j++) {
                    const npy_int32 c = (npy_uint32)cell[j] < (npy_uint32)nn ? cell[j] : nn;
                    qacc[(npy_intp)(qclass[j] - 1) * qstride + c] += factor[j];
                }
            }
            counts[MP_EV_USED] += n_keep;
            counts[MP_EV_MISSING] += n_missing;
            counts[MP_EV_OUTSIDE] += m - n_keep - n_missing;
        }
        if (track && (++since_fold >= every || base + m >= hi)) {
            since_fold = 0;
            for (npy_intp k = ev->fold_lo; k < ev->fold_hi1; k++) {
                if (seen1[k]) {
                    seen1[k] = 0;
                    const npy_intp p = (npy_intp)ev->map1[k - ev->fold_lo];
                    if (p >= 0) { /* always, as marks are only set for kept events */
                        n_marked += !used[p];
                        used[p] = 1;
                    }
                }
            }
            for (npy_intp k = ev->fold_lo; k < ev->fold_hi2; k++) {
                if (seen2[k]) {
                    seen2[k] = 0;
                    const npy_intp p = (npy_intp)ev->map2[k - ev->fold_lo];
                    if (p >= 0) {
                        n_marked += !used[p];
                        used[p] = 1;
                    }
                }
            }
            track = n_marked < n;
        }
    }
}

/*
 * The decay loop over [lo, hi). fast == 0: decay_slow straight into acc
 * (N * N) and qacc (4 N * N). fast == 1: decay_fast_body into private
 * accumulators of N * N + 1 cells per matrix (see there), with seen1/seen2
 * scratch of ev->xlen1 + 1 and ev->xlen2 + 1 zeroed bytes when used is given.
 */
static void
MP_FN(decay_loop)(const mp_events_t *ev, npy_intp lo, npy_intp hi, int fast, double *acc,
                  double *qacc, npy_uint8 *used, npy_uint8 *seen1, npy_uint8 *seen2,
                  npy_intp *counts, npy_int64 *tmax, multipolar_error_t *err)
{
    if (!fast) {
        npy_intp n_marked = count_marked(used, ev->nactors);
        MP_FN(decay_slow)(ev, lo, hi, acc, qacc, ev->nactors * ev->nactors, used, &n_marked,
                          counts, tmax, err);
        return;
    }
    npy_intp start[MP_EV_NCOUNT];
    memcpy(start, counts, sizeof(start));
    const int decay = npy_isfinite(ev->half_life);
    const int contiguous = ev->s_code1 == (npy_intp)sizeof(MP_C_T) &&
                           ev->s_code2 == (npy_intp)sizeof(MP_C_T) &&
                           ev->s_time == (npy_intp)sizeof(npy_int64) &&
                           ev->s_weight == (npy_intp)sizeof(MP_W_T);
    if (contiguous && decay) {
        MP_FN(decay_fast_body)(ev, lo, hi, acc, qacc, used, seen1, seen2, counts, tmax, err,
                               sizeof(MP_C_T), sizeof(MP_C_T), sizeof(npy_int64),
                               sizeof(MP_W_T), 1);
    }
    else if (contiguous) {
        MP_FN(decay_fast_body)(ev, lo, hi, acc, qacc, used, seen1, seen2, counts, tmax, err,
                               sizeof(MP_C_T), sizeof(MP_C_T), sizeof(npy_int64),
                               sizeof(MP_W_T), 0);
    }
    else {
        MP_FN(decay_fast_body)(ev, lo, hi, acc, qacc, used, seen1, seen2, counts, tmax, err,
                               ev->s_code1, ev->s_code2, ev->s_time, ev->s_weight, decay);
    }
    if (err->status != MULTIPOLAR_OK) {
        return;
    }
    /* a NaN weight of a kept event: redo the block event by event */
    const npy_intp nn = ev->nactors * ev->nactors;
    int nan = 0;
    for (npy_intp k = 0; k < nn; k++) {
        nan |= acc[k] != acc[k];
    }
    if (nan) {
        memset(acc, 0, (size_t)(nn + 1) * sizeof(double));
        if (qacc != NULL) {
            memset(qacc, 0, (size_t)(4 * (nn + 1)) * sizeof(double));
        }
        memcpy(counts, start, sizeof(start));
        npy_intp n_marked = count_marked(used, ev->nactors);
        MP_FN(decay_slow)(ev, lo, hi, acc, qacc, nn + 1, used, &n_marked, counts, tmax, err);
    }
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
MP_FN(bin_loop)(const mp_events_t *ev, npy_intp lo, npy_intp hi, int fast, double *acc,
                double *unused, npy_uint8 *used, npy_uint8 *seen1, npy_uint8 *seen2,
                npy_intp *counts, npy_int64 *tmax, multipolar_error_t *err)
{
    const npy_intp n = ev->nactors;
    const char *const time = ev->time, *const weight = ev->weight;
    const npy_intp st = ev->s_time, sw = ev->s_weight;
    const MP_FN(actors_t) ac = {ev->code1, ev->code2, ev->s_code1, ev->s_code2,
                                ev->nmap1, ev->nmap2, ev->map1, ev->map2};
    const npy_int64 *edges = ev->edges;
    const npy_intp nbins = ev->nbins;
    npy_intp last = 0;
    npy_intp n_used = 0, n_missing = 0, n_outside = 0, n_after = 0, n_nan = 0;
    /* Two steps per chunk: the checks and the bin write (cell, value) pairs to stack
     * buffers, then a tight loop adds them. The output of bins x N x N is often larger
     * than the caches, and a loop of nothing but independent adds keeps many of its
     * misses in flight at once. */
    npy_intp cell[MP_EV_CHUNK];
    double value[MP_EV_CHUNK];
    for (npy_intp base = lo; base < hi && err->status == MULTIPOLAR_OK; base += MP_EV_CHUNK) {
        const npy_intp stop = hi - base < MP_EV_CHUNK ? hi : base + MP_EV_CHUNK;
        npy_intp m = 0;
        for (npy_intp i = base; i < stop; i++) {
            npy_intp pa = 0, pb = 0;
            const int kept = MP_FN(event_actors)(&ac, i, &pa, &pb, &n_missing, &n_outside, err);
            if (kept <= 0) {
                if (kept < 0) {
                    break;
                }
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
                /* the last k with edges[k] <= t: a binary search whose steps depend only
                 * on nbins, each a conditional move rather than a branch (times in random
                 * order would mispredict half of them) */
                npy_intp l = 0, len = nbins;
                while (len > 1) {
                    const npy_intp half = len / 2;
                    l = edges[l + half] <= t ? l + half : l;
                    len -= half;
                }
                last = l;
            }
            cell[m] = (last * n + pa) * n + pb;
            value[m] = w;
            m++;
        }
        for (npy_intp j = 0; j < m; j++) {
            acc[cell[j]] += value[j];
        }
        n_used += m;
    }
    add_counts(counts, n_used, n_missing, n_outside, n_after, n_nan);
}

#undef MP_FN
#undef MP_XCAT3
#undef MP_CAT3
