/* similarity.h -- entry points of the similarity family (similarity.c), wrapped by
 * multipolar.similarity. */
#ifndef MULTIPOLAR_SIMILARITY_H
#define MULTIPOLAR_SIMILARITY_H

#include "multipolar.h"

/* Most levels (distinct ordered codes) a portfolio may use. */
#define MULTIPOLAR_SIM_MAX_LEVELS 16

/* Measure ids accepted in similarity_years' `measures` argument, in this order:
 * s, s_sq, kappa, pi, taub, s_w, s_w_sq. */
#define MULTIPOLAR_SIM_NMEASURES 7

PyObject *multipolar_similarity_years(PyObject *self, PyObject *args);

#endif
