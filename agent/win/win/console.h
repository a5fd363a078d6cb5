/* Output to the process's stdout and stderr. */
#ifndef DLO_WIN_CONSOLE_H
#define DLO_WIN_CONSOLE_H

#include <stddef.h>

/* dlo_platform.write_out and write_err: UTF-16 to a console, the UTF-8 bytes to a pipe or
 * file. */
void win_console_out(void *ctx, const char *utf8, size_t n);
void win_console_err(void *ctx, const char *utf8, size_t n);

/* Writes to stderr as the platform does. */
void win_write_stderr(const char *utf8, size_t n);

#endif
