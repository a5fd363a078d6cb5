/* Helpers shared by the unit tests. */
#ifndef DLO_TESTUTIL_H
#define DLO_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "dlo/buf.h"
#include "dlo/policy.h"

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

/* The shipped policy policies/dlo-10.0.ports, parsed; 0, or -1 (for a cmocka setup). */
static inline int test_load_shipped_policy(dlo_policy *out)
{
    dlo_buf text;
    dlo_error err;
    int rc;
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    rc = dlo_policy_parse(text.data, text.len, "dlo-10.0.ports", out, &err) ? -1 : 0;
    dlo_buf_free(&text);
    return rc;
}

#endif
