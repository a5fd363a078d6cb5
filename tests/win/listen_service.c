/* A Win32 service that listens, for the binding test under Wine: with ImagePath
 * "listen_service.exe PORT" it listens on TCP 127.0.0.1:PORT and binds UDP 127.0.0.1:PORT,
 * reports SERVICE_RUNNING once both are open, and stops when asked.
 *
 * It also reads SO_KEEPALIVE of both sockets, which Windows does not need. Wine 8 keeps a
 * socket's Unix descriptor in the wineserver (bind and listen are done there), and its
 * listeners table (nsiproxy) finds a socket's owner by looking for that descriptor in
 * /proc/PID/fd of each Wine process: until the process holds it, the owner is PID 0. ntdll
 * answers SO_KEEPALIVE from the descriptor itself, so asking for it makes the process fetch
 * and keep it (measured under Wine 8.0: PID 0 without the call, the service's PID with it). */
#include <winsock2.h>
#include <windows.h>

#include <stdlib.h>
#include <string.h>

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;
static int port;

static void report(DWORD state)
{
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
    SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI handler(DWORD control, DWORD type, void *data, void *ctx)
{
    (void)type;
    (void)data;
    (void)ctx;
    if (control == SERVICE_CONTROL_STOP) {
        report(SERVICE_STOP_PENDING);
        SetEvent(stop_event);
    }
    return NO_ERROR;
}

static SOCKET open_socket(int type)
{
    struct sockaddr_in sa;
    SOCKET s = socket(AF_INET, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    int value = 0, len = sizeof(value);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((u_short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        (type == SOCK_STREAM && listen(s, 8) != 0))
        return INVALID_SOCKET;
    getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&value, &len);
    return s;
}

static void WINAPI service_main(DWORD argc, LPSTR *argv)
{
    WSADATA wsa;
    SOCKET tcp, udp;
    (void)argc;
    (void)argv;
    status_handle = RegisterServiceCtrlHandlerExA("", handler, NULL);
    stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    report(SERVICE_START_PENDING);
    WSAStartup(MAKEWORD(2, 2), &wsa);
    tcp = open_socket(SOCK_STREAM);
    udp = open_socket(SOCK_DGRAM);
    if (tcp == INVALID_SOCKET || udp == INVALID_SOCKET) {
        status.dwWin32ExitCode = ERROR_ADDRESS_ALREADY_ASSOCIATED;
        report(SERVICE_STOPPED);
        return;
    }
    report(SERVICE_RUNNING);
    WaitForSingleObject(stop_event, INFINITE);
    closesocket(tcp);
    closesocket(udp);
    report(SERVICE_STOPPED);
}

int main(int argc, char **argv)
{
    SERVICE_TABLE_ENTRYA table[] = {{(LPSTR) "", service_main}, {NULL, NULL}};
    if (argc < 2)
        return 2;
    port = atoi(argv[1]);
    return StartServiceCtrlDispatcherA(table) ? 0 : 1;
}
