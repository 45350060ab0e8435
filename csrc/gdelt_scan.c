/*
 * gdelt_scan.c -- the line scanner and field parsers of the GDELT reader
 * (multipolar.read_gdelt; entry point in gdelt.c).
 *
 * GDELT event files are tab-separated without a header: GDELT 1.0 has 57
 * fields (58 with SOURCEURL), GDELT 2.0 has 61. Only 14 fields are converted,
 * all among the first 35, which both formats share (Leetaru & Schrodt 2013
 * codebook; GDELT 2.0 event codebook V2.0): GLOBALEVENTID, SQLDATE,
 * Actor1/2CountryCode, IsRootEvent, EventCode, EventBaseCode, EventRootCode,
 * QuadClass, GoldsteinScale, NumMentions, NumSources, NumArticles, AvgTone.
 *
 * Lines end in LF or CRLF; a missing final newline is fine; empty lines are
 * skipped. A line whose field count the format does not allow, or whose used
 * fields do not parse, is malformed: strict mode stops at the first one,
 * lenient mode skips and counts them. A vocabulary that would exceed
 * MULTIPOLAR_GDELT_VOCABMAX codes stops the segment in both modes (no code
 * can be given to the row; it is no fault of the row).
 *
 * Numbers are parsed without the C library where possible (no locale): a
 * decimal of up to 19 significant digits whose value and power of ten are
 * exact doubles is one correctly rounded IEEE operation (Clinger 1990), as
 * strtod would give; only longer numbers go to strtod.
 */
#include "multipolar.h"

#include <stdlib.h>
#include <string.h>

#include "gdelt_scan.h"

/* 0-based positions of the fields used; all lie in the first 35, shared by 1.0 and 2.0. */
enum {
    F_ID = 0,
    F_DATE = 1,
    F_A1 = 7,
    F_A2 = 17,
    F_ISROOT = 25,
    F_EVENT = 26,
    F_BASE = 27,
    F_ROOT = 28,
    F_QUAD = 29,
    F_GOLD = 30,
    F_MENT = 31,
    F_SRC = 32,
    F_ART = 33,
    F_TONE = 34,
    F_NEED = 35, /* tabs whose positions are recorded */
};

/* The GDELT column of each row code (actor1, actor2, event, base, root). */
static const int code_column[MULTIPOLAR_GDELT_NCODE] = {F_A1, F_A2, F_EVENT, F_BASE, F_ROOT};

/* ---- scalar parsers ------------------------------------------------------ */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * Integer in [lo, hi]: an optional sign, then only ASCII digits. Returns 1 (ok,
 * *out set), -1 (an integer outside [lo, hi] or beyond int64: *value is it as a
 * double) or 0 (not an integer: *value NaN).
 */
static int
parse_int(const char *s, npy_intp n, npy_int64 lo, npy_int64 hi, npy_int64 *out, double *value)
{
    npy_intp i = 0;
    int neg = 0, big = 0;
    npy_uint64 v = 0;
    double approx = 0.0;
    *value = NPY_NAN;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) {
        return 0;
    }
    for (; i < n; i++) {
        const unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9) {
            return 0;
        }
        if (!big && v > ((npy_uint64)NPY_MAX_INT64 - d) / 10) {
            big = 1;
            approx = (double)v;
        }
        if (big) {
            approx = approx * 10.0 + d;
        }
        else {
            v = v * 10 + d;
        }
    }
    if (big) {
        *value = neg ? -approx : approx;
        return -1;
    }
    const npy_int64 x = neg ? -(npy_int64)v : (npy_int64)v;
    if (x < lo || x > hi) {
        *value = (double)x;
        return -1;
    }
    *out = x;
    return 1;
}

/* strtod of s[0:n) (a validated decimal) through a NUL-terminated copy. 1 ok (finite), 0 not. */
static int
strtod_copy(const char *s, npy_intp n, double *out)
{
    char small[64];
    char *tmp = small, *endp = NULL;
    if (n >= (npy_intp)sizeof(small)) {
        tmp = PyMem_RawMalloc((size_t)n + 1);
        if (tmp == NULL) {
            return 0;
        }
    }
    memcpy(tmp, s, (size_t)n);
    tmp[n] = '\0';
    const double v = strtod(tmp, &endp);
    const int ok = endp == tmp + n && npy_isfinite(v);
    if (tmp != small) {
        PyMem_RawFree(tmp);
    }
    if (ok) {
        *out = v;
    }
    return ok;
}

