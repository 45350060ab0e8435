/*
 * multipolar.h -- internal header of the multipolar._core extension.
 *
 * Every .c file includes this header first. It fixes the NumPy array-API
 * symbol shared by all files (module.c imports the API once, in its exec
 * slot; every other file defines NO_IMPORT_ARRAY before including it), the
 * list of supported value and code dtypes, the status codes the GIL-free
 * loops return, and the one helper that turns a status into an exception.
 */
#ifndef MULTIPOLAR_H
#define MULTIPOLAR_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL MULTIPOLAR_ARRAY_API
#ifndef MULTIPOLAR_MODULE_C
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>
#include <numpy/npy_math.h>

/* Value dtypes accepted by the numeric kernels: X(name, C type, NumPy type number). */
#define MULTIPOLAR_VALUE_DTYPES(X)        \
    X(float64, npy_float64, NPY_FLOAT64)  \
    X(float32, npy_float32, NPY_FLOAT32)  \
    X(int64, npy_int64, NPY_INT64)        \
    X(int32, npy_int32, NPY_INT32)

/* Group/code dtypes accepted as they are (pandas Categorical codes, factorized keys). */
#define MULTIPOLAR_CODE_DTYPES(X)   \
    X(int8, npy_int8, NPY_INT8)     \
    X(int16, npy_int16, NPY_INT16)  \
    X(int32, npy_int32, NPY_INT32)  \
    X(int64, npy_int64, NPY_INT64)

/* One dispatch-table row: the typed loops `base_<vname>_<code>` for every code
 * dtype, in the order of MULTIPOLAR_CODE_DTYPES (see each_code_dtype.h). */
#define MULTIPOLAR_CODE_ROW(base, vname)                                          \
    {base##_##vname##_int8, base##_##vname##_int16, base##_##vname##_int32,       \
     base##_##vname##_int64}

/*
 * The one status enum of the GIL-free loops; zero is success. Every family
 * reports through it (with multipolar_error_t below); the Python wrappers turn
 * the structured exception it becomes into multipolar.InputError, naming the
 * public function and the user's column (python/multipolar/_errors.py). The
 * names in MULTIPOLAR_STATUS_NAMES are the contract between the two.
 */
typedef enum {
    MULTIPOLAR_OK = 0,
    MULTIPOLAR_ERR_NOMEM,      /* scratch allocation failed */
    MULTIPOLAR_ERR_NEGATIVE,   /* a value below zero where shares are taken */
    MULTIPOLAR_ERR_NONFINITE,  /* +/-inf where only finite values or NaN are allowed */
    MULTIPOLAR_ERR_INVALID,    /* NaN, inf or a negative value where none is allowed */
    MULTIPOLAR_ERR_CODE_RANGE, /* a code or index outside [0, limit) */
    MULTIPOLAR_ERR_DUPLICATE,  /* a key given twice (value: the key, field: its other part) */
    MULTIPOLAR_ERR_PARSE,      /* a field of a text row that does not parse (row: line) */
    MULTIPOLAR_ERR_FIELDS,     /* a text row with a number of fields the format does not allow */
    MULTIPOLAR_ERR_TOO_MANY,   /* more distinct values than the kernel can hold (limit) */
    MULTIPOLAR_RETRY,          /* not an error: the caller must run the loop again, exactly */
} multipolar_status_t;

/* The Python-visible name of each status, in enum order (see _errors.py). */
#define MULTIPOLAR_STATUS_NAMES                                                          \
    {"ok",         "nomem",  "negative", "nonfinite", "invalid", "code_range",           \
     "duplicate",  "parse",  "fields",   "too_many",  "retry"}

/*
 * What a loop reports besides its status. `arg` is the kernel argument at
 * fault (a static string, the name in _core.pyi), `field` one more than the
 * position within it for tuple or 2-D arguments (0: the argument is one array,
 * so a zeroed record is complete), `index` the row, `value` the offending
 * value and `limit` the bound a CODE_RANGE or TOO_MANY value broke.
 */
typedef struct {
    multipolar_status_t status;
    npy_intp index;
    double value;
    const char *arg;
    npy_intp field;
    npy_intp limit;
} multipolar_error_t;

/* An error record: status at row `index` of argument `arg` (no field, limit 0). */
static inline multipolar_error_t
multipolar_error(multipolar_status_t status, const char *arg, npy_intp index, double value)
{
    multipolar_error_t err = {status, index, value, arg, 0, 0};
    return err;
}

/* The error that comes first in row order (the serial one); a NOMEM wins. */
static inline const multipolar_error_t *
multipolar_first_error(const multipolar_error_t *errs, npy_intp n)
{
    const multipolar_error_t *first = NULL;
    for (npy_intp i = 0; i < n; i++) {
        if (errs[i].status == MULTIPOLAR_ERR_NOMEM) {
            return &errs[i];
        }
        if (errs[i].status != MULTIPOLAR_OK && errs[i].status != MULTIPOLAR_RETRY &&
            (first == NULL || errs[i].index < first->index)) {
            first = &errs[i];
        }
    }
    return first;
}

/*
 * Turn a loop's status into the structured exception: a ValueError whose
 * attributes status (name), argument, row, field, value and limit let the
 * Python wrapper restate it in the user's words; the message names the kernel
 * and its argument. NOMEM becomes MemoryError, RETRY or an unknown status
 * SystemError. Call with the GIL held. Returns 0 on success, -1 with an
 * exception set otherwise.
 */
int multipolar_raise_status(const multipolar_error_t *err, const char *kernel);

/* Set attribute `name` of obj to the new reference `value`, which is stolen
 * (NULL: a failed constructor, so -1 with its exception). Returns 0 or -1. */
int multipolar_set_attr(PyObject *obj, const char *name, PyObject *value);

/* Multiply two non-negative sizes; return -1 on overflow. */
static inline npy_intp
multipolar_mul_size(npy_intp a, npy_intp b)
{
    if (a < 0 || b < 0 || (a != 0 && b > NPY_MAX_INTP / a)) {
        return -1;
    }
    return a * b;
}

/*
 * Position of an array's dtype in MULTIPOLAR_CODE_DTYPES (codes != 0) or
 * MULTIPOLAR_VALUE_DTYPES, or -1 if unsupported: the dispatch position.
 */
#define MULTIPOLAR_TYPENUM(name, ctype, typenum) typenum,
static inline int
multipolar_dtype_index(PyArrayObject *arr, int codes)
{
    static const int value_nums[] = {MULTIPOLAR_VALUE_DTYPES(MULTIPOLAR_TYPENUM)};
    static const int code_nums[] = {MULTIPOLAR_CODE_DTYPES(MULTIPOLAR_TYPENUM)};
    const int *nums = codes ? code_nums : value_nums;
    const int count = (int)((codes ? sizeof(code_nums) : sizeof(value_nums)) / sizeof(int));
    const int num = PyArray_TYPE(arr);
    for (int i = 0; i < count; i++) {
        if (PyArray_EquivTypenums(num, nums[i])) {
            return i;
        }
    }
    return -1;
}
#undef MULTIPOLAR_TYPENUM

/*
 * Check an input array's dtype (exactly typenum, named tname in the message;
 * TypeError) and its number of dimensions (ValueError). Returns 0 or -1.
 */
static inline int
multipolar_check_dtype_ndim(PyArrayObject *arr, const char *func, const char *arg, int typenum,
                            const char *tname, int ndim)
{
    if (!PyArray_EquivTypenums(PyArray_TYPE(arr), typenum)) {
        PyErr_Format(PyExc_TypeError, "%s: %s dtype must be %s; got %R", func, arg, tname,
                     (PyObject *)PyArray_DESCR(arr));
        return -1;
    }
    if (PyArray_NDIM(arr) != ndim) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be %d-D; got ndim %d", func, arg, ndim,
                     PyArray_NDIM(arr));
        return -1;
    }
    return 0;
}

