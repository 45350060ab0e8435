/*
 * similarity_loops.h -- GIL-free typed loops of the similarity family, written once.
 *
 * similarity.c includes this file once per code dtype of MULTIPOLAR_CODE_DTYPES, with
 *   MP_C_T      the C type of the entry arrays  (npy_int8 ... npy_int64)
 *   MP_C_NAME   its name suffix                 (int8 ... int64)
 * defined before the include and undefined after it. The loop reads the three
 * parallel entry arrays (row, item, level) of the sparse portfolio input with
 * any byte strides, touches no Python object and reports problems through a
 * multipolar_error_t; it runs without the GIL.
 */

#define MP_CAT2(a, b) a##_##b
#define MP_XCAT2(a, b) MP_CAT2(a, b)
#define MP_FN(base) MP_XCAT2(base, MP_C_NAME)

/*
 * Read every entry exactly once, check it, and keep it in the call's own
 * memory. Another Python thread may write to the entry arrays while this runs
 * without the GIL; every later stage reads only the checked copy, so a value
 * changed after its check cannot send a write out of bounds.
 * in:  rows/items/levels[n] (byte strides rs/is/ls), nrows, nlevels,
 *      row_year[nrows] (year position of each row), nitems[nyears]
 * out: erow[e] = row, ekey[e] = item * MULTIPOLAR_SIM_LEVEL_SLOTS + level;
 *      counts[r + 1] += 1 for an entry of row r (caller zeroes counts; the
 *      shift makes the later prefix sum in place)
 * err: CODE_RANGE on entry_row (limit nrows), entry_item (limit: the items of
 *      the row's year) or entry_level (limit nlevels), row = entry position;
 *      on error the counts are incomplete
 */
static void
MP_FN(read_entries)(const char *rows, npy_intp rs, const char *items, npy_intp is,
                    const char *levels, npy_intp ls, npy_intp n, npy_intp nrows, int nlevels,
                    const npy_intp *row_year, const npy_intp *nitems, npy_intp *counts,
                    npy_intp *erow, npy_int64 *ekey, multipolar_error_t *err)
{
    for (npy_intp e = 0; e < n; e++) {
        const npy_int64 r = (npy_int64)(*(const MP_C_T *)(rows + e * rs));
        const npy_int64 k = (npy_int64)(*(const MP_C_T *)(items + e * is));
        const npy_int64 l = (npy_int64)(*(const MP_C_T *)(levels + e * ls));
        if (r < 0 || r >= nrows) {
            *err = multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "entry_row", e, (double)r);
            err->limit = nrows;
            return;
        }
        const npy_intp limit = nitems[row_year[r]];
        if (k < 0 || k >= (npy_int64)limit) {
            *err = multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "entry_item", e, (double)k);
            err->limit = limit;
            return;
        }
        if (l < 0 || l >= nlevels) {
            *err = multipolar_error(MULTIPOLAR_ERR_CODE_RANGE, "entry_level", e, (double)l);
            err->limit = nlevels;
            return;
        }
        erow[e] = (npy_intp)r;
        ekey[e] = k * MULTIPOLAR_SIM_LEVEL_SLOTS + l;
        counts[r + 1] += 1;
    }
}

#undef MP_FN
#undef MP_XCAT2
#undef MP_CAT2
