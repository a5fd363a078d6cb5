/* The plan for delivery and review, changing nothing (/export:FORMAT), one writer per consumer,
 * each spelled the way its consumer reads it:
 *   powershell     a script for Windows PowerShell 5.1 that makes exactly the plan's rules in a
 *                  policy store (a GPO or the local store), each rule read back by a Name
 *                  derived from what the rule is, so a second run changes nothing;
 *   netsh          netsh advfirewall firewall commands in a .cmd file, for the local store;
 *   intune         request bodies for Intune's settings catalog firewall rules policy;
 *   intune-omauri  the same rules as Firewall CSP OMA-URI rows (an Intune custom profile);
 *   json           the plan as /plan /json prints it.
 *
 * A value a consumer cannot carry (a keyword it has no spelling for, a character its syntax
 * cannot hold) is never passed through: the rule is refused with DLO_E_CONFIG naming the rule,
 * what it holds and the way out. The PowerShell and Intune writers then print nothing, since
 * their output replaces the Group's rules wholesale and would drop the refused one; the netsh
 * writer prints the other rules with a REM line where the refused one was (it deletes and adds
 * only the rules it prints, so a refused rule stays as it is). */
#ifndef DLO_EXPORT_H
#define DLO_EXPORT_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/plan.h"
#include "dlo/status.h"

/* Writes the plan in `format` (see above; any case); DLO_E_USAGE naming the formats for any
 * other, DLO_E_CONFIG when a rule is refused (what was written stays in b). */
dlo_status dlo_export(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg, const char *format,
                      dlo_error *err);

dlo_status dlo_export_powershell(dlo_buf *b, const dlo_plan *plan, dlo_error *err);
dlo_status dlo_export_netsh(dlo_buf *b, const dlo_plan *plan, dlo_error *err);
dlo_status dlo_export_intune(dlo_buf *b, const dlo_plan *plan, dlo_error *err);
dlo_status dlo_export_omauri(dlo_buf *b, const dlo_plan *plan, dlo_error *err);

/* ---- shared by the writers ---- */

/* One keyword of the plan (Windows' COM and Firewall CSP spelling, as dlo/addr.h and
 * dlo/portset.h normalise them) and the consumer's spelling of it, with where that spelling is
 * documented. A keyword a writer's table lacks is refused, never passed through. */
typedef struct dlo_export_keyword {
    const char *plan;
    const char *consumer;
    const char *source;
} dlo_export_keyword;

typedef struct dlo_export_keywords {
    const dlo_export_keyword *items;
    size_t count;
} dlo_export_keywords;

/* The consumer's spelling of the keyword s[0..n) (any case), or NULL. */
const char *dlo_export_keyword_find(const dlo_export_keywords *t, const char *s, size_t n);

/* A token of an address list is a keyword unless it is an address: an IPv6 address holds ':',
 * an IPv4 address starts with a digit. A port token is a keyword when it starts with a letter. */
bool dlo_export_is_address_keyword(const char *s, size_t n);
bool dlo_export_is_port_keyword(const char *s, size_t n);

/* The rules a writer could not write, for one error that names each. */
typedef struct dlo_export_refusals {
    dlo_buf text;     /* every refusal, "; "-separated, for the error */
    dlo_strlist each; /* the same, one a line, for when the error cannot hold them all */
    size_t count;
} dlo_export_refusals;

void dlo_export_refusals_init(dlo_export_refusals *r);
void dlo_export_refusals_free(dlo_export_refusals *r);
void dlo_export_refuse(dlo_export_refusals *r, const dlo_rule *rule, const char *fmt, ...)
    DLO_PRINTF(3, 4);
/* DLO_OK when nothing was refused, else DLO_E_CONFIG "/export:FORMAT: ..." listing them; when
 * the list is longer than an error holds, each refusal is logged as an error line of its own and
 * the error says how many there were. */
dlo_status dlo_export_refusals_status(const dlo_export_refusals *r, const char *format,
                                      dlo_error *err);

/* Refuses the rule when a name or description is not valid UTF-8: every consumer keeps names
 * as UTF-16, and a writer can only promise to hand over exactly the text it was given. */
bool dlo_export_text_ok(dlo_export_refusals *r, const dlo_rule *rule, const char *format);

/* Each rule's identity for consumers that address rules by a name of their own (PowerShell's
 * -Name, the Firewall CSP's FirewallRuleName): the ASCII letters and digits of the rule's name
 * as CamelCase words (at most DLO_EXPORT_ID_WORDS characters of them), then 8 hex digits of the
 * FNV-1a hash of the exact name. The planner names a rule from its matrix row, direction and
 * protocol, so the identity is the same on every run and machine. */
#define DLO_EXPORT_ID_WORDS 40
void dlo_export_rule_id(dlo_buf *b, const char *name);
/* Refuses each rule whose identity another rule of the plan has. */
void dlo_export_check_ids(dlo_export_refusals *r, const dlo_plan *plan);

/* The protocol as TCP, UDP, Any or its number (lower case for netsh). */
void dlo_export_protocol(dlo_buf *b, int proto, bool lower);
/* The profiles as Domain,Private,Public or Any, each item between `quote`s, comma-separated
 * (lower case for netsh). */
void dlo_export_profiles(dlo_buf *b, unsigned bits, bool lower, const char *quote);

/* The roles of the plan, comma-separated, for headers. */
void dlo_export_roles(dlo_buf *b, const dlo_plan *plan);
/* The host names of the scopes, resolved now, and the addresses the rules hold for them: with a
 * line prefix ("# ", "REM "), lines for a comment; with NULL, one sentence for a field. Nothing
 * when no scope names a host. Names are checked host names (letters, digits, '-', '.'), so
 * they cannot end a comment or a string early. */
void dlo_export_names(dlo_buf *b, const dlo_plan *plan, const char *line_prefix);

/* ---- the Firewall CSP, shared by /export:intune and /export:intune-omauri ---- */

/* Most rules in one Intune firewall rules policy (memdocs, endpoint-security-firewall-policy). */
#define DLO_EXPORT_CSP_MAX_RULES 150

/* Writes one request body for the rules plan->rules.items[idx[0..n)], titled `title`. */
typedef void (*dlo_export_csp_body)(dlo_buf *b, const dlo_plan *plan, const size_t *idx, size_t n,
                                    const char *title);

/* Checks every rule against the Firewall CSP, then writes the bodies: the rules that use
 * Intranet, RmtIntranet, Internet or Ply2Renders (which exist only from Windows 10 1809, and
 * one node a build does not take fails the whole atomic block) in bodies of their own, titled
 * so, at most DLO_EXPORT_CSP_MAX_RULES rules each; one body as a JSON object, more as an array. */
dlo_status dlo_export_csp(dlo_buf *b, const dlo_plan *plan, const char *format,
                          dlo_export_csp_body body, dlo_error *err);

/* The bodies' description as a JSON string: who made them, from which matrix. */
void dlo_export_csp_description(dlo_buf *b, const dlo_plan *plan, const char *format);

/* Appends the list item s[0..n) as the CSP spells it (a keyword in its spelling, an address or
 * a port range as it is); dlo_export_csp checked before that the CSP has it. */
void dlo_export_csp_item(dlo_buf *b, const char *s, size_t n, bool ports);

#endif
