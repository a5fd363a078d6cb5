/* Feeds arbitrary bytes as a rule's name and description through each export writer and reads
 * them back as the consumer would: PowerShell's single-quoted strings (a quote-like character
 * ' U+2018 U+2019 U+201A U+201B ends one, a doubled one stands for itself), a netsh value in a
 * .cmd line (quoted, %% for %), a JSON string. Each must come back as exactly the input, as one
 * token followed by what the writer puts after it, or the writer must refuse the rule, and only
 * for the reasons it documents (dlo/export.h and each writer's file).
 *
 * Input: the name, a NUL, the description (no NUL: the same bytes for both). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/export.h"
#include "dlo/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_utf8(const char *s)
{
    size_t n = strlen(s), i = 0, k;
    while (i < n) {
        k = dlo_utf8_decode(s + i, n - i, NULL);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* PowerShell: the string at s, decoded into out; returns the position after it, or NULL. */
static const char *ps_read(const char *s, dlo_buf *out)
{
    uint32_t cp = 0, next = 0;
    size_t k, k2;
    if (*s != '\'')
        return NULL;
    s++;
    while (*s) {
        k = dlo_utf8_decode(s, strlen(s), &cp);
        if (k == 0)
            abort(); /* the script is not valid UTF-8 */
        if (cp == '\'' || (cp >= 0x2018 && cp <= 0x201B)) {
            k2 = dlo_utf8_decode(s + k, strlen(s + k), &next);
            if (k2 == 0 || !(next == '\'' || (next >= 0x2018 && next <= 0x201B)))
                return s + k;
            dlo_buf_append(out, s + k, k2);
            s += k + k2;
            continue;
        }
        dlo_buf_append(out, s, k);
        s += k;
    }
    return NULL;
}

/* netsh in a .cmd line: a quoted value, %% read as %, up to the closing quote. */
static const char *cmd_read(const char *s, dlo_buf *out)
{
    if (*s++ != '"')
        return NULL;
    for (; *s && *s != '"'; s++) {
        if (*s == '%' && s[1] != '%')
            abort(); /* cmd would expand it */
        if (*s == '%')
            s++;
        if ((unsigned char)*s < 0x20)
            abort(); /* a line of the .cmd file would end here */
        dlo_buf_putc(out, *s);
    }
    return *s == '"' ? s + 1 : NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_utf8(dlo_buf *b, uint32_t cp)
{
    char u[4];
    if (cp < 0x80)
        u[0] = (char)cp, dlo_buf_append(b, u, 1);
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), dlo_buf_append(b, u, 2);
    else
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F)), dlo_buf_append(b, u, 3);
}

