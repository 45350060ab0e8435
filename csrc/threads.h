/*
 * threads.h -- the one thread runtime of multipolar._core.
 *
 * The thread count is resolved once, with the GIL held: at module init from
 * MULTIPOLAR_NUM_THREADS, the CPUs this process may run on (affinity mask) and
 * the cgroup CPU quota, and afterwards only by _core.set_num_threads (the
 * public multipolar.set_num_threads). An entry point takes a team with
 * multipolar_team() before it releases the GIL and hands that same team to
 * every parallel_for and every per-worker allocation of the call, so the
 * number of workers a call allocates for is the number it runs with.
 *
 * Determinism: a task's work must not depend on which worker runs it, nor on
 * how many workers there are. Reductions are cut into blocks whose number
 * depends on the input sizes alone (never on the team), each block writes its
 * own partial result, and the partials are combined in block order by the
 * caller. Per-worker scratch (indexed by the worker argument) is for
 * temporaries only, never for sums that outlive a task.
 */
#ifndef MULTIPOLAR_THREADS_H
#define MULTIPOLAR_THREADS_H

#include "multipolar.h"

/* The most worker threads one call starts (the calling thread included). */
#define MULTIPOLAR_MAX_THREADS 64

/* Bytes per cache line: per-worker scratch slots are padded to a multiple of it. */
#define MULTIPOLAR_CACHE_LINE 64

/* What the module keeps (PyModule_GetState): see module.c. */
typedef struct {
    int nthreads;         /* threads a call may use; changed only with the GIL held */
    int default_nthreads; /* from the environment and the CPUs at import */
    npy_intp started;     /* threads started so far (atomic; for tests of the runtime) */
} multipolar_state_t;

/* The workers of one call: fixed with the GIL held, read-only afterwards. */
typedef struct {
    int nthreads;       /* >= 1 */
    npy_intp *started;  /* the module's counter of started threads */
} multipolar_team_t;

/* How tasks are handed out: STATIC runs task t on worker t mod nthreads;
 * DYNAMIC hands the next task to the first free worker (uneven tasks). */
typedef enum {
    MULTIPOLAR_STATIC = 0,
    MULTIPOLAR_DYNAMIC = 1,
} multipolar_schedule_t;

/* One task: fn(ctx, task, worker), worker in [0, team->nthreads). Touches no Python object. */
typedef void (*multipolar_task_fn)(void *ctx, npy_intp task, int worker);

/* Resolve the default thread count (environment, affinity, cgroup quota). GIL held. */
int multipolar_default_threads(void);

/*
 * The team for a call of `module` (a _core function's self) with ntasks
 * independent tasks: min(set threads, ntasks), at least 1. Call with the GIL
 * held, before releasing it; the result is plain data usable without the GIL.
 */
multipolar_team_t multipolar_team(PyObject *module, npy_intp ntasks);

/*
 * Run fn(ctx, t, worker) for every t in [0, ntasks) on team->nthreads threads
 * (the calling thread is worker 0). If a thread cannot be started, its tasks
 * run on the calling thread under the same worker index, after the other
 * workers' tasks of the same index are done (so worker scratch is never
 * shared). Callable without the GIL.
 */
void multipolar_parallel_for(const multipolar_team_t *team, npy_intp ntasks,
                             multipolar_schedule_t schedule, multipolar_task_fn fn, void *ctx);

/*
 * Per-worker scratch: nworkers slots of `bytes` each, every slot starting on
 * its own cache line (no false sharing), zeroed. *stride receives the distance
 * between slots in bytes. NULL on overflow or failure. Free with
 * multipolar_scratch_free. Callable without the GIL (raw allocator).
 */
void *multipolar_scratch_alloc(npy_intp nworkers, size_t bytes, size_t *stride);
void multipolar_scratch_free(void *scratch);

/* Slot `worker` of a scratch block made by multipolar_scratch_alloc. */
static inline void *
multipolar_scratch_slot(void *scratch, size_t stride, int worker)
{
    return (char *)scratch + stride * (size_t)worker;
}

/* Rows [*lo, *hi) of task t when n rows are split into ntasks contiguous, near-equal
 * blocks in order (the first n % ntasks blocks one row longer). */
static inline void
multipolar_block_range(npy_intp n, npy_intp ntasks, npy_intp t, npy_intp *lo, npy_intp *hi)
{
    const npy_intp q = n / ntasks, m = n % ntasks;
    *lo = q * t + (t < m ? t : m);
    *hi = *lo + q + (t < m ? 1 : 0);
}

/* Python-visible runtime functions (module.c's method table). */
PyObject *multipolar_set_num_threads(PyObject *module, PyObject *arg);
PyObject *multipolar_get_num_threads(PyObject *module, PyObject *noargs);
PyObject *multipolar_threads_started(PyObject *module, PyObject *noargs);

#endif
