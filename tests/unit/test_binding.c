/* Binding inbound rules to the program that serves them (dlo/binding.h), through a fake
 * registry, a fake listeners table and a fake service list: every way the evidence can be
 * there, missing, unreadable or contradictory, and that only the first binds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/binding.h"
#include "dlo/listeners.h"
#include "dlo/plan.h"
#include "dlo/str.h"
#include "fake_registry.h"
#include "testutil.h"

#define SVC_KEY(name) DLO_SERVICES_KEY "\\" name

static dlo_policy policy;

typedef struct fake_os {
    dlo_listener_list table;
    bool fail_listeners;
    dlo_service_list services;
    unsigned listener_reads;
} fake_os;

static dlo_status fake_listeners(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    fake_os *f = ctx;
    size_t i;
    f->listener_reads++;
    if (f->fail_listeners)
        return dlo_error_set(err, DLO_E_IO, "GetExtendedTcpTable: access denied");
    for (i = 0; i < f->table.count; i++) {
        const dlo_listener *l = &f->table.items[i];
        if (dlo_listener_add(out, l->protocol, l->port, l->pid, l->image, l->service))
            return DLO_E_NOMEM;
        out->items[out->count - 1].owner_unknown = l->owner_unknown;
    }
    return DLO_OK;
}

static dlo_status fake_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    fake_os *f = ctx;
    size_t i;
    (void)err;
    for (i = 0; i < f->services.count; i++)
        if (dlo_service_list_add(out, f->services.items[i].name, f->services.items[i].display_name,
                                 DLO_SERVICE_RUNNING))
            return DLO_E_NOMEM;
    return DLO_OK;
}

/* One machine: the registry, the OS seams and what detection found. */
typedef struct machine {
    fake_registry reg;
    fake_os os;
    dlo_probe_os probe;
    dlo_detect_os detect;
    dlo_detect_result det;
    dlo_binding_env env;
    dlo_plan plan;
} machine;

static void machine_init(machine *m)
{
    memset(m, 0, sizeof(*m));
    fake_reg_init(&m->reg);
    dlo_service_list_init(&m->os.services);
    m->probe.ctx = &m->os;
    m->probe.listeners = fake_listeners;
    m->detect.ctx = &m->os;
    m->detect.list_services = fake_services;
    dlo_detect_result_init(&m->det);
    m->env.enabled = true;
    m->env.registry = &m->reg.reg;
    m->env.probe_os = &m->probe;
    m->env.detect_os = &m->detect;
    m->env.det = &m->det;
}

static void machine_free(machine *m)
{
    dlo_plan_free(&m->plan);
    dlo_detect_result_free(&m->det);
    dlo_listener_list_free(&m->os.table);
    dlo_service_list_free(&m->os.services);
    fake_reg_free(&m->reg);
}

static void sql_instance(machine *m, const char *instance, const char *service)
{
    m->det.sql.instance = dlo_strdup(instance);
    m->det.sql.service = dlo_strdup(service);
}

/* A REG_EXPAND_SZ, as the SCM writes ImagePath (the seam hands it over expanded). */
static void image_path(machine *m, const char *key, const char *text)
{
    fake_reg_sz(&m->reg, key, "ImagePath", text);
    m->reg.entries[m->reg.n - 1].type = DLO_REG_EXPAND_SZ;
}

static void listen_on(machine *m, int proto, unsigned port, unsigned long pid, const char *image,
                      const char *service)
{
    assert_int_equal(dlo_listener_add(&m->os.table, proto, port, pid, image, service), DLO_OK);
}

/* The rule of that name in the machine's plan. */
static const dlo_rule *find(machine *m, const char *name)
{
    size_t i;
    for (i = 0; i < m->plan.rules.count; i++) {
        const dlo_rule *r = &m->plan.rules.items[i];
        assert_non_null(r->binding);
        if (strcmp(r->name, name) == 0)
            return r;
    }
    fail_msg("no rule %s", name);
    return NULL;
}

/* Plans for roles (Non-BOI) and binds; returns the rule of that name. */
static const dlo_rule *bind(machine *m, dlo_role_set roles, const char *name)
{
    dlo_error err;
    dlo_plan_free(&m->plan);
    assert_int_equal(dlo_plan_build(&policy, roles, DLO_MODE_NONBOI, NULL, &m->plan, &err), 0);
    assert_int_equal(dlo_binding_apply(&m->env, &policy, &m->plan.rules, &err), DLO_OK);
    return find(m, name);
}

