#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dlo/cli.h"

#define PARSE(cli, err, ...) parse_args((cli), (err), (char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static dlo_status parse_args(dlo_cli *cli, dlo_error *err, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    dlo_error_clear(err);
    return dlo_cli_parse(argc, argv, cli, err);
}

static void test_command_spellings(void **state)
{
    static const char *const spellings[] = {"/help", "-help", "--help", "/HELP",
                                            "/Help", "/?",    "-?"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        dlo_cli cli;
        dlo_error err;
        assert_int_equal(PARSE(&cli, &err, (char *)spellings[i]), DLO_OK);
        assert_int_equal(cli.command, DLO_CMD_HELP);
    }
}

static void test_flag_and_command_any_order(void **state)
{
    dlo_cli cli;
    dlo_error err;
    (void)state;
    assert_int_equal(PARSE(&cli, &err, "/JSON", "/version"), DLO_OK);
    assert_int_equal(cli.command, DLO_CMD_VERSION);
    assert_true(dlo_cli_flag(&cli, DLO_OPT_JSON));

    assert_int_equal(PARSE(&cli, &err, "/version"), DLO_OK);
    assert_false(dlo_cli_flag(&cli, DLO_OPT_JSON));

    assert_int_equal(PARSE(&cli, &err, "/Strict", "/verify"), DLO_OK);
    assert_int_equal(cli.command, DLO_CMD_VERIFY);
    assert_true(dlo_cli_flag(&cli, DLO_OPT_STRICT));
    assert_false(dlo_cli_flag(&cli, DLO_OPT_JSON));
}

static void expect_usage(dlo_status st, const dlo_error *err, const char *needle)
{
    assert_int_equal(st, DLO_E_USAGE);
    assert_int_equal(dlo_status_exit_code(st), DLO_EXIT_USAGE);
    if (!strstr(err->msg, needle))
        fail_msg("message '%s' does not contain '%s'", err->msg, needle);
}

/* Every switch at most once, commands, flags and values alike, in any spelling: a repetition
 * means the command line was built wrong, and for a value the two may differ. The switches are
 * read from /help, so a switch added later is held to it too. */
static void test_every_switch_given_twice_is_refused(void **state)
{
    dlo_buf help;
    const char *line;
    size_t tried = 0;
    (void)state;
    dlo_buf_init(&help);
    dlo_cli_help(&help);
    for (line = dlo_buf_str(&help); line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char name[64], arg[80], again[80], want[96];
        size_t n;
        dlo_cli cli;
        dlo_error err;
        bool value;
        if (strncmp(line, "  /", 3) != 0)
            continue;
        n = strcspn(line + 3, ": \n");
        snprintf(name, sizeof(name), "%.*s", (int)n, line + 3);
        value = line[3 + n] == ':';
        snprintf(arg, sizeof(arg), "/%s%s", name, value ? ":one" : "");
        /* The second time in another spelling: dash, upper case, the other separator. */
        snprintf(again, sizeof(again), "-%c%s%s", name[0] == '?' ? '?' : name[0] - 32, name + 1,
                 value ? "=two" : "");
        snprintf(want, sizeof(want), "/%s is given twice", name);
        expect_usage(PARSE(&cli, &err, arg, again), &err, want);
        tried++;
    }
    assert_true(tried >= 38);
    dlo_buf_free(&help);
}

/* /help and /? are one command in two spellings: once. */
static void test_command_aliases_count_as_one(void **state)
{
    dlo_cli cli;
    dlo_error err;
    (void)state;
    expect_usage(PARSE(&cli, &err, "/help", "/?"), &err, "/? is given twice");
}

static void test_export_is_a_command_with_a_format(void **state)
{
    dlo_cli cli;
    dlo_error err;
    dlo_buf b;
    (void)state;
    assert_int_equal(PARSE(&cli, &err, "/roles:client", "/Export:netsh"), DLO_OK);
    assert_int_equal(cli.command, DLO_CMD_EXPORT);
    assert_string_equal(cli.values[DLO_OPT_EXPORT], "netsh");
    expect_usage(PARSE(&cli, &err, "/export"), &err, "/export needs a value: /export:FORMAT");
    expect_usage(PARSE(&cli, &err, "/export:"), &err, "/export needs a value");
    expect_usage(PARSE(&cli, &err, "/verify:x"), &err, "/verify takes no value");
    expect_usage(PARSE(&cli, &err, "/export:json", "/plan"), &err, "both commands");
    dlo_buf_init(&b);
    dlo_cli_help(&b);
    assert_non_null(strstr(dlo_buf_str(&b), "/export:FORMAT"));
    assert_non_null(strstr(dlo_buf_str(&b), "/strict"));
    dlo_buf_free(&b);
}

