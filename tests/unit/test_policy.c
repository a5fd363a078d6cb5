/* The port matrix parser: the real file, and every kind of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/policy.h"
#include "dlo/report.h"
#include "dlo/rule.h"
#include "testutil.h"

static const char *find_row_id(const dlo_policy *pol, const char *id, size_t *index)
{
    size_t i;
    for (i = 0; i < pol->n_rows; i++) {
        if (strcmp(pol->rows[i].id, id) == 0) {
            *index = i;
            return pol->rows[i].id;
        }
    }
    return NULL;
}

static void test_real_policy_parses(void **state)
{
    dlo_buf text;
    dlo_policy pol;
    dlo_error err;
    size_t i = 0;
    (void)state;

    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    assert_int_equal(dlo_policy_parse(text.data, text.len, "dlo-10.0.ports", &pol, &err), DLO_OK);
    assert_string_equal(pol.release, "Arctera DLO 10.0");
    /* 13 rows in the vendor's server table, 6 in its client table; the dashboard's is two
     * (443, and the RPC endpoint mapper's 135 as a corporate path). */
    assert_int_equal(pol.n_rows, 20);
    assert_int_equal(pol.profiles[DLO_MODE_OCCASIONAL][DLO_NET_CORPORATE], DLO_PROFILE_DOMAIN);
    assert_int_equal(pol.profiles[DLO_MODE_OCCASIONAL][DLO_NET_INTERNET], DLO_PROFILE_ALL);
    assert_int_equal(pol.profiles[DLO_MODE_NONBOI][DLO_NET_CORPORATE], DLO_PROFILE_DOMAIN);
    assert_int_equal(pol.profiles[DLO_MODE_EXCLUSIVE][DLO_NET_CORPORATE], DLO_PROFILE_DOMAIN);
    assert_int_equal(pol.profiles[DLO_MODE_EXCLUSIVE][DLO_NET_INTERNET], DLO_PROFILE_ALL);

    assert_non_null(find_row_id(&pol, "server.push-install", &i));
    assert_string_equal(pol.rows[i].ports, "135,1037,441,1125,49152-65535");
    assert_false(pol.rows[i].applies[DLO_MODE_EXCLUSIVE]);
    assert_true(pol.rows[i].applies[DLO_MODE_NONBOI]);
    assert_int_equal(pol.rows[i].destinations[DLO_MODE_NONBOI], DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    /* The push installation's RPC ports and its first-install window are data. */
    assert_true(pol.rows[i].has_rpc_ports);
    assert_int_equal(pol.rows[i].rpc_ports[DLO_RPC_EPMAP].n_ranges, 1);
    assert_int_equal(pol.rows[i].rpc_ports[DLO_RPC_EPMAP].ranges[0].lo, 135);
    assert_int_equal(pol.rows[i].rpc_ports[DLO_RPC_DYNAMIC].ranges[0].lo, 49152);
    assert_int_equal(pol.rows[i].rpc_ports[DLO_RPC_DYNAMIC].ranges[0].hi, 65535);
    assert_int_equal(pol.rows[i].until_detected, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    for (size_t j = 0; j < pol.n_rows; j++)
        if (j != i)
            assert_false(pol.rows[j].has_rpc_ports || pol.rows[j].until_detected);

    assert_non_null(find_row_id(&pol, "server.admin-service", &i));
    assert_int_equal(pol.rows[i].protocols, DLO_PROTOS_TCP | DLO_PROTOS_UDP);
    assert_non_null(find_row_id(&pol, "server.dedupe-ajp", &i));
    assert_int_equal(pol.rows[i].protocols, DLO_PROTOS_TCP);
    assert_false(pol.rows[i].applies[DLO_MODE_NONBOI]);

    dlo_policy_free(&pol);
    dlo_buf_free(&text);
}

#define HEADER                                                                                     \
    "dloagent-policy 1\n"                                                                          \
    "release Test\n"                                                                               \
    "profiles nonboi corporate=domain,private,public internet=domain,private,public\n"             \
    "profiles exclusive corporate=domain,private,public internet=domain,private,public\n"          \
    "profiles occasional corporate=domain internet=domain,private,public\n"

#define ROW_BODY                                                                                   \
    "  table server\n"                                                                             \
    "  process Thing\n"                                                                            \
    "  port 3999\n"                                                                                \
    "  ports 3999\n"                                                                               \
    "  type TCP\n"                                                                                 \
    "  rule Thing\n"                                                                               \
    "  network corporate\n"                                                                        \
    "  nonboi source=admin-console destination=admin-server\n"                                     \
    "  exclusive NA\n"                                                                             \
    "  occasional source=client destination=edge-server,io-server\n"

static void test_minimal_policy(void **state)
{
    const char *text = HEADER "row a.b\n" ROW_BODY;
    dlo_policy pol;
    dlo_error err;
    (void)state;
    assert_int_equal(dlo_policy_parse(text, strlen(text), "t", &pol, &err), DLO_OK);
    assert_int_equal(pol.n_rows, 1);
    assert_int_equal(pol.rows[0].line, 6);
    assert_int_equal(pol.rows[0].destinations[DLO_MODE_OCCASIONAL],
                     DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_IO_SERVER));
    dlo_policy_free(&pol);
}

