/* PolicyFile and DetectionFile: the configuration chooses the port matrix and the detection
 * table for the commands and the service, the switches override them for one run, and a file
 * from a key is believed only if nobody but SYSTEM, Administrators and TrustedInstaller can
 * change it (a fake dlo_fs_security); anything else is a configuration error and the firewall
 * is left as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/app.h"
#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/detect.h"
#include "dlo/report.h"
#include "dlo/service.h"
#include "dlo/target.h"
#include "fake_registry.h"
#include "fwmem.h"
#include "log_capture.h"
#include "testutil.h"

#define INST  DLO_CONFIG_KEY_INSTALLER
#define POL   DLO_CONFIG_KEY_POLICY
#define USERS "S-1-5-32-545"

#define DIR   "C:\\ProgramData\\Arctera"
#define PORTS DIR "\\site.ports"
#define OPEN  DIR "\\open.ports"
#define BAD   DIR "\\bad.ports"
#define TABLE DIR "\\site.detect"

typedef struct world {
    fake_registry reg;
    fwmem fw;
    int opens;      /* times the firewall was opened */
    dlo_buf matrix; /* the shipped matrix; the replacement is the same with 9443 for 8443 */
    dlo_buf custom;
    dlo_buf out, err;
} world;

static world w;

static dlo_status fs_read(void *ctx, const char *path, dlo_fs_object *o, dlo_error *err)
{
    (void)ctx;
    memset(o, 0, sizeof(*o));
    strcpy(o->owner, DLO_SID_SYSTEM);
    o->has_dacl = true;
    o->n_aces = 1;
    strcpy(o->aces[0].sid, DLO_SID_ADMINISTRATORS);
    o->aces[0].allow = true;
    o->aces[0].mask = 0x1f01ff;
    o->directory = strchr(path, '.') == NULL;
    o->links = o->directory ? 0 : 1;
    if (strcmp(path, OPEN) == 0) {
        /* What a user could leave behind: Users may write it. */
        o->n_aces = 2;
        strcpy(o->aces[1].sid, USERS);
        o->aces[1].allow = true;
        o->aces[1].mask = DLO_ACCESS_WRITE_DATA;
    }
    if (strncmp(path, "C:\\", 3) != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "%s: not found", path);
    return DLO_OK;
}

static const dlo_fs_security fs = {NULL, fs_read};

static dlo_status read_file(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    /* Each file is read against the cap of what it is, before a byte of it. */
    assert_int_equal(max, strcmp(path, TABLE) == 0 ? DLO_DETECT_MAX_BYTES : DLO_POLICY_MAX_BYTES);
    if (strcmp(path, PORTS) == 0 || strcmp(path, OPEN) == 0 || strcmp(path, "here.ports") == 0)
        dlo_buf_append(out, w.custom.data, w.custom.len);
    else if (strcmp(path, BAD) == 0)
        dlo_buf_puts(out, "dloagent-policy 1\nrelease X\nrow a\n  table desk\n");
    else if (strcmp(path, TABLE) == 0)
        dlo_buf_puts(out, "not a detection table\n");
    else
        return dlo_error_set(err, DLO_E_NOTFOUND, "cannot open %s: not found", path);
    return DLO_OK;
}

static dlo_status embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    dlo_buf_append(out, w.matrix.data, w.matrix.len);
    return DLO_OK;
}

static dlo_status open_fw(void *ctx, dlo_fw_backend *out, dlo_error *err)
{
    (void)ctx;
    (void)err;
    w.opens++;
    *out = fwmem_backend(&w.fw);
    return DLO_OK;
}

static void close_fw(void *ctx, dlo_fw_backend *fw)
{
    (void)ctx;
    memset(fw, 0, sizeof(*fw));
}

static void put_out(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    dlo_buf_append(&w.out, s, n);
}

static void put_err(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    dlo_buf_append(&w.err, s, n);
}

static bool elevated(void *ctx)
{
    (void)ctx;
    return true;
}

