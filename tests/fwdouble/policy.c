/* INetFwPolicy2, its INetFwRules collections and their IEnumVARIANT.
 *
 * A collection holds nothing but the name of its store: each call reads the store, so what
 * another process added or removed is seen at once. */
#include <stdlib.h>

#include "fwdouble.h"
#include "private.h"

/* ---- IEnumVARIANT over a snapshot of the store ---- */

/* Shared by an enumerator and its clones. */
struct snapshot {
    LONG ref;
    const WCHAR *store;
    struct stored_rule *rules;
    size_t n;
};

static void snapshot_release(struct snapshot *s)
{
    if (!InterlockedDecrement(&s->ref)) {
        stored_rules_free(s->rules, s->n);
        free(s);
    }
}

struct fw_enum {
    IEnumVARIANT IEnumVARIANT_iface;
    LONG ref;
    struct snapshot *snap;
    size_t pos;
};

static const IEnumVARIANTVtbl enum_vtbl;

static inline struct fw_enum *impl_from_IEnumVARIANT(IEnumVARIANT *iface)
{
    return CONTAINING_RECORD(iface, struct fw_enum, IEnumVARIANT_iface);
}

static HRESULT enum_create(struct snapshot *snap, size_t pos, IEnumVARIANT **out)
{
    struct fw_enum *This = calloc(1, sizeof(*This));
    if (!This)
        return E_OUTOFMEMORY;
    This->IEnumVARIANT_iface.lpVtbl = &enum_vtbl;
    This->ref = 1;
    This->snap = snap;
    This->pos = pos;
    InterlockedIncrement(&snap->ref);
    InterlockedIncrement(&fwd_objects);
    *out = &This->IEnumVARIANT_iface;
    return S_OK;
}

