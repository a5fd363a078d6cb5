/* A TCP listener for the /probe test under Wine: listens on 127.0.0.1:PORT, prints its PID once
 * it does, and exits after SECONDS (or when its stdin closes), so the test can see a Windows
 * process in the listeners table. Usage: listen.exe PORT SECONDS */
#include <winsock2.h>
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    WSADATA wsa;
    struct sockaddr_in sa;
    SOCKET s;

    if (argc != 3 || WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "usage: listen.exe PORT SECONDS\n");
        return 2;
    }
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((u_short)atoi(argv[1]));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(s, 8) != 0) {
        fprintf(stderr, "cannot listen on 127.0.0.1:%s (error %d)\n", argv[1], WSAGetLastError());
        return 1;
    }
    printf("%lu\n", (unsigned long)GetCurrentProcessId());
    fflush(stdout);
    Sleep((DWORD)atoi(argv[2]) * 1000);
    closesocket(s);
    return 0;
}
