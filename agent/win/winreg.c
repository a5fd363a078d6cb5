#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/trust.h"
#include "win/fssec.h"
#include "win/winreg.h"
#include "win/winutil.h"

/* Converts the UTF-16 strings of a REG_SZ or REG_MULTI_SZ (nchars characters, the buffer
 * zero-padded past them) into out. */
static dlo_status strings_to_utf8(const wchar_t *w, size_t nchars, int multi, dlo_reg_value *out)
{
    const wchar_t *p = w, *end = w + nchars;
    size_t cap = 0;
    char *text = NULL;

    while (p < end || (!multi && p == w)) {
        size_t len = wcsnlen(p, (size_t)(end - p));
        char *s, *grown;
        size_t n;

        /* A REG_MULTI_SZ ends at its first empty string. */
        if (multi && len == 0)
            break;
        s = win_utf16_to_utf8(p);
        if (!s) {
            free(text);
            return DLO_E_NOMEM;
        }
        n = strlen(s) + 1;
        grown = realloc(text, cap + n);
        if (!grown) {
            free(s);
            free(text);
            return DLO_E_NOMEM;
        }
        text = grown;
        memcpy(text + cap, s, n);
        cap += n;
        free(s);
        out->count++;
        p += len + 1;
        if (!multi)
            break;
    }
    if (!text) {
        text = calloc(1, 1);
        if (!text)
            return DLO_E_NOMEM;
        cap = 1;
    }
    out->text = text;
    out->text_len = cap;
    if (!multi)
        out->count = 0;
    return DLO_OK;
}

static REGSAM view_flag(dlo_reg_view view)
{
    return view == DLO_REG_VIEW_32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
}

/* Opens HKLM\key in view. DLO_E_NOTFOUND, with no message, when it does not exist. */
static dlo_status open_key(dlo_reg_view view, const char *key, REGSAM access, HKEY *out,
                           dlo_error *err)
{
    wchar_t *wkey = win_utf8_to_utf16(key, strlen(key));
    char what[600];
    LSTATUS rc;

    if (!wkey)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, access | view_flag(view), out);
    free(wkey);
    if (rc == ERROR_SUCCESS)
        return DLO_OK;
    if (rc == ERROR_FILE_NOT_FOUND)
        return DLO_E_NOTFOUND;
    snprintf(what, sizeof(what), "HKLM\\%s (%s) cannot be opened", key, dlo_reg_view_name(view));
    return win_error_set(err, (unsigned long)rc, what);
}

/* The data of value wname of h, in a buffer with room for two extra NUL characters (registry
 * strings need not be terminated); *data is NULL when the value is larger than the reader
 * accepts. Returns the Win32 status. */
static LSTATUS query_value(HKEY h, const wchar_t *wname, DWORD *type, BYTE **data, DWORD *size)
{
    LSTATUS rc = ERROR_SUCCESS;
    int attempt;

    *data = NULL;
    /* The value may change between the size query and the read: try again a few times. */
    for (attempt = 0; attempt < 4; attempt++) {
        rc = RegQueryValueExW(h, wname, NULL, type, NULL, size);
        if (rc != ERROR_SUCCESS || *size > DLO_REG_MAX_READ)
            return rc;
        free(*data);
        *data = calloc(1, (size_t)*size + 2 * sizeof(wchar_t));
        if (!*data)
            return ERROR_NOT_ENOUGH_MEMORY;
        rc = RegQueryValueExW(h, wname, NULL, type, *data, size);
        if (rc != ERROR_MORE_DATA)
            return rc;
    }
    return rc;
}

/* A REG_EXPAND_SZ with its %VARIABLES% replaced, as a newly allocated string (free()). */
static wchar_t *expand(const wchar_t *s)
{
    DWORD n = ExpandEnvironmentStringsW(s, NULL, 0);
    wchar_t *out;

    if (n == 0)
        return NULL;
    out = malloc((size_t)n * sizeof(wchar_t));
    if (out && ExpandEnvironmentStringsW(s, out, n) != n) {
        free(out);
        out = NULL;
    }
    return out;
}

/* Fills out from the raw data of a value. The size of a number is checked by
 * dlo_registry_read; here a number is taken only when it has exactly its size. */
