/* A firewall rule as the core sees it: the properties of INetFwRule that the agent sets or
 * checks, as UTF-8, plus what the planner knows about why the rule exists.
 *
 * Numeric values are Windows' own (NET_FW_RULE_DIRECTION, NET_FW_IP_PROTOCOL, NET_FW_PROFILE2,
 * NET_FW_ACTION) so the COM layer passes them through unchanged. Strings use Windows' spelling:
 * ports "135-139,445", addresses in the normal form of dlo/addr.h; an unset (NULL or "") list
 * means any, as "*" does. */
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

/* How a binding's evidence starts when the evidence settled nothing and the rule keeps the
 * program and service it has in the firewall (keep_binding; dlo/binding.h): the plan's JSON
 * says so only there, so a saved plan is read back by it (dlo/planfile.h). */
#define DLO_BINDING_KEPT "kept as it stands in the firewall"

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
    /* The rest of what INetFwRule/2/3 holds: the plan leaves each at Windows' default, and a
     * rule that differs in any is drift like any other. */
    int edge_traversal;     /* NET_FW_EDGE_TRAVERSAL_TYPE: 0 deny, 1 allow, 2/3 defer */
    char *interface_types;  /* "Lan,Wireless,RemoteAccess" or "All" (unset) */
    char *interfaces;       /* friendly names, comma-separated; unset: every interface */
    char *icmp_types;       /* IcmpTypesAndCodes ("8:*"); unset for TCP and UDP */
    char *app_package_id;   /* LocalAppPackageId (a SID) */
    char *local_user_owner; /* LocalUserOwner (a SID) */
    char *local_users;      /* LocalUserAuthorizedList (SDDL) */
    char *remote_users;     /* RemoteUserAuthorizedList (SDDL) */
    char *remote_machines;  /* RemoteMachineAuthorizedList (SDDL) */
    int secure_flags;       /* NET_FW_AUTHENTICATE_TYPE bits (IPsec); 0 none */
    /* From a backend's enumeration or a rule string (dlo/rulestr.h) only: DLO_PROP_* bits that
     * could not be read, which therefore count as differing from any plan and make judging the
     * rule say "may apply" (a property Windows does not offer, such as INetFwRule3 on an older
     * system, is not unreadable: it has its default). */
    unsigned unreadable;
    /* What the rule string (dlo/rulestr.h) says beyond INetFwRule, for judging others' rules
     * (dlo/match.h); never set by the plan or COM, and no part of dlo_props, so none of it is
     * drift. NULL when the rule has none. */
    char *package_family; /* PFN: the packaged application's family name */
    char *platforms;      /* Platform=/Platform2=: "2:6:2,2:10:0>=" (">=": GTEQ on the entry) */
    char *trust_tuples;   /* TTK, TTK2_22, ...: "WFDPrint,UPnP" */
    char *other_fields;   /* "Key=Value|Key=Value": the fields the reader does not model */

    /* From the planner only; not stored in the firewall. */
    dlo_role_set local_roles; /* the roles on this machine the rule serves */
    dlo_role_set peers;       /* the roles at the other end */
    char *rows;               /* the policy rows it exists for, comma-separated ids */
    /* Where those rows are, for the messages of a failed write: "matrix row server.edge-https,
     * dlo-10.0.ports:159", "; "-joined when rows share the rule. */
    char *origin;
    /* Why application and service are what they are ("bound: ...", "not bound: ...", "kept
     * ..."), from dlo/binding.h; NULL when binding was not worked out. */
    char *binding;
    /* The served-by of the rule's first row (dlo_served_by of dlo/policy.h; 0: unsaid) and,
     * for `service NAME` and sql-browser, the service's name: who serves this path here, which
     * judging others' rules compares with their program and service (dlo/match.h). */
    int served_by;
    char *served_service;
    /* The evidence settled nothing (dlo/binding.h): application and service stand as the
     * firewall's rule has them, whatever they are, so they compare equal to any value
     * (dlo_prop_equal) and no write changes them; a new rule is added unbound. */
    bool keep_binding;

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

/* ---- the properties the plan sets, one table ----
 *
 * Each property of INetFwRule the agent sets and checks is one row of dlo_props: its bit in a
 * difference mask, its name in reports and JSON, the dlo_rule field, how an unset value reads,
 * its default and its keys in a rule string. The diff, the reports, the plan's JSON, the rule
 * string reader and the backends are driven from it; a new property is a row here (and its COM
 * getter and putter in the Windows layer). */

