/* The matching model of foreign rules (dlo/match.h): one row per field, each with its judge. */
#include "dlo/match.h"

#include "dlo/addr.h"
#include "dlo/binding.h"
#include "dlo/policy.h"
#include "dlo/portset.h"
#include "dlo/status.h"
#include "dlo/str.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct judge_in {
    const dlo_rule *f; /* the foreign rule */
    const dlo_rule *p; /* the planned path */
    const dlo_os_version *os;
    dlo_match_purpose purpose;
    char *why;
    size_t why_len;
    /* Thousands of rules are judged per run, nearly all of them answered by a row that is never
     * shown: the rows are first judged quiet, and only the one whose sentence is kept is judged
     * again to write it. `said`: the row had a sentence. */
    bool quiet, said;
} judge_in;

typedef dlo_match_answer (*judge_fn)(const judge_in *in);

static dlo_match_answer say(const judge_in *in, dlo_match_answer a, const char *fmt, ...)
    DLO_PRINTF(3, 4);
static dlo_match_answer say(const judge_in *in, dlo_match_answer a, const char *fmt, ...)
{
    va_list ap;
    ((judge_in *)in)->said = true;
    if (in->quiet)
        return a;
    va_start(ap, fmt);
    vsnprintf(in->why, in->why_len, fmt, ap);
    va_end(ap);
    return a;
}

static bool is_set(const char *s)
{
    return s && *s;
}

/* ---- the gates: active, action, ownership, direction, protocol, profiles ---- */

/* The connection security rules' actions (MS-GPFAS 2.2.6.2 CS-ACTION-VAL): such a rule sets
 * IPsec requirements and is no firewall rule, whichever key it was written under. */
static bool security_rule_action(const char *fields)
{
    static const char *const actions[] = {"Action=SecureServer|", "Action=Boundary|",
                                          "Action=Secure|", "Action=DoNotSecure|"};
    char buf[64];
    size_t i;
    const char *at = strstr(dlo_str(fields), "Action=");
    size_t n = at ? strcspn(at, "|") : 0;
    if (!at || n + 2 > sizeof(buf))
        return false;
    memcpy(buf, at, n);
    memcpy(buf + n, "|", 2);
    for (i = 0; i < sizeof(actions) / sizeof(*actions); i++)
        if (strcmp(buf, actions[i]) == 0)
            return true;
    return false;
}

static dlo_match_answer judge_active(const judge_in *in)
{
    if (in->f->unreadable & DLO_PROP_ENABLED)
        return say(in, DLO_MATCH_MAYBE, "its Active value did not read");
    if (!in->f->enabled)
        return say(in, DLO_MATCH_NO, "it is not active");
    return DLO_MATCH_YES;
}

static dlo_match_answer judge_action(const judge_in *in)
{
    bool block = in->purpose == DLO_MATCH_BLOCKS;
    if (in->f->unreadable & DLO_PROP_ACTION)
        return security_rule_action(in->f->other_fields)
                   ? say(in, DLO_MATCH_NO,
                         "its action is a connection security rule's, which "
                         "neither blocks nor allows traffic")
                   : say(in, DLO_MATCH_MAYBE, "its action did not read");
    if (block != (in->f->action == DLO_ACTION_BLOCK))
        return say(in, DLO_MATCH_NO, "it is an %s rule", block ? "Allow" : "Block");
    return DLO_MATCH_YES;
}

static dlo_match_answer judge_owner(const judge_in *in)
{
    if (in->f->grouping && strcmp(in->f->grouping, DLO_RULE_GROUPING) == 0)
        return say(in, DLO_MATCH_NO, "it is the agent's own rule, judged against the plan");
    return DLO_MATCH_YES;
}

static dlo_match_answer judge_direction(const judge_in *in)
{
    if (in->f->unreadable & DLO_PROP_DIRECTION)
        return say(in, DLO_MATCH_MAYBE, "its direction did not read");
    if (in->f->direction != in->p->direction)
        return say(in, DLO_MATCH_NO, "it is %sbound", dlo_direction_name(in->f->direction));
    return DLO_MATCH_YES;
}

static dlo_match_answer judge_protocol(const judge_in *in)
{
    if (in->f->unreadable & DLO_PROP_PROTOCOL)
        return say(in, DLO_MATCH_MAYBE, "its protocol did not read");
    if (in->f->protocol != DLO_PROTO_ANY && in->f->protocol != in->p->protocol)
        return say(in, DLO_MATCH_NO, "it is for protocol %d", in->f->protocol);
    return DLO_MATCH_YES;
}

/* An Allow rule on a profile the plan leaves closed is wider, not apart: the caller says so. */
static dlo_match_answer judge_profiles(const judge_in *in)
{
    if (in->f->unreadable & DLO_PROP_PROFILES)
        return say(in, DLO_MATCH_MAYBE, "its profiles did not read");
    if (in->purpose == DLO_MATCH_BLOCKS && !(in->f->profiles & in->p->profiles & DLO_PROFILE_ALL))
        return say(in, DLO_MATCH_NO, "it is on none of the path's profiles");
    return DLO_MATCH_YES;
}

