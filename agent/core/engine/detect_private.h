/* What the parts of detection share while one run reads the machine: detect.c (the table's
 * entries), detect_sql.c (SQL Server) and detect_candidates.c. No other module includes it. */
#ifndef DLO_DETECT_PRIVATE_H
#define DLO_DETECT_PRIVATE_H

#include "dlo/detect.h"

#include <stdbool.h>

typedef struct dlo_detect_uninstall_item {
    dlo_reg_view view;
    char *key; /* HKLM\...\Uninstall\{subkey} */
    char *display_name;
} dlo_detect_uninstall_item;

typedef struct dlo_detector {
    const dlo_detect_os *os;
    const dlo_registry *reg;
    const dlo_fs_security *fs; /* judges file evidence (dlo_trust_file); NULL trusts none */
    dlo_detect_result *r;
    bool nomem; /* an allocation failed: the run ends with DLO_E_NOMEM */

    bool services_read;
    bool services_ok;
    dlo_service_list services;

    bool uninstall_read;
    dlo_detect_uninstall_item *uninstall;
    size_t n_uninstall;
    size_t cap_uninstall;
} dlo_detector;

/* Both registry views, the 64-bit one first. */
extern const dlo_reg_view dlo_detect_views[2];

/* A REG_SZ or REG_EXPAND_SZ. */
bool dlo_detect_is_text(const dlo_reg_value *v);
/* Notes a failed allocation: the run then ends with DLO_E_NOMEM. */
void dlo_detect_keep(dlo_detector *d, dlo_status st);
/* A copy of s (NULL for NULL), the failure noted. */
char *dlo_detect_dup(dlo_detector *d, const char *s);
/* A warning in the result; failure marks the result partial, since what could not be read may
 * hide a role. */
void dlo_detect_warn(dlo_detector *d, bool failure, const char *fmt, ...) DLO_PRINTF(3, 4);
void dlo_detect_add_evidence(dlo_detector *d, dlo_detect_evidence_list *l, dlo_role role,
                             dlo_detect_kind kind, bool confirmed, unsigned line,
                             const char *subject, const char *detail, dlo_reg_view view,
                             dlo_service_state state);
/* Evidence of entry e found. */
void dlo_detect_found(dlo_detector *d, const dlo_detect_entry *e, const char *subject,
                      const char *detail, dlo_reg_view view, dlo_service_state state);
/* Reads a value as detection takes it: a string (REG_SZ, or REG_EXPAND_SZ already expanded)
 * or a REG_DWORD. Another type is an error naming the key and value, like a failed read. */
dlo_status dlo_detect_read_value(dlo_detector *d, dlo_reg_view view, const char *key,
                                 const char *name, dlo_reg_value *out, dlo_error *err);
/* The services, and the Uninstall entries' display names, read once per run. */
void dlo_detect_read_services(dlo_detector *d);
void dlo_detect_read_uninstall(dlo_detector *d);

/* After the table: the SQL Server instance of DLO's and its port (detect_sql.c). */
void dlo_detect_sql_server(dlo_detector *d, const dlo_detect_params *params);
/* The candidates among the services and Uninstall entries (detect_candidates.c). */
void dlo_detect_candidates(dlo_detector *d, const dlo_detect_table *t);

#endif
