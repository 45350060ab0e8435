/* gdelt.h -- entry point of the GDELT reader family (gdelt.c), wrapped by multipolar.gdelt. */
#ifndef MULTIPOLAR_GDELT_H
#define MULTIPOLAR_GDELT_H

#include "multipolar.h"

/* Columns of gdelt_parse's output tuple, in this order: event_id (int64), date (int64
 * nanoseconds since 1970-01-01), actor1, actor2, event_code, base_code, root_code (int16
 * vocabulary codes, -1 missing), quad_class (int8), goldstein (float64), num_mentions,
 * num_sources, num_articles (int32), avg_tone (float64), is_root (bool). */
#define MULTIPOLAR_GDELT_NCOL 14

PyObject *multipolar_gdelt_parse(PyObject *self, PyObject *args, PyObject *kwds);

#endif
