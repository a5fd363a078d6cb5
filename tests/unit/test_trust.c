/* The decision whether LocalSystem may trust a file or a registry key, over a fake file system
 * (and registry) whose objects carry owners and DACLs as Windows reads them back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/trust.h"

#define USERS      "S-1-5-32-545"
#define AUTH_USERS "S-1-5-11"
#define SOME_USER  "S-1-5-21-1-2-3-1001"
#define CREATOR    "S-1-3-0"

typedef struct fake_object {
    const char *path;
    dlo_fs_object o;
} fake_object;

typedef struct fake_fs {
    fake_object objects[8];
    size_t n;
    unsigned reads;
} fake_fs;

static dlo_status fake_read(void *ctx, const char *path, dlo_fs_object *out, dlo_error *err)
{
    fake_fs *fs = ctx;
    size_t i;
    fs->reads++;
    for (i = 0; i < fs->n; i++) {
        if (strcmp(fs->objects[i].path, path) == 0) {
            *out = fs->objects[i].o;
            return DLO_OK;
        }
    }
    return dlo_error_set(err, DLO_E_NOTFOUND, "%s: not found", path);
}

static dlo_fs_object *add(fake_fs *fs, const char *path, const char *owner, bool dir)
{
    fake_object *f = &fs->objects[fs->n++];
    memset(f, 0, sizeof(*f));
    f->path = path;
    strcpy(f->o.owner, owner);
    f->o.has_dacl = true;
    f->o.directory = dir;
    f->o.links = dir ? 0 : 1;
    return &f->o;
}

static void ace(dlo_fs_object *o, const char *sid, bool allow, bool inherit_only,
                unsigned long mask)
{
    dlo_ace *a = &o->aces[o->n_aces++];
    strcpy(a->sid, sid);
    a->allow = allow;
    a->inherit_only = inherit_only;
    a->mask = mask;
}

/* C:\ProgramData\Arctera\dlo.ports as a default Windows install leaves it: the root lets
 * authenticated users add folders, ProgramData lets users add files and folders, and
 * CREATOR OWNER gets full control of what a user makes (inherit-only). */
static void standard_tree(fake_fs *fs)
{
    dlo_fs_object *o;
    memset(fs, 0, sizeof(*fs));
    o = add(fs, "C:\\", DLO_SID_TRUSTED_INSTALLER, true);
    ace(o, DLO_SID_SYSTEM, true, false, 0x1f01ff);
    ace(o, DLO_SID_ADMINISTRATORS, true, false, 0x1f01ff);
    ace(o, AUTH_USERS, true, false, DLO_ACCESS_APPEND_DATA);
    ace(o, AUTH_USERS, true, true, 0x1301bf);
    o = add(fs, "C:\\ProgramData", DLO_SID_SYSTEM, true);
    ace(o, DLO_SID_SYSTEM, true, false, 0x1f01ff);
    ace(o, USERS, true, false, DLO_ACCESS_WRITE_DATA | DLO_ACCESS_APPEND_DATA | 0x110);
    ace(o, CREATOR, true, true, DLO_ACCESS_GENERIC_ALL);
    o = add(fs, "C:\\ProgramData\\Arctera", DLO_SID_ADMINISTRATORS, true);
    ace(o, USERS, true, false, 0x1200a9);
    o = add(fs, "C:\\ProgramData\\Arctera\\dlo.ports", DLO_SID_ADMINISTRATORS, false);
    ace(o, DLO_SID_ADMINISTRATORS, true, false, 0x1f01ff);
    ace(o, USERS, true, false, 0x1200a9);
}

static dlo_fs_security seam(fake_fs *fs)
{
    dlo_fs_security s = {fs, fake_read};
    return s;
}

static fake_object *find(fake_fs *fs, const char *path)
{
    size_t i;
    for (i = 0; i < fs->n; i++)
        if (strcmp(fs->objects[i].path, path) == 0)
            return &fs->objects[i];
    fail_msg("no fake object %s", path);
    return NULL;
}

static void expect_refused(fake_fs *fs, const char *path, const char *needle)
{
    dlo_fs_security s = seam(fs);
    dlo_error err;
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_file(&s, path, &err), DLO_E_ACCESS);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' does not say '%s'", err.msg, needle);
}

