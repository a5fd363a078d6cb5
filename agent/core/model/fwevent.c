/* The reader of rendered event XML (dlo/fwevent.h): a small, strict tokenizer over the one shape
 * EvtRender writes, <Event><System>...</System><EventData><Data Name="...">...</Data>...
 * </EventData></Event>, keeping the handful of fields attribution uses. */
#include "dlo/fwevent.h"

#include "dlo/buf.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields kept, each at most once. */
enum field {
    F_NONE = -1,
    F_EVENTID,
    F_TIME,
    F_PROVIDER,
    F_CHANNEL,
    F_RULEID,
    F_RULENAME,
    F_USER,
    F_APP,
    F_ERRORCODE,
    F_COUNT
};

static const char *const data_names[] = {
    [F_RULEID] = "RuleId",       [F_RULENAME] = "RuleName",
    [F_USER] = "ModifyingUser",  [F_APP] = "ModifyingApplication",
    [F_ERRORCODE] = "ErrorCode",
};

typedef struct span {
    const char *s;
    size_t n;
} span;

typedef struct reader {
    const char *s;
    size_t n, pos;
    span stack[DLO_FWEVENT_DEPTH_MAX];
    size_t depth;
    bool root_seen;
    enum field capture; /* the element being read holds this field's text */
    size_t text_from;
    char *values[F_COUNT];
    dlo_error *err;
} reader;

void dlo_fwevent_init(dlo_fwevent *ev)
{
    memset(ev, 0, sizeof(*ev));
}

void dlo_fwevent_free(dlo_fwevent *ev)
{
    free(ev->provider);
    free(ev->channel);
    free(ev->rule_id);
    free(ev->rule_name);
    free(ev->user_sid);
    free(ev->application);
    dlo_fwevent_init(ev);
}

static dlo_status fail(reader *r, const char *what)
{
    return dlo_error_set(r->err, DLO_E_PARSE, "event XML, byte %zu: %s", r->pos, what);
}

/* The character or entity reference at s[0..n) (after its '&') as a code point, and its length
 * with the ';'; 0 when it is not one of the five predefined entities or a valid reference. */
static size_t entity(const char *s, size_t n, uint32_t *cp)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t i, len;
    unsigned long v = 0;
    bool hex;

    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        len = strlen(named[i].name);
        if (n >= len && memcmp(s, named[i].name, len) == 0) {
            *cp = (uint32_t)named[i].c;
            return len;
        }
    }
    if (n < 3 || s[0] != '#')
        return 0;
    hex = s[1] == 'x';
    for (i = hex ? 2 : 1; i < n && s[i] != ';'; i++) {
        int d = (s[i] >= '0' && s[i] <= '9')                          ? s[i] - '0'
                : hex && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f' ? (s[i] | 0x20) - 'a' + 10
                                                                      : -1;
        if (d < 0 || v > 0x10FFFF)
            return 0;
        v = v * (hex ? 16 : 10) + (unsigned long)d;
    }
    if (i == n || i == (hex ? 2u : 1u) || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = (uint32_t)v;
    return i + 1;
}

static void put_utf8(dlo_buf *b, uint32_t cp)
{
    char u[4];
    size_t n = 0;
    if (cp < 0x80) {
        u[n++] = (char)cp;
    } else if (cp < 0x800) {
        u[n++] = (char)(0xC0 | (cp >> 6));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        u[n++] = (char)(0xE0 | (cp >> 12));
        u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
        u[n++] = (char)(0xF0 | (cp >> 18));
        u[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    }
    dlo_buf_append(b, u, n);
}

/* Decodes the text or attribute value s[0..n) into a new string (*out), or says why not. */
static dlo_status decode(reader *r, const char *s, size_t n, char **out)
{
    dlo_buf b;
    size_t i = 0;

    dlo_buf_init(&b);
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t plain = amp ? (size_t)(amp - (s + i)) : n - i;
        uint32_t cp;
        size_t len;

        dlo_buf_append(&b, s + i, plain);
        i += plain;
        if (i == n)
            break;
        if (memchr(s + i, '<', 1) || !(len = entity(s + i + 1, n - i - 1, &cp))) {
            dlo_buf_free(&b);
            return fail(r, "an entity other than &lt; &gt; &amp; &quot; &apos; or a character "
                           "reference (nothing else is declared in an event)");
        }
        put_utf8(&b, cp);
        i += len + 1;
    }
    if (b.len > DLO_FWEVENT_FIELD_MAX) {
        dlo_buf_free(&b);
        return fail(r, "a value longer than the 4096 bytes a field may hold");
    }
    if (dlo_buf_status(&b)) {
        dlo_buf_free(&b);
        return dlo_error_set(r->err, DLO_E_NOMEM, "out of memory reading event XML");
    }
    *out = b.data ? b.data : dlo_strdup("");
    return *out ? DLO_OK : dlo_error_set(r->err, DLO_E_NOMEM, "out of memory reading event XML");
}

