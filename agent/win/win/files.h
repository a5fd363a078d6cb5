#ifndef DLO_WIN_FILES_H
#define DLO_WIN_FILES_H

#include "dlo/buf.h"
#include "dlo/status.h"

/* dlo_platform.load_embedded over RCDATA resources of the running executable. */
dlo_status win_load_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err);
/* dlo_platform.read_file over CreateFileW. */
dlo_status win_read_file(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err);

#endif
