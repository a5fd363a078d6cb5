#include "dlo/addr.h"

#include "addr_private.h"
#include "dlo/hostname.h"
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
int dlo_addr_keyword_index(const char *normal)
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

size_t dlo_addr_len(int family)
{
    return family == 4 ? 4 : 16;
}

/* The addresses x/prefix covers: lo with the host bits cleared, hi with them set. */
static void subnet_bounds(dlo_addr_entry *e)
{
    size_t i, len = dlo_addr_len(e->family);
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
    if (memcmp(x.a, y.a, dlo_addr_len(x.family)) > 0)
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
dlo_status dlo_addr_parse_entry(const char *t, size_t n, dlo_addr_entry *e, dlo_error *err)
{
    dlo_status st = parse_form(t, n, e, err);
    return st ? st : check_windows_accepts(t, n, e, err);
}

void dlo_addr_format(dlo_buf *b, int family, const unsigned char a[16])
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
        dlo_addr_format(b, e->family, e->lo);
        dlo_buf_putc(b, '-');
        dlo_addr_format(b, e->family, e->hi);
        break;
    case DLO_ADDR_SUBNET:
        dlo_addr_format(b, e->family, e->addr);
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

dlo_status dlo_addrset_add_entry(dlo_addrset *s, const dlo_addr_entry *e)
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

dlo_status dlo_addr_each_entry(const char *const *tokens, size_t n, dlo_addr_entry_fn each,
                               void *ctx, dlo_error *err)
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

bool dlo_addr_is_star(const char *t, size_t n)
{
    return (n == 1 && t[0] == '*') || dlo_equals_ci(t, n, "any");
}

typedef struct parse_ctx {
    dlo_addrset *set;
    unsigned long os_build;
    dlo_strlist *names; /* where host names go; NULL: a name is refused as any bad token is */
} parse_ctx;

/* A keyword the firewall of that build does not know yet is refused, as Windows refuses it. */
static dlo_status check_build(const char *t, size_t n, const dlo_addr_entry *e,
                              unsigned long os_build, dlo_error *err)
{
    unsigned long since;
    if (e->kind != DLO_ADDR_KEYWORD || os_build == DLO_OS_BUILD_UNKNOWN)
        return DLO_OK;
    since = keywords[dlo_addr_keyword_index(e->keyword)].since;
    if (os_build >= since)
        return DLO_OK;
    return dlo_error_set(err, DLO_E_CONFIG,
                         "'%.*s' is refused by the Windows Firewall of this machine (build %lu): "
                         "the keyword exists only from Windows 10 1809 / Server 2019 (build "
                         "%lu); expected an address, a subnet, a range, * alone, or one of the "
                         "keywords LocalSubnet, DNS, DHCP, WINS, DefaultGateway",
                         (int)(n > 80 ? 80 : n), t, os_build, since);
}

/* A host name, kept once in lower case. */
static dlo_status add_name(dlo_strlist *names, const char *t, size_t n, dlo_error *err)
{
    char lower[DLO_HOSTNAME_MAX + 1];
    size_t i;
    dlo_hostname_lower(t, n, lower);
    for (i = 0; i < names->count; i++)
        if (strcmp(names->items[i], lower) == 0)
            return DLO_OK;
    if (dlo_strlist_add(names, lower))
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    return DLO_OK;
}

/* A token that is no address: a host name where names are allowed, and the name's error when
 * it was meant as one (it holds letters no address has). */
static dlo_status parse_name(const char *t, size_t n, parse_ctx *c, dlo_status st, dlo_error *err)
{
    char why[600];
    if (!c->names)
        return st;
    if (!dlo_hostname_check(t, n, why, sizeof(why)))
        return add_name(c->names, t, n, err);
    if (!dlo_hostname_intended(t, n))
        return st;
    return dlo_error_set(err, DLO_E_CONFIG, "'%.*s' is not a valid host name: %s",
                         (int)(n > 80 ? 80 : n), t, why);
}

static dlo_status parse_one(const char *t, size_t n, void *ctx, dlo_error *err)
{
    parse_ctx *c = ctx;
    dlo_addr_entry e;
    dlo_status st;
    if (dlo_addr_is_star(t, n)) {
        c->set->any = true;
        return DLO_OK;
    }
    st = dlo_addr_parse_entry(t, n, &e, err);
    if (st == DLO_E_CONFIG)
        return parse_name(t, n, c, st, err);
    if (!st)
        st = check_build(t, n, &e, c->os_build, err);
    if (!st && dlo_addrset_add_entry(c->set, &e))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    return st;
}

/* The list, and where names go when they are allowed (NULL: refused). */
static dlo_status parse_list(const char *const *tokens, size_t n, unsigned long os_build,
                             size_t max_chars, dlo_addrset *out, dlo_strlist *names, dlo_error *err)
{
    parse_ctx c = {out, os_build, names};
    dlo_status st;
    dlo_addrset_init(out);
    st = check_size(tokens, n, max_chars, err);
    if (!st)
        st = dlo_addr_each_entry(tokens, n, parse_one, &c, err);
    if (!st && out->any && (out->count || (names && names->count)))
        st = dlo_error_set(err, DLO_E_CONFIG,
                           "'*' (any address) is combined with other entries; expected '*' alone, "
                           "or only addresses and keywords");
    if (st)
        dlo_addrset_free(out);
    return st;
}

dlo_status dlo_addr_parse_for_build(const char *const *tokens, size_t n, unsigned long os_build,
                                    size_t max_chars, dlo_addrset *out, dlo_error *err)
{
    return parse_list(tokens, n, os_build, max_chars, out, NULL, err);
}

dlo_status dlo_addrset_parse(const char *const *tokens, size_t n, dlo_addrset *out, dlo_error *err)
{
    return dlo_addr_parse_for_build(tokens, n, DLO_OS_BUILD_UNKNOWN, DLO_ADDR_MAX_CHARS, out, err);
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

/* The normal form of a list; names (when allowed) follow the addresses. */
static dlo_status normalize(const char *const *tokens, size_t n, unsigned long os_build,
                            bool allow_names, dlo_buf *out, dlo_error *err)
{
    dlo_addrset s;
    dlo_strlist names;
    dlo_status st;
    size_t i;

    dlo_buf_reset(out);
    dlo_strlist_init(&names);
    st = parse_list(tokens, n, os_build, DLO_ADDR_MAX_CHARS, &s, allow_names ? &names : NULL, err);
    if (!st) {
        dlo_addrset_format(out, &s);
        for (i = 0; i < names.count; i++)
            dlo_buf_printf(out, "%s%s", out->len ? "," : "", names.items[i]);
        dlo_addrset_free(&s);
    }
    dlo_strlist_free(&names);
    if (st)
        return st;
    st = dlo_buf_status(out);
    if (st) {
        dlo_error_set(err, st, "out of memory");
        dlo_buf_reset(out);
    }
    return st;
}

dlo_status dlo_addr_normalize(const char *const *tokens, size_t n, unsigned long os_build,
                              dlo_buf *out, dlo_error *err)
{
    return normalize(tokens, n, os_build, false, out, err);
}

dlo_status dlo_addr_normalize_scope(const char *const *tokens, size_t n, unsigned long os_build,
                                    dlo_buf *out, dlo_error *err)
{
    return normalize(tokens, n, os_build, true, out, err);
}
