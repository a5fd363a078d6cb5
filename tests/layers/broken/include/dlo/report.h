#ifndef DLO_REPORT_H
#define DLO_REPORT_H

void dlo_report_plan(void);

#endif
