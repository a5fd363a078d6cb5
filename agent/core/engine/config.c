#include "dlo/config.h"

#include "dlo/addr.h"
#include "dlo/log.h"
#include "dlo/portset.h"
#include "dlo/rule.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef dlo_config_row item_def;

/* What a value of this row must be, for messages. */
static const char *expected_text(const item_def *def, char *buf, size_t size)
{
    size_t i, used;

    switch (def->type) {
    case DLO_CT_MODE:
        return "REG_SZ holding a BOI mode: nonboi, exclusive or occasional";
    case DLO_CT_ROLES:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding role names";
    case DLO_CT_PORT:
        return "REG_DWORD or REG_SZ holding a TCP port number from 1 to 65535";
    case DLO_CT_INSTANCE:
        return "REG_SZ holding a SQL Server instance name: MSSQLSERVER, or NAME for the instance "
               "of service MSSQL$NAME (letters, digits, _, $ and #, at most 16 characters)";
    case DLO_CT_SCOPE:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding remote addresses as the Windows "
               "Firewall accepts them, or host names";
    case DLO_CT_NUMBER:
        snprintf(buf, size, "REG_DWORD holding a number of %s from %u to %u", def->unit, def->min,
                 def->max);
        return buf;
    case DLO_CT_PATH:
        return "REG_SZ holding the absolute path of a file on a local drive (C:\\...)";
    case DLO_CT_PROFILES:
        return "REG_SZ (comma-separated) or REG_MULTI_SZ holding firewall profiles: domain, "
               "private, public";
    case DLO_CT_FLAG:
        return "REG_DWORD holding 0 (off) or 1 (on)";
    case DLO_CT_CHOICE:
        used = (size_t)snprintf(buf, size, "REG_SZ holding ");
        for (i = 0; i < def->n_choices && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s (%s)",
                                     i == 0                    ? ""
                                     : i + 1 == def->n_choices ? " or "
                                                               : ", ",
                                     def->choices[i].name, def->choices[i].meaning);
        return buf;
    }
    return "?";
}

#define EXPECTED_MAX 400

static bool type_allowed(dlo_config_type type, unsigned long reg_type)
{
    switch (type) {
    case DLO_CT_MODE:
    case DLO_CT_INSTANCE:
    case DLO_CT_PATH:
    case DLO_CT_CHOICE:
        return reg_type == DLO_REG_SZ;
    case DLO_CT_ROLES:
    case DLO_CT_SCOPE:
    case DLO_CT_PROFILES:
        return reg_type == DLO_REG_SZ || reg_type == DLO_REG_MULTI_SZ;
    case DLO_CT_PORT:
        return reg_type == DLO_REG_SZ || reg_type == DLO_REG_DWORD;
    case DLO_CT_NUMBER:
    case DLO_CT_FLAG:
        return reg_type == DLO_REG_DWORD;
    }
    return false;
}

const dlo_config_row *dlo_config_row_of(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT ? &dlo_config_rows[item] : NULL;
}

const void *dlo_config_value(const dlo_config *cfg, dlo_config_item item)
{
    return (const char *)cfg + dlo_config_rows[item].field;
}

static void *field_of(dlo_config *cfg, const item_def *def)
{
    return (char *)cfg + def->field;
}

dlo_config_item dlo_config_item_by_switch(const char *name, size_t n)
{
    int item;
    for (item = 0; item < DLO_CFG_COUNT; item++)
        if (dlo_config_rows[item].sw && dlo_equals_ci(name, n, dlo_config_rows[item].sw))
            return (dlo_config_item)item;
    return DLO_CFG_COUNT;
}

const char *dlo_config_item_name(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT ? dlo_config_rows[item].name : "?";
}

const char *dlo_config_item_switch(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT ? dlo_config_rows[item].sw : NULL;
}

bool dlo_config_item_in_policy(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT && !dlo_config_rows[item].installer_only;
}

bool dlo_config_item_is_flag(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT && dlo_config_rows[item].type == DLO_CT_FLAG;
}

unsigned dlo_config_item_types(dlo_config_item item)
{
    unsigned mask = 0;
    unsigned long type;

    if ((unsigned)item >= DLO_CFG_COUNT)
        return 0;
    for (type = 0; type < 32; type++)
        if (type_allowed(dlo_config_rows[item].type, type))
            mask |= DLO_REG_TYPE_BIT(type);
    return mask;
}

