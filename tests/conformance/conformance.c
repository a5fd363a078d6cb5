/* Conformance of the Windows Firewall COM API: every behaviour dloagent relies on, written once
 * and run against two targets, the firewall double under Wine (tests/fwdouble) and the real
 * Windows Firewall (tests/windows/run.ps1). Each expectation names its public source
 * (tests/conformance/README.md lists them with their addresses) or says that none was found;
 * where none says which way Windows goes, both ways pass, and on the double the way its test key
 * chose.
 * Checks only a double can make (counters, fault injection) are skipped elsewhere.
 *
 * Safe on a real machine: it creates only disabled rules in a Grouping of its own, removes them
 * at the end (and any a killed run left behind), and touches nothing else.
 *
 * conformance.exe [--expect-double] [--switches on|off] [--as-windows]
 *   --expect-double  fail unless the double serves CLSID_NetFwRule (the Wine run)
 *   --switches       on the double: set (on) or clear (off) the test key's switches for what no
 *                    source settles, RefuseIPv4Loopback and DropContainedAddresses
 *   --as-windows     judge the target as Windows is judged (every answer a source allows
 *                    passes, double-only checks are skipped), so the path of the Windows run
 *                    is exercised against the double too
 * Exit code: 0 when every check passed, 1 otherwise, 2 for a bad command line. */
#define COBJMACROS
#include <windows.h>
#include <initguid.h> /* the CLSIDs and IIDs of netfw.h, defined here once */

#include "conformance.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RULE_CLSID_KEY                                                                             \
    L"SOFTWARE\\Classes\\CLSID\\{2C5BC43E-3369-4C33-AB0C-BE9469677AF4}\\InprocServer32"

/* ---- a small harness in the manner of Wine's tests: ok(), skip(), a summary ---- */

static int n_checks, n_failures, n_skips;
int on_double, switches;
DWORD os_build;

