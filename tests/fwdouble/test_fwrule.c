/* The firewall double's rule-string format and property validation, without COM or registry:
 * rule strings as Windows writes them come back unchanged, malformed ones are refused with a
 * message naming the field, and each INetFwRule property renders as clients expect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fwrule.h"

/* ASCII view of a wide string for failure messages. */
static const char *narrow(const wchar_t *w, char *buf, size_t size)
{
    size_t i = 0;
    if (!w)
        return "(null)";
    for (; w[i] && i + 1 < size; i++)
        buf[i] = (w[i] >= 0x20 && w[i] < 0x7f) ? (char)w[i] : '?';
    buf[i] = '\0';
    return buf;
}

#define assert_wstr_equal(got, want) check_wstr((got), (want), __FILE__, __LINE__)

static void check_wstr(const wchar_t *got, const wchar_t *want, const char *file, int line)
{
    char g[1024], w[1024];
    if ((!got && !want) || (got && want && wcscmp(got, want) == 0))
        return;
    print_error("%s:%d: got  \"%s\"\n%s:%d: want \"%s\"\n", file, line, narrow(got, g, sizeof(g)),
                file, line, narrow(want, w, sizeof(w)));
    fail();
}

/* Parses text, checks it succeeds, formats it again and returns the new string (free()). */
static wchar_t *reformat(const wchar_t *text, struct fwrule *r)
{
    struct fwr_error err = {{0}};
    int rc = fwrule_parse(text, r, &err);
    if (rc) {
        char t[1024];
        print_error("parse of \"%s\" failed: %s\n", narrow(text, t, sizeof(t)), err.msg);
        fail();
    }
    return fwrule_format(r);
}

static void expect_roundtrip(const wchar_t *text)
{
    struct fwrule r;
    wchar_t *out = reformat(text, &r);
    assert_wstr_equal(out, text);
    free(out);
    fwrule_free(&r);
}

/* Strings as Windows writes them to its store (exports of FirewallRules), each in the field
 * order Windows uses, so they must come back byte for byte. */
