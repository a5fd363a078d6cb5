#include "config_private.h"

#include "dlo/addr.h"
#include "dlo/portset.h"
#include "dlo/rule.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each kind of value must be, for messages. */
static const char *expected_text(dlo_config_kind kind)
{
    switch (kind) {
    case K_MODE:
        return "REG_SZ holding a BOI mode: nonboi, exclusive or occasional";
    case K_ROLES:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding role names";
    case K_PORT:
        return "REG_DWORD or REG_SZ holding a TCP port number from 1 to 65535";
    case K_INSTANCE:
        return "REG_SZ holding a SQL Server instance name: MSSQLSERVER, or NAME for the instance "
               "of service MSSQL$NAME (letters, digits, _, $ and #, at most 16 characters)";
    case K_SCOPE:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding remote addresses as the Windows "
               "Firewall accepts them";
    case K_MINUTES:
        return "REG_DWORD holding a number of minutes from 1 to 1440";
    case K_SECONDS:
        return "REG_DWORD holding a number of seconds from 1 to 86400";
    case K_PATH:
        return "REG_SZ holding the absolute path of a file on a local drive (C:\\...)";
    case K_PROFILES:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding firewall profiles: domain, "
               "private, public";
    case K_BOOL:
        return "REG_DWORD holding 0 (off) or 1 (on)";
    case K_PUSH:
        return "REG_SZ holding vendor (the port matrix as written) or rpc (Windows' RPC and "
               "RPC-EPMap keywords)";
    }
    return "?";
}

bool dlo_config_type_allowed(dlo_config_kind kind, unsigned long type)
{
    switch (kind) {
    case K_MODE:
    case K_INSTANCE:
    case K_PATH:
    case K_PUSH:
        return type == DLO_REG_SZ;
    case K_ROLES:
    case K_SCOPE:
    case K_PROFILES:
        return type == DLO_REG_SZ || type == DLO_REG_MULTI_SZ;
    case K_PORT:
        return type == DLO_REG_SZ || type == DLO_REG_DWORD;
    case K_MINUTES:
    case K_SECONDS:
    case K_BOOL:
        return type == DLO_REG_DWORD;
    }
    return false;
}

/* A SQL Server instance name as SqlInstance gives it: MSSQLSERVER (the default instance, any
 * case), NAME, or MSSQL$NAME, which is the service of instance NAME and is taken as NAME so
 * that both spellings compare equal. NAME is what SQL Server allows in one: letters, digits, _,
 * $ and #, at most 16 characters. Blanks around it are dropped. Fills out, or says why not. */
static int parse_instance(const char *s, char *out, char *why, size_t size)
{
    size_t n = strlen(s), i;

    dlo_trim(&s, &n);
    if (n >= 6 && dlo_str_prefix_ci(s, "MSSQL$")) {
        s += 6;
        n -= 6;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '$' || c == '#')) {
            snprintf(why, size,
                     "'%.*s' is not a SQL Server instance name: '%c' is not allowed; expected "
                     "MSSQLSERVER or NAME (of service MSSQL$NAME): letters, digits, _, $ and #",
                     (int)(n > 100 ? 100 : n), s, c >= 0x20 && c < 0x7f ? c : '?');
            return -1;
        }
    }
    if (n == 0 || n > DLO_CONFIG_MAX_INSTANCE_CHARS) {
        snprintf(why, size,
                 "'%.*s' is not a SQL Server instance name: %s; expected MSSQLSERVER or NAME "
                 "(of service MSSQL$NAME), at most %d characters",
                 (int)(n > 100 ? 100 : n), s, n ? "longer than 16 characters" : "empty",
                 DLO_CONFIG_MAX_INSTANCE_CHARS);
        return -1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    if (dlo_str_equal_ci(out, "MSSQLSERVER"))
        memcpy(out, "MSSQLSERVER", sizeof("MSSQLSERVER"));
    return 0;
}

/* A replacement data file. From a key it must be an absolute path on a local drive: the service
 * runs in System32, where a relative path means nothing an administrator meant, and a network
 * share's security is another machine's. From the command line it is the file as typed, read
 * relative to the caller's current folder. */
static int parse_path(const dlo_config_candidate *c, const char *s, dlo_config_parsed *p, char *why,
                      size_t size)
{
    size_t n = strlen(s);

    dlo_trim(&s, &n);
    p->path = s;
    p->path_len = n;
    if (!c->key)
        return 0;
    if (n < 4 || !dlo_path_on_drive(s, n)) {
        snprintf(why, size, "not an absolute path on a local drive; expected %s",
                 expected_text(K_PATH));
        return -1;
    }
    return 0;
}

