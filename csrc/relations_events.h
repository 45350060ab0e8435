/*
 * relations_events.h -- what the event loops of the relations family share
 * (internal): the validated event description the entry points fill
 * (relations.c), the loops read (relations_loops.h) and the threaded driver
 * runs in blocks (relations_run.c).
 */
#ifndef MULTIPOLAR_RELATIONS_EVENTS_H
#define MULTIPOLAR_RELATIONS_EVENTS_H

#include "multipolar.h"

#include "relations.h"

/* Everything the loops read; filled and validated by the entry points. */
typedef struct {
    const char *code1, *code2, *weight, *time, *quad;
    npy_intp s_code1, s_code2, s_weight, s_time, s_quad;
    const npy_int64 *map1, *map2; /* contiguous copies */
    npy_intp nmap1, nmap2;
    npy_intp nactors;
    /* decay: at - t = phase + kday[k] (kday[k] = k day) has the factor
     * 2^(-(at - t) / h) = ftab[k] */
    npy_int64 at, day, phase;
    double half_life;
    const double *ftab;
    const npy_int64 *kday;
    npy_intp ntable; /* a power of two */
    /* the fast decay loop's extended maps (see decay_fast_body): xmap1 gives
     * pa * N, xmap2 pb, or a class value; positions [fold_lo, fold_hi1/2) are
     * the codes 0, 1, ... of map1/map2 */
    int fast_ok;
    int auto_at; /* at is provisional (fast loop only): the loops track the latest time */
    const npy_int32 *xmap1, *xmap2;
    npy_intp xlen1, xlen2, fold_lo, fold_hi1, fold_hi2;
    /* bins */
    const npy_int64 *edges;
    npy_intp nbins;
} mp_events_t;

/* Events per chunk of the fast decay loop (stack buffers of this length). */
#define MP_EV_CHUNK 512
/* Class values of the extended maps: an actor outside the output, a missing
 * code, a code beyond the map. A cell xmap1[a] + xmap2[b] below N * N is a
 * kept event (N * N < 2^24); bits 24-25 count outside actors, 26-27 missing
 * codes, 28-29 codes out of range, so the sum of two entries keeps each class. */
#define MP_XMAP_OUTSIDE ((npy_int32)1 << 24)
#define MP_XMAP_MISSING ((npy_int32)1 << 26)
#define MP_XMAP_RANGE ((npy_int32)1 << 28)
#define MP_XMAP_MISSING_BITS ((npy_int32)3 << 26)
#define MP_XMAP_RANGE_BITS ((npy_int32)3 << 28)
/* Largest actor count of the fast loop: N * N + 1 < 2^24. */
#define MP_XMAP_MAX_ACTORS 4095

#if defined(_MSC_VER)
#define MP_ALWAYS_INLINE __forceinline
#elif defined(__GNUC__)
#define MP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MP_ALWAYS_INLINE inline
#endif

/* Actors already marked present in used[n] (0 without used). */
static inline npy_intp
count_marked(const npy_uint8 *used, npy_intp n)
{
    npy_intp marked = 0;
    for (npy_intp k = 0; used != NULL && k < n; k++) {
        marked += used[k] != 0;
    }
    return marked;
}

/* Add a loop's local event tallies to its block's counts (MP_EV_* order). The
 * loops keep them in locals: stores through acc would force reloads otherwise. */
static inline void
add_counts(npy_intp *counts, npy_intp used, npy_intp missing, npy_intp outside, npy_intp after,
           npy_intp nan)
{
    counts[MP_EV_USED] += used;
    counts[MP_EV_MISSING] += missing;
    counts[MP_EV_OUTSIDE] += outside;
    counts[MP_EV_AFTER] += after;
    counts[MP_EV_NAN] += nan;
}

/* One typed loop: events [lo, hi) into a block's buffers (see relations_loops.h). */
typedef void (*events_fn)(const mp_events_t *, npy_intp, npy_intp, int, double *, double *,
                          npy_uint8 *, npy_uint8 *, npy_uint8 *, npy_intp *, npy_int64 *,
                          multipolar_error_t *);

/*
 * Run fn over n events into out (nout doubles), qout (4 x nout, or NULL) and
 * used (nactors flags, or NULL) in blocks fixed by the input sizes, on the
 * module's threads, merged in block order (relations_run.c). Holds the GIL on
 * entry and exit. Returns the counts tuple; NULL with an exception set; or
 * NULL with *retry set when an auto_at run must be repeated with an exact at.
 */
PyObject *multipolar_run_events(PyObject *module, const mp_events_t *ev, events_fn fn, npy_intp n,
                                int fast, double *out, npy_intp nout, double *qout,
                                npy_uint8 *used, const char *func, int *retry, npy_int64 *latest);

#endif
