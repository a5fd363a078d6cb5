#ifndef DLO_WIN_DETECT_OS_H
#define DLO_WIN_DETECT_OS_H

#include "dlo/detect.h"

/* Component detection's view of the machine over Win32: the SCM and the file system (the
 * registry it reads through win_registry). Read-only; works for an unprivileged user too, though a
 * few keys and services may then be unreadable (detection reports them as warnings). */
extern const dlo_detect_os win_detect_os;

#endif
