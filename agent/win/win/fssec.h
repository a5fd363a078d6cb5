/* dlo_fs_security over the file system's security descriptors: what the core's trust decision
 * (dlo/trust.h) reads of a file or folder. In dlowinbase, so the custom action can check the
 * files it is given too. */
#ifndef DLO_WIN_FSSEC_H
#define DLO_WIN_FSSEC_H

#include "dlo/trust.h"

const dlo_fs_security *win_fs_security(void);

#endif
