/* Who changed or deleted a rule the agent owns, from the firewall's own events.
 *
 * What it reads: the channel "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"
 * (added 2004/2071/2097, modified 2005/2073/2099, deleted 2006/2052, all rules deleted
 * 2033/2059), whose events carry RuleId, RuleName, ModifyingUser (a SID) and
 * ModifyingApplication; and the Security log's 4946/4947/4948 (added, modified, deleted: only
 * when "Audit MPSSVC Rule-Level Policy Change" is on), which carry RuleId and RuleName but
 * neither account nor program, so they are used only when the firewall channel has no match.
 *
 * How it matches: on the rule's ID (the value name of the rule in the store; compared ignoring
 * ASCII case, as registry value names are) and on time: the latest event of the right kind
 * inside the window [from, to]. Following the ID, not the name, is what finds a rule that was
 * renamed and then deleted: the delete event names the rule as it was called then, and the
 * answer says so (rule_name). Without the ID, the ID is taken from the agent's own add or modify
 * events that gave the rule its name, never from anyone else's event of that name (names are
 * not unique, and another rule of the same name would blame its author).
 *
 * The agent's own changes: an event whose ModifyingApplication is the agent's executable
 * (self_image, ignoring ASCII case) is the agent's own (DLO_ATTR_SELF). The program, not a time
 * window, decides, because a window would also claim a foreign change that fell inside one of
 * the agent's passes. The window keeps the agent's earlier writes out instead: its `from` is
 * when the agent last wrote the rule, so only what happened to the rule after that is looked at.
 *
 * Honestly unknown: when the channel cannot be read (no such channel, as under Wine; access
 * denied), when no event of the right kind names the rule in the window (the channel is off, or
 * its events rolled over), when the rule's ID is not known, and when the only events that would
 * match could not be read (dlo/fwevent.h refuses malformed XML rather than guess). A failed
 * change (an event with a non-zero ErrorCode) is not the change that left the rule as found.
 *
 * The operating system is reached only through dlo_attr_os, so all of this is tested with fakes
 * (tests/unit/test_attribution.c); agent/win/fwevents.c is the Windows one. */
#ifndef DLO_ATTRIBUTION_H
#define DLO_ATTRIBUTION_H

#include "dlo/buf.h"
#include "dlo/fwevent.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLO_ATTR_FIREWALL_CHANNEL                                                                  \
    "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"
#define DLO_ATTR_FIREWALL_PROVIDER "Microsoft-Windows-Windows Firewall With Advanced Security"
#define DLO_ATTR_SECURITY_CHANNEL  "Security"
#define DLO_ATTR_SECURITY_PROVIDER "Microsoft-Windows-Security-Auditing"
/* Most events kept from one channel; the seam gives the newest first, so the oldest go. */
#define DLO_ATTR_MAX_EVENTS 4096

/* Takes one rendered event; an error stops the query and is returned by it. */
typedef dlo_status (*dlo_attr_sink)(void *sink_ctx, const char *xml, size_t n);

typedef struct dlo_attr_os {
    void *ctx;
    /* Hands sink each event of `channel` whose ID is one of ids[0..n_ids) and that was created
     * at or after `since` (FILETIME ticks, UTC), as the XML EvtRender(EvtRenderEventXml) makes
     * (UTF-8), newest first, at most DLO_ATTR_MAX_EVENTS. DLO_E_NOTFOUND when the channel does
     * not exist here; any error: err says why. */
    dlo_status (*query)(void *ctx, const char *channel, const unsigned *ids, size_t n_ids,
                        int64_t since, dlo_attr_sink sink, void *sink_ctx, dlo_error *err);
    /* Appends the account of `sid` ("DOMAIN\name") to out. DLO_E_NOTFOUND when no account has
     * it. NULL where names cannot be looked up: the SID alone is given. */
    dlo_status (*account_name)(void *ctx, const char *sid, dlo_buf *out, dlo_error *err);
} dlo_attr_os;

/* The events of both channels since a time, read once for every rule a pass looks up. */
typedef struct dlo_attr_events {
    dlo_fwevent *items;
    size_t count, cap;
    size_t unreadable;      /* refused by the reader (dlo/fwevent.h) */
    bool firewall_read;     /* the firewall channel was read */
    char firewall_why[512]; /* why not, when it was not */
    bool security_read;     /* the Security log was read (needs the audit on to hold any) */
} dlo_attr_events;

/* Reads both channels since `since`. Fails only when out of memory: a channel that cannot be
 * read is recorded (firewall_read, firewall_why) and makes the answers unknown. */
dlo_status dlo_attr_load(const dlo_attr_os *os, int64_t since, dlo_attr_events *ev, dlo_error *err);
void dlo_attr_events_free(dlo_attr_events *ev);

typedef enum dlo_attr_change {
    DLO_ATTR_CHANGED, /* the rule is there but differs from the plan */
    DLO_ATTR_DELETED, /* the rule is gone */
} dlo_attr_change;

typedef struct dlo_attr_query {
    const char *rule_id;   /* the rule's ID in the store; NULL when not known (see above) */
    const char *rule_name; /* the name the agent gave it */
    dlo_attr_change change;
    int64_t from, to;       /* FILETIME ticks: the agent's last write of it, and now */
    const char *self_image; /* the agent's own executable, as a full path */
} dlo_attr_query;

typedef enum dlo_attr_origin {
    DLO_ATTR_UNKNOWN, /* no event says; why tells */
    DLO_ATTR_FOREIGN, /* someone else */
    DLO_ATTR_SELF,    /* the agent itself */
} dlo_attr_origin;

typedef struct dlo_attribution {
    dlo_attr_origin origin;
    unsigned event_id;       /* 0 when unknown */
    int64_t time;            /* the event's TimeCreated */
    char *rule_id;           /* the ID the event names; NULL for "all rules deleted" */
    char *rule_name;         /* the name the event gives the rule (another after a rename) */
    char *user_sid;          /* ModifyingUser; NULL for a Security log event */
    char *user_name;         /* "DOMAIN\name" when account_name found it, else NULL */
    char *application;       /* ModifyingApplication; NULL for a Security log event */
    char why[DLO_ERROR_MAX]; /* when unknown: why, for people */
} dlo_attribution;

void dlo_attribution_free(dlo_attribution *a);

/* Who made the change q describes, from ev. Fails only when out of memory; everything else is
 * an answer, DLO_ATTR_UNKNOWN included. */
dlo_status dlo_attr_find(const dlo_attr_events *ev, const dlo_attr_os *os, const dlo_attr_query *q,
                         dlo_attribution *out, dlo_error *err);

/* The short form the State key's LastDriftBy and /verify's changed_by carry: "HOST\alice
 * (S-1-5-21-...) with C:\Windows\System32\netsh.exe", "the agent itself", "unknown". */
void dlo_attribution_by(dlo_buf *b, const dlo_attribution *a);
/* One sentence for the drift event: who, with what, which event at what time, and the name the
 * rule had if it was renamed; or why it is unknown. */
void dlo_attribution_describe(dlo_buf *b, const dlo_attr_query *q, const dlo_attribution *a);

#endif