static void test_windows_rules_roundtrip(void **state)
{
    static const wchar_t *const rules[] = {
        L"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|"
        L"LPort=7680|RA4=LocalSubnet|RA6=LocalSubnet|App=%SystemRoot%\\system32\\svchost.exe|"
        L"Svc=dosvc|Name=@%systemroot%\\system32\\dosvc.dll,-102|"
        L"Desc=@%systemroot%\\system32\\dosvc.dll,-104|"
        L"EmbedCtxt=@%systemroot%\\system32\\dosvc.dll,-100|Edge=TRUE|",
        L"v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort2_10=IPTLSIn|"
        L"LPort2_10=IPHTTPSIn|App=System|Name=@FirewallAPI.dll,-25426|"
        L"Desc=@FirewallAPI.dll,-25428|EmbedCtxt=@FirewallAPI.dll,-25000|",
        L"v2.33|Action=Allow|Active=FALSE|Dir=Out|Protocol=1|Profile=Private|Profile=Public|"
        L"ICMP4=8:*|RA4=LocalSubnet|App=System|Name=@FirewallAPI.dll,-28544|"
        L"Desc=@FirewallAPI.dll,-28547|EmbedCtxt=@FirewallAPI.dll,-28502|",
        L"v2.26|Action=Block|Active=TRUE|Dir=Out|RA42=IntErnet|RA62=IntErnet|"
        L"App=C:\\Windows\\SystemApps\\ActionUriServer.exe|Name=Block ActionUriServer.exe|"
        L"Desc=Block Outbound UDP/TCP Traffic|",
        L"v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
        L"App=%SystemRoot%\\system32\\RdpSa.exe|Name=@FirewallAPI.dll,-28778|"
        L"Desc=@FirewallAPI.dll,-28779|EmbedCtxt=@FirewallAPI.dll,-28752|Edge=TRUE|Defer=App|",
        L"v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=17|LPort2_10=1-66|LPort2_10=69-55554|"
        L"LPort2_10=55556-65535|Name=UDP|EmbedCtxt=GSecurity|",
        L"v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=17|LPort=Teredo|"
        L"App=%SystemRoot%\\system32\\svchost.exe|Svc=iphlpsvc|Name=@FirewallAPI.dll,-25326|"
        L"Desc=@FirewallAPI.dll,-25332|EmbedCtxt=@FirewallAPI.dll,-25000|",
        L"v2.32|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3241|LA4=10.0.0.1|"
        L"RA4=10.0.0.0/255.255.255.0|Name=USBLink application session|",
        L"v2.33|Action=Allow|Active=FALSE|Dir=In|Protocol=6|Profile=Private|Profile=Public|"
        L"LPort=RPC|RA4=LocalSubnet|RA6=LocalSubnet|App=%SystemRoot%\\system32\\svchost.exe|"
        L"Svc=ktmrm|Name=@FirewallAPI.dll,-33511|",
        L"v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=22|RPort=80|RPort=443|"
        L"RA42=IntErnet|IFType=Lan|IFType=Wireless|"
        L"App=%SystemRoot%\\System32\\backgroundTaskHost.exe|Name=Background task host|"
        L"Desc=Sample description|EmbedCtxt=Windows System|Platform=2:6:2|",
        L"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=58|ICMP6=128:*|"
        L"Name=Allow ICMPv6 Echo Request|",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        expect_roundtrip(rules[i]);
}

/* Fields the model does not know stay, in their order, after the modelled ones. */
static void test_unknown_fields_kept(void **state)
{
    struct fwrule r;
    wchar_t *out;
    (void)state;
    out = reformat(L"v2.33|Action=Allow|PFN=Microsoft.X_8wekyb3d8bbwe|Active=TRUE|Dir=Out|"
                   L"Name=x|LUOwn=S-1-5-21-1|Platform=2:6:2|Platform2=GTEQ|TTK2_27=a=b|",
                   &r);
    assert_wstr_equal(out, L"v2.33|Action=Allow|Active=TRUE|Dir=Out|Name=x|LUOwn=S-1-5-21-1|"
                           L"PFN=Microsoft.X_8wekyb3d8bbwe|Platform=2:6:2|Platform2=GTEQ|"
                           L"TTK2_27=a=b|");
    assert_int_equal(r.n_extra, 4);
    free(out);
    fwrule_free(&r);
}

static void test_planted_rule_reads(void **state)
{
    struct fwrule r;
    struct fwr_error err;
    wchar_t *s;
    (void)state;
    assert_int_equal(fwrule_parse(L"v2.10|Action=Block|Active=FALSE|Dir=Out|Protocol=17|"
                                  L"Profile=Public|Profile=Domain|LPort=53|LPort2_10=5000-5010|"
                                  L"LPort=RPC-EPMap|RA4=DNS|RA6=DNS|RA4=192.168.1.1|"
                                  L"RA6=fe80::1|RA4=10.1.0.0/16|RA4=10.0.0.1-10.0.0.9|"
                                  L"RA42=Ply2Renders|RA62=RmtIntrAnet|Defer=User|Name=P|",
                                  &r, &err),
                     0);
    assert_int_equal(r.action, FWR_ACTION_BLOCK);
    assert_int_equal(r.active, 0);
    assert_int_equal(r.dir, FWR_DIR_OUT);
    assert_int_equal(r.protocol, 17);
    assert_int_equal(r.profiles, FWR_PROFILE_PUBLIC | FWR_PROFILE_DOMAIN);
    assert_int_equal(r.edge, FWR_EDGE_DEFER_TO_USER);
    s = fwrule_get_ports(&r, 0);
    assert_wstr_equal(s, L"53,5000-5010,RPC-EPMap");
    free(s);
    s = fwrule_get_ports(&r, 1);
    assert_wstr_equal(s, L"*");
    free(s);
    s = fwrule_get_addresses(&r, 1);
    /* Read back as Windows does: IPv4 sorted by number, before IPv6 (community.windows 440). */
    assert_wstr_equal(s, L"DNS,RmtIntranet,Ply2Renders,10.0.0.1-10.0.0.9,10.1.0.0/255.255.0.0,"
                         L"192.168.1.1/255.255.255.255,fe80::1");
    free(s);
    s = fwrule_get_addresses(&r, 0);
    assert_wstr_equal(s, L"*");
    free(s);
    s = fwrule_format(&r);
    assert_wstr_equal(s, L"v2.10|Action=Block|Active=FALSE|Dir=Out|Protocol=17|Profile=Domain|"
                         L"Profile=Public|LPort=53|LPort=RPC-EPMap|LPort2_10=5000-5010|"
                         L"RA4=DNS|RA4=192.168.1.1|RA4=10.1.0.0/255.255.0.0|"
                         L"RA4=10.0.0.1-10.0.0.9|RA6=DNS|RA6=fe80::1|RA42=Ply2Renders|"
                         L"RA62=RmtIntrAnet|Name=P|Defer=User|");
    free(s);
    fwrule_free(&r);
}

/* Missing fields take the defaults of a new rule; absent Protocol and Profile mean any/all. */
static void test_minimal_rule(void **state)
{
    struct fwrule r;
    struct fwr_error err;
    wchar_t *s;
    (void)state;
    assert_int_equal(fwrule_parse(L"v2.30|Name=only a name|", &r, &err), 0);
    assert_int_equal(r.protocol, FWR_PROTOCOL_ANY);
    assert_int_equal(r.profiles, FWR_PROFILE_ALL);
    assert_int_equal(r.dir, FWR_DIR_IN);
    assert_int_equal(r.action, FWR_ACTION_ALLOW);
    assert_null(fwrule_get_ports(&r, 0));
    assert_null(fwrule_get_icmp(&r));
    s = fwrule_get_iftypes(&r);
    assert_wstr_equal(s, L"All");
    free(s);
    fwrule_free(&r);
}

static void test_malformed_rules(void **state)
{
    static const struct {
        const wchar_t *text;
        const char *msg;
    } cases[] = {
        {L"", "must start with 'v'"},
        {L"Action=Allow|", "must start with 'v'"},
        {L"v2.30", "no '|' after its version"},
        {L"vX|Action=Allow|", "version 'X'"},
        {L"v2|Action=Allow|", "version '2'"},
        {L"v2.30|", "no fields"},
        {L"v2.30|Action=Allow", "'Action=Allow' is not closed by '|'"},
        {L"v2.30|Action=Allow||", "empty field"},
        {L"v2.30|Action|", "'Action' is not Type=Value"},
        {L"v2.30|=x|", "'=x' is not Type=Value"},
        {L"v2.30|Action=Maybe|", "field Action has value 'Maybe'"},
        {L"v2.30|Active=yes|", "field Active has value 'yes'"},
        {L"v2.30|Dir=Both|", "field Dir has value 'Both'"},
        {L"v2.30|Protocol=300|", "field Protocol has value '300'"},
        {L"v2.30|Protocol=tcp|", "field Protocol has value 'tcp'"},
        {L"v2.30|Profile=Home|", "field Profile has value 'Home'"},
        {L"v2.30|Name=a|Name=b|", "field Name appears more than once"},
        {L"v2.30|Action=Allow|Action=Block|", "field Action appears more than once"},
        {L"v2.30|LPort=70000|", "field LPort has value '70000'"},
        {L"v2.30|LPort2_10=20-10|", "field LPort2_10 has value '20-10'"},
        {L"v2.30|RPort=RPC|", "field RPort has value 'RPC'"},
        {L"v2.30|RA4=fe80::1|", "field RA4 has value 'fe80::1'"},
        {L"v2.30|RA6=10.0.0.1|", "field RA6 has value '10.0.0.1'"},
        {L"v2.30|LA4=LocalSubnet|", "field LA4 has value 'LocalSubnet'"},
        {L"v2.30|RA4=IntErnet|", "field RA4 has value 'IntErnet'"},
        {L"v2.30|RA42=LocalSubnet|", "field RA42 has value 'LocalSubnet'"},
        {L"v2.30|RA4=10.0.0.0/33|", "field RA4 has value '10.0.0.0/33'"},
        {L"v2.30|ICMP4=8|", "field ICMP4 has value '8'"},
        {L"v2.30|Edge=maybe|", "field Edge has value 'maybe'"},
        {L"v2.30|Defer=Never|", "field Defer has value 'Never'"},
        {L"v2.30|IFType=Bluetooth|", "field IFType has value 'Bluetooth'"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fwrule r;
        struct fwr_error err = {{0}};
        char t[256];
        int rc = fwrule_parse(cases[i].text, &r, &err);
        if (rc != -1 || !strstr(err.msg, cases[i].msg)) {
            print_error("\"%s\": rc %d, message \"%s\", expected \"%s\"\n",
                        narrow(cases[i].text, t, sizeof(t)), rc, err.msg, cases[i].msg);
            if (rc == 0)
                fwrule_free(&r);
            fail();
        }
    }
}

struct put_case {
    const wchar_t *value;
    int ok;
    const wchar_t *rendered; /* on success: what the get returns */
};

static void run_put_cases(int (*put)(struct fwrule *, int, const wchar_t *, struct fwr_error *),
                          wchar_t *(*get)(const struct fwrule *, int), int protocol, int remote,
                          const struct put_case *cases, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        struct fwrule r;
        struct fwr_error err = {{0}};
        char t[256];
        int rc;
        fwrule_init(&r);
        r.protocol = protocol;
        rc = put(&r, remote, cases[i].value, &err);
        if ((rc == 0) != cases[i].ok) {
            print_error("\"%s\": rc %d (%s), expected %s\n", narrow(cases[i].value, t, sizeof(t)),
                        rc, err.msg, cases[i].ok ? "success" : "refusal");
            fail();
        }
        if (rc == 0) {
            wchar_t *got = get(&r, remote);
            assert_wstr_equal(got, cases[i].rendered);
            free(got);
        } else {
            assert_true(err.msg[0] != '\0');
        }
        fwrule_free(&r);
    }
}

static void test_put_ports(void **state)
{
    static const struct put_case tcp_local[] = {
        {L"80", 1, L"80"},
        {L"443,80", 1, L"443,80"},
        {L"5000-5010", 1, L"5000-5010"},
        {L"5000-5000", 1, L"5000"},
        {L"0,65535", 1, L"0,65535"},
        {L"RPC", 1, L"RPC"},
        {L"rpc-epmap", 1, L"RPC-EPMap"},
        {L"IPHTTPS", 1, L"IPHTTPS"},
        {L"RPC,", 1, L"RPC"},
        {L"*", 1, L"*"},
        {L"", 1, L"*"},
        {L"5010-5000", 0, NULL},
        {L"65536", 0, NULL},
        {L"-1", 0, NULL},
        {L"80 ,443", 0, NULL},
        {L"*,80", 0, NULL},
        {L"http", 0, NULL},
        {L"Teredo", 0, NULL},
        {L"mDNS", 0, NULL},
    };
    static const struct put_case udp_local[] = {
        {L"Teredo", 1, L"Teredo"},
        {L"Ply2Disc,mDNS", 1, L"Ply2Disc,mDNS"},
        {L"53", 1, L"53"},
        {L"RPC", 0, NULL},
    };
    static const struct put_case tcp_remote[] = {
        {L"IPHTTPS", 1, L"IPHTTPS"},
        {L"1024-65535", 1, L"1024-65535"},
        {L"RPC", 0, NULL},
    };
    static const struct put_case any_protocol[] = {
        {L"80", 0, NULL},
        {L"*", 1, NULL},
    };
    (void)state;
    run_put_cases(fwrule_put_ports, fwrule_get_ports, 6, 0, tcp_local,
                  sizeof(tcp_local) / sizeof(tcp_local[0]));
    run_put_cases(fwrule_put_ports, fwrule_get_ports, 17, 0, udp_local,
                  sizeof(udp_local) / sizeof(udp_local[0]));
    run_put_cases(fwrule_put_ports, fwrule_get_ports, 6, 1, tcp_remote,
                  sizeof(tcp_remote) / sizeof(tcp_remote[0]));
    run_put_cases(fwrule_put_ports, fwrule_get_ports, FWR_PROTOCOL_ANY, 0, any_protocol,
                  sizeof(any_protocol) / sizeof(any_protocol[0]));
}

static void test_put_addresses(void **state)
{
    static const struct put_case remote[] = {
        {L"10.0.0.1", 1, L"10.0.0.1/255.255.255.255"},
        {L"10.0.0.0/24", 1, L"10.0.0.0/255.255.255.0"},
        {L"10.0.0.0/255.255.255.0", 1, L"10.0.0.0/255.255.255.0"},
        {L"10.0.0.7/32", 1, L"10.0.0.7/255.255.255.255"},
        {L"10.0.0.1-10.0.0.9", 1, L"10.0.0.1-10.0.0.9"},
        {L"2001:DB8:0:0:0:0:0:1", 1, L"2001:db8::1"},
        {L"fe80::/64", 1, L"fe80::/64"},
        {L"2001:db8::1-2001:db8::ff", 1, L"2001:db8::1-2001:db8::ff"},
        {L"::ffff:10.0.0.1", 1, L"::ffff:10.0.0.1"},
        {L"1:0:0:2:0:0:0:3", 1, L"1:0:0:2::3"},
        {L"localsubnet", 1, L"LocalSubnet"},
        {L"DNS,DHCP,WINS,DefaultGateway", 1, L"DNS,DHCP,WINS,DefaultGateway"},
        {L"Intranet,RmtIntranet,Internet,Ply2Renders", 1,
         L"Intranet,RmtIntranet,Internet,Ply2Renders"},
        {L"2001:db8::1/128", 1, L"2001:db8::1/128"},
        {L"fe80::1,10.2.0.0/16,2001:db8::/32,10.1.2.3,10.1.0.0/16", 1,
         L"10.1.0.0/255.255.0.0,10.1.2.3/255.255.255.255,10.2.0.0/255.255.0.0,fe80::1,"
         L"2001:db8::/32"},
        {L"127.0.0.1", 1, L"127.0.0.1/255.255.255.255"},
        {L"fe80::1,LocalSubnet,10.0.0.1", 1, L"LocalSubnet,10.0.0.1/255.255.255.255,fe80::1"},
        {L"*", 1, L"*"},
        {L"10.0.0.256", 0, NULL},
        {L"10.0.0", 0, NULL},
        {L"10.0.0.0/33", 0, NULL},
        {L"10.0.0.0/255.0.255.0", 0, NULL},
        {L"10.0.0.9-10.0.0.1", 0, NULL},
        {L"10.0.0.1-fe80::1", 0, NULL},
        {L"1::2::3", 0, NULL},
        {L"1:2:3:4:5:6:7:8:9", 0, NULL},
        {L"fe80::/129", 0, NULL},
        {L"LocalSubnet,*", 0, NULL},
        {L"10.0.0.1 ", 0, NULL},
        {L"anywhere", 0, NULL},
    };
    static const struct put_case local[] = {
        {L"192.168.0.0/16", 1, L"192.168.0.0/255.255.0.0"},
        {L"LocalSubnet", 0, NULL},
    };
    (void)state;
    run_put_cases(fwrule_put_addresses, fwrule_get_addresses, 6, 1, remote,
                  sizeof(remote) / sizeof(remote[0]));
    run_put_cases(fwrule_put_addresses, fwrule_get_addresses, 6, 0, local,
                  sizeof(local) / sizeof(local[0]));
}

/* What the firewall service refuses (MS-FASP 2.2.4, 2.2.6, 2.2.10): its own code, so COM can
 * return the NTSTATUS Windows returns for ::1. */
static void test_put_addresses_refused_by_service(void **state)
{
    static const wchar_t *const refused[] = {L"::1",          L"::1/128",   L"::/128",
                                             L"::",           L"0.0.0.0/0", L"10.0.0.0/0.0.0.0",
                                             L"2001:db8::/0", L"::1-::2",   L"10.0.0.1,::1"};
    struct fwrule r;
    struct fwr_error err;
    size_t i;
    (void)state;
    fwrule_init(&r);
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        err.msg[0] = 0;
        assert_int_equal(fwrule_put_addresses(&r, 1, refused[i], &err), FWR_REFUSED_BY_SERVICE);
        assert_non_null(strstr(err.msg, "MS-FASP"));
        assert_int_equal(fwrule_put_addresses(&r, 0, refused[i], &err), FWR_REFUSED_BY_SERVICE);
    }
    assert_int_equal(r.raddrs.n, 0);
    /* IPv4 loopback: undocumented, refused only behind the switch. */
    assert_int_equal(fwrule_put_addresses(&r, 1, L"127.0.0.1", &err), 0);
    assert_int_equal(
        fwrule_put_addresses_opt(&r, 1, L"127.0.0.0/8", FWR_REFUSE_IPV4_LOOPBACK, &err),
        FWR_REFUSED_BY_SERVICE);
    assert_int_equal(fwrule_put_addresses_opt(&r, 1, L"10.0.0.1", FWR_REFUSE_IPV4_LOOPBACK, &err),
                     0);
    fwrule_free(&r);
}

