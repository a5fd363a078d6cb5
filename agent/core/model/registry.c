#include "dlo/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dlo_reg_value_init(dlo_reg_value *v)
{
    memset(v, 0, sizeof(*v));
}

void dlo_reg_value_free(dlo_reg_value *v)
{
    free(v->text);
    dlo_reg_value_init(v);
}

const char *dlo_reg_type_name(unsigned long type, char *buf, size_t size)
{
    switch (type) {
    case DLO_REG_NONE:
        return "REG_NONE";
    case DLO_REG_SZ:
        return "REG_SZ";
    case DLO_REG_EXPAND_SZ:
        return "REG_EXPAND_SZ";
    case DLO_REG_BINARY:
        return "REG_BINARY";
    case DLO_REG_DWORD:
        return "REG_DWORD";
    case DLO_REG_MULTI_SZ:
        return "REG_MULTI_SZ";
    case DLO_REG_QWORD:
        return "REG_QWORD";
    default:
        snprintf(buf, size, "type %lu", type);
        return buf;
    }
}

const char *dlo_reg_view_name(dlo_reg_view view)
{
    return view == DLO_REG_VIEW_32 ? "32-bit view" : "64-bit view";
}

dlo_status dlo_registry_read(const dlo_registry *reg, dlo_reg_view view, const char *key,
                             const char *name, dlo_reg_value *out, dlo_error *err)
{
    size_t want;
    dlo_status st;
    char tbuf[32];

    dlo_reg_value_init(out);
    st = reg->read(reg->ctx, view, key, name, out, err);
    if (st) {
        dlo_reg_value_free(out);
        return st;
    }
    want = out->type == DLO_REG_DWORD ? 4 : out->type == DLO_REG_QWORD ? 8 : 0;
    if (!want || out->oversize || out->size == want)
        return DLO_OK;
    st = dlo_error_set(err, DLO_E_CONFIG,
                       "HKLM\\%s value %s (%s) is a %s of %llu bytes; expected %llu bytes", key,
                       name[0] ? name : "(default)", dlo_reg_view_name(view),
                       dlo_reg_type_name(out->type, tbuf, sizeof(tbuf)),
                       (unsigned long long)out->size, (unsigned long long)want);
    dlo_reg_value_free(out);
    return st;
}