/* Appends s as a quoted, escaped and, past `max` bytes, truncated string (never in the middle
 * of a UTF-8 character). */
static void quote(dlo_buf *b, const char *s, size_t max)
{
    size_t i, n = strlen(s), shown = dlo_utf8_cut(s, n, max);

    dlo_buf_putc(b, '"');
    for (i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            dlo_buf_printf(b, "\\x%02x", c);
        else if (c == '"' || c == '\\')
            dlo_buf_printf(b, "\\%c", c);
        else
            dlo_buf_putc(b, (char)c);
    }
    if (shown < n)
        dlo_buf_puts(b, "...");
    dlo_buf_putc(b, '"');
}

#define QUOTE_MAX 100

/* "HKLM\KEY value NAME holds REG_SZ "text"" or "/switch:text" */
static void describe(dlo_buf *b, const dlo_config_candidate *c, const dlo_config_def *def)
{
    char tbuf[32];
    const dlo_reg_value *v = &c->reg;

    if (!c->key) {
        dlo_buf_printf(b, "/%s:", def->sw);
        quote(b, c->cli, QUOTE_MAX);
        return;
    }
    dlo_buf_printf(b, "HKLM\\%s value %s holds %s", c->key, def->name,
                   dlo_reg_type_name(v->type, tbuf, sizeof(tbuf)));
    if (v->oversize) {
        dlo_buf_printf(b, " of %llu bytes", (unsigned long long)v->size);
    } else if (v->type == DLO_REG_SZ || v->type == DLO_REG_EXPAND_SZ) {
        size_t chars = dlo_utf8_chars(v->text, strlen(v->text));
        if (chars > QUOTE_MAX)
            dlo_buf_printf(b, " of %llu characters", (unsigned long long)chars);
        dlo_buf_putc(b, ' ');
        quote(b, v->text, QUOTE_MAX);
    } else if (v->type == DLO_REG_MULTI_SZ) {
        const char *p = v->text;
        size_t i, shown = 0;
        dlo_buf_printf(b, " of %llu strings", (unsigned long long)v->count);
        for (i = 0; i < v->count && shown < QUOTE_MAX; i++) {
            dlo_buf_puts(b, i ? ", " : " ");
            quote(b, p, QUOTE_MAX - shown);
            shown += strlen(p) + 2;
            p += strlen(p) + 1;
        }
        if (i < v->count)
            dlo_buf_puts(b, ", ...");
    } else if (v->type == DLO_REG_DWORD || v->type == DLO_REG_QWORD) {
        dlo_buf_printf(b, " %llu", (unsigned long long)v->number);
    } else {
        dlo_buf_printf(b, " of %llu bytes", (unsigned long long)v->size);
    }
}

/* Records a problem with candidate c as err: "<where it is and what it holds>: <why>". */
static dlo_status problem(dlo_error *err, const dlo_config_candidate *c, const dlo_config_def *def,
                          const char *why)
{
    dlo_buf b;
    dlo_status st;

    dlo_buf_init(&b);
    describe(&b, c, def);
    st = dlo_error_set(err, DLO_E_CONFIG, "%s: %s", dlo_buf_str(&b), why);
    dlo_buf_free(&b);
    return st;
}

/* The candidate's strings, as a list of pointers (one for REG_SZ and the command line). */
typedef struct strings {
    const char **items;
    size_t n;
} strings;

static dlo_status get_strings(const dlo_config_candidate *c, strings *out)
{
    out->items = NULL;
    out->n = 0;
    if (!c->key || c->reg.type == DLO_REG_SZ) {
        out->items = malloc(sizeof(*out->items));
        if (!out->items)
            return DLO_E_NOMEM;
        out->items[0] = c->key ? c->reg.text : c->cli;
        out->n = 1;
    } else if (c->reg.type == DLO_REG_MULTI_SZ) {
        const char *p = c->reg.text;
        size_t i;
        out->items = malloc((c->reg.count ? c->reg.count : 1) * sizeof(*out->items));
        if (!out->items)
            return DLO_E_NOMEM;
        /* Empty strings in a REG_MULTI_SZ carry nothing; skip them. */
        for (i = 0; i < c->reg.count; i++, p += strlen(p) + 1)
            if (!dlo_is_blank_str(p))
                out->items[out->n++] = p;
    }
    return DLO_OK;
}

/* The checks only a registry value needs: its type and size, and the range of a REG_DWORD,
 * which is then the whole value (*done). */
