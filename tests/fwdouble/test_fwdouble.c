/* The firewall double through the real COM API, created exactly as a client creates the
 * Windows Firewall (CoCreateInstance of CLSID_NetFwPolicy2 and CLSID_NetFwRule), and checked
 * against the registry where Windows keeps its rules.
 *
 * Runs with the "fwdouble" CTest fixture: the prefix's CLSIDs point at the double. Each test
 * starts from an empty store and test key. The exe also serves as the second process of the
 * cross-process tests (--child-add NAME, --child-find NAME). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define COBJMACROS
#include <winsock2.h> /* before windows.h, for iphlpapi.h */
#include <windows.h>
#include <iphlpapi.h>
#include <ole2.h>
#include <oleauto.h>
#include <initguid.h>
#include <netfw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fwdouble.h"

/* Missing from mingw-w64's icftypes.h. */
#define NET_FW_IP_PROTOCOL_ANY 256

#define POLICY_CLSID L"{E2B3C97F-6AE1-41AC-817A-F6F92166D7DD}"
#define RULE_CLSID   L"{2C5BC43E-3369-4C33-AB0C-BE9469677AF4}"

static const char *narrow(const WCHAR *w)
{
    static char bufs[4][2048];
    static int next;
    char *buf = bufs[next++ % 4];
    if (!w)
        return "(null)";
    if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof(bufs[0]), NULL, NULL))
        snprintf(buf, sizeof(bufs[0]), "(unconvertible)");
    return buf;
}

#define assert_wstr_equal(got, want) check_wstr((got), (want), __FILE__, __LINE__)

static void check_wstr(const WCHAR *got, const WCHAR *want, const char *file, int line)
{
    if ((!got && !want) || (got && want && wcscmp(got, want) == 0))
        return;
    print_error("%s:%d: got  \"%s\"\n%s:%d: want \"%s\"\n", file, line, narrow(got), file, line,
                narrow(want));
    fail();
}

#define assert_hr(expr, want) check_hr((expr), (want), #expr, __FILE__, __LINE__)

static void check_hr(HRESULT got, HRESULT want, const char *expr, const char *file, int line)
{
    if (got == want)
        return;
    print_error("%s:%d: %s returned 0x%08lx, expected 0x%08lx\n", file, line, expr,
                (unsigned long)got, (unsigned long)want);
    fail();
}

/* ---- registry, as a test plants and inspects it ---- */

static HKEY open_key(const WCHAR *path, BOOL create)
{
    HKEY key = NULL;
    if (create)
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY,
                        NULL, &key, NULL);
    else
        RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, &key);
    return key;
}

static void reset_store(void)
{
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, FWDOUBLE_POLICY_KEY);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY);
}

static void plant(const WCHAR *id, const WCHAR *text)
{
    HKEY key = open_key(FWDOUBLE_RULES_KEY, TRUE);
    assert_non_null(key);
    assert_int_equal(RegSetValueExW(key, id, 0, REG_SZ, (const BYTE *)text,
                                    (DWORD)((wcslen(text) + 1) * sizeof(WCHAR))),
                     ERROR_SUCCESS);
    RegCloseKey(key);
}

/* The stored data of a rule value, or NULL; valid until the next call. */
static const WCHAR *stored(const WCHAR *id)
{
    static WCHAR buf[8192];
    DWORD size = sizeof(buf) - sizeof(WCHAR), type;
    HKEY key = open_key(FWDOUBLE_RULES_KEY, FALSE);
    LONG err;
    if (!key)
        return NULL;
    err = RegQueryValueExW(key, id, NULL, &type, (BYTE *)buf, &size);
    RegCloseKey(key);
    if (err || type != REG_SZ)
        return NULL;
    buf[size / sizeof(WCHAR)] = 0;
    return buf;
}

static DWORD value_count(const WCHAR *path)
{
    DWORD n = 0;
    HKEY key = open_key(path, FALSE);
    if (!key)
        return 0;
    RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &n, NULL, NULL, NULL, NULL);
    RegCloseKey(key);
    return n;
}

static DWORD stored_count(void)
{
    return value_count(FWDOUBLE_RULES_KEY);
}

/* The name of value number i of the store; valid until the next call. */
static const WCHAR *stored_id(DWORD i)
{
    static WCHAR name[256];
    DWORD len = ARRAYSIZE(name);
    HKEY key = open_key(FWDOUBLE_RULES_KEY, FALSE);
    LONG err;
    assert_non_null(key);
    err = RegEnumValueW(key, i, name, &len, NULL, NULL, NULL, NULL);
    RegCloseKey(key);
    assert_int_equal(err, ERROR_SUCCESS);
    return name;
}

static void set_test_value(const WCHAR *name, DWORD value)
{
    HKEY key = open_key(FWDOUBLE_TEST_KEY, TRUE);
    assert_non_null(key);
    RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof(value));
    RegCloseKey(key);
}

static void delete_test_value(const WCHAR *name)
{
    HKEY key = open_key(FWDOUBLE_TEST_KEY, TRUE);
    RegDeleteValueW(key, name);
    RegCloseKey(key);
}

static DWORD counter(const WCHAR *name)
{
    DWORD v = 0, size = sizeof(v);
    HKEY key = open_key(FWDOUBLE_TEST_KEY, FALSE);
    if (!key)
        return 0;
    if (RegQueryValueExW(key, name, NULL, NULL, (BYTE *)&v, &size))
        v = 0;
    RegCloseKey(key);
    return v;
}

static BOOL profile_value(const WCHAR *profile, const WCHAR *name, DWORD *out)
{
    WCHAR path[300];
    DWORD size = sizeof(*out);
    HKEY key;
    LONG err;
    swprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FWDOUBLE_POLICY_KEY, profile);
    key = open_key(path, FALSE);
    if (!key)
        return FALSE;
    err = RegQueryValueExW(key, name, NULL, NULL, (BYTE *)out, &size);
    RegCloseKey(key);
    return err == ERROR_SUCCESS;
}

static void set_profile_value(const WCHAR *profile, const WCHAR *name, DWORD value)
{
    WCHAR path[300];
    HKEY key;
    swprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FWDOUBLE_POLICY_KEY, profile);
    key = open_key(path, TRUE);
    assert_non_null(key);
    RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof(value));
    RegCloseKey(key);
}

/* ---- COM, as a client uses it ---- */

static INetFwPolicy2 *policy(void)
{
    INetFwPolicy2 *p = NULL;
    assert_hr(CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2,
                               (void **)&p),
              S_OK);
    return p;
}

static INetFwRules *rules(void)
{
    INetFwPolicy2 *p = policy();
    INetFwRules *r = NULL;
    assert_hr(INetFwPolicy2_get_Rules(p, &r), S_OK);
    INetFwPolicy2_Release(p);
    return r;
}

static HRESULT put_bstr(INetFwRule *rule, HRESULT(STDMETHODCALLTYPE *put)(INetFwRule *, BSTR),
                        const WCHAR *value)
{
    BSTR b = value ? SysAllocString(value) : NULL;
    HRESULT hr = put(rule, b);
    SysFreeString(b);
    return hr;
}

/* A property as a string; valid until eight more calls. */
static const WCHAR *get_bstr(INetFwRule *rule,
                             HRESULT(STDMETHODCALLTYPE *get)(INetFwRule *, BSTR *))
{
    static WCHAR bufs[8][4096];
    static int next;
    WCHAR *buf = bufs[next++ % 8];
    BSTR b = NULL;
    assert_hr(get(rule, &b), S_OK);
    if (!b)
        return NULL;
    wcsncpy(buf, b, 4095);
    buf[4095] = 0;
    SysFreeString(b);
    return buf;
}

