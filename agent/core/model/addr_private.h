/* What the parts of the address module share: addr.c (parsing and formatting), addr_meaning.c
 * (comparing and covering) and addr_scope.c (the union of scopes). No other module includes
 * it. */
#ifndef DLO_ADDR_PRIVATE_H
#define DLO_ADDR_PRIVATE_H

#include "dlo/addr.h"

#include <stdbool.h>
#include <stddef.h>

/* Which of the firewall's keywords a normal spelling is (an index into addr.c's table), for
 * comparing sets of them. */
int dlo_addr_keyword_index(const char *normal);
/* Bytes of an address of the family: 4 or 16. */
size_t dlo_addr_len(int family);
/* "*" or "Any", any case. */
bool dlo_addr_is_star(const char *t, size_t n);

/* Parses one entry (blanks already trimmed, n > 0, not "*"). */
dlo_status dlo_addr_parse_entry(const char *t, size_t n, dlo_addr_entry *e, dlo_error *err);
/* Appends e unless an entry of the same normal form is there. DLO_E_NOMEM only. */
dlo_status dlo_addrset_add_entry(dlo_addrset *s, const dlo_addr_entry *e);

/* Calls each(t, n, ctx) for every comma-separated entry of tokens[0..n), blanks trimmed; fails on
 * an empty entry or too many. */
typedef dlo_status (*dlo_addr_entry_fn)(const char *t, size_t n, void *ctx, dlo_error *err);
dlo_status dlo_addr_each_entry(const char *const *tokens, size_t n, dlo_addr_entry_fn each,
                               void *ctx, dlo_error *err);

/* The list in tokens[0..n) as the firewall of build os_build takes it (DLO_OS_BUILD_UNKNOWN: any
 * build), with at most max_chars characters, into *out (initialised here). */
dlo_status dlo_addr_parse_for_build(const char *const *tokens, size_t n, unsigned long os_build,
                                    size_t max_chars, dlo_addrset *out, dlo_error *err);

#endif
