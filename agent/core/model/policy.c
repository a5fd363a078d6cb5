#include "dlo/policy.h"

#include "dlo/rule.h"
#include "dlo/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mode keys in the file, in dlo_mode order. */
static const char *const mode_keys[DLO_MODE_COUNT] = {"nonboi", "exclusive", "occasional"};

enum {
    KEY_TABLE,
    KEY_PROCESS,
    KEY_PORT,
    KEY_PORTS,
    KEY_TYPE,
    KEY_RULE,
    KEY_NETWORK,
    KEY_MODE0, /* + dlo_mode */
    /* Optional keys follow the required ones. */
    KEY_SERVED_BY = KEY_MODE0 + DLO_MODE_COUNT,
    KEY_RPC_PORTS,
    KEY_UNTIL_DETECTED,
    KEY_COUNT,
    KEY_REQUIRED = KEY_SERVED_BY
};

static const char *const row_keys[KEY_MODE0] = {"table", "process", "port",   "ports",
                                                "type",  "rule",    "network"};
static const char *const optional_keys[KEY_COUNT - KEY_SERVED_BY] = {"served-by", "rpc-ports",
                                                                     "until-detected"};

static const char *key_name(int key)
{
    if (key < KEY_MODE0)
        return row_keys[key];
    if (key < KEY_SERVED_BY)
        return mode_keys[key - KEY_MODE0];
    return optional_keys[key - KEY_SERVED_BY];
}

static const char *const rpc_keywords[DLO_RPC_COUNT] = {"RPC-EPMap", "RPC"};

const char *dlo_rpc_keyword(int which)
{
    return (unsigned)which < DLO_RPC_COUNT ? rpc_keywords[which] : "?";
}

static const char *const net_names[DLO_NET_COUNT] = {"corporate", "internet"};

const char *dlo_policy_network_name(int network)
{
    return (unsigned)network < DLO_NET_COUNT ? net_names[network] : "?";
}

/* served-by kinds in the file, in dlo_served_by order (DLO_SERVED_UNSAID has none). */
static const char *const served_names[] = {"",        "windows",        "sql-server", "sql-browser",
                                           "service", "service-display"};

const char *dlo_served_by_name(dlo_served_by s)
{
    return (unsigned)s < sizeof(served_names) / sizeof(served_names[0]) ? served_names[s] : "";
}

typedef struct parser {
    const char *source;
    int line;
    dlo_error *err;
    dlo_policy *pol;
    bool header;         /* the first line was read */
    dlo_policy_row *row; /* the row being filled, or NULL */
    bool seen[KEY_COUNT];
    int rpc_line; /* where the row's rpc-ports and until-detected are, for messages */
    int until_line;
    bool profiles_seen[DLO_MODE_COUNT];
} parser;

static dlo_status perr(parser *p, const char *fmt, ...) DLO_PRINTF(2, 3);