static void test_crlf_bom_comments_and_blank_lines(void **state)
{
    const char *text = "\xEF\xBB\xBF# comment\r\n\r\ndloagent-policy 1\r\n"
                       "release Test\r\n"
                       "profiles nonboi corporate=domain internet=domain\r\n"
                       "profiles exclusive corporate=domain internet=domain\r\n"
                       "profiles occasional corporate=domain internet=public\r\n"
                       "row r1   \r\n"
                       "  # a comment inside a row\r\n"
                       "  table client\r\n  process P\r\n  port 1\r\n  ports 1\r\n  type UDP\r\n"
                       "  rule R\r\n  network internet\r\n  nonboi NA\r\n  exclusive NA\r\n"
                       "  occasional NA\r\n";
    dlo_policy pol;
    dlo_error err;
    (void)state;
    assert_int_equal(dlo_policy_parse(text, strlen(text), "t", &pol, &err), DLO_OK);
    assert_string_equal(pol.rows[0].id, "r1");
    assert_int_equal(pol.rows[0].protocols, DLO_PROTOS_UDP);
    assert_int_equal(pol.profiles[DLO_MODE_OCCASIONAL][DLO_NET_INTERNET], DLO_PROFILE_PUBLIC);
    dlo_policy_free(&pol);
}

typedef struct bad_case {
    const char *text;
    const char *expect; /* substring of the error, including "t:LINE:" */
} bad_case;

