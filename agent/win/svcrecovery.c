/* The dloagent service's recovery actions and quoted image path (win/svcrecovery.h). */
#include <windows.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win/svcrecovery.h"
#include "win/winutil.h"

dlo_status win_service_set_recovery(SC_HANDLE svc, bool *non_crash, dlo_error *err)
{
    SC_ACTION actions[3] = {
        {SC_ACTION_RESTART, 5000},
        {SC_ACTION_RESTART, 30000},
        {SC_ACTION_RESTART, 60000},
    };
    SERVICE_FAILURE_ACTIONSW failure;
    SERVICE_FAILURE_ACTIONS_FLAG flag;
    DWORD code;

    memset(&failure, 0, sizeof(failure));
    failure.dwResetPeriod = 24 * 60 * 60;
    failure.cActions = sizeof(actions) / sizeof(actions[0]);
    failure.lpsaActions = actions;
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &failure))
        return win_error_set(err, GetLastError(), "cannot set the recovery actions");

    /* Not every Service Control Manager knows this level. */
    flag.fFailureActionsOnNonCrashFailures = TRUE;
    *non_crash = ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag) != 0;
    if (*non_crash)
        return DLO_OK;
    code = GetLastError();
    if (code != ERROR_INVALID_LEVEL && code != ERROR_CALL_NOT_IMPLEMENTED &&
        code != ERROR_INVALID_PARAMETER)
        return win_error_set(err, code, "cannot set the recovery actions flag");
    return DLO_OK;
}

/* The length of the executable's path at the start of an unquoted command line: up to the
 * first ".exe" that ends the line or is followed by a blank; 0 if there is none. */
static size_t exe_length(const wchar_t *line)
{
    const wchar_t *p;

    for (p = line; (p = wcschr(p, L'.')) != NULL; p++) {
        if (_wcsnicmp(p, L".exe", 4) == 0 && (p[4] == L'\0' || p[4] == L' '))
            return (size_t)(p + 4 - line);
    }
    return 0;
}

static dlo_status query_config(SC_HANDLE svc, QUERY_SERVICE_CONFIGW **out, dlo_error *err)
{
    DWORD need = 0;

    *out = NULL;
    if (QueryServiceConfigW(svc, NULL, 0, &need) || GetLastError() != ERROR_INSUFFICIENT_BUFFER)
        return win_error_set(err, GetLastError(), "cannot read the service's configuration");
    *out = malloc(need);
    if (!*out)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    if (QueryServiceConfigW(svc, *out, need, &need))
        return DLO_OK;
    free(*out);
    *out = NULL;
    return win_error_set(err, GetLastError(), "cannot read the service's configuration");
}

dlo_status win_service_quote_image_path(SC_HANDLE svc, bool *changed, dlo_error *err)
{
    QUERY_SERVICE_CONFIGW *cfg;
    const wchar_t *line;
    wchar_t *quoted;
    size_t exe, n;
    dlo_status st = query_config(svc, &cfg, err);

    *changed = false;
    if (st)
        return st;
    line = cfg->lpBinaryPathName ? cfg->lpBinaryPathName : L"";
    exe = line[0] == L'"' ? 0 : exe_length(line);
    if (line[0] != L'"' && exe == 0)
        st = dlo_error_set(err, DLO_E_CONFIG, "the service's image path names no .exe");
    if (st || exe == 0) {
        free(cfg);
        return st;
    }
    n = wcslen(line) + 3;
    quoted = malloc(n * sizeof(wchar_t));
    if (!quoted) {
        free(cfg);
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    swprintf(quoted, n, L"\"%.*ls\"%ls", (int)exe, line, line + exe);
    if (!ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, quoted,
                              NULL, NULL, NULL, NULL, NULL, NULL))
        st = win_error_set(err, GetLastError(), "cannot quote the service's image path");
    else
        *changed = true;
    free(quoted);
    free(cfg);
    return st;
}
