/* Feeds the port matrix parser arbitrary text; a parsed policy is also planned for every mode
 * with all roles, so the planner sees whatever the parser accepts. Every row's port set must
 * be a fixed point: its text parses back to the same set. */
#include <stdint.h>
#include <stdlib.h>

#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/portset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_policy pol;
    dlo_error err;
    size_t i;
    int m;

    dlo_error_clear(&err);
    if (dlo_policy_parse((const char *)data, size, "fuzz", &pol, &err) != DLO_OK) {
        if (err.msg[0] == '\0')
            abort(); /* every failure must explain itself */
        return 0;
    }
    for (i = 0; i < pol.n_rows; i++) {
        dlo_portset again;
        dlo_buf text;
        dlo_buf_init(&text);
        dlo_portset_format(&text, &pol.rows[i].port_set);
        if (dlo_portset_parse(dlo_buf_str(&text), DLO_PORTS_SQL, &again, &err) != DLO_OK ||
            !dlo_portset_equal(&again, &pol.rows[i].port_set))
            abort();
        dlo_portset_free(&again);
        dlo_buf_free(&text);
    }
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        dlo_plan plan;
        if (dlo_plan_build(&pol, DLO_ROLE_ALL_MASK, (dlo_mode)m, NULL, &plan, &err) == DLO_OK)
            dlo_plan_free(&plan);
    }
    dlo_policy_free(&pol);
    return 0;
}
