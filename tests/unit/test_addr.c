/* Remote address lists: what the Windows Firewall accepts, and the form it reads them back in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"

/* One list, as a value or a switch gives it, for any build. */
static dlo_status normalize(const char *list, dlo_buf *out, dlo_error *err)
{
    return dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, out, err);
}

static void expect_normal(const char *in, const char *want)
{
    dlo_buf out;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&out);
    dlo_error_clear(&err);
    st = normalize(in, &out, &err);
    if (st != DLO_OK)
        fail_msg("'%s' refused: %s", in, err.msg);
    if (strcmp(dlo_buf_str(&out), want) != 0)
        fail_msg("'%s' gave '%s', expected '%s'", in, dlo_buf_str(&out), want);
    /* The normal form is a fixed point: the agent compares what it wrote with what it reads. */
    st = normalize(want, &out, &err);
    assert_int_equal(st, DLO_OK);
    assert_string_equal(dlo_buf_str(&out), want);
    dlo_buf_free(&out);
}

static void expect_refused(const char *in, const char *needle)
{
    dlo_buf out;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&out);
    dlo_error_clear(&err);
    st = normalize(in, &out, &err);
    if (st != DLO_E_CONFIG)
        fail_msg("'%s' accepted as '%s'; expected a refusal", in, dlo_buf_str(&out));
    if (!strstr(err.msg, needle))
        fail_msg("'%s': message '%s' does not contain '%s'", in, err.msg, needle);
    assert_string_equal(dlo_buf_str(&out), "");
    dlo_buf_free(&out);
}

static void test_keywords_any_case_to_firewall_spelling(void **state)
{
    (void)state;
    expect_normal("localsubnet", "LocalSubnet");
    expect_normal("LOCALSUBNET", "LocalSubnet");
    expect_normal("dns,Dhcp,wins", "DNS,DHCP,WINS");
    expect_normal("defaultgateway", "DefaultGateway");
    expect_normal("Intranet", "Intranet");
    expect_normal("RemoteIntranet", "RmtIntranet");
    expect_normal("rmtintranet", "RmtIntranet");
    expect_normal("IntranetRemoteAccess", "RmtIntranet");
    expect_normal("internet", "Internet");
    expect_normal("PlayToDevice", "Ply2Renders");
    expect_normal("ply2renders", "Ply2Renders");
}

static void test_star_alone(void **state)
{
    (void)state;
    expect_normal("*", "*");
    expect_normal(" * ", "*");
    expect_normal("any", "*");
    expect_normal("*,*", "*");
    expect_refused("*,10.0.0.1", "'*' (any address) is combined with other entries");
    expect_refused("LocalSubnet,*", "expected '*' alone");
}

static void test_ipv4_addresses_subnets_ranges(void **state)
{
    (void)state;
    expect_normal("10.1.2.3", "10.1.2.3/255.255.255.255");
    expect_normal("0.0.0.0", "0.0.0.0/255.255.255.255");
    expect_normal("10.0.0.0/8", "10.0.0.0/255.0.0.0");
    expect_normal("192.168.1.0/24", "192.168.1.0/255.255.255.0");
    expect_normal("192.168.1.0/255.255.255.0", "192.168.1.0/255.255.255.0");
    expect_normal("172.16.0.0/12", "172.16.0.0/255.240.0.0");
    expect_normal("1.2.3.4/32", "1.2.3.4/255.255.255.255");
    expect_normal("0.0.0.0/1", "0.0.0.0/128.0.0.0");
    /* No source says what Windows does with the IPv4 loopback network: left accepted. */
    expect_normal("127.0.0.1", "127.0.0.1/255.255.255.255");
    /* Host bits are kept, as the firewall keeps them. */
    expect_normal("10.1.2.3/16", "10.1.2.3/255.255.0.0");
    expect_normal("10.0.0.1-10.0.0.99", "10.0.0.1-10.0.0.99");
    expect_normal("10.0.0.5-10.0.0.5", "10.0.0.5-10.0.0.5");
}

