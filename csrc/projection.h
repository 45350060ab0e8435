/*
 * projection.h -- entry points of the projection family (csrc/projection.c),
 * wrapped by multipolar.projection. The random streams they share with the
 * scenarios family are in random.h.
 */
#ifndef MULTIPOLAR_PROJECTION_H
#define MULTIPOLAR_PROJECTION_H

#include "multipolar.h"

/* Monte Carlo paths of log-growth capabilities, summarised per projected year. */
PyObject *multipolar_project_paths(PyObject *self, PyObject *args, PyObject *kwds);

/* Standard normals of one block stream, in the order the kernels consume them (tests). */
PyObject *multipolar_block_normals(PyObject *self, PyObject *args);

#endif
