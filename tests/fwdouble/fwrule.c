/* The rule-string format of the Windows Firewall local store and INetFwRule's validation.
 *
 * Sources, by what they decide here:
 *  - MS-GPFAS 2.2.2.19 (rule grammar): "v" VERSION "|" 1*(TYPE "=" VALUE "|"); LPort/RPort take
 *    a port or a keyword, LPort2_10/RPort2_10 a range or the 2.10 keywords; LA4/LA6 take
 *    ranges and subnets only, RA4/RA6 also the address keywords of 2.2.2.13, and the 2.20
 *    keywords (IntrAnet, RmtIntrAnet, IntErnet, Ply2Renders) go in RA42/RA62.
 *  - Rule strings Windows itself writes (exports of FirewallRules): a repeated field for each
 *    port, address and profile (Profile=Domain|Profile=Private|), ranges as LPort2_10=a-b,
 *    IPHTTPS as LPort2_10=IPTLSIn|LPort2_10=IPHTTPSIn, keywords in both families
 *    (RA4=LocalSubnet|RA6=LocalSubnet), IPv4 subnets as RA4=10.0.0.0/255.255.255.0, edge
 *    traversal as Edge=TRUE, Edge=TRUE|Defer=App or Defer=User, no Profile= field for all
 *    profiles and no Protocol= field for any protocol.
 *  - INetFwRule documentation: Name must not contain '|' nor be "all", Description no '|';
 *    Protocol must be TCP or UDP before LocalPorts/RemotePorts and ICMP before
 *    IcmpTypesAndCodes; "*" means any and must stand alone; addresses are IPv4/IPv6 addresses,
 *    subnets (mask or prefix, no mask meaning 255.255.255.255), "a-b" ranges without spaces,
 *    and keywords (not case-sensitive); a new rule is disabled until Enabled is set. */
#include "fwrule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void fail(struct fwr_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(struct fwr_error *err, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

/* A token of the input, for messages: ASCII kept, anything else as '?', cut at 60 chars. */
static const char *show(const wchar_t *s, size_t n, char *buf, size_t size)
{
    size_t i, o = 0;
    for (i = 0; i < n && o + 4 < size && i < 60; i++)
        buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    if (i < n && o + 4 < size) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = '\0';
    return buf;
}

static int lower(wchar_t c)
{
    return (c >= L'A' && c <= L'Z') ? c - L'A' + L'a' : c;
}

static int strnieq(const wchar_t *s, size_t n, const wchar_t *word)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (!word[i] || lower(s[i]) != lower(word[i]))
            return 0;
    }
    return word[n] == L'\0';
}

static int strneq(const wchar_t *s, size_t n, const wchar_t *word)
{
    return wcslen(word) == n && wmemcmp(s, word, n) == 0;
}

int fwr_strieq(const wchar_t *a, const wchar_t *b)
{
    return strnieq(a, wcslen(a), b);
}

static wchar_t *wdup_n(const wchar_t *s, size_t n)
{
    wchar_t *d = malloc((n + 1) * sizeof(wchar_t));
    if (d) {
        wmemcpy(d, s, n);
        d[n] = L'\0';
    }
    return d;
}

static wchar_t *wdup(const wchar_t *s)
{
    return s ? wdup_n(s, wcslen(s)) : NULL;
}

/* ---- growing wide-string buffer ---- */

struct wbuf {
    wchar_t *p;
    size_t len, cap;
    int oom;
};

static void wb_putn(struct wbuf *b, const wchar_t *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        wchar_t *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->p, cap * sizeof(wchar_t));
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    wmemcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = L'\0';
}

static void wb_puts(struct wbuf *b, const wchar_t *s)
{
    wb_putn(b, s, wcslen(s));
}

static void wb_putu(struct wbuf *b, unsigned long v)
{
    wchar_t tmp[24];
    size_t i = ARRAY_SIZE(tmp);
    do {
        tmp[--i] = (wchar_t)(L'0' + v % 10);
        v /= 10;
    } while (v);
    wb_putn(b, tmp + i, ARRAY_SIZE(tmp) - i);
}

static void wb_sep(struct wbuf *b)
{
    if (b->len)
        wb_putn(b, L",", 1);
}

static wchar_t *wb_finish(struct wbuf *b)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (!b->p)
        return wdup(L"");
    return b->p;
}

/* ---- numbers and addresses ---- */

static int parse_uint(const wchar_t *s, size_t n, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    size_t i;
    if (n == 0 || n > 10)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < L'0' || s[i] > L'9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - L'0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static int parse_ipv4(const wchar_t *s, size_t n, unsigned char out[4])
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        size_t start = i;
        unsigned long v;
        while (i < n && s[i] != L'.')
            i++;
        if (i - start > 3 || parse_uint(s + start, i - start, 255, &v))
            return -1;
        out[part] = (unsigned char)v;
        if (part < 3) {
            if (i == n)
                return -1;
            i++;
        }
    }
    return i == n ? 0 : -1;
}

static int hexval(wchar_t c)
{
    if (c >= L'0' && c <= L'9')
        return c - L'0';
    if (c >= L'a' && c <= L'f')
        return c - L'a' + 10;
    if (c >= L'A' && c <= L'F')
        return c - L'A' + 10;
    return -1;
}

/* RFC 4291 text forms: eight groups, one "::" for a run of zero groups, an IPv4 tail. */
static int parse_ipv6(const wchar_t *s, size_t n, unsigned char out[16])
{
    unsigned short w[8];
    int nw = 0, gap = -1, k;
    size_t i = 0;

    if (n >= 2 && s[0] == L':' && s[1] == L':') {
        gap = 0;
        i = 2;
    } else if (n == 0 || s[0] == L':') {
        return -1;
    }
    while (i < n) {
        size_t j = i, d;
        int has_dot = 0;
        unsigned v = 0;
        while (j < n && s[j] != L':') {
            if (s[j] == L'.')
                has_dot = 1;
            j++;
        }
        if (has_dot) {
            unsigned char v4[4];
            if (j != n || nw > 6 || parse_ipv4(s + i, j - i, v4))
                return -1;
            w[nw++] = (unsigned short)(v4[0] << 8 | v4[1]);
            w[nw++] = (unsigned short)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (j == i || j - i > 4 || nw == 8)
            return -1;
        for (d = i; d < j; d++) {
            int h = hexval(s[d]);
            if (h < 0)
                return -1;
            v = v << 4 | (unsigned)h;
        }
        w[nw++] = (unsigned short)v;
        i = j;
        if (i == n)
            break;
        i++; /* the ':' */
        if (i < n && s[i] == L':') {
            if (gap >= 0)
                return -1;
            gap = nw;
            i++;
        } else if (i == n) {
            return -1;
        }
    }
    if (gap < 0 ? nw != 8 : nw > 7)
        return -1;
    memset(out, 0, 16);
    if (gap < 0)
        gap = nw;
    for (k = 0; k < gap; k++) {
        out[2 * k] = (unsigned char)(w[k] >> 8);
        out[2 * k + 1] = (unsigned char)w[k];
    }
    for (k = gap; k < nw; k++) {
        int at = 8 - (nw - k);
        out[2 * at] = (unsigned char)(w[k] >> 8);
        out[2 * at + 1] = (unsigned char)w[k];
    }
    return 0;
}

/* 255.255.255.0 -> 24; -1 when the mask is not contiguous. */
static int mask_to_prefix(const unsigned char m[4])
{
    unsigned long v =
        (unsigned long)m[0] << 24 | (unsigned long)m[1] << 16 | (unsigned long)m[2] << 8 | m[3];
    int p = 0;
    while (p < 32 && (v & (0x80000000ul >> p)))
        p++;
    if (p < 32 && (v & (0xfffffffful >> p)))
        return -1;
    return p;
}

static void put_ipv4(struct wbuf *b, const unsigned char a[4])
{
    int i;
    for (i = 0; i < 4; i++) {
        if (i)
            wb_putn(b, L".", 1);
        wb_putu(b, a[i]);
    }
}

/* RFC 5952: lower-case hex, no leading zeros, the longest run (two or more) of zero groups
 * replaced by "::". */
static void put_ipv6(struct wbuf *b, const unsigned char a[16])
{
    static const wchar_t hex[] = L"0123456789abcdef";
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    int best = -1, best_len = 0, i;
    if (memcmp(a, mapped, sizeof(mapped)) == 0) {
        /* IPv4-mapped: the RFC's dotted form. */
        wb_puts(b, L"::ffff:");
        put_ipv4(b, a + 12);
        return;
    }
    for (i = 0; i < 8;) {
        int j = i;
        while (j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (i = 0; i < 8; i++) {
        unsigned v = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        wchar_t tmp[4];
        int n = 0, shift;
        if (i == best) {
            wb_putn(b, L"::", 2);
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len)
            wb_putn(b, L":", 1);
        for (shift = 12; shift >= 0; shift -= 4) {
            unsigned h = (v >> shift) & 0xf;
            if (n || h || shift == 0)
                tmp[n++] = hex[h];
        }
        wb_putn(b, tmp, (size_t)n);
    }
}

static const wchar_t *find_char(const wchar_t *s, size_t n, wchar_t c)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i] == c)
            return s + i;
    }
    return NULL;
}

