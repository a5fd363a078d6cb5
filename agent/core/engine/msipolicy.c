#include "dlo/msipolicy.h"

#include "dlo/config.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

#define PLAN_HEADER "dloagent-configuration-plan 1"

static const char *const client_names[] = {"user", "admin", "system"};
static const char *const action_names[] = {"keep", "write", "remove"};

void dlo_msi_plan_init(dlo_msi_plan *p)
{
    memset(p, 0, sizeof(*p));
}

void dlo_msi_plan_free(dlo_msi_plan *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        free(p->ops[i].text);
    dlo_msi_plan_init(p);
}

static bool copy_name(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

dlo_status dlo_msi_plan_add(dlo_msi_plan *p, const char *property, const char *value,
                            dlo_msi_action action, unsigned long type, const char *text,
                            uint32_t number, dlo_error *err)
{
    dlo_msi_op *op = &p->ops[p->n];

    if (p->n == DLO_MSI_MAX_OPS)
        return dlo_error_set(err, DLO_E_INTERNAL, "more than %d configuration values",
                             DLO_MSI_MAX_OPS);
    memset(op, 0, sizeof(*op));
    if (!copy_name(op->property, sizeof(op->property), property) ||
        !copy_name(op->value, sizeof(op->value), value))
        return dlo_error_set(err, DLO_E_INTERNAL, "bad configuration value name '%.64s'", value);
    op->action = action;
    if (action == DLO_MSI_WRITE) {
        op->type = type;
        op->number = number;
        if (type == DLO_REG_SZ && !(op->text = dlo_strdup(text ? text : "")))
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    p->n++;
    return DLO_OK;
}

/* UTF-16 code units of a UTF-8 string: what a REG_SZ of it takes, terminator aside. */
static size_t utf16_units(const char *s)
{
    size_t n = strlen(s), i = 0, units = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t step = dlo_utf8_decode(s + i, n - i, &cp);
        units += step && cp > 0xFFFF ? 2 : 1;
        i += step ? step : 1;
    }
    return units;
}

/* True when writing op leaves the value v byte for byte as it is. */
static bool same_value(const dlo_msi_op *op, const dlo_reg_value *v)
{
    if (v->oversize || v->type != op->type)
        return false;
    if (op->type == DLO_REG_DWORD)
        return v->size == 4 && v->number == op->number;
    return v->text && strcmp(v->text, op->text) == 0 && v->text_len == strlen(op->text) + 1 &&
           v->size == (utf16_units(op->text) + 1) * 2;
}

/* What the key holds now, for a message: "unset", "\"text\"", "1433", "REG_MULTI_SZ \"a,b\"". */
static void describe_current(dlo_buf *b, const dlo_reg_value *v, bool found, bool same_type)
{
    char tbuf[32];
    const char *s;
    size_t i;

    if (!found) {
        dlo_buf_puts(b, "unset");
        return;
    }
    if (!same_type)
        dlo_buf_printf(b, "%s ", dlo_reg_type_name(v->type, tbuf, sizeof(tbuf)));
    if (v->oversize || (!v->text && v->type != DLO_REG_DWORD)) {
        dlo_buf_printf(b, "of %zu bytes", v->size);
    } else if (v->type == DLO_REG_DWORD) {
        dlo_buf_printf(b, "%llu", (unsigned long long)v->number);
    } else {
        dlo_buf_putc(b, '"');
        for (i = 0, s = v->text; i < (v->count ? v->count : 1); i++, s += strlen(s) + 1)
            dlo_buf_printf(b, "%s%.100s", i ? "," : "", s);
        dlo_buf_putc(b, '"');
        if (v->type == DLO_REG_SZ && same_type && v->size != (utf16_units(v->text) + 1) * 2)
            dlo_buf_printf(b, " in %zu bytes", v->size);
    }
}

/* One value the run would change, as "ADDROLES=\"a\" (now unset)" or "ROLES removed (now ...)". */
static void describe_change(dlo_buf *b, const dlo_msi_op *op, const dlo_reg_value *v, bool found)
{
    bool same_type = found && v->type == op->type;
    if (b->len)
        dlo_buf_puts(b, ", ");
    if (op->action == DLO_MSI_REMOVE)
        dlo_buf_printf(b, "%s removed", op->property);
    else if (op->type == DLO_REG_DWORD)
        dlo_buf_printf(b, "%s=%lu", op->property, (unsigned long)op->number);
    else
        dlo_buf_printf(b, "%s=\"%.100s\"", op->property, op->text);
    if (op->action == DLO_MSI_WRITE && found && !same_type)
        dlo_buf_puts(b, op->type == DLO_REG_DWORD ? " as REG_DWORD" : " as REG_SZ");
    dlo_buf_puts(b, " (now ");
    describe_current(b, v, found, same_type || op->action == DLO_MSI_REMOVE);
    dlo_buf_putc(b, ')');
}

/* Appends to changes each op that would change the key; err is set only when a value cannot
 * be read, which counts as a change. */
static void collect_changes(const dlo_msi_plan *p, const dlo_registry *reg, dlo_buf *changes)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        const dlo_msi_op *op = &p->ops[i];
        dlo_reg_value v;
        dlo_error rerr;
        dlo_status st;

        if (op->action == DLO_MSI_KEEP)
            continue;
        dlo_reg_value_init(&v);
        dlo_error_clear(&rerr);
        st =
            dlo_registry_read(reg, DLO_REG_VIEW_64, DLO_CONFIG_KEY_INSTALLER, op->value, &v, &rerr);
        if (st != DLO_OK && st != DLO_E_NOTFOUND)
            dlo_buf_printf(changes, "%s%s (cannot be read: %.200s)", changes->len ? ", " : "",
                           op->property, rerr.msg);
        else if (op->action == DLO_MSI_REMOVE ? st == DLO_OK : st != DLO_OK || !same_value(op, &v))
            describe_change(changes, op, &v, st == DLO_OK);
        dlo_reg_value_free(&v);
    }
}