#define PUT(rule, prop, value) put_bstr((rule), (rule)->lpVtbl->put_##prop, (value))
#define GET(rule, prop)        get_bstr((rule), (rule)->lpVtbl->get_##prop)

static INetFwRule *new_rule(const WCHAR *name)
{
    INetFwRule *r = NULL;
    assert_hr(CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwRule,
                               (void **)&r),
              S_OK);
    if (name)
        assert_hr(PUT(r, Name, name), S_OK);
    return r;
}

static HRESULT add(INetFwRule *rule)
{
    INetFwRules *c = rules();
    HRESULT hr = INetFwRules_Add(c, rule);
    INetFwRules_Release(c);
    return hr;
}

/* Adds a new enabled inbound TCP rule and releases the object. */
static void add_tcp_rule(const WCHAR *name, const WCHAR *ports)
{
    INetFwRule *r = new_rule(name);
    assert_hr(INetFwRule_put_Protocol(r, NET_FW_IP_PROTOCOL_TCP), S_OK);
    assert_hr(PUT(r, LocalPorts, ports), S_OK);
    assert_hr(INetFwRule_put_Enabled(r, VARIANT_TRUE), S_OK);
    assert_hr(add(r), S_OK);
    INetFwRule_Release(r);
}

static HRESULT item(const WCHAR *name, INetFwRule **out)
{
    INetFwRules *c = rules();
    BSTR b = SysAllocString(name);
    HRESULT hr = INetFwRules_Item(c, b, out);
    SysFreeString(b);
    INetFwRules_Release(c);
    return hr;
}

static INetFwRule *must_item(const WCHAR *name)
{
    INetFwRule *r = NULL;
    assert_hr(item(name, &r), S_OK);
    assert_non_null(r);
    return r;
}

static HRESULT remove_rule(const WCHAR *name)
{
    INetFwRules *c = rules();
    BSTR b = SysAllocString(name);
    HRESULT hr = INetFwRules_Remove(c, b);
    SysFreeString(b);
    INetFwRules_Release(c);
    return hr;
}

static LONG count(void)
{
    INetFwRules *c = rules();
    LONG n = -1;
    assert_hr(INetFwRules_get_Count(c, &n), S_OK);
    INetFwRules_Release(c);
    return n;
}

static IEnumVARIANT *new_enum(void)
{
    INetFwRules *c = rules();
    IUnknown *unk = NULL;
    IEnumVARIANT *e = NULL;
    assert_hr(INetFwRules_get__NewEnum(c, &unk), S_OK);
    assert_hr(IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&e), S_OK);
    IUnknown_Release(unk);
    INetFwRules_Release(c);
    return e;
}

/* The rule an enumerated VARIANT holds; the VARIANT is cleared. */
#define rule_of(v) rule_of_at((v), __LINE__)

static INetFwRule *rule_of_at(VARIANT *v, int line)
{
    INetFwRule *r = NULL;
    if (V_VT(v) != VT_DISPATCH) {
        print_error("line %d: enumerated item has type %d, not VT_DISPATCH\n", line, V_VT(v));
        fail();
    }
    assert_hr(IDispatch_QueryInterface(V_DISPATCH(v), &IID_INetFwRule, (void **)&r), S_OK);
    VariantClear(v);
    return r;
}

/* Not INetFwRule_Release(rule_of(v)): the COBJMACROS macro names its argument twice. */
static void release_item(VARIANT *v)
{
    INetFwRule *r = rule_of(v);
    INetFwRule_Release(r);
}

/* Names of all rules, in enumeration order, joined by '\n' (valid until the next call). */
static const WCHAR *enumerated_names(int *n)
{
    static WCHAR out[65536];
    IEnumVARIANT *e = new_enum();
    VARIANT v;
    ULONG fetched;
    out[0] = 0;
    *n = 0;
    while (IEnumVARIANT_Next(e, 1, &v, &fetched) == S_OK) {
        INetFwRule *r = rule_of(&v);
        const WCHAR *name = GET(r, Name);
        wcscat(out, name ? name : L"(null)");
        wcscat(out, L"\n");
        (*n)++;
        INetFwRule_Release(r);
    }
    IEnumVARIANT_Release(e);
    return out;
}

/* Whether one enumeration of the collection returns a rule of that name. */
static BOOL enumerates(const WCHAR *name)
{
    static WCHAR all[65600];
    WCHAR line[512];
    int n;
    swprintf(line, ARRAYSIZE(line), L"\n%ls\n", name);
    swprintf(all, ARRAYSIZE(all), L"\n%ls", enumerated_names(&n));
    return wcsstr(all, line) != NULL;
}

static int setup(void **state)
{
    (void)state;
    reset_store();
    return 0;
}

/* ---- activation ---- */

static void expect_inproc_is_double(const WCHAR *clsid)
{
    WCHAR path[300], value[MAX_PATH];
    DWORD size = sizeof(value) - sizeof(WCHAR);
    HKEY key;
    size_t n;
    swprintf(path, ARRAYSIZE(path), L"Software\\Classes\\CLSID\\%ls\\InprocServer32", clsid);
    key = open_key(path, FALSE);
    assert_non_null(key);
    assert_int_equal(RegQueryValueExW(key, NULL, NULL, NULL, (BYTE *)value, &size), ERROR_SUCCESS);
    RegCloseKey(key);
    value[size / sizeof(WCHAR)] = 0;
    n = wcslen(value);
    if (n < 12 || _wcsicmp(value + n - 12, L"fwdouble.dll") != 0) {
        print_error("CLSID %s is served by %s, not by the double\n", narrow(clsid), narrow(value));
        fail();
    }
}

static void test_clsids_point_at_double(void **state)
{
    INetFwPolicy2 *p;
    INetFwRule *r;
    (void)state;
    expect_inproc_is_double(POLICY_CLSID);
    expect_inproc_is_double(RULE_CLSID);
    p = policy();
    r = new_rule(NULL);
    INetFwRule_Release(r);
    INetFwPolicy2_Release(p);
}

/* ---- the store ---- */

static BOOL is_braced_guid(const WCHAR *s)
{
    CLSID guid;
    WCHAR copy[64];
    if (wcslen(s) != 38 || s[0] != L'{' || s[37] != L'}')
        return FALSE;
    wcscpy(copy, s);
    return SUCCEEDED(CLSIDFromString(copy, &guid));
}

static void test_add_stores_windows_rule_string(void **state)
{
    INetFwRule *r = new_rule(L"DLO Admin Server (TCP-In)");
    const WCHAR *id;
    (void)state;
    assert_hr(PUT(r, Description, L"Arctera DLO"), S_OK);
    assert_hr(PUT(r, ApplicationName, L"C:\\Program Files\\DLO\\DLOAdminSvcu.exe"), S_OK);
    assert_hr(PUT(r, ServiceName, L"DLOAdminSvcu"), S_OK);
    assert_hr(INetFwRule_put_Protocol(r, NET_FW_IP_PROTOCOL_TCP), S_OK);
    assert_hr(PUT(r, LocalPorts, L"3999"), S_OK);
    assert_hr(PUT(r, RemoteAddresses, L"LocalSubnet"), S_OK);
    assert_hr(INetFwRule_put_Direction(r, NET_FW_RULE_DIR_IN), S_OK);
    assert_hr(INetFwRule_put_Action(r, NET_FW_ACTION_ALLOW), S_OK);
    assert_hr(INetFwRule_put_Profiles(r, NET_FW_PROFILE2_DOMAIN), S_OK);
    assert_hr(PUT(r, Grouping, L"Arctera DLO"), S_OK);
    assert_hr(INetFwRule_put_Enabled(r, VARIANT_TRUE), S_OK);
    assert_hr(add(r), S_OK);
    INetFwRule_Release(r);

    assert_int_equal(stored_count(), 1);
    id = stored_id(0);
    if (!is_braced_guid(id)) {
        print_error("rule ID %s is not a GUID in braces\n", narrow(id));
        fail();
    }
    assert_wstr_equal(stored(id), L"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
                                  L"Profile=Domain|LPort=3999|RA4=LocalSubnet|RA6=LocalSubnet|"
                                  L"App=C:\\Program Files\\DLO\\DLOAdminSvcu.exe|"
                                  L"Svc=DLOAdminSvcu|Name=DLO Admin Server (TCP-In)|"
                                  L"Desc=Arctera DLO|EmbedCtxt=Arctera DLO|");
    assert_int_equal(count(), 1);
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 1);
}

