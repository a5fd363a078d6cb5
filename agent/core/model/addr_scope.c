/* The remote addresses of a planned rule: the union of its peers' scopes. */
#include "addr_private.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

/* Entry i covers no address that entry j does not (of two entries covering the same addresses,
 * the later one is the one inside). */
static bool inside(const dlo_addrset *s, size_t i, size_t j)
{
    const dlo_addr_entry *a = &s->items[i], *b = &s->items[j];
    int lo, hi;
    if (i == j || a->kind == DLO_ADDR_KEYWORD || b->kind == DLO_ADDR_KEYWORD ||
        a->family != b->family)
        return false;
    lo = memcmp(b->lo, a->lo, sizeof(a->lo));
    hi = memcmp(a->hi, b->hi, sizeof(a->hi));
    return lo <= 0 && hi <= 0 && (lo < 0 || hi < 0 || j < i);
}

static bool contained(const dlo_addrset *s, size_t i)
{
    size_t j;
    for (j = 0; j < s->count; j++)
        if (inside(s, i, j))
            return true;
    return false;
}

typedef struct spelled {
    const char *t;
    size_t n;
} spelled;

typedef struct union_ctx {
    dlo_addrset seen;
    spelled *text; /* text[i]: how its scope spells seen.items[i] */
    size_t cap;
} union_ctx;

/* Each entry once, by its normal form, as its list spells it. */
static dlo_status union_one(const char *t, size_t n, void *ctx, dlo_error *err)
{
    union_ctx *u = ctx;
    dlo_addr_entry e;
    size_t before = u->seen.count;
    dlo_status st = dlo_addr_parse_entry(t, n, &e, err);
    if (!st && dlo_addrset_add_entry(&u->seen, &e))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    if (!st && u->seen.count > before) {
        spelled *text = dlo_array_grow(u->text, &u->cap, before, sizeof(*text));
        if (!text)
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        u->text = text;
        u->text[before].t = t;
        u->text[before].n = n;
    }
    return st;
}

/* The entries of the union in written order, less those inside another: the firewall may drop
 * them when it reads the list back (falahati/WindowsFirewallHelper issue 64), and a plan that
 * says no more than the firewall keeps reads the same in /plan and in the rule store. */
static void union_write(const union_ctx *u, dlo_buf *out)
{
    size_t i;
    for (i = 0; i < u->seen.count; i++) {
        if (contained(&u->seen, i))
            continue;
        if (out->len)
            dlo_buf_putc(out, ',');
        dlo_buf_append(out, u->text[i].t, u->text[i].n);
    }
}

dlo_status dlo_addr_scope_union(const char *const scopes[DLO_ROLE_COUNT], dlo_role_set peers,
                                dlo_buf *out, dlo_error *err)
{
    const char *lists[DLO_ROLE_COUNT];
    size_t n = 0;
    int r;
    union_ctx u;
    dlo_status st;

    dlo_buf_reset(out);
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        const char *s = scopes[r];
        if (!(peers & DLO_ROLE_BIT(r)))
            continue;
        if (!s || dlo_is_blank_str(s) || dlo_addr_is_star(s, strlen(s))) {
            n = 0;
            break;
        }
        lists[n++] = s;
    }
    if (n == 0) {
        dlo_buf_putc(out, '*');
        return dlo_buf_status(out);
    }
    memset(&u, 0, sizeof(u));
    st = dlo_addr_each_entry(lists, n, union_one, &u, err);
    if (!st)
        union_write(&u, out);
    dlo_addrset_free(&u.seen);
    free(u.text);
    if (!st && dlo_buf_status(out))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    if (st)
        dlo_buf_reset(out);
    return st;
}
