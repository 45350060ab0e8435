/*
 * gdelt_vocab.c -- growth and allocation of the GDELT reader's code
 * vocabularies (the probe loops are inline in gdelt_vocab.h). Runs without
 * the GIL: raw allocator only.
 */
#include "multipolar.h"

#include <string.h>

#include "gdelt_vocab.h"

/* Rebuild the slot table with capacity cap (a power of two > 2 n + 2). 0, or -1 (no memory). */
static int
vocab_rehash(multipolar_vocab_t *v, npy_intp cap)
{
    npy_int32 *slot = PyMem_RawMalloc((size_t)cap * sizeof(npy_int32));
    if (slot == NULL) {
        return -1;
    }
    for (npy_intp i = 0; i < cap; i++) {
        slot[i] = -1;
    }
    for (npy_intp k = 0; k < v->n; k++) {
        const npy_uint32 h = multipolar_vocab_hash(v->keys[k].key, v->keys[k].len);
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

void
multipolar_vocab_free(multipolar_vocab_t *v)
{
    PyMem_RawFree(v->slot);
    PyMem_RawFree(v->keys);
    v->slot = NULL;
    v->keys = NULL;
    v->n = v->cap = v->kcap = 0;
}

int
multipolar_vocab_init(multipolar_vocab_t *v, npy_intp hint)
{
    npy_intp cap = 64;
    v->slot = NULL;
    v->keys = NULL;
    v->n = 0;
    v->cap = 0;
    /* never more keys than a vocabulary may hold (hint comes from list sizes) */
    v->kcap = hint < 16 ? 16 : hint > MULTIPOLAR_GDELT_VOCABMAX ? MULTIPOLAR_GDELT_VOCABMAX : hint;
    while (cap < 2 * v->kcap + 2) {
        cap *= 2;
    }
    v->keys = PyMem_RawMalloc((size_t)v->kcap * sizeof(multipolar_vkey_t));
    if (v->keys == NULL || vocab_rehash(v, cap) < 0) {
        multipolar_vocab_free(v);
        return -1;
    }
    return 0;
}

npy_intp
multipolar_vocab_insert(multipolar_vocab_t *v, const char *s, npy_intp len, npy_intp at,
                        npy_intp line, int column)
{
    if (v->n == v->kcap) {
        const npy_intp kcap = 2 * v->kcap;
        multipolar_vkey_t *keys = PyMem_RawRealloc(v->keys, (size_t)kcap * sizeof(multipolar_vkey_t));
        if (keys == NULL) {
            return -1;
        }
        v->keys = keys;
        v->kcap = kcap;
    }
    multipolar_vkey_t *key = &v->keys[v->n];
    memcpy(key->key, s, (size_t)len);
    key->key[len] = '\0';
    key->len = (unsigned char)len;
    key->column = (unsigned char)column;
    key->line = line;
    v->n++;
    if (2 * v->n + 2 > v->cap) {
        /* the new key is placed by the rehash; on failure it is dropped again */
        if (vocab_rehash(v, 2 * v->cap) < 0) {
            v->n--;
            return -1;
        }
        return v->n - 1;
    }
    v->slot[at] = (npy_int32)(v->n - 1);
    return v->n - 1;
}
