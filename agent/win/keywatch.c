#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/keywatch.h"
#include "win/winutil.h"

void win_key_watch_init(win_key_watch *w, const wchar_t *path)
{
    memset(w, 0, sizeof(*w));
    w->path = path;
}

void win_key_watch_init_tree(win_key_watch *w, const wchar_t *path)
{
    win_key_watch_init(w, path);
    w->subtree = true;
}

void win_key_watch_close(win_key_watch *w)
{
    bool subtree = w->subtree;

    if (w->key)
        RegCloseKey(w->key);
    if (w->ancestor)
        RegCloseKey(w->ancestor);
    if (w->key_event)
        CloseHandle(w->key_event);
    if (w->ancestor_event)
        CloseHandle(w->ancestor_event);
    win_key_watch_init(w, w->path);
    w->subtree = subtree;
}

static dlo_status watch_error(dlo_error *err, LSTATUS rc, const wchar_t *path)
{
    char what[600];
    char *p = win_utf16_to_utf8(path);
    snprintf(what, sizeof(what), "HKLM\\%s cannot be watched", p ? p : "?");
    free(p);
    return win_error_set(err, (unsigned long)rc, what);
}

/* Opens HKLM\path and asks for a notification of the changes in filter, on an event of its
 * own. ERROR_FILE_NOT_FOUND, with nothing held, when the key does not exist, also when it is
 * being deleted: a tree deleted by another process (RegDeleteTree, a .reg import removing
 * Group Policy's firewall key) can still be opened between its subkeys' deletion and its own,
 * and asking for a notification on it then fails with ERROR_KEY_DELETED (seen under Wine, event
 * 1003 "Key deleted (error 1018)"); the ancestor's watch must take over then, as for a key that
 * was never there. */
static LSTATUS watch_one(const wchar_t *path, DWORD filter, BOOL subtree, HKEY *key, HANDLE *event)
{
    LSTATUS rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_NOTIFY | KEY_WOW64_64KEY, key);

    if (rc != ERROR_SUCCESS) {
        *key = NULL;
        return rc == ERROR_KEY_DELETED ? ERROR_FILE_NOT_FOUND : rc;
    }
    *event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!*event)
        return (LSTATUS)GetLastError();
    rc = RegNotifyChangeKeyValue(*key, subtree, filter, *event, TRUE);
    if (rc == ERROR_KEY_DELETED) {
        RegCloseKey(*key);
        CloseHandle(*event);
        *key = NULL;
        *event = NULL;
        rc = ERROR_FILE_NOT_FOUND;
    }
    return rc;
}

dlo_status win_key_watch_arm(win_key_watch *w, dlo_error *err)
{
    win_key_watch fresh;
    wchar_t parent[512];
    wchar_t *slash;
    LSTATUS rc;
    dlo_status st = DLO_OK;

    /* The new handles are opened and watched before the old ones are closed. Wine keeps a
     * key's notification by handle value: had the old handles been closed first, a new handle
     * could take an old one's value. */
    win_key_watch_init(&fresh, w->path);
    fresh.subtree = w->subtree;
    rc = watch_one(w->path, REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET, w->subtree,
                   &fresh.key, &fresh.key_event);
    if (rc != ERROR_SUCCESS && (fresh.key || rc != ERROR_FILE_NOT_FOUND)) {
        st = watch_error(err, rc, w->path);
        goto done;
    }

    /* The deepest ancestor that exists, watched for subkeys created or deleted. */
    if (wcslen(w->path) >= sizeof(parent) / sizeof(parent[0])) {
        st = dlo_error_set(err, DLO_E_INTERNAL, "registry path too long");
        goto done;
    }
    wcscpy(parent, w->path);
    rc = ERROR_FILE_NOT_FOUND;
    while (rc == ERROR_FILE_NOT_FOUND && !fresh.ancestor && (slash = wcsrchr(parent, L'\\'))) {
        *slash = L'\0';
        rc = watch_one(parent, REG_NOTIFY_CHANGE_NAME, FALSE, &fresh.ancestor,
                       &fresh.ancestor_event);
    }
    if (!fresh.ancestor && rc == ERROR_FILE_NOT_FOUND)
        st = dlo_error_set(err, DLO_E_INTERNAL, "no ancestor of the key exists");
    else if (rc != ERROR_SUCCESS)
        st = watch_error(err, rc, parent);
done:
    /* On failure the new watch, as far as it got, still replaces the old one: the caller logs
     * the problem and relies on the drift-repair timer. */
    win_key_watch_close(w);
    *w = fresh;
    return st;
}
