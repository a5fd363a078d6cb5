/* Usage: run_unelevated.exe PROGRAM [ARGS...]
 * Runs PROGRAM with this process's token minus its administrator rights (the Administrators
 * group deny-only, privileges dropped), as a user without elevation would, and exits with its
 * exit code. Output goes to the same stdout and stderr. For the tests of the elevation checks:
 * Wine runs everything elevated otherwise. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof(admins), code = 125;
    SID_AND_ATTRIBUTES disable;
    HANDLE token, restricted;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *cmd;
    size_t len = 1;
    int i;

    if (argc < 2) {
        fwprintf(stderr, L"usage: run_unelevated.exe PROGRAM [ARGS...]\n");
        return 125;
    }
    for (i = 1; i < argc; i++)
        len += wcslen(argv[i]) + 3;
    cmd = calloc(len, sizeof(wchar_t));
    if (!cmd)
        return 125;
    for (i = 1; i < argc; i++) {
        if (i > 1)
            wcscat(cmd, L" ");
        wcscat(cmd, L"\"");
        wcscat(cmd, argv[i]);
        wcscat(cmd, L"\"");
    }
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &size) ||
        !OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &token)) {
        fwprintf(stderr, L"run_unelevated: cannot open the token (error %lu)\n", GetLastError());
        goto cleanup_cmd;
    }
    disable.Sid = admins;
    disable.Attributes = 0;
    if (!CreateRestrictedToken(token, DISABLE_MAX_PRIVILEGE, 1, &disable, 0, NULL, 0, NULL,
                               &restricted)) {
        fwprintf(stderr, L"run_unelevated: cannot restrict the token (error %lu)\n",
                 GetLastError());
        goto cleanup_token;
    }
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessAsUserW(restricted, NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fwprintf(stderr, L"run_unelevated: cannot start %ls (error %lu)\n", argv[1],
                 GetLastError());
        goto cleanup_restricted;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
cleanup_restricted:
    CloseHandle(restricted);
cleanup_token:
    CloseHandle(token);
cleanup_cmd:
    free(cmd);
    return (int)code;
}
