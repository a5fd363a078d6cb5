/* A port list as INetFwRule's LocalPorts and RemotePorts hold it ("135-139,445"), as a value:
 * parsed once, formatted once, compared by what it opens.
 *
 * Items are single ports and ranges within 1-65535 written as dlo_decimal_parse takes numbers (no
 * leading zero; only a list read back from a rule store, DLO_PORTS_ZEROS, reads "0443" as 443),
 * Windows' port keywords (RPC, RPC-EPMap, IPHTTPS...; any case, spelled as
 * Windows does), "any" ("*", "Any" or nothing at all) and, in the port matrix only, the
 * placeholder {sql-port}.
 *
 * Two views of the same set: `items` in the order written, duplicates dropped, which is how the
 * set is formatted (the port matrix's order is what the plan shows), and `ranges`, sorted, disjoint
 * and with neighbours merged, which is how sets are compared: "445,135-139" equals "135-139,445"
 * and "80,81" equals "80-81", as the firewall reads lists back in its own order. */
#ifndef DLO_PORTSET_H
#define DLO_PORTSET_H

#include "dlo/buf.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

#define DLO_PORTSET_MAX_ITEMS 1000

/* What a parse accepts beyond numbers and ranges. */
enum {
    DLO_PORTS_ANY = 1u << 0,      /* "", "*", "Any": any port */
    DLO_PORTS_KEYWORDS = 1u << 1, /* RPC, RPC-EPMap, ... */
    DLO_PORTS_BLANKS = 1u << 2,   /* blanks around items ("1433, 1500") */
    DLO_PORTS_SQL = 1u << 3,      /* the {sql-port} placeholder */
    /* leading zeros read as decimal: what a rule store holds is judged as Windows reads it,
     * while a port the agent is given is refused with one */
    DLO_PORTS_ZEROS = 1u << 4,
};

/* Everything the firewall may read back. */
#define DLO_PORTS_FIREWALL (DLO_PORTS_ANY | DLO_PORTS_KEYWORDS | DLO_PORTS_BLANKS | DLO_PORTS_ZEROS)

typedef enum dlo_port_kind { DLO_PORT_RANGE, DLO_PORT_KEYWORD, DLO_PORT_SQL } dlo_port_kind;

typedef struct dlo_port_item {
    dlo_port_kind kind;
    unsigned lo, hi;     /* RANGE: lo <= hi; a single port has lo == hi */
    const char *keyword; /* KEYWORD: Windows' spelling (static) */
} dlo_port_item;

typedef struct dlo_port_range {
    unsigned lo, hi;
} dlo_port_range;

typedef struct dlo_portset {
    bool any;
    dlo_port_item *items; /* as written, duplicates dropped */
    size_t n_items, cap_items;
    dlo_port_range *ranges; /* the RANGE items, sorted, disjoint, neighbours merged */
    size_t n_ranges, cap_ranges;
    unsigned keywords; /* bits of the keywords present */
    bool sql;          /* the placeholder is present */
} dlo_portset;

void dlo_portset_init(dlo_portset *s);
void dlo_portset_free(dlo_portset *s);

/* Parses text (flags: DLO_PORTS_*) into *out, which it initialises. On a malformed list returns
 * DLO_E_PARSE with err naming the item that is wrong and what is expected, no prefix (the caller
 * says where the list came from); *out is then empty. */
dlo_status dlo_portset_parse(const char *text, unsigned flags, dlo_portset *out, dlo_error *err);

/* Appends every item of src to dst in order, src's placeholder replaced by the items of with
 * (NULL: the placeholder is dropped). Duplicates are dropped. */
dlo_status dlo_portset_add(dlo_portset *dst, const dlo_portset *src, const dlo_portset *with);

/* Windows' syntax, items in order: "135-139,445". Any is "" (how the plan shows it); the COM
 * layer writes DLO_FW_ANY for it. */
void dlo_portset_format(dlo_buf *b, const dlo_portset *s);

/* The set holds the item as written: the same kind, and the same port or range. */
bool dlo_portset_has_item(const dlo_portset *s, const dlo_port_item *it);
/* Same ports, keywords and placeholder. */
bool dlo_portset_equal(const dlo_portset *a, const dlo_portset *b);
/* Some port in both; any overlaps everything; a keyword overlaps the same keyword, and
 * RPC-EPMap overlaps TCP 135 (the endpoint mapper's port); RPC overlaps only RPC. */
bool dlo_portset_overlap(const dlo_portset *a, const dlo_portset *b);

/* Sets *out (initialised here) to what a lets through and b does not: a's ports outside b's
 * ranges, as sorted ranges, and a's keywords and placeholder b lacks. Nothing when b is any; any
 * when a is any and b is not (every port but b's, which a list cannot write more briefly). */
dlo_status dlo_portset_minus(const dlo_portset *a, const dlo_portset *b, dlo_portset *out);
/* The set holds no port, keyword or placeholder. */
bool dlo_portset_empty(const dlo_portset *s);

/* One port, 1-65535, blanks around it allowed ("1433", " 1433 "), no leading zero. NULL, or
 * why not (dlo_decimal_parse). */
const char *dlo_port_parse(const char *text, unsigned *port);

/* Two lists as the firewall may spell them (DLO_PORTS_FIREWALL) mean the same ports. A list that
 * does not parse equals nothing, so an owned rule read back in an unknown form is rewritten. */
bool dlo_ports_same(const char *a, const char *b);
/* The same for dlo_portset_overlap; a list that does not parse overlaps nothing. */
bool dlo_ports_overlap(const char *a, const char *b);

#endif
