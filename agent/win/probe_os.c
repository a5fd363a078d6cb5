#include <stdlib.h>
#include <string.h>

#include "dlo/listeners.h"
#include "win/netapi.h"
#include "win/probe_os.h"
#include "win/resolver.h"
#include "win/winutil.h"

/* The running services with their PIDs, read once per listeners table; the owner of each
 * process is looked up once by the core (dlo/listeners.h), however many there are. */
typedef struct services {
    BYTE *items; /* ENUM_SERVICE_STATUS_PROCESSW[] */
    DWORD count;
    bool read; /* false: who hosts a service is not known, so no owner can be told */
} services;

static void load_services(services *o)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    DWORD needed = 0, resume = 0;
    if (!scm)
        return;
    EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, NULL, 0,
                          &needed, &o->count, &resume, NULL);
    o->items = needed ? malloc(needed) : NULL;
    resume = 0;
    o->read =
        o->items && EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                                          o->items, needed, &needed, &o->count, &resume, NULL);
    if (!o->read)
        o->count = 0;
    CloseServiceHandle(scm);
}

static char *image_of(DWORD pid)
{
    wchar_t path[MAX_PATH * 2];
    DWORD n = sizeof(path) / sizeof(path[0]);
    char *utf8 = NULL;
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!h)
        return NULL;
    if (QueryFullProcessImageNameW(h, 0, path, &n))
        utf8 = win_utf16_to_utf8(path);
    CloseHandle(h);
    return utf8;
}

/* A dlo_owner_fn over the services read for this table. */
static bool owner_of(void *ctx, unsigned long pid, char **image, char **service)
{
    const services *o = ctx;
    const ENUM_SERVICE_STATUS_PROCESSW *svc = (const ENUM_SERVICE_STATUS_PROCESSW *)o->items;
    DWORD i;
    if (!o->read)
        return false;
    *image = image_of((DWORD)pid);
    for (i = 0; i < o->count && !*service; i++)
        if (svc[i].ServiceStatusProcess.dwProcessId == pid)
            *service = win_utf16_to_utf8(svc[i].lpServiceName);
    return true;
}

/* A port between host and network byte order, either way (ntohs and htons, which are
 * ws2_32's and so are not imported: win/netapi.h). */
static unsigned short swap_port(unsigned long port)
{
    return (unsigned short)(((port & 0xFF) << 8) | ((port >> 8) & 0xFF));
}

/* One row; the table's ports are in network order. */
static dlo_status table_row(dlo_listener_table *t, int proto, DWORD net_port, DWORD pid)
{
    return dlo_listener_table_row(t, proto, swap_port(net_port), pid);
}

/* One IP Helper table, grown until it fits. */
static DWORD read_table(const win_iphlp *ip, bool tcp, ULONG family, void **buf)
{
    DWORD size = 0, rc = ERROR_INSUFFICIENT_BUFFER;
    int tries;
    *buf = NULL;
    for (tries = 0; tries < 5 && rc == ERROR_INSUFFICIENT_BUFFER; tries++) {
        void *bigger = realloc(*buf, size ? size : 1);
        if (!bigger)
            return ERROR_NOT_ENOUGH_MEMORY;
        *buf = bigger;
        rc = tcp ? ip->tcp_table(*buf, &size, FALSE, family, TCP_TABLE_OWNER_PID_LISTENER, 0)
                 : ip->udp_table(*buf, &size, FALSE, family, UDP_TABLE_OWNER_PID, 0);
    }
    return rc;
}

