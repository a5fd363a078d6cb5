#include "dlo/buf.h"

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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. Overlong forms,
 * surrogates and code points past U+10FFFF are rejected, as a strict decoder would. */
static size_t utf8_seq_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;
        if (c == 0xED && s[1] >= 0xA0)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

void dlo_buf_json_str(dlo_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    dlo_buf_putc(b, '"');
    while (*p) {
        size_t n;
        switch (*p) {
        case '"':
            dlo_buf_puts(b, "\\\"");
            p++;
            continue;
        case '\\':
            dlo_buf_puts(b, "\\\\");
            p++;
            continue;
        case '\n':
            dlo_buf_puts(b, "\\n");
            p++;
            continue;
        case '\r':
            dlo_buf_puts(b, "\\r");
            p++;
            continue;
        case '\t':
            dlo_buf_puts(b, "\\t");
            p++;
            continue;
        default:
            break;
        }
        if (*p < 0x20) {
            dlo_buf_printf(b, "\\u%04x", *p);
            p++;
            continue;
        }
        n = utf8_seq_len(p);
        if (n == 0) {
            dlo_buf_puts(b, "\\ufffd");
            p++;
        } else {
            dlo_buf_append(b, (const char *)p, n);
            p += n;
        }
    }
    dlo_buf_putc(b, '"');
}

void dlo_buf_json_member(dlo_buf *b, const char *key, const char *value)
{
    dlo_buf_printf(b, ", \"%s\": ", key);
    dlo_buf_json_str(b, value);
}

void dlo_buf_pad(dlo_buf *b, const char *s, size_t width)
{
    size_t cols = 0;
    const unsigned char *p;

    dlo_buf_puts(b, s);
    for (p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            cols++;
    while (cols++ < width)
        dlo_buf_putc(b, ' ');
}

dlo_status dlo_buf_status(const dlo_buf *b)
{
    return b->failed ? DLO_E_NOMEM : DLO_OK;
}
