#ifndef DLO_WIN_CONSOLE_H
#define DLO_WIN_CONSOLE_H

#include <wchar.h>

#include "dlo/app.h"

/* UTF-16 to newly allocated UTF-8 (free()); NULL on failure. */
char *win_utf16_to_utf8(const wchar_t *s);
/* UTF-8 (n bytes) to newly allocated, NUL-terminated UTF-16 (free()); NULL on failure. */
wchar_t *win_utf8_to_utf16(const char *s, size_t n);

/* Writes to stderr as the platform does (UTF-16 to a console, UTF-8 bytes to a pipe or file). */
void win_write_stderr(const char *utf8, size_t n);

/* A platform whose output goes to the process's stdout and stderr. */
const dlo_platform *win_console_platform(void);

#endif
