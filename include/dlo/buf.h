/* A growable UTF-8 text buffer and the output helpers built on it (plain text and JSON).
 *
 * Output is assembled in memory and handed to the platform's writer in one piece, so a command
 * that fails half-way prints its error instead of a truncated JSON document. */
#ifndef DLO_BUF_H
#define DLO_BUF_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dlo_buf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; later appends are no-ops */
} dlo_buf;

void dlo_buf_init(dlo_buf *b);
void dlo_buf_free(dlo_buf *b);
void dlo_buf_reset(dlo_buf *b);
/* Returns the text ("" for an empty buffer), never NULL. */
const char *dlo_buf_str(const dlo_buf *b);

void dlo_buf_append(dlo_buf *b, const char *s, size_t n);
void dlo_buf_puts(dlo_buf *b, const char *s);
void dlo_buf_putc(dlo_buf *b, char c);
void dlo_buf_printf(dlo_buf *b, const char *fmt, ...) DLO_PRINTF(2, 3);

/* Appends s as a JSON string literal, quotes included. Controls and the other characters that
 * can make text lie (dlo_cp_hidden) are escaped (\u202e); bytes that are not valid UTF-8
 * become U+FFFD so the document stays valid whatever a registry or a policy file held. */
void dlo_buf_json_str(dlo_buf *b, const char *s);

/* Appends s[0..n) as text for people: every character that can make text lie (dlo_cp_hidden),
 * a newline too unless `lines`, is shown as <U+XXXX>, and a byte that is not valid UTF-8 as
 * <0xNN>, so a name holding a right-to-left override or an escape sequence reads as what it
 * is. Everything else, any script, is kept. */
void dlo_buf_put_shown(dlo_buf *b, const char *s, size_t n, bool lines);

/* Appends the items of a comma-separated list ("a,b") as a JSON array of strings; "" gives []. */
void dlo_buf_json_list(dlo_buf *b, const char *list);

/* Appends `, "key": ` and value as a JSON string: the members after an object's first. */
void dlo_buf_json_member(dlo_buf *b, const char *key, const char *value);

/* Pads s with spaces to width columns (counting UTF-8 code points, not bytes). */
void dlo_buf_pad(dlo_buf *b, const char *s, size_t width);

/* DLO_E_NOMEM if any append failed, else DLO_OK. */
dlo_status dlo_buf_status(const dlo_buf *b);

#endif
