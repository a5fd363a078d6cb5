/* The firewall backend over INetFwPolicy2, INetFwRules and INetFwRule.
 *
 * Rules are acted on through the INetFwRule object the enumeration returned, never looked up by
 * name: INetFwRules::Item and ::Remove take a name, and names need not be unique, so a foreign
 * rule sharing a name with one of ours could be hit. Where Remove by name is unavoidable, the
 * rule is first renamed (through its own object) to a name nothing else has. */
#define COBJMACROS
#include <windows.h>
#include <oleauto.h>
#include <initguid.h>
#include <netfw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/reconcile.h"
#include "win/fwcom.h"
#include "win/winutil.h"

typedef struct name_count {
    char *name;
    unsigned count;
} name_count;

typedef struct fwcom {
    INetFwPolicy2 *policy;
    INetFwRules *rules;
    /* How many rules carry each name, from the enumeration and this run's adds and removes:
     * removing by name is only safe for a name that exactly one rule has. */
    name_count *names;
    size_t n_names;
    size_t cap_names;
} fwcom;

static dlo_status hr_error(dlo_error *err, HRESULT hr, const char *what, const char *rule)
{
    char full[DLO_ERROR_MAX];
    if (!rule)
        return win_hresult_set(err, hr, DLO_E_FIREWALL, what);
    snprintf(full, sizeof(full), "%s for rule '%s'", what, rule);
    return win_hresult_set(err, hr, DLO_E_FIREWALL, full);
}

/* ---- names ---- */

