/* The SQL Server part of detection: the local instances and SQL Server Browser, which of them
 * is DLO's database (the sql-server role), and its TCP port from the registry. */
#include "detect_private.h"
#include "dlo/portset.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

#define SQL_KEY          "SOFTWARE\\Microsoft\\Microsoft SQL Server"
#define SQL_NAMES_KEY    SQL_KEY "\\Instance Names\\SQL"
#define SQL_IPALL_SUBKEY "MSSQLServer\\SuperSocketNetLib\\Tcp\\IPAll"
#define SQL_BROWSER      "SQLBrowser"
#define SQL_DEFAULT_NAME "MSSQLSERVER"

/* Parses "1433" or "1433, 1500" into canonical form; false if any item is not a port (SQL
 * Server's IPAll values hold ports, never ranges). */
static bool parse_ports(const char *s, dlo_buf *out)
{
    dlo_portset set;
    size_t i;
    bool ok;
    if (dlo_portset_parse(s, DLO_PORTS_BLANKS, &set, NULL))
        return false;
    ok = true;
    for (i = 0; i < set.n_items; i++)
        ok = ok && set.items[i].lo == set.items[i].hi;
    if (ok)
        dlo_portset_format(out, &set);
    dlo_portset_free(&set);
    return ok;
}

static void set_port(dlo_detector *d, dlo_sql_port_source src, const char *ports,
                     const char *origin)
{
    dlo_detect_sql *sql = &d->r->sql;
    free(sql->tcp_ports);
    free(sql->port_origin);
    sql->tcp_ports = dlo_detect_dup(d, ports);
    sql->port_origin = dlo_detect_dup(d, origin);
    sql->port_source = src;
}

typedef enum port_read { PORT_OK, PORT_ABSENT, PORT_ZERO, PORT_BAD } port_read;

/* Reads one IPAll value: a port list as a string, or a REG_DWORD. */
static port_read read_port_value(dlo_detector *d, dlo_reg_view view, const char *key,
                                 const char *value, dlo_buf *ports)
{
    dlo_reg_value val;
    dlo_error err;
    dlo_status st;
    port_read res = PORT_BAD;

    dlo_error_clear(&err);
    st = dlo_detect_read_value(d, view, key, value, &val, &err);
    if (st == DLO_E_NOTFOUND) {
        res = PORT_ABSENT;
    } else if (st) {
        dlo_detect_warn(d, false, "cannot read HKLM\\%s value %s (%s): %s", key, value,
                        dlo_reg_view_name(view), err.msg);
    } else if (val.type == DLO_REG_DWORD) {
        if (val.number >= 1 && val.number <= 65535) {
            dlo_buf_printf(ports, "%lu", (unsigned long)val.number);
            res = PORT_OK;
        } else if (val.number == 0) {
            res = PORT_ZERO;
        } else {
            dlo_detect_warn(d, false,
                            "HKLM\\%s value %s (%s) is %lu; expected a TCP port (1-65535)", key,
                            value, dlo_reg_view_name(view), (unsigned long)val.number);
        }
    } else {
        const char *s = val.text;
        size_t n = strspn(s, " ");
        if (s[n] == '\0')
            res = PORT_ABSENT; /* SQL Server leaves the unused one of the two empty */
        else if (strcmp(s + n, "0") == 0)
            res = PORT_ZERO;
        else if (parse_ports(s, ports))
            res = PORT_OK;
        else
            dlo_detect_warn(
                d, false,
                "HKLM\\%s value %s (%s) is '%.100s'; expected a TCP port (1-65535) or a "
                "comma-separated list of them",
                key, value, dlo_reg_view_name(view), s);
    }
    dlo_detect_keep(d, dlo_buf_status(ports));
    dlo_reg_value_free(&val);
    return res;
}

/* The instance's id ("MSSQL16.NAME", the key of its settings) from Instance Names\SQL, into
 * sql.instance_id, and the view it was found in. False, with a warning saying why and that the
 * standard port is used, when there is none or it is not a key name. */
