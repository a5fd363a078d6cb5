/* What the service does on each wake-up, apart from how it waits.
 *
 * The Windows service host (agent/win/svcloop.c) owns the waiting: stop requests, registry and
 * service-list notifications, the drift-repair timer, the coalescing of bursts. Each time it
 * decides to act it calls dlo_service_pass, which loads the configuration and, only when that
 * succeeded, calls the reconcile function of a dlo_service_ops. The pass never runs while
 * another one runs, and a stop request is only acted on between passes, so no rule is half
 * written when the service stops. */
#ifndef DLO_SERVICE_H
#define DLO_SERVICE_H

#include "dlo/config.h"
#include "dlo/names.h"
#include "dlo/registry.h"
#include "dlo/str.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stdint.h>

/* Why a pass runs; several at once when a burst was coalesced. */
typedef enum dlo_wake {
    DLO_WAKE_START = 1u << 0,        /* the service (or /run) has just started */
    DLO_WAKE_CONFIG = 1u << 1,       /* a configuration key changed */
    DLO_WAKE_SERVICES = 1u << 2,     /* a service was created or deleted */
    DLO_WAKE_TIMER = 1u << 3,        /* the drift-repair interval elapsed */
    DLO_WAKE_RETRY = 1u << 4,        /* the previous pass failed and is being retried */
    DLO_WAKE_FIREWALL = 1u << 5,     /* the local rule store or the profile settings changed */
    DLO_WAKE_GROUP_POLICY = 1u << 6, /* Group Policy's firewall key changed */
    DLO_WAKE_NETWORK = 1u << 7,      /* a network's category changed */
} dlo_wake;

/* The wake-ups that only a change of the firewall's keys caused: when those keys hash as they
 * did when the last pass read them (dlo/fwprint.h), there is nothing new to look at. */
#define DLO_WAKE_FIREWALL_KEYS (DLO_WAKE_FIREWALL | DLO_WAKE_GROUP_POLICY)
/* The wake-ups that find drift rather than ask for a new plan: what such a pass changes, it
 * changes back (event 1101, attribution), and in report mode it only reports. */
#define DLO_WAKE_DRIFT                                                                             \
    (DLO_WAKE_TIMER | DLO_WAKE_RETRY | DLO_WAKE_FIREWALL | DLO_WAKE_GROUP_POLICY | DLO_WAKE_NETWORK)

/* The commands only a service host carries out (dlo_platform.service_command). */
typedef enum dlo_service_command {
    DLO_SERVICE_INSTALL,   /* /install: register the service and its Event Log source */
    DLO_SERVICE_UNINSTALL, /* /uninstall */
    DLO_SERVICE_RUN,       /* /run: the service's loop in a console */
    DLO_SERVICE_HOST,      /* /service: the loop under the Service Control Manager */
} dlo_service_command;

/* Appends "start, configuration changed" for the bits of why. */
void dlo_wake_text(dlo_buf *out, unsigned why);

struct dlo_service_loop;

typedef struct dlo_service_ops {
    void *ctx;
    /* Optional (NULL = nothing to do): called once on the thread that runs the passes, before
     * the first (COM is already initialised there, multithreaded) and after the last. A failing
     * start stops the service with that error. */
    dlo_status (*start)(void *ctx, dlo_error *err);
    void (*stop)(void *ctx);
    /* Brings the firewall to what cfg asks for. Called only with a valid configuration, on the
     * same thread each time, never concurrently. `why` holds dlo_wake bits; `mem` is the
     * loop's memory, where it keeps what it needs from one pass to the next. Reports what it
     * changed through dlo_log_event (DLO_EV_RULES_APPLIED, DLO_EV_DRIFT_REPAIRED,
     * DLO_EV_COMPONENT_*, DLO_EV_GPO_OVERRIDE, DLO_EV_PROFILE_MISMATCH); a failure is returned in
     * err, and the pass logs it once (DLO_EV_CONFIG_ERROR for DLO_E_CONFIG, such as a PolicyFile
     * that is not trusted; DLO_EV_FIREWALL_ERROR for DLO_E_FIREWALL and DLO_E_ACCESS; else
     * DLO_EV_RECONCILE_FAILED) and the host retries it with a back-off. */
    dlo_status (*reconcile)(void *ctx, const dlo_config *cfg, struct dlo_service_loop *mem,
                            unsigned why, dlo_error *err);
    /* Appends the configuration in one line for the event that says it is in effect; NULL
     * leaves the event without it. How a configuration reads is the front's to say, so the
     * pass takes it from whoever runs it (dlo_report_config_summary). */
    void (*summarize)(dlo_buf *out, const dlo_config *cfg);
    /* Optional: told of a pass that failed (an invalid configuration or a failed reconcile),
     * with the message its event carries, to record it in the compliance state (dlo/state.h).
     * A successful reconcile records its own state. */
    void (*failed)(void *ctx, const char *message);
} dlo_service_ops;

