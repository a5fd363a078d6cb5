#include "ca_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_props.h"
#include "dlo/config.h"
#include "dlo/msipolicy.h"
#include "win/winreg.h"
#include "win/winutil.h"

/* Who started this install, from the token of the process this immediate action runs in: the
 * client's own (an impersonated custom action runs in a server process with the token of the
 * user who started msiexec, LocalSystem for a Group Policy assignment at start-up).
 *
 * Not the installer's properties: for a managed application, which a per-machine package is
 * once installed, Windows Installer sets Privileged (and, since Vista, AdminUser, which is the
 * same) when "the application has been assigned by a system administrator", whoever the user
 * is (https://learn.microsoft.com/en-us/windows/win32/msi/privileged,
 * https://learn.microsoft.com/en-us/windows/win32/msi/adminuser); MsiRunningElevated says only
 * that the installer runs with elevated privileges
 * (https://learn.microsoft.com/en-us/windows/win32/msi/msirunningelevated-), which it does for
 * every user's repair of a managed application. All three hold for the standard user this
 * check is about. */
static dlo_msi_client client_of_this_install(void)
{
    if (win_is_local_system())
        return DLO_MSI_CLIENT_SYSTEM;
    return win_is_elevated() ? DLO_MSI_CLIENT_ADMIN : DLO_MSI_CLIENT_USER;
}

static const char *client_name(dlo_msi_client client)
{
    return client == DLO_MSI_CLIENT_SYSTEM  ? "LocalSystem"
           : client == DLO_MSI_CLIENT_ADMIN ? "an elevated administrator"
                                            : "a user without elevation";
}

/* ERROR_SUCCESS, ERROR_UNKNOWN_COMPONENT for a component the package lacks, or another error. */
static UINT component_state(MSIHANDLE install, const char *component, INSTALLSTATE *installed,
                            INSTALLSTATE *action)
{
    wchar_t name[96];
    size_t i;
    for (i = 0; component[i] && i + 1 < sizeof(name) / sizeof(name[0]); i++)
        name[i] = (wchar_t)(unsigned char)component[i]; /* component names are ASCII */
    name[i] = L'\0';
    return ca_msi.get_component_state(install, name, installed, action);
}

/* Whether the agent was installed before this run: its exe's component installed for this
 * product, or registered to any product at all (the version a major upgrade replaces). From
 * the installer's registration and the package's own Component table, not from a property a
 * command line could set. */
static bool agent_installed(MSIHANDLE install, INSTALLSTATE exe_installed)
{
    char *id;
    wchar_t *wid = NULL, product[40];
    bool found = exe_installed == INSTALLSTATE_LOCAL || exe_installed == INSTALLSTATE_SOURCE;

    if (found)
        return true;
    id = ca_query_one(install,
                      L"SELECT `ComponentId` FROM `Component` WHERE `Component` = 'AgentExe'");
    if (id)
        wid = win_utf8_to_utf16(id, strlen(id));
    found = wid && ca_msi.enum_clients(wid, 0, product) == ERROR_SUCCESS;
    free(wid);
    free(id);
    return found;
}

/* What this run does to one value, from its component's action state. */
static dlo_status plan_value(MSIHANDLE install, dlo_config_item item, dlo_msi_plan *plan,
                             dlo_error *err)
{
    const char *vname = dlo_config_item_name(item);
    char component[96], property[64];
    wchar_t wproperty[64];
    INSTALLSTATE installed, action;
    dlo_reg_value v;
    char *text;
    dlo_status st;
    size_t i;
    UINT r;

    snprintf(component, sizeof(component), "Config%s", vname);
    ca_property_name(item, property, sizeof(property));
    r = component_state(install, component, &installed, &action);
    /* A package without the value's component (one built before the value existed, around
     * this custom action) neither writes nor removes it. installer.tables holds this package
     * to a component for every value. */
    if (r == ERROR_UNKNOWN_COMPONENT)
        return dlo_msi_plan_add(plan, property, vname, DLO_MSI_KEEP, 0, NULL, 0, err);
    if (r != ERROR_SUCCESS)
        return dlo_error_set(err, DLO_E_INTERNAL, "the state of component %s cannot be read (%u)",
                             component, (unsigned)r);
    if (action == INSTALLSTATE_ABSENT)
        return dlo_msi_plan_add(plan, property, vname, DLO_MSI_REMOVE, 0, NULL, 0, err);
    if (action != INSTALLSTATE_LOCAL && action != INSTALLSTATE_SOURCE)
        return dlo_msi_plan_add(plan, property, vname, DLO_MSI_KEEP, 0, NULL, 0, err);
    for (i = 0; property[i]; i++)
        wproperty[i] = (wchar_t)property[i];
    wproperty[i] = L'\0';
    text = ca_get_property(install, wproperty);
    if (!text)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    st = ca_written_value(item, text, &v, err);
    free(text);
    if (!st)
        st = dlo_msi_plan_add(plan, property, vname, DLO_MSI_WRITE, v.type, v.text,
                              (uint32_t)v.number, err);
    dlo_reg_value_free(&v);
    return st;
}