dlo_status dlo_msi_policy_check(const dlo_msi_plan *p, const dlo_registry *reg, dlo_error *err)
{
    dlo_buf changes, msg;
    dlo_status st = DLO_OK;

    if (!p->maintenance || p->client != DLO_MSI_CLIENT_USER)
        return DLO_OK;
    dlo_buf_init(&changes);
    dlo_buf_init(&msg);
    collect_changes(p, reg, &changes);
    dlo_buf_printf(&msg,
                   "this maintenance install (a repair, change or removal of the installed agent) "
                   "would %s%s%s%s; it was not started by an elevated administrator, and only an "
                   "elevated administrator, a first install or a Group Policy assignment may "
                   "change the configuration or remove the agent. Nothing was changed",
                   p->uninstall ? "remove the agent" : "",
                   p->uninstall && changes.len ? " and " : "",
                   changes.len ? "change the configuration: " : "", dlo_buf_str(&changes));
    if (dlo_buf_status(&changes) || dlo_buf_status(&msg))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (changes.len || p->uninstall)
        st = dlo_error_set(err, DLO_E_ACCESS, "%s", dlo_buf_str(&msg));
    dlo_buf_free(&changes);
    dlo_buf_free(&msg);
    return st;
}

/* Text is kept readable, and on one line whatever it holds: bytes outside '!'..'~' and '%'
 * become %XX. */
static void put_encoded(dlo_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7E || c == '%')
            dlo_buf_printf(b, "%%%02X", c);
        else
            dlo_buf_putc(b, (char)c);
    }
}

void dlo_msi_plan_format(const dlo_msi_plan *p, dlo_buf *out)
{
    size_t i;
    dlo_buf_printf(out, PLAN_HEADER "\nclient %s\nmaintenance %d\nuninstall %d\n",
                   client_names[p->client], p->maintenance, p->uninstall);
    for (i = 0; i < p->n; i++) {
        const dlo_msi_op *op = &p->ops[i];
        dlo_buf_printf(out, "%s %s %s", action_names[op->action], op->property, op->value);
        if (op->action == DLO_MSI_WRITE && op->type == DLO_REG_DWORD)
            dlo_buf_printf(out, " %d =%lu", DLO_REG_DWORD, (unsigned long)op->number);
        else if (op->action == DLO_MSI_WRITE) {
            dlo_buf_printf(out, " %d =", DLO_REG_SZ);
            put_encoded(out, op->text);
        }
        dlo_buf_putc(out, '\n');
    }
    dlo_buf_puts(out, "end\n");
}