static dlo_status check_registry_value(const dlo_config_candidate *c, const dlo_config_def *def,
                                       dlo_config_parsed *p, bool *done, dlo_error *err)
{
    char tbuf[32];
    char why[256];
    unsigned long long v = c->reg.number;
    unsigned long lo = def->kind == K_BOOL ? 0 : 1;
    unsigned long hi = def->kind == K_BOOL      ? 1
                       : def->kind == K_PORT    ? 65535
                       : def->kind == K_MINUTES ? 1440
                                                : 86400;

    *done = true;
    if (!dlo_config_type_allowed(def->kind, c->reg.type)) {
        snprintf(why, sizeof(why), "the type %s is wrong; expected %s",
                 dlo_reg_type_name(c->reg.type, tbuf, sizeof(tbuf)), expected_text(def->kind));
        return problem(err, c, def, why);
    }
    if (c->reg.oversize) {
        snprintf(why, sizeof(why), "far too long; expected at most %u characters",
                 (unsigned)DLO_CONFIG_MAX_CHARS);
        return problem(err, c, def, why);
    }
    if (c->reg.type != DLO_REG_DWORD) {
        *done = false;
        return DLO_OK;
    }
    if (v < lo || v > hi) {
        snprintf(why, sizeof(why), "out of range; expected %s", expected_text(def->kind));
        return problem(err, c, def, why);
    }
    p->number = (unsigned)v;
    return DLO_OK;
}

/* Refuses strings that are, all together, longer or more than any real value. */
static dlo_status check_size(const dlo_config_candidate *c, const dlo_config_def *def,
                             const strings *list, dlo_error *err)
{
    char why[256];
    size_t i, chars = 0;

    for (i = 0; i < list->n; i++)
        chars += dlo_utf8_chars(list->items[i], strlen(list->items[i]));
    if (chars > DLO_CONFIG_MAX_CHARS) {
        snprintf(why, sizeof(why), "too long (%llu characters); expected at most %u",
                 (unsigned long long)chars, (unsigned)DLO_CONFIG_MAX_CHARS);
        return problem(err, c, def, why);
    }
    if (list->n > DLO_CONFIG_MAX_ENTRIES) {
        snprintf(why, sizeof(why), "too many strings (%llu); expected at most %u",
                 (unsigned long long)list->n, (unsigned)DLO_CONFIG_MAX_ENTRIES);
        return problem(err, c, def, why);
    }
    return DLO_OK;
}

/* Role lists: the strings of a REG_MULTI_SZ are joined with commas into one list first. */
static dlo_status parse_role_strings(const dlo_config_candidate *c, const dlo_config_def *def,
                                     const strings *list, const char *where, dlo_config_parsed *p,
                                     dlo_error *err)
{
    char why[256];
    dlo_buf joined;
    dlo_status st;
    size_t i, entries = 1;

    dlo_buf_init(&joined);
    for (i = 0; i < list->n; i++) {
        const char *s;
        if (i)
            dlo_buf_putc(&joined, ',');
        dlo_buf_puts(&joined, list->items[i]);
        for (s = list->items[i]; *s; s++)
            entries += (*s == ',' || *s == ';');
    }
    entries += list->n - 1;
    if (entries > DLO_CONFIG_MAX_ENTRIES) {
        snprintf(why, sizeof(why), "too many entries (%llu); expected at most %u",
                 (unsigned long long)entries, (unsigned)DLO_CONFIG_MAX_ENTRIES);
        st = problem(err, c, def, why);
    } else {
        st = dlo_buf_status(&joined);
        if (!st)
            st = dlo_roles_parse(dlo_buf_str(&joined), where, &p->roles, err);
    }
    dlo_buf_free(&joined);
    return st;
}

/* Profile lists: the strings of a REG_MULTI_SZ each hold names, as one comma list does. An
 * empty list would take a network class off every profile, which no administrator means. */
static dlo_status parse_profile_strings(const dlo_config_candidate *c, const dlo_config_def *def,
                                        const strings *list, dlo_config_parsed *p, dlo_error *err)
{
    char why[256];
    size_t i;

    p->number = 0;
    for (i = 0; i < list->n; i++) {
        unsigned bits;
        const char *bad;
        size_t bad_len;
        if (!dlo_profiles_parse(list->items[i], strlen(list->items[i]), &bits, &bad, &bad_len)) {
            snprintf(why, sizeof(why),
                     "'%.*s' is not a firewall profile; expected domain, private or public, "
                     "separated by commas",
                     (int)(bad_len > 40 ? 40 : bad_len), bad);
            return problem(err, c, def, why);
        }
        p->number |= bits;
    }
    if (!p->number)
        return problem(err, c, def, "names no profile; expected domain, private or public");
    return DLO_OK;
}