const char *dlo_config_source_name(dlo_config_source src)
{
    switch (src) {
    case DLO_SOURCE_DEFAULT:
        return "default";
    case DLO_SOURCE_INSTALLER:
        return "installer";
    case DLO_SOURCE_POLICY:
        return "policy";
    case DLO_SOURCE_COMMAND_LINE:
        return "command line";
    }
    return "?";
}

static void set_number(dlo_config *cfg, const item_def *def, unsigned v)
{
    void *f = field_of(cfg, def);
    int e = (int)v;

    switch (def->type) {
    case DLO_CT_MODE:
    case DLO_CT_CHOICE:
        memcpy(f, &e, sizeof(e));
        break;
    case DLO_CT_ROLES:
        *(dlo_role_set *)f = v;
        break;
    case DLO_CT_FLAG:
        *(bool *)f = v != 0;
        break;
    default:
        *(unsigned *)f = v;
        break;
    }
}

/* The drift repair period that follows from both interval values. */
static void settle_interval(dlo_config *cfg)
{
    cfg->interval_seconds =
        cfg->test_interval_seconds ? cfg->test_interval_seconds : cfg->interval_minutes * 60u;
}

dlo_status dlo_config_init(dlo_config *cfg)
{
    int item;

    memset(cfg, 0, sizeof(*cfg));
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const item_def *def = &dlo_config_rows[item];
        char **text = field_of(cfg, def);
        if (def->type == DLO_CT_SCOPE && !(*text = dlo_strdup("*"))) {
            dlo_config_free(cfg);
            return DLO_E_NOMEM;
        }
        if (!dlo_config_type_is_text(def->type))
            set_number(cfg, def, def->def);
    }
    settle_interval(cfg);
    return DLO_OK;
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

/* One candidate value: from the command line (text only) or from a registry key. */
typedef struct candidate {
    dlo_config_source source;
    const char *key;   /* registry key, NULL for the command line */
    const char *cli;   /* the switch's value */
    dlo_reg_value reg; /* the registry value */
    bool present;
    unsigned long os_build; /* the Windows build whose firewall the scopes are for */
} candidate;

/* Parsed value of one candidate. */
typedef struct parsed {
    unsigned number; /* every type not held as text: the mode, roles, choice, flag, number */
    dlo_buf addrs;
    char instance[DLO_CONFIG_MAX_INSTANCE_CHARS + 1];
    const char *path; /* DLO_CT_PATH: trimmed, in the candidate's own text */
    size_t path_len;
} parsed;

/* A replacement data file. From a key it must be an absolute path on a local drive: the service
 * runs in System32, where a relative path means nothing an administrator meant, and a network
 * share's security is another machine's. From the command line it is the file as typed, read
 * relative to the caller's current folder. */