/* The next line of *s (NUL-terminated in place), or NULL at the end of the text. */
static char *next_line(char **s)
{
    char *line = *s, *nl;
    if (!line || !*line)
        return NULL;
    nl = strchr(line, '\n');
    if (!nl)
        return NULL; /* every line of a plan ends with a newline: this one was cut */
    *nl = '\0';
    *s = nl + 1;
    return line;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes put_encoded's text in place; false when it is not such text. */
static bool decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7E)
            return false;
        if (*s != '%') {
            *out++ = *s;
            continue;
        }
        if (hex(s[1]) < 0 || hex(s[2]) < 0 || (hex(s[1]) * 16 + hex(s[2])) == 0)
            return false;
        *out++ = (char)(hex(s[1]) * 16 + hex(s[2]));
        s += 2;
    }
    *out = '\0';
    return true;
}

static int word_index(const char *word, const char *const *names, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(word, names[i]) == 0)
            return i;
    return -1;
}

/* "KEY VALUE" where VALUE is one of names: its index, or -1. */
static int keyed(const char *line, const char *key, const char *const *names, int n)
{
    size_t k = strlen(key);
    if (!line || strncmp(line, key, k) != 0 || line[k] != ' ')
        return -1;
    return word_index(line + k + 1, names, n);
}

static bool is_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static bool parse_number(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s || (s[0] == '0' && s[1]))
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > 0xFFFFFFFFu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* One op line: "ACTION PROPERTY VALUE" and, for a write, " TYPE =DATA". */
static dlo_status parse_op(char *line, dlo_msi_plan *p, dlo_error *err)
{
    char *f[5] = {NULL};
    int n = 0, action;
    uint32_t number = 0;
    char *tok = line;

    while (n < 5 && tok) {
        char *sp = strchr(tok, ' ');
        f[n++] = tok;
        if (sp)
            *sp = '\0';
        tok = sp ? sp + 1 : NULL;
    }
    action = f[0] ? word_index(f[0], action_names, 3) : -1;
    if (action < 0 || tok || !f[1] || !f[2] || !is_name(f[1]) || !is_name(f[2]) ||
        (action == DLO_MSI_WRITE) != (n == 5) || (n != 3 && n != 5))
        return DLO_E_ACCESS;
    if (action != DLO_MSI_WRITE)
        return dlo_msi_plan_add(p, f[1], f[2], (dlo_msi_action)action, 0, NULL, 0, err)
                   ? DLO_E_ACCESS
                   : DLO_OK;
    if (f[4][0] != '=')
        return DLO_E_ACCESS;
    if (strcmp(f[3], "4") == 0 && parse_number(f[4] + 1, &number))
        return dlo_msi_plan_add(p, f[1], f[2], DLO_MSI_WRITE, DLO_REG_DWORD, NULL, number, err)
                   ? DLO_E_ACCESS
                   : DLO_OK;
    if (strcmp(f[3], "1") == 0 && decode(f[4] + 1))
        return dlo_msi_plan_add(p, f[1], f[2], DLO_MSI_WRITE, DLO_REG_SZ, f[4] + 1, 0, err)
                   ? DLO_E_ACCESS
                   : DLO_OK;
    return DLO_E_ACCESS;
}

static dlo_status parse_lines(char *s, dlo_msi_plan *p, dlo_error *err)
{
    static const char *const flags[] = {"0", "1"};
    char *line = next_line(&s);
    int client, maintenance, uninstall;

    if (!line || strcmp(line, PLAN_HEADER) != 0)
        return DLO_E_ACCESS;
    client = keyed(next_line(&s), "client", client_names, 3);
    maintenance = keyed(next_line(&s), "maintenance", flags, 2);
    uninstall = keyed(next_line(&s), "uninstall", flags, 2);
    if (client < 0 || maintenance < 0 || uninstall < 0)
        return DLO_E_ACCESS;
    p->client = (dlo_msi_client)client;
    p->maintenance = maintenance;
    p->uninstall = uninstall;
    while ((line = next_line(&s)) && strcmp(line, "end") != 0)
        if (parse_op(line, p, err))
            return DLO_E_ACCESS;
    return line && !*s ? DLO_OK : DLO_E_ACCESS;
}

dlo_status dlo_msi_plan_parse(const char *text, dlo_msi_plan *out, dlo_error *err)
{
    char *copy = dlo_strdup(text ? text : "");
    dlo_status st;

    dlo_msi_plan_init(out);
    if (!copy)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    st = parse_lines(copy, out, err);
    free(copy);
    if (st == DLO_OK)
        return DLO_OK;
    dlo_msi_plan_free(out);
    return dlo_error_set(err, DLO_E_ACCESS,
                         "the configuration values are not written: the check of who may change "
                         "them did not pass before this step (it handed over \"%.64s\", expected "
                         "the plan of the package's own check)",
                         text ? text : "");
}