static void test_ipv4_refusals(void **state)
{
    (void)state;
    expect_refused("10.0.0.256", "is not a valid address");
    expect_refused("10.0.0", "is not a valid address");
    expect_refused("10.0.0.1.2", "is not a valid address");
    expect_refused("010.0.0.1", "is not a valid address");
    expect_refused("10.0.0.-1", "is not a range");
    expect_refused("10.0.0.0/33", "prefix length over 32");
    expect_refused("10.0.0.0/", "malformed mask");
    expect_refused("10.0.0.0/08", "malformed mask");
    expect_refused("10.0.0.0/255.0.255.0", "not contiguous");
    expect_refused("10.0.0.0/ 8", "contains a blank");
    expect_refused("10.0.0.9-10.0.0.1", "starts after it ends");
    expect_refused("10.0.0.1 - 10.0.0.9", "contains a blank");
    expect_refused("10.0.0.1-", "is not a range");
    expect_refused("10.0.0.0/8-10.0.0.9", "is not a range");
    expect_refused("10.0.0.1-::1", "mixes IPv4 and IPv6");
    expect_refused("server.example.com", "host names are not accepted");
    expect_refused("localhost", "host names are not accepted");
    expect_refused("LocalSubnet4", "not an address or a keyword");
}

static void test_ipv6(void **state)
{
    (void)state;
    expect_normal("fe80::1", "fe80::1/128");
    expect_normal("FE80::0001", "fe80::1/128");
    expect_normal("::2", "::2/128");
    expect_normal("::/1", "::/1");
    expect_normal("::2-::5", "::2-::5");
    expect_normal("2001:db8:0:0:0:0:2:1", "2001:db8::2:1/128");
    expect_normal("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128");
    /* The first of two equally long zero runs is the one compressed. */
    expect_normal("2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128");
    expect_normal("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128");
    expect_normal("1:0:0:0:0:0:0:0", "1::/128");
    expect_normal("::ffff:10.1.2.3", "::ffff:10.1.2.3/128");
    expect_normal("::10.1.2.3", "::a01:203/128");
    expect_normal("2001:db8::/32", "2001:db8::/32");
    expect_normal("2001:db8::/1", "2001:db8::/1");
    expect_normal("fe80::1-fe80::9", "fe80::1-fe80::9");
    expect_normal("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128");
}

static void test_ipv6_refusals(void **state)
{
    (void)state;
    expect_refused("fe80::1%eth0", "has a zone index");
    expect_refused("1::2::3", "is not a valid address");
    expect_refused(":1::2", "is not a valid address");
    expect_refused("1:2:3:4:5:6:7:8:9", "is not a valid address");
    expect_refused("1:2:3:4:5:6:7:8::", "is not a valid address");
    expect_refused("12345::1", "is not a valid address");
    expect_refused("1:2:3:4:5:6:7", "is not a valid address");
    expect_refused("fe80::1:", "is not a valid address");
    expect_refused("fe80::/129", "prefix length over 128");
    expect_refused("fe80::/ffff::", "malformed prefix length");
    expect_refused("fe80::9-fe80::1", "starts after it ends");
    expect_refused("::1.2.3.256", "is not a valid address");
}

static void test_lists(void **state)
{
    const char *multi[] = {"10.0.0.1", "LocalSubnet, 10.0.0.2", "10.0.0.1"};
    dlo_buf out;
    dlo_error err;
    (void)state;

    expect_normal(" 10.0.0.1 , localsubnet\t", "10.0.0.1/255.255.255.255,LocalSubnet");
    /* Duplicates (after normalising) are dropped, order kept. */
    expect_normal("10.0.0.1,10.0.0.1/32,dns,DNS", "10.0.0.1/255.255.255.255,DNS");
    expect_refused("", "the list is empty");
    expect_refused("   ", "the list is empty");
    expect_refused(" , ", "empty entry");
    expect_refused("10.0.0.1,", "empty entry");
    expect_refused("10.0.0.1,,10.0.0.2", "empty entry");
    expect_refused("10.0.0.1;10.0.0.2", "is not");

    dlo_buf_init(&out);
    dlo_error_clear(&err);
    assert_int_equal(dlo_addr_normalize(multi, 3, DLO_OS_BUILD_UNKNOWN, &out, &err), DLO_OK);
    assert_string_equal(dlo_buf_str(&out),
                        "10.0.0.1/255.255.255.255,LocalSubnet,10.0.0.2/255.255.255.255");
    assert_int_equal(dlo_addr_normalize(multi, 0, DLO_OS_BUILD_UNKNOWN, &out, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "the list is empty"));
    dlo_buf_free(&out);
}

