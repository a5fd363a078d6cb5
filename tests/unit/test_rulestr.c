/* Rule strings as Windows writes them, read into the rule model: every modelled field, the
 * format's defaults, repeated fields adding up, keywords in the COM spelling, and content the
 * reader does not know kept or flagged, never refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dlo/rulestr.h"

static void parse(const char *text, dlo_rule *r)
{
    dlo_rule_init(r);
    assert_int_equal(dlo_rulestr_parse(text, strlen(text), r), DLO_OK);
}

/* The properties the plan leaves at their defaults are read too, so /verify sees them. */
static void test_rule3_fields_are_read(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.30|Action=Allow|Active=TRUE|Dir=In|Edge=TRUE|Defer=App|IFType=Lan|IFType=Wireless|"
          "IF={6D1B1B0E-1111-4222-8333-444455556666}|LUOwn=S-1-5-21-1|AppPkgId=S-1-15-2-1|"
          "LUAuth=O:LS|RUAuth=O:LR|RMauth=O:LM|Security=Authenticate|Name=X|",
          &r);
    assert_int_equal(r.edge_traversal, 2);
    assert_string_equal(r.interface_types, "Lan,Wireless");
    assert_string_equal(r.interfaces, "{6D1B1B0E-1111-4222-8333-444455556666}");
    assert_string_equal(r.local_user_owner, "S-1-5-21-1");
    assert_string_equal(r.app_package_id, "S-1-15-2-1");
    assert_string_equal(r.local_users, "O:LS");
    assert_string_equal(r.remote_users, "O:LR");
    assert_string_equal(r.remote_machines, "O:LM");
    assert_int_equal(r.secure_flags, 1);
    assert_null(r.other_fields);
    dlo_rule_free(&r);
}

static void test_real_inbound_rule(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|"
          "LPort=443|LPort=8000-8100|RA4=10.0.0.0/255.0.0.0|RA4=LocalSubnet|RA6=fe80::/64|"
          "App=%ProgramFiles%\\x.exe|Svc=dlo|Name=DLO Web|Desc=d|EmbedCtxt=Arctera DLO Firewall "
          "Agent|Platform=2:6:2|",
          &r);
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
    assert_string_equal(r.platforms, "2:6:2");
    assert_null(r.other_fields);
    assert_int_equal(r.unreadable, 0);
    dlo_rule_free(&r);
}

static void test_defaults_of_the_format(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.10|Action=Block|Name=x|", &r);
    assert_int_equal(r.action, DLO_ACTION_BLOCK);
    assert_false(r.enabled); /* no Active= means false */
    assert_int_equal(r.direction, DLO_DIR_IN);
    assert_int_equal(r.protocol, DLO_PROTO_ANY);
    assert_int_equal(r.profiles, DLO_PROFILE_ALL);
    assert_null(r.local_ports);
    dlo_rule_free(&r);
}

static void test_keywords_in_com_spelling(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.33|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|LPort2_10=IPTLSIn|"
          "LPort2_10=IPHTTPSIn|LPort=RPC-EPMap|RPort2_10=IPTLSOut|RA42=IntrAnet|RA62=RmtIntrAnet|"
          "RA42=IntErnet|RA42=Ply2Renders|Name=k|",
          &r);
    assert_int_equal(r.direction, DLO_DIR_OUT);
    assert_string_equal(r.local_ports, "IPHTTPS,RPC-EPMap");
    assert_string_equal(r.remote_ports, "IPHTTPS");
    assert_string_equal(r.remote_addresses, "Intranet,RmtIntranet,Internet,Ply2Renders");
    dlo_rule_free(&r);
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
        parse(texts[i], &r);
        dlo_rule_free(&r);
    }
}

