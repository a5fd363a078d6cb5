/* Windows' own expectations of INetFwPolicy2, INetFwRules and INetFwRule, ported from the Wine
 * project's hnetcfg tests, whose checks Wine runs on real Windows: those outside todo_wine pass
 * there, those inside todo_wine are what Windows does and Wine does not yet. Written here from
 * what each test checks, never copied; each check names the test and the tree it comes from.
 *
 *   [wine]  wine-mirror/wine 0521925cd5881d417153057f41dadc63e991c022,
 *           dlls/hnetcfg/tests/policy.c, test_policy2_rules
 *   [later] jungwuk-ryu/switchyard-wine 8329cdb0ae317c2cc9339eb5e356ca20272b23c0, a Wine tree
 *           with a later policy.c whose test_policy2_rules also checks get_CurrentProfileTypes
 *   [fork]  spsforks/wineHQ b07af2a08a94d9fe5a398752455800cbc442cf76, the same file with a
 *           test_INetFwRules that is not in Wine: written against what Windows writes to the
 *           rule store, but no run of it on Windows is published. Where only it speaks, Windows
 *           passes either way and what it did is printed; the double is held to it.
 *
 * What those tests check that no part of dloagent serves (INetFwMgr, INetFwPolicy,
 * INetFwAuthorizedApplication, IUPnPNAT and its port mappings, INetFwMgr::IsPortAllowed) is not
 * ported: README.md lists it. */
#include "conformance.h"

#include <stdio.h>

static void release(INetFwRule *r)
{
    if (r)
        INetFwRule_Release(r);
}

/* [wine] test_policy2_rules: the policy object is not itself a collection, and get_Rules hands
 * out the same collection each time. */
static void check_rules_object(void)
{
    INetFwRules *unexpected = NULL, *again = NULL;
    HRESULT hr = INetFwPolicy2_QueryInterface(policy, &IID_INetFwRules, (void **)&unexpected);
    ok(hr == E_NOINTERFACE, "[wine] QueryInterface(INetFwPolicy2, IID_INetFwRules): 0x%08lx",
       (unsigned long)hr);
    if (SUCCEEDED(hr))
        INetFwRules_Release(unexpected);
    hr = INetFwPolicy2_get_Rules(policy, &again);
    ok(hr == S_OK, "[wine] second get_Rules: 0x%08lx", (unsigned long)hr);
    ok(again == rules, "[wine] get_Rules returned another collection object (%p, then %p)",
       (void *)rules, (void *)again);
    if (again)
        INetFwRules_Release(again);
}

/* [wine] test_policy2_rules, inside todo_wine (what Windows does and Wine does not yet):
 * get_ServiceRestriction answers S_OK with an object whose Rules (the Windows Service Hardening
 * rules) is a collection other than the firewall's. */
static void check_service_restriction(void)
{
    INetFwServiceRestriction *restriction = NULL;
    INetFwRules *hardening = NULL;
    LONG n = -1;
    HRESULT hr = INetFwPolicy2_get_ServiceRestriction(policy, &restriction);
    ok(hr == S_OK, "[wine] get_ServiceRestriction: 0x%08lx", (unsigned long)hr);
    if (FAILED(hr) || !restriction)
        return;
    hr = INetFwServiceRestriction_get_Rules(restriction, &hardening);
    ok(hr == S_OK, "[wine] INetFwServiceRestriction::get_Rules: 0x%08lx", (unsigned long)hr);
    ok(hardening && hardening != rules, "[wine] service hardening rules are the firewall's rules");
    if (hardening) {
        /* Source: none found for how many Windows ships; printed. */
        hr = INetFwRules_get_Count(hardening, &n);
        observedf("service hardening rules: get_Count 0x%08lx, %ld", (unsigned long)hr, n);
        INetFwRules_Release(hardening);
    }
    INetFwServiceRestriction_Release(restriction);
}

