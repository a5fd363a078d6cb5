/* Component detection against an in-memory machine: services, both registry views, files, the
 * local SQL Server and its port, unreadable sources, and the /detect command end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/app.h"
#include "dlo/detect.h"
#include "dlo/report.h"
#include "dlo/str.h"
#include "dlo/trust.h"

#include "fake_registry.h"

/* ---- The fake machine ---- */

#define MAX_ITEMS 32

typedef struct fake_service {
    const char *name, *display;
    dlo_service_state state;
} fake_service;

typedef struct fake_machine {
    fake_service services[MAX_ITEMS];
    size_t n_services;
    dlo_status services_fail;
    unsigned service_calls;
    fake_registry reg;
    const char *files[MAX_ITEMS];
    size_t n_files;
    const char *broken_file; /* checking it fails */
    /* File security: every object is SYSTEM's, but for these. */
    const char *user_owned[4];    /* owned by a standard user */
    const char *user_writable[4]; /* a standard user may change it (write, delete inside) */
    dlo_fs_security fs;
} fake_machine;

static void machine_free(fake_machine *m)
{
    fake_reg_free(&m->reg);
}

/* A machine freed when it goes out of scope. */
#define FAKE_MACHINE(m) fake_machine m __attribute__((cleanup(machine_free))) = {0}

static void add_service(fake_machine *m, const char *name, const char *display,
                        dlo_service_state state)
{
    fake_service s = {name, display, state};
    assert_true(m->n_services < MAX_ITEMS);
    m->services[m->n_services++] = s;
}

static void add_str(fake_machine *m, dlo_reg_view view, const char *key, const char *name,
                    const char *str)
{
    fake_reg_sz_in(&m->reg, view, key, name, str);
}

static void add_num(fake_machine *m, dlo_reg_view view, const char *key, const char *name,
                    uint32_t number)
{
    fake_reg_dword_in(&m->reg, view, key, name, number);
}

static void add_broken_value(fake_machine *m, dlo_reg_view view, const char *key, const char *name)
{
    fake_reg_fail_in(&m->reg, view, key, name, DLO_E_ACCESS);
}

static void add_file(fake_machine *m, const char *path)
{
    assert_true(m->n_files < MAX_ITEMS);
    m->files[m->n_files++] = path;
}

static dlo_status fake_list_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    fake_machine *m = ctx;
    size_t i;
    m->service_calls++;
    if (m->services_fail)
        return dlo_error_set(err, m->services_fail,
                             "cannot open the service control manager: "
                             "Access denied");
    for (i = 0; i < m->n_services; i++)
        if (dlo_service_list_add(out, m->services[i].name, m->services[i].display,
                                 m->services[i].state))
            return DLO_E_NOMEM;
    return DLO_OK;
}

static dlo_status fake_file_exists(void *ctx, const char *path, dlo_error *err)
{
    fake_machine *m = ctx;
    size_t i;
    if (m->broken_file && dlo_str_equal_ci(m->broken_file, path))
        return dlo_error_set(err, DLO_E_ACCESS, "cannot check %s: Access denied", path);
    for (i = 0; i < m->n_files; i++)
        if (dlo_str_equal_ci(m->files[i], path))
            return DLO_OK;
    return dlo_error_set(err, DLO_E_NOTFOUND, "%s does not exist", path);
}

static bool listed(const char *const *l, size_t n, const char *path)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (l[i] && dlo_str_equal_ci(l[i], path))
            return true;
    return false;
}

#define A_USER "S-1-5-21-1-2-3-1001"

static dlo_status fake_fs_read(void *ctx, const char *path, dlo_fs_object *out, dlo_error *err)
{
    fake_machine *m = ctx;
    (void)err;
    memset(out, 0, sizeof(*out));
    strcpy(out->owner, listed(m->user_owned, 4, path) ? A_USER : DLO_SID_SYSTEM);
    out->has_dacl = true;
    out->directory = !listed(m->files, m->n_files, path);
    out->links = out->directory ? 0 : 1;
    strcpy(out->aces[0].sid, DLO_SID_ADMINISTRATORS);
    out->aces[0].allow = true;
    out->aces[0].mask = DLO_ACCESS_GENERIC_ALL;
    out->n_aces = 1;
    if (listed(m->user_writable, 4, path)) {
        strcpy(out->aces[1].sid, "S-1-5-32-545");
        out->aces[1].allow = true;
        out->aces[1].mask = DLO_ACCESS_GENERIC_WRITE;
        out->n_aces = 2;
    }
    return DLO_OK;
}

static dlo_status fake_known_folder(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "ProgramFiles") == 0)
        dlo_buf_puts(out, "C:\\Program Files");
    else if (strcmp(name, "ProgramFiles(x86)") == 0)
        dlo_buf_puts(out, "C:\\Program Files (x86)");
    else if (strcmp(name, "ProgramData") == 0)
        dlo_buf_puts(out, "C:\\ProgramData");
    else
        return dlo_error_set(err, DLO_E_NOTFOUND, "the folder %%%s%% is unknown", name);
    return DLO_OK;
}

static dlo_detect_os fake_os(fake_machine *m)
{
    dlo_detect_os os = {m, fake_list_services, fake_file_exists, fake_known_folder};
    fake_reg_seam(&m->reg);
    m->fs.ctx = m;
    m->fs.read = fake_fs_read;
    return os;
}

/* ---- Helpers ---- */

#define UNINSTALL "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define SQL_NAMES "SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL"
#define SQL_KEY   "SOFTWARE\\Microsoft\\Microsoft SQL Server\\"
#define IPALL(id) SQL_KEY id "\\MSSQLServer\\SuperSocketNetLib\\Tcp\\IPAll"

static void run_with(fake_machine *m, const char *table_text, const char *sql_instance,
                     dlo_detect_result *r)
{
    dlo_detect_table t;
    dlo_detect_os os = fake_os(m);
    dlo_detect_params params = {sql_instance, &m->fs};
    dlo_error err;

    dlo_detect_table_init(&t);
    dlo_error_clear(&err);
    assert_int_equal(dlo_detect_table_parse(&t, "t.detect", table_text, strlen(table_text), &err),
                     DLO_OK);
    assert_int_equal(dlo_detect_run(&t, &os, &m->reg.reg, &params, r, &err), DLO_OK);
    dlo_detect_table_free(&t);
}

static const dlo_detect_evidence *find_evidence(const dlo_detect_evidence_list *l, dlo_role role,
                                                const char *subject)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        if (l->items[i].role == role && strcmp(l->items[i].subject, subject) == 0)
            return &l->items[i];
    return NULL;
}

static size_t count_role(const dlo_detect_evidence_list *l, dlo_role role)
{
    size_t i, n = 0;
    for (i = 0; i < l->count; i++)
        n += l->items[i].role == role;
    return n;
}

/* The warning that contains every one of the given fragments, or NULL. */
static const char *find_warning(const dlo_detect_result *r, const char *a, const char *b)
{
    size_t i;
    for (i = 0; i < r->warnings.count; i++)
        if (strstr(r->warnings.items[i], a) && (!b || strstr(r->warnings.items[i], b)))
            return r->warnings.items[i];
    return NULL;
}

#define BIT(role) DLO_ROLE_BIT(DLO_ROLE_##role)

/* ---- Services ---- */

