/* A plan saved as `/plan /json` or `/export:json` prints it (another machine, another
 * configuration, another port matrix release), read back into rules for comparing
 * (dlo/compare.h).
 *
 * Rules are known by their name, which the plan gives each rule once. The properties the plan's
 * JSON holds (dlo_props rows with a json_pos, application and service) are read by their names;
 * one a file does not hold was not stated (an older version wrote no such member) and is
 * recorded as such, never guessed at. The properties every version leaves at Windows' default
 * and out of the JSON (local_addresses, edge_traversal, ...) are read when a file states them and
 * are the default otherwise. Members the reader does not know are ignored (a newer version's). */
#ifndef DLO_PLANFILE_H
#define DLO_PLANFILE_H

#include "dlo/rule.h"
#include "dlo/status.h"

#include <stddef.h>

/* The most a saved plan may hold: the size of the port matrix's cap, far beyond any plan. */
#define DLO_PLANFILE_MAX_BYTES (1024u * 1024u)
/* The most rules it may hold: a plan of every role in any mode has fewer than 100. */
#define DLO_PLANFILE_MAX_RULES 2048

/* The properties of dlo_props the plan's JSON holds: what a saved plan of this version states. */
unsigned dlo_planfile_json_props(void);

typedef struct dlo_saved_plan {
    char *mode;   /* as the file says it; NULL: not stated */
    char *policy; /* the port matrix release; NULL: not stated */
    char *roles;  /* "a,b"; NULL: not stated */
    dlo_rule_list rules;
    /* Per rule, the DLO_PROP_* bits known: stated by the file, or of the properties every version
     * leaves out of the JSON at their default. */
    unsigned *stated;
    unsigned missing; /* DLO_PROP_* bits some rule does not state (of dlo_planfile_json_props) */
} dlo_saved_plan;

/* Reads text[0..len) into *out. Errors (DLO_E_PARSE) say where ("line 12: rules[3] 'NAME':
 * local_ports ...") what was wrong and what was expected, with no prefix (the caller names the
 * file); *out is then empty. */
dlo_status dlo_planfile_parse(const char *text, size_t len, dlo_saved_plan *out, dlo_error *err);
void dlo_saved_plan_free(dlo_saved_plan *p);

#endif
