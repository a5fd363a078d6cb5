/* The dispatcher end to end with a fake platform that captures both output streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/app.h"
#include "dlo/buf.h"
#include "dlo/version.h"

typedef struct capture {
    dlo_buf out, err;
} capture;

static void cap_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((capture *)ctx)->out, s, n);
}

static void cap_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((capture *)ctx)->err, s, n);
}

static int run(capture *c, char **argv)
{
    dlo_platform plat = {c, cap_out, cap_err, NULL, NULL, NULL};
    int argc = 0;
    dlo_buf_init(&c->out);
    dlo_buf_init(&c->err);
    while (argv[argc])
        argc++;
    return dlo_app_run(&plat, argc, argv);
}

#define RUN(c, ...) run((c), (char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static void capture_free(capture *c)
{
    dlo_buf_free(&c->out);
    dlo_buf_free(&c->err);
}

static void test_help_goes_to_stdout(void **state)
{
    capture c;
    (void)state;
    assert_int_equal(RUN(&c, "/help"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "Usage:"));
    assert_string_equal(dlo_buf_str(&c.err), "");
    capture_free(&c);
}

static void test_version_text_and_json(void **state)
{
    capture c;
    (void)state;
    assert_int_equal(RUN(&c, "/version"), 0);
    assert_string_equal(dlo_buf_str(&c.out), "dloagent " DLO_VERSION_STRING "\n");
    capture_free(&c);

    assert_int_equal(RUN(&c, "/version", "/json"), 0);
    assert_string_equal(dlo_buf_str(&c.out),
                        "{\"name\": \"dloagent\", \"version\": \"" DLO_VERSION_STRING "\"}\n");
    capture_free(&c);
}

static void test_usage_error_exit_2_on_stderr_only(void **state)
{
    capture c;
    (void)state;
    assert_int_equal(RUN(&c, "/nope"), 2);
    assert_string_equal(dlo_buf_str(&c.out), "");
    assert_string_equal(dlo_buf_str(&c.err),
                        "dloagent: unknown switch '/nope': see /help for the list\n");
    capture_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_goes_to_stdout),
        cmocka_unit_test(test_version_text_and_json),
        cmocka_unit_test(test_usage_error_exit_2_on_stderr_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