/* Windows' spelling of "any port" and "any address": what an unset list is written as. */
#define DLO_FW_ANY "*"
/* A port or address list that means any: NULL, blank, DLO_FW_ANY or "Any" in any case, as the
 * firewall and other tools spell it. */
bool dlo_list_is_any(const char *list);

enum {
    DLO_PROP_DESCRIPTION = 1u << 0,
    DLO_PROP_DIRECTION = 1u << 1,
    DLO_PROP_PROTOCOL = 1u << 2,
    DLO_PROP_PROFILES = 1u << 3,
    DLO_PROP_ACTION = 1u << 4,
    DLO_PROP_ENABLED = 1u << 5,
    DLO_PROP_LOCAL_PORTS = 1u << 6,
    DLO_PROP_REMOTE_PORTS = 1u << 7,
    DLO_PROP_LOCAL_ADDRESSES = 1u << 8,
    DLO_PROP_REMOTE_ADDRESSES = 1u << 9,
    DLO_PROP_APPLICATION = 1u << 10,
    DLO_PROP_SERVICE = 1u << 11,
    DLO_PROP_EDGE_TRAVERSAL = 1u << 12,
    DLO_PROP_INTERFACE_TYPES = 1u << 13,
    DLO_PROP_INTERFACES = 1u << 14,
    DLO_PROP_ICMP_TYPES = 1u << 15,
    DLO_PROP_APP_PACKAGE_ID = 1u << 16,
    DLO_PROP_LOCAL_USER_OWNER = 1u << 17,
    DLO_PROP_LOCAL_USERS = 1u << 18,
    DLO_PROP_REMOTE_USERS = 1u << 19,
    DLO_PROP_REMOTE_MACHINES = 1u << 20,
    DLO_PROP_SECURE_FLAGS = 1u << 21,
    DLO_PROP_COUNT = 22
};

/* Which properties limit what traffic a rule lets through (an update writes the ones it
 * narrows first, dlo/reconcile.h), and which a cautious pass may only widen. The program and
 * service are among them: binding an unbound rule narrows it (dlo/binding.h). */
#define DLO_PROPS_WIDEN_ONLY                                                                       \
    (DLO_PROP_LOCAL_PORTS | DLO_PROP_REMOTE_PORTS | DLO_PROP_PROFILES | DLO_PROP_LOCAL_ADDRESSES | \
     DLO_PROP_REMOTE_ADDRESSES | DLO_PROP_APPLICATION | DLO_PROP_SERVICE)

typedef enum dlo_prop_type {
    DLO_PT_TEXT,      /* char *, compared exactly */
    DLO_PT_NAME,      /* char *, compared ignoring ASCII case (program paths, service names) */
    DLO_PT_PORTS,     /* char *, a port list (dlo/portset.h), compared as a set */
    DLO_PT_ADDRS,     /* char *, an address list (dlo/addr.h), compared as a set */
    DLO_PT_DIRECTION, /* dlo_direction */
    DLO_PT_PROTOCOL,  /* int */
    DLO_PT_PROFILES,  /* unsigned, DLO_PROFILE_* bits (others ignored) */
    DLO_PT_ACTION,    /* dlo_action */
    DLO_PT_FLAG,      /* bool */
    DLO_PT_NUMBER,    /* int, compared exactly */
    DLO_PT_WORDS,     /* char *, a comma-separated list compared as a set ignoring ASCII case and
                       * blanks; `any` (e.g. "All") reads as unset */
} dlo_prop_type;

/* What a property's values let through, for telling whether a change narrows or widens. */
typedef enum dlo_prop_scope {
    DLO_SCOPE_NONE,        /* lets nothing through by itself (description) */
    DLO_SCOPE_EXACT,       /* any change is neither (direction, protocol) */
    DLO_SCOPE_SET,         /* a port or address set: a subset is narrower */
    DLO_SCOPE_BITS,        /* profile bits: fewer is narrower */
    DLO_SCOPE_ZERO_NARROW, /* 0 lets least through (disabled, block, no edge traversal) */
    DLO_SCOPE_UNSET_WIDE,  /* unset (or 0) lets most through (any program, user, interface) */
} dlo_prop_scope;

