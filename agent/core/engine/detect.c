#include "dlo/detect.h"

#include "dlo/portset.h"
#include "dlo/str.h"
#include "dlo/trust.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNINSTALL_KEY    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define SQL_KEY          "SOFTWARE\\Microsoft\\Microsoft SQL Server"
#define SQL_NAMES_KEY    SQL_KEY "\\Instance Names\\SQL"
#define SQL_IPALL_SUBKEY "MSSQLServer\\SuperSocketNetLib\\Tcp\\IPAll"
#define SQL_BROWSER      "SQLBrowser"
#define SQL_DEFAULT_NAME "MSSQLSERVER"

static const dlo_reg_view views[] = {DLO_REG_VIEW_64, DLO_REG_VIEW_32};

const char *dlo_service_state_name(dlo_service_state s)
{
    switch (s) {
    case DLO_SERVICE_STOPPED:
        return "stopped";
    case DLO_SERVICE_RUNNING:
        return "running";
    case DLO_SERVICE_PENDING:
        return "pending";
    }
    return "?";
}

const char *dlo_sql_port_source_name(dlo_sql_port_source s)
{
    switch (s) {
    case DLO_SQL_PORT_DEFAULT:
        return "default";
    case DLO_SQL_PORT_STATIC:
        return "static";
    case DLO_SQL_PORT_DYNAMIC:
        return "dynamic";
    }
    return "?";
}

/* ---- Service list ---- */

void dlo_service_list_init(dlo_service_list *l)
{
    memset(l, 0, sizeof(*l));
}

void dlo_service_list_free(dlo_service_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        free(l->items[i].name);
        free(l->items[i].display_name);
    }
    free(l->items);
    dlo_service_list_init(l);
}

dlo_status dlo_service_list_add(dlo_service_list *l, const char *name, const char *display_name,
                                dlo_service_state state)
{
    dlo_service *s = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*s));

    if (!s)
        return DLO_E_NOMEM;
    l->items = s;
    s = &l->items[l->count];
    s->name = dlo_strdup(name);
    s->display_name = dlo_strdup(display_name ? display_name : "");
    s->state = state;
    if (!s->name || !s->display_name) {
        free(s->name);
        free(s->display_name);
        return DLO_E_NOMEM;
    }
    l->count++;
    return DLO_OK;
}

/* ---- Result ---- */