void ok_(const char *file, int line, int cond, const char *fmt, ...)
{
    va_list ap;
    n_checks++;
    if (cond)
        return;
    n_failures++;
    printf("%s:%d: Test failed: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void skip(const char *why)
{
    n_skips++;
    printf("skipped: %s\n", why);
}

/* What Windows did where no source says: printed, so a run on Windows adds to the evidence. */
void observed(const char *what, const WCHAR *value)
{
    printf("observed: %s: %ls\n", what, value ? value : L"(null)");
}

void observedf(const char *fmt, ...)
{
    va_list ap;
    printf("observed: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void either_way_(const char *file, int line, int windows_ok, int double_ok, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    printf("observed: %s\n", what);
    ok_(file, line, on_double ? double_ok : windows_ok, "%s%s", what,
        on_double ? " (not the double's documented choice)" : " (no source allows it)");
}

const char *narrow(const WCHAR *w)
{
    static char bufs[4][1024];
    static int next;
    char *buf = bufs[next++ % 4];
    snprintf(buf, sizeof(bufs[0]), "%ls", w ? w : L"(null)");
    return buf;
}

int wstr_is(const WCHAR *got, const WCHAR *want)
{
    return got && want && wcscmp(got, want) == 0;
}

/* ---- COM helpers ---- */

INetFwPolicy2 *policy;
INetFwRules *rules;

/* Each call returns a fresh BSTR; the few kept alive at once are freed on the next rounds. */
BSTR bstr(const WCHAR *s)
{
    static BSTR ring[8];
    static int next;
    BSTR *slot = &ring[next++ % 8];
    SysFreeString(*slot);
    *slot = s ? SysAllocString(s) : NULL;
    return *slot;
}

/* A getter's string, kept until a later call reuses its slot. */
static const WCHAR *got(HRESULT hr, BSTR value)
{
    static BSTR ring[8];
    static int next;
    BSTR *slot = &ring[next++ % 8];
    SysFreeString(*slot);
    *slot = SUCCEEDED(hr) ? value : NULL;
    return *slot;
}

const WCHAR *get_str(HRESULT(STDMETHODCALLTYPE *getter)(INetFwRule *, BSTR *), INetFwRule *r)
{
    BSTR v = NULL;
    HRESULT hr = getter(r, &v);
    return got(hr, v);
}

static WCHAR name_prefix[64];

/* A rule name of this run: "dloagent conformance <pid> <what>". */
const WCHAR *rule_name(const WCHAR *what)
{
    static WCHAR bufs[4][128];
    static int next;
    WCHAR *buf = bufs[next++ % 4];
    swprintf(buf, 128, L"%ls %ls", name_prefix, what);
    return buf;
}

/* A new rule of the suite's Grouping, not added, disabled as every rule of the suite. */
INetFwRule *new_rule(const WCHAR *what)
{
    INetFwRule *r = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwRule,
                                  (void **)&r);
    ok(hr == S_OK, "CoCreateInstance(CLSID_NetFwRule): 0x%08lx", (unsigned long)hr);
    if (FAILED(hr))
        return NULL;
    ok(PUT(r, Name, rule_name(what)) == S_OK, "put_Name");
    ok(PUT(r, Grouping, GROUPING) == S_OK, "put_Grouping");
    return r;
}

HRESULT item(const WCHAR *name, INetFwRule **out)
{
    *out = NULL;
    return INetFwRules_Item(rules, bstr(name), out);
}

LONG count(void)
{
    LONG n = -1;
    HRESULT hr = INetFwRules_get_Count(rules, &n);
    ok(hr == S_OK, "get_Count: 0x%08lx", (unsigned long)hr);
    return n;
}

/* Walks the collection with IEnumVARIANT::Next(64), as the agent does (IPBan does the same);
 * returns how many rules it saw. */
LONG each_rule(visit_fn fn, void *ctx)
{
    IUnknown *unk = NULL;
    IEnumVARIANT *e = NULL;
    VARIANT v[64];
    ULONG fetched, i;
    LONG seen = 0;
    HRESULT hr = INetFwRules_get__NewEnum(rules, &unk);
    ok(hr == S_OK, "get__NewEnum: 0x%08lx", (unsigned long)hr);
    if (FAILED(hr))
        return -1;
    hr = IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&e);
    IUnknown_Release(unk);
    ok(hr == S_OK, "_NewEnum gives IEnumVARIANT: 0x%08lx", (unsigned long)hr);
    if (FAILED(hr))
        return -1;
    do {
        fetched = 0;
        hr = IEnumVARIANT_Next(e, 64, v, &fetched);
        ok(hr == S_OK || hr == S_FALSE, "Next(64): 0x%08lx", (unsigned long)hr);
        ok(fetched <= 64 && (hr == S_FALSE || fetched == 64), "Next(64) fetched %lu with 0x%08lx",
           fetched, (unsigned long)hr);
        for (i = 0; i < fetched && i < 64; i++) {
            INetFwRule *r = NULL;
            ok(V_VT(&v[i]) == VT_DISPATCH, "enumerated item type %u", V_VT(&v[i]));
            if (V_VT(&v[i]) == VT_DISPATCH &&
                SUCCEEDED(
                    IDispatch_QueryInterface(V_DISPATCH(&v[i]), &IID_INetFwRule, (void **)&r))) {
                if (fn)
                    fn(r, ctx);
                INetFwRule_Release(r);
            }
            VariantClear(&v[i]);
            seen++;
        }
    } while (hr == S_OK && fetched);
    IEnumVARIANT_Release(e);
    return seen;
}

/* ---- clean-up: only rules of the suite's Grouping ---- */

struct owned {
    WCHAR names[256][128];
    int n;
};

static void collect_owned(INetFwRule *r, void *ctx)
{
    struct owned *o = ctx;
    const WCHAR *g = GET(r, Grouping);
    static int serial;
    WCHAR unique[128];
    if (!wstr_is(g, GROUPING) || o->n >= 256)
        return;
    /* Names may be shared, and which rule Remove(name) hits is not documented: a unique name
     * first, as WindowsFirewallHelper does (FirewallWASRulesCollection.cs). */
    swprintf(unique, 128, L"%ls remove %d", name_prefix, ++serial);
    if (PUT(r, Name, unique) == S_OK)
        wcscpy(o->names[o->n++], unique);
}

static void remove_owned(void)
{
    static struct owned o;
    int i;
    o.n = 0;
    each_rule(collect_owned, &o);
    for (i = 0; i < o.n; i++)
        INetFwRules_Remove(rules, bstr(o.names[i]));
}

/* ---- the double: detected by its registration, driven by its test key ---- */

/* The double is its registration: the InprocServer32 of CLSID_NetFwRule names fwdouble.dll
 * (tests/fwdouble/README.md); on Windows it is FirewallAPI.dll. */
static int detect_double(void)
{
    WCHAR path[MAX_PATH];
    DWORD size = sizeof(path) - sizeof(WCHAR), type;
    HKEY key;
    LONG err;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, RULE_CLSID_KEY, 0, KEY_QUERY_VALUE, &key))
        return 0;
    err = RegQueryValueExW(key, NULL, NULL, &type, (BYTE *)path, &size);
    RegCloseKey(key);
    if (err || (type != REG_SZ && type != REG_EXPAND_SZ))
        return 0;
    path[size / sizeof(WCHAR)] = 0;
    return wcsstr(_wcslwr(path), L"fwdouble.dll") != NULL;
}

/* ---- the rule store, read back where Windows keeps it ---- */

