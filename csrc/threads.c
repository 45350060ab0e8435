/*
 * threads.c -- multipolar_parallel_for: a fixed, static split of independent
 * tasks over POSIX threads (serial elsewhere). No state survives a call.
 */
#include "multipolar.h"

#include <stdlib.h>

#include "threads.h"

#if defined(_WIN32)

int
multipolar_num_threads(void)
{
    return 1;
}

void
multipolar_parallel_for(npy_intp ntasks, multipolar_task_fn fn, void *ctx)
{
    for (npy_intp t = 0; t < ntasks; t++) {
        fn(ctx, t);
    }
}

#else

#include <pthread.h>
#include <unistd.h>

#define MULTIPOLAR_MAX_THREADS 64

typedef struct {
    multipolar_task_fn fn;
    void *ctx;
    npy_intp ntasks;
    npy_intp first;
    npy_intp step;
} worker_t;

int
multipolar_num_threads(void)
{
    const char *env = getenv("MULTIPOLAR_NUM_THREADS");
    long n = 0;
    if (env != NULL && env[0] != '\0') {
        n = strtol(env, NULL, 10);
    }
    if (n < 1) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (n < 1) {
        n = 1;
    }
    return n > MULTIPOLAR_MAX_THREADS ? MULTIPOLAR_MAX_THREADS : (int)n;
}

static void *
worker_main(void *arg)
{
    const worker_t *w = (const worker_t *)arg;
    for (npy_intp t = w->first; t < w->ntasks; t += w->step) {
        w->fn(w->ctx, t);
    }
    return NULL;
}

void
multipolar_parallel_for(npy_intp ntasks, multipolar_task_fn fn, void *ctx)
{
    pthread_t tid[MULTIPOLAR_MAX_THREADS];
    worker_t work[MULTIPOLAR_MAX_THREADS];
    int started[MULTIPOLAR_MAX_THREADS];
    npy_intp nthreads = multipolar_num_threads();
    if (nthreads > ntasks) {
        nthreads = ntasks;
    }
    if (nthreads <= 1) {
        for (npy_intp t = 0; t < ntasks; t++) {
            fn(ctx, t);
        }
        return;
    }
    for (npy_intp k = 0; k < nthreads; k++) {
        work[k] = (worker_t){fn, ctx, ntasks, k, nthreads};
        started[k] = 0;
    }
    for (npy_intp k = 1; k < nthreads; k++) {
        started[k] = pthread_create(&tid[k], NULL, worker_main, &work[k]) == 0;
    }
    worker_main(&work[0]);
    for (npy_intp k = 1; k < nthreads; k++) {
        if (started[k]) {
            pthread_join(tid[k], NULL);
        }
        else {
            worker_main(&work[k]); /* could not start: run its share here */
        }
    }
}

#endif