/* ---- ports ---- */

static bool has_keyword(const dlo_portset *s, const char *keyword)
{
    size_t i;
    for (i = 0; i < s->n_items; i++)
        if (s->items[i].kind == DLO_PORT_KEYWORD && strcmp(s->items[i].keyword, keyword) == 0)
            return true;
    return false;
}

/* Both lists read: what the foreign ports hold against the path's. Keywords stand for the ports
 * Windows' own components hold at run time (MS-FASP 2.2.14, PortsInUse 3.1.1): the same keyword
 * is the same traffic, RPC-EPMap is TCP 135 (dlo_portset_overlap), and a keyword meets numbers
 * only where Windows itself serves the path, or where the path's RPC endpoints are placed. */
static dlo_match_answer ports_meet(const judge_in *in, const dlo_portset *f, const dlo_portset *p,
                                   const char *fl, const char *pl)
{
    bool f_words = f->keywords != 0, p_words = p->keywords != 0;
    if (dlo_portset_overlap(f, p))
        return say(in, DLO_MATCH_YES, "%s meets %s", fl, pl);
    if (p_words && has_keyword(p, "RPC") && f->n_ranges)
        return say(in, DLO_MATCH_MAYBE,
                   "RPC's endpoints are placed at run time and may be among %s", fl);
    if (f_words && p->n_ranges && in->p->served_by == DLO_SERVED_WINDOWS)
        return say(in, DLO_MATCH_MAYBE,
                   "%s stands for ports Windows' own components hold, and Windows serves this "
                   "path on %s",
                   fl, pl);
    return say(in, DLO_MATCH_NO, "%s does not meet %s", fl, pl);
}

/* The next item of a list of plain numbers and ranges ("80,8000-8100") at *s; false at its end,
 * or (with *plain false) at anything else, such as a keyword or a blank. */
static bool next_range(const char **s, unsigned *lo, unsigned *hi, bool *plain)
{
    const char *p = *s;
    char *end;
    if (!*p)
        return false;
    if (*p < '0' || *p > '9')
        return *plain = false;
    *lo = *hi = (unsigned)strtoul(p, &end, 10);
    if (*end == '-' && end[1] >= '0' && end[1] <= '9')
        *hi = (unsigned)strtoul(end + 1, &end, 10);
    if (*end != ',' && *end)
        return *plain = false;
    *s = *end ? end + 1 : end;
    return true;
}

/* Whether two lists of plain numbers and ranges meet, without building port sets (a run judges
 * every foreign rule against every planned one); false in *plain when either is not that. */
static bool plain_overlap(const char *a, const char *b, bool *plain)
{
    unsigned alo, ahi, blo, bhi;
    const char *x = a, *y;
    *plain = true;
    while (next_range(&x, &alo, &ahi, plain))
        for (y = b; next_range(&y, &blo, &bhi, plain);)
            if (alo <= bhi && blo <= ahi)
                return true;
    for (y = b; *plain && next_range(&y, &blo, &bhi, plain);)
        ;
    return false;
}

static dlo_match_answer judge_ports(const judge_in *in, const char *fl, const char *pl,
                                    unsigned bit)
{
    bool plain, meet;
    dlo_portset f, p;
    dlo_match_answer a;
    if (in->f->unreadable & bit)
        return say(in, DLO_MATCH_MAYBE, "its ports did not read");
    if (dlo_list_is_any(fl))
        return DLO_MATCH_YES;
    if (dlo_list_is_any(pl))
        return in->purpose == DLO_MATCH_OPENS
                   ? DLO_MATCH_YES
                   : say(in, DLO_MATCH_MAYBE,
                         "it holds only %s, and the plan leaves this side's ports to the "
                         "connection (ephemeral ports)",
                         fl);
    meet = plain_overlap(fl, pl, &plain);
    if (plain)
        return meet ? say(in, DLO_MATCH_YES, "%s meets %s", fl, pl)
                    : say(in, DLO_MATCH_NO, "%s does not meet %s", fl, pl);
    if (dlo_portset_parse(fl, DLO_PORTS_FIREWALL, &f, NULL))
        return say(in, DLO_MATCH_MAYBE, "its ports %.100s do not read", fl);
    if (dlo_portset_parse(pl, DLO_PORTS_FIREWALL, &p, NULL)) {
        dlo_portset_free(&f);
        return say(in, DLO_MATCH_MAYBE, "the path's ports %.100s do not read", pl);
    }
    a = ports_meet(in, &f, &p, fl, pl);
    dlo_portset_free(&f);
    dlo_portset_free(&p);
    return a;
}

