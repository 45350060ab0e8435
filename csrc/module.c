/*
 * module.c -- the one module definition of multipolar._core: method table,
 * multi-phase init, and the single import of the NumPy array API.
 *
 * Every function here is private; the public, documented API is the Python
 * package multipolar, whose wrappers validate arguments and call these.
 */
#define MULTIPOLAR_MODULE_C
#include "multipolar.h"

#include "power.h"
#include "validation.h"

static PyMethodDef multipolar_methods[] = {
    {"group_shares", multipolar_group_shares, METH_VARARGS,
     "group_shares($module, components, codes, ngroups, /)\n--\n\nSee multipolar.cinc."},
    {"group_concentration", multipolar_group_concentration, METH_VARARGS,
     "group_concentration($module, values, codes, ngroups, /)\n--\n\nSee multipolar.concentration."},
    {"first_duplicate", multipolar_first_duplicate, METH_VARARGS,
     "first_duplicate($module, a, b, /)\n--\n\nRow of the first repeated (a, b) pair; -1 none; -2 range too large."},
    {NULL, NULL, 0, NULL},
};

static int
multipolar_exec(PyObject *module)
{
    if (PyArray_ImportNumPyAPI() < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot multipolar_slots[] = {
    {Py_mod_exec, multipolar_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef multipolar_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "multipolar._core",
    .m_doc = "C kernels of multipolar (private; use the multipolar package).",
    .m_size = 0,
    .m_methods = multipolar_methods,
    .m_slots = multipolar_slots,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModuleDef_Init(&multipolar_module);
}
