/* An in-memory registry for the host tests of the configuration and the service pass. */
#ifndef DLO_TEST_FAKE_REGISTRY_H
#define DLO_TEST_FAKE_REGISTRY_H

#include "dlo/registry.h"

#include <stddef.h>
#include <stdint.h>

#define FAKE_REG_MAX 64

typedef struct fake_entry {
    char key[128];
    char name[64];
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
} fake_registry;

void fake_reg_init(fake_registry *f);
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

#endif
