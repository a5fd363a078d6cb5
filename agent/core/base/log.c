#include "dlo/log.h"

#include "dlo/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    dlo_buf shown;
    const char *text = msg;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* An event is one line (of the Event Log, the trace file, the console): names in it show
     * every character that could make it lie, newlines included, as dlo_buf_put_shown does. */
    dlo_buf_init(&shown);
    dlo_buf_put_shown(&shown, msg, strlen(msg), false);
    if (!dlo_buf_status(&shown))
        text = dlo_buf_str(&shown);
    if (event_fn)
        event_fn(event_ctx, ev, level, text);
    else
        log_fn(log_ctx, level, text);
    dlo_buf_free(&shown);
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
