/* The loop the service and /run share, after OpenVPN's openvpnserv: a pass at start, then
 * passes when the configuration keys change, when the firewall's rules or settings (local or
 * Group Policy's) or a network's category change, when services are created or deleted, when
 * the drift-repair timer fires, coalescing bursts (dlo/coalesce.h), and a stop request seen
 * only between passes. */
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include "dlo/coalesce.h"
#include "dlo/fwprint.h"
#include "dlo/log.h"
#include "dlo/report.h"
#include "dlo/state.h"
#include "dlo/target.h"
#include "win/keywatch.h"
#include "win/resolver.h"
#include "win/svcloop.h"
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

dlo_service_ops win_loop_ops(const dlo_platform *plat)
{
    dlo_service_ops ops;
    memset(&ops, 0, sizeof(ops));
    ops.ctx = (void *)plat;
    ops.reconcile = agent_reconcile;
    ops.summarize = dlo_report_config_summary;
    ops.failed = agent_failed;
    return ops;
}

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

/* A change of kind why: the pass is due when the core's coalescing says. */
static void coalesce(HANDLE timer, dlo_coalesce *c, unsigned why)
{
    unsigned long long now = GetTickCount64(), due = dlo_coalesce_note(c, why, now);
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

/* The keys watched, and what a change of each wakes the service for. The firewall's keys are
 * watched with their subkeys: the rule store and the profile keys under FirewallPolicy, Group
 * Policy's rules and profiles under WindowsFirewall, each network's key under Profiles. */
static const struct {
    const wchar_t *path;
    bool subtree;
    unsigned why;
} watched[] = {
    {L"" DLO_CONFIG_KEY_POLICY, false, DLO_WAKE_CONFIG},
    {L"" DLO_CONFIG_KEY_INSTALLER, false, DLO_WAKE_CONFIG},
    {L"" DLO_WATCH_LOCAL_KEY, true, DLO_WAKE_FIREWALL},
    {L"" DLO_WATCH_GP_KEY, true, DLO_WAKE_GROUP_POLICY},
    {L"" DLO_WATCH_NETWORK_KEY, true, DLO_WAKE_NETWORK},
};
#define N_WATCHED (sizeof(watched) / sizeof(watched[0]))

/* What the loop holds while it runs. */
typedef struct loop_state {
    win_loop *loop;
    win_key_watch keys[N_WATCHED];
    svc_watch services;
    dlo_service_loop mem;
    HANDLE coalesce, interval;
    dlo_coalesce burst;             /* changes waiting for their pass */
    unsigned pending, timer_reason; /* what is due now: start, the interval, a retry */
    unsigned long long retry_ms;
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
    dlo_coalesce_init(&ls->burst);
    for (i = 0; i < N_WATCHED; i++) {
        if (watched[i].subtree)
            win_key_watch_init_tree(&ls->keys[i], watched[i].path);
        else
            win_key_watch_init(&ls->keys[i], watched[i].path);
    }
    ls->coalesce = CreateWaitableTimerW(NULL, FALSE, NULL);
    ls->interval = CreateWaitableTimerW(NULL, FALSE, NULL);
    if (!ls->coalesce || !ls->interval)
        return win_last_error(err, "cannot create the service's timers");
    if (loop->ops.start) {
        dlo_status st = loop->ops.start(loop->ops.ctx, err);
        if (st)
            return st;
    }
    /* Watch first, read after: a change between the two is then never missed. */
    for (i = 0; i < N_WATCHED; i++)
        arm_watch(&ls->keys[i]);
    svc_watch_open(&ls->services);
    return DLO_OK;
}

static void loop_close(loop_state *ls)
{
    size_t i;

    svc_watch_close(&ls->services);
    for (i = 0; i < N_WATCHED; i++)
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
        if (ls->run_now)
            ls->pending |= DLO_WAKE_SERVICES;
        else
            coalesce(ls->coalesce, &ls->burst, DLO_WAKE_SERVICES);
    }
    /* A pass due now takes the changes waiting too: it reads everything anyway. */
    why = ls->run_now ? ls->pending | dlo_coalesce_take(&ls->burst) : ls->pending;
    if (!ls->run_now || !why) {
        ls->run_now = false;
        return true;
    }
    ls->run_now = false;
    /* A stop request wins over work not yet started. */
    if (WaitForSingleObject(ls->loop->stop, 0) == WAIT_OBJECT_0)
        return false;
    ls->pending = 0;
    CancelWaitableTimer(ls->coalesce);
    /* Follow keys that appeared since they were armed, in case a notification was missed
     * (Wine does not signal a watched key's deletion). */
    for (i = 0; i < N_WATCHED; i++)
        if (!ls->keys[i].key)
            arm_watch(&ls->keys[i]);
    run_pass(ls->loop, &ls->mem, why, ls->interval, &ls->timer_reason, &ls->retry_ms);
    return true;
}

/* Waits for the next event and records what it asks for. DLO_OK to go on, DLO_E_NOTFOUND
 * (no message) when the stop event is set, another status when the wait failed. */
static dlo_status loop_wait(loop_state *ls, dlo_error *err)
{
    HANDLE h[4 + 2 * N_WATCHED];
    int watch_of[4 + 2 * N_WATCHED]; /* the key watch a wait slot belongs to, or -1 */
    DWORD n = 0, w;
    size_t i;

    for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        watch_of[i] = -1;
    h[n++] = ls->loop->stop;
    for (i = 0; i < N_WATCHED; i++) {
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
        return win_last_error(err, "waiting for changes failed");
    w -= WAIT_OBJECT_0;
    if (watch_of[w] >= 0) {
        arm_watch(&ls->keys[watch_of[w]]);
        coalesce(ls->coalesce, &ls->burst, watched[watch_of[w]].why);
    } else if (h[w] == ls->coalesce) {
        ls->run_now = true;
    } else if (h[w] == ls->interval) {
        ls->pending |= ls->timer_reason;
        ls->run_now = true;
    } else if (h[w] == ls->services.poll && svc_watch_changed(&ls->services, true)) {
        coalesce(ls->coalesce, &ls->burst, DLO_WAKE_SERVICES);
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
    /* A pass resolving names gives up on them when the stop comes (win/resolver.h). */
    win_resolver_set_stop(loop->stop);
    while (loop_pass_if_due(&ls)) {
        st = loop_wait(&ls, err);
        if (st)
            break;
    }
    if (st == DLO_E_NOTFOUND)
        st = DLO_OK;
    win_resolver_set_stop(NULL);
    if (loop->ops.stop)
        loop->ops.stop(loop->ops.ctx);
    loop->passes = ls.mem.passes;
    loop->unchanged = ls.mem.unchanged;
    loop_close(&ls);
    return st;
}
