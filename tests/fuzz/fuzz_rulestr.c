/* Feeds the rule-string reader whatever a store can hold: any program with the right can write
 * any bytes into a FirewallRules value, and the analysis reads both stores on every /verify.
 * The reader must never fail on content, and what it gives back must be a rule the rest of the
 * core can handle: its lists format and compare, its fields read as strings, and the matching
 * model (dlo/match.h) judges it against planned paths with an answer that names its row. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/match.h"
#include "dlo/policy.h"
#include "dlo/portset.h"
#include "dlo/rule.h"
#include "dlo/rulestr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rule judged against an inbound path with scoped peers and an outbound one open to any
 * address: every answer but "applies" names the row that decided it and says why. */
static void judge(const dlo_rule *r)
{
    static const dlo_os_version os = {true, 2, 10, 0, 20348};
    dlo_rule paths[2];
    dlo_match m;
    int i, purpose;
    for (i = 0; i < 2; i++) {
        dlo_rule_init(&paths[i]);
        paths[i].direction = i ? DLO_DIR_OUT : DLO_DIR_IN;
        paths[i].protocol = DLO_PROTO_TCP;
        paths[i].served_by = i ? DLO_SERVED_WINDOWS : DLO_SERVED_SQL_SERVER;
        if (dlo_rule_set(i ? &paths[i].remote_ports : &paths[i].local_ports,
                         i ? "135-139,445" : "1433") ||
            dlo_rule_set(&paths[i].remote_addresses, i ? "*" : "10.40.0.5,2001:db8::/64"))
            abort();
    }
    for (i = 0; i < 2; i++)
        for (purpose = DLO_MATCH_BLOCKS; purpose <= DLO_MATCH_OPENS; purpose++) {
            dlo_match_rule(r, &paths[i], &os, (dlo_match_purpose)purpose, &m);
            if (m.answer != DLO_MATCH_YES && (!m.row || !m.why[0]))
                abort();
            if (m.answer == DLO_MATCH_YES && m.row)
                abort();
        }
    dlo_rule_free(&paths[0]);
    dlo_rule_free(&paths[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_rule r, copy;
    dlo_buf b;
    size_t i;

    dlo_rule_init(&r);
    if (dlo_rulestr_parse((const char *)data, size, &r) != DLO_OK)
        abort(); /* nothing but memory may fail, and the fuzzer does not run out */
    if (r.direction != DLO_DIR_IN && r.direction != DLO_DIR_OUT)
        abort();
    if (r.protocol < 0 || (r.protocol > 255 && r.protocol != DLO_PROTO_ANY))
        abort();
    dlo_rule_init(&copy);
    if (dlo_rule_copy(&copy, &r) != DLO_OK)
        abort();
    dlo_buf_init(&b);
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        dlo_prop_format(&b, &dlo_props[i], &r);
        if (!dlo_prop_equal(&dlo_props[i], &r, &copy) && dlo_props[i].type > DLO_PT_ADDRS)
            abort();
    }
    (void)dlo_ports_overlap(r.local_ports, "443");
    judge(&r);
    dlo_buf_free(&b);
    dlo_rule_free(&copy);
    dlo_rule_free(&r);
    return 0;
}
