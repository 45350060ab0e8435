/*
 * random.h -- the random streams of the Monte Carlo kernels (projection.c,
 * scenarios.c): taking the caller's BitGenerators, cutting draws into blocks,
 * and the variates, written once. The variates are static inline functions;
 * the helpers that touch Python objects are in random.c.
 *
 * Every stream is a NumPy BitGenerator reached through its documented C
 * interface, bitgen_t (numpy/random/bitgen.h): next_uint64 and next_double,
 * which for every NumPy BitGenerator is the same uniform on [0, 1) that
 * numpy.random.Generator.random() returns. NumPy's own distribution
 * functions (random_standard_normal, ...) live in the npyrandom static
 * library, which is not part of the runtime API, so the transforms are our
 * own, from published algorithms (tests/reference/projection.py holds an
 * independent Python twin of the normal generator):
 *
 *   normal   the ziggurat method of Marsaglia & Tsang (2000), "The ziggurat
 *            method for generating random variables", J. Stat. Softw. 5(8),
 *            with 256 layers (R = 3.6541528853610088, V = 0.00492867323399).
 *            One 64-bit draw (next_uint64) gives the layer (bits 0-7), the
 *            sign (bit 8) and a 53-bit uniform (bits 11-63), so the layer and
 *            the abscissa are independent (the correlation Doornik 2005 noted
 *            in the 32-bit original does not arise). Wedge and tail tests use
 *            next_double. The tables are computed per call (mp_zig_init).
 *   gamma    Marsaglia & Tsang (2000), "A simple method for generating gamma
 *            variables", ACM TOMS 26(3); shape < 1 by the boost
 *            G(a) = G(a + 1) U^(1/a).
 *   beta     X / (X + Y) with X ~ G(a), Y ~ G(b).
 *
 * The variates touch no Python object and run without the GIL.
 */
#ifndef MULTIPOLAR_RANDOM_H
#define MULTIPOLAR_RANDOM_H

#include "multipolar.h"

#include <math.h>

#include <numpy/random/bitgen.h>

/* ---- the caller's BitGenerators (random.c; GIL held) ---- */

/*
 * The generators of a kernel call: the bitgen_t of each BitGenerator of a
 * tuple, in tuple order, and each generator's `lock` (a threading.Lock),
 * distinct locks sorted by address. NumPy draws from a BitGenerator only
 * while holding its lock; a kernel holds every lock of its generators from
 * just before it releases the GIL until it has it back, so a Python thread
 * drawing from the same generator waits instead of racing on its state.
 */
typedef struct {
    bitgen_t **gens;   /* n, borrowed: the tuple keeps the generators alive */
    PyObject **locks;  /* nlocks new references, sorted by address, distinct */
    npy_intp n, nlocks;
    npy_intp held;     /* locks[0 .. held) are acquired */
} multipolar_bitgens_t;

/*
 * Fill *out from a tuple of numpy.random.BitGenerator instances (each one's
 * ``capsule``, a PyCapsule named "BitGenerator", and its ``lock``). Raises
 * TypeError naming arg for any other object (a capsule alone does not keep its
 * generator alive) and ValueError for a generator passed twice (two threads
 * would share its state). Locks nothing. Returns 0, or -1 with an
 * exception set and *out empty. GIL held.
 */
int multipolar_bitgens_from_tuple(PyObject *tuple, const char *func, const char *arg,
                                  multipolar_bitgens_t *out);

/*
 * Acquire every lock of *bg, in address order (a fixed order, so two kernel
 * calls sharing generators cannot deadlock). A lock held by another thread is
 * waited for with the GIL released (threading.Lock.acquire releases it). A
 * thread that itself holds one of the locks deadlocks, as it would calling
 * the generator's own methods. Returns 0, or -1 with an exception set (e.g.
 * KeyboardInterrupt while waiting) and nothing held. GIL held.
 */
int multipolar_bitgens_lock(multipolar_bitgens_t *bg);

/* Release the locks held, drop the references and free *bg (keeps a pending
 * exception). Safe on a zeroed or already freed record. GIL held. */
void multipolar_bitgens_free(multipolar_bitgens_t *bg);

/* ---- blocks of draws ---- */

