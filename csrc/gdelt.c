/*
 * gdelt.c -- the GDELT reader family: a tokenizer for GDELT 1.0 and 2.0 event
 * files (tab-separated, no header), wrapped by multipolar.gdelt (read_gdelt).
 *
 *   gdelt_parse(buf, start, stop, fmt, strict, actor_vocab, event_vocab,
 *               base_vocab, root_vocab, allowed, source, line0)
 *       Parses the lines of buf[start:stop] (extended to the end of the line
 *       holding byte stop - 1) and returns the 14 columns listed in gdelt.h.
 *       Only the fields used are converted: GLOBALEVENTID, SQLDATE,
 *       Actor1/2CountryCode, IsRootEvent, EventCode, EventBaseCode,
 *       EventRootCode, QuadClass, GoldsteinScale, NumMentions, NumSources,
 *       NumArticles, AvgTone -- fields 1-35, which GDELT 1.0 and 2.0 share
 *       (the Leetaru & Schrodt 2013 codebook; GDELT 2.0 event codebook V2.0).
 *       The format is fixed by the field count: 61 fields is GDELT 2.0, 57 or
 *       58 (with or without SOURCEURL) GDELT 1.0; with fmt 0 the first line
 *       whose count fits decides.
 *
 * Code fields become int16 codes into small vocabularies the caller holds
 * (one for both actors, one each for event, base and root codes): the caller
 * passes the codes known so far, gets the new ones back in order of first
 * appearance, and builds pandas Categoricals without a Python string per row.
 *
 * Lines end in LF or CRLF; a missing final newline is fine; empty lines are
 * skipped. A line whose field count the format does not allow, or whose used
 * fields do not parse, is a problem: strict mode stops at the first one (the
 * caller raises with the file and line), lenient mode skips and counts them.
 * The buffer is split at line boundaries into segments parsed on threads
 * without the GIL, each into its own rows and vocabulary; segments are merged
 * in file order, so the result does not depend on the number of threads.
 */
#include "multipolar.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdelt.h"
#include "threads.h"

/* ---- fields ------------------------------------------------------------- */

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

/* Vocabulary slots: both actors share one. */
enum { V_ACTOR = 0, V_EVENT, V_BASE, V_ROOT, V_COUNT };

static const char *
field_name(int f)
{
    switch (f) {
    case F_ID: return "GLOBALEVENTID";
    case F_DATE: return "SQLDATE";
    case F_A1: return "Actor1CountryCode";
    case F_A2: return "Actor2CountryCode";
    case F_ISROOT: return "IsRootEvent";
    case F_EVENT: return "EventCode";
    case F_BASE: return "EventBaseCode";
    case F_ROOT: return "EventRootCode";
    case F_QUAD: return "QuadClass";
    case F_GOLD: return "GoldsteinScale";
    case F_MENT: return "NumMentions";
    case F_SRC: return "NumSources";
    case F_ART: return "NumArticles";
    case F_TONE: return "AvgTone";
    }
    return "?";
}

static const char *
field_expect(int f)
{
    switch (f) {
    case F_ID: return "a non-negative integer";
    case F_DATE: return "a date YYYYMMDD in 1678-2261";
    case F_ISROOT: return "0 or 1";
    case F_QUAD: return "1, 2, 3 or 4";
    case F_GOLD:
    case F_TONE: return "a number or empty";
    case F_MENT:
    case F_SRC:
    case F_ART: return "an integer in [0, 2**31)";
    }
    return "a code";
}

/* ---- problems a line can have ------------------------------------------- */

typedef enum {
    P_NONE = 0,
    P_FIELDS, /* field count the format does not allow */
    P_VALUE,  /* a numeric field that does not parse or is out of range */
    P_CODE,   /* a code longer than KEYMAX or not printable ASCII */
    P_VOCAB,  /* more than VOCABMAX distinct codes */
    P_NOMEM,  /* scratch allocation failed (fatal) */
} problem_t;

/* ---- small string vocabularies ------------------------------------------- */

typedef struct {
    char key[MULTIPOLAR_GDELT_KEYMAX + 1];
    unsigned char len;
} vkey_t;

/* Open-addressing hash table of short keys; indices are codes in insertion order. */
typedef struct {
    npy_int32 *slot; /* cap entries: index into keys, or -1 */
    npy_intp cap;    /* power of two, kept above twice n */
    vkey_t *keys;
    npy_intp n;
    npy_intp kcap;
} vocab_t;

