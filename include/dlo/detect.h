/* Component detection: which DLO roles this machine has, from the detection table and the
 * machine's services, registry and files, plus what the firewall needs to know about the local
 * SQL Server (its TCP port, whether SQL Server Browser is there).
 *
 * The machine is read through two seams: dlo_detect_os for services and files (the Windows
 * layer implements it over the SCM and the file system, agent/win/detect_os.c) and dlo_registry
 * for the registry, the same one the configuration reads. The unit tests fake both. One
 * unreadable key, value or service never fails a run: it becomes a warning in the result and
 * detection goes on. */
#ifndef DLO_DETECT_H
#define DLO_DETECT_H

#include "dlo/platform.h"
#include "dlo/buf.h"
#include "dlo/detect_table.h"
#include "dlo/registry.h"
#include "dlo/roles.h"
#include "dlo/status.h"
#include "dlo/str.h"
#include "dlo/trust.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- The OS seam ---- */

typedef enum dlo_service_state {
    DLO_SERVICE_STOPPED,
    DLO_SERVICE_RUNNING,
    DLO_SERVICE_PENDING, /* starting, stopping or paused */
} dlo_service_state;

const char *dlo_service_state_name(dlo_service_state s); /* "stopped", "running", "pending" */

typedef struct dlo_service {
    char *name;         /* short name (the key under HKLM\SYSTEM\CurrentControlSet\Services) */
    char *display_name; /* "" when the service has none */
    dlo_service_state state;
} dlo_service;

typedef struct dlo_service_list {
    dlo_service *items;
    size_t count;
    size_t cap;
} dlo_service_list;

void dlo_service_list_init(dlo_service_list *l);
void dlo_service_list_free(dlo_service_list *l);
/* Appends copies of the strings (display_name may be NULL). */
dlo_status dlo_service_list_add(dlo_service_list *l, const char *name, const char *display_name,
                                dlo_service_state state);

typedef struct dlo_detect_os {
    void *ctx;
    /* Appends every Win32 service of the machine to out. */
    dlo_status (*list_services)(void *ctx, dlo_service_list *out, dlo_error *err);
    /* DLO_OK if path is an existing file (not a folder), DLO_E_NOTFOUND if it is not there. */
    dlo_status (*file_exists)(void *ctx, const char *path, dlo_error *err);
    /* Appends the path of a known folder named as dlo_detect_known_folder lists it. */
    dlo_status (*known_folder)(void *ctx, const char *name, dlo_buf *out, dlo_error *err);
} dlo_detect_os;

/* ---- The result ---- */

/* One piece of evidence: found on the machine, or looked for and not found. */
typedef struct dlo_detect_evidence {
    dlo_role role;
    dlo_detect_kind kind;
    bool confirmed; /* the table entry has a public source */
    unsigned line;  /* the table line; 0 for built-in evidence (SQL Server) */
    /* Found: the service short name, the registry key (HKLM\...) or the file path.
     * Looked for: what dlo_detect_entry_describe says. */
    char *subject;
    /* Found: the service's display name or the Uninstall entry's DisplayName; the registry
     * value a regfile path came from (HKLM\key\value); for sql-instance, why the instance is
     * DLO's. NULL otherwise. */
    char *detail;
    dlo_reg_view view;       /* registry evidence: the view it was found in; else 0 */
    dlo_service_state state; /* service evidence: its state */
    char *reason;            /* ignored evidence: why it is not trusted; NULL otherwise */
} dlo_detect_evidence;

typedef struct dlo_detect_evidence_list {
    dlo_detect_evidence *items;
    size_t count;
    size_t cap;
} dlo_detect_evidence_list;

/* The SQL Server default TCP port, used when no other can be read. */
#define DLO_SQL_DEFAULT_PORT "1433"

typedef enum dlo_sql_port_source {
    DLO_SQL_PORT_DEFAULT, /* 1433: nothing usable in the registry (a warning says why) */
    DLO_SQL_PORT_STATIC,  /* IPAll TcpPort */
    DLO_SQL_PORT_DYNAMIC, /* IPAll TcpDynamicPorts: may change when SQL Server restarts */
} dlo_sql_port_source;

const char *dlo_sql_port_source_name(dlo_sql_port_source s); /* "default", "static", "dynamic" */

