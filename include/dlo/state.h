/* The compliance state inventory tools read without running the agent (docs/fleet.md):
 * plain values under HKLM\SOFTWARE\Arctera\DLO\FirewallAgent\State, computed here from what a
 * pass, /apply or /verify found, and written through dlo_platform.write_values.
 *
 * What is written when: every record sets LastPass; the other values are written, all of them
 * at once (the writer swaps in a whole new key), only when one of them differs from what the
 * key holds, or the run changed the firewall. LastChange is the time of the last such write. So
 * an unchanged machine costs one value written per pass, and a reader compares LastChange
 * across inventory cycles to see that something happened. */
#ifndef DLO_STATE_H
#define DLO_STATE_H

#include "dlo/config.h"
#include "dlo/plan.h"
#include "dlo/platform.h"
#include "dlo/reconcile.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stdint.h>

#define DLO_STATE_KEY DLO_CONFIG_KEY_INSTALLER "\\State"

/* The values, in the order of the table in docs/fleet.md and the MOF. */
typedef enum dlo_state_item {
    DLO_ST_COMPLIANT,
    DLO_ST_LAST_PASS,
    DLO_ST_LAST_CHANGE,
    DLO_ST_MODE,
    DLO_ST_ROLES,
    DLO_ST_PLANNED,
    DLO_ST_RIGHT,
    DLO_ST_MISSING,
    DLO_ST_DRIFTED,
    DLO_ST_STALE,
    DLO_ST_PROBLEMS,
    DLO_ST_LAST_ERROR,
    DLO_ST_VERSION,
    DLO_ST_POLICY_RELEASE,
    DLO_ST_LAST_DRIFT,    /* when the service last found an owned rule changed or deleted */
    DLO_ST_LAST_DRIFT_BY, /* who did it (dlo_attribution_by): "unknown" when no event says */
    DLO_ST_COUNT
} dlo_state_item;

/* One record: number[] for the REG_DWORD values, text[] (owned, never NULL once set) for the
 * REG_SZ ones. */
typedef struct dlo_state {
    uint32_t number[DLO_ST_COUNT];
    char *text[DLO_ST_COUNT];
} dlo_state;

void dlo_state_init(dlo_state *s);
void dlo_state_free(dlo_state *s);

/* What /verify found: its counts, the kinds of its problems, the plan's mode, roles and
 * release, no error. */
dlo_status dlo_state_from_verify(dlo_state *s, const dlo_plan *plan,
                                 const dlo_reconcile_report *rep, bool compliant, dlo_error *err);

/* What a successful /apply or service pass left: every planned rule right, nothing missing or
 * drifted; stale only the owned rules it kept (keep_unplanned); the problems /verify would find
 * now, from the firewall's state and the run's own enumeration (the rules the agent does not
 * own are as the run read them), so the run reads the firewall once, as it always did. */
dlo_status dlo_state_from_apply(dlo_state *s, const dlo_fw_backend *fw, const dlo_plan *plan,
                                dlo_reconcile_report *rep, bool keep_unplanned, dlo_error *err);

/* A drift the service found in this pass: LastDrift and LastDriftBy. A record without one
 * keeps the values the key holds. */
dlo_status dlo_state_set_drift(dlo_state *s, int64_t when, const char *by, dlo_error *err);

/* "2026-12-01T21:16:57Z" for seconds since 1970 (UTC). */
void dlo_state_time(int64_t seconds, char out[21]);

/* Records s (Version set here) at time now: reads the key, then sets LastPass alone when
 * nothing else differs and the firewall was not changed, else writes the whole record with
 * LastChange = now. Without plat->write_values (or plat->registry to compare with) it does
 * nothing and returns DLO_OK. Errors name the key. */
dlo_status dlo_state_record(const dlo_platform *plat, dlo_state *s, bool firewall_changed,
                            int64_t now, dlo_error *err);

/* Records a run that failed (message as its event says it): Compliant 0 and LastError, the
 * other values as the key holds them from the last run that could count. */
dlo_status dlo_state_record_failure(const dlo_platform *plat, const char *message, int64_t now,
                                    dlo_error *err);

/* What the commands and the service call: the record at the current time, only from an elevated
 * process (no other may write HKLM; an unelevated /verify records nothing and says nothing);
 * a record that cannot be written is a warning through dlo_log, never a failed run. */
void dlo_state_note_apply(const dlo_platform *plat, const dlo_fw_backend *fw, const dlo_plan *plan,
                          dlo_reconcile_report *rep, bool keep_unplanned);
void dlo_state_note_verify(const dlo_platform *plat, const dlo_plan *plan,
                           const dlo_reconcile_report *rep, bool compliant);
/* The same for the service's pass, with the drift it found (drift_by NULL: none). */
void dlo_state_note_pass(const dlo_platform *plat, const dlo_fw_backend *fw, const dlo_plan *plan,
                         dlo_reconcile_report *rep, bool keep_unplanned, bool verify_only,
                         bool compliant, const char *drift_by);
void dlo_state_note_failure(const dlo_platform *plat, const char *message);
/* After /remove (the uninstaller runs it): the agent enforces nothing any more, so the key,
 * which would say otherwise, is deleted. */
void dlo_state_note_removed(const dlo_platform *plat);

#endif
