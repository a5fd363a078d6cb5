/* The service host, after OpenVPN's openvpnserv: one executable that installs and removes
 * itself, runs under the Service Control Manager (/service) or in a console (/run), and in both
 * cases runs the same loop: a pass at start, then passes when the configuration keys change,
 * when services are created or deleted, when the drift-repair timer fires, coalescing bursts,
 * and a stop request seen only between passes. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/config.h"
#include "dlo/log.h"
#include "dlo/report.h"
#include "dlo/service.h"
#include "dlo/state.h"
#include "dlo/target.h"
#include "dlo/version.h"
#include "win/eventlog.h"
#include "win/registry.h"
#include "win/service.h"
#include "win/svcrecovery.h"
#include "win/winutil.h"

/* The work of each pass: the reconcile engine, on the platform the service was started with,
 * keeping what it remembers in the loop's memory. */
static dlo_status agent_reconcile(void *ctx, const dlo_config *cfg, dlo_service_loop *mem,
                                  unsigned why, dlo_error *err)
{
    return dlo_agent_reconcile(ctx, cfg, mem, why, err);
}

static void agent_failed(void *ctx, const char *message)
{
    dlo_state_note_failure(ctx, message);
}

static dlo_service_ops service_ops(const dlo_platform *plat)
{
    dlo_service_ops ops;
    memset(&ops, 0, sizeof(ops));
    ops.ctx = (void *)plat;
    ops.reconcile = agent_reconcile;
    ops.summarize = dlo_report_config_summary;
    ops.failed = agent_failed;
    return ops;
}

static dlo_status need_elevation(dlo_error *err, const char *command)
{
    if (win_is_elevated())
        return DLO_OK;
    return dlo_error_set(err, DLO_E_ACCESS,
                         "/%s needs administrator rights: run it from an elevated command prompt "
                         "(Run as administrator)",
                         command);
}

/* The last Win32 error, as err. */
static dlo_status last_error(dlo_error *err, const char *what)
{
    return win_error_set(err, GetLastError(), what);
}

/* The full path of this executable, however long; free() it. */
static wchar_t *exe_path(void)
{
    DWORD cap = MAX_PATH;
    for (;;) {
        wchar_t *p = malloc(cap * sizeof(wchar_t));
        DWORD n;
        if (!p)
            return NULL;
        n = GetModuleFileNameW(NULL, p, cap);
        if (n > 0 && n < cap)
            return p;
        free(p);
        if (n == 0 || cap >= 32768)
            return NULL;
        cap *= 2;
    }
}

/* ---- /install and /uninstall ---- */

/* Its description and recovery actions (win/svcrecovery.h, which the package's custom action
 * shares). */
static dlo_status svc_configure(SC_HANDLE svc, dlo_buf *out, dlo_error *err)
{
    SERVICE_DESCRIPTIONW desc;
    bool non_crash = false;
    dlo_status st;

    desc.lpDescription = WIN_SERVICE_DESCRIPTION;
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc))
        return last_error(err, "cannot set the service description");
    st = win_service_set_recovery(svc, &non_crash, err);
    if (!st && !non_crash)
        dlo_buf_printf(out, "Note: recovery after non-crash failures is not available here; "
                            "recovery after crashes is set.\n");
    return st;
}

/* Creates the service, or on a second install (an upgrade) updates its registration in place;
 * *svc is open on it. */
static dlo_status register_service(SC_HANDLE scm, const wchar_t *bin, SC_HANDLE *svc,
                                   bool *fw_dependency, dlo_error *err)
{
    const wchar_t *deps = NULL;
    SC_HANDLE fw;

    /* The firewall's own service must run before rules can be changed. Wine has none, and a
     * dependency on a missing service would keep the agent from starting at all. */
    fw = OpenServiceW(scm, L"MpsSvc", SERVICE_QUERY_STATUS);
    if (fw) {
        deps = L"MpsSvc\0";
        CloseServiceHandle(fw);
    }
    *fw_dependency = deps != NULL;
    *svc = CreateServiceW(scm, WIN_SERVICE_NAME, WIN_SERVICE_DISPLAY, SERVICE_ALL_ACCESS,
                          SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, bin,
                          NULL, NULL, deps, NULL /* LocalSystem */, NULL);
    if (*svc)
        return DLO_OK;
    if (GetLastError() != ERROR_SERVICE_EXISTS)
        return last_error(err, "cannot create the dloagent service");
    *svc = OpenServiceW(scm, WIN_SERVICE_NAME, SERVICE_ALL_ACCESS);
    if (!*svc)
        return last_error(err, "cannot create the dloagent service");
    if (!ChangeServiceConfigW(*svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                              SERVICE_ERROR_NORMAL, bin, NULL, NULL, deps ? deps : L"\0", NULL,
                              NULL, WIN_SERVICE_DISPLAY))
        return last_error(err, "cannot update the dloagent service");
    return DLO_OK;
}