static const bad_case bad_cases[] = {
    {"", "t: is empty"},
    {"# only a comment\n", "t: is empty"},
    {"dloagent-policy 2\n", "t:1: expected 'dloagent-policy 1'"},
    {"dloagent-policy 1\nbogus line\n", "t:2: unknown line 'bogus'"},
    {"dloagent-policy 1\n  table server\n", "t:2: indented line outside a row"},
    {HEADER, "t: has no rows"},
    {"dloagent-policy 1\nrelease X\n", "lacks 'profiles nonboi"},
    {"dloagent-policy 1\nrelease X\nrelease Y\n", "t:3: release is given twice"},
    {"dloagent-policy 1\nprofiles sometimes corporate=domain internet=domain\n",
     "t:2: 'profiles' needs a mode first"},
    {"dloagent-policy 1\nprofiles nonboi corporate=domain\n",
     "t:2: profiles for nonboi lack internet="},
    {"dloagent-policy 1\nprofiles nonboi corporate=domain internet=office\n",
     "t:2: unknown profile 'office'"},
    {"dloagent-policy 1\nprofiles nonboi corporate=domain internet=\n", "t:2: unknown profile ''"},
    {HEADER "row a\n" ROW_BODY "row a\n" ROW_BODY,
     "t:17: row a is defined twice (first at line 6)"},
    {HEADER "row A_B\n", "t:6: row id 'A_B' may hold only"},
    {HEADER "row\n", "t:6: 'row' needs an id"},
    {HEADER "row a\n  table server\n", "t:6: row a lacks 'process'"},
    {HEADER "row a\n  table desk\n", "t:7: table must be server or client"},
    {HEADER "row a\n  colour blue\n", "t:7: unknown key 'colour' in row a"},
    {HEADER "row a\n  table server\n  table client\n", "t:8: 'table' is given twice in row a"},
    {HEADER "row a\n  ports 0\n", "t:7: ports '0' is not a port list"},
    {HEADER "row a\n  ports 65536\n", "t:7: ports '65536' is not a port list"},
    {HEADER "row a\n  ports 139-135\n", "t:7: ports '139-135' is not a port list"},
    {HEADER "row a\n  ports 135,,445\n", "t:7: ports '135,,445' is not a port list"},
    {HEADER "row a\n  ports 135, 445\n", "t:7: ports '135, 445' is not a port list"},
    {HEADER "row a\n  ports any\n", "t:7: ports 'any' is not a port list"},
    {HEADER "row a\n  ports *\n", "t:7: ports '*' is not a port list"},
    {HEADER "row a\n  type SCTP\n", "t:7: type 'SCTP' is unknown"},
    {HEADER "row a\n  network dmz\n", "t:7: network must be corporate or internet"},
    {HEADER "row a\n  rule A|B\n", "t:7: 'rule' holds a control character or '|'"},
    {HEADER "row a\n  process\n", "t:7: 'process' needs a value"},
    {HEADER "row a\n  nonboi source=admin-console\n", "t:7: nonboi: expected NA or source="},
    {HEADER "row a\n  nonboi source=admin-console destination=admin-server extra\n",
     "t:7: nonboi: expected NA or source="},
    {HEADER "row a\n  nonboi source=wizard destination=admin-server\n",
     "t:7: unknown role 'wizard'"},
    {HEADER "row a\n  nonboi source= destination=admin-server\n", "t:7: unknown role ''"},
    {HEADER "row a\n  nonboi source=client,,edge-server destination=admin-server\n",
     "t:7: unknown role ''"},
    {HEADER "row a\n" ROW_BODY "row b\n" ROW_BODY, NULL /* same rule, same ports: fine */},
    {HEADER "row a\n" ROW_BODY "row b\n" ROW_BODY "  \n", NULL},
    {"dloagent-policy 1\nrelease \x01\n", "t:2: 'release' holds a control character"},
    {HEADER "row a\n  served-by apache\n", "t:7: served-by 'apache' is unknown; expected windows"},
    {HEADER "row a\n  served-by\n", "t:7: 'served-by' needs a value"},
    {HEADER "row a\n  served-by windows now\n", "t:7: served-by windows takes nothing after it"},
    {HEADER "row a\n  served-by service\n", "t:7: served-by service needs a service name"},
    {HEADER "row a\n  served-by service \"\"\n", "t:7: served-by service needs a service name"},
    {HEADER "row a\n  served-by service DLO Admin\n",
     "t:7: served-by service: 'DLO Admin' holds blanks; put a service name in double quotes"},
    {HEADER "row a\n  served-by service DLO*\n",
     "t:7: served-by service: 'DLO*' holds '*'; expected a service short name (no wildcards"},
    {HEADER "row a\n  served-by service C:\\x\n", "t:7: served-by service: 'C:\\x' holds '\\'"},
    {HEADER "row a\n  served-by service-display \"*DLO Edge*\n",
     "t:7: served-by service-display: the quote is not closed"},
    {HEADER "row a\n  served-by service-display \"a\"b\"\n",
     "t:7: served-by service-display: 'a\"b' holds '\"'"},
    {HEADER "row a\n  served-by sql-server\n  served-by windows\n",
     "t:8: 'served-by' is given twice in row a"},
    {HEADER "row a\n" ROW_BODY "  served-by windows\n", NULL /* optional, anywhere in the row */},
    {HEADER "row a\n" ROW_BODY "  served-by service DLOAdminSvcu\nrow b\n" ROW_BODY
            "  served-by service dloadminsvcu\n",
     NULL /* a service name in any case is the same service */},
    {HEADER "row a\n" ROW_BODY "  served-by sql-server\nrow b\n" ROW_BODY,
     "t:18: rows a and b share the rule name 'Thing' but not served-by"},
    {HEADER "row a\n" ROW_BODY "  served-by service A\nrow b\n" ROW_BODY "  served-by service B\n",
     "t:18: rows a and b share the rule name 'Thing' but not served-by"},
    /* The optional keys: rpc-ports names items of the row's TCP ports, until-detected its
     * destinations. */
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=3999\n", NULL},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=4000\n",
     "t:17: rpc-ports: RPC names 4000, which is not an item of ports '3999'"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports DCOM=3999\n",
     "t:17: rpc-ports: expected RPC-EPMap=PORTS or RPC=PORTS, got 'DCOM=3999'"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=3999 RPC=3999\n",
     "t:17: rpc-ports: RPC= is given twice"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC-EPMap=3999 RPC=3999\n",
     "t:17: rpc-ports: 3999 is given to both RPC-EPMap and RPC"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=x\n", "t:17: rpc-ports: RPC=x is not a port list"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=\n", "t:17: rpc-ports: RPC= is not a port list"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=3999\n  rpc-ports RPC=3999\n",
     "t:18: 'rpc-ports' is given twice in row a"},
    {HEADER "row a\n  rpc-ports RPC=3999\n  table server\n  process Thing\n  port 3999\n"
            "  ports 3999\n  type TCP/UDP\n  rule Thing\n  network corporate\n"
            "  nonboi source=admin-console destination=admin-server\n  exclusive NA\n"
            "  occasional NA\n",
     "t:7: rpc-ports needs a TCP row (Windows takes RPC keywords on TCP only); row a is TCP/UDP"},
    {HEADER "row a\n" ROW_BODY "  until-detected admin-server,io-server\n", NULL},
    {HEADER "row a\n" ROW_BODY "  until-detected client\n",
     "t:17: until-detected names client, which is no destination of row a in any mode"},
    {HEADER "row a\n" ROW_BODY "  until-detected nobody\n", "t:17: unknown role 'nobody'"},
    {HEADER "row a\n" ROW_BODY "  rpc-ports RPC=3999\nrow b\n" ROW_BODY,
     "t:18: rows a and b share the rule name 'Thing' but differ in ports, rpc-ports"},
};

