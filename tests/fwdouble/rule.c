/* INetFwRule, INetFwRule2 and INetFwRule3 on one object (each extends the one before, so one
 * vtable in INetFwRule3's declaration order serves all three).
 *
 * A rule created by CoCreateInstance(CLSID_NetFwRule) is only a set of properties until it is
 * added: its put_ calls touch no store. A rule obtained from the collection (Item, _NewEnum)
 * writes each put_ through to its registry value, found by its rule ID, so a rule of the same
 * name is never touched ("All configuration changes take place immediately", INetFwRule
 * remarks). The write-through rereads the stored value and changes only the one property, so
 * what another process changed meanwhile, and fields this double does not model, are kept.
 *
 * Every put_ validates at once and a refused value changes nothing (INetFwRule remarks: "Each
 * time you change a property of a rule, Windows Firewall commits the rule and verifies it for
 * correctness"); the reason is set as the COM error object. */
#include <stdio.h>
#include <stdlib.h>

#include "fwdouble.h"
#include "private.h"

struct fw_rule {
    INetFwRule3 INetFwRule3_iface;
    LONG ref;
    struct fwrule rule; /* the properties as last read or set */
    const WCHAR *store; /* the store it was added to or read from (a key); NULL until added */
    WCHAR *id;          /* value name in the store; NULL until added */
    BOOL attached;
};

static const INetFwRule3Vtbl rule_vtbl;

static inline struct fw_rule *impl_from_INetFwRule3(INetFwRule3 *iface)
{
    return CONTAINING_RECORD(iface, struct fw_rule, INetFwRule3_iface);
}

struct fw_rule *rule_from_iface(INetFwRule *iface)
{
    if (!iface || iface->lpVtbl != (const INetFwRuleVtbl *)&rule_vtbl)
        return NULL;
    return impl_from_INetFwRule3((INetFwRule3 *)iface);
}

const struct fwrule *rule_data(struct fw_rule *rule)
{
    return &rule->rule;
}

const WCHAR *rule_id(struct fw_rule *rule)
{
    return rule->id;
}

const WCHAR *rule_store(struct fw_rule *rule)
{
    return rule->store;
}

void rule_set_home(struct fw_rule *rule, const WCHAR *store, const WCHAR *id)
{
    rule->store = store;
    if (id != rule->id) {
        free(rule->id);
        rule->id = _wcsdup(id);
    }
}

/* One property change, applied to whichever copy of the rule is current. */
enum change_kind {
    CH_STRING,
    CH_PROTOCOL,
    CH_PORTS,
    CH_ADDRESSES,
    CH_ICMP,
    CH_IFTYPES,
    CH_DIRECTION,
    CH_ACTION,
    CH_PROFILES,
    CH_EDGE,
    CH_ENABLED,
    CH_INTERFACES, /* str: GUIDs separated by commas, "" for none */
    CH_DROP_EXTRA, /* str: the prefix of the unmodelled fields to drop */
    CH_NONE
};

struct change {
    enum change_kind kind;
    enum fwr_string_prop prop; /* CH_STRING */
    int remote;                /* CH_PORTS, CH_ADDRESSES */
    long num;
    const WCHAR *str;
};

/* The address switches of the test key (enum fwr_addr_option). */
static unsigned addr_options(void)
{
    return (store_test_dword(FWDOUBLE_REFUSE_IPV4_LOOPBACK, 0) ? FWR_REFUSE_IPV4_LOOPBACK : 0) |
           (store_test_dword(FWDOUBLE_DROP_CONTAINED, 0) ? FWR_DROP_CONTAINED : 0);
}

