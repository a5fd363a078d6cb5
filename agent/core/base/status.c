#include "dlo/status.h"

#include <stdio.h>
#include <string.h>

dlo_status dlo_error_set(dlo_error *err, dlo_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->status = st;
    }
    return st;
}

void dlo_error_prefix(dlo_error *err, const char *fmt, ...)
{
    /* As long as a message: a context may hold paths (a failed write names its matrix file). */
    char prefix[DLO_ERROR_MAX];
    char old[DLO_ERROR_MAX];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s%s", prefix, old);
}

void dlo_error_clear(dlo_error *err)
{
    if (err) {
        err->status = DLO_OK;
        err->msg[0] = '\0';
    }
}

const char *dlo_status_name(dlo_status st)
{
    switch (st) {
    case DLO_OK:
        return "ok";
    case DLO_E_NOMEM:
        return "out of memory";
    case DLO_E_USAGE:
        return "usage error";
    case DLO_E_PARSE:
        return "parse error";
    case DLO_E_CONFIG:
        return "configuration error";
    case DLO_E_IO:
        return "I/O error";
    case DLO_E_FIREWALL:
        return "firewall error";
    case DLO_E_ACCESS:
        return "access denied";
    case DLO_E_NOTFOUND:
        return "not found";
    case DLO_E_INTERNAL:
        return "internal error";
    }
    return "unknown error";
}

int dlo_status_exit_code(dlo_status st)
{
    switch (st) {
    case DLO_OK:
        return DLO_EXIT_OK;
    case DLO_E_USAGE:
    case DLO_E_PARSE:
    case DLO_E_CONFIG:
        return DLO_EXIT_USAGE;
    default:
        return DLO_EXIT_FAILED;
    }
}
