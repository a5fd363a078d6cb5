/* Attribution's Windows seam against the real Event Log API (under Wine in the test run).
 *
 * Measured under Wine 8.0: EvtQuery returns NULL for every channel and leaves the last error at
 * 0 (its wevtapi is a stub), so the firewall's channel reads as absent and attribution says
 * "unknown" with the reason, not an error. On Windows the channel exists and the same calls
 * give the events (the Windows run, tests/windows). Account names: LookupAccountSidW. */
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "win/fwevents.h"

static dlo_status count_event(void *ctx, const char *xml, size_t n)
{
    (void)xml;
    (void)n;
    ++*(size_t *)ctx;
    return DLO_OK;
}

/* A channel no system has: not found, never another error, nothing handed. */
static void test_missing_channel(void **state)
{
    const dlo_attr_os *os = win_attr_os();
    unsigned ids[] = {2006};
    size_t handed = 0;
    dlo_error err;
    (void)state;

    assert_int_equal(os->query(os->ctx, "Dlo-Test-No-Such-Channel/Operational", ids, 1, 0,
                               count_event, &handed, &err),
                     DLO_E_NOTFOUND);
    assert_int_equal(handed, 0);
    assert_non_null(strstr(err.msg, "Dlo-Test-No-Such-Channel/Operational"));
}

/* Attribution over this system's log is an answer, whatever the log holds: here (Wine) unknown
 * because the firewall's channel is not there. */
static void test_unknown_not_error(void **state)
{
    const dlo_attr_os *os = win_attr_os();
    dlo_attr_query q = {"{00000000-0000-0000-0000-000000000001}",
                        "DLO test rule",
                        DLO_ATTR_DELETED,
                        0,
                        INT64_MAX,
                        "C:\\dloagent.exe"};
    dlo_attr_events ev;
    dlo_attribution a;
    dlo_error err;
    (void)state;

    assert_int_equal(dlo_attr_load(os, 0, &ev, &err), DLO_OK);
    assert_int_equal(dlo_attr_find(&ev, os, &q, &a, &err), DLO_OK);
    assert_int_equal(a.origin, DLO_ATTR_UNKNOWN);
    assert_true(a.why[0] != '\0');
    printf("firewall channel read: %s; security log read: %s; the answer: %s\n",
           ev.firewall_read ? "yes" : "no", ev.security_read ? "yes" : "no", a.why);
    if (!ev.firewall_read)
        assert_non_null(strstr(a.why, "does not exist"));
    dlo_attribution_free(&a);
    dlo_attr_events_free(&ev);
}

/* Well-known SIDs have names; a SID nobody has is not found; text that is no SID is an error. */
static void test_account_names(void **state)
{
    const dlo_attr_os *os = win_attr_os();
    dlo_buf b;
    dlo_error err;
    (void)state;

    dlo_buf_init(&b);
    assert_int_equal(os->account_name(os->ctx, "S-1-5-18", &b, &err), DLO_OK);
    printf("S-1-5-18 is %s\n", dlo_buf_str(&b));
    assert_non_null(strstr(dlo_buf_str(&b), "SYSTEM"));
    dlo_buf_reset(&b);
    assert_int_equal(os->account_name(os->ctx, "S-1-5-21-1-2-3-424242", &b, &err), DLO_E_NOTFOUND);
    assert_int_equal(b.len, 0);
    assert_int_not_equal(os->account_name(os->ctx, "not a SID", &b, &err), DLO_OK);
    assert_int_equal(b.len, 0);
    dlo_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_channel),
        cmocka_unit_test(test_unknown_not_error),
        cmocka_unit_test(test_account_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
