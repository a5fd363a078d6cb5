/* The seam between the portable core and the operating system: a struct of function pointers
 * that the Windows layer fills with Win32 and COM (agent/win/winplatform.c), the Linux build with
 * files and nothing else (agent/host/main.c), and the tests with fakes.
 *
 * Detection, the detection table, the targets and the dispatcher all take it, so it lives here
 * rather than in any of them: nothing below the dispatcher needs the dispatcher's header. */
#ifndef DLO_PLATFORM_H
#define DLO_PLATFORM_H

#include "dlo/buf.h"
#include "dlo/fwbackend.h"
#include "dlo/registry.h"
#include "dlo/service.h"
#include "dlo/status.h"
#include "dlo/trust.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dlo_attr_os;
struct dlo_detect_os;
struct dlo_probe_os;
struct dlo_resolver;

/* A value to write: a REG_DWORD (number) or a REG_SZ (text, UTF-8). */
typedef struct dlo_reg_write {
    const char *name;
    unsigned long type; /* DLO_REG_DWORD or DLO_REG_SZ */
    const char *text;
    uint32_t number;
} dlo_reg_write;

typedef struct dlo_platform {
    void *ctx;
    /* Receive UTF-8 text; the Windows layer converts for the console. */
    void (*write_out)(void *ctx, const char *utf8, size_t n);
    void (*write_err)(void *ctx, const char *utf8, size_t n);
    /* Appends a data file embedded in the executable (an RCDATA resource of that name, e.g.
     * "PORTMATRIX") to out. DLO_E_NOTFOUND if there is none. */
    dlo_status (*load_embedded)(void *ctx, const char *name, dlo_buf *out, dlo_error *err);
    /* Appends the whole file at path (UTF-8) to out, which must be a regular file of at most
     * max bytes: anything else (a device such as /dev/zero or NUL, a pipe, a folder, a longer
     * file) fails with DLO_E_IO before more than max + 1 bytes are read, and a pipe is never
     * waited on. Errors name the path and the reason. */
    dlo_status (*read_file)(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err);
    /* Opens the firewall; the backend is valid until close_firewall. NULL where there is none. */
    dlo_status (*open_firewall)(void *ctx, dlo_fw_backend *out, dlo_error *err);
    void (*close_firewall)(void *ctx, dlo_fw_backend *fw);
    /* True when the process may change the firewall (an elevated administrator token). */
    bool (*is_elevated)(void *ctx);
    /* The Windows build number (7601, 17763, 20348, ...), which decides which address keywords
     * the firewall takes (dlo/addr.h). NULL, or 0 returned, where it is not known. */
    unsigned long (*os_build)(void *ctx);
    /* Services and files as component detection reads them (dlo/detect.h); NULL where
     * detection cannot run. Detection reads the registry through `registry`. */
    const struct dlo_detect_os *detect_os;
    /* HKLM, as the configuration and detection read it. NULL: /config and friends report that
     * there is no registry here, detection that it cannot run. */
    const dlo_registry *registry;
    /* Writes values of HKLM\`key` (64-bit view), creating the key. With `replace`, the key ends
     * up holding exactly values[0..n), swapped in at once so that a reader never sees some
     * values of this write and some of an earlier one; without it, each value is set in place
     * (one value is written atomically by itself). With `replace` and n == 0 the key is deleted.
     * NULL where nothing is written (the Linux build): the compliance state (dlo/state.h) is then
     * not recorded. */
    dlo_status (*write_values)(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                               bool replace, dlo_error *err);
    /* Owners and DACLs of files and folders, for dlo/trust.h: what decides whether the service
     * may believe a file. NULL where there are none (the host build): nothing is trusted. */
    const dlo_fs_security *fs_security;
    /* The commands only a service host can carry out (/install, /uninstall, /run, /service);
     * output for stdout goes to out. It is given the platform itself, which its passes plan
     * and reconcile with, and the values of the command line (/run's passes take them).
     * NULL where there is none (the host build). */
    dlo_status (*service_command)(const struct dlo_platform *plat, dlo_service_command command,
                                  const dlo_config_overrides *overrides, dlo_buf *out,
                                  dlo_error *err);
    /* What /probe reads and tries (dlo/probe.h): the listeners table, TCP connections with a
     * timeout, name resolution. NULL where there is none (the host build): /probe exits 3. */
    const struct dlo_probe_os *probe_os;
    /* The firewall's events and account names, to say who changed an owned rule
     * (dlo/attribution.h). NULL where there are none: every answer is "unknown". */
    const struct dlo_attr_os *attr_os;
    /* The agent's own executable as a full path (UTF-8), which tells its own changes from
     * others' in those events; NULL or "" where it is not known. */
    const char *self_image;
    /* Optional: holds the lock that keeps two processes of the agent from writing the firewall
     * at once (a hand-run /apply and the service's pass); waits for it up to a bound. NULL where
     * no other process can write (the host build). A failure names what holds it or why it
     * cannot be had. unlock_firewall releases it. */
    dlo_status (*lock_firewall)(void *ctx, dlo_error *err);
    void (*unlock_firewall)(void *ctx);
    /* Resolves the host names of the scopes when the agent plans (dlo/names.h), with a time
     * bound. NULL where there is none (the host build): a scope that names a host is then a
     * configuration error unless its last known addresses are at hand. */
    const struct dlo_resolver *resolver;
} dlo_platform;

/* The firewall lock around a run's reading and writing, where the platform has one. */
static inline dlo_status dlo_platform_lock(const dlo_platform *plat, dlo_error *err)
{
    return plat->lock_firewall ? plat->lock_firewall(plat->ctx, err) : DLO_OK;
}

static inline void dlo_platform_unlock(const dlo_platform *plat)
{
    if (plat->unlock_firewall)
        plat->unlock_firewall(plat->ctx);
}

#endif