static dlo_status cmd_install(dlo_buf *out, dlo_error *err)
{
    wchar_t *exe = NULL, *bin = NULL;
    SC_HANDLE scm = NULL, svc = NULL;
    bool fw_dependency = false;
    dlo_status st;
    size_t n;
    char *exe8;

    st = need_elevation(err, "install");
    if (st)
        return st;
    exe = exe_path();
    if (!exe)
        return dlo_error_set(err, DLO_E_IO, "cannot find the path of dloagent.exe");
    /* Quoted, so a path with blanks cannot be taken for C:\Program.exe and friends. */
    n = wcslen(exe) + 32;
    bin = malloc(n * sizeof(wchar_t));
    if (!bin) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_exe;
    }
    swprintf(bin, n, L"\"%ls\" /service", exe);

    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!scm) {
        st = last_error(err, "cannot open the Service Control Manager");
        goto cleanup_bin;
    }
    st = register_service(scm, bin, &svc, &fw_dependency, err);
    if (!st)
        st = svc_configure(svc, out, err);
    if (!st)
        st = win_eventlog_register(exe, err);
    if (!st) {
        exe8 = win_utf16_to_utf8(exe);
        dlo_buf_printf(out,
                       "Installed service dloagent (Arctera DLO Firewall Agent): \"%s\" /service, "
                       "automatic start, LocalSystem, restart on failure%s.\n"
                       "Registered Event Log source dloagent (log Application).\n"
                       "Start it now with: sc start dloagent\n",
                       exe8 ? exe8 : "?",
                       fw_dependency ? ", after the Windows Firewall service" : "");
        free(exe8);
    }
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
cleanup_bin:
    free(bin);
cleanup_exe:
    free(exe);
    return st;
}

static dlo_status stop_and_wait(SC_HANDLE svc, dlo_buf *out, dlo_error *err)
{
    SERVICE_STATUS_PROCESS ssp;
    SERVICE_STATUS ss;
    DWORD n, waited = 0;

    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof(ssp), &n))
        return last_error(err, "cannot query the dloagent service");
    if (ssp.dwCurrentState == SERVICE_STOPPED)
        return DLO_OK;
    if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss) &&
        GetLastError() != ERROR_SERVICE_NOT_ACTIVE &&
        GetLastError() != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
        return last_error(err, "cannot stop the dloagent service");
    /* A one-off command, so a bounded poll is simpler than a notification here. */
    while (waited < WIN_STOP_WAIT_MS) {
        if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof(ssp), &n))
            return last_error(err, "cannot query the dloagent service");
        if (ssp.dwCurrentState == SERVICE_STOPPED) {
            dlo_buf_printf(out, "Stopped service dloagent.\n");
            return DLO_OK;
        }
        Sleep(200);
        waited += 200;
    }
    return dlo_error_set(err, DLO_E_IO,
                         "the dloagent service did not stop within %u seconds; it is marked for "
                         "deletion and goes when it stops",
                         WIN_STOP_WAIT_MS / 1000);
}