static void test_service_by_short_name_and_display_name(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    (void)state;

    add_service(&m, "DLOAdminSvcu", "DLO Administration Service", DLO_SERVICE_RUNNING);
    add_service(&m, "DLOMaintenanceSvc2", "Something else", DLO_SERVICE_RUNNING);
    add_service(&m, "dlocj", "Veritas DLO Change Journal Service", DLO_SERVICE_STOPPED);
    add_service(&m, "Spooler", "Print Spooler", DLO_SERVICE_RUNNING);
    run_with(&m,
             "dlo-detect 1\n"
             "admin-server confirmed service dloadminsvcu\n"
             "maintenance-server confirmed service DLOMaintenanceSvc\n"
             "client confirmed service-display \"*DLO Change Journal Service\"\n"
             "edge-server unconfirmed service-display \"*DLO Edge*\"\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(ADMIN_SERVER) | BIT(CLIENT));
    assert_int_equal(r.looked_for, BIT(ADMIN_SERVER) | BIT(MAINTENANCE_SERVER) | BIT(CLIENT) |
                                       BIT(EDGE_SERVER) | BIT(SQL_SERVER));
    e = find_evidence(&r.found, DLO_ROLE_ADMIN_SERVER, "DLOAdminSvcu");
    assert_non_null(e);
    assert_int_equal(e->kind, DLO_DETECT_SERVICE);
    assert_true(e->confirmed);
    assert_int_equal(e->line, 2);
    assert_int_equal(e->state, DLO_SERVICE_RUNNING);
    assert_string_equal(e->detail, "DLO Administration Service");
    e = find_evidence(&r.found, DLO_ROLE_CLIENT, "dlocj");
    assert_non_null(e);
    assert_int_equal(e->kind, DLO_DETECT_SERVICE_DISPLAY);
    assert_int_equal(e->state, DLO_SERVICE_STOPPED);
    /* A name that merely starts like the pattern is no match. */
    assert_non_null(find_evidence(&r.missed, DLO_ROLE_MAINTENANCE_SERVER,
                                  "service named \"DLOMaintenanceSvc\""));
    e = find_evidence(&r.missed, DLO_ROLE_EDGE_SERVER, "service with display name \"*DLO Edge*\"");
    assert_non_null(e);
    assert_false(e->confirmed);
    assert_int_equal(e->line, 5);
    assert_int_equal(r.warnings.count, 0);
    assert_false(r.partial);
    /* The SCM is asked once, however many entries and SQL Server need it. */
    assert_int_equal(m.service_calls, 1);
    dlo_detect_result_free(&r);
}

/* ---- Uninstall entries ---- */

static void test_uninstall_in_both_views(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    (void)state;

    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{EDGE-64}", "DisplayName", "Arctera DLO Edge Server");
    add_str(&m, DLO_REG_VIEW_32, UNINSTALL "\\{IO-32}", "DisplayName", "Veritas DLO IO Server");
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\KB123", "Publisher", "no DisplayName here");
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{OTHER}", "DisplayName", "DLO Dedupe Tools");
    add_num(&m, DLO_REG_VIEW_64, UNINSTALL "\\{NUM}", "DisplayName", 5);
    run_with(&m,
             "dlo-detect 1\n"
             "edge-server unconfirmed uninstall \"*DLO Edge Server*\"\n"
             "io-server unconfirmed uninstall \"*dlo io server\"\n"
             "dedupe-server unconfirmed uninstall \"*DLO Dedupe Server*\"\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(EDGE_SERVER) | BIT(IO_SERVER));
    e = find_evidence(&r.found, DLO_ROLE_EDGE_SERVER, "HKLM\\" UNINSTALL "\\{EDGE-64}");
    assert_non_null(e);
    assert_int_equal(e->view, DLO_REG_VIEW_64);
    assert_string_equal(e->detail, "Arctera DLO Edge Server");
    e = find_evidence(&r.found, DLO_ROLE_IO_SERVER, "HKLM\\" UNINSTALL "\\{IO-32}");
    assert_non_null(e);
    assert_int_equal(e->view, DLO_REG_VIEW_32);
    /* "DLO Dedupe Tools" does not match "*DLO Dedupe Server*". */
    assert_int_equal(count_role(&r.found, DLO_ROLE_DEDUPE_SERVER), 0);
    assert_int_equal(r.warnings.count, 0);
    dlo_detect_result_free(&r);
}

static void test_unreadable_uninstall_entry_is_reported_and_skipped(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const char *w;
    (void)state;

    add_broken_value(&m, DLO_REG_VIEW_64, UNINSTALL "\\{LOCKED}", "DisplayName");
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{EDGE}", "DisplayName", "Arctera DLO Edge Server");
    fake_reg_subkeys_fail(&m.reg, DLO_REG_VIEW_32, UNINSTALL);
    run_with(&m, "dlo-detect 1\nedge-server unconfirmed uninstall \"*DLO Edge Server*\"\n", NULL,
             &r);

    assert_int_equal(r.roles, BIT(EDGE_SERVER));
    w = find_warning(&r, "HKLM\\" UNINSTALL "\\{LOCKED}", "64-bit view");
    assert_non_null(w);
    assert_non_null(strstr(w, "Access denied"));
    assert_non_null(find_warning(&r, "cannot list HKLM\\" UNINSTALL " (32-bit view)", NULL));
    assert_true(r.partial);
    dlo_detect_result_free(&r);
}

/* A value of the wrong type in another product's Uninstall key says nothing about DLO: a
 * warning, and the detection stays complete (a partial one would keep stale rules forever). */
static void test_malformed_foreign_display_name_is_a_warning_only(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    fake_reg_typed(&m.reg, UNINSTALL "\\{BINARY}", "DisplayName", DLO_REG_BINARY, 7, 4);
    fake_reg_typed(&m.reg, UNINSTALL "\\{SHORT}", "DisplayName", DLO_REG_DWORD, 7, 2);
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{EDGE}", "DisplayName", "Arctera DLO Edge Server");
    run_with(&m, "dlo-detect 1\nedge-server unconfirmed uninstall \"*DLO Edge Server*\"\n", NULL,
             &r);

    assert_int_equal(r.roles, BIT(EDGE_SERVER));
    assert_non_null(find_warning(&r, "HKLM\\" UNINSTALL "\\{BINARY}", "REG_BINARY"));
    assert_non_null(find_warning(&r, "HKLM\\" UNINSTALL "\\{SHORT}", "2 bytes"));
    assert_false(r.partial);
    dlo_detect_result_free(&r);
}

/* A registry of many Uninstall entries, every one in both views (a key WOW64 does not
 * redirect), and one in the 32-bit view only: more than the fake registry holds. */
#define MANY_KEYS 3000

static dlo_status many_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                            dlo_reg_value *out, dlo_error *err)
{
    static const char display[] = "Arctera DLO Edge Server";
    (void)ctx, (void)view, (void)key, (void)err;
    dlo_reg_value_init(out);
    if (strcmp(name, "DisplayName") != 0)
        return DLO_E_NOTFOUND;
    out->type = DLO_REG_SZ;
    out->text = malloc(sizeof(display));
    assert_non_null(out->text);
    memcpy(out->text, display, sizeof(display));
    out->text_len = out->size = sizeof(display);
    return DLO_OK;
}

static dlo_status many_subkeys(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                               dlo_error *err)
{
    char name[32];
    unsigned i;
    (void)ctx, (void)err;
    if (strcmp(key, UNINSTALL) != 0)
        return DLO_E_NOTFOUND;
    for (i = 0; i < MANY_KEYS; i++) {
        snprintf(name, sizeof(name), "{DLO-%04u}", i);
        assert_int_equal(dlo_strlist_add(out, name), DLO_OK);
    }
    if (view == DLO_REG_VIEW_32)
        assert_int_equal(dlo_strlist_add(out, "{ONLY-32}"), DLO_OK);
    return DLO_OK;
}

/* Many matches of one entry: one finding per key, the first view's, in the order found. */
static void test_many_findings_are_deduplicated(void **state)
{
    FAKE_MACHINE(m);
    dlo_registry many = {.read = many_read, .subkeys = many_subkeys};
    dlo_detect_os os = fake_os(&m);
    dlo_detect_params params;
    dlo_detect_table t;
    dlo_detect_result r;
    dlo_error err;
    char key[80];
    unsigned i;
    static const char table[] = "dlo-detect 1\nedge-server unconfirmed uninstall \"*DLO Edge*\"\n";
    (void)state;

    memset(&params, 0, sizeof(params));
    dlo_detect_table_init(&t);
    assert_int_equal(dlo_detect_table_parse(&t, "t.detect", table, strlen(table), &err), DLO_OK);
    assert_int_equal(dlo_detect_run(&t, &os, &many, &params, &r, &err), DLO_OK);
    dlo_detect_table_free(&t);

    assert_int_equal(r.found.count, MANY_KEYS + 1);
    for (i = 0; i < MANY_KEYS; i++) {
        snprintf(key, sizeof(key), "HKLM\\" UNINSTALL "\\{DLO-%04u}", i);
        assert_string_equal(r.found.items[i].subject, key);
        assert_int_equal(r.found.items[i].view, DLO_REG_VIEW_64);
    }
    assert_string_equal(r.found.items[MANY_KEYS].subject, "HKLM\\" UNINSTALL "\\{ONLY-32}");
    assert_int_equal(r.found.items[MANY_KEYS].view, DLO_REG_VIEW_32);
    dlo_detect_result_free(&r);
}

/* ---- Files ---- */

static void test_file_under_known_folder(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    (void)state;

    add_file(&m, "C:\\Program Files\\Arctera\\DLO\\DLOConsoleu.exe");
    add_file(&m, "C:\\Program Files (x86)\\Veritas\\DLO\\other.exe");
    run_with(&m,
             "dlo-detect 1\n"
             "admin-console unconfirmed file \"%ProgramFiles%\\Arctera\\DLO\\DLOConsoleu.exe\"\n"
             "client unconfirmed file \"%ProgramFiles(x86)%\\Veritas\\DLO\\DLOClientu.exe\"\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(ADMIN_CONSOLE));
    e = find_evidence(&r.found, DLO_ROLE_ADMIN_CONSOLE,
                      "C:\\Program Files\\Arctera\\DLO\\DLOConsoleu.exe");
    assert_non_null(e);
    assert_int_equal(e->kind, DLO_DETECT_FILE);
    assert_false(e->confirmed);
    assert_non_null(find_evidence(&r.missed, DLO_ROLE_CLIENT,
                                  "file %ProgramFiles(x86)%\\Veritas\\DLO\\DLOClientu.exe"));
    dlo_detect_result_free(&r);
}

static void test_unreadable_file_and_folder_are_reported(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    m.broken_file = "C:\\Program Files\\Locked\\x.exe";
    add_file(&m, "C:\\ProgramData\\DLO\\ok.txt");
    run_with(&m,
             "dlo-detect 1\n"
             "client unconfirmed file %ProgramFiles%\\Locked\\x.exe\n"
             "client unconfirmed file %SystemRoot%\\dlo.exe\n"
             "io-server unconfirmed file %ProgramData%\\DLO\\ok.txt\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(IO_SERVER));
    assert_non_null(find_warning(&r, "cannot check C:\\Program Files\\Locked\\x.exe (table line 2)",
                                 "Access denied"));
    assert_non_null(find_warning(&r, "%SystemRoot% (table line 3)", NULL));
    assert_true(r.partial);
    dlo_detect_result_free(&r);
}

/* Anyone may add files under ProgramData: a file there counts only when no standard user could
 * have made or changed it, or a folder above it. Ignored evidence is a warning naming the file
 * and why, listed in the result, and no read failure (the result stays complete). */
static void test_file_evidence_a_user_could_plant_is_ignored(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    dlo_buf b;
    (void)state;

    add_file(&m, "C:\\ProgramData\\DLO\\trusted.txt");
    add_file(&m, "C:\\ProgramData\\DLO\\planted.txt");
    add_file(&m, "C:\\ProgramData\\Open\\x.exe");
    m.user_owned[0] = "C:\\ProgramData\\DLO\\planted.txt";
    m.user_writable[0] = "C:\\ProgramData\\Open";
    add_str(&m, DLO_REG_VIEW_64, "SOFTWARE\\Open", "Dir", "C:\\ProgramData\\Open");
    run_with(&m,
             "dlo-detect 1\n"
             "io-server unconfirmed file %ProgramData%\\DLO\\trusted.txt\n"
             "client unconfirmed file %ProgramData%\\DLO\\planted.txt\n"
             "storage unconfirmed file %ProgramData%\\Open\\x.exe\n"
             "dedupe-server unconfirmed regfile HKLM\\SOFTWARE\\Open Dir x.exe\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(IO_SERVER));
    assert_false(r.partial);
    assert_int_equal(r.ignored.count, 3);
    e = find_evidence(&r.ignored, DLO_ROLE_DEDUPE_SERVER, "C:\\ProgramData\\Open\\x.exe");
    assert_non_null(e);
    assert_string_equal(e->detail, "HKLM\\SOFTWARE\\Open\\Dir");
    assert_int_equal(e->view, DLO_REG_VIEW_64);
    e = find_evidence(&r.ignored, DLO_ROLE_CLIENT, "C:\\ProgramData\\DLO\\planted.txt");
    assert_non_null(e);
    assert_int_equal(e->line, 3);
    assert_non_null(strstr(e->reason, "is owned by " A_USER));
    e = find_evidence(&r.ignored, DLO_ROLE_STORAGE, "C:\\ProgramData\\Open\\x.exe");
    assert_non_null(e);
    assert_non_null(strstr(e->reason, "the folder C:\\ProgramData\\Open may be changed by "
                                      "S-1-5-32-545"));
    assert_non_null(find_warning(&r,
                                 "C:\\ProgramData\\DLO\\planted.txt (table line 3) is not "
                                 "counted as evidence of client: the file",
                                 "is owned by " A_USER));
    assert_non_null(find_warning(&r, "C:\\ProgramData\\Open\\x.exe (table line 4)", "Open may be"));
    /* The entries whose only evidence was ignored are looked for and not found. */
    assert_non_null(
        find_evidence(&r.missed, DLO_ROLE_CLIENT, "file %ProgramData%\\DLO\\planted.txt"));

    dlo_buf_init(&b);
    dlo_report_detect_text(&b, &r);
    assert_non_null(strstr(dlo_buf_str(&b),
                           "\nEvidence ignored (not trusted: a non-administrator could have "
                           "written it):\n  client:\n      file "
                           "C:\\ProgramData\\DLO\\planted.txt  [line 3, unconfirmed]\n      the "
                           "file C:\\ProgramData\\DLO\\planted.txt is owned by " A_USER));
    dlo_buf_free(&b);
    dlo_buf_init(&b);
    dlo_report_detect_json(&b, &r);
    assert_non_null(strstr(
        dlo_buf_str(&b), "\"ignored\": [\n  {\"role\": \"client\", \"evidence\": {\"kind\": "
                         "\"file\", \"confirmed\": false, \"line\": 3, \"path\": "
                         "\"C:\\\\ProgramData\\\\DLO\\\\planted.txt\"}, \"reason\": \"the file "));
    dlo_buf_free(&b);
    dlo_detect_result_free(&r);
}

/* Without a way to read file security no file can be trusted: ignored, and since that is a
 * failure to read, the result is partial. */
static void test_file_evidence_without_file_security_is_ignored_and_partial(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    dlo_detect_table t;
    dlo_detect_os os = fake_os(&m);
    dlo_detect_params params = {NULL, NULL};
    const char *text = "dlo-detect 1\nio-server unconfirmed file %ProgramData%\\DLO\\ok.txt\n";
    dlo_error err;
    (void)state;

    add_file(&m, "C:\\ProgramData\\DLO\\ok.txt");
    dlo_detect_table_init(&t);
    dlo_error_clear(&err);
    assert_int_equal(dlo_detect_table_parse(&t, "t.detect", text, strlen(text), &err), DLO_OK);
    assert_int_equal(dlo_detect_run(&t, &os, &m.reg.reg, &params, &r, &err), DLO_OK);
    assert_int_equal(r.roles, 0);
    assert_true(r.partial);
    assert_int_equal(r.ignored.count, 1);
    assert_non_null(
        find_warning(&r, "ok.txt (table line 2) is not counted", "cannot be read here"));
    dlo_detect_result_free(&r);
    dlo_detect_table_free(&t);
}

/* ---- Files named by registry values ---- */

static void test_regfile_both_views(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    (void)state;

    /* A 32-bit installer writes under WOW6432Node: only the 32-bit view has it. */
    add_str(&m, DLO_REG_VIEW_32, "SOFTWARE\\Veritas\\DLO", "InstallDir",
            "\"C:\\Program Files (x86)\\Veritas\\DLO\\\" ");
    add_file(&m, "C:\\Program Files (x86)\\Veritas\\DLO\\DLOClientu.exe");
    /* The value itself names the file. */
    add_str(&m, DLO_REG_VIEW_64, "SOFTWARE\\Arctera\\DLO\\Console", "", "D:\\DLO\\DLOConsoleu.exe");
    add_file(&m, "D:\\DLO\\DLOConsoleu.exe");
    /* A number where a path belongs. */
    add_num(&m, DLO_REG_VIEW_64, "SOFTWARE\\Arctera\\DLO", "Edge", 1);
    run_with(&m,
             "dlo-detect 1\n"
             "client unconfirmed regfile HKLM\\SOFTWARE\\Veritas\\DLO InstallDir DLOClientu.exe\n"
             "admin-console unconfirmed regfile HKLM\\SOFTWARE\\Arctera\\DLO\\Console @\n"
             "edge-server unconfirmed regfile HKLM\\SOFTWARE\\Arctera\\DLO Edge e.exe\n"
             "io-server unconfirmed regfile HKLM\\SOFTWARE\\Arctera\\DLO IO io.exe\n",
             NULL, &r);

    assert_int_equal(r.roles, BIT(CLIENT) | BIT(ADMIN_CONSOLE));
    e = find_evidence(&r.found, DLO_ROLE_CLIENT,
                      "C:\\Program Files (x86)\\Veritas\\DLO\\DLOClientu.exe");
    assert_non_null(e);
    assert_int_equal(e->kind, DLO_DETECT_REGFILE);
    assert_int_equal(e->view, DLO_REG_VIEW_32);
    assert_string_equal(e->detail, "HKLM\\SOFTWARE\\Veritas\\DLO\\InstallDir");
    e = find_evidence(&r.found, DLO_ROLE_ADMIN_CONSOLE, "D:\\DLO\\DLOConsoleu.exe");
    assert_non_null(e);
    assert_int_equal(e->view, DLO_REG_VIEW_64);
    assert_non_null(find_warning(&r, "HKLM\\SOFTWARE\\Arctera\\DLO value Edge (64-bit view",
                                 "expected a path"));
    /* A value that is not there is just not found. */
    assert_non_null(find_evidence(&r.missed, DLO_ROLE_IO_SERVER,
                                  "file named by HKLM\\SOFTWARE\\Arctera\\DLO value IO, then "
                                  "\\io.exe"));
    assert_false(r.partial);
    dlo_detect_result_free(&r);
}

static void test_unshared_key_seen_twice_is_one_finding(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    add_str(&m, DLO_REG_VIEW_64, "SOFTWARE\\Classes\\DLO", "Path", "C:\\DLO\\a.exe");
    add_str(&m, DLO_REG_VIEW_32, "SOFTWARE\\Classes\\DLO", "Path", "C:\\DLO\\a.exe");
    add_file(&m, "C:\\DLO\\a.exe");
    run_with(&m, "dlo-detect 1\nclient unconfirmed regfile HKLM\\SOFTWARE\\Classes\\DLO Path\n",
             NULL, &r);
    assert_int_equal(count_role(&r.found, DLO_ROLE_CLIENT), 1);
    dlo_detect_result_free(&r);
}

static void test_service_list_failure_does_not_stop_detection(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    m.services_fail = DLO_E_ACCESS;
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{E}", "DisplayName", "Arctera DLO Edge Server");
    run_with(&m,
             "dlo-detect 1\n"
             "admin-server confirmed service DLOAdminSvcu\n"
             "edge-server unconfirmed uninstall \"*DLO Edge Server*\"\n",
             NULL, &r);
    assert_int_equal(r.roles, BIT(EDGE_SERVER));
    assert_non_null(find_warning(&r, "cannot list the services", "Access denied"));
    assert_true(r.partial);
    dlo_detect_result_free(&r);
}

/* ---- SQL Server ---- */

static const char *const admin_table =
    "dlo-detect 1\nadmin-server confirmed service DLOAdminSvcu\n";

static void admin_with_default_instance(fake_machine *m)
{
    add_service(m, "DLOAdminSvcu", "DLO Administration Service", DLO_SERVICE_RUNNING);
    add_service(m, "MSSQLSERVER", "SQL Server (MSSQLSERVER)", DLO_SERVICE_RUNNING);
    add_str(m, DLO_REG_VIEW_64, SQL_NAMES, "MSSQLSERVER", "MSSQL16.MSSQLSERVER");
}

static void test_sql_static_port(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    const dlo_detect_evidence *e;
    (void)state;

    admin_with_default_instance(&m);
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", "14330");
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpDynamicPorts", "");
    add_service(&m, "SQLBrowser", "SQL Server Browser", DLO_SERVICE_RUNNING);
    run_with(&m, admin_table, NULL, &r);

    assert_int_equal(r.roles, BIT(ADMIN_SERVER) | BIT(SQL_SERVER));
    e = find_evidence(&r.found, DLO_ROLE_SQL_SERVER, "MSSQLSERVER");
    assert_non_null(e);
    assert_int_equal(e->kind, DLO_DETECT_SQL_INSTANCE);
    assert_string_equal(e->detail, "the only instance on the DLO Administration Server");
    assert_string_equal(r.sql.instance, "MSSQLSERVER");
    assert_string_equal(r.sql.instance_id, "MSSQL16.MSSQLSERVER");
    assert_string_equal(r.sql.tcp_ports, "14330");
    assert_int_equal(r.sql.port_source, DLO_SQL_PORT_STATIC);
    assert_string_equal(r.sql.port_origin,
                        "HKLM\\" IPALL("MSSQL16.MSSQLSERVER") "\\TcpPort (64-bit view)");
    assert_true(r.sql.browser);
    assert_int_equal(r.sql.browser_state, DLO_SERVICE_RUNNING);
    assert_int_equal(r.warnings.count, 0);
    dlo_detect_result_free(&r);
}

static void test_sql_dynamic_port_and_static_list(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    admin_with_default_instance(&m);
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", " ");
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpDynamicPorts", "49823");
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "49823");
    assert_int_equal(r.sql.port_source, DLO_SQL_PORT_DYNAMIC);
    assert_non_null(strstr(r.sql.port_origin, "\\IPAll\\TcpDynamicPorts"));
    assert_false(r.sql.browser);
    assert_int_equal(r.warnings.count, 0);
    dlo_detect_result_free(&r);

    machine_free(&m);
    memset(&m, 0, sizeof(m));
    admin_with_default_instance(&m);
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", "1433, 1500");
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "1433,1500");
    assert_int_equal(r.sql.port_source, DLO_SQL_PORT_STATIC);
    dlo_detect_result_free(&r);

    machine_free(&m);
    memset(&m, 0, sizeof(m));
    admin_with_default_instance(&m);
    add_num(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", 2000);
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "2000");
    dlo_detect_result_free(&r);
}

typedef struct port_case {
    const char *tcp_port;    /* NULL: absent */
    const char *dynamic;     /* NULL: absent */
    const char *want_ports;  /* result */
    dlo_sql_port_source src; /* result */
    const char *warning;     /* a fragment of the expected warning, or NULL for none */
} port_case;

static const port_case port_cases[] = {
    {NULL, NULL, "1433", DLO_SQL_PORT_DEFAULT, "has neither TcpPort nor TcpDynamicPorts"},
    {"", "", "1433", DLO_SQL_PORT_DEFAULT, "has neither TcpPort nor TcpDynamicPorts"},
    {NULL, "0", "1433", DLO_SQL_PORT_DEFAULT, "value TcpDynamicPorts (64-bit view) is 0"},
    {"abc", NULL, "1433", DLO_SQL_PORT_DEFAULT, "value TcpPort (64-bit view) is 'abc'; expected"},
    {"70000", NULL, "1433", DLO_SQL_PORT_DEFAULT, "value TcpPort (64-bit view) is '70000'"},
    {"-5", NULL, "1433", DLO_SQL_PORT_DEFAULT, "is '-5'"},
    {"1433,", NULL, "1433", DLO_SQL_PORT_DEFAULT, "is '1433,'"},
    {"0001433", NULL, "1433", DLO_SQL_PORT_DEFAULT, "is '0001433'"},
    {"01433", NULL, "1433", DLO_SQL_PORT_DEFAULT, "is '01433'"},
    {NULL, "12x", "1433", DLO_SQL_PORT_DEFAULT, "value TcpDynamicPorts (64-bit view) is '12x'"},
    /* A bad static port does not hide a good dynamic one; the warning stays. */
    {"abc", "50000", "50000", DLO_SQL_PORT_DYNAMIC, "is 'abc'"},
    {"0", NULL, "1433", DLO_SQL_PORT_DEFAULT, "value TcpPort (64-bit view) is 0; expected"},
    {"65535", NULL, "65535", DLO_SQL_PORT_STATIC, NULL},
    {" 1 ", NULL, "1", DLO_SQL_PORT_STATIC, NULL},
};

static void test_sql_missing_and_garbage_ports(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(port_cases) / sizeof(port_cases[0]); i++) {
        const port_case *c = &port_cases[i];
        FAKE_MACHINE(m);
        dlo_detect_result r;

        print_message("case %u\n", (unsigned)i);
        admin_with_default_instance(&m);
        add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "Enabled", "1");
        if (c->tcp_port)
            add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", c->tcp_port);
        if (c->dynamic)
            add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpDynamicPorts",
                    c->dynamic);
        run_with(&m, admin_table, NULL, &r);
        assert_true(r.roles & BIT(SQL_SERVER));
        assert_string_equal(r.sql.tcp_ports, c->want_ports);
        assert_int_equal(r.sql.port_source, c->src);
        if (c->src == DLO_SQL_PORT_DEFAULT)
            assert_string_equal(r.sql.port_origin,
                                "SQL Server's standard port: no usable TcpPort or TcpDynamicPorts "
                                "under HKLM\\" IPALL("MSSQL16.MSSQLSERVER") " (64-bit view)");
        if (c->warning) {
            assert_int_equal(r.warnings.count, 1);
            /* The warning names the key it read. */
            assert_non_null(find_warning(&r, c->warning, "HKLM\\" IPALL("MSSQL16.MSSQLSERVER")));
        } else {
            assert_int_equal(r.warnings.count, 0);
        }
        /* A port that is only unusable is no read failure. */
        assert_false(r.partial);
        dlo_detect_result_free(&r);
    }
}