static void test_new_rule_defaults(void **state)
{
    INetFwRule *r = new_rule(NULL);
    INetFwRule2 *r2 = NULL;
    INetFwRule3 *r3 = NULL;
    VARIANT_BOOL b = VARIANT_TRUE;
    NET_FW_RULE_DIRECTION dir = 0;
    NET_FW_ACTION action = NET_FW_ACTION_BLOCK;
    LONG v = 0;
    (void)state;
    assert_hr(INetFwRule_get_Enabled(r, &b), S_OK);
    assert_int_equal(b, VARIANT_FALSE); /* "Defaults to false" */
    assert_hr(INetFwRule_get_Direction(r, &dir), S_OK);
    assert_int_equal(dir, NET_FW_RULE_DIR_IN);
    assert_hr(INetFwRule_get_Action(r, &action), S_OK);
    assert_int_equal(action, NET_FW_ACTION_ALLOW);
    assert_hr(INetFwRule_get_Protocol(r, &v), S_OK);
    assert_int_equal(v, NET_FW_IP_PROTOCOL_ANY);
    assert_hr(INetFwRule_get_Profiles(r, &v), S_OK);
    assert_int_equal(v, NET_FW_PROFILE2_ALL);
    assert_null(GET(r, Name));
    assert_null(GET(r, LocalPorts));
    assert_wstr_equal(GET(r, LocalAddresses), L"*");
    assert_wstr_equal(GET(r, RemoteAddresses), L"*");
    assert_wstr_equal(GET(r, InterfaceTypes), L"All");
    assert_hr(INetFwRule_QueryInterface(r, &IID_INetFwRule2, (void **)&r2), S_OK);
    assert_hr(INetFwRule2_get_EdgeTraversalOptions(r2, &v), S_OK);
    assert_int_equal(v, 0);
    assert_hr(INetFwRule_QueryInterface(r, &IID_INetFwRule3, (void **)&r3), S_OK);
    INetFwRule3_Release(r3);
    INetFwRule2_Release(r2);
    INetFwRule_Release(r);
}

/* A rule object not added to the collection is only properties: nothing reaches the store. */
static void test_unadded_rule_changes_nothing(void **state)
{
    INetFwRule *r = new_rule(L"Never added");
    (void)state;
    assert_hr(INetFwRule_put_Protocol(r, NET_FW_IP_PROTOCOL_UDP), S_OK);
    assert_hr(PUT(r, LocalPorts, L"53"), S_OK);
    assert_hr(INetFwRule_put_Enabled(r, VARIANT_TRUE), S_OK);
    assert_hr(PUT(r, Description, L"still nothing"), S_OK);
    INetFwRule_Release(r);
    assert_int_equal(stored_count(), 0);
    assert_int_equal(count(), 0);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 0);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_READS), 0);
}

static void test_item_on_missing_name(void **state)
{
    INetFwRule *r = (INetFwRule *)(INT_PTR)1;
    (void)state;
    add_tcp_rule(L"Present", L"80");
    assert_hr(item(L"Absent", &r), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_null(r);
    assert_hr(item(L"present", &r), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)); /* exact case */
    /* "If a rule specified by the name parameter does not exist in the collection, the Remove
     * method has no effect." */
    assert_hr(remove_rule(L"Absent"), S_OK);
    assert_int_equal(count(), 1);
}

/* "E_UNEXPECTED: The method failed because the object is already in the collection"
 * (INetFwRules::Add): adding a rule object again, or one obtained from the collection, changes
 * nothing. Before, the double overwrote the stored rule. */
static void test_add_of_rule_in_collection_is_unexpected(void **state)
{
    INetFwRule *r = new_rule(L"Added once");
    WCHAR id[64];
    (void)state;
    assert_hr(PUT(r, Description, L"first"), S_OK);
    assert_hr(add(r), S_OK);
    wcscpy(id, stored_id(0));
    assert_non_null(wcsstr(stored(id), L"|Desc=first|"));

    /* Detached after Add: the change stays in the object, and it cannot be added again. */
    assert_hr(PUT(r, Description, L"second"), S_OK);
    assert_hr(add(r), E_UNEXPECTED);
    assert_int_equal(stored_count(), 1);
    assert_non_null(wcsstr(stored(id), L"|Desc=first|"));
    INetFwRule_Release(r);

    r = must_item(L"Added once");
    assert_hr(add(r), E_UNEXPECTED);
    assert_int_equal(count(), 1);
    /* Once removed, the object may go back, under its ID. */
    assert_hr(remove_rule(L"Added once"), S_OK);
    assert_hr(add(r), S_OK);
    assert_int_equal(stored_count(), 1);
    assert_wstr_equal(stored_id(0), id);
    INetFwRule_Release(r);
}

/* Names need not be unique; Item and Remove act on the first rule of that name in enumeration
 * order. Which one that is comes from _NewEnum, not from an assumed registry order. */
static void test_duplicate_names(void **state)
{
    IEnumVARIANT *e;
    VARIANT v;
    INetFwRule *r, *first = NULL;
    WCHAR first_desc[64] = L"", other_desc[64];
    (void)state;
    plant(L"{00000000-0000-0000-0000-00000000000B}",
          L"v2.30|Action=Allow|Active=TRUE|Dir=In|Name=Twin|Desc=planted b|");
    plant(L"{00000000-0000-0000-0000-00000000000A}",
          L"v2.30|Action=Allow|Active=TRUE|Dir=In|Name=Twin|Desc=planted a|");
    assert_int_equal(count(), 2);

    e = new_enum();
    while (!first && IEnumVARIANT_Next(e, 1, &v, NULL) == S_OK) {
        r = rule_of(&v);
        if (wcscmp(GET(r, Name), L"Twin") == 0) {
            first = r;
            wcscpy(first_desc, GET(r, Description));
        } else {
            INetFwRule_Release(r);
        }
    }
    IEnumVARIANT_Release(e);
    assert_non_null(first);
    INetFwRule_Release(first);
    wcscpy(other_desc, wcscmp(first_desc, L"planted a") ? L"planted a" : L"planted b");

    r = must_item(L"Twin");
    assert_wstr_equal(GET(r, Description), first_desc);
    INetFwRule_Release(r);

    assert_hr(remove_rule(L"Twin"), S_OK);
    assert_int_equal(count(), 1);
    r = must_item(L"Twin");
    assert_wstr_equal(GET(r, Description), other_desc);
    INetFwRule_Release(r);
    assert_int_equal(counter(FWDOUBLE_COUNT_REMOVES), 1);
}