static void test_unreadable_fields_named(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.30|Action=Maybe|Dir=Sideways|Protocol=999|Profile=Work|LPort=http|RA4=a b|"
          "Future=1|Name=n",
          &r);
    assert_int_equal(r.unreadable, DLO_PROP_ACTION | DLO_PROP_DIRECTION | DLO_PROP_PROTOCOL |
                                       DLO_PROP_PROFILES | DLO_PROP_LOCAL_PORTS |
                                       DLO_PROP_REMOTE_ADDRESSES);
    assert_string_equal(r.name, "n"); /* the last field needs no closing bar */
    /* What did not read and what is not modelled stay as written, in their order. */
    assert_string_equal(r.other_fields, "Action=Maybe|Dir=Sideways|Protocol=999|Profile=Work|"
                                        "LPort=http|RA4=a b|Future=1");
    assert_int_equal(r.profiles, DLO_PROFILE_ALL);
    dlo_rule_free(&r);
}

static void test_any_port_wins(void **state)
{
    dlo_rule r;
    (void)state;
    parse("v2.30|Action=Allow|Protocol=17|LPort=53|LPort=*|LPort=54|", &r);
    assert_string_equal(r.local_ports, "*");
    dlo_rule_free(&r);
    dlo_rule_init(&r);
    assert_int_equal(dlo_rulestr_parse("v2.30|Name=a|", 10, &r), DLO_OK);
    assert_null(r.name); /* the length bounds the text, not the NUL */
    dlo_rule_free(&r);
}

/* Parses one rule string made of `fields` and returns the rule (dlo_rule_free it). */
static void parse_fields(const char *fields, dlo_rule *r)
{
    char text[512];
    snprintf(text, sizeof(text), "v2.33|Action=Block|Active=TRUE|Dir=In|%s|Name=t|", fields);
    parse(text, r);
}

/* Every port keyword of MS-GPFAS 2.2.2.3 in every port field, and the keyword that holds another
 * as a part (RPC in RPC-EPMap) kept beside it in either order: a repeated field keeps every
 * value. */
static void test_every_port_keyword_in_every_field(void **state)
{
    static const struct {
        const char *store, *com;
    } kw[] = {{"RPC", "RPC"},
              {"RPC-EPMap", "RPC-EPMap"},
              {"Teredo", "Teredo"},
              {"IPTLSIn", "IPHTTPS"},
              {"IPHTTPSIn", "IPHTTPS"},
              {"IPTLSOut", "IPHTTPS"},
              {"IPHTTPSOut", "IPHTTPS"},
              {"DHCP", "DHCP"},
              {"Ply2Disc", "Ply2Disc"},
              {"mDNS", "mDNS"},
              {"CortanaOut", "CortanaOut"},
              {"TcpCDPSvc", "TcpCDPSvc"}};
    static const char *const fields[] = {"LPort",     "LPort2_10", "LPort2_20",
                                         "LPort2_24", "RPort",     "RPort2_10"};
    size_t i, f;
    char text[256];
    dlo_rule r;
    (void)state;
    for (f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
        for (i = 0; i < sizeof(kw) / sizeof(*kw); i++) {
            snprintf(text, sizeof(text), "Protocol=6|%s=%s|%s=80", fields[f], kw[i].store,
                     fields[f]);
            parse_fields(text, &r);
            snprintf(text, sizeof(text), "%s,80", kw[i].com);
            assert_string_equal(fields[f][0] == 'L' ? r.local_ports : r.remote_ports, text);
            dlo_rule_free(&r);
        }
    }
    parse_fields("Protocol=6|LPort=RPC-EPMap|LPort=RPC", &r);
    assert_string_equal(r.local_ports, "RPC-EPMap,RPC");
    dlo_rule_free(&r);
    parse_fields("Protocol=6|LPort=RPC|LPort=RPC-EPMap|LPort=RPC", &r);
    assert_string_equal(r.local_ports, "RPC,RPC-EPMap");
    dlo_rule_free(&r);
    parse_fields("Protocol=6|LPort=443|LPort=4430|LPort=44|LPort2_10=4000-4500", &r);
    assert_string_equal(r.local_ports, "443,4430,44,4000-4500");
    dlo_rule_free(&r);
    parse_fields("Protocol=6|RPort=1|RPort2_10=2-3|RPort=1", &r);
    assert_string_equal(r.remote_ports, "1,2-3");
    dlo_rule_free(&r);
}

/* Every address keyword of MS-GPFAS 2.2.2.13 in RA4, RA6, RA42 and RA62, and addresses that
 * hold one another as text, in every address field. */