static void evidence_list_free(dlo_detect_evidence_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        free(l->items[i].subject);
        free(l->items[i].detail);
        free(l->items[i].reason);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static void candidates_free(dlo_detect_candidate_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        free(l->items[i].name);
        free(l->items[i].display_name);
        free(l->items[i].line);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void dlo_detect_result_init(dlo_detect_result *r)
{
    memset(r, 0, sizeof(*r));
    dlo_strlist_init(&r->sql.instances);
    dlo_strlist_init(&r->warnings);
}

void dlo_detect_result_free(dlo_detect_result *r)
{
    free(r->table_source);
    evidence_list_free(&r->found);
    evidence_list_free(&r->missed);
    evidence_list_free(&r->ignored);
    dlo_strlist_free(&r->sql.instances);
    free(r->sql.instance);
    free(r->sql.service);
    free(r->sql.instance_id);
    free(r->sql.tcp_ports);
    free(r->sql.port_origin);
    dlo_strlist_free(&r->warnings);
    candidates_free(&r->candidates);
    dlo_detect_result_init(r);
}

/* ---- Detection ---- */

typedef struct uninstall_item {
    dlo_reg_view view;
    char *key; /* HKLM\...\Uninstall\{subkey} */
    char *display_name;
} uninstall_item;

typedef struct detector {
    const dlo_detect_os *os;
    const dlo_registry *reg;
    const dlo_fs_security *fs; /* judges file evidence (dlo_trust_file); NULL trusts none */
    dlo_detect_result *r;
    bool nomem; /* an allocation failed: the run ends with DLO_E_NOMEM */

    bool services_read;
    bool services_ok;
    dlo_service_list services;

    bool uninstall_read;
    uninstall_item *uninstall;
    size_t n_uninstall;
    size_t cap_uninstall;
} detector;

static bool is_text(const dlo_reg_value *v)
{
    return v->type == DLO_REG_SZ || v->type == DLO_REG_EXPAND_SZ;
}

static void keep(detector *d, dlo_status st)
{
    if (st == DLO_E_NOMEM)
        d->nomem = true;
}

static char *dup_or_flag(detector *d, const char *s)
{
    char *copy = s ? dlo_strdup(s) : NULL;
    if (s && !copy)
        d->nomem = true;
    return copy;
}

/* A warning in the result; failure marks the result partial, since what could not be read may
 * hide a role. */
static void warn(detector *d, bool failure, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void warn(detector *d, bool failure, const char *fmt, ...)
{
    char msg[DLO_ERROR_MAX + 256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    keep(d, dlo_strlist_add(&d->r->warnings, msg));
    if (failure)
        d->r->partial = true;
}

static void add_evidence(detector *d, dlo_detect_evidence_list *l, dlo_role role,
                         dlo_detect_kind kind, bool confirmed, unsigned line, const char *subject,
                         const char *detail, dlo_reg_view view, dlo_service_state state)
{
    dlo_detect_evidence *e = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*e));
    if (!e) {
        d->nomem = true;
        return;
    }
    l->items = e;
    e = &l->items[l->count];
    memset(e, 0, sizeof(*e));
    e->role = role;
    e->kind = kind;
    e->confirmed = confirmed;
    e->line = line;
    e->view = view;
    e->state = state;
    e->subject = dup_or_flag(d, subject);
    e->detail = dup_or_flag(d, detail);
    if (!e->subject || (detail && !e->detail)) {
        free(e->subject);
        free(e->detail);
        return;
    }
    l->count++;
}

static int cmp_evidence(const void *a, const void *b)
{
    const dlo_detect_evidence *x = *(const dlo_detect_evidence *const *)a,
                              *y = *(const dlo_detect_evidence *const *)b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* the earlier finding first: it is the one kept */
}

/* A key that WOW64 does not redirect answers the same in both views: one finding. Findings of one
 * table entry (l->items[from..]) that name the same subject are one; sorted, so an entry matching
 * thousands of keys costs n log n, not n^2. */
static void dedupe_since(detector *d, dlo_detect_evidence_list *l, size_t from)
{
    size_t n = l->count - from, i, k;
    dlo_detect_evidence **by;
    bool *drop;

    if (n < 2)
        return;
    by = malloc(n * sizeof(*by));
    drop = calloc(n, sizeof(*drop));
    if (!by || !drop) {
        d->nomem = true;
        goto cleanup;
    }
    for (i = 0; i < n; i++)
        by[i] = &l->items[from + i];
    qsort(by, n, sizeof(*by), cmp_evidence);
    for (i = 1; i < n; i++)
        if (strcmp(by[i - 1]->subject, by[i]->subject) == 0)
            drop[by[i] - &l->items[from]] = true;
    for (i = k = from; i < l->count; i++) {
        if (!drop[i - from]) {
            l->items[k++] = l->items[i];
            continue;
        }
        free(l->items[i].subject);
        free(l->items[i].detail);
    }
    l->count = k;
cleanup:
    free(by);
    free(drop);
}

static void found(detector *d, const dlo_detect_entry *e, const char *subject, const char *detail,
                  dlo_reg_view view, dlo_service_state state)
{
    add_evidence(d, &d->r->found, e->role, e->kind, e->confirmed, e->line, subject, detail, view,
                 state);
}

/* Reads a value as detection takes it: a string (REG_SZ, or REG_EXPAND_SZ already expanded)
 * or a REG_DWORD. Another type is an error naming the key and value, like a failed read. */
static dlo_status read_value(detector *d, dlo_reg_view view, const char *key, const char *name,
                             dlo_reg_value *out, dlo_error *err)
{
    char tbuf[32];
    dlo_status st = dlo_registry_read(d->reg, view, key, name, out, err);

    keep(d, st);
    if (st)
        return st;
    if (out->type == DLO_REG_DWORD || (is_text(out) && !out->oversize))
        return DLO_OK;
    st = dlo_error_set(err, DLO_E_CONFIG,
                       "HKLM\\%s value %s (%s) is %s%s; expected REG_SZ, REG_EXPAND_SZ or "
                       "REG_DWORD",
                       key, name[0] ? name : "(default)", dlo_reg_view_name(view),
                       dlo_reg_type_name(out->type, tbuf, sizeof(tbuf)),
                       out->oversize ? " and far too large" : "");
    dlo_reg_value_free(out);
    return st;
}

static void read_services(detector *d)
{
    dlo_error err;
    dlo_status st;

    if (d->services_read)
        return;
    d->services_read = true;
    dlo_error_clear(&err);
    st = d->os->list_services(d->os->ctx, &d->services, &err);
    keep(d, st);
    if (st) {
        warn(d, true, "cannot list the services (%s): service evidence and SQL Server not checked",
             err.msg[0] ? err.msg : dlo_status_name(st));
        return;
    }
    d->services_ok = true;
}

static void check_service(detector *d, const dlo_detect_entry *e)
{
    size_t i;

    read_services(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        const char *against = e->kind == DLO_DETECT_SERVICE ? s->name : s->display_name;
        if (dlo_wildcard_match(e->pattern, against))
            found(d, e, s->name, s->display_name, 0, s->state);
    }
}

static void uninstall_add(detector *d, dlo_reg_view view, const char *key, const char *name)
{
    uninstall_item *it =
        dlo_array_grow(d->uninstall, &d->cap_uninstall, d->n_uninstall, sizeof(*it));

    if (!it) {
        d->nomem = true;
        return;
    }
    d->uninstall = it;
    it = &d->uninstall[d->n_uninstall];
    it->view = view;
    it->key = dup_or_flag(d, key);
    it->display_name = dup_or_flag(d, name);
    if (!it->key || !it->display_name) {
        free(it->key);
        free(it->display_name);
        return;
    }
    d->n_uninstall++;
}

/* Reads each Uninstall entry's DisplayName once, in both views, for all uninstall entries of
 * the table to match against. */
static void read_uninstall(detector *d)
{
    size_t v, i;

    if (d->uninstall_read)
        return;
    d->uninstall_read = true;
    for (v = 0; v < 2; v++) {
        dlo_strlist subkeys;
        dlo_error err;
        dlo_status st;

        dlo_strlist_init(&subkeys);
        dlo_error_clear(&err);
        st = d->reg->subkeys(d->reg->ctx, views[v], UNINSTALL_KEY, &subkeys, &err);
        keep(d, st);
        if (st && st != DLO_E_NOTFOUND)
            warn(d, true, "cannot list HKLM\\%s (%s): %s", UNINSTALL_KEY,
                 dlo_reg_view_name(views[v]), err.msg);
        for (i = 0; !st && i < subkeys.count; i++) {
            dlo_buf key;
            dlo_reg_value val;
            dlo_status vst;

            dlo_buf_init(&key);
            dlo_buf_printf(&key, "%s\\%s", UNINSTALL_KEY, subkeys.items[i]);
            keep(d, dlo_buf_status(&key));
            dlo_error_clear(&err);
            vst = read_value(d, views[v], dlo_buf_str(&key), "DisplayName", &val, &err);
            /* Entries without a DisplayName are updates and components: not programs. A value
             * of the wrong type or size (DLO_E_CONFIG) is malformed data in some other product's
             * key, read completely: a warning, not a read that may have hidden a role. */
            if (vst && vst != DLO_E_NOTFOUND)
                warn(d, vst != DLO_E_CONFIG, "cannot read DisplayName of HKLM\\%s (%s): %s",
                     dlo_buf_str(&key), dlo_reg_view_name(views[v]), err.msg);
            if (!vst && is_text(&val)) {
                dlo_buf full;
                dlo_buf_init(&full);
                dlo_buf_printf(&full, "HKLM\\%s", dlo_buf_str(&key));
                keep(d, dlo_buf_status(&full));
                uninstall_add(d, views[v], dlo_buf_str(&full), val.text);
                dlo_buf_free(&full);
            }
            dlo_reg_value_free(&val);
            dlo_buf_free(&key);
        }
        dlo_strlist_free(&subkeys);
    }
}

static void check_uninstall(detector *d, const dlo_detect_entry *e)
{
    size_t i;

    read_uninstall(d);
    for (i = 0; i < d->n_uninstall; i++) {
        const uninstall_item *it = &d->uninstall[i];
        if (dlo_wildcard_match(e->pattern, it->display_name))
            found(d, e, it->key, it->display_name, it->view, DLO_SERVICE_STOPPED);
    }
}

/* A file found that a non-administrator could have made or changed: not evidence, or anyone
 * could make a role appear by planting it (subfolders of ProgramData, SystemRoot). Reported,
 * and partial only when its security could not be read: a refusal is a finding, not a
 * failure to read. */
static void ignore_file(detector *d, const dlo_detect_entry *e, const char *path,
                        const char *detail, dlo_reg_view view, dlo_status st, const char *why)
{
    dlo_detect_evidence_list *l = &d->r->ignored;
    size_t before = l->count;

    add_evidence(d, l, e->role, e->kind, e->confirmed, e->line, path, detail, view,
                 DLO_SERVICE_STOPPED);
    if (l->count > before) {
        l->items[before].reason = dup_or_flag(d, why);
        warn(d, st != DLO_E_ACCESS, "%s (table line %u) is not counted as evidence of %s: %s", path,
             e->line, dlo_role_name(e->role), why);
    }
}

/* Tests base\rest (rest may be NULL) and records it if it is a file the service may trust. */
static void check_path(detector *d, const dlo_detect_entry *e, const char *base, const char *rest,
                       const char *detail, dlo_reg_view view)
{
    dlo_buf path;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&path);
    dlo_buf_puts(&path, base);
    if (rest) {
        if (path.len && path.data[path.len - 1] != '\\' && path.data[path.len - 1] != '/')
            dlo_buf_putc(&path, '\\');
        dlo_buf_puts(&path, rest);
    }
    keep(d, dlo_buf_status(&path));
    dlo_error_clear(&err);
    st = d->os->file_exists(d->os->ctx, dlo_buf_str(&path), &err);
    keep(d, st);
    if (!st) {
        st = dlo_trust_file(d->fs, dlo_buf_str(&path), &err);
        keep(d, st);
        if (!st)
            found(d, e, dlo_buf_str(&path), detail, view, DLO_SERVICE_STOPPED);
        else if (st != DLO_E_NOMEM)
            ignore_file(d, e, dlo_buf_str(&path), detail, view, st, err.msg);
    } else if (st != DLO_E_NOTFOUND)
        warn(d, true, "cannot check %s (table line %u): %s", dlo_buf_str(&path), e->line, err.msg);
    dlo_buf_free(&path);
}

static void check_file(detector *d, const dlo_detect_entry *e)
{
    dlo_buf base;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&base);
    dlo_error_clear(&err);
    st = d->os->known_folder(d->os->ctx, e->folder, &base, &err);
    keep(d, st);
    if (st)
        warn(d, true, "cannot find the folder %%%s%% (table line %u): %s", e->folder, e->line,
             err.msg);
    else
        check_path(d, e, dlo_buf_str(&base), e->path, NULL, 0);
    dlo_buf_free(&base);
}