static HRESULT WINAPI enum_QueryInterface(IEnumVARIANT *iface, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IEnumVARIANT)) {
        *out = iface;
        IEnumVARIANT_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_AddRef(IEnumVARIANT *iface)
{
    return InterlockedIncrement(&impl_from_IEnumVARIANT(iface)->ref);
}

static ULONG WINAPI enum_Release(IEnumVARIANT *iface)
{
    struct fw_enum *This = impl_from_IEnumVARIANT(iface);
    LONG ref = InterlockedDecrement(&This->ref);
    if (!ref) {
        snapshot_release(This->snap);
        free(This);
        InterlockedDecrement(&fwd_objects);
    }
    return ref;
}

/* Each item is a rule object (as IDispatch) attached to its stored value. */
static HRESULT WINAPI enum_Next(IEnumVARIANT *iface, ULONG count, VARIANT *items, ULONG *fetched)
{
    struct fw_enum *This = impl_from_IEnumVARIANT(iface);
    ULONG i = 0;
    HRESULT hr = S_OK;

    if (!items || (count > 1 && !fetched))
        return E_POINTER;
    for (; i < count && This->pos < This->snap->n; i++) {
        const struct stored_rule *s = &This->snap->rules[This->pos];
        void *disp;
        VariantInit(&items[i]);
        hr = rule_create(This->snap->store, s->id, &s->rule, TRUE, &IID_IDispatch, &disp);
        if (FAILED(hr))
            break;
        V_VT(&items[i]) = VT_DISPATCH;
        V_DISPATCH(&items[i]) = disp;
        This->pos++;
    }
    if (FAILED(hr)) {
        while (i)
            VariantClear(&items[--i]);
    }
    if (fetched)
        *fetched = i;
    if (FAILED(hr))
        return hr;
    return i == count ? S_OK : S_FALSE;
}

static HRESULT WINAPI enum_Skip(IEnumVARIANT *iface, ULONG count)
{
    struct fw_enum *This = impl_from_IEnumVARIANT(iface);
    size_t left = This->snap->n - This->pos;
    if (count > left) {
        This->pos = This->snap->n;
        return S_FALSE;
    }
    This->pos += count;
    return S_OK;
}

static HRESULT WINAPI enum_Reset(IEnumVARIANT *iface)
{
    impl_from_IEnumVARIANT(iface)->pos = 0;
    return S_OK;
}

static HRESULT WINAPI enum_Clone(IEnumVARIANT *iface, IEnumVARIANT **out)
{
    struct fw_enum *This = impl_from_IEnumVARIANT(iface);
    if (!out)
        return E_POINTER;
    return enum_create(This->snap, This->pos, out);
}

static const IEnumVARIANTVtbl enum_vtbl = {
    enum_QueryInterface, enum_AddRef, enum_Release, enum_Next, enum_Skip, enum_Reset, enum_Clone,
};

/* ---- INetFwRules ---- */

struct fw_rules {
    INetFwRules INetFwRules_iface;
    LONG ref;
    const WCHAR *store;
};

static const INetFwRulesVtbl rules_vtbl;

static inline struct fw_rules *impl_from_INetFwRules(INetFwRules *iface)
{
    return CONTAINING_RECORD(iface, struct fw_rules, INetFwRules_iface);
}

static void rules_destroy(struct fw_rules *This)
{
    free(This);
}

FWD_IUNKNOWN(rules, INetFwRules, struct fw_rules, &IID_INetFwRules, rules_destroy)
FWD_IDISPATCH_WITHOUT_TYPEINFO(rules, INetFwRules)

/* Rules the double cannot parse are not counted, as they are not enumerated. */
static HRESULT WINAPI rules_get_Count(INetFwRules *iface, LONG *count)
{
    struct stored_rule *rules;
    size_t n;
    HRESULT hr;
    if (!count)
        return E_POINTER;
    hr = store_list(impl_from_INetFwRules(iface)->store, &rules, &n);
    if (FAILED(hr))
        return hr;
    stored_rules_free(rules, n);
    *count = (LONG)n;
    return S_OK;
}

/* A rule object is added once: Add of an object already in the collection (added before, or
 * obtained from it) fails with E_UNEXPECTED, "the object is already in the collection"
 * (INetFwRules::Add); its put_ calls are what change it. A new rule gets its ID, a GUID in braces
 * as Windows makes them. An added object stays detached from the store: put_ calls after Add
 * change only the object; a rule to edit in place is obtained with Item or _NewEnum. Once its
 * value is gone (removed), the object may be added again, under the same ID. */
static HRESULT WINAPI rules_Add(INetFwRules *iface, INetFwRule *rule)
{
    const WCHAR *store = impl_from_INetFwRules(iface)->store;
    struct fw_rule *impl = rule_from_iface(rule);
    WCHAR *id = NULL;
    GUID guid;
    HRESULT hr;
    if (!impl)
        return fwd_error(E_INVALIDARG, "Add takes a rule made by CoCreateInstance(CLSID_NetFwRule) "
                                       "or obtained from this collection");
    if (!rule_data(impl)->name)
        return fwd_error(E_INVALIDARG, "a rule needs a Name before it is added");
    if (rule_id(impl)) {
        struct fwrule current;
        hr = store_read(rule_store(impl), rule_id(impl), &current);
        if (SUCCEEDED(hr)) {
            fwrule_free(&current);
            return fwd_error(E_UNEXPECTED, "the rule is already in the collection: change it "
                                           "through a rule obtained with Item instead");
        }
        if (hr != HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND))
            return hr;
    } else {
        id = CoTaskMemAlloc(39 * sizeof(WCHAR));
        if (!id)
            return E_OUTOFMEMORY;
        hr = CoCreateGuid(&guid);
        if (SUCCEEDED(hr) && !StringFromGUID2(&guid, id, 39))
            hr = E_FAIL;
        if (FAILED(hr)) {
            CoTaskMemFree(id);
            return hr;
        }
    }
    hr = store_write(store, id ? id : rule_id(impl), rule_data(impl));
    if (SUCCEEDED(hr))
        rule_set_home(impl, store, id ? id : rule_id(impl));
    CoTaskMemFree(id);
    if (SUCCEEDED(hr))
        store_count(FWDOUBLE_COUNT_ADDS, 1);
    return hr;
}