static int parse_ip(const wchar_t *s, size_t n, int *family, unsigned char out[16])
{
    if (find_char(s, n, L':')) {
        *family = 6;
        return parse_ipv6(s, n, out);
    }
    *family = 4;
    memset(out, 0, 16);
    return parse_ipv4(s, n, out);
}

/* An address, subnet ("a/24", "a/255.255.255.0", "a::/64") or range ("a-b") of either family. */
static int parse_addr(const wchar_t *s, size_t n, struct fwr_addr *out)
{
    const wchar_t *dash = find_char(s, n, L'-');
    const wchar_t *slash = find_char(s, n, L'/');
    int family, family2;

    memset(out, 0, sizeof(*out));
    if (dash) {
        size_t n1 = (size_t)(dash - s);
        if (slash || parse_ip(s, n1, &family, out->a) ||
            parse_ip(dash + 1, n - n1 - 1, &family2, out->b) || family != family2)
            return -1;
        out->family = (unsigned char)family;
        if (memcmp(out->a, out->b, family == 4 ? 4 : 16) > 0)
            return -1;
        out->kind = memcmp(out->a, out->b, 16) ? FWR_ADDR_RANGE : FWR_ADDR_SINGLE;
        return 0;
    }
    if (slash) {
        size_t n1 = (size_t)(slash - s), nm = n - n1 - 1;
        unsigned long prefix;
        if (parse_ip(s, n1, &family, out->a))
            return -1;
        if (family == 4 && find_char(slash + 1, nm, L'.')) {
            unsigned char m[4];
            int p;
            if (parse_ipv4(slash + 1, nm, m) || (p = mask_to_prefix(m)) < 0)
                return -1;
            prefix = (unsigned long)p;
        } else if (parse_uint(slash + 1, nm, family == 4 ? 32 : 128, &prefix)) {
            return -1;
        }
        out->family = (unsigned char)family;
        out->prefix = (unsigned char)prefix;
        /* An IPv6 "/128" reads back as written (issue 440 of ansible-collections/
         * community.windows); an IPv4 "/32" is a single address, shown with its mask anyway. */
        out->kind = family == 4 && prefix == 32 ? FWR_ADDR_SINGLE : FWR_ADDR_SUBNET;
        return 0;
    }
    if (parse_ip(s, n, &family, out->a))
        return -1;
    out->family = (unsigned char)family;
    out->kind = FWR_ADDR_SINGLE;
    return 0;
}

static void put_ip(struct wbuf *b, int family, const unsigned char a[16])
{
    if (family == 4)
        put_ipv4(b, a);
    else
        put_ipv6(b, a);
}

static void prefix_to_mask(unsigned prefix, unsigned char m[4])
{
    unsigned long v = prefix ? 0xfffffffful << (32 - prefix) : 0;
    m[0] = (unsigned char)(v >> 24);
    m[1] = (unsigned char)(v >> 16);
    m[2] = (unsigned char)(v >> 8);
    m[3] = (unsigned char)v;
}

/* com: the form INetFwRule returns, where a lone IPv4 address carries its implied mask. */
static void put_addr(struct wbuf *b, const struct fwr_addr *a, int com)
{
    unsigned char m[4];
    put_ip(b, a->family, a->a);
    switch (a->kind) {
    case FWR_ADDR_RANGE:
        wb_putn(b, L"-", 1);
        put_ip(b, a->family, a->b);
        break;
    case FWR_ADDR_SUBNET:
        wb_putn(b, L"/", 1);
        if (a->family == 4) {
            prefix_to_mask(a->prefix, m);
            put_ipv4(b, m);
        } else {
            wb_putu(b, a->prefix);
        }
        break;
    default:
        if (com && a->family == 4)
            wb_puts(b, L"/255.255.255.255");
        break;
    }
}

/* ---- keyword tables ---- */

struct keyword {
    const wchar_t *com;   /* spelling in INetFwRule properties */
    const wchar_t *store; /* spelling in the rule string */
    unsigned bit;
};

static const struct keyword addr_keywords[] = {
    {L"LocalSubnet", L"LocalSubnet", FWR_ADDR_LOCALSUBNET},
    {L"DNS", L"DNS", FWR_ADDR_DNS},
    {L"DHCP", L"DHCP", FWR_ADDR_DHCP},
    {L"WINS", L"WINS", FWR_ADDR_WINS},
    {L"DefaultGateway", L"DefaultGateway", FWR_ADDR_DEFAULTGATEWAY},
    /* COM spells these as the Firewall CSP does (RmtIntranet, Ply2Renders); RemoteIntranet and
     * PlayToDevice are only PowerShell's parameter names (New-NetFirewallRule on Learn). */
    {L"Intranet", L"IntrAnet", FWR_ADDR_INTRANET},
    {L"RmtIntranet", L"RmtIntrAnet", FWR_ADDR_REMOTEINTRANET},
    {L"Internet", L"IntErnet", FWR_ADDR_INTERNET},
    {L"Ply2Renders", L"Ply2Renders", FWR_ADDR_PLAYTODEVICE},
};
#define ADDR_KEYWORDS_2_20                                                                         \
    (FWR_ADDR_INTRANET | FWR_ADDR_REMOTEINTRANET | FWR_ADDR_INTERNET | FWR_ADDR_PLAYTODEVICE)

static unsigned find_keyword(const struct keyword *t, size_t n, const wchar_t *s, size_t len,
                             int store)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (strnieq(s, len, store ? t[i].store : t[i].com))
            return t[i].bit;
    }
    return 0;
}

/* Port keywords in the store: the field each is written to. */
static const struct {
    const wchar_t *field;
    const wchar_t *token;
    unsigned bit;
} port_store_keywords[] = {
    {L"LPort", L"RPC", FWR_PORT_RPC},
    {L"LPort", L"RPC-EPMap", FWR_PORT_RPC_EPMAP},
    {L"LPort", L"Teredo", FWR_PORT_TEREDO},
    {L"LPort2_10", L"IPTLSIn", FWR_PORT_IPTLS_IN},
    {L"LPort2_10", L"IPHTTPSIn", FWR_PORT_IPHTTPS_IN},
    {L"LPort2_20", L"Ply2Disc", FWR_PORT_PLY2DISC},
    {L"LPort2_24", L"mDNS", FWR_PORT_MDNS},
    {L"RPort2_10", L"IPTLSOut", FWR_PORT_IPTLS_OUT},
    {L"RPort2_10", L"IPHTTPSOut", FWR_PORT_IPHTTPS_OUT},
};
#define PORT_KEYWORDS_LOCAL  0x7f
#define PORT_KEYWORDS_REMOTE (FWR_PORT_IPTLS_OUT | FWR_PORT_IPHTTPS_OUT)

/* Port keywords of INetFwRule and the protocol each needs (RPC, the endpoint mapper and IP-HTTPS
 * are TCP services, Teredo, Play To discovery and mDNS UDP ones). */
static const struct {
    const wchar_t *name;
    unsigned local, remote; /* bits it stands for on LocalPorts / RemotePorts (0: not allowed) */
    int protocol;
} port_com_keywords[] = {
    {L"RPC", FWR_PORT_RPC, 0, FWR_PROTOCOL_TCP},
    {L"RPC-EPMap", FWR_PORT_RPC_EPMAP, 0, FWR_PROTOCOL_TCP},
    {L"IPHTTPS", FWR_PORT_IPTLS_IN | FWR_PORT_IPHTTPS_IN, FWR_PORT_IPTLS_OUT | FWR_PORT_IPHTTPS_OUT,
     FWR_PROTOCOL_TCP},
    {L"Teredo", FWR_PORT_TEREDO, 0, FWR_PROTOCOL_UDP},
    {L"Ply2Disc", FWR_PORT_PLY2DISC, 0, FWR_PROTOCOL_UDP},
    {L"mDNS", FWR_PORT_MDNS, 0, FWR_PROTOCOL_UDP},
};