static void test_sql_instance_id_missing_or_garbage(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    run_with(&m, admin_table, NULL, &r);
    assert_true(r.roles & BIT(SQL_SERVER));
    assert_string_equal(r.sql.instance, "DLO");
    assert_null(r.sql.instance_id);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_non_null(
        find_warning(&r, "HKLM\\" SQL_NAMES " has no value DLO", "using TCP port 1433"));
    dlo_detect_result_free(&r);

    machine_free(&m);
    memset(&m, 0, sizeof(m));
    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    add_str(&m, DLO_REG_VIEW_64, SQL_NAMES, "DLO", "..\\..\\Evil");
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_non_null(find_warning(&r, "value DLO (64-bit view) is not an instance id", NULL));
    dlo_detect_result_free(&r);

    machine_free(&m);
    memset(&m, 0, sizeof(m));
    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    add_broken_value(&m, DLO_REG_VIEW_64, SQL_NAMES, "DLO");
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_non_null(find_warning(&r, "cannot read HKLM\\" SQL_NAMES " value DLO", "Access denied"));
    assert_true(r.partial);
    dlo_detect_result_free(&r);
}

static void test_sql_32bit_instance(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_STOPPED);
    add_str(&m, DLO_REG_VIEW_32, SQL_NAMES, "DLO", "MSSQL10.DLO");
    add_str(&m, DLO_REG_VIEW_32, IPALL("MSSQL10.DLO"), "TcpDynamicPorts", "51000");
    /* The same key in the 64-bit view belongs to nobody: it must not be read. */
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL10.DLO"), "TcpPort", "9999");
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.instance_id, "MSSQL10.DLO");
    assert_string_equal(r.sql.tcp_ports, "51000");
    assert_non_null(strstr(r.sql.port_origin, "(32-bit view)"));
    dlo_detect_result_free(&r);
}

