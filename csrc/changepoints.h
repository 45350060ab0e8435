/*
 * changepoints.h -- entry point of the change-point family (csrc/changepoints.c),
 * wrapped by multipolar.changepoints.
 */
#ifndef MULTIPOLAR_CHANGEPOINTS_H
#define MULTIPOLAR_CHANGEPOINTS_H

#include "multipolar.h"

/* PELT over many series at once (CSR layout: values + offsets). */
PyObject *multipolar_pelt_segments(PyObject *self, PyObject *args, PyObject *kwds);

#endif