static int apply(struct fwrule *r, const struct change *c, struct fwr_error *err)
{
    switch (c->kind) {
    case CH_STRING:
        return fwrule_put_string(r, c->prop, c->str, err);
    case CH_PROTOCOL:
        return fwrule_put_protocol(r, c->num, err);
    case CH_PORTS:
        return fwrule_put_ports(r, c->remote, c->str, err);
    case CH_ADDRESSES:
        return fwrule_put_addresses_opt(r, c->remote, c->str, addr_options(), err);
    case CH_ICMP:
        return fwrule_put_icmp(r, c->str, err);
    case CH_IFTYPES:
        return fwrule_put_iftypes(r, c->str, err);
    case CH_DIRECTION:
        return fwrule_put_direction(r, c->num, err);
    case CH_ACTION:
        return fwrule_put_action(r, c->num, err);
    case CH_PROFILES:
        return fwrule_put_profiles(r, c->num, err);
    case CH_EDGE:
        return fwrule_put_edge(r, c->num, err);
    case CH_ENABLED:
        r->active = c->num != VARIANT_FALSE;
        return 0;
    case CH_INTERFACES:
        return fwrule_put_interfaces(r, c->str, err);
    case CH_DROP_EXTRA:
        fwrule_drop_extra(r, c->str);
        return 0;
    case CH_NONE:
        return 0;
    }
    return 0;
}

/* The HRESULT of a value apply refused: the service's own refusals keep their NTSTATUS. */
static HRESULT refusal(int rc, const char *msg)
{
    if (rc == -2)
        return E_OUTOFMEMORY;
    return fwd_error(
        rc == FWR_REFUSED_BY_SERVICE ? (HRESULT)FWR_SERVICE_REFUSED_HRESULT : E_INVALIDARG, msg);
}

static HRESULT change(struct fw_rule *This, const struct change *c)
{
    struct fwr_error err = {{0}};
    struct fwrule fresh;
    HRESULT hr;
    int rc;

    if (!This->attached) {
        rc = apply(&This->rule, c, &err);
        return rc ? refusal(rc, err.msg) : S_OK;
    }
    hr = store_read(This->store, This->id, &fresh);
    if (FAILED(hr))
        return hr;
    rc = apply(&fresh, c, &err);
    if (rc) {
        fwrule_free(&fresh);
        return refusal(rc, err.msg);
    }
    hr = store_write(This->store, This->id, &fresh);
    if (FAILED(hr)) {
        fwrule_free(&fresh);
        return hr;
    }
    fwrule_free(&This->rule);
    This->rule = fresh;
    return S_OK;
}

static HRESULT put_string(INetFwRule3 *iface, enum fwr_string_prop prop, BSTR value)
{
    struct change c = {CH_STRING, prop, 0, 0, value};
    return change(impl_from_INetFwRule3(iface), &c);
}

static HRESULT put_num(INetFwRule3 *iface, enum change_kind kind, long num)
{
    struct change c = {kind, FWR_NAME, 0, num, NULL};
    return change(impl_from_INetFwRule3(iface), &c);
}

static HRESULT put_str(INetFwRule3 *iface, enum change_kind kind, int remote, BSTR value)
{
    struct change c = {kind, FWR_NAME, remote, 0, value};
    return change(impl_from_INetFwRule3(iface), &c);
}

/* Hands out a BSTR copy of s (NULL for an absent property); takes ownership of owned. */
static HRESULT return_bstr(const WCHAR *s, WCHAR *owned, BSTR *out)
{
    HRESULT hr = S_OK;
    if (!out) {
        free(owned);
        return E_POINTER;
    }
    *out = NULL;
    if (owned)
        s = owned;
    if (s && !(*out = SysAllocString(s)))
        hr = E_OUTOFMEMORY;
    free(owned);
    return hr;
}

static HRESULT get_string(INetFwRule3 *iface, enum fwr_string_prop prop, BSTR *out)
{
    return return_bstr(fwrule_get_string(&impl_from_INetFwRule3(iface)->rule, prop), NULL, out);
}

/* ---- IUnknown, IDispatch ---- */