typedef struct dlo_prop {
    unsigned bit;       /* DLO_PROP_* */
    const char *name;   /* "local_ports": in reports and JSON */
    dlo_prop_type type; /* says the field's C type and how values compare */
    size_t offset;      /* of the field in dlo_rule */
    const char *any;    /* text types: how reports and JSON show an unset (NULL or "") value */
    long def;           /* other types: the value of a new rule */
    int json_pos;       /* place in the rule's JSON object (1, 2, ...; after the planner's
                         * fields from DLO_PROP_JSON_TAIL on); 0: not in it */
    dlo_prop_scope scope;
    /* Its keys in a rule string (MS-GPFAS 2.2.2, dlo/rulestr.h), separated by blanks ("LPort
     * LPort2_10"): the reader finds a field's property by them and reads the value by type. */
    const char *keys;
} dlo_prop;

#define DLO_PROP_JSON_TAIL 100

/* In bit order, which is also an order Windows accepts the put_ calls in: INetFwRule validates
 * each one at once, so Protocol comes before the ports. */
extern const dlo_prop dlo_props[DLO_PROP_COUNT];

/* The row of a DLO_PROP_* bit, or NULL. */
const dlo_prop *dlo_prop_find(unsigned bit);
/* Text types: the field, NULL when unset. */
const char *dlo_prop_text(const dlo_rule *r, const dlo_prop *p);
dlo_status dlo_prop_set_text(dlo_rule *r, const dlo_prop *p, const char *value);
/* Other types: the field as a number (Windows' own values; a flag is 0 or 1). */
long dlo_prop_number(const dlo_rule *r, const dlo_prop *p);
void dlo_prop_set_number(dlo_rule *r, const dlo_prop *p, long value);
/* dst's property made src's. */
dlo_status dlo_prop_copy(dlo_rule *dst, const dlo_rule *src, const dlo_prop *p);
/* Same meaning: lists as sets, names in any case, profiles beyond the three ignored, unset
 * lists equal to "*" and "Any". A list of have that does not parse differs. The program and
 * service of a rule that keeps its binding (keep_binding, either side) equal any. */
bool dlo_prop_equal(const dlo_prop *p, const dlo_rule *want, const dlo_rule *have);
/* inner's value lets through nothing outer's does not, by the row's scope. A list that does not
 * parse is taken to let everything through. */
bool dlo_prop_within(const dlo_prop *p, const dlo_rule *inner, const dlo_rule *outer);
/* Sets dst's property (a DLO_PROPS_WIDEN_ONLY one) to what a's and b's let through together.
 * When the union cannot be formed (a list that does not parse, or too long), dst gets a's. A
 * program or service: none when either names none (unset is any program), else a's: a rule
 * names one program, so two cannot be joined, and trading a's for b's would take a's port
 * away. */
dlo_status dlo_prop_union(dlo_rule *dst, const dlo_rule *a, const dlo_rule *b, const dlo_prop *p);
/* The value for people ("tcp", "Domain,Private", "*"). */
void dlo_prop_format(dlo_buf *b, const dlo_prop *p, const dlo_rule *r);
/* The value as a JSON value (strings quoted, profiles an array, flags true/false). */
void dlo_prop_json(dlo_buf *b, const dlo_prop *p, const dlo_rule *r);

void dlo_rule_list_init(dlo_rule_list *l);
void dlo_rule_list_free(dlo_rule_list *l);
/* Appends a new rule_init'ed slot and returns it, or NULL on allocation failure. */
dlo_rule *dlo_rule_list_add(dlo_rule_list *l);

const char *dlo_direction_name(dlo_direction d); /* "in" / "out" */
const char *dlo_protocol_name(int proto);        /* "tcp" / "udp" / "any" / number */
/* Appends profile names as a JSON array body ("\"domain\", \"private\""). */
void dlo_profiles_json(dlo_buf *b, unsigned profiles);
/* Appends "domain,private": the names as the configuration writes them (CorporateProfiles). */
void dlo_profiles_value(dlo_buf *b, unsigned profiles);
/* How many bits of a mask are set: properties (DLO_PROP_*) or profiles (DLO_PROFILE_*). */
unsigned dlo_bit_count(unsigned mask);
/* Appends "Domain,Private" (Windows' order), or "All". */
void dlo_profiles_text(dlo_buf *b, unsigned profiles);
/* Parses s[0..n), profile names separated by commas ("domain,private"; any case, blanks around
 * a name ignored), into DLO_PROFILE_* bits. On failure returns false and bad, bad_len point at
 * the first item that is not a profile name. */
bool dlo_profiles_parse(const char *s, size_t n, unsigned *out, const char **bad, size_t *bad_len);

#endif
