/* The one registry reader and writer of the Windows layer: the dlo_registry seam over Win32
 * (HKLM, both views, typed values, subkeys) that the configuration and detection read through,
 * and the writes of the compliance state. The watch the service waits on is keywatch.h. */
#ifndef DLO_WIN_WINREG_H
#define DLO_WIN_WINREG_H

#include <windows.h>

#include "dlo/platform.h"
#include "dlo/registry.h"
#include "dlo/status.h"

/* dlo_registry over RegOpenKeyExW, RegQueryValueExW and RegEnumKeyExW. The values of the
 * configuration keys are read only while their security is what dlo_trust_key trusts; else
 * the read fails with DLO_E_CONFIG naming the key and the account that may change it, which
 * the configuration reports as invalid (exit 2, event 1200: the rules stay as they are). */
const dlo_registry *win_registry(void);
/* The same without that check, for the installer's custom actions, which compare and carry
 * over what the key holds, whoever may change it. */
const dlo_registry *win_registry_unchecked(void);

/* dlo_platform.write_values: RegSetValueExW in place, or with `replace` a whole new key swapped
 * in by RegRenameKey (see the comment in winreg.c for why a reader never sees half of it). */
dlo_status win_reg_write_values(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                                bool replace, dlo_error *err);

#endif
