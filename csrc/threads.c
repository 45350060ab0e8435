/*
 * threads.c -- the thread runtime (see threads.h): the thread count resolved
 * once with the GIL held, static and dynamic schedules over POSIX threads
 * (serial elsewhere), and padded per-worker scratch.
 */
#if !defined(_WIN32) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "multipolar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"

#if !defined(_WIN32)
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

/* ---- the thread count ---- */

#if !defined(_WIN32)
/* CPUs of the cgroup v2 quota ("max" or "quota period" in cpu.max), or 0 if none. */
static long
cgroup_cpus(void)
{
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
    char quota[32] = {0};
    long period = 0;
    long n = 0;
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%31s %ld", quota, &period) == 2 && strcmp(quota, "max") != 0 && period > 0) {
        const long q = strtol(quota, NULL, 10);
        n = q > 0 ? (q + period - 1) / period : 0;
    }
    fclose(f);
    return n;
}
#endif

int
multipolar_default_threads(void)
{
    long n = 0;
    const char *env = getenv("MULTIPOLAR_NUM_THREADS"); /* GIL held: read once, at import */
    if (env != NULL && env[0] != '\0') {
        n = strtol(env, NULL, 10);
    }
#if !defined(_WIN32)
    if (n < 1) {
        cpu_set_t set;
        CPU_ZERO(&set);
        n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                          : sysconf(_SC_NPROCESSORS_ONLN);
        const long quota = cgroup_cpus();
        if (quota > 0 && quota < n) {
            n = quota;
        }
    }
#endif
    if (n < 1) {
        n = 1;
    }
    return n > MULTIPOLAR_MAX_THREADS ? MULTIPOLAR_MAX_THREADS : (int)n;
}

multipolar_team_t
multipolar_team(PyObject *module, npy_intp ntasks)
{
    multipolar_state_t *st = (multipolar_state_t *)PyModule_GetState(module);
    multipolar_team_t team = {1, st != NULL ? &st->started : NULL};
    npy_intp n = st != NULL ? st->nthreads : 1;
    if (n > ntasks) {
        n = ntasks;
    }
    team.nthreads = n < 1 ? 1 : (int)n;
    return team;
}

/* ---- parallel_for ---- */

typedef struct {
    multipolar_task_fn fn;
    void *ctx;
    npy_intp ntasks;
    npy_intp nthreads;
    multipolar_schedule_t schedule;
    npy_intp next; /* DYNAMIC: the next task to hand out (atomic) */
} loop_t;

typedef struct {
    loop_t *loop;
    int worker;
} worker_t;

static void
run_worker(loop_t *loop, int worker)
{
    if (loop->schedule == MULTIPOLAR_DYNAMIC) {
        for (;;) {
            const npy_intp t = __atomic_fetch_add(&loop->next, 1, __ATOMIC_RELAXED);
            if (t >= loop->ntasks) {
                return;
            }
            loop->fn(loop->ctx, t, worker);
        }
    }
    for (npy_intp t = worker; t < loop->ntasks; t += loop->nthreads) {
        loop->fn(loop->ctx, t, worker);
    }
}

#if !defined(_WIN32)
static void *
worker_main(void *arg)
{
    const worker_t *w = (const worker_t *)arg;
    run_worker(w->loop, w->worker);
    return NULL;
}
#endif

