/*
 * scenarios.h -- entry points of the scenarios family (csrc/scenarios.c),
 * wrapped by multipolar.scenarios.
 */
#ifndef MULTIPOLAR_SCENARIOS_H
#define MULTIPOLAR_SCENARIOS_H

#include "multipolar.h"

/* Monte Carlo sensitivity of competing-hypotheses posteriors to uncertain likelihoods. */
PyObject *multipolar_ach_sensitivity(PyObject *self, PyObject *args, PyObject *kwds);

#endif