static void test_enumeration_returns_every_rule(void **state)
{
    WCHAR id[64], text[128], name[32];
    IEnumVARIANT *e, *clone;
    VARIANT v[5];
    ULONG fetched = 0;
    HKEY key;
    DWORD dword = 1;
    int i, n;
    const WCHAR *names;
    (void)state;
    for (i = 0; i < 30; i++) {
        swprintf(id, ARRAYSIZE(id), L"{00000000-0000-0000-0000-0000000000%02d}", i);
        swprintf(text, ARRAYSIZE(text), L"v2.30|Action=Allow|Active=TRUE|Dir=In|Name=Planted %d|",
                 i);
        plant(id, text);
    }
    add_tcp_rule(L"Added 1", L"1");
    add_tcp_rule(L"Added 2", L"2");
    add_tcp_rule(L"Added 3", L"3");
    /* Values that are not rule strings are passed over, as the firewall passes over a rule it
     * cannot parse. */
    plant(L"{BAD00000-0000-0000-0000-000000000000}", L"not a rule");
    key = open_key(FWDOUBLE_RULES_KEY, FALSE);
    RegSetValueExW(key, L"{BAD00000-0000-0000-0000-000000000001}", 0, REG_DWORD,
                   (const BYTE *)&dword, sizeof(dword));
    RegCloseKey(key);

    names = enumerated_names(&n);
    assert_int_equal(n, 33);
    assert_int_equal(count(), 33);
    for (i = 0; i < 30; i++) {
        swprintf(name, ARRAYSIZE(name), L"Planted %d", i);
        assert_true(enumerates(name));
    }
    assert_non_null(wcsstr(names, L"Added 1\n"));
    assert_true(enumerates(L"Added 2"));
    assert_true(enumerates(L"Added 3"));
    assert_int_equal(counter(FWDOUBLE_COUNT_ENUMERATIONS), 3 + 30);

    /* The IEnumVARIANT contract: batches, Skip, Reset, Clone at the same position. */
    e = new_enum();
    assert_hr(IEnumVARIANT_Next(e, 5, v, &fetched), S_OK);
    assert_int_equal(fetched, 5);
    for (i = 0; i < 5; i++)
        release_item(&v[i]);
    assert_hr(IEnumVARIANT_Skip(e, 25), S_OK);
    assert_hr(IEnumVARIANT_Clone(e, &clone), S_OK);
    assert_hr(IEnumVARIANT_Next(e, 5, v, &fetched), S_FALSE);
    assert_int_equal(fetched, 3);
    for (i = 0; i < 3; i++)
        release_item(&v[i]);
    assert_hr(IEnumVARIANT_Next(clone, 5, v, &fetched), S_FALSE);
    assert_int_equal(fetched, 3);
    for (i = 0; i < 3; i++)
        release_item(&v[i]);
    assert_hr(IEnumVARIANT_Skip(e, 1), S_FALSE);
    assert_hr(IEnumVARIANT_Reset(e), S_OK);
    assert_hr(IEnumVARIANT_Skip(e, 33), S_OK);
    assert_hr(IEnumVARIANT_Next(e, 1, v, NULL), S_FALSE);
    IEnumVARIANT_Release(clone);
    IEnumVARIANT_Release(e);
}

/* ---- validation at put_ time ---- */

static void expect_refused(HRESULT hr)
{
    IErrorInfo *info = NULL;
    BSTR desc = NULL;
    assert_hr(hr, E_INVALIDARG);
    /* The reason is there for a client that asks. */
    assert_hr(GetErrorInfo(0, &info), S_OK);
    assert_non_null(info);
    assert_hr(IErrorInfo_GetDescription(info, &desc), S_OK);
    assert_true(desc && desc[0]);
    SysFreeString(desc);
    IErrorInfo_Release(info);
}

static void test_put_validates_at_once(void **state)
{
    static const WCHAR *const good_ports[] = {L"80",        L"80,443",  L"5000-5010", L"RPC",
                                              L"RPC-EPMap", L"IPHTTPS", L"*"};
    static const WCHAR *const bad_ports[] = {L"5010-5000", L"65536", L"Teredo",
                                             L"80;443",    L"*,80",  L"eighty"};
    static const WCHAR *const good_addrs[] = {L"10.0.0.1",
                                              L"10.0.0.0/24",
                                              L"10.0.0.0/255.255.255.0",
                                              L"10.0.0.1-10.0.0.9",
                                              L"fe80::1",
                                              L"fe80::/64",
                                              L"2001:db8::1-2001:db8::ff",
                                              L"LocalSubnet",
                                              L"DNS",
                                              L"DHCP",
                                              L"WINS",
                                              L"DefaultGateway",
                                              L"Intranet",
                                              L"RmtIntranet",
                                              L"Internet",
                                              L"Ply2Renders",
                                              L"*",
                                              L"LocalSubnet,10.1.2.3,fe80::2"};
    static const WCHAR *const bad_addrs[] = {
        L"10.0.0.256",        L"10.0.0.0/33", L"10.0.0.0/255.0.255.0",
        L"10.0.0.9-10.0.0.1", L"fe80::1::2",  L"LocalSubnet,*",
        L"Everywhere"};
    INetFwRule *r = new_rule(L"Validated");
    size_t i;
    (void)state;

    /* "The Protocol property must be set before the LocalPorts property or an error will be
     * returned." */
    expect_refused(PUT(r, LocalPorts, L"80"));
    expect_refused(PUT(r, RemotePorts, L"80"));
    assert_null(GET(r, LocalPorts));
    assert_hr(INetFwRule_put_Protocol(r, NET_FW_IP_PROTOCOL_TCP), S_OK);
    for (i = 0; i < ARRAYSIZE(good_ports); i++)
        assert_hr(PUT(r, LocalPorts, good_ports[i]), S_OK);
    assert_hr(PUT(r, LocalPorts, L"443,5000-5010"), S_OK);
    for (i = 0; i < ARRAYSIZE(bad_ports); i++) {
        expect_refused(PUT(r, LocalPorts, bad_ports[i]));
        assert_wstr_equal(GET(r, LocalPorts), L"443,5000-5010"); /* unchanged */
    }
    expect_refused(PUT(r, RemotePorts, L"RPC"));
    assert_hr(INetFwRule_put_Protocol(r, NET_FW_IP_PROTOCOL_UDP), S_OK);
    assert_hr(PUT(r, LocalPorts, L"Teredo"), S_OK);
    expect_refused(INetFwRule_put_Protocol(r, 1)); /* ports first */

    for (i = 0; i < ARRAYSIZE(good_addrs); i++)
        assert_hr(PUT(r, RemoteAddresses, good_addrs[i]), S_OK);
    assert_wstr_equal(GET(r, RemoteAddresses), L"LocalSubnet,10.1.2.3/255.255.255.255,fe80::2");
    for (i = 0; i < ARRAYSIZE(bad_addrs); i++) {
        expect_refused(PUT(r, RemoteAddresses, bad_addrs[i]));
        assert_wstr_equal(GET(r, RemoteAddresses), L"LocalSubnet,10.1.2.3/255.255.255.255,fe80::2");
    }
    expect_refused(PUT(r, LocalAddresses, L"LocalSubnet"));
    assert_hr(PUT(r, LocalAddresses, L"192.168.0.0/16"), S_OK);

    expect_refused(PUT(r, Name, L"Left|Right"));
    expect_refused(PUT(r, Name, L"all"));
    expect_refused(PUT(r, Name, L""));
    assert_wstr_equal(GET(r, Name), L"Validated");
    expect_refused(PUT(r, Description, L"a|b"));
    expect_refused(INetFwRule_put_Protocol(r, 257));
    expect_refused(INetFwRule_put_Direction(r, 3));
    expect_refused(INetFwRule_put_Action(r, 2));
    expect_refused(INetFwRule_put_Profiles(r, 8));
    expect_refused(PUT(r, IcmpTypesAndCodes, L"8:*"));
    expect_refused(PUT(r, InterfaceTypes, L"Bluetooth"));
    assert_hr(PUT(r, InterfaceTypes, L"Lan,Wireless"), S_OK);
    INetFwRule_Release(r);

    r = new_rule(L"Ping");
    assert_hr(INetFwRule_put_Protocol(r, 1), S_OK);
    assert_hr(PUT(r, IcmpTypesAndCodes, L"8:*"), S_OK);
    expect_refused(PUT(r, IcmpTypesAndCodes, L"8:300"));
    assert_wstr_equal(GET(r, IcmpTypesAndCodes), L"8:*");
    INetFwRule_Release(r);
}

