/*
 * random.c -- the Python side of the random streams (random.h): taking the
 * BitGenerators a Monte Carlo kernel is given, with their locks, and reading
 * its block sizes. Used by project_paths, block_normals (projection.c) and
 * ach_sensitivity (scenarios.c). Everything here runs with the GIL held.
 */
#include "multipolar.h"

#include <stdlib.h>
#include <string.h>

#include "random.h"

/* ---- BitGenerators ---- */

static int
cmp_ptr(const void *a, const void *b)
{
    const char *pa = *(char *const *)a;
    const char *pb = *(char *const *)b;
    return (pa > pb) - (pa < pb);
}

/* Sort n pointers by address; return 1 if one occurs twice. */
static int
sort_has_repeat(void **p, npy_intp n)
{
    qsort(p, (size_t)n, sizeof(void *), cmp_ptr);
    for (npy_intp i = 1; i < n; i++) {
        if (p[i] == p[i - 1]) {
            return 1;
        }
    }
    return 0;
}

/*
 * The bitgen_t and a new reference to the lock of BitGenerator `item`; -1 with
 * TypeError. `item` must be an instance of numpy.random.BitGenerator (type):
 * a capsule alone does not keep its generator alive, so a look-alike object
 * could hand out a pointer into a freed one.
 */
static int
take_one(PyObject *item, PyObject *type, const char *func, const char *arg, Py_ssize_t i,
         bitgen_t **gen, PyObject **lock)
{
    const int is_bitgen = PyObject_IsInstance(item, type);
    PyObject *cap = is_bitgen == 1 ? PyObject_GetAttrString(item, "capsule") : NULL;
    if (is_bitgen < 0) {
        return -1;
    }
    if (cap == NULL || !PyCapsule_IsValid(cap, "BitGenerator")) {
        Py_XDECREF(cap);
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: %s[%zd] must be a numpy.random BitGenerator; got %R",
                     func, arg, i, (PyObject *)Py_TYPE(item));
        return -1;
    }
    /* the capsule points into the generator object, which the tuple keeps alive */
    *gen = (bitgen_t *)PyCapsule_GetPointer(cap, "BitGenerator");
    Py_DECREF(cap);
    if (*gen == NULL) {
        return -1;
    }
    *lock = PyObject_GetAttrString(item, "lock");
    if (*lock == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: %s[%zd] must be a numpy.random BitGenerator with a "
                     "lock; got %R", func, arg, i, (PyObject *)Py_TYPE(item));
        return -1;
    }
    return 0;
}

int
multipolar_bitgens_from_tuple(PyObject *tuple, const char *func, const char *arg,
                              multipolar_bitgens_t *out)
{
    const Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    const size_t n1 = (size_t)(n > 0 ? n : 1);
    void **sorted = NULL;
    PyObject *type = NULL;
    memset(out, 0, sizeof(*out));
    out->gens = PyMem_Calloc(n1, sizeof(bitgen_t *));
    out->locks = PyMem_Calloc(n1, sizeof(PyObject *));
    sorted = PyMem_Calloc(n1, sizeof(void *));
    if (out->gens == NULL || out->locks == NULL || sorted == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (n > 0) {
        PyObject *mod = PyImport_ImportModule("numpy.random"); /* cached in sys.modules */
        type = mod != NULL ? PyObject_GetAttrString(mod, "BitGenerator") : NULL;
        Py_XDECREF(mod);
        if (type == NULL) {
            goto fail;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        /* item borrowed from tuple */
        if (take_one(PyTuple_GET_ITEM(tuple, i), type, func, arg, i, &out->gens[i],
                     &out->locks[i]) < 0) {
            goto fail;
        }
        out->nlocks = i + 1;
    }
    Py_CLEAR(type);
    out->n = n;
    memcpy(sorted, out->gens, (size_t)n * sizeof(void *));
    if (sort_has_repeat(sorted, n)) {
        PyErr_Format(PyExc_ValueError,
                     "%s: %s must hold distinct generators; got one generator twice", func, arg);
        goto fail;
    }
    /* distinct generators may share a lock (it is a plain attribute): take each once */
    qsort(out->locks, (size_t)n, sizeof(PyObject *), cmp_ptr);
    npy_intp k = 0;
    for (npy_intp i = 0; i < n; i++) {
        if (k > 0 && out->locks[i] == out->locks[k - 1]) {
            Py_DECREF(out->locks[i]);
            continue;
        }
        out->locks[k++] = out->locks[i];
    }
    out->nlocks = k;
    PyMem_Free(sorted);
    return 0;
fail:
    Py_XDECREF(type);
    PyMem_Free(sorted);
    multipolar_bitgens_free(out);
    return -1;
}

int
multipolar_bitgens_lock(multipolar_bitgens_t *bg)
{
    while (bg->held < bg->nlocks) {
        PyObject *got = PyObject_CallMethod(bg->locks[bg->held], "acquire", NULL);
        if (got == NULL) {
            break;
        }
        const int ok = PyObject_IsTrue(got);
        Py_DECREF(got);
        if (ok != 1) {
            if (ok == 0) {
                PyErr_SetString(PyExc_SystemError, "a BitGenerator lock was not acquired");
            }
            break;
        }
        bg->held++;
    }
    if (bg->held == bg->nlocks) {
        return 0;
    }
    multipolar_bitgens_free(bg);
    return -1;
}

void
multipolar_bitgens_free(multipolar_bitgens_t *bg)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    for (npy_intp i = bg->held - 1; i >= 0; i--) {
        PyObject *r = PyObject_CallMethod(bg->locks[i], "release", NULL);
        /* a lock some other code released meanwhile is unlocked all the same */
        Py_XDECREF(r);
        PyErr_Clear();
    }
    bg->held = 0;
    for (npy_intp i = 0; i < bg->nlocks; i++) {
        Py_XDECREF(bg->locks[i]);
    }
    bg->nlocks = 0;
    PyMem_Free(bg->locks);
    PyMem_Free(bg->gens);
    bg->locks = NULL;
    bg->gens = NULL;
    bg->n = 0;
    PyErr_Restore(type, value, tb);
}

/* ---- blocks ---- */

int
multipolar_block_offsets(PyArrayObject *arr, npy_intp nb, const char *func, const char *arg,
                         npy_int64 *sizes, npy_int64 *offsets, npy_intp *total)
{
    npy_intp sum = 0;
    for (npy_intp b = 0; b < nb; b++) {
        const npy_int64 v =
            *(const npy_int64 *)(PyArray_BYTES(arr) + b * PyArray_STRIDE(arr, 0));
        if (v < 0) {
            const multipolar_error_t err =
                multipolar_error(MULTIPOLAR_ERR_NEGATIVE, arg, b, (double)v);
            return multipolar_raise_status(&err, func);
        }
        if (v > NPY_MAX_INTP - sum) {
            PyErr_Format(PyExc_ValueError, "%s: %s must sum to at most %zd; got %lld at row %zd",
                         func, arg, (Py_ssize_t)NPY_MAX_INTP, (long long)v, (Py_ssize_t)b);
            return -1;
        }
        sizes[b] = v;
        offsets[b] = sum;
        sum += (npy_intp)v;
    }
    *total = sum;
    return 0;
}
