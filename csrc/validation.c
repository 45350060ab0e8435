/*
 * validation.c -- checks the wrappers in multipolar._validation run on whole
 * columns before a kernel, fast enough not to dominate it.
 *
 *   first_duplicate(a, b)
 *       Row index of the first row whose (a, b) pair occurred in an earlier
 *       row, -1 if every pair is unique, or -2 if the pairs' value range is too
 *       large for a bitmap (the caller then sorts). One pass for the range, one
 *       over a bit per possible pair; the second re-checks each value against
 *       the range, since the input may change between the two passes (the GIL
 *       is released), and answers -2 if it did.
 */
#include "multipolar.h"

#include <string.h>

#include "validation.h"

/* Largest bitmap first_duplicate allocates: 2^31 bits = 256 MiB. */
#define MP_MAX_BITS ((npy_intp)1 << 31)

PyObject *
multipolar_first_duplicate(PyObject *self, PyObject *args)
{
    static const char func[] = "first_duplicate";
    PyArrayObject *a = NULL; /* borrowed from args */
    PyArrayObject *b = NULL; /* borrowed from args */
    unsigned char *bits = NULL;
    npy_intp found = -1;
    NPY_BEGIN_THREADS_DEF;

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "O!O!:first_duplicate", &PyArray_Type, &a, &PyArray_Type, &b)) {
        return NULL;
    }
    /* 2. validate: int64 only; the wrapper casts other integer keys */
    if (multipolar_check_typed_1d(a, func, "a", NPY_INT64, "int64", -1) < 0 ||
        multipolar_check_typed_1d(b, func, "b", NPY_INT64, "int64", PyArray_DIM(a, 0)) < 0) {
        return NULL;
    }
    const npy_intp n = PyArray_DIM(a, 0);
    if (n < 2) {
        return PyLong_FromSsize_t(-1);
    }
    const char *adata = PyArray_BYTES(a), *bdata = PyArray_BYTES(b);
    const npy_intp astride = PyArray_STRIDE(a, 0), bstride = PyArray_STRIDE(b, 0);
    npy_int64 amin = NPY_MAX_INT64, amax = NPY_MIN_INT64, bmin = NPY_MAX_INT64,
              bmax = NPY_MIN_INT64;
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (npy_intp i = 0; i < n; i++) {
        const npy_int64 x = *(const npy_int64 *)(adata + i * astride);
        const npy_int64 y = *(const npy_int64 *)(bdata + i * bstride);
        amin = x < amin ? x : amin;
        amax = x > amax ? x : amax;
        bmin = y < bmin ? y : bmin;
        bmax = y > bmax ? y : bmax;
    }
    NPY_END_THREADS;
    /* ranges computed in unsigned arithmetic: int64 extremes must not overflow */
    const npy_uint64 arange = (npy_uint64)amax - (npy_uint64)amin + 1;
    const npy_uint64 brange = (npy_uint64)bmax - (npy_uint64)bmin + 1;
    if (arange == 0 || brange == 0 || arange > (npy_uint64)MP_MAX_BITS ||
        brange > (npy_uint64)MP_MAX_BITS / arange) {
        return PyLong_FromSsize_t(-2);
    }
    /* 3. allocate */
    const npy_intp nbits = (npy_intp)(arange * brange);
    bits = PyMem_RawCalloc((size_t)(nbits / 8 + 1), 1);
    if (bits == NULL) {
        return PyErr_NoMemory();
    }
    /* 4. release the GIL; 5. loop: mark each pair, stop at the first seen twice */
    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (npy_intp i = 0; i < n; i++) {
        const npy_uint64 x = (npy_uint64)(*(const npy_int64 *)(adata + i * astride)) - (npy_uint64)amin;
        const npy_uint64 y = (npy_uint64)(*(const npy_int64 *)(bdata + i * bstride)) - (npy_uint64)bmin;
        if (x >= arange || y >= brange) {
            /* another thread changed the input since the range pass: this value is
             * outside the bitmap, so give up on it and let the caller sort */
            found = -2;
            break;
        }
        const npy_uint64 bit = x * brange + y;
        const unsigned char mask = (unsigned char)(1u << (bit & 7u));
        if (bits[bit >> 3] & mask) {
            found = i;
            break;
        }
        bits[bit >> 3] |= mask;
    }
    NPY_END_THREADS;
    /* 6./7. no status to translate; clean up */
    PyMem_RawFree(bits);
    return PyLong_FromSsize_t(found);
}
