/* The agent's reading of rule strings, as JSON, for the checks of tests/realworld: one rule
 * string per line of standard input (MS-GPFAS 2.2.2.19, as the stores hold them), one JSON
 * object per line out, every field of dlo_rule the reader sets. With --table it prints the
 * matching model's table (dlo/match.h) as the Markdown rows of docs/verify.md instead. */
#include "dlo/buf.h"
#include "dlo/match.h"
#include "dlo/rulestr.h"

#include <stdio.h>
#include <string.h>

static void member(dlo_buf *b, const char *key, const char *value)
{
    dlo_buf_printf(b, ", \"%s\": ", key);
    if (value)
        dlo_buf_json_str(b, value);
    else
        dlo_buf_puts(b, "null");
}

static void rule_json(dlo_buf *b, const dlo_rule *r)
{
    dlo_buf_printf(b,
                   "{\"action\": %d, \"enabled\": %s, \"direction\": %d, \"protocol\": %d, "
                   "\"profiles\": %u, \"edge_traversal\": %d, \"secure_flags\": %d, "
                   "\"unreadable\": %u",
                   (int)r->action, r->enabled ? "true" : "false", (int)r->direction, r->protocol,
                   r->profiles, r->edge_traversal, r->secure_flags, r->unreadable);
    member(b, "name", r->name);
    member(b, "description", r->description);
    member(b, "grouping", r->grouping);
    member(b, "local_ports", r->local_ports);
    member(b, "remote_ports", r->remote_ports);
    member(b, "local_addresses", r->local_addresses);
    member(b, "remote_addresses", r->remote_addresses);
    member(b, "application", r->application);
    member(b, "service", r->service);
    member(b, "interface_types", r->interface_types);
    member(b, "interfaces", r->interfaces);
    member(b, "icmp_types", r->icmp_types);
    member(b, "app_package_id", r->app_package_id);
    member(b, "local_user_owner", r->local_user_owner);
    member(b, "local_users", r->local_users);
    member(b, "remote_users", r->remote_users);
    member(b, "remote_machines", r->remote_machines);
    member(b, "package_family", r->package_family);
    member(b, "platforms", r->platforms);
    member(b, "trust_tuples", r->trust_tuples);
    member(b, "other_fields", r->other_fields);
    dlo_buf_puts(b, "}\n");
}

static void table(dlo_buf *b)
{
    size_t i;
    for (i = 0; i < dlo_match_row_count; i++) {
        const dlo_match_row *r = &dlo_match_rows[i];
        dlo_buf_printf(b, "| %s | `%s` | %s | %s |\n", r->field, r->keys, r->treatment, r->source);
    }
}

int main(int argc, char **argv)
{
    char line[65536];
    dlo_buf out;
    dlo_buf_init(&out);
    if (argc > 1 && strcmp(argv[1], "--table") == 0) {
        table(&out);
    } else {
        while (fgets(line, sizeof(line), stdin)) {
            size_t n = strcspn(line, "\r\n");
            dlo_rule r;
            dlo_rule_init(&r);
            if (dlo_rulestr_parse(line, n, &r) != DLO_OK) {
                fprintf(stderr, "out of memory\n");
                return 3;
            }
            rule_json(&out, &r);
            dlo_rule_free(&r);
        }
    }
    if (dlo_buf_status(&out))
        return 3;
    fwrite(out.data, 1, out.len, stdout);
    dlo_buf_free(&out);
    return 0;
}
