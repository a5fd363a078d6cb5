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