/*
 * Decimal number [+-]digits[.digits][(e|E)[+-]digits] with at least one
 * mantissa digit. Up to 19 significant digits with a value below 2^53 and a
 * power of ten within 1e+-22, the result is one correctly rounded IEEE
 * multiplication or division of two exact doubles (Clinger 1990), so it equals
 * strtod's; other numbers go to strtod. Returns 1 ok (finite), 0 bad.
 */
static int
parse_double(const char *s, npy_intp n, double *out)
{
    npy_intp i = 0, ndig = 0, exp10 = 0;
    int neg = 0, nsig = 0, dropped = 0;
    npy_uint64 m = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    for (; i < n; i++) {
        const unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9) {
            break;
        }
        ndig++;
        if (m == 0 && d == 0) {
            continue;
        }
        if (nsig < 19) {
            m = m * 10 + d;
            nsig++;
        }
        else {
            exp10++;
            dropped = 1;
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n; i++) {
            const unsigned d = (unsigned)((unsigned char)s[i] - '0');
            if (d > 9) {
                break;
            }
            ndig++;
            if (m == 0 && d == 0) {
                exp10--;
                continue;
            }
            if (nsig < 19) {
                m = m * 10 + d;
                nsig++;
                exp10--;
            }
            else {
                dropped = 1;
            }
        }
    }
    if (ndig == 0) {
        return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        npy_intp e = 0, edig = 0;
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        for (; i < n; i++) {
            const unsigned d = (unsigned)((unsigned char)s[i] - '0');
            if (d > 9) {
                break;
            }
            edig++;
            if (e < 100000) {
                e = e * 10 + d;
            }
        }
        if (edig == 0) {
            return 0;
        }
        exp10 += eneg ? -e : e;
    }
    if (i != n) {
        return 0;
    }
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    if (!dropped && m <= ((npy_uint64)1 << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        *out = neg ? -v : v;
        return 1;
    }
    return strtod_copy(s, n, out);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
static npy_int64
days_from_civil(npy_int64 y, npy_int64 m, npy_int64 d)
{
    y -= m <= 2;
    const npy_int64 era = (y >= 0 ? y : y - 399) / 400;
    const npy_int64 yoe = y - era * 400;
    const npy_int64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const npy_int64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * SQLDATE YYYYMMDD (years 1678-2261, the datetime64[ns] range) -> nanoseconds
 * since the epoch. Returns 1 ok; 0 bad, with *value the eight digits as a
 * number if they are eight digits (else NaN).
 */
static int
parse_date(const char *s, npy_intp n, npy_int64 *out, double *value)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    npy_int64 v = 0;
    *value = NPY_NAN;
    if (n != 8) {
        return 0;
    }
    for (npy_intp i = 0; i < 8; i++) {
        const unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9) {
            return 0;
        }
        v = v * 10 + d;
    }
    *value = (double)v;
    const npy_int64 y = v / 10000, m = (v / 100) % 100, d = v % 100;
    if (y < 1678 || y > 2261 || m < 1 || m > 12 || d < 1) {
        return 0;
    }
    const int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) {
        return 0;
    }
    *out = days_from_civil(y, m, d) * (npy_int64)86400000000000LL;
    return 1;
}

/* ---- line scanning --------------------------------------------------------- */

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define MP_GDELT_SSE2 1
#else
#define MP_GDELT_SSE2 0
#endif

/*
 * Scan one line from p (at most to end) in a single pass: count its tabs,
 * record the offsets of the first F_NEED in tabs, and return the position of
 * its '\n' (or end). With SSE2 (every x86-64), 16 bytes per step: a compare
 * against '\t' and '\n' each and a bit mask; elsewhere a plain byte loop.
 * Offsets are recorded once, in increasing order, so fields cut by them stay
 * inside the line even if the buffer changes meanwhile.
 */
static const char *
scan_line(const char *p, const char *end, npy_intp *tabs, npy_intp *ntabs)
{
    npy_intp count = 0;
    const char *q = p;
#if MP_GDELT_SSE2
    const __m128i vt = _mm_set1_epi8('\t'), vn = _mm_set1_epi8('\n');
    while (end - q >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)q);
        unsigned mt = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vt));
        const unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn));
        if (mn) {
            mt &= (mn & (0u - mn)) - 1u; /* only the tabs before the newline */
        }
        while (mt) {
            if (count < F_NEED) {
                tabs[count] = (q - p) + __builtin_ctz(mt);
            }
            count++;
            mt &= mt - 1;
        }
        if (mn) {
            *ntabs = count;
            return q + __builtin_ctz(mn);
        }
        q += 16;
    }
