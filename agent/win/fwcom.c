/* The firewall backend over INetFwPolicy2, INetFwRules and INetFwRule.
 *
 * Rules are acted on through the INetFwRule object the enumeration returned, never looked up by
 * name: INetFwRules::Item and ::Remove take a name, and names need not be unique (nor, perhaps,
 * compared with case), so a foreign rule sharing a name with one of ours could be hit. Remove by
 * name is unavoidable: the rule is always first renamed, through its own object, to a fresh
 * GUID-like name nothing else has. */
#define COBJMACROS
#include <windows.h>
#include <oleauto.h>
#include <initguid.h>
#include <netfw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/rule.h"
#include "win/fwcom.h"
#include "win/winutil.h"

typedef struct fwcom {
    INetFwPolicy2 *policy;
    INetFwRules *rules;
} fwcom;

static dlo_status hr_error(dlo_error *err, HRESULT hr, const char *what, const char *rule)
{
    char full[DLO_ERROR_MAX];
    if (!rule)
        return win_hresult_set(err, hr, DLO_E_FIREWALL, what);
    snprintf(full, sizeof(full), "%s for rule '%s'", what, rule);
    return win_hresult_set(err, hr, DLO_E_FIREWALL, full);
}

/* ---- reading rules ---- */

static char *bstr_utf8(BSTR s)
{
    if (!s)
        return NULL;
    return win_utf16_to_utf8(s);
}

/* ---- the properties on INetFwRule ----
 *
 * How each row of dlo_props (dlo/rule.h) reads and writes: text through a BSTR getter and
 * putter, the others as a number in Windows' own values (which dlo_rule uses too). */

typedef HRESULT(STDMETHODCALLTYPE *get_text_fn)(INetFwRule *, BSTR *);
typedef HRESULT(STDMETHODCALLTYPE *put_text_fn)(INetFwRule *, BSTR);

#define COM_TEXT(Name)                                                                             \
    static HRESULT STDMETHODCALLTYPE get_##Name(INetFwRule *r, BSTR *v)                            \
    {                                                                                              \
        return INetFwRule_get_##Name(r, v);                                                        \
    }                                                                                              \
    static HRESULT STDMETHODCALLTYPE put_##Name(INetFwRule *r, BSTR v)                             \
    {                                                                                              \
        return INetFwRule_put_##Name(r, v);                                                        \
    }

COM_TEXT(Name)
COM_TEXT(Grouping)
COM_TEXT(Description)
COM_TEXT(LocalPorts)
COM_TEXT(RemotePorts)
COM_TEXT(LocalAddresses)
COM_TEXT(RemoteAddresses)
COM_TEXT(ApplicationName)
COM_TEXT(ServiceName)
COM_TEXT(InterfaceTypes)
COM_TEXT(IcmpTypesAndCodes)

/* INetFwRule3's properties (Windows 8 and later). Where the object has no INetFwRule3 they do
 * not exist: reading gives S_FALSE and no value (the default), writing the default succeeds. */
static INetFwRule3 *rule3(INetFwRule *r)
{
    INetFwRule3 *r3 = NULL;
    return SUCCEEDED(INetFwRule_QueryInterface(r, &IID_INetFwRule3, (void **)&r3)) ? r3 : NULL;
}

#define COM_TEXT3(Name)                                                                            \
    static HRESULT STDMETHODCALLTYPE get_##Name(INetFwRule *r, BSTR *v)                            \
    {                                                                                              \
        INetFwRule3 *r3 = rule3(r);                                                                \
        HRESULT hr = S_FALSE;                                                                      \
        *v = NULL;                                                                                 \
        if (r3) {                                                                                  \
            hr = INetFwRule3_get_##Name(r3, v);                                                    \
            INetFwRule3_Release(r3);                                                               \
        }                                                                                          \
        return hr;                                                                                 \
    }                                                                                              \
    static HRESULT STDMETHODCALLTYPE put_##Name(INetFwRule *r, BSTR v)                             \
    {                                                                                              \
        INetFwRule3 *r3 = rule3(r);                                                                \
        HRESULT hr = v && *v ? E_NOINTERFACE : S_OK;                                               \
        if (r3) {                                                                                  \
            hr = INetFwRule3_put_##Name(r3, v);                                                    \
            INetFwRule3_Release(r3);                                                               \
        }                                                                                          \
        return hr;                                                                                 \
    }

