/* The port matrix as data (policies/dlo-10.0.ports): its parser and its in-memory form.
 *
 * One parser, one source of truth: the matrix is never written down in C. The file format is
 * described at the top of policies/dlo-10.0.ports. */
#ifndef DLO_POLICY_H
#define DLO_POLICY_H

#include "dlo/buf.h"
#include "dlo/portset.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits that turn a runaway or hostile file into an error instead of a memory hog. */
#define DLO_POLICY_MAX_BYTES (1024u * 1024u)
#define DLO_POLICY_MAX_ROWS  256
#define DLO_POLICY_MAX_LINE  4096
#define DLO_POLICY_MAX_TEXT  200 /* process, port, rule, release texts */

enum { DLO_NET_CORPORATE, DLO_NET_INTERNET, DLO_NET_COUNT };

enum { DLO_PROTOS_TCP = 1, DLO_PROTOS_UDP = 2 };

/* The row's `served-by`: which program serves its ports here, the claim an inbound rule is bound
 * on when the agent finds evidence for it (dlo/binding.h). */
typedef enum dlo_served_by {
    DLO_SERVED_UNSAID,          /* no served-by: no claim, never bound */
    DLO_SERVED_WINDOWS,         /* Windows itself (file sharing, RPC): never bound */
    DLO_SERVED_SQL_SERVER,      /* the detected SQL Server instance's service */
    DLO_SERVED_SQL_BROWSER,     /* SQL Server Browser (service SQLBrowser) */
    DLO_SERVED_SERVICE,         /* the service of this short name */
    DLO_SERVED_SERVICE_DISPLAY, /* a service whose display name matches this pattern */
} dlo_served_by;

/* The longest service name or display-name pattern served-by takes (the SCM's limit). */
#define DLO_SERVED_BY_MAX_NAME 256

/* "windows", "sql-server", "sql-browser", "service", "service-display"; "" for unsaid. */
const char *dlo_served_by_name(dlo_served_by s);

/* Windows' port keywords a row's `rpc-ports` may name, in the order the planner writes their
 * rules: the endpoint mapper first, then the dynamic endpoints. */
enum { DLO_RPC_EPMAP, DLO_RPC_DYNAMIC, DLO_RPC_COUNT };

typedef struct dlo_policy_row {
    char *id;
    char *table;                  /* "server" or "client" */
    char *process;                /* the vendor's words */
    char *port_text;              /* the vendor's words */
    char *ports;                  /* as written: Windows spelling, may contain {sql-port} */
    dlo_portset port_set;         /* the same, parsed */
    char *type;                   /* as written: TCP, UDP, TCP/UDP, HTTP, HTTPS, AJP */
    char *rule;                   /* rule name stem */
    unsigned protocols;           /* DLO_PROTOS_* bits */
    int network;                  /* DLO_NET_* */
    bool applies[DLO_MODE_COUNT]; /* false: NA in that mode */
    dlo_role_set sources[DLO_MODE_COUNT];
    dlo_role_set destinations[DLO_MODE_COUNT];
    dlo_served_by served_by;
    char *served_name; /* service and service-display: the name or pattern; else NULL */
    /* rpc-ports: the items of `ports` that Windows' RPC keywords stand for (PushInstallPorts=rpc),
     * per DLO_RPC_*; empty sets where the row names none. */
    dlo_portset rpc_ports[DLO_RPC_COUNT];
    bool has_rpc_ports;
    /* until-detected: local roles whose inbound rules of this row serve only until that role is
     * detected on the machine (ClosePushPortsWhenInstalled); 0 when not given. */
    dlo_role_set until_detected;
    int line; /* where the row starts, for messages */
} dlo_policy_row;

typedef struct dlo_policy {
    char *source; /* where it was read from, as dlo_policy_parse was told */
    char *release;
    unsigned profiles[DLO_MODE_COUNT][DLO_NET_COUNT]; /* DLO_PROFILE_* bits */
    dlo_policy_row *rows;
    size_t n_rows;
} dlo_policy;

#define DLO_SQL_PORT_TOKEN "{sql-port}"

/* Parses policy text. `source` names where it came from ("embedded policy",
 * "C:\\x\\policy.txt") and starts every error message, followed by the line number and what was
 * expected there. On failure *out is left empty. */
dlo_status dlo_policy_parse(const char *text, size_t len, const char *source, dlo_policy *out,
                            dlo_error *err);
void dlo_policy_free(dlo_policy *p);

/* "corporate", "internet" for a DLO_NET_*. */
const char *dlo_policy_network_name(int network);

/* The Windows keyword of a DLO_RPC_* ("RPC-EPMap", "RPC"). */
const char *dlo_rpc_keyword(int which);

#endif
