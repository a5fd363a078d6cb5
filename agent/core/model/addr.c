#include "dlo/addr.h"

#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYWORD_LIST                                                                               \
    "LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, RmtIntranet, Internet, Ply2Renders, " \
    "CaptivePortal"

#define EXPECTED                                                                                   \
    "expected an IPv4 or IPv6 address, a subnet (address/prefix-length or IPv4 address/mask), a "  \
    "range (start-end, no blanks), * alone, or one of the keywords " KEYWORD_LIST

/* Keywords by any spelling the firewall tools use, and the spelling INetFwRule reads back: the
 * Firewall CSP's (RmtIntranet, Ply2Renders), which the rule store keeps as RA42=RmtIntrAnet and
 * RA42=Ply2Renders (MS-GPFAS 2.2.2.19). PowerShell's parameter names (IntranetRemoteAccess,
 * PlayToDevice) and RemoteIntranet are accepted from administrators only as input: they are
 * normalised before anything is written or compared, so the firewall never sees them.
 * `since`: the first Windows build whose firewall knows the keyword; the four newer ones came
 * with Windows 10 1809 / Server 2019 ("Any attempt to set these tokens on RS4 results in
 * failure": Firewall CSP; MicrosoftDocs/windows-itpro-docs issue 2735); CaptivePortal, in the
 * rule store since schema 2.20 (MS-GPFAS 2.2.2.13), reached PowerShell with Server 2025. */
static const struct {
    const char *name;
    const char *normal;
    unsigned long since;
} keywords[] = {
    {"localsubnet", "LocalSubnet", 0},
    {"dns", "DNS", 0},
    {"dhcp", "DHCP", 0},
    {"wins", "WINS", 0},
    {"defaultgateway", "DefaultGateway", 0},
    {"intranet", "Intranet", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"rmtintranet", "RmtIntranet", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"remoteintranet", "RmtIntranet", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"intranetremoteaccess", "RmtIntranet", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"internet", "Internet", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"ply2renders", "Ply2Renders", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"playtodevice", "Ply2Renders", DLO_ADDR_NEWER_KEYWORDS_BUILD},
    {"captiveportal", "CaptivePortal", DLO_ADDR_CAPTIVE_PORTAL_BUILD},
};

/* Which of the firewall's keywords a normal spelling is, for comparing sets of them. */
static int keyword_index(const char *normal)
{
    int i;
    for (i = 0; i < (int)(sizeof(keywords) / sizeof(keywords[0])); i++)
        if (strcmp(keywords[i].normal, normal) == 0)
            return i;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = dlo_ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Dotted quad, four decimal parts 0-255. A part with a leading zero is refused: some parsers
 * read "010" as octal 8, others as 10, and a firewall scope must not depend on which. */
bool dlo_addr_parse_ipv4(const char *s, size_t n, unsigned char out[4])
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        while (i < n && is_digit(s[i]) && i - start < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        out[part] = (unsigned char)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

/* RFC 4291 text: hex groups, one "::" at most, an IPv4 tail allowed. No zone ("%eth0"). */
bool dlo_addr_parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
    unsigned char a[16];
    size_t i = 0, j = 0;
    int gap = -1;

    memset(a, 0, sizeof(a));
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n == 0 || s[0] == ':') {
        return false;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        int h;

        if (j == 16)
            return false;
        while (i < n && (h = hex_value(s[i])) >= 0 && i - start < 5) {
            v = v * 16 + (unsigned)h;
            i++;
        }
        if (i < n && s[i] == '.') {
            if (j > 12 || !dlo_addr_parse_ipv4(s + start, n - start, a + j))
                return false;
            j += 4;
            break;
        }
        if (i == start || i - start > 4)
            return false;
        a[j++] = (unsigned char)(v >> 8);
        a[j++] = (unsigned char)(v & 0xff);
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = (int)j;
            i++;
        } else if (i == n) {
            return false;
        }
    }
    if (gap >= 0) {
        size_t tail = j - (size_t)gap;
        if (j == 16)
            return false;
        memmove(a + 16 - tail, a + gap, tail);
        memset(a + gap, 0, 16 - tail - (size_t)gap);
    } else if (j != 16) {
        return false;
    }
    memcpy(out, a, 16);
    return true;
}

