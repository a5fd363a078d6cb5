/* The double's state, all of it in the registry of the prefix.
 *
 * Rules sit where Windows keeps them (a store is the key of one collection: FWDOUBLE_RULES_KEY
 * for the firewall's, FWDOUBLE_HARDENING_RULES_KEY for Windows Service Hardening's), so every
 * process of the prefix (tests, the agent's service, msiexec) sees one store, `wine reg query`
 * shows it and rules planted there are read like any other. Nothing is cached from one call to the
 * next: a cache would go stale the moment another process changed the store. */
#include <stdlib.h>
#include <string.h>

#include "fwdouble.h"
#include "private.h"

#define REG_VIEW KEY_WOW64_64KEY

/* Counters and the write numbering are read-modify-write across processes. */
#define COUNTER_MUTEX L"Global\\dloagent-fwdouble-counters"

void stored_rules_free(struct stored_rule *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(v[i].id);
        fwrule_free(&v[i].rule);
    }
    free(v);
}

static HANDLE lock_counters(void)
{
    HANDLE m = CreateMutexW(NULL, FALSE, COUNTER_MUTEX);
    if (m)
        WaitForSingleObject(m, INFINITE);
    return m;
}

static void unlock_counters(HANDLE m)
{
    if (m) {
        ReleaseMutex(m);
        CloseHandle(m);
    }
}

static BOOL test_value(HKEY key, const WCHAR *name, DWORD *out)
{
    DWORD size = sizeof(*out), type;
    return RegQueryValueExW(key, name, NULL, &type, (BYTE *)out, &size) == ERROR_SUCCESS &&
           type == REG_DWORD && size == sizeof(*out);
}

DWORD store_test_dword(const WCHAR *name, DWORD def)
{
    HKEY key;
    DWORD v;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY, 0, KEY_QUERY_VALUE | REG_VIEW, &key))
        return def;
    if (!test_value(key, name, &v))
        v = def;
    RegCloseKey(key);
    return v;
}

static HKEY open_test_key(void)
{
    HKEY key;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, FWDOUBLE_TEST_KEY, 0, NULL, 0,
                        KEY_QUERY_VALUE | KEY_SET_VALUE | REG_VIEW, NULL, &key, NULL))
        return NULL;
    return key;
}

void store_count(const WCHAR *counter, DWORD delta)
{
    HANDLE m;
    HKEY key;
    DWORD v;
    if (!delta)
        return;
    m = lock_counters();
    key = open_test_key();
    if (key) {
        if (!test_value(key, counter, &v))
            v = 0;
        v += delta;
        RegSetValueExW(key, counter, 0, REG_DWORD, (const BYTE *)&v, sizeof(v));
        RegCloseKey(key);
    }
    unlock_counters(m);
}

/* Numbers this write and decides, from the test key, whether it is one that must fail. */
static HRESULT begin_write(void)
{
    HANDLE m = lock_counters();
    HKEY key = open_test_key();
    DWORD n = 0, nth, after, hr = S_OK;
    if (key) {
        if (!test_value(key, FWDOUBLE_COUNT_RULE_WRITES, &n))
            n = 0;
        n++;
        RegSetValueExW(key, FWDOUBLE_COUNT_RULE_WRITES, 0, REG_DWORD, (const BYTE *)&n, sizeof(n));
        if ((test_value(key, FWDOUBLE_FAIL_WRITE_NUMBER, &nth) && nth && n == nth) ||
            (test_value(key, FWDOUBLE_FAIL_WRITES_AFTER, &after) && n > after)) {
            if (!test_value(key, FWDOUBLE_FAIL_HRESULT, &hr))
                hr = (DWORD)E_ACCESSDENIED;
        }
        RegCloseKey(key);
    }
    unlock_counters(m);
    return (HRESULT)hr;
}

static HRESULT open_rules(const WCHAR *store, REGSAM access, BOOL create, HKEY *key)
{
    LONG err;
    if (create)
        err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, store, 0, NULL, 0, access | REG_VIEW, NULL, key,
                              NULL);
    else
        err = RegOpenKeyExW(HKEY_LOCAL_MACHINE, store, 0, access | REG_VIEW, key);
    return HRESULT_FROM_WIN32(err);
}