/* Behind the switch, an entry contained in another is left out of the read-back. */
static void test_get_addresses_drop_contained(void **state)
{
    struct fwrule r;
    struct fwr_error err;
    wchar_t *s;
    (void)state;
    fwrule_init(&r);
    assert_int_equal(fwrule_put_addresses(&r, 1,
                                          L"10.1.2.3,10.0.0.0/8,10.0.0.0/8,10.1.0.0-10.1.0.9,"
                                          L"192.168.0.1,fe80::1,fe80::/64,2001:db8::1/128",
                                          &err),
                     0);
    s = fwrule_get_addresses_opt(&r, 1, FWR_DROP_CONTAINED);
    assert_wstr_equal(s, L"10.0.0.0/255.0.0.0,192.168.0.1/255.255.255.255,fe80::/64,"
                         L"2001:db8::1/128");
    free(s);
    s = fwrule_get_addresses(&r, 1);
    assert_wstr_equal(s, L"10.0.0.0/255.0.0.0,10.0.0.0/255.0.0.0,10.1.0.0-10.1.0.9,"
                         L"10.1.2.3/255.255.255.255,192.168.0.1/255.255.255.255,fe80::1,fe80::/64,"
                         L"2001:db8::1/128");
    free(s);
    fwrule_free(&r);
}

