/* The export formats and what their writers share (dlo/export.h). Each writer is in a file of
 * its own beside this one, with its consumer's keyword table. */
#include "dlo/export.h"
#include "dlo/log.h"
#include "dlo/names.h"
#include "dlo/report.h"

#include "dlo/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dlo_export_keyword_find(const dlo_export_keywords *t, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < t->count; i++)
        if (dlo_equals_ci(s, n, t->items[i].plan))
            return t->items[i].consumer;
    return NULL;
}

bool dlo_export_is_address_keyword(const char *s, size_t n)
{
    return n > 0 && !(s[0] >= '0' && s[0] <= '9') && !memchr(s, ':', n);
}

bool dlo_export_is_port_keyword(const char *s, size_t n)
{
    char c = n ? dlo_ascii_lower(s[0]) : '\0';
    return c >= 'a' && c <= 'z';
}

void dlo_export_refusals_init(dlo_export_refusals *r)
{
    dlo_buf_init(&r->text);
    dlo_strlist_init(&r->each);
    r->count = 0;
}

void dlo_export_refusals_free(dlo_export_refusals *r)
{
    dlo_buf_free(&r->text);
    dlo_strlist_free(&r->each);
}

void dlo_export_refuse(dlo_export_refusals *r, const dlo_rule *rule, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    dlo_buf one;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* The name is shown as JSON spells it, so a quote or a control character in it cannot
     * garble the message that reports it. */
    dlo_buf_init(&one);
    dlo_buf_puts(&one, "rule ");
    dlo_buf_json_str(&one, dlo_str(rule->name));
    dlo_buf_printf(&one, " %s", msg);
    dlo_buf_puts(&r->text, r->count ? "; " : "");
    dlo_buf_puts(&r->text, dlo_buf_str(&one));
    if (dlo_strlist_add(&r->each, dlo_buf_str(&one)))
        r->text.failed = true;
    dlo_buf_free(&one);
    r->count++;
}

dlo_status dlo_export_refusals_status(const dlo_export_refusals *r, const char *format,
                                      dlo_error *err)
{
    size_t i;
    if (r->count == 0 || dlo_buf_status(&r->text))
        return dlo_buf_status(&r->text) ? dlo_error_set(err, DLO_E_NOMEM, "out of memory") : DLO_OK;
    /* An error is one bounded line: a long list would be cut, and the rule it cut would go
     * unnamed. */
    if (r->text.len + 64 < DLO_ERROR_MAX)
        return dlo_error_set(err, DLO_E_CONFIG, "/export:%s: %zu rule%s refused: %s", format,
                             r->count, r->count == 1 ? "" : "s", dlo_buf_str(&r->text));
    for (i = 0; i < r->each.count; i++)
        dlo_log(DLO_LOG_ERR, "/export:%s: %s", format, r->each.items[i]);
    return dlo_error_set(err, DLO_E_CONFIG, "/export:%s: %zu rules refused, each named above",
                         format, r->count);
}

