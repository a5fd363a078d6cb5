/* What every part of the Windows layer shares: UTF-8 <-> UTF-16, Win32 errors and HRESULTs
 * as a dlo_status with their text, and whether the process is elevated. A leaf: it includes no
 * other header of the Windows layer, so the custom action DLL and each feature file can use it
 * without pulling in the others. */
#ifndef DLO_WIN_WINUTIL_H
#define DLO_WIN_WINUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "dlo/status.h"

/* UTF-16 to newly allocated UTF-8 (free()); NULL on failure. */
char *win_utf16_to_utf8(const wchar_t *s);
/* UTF-8 (n bytes) to newly allocated, NUL-terminated UTF-16 (free()); NULL on failure. */
wchar_t *win_utf8_to_utf16(const char *s, size_t n);

/* The message of a Win32 error code or an HRESULT, in UTF-8, without the trailing newline:
 * "Access is denied. (error 5)", or "error N" when the system has no text for it. */
void win_error_text(unsigned long code, char *out, size_t size);

/* The one mapping from a Win32 error to a status: DLO_E_NOTFOUND for a missing file, path or
 * key, DLO_E_ACCESS for access denied, DLO_E_NOMEM for out of memory, else DLO_E_IO. */
dlo_status win_error_status(unsigned long code);
/* Records "what: <the message of code>" in err with win_error_status(code). */
dlo_status win_error_set(dlo_error *err, unsigned long code, const char *what);
/* win_error_set for GetLastError(). */
dlo_status win_last_error(dlo_error *err, const char *what);
/* The same for an HRESULT: DLO_E_ACCESS for access denied, else `other` (the caller knows what
 * failed: DLO_E_FIREWALL for the firewall's COM API). Records "what failed: 0xHHHHHHHH text". */
dlo_status win_hresult_set(dlo_error *err, long hr, dlo_status other, const char *what);

/* True when the process token is elevated and holds the Administrators group. */
bool win_is_elevated(void);
/* DLO_OK when elevated, else DLO_E_ACCESS saying that /command needs an elevated prompt. */
dlo_status win_need_elevation(dlo_error *err, const char *command);
/* True when the process runs as LocalSystem (S-1-5-18): a service, or an install that Group
 * Policy assigned at start-up. */
bool win_is_local_system(void);

/* The Windows build number (7601, 17763, ...), 0 if it cannot be read. */
unsigned long win_os_build(void);
/* The version as OSVERSIONINFOEX has it (dwPlatformId, dwMajorVersion, dwMinorVersion,
 * dwBuildNumber: 2, 10, 0, 20348), which is what a rule's platform validity list is held
 * against (MS-FASP 2.2.37 note 6); false if it cannot be read. */
bool win_os_version(unsigned *platform, unsigned *major, unsigned *minor, unsigned long *build);

/* Any function pointer, as GetProcAddress returns it; the caller casts it to its real type. */
typedef void (*win_proc)(void);

/* The function `name` of the system DLL `dll` ("iphlpapi.dll"), which is loaded from System32
 * and from nowhere else (LOAD_LIBRARY_SEARCH_SYSTEM32): how the binaries use a DLL that is not
 * a Known DLL, which a static import would look for beside the program first
 * (tests/known-dlls.txt). NULL when the DLL or the function is missing: err says which. The
 * DLL stays loaded for the life of the process. */
win_proc win_system_proc(const wchar_t *dll, const char *name, dlo_error *err);

#endif