static void test_put_scalars_and_strings(void **state)
{
    struct fwrule r;
    struct fwr_error err;
    wchar_t *s;
    (void)state;
    fwrule_init(&r);
    assert_int_equal(fwrule_put_string(&r, FWR_NAME, L"a|b", &err), -1);
    assert_non_null(strstr(err.msg, "'|'"));
    assert_int_equal(fwrule_put_string(&r, FWR_NAME, L"ALL", &err), -1);
    assert_int_equal(fwrule_put_string(&r, FWR_NAME, L"", &err), -1);
    assert_int_equal(fwrule_put_string(&r, FWR_NAME, NULL, &err), -1);
    assert_int_equal(fwrule_put_string(&r, FWR_DESC, L"x|y", &err), -1);
    assert_int_equal(fwrule_put_string(&r, FWR_NAME, L"DLO Agent", &err), 0);
    assert_int_equal(fwrule_put_string(&r, FWR_DESC, L"", &err), 0);
    assert_null(fwrule_get_string(&r, FWR_DESC));

    assert_int_equal(fwrule_put_protocol(&r, 257, &err), -1);
    assert_int_equal(fwrule_put_protocol(&r, -1, &err), -1);
    assert_int_equal(fwrule_put_protocol(&r, 6, &err), 0);
    assert_int_equal(fwrule_put_ports(&r, 0, L"RPC", &err), 0);
    assert_int_equal(fwrule_put_protocol(&r, 17, &err), -1); /* RPC is a TCP keyword */
    /* MS-FASP 2.2.37: RPC and RPC-EPMap need Direction in, both ways round. */
    assert_int_equal(fwrule_put_direction(&r, FWR_DIR_OUT, &err), -1);
    assert_non_null(strstr(err.msg, "outbound rule cannot have"));
    assert_int_equal(fwrule_put_ports(&r, 0, L"RPC-EPMap", &err), 0);
    assert_int_equal(fwrule_put_ports(&r, 0, L"135", &err), 0);
    assert_int_equal(fwrule_put_direction(&r, FWR_DIR_OUT, &err), 0);
    assert_int_equal(fwrule_put_ports(&r, 0, L"RPC", &err), -1);
    assert_non_null(strstr(err.msg, "need an inbound rule"));
    assert_int_equal(fwrule_put_ports(&r, 0, L"RPC-EPMap", &err), -1);
    assert_int_equal(fwrule_put_direction(&r, FWR_DIR_IN, &err), 0);
    assert_int_equal(fwrule_put_ports(&r, 0, L"RPC", &err), 0);
    assert_int_equal(fwrule_put_ports(&r, 0, L"80", &err), 0);
    assert_int_equal(fwrule_put_protocol(&r, 17, &err), 0);
    assert_int_equal(fwrule_put_protocol(&r, 1, &err), -1); /* ports first */
    assert_non_null(strstr(err.msg, "before changing Protocol"));
    assert_int_equal(fwrule_put_ports(&r, 0, L"*", &err), 0);
    assert_int_equal(fwrule_put_protocol(&r, 1, &err), 0);
    assert_int_equal(fwrule_put_icmp(&r, L"8:*,3:4", &err), 0);
    s = fwrule_get_icmp(&r);
    assert_wstr_equal(s, L"8:*,3:4");
    free(s);
    assert_int_equal(fwrule_put_icmp(&r, L"300:0", &err), -1);
    assert_int_equal(fwrule_put_protocol(&r, 58, &err), -1); /* ICMP types first */
    assert_int_equal(fwrule_put_icmp(&r, L"*", &err), 0);
    assert_int_equal(fwrule_put_protocol(&r, 6, &err), 0);
    assert_int_equal(fwrule_put_icmp(&r, L"8:0", &err), -1);

    assert_int_equal(fwrule_put_direction(&r, 3, &err), -1);
    assert_int_equal(fwrule_put_direction(&r, FWR_DIR_OUT, &err), 0);
    assert_int_equal(fwrule_put_action(&r, 2, &err), -1);
    assert_int_equal(fwrule_put_action(&r, FWR_ACTION_BLOCK, &err), 0);
    assert_int_equal(fwrule_put_profiles(&r, 0, &err), -1);
    assert_int_equal(fwrule_put_profiles(&r, 8, &err), -1);
    assert_int_equal(fwrule_put_profiles(&r, FWR_PROFILE_DOMAIN | FWR_PROFILE_PUBLIC, &err), 0);
    assert_int_equal(fwrule_put_edge(&r, 4, &err), -1);
    assert_int_equal(fwrule_put_edge(&r, FWR_EDGE_DEFER_TO_APP, &err), 0);
    assert_int_equal(fwrule_put_iftypes(&r, L"Lan,All", &err), -1);
    assert_int_equal(fwrule_put_iftypes(&r, L"wireless,LAN", &err), 0);
    s = fwrule_get_iftypes(&r);
    assert_wstr_equal(s, L"Lan,Wireless");
    free(s);

    s = fwrule_format(&r);
    assert_wstr_equal(s, L"v2.30|Action=Block|Active=FALSE|Dir=Out|Protocol=6|Profile=Domain|"
                         L"Profile=Public|IFType=Lan|IFType=Wireless|Name=DLO Agent|Edge=TRUE|"
                         L"Defer=App|");
    free(s);
    fwrule_free(&r);
}

