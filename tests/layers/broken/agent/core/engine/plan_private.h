/* Fine: the engine's plan module's private header. */
#ifndef DLO_PLAN_PRIVATE_H
#define DLO_PLAN_PRIVATE_H

#endif
