/* Small helpers the core shares: string copies, ASCII case folding, wildcard matching, growable
 * arrays and a list of owned strings.
 *
 * Case folding is ASCII only on purpose: the names compared (services, registry values, role
 * names) are matched the way an administrator typed them, and non-ASCII letters compare
 * exactly rather than through a locale that differs from machine to machine. */
#ifndef DLO_STR_H
#define DLO_STR_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Newly allocated copies (free()); NULL on allocation failure. dlo_strndup copies n bytes and
 * adds the NUL. */
char *dlo_strdup(const char *s);
char *dlo_strndup(const char *s, size_t n);

char dlo_ascii_lower(char c);
/* Whole-string comparison ignoring ASCII case. */
bool dlo_str_equal_ci(const char *a, const char *b);
/* s starts with prefix, ignoring ASCII case. */
bool dlo_str_prefix_ci(const char *s, const char *prefix);

/* Wildcard match ignoring ASCII case: '*' matches any run of characters (also none), '?'
 * exactly one character (one UTF-8 code point). No other character is special. Runs in
 * O(len(pattern) * len(s)) at worst, whatever the input. */
bool dlo_wildcard_match(const char *pattern, const char *s);

/* Room for one more item in a growable array of count items of size bytes, *cap allocated:
 * returns items itself when there is room, else the array moved to twice the capacity (*cap
 * updated), or NULL when that fails (items is then untouched and still owned by the caller). */
void *dlo_array_grow(void *items, size_t *cap, size_t count, size_t size);

typedef struct dlo_strlist {
    char **items;
    size_t count;
    size_t cap;
} dlo_strlist;

void dlo_strlist_init(dlo_strlist *l);
void dlo_strlist_free(dlo_strlist *l);
/* Appends a copy of s. */
dlo_status dlo_strlist_add(dlo_strlist *l, const char *s);

#endif