/* [wine] test_policy2_rules: _NewEnum checks its pointer and gives an IEnumVARIANT. */
static void check_new_enum(void)
{
    IUnknown *unk = NULL;
    IEnumVARIANT *e = NULL;
    HRESULT hr = INetFwRules_get__NewEnum(rules, NULL);
    ok(hr == E_POINTER, "[wine] get__NewEnum(NULL): 0x%08lx", (unsigned long)hr);
    hr = INetFwRules_get__NewEnum(rules, &unk);
    ok(hr == S_OK && unk, "[wine] get__NewEnum: 0x%08lx", (unsigned long)hr);
    if (!unk)
        return;
    hr = IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&e);
    ok(hr == S_OK, "[wine] _NewEnum's object gives IEnumVARIANT: 0x%08lx", (unsigned long)hr);
    if (e)
        IEnumVARIANT_Release(e);
    IUnknown_Release(unk);
}

/* [later] test_policy2_rules: get_CurrentProfileTypes checks its pointer (the value itself is
 * checked in checks.c, check_profiles). */
static void check_current_profile_pointer(void)
{
    HRESULT hr = INetFwPolicy2_get_CurrentProfileTypes(policy, NULL);
    ok(hr == E_POINTER, "[later] get_CurrentProfileTypes(NULL): 0x%08lx", (unsigned long)hr);
}

/* ---- [fork] test_INetFwRules: a rule's properties, on the object, in the store, from Item ---- */

/* What a rule should read back. NULL strings: unset. */
struct expected_rule {
    const WCHAR *name, *app, *desc, *grouping, *svc, *iftypes, *addresses, *ports;
    NET_FW_ACTION action;
    NET_FW_RULE_DIRECTION dir;
    LONG protocol, profiles;
    VARIANT_BOOL enabled, edge;
};

static int same_or_unset(const WCHAR *got, const WCHAR *want)
{
    return want ? wstr_is(got, want) : got == NULL;
}

/* Strings only the fork's test says come back as they were written (or stay NULL). */
static void verify_strings(INetFwRule *r, const struct expected_rule *x, const char *where)
{
    const struct {
        const char *what;
        const WCHAR *want, *got;
    } s[] = {
        {"ApplicationName", x->app, GET(r, ApplicationName)},
        {"Description", x->desc, GET(r, Description)},
        {"ServiceName", x->svc, GET(r, ServiceName)},
    };
    size_t i;
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        either_way(1, same_or_unset(s[i].got, s[i].want), "[fork] %s: %s %s (written %s)", where,
                   s[i].what, narrow(s[i].got), narrow(s[i].want));
}

/* Action, Protocol and EdgeTraversal as put, or (defaults) as a new rule starts out, which
 * only the fork's test shows for these three (checks.c, check_defaults, prints Action and
 * Protocol as observed). */
static void verify_scalars(INetFwRule *r, const struct expected_rule *x, const char *where,
                           int defaults)
{
    NET_FW_ACTION action = -1;
    NET_FW_RULE_DIRECTION dir = 0;
    LONG protocol = -1, profiles = 0;
    VARIANT_BOOL enabled = 2, edge = 2;
    HRESULT hr = INetFwRule_get_Action(r, &action);
    HRESULT hp = INetFwRule_get_Protocol(r, &protocol);
    HRESULT he = INetFwRule_get_EdgeTraversal(r, &edge);
    int as_expected = hr == S_OK && hp == S_OK && he == S_OK && action == x->action &&
                      protocol == x->protocol && edge == x->edge;
    either_way(defaults || as_expected, as_expected, "[fork] %s: Action %d, Protocol %ld, Edge %d",
               where, action, protocol, edge);
    ok(INetFwRule_get_Direction(r, &dir) == S_OK && dir == x->dir, "[fork] %s: Direction %d", where,
       dir);
    /* Only the three profile bits: all profiles may read 7 or 0x7FFFFFFF (checks.c). */
    ok(INetFwRule_get_Profiles(r, &profiles) == S_OK && (profiles & 7) == x->profiles,
       "[fork] %s: Profiles 0x%lx", where, profiles);
    ok(INetFwRule_get_Enabled(r, &enabled) == S_OK && enabled == x->enabled,
       "[fork] %s: Enabled %d", where, enabled);
}

