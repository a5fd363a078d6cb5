#include "dlo/names.h"

#include "dlo/addr.h"
#include "dlo/hostname.h"
#include "dlo/log.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dlo_names_init(dlo_names *n)
{
    memset(n, 0, sizeof(*n));
}

void dlo_names_free(dlo_names *n)
{
    size_t i;
    int r;
    for (i = 0; i < n->count; i++) {
        free(n->items[i].name);
        free(n->items[i].addresses);
    }
    free(n->items);
    for (r = 0; r < DLO_ROLE_COUNT; r++)
        free(n->scopes[r]);
    dlo_names_init(n);
}

const char *dlo_name_state_name(dlo_name_state s)
{
    switch (s) {
    case DLO_NAME_RESOLVED:
        return "resolved";
    case DLO_NAME_KEPT:
        return "kept";
    case DLO_NAME_FAILED:
        return "failed";
    case DLO_NAME_REFUSED:
        return "refused";
    }
    return "?";
}

/* An entry of a scope as dlo_config holds it is a name when it checks as one: the normal form
 * holds no other token that does (keywords are single labels, addresses end in digits). */
void dlo_names_each(const char *scope, void (*each)(void *ctx, const char *name, size_t n),
                    void *ctx)
{
    char why[8];
    const char *p = scope;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        if (!dlo_hostname_check(p, n, why, sizeof(why)))
            each(ctx, p, n);
        p += n + (p[n] == ',');
    }
}

static void count_one(void *ctx, const char *name, size_t n)
{
    (void)name;
    (void)n;
    (*(size_t *)ctx)++;
}

size_t dlo_names_in_scope(const char *scope)
{
    size_t n = 0;
    dlo_names_each(scope, count_one, &n);
    return n;
}

bool dlo_names_configured(const dlo_config *cfg)
{
    size_t n = 0;
    int r;
    for (r = 0; r < DLO_ROLE_COUNT; r++)
        dlo_names_each(cfg->scopes[r], count_one, &n);
    return n > 0;
}

/* ---- collecting the names ---- */

typedef struct collect {
    dlo_names *out;
    int role;
    dlo_status st;
} collect;

static void collect_one(void *ctx, const char *name, size_t n)
{
    collect *c = ctx;
    dlo_names *out = c->out;
    dlo_name *items;
    size_t i;
    for (i = 0; i < out->count; i++)
        if (strlen(out->items[i].name) == n && memcmp(out->items[i].name, name, n) == 0) {
            out->items[i].roles |= DLO_ROLE_BIT(c->role);
            return;
        }
    items = dlo_array_grow(out->items, &out->cap, out->count, sizeof(*items));
    if (!items) {
        c->st = DLO_E_NOMEM;
        return;
    }
    out->items = items;
    memset(&items[out->count], 0, sizeof(items[0]));
    items[out->count].name = dlo_strndup(name, n);
    items[out->count].roles = DLO_ROLE_BIT(c->role);
    if (!items[out->count].name)
        c->st = DLO_E_NOMEM;
    out->count++;
}

/* ---- one name ---- */

static int ip_order(const void *a, const void *b)
{
    const dlo_resolved_ip *x = a, *y = b;
    if (x->family != y->family)
        return x->family - y->family;
    return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* An address a resolver may give that names this machine or no machine: a peer's name that
 * gives one is the hosts file or a DNS sinkhole speaking, not the peer. Typed, 127.0.0.1 is
 * accepted (what Windows does with it is not documented, README "Configuration"); resolved, it
 * can only be a mistake. */
static const char *self_address(const dlo_resolved_ip *ip)
{
    static const unsigned char zero[16], mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const unsigned char *v4 = ip->family == 4 ? ip->addr : NULL;
    if (ip->family == 6 && memcmp(ip->addr, mapped, sizeof(mapped)) == 0)
        v4 = ip->addr + 12;
    if (v4 && v4[0] == 127)
        return "an IPv4 loopback address: the name points at this machine";
    if (v4 && v4[0] == 0)
        return "an address of 0.0.0.0/8, which no peer has (a DNS sinkhole's answer)";
    if (ip->family == 6 && memcmp(ip->addr, zero, 15) == 0 && ip->addr[15] <= 1)
        return ip->addr[15] ? "the IPv6 loopback address: the name points at this machine"
                            : "the IPv6 unspecified address";
    return NULL;
}

/* The addresses of a name into its normal form, each through the checks of a typed one. */
static dlo_status name_addresses(dlo_name *nm, dlo_resolved_ip *ips, size_t n)
{
    dlo_buf text, normal;
    dlo_error e;
    const char *list;
    size_t i;
    dlo_status st = DLO_OK;

    qsort(ips, n, sizeof(*ips), ip_order);
    dlo_buf_init(&text);
    dlo_buf_init(&normal);
    for (i = 0; i < n && !st; i++) {
        const char *self = self_address(&ips[i]);
        size_t at;
        if (i)
            dlo_buf_putc(&text, ',');
        at = text.len;
        dlo_addr_format(&text, ips[i].family, ips[i].addr);
        if (self) {
            snprintf(nm->why, sizeof(nm->why), "it resolves to %s, %s", dlo_buf_str(&text) + at,
                     self);
            st = DLO_E_CONFIG;
        }
    }
    list = dlo_buf_str(&text);
    dlo_error_clear(&e);
    if (!st && (st = dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, &normal, &e)) != DLO_OK)
        snprintf(nm->why, sizeof(nm->why), "it resolves to %s", e.msg);
    if (!st && !(nm->addresses = dlo_strdup(dlo_buf_str(&normal))))
        st = DLO_E_NOMEM;
    if (st == DLO_E_CONFIG)
        nm->state = DLO_NAME_REFUSED;
    dlo_buf_free(&text);
    dlo_buf_free(&normal);
    return st == DLO_E_CONFIG ? DLO_OK : st;
}

