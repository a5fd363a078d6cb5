/* Fine: base's module text, declared and defined in one module. */
#ifndef DLO_TEXT_H
#define DLO_TEXT_H

int dlo_text_length(const char *s);
/* Breaks: declared twice (also in plan.h). */
int dlo_text_twice(void);

#endif