static name_count *name_find(fwcom *fw, const char *name, size_t *pos)
{
    size_t lo = 0, hi = fw->n_names;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(fw->names[mid].name, name);
        if (c == 0) {
            *pos = mid;
            return &fw->names[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return NULL;
}

static bool name_adjust(fwcom *fw, const char *name, int delta)
{
    size_t pos;
    name_count *nc = name_find(fw, name, &pos);
    if (nc) {
        nc->count = delta < 0 && nc->count == 0 ? 0 : nc->count + (unsigned)delta;
        return true;
    }
    if (delta < 0)
        return true;
    if (fw->n_names == fw->cap_names) {
        size_t cap = fw->cap_names ? fw->cap_names * 2 : 256;
        name_count *n = realloc(fw->names, cap * sizeof(*n));
        if (!n)
            return false;
        fw->names = n;
        fw->cap_names = cap;
    }
    memmove(&fw->names[pos + 1], &fw->names[pos], (fw->n_names - pos) * sizeof(*fw->names));
    fw->names[pos].name = NULL;
    fw->names[pos].count = 1;
    if (dlo_rule_set(&fw->names[pos].name, name)) {
        memmove(&fw->names[pos], &fw->names[pos + 1], (fw->n_names - pos) * sizeof(*fw->names));
        return false;
    }
    fw->n_names++;
    return true;
}

static void names_clear(fwcom *fw)
{
    size_t i;
    for (i = 0; i < fw->n_names; i++)
        free(fw->names[i].name);
    fw->n_names = 0;
}

/* ---- reading rules ---- */

static char *bstr_utf8(BSTR s)
{
    if (!s)
        return NULL;
    return win_utf16_to_utf8(s);
}

/* Reads one string property into *field. Windows answers some properties of some rules with
 * an empty result rather than an error; both mean "not set". */
#define READ_STR(rule, getter, field)                                                              \
    do {                                                                                           \
        BSTR b_ = NULL;                                                                            \
        if (SUCCEEDED(getter((rule), &b_)) && b_) {                                                \
            (field) = bstr_utf8(b_);                                                               \
            SysFreeString(b_);                                                                     \
        }                                                                                          \
    } while (0)

static void read_rule(INetFwRule *rule, dlo_rule *r, bool full)
{
    NET_FW_RULE_DIRECTION dir;
    NET_FW_ACTION action;
    LONG protocol, profiles;
    VARIANT_BOOL enabled;

    READ_STR(rule, INetFwRule_get_Name, r->name);
    READ_STR(rule, INetFwRule_get_Grouping, r->grouping);
    if (SUCCEEDED(INetFwRule_get_Action(rule, &action)))
        r->action = action == NET_FW_ACTION_BLOCK ? DLO_ACTION_BLOCK : DLO_ACTION_ALLOW;
    if (!full && r->action == DLO_ACTION_ALLOW)
        return;
    READ_STR(rule, INetFwRule_get_Description, r->description);
    if (SUCCEEDED(INetFwRule_get_Direction(rule, &dir)))
        r->direction = dir == NET_FW_RULE_DIR_OUT ? DLO_DIR_OUT : DLO_DIR_IN;
    if (SUCCEEDED(INetFwRule_get_Protocol(rule, &protocol)))
        r->protocol = (int)protocol;
    if (SUCCEEDED(INetFwRule_get_Profiles(rule, &profiles)))
        r->profiles = (unsigned)profiles;
    if (SUCCEEDED(INetFwRule_get_Enabled(rule, &enabled)))
        r->enabled = enabled != VARIANT_FALSE;
    READ_STR(rule, INetFwRule_get_LocalPorts, r->local_ports);
    READ_STR(rule, INetFwRule_get_RemotePorts, r->remote_ports);
    READ_STR(rule, INetFwRule_get_LocalAddresses, r->local_addresses);
    READ_STR(rule, INetFwRule_get_RemoteAddresses, r->remote_addresses);
    READ_STR(rule, INetFwRule_get_ApplicationName, r->application);
    READ_STR(rule, INetFwRule_get_ServiceName, r->service);
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

    names_clear(fw);
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
                    if (!name_adjust(fw, dlo_str(r->name), 1))
                        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
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

static HRESULT put_str(INetFwRule *rule, HRESULT(STDMETHODCALLTYPE *put)(INetFwRule *, BSTR),
                       const char *value)
{
    BSTR b = utf8_bstr(value);
    HRESULT hr;
    if (!b)
        return E_OUTOFMEMORY;
    hr = put(rule, b);
    SysFreeString(b);
    return hr;
}

/* One property, one put_ (one write on a rule that is in the firewall). Empty port and address
 * lists are written as "*", which is how Windows spells "any". */
static HRESULT put_prop(INetFwRule *rule, const dlo_rule *want, unsigned bit)
{
    switch (bit) {
    case DLO_PROP_DESCRIPTION:
        return put_str(rule, rule->lpVtbl->put_Description, want->description);
    case DLO_PROP_DIRECTION:
        return INetFwRule_put_Direction(rule, want->direction == DLO_DIR_OUT ? NET_FW_RULE_DIR_OUT
                                                                             : NET_FW_RULE_DIR_IN);
    case DLO_PROP_PROTOCOL:
        return INetFwRule_put_Protocol(rule, want->protocol);
    case DLO_PROP_PROFILES:
        return INetFwRule_put_Profiles(rule, (LONG)want->profiles);
    case DLO_PROP_ACTION:
        return INetFwRule_put_Action(rule, want->action == DLO_ACTION_BLOCK ? NET_FW_ACTION_BLOCK
                                                                            : NET_FW_ACTION_ALLOW);
    case DLO_PROP_ENABLED:
        return INetFwRule_put_Enabled(rule, want->enabled ? VARIANT_TRUE : VARIANT_FALSE);
    case DLO_PROP_LOCAL_PORTS:
        return put_str(rule, rule->lpVtbl->put_LocalPorts,
                       *dlo_str(want->local_ports) ? want->local_ports : "*");
    case DLO_PROP_REMOTE_PORTS:
        return put_str(rule, rule->lpVtbl->put_RemotePorts,
                       *dlo_str(want->remote_ports) ? want->remote_ports : "*");
    case DLO_PROP_LOCAL_ADDRESSES:
        return put_str(rule, rule->lpVtbl->put_LocalAddresses,
                       *dlo_str(want->local_addresses) ? want->local_addresses : "*");
    case DLO_PROP_REMOTE_ADDRESSES:
        return put_str(rule, rule->lpVtbl->put_RemoteAddresses,
                       *dlo_str(want->remote_addresses) ? want->remote_addresses : "*");
    case DLO_PROP_APPLICATION:
        return put_str(rule, rule->lpVtbl->put_ApplicationName, want->application);
    case DLO_PROP_SERVICE:
        return put_str(rule, rule->lpVtbl->put_ServiceName, want->service);
    }
    return E_INVALIDARG;
}

static dlo_status fw_add(void *ctx, const dlo_rule *want, dlo_error *err)
{
    /* Protocol before ports: INetFwRule validates ports against the protocol at each put_. */
    static const unsigned order[] = {
        DLO_PROP_DESCRIPTION,      DLO_PROP_DIRECTION,    DLO_PROP_PROTOCOL,
        DLO_PROP_LOCAL_PORTS,      DLO_PROP_REMOTE_PORTS, DLO_PROP_LOCAL_ADDRESSES,
        DLO_PROP_REMOTE_ADDRESSES, DLO_PROP_PROFILES,     DLO_PROP_ACTION,
        DLO_PROP_ENABLED,          DLO_PROP_APPLICATION,  DLO_PROP_SERVICE,
    };
    fwcom *fw = ctx;
    INetFwRule *rule = NULL;
    HRESULT hr;
    size_t i;
    dlo_status st = DLO_OK;

    hr = CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwRule,
                          (void **)&rule);
    if (FAILED(hr))
        return hr_error(err, hr, "creating a firewall rule object", want->name);
    hr = put_str(rule, rule->lpVtbl->put_Name, want->name);
    if (SUCCEEDED(hr))
        hr = put_str(rule, rule->lpVtbl->put_Grouping, want->grouping);
    for (i = 0; i < sizeof(order) / sizeof(order[0]) && SUCCEEDED(hr); i++) {
        /* Unset optional properties stay at Windows' defaults. */
        if ((order[i] == DLO_PROP_APPLICATION && !*dlo_str(want->application)) ||
            (order[i] == DLO_PROP_SERVICE && !*dlo_str(want->service)) ||
            (order[i] == DLO_PROP_LOCAL_PORTS && !*dlo_str(want->local_ports)) ||
            (order[i] == DLO_PROP_REMOTE_PORTS && !*dlo_str(want->remote_ports)))
            continue;
        hr = put_prop(rule, want, order[i]);
        if (FAILED(hr)) {
            char what[64];
            snprintf(what, sizeof(what), "setting %s", dlo_prop_name(order[i]));
            st = hr_error(err, hr, what, want->name);
            goto cleanup_rule;
        }
    }
    if (FAILED(hr)) {
        st = hr_error(err, hr, "setting the name and grouping", want->name);
        goto cleanup_rule;
    }
    hr = INetFwRules_Add(fw->rules, rule);
    if (FAILED(hr)) {
        st = hr_error(err, hr, "INetFwRules::Add", want->name);
        goto cleanup_rule;
    }
    if (!name_adjust(fw, dlo_str(want->name), 1))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
cleanup_rule:
    INetFwRule_Release(rule);
    return st;
}

static dlo_status fw_update(void *ctx, dlo_rule *current, const dlo_rule *want,
                            unsigned differences, dlo_error *err)
{
    INetFwRule *rule = current->handle;
    unsigned bit;
    (void)ctx;
    if (!rule)
        return dlo_error_set(err, DLO_E_INTERNAL, "rule '%s' has no handle",
                             dlo_str(current->name));
    for (bit = 1; bit < (1u << DLO_PROP_COUNT); bit <<= 1) {
        HRESULT hr;
        if (!(differences & bit))
            continue;
        hr = put_prop(rule, want, bit);
        if (FAILED(hr)) {
            char what[64];
            snprintf(what, sizeof(what), "setting %s", dlo_prop_name(bit));
            return hr_error(err, hr, what, want->name);
        }
    }
    return DLO_OK;
}

static dlo_status fw_remove(void *ctx, dlo_rule *current, dlo_error *err)
{
    fwcom *fw = ctx;
    INetFwRule *rule = current->handle;
    const char *name = dlo_str(current->name);
    char unique[600];
    size_t pos;
    name_count *nc = name_find(fw, name, &pos);
    HRESULT hr;
    BSTR b;

    if (!rule)
        return dlo_error_set(err, DLO_E_INTERNAL, "rule '%s' has no handle", name);
    if (!nc || nc->count > 1 || !*name) {
        /* Another rule shares the name: give this one a name of its own first. */
        GUID g;
        if (FAILED(CoCreateGuid(&g)))
            return dlo_error_set(err, DLO_E_FIREWALL, "cannot create a unique name");
        snprintf(unique, sizeof(unique), "%.400s (removing %08lx%04x%04x)", name,
                 (unsigned long)g.Data1, g.Data2, g.Data3);
        hr = put_str(rule, rule->lpVtbl->put_Name, unique);
        if (FAILED(hr))
            return hr_error(err, hr, "renaming before removal", name);
        name = unique;
    }
    b = utf8_bstr(name);
    if (!b)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    hr = INetFwRules_Remove(fw->rules, b);
    SysFreeString(b);
    if (FAILED(hr))
        return hr_error(err, hr, "INetFwRules::Remove", dlo_str(current->name));
    name_adjust(fw, dlo_str(current->name), -1);
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
    names_clear(fw);
    free(fw->names);
    free(fw);
    backend->ctx = NULL;
}