/* Friendly names need not be unique. Remove and Item act on the first rule of that name in
 * enumeration order (the order _NewEnum returns, the registry's value order), a choice the
 * documentation leaves open; give every rule you own a unique name. A name no rule has is not
 * an error for Remove: "the Remove method has no effect". Names compare exactly, case
 * included, unless the test key's NamesIgnoreCase asks for Windows' possible behaviour. */
static HRESULT WINAPI rules_Remove(INetFwRules *iface, BSTR name)
{
    const WCHAR *store = impl_from_INetFwRules(iface)->store;
    struct stored_rule found;
    HRESULT hr;
    if (!name)
        return E_INVALIDARG;
    hr = store_find_by_name(store, name, &found);
    if (hr != S_OK)
        return FAILED(hr) ? hr : S_OK;
    hr = store_delete(store, found.id);
    if (SUCCEEDED(hr))
        store_count(FWDOUBLE_COUNT_REMOVES, 1);
    free(found.id);
    fwrule_free(&found.rule);
    return hr;
}

/* "HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): The requested item does not exist"
 * (INetFwRules::Item). */
static HRESULT WINAPI rules_Item(INetFwRules *iface, BSTR name, INetFwRule **rule)
{
    const WCHAR *store = impl_from_INetFwRules(iface)->store;
    struct stored_rule found;
    HRESULT hr;
    if (!rule)
        return E_POINTER;
    *rule = NULL;
    if (!name)
        return E_INVALIDARG;
    hr = store_find_by_name(store, name, &found);
    if (FAILED(hr))
        return hr;
    if (hr == S_FALSE)
        return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
    hr = rule_create(store, found.id, &found.rule, TRUE, &IID_INetFwRule, (void **)rule);
    free(found.id);
    fwrule_free(&found.rule);
    return hr;
}

static HRESULT WINAPI rules_get__NewEnum(INetFwRules *iface, IUnknown **out)
{
    struct snapshot *snap;
    IEnumVARIANT *e;
    HRESULT hr;
    if (!out)
        return E_POINTER;
    *out = NULL;
    snap = calloc(1, sizeof(*snap));
    if (!snap)
        return E_OUTOFMEMORY;
    snap->store = impl_from_INetFwRules(iface)->store;
    hr = store_list(snap->store, &snap->rules, &snap->n);
    if (FAILED(hr)) {
        free(snap);
        return hr;
    }
    snap->ref = 1;
    store_count(FWDOUBLE_COUNT_ENUMERATIONS, 1);
    hr = enum_create(snap, 0, &e);
    snapshot_release(snap);
    if (SUCCEEDED(hr))
        *out = (IUnknown *)e;
    return hr;
}

static const INetFwRulesVtbl rules_vtbl = {
    rules_QueryInterface,   rules_AddRef,      rules_Release,
    rules_GetTypeInfoCount, rules_GetTypeInfo, rules_GetIDsOfNames,
    rules_Invoke,           rules_get_Count,   rules_Add,
    rules_Remove,           rules_Item,        rules_get__NewEnum,
};

HRESULT rules_hand_out(INetFwRules *rules, INetFwRules **out)
{
    if (!out)
        return E_POINTER;
    INetFwRules_AddRef(rules);
    *out = rules;
    return S_OK;
}

HRESULT rules_create(const WCHAR *store, INetFwRules **out)
{
    struct fw_rules *This = calloc(1, sizeof(*This));
    if (!This)
        return E_OUTOFMEMORY;
    This->INetFwRules_iface.lpVtbl = &rules_vtbl;
    This->ref = 1;
    This->store = store;
    InterlockedIncrement(&fwd_objects);
    *out = &This->INetFwRules_iface;
    return S_OK;
}

/* ---- INetFwPolicy2 ---- */

