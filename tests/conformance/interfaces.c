/* INetFwRule::Interfaces: the specific network interfaces a rule applies to.
 *
 * Sources: Microsoft Learn, INetFwRule::get_Interfaces / put_Interfaces ("The interfaces in the
 * list are represented by their friendly name"), and its sample "Adding a Per Interface Rule"
 * (C++: a VARIANT of type VT_ARRAY | VT_VARIANT whose SAFEARRAY holds VARIANTs of BSTR; VBScript:
 * NewRule.Interfaces = Array("Local Area Connection")); ansible/ansible issue 32478 (Interfaces
 * reads empty when unset); MS-GPFAS 2.2.2.19 (the store keeps IF= with the interface's GUID); the
 * [fork] test of wine_policy.c (put_Interfaces with an adapter's friendly name, IF= holding that
 * adapter's name). What else put_Interfaces takes, and how an unset list reads: none found, so
 * both ways pass on Windows and the double is held to tests/fwdouble/README.md. */
#include <winsock2.h> /* before windows.h (in conformance.h), for iphlpapi.h */

#include "conformance.h"

#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

#define NO_SUCH_INTERFACE L"dloagent conformance: no such interface"

/* An Ethernet or Wi-Fi interface that is up before any other, the loopback one last: the kind a
 * per-interface rule is written for. */
static int adapter_rank(const IP_ADAPTER_ADDRESSES *a)
{
    int lan = a->IfType == IF_TYPE_ETHERNET_CSMACD || a->IfType == IF_TYPE_IEEE80211;
    return (a->IfType != IF_TYPE_SOFTWARE_LOOPBACK) * 4 + lan * 2 +
           (a->OperStatus == IfOperStatusUp);
}

int adapter(WCHAR *friendly, size_t n_friendly, WCHAR *guid, size_t n_guid)
{
    IP_ADAPTER_ADDRESSES *all = NULL, *a, *pick = NULL;
    ULONG size = 16384;
    ULONG err = ERROR_BUFFER_OVERFLOW;
    int tries;
    for (tries = 0; tries < 3 && err == ERROR_BUFFER_OVERFLOW; tries++) {
        free(all);
        all = malloc(size);
        if (!all)
            return 0;
        err = GetAdaptersAddresses(AF_UNSPEC, 0, NULL, all, &size);
    }
    for (a = err == NO_ERROR ? all : NULL; a; a = a->Next) {
        if (!pick || adapter_rank(a) > adapter_rank(pick))
            pick = a;
    }
    if (pick) {
        swprintf(friendly, n_friendly, L"%ls", pick->FriendlyName);
        swprintf(guid, n_guid, L"%hs", pick->AdapterName);
    }
    free(all);
    return pick != NULL;
}

/* A VARIANT holding a SAFEARRAY of n VARIANTs, each item[i] (a BSTR when type is VT_BSTR). */
static VARIANT variant_array(const WCHAR *const *items, LONG n, VARTYPE type)
{
    VARIANT v;
    LONG i;
    VariantInit(&v);
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n);
    for (i = 0; V_ARRAY(&v) && i < n; i++) {
        VARIANT item;
        VariantInit(&item);
        V_VT(&item) = type;
        if (type == VT_BSTR)
            V_BSTR(&item) = SysAllocString(items[i]);
        else
            V_I4(&item) = 1;
        SafeArrayPutElement(V_ARRAY(&v), &i, &item);
        VariantClear(&item);
    }
    return v;
}

HRESULT put_interface_names(INetFwRule *r, const WCHAR *friendly)
{
    VARIANT v = variant_array(&friendly, 1, VT_BSTR);
    HRESULT hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    return hr;
}

/* The Interfaces of r: the VARIANT's type and its BSTR items joined by commas ("(none)" for no
 * item, "(not BSTR)" for another item type). */
static HRESULT read_interfaces(INetFwRule *r, VARTYPE *vt, WCHAR *joined, size_t n)
{
    VARIANT v;
    LONG lo = 0, hi = -1, i;
    HRESULT hr;
    VariantInit(&v);
    swprintf(joined, n, L"(none)");
    hr = INetFwRule_get_Interfaces(r, &v);
    *vt = V_VT(&v);
    if (SUCCEEDED(hr) && V_VT(&v) == (VT_ARRAY | VT_VARIANT)) {
        SafeArrayGetLBound(V_ARRAY(&v), 1, &lo);
        SafeArrayGetUBound(V_ARRAY(&v), 1, &hi);
        for (i = lo; i <= hi; i++) {
            VARIANT item;
            size_t len = i == lo ? 0 : wcslen(joined);
            VariantInit(&item);
            SafeArrayGetElement(V_ARRAY(&v), &i, &item);
            swprintf(joined + len, n - len, L"%ls%ls", i == lo ? L"" : L",",
                     V_VT(&item) == VT_BSTR ? V_BSTR(&item) : L"(not BSTR)");
            VariantClear(&item);
        }
    }
    VariantClear(&v);
    return hr;
}

static int reads_no_interface(INetFwRule *r)
{
    WCHAR got[512];
    VARTYPE vt = VT_ILLEGAL;
    HRESULT hr = read_interfaces(r, &vt, got, 512);
    return hr == S_OK && vt == VT_EMPTY;
}

static int reads_interface(INetFwRule *r, const WCHAR *friendly)
{
    WCHAR got[512];
    VARTYPE vt = VT_ILLEGAL;
    HRESULT hr = read_interfaces(r, &vt, got, 512);
    return hr == S_OK && vt == (VT_ARRAY | VT_VARIANT) && !_wcsicmp(got, friendly);
}