void dlo_addr_format_ipv6(dlo_buf *b, const unsigned char a[16])
{
    unsigned g[8];
    int i, best = -1, best_len = 0;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (memcmp(a, mapped, sizeof(mapped)) == 0) {
        dlo_buf_printf(b, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        return;
    }
    for (i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    /* The longest run of two or more zero groups becomes "::", the first one on a tie. */
    for (i = 0; i < 8;) {
        int len = 0;
        while (i + len < 8 && g[i + len] == 0)
            len++;
        if (len > best_len && len >= 2) {
            best = i;
            best_len = len;
        }
        i += len ? len : 1;
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            dlo_buf_puts(b, "::");
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            dlo_buf_putc(b, ':');
        dlo_buf_printf(b, "%x", g[i]);
    }
}

typedef struct ip {
    int family; /* 4 or 6 */
    unsigned char a[16];
} ip;

static bool parse_ip(const char *s, size_t n, ip *out)
{
    memset(out, 0, sizeof(*out));
    if (dlo_addr_parse_ipv4(s, n, out->a)) {
        out->family = 4;
        return true;
    }
    if (dlo_addr_parse_ipv6(s, n, out->a)) {
        out->family = 6;
        return true;
    }
    return false;
}

static void format_ip(dlo_buf *b, const ip *x)
{
    if (x->family == 4)
        dlo_buf_printf(b, "%u.%u.%u.%u", x->a[0], x->a[1], x->a[2], x->a[3]);
    else
        dlo_addr_format_ipv6(b, x->a);
}

static void format_v4_mask(dlo_buf *b, unsigned prefix)
{
    unsigned long m = prefix ? (0xFFFFFFFFul << (32 - prefix)) & 0xFFFFFFFFul : 0;
    dlo_buf_printf(b, "/%lu.%lu.%lu.%lu", m >> 24 & 0xff, m >> 16 & 0xff, m >> 8 & 0xff, m & 0xff);
}

/* The prefix length of a contiguous IPv4 mask, or -1. */
static int mask_prefix(const unsigned char m[4])
{
    unsigned long v =
        (unsigned long)m[0] << 24 | (unsigned long)m[1] << 16 | (unsigned long)m[2] << 8 | m[3];
    int prefix = 0;
    while (prefix < 32 && (v & (0x80000000ul >> prefix)))
        prefix++;
    if ((v & (0xFFFFFFFFul >> prefix)) != 0)
        return -1;
    return prefix;
}

static dlo_status bad(dlo_error *err, const char *tok, size_t n, const char *why)
{
    return dlo_error_set(err, DLO_E_CONFIG, "'%.*s' %s", (int)(n > 80 ? 80 : n), tok, why);
}

static size_t addr_len(int family)
{
    return family == 4 ? 4 : 16;
}

/* The addresses x/prefix covers: lo with the host bits cleared, hi with them set. */
static void subnet_bounds(dlo_addr_entry *e)
{
    size_t i, len = addr_len(e->family);
    for (i = 0; i < len; i++) {
        unsigned bits = e->prefix > i * 8 ? e->prefix - (unsigned)i * 8 : 0;
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff00u >> bits);
        e->lo[i] = e->addr[i] & mask;
        e->hi[i] = (unsigned char)(e->addr[i] | (unsigned char)~mask);
    }
}

static dlo_status parse_range(const char *t, size_t n, const char *sep, dlo_addr_entry *e,
                              dlo_error *err)
{
    size_t left = (size_t)(sep - t);
    ip x, y;
    if (!parse_ip(t, left, &x) || !parse_ip(sep + 1, n - left - 1, &y))
        return bad(err, t, n,
                   "is not a range of two addresses; expected start-end with two IPv4 or "
                   "two IPv6 addresses and no blanks, e.g. 10.0.0.1-10.0.0.99");
    if (x.family != y.family)
        return bad(err, t, n, "mixes IPv4 and IPv6; expected a range within one family");
    if (memcmp(x.a, y.a, addr_len(x.family)) > 0)
        return bad(err, t, n, "starts after it ends; expected start-end with start <= end");
    e->kind = DLO_ADDR_RANGE;
    e->family = x.family;
    memcpy(e->lo, x.a, sizeof(e->lo));
    memcpy(e->hi, y.a, sizeof(e->hi));
    return DLO_OK;
}

/* The part after '/': a prefix length, or for IPv4 a contiguous dotted mask. */
static dlo_status parse_prefix(const char *t, size_t n, const char *r, size_t rn, int family,
                               unsigned *prefix, dlo_error *err)
{
    unsigned max = family == 4 ? 32 : 128;
    unsigned char m[4];
    size_t i;

    *prefix = 0;
    for (i = 0; i < rn && is_digit(r[i]); i++)
        *prefix = *prefix * 10 + (unsigned)(r[i] - '0');
    if (rn > 0 && rn <= 3 && i == rn && (rn == 1 || r[0] != '0')) {
        if (*prefix > max)
            return bad(err, t, n,
                       family == 4 ? "has a prefix length over 32; expected 0-32 for IPv4"
                                   : "has a prefix length over 128; expected 0-128 for IPv6");
        return DLO_OK;
    }
    if (family == 4 && dlo_addr_parse_ipv4(r, rn, m)) {
        int p = mask_prefix(m);
        if (p < 0)
            return bad(err, t, n,
                       "has a mask that is not contiguous; expected a mask such as "
                       "255.255.255.0 or a prefix length such as /24");
        *prefix = (unsigned)p;
        return DLO_OK;
    }
    return bad(err, t, n,
               family == 4 ? "has a malformed mask; expected /0-/32 or a dotted mask such as "
                             "/255.255.255.0"
                           : "has a malformed prefix length; expected /0-/128");
}

static dlo_status parse_subnet(const char *t, size_t n, const char *sep, dlo_addr_entry *e,
                               dlo_error *err)
{
    size_t left = (size_t)(sep - t);
    ip x;
    dlo_status st;

    if (!parse_ip(t, left, &x))
        return bad(err, t, n, "is not a subnet: the part before '/' is not an address; " EXPECTED);
    st = parse_prefix(t, n, sep + 1, n - left - 1, x.family, &e->prefix, err);
    if (st)
        return st;
    e->kind = DLO_ADDR_SUBNET;
    e->family = x.family;
    memcpy(e->addr, x.a, sizeof(e->addr));
    subnet_bounds(e);
    return DLO_OK;
}

/* One address alone, or why the token is none of the things a list may hold. */
static dlo_status parse_single(const char *t, size_t n, dlo_addr_entry *e, dlo_error *err)
{
    size_t i;
    ip x;

    if (memchr(t, '%', n))
        return bad(err, t, n,
                   "has a zone index (%...), which the firewall does not accept; expected the "
                   "address alone");
    if (parse_ip(t, n, &x)) {
        e->kind = DLO_ADDR_SUBNET;
        e->family = x.family;
        e->prefix = x.family == 4 ? 32 : 128;
        memcpy(e->addr, x.a, sizeof(e->addr));
        subnet_bounds(e);
        return DLO_OK;
    }
    for (i = 0; i < n; i++)
        if ((dlo_ascii_lower(t[i]) >= 'g' && dlo_ascii_lower(t[i]) <= 'z'))
            return bad(err, t, n,
                       "is not an address or a keyword the firewall knows (host names are not "
                       "accepted); " EXPECTED);
    return bad(err, t, n, "is not a valid address; " EXPECTED);
}

/* The form of one entry, whatever the firewall service then makes of it. */
static dlo_status parse_form(const char *t, size_t n, dlo_addr_entry *e, dlo_error *err)
{
    const char *sep;
    size_t i;

    memset(e, 0, sizeof(*e));
    for (i = 0; i < n; i++)
        if (dlo_is_blank(t[i]) || (unsigned char)t[i] < 0x20)
            return bad(err, t, n, "contains a blank or a control character; " EXPECTED);
    for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (dlo_equals_ci(t, n, keywords[i].name)) {
            e->kind = DLO_ADDR_KEYWORD;
            e->keyword = keywords[i].normal;
            return DLO_OK;
        }
    }
    if ((sep = memchr(t, '-', n)) != NULL)
        return parse_range(t, n, sep, e, err);
    if ((sep = memchr(t, '/', n)) != NULL)
        return parse_subnet(t, n, sep, e, err);
    return parse_single(t, n, e, err);
}

