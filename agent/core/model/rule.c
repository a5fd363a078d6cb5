#include "dlo/rule.h"

#include "dlo/addr.h"
#include "dlo/portset.h"
#include "dlo/str.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string fields of dlo_rule that are not properties (those are in dlo_props), so free and
 * copy cannot forget one. */
#define RULE_STRINGS(X)                                                                            \
    X(name)                                                                                        \
    X(grouping)                                                                                    \
    X(rows)                                                                                        \
    X(origin)                                                                                      \
    X(binding)                                                                                     \
    X(served_service)                                                                              \
    X(package_family)                                                                              \
    X(platforms)                                                                                   \
    X(trust_tuples)                                                                                \
    X(other_fields)

#define FIELD(f) offsetof(dlo_rule, f)

/* Reports show unset ports as "" (the plan's JSON says a side with no ports is ""), unset
 * addresses as "*" (Windows' own read-back). The rows from edge_traversal on are at their
 * defaults in every plan and have no place in the plan's JSON. The keys are MS-GPFAS 2.2.2's,
 * with the spellings Windows writes (RMauth beside RMAuth). */
const dlo_prop dlo_props[DLO_PROP_COUNT] = {
    {DLO_PROP_DESCRIPTION, "description", DLO_PT_TEXT, FIELD(description), "", 0,
     DLO_PROP_JSON_TAIL, DLO_SCOPE_NONE, "Desc"},
    {DLO_PROP_DIRECTION, "direction", DLO_PT_DIRECTION, FIELD(direction), NULL, DLO_DIR_IN, 1,
     DLO_SCOPE_EXACT, "Dir"},
    {DLO_PROP_PROTOCOL, "protocol", DLO_PT_PROTOCOL, FIELD(protocol), NULL, DLO_PROTO_ANY, 2,
     DLO_SCOPE_EXACT, "Protocol"},
    {DLO_PROP_PROFILES, "profiles", DLO_PT_PROFILES, FIELD(profiles), NULL, DLO_PROFILE_ALL, 6,
     DLO_SCOPE_BITS, "Profile"},
    {DLO_PROP_ACTION, "action", DLO_PT_ACTION, FIELD(action), NULL, DLO_ACTION_ALLOW, 7,
     DLO_SCOPE_ZERO_NARROW, "Action"},
    {DLO_PROP_ENABLED, "enabled", DLO_PT_FLAG, FIELD(enabled), NULL, 1, 8, DLO_SCOPE_ZERO_NARROW,
     "Active"},
    {DLO_PROP_LOCAL_PORTS, "local_ports", DLO_PT_PORTS, FIELD(local_ports), "", 0, 3, DLO_SCOPE_SET,
     "LPort LPort2_10 LPort2_20 LPort2_24"},
    {DLO_PROP_REMOTE_PORTS, "remote_ports", DLO_PT_PORTS, FIELD(remote_ports), "", 0, 4,
     DLO_SCOPE_SET, "RPort RPort2_10"},
    {DLO_PROP_LOCAL_ADDRESSES, "local_addresses", DLO_PT_ADDRS, FIELD(local_addresses), "*", 0, 0,
     DLO_SCOPE_SET, "LA4 LA6"},
    {DLO_PROP_REMOTE_ADDRESSES, "remote_addresses", DLO_PT_ADDRS, FIELD(remote_addresses), "*", 0,
     5, DLO_SCOPE_SET, "RA4 RA6 RA42 RA62"},
    {DLO_PROP_APPLICATION, "application", DLO_PT_NAME, FIELD(application), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "App"},
    {DLO_PROP_SERVICE, "service", DLO_PT_NAME, FIELD(service), "", 0, 0, DLO_SCOPE_UNSET_WIDE,
     "Svc"},
    {DLO_PROP_EDGE_TRAVERSAL, "edge_traversal", DLO_PT_NUMBER, FIELD(edge_traversal), NULL, 0, 0,
     DLO_SCOPE_ZERO_NARROW, "Edge Defer"},
    {DLO_PROP_INTERFACE_TYPES, "interface_types", DLO_PT_WORDS, FIELD(interface_types), "All", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "IFType"},
    {DLO_PROP_INTERFACES, "interfaces", DLO_PT_WORDS, FIELD(interfaces), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "IF"},
    {DLO_PROP_ICMP_TYPES, "icmp_types", DLO_PT_WORDS, FIELD(icmp_types), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "ICMP4 ICMP6"},
    {DLO_PROP_APP_PACKAGE_ID, "app_package_id", DLO_PT_NAME, FIELD(app_package_id), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "AppPkgId"},
    {DLO_PROP_LOCAL_USER_OWNER, "local_user_owner", DLO_PT_NAME, FIELD(local_user_owner), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "LUOwn"},
    {DLO_PROP_LOCAL_USERS, "local_users", DLO_PT_TEXT, FIELD(local_users), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "LUAuth"},
    {DLO_PROP_REMOTE_USERS, "remote_users", DLO_PT_TEXT, FIELD(remote_users), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "RUAuth"},
    {DLO_PROP_REMOTE_MACHINES, "remote_machines", DLO_PT_TEXT, FIELD(remote_machines), "", 0, 0,
     DLO_SCOPE_UNSET_WIDE, "RMAuth RMauth"},
    {DLO_PROP_SECURE_FLAGS, "secure_flags", DLO_PT_NUMBER, FIELD(secure_flags), NULL, 0, 0,
     DLO_SCOPE_UNSET_WIDE, "Security Security2_9 Security2"},
};