/* Registry paths are often written with quotes or trailing blanks (InstallLocation values
 * are); the path is what is between them. */
static void trim_path(char *s)
{
    size_t n = strlen(s), start = 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"'))
        n--;
    while (start < n && (s[start] == ' ' || s[start] == '"'))
        start++;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

static void check_regfile(detector *d, const dlo_detect_entry *e)
{
    size_t v;
    const char *value_label = e->value[0] ? e->value : "(default)";

    for (v = 0; v < 2; v++) {
        dlo_reg_value val;
        dlo_error err;
        dlo_status st;

        dlo_error_clear(&err);
        st = read_value(d, views[v], e->key, e->value, &val, &err);
        if (st && st != DLO_E_NOTFOUND)
            warn(d, true, "cannot read HKLM\\%s value %s (%s, table line %u): %s", e->key,
                 value_label, dlo_reg_view_name(views[v]), e->line, err.msg);
        else if (!st && !is_text(&val))
            warn(d, false,
                 "HKLM\\%s value %s (%s, table line %u) is the number %lu; expected a path", e->key,
                 value_label, dlo_reg_view_name(views[v]), e->line, (unsigned long)val.number);
        else if (!st && val.text[0]) {
            dlo_buf src;
            trim_path(val.text);
            dlo_buf_init(&src);
            dlo_buf_printf(&src, "HKLM\\%s\\%s", e->key, e->value);
            keep(d, dlo_buf_status(&src));
            if (val.text[0])
                check_path(d, e, val.text, e->path, dlo_buf_str(&src), views[v]);
            dlo_buf_free(&src);
        }
        dlo_reg_value_free(&val);
    }
}

/* ---- SQL Server ---- */

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

static void set_port(detector *d, dlo_sql_port_source src, const char *ports, const char *origin)
{
    dlo_detect_sql *sql = &d->r->sql;
    free(sql->tcp_ports);
    free(sql->port_origin);
    sql->tcp_ports = dup_or_flag(d, ports);
    sql->port_origin = dup_or_flag(d, origin);
    sql->port_source = src;
}

typedef enum port_read { PORT_OK, PORT_ABSENT, PORT_ZERO, PORT_BAD } port_read;

/* Reads one IPAll value: a port list as a string, or a REG_DWORD. */
static port_read read_port_value(detector *d, dlo_reg_view view, const char *key, const char *value,
                                 dlo_buf *ports)
{
    dlo_reg_value val;
    dlo_error err;
    dlo_status st;
    port_read res = PORT_BAD;

    dlo_error_clear(&err);
    st = read_value(d, view, key, value, &val, &err);
    if (st == DLO_E_NOTFOUND) {
        res = PORT_ABSENT;
    } else if (st) {
        warn(d, false, "cannot read HKLM\\%s value %s (%s): %s", key, value,
             dlo_reg_view_name(view), err.msg);
    } else if (val.type == DLO_REG_DWORD) {
        if (val.number >= 1 && val.number <= 65535) {
            dlo_buf_printf(ports, "%lu", (unsigned long)val.number);
            res = PORT_OK;
        } else if (val.number == 0) {
            res = PORT_ZERO;
        } else {
            warn(d, false, "HKLM\\%s value %s (%s) is %lu; expected a TCP port (1-65535)", key,
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
            warn(d, false,
                 "HKLM\\%s value %s (%s) is '%.100s'; expected a TCP port (1-65535) or a "
                 "comma-separated list of them",
                 key, value, dlo_reg_view_name(view), s);
    }
    keep(d, dlo_buf_status(ports));
    dlo_reg_value_free(&val);
    return res;
}

/* The instance's id ("MSSQL16.NAME", the key of its settings) from Instance Names\SQL, into
 * sql.instance_id, and the view it was found in. False, with a warning saying why and that the
 * standard port is used, when there is none or it is not a key name. */
static bool sql_instance_id(detector *d, const char *instance, dlo_reg_view *view)
{
    dlo_reg_value id;
    dlo_error err;
    dlo_status st = DLO_E_NOTFOUND;
    bool ok = false;
    size_t v;

    /* A 32-bit SQL Server on 64-bit Windows registers under WOW6432Node. */
    for (v = 0; v < 2 && st == DLO_E_NOTFOUND; v++) {
        *view = views[v];
        dlo_error_clear(&err);
        st = read_value(d, *view, SQL_NAMES_KEY, instance, &id, &err);
    }
    if (st == DLO_E_NOTFOUND) {
        warn(d, false,
             "HKLM\\%s has no value %s in either view; expected the instance id "
             "(e.g. MSSQL16.%s): using TCP port %s",
             SQL_NAMES_KEY, instance, instance, DLO_SQL_DEFAULT_PORT);
        return false;
    }
    if (st) {
        warn(d, true, "cannot read HKLM\\%s value %s (%s): %s; using TCP port %s", SQL_NAMES_KEY,
             instance, dlo_reg_view_name(*view), err.msg, DLO_SQL_DEFAULT_PORT);
        return false;
    }
    if (!is_text(&id) || !id.text[0] || strchr(id.text, '\\')) {
        warn(d, false,
             "HKLM\\%s value %s (%s) is not an instance id; expected a key name such "
             "as MSSQL16.%s: using TCP port %s",
             SQL_NAMES_KEY, instance, dlo_reg_view_name(*view), instance, DLO_SQL_DEFAULT_PORT);
    } else {
        free(d->r->sql.instance_id);
        d->r->sql.instance_id = dup_or_flag(d, id.text);
        ok = d->r->sql.instance_id != NULL;
    }
    dlo_reg_value_free(&id);
    return ok;
}

/* One IPAll value (TcpPort or TcpDynamicPorts); when it holds a port, that is the result. */
static port_read ipall_port(detector *d, dlo_reg_view view, const char *key, const char *value,
                            dlo_sql_port_source src)
{
    dlo_buf ports, origin;
    port_read got;

    dlo_buf_init(&ports);
    dlo_buf_init(&origin);
    got = read_port_value(d, view, key, value, &ports);
    if (got == PORT_OK) {
        dlo_buf_printf(&origin, "HKLM\\%s\\%s (%s)", key, value, dlo_reg_view_name(view));
        keep(d, dlo_buf_status(&origin));
        set_port(d, src, dlo_buf_str(&ports), dlo_buf_str(&origin));
    }
    dlo_buf_free(&origin);
    dlo_buf_free(&ports);
    return got;
}

/* The instance's TCP port: IPAll's static TcpPort, else its TcpDynamicPorts, else 1433. */
static void sql_port(detector *d, const char *instance)
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
    keep(d, dlo_buf_status(&key));

    static_got = ipall_port(d, view, dlo_buf_str(&key), "TcpPort", DLO_SQL_PORT_STATIC);
    if (static_got == PORT_OK)
        goto cleanup;
    if (static_got == PORT_ZERO)
        warn(d, false, "HKLM\\%s value TcpPort (%s) is 0; expected a TCP port (1-65535)",
             dlo_buf_str(&key), dlo_reg_view_name(view));
    got = ipall_port(d, view, dlo_buf_str(&key), "TcpDynamicPorts", DLO_SQL_PORT_DYNAMIC);
    if (got == PORT_OK)
        goto cleanup;
    if (got == PORT_ZERO)
        warn(d, false,
             "HKLM\\%s value TcpDynamicPorts (%s) is 0: the dynamic port is assigned "
             "when the instance starts; using TCP port %s",
             dlo_buf_str(&key), dlo_reg_view_name(view), DLO_SQL_DEFAULT_PORT);
    else if (got == PORT_ABSENT && static_got == PORT_ABSENT)
        warn(d, false,
             "HKLM\\%s (%s) has neither TcpPort nor TcpDynamicPorts; expected one of "
             "them to hold the TCP port: using TCP port %s",
             dlo_buf_str(&key), dlo_reg_view_name(view), DLO_SQL_DEFAULT_PORT);
    /* A bad value was reported where it was read; the origin says what replaced it. */
    dlo_buf_printf(
        &origin,
        "SQL Server's standard port: no usable TcpPort or TcpDynamicPorts under HKLM\\%s (%s)",
        dlo_buf_str(&key), dlo_reg_view_name(view));
    keep(d, dlo_buf_status(&origin));
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
static const dlo_service *choose_instance(detector *d, const char *configured, const char **reason)
{
    dlo_detect_sql *sql = &d->r->sql;
    const dlo_service *chosen = NULL, *only = NULL;
    size_t i, n_instances = 0;

    read_services(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        const char *name = instance_of(s);
        if (dlo_str_equal_ci(s->name, SQL_BROWSER)) {
            sql->browser = true;
            sql->browser_state = s->state;
        }
        if (!name)
            continue;
        keep(d, dlo_strlist_add(&sql->instances, name));
        if (n_instances++ == 0)
            only = s;
        if (configured[0] && dlo_str_equal_ci(name, instance_name(configured))) {
            chosen = s;
            *reason = "named by the configuration";
        }
    }

    if (configured[0]) {
        if (!chosen)
            warn(d, false,
                 "the configured SQL Server instance '%s' has no service here (looked for "
                 "%s or MSSQL$%s): sql-server not detected, and no other instance is taken in "
                 "its place; the SQL rule uses SqlPort if set, else TCP port %s",
                 configured, SQL_DEFAULT_NAME, instance_name(configured), DLO_SQL_DEFAULT_PORT);
        return chosen;
    }
    if (!(d->r->roles & DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER)))
        return NULL;
    if (n_instances > 1)
        warn(d, false,
             "%lu SQL Server instances on the DLO Administration Server and none is "
             "configured as DLO's: sql-server not detected; name DLO's instance in "
             "the configuration (SqlInstance)",
             (unsigned long)n_instances);
    if (n_instances != 1)
        return NULL;
    *reason = "the only instance on the DLO Administration Server";
    return only;
}

static void detect_sql(detector *d, const dlo_detect_params *params)
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
        add_evidence(d, &d->r->missed, builtin.role, builtin.kind, true, 0,
                     "SQL Server instance (service MSSQLSERVER or MSSQL$NAME) named by the "
                     "configuration, or alone beside the DLO Administration Server",
                     NULL, 0, DLO_SERVICE_STOPPED);
        return;
    }
    d->r->roles |= DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER);
    found(d, &builtin, chosen->name, reason, 0, chosen->state);
    sql->instance = dup_or_flag(d, instance_of(chosen));
    sql->service = dup_or_flag(d, chosen->name);
    if (sql->instance)
        sql_port(d, sql->instance);
}

