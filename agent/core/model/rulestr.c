/* Reading MS-GPFAS 2.2.2.19 rule strings into dlo_rule. The field rules are the format's (and
 * tests/fwdouble/fwrule.c's, which writes them): "v<major>.<minor>|" then "Key=Value|" fields;
 * Profile, the port and the address fields may repeat and add up. */
#include "dlo/rulestr.h"

#include "dlo/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A store token and how COM spells it. */
typedef struct keyword {
    const char *store;
    const char *com;
} keyword;

static const keyword port_keywords[] = {
    {"RPC", "RPC"},
    {"RPC-EPMap", "RPC-EPMap"},
    {"Teredo", "Teredo"},
    {"IPTLSIn", "IPHTTPS"},
    {"IPHTTPSIn", "IPHTTPS"},
    {"IPTLSOut", "IPHTTPS"},
    {"IPHTTPSOut", "IPHTTPS"},
    {"Ply2Disc", "Ply2Disc"},
    {"mDNS", "mDNS"},
    {"DHCP", "DHCP"},
    {"CortanaOut", "CortanaOut"},
    {"TcpCDPSvc", "TcpCDPSvc"},
};

static const keyword addr_keywords[] = {
    {"LocalSubnet", "LocalSubnet"},
    {"DNS", "DNS"},
    {"DHCP", "DHCP"},
    {"WINS", "WINS"},
    {"DefaultGateway", "DefaultGateway"},
    {"IntrAnet", "Intranet"},
    {"RmtIntrAnet", "RmtIntranet"},
    {"IntErnet", "Internet"},
    {"Ply2Renders", "Ply2Renders"},
    {"CaptivePortal", "CaptivePortal"},
};

/* Trust tuple keywords (MS-GPFAS 2.2.2.20), each with the field that first holds it. */
static const keyword trust_keywords[] = {
    {"TTK", "Proximity"},      {"TTK", "ProxSharing"},    {"TTK2_22", "WFDPrint"},
    {"TTK2_22", "WFDDisplay"}, {"TTK2_22", "WFDDevices"}, {"TTK2_27", "WFDKmDriver"},
    {"TTK2_27", "UPnP"},       {"TTK2_28", "WFDCDPSvc"},
};

static const char *find_keyword(const keyword *t, size_t n, const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (dlo_equals_ci(s, len, t[i].store))
            return t[i].com;
    return NULL;
}

static bool only_chars(const char *s, size_t n, const char *allowed)
{
    size_t i;
    if (!n)
        return false;
    for (i = 0; i < n; i++)
        if (!s[i] || !strchr(allowed, s[i]))
            return false;
    return true;
}

/* The comma-separated list holds s[0..n) as one item, exactly: a repeated field keeps every
 * value, and RPC is not taken for a part of RPC-EPMap. */
static bool list_has(const char *list, const char *s, size_t n)
{
    while (*list) {
        size_t len = strcspn(list, ",");
        if (len == n && memcmp(list, s, n) == 0)
            return true;
        list += len + (list[len] == ',');
    }
    return false;
}

/* Appends a token to a comma-separated list field, once. */
static dlo_status list_add(char **field, const char *s, size_t n)
{
    dlo_buf b;
    const char *old = dlo_str(*field);
    dlo_status st;
    if (strcmp(old, DLO_FW_ANY) == 0 || list_has(old, s, n))
        return DLO_OK;
    dlo_buf_init(&b);
    if (n == 1 && s[0] == '*') {
        dlo_buf_puts(&b, DLO_FW_ANY);
    } else {
        dlo_buf_puts(&b, old);
        if (*old)
            dlo_buf_putc(&b, ',');
        dlo_buf_append(&b, s, n);
    }
    st = dlo_buf_status(&b);
    if (!st) {
        free(*field);
        *field = b.data;
        return DLO_OK;
    }
    dlo_buf_free(&b);
    return st;
}

