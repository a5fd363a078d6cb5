/* Small ASCII and UTF-8 helpers shared by the parsers of names, modes and addresses. */
#ifndef DLO_TEXT_H
#define DLO_TEXT_H

#include "dlo/str.h" /* dlo_ascii_lower */

#include <stdbool.h>
#include <stddef.h>

/* A blank is a space or a tab. */
bool dlo_is_blank(char c);
/* True if s holds only blanks (or nothing). */
bool dlo_is_blank_str(const char *s);
/* Compares s[0..n) with a lower-case name, ignoring ASCII case. */
bool dlo_equals_ci(const char *s, size_t n, const char *lower_name);
/* Narrows s[0..*n) to leave out blanks at both ends. */
void dlo_trim(const char **s, size_t *n);
/* The number of code points in s[0..n) of UTF-8 (continuation bytes not counted). */
size_t dlo_utf8_chars(const char *s, size_t n);

#endif