static dlo_status cmd_uninstall(dlo_buf *out, dlo_error *err)
{
    SC_HANDLE scm, svc;
    dlo_status st, st2;

    st = need_elevation(err, "uninstall");
    if (st)
        return st;
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return last_error(err, "cannot open the Service Control Manager");
    svc = OpenServiceW(scm, WIN_SERVICE_NAME, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        if (GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST) {
            st = last_error(err, "cannot open the dloagent service");
            goto cleanup_scm;
        }
        dlo_buf_puts(out, "Service dloagent is not installed.\n");
    } else {
        st = stop_and_wait(svc, out, err);
        if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE && !st)
            st = last_error(err, "cannot delete the dloagent service");
        CloseServiceHandle(svc);
        if (!st)
            dlo_buf_puts(out, "Removed service dloagent.\n");
    }
    st2 = win_eventlog_unregister(st ? NULL : err);
    if (st2 == DLO_E_NOTFOUND) {
        dlo_buf_puts(out, "Event Log source dloagent is not registered.\n");
        st2 = DLO_OK;
    } else if (!st2) {
        dlo_buf_puts(out, "Removed Event Log source dloagent.\n");
    }
    if (!st)
        st = st2;
cleanup_scm:
    CloseServiceHandle(scm);
    return st;
}

/* ---- the loop ---- */

/* Service creation and deletion, as SCM notifications (an APC on the loop thread) or, where the
 * SCM cannot send them, by comparing the service list on a timer. */
typedef struct svc_watch {
    SC_HANDLE scm;
    SERVICE_NOTIFYW notify;
    volatile LONG fired; /* set by the APC */
    bool notifications;  /* the SCM delivers them */
    HANDLE poll;         /* periodic timer of the fallback, else NULL */
    unsigned long long fingerprint;
} svc_watch;

static void CALLBACK svc_notify_cb(void *param)
{
    SERVICE_NOTIFYW *n = param;
    svc_watch *w = n->pContext;
    const wchar_t *p;

    /* Created services are listed with a '/' in front, deleted ones without. */
    for (p = n->pszServiceNames; p && *p; p += wcslen(p) + 1) {
        char *name = win_utf16_to_utf8(p[0] == L'/' ? p + 1 : p);
        dlo_log(DLO_LOG_INFO, "service %s: %s", p[0] == L'/' ? "created" : "deleted",
                name ? name : "?");
        free(name);
    }
    if (n->pszServiceNames)
        LocalFree(n->pszServiceNames);
    n->pszServiceNames = NULL;
    InterlockedExchange(&w->fired, 1);
}

/* Asks for the next notification. False if the SCM cannot send them. */
static bool svc_watch_arm(svc_watch *w)
{
    DWORD rc;

    memset(&w->notify, 0, sizeof(w->notify));
    w->notify.dwVersion = SERVICE_NOTIFY_STATUS_CHANGE;
    w->notify.pfnNotifyCallback = svc_notify_cb;
    w->notify.pContext = w;
    rc = NotifyServiceStatusChangeW(w->scm, SERVICE_NOTIFY_CREATED | SERVICE_NOTIFY_DELETED,
                                    &w->notify);
    if (rc == ERROR_SUCCESS)
        return true;
    dlo_log_event(DLO_EV_SERVICE_PROBLEM, DLO_LOG_WARN,
                  "the Service Control Manager cannot notify services created or deleted (error "
                  "%lu); comparing the service list every %u seconds instead",
                  rc, WIN_SERVICE_POLL_MS / 1000);
    return false;
}

/* An order-independent hash of the names of all services. */
static bool svc_fingerprint(SC_HANDLE scm, unsigned long long *out)
{
    DWORD need = 0, count = 0, resume = 0, size = 64 * 1024;
    unsigned long long sum = 0, n = 0;
    BYTE *buf = NULL;
    BOOL ok;

    do {
        ENUM_SERVICE_STATUS_PROCESSW *items;
        DWORD i;

        if (!buf) {
            buf = malloc(size);
            if (!buf)
                return false;
        }
        ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, buf,
                                   size, &need, &count, &resume, NULL);
        if (!ok && GetLastError() != ERROR_MORE_DATA) {
            free(buf);
            return false;
        }
        items = (ENUM_SERVICE_STATUS_PROCESSW *)buf;
        for (i = 0; i < count; i++) {
            unsigned long long h = 1469598103934665603ull;
            const wchar_t *p;
            for (p = items[i].lpServiceName; *p; p++) {
                wchar_t c = (*p >= L'A' && *p <= L'Z') ? (wchar_t)(*p - L'A' + L'a') : *p;
                h = (h ^ (unsigned long long)c) * 1099511628211ull;
            }
            sum += h;
            n++;
        }
        if (!ok && need > size) {
            free(buf);
            buf = NULL;
            size = need;
        }
    } while (!ok);
    free(buf);
    *out = sum ^ (n << 48);
    return true;
}

