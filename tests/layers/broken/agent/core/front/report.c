#include "dlo/plan.h"
#include "dlo/report.h"

/* Breaks: a prototype in a source file. */
void dlo_report_helper(void);

void dlo_rule_json(void)
{
}

void dlo_report_plan(void)
{
    dlo_rule_json();
}

/* Breaks: defined without static, declared by no header. */
void dlo_report_orphan(void)
{
}