/* ---- write-through ---- */

static void test_collection_rule_writes_through(void **state)
{
    INetFwRule *r;
    IEnumVARIANT *e;
    VARIANT v;
    WCHAR id[64], external[512];
    (void)state;
    add_tcp_rule(L"Through", L"80");
    wcscpy(id, stored_id(0));
    delete_test_value(FWDOUBLE_COUNT_RULE_WRITES);

    r = must_item(L"Through");
    assert_hr(PUT(r, LocalPorts, L"8080"), S_OK);
    assert_non_null(wcsstr(stored(id), L"|LPort=8080|"));
    assert_hr(INetFwRule_put_Enabled(r, VARIANT_FALSE), S_OK);
    assert_non_null(wcsstr(stored(id), L"|Active=FALSE|"));
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 2);
    expect_refused(PUT(r, LocalPorts, L"x"));
    assert_non_null(wcsstr(stored(id), L"|LPort=8080|"));
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 2);

    /* Read-modify-write: a change made meanwhile by someone else is kept. */
    wcscpy(external, stored(id));
    wcscat(external, L"Desc=set elsewhere|");
    plant(id, external);
    assert_hr(INetFwRule_put_Enabled(r, VARIANT_TRUE), S_OK);
    assert_non_null(wcsstr(stored(id), L"|Active=TRUE|"));
    assert_non_null(wcsstr(stored(id), L"|Desc=set elsewhere|"));
    INetFwRule_Release(r);

    /* A rule obtained by enumeration writes through as well. */
    e = new_enum();
    assert_hr(IEnumVARIANT_Next(e, 1, &v, NULL), S_OK);
    r = rule_of(&v);
    assert_hr(PUT(r, Description, L"via enumeration"), S_OK);
    assert_non_null(wcsstr(stored(id), L"|Desc=via enumeration|"));

    /* Once its value is gone there is nothing to write to. */
    assert_hr(remove_rule(L"Through"), S_OK);
    assert_hr(PUT(r, Description, L"too late"), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(stored_count(), 0);
    INetFwRule_Release(r);
    IEnumVARIANT_Release(e);
}

/* The rule ID decides what is written, never the name. */
static void test_write_through_never_touches_same_named_rule(void **state)
{
    static const WCHAR a[] = L"{00000000-0000-0000-0000-0000000000AA}";
    static const WCHAR b[] = L"{00000000-0000-0000-0000-0000000000BB}";
    static const WCHAR text_a[] = L"v2.30|Action=Allow|Active=TRUE|Dir=In|Name=Same|Desc=a|";
    static const WCHAR text_b[] = L"v2.30|Action=Allow|Active=TRUE|Dir=In|Name=Same|Desc=b|";
    INetFwRule *r;
    const WCHAR *edited, *untouched, *untouched_text;
    (void)state;
    plant(a, text_a);
    plant(b, text_b);
    r = must_item(L"Same");
    edited = wcscmp(GET(r, Description), L"a") == 0 ? a : b;
    untouched = edited == a ? b : a;
    untouched_text = edited == a ? text_b : text_a;
    assert_hr(PUT(r, Description, L"edited"), S_OK);
    assert_non_null(wcsstr(stored(edited), L"|Desc=edited|"));
    assert_wstr_equal(stored(untouched), untouched_text);
    INetFwRule_Release(r);
}

/* A rule planted in Windows' format is read like any other, and the fields the double does not
 * model survive a rewrite, in their order. */
static void test_planted_rule_keeps_unknown_fields(void **state)
{
    static const WCHAR id[] = L"{0F63FC11-772D-4598-AB3A-3F9D739A7A61}";
    INetFwRule *r;
    INetFwRule3 *r3;
    NET_FW_ACTION action;
    NET_FW_RULE_DIRECTION dir;
    VARIANT_BOOL enabled;
    LONG v;
    (void)state;
    plant(id, L"v2.31|Action=Block|Active=TRUE|Dir=Out|Protocol=17|Profile=Private|"
              L"Profile=Public|RPort=53|RPort2_10=5353-5355|RA4=10.0.0.0/255.0.0.0|"
              L"App=C:\\Tools\\dns.exe|Name=Planted DNS|PFN=Contoso.App_1234|Platform=2:6:2|"
              L"Platform2=GTEQ|Security=Authenticate|");
    r = must_item(L"Planted DNS");
    assert_hr(INetFwRule_get_Action(r, &action), S_OK);
    assert_int_equal(action, NET_FW_ACTION_BLOCK);
    assert_hr(INetFwRule_get_Direction(r, &dir), S_OK);
    assert_int_equal(dir, NET_FW_RULE_DIR_OUT);
    assert_hr(INetFwRule_get_Protocol(r, &v), S_OK);
    assert_int_equal(v, NET_FW_IP_PROTOCOL_UDP);
    assert_hr(INetFwRule_get_Profiles(r, &v), S_OK);
    assert_int_equal(v, NET_FW_PROFILE2_PRIVATE | NET_FW_PROFILE2_PUBLIC);
    assert_hr(INetFwRule_get_Enabled(r, &enabled), S_OK);
    assert_int_equal(enabled, VARIANT_TRUE);
    assert_wstr_equal(GET(r, RemotePorts), L"53,5353-5355");
    assert_wstr_equal(GET(r, LocalPorts), L"*");
    assert_wstr_equal(GET(r, RemoteAddresses), L"10.0.0.0/255.0.0.0");
    assert_wstr_equal(GET(r, ApplicationName), L"C:\\Tools\\dns.exe");
    assert_hr(INetFwRule_QueryInterface(r, &IID_INetFwRule3, (void **)&r3), S_OK);
    assert_hr(INetFwRule3_get_SecureFlags(r3, &v), E_NOTIMPL); /* Security= not modelled */
    INetFwRule3_Release(r3);

    assert_hr(INetFwRule_put_Enabled(r, VARIANT_FALSE), S_OK);
    assert_wstr_equal(stored(id), L"v2.31|Action=Block|Active=FALSE|Dir=Out|Protocol=17|"
                                  L"Profile=Private|Profile=Public|RPort=53|"
                                  L"RPort2_10=5353-5355|RA4=10.0.0.0/255.0.0.0|"
                                  L"App=C:\\Tools\\dns.exe|Name=Planted DNS|"
                                  L"PFN=Contoso.App_1234|Platform=2:6:2|Platform2=GTEQ|"
                                  L"Security=Authenticate|");
    INetFwRule_Release(r);
}

