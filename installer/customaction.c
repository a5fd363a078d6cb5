/* The package's custom actions, in a DLL it carries in its Binary table (never installed).
 *
 * DloCheckProperties (immediate, before anything on the machine changes) checks each public
 * property the package writes to the installer key with the agent's own configuration code,
 * as the registry value it will become, so the package and the agent can never disagree on
 * what is valid. A bad property fails the install with the agent's message in the MSI log.
 * For a property that is not given, it carries the value already in the key over: the
 * package then writes back what is there, where an upgrade (which removes the old product and
 * with it the values the old product wrote) or a repair (which rewrites the values from the
 * properties) would otherwise lose it. Once the product is installed, it also refuses a change
 * of any value unless an elevated administrator or LocalSystem started the install
 * (dlo/msipolicy.h), and hands its verdict to DloGuardConfig (deferred, as SYSTEM), which stops
 * the install before any value is written unless that verdict is there.
 *
 * DloRunAgent (deferred) runs dloagent.exe with the command line in CustomActionData and
 * copies what it prints into the MSI log; an exit code other than 0 fails the action. */
#include <windows.h>
#include <msi.h>
#include <msiquery.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/log.h"
#include "dlo/msipolicy.h"
#include "dlo/registry.h"
#include "dlo/str.h"
#include "win/registry.h"
#include "win/winutil.h"

/* One line in the MSI log (and, for INSTALLMESSAGE_ERROR, in the error dialog of a UI
 * install). */
static void msi_log(MSIHANDLE install, INSTALLMESSAGE kind, const char *utf8)
{
    wchar_t *text = win_utf8_to_utf16(utf8, strlen(utf8));
    MSIHANDLE rec = MsiCreateRecord(1);

    if (text && rec) {
        /* Field 0 is a template: "[1]" prints field 1 as it is, brackets included. */
        MsiRecordSetStringW(rec, 0, L"[1]");
        MsiRecordSetStringW(rec, 1, text);
        MsiProcessMessage(install, kind, rec);
    }
    if (rec)
        MsiCloseHandle(rec);
    free(text);
}

static void msi_logf(MSIHANDLE install, INSTALLMESSAGE kind, const char *fmt, ...) DLO_PRINTF(3, 4);