static dlo_status perr(parser *p, const char *fmt, ...)
{
    char what[DLO_ERROR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (p->line > 0)
        return dlo_error_set(p->err, DLO_E_PARSE, "%s:%d: %s", p->source, p->line, what);
    return dlo_error_set(p->err, DLO_E_PARSE, "%s: %s", p->source, what);
}

/* Splits "key rest" at the first run of blanks; rest is trimmed. */
static void split_word(const char *s, size_t n, size_t *key_len, const char **rest,
                       size_t *rest_len)
{
    size_t i = 0;
    while (i < n && !dlo_is_blank(s[i]))
        i++;
    *key_len = i;
    *rest = s + i;
    *rest_len = n - i;
    dlo_trim(rest, rest_len);
}

/* Profile lists: "domain,private,public". */
static dlo_status parse_profile_list(parser *p, const char *s, size_t n, unsigned *out)
{
    const char *bad;
    size_t bad_len;
    if (!dlo_profiles_parse(s, n, out, &bad, &bad_len))
        return perr(p, "unknown profile '%.*s'; expected domain, private or public",
                    (int)(bad_len > 40 ? 40 : bad_len), bad);
    return DLO_OK;
}

/* "profiles MODE corporate=P internet=P" */
static dlo_status parse_profiles(parser *p, const char *s, size_t n)
{
    size_t wl, rl;
    const char *rest;
    dlo_mode mode;
    char name[32];
    bool seen[DLO_NET_COUNT] = {false, false};
    int net;

    split_word(s, n, &wl, &rest, &rl);
    snprintf(name, sizeof(name), "%.*s", (int)(wl > 31 ? 31 : wl), s);
    if (wl > 31 || !dlo_mode_from_name(name, &mode) || !dlo_equals(s, wl, mode_keys[mode]))
        return perr(p, "'profiles' needs a mode first: nonboi, exclusive or occasional");
    if (p->profiles_seen[mode])
        return perr(p, "profiles for %s are given twice", mode_keys[mode]);
    p->profiles_seen[mode] = true;
    while (rl) {
        size_t item_len, eq, vl;
        const char *next;
        split_word(rest, rl, &item_len, &next, &vl);
        for (eq = 0; eq < item_len && rest[eq] != '='; eq++)
            ;
        for (net = 0; net < DLO_NET_COUNT; net++)
            if (eq < item_len && dlo_equals(rest, eq, net_names[net]))
                break;
        if (net == DLO_NET_COUNT)
            return perr(p, "expected corporate=PROFILES or internet=PROFILES, got '%.*s'",
                        (int)(item_len > 60 ? 60 : item_len), rest);
        if (seen[net])
            return perr(p, "%s= is given twice", net_names[net]);
        seen[net] = true;
        if (parse_profile_list(p, rest + eq + 1, item_len - eq - 1, &p->pol->profiles[mode][net]))
            return p->err->status;
        rest = next;
        rl = vl;
    }
    for (net = 0; net < DLO_NET_COUNT; net++)
        if (!seen[net])
            return perr(p, "profiles for %s lack %s=PROFILES", mode_keys[mode], net_names[net]);
    return DLO_OK;
}

static dlo_status parse_role_list(parser *p, const char *s, size_t n, dlo_role_set *out)
{
    size_t i = 0;
    *out = 0;
    while (i <= n) {
        size_t j = i;
        dlo_role r;
        while (j < n && s[j] != ',')
            j++;
        if (j == i || !dlo_role_from_name(s + i, j - i, &r))
            return perr(p,
                        "unknown role '%.*s'; expected role names such as admin-server, "
                        "client (see README.md)",
                        (int)(j - i > 60 ? 60 : j - i), s + i);
        *out |= DLO_ROLE_BIT(r);
        i = j + 1;
    }
    return DLO_OK;
}

/* "NA" or "source=ROLES destination=ROLES" */
static dlo_status parse_mode_line(parser *p, dlo_mode mode, const char *s, size_t n)
{
    dlo_policy_row *row = p->row;
    size_t wl, rl, wl2, rl2;
    const char *rest, *rest2;

    if (dlo_equals(s, n, "NA")) {
        row->applies[mode] = false;
        return DLO_OK;
    }
    split_word(s, n, &wl, &rest, &rl);
    split_word(rest, rl, &wl2, &rest2, &rl2);
    if (wl < 7 || memcmp(s, "source=", 7) != 0 || wl2 < 12 ||
        memcmp(rest, "destination=", 12) != 0 || rl2 != 0)
        return perr(p, "%s: expected NA or source=ROLES destination=ROLES", mode_keys[mode]);
    if (parse_role_list(p, s + 7, wl - 7, &row->sources[mode]) ||
        parse_role_list(p, rest + 12, wl2 - 12, &row->destinations[mode]))
        return p->err->status;
    row->applies[mode] = true;
    return DLO_OK;
}

static dlo_status set_text(parser *p, char **field, const char *key, const char *s, size_t n)
{
    size_t i;
    if (n == 0)
        return perr(p, "'%s' needs a value", key);
    if (n > DLO_POLICY_MAX_TEXT)
        return perr(p, "'%s' is %zu bytes long; at most %d are allowed", key, n,
                    DLO_POLICY_MAX_TEXT);
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '|' || s[i] == 0x7f)
            return perr(p,
                        "'%s' holds a control character or '|', which a firewall rule cannot "
                        "carry",
                        key);
    *field = dlo_strndup(s, n);
    return *field ? DLO_OK : dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
}

