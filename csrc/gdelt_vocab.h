/*
 * gdelt_vocab.h -- the small string vocabularies of the GDELT reader
 * (gdelt_vocab.c): country and CAMEO event codes of at most 15 bytes, mapped
 * to int16 codes in order of first appearance. One vocabulary is an
 * open-addressing hash table (FNV-1a, linear probing) over an array of keys.
 *
 * The hash is computed once per field and handed to both lookups a segment
 * makes (the caller's shared seed vocabulary, then the segment's own new
 * keys), so the probe loops live here as inline functions and only growth
 * and allocation are out of line. Everything here runs without the GIL
 * (raw allocator only).
 */
#ifndef MULTIPOLAR_GDELT_VOCAB_H
#define MULTIPOLAR_GDELT_VOCAB_H

#include "multipolar.h"

#include <string.h>

/* Longest code (country, CAMEO event code) in bytes, and most distinct codes per vocabulary
 * (the codes are int16, -1 meaning missing). */
#define MULTIPOLAR_GDELT_KEYMAX 15
#define MULTIPOLAR_GDELT_VOCABMAX 32767

/* One key, and where it was first seen (for the error of a vocabulary that overflows). */
typedef struct {
    char key[MULTIPOLAR_GDELT_KEYMAX + 1];
    unsigned char len;
    unsigned char column; /* 0-based GDELT column of the first appearance */
    npy_intp line;        /* 0-based line of the first appearance, in the caller's frame */
} multipolar_vkey_t;

/* Keys in insertion order (their index is their code) and a slot table over them. */
typedef struct {
    npy_int32 *slot; /* cap entries: index into keys, or -1 */
    npy_intp cap;    /* power of two, kept above 2 n + 2 */
    multipolar_vkey_t *keys;
    npy_intp n;
    npy_intp kcap;
} multipolar_vocab_t;

/* FNV-1a over s[0:len). */
static inline npy_uint32
multipolar_vocab_hash(const char *s, npy_intp len)
{
    npy_uint32 h = 2166136261u;
    for (npy_intp i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/* Slot of key s[0:len) with hash h: the slot holding it, or the empty slot where it would go. */
static inline npy_intp
multipolar_vocab_probe(const multipolar_vocab_t *v, const char *s, npy_intp len, npy_uint32 h)
{
    npy_intp i = (npy_intp)(h & (npy_uint32)(v->cap - 1));
    for (;;) {
        const npy_int32 k = v->slot[i];
        if (k < 0 || (v->keys[k].len == len && memcmp(v->keys[k].key, s, (size_t)len) == 0)) {
            return i;
        }
        i = (i + 1) & (v->cap - 1);
    }
}

/* Code of key s[0:len) with hash h, or -1 if absent. An empty vocabulary (cap 0) holds nothing. */
static inline npy_intp
multipolar_vocab_find(const multipolar_vocab_t *v, const char *s, npy_intp len, npy_uint32 h)
{
    if (v->cap == 0) {
        return -1;
    }
    return v->slot[multipolar_vocab_probe(v, s, len, h)];
}

/* Insert a key known to be absent at its empty slot `at` (out of line: growth). */
npy_intp multipolar_vocab_insert(multipolar_vocab_t *v, const char *s, npy_intp len, npy_intp at,
                                 npy_intp line, int column);

/*
 * Code of key s[0:len) (len <= KEYMAX) with hash h, added if new, recording
 * where it was first seen. `room` is how many keys v may hold. Returns the
 * code (>= 0), -1 when out of memory, -2 when the key is new and v is full.
 */
static inline npy_intp
multipolar_vocab_add(multipolar_vocab_t *v, const char *s, npy_intp len, npy_uint32 h,
                     npy_intp room, npy_intp line, int column)
{
    const npy_intp at = multipolar_vocab_probe(v, s, len, h);
    if (v->slot[at] >= 0) {
        return v->slot[at];
    }
    if (v->n >= room) {
        return -2;
    }
    return multipolar_vocab_insert(v, s, len, at, line, column);
}

/* An empty vocabulary with room for about `hint` keys before it grows. 0, or -1 (no memory). */
int multipolar_vocab_init(multipolar_vocab_t *v, npy_intp hint);

/* Release v's memory (safe on a zeroed or already freed vocabulary). */
void multipolar_vocab_free(multipolar_vocab_t *v);

/* A code field holds at most KEYMAX printable ASCII bytes other than space (none: missing). */
static inline int
multipolar_gdelt_code_ok(const char *s, npy_intp len)
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

#endif
