/* Who made the drift a pass or /verify found: each owned rule missing or drifted, looked up in
 * the firewall's own events (dlo/attribution.h) through the platform's seam.
 *
 * COM gives no rule IDs, and the events name rules by ID, so the IDs come from the local rule
 * store's value names (the store the firewall writes, dlo/effective.h): a drifted rule's ID is
 * read now, a deleted rule's is the one it had when the last pass read the store (the service
 * keeps them, dlo_service_loop.owned_ids); where none is known, attribution follows the ID the
 * agent's own events gave that name, or says unknown. */
#ifndef DLO_DRIFT_H
#define DLO_DRIFT_H

#include "dlo/buf.h"
#include "dlo/platform.h"
#include "dlo/reconcile.h"
#include "dlo/registry.h"
#include "dlo/status.h"
#include "dlo/str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FILETIME ticks (100 ns since 1601, UTC) of a time in seconds since 1970. */
int64_t dlo_drift_ticks(int64_t unix_seconds);

/* The owned rules of the local store, one "ID\tname" each. DLO_E_NOTFOUND: no store. */
dlo_status dlo_drift_read_ids(const dlo_registry *reg, dlo_strlist *out, dlo_error *err);

/* Copies the ID of the owned rule `name` in ids (as dlo_drift_read_ids gives them) to id;
 * false when ids has none (or it does not fit). */
bool dlo_drift_id_of(const dlo_strlist *ids, const char *name, char *id, size_t size);

/* Keeps in *kept the IDs of `now`, and of `kept`'s the rules `now` no longer has (a deleted
 * rule keeps the ID it had). */
dlo_status dlo_drift_merge_ids(dlo_strlist *kept, const dlo_strlist *now, dlo_error *err);

/* Who did each missing or drifted rule among the first n_items changes of rep->diff (an ADD is
 * a rule deleted, an UPDATE one changed): its ID from ids_now (changed) or ids_before (deleted,
 * NULL when not known); the window from..to in FILETIME ticks. Sets rep->changed_by for those
 * items, appends one sentence per rule to text ("; " before each), and sets last_by to the
 * short form of the first answer that names someone, else "unknown". Fails only when out of
 * memory. */
dlo_status dlo_drift_attribute(const dlo_platform *plat, dlo_reconcile_report *rep, size_t n_items,
                               const dlo_strlist *ids_before, const dlo_strlist *ids_now,
                               int64_t from, int64_t to, dlo_buf *text, dlo_buf *last_by,
                               dlo_error *err);

/* For /verify: who did each missing or drifted rule of rep (every change of its diff), from the
 * firewall's events of any time, the IDs read from the store now (a deleted rule's ID then comes
 * from the agent's own events). Sets rep->changed_by only; fails only when out of memory. */
dlo_status dlo_drift_for_verify(const dlo_platform *plat, dlo_reconcile_report *rep,
                                dlo_error *err);

#endif