/* ---- Candidates: names that look like DLO and that no entry matched ---- */

/* The agent itself is no DLO component, and SQL Server's services (MSSQL$DLO, SQLAgent$DLO)
 * are recognised by their documented names, not the table. */
static bool candidate_excluded(const char *name)
{
    return dlo_str_equal_ci(name, "dloagent") ||
           dlo_str_equal_ci(name, "Arctera DLO Firewall Agent") ||
           dlo_str_prefix_ci(name, "MSSQL") || dlo_str_prefix_ci(name, "SQL");
}

/* "DLO" as capitals (any case would find "modloader"), the other names in any case. */
static bool mentions_dlo(const char *s)
{
    return s && (strstr(s, "DLO") || dlo_wildcard_match("*Desktop and Laptop Option*", s) ||
                 dlo_wildcard_match("*Arctera*", s) || dlo_wildcard_match("*Veritas*", s));
}

/* The role a name suggests, for the proposed line; ROLE when it says none. */
static const char *candidate_role(const char *name, const char *display)
{
    static const struct {
        const char *pattern;
        dlo_role role;
    } words[] = {{"*Edge*", DLO_ROLE_EDGE_SERVER},         {"*Dedupe*", DLO_ROLE_DEDUPE_SERVER},
                 {"*Maint*", DLO_ROLE_MAINTENANCE_SERVER}, {"*Console*", DLO_ROLE_ADMIN_CONSOLE},
                 {"*Admin*", DLO_ROLE_ADMIN_SERVER},       {"*IO Server*", DLO_ROLE_IO_SERVER},
                 {"*IOServer*", DLO_ROLE_IO_SERVER},       {"*Agent*", DLO_ROLE_CLIENT}};
    size_t i;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (dlo_wildcard_match(words[i].pattern, name) ||
            (display && dlo_wildcard_match(words[i].pattern, display)))
            return dlo_role_name(words[i].role);
    return "ROLE";
}

