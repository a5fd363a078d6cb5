/* Port lists as values: what parses (and what each refusal says), the form they are written in,
 * and comparison by the ports they open rather than by their spelling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/portset.h"

static void expect_format(const char *in, unsigned flags, const char *want)
{
    dlo_portset s;
    dlo_error err;
    dlo_buf b;
    dlo_error_clear(&err);
    if (dlo_portset_parse(in, flags, &s, &err) != DLO_OK)
        fail_msg("'%s' refused: %s", in, err.msg);
    dlo_buf_init(&b);
    dlo_portset_format(&b, &s);
    if (strcmp(dlo_buf_str(&b), want) != 0)
        fail_msg("'%s' gave '%s', expected '%s'", in, dlo_buf_str(&b), want);
    dlo_buf_free(&b);
    dlo_portset_free(&s);
}

static void expect_refused(const char *in, unsigned flags, const char *needle)
{
    dlo_portset s;
    dlo_error err;
    dlo_error_clear(&err);
    if (dlo_portset_parse(in, flags, &s, &err) != DLO_E_PARSE)
        fail_msg("'%s' accepted; expected a refusal", in);
    if (!strstr(err.msg, needle))
        fail_msg("'%s': message '%s' lacks '%s'", in, err.msg, needle);
    assert_int_equal(s.n_items, 0);
    assert_null(s.items);
    assert_null(s.ranges);
}

static void test_parse_and_format(void **state)
{
    (void)state;
    expect_format("1", 0, "1");
    expect_format("65535", 0, "65535");
    expect_format("445", 0, "445");
    expect_format("135-139,445", 0, "135-139,445");
    /* Written order is kept (the plan shows the matrix's order); duplicates go. */
    expect_format("135,1037,441,1125,49152-65535", 0, "135,1037,441,1125,49152-65535");
    expect_format("80,80,81", 0, "80,81");
    expect_format("1-65535", 0, "1-65535");
    expect_format("80-80", 0, "80");
    /* A leading zero is refused from anyone who gives the agent a port (dlo_decimal_parse);
     * a list read back from a rule store another tool wrote reads it as decimal. */
    expect_format("0445", DLO_PORTS_FIREWALL, "445");
    expect_format(" 1433 , 1500 ", DLO_PORTS_BLANKS, "1433,1500");
    expect_format("", DLO_PORTS_ANY, "");
    expect_format("*", DLO_PORTS_ANY, "");
    expect_format("Any", DLO_PORTS_ANY, "");
    expect_format("{sql-port}", DLO_PORTS_SQL, "{sql-port}");
}

static void test_refusals_name_the_item(void **state)
{
    (void)state;
    expect_refused("0", 0, "'0' is not a port; expected a port 1-65535");
    expect_refused("65536", 0, "'65536' is not a port");
    expect_refused("99999999999999999999", 0, "'99999999999999999999' is not a port");
    expect_refused("+80", 0, "'+80' is not a port");
    expect_refused("000080", 0, "'000080' has a leading zero");
    expect_refused("0445", 0, "'0445' has a leading zero; expected a port 1-65535 written without");
    expect_refused("80-0090", DLO_PORTS_BLANKS, "'80-0090' has a leading zero");
    expect_refused("80,x", 0, "'x' is not a port");
    expect_refused("139-135", 0, "'139-135' starts after it ends; expected low-high");
    expect_refused("80-", 0, "'80-' is not a range of two ports");
    expect_refused("-80", 0, "'-80' is not a range");
    expect_refused("135,,445", 0, "empty item");
    expect_refused("80,", 0, "empty item");
    expect_refused("135, 445", 0, "' 445' is not a port");
    expect_refused("", 0, "the port list is empty");
    expect_refused("*", 0, "(any port) is not allowed here");
    expect_refused("RPC", 0, "'RPC' is not a port");
    expect_refused("{sql-port}", 0, "'{sql-port}' is not a port");
    expect_refused("RPC-Foo", DLO_PORTS_KEYWORDS, "'RPC-Foo' is not a port");
}