#endif
    for (; q < end && *q != '\n'; q++) {
        if (*q == '\t') {
            if (count < F_NEED) {
                tabs[count] = q - p;
            }
            count++;
        }
    }
    *ntabs = count;
    return q;
}

/* A line is blank if it holds nothing or only the CR of a CRLF ending. */
static int
blank_line(const char *p, const char *e)
{
    return e == p || (e - p == 1 && p[0] == '\r');
}

int
multipolar_gdelt_detect(const char *p, const char *end)
{
    while (p < end) {
        npy_intp tabs[F_NEED], ntabs = 0;
        const char *e = scan_line(p, end, tabs, &ntabs);
        if (!blank_line(p, e)) {
            if (ntabs == 60) {
                return 2;
            }
            if (ntabs == 56 || ntabs == 57) {
                return 1;
            }
        }
        p = e < end ? e + 1 : end;
    }
    return 0;
}

/* ---- one line ---------------------------------------------------------------- */

/* The fields of one line: its start and the tab offsets scan_line recorded. */
typedef struct {
    const char *p;
    const npy_intp *tabs;
} line_t;

static inline const char *
field_at(const line_t *ln, int f)
{
    return ln->p + (f == 0 ? 0 : ln->tabs[f - 1] + 1);
}

static inline npy_intp
field_len(const line_t *ln, int f)
{
    return ln->tabs[f] - (f == 0 ? 0 : ln->tabs[f - 1] + 1);
}

/* Record a problem of field f (column f + 1 in the error) with the field's text. */
static multipolar_status_t
field_problem(multipolar_gdelt_problem_t *pb, multipolar_status_t status, const line_t *ln, int f,
              double value)
{
    const char *s = field_at(ln, f);
    const npy_intp len = field_len(ln, f);
    pb->err = multipolar_error(status, "buf", 0, value);
    pb->err.field = f + 1;
    pb->textlen = len < MULTIPOLAR_GDELT_TEXTMAX ? len : MULTIPOLAR_GDELT_TEXTMAX;
    pb->cut = len > MULTIPOLAR_GDELT_TEXTMAX;
    memcpy(pb->text, s, (size_t)pb->textlen);
    return status;
}

/* An integer field f in [lo, hi] into *out; a problem otherwise. */
static inline multipolar_status_t
int_field(const line_t *ln, int f, npy_int64 lo, npy_int64 hi, npy_int64 *out,
          multipolar_gdelt_problem_t *pb)
{
    double value;
    if (parse_int(field_at(ln, f), field_len(ln, f), lo, hi, out, &value) == 1) {
        return MULTIPOLAR_OK;
    }
    return field_problem(pb, MULTIPOLAR_ERR_PARSE, ln, f, value);
}

/* A decimal field f (empty: NaN) into *out; a problem otherwise. */
static inline multipolar_status_t
real_field(const line_t *ln, int f, double *out, multipolar_gdelt_problem_t *pb)
{
    const npy_intp len = field_len(ln, f);
    if (len == 0) {
        *out = NPY_NAN;
        return MULTIPOLAR_OK;
    }
    if (parse_double(field_at(ln, f), len, out)) {
        return MULTIPOLAR_OK;
    }
    return field_problem(pb, MULTIPOLAR_ERR_PARSE, ln, f, NPY_NAN);
}