typedef struct dlo_detect_sql {
    dlo_strlist instances; /* every local instance: "MSSQLSERVER" or the NAME of MSSQL$NAME */
    /* The instance that is DLO's database (it gives the sql-server role); NULL if none. */
    char *instance;
    char *service;     /* its service short name */
    char *instance_id; /* from Instance Names\SQL ("MSSQL16.MSSQLSERVER"), NULL if unread */
    /* For the inbound SQL rule, in the firewall's syntax: "1433", "49823", "1433,1500". Always
     * set: DLO_SQL_DEFAULT_PORT when no instance or nothing usable was found. */
    char *tcp_ports;
    dlo_sql_port_source port_source;
    char *port_origin; /* "HKLM\...\IPAll\TcpPort (64-bit view)", or why the default is used */
    bool browser;      /* the SQL Server Browser service (SQLBrowser, UDP 1434) is installed */
    dlo_service_state browser_state;
} dlo_detect_sql;

/* A service or Uninstall entry whose name mentions DLO, Desktop and Laptop Option, Arctera or
 * Veritas that no entry of the table matched: likely a DLO component the table does not know
 * by that name. */
typedef struct dlo_detect_candidate {
    dlo_detect_kind kind; /* DLO_DETECT_SERVICE or DLO_DETECT_UNINSTALL */
    char *name;           /* the service short name, or the Uninstall key (HKLM\...) */
    char *display_name;   /* the service's display name or the entry's DisplayName; may be "" */
    dlo_reg_view view;    /* Uninstall: the view it is in; else 0 */
    /* The table line that would match it; its role is a guess from the name, or ROLE. */
    char *line;
} dlo_detect_candidate;

typedef struct dlo_detect_candidate_list {
    dlo_detect_candidate *items;
    size_t count, cap;
} dlo_detect_candidate_list;

typedef struct dlo_detect_result {
    char *table_source;
    dlo_role_set roles;      /* detected */
    dlo_role_set looked_for; /* roles with evidence to look for (table entries, sql-server) */
    dlo_detect_evidence_list found;
    dlo_detect_evidence_list missed; /* entries looked for and not found, in table order */
    /* Files found (file and regfile entries) that a non-administrator could have made or
     * changed (dlo_trust_file): not counted, each with a warning; their entry is in missed
     * unless other evidence found it. */
    dlo_detect_evidence_list ignored;
    dlo_detect_sql sql;
    dlo_strlist warnings;
    /* Something could not be read (not just absent), so a role may be missing from roles:
     * callers that remove rules of undetected roles should not act on this result. */
    bool partial;
    dlo_detect_candidate_list candidates;
} dlo_detect_result;

typedef struct dlo_detect_params {
    /* The SQL Server instance the configuration names as DLO's (SqlInstance: "MSSQLSERVER" or
     * the NAME of MSSQL$NAME; "MSSQL$NAME" and "HOST\NAME" are taken too); NULL or "" when none
     * is configured. */
    const char *sql_instance;
    /* Judges file evidence: a file counts only when dlo_trust_file trusts it. NULL trusts no
     * file (each is ignored, and the result partial); dlo_detect_machine uses the platform's
     * when the caller gives none. */
    const dlo_fs_security *fs_security;
} dlo_detect_params;

void dlo_detect_result_init(dlo_detect_result *r);
void dlo_detect_result_free(dlo_detect_result *r);

/* Loads the file at path through plat->read_file, or the embedded table when path is NULL.
 * A file that cannot be read or parsed is DLO_E_CONFIG or DLO_E_PARSE (exit 2: the
 * administrator named it); a missing embedded table is DLO_E_INTERNAL. */
dlo_status dlo_detect_table_load(dlo_detect_table *t, const dlo_platform *plat, const char *path,
                                 dlo_error *err);

/* Looks for every entry of the table and the local SQL Server. out is initialised here. Fails
 * only when detection cannot run at all (out of memory, a seam function missing): DLO_E_NOMEM
 * or DLO_E_INTERNAL, exit 3. */
dlo_status dlo_detect_run(const dlo_detect_table *table, const dlo_detect_os *os,
                          const dlo_registry *reg, const dlo_detect_params *params,
                          dlo_detect_result *out, dlo_error *err);

/* Loads the table (table_path, or the embedded one when NULL) and runs detection with
 * plat->detect_os and plat->registry: what /detect, /plan, /apply and /verify call. A bad table
 * file is DLO_E_PARSE or DLO_E_CONFIG (exit 2); a platform without a detect_os or a registry is
 * DLO_E_INTERNAL. */
dlo_status dlo_detect_machine(const dlo_platform *plat, const char *table_path,
                              const dlo_detect_params *params, dlo_detect_result *out,
                              dlo_error *err);

#endif