static void test_sql_role_needs_configuration_or_admin_server(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    /* An instance alone on a machine without the Administration Server is someone else's. */
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$OTHER", "SQL Server (OTHER)", DLO_SERVICE_RUNNING);
    add_str(&m, DLO_REG_VIEW_64, SQL_NAMES, "DLO", "MSSQL16.DLO");
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.DLO"), "TcpPort", "1500");
    run_with(&m, "dlo-detect 1\n", NULL, &r);
    assert_int_equal(r.roles, 0);
    assert_int_equal(r.sql.instances.count, 2);
    assert_null(r.sql.instance);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_int_equal(count_role(&r.missed, DLO_ROLE_SQL_SERVER), 1);
    dlo_detect_result_free(&r);

    /* The configuration names it, in any of the forms an administrator writes. */
    run_with(&m, "dlo-detect 1\n", "DBHOST\\dlo", &r);
    assert_int_equal(r.roles, BIT(SQL_SERVER));
    assert_string_equal(r.sql.instance, "DLO");
    assert_string_equal(r.sql.service, "MSSQL$DLO");
    assert_string_equal(r.sql.tcp_ports, "1500");
    assert_string_equal(find_evidence(&r.found, DLO_ROLE_SQL_SERVER, "MSSQL$DLO")->detail,
                        "named by the configuration");
    dlo_detect_result_free(&r);
    run_with(&m, "dlo-detect 1\n", "MSSQL$DLO", &r);
    assert_int_equal(r.roles, BIT(SQL_SERVER));
    dlo_detect_result_free(&r);

    /* A configured instance that is not here. */
    run_with(&m, "dlo-detect 1\n", "MISSING", &r);
    assert_int_equal(r.roles, 0);
    assert_non_null(find_warning(&r, "configured SQL Server instance 'MISSING' has no service",
                                 "MSSQL$MISSING"));
    dlo_detect_result_free(&r);

    /* Two instances beside the Administration Server: which is DLO's is not guessed. */
    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    run_with(&m, admin_table, NULL, &r);
    assert_int_equal(r.roles, BIT(ADMIN_SERVER));
    assert_non_null(find_warning(&r, "2 SQL Server instances", "name DLO's instance"));
    dlo_detect_result_free(&r);
}

