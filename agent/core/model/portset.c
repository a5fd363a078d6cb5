#include "dlo/portset.h"

#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

#define SQL_TOKEN "{sql-port}"

/* The port keywords INetFwRule accepts, in Windows' spelling, then the later ones of the rule
 * store (MS-GPFAS 2.2.2.3: DHCP, CortanaOut, TcpCDPSvc), whose COM spelling no public source
 * gives. RPC and RPC-EPMap are inbound TCP only; the others belong to Windows' own services. */
static const char *const keywords[] = {
    "RPC",      "RPC-EPMap", "IPHTTPS", "IPHTTPSIn",  "IPHTTPSOut", "Teredo",
    "Ply2Disc", "mDNS",      "DHCP",    "CortanaOut", "TcpCDPSvc",
};
#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

void dlo_portset_init(dlo_portset *s)
{
    memset(s, 0, sizeof(*s));
}

void dlo_portset_free(dlo_portset *s)
{
    free(s->items);
    free(s->ranges);
    dlo_portset_init(s);
}

static bool same_item(const dlo_port_item *a, const dlo_port_item *b)
{
    return a->kind == b->kind && a->lo == b->lo && a->hi == b->hi && a->keyword == b->keyword;
}

/* Merges [lo, hi] into the sorted, disjoint ranges. */
static dlo_status add_range(dlo_portset *s, unsigned lo, unsigned hi)
{
    size_t i = 0, j;
    while (i < s->n_ranges && s->ranges[i].hi + 1 < lo)
        i++;
    j = i;
    while (j < s->n_ranges && s->ranges[j].lo <= hi + 1) {
        lo = s->ranges[j].lo < lo ? s->ranges[j].lo : lo;
        hi = s->ranges[j].hi > hi ? s->ranges[j].hi : hi;
        j++;
    }
    if (j == i) {
        dlo_port_range *r = dlo_array_grow(s->ranges, &s->cap_ranges, s->n_ranges, sizeof(*r));
        if (!r)
            return DLO_E_NOMEM;
        s->ranges = r;
        memmove(&s->ranges[i + 1], &s->ranges[i], (s->n_ranges - i) * sizeof(*r));
        s->n_ranges++;
    } else if (j > i + 1) {
        memmove(&s->ranges[i + 1], &s->ranges[j], (s->n_ranges - j) * sizeof(*s->ranges));
        s->n_ranges -= j - i - 1;
    }
    s->ranges[i].lo = lo;
    s->ranges[i].hi = hi;
    return DLO_OK;
}

static unsigned keyword_bit(const char *keyword)
{
    size_t i;
    for (i = 0; i < N_KEYWORDS; i++)
        if (keywords[i] == keyword)
            return 1u << i;
    return 0;
}

/* t[0..n) is the keyword, in any case. */
static bool keyword_is(const char *t, size_t n, const char *keyword)
{
    size_t i;
    if (n != strlen(keyword))
        return false;
    for (i = 0; i < n; i++)
        if (dlo_ascii_lower(t[i]) != dlo_ascii_lower(keyword[i]))
            return false;
    return true;
}

static dlo_status add_item(dlo_portset *s, const dlo_port_item *it)
{
    dlo_port_item *items;
    size_t i;
    for (i = 0; i < s->n_items; i++)
        if (same_item(&s->items[i], it))
            return DLO_OK;
    items = dlo_array_grow(s->items, &s->cap_items, s->n_items, sizeof(*items));
    if (!items)
        return DLO_E_NOMEM;
    s->items = items;
    s->items[s->n_items++] = *it;
    if (it->kind == DLO_PORT_KEYWORD)
        s->keywords |= keyword_bit(it->keyword);
    if (it->kind == DLO_PORT_SQL)
        s->sql = true;
    return it->kind == DLO_PORT_RANGE ? add_range(s, it->lo, it->hi) : DLO_OK;
}

/* A port 1-65535 filling t[0..n), written as dlo_decimal_parse takes numbers; with
 * DLO_PORTS_ZEROS leading zeros read as decimal (at most 5 digits), as a rule store another tool
 * wrote may hold them. NULL, or why not. */
static const char *parse_number(const char *t, size_t n, unsigned flags, unsigned *out)
{
    unsigned long v;
    const char *why;
    while ((flags & DLO_PORTS_ZEROS) && n > 1 && n <= 5 && t[0] == '0') {
        t++;
        n--;
    }
    why = dlo_decimal_parse(t, n, 1, 65535, &v);
    if (!why)
        *out = (unsigned)v;
    return why;
}

static dlo_status bad_item(dlo_error *err, const char *t, size_t n, const char *why)
{
    return dlo_error_set(err, DLO_E_PARSE, "'%.*s' %s", (int)(n > 60 ? 60 : n), t, why);
}

#define EXPECTED_PORT "expected a port 1-65535 or a range low-high such as 135-139"

/* A number with a leading zero is told apart: it is a port, written in a way refused. */
static dlo_status bad_number(dlo_error *err, const char *t, size_t n, const char *why,
                             const char *otherwise)
{
    if (strcmp(why, "has a leading zero") == 0)
        return bad_item(err, t, n,
                        "has a leading zero; expected a port 1-65535 written without one (443, "
                        "not 0443)");
    return bad_item(err, t, n, otherwise);
}