static HRESULT WINAPI rule_QueryInterface(INetFwRule3 *iface, REFIID riid, void **out)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    if (!out)
        return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) ||
        IsEqualGUID(riid, &IID_INetFwRule) || IsEqualGUID(riid, &IID_INetFwRule2) ||
        IsEqualGUID(riid, &IID_INetFwRule3)) {
        *out = &This->INetFwRule3_iface;
        INetFwRule3_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI rule_AddRef(INetFwRule3 *iface)
{
    return InterlockedIncrement(&impl_from_INetFwRule3(iface)->ref);
}

static ULONG WINAPI rule_Release(INetFwRule3 *iface)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    LONG ref = InterlockedDecrement(&This->ref);
    if (!ref) {
        fwrule_free(&This->rule);
        free(This->id);
        free(This);
        InterlockedDecrement(&fwd_objects);
    }
    return ref;
}

FWD_IDISPATCH_WITHOUT_TYPEINFO(rule, INetFwRule3)

/* ---- INetFwRule ---- */

static HRESULT WINAPI rule_get_Name(INetFwRule3 *iface, BSTR *name)
{
    return get_string(iface, FWR_NAME, name);
}

static HRESULT WINAPI rule_put_Name(INetFwRule3 *iface, BSTR name)
{
    return put_string(iface, FWR_NAME, name);
}

static HRESULT WINAPI rule_get_Description(INetFwRule3 *iface, BSTR *desc)
{
    return get_string(iface, FWR_DESC, desc);
}

static HRESULT WINAPI rule_put_Description(INetFwRule3 *iface, BSTR desc)
{
    return put_string(iface, FWR_DESC, desc);
}

static HRESULT WINAPI rule_get_ApplicationName(INetFwRule3 *iface, BSTR *name)
{
    return get_string(iface, FWR_APP, name);
}

static HRESULT WINAPI rule_put_ApplicationName(INetFwRule3 *iface, BSTR name)
{
    return put_string(iface, FWR_APP, name);
}

static HRESULT WINAPI rule_get_ServiceName(INetFwRule3 *iface, BSTR *name)
{
    return get_string(iface, FWR_SVC, name);
}

static HRESULT WINAPI rule_put_ServiceName(INetFwRule3 *iface, BSTR name)
{
    return put_string(iface, FWR_SVC, name);
}

static HRESULT WINAPI rule_get_Protocol(INetFwRule3 *iface, LONG *protocol)
{
    if (!protocol)
        return E_POINTER;
    *protocol = impl_from_INetFwRule3(iface)->rule.protocol;
    return S_OK;
}

static HRESULT WINAPI rule_put_Protocol(INetFwRule3 *iface, LONG protocol)
{
    return put_num(iface, CH_PROTOCOL, protocol);
}

static HRESULT WINAPI rule_get_LocalPorts(INetFwRule3 *iface, BSTR *ports)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_ports(&This->rule, 0), ports);
}

static HRESULT WINAPI rule_put_LocalPorts(INetFwRule3 *iface, BSTR ports)
{
    return put_str(iface, CH_PORTS, 0, ports);
}

static HRESULT WINAPI rule_get_RemotePorts(INetFwRule3 *iface, BSTR *ports)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_ports(&This->rule, 1), ports);
}

static HRESULT WINAPI rule_put_RemotePorts(INetFwRule3 *iface, BSTR ports)
{
    return put_str(iface, CH_PORTS, 1, ports);
}

static HRESULT WINAPI rule_get_LocalAddresses(INetFwRule3 *iface, BSTR *addrs)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_addresses_opt(&This->rule, 0, addr_options()), addrs);
}

static HRESULT WINAPI rule_put_LocalAddresses(INetFwRule3 *iface, BSTR addrs)
{
    return put_str(iface, CH_ADDRESSES, 0, addrs);
}

static HRESULT WINAPI rule_get_RemoteAddresses(INetFwRule3 *iface, BSTR *addrs)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_addresses_opt(&This->rule, 1, addr_options()), addrs);
}

static HRESULT WINAPI rule_put_RemoteAddresses(INetFwRule3 *iface, BSTR addrs)
{
    return put_str(iface, CH_ADDRESSES, 1, addrs);
}

static HRESULT WINAPI rule_get_IcmpTypesAndCodes(INetFwRule3 *iface, BSTR *codes)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_icmp(&This->rule), codes);
}

