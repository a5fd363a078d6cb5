#include "dlo/binding.h"

#include "dlo/buf.h"
#include "dlo/portset.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

/* What one apply reads at most once, for all rules: the listeners table and the services. */
typedef struct binder {
    const dlo_binding_env *env;
    bool listeners_read, services_read;
    dlo_status listeners_st, services_st;
    dlo_error listeners_err, services_err;
    dlo_listener_list listeners;
    dlo_service_list services;
} binder;

/* What a rule ends up with: bound (image set), unbound by configuration (`configured`), or,
 * for want of positive evidence, kept as the firewall has it; the reason in `evidence`. */
typedef struct binding {
    char *image;
    const char *service; /* borrowed; NULL: program only */
    bool configured;
    dlo_buf evidence;
} binding;

static bool is_absolute(const char *s, size_t n)
{
    return dlo_path_on_drive(s, n) ||
           (n >= 3 && s[0] == '\\' && s[1] == '\\' && s[2] != '?' && s[2] != '.');
}

/* The SCM's own reading of an unquoted ImagePath with blanks is a search ("C:\Program.exe",
 * then "C:\Program Files\..."); the agent does not guess along: the program ends at the first
 * ".exe" that ends a word. */
static size_t unquoted_end(const char *s)
{
    size_t i, n = strlen(s);
    for (i = 0; i + 4 <= n; i++)
        if (dlo_str_prefix_ci(s + i, ".exe") && (i + 4 == n || dlo_is_blank(s[i + 4])))
            return i + 4;
    return 0;
}

char *dlo_binding_image_path(const char *image_path, const char **why)
{
    const char *s = image_path, *end;
    size_t n;
    const char *dummy;

    if (!why)
        why = &dummy;
    *why = NULL;
    while (dlo_is_blank(*s))
        s++;
    if (*s == '"') {
        s++;
        end = strchr(s, '"');
        if (!end) {
            *why = "its opening quote is not closed";
            return NULL;
        }
        n = (size_t)(end - s);
    } else {
        n = unquoted_end(s);
        if (!n) {
            *why = "it names no .exe program";
            return NULL;
        }
    }
    if (memchr(s, '%', n)) {
        *why = "it holds an environment variable that could not be expanded";
        return NULL;
    }
    if (!is_absolute(s, n)) {
        *why = "it is not an absolute path (X:\\... or \\\\server\\...)";
        return NULL;
    }
    return dlo_strndup(s, n);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '\\');
    return slash ? slash + 1 : path;
}

/* Reads value `name` of HKLM\SYSTEM\CurrentControlSet\Services\<service> into v (initialised
 * either way), the key's path into key; free both. */
static dlo_status read_service_value(const dlo_registry *reg, const char *service, const char *name,
                                     dlo_buf *key, dlo_reg_value *v, dlo_error *err)
{
    dlo_buf_init(key);
    dlo_reg_value_init(v);
    dlo_buf_printf(key, DLO_SERVICES_KEY "\\%s", service);
    if (dlo_buf_status(key))
        return DLO_E_NOMEM;
    return dlo_registry_read(reg, DLO_REG_VIEW_64, dlo_buf_str(key), name, v, err);
}

/* The service has a service SID (ServiceSidType 1, unrestricted, or 3, restricted): the
 * firewall matches a ServiceName condition on that SID in the process token (Windows Firewall
 * with Advanced Security help, "Customize Service Settings": "the security identifier (SID)
 * for the specified service is given access"). Whether a service without one matches is not
 * said anywhere public, so it is not bound by name. */
static bool has_service_sid(const dlo_registry *reg, const char *service, dlo_buf *ev)
{
    dlo_buf key;
    dlo_reg_value v;
    dlo_status st = read_service_value(reg, service, "ServiceSidType", &key, &v, NULL);
    bool sid = false;

    if (!st && v.type == DLO_REG_DWORD && (v.number == 1 || v.number == 3)) {
        sid = true;
        dlo_buf_printf(ev, "; service SID (ServiceSidType %u): ServiceName %s", (unsigned)v.number,
                       service);
    } else if (!st && v.type == DLO_REG_DWORD) {
        dlo_buf_printf(ev, "; ServiceSidType is %u (no service SID): program only",
                       (unsigned)v.number);
    } else {
        dlo_buf_puts(ev, st == DLO_E_NOTFOUND ? "; no ServiceSidType (no service SID): program only"
                                              : "; ServiceSidType unreadable: program only");
    }
    dlo_reg_value_free(&v);
    dlo_buf_free(&key);
    return sid;
}

