#ifndef DLO_WIN_FILES_H
#define DLO_WIN_FILES_H

#include "dlo/buf.h"
#include "dlo/status.h"

/* dlo_platform.load_embedded over RCDATA resources of the running executable. */
dlo_status win_load_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err);
/* dlo_platform.read_file over CreateFileW. */
dlo_status win_read_file(void *ctx, const char *path, dlo_buf *out, dlo_error *err);

/* The message of a Win32 error code, in UTF-8, without the trailing newline. */
void win_error_text(unsigned long code, char *out, size_t size);
/* Records "what: <the message of code>" in err: DLO_E_ACCESS for access denied, else
 * DLO_E_IO. */
dlo_status win_error_set(dlo_error *err, unsigned long code, const char *what);

#endif
