/*
 * power_loops.h -- GIL-free typed loops of the power family, written once.
 *
 * power.c includes this file once per (value dtype, code dtype) pair, with
 *   MP_V_T      the C type of the values        (npy_float64, npy_int32, ...)
 *   MP_V_NAME   its name suffix                  (float64, int32, ...)
 *   MP_C_T      the C type of the group codes   (npy_int8 ... npy_int64)
 *   MP_C_NAME   its name suffix                  (int8 ... int64)
 * defined before the include and undefined after it. Every loop takes raw
 * pointers, lengths and byte strides, touches no Python object and returns a
 * status (multipolar_status_t via *err); it runs without the GIL.
 *
 * Values are read as double. Integer values cannot be missing; for floating
 * values NaN means missing. Infinite and negative values are errors, because
 * every quantity here is a share of a non-negative total.
 */

#define MP_CAT3(a, b, c) a##_##b##_##c
#define MP_XCAT3(a, b, c) MP_CAT3(a, b, c)
#define MP_FN(base) MP_XCAT3(base, MP_V_NAME, MP_C_NAME)

/*
 * Accumulate one column into per-group totals and/or counts.
 * in:  values[n] (stride vstride), codes[n] (stride cstride), ngroups
 * NaN: skipped (missing)
 * acc: totals[ngroups] (double) and counts[ngroups] (present values); either
 *      may be NULL; the caller zeroes them
 * out: totals, counts; status ERR_CODE_RANGE / ERR_NEGATIVE / ERR_NONFINITE
 *      with the row at fault in *err
 */
static void
MP_FN(accumulate)(const char *values, npy_intp vstride, const char *codes, npy_intp cstride,
                  npy_intp n, npy_intp ngroups, double *totals, npy_intp *counts,
                  multipolar_error_t *err)
{
    /* Rows of one group often come in runs (frames sorted by year): add a run in
     * a register and store once, instead of a load-add-store chain through
     * totals[g] on every row. */
    npy_intp run_g = -1, run_n = 0;
    double run_sum = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        const npy_intp g = (npy_intp)(*(const MP_C_T *)(codes + i * cstride));
        const double v = (double)(*(const MP_V_T *)(values + i * vstride));
        if (g < 0 || g >= ngroups) {
            err->status = MULTIPOLAR_ERR_CODE_RANGE;
            err->index = i;
            err->value = (double)g;
            err->limit = ngroups;
            err->arg = "codes";
            return;
        }
        if (npy_isnan(v)) {
            continue;
        }
        if (npy_isinf(v) || v < 0) {
            err->status = npy_isinf(v) ? MULTIPOLAR_ERR_NONFINITE : MULTIPOLAR_ERR_NEGATIVE;
            err->index = i;
            err->value = v;
            return;
        }
        if (g != run_g) {
            if (run_g >= 0) {
                if (totals != NULL) {
                    totals[run_g] += run_sum;
                }
                if (counts != NULL) {
                    counts[run_g] += run_n;
                }
            }
            run_g = g;
            run_sum = 0.0;
            run_n = 0;
        }
        run_sum += v;
        run_n += 1;
    }
    if (run_g >= 0) {
        if (totals != NULL) {
            totals[run_g] += run_sum;
        }
        if (counts != NULL) {
            counts[run_g] += run_n;
        }
    }
}

/*
 * Add each row's share of its group total to share_sum and count it.
 * in:  values, codes as above, inv_totals[ngroups] (1 / group total, or 0 for a
 *      group whose total is zero)
 * NaN: a missing value adds nothing and is not counted; a group whose total is
 *      zero has no defined shares and counts as missing for this component
 * out: share_sum[n] += v * inv_totals[g]; share_cnt[n] += 1 (contiguous)
 * The codes were validated by accumulate, but another thread may have changed
 * them since (the GIL is released): a code out of range is re-checked here and
 * the row skipped, so the table is never read outside its bounds.
 */
static void
MP_FN(add_shares)(const char *values, npy_intp vstride, const char *codes, npy_intp cstride,
                  npy_intp n, npy_intp ngroups, const double *inv_totals, double *share_sum,
                  npy_int32 *share_cnt)
{
    for (npy_intp i = 0; i < n; i++) {
        const npy_intp g = (npy_intp)(*(const MP_C_T *)(codes + i * cstride));
        if ((npy_uintp)g >= (npy_uintp)ngroups) {
            continue;
        }
        const double v = (double)(*(const MP_V_T *)(values + i * vstride));
        const double inv = inv_totals[g];
        if (npy_isnan(v) || inv == 0.0) {
            continue;
        }
        share_sum[i] += v * inv;
        share_cnt[i] += 1;
    }
}

/*
 * Scatter the present values into per-group segments of a scratch array.
 * in:  values, codes; next[ngroups] = segment starts, ends[ngroups] = segment
 *      ends (start + the count of the accumulate pass)
 * out: sorted_by_group[next[g]++] = v for every non-NaN row, in row order
 * Each code and value is read once here, but they may differ from what the
 * accumulate pass counted if another thread changed them meanwhile: a code out
 * of range, or a row that would overflow its segment, is skipped, so the writes
 * stay inside the scratch array. The caller takes next[g] - start as the
 * number of values actually written, so nothing unwritten is ever read.
 */
static void
MP_FN(scatter_groups)(const char *values, npy_intp vstride, const char *codes, npy_intp cstride,
                      npy_intp n, npy_intp ngroups, npy_intp *next, const npy_intp *ends,
                      double *sorted_by_group)
{
    for (npy_intp i = 0; i < n; i++) {
        const npy_intp g = (npy_intp)(*(const MP_C_T *)(codes + i * cstride));
        if ((npy_uintp)g >= (npy_uintp)ngroups) {
            continue;
        }
        const double v = (double)(*(const MP_V_T *)(values + i * vstride));
        if (!npy_isnan(v) && next[g] < ends[g]) {
            sorted_by_group[next[g]++] = v;
        }
    }
}

#undef MP_FN
#undef MP_XCAT3
#undef MP_CAT3
