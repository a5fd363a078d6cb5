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

/* The double's test key (HKLM, fwdouble.h). */
void test_key_set(const WCHAR *name, DWORD value);
void test_key_clear(const WCHAR *name);
DWORD test_key_get(const WCHAR *name);

void run_checks(void);

#endif