static void test_a_standard_install_is_trusted(void **state)
{
    fake_fs fs;
    dlo_fs_security s;
    dlo_error err;
    (void)state;
    standard_tree(&fs);
    s = seam(&fs);
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_file(&s, "C:\\ProgramData\\Arctera\\dlo.ports", &err), DLO_OK);
    assert_int_equal(fs.reads, 4); /* the file and each folder up to the root */
}

static void test_a_file_a_user_made_is_refused(void **state)
{
    fake_fs fs;
    (void)state;
    standard_tree(&fs);
    strcpy(find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o.owner, SOME_USER);
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports",
                   "the file C:\\ProgramData\\Arctera\\dlo.ports is owned by " SOME_USER);
}

static void test_a_file_users_may_write_is_refused(void **state)
{
    static const unsigned long masks[] = {DLO_ACCESS_WRITE_DATA,   DLO_ACCESS_APPEND_DATA,
                                          DLO_ACCESS_DELETE,       DLO_ACCESS_WRITE_DAC,
                                          DLO_ACCESS_WRITE_OWNER,  DLO_ACCESS_GENERIC_ALL,
                                          DLO_ACCESS_GENERIC_WRITE};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        fake_fs fs;
        standard_tree(&fs);
        ace(&find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o, USERS, true, false, masks[i]);
        expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "may be changed by " USERS);
    }
}

static void test_a_folder_a_user_can_empty_is_refused(void **state)
{
    fake_fs fs;
    (void)state;
    standard_tree(&fs);
    ace(&find(&fs, "C:\\ProgramData\\Arctera")->o, AUTH_USERS, true, false,
        DLO_ACCESS_DELETE_CHILD);
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports",
                   "the folder C:\\ProgramData\\Arctera may be changed by " AUTH_USERS);
}

static void test_a_folder_a_user_owns_is_refused(void **state)
{
    fake_fs fs;
    (void)state;
    standard_tree(&fs);
    /* A user made C:\ProgramData\Arctera before the product came: the folder is theirs. */
    strcpy(find(&fs, "C:\\ProgramData\\Arctera")->o.owner, SOME_USER);
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "is owned by " SOME_USER);
}

static void test_inherit_only_and_deny_entries_do_not_count(void **state)
{
    fake_fs fs;
    dlo_fs_security s;
    dlo_error err;
    dlo_fs_object *f;
    (void)state;
    standard_tree(&fs);
    f = &find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o;
    ace(f, USERS, false, false, DLO_ACCESS_GENERIC_ALL);
    ace(&find(&fs, "C:\\ProgramData\\Arctera")->o, USERS, true, true, DLO_ACCESS_GENERIC_ALL);
    s = seam(&fs);
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_file(&s, "C:\\ProgramData\\Arctera\\dlo.ports", &err), DLO_OK);
    /* A deny is ignored, so an allow beside it still refuses: ignoring errs towards no. */
    ace(f, USERS, true, false, DLO_ACCESS_WRITE_DATA);
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "may be changed by " USERS);
}

static void test_reparse_points_links_and_null_dacls_are_refused(void **state)
{
    fake_fs fs;
    (void)state;
    standard_tree(&fs);
    find(&fs, "C:\\ProgramData\\Arctera")->o.reparse_point = true;
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "is a reparse point");
    standard_tree(&fs);
    find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o.links = 2;
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "has 2 hard links");
    standard_tree(&fs);
    find(&fs, "C:\\ProgramData")->o.has_dacl = false;
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "has no DACL");
    standard_tree(&fs);
    find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o.too_many_aces = true;
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "more access-control entries");
    standard_tree(&fs);
    find(&fs, "C:\\ProgramData\\Arctera\\dlo.ports")->o.directory = true;
    expect_refused(&fs, "C:\\ProgramData\\Arctera\\dlo.ports", "is a folder");
}

static void test_network_and_relative_paths_are_refused(void **state)
{
    static const char *const paths[] = {"\\\\server\\share\\dlo.ports", "dlo.ports",
                                        "\\\\?\\C:\\dlo.ports", "C:dlo.ports", ""};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        fake_fs fs;
        standard_tree(&fs);
        expect_refused(&fs, paths[i], "not an absolute path on a local drive");
        assert_int_equal(fs.reads, 0);
    }
}