static HRESULT WINAPI rule_put_IcmpTypesAndCodes(INetFwRule3 *iface, BSTR codes)
{
    return put_str(iface, CH_ICMP, 0, codes);
}

static HRESULT WINAPI rule_get_Direction(INetFwRule3 *iface, NET_FW_RULE_DIRECTION *dir)
{
    if (!dir)
        return E_POINTER;
    *dir = (NET_FW_RULE_DIRECTION)impl_from_INetFwRule3(iface)->rule.dir;
    return S_OK;
}

static HRESULT WINAPI rule_put_Direction(INetFwRule3 *iface, NET_FW_RULE_DIRECTION dir)
{
    return put_num(iface, CH_DIRECTION, dir);
}

/* Interfaces: COM speaks friendly names, the store keeps each interface's GUID (IF=). A GUID
 * no interface of this machine has any more reads back as written. */
static HRESULT interface_names(const WCHAR *guids, SAFEARRAY **out)
{
    const WCHAR *p;
    LONG n = 1, i;
    HRESULT hr = S_OK;
    for (p = guids; *p; p++)
        n += *p == L',';
    *out = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n);
    if (!*out)
        return E_OUTOFMEMORY;
    for (i = 0, p = guids; i < n && SUCCEEDED(hr); i++) {
        WCHAR guid[64], friendly[256];
        size_t len = wcscspn(p, L",");
        VARIANT v;
        swprintf(guid, 64, L"%.*ls", (int)len, p);
        p += len + (p[len] == L',');
        hr = ifname_from_guid(guid, friendly, 256);
        if (FAILED(hr))
            break;
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = SysAllocString(hr == S_OK ? friendly : guid);
        hr = V_BSTR(&v) ? SafeArrayPutElement(*out, &i, &v) : E_OUTOFMEMORY;
        VariantClear(&v);
    }
    if (FAILED(hr)) {
        SafeArrayDestroy(*out);
        *out = NULL;
    }
    return hr;
}

static HRESULT WINAPI rule_get_Interfaces(INetFwRule3 *iface, VARIANT *interfaces)
{
    const struct fwrule *r = &impl_from_INetFwRule3(iface)->rule;
    WCHAR *guids;
    SAFEARRAY *sa;
    HRESULT hr;
    if (!interfaces)
        return E_POINTER;
    VariantInit(interfaces);
    if (!fwrule_has_interfaces(r))
        return S_OK; /* every interface: empty, as Windows reads it (ansible issue 32478) */
    guids = fwrule_get_interfaces(r);
    if (!guids)
        return E_OUTOFMEMORY;
    hr = interface_names(guids, &sa);
    free(guids);
    if (SUCCEEDED(hr)) {
        V_VT(interfaces) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(interfaces) = sa;
    }
    return hr;
}

/* One item of the list put_Interfaces was given, as the GUID to store. A GUID in braces is
 * taken as it is, so what get_Interfaces read for an interface that is gone can be written
 * back. */
static HRESULT interface_guid(const VARIANT *item, WCHAR *guid, size_t n)
{
    HRESULT hr;
    char msg[200];
    if (V_VT(item) != VT_BSTR || !V_BSTR(item))
        return fwd_error(E_INVALIDARG, "each item of Interfaces must be a BSTR, an interface's "
                                       "friendly name");
    if (fwr_is_braced_guid(V_BSTR(item), SysStringLen(V_BSTR(item)))) {
        swprintf(guid, n, L"%ls", V_BSTR(item));
        return S_OK;
    }
    hr = ifname_to_guid(V_BSTR(item), guid, n);
    if (hr != S_FALSE)
        return hr;
    snprintf(msg, sizeof(msg), "no network interface has the friendly name '%ls'", V_BSTR(item));
    return fwd_error(E_INVALIDARG, msg);
}

