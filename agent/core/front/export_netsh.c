/* /export:netsh: netsh advfirewall firewall commands as a .cmd file for the local store.
 *
 * What cmd and netsh can carry decides what is written (netsh advfirewall firewall add rule
 * help; Microsoft Learn, "Use netsh advfirewall firewall context", KB 947709):
 * - cmd expands %...% everywhere in a batch file, REM lines included (where %~ is an error), so
 *   every % is doubled; it expands !...! when delayed expansion is on (a registry default can
 *   turn it on) and no escape works both ways inside quotes, so a '!' is refused;
 * - a value is quoted and cannot hold a '"', and no line can hold CR, LF or another control
 *   character; a batch file is read in the console's code page, so a name or description that
 *   is not ASCII would reach netsh changed: such a rule is refused;
 * - cmd runs lines of at most 8191 characters (Microsoft Learn, command prompt string limit);
 * - remoteip= knows only any, localsubnet, dns, dhcp, wins, defaultgateway and addresses, and
 *   localport= only RPC, RPC-EPMap and IPHTTPS besides numbers; remoteport= no keyword;
 * - name=all means every rule to `delete rule`, and netsh refuses it to `add rule`.
 * A refused rule is a REM line and the command fails with its name and the way out
 * (/export:powershell); the other rules are still written, since each is deleted and added by
 * its own name and a refused one is left as it is. */
#include "dlo/export.h"

#include "dlo/str.h"
#include "dlo/version.h"

#include <string.h>

#define FORMAT       "netsh"
#define CMD_MAX_LINE 8191

#define NETSH_DOC "netsh advfirewall firewall add rule help (KB 947709)"
static const dlo_export_keyword netsh_address_rows[] = {
    {"LocalSubnet", "localsubnet", NETSH_DOC},
    {"DNS", "dns", NETSH_DOC},
    {"DHCP", "dhcp", NETSH_DOC},
    {"WINS", "wins", NETSH_DOC},
    {"DefaultGateway", "defaultgateway", NETSH_DOC},
};
static const dlo_export_keywords netsh_remote_addresses = {netsh_address_rows, 5};
/* localip= takes only any and addresses. */
static const dlo_export_keywords netsh_local_addresses = {NULL, 0};
static const dlo_export_keyword netsh_port_rows[] = {
    {"RPC", "RPC", NETSH_DOC},
    {"RPC-EPMap", "RPC-EPMap", NETSH_DOC},
    {"IPHTTPS", "IPHTTPS", NETSH_DOC},
};
static const dlo_export_keywords netsh_local_ports = {netsh_port_rows, 3};
static const dlo_export_keywords netsh_remote_ports = {NULL, 0};

/* Why cmd or netsh cannot carry s, or NULL when they can. */
static const char *cmd_cannot_carry(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            return "a '\"', which a quoted netsh value cannot hold";
        if (c == '!')
            return "a '!', which cmd expands when delayed expansion is on";
        if (c < 0x20 || c == 0x7f)
            return "a control character, which no line of a .cmd file can hold";
        if (c >= 0x80)
            return "a character that is not ASCII, which cmd reads in the console's code page";
    }
    return NULL;
}

/* A quoted value: % doubled, the rest as it is (cmd_cannot_carry passed). */
static void cmd_value(dlo_buf *b, const char *s)
{
    dlo_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '%')
            dlo_buf_putc(b, '%');
        dlo_buf_putc(b, *s);
    }
    dlo_buf_putc(b, '"');
}

/* Text of a REM line: % doubled, and what cmd could take for something else (a control
 * character, a caret that would join the next line, a character of another code page) as '?'.
 * REM lines are for people; nothing is read back from them. */
static void rem_text(dlo_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%')
            dlo_buf_putc(b, '%');
        dlo_buf_putc(b, (c < 0x20 || c >= 0x7f || c == '^') ? '?' : *s);
    }
}

static bool netsh_list(dlo_buf *b, dlo_export_refusals *r, const dlo_rule *rule, const char *key,
                       const char *list, const dlo_export_keywords *t, bool ports)
{
    size_t n;
    dlo_buf_printf(b, " %s=", key);
    if (dlo_list_is_any(list)) {
        dlo_buf_puts(b, "any");
        return true;
    }
    while (*list) {
        n = strcspn(list, ",");
        if (ports ? dlo_export_is_port_keyword(list, n) : dlo_export_is_address_keyword(list, n)) {
            const char *kw = dlo_export_keyword_find(t, list, n);
            if (!kw) {
                dlo_export_refuse(r, rule,
                                  "holds '%.*s' in %s=, which netsh has no keyword for: "
                                  "use /export:powershell",
                                  (int)n, list, key);
                return false;
            }
            dlo_buf_puts(b, kw);
        } else {
            dlo_buf_append(b, list, n);
        }
        list += n;
        if (*list == ',' && *++list)
            dlo_buf_putc(b, ',');
    }
    return true;
}