static dlo_status set_text(char **field, const char *s, size_t n)
{
    char *v = dlo_strndup(s, n);
    if (!v)
        return DLO_E_NOMEM;
    free(*field);
    *field = v;
    return DLO_OK;
}

typedef struct parse_state {
    dlo_rule *r;
    unsigned unreadable;
    bool profile_seen;
} parse_state;

static dlo_status ports_field(char **field, const char *v, size_t n, bool *bad)
{
    const char *kw =
        find_keyword(port_keywords, sizeof(port_keywords) / sizeof(*port_keywords), v, n);
    if (kw)
        return list_add(field, kw, strlen(kw));
    if (!only_chars(v, n, "0123456789-") && !(n == 1 && v[0] == '*')) {
        *bad = true;
        return DLO_OK;
    }
    return list_add(field, v, n);
}

static dlo_status addrs_field(char **field, const char *v, size_t n, bool *bad)
{
    const char *kw =
        find_keyword(addr_keywords, sizeof(addr_keywords) / sizeof(*addr_keywords), v, n);
    if (kw)
        return list_add(field, kw, strlen(kw));
    if (!only_chars(v, n, "0123456789abcdefABCDEF.:/-*")) {
        *bad = true;
        return DLO_OK;
    }
    return list_add(field, v, n);
}

static bool read_enum(const char *v, size_t n, const char *a, const char *b, int *out)
{
    if (dlo_equals_ci(v, n, a))
        *out = 1;
    else if (dlo_equals_ci(v, n, b))
        *out = 0;
    else
        return false;
    return true;
}

static bool read_protocol(const char *v, size_t n, int *out)
{
    size_t i;
    int p = 0;
    if (!n || n > 3)
        return false;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        p = p * 10 + (v[i] - '0');
    }
    if (p > 255)
        return false;
    *out = p;
    return true;
}

static bool read_profile(parse_state *ps, const char *v, size_t n)
{
    unsigned bit;
    if (dlo_equals_ci(v, n, "Domain"))
        bit = DLO_PROFILE_DOMAIN;
    else if (dlo_equals_ci(v, n, "Private"))
        bit = DLO_PROFILE_PRIVATE;
    else if (dlo_equals_ci(v, n, "Public"))
        bit = DLO_PROFILE_PUBLIC;
    else
        return false;
    ps->r->profiles = ps->profile_seen ? ps->r->profiles | bit : bit;
    ps->profile_seen = true;
    return true;
}

/* A decimal number of 1..digits digits, at most max, filling v[0..n). */
static bool read_small(const char *v, size_t n, size_t digits, unsigned max, unsigned *out)
{
    size_t i;
    unsigned x = 0;
    if (!n || n > digits)
        return false;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (unsigned)(v[i] - '0');
    }
    *out = x;
    return x <= max;
}

/* PLATFORM-VAL (MS-GPFAS 2.2.2.17): platform type <= 7, major and minor version <= 255. */
static bool platform_value(const char *v, size_t n)
{
    const char *c1 = memchr(v, ':', n), *c2;
    unsigned x;
    if (!c1)
        return false;
    c2 = memchr(c1 + 1, ':', n - (size_t)(c1 - v) - 1);
    return c2 && read_small(v, (size_t)(c1 - v), 3, 7, &x) &&
           read_small(c1 + 1, (size_t)(c2 - c1 - 1), 3, 255, &x) &&
           read_small(c2 + 1, n - (size_t)(c2 - v) - 1, 3, 255, &x);
}

/* Platform2=GTEQ marks the last Platform entry (MS-GPFAS 2.2.2.18); without one it says
 * nothing the reader can place. */
static bool platform_op(dlo_rule *r, const char *v, size_t n, dlo_status *st)
{
    size_t len = strlen(dlo_str(r->platforms));
    dlo_buf b;
    if (!dlo_equals(v, n, "GTEQ") || !len || r->platforms[len - 1] == '=')
        return false;
    dlo_buf_init(&b);
    dlo_buf_printf(&b, "%s>=", r->platforms);
    *st = dlo_buf_status(&b);
    if (!*st) {
        free(r->platforms);
        r->platforms = b.data;
    } else {
        dlo_buf_free(&b);
    }
    return true;
}

