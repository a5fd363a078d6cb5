/* Breaks: the engine includes the front. */
#include "dlo/plan.h"

#include "dlo/report.h"