static void test_copy_is_deep(void **state)
{
    struct fwrule a, b;
    struct fwr_error err;
    wchar_t *sa, *sb;
    (void)state;
    assert_int_equal(fwrule_parse(L"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
                                  L"LPort=80|RA4=10.0.0.1|Name=n|X=y|",
                                  &a, &err),
                     0);
    assert_int_equal(fwrule_copy(&b, &a), 0);
    fwrule_put_string(&a, FWR_NAME, L"changed", &err);
    fwrule_put_ports(&a, 0, L"81", &err);
    sa = fwrule_format(&a);
    sb = fwrule_format(&b);
    fwrule_free(&a);
    assert_wstr_equal(sb, L"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|"
                          L"RA4=10.0.0.1|Name=n|X=y|");
    assert_true(wcscmp(sa, sb) != 0);
    free(sa);
    free(sb);
    fwrule_free(&b);
}

/* Interfaces: IF= holds one GUID in braces per interface; a put replaces them all and keeps
 * the other fields the model does not read, in their order; a refused list changes nothing. */
static void test_put_interfaces(void **state)
{
    static const wchar_t a[] = L"{00000002-0000-0000-0000-4E6574446576}";
    static const wchar_t b[] = L"{9a1b2c3d-0000-4000-8000-00000000abcd}";
    struct fwrule r;
    struct fwr_error err = {{0}};
    wchar_t *s;
    (void)state;
    assert_int_equal(fwrule_parse(L"v2.31|Action=Allow|Active=FALSE|Dir=In|Name=n|"
                                  L"IF={00000002-0000-0000-0000-4E6574446576}|Platform=2:6:2|"
                                  L"IF={9a1b2c3d-0000-4000-8000-00000000abcd}|",
                                  &r, &err),
                     0);
    assert_true(fwrule_has_interfaces(&r));
    s = fwrule_get_interfaces(&r);
    assert_wstr_equal(s, L"{00000002-0000-0000-0000-4E6574446576},"
                         L"{9a1b2c3d-0000-4000-8000-00000000abcd}");
    free(s);

    assert_int_equal(fwrule_put_interfaces(&r, b, &err), 0);
    s = fwrule_format(&r);
    assert_wstr_equal(s, L"v2.31|Action=Allow|Active=FALSE|Dir=In|Name=n|Platform=2:6:2|"
                         L"IF={9a1b2c3d-0000-4000-8000-00000000abcd}|");
    free(s);

    assert_int_equal(
        fwrule_put_interfaces(&r, L"{9a1b2c3d-0000-4000-8000-00000000abcd},eth0", &err), -1);
    assert_non_null(strstr(err.msg, "interface 'eth0': expected a GUID in braces"));
    assert_int_equal(fwrule_put_interfaces(&r, L"9a1b2c3d-0000-4000-8000-00000000abcd", &err), -1);
    assert_int_equal(fwrule_put_interfaces(&r, L"{9a1b2c3d-0000-4000-8000-00000000abcg}", &err),
                     -1);
    s = fwrule_get_interfaces(&r);
    assert_wstr_equal(s, b);
    free(s);

    assert_int_equal(fwrule_put_interfaces(&r, L"{00000002-0000-0000-0000-4E6574446576},", &err),
                     0);
    s = fwrule_get_interfaces(&r);
    assert_wstr_equal(s, a);
    free(s);

    assert_int_equal(fwrule_put_interfaces(&r, L"", &err), 0);
    assert_false(fwrule_has_interfaces(&r));
    assert_null(fwrule_get_interfaces(&r));
    s = fwrule_format(&r);
    assert_wstr_equal(s, L"v2.31|Action=Allow|Active=FALSE|Dir=In|Name=n|Platform=2:6:2|");
    free(s);
    assert_int_equal(fwrule_put_interfaces(&r, NULL, &err), 0);
    fwrule_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_rules_roundtrip),
        cmocka_unit_test(test_unknown_fields_kept),
        cmocka_unit_test(test_planted_rule_reads),
        cmocka_unit_test(test_minimal_rule),
        cmocka_unit_test(test_malformed_rules),
        cmocka_unit_test(test_put_ports),
        cmocka_unit_test(test_put_addresses),
        cmocka_unit_test(test_put_addresses_refused_by_service),
        cmocka_unit_test(test_get_addresses_drop_contained),
        cmocka_unit_test(test_put_scalars_and_strings),
        cmocka_unit_test(test_copy_is_deep),
        cmocka_unit_test(test_put_interfaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