static void test_every_address_field_keeps_every_value(void **state)
{
    static const struct {
        const char *field, *store, *com;
    } kw[] = {{"RA4", "LocalSubnet", "LocalSubnet"},
              {"RA6", "DNS", "DNS"},
              {"RA4", "DHCP", "DHCP"},
              {"RA6", "WINS", "WINS"},
              {"RA4", "DefaultGateway", "DefaultGateway"},
              {"RA42", "IntrAnet", "Intranet"},
              {"RA62", "RmtIntrAnet", "RmtIntranet"},
              {"RA42", "IntErnet", "Internet"},
              {"RA62", "Ply2Renders", "Ply2Renders"},
              {"RA42", "CaptivePortal", "CaptivePortal"}};
    size_t i;
    char text[256];
    dlo_rule r;
    (void)state;
    for (i = 0; i < sizeof(kw) / sizeof(*kw); i++) {
        snprintf(text, sizeof(text), "%s=%s|RA4=10.0.0.1", kw[i].field, kw[i].store);
        parse_fields(text, &r);
        snprintf(text, sizeof(text), "%s,10.0.0.1", kw[i].com);
        assert_string_equal(r.remote_addresses, text);
        dlo_rule_free(&r);
    }
    parse_fields("RA4=10.0.0.1|RA4=10.0.0.10|RA6=fe80::/64|RA6=fe80::/6|RA42=IntErnet|"
                 "RA62=IntErnet",
                 &r);
    assert_string_equal(r.remote_addresses, "10.0.0.1,10.0.0.10,fe80::/64,fe80::/6,Internet");
    dlo_rule_free(&r);
    parse_fields("LA4=192.168.1.0/255.255.255.0|LA4=192.168.0.0/255.255.255.0|LA6=fe80::/64", &r);
    assert_string_equal(r.local_addresses,
                        "192.168.1.0/255.255.255.0,192.168.0.0/255.255.255.0,fe80::/64");
    dlo_rule_free(&r);
}

/* The other fields that may repeat: profiles, ICMP types, interface types, interfaces, trust
 * tuples, platforms (Platform2 marks the last entry). */
static void test_every_other_repeated_field(void **state)
{
    dlo_rule r;
    (void)state;
    parse_fields("Profile=Private|Profile=Public", &r);
    assert_int_equal(r.profiles, DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC);
    dlo_rule_free(&r);
    parse_fields("Protocol=58|ICMP6=1:*|ICMP6=128:0|ICMP6=1:*", &r);
    assert_string_equal(r.icmp_types, "1:*,128:0");
    dlo_rule_free(&r);
    parse_fields("Protocol=1|ICMP4=8:*|ICMP4=0:*", &r);
    assert_string_equal(r.icmp_types, "8:*,0:*");
    dlo_rule_free(&r);
    parse_fields("IFType=Lan|IFType=Wireless|IFType=RemoteAccess", &r);
    assert_string_equal(r.interface_types, "Lan,Wireless,RemoteAccess");
    dlo_rule_free(&r);
    parse_fields("IF={11111111-1111-1111-1111-111111111111}|IF={22222222-2222-2222-2222-"
                 "222222222222}",
                 &r);
    assert_string_equal(r.interfaces, "{11111111-1111-1111-1111-111111111111},{22222222-2222-2222-"
                                      "2222-222222222222}");
    dlo_rule_free(&r);
    parse_fields("TTK=Proximity|TTK=ProxSharing|TTK2_22=WFDPrint|TTK2_22=WFDDisplay|TTK2_22="
                 "WFDDevices|TTK2_27=WFDKmDriver|TTK2_27=UPnP|TTK2_28=WFDCDPSvc",
                 &r);
    assert_string_equal(r.trust_tuples, "Proximity,ProxSharing,WFDPrint,WFDDisplay,WFDDevices,"
                                        "WFDKmDriver,UPnP,WFDCDPSvc");
    dlo_rule_free(&r);
    parse_fields("Platform=2:6:1|Platform=2:6:2|Platform2=GTEQ", &r);
    assert_string_equal(r.platforms, "2:6:1,2:6:2>=");
    dlo_rule_free(&r);
    parse_fields("PFN=Microsoft.XboxApp_8wekyb3d8bbwe|SecurityRealmId=S-1-1", &r);
    assert_string_equal(r.package_family, "Microsoft.XboxApp_8wekyb3d8bbwe");
    assert_int_equal(r.secure_flags, 0); /* a realm is no IPsec requirement */
    assert_string_equal(r.other_fields, "SecurityRealmId=S-1-1");
    dlo_rule_free(&r);
}