/* The fields of the rule string that INetFwRule does not show: package family, platform
 * validity, trust tuples. *read false: the key is one of them but its value did not read. */
static bool store_only_field(dlo_rule *r, const char *k, size_t nk, const char *v, size_t nv,
                             dlo_status *st, bool *read)
{
    size_t i;
    *read = true;
    if (dlo_equals(k, nk, "PFN")) {
        *st = set_text(&r->package_family, v, nv);
    } else if (dlo_equals(k, nk, "Platform")) {
        *read = platform_value(v, nv);
        if (*read)
            *st = list_add(&r->platforms, v, nv);
    } else if (dlo_equals(k, nk, "Platform2")) {
        *read = platform_op(r, v, nv, st);
    } else if (nk >= 3 && memcmp(k, "TTK", 3) == 0) {
        *read = false;
        for (i = 0; i < sizeof(trust_keywords) / sizeof(*trust_keywords); i++)
            if (dlo_equals(k, nk, trust_keywords[i].store) &&
                dlo_equals(v, nv, trust_keywords[i].com))
                *read = true;
        if (*read)
            *st = list_add(&r->trust_tuples, v, nv);
    } else {
        return false;
    }
    return true;
}

/* The row of dlo_props one of whose rule-string keys is k, or NULL. */
static const dlo_prop *prop_of_key(const char *k, size_t nk)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const char *key = dlo_props[i].keys;
        while (key && *key) {
            size_t n = strcspn(key, " ");
            if (n == nk && memcmp(k, key, n) == 0)
                return &dlo_props[i];
            key += n + (key[n] == ' ');
        }
    }
    return NULL;
}

/* The two numbers whose rule-string fields say more than one value: edge traversal (Edge=TRUE
 * allows it, Defer=App or User defers the choice: INetFwRule3's 1, 2 and 3) and IPsec, which
 * the model keeps as "some requirement" (any Security field), since the plan asks for none. */
static void read_number(dlo_rule *r, const dlo_prop *p, const char *k, size_t nk, const char *v,
                        size_t nv, bool *bad)
{
    int x = 0;
    if (p->bit == DLO_PROP_SECURE_FLAGS) {
        r->secure_flags = 1;
    } else if (dlo_equals(k, nk, "Edge")) {
        *bad = !read_enum(v, nv, "TRUE", "FALSE", &x);
        if (x && !r->edge_traversal)
            r->edge_traversal = 1;
    } else {
        *bad = !read_enum(v, nv, "App", "User", &x);
        r->edge_traversal = x ? 2 : 3;
    }
}

/* A property's field, read as its row's type says; *bad when the key is known but not the
 * value. */
static dlo_status read_prop(parse_state *ps, const dlo_prop *p, const char *k, size_t nk,
                            const char *v, size_t nv, bool *bad)
{
    dlo_rule *r = ps->r;
    char **text = (char **)((char *)r + p->offset);
    int x = 0;

    switch (p->type) {
    case DLO_PT_PORTS:
        return ports_field(text, v, nv, bad);
    case DLO_PT_ADDRS:
        return addrs_field(text, v, nv, bad);
    case DLO_PT_WORDS:
        return list_add(text, v, nv);
    case DLO_PT_TEXT:
    case DLO_PT_NAME:
        return set_text(text, v, nv);
    case DLO_PT_DIRECTION:
        *bad = !read_enum(v, nv, "In", "Out", &x);
        r->direction = x || *bad ? DLO_DIR_IN : DLO_DIR_OUT;
        break;
    case DLO_PT_PROTOCOL:
        *bad = !read_protocol(v, nv, &r->protocol);
        break;
    case DLO_PT_PROFILES:
        *bad = !read_profile(ps, v, nv);
        break;
    case DLO_PT_ACTION:
        /* ByPass lets authenticated traffic through even past Block rules: an Allow here. */
        *bad = !read_enum(v, nv, "Allow", "Block", &x) && !(x = dlo_equals_ci(v, nv, "ByPass"));
        r->action = x ? DLO_ACTION_ALLOW : DLO_ACTION_BLOCK;
        break;
    case DLO_PT_FLAG:
        *bad = !read_enum(v, nv, "TRUE", "FALSE", &x);
        dlo_prop_set_number(r, p, x);
        break;
    case DLO_PT_NUMBER:
        read_number(r, p, k, nk, v, nv, bad);
        break;
    }
    return DLO_OK;
}