COM_TEXT3(LocalAppPackageId)
COM_TEXT3(LocalUserOwner)
COM_TEXT3(LocalUserAuthorizedList)
COM_TEXT3(RemoteUserAuthorizedList)
COM_TEXT3(RemoteMachineAuthorizedList)

/* Interfaces is a VARIANT holding an array of VARIANT BSTRs (friendly names); the core keeps them
 * comma-separated. */
static HRESULT STDMETHODCALLTYPE get_Interfaces(INetFwRule *r, BSTR *v)
{
    VARIANT var;
    SAFEARRAY *sa;
    LONG lo = 0, hi = -1, i;
    wchar_t *joined = NULL;
    size_t len = 0;
    HRESULT hr;

    *v = NULL;
    VariantInit(&var);
    hr = INetFwRule_get_Interfaces(r, &var);
    if (FAILED(hr) || V_VT(&var) == VT_EMPTY || V_VT(&var) == VT_NULL)
        return hr;
    if (V_VT(&var) != (VT_ARRAY | VT_VARIANT)) {
        VariantClear(&var);
        return E_UNEXPECTED;
    }
    sa = V_ARRAY(&var);
    SafeArrayGetLBound(sa, 1, &lo);
    SafeArrayGetUBound(sa, 1, &hi);
    for (i = lo; SUCCEEDED(hr) && i <= hi; i++) {
        VARIANT item;
        size_t n;
        wchar_t *grown;
        VariantInit(&item);
        hr = SafeArrayGetElement(sa, &i, &item);
        if (SUCCEEDED(hr) && V_VT(&item) != VT_BSTR)
            hr = E_UNEXPECTED;
        n = SUCCEEDED(hr) ? SysStringLen(V_BSTR(&item)) : 0;
        grown = SUCCEEDED(hr) ? realloc(joined, (len + n + 2) * sizeof(*joined)) : NULL;
        if (SUCCEEDED(hr) && !grown)
            hr = E_OUTOFMEMORY;
        if (SUCCEEDED(hr)) {
            joined = grown;
            if (len)
                joined[len++] = L',';
            memcpy(joined + len, V_BSTR(&item), n * sizeof(*joined));
            len += n;
            joined[len] = 0;
        }
        VariantClear(&item);
    }
    VariantClear(&var);
    if (SUCCEEDED(hr) && joined && !(*v = SysAllocString(joined)))
        hr = E_OUTOFMEMORY;
    free(joined);
    return hr;
}

/* The plan never names interfaces: only "every interface" (VT_EMPTY) is ever written. */
static HRESULT STDMETHODCALLTYPE put_Interfaces(INetFwRule *r, BSTR v)
{
    VARIANT var;
    if (v && *v)
        return E_INVALIDARG;
    VariantInit(&var);
    return INetFwRule_put_Interfaces(r, var);
}

static HRESULT get_direction(INetFwRule *r, long *v)
{
    NET_FW_RULE_DIRECTION d;
    HRESULT hr = INetFwRule_get_Direction(r, &d);
    *v = d == NET_FW_RULE_DIR_OUT ? DLO_DIR_OUT : DLO_DIR_IN;
    return hr;
}

static HRESULT put_direction(INetFwRule *r, long v)
{
    return INetFwRule_put_Direction(r, v == DLO_DIR_OUT ? NET_FW_RULE_DIR_OUT : NET_FW_RULE_DIR_IN);
}

/* Protocol and Profiles are LONGs on both sides. */
#define COM_LONG(Name, name)                                                                       \
    static HRESULT get_##name(INetFwRule *r, long *v)                                              \
    {                                                                                              \
        LONG x = 0;                                                                                \
        HRESULT hr = INetFwRule_get_##Name(r, &x);                                                 \
        *v = x;                                                                                    \
        return hr;                                                                                 \
    }                                                                                              \
    static HRESULT put_##name(INetFwRule *r, long v)                                               \
    {                                                                                              \
        return INetFwRule_put_##Name(r, (LONG)v);                                                  \
    }