static void test_limits(void **state)
{
    dlo_buf in;
    int i;
    (void)state;

    /* 1000 entries pass; 1001 do not (short ones, to stay under 4096 characters; duplicates
     * count as entries before they are dropped). */
    dlo_buf_init(&in);
    for (i = 0; i < 1000; i++)
        dlo_buf_printf(&in, "%s::2", i ? "," : "");
    assert_true(in.len <= DLO_ADDR_MAX_CHARS);
    {
        dlo_buf out;
        dlo_error err;
        dlo_buf_init(&out);
        assert_int_equal(normalize(dlo_buf_str(&in), &out, &err), DLO_OK);
        assert_string_equal(dlo_buf_str(&out), "::2/128");
        dlo_buf_puts(&in, ",::2");
        assert_int_equal(normalize(dlo_buf_str(&in), &out, &err), DLO_E_CONFIG);
        assert_non_null(strstr(err.msg, "more than 1000 entries"));
        dlo_buf_reset(&in);
        for (i = 0; i < 4097; i++)
            dlo_buf_putc(&in, ' ');
        dlo_buf_putc(&in, '*');
        assert_int_equal(normalize(dlo_buf_str(&in), &out, &err), DLO_E_CONFIG);
        assert_non_null(strstr(err.msg, "4098 characters; expected at most 4096"));
        dlo_buf_free(&out);
    }
    dlo_buf_free(&in);
}

static void test_long_token_is_quoted_truncated(void **state)
{
    char big[300];
    dlo_buf out;
    dlo_error err;
    (void)state;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    dlo_buf_init(&out);
    assert_int_equal(normalize(big, &out, &err), DLO_E_CONFIG);
    /* The token is cut at 80 characters so the message stays readable. */
    assert_non_null(strstr(err.msg, "'xxxxxxxxxx"));
    assert_null(strstr(err.msg,
                       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                       "xxxxxxxxxxxxxxxx"));
    dlo_buf_free(&out);
}

/* Lists compare by the addresses they hold, as sets of ranges, and keywords as themselves. */
static void test_same_meaning_compares_equal(void **state)
{
    (void)state;
    assert_true(dlo_addr_same("10.0.0.1", "10.0.0.1/255.255.255.255"));
    assert_true(dlo_addr_same("10.0.0.0/24,LocalSubnet", "localsubnet,10.0.0.0/255.255.255.0"));
    assert_true(dlo_addr_same("10.1.2.3/8", "10.0.0.0/8"));
    assert_true(dlo_addr_same("10.0.0.1,10.0.0.2,10.0.0.3", "10.0.0.1-10.0.0.3"));
    assert_true(dlo_addr_same("10.0.0.0/25,10.0.0.128/25", "10.0.0.0/24"));
    assert_true(dlo_addr_same("10.0.0.0-10.0.0.200,10.0.0.100-10.0.0.255", "10.0.0.0/24"));
    assert_true(dlo_addr_same("fe80::1", "FE80::0001/128"));
    assert_true(dlo_addr_same("fe80::1,fe80::2", "fe80::1-fe80::2"));
    assert_true(dlo_addr_same("2001:db8::/32,10.0.0.1", "10.0.0.1,2001:db8:0::/32"));
    assert_true(dlo_addr_same("0.0.0.0/1,128.0.0.0/1", "0.0.0.0-255.255.255.255"));
    assert_true(dlo_addr_same("::2-::ffff,::1:0/112", "::2-::1:ffff"));
    assert_true(dlo_addr_same("RemoteIntranet", "RmtIntranet"));
    assert_true(dlo_addr_same("*", "Any"));
    assert_true(dlo_addr_same(NULL, "*"));
    assert_true(dlo_addr_same("", "*"));
}

static void test_different_meaning_compares_different(void **state)
{
    (void)state;
    assert_false(dlo_addr_same("10.0.0.0/24", "10.0.0.0/16"));
    assert_false(dlo_addr_same("10.0.0.1,10.0.0.3", "10.0.0.1-10.0.0.3"));
    assert_false(dlo_addr_same("10.0.0.1", "::ffff:10.0.0.1"));
    assert_false(dlo_addr_same("LocalSubnet", "Intranet"));
    assert_false(dlo_addr_same("LocalSubnet,10.0.0.1", "10.0.0.1"));
    assert_false(dlo_addr_same("10.0.0.1", "*"));
    assert_false(dlo_addr_same("0.0.0.0-255.255.255.255", "*"));
    /* What Windows refuses it never reads back: such a list equals nothing. */
    assert_false(dlo_addr_same("0.0.0.0/0", "0.0.0.0/0"));
    /* What does not parse equals nothing, itself included: such a rule is rewritten. */
    assert_false(dlo_addr_same("10.0.0.1", "10.0.0.1;"));
    assert_false(dlo_addr_same("host.example", "host.example"));
}

