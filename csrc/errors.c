/*
 * errors.c -- the one error channel of multipolar._core: a loop's
 * multipolar_error_t becomes a ValueError carrying structured attributes
 * (status, argument, field, row, value, limit, problem). The Python wrappers
 * restate it as multipolar.InputError in the user's words (_errors.py); the
 * message here, for direct calls of _core, names the kernel and its argument.
 */
#include "multipolar.h"

#include <math.h>

static const char *const status_names[] = MULTIPOLAR_STATUS_NAMES;

/*
 * What is wrong, per status, in the words of the messages ("<argument>
 * <problem>; got <value>"). A problem that quotes the limit is written as the
 * text before it and the text after it; after is NULL for the others.
 */
static const struct {
    const char *text;
    const char *after;
} problems[MULTIPOLAR_RETRY] = {
    [MULTIPOLAR_ERR_NEGATIVE] = {"must be non-negative", NULL},
    [MULTIPOLAR_ERR_NONFINITE] = {"must be finite or NaN", NULL},
    [MULTIPOLAR_ERR_INVALID] = {"must be finite and non-negative", NULL},
    [MULTIPOLAR_ERR_CODE_RANGE] = {"must be in [0, ", ")"},
    [MULTIPOLAR_ERR_DUPLICATE] = {"must not repeat a key", NULL},
    [MULTIPOLAR_ERR_PARSE] = {"does not parse", NULL},
    [MULTIPOLAR_ERR_FIELDS] = {"has a number of fields the format does not allow", NULL},
    [MULTIPOLAR_ERR_TOO_MANY] = {"must have at most ", " distinct values"},
};

/* The problem of err (a status below MULTIPOLAR_RETRY); written into buf if it
 * quotes the limit. */
static const char *
problem_of(const multipolar_error_t *err, char *buf, size_t size)
{
    const char *text = problems[err->status].text;
    const char *after = problems[err->status].after;
    if (text == NULL) {
        return "is invalid";
    }
    if (after == NULL) {
        return text;
    }
    PyOS_snprintf(buf, size, "%s%zd%s", text, (Py_ssize_t)err->limit, after);
    return buf;
}

int
multipolar_set_attr(PyObject *obj, const char *name, PyObject *value)
{
    if (value == NULL) {
        return -1;
    }
    const int rc = PyObject_SetAttrString(obj, name, value);
    Py_DECREF(value);
    return rc;
}

int
multipolar_raise_status(const multipolar_error_t *err, const char *kernel)
{
    char buf[96];
    char *repr = NULL;
    PyObject *exc = NULL;
    if (err == NULL || err->status == MULTIPOLAR_OK) {
        return 0;
    }
    if (err->status == MULTIPOLAR_ERR_NOMEM) {
        PyErr_NoMemory();
        return -1;
    }
    if ((int)err->status < 0 || err->status >= MULTIPOLAR_RETRY) {
        PyErr_Format(PyExc_SystemError, "%s: unknown internal status %d", kernel,
                     (int)err->status);
        return -1;
    }
    const char *arg = err->arg != NULL ? err->arg : "input";
    const char *problem = problem_of(err, buf, sizeof(buf));
    /* codes, keys and counts print as integers */
    const int integral = (err->status == MULTIPOLAR_ERR_CODE_RANGE ||
                          err->status == MULTIPOLAR_ERR_DUPLICATE ||
                          err->status == MULTIPOLAR_ERR_TOO_MANY) &&
                         err->value == floor(err->value) && fabs(err->value) < 9.0e15;
    repr = PyOS_double_to_string(err->value, integral ? 'f' : 'r', 0, integral ? 0 : Py_DTSF_ADD_DOT_0, NULL);
    if (repr == NULL) {
        return -1;
    }
    char where[128];
    if (err->field > 0) {
        PyOS_snprintf(where, sizeof(where), "%s[%zd]", arg, (Py_ssize_t)(err->field - 1));
    }
    else {
        PyOS_snprintf(where, sizeof(where), "%s", arg);
    }
    exc = PyObject_CallFunction(PyExc_ValueError, "N",
                                PyUnicode_FromFormat("%s: %s %s; got %s at row %zd", kernel, where,
                                                     problem, repr, (Py_ssize_t)err->index));
    if (exc == NULL) {
        PyMem_Free(repr);
        return -1;
    }
    const int bad =
        multipolar_set_attr(exc, "status", PyUnicode_FromString(status_names[err->status])) <
            0 ||
        multipolar_set_attr(exc, "argument", PyUnicode_FromString(arg)) < 0 ||
        multipolar_set_attr(exc, "problem", PyUnicode_FromString(problem)) < 0 ||
        multipolar_set_attr(exc, "row", PyLong_FromSsize_t((Py_ssize_t)err->index)) < 0 ||
        multipolar_set_attr(exc, "field",
                 err->field > 0 ? PyLong_FromSsize_t((Py_ssize_t)(err->field - 1))
                                : Py_NewRef(Py_None)) < 0 ||
        multipolar_set_attr(exc, "value", PyFloat_FromDouble(err->value)) < 0 ||
        multipolar_set_attr(exc, "limit", PyLong_FromSsize_t((Py_ssize_t)err->limit)) <
            0 ||
        multipolar_set_attr(exc, "kernel", PyUnicode_FromString(kernel)) < 0;
    PyMem_Free(repr);
    if (bad) {
        Py_DECREF(exc);
        return -1;
    }
    PyErr_SetObject(PyExc_ValueError, exc);
    Py_DECREF(exc);
    return -1;
}
