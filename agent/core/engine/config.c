#include "config_private.h"

#include "dlo/addr.h"
#include "dlo/log.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE(name, sw)                                                                            \
    {                                                                                              \
        name, K_SCOPE, sw, false                                                                   \
    }

/* One row per dlo_config_item; the scopes in dlo_role order. */
static const dlo_config_def items[DLO_CFG_COUNT] = {
    [DLO_CFG_BOI_MODE] = {"BOIMode", K_MODE, "mode", false},
    [DLO_CFG_ROLES] = {"Roles", K_ROLES, "roles", false},
    [DLO_CFG_ADD_ROLES] = {"AddRoles", K_ROLES, "addroles", false},
    [DLO_CFG_EXCLUDE_ROLES] = {"ExcludeRoles", K_ROLES, "excluderoles", false},
    [DLO_CFG_SQL_PORT] = {"SqlPort", K_PORT, "sqlport", false},
    [DLO_CFG_SQL_INSTANCE] = {"SqlInstance", K_INSTANCE, "sqlinstance", false},
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_ADMIN_SERVER] = SCOPE("AdminServers", "adminservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_ADMIN_CONSOLE] = SCOPE("AdminConsoles", "adminconsoles"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_DEDUPE_SERVER] = SCOPE("DedupeServers", "dedupeservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_MAINTENANCE_SERVER] =
        SCOPE("MaintenanceServers", "maintenanceservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_EDGE_SERVER] = SCOPE("EdgeServers", "edgeservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_IO_SERVER] = SCOPE("IoServers", "ioservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_CLIENT] = SCOPE("ClientNetworks", "clientnetworks"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_SQL_SERVER] = SCOPE("SqlServers", "sqlservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_STORAGE] = SCOPE("StorageServers", "storageservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_DEDUPE_STORAGE] =
        SCOPE("DedupeStorageServers", "dedupestorageservers"),
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_WEB_RESTORE] =
        SCOPE("WebRestoreMachines", "webrestoremachines"),
    [DLO_CFG_CORPORATE_PROFILES] = {"CorporateProfiles", K_PROFILES, "corporateprofiles", false},
    [DLO_CFG_INTERNET_PROFILES] = {"InternetProfiles", K_PROFILES, "internetprofiles", false},
    [DLO_CFG_BIND_TO_SERVICES] = {"BindToServices", K_BOOL, "bindtoservices", false},
    [DLO_CFG_PUSH_INSTALL_PORTS] = {"PushInstallPorts", K_PUSH, "pushinstallports", false},
    [DLO_CFG_CLOSE_PUSH_PORTS] = {"ClosePushPortsWhenInstalled", K_BOOL,
                                  "closepushportswheninstalled", false},
    [DLO_CFG_INTERVAL] = {"ReconcileIntervalMinutes", K_MINUTES, NULL, false},
    [DLO_CFG_POLICY_FILE] = {"PolicyFile", K_PATH, "policy", false},
    [DLO_CFG_DETECTION_FILE] = {"DetectionFile", K_PATH, "detection", false},
    [DLO_CFG_TEST_INTERVAL] = {"TestReconcileIntervalSeconds", K_SECONDS, NULL, true},
};

const char *dlo_config_item_name(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT ? items[item].name : "?";
}

const char *dlo_config_item_switch(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT ? items[item].sw : NULL;
}

bool dlo_config_item_in_policy(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT && !items[item].installer_only;
}

bool dlo_config_item_is_flag(dlo_config_item item)
{
    return (unsigned)item < DLO_CFG_COUNT && items[item].kind == K_BOOL;
}

unsigned dlo_config_item_types(dlo_config_item item)
{
    unsigned mask = 0;
    unsigned long type;

    if ((unsigned)item >= DLO_CFG_COUNT)
        return 0;
    for (type = 0; type < 32; type++)
        if (dlo_config_type_allowed(items[item].kind, type))
            mask |= DLO_REG_TYPE_BIT(type);
    return mask;
}

const char *dlo_config_source_name(dlo_config_source src)
{
    switch (src) {
    case DLO_SOURCE_DEFAULT:
        return "default";
    case DLO_SOURCE_INSTALLER:
        return "installer";
    case DLO_SOURCE_POLICY:
        return "policy";
    case DLO_SOURCE_COMMAND_LINE:
        return "command line";
    }
    return "?";
}