static dlo_status decode_value(DWORD type, const BYTE *data, DWORD size, dlo_reg_value *out)
{
    const wchar_t *w = (const wchar_t *)data;
    wchar_t *expanded = NULL;
    dlo_status st = DLO_OK;
    int i;

    switch (type) {
    case REG_EXPAND_SZ:
        expanded = expand(w);
        if (!expanded)
            return DLO_E_NOMEM;
        st = strings_to_utf8(expanded, wcslen(expanded), 0, out);
        free(expanded);
        break;
    case REG_SZ:
    case REG_MULTI_SZ:
        st = strings_to_utf8(w, size / sizeof(wchar_t), type == REG_MULTI_SZ, out);
        break;
    case REG_DWORD:
        if (size == 4)
            out->number = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
                          (uint64_t)data[3] << 24;
        break;
    case REG_QWORD:
        for (i = 7; size == 8 && i >= 0; i--)
            out->number = out->number << 8 | data[i];
        break;
    default:
        break;
    }
    return st;
}

/* The configuration keys decide which ports open: their values are read only while nobody but
 * SYSTEM, Administrators and TrustedInstaller can change them (dlo_trust_key), checked at each
 * read so that a DACL loosened since the last one counts. ctx is non-NULL for the checked seam
 * (win_registry); the unchecked one (win_registry_unchecked) reads what is there. */
static dlo_status check_key(const void *ctx, dlo_reg_view view, const char *key, dlo_error *err)
{
    if (!ctx || !dlo_trust_key_needed(key))
        return DLO_OK;
    return dlo_trust_key(win_key_security(), view, key, err);
}

static dlo_status win_reg_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                               dlo_reg_value *out, dlo_error *err)
{
    wchar_t *wname = win_utf8_to_utf16(name, strlen(name));
    BYTE *data = NULL;
    HKEY h = NULL;
    DWORD type = 0, size = 0;
    LSTATUS rc;
    dlo_status st;
    char what[600];

    dlo_reg_value_init(out);
    if (!wname)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    st = check_key(ctx, view, key, err);
    if (!st)
        st = open_key(view, key, KEY_QUERY_VALUE, &h, err);
    if (st)
        goto cleanup_name;
    rc = query_value(h, wname, &type, &data, &size);
    RegCloseKey(h);
    out->type = type;
    out->size = size;
    if (rc == ERROR_FILE_NOT_FOUND) {
        st = DLO_E_NOTFOUND;
    } else if (rc != ERROR_SUCCESS) {
        snprintf(what, sizeof(what), "HKLM\\%s value %s (%s) cannot be read", key,
                 name[0] ? name : "(default)", dlo_reg_view_name(view));
        st = win_error_set(err, (unsigned long)rc, what);
    } else if (!data) {
        out->oversize = 1;
    } else if (decode_value(type, data, size, out)) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    free(data);
cleanup_name:
    free(wname);
    if (st)
        dlo_reg_value_free(out);
    return st;
}

static dlo_status win_reg_subkeys(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                                  dlo_error *err)
{
    wchar_t name[256]; /* a key name has at most 255 characters */
    char what[600];
    HKEY h;
    DWORD i;
    LSTATUS rc;
    dlo_status st;

    (void)ctx;
    st = open_key(view, key, KEY_ENUMERATE_SUB_KEYS, &h, err);
    if (st)
        return st;
    for (i = 0;; i++) {
        DWORD len = sizeof(name) / sizeof(name[0]);
        char *utf8;

        rc = RegEnumKeyExW(h, i, name, &len, NULL, NULL, NULL, NULL);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS) {
            snprintf(what, sizeof(what), "cannot list HKLM\\%s (%s)", key, dlo_reg_view_name(view));
            st = win_error_set(err, (unsigned long)rc, what);
            break;
        }
        utf8 = win_utf16_to_utf8(name);
        st = utf8 ? dlo_strlist_add(out, utf8) : DLO_E_NOMEM;
        free(utf8);
        if (st) {
            dlo_error_set(err, st, "out of memory");
            break;
        }
    }
    RegCloseKey(h);
    return st;
}

/* Buffers for RegEnumValueW: the longest name and data the key holds, data capped at what the
 * reader accepts. */
typedef struct value_bufs {
    wchar_t *name;
    DWORD name_cap; /* characters, terminator included */
    BYTE *data;
    DWORD data_cap; /* bytes, two NUL characters of room past it */
} value_bufs;

