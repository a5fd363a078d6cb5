#ifndef DLO_RIGHT_H
#define DLO_RIGHT_H

#include "dlo/left.h"

/* Breaks: declared, and defined nowhere. */
void dlo_right_nowhere(void);

#endif