static int keywords_protocol(unsigned bits)
{
    size_t i;
    for (i = 0; i < ARRAY_SIZE(port_com_keywords); i++) {
        if (bits & (port_com_keywords[i].local | port_com_keywords[i].remote))
            return port_com_keywords[i].protocol;
    }
    return 0;
}

static const struct keyword iftype_keywords[] = {
    {L"Lan", L"Lan", FWR_IF_LAN},
    {L"Wireless", L"Wireless", FWR_IF_WIRELESS},
    {L"RemoteAccess", L"RemoteAccess", FWR_IF_REMOTEACCESS},
};

static const struct keyword profile_keywords[] = {
    {L"Domain", L"Domain", FWR_PROFILE_DOMAIN},
    {L"Private", L"Private", FWR_PROFILE_PRIVATE},
    {L"Public", L"Public", FWR_PROFILE_PUBLIC},
};

/* ---- lists ---- */

static int ports_add(struct fwr_ports *p, unsigned short lo, unsigned short hi)
{
    struct fwr_range *v = realloc(p->v, (p->n + 1) * sizeof(*v));
    if (!v)
        return -2;
    p->v = v;
    p->v[p->n].lo = lo;
    p->v[p->n].hi = hi;
    p->n++;
    return 0;
}

static int addrs_add(struct fwr_addrs *a, const struct fwr_addr *x)
{
    struct fwr_addr *v = realloc(a->v, (a->n + 1) * sizeof(*v));
    if (!v)
        return -2;
    a->v = v;
    a->v[a->n++] = *x;
    return 0;
}

static int icmp_add(struct fwrule *r, int v6, unsigned type, int code)
{
    struct fwr_icmp *v = realloc(r->icmp, (r->n_icmp + 1) * sizeof(*v));
    if (!v)
        return -2;
    r->icmp = v;
    r->icmp[r->n_icmp].v6 = (unsigned char)v6;
    r->icmp[r->n_icmp].type = (unsigned char)type;
    r->icmp[r->n_icmp].code = (short)code;
    r->n_icmp++;
    return 0;
}

/* "80", "5000-5010": a port or range, or -1. */
static int parse_port_range(const wchar_t *s, size_t n, struct fwr_range *out)
{
    const wchar_t *dash = find_char(s, n, L'-');
    unsigned long lo, hi;
    if (dash) {
        size_t n1 = (size_t)(dash - s);
        if (parse_uint(s, n1, 65535, &lo) || parse_uint(dash + 1, n - n1 - 1, 65535, &hi) ||
            lo > hi)
            return -1;
    } else {
        if (parse_uint(s, n, 65535, &lo))
            return -1;
        hi = lo;
    }
    out->lo = (unsigned short)lo;
    out->hi = (unsigned short)hi;
    return 0;
}

/* ---- life cycle ---- */

void fwrule_init(struct fwrule *r)
{
    memset(r, 0, sizeof(*r));
    r->action = FWR_ACTION_ALLOW;
    r->active = 0;
    r->dir = FWR_DIR_IN;
    r->protocol = FWR_PROTOCOL_ANY;
    r->profiles = FWR_PROFILE_ALL;
    r->edge = FWR_EDGE_DENY;
}

static wchar_t **string_slot(struct fwrule *r, enum fwr_string_prop prop)
{
    switch (prop) {
    case FWR_NAME:
        return &r->name;
    case FWR_DESC:
        return &r->desc;
    case FWR_APP:
        return &r->app;
    case FWR_SVC:
        return &r->svc;
    case FWR_GROUPING:
        return &r->embedctxt;
    case FWR_LUOWN:
        return &r->luown;
    case FWR_APPPKGID:
        return &r->apppkgid;
    case FWR_LUAUTH:
        return &r->luauth;
    case FWR_RUAUTH:
        return &r->ruauth;
    case FWR_RMAUTH:
        return &r->rmauth;
    }
    return NULL;
}

#define N_STRING_PROPS (FWR_RMAUTH + 1)

void fwrule_free(struct fwrule *r)
{
    int p;
    size_t i;
    free(r->version);
    for (p = 0; p < N_STRING_PROPS; p++)
        free(*string_slot(r, (enum fwr_string_prop)p));
    free(r->lports.v);
    free(r->rports.v);
    free(r->laddrs.v);
    free(r->raddrs.v);
    free(r->icmp);
    for (i = 0; i < r->n_extra; i++)
        free(r->extra[i]);
    free(r->extra);
    fwrule_init(r);
}

static void *dup_mem(const void *src, size_t size, int *oom)
{
    void *p;
    if (!src || !size)
        return NULL;
    p = malloc(size);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    memcpy(p, src, size);
    return p;
}

static wchar_t *dup_str(const wchar_t *s, int *oom)
{
    wchar_t *d;
    if (!s)
        return NULL;
    d = wdup(s);
    if (!d)
        *oom = 1;
    return d;
}

int fwrule_copy(struct fwrule *dst, const struct fwrule *src)
{
    int oom = 0, p;
    size_t i;
    /* Scalars by assignment, then every pointer cleared before it is duplicated, so a failure
     * half-way frees only what this copy owns. */
    *dst = *src;
    for (p = 0; p < N_STRING_PROPS; p++)
        *string_slot(dst, (enum fwr_string_prop)p) = NULL;
    dst->lports.v = dst->rports.v = NULL;
    dst->laddrs.v = dst->raddrs.v = NULL;
    dst->icmp = NULL;
    dst->version = dup_str(src->version, &oom);
    for (p = 0; p < N_STRING_PROPS; p++)
        *string_slot(dst, (enum fwr_string_prop)p) =
            dup_str(fwrule_get_string(src, (enum fwr_string_prop)p), &oom);
    dst->lports.v = dup_mem(src->lports.v, src->lports.n * sizeof(*src->lports.v), &oom);
    dst->rports.v = dup_mem(src->rports.v, src->rports.n * sizeof(*src->rports.v), &oom);
    dst->laddrs.v = dup_mem(src->laddrs.v, src->laddrs.n * sizeof(*src->laddrs.v), &oom);
    dst->raddrs.v = dup_mem(src->raddrs.v, src->raddrs.n * sizeof(*src->raddrs.v), &oom);
    dst->icmp = dup_mem(src->icmp, src->n_icmp * sizeof(*src->icmp), &oom);
    dst->extra = NULL;
    dst->n_extra = 0;
    if (src->n_extra) {
        dst->extra = calloc(src->n_extra, sizeof(*dst->extra));
        if (!dst->extra) {
            oom = 1;
        } else {
            dst->n_extra = src->n_extra;
            for (i = 0; i < src->n_extra; i++)
                dst->extra[i] = dup_str(src->extra[i], &oom);
        }
    }
    if (oom) {
        fwrule_free(dst);
        return -1;
    }
    return 0;
}

/* ---- parsing the store's format ---- */

/* Fields that may appear once; repeated ones (ports, addresses, profiles...) are not here. */
enum single_field {
    SF_ACTION = 1 << 0,
    SF_ACTIVE = 1 << 1,
    SF_DIR = 1 << 2,
    SF_PROTOCOL = 1 << 3,
    SF_APP = 1 << 4,
    SF_SVC = 1 << 5,
    SF_NAME = 1 << 6,
    SF_DESC = 1 << 7,
    SF_EMBEDCTXT = 1 << 8,
    SF_EDGE = 1 << 9,
    SF_DEFER = 1 << 10,
    SF_LUOWN = 1 << 11,
    SF_APPPKGID = 1 << 12,
    SF_LUAUTH = 1 << 13,
    SF_RUAUTH = 1 << 14,
    SF_RMAUTH = 1 << 15
};