/* The table line that matches exactly this name: quoted when it has blanks; a '"' (which the
 * table cannot quote) becomes the wildcard '?'. */
static void candidate_add(detector *d, dlo_detect_kind kind, const char *name, const char *display,
                          dlo_reg_view view, const char *match)
{
    dlo_detect_candidate_list *l = &d->r->candidates;
    dlo_detect_candidate *c;
    dlo_buf line;
    const char *p;

    c = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*l->items));
    if (!c) {
        d->nomem = true;
        return;
    }
    l->items = c;
    dlo_buf_init(&line);
    dlo_buf_printf(&line, "%s unconfirmed %s \"", candidate_role(name, display),
                   dlo_detect_kind_name(kind));
    for (p = match; *p; p++)
        dlo_buf_putc(&line, *p == '"' ? '?' : *p);
    dlo_buf_putc(&line, '"');
    keep(d, dlo_buf_status(&line));
    c = &l->items[l->count];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->view = view;
    c->name = dup_or_flag(d, name);
    c->display_name = dup_or_flag(d, display ? display : "");
    c->line = dup_or_flag(d, dlo_buf_str(&line));
    dlo_buf_free(&line);
    l->count++;
}

static bool table_matches(const dlo_detect_table *t, dlo_detect_kind kind, const char *s)
{
    size_t i;
    for (i = 0; s && i < t->count; i++)
        if (t->entries[i].kind == kind && dlo_wildcard_match(t->entries[i].pattern, s))
            return true;
    return false;
}