static int parse_bool_text(const char *s, unsigned *out)
{
    size_t n = strlen(s);
    dlo_trim(&s, &n);
    if (n != 1 || (s[0] != '0' && s[0] != '1'))
        return -1;
    *out = (unsigned)(s[0] - '0');
    return 0;
}

static int parse_push_text(const char *s, unsigned *out)
{
    size_t n = strlen(s);
    dlo_trim(&s, &n);
    if (dlo_equals_ci(s, n, "vendor"))
        *out = DLO_PUSH_PORTS_VENDOR;
    else if (dlo_equals_ci(s, n, "rpc"))
        *out = DLO_PUSH_PORTS_RPC;
    else
        return -1;
    return 0;
}

/* Parses the strings of candidate c (the command line, REG_SZ or REG_MULTI_SZ) by kind. */
static dlo_status parse_strings(const dlo_config_candidate *c, const dlo_config_def *def,
                                const strings *list, dlo_config_parsed *p, dlo_error *err)
{
    char why[400];
    dlo_buf where;
    dlo_status st = DLO_OK;

    dlo_buf_init(&where);
    describe(&where, c, def);
    switch (def->kind) {
    case K_MODE:
        st = dlo_mode_parse(list->items[0], dlo_buf_str(&where), &p->mode, err);
        break;
    case K_ROLES:
        st = parse_role_strings(c, def, list, dlo_buf_str(&where), p, err);
        break;
    case K_PORT: {
        const char *bad = dlo_port_parse(list->items[0], &p->number);
        if (bad) {
            snprintf(why, sizeof(why),
                     "not a port number ('%.20s' %s); expected a TCP port from 1 to 65535 "
                     "written without a leading zero",
                     list->items[0], bad);
            st = problem(err, c, def, why);
        }
        break;
    }
    case K_INSTANCE:
        if (parse_instance(list->items[0], p->instance, why, sizeof(why)))
            st = problem(err, c, def, why);
        break;
    case K_SCOPE:
        st = dlo_addr_normalize(list->items, list->n, c->os_build, &p->addrs, err);
        if (st == DLO_E_CONFIG && err) {
            char inner[DLO_ERROR_MAX];
            memcpy(inner, err->msg, sizeof(inner));
            dlo_error_set(err, st, "%s: %s", dlo_buf_str(&where), inner);
        }
        break;
    case K_PATH:
        if (parse_path(c, list->items[0], p, why, sizeof(why)))
            st = problem(err, c, def, why);
        break;
    case K_PROFILES:
        st = parse_profile_strings(c, def, list, p, err);
        break;
    case K_BOOL:
        /* From the command line only: the registry holds a REG_DWORD. */
        if (parse_bool_text(list->items[0], &p->number))
            st = problem(err, c, def, "not 0 or 1; expected 0 (off) or 1 (on)");
        break;
    case K_PUSH:
        if (parse_push_text(list->items[0], &p->number))
            st = problem(err, c, def,
                         "not a push-installation port choice; expected vendor (the port "
                         "matrix as written) or rpc (Windows' RPC and RPC-EPMap keywords)");
        break;
    case K_MINUTES:
    case K_SECONDS:
        /* Only REG_DWORD is allowed, and the command line has no such switch. */
        st = dlo_error_set(err, DLO_E_INTERNAL, "%s: not a number", def->name);
        break;
    }
    if (!st)
        st = dlo_buf_status(&where);
    dlo_buf_free(&where);
    return st;
}

/* Parses and validates candidate c of item def into p. */
dlo_status dlo_config_parse_candidate(const dlo_config_candidate *c, const dlo_config_def *def,
                                      dlo_config_parsed *p, dlo_error *err)
{
    strings list = {NULL, 0};
    bool done = false;
    dlo_status st = DLO_OK;

    if (c->key)
        st = check_registry_value(c, def, p, &done, err);
    if (st || done)
        return st;
    st = get_strings(c, &list);
    if (st)
        return dlo_error_set(err, st, "out of memory");
    st = check_size(c, def, &list, err);
    if (!st)
        st = parse_strings(c, def, &list, p, err);
    free(list.items);
    /* The role and mode parsers report usage errors; here they are configuration errors. */
    if (st == DLO_E_USAGE) {
        st = DLO_E_CONFIG;
        if (err)
            err->status = st;
    }
    return st;
}
