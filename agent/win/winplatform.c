#include <windows.h>

#include "win/console.h"
#include "win/detect_os.h"
#include "win/files.h"
#include "win/fssec.h"
#include "win/fwcom.h"
#include "win/fwevents.h"
#include "win/fwlock.h"
#include "win/winplatform.h"
#include "win/probe_os.h"
#include "win/resolver.h"
#include "win/winreg.h"
#include "win/svcconsole.h"
#include "win/svcinstall.h"
#include "win/svcscm.h"
#include "win/winutil.h"

static bool platform_is_elevated(void *ctx)
{
    (void)ctx;
    return win_is_elevated();
}

static unsigned long platform_os_build(void *ctx)
{
    (void)ctx;
    return win_os_build();
}

/* dlo_platform.service_command: the passes of /run and /service plan and reconcile on plat. */
static dlo_status service_command(const dlo_platform *plat, dlo_service_command command,
                                  const dlo_config_overrides *overrides, dlo_buf *out,
                                  dlo_error *err)
{
    switch (command) {
    case DLO_SERVICE_INSTALL:
        return win_svcinstall_install(out, err);
    case DLO_SERVICE_UNINSTALL:
        return win_svcinstall_uninstall(out, err);
    case DLO_SERVICE_RUN:
        return win_svcconsole_run(plat, overrides, err);
    case DLO_SERVICE_HOST:
        return win_svcscm_run(plat, err);
    }
    return dlo_error_set(err, DLO_E_INTERNAL, "not a service command");
}

/* The executable's full path, UTF-8, for telling the agent's own changes from others' in the
 * firewall's events; NULL when it cannot be had. */
static const char *self_image(void)
{
    static char *path;
    wchar_t w[MAX_PATH + 1];
    DWORD n;

    if (!path) {
        n = GetModuleFileNameW(NULL, w, MAX_PATH + 1);
        if (n && n <= MAX_PATH)
            path = win_utf16_to_utf8(w);
    }
    return path;
}

const dlo_platform *win_platform(void)
{
    static dlo_platform plat = {
        .write_out = win_console_out,
        .write_err = win_console_err,
        .load_embedded = win_load_embedded,
        .read_file = win_read_file,
        .open_firewall = fwcom_open,
        .close_firewall = fwcom_close,
        .is_elevated = platform_is_elevated,
        .write_values = win_reg_write_values,
        .os_build = platform_os_build,
        .detect_os = &win_detect_os,
        .service_command = service_command,
        .probe_os = &win_probe_os,
        .lock_firewall = win_fwlock_take,
        .unlock_firewall = win_fwlock_release,
        .resolver = &win_resolver,
    };
    plat.registry = win_registry();
    plat.fs_security = win_fs_security();
    plat.attr_os = win_attr_os();
    plat.self_image = self_image();
    return &plat;
}
