/* similarity.h -- entry point of the similarity family (similarity.c), wrapped by
 * multipolar.similarity; the measures and their names are in similarity_measures.h. */
#ifndef MULTIPOLAR_SIMILARITY_H
#define MULTIPOLAR_SIMILARITY_H

#include "multipolar.h"
#include "similarity_measures.h"

PyObject *multipolar_similarity_years(PyObject *self, PyObject *args, PyObject *kwargs);

#endif
