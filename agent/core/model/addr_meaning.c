/* Address lists by meaning: two lists compared as sets of ranges of numbers (and keywords), how
 * one meets another, and what a list covers. */
#include "addr_private.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

typedef struct span {
    int family;
    unsigned char lo[16], hi[16];
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->family != y->family)
        return x->family - y->family;
    return memcmp(x->lo, y->lo, sizeof(x->lo));
}

/* hi + 1 == lo, or the spans overlap: they make one. */
static bool touches(const span *prev, const span *next)
{
    unsigned char up[16];
    size_t i = dlo_addr_len(prev->family);
    if (prev->family != next->family)
        return false;
    if (memcmp(next->lo, prev->hi, sizeof(up)) <= 0)
        return true;
    memcpy(up, prev->hi, sizeof(up));
    while (i-- > 0)
        if (++up[i] != 0)
            break;
    return memcmp(up, next->lo, sizeof(up)) == 0 && memcmp(up, prev->hi, sizeof(up)) > 0;
}

/* The address entries of s as sorted, merged spans (*out allocated), and its keywords as bits. */
static dlo_status spans_of(const dlo_addrset *s, span **out, size_t *n, unsigned *kw)
{
    size_t i, k = 0;
    span *v = malloc((s->count ? s->count : 1) * sizeof(*v));
    if (!v)
        return DLO_E_NOMEM;
    *kw = 0;
    for (i = 0; i < s->count; i++) {
        const dlo_addr_entry *e = &s->items[i];
        if (e->kind == DLO_ADDR_KEYWORD) {
            *kw |= 1u << (unsigned)(dlo_addr_keyword_index(e->keyword));
            continue;
        }
        v[k].family = e->family;
        memcpy(v[k].lo, e->lo, sizeof(v[k].lo));
        memcpy(v[k].hi, e->hi, sizeof(v[k].hi));
        k++;
    }
    qsort(v, k, sizeof(*v), cmp_span);
    *n = 0;
    for (i = 0; i < k; i++) {
        if (*n && touches(&v[*n - 1], &v[i])) {
            if (memcmp(v[i].hi, v[*n - 1].hi, sizeof(v[i].hi)) > 0)
                memcpy(v[*n - 1].hi, v[i].hi, sizeof(v[i].hi));
            continue;
        }
        v[(*n)++] = v[i];
    }
    *out = v;
    return DLO_OK;
}

bool dlo_addrset_equal(const dlo_addrset *a, const dlo_addrset *b)
{
    span *sa = NULL, *sb = NULL;
    size_t na, nb;
    unsigned ka, kb;
    bool same = false;

    if (a->any || b->any)
        return a->any == b->any;
    if (!spans_of(a, &sa, &na, &ka) && !spans_of(b, &sb, &nb, &kb))
        same = ka == kb && na == nb && (na == 0 || memcmp(sa, sb, na * sizeof(*sa)) == 0);
    free(sa);
    free(sb);
    return same;
}

/* The span of sorted, merged spans v[0..n) that holds x whole, or the first that meets it. */
static int span_meets(const span *v, size_t n, const span *x)
{
    size_t i;
    int best = 0;
    for (i = 0; i < n; i++) {
        if (v[i].family != x->family || memcmp(v[i].hi, x->lo, sizeof(x->lo)) < 0 ||
            memcmp(v[i].lo, x->hi, sizeof(x->hi)) > 0)
            continue;
        if (memcmp(v[i].lo, x->lo, sizeof(x->lo)) <= 0 &&
            memcmp(v[i].hi, x->hi, sizeof(x->hi)) >= 0)
            return 2;
        best = 1;
    }
    return best;
}

dlo_addr_meet dlo_addrset_meet(const dlo_addrset *a, const dlo_addrset *b)
{
    span *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0, i;
    unsigned ka, kb;
    int inside = 1, some = 0;
    if (!spans_of(a, &sa, &na, &ka) && !spans_of(b, &sb, &nb, &kb)) {
        for (i = 0; i < na; i++) {
            int m = span_meets(sb, nb, &sa[i]);
            some |= m > 0;
            inside &= m == 2;
        }
    }
    free(sa);
    free(sb);
    return !some ? DLO_ADDR_APART : inside ? DLO_ADDR_INSIDE : DLO_ADDR_OVERLAP;
}

