/* Feeds the writers of text for people (dlo_buf_put_shown) and of JSON strings
 * (dlo_buf_json_str) arbitrary bytes, as names from the registry, the firewall or a file name
 * may hold. Shown text must be valid UTF-8 with no character that could make it lie
 * (dlo_cp_hidden) but, with `lines`, a newline; and whatever is plain comes out as it went in.
 * A JSON string must be valid UTF-8 with no such character raw either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/buf.h"
#include "dlo/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every character of b is valid and visible (a newline allowed when lines). */
static void check_visible(const dlo_buf *b, bool lines)
{
    size_t i = 0, len;
    uint32_t cp;
    while (i < b->len) {
        len = dlo_utf8_decode(b->data + i, b->len - i, &cp);
        if (!len || (dlo_cp_hidden(cp) && !(lines && cp == '\n')))
            abort();
        i += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    dlo_buf shown, lines, json;
    size_t i = 0, len;
    uint32_t cp;
    bool plain = true;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dlo_buf_init(&shown);
    dlo_buf_init(&lines);
    dlo_buf_init(&json);
    dlo_buf_put_shown(&shown, text, size, false);
    dlo_buf_put_shown(&lines, text, size, true);
    dlo_buf_json_str(&json, text);
    check_visible(&shown, false);
    check_visible(&lines, true);
    check_visible(&json, false);
    while (i < size && plain) {
        len = dlo_utf8_decode(text + i, size - i, &cp);
        plain = len && !dlo_cp_hidden(cp);
        i += len;
    }
    if (plain && (shown.len != size || memcmp(shown.data ? shown.data : "", text, size) != 0))
        abort();
    dlo_buf_free(&shown);
    dlo_buf_free(&lines);
    dlo_buf_free(&json);
    free(text);
    return 0;
}