/* The Administration Server with two instances, each with its own port. */
static void admin_with_two_instances(fake_machine *m)
{
    admin_with_default_instance(m);
    add_str(m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", "1433");
    add_service(m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    add_str(m, DLO_REG_VIEW_64, SQL_NAMES, "DLO", "MSSQL16.DLO");
    add_str(m, DLO_REG_VIEW_64, IPALL("MSSQL16.DLO"), "TcpPort", "1500");
}

static void test_sql_configured_instance_of_two(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    admin_with_two_instances(&m);
    run_with(&m, admin_table, "DLO", &r);
    assert_int_equal(r.roles, BIT(ADMIN_SERVER) | BIT(SQL_SERVER));
    assert_int_equal(r.sql.instances.count, 2);
    assert_string_equal(r.sql.instance, "DLO");
    assert_string_equal(r.sql.instance_id, "MSSQL16.DLO");
    assert_string_equal(r.sql.tcp_ports, "1500");
    assert_string_equal(find_evidence(&r.found, DLO_ROLE_SQL_SERVER, "MSSQL$DLO")->detail,
                        "named by the configuration");
    assert_int_equal(r.warnings.count, 0);
    dlo_detect_result_free(&r);

    /* The default instance is named by its own name. */
    run_with(&m, admin_table, "MSSQLSERVER", &r);
    assert_string_equal(r.sql.instance, "MSSQLSERVER");
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_int_equal(r.sql.port_source, DLO_SQL_PORT_STATIC);
    dlo_detect_result_free(&r);
}

static void test_sql_configured_instance_not_here(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    /* Not guessed, not even when one instance alone would have been taken. */
    add_service(&m, "DLOAdminSvcu", "", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$OTHER", "SQL Server (OTHER)", DLO_SERVICE_RUNNING);
    add_str(&m, DLO_REG_VIEW_64, SQL_NAMES, "OTHER", "MSSQL16.OTHER");
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.OTHER"), "TcpPort", "1600");
    run_with(&m, admin_table, "DLO", &r);
    assert_int_equal(r.roles, BIT(ADMIN_SERVER));
    assert_null(r.sql.instance);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_int_equal(r.sql.port_source, DLO_SQL_PORT_DEFAULT);
    assert_non_null(find_warning(&r, "configured SQL Server instance 'DLO' has no service here",
                                 "no other instance is taken in its place"));
    assert_false(r.partial);
    dlo_detect_result_free(&r);
}

/* A port value whose data has the wrong size for its type is a warning naming key and value,
 * and the standard port is used. */
static void test_sql_port_number_of_the_wrong_size(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    (void)state;

    admin_with_default_instance(&m);
    fake_reg_typed(&m.reg, IPALL("MSSQL16.MSSQLSERVER"), "TcpPort", DLO_REG_DWORD, 1500, 3);
    run_with(&m, admin_table, NULL, &r);
    assert_string_equal(r.sql.tcp_ports, "1433");
    assert_non_null(find_warning(&r, "IPAll value TcpPort (64-bit view) is a REG_DWORD of 3 bytes",
                                 "expected 4 bytes"));
    dlo_detect_result_free(&r);
}

/* ---- Output ---- */

static void test_text_and_json_reports(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    dlo_buf b, b2;
    const char *s;
    (void)state;

    admin_with_default_instance(&m);
    add_str(&m, DLO_REG_VIEW_64, IPALL("MSSQL16.MSSQLSERVER"), "TcpDynamicPorts", "0");
    add_str(&m, DLO_REG_VIEW_32, UNINSTALL "\\{E}", "DisplayName", "DLO Edge Server \"beta\"");
    run_with(&m,
             "dlo-detect 1\n"
             "admin-server confirmed service DLOAdminSvcu\n"
             "edge-server unconfirmed uninstall \"*DLO Edge Server*\"\n"
             "io-server unconfirmed service-display \"*DLO IO Server*\"\n",
             NULL, &r);

    dlo_buf_init(&b);
    dlo_report_detect_text(&b, &r);
    s = dlo_buf_str(&b);
    assert_non_null(strstr(s, "Detection table: t.detect\n"));
    assert_non_null(strstr(s, "  admin-server (DLO Administration Server)\n"
                              "      service DLOAdminSvcu \"DLO Administration Service\" "
                              "(running)  [line 2]\n"));
    assert_non_null(strstr(s, "      Uninstall entry HKLM\\" UNINSTALL
                              "\\{E} \"DLO Edge Server \"beta\"\" (32-bit view)  [line 3, "
                              "unconfirmed]\n"));
    assert_non_null(strstr(s, "  sql-server (SQL Server)\n"
                              "      SQL Server service MSSQLSERVER (running): the only instance "
                              "on the DLO Administration Server\n"
                              "      TCP port 1433 (default: SQL Server's standard port: no usable "
                              "TcpPort or TcpDynamicPorts under HKLM\\"));
    assert_non_null(strstr(s, "Roles looked for and not found:\n"
                              "  io-server (DLO IO Server), looked for:\n"
                              "      service with display name \"*DLO IO Server*\"  [line 4, "
                              "unconfirmed]\n"));
    /* Every role of the role rows but the three the table has lines for and SQL Server, which
     * is found by its service. */
    dlo_buf_init(&b2);
    dlo_buf_puts(&b2, "Roles not detectable (the table has no evidence for them): ");
    dlo_roles_format(&b2, DLO_ROLE_ALL_MASK & ~(DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER) |
                                                DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) |
                                                DLO_ROLE_BIT(DLO_ROLE_IO_SERVER) |
                                                DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER)));
    dlo_buf_putc(&b2, '\n');
    if (!strstr(s, dlo_buf_str(&b2)))
        fail_msg("the report lacks '%s'", dlo_buf_str(&b2));
    dlo_buf_free(&b2);
    assert_non_null(strstr(s, "SQL Server Browser (UDP 1434): not installed\n"));
    assert_non_null(strstr(s, "\nWarnings:\n  HKLM\\"));
    dlo_buf_free(&b);

    dlo_buf_init(&b);
    dlo_report_detect_json(&b, &r);
    s = dlo_buf_str(&b);
    assert_non_null(strstr(s, "\"detected\": [\"admin-server\", \"edge-server\", \"sql-server\"]"));
    assert_non_null(strstr(s, "\"not_found\": [\"io-server\"]"));
    assert_non_null(strstr(s, "{\"role\": \"edge-server\", \"detected\": true, \"evidence\": [\n"
                              "      {\"kind\": \"uninstall\", \"confirmed\": false, \"line\": 3, "
                              "\"key\": \"HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\"
                              "CurrentVersion\\\\Uninstall\\\\{E}\", \"display_name\": \"DLO Edge "
                              "Server \\\"beta\\\"\", \"view\": 32}]}"));
    assert_non_null(strstr(s, "{\"role\": \"io-server\", \"detected\": false, \"looked_for\": [\n"
                              "      {\"kind\": \"service-display\", \"confirmed\": false, "
                              "\"line\": 4, \"looked_for\": \"service with display name "
                              "\\\"*DLO IO Server*\\\"\"}]}"));
    assert_non_null(strstr(s, "\"tcp_ports\": \"1433\", \"port_source\": \"default\""));
    assert_non_null(strstr(s, "\"browser\": false, \"browser_state\": null"));
    assert_non_null(strstr(s, "\"partial\": false"));
    assert_int_equal(s[strlen(s) - 1], '\n');
    dlo_buf_free(&b);
    dlo_detect_result_free(&r);
}

