#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

char *dlo_strndup(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char *dlo_strdup(const char *s)
{
    return dlo_strndup(s, strlen(s));
}

char dlo_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool dlo_str_equal_ci(const char *a, const char *b)
{
    while (*a && dlo_ascii_lower(*a) == dlo_ascii_lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

bool dlo_str_prefix_ci(const char *s, const char *prefix)
{
    while (*prefix) {
        if (dlo_ascii_lower(*s) != dlo_ascii_lower(*prefix))
            return false;
        s++;
        prefix++;
    }
    return true;
}

/* Bytes in the UTF-8 character at s: a continuation byte never starts one, so '?' consumes a
 * lead byte and what follows it. Invalid sequences count byte by byte. */
static size_t char_len(const char *s)
{
    size_t n = 1;
    if ((unsigned char)s[0] < 0xC0)
        return 1;
    while (n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

bool dlo_wildcard_match(const char *pattern, const char *s)
{
    /* Greedy matching with one backtrack point (the last '*' seen): a later '*' makes every
     * earlier choice final, so no input can make this loop blow up. */
    const char *star = NULL, *resume = NULL;

    while (*s) {
        if (*pattern == '*') {
            star = ++pattern;
            resume = s;
            continue;
        }
        if (*pattern == '?') {
            pattern++;
            s += char_len(s);
            continue;
        }
        if (*pattern && dlo_ascii_lower(*pattern) == dlo_ascii_lower(*s)) {
            pattern++;
            s++;
            continue;
        }
        if (!star)
            return false;
        pattern = star;
        resume += char_len(resume);
        s = resume;
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

void *dlo_array_grow(void *items, size_t *cap, size_t count, size_t size)
{
    size_t n;
    void *moved;

    if (count < *cap)
        return items;
    n = *cap ? *cap * 2 : 8;
    if (n < *cap || n > (size_t)-1 / size)
        return NULL;
    moved = realloc(items, n * size);
    if (moved)
        *cap = n;
    return moved;
}

void dlo_strlist_init(dlo_strlist *l)
{
    memset(l, 0, sizeof(*l));
}

void dlo_strlist_free(dlo_strlist *l)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    dlo_strlist_init(l);
}

dlo_status dlo_strlist_add(dlo_strlist *l, const char *s)
{
    char **items = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*items));
    char *copy;

    if (!items)
        return DLO_E_NOMEM;
    l->items = items;
    copy = dlo_strdup(s);
    if (!copy)
        return DLO_E_NOMEM;
    l->items[l->count++] = copy;
    return DLO_OK;
}
