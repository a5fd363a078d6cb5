/* The registry as the core sees it, one seam for the configuration and for detection alike:
 * read a value of a key under HKEY_LOCAL_MACHINE with its type, in the 64-bit or the 32-bit
 * view, and list the subkeys of a key. The Windows layer implements it once
 * (agent/win/winreg.c); the tests with one in-memory registry (tests/unit/fake_registry.c), so
 * every way a value can be wrong is tested on the host. */
#ifndef DLO_REGISTRY_H
#define DLO_REGISTRY_H

#include "dlo/status.h"
#include "dlo/str.h"

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

/* Which registry view to read: the 64-bit one (KEY_WOW64_64KEY, where the agent's own keys
 * are) or the 32-bit one (KEY_WOW64_32KEY, the WOW6432Node keys of 32-bit programs). */
typedef enum dlo_reg_view { DLO_REG_VIEW_64 = 64, DLO_REG_VIEW_32 = 32 } dlo_reg_view;

/* "64-bit view", "32-bit view". */
const char *dlo_reg_view_name(dlo_reg_view view);

typedef struct dlo_reg_value {
    unsigned long type; /* DLO_REG_*, or any other number the registry holds */
    /* REG_SZ, REG_EXPAND_SZ: one NUL-terminated UTF-8 string, a REG_EXPAND_SZ with its
     * environment variables expanded (the type still says it was one). REG_MULTI_SZ: `count`
     * strings, each NUL-terminated, one after the other. Other types: NULL. */
    char *text;
    size_t text_len; /* bytes in text, terminators included */
    size_t count;    /* REG_MULTI_SZ: number of strings */
    uint64_t number; /* REG_DWORD, REG_QWORD (only when size is 4 or 8) */
    size_t size;     /* the size of the data in the registry, in bytes, for every type */
    /* The data was larger than the reader accepts (see DLO_REG_MAX_READ): text is NULL and only
     * type and size say what is there. */
    int oversize;
} dlo_reg_value;

/* Values larger than this are not read, only reported by size: nothing the agent reads is
 * legitimately larger than a few KiB. */
#define DLO_REG_MAX_READ (256u * 1024u)

/* Called for each value of a key, in the registry's order: its name and its data, read as
 * `read` reads a value (an oversize value comes with its type and size only). A status other
 * than DLO_OK stops the enumeration and is returned. */
typedef dlo_status (*dlo_reg_value_fn)(void *user, const char *name, const dlo_reg_value *value,
                                       dlo_error *err);

typedef struct dlo_registry {
    void *ctx;
    /* Reads value `name` ("" = the default value) of key HKLM\`key`
     * ("SOFTWARE\\Arctera\\DLO\\FirewallAgent") in `view` into *out, which the caller frees
     * with dlo_reg_value_free. DLO_E_NOTFOUND (no message needed) when the key or the value
     * does not exist; any other failure is an error that names the key, the value and the
     * reason. Callers go through dlo_registry_read, which also checks the value's size. */
    dlo_status (*read)(void *ctx, dlo_reg_view view, const char *key, const char *name,
                       dlo_reg_value *out, dlo_error *err);
    /* Appends the names of the subkeys of HKLM\`key` in `view` to out. DLO_E_NOTFOUND: no
     * such key; other failures name the key and the reason. */
    dlo_status (*subkeys)(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                          dlo_error *err);
    /* Calls fn for every value of HKLM\`key` in `view`, reading names and data in one pass
     * (the firewall's rule stores hold thousands of values). DLO_E_NOTFOUND: no such key; other
     * failures name the key and the reason. NULL where the registry cannot list values. */
    dlo_status (*values)(void *ctx, dlo_reg_view view, const char *key, dlo_reg_value_fn fn,
                         void *user, dlo_error *err);
} dlo_registry;

/* reg->read, then the checks every reader of a number needs: a REG_DWORD whose data is not 4
 * bytes, or a REG_QWORD not 8, is DLO_E_CONFIG naming the key, the value and the size (the
 * registry stores whatever a program wrote under a type; the number would be garbage). */
dlo_status dlo_registry_read(const dlo_registry *reg, dlo_reg_view view, const char *key,
                             const char *name, dlo_reg_value *out, dlo_error *err);

void dlo_reg_value_init(dlo_reg_value *v);
void dlo_reg_value_free(dlo_reg_value *v);

/* "REG_SZ", "REG_DWORD", ... or "type 42". buf receives the latter form. */
const char *dlo_reg_type_name(unsigned long type, char *buf, size_t size);

#endif