static dlo_status parse_item(const char *t, size_t n, unsigned flags, dlo_port_item *it,
                             dlo_error *err)
{
    const char *dash = memchr(t, '-', n), *why;
    size_t i;

    memset(it, 0, sizeof(*it));
    if ((flags & DLO_PORTS_SQL) && n == strlen(SQL_TOKEN) && memcmp(t, SQL_TOKEN, n) == 0) {
        it->kind = DLO_PORT_SQL;
        return DLO_OK;
    }
    if (flags & DLO_PORTS_KEYWORDS) {
        for (i = 0; i < N_KEYWORDS; i++) {
            if (keyword_is(t, n, keywords[i])) {
                it->kind = DLO_PORT_KEYWORD;
                it->keyword = keywords[i];
                return DLO_OK;
            }
        }
    }
    it->kind = DLO_PORT_RANGE;
    if (!dash || (dash != t && (t[0] < '0' || t[0] > '9'))) {
        if ((why = parse_number(t, n, flags, &it->lo)) != NULL)
            return bad_number(err, t, n, why, "is not a port; " EXPECTED_PORT);
        it->hi = it->lo;
        return DLO_OK;
    }
    if ((why = parse_number(t, (size_t)(dash - t), flags, &it->lo)) != NULL ||
        (why = parse_number(dash + 1, n - (size_t)(dash - t) - 1, flags, &it->hi)) != NULL)
        return bad_number(err, t, n, why, "is not a range of two ports; " EXPECTED_PORT);
    if (it->hi < it->lo)
        return bad_item(err, t, n, "starts after it ends; expected low-high with low <= high");
    return DLO_OK;
}

static bool is_any(const char *t, size_t n)
{
    return n == 0 || (n == 1 && t[0] == '*') || dlo_equals_ci(t, n, "any");
}

dlo_status dlo_portset_parse(const char *text, unsigned flags, dlo_portset *out, dlo_error *err)
{
    const char *p = text ? text : "";
    dlo_status st = DLO_OK;
    size_t all = strlen(p);
    const char *whole = p;

    dlo_portset_init(out);
    if (flags & DLO_PORTS_BLANKS)
        dlo_trim(&whole, &all);
    if (is_any(whole, all)) {
        if (flags & DLO_PORTS_ANY) {
            out->any = true;
            return DLO_OK;
        }
        return all ? bad_item(err, whole, all, "(any port) is not allowed here; " EXPECTED_PORT)
                   : dlo_error_set(err, DLO_E_PARSE, "the port list is empty; " EXPECTED_PORT);
    }
    for (;;) {
        size_t n = strcspn(p, ",");
        const char *t = p;
        dlo_port_item it;
        if (flags & DLO_PORTS_BLANKS)
            dlo_trim(&t, &n);
        if (n == 0)
            st = dlo_error_set(err, DLO_E_PARSE,
                               "the port list has an empty item (two commas in a row, or a comma "
                               "at an end); " EXPECTED_PORT);
        else if (out->n_items >= DLO_PORTSET_MAX_ITEMS)
            st = dlo_error_set(err, DLO_E_PARSE, "the port list has more than %u items",
                               (unsigned)DLO_PORTSET_MAX_ITEMS);
        else
            st = parse_item(t, n, flags, &it, err);
        if (!st && add_item(out, &it))
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        if (st)
            break;
        p += strcspn(p, ",");
        if (*p == '\0')
            break;
        p++;
    }
    if (st)
        dlo_portset_free(out);
    return st;
}

dlo_status dlo_portset_add(dlo_portset *dst, const dlo_portset *src, const dlo_portset *with)
{
    size_t i, j;
    dlo_status st = DLO_OK;
    dst->any = dst->any || src->any;
    for (i = 0; i < src->n_items && !st; i++) {
        if (src->items[i].kind != DLO_PORT_SQL) {
            st = add_item(dst, &src->items[i]);
            continue;
        }
        for (j = 0; with && j < with->n_items && !st; j++)
            st = add_item(dst, &with->items[j]);
        dst->any = dst->any || (with && with->any);
    }
    return st;
}

void dlo_portset_format(dlo_buf *b, const dlo_portset *s)
{
    size_t i;
    if (s->any)
        return;
    for (i = 0; i < s->n_items; i++) {
        const dlo_port_item *it = &s->items[i];
        if (i)
            dlo_buf_putc(b, ',');
        if (it->kind == DLO_PORT_KEYWORD)
            dlo_buf_puts(b, it->keyword);
        else if (it->kind == DLO_PORT_SQL)
            dlo_buf_puts(b, SQL_TOKEN);
        else if (it->lo == it->hi)
            dlo_buf_printf(b, "%u", it->lo);
        else
            dlo_buf_printf(b, "%u-%u", it->lo, it->hi);
    }
}