static void find_candidates(detector *d, const dlo_detect_table *t)
{
    size_t i;
    read_services(d);
    read_uninstall(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        if ((mentions_dlo(s->name) || mentions_dlo(s->display_name)) &&
            !candidate_excluded(s->name) && !table_matches(t, DLO_DETECT_SERVICE, s->name) &&
            !table_matches(t, DLO_DETECT_SERVICE_DISPLAY, s->display_name))
            candidate_add(d, DLO_DETECT_SERVICE, s->name, s->display_name, 0, s->name);
    }
    for (i = 0; i < d->n_uninstall; i++) {
        const uninstall_item *u = &d->uninstall[i];
        if (mentions_dlo(u->display_name) && !candidate_excluded(u->display_name) &&
            !table_matches(t, DLO_DETECT_UNINSTALL, u->display_name))
            candidate_add(d, DLO_DETECT_UNINSTALL, u->key, u->display_name, u->view,
                          u->display_name);
    }
}

static void check_entry(detector *d, const dlo_detect_entry *e)
{
    switch (e->kind) {
    case DLO_DETECT_SERVICE:
    case DLO_DETECT_SERVICE_DISPLAY:
        check_service(d, e);
        break;
    case DLO_DETECT_UNINSTALL:
        check_uninstall(d, e);
        break;
    case DLO_DETECT_FILE:
        check_file(d, e);
        break;
    case DLO_DETECT_REGFILE:
        check_regfile(d, e);
        break;
    case DLO_DETECT_SQL_INSTANCE:
    case DLO_DETECT_KIND_COUNT:
        break;
    }
}

