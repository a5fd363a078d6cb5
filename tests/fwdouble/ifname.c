/* Network interfaces by friendly name and by GUID, for INetFwRule::Interfaces: COM speaks friendly
 * names ("The interfaces in the list are represented by their friendly name", INetFwRule
 * Interfaces on Microsoft Learn) and the store keeps GUIDs (IF=, MS-GPFAS 2.2.2.19). Under Wine
 * GetAdaptersAddresses lists the host's interfaces (lo, eth0...) with GUIDs in braces as their
 * adapter names, as Windows does. Looked up at each call: interfaces come and go. */
#include <winsock2.h> /* before windows.h (in private.h), for iphlpapi.h */

#include "private.h"

#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

/* Finds the adapter whose friendly name (by_guid 0) or GUID (by_guid 1) is key, ignoring case,
 * and copies its other name to out. */
static HRESULT lookup(const WCHAR *key, int by_guid, WCHAR *out, size_t n)
{
    IP_ADAPTER_ADDRESSES *all = NULL, *a;
    ULONG size = 16384, err = ERROR_BUFFER_OVERFLOW;
    HRESULT hr = S_FALSE;
    int tries;
    for (tries = 0; tries < 3 && err == ERROR_BUFFER_OVERFLOW; tries++) {
        free(all);
        all = malloc(size);
        if (!all)
            return E_OUTOFMEMORY;
        err = GetAdaptersAddresses(AF_UNSPEC,
                                   GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_ANYCAST |
                                       GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
                                   NULL, all, &size);
    }
    if (err != NO_ERROR && err != ERROR_NO_DATA)
        hr = HRESULT_FROM_WIN32(err);
    for (a = err == NO_ERROR ? all : NULL; a && hr == S_FALSE; a = a->Next) {
        WCHAR guid[64];
        swprintf(guid, 64, L"%hs", a->AdapterName);
        if (_wcsicmp(by_guid ? guid : a->FriendlyName, key) == 0) {
            swprintf(out, n, L"%ls", by_guid ? a->FriendlyName : guid);
            hr = S_OK;
        }
    }
    free(all);
    return hr;
}

HRESULT ifname_to_guid(const WCHAR *friendly, WCHAR *guid, size_t n)
{
    return lookup(friendly, 0, guid, n);
}

HRESULT ifname_from_guid(const WCHAR *guid, WCHAR *friendly, size_t n)
{
    return lookup(guid, 1, friendly, n);
}