/* The program of service's ImagePath into b->image, when it is `exe`; else b->evidence says
 * why not. */
static void service_program(const binder *bd, const char *service, const char *exe, binding *b)
{
    dlo_buf key;
    dlo_reg_value v;
    dlo_error e;
    dlo_status st;
    const char *why = NULL;

    dlo_error_clear(&e);
    st = read_service_value(bd->env->registry, service, "ImagePath", &key, &v, &e);
    if (st == DLO_E_NOTFOUND)
        dlo_buf_printf(&b->evidence, "HKLM\\%s has no ImagePath", dlo_buf_str(&key));
    else if (st)
        dlo_buf_printf(&b->evidence, "HKLM\\%s\\ImagePath could not be read: %s", dlo_buf_str(&key),
                       e.msg);
    else if ((v.type != DLO_REG_SZ && v.type != DLO_REG_EXPAND_SZ) || !v.text)
        dlo_buf_printf(&b->evidence, "HKLM\\%s\\ImagePath is not a string", dlo_buf_str(&key));
    else if (!(b->image = dlo_binding_image_path(v.text, &why)))
        dlo_buf_printf(&b->evidence, "ImagePath '%.200s' of service %s is not a program: %s",
                       v.text, service, why ? why : "out of memory");
    else if (!dlo_str_equal_ci(file_name(b->image), exe)) {
        dlo_buf_printf(&b->evidence, "service %s runs %s, not %s", service, b->image, exe);
        free(b->image);
        b->image = NULL;
    } else {
        dlo_buf_printf(&b->evidence, "service %s, ImagePath %s", service, b->image);
        b->service = service;
    }
    dlo_reg_value_free(&v);
    dlo_buf_free(&key);
}

/* sql-server and sql-browser: what detection found, and the program its service runs. */
static void bind_sql(const binder *bd, dlo_served_by kind, binding *b)
{
    const dlo_detect_result *det = bd->env->det;
    const char *service;

    if (!det) {
        dlo_buf_puts(&b->evidence, "detection did not run, so no SQL Server service is known");
        return;
    }
    if (kind == DLO_SERVED_SQL_SERVER && !det->sql.instance) {
        dlo_buf_puts(&b->evidence, "no SQL Server instance of DLO's was detected here");
        return;
    }
    if (kind == DLO_SERVED_SQL_BROWSER && !det->sql.browser) {
        dlo_buf_puts(&b->evidence, "SQL Server Browser (service " DLO_SQL_BROWSER_SERVICE
                                   ") is not installed here");
        return;
    }
    if (!bd->env->registry) {
        dlo_buf_puts(&b->evidence, "no registry here to read the service's ImagePath");
        return;
    }
    service = kind == DLO_SERVED_SQL_SERVER ? det->sql.service : DLO_SQL_BROWSER_SERVICE;
    if (!service) {
        dlo_buf_puts(&b->evidence, "the SQL Server instance's service is not known");
        return;
    }
    service_program(bd, service, kind == DLO_SERVED_SQL_SERVER ? "sqlservr.exe" : "sqlbrowser.exe",
                    b);
}

static const dlo_listener_list *listeners(binder *bd, dlo_buf *ev)
{
    const dlo_probe_os *os = bd->env->probe_os;
    if (!os || !os->listeners) {
        dlo_buf_puts(ev, "no listeners table here to see who listens on the port");
        return NULL;
    }
    if (!bd->listeners_read) {
        bd->listeners_read = true;
        dlo_error_clear(&bd->listeners_err);
        bd->listeners_st = os->listeners(os->ctx, &bd->listeners, &bd->listeners_err);
    }
    if (bd->listeners_st) {
        dlo_buf_printf(ev, "the listeners table could not be read: %s", bd->listeners_err.msg);
        return NULL;
    }
    return &bd->listeners;
}

/* The display name of service, "" when unknown; NULL (with ev saying why) when the services
 * cannot be listed. */
