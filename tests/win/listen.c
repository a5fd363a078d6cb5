/* A TCP listener for the tests under Wine: listens on ADDRESS:PORT (default 127.0.0.1), prints
 * its PID once it does, and exits after SECONDS (or when its stdin closes), so a test can see a
 * Windows process that is no service in the listeners table: /probe's, and the binding test's
 * standard user's program on 127.0.0.2:3999 beside the Administration Service.
 * Usage: listen.exe PORT SECONDS [ADDRESS]
 *
 * It reads SO_KEEPALIVE of the socket, which Windows does not need: Wine 8 names a socket's
 * owner in its listeners table only once the process holds the socket's Unix descriptor (see
 * listen_service.c), and answering that option makes it fetch and keep it. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    WSADATA wsa;
    struct sockaddr_in sa;
    SOCKET s;
    int value = 0, len = sizeof(value);

    if ((argc != 3 && argc != 4) || WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "usage: listen.exe PORT SECONDS [ADDRESS]\n");
        return 2;
    }
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((u_short)atoi(argv[1]));
    if (inet_pton(AF_INET, argc == 4 ? argv[3] : "127.0.0.1", &sa.sin_addr) != 1) {
        fprintf(stderr, "'%s' is not an IPv4 address\n", argv[3]);
        return 2;
    }
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(s, 8) != 0) {
        fprintf(stderr, "cannot listen on %s:%s (error %d)\n", argc == 4 ? argv[3] : "127.0.0.1",
                argv[1], WSAGetLastError());
        return 1;
    }
    getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&value, &len);
    printf("%lu\n", (unsigned long)GetCurrentProcessId());
    fflush(stdout);
    Sleep((DWORD)atoi(argv[2]) * 1000);
    closesocket(s);
    return 0;
}
