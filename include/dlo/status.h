/* One error contract for the whole agent.
 *
 * Every fallible function returns a dlo_status. DLO_OK is zero so `if (st)` reads as "failed".
 * The human-readable detail goes into a dlo_error owned by the caller, written once by the
 * function that detected the problem; callers up the stack add context with dlo_error_prefix
 * instead of overwriting it, so the message an administrator sees names the innermost cause. */
#ifndef DLO_STATUS_H
#define DLO_STATUS_H

#include <stdarg.h>
#include <stddef.h>

/* printf-style checking that matches the C library in use: mingw-w64 builds use its C99 stdio
 * (__USE_MINGW_ANSI_STDIO), whose format is gnu_printf, so %zu and %lld mean what C11 says. */
#if defined(__MINGW32__)
#define DLO_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define DLO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DLO_PRINTF(fmt, args)
#endif

typedef enum dlo_status {
    DLO_OK = 0,
    DLO_E_NOMEM,    /* allocation failed */
    DLO_E_USAGE,    /* bad command line */
    DLO_E_PARSE,    /* malformed policy or detection text */
    DLO_E_CONFIG,   /* bad configuration value */
    DLO_E_IO,       /* a file or resource could not be read */
    DLO_E_FIREWALL, /* the firewall API failed */
    DLO_E_ACCESS,   /* not elevated, or access denied */
    DLO_E_NOTFOUND, /* a looked-up item does not exist */
    DLO_E_INTERNAL, /* an invariant broke: a bug */
} dlo_status;

#define DLO_ERROR_MAX 1024

typedef struct dlo_error {
    dlo_status status;
    char msg[DLO_ERROR_MAX];
} dlo_error;

/* Records the failure in err (which may be NULL) and returns st, so a caller can write
 * `return dlo_error_set(err, DLO_E_PARSE, "line %d: ...", n);`. */
dlo_status dlo_error_set(dlo_error *err, dlo_status st, const char *fmt, ...) DLO_PRINTF(3, 4);

/* Prepends context ("policy.txt: ") to a message already recorded. */
void dlo_error_prefix(dlo_error *err, const char *fmt, ...) DLO_PRINTF(2, 3);

void dlo_error_clear(dlo_error *err);

const char *dlo_status_name(dlo_status st);

/* Process exit codes, the same for every command so scripts and compliance tools can rely on
 * them. */
enum {
    DLO_EXIT_OK = 0,           /* done; for /verify: compliant */
    DLO_EXIT_NONCOMPLIANT = 1, /* /verify found the firewall not as planned */
    DLO_EXIT_USAGE = 2,        /* bad command line, configuration or policy */
    DLO_EXIT_FAILED = 3,       /* could not do or check it: firewall error, access denied */
};

int dlo_status_exit_code(dlo_status st);

#endif