dlo_status dlo_config_init(dlo_config *cfg)
{
    int r;

    memset(cfg, 0, sizeof(*cfg));
    cfg->mode = DLO_MODE_NONBOI;
    cfg->bind_to_services = true;
    cfg->interval_minutes = DLO_CONFIG_DEFAULT_INTERVAL_MINUTES;
    cfg->interval_seconds = DLO_CONFIG_DEFAULT_INTERVAL_MINUTES * 60u;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        cfg->scopes[r] = dlo_strdup("*");
        if (!cfg->scopes[r]) {
            dlo_config_free(cfg);
            return DLO_E_NOMEM;
        }
    }
    return DLO_OK;
}

void dlo_config_free(dlo_config *cfg)
{
    int r;
    free(cfg->sql_instance);
    cfg->sql_instance = NULL;
    free(cfg->policy_file);
    cfg->policy_file = NULL;
    free(cfg->detection_file);
    cfg->detection_file = NULL;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        free(cfg->scopes[r]);
        cfg->scopes[r] = NULL;
    }
}

dlo_status dlo_config_copy(dlo_config *dst, const dlo_config *src)
{
    int r;

    *dst = *src;
    dst->sql_instance = dst->policy_file = dst->detection_file = NULL;
    for (r = 0; r < DLO_ROLE_COUNT; r++)
        dst->scopes[r] = NULL;
    if ((src->sql_instance && !(dst->sql_instance = dlo_strdup(src->sql_instance))) ||
        (src->policy_file && !(dst->policy_file = dlo_strdup(src->policy_file))) ||
        (src->detection_file && !(dst->detection_file = dlo_strdup(src->detection_file)))) {
        dlo_config_free(dst);
        return DLO_E_NOMEM;
    }
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        dst->scopes[r] = dlo_strdup(src->scopes[r] ? src->scopes[r] : "*");
        if (!dst->scopes[r]) {
            dlo_config_free(dst);
            return DLO_E_NOMEM;
        }
    }
    return DLO_OK;
}

/* Reads one registry candidate. Fails only if the read failed for another reason than the
 * value's absence. */
static dlo_status read_candidate(const dlo_registry *reg, const char *key,
                                 const dlo_config_def *def, dlo_config_candidate *c, dlo_error *err)
{
    dlo_status st;
    const char *p;
    size_t i;

    c->key = key;
    st = dlo_registry_read(reg, DLO_REG_VIEW_64, key, def->name, &c->reg, err);
    if (st == DLO_E_NOTFOUND)
        return DLO_OK;
    if (st)
        return st;
    if (c->reg.oversize) {
        c->present = true;
    } else if (c->reg.type == DLO_REG_SZ || c->reg.type == DLO_REG_EXPAND_SZ) {
        c->present = c->reg.text && !dlo_is_blank_str(c->reg.text);
    } else if (c->reg.type == DLO_REG_MULTI_SZ) {
        for (i = 0, p = c->reg.text; i < c->reg.count && p; i++, p += strlen(p) + 1)
            if (!dlo_is_blank_str(p))
                c->present = true;
    } else {
        c->present = true;
    }
    return DLO_OK;
}

/* Collects the failures of a load: the first in full, the names of the others. */
typedef struct problems {
    dlo_status first;
    dlo_error *err;
    dlo_buf others;
} problems;

static void note_problem(problems *pr, dlo_status st, const dlo_error *e, const char *name)
{
    if (!pr->first) {
        pr->first = st;
        if (pr->err)
            *pr->err = *e;
        return;
    }
    dlo_buf_puts(&pr->others, pr->others.len ? ", " : "");
    dlo_buf_puts(&pr->others, name);
}