static void test_errors_name_the_argument(void **state)
{
    dlo_cli cli;
    dlo_error err;
    (void)state;
    expect_usage(PARSE(&cli, &err, "/frobnicate"), &err, "unknown switch '/frobnicate'");
    expect_usage(PARSE(&cli, &err, "stray"), &err, "unexpected argument 'stray'");
    expect_usage(PARSE(&cli, &err, "/help", "/version"), &err, "/help and /version");
    expect_usage(PARSE(&cli, &err, "/help:now"), &err, "/help takes no value");
    expect_usage(PARSE(&cli, &err, "/version", "/json=yes"), &err, "/json takes no value");
    expect_usage(PARSE(&cli, &err, "/"), &err, "unknown switch '/'");
    expect_usage(PARSE(&cli, &err, "-"), &err, "unknown switch '-'");
    expect_usage(PARSE(&cli, &err, "/:x"), &err, "unknown switch '/:x'");
    /* A prefix of a switch name is not that switch. */
    expect_usage(PARSE(&cli, &err, "/hel"), &err, "unknown switch '/hel'");
    expect_usage(PARSE(&cli, &err, "/helpx"), &err, "unknown switch '/helpx'");
}

static void test_no_command(void **state)
{
    dlo_cli cli;
    dlo_error err;
    char *argv[] = {"dloagent.exe", NULL};
    (void)state;
    expect_usage(parse_args(&cli, &err, argv), &err, "no command given");
    expect_usage(PARSE(&cli, &err, "/json"), &err, "no command given");
}

static void test_configuration_switches(void **state)
{
    dlo_cli cli;
    dlo_error err;
    (void)state;
    assert_int_equal(PARSE(&cli, &err, "/config", "/MODE:occasional", "-sqlport=1433",
                           "/EdgeServers:10.0.0.0/8,fe80::1", "/excluderoles:client"),
                     DLO_OK);
    assert_int_equal(cli.command, DLO_CMD_CONFIG);
    assert_string_equal(cli.config[DLO_CFG_BOI_MODE], "occasional");
    assert_string_equal(cli.config[DLO_CFG_SQL_PORT], "1433");
    /* Only the first ':' separates: IPv6 addresses keep theirs. */
    assert_string_equal(cli.config[DLO_CFG_SCOPE_FIRST + DLO_ROLE_EDGE_SERVER],
                        "10.0.0.0/8,fe80::1");
    assert_string_equal(cli.config[DLO_CFG_EXCLUDE_ROLES], "client");
    assert_null(cli.config[DLO_CFG_ROLES]);
    expect_usage(PARSE(&cli, &err, "/run", "/mode"), &err, "/mode needs a value: /mode:MODE");
    expect_usage(PARSE(&cli, &err, "/run", "/roles:a", "/roles:b"), &err, "/roles is given twice");
    expect_usage(PARSE(&cli, &err, "/install", "/uninstall"), &err, "/install and /uninstall");
    assert_int_equal(PARSE(&cli, &err, "/service"), DLO_OK);
    assert_int_equal(cli.command, DLO_CMD_SERVICE);
}

