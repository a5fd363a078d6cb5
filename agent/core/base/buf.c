#include "dlo/buf.h"

#include "dlo/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dlo_buf_init(dlo_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void dlo_buf_free(dlo_buf *b)
{
    free(b->data);
    dlo_buf_init(b);
}

void dlo_buf_reset(dlo_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    b->failed = false;
}

const char *dlo_buf_str(const dlo_buf *b)
{
    return b->data ? b->data : "";
}

static bool buf_reserve(dlo_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->failed)
        return false;
    if (extra > (size_t)-1 / 2 - b->len)
        goto fail;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p)
        goto fail;
    b->data = p;
    b->cap = cap;
    return true;
fail:
    b->failed = true;
    return false;
}

void dlo_buf_append(dlo_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dlo_buf_puts(dlo_buf *b, const char *s)
{
    dlo_buf_append(b, s, strlen(s));
}

void dlo_buf_putc(dlo_buf *b, char c)
{
    dlo_buf_append(b, &c, 1);
}

void dlo_buf_printf(dlo_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    int n;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
    } else if (buf_reserve(b, (size_t)n)) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

/* The escape JSON needs for c, or NULL when c stands for itself. */
static const char *json_escape(unsigned char c)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        return NULL;
    }
}

/* Control characters, DEL, and U+2028 and U+2029 are written as \\u escapes: JSON allows the
 * last two raw, but JavaScript before ES2019 ends a line at them, and a reader that splits
 * lines would cut the string there. */
static void json_strn(dlo_buf *b, const char *s, size_t n)
{
    size_t i = 0;

    dlo_buf_putc(b, '"');
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = json_escape(c);
        size_t len = 1;
        uint32_t cp = 0;

        if (esc)
            dlo_buf_puts(b, esc);
        else if ((len = dlo_utf8_decode(s + i, n - i, &cp)) == 0)
            dlo_buf_puts(b, "\\ufffd");
        else if (dlo_cp_hidden(cp) && cp > 0xFFFF)
            dlo_buf_printf(b, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
                           0xDC00 + ((cp - 0x10000) & 0x3FF));
        else if (dlo_cp_hidden(cp))
            dlo_buf_printf(b, "\\u%04x", (unsigned)cp);
        else
            dlo_buf_append(b, s + i, len);
        i += len ? len : 1;
    }
    dlo_buf_putc(b, '"');
}

/* "<" prefix, v in upper-case hex of at least `digits` digits, ">". */
static void put_hex(dlo_buf *b, const char *prefix, uint32_t v, int digits)
{
    static const char hex[] = "0123456789ABCDEF";
    char text[16];
    int n = 0, i;
    do {
        text[n++] = hex[v & 0xF];
        v >>= 4;
    } while (v || n < digits);
    dlo_buf_puts(b, prefix);
    for (i = n - 1; i >= 0; i--)
        dlo_buf_putc(b, text[i]);
    dlo_buf_putc(b, '>');
}

void dlo_buf_put_shown(dlo_buf *b, const char *s, size_t n, bool lines)
{
    size_t i = 0, plain = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = dlo_utf8_decode(s + i, n - i, &cp);
        bool escape = len == 0 || (dlo_cp_hidden(cp) && !(lines && cp == '\n'));
        if (!escape) {
            i += len;
            continue;
        }
        dlo_buf_append(b, s + plain, i - plain);
        if (len == 0)
            put_hex(b, "<0x", (unsigned char)s[i], 2);
        else
            put_hex(b, "<U+", cp, 4);
        i += len ? len : 1;
        plain = i;
    }
    dlo_buf_append(b, s + plain, n - plain);
}

void dlo_buf_json_str(dlo_buf *b, const char *s)
{
    json_strn(b, s, strlen(s));
}

void dlo_buf_json_list(dlo_buf *b, const char *list)
{
    const char *p = list;

    dlo_buf_putc(b, '[');
    while (*p) {
        size_t len = strcspn(p, ",");
        if (p != list)
            dlo_buf_puts(b, ", ");
        json_strn(b, p, len);
        p += len + (p[len] == ',');
    }
    dlo_buf_putc(b, ']');
}

void dlo_buf_json_member(dlo_buf *b, const char *key, const char *value)
{
    dlo_buf_printf(b, ", \"%s\": ", key);
    dlo_buf_json_str(b, value);
}

void dlo_buf_pad(dlo_buf *b, const char *s, size_t width)
{
    size_t cols = dlo_utf8_chars(s, strlen(s));

    dlo_buf_puts(b, s);
    while (cols++ < width)
        dlo_buf_putc(b, ' ');
}

dlo_status dlo_buf_status(const dlo_buf *b)
{
    return b->failed ? DLO_E_NOMEM : DLO_OK;
}
