/* validation.h -- entry points of validation.c, used by multipolar._validation. */
#ifndef MULTIPOLAR_VALIDATION_H
#define MULTIPOLAR_VALIDATION_H

#include "multipolar.h"

PyObject *multipolar_first_duplicate(PyObject *self, PyObject *args);

#endif