struct fw_policy {
    INetFwPolicy2 INetFwPolicy2_iface;
    LONG ref;
    INetFwRules *rules; /* one collection for the policy's life, as get_Rules hands out */
};

static const INetFwPolicy2Vtbl policy_vtbl;

static inline struct fw_policy *impl_from_INetFwPolicy2(INetFwPolicy2 *iface)
{
    return CONTAINING_RECORD(iface, struct fw_policy, INetFwPolicy2_iface);
}

static void policy_destroy(struct fw_policy *This)
{
    INetFwRules_Release(This->rules);
    free(This);
}

FWD_IUNKNOWN(policy, INetFwPolicy2, struct fw_policy, &IID_INetFwPolicy2, policy_destroy)
FWD_IDISPATCH_WITHOUT_TYPEINFO(policy, INetFwPolicy2)

/* The machine's network location is not something Wine has: a test sets it. */
static HRESULT WINAPI policy_get_CurrentProfileTypes(INetFwPolicy2 *iface, LONG *profile)
{
    (void)iface;
    if (!profile)
        return E_POINTER;
    *profile = (LONG)store_test_dword(FWDOUBLE_CURRENT_PROFILE_TYPES, NET_FW_PROFILE2_DOMAIN);
    return S_OK;
}

/* Profile flags as Windows keeps them: 1 = on (EnableFirewall, DoNotAllowExceptions,
 * Disable...) and, for the default actions, 1 = block, so the stored value is the inverse of
 * NET_FW_ACTION. Absent values are Windows' defaults: firewall on, inbound blocked, outbound
 * allowed, nothing else set. */
static HRESULT get_flag(LONG profile, const WCHAR *name, DWORD def, VARIANT_BOOL *out)
{
    DWORD v;
    HRESULT hr;
    if (!out)
        return E_POINTER;
    hr = store_profile_get(profile, name, def, &v);
    if (SUCCEEDED(hr))
        *out = v ? VARIANT_TRUE : VARIANT_FALSE;
    return hr;
}

static HRESULT put_flag(LONG profile, const WCHAR *name, VARIANT_BOOL value)
{
    return store_profile_set(profile, name, value != VARIANT_FALSE);
}

static HRESULT get_action(LONG profile, const WCHAR *name, DWORD def, NET_FW_ACTION *out)
{
    DWORD v;
    HRESULT hr;
    if (!out)
        return E_POINTER;
    hr = store_profile_get(profile, name, def, &v);
    if (SUCCEEDED(hr))
        *out = v ? NET_FW_ACTION_BLOCK : NET_FW_ACTION_ALLOW;
    return hr;
}

static HRESULT put_action(LONG profile, const WCHAR *name, NET_FW_ACTION action)
{
    if (action != NET_FW_ACTION_BLOCK && action != NET_FW_ACTION_ALLOW)
        return E_INVALIDARG;
    return store_profile_set(profile, name, action == NET_FW_ACTION_BLOCK);
}

static HRESULT WINAPI policy_get_FirewallEnabled(INetFwPolicy2 *iface, NET_FW_PROFILE_TYPE2 profile,
                                                 VARIANT_BOOL *enabled)
{
    (void)iface;
    return get_flag(profile, L"EnableFirewall", 1, enabled);
}

static HRESULT WINAPI policy_put_FirewallEnabled(INetFwPolicy2 *iface, NET_FW_PROFILE_TYPE2 profile,
                                                 VARIANT_BOOL enabled)
{
    (void)iface;
    return put_flag(profile, L"EnableFirewall", enabled);
}

static HRESULT WINAPI policy_get_ExcludedInterfaces(INetFwPolicy2 *iface,
                                                    NET_FW_PROFILE_TYPE2 profile,
                                                    VARIANT *interfaces)
{
    (void)iface;
    (void)profile;
    (void)interfaces;
    return E_NOTIMPL;
}

