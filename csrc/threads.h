/*
 * threads.h -- the one helper that spreads independent tasks (years, row
 * blocks) over worker threads inside a GIL-released region.
 */
#ifndef MULTIPOLAR_THREADS_H
#define MULTIPOLAR_THREADS_H

#include "multipolar.h"

/* One task: fn(ctx, task) for task in [0, ntasks). Must touch no Python object. */
typedef void (*multipolar_task_fn)(void *ctx, npy_intp task);

/*
 * Run fn(ctx, t) for every t in [0, ntasks), on up to multipolar_num_threads()
 * threads (the calling thread included). Task t always runs on worker
 * t mod nthreads, so a task's own work never depends on the thread count;
 * tasks must write disjoint outputs. Falls back to running the rest serially if
 * a thread cannot be started. Callable without the GIL.
 */
void multipolar_parallel_for(npy_intp ntasks, multipolar_task_fn fn, void *ctx);

/* Worker threads to use: MULTIPOLAR_NUM_THREADS if set (>= 1), else the online CPUs (max 64). */
int multipolar_num_threads(void);

/* Rows [*lo, *hi) of task t when n rows are split into ntasks contiguous, near-equal
 * blocks in order (the first n % ntasks blocks one row longer). */
static inline void
multipolar_block_range(npy_intp n, npy_intp ntasks, npy_intp t, npy_intp *lo, npy_intp *hi)
{
    const npy_intp q = n / ntasks, m = n % ntasks;
    *lo = q * t + (t < m ? t : m);
    *hi = *lo + q + (t < m ? 1 : 0);
}

#endif