/* ---- /detect end to end ---- */

typedef struct app_fixture {
    dlo_buf out, err;
    const char *file; /* what /detection:FILE reads */
} app_fixture;

static void cap_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((app_fixture *)ctx)->out, s, n);
}

static void cap_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((app_fixture *)ctx)->err, s, n);
}

static dlo_status app_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "DETECTION") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no embedded data named %s", name);
    dlo_buf_puts(out, admin_table);
    return DLO_OK;
}

static dlo_status app_read(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    app_fixture *f = ctx;
    (void)err;
    (void)path;
    assert_int_equal(max, DLO_DETECT_MAX_BYTES);
    dlo_buf_puts(out, f->file);
    return DLO_OK;
}

static int app_run(app_fixture *f, const dlo_detect_os *os, char **argv)
{
    dlo_platform plat = {.ctx = f,
                         .write_out = cap_out,
                         .write_err = cap_err,
                         .load_embedded = app_embedded,
                         .read_file = app_read,
                         .detect_os = os,
                         .registry = os ? &((fake_machine *)os->ctx)->reg.reg : NULL};
    int argc = 0;
    dlo_buf_init(&f->out);
    dlo_buf_init(&f->err);
    while (argv[argc])
        argc++;
    return dlo_app_run(&plat, argc, argv);
}

