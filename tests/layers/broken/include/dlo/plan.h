/* Breaks: the engine's header declares what the front defines. */
#ifndef DLO_PLAN_H
#define DLO_PLAN_H

void dlo_rule_json(void);
int dlo_text_twice(void);

#endif
