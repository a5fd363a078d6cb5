/* Helpers shared by the unit tests. */
#ifndef DLO_TESTUTIL_H
#define DLO_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "dlo/buf.h"

/* Reads a file of the source tree (path relative to it) into b; fails the test if it cannot. */
static inline void test_read_source_file(const char *rel, dlo_buf *b)
{
    char path[1024];
    char chunk[4096];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", DLO_SOURCE_DIR, rel);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        dlo_buf_append(b, chunk, n);
    fclose(f);
}

#endif