void
multipolar_parallel_for(const multipolar_team_t *team, npy_intp ntasks,
                        multipolar_schedule_t schedule, multipolar_task_fn fn, void *ctx)
{
    npy_intp nthreads = team != NULL ? team->nthreads : 1;
    if (nthreads > ntasks) {
        nthreads = ntasks;
    }
    if (nthreads > MULTIPOLAR_MAX_THREADS) {
        nthreads = MULTIPOLAR_MAX_THREADS;
    }
    loop_t loop = {fn, ctx, ntasks, nthreads < 1 ? 1 : nthreads, schedule, 0};
    if (nthreads <= 1) {
        for (npy_intp t = 0; t < ntasks; t++) {
            fn(ctx, t, 0);
        }
        return;
    }
#if defined(_WIN32)
    for (int k = 0; k < nthreads; k++) {
        run_worker(&loop, k);
    }
#else
    pthread_t tid[MULTIPOLAR_MAX_THREADS];
    worker_t work[MULTIPOLAR_MAX_THREADS];
    int started[MULTIPOLAR_MAX_THREADS];
    for (int k = 1; k < nthreads; k++) {
        work[k] = (worker_t){&loop, k};
        started[k] = pthread_create(&tid[k], NULL, worker_main, &work[k]) == 0;
        if (started[k] && team->started != NULL) {
            __atomic_fetch_add(team->started, 1, __ATOMIC_RELAXED);
        }
    }
    run_worker(&loop, 0);
    for (int k = 1; k < nthreads; k++) {
        if (started[k]) {
            pthread_join(tid[k], NULL);
        }
    }
    /* a worker that could not start: its share runs here, after every started
     * thread has finished, so its scratch slot is used by one thread at a time */
    for (int k = 1; k < nthreads; k++) {
        if (!started[k]) {
            run_worker(&loop, k);
        }
    }
#endif
}

/* ---- per-worker scratch ---- */

void *
multipolar_scratch_alloc(npy_intp nworkers, size_t bytes, size_t *stride)
{
    const size_t line = MULTIPOLAR_CACHE_LINE;
    if (nworkers < 1 || bytes > ((size_t)-1) / 2) {
        return NULL;
    }
    size_t s = (bytes + line - 1) / line * line;
    s = s > 0 ? s : line;
    if (s > ((size_t)-1 - line) / (size_t)nworkers) {
        return NULL;
    }
    /* one raw block, its start rounded up to a cache line; the offset is kept
     * in the line before the first slot */
    char *raw = PyMem_RawCalloc(1, s * (size_t)nworkers + 2 * line);
    if (raw == NULL) {
        return NULL;
    }
    char *base = raw + line + (line - ((size_t)(raw + line) % line)) % line;
    memcpy(base - sizeof(char *), &raw, sizeof(char *));
    *stride = s;
    return base;
}

void
multipolar_scratch_free(void *scratch)
{
    char *raw = NULL;
    if (scratch == NULL) {
        return;
    }
    memcpy(&raw, (char *)scratch - sizeof(char *), sizeof(char *));
    PyMem_RawFree(raw);
}

/* ---- Python-visible runtime functions ---- */

PyObject *
multipolar_set_num_threads(PyObject *module, PyObject *arg)
{
    multipolar_state_t *st = (multipolar_state_t *)PyModule_GetState(module);
    long n;
    if (st == NULL) {
        return NULL;
    }
    const int previous = st->nthreads;
    if (arg == Py_None) {
        n = st->default_nthreads;
    }
    else {
        if (!PyLong_Check(arg) || PyBool_Check(arg)) {
            PyErr_Format(PyExc_TypeError, "set_num_threads: n must be an int or None; got %R",
                         (PyObject *)Py_TYPE(arg));
            return NULL;
        }
        int overflow = 0;
        n = PyLong_AsLongAndOverflow(arg, &overflow);
        if (n == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (overflow != 0 || n < 1 || n > MULTIPOLAR_MAX_THREADS) {
            PyErr_Format(PyExc_ValueError, "set_num_threads: n must be in [1, %d]; got %R",
                         MULTIPOLAR_MAX_THREADS, arg);
            return NULL;
        }
    }
    st->nthreads = (int)n;
    return PyLong_FromLong(previous);
}

PyObject *
multipolar_get_num_threads(PyObject *module, PyObject *noargs)
{
    multipolar_state_t *st = (multipolar_state_t *)PyModule_GetState(module);
    return st == NULL ? NULL : PyLong_FromLong(st->nthreads);
}

PyObject *
multipolar_threads_started(PyObject *module, PyObject *noargs)
{
    multipolar_state_t *st = (multipolar_state_t *)PyModule_GetState(module);
    return st == NULL ? NULL
                      : PyLong_FromSsize_t(
                            (Py_ssize_t)__atomic_load_n(&st->started, __ATOMIC_RELAXED));
}