static const struct {
    const wchar_t *key;
    enum fwr_string_prop prop;
    unsigned flag;
} string_fields[] = {
    {L"App", FWR_APP, SF_APP},
    {L"Svc", FWR_SVC, SF_SVC},
    {L"Name", FWR_NAME, SF_NAME},
    {L"Desc", FWR_DESC, SF_DESC},
    {L"EmbedCtxt", FWR_GROUPING, SF_EMBEDCTXT},
    {L"LUOwn", FWR_LUOWN, SF_LUOWN},
    {L"AppPkgId", FWR_APPPKGID, SF_APPPKGID},
    {L"LUAuth", FWR_LUAUTH, SF_LUAUTH},
    {L"RUAuth", FWR_RUAUTH, SF_RUAUTH},
    {L"RMauth", FWR_RMAUTH, SF_RMAUTH},
};

struct parse_state {
    unsigned seen;
    int edge_true, defer_app, defer_user;
    int profile_seen;
};

static int bad_value(struct fwr_error *err, const wchar_t *key, size_t nk, const wchar_t *val,
                     size_t nv, const char *expected)
{
    char kb[80], vb[80];
    fail(err, "field %s has value '%s': expected %s", show(key, nk, kb, sizeof(kb)),
         show(val, nv, vb, sizeof(vb)), expected);
    return -1;
}

static int parse_field(struct fwrule *r, struct parse_state *ps, const wchar_t *key, size_t nk,
                       const wchar_t *val, size_t nv, struct fwr_error *err)
{
    size_t i;
    unsigned flag = 0;
    char kb[80];

    for (i = 0; i < ARRAY_SIZE(string_fields); i++) {
        if (strneq(key, nk, string_fields[i].key)) {
            wchar_t **slot = string_slot(r, string_fields[i].prop);
            flag = string_fields[i].flag;
            if (ps->seen & flag)
                goto repeated;
            ps->seen |= flag;
            *slot = wdup_n(val, nv);
            return *slot ? 0 : -2;
        }
    }
    if (strneq(key, nk, L"Action")) {
        flag = SF_ACTION;
        if (strneq(val, nv, L"Allow"))
            r->action = FWR_ACTION_ALLOW;
        else if (strneq(val, nv, L"Block"))
            r->action = FWR_ACTION_BLOCK;
        else if (strneq(val, nv, L"ByPass"))
            r->action = FWR_ACTION_BYPASS;
        else
            return bad_value(err, key, nk, val, nv, "Allow, Block or ByPass");
    } else if (strneq(key, nk, L"Active")) {
        flag = SF_ACTIVE;
        if (strneq(val, nv, L"TRUE"))
            r->active = 1;
        else if (strneq(val, nv, L"FALSE"))
            r->active = 0;
        else
            return bad_value(err, key, nk, val, nv, "TRUE or FALSE");
    } else if (strneq(key, nk, L"Dir")) {
        flag = SF_DIR;
        if (strneq(val, nv, L"In"))
            r->dir = FWR_DIR_IN;
        else if (strneq(val, nv, L"Out"))
            r->dir = FWR_DIR_OUT;
        else
            return bad_value(err, key, nk, val, nv, "In or Out");
    } else if (strneq(key, nk, L"Protocol")) {
        unsigned long p;
        flag = SF_PROTOCOL;
        if (nv > 3 || parse_uint(val, nv, 255, &p))
            return bad_value(err, key, nk, val, nv, "a protocol number 0-255");
        r->protocol = (int)p;
    } else if (strneq(key, nk, L"Profile")) {
        unsigned bit = find_keyword(profile_keywords, ARRAY_SIZE(profile_keywords), val, nv, 1);
        if (!bit)
            return bad_value(err, key, nk, val, nv, "Domain, Private or Public");
        r->profiles = ps->profile_seen ? r->profiles | bit : bit;
        ps->profile_seen = 1;
    } else if (strneq(key, nk, L"LPort") || strneq(key, nk, L"LPort2_10") ||
               strneq(key, nk, L"LPort2_20") || strneq(key, nk, L"LPort2_24") ||
               strneq(key, nk, L"RPort") || strneq(key, nk, L"RPort2_10")) {
        int remote = key[0] == L'R';
        struct fwr_ports *p = remote ? &r->rports : &r->lports;
        struct fwr_range range;
        for (i = 0; i < ARRAY_SIZE(port_store_keywords); i++) {
            unsigned bit = port_store_keywords[i].bit;
            if ((remote ? PORT_KEYWORDS_REMOTE : PORT_KEYWORDS_LOCAL) & bit &&
                strnieq(val, nv, port_store_keywords[i].token)) {
                p->keywords |= bit;
                return 0;
            }
        }
        if (parse_port_range(val, nv, &range))
            return bad_value(err, key, nk, val, nv, "a port, a range a-b or a port keyword");
        return ports_add(p, range.lo, range.hi);
    } else if (strneq(key, nk, L"ICMP4") || strneq(key, nk, L"ICMP6")) {
        const wchar_t *colon = find_char(val, nv, L':');
        unsigned long type, code = 0;
        int any = 0;
        if (!colon || parse_uint(val, (size_t)(colon - val), 255, &type))
            return bad_value(err, key, nk, val, nv, "type:code");
        if (strneq(colon + 1, nv - (size_t)(colon - val) - 1, L"*"))
            any = 1;
        else if (parse_uint(colon + 1, nv - (size_t)(colon - val) - 1, 255, &code))
            return bad_value(err, key, nk, val, nv, "type:code");
        return icmp_add(r, key[4] == L'6', (unsigned)type, any ? -1 : (int)code);
    } else if (strneq(key, nk, L"LA4") || strneq(key, nk, L"LA6") || strneq(key, nk, L"RA4") ||
               strneq(key, nk, L"RA6") || strneq(key, nk, L"RA42") || strneq(key, nk, L"RA62")) {
        int remote = key[0] == L'R', family = key[2] == L'4' ? 4 : 6, v2_20 = nk == 4;
        struct fwr_addrs *a = remote ? &r->raddrs : &r->laddrs;
        struct fwr_addr addr;
        unsigned bit = find_keyword(addr_keywords, ARRAY_SIZE(addr_keywords), val, nv, 1);
        if (bit) {
            if (!remote || !(bit & ADDR_KEYWORDS_2_20) != !v2_20)
                return bad_value(err, key, nk, val, nv,
                                 v2_20 ? "IntrAnet, RmtIntrAnet, IntErnet or Ply2Renders"
                                       : "an address of its family or (remote) a keyword");
            if (family == 4)
                a->keywords4 |= bit;
            else
                a->keywords6 |= bit;
            return 0;
        }
        if (v2_20 || parse_addr(val, nv, &addr) || addr.family != family)
            return bad_value(err, key, nk, val, nv,
                             family == 4 ? "an IPv4 address, subnet or range"
                                         : "an IPv6 address, subnet or range");
        return addrs_add(a, &addr);
    } else if (strneq(key, nk, L"IFType")) {
        unsigned bit = find_keyword(iftype_keywords, ARRAY_SIZE(iftype_keywords), val, nv, 1);
        if (!bit)
            return bad_value(err, key, nk, val, nv, "Lan, Wireless or RemoteAccess");
        r->iftypes |= bit;
    } else if (strneq(key, nk, L"Edge")) {
        flag = SF_EDGE;
        if (strneq(val, nv, L"TRUE"))
            ps->edge_true = 1;
        else if (!strneq(val, nv, L"FALSE"))
            return bad_value(err, key, nk, val, nv, "TRUE or FALSE");
    } else if (strneq(key, nk, L"Defer")) {
        flag = SF_DEFER;
        if (strneq(val, nv, L"App"))
            ps->defer_app = 1;
        else if (strneq(val, nv, L"User"))
            ps->defer_user = 1;
        else
            return bad_value(err, key, nk, val, nv, "App or User");
    } else {
        /* Not modelled: kept as it stands. */
        wchar_t **v = realloc(r->extra, (r->n_extra + 1) * sizeof(*v));
        if (!v)
            return -2;
        r->extra = v;
        r->extra[r->n_extra] = wdup_n(key, (size_t)(val - key) + nv);
        if (!r->extra[r->n_extra])
            return -2;
        r->n_extra++;
        return 0;
    }
    if (flag) {
        if (ps->seen & flag)
            goto repeated;
        ps->seen |= flag;
    }
    return 0;

repeated:
    fail(err, "field %s appears more than once", show(key, nk, kb, sizeof(kb)));
    return -1;
}

