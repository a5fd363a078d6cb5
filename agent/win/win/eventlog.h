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

/* Makes the sink current with what `to_event_log` needs, then opens the trace file when the
 * installer key's TraceFile value names one (for diagnostics and the tests: the Event Log of
 * Wine keeps nothing); why it could not be opened is an event 1003 warning. */
void win_log_open(win_log *log, bool to_event_log, bool console);
void win_log_close(win_log *log);

/* The trace file: TraceFile holds a file NAME only, never a path, so the registry turns the
 * trace on and the agent alone decides where it goes: %ProgramData%\Arctera\DLO Firewall
 * Agent\Trace, made by the agent for SYSTEM and Administrators alone. */
#define WIN_TRACE_NAME_MAX 64
bool win_trace_name_valid(const char *name);
/* Opens (appending; made if missing) base\Arctera\DLO Firewall Agent\Trace\name, base being
 * %ProgramData% for the service (another for the tests): makes the missing folders with that
 * DACL, refuses the folder unless dlo_trust_folder_as trusts it, opens the name without
 * following a reparse point, and refuses the handle unless it is a regular file with one link.
 * DLO_E_ACCESS (err says what and why) for a folder or file that is refused. */
dlo_status win_trace_open_in(const wchar_t *base, const char *name, HANDLE *out, dlo_error *err);

/* A dlo_log_event_fn; ctx is a win_log. */
void win_log_sink(void *ctx, dlo_event ev, dlo_log_level level, const char *msg_utf8);

#endif