static void msi_logf(MSIHANDLE install, INSTALLMESSAGE kind, const char *fmt, ...)
{
    char line[DLO_ERROR_MAX + 512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    msi_log(install, kind, line);
}

/* What the core logs while a custom action runs goes to the MSI log too. */
static void log_to_msi(void *ctx, dlo_log_level level, const char *msg)
{
    static const char *const names[] = {"info", "warning", "error"};
    msi_logf((MSIHANDLE)(UINT_PTR)ctx, INSTALLMESSAGE_INFO, "dloagent: %s: %s", names[level], msg);
}

/* A property's value in UTF-8 (free()); "" when it is not set, NULL when out of memory. */
static char *get_property(MSIHANDLE install, const wchar_t *name)
{
    wchar_t empty[1] = L"";
    wchar_t *value;
    DWORD n = 0;
    char *utf8;

    if (MsiGetPropertyW(install, name, empty, &n) != ERROR_MORE_DATA)
        return win_utf16_to_utf8(L"");
    n++;
    value = calloc(n, sizeof(*value));
    if (!value)
        return NULL;
    if (MsiGetPropertyW(install, name, value, &n) != ERROR_SUCCESS)
        value[0] = L'\0';
    utf8 = win_utf16_to_utf8(value);
    free(value);
    return utf8;
}

static bool set_property(MSIHANDLE install, const wchar_t *name, const char *utf8)
{
    wchar_t *value = win_utf8_to_utf16(utf8, strlen(utf8));
    UINT rc = value ? MsiSetPropertyW(install, name, value) : ERROR_OUTOFMEMORY;
    free(value);
    return rc == ERROR_SUCCESS;
}

/* One configuration value the package writes: the public property named after the registry
 * value in capitals (BOIMode -> BOIMODE). */
typedef struct prop {
    dlo_config_item item;
    char name[64];          /* BOIMODE */
    wchar_t wname[64];      /* the same, for the MSI API */
    char *text;             /* what the property holds, or will hold once carried over */
    char *current;          /* the value in the installer key now, as text; NULL: none */
    bool given;             /* set on the command line (or by a transform) */
    bool carried;           /* taken from the value already in the installer key */
    bool valid;             /* the agent accepts it */
    unsigned long old_type; /* carried: the type of the value in the key */
    dlo_reg_value value;    /* the registry value the package will write from text */
} prop;

/* Which values the registry below shows the agent. */
typedef enum show { SHOW_ONE, SHOW_ALL, SHOW_CARRIED } show;

typedef struct props {
    prop p[DLO_CFG_COUNT];
    size_t n;
    show show;
    const prop *one; /* SHOW_ONE: this value only */
} props;

/* A number as the agent takes one from any source (dlo_decimal_parse): "01433" stays text, which
 * the agent's check refuses with its message. */
static bool is_decimal(const char *s, unsigned long *out)
{
    size_t n = strlen(s);
    dlo_trim(&s, &n);
    return !dlo_decimal_parse(s, n, 0, 0xFFFFFFFFul, out);
}

/* The value the package writes from text: a REG_DWORD (the component's value is "#[PROP]")
 * for the values the agent reads as numbers, else the REG_SZ "[PROP]". Text that is not a
 * number becomes a REG_SZ here, which the agent refuses for those values with its message. */
static dlo_status make_value(prop *p)
{
    unsigned long number;

    dlo_reg_value_free(&p->value);
    if ((dlo_config_item_types(p->item) & DLO_REG_TYPE_BIT(DLO_REG_DWORD)) &&
        is_decimal(p->text, &number)) {
        char digits[16];
        char *normal;

        /* The property is written as "#[PROP]": blanks around the digits would not survive. */
        snprintf(digits, sizeof(digits), "%lu", number);
        normal = dlo_strdup(digits);
        if (!normal)
            return DLO_E_NOMEM;
        free(p->text);
        p->text = normal;
        p->value.type = DLO_REG_DWORD;
        p->value.number = number;
        p->value.size = 4;
        return DLO_OK;
    }
    p->value.type = DLO_REG_SZ;
    p->value.text = dlo_strdup(p->text);
    if (!p->value.text)
        return DLO_E_NOMEM;
    p->value.text_len = strlen(p->text) + 1;
    p->value.size = p->value.text_len * 2;
    return DLO_OK;
}

/* dlo_registry over the values the package is about to write: the installer key holds them,
 * the policy key nothing. The configuration lists no subkeys: that part stays NULL. */
static dlo_status props_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                             dlo_reg_value *out, dlo_error *err)
{
    const props *ps = ctx;
    size_t i;

    (void)err;
    (void)view;
    dlo_reg_value_init(out);
    if (strcmp(key, DLO_CONFIG_KEY_INSTALLER) != 0)
        return DLO_E_NOTFOUND;
    for (i = 0; i < ps->n; i++) {
        const prop *p = &ps->p[i];
        if (!p->value.type || strcmp(dlo_config_item_name(p->item), name) != 0)
            continue;
        /* SHOW_ALL: the given values and the valid carried ones; SHOW_CARRIED: the latter. */
        if (ps->show == SHOW_ONE
                ? ps->one != p
                : !((p->given && ps->show == SHOW_ALL) || (p->carried && p->valid)))
            continue;
        *out = p->value;
        if (p->value.text) {
            out->text = malloc(p->value.text_len);
            if (!out->text)
                return DLO_E_NOMEM;
            memcpy(out->text, p->value.text, p->value.text_len);
        }
        return DLO_OK;
    }
    return DLO_E_NOTFOUND;
}

/* The agent's verdict on the values the registry shows. */
static dlo_status check(props *ps, show what, const prop *one, dlo_error *err)
{
    const dlo_registry reg = {ps, props_read, NULL, NULL};
    /* The custom action runs on the machine the agent will run on: its scopes are checked for
     * that machine's firewall, as the agent will check them. */
    dlo_config_overrides machine = {{NULL}, 0};
    dlo_config cfg;
    dlo_status st;

    ps->show = what;
    ps->one = one;
    machine.os_build = win_os_build();
    dlo_error_clear(err);
    st = dlo_config_load(&cfg, &reg, &machine, err);
    dlo_config_free(&cfg);
    return st;
}

/* The text form of a value already in the installer key, as a property would give it; NULL
 * when there is none or it cannot be carried over (why is in `why`). */