static HRESULT WINAPI policy_put_ExcludedInterfaces(INetFwPolicy2 *iface,
                                                    NET_FW_PROFILE_TYPE2 profile,
                                                    VARIANT interfaces)
{
    (void)iface;
    (void)profile;
    (void)interfaces;
    return E_NOTIMPL;
}

static HRESULT WINAPI policy_get_BlockAllInboundTraffic(INetFwPolicy2 *iface,
                                                        NET_FW_PROFILE_TYPE2 profile,
                                                        VARIANT_BOOL *block)
{
    (void)iface;
    return get_flag(profile, L"DoNotAllowExceptions", 0, block);
}

static HRESULT WINAPI policy_put_BlockAllInboundTraffic(INetFwPolicy2 *iface,
                                                        NET_FW_PROFILE_TYPE2 profile,
                                                        VARIANT_BOOL block)
{
    (void)iface;
    return put_flag(profile, L"DoNotAllowExceptions", block);
}

static HRESULT WINAPI policy_get_NotificationsDisabled(INetFwPolicy2 *iface,
                                                       NET_FW_PROFILE_TYPE2 profile,
                                                       VARIANT_BOOL *disabled)
{
    (void)iface;
    return get_flag(profile, L"DisableNotifications", 0, disabled);
}

static HRESULT WINAPI policy_put_NotificationsDisabled(INetFwPolicy2 *iface,
                                                       NET_FW_PROFILE_TYPE2 profile,
                                                       VARIANT_BOOL disabled)
{
    (void)iface;
    return put_flag(profile, L"DisableNotifications", disabled);
}

static HRESULT WINAPI policy_get_UnicastResponsesToMulticastBroadcastDisabled(
    INetFwPolicy2 *iface, NET_FW_PROFILE_TYPE2 profile, VARIANT_BOOL *disabled)
{
    (void)iface;
    return get_flag(profile, L"DisableUnicastResponsesToMulticastBroadcast", 0, disabled);
}

static HRESULT WINAPI policy_put_UnicastResponsesToMulticastBroadcastDisabled(
    INetFwPolicy2 *iface, NET_FW_PROFILE_TYPE2 profile, VARIANT_BOOL disabled)
{
    (void)iface;
    return put_flag(profile, L"DisableUnicastResponsesToMulticastBroadcast", disabled);
}

/* The same collection object each time, as Windows does (Wine's hnetcfg test
 * test_policy2_rules checks it on Windows). */
static HRESULT WINAPI policy_get_Rules(INetFwPolicy2 *iface, INetFwRules **rules)
{
    return rules_hand_out(impl_from_INetFwPolicy2(iface)->rules, rules);
}

/* Windows answers S_OK with an object (Wine's test_policy2_rules, a todo_wine check: what
 * Windows does and Wine does not yet). */
static HRESULT WINAPI policy_get_ServiceRestriction(INetFwPolicy2 *iface,
                                                    INetFwServiceRestriction **restriction)
{
    (void)iface;
    if (!restriction)
        return E_POINTER;
    return restriction_create(restriction);
}

static HRESULT WINAPI policy_EnableRuleGroup(INetFwPolicy2 *iface, LONG profiles, BSTR group,
                                             VARIANT_BOOL enable)
{
    (void)iface;
    (void)profiles;
    (void)group;
    (void)enable;
    return E_NOTIMPL;
}

static HRESULT WINAPI policy_IsRuleGroupEnabled(INetFwPolicy2 *iface, LONG profiles, BSTR group,
                                                VARIANT_BOOL *enabled)
{
    (void)iface;
    (void)profiles;
    (void)group;
    (void)enabled;
    return E_NOTIMPL;
}

static HRESULT WINAPI policy_RestoreLocalFirewallDefaults(INetFwPolicy2 *iface)
{
    (void)iface;
    return E_NOTIMPL;
}

static HRESULT WINAPI policy_get_DefaultInboundAction(INetFwPolicy2 *iface,
                                                      NET_FW_PROFILE_TYPE2 profile,
                                                      NET_FW_ACTION *action)
{
    (void)iface;
    return get_action(profile, L"DefaultInboundAction", 1, action);
}