static dlo_match_answer judge_local_ports(const judge_in *in)
{
    return judge_ports(in, dlo_str(in->f->local_ports), dlo_str(in->p->local_ports),
                       DLO_PROP_LOCAL_PORTS);
}

static dlo_match_answer judge_remote_ports(const judge_in *in)
{
    return judge_ports(in, dlo_str(in->f->remote_ports), dlo_str(in->p->remote_ports),
                       DLO_PROP_REMOTE_PORTS);
}

/* ---- addresses ---- */

/* A prefix length 0-32 filling s[0..n). */
static bool read_prefix(const char *s, size_t n, unsigned *bits)
{
    size_t i;
    *bits = 0;
    if (!n || n > 2)
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *bits = *bits * 10 + (unsigned)(s[i] - '0');
    }
    return *bits <= 32;
}

static dlo_match_answer judge_local_addresses(const judge_in *in)
{
    if (dlo_list_is_any(in->f->local_addresses) && !(in->f->unreadable & DLO_PROP_LOCAL_ADDRESSES))
        return DLO_MATCH_YES;
    if (in->purpose == DLO_MATCH_OPENS)
        return DLO_MATCH_YES;
    return say(in, DLO_MATCH_MAYBE,
               "it holds only the local addresses %.100s, and which of this machine's addresses "
               "DLO's traffic uses is not known here",
               dlo_str(in->f->local_addresses));
}

static bool has_addr_keyword(const dlo_addrset *s, const char *keyword)
{
    size_t i;
    for (i = 0; i < s->count; i++)
        if (s->items[i].kind == DLO_ADDR_KEYWORD &&
            (!keyword || strcmp(s->items[i].keyword, keyword) == 0))
            return true;
    return false;
}

static bool addr_keyword_shared(const dlo_addrset *f, const dlo_addrset *p)
{
    size_t i;
    for (i = 0; i < f->count; i++)
        if (f->items[i].kind == DLO_ADDR_KEYWORD && has_addr_keyword(p, f->items[i].keyword))
            return true;
    return false;
}

/* Both lists read, neither any. Keywords (LocalSubnet, DNS, Intranet, ...) stand for addresses
 * this machine works out at run time (MS-FASP 2.2.21), which the agent does not: a keyword meets
 * the same keyword, and may meet anything else. */
static dlo_match_answer addrs_meet(const judge_in *in, const dlo_addrset *f, const dlo_addrset *p,
                                   const char *fl, const char *pl)
{
    if (addr_keyword_shared(f, p) || dlo_addrset_meet(f, p) != DLO_ADDR_APART)
        return say(in, DLO_MATCH_YES, "its remote addresses %.90s meet the peers' %.90s", fl, pl);
    if (has_addr_keyword(f, NULL) || has_addr_keyword(p, NULL))
        return say(in, DLO_MATCH_MAYBE,
                   "whether its remote addresses %.90s take in the peers' %.90s is decided at "
                   "run time (address keywords)",
                   fl, pl);
    return say(in, DLO_MATCH_NO, "its remote addresses %.90s are apart from the peers' %.90s", fl,
               pl);
}

/* One IPv4 token of a list ("10.0.0.1", "10.0.0.0/255.0.0.0", "10.0.0.0/8", "a-b") as the range
 * of addresses it covers; false for anything else (IPv6, a keyword). */
static bool v4_token(const char *t, size_t n, uint32_t *lo, uint32_t *hi)
{
    const char *sep = t;
    unsigned char a[4], b[4];
    unsigned bits = 0;
    while (sep < t + n && *sep != '/' && *sep != '-')
        sep++;
    if (!dlo_addr_parse_ipv4(t, (size_t)(sep - t), a))
        return false;
    *lo = *hi = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    if (sep == t + n)
        return true;
    if (*sep == '-' && dlo_addr_parse_ipv4(sep + 1, n - (size_t)(sep - t) - 1, b)) {
        *hi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        return *lo <= *hi;
    }
    if (*sep != '/')
        return false;
    if (dlo_addr_parse_ipv4(sep + 1, n - (size_t)(sep - t) - 1, b)) {
        uint32_t mask = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        bits = dlo_bit_count(mask);
        if (bits && mask != ~(uint32_t)0 << (32 - bits))
            return false; /* not a prefix: the full reader judges it */
    } else if (!read_prefix(sep + 1, n - (size_t)(sep - t) - 1, &bits)) {
        return false;
    }
    if (!bits)
        return false;
    *lo &= ~(uint32_t)0 << (32 - bits);
    *hi = *lo | ~(~(uint32_t)0 << (32 - bits));
    return true;
}

/* Whether two lists of plain IPv4 entries meet, without building address sets; false in *plain
 * when either holds anything else. */
