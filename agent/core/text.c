#include "dlo/text.h"

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

bool dlo_equals_ci(const char *s, size_t n, const char *lower_name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (lower_name[i] == '\0' || dlo_ascii_lower(s[i]) != lower_name[i])
            return false;
    return lower_name[n] == '\0';
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

size_t dlo_utf8_chars(const char *s, size_t n)
{
    size_t i, c = 0;
    for (i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}
