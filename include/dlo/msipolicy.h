/* Who may change the configuration through the MSI, judged on what the package will do.
 *
 * The package is per-machine, so once installed it is a managed application: any user may
 * start a maintenance install of it (`msiexec /i {ProductCode} REINSTALL=ALL REINSTALLMODE=omus
 * ADDROLES=...`, with REMOVE, ADDLOCAL and the package's secure properties too), and Windows
 * Installer then writes the installer key as SYSTEM. A user who may not write HKLM could so
 * choose which firewall ports open. Whether a run is "an uninstall" or "a repair" cannot be
 * told from the properties a user passes: REINSTALL overrides REMOVE (the installer evaluates
 * ADDLOCAL, REMOVE, ADDSOURCE, ADDDEFAULT, REINSTALL in that order; Microsoft Learn, "REMOVE
 * property", "REINSTALL property"), so `REMOVE=ALL REINSTALL=ALL` is a reinstall that writes
 * every value. The package therefore reads, once costing has fixed them, the action state of
 * each configuration value's component (Conditional Statement Syntax: $Component=3 installed
 * or reinstalled, =2 removed) and of the agent's exe, and judges what that does to the key:
 *
 *   - a first install (the agent is not installed by any version), an elevated administrator
 *     and LocalSystem (a Group Policy assignment) may do anything;
 *   - anyone else's run may neither remove the agent nor change a single byte of the installer
 *     key: a value written must already be there with the same type and data, a value removed
 *     must already be absent.
 *
 * The immediate action computes the plan and this verdict (installer/ca_plan.c); the
 * plan, as text, is the CustomActionData of the deferred action that runs as SYSTEM before any
 * value is written, which reads the key again and judges the same plan again. The decision is
 * here, over a registry seam, so that every branch is tested on the host. */
#ifndef DLO_MSIPOLICY_H
#define DLO_MSIPOLICY_H

#include "dlo/buf.h"
#include "dlo/registry.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who started the install, from the token of the process that runs the immediate action. */
typedef enum dlo_msi_client {
    DLO_MSI_CLIENT_USER,  /* anyone else, administrators without elevation included */
    DLO_MSI_CLIENT_ADMIN, /* an elevated token holding the Administrators group */
    DLO_MSI_CLIENT_SYSTEM /* LocalSystem: Group Policy assignment at start-up */
} dlo_msi_client;

/* What the package does to one value: its component's action state. */
typedef enum dlo_msi_action {
    DLO_MSI_KEEP,   /* no action: the value is not touched */
    DLO_MSI_WRITE,  /* installed or reinstalled: the value is written */
    DLO_MSI_REMOVE, /* removed: the value is deleted */
} dlo_msi_action;

typedef struct dlo_msi_op {
    char property[64]; /* ADDROLES */
    char value[64];    /* AddRoles, the value in the installer key */
    dlo_msi_action action;
    unsigned long type; /* WRITE: DLO_REG_SZ or DLO_REG_DWORD, as the package writes it */
    char *text;         /* WRITE, REG_SZ: the text (owned by the plan) */
    uint32_t number;    /* WRITE, REG_DWORD */
} dlo_msi_op;

#define DLO_MSI_MAX_OPS 64

typedef struct dlo_msi_plan {
    dlo_msi_client client;
    bool maintenance; /* the agent was installed before this run, by this version or another */
    bool uninstall;   /* the agent's exe is removed ($AgentExe=2) */
    dlo_msi_op ops[DLO_MSI_MAX_OPS];
    size_t n;
} dlo_msi_plan;

void dlo_msi_plan_init(dlo_msi_plan *p);
void dlo_msi_plan_free(dlo_msi_plan *p);

/* Appends what happens to one value (text is copied; it and number count for WRITE only).
 * DLO_E_INTERNAL when the plan is full or a name is too long (a bug of the package), or
 * DLO_E_NOMEM. */
dlo_status dlo_msi_plan_add(dlo_msi_plan *p, const char *property, const char *value,
                            dlo_msi_action action, unsigned long type, const char *text,
                            uint32_t number, dlo_error *err);

/* DLO_OK when the run may go on. DLO_E_ACCESS when it may not: err names each value it would
 * change (what it would write, or that it removes it, and what the key holds now), or says it
 * would remove the agent, and who may. The key is read through reg (the installer key, 64-bit
 * view); a value that cannot be read counts as one that would change. */
dlo_status dlo_msi_policy_check(const dlo_msi_plan *p, const dlo_registry *reg, dlo_error *err);

/* The plan as the text the deferred action receives (one line per fact, values
 * percent-encoded), and back. Parsing accepts exactly what formatting makes, whole: anything
 * else, an empty text included (the check did not run), is DLO_E_ACCESS naming what was
 * wrong, and the plan is left empty. */
void dlo_msi_plan_format(const dlo_msi_plan *p, dlo_buf *out);
dlo_status dlo_msi_plan_parse(const char *text, dlo_msi_plan *out, dlo_error *err);

#endif
