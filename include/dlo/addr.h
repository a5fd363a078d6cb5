/* Remote address lists as the Windows Firewall accepts them in INetFwRule::RemoteAddresses,
 * checked before they reach the firewall and written the way the firewall reads them back, so
 * that a rule the agent wrote compares equal to what it reads later.
 *
 * Accepted tokens (case-insensitive, comma-separated, blanks around a token ignored):
 *   "*" (any address; only on its own; "Any" is read as "*"),
 *   LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, RmtIntranet (also RemoteIntranet,
 *   IntranetRemoteAccess), Internet, Ply2Renders (also PlayToDevice), CaptivePortal,
 *   an IPv4 or IPv6 address, a subnet as address/prefix-length or IPv4 address/dotted-mask, a
 *   range start-end of two addresses of one family (no blanks inside, start <= end).
 * Refused as the Windows Firewall refuses them (MS-FASP 2.2.4, 2.2.6, 2.2.10): the IPv6 loopback
 * and unspecified addresses (::1, ::1/128, ::, ::/128, a range from or to ::1 or ::), a zero mask
 * or prefix (0.0.0.0/0, 10.0.0.0/0.0.0.0, 2001:db8::/0). Intranet, RmtIntranet, Internet and
 * Ply2Renders exist only from build DLO_ADDR_NEWER_KEYWORDS_BUILD; dlo_addr_normalize refuses
 * them for an older build.
 *
 * Normal form, one token per entry joined by ',', duplicates dropped, order kept:
 *   keywords as spelled above; IPv4 addresses and subnets as a.b.c.d/m.m.m.m (a lone address
 *   gets /255.255.255.255); IPv6 as RFC 5952 text with /prefix (a lone address gets /128);
 *   ranges as start-end. Address bits beyond the mask are kept, as the firewall keeps them.
 *
 * Two lists compare by meaning (dlo_addrset_equal): the addresses as sets of ranges of numbers,
 * the keywords as themselves, so "10.0.0.1,10.0.0.2" equals "10.0.0.1-10.0.0.2" and order does
 * not matter, as the firewall reads lists back in its own order. */
#ifndef DLO_ADDR_H
#define DLO_ADDR_H

#include "dlo/buf.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Windows 10 1809 / Server 2019: the first build whose firewall knows Intranet, RmtIntranet,
 * Internet and Ply2Renders. */
#define DLO_ADDR_NEWER_KEYWORDS_BUILD 17763ul
/* Windows Server 2025 / Windows 11 24H2: the first build whose PowerShell names CaptivePortal
 * (MicrosoftDocs/windows-powershell-docs PR 3968); older ones are not known to take it. */
#define DLO_ADDR_CAPTIVE_PORTAL_BUILD 26100ul
/* The Windows build is not known (the Linux build, a test): every keyword is accepted. */
#define DLO_OS_BUILD_UNKNOWN 0ul

/* Most tokens one list may hold, and most characters (code points) one list may have. */
#define DLO_ADDR_MAX_TOKENS 1000
#define DLO_ADDR_MAX_CHARS  4096

typedef enum dlo_addr_kind { DLO_ADDR_KEYWORD, DLO_ADDR_SUBNET, DLO_ADDR_RANGE } dlo_addr_kind;

/* One entry of a list. A lone address is a SUBNET with the full prefix. */
typedef struct dlo_addr_entry {
    dlo_addr_kind kind;
    int family;                   /* 4 or 6; IPv4 in the first 4 bytes */
    unsigned char addr[16];       /* SUBNET: as written, host bits included */
    unsigned prefix;              /* SUBNET */
    unsigned char lo[16], hi[16]; /* SUBNET, RANGE: the first and last address covered */
    const char *keyword;          /* KEYWORD: the normal spelling (static) */
} dlo_addr_entry;

typedef struct dlo_addrset {
    bool any;              /* "*" */
    dlo_addr_entry *items; /* in the order written, duplicates (same normal form) dropped */
    size_t count, cap;
} dlo_addrset;

void dlo_addrset_init(dlo_addrset *s);
void dlo_addrset_free(dlo_addrset *s);
/* Parses tokens[0..n) (each may hold several comma-separated entries) into *out, which it
 * initialises; errors as dlo_addr_normalize's, keywords of any build accepted (what the
 * firewall reads back is compared, not judged). */
dlo_status dlo_addrset_parse(const char *const *tokens, size_t n, dlo_addrset *out, dlo_error *err);
/* Appends the normal form. */
void dlo_addrset_format(dlo_buf *b, const dlo_addrset *s);
/* The same addresses and keywords. */
bool dlo_addrset_equal(const dlo_addrset *a, const dlo_addrset *b);
/* A list as a rule holds it (NULL and "" read as "*"), as the firewall may read it back, into
 * *out, which it initialises; DLO_E_CONFIG when it does not parse. */