static void test_rule2_rule3_properties(void **state)
{
    INetFwRule *r = new_rule(L"Edge and owner");
    INetFwRule2 *r2;
    INetFwRule3 *r3;
    VARIANT_BOOL edge = VARIANT_FALSE;
    BSTR b;
    (void)state;
    assert_hr(INetFwRule_QueryInterface(r, &IID_INetFwRule2, (void **)&r2), S_OK);
    assert_hr(INetFwRule_QueryInterface(r, &IID_INetFwRule3, (void **)&r3), S_OK);
    expect_refused(INetFwRule2_put_EdgeTraversalOptions(r2, 4));
    assert_hr(INetFwRule2_put_EdgeTraversalOptions(r2, 2 /* defer to app */), S_OK);
    assert_hr(INetFwRule_get_EdgeTraversal(r, &edge), S_OK);
    assert_int_equal(edge, VARIANT_TRUE);
    b = SysAllocString(L"S-1-5-21-1-2-3-1001");
    assert_hr(INetFwRule3_put_LocalUserOwner(r3, b), S_OK);
    SysFreeString(b);
    b = SysAllocString(L"O:LSD:(A;;CC;;;WD)");
    assert_hr(INetFwRule3_put_RemoteMachineAuthorizedList(r3, b), S_OK);
    SysFreeString(b);
    assert_hr(INetFwRule3_put_SecureFlags(r3, 2), E_NOTIMPL);
    assert_hr(add(r), S_OK);
    assert_wstr_equal(stored(stored_id(0)),
                      L"v2.30|Action=Allow|Active=FALSE|Dir=In|Name=Edge and owner|"
                      L"LUOwn=S-1-5-21-1-2-3-1001|Edge=TRUE|Defer=App|RMauth=O:LSD:(A;;CC;;;WD)|");
    INetFwRule3_Release(r3);
    INetFwRule2_Release(r2);
    INetFwRule_Release(r);
}

static void test_add_refuses_nameless_and_foreign_rules(void **state)
{
    INetFwRule *r = new_rule(NULL);
    INetFwRules *c = rules();
    (void)state;
    expect_refused(INetFwRules_Add(c, r));
    assert_hr(INetFwRules_Add(c, NULL), E_INVALIDARG);
    assert_int_equal(stored_count(), 0);
    INetFwRules_Release(c);
    INetFwRule_Release(r);
}

/* ---- the policy's collections ---- */

/* get_Rules hands out one collection object for the policy's life, as Windows does (Wine's
 * hnetcfg test test_policy2_rules). */
static void test_get_rules_is_one_collection(void **state)
{
    INetFwPolicy2 *p = policy();
    INetFwRules *a = NULL, *b = NULL;
    (void)state;
    assert_hr(INetFwPolicy2_get_Rules(p, &a), S_OK);
    assert_hr(INetFwPolicy2_get_Rules(p, &b), S_OK);
    assert_ptr_equal(a, b);
    assert_hr(INetFwPolicy2_get_Rules(p, NULL), E_POINTER);
    INetFwRules_Release(a);
    INetFwPolicy2_Release(p);
    /* The collection outlives the policy that handed it out. */
    add_tcp_rule(L"Kept", L"80");
    assert_int_equal(count(), 1);
    INetFwRules_Release(b);
}

/* The service hardening rules are a collection of their own, kept in their own store. */
static void test_service_restriction_has_its_own_rules(void **state)
{
    INetFwPolicy2 *p = policy();
    INetFwServiceRestriction *restriction = NULL;
    INetFwRules *firewall = rules(), *hardening = NULL;
    INetFwRule *r = new_rule(L"Hardening rule"), *found = NULL;
    VARIANT_BOOL restricted;
    BSTR name = SysAllocString(L"Hardening rule");
    LONG n = -1;
    (void)state;
    assert_hr(INetFwPolicy2_get_ServiceRestriction(p, &restriction), S_OK);
    assert_hr(INetFwServiceRestriction_get_Rules(restriction, &hardening), S_OK);
    assert_true(hardening != firewall);
    assert_hr(INetFwServiceRestriction_ServiceRestricted(restriction, name, name, &restricted),
              E_NOTIMPL);
    assert_hr(INetFwRules_Add(hardening, r), S_OK);
    assert_int_equal(value_count(FWDOUBLE_HARDENING_RULES_KEY), 1);
    assert_int_equal(stored_count(), 0);
    assert_hr(INetFwRules_get_Count(hardening, &n), S_OK);
    assert_int_equal(n, 1);
    assert_int_equal(count(), 0);
    assert_hr(INetFwRules_Item(firewall, name, &found), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_hr(INetFwRules_Item(hardening, name, &found), S_OK);
    /* Written through to the hardening store. */
    assert_hr(PUT(found, Description, L"edited"), S_OK);
    INetFwRule_Release(found);
    found = NULL;
    assert_hr(INetFwRules_Item(hardening, name, &found), S_OK);
    assert_wstr_equal(GET(found, Description), L"edited");
    assert_hr(INetFwRules_Remove(hardening, name), S_OK);
    assert_int_equal(value_count(FWDOUBLE_HARDENING_RULES_KEY), 0);
    SysFreeString(name);
    INetFwRule_Release(found);
    INetFwRule_Release(r);
    INetFwRules_Release(hardening);
    INetFwRules_Release(firewall);
    INetFwServiceRestriction_Release(restriction);
    INetFwPolicy2_Release(p);
}

/* ---- Interfaces: friendly names through COM, GUIDs in the store ---- */

/* The first interface GetAdaptersAddresses lists: friendly name and GUID in braces. */
static void some_interface(WCHAR *friendly, WCHAR *guid)
{
    ULONG size = 0;
    IP_ADAPTER_ADDRESSES *all;
    assert_int_equal(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, NULL, &size), ERROR_BUFFER_OVERFLOW);
    all = malloc(size);
    assert_non_null(all);
    assert_int_equal(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, all, &size), NO_ERROR);
    swprintf(friendly, 256, L"%ls", all->FriendlyName);
    swprintf(guid, 64, L"%hs", all->AdapterName);
    free(all);
}

/* A VARIANT of VT_ARRAY | VT_VARIANT holding the BSTRs names[0..n). */
static VARIANT name_list(const WCHAR *const *names, LONG n)
{
    VARIANT v;
    LONG i;
    VariantInit(&v);
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n);
    assert_non_null(V_ARRAY(&v));
    for (i = 0; i < n; i++) {
        VARIANT item;
        V_VT(&item) = VT_BSTR;
        V_BSTR(&item) = SysAllocString(names[i]);
        assert_hr(SafeArrayPutElement(V_ARRAY(&v), &i, &item), S_OK);
        VariantClear(&item);
    }
    return v;
}

static HRESULT put_names(INetFwRule *r, const WCHAR *const *names, LONG n)
{
    VARIANT v = name_list(names, n);
    HRESULT hr = INetFwRule_put_Interfaces(r, v);
    VariantClear(&v);
    return hr;
}

/* Interfaces as "a,b" (NULL for VT_EMPTY); valid until the next call. */
static const WCHAR *interfaces_of(INetFwRule *r)
{
    static WCHAR joined[1024];
    VARIANT v;
    LONG hi = -1, i;
    VariantInit(&v);
    assert_hr(INetFwRule_get_Interfaces(r, &v), S_OK);
    if (V_VT(&v) == VT_EMPTY)
        return NULL;
    assert_int_equal(V_VT(&v), VT_ARRAY | VT_VARIANT);
    joined[0] = 0;
    SafeArrayGetUBound(V_ARRAY(&v), 1, &hi);
    for (i = 0; i <= hi; i++) {
        VARIANT item;
        VariantInit(&item);
        assert_hr(SafeArrayGetElement(V_ARRAY(&v), &i, &item), S_OK);
        assert_int_equal(V_VT(&item), VT_BSTR);
        swprintf(joined + wcslen(joined), 1024 - wcslen(joined), L"%ls%ls", i ? L"," : L"",
                 V_BSTR(&item));
        VariantClear(&item);
    }
    VariantClear(&v);
    return joined;
}