static int parse_path(const candidate *c, const char *s, parsed *p, char *why, size_t size)
{
    size_t n = strlen(s);

    dlo_trim(&s, &n);
    p->path = s;
    p->path_len = n;
    if (!c->key)
        return 0;
    if (n < 4 || !dlo_path_on_drive(s, n)) {
        char expected[EXPECTED_MAX];
        snprintf(why, size, "not an absolute path on a local drive; expected %s",
                 expected_text(&dlo_config_rows[DLO_CFG_POLICY_FILE], expected, sizeof(expected)));
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
static void describe(dlo_buf *b, const candidate *c, const item_def *def)
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
static dlo_status problem(dlo_error *err, const candidate *c, const item_def *def, const char *why)
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

static dlo_status get_strings(const candidate *c, strings *out)
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
static dlo_status check_registry_value(const candidate *c, const item_def *def, parsed *p,
                                       bool *done, dlo_error *err)
{
    char tbuf[32];
    char why[EXPECTED_MAX + 100], expected[EXPECTED_MAX];
    unsigned long long v = c->reg.number;

    *done = true;
    if (!type_allowed(def->type, c->reg.type)) {
        snprintf(why, sizeof(why), "the type %s is wrong; expected %s",
                 dlo_reg_type_name(c->reg.type, tbuf, sizeof(tbuf)),
                 expected_text(def, expected, sizeof(expected)));
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
    if (v < def->min || v > def->max) {
        snprintf(why, sizeof(why), "out of range; expected %s",
                 expected_text(def, expected, sizeof(expected)));
        return problem(err, c, def, why);
    }
    p->number = (unsigned)v;
    return DLO_OK;
}

/* Refuses strings that are, all together, longer or more than any real value. */
static dlo_status check_size(const candidate *c, const item_def *def, const strings *list,
                             dlo_error *err)
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
static dlo_status parse_role_strings(const candidate *c, const item_def *def, const strings *list,
                                     const char *where, parsed *p, dlo_error *err)
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
        if (!st) {
            dlo_role_set roles = 0;
            st = dlo_roles_parse(dlo_buf_str(&joined), where, &roles, err);
            p->number = roles;
        }
    }
    dlo_buf_free(&joined);
    return st;
}

/* Profile lists: the strings of a REG_MULTI_SZ each hold names, as one comma list does. An
 * empty list would take a network class off every profile, which no administrator means. */
static dlo_status parse_profile_strings(const candidate *c, const item_def *def,
                                        const strings *list, parsed *p, dlo_error *err)
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

/* One of the row's choices, in any case, blanks around it ignored. */
static int parse_choice_text(const item_def *def, const char *s, unsigned *out)
{
    size_t n = strlen(s), i;
    dlo_trim(&s, &n);
    for (i = 0; i < def->n_choices; i++) {
        if (dlo_equals_ci(s, n, def->choices[i].name)) {
            *out = (unsigned)i;
            return 0;
        }
    }
    return -1;
}

/* A choice that is none of the row's: "not a <what>; expected a (...) or b (...)". */
static dlo_status bad_choice(const candidate *c, const item_def *def, dlo_error *err)
{
    char expected[EXPECTED_MAX], why[EXPECTED_MAX + 100];
    const char *list = expected_text(def, expected, sizeof(expected));

    snprintf(why, sizeof(why), "not a %s; expected %s", def->what,
             list + strlen("REG_SZ holding "));
    return problem(err, c, def, why);
}

/* Parses the strings of candidate c (the command line, REG_SZ or REG_MULTI_SZ) by kind. */
static dlo_status parse_strings(const candidate *c, const item_def *def, const strings *list,
                                parsed *p, dlo_error *err)
{
    char why[400];
    dlo_buf where;
    dlo_status st = DLO_OK;

    dlo_buf_init(&where);
    describe(&where, c, def);
    switch (def->type) {
    case DLO_CT_MODE: {
        dlo_mode mode = DLO_MODE_NONBOI;
        st = dlo_mode_parse(list->items[0], dlo_buf_str(&where), &mode, err);
        p->number = (unsigned)mode;
        break;
    }
    case DLO_CT_ROLES:
        st = parse_role_strings(c, def, list, dlo_buf_str(&where), p, err);
        break;
    case DLO_CT_PORT: {
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
    case DLO_CT_INSTANCE:
        if (parse_instance(list->items[0], p->instance, why, sizeof(why)))
            st = problem(err, c, def, why);
        break;
    case DLO_CT_SCOPE:
        st = dlo_addr_normalize_scope(list->items, list->n, c->os_build, &p->addrs, err);
        if (st == DLO_E_CONFIG && err) {
            char inner[DLO_ERROR_MAX];
            memcpy(inner, err->msg, sizeof(inner));
            dlo_error_set(err, st, "%s: %s", dlo_buf_str(&where), inner);
        }
        break;
    case DLO_CT_PATH:
        if (parse_path(c, list->items[0], p, why, sizeof(why)))
            st = problem(err, c, def, why);
        break;
    case DLO_CT_PROFILES:
        st = parse_profile_strings(c, def, list, p, err);
        break;
    case DLO_CT_FLAG:
        /* From the command line only: the registry holds a REG_DWORD. */
        if (parse_bool_text(list->items[0], &p->number))
            st = problem(err, c, def, "not 0 or 1; expected 0 (off) or 1 (on)");
        break;
    case DLO_CT_CHOICE:
        if (parse_choice_text(def, list->items[0], &p->number))
            st = bad_choice(c, def, err);
        break;
    case DLO_CT_NUMBER: {
        /* From the command line only: the registry holds a REG_DWORD. */
        unsigned long v = 0;
        const char *s = list->items[0], *bad;
        size_t n = strlen(s);
        char expected[EXPECTED_MAX];
        dlo_trim(&s, &n);
        bad = dlo_decimal_parse(s, n, def->min, def->max, &v);
        p->number = (unsigned)v;
        if (bad) {
            snprintf(why, sizeof(why), "%s; expected %s", bad,
                     expected_text(def, expected, sizeof(expected)));
            st = problem(err, c, def, why);
        }
        break;
    }
    }
    if (!st)
        st = dlo_buf_status(&where);
    dlo_buf_free(&where);
    return st;
}

/* Parses and validates candidate c of item def into p. */
static dlo_status parse_candidate(const candidate *c, const item_def *def, parsed *p,
                                  dlo_error *err)
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

/* Reads one registry candidate. Fails only if the read failed for another reason than the
 * value's absence. */
static dlo_status read_candidate(const dlo_registry *reg, const char *key, const item_def *def,
                                 candidate *c, dlo_error *err)
{
    dlo_status st;
    const char *p;
    size_t i;

    c->key = key;
    st = dlo_registry_read(reg, DLO_REG_VIEW_64, key, def->name, &c->reg, err);
    if (st == DLO_E_NOTFOUND)
        return DLO_OK;
    if (st)
        return st;
    if (c->reg.oversize) {
        c->present = true;
    } else if (c->reg.type == DLO_REG_SZ || c->reg.type == DLO_REG_EXPAND_SZ) {
        c->present = c->reg.text && !dlo_is_blank_str(c->reg.text);
    } else if (c->reg.type == DLO_REG_MULTI_SZ) {
        for (i = 0, p = c->reg.text; i < c->reg.count && p; i++, p += strlen(p) + 1)
            if (!dlo_is_blank_str(p))
                c->present = true;
    } else {
        c->present = true;
    }
    return DLO_OK;
}

/* Collects the failures of a load: the first in full, the names of the others. */
typedef struct problems {
    dlo_status first;
    dlo_error *err;
    dlo_buf others;
} problems;

static void note_problem(problems *pr, dlo_status st, const dlo_error *e, const char *name)
{
    if (!pr->first) {
        pr->first = st;
        if (pr->err)
            *pr->err = *e;
        return;
    }
    dlo_buf_puts(&pr->others, pr->others.len ? ", " : "");
    dlo_buf_puts(&pr->others, name);
}

static dlo_status apply(dlo_config *cfg, dlo_config_item item, const parsed *p,
                        dlo_config_source src)
{
    const item_def *def = &dlo_config_rows[item];
    char *s = NULL;

    cfg->source[item] = src;
    if (def->tracks_set)
        *(bool *)((char *)cfg + def->set_field) = true;
    if (!dlo_config_type_is_text(def->type)) {
        set_number(cfg, def, p->number);
        return DLO_OK;
    }
    if (def->type == DLO_CT_INSTANCE)
        s = dlo_strdup(p->instance);
    else if (def->type == DLO_CT_SCOPE)
        s = dlo_strdup(dlo_buf_str(&p->addrs));
    else
        s = dlo_strndup(p->path, p->path_len);
    if (!s)
        return DLO_E_NOMEM;
    free(*(char **)field_of(cfg, def));
    *(char **)field_of(cfg, def) = s;
    return DLO_OK;
}

/* Takes the first present candidate of c[0..n) (in order of precedence) into cfg, or notes why
 * it is invalid; an invalid candidate it shadows is only logged. */
static void settle_item(dlo_config *cfg, dlo_config_item item, const candidate *c, size_t n,
                        problems *pr)
{
    const item_def *def = &dlo_config_rows[item];
    int effective = -1;
    size_t i;
    dlo_error e;

    for (i = 0; i < n; i++) {
        parsed p;
        dlo_status st;

        if (!c[i].present)
            continue;
        memset(&p, 0, sizeof(p));
        dlo_buf_init(&p.addrs);
        dlo_error_clear(&e);
        st = parse_candidate(&c[i], def, &p, &e);
        if (effective < 0) {
            effective = (int)i;
            if (!st)
                st = apply(cfg, item, &p, c[i].source);
            if (st)
                note_problem(pr, st, &e, def->name);
        } else if (st == DLO_E_CONFIG) {
            dlo_log_event(DLO_EV_CONFIG_WARNING, DLO_LOG_WARN,
                          "%s (not in effect: the %s value of %s wins)", e.msg,
                          dlo_config_source_name(c[effective].source), def->name);
        }
        dlo_buf_free(&p.addrs);
    }
}

static void load_item(dlo_config *cfg, const dlo_registry *reg,
                      const dlo_config_overrides *overrides, dlo_config_item item, problems *pr)
{
    const item_def *def = &dlo_config_rows[item];
    candidate c[3];
    size_t n = 0, i;
    dlo_error e;

    memset(c, 0, sizeof(c));
    for (i = 0; i < 3; i++) {
        dlo_reg_value_init(&c[i].reg);
        c[i].os_build = overrides ? overrides->os_build : DLO_OS_BUILD_UNKNOWN;
    }
    if (def->sw && overrides && overrides->values[item]) {
        c[n].source = DLO_SOURCE_COMMAND_LINE;
        c[n].cli = overrides->values[item];
        c[n].present = true;
        n++;
    }
    for (i = 0; i < 2; i++) {
        dlo_status st;
        if (i == 0 && def->installer_only)
            continue;
        c[n].source = i == 0 ? DLO_SOURCE_POLICY : DLO_SOURCE_INSTALLER;
        dlo_error_clear(&e);
        st = read_candidate(reg, i == 0 ? DLO_CONFIG_KEY_POLICY : DLO_CONFIG_KEY_INSTALLER, def,
                            &c[n], &e);
        if (st) {
            if (!e.msg[0])
                dlo_error_set(&e, st, "HKLM\\%s value %s cannot be read: %s", c[n].key, def->name,
                              dlo_status_name(st));
            note_problem(pr, st, &e, def->name);
            goto cleanup;
        }
        n++;
    }

    settle_item(cfg, item, c, n, pr);
cleanup:
    for (i = 0; i < 3; i++)
        dlo_reg_value_free(&c[i].reg);
}

dlo_status dlo_config_load(dlo_config *cfg, const dlo_registry *reg,
                           const dlo_config_overrides *overrides, dlo_error *err)
{
    problems pr;
    dlo_status st;
    int item;

    st = dlo_config_init(cfg);
    if (st)
        return dlo_error_set(err, st, "out of memory");
    memset(&pr, 0, sizeof(pr));
    pr.err = err;
    dlo_buf_init(&pr.others);
    for (item = 0; item < DLO_CFG_COUNT; item++)
        load_item(cfg, reg, overrides, (dlo_config_item)item, &pr);

    if (!pr.first && cfg->add_roles & cfg->exclude_roles) {
        dlo_buf b;
        dlo_buf_init(&b);
        dlo_roles_format(&b, cfg->add_roles & cfg->exclude_roles);
        pr.first = dlo_error_set(err, DLO_E_CONFIG,
                                 "AddRoles (%s) and ExcludeRoles (%s) both name %s; expected "
                                 "each role in at most one of them",
                                 dlo_config_source_name(cfg->source[DLO_CFG_ADD_ROLES]),
                                 dlo_config_source_name(cfg->source[DLO_CFG_EXCLUDE_ROLES]),
                                 dlo_buf_str(&b));
        dlo_buf_free(&b);
    }
    if (pr.first && pr.others.len && err) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof(err->msg) - used, " (also invalid: %s)",
                 dlo_buf_str(&pr.others));
    }
    dlo_buf_free(&pr.others);
    settle_interval(cfg);
    if (pr.first) {
        dlo_config_free(cfg);
        if (dlo_config_init(cfg))
            memset(cfg, 0, sizeof(*cfg));
        if (err)
            err->status = pr.first;
        return pr.first;
    }
    return DLO_OK;
}

dlo_role_set dlo_config_roles(const dlo_config *cfg, dlo_role_set detected)
{
    dlo_role_set set = cfg->roles_set ? cfg->roles : detected;
    return (set | cfg->add_roles) & ~cfg->exclude_roles & DLO_ROLE_ALL_MASK;
}