static dlo_status build_plan(MSIHANDLE install, dlo_msi_plan *plan, dlo_error *err)
{
    INSTALLSTATE installed, action;
    dlo_status st = DLO_OK;
    int item;

    if (component_state(install, "AgentExe", &installed, &action) != ERROR_SUCCESS)
        return dlo_error_set(err, DLO_E_INTERNAL, "the package has no component AgentExe");
    plan->client = client_of_this_install();
    plan->maintenance = agent_installed(install, installed);
    plan->uninstall = action == INSTALLSTATE_ABSENT;
    for (item = 0; !st && item < DLO_CFG_COUNT; item++)
        if (dlo_config_item_in_policy((dlo_config_item)item))
            st = plan_value(install, (dlo_config_item)item, plan, err);
    return st;
}

static void log_plan(MSIHANDLE install, const dlo_msi_plan *plan)
{
    size_t i;
    ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s, started by %s",
            !plan->maintenance ? "first install"
            : plan->uninstall  ? "removal of the agent"
                               : "maintenance install",
            client_name(plan->client));
    for (i = 0; i < plan->n; i++) {
        const dlo_msi_op *op = &plan->ops[i];
        if (op->action == DLO_MSI_REMOVE)
            ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s is removed", op->value);
        else if (op->action == DLO_MSI_WRITE && op->type == DLO_REG_DWORD)
            ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s is written: REG_DWORD %lu",
                    op->value, (unsigned long)op->number);
        else if (op->action == DLO_MSI_WRITE)
            ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s is written: REG_SZ \"%s\"",
                    op->value, op->text);
    }
}

UINT ca_plan_check(MSIHANDLE install)
{
    dlo_msi_plan plan;
    dlo_buf text;
    dlo_error err;
    dlo_status st;

    /* Emptied first: nothing but this check's own plan ever reaches the deferred action. */
    if (!ca_set_property(install, L"DloGuardConfig", ""))
        return ERROR_INSTALL_FAILURE;
    dlo_msi_plan_init(&plan);
    dlo_buf_init(&text);
    dlo_error_clear(&err);
    st = build_plan(install, &plan, &err);
    if (!st) {
        log_plan(install, &plan);
        st = dlo_msi_policy_check(&plan, win_registry_unchecked(), &err);
    }
    if (!st) {
        dlo_msi_plan_format(&plan, &text);
        st = dlo_buf_status(&text) ||
                     !ca_set_property(install, L"DloGuardConfig", dlo_buf_str(&text))
                 ? dlo_error_set(&err, DLO_E_NOMEM, "cannot hand the plan over")
                 : DLO_OK;
    }
    if (st)
        ca_logf(install, INSTALLMESSAGE_ERROR, "dloagent: %s", err.msg);
    dlo_buf_free(&text);
    dlo_msi_plan_free(&plan);
    return st ? ERROR_INSTALL_FAILURE : ERROR_SUCCESS;
}

UINT ca_plan_guard(MSIHANDLE install)
{
    char *data = ca_get_property(install, L"CustomActionData");
    dlo_msi_plan plan;
    dlo_error err;
    dlo_status st;

    dlo_error_clear(&err);
    st = dlo_msi_plan_parse(data, &plan, &err);
    if (!st)
        st = dlo_msi_policy_check(&plan, win_registry_unchecked(), &err);
    if (st)
        ca_logf(install, INSTALLMESSAGE_ERROR, "dloagent: %s", err.msg);
    else
        ca_log(install, INSTALLMESSAGE_INFO,
               "dloagent: the configuration plan was checked again before any value is written");
    dlo_msi_plan_free(&plan);
    free(data);
    return st ? ERROR_INSTALL_FAILURE : ERROR_SUCCESS;
}