/* Whether the rule's own text can go on a netsh line at all. */
static bool netsh_text_ok(dlo_export_refusals *r, const dlo_rule *rule)
{
    const char *why = cmd_cannot_carry(dlo_str(rule->name));
    const char *field = "name";
    if (!why)
        why = cmd_cannot_carry(dlo_str(rule->description)), field = "description";
    if (!why)
        why = cmd_cannot_carry(dlo_str(rule->application)), field = "program";
    if (!why)
        why = cmd_cannot_carry(dlo_str(rule->service)), field = "service";
    if (why) {
        dlo_export_refuse(r, rule, "holds in its %s %s: use /export:powershell", field, why);
        return false;
    }
    if (dlo_str_equal_ci(dlo_str(rule->name), "all")) {
        dlo_export_refuse(r, rule,
                          "is named 'all', which netsh's delete rule reads as every "
                          "rule: use /export:powershell");
        return false;
    }
    return true;
}

/* The add rule command (without its line end); false when a value was refused. */
static bool netsh_add(dlo_buf *b, dlo_export_refusals *r, const dlo_rule *rule, const char *dir)
{
    bool ok;
    dlo_buf_puts(b, "netsh advfirewall firewall add rule name=");
    cmd_value(b, dlo_str(rule->name));
    dlo_buf_printf(b, " dir=%s action=%s protocol=", dir,
                   rule->action == DLO_ACTION_ALLOW ? "allow" : "block");
    dlo_export_protocol(b, rule->protocol, true);
    ok = true;
    if (rule->protocol == DLO_PROTO_TCP || rule->protocol == DLO_PROTO_UDP) {
        ok = netsh_list(b, r, rule, "localport", rule->local_ports, &netsh_local_ports, true);
        ok = ok &&
             netsh_list(b, r, rule, "remoteport", rule->remote_ports, &netsh_remote_ports, true);
    }
    ok = ok &&
         netsh_list(b, r, rule, "localip", rule->local_addresses, &netsh_local_addresses, false);
    ok = ok &&
         netsh_list(b, r, rule, "remoteip", rule->remote_addresses, &netsh_remote_addresses, false);
    dlo_buf_puts(b, " profile=");
    dlo_export_profiles(b, rule->profiles, true, "");
    dlo_buf_printf(b, " enable=%s", rule->enabled ? "yes" : "no");
    if (*dlo_str(rule->application)) {
        dlo_buf_puts(b, " program=");
        cmd_value(b, rule->application);
    }
    if (*dlo_str(rule->service)) {
        dlo_buf_puts(b, " service=");
        cmd_value(b, rule->service);
    }
    dlo_buf_puts(b, " description=");
    cmd_value(b, dlo_str(rule->description));
    return ok;
}

static void netsh_rule(dlo_buf *b, dlo_export_refusals *r, const dlo_rule *rule, size_t index)
{
    const char *dir = rule->direction == DLO_DIR_IN ? "in" : "out";
    size_t before = r->count;
    dlo_buf add;
    dlo_buf_init(&add);
    dlo_buf_puts(b, "\nREM rule ");
    dlo_buf_printf(b, "%zu; matrix rows: ", index + 1);
    rem_text(b, dlo_str(rule->rows));
    dlo_buf_putc(b, '\n');
    if (dlo_export_text_ok(r, rule, FORMAT) && netsh_text_ok(r, rule) &&
        netsh_add(&add, r, rule, dir) && add.len > CMD_MAX_LINE)
        dlo_export_refuse(r, rule,
                          "needs a command line of %zu characters; cmd runs at most %d: "
                          "use /export:powershell",
                          add.len, CMD_MAX_LINE);
    if (r->count != before) {
        dlo_buf_puts(b, "REM refused: netsh or cmd cannot carry this rule (dloagent names it and "
                        "why); /export:powershell makes it\n");
    } else {
        dlo_buf_puts(b, "netsh advfirewall firewall delete rule name=");
        cmd_value(b, dlo_str(rule->name));
        dlo_buf_printf(b, " dir=%s\n%s\n", dir, dlo_buf_str(&add));
    }
    dlo_buf_free(&add);
}

dlo_status dlo_export_netsh(dlo_buf *b, const dlo_plan *plan, dlo_error *err)
{
    dlo_export_refusals r;
    dlo_status st;
    size_t i;
    dlo_export_refusals_init(&r);
    dlo_buf_printf(b, "REM Arctera DLO firewall rules: %zu rules, mode %s, roles ",
                   plan->rules.count, dlo_mode_name(plan->mode));
    dlo_export_roles(b, plan);
    dlo_buf_printf(b, ".\nREM Written by dloagent %s /export:" FORMAT " from the port matrix of ",
                   DLO_VERSION_STRING);
    rem_text(b, dlo_str(plan->release));
    dlo_buf_puts(b, ".\nREM netsh advfirewall firewall commands for the local store, run "
                    "elevated. netsh cannot set\nREM a Group: each rule is replaced by name and "
                    "direction, and the rules made are not\nREM the agent's (/apply owns rules "
                    "by Group). Prefer /export:powershell where it runs.\n");
    dlo_export_names(b, plan, "REM ");
    for (i = 0; i < plan->rules.count; i++)
        netsh_rule(b, &r, &plan->rules.items[i], i);
    st = dlo_export_refusals_status(&r, FORMAT, err);
    dlo_export_refusals_free(&r);
    return st;
}
