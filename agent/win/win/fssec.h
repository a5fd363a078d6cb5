/* dlo_fs_security and dlo_key_security over the security descriptors of files and registry keys:
 * what the core's trust decision (dlo/trust.h) reads of a file, a folder or a key. In
 * dlowinbase, so the custom action can check the files it is given too. */
#ifndef DLO_WIN_FSSEC_H
#define DLO_WIN_FSSEC_H

#include "dlo/trust.h"

const dlo_fs_security *win_fs_security(void);
const dlo_key_security *win_key_security(void);

#endif