static bool plain_v4_meet(const char *a, const char *b, bool *plain)
{
    const char *x, *y;
    uint32_t alo, ahi, blo, bhi;
    bool meet = false;
    *plain = true;
    for (x = a; *x && *plain; x += strcspn(x, ",") + (x[strcspn(x, ",")] == ',')) {
        *plain = v4_token(x, strcspn(x, ","), &alo, &ahi);
        for (y = b; *y && *plain; y += strcspn(y, ",") + (y[strcspn(y, ",")] == ',')) {
            *plain = v4_token(y, strcspn(y, ","), &blo, &bhi);
            meet = meet || (*plain && alo <= bhi && blo <= ahi);
        }
    }
    return meet;
}

static dlo_match_answer judge_remote_addresses(const judge_in *in)
{
    const char *fl = dlo_str(in->f->remote_addresses), *pl = dlo_str(in->p->remote_addresses);
    dlo_addrset f, p;
    dlo_match_answer a;
    bool plain, meet;
    if (in->f->unreadable & DLO_PROP_REMOTE_ADDRESSES)
        return say(in, DLO_MATCH_MAYBE, "its remote addresses did not read");
    if (dlo_list_is_any(fl) || in->purpose == DLO_MATCH_OPENS)
        return DLO_MATCH_YES;
    if (dlo_list_is_any(pl))
        return say(in, DLO_MATCH_MAYBE,
                   "it holds only the remote addresses %.100s, and the path's peers are any "
                   "address (their scope is *)",
                   fl);
    meet = plain_v4_meet(fl, pl, &plain);
    if (plain)
        return meet ? say(in, DLO_MATCH_YES, "its remote addresses %.90s meet the peers' %.90s", fl,
                          pl)
                    : say(in, DLO_MATCH_NO,
                          "its remote addresses %.90s are apart from the peers' %.90s", fl, pl);
    if (dlo_addrset_read(fl, &f))
        return say(in, DLO_MATCH_MAYBE, "its remote addresses %.100s do not read", fl);
    if (dlo_addrset_read(pl, &p)) {
        dlo_addrset_free(&f);
        return say(in, DLO_MATCH_MAYBE, "the peers' addresses %.100s do not read", pl);
    }
    a = addrs_meet(in, &f, &p, fl, pl);
    dlo_addrset_free(&f);
    dlo_addrset_free(&p);
    return a;
}

/* ---- program and service ---- */

/* The last component of a path. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '\\');
    const char *t = strrchr(path, '/');
    if (t && (!s || t > s))
        s = t;
    return s ? s + 1 : path;
}

/* A program of Windows itself: the Windows folder by its variables (the form Windows' own rules
 * keep, docs/verify.md "Rules bound to the program that serves them") or on any drive. */
static bool in_windows_folder(const char *path)
{
    return dlo_str_prefix_ci(path, "%SystemRoot%\\") || dlo_str_prefix_ci(path, "%windir%\\") ||
           (dlo_path_on_drive(path, strlen(path)) && dlo_str_prefix_ci(path + 2, "\\Windows\\"));
}

/* The kernel, which Windows' own rules name "System": it serves SMB and NetBIOS. */
static bool is_kernel(const char *path)
{
    return dlo_str_equal_ci(path, "System");
}

/* The path is bound to a program: the same one (ignoring case) applies, one of another name
 * certainly does not, and the same name elsewhere, or behind a variable, may. */
static dlo_match_answer program_vs_bound(const judge_in *in, const char *app)
{
    const char *mine = in->p->application;
    if (dlo_str_equal_ci(app, mine))
        return say(in, DLO_MATCH_YES, "it is for %.100s, the program the path is bound to", app);
    if (!dlo_str_equal_ci(base_name(app), base_name(mine)) ||
        (dlo_path_on_drive(app, strlen(app)) && !strchr(app, '%')))
        return say(in, DLO_MATCH_NO, "it is for %.100s, not %.100s, which serves the path", app,
                   mine);
    return say(in, DLO_MATCH_MAYBE, "it is for %.100s, which may be %.100s", app, mine);
}

/* Windows serves file sharing (System: SMB, NetBIOS) and RPC (svchost.exe: the endpoint mapper,
 * and Windows' services behind the dynamic endpoints). */
static dlo_match_answer program_vs_windows(const judge_in *in, const char *app)
{
    if (is_kernel(app) ||
        (in_windows_folder(app) && dlo_str_equal_ci(base_name(app), "svchost.exe")))
        return say(in, DLO_MATCH_YES, "it is for %.100s, which serves Windows' part of the path",
                   app);
    if (in_windows_folder(app))
        return say(in, DLO_MATCH_MAYBE,
                   "it is for %.100s, one of Windows' programs, which may hold one of RPC's "
                   "endpoints",
                   app);
    return say(in, DLO_MATCH_NO, "it is for %.100s, which is not Windows' own", app);
}

/* Out on a path Windows serves: SMB connects from the kernel, RPC from DLO's own program (which
 * is not in the Windows folder); any other program of Windows is not DLO's traffic. */