static bool sql_instance_id(dlo_detector *d, const char *instance, dlo_reg_view *view)
{
    dlo_reg_value id;
    dlo_error err;
    dlo_status st = DLO_E_NOTFOUND;
    bool ok = false;
    size_t v;

    /* A 32-bit SQL Server on 64-bit Windows registers under WOW6432Node. */
    for (v = 0; v < 2 && st == DLO_E_NOTFOUND; v++) {
        *view = dlo_detect_views[v];
        dlo_error_clear(&err);
        st = dlo_detect_read_value(d, *view, SQL_NAMES_KEY, instance, &id, &err);
    }
    if (st == DLO_E_NOTFOUND) {
        dlo_detect_warn(d, false,
                        "HKLM\\%s has no value %s in either view; expected the instance id "
                        "(e.g. MSSQL16.%s): using TCP port %s",
                        SQL_NAMES_KEY, instance, instance, DLO_SQL_DEFAULT_PORT);
        return false;
    }
    if (st) {
        dlo_detect_warn(d, true, "cannot read HKLM\\%s value %s (%s): %s; using TCP port %s",
                        SQL_NAMES_KEY, instance, dlo_reg_view_name(*view), err.msg,
                        DLO_SQL_DEFAULT_PORT);
        return false;
    }
    if (!dlo_detect_is_text(&id) || !id.text[0] || strchr(id.text, '\\')) {
        dlo_detect_warn(d, false,
                        "HKLM\\%s value %s (%s) is not an instance id; expected a key name such "
                        "as MSSQL16.%s: using TCP port %s",
                        SQL_NAMES_KEY, instance, dlo_reg_view_name(*view), instance,
                        DLO_SQL_DEFAULT_PORT);
    } else {
        free(d->r->sql.instance_id);
        d->r->sql.instance_id = dlo_detect_dup(d, id.text);
        ok = d->r->sql.instance_id != NULL;
    }
    dlo_reg_value_free(&id);
    return ok;
}

/* One IPAll value (TcpPort or TcpDynamicPorts); when it holds a port, that is the result. */
static port_read ipall_port(dlo_detector *d, dlo_reg_view view, const char *key, const char *value,
                            dlo_sql_port_source src)
{
    dlo_buf ports, origin;
    port_read got;

    dlo_buf_init(&ports);
    dlo_buf_init(&origin);
    got = read_port_value(d, view, key, value, &ports);
    if (got == PORT_OK) {
        dlo_buf_printf(&origin, "HKLM\\%s\\%s (%s)", key, value, dlo_reg_view_name(view));
        dlo_detect_keep(d, dlo_buf_status(&origin));
        set_port(d, src, dlo_buf_str(&ports), dlo_buf_str(&origin));
    }
    dlo_buf_free(&origin);
    dlo_buf_free(&ports);
    return got;
}

/* The instance's TCP port: IPAll's static TcpPort, else its TcpDynamicPorts, else 1433. */
static void sql_port(dlo_detector *d, const char *instance)
{
    dlo_reg_view view = DLO_REG_VIEW_64;
    dlo_buf key, origin;
    port_read got, static_got;

    set_port(d, DLO_SQL_PORT_DEFAULT, DLO_SQL_DEFAULT_PORT,
             "SQL Server's standard port: the instance id could not be read");
    if (!sql_instance_id(d, instance, &view))
        return;
    dlo_buf_init(&key);
    dlo_buf_init(&origin);
    dlo_buf_printf(&key, "%s\\%s\\%s", SQL_KEY, d->r->sql.instance_id, SQL_IPALL_SUBKEY);
    dlo_detect_keep(d, dlo_buf_status(&key));

    static_got = ipall_port(d, view, dlo_buf_str(&key), "TcpPort", DLO_SQL_PORT_STATIC);
    if (static_got == PORT_OK)
        goto cleanup;
    if (static_got == PORT_ZERO)
        dlo_detect_warn(d, false, "HKLM\\%s value TcpPort (%s) is 0; expected a TCP port (1-65535)",
                        dlo_buf_str(&key), dlo_reg_view_name(view));
    got = ipall_port(d, view, dlo_buf_str(&key), "TcpDynamicPorts", DLO_SQL_PORT_DYNAMIC);
    if (got == PORT_OK)
        goto cleanup;
    if (got == PORT_ZERO)
        dlo_detect_warn(d, false,
                        "HKLM\\%s value TcpDynamicPorts (%s) is 0: the dynamic port is assigned "
                        "when the instance starts; using TCP port %s",
                        dlo_buf_str(&key), dlo_reg_view_name(view), DLO_SQL_DEFAULT_PORT);
    else if (got == PORT_ABSENT && static_got == PORT_ABSENT)
        dlo_detect_warn(d, false,
                        "HKLM\\%s (%s) has neither TcpPort nor TcpDynamicPorts; expected one of "
                        "them to hold the TCP port: using TCP port %s",
                        dlo_buf_str(&key), dlo_reg_view_name(view), DLO_SQL_DEFAULT_PORT);
    /* A bad value was reported where it was read; the origin says what replaced it. */
    dlo_buf_printf(
        &origin,
        "SQL Server's standard port: no usable TcpPort or TcpDynamicPorts under HKLM\\%s (%s)",
        dlo_buf_str(&key), dlo_reg_view_name(view));
    dlo_detect_keep(d, dlo_buf_status(&origin));
    set_port(d, DLO_SQL_PORT_DEFAULT, DLO_SQL_DEFAULT_PORT, dlo_buf_str(&origin));
cleanup:
    dlo_buf_free(&origin);
    dlo_buf_free(&key);
}