bool dlo_portset_equal(const dlo_portset *a, const dlo_portset *b)
{
    if (a->any || b->any)
        return a->any == b->any;
    return a->keywords == b->keywords && a->sql == b->sql && a->n_ranges == b->n_ranges &&
           (a->n_ranges == 0 ||
            memcmp(a->ranges, b->ranges, a->n_ranges * sizeof(*a->ranges)) == 0);
}

/* [lo, hi] less b's ranges, into out. */
static dlo_status minus_range(unsigned lo, unsigned hi, const dlo_portset *b, dlo_portset *out)
{
    size_t i;
    dlo_status st = DLO_OK;
    for (i = 0; i < b->n_ranges && lo <= hi && !st; i++) {
        const dlo_port_range *r = &b->ranges[i];
        dlo_port_item it = {DLO_PORT_RANGE, lo, r->lo - 1, NULL};
        if (r->hi < lo)
            continue;
        if (r->lo > hi)
            break;
        if (r->lo > lo)
            st = add_item(out, &it);
        if (r->hi >= hi)
            return st;
        lo = r->hi + 1;
    }
    if (!st && lo <= hi) {
        dlo_port_item it = {DLO_PORT_RANGE, lo, hi, NULL};
        st = add_item(out, &it);
    }
    return st;
}

dlo_status dlo_portset_minus(const dlo_portset *a, const dlo_portset *b, dlo_portset *out)
{
    size_t i;
    dlo_status st = DLO_OK;
    dlo_portset_init(out);
    if (b->any)
        return DLO_OK;
    out->any = a->any;
    for (i = 0; i < a->n_ranges && !st; i++)
        st = minus_range(a->ranges[i].lo, a->ranges[i].hi, b, out);
    for (i = 0; i < a->n_items && !st; i++) {
        const dlo_port_item *it = &a->items[i];
        if ((it->kind == DLO_PORT_KEYWORD && !(b->keywords & keyword_bit(it->keyword))) ||
            (it->kind == DLO_PORT_SQL && !b->sql))
            st = add_item(out, it);
    }
    if (st)
        dlo_portset_free(out);
    return st;
}

bool dlo_portset_empty(const dlo_portset *s)
{
    return !s->any && s->n_items == 0;
}

bool dlo_portset_has_item(const dlo_portset *s, const dlo_port_item *it)
{
    size_t i;
    for (i = 0; i < s->n_items; i++)
        if (s->items[i].kind == it->kind && s->items[i].lo == it->lo && s->items[i].hi == it->hi)
            return true;
    return false;
}

static unsigned keyword_named(const char *name)
{
    size_t i;
    for (i = 0; i < N_KEYWORDS; i++)
        if (strcmp(keywords[i], name) == 0)
            return 1u << i;
    return 0;
}

/* The endpoint mapper's port: traffic RPC-EPMap admits is traffic to TCP 135. */
#define EPMAP_PORT 135

static bool has_port(const dlo_portset *s, unsigned port)
{
    size_t i;
    for (i = 0; i < s->n_ranges; i++)
        if (s->ranges[i].lo <= port && port <= s->ranges[i].hi)
            return true;
    return false;
}

bool dlo_portset_overlap(const dlo_portset *a, const dlo_portset *b)
{
    size_t i = 0, j = 0;
    unsigned epmap = keyword_named("RPC-EPMap");
    if (a->any || b->any)
        return true;
    /* A keyword stands for the ports Windows gives it: the same keyword in both is the same
     * traffic, and RPC-EPMap's is TCP 135. Which ports RPC's dynamic endpoints take is decided
     * at run time, so RPC meets only RPC. */
    if (a->keywords & b->keywords)
        return true;
    if (((a->keywords & epmap) && has_port(b, EPMAP_PORT)) ||
        ((b->keywords & epmap) && has_port(a, EPMAP_PORT)))
        return true;
    while (i < a->n_ranges && j < b->n_ranges) {
        if (a->ranges[i].hi < b->ranges[j].lo)
            i++;
        else if (b->ranges[j].hi < a->ranges[i].lo)
            j++;
        else
            return true;
    }
    return false;
}

/* Both lists parsed as the firewall may spell them, then compared by cmp; false if either does
 * not parse. */
static bool compare_lists(const char *a, const char *b,
                          bool (*cmp)(const dlo_portset *, const dlo_portset *))
{
    dlo_portset sa, sb;
    bool result = false;
    if (dlo_portset_parse(a, DLO_PORTS_FIREWALL, &sa, NULL))
        return false;
    if (!dlo_portset_parse(b, DLO_PORTS_FIREWALL, &sb, NULL)) {
        result = cmp(&sa, &sb);
        dlo_portset_free(&sb);
    }
    dlo_portset_free(&sa);
    return result;
}

bool dlo_ports_same(const char *a, const char *b)
{
    return compare_lists(a, b, dlo_portset_equal);
}

bool dlo_ports_overlap(const char *a, const char *b)
{
    return compare_lists(a, b, dlo_portset_overlap);
}

const char *dlo_port_parse(const char *text, unsigned *port)
{
    size_t n = strlen(text);
    dlo_trim(&text, &n);
    return parse_number(text, n, 0, port);
}
