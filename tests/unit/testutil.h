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

/* Parses the port matrix of the source tree into pol; fails the test if it cannot. */
static inline int test_load_source_policy(dlo_policy *pol)
{
    dlo_buf text;
    dlo_error err;
    dlo_status st;
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    st = dlo_policy_parse(text.data, text.len, "dlo-10.0.ports", pol, &err);
    dlo_buf_free(&text);
    return st ? -1 : 0;
}

#endif