COM_LONG(Protocol, protocol)
COM_LONG(Profiles, profiles)

static HRESULT get_action(INetFwRule *r, long *v)
{
    NET_FW_ACTION a = NET_FW_ACTION_ALLOW;
    HRESULT hr = INetFwRule_get_Action(r, &a);
    *v = a == NET_FW_ACTION_BLOCK ? DLO_ACTION_BLOCK : DLO_ACTION_ALLOW;
    return hr;
}

static HRESULT put_action(INetFwRule *r, long v)
{
    return INetFwRule_put_Action(r,
                                 v == DLO_ACTION_BLOCK ? NET_FW_ACTION_BLOCK : NET_FW_ACTION_ALLOW);
}

static HRESULT get_enabled(INetFwRule *r, long *v)
{
    VARIANT_BOOL e = VARIANT_TRUE;
    HRESULT hr = INetFwRule_get_Enabled(r, &e);
    *v = e != VARIANT_FALSE;
    return hr;
}

static HRESULT put_enabled(INetFwRule *r, long v)
{
    return INetFwRule_put_Enabled(r, v ? VARIANT_TRUE : VARIANT_FALSE);
}

/* INetFwRule2's EdgeTraversalOptions says more than INetFwRule's EdgeTraversal (the two "defer"
 * values); without INetFwRule2 the flag is all there is. */
static HRESULT get_edge(INetFwRule *r, long *v)
{
    INetFwRule2 *r2 = NULL;
    VARIANT_BOOL on = VARIANT_FALSE;
    HRESULT hr;
    if (SUCCEEDED(INetFwRule_QueryInterface(r, &IID_INetFwRule2, (void **)&r2))) {
        LONG x = 0;
        hr = INetFwRule2_get_EdgeTraversalOptions(r2, &x);
        INetFwRule2_Release(r2);
        *v = x;
        return hr;
    }
    hr = INetFwRule_get_EdgeTraversal(r, &on);
    *v = on != VARIANT_FALSE;
    return hr;
}

static HRESULT put_edge(INetFwRule *r, long v)
{
    INetFwRule2 *r2 = NULL;
    HRESULT hr;
    if (SUCCEEDED(INetFwRule_QueryInterface(r, &IID_INetFwRule2, (void **)&r2))) {
        hr = INetFwRule2_put_EdgeTraversalOptions(r2, (LONG)v);
        INetFwRule2_Release(r2);
        return hr;
    }
    return INetFwRule_put_EdgeTraversal(r, v ? VARIANT_TRUE : VARIANT_FALSE);
}

static HRESULT get_secure_flags(INetFwRule *r, long *v)
{
    INetFwRule3 *r3 = rule3(r);
    LONG x = 0;
    HRESULT hr = S_FALSE;
    if (r3) {
        hr = INetFwRule3_get_SecureFlags(r3, &x);
        INetFwRule3_Release(r3);
    }
    *v = x;
    return hr;
}

static HRESULT put_secure_flags(INetFwRule *r, long v)
{
    INetFwRule3 *r3 = rule3(r);
    HRESULT hr = v ? E_NOINTERFACE : S_OK;
    if (r3) {
        hr = INetFwRule3_put_SecureFlags(r3, (LONG)v);
        INetFwRule3_Release(r3);
    }
    return hr;
}

typedef struct com_prop {
    unsigned bit;
    get_text_fn get_text; /* text properties */
    put_text_fn put_text;
    HRESULT (*get_number)(INetFwRule *, long *); /* the others */
    HRESULT (*put_number)(INetFwRule *, long);
} com_prop;

#define TEXT_PROP(bit, Name)                                                                       \
    {                                                                                              \
        bit, get_##Name, put_##Name, NULL, NULL                                                    \
    }
#define NUMBER_PROP(bit, name)                                                                     \
    {                                                                                              \
        bit, NULL, NULL, get_##name, put_##name                                                    \
    }

