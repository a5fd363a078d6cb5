/* The names used everywhere (command line, configuration, JSON, MSI) for DLO roles and BOI
 * modes. The port matrix in policies/ refers to roles by these names too. */
#ifndef DLO_ROLES_H
#define DLO_ROLES_H

#include "dlo/buf.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum dlo_role {
    DLO_ROLE_ADMIN_SERVER,
    DLO_ROLE_ADMIN_CONSOLE,
    DLO_ROLE_DEDUPE_SERVER,
    DLO_ROLE_MAINTENANCE_SERVER,
    DLO_ROLE_EDGE_SERVER,
    DLO_ROLE_IO_SERVER,
    DLO_ROLE_CLIENT,
    DLO_ROLE_SQL_SERVER,
    DLO_ROLE_STORAGE,
    DLO_ROLE_DEDUPE_STORAGE,
    DLO_ROLE_WEB_RESTORE,
    DLO_ROLE_COUNT
} dlo_role;

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

#endif
