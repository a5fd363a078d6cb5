/* Where the Windows Firewall double keeps its state, for the tests that drive it.
 *
 * The rule store and the profile settings are where Windows keeps them, so a test can plant or
 * inspect them with the registry API or `wine reg`. The test-only key holds what Windows has no
 * place for: the profile the machine is on, a Group Policy override, fault injection and call
 * counters. Every value is a REG_DWORD under HKEY_LOCAL_MACHINE, read by each process at each
 * call, so what one process sets is seen by all of the prefix. README.md describes each. */
#ifndef FWDOUBLE_H
#define FWDOUBLE_H

/* Local rules: one REG_SZ per rule, value name = rule ID, data = rule string (MS-GPFAS). */
#define FWDOUBLE_RULES_KEY                                                                         \
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRule" \
    L"s"
/* Parent of the profile keys DomainProfile, StandardProfile (private) and PublicProfile, each
 * with EnableFirewall, DefaultInboundAction and DefaultOutboundAction (1 = block). */
#define FWDOUBLE_POLICY_KEY                                                                        \
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
/* Windows Service Hardening rules that can be configured, the store of the Rules of
 * INetFwPolicy2::get_ServiceRestriction, in the same format. The static ones Windows ships
 * (RestrictedServices\Static\System) are not modelled. */
#define FWDOUBLE_HARDENING_RULES_KEY                                                               \
    FWDOUBLE_POLICY_KEY L"\\RestrictedServices\\Configurable\\System"

/* The test-only key. Deleting it resets every counter and switches fault injection off. */
#define FWDOUBLE_TEST_KEY L"SOFTWARE\\dloagent-tests\\FirewallDouble"

/* get_CurrentProfileTypes (NET_FW_PROFILE_TYPE2 bits); absent: NET_FW_PROFILE2_DOMAIN. */
#define FWDOUBLE_CURRENT_PROFILE_TYPES L"CurrentProfileTypes"
/* get_LocalPolicyModifyState (NET_FW_MODIFY_STATE); absent: NET_FW_MODIFY_STATE_OK. */
#define FWDOUBLE_LOCAL_POLICY_MODIFY_STATE L"LocalPolicyModifyState"

/* Switches for what no public source settles; absent or 0: off.
 * RefuseIPv4Loopback: put_ of addresses refuses 127.0.0.0/8 (0xD000000D), as for ::1.
 * DropContainedAddresses: get_ of addresses leaves out an entry contained in another one.
 * NamesIgnoreCase: Item and Remove match names ignoring case, as Windows may. */
#define FWDOUBLE_REFUSE_IPV4_LOOPBACK L"RefuseIPv4Loopback"
#define FWDOUBLE_DROP_CONTAINED       L"DropContainedAddresses"
#define FWDOUBLE_NAMES_IGNORE_CASE    L"NamesIgnoreCase"

/* Fault injection. A write is any change to the rule store: an Add, a Remove that finds its
 * rule, each put_ written through by a rule obtained from the collection. Writes are numbered
 * from 1 by the RuleWrites counter. */
#define FWDOUBLE_FAIL_WRITE_NUMBER L"FailWriteNumber" /* write number N fails (0: none) */
#define FWDOUBLE_FAIL_WRITES_AFTER L"FailWritesAfter" /* every write after the Nth fails */
#define FWDOUBLE_FAIL_HRESULT      L"FailHResult" /* what they fail with; absent: E_ACCESSDENIED */

/* Counters, absent = 0. */
#define FWDOUBLE_COUNT_ENUMERATIONS L"Enumerations" /* INetFwRules::get__NewEnum calls */
#define FWDOUBLE_COUNT_RULE_READS   L"RuleReads"    /* rule values read from the store */
#define FWDOUBLE_COUNT_RULE_WRITES  L"RuleWrites"   /* writes tried, the injected failures too */
#define FWDOUBLE_COUNT_ADDS         L"Adds"         /* INetFwRules::Add that stored its rule */
#define FWDOUBLE_COUNT_REMOVES      L"Removes"      /* INetFwRules::Remove that deleted a rule */

/* Where DllRegisterServer keeps the InprocServer32 paths it replaced, one value per CLSID, so
 * DllUnregisterServer can put them back. Apart from the test key so resetting that keeps it. */
#define FWDOUBLE_REGISTRATION_KEY L"SOFTWARE\\dloagent-tests\\FirewallDoubleRegistration"

#endif