static void svc_watch_open(svc_watch *w)
{
    memset(w, 0, sizeof(*w));
    w->scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE);
    if (!w->scm) {
        dlo_log_event(DLO_EV_SERVICE_PROBLEM, DLO_LOG_WARN,
                      "cannot open the Service Control Manager (error %lu): services created "
                      "later are seen only at the drift-repair interval",
                      GetLastError());
        return;
    }
    w->notifications = svc_watch_arm(w);
    if (!w->notifications) {
        LARGE_INTEGER due;
        w->poll = CreateWaitableTimerW(NULL, FALSE, NULL);
        due.QuadPart = -(LONGLONG)WIN_SERVICE_POLL_MS * 10000;
        if (!w->poll || !SetWaitableTimer(w->poll, &due, WIN_SERVICE_POLL_MS, NULL, NULL, FALSE) ||
            !svc_fingerprint(w->scm, &w->fingerprint)) {
            if (w->poll)
                CloseHandle(w->poll);
            w->poll = NULL;
        }
    }
}

static void svc_watch_close(svc_watch *w)
{
    if (w->poll)
        CloseHandle(w->poll);
    /* Closing the SCM handle cancels a pending notification; its APC is then never run. */
    if (w->scm)
        CloseServiceHandle(w->scm);
    memset(w, 0, sizeof(*w));
}

/* True if services were created or deleted since the last call. */
static bool svc_watch_changed(svc_watch *w, bool poll_fired)
{
    if (InterlockedExchange(&w->fired, 0)) {
        /* Ask for the next one. If that fails (a lagging client must reconnect), start over with
         * a new handle, falling back to the timer if notifications fail again. */
        if (!svc_watch_arm(w)) {
            svc_watch_close(w);
            svc_watch_open(w);
        }
        return true;
    }
    if (poll_fired) {
        unsigned long long now;
        if (svc_fingerprint(w->scm, &now) && now != w->fingerprint) {
            w->fingerprint = now;
            dlo_log(DLO_LOG_INFO, "the list of services changed");
            return true;
        }
    }
    return false;
}

static void set_timer_ms(HANDLE timer, unsigned long long ms)
{
    LARGE_INTEGER due;
    due.QuadPart = -(LONGLONG)(ms * 10000ull);
    SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE);
}

/* Coalescing: a pass WIN_DEBOUNCE_MS after the last change of a burst, but no later than
 * WIN_DEBOUNCE_MAX_MS after its first. */
static void debounce(HANDLE timer, unsigned long long *burst_start)
{
    unsigned long long now = GetTickCount64(), due = now + WIN_DEBOUNCE_MS;

    if (!*burst_start)
        *burst_start = now;
    if (due > *burst_start + WIN_DEBOUNCE_MAX_MS)
        due = *burst_start + WIN_DEBOUNCE_MAX_MS;
    set_timer_ms(timer, due > now ? due - now : 1);
}

static void arm_watch(win_key_watch *w)
{
    dlo_error err;
    dlo_error_clear(&err);
    if (win_key_watch_arm(w, &err))
        dlo_log_event(DLO_EV_SERVICE_PROBLEM, DLO_LOG_WARN,
                      "%s: changes are seen only at the drift-repair interval", err.msg);
}

/* Runs one pass and sets the timer for the next unprompted one: the drift-repair interval, or
 * a retry with a doubling back-off after a failed reconcile. */
static void run_pass(win_loop *loop, dlo_service_loop *state, unsigned why, HANDLE timer,
                     unsigned *timer_reason, unsigned long long *retry_ms)
{
    unsigned interval_s = 0;
    unsigned long long interval_ms;
    dlo_status st;

    st = dlo_service_pass(state, &loop->ops, loop->registry, loop->overrides, why, &interval_s);
    interval_ms = (unsigned long long)interval_s * 1000u;
    if (st && st != DLO_E_CONFIG) {
        set_timer_ms(timer, *retry_ms < interval_ms ? *retry_ms : interval_ms);
        *timer_reason = DLO_WAKE_RETRY;
        *retry_ms *= 2;
        return;
    }
    /* Valid or not, look again after the interval: drift is repaired, and a configuration
     * error reported again. */
    set_timer_ms(timer, interval_ms);
    *timer_reason = DLO_WAKE_TIMER;
    if (!st)
        *retry_ms = WIN_RETRY_FIRST_MS;
}

