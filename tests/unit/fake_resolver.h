/* A resolver for the host tests (dlo/names.h): names and their addresses from a table the test
 * changes between passes, a clock the resolver moves by each answer's delay, and every call
 * recorded. */
#ifndef DLO_TEST_FAKE_RESOLVER_H
#define DLO_TEST_FAKE_RESOLVER_H

#include "dlo/names.h"

#define FAKE_RESOLVER_MAX 16

typedef struct fake_answer {
    const char *name;
    const char *addrs; /* comma-separated IPv4 and IPv6 text; NULL: no such name */
    unsigned ttl;
    unsigned delay_ms; /* how long it takes; one that exceeds its timeout times out */
} fake_answer;

typedef struct fake_resolver {
    dlo_resolver seam; /* seam.ctx points back here */
    fake_answer answers[FAKE_RESOLVER_MAX];
    size_t n;
    unsigned long long now;
    unsigned calls;
    unsigned last_timeout_ms;
} fake_resolver;

void fake_resolver_init(fake_resolver *f);
/* Sets (or replaces) the answer for name. */
void fake_resolver_set(fake_resolver *f, const char *name, const char *addrs, unsigned ttl,
                       unsigned delay_ms);

#endif