/* The instance name in the forms an administrator may write it: NAME, HOST\NAME, MSSQL$NAME. */
static const char *instance_name(const char *configured)
{
    const char *slash = strrchr(configured, '\\');
    const char *name = slash ? slash + 1 : configured;
    return dlo_str_prefix_ci(name, "MSSQL$") ? name + 6 : name;
}

/* The instance a service is, "MSSQLSERVER" or the NAME of MSSQL$NAME; NULL for any other. */
static const char *instance_of(const dlo_service *s)
{
    if (dlo_str_equal_ci(s->name, SQL_DEFAULT_NAME))
        return SQL_DEFAULT_NAME;
    if (dlo_str_prefix_ci(s->name, "MSSQL$") && s->name[6])
        return s->name + 6;
    return NULL;
}

/* Lists the local instances and SQL Server Browser, and picks DLO's: the configured one, or
 * with none configured the only one beside the Administration Server. Never guesses: a
 * configured name that is not here, or several instances and none configured, is a warning
 * and no instance. */
static const dlo_service *choose_instance(dlo_detector *d, const char *configured,
                                          const char **reason)
{
    dlo_detect_sql *sql = &d->r->sql;
    const dlo_service *chosen = NULL, *only = NULL;
    size_t i, n_instances = 0;

    dlo_detect_read_services(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        const char *name = instance_of(s);
        if (dlo_str_equal_ci(s->name, SQL_BROWSER)) {
            sql->browser = true;
            sql->browser_state = s->state;
        }
        if (!name)
            continue;
        dlo_detect_keep(d, dlo_strlist_add(&sql->instances, name));
        if (n_instances++ == 0)
            only = s;
        if (configured[0] && dlo_str_equal_ci(name, instance_name(configured))) {
            chosen = s;
            *reason = "named by the configuration";
        }
    }

    if (configured[0]) {
        if (!chosen)
            dlo_detect_warn(
                d, false,
                "the configured SQL Server instance '%s' has no service here (looked for "
                "%s or MSSQL$%s): sql-server not detected, and no other instance is taken in "
                "its place; the SQL rule uses SqlPort if set, else TCP port %s",
                configured, SQL_DEFAULT_NAME, instance_name(configured), DLO_SQL_DEFAULT_PORT);
        return chosen;
    }
    if (!(d->r->roles & DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER)))
        return NULL;
    if (n_instances > 1)
        dlo_detect_warn(d, false,
                        "%lu SQL Server instances on the DLO Administration Server and none is "
                        "configured as DLO's: sql-server not detected; name DLO's instance in "
                        "the configuration (SqlInstance)",
                        (unsigned long)n_instances);
    if (n_instances != 1)
        return NULL;
    *reason = "the only instance on the DLO Administration Server";
    return only;
}

void dlo_detect_sql_server(dlo_detector *d, const dlo_detect_params *params)
{
    dlo_detect_sql *sql = &d->r->sql;
    const char *configured = params && params->sql_instance ? params->sql_instance : "";
    const char *reason = NULL;
    const dlo_service *chosen;
    dlo_detect_entry builtin;

    memset(&builtin, 0, sizeof(builtin));
    builtin.role = DLO_ROLE_SQL_SERVER;
    builtin.kind = DLO_DETECT_SQL_INSTANCE;
    builtin.confirmed = true; /* Microsoft documents the service names */
    d->r->looked_for |= DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER);
    set_port(d, DLO_SQL_PORT_DEFAULT, DLO_SQL_DEFAULT_PORT,
             "SQL Server's standard port: no SQL Server instance of DLO's");

    chosen = choose_instance(d, configured, &reason);
    if (!chosen) {
        dlo_detect_add_evidence(
            d, &d->r->missed, builtin.role, builtin.kind, true, 0,
            "SQL Server instance (service MSSQLSERVER or MSSQL$NAME) named by the "
            "configuration, or alone beside the DLO Administration Server",
            NULL, 0, DLO_SERVICE_STOPPED);
        return;
    }
    d->r->roles |= DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER);
    dlo_detect_found(d, &builtin, chosen->name, reason, 0, chosen->state);
    sql->instance = dlo_detect_dup(d, instance_of(chosen));
    sql->service = dlo_detect_dup(d, chosen->name);
    if (sql->instance)
        sql_port(d, sql->instance);
}