static dlo_status parse_ports(parser *p, dlo_policy_row *row)
{
    dlo_error why;
    if (!dlo_portset_parse(row->ports, DLO_PORTS_SQL, &row->port_set, &why))
        return DLO_OK;
    return perr(p,
                "ports '%s' is not a port list (%s); expected numbers 1-65535 and ranges like "
                "135-139,445 (or " DLO_SQL_PORT_TOKEN ")",
                row->ports, why.msg);
}

#define SERVED_BY_EXPECTED                                                                         \
    "expected windows, sql-server, sql-browser, service NAME or service-display \"PATTERN\""

/* The argument of service and service-display: a word, or text in double quotes (display
 * names have blanks). A service short name holds no '/' or '\\' (the SCM refuses them). */
static dlo_status served_by_name(parser *p, dlo_served_by kind, const char *s, size_t n)
{
    dlo_policy_row *row = p->row;
    const char *what = kind == DLO_SERVED_SERVICE ? "a service name" : "a display-name pattern";
    size_t i;

    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    } else if (n && (s[0] == '"' || s[n - 1] == '"')) {
        return perr(p, "served-by %s: the quote is not closed; expected %s in \"...\"",
                    served_names[kind], what);
    } else {
        for (i = 0; i < n; i++)
            if (dlo_is_blank(s[i]))
                return perr(p, "served-by %s: '%.*s' holds blanks; put %s in double quotes",
                            served_names[kind], (int)(n > 60 ? 60 : n), s, what);
    }
    if (n == 0)
        return perr(p, "served-by %s needs %s; " SERVED_BY_EXPECTED, served_names[kind], what);
    if (n > DLO_SERVED_BY_MAX_NAME)
        return perr(p, "served-by %s: the name is %zu bytes long; at most %d are allowed",
                    served_names[kind], n, DLO_SERVED_BY_MAX_NAME);
    for (i = 0; i < n; i++) {
        if (s[i] == '"' || (kind == DLO_SERVED_SERVICE &&
                            (s[i] == '/' || s[i] == '\\' || s[i] == '*' || s[i] == '?')))
            return perr(p, "served-by %s: '%.*s' holds '%c'; expected %s", served_names[kind],
                        (int)(n > 60 ? 60 : n), s, s[i],
                        kind == DLO_SERVED_SERVICE
                            ? "a service short name (no wildcards; for a pattern of the display "
                              "name use service-display)"
                            : "a pattern without inner quotes");
    }
    row->served_by = kind;
    return set_text(p, &row->served_name, "served-by", s, n);
}

/* "windows", "sql-server", "sql-browser", "service NAME", "service-display \"PATTERN\"" */
static dlo_status parse_served_by(parser *p, const char *s, size_t n)
{
    size_t wl, rl;
    const char *rest;
    int kind;

    split_word(s, n, &wl, &rest, &rl);
    for (kind = DLO_SERVED_WINDOWS; kind <= DLO_SERVED_SERVICE_DISPLAY; kind++)
        if (dlo_equals(s, wl, served_names[kind]))
            break;
    if (kind > DLO_SERVED_SERVICE_DISPLAY)
        return perr(p, "served-by '%.*s' is unknown; " SERVED_BY_EXPECTED, (int)(wl > 40 ? 40 : wl),
                    s);
    if (kind == DLO_SERVED_SERVICE || kind == DLO_SERVED_SERVICE_DISPLAY)
        return served_by_name(p, (dlo_served_by)kind, rest, rl);
    if (rl)
        return perr(p, "served-by %s takes nothing after it, got '%.*s'", served_names[kind],
                    (int)(rl > 40 ? 40 : rl), rest);
    p->row->served_by = (dlo_served_by)kind;
    return DLO_OK;
}

