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

/* ---- store.c: every call goes to the registry; nothing is cached between calls ---- */

struct stored_rule {
    WCHAR *id; /* value name */
    struct fwrule rule;
};

void stored_rules_free(struct stored_rule *v, size_t n);

/* Every rule of the store in enumeration order (RegEnumValue's), malformed values skipped. */
HRESULT store_list(struct stored_rule **out, size_t *n);
/* The first rule, in enumeration order, whose Name is exactly name; S_FALSE when none. */
HRESULT store_find_by_name(const WCHAR *name, struct stored_rule *out);
/* The rule stored under id; HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when it is gone. */
HRESULT store_read(const WCHAR *id, struct fwrule *out);
/* Writes (creates or overwrites) and deletes rule values; each is one numbered write that fault
 * injection may fail. */
HRESULT store_write(const WCHAR *id, const struct fwrule *rule);
HRESULT store_delete(const WCHAR *id);

/* Adds delta to a counter of the test key. */
void store_count(const WCHAR *counter, DWORD delta);
/* A value of the test key, or def when it is absent. */
DWORD store_test_dword(const WCHAR *name, DWORD def);

/* Profile settings: profile is one NET_FW_PROFILE2_* bit, else E_INVALIDARG. */
HRESULT store_profile_get(LONG profile, const WCHAR *name, DWORD def, DWORD *out);
HRESULT store_profile_set(LONG profile, const WCHAR *name, DWORD value);

/* ---- rule.c ---- */

/* A rule object. id NULL: created by CoCreateInstance and not added yet. attached: obtained
 * from the collection, so each put_ is written through to the value named id. */
HRESULT rule_create(const WCHAR *id, const struct fwrule *snapshot, BOOL attached, REFIID riid,
                    void **out);
/* The rule behind an INetFwRule of this double, or NULL for anyone else's object. */
struct fw_rule;
struct fw_rule *rule_from_iface(INetFwRule *iface);
const struct fwrule *rule_data(struct fw_rule *rule);
const WCHAR *rule_id(struct fw_rule *rule);
void rule_set_id(struct fw_rule *rule, WCHAR *id);

/* ---- policy.c ---- */

HRESULT policy_create(REFIID riid, void **out);

/* ---- dllmain.c ---- */

/* Sets the COM error object (IErrorInfo) to a validation message, so a client can show why a
 * property was refused, and returns hr. */
HRESULT fwd_error(HRESULT hr, const char *msg);

#endif