static dlo_match_answer program_out_windows(const judge_in *in, const char *app)
{
    if (is_kernel(app))
        return say(in, DLO_MATCH_YES, "it is for System, which makes Windows' SMB connections");
    if (in_windows_folder(app))
        return say(in, DLO_MATCH_NO,
                   "it is for %.100s, a program of Windows that is neither the kernel's SMB nor "
                   "DLO's own",
                   app);
    return say(in, DLO_MATCH_MAYBE, "it is for %.100s, which may be DLO's program connecting out",
               app);
}

/* A path DLO's own program or SQL Server serves, unbound: a program of Windows itself is
 * certainly not it; SQL Server's programs are known by name (sqlservr.exe, sqlbrowser.exe). */
static dlo_match_answer program_vs_dlo(const judge_in *in, const char *app, const char *exe)
{
    if (is_kernel(app) || in_windows_folder(app))
        return say(in, DLO_MATCH_NO, "it is for %.100s, a program of Windows itself, not DLO's",
                   app);
    if (exe && !dlo_str_equal_ci(base_name(app), exe))
        return say(in, DLO_MATCH_NO, "it is for %.100s, and SQL Server's program is %s", app, exe);
    return say(in, DLO_MATCH_MAYBE, "it is for %.100s, which may be the program serving the path",
               app);
}

static dlo_match_answer judge_program(const judge_in *in)
{
    const char *app = in->f->application;
    int served = in->p->served_by;
    if (!is_set(app))
        return DLO_MATCH_YES;
    if (is_set(in->p->application))
        return program_vs_bound(in, app);
    if (served == DLO_SERVED_WINDOWS)
        return in->p->direction == DLO_DIR_IN ? program_vs_windows(in, app)
                                              : program_out_windows(in, app);
    if (in->p->direction == DLO_DIR_OUT || served != DLO_SERVED_UNSAID)
        return program_vs_dlo(
            in, app,
            in->p->direction == DLO_DIR_IN && served == DLO_SERVED_SQL_SERVER    ? "sqlservr.exe"
            : in->p->direction == DLO_DIR_IN && served == DLO_SERVED_SQL_BROWSER ? "sqlbrowser.exe"
                                                                                 : NULL);
    return say(in, DLO_MATCH_MAYBE,
               "it is for %.100s, and the port matrix names no program for this path", app);
}

/* The service that serves the path, by name, where it is known. */
static const char *path_service(const dlo_rule *p)
{
    if (is_set(p->service))
        return p->service;
    if (p->direction != DLO_DIR_IN)
        return NULL;
    if (p->served_by == DLO_SERVED_SERVICE)
        return p->served_service;
    return p->served_by == DLO_SERVED_SQL_BROWSER ? DLO_SQL_BROWSER_SERVICE : NULL;
}

/* MSSQLSERVER or MSSQL$NAME: an instance of SQL Server (dlo-facts, Microsoft's names). */
static bool is_sql_service(const char *s)
{
    return dlo_str_equal_ci(s, "MSSQLSERVER") || dlo_str_prefix_ci(s, "MSSQL$");
}

static dlo_match_answer judge_service(const judge_in *in)
{
    const char *svc = in->f->service, *mine = path_service(in->p);
    if (!is_set(svc))
        return DLO_MATCH_YES;
    if (strcmp(svc, "*") == 0)
        return mine ? say(in, DLO_MATCH_YES, "it is for every service, %.60s among them", mine)
                    : say(in, DLO_MATCH_MAYBE,
                          "it is for every service, and whether a service "
                          "serves the path is not known here");
    if (mine)
        return dlo_str_equal_ci(svc, mine)
                   ? say(in, DLO_MATCH_YES, "it is for the service %.60s, which serves the path",
                         svc)
                   : say(in, DLO_MATCH_NO, "it is for the service %.60s, not %.60s", svc, mine);
    if (in->p->direction == DLO_DIR_IN && in->p->served_by == DLO_SERVED_SQL_SERVER)
        return is_sql_service(svc)
                   ? say(in, DLO_MATCH_MAYBE, "it is for %.60s, which may be DLO's instance", svc)
                   : say(in, DLO_MATCH_NO, "it is for the service %.60s, not SQL Server's", svc);
    if (in->p->direction == DLO_DIR_IN && in->p->served_by == DLO_SERVED_WINDOWS &&
        dlo_str_equal_ci(svc, "RpcSs"))
        return say(in, DLO_MATCH_YES, "it is for RpcSs, the RPC endpoint mapper");
    return say(in, DLO_MATCH_MAYBE, "it is for the service %.60s, which may serve the path", svc);
}

/* ---- who, where, when ---- */

/* A field that narrows the rule to `what` value, when it is set: answer a, for `reason`. */
static dlo_match_answer when_set(const judge_in *in, const char *value, dlo_match_answer a,
                                 const char *what, const char *reason)
{
    if (!is_set(value))
        return DLO_MATCH_YES;
    return say(in, a, "it is for %s %.100s, %s", what, value, reason);
}

