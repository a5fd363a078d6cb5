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
static dlo_log_event_fn event_fn;
static void *event_ctx;

void dlo_log_set(dlo_log_fn fn, void *ctx)
{
    log_fn = fn ? fn : log_default;
    log_ctx = fn ? ctx : NULL;
}

void dlo_log_set_event_sink(dlo_log_event_fn fn, void *ctx)
{
    event_fn = fn;
    event_ctx = fn ? ctx : NULL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
static void
log_emit(dlo_event ev, dlo_log_level level, const char *fmt, va_list ap)
{
    char msg[2048];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (event_fn)
        event_fn(event_ctx, ev, level, msg);
    else
        log_fn(log_ctx, level, msg);
}

void dlo_log(dlo_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_emit(DLO_EV_NONE, level, fmt, ap);
    va_end(ap);
}

void dlo_log_event(dlo_event ev, dlo_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_emit(ev, level, fmt, ap);
    va_end(ap);
}
