/* The package's custom actions, in a DLL it carries in its Binary table (never installed). Each
 * loads what it needs of msi.dll from System32 first (ca_msi.h).
 *
 * DloCheckProperties (immediate, before costing): checks and carries over the configuration
 * properties, and turns on the components of the values to write (ca_props.h).
 * DloCheckWrites (immediate, after costing) and DloGuardConfig (deferred, as SYSTEM, before any
 * value is written): who may change the configuration, judged on what the run does to the key
 * (ca_plan.h).
 * DloPrepareTrace (deferred, as SYSTEM): the trace folder chain under %ProgramData%, a folder a
 * user made first taken over or replaced (win/tracedir.h).
 * DloConfigureService (deferred, as SYSTEM, after InstallServices): the service's recovery
 * actions and its quoted image path (win/svcrecovery.h), which the ServiceInstall table cannot
 * say.
 * DloRunAgent (deferred) runs dloagent.exe with the command line in CustomActionData and
 * copies what it prints into the MSI log; an exit code other than 0 fails the action. */
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_msi.h"
#include "ca_plan.h"
#include "ca_props.h"
#include "win/svcrecovery.h"
#include "win/tracedir.h"
#include "win/winutil.h"

__declspec(dllexport) UINT __stdcall DloCheckProperties(MSIHANDLE install)
{
    return ca_msi_load() ? ca_props_check(install) : ERROR_INSTALL_FAILURE;
}

__declspec(dllexport) UINT __stdcall DloCheckWrites(MSIHANDLE install)
{
    return ca_msi_load() ? ca_plan_check(install) : ERROR_INSTALL_FAILURE;
}

__declspec(dllexport) UINT __stdcall DloGuardConfig(MSIHANDLE install)
{
    return ca_msi_load() ? ca_plan_guard(install) : ERROR_INSTALL_FAILURE;
}

static void note_trace(void *ctx, bool warning, const char *line)
{
    ca_logf((MSIHANDLE)(UINT_PTR)ctx, warning ? INSTALLMESSAGE_WARNING : INSTALLMESSAGE_INFO,
            "dloagent: %strace folder: %s", warning ? "warning: " : "", line);
}

/* The trace is for diagnostics: a step that cannot be carried out is a warning in the log,
 * never a failed install of the firewall agent. */
__declspec(dllexport) UINT __stdcall DloPrepareTrace(MSIHANDLE install)
{
    wchar_t *base = NULL;
    dlo_error err;
    dlo_status st;

    if (!ca_msi_load())
        return ERROR_INSTALL_FAILURE;
    dlo_error_clear(&err);
    st = win_trace_base(&base, &err);
    if (!st)
        st = win_trace_folders_prepare(base, note_trace, (void *)(UINT_PTR)install, &err);
    if (st)
        ca_logf(install, INSTALLMESSAGE_WARNING,
                "dloagent: warning: the trace folder could not be prepared: %s", err.msg);
    free(base);
    return ERROR_SUCCESS;
}

/* The ServiceInstall table has no column for the recovery actions, and Microsoft documents its
 * MsiServiceConfigFailureActions table as not working as expected (MsiConfigureServices
 * action); Wine's Windows Installer does not quote the image path it builds from the
 * component's file and the Arguments column, which Windows Installer does. A failure here fails
 * the install, which then rolls the service back. */
__declspec(dllexport) UINT __stdcall DloConfigureService(MSIHANDLE install)
{
    SC_HANDLE scm, svc = NULL;
    bool non_crash = false, quoted = false;
    dlo_error err;
    dlo_status st;

    if (!ca_msi_load())
        return ERROR_INSTALL_FAILURE;
    dlo_error_clear(&err);
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (scm)
        svc = OpenServiceW(scm, WIN_SERVICE_NAME,
                           SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG | SERVICE_START);
    st = svc ? DLO_OK : win_error_set(&err, GetLastError(), "cannot open the dloagent service");
    if (!st)
        st = win_service_quote_image_path(svc, &quoted, &err);
    if (!st)
        st = win_service_set_recovery(svc, &non_crash, &err);
    if (st)
        ca_logf(install, INSTALLMESSAGE_ERROR, "dloagent: the service could not be configured: %s",
                err.msg);
    else
        ca_logf(install, INSTALLMESSAGE_INFO,
                "dloagent: service dloagent: image path %s; restart after 5 s, 30 s and 60 s%s",
                quoted ? "quoted (the installer had not)" : "quoted by the installer",
                non_crash ? ", also after an error exit" : " (after crashes only)");
    if (svc)
        CloseServiceHandle(svc);
    if (scm)
        CloseServiceHandle(scm);
    return st ? ERROR_INSTALL_FAILURE : ERROR_SUCCESS;
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
        ca_logf(install, INSTALLMESSAGE_INFO, "dloagent.exe: %s", buf + start);
        start = i + 1;
    }
    if (flush && start < *len) {
        buf[*len] = '\0';
        ca_logf(install, INSTALLMESSAGE_INFO, "dloagent.exe: %s", buf + start);
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
    if (!ca_msi_load() ||
        ca_msi.get_property(install, L"CustomActionData", empty, &size) != ERROR_MORE_DATA)
        goto cleanup_command;
    size++;
    command = calloc(size, sizeof(*command));
    if (!command || ca_msi.get_property(install, L"CustomActionData", command, &size))
        goto cleanup_command;
    command_utf8 = win_utf16_to_utf8(command);
    ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: running %s",
            command_utf8 ? command_utf8 : "?");

    if (!CreatePipe(&read_end, &write_end, &sa, 0)) {
        ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: cannot create a pipe (error %lu)",
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
        ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: cannot start %s (error %lu)",
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
    ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s exited with %lu",
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
