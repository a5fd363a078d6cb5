/* The registry as the configuration sees it: one call that reads a value of a key under
 * HKEY_LOCAL_MACHINE with its type. The Windows layer implements it with RegQueryValueExW; the
 * tests with an in-memory table, so every way a value can be wrong is tested on the host. */
#ifndef DLO_REGISTRY_H
#define DLO_REGISTRY_H

#include "dlo/status.h"

#include <stddef.h>
#include <stdint.h>

/* The registry's own type numbers (REG_SZ = 1 ...), so the Windows layer passes them through. */
enum {
    DLO_REG_NONE = 0,
    DLO_REG_SZ = 1,
    DLO_REG_EXPAND_SZ = 2,
    DLO_REG_BINARY = 3,
    DLO_REG_DWORD = 4,
    DLO_REG_MULTI_SZ = 7,
    DLO_REG_QWORD = 11,
};

typedef struct dlo_reg_value {
    unsigned long type; /* DLO_REG_*, or any other number the registry holds */
    /* REG_SZ, REG_EXPAND_SZ: one NUL-terminated UTF-8 string. REG_MULTI_SZ: `count` strings,
     * each NUL-terminated, one after the other. Other types: NULL. */
    char *text;
    size_t text_len; /* bytes in text, terminators included */
    size_t count;    /* REG_MULTI_SZ: number of strings */
    uint64_t number; /* REG_DWORD, REG_QWORD */
    size_t size;     /* the size of the data in the registry, in bytes, for every type */
    /* The data was larger than the reader accepts (see DLO_REG_MAX_READ): text is NULL and only
     * type and size say what is there. */
    int oversize;
} dlo_reg_value;

/* Values larger than this are not read, only reported by size: nothing the agent reads is
 * legitimately larger than a few KiB. */
#define DLO_REG_MAX_READ (256u * 1024u)

typedef struct dlo_registry {
    void *ctx;
    /* Reads value `name` of key HKLM\`key` ("SOFTWARE\\Arctera\\DLO\\FirewallAgent") into *out,
     * which the caller frees with dlo_reg_value_free. DLO_E_NOTFOUND (no message needed) when
     * the key or the value does not exist; any other failure is an error that names the key,
     * the value and the reason. */
    dlo_status (*read)(void *ctx, const char *key, const char *name, dlo_reg_value *out,
                       dlo_error *err);
} dlo_registry;

void dlo_reg_value_init(dlo_reg_value *v);
void dlo_reg_value_free(dlo_reg_value *v);

/* "REG_SZ", "REG_DWORD", ... or "type 42". buf receives the latter form. */
const char *dlo_reg_type_name(unsigned long type, char *buf, size_t size);

#endif