#define SQL_RULE     "Arctera DLO - SQL Server (TCP-In)"
#define BROWSER_RULE "Arctera DLO - SQL Server Browser (UDP-In)"
#define ADMIN_TCP    "Arctera DLO - Administration Service (TCP-In)"
#define ADMIN_UDP    "Arctera DLO - Administration Service (UDP-In)"
#define DEDUPE_HTTPS "Arctera DLO - Dedupe Server HTTPS (TCP-In)"
#define SQLSERVR     "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.DLO\\MSSQL\\Binn\\sqlservr.exe"
#define ADMIN_EXE    "C:\\Program Files\\Arctera\\DLO\\DLOAdminSvcu.exe"

/* Unbound by configuration (BindToServices 0, a row that names no program): the plan takes
 * any binding the firewall's rule has off. */
static void assert_unbound(const dlo_rule *r, const char *why)
{
    assert_null(r->application);
    assert_null(r->service);
    assert_false(r->keep_binding);
    if (!strstr(r->binding, why) || strncmp(r->binding, "not bound: ", 11) != 0)
        fail_msg("%s: binding '%s' does not say '%s'", r->name, r->binding, why);
}

#define KEPT "kept as it stands in the firewall: "

/* Evidence that settles nothing: the plan names no program, and the rule keeps whatever binding
 * it has in the firewall (none for a new rule). */
static void assert_kept(const dlo_rule *r, const char *why)
{
    assert_null(r->application);
    assert_null(r->service);
    assert_true(r->keep_binding);
    if (!strstr(r->binding, why) || strncmp(r->binding, KEPT, strlen(KEPT)) != 0)
        fail_msg("%s: binding '%s' does not say '%s'", r->name, r->binding, why);
}

static void test_sql_default_instance_with_service_sid(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;
    machine_init(&m);
    sql_instance(&m, "MSSQLSERVER", "MSSQLSERVER");
    image_path(&m, SVC_KEY("MSSQLSERVER"),
               "\"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\"
               "sqlservr.exe\" -sMSSQLSERVER");
    fake_reg_dword(&m.reg, SVC_KEY("MSSQLSERVER"), "ServiceSidType", 1);
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE);
    assert_string_equal(r->application, "C:\\Program Files\\Microsoft SQL Server\\MSSQL16."
                                        "MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe");
    assert_string_equal(r->service, "MSSQLSERVER");
    assert_non_null(strstr(r->binding, "bound: service MSSQLSERVER, ImagePath C:\\"));
    assert_non_null(strstr(r->binding, "ServiceSidType 1"));
    machine_free(&m);
}

/* No service SID: whether a ServiceName condition matches such a service is not public, so the
 * rule names the program only. */
static void test_sql_named_instance_without_service_sid(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;
    machine_init(&m);
    sql_instance(&m, "DLO", "MSSQL$DLO");
    image_path(&m, SVC_KEY("MSSQL$DLO"), "\"" SQLSERVR "\" -sDLO");
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE);
    assert_string_equal(r->application, SQLSERVR);
    assert_null(r->service);
    assert_non_null(strstr(r->binding, "no ServiceSidType (no service SID): program only"));
    fake_reg_dword(&m.reg, SVC_KEY("MSSQL$DLO"), "ServiceSidType", 0);
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE);
    assert_string_equal(r->application, SQLSERVR);
    assert_null(r->service);
    assert_non_null(strstr(r->binding, "ServiceSidType is 0 (no service SID): program only"));
    machine_free(&m);
}

static void test_sql_browser(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;
    machine_init(&m);
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), BROWSER_RULE);
    assert_kept(r, "SQL Server Browser (service SQLBrowser) is not installed here");
    m.det.sql.browser = true;
    /* Unquoted, as older setups wrote it: the program ends at ".exe". */
    image_path(&m, SVC_KEY("SQLBrowser"),
               "C:\\Program Files (x86)\\Microsoft SQL Server\\90\\Shared\\sqlbrowser.exe");
    fake_reg_dword(&m.reg, SVC_KEY("SQLBrowser"), "ServiceSidType", 1);
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), BROWSER_RULE);
    assert_string_equal(
        r->application,
        "C:\\Program Files (x86)\\Microsoft SQL Server\\90\\Shared\\sqlbrowser.exe");
    assert_string_equal(r->service, "SQLBrowser");
    machine_free(&m);
}

