/* The core's one string module: copies, blanks, ASCII case folding, comparisons of spans,
 * wildcard matching, the UTF-8 decoder, growable arrays and a list of owned strings.
 *
 * Case folding is ASCII only on purpose: the names compared (services, registry values, role
 * names, switches) are matched the way an administrator typed them, and non-ASCII letters
 * compare exactly rather than through a locale that differs from machine to machine.
 *
 * A span is s[0..n): a piece of a larger text, not NUL-terminated. */
#ifndef DLO_STR_H
#define DLO_STR_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Newly allocated copies (free()); NULL on allocation failure. dlo_strndup copies n bytes and
 * adds the NUL. */
char *dlo_strdup(const char *s);
char *dlo_strndup(const char *s, size_t n);

/* A blank is a space or a tab. */
bool dlo_is_blank(char c);
/* True if s holds only blanks (or nothing). */
bool dlo_is_blank_str(const char *s);
/* Narrows the span *s[0..*n) to leave out blanks at both ends. */
void dlo_trim(const char **s, size_t *n);

char dlo_ascii_lower(char c);
/* Whole-string comparison ignoring ASCII case. */
bool dlo_str_equal_ci(const char *a, const char *b);
/* s starts with prefix, ignoring ASCII case. */
bool dlo_str_prefix_ci(const char *s, const char *prefix);
/* s[0..n) starts with a drive letter, a colon and a backslash: a Windows path on a drive
 * ("C:\..."), neither relative nor on a share. */
bool dlo_path_on_drive(const char *s, size_t n);

/* Reads s[0..n) as a decimal number from lo to hi, the one way the agent accepts a number from
 * any source (registry, command line, policy and detection files, the installer): digits only,
 * no sign, blank or leading zero ("0443" is octal to some readers and 443 to others, and would
 * not read back as written). NULL and *out on success, else why not: "has a leading zero",
 * "is not a number", "is out of range". */
const char *dlo_decimal_parse(const char *s, size_t n, unsigned long lo, unsigned long hi,
                              unsigned long *out);
/* The span s[0..n) is exactly word (dlo_equals) or word ignoring ASCII case (dlo_equals_ci). */
bool dlo_equals(const char *s, size_t n, const char *word);
bool dlo_equals_ci(const char *s, size_t n, const char *word);

/* Wildcard match ignoring ASCII case: '*' matches any run of characters (also none), '?'
 * exactly one character (one UTF-8 code point, or one byte that is not valid UTF-8). No other
 * character is special. Runs in O(len(pattern) * len(s)) at worst, whatever the input. */
bool dlo_wildcard_match(const char *pattern, const char *s);

/* The strict UTF-8 decoder, the only one in the core. Decodes the sequence at the start of
 * s[0..n) into *cp and returns its length (1 to 4). Returns 0, and leaves *cp alone, when n is 0
 * or s does not start with a well-formed sequence (RFC 3629): a continuation byte with no lead,
 * a lead byte whose sequence is cut short, an overlong form, a surrogate (U+D800 to U+DFFF), or
 * a code point past U+10FFFF. cp may be NULL. */
size_t dlo_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* A character that can make text lie and is shown escaped wherever the agent writes text for
 * people (dlo_buf_put_shown) or JSON: a control (C0, DEL, C1), a format character (Unicode
 * category Cf: the bidirectional embeddings, overrides and isolates, zero-width characters, the
 * byte order mark, tags...), or a line or paragraph separator (Zl, Zp). */
bool dlo_cp_hidden(uint32_t cp);
/* Bytes of the character at the start of s[0..n): a sequence's length, or 1 for a byte that
 * starts no valid sequence (it stands for one character, as U+FFFD would). 0 when n is 0. */
size_t dlo_utf8_step(const char *s, size_t n);
/* The number of characters in s[0..n), counted as dlo_utf8_step steps. */
size_t dlo_utf8_chars(const char *s, size_t n);
/* The longest length <= max of a prefix of s[0..n) that does not end inside a character, for
 * cutting text short without splitting a UTF-8 sequence. */
size_t dlo_utf8_cut(const char *s, size_t n, size_t max);

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
