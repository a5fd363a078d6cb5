/* Who may change the configuration through the MSI.
 *
 * The package is per-machine, so once installed it is a managed application: any user may
 * start a repair or a maintenance install of it, and Windows Installer then writes the
 * installer key as SYSTEM, with whatever public properties that user gave
 * (`msiexec /i {ProductCode} REINSTALL=ALL REINSTALLMODE=omus ADDROLES=...`). A user who may
 * not write HKLM could so choose which firewall ports open. The package therefore lets a
 * maintenance install change a configuration value only for an elevated administrator or
 * LocalSystem (a Group Policy assignment); a first install (which needs an administrator's
 * consent anyway) and a maintenance install that changes nothing (a plain repair) go on.
 *
 * The decision is here, over what the custom action read (the Installed property, the client's
 * token, the properties and the key), so that every branch is tested on the host; the custom
 * action only reads those facts (installer/customaction.c). */
#ifndef DLO_MSIPOLICY_H
#define DLO_MSIPOLICY_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Who started the install, from the token of the process that runs the immediate action. */
typedef enum dlo_msi_client {
    DLO_MSI_CLIENT_USER,  /* anyone else, administrators without elevation included */
    DLO_MSI_CLIENT_ADMIN, /* an elevated token holding the Administrators group */
    DLO_MSI_CLIENT_SYSTEM /* LocalSystem: Group Policy assignment at start-up */
} dlo_msi_client;

/* One configuration property as the install would write it. */
typedef struct dlo_msi_value {
    const char *name;    /* the property, ADDROLES */
    const char *given;   /* the value given (normalised as the package writes it); NULL: none */
    const char *current; /* the value in the installer key now, as text; NULL: none */
} dlo_msi_value;

/* DLO_OK when the install may go on. DLO_E_ACCESS when a maintenance install by another client
 * than an elevated administrator or SYSTEM would change a value: err names each such property
 * and says who may change them. */
dlo_status dlo_msi_policy_check(bool installed, dlo_msi_client client, const dlo_msi_value *v,
                                size_t n, dlo_error *err);

/* The verdict the immediate action hands the deferred one as CustomActionData, and the deferred
 * action's check of what it was given: DLO_OK only for exactly this text, DLO_E_ACCESS (err says
 * why) for anything else, an empty one included (the check did not run). */
#define DLO_MSI_VERDICT_ALLOWED "dloagent-configuration-check=passed"
dlo_status dlo_msi_verdict_check(const char *custom_action_data, dlo_error *err);

#endif
