/* The one in-memory registry of the host tests: configuration, service pass, dispatcher and
 * detection. Values live in the 64-bit view unless a *_in function names the view; a key's
 * subkeys are the next path components of the keys that hold values. */
#ifndef DLO_TEST_FAKE_REGISTRY_H
#define DLO_TEST_FAKE_REGISTRY_H

#include "dlo/registry.h"

#include <stddef.h>
#include <stdint.h>

#define FAKE_REG_MAX 128

typedef struct fake_entry {
    dlo_reg_view view;
    char key[256];
    char name[128];
    unsigned long type;
    char *text; /* strings, NUL-separated for REG_MULTI_SZ */
    size_t text_len;
    size_t count;
    uint64_t number;
    size_t size;
    int oversize;
    dlo_status fail; /* read returns this instead */
} fake_entry;

typedef struct fake_registry {
    dlo_registry reg; /* reg.ctx points back here */
    fake_entry entries[FAKE_REG_MAX];
    size_t n;
    unsigned reads;
    unsigned listings; /* calls of values */
    /* Listing the subkeys of this key in this view fails with DLO_E_ACCESS. */
    dlo_reg_view broken_view;
    char broken_key[256];
} fake_registry;

void fake_reg_init(fake_registry *f);
/* The seam over f, for a fake_registry that was zero-initialised rather than through
 * fake_reg_init. */
const dlo_registry *fake_reg_seam(fake_registry *f);
void fake_reg_free(fake_registry *f);
void fake_reg_remove(fake_registry *f, const char *key, const char *name);
void fake_reg_sz(fake_registry *f, const char *key, const char *name, const char *text);
/* strs[0..n) as a REG_MULTI_SZ. */
void fake_reg_multi(fake_registry *f, const char *key, const char *name, const char *const *strs,
                    size_t n);
void fake_reg_dword(fake_registry *f, const char *key, const char *name, uint32_t v);
/* Any other type, e.g. REG_BINARY or REG_QWORD, with `size` bytes of data. */
void fake_reg_typed(fake_registry *f, const char *key, const char *name, unsigned long type,
                    uint64_t number, size_t size);
/* A value too large for the reader: only its type and size are known. */
void fake_reg_oversize(fake_registry *f, const char *key, const char *name, unsigned long type,
                       size_t size);
/* Reading this value fails with st. */
void fake_reg_fail(fake_registry *f, const char *key, const char *name, dlo_status st);

/* The same in a given view. */
void fake_reg_sz_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                    const char *text);
void fake_reg_dword_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                       uint32_t v);
void fake_reg_fail_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                      dlo_status st);
/* Listing the subkeys of key in view fails. */
void fake_reg_subkeys_fail(fake_registry *f, dlo_reg_view view, const char *key);

#endif
