/* One number for the firewall's keys (dlo/fwprint.h). */
#include "dlo/fwprint.h"

#include <stdio.h>
#include <string.h>

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME  1099511628211ull

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

typedef struct print_acc {
    const char *key;
    uint64_t sum, count;
} print_acc;

/* Each value hashed on its own, key, name, type and data, then added: a sum does not depend
 * on the order the registry lists them in. */
static dlo_status add_value(void *user, const char *name, const dlo_reg_value *v, dlo_error *err)
{
    print_acc *acc = user;
    uint64_t h = fnv(FNV_OFFSET, acc->key, strlen(acc->key) + 1);
    (void)err;
    h = fnv(h, name, strlen(name) + 1);
    h = fnv(h, &v->type, sizeof(v->type));
    h = fnv(h, &v->size, sizeof(v->size));
    if (v->text)
        h = fnv(h, v->text, v->text_len);
    else
        h = fnv(h, &v->number, sizeof(v->number));
    acc->sum += h;
    acc->count++;
    return DLO_OK;
}

static dlo_status add_key(const dlo_registry *reg, const char *key, print_acc *acc, dlo_error *err)
{
    dlo_status st;
    acc->key = key;
    st = reg->values(reg->ctx, DLO_REG_VIEW_64, key, add_value, acc, err);
    return st == DLO_E_NOTFOUND ? DLO_OK : st;
}

dlo_status dlo_fwprint_read(const dlo_registry *reg, uint64_t *out, dlo_error *err)
{
    static const struct {
        const char *base, *sub;
    } keys[] = {
        {DLO_WATCH_LOCAL_KEY, "FirewallRules"},
        {DLO_WATCH_LOCAL_KEY, "DomainProfile"},
        {DLO_WATCH_LOCAL_KEY, "StandardProfile"},
        {DLO_WATCH_LOCAL_KEY, "PublicProfile"},
        {DLO_WATCH_GP_KEY, ""},
        {DLO_WATCH_GP_KEY, "FirewallRules"},
        {DLO_WATCH_GP_KEY, "DomainProfile"},
        {DLO_WATCH_GP_KEY, "PrivateProfile"},
        {DLO_WATCH_GP_KEY, "PublicProfile"},
    };
    print_acc acc = {NULL, 0, 0};
    char key[512];
    size_t i;
    dlo_status st;

    if (!reg || !reg->values)
        return dlo_error_set(err, DLO_E_IO, "the registry cannot be listed here");
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        snprintf(key, sizeof(key), "%s%s%s", keys[i].base, *keys[i].sub ? "\\" : "", keys[i].sub);
        st = add_key(reg, key, &acc, err);
        if (st)
            return st;
    }
    *out = acc.sum ^ (acc.count << 48) ^ acc.count;
    return DLO_OK;
}
