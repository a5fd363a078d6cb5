/* The agent's command dispatcher, shared by the Windows executable and the host tests.
 *
 * Everything the commands need from the operating system comes through dlo_platform, a struct
 * of function pointers: the Windows layer fills it with Win32 and COM, the tests with fakes. */
#ifndef DLO_APP_H
#define DLO_APP_H

#include <stddef.h>

typedef struct dlo_platform {
    void *ctx;
    /* Receive UTF-8 text; the Windows layer converts for the console. */
    void (*write_out)(void *ctx, const char *utf8, size_t n);
    void (*write_err)(void *ctx, const char *utf8, size_t n);
} dlo_platform;

/* argv holds UTF-8 strings. Returns the process exit code (DLO_EXIT_*). */
int dlo_app_run(const dlo_platform *plat, int argc, char **argv);

#endif
