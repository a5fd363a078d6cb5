#include "dlo/detect.h"

#include "detect_private.h"
#include "dlo/str.h"
#include "dlo/trust.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNINSTALL_KEY "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"

const dlo_reg_view dlo_detect_views[2] = {DLO_REG_VIEW_64, DLO_REG_VIEW_32};

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

bool dlo_detect_is_text(const dlo_reg_value *v)
{
    return v->type == DLO_REG_SZ || v->type == DLO_REG_EXPAND_SZ;
}

void dlo_detect_keep(dlo_detector *d, dlo_status st)
{
    if (st == DLO_E_NOMEM)
        d->nomem = true;
}

char *dlo_detect_dup(dlo_detector *d, const char *s)
{
    char *copy = s ? dlo_strdup(s) : NULL;
    if (s && !copy)
        d->nomem = true;
    return copy;
}

void dlo_detect_warn(dlo_detector *d, bool failure, const char *fmt, ...)
{
    char msg[DLO_ERROR_MAX + 256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dlo_detect_keep(d, dlo_strlist_add(&d->r->warnings, msg));
    if (failure)
        d->r->partial = true;
}

void dlo_detect_add_evidence(dlo_detector *d, dlo_detect_evidence_list *l, dlo_role role,
                             dlo_detect_kind kind, bool confirmed, unsigned line,
                             const char *subject, const char *detail, dlo_reg_view view,
                             dlo_service_state state)
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
    e->subject = dlo_detect_dup(d, subject);
    e->detail = dlo_detect_dup(d, detail);
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
static void dedupe_since(dlo_detector *d, dlo_detect_evidence_list *l, size_t from)
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

void dlo_detect_found(dlo_detector *d, const dlo_detect_entry *e, const char *subject,
                      const char *detail, dlo_reg_view view, dlo_service_state state)
{
    dlo_detect_add_evidence(d, &d->r->found, e->role, e->kind, e->confirmed, e->line, subject,
                            detail, view, state);
}

/* Reads a value as detection takes it: a string (REG_SZ, or REG_EXPAND_SZ already expanded)
 * or a REG_DWORD. Another type is an error naming the key and value, like a failed read. */
dlo_status dlo_detect_read_value(dlo_detector *d, dlo_reg_view view, const char *key,
                                 const char *name, dlo_reg_value *out, dlo_error *err)
{
    char tbuf[32];
    dlo_status st = dlo_registry_read(d->reg, view, key, name, out, err);

    dlo_detect_keep(d, st);
    if (st)
        return st;
    if (out->type == DLO_REG_DWORD || (dlo_detect_is_text(out) && !out->oversize))
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

void dlo_detect_read_services(dlo_detector *d)
{
    dlo_error err;
    dlo_status st;

    if (d->services_read)
        return;
    d->services_read = true;
    dlo_error_clear(&err);
    st = d->os->list_services(d->os->ctx, &d->services, &err);
    dlo_detect_keep(d, st);
    if (st) {
        dlo_detect_warn(
            d, true, "cannot list the services (%s): service evidence and SQL Server not checked",
            err.msg[0] ? err.msg : dlo_status_name(st));
        return;
    }
    d->services_ok = true;
}

static void check_service(dlo_detector *d, const dlo_detect_entry *e)
{
    size_t i;

    dlo_detect_read_services(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        const char *against = e->kind == DLO_DETECT_SERVICE ? s->name : s->display_name;
        if (dlo_wildcard_match(e->pattern, against))
            dlo_detect_found(d, e, s->name, s->display_name, 0, s->state);
    }
}

static void uninstall_add(dlo_detector *d, dlo_reg_view view, const char *key, const char *name)
{
    dlo_detect_uninstall_item *it =
        dlo_array_grow(d->uninstall, &d->cap_uninstall, d->n_uninstall, sizeof(*it));

    if (!it) {
        d->nomem = true;
        return;
    }
    d->uninstall = it;
    it = &d->uninstall[d->n_uninstall];
    it->view = view;
    it->key = dlo_detect_dup(d, key);
    it->display_name = dlo_detect_dup(d, name);
    if (!it->key || !it->display_name) {
        free(it->key);
        free(it->display_name);
        return;
    }
    d->n_uninstall++;
}

/* Reads each Uninstall entry's DisplayName once, in both views, for all uninstall entries of
 * the table to match against. */
void dlo_detect_read_uninstall(dlo_detector *d)
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
        st = d->reg->subkeys(d->reg->ctx, dlo_detect_views[v], UNINSTALL_KEY, &subkeys, &err);
        dlo_detect_keep(d, st);
        if (st && st != DLO_E_NOTFOUND)
            dlo_detect_warn(d, true, "cannot list HKLM\\%s (%s): %s", UNINSTALL_KEY,
                            dlo_reg_view_name(dlo_detect_views[v]), err.msg);
        for (i = 0; !st && i < subkeys.count; i++) {
            dlo_buf key;
            dlo_reg_value val;
            dlo_status vst;

            dlo_buf_init(&key);
            dlo_buf_printf(&key, "%s\\%s", UNINSTALL_KEY, subkeys.items[i]);
            dlo_detect_keep(d, dlo_buf_status(&key));
            dlo_error_clear(&err);
            vst = dlo_detect_read_value(d, dlo_detect_views[v], dlo_buf_str(&key), "DisplayName",
                                        &val, &err);
            /* Entries without a DisplayName are updates and components: not programs. A value
             * of the wrong type or size (DLO_E_CONFIG) is malformed data in some other product's
             * key, read completely: a warning, not a read that may have hidden a role. */
            if (vst && vst != DLO_E_NOTFOUND)
                dlo_detect_warn(d, vst != DLO_E_CONFIG,
                                "cannot read DisplayName of HKLM\\%s (%s): %s", dlo_buf_str(&key),
                                dlo_reg_view_name(dlo_detect_views[v]), err.msg);
            if (!vst && dlo_detect_is_text(&val)) {
                dlo_buf full;
                dlo_buf_init(&full);
                dlo_buf_printf(&full, "HKLM\\%s", dlo_buf_str(&key));
                dlo_detect_keep(d, dlo_buf_status(&full));
                uninstall_add(d, dlo_detect_views[v], dlo_buf_str(&full), val.text);
                dlo_buf_free(&full);
            }
            dlo_reg_value_free(&val);
            dlo_buf_free(&key);
        }
        dlo_strlist_free(&subkeys);
    }
}