/* A rule that names no interface. */
static void check_unset(void)
{
    INetFwRule *r = new_rule(L"interfaces unset");
    WCHAR got[512];
    VARTYPE vt = VT_ILLEGAL;
    HRESULT hr;
    if (!r)
        return;
    hr = read_interfaces(r, &vt, got, 512);
    ok(hr == S_OK, "get_Interfaces of a new rule: 0x%08lx", (unsigned long)hr);
    either_way(vt == VT_EMPTY || vt == VT_NULL || (vt == (VT_ARRAY | VT_VARIANT) && !got[0]),
               vt == VT_EMPTY, "Interfaces of a new rule: type %u, %s", vt, narrow(got));
    INetFwRule_Release(r);
}

/* A friendly name, on a new rule, in the store and through Item; then cleared through Item. */
static void check_names(const WCHAR *friendly, const WCHAR *guid)
{
    INetFwRule *r = new_rule(L"interfaces named"), *back = NULL;
    WCHAR field[64];
    const WCHAR *none[1] = {NULL};
    VARIANT v;
    HRESULT hr;
    if (!r)
        return;
    hr = put_interface_names(r, friendly);
    ok(hr == S_OK, "put_Interfaces [%s]: 0x%08lx", narrow(friendly), (unsigned long)hr);
    ok(reads_interface(r, friendly), "Interfaces read back the friendly name %s", narrow(friendly));
    ok(INetFwRules_Add(rules, r) == S_OK, "Add of a rule with an interface");
    swprintf(field, 64, L"IF=%ls", guid);
    either_way(1, stored_has(stored_rule(rule_name(L"interfaces named")), field),
               "stored rule with interface %s: %s", narrow(friendly),
               narrow(stored_rule(rule_name(L"interfaces named"))));
    if (item(rule_name(L"interfaces named"), &back) == S_OK) {
        ok(reads_interface(back, friendly), "Interfaces from Item read %s", narrow(friendly));
        VariantInit(&v);
        hr = INetFwRule_put_Interfaces(back, v);
        either_way(1, hr == S_OK && reads_no_interface(back),
                   "put_Interfaces(VT_EMPTY) on a rule with one: 0x%08lx", (unsigned long)hr);
        ok(put_interface_names(back, friendly) == S_OK, "put_Interfaces again through Item");
        v = variant_array(none, 0, VT_BSTR);
        hr = INetFwRule_put_Interfaces(back, v);
        VariantClear(&v);
        either_way(1, hr == S_OK && reads_no_interface(back),
                   "put_Interfaces(an empty array) on a rule with one: 0x%08lx", (unsigned long)hr);
        INetFwRule_Release(back);
    }
    INetFwRule_Release(r);
}

/* Forms no source shows. The double takes a braced GUID as an interface's name (so that what it
 * reads back for an interface that is gone can be written again) and VT_NULL as "none"; it
 * refuses the rest with E_INVALIDARG. */
static void check_other_forms(const WCHAR *friendly, const WCHAR *guid)
{
    const WCHAR *unknown = NO_SUCH_INTERFACE;
    INetFwRule *r = new_rule(L"interfaces forms");
    SAFEARRAY *sa;
    VARIANT v;
    LONG i = 0;
    HRESULT hr;
    if (!r)
        return;
    v = variant_array(&unknown, 1, VT_BSTR);
    hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    either_way(1, hr == E_INVALIDARG, "put_Interfaces [an unknown name]: 0x%08lx",
               (unsigned long)hr);
    v = variant_array(&guid, 1, VT_BSTR);
    hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    either_way(1, hr == S_OK && reads_interface(r, friendly),
               "put_Interfaces [the adapter's GUID %s]: 0x%08lx", narrow(guid), (unsigned long)hr);
    v = variant_array(&guid, 1, VT_I4);
    hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    either_way(1, hr == E_INVALIDARG, "put_Interfaces [a VT_I4 item]: 0x%08lx", (unsigned long)hr);
    VariantInit(&v);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(friendly);
    hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    either_way(1, hr == E_INVALIDARG, "put_Interfaces(a plain BSTR): 0x%08lx", (unsigned long)hr);
    sa = SafeArrayCreateVector(VT_BSTR, 0, 1);
    if (sa) {
        BSTR b = SysAllocString(friendly);
        SafeArrayPutElement(sa, &i, b);
        SysFreeString(b);
        VariantInit(&v);
        V_VT(&v) = VT_ARRAY | VT_BSTR;
        V_ARRAY(&v) = sa;
        hr = INetFwRule_put_Interfaces(r, v);
        VariantClear(&v);
        either_way(1, hr == E_INVALIDARG, "put_Interfaces(VT_ARRAY | VT_BSTR): 0x%08lx",
                   (unsigned long)hr);
    }
    VariantInit(&v);
    V_VT(&v) = VT_NULL;
    hr = INetFwRule_put_Interfaces(r, v);
    either_way(1, hr == S_OK && reads_no_interface(r), "put_Interfaces(VT_NULL): 0x%08lx",
               (unsigned long)hr);
    INetFwRule_Release(r);
}

void run_interface_checks(void)
{
    WCHAR friendly[256], guid[64];
    check_unset();
    if (!adapter(friendly, 256, guid, 64)) {
        skip("no network interface: Interfaces with a name not checked");
        return;
    }
    observedf("interface used: %s %s", narrow(friendly), narrow(guid));
    check_names(friendly, guid);
    check_other_forms(friendly, guid);
}