static void test_a_missing_file_is_not_trusted(void **state)
{
    fake_fs fs;
    dlo_fs_security s;
    dlo_error err;
    (void)state;
    standard_tree(&fs);
    s = seam(&fs);
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_file(&s, "C:\\ProgramData\\Arctera\\other.ports", &err),
                     DLO_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "other.ports"));
}

static void test_folders_for_the_trace(void **state)
{
    fake_fs fs;
    dlo_fs_security s;
    dlo_error err;
    (void)state;
    standard_tree(&fs);
    s = seam(&fs);
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_folder_as(&s, "C:\\ProgramData\\Arctera", NULL, &err), DLO_OK);
    ace(&find(&fs, "C:\\ProgramData\\Arctera")->o, SOME_USER, true, false, DLO_ACCESS_WRITE_DAC);
    assert_int_equal(dlo_trust_folder_as(&s, "C:\\ProgramData\\Arctera", NULL, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "the folder C:\\ProgramData\\Arctera may be changed by"));
}

/* Under Wine every file belongs to the Wine user, the account the service runs as there: a
 * trace folder that only that account and SYSTEM can change is trusted for the process's own
 * output, one the world may change is not, and the account is no owner of anything else. */
static void test_the_trace_folder_may_belong_to_the_account_the_agent_runs_as(void **state)
{
    static const char *const tree[] = {"C:\\", "C:\\ProgramData", "C:\\ProgramData\\Trace"};
    fake_fs fs;
    dlo_fs_security s;
    dlo_fs_object *o = NULL;
    dlo_error err;
    size_t i;
    (void)state;
    memset(&fs, 0, sizeof(fs));
    for (i = 0; i < 3; i++) {
        o = add(&fs, tree[i], SOME_USER, true);
        ace(o, DLO_SID_SYSTEM, true, false, 0x1f01ff);
        ace(o, SOME_USER, true, false, 0x1f01ff);
    }
    s = seam(&fs);
    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_folder_as(&s, tree[2], NULL, &err), DLO_E_ACCESS);
    assert_int_equal(dlo_trust_folder_as(&s, tree[2], NULL, &err), DLO_E_ACCESS);
    assert_int_equal(dlo_trust_folder_as(&s, tree[2], "S-1-5-21-1-2-3-1002", &err), DLO_E_ACCESS);
    assert_int_equal(dlo_trust_folder_as(&s, tree[2], SOME_USER, &err), DLO_OK);
    ace(o, "S-1-1-0", true, false, DLO_ACCESS_DELETE_CHILD);
    assert_int_equal(dlo_trust_folder_as(&s, tree[2], SOME_USER, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "the folder C:\\ProgramData\\Trace may be changed by S-1-1-0"));
    assert_non_null(strstr(err.msg, "the account the agent runs as " SOME_USER));
}

static void test_parents(void **state)
{
    static const struct {
        const char *path, *parent;
    } cases[] = {
        {"C:\\a\\b.txt", "C:\\a"},   {"C:\\a", "C:\\"}, {"C:\\a\\", "C:\\"},
        {"c:\\x\\y\\z", "c:\\x\\y"}, {"C:\\", NULL},    {"\\\\srv\\share", NULL},
        {"relative\\x", NULL},       {"C:x", NULL},
    };
    size_t i;
    dlo_buf b;
    (void)state;
    dlo_buf_init(&b);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool ok = dlo_trust_parent(cases[i].path, &b);
        if (!cases[i].parent) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_string_equal(dlo_buf_str(&b), cases[i].parent);
        }
    }
    dlo_buf_free(&b);
}

/* ---- registry keys ---- */

static dlo_status fake_key_read(void *ctx, dlo_reg_view view, const char *key, dlo_fs_object *out,
                                dlo_error *err)
{
    assert_int_equal(view, DLO_REG_VIEW_64);
    return fake_read(ctx, key, out, err);
}

#define CONFIG_KEY         "SOFTWARE\\Arctera\\DLO\\FirewallAgent"
#define KEY_READ_MASK      0x20019
#define KEY_CREATE_SUB_KEY 0x0004

/* HKLM\SOFTWARE down to the installer key as Windows leaves them: Users may read, CREATOR
 * OWNER gets full control of what a user would create (inherit-only). */