static bool is_text(const dlo_prop *p)
{
    return p->type == DLO_PT_TEXT || p->type == DLO_PT_NAME || p->type == DLO_PT_PORTS ||
           p->type == DLO_PT_ADDRS || p->type == DLO_PT_WORDS;
}

const dlo_prop *dlo_prop_find(unsigned bit)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (dlo_props[i].bit == bit)
            return &dlo_props[i];
    return NULL;
}

const char *dlo_prop_text(const dlo_rule *r, const dlo_prop *p)
{
    return *(char *const *)((const char *)r + p->offset);
}

dlo_status dlo_prop_set_text(dlo_rule *r, const dlo_prop *p, const char *value)
{
    return dlo_rule_set((char **)((char *)r + p->offset), value);
}

long dlo_prop_number(const dlo_rule *r, const dlo_prop *p)
{
    const char *f = (const char *)r + p->offset;
    switch (p->type) {
    case DLO_PT_DIRECTION:
        return (long)*(const dlo_direction *)f;
    case DLO_PT_PROTOCOL:
        return (long)*(const int *)f;
    case DLO_PT_PROFILES:
        return (long)*(const unsigned *)f;
    case DLO_PT_ACTION:
        return (long)*(const dlo_action *)f;
    case DLO_PT_FLAG:
        return *(const bool *)f ? 1 : 0;
    case DLO_PT_NUMBER:
        return (long)*(const int *)f;
    default:
        return 0;
    }
}

void dlo_prop_set_number(dlo_rule *r, const dlo_prop *p, long value)
{
    char *f = (char *)r + p->offset;
    switch (p->type) {
    case DLO_PT_DIRECTION:
        *(dlo_direction *)f = value == DLO_DIR_OUT ? DLO_DIR_OUT : DLO_DIR_IN;
        break;
    case DLO_PT_PROTOCOL:
        *(int *)f = (int)value;
        break;
    case DLO_PT_PROFILES:
        *(unsigned *)f = (unsigned)value;
        break;
    case DLO_PT_ACTION:
        *(dlo_action *)f = value == DLO_ACTION_BLOCK ? DLO_ACTION_BLOCK : DLO_ACTION_ALLOW;
        break;
    case DLO_PT_FLAG:
        *(bool *)f = value != 0;
        break;
    case DLO_PT_NUMBER:
        *(int *)f = (int)value;
        break;
    default:
        break;
    }
}

dlo_status dlo_prop_copy(dlo_rule *dst, const dlo_rule *src, const dlo_prop *p)
{
    if (is_text(p))
        return dlo_prop_set_text(dst, p, dlo_prop_text(src, p));
    dlo_prop_set_number(dst, p, dlo_prop_number(src, p));
    return DLO_OK;
}

/* NET_FW_PROFILE2_ALL is 0x7FFFFFFF: every bit, of which the three profiles matter. */
static long norm_number(const dlo_prop *p, long v)
{
    return p->type == DLO_PT_PROFILES ? (long)((unsigned long)v & DLO_PROFILE_ALL) : v;
}

/* The next word of a comma-separated list at *s, blanks trimmed; false at the end. */
static bool next_word(const char **s, const char **w, size_t *n)
{
    while (**s) {
        size_t len = strcspn(*s, ",");
        *w = *s;
        *n = len;
        *s += len + ((*s)[len] == ',');
        dlo_trim(w, n);
        if (*n)
            return true;
    }
    return false;
}

static bool same_word(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i;
    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (dlo_ascii_lower(a[i]) != dlo_ascii_lower(b[i]))
            return false;
    return true;
}

