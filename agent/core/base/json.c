/* The strict JSON reader of dlo/json.h: recursive descent over a depth-capped tree. */
#include "dlo/json.h"

#include "dlo/buf.h"
#include "dlo/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;
    size_t n, pos, line, values;
    dlo_error *err;
} parser;

static dlo_status value(parser *p, dlo_json *out, int depth);

static dlo_status fail(parser *p, const char *what)
{
    char got[24];
    if (p->pos >= p->n)
        memcpy(got, "the end of the file", 20);
    else if ((unsigned char)p->s[p->pos] >= 0x21 && (unsigned char)p->s[p->pos] < 0x7f) {
        got[0] = got[2] = '\'';
        got[1] = p->s[p->pos];
        got[3] = '\0';
    } else
        memcpy(got, "another character", 18);
    return dlo_error_set(p->err, DLO_E_PARSE, "line %zu: %s, got %s", p->line, what, got);
}

static void skip_blanks(parser *p)
{
    while (p->pos < p->n && p->s[p->pos] && strchr(" \t\r\n", p->s[p->pos])) {
        if (p->s[p->pos] == '\n')
            p->line++;
        p->pos++;
    }
}

static bool take(parser *p, char c)
{
    skip_blanks(p);
    if (p->pos < p->n && p->s[p->pos] == c) {
        p->pos++;
        return true;
    }
    return false;
}

static unsigned hex4(const char *s)
{
    unsigned v = 0, i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return 0x110000;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(dlo_buf *b, uint32_t cp)
{
    char u[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (n == 1) {
        u[0] = (char)cp;
    } else {
        size_t i;
        for (i = n - 1; i > 0; i--, cp >>= 6)
            u[i] = (char)(0x80 | (cp & 0x3f));
        u[0] = (char)((0xf00u >> n) | cp);
    }
    dlo_buf_append(b, u, n);
}

/* \uXXXX, a surrogate pair as one; p->pos is at the 'u'. */
static dlo_status unicode_escape(parser *p, dlo_buf *b)
{
    uint32_t cp = p->n - p->pos > 4 ? hex4(p->s + p->pos + 1) : 0x110000;
    if (cp > 0xffff)
        return fail(p, "expected four hexadecimal digits after \\u");
    p->pos += 5;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        uint32_t lo = p->n - p->pos > 5 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u'
                          ? hex4(p->s + p->pos + 2)
                          : 0;
        if (lo < 0xdc00 || lo > 0xdfff)
            return fail(p, "expected the low surrogate (\\uDC00-\\uDFFF) of a pair");
        p->pos += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
        p->pos -= 5;
        return fail(p, cp ? "a low surrogate with no high one before it is no character"
                          : "\\u0000 cannot be held in a name or a value");
    }
    put_utf8(b, cp);
    return DLO_OK;
}

static dlo_status escape(parser *p, dlo_buf *b)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *at = p->pos < p->n && p->s[p->pos] ? strchr(from, p->s[p->pos]) : NULL;
    if (p->pos < p->n && p->s[p->pos] == 'u')
        return unicode_escape(p, b);
    if (!at)
        return fail(p, "expected an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
    dlo_buf_putc(b, to[at - from]);
    p->pos++;
    return DLO_OK;
}

/* A string literal into *out (malloc'ed); p->pos is at the opening quote. */
static dlo_status string(parser *p, char **out)
{
    dlo_buf b;
    dlo_status st = DLO_OK;
    dlo_buf_init(&b);
    dlo_buf_append(&b, "", 0);
    p->pos++;
    while (!st) {
        size_t k = p->pos < p->n ? dlo_utf8_decode(p->s + p->pos, p->n - p->pos, NULL) : 0;
        char c = k ? p->s[p->pos] : 0;
        if (!k || (unsigned char)c < 0x20)
            st = fail(p, p->pos >= p->n ? "expected the closing '\"' of a string"
                                        : "expected UTF-8 text in a string (controls escaped)");
        else if (c == '"')
            break;
        else if (c == '\\') {
            p->pos++;
            st = escape(p, &b);
        } else {
            dlo_buf_append(&b, p->s + p->pos, k);
            p->pos += k;
        }
    }
    if (!st && (st = dlo_buf_status(&b)) == DLO_OK) {
        p->pos++;
        *out = b.data;
        return DLO_OK;
    }
    if (st == DLO_E_NOMEM)
        dlo_error_set(p->err, st, "out of memory reading a string");
    dlo_buf_free(&b);
    return st;
}

static size_t digits(parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++;
    return p->pos - start;
}

static dlo_status number(parser *p, dlo_json *out)
{
    size_t start = p->pos, lead;
    if (p->s[p->pos] == '-')
        p->pos++;
    lead = p->pos;
    if (!digits(p) || (p->s[lead] == '0' && p->pos - lead > 1)) {
        p->pos = lead;
        return fail(p, "expected a number: digits with no leading zero");
    }
    if (p->pos < p->n && p->s[p->pos] == '.') {
        p->pos++;
        if (!digits(p))
            return fail(p, "expected digits after the decimal point");
    }
    if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (!digits(p))
            return fail(p, "expected the digits of an exponent");
    }
    out->type = DLO_JSON_NUMBER;
    out->text = dlo_strndup(p->s + start, p->pos - start);
    return out->text ? DLO_OK : dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
}