static bool ipv6_is(const unsigned char a[16], unsigned char last)
{
    static const unsigned char zero[15];
    return memcmp(a, zero, sizeof(zero)) == 0 && a[15] == last;
}

/* What the firewall service refuses although COM parses it, or NULL: MS-FASP 2.2.4 ("A
 * dwSubNetMask of 0x00000000 is invalid"), 2.2.6 (an IPv6 prefix "MUST NOT be greater than 128
 * and not less than 1", the address "MUST not be a loopback address"), 2.2.10 (the same for
 * ranges); put_RemoteAddresses("::1") fails with 0xD000000D (falahati/WindowsFirewallHelper
 * issue 8; DigitalRuby/IPBan issue 251). The IPv4 loopback network is accepted: no source says
 * what Windows does with 127.0.0.0/8, so the agent does not refuse what Windows may take (the
 * double can be switched to refuse it: RefuseIPv4Loopback, tests/fwdouble/README.md). */
static const char *windows_refusal(const dlo_addr_entry *e)
{
    bool single = e->kind == DLO_ADDR_SUBNET && e->prefix == 128;
    if (e->kind == DLO_ADDR_SUBNET && e->prefix == 0)
        return e->family == 4 ? "a subnet mask of 0.0.0.0; MS-FASP 2.2.4"
                              : "an IPv6 prefix length of 0; MS-FASP 2.2.6";
    if (e->family != 6)
        return NULL;
    if (single && ipv6_is(e->addr, 1))
        return "an IPv6 loopback address; MS-FASP 2.2.6";
    if (single && ipv6_is(e->addr, 0))
        return "the IPv6 unspecified address; MS-FASP 2.2.6";
    /* "Begin and End MUST NOT contain either an unspecified or a loopback address." */
    if (e->kind == DLO_ADDR_RANGE &&
        (ipv6_is(e->lo, 0) || ipv6_is(e->lo, 1) || ipv6_is(e->hi, 0) || ipv6_is(e->hi, 1)))
        return "a range from or to the IPv6 unspecified or loopback address; MS-FASP 2.2.10";
    return NULL;
}

