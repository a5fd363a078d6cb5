#include "dlo/roles.h"

#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

#define ROLE_ROW(id, name, title, scope, msi, sw, peers) [DLO_ROLE_##id] = {name, title, scope},
static const struct {
    const char *name;
    const char *title;
    const char *scope;
} roles[DLO_ROLE_COUNT] = {DLO_ROLE_ROWS(ROLE_ROW)};

static const struct {
    const char *name;
    const char *alias;
    const char *title;
} modes[DLO_MODE_COUNT] = {
    [DLO_MODE_NONBOI] = {"nonboi", "non-boi", "Non-BOI"},
    [DLO_MODE_EXCLUSIVE] = {"exclusive", "exclusive-boi", "Exclusive BOI"},
    [DLO_MODE_OCCASIONAL] = {"occasional", "occasional-boi", "Occasional BOI"},
};

const char *dlo_role_name(dlo_role r)
{
    return (unsigned)r < DLO_ROLE_COUNT ? roles[r].name : "?";
}

const char *dlo_role_title(dlo_role r)
{
    return (unsigned)r < DLO_ROLE_COUNT ? roles[r].title : "?";
}

const char *dlo_mode_name(dlo_mode m)
{
    return (unsigned)m < DLO_MODE_COUNT ? modes[m].name : "?";
}

const char *dlo_mode_title(dlo_mode m)
{
    return (unsigned)m < DLO_MODE_COUNT ? modes[m].title : "?";
}

bool dlo_role_from_name(const char *s, size_t n, dlo_role *out)
{
    int r;
    dlo_trim(&s, &n);
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if (dlo_equals_ci(s, n, roles[r].name)) {
            *out = (dlo_role)r;
            return true;
        }
    }
    return false;
}

bool dlo_mode_from_name(const char *s, dlo_mode *out)
{
    size_t n = strlen(s);
    int m;
    dlo_trim(&s, &n);
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        if (dlo_equals_ci(s, n, modes[m].name) || dlo_equals_ci(s, n, modes[m].alias)) {
            *out = (dlo_mode)m;
            return true;
        }
    }
    return false;
}

static void all_role_names(char *out, size_t size)
{
    size_t used = 0;
    int r;
    out[0] = '\0';
    for (r = 0; r < DLO_ROLE_COUNT && used < size; r++) {
        int n = snprintf(out + used, size - used, "%s%s", r ? ", " : "", roles[r].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

dlo_status dlo_roles_parse(const char *list, const char *what, dlo_role_set *out, dlo_error *err)
{
    dlo_role_set set = 0;
    const char *p = list;
    char valid[512];

    all_role_names(valid, sizeof(valid));
    for (;;) {
        size_t n = strcspn(p, ",;");
        const char *name = p;
        size_t len = n;
        dlo_role r;

        dlo_trim(&name, &len);
        if (len == 0)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "%s: empty role name in '%.200s'; expected a comma-separated "
                                 "list of: %s",
                                 what, list, valid);
        if (!dlo_role_from_name(name, len, &r))
            return dlo_error_set(err, DLO_E_USAGE, "%s: unknown role '%.*s'; valid roles are: %s",
                                 what, (int)(len > 100 ? 100 : len), name, valid);
        set |= DLO_ROLE_BIT(r);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    *out = set;
    return DLO_OK;
}

dlo_status dlo_mode_parse(const char *s, const char *what, dlo_mode *out, dlo_error *err)
{
    if (dlo_mode_from_name(s, out))
        return DLO_OK;
    return dlo_error_set(err, DLO_E_USAGE,
                         "%s: unknown BOI mode '%.100s'; valid modes are: nonboi (non-boi), "
                         "exclusive (exclusive-boi), occasional (occasional-boi)",
                         what, s);
}

void dlo_roles_format(dlo_buf *b, dlo_role_set set)
{
    int r;
    bool first = true;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if (set & DLO_ROLE_BIT(r)) {
            dlo_buf_printf(b, "%s%s", first ? "" : ",", roles[r].name);
            first = false;
        }
    }
}

void dlo_roles_json(dlo_buf *b, dlo_role_set set)
{
    int r;
    bool first = true;
    dlo_buf_putc(b, '[');
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if (set & DLO_ROLE_BIT(r)) {
            dlo_buf_printf(b, "%s\"%s\"", first ? "" : ", ", roles[r].name);
            first = false;
        }
    }
    dlo_buf_putc(b, ']');
}

void dlo_roles_table_json(dlo_buf *b)
{
    int r;

    dlo_buf_putc(b, '[');
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        dlo_buf_puts(b, r ? ", {\"name\": " : "{\"name\": ");
        dlo_buf_json_str(b, roles[r].name);
        dlo_buf_json_member(b, "title", roles[r].title);
        dlo_buf_json_member(b, "scope", roles[r].scope);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_putc(b, ']');
}