static const char *display_name(binder *bd, const char *service, dlo_buf *ev)
{
    const dlo_detect_os *os = bd->env->detect_os;
    size_t i;
    if (!os || !os->list_services) {
        dlo_buf_puts(ev, "services' display names cannot be read here");
        return NULL;
    }
    if (!bd->services_read) {
        bd->services_read = true;
        dlo_error_clear(&bd->services_err);
        bd->services_st = os->list_services(os->ctx, &bd->services, &bd->services_err);
    }
    if (bd->services_st) {
        dlo_buf_printf(ev, "the services could not be listed: %s", bd->services_err.msg);
        return NULL;
    }
    for (i = 0; i < bd->services.count; i++)
        if (dlo_str_equal_ci(bd->services.items[i].name, service))
            return dlo_str(bd->services.items[i].display_name);
    return "";
}

/* Whether listener l is the row's served-by service: 1 yes, 0 no (ev says who it is), -1 the
 * services cannot be told apart here (ev says why). */
static int is_served_by(binder *bd, const dlo_policy_row *row, const dlo_listener *l,
                        const char *proto, dlo_buf *ev)
{
    const char *display;
    if (l->owner_unknown) {
        dlo_buf_printf(ev, "who holds %s %u (pid %lu) could not be read", proto, l->port, l->pid);
        return 0;
    }
    if (!l->service) {
        dlo_buf_printf(ev, "%s %u is held by pid %lu (%s), which is not a service", proto, l->port,
                       l->pid, l->image ? l->image : "image unknown");
        return 0;
    }
    if (row->served_by == DLO_SERVED_SERVICE) {
        if (dlo_str_equal_ci(l->service, row->served_name))
            return 1;
        dlo_buf_printf(ev, "%s %u is held by service %s (pid %lu), not %s", proto, l->port,
                       l->service, l->pid, row->served_name);
        return 0;
    }
    display = display_name(bd, l->service, ev);
    if (!display)
        return -1;
    if (dlo_wildcard_match(row->served_name, display))
        return 1;
    dlo_buf_printf(ev,
                   "%s %u is held by service %s (\"%s\", pid %lu), whose display name does "
                   "not match \"%s\"",
                   proto, l->port, l->service, display, l->pid, row->served_name);
    return 0;
}

/* Every listener on port is the one service `*first` (set by the first one seen), with one
 * known image. False with ev saying why otherwise. */
static bool port_served(binder *bd, const dlo_policy_row *row, int protocol, unsigned port,
                        const dlo_listener **first, dlo_buf *ev)
{
    const dlo_listener_list *t = &bd->listeners;
    const char *proto = dlo_protocol_name(protocol);
    size_t i, seen = 0;

    for (i = 0; i < t->count; i++) {
        const dlo_listener *l = &t->items[i];
        if (l->protocol != protocol || l->port != port)
            continue;
        seen++;
        if (is_served_by(bd, row, l, proto, ev) != 1)
            return false;
        if (!l->image) {
            dlo_buf_printf(ev, "the image of service %s (pid %lu) could not be read", l->service,
                           l->pid);
            return false;
        }
        if (!*first) {
            *first = l;
        } else if (!dlo_str_equal_ci((*first)->service, l->service)) {
            dlo_buf_printf(ev, "two services listen on the rule's ports: %s and %s",
                           (*first)->service, l->service);
            return false;
        } else if (!dlo_str_equal_ci((*first)->image, l->image)) {
            dlo_buf_printf(ev, "service %s listens from two programs: %s and %s", l->service,
                           (*first)->image, l->image);
            return false;
        }
    }
    if (!seen)
        dlo_buf_printf(ev, "nothing listens on %s %u", proto, port);
    return seen > 0;
}

/* service and service-display: the listeners on every port of the rule are that service. */
static void bind_listener(binder *bd, const dlo_policy_row *row, const dlo_rule *r, binding *b)
{
    const dlo_listener *first = NULL;
    dlo_portset ports;
    size_t i, count = 0;
    unsigned port;
    bool ok = true;

    if (!listeners(bd, &b->evidence))
        return;
    if (dlo_portset_parse(r->local_ports, 0, &ports, NULL)) {
        dlo_buf_printf(&b->evidence, "ports '%s' are not single ports and ranges",
                       dlo_str(r->local_ports));
        return;
    }
    for (i = 0; i < ports.n_ranges; i++)
        count += ports.ranges[i].hi - ports.ranges[i].lo + 1;
    if (count == 0 || count > DLO_BINDING_MAX_PORTS)
        dlo_buf_printf(&b->evidence, "%zu ports are %s to check each for a listener", count,
                       count ? "too many" : "none");
    for (i = 0; ok && count <= DLO_BINDING_MAX_PORTS && i < ports.n_ranges; i++)
        for (port = ports.ranges[i].lo; ok && port <= ports.ranges[i].hi; port++)
            ok = port_served(bd, row, r->protocol, port, &first, &b->evidence);
    dlo_portset_free(&ports);
    if (!ok || count == 0 || count > DLO_BINDING_MAX_PORTS || !first)
        return;
    b->image = dlo_strdup(first->image);
    if (b->image) {
        b->service = first->service;
        dlo_buf_printf(&b->evidence, "service %s (pid %lu, %s) listens on %s %s", first->service,
                       first->pid, first->image, dlo_protocol_name(r->protocol), r->local_ports);
    }
}

