/* INetFwServiceRestriction, what INetFwPolicy2::get_ServiceRestriction answers.
 *
 * Wine's hnetcfg test (test_policy2_rules) shows Windows answering S_OK with an object whose
 * Rules is a collection other than the firewall's: the Windows Service Hardening rules. Here it
 * is a collection like the firewall's over its own store, FWDOUBLE_HARDENING_RULES_KEY, empty in
 * a new prefix. Restricting a service (RestrictService, ServiceRestricted) is not modelled. */
#include <stdlib.h>

#include "fwdouble.h"
#include "private.h"

struct fw_restriction {
    INetFwServiceRestriction INetFwServiceRestriction_iface;
    LONG ref;
    INetFwRules *rules;
};

static inline struct fw_restriction *
impl_from_INetFwServiceRestriction(INetFwServiceRestriction *iface)
{
    return CONTAINING_RECORD(iface, struct fw_restriction, INetFwServiceRestriction_iface);
}

static void restriction_destroy(struct fw_restriction *This)
{
    INetFwRules_Release(This->rules);
    free(This);
}

FWD_IUNKNOWN(restriction, INetFwServiceRestriction, struct fw_restriction,
             &IID_INetFwServiceRestriction, restriction_destroy)
FWD_IDISPATCH_WITHOUT_TYPEINFO(restriction, INetFwServiceRestriction)

static HRESULT WINAPI restriction_RestrictService(INetFwServiceRestriction *iface, BSTR service,
                                                  BSTR app, VARIANT_BOOL restrict_service,
                                                  VARIANT_BOOL sid_restricted)
{
    (void)iface, (void)service, (void)app, (void)restrict_service, (void)sid_restricted;
    return E_NOTIMPL;
}

static HRESULT WINAPI restriction_ServiceRestricted(INetFwServiceRestriction *iface, BSTR service,
                                                    BSTR app, VARIANT_BOOL *restricted)
{
    (void)iface, (void)service, (void)app, (void)restricted;
    return E_NOTIMPL;
}

static HRESULT WINAPI restriction_get_Rules(INetFwServiceRestriction *iface, INetFwRules **rules)
{
    return rules_hand_out(impl_from_INetFwServiceRestriction(iface)->rules, rules);
}

static const INetFwServiceRestrictionVtbl restriction_vtbl = {
    restriction_QueryInterface,   restriction_AddRef,          restriction_Release,
    restriction_GetTypeInfoCount, restriction_GetTypeInfo,     restriction_GetIDsOfNames,
    restriction_Invoke,           restriction_RestrictService, restriction_ServiceRestricted,
    restriction_get_Rules,
};

HRESULT restriction_create(INetFwServiceRestriction **out)
{
    struct fw_restriction *This = calloc(1, sizeof(*This));
    HRESULT hr;
    *out = NULL;
    if (!This)
        return E_OUTOFMEMORY;
    hr = rules_create(FWDOUBLE_HARDENING_RULES_KEY, &This->rules);
    if (FAILED(hr)) {
        free(This);
        return hr;
    }
    This->INetFwServiceRestriction_iface.lpVtbl = &restriction_vtbl;
    This->ref = 1;
    InterlockedIncrement(&fwd_objects);
    *out = &This->INetFwServiceRestriction_iface;
    return S_OK;
}
