/* Host names in scope values (AdminServers=dlo-admin.corp.example,10.20.0.0/16), held to the
 * strict syntax of RFC 1123 section 2.1 (labels of letters, digits and hyphens, 1-63 characters,
 * no hyphen at either end, 253 characters in all), with three more rules:
 *   - at least two labels: a single-label name ("dloadmin") is resolved by the suffix search
 *     list, LLMNR and NetBIOS, which any machine on the local link may answer, so it would let a
 *     neighbour choose a firewall scope;
 *   - no trailing dot: the firewall scope is written from what the administrator typed, and one
 *     spelling per name keeps the last known addresses (dlo/names.h) under one key;
 *   - the last label is not all digits (RFC 3696 section 2), so "10.0.0.300" stays a malformed
 *     address and never becomes a name.
 * Anything else (non-ASCII, which an IDN is until written as its xn-- A-label; '%', '\', '_',
 * blanks, control characters) is refused with the reason. A name is kept in lower case: DNS
 * compares names without regard to case (RFC 4343). */
#ifndef DLO_HOSTNAME_H
#define DLO_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#define DLO_HOSTNAME_MAX       253
#define DLO_HOSTNAME_LABEL_MAX 63

/* NULL when s[0..n) is a host name by the rules above; else why not, written into why (also
 * returned), with no prefix and ending in what was expected. */
const char *dlo_hostname_check(const char *s, size_t n, char *why, size_t why_size);

/* True when s[0..n) was meant as a name rather than an address: it holds a letter beyond those
 * of hexadecimal digits, a byte outside ASCII, or one of '%', '\', '_' that only a name could
 * be given, and no ':' (an IPv6 address). Decides which of the two errors a token gets. */
bool dlo_hostname_intended(const char *s, size_t n);

/* Writes the lower-case form of s[0..n) into out (n + 1 bytes). */
void dlo_hostname_lower(const char *s, size_t n, char *out);

#endif