/* What the loop holds while it runs. */
typedef struct loop_state {
    win_loop *loop;
    win_key_watch keys[2];
    svc_watch services;
    dlo_service_loop mem;
    HANDLE coalesce, interval;
    unsigned pending, timer_reason;
    unsigned long long burst_start, retry_ms;
    bool run_now;
} loop_state;

static dlo_status loop_open(loop_state *ls, win_loop *loop, dlo_error *err)
{
    size_t i;

    memset(ls, 0, sizeof(*ls));
    ls->loop = loop;
    ls->pending = DLO_WAKE_START;
    ls->timer_reason = DLO_WAKE_TIMER;
    ls->retry_ms = WIN_RETRY_FIRST_MS;
    ls->run_now = true;
    dlo_service_loop_init(&ls->mem);
    win_key_watch_init(&ls->keys[0], L"" DLO_CONFIG_KEY_POLICY);
    win_key_watch_init(&ls->keys[1], L"" DLO_CONFIG_KEY_INSTALLER);
    ls->coalesce = CreateWaitableTimerW(NULL, FALSE, NULL);
    ls->interval = CreateWaitableTimerW(NULL, FALSE, NULL);
    if (!ls->coalesce || !ls->interval)
        return last_error(err, "cannot create the service's timers");
    if (loop->ops.start) {
        dlo_status st = loop->ops.start(loop->ops.ctx, err);
        if (st)
            return st;
    }
    /* Watch first, read after: a change between the two is then never missed. */
    for (i = 0; i < 2; i++)
        arm_watch(&ls->keys[i]);
    svc_watch_open(&ls->services);
    return DLO_OK;
}

static void loop_close(loop_state *ls)
{
    size_t i;

    svc_watch_close(&ls->services);
    for (i = 0; i < 2; i++)
        win_key_watch_close(&ls->keys[i]);
    if (ls->coalesce)
        CloseHandle(ls->coalesce);
    if (ls->interval)
        CloseHandle(ls->interval);
    dlo_service_loop_free(&ls->mem);
}

/* Runs the pass that is due, if one is. False when a stop request came first. */
static bool loop_pass_if_due(loop_state *ls)
{
    unsigned why;
    size_t i;

    /* The notification APC may also have run inside a pass (COM waits alertably). */
    if (svc_watch_changed(&ls->services, false)) {
        ls->pending |= DLO_WAKE_SERVICES;
        if (!ls->run_now)
            debounce(ls->coalesce, &ls->burst_start);
    }
    why = ls->pending;
    if (!ls->run_now || !why) {
        ls->run_now = false;
        return true;
    }
    ls->run_now = false;
    /* A stop request wins over work not yet started. */
    if (WaitForSingleObject(ls->loop->stop, 0) == WAIT_OBJECT_0)
        return false;
    ls->pending = 0;
    ls->burst_start = 0;
    CancelWaitableTimer(ls->coalesce);
    /* Follow keys that appeared since they were armed, in case a notification was missed
     * (Wine does not signal a watched key's deletion). */
    for (i = 0; i < 2; i++)
        if (!ls->keys[i].key)
            arm_watch(&ls->keys[i]);
    run_pass(ls->loop, &ls->mem, why, ls->interval, &ls->timer_reason, &ls->retry_ms);
    return true;
}

/* Waits for the next event and records what it asks for. DLO_OK to go on, DLO_E_NOTFOUND
 * (no message) when the stop event is set, another status when the wait failed. */