static void test_keywords_as_themselves(void **state)
{
    dlo_portset a, b;
    (void)state;
    expect_format("rpc", DLO_PORTS_KEYWORDS, "RPC");
    expect_format("RPC-EPMAP,rpc-epmap,445", DLO_PORTS_KEYWORDS, "RPC-EPMap,445");
    assert_int_equal(dlo_portset_parse("RPC,445", DLO_PORTS_KEYWORDS, &a, NULL), DLO_OK);
    assert_int_equal(dlo_portset_parse("445,rpc", DLO_PORTS_KEYWORDS, &b, NULL), DLO_OK);
    assert_true(dlo_portset_equal(&a, &b));
    dlo_portset_free(&b);
    assert_int_equal(dlo_portset_parse("445,RPC-EPMap", DLO_PORTS_KEYWORDS, &b, NULL), DLO_OK);
    assert_false(dlo_portset_equal(&a, &b));
    /* 445 is in both. */
    assert_true(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&b);
    /* The same keyword is the same traffic (a Block rule on RPC stops the agent's RPC rule). */
    assert_int_equal(dlo_portset_parse("RPC", DLO_PORTS_KEYWORDS, &b, NULL), DLO_OK);
    assert_true(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&a);
    /* RPC's dynamic ports are Windows' choice at run time: no number meets them... */
    assert_int_equal(dlo_portset_parse("49152-65535", 0, &a, NULL), DLO_OK);
    assert_false(dlo_portset_overlap(&a, &b));
    assert_false(dlo_portset_overlap(&b, &a));
    dlo_portset_free(&a);
    dlo_portset_free(&b);
    /* ...but the endpoint mapper's is TCP 135, either way round, and only 135. */
    assert_int_equal(dlo_portset_parse("RPC-EPMap", DLO_PORTS_KEYWORDS, &a, NULL), DLO_OK);
    assert_int_equal(dlo_portset_parse("135-139,445", 0, &b, NULL), DLO_OK);
    assert_true(dlo_portset_overlap(&a, &b));
    assert_true(dlo_portset_overlap(&b, &a));
    dlo_portset_free(&b);
    assert_int_equal(dlo_portset_parse("136-139,445", 0, &b, NULL), DLO_OK);
    assert_false(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&b);
    assert_int_equal(dlo_portset_parse("RPC", DLO_PORTS_KEYWORDS, &b, NULL), DLO_OK);
    assert_false(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&a);
    dlo_portset_free(&b);
}

static void test_equal_as_sets_of_ranges(void **state)
{
    (void)state;
    assert_true(dlo_ports_same("135-139,445", "445,135-139"));
    assert_true(dlo_ports_same("80,81", "80-81"));
    assert_true(dlo_ports_same("80-85,83-90", "80-90"));
    assert_true(dlo_ports_same("1,2,3,5", "5,1-3"));
    assert_true(dlo_ports_same("", "*"));
    assert_true(dlo_ports_same(NULL, "Any"));
    assert_true(dlo_ports_same(" 445 , 135-139", "135-139,445"));
    assert_false(dlo_ports_same("135-139,445", "135-138,445"));
    assert_false(dlo_ports_same("80,82", "80-82"));
    assert_false(dlo_ports_same("445", "*"));
    assert_false(dlo_ports_same("445", "445,RPC"));
    /* What does not parse equals nothing, itself included: it is rewritten. */
    assert_false(dlo_ports_same("445", "445;446"));
    assert_false(dlo_ports_same("nonsense", "nonsense"));
}

static void test_overlap(void **state)
{
    dlo_portset a, b;
    (void)state;
    assert_int_equal(dlo_portset_parse("135-139,445", 0, &a, NULL), DLO_OK);
    assert_int_equal(dlo_portset_parse("140-444,446", 0, &b, NULL), DLO_OK);
    assert_false(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&b);
    assert_int_equal(dlo_portset_parse("1-135", 0, &b, NULL), DLO_OK);
    assert_true(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&b);
    assert_int_equal(dlo_portset_parse("*", DLO_PORTS_ANY, &b, NULL), DLO_OK);
    assert_true(dlo_portset_overlap(&a, &b));
    dlo_portset_free(&a);
    dlo_portset_free(&b);
}

static void test_placeholder_replaced_in_place(void **state)
{
    dlo_portset row, sql, out;
    dlo_buf b;
    (void)state;
    assert_int_equal(dlo_portset_parse("1434,{sql-port},445", DLO_PORTS_SQL, &row, NULL), DLO_OK);
    assert_true(row.sql);
    assert_int_equal(dlo_portset_parse("1433,1434", 0, &sql, NULL), DLO_OK);
    dlo_portset_init(&out);
    assert_int_equal(dlo_portset_add(&out, &row, &sql), DLO_OK);
    dlo_buf_init(&b);
    dlo_portset_format(&b, &out);
    assert_string_equal(dlo_buf_str(&b), "1434,1433,445");
    assert_false(out.sql);
    dlo_buf_free(&b);
    dlo_portset_free(&out);
    dlo_portset_free(&sql);
    dlo_portset_free(&row);
}

static void test_single_port(void **state)
{
    unsigned port = 0;
    (void)state;
    assert_null(dlo_port_parse(" 1433 ", &port));
    assert_int_equal(port, 1433);
    assert_string_equal(dlo_port_parse("0", &port), "is out of range");
    assert_string_equal(dlo_port_parse("01433", &port), "has a leading zero");
    assert_string_equal(dlo_port_parse("1433,1500", &port), "is not a number");
    assert_non_null(dlo_port_parse("1433-1500", &port));
    assert_non_null(dlo_port_parse("", &port));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_refusals_name_the_item),
        cmocka_unit_test(test_keywords_as_themselves),
        cmocka_unit_test(test_equal_as_sets_of_ranges),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_placeholder_replaced_in_place),
        cmocka_unit_test(test_single_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