static char *carried_text(const dlo_reg_value *v, char *why, size_t size)
{
    char tbuf[32];
    dlo_buf b;
    char *text = NULL;
    size_t i;
    const char *s;

    dlo_buf_init(&b);
    if (v->oversize) {
        snprintf(why, size, "it is too large");
    } else if (v->type == DLO_REG_SZ) {
        dlo_buf_puts(&b, v->text);
    } else if (v->type == DLO_REG_MULTI_SZ) {
        /* The agent reads the strings of a REG_MULTI_SZ as it reads a comma-separated REG_SZ. */
        for (i = 0, s = v->text; i < v->count; i++, s += strlen(s) + 1)
            if (!dlo_is_blank_str(s))
                dlo_buf_printf(&b, "%s%s", b.len ? "," : "", s);
    } else if (v->type == DLO_REG_DWORD) {
        dlo_buf_printf(&b, "%llu", (unsigned long long)v->number);
    } else {
        snprintf(why, size, "the package does not write %s values",
                 dlo_reg_type_name(v->type, tbuf, sizeof(tbuf)));
    }
    if (b.len && !dlo_is_blank_str(dlo_buf_str(&b)) && !dlo_buf_status(&b))
        text = dlo_strdup(dlo_buf_str(&b));
    dlo_buf_free(&b);
    return text;
}

/* True if writing p->value back means to the agent what the value in the key meant. */
static bool same_meaning(const prop *p)
{
    unsigned long now = p->value.type;
    return p->old_type == now || (p->old_type == DLO_REG_MULTI_SZ && now == DLO_REG_SZ) ||
           (p->old_type == DLO_REG_SZ && now == DLO_REG_DWORD &&
            (dlo_config_item_types(p->item) & DLO_REG_TYPE_BIT(DLO_REG_SZ)));
}

static void drop(prop *p)
{
    free(p->text);
    p->text = NULL;
    p->carried = false;
    dlo_reg_value_free(&p->value);
}

static void props_free(props *ps)
{
    size_t i;
    for (i = 0; i < ps->n; i++) {
        drop(&ps->p[i]);
        free(ps->p[i].current);
    }
}

/* The value of vname in the installer key as a property would give it (NULL when there is none
 * or it cannot be carried over: why says so, "" when it is absent). */
static char *key_text(const dlo_registry *machine, const char *vname, unsigned long *type,
                      char *why, size_t size)
{
    dlo_reg_value old;
    dlo_error err;
    char *text = NULL;

    dlo_error_clear(&err);
    dlo_reg_value_init(&old);
    switch (
        dlo_registry_read(machine, DLO_REG_VIEW_64, DLO_CONFIG_KEY_INSTALLER, vname, &old, &err)) {
    case DLO_OK:
        text = carried_text(&old, why, size);
        *type = old.type;
        break;
    case DLO_E_NOTFOUND:
        break;
    default:
        snprintf(why, size, "it cannot be read: %s", err.msg);
        break;
    }
    dlo_reg_value_free(&old);
    return text;
}

/* Reads the properties, the values now in the key, and the values to carry over for the
 * properties not given. */
static UINT collect(MSIHANDLE install, props *ps)
{
    const dlo_registry *machine = win_registry();
    int item;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const char *vname = dlo_config_item_name((dlo_config_item)item);
        prop *p = &ps->p[ps->n];
        char why[256] = "";
        size_t i;

        if (!dlo_config_item_in_policy((dlo_config_item)item))
            continue;
        ps->n++;
        p->item = (dlo_config_item)item;
        for (i = 0; vname[i] && i + 1 < sizeof(p->name); i++) {
            p->name[i] = (char)((vname[i] >= 'a' && vname[i] <= 'z') ? vname[i] - 32 : vname[i]);
            p->wname[i] = (wchar_t)p->name[i];
        }
        p->current = key_text(machine, vname, &p->old_type, why, sizeof(why));
        p->text = get_property(install, p->wname);
        if (!p->text)
            return ERROR_OUTOFMEMORY;
        if (!dlo_is_blank_str(p->text)) {
            p->given = true;
            continue;
        }
        drop(p);
        if (why[0])
            msi_logf(install, INSTALLMESSAGE_INFO,
                     "dloagent: warning: HKLM\\%s value %s is not carried over: %s",
                     DLO_CONFIG_KEY_INSTALLER, vname, why);
        p->text = p->current ? dlo_strdup(p->current) : NULL;
        if (p->current && !p->text)
            return ERROR_OUTOFMEMORY;
        p->carried = p->text != NULL;
    }
    return ERROR_SUCCESS;
}

/* Each value alone, so that a message names the property that is wrong: a given property the
 * agent refuses fails the install; a carried-over one is kept as it is. */
