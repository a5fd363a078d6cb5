#ifndef DLO_WIN_FWCOM_H
#define DLO_WIN_FWCOM_H

#include "dlo/fwbackend.h"

/* The firewall backend over the Windows Firewall COM API (INetFwPolicy2). COM is initialised
 * once for the process, by dloagent.exe's entry point (agent/win/main.c says which apartment
 * and why), not here. */
dlo_status fwcom_open(void *ctx, dlo_fw_backend *out, dlo_error *err);
void fwcom_close(void *ctx, dlo_fw_backend *fw);

#endif