int fwrule_parse(const wchar_t *text, struct fwrule *out, struct fwr_error *err)
{
    struct fwrule r;
    struct parse_state ps;
    const wchar_t *p, *bar;
    int rc;

    fwrule_init(&r);
    memset(&ps, 0, sizeof(ps));
    if (!text || text[0] != L'v') {
        fail(err, "rule text must start with 'v' and a version, like v2.30|");
        return -1;
    }
    bar = wcschr(text, L'|');
    if (!bar) {
        fail(err, "rule text has no '|' after its version");
        return -1;
    }
    for (p = text + 1; p < bar && *p != L'.'; p++)
        ;
    {
        unsigned long major, minor;
        if (p == bar || parse_uint(text + 1, (size_t)(p - text - 1), 999, &major) ||
            parse_uint(p + 1, (size_t)(bar - p - 1), 999, &minor)) {
            char vb[80];
            fail(err, "version '%s' is not <major>.<minor>",
                 show(text + 1, (size_t)(bar - text - 1), vb, sizeof(vb)));
            return -1;
        }
    }
    r.version = wdup_n(text + 1, (size_t)(bar - text - 1));
    if (!r.version) {
        fail(err, "out of memory");
        return -2;
    }
    p = bar + 1;
    if (!*p) {
        fail(err, "rule text has no fields after its version");
        fwrule_free(&r);
        return -1;
    }
    while (*p) {
        const wchar_t *eq;
        bar = wcschr(p, L'|');
        if (!bar) {
            char fb[80];
            fail(err, "field '%s' is not closed by '|'", show(p, wcslen(p), fb, sizeof(fb)));
            goto fail;
        }
        if (bar == p) {
            fail(err, "empty field (\"||\")");
            goto fail;
        }
        eq = find_char(p, (size_t)(bar - p), L'=');
        if (!eq || eq == p) {
            char fb[80];
            fail(err, "field '%s' is not Type=Value", show(p, (size_t)(bar - p), fb, sizeof(fb)));
            goto fail;
        }
        rc = parse_field(&r, &ps, p, (size_t)(eq - p), eq + 1, (size_t)(bar - eq - 1), err);
        if (rc == -2)
            fail(err, "out of memory");
        if (rc)
            goto fail;
        p = bar + 1;
    }
    if (ps.defer_user)
        r.edge = FWR_EDGE_DEFER_TO_USER;
    else if (ps.edge_true)
        r.edge = ps.defer_app ? FWR_EDGE_DEFER_TO_APP : FWR_EDGE_ALLOW;
    *out = r;
    return 0;

fail:
    fwrule_free(&r);
    return -1;
}

/* ---- writing the store's format ---- */

static void field(struct wbuf *b, const wchar_t *key, const wchar_t *value)
{
    wb_puts(b, key);
    wb_putn(b, L"=", 1);
    wb_puts(b, value);
    wb_putn(b, L"|", 1);
}

static void port_fields(struct wbuf *b, const struct fwr_ports *p, int remote)
{
    size_t i;
    const wchar_t *single = remote ? L"RPort=" : L"LPort=";
    const wchar_t *range = remote ? L"RPort2_10=" : L"LPort2_10=";
    for (i = 0; i < p->n; i++) {
        if (p->v[i].lo != p->v[i].hi)
            continue;
        wb_puts(b, single);
        wb_putu(b, p->v[i].lo);
        wb_putn(b, L"|", 1);
    }
    for (i = 0; i < ARRAY_SIZE(port_store_keywords); i++) {
        if ((p->keywords & port_store_keywords[i].bit) && port_store_keywords[i].field[5] == L'\0')
            field(b, port_store_keywords[i].field, port_store_keywords[i].token);
    }
    for (i = 0; i < p->n; i++) {
        if (p->v[i].lo == p->v[i].hi)
            continue;
        wb_puts(b, range);
        wb_putu(b, p->v[i].lo);
        wb_putn(b, L"-", 1);
        wb_putu(b, p->v[i].hi);
        wb_putn(b, L"|", 1);
    }
    for (i = 0; i < ARRAY_SIZE(port_store_keywords); i++) {
        if ((p->keywords & port_store_keywords[i].bit) && port_store_keywords[i].field[5] != L'\0')
            field(b, port_store_keywords[i].field, port_store_keywords[i].token);
    }
}

/* LA4, LA6, RA4 and RA6 (keywords, then addresses), then the 2.20 keywords in RA42 and RA62:
 * Windows sizes and writes each schema version's fields as a group. */
static void addr_fields(struct wbuf *b, const struct fwr_addrs *a, int remote, int family)
{
    const wchar_t *key = remote ? (family == 4 ? L"RA4" : L"RA6") : (family == 4 ? L"LA4" : L"LA6");
    unsigned kw = family == 4 ? a->keywords4 : a->keywords6;
    size_t i;
    for (i = 0; i < ARRAY_SIZE(addr_keywords); i++) {
        if ((kw & addr_keywords[i].bit) && !(addr_keywords[i].bit & ADDR_KEYWORDS_2_20))
            field(b, key, addr_keywords[i].store);
    }
    for (i = 0; i < a->n; i++) {
        if (a->v[i].family != family)
            continue;
        wb_puts(b, key);
        wb_putn(b, L"=", 1);
        put_addr(b, &a->v[i], 0);
        wb_putn(b, L"|", 1);
    }
}

static void addr_fields_2_20(struct wbuf *b, const struct fwr_addrs *a, int family)
{
    unsigned kw = family == 4 ? a->keywords4 : a->keywords6;
    size_t i;
    for (i = 0; i < ARRAY_SIZE(addr_keywords); i++) {
        if ((kw & addr_keywords[i].bit) && (addr_keywords[i].bit & ADDR_KEYWORDS_2_20))
            field(b, family == 4 ? L"RA42" : L"RA62", addr_keywords[i].store);
    }
}

wchar_t *fwrule_format(const struct fwrule *r)
{
    static const wchar_t *const actions[] = {L"Block", L"Allow", L"ByPass"};
    struct wbuf b = {0};
    size_t i;

    wb_putn(&b, L"v", 1);
    wb_puts(&b, r->version ? r->version : FWR_VERSION);
    wb_putn(&b, L"|", 1);
    field(&b, L"Action", actions[r->action >= 0 && r->action <= 2 ? r->action : 1]);
    field(&b, L"Active", r->active ? L"TRUE" : L"FALSE");
    field(&b, L"Dir", r->dir == FWR_DIR_OUT ? L"Out" : L"In");
    if (r->protocol != FWR_PROTOCOL_ANY) {
        wb_puts(&b, L"Protocol=");
        wb_putu(&b, (unsigned long)r->protocol);
        wb_putn(&b, L"|", 1);
    }
    if (r->profiles != FWR_PROFILE_ALL) {
        for (i = 0; i < ARRAY_SIZE(profile_keywords); i++) {
            if (r->profiles & profile_keywords[i].bit)
                field(&b, L"Profile", profile_keywords[i].store);
        }
    }
    for (i = 0; i < r->n_icmp; i++) {
        wb_puts(&b, r->icmp[i].v6 ? L"ICMP6=" : L"ICMP4=");
        wb_putu(&b, r->icmp[i].type);
        wb_putn(&b, L":", 1);
        if (r->icmp[i].code < 0)
            wb_putn(&b, L"*", 1);
        else
            wb_putu(&b, (unsigned long)r->icmp[i].code);
        wb_putn(&b, L"|", 1);
    }
    port_fields(&b, &r->lports, 0);
    port_fields(&b, &r->rports, 1);
    addr_fields(&b, &r->laddrs, 0, 4);
    addr_fields(&b, &r->laddrs, 0, 6);
    addr_fields(&b, &r->raddrs, 1, 4);
    addr_fields(&b, &r->raddrs, 1, 6);
    addr_fields_2_20(&b, &r->raddrs, 4);
    addr_fields_2_20(&b, &r->raddrs, 6);
    for (i = 0; i < ARRAY_SIZE(iftype_keywords); i++) {
        if (r->iftypes & iftype_keywords[i].bit)
            field(&b, L"IFType", iftype_keywords[i].store);
    }
    if (r->app)
        field(&b, L"App", r->app);
    if (r->svc)
        field(&b, L"Svc", r->svc);
    if (r->name)
        field(&b, L"Name", r->name);
    if (r->desc)
        field(&b, L"Desc", r->desc);
    if (r->luown)
        field(&b, L"LUOwn", r->luown);
    if (r->apppkgid)
        field(&b, L"AppPkgId", r->apppkgid);
    if (r->luauth)
        field(&b, L"LUAuth", r->luauth);
    if (r->embedctxt)
        field(&b, L"EmbedCtxt", r->embedctxt);
    if (r->edge == FWR_EDGE_ALLOW || r->edge == FWR_EDGE_DEFER_TO_APP)
        field(&b, L"Edge", L"TRUE");
    if (r->edge == FWR_EDGE_DEFER_TO_APP)
        field(&b, L"Defer", L"App");
    if (r->edge == FWR_EDGE_DEFER_TO_USER)
        field(&b, L"Defer", L"User");
    if (r->rmauth)
        field(&b, L"RMauth", r->rmauth);
    if (r->ruauth)
        field(&b, L"RUAuth", r->ruauth);
    for (i = 0; i < r->n_extra; i++) {
        wb_puts(&b, r->extra[i]);
        wb_putn(&b, L"|", 1);
    }
    return wb_finish(&b);
}