static dlo_status literal(parser *p, dlo_json *out)
{
    static const struct {
        const char *word;
        dlo_json_type type;
    } words[] = {{"null", DLO_JSON_NULL}, {"true", DLO_JSON_TRUE}, {"false", DLO_JSON_FALSE}};
    size_t i;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t k = strlen(words[i].word);
        if (p->n - p->pos >= k && memcmp(p->s + p->pos, words[i].word, k) == 0) {
            p->pos += k;
            out->type = words[i].type;
            return DLO_OK;
        }
    }
    return fail(p, "expected a value: an object, an array, a string, a number, true, false "
                   "or null");
}

static dlo_json *add_item(parser *p, dlo_json *parent)
{
    dlo_json *items = dlo_array_grow(parent->items, &parent->cap, parent->count, sizeof(*items));
    if (!items) {
        dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
        return NULL;
    }
    parent->items = items;
    memset(&items[parent->count], 0, sizeof(*items));
    return &items[parent->count++];
}

static dlo_status member_name(parser *p, const dlo_json *obj, char **key)
{
    size_t i;
    dlo_status st;
    if (!take(p, '"'))
        return fail(p, "expected a member name in double quotes");
    p->pos--;
    st = string(p, key);
    if (st)
        return st;
    for (i = 0; i + 1 < obj->count; i++)
        if (strcmp(obj->items[i].key, *key) == 0)
            return dlo_error_set(p->err, DLO_E_PARSE,
                                 "line %zu: member \"%s\" is given twice: give each member once",
                                 p->line, *key);
    if (!take(p, ':'))
        return fail(p, "expected ':' after a member name");
    return DLO_OK;
}

/* The elements of an array or the members of an object; the opening bracket is read. */
static dlo_status container(parser *p, dlo_json *out, int depth, char close)
{
    if (take(p, close))
        return DLO_OK;
    do {
        dlo_json *item = add_item(p, out);
        dlo_status st;
        if (!item)
            return DLO_E_NOMEM;
        item->line = p->line;
        st = close == '}' ? member_name(p, out, &item->key) : DLO_OK;
        if (!st)
            st = value(p, item, depth + 1);
        if (st)
            return st;
    } while (take(p, ','));
    if (!take(p, close))
        return fail(p, close == '}' ? "expected ',' or '}' after a member"
                                    : "expected ',' or ']' after an element");
    return DLO_OK;
}

static dlo_status value(parser *p, dlo_json *out, int depth)
{
    char c;
    skip_blanks(p);
    out->line = p->line;
    if (++p->values > DLO_JSON_MAX_VALUES)
        return dlo_error_set(p->err, DLO_E_PARSE, "line %zu: more than %d values in one document",
                             p->line, DLO_JSON_MAX_VALUES);
    if (depth > DLO_JSON_MAX_DEPTH)
        return dlo_error_set(p->err, DLO_E_PARSE, "line %zu: nested deeper than %d levels", p->line,
                             DLO_JSON_MAX_DEPTH);
    c = p->pos < p->n ? p->s[p->pos] : '\0';
    if (c == '{' || c == '[') {
        p->pos++;
        out->type = c == '{' ? DLO_JSON_OBJECT : DLO_JSON_ARRAY;
        return container(p, out, depth, c == '{' ? '}' : ']');
    }
    if (c == '"') {
        out->type = DLO_JSON_STRING;
        return string(p, &out->text);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(p, out);
    return literal(p, out);
}

dlo_status dlo_json_parse(const char *text, size_t len, dlo_json *out, dlo_error *err)
{
    parser p = {text, len, 0, 1, 0, err};
    dlo_status st;
    memset(out, 0, sizeof(*out));
    if (len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 || memcmp(text, "\xFE\xFF", 2) == 0))
        return dlo_error_set(err, DLO_E_PARSE,
                             "the file is UTF-16 (what Windows PowerShell 5.1's > writes): "
                             "expected UTF-8, such as Out-File -Encoding utf8 writes");
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3; /* the byte order mark Windows PowerShell 5.1's Out-File -Encoding utf8 writes */
    st = value(&p, out, 0);
    skip_blanks(&p);
    if (!st && p.pos < p.n)
        st = fail(&p, "expected the end of the document after its value");
    if (st)
        dlo_json_free(out);
    return st;
}

void dlo_json_free(dlo_json *v)
{
    size_t i;
    for (i = 0; i < v->count; i++)
        dlo_json_free(&v->items[i]);
    free(v->items);
    free(v->text);
    free(v->key);
    memset(v, 0, sizeof(*v));
}

const dlo_json *dlo_json_member(const dlo_json *obj, const char *key)
{
    size_t i;
    for (i = 0; obj && obj->type == DLO_JSON_OBJECT && i < obj->count; i++)
        if (strcmp(obj->items[i].key, key) == 0)
            return &obj->items[i];
    return NULL;
}

const char *dlo_json_type_name(dlo_json_type t)
{
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "an object"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