static dlo_match_answer judge_package(const judge_in *in)
{
#ifdef DLO_MATCH_BROKEN_PACKAGE_ROW
    /* Built so by the suite's test that must fail (tests/CMakeLists.txt, unit.test_match_broken):
     * the package row says nothing, and the tests of the table must catch it. */
    (void)in;
    return DLO_MATCH_YES;
#endif
    return when_set(in,
                    is_set(in->f->package_family) ? in->f->package_family : in->f->app_package_id,
                    DLO_MATCH_NO, "the packaged app", "and DLO's programs are not packaged");
}

static dlo_match_answer judge_local_users(const judge_in *in)
{
    return when_set(in, in->f->local_users, DLO_MATCH_MAYBE, "the local users",
                    "and which account DLO's programs run as is not known here");
}

static dlo_match_answer judge_owner_user(const judge_in *in)
{
    return when_set(in, in->f->local_user_owner, DLO_MATCH_MAYBE, "the owner",
                    "and whether a rule's owner narrows what it matches is not said in any "
                    "public source");
}

/* One entry "P:MA:MI" or "P:MA:MI>=" holds the machine (MS-FASP 2.2.29: EQ, or GTEQ). */
static bool platform_holds(const char *e, size_t n, const dlo_os_version *os)
{
    unsigned pl, ma, mi;
    char op[3] = "";
    char buf[32];
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, e, n);
    buf[n] = '\0';
    if (sscanf(buf, "%u:%u:%u%2s", &pl, &ma, &mi, op) < 3)
        return false;
    if (strcmp(op, ">=") != 0)
        return os->platform == pl && os->major == ma && os->minor == mi;
    return os->platform > pl ||
           (os->platform == pl && (os->major > ma || (os->major == ma && os->minor >= mi)));
}

static dlo_match_answer judge_platform(const judge_in *in)
{
    const char *list = in->f->platforms;
    if (!is_set(list))
        return DLO_MATCH_YES;
    if (!in->os || !in->os->known)
        return say(in, DLO_MATCH_MAYBE,
                   "it is for the platforms %.60s, and this machine's version is not known", list);
    while (*list) {
        size_t n = strcspn(list, ",");
        if (platform_holds(list, n, in->os))
            return say(in, DLO_MATCH_YES, "this machine (%u:%u:%u) is among its platforms %.60s",
                       in->os->platform, in->os->major, in->os->minor, in->f->platforms);
        list += n + (list[n] == ',');
    }
    return say(in, DLO_MATCH_NO, "it is for the platforms %.60s, and this machine is %u:%u:%u",
               in->f->platforms, in->os->platform, in->os->major, in->os->minor);
}

static dlo_match_answer judge_interface_types(const judge_in *in)
{
    const char *t = in->f->interface_types;
    return when_set(in, dlo_str_equal_ci(dlo_str(t), "All") ? NULL : t, DLO_MATCH_MAYBE,
                    "the interface types", "and which interface DLO's traffic takes is not known");
}

static dlo_match_answer judge_interfaces(const judge_in *in)
{
    return when_set(in, in->f->interfaces, DLO_MATCH_MAYBE, "the interfaces",
                    "and which interface DLO's traffic takes is not known");
}

/* ICMP types belong to protocols 1 and 58, which the protocol row already keeps apart from
 * DLO's TCP and UDP paths; on another protocol the format does not allow them. */
static dlo_match_answer judge_icmp(const judge_in *in)
{
    if (!is_set(in->f->icmp_types))
        return DLO_MATCH_YES;
    return say(in, DLO_MATCH_MAYBE,
               "it names ICMP types on protocol %d, which the format allows only for ICMP",
               in->f->protocol);
}

static dlo_match_answer judge_edge(const judge_in *in)
{
    (void)in;
    return DLO_MATCH_YES;
}

static dlo_match_answer judge_security(const judge_in *in)
{
    if (!in->f->secure_flags)
        return DLO_MATCH_YES;
    if (in->purpose == DLO_MATCH_BLOCKS)
        return say(in, DLO_MATCH_MAYBE,
                   "it requires IPsec authentication, which a Block rule "
                   "must not; how Windows takes such a rule is not known");
    return say(in, DLO_MATCH_MAYBE,
               "it lets through only traffic IPsec authenticates, and "
               "which peers that is is not known here");
}

static dlo_match_answer judge_remote_auth(const judge_in *in)
{
    return when_set(in,
                    is_set(in->f->remote_machines) ? in->f->remote_machines : in->f->remote_users,
                    DLO_MATCH_MAYBE, "the authenticated remote machines or users",
                    "and whether DLO's peers are among them is not known here");
}

static dlo_match_answer judge_trust_tuples(const judge_in *in)
{
    return when_set(in, in->f->trust_tuples, DLO_MATCH_NO, "the trust tuples",
                    "which match only Windows' own Wi-Fi Direct, proximity and UPnP traffic, "
                    "not DLO's");
}

