#include "win/tracedir.h"

#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/trust.h"
#include "win/fssec.h"
#include "win/winutil.h"

/* The chain, and each folder's DACL (protected: nothing inherited from above). Arctera is
 * shared with the vendor's other products: Users may read it, as they may read %ProgramData%;
 * the agent's own folders are SYSTEM's and Administrators' alone. */
static const struct {
    const wchar_t *name;
    const wchar_t *sddl;
} chain[] = {
    {L"\\Arctera", L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"},
    {L"\\DLO Firewall Agent", L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"},
    {L"\\Trace", L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"},
};
#define CHAIN_LEN (sizeof(chain) / sizeof(chain[0]))

dlo_status win_trace_base(wchar_t **out, dlo_error *err)
{
    wchar_t *base = NULL;
    HRESULT hr = SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base);

    *out = NULL;
    if (SUCCEEDED(hr))
        *out = _wcsdup(base);
    CoTaskMemFree(base);
    if (FAILED(hr))
        return win_hresult_set(err, hr, DLO_E_IO, "cannot find the folder %ProgramData%");
    return *out ? DLO_OK : dlo_error_set(err, DLO_E_NOMEM, "out of memory");
}

/* Appends chain[i] to folder; false when it does not fit. */
static bool descend(wchar_t *folder, size_t size, size_t i, dlo_error *err)
{
    if (wcslen(folder) + wcslen(chain[i].name) >= size) {
        dlo_error_set(err, DLO_E_IO, "the trace folder's path is too long");
        return false;
    }
    wcscat(folder, chain[i].name);
    return true;
}

static dlo_status path_error(dlo_error *err, DWORD code, const wchar_t *path)
{
    char *u = win_utf16_to_utf8(path);
    dlo_status st = win_error_set(err, code, u ? u : "the trace folder");
    free(u);
    return st;
}

/* Makes folder with chain[i]'s DACL; an existing one is not an error when `existing_ok`. */
static dlo_status create(const wchar_t *folder, size_t i, bool existing_ok, dlo_error *err)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    dlo_status st = DLO_OK;

    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(chain[i].sddl, SDDL_REVISION_1,
                                                              &sa.lpSecurityDescriptor, NULL))
        return win_error_set(err, GetLastError(), "cannot make the trace folder's DACL");
    if (!CreateDirectoryW(folder, &sa) && !(existing_ok && GetLastError() == ERROR_ALREADY_EXISTS))
        st = path_error(err, GetLastError(), folder);
    LocalFree(sa.lpSecurityDescriptor);
    return st;
}

dlo_status win_trace_folders_make(const wchar_t *base, wchar_t *folder, size_t size, dlo_error *err)
{
    dlo_status st = DLO_OK;
    size_t i;

    if (wcslen(base) >= size)
        return dlo_error_set(err, DLO_E_IO, "the trace folder's path is too long");
    wcscpy(folder, base);
    for (i = 0; st == DLO_OK && i < CHAIN_LEN; i++)
        st = descend(folder, size, i, err) ? create(folder, i, true, err) : DLO_E_IO;
    return st;
}

/* SeTakeOwnershipPrivilege and SeRestorePrivilege, which SYSTEM holds but has not enabled: with
 * them a folder a user made opens for WRITE_DAC and WRITE_OWNER whatever its DACL says. */
static void enable_privileges(void)
{
    static const wchar_t *const names[] = {SE_TAKE_OWNERSHIP_NAME, SE_RESTORE_NAME};
    HANDLE token;
    size_t i;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
        return;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        TOKEN_PRIVILEGES tp;
        tp.PrivilegeCount = 1;
        tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        if (LookupPrivilegeValueW(NULL, names[i], &tp.Privileges[0].Luid))
            AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL);
    }
    CloseHandle(token);
}

/* Owner Administrators and chain[i]'s DACL on the folder, through a handle that does not follow
 * a reparse point and is checked to be a folder: nothing can be swapped in between. */