static dlo_status apply(dlo_config *cfg, dlo_config_item item, const dlo_config_parsed *p,
                        dlo_config_source src)
{
    const dlo_config_def *def = &items[item];
    char *s;

    cfg->source[item] = src;
    switch (def->kind) {
    case K_MODE:
        cfg->mode = p->mode;
        break;
    case K_ROLES:
        if (item == DLO_CFG_ROLES) {
            cfg->roles_set = true;
            cfg->roles = p->roles;
        } else if (item == DLO_CFG_ADD_ROLES) {
            cfg->add_roles = p->roles;
        } else {
            cfg->exclude_roles = p->roles;
        }
        break;
    case K_PORT:
        cfg->sql_port = p->number;
        break;
    case K_INSTANCE:
        s = dlo_strdup(p->instance);
        if (!s)
            return DLO_E_NOMEM;
        free(cfg->sql_instance);
        cfg->sql_instance = s;
        break;
    case K_SCOPE:
        s = dlo_strdup(dlo_buf_str(&p->addrs));
        if (!s)
            return DLO_E_NOMEM;
        free(cfg->scopes[item - DLO_CFG_SCOPE_FIRST]);
        cfg->scopes[item - DLO_CFG_SCOPE_FIRST] = s;
        break;
    case K_MINUTES:
        cfg->interval_minutes = p->number;
        break;
    case K_SECONDS:
        cfg->test_interval_seconds = p->number;
        break;
    case K_PROFILES:
        if (item == DLO_CFG_CORPORATE_PROFILES)
            cfg->corporate_profiles = p->number;
        else
            cfg->internet_profiles = p->number;
        break;
    case K_BOOL:
        if (item == DLO_CFG_BIND_TO_SERVICES)
            cfg->bind_to_services = p->number != 0;
        else
            cfg->close_push_ports = p->number != 0;
        break;
    case K_PUSH:
        cfg->push_install_ports = (dlo_push_ports)p->number;
        break;
    case K_PATH: {
        char **slot = item == DLO_CFG_POLICY_FILE ? &cfg->policy_file : &cfg->detection_file;
        s = dlo_strndup(p->path, p->path_len);
        if (!s)
            return DLO_E_NOMEM;
        free(*slot);
        *slot = s;
        break;
    }
    }
    return DLO_OK;
}

/* Takes the first present candidate of c[0..n) (in order of precedence) into cfg, or notes why
 * it is invalid; an invalid candidate it shadows is only logged. */
static void settle_item(dlo_config *cfg, dlo_config_item item, const dlo_config_candidate *c,
                        size_t n, problems *pr)
{
    const dlo_config_def *def = &items[item];
    int effective = -1;
    size_t i;
    dlo_error e;

    for (i = 0; i < n; i++) {
        dlo_config_parsed p;
        dlo_status st;

        if (!c[i].present)
            continue;
        memset(&p, 0, sizeof(p));
        dlo_buf_init(&p.addrs);
        dlo_error_clear(&e);
        st = dlo_config_parse_candidate(&c[i], def, &p, &e);
        if (effective < 0) {
            effective = (int)i;
            if (!st)
                st = apply(cfg, item, &p, c[i].source);
            if (st)
                note_problem(pr, st, &e, def->name);
        } else if (st == DLO_E_CONFIG) {
            dlo_log_event(DLO_EV_CONFIG_WARNING, DLO_LOG_WARN,
                          "%s (not in effect: the %s value of %s wins)", e.msg,
                          dlo_config_source_name(c[effective].source), def->name);
        }
        dlo_buf_free(&p.addrs);
    }
}

static void load_item(dlo_config *cfg, const dlo_registry *reg,
                      const dlo_config_overrides *overrides, dlo_config_item item, problems *pr)
{
    const dlo_config_def *def = &items[item];
    dlo_config_candidate c[3];
    size_t n = 0, i;
    dlo_error e;

    memset(c, 0, sizeof(c));
    for (i = 0; i < 3; i++) {
        dlo_reg_value_init(&c[i].reg);
        c[i].os_build = overrides ? overrides->os_build : DLO_OS_BUILD_UNKNOWN;
    }
    if (def->sw && overrides && overrides->values[item]) {
        c[n].source = DLO_SOURCE_COMMAND_LINE;
        c[n].cli = overrides->values[item];
        c[n].present = true;
        n++;
    }
    for (i = 0; i < 2; i++) {
        dlo_status st;
        if (i == 0 && def->installer_only)
            continue;
        c[n].source = i == 0 ? DLO_SOURCE_POLICY : DLO_SOURCE_INSTALLER;
        dlo_error_clear(&e);
        st = read_candidate(reg, i == 0 ? DLO_CONFIG_KEY_POLICY : DLO_CONFIG_KEY_INSTALLER, def,
                            &c[n], &e);
        if (st) {
            if (!e.msg[0])
                dlo_error_set(&e, st, "HKLM\\%s value %s cannot be read: %s", c[n].key, def->name,
                              dlo_status_name(st));
            note_problem(pr, st, &e, def->name);
            goto cleanup;
        }
        n++;
    }

    settle_item(cfg, item, c, n, pr);
cleanup:
    for (i = 0; i < 3; i++)
        dlo_reg_value_free(&c[i].reg);
}

