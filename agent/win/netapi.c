#include "win/netapi.h"

#include <stdbool.h>

#include "win/winutil.h"

/* Resolves one member of `api` from `dll` as its own type; false (err says why) if missing. */
#define BIND(dll, member, name)                                                                    \
    ((api.member = (__typeof__(api.member))win_system_proc(dll, name, err)) != NULL)

const win_iphlp *win_iphlp_load(dlo_error *err)
{
    static win_iphlp api;
    static bool loaded;
    const wchar_t *dll = L"iphlpapi.dll";

    if (!loaded)
        loaded = BIND(dll, tcp_table, "GetExtendedTcpTable") &&
                 BIND(dll, udp_table, "GetExtendedUdpTable");
    return loaded ? &api : NULL;
}

const win_winsock *win_winsock_load(dlo_error *err)
{
    static win_winsock api;
    static bool loaded;
    const wchar_t *dll = L"ws2_32.dll";

    if (!loaded)
        loaded = BIND(dll, startup, "WSAStartup") && BIND(dll, socket, "socket") &&
                 BIND(dll, ioctl, "ioctlsocket") && BIND(dll, connect, "connect") &&
                 BIND(dll, last_error, "WSAGetLastError") && BIND(dll, close, "closesocket") &&
                 BIND(dll, getsockopt, "getsockopt") && BIND(dll, select, "select") &&
                 BIND(dll, getaddrinfo, "GetAddrInfoW") && BIND(dll, freeaddrinfo, "FreeAddrInfoW");
    return loaded ? &api : NULL;
}

const win_winsock *win_winsock_start(dlo_error *err)
{
    static bool started;
    const win_winsock *ws = win_winsock_load(err);
    WSADATA wsa;
    int rc;
    if (!ws || started)
        return ws;
    rc = ws->startup(MAKEWORD(2, 2), &wsa);
    if (rc) {
        win_error_set(err, (unsigned long)rc, "WSAStartup");
        return NULL;
    }
    started = true;
    return ws;
}