/* Detection never reaches the machine here: the table is refused first. */
static const dlo_detect_os no_os;

static dlo_platform platform(void)
{
    dlo_platform p = {.write_out = put_out,
                      .write_err = put_err,
                      .load_embedded = embedded,
                      .read_file = read_file,
                      .open_firewall = open_fw,
                      .close_firewall = close_fw,
                      .is_elevated = elevated,
                      .detect_os = &no_os,
                      .registry = &w.reg.reg,
                      .fs_security = &fs};
    return p;
}

static int setup(void **state)
{
    const char *p, *at;
    log_capture_start(state);
    memset(&w, 0, sizeof(w));
    fake_reg_init(&w.reg);
    fwmem_init(&w.fw);
    test_read_source_file("policies/dlo-10.0.ports", &w.matrix);
    /* Every 8443 becomes 9443, as tests/wine/test-plan.sh makes its replacement. */
    for (p = dlo_buf_str(&w.matrix); (at = strstr(p, "\n  ports      8443\n")) != NULL;
         p = at + strlen("\n  ports      8443\n")) {
        dlo_buf_append(&w.custom, p, (size_t)(at - p));
        dlo_buf_puts(&w.custom, "\n  ports      9443\n");
    }
    dlo_buf_puts(&w.custom, p);
    log_capture_reset();
    return 0;
}

static int teardown(void **state)
{
    fake_reg_free(&w.reg);
    fwmem_free(&w.fw);
    dlo_buf_free(&w.matrix);
    dlo_buf_free(&w.custom);
    dlo_buf_free(&w.out);
    dlo_buf_free(&w.err);
    return log_capture_stop(state);
}

static int run(char **argv)
{
    dlo_platform plat = platform();
    int argc = 0, rc;
    dlo_buf_reset(&w.out);
    dlo_buf_reset(&w.err);
    while (argv[argc])
        argc++;
    rc = dlo_app_run(&plat, argc, argv);
    return rc;
}

#define RUN(...) run((char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static void expect_in(const dlo_buf *b, const char *needle)
{
    if (!strstr(dlo_buf_str(b), needle))
        fail_msg("'%s' lacks '%s'", dlo_buf_str(b), needle);
}

static void test_trusted_policy_file_from_a_key_is_used(void **state)
{
    (void)state;
    assert_int_equal(RUN("/plan", "/json", "/roles:dedupe-server", "/mode:nonboi"), 0);
    expect_in(&w.out, "\"local_ports\": \"8443\"");
    fake_reg_sz(&w.reg, POL, "PolicyFile", PORTS);
    assert_int_equal(RUN("/plan", "/json", "/roles:dedupe-server", "/mode:nonboi"), 0);
    expect_in(&w.out, "\"local_ports\": \"9443\"");
    assert_int_equal(RUN("/matrix"), 0);
    expect_in(&w.out, "9443");
    assert_int_equal(RUN("/config"), 0);
    expect_in(&w.out, "PolicyFile                    policy        " PORTS "\n");
    expect_in(&w.out, "DetectionFile                 default       (built-in)\n");
    assert_int_equal(RUN("/config", "/json"), 0);
    expect_in(&w.out, "\"PolicyFile\": {\"value\": \"C:\\\\ProgramData\\\\Arctera\\\\site.ports\", "
                      "\"source\": \"policy\"}");
    expect_in(&w.out, "\"DetectionFile\": {\"value\": null, \"source\": \"default\"}");
}

static void test_user_writable_policy_file_is_a_configuration_error(void **state)
{
    (void)state;
    fake_reg_sz(&w.reg, INST, "PolicyFile", OPEN);
    assert_int_equal(RUN("/plan", "/roles:dedupe-server", "/mode:nonboi"), 2);
    expect_in(&w.err, "PolicyFile " OPEN " in the installer key is not used: the file " OPEN);
    expect_in(&w.err, USERS);
    assert_int_equal(w.out.len, 0);
    assert_int_equal(RUN("/matrix"), 2);
    /* /apply refuses before it opens the firewall. */
    assert_int_equal(RUN("/apply", "/roles:dedupe-server", "/mode:nonboi"), 2);
    assert_int_equal(w.opens, 0);
}

