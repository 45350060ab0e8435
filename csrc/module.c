/*
 * module.c -- the one module definition of multipolar._core: method table,
 * multi-phase init, and the single import of the NumPy array API.
 *
 * Every function here is private; the public, documented API is the Python
 * package multipolar, whose wrappers validate arguments and call these.
 */
#define MULTIPOLAR_MODULE_C
#include "multipolar.h"

#include "bargaining.h"
#include "changepoints.h"
#include "gdelt.h"
#include "power.h"
#include "projection.h"
#include "relations.h"
#include "scenarios.h"
#include "similarity.h"
#include "threads.h"
#include "validation.h"

static PyMethodDef multipolar_methods[] = {
    {"group_shares", multipolar_group_shares, METH_VARARGS,
     "group_shares($module, components, codes, ngroups, /)\n--\n\nSee multipolar.cinc."},
    {"group_concentration", multipolar_group_concentration, METH_VARARGS,
     "group_concentration($module, values, codes, ngroups, /)\n--\n\nSee multipolar.concentration."},
    {"first_duplicate", multipolar_first_duplicate, METH_VARARGS,
     "first_duplicate($module, a, b, /)\n--\n\nRow of the first repeated (a, b) pair; -1 none; -2 range too large."},
    {"similarity_years", (PyCFunction)(void (*)(void))multipolar_similarity_years,
     METH_VARARGS | METH_KEYWORDS,
     "similarity_years($module, year_ptr, nitems, row_key, year_key, entry_row, entry_item, "
     "entry_level, levels, implicit, weights, measures, drop_empty)\n--\n\n"
     "See multipolar.similarity."},
    {"similarity_boot", (PyCFunction)(void (*)(void))multipolar_similarity_boot,
     METH_VARARGS | METH_KEYWORDS,
     "similarity_boot($module, bitgens, year_ptr, nitems, codes, levels, weights, measures, "
     "replicates, block_pairs, probs, keep)\n--\n\nSee multipolar.similarity."},
    {"gdelt_parse", (PyCFunction)(void (*)(void))multipolar_gdelt_parse,
     METH_VARARGS | METH_KEYWORDS,
     "gdelt_parse($module, buf, start, stop, fmt, strict, actor_vocab, event_vocab, base_vocab, "
     "root_vocab, allowed, line0, segment)\n--\n\nSee multipolar.read_gdelt."},
    {"decay_accumulate", (PyCFunction)(void (*)(void))multipolar_decay_accumulate,
     METH_VARARGS | METH_KEYWORDS,
     "decay_accumulate($module, out, quad_out, code1, map1, code2, map2, weight, time, quad, "
     "used, at, day, half_life)\n--\n\nSee multipolar.relations.RelationMatrix.from_events."},
    {"bin_accumulate", (PyCFunction)(void (*)(void))multipolar_bin_accumulate,
     METH_VARARGS | METH_KEYWORDS,
     "bin_accumulate($module, out, code1, map1, code2, map2, weight, time, edges, used)"
     "\n--\n\nSee multipolar.event_tensor."},
    {"project_paths", (PyCFunction)(void (*)(void))multipolar_project_paths,
     METH_VARARGS | METH_KEYWORDS,
     "project_paths($module, bitgens, block_paths, log0, drift, factor, n_among, pairs, "
     "threshold, unipolar, bins, keep, drift_factor=None)\n--\n\nSee multipolar.project."},
    {"block_normals", multipolar_block_normals, METH_VARARGS,
     "block_normals($module, bitgens, n, /)\n--\n\nSee multipolar.projection."},
    {"bargain_issues", (PyCFunction)(void (*)(void))multipolar_bargain_issues,
     METH_VARARGS | METH_KEYWORDS,
     "bargain_issues($module, position, capability, salience, issue_ptr, rounds, q, t, receiver, "
     "normalization)"
     "\n--\n\nSee multipolar.bargain."},
    {"ach_sensitivity", (PyCFunction)(void (*)(void))multipolar_ach_sensitivity,
     METH_VARARGS | METH_KEYWORDS,
     "ach_sensitivity($module, bitgens, block_draws, prior, kind, a, b)\n--\n\n"
     "See multipolar.compete."},
    {"pelt_segments", (PyCFunction)(void (*)(void))multipolar_pelt_segments,
     METH_VARARGS | METH_KEYWORDS,
     "pelt_segments($module, values, offsets, cost, penalty, min_size, scale)\n--\n\n"
     "See multipolar.changepoints."},
    {"set_num_threads", multipolar_set_num_threads, METH_O,
     "set_num_threads($module, n, /)\n--\n\nSee multipolar.set_num_threads."},
    {"get_num_threads", multipolar_get_num_threads, METH_NOARGS,
     "get_num_threads($module, /)\n--\n\nSee multipolar.get_num_threads."},
    {"threads_started", multipolar_threads_started, METH_NOARGS,
     "threads_started($module, /)\n--\n\nWorker threads started so far by all kernels."},
    {NULL, NULL, 0, NULL},
};

static int
multipolar_exec(PyObject *module)
{
    if (PyArray_ImportNumPyAPI() < 0) {
        return -1;
    }
    multipolar_state_t *st = (multipolar_state_t *)PyModule_GetState(module);
    if (st == NULL) {
        return -1;
    }
    st->default_nthreads = multipolar_default_threads();
    st->nthreads = st->default_nthreads;
    st->started = 0;
    PyObject *measures = multipolar_similarity_measure_names();
    if (measures == NULL || PyModule_AddObjectRef(module, "SIMILARITY_MEASURES", measures) < 0) {
        Py_XDECREF(measures);
        return -1;
    }
    Py_DECREF(measures);
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
    .m_size = sizeof(multipolar_state_t),
    .m_methods = multipolar_methods,
    .m_slots = multipolar_slots,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModuleDef_Init(&multipolar_module);
}