dlo_status dlo_addrset_read(const char *list, dlo_addrset *out);

/* How the address entries of a (keywords aside) meet those of b: none of a's addresses is in
 * b, some are, or every one is (an empty a is APART). */
typedef enum dlo_addr_meet { DLO_ADDR_APART, DLO_ADDR_OVERLAP, DLO_ADDR_INSIDE } dlo_addr_meet;
dlo_addr_meet dlo_addrset_meet(const dlo_addrset *a, const dlo_addrset *b);

/* Two lists as a rule holds them (NULL and "" read as "*") mean the same addresses. A list that
 * does not parse equals nothing, so an owned rule read back in an unknown form is rewritten. */
bool dlo_addr_same(const char *a, const char *b);

/* What a list lets in, judged by meaning, not by spelling (dlo_addr_coverage): every address of
 * a family, counting only those another machine can connect from; IPv4 leaves out 0.0.0.0/8
 * ("this network", RFC 1122), 127.0.0.0/8 (loopback) and 224.0.0.0 up (multicast, reserved,
 * broadcast), IPv6 leaves out ::, ::1 (which no range may start or end on, MS-FASP 2.2.10) and
 * ff00::/8 (multicast): 1.0.0.0-223.255.255.255 is every address as much as "*" is. The Internet
 * keyword is every address outside the intranet. */
enum {
    DLO_ADDR_COVERS_IPV4 = 1u << 0,
    DLO_ADDR_COVERS_IPV6 = 1u << 1,
    DLO_ADDR_COVERS_INTERNET = 1u << 2,
};
/* DLO_ADDR_COVERS_* bits of a parsed list ("*": IPv4 and IPv6). */
unsigned dlo_addrset_coverage(const dlo_addrset *s);
/* The same for a list as a rule or a scope holds it: NULL, blank and "*" cover IPv4 and IPv6, and
 * so does a list that does not parse (taken to let everything through, as dlo_prop_within
 * takes it). 0: the list leaves some address of each family out. */
unsigned dlo_addr_coverage(const char *list);
/* For people: "every IPv4 address", "every IPv4 and IPv6 address and the Internet keyword"... */
void dlo_addr_coverage_text(dlo_buf *b, unsigned coverage);

/* The remote addresses of a rule toward the peers: the union of their scopes (scopes[role], in
 * the firewall's spelling), each entry once (by its normal form) as its scope spells it, in role
 * order, less the entries that lie inside another entry of the union (10.0.0.0/255.0.0.0 and
 * 10.1.2.3/255.255.255.255 give 10.0.0.0/255.0.0.0); "*" when any peer has no scope (NULL,
 * blank or "*") or there is no peer. */
dlo_status dlo_addr_scope_union(const char *const scopes[DLO_ROLE_COUNT], dlo_role_set peers,
                                dlo_buf *out, dlo_error *err);

/* Sets out to the normal form of tokens[0..n) (each a UTF-8 string that may itself hold several
 * comma-separated tokens), as the firewall of Windows build os_build takes it
 * (DLO_OS_BUILD_UNKNOWN: any build). On a malformed or refused token returns
 * DLO_E_CONFIG and writes into err what was wrong with which token and what is expected, with
 * no prefix: the caller says where the list came from. An empty list (no tokens at all) is an
 * error too: "any address" is "*". */
dlo_status dlo_addr_normalize(const char *const *tokens, size_t n, unsigned long os_build,
                              dlo_buf *out, dlo_error *err);

/* The same for a scope value (AdminServers, ...), which may also name hosts (dlo/hostname.h):
 * each host name is kept, in lower case and once, after the addresses; a token that is neither
 * gets the address's error, or the name's when it was meant as one (dlo_hostname_intended).
 * What the names resolve to is dlo/names.h's; a list holding a name is not a rule's list and
 * dlo_addrset_parse refuses it. */
dlo_status dlo_addr_normalize_scope(const char *const *tokens, size_t n, unsigned long os_build,
                                    dlo_buf *out, dlo_error *err);

/* Parses one IPv4 (bytes[0..4)) or IPv6 (bytes[0..16)) address in s[0..n). */
bool dlo_addr_parse_ipv4(const char *s, size_t n, unsigned char out[4]);
bool dlo_addr_parse_ipv6(const char *s, size_t n, unsigned char out[16]);
/* Appends the text of an IPv4 (family 4, a[0..4)) or IPv6 address. */
void dlo_addr_format(dlo_buf *b, int family, const unsigned char a[16]);
/* Appends the RFC 5952 text of an IPv6 address. */
void dlo_addr_format_ipv6(dlo_buf *b, const unsigned char a[16]);

#endif