static void test_unparsable_configured_files_are_configuration_errors(void **state)
{
    (void)state;
    fake_reg_sz(&w.reg, INST, "PolicyFile", BAD);
    assert_int_equal(RUN("/plan", "/roles:client", "/mode:nonboi"), 2);
    expect_in(&w.err, "PolicyFile (set in the installer key): ");
    expect_in(&w.err, "bad.ports:4: table must be server or client");
    fake_reg_sz(&w.reg, INST, "PolicyFile", DIR "\\gone.ports");
    assert_int_equal(RUN("/plan", "/roles:client", "/mode:nonboi"), 2);
    expect_in(&w.err, "PolicyFile (set in the installer key): cannot open " DIR "\\gone.ports");
    fake_reg_sz(&w.reg, INST, "DetectionFile", TABLE);
    assert_int_equal(RUN("/detect"), 2);
    expect_in(&w.err, "DetectionFile (set in the installer key): ");
}

/* The switch names the file for one run, checked by nobody but its caller (dlo/target.h). */
static void test_switch_overrides_the_key(void **state)
{
    (void)state;
    fake_reg_sz(&w.reg, INST, "PolicyFile", OPEN);
    assert_int_equal(
        RUN("/plan", "/json", "/roles:dedupe-server", "/mode:nonboi", "/policy:here.ports"), 0);
    expect_in(&w.out, "\"local_ports\": \"9443\"");
    assert_int_equal(RUN("/plan", "/roles:client", "/mode:nonboi", "/policy:missing.ports"), 2);
    expect_in(&w.err, "/policy: cannot open missing.ports");
}

static dlo_status agent_pass(void *ctx, const dlo_config *cfg, dlo_service_loop *mem, unsigned why,
                             dlo_error *err)
{
    dlo_platform plat = platform();
    (void)ctx;
    return dlo_agent_reconcile(&plat, cfg, mem, why, err);
}

/* The service: event 1200 naming the file and the account, and the rules as they were. */
static void test_service_keeps_the_rules_for_an_untrusted_file(void **state)
{
    dlo_service_ops ops;
    dlo_service_loop loop;
    unsigned interval;
    size_t rules;
    (void)state;

    memset(&ops, 0, sizeof(ops));
    ops.reconcile = agent_pass;
    ops.summarize = dlo_report_config_summary;
    dlo_service_loop_init(&loop);
    fake_reg_sz(&w.reg, INST, "Roles", "dedupe-server");
    assert_int_equal(dlo_service_pass(&loop, &ops, &w.reg.reg, NULL, DLO_WAKE_START, &interval),
                     DLO_OK);
    rules = w.fw.rules.count;
    assert_true(rules > 0);
    assert_int_equal(w.opens, 1);

    fwmem_reset_counters(&w.fw);
    fake_reg_sz(&w.reg, INST, "PolicyFile", OPEN);
    log_capture_reset();
    assert_int_equal(dlo_service_pass(&loop, &ops, &w.reg.reg, NULL, DLO_WAKE_CONFIG, &interval),
                     DLO_E_CONFIG);
    assert_true(log_has("1200 2 configuration invalid, firewall rules left as they are: "
                        "PolicyFile " OPEN " in the installer key is not used"));
    assert_true(log_has(USERS));
    assert_int_equal(w.opens, 1);
    assert_int_equal(w.fw.rules.count, rules);
    assert_int_equal(w.fw.writes, 0);
    dlo_service_loop_free(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trusted_policy_file_from_a_key_is_used, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_user_writable_policy_file_is_a_configuration_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unparsable_configured_files_are_configuration_errors,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch_overrides_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_keeps_the_rules_for_an_untrusted_file, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