static void test_help_lists_every_switch(void **state)
{
    dlo_buf b;
    int item;
    (void)state;
    dlo_buf_init(&b);
    dlo_cli_help(&b);
    assert_non_null(strstr(dlo_buf_str(&b), "Usage: dloagent.exe"));
    assert_non_null(strstr(dlo_buf_str(&b), "/help"));
    assert_non_null(strstr(dlo_buf_str(&b), "/version"));
    assert_non_null(strstr(dlo_buf_str(&b), "/json"));
    assert_non_null(strstr(dlo_buf_str(&b), "Exit codes"));
    assert_non_null(strstr(dlo_buf_str(&b), "\n  /config               Show the effective"));
    assert_non_null(strstr(dlo_buf_str(&b), "\n  /mode:MODE            BOI mode"));
    /* A switch too long for the column gets its help on the next line, aligned. */
    assert_non_null(strstr(dlo_buf_str(&b),
                           "\n  /dedupestorageservers:ADDRESSES\n"
                           "                        Remote addresses of the dedupe"));
    /* Every configuration row with a switch, with its value and help, from the row alone. */
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const dlo_config_row *row = dlo_config_row_of((dlo_config_item)item);
        char want[128];
        if (!row->sw)
            continue;
        snprintf(want, sizeof(want), "\n  /%s:%s", row->sw, row->sw_value);
        if (!strstr(dlo_buf_str(&b), want) || !strstr(dlo_buf_str(&b), row->sw_help))
            fail_msg("/help lacks /%s:%s or its help", row->sw, row->sw_value);
        /* A value nothing acts on yet says so on its line, and only such a value. */
        snprintf(want, sizeof(want), "%s " DLO_CONFIG_RESERVED_HELP "\n", row->sw_help);
        if (!strstr(dlo_buf_str(&b), want) != !row->reserved)
            fail_msg("/help: /%s %s", row->sw,
                     row->reserved ? "is reserved and does not say so" : "is not reserved");
    }
    dlo_buf_free(&b);
}

/* Each configuration item with a switch is overridden by exactly that switch, and only by it:
 * configuration names its switches and the command line finds them by name, so a spelling that
 * drifted on either side fails here. */
static void test_overrides_follow_the_switch_names(void **state)
{
    int item, other;
    (void)state;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const char *sw = dlo_config_item_switch((dlo_config_item)item);
        dlo_config_overrides ov;
        dlo_cli cli;
        dlo_error err;
        char arg[128];

        if (!sw)
            continue;
        snprintf(arg, sizeof(arg), "/%s:value%d", sw, item);
        assert_int_equal(PARSE(&cli, &err, "/config", arg, "/json"), DLO_OK);
        dlo_cli_config_overrides(&cli, &ov);
        if (!ov.values[item])
            fail_msg("/%s does not override %s", sw, dlo_config_item_name((dlo_config_item)item));
        assert_string_equal(ov.values[item], arg + strlen(sw) + 2);
        for (other = 0; other < DLO_CFG_COUNT; other++)
            if (other != item && ov.values[other])
                fail_msg("/%s also overrides %s", sw, dlo_config_item_name((dlo_config_item)other));
    }
}

static void test_no_command_line_overrides_nothing(void **state)
{
    dlo_config_overrides ov;
    dlo_cli cli;
    dlo_error err;
    int item;
    (void)state;

    memset(&ov, 0xff, sizeof(ov));
    dlo_cli_config_overrides(NULL, &ov);
    for (item = 0; item < DLO_CFG_COUNT; item++)
        assert_null(ov.values[item]);
    /* Switches that are not configuration (/json) override nothing either; /policy is
     * PolicyFile for this run, and nothing else. */
    assert_int_equal(PARSE(&cli, &err, "/plan", "/json", "/policy:x.ports"), DLO_OK);
    dlo_cli_config_overrides(&cli, &ov);
    for (item = 0; item < DLO_CFG_COUNT; item++)
        if (item == DLO_CFG_POLICY_FILE)
            assert_string_equal(ov.values[item], "x.ports");
        else
            assert_null(ov.values[item]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_spellings),
        cmocka_unit_test(test_flag_and_command_any_order),
        cmocka_unit_test(test_export_is_a_command_with_a_format),
        cmocka_unit_test(test_every_switch_given_twice_is_refused),
        cmocka_unit_test(test_command_aliases_count_as_one),
        cmocka_unit_test(test_errors_name_the_argument),
        cmocka_unit_test(test_no_command),
        cmocka_unit_test(test_configuration_switches),
        cmocka_unit_test(test_help_lists_every_switch),
        cmocka_unit_test(test_overrides_follow_the_switch_names),
        cmocka_unit_test(test_no_command_line_overrides_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
