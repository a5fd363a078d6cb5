/* The file-security reader against real Win32 (under Wine in the test run): what it says of a
 * file, a folder, a second hard link and a missing path. What Windows' own DACLs hold is not
 * asserted here (Wine keeps simpler ones); the decision over them is tested on the host
 * (tests/unit/test_trust.c). */
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "win/fssec.h"

static char folder[MAX_PATH], file[MAX_PATH], link2[MAX_PATH];

static int make_files(void **state)
{
    char tmp[MAX_PATH];
    FILE *f;
    (void)state;
    if (!GetTempPathA(sizeof(tmp), tmp))
        return -1;
    snprintf(folder, sizeof(folder), "%sdloagent-fssec-%lu", tmp, GetCurrentProcessId());
    snprintf(file, sizeof(file), "%s\\evidence.txt", folder);
    snprintf(link2, sizeof(link2), "%s\\second-name.txt", folder);
    if (!CreateDirectoryA(folder, NULL))
        return -1;
    f = fopen(file, "wb");
    if (!f)
        return -1;
    fputs("x", f);
    fclose(f);
    return 0;
}

static int remove_files(void **state)
{
    (void)state;
    DeleteFileA(link2);
    DeleteFileA(file);
    RemoveDirectoryA(folder);
    return 0;
}

static void read_ok(const char *path, dlo_fs_object *o)
{
    const dlo_fs_security *fs = win_fs_security();
    dlo_error err;
    dlo_error_clear(&err);
    if (fs->read(fs->ctx, path, o, &err) != DLO_OK)
        fail_msg("%s: %s", path, err.msg);
}

static void test_a_file(void **state)
{
    dlo_fs_object o;
    (void)state;
    read_ok(file, &o);
    assert_false(o.directory);
    assert_false(o.reparse_point);
    assert_int_equal(o.links, 1);
    assert_true(strncmp(o.owner, "S-1-", 4) == 0); /* a SID read from the descriptor */
    printf("owner of a new file: %s, %u access-control entries\n", o.owner, (unsigned)o.n_aces);
}

static void test_a_folder(void **state)
{
    dlo_fs_object o;
    (void)state;
    read_ok(folder, &o);
    assert_true(o.directory);
    assert_false(o.reparse_point);
}

static void test_a_second_hard_link_is_counted(void **state)
{
    dlo_fs_object o;
    (void)state;
    assert_true(CreateHardLinkA(link2, file, NULL));
    read_ok(file, &o);
    assert_int_equal(o.links, 2);
    DeleteFileA(link2);
    read_ok(file, &o);
    assert_int_equal(o.links, 1);
}

static void test_a_missing_path_is_not_found(void **state)
{
    const dlo_fs_security *fs = win_fs_security();
    dlo_fs_object o;
    dlo_error err;
    char missing[MAX_PATH + 16];
    (void)state;
    snprintf(missing, sizeof(missing), "%s\\missing.txt", folder);
    dlo_error_clear(&err);
    assert_int_equal(fs->read(fs->ctx, missing, &o, &err), DLO_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "missing.txt"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_file),
        cmocka_unit_test(test_a_folder),
        cmocka_unit_test(test_a_second_hard_link_is_counted),
        cmocka_unit_test(test_a_missing_path_is_not_found),
    };
    return cmocka_run_group_tests(tests, make_files, remove_files);
}
