/* Does someone else's rule meet DLO's traffic on a planned path? The one judgement of foreign
 * rules, for blocked-by-rule and may-block (a Block rule stops the path) and for overexposed
 * and may-overexpose (an Allow rule opens the path's port), whether the rule came from the
 * Group Policy store, the local store or COM's enumeration.
 *
 * Every field of the rule string (MS-GPFAS 2.2.2.19) that narrows what a rule matches is one
 * row of dlo_match_rows: what it is, how it is held against the path, and the public source for
 * that. A row answers for its field alone:
 *   - DLO_MATCH_NO: the field certainly leaves DLO's traffic out (another program, a packaged
 *     app, remote addresses apart from the configured peers, another Windows version, ...);
 *   - DLO_MATCH_MAYBE: no public source settles it, or the agent cannot know what it would need
 *     (the peers are `*`, the account a service runs as, the interface DLO's traffic takes);
 *   - DLO_MATCH_YES: the field takes in DLO's traffic, or does not narrow at all.
 * The rule's answer is NO when any row says NO (the first such row decides), else MAYBE when any
 * row says MAYBE (the first decides), else YES. A field the reader could not read, and one the
 * table does not know, answer MAYBE: no missing evidence makes a rule that blocks look harmless.
 *
 * What the path is: the planned rule (direction, protocol, ports, remote addresses = the
 * configured peers' scopes, profiles), the program and service it is bound to, and its row's
 * served-by (dlo_rule.served_by), which says who serves it when it is not bound. What the machine
 * is: its Windows version, for platform validity (dlo_fw_state.os). */
#ifndef DLO_MATCH_H
#define DLO_MATCH_H

#include "dlo/fwbackend.h"
#include "dlo/rule.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum dlo_match_answer {
    DLO_MATCH_NO,    /* does not apply */
    DLO_MATCH_MAYBE, /* may apply */
    DLO_MATCH_YES,   /* applies */
} dlo_match_answer;

/* What is asked of the foreign rule. */
typedef enum dlo_match_purpose {
    DLO_MATCH_BLOCKS, /* a Block rule: does it stop the path's traffic? */
    DLO_MATCH_OPENS,  /* an Allow rule: does it let traffic through on the path's port? How much
                       * wider than the plan it is (remote addresses, profiles, ports) is the
                       * caller's to say; its rows for those fields answer YES */
} dlo_match_purpose;

/* One row of the table: a field of the rule string, and how it is judged. */
typedef struct dlo_match_row {
    const char *field;     /* "package" */
    const char *keys;      /* the rule string's keys: "PFN, AppPkgId" */
    const char *treatment; /* for people: what each answer is given for */
    const char *source;    /* the public source, or "none found" */
} dlo_match_row;

extern const dlo_match_row dlo_match_rows[];
extern const size_t dlo_match_row_count;

/* The answer, and why: the row that decided (NULL when every row says YES) and a sentence on
 * what the field holds against the path. */
typedef struct dlo_match {
    dlo_match_answer answer;
    const dlo_match_row *row;
    char why[256];
} dlo_match;

/* Judges foreign against the planned rule path on a machine of version os (NULL or !known:
 * unknown, so a platform list may apply). */
void dlo_match_rule(const dlo_rule *foreign, const dlo_rule *path, const dlo_os_version *os,
                    dlo_match_purpose purpose, dlo_match *out);

#endif
