/*
 * similarity_loops.h -- GIL-free typed loops of the similarity family, written once.
 *
 * similarity.c includes this file once per code dtype of MULTIPOLAR_CODE_DTYPES, with
 *   MP_C_T      the C type of the entry arrays  (npy_int8 ... npy_int64)
 *   MP_C_NAME   its name suffix                 (int8 ... int64)
 * defined before the include and undefined after it. The loops read the three
 * parallel entry arrays (row, item, level) of the sparse portfolio input with
 * any byte strides, touch no Python object and report problems through a
 * sim_error_t; they run without the GIL.
 */

#define MP_CAT2(a, b) a##_##b
#define MP_XCAT2(a, b) MP_CAT2(a, b)
#define MP_FN(base) MP_XCAT2(base, MP_C_NAME)

/*
 * Validate every entry and count the entries of each row.
 * in:  rows/items/levels[n] (strides rs/is/ls), nrows, nlevels,
 *      row_year[nrows] (year position of each row), nitems[nyears]
 * acc: counts[nrows + 1]; counts[r + 1] += 1 for an entry of row r
 *      (caller zeroes it; the shift makes the later prefix sum in place)
 * out: status SIM_ERR_ROW / SIM_ERR_ITEM / SIM_ERR_LEVEL with the entry index
 *      and offending value in *err; on error the counts are incomplete
 */
static void
MP_FN(count_entries)(const char *rows, npy_intp rs, const char *items, npy_intp is,
                     const char *levels, npy_intp ls, npy_intp n, npy_intp nrows, int nlevels,
                     const npy_intp *row_year, const npy_intp *nitems, npy_intp *counts,
                     sim_error_t *err)
{
    for (npy_intp e = 0; e < n; e++) {
        const npy_int64 r = (npy_int64)(*(const MP_C_T *)(rows + e * rs));
        const npy_int64 k = (npy_int64)(*(const MP_C_T *)(items + e * is));
        const npy_int64 l = (npy_int64)(*(const MP_C_T *)(levels + e * ls));
        if (r < 0 || r >= nrows) {
            err->status = SIM_ERR_ROW;
            err->index = e;
            err->value = r;
            return;
        }
        if (k < 0 || k >= (npy_int64)nitems[row_year[r]]) {
            err->status = SIM_ERR_ITEM;
            err->index = e;
            err->value = k;
            err->extra = (npy_int64)nitems[row_year[r]];
            return;
        }
        if (l < 0 || l >= nlevels) {
            err->status = SIM_ERR_LEVEL;
            err->index = e;
            err->value = l;
            return;
        }
        counts[r + 1] += 1;
    }
}

/*
 * Scatter the (validated) entries into row segments of packed keys.
 * in:  the entry arrays as above; next[nrows] = first free slot of each row
 * out: keys[next[r]++] = item * SIM_LEVEL_SLOTS + level, in entry order
 */
static void
MP_FN(scatter_entries)(const char *rows, npy_intp rs, const char *items, npy_intp is,
                       const char *levels, npy_intp ls, npy_intp n, npy_intp *next,
                       npy_int64 *keys)
{
    for (npy_intp e = 0; e < n; e++) {
        const npy_intp r = (npy_intp)(*(const MP_C_T *)(rows + e * rs));
        const npy_int64 k = (npy_int64)(*(const MP_C_T *)(items + e * is));
        const npy_int64 l = (npy_int64)(*(const MP_C_T *)(levels + e * ls));
        keys[next[r]++] = k * SIM_LEVEL_SLOTS + l;
    }
}

#undef MP_FN
#undef MP_XCAT2
#undef MP_CAT2