dlo_status dlo_detect_run(const dlo_detect_table *table, const dlo_detect_os *os,
                          const dlo_registry *reg, const dlo_detect_params *params,
                          dlo_detect_result *out, dlo_error *err)
{
    detector d;
    size_t i;

    dlo_detect_result_init(out);
    if (!os || !os->list_services || !os->file_exists || !os->known_folder || !reg || !reg->read ||
        !reg->subkeys)
        return dlo_error_set(err, DLO_E_INTERNAL,
                             "detection cannot run: no access to services, registry and files");
    memset(&d, 0, sizeof(d));
    d.os = os;
    d.reg = reg;
    d.fs = params ? params->fs_security : NULL;
    d.r = out;
    dlo_service_list_init(&d.services);
    out->table_source = dup_or_flag(&d, table->source ? table->source : "");

    for (i = 0; i < table->count; i++) {
        const dlo_detect_entry *e = &table->entries[i];
        size_t before = out->found.count;
        dlo_buf what;

        out->looked_for |= DLO_ROLE_BIT(e->role);
        check_entry(&d, e);
        dedupe_since(&d, &out->found, before);
        if (out->found.count > before) {
            out->roles |= DLO_ROLE_BIT(e->role);
            continue;
        }
        dlo_buf_init(&what);
        dlo_detect_entry_describe(&what, e);
        keep(&d, dlo_buf_status(&what));
        add_evidence(&d, &out->missed, e->role, e->kind, e->confirmed, e->line, dlo_buf_str(&what),
                     NULL, 0, DLO_SERVICE_STOPPED);
        dlo_buf_free(&what);
    }
    /* After the table: whether the Administration Server is here decides whether a lone local
     * SQL Server instance is DLO's. */
    detect_sql(&d, params);
    find_candidates(&d, table);

    dlo_service_list_free(&d.services);
    for (i = 0; i < d.n_uninstall; i++) {
        free(d.uninstall[i].key);
        free(d.uninstall[i].display_name);
    }
    free(d.uninstall);
    if (d.nomem) {
        dlo_detect_result_free(out);
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory during detection");
    }
    return DLO_OK;
}