/* ---- INetFwRule properties ---- */

/* Splits a comma-separated COM value; empty tokens (a trailing comma, as some clients write
 * "RPC,") are skipped. Calls fn for each token; stops at the first non-zero result. */
typedef int (*token_fn)(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err);

static int each_token(const wchar_t *value, token_fn fn, void *ctx, struct fwr_error *err)
{
    const wchar_t *p = value;
    while (*p) {
        const wchar_t *e = wcschr(p, L',');
        size_t n = e ? (size_t)(e - p) : wcslen(p);
        if (n) {
            int rc = fn(ctx, p, n, err);
            if (rc)
                return rc;
        }
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* NULL, "" and "*" all mean "any": the property is cleared. A "*" among other tokens is
 * refused, as documented ("If present, this must be the only token included"). */
static int is_any(const wchar_t *v)
{
    return !v || !*v || (v[0] == L'*' && v[1] == L'\0');
}

static int has_bare_star(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    (void)ctx;
    if (n == 1 && s[0] == L'*') {
        fail(err, "'*' (any) must be the only value");
        return -1;
    }
    return 0;
}

/* Runs fn over the tokens of a list value after refusing a "*" among other tokens; a value that
 * means "any" has no tokens. */
static int each_list_token(const wchar_t *value, token_fn fn, void *ctx, struct fwr_error *err)
{
    int rc;
    if (is_any(value))
        return 0;
    rc = each_token(value, has_bare_star, NULL, err);
    return rc ? rc : each_token(value, fn, ctx, err);
}

int fwrule_put_string(struct fwrule *r, enum fwr_string_prop prop, const wchar_t *value,
                      struct fwr_error *err)
{
    wchar_t **slot = string_slot(r, prop), *copy = NULL;
    if (value && wcslen(value) > FWR_MAX_STRING) {
        fail(err, "value is longer than %d characters", FWR_MAX_STRING);
        return -1;
    }
    if (value && wcschr(value, L'|')) {
        fail(err, "value must not contain '|' (the rule store separates fields with it)");
        return -1;
    }
    if (prop == FWR_NAME && (!value || !*value)) {
        fail(err, "Name is required and must not be empty");
        return -1;
    }
    if (prop == FWR_NAME && fwr_strieq(value, L"all")) {
        fail(err, "Name must not be \"all\"");
        return -1;
    }
    if (value && (*value || prop == FWR_NAME)) {
        copy = wdup(value);
        if (!copy)
            return -2;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

const wchar_t *fwrule_get_string(const struct fwrule *r, enum fwr_string_prop prop)
{
    return *string_slot((struct fwrule *)r, prop);
}

static int is_tcp_udp(int protocol)
{
    return protocol == FWR_PROTOCOL_TCP || protocol == FWR_PROTOCOL_UDP;
}

static int is_icmp(int protocol)
{
    return protocol == FWR_PROTOCOL_ICMP4 || protocol == FWR_PROTOCOL_ICMP6;
}

int fwrule_put_protocol(struct fwrule *r, long protocol, struct fwr_error *err)
{
    int has_ports = r->lports.n || r->lports.keywords || r->rports.n || r->rports.keywords;
    int kw_proto = keywords_protocol(r->lports.keywords | r->rports.keywords);
    if (protocol < 0 || protocol > FWR_PROTOCOL_ANY) {
        fail(err, "protocol %ld is out of range: expected 0-255, or 256 for any", protocol);
        return -1;
    }
    if (has_ports && !is_tcp_udp((int)protocol)) {
        fail(err,
             "the rule has ports: set LocalPorts and RemotePorts to \"*\" before changing "
             "Protocol to %ld",
             protocol);
        return -1;
    }
    if (kw_proto && kw_proto != protocol) {
        fail(err, "the rule's port keywords need protocol %d", kw_proto);
        return -1;
    }
    if (r->n_icmp && protocol != r->protocol) {
        fail(err, "the rule has ICMP types: set IcmpTypesAndCodes to \"*\" before changing "
                  "Protocol");
        return -1;
    }
    r->protocol = (int)protocol;
    return 0;
}

struct ports_ctx {
    struct fwr_ports ports;
    int remote, protocol;
};

static int port_token(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    struct ports_ctx *c = ctx;
    struct fwr_range range;
    size_t i;
    char tb[80];
    for (i = 0; i < ARRAY_SIZE(port_com_keywords); i++) {
        unsigned bits;
        if (!strnieq(s, n, port_com_keywords[i].name))
            continue;
        bits = c->remote ? port_com_keywords[i].remote : port_com_keywords[i].local;
        if (!bits) {
            fail(err, "port keyword '%s' is not allowed on RemotePorts",
                 show(s, n, tb, sizeof(tb)));
            return -1;
        }
        if (port_com_keywords[i].protocol != c->protocol) {
            fail(err, "port keyword '%s' needs Protocol %d", show(s, n, tb, sizeof(tb)),
                 port_com_keywords[i].protocol);
            return -1;
        }
        c->ports.keywords |= bits;
        return 0;
    }
    if (parse_port_range(s, n, &range)) {
        fail(err,
             "'%s' is not a port: expected a number 0-65535, a range a-b with a <= b, or a "
             "keyword (RPC, RPC-EPMap, IPHTTPS, Teredo, Ply2Disc, mDNS)",
             show(s, n, tb, sizeof(tb)));
        return -1;
    }
    return ports_add(&c->ports, range.lo, range.hi);
}

int fwrule_put_ports(struct fwrule *r, int remote, const wchar_t *value, struct fwr_error *err)
{
    struct ports_ctx c;
    struct fwr_ports *dst = remote ? &r->rports : &r->lports;
    int rc;

    memset(&c, 0, sizeof(c));
    c.remote = remote;
    c.protocol = r->protocol;
    if (!is_any(value) && !is_tcp_udp(r->protocol)) {
        fail(err, "%s need Protocol TCP (6) or UDP (17) first; the rule's protocol is %d",
             remote ? "RemotePorts" : "LocalPorts", r->protocol);
        return -1;
    }
    rc = each_list_token(value, port_token, &c, err);
    if (!rc && !remote && c.ports.keywords && r->dir == FWR_DIR_OUT) {
        /* MS-FASP 2.2.37: LocalPorts keywords MUST be 0 on an outbound rule (RPC and RPC-EPMap
         * need Direction in). */
        fail(err, "port keywords on LocalPorts need an inbound rule; this rule is outbound");
        rc = -1;
    }
    if (rc) {
        free(c.ports.v);
        return rc;
    }
    free(dst->v);
    *dst = c.ports;
    return 0;
}

wchar_t *fwrule_get_ports(const struct fwrule *r, int remote)
{
    const struct fwr_ports *p = remote ? &r->rports : &r->lports;
    struct wbuf b = {0};
    size_t i, pass;
    if (!p->n && !p->keywords)
        return is_tcp_udp(r->protocol) ? wdup(L"*") : NULL;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < p->n; i++) {
            if ((p->v[i].lo != p->v[i].hi) != (int)pass)
                continue;
            wb_sep(&b);
            wb_putu(&b, p->v[i].lo);
            if (p->v[i].lo != p->v[i].hi) {
                wb_putn(&b, L"-", 1);
                wb_putu(&b, p->v[i].hi);
            }
        }
    }
    for (i = 0; i < ARRAY_SIZE(port_com_keywords); i++) {
        if (p->keywords & (remote ? port_com_keywords[i].remote : port_com_keywords[i].local)) {
            wb_sep(&b);
            wb_puts(&b, port_com_keywords[i].name);
        }
    }
    return wb_finish(&b);
}

struct addrs_ctx {
    struct fwr_addrs addrs;
    int remote;
    unsigned options; /* enum fwr_addr_option */
};

static int ipv6_is(const unsigned char a[16], unsigned char last)
{
    static const unsigned char zero[15];
    return memcmp(a, zero, 15) == 0 && a[15] == last;
}

/* What the firewall service refuses after COM has parsed the value: MS-FASP 2.2.4 ("A
 * dwSubNetMask of 0x00000000 is invalid"), 2.2.6 (an IPv6 prefix "MUST NOT be greater than 128
 * and not less than 1", the address "MUST not be a loopback address"), 2.2.10 (the same for
 * ranges); put_RemoteAddresses("::1") fails with 0xD000000D (falahati/WindowsFirewallHelper
 * issue 8). NULL when it is accepted. */
static const char *service_refusal(const struct fwr_addr *a, unsigned options)
{
    int single = a->kind == FWR_ADDR_SINGLE || (a->kind == FWR_ADDR_SUBNET && a->prefix == 128);
    if (a->kind == FWR_ADDR_SUBNET && a->prefix == 0)
        return a->family == 4 ? "a subnet mask of 0.0.0.0 is invalid"
                              : "an IPv6 prefix must be 1 to 128";
    if (a->family == 6) {
        if ((single || a->kind == FWR_ADDR_RANGE) &&
            (ipv6_is(a->a, 1) || (a->kind == FWR_ADDR_RANGE && ipv6_is(a->b, 1))))
            return "the IPv6 loopback address is refused";
        if (single && ipv6_is(a->a, 0))
            return "the IPv6 unspecified address is refused";
    } else if ((options & FWR_REFUSE_IPV4_LOOPBACK) &&
               (a->a[0] == 127 || (a->kind == FWR_ADDR_RANGE && a->b[0] == 127))) {
        return "the IPv4 loopback network is refused";
    }
    return NULL;
}

static int addr_token(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    struct addrs_ctx *c = ctx;
    struct fwr_addr addr;
    unsigned bit = find_keyword(addr_keywords, ARRAY_SIZE(addr_keywords), s, n, 0);
    const char *reason;
    char tb[80];
    if (bit) {
        /* The store has no field for a local address keyword: LA4/LA6 take addresses only
         * (MS-GPFAS 2.2.2.19). */
        if (!c->remote) {
            fail(err, "address keyword '%s' is only allowed on RemoteAddresses",
                 show(s, n, tb, sizeof(tb)));
            return -1;
        }
        c->addrs.keywords4 |= bit;
        c->addrs.keywords6 |= bit;
        return 0;
    }
    if (parse_addr(s, n, &addr)) {
        fail(err,
             "'%s' is not an address: expected an IPv4 or IPv6 address, a subnet (a/24, "
             "a/255.255.255.0, a::/64), a range a-b with a <= b, or a keyword (LocalSubnet, DNS, "
             "DHCP, WINS, DefaultGateway, Intranet, RmtIntranet, Internet, Ply2Renders)",
             show(s, n, tb, sizeof(tb)));
        return -1;
    }
    reason = service_refusal(&addr, c->options);
    if (reason) {
        fail(err, "'%s': %s (MS-FASP 2.2.4-2.2.10)", show(s, n, tb, sizeof(tb)), reason);
        return FWR_REFUSED_BY_SERVICE;
    }
    return addrs_add(&c->addrs, &addr);
}

int fwrule_put_addresses(struct fwrule *r, int remote, const wchar_t *value, struct fwr_error *err)
{
    return fwrule_put_addresses_opt(r, remote, value, 0, err);
}

int fwrule_put_addresses_opt(struct fwrule *r, int remote, const wchar_t *value, unsigned options,
                             struct fwr_error *err)
{
    struct addrs_ctx c;
    struct fwr_addrs *dst = remote ? &r->raddrs : &r->laddrs;
    int rc;
    memset(&c, 0, sizeof(c));
    c.remote = remote;
    c.options = options;
    rc = each_list_token(value, addr_token, &c, err);
    if (rc) {
        free(c.addrs.v);
        return rc;
    }
    free(dst->v);
    *dst = c.addrs;
    return 0;
}

/* The last address an entry covers. */
static void addr_last(const struct fwr_addr *a, unsigned char out[16])
{
    unsigned bits = a->family == 4 ? 32u : 128u, i;
    memcpy(out, a->kind == FWR_ADDR_RANGE ? a->b : a->a, 16);
    if (a->kind != FWR_ADDR_SUBNET)
        return;
    for (i = a->prefix; i < bits; i++)
        out[i / 8] |= (unsigned char)(0x80u >> (i % 8));
}

static int addr_cmp(const struct fwr_addr *x, const struct fwr_addr *y)
{
    unsigned char lx[16], ly[16];
    int c = memcmp(x->a, y->a, 16);
    if (c)
        return c;
    addr_last(x, lx);
    addr_last(y, ly);
    return memcmp(lx, ly, 16);
}

/* Entry i lies inside another entry of the list (of two equal entries, the later one does). */
static int addr_contained(const struct fwr_addrs *a, size_t i)
{
    unsigned char li[16], lj[16];
    size_t j;
    addr_last(&a->v[i], li);
    for (j = 0; j < a->n; j++) {
        if (j == i || a->v[j].family != a->v[i].family)
            continue;
        addr_last(&a->v[j], lj);
        if (memcmp(a->v[j].a, a->v[i].a, 16) <= 0 && memcmp(li, lj, 16) <= 0 &&
            (addr_cmp(&a->v[i], &a->v[j]) != 0 || j < i))
            return 1;
    }
    return 0;
}

/* Windows reads a list back reordered: IPv4 entries before IPv6 ones, IPv4 sorted by number
 * (ansible-collections/community.windows issue 440); the IPv6 order is kept, since no source
 * shows it changed. Keywords come first (no source either way). With FWR_DROP_CONTAINED, an
 * entry inside another is left out (low confidence: falahati/WindowsFirewallHelper issue 64). */
wchar_t *fwrule_get_addresses_opt(const struct fwrule *r, int remote, unsigned options)
{
    const struct fwr_addrs *a = remote ? &r->raddrs : &r->laddrs;
    unsigned kw = a->keywords4 | a->keywords6;
    struct wbuf b = {0};
    size_t i, j, *order;
    if (!a->n && !kw)
        return wdup(L"*");
    order = malloc((a->n ? a->n : 1) * sizeof(*order));
    if (!order)
        return NULL;
    for (i = 0; i < ARRAY_SIZE(addr_keywords); i++) {
        if (kw & addr_keywords[i].bit) {
            wb_sep(&b);
            wb_puts(&b, addr_keywords[i].com);
        }
    }
    for (i = 0; i < a->n; i++) { /* insertion sort: IPv4 by number, then IPv6 as written */
        for (j = i; j > 0; j--) {
            const struct fwr_addr *p = &a->v[order[j - 1]], *x = &a->v[i];
            if (p->family < x->family || (p->family == 6 && x->family == 6) ||
                (p->family == 4 && x->family == 4 && addr_cmp(p, x) <= 0))
                break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    for (i = 0; i < a->n; i++) {
        if ((options & FWR_DROP_CONTAINED) && addr_contained(a, order[i]))
            continue;
        wb_sep(&b);
        put_addr(&b, &a->v[order[i]], 1);
    }
    free(order);
    return wb_finish(&b);
}

wchar_t *fwrule_get_addresses(const struct fwrule *r, int remote)
{
    return fwrule_get_addresses_opt(r, remote, 0);
}

struct icmp_ctx {
    struct fwrule tmp; /* only icmp/n_icmp used */
    int v6;
};

static int icmp_token(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    struct icmp_ctx *c = ctx;
    const wchar_t *colon = find_char(s, n, L':');
    unsigned long type, code = 0;
    int any = 0;
    char tb[80];
    if (colon && !parse_uint(s, (size_t)(colon - s), 255, &type)) {
        size_t nc = n - (size_t)(colon - s) - 1;
        if (nc == 1 && colon[1] == L'*')
            any = 1;
        else if (parse_uint(colon + 1, nc, 255, &code))
            colon = NULL;
    } else {
        colon = NULL;
    }
    if (!colon) {
        fail(err, "'%s' is not an ICMP type:code: expected type 0-255, code 0-255 or *",
             show(s, n, tb, sizeof(tb)));
        return -1;
    }
    return icmp_add(&c->tmp, c->v6, (unsigned)type, any ? -1 : (int)code);
}

int fwrule_put_icmp(struct fwrule *r, const wchar_t *value, struct fwr_error *err)
{
    struct icmp_ctx c;
    int rc;
    memset(&c, 0, sizeof(c));
    c.v6 = r->protocol == FWR_PROTOCOL_ICMP6;
    if (!is_any(value) && !is_icmp(r->protocol)) {
        fail(err,
             "IcmpTypesAndCodes need Protocol ICMPv4 (1) or ICMPv6 (58) first; the rule's "
             "protocol is %d",
             r->protocol);
        return -1;
    }
    rc = each_list_token(value, icmp_token, &c, err);
    if (rc) {
        free(c.tmp.icmp);
        return rc;
    }
    free(r->icmp);
    r->icmp = c.tmp.icmp;
    r->n_icmp = c.tmp.n_icmp;
    return 0;
}

wchar_t *fwrule_get_icmp(const struct fwrule *r)
{
    struct wbuf b = {0};
    size_t i;
    if (!r->n_icmp)
        return is_icmp(r->protocol) ? wdup(L"*") : NULL;
    for (i = 0; i < r->n_icmp; i++) {
        wb_sep(&b);
        wb_putu(&b, r->icmp[i].type);
        wb_putn(&b, L":", 1);
        if (r->icmp[i].code < 0)
            wb_putn(&b, L"*", 1);
        else
            wb_putu(&b, (unsigned long)r->icmp[i].code);
    }
    return wb_finish(&b);
}

static int iftype_token(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    unsigned *bits = ctx;
    unsigned bit = find_keyword(iftype_keywords, ARRAY_SIZE(iftype_keywords), s, n, 0);
    char tb[80];
    if (!bit) {
        fail(err, "'%s' is not an interface type: expected Lan, Wireless, RemoteAccess or All",
             show(s, n, tb, sizeof(tb)));
        return -1;
    }
    *bits |= bit;
    return 0;
}

static int has_bare_all(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    (void)ctx;
    if (strnieq(s, n, L"All")) {
        fail(err, "\"All\" must be the only interface type");
        return -1;
    }
    return 0;
}

int fwrule_put_iftypes(struct fwrule *r, const wchar_t *value, struct fwr_error *err)
{
    unsigned bits = 0;
    int rc;
    if (value && *value && !fwr_strieq(value, L"All")) {
        rc = each_token(value, has_bare_all, NULL, err);
        if (!rc)
            rc = each_token(value, iftype_token, &bits, err);
        if (rc)
            return rc;
    }
    r->iftypes = bits;
    return 0;
}

wchar_t *fwrule_get_iftypes(const struct fwrule *r)
{
    struct wbuf b = {0};
    size_t i;
    if (!r->iftypes)
        return wdup(L"All");
    for (i = 0; i < ARRAY_SIZE(iftype_keywords); i++) {
        if (r->iftypes & iftype_keywords[i].bit) {
            wb_sep(&b);
            wb_puts(&b, iftype_keywords[i].com);
        }
    }
    return wb_finish(&b);
}

int fwrule_put_direction(struct fwrule *r, long dir, struct fwr_error *err)
{
    if (dir != FWR_DIR_IN && dir != FWR_DIR_OUT) {
        fail(err, "direction %ld: expected NET_FW_RULE_DIR_IN (1) or NET_FW_RULE_DIR_OUT (2)", dir);
        return -1;
    }
    if (dir == FWR_DIR_OUT && r->lports.keywords) {
        fail(err, "the rule has port keywords on LocalPorts, which an outbound rule cannot have: "
                  "set LocalPorts to ports or \"*\" first");
        return -1;
    }
    r->dir = (int)dir;
    return 0;
}

int fwrule_put_action(struct fwrule *r, long action, struct fwr_error *err)
{
    if (action != FWR_ACTION_BLOCK && action != FWR_ACTION_ALLOW) {
        fail(err, "action %ld: expected NET_FW_ACTION_BLOCK (0) or NET_FW_ACTION_ALLOW (1)",
             action);
        return -1;
    }
    r->action = (int)action;
    return 0;
}

int fwrule_put_profiles(struct fwrule *r, long profiles, struct fwr_error *err)
{
    unsigned long p = (unsigned long)profiles;
    if (p != FWR_PROFILE_ALL && (p == 0 || (p & ~7ul))) {
        fail(err,
             "profiles 0x%lx: expected a combination of Domain (1), Private (2), Public (4), "
             "or NET_FW_PROFILE2_ALL",
             p);
        return -1;
    }
    r->profiles = (unsigned)p;
    return 0;
}

int fwrule_put_edge(struct fwrule *r, long option, struct fwr_error *err)
{
    if (option < FWR_EDGE_DENY || option > FWR_EDGE_DEFER_TO_USER) {
        fail(err, "edge traversal option %ld: expected 0-3 (NET_FW_EDGE_TRAVERSAL_TYPE)", option);
        return -1;
    }
    r->edge = (int)option;
    return 0;
}

int fwrule_has_interfaces(const struct fwrule *r)
{
    size_t i;
    for (i = 0; i < r->n_extra; i++) {
        if (wcsncmp(r->extra[i], L"IF=", 3) == 0)
            return 1;
    }
    return 0;
}

int fwr_is_braced_guid(const wchar_t *s, size_t n)
{
    static const char shape[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
    size_t i;
    if (n != sizeof(shape) - 1)
        return 0;
    for (i = 0; i < n; i++) {
        if (shape[i] == 'x' ? hexval(s[i]) < 0 : s[i] != (wchar_t)shape[i])
            return 0;
    }
    return 1;
}

/* The new IF= fields, collected before any is applied so a refused token changes nothing. */
struct if_list {
    wchar_t **v;
    size_t n;
};

static int if_collect(void *ctx, const wchar_t *s, size_t n, struct fwr_error *err)
{
    struct if_list *l = ctx;
    wchar_t **v;
    char buf[80];
    if (!fwr_is_braced_guid(s, n)) {
        fail(err,
             "interface '%s': expected a GUID in braces, {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}",
             show(s, n, buf, sizeof(buf)));
        return -1;
    }
    v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v)
        return -2;
    l->v = v;
    l->v[l->n] = malloc((n + 4) * sizeof(wchar_t));
    if (!l->v[l->n])
        return -2;
    wmemcpy(l->v[l->n], L"IF=", 3);
    wmemcpy(l->v[l->n] + 3, s, n);
    l->v[l->n++][n + 3] = L'\0';
    return 0;
}

int fwrule_put_interfaces(struct fwrule *r, const wchar_t *value, struct fwr_error *err)
{
    struct if_list l = {NULL, 0};
    wchar_t **extra;
    size_t i;
    int rc = value ? each_token(value, if_collect, &l, err) : 0;
    extra = rc ? NULL : realloc(r->extra, (r->n_extra + l.n + 1) * sizeof(*extra));
    if (!rc && !extra)
        rc = -2;
    if (rc) {
        for (i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        return rc;
    }
    r->extra = extra;
    fwrule_drop_extra(r, L"IF=");
    for (i = 0; i < l.n; i++)
        r->extra[r->n_extra++] = l.v[i];
    free(l.v);
    return 0;
}

wchar_t *fwrule_get_interfaces(const struct fwrule *r)
{
    struct wbuf b = {0};
    size_t i;
    if (!fwrule_has_interfaces(r))
        return NULL;
    for (i = 0; i < r->n_extra; i++) {
        if (wcsncmp(r->extra[i], L"IF=", 3) == 0) {
            wb_sep(&b);
            wb_puts(&b, r->extra[i] + 3);
        }
    }
    return wb_finish(&b);
}

void fwrule_drop_extra(struct fwrule *r, const wchar_t *prefix)
{
    size_t i, n = 0, len = wcslen(prefix);
    for (i = 0; i < r->n_extra; i++) {
        if (wcsncmp(r->extra[i], prefix, len) == 0)
            free(r->extra[i]);
        else
            r->extra[n++] = r->extra[i];
    }
    r->n_extra = n;
}
