/* A swappable log sink, as in wintun: the core logs through one callback that the console
 * front end points at stderr and the service points at the Event Log. The default drops
 * nothing: it writes to stderr. */
#ifndef DLO_LOG_H
#define DLO_LOG_H

#include "dlo/status.h"

typedef enum dlo_log_level { DLO_LOG_INFO, DLO_LOG_WARN, DLO_LOG_ERR } dlo_log_level;

typedef void (*dlo_log_fn)(void *ctx, dlo_log_level level, const char *msg_utf8);

/* Passing NULL restores the default. Not thread-safe: set it once at start-up. */
void dlo_log_set(dlo_log_fn fn, void *ctx);

void dlo_log(dlo_log_level level, const char *fmt, ...) DLO_PRINTF(2, 3);

/* Event identifiers: what a monitoring rule matches on in the Windows Event Log (source
 * "dloagent", log Application). Each has a message in agent/win/dloagent.mc, and docs/events.md
 * lists them; the numbers never change meaning once released. */
typedef enum dlo_event {
    DLO_EV_NONE = 0, /* a message with no event of its own: logged as 1900-1902 by level */
    DLO_EV_SERVICE_STARTED = 1000,
    DLO_EV_SERVICE_STOPPED = 1001,
    DLO_EV_CONFIG_IN_EFFECT = 1002, /* the configuration changed (or at start): its values */
    DLO_EV_SERVICE_PROBLEM = 1003,  /* the service host itself could not do something */
    DLO_EV_RULES_APPLIED = 1100,    /* rules added, updated, removed, with counts */
    DLO_EV_DRIFT_REPAIRED = 1101,   /* owned rules changed by someone else were put back */
    DLO_EV_RULES_UNCHANGED = 1102,  /* a pass found every rule as planned */
    DLO_EV_DRIFT_REPORTED = 1103,   /* DriftAction report: differences found, left standing */
    DLO_EV_CONFIG_ERROR = 1200,     /* configuration invalid: firewall rules left as they are */
    DLO_EV_CONFIG_WARNING = 1201,   /* a value that does not take effect is invalid */
    DLO_EV_NAME_KEPT = 1202, /* a host name of a scope does not resolve: its last known addresses */
    DLO_EV_FIREWALL_ERROR = 1300,    /* the firewall could not be read or changed */
    DLO_EV_RECONCILE_FAILED = 1301,  /* a pass failed for another reason */
    DLO_EV_GPO_OVERRIDE = 1400,      /* Group Policy makes local rules ineffective */
    DLO_EV_PROFILE_MISMATCH = 1401,  /* no connected network is on a class's profiles */
    DLO_EV_RULES_INEFFECTIVE = 1402, /* a Block rule, the firewall off: rules void */
    DLO_EV_COMPONENT_APPEARED = 1500,
    DLO_EV_COMPONENT_DISAPPEARED = 1501,
    DLO_EV_PUSH_PORTS_CLOSED = 1502, /* ClosePushPortsWhenInstalled removed first-install rules */
    DLO_EV_INFO = 1900,              /* DLO_EV_NONE messages, by level */
    DLO_EV_WARNING = 1901,
    DLO_EV_ERROR = 1902,
} dlo_event;

/* A sink that also receives the event of each message. While one is set it receives every
 * message (dlo_log's ones with DLO_EV_NONE) instead of the plain sink; NULL removes it. */
typedef void (*dlo_log_event_fn)(void *ctx, dlo_event ev, dlo_log_level level,
                                 const char *msg_utf8);
void dlo_log_set_event_sink(dlo_log_event_fn fn, void *ctx);

void dlo_log_event(dlo_event ev, dlo_log_level level, const char *fmt, ...) DLO_PRINTF(3, 4);

#endif
