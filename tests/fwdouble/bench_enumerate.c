/* Times the firewall double with the rules already in the store (bench-enumerate.sh plants
 * them): get_Count, one full _NewEnum walk reading each rule's Name, and Item of one name.
 * Usage: bench_fwdouble.exe [NAME-TO-LOOK-UP]
 * Prints one line per measurement; exits non-zero if a call fails. */
#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <initguid.h>
#include <netfw.h>

#include <stdio.h>
#include <wchar.h>

static double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static int failed(const char *what, HRESULT hr)
{
    fprintf(stderr, "%s failed: 0x%08lx\n", what, (unsigned long)hr);
    return 1;
}

int wmain(int argc, wchar_t **argv)
{
    INetFwPolicy2 *policy = NULL;
    INetFwRules *rules = NULL;
    INetFwRule *rule = NULL;
    IUnknown *unk = NULL;
    IEnumVARIANT *e = NULL;
    VARIANT v;
    LONG count = 0, walked = 0;
    double t0, t1, walk;
    HRESULT hr;

    if (FAILED(hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)))
        return failed("CoInitializeEx", hr);
    t0 = now_ms();
    hr = CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2,
                          (void **)&policy);
    if (FAILED(hr))
        return failed("CoCreateInstance(CLSID_NetFwPolicy2)", hr);
    if (FAILED(hr = INetFwPolicy2_get_Rules(policy, &rules)))
        return failed("get_Rules", hr);
    t1 = now_ms();
    printf("create policy + get_Rules: %.1f ms\n", t1 - t0);

    t0 = now_ms();
    if (FAILED(hr = INetFwRules_get_Count(rules, &count)))
        return failed("get_Count", hr);
    t1 = now_ms();
    printf("get_Count: %ld rules in %.1f ms\n", count, t1 - t0);

    t0 = now_ms();
    if (FAILED(hr = INetFwRules_get__NewEnum(rules, &unk)))
        return failed("get__NewEnum", hr);
    if (FAILED(hr = IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&e)))
        return failed("QueryInterface(IEnumVARIANT)", hr);
    t1 = now_ms();
    printf("get__NewEnum (reads the whole store): %.1f ms\n", t1 - t0);
    walk = t1;
    while (IEnumVARIANT_Next(e, 1, &v, NULL) == S_OK) {
        BSTR name = NULL;
        hr = IDispatch_QueryInterface(V_DISPATCH(&v), &IID_INetFwRule, (void **)&rule);
        VariantClear(&v);
        if (FAILED(hr))
            return failed("QueryInterface(INetFwRule)", hr);
        if (FAILED(hr = INetFwRule_get_Name(rule, &name)))
            return failed("get_Name", hr);
        SysFreeString(name);
        INetFwRule_Release(rule);
        walked++;
    }
    t1 = now_ms();
    printf("IEnumVARIANT::Next + get_Name over %ld rules: %.1f ms\n", walked, t1 - walk);
    printf("enumeration in all: %.1f ms, %.1f us per rule\n", t1 - t0,
           walked ? (t1 - t0) * 1000.0 / walked : 0.0);
    if (walked != count) {
        fprintf(stderr, "enumerated %ld rules, get_Count said %ld\n", walked, count);
        return 1;
    }

    if (argc > 1) {
        BSTR name = SysAllocString(argv[1]);
        t0 = now_ms();
        hr = INetFwRules_Item(rules, name, &rule);
        t1 = now_ms();
        SysFreeString(name);
        if (FAILED(hr))
            return failed("Item", hr);
        INetFwRule_Release(rule);
        printf("Item(\"%ls\"): %.1f ms\n", argv[1], t1 - t0);
    }

    IEnumVARIANT_Release(e);
    IUnknown_Release(unk);
    INetFwRules_Release(rules);
    INetFwPolicy2_Release(policy);
    CoUninitialize();
    return 0;
}