static dlo_status add_table(const win_iphlp *ip, dlo_listener_table *t, bool tcp, ULONG family,
                            dlo_error *err)
{
    void *buf;
    DWORD rc = read_table(ip, tcp, family, &buf), i;
    dlo_status st = DLO_OK;
    int proto = tcp ? DLO_PROTO_TCP : DLO_PROTO_UDP;

    if (rc == ERROR_NOT_SUPPORTED && family == AF_INET6)
        rc = NO_ERROR; /* no IPv6 stack: nothing listens there */
    else if (rc != NO_ERROR)
        st = win_error_set(err, rc, tcp ? "GetExtendedTcpTable" : "GetExtendedUdpTable");
    else if (tcp && family == AF_INET)
        for (i = 0; !st && i < ((MIB_TCPTABLE_OWNER_PID *)buf)->dwNumEntries; i++)
            st = table_row(t, proto, ((MIB_TCPTABLE_OWNER_PID *)buf)->table[i].dwLocalPort,
                           ((MIB_TCPTABLE_OWNER_PID *)buf)->table[i].dwOwningPid);
    else if (tcp)
        for (i = 0; !st && i < ((MIB_TCP6TABLE_OWNER_PID *)buf)->dwNumEntries; i++)
            st = table_row(t, proto, ((MIB_TCP6TABLE_OWNER_PID *)buf)->table[i].dwLocalPort,
                           ((MIB_TCP6TABLE_OWNER_PID *)buf)->table[i].dwOwningPid);
    else if (family == AF_INET)
        for (i = 0; !st && i < ((MIB_UDPTABLE_OWNER_PID *)buf)->dwNumEntries; i++)
            st = table_row(t, proto, ((MIB_UDPTABLE_OWNER_PID *)buf)->table[i].dwLocalPort,
                           ((MIB_UDPTABLE_OWNER_PID *)buf)->table[i].dwOwningPid);
    else
        for (i = 0; !st && i < ((MIB_UDP6TABLE_OWNER_PID *)buf)->dwNumEntries; i++)
            st = table_row(t, proto, ((MIB_UDP6TABLE_OWNER_PID *)buf)->table[i].dwLocalPort,
                           ((MIB_UDP6TABLE_OWNER_PID *)buf)->table[i].dwOwningPid);
    if (st == DLO_E_NOMEM)
        dlo_error_set(err, st, "out of memory");
    free(buf);
    return st;
}

static dlo_status win_listeners(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    const win_iphlp *ip = win_iphlp_load(err);
    services svc;
    dlo_listener_table t;
    dlo_status st;
    (void)ctx;
    if (!ip)
        return DLO_E_IO;
    memset(&svc, 0, sizeof(svc));
    load_services(&svc);
    dlo_listener_table_init(&t, out, owner_of, &svc);
    st = add_table(ip, &t, true, AF_INET, err);
    if (!st)
        st = add_table(ip, &t, true, AF_INET6, err);
    if (!st)
        st = add_table(ip, &t, false, AF_INET, err);
    if (!st)
        st = add_table(ip, &t, false, AF_INET6, err);
    dlo_listener_table_free(&t);
    free(svc.items);
    return st;
}

/* Winsock, loaded and started once; NULL (err says why) when it cannot be. */
/* FD_ISSET without ws2_32's __WSAFDIsSet. */
static bool in_set(SOCKET s, const fd_set *set)
{
    u_int i;
    for (i = 0; i < set->fd_count; i++)
        if (set->fd_array[i] == s)
            return true;
    return false;
}

