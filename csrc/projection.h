/*
 * projection.h -- entry points of the projection family (csrc/projection.c),
 * wrapped by multipolar.projection.
 */
#ifndef MULTIPOLAR_PROJECTION_H
#define MULTIPOLAR_PROJECTION_H

#include "multipolar.h"

#include <numpy/random/bitgen.h>

/* Monte Carlo paths of log-growth capabilities, summarised per projected year. */
PyObject *multipolar_project_paths(PyObject *self, PyObject *args);

/* Standard normals of one block stream, in the order the kernels consume them (tests). */
PyObject *multipolar_block_normals(PyObject *self, PyObject *args);

/*
 * Borrow the bitgen_t of each BitGenerator in a tuple (its ``capsule``
 * attribute, a PyCapsule named "BitGenerator"). The tuple keeps the
 * generators, and so the pointers, alive. Raises TypeError for an object
 * that is not a BitGenerator and ValueError for one passed twice (two
 * threads would share its state). Returns a PyMem array the caller frees,
 * or NULL with an exception set. Call with the GIL held.
 */
bitgen_t **multipolar_bitgens_from_tuple(PyObject *tuple, const char *func, const char *arg);

/*
 * Copy the nb block sizes of a checked 1-D int64 array into sizes[] and their
 * running starts into offsets[] (offsets[b] = sizes[0] + ... + sizes[b - 1]), and
 * their sum into *total.
 * Raises ValueError naming arg for a negative size or a total beyond
 * NPY_MAX_INTP and returns -1; 0 on success. Call with the GIL held.
 */
int multipolar_block_offsets(PyArrayObject *arr, npy_intp nb, const char *func, const char *arg,
                             npy_int64 *sizes, npy_int64 *offsets, npy_intp *total);

#endif
