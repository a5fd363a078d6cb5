/* Breaks: left and right include each other (an include cycle in the model). */
#ifndef DLO_LEFT_H
#define DLO_LEFT_H

#include "dlo/right.h"

#endif