static const com_prop com_props[] = {
    TEXT_PROP(DLO_PROP_DESCRIPTION, Description),
    NUMBER_PROP(DLO_PROP_DIRECTION, direction),
    NUMBER_PROP(DLO_PROP_PROTOCOL, protocol),
    NUMBER_PROP(DLO_PROP_PROFILES, profiles),
    NUMBER_PROP(DLO_PROP_ACTION, action),
    NUMBER_PROP(DLO_PROP_ENABLED, enabled),
    TEXT_PROP(DLO_PROP_LOCAL_PORTS, LocalPorts),
    TEXT_PROP(DLO_PROP_REMOTE_PORTS, RemotePorts),
    TEXT_PROP(DLO_PROP_LOCAL_ADDRESSES, LocalAddresses),
    TEXT_PROP(DLO_PROP_REMOTE_ADDRESSES, RemoteAddresses),
    TEXT_PROP(DLO_PROP_APPLICATION, ApplicationName),
    TEXT_PROP(DLO_PROP_SERVICE, ServiceName),
    NUMBER_PROP(DLO_PROP_EDGE_TRAVERSAL, edge),
    TEXT_PROP(DLO_PROP_INTERFACE_TYPES, InterfaceTypes),
    TEXT_PROP(DLO_PROP_INTERFACES, Interfaces),
    TEXT_PROP(DLO_PROP_ICMP_TYPES, IcmpTypesAndCodes),
    TEXT_PROP(DLO_PROP_APP_PACKAGE_ID, LocalAppPackageId),
    TEXT_PROP(DLO_PROP_LOCAL_USER_OWNER, LocalUserOwner),
    TEXT_PROP(DLO_PROP_LOCAL_USERS, LocalUserAuthorizedList),
    TEXT_PROP(DLO_PROP_REMOTE_USERS, RemoteUserAuthorizedList),
    TEXT_PROP(DLO_PROP_REMOTE_MACHINES, RemoteMachineAuthorizedList),
    NUMBER_PROP(DLO_PROP_SECURE_FLAGS, secure_flags),
};

/* A property of dlo_props without its COM mapping does not build. */
typedef char
    com_props_complete[sizeof(com_props) / sizeof(com_props[0]) == DLO_PROP_COUNT ? 1 : -1];

static const com_prop *com_prop_for(unsigned bit)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (com_props[i].bit == bit)
            return &com_props[i];
    return NULL;
}

/* Windows answers some properties of some rules with an empty result rather than an error;
 * both mean "not set". */
static char *read_text(INetFwRule *rule, get_text_fn get)
{
    BSTR b = NULL;
    char *text = NULL;
    if (SUCCEEDED(get(rule, &b)) && b) {
        text = bstr_utf8(b);
        SysFreeString(b);
    }
    return text;
}

/* A getter that fails leaves the default in r and marks the property unreadable, so an owned
 * rule whose value cannot be seen (interfaces or IPsec settings Windows will not say) is drift,
 * never taken for compliant. */
static void read_prop(INetFwRule *rule, dlo_rule *r, const dlo_prop *p)
{
    const com_prop *c = com_prop_for(p->bit);
    long v = 0;
    HRESULT hr;
    if (!c)
        return;
    if (c->get_text) {
        BSTR b = NULL;
        hr = c->get_text(rule, &b);
        if (SUCCEEDED(hr) && b) {
            /* The field takes a copy; a copy that fails reads as unset, and so as drift. */
            char *text = bstr_utf8(b);
            if (text)
                dlo_prop_set_text(r, p, text);
            free(text);
        }
        SysFreeString(b);
    } else {
        hr = c->get_number(rule, &v);
        if (SUCCEEDED(hr))
            dlo_prop_set_number(r, p, v);
    }
    if (FAILED(hr))
        r->unreadable |= p->bit;
}