/* The union of peer scopes: each entry once, by its normal form, in role order; "*" as soon as
 * one peer has no scope. */
static void test_scope_union(void **state)
{
    const char *scopes[DLO_ROLE_COUNT] = {NULL};
    dlo_role_set both = DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_IO_SERVER);
    dlo_buf out;
    dlo_error err;
    (void)state;
    dlo_buf_init(&out);
    scopes[DLO_ROLE_EDGE_SERVER] = "10.0.0.1/255.255.255.255,LocalSubnet";
    scopes[DLO_ROLE_IO_SERVER] = "LocalSubnet,10.0.0.2/255.255.255.255,10.0.0.1/255.255.255.255";
    assert_int_equal(dlo_addr_scope_union(scopes, both, &out, &err), DLO_OK);
    assert_string_equal(dlo_buf_str(&out),
                        "10.0.0.1/255.255.255.255,LocalSubnet,10.0.0.2/255.255.255.255");
    assert_int_equal(dlo_addr_scope_union(scopes, both | DLO_ROLE_BIT(DLO_ROLE_CLIENT), &out, &err),
                     DLO_OK);
    assert_string_equal(dlo_buf_str(&out), "*");
    assert_int_equal(dlo_addr_scope_union(scopes, 0, &out, &err), DLO_OK);
    assert_string_equal(dlo_buf_str(&out), "*");
    scopes[DLO_ROLE_IO_SERVER] = "*";
    assert_int_equal(dlo_addr_scope_union(scopes, both, &out, &err), DLO_OK);
    assert_string_equal(dlo_buf_str(&out), "*");
    scopes[DLO_ROLE_IO_SERVER] = "10.0.0.300";
    assert_int_equal(dlo_addr_scope_union(scopes, both, &out, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "'10.0.0.300' is not a valid address"));
    assert_string_equal(dlo_buf_str(&out), "");
    dlo_buf_free(&out);
}

/* What COM parses but the firewall service refuses (MS-FASP 2.2.4, 2.2.6, 2.2.10; ::1 seen
 * failing with 0xD000000D) is a configuration error that says so, never a failed /apply. */
static void test_refused_by_windows(void **state)
{
    const char *scopes[DLO_ROLE_COUNT] = {NULL};
    dlo_buf out;
    dlo_error err;
    (void)state;
    expect_refused("::1", "'::1' is refused by the Windows Firewall (an IPv6 loopback address; "
                          "MS-FASP 2.2.6); expected ");
    expect_refused("::1/128", "(an IPv6 loopback address; MS-FASP 2.2.6)");
    expect_refused("0:0::1", "'0:0::1' is refused by the Windows Firewall");
    expect_refused("::", "(the IPv6 unspecified address; MS-FASP 2.2.6)");
    expect_refused("::/128", "(the IPv6 unspecified address; MS-FASP 2.2.6)");
    expect_refused("::-::1", "(a range from or to the IPv6 unspecified or loopback address; "
                             "MS-FASP 2.2.10)");
    expect_refused("::1-::5", "(a range from or to the IPv6 unspecified or loopback address; "
                              "MS-FASP 2.2.10)");
    /* :: is refused alone, so it is as a range's start or end: every IPv6 address in disguise. */
    expect_refused("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                   "(a range from or to the IPv6 unspecified or loopback address; MS-FASP 2.2.10)");
    expect_refused("0::0-::", "(a range from or to the IPv6 unspecified or loopback address");
    expect_refused("0.0.0.0/0", "(a subnet mask of 0.0.0.0; MS-FASP 2.2.4)");
    expect_refused("10.0.0.0/0.0.0.0", "'10.0.0.0/0.0.0.0' is refused by the Windows Firewall");
    expect_refused("2001:db8::/0", "(an IPv6 prefix length of 0; MS-FASP 2.2.6)");
    expect_refused("::/0", "or * alone for any address");
    expect_refused("10.0.0.1,LocalSubnet,::1", "'::1' is refused by the Windows Firewall");

    /* The planner's union refuses them too, whatever it is given. */
    dlo_buf_init(&out);
    scopes[DLO_ROLE_EDGE_SERVER] = "10.0.0.1,::1";
    assert_int_equal(dlo_addr_scope_union(scopes, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), &out, &err),
                     DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "'::1' is refused by the Windows Firewall"));
    dlo_buf_free(&out);
}