static void test_bad_policies_name_file_line_and_expectation(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        dlo_policy pol;
        dlo_error err;
        dlo_status st;
        dlo_error_clear(&err);
        st = dlo_policy_parse(bad_cases[i].text, strlen(bad_cases[i].text), "t", &pol, &err);
        if (!bad_cases[i].expect) {
            if (st != DLO_OK)
                fail_msg("case %d: expected success, got '%s'", (int)i, err.msg);
            dlo_policy_free(&pol);
            continue;
        }
        if (st != DLO_E_PARSE)
            fail_msg("case %d: expected a parse error containing '%s', got status %d", (int)i,
                     bad_cases[i].expect, st);
        if (!strstr(err.msg, bad_cases[i].expect))
            fail_msg("case %d: message '%s' lacks '%s'", (int)i, err.msg, bad_cases[i].expect);
        /* A failed parse leaves nothing behind to free or to use by mistake. */
        assert_int_equal(pol.n_rows, 0);
        assert_null(pol.rows);
    }
}

/* Each kind of served-by, read back from the row and shown by /matrix. */
static void test_served_by(void **state)
{
    const char *text =
        HEADER "row a\n  served-by service DLOAdminSvcu\n" ROW_BODY
               "row c\n  served-by service-display \"*DLO Edge*\"\n"
               "  table server\n  process P\n  port 443\n  ports 443\n  type TCP\n"
               "  rule Edge\n  network internet\n  nonboi NA\n  exclusive NA\n  occasional NA\n"
               "row d\n  served-by sql-browser\n"
               "  table server\n  process P\n  port 1434\n  ports 1434\n  type UDP\n"
               "  rule Browser\n  network corporate\n  nonboi NA\n  exclusive NA\n"
               "  occasional NA\n";
    dlo_policy pol;
    dlo_error err;
    dlo_buf b;
    (void)state;
    assert_int_equal(dlo_policy_parse(text, strlen(text), "t", &pol, &err), DLO_OK);
    assert_int_equal(pol.rows[0].served_by, DLO_SERVED_SERVICE);
    assert_string_equal(pol.rows[0].served_name, "DLOAdminSvcu");
    assert_int_equal(pol.rows[1].served_by, DLO_SERVED_SERVICE_DISPLAY);
    assert_string_equal(pol.rows[1].served_name, "*DLO Edge*");
    assert_int_equal(pol.rows[2].served_by, DLO_SERVED_SQL_BROWSER);
    assert_null(pol.rows[2].served_name);
    dlo_buf_init(&b);
    dlo_report_matrix_text(&b, &pol);
    assert_non_null(strstr(dlo_buf_str(&b), "  served by: service DLOAdminSvcu\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  served by: service-display \"*DLO Edge*\"\n"));
    dlo_buf_reset(&b);
    dlo_report_matrix_json(&b, &pol);
    assert_non_null(strstr(dlo_buf_str(&b),
                           "\"served_by\": {\"kind\": \"service\", \"name\": \"DLOAdminSvcu\"}"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "\"served_by\": {\"kind\": \"sql-browser\", \"name\": null}"));
    dlo_buf_free(&b);
    dlo_policy_free(&pol);
}

