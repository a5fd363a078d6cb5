/* Rule strings as Windows writes them, read into the rule model: every modelled field, the
 * format's defaults, repeated fields adding up, keywords in the COM spelling, and content the
 * reader does not know kept or flagged, never refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/rulestr.h"

static void parse(const char *text, dlo_rule *r, dlo_rulestr_info *info)
{
    dlo_rule_init(r);
    dlo_rulestr_info_init(info);
    assert_int_equal(dlo_rulestr_parse(text, strlen(text), r, info), DLO_OK);
}

static void done(dlo_rule *r, dlo_rulestr_info *info)
{
    dlo_rule_free(r);
    dlo_rulestr_info_free(info);
}

/* The properties the plan leaves at their defaults are read too, so /verify sees them. */
static void test_rule3_fields_are_read(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.30|Action=Allow|Active=TRUE|Dir=In|Edge=TRUE|Defer=App|IFType=Lan|IFType=Wireless|"
          "IF={6D1B1B0E-1111-4222-8333-444455556666}|LUOwn=S-1-5-21-1|AppPkgId=S-1-15-2-1|"
          "LUAuth=O:LS|RUAuth=O:LR|RMauth=O:LM|Security=Authenticate|Name=X|",
          &r, &info);
    assert_int_equal(r.edge_traversal, 2);
    assert_string_equal(r.interface_types, "Lan,Wireless");
    assert_string_equal(r.interfaces, "{6D1B1B0E-1111-4222-8333-444455556666}");
    assert_string_equal(r.local_user_owner, "S-1-5-21-1");
    assert_string_equal(r.app_package_id, "S-1-15-2-1");
    assert_string_equal(r.local_users, "O:LS");
    assert_string_equal(r.remote_users, "O:LR");
    assert_string_equal(r.remote_machines, "O:LM");
    assert_int_equal(r.secure_flags, 1);
    assert_int_equal(info.unknown.count, 0);
    done(&r, &info);
}

static void test_real_inbound_rule(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|"
          "LPort=443|LPort=8000-8100|RA4=10.0.0.0/255.0.0.0|RA4=LocalSubnet|RA6=fe80::/64|"
          "App=%ProgramFiles%\\x.exe|Svc=dlo|Name=DLO Web|Desc=d|EmbedCtxt=Arctera DLO Firewall "
          "Agent|Platform=2:6:2|",
          &r, &info);
    assert_string_equal(info.version, "2.30");
    assert_int_equal(r.action, DLO_ACTION_ALLOW);
    assert_true(r.enabled);
    assert_int_equal(r.direction, DLO_DIR_IN);
    assert_int_equal(r.protocol, DLO_PROTO_TCP);
    assert_int_equal(r.profiles, DLO_PROFILE_DOMAIN | DLO_PROFILE_PRIVATE);
    assert_string_equal(r.local_ports, "443,8000-8100");
    assert_null(r.remote_ports);
    assert_string_equal(r.remote_addresses, "10.0.0.0/255.0.0.0,LocalSubnet,fe80::/64");
    assert_string_equal(r.application, "%ProgramFiles%\\x.exe");
    assert_string_equal(r.service, "dlo");
    assert_string_equal(r.name, "DLO Web");
    assert_string_equal(r.description, "d");
    assert_string_equal(r.grouping, DLO_RULE_GROUPING);
    assert_int_equal(info.unknown.count, 1);
    assert_string_equal(info.unknown.items[0], "Platform=2:6:2");
    assert_int_equal(info.unreadable, 0);
    done(&r, &info);
}

static void test_defaults_of_the_format(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.10|Action=Block|Name=x|", &r, &info);
    assert_int_equal(r.action, DLO_ACTION_BLOCK);
    assert_false(r.enabled); /* no Active= means false */
    assert_int_equal(r.direction, DLO_DIR_IN);
    assert_int_equal(r.protocol, DLO_PROTO_ANY);
    assert_int_equal(r.profiles, DLO_PROFILE_ALL);
    assert_null(r.local_ports);
    done(&r, &info);
}

static void test_keywords_in_com_spelling(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.33|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|LPort2_10=IPTLSIn|"
          "LPort2_10=IPHTTPSIn|LPort=RPC-EPMap|RPort2_10=IPTLSOut|RA42=IntrAnet|RA62=RmtIntrAnet|"
          "RA42=IntErnet|RA42=Ply2Renders|Name=k|",
          &r, &info);
    assert_int_equal(r.direction, DLO_DIR_OUT);
    assert_string_equal(r.local_ports, "IPHTTPS,RPC-EPMap");
    assert_string_equal(r.remote_ports, "IPHTTPS");
    assert_string_equal(r.remote_addresses, "Intranet,RmtIntranet,Internet,Ply2Renders");
    done(&r, &info);
}

static void test_unknown_and_unreadable_never_fail(void **state)
{
    static const char *const texts[] = {
        "",
        "v",
        "|||",
        "v2.30",
        "garbage",
        "v9.99|Future=1|=x|noeq|",
        "v2.30|Action=Maybe|Dir=Sideways|Protocol=999|Profile=Work|LPort=http|RA4=a b|Name=n",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
        dlo_rule r;
        dlo_rulestr_info info;
        parse(texts[i], &r, &info);
        done(&r, &info);
    }
}

static void test_unreadable_fields_named(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.30|Action=Maybe|Dir=Sideways|Protocol=999|Profile=Work|LPort=http|RA4=a b|"
          "Future=1|Name=n",
          &r, &info);
    assert_int_equal(info.unreadable, DLO_PROP_ACTION | DLO_PROP_DIRECTION | DLO_PROP_PROTOCOL |
                                          DLO_PROP_PROFILES | DLO_PROP_LOCAL_PORTS |
                                          DLO_PROP_REMOTE_ADDRESSES);
    assert_string_equal(r.name, "n"); /* the last field needs no closing bar */
    assert_int_equal(info.unknown.count, 1);
    assert_string_equal(info.unknown.items[0], "Future=1");
    assert_int_equal(r.profiles, DLO_PROFILE_ALL);
    done(&r, &info);
}

static void test_any_port_wins(void **state)
{
    dlo_rule r;
    dlo_rulestr_info info;
    (void)state;
    parse("v2.30|Action=Allow|Protocol=17|LPort=53|LPort=*|LPort=54|", &r, &info);
    assert_string_equal(r.local_ports, "*");
    done(&r, &info);
    dlo_rule_init(&r);
    assert_int_equal(dlo_rulestr_parse("v2.30|Name=a|", 10, &r, NULL), DLO_OK);
    assert_null(r.name); /* the length bounds the text, not the NUL */
    dlo_rule_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_inbound_rule),
        cmocka_unit_test(test_rule3_fields_are_read),
        cmocka_unit_test(test_defaults_of_the_format),
        cmocka_unit_test(test_keywords_in_com_spelling),
        cmocka_unit_test(test_unknown_and_unreadable_never_fail),
        cmocka_unit_test(test_unreadable_fields_named),
        cmocka_unit_test(test_any_port_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
