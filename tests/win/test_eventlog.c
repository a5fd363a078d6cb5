/* The Event Log messages as a log viewer sees them: every event ID has a message in the
 * message table of dloagent.exe (run with the build folder as working directory), the
 * agent's text is inserted, and the severity matches the level. */
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wchar.h>

#include "win/eventlog.h"

static HMODULE exe;

static int load_exe(void **state)
{
    wchar_t path[MAX_PATH];
    (void)state;
    if (!GetFullPathNameW(L"dloagent.exe", MAX_PATH, path, NULL))
        return -1;
    exe = LoadLibraryExW(path, NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    return exe ? 0 : -1;
}

static int free_exe(void **state)
{
    (void)state;
    FreeLibrary(exe);
    return 0;
}

static void test_every_event_has_a_message(void **state)
{
    size_t i;
    (void)state;

    assert_true(win_all_events_count >= 17);
    for (i = 0; i < win_all_events_count; i++) {
        DWORD id = win_event_message_id(win_all_events[i], DLO_LOG_INFO);
        const wchar_t *insert = L"INSERTED TEXT";
        DWORD_PTR args[1] = {(DWORD_PTR)insert};
        wchar_t text[1024];
        DWORD n;

        assert_int_equal(id & 0xFFFF, (DWORD)win_all_events[i]);
        n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, exe, id, 0,
                           text, 1024, (va_list *)args);
        if (n == 0)
            fail_msg("event %d (message 0x%08lx) has no message in dloagent.exe: error %lu",
                     (int)win_all_events[i], id, GetLastError());
        if (!wcsstr(text, insert))
            fail_msg("event %d: the agent's text is not in '%ls'", (int)win_all_events[i], text);
    }
}

static void test_severity_follows_the_event(void **state)
{
    (void)state;
    /* The two top bits: 1 informational, 2 warning, 3 error. */
    assert_int_equal(win_event_message_id(DLO_EV_SERVICE_STARTED, DLO_LOG_INFO) >> 30, 1);
    assert_int_equal(win_event_message_id(DLO_EV_DRIFT_REPAIRED, DLO_LOG_WARN) >> 30, 2);
    assert_int_equal(win_event_message_id(DLO_EV_CONFIG_ERROR, DLO_LOG_ERR) >> 30, 3);
    assert_int_equal(win_event_message_id(DLO_EV_FIREWALL_ERROR, DLO_LOG_ERR) >> 30, 3);
    /* Messages without an event of their own go by level. */
    assert_int_equal(win_event_message_id(DLO_EV_NONE, DLO_LOG_INFO) & 0xFFFF, 1900);
    assert_int_equal(win_event_message_id(DLO_EV_NONE, DLO_LOG_WARN) & 0xFFFF, 1901);
    assert_int_equal(win_event_message_id(DLO_EV_NONE, DLO_LOG_ERR) & 0xFFFF, 1902);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_has_a_message),
        cmocka_unit_test(test_severity_follows_the_event),
    };
    return cmocka_run_group_tests(tests, load_exe, free_exe);
}