/* "RPC-EPMap=135 RPC=49152-65535": which items of the row's ports each keyword stands for. */
static dlo_status parse_rpc_ports(parser *p, const char *s, size_t n)
{
    dlo_policy_row *row = p->row;
    p->rpc_line = p->line;
    while (n) {
        size_t item_len, eq, rest_len;
        const char *rest;
        int k;
        dlo_error why;
        char list[DLO_POLICY_MAX_TEXT + 1];

        split_word(s, n, &item_len, &rest, &rest_len);
        for (eq = 0; eq < item_len && s[eq] != '='; eq++)
            ;
        for (k = 0; k < DLO_RPC_COUNT; k++)
            if (eq < item_len && dlo_equals(s, eq, rpc_keywords[k]))
                break;
        if (k == DLO_RPC_COUNT)
            return perr(p, "rpc-ports: expected RPC-EPMap=PORTS or RPC=PORTS, got '%.*s'",
                        (int)(item_len > 60 ? 60 : item_len), s);
        if (row->rpc_ports[k].n_items)
            return perr(p, "rpc-ports: %s= is given twice", rpc_keywords[k]);
        if (item_len - eq - 1 > DLO_POLICY_MAX_TEXT)
            return perr(p, "rpc-ports: the list of %s is too long", rpc_keywords[k]);
        snprintf(list, sizeof(list), "%.*s", (int)(item_len - eq - 1), s + eq + 1);
        if (dlo_portset_parse(list, 0, &row->rpc_ports[k], &why))
            return perr(p, "rpc-ports: %s=%s is not a port list (%s)", rpc_keywords[k], list,
                        why.msg);
        row->has_rpc_ports = true;
        s = rest;
        n = rest_len;
    }
    return DLO_OK;
}

/* Windows takes its RPC keywords only on inbound TCP LocalPorts (MS-FASP 2.2.37), and the
 * planner splits them off the row's own list, so each must stand for items of that list. */
static dlo_status check_rpc_ports(parser *p, const dlo_policy_row *row)
{
    int k;
    size_t i;
    p->line = p->rpc_line;
    if (row->protocols != DLO_PROTOS_TCP)
        return perr(p,
                    "rpc-ports needs a TCP row (Windows takes RPC keywords on TCP only); row "
                    "%s is %s",
                    row->id, row->type);
    for (k = 0; k < DLO_RPC_COUNT; k++) {
        for (i = 0; i < row->rpc_ports[k].n_items; i++) {
            const dlo_port_item *it = &row->rpc_ports[k].items[i];
            char item[16];
            if (it->lo == it->hi)
                snprintf(item, sizeof(item), "%u", it->lo);
            else
                snprintf(item, sizeof(item), "%u-%u", it->lo, it->hi);
            if (!dlo_portset_has_item(&row->port_set, it))
                return perr(p,
                            "rpc-ports: %s names %s, which is not an item of ports '%s'; "
                            "expected ports or ranges written in the row's ports",
                            rpc_keywords[k], item, row->ports);
            if (k > 0 && dlo_portset_has_item(&row->rpc_ports[0], it))
                return perr(p, "rpc-ports: %s is given to both %s and %s", item, rpc_keywords[0],
                            rpc_keywords[k]);
        }
    }
    return DLO_OK;
}

/* A role whose rules close once it is detected must be one the row opens inbound rules for. */
static dlo_status check_until_detected(parser *p, const dlo_policy_row *row)
{
    dlo_role_set inbound = 0;
    int m, r;
    for (m = 0; m < DLO_MODE_COUNT; m++)
        if (row->applies[m])
            inbound |= row->destinations[m];
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if ((row->until_detected & DLO_ROLE_BIT(r)) && !(inbound & DLO_ROLE_BIT(r))) {
            p->line = p->until_line;
            return perr(p,
                        "until-detected names %s, which is no destination of row %s in any "
                        "mode; expected roles the row opens inbound rules for",
                        dlo_role_name((dlo_role)r), row->id);
        }
    }
    return DLO_OK;
}