/* The one memory between passes, of the pass and of the reconcile alike. */
typedef struct dlo_service_loop {
    bool have_applied; /* `applied` holds the configuration of the last successful pass */
    dlo_config applied;
    bool have_logged; /* `logged` is the configuration last reported as in effect */
    dlo_config logged;
    bool have_roles;    /* `roles` holds the roles planned by the last successful reconcile */
    dlo_role_set roles; /* to report components appearing and disappearing */
    bool gp_override_reported;
    /* The profile mismatch last logged (dlo/netprofiles.h), as a key that changes with what it
     * says; 0: none. */
    unsigned profile_mismatch;
    /* The SQL Server port the last pass read (not a default): used in its place by a pass that
     * could only fall back to the default. "" until one was read. */
    char sql_port[128];
    /* No chasing of the agent's own writes: the hash of the firewall's keys (dlo/fwprint.h)
     * when the last pass that wrote nothing read them. A pass that wrote leaves have_print
     * false, so the wake-up its own writes cause gets one pass that reads (and, finding
     * everything right, writes nothing); that pass sets it. */
    bool have_print;
    uint64_t print;
    bool wrote; /* set by the reconcile: this pass wrote to the firewall */
    /* Counts since the start, for the stop event and the benchmark. */
    unsigned long passes; /* reconciles run */
    unsigned long
        unchanged; /* wake-ups that found the firewall's keys as the last pass read them */
    /* Attribution (dlo/attribution.h): the owned rules' IDs in the local store by name, as
     * the last pass read them ("ID\tname"), which a later pass needs for a rule deleted since;
     * and when the agent last wrote to the firewall (FILETIME ticks; 0 before any pass). */
    dlo_strlist owned_ids;
    int64_t last_write;
    /* The kinds of the problems last logged as event 1402 ("blocked-by-rule,firewall-off");
     * "" when none. */
    char problems[256];
    /* The host names of the last successful pass and what they resolved to (what the Names key
     * holds), and when to resolve them again (0: no names). */
    bool have_names;
    dlo_names names;
    unsigned names_refresh_seconds;
} dlo_service_loop;

void dlo_service_loop_init(dlo_service_loop *s);
void dlo_service_loop_free(dlo_service_loop *s);

/* One pass: loads the configuration (with the overrides of /run's command line, or NULL), then
 * reconciles. Returns
 *   DLO_OK        reconciled, or nothing to do: only DLO_WAKE_CONFIG woke it and the effective
 *                 configuration is the one last applied (Group Policy rewrites its keys on every
 *                 refresh), or only DLO_WAKE_FIREWALL_KEYS woke it and those keys hash as the
 *                 last pass that wrote nothing read them (s->unchanged counts these);
 *   DLO_E_CONFIG  the configuration is invalid, or could not be read (the message says which):
 *                 logged as DLO_EV_CONFIG_ERROR, reconcile NOT called, the rules stay as they are;
 *   other         reconcile failed (its status): logged.
 * *interval_seconds receives the period until the next unprompted pass: the drift-repair
 * period from the configuration just loaded, else the last applied one, else the default; or
 * sooner, when the host names of the scopes are due to be resolved again. */
dlo_status dlo_service_pass(dlo_service_loop *s, const dlo_service_ops *ops,
                            const dlo_registry *reg, const dlo_config_overrides *overrides,
                            unsigned why, unsigned *interval_seconds);

#endif