static bool has_word(const char *list, const char *w, size_t n)
{
    const char *x;
    size_t xn;
    while (next_word(&list, &x, &xn))
        if (same_word(x, xn, w, n))
            return true;
    return false;
}

/* Every word of a is in b. Lists are a few words: quadratic is fine, and simpler than sorting. */
static bool words_within(const char *a, const char *b)
{
    const char *w;
    size_t n;
    while (next_word(&a, &w, &n))
        if (!has_word(b, w, n))
            return false;
    return true;
}

/* The row's `any` ("All") reads as unset. */
static const char *words_norm(const dlo_prop *p, const char *s)
{
    const char *w = s;
    size_t n = strlen(s);
    dlo_trim(&w, &n);
    return p->any && *p->any && dlo_equals_ci(w, n, p->any) ? "" : s;
}

static bool words_equal(const dlo_prop *p, const char *a, const char *b)
{
    a = words_norm(p, a);
    b = words_norm(p, b);
    return words_within(a, b) && words_within(b, a);
}

/* A rule whose binding the plan leaves as it stands (dlo_rule.keep_binding). */
static bool binding_left(const dlo_prop *p, const dlo_rule *r)
{
    return r->keep_binding && (p->bit & (DLO_PROP_APPLICATION | DLO_PROP_SERVICE));
}

bool dlo_prop_equal(const dlo_prop *p, const dlo_rule *want, const dlo_rule *have)
{
    const char *w, *h;
    if (binding_left(p, want) || binding_left(p, have))
        return true;
    if (!is_text(p))
        return norm_number(p, dlo_prop_number(want, p)) == norm_number(p, dlo_prop_number(have, p));
    w = dlo_str(dlo_prop_text(want, p));
    h = dlo_str(dlo_prop_text(have, p));
    switch (p->type) {
    case DLO_PT_PORTS:
        return dlo_ports_same(w, h);
    case DLO_PT_ADDRS:
        return dlo_addr_same(w, h);
    case DLO_PT_NAME:
        return dlo_str_equal_ci(w, h);
    case DLO_PT_WORDS:
        return words_equal(p, w, h);
    default:
        return strcmp(w, h) == 0;
    }
}

/* ---- narrower and wider ---- */

bool dlo_list_is_any(const char *s)
{
    const char *w = s;
    size_t n;
    if (!s)
        return true;
    n = strlen(s);
    dlo_trim(&w, &n);
    return n == 0 || dlo_equals(w, n, DLO_FW_ANY) || dlo_equals_ci(w, n, "any");
}

/* a and b's ports or addresses together, into out (empty: any). False when either does not
 * parse or the result would be too long to write. */
static bool set_union(const dlo_prop *p, const char *a, const char *b, dlo_buf *out)
{
    dlo_buf_reset(out);
    if (dlo_list_is_any(a) || dlo_list_is_any(b))
        return true;
    if (p->type == DLO_PT_PORTS) {
        dlo_portset sa, sb;
        bool ok = false;
        if (dlo_portset_parse(a, DLO_PORTS_FIREWALL, &sa, NULL))
            return false;
        if (!dlo_portset_parse(b, DLO_PORTS_FIREWALL, &sb, NULL)) {
            ok = !dlo_portset_add(&sa, &sb, NULL);
            if (ok)
                dlo_portset_format(out, &sa);
            dlo_portset_free(&sb);
        }
        dlo_portset_free(&sa);
        return ok && !dlo_buf_status(out);
    } else {
        const char *both[2] = {a, b};
        return !dlo_addr_normalize(both, 2, DLO_OS_BUILD_UNKNOWN, out, NULL);
    }
}

static bool set_parses(const dlo_prop *p, const char *s)
{
    return p->type == DLO_PT_PORTS ? dlo_ports_same(s, s) : dlo_addr_same(s, s);
}

/* What does not parse is taken to let everything through: within it is anything, and it is
 * within nothing. */
static bool set_within(const dlo_prop *p, const char *inner, const char *outer)
{
    dlo_buf u;
    bool within;
    if (dlo_list_is_any(outer) || !set_parses(p, outer))
        return true;
    if (dlo_list_is_any(inner))
        return false;
    dlo_buf_init(&u);
    within = set_union(p, inner, outer, &u) &&
             (p->type == DLO_PT_PORTS ? dlo_ports_same(dlo_buf_str(&u), outer)
                                      : dlo_addr_same(dlo_buf_str(&u), outer));
    dlo_buf_free(&u);
    return within;
}