static HRESULT WINAPI policy_put_DefaultInboundAction(INetFwPolicy2 *iface,
                                                      NET_FW_PROFILE_TYPE2 profile,
                                                      NET_FW_ACTION action)
{
    (void)iface;
    return put_action(profile, L"DefaultInboundAction", action);
}

static HRESULT WINAPI policy_get_DefaultOutboundAction(INetFwPolicy2 *iface,
                                                       NET_FW_PROFILE_TYPE2 profile,
                                                       NET_FW_ACTION *action)
{
    (void)iface;
    return get_action(profile, L"DefaultOutboundAction", 0, action);
}

static HRESULT WINAPI policy_put_DefaultOutboundAction(INetFwPolicy2 *iface,
                                                       NET_FW_PROFILE_TYPE2 profile,
                                                       NET_FW_ACTION action)
{
    (void)iface;
    return put_action(profile, L"DefaultOutboundAction", action);
}

static HRESULT WINAPI policy_get_IsRuleGroupCurrentlyEnabled(INetFwPolicy2 *iface, BSTR group,
                                                             VARIANT_BOOL *enabled)
{
    (void)iface;
    (void)group;
    (void)enabled;
    return E_NOTIMPL;
}

/* Group Policy cannot reach a Wine prefix: a test says whether it overrides local rules. */
static HRESULT WINAPI policy_get_LocalPolicyModifyState(INetFwPolicy2 *iface,
                                                        NET_FW_MODIFY_STATE *state)
{
    (void)iface;
    if (!state)
        return E_POINTER;
    *state = (NET_FW_MODIFY_STATE)store_test_dword(FWDOUBLE_LOCAL_POLICY_MODIFY_STATE,
                                                   NET_FW_MODIFY_STATE_OK);
    return S_OK;
}

static const INetFwPolicy2Vtbl policy_vtbl = {
    policy_QueryInterface,
    policy_AddRef,
    policy_Release,
    policy_GetTypeInfoCount,
    policy_GetTypeInfo,
    policy_GetIDsOfNames,
    policy_Invoke,
    policy_get_CurrentProfileTypes,
    policy_get_FirewallEnabled,
    policy_put_FirewallEnabled,
    policy_get_ExcludedInterfaces,
    policy_put_ExcludedInterfaces,
    policy_get_BlockAllInboundTraffic,
    policy_put_BlockAllInboundTraffic,
    policy_get_NotificationsDisabled,
    policy_put_NotificationsDisabled,
    policy_get_UnicastResponsesToMulticastBroadcastDisabled,
    policy_put_UnicastResponsesToMulticastBroadcastDisabled,
    policy_get_Rules,
    policy_get_ServiceRestriction,
    policy_EnableRuleGroup,
    policy_IsRuleGroupEnabled,
    policy_RestoreLocalFirewallDefaults,
    policy_get_DefaultInboundAction,
    policy_put_DefaultInboundAction,
    policy_get_DefaultOutboundAction,
    policy_put_DefaultOutboundAction,
    policy_get_IsRuleGroupCurrentlyEnabled,
    policy_get_LocalPolicyModifyState,
};

HRESULT policy_create(REFIID riid, void **out)
{
    struct fw_policy *This = calloc(1, sizeof(*This));
    HRESULT hr;
    if (!This)
        return E_OUTOFMEMORY;
    This->INetFwPolicy2_iface.lpVtbl = &policy_vtbl;
    This->ref = 1;
    hr = rules_create(FWDOUBLE_RULES_KEY, &This->rules);
    if (FAILED(hr)) {
        free(This);
        return hr;
    }
    InterlockedIncrement(&fwd_objects);
    hr = INetFwPolicy2_QueryInterface(&This->INetFwPolicy2_iface, riid, out);
    INetFwPolicy2_Release(&This->INetFwPolicy2_iface);
    return hr;
}
