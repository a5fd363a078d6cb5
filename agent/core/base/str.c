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

bool dlo_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool dlo_is_blank_str(const char *s)
{
    for (; *s; s++)
        if (!dlo_is_blank(*s))
            return false;
    return true;
}

void dlo_trim(const char **s, size_t *n)
{
    while (*n && dlo_is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && dlo_is_blank((*s)[*n - 1]))
        (*n)--;
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

bool dlo_equals(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

bool dlo_equals_ci(const char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (word[i] == '\0' || dlo_ascii_lower(s[i]) != dlo_ascii_lower(word[i]))
            return false;
    return word[n] == '\0';
}

/* What a lead byte promises: the sequence's length, the bits it carries, and the range its
 * second byte must fall in. The narrowed ranges after E0, ED, F0 and F4 are what rule out
 * overlong forms, surrogates and code points past U+10FFFF (Unicode's table of well-formed
 * byte sequences); every other continuation byte is 80..BF. */
typedef struct utf8_lead {
    size_t len;
    uint32_t bits;
    unsigned char lo, hi;
} utf8_lead;

static utf8_lead utf8_classify(unsigned char c)
{
    utf8_lead l = {0, 0, 0x80, 0xBF};

    if (c < 0x80) {
        l.len = 1;
        l.bits = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        l.len = 2;
        l.bits = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        l.len = 3;
        l.bits = c & 0x0Fu;
        l.lo = c == 0xE0 ? 0xA0 : 0x80;
        l.hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        l.len = 4;
        l.bits = c & 0x07u;
        l.lo = c == 0xF0 ? 0x90 : 0x80;
        l.hi = c == 0xF4 ? 0x8F : 0xBF;
    }
    return l;
}

size_t dlo_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    utf8_lead l;
    size_t i;

    if (n == 0)
        return 0;
    l = utf8_classify(u[0]);
    if (l.len == 0 || l.len > n)
        return 0;
    /* Byte by byte, so a NUL (never a continuation byte) ends a sequence before anything past
     * it is read. */
    for (i = 1; i < l.len; i++) {
        unsigned char lo = i == 1 ? l.lo : 0x80, hi = i == 1 ? l.hi : 0xBF;
        if (u[i] < lo || u[i] > hi)
            return 0;
        l.bits = l.bits << 6 | (u[i] & 0x3Fu);
    }
    if (cp)
        *cp = l.bits;
    return l.len;
}

size_t dlo_utf8_step(const char *s, size_t n)
{
    size_t len;
    if (n == 0)
        return 0;
    len = dlo_utf8_decode(s, n, NULL);
    return len ? len : 1;
}

size_t dlo_utf8_chars(const char *s, size_t n)
{
    size_t i = 0, chars = 0;
    while (i < n) {
        i += dlo_utf8_step(s + i, n - i);
        chars++;
    }
    return chars;
}

size_t dlo_utf8_cut(const char *s, size_t n, size_t max)
{
    size_t i = 0;
    if (n <= max)
        return n;
    while (i < max) {
        size_t step = dlo_utf8_step(s + i, n - i);
        if (i + step > max)
            break;
        i += step;
    }
    return i;
}

/* The character at s, a non-empty NUL-terminated string: 4 bounds the decoder, which stops at
 * the NUL before reading past it. */
static size_t step_z(const char *s)
{
    return dlo_utf8_step(s, 4);
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
            s += step_z(s);
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
        resume += step_z(resume);
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

bool dlo_path_on_drive(const char *s, size_t n)
{
    char letter = n ? (char)(s[0] | 0x20) : 0;
    return n >= 3 && letter >= 'a' && letter <= 'z' && s[1] == ':' && s[2] == '\\';
}

const char *dlo_decimal_parse(const char *s, size_t n, unsigned long lo, unsigned long hi,
                              unsigned long *out)
{
    unsigned long v = 0;
    size_t i;
    if (n == 0)
        return "is not a number";
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return "is not a number";
    if (n > 1 && s[0] == '0')
        return "has a leading zero";
    for (i = 0; i < n; i++) {
        unsigned long d = (unsigned long)(s[i] - '0');
        if (d > hi || v > hi / 10 || v * 10 > hi - d)
            return "is out of range";
        v = v * 10 + d;
    }
    if (v < lo)
        return "is out of range";
    *out = v;
    return NULL;
}

/* Unicode 15.1's format characters (category Cf), as ranges. */
static const struct {
    uint32_t lo, hi;
} format_chars[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
};

bool dlo_cp_hidden(uint32_t cp)
{
    size_t i;
    if (cp < 0xAD) /* most text: no table to look at */
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    /* 0x2028-0x2029 (Zl, Zp) sit inside the 0x2028-0x202E range above. */
    for (i = 0; i < sizeof(format_chars) / sizeof(format_chars[0]); i++)
        if (cp >= format_chars[i].lo && cp <= format_chars[i].hi)
            return true;
    return false;
}
