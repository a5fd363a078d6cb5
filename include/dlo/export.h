/* The plan for delivery and review, changing nothing (/export:FORMAT): a PowerShell script that
 * makes exactly the plan's rules in a policy store given as its parameter (a GPO, or the local
 * store), the same as netsh commands for the local store, or the plan's JSON. */
#ifndef DLO_EXPORT_H
#define DLO_EXPORT_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/plan.h"
#include "dlo/status.h"

/* A script for Windows PowerShell 5.1 and later. Run with -PolicyStore 'domain\GPO name' it
 * opens the GPO (Open-NetGPO), replaces the rules of the agent's Group there and saves it
 * (Save-NetGPO); without, it does the same in the local store. Rules of other Groups are never
 * touched, and running it twice leaves the same rules. */
void dlo_export_powershell(dlo_buf *b, const dlo_plan *plan);

/* netsh advfirewall firewall commands for the local store: netsh cannot set a Group, so each
 * rule is replaced by name (and direction), and the rules it makes are not the agent's. */
void dlo_export_netsh(dlo_buf *b, const dlo_plan *plan);

/* Writes the plan in `format` ("powershell", "netsh", "json": as /plan /json for cfg's scopes);
 * DLO_E_USAGE naming the formats for any other. */
dlo_status dlo_export(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg, const char *format,
                      dlo_error *err);

#endif
