/* The detection table: for each DLO role, the evidence on a machine that shows the role is
 * installed. It is data (policies/dlo-10.0.detect, embedded in the executable as DETECTION and
 * replaceable with /detection:FILE) so an administrator can correct an entry without a
 * rebuild; policies/README.md describes the format.
 *
 * Every line after the header "dlo-detect 1" is one entry:
 *
 *     ROLE  confirmed|unconfirmed  KIND  ARGUMENTS...
 *
 *     service          PATTERN              a service whose short name matches
 *     service-display  PATTERN              a service whose display name matches
 *     uninstall        PATTERN              an Uninstall entry (64- and 32-bit views) whose
 *                                           DisplayName matches
 *     file             %Folder%\PATH        a file under a known folder
 *     regfile          HKLM\KEY VALUE [PATH] a file at the path held in a registry value (64-
 *                                           and 32-bit views), or at PATH below it
 *
 * Patterns take '*' and '?' and ignore ASCII case. Fields are separated by blanks; a field
 * with blanks is written in double quotes; '#' starts a comment where a field could start. */
#ifndef DLO_DETECT_TABLE_H
#define DLO_DETECT_TABLE_H

#include "dlo/buf.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits, as the port matrix has them (dlo/policy.h): a table is a few dozen entries, and the
 * service reads it on every pass. */
#define DLO_DETECT_MAX_BYTES   (256u * 1024u)
#define DLO_DETECT_MAX_ENTRIES 1000
#define DLO_DETECT_MAX_LINE    4096

/* The embedded table's resource name (CMakeLists.txt, DLO_EMBEDDED_DATA). */
#define DLO_DETECT_EMBEDDED_NAME "DETECTION"

typedef enum dlo_detect_kind {
    DLO_DETECT_SERVICE,
    DLO_DETECT_SERVICE_DISPLAY,
    DLO_DETECT_UNINSTALL,
    DLO_DETECT_FILE,
    DLO_DETECT_REGFILE,
    /* Built in, never in a table: the local SQL Server instance that gives sql-server. */
    DLO_DETECT_SQL_INSTANCE,
    DLO_DETECT_KIND_COUNT
} dlo_detect_kind;

/* The keyword in the table and in JSON ("service-display", "sql-instance"). */
const char *dlo_detect_kind_name(dlo_detect_kind k);

typedef struct dlo_detect_entry {
    dlo_role role;
    dlo_detect_kind kind;
    bool confirmed; /* a public source says so; otherwise an educated guess */
    unsigned line;
    /* service, service-display, uninstall: the pattern. */
    char *pattern;
    /* file: the canonical known-folder name ("ProgramFiles"); path is below it. */
    char *folder;
    /* regfile: the key below HKLM and the value name ("" for the default value); path, if not
     * NULL, is below the directory the value names. */
    char *key;
    char *value;
    char *path;
} dlo_detect_entry;

typedef struct dlo_detect_table {
    char *source; /* where it came from, for messages: a file name or "embedded DETECTION" */
    dlo_detect_entry *entries;
    size_t count;
    size_t cap;
} dlo_detect_table;

void dlo_detect_table_init(dlo_detect_table *t);
void dlo_detect_table_free(dlo_detect_table *t);

/* Parses text (len bytes, need not be NUL-terminated) into an initialised table. On error
 * the table is left empty and err reads "SOURCE:LINE: what was wrong; expected what" (a file
 * over DLO_DETECT_MAX_BYTES: "SOURCE: ..."). */
dlo_status dlo_detect_table_parse(dlo_detect_table *t, const char *source, const char *text,
                                  size_t len, dlo_error *err);

/* Appends what the entry looks for, as a reader would say it
 * ("service display name matching \"*DLO*Edge*\""). */
void dlo_detect_entry_describe(dlo_buf *b, const dlo_detect_entry *e);

/* The known folders a file entry may start from, by canonical name (as written between the
 * percent signs), in table order; NULL past the end. */
const char *dlo_detect_known_folder(size_t i);

#endif