static dlo_status parse_row_key(parser *p, const char *s, size_t n)
{
    dlo_policy_row *row = p->row;
    size_t kl, vl;
    const char *v;
    int key;

    split_word(s, n, &kl, &v, &vl);
    for (key = 0; key < KEY_COUNT; key++)
        if (dlo_equals(s, kl, key_name(key)))
            break;
    if (key == KEY_COUNT)
        return perr(p,
                    "unknown key '%.*s' in row %s; expected table, process, port, ports, "
                    "type, rule, network, nonboi, exclusive, occasional, served-by, rpc-ports "
                    "or until-detected",
                    (int)(kl > 40 ? 40 : kl), s, row->id);
    if (p->seen[key])
        return perr(p, "'%.*s' is given twice in row %s", (int)kl, s, row->id);
    p->seen[key] = true;
    if (vl == 0)
        return perr(p, "'%.*s' needs a value", (int)kl, s);

    switch (key) {
    case KEY_TABLE:
        if (!dlo_equals(v, vl, "server") && !dlo_equals(v, vl, "client"))
            return perr(p, "table must be server or client");
        return set_text(p, &row->table, "table", v, vl);
    case KEY_PROCESS:
        return set_text(p, &row->process, "process", v, vl);
    case KEY_PORT:
        return set_text(p, &row->port_text, "port", v, vl);
    case KEY_PORTS:
        if (set_text(p, &row->ports, "ports", v, vl))
            return p->err->status;
        return parse_ports(p, row);
    case KEY_TYPE:
        if (dlo_equals(v, vl, "TCP") || dlo_equals(v, vl, "HTTP") || dlo_equals(v, vl, "HTTPS") ||
            dlo_equals(v, vl, "AJP"))
            row->protocols = DLO_PROTOS_TCP;
        else if (dlo_equals(v, vl, "UDP"))
            row->protocols = DLO_PROTOS_UDP;
        else if (dlo_equals(v, vl, "TCP/UDP"))
            row->protocols = DLO_PROTOS_TCP | DLO_PROTOS_UDP;
        else
            return perr(p, "type '%.*s' is unknown; expected TCP, UDP, TCP/UDP, HTTP, HTTPS or AJP",
                        (int)(vl > 40 ? 40 : vl), v);
        return set_text(p, &row->type, "type", v, vl);
    case KEY_RULE:
        return set_text(p, &row->rule, "rule", v, vl);
    case KEY_NETWORK:
        if (dlo_equals(v, vl, "corporate"))
            row->network = DLO_NET_CORPORATE;
        else if (dlo_equals(v, vl, "internet"))
            row->network = DLO_NET_INTERNET;
        else
            return perr(p, "network must be corporate or internet");
        return DLO_OK;
    case KEY_SERVED_BY:
        return parse_served_by(p, v, vl);
    case KEY_RPC_PORTS:
        return parse_rpc_ports(p, v, vl);
    case KEY_UNTIL_DETECTED:
        p->until_line = p->line;
        return parse_role_list(p, v, vl, &row->until_detected);
    default:
        return parse_mode_line(p, (dlo_mode)(key - KEY_MODE0), v, vl);
    }
}

/* A row is complete when every required key was given, and its optional keys fit the rest. */
static dlo_status finish_row(parser *p)
{
    int key, line = p->line;
    if (!p->row)
        return DLO_OK;
    for (key = 0; key < KEY_REQUIRED; key++) {
        if (!p->seen[key]) {
            p->line = p->row->line;
            return perr(p, "row %s lacks '%s'", p->row->id, key_name(key));
        }
    }
    if ((p->row->has_rpc_ports && check_rpc_ports(p, p->row)) || check_until_detected(p, p->row))
        return p->err->status;
    p->line = line;
    p->row = NULL;
    return DLO_OK;
}