/* Reads one REG_SZ into a new buffer; ERROR_INVALID_DATA when it is not a string. */
static LONG read_sz(HKEY key, const WCHAR *name, WCHAR **out)
{
    DWORD type, size = 0;
    WCHAR *buf;
    LONG err = RegQueryValueExW(key, name, NULL, &type, NULL, &size);
    if (err)
        return err;
    if (type != REG_SZ && type != REG_EXPAND_SZ)
        return ERROR_INVALID_DATA;
    buf = malloc(size + sizeof(WCHAR));
    if (!buf)
        return ERROR_OUTOFMEMORY;
    err = RegQueryValueExW(key, name, NULL, &type, (BYTE *)buf, &size);
    if (err) {
        free(buf);
        return err;
    }
    buf[size / sizeof(WCHAR)] = 0;
    *out = buf;
    return ERROR_SUCCESS;
}

/* Walks the store in enumeration order. visit returns S_OK to go on, S_FALSE to stop, or an
 * error. Values that are not rule strings are passed over, as the firewall passes over a rule it
 * cannot parse. */
typedef HRESULT (*visit_fn)(void *ctx, WCHAR *id, struct fwrule *rule);

static HRESULT walk(const WCHAR *store, visit_fn visit, void *ctx)
{
    HKEY key;
    DWORD count, max_name, max_data, i, reads = 0;
    WCHAR *name = NULL;
    BYTE *data = NULL;
    HRESULT hr = open_rules(store, KEY_QUERY_VALUE, FALSE, &key);

    if (hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND))
        return S_OK;
    if (FAILED(hr))
        return hr;
    hr = hresult_from_win32(RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &count,
                                             &max_name, &max_data, NULL, NULL));
    if (FAILED(hr))
        goto cleanup_key;
    name = malloc((max_name + 1) * sizeof(WCHAR));
    data = malloc(max_data + sizeof(WCHAR));
    if (!name || !data) {
        hr = E_OUTOFMEMORY;
        goto cleanup_buffers;
    }
    for (i = 0;; i++) {
        DWORD name_len = max_name + 1, size = max_data, type;
        struct fwrule rule;
        LONG err = RegEnumValueW(key, i, name, &name_len, NULL, &type, data, &size);
        if (err == ERROR_NO_MORE_ITEMS)
            break;
        if (err) {
            hr = HRESULT_FROM_WIN32(err);
            break;
        }
        reads++;
        if (type != REG_SZ)
            continue;
        ((WCHAR *)data)[size / sizeof(WCHAR)] = 0;
        if (fwrule_parse((WCHAR *)data, &rule, NULL))
            continue;
        hr = visit(ctx, name, &rule);
        if (hr != S_OK)
            break;
    }
    if (hr == S_FALSE)
        hr = S_OK;

cleanup_buffers:
    free(name);
    free(data);
cleanup_key:
    RegCloseKey(key);
    store_count(FWDOUBLE_COUNT_RULE_READS, reads);
    return hr;
}

struct list_ctx {
    struct stored_rule *v;
    size_t n, cap;
};

static HRESULT list_visit(void *ctx, WCHAR *id, struct fwrule *rule)
{
    struct list_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct stored_rule *v = realloc(c->v, cap * sizeof(*v));
        if (!v)
            goto oom;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n].id = _wcsdup(id);
    if (!c->v[c->n].id)
        goto oom;
    c->v[c->n].rule = *rule;
    c->n++;
    return S_OK;
oom:
    fwrule_free(rule);
    return E_OUTOFMEMORY;
}

HRESULT store_list(const WCHAR *store, struct stored_rule **out, size_t *n)
{
    struct list_ctx c = {0};
    HRESULT hr = walk(store, list_visit, &c);
    if (FAILED(hr)) {
        stored_rules_free(c.v, c.n);
        return hr;
    }
    *out = c.v;
    *n = c.n;
    return S_OK;
}

struct find_ctx {
    const WCHAR *name;
    struct stored_rule *out;
    BOOL found;
    BOOL ignore_case;
};