static void standard_keys(fake_fs *fs)
{
    static const char *const keys[] = {"SOFTWARE", "SOFTWARE\\Arctera", "SOFTWARE\\Arctera\\DLO",
                                       CONFIG_KEY};
    size_t i;
    memset(fs, 0, sizeof(*fs));
    for (i = 0; i < 4; i++) {
        dlo_fs_object *o = add(fs, keys[i], i ? DLO_SID_ADMINISTRATORS : DLO_SID_SYSTEM, false);
        ace(o, DLO_SID_SYSTEM, true, false, 0xf003f);
        ace(o, DLO_SID_ADMINISTRATORS, true, false, 0xf003f);
        ace(o, USERS, true, false, KEY_READ_MASK);
        ace(o, CREATOR, true, true, DLO_ACCESS_GENERIC_ALL);
    }
}

static dlo_status judge_key(fake_fs *fs, dlo_error *err)
{
    dlo_key_security ks = {fs, fake_key_read};
    dlo_error_clear(err);
    return dlo_trust_key(&ks, DLO_REG_VIEW_64, CONFIG_KEY, err);
}

static void expect_key_refused(fake_fs *fs, const char *needle)
{
    dlo_error err;
    assert_int_equal(judge_key(fs, &err), DLO_E_CONFIG);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' does not say '%s'", err.msg, needle);
    assert_non_null(strstr(err.msg, "so the agent does not use its values"));
}

static void test_a_standard_configuration_key_is_trusted(void **state)
{
    fake_fs fs;
    dlo_error err;
    (void)state;

    standard_keys(&fs);
    assert_int_equal(judge_key(&fs, &err), DLO_OK);
    assert_int_equal(fs.reads, 4); /* the key and each key above it, up to HKLM\SOFTWARE */
    /* Adding a subkey is not changing the key: what a user adds is theirs. */
    ace(&find(&fs, CONFIG_KEY)->o, USERS, true, false, KEY_CREATE_SUB_KEY);
    assert_int_equal(judge_key(&fs, &err), DLO_OK);
    /* The values of a key above do not matter. */
    ace(&find(&fs, "SOFTWARE\\Arctera")->o, USERS, true, false, DLO_ACCESS_KEY_SET_VALUE);
    assert_int_equal(judge_key(&fs, &err), DLO_OK);
}

static void test_a_configuration_key_a_user_can_change_is_refused(void **state)
{
    fake_fs fs;
    (void)state;

    standard_keys(&fs);
    ace(&find(&fs, CONFIG_KEY)->o, USERS, true, false, DLO_ACCESS_KEY_SET_VALUE);
    expect_key_refused(&fs, "HKLM\\" CONFIG_KEY " (64-bit view) may be changed by " USERS);

    standard_keys(&fs);
    strcpy(find(&fs, CONFIG_KEY)->o.owner, SOME_USER);
    expect_key_refused(&fs, CONFIG_KEY " (64-bit view) is owned by " SOME_USER);

    standard_keys(&fs);
    ace(&find(&fs, "SOFTWARE\\Arctera")->o, AUTH_USERS, true, false, DLO_ACCESS_WRITE_DAC);
    expect_key_refused(&fs, "HKLM\\SOFTWARE\\Arctera (64-bit view) may be changed by " AUTH_USERS);

    standard_keys(&fs);
    find(&fs, "SOFTWARE\\Arctera\\DLO")->o.reparse_point = true;
    expect_key_refused(&fs, "HKLM\\SOFTWARE\\Arctera\\DLO (64-bit view) is a symbolic link;");

    standard_keys(&fs);
    find(&fs, CONFIG_KEY)->o.has_dacl = false;
    expect_key_refused(&fs, "has no DACL");
}

static void test_which_keys_are_checked(void **state)
{
    fake_fs fs;
    dlo_error err;
    (void)state;

    assert_true(dlo_trust_key_needed("SOFTWARE\\Arctera\\DLO\\FirewallAgent"));
    assert_true(dlo_trust_key_needed("software\\policies\\arctera\\dlo\\firewallagent"));
    assert_false(dlo_trust_key_needed("SOFTWARE\\Arctera\\DLO\\FirewallAgent\\State"));
    assert_false(dlo_trust_key_needed("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"));
    /* A key that is not there holds no values to believe. */
    memset(&fs, 0, sizeof(fs));
    assert_int_equal(judge_key(&fs, &err), DLO_E_NOTFOUND);
}