static void verify_rule(INetFwRule *r, const struct expected_rule *x, const char *where,
                        int defaults)
{
    const WCHAR *ports;
    verify_scalars(r, x, where, defaults);
    ok(wstr_is(GET(r, Name), x->name), "[fork] %s: Name %s", where, narrow(GET(r, Name)));
    ok(same_or_unset(GET(r, Grouping), x->grouping), "[fork] %s: Grouping %s", where,
       narrow(GET(r, Grouping)));
    ok(wstr_is(GET(r, InterfaceTypes), x->iftypes), "[fork] %s: InterfaceTypes %s", where,
       narrow(GET(r, InterfaceTypes)));
    ok(wstr_is(GET(r, LocalAddresses), x->addresses), "[fork] %s: LocalAddresses %s", where,
       narrow(GET(r, LocalAddresses)));
    ok(wstr_is(GET(r, RemoteAddresses), x->addresses), "[fork] %s: RemoteAddresses %s", where,
       narrow(GET(r, RemoteAddresses)));
    verify_strings(r, x, where);
    /* Ports of a rule of any protocol read NULL (fork); a list reads back as written (fork;
     * checks.c compares lists as sets, as the order is in doubt). */
    ports = GET(r, LocalPorts);
    either_way(1, same_or_unset(ports, x->ports), "[fork] %s: LocalPorts %s (written %s)", where,
               narrow(ports), narrow(x->ports));
    ports = GET(r, RemotePorts);
    either_way(1, same_or_unset(ports, x->ports), "[fork] %s: RemotePorts %s (written %s)", where,
               narrow(ports), narrow(x->ports));
}

/* [fork] test_INetFwRules, the empty rule: a rule with only a Name (and, here, the suite's
 * Grouping) is added and reads back Windows' defaults. */
static void check_empty_rule(void)
{
    struct expected_rule x = {0};
    INetFwRule *r = new_rule(L"fork empty");
    HRESULT hr;
    if (!r)
        return;
    hr = INetFwRules_Add(rules, r);
    ok(hr == S_OK, "[fork] Add of a rule with only a name: 0x%08lx", (unsigned long)hr);
    x.name = rule_name(L"fork empty");
    x.grouping = GROUPING;
    x.action = NET_FW_ACTION_ALLOW;
    x.dir = NET_FW_RULE_DIR_IN;
    x.protocol = NET_FW_IP_PROTOCOL_ANY_;
    x.profiles = 7;
    x.iftypes = L"All";
    x.addresses = L"*";
    x.enabled = VARIANT_FALSE;
    x.edge = VARIANT_FALSE;
    verify_rule(r, &x, "empty rule", 1);
    release(r);
}

/* Every property the fork's test sets, on a new rule. Enabled goes back to false before the
 * rule is added: the suite never adds an enabled rule. */
static void fill(INetFwRule *r, const struct expected_rule *x)
{
    HRESULT hr;
    ok(INetFwRule_put_Protocol(r, x->protocol) == S_OK, "[fork] put_Protocol");
    ok(INetFwRule_put_Action(r, x->action) == S_OK, "[fork] put_Action");
    /* A bare program name, not a path: only the fork's test takes it. */
    hr = PUT(r, ApplicationName, x->app);
    either_way(1, hr == S_OK, "[fork] put_ApplicationName %s: 0x%08lx", narrow(x->app),
               (unsigned long)hr);
    ok(PUT(r, Description, x->desc) == S_OK, "[fork] put_Description");
    ok(INetFwRule_put_Direction(r, x->dir) == S_OK, "[fork] put_Direction");
    ok(INetFwRule_put_EdgeTraversal(r, x->edge) == S_OK, "[fork] put_EdgeTraversal");
    ok(INetFwRule_put_Enabled(r, VARIANT_TRUE) == S_OK, "[fork] put_Enabled");
    ok(PUT(r, InterfaceTypes, x->iftypes) == S_OK, "[fork] put_InterfaceTypes");
    ok(PUT(r, LocalAddresses, x->addresses) == S_OK, "[fork] put_LocalAddresses");
    ok(PUT(r, LocalPorts, x->ports) == S_OK, "[fork] put_LocalPorts");
    ok(INetFwRule_put_Profiles(r, x->profiles) == S_OK, "[fork] put_Profiles");
    ok(PUT(r, RemoteAddresses, x->addresses) == S_OK, "[fork] put_RemoteAddresses");
    ok(PUT(r, RemotePorts, x->ports) == S_OK, "[fork] put_RemotePorts");
    ok(PUT(r, ServiceName, x->svc) == S_OK, "[fork] put_ServiceName");
}