/* The service's key or ImagePath is missing, unreadable, malformed or another program. */
static void test_sql_image_path_not_usable(void **state)
{
    static const struct {
        const char *image; /* NULL: no ImagePath; "!": unreadable */
        const char *why;
    } cases[] = {
        {NULL, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSSQL$DLO has no ImagePath"},
        {"!", "ImagePath could not be read"},
        {"\"C:\\SQL\\sqlservr.exe -sDLO", "its opening quote is not closed"},
        {"\"%ProgramFiles%\\SQL\\sqlservr.exe\" -sDLO", "environment variable"},
        {"system32\\drivers\\sqlservr.exe", "not an absolute path"},
        {"C:\\SQL\\sqlservr.dll -sDLO", "names no .exe program"},
        {"\"C:\\Tools\\evil.exe\" -sDLO", "runs C:\\Tools\\evil.exe, not sqlservr.exe"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        machine m;
        machine_init(&m);
        sql_instance(&m, "DLO", "MSSQL$DLO");
        fake_reg_dword(&m.reg, SVC_KEY("MSSQL$DLO"), "ServiceSidType", 1);
        if (cases[i].image && strcmp(cases[i].image, "!") == 0)
            fake_reg_fail(&m.reg, SVC_KEY("MSSQL$DLO"), "ImagePath", DLO_E_ACCESS);
        else if (cases[i].image)
            image_path(&m, SVC_KEY("MSSQL$DLO"), cases[i].image);
        assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE), cases[i].why);
        machine_free(&m);
    }
}

static void test_sql_not_detected(void **state)
{
    machine m;
    (void)state;
    machine_init(&m);
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE),
                "no SQL Server instance of DLO's was detected here");
    m.env.det = NULL;
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), SQL_RULE), "detection did not run");
    machine_free(&m);
}

/* DLO's own service, seen listening on both protocols of its row. */
static void test_dlo_service_listening_binds(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;
    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu");
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu"); /* IPv6 */
    listen_on(&m, DLO_PROTO_UDP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu");
    listen_on(&m, DLO_PROTO_TCP, 445, 4, NULL, NULL);
    fake_reg_dword(&m.reg, SVC_KEY("DLOAdminSvcu"), "ServiceSidType", 1);
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP);
    assert_string_equal(r->application, ADMIN_EXE);
    assert_string_equal(r->service, "DLOAdminSvcu");
    assert_non_null(strstr(r->binding, "bound: service DLOAdminSvcu (pid 812, " ADMIN_EXE
                                       ") listens on tcp 3999"));
    r = find(&m, ADMIN_UDP);
    assert_string_equal(r->application, ADMIN_EXE);
    assert_string_equal(r->service, "DLOAdminSvcu");
    machine_free(&m);
}

static void test_dlo_udp_and_program_only(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;
    machine_init(&m);
    listen_on(&m, DLO_PROTO_UDP, 3999, 812, ADMIN_EXE, "dloadminsvcu");
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_UDP);
    assert_string_equal(r->application, ADMIN_EXE);
    assert_null(r->service); /* no ServiceSidType */
    /* The listeners table is read once for all rules. */
    assert_int_equal(m.os.listener_reads, 1);
    assert_kept(find(&m, ADMIN_TCP), "nothing listens on tcp 3999");
    machine_free(&m);
}

/* Every way the listeners do not show the served-by service alone settles nothing: the rule
 * keeps the binding it has. Among them what a standard user can do: listen on the port, on
 * another address (127.0.0.2:3999) beside the service or while it is stopped. */
static void test_dlo_listener_evidence_adverse(void **state)
{
    machine m;
    (void)state;

    machine_init(&m);
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "nothing listens on tcp 3999");
    machine_free(&m);

    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 4242, "C:\\Users\\bob\\nc.exe", NULL);
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "tcp 3999 is held by pid 4242 (C:\\Users\\bob\\nc.exe), which is not a service");
    machine_free(&m);

    /* The service listens, and a user's program on 127.0.0.2:3999 beside it. */
    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu");
    listen_on(&m, DLO_PROTO_TCP, 3999, 4242, "C:\\Users\\bob\\nc.exe", NULL);
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "tcp 3999 is held by pid 4242 (C:\\Users\\bob\\nc.exe), which is not a service");
    machine_free(&m);

    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu");
    listen_on(&m, DLO_PROTO_TCP, 3999, 900, "C:\\x\\other.exe", "OtherSvc");
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "tcp 3999 is held by service OtherSvc (pid 900), not DLOAdminSvcu");
    machine_free(&m);

    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, NULL, "DLOAdminSvcu");
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "the image of service DLOAdminSvcu (pid 812) could not be read");
    machine_free(&m);

    /* No owner: under Wine 8 the table gives PID 0 for a socket whose process it did not find. */
    machine_init(&m);
    listen_on(&m, DLO_PROTO_TCP, 3999, 0, NULL, NULL);
    m.os.table.items[0].owner_unknown = true;
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "who holds tcp 3999 (pid 0) could not be read");
    machine_free(&m);

    machine_init(&m);
    m.os.fail_listeners = true;
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "the listeners table could not be read: GetExtendedTcpTable: access denied");
    machine_free(&m);

    machine_init(&m);
    m.env.probe_os = NULL;
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "no listeners table here");
    machine_free(&m);
}