static dlo_status check_windows_accepts(const char *t, size_t n, const dlo_addr_entry *e,
                                        dlo_error *err)
{
    const char *why = windows_refusal(e);
    if (!why)
        return DLO_OK;
    return dlo_error_set(err, DLO_E_CONFIG,
                         "'%.*s' is refused by the Windows Firewall (%s); expected an address, "
                         "subnet or range other than ::1 and :: with a mask or prefix of at "
                         "least 1 bit, or * alone for any address",
                         (int)(n > 80 ? 80 : n), t, why);
}

/* Parses one entry (blanks already trimmed, n > 0, not "*"). */
static dlo_status parse_entry(const char *t, size_t n, dlo_addr_entry *e, dlo_error *err)
{
    dlo_status st = parse_form(t, n, e, err);
    return st ? st : check_windows_accepts(t, n, e, err);
}

static void format_addr(dlo_buf *b, int family, const unsigned char a[16])
{
    ip x;
    x.family = family;
    memcpy(x.a, a, sizeof(x.a));
    format_ip(b, &x);
}

static void format_entry(dlo_buf *b, const dlo_addr_entry *e)
{
    switch (e->kind) {
    case DLO_ADDR_KEYWORD:
        dlo_buf_puts(b, e->keyword);
        break;
    case DLO_ADDR_RANGE:
        format_addr(b, e->family, e->lo);
        dlo_buf_putc(b, '-');
        format_addr(b, e->family, e->hi);
        break;
    case DLO_ADDR_SUBNET:
        format_addr(b, e->family, e->addr);
        if (e->family == 4)
            format_v4_mask(b, e->prefix);
        else
            dlo_buf_printf(b, "/%u", e->prefix);
        break;
    }
}

