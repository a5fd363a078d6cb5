/* Name resolution with a bound. getaddrinfo has no timeout of its own, and GetAddrInfoExW's
 * (Windows 8 and later) is not used: the agent also runs where it is missing, and a worker
 * thread gives one way that works everywhere. The caller waits for the worker, for the stop
 * event, or for the bound; a worker it stops waiting for finishes alone and frees the job, so
 * nothing the caller owns is touched after it returned. */
#include "win/netapi.h"
#include "win/resolver.h"

#include <stdlib.h>
#include <string.h>

#include "win/winutil.h"

static HANDLE volatile stop_event;

void win_resolver_set_stop(HANDLE stop)
{
    stop_event = stop;
}

/* One resolution, shared by the caller and the worker until both let go of it. */
typedef struct job {
    volatile LONG refs;
    const win_winsock *ws;
    wchar_t *host;
    HANDLE done;
    int rc;
    dlo_resolved_ip ips[DLO_NAMES_MAX_ADDRS];
    size_t n;
} job;

static void job_release(job *j)
{
    if (InterlockedDecrement(&j->refs) != 0)
        return;
    CloseHandle(j->done);
    free(j->host);
    free(j);
}

/* Each address once, IPv4 and IPv6. */
static void job_collect(job *j, const ADDRINFOW *res)
{
    const ADDRINFOW *a;
    for (a = res; a && j->n < DLO_NAMES_MAX_ADDRS; a = a->ai_next) {
        dlo_resolved_ip ip;
        size_t k;
        bool seen = false;
        memset(&ip, 0, sizeof(ip));
        if (a->ai_family == AF_INET) {
            ip.family = 4;
            memcpy(ip.addr, &((const struct sockaddr_in *)a->ai_addr)->sin_addr, 4);
        } else if (a->ai_family == AF_INET6) {
            ip.family = 6;
            memcpy(ip.addr, &((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr, 16);
        } else {
            continue;
        }
        for (k = 0; k < j->n && !seen; k++)
            seen = !memcmp(&j->ips[k], &ip, sizeof(ip));
        if (!seen)
            j->ips[j->n++] = ip;
    }
}

static DWORD WINAPI job_run(void *param)
{
    job *j = param;
    ADDRINFOW hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    j->rc = j->ws->getaddrinfo(j->host, NULL, &hints, &res);
    if (!j->rc)
        job_collect(j, res);
    if (res)
        j->ws->freeaddrinfo(res);
    SetEvent(j->done);
    job_release(j);
    return 0;
}

static job *job_new(const win_winsock *ws, const char *name, dlo_error *err)
{
    job *j = calloc(1, sizeof(*j));
    if (j) {
        j->refs = 2;
        j->ws = ws;
        j->host = win_utf8_to_utf16(name, strlen(name));
        j->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    if (!j || !j->host || !j->done) {
        if (j && j->done)
            CloseHandle(j->done);
        free(j ? j->host : NULL);
        free(j);
        dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        return NULL;
    }
    return j;
}

/* Waits for the job, the stop event or the bound: DLO_OK when the job finished. */
static dlo_status job_wait(job *j, unsigned timeout_ms, dlo_error *err)
{
    HANDLE h[2] = {j->done, stop_event};
    DWORD w = WaitForMultipleObjects(stop_event ? 2 : 1, h, FALSE, timeout_ms);
    if (w == WAIT_OBJECT_0)
        return DLO_OK;
    if (w == WAIT_OBJECT_0 + 1)
        return dlo_error_set(err, DLO_E_IO, "the service is stopping");
    if (w == WAIT_TIMEOUT)
        return dlo_error_set(err, DLO_E_IO, "no answer within %u ms", timeout_ms);
    return win_error_set(err, GetLastError(), "WaitForMultipleObjects");
}

static dlo_status resolver_resolve(void *ctx, const char *name, unsigned timeout_ms,
                                   dlo_resolved_ip *out, size_t max, size_t *n,
                                   unsigned *ttl_seconds, dlo_error *err)
{
    const win_winsock *ws = win_winsock_start(err);
    HANDLE thread;
    job *j;
    dlo_status st;

    (void)ctx;
    *n = 0;
    *ttl_seconds = 0; /* getaddrinfo does not tell the records' TTL */
    if (!ws)
        return DLO_E_IO;
    if (!(j = job_new(ws, name, err)))
        return DLO_E_NOMEM;
    thread = CreateThread(NULL, 0, job_run, j, 0, NULL);
    if (!thread) {
        st = win_error_set(err, GetLastError(), "CreateThread");
        job_release(j);
        job_release(j);
        return st;
    }
    CloseHandle(thread);
    st = job_wait(j, timeout_ms, err);
    if (!st && j->rc) {
        char text[256];
        win_error_text((unsigned long)j->rc, text, sizeof(text));
        st = dlo_error_set(
            err, j->rc == WSAHOST_NOT_FOUND || j->rc == WSANO_DATA ? DLO_E_NOTFOUND : DLO_E_IO,
            "%s", text);
    }
    for (; !st && *n < j->n && *n < max; (*n)++)
        out[*n] = j->ips[*n];
    job_release(j);
    return st;
}

static unsigned long long resolver_now(void *ctx)
{
    (void)ctx;
    return GetTickCount64();
}

const dlo_resolver win_resolver = {NULL, resolver_resolve, resolver_now};
