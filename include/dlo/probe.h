/* /probe: whether the paths the plan opens are really usable, without changing any rule.
 *
 * Inbound, each planned port is looked up in this machine's listeners table (who listens, and
 * whether it is the program the rule is bound to). Outbound, each planned TCP rule toward a peer
 * role with configured single addresses gets one TCP connect per address and port: open (it
 * answered), refused (the peer answered, nothing listens), filtered (no answer in the timeout).
 *
 * Polite by construction: the only targets are the configured scopes and the host named on the
 * command line, each address and port is tried at most once per run, at most
 * DLO_PROBE_CONCURRENCY connections are in flight, and a run that would pass
 * DLO_PROBE_RUN_LIMIT_MS stops trying and reports the rest as skipped.
 *
 * The operating system is reached only through dlo_probe_os, so all of this is tested with
 * fakes. */
#ifndef DLO_PROBE_H
#define DLO_PROBE_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/plan.h"
#include "dlo/portset.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

#define DLO_PROBE_DEFAULT_TIMEOUT_MS 2000
#define DLO_PROBE_MAX_TIMEOUT_MS     30000
#define DLO_PROBE_CONCURRENCY        16
#define DLO_PROBE_RUN_LIMIT_MS       120000
/* Most address-port pairs one run lists; any beyond are counted, not listed or tried. */
#define DLO_PROBE_MAX_TARGETS 4096
/* Most remote ports one outbound rule tries (its ranges' first ports and the /ports: inside
 * them); any beyond are counted (ports_not_tried), not tried. */
#define DLO_PROBE_MAX_RULE_PORTS 256
/* Most addresses one host name may resolve to that are tried. */
#define DLO_PROBE_MAX_RESOLVED 4

typedef struct dlo_ip {
    int family;             /* 4 or 6 */
    unsigned char addr[16]; /* IPv4 in the first 4 bytes */
} dlo_ip;

/* One row of the listeners table. */
typedef struct dlo_listener {
    int protocol; /* DLO_PROTO_TCP or DLO_PROTO_UDP */
    unsigned port;
    unsigned long pid;
    char *image;   /* full path (UTF-8), NULL when it cannot be read */
    char *service; /* the service hosted by pid, NULL when none */
    /* Who pid is could not be read (no PID, the services not listed): image and service say
     * nothing, not even that it is no service (dlo/listeners.h). */
    bool owner_unknown;
} dlo_listener;

typedef struct dlo_listener_list {
    dlo_listener *items;
    size_t count, cap;
} dlo_listener_list;

typedef enum dlo_connect_result {
    DLO_CONNECT_OPEN,
    DLO_CONNECT_REFUSED,
    DLO_CONNECT_FILTERED, /* no answer within the timeout */
} dlo_connect_result;

/* One connection attempt: target in, outcome out. */
typedef struct dlo_probe_conn {
    dlo_ip ip;
    unsigned port;
    dlo_connect_result result;
    unsigned ms; /* how long it took */
} dlo_probe_conn;

typedef struct dlo_probe_os {
    void *ctx;
    /* Appends every TCP listener and UDP endpoint of this machine (IPv4 and IPv6, any local
     * address), with the owning process where the table tells it. */
    dlo_status (*listeners)(void *ctx, dlo_listener_list *out, dlo_error *err);
    /* Tries conns[0..n) (n <= DLO_PROBE_CONCURRENCY) at once, each once, each given up after
     * timeout_ms; fills result and ms. An error means none could be tried. */
    dlo_status (*connect)(void *ctx, dlo_probe_conn *conns, size_t n, unsigned timeout_ms,
                          dlo_error *err);
    /* Resolves host to at most max addresses (*n of them). DLO_E_NOTFOUND: no such name. */
    dlo_status (*resolve)(void *ctx, const char *host, dlo_ip *out, size_t max, size_t *n,
                          dlo_error *err);
} dlo_probe_os;

dlo_status dlo_listener_add(dlo_listener_list *l, int protocol, unsigned port, unsigned long pid,
                            const char *image, const char *service);
void dlo_listener_list_free(dlo_listener_list *l);

typedef enum dlo_probe_state {
    DLO_PROBE_LISTENING,
    DLO_PROBE_NOT_LISTENING,
    DLO_PROBE_OPEN,
    DLO_PROBE_REFUSED,
    DLO_PROBE_FILTERED,
    DLO_PROBE_NOT_PROBEABLE, /* UDP, a subnet, range or keyword, a port keyword */
    DLO_PROBE_SKIPPED,       /* the run's time limit was reached */
} dlo_probe_state;

/* "listening", "not-listening", "open", ... */
const char *dlo_probe_state_name(dlo_probe_state s);

/* Whether a listener is the program the rule is bound to. */
typedef enum dlo_probe_bound {
    DLO_BOUND_NONE,  /* the rule names no program */
    DLO_BOUND_MATCH, /* a listener is that program */
    DLO_BOUND_OTHER, /* only other programs listen */
} dlo_probe_bound;

typedef struct dlo_probe_item {
    const dlo_rule *rule; /* the plan's, borrowed */
    dlo_direction direction;
    int protocol;
    unsigned lo, hi; /* the port, or a range (inbound, summarised) */
    dlo_probe_state state;
    /* Inbound: the listeners on the port (or in the range), borrowed from the result's table. */
    const dlo_listener **listeners;
    size_t n_listeners;
    size_t ports_listening; /* ranges: how many of its ports have a listener */
    dlo_probe_bound bound;
    /* Outbound. */
    int peer;        /* dlo_role, or -1 */
    char target[80]; /* the address as typed in the scope, or the host named */
    bool has_ip;
    dlo_ip ip;
    unsigned ms;
    char reason[160]; /* why not probeable or skipped */
} dlo_probe_item;

typedef struct dlo_probe_params {
    unsigned timeout_ms; /* 0: the default */
    /* Ports of outbound ranges to try besides each range's first (/ports:); NULL: none. */
    const dlo_portset *extra_ports;
    /* /to:HOST with /role:ROLE: only the outbound rules toward that role, to this host. */
    const char *to_host;
    int to_role;           /* dlo_role, used with to_host */
    unsigned run_limit_ms; /* 0: DLO_PROBE_RUN_LIMIT_MS */
} dlo_probe_params;

typedef struct dlo_probe_result {
    dlo_probe_item *items;
    size_t count, cap;
    dlo_listener_list table;
    size_t attempts; /* connections tried */
    size_t probed, failed;
    size_t n_targets;  /* address-port items listed */
    size_t not_listed; /* address-port pairs beyond DLO_PROBE_MAX_TARGETS: not tried */
    /* Ports of outbound rules beyond DLO_PROBE_MAX_RULE_PORTS, summed over the rules: not
     * tried, and they count as failed as what was not listed does. */
    size_t ports_not_tried;
} dlo_probe_result;

/* Probes what plan opens, the peers' addresses from cfg's scopes (or params->to_host). Errors:
 * DLO_E_IO when the listeners table or the connections cannot be had at all, DLO_E_NOTFOUND
 * when the host named does not resolve, DLO_E_NOMEM. */
dlo_status dlo_probe_run(const dlo_probe_os *os, const dlo_plan *plan, const dlo_config *cfg,
                         const dlo_probe_params *params, dlo_probe_result *out, dlo_error *err);
void dlo_probe_result_free(dlo_probe_result *r);

/* True when every probe that ran found its path open or listening. */
bool dlo_probe_all_good(const dlo_probe_result *r);

#endif
