/* The IP Helper and Winsock functions /probe calls, taken at run time from System32.
 *
 * Neither iphlpapi.dll nor ws2_32.dll is among the Known DLLs the binaries may import
 * (tests/known-dlls.txt): imported statically, either would be looked for first in the folder
 * the exe was started from, before SetDefaultDllDirectories in wmain could say otherwise, and a
 * copy of dloagent.exe in a folder a user can write would load that user's DLL. Loading them
 * here, with LOAD_LIBRARY_SEARCH_SYSTEM32 (win_system_proc), takes them from System32 only.
 * mingw-w64's delay-load helper is no substitute: it calls LoadLibrary with the default search
 * (mingw-w64-crt/misc/delayimp.c) and raises an exception when the DLL is missing. */
#ifndef DLO_WIN_NETAPI_H
#define DLO_WIN_NETAPI_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include "dlo/status.h"

typedef struct win_iphlp {
    DWORD(WINAPI *tcp_table)(PVOID, PDWORD, BOOL, ULONG, TCP_TABLE_CLASS, ULONG);
    DWORD(WINAPI *udp_table)(PVOID, PDWORD, BOOL, ULONG, UDP_TABLE_CLASS, ULONG);
} win_iphlp;

typedef struct win_winsock {
    int(WSAAPI *startup)(WORD, LPWSADATA);
    SOCKET(WSAAPI *socket)(int, int, int);
    int(WSAAPI *ioctl)(SOCKET, long, u_long *);
    int(WSAAPI *connect)(SOCKET, const struct sockaddr *, int);
    int(WSAAPI *last_error)(void);
    int(WSAAPI *close)(SOCKET);
    int(WSAAPI *getsockopt)(SOCKET, int, int, char *, int *);
    int(WSAAPI *select)(int, fd_set *, fd_set *, fd_set *, const struct timeval *);
    INT(WSAAPI *getaddrinfo)(PCWSTR, PCWSTR, const ADDRINFOW *, PADDRINFOW *);
    void(WSAAPI *freeaddrinfo)(PADDRINFOW);
} win_winsock;

/* The functions, resolved once per process; NULL when one is missing (err names it). */
const win_iphlp *win_iphlp_load(dlo_error *err);
const win_winsock *win_winsock_load(dlo_error *err);
/* The same, with Winsock started (WSAStartup) once per process. */
const win_winsock *win_winsock_start(dlo_error *err);

#endif
