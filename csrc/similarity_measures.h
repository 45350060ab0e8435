/*
 * similarity_measures.h -- the measures of the similarity family, computed
 * from the c x c co-occurrence table of two portfolios (similarity_measures.c),
 * and the one list of measure names and ids shared by C and Python.
 */
#ifndef MULTIPOLAR_SIMILARITY_MEASURES_H
#define MULTIPOLAR_SIMILARITY_MEASURES_H

#include "multipolar.h"

/* Most levels (distinct ordered codes) a portfolio may use. */
#define MULTIPOLAR_SIM_MAX_LEVELS 16

/*
 * The measures, in id order: X(ID, "python name"). This list is the one source
 * of the ids: the enum below, the measure table of similarity_years and the
 * module constant _core.SIMILARITY_MEASURES (read by multipolar.similarity)
 * are all expanded from it. Append only: the ids are the positions.
 */
#define MULTIPOLAR_SIM_MEASURES(X) \
    X(S, "s")                      \
    X(S_SQ, "s_sq")                \
    X(KAPPA, "kappa")              \
    X(PI, "pi")                    \
    X(TAUB, "taub")                \
    X(S_W, "s_w")                  \
    X(S_W_SQ, "s_w_sq")            \
    X(CONSTANT, "constant")

#define MULTIPOLAR_SIM_ENUM_ITEM(id, name) MULTIPOLAR_SIM_##id,
typedef enum {
    MULTIPOLAR_SIM_MEASURES(MULTIPOLAR_SIM_ENUM_ITEM)
    MULTIPOLAR_SIM_NMEASURES
} multipolar_sim_measure_t;
#undef MULTIPOLAR_SIM_ENUM_ITEM

/* Whether a measure id needs item weights (S_W, S_W_SQ) rather than the table. */
static inline int
multipolar_sim_weighted(int id)
{
    return id == MULTIPOLAR_SIM_S_W || id == MULTIPOLAR_SIM_S_W_SQ;
}

/* The possible levels of one call and their pairwise distances (read-only in loops). */
typedef struct {
    int nlevels;
    double lv[MULTIPOLAR_SIM_MAX_LEVELS];
    double dabs[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS]; /* |v_a - v_b| */
    double dsq[MULTIPOLAR_SIM_MAX_LEVELS * MULTIPOLAR_SIM_MAX_LEVELS];  /* (v_a - v_b)^2 */
} multipolar_sim_levels_t;

/* Fill the distance tables of lev from lev->lv[0 .. nlevels). */
void multipolar_sim_levels_init(multipolar_sim_levels_t *lev);

/* Adds the popcounts of two rows' explicit-level bit sets over words lo..hi to
 * the table T[c][c] (explicit levels start at `off`); see similarity_measures.c. */
typedef void (*multipolar_sim_cooccur_fn)(const npy_uint64 *bi, const npy_uint64 *bj,
                                          npy_intp lo, npy_intp hi, int L, int off, int c,
                                          npy_int64 *T);

/* The fastest table builder this CPU runs (the same counts whichever it is). */
multipolar_sim_cooccur_fn multipolar_sim_cooccur(void);

/* Every requested measure of one table; see similarity_measures.c. */
void multipolar_sim_measures_of_table(const multipolar_sim_levels_t *lev, const npy_int64 *T,
                                      const int *measure, npy_intp nmeasures,
                                      const double *wsum, double *res);

/* An entry packed as item * MULTIPOLAR_SIM_LEVEL_SLOTS + level. */
#define MULTIPOLAR_SIM_LEVEL_SLOTS 16
#define MULTIPOLAR_SIM_LEVEL_SHIFT 4

/* Weighted distance sums of two sorted rows of packed keys; see similarity_measures.c. */
npy_int64 multipolar_sim_weighted_sums(const npy_int64 *ka, npy_intp na, const npy_int64 *kb,
                                       npy_intp nb, const double *w, const double *lv,
                                       int implicit, double total, double *wsum);

/* The measure names in id order, as a new tuple of str (module constant). */
PyObject *multipolar_similarity_measure_names(void);

#endif