static void expect_coverage(const char *list, unsigned want)
{
    if (dlo_addr_coverage(list) != want)
        fail_msg("'%s' covers %#x, expected %#x", list ? list : "(null)", dlo_addr_coverage(list),
                 want);
}

/* Every address by what a list covers, not by how it is spelled: whole families in ranges,
 * halves or pieces, and what is left out of a family only where no other machine's address can
 * be (0.0.0.0/8, 127.0.0.0/8, 224.0.0.0 and up; ::, ::1, ff00::/8). */
static void test_coverage_by_meaning(void **state)
{
    const unsigned both = DLO_ADDR_COVERS_IPV4 | DLO_ADDR_COVERS_IPV6;
    (void)state;
    expect_coverage("*", both);
    expect_coverage("Any", both);
    expect_coverage("", both);
    expect_coverage(NULL, both);
    expect_coverage("0.0.0.0-255.255.255.255", DLO_ADDR_COVERS_IPV4);
    expect_coverage("0.0.0.0/1,128.0.0.0/1", DLO_ADDR_COVERS_IPV4);
    expect_coverage("192.0.0.0/2,0.0.0.0/1,128.0.0.0/192.0.0.0", DLO_ADDR_COVERS_IPV4);
    expect_coverage("1.0.0.0-126.255.255.255,128.0.0.0-223.255.255.255", DLO_ADDR_COVERS_IPV4);
    expect_coverage("1.0.0.0-223.255.255.255", DLO_ADDR_COVERS_IPV4);
    expect_coverage("::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", DLO_ADDR_COVERS_IPV6);
    expect_coverage("::/1,8000::/1", DLO_ADDR_COVERS_IPV6);
    expect_coverage("::2-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,0.0.0.0/1,128.0.0.0/1", both);
    expect_coverage("Internet", DLO_ADDR_COVERS_INTERNET);
    expect_coverage("10.0.0.0/8,internet", DLO_ADDR_COVERS_INTERNET);
    /* A hole where peers are: not every address. */
    expect_coverage("0.0.0.0/1", 0);
    expect_coverage("1.0.0.0-126.255.255.255,128.0.0.1-223.255.255.255", 0);
    expect_coverage("2.0.0.0-223.255.255.255", 0);
    expect_coverage("::2-fe00::", 0);
    expect_coverage("10.0.0.0/8,LocalSubnet,Intranet,RmtIntranet,DNS", 0);
    /* A list that does not parse is taken to let everything through, as dlo_prop_within does. */
    expect_coverage("10.0.0.300", both);
}

static void expect_on_build(const char *in, unsigned long build, const char *want)
{
    dlo_buf out;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&out);
    dlo_error_clear(&err);
    st = dlo_addr_normalize(&in, 1, build, &out, &err);
    if (want[0] == '!') {
        if (st != DLO_E_CONFIG)
            fail_msg("'%s' on build %lu accepted as '%s'", in, build, dlo_buf_str(&out));
        if (!strstr(err.msg, want + 1))
            fail_msg("'%s' on build %lu: '%s' lacks '%s'", in, build, err.msg, want + 1);
    } else {
        if (st != DLO_OK)
            fail_msg("'%s' on build %lu refused: %s", in, build, err.msg);
        assert_string_equal(dlo_buf_str(&out), want);
    }
    dlo_buf_free(&out);
}

/* Intranet, RmtIntranet, Internet, Ply2Renders exist from Windows 10 1809 / Server 2019 (build
 * 17763): on an older build they are refused as Windows would refuse them. */
