/* The Windows side of attribution's seam (dlo/attribution.h): the firewall's events through the
 * Event Log API, and account names through LookupAccountSidW.
 *
 * wevtapi.dll is not among the Known DLLs the binaries may import (tests/known-dlls.txt), so it
 * is loaded at run time from System32 only (win_system_proc), like iphlpapi and ws2_32
 * (win/netapi.h). advapi32 (LookupAccountSidW, ConvertStringSidToSidW) is a Known DLL. */
#ifndef DLO_WIN_FWEVENTS_H
#define DLO_WIN_FWEVENTS_H

#include "dlo/attribution.h"

/* The seam over this machine's Event Log; a static object, valid for the whole process.
 *
 * A channel that does not exist gives DLO_E_NOTFOUND: EvtQuery failing with
 * ERROR_EVT_CHANNEL_NOT_FOUND, or failing with no error code at all, which is what Wine 8's
 * EvtQuery does for every channel (a stub that returns NULL: dlls/wevtapi/main.c), and so does
 * wevtapi.dll missing. Attribution then says "unknown", never fails. */
const dlo_attr_os *win_attr_os(void);

#endif