const WCHAR *stored_rule(const WCHAR *name)
{
    static WCHAR text[16384];
    WCHAR id[256], want[300];
    DWORD i, id_len, size, type;
    HKEY key;
    int found = 0;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_RULES_KEY, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY,
                      &key))
        return NULL;
    swprintf(want, 300, L"|Name=%ls|", name);
    for (i = 0; !found; i++) {
        id_len = 256;
        size = sizeof(text) - sizeof(WCHAR);
        if (RegEnumValueW(key, i, id, &id_len, NULL, &type, (BYTE *)text, &size) ==
            ERROR_NO_MORE_ITEMS)
            break;
        text[size / sizeof(WCHAR)] = 0;
        found = type == REG_SZ && wcsstr(text, want) != NULL;
    }
    RegCloseKey(key);
    return found ? text : NULL;
}

int stored_has(const WCHAR *text, const WCHAR *field)
{
    WCHAR want[300];
    swprintf(want, 300, L"|%ls|", field);
    return text && wcsstr(text, want) != NULL;
}

void test_key_set(const WCHAR *name, DWORD value)
{
    HKEY key;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY, 0, NULL, 0,
                        KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &key, NULL))
        return;
    RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof(value));
    RegCloseKey(key);
}

void test_key_clear(const WCHAR *name)
{
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY, 0, KEY_SET_VALUE | KEY_WOW64_64KEY,
                      &key))
        return;
    RegDeleteValueW(key, name);
    RegCloseKey(key);
}

DWORD test_key_get(const WCHAR *name)
{
    DWORD v = 0, size = sizeof(v);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY, name, RRF_RT_REG_DWORD, NULL, &v,
                     &size))
        return 0;
    return v;
}

static void set_switches(int on)
{
    test_key_set(FWDOUBLE_REFUSE_IPV4_LOOPBACK, on);
    test_key_set(FWDOUBLE_DROP_CONTAINED, on);
}

static DWORD windows_build(void)
{
    typedef LONG(WINAPI * rtl_get_version)(OSVERSIONINFOW *);
    OSVERSIONINFOW v;
    rtl_get_version fn = (rtl_get_version)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll"),
                                                                         "RtlGetVersion");
    memset(&v, 0, sizeof(v));
    v.dwOSVersionInfoSize = sizeof(v);
    if (!fn || fn(&v))
        return 0;
    return v.dwBuildNumber;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: conformance.exe [--expect-double] [--switches on|off] [--as-windows]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int expect_double = 0, want_switches = -1, as_windows = 0, served_by_double, i;
    HRESULT hr;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--expect-double"))
            expect_double = 1;
        else if (!strcmp(argv[i], "--as-windows"))
            as_windows = 1;
        else if (!strcmp(argv[i], "--switches") && i + 1 < argc && !strcmp(argv[i + 1], "on"))
            want_switches = 1, i++;
        else if (!strcmp(argv[i], "--switches") && i + 1 < argc && !strcmp(argv[i + 1], "off"))
            want_switches = 0, i++;
        else
            return usage();
    }
    served_by_double = detect_double();
    on_double = served_by_double && !as_windows;
    os_build = windows_build();
    printf("target: %s, Windows build %lu%s\n",
           served_by_double ? "the firewall double" : "Windows Firewall", os_build,
           as_windows ? ", judged as Windows" : "");
    if (expect_double && !served_by_double) {
        printf("Test failed: --expect-double, but CLSID_NetFwRule is not served by fwdouble.dll\n");
        return 1;
    }
    if (served_by_double && want_switches >= 0)
        set_switches(want_switches);
    switches = on_double && test_key_get(FWDOUBLE_REFUSE_IPV4_LOOPBACK);
    swprintf(name_prefix, 64, L"dloagent conformance %lu", GetCurrentProcessId());

    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr))
        return printf("CoInitializeEx: 0x%08lx\n", (unsigned long)hr), 1;
    hr = CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2,
                          (void **)&policy);
    ok(hr == S_OK, "CoCreateInstance(CLSID_NetFwPolicy2): 0x%08lx", (unsigned long)hr);
    if (SUCCEEDED(hr))
        hr = INetFwPolicy2_get_Rules(policy, &rules);
    if (SUCCEEDED(hr)) {
        remove_owned(); /* what a killed run left */
        run_checks();
        remove_owned();
        INetFwRules_Release(rules);
    }
    if (policy)
        INetFwPolicy2_Release(policy);
    CoUninitialize();
    if (served_by_double && want_switches >= 0)
        set_switches(0);
    printf("%d checks, %d failures, %d skipped\n", n_checks, n_failures, n_skips);
    return n_failures ? 1 : 0;
}
