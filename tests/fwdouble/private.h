/* Inside the firewall double: the COM objects and the registry store they share. */
#ifndef FWDOUBLE_PRIVATE_H
#define FWDOUBLE_PRIVATE_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <netfw.h>

#include "fwrule.h"

/* A function, not mingw-w64's HRESULT_FROM_WIN32 macro, which evaluates its argument twice:
 * HRESULT_FROM_WIN32(RegDeleteValueW(...)) would delete, then fail to find what it deleted. */
static inline HRESULT hresult_from_win32(LONG err)
{
    return HRESULT_FROM_WIN32(err);
}

/* Live objects and server locks, for DllCanUnloadNow. */
extern LONG fwd_objects;

/* IDispatch without a type library (the interfaces allow E_NOTIMPL there): C and C++ clients
 * call the vtable directly. Defines prefix_GetTypeInfoCount, _GetTypeInfo, _GetIDsOfNames and
 * _Invoke for interface type T. */
#define FWD_IDISPATCH_WITHOUT_TYPEINFO(prefix, T)                                                  \
    static HRESULT WINAPI prefix##_GetTypeInfoCount(T *iface, UINT *count)                         \
    {                                                                                              \
        (void)iface;                                                                               \
        if (!count)                                                                                \
            return E_POINTER;                                                                      \
        *count = 0;                                                                                \
        return S_OK;                                                                               \
    }                                                                                              \
    static HRESULT WINAPI prefix##_GetTypeInfo(T *iface, UINT index, LCID lcid, ITypeInfo **info)  \
    {                                                                                              \
        (void)iface, (void)index, (void)lcid, (void)info;                                          \
        return E_NOTIMPL;                                                                          \
    }                                                                                              \
    static HRESULT WINAPI prefix##_GetIDsOfNames(T *iface, REFIID riid, LPOLESTR *names,           \
                                                 UINT count, LCID lcid, DISPID *ids)               \
    {                                                                                              \
        (void)iface, (void)riid, (void)names, (void)count, (void)lcid, (void)ids;                  \
        return E_NOTIMPL;                                                                          \
    }                                                                                              \
    static HRESULT WINAPI prefix##_Invoke(T *iface, DISPID id, REFIID riid, LCID lcid, WORD flags, \
                                          DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep,   \
                                          UINT *arg_err)                                           \
    {                                                                                              \
        (void)iface, (void)id, (void)riid, (void)lcid, (void)flags, (void)params;                  \
        (void)result, (void)excep, (void)arg_err;                                                  \
        return E_NOTIMPL;                                                                          \
    }

/* IUnknown of a dispatch object whose struct S starts with its T interface and holds a LONG ref:
 * QueryInterface answers IUnknown, IDispatch and iid; Release calls destroy(S *) at zero. Defines
 * prefix_QueryInterface, _AddRef and _Release. */
#define FWD_IUNKNOWN(prefix, T, S, iid, destroy)                                                   \
    static ULONG WINAPI prefix##_AddRef(T *iface)                                                  \
    {                                                                                              \
        return InterlockedIncrement(&((S *)iface)->ref);                                           \
    }                                                                                              \
    static HRESULT WINAPI prefix##_QueryInterface(T *iface, REFIID riid, void **out)               \
    {                                                                                              \
        if (!out)                                                                                  \
            return E_POINTER;                                                                      \
        if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) ||               \
            IsEqualGUID(riid, iid)) {                                                              \
            *out = iface;                                                                          \
            prefix##_AddRef(iface);                                                                \
            return S_OK;                                                                           \
        }                                                                                          \
        *out = NULL;                                                                               \
        return E_NOINTERFACE;                                                                      \
    }                                                                                              \
    static ULONG WINAPI prefix##_Release(T *iface)                                                 \
    {                                                                                              \
        S *This = (S *)iface;                                                                      \
        LONG ref = InterlockedDecrement(&This->ref);                                               \
        if (!ref) {                                                                                \
            destroy(This);                                                                         \
            InterlockedDecrement(&fwd_objects);                                                    \
        }                                                                                          \
        return ref;                                                                                \
    }

