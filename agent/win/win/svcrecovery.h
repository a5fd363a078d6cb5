/* The dloagent service's name and registration beyond what CreateService takes: its recovery
 * actions, and its image path checked quoted. Set by dloagent.exe /install (svcinstall.c) and,
 * for the service Windows Installer creates from the package's ServiceInstall table, by the
 * custom action DloConfigureService (installer/customaction.c): one definition for both. */
#ifndef DLO_WIN_SVCRECOVERY_H
#define DLO_WIN_SVCRECOVERY_H

#include <windows.h>

#include <stdbool.h>

#include "dlo/status.h"

#define WIN_SERVICE_NAME    L"dloagent"
#define WIN_SERVICE_DISPLAY L"Arctera DLO Firewall Agent"
/* The package's ServiceInstall row says the same (installer/dloagent.wxs; installer.tables
 * compares them). */
#define WIN_SERVICE_DESCRIPTION                                                                    \
    L"Keeps the Windows Firewall rules that the Arctera Desktop and Laptop Option components of "  \
    L"this machine need, in the configured BOI mode. Stopping it leaves the rules as they are."

/* Restart after 5 s, 30 s and 60 s, the count reset after a day without failure; also after
 * the service stops itself with an error, where the Service Control Manager knows that level
 * (*non_crash false where it does not: the crash restart is set either way). svc needs
 * SERVICE_CHANGE_CONFIG and SERVICE_START (for SC_ACTION_RESTART). */
dlo_status win_service_set_recovery(SC_HANDLE svc, bool *non_crash, dlo_error *err);

/* Makes the service's image path start with its executable's path in quotes, so that a path
 * with blanks cannot be taken for C:\Program.exe and the like; *changed tells whether it was
 * not so already. svc needs SERVICE_QUERY_CONFIG and SERVICE_CHANGE_CONFIG. */
dlo_status win_service_quote_image_path(SC_HANDLE svc, bool *changed, dlo_error *err);

#endif