/* The fields that are no property: the rule's name and group. */
static bool named_field(dlo_rule *r, const char *k, size_t nk, const char *v, size_t nv,
                        dlo_status *st)
{
    if (dlo_equals(k, nk, "Name"))
        *st = set_text(&r->name, v, nv);
    else if (dlo_equals(k, nk, "EmbedCtxt"))
        *st = set_text(&r->grouping, v, nv);
    else
        return false;
    return true;
}

/* A field the reader does not model, or whose value did not read, stays on the rule as it was
 * written, so that judging the rule can name it (dlo/match.h). */
static dlo_status keep_field(parse_state *ps, const char *f, size_t n)
{
    const char *old = dlo_str(ps->r->other_fields);
    dlo_buf b;
    dlo_buf_init(&b);
    dlo_buf_printf(&b, "%s%s%.*s", old, *old ? "|" : "", (int)n, f);
    if (dlo_buf_status(&b)) {
        dlo_buf_free(&b);
        return DLO_E_NOMEM;
    }
    free(ps->r->other_fields);
    ps->r->other_fields = b.data;
    return DLO_OK;
}

static dlo_status one_field(parse_state *ps, const char *f, size_t n)
{
    const char *eq = memchr(f, '=', n);
    size_t nk, nv;
    const dlo_prop *prop;
    unsigned bit = 0;
    bool bad = false, known;
    dlo_status st;
    if (!eq || eq == f)
        return keep_field(ps, f, n);
    nk = (size_t)(eq - f);
    nv = n - nk - 1;
    prop = prop_of_key(f, nk);
    st = DLO_OK;
    if (prop) {
        bit = prop->bit;
        st = read_prop(ps, prop, f, nk, eq + 1, nv, &bad);
    }
    known = prop || named_field(ps->r, f, nk, eq + 1, nv, &st);
    if (!known && !st) {
        bool read;
        known = store_only_field(ps->r, f, nk, eq + 1, nv, &st, &read);
        if (known && !read && !st)
            return keep_field(ps, f, n);
    }
    if (st)
        return st;
    if (!known)
        return keep_field(ps, f, n);
    if (bad) {
        ps->unreadable |= bit;
        return keep_field(ps, f, n);
    }
    return DLO_OK;
}

/* Where the fields start: after the "v2.30|" the text begins with, which says nothing the
 * fields do not. */
static size_t after_version(const char *text, size_t len)
{
    const char *bar = memchr(text, '|', len);
    return len && text[0] == 'v' && bar ? (size_t)(bar - text) + 1 : 0;
}

dlo_status dlo_rulestr_parse(const char *text, size_t len, dlo_rule *out)
{
    parse_state ps;
    size_t at = after_version(text, len);
    dlo_status st = DLO_OK;

    memset(&ps, 0, sizeof(ps));
    ps.r = out;
    out->enabled = false;
    out->direction = DLO_DIR_IN;
    out->protocol = DLO_PROTO_ANY;
    out->profiles = DLO_PROFILE_ALL;
    out->action = DLO_ACTION_ALLOW;
    while (!st && at < len) {
        const char *f = text + at, *bar = memchr(f, '|', len - at);
        size_t n = bar ? (size_t)(bar - f) : len - at;
        if (n)
            st = one_field(&ps, f, n);
        at += n + 1;
    }
    out->unreadable = ps.unreadable;
    return st;
}
