/* A value as its row's type stores it: copying, freeing and comparing a configuration, value by
 * value, as dlo_config_rows says. Loading is in config.c. */
#include "dlo/config.h"

#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

bool dlo_config_type_is_text(dlo_config_type type)
{
    return type == DLO_CT_INSTANCE || type == DLO_CT_SCOPE || type == DLO_CT_PATH;
}

static void *field_of(dlo_config *cfg, const dlo_config_row *def)
{
    return (char *)cfg + def->field;
}

/* A numeric value of any type, as an unsigned (roles as their bits). */
static unsigned number_of(const dlo_config *cfg, const dlo_config_row *def)
{
    const void *f = (const char *)cfg + def->field;
    int e;

    switch (def->type) {
    case DLO_CT_MODE:
    case DLO_CT_CHOICE:
        memcpy(&e, f, sizeof(e));
        return (unsigned)e;
    case DLO_CT_ROLES:
        return *(const dlo_role_set *)f;
    case DLO_CT_FLAG:
        return *(const bool *)f;
    default:
        return *(const unsigned *)f;
    }
}

static bool configured(const dlo_config *cfg, const dlo_config_row *def)
{
    return !def->tracks_set || *(const bool *)((const char *)cfg + def->set_field);
}

void dlo_config_free(dlo_config *cfg)
{
    int item;
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        if (dlo_config_type_is_text(dlo_config_rows[item].type)) {
            char **text = field_of(cfg, &dlo_config_rows[item]);
            free(*text);
            *text = NULL;
        }
    }
}

dlo_status dlo_config_copy(dlo_config *dst, const dlo_config *src)
{
    int item;

    *dst = *src;
    for (item = 0; item < DLO_CFG_COUNT; item++)
        if (dlo_config_type_is_text(dlo_config_rows[item].type))
            *(char **)field_of(dst, &dlo_config_rows[item]) = NULL;
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const dlo_config_row *def = &dlo_config_rows[item];
        const char *from;
        char **to = field_of(dst, def);
        if (!dlo_config_type_is_text(def->type))
            continue;
        from = *(char *const *)dlo_config_value(src, (dlo_config_item)item);
        if (!from && def->type == DLO_CT_SCOPE)
            from = "*";
        if (from && !(*to = dlo_strdup(from))) {
            dlo_config_free(dst);
            return DLO_E_NOMEM;
        }
    }
    return DLO_OK;
}

/* Two optional strings: both absent, or the same text. */
static bool same_text(const char *a, const char *b)
{
    return !a == !b && (!a || strcmp(a, b) == 0);
}

bool dlo_config_equal(const dlo_config *a, const dlo_config *b)
{
    int item;

    if (a->interval_seconds != b->interval_seconds)
        return false;
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const dlo_config_row *def = &dlo_config_rows[item];
        if (configured(a, def) != configured(b, def))
            return false;
        if (!configured(a, def))
            continue;
        if (dlo_config_type_is_text(def->type)) {
            const char *x = *(char *const *)dlo_config_value(a, (dlo_config_item)item);
            const char *y = *(char *const *)dlo_config_value(b, (dlo_config_item)item);
            if (def->type == DLO_CT_SCOPE && !x)
                x = "*";
            if (def->type == DLO_CT_SCOPE && !y)
                y = "*";
            if (!same_text(x, y))
                return false;
        } else if (number_of(a, def) != number_of(b, def)) {
            return false;
        }
    }
    return true;
}
