/* Helpers shared by the unit tests. */
#ifndef DLO_TESTUTIL_H
#define DLO_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* What a planned rule's origin says for its rows (comma-separated ids) of pol, read from
 * `source`: "matrix row ID, SOURCE:LINE" for each, "; "-joined. */
static inline void test_rule_origin(const dlo_policy *pol, const char *source, const char *rows,
                                    dlo_buf *out)
{
    const char *p = rows;
    size_t i;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        for (i = 0; i < pol->n_rows; i++)
            if (strlen(pol->rows[i].id) == n && strncmp(pol->rows[i].id, p, n) == 0)
                dlo_buf_printf(out, "%smatrix row %s, %s:%d", p == rows ? "" : "; ",
                               pol->rows[i].id, source, pol->rows[i].line);
        p += n + (p[n] == ',');
    }
}

#endif