static dlo_status start_row(parser *p, const char *id, size_t n)
{
    dlo_policy *pol = p->pol;
    dlo_policy_row *row;
    size_t i;

    if (n == 0)
        return perr(p, "'row' needs an id, e.g. row server.sql");
    for (i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return perr(p, "row id '%.*s' may hold only a-z, 0-9, '.' and '-'",
                        (int)(n > 60 ? 60 : n), id);
    }
    if (n > 64)
        return perr(p, "row id is longer than 64 characters");
    for (i = 0; i < pol->n_rows; i++)
        if (dlo_equals(id, n, pol->rows[i].id))
            return perr(p, "row %s is defined twice (first at line %d)", pol->rows[i].id,
                        pol->rows[i].line);
    if (pol->n_rows == DLO_POLICY_MAX_ROWS)
        return perr(p, "more than %d rows", DLO_POLICY_MAX_ROWS);
    row = realloc(pol->rows, (pol->n_rows + 1) * sizeof(*row));
    if (!row)
        return dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
    pol->rows = row;
    row = &pol->rows[pol->n_rows++];
    memset(row, 0, sizeof(*row));
    row->line = p->line;
    row->id = dlo_strndup(id, n);
    if (!row->id)
        return dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
    p->row = row;
    memset(p->seen, 0, sizeof(p->seen));
    return DLO_OK;
}

static bool same_rpc_ports(const dlo_policy_row *a, const dlo_policy_row *b)
{
    int k;
    for (k = 0; k < DLO_RPC_COUNT; k++)
        if (!dlo_portset_equal(&a->rpc_ports[k], &b->rpc_ports[k]))
            return false;
    return true;
}

/* Rows that share a rule name become one firewall rule, which is only sound when they open the
 * same ports the same way on the same profiles: then the merged rule allows exactly the union of
 * what the rows allow. */
static dlo_status check_shared_rules(parser *p)
{
    size_t i, j;
    for (i = 0; i < p->pol->n_rows; i++) {
        const dlo_policy_row *a = &p->pol->rows[i];
        for (j = i + 1; j < p->pol->n_rows; j++) {
            const dlo_policy_row *b = &p->pol->rows[j];
            if (strcmp(a->rule, b->rule) != 0)
                continue;
            if (!dlo_portset_equal(&a->port_set, &b->port_set) || a->protocols != b->protocols ||
                a->network != b->network || !same_rpc_ports(a, b)) {
                p->line = b->line;
                return perr(p,
                            "rows %s and %s share the rule name '%s' but differ in ports, "
                            "rpc-ports, type or network; give one of them another rule name",
                            a->id, b->id, a->rule);
            }
            if (a->served_by != b->served_by ||
                !dlo_str_equal_ci(dlo_str(a->served_name), dlo_str(b->served_name))) {
                p->line = b->line;
                return perr(p,
                            "rows %s and %s share the rule name '%s' but not served-by (one "
                            "rule is bound to one program); give both the same served-by",
                            a->id, b->id, a->rule);
            }
        }
    }
    return DLO_OK;
}

/* One line, blanks at both ends gone (n > 0, not a comment). */
static dlo_status parse_line(parser *p, const char *line, size_t n, bool indented)
{
    size_t kl, vl;
    const char *v;

    if (!p->header) {
        if (!dlo_equals(line, n, "dloagent-policy 1"))
            return perr(p, "expected 'dloagent-policy 1' as the first line");
        p->header = true;
        return DLO_OK;
    }
    if (indented) {
        if (!p->row)
            return perr(p, "indented line outside a row; expected 'row ID' before it");
        return parse_row_key(p, line, n);
    }
    if (finish_row(p))
        return p->err->status;
    split_word(line, n, &kl, &v, &vl);
    if (dlo_equals(line, kl, "row"))
        return start_row(p, v, vl);
    if (dlo_equals(line, kl, "release"))
        return p->pol->release ? perr(p, "release is given twice")
                               : set_text(p, &p->pol->release, "release", v, vl);
    if (dlo_equals(line, kl, "profiles"))
        return parse_profiles(p, v, vl);
    return perr(p,
                "unknown line '%.*s'; expected release, profiles or row (row keys are "
                "indented)",
                (int)(kl > 40 ? 40 : kl), line);
}

