#include <windows.h>

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <string.h>

#include "win/fssec.h"
#include "win/winutil.h"

/* Opened with FILE_FLAG_OPEN_REPARSE_POINT, so a junction or symbolic link is judged as itself
 * and never followed to whatever it points at; BACKUP_SEMANTICS lets the same call open a
 * folder. READ_CONTROL is all the security descriptor needs. */
static HANDLE open_object(const wchar_t *path)
{
    return CreateFileW(path, READ_CONTROL | FILE_READ_ATTRIBUTES,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                       FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

static bool sid_text(PSID sid, char *out, size_t size)
{
    wchar_t *w = NULL;
    char *u;
    bool ok = false;
    if (!sid || !ConvertSidToStringSidW(sid, &w))
        return false;
    u = win_utf16_to_utf8(w);
    if (u && strlen(u) < size) {
        strcpy(out, u);
        ok = true;
    }
    free(u);
    LocalFree(w);
    return ok;
}

static void read_aces(PACL dacl, dlo_fs_object *out)
{
    DWORD i;
    out->has_dacl = dacl != NULL;
    if (!dacl)
        return;
    for (i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *h;
        dlo_ace *a;
        if (out->n_aces == DLO_TRUST_MAX_ACES) {
            out->too_many_aces = true;
            return;
        }
        if (!GetAce(dacl, i, (void **)&h))
            continue;
        a = &out->aces[out->n_aces];
        a->allow = h->AceType == ACCESS_ALLOWED_ACE_TYPE;
        a->inherit_only = (h->AceFlags & INHERIT_ONLY_ACE) != 0;
        if (h->AceType == ACCESS_ALLOWED_ACE_TYPE || h->AceType == ACCESS_DENIED_ACE_TYPE) {
            ACCESS_ALLOWED_ACE *ace = (ACCESS_ALLOWED_ACE *)h;
            a->mask = ace->Mask;
            if (!sid_text(&ace->SidStart, a->sid, sizeof(a->sid)))
                strcpy(a->sid, "S-?"); /* unreadable: not a trusted account */
        } else {
            /* Object and callback ACEs: not judged entry by entry; an allow among them is
             * counted as one that lets someone unknown write. */
            a->allow = h->AceType != ACCESS_DENIED_OBJECT_ACE_TYPE &&
                       h->AceType != ACCESS_DENIED_CALLBACK_ACE_TYPE;
            a->mask = a->allow ? GENERIC_ALL : 0;
            strcpy(a->sid, "S-?");
        }
        out->n_aces++;
    }
}

static dlo_status read_security(void *ctx, const char *path, dlo_fs_object *out, dlo_error *err)
{
    wchar_t *wpath = win_utf8_to_utf16(path, strlen(path));
    BY_HANDLE_FILE_INFORMATION info;
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL;
    PACL dacl = NULL;
    HANDLE h;
    DWORD rc;
    dlo_status st = DLO_OK;

    (void)ctx;
    memset(out, 0, sizeof(*out));
    if (!wpath)
        return dlo_error_set(err, DLO_E_NOMEM, "%s: out of memory", path);
    h = open_object(wpath);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE)
        return win_error_set(err, GetLastError(), path);
    if (!GetFileInformationByHandle(h, &info)) {
        st = win_error_set(err, GetLastError(), path);
        goto out_handle;
    }
    out->directory = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    out->reparse_point = (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    out->links = info.nNumberOfLinks;
    rc = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                         &owner, NULL, &dacl, NULL, &sd);
    if (rc != ERROR_SUCCESS) {
        st = win_error_set(err, rc, path);
        goto out_handle;
    }
    if (!sid_text(owner, out->owner, sizeof(out->owner)))
        strcpy(out->owner, "S-?");
    read_aces(dacl, out);
    LocalFree(sd);
out_handle:
    CloseHandle(h);
    return st;
}

/* Whether h, opened with REG_OPTION_OPEN_LINK, is a symbolic link: such a key holds its target
 * as the REG_LINK value SymbolicLinkValue. */
static bool key_is_link(HKEY h)
{
    DWORD type = 0;
    return RegQueryValueExW(h, L"SymbolicLinkValue", NULL, &type, NULL, NULL) == ERROR_SUCCESS &&
           type == REG_LINK;
}

static dlo_status read_key_security(void *ctx, dlo_reg_view view, const char *key,
                                    dlo_fs_object *out, dlo_error *err)
{
    wchar_t *wkey = win_utf8_to_utf16(key, strlen(key));
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL;
    PACL dacl = NULL;
    char what[600];
    HKEY h;
    LSTATUS rc;

    (void)ctx;
    memset(out, 0, sizeof(*out));
    if (!wkey)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    /* REG_OPTION_OPEN_LINK: a symbolic link is judged as itself, never followed. */
    rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, REG_OPTION_OPEN_LINK,
                       READ_CONTROL | KEY_QUERY_VALUE |
                           (view == DLO_REG_VIEW_32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY),
                       &h);
    free(wkey);
    snprintf(what, sizeof(what), "HKLM\\%s (%s)", key, dlo_reg_view_name(view));
    if (rc == ERROR_FILE_NOT_FOUND)
        return DLO_E_NOTFOUND;
    if (rc != ERROR_SUCCESS)
        return win_error_set(err, (unsigned long)rc, what);
    out->reparse_point = key_is_link(h);
    rc = (LSTATUS)GetSecurityInfo(h, SE_REGISTRY_KEY,
                                  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                  NULL, &dacl, NULL, &sd);
    RegCloseKey(h);
    if (rc != ERROR_SUCCESS)
        return win_error_set(err, (unsigned long)rc, what);
    if (!sid_text(owner, out->owner, sizeof(out->owner)))
        strcpy(out->owner, "S-?");
    read_aces(dacl, out);
    LocalFree(sd);
    return DLO_OK;
}

const dlo_key_security *win_key_security(void)
{
    static const dlo_key_security ks = {NULL, read_key_security};
    return &ks;
}

const dlo_fs_security *win_fs_security(void)
{
    static const dlo_fs_security fs = {NULL, read_security};
    return &fs;
}