dlo_status dlo_config_load(dlo_config *cfg, const dlo_registry *reg,
                           const dlo_config_overrides *overrides, dlo_error *err)
{
    problems pr;
    dlo_status st;
    int item;

    st = dlo_config_init(cfg);
    if (st)
        return dlo_error_set(err, st, "out of memory");
    memset(&pr, 0, sizeof(pr));
    pr.err = err;
    dlo_buf_init(&pr.others);
    for (item = 0; item < DLO_CFG_COUNT; item++)
        load_item(cfg, reg, overrides, (dlo_config_item)item, &pr);

    if (!pr.first && cfg->add_roles & cfg->exclude_roles) {
        dlo_buf b;
        dlo_buf_init(&b);
        dlo_roles_format(&b, cfg->add_roles & cfg->exclude_roles);
        pr.first = dlo_error_set(err, DLO_E_CONFIG,
                                 "AddRoles (%s) and ExcludeRoles (%s) both name %s; expected "
                                 "each role in at most one of them",
                                 dlo_config_source_name(cfg->source[DLO_CFG_ADD_ROLES]),
                                 dlo_config_source_name(cfg->source[DLO_CFG_EXCLUDE_ROLES]),
                                 dlo_buf_str(&b));
        dlo_buf_free(&b);
    }
    if (pr.first && pr.others.len && err) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof(err->msg) - used, " (also invalid: %s)",
                 dlo_buf_str(&pr.others));
    }
    dlo_buf_free(&pr.others);
    cfg->interval_seconds =
        cfg->test_interval_seconds ? cfg->test_interval_seconds : cfg->interval_minutes * 60u;
    if (pr.first) {
        dlo_config_free(cfg);
        if (dlo_config_init(cfg))
            memset(cfg, 0, sizeof(*cfg));
        if (err)
            err->status = pr.first;
        return pr.first;
    }
    return DLO_OK;
}

dlo_role_set dlo_config_roles(const dlo_config *cfg, dlo_role_set detected)
{
    dlo_role_set set = cfg->roles_set ? cfg->roles : detected;
    return (set | cfg->add_roles) & ~cfg->exclude_roles & DLO_ROLE_ALL_MASK;
}

/* Two optional strings: both absent, or the same text. */
static bool same_text(const char *a, const char *b)
{
    return !a == !b && (!a || strcmp(a, b) == 0);
}

bool dlo_config_equal(const dlo_config *a, const dlo_config *b)
{
    int r;

    if (a->mode != b->mode || a->roles_set != b->roles_set ||
        (a->roles_set && a->roles != b->roles) || a->add_roles != b->add_roles ||
        a->exclude_roles != b->exclude_roles || a->sql_port != b->sql_port ||
        a->interval_seconds != b->interval_seconds ||
        a->corporate_profiles != b->corporate_profiles ||
        a->internet_profiles != b->internet_profiles ||
        a->bind_to_services != b->bind_to_services ||
        a->push_install_ports != b->push_install_ports ||
        a->close_push_ports != b->close_push_ports)
        return false;
    if (!same_text(a->sql_instance, b->sql_instance) ||
        !same_text(a->policy_file, b->policy_file) ||
        !same_text(a->detection_file, b->detection_file))
        return false;
    for (r = 0; r < DLO_ROLE_COUNT; r++)
        if (strcmp(a->scopes[r] ? a->scopes[r] : "*", b->scopes[r] ? b->scopes[r] : "*") != 0)
            return false;
    return true;
}