/* Entries with the same normal form. */
static bool same_entry(const dlo_addr_entry *a, const dlo_addr_entry *b)
{
    if (a->kind != b->kind || a->family != b->family)
        return false;
    if (a->kind == DLO_ADDR_KEYWORD)
        return a->keyword == b->keyword;
    if (a->kind == DLO_ADDR_SUBNET)
        return a->prefix == b->prefix && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
    return memcmp(a->lo, b->lo, sizeof(a->lo)) == 0 && memcmp(a->hi, b->hi, sizeof(a->hi)) == 0;
}

void dlo_addrset_init(dlo_addrset *s)
{
    memset(s, 0, sizeof(*s));
}

void dlo_addrset_free(dlo_addrset *s)
{
    free(s->items);
    dlo_addrset_init(s);
}

static dlo_status add_entry(dlo_addrset *s, const dlo_addr_entry *e)
{
    dlo_addr_entry *items;
    size_t i;
    for (i = 0; i < s->count; i++)
        if (same_entry(&s->items[i], e))
            return DLO_OK;
    items = dlo_array_grow(s->items, &s->cap, s->count, sizeof(*items));
    if (!items)
        return DLO_E_NOMEM;
    s->items = items;
    s->items[s->count++] = *e;
    return DLO_OK;
}

/* The whole input's checks: something there, and not too much of it. */
static dlo_status check_size(const char *const *tokens, size_t n, size_t max_chars, dlo_error *err)
{
    size_t i, total = 0;
    bool all_blank = true;
    for (i = 0; i < n; i++) {
        total += dlo_utf8_chars(tokens[i], strlen(tokens[i]));
        all_blank = all_blank && dlo_is_blank_str(tokens[i]);
    }
    if (all_blank)
        return dlo_error_set(err, DLO_E_CONFIG, "the list is empty; " EXPECTED);
    if (total > max_chars)
        return dlo_error_set(err, DLO_E_CONFIG, "the list has %llu characters; expected at most %u",
                             (unsigned long long)total, (unsigned)DLO_ADDR_MAX_CHARS);
    return DLO_OK;
}

/* Calls each(t, n, ctx) for every comma-separated entry of tokens[0..n), blanks trimmed; fails on
 * an empty entry or too many. */
typedef dlo_status (*entry_fn)(const char *t, size_t n, void *ctx, dlo_error *err);

static dlo_status each_entry(const char *const *tokens, size_t n, entry_fn each, void *ctx,
                             dlo_error *err)
{
    size_t i, entries = 0;
    dlo_status st = DLO_OK;
    for (i = 0; i < n && !st; i++) {
        const char *p = tokens[i];
        for (;;) {
            size_t len = strcspn(p, ","), tn = len;
            const char *t = p;
            dlo_trim(&t, &tn);
            if (tn == 0)
                return dlo_error_set(err, DLO_E_CONFIG,
                                     "the list has an empty entry (two commas in a row, or a "
                                     "comma at an end); " EXPECTED);
            if (++entries > DLO_ADDR_MAX_TOKENS)
                return dlo_error_set(err, DLO_E_CONFIG,
                                     "the list has more than %u entries; expected at most %u",
                                     (unsigned)DLO_ADDR_MAX_TOKENS, (unsigned)DLO_ADDR_MAX_TOKENS);
            st = each(t, tn, ctx, err);
            if (st || p[len] == '\0')
                break;
            p += len + 1;
        }
    }
    return st;
}

static bool is_star(const char *t, size_t n)
{
    return (n == 1 && t[0] == '*') || dlo_equals_ci(t, n, "any");
}

typedef struct parse_ctx {
    dlo_addrset *set;
    unsigned long os_build;
} parse_ctx;

/* A keyword the firewall of that build does not know yet is refused, as Windows refuses it. */
static dlo_status check_build(const char *t, size_t n, const dlo_addr_entry *e,
                              unsigned long os_build, dlo_error *err)
{
    unsigned long since;
    if (e->kind != DLO_ADDR_KEYWORD || os_build == DLO_OS_BUILD_UNKNOWN)
        return DLO_OK;
    since = keywords[keyword_index(e->keyword)].since;
    if (os_build >= since)
        return DLO_OK;
    return dlo_error_set(err, DLO_E_CONFIG,
                         "'%.*s' is refused by the Windows Firewall of this machine (build %lu): "
                         "the keyword exists only from Windows 10 1809 / Server 2019 (build "
                         "%lu); expected an address, a subnet, a range, * alone, or one of the "
                         "keywords LocalSubnet, DNS, DHCP, WINS, DefaultGateway",
                         (int)(n > 80 ? 80 : n), t, os_build, since);
}

