/* power.h -- entry points of the power family (power.c), wrapped by multipolar.power. */
#ifndef MULTIPOLAR_POWER_H
#define MULTIPOLAR_POWER_H

#include "multipolar.h"

/* Columns of group_concentration's output: hhi, con, n_eff, entropy, gini, top1, top2, n. */
#define MULTIPOLAR_CONCENTRATION_NCOL 8

PyObject *multipolar_group_shares(PyObject *self, PyObject *args);
PyObject *multipolar_group_concentration(PyObject *self, PyObject *args);

#endif
