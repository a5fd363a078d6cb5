#include "dlo/addr.h"

#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

#define KEYWORD_LIST                                                                               \
    "LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, RmtIntranet, Internet, Ply2Renders"

#define EXPECTED                                                                                   \
    "expected an IPv4 or IPv6 address, a subnet (address/prefix-length or IPv4 address/mask), a "  \
    "range (start-end, no blanks), * alone, or one of the keywords " KEYWORD_LIST

/* Keywords by any spelling the firewall tools use, and the spelling INetFwRule reads back.
 * PowerShell's names (IntranetRemoteAccess, PlayToDevice) are accepted for convenience. */
static const struct {
    const char *name;
    const char *normal;
} keywords[] = {
    {"localsubnet", "LocalSubnet"},
    {"dns", "DNS"},
    {"dhcp", "DHCP"},
    {"wins", "WINS"},
    {"defaultgateway", "DefaultGateway"},
    {"intranet", "Intranet"},
    {"rmtintranet", "RmtIntranet"},
    {"remoteintranet", "RmtIntranet"},
    {"intranetremoteaccess", "RmtIntranet"},
    {"internet", "Internet"},
    {"ply2renders", "Ply2Renders"},
    {"playtodevice", "Ply2Renders"},
};

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

/* Appends the normal form of one token (blanks already trimmed, n > 0). */
static dlo_status normalize_token(const char *t, size_t n, dlo_buf *out, dlo_error *err)
{
    const char *sep;
    size_t i;
    ip x, y;

    for (i = 0; i < n; i++)
        if (dlo_is_blank(t[i]) || (unsigned char)t[i] < 0x20)
            return bad(err, t, n, "contains a blank or a control character; " EXPECTED);
    for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (dlo_equals_ci(t, n, keywords[i].name)) {
            dlo_buf_puts(out, keywords[i].normal);
            return DLO_OK;
        }
    }
    if ((sep = memchr(t, '-', n)) != NULL) {
        size_t left = (size_t)(sep - t);
        if (!parse_ip(t, left, &x) || !parse_ip(sep + 1, n - left - 1, &y))
            return bad(err, t, n,
                       "is not a range of two addresses; expected start-end with two IPv4 or "
                       "two IPv6 addresses and no blanks, e.g. 10.0.0.1-10.0.0.99");
        if (x.family != y.family)
            return bad(err, t, n, "mixes IPv4 and IPv6; expected a range within one family");
        if (memcmp(x.a, y.a, x.family == 4 ? 4 : 16) > 0)
            return bad(err, t, n, "starts after it ends; expected start-end with start <= end");
        format_ip(out, &x);
        dlo_buf_putc(out, '-');
        format_ip(out, &y);
        return DLO_OK;
    }
    if ((sep = memchr(t, '/', n)) != NULL) {
        size_t left = (size_t)(sep - t), rn = n - left - 1;
        const char *r = sep + 1;
        unsigned prefix = 0, max;
        unsigned char m[4];

        if (!parse_ip(t, left, &x))
            return bad(err, t, n,
                       "is not a subnet: the part before '/' is not an address; " EXPECTED);
        max = x.family == 4 ? 32 : 128;
        for (i = 0; i < rn && is_digit(r[i]); i++)
            prefix = prefix * 10 + (unsigned)(r[i] - '0');
        if (rn > 0 && rn <= 3 && i == rn && (rn == 1 || r[0] != '0')) {
            if (prefix > max)
                return bad(err, t, n,
                           x.family == 4 ? "has a prefix length over 32; expected 0-32 for IPv4"
                                         : "has a prefix length over 128; expected 0-128 for IPv6");
        } else if (x.family == 4 && dlo_addr_parse_ipv4(r, rn, m)) {
            int p = mask_prefix(m);
            if (p < 0)
                return bad(err, t, n,
                           "has a mask that is not contiguous; expected a mask such as "
                           "255.255.255.0 or a prefix length such as /24");
            prefix = (unsigned)p;
        } else {
            return bad(err, t, n,
                       x.family == 4 ? "has a malformed mask; expected /0-/32 or a dotted mask "
                                       "such as /255.255.255.0"
                                     : "has a malformed prefix length; expected /0-/128");
        }
        format_ip(out, &x);
        if (x.family == 4)
            format_v4_mask(out, prefix);
        else
            dlo_buf_printf(out, "/%u", prefix);
        return DLO_OK;
    }
    if (memchr(t, '%', n))
        return bad(err, t, n,
                   "has a zone index (%...), which the firewall does not accept; expected the "
                   "address alone");
    if (parse_ip(t, n, &x)) {
        format_ip(out, &x);
        dlo_buf_puts(out, x.family == 4 ? "/255.255.255.255" : "/128");
        return DLO_OK;
    }
    for (i = 0; i < n; i++)
        if ((dlo_ascii_lower(t[i]) >= 'g' && dlo_ascii_lower(t[i]) <= 'z'))
            return bad(err, t, n,
                       "is not an address or a keyword the firewall knows (host names are not "
                       "accepted); " EXPECTED);
    return bad(err, t, n, "is not a valid address; " EXPECTED);
}

