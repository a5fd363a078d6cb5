/* A strict JSON reader (RFC 8259) for documents the agent is handed: a saved plan
 * (dlo/planfile.h). It builds a tree and refuses, with the line and what was expected, anything
 * a lenient reader would guess at: trailing commas, comments, single quotes, a member named
 * twice, text after the document, invalid UTF-8, a string holding U+0000 (which no C string can
 * carry), lone surrogates, nesting deeper than DLO_JSON_MAX_DEPTH and more than
 * DLO_JSON_MAX_VALUES values, so a hostile file costs bounded time and memory. */
#ifndef DLO_JSON_H
#define DLO_JSON_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

#define DLO_JSON_MAX_DEPTH  32
#define DLO_JSON_MAX_VALUES 200000

typedef enum dlo_json_type {
    DLO_JSON_NULL,
    DLO_JSON_FALSE,
    DLO_JSON_TRUE,
    DLO_JSON_NUMBER,
    DLO_JSON_STRING,
    DLO_JSON_ARRAY,
    DLO_JSON_OBJECT,
} dlo_json_type;

typedef struct dlo_json {
    dlo_json_type type;
    char *text;             /* STRING: the value, UTF-8; NUMBER: as written */
    char *key;              /* a member of an object: its name; else NULL */
    struct dlo_json *items; /* ARRAY: the elements; OBJECT: the members, in the order written */
    size_t count, cap;
    size_t line; /* where the value starts (1, 2, ...), for messages */
} dlo_json;

/* Parses text[0..len) into *out. On failure returns DLO_E_PARSE with err saying "line N: ..."
 * what was wrong and what was expected (no prefix: the caller names the file), and *out is left
 * empty (a NULL value that needs no freeing, though freeing it is harmless). */
dlo_status dlo_json_parse(const char *text, size_t len, dlo_json *out, dlo_error *err);
void dlo_json_free(dlo_json *v);

/* The member of an object called key, or NULL (also when obj is no object). */
const dlo_json *dlo_json_member(const dlo_json *obj, const char *key);
/* "a string", "an object"...: for messages. */
const char *dlo_json_type_name(dlo_json_type t);

#endif