static void check_uninstall(dlo_detector *d, const dlo_detect_entry *e)
{
    size_t i;

    dlo_detect_read_uninstall(d);
    for (i = 0; i < d->n_uninstall; i++) {
        const dlo_detect_uninstall_item *it = &d->uninstall[i];
        if (dlo_wildcard_match(e->pattern, it->display_name))
            dlo_detect_found(d, e, it->key, it->display_name, it->view, DLO_SERVICE_STOPPED);
    }
}

/* A file found that a non-administrator could have made or changed: not evidence, or anyone
 * could make a role appear by planting it (subfolders of ProgramData, SystemRoot). Reported,
 * and partial only when its security could not be read: a refusal is a finding, not a
 * failure to read. */
static void ignore_file(dlo_detector *d, const dlo_detect_entry *e, const char *path,
                        const char *detail, dlo_reg_view view, dlo_status st, const char *why)
{
    dlo_detect_evidence_list *l = &d->r->ignored;
    size_t before = l->count;

    dlo_detect_add_evidence(d, l, e->role, e->kind, e->confirmed, e->line, path, detail, view,
                            DLO_SERVICE_STOPPED);
    if (l->count > before) {
        l->items[before].reason = dlo_detect_dup(d, why);
        dlo_detect_warn(d, st != DLO_E_ACCESS,
                        "%s (table line %u) is not counted as evidence of %s: %s", path, e->line,
                        dlo_role_name(e->role), why);
    }
}