static UINT check_each(MSIHANDLE install, props *ps)
{
    dlo_error err;
    size_t i;

    for (i = 0; i < ps->n; i++) {
        prop *p = &ps->p[i];
        if (!p->text)
            continue;
        if (make_value(p))
            return ERROR_OUTOFMEMORY;
        if (p->carried && !same_meaning(p)) {
            msi_logf(install, INSTALLMESSAGE_INFO,
                     "dloagent: warning: HKLM\\%s value %s is not carried over: the package "
                     "would write it as another type",
                     DLO_CONFIG_KEY_INSTALLER, dlo_config_item_name(p->item));
            drop(p);
            continue;
        }
        p->valid = !check(ps, SHOW_ONE, p, &err);
        if (p->given && !p->valid) {
            msi_logf(install, INSTALLMESSAGE_ERROR,
                     "dloagent: the property %s=\"%s\" is invalid, nothing was installed: %s",
                     p->name, p->text, err.msg);
            return ERROR_INSTALL_FAILURE;
        }
        if (p->valid)
            msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s=%s (%s)", p->name, p->text,
                     p->given ? "given" : "kept from the installer key");
        else
            /* Someone else's mistake is kept as it is, for the agent to report: the package
             * neither repairs nor drops it. */
            msi_logf(install, INSTALLMESSAGE_INFO,
                     "dloagent: warning: %s kept from the installer key as it is, although the "
                     "agent refuses it: %s",
                     p->name, err.msg);
    }
    return ERROR_SUCCESS;
}

/* All values together (AddRoles and ExcludeRoles may not name the same role): a conflict the
 * properties bring in fails the install, one the key already had is only reported. */
static UINT check_together(MSIHANDLE install, props *ps)
{
    dlo_error err, before;

    if (!check(ps, SHOW_ALL, NULL, &err))
        return ERROR_SUCCESS;
    if (check(ps, SHOW_CARRIED, NULL, &before) == DLO_OK) {
        msi_logf(install, INSTALLMESSAGE_ERROR,
                 "dloagent: the properties (with the values kept from the installer key) are "
                 "invalid together, nothing was installed: %s",
                 err.msg);
        return ERROR_INSTALL_FAILURE;
    }
    msi_logf(install, INSTALLMESSAGE_INFO,
             "dloagent: warning: the values kept from the installer key are invalid together, "
             "as they were before: %s",
             before.msg);
    return ERROR_SUCCESS;
}

/* The package writes [PROP]: give it the normalised (or carried over) text. */
static UINT hand_back(MSIHANDLE install, props *ps)
{
    size_t i;

    for (i = 0; i < ps->n; i++) {
        prop *p = &ps->p[i];
        if (p->text && !set_property(install, p->wname, p->text)) {
            msi_logf(install, INSTALLMESSAGE_ERROR, "dloagent: cannot set the property %s",
                     p->name);
            return ERROR_INSTALL_FAILURE;
        }
    }
    return ERROR_SUCCESS;
}

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

/* A maintenance install that would change a value must come from an elevated administrator or
 * SYSTEM (dlo/msipolicy.h). */
static UINT check_client(MSIHANDLE install, const props *ps)
{
    dlo_msi_value values[DLO_CFG_COUNT];
    dlo_msi_client client = client_of_this_install();
    char *installed = get_property(install, L"Installed");
    bool maintenance = installed && !dlo_is_blank_str(installed);
    dlo_error err;
    size_t i;

    free(installed);
    for (i = 0; i < ps->n; i++) {
        values[i].name = ps->p[i].name;
        values[i].given = ps->p[i].given ? ps->p[i].text : NULL;
        values[i].current = ps->p[i].current;
    }
    msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s, started by %s",
             maintenance ? "maintenance install" : "first install", client_name(client));
    dlo_error_clear(&err);
    if (dlo_msi_policy_check(maintenance, client, values, ps->n, &err) == DLO_OK)
        return ERROR_SUCCESS;
    msi_logf(install, INSTALLMESSAGE_ERROR, "dloagent: %s", err.msg);
    return ERROR_INSTALL_FAILURE;
}

/* The verdict for DloGuardConfig, the deferred action before the values are written: the
 * property of its name is its CustomActionData. It is emptied first, so a value given on the
 * command line never stands in for this check's own; it is set only once every check passed. */
static bool set_verdict(MSIHANDLE install, bool passed)
{
    return MsiSetPropertyW(install, L"DloGuardConfig",
                           passed ? L"" DLO_MSI_VERDICT_ALLOWED : L"") == ERROR_SUCCESS;
}

