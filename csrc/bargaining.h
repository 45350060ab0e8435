/*
 * bargaining.h -- entry points of the bargaining family (csrc/bargaining.c),
 * wrapped by multipolar.bargaining.
 */
#ifndef MULTIPOLAR_BARGAINING_H
#define MULTIPOLAR_BARGAINING_H

#include "multipolar.h"

/* Expected-utility rounds, weighted median and weighted mean of many issues at once. */
PyObject *multipolar_bargain_issues(PyObject *self, PyObject *args, PyObject *kwds);

#endif
