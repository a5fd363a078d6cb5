#include "log_capture.h"

#include "dlo/log.h"

#include <string.h>

static dlo_buf lines;

static void capture(void *ctx, dlo_event ev, dlo_log_level level, const char *msg)
{
    (void)ctx;
    dlo_buf_printf(&lines, "%d %d %s\n", (int)ev, (int)level, msg);
}

int log_capture_start(void **state)
{
    (void)state;
    dlo_buf_init(&lines);
    dlo_log_set_event_sink(capture, NULL);
    return 0;
}

int log_capture_stop(void **state)
{
    (void)state;
    dlo_log_set_event_sink(NULL, NULL);
    dlo_buf_free(&lines);
    return 0;
}

void log_capture_reset(void)
{
    dlo_buf_reset(&lines);
}

const char *log_captured(void)
{
    return dlo_buf_str(&lines);
}

bool log_has(const char *needle)
{
    return strstr(dlo_buf_str(&lines), needle) != NULL;
}