/* True if the ','-separated list in b already holds tok. */
static bool list_has(const dlo_buf *b, const char *tok, size_t n)
{
    const char *p = dlo_buf_str(b);
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == n && memcmp(p, tok, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

dlo_status dlo_addr_normalize(const char *const *tokens, size_t n, dlo_buf *out, dlo_error *err)
{
    dlo_buf one;
    size_t i, total = 0, entries = 0;
    bool star = false, all_blank = true;
    dlo_status st = DLO_OK;

    dlo_buf_reset(out);
    dlo_buf_init(&one);
    for (i = 0; i < n; i++) {
        const char *p = tokens[i];
        total += dlo_utf8_chars(p, strlen(p));
        all_blank = all_blank && dlo_is_blank_str(p);
    }
    if (all_blank) {
        st = dlo_error_set(err, DLO_E_CONFIG, "the list is empty; " EXPECTED);
        goto cleanup_one;
    }
    if (total > DLO_ADDR_MAX_CHARS) {
        st = dlo_error_set(err, DLO_E_CONFIG, "the list has %llu characters; expected at most %u",
                           (unsigned long long)total, (unsigned)DLO_ADDR_MAX_CHARS);
        goto cleanup_one;
    }
    for (i = 0; i < n; i++) {
        const char *p = tokens[i];
        for (;;) {
            size_t len = strcspn(p, ","), tn = len;
            const char *t = p;

            dlo_trim(&t, &tn);
            if (tn == 0) {
                st = dlo_error_set(err, DLO_E_CONFIG,
                                   "the list has an empty entry (two commas in a row, or a comma "
                                   "at an end); " EXPECTED);
                goto cleanup_one;
            }
            if (++entries > DLO_ADDR_MAX_TOKENS) {
                st = dlo_error_set(err, DLO_E_CONFIG,
                                   "the list has more than %u entries; expected at most %u",
                                   (unsigned)DLO_ADDR_MAX_TOKENS, (unsigned)DLO_ADDR_MAX_TOKENS);
                goto cleanup_one;
            }
            if ((tn == 1 && t[0] == '*') || dlo_equals_ci(t, tn, "any")) {
                star = true;
            } else {
                dlo_buf_reset(&one);
                st = normalize_token(t, tn, &one, err);
                if (st)
                    goto cleanup_one;
                if (!list_has(out, dlo_buf_str(&one), one.len)) {
                    if (out->len)
                        dlo_buf_putc(out, ',');
                    dlo_buf_append(out, one.data, one.len);
                }
            }
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
    }
    if (star && out->len) {
        st = dlo_error_set(err, DLO_E_CONFIG,
                           "'*' (any address) is combined with other entries; expected '*' alone, "
                           "or only addresses and keywords");
        goto cleanup_one;
    }
    if (star)
        dlo_buf_putc(out, '*');
    st = dlo_buf_status(out);
    if (!st)
        st = dlo_buf_status(&one);
    if (st)
        dlo_error_set(err, st, "out of memory");
cleanup_one:
    dlo_buf_free(&one);
    if (st)
        dlo_buf_reset(out);
    return st;
}

dlo_status dlo_addr_normalize_list(const char *list, dlo_buf *out, dlo_error *err)
{
    return dlo_addr_normalize(&list, 1, out, err);
}
