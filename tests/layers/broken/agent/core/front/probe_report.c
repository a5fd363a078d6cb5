/* Breaks: a source of no module (no header probe_report.h, no module probe in the front). */
#include "dlo/report.h"