#define APP_RUN(f, os, ...) app_run((f), (os), (char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static void app_free(app_fixture *f)
{
    dlo_buf_free(&f->out);
    dlo_buf_free(&f->err);
}

static void test_detect_command(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_os os = fake_os(&m);
    app_fixture f = {{0}, {0}, "dlo-detect 1\n\nclient confirmed service DLOAdminSvcu\n"};
    (void)state;

    admin_with_default_instance(&m);
    assert_int_equal(APP_RUN(&f, &os, "/detect"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "Detection table: embedded DETECTION\n"));
    assert_non_null(strstr(dlo_buf_str(&f.out), "  admin-server (DLO Administration Server)\n"));
    assert_string_equal(dlo_buf_str(&f.err), "");
    app_free(&f);

    assert_int_equal(APP_RUN(&f, &os, "/detect", "/json"), 0);
    assert_non_null(
        strstr(dlo_buf_str(&f.out), "\"detected\": [\"admin-server\", \"sql-server\"]"));
    app_free(&f);

    /* /detection:FILE replaces the embedded table. */
    assert_int_equal(APP_RUN(&f, &os, "/detect", "/json", "/detection:C:\\t.detect"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"table\": \"C:\\\\t.detect\""));
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"detected\": [\"client\"]"));
    app_free(&f);
}

/* SqlInstance, from the registry or the switch, decides which of two instances is DLO's. */
static void test_detect_command_with_sql_instance(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_os os = fake_os(&m);
    app_fixture f = {{0}, {0}, ""};
    (void)state;

    admin_with_two_instances(&m);
    assert_int_equal(APP_RUN(&f, &os, "/detect", "/json"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"instance\": null"));
    assert_non_null(strstr(dlo_buf_str(&f.out), "2 SQL Server instances"));
    app_free(&f);

    fake_reg_sz(&m.reg, "SOFTWARE\\Arctera\\DLO\\FirewallAgent", "SqlInstance", "MSSQL$DLO");
    assert_int_equal(APP_RUN(&f, &os, "/detect"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out),
                           "SQL Server service MSSQL$DLO (running): named by the configuration"));
    assert_non_null(strstr(dlo_buf_str(&f.out), "TCP port 1500 (static: "));
    app_free(&f);

    /* The switch wins over the registry for one run. */
    assert_int_equal(APP_RUN(&f, &os, "/detect", "/json", "/sqlinstance:mssqlserver"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"instance\": \"MSSQLSERVER\""));
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"tcp_ports\": \"1433\""));
    app_free(&f);

    assert_int_equal(APP_RUN(&f, &os, "/detect", "/sqlinstance:DLO;1"), 2);
    assert_non_null(strstr(dlo_buf_str(&f.err), "/sqlinstance:\"DLO;1\": 'DLO;1' is not a SQL "
                                                "Server instance name: ';' is not allowed"));
    assert_string_equal(dlo_buf_str(&f.out), "");
    app_free(&f);
}