/* The last known addresses of a name, or NULL. */
static char *known_addresses(const dlo_registry *known, const char *name)
{
    dlo_reg_value v;
    char *s = NULL;
    dlo_reg_value_init(&v);
    if (known &&
        dlo_registry_read(known, DLO_REG_VIEW_64, DLO_CONFIG_KEY_NAMES, name, &v, NULL) == DLO_OK &&
        v.type == DLO_REG_SZ && v.text && dlo_addr_coverage(v.text) == 0) {
        dlo_buf b;
        const char *list = v.text;
        dlo_buf_init(&b);
        /* What is read back is checked again: a value that is no longer a valid list is none. */
        if (dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, &b, NULL) == DLO_OK)
            s = dlo_strdup(dlo_buf_str(&b));
        dlo_buf_free(&b);
    }
    dlo_reg_value_free(&v);
    return s;
}

typedef struct pass {
    const dlo_resolver *res;
    const dlo_registry *known;
    unsigned long long start;
} pass;

/* Time left of the pass's bound, in ms; 0 when it is spent. */
static unsigned time_left(const pass *p)
{
    unsigned long long used;
    if (!p->res || !p->res->now_ms)
        return DLO_NAMES_NAME_TIMEOUT_MS;
    used = p->res->now_ms(p->res->ctx) - p->start;
    return used >= DLO_NAMES_PASS_TIMEOUT_MS ? 0 : (unsigned)(DLO_NAMES_PASS_TIMEOUT_MS - used);
}

/* Resolves one name; a name that does not resolve now keeps what was known, or fails. */
static dlo_status resolve_one(const pass *p, dlo_name *nm)
{
    dlo_resolved_ip ips[DLO_NAMES_MAX_ADDRS];
    size_t n = 0;
    unsigned left = time_left(p), ttl = 0;
    dlo_error e;
    dlo_status st;

    dlo_error_clear(&e);
    if (!p->res || !p->res->resolve)
        st = dlo_error_set(&e, DLO_E_IO, "this build cannot resolve names");
    else if (left == 0)
        st = dlo_error_set(&e, DLO_E_IO, "the pass's %u s for resolving names were spent",
                           DLO_NAMES_PASS_TIMEOUT_MS / 1000);
    else
        st = p->res->resolve(p->res->ctx, nm->name,
                             left < DLO_NAMES_NAME_TIMEOUT_MS ? left : DLO_NAMES_NAME_TIMEOUT_MS,
                             ips, DLO_NAMES_MAX_ADDRS, &n, &ttl, &e);
    if (st == DLO_E_NOMEM)
        return st;
    if (!st && n == 0)
        st = dlo_error_set(&e, DLO_E_NOTFOUND, "no address");
    if (!st) {
        nm->state = DLO_NAME_RESOLVED;
        nm->ttl_seconds = ttl;
        return name_addresses(nm, ips, n);
    }
    nm->addresses = known_addresses(p->known, nm->name);
    nm->state = nm->addresses ? DLO_NAME_KEPT : DLO_NAME_FAILED;
    snprintf(nm->why, sizeof(nm->why), "%s", e.msg[0] ? e.msg : dlo_status_name(st));
    return DLO_OK;
}

/* ---- the scopes ---- */

typedef struct rebuild {
    const dlo_names *names;
    dlo_buf *text;
} rebuild;

static void add_named(void *ctx, const char *name, size_t n)
{
    rebuild *rb = ctx;
    size_t i;
    for (i = 0; i < rb->names->count; i++) {
        const dlo_name *nm = &rb->names->items[i];
        if (strlen(nm->name) == n && memcmp(nm->name, name, n) == 0 && nm->addresses)
            dlo_buf_printf(rb->text, "%s%s", rb->text->len ? "," : "", nm->addresses);
    }
}