static dlo_status loop_wait(loop_state *ls, dlo_error *err)
{
    HANDLE h[8];
    int watch_of[8]; /* the key watch a wait slot belongs to, or -1 */
    DWORD n = 0, w;
    size_t i;

    for (i = 0; i < 8; i++)
        watch_of[i] = -1;
    h[n++] = ls->loop->stop;
    for (i = 0; i < 2; i++) {
        const HANDLE events[2] = {ls->keys[i].key_event, ls->keys[i].ancestor_event};
        size_t j;
        for (j = 0; j < 2; j++) {
            if (events[j]) {
                watch_of[n] = (int)i;
                h[n++] = events[j];
            }
        }
    }
    h[n++] = ls->coalesce;
    h[n++] = ls->interval;
    if (ls->services.poll)
        h[n++] = ls->services.poll;
    /* Alertable, so the Service Control Manager's notification APC can run. */
    w = WaitForMultipleObjectsEx(n, h, FALSE, INFINITE, TRUE);
    if (w == WAIT_OBJECT_0)
        return DLO_E_NOTFOUND;
    if (w == WAIT_IO_COMPLETION)
        return DLO_OK;
    if (w == WAIT_FAILED || w >= WAIT_OBJECT_0 + n)
        return last_error(err, "waiting for changes failed");
    w -= WAIT_OBJECT_0;
    if (watch_of[w] >= 0) {
        arm_watch(&ls->keys[watch_of[w]]);
        ls->pending |= DLO_WAKE_CONFIG;
        debounce(ls->coalesce, &ls->burst_start);
    } else if (h[w] == ls->coalesce) {
        ls->run_now = true;
    } else if (h[w] == ls->interval) {
        ls->pending |= ls->timer_reason;
        ls->run_now = true;
    } else if (h[w] == ls->services.poll && svc_watch_changed(&ls->services, true)) {
        ls->pending |= DLO_WAKE_SERVICES;
        debounce(ls->coalesce, &ls->burst_start);
    }
    return DLO_OK;
}

dlo_status win_loop_run(win_loop *loop, dlo_error *err)
{
    loop_state ls;
    dlo_status st = loop_open(&ls, loop, err);

    if (st) {
        loop_close(&ls);
        return st;
    }
    while (loop_pass_if_due(&ls)) {
        st = loop_wait(&ls, err);
        if (st)
            break;
    }
    if (st == DLO_E_NOTFOUND)
        st = DLO_OK;
    if (loop->ops.stop)
        loop->ops.stop(loop->ops.ctx);
    loop_close(&ls);
    return st;
}

/* ---- /service: under the Service Control Manager ---- */

static struct {
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    CRITICAL_SECTION lock;
    HANDLE stop;
    const dlo_platform *plat;
} host;

static void svc_report(DWORD state, DWORD exit_code, DWORD service_code, DWORD wait_hint)
{
    EnterCriticalSection(&host.lock);
    host.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    host.status.dwCurrentState = state;
    host.status.dwWin32ExitCode = exit_code;
    host.status.dwServiceSpecificExitCode = service_code;
    host.status.dwWaitHint = wait_hint;
    host.status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    host.status.dwCheckPoint =
        (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : host.status.dwCheckPoint + 1;
    SetServiceStatus(host.handle, &host.status);
    LeaveCriticalSection(&host.lock);
}

static DWORD WINAPI svc_control(DWORD control, DWORD type, void *data, void *ctx)
{
    (void)type;
    (void)data;
    (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        /* A pass in progress finishes first: allow it time. */
        svc_report(SERVICE_STOP_PENDING, NO_ERROR, 0, 30000);
        SetEvent(host.stop);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI svc_main(DWORD argc, wchar_t **argv)
{
    win_loop loop;
    dlo_config_overrides overrides;
    win_log log;
    dlo_error err;
    dlo_status st;

    (void)argc;
    (void)argv;
    host.handle = RegisterServiceCtrlHandlerExW(WIN_SERVICE_NAME, svc_control, NULL);
    if (!host.handle)
        return;
    svc_report(SERVICE_START_PENDING, NO_ERROR, 0, 5000);
    win_log_open(&log, true, false);
    host.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!host.stop) {
        dlo_log_event(DLO_EV_SERVICE_PROBLEM, DLO_LOG_ERR, "cannot create the stop event");
        win_log_close(&log);
        svc_report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, DLO_EXIT_FAILED, 0);
        return;
    }
    dlo_log_event(DLO_EV_SERVICE_STARTED, DLO_LOG_INFO, "dloagent %s, process %lu",
                  DLO_VERSION_STRING, GetCurrentProcessId());
    /* Running before the first pass: a slow firewall must not make the start time out. */
    svc_report(SERVICE_RUNNING, NO_ERROR, 0, 0);

    memset(&loop, 0, sizeof(loop));
    loop.stop = host.stop;
    loop.registry = win_registry();
    /* No switches, but the build the scopes are checked for. */
    memset(&overrides, 0, sizeof(overrides));
    overrides.os_build = host.plat->os_build(host.plat->ctx);
    loop.overrides = &overrides;
    loop.ops = service_ops(host.plat);
    dlo_error_clear(&err);
    st = win_loop_run(&loop, &err);
    if (st)
        dlo_log_event(DLO_EV_SERVICE_STOPPED, DLO_LOG_ERR, "stopped on an error: %s", err.msg);
    else
        dlo_log_event(DLO_EV_SERVICE_STOPPED, DLO_LOG_INFO,
                      "stop requested; the firewall rules stay as they are");
    win_log_close(&log);
    CloseHandle(host.stop);
    /* An error exit makes the Service Control Manager apply the recovery actions. */
    svc_report(SERVICE_STOPPED, st ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR,
               st ? (DWORD)dlo_status_exit_code(st) : 0, 0);
}

static dlo_status cmd_service(const dlo_platform *plat, dlo_error *err)
{
    SERVICE_TABLE_ENTRYW table[] = {
        {(wchar_t *)WIN_SERVICE_NAME, svc_main},
        {NULL, NULL},
    };

    host.plat = plat;
    InitializeCriticalSection(&host.lock);
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD code = GetLastError();
        DeleteCriticalSection(&host.lock);
        if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "/service is how the Service Control Manager starts the agent; "
                                 "to run the service loop in a console use /run");
        return win_error_set(err, code, "cannot connect to the Service Control Manager");
    }
    DeleteCriticalSection(&host.lock);
    return DLO_OK;
}

