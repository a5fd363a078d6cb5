/* The names used everywhere (command line, configuration, JSON, MSI) for DLO roles and BOI
 * modes. The port matrix in policies/ refers to roles by these names too. */
#ifndef DLO_ROLES_H
#define DLO_ROLES_H

#include "dlo/buf.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stdint.h>

/* One row per role, and the only place a role is listed: its enum id, its name, its title, the
 * configuration value that holds its machines' addresses (the remote address scope of the rules
 * toward or from it, dlo/config.h) with its MSI property and switch, and how help and the Group
 * Policy template name those machines. The enum, the names, the scope values and their switches are
 * all made from it; a role also needs its lines in the port matrix and detection table (data), and
 * its documentation. */
#define DLO_ROLE_ROWS(X)                                                                           \
    X(ADMIN_SERVER, "admin-server", "DLO Administration Server", "AdminServers", "ADMINSERVERS",   \
      "adminservers", "Administration Servers")                                                    \
    X(ADMIN_CONSOLE, "admin-console", "DLO Administration Console", "AdminConsoles",               \
      "ADMINCONSOLES", "adminconsoles", "Administration Consoles")                                 \
    X(DEDUPE_SERVER, "dedupe-server", "DLO Dedupe Server", "DedupeServers", "DEDUPESERVERS",       \
      "dedupeservers", "Dedupe Servers")                                                           \
    X(MAINTENANCE_SERVER, "maintenance-server", "DLO Maintenance Server", "MaintenanceServers",    \
      "MAINTENANCESERVERS", "maintenanceservers", "Maintenance Servers")                           \
    X(EDGE_SERVER, "edge-server", "DLO Edge Server", "EdgeServers", "EDGESERVERS", "edgeservers",  \
      "Edge Servers")                                                                              \
    X(IO_SERVER, "io-server", "DLO IO Server", "IoServers", "IOSERVERS", "ioservers",              \
      "IO Servers")                                                                                \
    X(CLIENT, "client", "DLO Clients", "ClientNetworks", "CLIENTNETWORKS", "clientnetworks",       \
      "DLO clients")                                                                               \
    X(SQL_SERVER, "sql-server", "SQL Server", "SqlServers", "SQLSERVERS", "sqlservers",            \
      "SQL Servers")                                                                               \
    X(STORAGE, "storage", "Storage Location", "StorageServers", "STORAGESERVERS",                  \
      "storageservers", "storage locations")                                                       \
    X(DEDUPE_STORAGE, "dedupe-storage", "Dedupe Storage Location", "DedupeStorageServers",         \
      "DEDUPESTORAGESERVERS", "dedupestorageservers", "dedupe storage locations")                  \
    X(WEB_RESTORE, "web-restore", "Web Restore Machine", "WebRestoreMachines",                     \
      "WEBRESTOREMACHINES", "webrestoremachines", "Web Restore machines")

#define DLO_ROLE_ENUM_(id, name, title, scope, msi, sw, peers) DLO_ROLE_##id,
typedef enum dlo_role { DLO_ROLE_ROWS(DLO_ROLE_ENUM_) DLO_ROLE_COUNT } dlo_role;
#undef DLO_ROLE_ENUM_

/* A set of roles as a bit mask (bit n = dlo_role n). */
typedef uint32_t dlo_role_set;
#define DLO_ROLE_BIT(r)   ((dlo_role_set)1u << (r))
#define DLO_ROLE_ALL_MASK ((dlo_role_set)((1u << DLO_ROLE_COUNT) - 1u))

typedef enum dlo_mode {
    DLO_MODE_NONBOI,
    DLO_MODE_EXCLUSIVE,
    DLO_MODE_OCCASIONAL,
    DLO_MODE_COUNT
} dlo_mode;

/* The canonical name ("admin-server", "occasional"). */
const char *dlo_role_name(dlo_role r);
const char *dlo_mode_name(dlo_mode m);
/* How people read it ("DLO Administration Server", "Occasional BOI"). */
const char *dlo_role_title(dlo_role r);
const char *dlo_mode_title(dlo_mode m);

/* Case-insensitive; surrounding blanks ignored. */
bool dlo_role_from_name(const char *s, size_t n, dlo_role *out);
/* Accepts nonboi, exclusive, occasional and non-boi, exclusive-boi, occasional-boi, any case. */
bool dlo_mode_from_name(const char *s, dlo_mode *out);

/* Parses "a,b,c" (commas or semicolons, blanks around names allowed) into a set. An unknown or
 * empty name is an error that names it and lists the valid names; `what` says where the list
 * came from ("/roles", "registry value Roles"). */
dlo_status dlo_roles_parse(const char *list, const char *what, dlo_role_set *out, dlo_error *err);
/* The same for a mode. */
dlo_status dlo_mode_parse(const char *s, const char *what, dlo_mode *out, dlo_error *err);

/* Appends "a,b,c" in role order. */
void dlo_roles_format(dlo_buf *b, dlo_role_set set);
/* Appends a JSON array of the role names: ["a", "b"]. */
void dlo_roles_json(dlo_buf *b, dlo_role_set set);
/* Appends every role the agent knows, in order, as the JSON array that /matrix /json gives as
 * "roles" (the list the tests and scripts read, never one of their own):
 * [{"name": "admin-server", "title": "DLO Administration Server", "scope": "AdminServers"}]. */
void dlo_roles_table_json(dlo_buf *b);

#endif
