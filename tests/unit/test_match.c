/* The matching model, row by row: for each field of the table, rule strings from the real
 * stores (../shared/real-world/firewall-rules, quoted as found) or written after them, held
 * against planned paths, with the answer and the row that decides it. Every row of
 * dlo_match_rows must decide at least one case here, so a row nobody tests fails the suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/match.h"
#include "dlo/policy.h"
#include "dlo/rulestr.h"

enum {
    P_SQL,
    P_SQL_BOUND,
    P_ADMIN,
    P_FILES,
    P_PUSH,
    P_PUSH_RPC,
    P_EDGE,
    P_OUT_SQL,
    P_OUT_ANY,
    P_OUT_FILES,
    P_N
};

static dlo_rule paths[P_N];

static void path(int i, dlo_direction dir, const char *ports, const char *remote, int served,
                 const char *service)
{
    dlo_rule *p = &paths[i];
    dlo_rule_init(p);
    p->direction = dir;
    p->protocol = DLO_PROTO_TCP;
    p->profiles = DLO_PROFILE_DOMAIN;
    p->served_by = served;
    dlo_rule_set(dir == DLO_DIR_IN ? &p->local_ports : &p->remote_ports, ports);
    dlo_rule_set(&p->remote_addresses, remote);
    dlo_rule_set(&p->served_service, service);
    dlo_rule_set(&p->grouping, DLO_RULE_GROUPING);
}

static int setup(void **state)
{
    (void)state;
    path(P_SQL, DLO_DIR_IN, "1433", "10.40.0.5", DLO_SERVED_SQL_SERVER, NULL);
    path(P_SQL_BOUND, DLO_DIR_IN, "1433", "10.40.0.5", DLO_SERVED_SQL_SERVER, NULL);
    dlo_rule_set(&paths[P_SQL_BOUND].application,
                 "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.DLO\\MSSQL\\Binn\\sqlservr.exe");
    dlo_rule_set(&paths[P_SQL_BOUND].service, "MSSQL$DLO");
    path(P_ADMIN, DLO_DIR_IN, "3999", "*", DLO_SERVED_SERVICE, "DLOAdminSvcu");
    path(P_FILES, DLO_DIR_IN, "135-139,445", "*", DLO_SERVED_WINDOWS, NULL);
    path(P_PUSH, DLO_DIR_IN, "49152-65535", "*", DLO_SERVED_WINDOWS, NULL);
    path(P_PUSH_RPC, DLO_DIR_IN, "RPC", "*", DLO_SERVED_WINDOWS, NULL);
    path(P_EDGE, DLO_DIR_IN, "443", "*", DLO_SERVED_SERVICE_DISPLAY, NULL);
    paths[P_EDGE].profiles = DLO_PROFILE_ALL;
    path(P_OUT_SQL, DLO_DIR_OUT, "1433", "10.40.0.5", DLO_SERVED_SQL_SERVER, NULL);
    path(P_OUT_ANY, DLO_DIR_OUT, "8443", "*", DLO_SERVED_SERVICE_DISPLAY, NULL);
    path(P_OUT_FILES, DLO_DIR_OUT, "135-139,445", "*", DLO_SERVED_WINDOWS, NULL);
    return 0;
}

static int teardown(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < P_N; i++)
        dlo_rule_free(&paths[i]);
    return 0;
}

/* Windows Server 2022 (10.0.20348), Windows 7 (6.1, Wine's default), and not known. */
static const dlo_os_version os10 = {true, 2, 10, 0, 20348};
static const dlo_os_version os61 = {true, 2, 6, 1, 7601};
static const dlo_os_version os_unknown = {false, 0, 0, 0, 0};

typedef struct match_case {
    const char *rule; /* a rule string */
    int path;
    const dlo_os_version *os;
    dlo_match_purpose purpose;
    dlo_match_answer answer;
    const char *field; /* the deciding row's field; NULL: every row applies */
} match_case;

#define B        DLO_MATCH_BLOCKS
#define O        DLO_MATCH_OPENS
#define NO       DLO_MATCH_NO
#define MAYBE    DLO_MATCH_MAYBE
#define YES      DLO_MATCH_YES
#define BLOCK_IN "v2.33|Action=Block|Active=TRUE|Dir=In|"