/* JSON: the string at s; raw control characters, U+2028 and U+2029 must have been escaped. */
static const char *json_read(const char *s, dlo_buf *out)
{
    uint32_t cp = 0;
    size_t k;
    if (*s++ != '"')
        return NULL;
    while (*s && *s != '"') {
        if (*s == '\\') {
            const char *simple = strchr("\"\\/bfnrt", s[1]);
            if (s[1] == 'u') {
                int i, v;
                for (cp = 0, i = 2; i < 6; i++)
                    if ((v = hexval(s[i])) < 0)
                        abort();
                    else
                        cp = cp * 16 + (uint32_t)v;
                if (cp >= 0xD800 && cp <= 0xDFFF)
                    abort(); /* the writers escape only characters of the BMP */
                put_utf8(out, cp);
                s += 6;
                continue;
            }
            if (!simple || !s[1])
                abort();
            dlo_buf_putc(out, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
            s += 2;
            continue;
        }
        k = dlo_utf8_decode(s, strlen(s), &cp);
        if (k == 0 || cp < 0x20 || cp == 0x2028 || cp == 0x2029)
            abort();
        dlo_buf_append(out, s, k);
        s += k;
    }
    return *s == '"' ? s + 1 : NULL;
}

typedef const char *(*reader)(const char *, dlo_buf *);

/* After the first `prefix` in text, one token that reads back as `want`, then `suffix`;
 * returns where the token ends, to look for the next one after it. */
static const char *expect_token(const char *text, const char *prefix, reader read, const char *want,
                                const char *suffix)
{
    const char *at = strstr(text, prefix), *end;
    dlo_buf got;
    if (!at)
        abort();
    dlo_buf_init(&got);
    end = read(at + strlen(prefix), &got);
    if (!end || strcmp(dlo_buf_str(&got), want) != 0 || strncmp(end, suffix, strlen(suffix)))
        abort();
    dlo_buf_free(&got);
    return end;
}

static bool netsh_can_carry(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '!' || (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

static void check(dlo_status (*writer)(dlo_buf *, const dlo_plan *, dlo_error *),
                  const dlo_plan *plan, bool may_refuse,
                  void (*read_back)(const char *, const dlo_rule *))
{
    dlo_buf b;
    dlo_error err;
    dlo_status st;
    dlo_buf_init(&b);
    st = writer(&b, plan, &err);
    if (st != DLO_OK && (st != DLO_E_CONFIG || !may_refuse))
        abort();
    if (st == DLO_OK)
        read_back(dlo_buf_str(&b), &plan->rules.items[0]);
    dlo_buf_free(&b);
}

static void ps_back(const char *text, const dlo_rule *r)
{
    const char *end = expect_token(text, "    DisplayName   = ", ps_read, r->name, "\n");
    expect_token(end, "    Description   = ", ps_read, r->description, "\n");
}

static void netsh_back(const char *text, const dlo_rule *r)
{
    const char *end = expect_token(text, "\nnetsh advfirewall firewall add rule name=", cmd_read,
                                   r->name, " dir=in ");
    expect_token(end, " description=", cmd_read, r->description, "\n");
}

static void intune_back(const char *text, const dlo_rule *r)
{
    expect_token(text,
                 "_name\", \"simpleSettingValue\": {\"@odata.type\": "
                 "\"#microsoft.graph.deviceManagementConfigurationStringSettingValue\", "
                 "\"value\": ",
                 json_read, r->name, "}}");
}

static void omauri_back(const char *text, const dlo_rule *r)
{
    expect_token(text, "/Description\", \"value\": ", json_read, r->description, "}");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_plan plan;
    dlo_rule *r;
    const uint8_t *nul = memchr(data, 0, size);
    bool ok_utf8, ok_netsh;
    memset(&plan, 0, sizeof(plan));
    plan.release = "fuzz";
    r = dlo_rule_list_add(&plan.rules);
    if (!r)
        return 0;
    r->name = dlo_strndup((const char *)data, nul ? (size_t)(nul - data) : size);
    r->description = nul ? dlo_strndup((const char *)nul + 1, size - (size_t)(nul - data) - 1)
                         : dlo_strndup((const char *)data, size);
    r->direction = DLO_DIR_IN;
    r->protocol = DLO_PROTO_TCP;
    r->local_ports = dlo_strdup("443");
    if (!r->name || !r->description || !r->local_ports || strlen(r->description) > 2000) {
        dlo_plan_free(&plan);
        return 0;
    }
    ok_utf8 = valid_utf8(r->name) && valid_utf8(r->description);
    ok_netsh = ok_utf8 && netsh_can_carry(r->name) && netsh_can_carry(r->description) &&
               !dlo_str_equal_ci(r->name, "all");
    check(dlo_export_powershell, &plan, !ok_utf8, ps_back);
    check(dlo_export_netsh, &plan, !ok_netsh, netsh_back);
    check(dlo_export_intune, &plan, !ok_utf8 || strchr(r->name, '/'), intune_back);
    check(dlo_export_omauri, &plan, !ok_utf8 || strchr(r->name, '/'), omauri_back);
    dlo_plan_free(&plan);
    return 0;
}