static void read_rule(INetFwRule *rule, dlo_rule *r, bool full)
{
    size_t i;
    r->name = read_text(rule, get_Name);
    r->grouping = read_text(rule, get_Grouping);
    read_prop(rule, r, dlo_prop_find(DLO_PROP_ACTION));
    if (!full && r->action == DLO_ACTION_ALLOW)
        return;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (dlo_props[i].bit != DLO_PROP_ACTION)
            read_prop(rule, r, &dlo_props[i]);
}

/* Foreign Allow rules matter to nothing the engine does, so only their name, grouping and
 * action are read: with tens of thousands of rules that is most of the work saved. Owned rules
 * and foreign Block rules are read whole; owned ones keep their COM object as the handle. */
static dlo_status fw_enumerate(void *ctx, dlo_rule_list *out, dlo_error *err)
{
    fwcom *fw = ctx;
    IUnknown *unk = NULL;
    IEnumVARIANT *en = NULL;
    HRESULT hr;
    dlo_status st = DLO_OK;

    hr = INetFwRules_get__NewEnum(fw->rules, &unk);
    if (FAILED(hr))
        return hr_error(err, hr, "INetFwRules::get__NewEnum", NULL);
    hr = IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&en);
    IUnknown_Release(unk);
    if (FAILED(hr))
        return hr_error(err, hr, "IEnumVARIANT", NULL);

    for (;;) {
        VARIANT v[64];
        ULONG got = 0, i;
        hr = IEnumVARIANT_Next(en, 64, v, &got);
        if (FAILED(hr)) {
            st = hr_error(err, hr, "IEnumVARIANT::Next", NULL);
            break;
        }
        for (i = 0; i < got; i++) {
            INetFwRule *rule = NULL;
            dlo_rule *r;
            bool owned;
            if (!st && V_VT(&v[i]) == VT_DISPATCH && V_DISPATCH(&v[i]) &&
                SUCCEEDED(
                    IDispatch_QueryInterface(V_DISPATCH(&v[i]), &IID_INetFwRule, (void **)&rule))) {
                r = dlo_rule_list_add(out);
                if (!r) {
                    st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
                } else {
                    read_rule(rule, r, false);
                    owned = r->grouping && strcmp(r->grouping, DLO_RULE_GROUPING) == 0;
                    if (owned) {
                        dlo_rule_free(r);
                        read_rule(rule, r, true);
                        r->handle = rule;
                        rule = NULL;
                    }
                }
                if (rule)
                    INetFwRule_Release(rule);
            }
            VariantClear(&v[i]);
        }
        if (st || hr == S_FALSE || got == 0)
            break;
    }
    IEnumVARIANT_Release(en);
    return st;
}

static void fw_release(void *ctx, dlo_rule_list *list)
{
    size_t i;
    (void)ctx;
    for (i = 0; i < list->count; i++) {
        if (list->items[i].handle)
            INetFwRule_Release((INetFwRule *)list->items[i].handle);
        list->items[i].handle = NULL;
    }
}

/* ---- writing rules ---- */

static BSTR utf8_bstr(const char *s)
{
    wchar_t *w = win_utf8_to_utf16(dlo_str(s), strlen(dlo_str(s)));
    BSTR b;
    if (!w)
        return NULL;
    b = SysAllocString(w);
    free(w);
    return b;
}

static HRESULT put_str(INetFwRule *rule, put_text_fn put, const char *value)
{
    BSTR b = utf8_bstr(value);
    HRESULT hr;
    if (!b)
        return E_OUTOFMEMORY;
    hr = put(rule, b);
    SysFreeString(b);
    return hr;
}

/* One property, one put_ (one write on a rule that is in the firewall). Unset port and
 * address lists are written as Windows spells "any". */
static HRESULT put_prop(INetFwRule *rule, const dlo_rule *want, const dlo_prop *p)
{
    const com_prop *c = com_prop_for(p->bit);
    const char *text;
    if (!c)
        return E_INVALIDARG;
    if (c->put_number)
        return c->put_number(rule, dlo_prop_number(want, p));
    text = dlo_prop_text(want, p);
    if ((p->type == DLO_PT_PORTS || p->type == DLO_PT_ADDRS) && !*dlo_str(text))
        text = DLO_FW_ANY;
    else if (p->type == DLO_PT_WORDS && !*dlo_str(text))
        text = p->any; /* "All" interface types */
    return put_str(rule, c->put_text, text);
}