static bool valid_utf8(const char *s)
{
    size_t n = strlen(s), i = 0, k;
    while (i < n) {
        k = (unsigned char)s[i] < 0x80 ? 1 : dlo_utf8_decode(s + i, n - i, NULL);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

bool dlo_export_text_ok(dlo_export_refusals *r, const dlo_rule *rule, const char *format)
{
    if (valid_utf8(dlo_str(rule->name)) && valid_utf8(dlo_str(rule->description)))
        return true;
    dlo_export_refuse(r, rule,
                      "has a name or description that is not valid UTF-8, which /export:%s "
                      "cannot hand over unchanged",
                      format);
    return false;
}

static bool ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* FNV-1a, 32 bits: small, fixed by its definition, the same on every platform. */
static unsigned long fnv1a(const char *s)
{
    unsigned long h = 2166136261ul;
    for (; *s; s++)
        h = ((h ^ (unsigned char)*s) * 16777619ul) & 0xFFFFFFFFul;
    return h;
}

void dlo_export_rule_id(dlo_buf *b, const char *name)
{
    size_t words = 0;
    bool start = true;
    const char *p;
    for (p = name; *p && words < DLO_EXPORT_ID_WORDS; p++) {
        if (!ascii_alnum(*p)) {
            start = true;
            continue;
        }
        dlo_buf_putc(b, start && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        start = false;
        words++;
    }
    dlo_buf_printf(b, "%08lx", fnv1a(name));
}

void dlo_export_check_ids(dlo_export_refusals *r, const dlo_plan *plan)
{
    size_t i, j;
    dlo_buf a, c;
    dlo_buf_init(&a);
    dlo_buf_init(&c);
    for (i = 0; i < plan->rules.count; i++) {
        dlo_buf_reset(&a);
        dlo_export_rule_id(&a, dlo_str(plan->rules.items[i].name));
        for (j = 0; j < plan->rules.count; j++) {
            if (j == i)
                continue;
            dlo_buf_reset(&c);
            dlo_export_rule_id(&c, dlo_str(plan->rules.items[j].name));
            if (strcmp(dlo_buf_str(&a), dlo_buf_str(&c)) == 0) {
                dlo_export_refuse(r, &plan->rules.items[i],
                                  "has the identity %s, which another rule of the plan has too",
                                  dlo_buf_str(&a));
                break;
            }
        }
    }
    dlo_buf_free(&a);
    dlo_buf_free(&c);
}

static void export_word(dlo_buf *b, const char *s, bool lower)
{
    for (; *s; s++)
        dlo_buf_putc(b, lower ? dlo_ascii_lower(*s) : *s);
}

void dlo_export_protocol(dlo_buf *b, int proto, bool lower)
{
    if (proto == DLO_PROTO_TCP || proto == DLO_PROTO_UDP || proto == DLO_PROTO_ANY)
        export_word(b,
                    proto == DLO_PROTO_TCP   ? "TCP"
                    : proto == DLO_PROTO_UDP ? "UDP"
                                             : "Any",
                    lower);
    else
        dlo_buf_printf(b, "%d", proto);
}

void dlo_export_profiles(dlo_buf *b, unsigned bits, bool lower, const char *quote)
{
    static const char *const names[3] = {"Domain", "Private", "Public"};
    int p, n = 0;
    for (p = 0; p < 3; p++) {
        bool all = (bits & DLO_PROFILE_ALL) == DLO_PROFILE_ALL;
        if (!all && !(bits & (1u << p)))
            continue;
        dlo_buf_printf(b, "%s%s", n++ ? "," : "", quote);
        export_word(b, all ? "Any" : names[p], lower);
        dlo_buf_puts(b, quote);
        if (all)
            break;
    }
}

void dlo_export_roles(dlo_buf *b, const dlo_plan *plan)
{
    size_t i;
    for (i = 0; i < DLO_ROLE_COUNT; i++)
        if (plan->roles & DLO_ROLE_BIT(i))
            dlo_buf_printf(b, "%s%s", (plan->roles & (DLO_ROLE_BIT(i) - 1)) ? "," : "",
                           dlo_role_name((dlo_role)i));
}

void dlo_export_names(dlo_buf *b, const dlo_plan *plan, const char *line_prefix)
{
    size_t i;
    if (!plan->names || !plan->names->count)
        return;
    if (line_prefix)
        dlo_buf_printf(b,
                       "%sHost names resolved at export time; the rules hold these addresses, "
                       "not the names:\n",
                       line_prefix);
    else
        dlo_buf_puts(b, " Host names resolved at export time (the rules hold the addresses):");
    for (i = 0; i < plan->names->count; i++) {
        const dlo_name *nm = &plan->names->items[i];
        if (line_prefix)
            dlo_buf_printf(b, "%s  %s -> %s (%s)\n", line_prefix, nm->name,
                           nm->addresses ? nm->addresses : "(none)",
                           dlo_name_state_name(nm->state));
        else
            dlo_buf_printf(b, "%s %s -> %s", i ? ";" : "", nm->name,
                           nm->addresses ? nm->addresses : "(none)");
    }
    if (!line_prefix)
        dlo_buf_putc(b, '.');
}

dlo_status dlo_export(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg, const char *format,
                      dlo_error *err)
{
    if (dlo_str_equal_ci(format, "powershell"))
        return dlo_export_powershell(b, plan, err);
    if (dlo_str_equal_ci(format, "netsh"))
        return dlo_export_netsh(b, plan, err);
    if (dlo_str_equal_ci(format, "intune"))
        return dlo_export_intune(b, plan, err);
    if (dlo_str_equal_ci(format, "intune-omauri"))
        return dlo_export_omauri(b, plan, err);
    if (dlo_str_equal_ci(format, "json")) {
        dlo_report_plan_json(b, plan, cfg);
        return DLO_OK;
    }
    return dlo_error_set(err, DLO_E_USAGE,
                         "/export:%s: unknown format; expected powershell, netsh, intune, "
                         "intune-omauri or json",
                         format);
}