static void test_interfaces_by_friendly_name(void **state)
{
    WCHAR friendly[256], guid[64], field[80], both[400];
    const WCHAR *name;
    const WCHAR *gone = L"{0badc0de-0000-4000-8000-000000000001}", *unknown = L"no such interface";
    INetFwRule *r = new_rule(L"Per interface");
    VARIANT v;
    (void)state;
    some_interface(friendly, guid);
    name = friendly;
    assert_null(interfaces_of(r));
    assert_hr(put_names(r, &name, 1), S_OK);
    assert_wstr_equal(interfaces_of(r), friendly);
    assert_hr(add(r), S_OK);
    swprintf(field, 80, L"|IF=%ls|", guid);
    assert_non_null(wcsstr(stored(stored_id(0)), field));
    INetFwRule_Release(r);

    /* Through Item: a refused list changes nothing; VT_EMPTY clears, written through. */
    r = must_item(L"Per interface");
    assert_wstr_equal(interfaces_of(r), friendly);
    expect_refused(put_names(r, &unknown, 1));
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(friendly);
    expect_refused(INetFwRule_put_Interfaces(r, v));
    VariantClear(&v);
    assert_non_null(wcsstr(stored(stored_id(0)), field));
    VariantInit(&v);
    assert_hr(INetFwRule_put_Interfaces(r, v), S_OK);
    assert_null(interfaces_of(r));
    assert_null(wcsstr(stored(stored_id(0)), L"|IF="));
    INetFwRule_Release(r);

    /* A GUID no interface has reads back as written, and can be written back. */
    plant(L"{5A1D2E7C-1111-4222-8333-944455556666}",
          L"v2.30|Action=Allow|Active=FALSE|Dir=In|Name=Planted per interface|"
          L"IF={0badc0de-0000-4000-8000-000000000001}|");
    r = must_item(L"Planted per interface");
    swprintf(both, 400, L"%ls,%ls", friendly, gone);
    {
        const WCHAR *names[2] = {friendly, gone};
        assert_hr(put_names(r, names, 2), S_OK);
    }
    assert_wstr_equal(interfaces_of(r), both);
    INetFwRule_Release(r);
}

/* ---- two processes ---- */

static DWORD run_child(const WCHAR *mode, const WCHAR *name)
{
    WCHAR exe[MAX_PATH], cmd[MAX_PATH + 256];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 0xdead;
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    assert_true(GetModuleFileNameW(NULL, exe, ARRAYSIZE(exe)) > 0);
    swprintf(cmd, ARRAYSIZE(cmd), L"\"%ls\" %ls \"%ls\"", exe, mode, name);
    assert_true(CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    WaitForSingleObject(pi.hProcess, 60000);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

static void test_processes_share_one_store(void **state)
{
    (void)state;
    assert_int_equal(run_child(L"--child-add", L"Added by another process"), 0);
    assert_true(enumerates(L"Added by another process"));
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 1); /* counted there, read here */

    add_tcp_rule(L"Added by the parent", L"3999");
    assert_int_equal(run_child(L"--child-find", L"Added by the parent"), 0);
    assert_int_equal(run_child(L"--child-find", L"Added by nobody"), 3);
    assert_int_equal(counter(FWDOUBLE_COUNT_ENUMERATIONS), 3);
}

/* ---- policy ---- */

static void test_profile_settings(void **state)
{
    static const LONG profiles[] = {NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE,
                                    NET_FW_PROFILE2_PUBLIC};
    INetFwPolicy2 *p = policy();
    VARIANT_BOOL b;
    NET_FW_ACTION action;
    DWORD stored_value = 99;
    size_t i;
    (void)state;
    /* Absent values are Windows' defaults. */
    for (i = 0; i < ARRAYSIZE(profiles); i++) {
        assert_hr(INetFwPolicy2_get_FirewallEnabled(p, profiles[i], &b), S_OK);
        assert_int_equal(b, VARIANT_TRUE);
        assert_hr(INetFwPolicy2_get_DefaultInboundAction(p, profiles[i], &action), S_OK);
        assert_int_equal(action, NET_FW_ACTION_BLOCK);
        assert_hr(INetFwPolicy2_get_DefaultOutboundAction(p, profiles[i], &action), S_OK);
        assert_int_equal(action, NET_FW_ACTION_ALLOW);
    }

    /* The private profile is StandardProfile in the registry. */
    assert_hr(INetFwPolicy2_put_FirewallEnabled(p, NET_FW_PROFILE2_PRIVATE, VARIANT_FALSE), S_OK);
    assert_true(profile_value(L"StandardProfile", L"EnableFirewall", &stored_value));
    assert_int_equal(stored_value, 0);
    assert_hr(INetFwPolicy2_get_FirewallEnabled(p, NET_FW_PROFILE2_PRIVATE, &b), S_OK);
    assert_int_equal(b, VARIANT_FALSE);
    assert_hr(INetFwPolicy2_get_FirewallEnabled(p, NET_FW_PROFILE2_DOMAIN, &b), S_OK);
    assert_int_equal(b, VARIANT_TRUE);

    /* Stored actions are "block" flags: 1 = block. */
    assert_hr(
        INetFwPolicy2_put_DefaultInboundAction(p, NET_FW_PROFILE2_DOMAIN, NET_FW_ACTION_ALLOW),
        S_OK);
    assert_true(profile_value(L"DomainProfile", L"DefaultInboundAction", &stored_value));
    assert_int_equal(stored_value, 0);
    set_profile_value(L"PublicProfile", L"DefaultOutboundAction", 1);
    assert_hr(INetFwPolicy2_get_DefaultOutboundAction(p, NET_FW_PROFILE2_PUBLIC, &action), S_OK);
    assert_int_equal(action, NET_FW_ACTION_BLOCK);
    set_profile_value(L"PublicProfile", L"EnableFirewall", 0);
    assert_hr(INetFwPolicy2_get_FirewallEnabled(p, NET_FW_PROFILE2_PUBLIC, &b), S_OK);
    assert_int_equal(b, VARIANT_FALSE);

    /* One profile at a time. */
    assert_hr(
        INetFwPolicy2_get_FirewallEnabled(p, NET_FW_PROFILE2_DOMAIN | NET_FW_PROFILE2_PUBLIC, &b),
        E_INVALIDARG);
    assert_hr(INetFwPolicy2_put_DefaultOutboundAction(p, NET_FW_PROFILE2_ALL, NET_FW_ACTION_BLOCK),
              E_INVALIDARG);
    assert_hr(INetFwPolicy2_put_DefaultOutboundAction(p, NET_FW_PROFILE2_DOMAIN, 7), E_INVALIDARG);
    INetFwPolicy2_Release(p);
}

static void test_current_profile_and_modify_state(void **state)
{
    INetFwPolicy2 *p = policy();
    NET_FW_MODIFY_STATE modify;
    LONG current;
    (void)state;
    assert_hr(INetFwPolicy2_get_CurrentProfileTypes(p, &current), S_OK);
    assert_int_equal(current, NET_FW_PROFILE2_DOMAIN);
    assert_hr(INetFwPolicy2_get_LocalPolicyModifyState(p, &modify), S_OK);
    assert_int_equal(modify, NET_FW_MODIFY_STATE_OK);
    set_test_value(FWDOUBLE_CURRENT_PROFILE_TYPES,
                   NET_FW_PROFILE2_PRIVATE | NET_FW_PROFILE2_PUBLIC);
    set_test_value(FWDOUBLE_LOCAL_POLICY_MODIFY_STATE, NET_FW_MODIFY_STATE_GP_OVERRIDE);
    assert_hr(INetFwPolicy2_get_CurrentProfileTypes(p, &current), S_OK);
    assert_int_equal(current, NET_FW_PROFILE2_PRIVATE | NET_FW_PROFILE2_PUBLIC);
    assert_hr(INetFwPolicy2_get_LocalPolicyModifyState(p, &modify), S_OK);
    assert_int_equal(modify, NET_FW_MODIFY_STATE_GP_OVERRIDE);
    INetFwPolicy2_Release(p);
}

/* ---- fault injection and counters ---- */

static void test_fault_on_nth_write(void **state)
{
    INetFwRule *r;
    (void)state;
    set_test_value(FWDOUBLE_FAIL_WRITE_NUMBER, 2);
    add_tcp_rule(L"Write 1", L"1");
    r = new_rule(L"Write 2");
    assert_hr(add(r), E_ACCESSDENIED);
    INetFwRule_Release(r);
    add_tcp_rule(L"Write 3", L"3");
    assert_int_equal(count(), 2);
    assert_hr(item(L"Write 2", &r), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 3);
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 2);
}