/* ---- what a list covers ---- */

/* The addresses another machine can connect from, per family, as [lo, hi] spans: what a list
 * must cover to let every peer in (dlo/addr.h). */
static const span peer_spans[] = {
    {4, {1, 0, 0, 0}, {126, 255, 255, 255}},
    {4, {128, 0, 0, 0}, {223, 255, 255, 255}},
    {6,
     {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
     {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff}},
};

/* need lies within one of the merged spans v[0..n) (merged spans are maximal, so a span the
 * union covers lies in one of them). */
static bool spans_hold(const span *v, size_t n, const span *need)
{
    size_t i, len = dlo_addr_len(need->family);
    for (i = 0; i < n; i++)
        if (v[i].family == need->family && memcmp(v[i].lo, need->lo, len) <= 0 &&
            memcmp(v[i].hi, need->hi, len) >= 0)
            return true;
    return false;
}

unsigned dlo_addrset_coverage(const dlo_addrset *s)
{
    unsigned covers = 0, kw = 0, missing = 0;
    span *v = NULL;
    size_t i, n = 0;

    if (s->any)
        return DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6;
    if (spans_of(s, &v, &n, &kw))
        return DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6; /* unjudged: taken as everything */
    for (i = 0; i < sizeof(peer_spans) / sizeof(peer_spans[0]); i++)
        if (!spans_hold(v, n, &peer_spans[i]))
            missing |= peer_spans[i].family == 4 ? DLO_ADDR_COVERS_IPV4 : DLO_ADDR_COVERS_IPV6;
    free(v);
    covers = (DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6) & ~missing;
    if (kw & (1u << (unsigned)dlo_addr_keyword_index("Internet")))
        covers |= DLO_ADDR_COVERS_INTERNET;
    return covers;
}

/* Unset lists mean any address, as the firewall reads them back "*". */
static dlo_status parse_lenient(const char *list, dlo_addrset *out)
{
    if (!list || dlo_is_blank_str(list)) {
        dlo_addrset_init(out);
        out->any = true;
        return DLO_OK;
    }
    /* Windows reads an address back longer than it was written (10.0.0.1 as
     * 10.0.0.1/255.255.255.255), so a list within the character limit can come back beyond it:
     * the read-back is held to the entry limit only, or a long list would never compare equal. */
    return dlo_addr_parse_for_build(&list, 1, DLO_OS_BUILD_UNKNOWN, (size_t)-1, out, NULL);
}

dlo_status dlo_addrset_read(const char *list, dlo_addrset *out)
{
    return parse_lenient(list, out);
}

bool dlo_addr_same(const char *a, const char *b)
{
    dlo_addrset sa, sb;
    bool same = false;
    if (parse_lenient(a, &sa))
        return false;
    if (!parse_lenient(b, &sb)) {
        same = dlo_addrset_equal(&sa, &sb);
        dlo_addrset_free(&sb);
    }
    dlo_addrset_free(&sa);
    return same;
}

unsigned dlo_addr_coverage(const char *list)
{
    dlo_addrset s;
    unsigned covers;
    if (parse_lenient(list, &s))
        return DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6;
    covers = dlo_addrset_coverage(&s);
    dlo_addrset_free(&s);
    return covers;
}

void dlo_addr_coverage_text(dlo_buf *b, unsigned coverage)
{
    unsigned both = DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6;
    const char *families = (coverage & both) == both           ? "every IPv4 and IPv6 address"
                           : (coverage & DLO_ADDR_COVERS_IPV4) ? "every IPv4 address"
                           : (coverage & DLO_ADDR_COVERS_IPV6) ? "every IPv6 address"
                                                               : NULL;
    if (families)
        dlo_buf_puts(b, families);
    if (coverage & DLO_ADDR_COVERS_INTERNET)
        dlo_buf_puts(b, families ? " and every address outside the intranet (Internet)"
                                 : "every address outside the intranet (Internet)");
}
