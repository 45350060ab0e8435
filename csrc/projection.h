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

#endif