/* The scope of role r with its names replaced by their addresses (all of them usable). */
static dlo_status rebuild_scope(dlo_names *out, const char *scope, int r)
{
    char why[8];
    dlo_buf text, normal;
    rebuild rb = {out, &text};
    const char *p = scope, *list;
    dlo_status st;

    dlo_buf_init(&text);
    dlo_buf_init(&normal);
    while (*p) {
        size_t n = strcspn(p, ",");
        if (dlo_hostname_check(p, n, why, sizeof(why)))
            dlo_buf_printf(&text, "%s%.*s", text.len ? "," : "", (int)n, p);
        p += n + (p[n] == ',');
    }
    dlo_names_each(scope, add_named, &rb);
    list = dlo_buf_str(&text);
    st = dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, &normal, NULL);
    if (!st && !(out->scopes[r] = dlo_strdup(dlo_buf_str(&normal))))
        st = DLO_E_NOMEM;
    dlo_buf_free(&text);
    dlo_buf_free(&normal);
    return st == DLO_E_NOMEM ? st : st ? DLO_E_INTERNAL : DLO_OK;
}

/* The lowest role of a set (a set is never empty here). */
static int first_role(dlo_role_set set)
{
    int r = 0;
    while (r < DLO_ROLE_COUNT - 1 && !(set & DLO_ROLE_BIT(r)))
        r++;
    return r;
}

/* The first name that failed or was refused, as the error of the value that holds it. */
static dlo_status name_error(const dlo_names *out, dlo_error *err)
{
    size_t i, bad = 0;
    const dlo_name *first = NULL;
    for (i = 0; i < out->count; i++)
        if (out->items[i].state == DLO_NAME_FAILED || out->items[i].state == DLO_NAME_REFUSED) {
            bad++;
            first = first ? first : &out->items[i];
        }
    if (!first)
        return DLO_OK;
    return dlo_error_set(
        err, DLO_E_CONFIG,
        "%s: host name '%s' %s: %s; expected a host name this machine resolves to addresses of "
        "other machines, or the addresses themselves%s",
        dlo_config_item_name((dlo_config_item)(DLO_CFG_SCOPE_FIRST + first_role(first->roles))),
        first->name,
        first->state == DLO_NAME_FAILED ? "has never resolved (no last known addresses)"
                                        : "is refused",
        first->why, bad > 1 ? " (other names fail too: see /plan)" : "");
}

/* The refresh: the smallest TTL given, bounded by NameRefreshMinutes. */
static unsigned refresh_seconds(const dlo_names *out, const dlo_config *cfg)
{
    unsigned most = (cfg->name_refresh_minutes ? cfg->name_refresh_minutes
                                               : DLO_CONFIG_DEFAULT_NAME_REFRESH_MINUTES) *
                    60u,
             s = most;
    size_t i;
    for (i = 0; i < out->count; i++)
        if (out->items[i].ttl_seconds && out->items[i].ttl_seconds < s)
            s = out->items[i].ttl_seconds;
    if (s < DLO_NAMES_MIN_REFRESH_SECONDS)
        s = DLO_NAMES_MIN_REFRESH_SECONDS;
    return out->count ? s : 0;
}

dlo_status dlo_names_resolve(const dlo_resolver *res, const dlo_registry *known,
                             const dlo_config *cfg, dlo_names *out, dlo_error *err)
{
    collect c = {out, 0, DLO_OK};
    pass p = {res, known, res && res->now_ms ? res->now_ms(res->ctx) : 0};
    dlo_status st = DLO_OK;
    size_t i;
    int r;

    dlo_names_init(out);
    for (r = 0; r < DLO_ROLE_COUNT && !c.st; r++) {
        c.role = r;
        dlo_names_each(cfg->scopes[r], collect_one, &c);
    }
    if (c.st)
        return dlo_error_set(err, c.st, "out of memory");
    for (i = 0; i < out->count && !st; i++)
        st = resolve_one(&p, &out->items[i]);
    if (st)
        return dlo_error_set(err, st, "out of memory");
    out->refresh_seconds = refresh_seconds(out, cfg);
    st = name_error(out, err);
    for (r = 0; r < DLO_ROLE_COUNT && !st; r++) {
        size_t n = 0;
        dlo_names_each(cfg->scopes[r], count_one, &n);
        if (n)
            st = rebuild_scope(out, cfg->scopes[r], r);
        if (st)
            dlo_error_set(err, st, "cannot rebuild the scope %s",
                          dlo_config_item_name((dlo_config_item)(DLO_CFG_SCOPE_FIRST + r)));
    }
    return st;
}

const char *dlo_names_scope(const dlo_names *names, const dlo_config *cfg, int role)
{
    return names && names->scopes[role] ? names->scopes[role] : cfg->scopes[role];
}

bool dlo_names_same(const dlo_names *a, const dlo_names *b)
{
    size_t i;
    if (a->count != b->count)
        return false;
    for (i = 0; i < a->count; i++) {
        const dlo_name *x = &a->items[i], *y = &b->items[i];
        if (strcmp(x->name, y->name) != 0 || !x->addresses != !y->addresses ||
            (x->addresses && strcmp(x->addresses, y->addresses) != 0))
            return false;
    }
    return true;
}

dlo_status dlo_names_apply(const dlo_names *names, dlo_config *cfg)
{
    int r;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        char *s;
        if (!names->scopes[r])
            continue;
        if (!(s = dlo_strdup(names->scopes[r])))
            return DLO_E_NOMEM;
        free(cfg->scopes[r]);
        cfg->scopes[r] = s;
    }
    return DLO_OK;
}