static dlo_status put_failed(dlo_error *err, HRESULT hr, const dlo_prop *p, const dlo_rule *want)
{
    char what[64];
    snprintf(what, sizeof(what), "setting %s", p->name);
    return hr_error(err, hr, what, want->name);
}

static dlo_status fw_add(void *ctx, const dlo_rule *want, dlo_error *err)
{
    fwcom *fw = ctx;
    INetFwRule *rule = NULL;
    HRESULT hr;
    size_t i;
    dlo_status st = DLO_OK;

    hr = CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwRule,
                          (void **)&rule);
    if (FAILED(hr))
        return hr_error(err, hr, "creating a firewall rule object", want->name);
    hr = put_str(rule, put_Name, want->name);
    if (SUCCEEDED(hr))
        hr = put_str(rule, put_Grouping, want->grouping);
    if (FAILED(hr)) {
        st = hr_error(err, hr, "setting the name and grouping", want->name);
        goto cleanup_rule;
    }
    /* In dlo_props' order, which puts Protocol before the ports. */
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        const com_prop *c = com_prop_for(p->bit);
        /* Unset text properties stay at Windows' defaults (any address is written out). */
        if (c && c->put_text && p->type != DLO_PT_ADDRS && !*dlo_str(dlo_prop_text(want, p)))
            continue;
        hr = put_prop(rule, want, p);
        if (FAILED(hr)) {
            st = put_failed(err, hr, p, want);
            goto cleanup_rule;
        }
    }
    hr = INetFwRules_Add(fw->rules, rule);
    if (FAILED(hr)) {
        st = hr_error(err, hr, "INetFwRules::Add", want->name);
        goto cleanup_rule;
    }
cleanup_rule:
    INetFwRule_Release(rule);
    return st;
}

static dlo_status fw_update(void *ctx, dlo_rule *current, const dlo_rule *want,
                            unsigned differences, dlo_error *err)
{
    INetFwRule *rule = current->handle;
    size_t i;
    (void)ctx;
    if (!rule)
        return dlo_error_set(err, DLO_E_INTERNAL, "rule '%s' has no handle",
                             dlo_str(current->name));
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        HRESULT hr;
        if (!(differences & dlo_props[i].bit))
            continue;
        hr = put_prop(rule, want, &dlo_props[i]);
        if (FAILED(hr))
            return put_failed(err, hr, &dlo_props[i], want);
    }
    return DLO_OK;
}

/* The name Remove is called with: "dloagent-remove-" and a fresh GUID's 32 hex digits, which no
 * other rule has in any case, whatever the names and their count were at enumeration. */
static dlo_status removal_name(char *out, size_t size, dlo_error *err)
{
    GUID g;
    if (FAILED(CoCreateGuid(&g)))
        return dlo_error_set(err, DLO_E_FIREWALL, "cannot create a unique name for a removal");
    snprintf(out, size, "dloagent-remove-%08lx%04x%04x%02x%02x%02x%02x%02x%02x%02x%02x",
             (unsigned long)g.Data1, g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2],
             g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    return DLO_OK;
}

static dlo_status fw_remove(void *ctx, dlo_rule *current, dlo_error *err)
{
    fwcom *fw = ctx;
    INetFwRule *rule = current->handle;
    const char *name = dlo_str(current->name);
    char unique[64];
    HRESULT hr;
    BSTR b;
    dlo_status st;

    if (!rule)
        return dlo_error_set(err, DLO_E_INTERNAL, "rule '%s' has no handle", name);
    st = removal_name(unique, sizeof(unique), err);
    if (st)
        return st;
    hr = put_str(rule, put_Name, unique);
    if (FAILED(hr))
        return hr_error(err, hr, "renaming before removal", name);
    b = utf8_bstr(unique);
    if (!b)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    hr = INetFwRules_Remove(fw->rules, b);
    SysFreeString(b);
    if (FAILED(hr))
        return hr_error(err, hr, "INetFwRules::Remove", name);
    return DLO_OK;
}

