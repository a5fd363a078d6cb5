/* The firewall lock across processes (win/fwlock.h). */
#include <windows.h>
#include <sddl.h>

#include "win/fwlock.h"
#include "win/winutil.h"

/* SYSTEM and the Administrators group may open it (all access); nobody else. Protected: no
 * inheritance from the namespace's default. */
#define LOCK_SDDL L"D:P(A;;GA;;;SY)(A;;GA;;;BA)"

static HANDLE held;

static HANDLE open_lock(dlo_error *err)
{
    SECURITY_ATTRIBUTES sa;
    PSECURITY_DESCRIPTOR sd = NULL;
    HANDLE m;

    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(LOCK_SDDL, SDDL_REVISION_1, &sd,
                                                              NULL)) {
        win_last_error(err, "cannot make the firewall lock's security descriptor");
        return NULL;
    }
    sa.nLength = sizeof(sa);
    sa.lpSecurityDescriptor = sd;
    sa.bInheritHandle = FALSE;
    /* Creates it, or opens the one another run made (the DACL then is that one's). */
    m = CreateMutexW(&sa, FALSE, WIN_FWLOCK_NAME);
    if (!m)
        win_last_error(err, "cannot open the firewall lock Global\\dloagent-firewall-writes "
                            "(SYSTEM and Administrators only)");
    LocalFree(sd);
    return m;
}

dlo_status win_fwlock_take(void *ctx, dlo_error *err)
{
    HANDLE m;
    DWORD w;

    (void)ctx;
    m = open_lock(err);
    if (!m)
        return DLO_E_ACCESS;
    w = WaitForSingleObject(m, WIN_FWLOCK_WAIT_MS);
    if (w == WAIT_OBJECT_0 || w == WAIT_ABANDONED) {
        held = m;
        return DLO_OK;
    }
    CloseHandle(m);
    if (w == WAIT_TIMEOUT)
        return dlo_error_set(err, DLO_E_FIREWALL,
                             "another run of the agent has held the firewall lock for %u s; "
                             "try again when it has finished",
                             WIN_FWLOCK_WAIT_MS / 1000);
    return win_last_error(err, "waiting for the firewall lock failed");
}

void win_fwlock_release(void *ctx)
{
    (void)ctx;
    if (held) {
        ReleaseMutex(held);
        CloseHandle(held);
        held = NULL;
    }
}