static void test_newer_keywords_by_build(void **state)
{
    static const char *const newer[] = {
        "Intranet",    "RmtIntranet",  "RemoteIntranet",      "internet",
        "Ply2Renders", "PlayToDevice", "IntranetRemoteAccess"};
    static const unsigned long old_builds[] = {7601, 9600, 14393, 17134, 17762};
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof(newer) / sizeof(newer[0]); i++) {
        char want[200];
        for (j = 0; j < sizeof(old_builds) / sizeof(old_builds[0]); j++) {
            snprintf(want, sizeof(want),
                     "!'%s' is refused by the Windows Firewall of this machine (build %lu): the "
                     "keyword exists only from Windows 10 1809 / Server 2019 (build 17763)",
                     newer[i], old_builds[j]);
            expect_on_build(newer[i], old_builds[j], want);
        }
    }
    expect_on_build("10.0.0.1,Intranet", 7601, "!'Intranet' is refused");
    expect_on_build("Intranet,RmtIntranet,Internet,Ply2Renders", 17763,
                    "Intranet,RmtIntranet,Internet,Ply2Renders");
    expect_on_build("RemoteIntranet,PlayToDevice", 20348, "RmtIntranet,Ply2Renders");
    expect_on_build("Intranet", DLO_OS_BUILD_UNKNOWN, "Intranet");
    /* The older keywords exist on every build the agent runs on. */
    expect_on_build("LocalSubnet,DNS,DHCP,WINS,DefaultGateway", 7601,
                    "LocalSubnet,DNS,DHCP,WINS,DefaultGateway");
    /* What the firewall reads back is compared, not judged by build. */
    assert_true(dlo_addr_same("Intranet", "intranet"));
}

/* An entry inside another entry of the union is left out, as Windows may leave it out when it
 * reads the list back: what the plan says is what the rule store can hold. */
static void test_scope_union_drops_contained(void **state)
{
    const char *scopes[DLO_ROLE_COUNT] = {NULL};
    dlo_role_set both = DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_IO_SERVER);
    dlo_buf out;
    dlo_error err;
    size_t i;
    static const struct {
        const char *edge, *io, *want;
    } cases[] = {
        {"10.0.0.0/255.0.0.0", "10.1.2.3/255.255.255.255", "10.0.0.0/255.0.0.0"},
        {"10.1.2.3/255.255.255.255", "LocalSubnet,10.0.0.0/255.0.0.0",
         "LocalSubnet,10.0.0.0/255.0.0.0"},
        /* The same addresses in two forms: the first written stays. */
        {"10.0.0.0/255.255.255.0", "10.0.0.0-10.0.0.255", "10.0.0.0/255.255.255.0"},
        {"10.0.0.5-10.0.0.9", "10.0.0.0/255.255.255.0,10.0.0.7/255.255.255.255",
         "10.0.0.0/255.255.255.0"},
        /* Overlapping is not inside: both stay. */
        {"10.0.0.0-10.0.0.10", "10.0.0.5-10.0.0.20", "10.0.0.0-10.0.0.10,10.0.0.5-10.0.0.20"},
        {"2001:db8::/32", "2001:db8::5/128,::ffff:10.0.0.1/128",
         "2001:db8::/32,::ffff:10.0.0.1/128"},
        /* An IPv4 entry is never inside an IPv6 one, nor a keyword inside anything. */
        {"::ffff:0.0.0.0/96", "10.0.0.1/255.255.255.255,DNS",
         "::ffff:0.0.0.0/96,10.0.0.1/255.255.255.255,DNS"},
    };
    (void)state;
    dlo_buf_init(&out);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        scopes[DLO_ROLE_EDGE_SERVER] = cases[i].edge;
        scopes[DLO_ROLE_IO_SERVER] = cases[i].io;
        assert_int_equal(dlo_addr_scope_union(scopes, both, &out, &err), DLO_OK);
        if (strcmp(dlo_buf_str(&out), cases[i].want) != 0)
            fail_msg("%s + %s gave %s, expected %s", cases[i].edge, cases[i].io, dlo_buf_str(&out),
                     cases[i].want);
        /* Dropping changes the spelling, never the meaning. */
        {
            char joined[300];
            snprintf(joined, sizeof(joined), "%s,%s", cases[i].edge, cases[i].io);
            assert_true(dlo_addr_same(joined, dlo_buf_str(&out)));
        }
    }
    dlo_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_any_case_to_firewall_spelling),
        cmocka_unit_test(test_star_alone),
        cmocka_unit_test(test_ipv4_addresses_subnets_ranges),
        cmocka_unit_test(test_ipv4_refusals),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_ipv6_refusals),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_long_token_is_quoted_truncated),
        cmocka_unit_test(test_same_meaning_compares_equal),
        cmocka_unit_test(test_different_meaning_compares_different),
        cmocka_unit_test(test_scope_union),
        cmocka_unit_test(test_refused_by_windows),
        cmocka_unit_test(test_coverage_by_meaning),
        cmocka_unit_test(test_newer_keywords_by_build),
        cmocka_unit_test(test_scope_union_drops_contained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