/* Keeps the value of field f, refusing a second one: two values for one field would let two
 * readers of the same event name two different rules or people. */
static dlo_status keep(reader *r, enum field f, const char *s, size_t n)
{
    if (r->values[f])
        return fail(r, "a field given twice");
    return decode(r, s, n, &r->values[f]);
}

static bool name_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
           (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static void skip_blanks(reader *r)
{
    while (r->pos < r->n && strchr(" \t\r\n", r->s[r->pos]) && r->s[r->pos])
        r->pos++;
}

static dlo_status read_name(reader *r, span *name)
{
    name->s = r->s + r->pos;
    name->n = 0;
    while (r->pos < r->n && name_char(r->s[r->pos], name->n == 0)) {
        r->pos++;
        name->n++;
    }
    return name->n ? DLO_OK : fail(r, "a name was expected");
}

/* name="value" or name='value'; value is the raw text between the quotes. */
static dlo_status read_attr(reader *r, span *name, span *value)
{
    const char *end;
    char quote;

    if (read_name(r, name))
        return DLO_E_PARSE;
    skip_blanks(r);
    if (r->pos >= r->n || r->s[r->pos] != '=')
        return fail(r, "'=' was expected after an attribute name");
    r->pos++;
    skip_blanks(r);
    if (r->pos >= r->n || (r->s[r->pos] != '"' && r->s[r->pos] != '\''))
        return fail(r, "a quoted attribute value was expected");
    quote = r->s[r->pos++];
    end = memchr(r->s + r->pos, quote, r->n - r->pos);
    if (!end)
        return fail(r, "an attribute value is not closed");
    value->s = r->s + r->pos;
    value->n = (size_t)(end - value->s);
    if (memchr(value->s, '<', value->n))
        return fail(r, "'<' in an attribute value");
    r->pos += value->n + 1;
    return DLO_OK;
}

/* What an element at the current depth named `name` holds: the field read from its attribute
 * `attr` (*attr set), or from its text (*attr NULL), or F_NONE. */
static enum field element_field(const reader *r, span name, const char **attr)
{
    *attr = NULL;
    if (r->depth != 2 || !dlo_equals(r->stack[0].s, r->stack[0].n, "Event"))
        return F_NONE;
    if (dlo_equals(r->stack[1].s, r->stack[1].n, "System")) {
        if (dlo_equals(name.s, name.n, "EventID"))
            return F_EVENTID;
        if (dlo_equals(name.s, name.n, "Channel"))
            return F_CHANNEL;
        *attr = dlo_equals(name.s, name.n, "TimeCreated") ? "SystemTime"
                : dlo_equals(name.s, name.n, "Provider")  ? "Name"
                                                          : NULL;
        return !*attr ? F_NONE : **attr == 'S' ? F_TIME : F_PROVIDER;
    }
    if (dlo_equals(r->stack[1].s, r->stack[1].n, "EventData") && dlo_equals(name.s, name.n, "Data"))
        *attr = "Name"; /* which field: decided by the attribute's value */
    return F_NONE;
}

static enum field data_field(const char *s, size_t n)
{
    int f;
    for (f = F_RULEID; f < F_COUNT; f++)
        if (dlo_equals(s, n, data_names[f]))
            return (enum field)f;
    return F_NONE;
}

/* The attributes of a start tag and its end ("/>" or ">"); sets the field its attribute or its
 * text gives. */
static dlo_status read_attrs(reader *r, span name, bool *empty)
{
    const char *want;
    enum field f = element_field(r, name, &want), text = want ? F_NONE : f;
    bool named = false;

    for (;;) {
        span an = {NULL, 0}, av = {NULL, 0};
        skip_blanks(r);
        if (r->pos < r->n && r->s[r->pos] == '>')
            break;
        if (r->pos + 1 < r->n && r->s[r->pos] == '/' && r->s[r->pos + 1] == '>') {
            *empty = true;
            r->pos++;
            break;
        }
        if (read_attr(r, &an, &av))
            return DLO_E_PARSE;
        if (!want || !dlo_equals(an.s, an.n, want))
            continue;
        if (named)
            return fail(r, "an attribute given twice");
        named = true;
        if (f != F_NONE) {
            dlo_status st = keep(r, f, av.s, av.n);
            if (st)
                return st;
        }
        if (f == F_NONE) { /* <Data Name="..."> */
            char *dn = NULL;
            dlo_status st = decode(r, av.s, av.n, &dn);
            if (st)
                return st;
            text = data_field(dn, strlen(dn));
            free(dn);
        }
    }
    if (r->pos >= r->n)
        return fail(r, "a tag is not closed");
    r->pos++;
    r->capture = text;
    r->text_from = r->pos;
    if (*empty && text != F_NONE) /* <Data Name="RuleName" />: present and empty */
        return keep(r, text, "", 0);
    return DLO_OK;
}

static dlo_status start_tag(reader *r)
{
    span name;
    bool empty = false;
    dlo_status st;

    if (r->capture != F_NONE)
        return fail(r, "an element inside a field's text");
    if (read_name(r, &name))
        return DLO_E_PARSE;
    if (r->depth == 0 && (r->root_seen || !dlo_equals(name.s, name.n, "Event")))
        return fail(r, r->root_seen ? "a second root element" : "the root element is not <Event>");
    if (r->depth == DLO_FWEVENT_DEPTH_MAX)
        return fail(r, "elements nested deeper than an event's");
    r->root_seen = true;
    st = read_attrs(r, name, &empty);
    if (st)
        return st;
    if (empty)
        r->capture = F_NONE;
    else
        r->stack[r->depth++] = name;
    return DLO_OK;
}

static dlo_status end_tag(reader *r, size_t text_end)
{
    span name;
    dlo_status st = DLO_OK;

    if (read_name(r, &name))
        return DLO_E_PARSE;
    skip_blanks(r);
    if (r->pos >= r->n || r->s[r->pos] != '>')
        return fail(r, "'>' was expected to close an end tag");
    r->pos++;
    if (r->depth == 0 || r->stack[r->depth - 1].n != name.n ||
        memcmp(r->stack[r->depth - 1].s, name.s, name.n) != 0)
        return fail(r, "an end tag that closes no open element");
    if (r->capture != F_NONE)
        st = keep(r, r->capture, r->s + r->text_from, text_end - r->text_from);
    r->capture = F_NONE;
    r->depth--;
    return st;
}

/* Text outside the kept fields is checked (its entities) and dropped. */
static dlo_status check_text(reader *r, size_t from, size_t to)
{
    char *t = NULL;
    dlo_status st;
    if (r->capture != F_NONE || from == to)
        return DLO_OK;
    st = decode(r, r->s + from, to - from, &t);
    free(t);
    return st;
}

/* Markup: "<?...?>" is skipped; "<!" (a DOCTYPE, CDATA or a comment) is refused. */
static dlo_status markup(reader *r, size_t text_end)
{
    r->pos++;
    if (r->pos >= r->n)
        return fail(r, "the document ends inside a tag");
    if (r->s[r->pos] == '!')
        return fail(r, "a DOCTYPE, CDATA section or comment (an event has none)");
    if (r->s[r->pos] == '?') {
        size_t i;
        for (i = r->pos + 1; i + 1 < r->n; i++)
            if (r->s[i] == '?' && r->s[i + 1] == '>' && r->capture == F_NONE) {
                r->pos = i + 2;
                return DLO_OK;
            }
        return fail(r, "a processing instruction that is not closed or inside a field");
    }
    if (r->s[r->pos] == '/') {
        r->pos++;
        return end_tag(r, text_end);
    }
    return start_tag(r);
}

/* Every byte is UTF-8 and none is NUL, checked once so the tokenizer can work on bytes. */
static dlo_status check_bytes(reader *r)
{
    while (r->pos < r->n) {
        size_t len = dlo_utf8_decode(r->s + r->pos, r->n - r->pos, NULL);
        if (len == 0 || r->s[r->pos] == '\0')
            return fail(r, len ? "a NUL byte" : "bytes that are not UTF-8");
        r->pos += len;
    }
    r->pos = 0;
    return DLO_OK;
}

static dlo_status tokenize(reader *r)
{
    dlo_status st = check_bytes(r);
    size_t text_from = 0;

    while (!st && r->pos < r->n) {
        const char *lt = memchr(r->s + r->pos, '<', r->n - r->pos);
        size_t at = lt ? (size_t)(lt - r->s) : r->n;
        if (r->depth == 0)
            for (; r->pos < at; r->pos++)
                if (!strchr(" \t\r\n", r->s[r->pos]))
                    return fail(r, "text outside the <Event> element");
        st = check_text(r, text_from, at);
        r->pos = at;
        if (!st && lt)
            st = markup(r, at);
        text_from = r->pos;
    }
    if (!st && (r->depth || !r->root_seen))
        st = fail(r, r->root_seen ? "the document ends inside an element" : "no <Event> element");
    return st;
}

/* The kept text as the event's fields; EventID and TimeCreated are required. */
static dlo_status convert(reader *r, dlo_fwevent *ev)
{
    unsigned long v;
    const char *why;

    if (!r->values[F_EVENTID] || !r->values[F_TIME])
        return fail(r, r->values[F_EVENTID] ? "no TimeCreated SystemTime" : "no EventID");
    if ((why = dlo_decimal_parse(r->values[F_EVENTID], strlen(r->values[F_EVENTID]), 1, 65535, &v)))
        return dlo_error_set(r->err, DLO_E_PARSE, "event XML: the EventID %s", why);
    ev->id = (unsigned)v;
    if ((why = dlo_fwevent_time_parse(r->values[F_TIME], strlen(r->values[F_TIME]), &ev->time)))
        return dlo_error_set(r->err, DLO_E_PARSE, "event XML: the SystemTime %s", why);
    if (r->values[F_ERRORCODE]) {
        if ((why = dlo_decimal_parse(r->values[F_ERRORCODE], strlen(r->values[F_ERRORCODE]), 0,
                                     0xFFFFFFFFul, &ev->error_code)))
            return dlo_error_set(r->err, DLO_E_PARSE, "event XML: the ErrorCode %s", why);
        ev->has_error_code = true;
    }
    ev->provider = r->values[F_PROVIDER];
    ev->channel = r->values[F_CHANNEL];
    ev->rule_id = r->values[F_RULEID];
    ev->rule_name = r->values[F_RULENAME];
    ev->user_sid = r->values[F_USER];
    ev->application = r->values[F_APP];
    r->values[F_PROVIDER] = r->values[F_CHANNEL] = r->values[F_RULEID] = NULL;
    r->values[F_RULENAME] = r->values[F_USER] = r->values[F_APP] = NULL;
    return DLO_OK;
}

dlo_status dlo_fwevent_parse(const char *xml, size_t n, dlo_fwevent *ev, dlo_error *err)
{
    reader r;
    dlo_status st;
    int f;

    memset(&r, 0, sizeof(r));
    r.s = xml;
    r.n = n;
    r.capture = F_NONE;
    r.err = err;
    dlo_fwevent_init(ev);
    if (n > DLO_FWEVENT_XML_MAX)
        st = dlo_error_set(err, DLO_E_PARSE,
                           "event XML of %zu bytes, more than the %d an event "
                           "may have",
                           n, DLO_FWEVENT_XML_MAX);
    else
        st = tokenize(&r);
    if (!st)
        st = convert(&r, ev);
    for (f = 0; f < F_COUNT; f++)
        free(r.values[f]);
    if (st)
        dlo_fwevent_free(ev);
    return st;
}

/* Days from 1601-01-01 to y-m-d (the proleptic Gregorian calendar, as FILETIME counts). */
static int64_t days_since_1601(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 584694; /* 584694: days from 0000-03-01 to 1601-01-01 */
}

static bool digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    size_t i;
    *out = 0;
    if (at + count > n)
        return false;
    for (i = at; i < at + count; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

const char *dlo_fwevent_time_parse(const char *s, size_t n, int64_t *ticks)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h, mi, sec, frac = 0, scale = 10000000, c;
    size_t i = 19;

    if (!digits(s, n, 0, 4, &y) || n < 20 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || s[10] != 'T' || !digits(s, n, 11, 2, &h) ||
        s[13] != ':' || !digits(s, n, 14, 2, &mi) || s[16] != ':' || !digits(s, n, 17, 2, &sec))
        return "is not a time of the form 2023-05-04T17:01:45.8409961Z";
    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        sec > 59 || (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
        return "is not a valid UTC date and time from 1601 on";
    if (s[i] == '.') {
        for (i++; i < n && i < 29 && digits(s, n, i, 1, &c); i++) {
            scale /= 10;
            frac += c * scale;
        }
        if (s[i - 1] == '.' || (i < n && s[i] >= '0' && s[i] <= '9'))
            return "has no fraction digits, or more than 9";
    }
    if (i + 1 != n || s[i] != 'Z')
        return "does not end in 'Z' (UTC)";
    *ticks =
        ((days_since_1601(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 10000000) + (int64_t)frac;
    return NULL;
}

void dlo_fwevent_time_format(int64_t ticks, char *out)
{
    int64_t days = ticks / 864000000000LL, rest = ticks % 864000000000LL;
    /* Civil from days (the inverse of days_since_1601). */
    int64_t z = days + 584694, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);

    snprintf(out, DLO_FWEVENT_TIME_LEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%07lldZ",
             (long long)y, (long long)m, (long long)d, (long long)(rest / 36000000000LL),
             (long long)(rest / 600000000 % 60), (long long)(rest / 10000000 % 60),
             (long long)(rest % 10000000));
}