/* The shipped matrix: SQL rows served by SQL Server, file sharing, push installation and the
 * dashboard's endpoint mapper by Windows, and rows whose program is not public with no claim. */
static void test_shipped_served_by(void **state)
{
    static const struct {
        const char *row;
        dlo_served_by kind;
    } want[] = {
        {"server.admin-service", DLO_SERVED_SERVICE},
        {"server.sql", DLO_SERVED_SQL_SERVER},
        {"client.sql", DLO_SERVED_SQL_SERVER},
        {"server.sql-browser", DLO_SERVED_SQL_BROWSER},
        {"server.file-sharing", DLO_SERVED_WINDOWS},
        {"server.push-install", DLO_SERVED_WINDOWS},
        {"server.dedupe-ajp", DLO_SERVED_UNSAID},
        {"server.dashboard", DLO_SERVED_UNSAID},
        {"server.dashboard-rpc", DLO_SERVED_WINDOWS},
        {"server.edge-https", DLO_SERVED_SERVICE_DISPLAY},
    };
    dlo_policy pol;
    size_t i, at = 0;
    (void)state;
    assert_int_equal(test_load_source_policy(&pol), 0);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_non_null(find_row_id(&pol, want[i].row, &at));
        assert_int_equal(pol.rows[at].served_by, want[i].kind);
    }
    dlo_policy_free(&pol);
}