/* ---- /run: the same loop in a console ---- */

static HANDLE console_stop, console_done;

static BOOL WINAPI console_ctrl(DWORD type)
{
    /* Ctrl+C, Ctrl+Break, closing the window: all mean stop after the current pass. */
    SetEvent(console_stop);
    /* Windows ends the process when this returns from a close, logoff or shutdown event: let
     * a pass in progress finish first, within the few seconds Windows allows. */
    if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT)
        WaitForSingleObject(console_done, 4500);
    return TRUE;
}

static dlo_status cmd_run(const dlo_platform *plat, const dlo_cli *cli, dlo_error *err)
{
    dlo_config_overrides overrides;
    win_loop loop;
    win_log log;
    dlo_status st;

    st = need_elevation(err, "run");
    if (st)
        return st;
    console_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    console_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!console_stop || !console_done) {
        st = last_error(err, "cannot create the stop event");
        goto cleanup_event;
    }
    if (!SetConsoleCtrlHandler(console_ctrl, TRUE)) {
        st = last_error(err, "cannot catch Ctrl+C");
        goto cleanup_event;
    }
    win_log_open(&log, false, true);
    dlo_log(DLO_LOG_INFO, "dloagent %s running in the console; Ctrl+C stops it",
            DLO_VERSION_STRING);
    memset(&loop, 0, sizeof(loop));
    loop.stop = console_stop;
    loop.registry = win_registry();
    dlo_cli_config_overrides(cli, &overrides);
    overrides.os_build = plat->os_build(plat->ctx);
    loop.overrides = &overrides;
    loop.ops = service_ops(plat);
    st = win_loop_run(&loop, err);
    if (!st)
        dlo_log(DLO_LOG_INFO, "stopped; the firewall rules stay as they are");
    win_log_close(&log);
    SetEvent(console_done);
    SetConsoleCtrlHandler(console_ctrl, FALSE);
cleanup_event:
    if (console_stop)
        CloseHandle(console_stop);
    if (console_done)
        CloseHandle(console_done);
    console_stop = console_done = NULL;
    return st;
}

dlo_status win_service_command(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                               dlo_error *err)
{
    switch (cli->command) {
    case DLO_CMD_INSTALL:
        return cmd_install(out, err);
    case DLO_CMD_UNINSTALL:
        return cmd_uninstall(out, err);
    case DLO_CMD_RUN:
        return cmd_run(plat, cli, err);
    case DLO_CMD_SERVICE:
        return cmd_service(plat, err);
    default:
        return dlo_error_set(err, DLO_E_INTERNAL, "not a service command");
    }
}