static npy_uint32
hash_key(const char *s, npy_intp len)
{
    npy_uint32 h = 2166136261u; /* FNV-1a */
    for (npy_intp i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

static void
vocab_free(vocab_t *v)
{
    PyMem_RawFree(v->slot);
    PyMem_RawFree(v->keys);
    v->slot = NULL;
    v->keys = NULL;
    v->n = v->cap = v->kcap = 0;
}

/* Rebuild the slot table with capacity cap (power of two > 2 n). 0 ok, -1 no memory. */
static int
vocab_rehash(vocab_t *v, npy_intp cap)
{
    npy_int32 *slot = PyMem_RawMalloc((size_t)cap * sizeof(npy_int32));
    if (slot == NULL) {
        return -1;
    }
    for (npy_intp i = 0; i < cap; i++) {
        slot[i] = -1;
    }
    for (npy_intp k = 0; k < v->n; k++) {
        npy_uint32 h = hash_key(v->keys[k].key, v->keys[k].len);
        npy_intp i = (npy_intp)(h & (npy_uint32)(cap - 1));
        while (slot[i] >= 0) {
            i = (i + 1) & (cap - 1);
        }
        slot[i] = (npy_int32)k;
    }
    PyMem_RawFree(v->slot);
    v->slot = slot;
    v->cap = cap;
    return 0;
}

static int
vocab_init(vocab_t *v, npy_intp hint)
{
    npy_intp cap = 64;
    v->slot = NULL;
    v->keys = NULL;
    v->n = 0;
    v->kcap = hint > 16 ? hint : 16;
    while (cap < 2 * v->kcap + 2) {
        cap *= 2;
    }
    v->keys = PyMem_RawMalloc((size_t)v->kcap * sizeof(vkey_t));
    if (v->keys == NULL || vocab_rehash(v, cap) < 0) {
        vocab_free(v);
        return -1;
    }
    return 0;
}

/* Index of key s[0:len), or -1. */
static npy_intp
vocab_find(const vocab_t *v, const char *s, npy_intp len)
{
    npy_intp i = (npy_intp)(hash_key(s, len) & (npy_uint32)(v->cap - 1));
    for (;;) {
        const npy_int32 k = v->slot[i];
        if (k < 0) {
            return -1;
        }
        if (v->keys[k].len == len && memcmp(v->keys[k].key, s, (size_t)len) == 0) {
            return k;
        }
        i = (i + 1) & (v->cap - 1);
    }
}

/* Index of key s[0:len) (len <= KEYMAX), added if new: >= 0, -1 no memory, -2 full. */
static npy_intp
vocab_add(vocab_t *v, const char *s, npy_intp len)
{
    npy_intp i = (npy_intp)(hash_key(s, len) & (npy_uint32)(v->cap - 1));
    for (;;) {
        const npy_int32 k = v->slot[i];
        if (k < 0) {
            break;
        }
        if (v->keys[k].len == len && memcmp(v->keys[k].key, s, (size_t)len) == 0) {
            return k;
        }
        i = (i + 1) & (v->cap - 1);
    }
    if (v->n >= MULTIPOLAR_GDELT_VOCABMAX) {
        return -2;
    }
    if (v->n == v->kcap) {
        const npy_intp kcap = 2 * v->kcap;
        vkey_t *keys = PyMem_RawRealloc(v->keys, (size_t)kcap * sizeof(vkey_t));
        if (keys == NULL) {
            return -1;
        }
        v->keys = keys;
        v->kcap = kcap;
    }
    memcpy(v->keys[v->n].key, s, (size_t)len);
    v->keys[v->n].key[len] = '\0';
    v->keys[v->n].len = (unsigned char)len;
    v->n++;
    if (2 * v->n + 2 > v->cap) {
        if (vocab_rehash(v, 2 * v->cap) < 0) {
            v->n--;
            return -1;
        }
        return v->n - 1;
    }
    v->slot[i] = (npy_int32)(v->n - 1);
    return v->n - 1;
}

static int
vocab_copy(vocab_t *dst, const vocab_t *src)
{
    if (vocab_init(dst, src->n + 16) < 0) {
        return -1;
    }
    for (npy_intp k = 0; k < src->n; k++) {
        if (vocab_add(dst, src->keys[k].key, src->keys[k].len) < 0) {
            vocab_free(dst);
            return -1;
        }
    }
    return 0;
}

/* A code field is valid if it is at most KEYMAX printable ASCII bytes (empty: missing). */
static int
code_ok(const char *s, npy_intp len)
{
    if (len > MULTIPOLAR_GDELT_KEYMAX) {
        return 0;
    }
    for (npy_intp i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* ---- scalar parsers (no GIL, no locale except in the rare strtod fallback) ---- */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Integer in [lo, hi]: optional sign, then only digits. Returns 1 ok, 0 bad. */
static int
parse_int(const char *s, npy_intp n, npy_int64 lo, npy_int64 hi, npy_int64 *out)
{
    npy_intp i = 0;
    int neg = 0;
    npy_uint64 v = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) {
        return 0;
    }
    for (; i < n; i++) {
        const unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9 || v > ((npy_uint64)NPY_MAX_INT64 - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
    }
    const npy_int64 x = neg ? -(npy_int64)v : (npy_int64)v;
    if (x < lo || x > hi) {
        return 0;
    }
    *out = x;
    return 1;
}

/*
 * Decimal number [+-]digits[.digits][(e|E)[+-]digits] with at least one
 * digit. Up to 19 significant digits with a value below 2^53 and a power of
 * ten within 1e+-22, the result is one correctly rounded IEEE multiplication
 * or division of two exact doubles (Clinger 1990), so it equals strtod's;
 * longer numbers go to strtod. Returns 1 ok (finite), 0 bad.
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
    char tmp[64];
    char *endp = NULL;
    if (n >= (npy_intp)sizeof(tmp)) {
        return 0;
    }
    memcpy(tmp, s, (size_t)n);
    tmp[n] = '\0';
    const double v = strtod(tmp, &endp);
    if (endp != tmp + n || !npy_isfinite(v)) {
        return 0;
    }
    *out = v;
    return 1;
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

/* SQLDATE YYYYMMDD (1678-2261, the datetime64[ns] range) -> nanoseconds since the epoch. */
static int
parse_date(const char *s, npy_intp n, npy_int64 *out)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    npy_int64 v = 0;
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

/* ---- one segment of lines ------------------------------------------------ */

/* One parsed row before the merge (codes local to the segment's vocabularies). */
typedef struct {
    npy_int64 id, date;
    double gold, tone;
    npy_int32 ment, src, art;
    npy_int16 code[5]; /* actor1, actor2, event, base, root */
    npy_int8 quad;
    npy_bool isroot;
} row_t;

typedef struct {
    /* input */
    const char *begin, *end;
    int fmt, strict;
    const vocab_t *seed;    /* V_COUNT seed vocabularies (read-only, shared) */
    const vocab_t *allowed; /* country filter, or NULL */
    /* output */
    vocab_t voc[V_COUNT];
    row_t *rows;
    npy_intp nrows, rcap;
    npy_intp nlines, nskipped, nfiltered;
    /* first problem */
    problem_t prob;
    npy_intp prob_line; /* 0-based within the segment */
    int prob_field;
    npy_intp prob_nfields;
    char prob_text[48];
    int fatal;
} seg_t;

/* Copy a field for a message: printable bytes kept, others as '?', long fields cut. */
static void
note_text(seg_t *sg, const char *s, npy_intp len)
{
    const npy_intp max = (npy_intp)sizeof(sg->prob_text) - 4;
    npy_intp k = len < max ? len : max;
    for (npy_intp i = 0; i < k; i++) {
        const unsigned char c = (unsigned char)s[i];
        sg->prob_text[i] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
    }
    if (len > max) {
        memcpy(sg->prob_text + k, "...", 3);
        k += 3;
    }
    sg->prob_text[k] = '\0';
}

/* Parse one non-empty line at p whose tab offsets scan_line found. Returns P_NONE (row kept
 * or filtered) or a problem. */
static problem_t
parse_row(seg_t *sg, const char *p, const npy_intp *tabs, npy_intp ntabs, int *bad_field,
          npy_intp *nfields)
{
    row_t r;
    npy_int64 v;
    *nfields = ntabs + 1;
    if (!((sg->fmt == 2 && ntabs == 60) || (sg->fmt == 1 && (ntabs == 56 || ntabs == 57)))) {
        return P_FIELDS;
    }
#define FS(f) (p + ((f) == 0 ? 0 : tabs[(f) - 1] + 1))
#define FL(f) (tabs[f] - ((f) == 0 ? 0 : tabs[(f) - 1] + 1))
#define BAD(f)                          \
    do {                                \
        *bad_field = (f);               \
        note_text(sg, FS(f), FL(f));    \
        return P_VALUE;                 \
    } while (0)
    if (!parse_int(FS(F_ID), FL(F_ID), 0, NPY_MAX_INT64, &r.id)) {
        BAD(F_ID);
    }
    if (!parse_date(FS(F_DATE), FL(F_DATE), &r.date)) {
        BAD(F_DATE);
    }
    if (!parse_int(FS(F_ISROOT), FL(F_ISROOT), 0, 1, &v)) {
        BAD(F_ISROOT);
    }
    r.isroot = (npy_bool)v;
    if (!parse_int(FS(F_QUAD), FL(F_QUAD), 1, 4, &v)) {
        BAD(F_QUAD);
    }
    r.quad = (npy_int8)v;
    if (FL(F_GOLD) == 0) {
        r.gold = NPY_NAN;
    }
    else if (!parse_double(FS(F_GOLD), FL(F_GOLD), &r.gold)) {
        BAD(F_GOLD);
    }
    if (FL(F_TONE) == 0) {
        r.tone = NPY_NAN;
    }
    else if (!parse_double(FS(F_TONE), FL(F_TONE), &r.tone)) {
        BAD(F_TONE);
    }
    if (!parse_int(FS(F_MENT), FL(F_MENT), 0, NPY_MAX_INT32, &v)) {
        BAD(F_MENT);
    }
    r.ment = (npy_int32)v;
    if (!parse_int(FS(F_SRC), FL(F_SRC), 0, NPY_MAX_INT32, &v)) {
        BAD(F_SRC);
    }
    r.src = (npy_int32)v;
    if (!parse_int(FS(F_ART), FL(F_ART), 0, NPY_MAX_INT32, &v)) {
        BAD(F_ART);
    }
    r.art = (npy_int32)v;
    static const int code_field[5] = {F_A1, F_A2, F_EVENT, F_BASE, F_ROOT};
    static const int code_vocab[5] = {V_ACTOR, V_ACTOR, V_EVENT, V_BASE, V_ROOT};
    for (int c = 0; c < 5; c++) {
        const int f = code_field[c];
        if (!code_ok(FS(f), FL(f))) {
            *bad_field = f;
            note_text(sg, FS(f), FL(f));
            return P_CODE;
        }
    }
    if (sg->allowed != NULL) {
        if (FL(F_A1) == 0 || FL(F_A2) == 0 || vocab_find(sg->allowed, FS(F_A1), FL(F_A1)) < 0 ||
            vocab_find(sg->allowed, FS(F_A2), FL(F_A2)) < 0) {
            sg->nfiltered++;
            return P_NONE;
        }
    }
    for (int c = 0; c < 5; c++) {
        const int f = code_field[c];
        if (FL(f) == 0) {
            r.code[c] = -1;
            continue;
        }
        const npy_intp k = vocab_add(&sg->voc[code_vocab[c]], FS(f), FL(f));
        if (k == -1) {
            return P_NOMEM;
        }
        if (k == -2) {
            *bad_field = f;
            note_text(sg, FS(f), FL(f));
            return P_VOCAB;
        }
        r.code[c] = (npy_int16)k;
    }
#undef BAD
#undef FL
#undef FS
    if (sg->nrows == sg->rcap) {
        const npy_intp cap = sg->rcap + sg->rcap / 2 + 64;
        row_t *rows = PyMem_RawRealloc(sg->rows, (size_t)cap * sizeof(row_t));
        if (rows == NULL) {
            return P_NOMEM;
        }
        sg->rows = rows;
        sg->rcap = cap;
    }
    sg->rows[sg->nrows++] = r;
    return P_NONE;
}

/*
 * Parse the lines of one segment [begin, end) into sg->rows.
 * in:  begin/end at line boundaries (end may lack a final newline), fmt, strict
 * out: rows, vocabularies (seed codes first), line/skip/filter counts, first problem
 * status: sg->fatal on allocation failure. Runs without the GIL, on any thread.
 */
static void
parse_segment(void *arg, npy_intp task, int worker)
{
    seg_t *sg = ((seg_t *)arg) + task;
    for (int c = 0; c < V_COUNT; c++) {
        if (vocab_copy(&sg->voc[c], &sg->seed[c]) < 0) {
            sg->fatal = 1;
            return;
        }
    }
    const char *p = sg->begin;
    npy_intp line = 0;
    sg->rcap = (sg->end - sg->begin) / 300 + 64;
    sg->rows = PyMem_RawMalloc((size_t)sg->rcap * sizeof(row_t));
    if (sg->rows == NULL) {
        sg->fatal = 1;
        return;
    }
    while (p < sg->end) {
        npy_intp tabs[F_NEED], ntabs = 0;
        const char *e = scan_line(p, sg->end, tabs, &ntabs);
        const char *next = e < sg->end ? e + 1 : sg->end;
        if (e > p && e[-1] == '\r') {
            e--; /* a CR ends the last field, which is never used */
        }
        if (e > p) {
            int field = -1;
            npy_intp nfields = 0;
            const problem_t pr = parse_row(sg, p, tabs, ntabs, &field, &nfields);
            if (pr == P_NOMEM) {
                sg->fatal = 1;
                return;
            }
            if (pr != P_NONE) {
                if (sg->prob == P_NONE) {
                    sg->prob = pr;
                    sg->prob_line = line;
                    sg->prob_field = field;
                    sg->prob_nfields = nfields;
                }
                if (sg->strict) {
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

/* ---- argument helpers (GIL held) ------------------------------------------ */

/* Fill v from a list of str codes (printable ASCII, 1..KEYMAX characters). */
static int
vocab_from_list(vocab_t *v, PyObject *list, const char *func, const char *arg, int unique)
{
    const Py_ssize_t n = PyList_GET_SIZE(list);
    if (n > MULTIPOLAR_GDELT_VOCABMAX) {
        PyErr_Format(PyExc_ValueError, "%s: %s must have at most %d codes; got %zd", func, arg,
                     MULTIPOLAR_GDELT_VOCABMAX, n);
        return -1;
    }
    if (vocab_init(v, n + 16) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i); /* borrowed from list */
        Py_ssize_t len = 0;
        const char *s = NULL;
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s: %s items must be str; got %R at position %zd",
                         func, arg, (PyObject *)Py_TYPE(item), i);
            return -1;
        }
        s = PyUnicode_IS_ASCII(item) ? PyUnicode_AsUTF8AndSize(item, &len) : NULL;
        if (s == NULL || len < 1 || !code_ok(s, len)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError,
                         "%s: %s items must be 1 to %d printable ASCII characters; got %R", func,
                         arg, MULTIPOLAR_GDELT_KEYMAX, item);
            return -1;
        }
        const npy_intp before = v->n;
        const npy_intp k = vocab_add(v, s, len);
        if (k == -1) {
            PyErr_NoMemory();
            return -1;
        }
        if (unique && v->n == before) {
            PyErr_Format(PyExc_ValueError, "%s: %s items must be unique; got %R twice", func, arg,
                         item);
            return -1;
        }
    }
    return 0;
}

/* Describe a segment's first problem for a message (after "file X line N "). */
static void
describe_problem(const seg_t *sg, int fmt, char *out, size_t size)
{
    const int f = sg->prob_field;
    switch (sg->prob) {
    case P_FIELDS:
        if (fmt == 2) {
            PyOS_snprintf(out, size, "must have 61 tab-separated fields (GDELT 2.0); got %zd",
                          (Py_ssize_t)sg->prob_nfields);
        }
        else if (fmt == 1) {
            PyOS_snprintf(out, size,
                          "must have 57 or 58 tab-separated fields (GDELT 1.0); got %zd",
                          (Py_ssize_t)sg->prob_nfields);
        }
        else {
            PyOS_snprintf(out, size,
                          "must have 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0) tab-separated "
                          "fields; got %zd",
                          (Py_ssize_t)sg->prob_nfields);
        }
        return;
    case P_VALUE:
        PyOS_snprintf(out, size, "column %d (%s) must be %s; got '%s'", f + 1, field_name(f),
                      field_expect(f), sg->prob_text);
        return;
    case P_CODE:
        PyOS_snprintf(out, size,
                      "column %d (%s) must be a code of at most %d printable ASCII "
                      "characters; got '%s'",
                      f + 1, field_name(f), MULTIPOLAR_GDELT_KEYMAX, sg->prob_text);
        return;
    case P_VOCAB:
        PyOS_snprintf(out, size, "column %d (%s) must have at most %d distinct codes; got '%s'",
                      f + 1, field_name(f), MULTIPOLAR_GDELT_VOCABMAX, sg->prob_text);
        return;
    default:
        PyOS_snprintf(out, size, "could not be parsed");
        return;
    }
}

/* ---- entry point ----------------------------------------------------------- */

/* Smallest segment worth its own thread. */
#define MP_GDELT_SEGMENT (4 * 1024 * 1024)

PyObject *
multipolar_gdelt_parse(PyObject *self, PyObject *args)
{
    static const char func[] = "gdelt_parse";
    static const char *const vocab_args[V_COUNT] = {"actor_vocab", "event_vocab", "base_vocab",
                                                    "root_vocab"};
    PyObject *buf_obj = NULL;     /* borrowed from args */
    PyObject *vlist[V_COUNT];     /* borrowed from args */
    PyObject *allowed_obj = NULL; /* borrowed from args */
    PyObject *source = NULL;      /* borrowed from args */
    Py_ssize_t start = 0, stop = 0, line0 = 0;
    int fmt = 0, strict = 1;
    Py_buffer view;
    int have_view = 0;
    vocab_t seed[V_COUNT];
    vocab_t merged[V_COUNT];
    vocab_t allowed;
    int have_allowed = 0;
    seg_t *segs = NULL;
    npy_intp nseg = 0;
    npy_int16 *remap = NULL;
    PyArrayObject *cols[MULTIPOLAR_GDELT_NCOL];
    PyObject *coltuple = NULL, *vocabs = NULL, *problem = NULL, *result = NULL;
    char text[256];
    NPY_BEGIN_THREADS_DEF;

    memset(seed, 0, sizeof(seed));
    memset(merged, 0, sizeof(merged));
    memset(&allowed, 0, sizeof(allowed));
    memset(cols, 0, sizeof(cols));

    /* 1. parse */
    if (!PyArg_ParseTuple(args, "OnnipO!O!O!O!OUn:gdelt_parse", &buf_obj, &start, &stop, &fmt,
                          &strict, &PyList_Type, &vlist[0], &PyList_Type, &vlist[1],
                          &PyList_Type, &vlist[2], &PyList_Type, &vlist[3], &allowed_obj,
                          &source, &line0)) {
        return NULL;
    }
    /* 2. validate */
    if (PyObject_GetBuffer(buf_obj, &view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: buf must support the buffer protocol; got %R", func,
                     (PyObject *)Py_TYPE(buf_obj));
        return NULL;
    }
    have_view = 1;
    const npy_intp size = (npy_intp)view.len;
    if (start < 0 || start > size) {
        PyErr_Format(PyExc_ValueError, "%s: start must be in [0, len(buf)] = [0, %zd]; got %zd",
                     func, (Py_ssize_t)size, start);
        goto fail;
    }
    if (stop < start || stop > size) {
        PyErr_Format(PyExc_ValueError, "%s: stop must be in [start, len(buf)] = [%zd, %zd]; got %zd",
                     func, start, (Py_ssize_t)size, stop);
        goto fail;
    }
    if (fmt < 0 || fmt > 2) {
        PyErr_Format(PyExc_ValueError, "%s: fmt must be 0 (detect), 1 or 2; got %d", func, fmt);
        goto fail;
    }
    if (line0 < 1) {
        PyErr_Format(PyExc_ValueError, "%s: line0 must be >= 1; got %zd", func, line0);
        goto fail;
    }
    for (int c = 0; c < V_COUNT; c++) {
        if (vocab_from_list(&seed[c], vlist[c], func, vocab_args[c], 1) < 0) {
            goto fail;
        }
    }
    if (allowed_obj != Py_None) {
        if (!PyList_Check(allowed_obj)) {
            PyErr_Format(PyExc_TypeError, "%s: allowed must be None or a list of str; got %R",
                         func, (PyObject *)Py_TYPE(allowed_obj));
            goto fail;
        }
        have_allowed = 1;
        if (vocab_from_list(&allowed, allowed_obj, func, "allowed", 0) < 0) {
            goto fail;
        }
    }

    const char *buf = (const char *)view.buf;
    npy_intp end = stop;
    if (stop > start && buf[stop - 1] != '\n') {
        const char *q = memchr(buf + stop, '\n', (size_t)(size - stop));
        end = q != NULL ? (q - buf) + 1 : size;
    }
    nseg = (end - start) / MP_GDELT_SEGMENT + 1;
    const multipolar_team_t team = multipolar_team(self, nseg);
    nseg = team.nthreads;
    /* 3. allocate the segments */
    segs = PyMem_RawCalloc((size_t)nseg, sizeof(seg_t));
    if (segs == NULL) {
        PyErr_NoMemory();
        goto fail;
    }

    /* 4. release the GIL; 5. detect the format, split at line starts, parse on threads */
    NPY_BEGIN_THREADS_THRESHOLDED(end - start);
    if (fmt == 0) {
        const char *p = buf + start;
        while (p < buf + end && fmt == 0) {
            npy_intp tabs[F_NEED], ntabs = 0;
            const char *e = scan_line(p, buf + end, tabs, &ntabs);
            if (e > p && !(e - p == 1 && p[0] == '\r')) {
                fmt = ntabs == 60 ? 2 : (ntabs == 56 || ntabs == 57) ? 1 : 0;
            }
            p = e < buf + end ? e + 1 : buf + end;
        }
    }
    {
        npy_intp prev = start;
        for (npy_intp k = 0; k < nseg; k++) {
            npy_intp b = end;
            if (k + 1 < nseg) {
                npy_intp pos = start + (end - start) / nseg * (k + 1);
                if (pos < prev) {
                    pos = prev;
                }
                const char *q = memchr(buf + pos, '\n', (size_t)(end - pos));
                b = q != NULL ? (q - buf) + 1 : end;
            }
            segs[k].begin = buf + prev;
            segs[k].end = buf + b;
            segs[k].fmt = fmt;
            segs[k].strict = strict;
            segs[k].seed = seed;
            segs[k].allowed = have_allowed ? &allowed : NULL;
            prev = b;
        }
    }
    multipolar_parallel_for(&team, nseg, MULTIPOLAR_STATIC, parse_segment, segs);
    NPY_END_THREADS;

    /* 6. translate: allocation failures, then the first problem in file order */
    npy_intp nrows = 0, nlines = 0, nskipped = 0, nfiltered = 0;
    for (npy_intp k = 0; k < nseg; k++) {
        if (segs[k].fatal) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    for (npy_intp k = 0; k < nseg; k++) {
        const seg_t *sg = &segs[k];
        if (sg->prob != P_NONE && problem == NULL) {
            describe_problem(sg, fmt, text, sizeof(text));
            const Py_ssize_t line = line0 + nlines + sg->prob_line;
            if (strict) {
                PyErr_Format(PyExc_ValueError, "read_gdelt: file %R line %zd %s", source, line,
                             text);
                goto fail;
            }
            problem = Py_BuildValue("(ns)", line, text);
            if (problem == NULL) {
                goto fail;
            }
        }
        nrows += sg->nrows;
        nlines += sg->nlines;
        nskipped += sg->nskipped;
        nfiltered += sg->nfiltered;
    }

    /* 3'. allocate the outputs and the merged vocabularies */
    static const int col_type[MULTIPOLAR_GDELT_NCOL] = {
        NPY_INT64, NPY_INT64, NPY_INT16, NPY_INT16, NPY_INT16, NPY_INT16, NPY_INT16,
        NPY_INT8,  NPY_FLOAT64, NPY_INT32, NPY_INT32, NPY_INT32, NPY_FLOAT64, NPY_BOOL};
    for (int c = 0; c < MULTIPOLAR_GDELT_NCOL; c++) {
        cols[c] = (PyArrayObject *)PyArray_EMPTY(1, &nrows, col_type[c], 0);
        if (cols[c] == NULL) {
            goto fail;
        }
    }
    for (int c = 0; c < V_COUNT; c++) {
        if (vocab_copy(&merged[c], &seed[c]) < 0) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    npy_intp nremap = 0;
    for (npy_intp k = 0; k < nseg; k++) {
        for (int c = 0; c < V_COUNT; c++) {
            nremap += segs[k].voc[c].n - seed[c].n;
        }
    }
    remap = PyMem_RawMalloc((size_t)(nremap + 1) * sizeof(npy_int16));
    if (remap == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    /* merge the segments' new codes in file order; a segment's seed codes stay as they are */
    {
        npy_intp r = 0;
        for (npy_intp k = 0; k < nseg; k++) {
            for (int c = 0; c < V_COUNT; c++) {
                const vocab_t *sv = &segs[k].voc[c];
                for (npy_intp j = seed[c].n; j < sv->n; j++) {
                    const npy_intp idx = vocab_add(&merged[c], sv->keys[j].key, sv->keys[j].len);
                    if (idx == -1) {
                        PyErr_NoMemory();
                        goto fail;
                    }
                    if (idx == -2) {
                        PyErr_Format(PyExc_ValueError,
                                     "read_gdelt: file %R must have at most %d distinct codes "
                                     "in %s; got more",
                                     source, MULTIPOLAR_GDELT_VOCABMAX, vocab_args[c]);
                        goto fail;
                    }
                    remap[r++] = (npy_int16)idx;
                }
            }
        }
    }

    /* 4./5. scatter the rows into the columns without the GIL */
    NPY_BEGIN_THREADS_THRESHOLDED(nrows);
    {
        npy_int64 *id = PyArray_DATA(cols[0]), *date = PyArray_DATA(cols[1]);
        npy_int16 *code[5];
        for (int c = 0; c < 5; c++) {
            code[c] = PyArray_DATA(cols[2 + c]);
        }
        npy_int8 *quad = PyArray_DATA(cols[7]);
        double *gold = PyArray_DATA(cols[8]), *tone = PyArray_DATA(cols[12]);
        npy_int32 *ment = PyArray_DATA(cols[9]), *src = PyArray_DATA(cols[10]),
                  *art = PyArray_DATA(cols[11]);
        npy_bool *isroot = PyArray_DATA(cols[13]);
        static const int code_vocab[5] = {V_ACTOR, V_ACTOR, V_EVENT, V_BASE, V_ROOT};
        npy_intp o = 0, r0 = 0;
        for (npy_intp k = 0; k < nseg; k++) {
            const seg_t *sg = &segs[k];
            const npy_int16 *rm[V_COUNT];
            for (int c = 0; c < V_COUNT; c++) {
                rm[c] = remap + r0;
                r0 += sg->voc[c].n - seed[c].n;
            }
            for (npy_intp i = 0; i < sg->nrows; i++, o++) {
                const row_t *r = &sg->rows[i];
                id[o] = r->id;
                date[o] = r->date;
                for (int c = 0; c < 5; c++) {
                    const npy_int16 v = r->code[c];
                    const npy_intp ns = seed[code_vocab[c]].n;
                    code[c][o] = v < ns ? v : rm[code_vocab[c]][v - ns];
                }
                quad[o] = r->quad;
                gold[o] = r->gold;
                ment[o] = r->ment;
                src[o] = r->src;
                art[o] = r->art;
                tone[o] = r->tone;
                isroot[o] = r->isroot;
            }
        }
    }
    NPY_END_THREADS;

    /* the result tuple */
    coltuple = PyTuple_New(MULTIPOLAR_GDELT_NCOL);
    vocabs = PyTuple_New(V_COUNT);
    if (coltuple == NULL || vocabs == NULL) {
        goto fail;
    }
    for (int c = 0; c < MULTIPOLAR_GDELT_NCOL; c++) {
        PyTuple_SET_ITEM(coltuple, c, (PyObject *)cols[c]); /* steals */
        cols[c] = NULL;
    }
    for (int c = 0; c < V_COUNT; c++) {
        PyObject *list = PyList_New(merged[c].n - seed[c].n);
        if (list == NULL) {
            goto fail;
        }
        PyTuple_SET_ITEM(vocabs, c, list); /* steals */
        for (npy_intp j = seed[c].n; j < merged[c].n; j++) {
            PyObject *s = PyUnicode_FromStringAndSize(merged[c].keys[j].key, merged[c].keys[j].len);
            if (s == NULL) {
                goto fail;
            }
            PyList_SET_ITEM(list, j - seed[c].n, s); /* steals */
        }
    }
    result = Py_BuildValue("(OnnnniOO)", coltuple, (Py_ssize_t)end, (Py_ssize_t)nlines,
                           (Py_ssize_t)nskipped, (Py_ssize_t)nfiltered, fmt, vocabs,
                           problem != NULL ? problem : Py_None);
    /* 7. clean up (also on success: result holds its own references) */
fail:
    Py_XDECREF(coltuple);
    Py_XDECREF(vocabs);
    Py_XDECREF(problem);
    for (int c = 0; c < MULTIPOLAR_GDELT_NCOL; c++) {
        Py_XDECREF(cols[c]);
    }
    PyMem_RawFree(remap);
    if (segs != NULL) {
        for (npy_intp k = 0; k < nseg; k++) {
            for (int c = 0; c < V_COUNT; c++) {
                vocab_free(&segs[k].voc[c]);
            }
            PyMem_RawFree(segs[k].rows);
        }
        PyMem_RawFree(segs);
    }
    for (int c = 0; c < V_COUNT; c++) {
        vocab_free(&seed[c]);
        vocab_free(&merged[c]);
    }
    if (have_allowed) {
        vocab_free(&allowed);
    }
    if (have_view) {
        PyBuffer_Release(&view);
    }
    return result;
}
