/* Feeds the rule-string reader whatever a store can hold: any program with the right can write
 * any bytes into a FirewallRules value, and the analysis reads both stores on every /verify.
 * The reader must never fail on content, and what it gives back must be a rule the rest of the
 * core can handle: its lists format and compare, its fields read as strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/portset.h"
#include "dlo/rule.h"
#include "dlo/rulestr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_rule r, copy;
    dlo_rulestr_info info;
    dlo_buf b;
    size_t i;

    dlo_rule_init(&r);
    dlo_rulestr_info_init(&info);
    if (dlo_rulestr_parse((const char *)data, size, &r, &info) != DLO_OK)
        abort(); /* nothing but memory may fail, and the fuzzer does not run out */
    if (r.direction != DLO_DIR_IN && r.direction != DLO_DIR_OUT)
        abort();
    if (r.protocol < 0 || (r.protocol > 255 && r.protocol != DLO_PROTO_ANY))
        abort();
    for (i = 0; i < info.unknown.count; i++)
        if (!info.unknown.items[i])
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
    dlo_buf_free(&b);
    dlo_rule_free(&copy);
    dlo_rule_free(&r);
    dlo_rulestr_info_free(&info);
    return 0;
}