static void test_fault_on_every_write_after_n(void **state)
{
    const HRESULT disk_full = HRESULT_FROM_WIN32(ERROR_DISK_FULL);
    INetFwRule *r;
    WCHAR before[512];
    (void)state;
    set_test_value(FWDOUBLE_FAIL_WRITES_AFTER, 1);
    set_test_value(FWDOUBLE_FAIL_HRESULT, (DWORD)disk_full);
    add_tcp_rule(L"Only write", L"80");
    wcscpy(before, stored(stored_id(0)));

    r = must_item(L"Only write");
    assert_hr(PUT(r, Description, L"refused"), disk_full);
    assert_wstr_equal(stored(stored_id(0)), before);
    assert_null(GET(r, Description)); /* the object keeps what is stored */
    assert_hr(remove_rule(L"Only write"), disk_full);
    assert_int_equal(count(), 1);
    assert_int_equal(counter(FWDOUBLE_COUNT_REMOVES), 0);

    delete_test_value(FWDOUBLE_FAIL_WRITES_AFTER);
    assert_hr(PUT(r, Description, L"accepted"), S_OK);
    assert_hr(remove_rule(L"Only write"), S_OK);
    assert_int_equal(count(), 0);
    INetFwRule_Release(r);

    set_test_value(FWDOUBLE_FAIL_WRITES_AFTER, 0);
    delete_test_value(FWDOUBLE_FAIL_HRESULT);
    r = new_rule(L"No write at all");
    assert_hr(add(r), E_ACCESSDENIED);
    INetFwRule_Release(r);
}

static void test_counters(void **state)
{
    INetFwRule *r;
    IEnumVARIANT *e;
    DWORD reads;
    (void)state;
    add_tcp_rule(L"Counted a", L"1");
    add_tcp_rule(L"Counted b", L"2");
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 2);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 2);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_READS), 0);
    assert_int_equal(counter(FWDOUBLE_COUNT_ENUMERATIONS), 0);

    e = new_enum();
    IEnumVARIANT_Release(e);
    assert_int_equal(counter(FWDOUBLE_COUNT_ENUMERATIONS), 1);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_READS), 2);

    r = must_item(L"Counted b");
    reads = counter(FWDOUBLE_COUNT_RULE_READS);
    assert_true(reads >= 3 && reads <= 4);
    INetFwRule_Release(r);

    assert_hr(remove_rule(L"Counted a"), S_OK);
    assert_hr(remove_rule(L"Not there"), S_OK);
    assert_int_equal(counter(FWDOUBLE_COUNT_REMOVES), 1);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 3);

    /* Resetting is deleting the test key. */
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY);
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 0);
    add_tcp_rule(L"Counted c", L"3");
    assert_int_equal(counter(FWDOUBLE_COUNT_ADDS), 1);
    assert_int_equal(counter(FWDOUBLE_COUNT_RULE_WRITES), 1);
}

/* ---- the second process of the cross-process test ---- */

static int child(const char *mode, const char *name)
{
    WCHAR wname[256];
    int rc = 1;
    MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, ARRAYSIZE(wname));
    if (FAILED(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)))
        return 2;
    if (strcmp(mode, "--child-add") == 0) {
        INetFwRule *r = NULL;
        INetFwRules *c = NULL;
        INetFwPolicy2 *p = NULL;
        BSTR b = SysAllocString(wname);
        if (SUCCEEDED(CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER,
                                       &IID_INetFwRule, (void **)&r)) &&
            SUCCEEDED(INetFwRule_put_Name(r, b)) &&
            SUCCEEDED(CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER,
                                       &IID_INetFwPolicy2, (void **)&p)) &&
            SUCCEEDED(INetFwPolicy2_get_Rules(p, &c)) && SUCCEEDED(INetFwRules_Add(c, r)))
            rc = 0;
        SysFreeString(b);
        if (c)
            INetFwRules_Release(c);
        if (p)
            INetFwPolicy2_Release(p);
        if (r)
            INetFwRule_Release(r);
    } else if (strcmp(mode, "--child-find") == 0) {
        rc = enumerates(wname) ? 0 : 3;
    }
    CoUninitialize();
    return rc;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_clsids_point_at_double, setup),
        cmocka_unit_test_setup(test_add_stores_windows_rule_string, setup),
        cmocka_unit_test_setup(test_new_rule_defaults, setup),
        cmocka_unit_test_setup(test_unadded_rule_changes_nothing, setup),
        cmocka_unit_test_setup(test_item_on_missing_name, setup),
        cmocka_unit_test_setup(test_add_of_rule_in_collection_is_unexpected, setup),
        cmocka_unit_test_setup(test_duplicate_names, setup),
        cmocka_unit_test_setup(test_enumeration_returns_every_rule, setup),
        cmocka_unit_test_setup(test_put_validates_at_once, setup),
        cmocka_unit_test_setup(test_collection_rule_writes_through, setup),
        cmocka_unit_test_setup(test_write_through_never_touches_same_named_rule, setup),
        cmocka_unit_test_setup(test_planted_rule_keeps_unknown_fields, setup),
        cmocka_unit_test_setup(test_rule2_rule3_properties, setup),
        cmocka_unit_test_setup(test_add_refuses_nameless_and_foreign_rules, setup),
        cmocka_unit_test_setup(test_get_rules_is_one_collection, setup),
        cmocka_unit_test_setup(test_service_restriction_has_its_own_rules, setup),
        cmocka_unit_test_setup(test_interfaces_by_friendly_name, setup),
        cmocka_unit_test_setup(test_processes_share_one_store, setup),
        cmocka_unit_test_setup(test_profile_settings, setup),
        cmocka_unit_test_setup(test_current_profile_and_modify_state, setup),
        cmocka_unit_test_setup(test_fault_on_nth_write, setup),
        cmocka_unit_test_setup(test_fault_on_every_write_after_n, setup),
        cmocka_unit_test_setup(test_counters, setup),
    };
    int failed;

    if (argc == 3)
        return child(argv[1], argv[2]);
    if (FAILED(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)))
        return 1;
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    reset_store();
    CoUninitialize();
    return failed;
}