static dlo_match_answer judge_other(const judge_in *in)
{
    const char *f = in->f->other_fields;
    if (!is_set(f))
        return DLO_MATCH_YES;
    return say(in, DLO_MATCH_MAYBE, "it holds %.*s, a field the agent does not judge",
               (int)(strcspn(f, "|") > 100 ? 100 : strcspn(f, "|")), f);
}

/* ---- the table ---- */

/* Each row: its judge, then what dlo_match_row says of it. The gates come first, so the cheap
 * answers end most judgements early. */
#define MATCH_ROWS(X)                                                                              \
    X(judge_active, "active", "Active",                                                            \
      "not active: does not apply; a value that does not read: may apply",                         \
      "MS-GPFAS 2.2.2.19 (Active=, false when absent)")                                            \
    X(judge_action, "action", "Action",                                                            \
      "Block for may-block and blocked-by-rule, Allow or ByPass for may-overexpose and "           \
      "overexposed, else does not apply; a connection security rule's action (SecureServer, "      \
      "Boundary, Secure, DoNotSecure): does not apply; another that does not read: may apply",     \
      "MS-GPFAS 2.2.2.5, 2.2.6.2 (CS-ACTION-VAL)")                                                 \
    X(judge_owner, "the agent's own rule", "EmbedCtxt",                                            \
      "the agent's Grouping: does not apply (the diff judges it against the plan)",                \
      "docs/verify.md, /apply, /verify, /remove")                                                  \
    X(judge_direction, "direction", "Dir", "the other direction: does not apply",                  \
      "MS-GPFAS 2.2.2.4")                                                                          \
    X(judge_protocol, "protocol", "Protocol",                                                      \
      "another protocol than the path's: does not apply; none (any): applies",                     \
      "MS-GPFAS 2.2.2.19 (Protocol=, 256 when absent)")                                            \
    X(judge_profiles, "profiles", "Profile",                                                       \
      "no profile of the path's: does not apply (a Block rule); an Allow rule on a profile the "   \
      "plan leaves closed is wider (overexposed)",                                                 \
      "MS-GPFAS 2.2.2.1, 2.2.2.19 (all profiles when absent)")                                     \
    X(judge_local_ports, "local ports", "LPort, LPort2_10, LPort2_20, LPort2_24",                  \
      "meets the path's ports (a keyword: the same keyword; RPC-EPMap: 135): applies; apart: "     \
      "does not apply; RPC against numbers, or a keyword on a path Windows serves: may apply; "    \
      "the side the plan leaves to the connection (ephemeral): may apply",                         \
      "MS-GPFAS 2.2.2.2, 2.2.2.3; MS-FASP 2.2.14 (keywords are the ports Windows' components "     \
      "hold, PortsInUse 3.1.1)")                                                                   \
    X(judge_remote_ports, "remote ports", "RPort, RPort2_10", "as local ports",                    \
      "MS-GPFAS 2.2.2.2, 2.2.2.3; MS-FASP 2.2.14")                                                 \
    X(judge_local_addresses, "local addresses", "LA4, LA6",                                        \
      "any: applies; else may apply (the agent does not judge this machine's addresses)",          \
      "MS-GPFAS 2.2.2.9-2.2.2.12; MS-FASP 2.2.37 (LocalAddresses)")                                \
    X(judge_remote_addresses, "remote addresses", "RA4, RA6, RA42, RA62",                          \
      "meets the configured peers' scope: applies; apart: does not apply; a keyword "              \
      "(LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, RmtIntranet, Internet, "           \
      "Ply2Renders, CaptivePortal) other than the scope's, or peers at *: may apply; for an "      \
      "Allow rule, how far beyond the scope it opens is overexposure",                             \
      "MS-GPFAS 2.2.2.13, 2.2.2.19; MS-FASP 2.2.21, 2.2.37 (RemoteAddresses)")                     \
    X(judge_program, "program", "App",                                                             \
      "the program the path is bound to: applies, another: does not apply; unbound, by "           \
      "served-by: "                                                                                \
      "Windows' paths: in, System and svchost.exe apply, other programs of the Windows folder "    \
      "may, "                                                                                      \
      "the rest do not; out, System applies, other programs of the Windows folder do not, the "    \
      "rest may; SQL Server's: another name than sqlservr.exe (sqlbrowser.exe) does not, "         \
      "that name may; DLO's own and outbound paths: a program of the Windows folder does not, "    \
      "another may; no served-by: may apply",                                                      \
      "MS-FASP 2.2.37 (wszLocalApplication); the port matrix's served-by (policies/README.md)")    \
    X(judge_service, "service", "Svc",                                                             \
      "the service serving the path (bound, served-by service NAME, SQLBrowser): applies, "        \
      "another does not; SQL Server: MSSQLSERVER or MSSQL$NAME may, another does not; Windows' "   \
      "paths: RpcSs applies; * applies where a service serves the path; else may apply",           \
      "MS-FASP 2.2.37 (wszLocalService)")                                                          \
    X(judge_package, "package", "PFN, AppPkgId",                                                   \
      "set: does not apply (DLO's programs are not packaged apps)",                                \
      "MS-FASP 2.2.37 (wszPackageId, wszPackageFamilyName)")                                       \
    X(judge_local_users, "local users", "LUAuth", "set: may apply",                                \
      "MS-FASP 2.2.37 (wszLocalUserAuthorizationList); DLO's accounts: none found")                \
    X(judge_owner_user, "rule owner", "LUOwn", "set: may apply",                                   \
      "MS-FASP 2.2.37 (wszLocalUserOwner: the rule's owner); whether it narrows: none found")      \
    X(judge_platform, "platform", "Platform, Platform2",                                           \
      "this machine's version among the entries (Platform2=GTEQ: that version or later): "         \
      "applies; not among them: does not apply; version unknown: may apply",                       \
      "MS-GPFAS 2.2.2.17, 2.2.2.18; MS-FASP 2.2.29-2.2.31, 2.2.37 note 6 (OSVERSIONINFOEX)")       \
    X(judge_interface_types, "interface types", "IFType",                                          \
      "Lan, Wireless or RemoteAccess: may apply (the interface DLO's traffic takes is not known)", \
      "MS-GPFAS 2.2.2.8; MS-FASP 2.2.20")                                                          \
    X(judge_interfaces, "interfaces", "IF", "set: may apply (as interface types)",                 \
      "MS-GPFAS 2.2.2.7; MS-FASP 2.2.18")                                                          \
    X(judge_icmp, "ICMP types", "ICMP4, ICMP6",                                                    \
      "with protocol 1 or 58: decided by protocol (no DLO path is ICMP); on another protocol: "    \
      "may apply",                                                                                 \
      "MS-GPFAS 2.2.2.16, 2.2.2.19")                                                               \
    X(judge_edge, "edge traversal", "Edge, Defer",                                                 \
      "does not narrow: applies (it widens an Allow rule to traffic through NAT traversal)",       \
      "MS-GPFAS 2.2.2.15, 2.2.2.19; MS-FASP 2.2.35")                                               \
    X(judge_security, "security", "Security, Security2_9, Security2",                              \
      "set: may apply (a Block rule may not require it; an Allow rule then admits only "           \
      "authenticated peers)",                                                                      \
      "MS-GPFAS 2.2.2.6; MS-FASP 2.2.35, 2.2.37")                                                  \
    X(judge_remote_auth, "authorized remote machines and users", "RMAuth, RUAuth",                 \
      "set: may apply", "MS-FASP 2.2.37")                                                          \
    X(judge_trust_tuples, "trust tuples", "TTK, TTK2_22, TTK2_27, TTK2_28",                        \
      "set: does not apply (only the traffic of Wi-Fi Direct, proximity and UPnP trust tuples)",   \
      "MS-GPFAS 2.2.2.20; MS-FASP 2.2.37 (dwTrustTupleKeywords)")                                  \
    X(judge_other, "any other field",                                                              \
      "LSM, LOM, PCross, AuthByPassOut, SkipVer, NNm, "                                            \
      "SecurityRealmId, LUAuth2_24, and any unknown",                                              \
      "may apply, naming the field", "none found")

