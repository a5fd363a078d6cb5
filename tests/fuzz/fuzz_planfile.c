/* Feeds the saved-plan reader (dlo/planfile.h over dlo/json.h) whatever a file handed to
 * /plan /compare:FILE can hold. A file that is refused must say where and why ("line N: ...");
 * one that is read must give rules the comparison handles: a plan compared with itself differs
 * only in what it does not state (never wider, never narrower). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/compare.h"
#include "dlo/planfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void self_compare(const dlo_saved_plan *p)
{
    dlo_comparison c;
    size_t i;
    dlo_comparison_init(&c);
    if (dlo_compare_rules(&p->rules, p->stated, &p->rules, &c))
        abort();
    for (i = 0; i < c.count; i++)
        if (c.items[i].kind != DLO_CMP_NOT_STATED)
            abort();
    dlo_comparison_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_saved_plan p;
    dlo_error err;
    dlo_status st;
    if (size > DLO_PLANFILE_MAX_BYTES)
        return 0;
    dlo_error_clear(&err);
    st = dlo_planfile_parse((const char *)data, size, &p, &err);
    if (st == DLO_E_PARSE && strncmp(err.msg, "line ", 5) != 0 && !strstr(err.msg, "UTF-16"))
        abort();
    if (st == DLO_E_PARSE || st == DLO_E_NOMEM)
        return 0;
    if (st)
        abort();
    self_compare(&p);
    dlo_saved_plan_free(&p);
    return 0;
}
