/* The Event Log: the source's registration, and a dlo_log event sink that writes to it, to the
 * console, and to a trace file. */
#ifndef DLO_WIN_EVENTLOG_H
#define DLO_WIN_EVENTLOG_H

#include <windows.h>

#include <stdbool.h>
#include <stddef.h>

#include "dlo/log.h"
#include "dlo/status.h"

#define WIN_EVENT_SOURCE L"dloagent"
#define WIN_EVENT_SOURCE_KEY                                                                       \
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" WIN_EVENT_SOURCE

/* Registers the source with exe_path as its EventMessageFile (replacing an earlier
 * registration), or removes it (DLO_E_NOTFOUND, with no message, if it was not there). */
dlo_status win_eventlog_register(const wchar_t *exe_path, dlo_error *err);
dlo_status win_eventlog_unregister(dlo_error *err);

/* The full message identifier (severity bits included) of an event, as ReportEventW wants it;
 * DLO_EV_NONE maps to the generic message of its level. */
DWORD win_event_message_id(dlo_event ev, dlo_log_level level);
/* Every event with a message of its own, for the tests. */
extern const dlo_event win_all_events[];
extern const size_t win_all_events_count;

/* Where a sink writes. All parts optional. */
typedef struct win_log {
    HANDLE source; /* RegisterEventSourceW, or NULL */
    HANDLE trace;  /* an open trace file, or INVALID_HANDLE_VALUE */
    bool console;  /* also to stderr, as "dloagent: level: message" */
    CRITICAL_SECTION lock;
} win_log;

/* Opens what `to_event_log` and the trace file need; the trace file is the installer key's
 * TraceFile value when it holds a path (for diagnostics and the tests: the Event Log of Wine
 * keeps nothing). Then makes the sink current. */
void win_log_open(win_log *log, bool to_event_log, bool console);
void win_log_close(win_log *log);

/* A dlo_log_event_fn; ctx is a win_log. */
void win_log_sink(void *ctx, dlo_event ev, dlo_log_level level, const char *msg_utf8);

#endif