static bool unset_value(const dlo_prop *p, const dlo_rule *r)
{
    if (!is_text(p))
        return dlo_prop_number(r, p) == 0;
    return *(p->type == DLO_PT_WORDS ? words_norm(p, dlo_str(dlo_prop_text(r, p)))
                                     : dlo_str(dlo_prop_text(r, p))) == '\0';
}

bool dlo_prop_within(const dlo_prop *p, const dlo_rule *inner, const dlo_rule *outer)
{
    if (dlo_prop_equal(p, inner, outer))
        return true;
    switch (p->scope) {
    case DLO_SCOPE_NONE:
        return true;
    case DLO_SCOPE_SET:
        return set_within(p, dlo_str(dlo_prop_text(inner, p)), dlo_str(dlo_prop_text(outer, p)));
    case DLO_SCOPE_BITS:
        return (norm_number(p, dlo_prop_number(inner, p)) &
                ~norm_number(p, dlo_prop_number(outer, p))) == 0;
    case DLO_SCOPE_ZERO_NARROW:
        return dlo_prop_number(inner, p) == 0;
    case DLO_SCOPE_UNSET_WIDE:
        return unset_value(p, outer);
    default:
        return false;
    }
}

dlo_status dlo_prop_union(dlo_rule *dst, const dlo_rule *a, const dlo_rule *b, const dlo_prop *p)
{
    dlo_buf u;
    dlo_status st;
    if (p->type == DLO_PT_PROFILES) {
        dlo_prop_set_number(dst, p, dlo_prop_number(a, p) | dlo_prop_number(b, p));
        return DLO_OK;
    }
    if (p->type == DLO_PT_NAME)
        return dlo_prop_set_text(
            dst, p, unset_value(p, b) && !binding_left(p, b) ? NULL : dlo_prop_text(a, p));
    if (p->type != DLO_PT_PORTS && p->type != DLO_PT_ADDRS)
        return dlo_prop_copy(dst, a, p);
    dlo_buf_init(&u);
    if (set_union(p, dlo_str(dlo_prop_text(a, p)), dlo_str(dlo_prop_text(b, p)), &u))
        st = dlo_prop_set_text(dst, p, u.len ? dlo_buf_str(&u) : NULL);
    else
        st = dlo_prop_copy(dst, a, p);
    dlo_buf_free(&u);
    return st;
}

void dlo_prop_format(dlo_buf *b, const dlo_prop *p, const dlo_rule *r)
{
    long v = norm_number(p, dlo_prop_number(r, p));
    switch (p->type) {
    case DLO_PT_DIRECTION:
        dlo_buf_puts(b, dlo_direction_name((dlo_direction)v));
        break;
    case DLO_PT_PROTOCOL:
        dlo_buf_puts(b, dlo_protocol_name((int)v));
        break;
    case DLO_PT_PROFILES:
        dlo_profiles_text(b, (unsigned)v);
        break;
    case DLO_PT_ACTION:
        dlo_buf_puts(b, v == DLO_ACTION_ALLOW ? "allow" : "block");
        break;
    case DLO_PT_FLAG:
        dlo_buf_puts(b, v ? "true" : "false");
        break;
    case DLO_PT_NUMBER:
        dlo_buf_printf(b, "%ld", v);
        break;
    default: {
        const char *t = dlo_prop_text(r, p);
        dlo_buf_puts(b, t && *t ? t : p->any);
        break;
    }
    }
}

void dlo_prop_json(dlo_buf *b, const dlo_prop *p, const dlo_rule *r)
{
    dlo_buf text;
    if (p->type == DLO_PT_FLAG || p->type == DLO_PT_NUMBER) {
        dlo_prop_format(b, p, r);
        return;
    }
    if (p->type == DLO_PT_PROFILES) {
        dlo_buf_putc(b, '[');
        dlo_profiles_json(b, (unsigned)dlo_prop_number(r, p));
        dlo_buf_putc(b, ']');
        return;
    }
    dlo_buf_init(&text);
    dlo_prop_format(&text, p, r);
    dlo_buf_json_str(b, dlo_buf_str(&text));
    if (dlo_buf_status(&text))
        b->failed = true;
    dlo_buf_free(&text);
}

void dlo_rule_init(dlo_rule *r)
{
    size_t i;
    memset(r, 0, sizeof(*r));
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (!is_text(&dlo_props[i]))
            dlo_prop_set_number(r, &dlo_props[i], dlo_props[i].def);
}

void dlo_rule_free(dlo_rule *r)
{
    size_t i;
#define FREE_FIELD(f) free(r->f);
    RULE_STRINGS(FREE_FIELD)
#undef FREE_FIELD
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (is_text(&dlo_props[i]))
            free(*(char **)((char *)r + dlo_props[i].offset));
    dlo_rule_init(r);
}

