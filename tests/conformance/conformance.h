/* The conformance suite's harness and COM helpers (conformance.c), for its checks (checks.c). */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <netfw.h>

#include <wchar.h>

#include "../fwdouble/fwdouble.h"

#define NET_FW_IP_PROTOCOL_ANY_ 256 /* missing from mingw-w64's icftypes.h */
#define GROUPING                L"dloagent conformance suite"

extern int on_double;  /* the double serves CLSID_NetFwRule */
extern int switches;   /* on the double: the test-key switches are on */
extern DWORD os_build; /* RtlGetVersion's build number */
extern INetFwPolicy2 *policy;
extern INetFwRules *rules;

void ok_(const char *file, int line, int cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
#define ok(cond, ...) ok_(__FILE__, __LINE__, (cond), __VA_ARGS__)
void skip(const char *why);
/* What Windows did where no source says: printed, so a run on Windows adds to the evidence. */
void observed(const char *what, const WCHAR *value);
void observedf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* A check where the sources are thin or disagree: prints what the target did ("observed:");
 * on Windows it passes when windows_ok (every answer a source allows), on the double only when
 * double_ok (the choice tests/fwdouble/README.md documents, or its switch). */
void either_way_(const char *file, int line, int windows_ok, int double_ok, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
#define either_way(windows_ok, double_ok, ...)                                                     \
    either_way_(__FILE__, __LINE__, (windows_ok), (double_ok), __VA_ARGS__)
const char *narrow(const WCHAR *w);
int wstr_is(const WCHAR *got, const WCHAR *want);

/* A BSTR copy of s, valid for the next few calls. */
BSTR bstr(const WCHAR *s);
/* A string property, NULL when the getter failed; valid for the next few calls. */
const WCHAR *get_str(HRESULT(STDMETHODCALLTYPE *getter)(INetFwRule *, BSTR *), INetFwRule *r);
#define GET(rule, prop)        get_str((rule)->lpVtbl->get_##prop, (rule))
#define PUT(rule, prop, value) INetFwRule_put_##prop((rule), bstr(value))

/* "dloagent conformance <pid> <what>": the names of this run's rules. */
const WCHAR *rule_name(const WCHAR *what);
/* A new disabled rule of the suite's Grouping, not added. */
INetFwRule *new_rule(const WCHAR *what);
HRESULT item(const WCHAR *name, INetFwRule **out);
LONG count(void);
typedef void (*visit_fn)(INetFwRule *r, void *ctx);
/* Walks the collection with IEnumVARIANT::Next(64); returns how many rules it saw. */
LONG each_rule(visit_fn fn, void *ctx);

/* The rule string the local store holds for the rule named name (the value under HKLM
 * FWDOUBLE_RULES_KEY whose Name= field is name), valid until the next call; NULL when none. */
const WCHAR *stored_rule(const WCHAR *name);
/* Whether a rule string holds the field "Key=Value" (compared exactly, between bars). */
int stored_has(const WCHAR *text, const WCHAR *field);

/* The double's test key (HKLM, fwdouble.h). */
void test_key_set(const WCHAR *name, DWORD value);
void test_key_clear(const WCHAR *name);
DWORD test_key_get(const WCHAR *name);

/* A network interface of this machine, an Ethernet or Wi-Fi one that is up where there is one:
 * its friendly name and its GUID in braces (the adapter name). 0 when there is none. */
int adapter(WCHAR *friendly, size_t n_friendly, WCHAR *guid, size_t n_guid);
/* put_Interfaces with the one friendly name, as Microsoft's per-interface sample passes it: a
 * VARIANT holding a SAFEARRAY of VARIANTs of BSTR. */
HRESULT put_interface_names(INetFwRule *r, const WCHAR *friendly);

void run_checks(void);
/* Windows' own expectations: the checks ported from Wine's and a Wine tree's hnetcfg tests
 * (wine_policy.c), and INetFwRule::Interfaces (interfaces.c). */
void run_wine_policy_checks(void);
void run_interface_checks(void);

#endif