dlo_status dlo_detect_table_load(dlo_detect_table *t, const dlo_platform *plat, const char *path,
                                 dlo_error *err)
{
    dlo_error inner;
    dlo_buf text;
    dlo_status st;

    dlo_error_clear(&inner);
    dlo_buf_init(&text);
    if (path) {
        if (!plat->read_file)
            return dlo_error_set(err, DLO_E_INTERNAL, "this platform cannot read files");
        st = plat->read_file(plat->ctx, path, DLO_DETECT_MAX_BYTES, &text, &inner);
        /* The administrator named this file: whatever keeps it from being read is theirs to
         * fix, like a bad path on the command line. */
        if (st && st != DLO_E_NOMEM)
            st = DLO_E_CONFIG;
        if (st) {
            dlo_error_set(err, st, "detection table: %s", inner.msg);
            goto cleanup_text;
        }
        st = dlo_detect_table_parse(t, path, dlo_buf_str(&text), text.len, err);
    } else {
        if (!plat->load_embedded)
            return dlo_error_set(err, DLO_E_INTERNAL, "this platform has no embedded data");
        st = plat->load_embedded(plat->ctx, DLO_DETECT_EMBEDDED_NAME, &text, &inner);
        if (st) {
            st = dlo_error_set(err, st == DLO_E_NOMEM ? st : DLO_E_INTERNAL,
                               "the embedded detection table cannot be loaded: %s", inner.msg);
            goto cleanup_text;
        }
        st = dlo_detect_table_parse(t, "embedded " DLO_DETECT_EMBEDDED_NAME, dlo_buf_str(&text),
                                    text.len, err);
    }
cleanup_text:
    dlo_buf_free(&text);
    return st;
}

dlo_status dlo_detect_machine(const dlo_platform *plat, const char *table_path,
                              const dlo_detect_params *params, dlo_detect_result *out,
                              dlo_error *err)
{
    dlo_detect_params with_fs = {NULL, NULL};
    dlo_detect_table table;
    dlo_status st;

    dlo_detect_result_init(out);
    if (params)
        with_fs = *params;
    if (!with_fs.fs_security)
        with_fs.fs_security = plat->fs_security;
    if (!plat->detect_os || !plat->registry)
        return dlo_error_set(err, DLO_E_INTERNAL,
                             "detection cannot run: no access to services, registry and files");
    dlo_detect_table_init(&table);
    st = dlo_detect_table_load(&table, plat, table_path, err);
    if (!st)
        st = dlo_detect_run(&table, plat->detect_os, plat->registry, &with_fs, out, err);
    dlo_detect_table_free(&table);
    return st;
}