/* The owner of each process in a listeners table, as the Windows layer reads it, by PID. */
typedef struct owners {
    unsigned long dlo_pid; /* DLOAdminSvcu's */
    unsigned lookups;
    bool services_unreadable;
} owners;

static bool owner_lookup(void *ctx, unsigned long pid, char **image, char **service)
{
    owners *o = ctx;
    char path[64];
    o->lookups++;
    if (o->services_unreadable)
        return false;
    snprintf(path, sizeof(path), "C:\\Apps\\p%lu.exe", pid);
    *image = dlo_strdup(pid == o->dlo_pid ? ADMIN_EXE : path);
    *service = pid == o->dlo_pid ? dlo_strdup("DLOAdminSvcu") : NULL;
    return true;
}

/* More processes than any cache of the Windows layer held (256), and far more rows: DLO's
 * service is still itself, and each process is looked up once. */
static void test_owners_of_a_large_table(void **state)
{
    machine m;
    dlo_listener_table t;
    owners o = {1300, 0, false};
    unsigned long pid;
    const dlo_rule *r;
    (void)state;

    machine_init(&m);
    dlo_listener_table_init(&t, &m.os.table, owner_lookup, &o);
    for (pid = 1000; pid < 1300; pid++) {
        assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_TCP, (unsigned)(pid - 500), pid), 0);
        assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_UDP, (unsigned)(pid - 500), pid), 0);
        assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_TCP, (unsigned)(pid - 500), pid), 0);
    }
    assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_TCP, 3999, o.dlo_pid), 0);
    assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_UDP, 3999, o.dlo_pid), 0);
    dlo_listener_table_free(&t);
    assert_int_equal(o.lookups, 301);
    assert_int_equal(m.os.table.count, 602); /* the same process twice on a port is one row */
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP);
    assert_string_equal(r->application, ADMIN_EXE);
    assert_false(r->keep_binding);
    machine_free(&m);

    /* The services could not be listed: nobody is shown as "not a service". */
    machine_init(&m);
    o.services_unreadable = true;
    dlo_listener_table_init(&t, &m.os.table, owner_lookup, &o);
    assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_TCP, 3999, o.dlo_pid), 0);
    assert_int_equal(dlo_listener_table_row(&t, DLO_PROTO_TCP, 3999, 0), 0);
    dlo_listener_table_free(&t);
    assert_true(m.os.table.items[0].owner_unknown && m.os.table.items[1].owner_unknown);
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP),
                "who holds tcp 3999 (pid 1300) could not be read");
    machine_free(&m);
}

/* service-display: the listener's service is looked up by its display name; two services that
 * both match on the rule's port are not one program. */
static void test_dlo_display_name_pattern(void **state)
{
    machine m;
    const dlo_rule *r;
    (void)state;

    machine_init(&m);
    dlo_service_list_add(&m.os.services, "DloDedupe", "Arctera DLO Dedupe Server",
                         DLO_SERVICE_RUNNING);
    dlo_service_list_add(&m.os.services, "DloDedupe2", "Arctera DLO Dedupe Helper",
                         DLO_SERVICE_RUNNING);
    dlo_service_list_add(&m.os.services, "Tomcat9", "Apache Tomcat 9", DLO_SERVICE_RUNNING);
    listen_on(&m, DLO_PROTO_TCP, 8443, 300, "C:\\DLO\\dedupe.exe", "DloDedupe");
    r = bind(&m, DLO_ROLE_BIT(DLO_ROLE_DEDUPE_SERVER), DEDUPE_HTTPS);
    assert_string_equal(r->application, "C:\\DLO\\dedupe.exe");
    assert_null(r->service);
    machine_free(&m);

    machine_init(&m);
    dlo_service_list_add(&m.os.services, "Tomcat9", "Apache Tomcat 9", DLO_SERVICE_RUNNING);
    listen_on(&m, DLO_PROTO_TCP, 8443, 301, "C:\\Tomcat\\tomcat9.exe", "Tomcat9");
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_DEDUPE_SERVER), DEDUPE_HTTPS),
                "whose display name does not match \"*DLO Dedupe*\"");
    machine_free(&m);

    machine_init(&m);
    dlo_service_list_add(&m.os.services, "DloDedupe", "Arctera DLO Dedupe Server",
                         DLO_SERVICE_RUNNING);
    dlo_service_list_add(&m.os.services, "DloDedupe2", "Arctera DLO Dedupe Helper",
                         DLO_SERVICE_RUNNING);
    listen_on(&m, DLO_PROTO_TCP, 8443, 300, "C:\\DLO\\dedupe.exe", "DloDedupe");
    listen_on(&m, DLO_PROTO_TCP, 8443, 302, "C:\\DLO\\helper.exe", "DloDedupe2");
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_DEDUPE_SERVER), DEDUPE_HTTPS),
                "two services listen on the rule's ports: DloDedupe and DloDedupe2");
    machine_free(&m);

    machine_init(&m);
    m.env.detect_os = NULL;
    listen_on(&m, DLO_PROTO_TCP, 8443, 300, "C:\\DLO\\dedupe.exe", "DloDedupe");
    assert_kept(bind(&m, DLO_ROLE_BIT(DLO_ROLE_DEDUPE_SERVER), DEDUPE_HTTPS),
                "display names cannot be read here");
    machine_free(&m);
}