/* The friendly names of a SAFEARRAY of VARIANTs as the comma-separated GUIDs the store keeps. */
static HRESULT interface_guids(SAFEARRAY *sa, WCHAR **out)
{
    LONG lo = 0, hi = -1, i;
    HRESULT hr = S_OK;
    *out = NULL;
    if (SafeArrayGetDim(sa) != 1)
        return fwd_error(E_INVALIDARG, "Interfaces must be a one-dimensional array");
    SafeArrayGetLBound(sa, 1, &lo);
    SafeArrayGetUBound(sa, 1, &hi);
    *out = calloc((size_t)(hi - lo + 1) * 39 + 1, sizeof(WCHAR));
    if (!*out)
        return E_OUTOFMEMORY;
    for (i = lo; i <= hi && SUCCEEDED(hr); i++) {
        WCHAR guid[64];
        VARIANT item;
        VariantInit(&item);
        hr = SafeArrayGetElement(sa, &i, &item);
        if (SUCCEEDED(hr))
            hr = interface_guid(&item, guid, 64);
        if (SUCCEEDED(hr))
            swprintf(*out + wcslen(*out), 40, L"%ls%ls", i == lo ? L"" : L",", guid);
        VariantClear(&item);
    }
    if (FAILED(hr)) {
        free(*out);
        *out = NULL;
    }
    return hr;
}

/* What Microsoft's per-interface sample passes: a SAFEARRAY of VARIANTs of BSTR friendly names
 * (VT_ARRAY | VT_VARIANT). VT_EMPTY (what a rule with no interface reads), VT_NULL and an empty
 * array mean every interface. */
static HRESULT WINAPI rule_put_Interfaces(INetFwRule3 *iface, VARIANT interfaces)
{
    WCHAR *guids = NULL;
    HRESULT hr;
    if (V_VT(&interfaces) == VT_EMPTY || V_VT(&interfaces) == VT_NULL) {
        /* Nothing to write when there is nothing to clear. */
        if (!fwrule_has_interfaces(&impl_from_INetFwRule3(iface)->rule))
            return S_OK;
        return put_str(iface, CH_INTERFACES, 0, (BSTR)L"");
    }
    if (V_VT(&interfaces) != (VT_ARRAY | VT_VARIANT) || !V_ARRAY(&interfaces))
        return fwd_error(E_INVALIDARG, "Interfaces takes a SAFEARRAY of VARIANTs of BSTR friendly "
                                       "names (VT_ARRAY | VT_VARIANT), or VT_EMPTY for every "
                                       "interface");
    hr = interface_guids(V_ARRAY(&interfaces), &guids);
    if (SUCCEEDED(hr))
        hr = put_str(iface, CH_INTERFACES, 0, guids);
    free(guids);
    return hr;
}

static HRESULT WINAPI rule_get_InterfaceTypes(INetFwRule3 *iface, BSTR *types)
{
    struct fw_rule *This = impl_from_INetFwRule3(iface);
    return return_bstr(NULL, fwrule_get_iftypes(&This->rule), types);
}

static HRESULT WINAPI rule_put_InterfaceTypes(INetFwRule3 *iface, BSTR types)
{
    return put_str(iface, CH_IFTYPES, 0, types);
}

