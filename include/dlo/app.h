/* The agent's command dispatcher, shared by the Windows executable and the host tests.
 *
 * Everything the commands need from the operating system comes through dlo_platform, a struct
 * of function pointers: the Windows layer fills it with Win32 and COM, the tests with fakes. */
#ifndef DLO_APP_H
#define DLO_APP_H

#include "dlo/buf.h"
#include "dlo/fwbackend.h"
#include "dlo/cli.h"
#include "dlo/registry.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

struct dlo_detect_os;

typedef struct dlo_platform {
    void *ctx;
    /* Receive UTF-8 text; the Windows layer converts for the console. */
    void (*write_out)(void *ctx, const char *utf8, size_t n);
    void (*write_err)(void *ctx, const char *utf8, size_t n);
    /* Appends a data file embedded in the executable (an RCDATA resource of that name, e.g.
     * "PORTMATRIX") to out. DLO_E_NOTFOUND if there is none. */
    dlo_status (*load_embedded)(void *ctx, const char *name, dlo_buf *out, dlo_error *err);
    /* Appends the whole file at path (UTF-8) to out. Errors name the path and the reason. */
    dlo_status (*read_file)(void *ctx, const char *path, dlo_buf *out, dlo_error *err);
    /* Opens the firewall; the backend is valid until close_firewall. NULL where there is none. */
    dlo_status (*open_firewall)(void *ctx, dlo_fw_backend *out, dlo_error *err);
    void (*close_firewall)(void *ctx, dlo_fw_backend *fw);
    /* True when the process may change the firewall (an elevated administrator token). */
    bool (*is_elevated)(void *ctx);
    /* Services, registry and files as component detection reads them (dlo/detect.h); NULL
     * where detection cannot run. */
    const struct dlo_detect_os *detect_os;
    /* Where the configuration is read (HKLM). NULL: /config and friends report that there is
     * no registry here. */
    const dlo_registry *registry;
    /* The commands only a service host can carry out (/install, /uninstall, /run, /service);
     * output for stdout goes to out. NULL where there is none (the host build). */
    dlo_status (*service_command)(void *ctx, const dlo_cli *cli, dlo_buf *out, dlo_error *err);
} dlo_platform;

/* argv holds UTF-8 strings. Returns the process exit code (DLO_EXIT_*). */
int dlo_app_run(const dlo_platform *plat, int argc, char **argv);

#endif