/* Names from the file become rule names and descriptions, which Windows keeps in UTF-16: bytes
 * that are not UTF-8 would read back changed and be rewritten on every pass. */
static bool valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = (unsigned char)s[i] < 0x80 ? 1 : dlo_utf8_decode(s + i, n - i, NULL);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* Splits the text into lines (LF or CRLF) and parses each. */
static dlo_status parse_lines(parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* Notepad's UTF-8 mark */
        pos = 3;
    while (pos < len) {
        const char *line = text + pos;
        size_t n = 0;
        bool indented;

        while (pos + n < len && text[pos + n] != '\n')
            n++;
        pos += n + 1;
        p->line++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n > DLO_POLICY_MAX_LINE)
            return perr(p, "line is longer than %d bytes", DLO_POLICY_MAX_LINE);
        if (memchr(line, '\0', n))
            return perr(p, "holds a NUL byte; expected text");
        if (!valid_utf8(line, n))
            return perr(p, "is not valid UTF-8; expected a file saved as UTF-8");
        indented = n && dlo_is_blank(line[0]);
        dlo_trim(&line, &n);
        if (n == 0 || line[0] == '#')
            continue;
        if (parse_line(p, line, n, indented))
            return p->err->status;
    }
    return DLO_OK;
}

/* What the whole file must have once every line is read. */
static dlo_status check_complete(parser *p)
{
    int m;
    p->line = 0;
    if (!p->header)
        return perr(p, "is empty; expected 'dloagent-policy 1' as the first line");
    if (finish_row(p))
        return p->err->status;
    p->line = 0;
    if (!p->pol->release)
        return perr(p, "lacks a 'release' line");
    for (m = 0; m < DLO_MODE_COUNT; m++)
        if (!p->profiles_seen[m])
            return perr(p, "lacks 'profiles %s corporate=... internet=...'", mode_keys[m]);
    if (p->pol->n_rows == 0)
        return perr(p, "has no rows");
    return check_shared_rules(p);
}

dlo_status dlo_policy_parse(const char *text, size_t len, const char *source, dlo_policy *out,
                            dlo_error *err)
{
    parser p;
    dlo_status st;
    dlo_error local;

    if (!err)
        err = &local; /* the parser reads back the status it recorded */
    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    p.source = source;
    p.err = err;
    p.pol = out;

    out->source = dlo_strdup(source);
    if (!out->source)
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (len > DLO_POLICY_MAX_BYTES)
        st = perr(&p, "is %zu bytes; a policy file has at most %u", len, DLO_POLICY_MAX_BYTES);
    else
        st = parse_lines(&p, text, len);
    if (!st)
        st = check_complete(&p);
    if (st)
        dlo_policy_free(out);
    return st;
}

void dlo_policy_free(dlo_policy *pol)
{
    size_t i;
    int k;
    for (i = 0; i < pol->n_rows; i++) {
        dlo_policy_row *r = &pol->rows[i];
        free(r->id);
        free(r->table);
        free(r->process);
        free(r->port_text);
        free(r->ports);
        dlo_portset_free(&r->port_set);
        for (k = 0; k < DLO_RPC_COUNT; k++)
            dlo_portset_free(&r->rpc_ports[k]);
        free(r->type);
        free(r->rule);
        free(r->served_name);
    }
    free(pol->rows);
    free(pol->source);
    free(pol->release);
    memset(pol, 0, sizeof(*pol));
}