static LSTATUS value_bufs_grow(value_bufs *b, DWORD name_len, DWORD data_len)
{
    if (data_len > DLO_REG_MAX_READ)
        data_len = DLO_REG_MAX_READ;
    if (name_len + 1 > b->name_cap) {
        free(b->name);
        b->name_cap = name_len + 1;
        b->name = malloc((size_t)b->name_cap * sizeof(wchar_t));
    }
    if (data_len > b->data_cap || !b->data) {
        free(b->data);
        b->data_cap = data_len;
        b->data = malloc((size_t)b->data_cap + 2 * sizeof(wchar_t));
    }
    return b->name && b->data ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

/* Value i of h into b and out. A value larger than the reader accepts comes back oversize; one
 * that grew since the buffers were sized makes them grow. */
static LSTATUS enum_value(HKEY h, DWORD i, value_bufs *b, dlo_reg_value *out)
{
    for (;;) {
        DWORD nlen = b->name_cap, size = b->data_cap, type = 0;
        LSTATUS rc = RegEnumValueW(h, i, b->name, &nlen, NULL, &type, b->data, &size);
        if (rc == ERROR_MORE_DATA) {
            nlen = b->name_cap;
            rc = RegEnumValueW(h, i, b->name, &nlen, NULL, &type, NULL, &size);
            if (rc == ERROR_MORE_DATA) /* the name itself grew */
                rc = value_bufs_grow(b, b->name_cap * 2, b->data_cap);
            else if (rc == ERROR_SUCCESS && size <= DLO_REG_MAX_READ)
                rc = value_bufs_grow(b, nlen, size);
            else if (rc == ERROR_SUCCESS) {
                out->type = type;
                out->size = size;
                out->oversize = 1;
                return ERROR_SUCCESS;
            }
            if (rc != ERROR_SUCCESS)
                return rc;
            continue;
        }
        if (rc != ERROR_SUCCESS)
            return rc;
        memset(b->data + size, 0, 2 * sizeof(wchar_t));
        out->type = type;
        out->size = size;
        return decode_value(type, b->data, size, out) ? ERROR_NOT_ENOUGH_MEMORY : ERROR_SUCCESS;
    }
}

static dlo_status win_reg_values(void *ctx, dlo_reg_view view, const char *key, dlo_reg_value_fn fn,
                                 void *user, dlo_error *err)
{
    value_bufs b = {0};
    DWORD i, name_len = 0, data_len = 0;
    char what[600];
    HKEY h;
    LSTATUS rc;
    dlo_status st;

    st = check_key(ctx, view, key, err);
    if (!st)
        st = open_key(view, key, KEY_QUERY_VALUE, &h, err);
    if (st)
        return st;
    rc = RegQueryInfoKeyW(h, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &name_len, &data_len, NULL,
                          NULL);
    if (rc == ERROR_SUCCESS)
        rc = value_bufs_grow(&b, name_len, data_len);
    for (i = 0; rc == ERROR_SUCCESS && !st; i++) {
        dlo_reg_value v;
        char *name;
        dlo_reg_value_init(&v);
        rc = enum_value(h, i, &b, &v);
        if (rc == ERROR_SUCCESS) {
            name = win_utf16_to_utf8(b.name);
            st = name ? fn(user, name, &v, err) : dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            free(name);
        }
        dlo_reg_value_free(&v);
    }
    RegCloseKey(h);
    free(b.name);
    free(b.data);
    if (!st && rc != ERROR_NO_MORE_ITEMS) {
        snprintf(what, sizeof(what), "cannot list the values of HKLM\\%s (%s)", key,
                 dlo_reg_view_name(view));
        st = win_error_set(err, (unsigned long)rc, what);
    }
    return st;
}

const dlo_registry *win_registry(void)
{
    static const char checked = 1;
    static const dlo_registry reg = {(void *)&checked, win_reg_read, win_reg_subkeys,
                                     win_reg_values};
    return &reg;
}

const dlo_registry *win_registry_unchecked(void)
{
    static const dlo_registry reg = {NULL, win_reg_read, win_reg_subkeys, win_reg_values};
    return &reg;
}

/* ---- writing: the compliance state ---- */

static dlo_status write_error(dlo_error *err, LSTATUS rc, const char *what, const wchar_t *name)
{
    char msg[600];
    char *n = win_utf16_to_utf8(name);
    snprintf(msg, sizeof(msg), "%s%s", what, n ? n : "?");
    free(n);
    return win_error_set(err, (unsigned long)rc, msg);
}

static LSTATUS set_values(HKEY h, const dlo_reg_write *values, size_t n)
{
    size_t i;
    LSTATUS rc = ERROR_SUCCESS;

    for (i = 0; i < n && rc == ERROR_SUCCESS; i++) {
        wchar_t *name = win_utf8_to_utf16(values[i].name, strlen(values[i].name));
        wchar_t *text = NULL;
        DWORD number = values[i].number;

        if (values[i].type == DLO_REG_SZ)
            text = win_utf8_to_utf16(values[i].text, strlen(values[i].text));
        if (!name || (values[i].type == DLO_REG_SZ && !text))
            rc = ERROR_NOT_ENOUGH_MEMORY;
        else if (values[i].type == DLO_REG_SZ)
            rc = RegSetValueExW(h, name, 0, REG_SZ, (const BYTE *)text,
                                (DWORD)((wcslen(text) + 1) * sizeof(wchar_t)));
        else
            rc = RegSetValueExW(h, name, 0, REG_DWORD, (const BYTE *)&number, sizeof(number));
        free(text);
        free(name);
    }
    return rc;
}

/* The new values are written into a fresh sibling key, LEAF.new, which no reader looks at;
 * then LEAF is renamed LEAF.old, LEAF.new renamed LEAF, and LEAF.old deleted. A rename is one
 * operation in the registry's hive (NtRenameKey, RegRenameKey since Windows Vista; Wine 8 has it
 * too), so a reader that opens LEAF gets the old key or the new one, each whole: never some
 * values of one write and some of another. Between the two renames (microseconds) LEAF does
 * not exist, and a reader finds no key, as it does before the first write; a reader still
 * holding the old key when it is deleted gets ERROR_KEY_DELETED, not another write's values.
 * Renaming onto an existing name fails, hence the step aside. LEAF.new and LEAF.old left by an
 * interrupted write are deleted by the next. */
static dlo_status swap_in(HKEY parent, const wchar_t *leaf, const dlo_reg_write *values, size_t n,
                          dlo_error *err)
{
    wchar_t fresh[300], old[300];
    HKEY h;
    LSTATUS rc;

    if (wcslen(leaf) > 250)
        return dlo_error_set(err, DLO_E_INTERNAL, "registry key name too long");
    if (n == 0) {
        rc = RegDeleteTreeW(parent, leaf);
        if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
            return write_error(err, rc, "cannot delete ", leaf);
        return DLO_OK;
    }
    swprintf(fresh, 300, L"%ls.new", leaf);
    swprintf(old, 300, L"%ls.old", leaf);
    RegDeleteTreeW(parent, fresh);
    RegDeleteTreeW(parent, old);
    rc =
        RegCreateKeyExW(parent, fresh, 0, NULL, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &h, NULL);
    if (rc != ERROR_SUCCESS)
        return write_error(err, rc, "cannot create ", fresh);
    rc = set_values(h, values, n);
    RegCloseKey(h);
    if (rc != ERROR_SUCCESS) {
        RegDeleteTreeW(parent, fresh);
        return write_error(err, rc, "cannot write the values of ", fresh);
    }
    rc = RegRenameKey(parent, leaf, old);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) {
        RegDeleteTreeW(parent, fresh);
        return write_error(err, rc, "cannot rename ", leaf);
    }
    rc = RegRenameKey(parent, fresh, leaf);
    if (rc != ERROR_SUCCESS) {
        RegRenameKey(parent, old, leaf);
        RegDeleteTreeW(parent, fresh);
        return write_error(err, rc, "cannot rename into place ", fresh);
    }
    RegDeleteTreeW(parent, old);
    return DLO_OK;
}

dlo_status win_reg_write_values(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                                bool replace, dlo_error *err)
{
    wchar_t *wkey = win_utf8_to_utf16(key, strlen(key));
    wchar_t *leaf = wkey ? wcsrchr(wkey, L'\\') : NULL;
    HKEY h;
    LSTATUS rc;
    dlo_status st = DLO_OK;

    (void)ctx;
    if (!wkey)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    /* With replace, the key is swapped in from its parent. */
    replace = replace && leaf;
    if (replace)
        *leaf++ = L'\0';
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY,
                         NULL, &h, NULL);
    if (rc != ERROR_SUCCESS) {
        st = write_error(err, rc, "cannot open or create HKLM\\", wkey);
    } else {
        if (replace)
            st = swap_in(h, leaf, values, n, err);
        else if ((rc = set_values(h, values, n)) != ERROR_SUCCESS)
            st = write_error(err, rc, "cannot write the values of HKLM\\", wkey);
        RegCloseKey(h);
    }
    free(wkey);
    return st;
}