static const dlo_policy_row *first_row(const dlo_policy *pol, const dlo_rule *r)
{
    const char *rows = dlo_str(r->rows);
    size_t i, n = strcspn(rows, ",");
    for (i = 0; i < pol->n_rows; i++)
        if (dlo_equals(rows, n, pol->rows[i].id))
            return &pol->rows[i];
    return NULL;
}

/* Whether the rule is one to bind at all; when not, b says why (configured). */
static bool bindable(const binder *bd, const dlo_rule *r, dlo_served_by kind, binding *b)
{
    const char *why = r->direction != DLO_DIR_IN ? "outbound rules are not bound"
                      : kind == DLO_SERVED_UNSAID
                          ? "the port matrix names no program for this row (no served-by)"
                      : kind == DLO_SERVED_WINDOWS ? "served by Windows itself"
                      : !bd->env->enabled          ? "BindToServices is 0"
                                                   : NULL;
    if (why) {
        b->configured = true;
        dlo_buf_puts(&b->evidence, why);
    }
    return !why;
}

/* Works out b for one rule: bound, unbound by configuration, or kept, with the evidence. */
static void bind_rule(binder *bd, const dlo_policy *pol, const dlo_rule *r, binding *b)
{
    const dlo_policy_row *row = first_row(pol, r);
    dlo_served_by kind = row ? row->served_by : DLO_SERVED_UNSAID;

    if (!bindable(bd, r, kind, b))
        return;
    if (kind == DLO_SERVED_SQL_SERVER || kind == DLO_SERVED_SQL_BROWSER)
        bind_sql(bd, kind, b);
    else
        bind_listener(bd, row, r, b);
    if (b->image && !(b->service && bd->env->registry &&
                      has_service_sid(bd->env->registry, b->service, &b->evidence)))
        b->service = NULL;
    if (b->image && !bd->env->registry)
        dlo_buf_puts(&b->evidence, "; no registry to read ServiceSidType: program only");
}

static dlo_status set_rule(dlo_rule *r, const binding *b)
{
    dlo_buf text;
    dlo_status st;
    dlo_buf_init(&text);
    dlo_buf_printf(&text, "%s: %s",
                   b->image        ? "bound"
                   : b->configured ? "not bound"
                                   : DLO_BINDING_KEPT,
                   dlo_buf_str(&b->evidence));
    r->keep_binding = !b->image && !b->configured;
    st = dlo_buf_status(&text) || dlo_buf_status(&b->evidence) ||
                 dlo_rule_set(&r->application, b->image) || dlo_rule_set(&r->service, b->service) ||
                 dlo_rule_set(&r->binding, dlo_buf_str(&text))
             ? DLO_E_NOMEM
             : DLO_OK;
    dlo_buf_free(&text);
    return st;
}

dlo_status dlo_binding_apply(const dlo_binding_env *env, const dlo_policy *pol,
                             dlo_rule_list *rules, dlo_error *err)
{
    binder bd;
    size_t i;
    dlo_status st = DLO_OK;

    memset(&bd, 0, sizeof(bd));
    bd.env = env;
    dlo_service_list_init(&bd.services);
    for (i = 0; i < rules->count && !st; i++) {
        binding b = {NULL, NULL, false, {0}};
        dlo_buf_init(&b.evidence);
        bind_rule(&bd, pol, &rules->items[i], &b);
        st = set_rule(&rules->items[i], &b);
        free(b.image);
        dlo_buf_free(&b.evidence);
    }
    dlo_listener_list_free(&bd.listeners);
    dlo_service_list_free(&bd.services);
    return st ? dlo_error_set(err, DLO_E_NOMEM, "out of memory") : DLO_OK;
}