/* A non-blocking connect under way; INVALID_SOCKET once its outcome is known. */
static SOCKET start_connect(const win_winsock *ws, dlo_probe_conn *c)
{
    struct sockaddr_storage sa;
    int len;
    u_long nonblocking = 1;
    SOCKET s;

    memset(&sa, 0, sizeof(sa));
    if (c->ip.family == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
        v4->sin_family = AF_INET;
        v4->sin_port = swap_port(c->port);
        memcpy(&v4->sin_addr, c->ip.addr, 4);
        len = sizeof(*v4);
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = swap_port(c->port);
        memcpy(&v6->sin6_addr, c->ip.addr, 16);
        len = sizeof(*v6);
    }
    c->result = DLO_CONNECT_FILTERED;
    s = ws->socket(sa.ss_family, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return s;
    if (ws->ioctl(s, FIONBIO, &nonblocking) == 0 &&
        (ws->connect(s, (struct sockaddr *)&sa, len) == 0 || ws->last_error() == WSAEWOULDBLOCK))
        return s;
    c->result = ws->last_error() == WSAECONNREFUSED ? DLO_CONNECT_REFUSED : DLO_CONNECT_FILTERED;
    ws->close(s);
    return INVALID_SOCKET;
}

/* The outcome of a socket select() reported: connected, refused, or no answer (unreachable,
 * timed out). */
static void finish_connect(const win_winsock *ws, dlo_probe_conn *c, SOCKET *s, bool writable,
                           ULONGLONG start)
{
    int code = 0, len = sizeof(code);
    if (!writable)
        ws->getsockopt(*s, SOL_SOCKET, SO_ERROR, (char *)&code, &len);
    c->result = writable                  ? DLO_CONNECT_OPEN
                : code == WSAECONNREFUSED ? DLO_CONNECT_REFUSED
                                          : DLO_CONNECT_FILTERED;
    c->ms = (unsigned)(GetTickCount64() - start);
    ws->close(*s);
    *s = INVALID_SOCKET;
}

static dlo_status win_connect(void *ctx, dlo_probe_conn *conns, size_t n, unsigned timeout_ms,
                              dlo_error *err)
{
    SOCKET socks[DLO_PROBE_CONCURRENCY];
    ULONGLONG start = GetTickCount64(), now;
    size_t i, pending = 0;
    const win_winsock *ws = win_winsock_start(err);

    (void)ctx;
    if (!ws)
        return DLO_E_IO;
    n = n < DLO_PROBE_CONCURRENCY ? n : DLO_PROBE_CONCURRENCY;
    for (i = 0; i < n; i++) {
        socks[i] = start_connect(ws, &conns[i]);
        conns[i].ms = (unsigned)(GetTickCount64() - start);
        pending += socks[i] != INVALID_SOCKET;
    }
    while (pending && (now = GetTickCount64()) - start < timeout_ms) {
        ULONGLONG left = timeout_ms - (now - start);
        struct timeval tv = {(long)(left / 1000), (long)(left % 1000) * 1000};
        fd_set wr, ex;
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        for (i = 0; i < n; i++)
            if (socks[i] != INVALID_SOCKET) {
                FD_SET(socks[i], &wr);
                FD_SET(socks[i], &ex);
            }
        if (ws->select(0, NULL, &wr, &ex, &tv) <= 0)
            break;
        for (i = 0; i < n; i++)
            if (socks[i] != INVALID_SOCKET && (in_set(socks[i], &wr) || in_set(socks[i], &ex))) {
                finish_connect(ws, &conns[i], &socks[i], in_set(socks[i], &wr), start);
                pending--;
            }
    }
    for (i = 0; i < n; i++)
        if (socks[i] != INVALID_SOCKET) {
            conns[i].result = DLO_CONNECT_FILTERED;
            conns[i].ms = timeout_ms;
            ws->close(socks[i]);
        }
    return DLO_OK;
}

/* /probe /to:HOST: the agent's one resolver, with its bound. */
static dlo_status win_resolve(void *ctx, const char *host, dlo_ip *out, size_t max, size_t *n,
                              dlo_error *err)
{
    dlo_resolved_ip ips[DLO_NAMES_MAX_ADDRS];
    size_t got = 0;
    unsigned ttl;
    dlo_status st = win_resolver.resolve(NULL, host, DLO_NAMES_NAME_TIMEOUT_MS, ips,
                                         DLO_NAMES_MAX_ADDRS, &got, &ttl, err);
    (void)ctx;
    for (*n = 0; !st && *n < got && *n < max; (*n)++) {
        out[*n].family = ips[*n].family;
        memcpy(out[*n].addr, ips[*n].addr, sizeof(out[*n].addr));
    }
    return st;
}

const dlo_probe_os win_probe_os = {NULL, win_listeners, win_connect, win_resolve};
