/* The trace folder chain under %ProgramData%: Arctera, DLO Firewall Agent, Trace.
 *
 * Two callers: the service makes whatever is missing before it checks the chain and opens its
 * trace (win_trace_folders_make), and the installer, as SYSTEM, prepares the chain once per
 * install or repair (win_trace_folders_prepare): a user who made C:\ProgramData\Arctera first
 * (any user may add folders to %ProgramData%) would otherwise keep the service from tracing for
 * good, since the service refuses a chain others may change. What the installer does with each
 * folder is the core's decision (dlo_trust_folder_step); this module carries it out. In
 * dlowinbase, for the custom action DLL. */
#ifndef DLO_WIN_TRACEDIR_H
#define DLO_WIN_TRACEDIR_H

#include <windows.h>

#include <stdbool.h>

#include "dlo/status.h"

/* %ProgramData% from the known folder, not the environment (free() the result). */
dlo_status win_trace_base(wchar_t **out, dlo_error *err);

/* Makes each missing folder from base down to the trace folder (each with its DACL, protected:
 * nothing inherited from above) and leaves the others as they are; folder (size characters)
 * receives the trace folder's path. */
dlo_status win_trace_folders_make(const wchar_t *base, wchar_t *folder, size_t size,
                                  dlo_error *err);

/* Called with one line for each folder the installer did not simply keep. */
typedef void (*win_trace_note)(void *ctx, bool warning, const char *line);

/* The installer's pass over the chain below base, as SYSTEM: each folder created, kept, taken
 * over, replaced or left (dlo_trust_folder_step); a folder left stops the pass, since nothing
 * below it can be trusted. Fails only when a step could not be carried out (err says which). */
dlo_status win_trace_folders_prepare(const wchar_t *base, win_trace_note note, void *ctx,
                                     dlo_error *err);

#endif