static HRESULT WINAPI rule_get_Enabled(INetFwRule3 *iface, VARIANT_BOOL *enabled)
{
    if (!enabled)
        return E_POINTER;
    *enabled = impl_from_INetFwRule3(iface)->rule.active ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI rule_put_Enabled(INetFwRule3 *iface, VARIANT_BOOL enabled)
{
    return put_num(iface, CH_ENABLED, enabled);
}

static HRESULT WINAPI rule_get_Grouping(INetFwRule3 *iface, BSTR *group)
{
    return get_string(iface, FWR_GROUPING, group);
}

static HRESULT WINAPI rule_put_Grouping(INetFwRule3 *iface, BSTR group)
{
    return put_string(iface, FWR_GROUPING, group);
}

static HRESULT WINAPI rule_get_Profiles(INetFwRule3 *iface, LONG *profiles)
{
    if (!profiles)
        return E_POINTER;
    *profiles = (LONG)impl_from_INetFwRule3(iface)->rule.profiles;
    return S_OK;
}

static HRESULT WINAPI rule_put_Profiles(INetFwRule3 *iface, LONG profiles)
{
    return put_num(iface, CH_PROFILES, profiles);
}

/* Edge=TRUE is stored both for "allow" and "defer to application". */
static HRESULT WINAPI rule_get_EdgeTraversal(INetFwRule3 *iface, VARIANT_BOOL *enabled)
{
    int edge;
    if (!enabled)
        return E_POINTER;
    edge = impl_from_INetFwRule3(iface)->rule.edge;
    *enabled =
        edge == FWR_EDGE_ALLOW || edge == FWR_EDGE_DEFER_TO_APP ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI rule_put_EdgeTraversal(INetFwRule3 *iface, VARIANT_BOOL enabled)
{
    return put_num(iface, CH_EDGE, enabled != VARIANT_FALSE ? FWR_EDGE_ALLOW : FWR_EDGE_DENY);
}

static HRESULT WINAPI rule_get_Action(INetFwRule3 *iface, NET_FW_ACTION *action)
{
    if (!action)
        return E_POINTER;
    *action = (NET_FW_ACTION)impl_from_INetFwRule3(iface)->rule.action;
    return S_OK;
}

static HRESULT WINAPI rule_put_Action(INetFwRule3 *iface, NET_FW_ACTION action)
{
    return put_num(iface, CH_ACTION, action);
}

/* ---- INetFwRule2 ---- */

static HRESULT WINAPI rule_get_EdgeTraversalOptions(INetFwRule3 *iface, LONG *options)
{
    if (!options)
        return E_POINTER;
    *options = impl_from_INetFwRule3(iface)->rule.edge;
    return S_OK;
}

static HRESULT WINAPI rule_put_EdgeTraversalOptions(INetFwRule3 *iface, LONG options)
{
    return put_num(iface, CH_EDGE, options);
}

/* ---- INetFwRule3 ---- */

static HRESULT WINAPI rule_get_LocalAppPackageId(INetFwRule3 *iface, BSTR *id)
{
    return get_string(iface, FWR_APPPKGID, id);
}

static HRESULT WINAPI rule_put_LocalAppPackageId(INetFwRule3 *iface, BSTR id)
{
    return put_string(iface, FWR_APPPKGID, id);
}

static HRESULT WINAPI rule_get_LocalUserOwner(INetFwRule3 *iface, BSTR *owner)
{
    return get_string(iface, FWR_LUOWN, owner);
}

static HRESULT WINAPI rule_put_LocalUserOwner(INetFwRule3 *iface, BSTR owner)
{
    return put_string(iface, FWR_LUOWN, owner);
}

static HRESULT WINAPI rule_get_LocalUserAuthorizedList(INetFwRule3 *iface, BSTR *list)
{
    return get_string(iface, FWR_LUAUTH, list);
}

static HRESULT WINAPI rule_put_LocalUserAuthorizedList(INetFwRule3 *iface, BSTR list)
{
    return put_string(iface, FWR_LUAUTH, list);
}

static HRESULT WINAPI rule_get_RemoteUserAuthorizedList(INetFwRule3 *iface, BSTR *list)
{
    return get_string(iface, FWR_RUAUTH, list);
}

static HRESULT WINAPI rule_put_RemoteUserAuthorizedList(INetFwRule3 *iface, BSTR list)
{
    return put_string(iface, FWR_RUAUTH, list);
}

static HRESULT WINAPI rule_get_RemoteMachineAuthorizedList(INetFwRule3 *iface, BSTR *list)
{
    return get_string(iface, FWR_RMAUTH, list);
}

static HRESULT WINAPI rule_put_RemoteMachineAuthorizedList(INetFwRule3 *iface, BSTR list)
{
    return put_string(iface, FWR_RMAUTH, list);
}

/* IPsec requirements (Security=...) are kept in the store but not modelled: "none" is the only
 * value this double reports or accepts. */
static HRESULT WINAPI rule_get_SecureFlags(INetFwRule3 *iface, LONG *flags)
{
    const struct fwrule *r = &impl_from_INetFwRule3(iface)->rule;
    size_t i;
    if (!flags)
        return E_POINTER;
    *flags = 0;
    for (i = 0; i < r->n_extra; i++) {
        if (wcsncmp(r->extra[i], L"Security", 8) == 0)
            return E_NOTIMPL;
    }
    return S_OK;
}

/* 0 (no IPsec requirement) drops what Security= fields the rule had. */
static HRESULT WINAPI rule_put_SecureFlags(INetFwRule3 *iface, LONG flags)
{
    return flags ? E_NOTIMPL : put_str(iface, CH_DROP_EXTRA, 0, (BSTR)L"Security");
}

static const INetFwRule3Vtbl rule_vtbl = {
    rule_QueryInterface,
    rule_AddRef,
    rule_Release,
    rule_GetTypeInfoCount,
    rule_GetTypeInfo,
    rule_GetIDsOfNames,
    rule_Invoke,
    rule_get_Name,
    rule_put_Name,
    rule_get_Description,
    rule_put_Description,
    rule_get_ApplicationName,
    rule_put_ApplicationName,
    rule_get_ServiceName,
    rule_put_ServiceName,
    rule_get_Protocol,
    rule_put_Protocol,
    rule_get_LocalPorts,
    rule_put_LocalPorts,
    rule_get_RemotePorts,
    rule_put_RemotePorts,
    rule_get_LocalAddresses,
    rule_put_LocalAddresses,
    rule_get_RemoteAddresses,
    rule_put_RemoteAddresses,
    rule_get_IcmpTypesAndCodes,
    rule_put_IcmpTypesAndCodes,
    rule_get_Direction,
    rule_put_Direction,
    rule_get_Interfaces,
    rule_put_Interfaces,
    rule_get_InterfaceTypes,
    rule_put_InterfaceTypes,
    rule_get_Enabled,
    rule_put_Enabled,
    rule_get_Grouping,
    rule_put_Grouping,
    rule_get_Profiles,
    rule_put_Profiles,
    rule_get_EdgeTraversal,
    rule_put_EdgeTraversal,
    rule_get_Action,
    rule_put_Action,
    rule_get_EdgeTraversalOptions,
    rule_put_EdgeTraversalOptions,
    rule_get_LocalAppPackageId,
    rule_put_LocalAppPackageId,
    rule_get_LocalUserOwner,
    rule_put_LocalUserOwner,
    rule_get_LocalUserAuthorizedList,
    rule_put_LocalUserAuthorizedList,
    rule_get_RemoteUserAuthorizedList,
    rule_put_RemoteUserAuthorizedList,
    rule_get_RemoteMachineAuthorizedList,
    rule_put_RemoteMachineAuthorizedList,
    rule_get_SecureFlags,
    rule_put_SecureFlags,
};

HRESULT rule_create(const WCHAR *store, const WCHAR *id, const struct fwrule *snapshot,
                    BOOL attached, REFIID riid, void **out)
{
    struct fw_rule *This = calloc(1, sizeof(*This));
    HRESULT hr;
    if (!This)
        return E_OUTOFMEMORY;
    This->INetFwRule3_iface.lpVtbl = &rule_vtbl;
    This->ref = 1;
    This->attached = attached;
    This->store = store;
    if (snapshot) {
        if (fwrule_copy(&This->rule, snapshot)) {
            free(This);
            return E_OUTOFMEMORY;
        }
    } else {
        fwrule_init(&This->rule);
    }
    if (id && !(This->id = _wcsdup(id))) {
        fwrule_free(&This->rule);
        free(This);
        return E_OUTOFMEMORY;
    }
    InterlockedIncrement(&fwd_objects);
    hr = INetFwRule3_QueryInterface(&This->INetFwRule3_iface, riid, out);
    INetFwRule3_Release(&This->INetFwRule3_iface);
    return hr;
}