static const match_case cases[] = {
    /* active, action, the agent's own */
    {"v2.33|Action=Block|Active=FALSE|Dir=In|Protocol=6|LPort=1433|Name=Off|", P_SQL, &os10, B, NO,
     "active"},
    {"v2.33|Action=Block|Dir=In|Protocol=6|LPort=1433|Name=No Active field|", P_SQL, &os10, B, NO,
     "active"},
    {"v2.33|Action=Block|Active=MAYBE|Dir=In|Name=x|", P_SQL, &os10, B, MAYBE, "active"},
    /* others.txt line 1: a connection security rule written among firewall rules */
    {"v2.33|Action=SecureServer|Name=Auth|Desc=|Active=TRUE|Auth1Set={E5A5D32A-4BCE-4e4d-B07F-"
     "4AB1BA7E5FE3}|Auth2Set={E5A5D32A-4BCE-4e4d-B07F-4AB1BA7E5FE4}|Crypto2Set={E5A5D32A-4BCE-"
     "4e4d-B07F-4AB1BA7E5FE2}|",
     P_SQL, &os10, B, NO, "action"},
    {"v2.33|Action=Deny|Active=TRUE|Dir=In|Name=x|", P_SQL, &os10, B, MAYBE, "action"},
    {"v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=1433|Name=Allow|", P_SQL, &os10, B, NO,
     "action"},
    {BLOCK_IN "Protocol=6|LPort=1433|Name=Block|", P_SQL, &os10, O, NO, "action"},
    {BLOCK_IN "Protocol=6|LPort=1433|Name=Mine|EmbedCtxt=Arctera DLO Firewall Agent|", P_SQL, &os10,
     B, NO, "the agent's own rule"},
    /* direction, protocol, profiles */
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=389|Name=Block LDAP Port 389|", P_SQL,
     &os10, B, NO, "direction"},
    {BLOCK_IN "Protocol=17|LPort=5353|App=C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\"
              "msedge.exe|Name=Microsoft Edge (mDNS-In)|",
     P_SQL, &os10, B, NO, "protocol"},
    {"v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=1|ICMP4=8:*|Name=Ping|", P_SQL, &os10, B, NO,
     "protocol"},
    {BLOCK_IN "Protocol=6|Profile=Public|LPort=1433|Name=Public only|", P_SQL, &os10, B, NO,
     "profiles"},
    {BLOCK_IN "Protocol=6|Profile=Domain|Profile=Private|Profile=Public|LPort=1433|Name=All|",
     P_SQL, &os10, B, YES, NULL},
    /* local ports: numbers, ranges, keywords */
    {BLOCK_IN "Protocol=6|LPort=3389|Name=Block RDP Inbound|", P_SQL, &os10, B, NO, "local ports"},
    {BLOCK_IN "Protocol=6|LPort=1433|Name=Block SQL|", P_SQL, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|LPort2_10=1400-1500|Name=Range|", P_SQL, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|LPort=RPC-EPMap|App=%SystemRoot%\\system32\\svchost.exe|Svc=RpcSs|"
              "Name=@FirewallAPI.dll,-28539|",
     P_FILES, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|LPort=RPC|Name=RPC|", P_PUSH, &os10, B, MAYBE, "local ports"},
    {BLOCK_IN "Protocol=6|LPort=RPC|Name=RPC|", P_ADMIN, &os10, B, NO, "local ports"},
    {BLOCK_IN "Protocol=6|LPort=49152-65535|Name=Dynamic|", P_PUSH_RPC, &os10, B, MAYBE,
     "local ports"},
    {BLOCK_IN "Protocol=6|LPort=RPC-EPMap|LPort=RPC|Name=Both keywords|", P_PUSH_RPC, &os10, B, YES,
     NULL},
    {BLOCK_IN "Protocol=6|LPort2_10=IPTLSIn|LPort2_10=IPHTTPSIn|Name=IPHTTPS|", P_EDGE, &os10, B,
     NO, "local ports"},
    {BLOCK_IN "Protocol=6|LPort=abc|Name=Garbled|", P_SQL, &os10, B, MAYBE, "local ports"},
    /* remote ports: an inbound path leaves them to the peer (ephemeral) */
    {BLOCK_IN "Protocol=6|RPort=49000|Name=From one port|", P_SQL, &os10, B, MAYBE, "remote ports"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=1433|Name=Out 1433|", P_OUT_SQL,
     &os10, B, YES, NULL},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=636|Name=Block LDAP Port 636|",
     P_OUT_SQL, &os10, B, NO, "remote ports"},
    /* local addresses */
    {BLOCK_IN "Protocol=6|LA4=192.168.1.0/255.255.255.0|LA4=192.168.0.0/255.255.255.0|Name=LA|",
     P_SQL, &os10, B, MAYBE, "local addresses"},
    /* remote addresses against the configured peers (SqlServers 10.40.0.5) */
    {"v2.33|Action=Block|Active=TRUE|Dir=In|RA4=198.51.100.7|Name=Block Malware IP (Inbound) - "
     "198.51.100.7|",
     P_SQL, &os10, B, NO, "remote addresses"},
    {BLOCK_IN "RA4=10.40.0.0/255.255.255.0|Name=Overlaps the peers|", P_SQL, &os10, B, YES, NULL},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|RA4=10.40.0.5|Name=Block the SQL Server|", P_OUT_SQL,
     &os10, B, YES, NULL},
    {BLOCK_IN "RA4=198.51.100.7|Name=Peers any|", P_ADMIN, &os10, B, MAYBE, "remote addresses"},
    {BLOCK_IN "RA4=10.40.0.1-10.40.0.9|Name=Range over the peer|", P_SQL, &os10, B, YES, NULL},
    {BLOCK_IN "RA4=10.40.0.6-10.40.0.9|Name=Range beside the peer|", P_SQL, &os10, B, NO,
     "remote addresses"},
    {BLOCK_IN "RA4=10.0.0.0/8|Name=Prefix form|", P_SQL, &os10, B, YES, NULL},
    {BLOCK_IN "RA4=10.41.0.0/255.255.0.0|RA6=2001:db8::/32|Name=Both families|", P_SQL, &os10, B,
     NO, "remote addresses"},
    {BLOCK_IN "RA4=10.40.0.0/255.255.0.255|Name=Odd mask|", P_SQL, &os10, B, MAYBE,
     "remote addresses"},
    {BLOCK_IN "Protocol=6|RA4=LocalSubnet|RA6=LocalSubnet|Name=Subnet|", P_SQL, &os10, B, MAYBE,
     "remote addresses"},
    {BLOCK_IN "RA42=IntErnet|RA62=IntErnet|Name=Internet|", P_SQL, &os10, B, MAYBE,
     "remote addresses"},
    {"v2.33|Action=Allow|Active=TRUE|Dir=In|RA4=198.51.100.7|Name=Allow elsewhere|", P_SQL, &os10,
     O, YES, NULL},
    /* program */
    {BLOCK_IN "Protocol=6|LPort=445|App=System|Name=@FirewallAPI.dll,-28503|", P_FILES, &os10, B,
     YES, NULL},
    {BLOCK_IN "Protocol=6|App=%SystemRoot%\\system32\\svchost.exe|Name=svchost|", P_FILES, &os10, B,
     YES, NULL},
    {BLOCK_IN "Protocol=6|App=%SystemRoot%\\system32\\lsass.exe|Name=lsass|", P_PUSH, &os10, B,
     MAYBE, "program"},
    {BLOCK_IN "Protocol=6|App=C:\\Program Files\\Tool\\tool.exe|Name=Tool|", P_FILES, &os10, B, NO,
     "program"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|App=%SystemRoot%\\system32\\spoolsv.exe|"
     "Svc=Spooler|Name=@FirewallAPI.dll,-36858|",
     P_OUT_SQL, &os10, B, NO, "program"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Profile=Domain|Profile=Private|Profile=Public|App=C:"
     "\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe|Name=NVTSYSH - (Adobe Acrobat) "
     "Acrobat.exe|",
     P_OUT_ANY, &os10, B, MAYBE, "program"},
    /* others.txt: an outbound Block for a program of Windows, for one elsewhere, and the kernel */
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Profile=Domain|Profile=Private|Profile=Public|App=C:"
     "\\Windows\\system32\\Cmd.exe|Name=NVTSYSH - (System Process) Cmd.exe|",
     P_OUT_FILES, &os10, B, NO, "program"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Profile=Domain|Profile=Private|Profile=Public|App=C:"
     "\\Program Files\\Microsoft Office\\Office15\\Excel.exe|Name=NVTSYSH - (Microsoft Office) "
     "Excel.exe|",
     P_OUT_FILES, &os10, B, MAYBE, "program"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=445|App=System|Name=SMB out|",
     P_OUT_FILES, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|App=C:\\Program Files\\Tool\\tool.exe|Name=Tool|", P_SQL, &os10, B, NO,
     "program"},
    {BLOCK_IN "Protocol=6|App=D:\\SQL\\Binn\\sqlservr.exe|Name=Another SQL|", P_SQL, &os10, B,
     MAYBE, "program"},
    {BLOCK_IN "Protocol=6|App=D:\\SQL\\Binn\\sqlservr.exe|Name=Another SQL|", P_SQL_BOUND, &os10, B,
     NO, "program"},
    {BLOCK_IN "Protocol=6|App=C:\\Program Files\\Microsoft SQL Server\\MSSQL16.DLO\\MSSQL\\Binn\\"
              "SQLSERVR.EXE|Name=This SQL|",
     P_SQL_BOUND, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|App=C:\\Windows\\system32\\svchost.exe|Name=svchost|", P_ADMIN, &os10, B,
     NO, "program"},
    {BLOCK_IN "Protocol=6|App=C:\\Program Files\\DLO\\DLOAdminSvcu.exe|Name=Maybe DLO|", P_ADMIN,
     &os10, B, MAYBE, "program"},
    /* service */
    {BLOCK_IN "Protocol=6|Svc=Spooler|Name=Spooler|", P_ADMIN, &os10, B, NO, "service"},
    {BLOCK_IN "Protocol=6|Svc=DLOAdminSvcu|Name=Admin|", P_ADMIN, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|Svc=*|Name=Every service|", P_ADMIN, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|Svc=*|Name=Every service|", P_EDGE, &os10, B, MAYBE, "service"},
    {BLOCK_IN "Protocol=6|Svc=MSSQL$OTHER|Name=Another instance|", P_SQL, &os10, B, MAYBE,
     "service"},
    {BLOCK_IN "Protocol=6|Svc=MSSQL$OTHER|Name=Another instance|", P_SQL_BOUND, &os10, B, NO,
     "service"},
    {BLOCK_IN "Protocol=6|Svc=W3SVC|Name=IIS|", P_SQL, &os10, B, NO, "service"},
    {BLOCK_IN "Protocol=6|Svc=RpcSs|Name=Endpoint mapper|", P_FILES, &os10, B, YES, NULL},
    /* package */
    {"v2.33|Action=Block|Active=TRUE|Dir=In|Profile=Domain|Name=Xbox|PFN=Microsoft.XboxApp_"
     "8wekyb3d8bbwe|",
     P_SQL, &os10, B, NO, "package"},
    {BLOCK_IN "Name=App|AppPkgId=S-1-15-2-1239072475-3687740317-1842961305-3395936705-1023120123-"
              "2266231929-3543446138|LUOwn=S-1-5-21-1|",
     P_SQL, &os10, B, NO, "package"},
    /* local users, owner */
    {BLOCK_IN "Protocol=6|LUAuth=O:LSD:(A;;CC;;;S-1-5-80-1)|Name=Users|", P_SQL, &os10, B, MAYBE,
     "local users"},
    {BLOCK_IN "Protocol=6|LUOwn=S-1-5-21-1|Name=Owned|", P_SQL, &os10, B, MAYBE, "rule owner"},
    /* platform */
    {BLOCK_IN "Protocol=6|Platform=2:6:2|Platform2=GTEQ|Name=8 and later|", P_SQL, &os10, B, YES,
     NULL},
    {BLOCK_IN "Protocol=6|Platform=2:6:2|Platform2=GTEQ|Name=8 and later|", P_SQL, &os61, B, NO,
     "platform"},
    {BLOCK_IN "Protocol=6|Platform=2:6:2|Platform2=GTEQ|Name=8 and later|", P_SQL, &os_unknown, B,
     MAYBE, "platform"},
    {BLOCK_IN "Protocol=6|Platform=2:10:0|Name=10 exactly|", P_SQL, &os10, B, YES, NULL},
    {BLOCK_IN "Protocol=6|Platform=2:6:1|Platform=2:6:3|Name=7 or 8.1|", P_SQL, &os10, B, NO,
     "platform"},
    {BLOCK_IN "Protocol=6|Platform=2:6:1|Platform=2:6:3|Name=7 or 8.1|", P_SQL, &os61, B, YES,
     NULL},
    /* interfaces */
    {BLOCK_IN "Protocol=6|IFType=Wireless|Name=Wi-Fi|", P_SQL, &os10, B, MAYBE, "interface types"},
    {BLOCK_IN "Protocol=6|IF={6D1B1B0E-1111-4222-8333-444455556666}|Name=One NIC|", P_SQL, &os10, B,
     MAYBE, "interfaces"},
    /* ICMP types on a rule that is no ICMP */
    {BLOCK_IN "Protocol=6|ICMP4=8:*|Name=Odd|", P_SQL, &os10, B, MAYBE, "ICMP types"},
    /* edge traversal does not narrow */
    {"v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=6|Edge=TRUE|Defer=App|Name=Edge|", P_SQL,
     &os10, B, YES, NULL},
    /* security, remote authorization */
    {BLOCK_IN "Protocol=6|Security=AuthenticateEncrypt|Name=Secure|", P_SQL, &os10, B, MAYBE,
     "security"},
    {"v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=1433|Security=Authenticate|Name=S|",
     P_SQL, &os10, O, MAYBE, "security"},
    {BLOCK_IN "Protocol=6|RMAuth=O:LSD:(A;;CC;;;S-1-5-21-9)|Name=Machines|", P_SQL, &os10, B, MAYBE,
     "authorized remote machines and users"},
    /* trust tuples */
    {"v2.33|Action=Block|Active=TRUE|Dir=In|Profile=Domain|App=%SystemRoot%\\system32\\spoolsv."
     "exe|Svc=Spooler|Name=@FirewallAPI.dll,-36858|TTK2_22=WFDPrint|",
     P_SQL, &os10, B, NO, "program"},
    {BLOCK_IN "Protocol=6|TTK=ProxSharing|Name=Proximity|", P_SQL, &os10, B, NO, "trust tuples"},
    /* fields the table does not know */
    {BLOCK_IN "Protocol=6|NNm=Q29ycA==|Name=Network names|", P_SQL, &os10, B, MAYBE,
     "any other field"},
    {BLOCK_IN "Protocol=6|Platform=banana|Name=Bad platform|", P_SQL, &os10, B, MAYBE,
     "any other field"},
    /* combinations: does-not-apply wins over may-apply, the first row in table order decides */
    {BLOCK_IN "Protocol=6|LUOwn=S-1-5-21-1|PFN=A.B_1|Name=Owned package|", P_SQL, &os10, B, NO,
     "package"},
    {"v2.33|Action=Block|Active=TRUE|Dir=Out|PFN=A.B_1|Name=Out package|", P_SQL, &os10, B, NO,
     "direction"},
    {BLOCK_IN "Protocol=6|LUAuth=O:LS|IFType=Lan|Name=Two maybes|", P_SQL, &os10, B, MAYBE,
     "local users"},
};

