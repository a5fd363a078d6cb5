/* Usage: set_security.exe key|file PATH SDDL
 * Sets the owner and DACL (and the DACL's protection, "D:P") of HKLM\PATH (64-bit view) or of
 * the file or folder PATH from an SDDL string, for the tests of the trust decisions: Wine's
 * tools set no security descriptor. Exits 0 when it was set, 1 otherwise, saying why. */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <stdio.h>
#include <wchar.h>

static int fail(const wchar_t *what, DWORD code)
{
    fwprintf(stderr, L"set_security: %ls (error %lu)\n", what, code);
    return 1;
}

int wmain(int argc, wchar_t **argv)
{
    SECURITY_INFORMATION what = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
    PSECURITY_DESCRIPTOR sd;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision, rc;
    HKEY h;

    if (argc != 4 || (wcscmp(argv[1], L"key") && wcscmp(argv[1], L"file"))) {
        fwprintf(stderr, L"usage: set_security.exe key|file PATH SDDL\n");
        return 2;
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(argv[3], SDDL_REVISION_1, &sd, NULL))
        return fail(L"not an SDDL string", GetLastError());
    if (GetSecurityDescriptorControl(sd, &control, &revision) && (control & SE_DACL_PROTECTED))
        what |= PROTECTED_DACL_SECURITY_INFORMATION;
    if (!wcscmp(argv[1], L"file")) {
        rc = SetFileSecurityW(argv[2], what, sd) ? ERROR_SUCCESS : GetLastError();
    } else {
        rc = (DWORD)RegOpenKeyExW(HKEY_LOCAL_MACHINE, argv[2], 0,
                                  WRITE_DAC | WRITE_OWNER | KEY_WOW64_64KEY, &h);
        if (rc == ERROR_SUCCESS) {
            rc = (DWORD)RegSetKeySecurity(h, what, sd);
            RegCloseKey(h);
        }
    }
    LocalFree(sd);
    return rc == ERROR_SUCCESS ? 0 : fail(argv[2], rc);
}