#define MATCH_JUDGE(fn, field, keys, treatment, source) fn,
#define MATCH_ROW(fn, field, keys, treatment, source)   {field, keys, treatment, source},

static const judge_fn judges[] = {MATCH_ROWS(MATCH_JUDGE)};
const dlo_match_row dlo_match_rows[] = {MATCH_ROWS(MATCH_ROW)};
const size_t dlo_match_row_count = sizeof(judges) / sizeof(judges[0]);

void dlo_match_rule(const dlo_rule *foreign, const dlo_rule *path, const dlo_os_version *os,
                    dlo_match_purpose purpose, dlo_match *out)
{
    judge_in in = {foreign, path, os, purpose, out->why, sizeof(out->why), true, false};
    size_t i, decided = dlo_match_row_count, noted = dlo_match_row_count;
    out->answer = DLO_MATCH_YES;
    out->row = NULL;
    out->why[0] = '\0';
    for (i = 0; i < dlo_match_row_count && out->answer != DLO_MATCH_NO; i++) {
        dlo_match_answer a;
        in.said = false;
        a = judges[i](&in);
        if (a == DLO_MATCH_YES && in.said && noted == dlo_match_row_count)
            noted = i;
        if (a == DLO_MATCH_YES || (a == DLO_MATCH_MAYBE && out->answer == DLO_MATCH_MAYBE))
            continue;
        out->answer = a;
        decided = i;
    }
    if (decided < dlo_match_row_count)
        out->row = &dlo_match_rows[decided];
    else
        decided = noted;
    in.quiet = false;
    if (decided < dlo_match_row_count)
        judges[decided](&in);
}