/* What does not read stays on the rule as written, so judging it can name it: a field of the
 * wrong form, a trust tuple in the wrong field, Platform2 without a Platform, and a connection
 * security rule's action. */
static void test_what_does_not_read_is_kept(void **state)
{
    static const char cs_rule[] = "v2.33|Action=SecureServer|Name=Auth|Active=TRUE|";
    dlo_rule r;
    (void)state;
    parse_fields("Platform=9:1:1|TTK2_22=UPnP|Platform2=GTEQ|LPort=http", &r);
    assert_null(r.platforms);
    assert_null(r.trust_tuples);
    assert_string_equal(r.other_fields, "Platform=9:1:1|TTK2_22=UPnP|Platform2=GTEQ|LPort=http");
    assert_int_equal(r.unreadable, DLO_PROP_LOCAL_PORTS);
    dlo_rule_free(&r);
    dlo_rule_init(&r);
    assert_int_equal(dlo_rulestr_parse(cs_rule, strlen(cs_rule), &r), DLO_OK);
    assert_int_equal(r.unreadable, DLO_PROP_ACTION);
    assert_string_equal(r.other_fields, "Action=SecureServer");
    dlo_rule_free(&r);
}

/* A value each type of property reads, unlike a rule string without the field. */
static const char *sample_value(const dlo_prop *p, const char *key)
{
    switch (p->type) {
    case DLO_PT_PORTS:
        return "80";
    case DLO_PT_ADDRS:
        return "10.0.0.1";
    case DLO_PT_WORDS:
        return "Lan";
    case DLO_PT_TEXT:
    case DLO_PT_NAME:
        return "x";
    case DLO_PT_DIRECTION:
        return "Out";
    case DLO_PT_PROTOCOL:
        return "17";
    case DLO_PT_PROFILES:
        return "Public";
    case DLO_PT_ACTION:
        return "Block";
    case DLO_PT_FLAG:
        return "TRUE";
    case DLO_PT_NUMBER:
        return strcmp(key, "Defer") == 0  ? "App"
               : strcmp(key, "Edge") == 0 ? "TRUE"
                                          : "Authenticate";
    }
    return "";
}

/* The reader is driven by the property rows: every row names its rule-string keys, and each key
 * is read into that row's property, known and readable. A property added without its keys, or a
 * key the reader does not take to its property, fails here by name. */
static void test_every_property_key_is_read(void **state)
{
    dlo_rule base, r;
    size_t i;
    (void)state;

    parse("v2.30|Name=N|", &base);
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        const char *key = p->keys;
        if (!key || !*key)
            fail_msg("property %s has no rule-string key", p->name);
        while (*key) {
            char text[128], name[32];
            size_t n = strcspn(key, " ");
            snprintf(name, sizeof(name), "%.*s", (int)n, key);
            snprintf(text, sizeof(text), "v2.30|Name=N|%s=%s|", name, sample_value(p, name));
            parse(text, &r);
            if (r.other_fields || r.unreadable)
                fail_msg("%s: %s is not read as %s", text, name, p->name);
            if (dlo_prop_equal(p, &base, &r))
                fail_msg("%s: %s did not change %s", text, name, p->name);
            dlo_rule_free(&r);
            key += n + (key[n] == ' ');
        }
    }
    dlo_rule_free(&base);
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
        cmocka_unit_test(test_every_port_keyword_in_every_field),
        cmocka_unit_test(test_every_address_field_keeps_every_value),
        cmocka_unit_test(test_every_other_repeated_field),
        cmocka_unit_test(test_what_does_not_read_is_kept),
        cmocka_unit_test(test_every_property_key_is_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