/* BindToServices=0 binds nothing, whatever the evidence; Windows' rows and outbound rules are
 * never bound. */
static void test_off_windows_and_outbound(void **state)
{
    machine m;
    size_t i;
    (void)state;
    machine_init(&m);
    sql_instance(&m, "MSSQLSERVER", "MSSQLSERVER");
    image_path(&m, SVC_KEY("MSSQLSERVER"), "\"C:\\SQL\\sqlservr.exe\"");
    listen_on(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu");
    listen_on(&m, DLO_PROTO_TCP, 445, 812, ADMIN_EXE, "DLOAdminSvcu");
    m.env.enabled = false;
    assert_unbound(
        bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), SQL_RULE),
        "BindToServices is 0");
    assert_unbound(find(&m, ADMIN_TCP), "BindToServices is 0");
    m.env.enabled = true;
    assert_unbound(
        bind(&m, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), "Arctera DLO - File Sharing (TCP-In)"),
        "served by Windows itself");
    bind(&m, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), ADMIN_TCP);
    for (i = 0; i < m.plan.rules.count; i++)
        if (m.plan.rules.items[i].direction == DLO_DIR_OUT)
            assert_unbound(&m.plan.rules.items[i], "outbound rules are not bound");
    machine_free(&m);
}

static void test_image_path_forms(void **state)
{
    const char *why;
    char *p;
    (void)state;
    p = dlo_binding_image_path("  \"C:\\A B\\x.exe\" -k", &why);
    assert_string_equal(p, "C:\\A B\\x.exe");
    free(p);
    p = dlo_binding_image_path("C:\\A B\\x.EXE -k netsvcs", &why);
    assert_string_equal(p, "C:\\A B\\x.EXE");
    free(p);
    p = dlo_binding_image_path("\\\\srv\\share\\x.exe", &why);
    assert_string_equal(p, "\\\\srv\\share\\x.exe");
    free(p);
    assert_null(dlo_binding_image_path("\\??\\C:\\x.exe", &why));
    assert_non_null(strstr(why, "absolute"));
    assert_null(dlo_binding_image_path("", &why));
    assert_null(dlo_binding_image_path("\"\"", &why));
    assert_null(dlo_binding_image_path("C:\\x.exec", &why));
}

static int load_policy(void **state)
{
    (void)state;
    return test_load_source_policy(&policy);
}

static int free_policy(void **state)
{
    (void)state;
    dlo_policy_free(&policy);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_default_instance_with_service_sid),
        cmocka_unit_test(test_sql_named_instance_without_service_sid),
        cmocka_unit_test(test_sql_browser),
        cmocka_unit_test(test_sql_image_path_not_usable),
        cmocka_unit_test(test_sql_not_detected),
        cmocka_unit_test(test_dlo_service_listening_binds),
        cmocka_unit_test(test_dlo_udp_and_program_only),
        cmocka_unit_test(test_dlo_listener_evidence_adverse),
        cmocka_unit_test(test_owners_of_a_large_table),
        cmocka_unit_test(test_dlo_display_name_pattern),
        cmocka_unit_test(test_off_windows_and_outbound),
        cmocka_unit_test(test_image_path_forms),
    };
    return cmocka_run_group_tests(tests, load_policy, free_policy);
}