static dlo_status parse_one(const char *t, size_t n, void *ctx, dlo_error *err)
{
    parse_ctx *c = ctx;
    dlo_addr_entry e;
    dlo_status st;
    if (is_star(t, n)) {
        c->set->any = true;
        return DLO_OK;
    }
    st = parse_entry(t, n, &e, err);
    if (!st)
        st = check_build(t, n, &e, c->os_build, err);
    if (!st && add_entry(c->set, &e))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    return st;
}

static dlo_status parse_for_build(const char *const *tokens, size_t n, unsigned long os_build,
                                  size_t max_chars, dlo_addrset *out, dlo_error *err)
{
    parse_ctx c = {out, os_build};
    dlo_status st;
    dlo_addrset_init(out);
    st = check_size(tokens, n, max_chars, err);
    if (!st)
        st = each_entry(tokens, n, parse_one, &c, err);
    if (!st && out->any && out->count)
        st = dlo_error_set(err, DLO_E_CONFIG,
                           "'*' (any address) is combined with other entries; expected '*' alone, "
                           "or only addresses and keywords");
    if (st)
        dlo_addrset_free(out);
    return st;
}

dlo_status dlo_addrset_parse(const char *const *tokens, size_t n, dlo_addrset *out, dlo_error *err)
{
    return parse_for_build(tokens, n, DLO_OS_BUILD_UNKNOWN, DLO_ADDR_MAX_CHARS, out, err);
}

void dlo_addrset_format(dlo_buf *b, const dlo_addrset *s)
{
    size_t i;
    if (s->any) {
        dlo_buf_putc(b, '*');
        return;
    }
    for (i = 0; i < s->count; i++) {
        if (i)
            dlo_buf_putc(b, ',');
        format_entry(b, &s->items[i]);
    }
}

/* ---- comparing by meaning ---- */

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
    size_t i = addr_len(prev->family);
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
            *kw |= 1u << (unsigned)(keyword_index(e->keyword));
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
    size_t i, len = addr_len(need->family);
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
    if (kw & (1u << (unsigned)keyword_index("Internet")))
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
    return parse_for_build(&list, 1, DLO_OS_BUILD_UNKNOWN, (size_t)-1, out, NULL);
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

dlo_status dlo_addr_normalize(const char *const *tokens, size_t n, unsigned long os_build,
                              dlo_buf *out, dlo_error *err)
{
    dlo_addrset s;
    dlo_status st;

    dlo_buf_reset(out);
    st = parse_for_build(tokens, n, os_build, DLO_ADDR_MAX_CHARS, &s, err);
    if (st)
        return st;
    dlo_addrset_format(out, &s);
    dlo_addrset_free(&s);
    st = dlo_buf_status(out);
    if (st) {
        dlo_error_set(err, st, "out of memory");
        dlo_buf_reset(out);
    }
    return st;
}

dlo_status dlo_addr_normalize_list(const char *list, dlo_buf *out, dlo_error *err)
{
    return dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, out, err);
}

/* ---- the union of peer scopes ---- */

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

void dlo_addrset_drop_contained(dlo_addrset *s)
{
    size_t i, kept = 0;
    bool *drop = calloc(s->count ? s->count : 1, sizeof(*drop));
    if (!drop)
        return; /* nothing dropped means nothing lost: the list still means the same */
    for (i = 0; i < s->count; i++)
        drop[i] = contained(s, i);
    for (i = 0; i < s->count; i++)
        if (!drop[i])
            s->items[kept++] = s->items[i];
    s->count = kept;
    free(drop);
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
    dlo_status st = parse_entry(t, n, &e, err);
    if (!st && add_entry(&u->seen, &e))
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
        if (!s || dlo_is_blank_str(s) || is_star(s, strlen(s))) {
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
    st = each_entry(lists, n, union_one, &u, err);
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