/* [fork] compare_rule: the fields Windows writes to the store for those properties
 * (MS-GPFAS 2.2.2.19 names them; that Windows writes exactly these: only the fork's test). */
static void check_stored_fields(const WCHAR *name, const WCHAR *if_field)
{
    static const WCHAR *const fields[] = {L"Action=Allow",
                                          L"Active=FALSE",
                                          L"Dir=In",
                                          L"Protocol=6",
                                          L"Profile=Domain",
                                          L"Profile=Private",
                                          L"Profile=Public",
                                          L"LPort=80",
                                          L"LPort=443",
                                          L"RPort=80",
                                          L"RPort=443",
                                          L"LA4=10.20.30.0/255.255.255.0",
                                          L"RA4=10.20.30.0/255.255.255.0",
                                          L"IFType=Lan",
                                          L"App=dloagent-conformance-app",
                                          L"Svc=DloConformanceSvc",
                                          L"Desc=Conformance: every property",
                                          L"EmbedCtxt=" GROUPING,
                                          L"Edge=TRUE"};
    WCHAR missing[1024] = L"";
    const WCHAR *text = stored_rule(name);
    size_t i;
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (!stored_has(text, fields[i]) && wcslen(missing) + wcslen(fields[i]) + 2 < 1024)
            wcscat(wcscat(missing, L" "), fields[i]);
    }
    if (if_field && !stored_has(text, if_field) && wcslen(missing) + wcslen(if_field) + 2 < 1024)
        wcscat(wcscat(missing, L" "), if_field);
    either_way(1, text && !missing[0], "[fork] stored rule %s; missing:%s", narrow(text),
               missing[0] ? narrow(missing) : " none");
}

/* [fork] test_INetFwRules, the filled rule: every property reads back as written, on the
 * object, in the store and from Item; then it is removed. The fork's loopback subnet
 * (127.0.0.0/24) is checked in checks.c beside 127.0.0.1, whose refusal the double switches. */
static void check_filled_rule(void)
{
    struct expected_rule x = {0};
    INetFwRule *r = new_rule(L"fork filled"), *back = NULL;
    WCHAR if_field[64] = L"", friendly[256], guid[64];
    HRESULT hr;
    if (!r)
        return;
    x.name = rule_name(L"fork filled");
    x.app = L"dloagent-conformance-app";
    x.desc = L"Conformance: every property";
    x.grouping = GROUPING;
    x.svc = L"DloConformanceSvc";
    x.iftypes = L"Lan";
    x.addresses = L"10.20.30.0/255.255.255.0";
    x.ports = L"80,443";
    x.protocol = NET_FW_IP_PROTOCOL_TCP;
    x.action = NET_FW_ACTION_ALLOW;
    x.dir = NET_FW_RULE_DIR_IN;
    x.profiles = 7;
    x.edge = VARIANT_TRUE;
    x.enabled = VARIANT_TRUE;
    fill(r, &x);
    if (adapter(friendly, 256, guid, 64)) {
        ok(put_interface_names(r, friendly) == S_OK, "[fork] put_Interfaces %s", narrow(friendly));
        swprintf(if_field, 64, L"IF=%ls", guid);
    }
    verify_rule(r, &x, "filled rule", 0);
    x.enabled = VARIANT_FALSE;
    ok(INetFwRule_put_Enabled(r, VARIANT_FALSE) == S_OK, "put_Enabled false before Add");
    hr = INetFwRules_Add(rules, r);
    ok(hr == S_OK, "[fork] Add of the filled rule: 0x%08lx", (unsigned long)hr);
    check_stored_fields(x.name, if_field[0] ? if_field : NULL);
    hr = item(x.name, &back);
    ok(hr == S_OK, "[fork] Item of the filled rule: 0x%08lx", (unsigned long)hr);
    if (back)
        verify_rule(back, &x, "filled rule from Item", 0);
    release(back);
    hr = INetFwRules_Remove(rules, bstr(x.name));
    ok(hr == S_OK, "[fork] Remove of the filled rule: 0x%08lx", (unsigned long)hr);
    release(r);
}

void run_wine_policy_checks(void)
{
    check_rules_object();
    check_service_restriction();
    check_new_enum();
    check_current_profile_pointer();
    check_empty_rule();
    check_filled_rule();
}