/* The numeric fields of a line into r. MULTIPOLAR_OK or PARSE (pb filled). */
static multipolar_status_t
parse_numbers(const line_t *ln, multipolar_gdelt_row_t *r, multipolar_gdelt_problem_t *pb)
{
    npy_int64 v = 0;
    double value;
    if (int_field(ln, F_ID, 0, NPY_MAX_INT64, &r->id, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    if (!parse_date(field_at(ln, F_DATE), field_len(ln, F_DATE), &r->date, &value)) {
        return field_problem(pb, MULTIPOLAR_ERR_PARSE, ln, F_DATE, value);
    }
    if (int_field(ln, F_ISROOT, 0, 1, &v, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    r->isroot = (npy_bool)v;
    if (int_field(ln, F_QUAD, 1, 4, &v, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    r->quad = (npy_int8)v;
    if (real_field(ln, F_GOLD, &r->gold, pb) || real_field(ln, F_TONE, &r->tone, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    if (int_field(ln, F_MENT, 0, NPY_MAX_INT32, &v, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    r->ment = (npy_int32)v;
    if (int_field(ln, F_SRC, 0, NPY_MAX_INT32, &v, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    r->src = (npy_int32)v;
    if (int_field(ln, F_ART, 0, NPY_MAX_INT32, &v, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    r->art = (npy_int32)v;
    return MULTIPOLAR_OK;
}

/* Check the code fields of a line and hash them into h. OK, or PARSE (pb filled). */
static multipolar_status_t
check_codes(const line_t *ln, npy_uint32 *h, multipolar_gdelt_problem_t *pb)
{
    for (int c = 0; c < MULTIPOLAR_GDELT_NCODE; c++) {
        const int f = code_column[c];
        const npy_intp len = field_len(ln, f);
        if (!multipolar_gdelt_code_ok(field_at(ln, f), len)) {
            return field_problem(pb, MULTIPOLAR_ERR_PARSE, ln, f, NPY_NAN);
        }
        h[c] = multipolar_vocab_hash(field_at(ln, f), len);
    }
    return MULTIPOLAR_OK;
}

/* Whether the actor filter keeps a line: both actors present and allowed. */
static int
allowed_line(const multipolar_gdelt_seg_t *sg, const line_t *ln, const npy_uint32 *h)
{
    for (int c = 0; c < 2; c++) {
        const int f = code_column[c];
        const npy_intp len = field_len(ln, f);
        if (len == 0 || multipolar_vocab_find(sg->allowed, field_at(ln, f), len, h[c]) < 0) {
            return 0;
        }
    }
    return 1;
}

/*
 * The checked code fields of a kept line into r->code, through the seed
 * vocabularies and the segment's new keys (`line`: 0-based within the
 * segment). Returns OK, NOMEM or TOO_MANY (a new key in a full vocabulary;
 * pb filled). Keys are added column by column, as a serial reader would, so
 * the keys a segment adds before it overflows are the ones a serial reader
 * would have added.
 */
static multipolar_status_t
add_codes(multipolar_gdelt_seg_t *sg, const line_t *ln, const npy_uint32 *h, npy_intp line,
          multipolar_gdelt_row_t *r, multipolar_gdelt_problem_t *pb)
{
    for (int c = 0; c < MULTIPOLAR_GDELT_NCODE; c++) {
        const int f = code_column[c], vi = multipolar_gdelt_code_vocab[c];
        const char *s = field_at(ln, f);
        const npy_intp len = field_len(ln, f);
        if (len == 0) {
            r->code[c] = -1;
            continue;
        }
        const multipolar_vocab_t *seed = &sg->seed[vi];
        npy_intp k = multipolar_vocab_find(seed, s, len, h[c]);
        if (k < 0) {
            k = multipolar_vocab_add(&sg->voc[vi], s, len, h[c],
                                     MULTIPOLAR_GDELT_VOCABMAX - seed->n, line, f);
            if (k == -1) {
                pb->err = multipolar_error(MULTIPOLAR_ERR_NOMEM, "buf", 0, NPY_NAN);
                return MULTIPOLAR_ERR_NOMEM;
            }
            if (k == -2) {
                field_problem(pb, MULTIPOLAR_ERR_TOO_MANY, ln, f,
                              (double)MULTIPOLAR_GDELT_VOCABMAX + 1.0);
                pb->err.limit = MULTIPOLAR_GDELT_VOCABMAX;
                return MULTIPOLAR_ERR_TOO_MANY;
            }
            k += seed->n;
        }
        r->code[c] = (npy_int16)k;
    }
    return MULTIPOLAR_OK;
}

/*
 * Parse one non-blank line whose tabs scan_line found into a new row of sg.
 * Returns OK (row kept, or dropped by the actor filter and counted) or the
 * problem (pb filled, except its line). Every field is checked before any
 * key is added, so a malformed or filtered line adds no key.
 */
static multipolar_status_t
parse_line(multipolar_gdelt_seg_t *sg, multipolar_gdelt_rows_t *store, const line_t *ln,
           npy_intp ntabs, npy_intp line, multipolar_gdelt_problem_t *pb)
{
    multipolar_gdelt_row_t r;
    npy_uint32 h[MULTIPOLAR_GDELT_NCODE];
    if (!((sg->fmt == 2 && ntabs == 60) || (sg->fmt == 1 && (ntabs == 56 || ntabs == 57)))) {
        pb->err = multipolar_error(MULTIPOLAR_ERR_FIELDS, "buf", 0, (double)(ntabs + 1));
        pb->textlen = 0;
        pb->cut = 0;
        return MULTIPOLAR_ERR_FIELDS;
    }
    if (parse_numbers(ln, &r, pb) || check_codes(ln, h, pb)) {
        return MULTIPOLAR_ERR_PARSE;
    }
    if (sg->allowed != NULL && !allowed_line(sg, ln, h)) {
        sg->nfiltered++;
        return MULTIPOLAR_OK;
    }
    const multipolar_status_t st = add_codes(sg, ln, h, line, &r, pb);
    if (st != MULTIPOLAR_OK) {
        return st;
    }
    if (store->n == store->cap) {
        const npy_intp cap = store->cap == 0 ? store->hint + 64 : store->cap + store->cap / 2;
        multipolar_gdelt_row_t *rows =
            PyMem_RawRealloc(store->rows, (size_t)cap * sizeof(multipolar_gdelt_row_t));
        if (rows == NULL) {
            pb->err = multipolar_error(MULTIPOLAR_ERR_NOMEM, "buf", 0, NPY_NAN);
            return MULTIPOLAR_ERR_NOMEM;
        }
        store->rows = rows;
        store->cap = cap;
    }
    store->rows[store->n++] = r;
    sg->nrows++;
    return MULTIPOLAR_OK;
}

/* ---- one segment --------------------------------------------------------------- */

/* Start the segment's vocabularies. 0, or -1 (no memory). */
static int
seg_start(multipolar_gdelt_seg_t *sg)
{
    for (int v = 0; v < MULTIPOLAR_GDELT_NVOCAB; v++) {
        if (multipolar_vocab_init(&sg->voc[v], 16) < 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * Contract: parse the lines of segment [begin, end) (whole lines) into rows
 * appended to the worker's store (from row0, contiguous), new vocabulary keys
 * (first-appearance order), and line, skip and filter counts. `first` records the first malformed line (its text kept once, so a
 * later bad line never overwrites it); `stop` what ended the segment early:
 * the first malformed line in strict mode, a full vocabulary or no memory in
 * any mode. Lines are 0-based within the segment. No GIL, any worker.
 */
void
multipolar_gdelt_scan_segment(void *scan, npy_intp task, int worker)
{
    multipolar_gdelt_seg_t *sg = ((multipolar_gdelt_scan_t *)scan)->segs + task;
    multipolar_gdelt_rows_t *store = multipolar_gdelt_store(scan, worker);
    const char *p = sg->begin;
    npy_intp line = 0;
    sg->worker = worker;
    sg->row0 = store->n;
    if (seg_start(sg) < 0) {
        sg->stop.err = multipolar_error(MULTIPOLAR_ERR_NOMEM, "buf", 0, NPY_NAN);
        return;
    }
    while (p < sg->end) {
        npy_intp tabs[F_NEED], ntabs = 0;
        const char *e = scan_line(p, sg->end, tabs, &ntabs);
        const char *next = e < sg->end ? e + 1 : sg->end;
        if (!blank_line(p, e)) {
            multipolar_gdelt_problem_t pb;
            const line_t ln = {p, tabs};
            const multipolar_status_t st = parse_line(sg, store, &ln, ntabs, line, &pb);
            if (st != MULTIPOLAR_OK) {
                pb.err.index = line;
                const int malformed = st == MULTIPOLAR_ERR_PARSE || st == MULTIPOLAR_ERR_FIELDS;
                if (malformed && sg->first.err.status == MULTIPOLAR_OK) {
                    sg->first = pb;
                }
                if (!malformed || sg->strict) {
                    sg->stop = pb;
                    sg->nlines = line + 1;
                    return;
                }
                sg->nskipped++;
            }
        }
        line++;
        p = next;
    }
    sg->nlines = line;
}

void
multipolar_gdelt_seg_free(multipolar_gdelt_seg_t *sg)
{
    for (int v = 0; v < MULTIPOLAR_GDELT_NVOCAB; v++) {
        multipolar_vocab_free(&sg->voc[v]);
    }
}
