/* Host names in scope values, resolved when the agent plans.
 *
 * A scope value may name hosts beside addresses (dlo/hostname.h, dlo_addr_normalize_scope).
 * Before a plan is built every name is resolved through a dlo_resolver (the Windows layer's
 * getaddrinfo, a fake in the tests), each address it gives goes through the checks a typed one
 * does (dlo_addr_normalize), and the scope is rewritten with the addresses in place of the
 * name: the firewall holds no names. What each name gave is kept for /plan, /config and the
 * exports, and persisted (DLO_CONFIG_KEY_NAMES) so that a name that stops resolving keeps its
 * last known addresses, also after a restart:
 *   - a name that resolves is used as it resolved, and its addresses are remembered;
 *   - a name that does not resolve now (no such name, a timeout, the pass's time spent) keeps
 *     its last known addresses: never "*", never an empty scope; a warning (DLO_EV_NAME_KEPT);
 *   - a name that never resolved, or resolves to an address the firewall refuses or that is
 *     this machine (loopback, unspecified), is a configuration error for its value
 *     (DLO_E_CONFIG): nothing is planned, the rules stay as they are.
 *
 * Each name gets at most DLO_NAMES_NAME_TIMEOUT_MS, all of them together
 * DLO_NAMES_PASS_TIMEOUT_MS; a name the bound cuts off is one that does not resolve now. */
#ifndef DLO_NAMES_H
#define DLO_NAMES_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/registry.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

#define DLO_NAMES_NAME_TIMEOUT_MS 5000u
#define DLO_NAMES_PASS_TIMEOUT_MS 20000u
/* Most addresses one name may bring into a scope; a resolver gives no more (any beyond are
 * not used: fewer addresses narrow a rule, never widen it). */
#define DLO_NAMES_MAX_ADDRS 64
/* The shortest wait before names are resolved again, whatever a record's TTL says. */
#define DLO_NAMES_MIN_REFRESH_SECONDS 60u

/* One address a resolver gave. */
typedef struct dlo_resolved_ip {
    int family;             /* 4 or 6 */
    unsigned char addr[16]; /* IPv4 in the first 4 bytes */
} dlo_resolved_ip;

typedef struct dlo_resolver {
    void *ctx;
    /* Resolves `name` (a checked host name) to its IPv4 and IPv6 addresses, at most max of
     * them (*n), giving up after timeout_ms. *ttl_seconds: the smallest TTL of the records where
     * the resolver tells it, else 0. DLO_E_NOTFOUND: no such name, or no address; DLO_E_IO: it
     * failed or timed out (err says which). */
    dlo_status (*resolve)(void *ctx, const char *name, unsigned timeout_ms, dlo_resolved_ip *out,
                          size_t max, size_t *n, unsigned *ttl_seconds, dlo_error *err);
    /* Milliseconds since any fixed point, for the pass's bound. */
    unsigned long long (*now_ms)(void *ctx);
} dlo_resolver;

typedef enum dlo_name_state {
    DLO_NAME_RESOLVED, /* resolved now */
    DLO_NAME_KEPT,     /* did not resolve now: its last known addresses are used */
    DLO_NAME_FAILED,   /* did not resolve and none are known: an error for its value */
    DLO_NAME_REFUSED,  /* resolved to an address no rule may hold: an error for its value */
} dlo_name_state;

typedef struct dlo_name {
    char *name;         /* lower case */
    dlo_role_set roles; /* the peer roles whose scope names it */
    char *addresses;    /* in the firewall's normal form, sorted; NULL for FAILED and REFUSED */
    dlo_name_state state;
    unsigned ttl_seconds; /* 0: the resolver did not say */
    char why[320];        /* KEPT, FAILED, REFUSED: why; RESOLVED: empty or a note */
} dlo_name;

typedef struct dlo_names {
    dlo_name *items;
    size_t count, cap;
    /* The scopes with each name replaced by its addresses; NULL for a scope that names none. */
    char *scopes[DLO_ROLE_COUNT];
    /* When to resolve again: the smallest TTL given, at least DLO_NAMES_MIN_REFRESH_SECONDS and
     * at most NameRefreshMinutes; 0 when no name is configured. */
    unsigned refresh_seconds;
    /* The last known addresses could not be read (err text), so none were used. */
    char known_unreadable[256];
} dlo_names;

void dlo_names_init(dlo_names *n);
void dlo_names_free(dlo_names *n);

/* How many host names a scope (as dlo_config holds it) holds. */
size_t dlo_names_in_scope(const char *scope);
/* True when any scope of cfg names a host. */
bool dlo_names_configured(const dlo_config *cfg);
/* Calls each(name, n) for every host name in a scope as dlo_config holds it. */
void dlo_names_each(const char *scope, void (*each)(void *ctx, const char *name, size_t n),
                    void *ctx);

/* Resolves every name of cfg's scopes into *out (initialised here, free it either way), with
 * the last known addresses read from `known` (NULL: none). DLO_E_CONFIG when a name failed or
 * was refused: err names the value, the name and what was expected, and *out still says what
 * each name gave. A resolver of NULL resolves nothing (every name is kept or failed). */
dlo_status dlo_names_resolve(const dlo_resolver *res, const dlo_registry *known,
                             const dlo_config *cfg, dlo_names *out, dlo_error *err);

/* The scopes a plan is built with: out's where a name was resolved, else cfg's. */
const char *dlo_names_scope(const dlo_names *names, const dlo_config *cfg, int role);

/* Replaces cfg's scopes that name hosts by names->scopes, for what reads scopes after the plan
 * (the exposure, /probe, the exports): they then see the addresses the rules hold. */
dlo_status dlo_names_apply(const dlo_names *names, dlo_config *cfg);

/* True when a and b give the same names the same addresses (by text). */
bool dlo_names_same(const dlo_names *a, const dlo_names *b);

/* "resolved", "kept", "failed", "refused". */
const char *dlo_name_state_name(dlo_name_state s);

#endif