/* ---- the installer's trace folder chain ---- */

static dlo_folder_step step_of(const dlo_fs_object *o, const char *needle)
{
    char why[256] = "";
    dlo_folder_step step = dlo_trust_folder_step(o, why, sizeof(why));
    if (needle && !strstr(why, needle))
        fail_msg("'%s' does not say '%s'", why, needle);
    return step;
}

static void test_what_the_installer_does_with_each_trace_folder(void **state)
{
    fake_fs fs;
    dlo_fs_object *o;
    (void)state;

    memset(&fs, 0, sizeof(fs));
    assert_int_equal(step_of(NULL, NULL), DLO_FOLDER_CREATE);
    /* The installer's own folder, or an administrator's that nobody else may change. */
    o = add(&fs, "C:\\ProgramData\\Arctera", DLO_SID_SYSTEM, true);
    ace(o, DLO_SID_ADMINISTRATORS, true, false, 0x1f01ff);
    ace(o, USERS, true, false, 0x1200a9);
    assert_int_equal(step_of(o, NULL), DLO_FOLDER_KEEP);
    /* A user made it first: whatever its DACL says, the installer takes it over. */
    strcpy(o->owner, SOME_USER);
    assert_int_equal(step_of(o, "is owned by " SOME_USER), DLO_FOLDER_TAKE_OVER);
    /* A user's junction or file in its place: renamed aside, never followed. */
    o->reparse_point = true;
    assert_int_equal(step_of(o, "is owned by " SOME_USER " and is a junction"), DLO_FOLDER_REPLACE);
    o->reparse_point = false;
    o->directory = false;
    assert_int_equal(step_of(o, "and is not a folder"), DLO_FOLDER_REPLACE);
    /* An administrator's choice stays, and is said. */
    strcpy(o->owner, DLO_SID_ADMINISTRATORS);
    assert_int_equal(step_of(o, "is not a folder"), DLO_FOLDER_LEAVE);
    o->directory = true;
    ace(o, USERS, true, false, DLO_ACCESS_DELETE_CHILD);
    assert_int_equal(step_of(o, "may be changed by " USERS), DLO_FOLDER_LEAVE);
    o->n_aces = 1;
    o->reparse_point = true;
    assert_int_equal(step_of(o, "is a reparse point"), DLO_FOLDER_LEAVE);
}

static void test_who_may_own_a_file_the_service_writes(void **state)
{
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_trust_owner("C:\\t\\x.log", DLO_SID_SYSTEM, NULL, &err), DLO_OK);
    assert_int_equal(dlo_trust_owner("C:\\t\\x.log", SOME_USER, SOME_USER, &err), DLO_OK);
    assert_int_equal(dlo_trust_owner("C:\\t\\x.log", SOME_USER, DLO_SID_SYSTEM, &err),
                     DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "C:\\t\\x.log is owned by " SOME_USER "; expected SYSTEM"));
    assert_int_equal(dlo_trust_owner("C:\\t\\x.log", USERS, NULL, &err), DLO_E_ACCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_standard_install_is_trusted),
        cmocka_unit_test(test_a_file_a_user_made_is_refused),
        cmocka_unit_test(test_a_file_users_may_write_is_refused),
        cmocka_unit_test(test_a_folder_a_user_can_empty_is_refused),
        cmocka_unit_test(test_a_folder_a_user_owns_is_refused),
        cmocka_unit_test(test_inherit_only_and_deny_entries_do_not_count),
        cmocka_unit_test(test_reparse_points_links_and_null_dacls_are_refused),
        cmocka_unit_test(test_network_and_relative_paths_are_refused),
        cmocka_unit_test(test_a_missing_file_is_not_trusted),
        cmocka_unit_test(test_folders_for_the_trace),
        cmocka_unit_test(test_the_trace_folder_may_belong_to_the_account_the_agent_runs_as),
        cmocka_unit_test(test_parents),
        cmocka_unit_test(test_a_standard_configuration_key_is_trusted),
        cmocka_unit_test(test_a_configuration_key_a_user_can_change_is_refused),
        cmocka_unit_test(test_which_keys_are_checked),
        cmocka_unit_test(test_what_the_installer_does_with_each_trace_folder),
        cmocka_unit_test(test_who_may_own_a_file_the_service_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
