/* A swappable log sink, as in wintun: the core logs through one callback that the console
 * front end points at stderr and the service points at the Event Log. The default drops
 * nothing: it writes to stderr. */
#ifndef DLO_LOG_H
#define DLO_LOG_H

#include "dlo/status.h"

typedef enum dlo_log_level { DLO_LOG_INFO, DLO_LOG_WARN, DLO_LOG_ERR } dlo_log_level;

typedef void (*dlo_log_fn)(void *ctx, dlo_log_level level, const char *msg_utf8);

/* Passing NULL restores the default. Not thread-safe: set it once at start-up. */
void dlo_log_set(dlo_log_fn fn, void *ctx);

void dlo_log(dlo_log_level level, const char *fmt, ...) DLO_PRINTF(2, 3);

#endif
