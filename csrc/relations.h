/* relations.h -- entry points of the relations family (relations.c), wrapped by
 * multipolar.relations (RelationMatrix.from_events, update, dyad_series, event_tensor). */
#ifndef MULTIPOLAR_RELATIONS_H
#define MULTIPOLAR_RELATIONS_H

#include "multipolar.h"

/* Positions in the event-count tuple both kernels return. */
enum {
    MP_EV_USED = 0, /* added to the output */
    MP_EV_MISSING,  /* an actor code is missing */
    MP_EV_OUTSIDE,  /* an actor is outside the output's actors */
    MP_EV_AFTER,    /* the time is after `at` / outside the bins */
    MP_EV_NAN,      /* the time is NaT or the weight NaN */
    MP_EV_NCOUNT,
};

PyObject *multipolar_decay_accumulate(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *multipolar_bin_accumulate(PyObject *self, PyObject *args, PyObject *kwargs);

#endif
