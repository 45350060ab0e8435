/* similarity.h -- entry points of the similarity family (similarity.c, similarity_boot.c), wrapped by
 * multipolar.similarity; the measures and their names are in similarity_measures.h. */
#ifndef MULTIPOLAR_SIMILARITY_H
#define MULTIPOLAR_SIMILARITY_H

#include "multipolar.h"
#include "similarity_measures.h"

PyObject *multipolar_similarity_years(PyObject *self, PyObject *args, PyObject *kwargs);

/* Bootstrap bands of every pair's measures (similarity_boot.c). */
PyObject *multipolar_similarity_boot(PyObject *self, PyObject *args, PyObject *kwargs);

#endif
