/* The watch on a configuration key against real Win32 (under Wine in the test run): the key and
 * its deepest existing ancestor each signal an event of their own, a key that appears is seen
 * through its ancestor, and the platform fact that makes one shared event lose changes. */
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <wchar.h>

#include "win/keywatch.h"

static wchar_t base[128], key_path[192], other_path[192];

static int make_base(void **state)
{
    HKEY k;
    (void)state;
    swprintf(base, 128, L"SOFTWARE\\DloAgentKeyWatchTest-%lu", GetCurrentProcessId());
    swprintf(key_path, 192, L"%ls\\Watched", base);
    swprintf(other_path, 192, L"%ls\\Other", base);
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, base, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY,
                        NULL, &k, NULL) != ERROR_SUCCESS)
        return -1;
    RegCloseKey(k);
    return 0;
}

static int remove_base(void **state)
{
    (void)state;
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, base);
    return 0;
}

static HKEY create(const wchar_t *path)
{
    HKEY k = NULL;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
                                     KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &k, NULL),
                     ERROR_SUCCESS);
    return k;
}

static void set_value(HKEY k, DWORD v)
{
    assert_int_equal(RegSetValueExW(k, L"SqlPort", 0, REG_DWORD, (const BYTE *)&v, sizeof(v)),
                     ERROR_SUCCESS);
}

/* Why the watch has two events: asking for a notification resets the event it is given, so a
 * change already signalled for one key is wiped out by a later request on another key. */
static void test_a_notification_request_resets_its_event(void **state)
{
    HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    HKEY a = create(key_path), b = create(other_path);
    (void)state;
    assert_int_equal(RegNotifyChangeKeyValue(a, FALSE, REG_NOTIFY_CHANGE_LAST_SET, ev, TRUE),
                     ERROR_SUCCESS);
    set_value(a, 1);
    assert_int_equal(WaitForSingleObject(ev, 2000), WAIT_OBJECT_0);
    assert_int_equal(RegNotifyChangeKeyValue(b, FALSE, REG_NOTIFY_CHANGE_NAME, ev, TRUE),
                     ERROR_SUCCESS);
    assert_int_equal(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    RegCloseKey(a);
    RegCloseKey(b);
    CloseHandle(ev);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, key_path, KEY_WOW64_64KEY, 0);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, other_path, KEY_WOW64_64KEY, 0);
}

static void test_an_existing_key_and_its_ancestor_have_events_of_their_own(void **state)
{
    win_key_watch w;
    dlo_error err;
    HKEY k = create(key_path);
    (void)state;
    win_key_watch_init(&w, key_path);
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    assert_non_null(w.key);
    assert_non_null(w.key_event);
    assert_non_null(w.ancestor_event);
    assert_ptr_not_equal(w.key_event, w.ancestor_event);
    set_value(k, 2);
    assert_int_equal(WaitForSingleObject(w.key_event, 2000), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(w.ancestor_event, 0), WAIT_TIMEOUT);
    /* Armed again, the key is watched again: a second change is seen too. */
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    set_value(k, 3);
    assert_int_equal(WaitForSingleObject(w.key_event, 2000), WAIT_OBJECT_0);
    win_key_watch_close(&w);
    RegCloseKey(k);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, key_path, KEY_WOW64_64KEY, 0);
}

static void test_a_key_that_appears_is_seen_through_its_ancestor(void **state)
{
    win_key_watch w;
    dlo_error err;
    HKEY k;
    (void)state;
    win_key_watch_init(&w, key_path);
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    assert_null(w.key);
    assert_null(w.key_event);
    assert_non_null(w.ancestor_event);
    k = create(key_path);
    assert_int_equal(WaitForSingleObject(w.ancestor_event, 2000), WAIT_OBJECT_0);
    /* The value written right after the key's creation: the re-armed watch follows the key. */
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    assert_non_null(w.key_event);
    set_value(k, 4);
    assert_int_equal(WaitForSingleObject(w.key_event, 2000), WAIT_OBJECT_0);
    win_key_watch_close(&w);
    RegCloseKey(k);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, key_path, KEY_WOW64_64KEY, 0);
}

/* A tree watched with its subkeys (the firewall's keys): a value set deep inside is seen; when
 * the whole tree is deleted under the watch (Group Policy's key, when the last firewall GPO
 * goes), arming again watches the ancestor, and the tree created again is seen. */
static void test_a_tree_deleted_and_created_again(void **state)
{
    win_key_watch w;
    dlo_error err;
    wchar_t deep[256];
    HKEY k;
    (void)state;
    swprintf(deep, 256, L"%ls\\FirewallRules", key_path);
    k = create(deep);
    win_key_watch_init_tree(&w, key_path);
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    set_value(k, 5);
    assert_int_equal(WaitForSingleObject(w.key_event, 2000), WAIT_OBJECT_0);
    RegCloseKey(k);
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    assert_int_equal(RegDeleteTreeW(HKEY_LOCAL_MACHINE, key_path), ERROR_SUCCESS);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, key_path, KEY_WOW64_64KEY, 0);
    assert_true(WaitForSingleObject(w.key_event, 2000) == WAIT_OBJECT_0 ||
                WaitForSingleObject(w.ancestor_event, 0) == WAIT_OBJECT_0);
    if (win_key_watch_arm(&w, &err) != DLO_OK)
        fail_msg("arming after the tree was deleted: %s", err.msg);
    assert_null(w.key);
    assert_non_null(w.ancestor_event);
    k = create(deep);
    assert_int_equal(WaitForSingleObject(w.ancestor_event, 2000), WAIT_OBJECT_0);
    assert_int_equal(win_key_watch_arm(&w, &err), DLO_OK);
    assert_non_null(w.key);
    set_value(k, 6);
    assert_int_equal(WaitForSingleObject(w.key_event, 2000), WAIT_OBJECT_0);
    win_key_watch_close(&w);
    RegCloseKey(k);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, key_path);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, key_path, KEY_WOW64_64KEY, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_notification_request_resets_its_event),
        cmocka_unit_test(test_an_existing_key_and_its_ancestor_have_events_of_their_own),
        cmocka_unit_test(test_a_key_that_appears_is_seen_through_its_ancestor),
        cmocka_unit_test(test_a_tree_deleted_and_created_again),
    };
    return cmocka_run_group_tests(tests, make_base, remove_base);
}
