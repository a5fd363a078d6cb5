/* Detection's candidates: services and Uninstall entries whose names look like DLO's and that
 * no entry of the table matched, each with the table line that would match it. */
#include "detect_private.h"
#include "dlo/str.h"

#include <string.h>

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
static void candidate_add(dlo_detector *d, dlo_detect_kind kind, const char *name,
                          const char *display, dlo_reg_view view, const char *match)
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
    dlo_detect_keep(d, dlo_buf_status(&line));
    c = &l->items[l->count];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->view = view;
    c->name = dlo_detect_dup(d, name);
    c->display_name = dlo_detect_dup(d, display ? display : "");
    c->line = dlo_detect_dup(d, dlo_buf_str(&line));
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

void dlo_detect_candidates(dlo_detector *d, const dlo_detect_table *t)
{
    size_t i;
    dlo_detect_read_services(d);
    dlo_detect_read_uninstall(d);
    for (i = 0; i < d->services.count; i++) {
        const dlo_service *s = &d->services.items[i];
        if ((mentions_dlo(s->name) || mentions_dlo(s->display_name)) &&
            !candidate_excluded(s->name) && !table_matches(t, DLO_DETECT_SERVICE, s->name) &&
            !table_matches(t, DLO_DETECT_SERVICE_DISPLAY, s->display_name))
            candidate_add(d, DLO_DETECT_SERVICE, s->name, s->display_name, 0, s->name);
    }
    for (i = 0; i < d->n_uninstall; i++) {
        const dlo_detect_uninstall_item *u = &d->uninstall[i];
        if (mentions_dlo(u->display_name) && !candidate_excluded(u->display_name) &&
            !table_matches(t, DLO_DETECT_UNINSTALL, u->display_name))
            candidate_add(d, DLO_DETECT_UNINSTALL, u->key, u->display_name, u->view,
                          u->display_name);
    }
}
