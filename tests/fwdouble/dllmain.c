/* The COM server: class objects for CLSID_NetFwPolicy2 and CLSID_NetFwRule, and the
 * registration that points the prefix's CLSIDs at this DLL instead of Wine's hnetcfg.dll.
 *
 * The only translation unit that defines the NetFw GUIDs: mingw-w64's libuuid lacks them. */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <ole2.h>
#include <initguid.h>
#include <netfw.h>

#include <stdio.h>

#include "private.h"

#include "fwdouble.h"

LONG fwd_objects;
static HINSTANCE fwd_instance;

HRESULT fwd_error(HRESULT hr, const char *msg)
{
    ICreateErrorInfo *create;
    IErrorInfo *info;
    WCHAR wmsg[256];
    int n = MultiByteToWideChar(CP_UTF8, 0, msg, -1, wmsg, ARRAYSIZE(wmsg));
    if (n <= 0)
        return hr;
    OutputDebugStringW(wmsg);
    if (FAILED(CreateErrorInfo(&create)))
        return hr;
    ICreateErrorInfo_SetDescription(create, wmsg);
    ICreateErrorInfo_SetSource(create, (LPOLESTR)L"dloagent firewall double");
    if (SUCCEEDED(ICreateErrorInfo_QueryInterface(create, &IID_IErrorInfo, (void **)&info))) {
        SetErrorInfo(0, info);
        IErrorInfo_Release(info);
    }
    ICreateErrorInfo_Release(create);
    return hr;
}

/* ---- class factory ---- */

struct class_factory {
    IClassFactory IClassFactory_iface;
    HRESULT (*create)(REFIID riid, void **out);
};

static inline struct class_factory *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct class_factory, IClassFactory_iface);
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory)) {
        *out = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

/* The factories are static: their references only keep the DLL loaded. */
static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    (void)iface;
    InterlockedIncrement(&fwd_objects);
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    (void)iface;
    InterlockedDecrement(&fwd_objects);
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid,
                                             void **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    return impl_from_IClassFactory(iface)->create(riid, out);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    (void)iface;
    if (lock)
        InterlockedIncrement(&fwd_objects);
    else
        InterlockedDecrement(&fwd_objects);
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
    factory_QueryInterface, factory_AddRef,     factory_Release,
    factory_CreateInstance, factory_LockServer,
};

static HRESULT new_rule(REFIID riid, void **out)
{
    return rule_create(NULL, NULL, NULL, FALSE, riid, out);
}

static struct class_factory policy_factory = {{&factory_vtbl}, policy_create};
static struct class_factory rule_factory = {{&factory_vtbl}, new_rule};

/* ---- exports ---- */

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        fwd_instance = instance;
        DisableThreadLibraryCalls(instance);
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out)
{
    struct class_factory *factory;
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (IsEqualCLSID(clsid, &CLSID_NetFwPolicy2))
        factory = &policy_factory;
    else if (IsEqualCLSID(clsid, &CLSID_NetFwRule))
        factory = &rule_factory;
    else
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory->IClassFactory_iface, riid, out);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return fwd_objects ? S_FALSE : S_OK;
}

static const CLSID *const served[] = {&CLSID_NetFwPolicy2, &CLSID_NetFwRule};

static HRESULT inproc_key(const CLSID *clsid, WCHAR *clsid_str, HKEY *key)
{
    WCHAR path[96];
    if (!StringFromGUID2(clsid, clsid_str, 39))
        return E_UNEXPECTED;
    swprintf(path, ARRAYSIZE(path), L"Software\\Classes\\CLSID\\%ls\\InprocServer32", clsid_str);
    return hresult_from_win32(RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
                                              KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY,
                                              NULL, key, NULL));
}

static BOOL read_path(HKEY key, const WCHAR *name, WCHAR *buf, DWORD chars)
{
    DWORD size = (chars - 1) * sizeof(WCHAR), type;
    if (RegQueryValueExW(key, name, NULL, &type, (BYTE *)buf, &size) ||
        (type != REG_SZ && type != REG_EXPAND_SZ))
        return FALSE;
    buf[size / sizeof(WCHAR)] = 0;
    return TRUE;
}

static LONG write_path(HKEY key, const WCHAR *name, const WCHAR *path)
{
    return RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)path,
                          (DWORD)((wcslen(path) + 1) * sizeof(WCHAR)));
}

/* Points both CLSIDs at this DLL for every process of the machine (HKLM: Wine ignores HKCU
 * class registrations), keeping the paths it replaces so DllUnregisterServer can restore
 * them. Running it twice keeps the first saved path. */
HRESULT WINAPI DllRegisterServer(void)
{
    WCHAR self[MAX_PATH], previous[MAX_PATH], clsid_str[39];
    HKEY backup, key;
    HRESULT hr = S_OK;
    size_t i;

    if (!GetModuleFileNameW(fwd_instance, self, ARRAYSIZE(self)))
        return hresult_from_win32(GetLastError());
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_REGISTRATION_KEY, 0, NULL, 0,
                        KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &backup, NULL))
        return E_ACCESSDENIED;
    for (i = 0; i < ARRAYSIZE(served) && SUCCEEDED(hr); i++) {
        hr = inproc_key(served[i], clsid_str, &key);
        if (FAILED(hr))
            break;
        if (read_path(key, NULL, previous, ARRAYSIZE(previous)) && _wcsicmp(previous, self))
            hr = hresult_from_win32(write_path(backup, clsid_str, previous));
        if (SUCCEEDED(hr))
            hr = hresult_from_win32(write_path(key, NULL, self));
        if (SUCCEEDED(hr))
            hr = hresult_from_win32(write_path(key, L"ThreadingModel", L"Both"));
        RegCloseKey(key);
    }
    RegCloseKey(backup);
    return hr;
}

/* Gives the CLSIDs back to the DLL they pointed at before (Wine's hnetcfg.dll), or to the
 * system's hnetcfg.dll when nothing was saved. A CLSID someone else has re-pointed since is
 * left alone. */
HRESULT WINAPI DllUnregisterServer(void)
{
    WCHAR self[MAX_PATH], current[MAX_PATH], previous[MAX_PATH], clsid_str[39];
    HKEY backup = NULL, key;
    HRESULT hr = S_OK;
    size_t i;

    if (!GetModuleFileNameW(fwd_instance, self, ARRAYSIZE(self)))
        return hresult_from_win32(GetLastError());
    RegOpenKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_REGISTRATION_KEY, 0,
                  KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, &backup);
    for (i = 0; i < ARRAYSIZE(served) && SUCCEEDED(hr); i++) {
        hr = inproc_key(served[i], clsid_str, &key);
        if (FAILED(hr))
            break;
        if (read_path(key, NULL, current, ARRAYSIZE(current)) && !_wcsicmp(current, self)) {
            if (!backup || !read_path(backup, clsid_str, previous, ARRAYSIZE(previous))) {
                UINT n = GetSystemDirectoryW(previous, ARRAYSIZE(previous) - 16);
                if (!n || n >= ARRAYSIZE(previous) - 16)
                    hr = E_UNEXPECTED;
                else
                    wcscat(previous, L"\\hnetcfg.dll");
            }
            if (SUCCEEDED(hr))
                hr = hresult_from_win32(write_path(key, NULL, previous));
        }
        if (backup && SUCCEEDED(hr))
            RegDeleteValueW(backup, clsid_str);
        RegCloseKey(key);
    }
    if (backup)
        RegCloseKey(backup);
    return hr;
}