/* ---- store.c: every call goes to the registry; nothing is cached between calls ---- */

struct stored_rule {
    WCHAR *id; /* value name */
    struct fwrule rule;
};

void stored_rules_free(struct stored_rule *v, size_t n);

/* A store is the registry key (under HKLM) of one collection's rules: FWDOUBLE_RULES_KEY or
 * FWDOUBLE_HARDENING_RULES_KEY, whose pointers the objects keep. */

/* Every rule of the store in enumeration order (RegEnumValue's), malformed values skipped. */
HRESULT store_list(const WCHAR *store, struct stored_rule **out, size_t *n);
/* The first rule, in enumeration order, whose Name is exactly name; S_FALSE when none. */
HRESULT store_find_by_name(const WCHAR *store, const WCHAR *name, struct stored_rule *out);
/* The rule stored under id; HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when it is gone. */
HRESULT store_read(const WCHAR *store, const WCHAR *id, struct fwrule *out);
/* Writes (creates or overwrites) and deletes rule values; each is one numbered write that fault
 * injection may fail. */
HRESULT store_write(const WCHAR *store, const WCHAR *id, const struct fwrule *rule);
HRESULT store_delete(const WCHAR *store, const WCHAR *id);

/* Adds delta to a counter of the test key. */
void store_count(const WCHAR *counter, DWORD delta);
/* A value of the test key, or def when it is absent. */
DWORD store_test_dword(const WCHAR *name, DWORD def);

/* Profile settings: profile is one NET_FW_PROFILE2_* bit, else E_INVALIDARG. */
HRESULT store_profile_get(LONG profile, const WCHAR *name, DWORD def, DWORD *out);
HRESULT store_profile_set(LONG profile, const WCHAR *name, DWORD value);

/* ---- rule.c ---- */

/* A rule object. id NULL: created by CoCreateInstance and not added yet (store NULL too).
 * attached: obtained from a collection, so each put_ is written through to the value named id in
 * that store. */
HRESULT rule_create(const WCHAR *store, const WCHAR *id, const struct fwrule *snapshot,
                    BOOL attached, REFIID riid, void **out);
/* The rule behind an INetFwRule of this double, or NULL for anyone else's object. */
struct fw_rule;
struct fw_rule *rule_from_iface(INetFwRule *iface);
const struct fwrule *rule_data(struct fw_rule *rule);
const WCHAR *rule_id(struct fw_rule *rule);
const WCHAR *rule_store(struct fw_rule *rule);
/* Where an Add put the rule: its store and its ID (copied). */
void rule_set_home(struct fw_rule *rule, const WCHAR *store, const WCHAR *id);

/* ---- policy.c ---- */

HRESULT policy_create(REFIID riid, void **out);
/* The INetFwRules collection of one store. */
HRESULT rules_create(const WCHAR *store, INetFwRules **out);
/* A collection an object keeps, handed out to a caller (a reference added). */
HRESULT rules_hand_out(INetFwRules *rules, INetFwRules **out);

/* ---- restriction.c ---- */

/* INetFwServiceRestriction, whose Rules are the Windows Service Hardening rules. */
HRESULT restriction_create(INetFwServiceRestriction **out);

/* ---- ifname.c ---- */

/* An interface's GUID in braces (its adapter name) from its friendly name, and back, as
 * GetAdaptersAddresses lists them (ignoring case). S_FALSE when no interface has it. */
HRESULT ifname_to_guid(const WCHAR *friendly, WCHAR *guid, size_t n);
HRESULT ifname_from_guid(const WCHAR *guid, WCHAR *friendly, size_t n);

/* ---- dllmain.c ---- */

/* Sets the COM error object (IErrorInfo) to a validation message, so a client can show why a
 * property was refused, and returns hr. */
HRESULT fwd_error(HRESULT hr, const char *msg);

#endif