/* Tests base\rest (rest may be NULL) and records it if it is a file the service may trust. */
static void check_path(dlo_detector *d, const dlo_detect_entry *e, const char *base,
                       const char *rest, const char *detail, dlo_reg_view view)
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
    dlo_detect_keep(d, dlo_buf_status(&path));
    dlo_error_clear(&err);
    st = d->os->file_exists(d->os->ctx, dlo_buf_str(&path), &err);
    dlo_detect_keep(d, st);
    if (!st) {
        st = dlo_trust_file(d->fs, dlo_buf_str(&path), &err);
        dlo_detect_keep(d, st);
        if (!st)
            dlo_detect_found(d, e, dlo_buf_str(&path), detail, view, DLO_SERVICE_STOPPED);
        else if (st != DLO_E_NOMEM)
            ignore_file(d, e, dlo_buf_str(&path), detail, view, st, err.msg);
    } else if (st != DLO_E_NOTFOUND)
        dlo_detect_warn(d, true, "cannot check %s (table line %u): %s", dlo_buf_str(&path), e->line,
                        err.msg);
    dlo_buf_free(&path);
}

static void check_file(dlo_detector *d, const dlo_detect_entry *e)
{
    dlo_buf base;
    dlo_error err;
    dlo_status st;

    dlo_buf_init(&base);
    dlo_error_clear(&err);
    st = d->os->known_folder(d->os->ctx, e->folder, &base, &err);
    dlo_detect_keep(d, st);
    if (st)
        dlo_detect_warn(d, true, "cannot find the folder %%%s%% (table line %u): %s", e->folder,
                        e->line, err.msg);
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

static void check_regfile(dlo_detector *d, const dlo_detect_entry *e)
{
    size_t v;
    const char *value_label = e->value[0] ? e->value : "(default)";

    for (v = 0; v < 2; v++) {
        dlo_reg_value val;
        dlo_error err;
        dlo_status st;

        dlo_error_clear(&err);
        st = dlo_detect_read_value(d, dlo_detect_views[v], e->key, e->value, &val, &err);
        if (st && st != DLO_E_NOTFOUND)
            dlo_detect_warn(d, true, "cannot read HKLM\\%s value %s (%s, table line %u): %s",
                            e->key, value_label, dlo_reg_view_name(dlo_detect_views[v]), e->line,
                            err.msg);
        else if (!st && !dlo_detect_is_text(&val))
            dlo_detect_warn(
                d, false,
                "HKLM\\%s value %s (%s, table line %u) is the number %lu; expected a path", e->key,
                value_label, dlo_reg_view_name(dlo_detect_views[v]), e->line,
                (unsigned long)val.number);
        else if (!st && val.text[0]) {
            dlo_buf src;
            trim_path(val.text);
            dlo_buf_init(&src);
            dlo_buf_printf(&src, "HKLM\\%s\\%s", e->key, e->value);
            dlo_detect_keep(d, dlo_buf_status(&src));
            if (val.text[0])
                check_path(d, e, val.text, e->path, dlo_buf_str(&src), dlo_detect_views[v]);
            dlo_buf_free(&src);
        }
        dlo_reg_value_free(&val);
    }
}

static void check_entry(dlo_detector *d, const dlo_detect_entry *e)
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
    dlo_detector d;
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
    out->table_source = dlo_detect_dup(&d, table->source ? table->source : "");

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
        dlo_detect_keep(&d, dlo_buf_status(&what));
        dlo_detect_add_evidence(&d, &out->missed, e->role, e->kind, e->confirmed, e->line,
                                dlo_buf_str(&what), NULL, 0, DLO_SERVICE_STOPPED);
        dlo_buf_free(&what);
    }
    /* After the table: whether the Administration Server is here decides whether a lone local
     * SQL Server instance is DLO's. */
    dlo_detect_sql_server(&d, params);
    dlo_detect_candidates(&d, table);

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