/* For the failure messages. */
static const char *answer_name(dlo_match_answer a)
{
    return a == DLO_MATCH_YES ? "applies" : a == DLO_MATCH_NO ? "does not apply" : "may apply";
}

static void test_each_case(void **state)
{
    size_t i, failed = 0;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const match_case *c = &cases[i];
        dlo_rule r;
        dlo_match m;
        dlo_rule_init(&r);
        assert_int_equal(dlo_rulestr_parse(c->rule, strlen(c->rule), &r), DLO_OK);
        dlo_match_rule(&r, &paths[c->path], c->os, c->purpose, &m);
        if (m.answer != c->answer || (c->field == NULL) != (m.row == NULL) ||
            (c->field && strcmp(c->field, m.row->field) != 0) ||
            (m.answer != DLO_MATCH_YES && m.why[0] == '\0')) {
            print_error("case %u (%s): %s by %s (%s), expected %s by %s\n", (unsigned)i, c->rule,
                        answer_name(m.answer), m.row ? m.row->field : "no row", m.why,
                        answer_name(c->answer), c->field ? c->field : "no row");
            failed++;
        }
        dlo_rule_free(&r);
    }
    assert_int_equal(failed, 0);
}

/* A row no case is decided by is a row nobody checks. */
static void test_every_row_decides_a_case(void **state)
{
    size_t i, j;
    (void)state;
    for (i = 0; i < dlo_match_row_count; i++) {
        const char *field = dlo_match_rows[i].field;
        bool found = strcmp(field, "edge traversal") == 0; /* it never narrows: see its case */
        for (j = 0; j < sizeof(cases) / sizeof(cases[0]) && !found; j++)
            found = cases[j].field && strcmp(cases[j].field, field) == 0;
        if (!found)
            fail_msg("no case is decided by the row '%s'", field);
        assert_non_null(dlo_match_rows[i].source);
        assert_true(dlo_match_rows[i].source[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_case),
        cmocka_unit_test(test_every_row_decides_a_case),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