__declspec(dllexport) UINT __stdcall DloCheckProperties(MSIHANDLE install)
{
    props ps;
    UINT rc;

    memset(&ps, 0, sizeof(ps));
    dlo_log_set(log_to_msi, (void *)(UINT_PTR)install);
    rc = set_verdict(install, false) ? collect(install, &ps) : ERROR_INSTALL_FAILURE;
    if (!rc)
        rc = check_each(install, &ps);
    if (!rc)
        rc = check_together(install, &ps);
    if (!rc)
        rc = check_client(install, &ps);
    if (!rc)
        rc = hand_back(install, &ps);
    if (!rc && !set_verdict(install, true))
        rc = ERROR_INSTALL_FAILURE;
    props_free(&ps);
    dlo_log_set(NULL, NULL);
    return rc;
}

/* Copies the complete lines of buf[0..*len) to the log and keeps the rest. */
static void log_lines(MSIHANDLE install, char *buf, size_t *len, bool flush)
{
    size_t start = 0, i;

    for (i = 0; i < *len; i++) {
        if (buf[i] != '\n')
            continue;
        buf[i] = '\0';
        if (i > start && buf[i - 1] == '\r')
            buf[i - 1] = '\0';
        msi_logf(install, INSTALLMESSAGE_INFO, "dloagent.exe: %s", buf + start);
        start = i + 1;
    }
    if (flush && start < *len) {
        buf[*len] = '\0';
        msi_logf(install, INSTALLMESSAGE_INFO, "dloagent.exe: %s", buf + start);
        start = *len;
    }
    memmove(buf, buf + start, *len - start);
    *len -= start;
}

__declspec(dllexport) UINT __stdcall DloRunAgent(MSIHANDLE install)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE read_end = NULL, write_end = NULL;
    wchar_t *command = NULL;
    char *command_utf8 = NULL;
    char buf[4096 + 1];
    size_t len = 0;
    DWORD n, code = 1;
    UINT rc = ERROR_INSTALL_FAILURE;
    wchar_t empty[1] = L"";
    DWORD size = 0;

    /* CustomActionData: the quoted path of dloagent.exe and the switches. */
    if (MsiGetPropertyW(install, L"CustomActionData", empty, &size) != ERROR_MORE_DATA)
        goto cleanup_command;
    size++;
    command = calloc(size, sizeof(*command));
    if (!command || MsiGetPropertyW(install, L"CustomActionData", command, &size))
        goto cleanup_command;
    command_utf8 = win_utf16_to_utf8(command);
    msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: running %s",
             command_utf8 ? command_utf8 : "?");

    if (!CreatePipe(&read_end, &write_end, &sa, 0)) {
        msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: cannot create a pipe (error %lu)",
                 GetLastError());
        goto cleanup_command;
    }
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = write_end;
    si.hStdError = write_end;
    if (!CreateProcessW(NULL, command, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
        msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: cannot start %s (error %lu)",
                 command_utf8 ? command_utf8 : "?", GetLastError());
        goto cleanup_pipe;
    }
    /* Only the child holds the write end now: the reads end when it exits. */
    CloseHandle(write_end);
    write_end = NULL;
    while (ReadFile(read_end, buf + len, (DWORD)(sizeof(buf) - 1 - len), &n, NULL) && n) {
        len += n;
        log_lines(install, buf, &len, len == sizeof(buf) - 1);
    }
    log_lines(install, buf, &len, true);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    msi_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s exited with %lu",
             command_utf8 ? command_utf8 : "?", code);
    rc = code == 0 ? ERROR_SUCCESS : ERROR_INSTALL_FAILURE;

cleanup_pipe:
    if (write_end)
        CloseHandle(write_end);
    CloseHandle(read_end);
cleanup_command:
    free(command_utf8);
    free(command);
    return rc;
}

/* Deferred, as SYSTEM, before the configuration values are written: goes on only with the
 * verdict DloCheckProperties computed in this session. CustomActionData is the value the
 * property DloGuardConfig had when this action was scheduled, which DloCheckProperties emptied
 * and then set from its own checks; nothing a user gives reaches it, and if the check did not
 * run the value is empty and the install stops here. */
__declspec(dllexport) UINT __stdcall DloGuardConfig(MSIHANDLE install)
{
    char *data = get_property(install, L"CustomActionData");
    dlo_error err;
    UINT rc = ERROR_SUCCESS;

    dlo_error_clear(&err);
    if (dlo_msi_verdict_check(data, &err) != DLO_OK) {
        msi_logf(install, INSTALLMESSAGE_ERROR, "dloagent: %s", err.msg);
        rc = ERROR_INSTALL_FAILURE;
    }
    free(data);
    return rc;
}
