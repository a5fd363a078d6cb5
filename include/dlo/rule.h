/* A firewall rule as the core sees it: the properties of INetFwRule that the agent sets or
 * checks, as UTF-8, plus what the planner knows about why the rule exists.
 *
 * Numeric values are Windows' own (NET_FW_RULE_DIRECTION, NET_FW_IP_PROTOCOL, NET_FW_PROFILE2,
 * NET_FW_ACTION) so the COM layer passes them through unchanged. Strings use Windows' spelling:
 * ports "135-139,445" ("" = any), addresses "*" = any. */
#ifndef DLO_RULE_H
#define DLO_RULE_H

#include "dlo/buf.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum dlo_direction { DLO_DIR_IN = 1, DLO_DIR_OUT = 2 } dlo_direction;

enum {
    DLO_PROTO_TCP = 6,
    DLO_PROTO_UDP = 17,
    DLO_PROTO_ANY = 256,
};

enum {
    DLO_PROFILE_DOMAIN = 1,
    DLO_PROFILE_PRIVATE = 2,
    DLO_PROFILE_PUBLIC = 4,
    DLO_PROFILE_ALL = 7,
};

typedef enum dlo_action { DLO_ACTION_BLOCK = 0, DLO_ACTION_ALLOW = 1 } dlo_action;

/* Every rule the agent owns carries this Grouping; nothing outside it is ever changed. */
#define DLO_RULE_GROUPING "Arctera DLO Firewall Agent"

typedef struct dlo_rule {
    char *name;
    char *description;
    char *grouping;
    dlo_direction direction;
    int protocol;
    unsigned profiles;
    dlo_action action;
    bool enabled;
    char *local_ports;
    char *remote_ports;
    char *local_addresses;
    char *remote_addresses;
    char *application;
    char *service;

    /* From the planner only; not stored in the firewall. */
    dlo_role_set local_roles; /* the roles on this machine the rule serves */
    dlo_role_set peers;       /* the roles at the other end */
    char *rows;               /* the policy rows it exists for, comma-separated ids */

    /* From a backend's enumeration only: the backend's own reference to this very rule, so that
     * update and remove never act by name (names need not be unique on Windows). */
    void *handle;
} dlo_rule;

typedef struct dlo_rule_list {
    dlo_rule *items;
    size_t count;
    size_t cap;
} dlo_rule_list;

/* A rule with no strings set (all NULL, read as ""), enabled, Allow, all profiles. */
void dlo_rule_init(dlo_rule *r);
/* Frees the strings; the handle is the backend's to release before. */
void dlo_rule_free(dlo_rule *r);
/* Deep copy (the handle is not copied). */
dlo_status dlo_rule_copy(dlo_rule *dst, const dlo_rule *src);
/* Replaces *field with a copy of value (NULL allowed). */
dlo_status dlo_rule_set(char **field, const char *value);
/* NULL reads as "". */
static inline const char *dlo_str(const char *s)
{
    return s ? s : "";
}

void dlo_rule_list_init(dlo_rule_list *l);
void dlo_rule_list_free(dlo_rule_list *l);
/* Appends a new rule_init'ed slot and returns it, or NULL on allocation failure. */
dlo_rule *dlo_rule_list_add(dlo_rule_list *l);

const char *dlo_direction_name(dlo_direction d); /* "in" / "out" */
const char *dlo_protocol_name(int proto);        /* "tcp" / "udp" / "any" / number */
/* Appends profile names as a JSON array body ("\"domain\", \"private\""). */
void dlo_profiles_json(dlo_buf *b, unsigned profiles);
/* Appends "Domain,Private" (Windows' order), or "All". */
void dlo_profiles_text(dlo_buf *b, unsigned profiles);

#endif