/*
 * Copy the nb block sizes of a checked 1-D int64 array into sizes[] and their
 * running starts into offsets[] (offsets[b] = sizes[0] + ... + sizes[b - 1]),
 * and their sum into *total. A negative size raises the status error NEGATIVE
 * naming arg (row: the block), a total beyond NPY_MAX_INTP a ValueError.
 * Returns 0 or -1. GIL held.
 */
int multipolar_block_offsets(PyArrayObject *arr, npy_intp nb, const char *func, const char *arg,
                             npy_int64 *sizes, npy_int64 *offsets, npy_intp *total);

/* ---- variates (no GIL) ---- */

#define MP_ZIG_R 3.6541528853610088
#define MP_ZIG_V 0.00492867323399

/* Ziggurat tables: layer edges x[0..256] (x[0] = V / f(R), x[1] = R, x[256] = 0) and f(x). */
typedef struct {
    double x[257];
    double f[257];
} mp_zig_t;

static inline void
mp_zig_init(mp_zig_t *z)
{
    z->x[1] = MP_ZIG_R;
    z->f[1] = exp(-0.5 * MP_ZIG_R * MP_ZIG_R);
    z->x[0] = MP_ZIG_V / z->f[1];
    z->f[0] = 1.0; /* unused: layer 0 goes to the tail */
    for (int i = 1; i < 255; i++) {
        z->x[i + 1] = sqrt(-2.0 * log(MP_ZIG_V / z->x[i] + z->f[i]));
        z->f[i + 1] = exp(-0.5 * z->x[i + 1] * z->x[i + 1]);
    }
    z->x[256] = 0.0;
    z->f[256] = 1.0;
}

/* One block's stream and the ziggurat tables it samples with. */
typedef struct {
    bitgen_t *bg;
    const mp_zig_t *zig;
} mp_stream_t;

static inline void
mp_stream_init(mp_stream_t *st, bitgen_t *bg, const mp_zig_t *zig)
{
    st->bg = bg;
    st->zig = zig;
}

/* Uniform on [0, 1): the BitGenerator's next_double. */
static inline double
mp_uniform(mp_stream_t *st)
{
    return st->bg->next_double(st->bg->state);
}

/* Standard normal by the ziggurat (see the file comment). */
static inline double
mp_normal(mp_stream_t *st)
{
    const mp_zig_t *z = st->zig;
    for (;;) {
        const npy_uint64 r = st->bg->next_uint64(st->bg->state);
        const int i = (int)(r & 0xff);
        const int neg = (int)((r >> 8) & 1);
        const double x = (double)(r >> 11) * (1.0 / 9007199254740992.0) * z->x[i];
        if (x < z->x[i + 1]) {
            return neg ? -x : x;
        }
        if (i == 0) {
            /* the tail beyond R (Marsaglia 1964) */
            double a, b;
            do {
                a = -log(1.0 - mp_uniform(st)) / MP_ZIG_R;
                b = -log(1.0 - mp_uniform(st));
            } while (b + b <= a * a);
            return neg ? -(MP_ZIG_R + a) : MP_ZIG_R + a;
        }
        if (z->f[i + 1] + mp_uniform(st) * (z->f[i] - z->f[i + 1]) < exp(-0.5 * x * x)) {
            return neg ? -x : x;
        }
    }
}

/* Gamma(shape, 1), shape > 0 (Marsaglia & Tsang 2000). */
static inline double
mp_gamma(mp_stream_t *st, double shape)
{
    double boost = 1.0;
    if (shape < 1.0) {
        /* G(a) = G(a + 1) * U^(1/a); 1 - U in (0, 1] keeps the power finite */
        boost = pow(1.0 - mp_uniform(st), 1.0 / shape);
        shape += 1.0;
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = mp_normal(st);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = 1.0 - mp_uniform(st);
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) {
            return boost * d * v;
        }
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) {
            return boost * d * v;
        }
    }
}

/* Beta(a, b), a, b > 0. Both gammas can underflow to 0 for tiny shapes: then 0.5. */
static inline double
mp_beta(mp_stream_t *st, double a, double b)
{
    const double x = mp_gamma(st, a);
    const double y = mp_gamma(st, b);
    const double s = x + y;
    return s > 0.0 ? x / s : 0.5;
}

#endif /* MULTIPOLAR_RANDOM_H */