/* Check that an input array is aligned and in native byte order (ValueError). */
static inline int
multipolar_check_native(PyArrayObject *arr, const char *func, const char *arg)
{
    if (!PyArray_ISNOTSWAPPED(arr) || !PyArray_ISALIGNED(arr)) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be aligned and in native byte order", func,
                     arg);
        return -1;
    }
    return 0;
}

/*
 * Check the layout of a 1-D input array: ndim 1, native byte order, aligned,
 * and (if n >= 0) length n. Raises ValueError naming func and arg; returns 0
 * or -1.
 */
static inline int
multipolar_check_1d_layout(PyArrayObject *arr, const char *func, const char *arg, npy_intp n)
{
    if (PyArray_NDIM(arr) != 1) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be 1-D; got ndim %d", func, arg,
                     PyArray_NDIM(arr));
        return -1;
    }
    if (multipolar_check_native(arr, func, arg) < 0) {
        return -1;
    }
    if (n >= 0 && PyArray_DIM(arr, 0) != n) {
        PyErr_Format(PyExc_ValueError, "%s: %s must have length %zd; got %zd", func, arg,
                     (Py_ssize_t)n, (Py_ssize_t)PyArray_DIM(arr, 0));
        return -1;
    }
    return 0;
}

/*
 * Check a 1-D input array of the value or code dtype lists: supported dtype
 * (TypeError), then the layout as multipolar_check_1d_layout. Returns the
 * dtype's list position or -1.
 */
static inline int
multipolar_check_1d(PyArrayObject *arr, const char *func, const char *arg, int codes, npy_intp n)
{
    const int idx = multipolar_dtype_index(arr, codes);
    if (idx < 0) {
        PyErr_Format(PyExc_TypeError, "%s: %s dtype must be one of %s; got %R", func, arg,
                     codes ? "int8, int16, int32, int64" : "float64, float32, int64, int32",
                     (PyObject *)PyArray_DESCR(arr));
        return -1;
    }
    return multipolar_check_1d_layout(arr, func, arg, n) < 0 ? -1 : idx;
}

/*
 * Check a 1-D input array of exactly one dtype (typenum, named tname in the
 * message), then its layout. Returns 0 or -1 with TypeError/ValueError set.
 */
static inline int
multipolar_check_typed_1d(PyArrayObject *arr, const char *func, const char *arg, int typenum,
                          const char *tname, npy_intp n)
{
    if (multipolar_check_dtype_ndim(arr, func, arg, typenum, tname, 1) < 0) {
        return -1;
    }
    return multipolar_check_1d_layout(arr, func, arg, n);
}

#endif /* MULTIPOLAR_H */
