#include "dlo/log.h"

#include <stdarg.h>
#include <stdio.h>

static void log_default(void *ctx, dlo_log_level level, const char *msg)
{
    static const char *const names[] = {"info", "warning", "error"};
    (void)ctx;
    fprintf(stderr, "dloagent: %s: %s\n", names[level], msg);
}

static dlo_log_fn log_fn = log_default;
static void *log_ctx;

void dlo_log_set(dlo_log_fn fn, void *ctx)
{
    log_fn = fn ? fn : log_default;
    log_ctx = fn ? ctx : NULL;
}

void dlo_log(dlo_log_level level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_fn(log_ctx, level, msg);
}