static void test_detect_command_failures(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_os os = fake_os(&m);
    app_fixture f = {{0}, {0}, "dlo-detect 1\nclient confirmed service\n"};
    (void)state;

    assert_int_equal(APP_RUN(&f, &os, "/detect", "/detection:C:\\bad.detect"), 2);
    assert_string_equal(dlo_buf_str(&f.err),
                        "dloagent: C:\\bad.detect:2: 'service' is missing its argument; expected "
                        "one name or pattern (* and ? allowed)\n");
    assert_string_equal(dlo_buf_str(&f.out), "");
    app_free(&f);

    assert_int_equal(APP_RUN(&f, &os, "/detect", "/detection"), 2);
    assert_non_null(strstr(dlo_buf_str(&f.err), "/detection needs a value: /detection:FILE"));
    app_free(&f);

    /* Without access to the machine, detection cannot run at all. */
    assert_int_equal(APP_RUN(&f, NULL, "/detect"), 3);
    assert_non_null(strstr(dlo_buf_str(&f.err), "detection cannot run"));
    app_free(&f);
}

/* A name on the machine that holds a right-to-left override is shown escaped by /detect, in
 * text and in JSON, never raw. */
static void test_detect_shows_hidden_characters_escaped(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_os os = fake_os(&m);
    app_fixture f = {{0}, {0}, ""};
    (void)state;

    add_service(&m, "DLOEdgeSvc2", "Arctera DLO \xe2\x80\xaerevreS egdE", DLO_SERVICE_RUNNING);
    assert_int_equal(APP_RUN(&f, &os, "/detect"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "(Arctera DLO <U+202E>revreS egdE)"));
    assert_null(strstr(dlo_buf_str(&f.out), "\xe2\x80\xae"));
    app_free(&f);
    assert_int_equal(APP_RUN(&f, &os, "/detect", "/json"), 0);
    assert_non_null(strstr(dlo_buf_str(&f.out), "\"Arctera DLO \\u202erevreS egdE\""));
    assert_null(strstr(dlo_buf_str(&f.out), "\xe2\x80\xae"));
    app_free(&f);
}

/* Names that mention DLO, Desktop and Laptop Option, Arctera or Veritas and that no entry
 * matched are candidates, each with the table line that would match it; the agent itself,
 * SQL Server's services, matched names and "modloader" are not. */
static void test_candidates(void **state)
{
    FAKE_MACHINE(m);
    dlo_detect_result r;
    dlo_buf b;
    (void)state;

    add_service(&m, "DLOAdminSvcu", "DLO Administration Service", DLO_SERVICE_RUNNING);
    add_service(&m, "DLOEdgeSvc2", "Arctera DLO Edge Gateway", DLO_SERVICE_RUNNING);
    add_service(&m, "VxBackupAgent", "Veritas Desktop and Laptop Option Agent",
                DLO_SERVICE_STOPPED);
    add_service(&m, "dloagent", "Arctera DLO Firewall Agent", DLO_SERVICE_RUNNING);
    add_service(&m, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING);
    add_service(&m, "modloader", "Mod loader", DLO_SERVICE_RUNNING);
    add_str(&m, DLO_REG_VIEW_32, UNINSTALL "\\{X}", "DisplayName", "Arctera \"DLO\" Toolkit");
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{E}", "DisplayName", "Arctera DLO Edge Server");
    add_str(&m, DLO_REG_VIEW_64, UNINSTALL "\\{A}", "DisplayName", "Arctera DLO Firewall Agent");
    run_with(&m,
             "dlo-detect 1\n"
             "admin-server confirmed service DLOAdminSvcu\n"
             "edge-server unconfirmed uninstall \"*DLO Edge Server*\"\n",
             NULL, &r);

    assert_int_equal(r.candidates.count, 3);
    assert_int_equal(r.candidates.items[0].kind, DLO_DETECT_SERVICE);
    assert_string_equal(r.candidates.items[0].name, "DLOEdgeSvc2");
    assert_string_equal(r.candidates.items[0].line,
                        "edge-server unconfirmed service \"DLOEdgeSvc2\"");
    assert_string_equal(r.candidates.items[1].line, "client unconfirmed service \"VxBackupAgent\"");
    assert_int_equal(r.candidates.items[2].kind, DLO_DETECT_UNINSTALL);
    assert_string_equal(r.candidates.items[2].name, "HKLM\\" UNINSTALL "\\{X}");
    assert_int_equal(r.candidates.items[2].view, DLO_REG_VIEW_32);
    assert_string_equal(r.candidates.items[2].line,
                        "ROLE unconfirmed uninstall \"Arctera ?DLO? Toolkit\"");

    dlo_buf_init(&b);
    dlo_report_detect_text(&b, &r);
    assert_non_null(strstr(dlo_buf_str(&b),
                           "\nCandidates (their names mention DLO, but no entry of the table "
                           "matched them):\n"
                           "  service DLOEdgeSvc2 (Arctera DLO Edge Gateway)\n"
                           "      table line: edge-server unconfirmed service \"DLOEdgeSvc2\"\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  Uninstall entry HKLM\\" UNINSTALL
                                            "\\{X} (32-bit view): DisplayName Arctera \"DLO\" "
                                            "Toolkit\n"));
    dlo_buf_reset(&b);
    dlo_report_detect_json(&b, &r);
    assert_non_null(strstr(dlo_buf_str(&b),
                           ",\n \"candidates\": [\n  {\"kind\": \"service\", \"name\": "
                           "\"DLOEdgeSvc2\", \"display_name\": \"Arctera DLO Edge Gateway\", "
                           "\"view\": null, \"line\": \"edge-server unconfirmed service "
                           "\\\"DLOEdgeSvc2\\\"\"}"));
    assert_non_null(strstr(dlo_buf_str(&b), "\"kind\": \"uninstall\""));
    dlo_buf_free(&b);
    dlo_detect_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_by_short_name_and_display_name),
        cmocka_unit_test(test_uninstall_in_both_views),
        cmocka_unit_test(test_unreadable_uninstall_entry_is_reported_and_skipped),
        cmocka_unit_test(test_malformed_foreign_display_name_is_a_warning_only),
        cmocka_unit_test(test_many_findings_are_deduplicated),
        cmocka_unit_test(test_file_under_known_folder),
        cmocka_unit_test(test_unreadable_file_and_folder_are_reported),
        cmocka_unit_test(test_file_evidence_a_user_could_plant_is_ignored),
        cmocka_unit_test(test_file_evidence_without_file_security_is_ignored_and_partial),
        cmocka_unit_test(test_regfile_both_views),
        cmocka_unit_test(test_unshared_key_seen_twice_is_one_finding),
        cmocka_unit_test(test_service_list_failure_does_not_stop_detection),
        cmocka_unit_test(test_sql_static_port),
        cmocka_unit_test(test_sql_dynamic_port_and_static_list),
        cmocka_unit_test(test_sql_missing_and_garbage_ports),
        cmocka_unit_test(test_sql_instance_id_missing_or_garbage),
        cmocka_unit_test(test_sql_32bit_instance),
        cmocka_unit_test(test_sql_role_needs_configuration_or_admin_server),
        cmocka_unit_test(test_sql_configured_instance_of_two),
        cmocka_unit_test(test_sql_configured_instance_not_here),
        cmocka_unit_test(test_sql_port_number_of_the_wrong_size),
        cmocka_unit_test(test_text_and_json_reports),
        cmocka_unit_test(test_detect_command),
        cmocka_unit_test(test_detect_command_with_sql_instance),
        cmocka_unit_test(test_detect_command_failures),
        cmocka_unit_test(test_candidates),
        cmocka_unit_test(test_detect_shows_hidden_characters_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
