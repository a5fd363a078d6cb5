#ifndef DLO_WIN_ELEVATION_H
#define DLO_WIN_ELEVATION_H

#include <stdbool.h>

/* dlo_platform.is_elevated: true when the process token is elevated (an administrator past
 * UAC, or LocalSystem). */
bool win_is_elevated(void *ctx);

#endif