dlo_status dlo_rule_set(char **field, const char *value)
{
    char *copy = NULL;
    if (value) {
        size_t n = strlen(value) + 1;
        copy = malloc(n);
        if (!copy)
            return DLO_E_NOMEM;
        memcpy(copy, value, n);
    }
    free(*field);
    *field = copy;
    return DLO_OK;
}

dlo_status dlo_rule_copy(dlo_rule *dst, const dlo_rule *src)
{
    size_t i;
    dlo_rule_init(dst);
    dst->local_roles = src->local_roles;
    dst->peers = src->peers;
    dst->served_by = src->served_by;
    dst->keep_binding = src->keep_binding;
#define COPY_FIELD(f)                                                                              \
    if (dlo_rule_set(&dst->f, src->f))                                                             \
        goto fail;
    RULE_STRINGS(COPY_FIELD)
#undef COPY_FIELD
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (dlo_prop_copy(dst, src, &dlo_props[i]))
            goto fail;
    return DLO_OK;
fail:
    dlo_rule_free(dst);
    return DLO_E_NOMEM;
}

void dlo_rule_list_init(dlo_rule_list *l)
{
    memset(l, 0, sizeof(*l));
}

void dlo_rule_list_free(dlo_rule_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        dlo_rule_free(&l->items[i]);
    free(l->items);
    dlo_rule_list_init(l);
}

dlo_rule *dlo_rule_list_add(dlo_rule_list *l)
{
    dlo_rule *r, *items = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*items));
    if (!items)
        return NULL;
    l->items = items;
    r = &l->items[l->count++];
    dlo_rule_init(r);
    return r;
}

const char *dlo_direction_name(dlo_direction d)
{
    return d == DLO_DIR_OUT ? "out" : "in";
}

const char *dlo_protocol_name(int proto)
{
    switch (proto) {
    case DLO_PROTO_TCP:
        return "tcp";
    case DLO_PROTO_UDP:
        return "udp";
    case DLO_PROTO_ANY:
        return "any";
    default:
        return "other";
    }
}

static const struct {
    unsigned bit;
    const char *json;
    const char *text;
} profile_names[] = {
    {DLO_PROFILE_DOMAIN, "domain", "Domain"},
    {DLO_PROFILE_PRIVATE, "private", "Private"},
    {DLO_PROFILE_PUBLIC, "public", "Public"},
};

/* The names of the profiles in Windows' order, each in quotes or not, between sep. */
static void profiles_join(dlo_buf *b, unsigned profiles, bool quoted, const char *sep)
{
    size_t i;
    bool first = true;
    for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++) {
        if (profiles & profile_names[i].bit) {
            dlo_buf_printf(b, quoted ? "%s\"%s\"" : "%s%s", first ? "" : sep,
                           profile_names[i].json);
            first = false;
        }
    }
}

unsigned dlo_bit_count(unsigned mask)
{
    unsigned n = 0;
    for (; mask; mask &= mask - 1)
        n++;
    return n;
}

void dlo_profiles_json(dlo_buf *b, unsigned profiles)
{
    profiles_join(b, profiles, true, ", ");
}

void dlo_profiles_value(dlo_buf *b, unsigned profiles)
{
    profiles_join(b, profiles, false, ",");
}

bool dlo_profiles_parse(const char *s, size_t n, unsigned *out, const char **bad, size_t *bad_len)
{
    size_t i = 0;

    *out = 0;
    while (i <= n) {
        size_t j = i, k, len;
        const char *item = s + i;
        bool found = false;
        while (j < n && s[j] != ',')
            j++;
        len = j - i;
        dlo_trim(&item, &len);
        for (k = 0; k < sizeof(profile_names) / sizeof(profile_names[0]); k++) {
            if (dlo_equals_ci(item, len, profile_names[k].json)) {
                *out |= profile_names[k].bit;
                found = true;
            }
        }
        if (!found) {
            *bad = item;
            *bad_len = len;
            return false;
        }
        i = j + 1;
    }
    return true;
}

void dlo_profiles_text(dlo_buf *b, unsigned profiles)
{
    size_t i;
    bool first = true;
    if ((profiles & DLO_PROFILE_ALL) == DLO_PROFILE_ALL) {
        dlo_buf_puts(b, "All");
        return;
    }
    for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++) {
        if (profiles & profile_names[i].bit) {
            dlo_buf_printf(b, "%s%s", first ? "" : ",", profile_names[i].text);
            first = false;
        }
    }
}
