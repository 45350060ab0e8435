/*
 * gdelt_scan.h -- the line scanner of the GDELT reader (gdelt_scan.c): splits
 * one segment of a buffer (whole lines) at tabs and newlines, parses the used
 * fields (integers, decimal numbers, SQLDATE dates, codes) and keeps each good
 * line as one row. The entry point (gdelt.c) cuts the buffer into segments,
 * runs this on the thread runtime and merges the segments in file order.
 */
#ifndef MULTIPOLAR_GDELT_SCAN_H
#define MULTIPOLAR_GDELT_SCAN_H

#include "multipolar.h"

#include "gdelt_vocab.h"

/* Vocabularies: both actors share one; event, base and root codes have one each. */
enum {
    MULTIPOLAR_GDELT_ACTOR = 0,
    MULTIPOLAR_GDELT_EVENT,
    MULTIPOLAR_GDELT_BASE,
    MULTIPOLAR_GDELT_ROOT,
    MULTIPOLAR_GDELT_NVOCAB,
};

/* Code columns of a row (actor1, actor2, event, base, root) and the vocabulary of each. */
#define MULTIPOLAR_GDELT_NCODE 5
static const int multipolar_gdelt_code_vocab[MULTIPOLAR_GDELT_NCODE] = {
    MULTIPOLAR_GDELT_ACTOR, MULTIPOLAR_GDELT_ACTOR, MULTIPOLAR_GDELT_EVENT, MULTIPOLAR_GDELT_BASE,
    MULTIPOLAR_GDELT_ROOT};

/* Bytes of a bad field's text kept for the error message (longer fields are cut). */
#define MULTIPOLAR_GDELT_TEXTMAX 40

/* One parsed row before the merge (codes local to the segment: see seg_t). */
typedef struct {
    npy_int64 id, date;
    double gold, tone;
    npy_int32 ment, src, art;
    npy_int16 code[MULTIPOLAR_GDELT_NCODE];
    npy_int8 quad;
    npy_bool isroot;
} multipolar_gdelt_row_t;

/*
 * A problem found in a segment: err.status (PARSE, FIELDS, TOO_MANY or NOMEM;
 * OK for none), err.index the 0-based line within the segment, err.field one
 * more than the GDELT column (0 for FIELDS), err.value the field's number where
 * it has one (the field count for FIELDS), err.limit the vocabulary size for
 * TOO_MANY; text the field's first bytes, `cut` whether there were more.
 */
typedef struct {
    multipolar_error_t err;
    char text[MULTIPOLAR_GDELT_TEXTMAX];
    npy_intp textlen;
    int cut;
} multipolar_gdelt_problem_t;

/*
 * Rows of one worker: the segments a worker scans append their rows here, each
 * segment's rows contiguous (seg_t.row0, nrows). One growing array per worker
 * rather than one per segment: a few large blocks, which the allocator reuses
 * from call to call, instead of many small ones it returns to the system and
 * must fault in again. Where a segment's rows lie has no effect on the result:
 * the merge reads them by segment, in file order.
 */
typedef struct {
    multipolar_gdelt_row_t *rows;
    npy_intp n, cap;
    npy_intp hint; /* rows to allocate at the first append */
} multipolar_gdelt_rows_t;

/*
 * One segment. Codes of a row index the seed vocabulary (below seed[v].n) or
 * the segment's own new keys (seed[v].n + index into voc[v]), so the shared
 * seed is read, never copied.
 */
typedef struct {
    /* in (set by gdelt.c) */
    const char *begin, *end; /* whole lines; the last may lack its newline */
    int fmt;                 /* 1 (GDELT 1.0) or 2 (GDELT 2.0); 0: every line is malformed */
    int strict;              /* stop at the first problem */
    const multipolar_vocab_t *seed;    /* NVOCAB vocabularies, read-only, shared */
    const multipolar_vocab_t *allowed; /* actor filter, or NULL */
    /* out */
    multipolar_vocab_t voc[MULTIPOLAR_GDELT_NVOCAB]; /* new keys, lines relative to the segment */
    int worker;       /* whose row store holds the rows */
    npy_intp row0;    /* first row in that store */
    npy_intp nrows;
    npy_intp nlines, nskipped, nfiltered;
    multipolar_gdelt_problem_t first; /* the first malformed line (PARSE, FIELDS) */
    multipolar_gdelt_problem_t stop;  /* what ended the segment early: NOMEM, TOO_MANY, or
                                         (strict) the first malformed line */
    /* merge (gdelt.c) */
    npy_intp out0;                              /* first output row */
    const npy_int16 *remap[MULTIPOLAR_GDELT_NVOCAB]; /* new key j -> merged code */
} multipolar_gdelt_seg_t;

/* The format of the first non-empty line whose field count fits one (2: 61 fields; 1: 57 or
 * 58), or 0 if none does. Runs without the GIL. */
int multipolar_gdelt_detect(const char *p, const char *end);

/* What the scan tasks share: the segments and one row store per worker (padded scratch). */
typedef struct {
    multipolar_gdelt_seg_t *segs;
    void *stores; /* multipolar_scratch_alloc slots of multipolar_gdelt_rows_t */
    size_t stride;
} multipolar_gdelt_scan_t;

/* The row store of `worker`. */
static inline multipolar_gdelt_rows_t *
multipolar_gdelt_store(const multipolar_gdelt_scan_t *scan, int worker)
{
    return (multipolar_gdelt_rows_t *)((char *)scan->stores + scan->stride * (size_t)worker);
}

/*
 * Parse the lines of segment `task` of scan (a multipolar_gdelt_scan_t) into
 * rows appended to the worker's store. A task function of the thread runtime:
 * runs without the GIL, on any worker; touches only its own segment and the
 * worker's store.
 */
void multipolar_gdelt_scan_segment(void *scan, npy_intp task, int worker);

/* Release what a segment allocated (safe on a zeroed segment). */
void multipolar_gdelt_seg_free(multipolar_gdelt_seg_t *sg);

#endif