static dlo_status take_over(const wchar_t *folder, size_t i, dlo_error *err)
{
    wchar_t sddl[160];
    PSECURITY_DESCRIPTOR sd = NULL;
    BY_HANDLE_FILE_INFORMATION info;
    PSID owner = NULL;
    PACL dacl = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    DWORD rc = ERROR_SUCCESS;
    HANDLE h;

    swprintf(sddl, sizeof(sddl) / sizeof(sddl[0]), L"O:BA%ls", chain[i].sddl);
    h = CreateFileW(folder, READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_READ_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return path_error(err, GetLastError(), folder);
    if (!GetFileInformationByHandle(h, &info))
        rc = GetLastError();
    else if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
             (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        rc = ERROR_DIRECTORY; /* no longer the folder that was judged */
    else if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd,
                                                                   NULL) ||
             !GetSecurityDescriptorOwner(sd, &owner, &defaulted) ||
             !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
        rc = GetLastError();
    else
        rc = SetSecurityInfo(h, SE_FILE_OBJECT,
                             OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                                 PROTECTED_DACL_SECURITY_INFORMATION,
                             owner, NULL, dacl, NULL);
    if (sd)
        LocalFree(sd);
    CloseHandle(h);
    return rc == ERROR_SUCCESS ? DLO_OK : path_error(err, rc, folder);
}

/* Renames what stands at folder aside (a link or file itself, never what a link points to)
 * and makes the folder; `aside` (size characters) receives the new name. */
static dlo_status replace(const wchar_t *folder, size_t i, wchar_t *aside, size_t size,
                          dlo_error *err)
{
    swprintf(aside, size, L"%ls.untrusted-%llx", folder, (unsigned long long)GetTickCount64());
    if (!MoveFileExW(folder, aside, 0))
        return path_error(err, GetLastError(), folder);
    return create(folder, i, false, err);
}

/* One folder of the chain: what the core decides, carried out and noted. *stop when the folder
 * is left as it is: nothing below it can be trusted then. */
static dlo_status prepare_one(const wchar_t *folder, size_t i, win_trace_note note, void *ctx,
                              bool *stop, dlo_error *err)
{
    char *u = win_utf16_to_utf8(folder), *a = NULL, why[300] = "", line[900];
    wchar_t aside[MAX_PATH + 32];
    dlo_fs_object o;
    dlo_status st;
    bool found;

    if (!u)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    st = win_fs_security()->read(NULL, u, &o, err);
    found = st == DLO_OK;
    if (st == DLO_E_NOTFOUND)
        st = DLO_OK;
    switch (st ? DLO_FOLDER_KEEP : dlo_trust_folder_step(found ? &o : NULL, why, sizeof(why))) {
    case DLO_FOLDER_CREATE:
        st = create(folder, i, false, err);
        snprintf(line, sizeof(line), "%s was made with its DACL", u);
        break;
    case DLO_FOLDER_KEEP:
        line[0] = '\0';
        break;
    case DLO_FOLDER_TAKE_OVER:
        st = take_over(folder, i, err);
        snprintf(line, sizeof(line), "%s %s: taken over (owner Administrators, its DACL reset)", u,
                 why);
        break;
    case DLO_FOLDER_REPLACE:
        st = replace(folder, i, aside, sizeof(aside) / sizeof(aside[0]), err);
        a = win_utf16_to_utf8(aside);
        snprintf(line, sizeof(line), "%s %s: renamed aside to %s and made anew", u, why,
                 a ? a : "?");
        break;
    case DLO_FOLDER_LEAVE:
        *stop = true;
        snprintf(line, sizeof(line),
                 "%s %s: left as it is (an administrator's or another product's choice); the "
                 "service does not trace there until an administrator changes it",
                 u, why);
        break;
    }
    if (!st && line[0])
        note(ctx, *stop, line);
    free(a);
    free(u);
    return st;
}

dlo_status win_trace_folders_prepare(const wchar_t *base, win_trace_note note, void *ctx,
                                     dlo_error *err)
{
    wchar_t folder[MAX_PATH];
    dlo_status st = DLO_OK;
    bool stop = false;
    size_t i;

    if (wcslen(base) >= MAX_PATH)
        return dlo_error_set(err, DLO_E_IO, "the trace folder's path is too long");
    wcscpy(folder, base);
    enable_privileges();
    for (i = 0; st == DLO_OK && !stop && i < CHAIN_LEN; i++)
        st = descend(folder, MAX_PATH, i, err) ? prepare_one(folder, i, note, ctx, &stop, err)
                                               : DLO_E_IO;
    return st;
}
