#include "win/plan.h"

void win_plan(void)
{
}
