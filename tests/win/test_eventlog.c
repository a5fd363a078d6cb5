/* The Event Log messages as a log viewer sees them: every event ID has a message in the
 * message table of dloagent.exe (run with the build folder as working directory), the
 * agent's text is inserted, and the severity matches the level. And the trace file: a name
 * only, in the agent's own folder, a hard link planted at the name refused (Wine cannot make
 * junctions: FSCTL_SET_REPARSE_POINT fails with error 50; their refusal is the reader's
 * reparse-point flag, tested on the host in tests/unit/test_trust.c). */
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
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

/* The trace folder under a base of the test's own (the service's is %ProgramData%), as the
 * service makes and checks it. */
static wchar_t base[MAX_PATH];

/* Deletes a folder and everything in it (files read-only or not); absent is fine. */
static void remove_tree(const wchar_t *dir)
{
    wchar_t pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE find;

    swprintf(pattern, MAX_PATH, L"%ls\\*", dir);
    find = FindFirstFileW(pattern, &fd);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                continue;
            swprintf(path, MAX_PATH, L"%ls\\%ls", dir, fd.cFileName);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                remove_tree(path);
            } else {
                SetFileAttributesW(path, FILE_ATTRIBUTE_NORMAL);
                DeleteFileW(path);
            }
        } while (FindNextFileW(find, &fd));
        FindClose(find);
    }
    RemoveDirectoryW(dir);
}

/* Wine reuses process IDs, so a folder an earlier run in the same prefix left behind may carry
 * this run's name: it goes first, and each test's goes when the test ends. */
static void make_base(const wchar_t *tag)
{
    swprintf(base, MAX_PATH, L"C:\\ProgramData\\dloagent-test-%ls-%lu", tag, GetCurrentProcessId());
    remove_tree(base);
    assert_true(CreateDirectoryW(base, NULL));
}

static int drop_base(void **state)
{
    (void)state;
    if (base[0])
        remove_tree(base);
    base[0] = 0;
    return 0;
}

static void trace_path(wchar_t *out, const wchar_t *name)
{
    swprintf(out, MAX_PATH, L"%ls\\Arctera\\DLO Firewall Agent\\Trace\\%ls", base, name);
}

static DWORD file_size(const wchar_t *path)
{
    WIN32_FILE_ATTRIBUTE_DATA a;
    return GetFileAttributesExW(path, GetFileExInfoStandard, &a) ? a.nFileSizeLow : (DWORD)-1;
}

static void test_trace_names_only(void **state)
{
    static const char *const bad[] = {"",        "Z:\\tmp\\x.log", "..\\x.log",     "a/b.log",
                                      ".hidden", "x.log:stream",   "\\\\host\\s\\x"};
    HANDLE h;
    dlo_error err;
    size_t i;
    (void)state;
    assert_true(win_trace_name_valid("service-1_a.log"));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(win_trace_name_valid(bad[i]));
        dlo_error_clear(&err);
        assert_int_equal(win_trace_open_in(L"C:\\ProgramData", bad[i], &h, &err), DLO_E_CONFIG);
        assert_true(h == INVALID_HANDLE_VALUE);
        assert_non_null(strstr(err.msg, "expected a file name only"));
    }
}

static void test_the_trace_is_written_in_the_agents_folder(void **state)
{
    wchar_t path[MAX_PATH];
    HANDLE h;
    DWORD done;
    dlo_error err;
    (void)state;
    make_base(L"ok");
    dlo_error_clear(&err);
    if (win_trace_open_in(base, "t.log", &h, &err) != DLO_OK)
        fail_msg("%s", err.msg);
    assert_true(WriteFile(h, "one\r\n", 5, &done, NULL));
    CloseHandle(h);
    /* Opened again: appended, not truncated. */
    if (win_trace_open_in(base, "t.log", &h, &err) != DLO_OK)
        fail_msg("%s", err.msg);
    assert_true(WriteFile(h, "two\r\n", 5, &done, NULL));
    CloseHandle(h);
    trace_path(path, L"t.log");
    assert_int_equal(file_size(path), 10);
}

static void test_a_hard_link_at_the_trace_name_is_refused(void **state)
{
    wchar_t path[MAX_PATH], outside[MAX_PATH];
    HANDLE h;
    dlo_error err;
    (void)state;
    make_base(L"link");
    dlo_error_clear(&err);
    if (win_trace_open_in(base, "first.log", &h, &err) != DLO_OK)
        fail_msg("%s", err.msg);
    CloseHandle(h);
    swprintf(outside, MAX_PATH, L"%ls\\outside.txt", base);
    h = CreateFileW(outside, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    trace_path(path, L"planted.log");
    assert_true(CreateHardLinkW(path, outside, NULL));
    assert_int_equal(win_trace_open_in(base, "planted.log", &h, &err), DLO_E_ACCESS);
    assert_true(h == INVALID_HANDLE_VALUE);
    assert_non_null(strstr(err.msg, "planted.log has 2 hard links; expected exactly one"));
    assert_int_equal(file_size(outside), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_has_a_message),
        cmocka_unit_test(test_severity_follows_the_event),
        cmocka_unit_test(test_trace_names_only),
        cmocka_unit_test_teardown(test_the_trace_is_written_in_the_agents_folder, drop_base),
        cmocka_unit_test_teardown(test_a_hard_link_at_the_trace_name_is_refused, drop_base),
    };
    return cmocka_run_group_tests(tests, load_exe, free_exe);
}