static dlo_status fw_get_state(void *ctx, dlo_fw_state *out, dlo_error *err)
{
    static const NET_FW_PROFILE_TYPE2 profiles[3] = {
        NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE, NET_FW_PROFILE2_PUBLIC};
    fwcom *fw = ctx;
    long current = 0;
    NET_FW_MODIFY_STATE modify = NET_FW_MODIFY_STATE_OK;
    HRESULT hr;
    int p;

    memset(out, 0, sizeof(*out));
    hr = INetFwPolicy2_get_CurrentProfileTypes(fw->policy, &current);
    if (FAILED(hr))
        return hr_error(err, hr, "INetFwPolicy2::get_CurrentProfileTypes", NULL);
    out->current_profiles = (unsigned)current & DLO_PROFILE_ALL;
    for (p = 0; p < 3; p++) {
        VARIANT_BOOL on = VARIANT_TRUE;
        NET_FW_ACTION action = NET_FW_ACTION_ALLOW;
        hr = INetFwPolicy2_get_FirewallEnabled(fw->policy, profiles[p], &on);
        if (FAILED(hr))
            return hr_error(err, hr, "INetFwPolicy2::get_FirewallEnabled", NULL);
        out->enabled[p] = on != VARIANT_FALSE;
        hr = INetFwPolicy2_get_DefaultOutboundAction(fw->policy, profiles[p], &action);
        if (FAILED(hr))
            return hr_error(err, hr, "INetFwPolicy2::get_DefaultOutboundAction", NULL);
        out->outbound_block[p] = action == NET_FW_ACTION_BLOCK;
        hr = INetFwPolicy2_get_DefaultInboundAction(fw->policy, profiles[p], &action);
        if (FAILED(hr))
            return hr_error(err, hr, "INetFwPolicy2::get_DefaultInboundAction", NULL);
        out->inbound_block[p] = action == NET_FW_ACTION_BLOCK;
    }
    hr = INetFwPolicy2_get_LocalPolicyModifyState(fw->policy, &modify);
    if (FAILED(hr))
        return hr_error(err, hr, "INetFwPolicy2::get_LocalPolicyModifyState", NULL);
    out->gp_override = modify == NET_FW_MODIFY_STATE_GP_OVERRIDE;
    out->inbound_blocked = modify == NET_FW_MODIFY_STATE_INBOUND_BLOCKED;
    out->os.known =
        win_os_version(&out->os.platform, &out->os.major, &out->os.minor, &out->os.build);
    return DLO_OK;
}

dlo_status fwcom_open(void *ctx, dlo_fw_backend *out, dlo_error *err)
{
    fwcom *fw = calloc(1, sizeof(*fw));
    HRESULT hr;
    dlo_status st;

    (void)ctx;
    if (!fw)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    hr = CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2,
                          (void **)&fw->policy);
    if (FAILED(hr)) {
        st = hr_error(err, hr, "opening the Windows Firewall (CLSID_NetFwPolicy2)", NULL);
        goto cleanup_fw;
    }
    hr = INetFwPolicy2_get_Rules(fw->policy, &fw->rules);
    if (FAILED(hr)) {
        st = hr_error(err, hr, "INetFwPolicy2::get_Rules", NULL);
        goto cleanup_policy;
    }
    out->ctx = fw;
    out->enumerate = fw_enumerate;
    out->add = fw_add;
    out->update = fw_update;
    out->remove = fw_remove;
    out->get_state = fw_get_state;
    out->release = fw_release;
    return DLO_OK;

cleanup_policy:
    INetFwPolicy2_Release(fw->policy);
cleanup_fw:
    free(fw);
    return st;
}

void fwcom_close(void *ctx, dlo_fw_backend *backend)
{
    fwcom *fw = backend->ctx;
    (void)ctx;
    if (!fw)
        return;
    INetFwRules_Release(fw->rules);
    INetFwPolicy2_Release(fw->policy);
    free(fw);
    backend->ctx = NULL;
}