static void test_rows_sharing_a_rule_name_must_agree(void **state)
{
    const char *text = HEADER "row a\n" ROW_BODY "row b\n"
                              "  table server\n  process Thing\n  port 4000\n  ports 4000\n"
                              "  type TCP\n  rule Thing\n  network corporate\n"
                              "  nonboi NA\n  exclusive NA\n  occasional NA\n";
    dlo_policy pol;
    dlo_error err;
    (void)state;
    assert_int_equal(dlo_policy_parse(text, strlen(text), "t", &pol, &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t:17: rows a and b share the rule name 'Thing'"));
}

static void test_nul_and_long_lines_are_errors(void **state)
{
    char text[8000];
    dlo_policy pol;
    dlo_error err;
    (void)state;

    memcpy(text, "dloagent-policy 1\nrelease A\0B\n", 30);
    assert_int_equal(dlo_policy_parse(text, 30, "t", &pol, &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t:2: holds a NUL byte"));

    memset(text, 'x', sizeof(text));
    memcpy(text, "dloagent-policy 1\nrelease ", 26);
    assert_int_equal(dlo_policy_parse(text, sizeof(text), "t", &pol, &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t:2: line is longer than 4096 bytes"));
}

/* A row's ports are parsed once: its port set is what the planner opens, and rows sharing a rule
 * name agree when their ports mean the same, however spelled. A port written with a leading zero
 * is refused: it would read back without it, and so differently from the file. */
static void test_row_ports_are_a_port_set(void **state)
{
    const char *text = HEADER "row a\n" ROW_BODY "row b\n"
                              "  table server\n  process Thing\n  port 3999\n  ports 3999-3999\n"
                              "  type TCP\n  rule Thing\n  network corporate\n"
                              "  nonboi NA\n  exclusive NA\n  occasional NA\n";
    const char *zero = HEADER "row a\n" ROW_BODY "row b\n"
                              "  table server\n  process Thing\n  port 3999\n  ports 03999\n";
    dlo_policy pol;
    dlo_error err;
    dlo_buf b;
    (void)state;
    assert_int_equal(dlo_policy_parse(text, strlen(text), "t", &pol, &err), DLO_OK);
    assert_string_equal(pol.rows[1].ports, "3999-3999");
    dlo_buf_init(&b);
    dlo_portset_format(&b, &pol.rows[1].port_set);
    assert_string_equal(dlo_buf_str(&b), "3999");
    assert_true(dlo_portset_equal(&pol.rows[0].port_set, &pol.rows[1].port_set));
    dlo_buf_free(&b);
    dlo_policy_free(&pol);

    assert_int_equal(dlo_policy_parse(zero, strlen(zero), "t", &pol, &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t:21: ports '03999' is not a port list ('03999' has a leading "
                                    "zero; expected a port 1-65535 written without one"));
}

static void test_leading_zero_ports_and_bad_utf8_are_refused(void **state)
{
    static const bad_case cases[] = {
        {HEADER "row a\n  ports 00443\n", "t:7: ports '00443' is not a port list ('00443' has a "
                                          "leading zero"},
        {HEADER "row a\n  ports 135,0445\n", "('0445' has a leading zero"},
        {HEADER "row a\n  ports 135-0139\n", "('135-0139' has a leading zero"},
        {HEADER "row a\n  process Caf\xE9\n", "t:7: is not valid UTF-8"},
        {HEADER "row a\n  rule \xC0\xAF\n", "t:7: is not valid UTF-8"},       /* overlong */
        {HEADER "row a\n  rule \xED\xA0\x80\n", "t:7: is not valid UTF-8"},   /* surrogate */
        {"dloagent-policy 1\nrelease \xE2\x82\n", "t:2: is not valid UTF-8"}, /* cut short */
        {HEADER "row a\n  process Caf\xC3\xA9\n", "t:6: row a lacks"},        /* valid: parses on */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dlo_policy pol;
        dlo_error err;
        dlo_error_clear(&err);
        if (dlo_policy_parse(cases[i].text, strlen(cases[i].text), "t", &pol, &err) != DLO_E_PARSE)
            fail_msg("case %d: expected a parse error containing '%s'", (int)i, cases[i].expect);
        if (!strstr(err.msg, cases[i].expect))
            fail_msg("case %d: message '%s' lacks '%s'", (int)i, err.msg, cases[i].expect);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_policy_parses),
        cmocka_unit_test(test_minimal_policy),
        cmocka_unit_test(test_crlf_bom_comments_and_blank_lines),
        cmocka_unit_test(test_bad_policies_name_file_line_and_expectation),
        cmocka_unit_test(test_rows_sharing_a_rule_name_must_agree),
        cmocka_unit_test(test_served_by),
        cmocka_unit_test(test_shipped_served_by),
        cmocka_unit_test(test_nul_and_long_lines_are_errors),
        cmocka_unit_test(test_row_ports_are_a_port_set),
        cmocka_unit_test(test_leading_zero_ports_and_bad_utf8_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
