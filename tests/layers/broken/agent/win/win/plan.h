/* Breaks: a module of the Windows layer named as a core module. */
#ifndef DLO_WIN_PLAN_H
#define DLO_WIN_PLAN_H

void win_plan(void);

#endif
