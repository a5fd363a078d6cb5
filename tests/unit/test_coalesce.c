/* Bursts of changes to one pass (dlo/coalesce.h): when the pass comes, for which kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dlo/coalesce.h"
#include "dlo/service.h"

/* One firewall change: its pass a quiet time later, well within a second. */
static void test_one_firewall_change(void **state)
{
    dlo_coalesce c;
    (void)state;

    dlo_coalesce_init(&c);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_FIREWALL, 1000),
                     1000 + DLO_COALESCE_FW_QUIET_MS);
    assert_true(DLO_COALESCE_FW_QUIET_MS < 1000);
    assert_int_equal(dlo_coalesce_take(&c), DLO_WAKE_FIREWALL);
    assert_int_equal(dlo_coalesce_take(&c), 0);
}

/* 500 writes 1 ms apart: the pass waits for the burst to end, so the burst gets one pass. */
static void test_burst_gives_one_pass(void **state)
{
    dlo_coalesce c;
    uint64_t t, due = 0;
    int passes = 0;
    (void)state;

    dlo_coalesce_init(&c);
    for (t = 0; t < 500; t++) {
        if (c.pending && t >= due) {
            dlo_coalesce_take(&c);
            passes++;
        }
        due = dlo_coalesce_note(&c, DLO_WAKE_GROUP_POLICY, t);
    }
    assert_int_equal(passes, 0);
    assert_int_equal(due, 499 + DLO_COALESCE_FW_QUIET_MS);
    assert_int_equal(dlo_coalesce_take(&c), DLO_WAKE_GROUP_POLICY);
}

/* A burst that never pauses is still acted on: no later than the longest wait after its first
 * change, and the next change starts a new burst. */
static void test_endless_burst_is_capped(void **state)
{
    dlo_coalesce c;
    uint64_t t, due = 0;
    (void)state;

    dlo_coalesce_init(&c);
    for (t = 0; t <= DLO_COALESCE_FW_MAX_MS; t += 100)
        due = dlo_coalesce_note(&c, DLO_WAKE_FIREWALL, 5000 + t);
    assert_int_equal(due, 5000 + DLO_COALESCE_FW_MAX_MS);
    dlo_coalesce_take(&c);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_FIREWALL, 9000),
                     9000 + DLO_COALESCE_FW_QUIET_MS);
}

/* A configuration being written is waited for as before, also when the firewall changed too;
 * the pass then runs for both. */
static void test_slow_kinds_wait_longer(void **state)
{
    dlo_coalesce c;
    (void)state;

    dlo_coalesce_init(&c);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_CONFIG, 0), DLO_COALESCE_QUIET_MS);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_FIREWALL, 100), 100 + DLO_COALESCE_QUIET_MS);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_CONFIG, DLO_COALESCE_MAX_MS - 10),
                     DLO_COALESCE_MAX_MS);
    assert_int_equal(dlo_coalesce_take(&c), DLO_WAKE_CONFIG | DLO_WAKE_FIREWALL);
    dlo_coalesce_init(&c);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_SERVICES, 0), DLO_COALESCE_QUIET_MS);
    assert_int_equal(dlo_coalesce_note(&c, DLO_WAKE_NETWORK, 0), DLO_COALESCE_QUIET_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_firewall_change),
        cmocka_unit_test(test_burst_gives_one_pass),
        cmocka_unit_test(test_endless_burst_is_capped),
        cmocka_unit_test(test_slow_kinds_wait_longer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