static HRESULT find_visit(void *ctx, WCHAR *id, struct fwrule *rule)
{
    struct find_ctx *c = ctx;
    if (!rule->name ||
        (c->ignore_case ? _wcsicmp(rule->name, c->name) : wcscmp(rule->name, c->name)) != 0) {
        fwrule_free(rule);
        return S_OK;
    }
    c->out->id = _wcsdup(id);
    if (!c->out->id) {
        fwrule_free(rule);
        return E_OUTOFMEMORY;
    }
    c->out->rule = *rule;
    c->found = TRUE;
    return S_FALSE;
}

HRESULT store_find_by_name(const WCHAR *store, const WCHAR *name, struct stored_rule *out)
{
    struct find_ctx c = {name, out, FALSE, store_test_dword(FWDOUBLE_NAMES_IGNORE_CASE, 0) != 0};
    HRESULT hr = walk(store, find_visit, &c);
    if (FAILED(hr))
        return hr;
    return c.found ? S_OK : S_FALSE;
}

HRESULT store_read(const WCHAR *store, const WCHAR *id, struct fwrule *out)
{
    HKEY key;
    WCHAR *text;
    LONG err;
    HRESULT hr = open_rules(store, KEY_QUERY_VALUE, FALSE, &key);
    if (FAILED(hr))
        return hr;
    err = read_sz(key, id, &text);
    RegCloseKey(key);
    if (err)
        return HRESULT_FROM_WIN32(err);
    store_count(FWDOUBLE_COUNT_RULE_READS, 1);
    hr = fwrule_parse(text, out, NULL) ? HRESULT_FROM_WIN32(ERROR_INVALID_DATA) : S_OK;
    free(text);
    return hr;
}

HRESULT store_write(const WCHAR *store, const WCHAR *id, const struct fwrule *rule)
{
    HKEY key;
    WCHAR *text = fwrule_format(rule);
    HRESULT hr;
    if (!text)
        return E_OUTOFMEMORY;
    hr = begin_write();
    if (FAILED(hr))
        goto cleanup_text;
    hr = open_rules(store, KEY_SET_VALUE, TRUE, &key);
    if (FAILED(hr))
        goto cleanup_text;
    hr = hresult_from_win32(RegSetValueExW(key, id, 0, REG_SZ, (const BYTE *)text,
                                           (DWORD)((wcslen(text) + 1) * sizeof(WCHAR))));
    RegCloseKey(key);
cleanup_text:
    free(text);
    return hr;
}

HRESULT store_delete(const WCHAR *store, const WCHAR *id)
{
    HKEY key;
    HRESULT hr = begin_write();
    if (FAILED(hr))
        return hr;
    hr = open_rules(store, KEY_SET_VALUE, FALSE, &key);
    if (FAILED(hr))
        return hr;
    hr = hresult_from_win32(RegDeleteValueW(key, id));
    RegCloseKey(key);
    return hr;
}

static const WCHAR *profile_key(LONG profile)
{
    switch (profile) {
    case NET_FW_PROFILE2_DOMAIN:
        return FWDOUBLE_POLICY_KEY L"\\DomainProfile";
    case NET_FW_PROFILE2_PRIVATE:
        return FWDOUBLE_POLICY_KEY L"\\StandardProfile";
    case NET_FW_PROFILE2_PUBLIC:
        return FWDOUBLE_POLICY_KEY L"\\PublicProfile";
    }
    return NULL;
}

HRESULT store_profile_get(LONG profile, const WCHAR *name, DWORD def, DWORD *out)
{
    const WCHAR *path = profile_key(profile);
    HKEY key;
    if (!path)
        return E_INVALIDARG;
    *out = def;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_QUERY_VALUE | REG_VIEW, &key))
        return S_OK;
    if (!test_value(key, name, out))
        *out = def;
    RegCloseKey(key);
    return S_OK;
}

HRESULT store_profile_set(LONG profile, const WCHAR *name, DWORD value)
{
    const WCHAR *path = profile_key(profile);
    HKEY key;
    LONG err;
    if (!path)
        return E_INVALIDARG;
    err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_SET_VALUE | REG_VIEW, NULL,
                          &key, NULL);
    if (err)
        return HRESULT_FROM_WIN32(err);
    err = RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof(value));
    RegCloseKey(key);
    return HRESULT_FROM_WIN32(err);
}
