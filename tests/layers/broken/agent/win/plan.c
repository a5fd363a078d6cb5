/* Breaks: includes the private header of the core's plan module. */
#include "plan_private.h"
#include "win/plan.h"

void win_plan(void)
{
}
