#include "dlo/detect_table.h"

#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_HEADER     "dlo-detect"
#define TABLE_VERSION    "1"
#define TABLE_MAX_FIELDS 8
/* How much of a field an error message quotes: enough to recognise it, short enough that a
 * pasted binary file cannot flood the message. */
#define QUOTE_MAX 80

static const char *const kind_names[DLO_DETECT_KIND_COUNT] = {
    [DLO_DETECT_SERVICE] = "service",     [DLO_DETECT_SERVICE_DISPLAY] = "service-display",
    [DLO_DETECT_UNINSTALL] = "uninstall", [DLO_DETECT_FILE] = "file",
    [DLO_DETECT_REGFILE] = "regfile",     [DLO_DETECT_SQL_INSTANCE] = "sql-instance",
};

/* Machine-wide folders only: the agent runs as LocalSystem, whose per-user folders say
 * nothing about what is installed. */
static const char *const known_folders[] = {
    "ProgramFiles", "ProgramFiles(x86)", "CommonProgramFiles", "CommonProgramFiles(x86)",
    "ProgramData",  "SystemRoot",
};

#define N_KNOWN_FOLDERS (sizeof(known_folders) / sizeof(known_folders[0]))

const char *dlo_detect_kind_name(dlo_detect_kind k)
{
    return (unsigned)k < DLO_DETECT_KIND_COUNT ? kind_names[k] : "?";
}

const char *dlo_detect_known_folder(size_t i)
{
    return i < N_KNOWN_FOLDERS ? known_folders[i] : NULL;
}

void dlo_detect_table_init(dlo_detect_table *t)
{
    memset(t, 0, sizeof(*t));
}

static void entry_free(dlo_detect_entry *e)
{
    free(e->pattern);
    free(e->folder);
    free(e->key);
    free(e->value);
    free(e->path);
}

void dlo_detect_table_free(dlo_detect_table *t)
{
    size_t i;
    for (i = 0; i < t->count; i++)
        entry_free(&t->entries[i]);
    free(t->entries);
    free(t->source);
    dlo_detect_table_init(t);
}

typedef struct field {
    const char *s;
    size_t n;
} field;

typedef struct parser {
    const char *source;
    unsigned line;
    dlo_error *err;
} parser;

/* Every message has one shape: SOURCE:LINE: problem; expected what. */
#define PARSE_ERROR(p, fmt, ...)                                                                   \
    dlo_error_set((p)->err, DLO_E_PARSE, "%s:%u: " fmt, (p)->source, (p)->line, __VA_ARGS__)

/* A field as an error message quotes it: cut short, so the message stays readable whatever the
 * file held. */
typedef struct quoted {
    char s[QUOTE_MAX + 4];
} quoted;

static quoted quote(const field *f)
{
    quoted q;
    size_t n = dlo_utf8_cut(f->s, f->n, QUOTE_MAX);
    memcpy(q.s, f->s, n);
    strcpy(q.s + n, n < f->n ? "..." : "");
    return q;
}

static bool field_is(const field *f, const char *word)
{
    return dlo_equals_ci(f->s, f->n, word);
}

/* Splits one line (without its end of line) into fields. */
static dlo_status split_fields(const parser *p, const char *s, size_t n, field *fields,
                               size_t *count)
{
    size_t i = 0;

    *count = 0;
    for (;;) {
        size_t start;

        while (i < n && dlo_is_blank(s[i]))
            i++;
        if (i == n || s[i] == '#')
            return DLO_OK;
        if (*count == TABLE_MAX_FIELDS) {
            field extra = {s + i, n - i};
            return PARSE_ERROR(p,
                               "too many fields at '%s'; expected at most %d (quote a value "
                               "that holds blanks)",
                               quote(&extra).s, TABLE_MAX_FIELDS);
        }
        if (s[i] == '"') {
            start = ++i;
            while (i < n && s[i] != '"')
                i++;
            if (i == n)
                return PARSE_ERROR(p, "unterminated quote after '%.*s'; expected a closing \"",
                                   (int)dlo_utf8_cut(s + start, n - start, QUOTE_MAX), s + start);
            fields[*count].s = s + start;
            fields[(*count)++].n = i - start;
            i++;
            if (i < n && !dlo_is_blank(s[i]) && s[i] != '#')
                return PARSE_ERROR(p,
                                   "'%c' right after a closing quote; expected a blank "
                                   "between fields",
                                   s[i]);
            continue;
        }
        start = i;
        while (i < n && !dlo_is_blank(s[i])) {
            if (s[i] == '"') {
                field f = {s + start, i - start + 1};
                return PARSE_ERROR(p,
                                   "double quote inside '%s'; expected quotes around a whole "
                                   "field",
                                   quote(&f).s);
            }
            i++;
        }
        fields[*count].s = s + start;
        fields[(*count)++].n = i - start;
    }
}

static dlo_status check_text(const parser *p, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t')
            return PARSE_ERROR(p, "control character 0x%02x at column %u; expected text", c,
                               (unsigned)(i + 1));
        if (c == 0x7F)
            return PARSE_ERROR(p, "control character 0x%02x at column %u; expected text", c,
                               (unsigned)(i + 1));
    }
    return DLO_OK;
}

static void role_names(char *out, size_t size)
{
    size_t used = 0;
    int r;

    out[0] = '\0';
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        int n;
        if (r == DLO_ROLE_SQL_SERVER)
            continue;
        n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", dlo_role_name(r));
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static void folder_names(char *out, size_t size)
{
    size_t used = 0, i;

    out[0] = '\0';
    for (i = 0; i < N_KNOWN_FOLDERS; i++) {
        int n = snprintf(out + used, size - used, "%s%%%s%%", i ? ", " : "", known_folders[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static dlo_status set_copy(char **dst, const char *s, size_t n)
{
    *dst = dlo_strndup(s, n);
    return *dst ? DLO_OK : DLO_E_NOMEM;
}

/* A pattern of only wildcards would show the role on every machine and open its ports
 * everywhere: almost certainly a slip, never a detection. */
static bool has_literal(const field *f)
{
    size_t i;
    for (i = 0; i < f->n; i++)
        if (f->s[i] != '*' && f->s[i] != '?' && !dlo_is_blank(f->s[i]))
            return true;
    return false;
}

static dlo_status need_args(const parser *p, const field *kind, size_t got, size_t min, size_t max,
                            const char *usage)
{
    quoted k = quote(kind);
    if (got < min)
        return PARSE_ERROR(p, "'%s' is missing its argument; expected %s", k.s, usage);
    if (got > max)
        return PARSE_ERROR(p, "too many arguments for '%s'; expected %s", k.s, usage);
    return DLO_OK;
}

static dlo_status parse_file_path(const parser *p, const field *f, dlo_detect_entry *e)
{
    char names[256];
    size_t i, close;

    folder_names(names, sizeof(names));
    if (f->n < 2 || f->s[0] != '%')
        return PARSE_ERROR(p,
                           "file path '%s' does not start with a known folder; expected one "
                           "of %s, then \\ and the rest of the path",
                           quote(f).s, names);
    for (close = 1; close < f->n && f->s[close] != '%'; close++)
        ;
    for (i = 0; i < N_KNOWN_FOLDERS && close < f->n; i++) {
        field name = {f->s + 1, close - 1};
        if (field_is(&name, known_folders[i]))
            break;
    }
    if (close == f->n || i == N_KNOWN_FOLDERS)
        return PARSE_ERROR(p,
                           "file path '%s' does not start with a known folder; expected one "
                           "of %s, then \\ and the rest of the path",
                           quote(f).s, names);
    if (close + 2 >= f->n || (f->s[close + 1] != '\\' && f->s[close + 1] != '/'))
        return PARSE_ERROR(p,
                           "file path '%s' names only a folder; expected %%%s%%\\ and the path "
                           "of a file below it",
                           quote(f).s, known_folders[i]);
    if (set_copy(&e->folder, known_folders[i], strlen(known_folders[i])))
        return DLO_E_NOMEM;
    return set_copy(&e->path, f->s + close + 2, f->n - close - 2);
}

static dlo_status parse_regfile(const parser *p, const field *args, size_t n, dlo_detect_entry *e)
{
    static const char *const roots[] = {"HKLM\\", "HKEY_LOCAL_MACHINE\\"};
    const field *key = &args[0];
    size_t i, skip = 0, end;

    for (i = 0; i < 2; i++) {
        field head = {key->s, strlen(roots[i])};
        if (key->n >= head.n && field_is(&head, roots[i])) {
            skip = head.n;
            break;
        }
    }
    end = key->n;
    while (end > skip && key->s[end - 1] == '\\')
        end--;
    if (!skip || end == skip)
        return PARSE_ERROR(p,
                           "registry key '%s' is not under HKLM; expected HKLM\\ and the path "
                           "of a key, e.g. %s",
                           quote(key).s, "HKLM\\SOFTWARE\\Vendor\\Product");
    if (set_copy(&e->key, key->s + skip, end - skip))
        return DLO_E_NOMEM;
    /* '@' is the default value, as in .reg files. */
    if (args[1].n == 1 && args[1].s[0] == '@') {
        if (set_copy(&e->value, "", 0))
            return DLO_E_NOMEM;
    } else if (args[1].n == 0) {
        return PARSE_ERROR(p,
                           "empty registry value name after '%s'; expected a value name, or "
                           "%s for the key's default value",
                           quote(key).s, "@");
    } else if (set_copy(&e->value, args[1].s, args[1].n)) {
        return DLO_E_NOMEM;
    }
    if (n == 3) {
        const field *rest = &args[2];
        size_t lead = 0;
        while (lead < rest->n && (rest->s[lead] == '\\' || rest->s[lead] == '/'))
            lead++;
        if (lead == rest->n)
            return PARSE_ERROR(p,
                               "empty path after value '%s'; expected the path of a file "
                               "below the folder the value names%s",
                               quote(&args[1]).s, "");
        return set_copy(&e->path, rest->s + lead, rest->n - lead);
    }
    return DLO_OK;
}

/* The three fields every entry starts with: ROLE confirmed|unconfirmed KIND. */
static dlo_status parse_entry_head(const parser *p, const field *f, size_t n, dlo_detect_entry *e)
{
    char names[512];
    int k;
    dlo_role role;

    if (!dlo_role_from_name(f[0].s, f[0].n, &role)) {
        role_names(names, sizeof(names));
        return PARSE_ERROR(p, "unknown role '%s'; expected one of: %s", quote(&f[0]).s, names);
    }
    if (role == DLO_ROLE_SQL_SERVER)
        return PARSE_ERROR(p,
                           "'%s' cannot have entries: the role comes from the local SQL Server "
                           "instance (configured, or beside the Administration Server); "
                           "expected one of the other roles",
                           quote(&f[0]).s);
    e->role = role;
    e->line = p->line;
    if (n < 2)
        return PARSE_ERROR(p, "'%s' is missing its status; expected %s", quote(&f[0]).s,
                           "ROLE confirmed|unconfirmed KIND ARGUMENTS");
    if (field_is(&f[1], "confirmed"))
        e->confirmed = true;
    else if (field_is(&f[1], "unconfirmed"))
        e->confirmed = false;
    else
        return PARSE_ERROR(p, "unknown status '%s'; expected %s", quote(&f[1]).s,
                           "confirmed or unconfirmed");
    if (n < 3)
        return PARSE_ERROR(p, "'%s %s' is missing the kind of evidence; expected one of %s",
                           quote(&f[0]).s, quote(&f[1]).s,
                           "service, service-display, uninstall, file, regfile");
    for (k = 0; k < DLO_DETECT_SQL_INSTANCE; k++)
        if (field_is(&f[2], kind_names[k]))
            break;
    if (k == DLO_DETECT_SQL_INSTANCE)
        return PARSE_ERROR(p, "unknown kind of evidence '%s'; expected one of %s", quote(&f[2]).s,
                           "service, service-display, uninstall, file, regfile");
    e->kind = (dlo_detect_kind)k;
    return DLO_OK;
}

/* The arguments after KIND (f[-1]), n of them. */
static dlo_status parse_entry_args(const parser *p, const field *f, size_t n, dlo_detect_entry *e)
{
    switch (e->kind) {
    case DLO_DETECT_SERVICE:
    case DLO_DETECT_SERVICE_DISPLAY:
    case DLO_DETECT_UNINSTALL:
        if (need_args(p, f - 1, n, 1, 1, "one name or pattern (* and ? allowed)"))
            return DLO_E_PARSE;
        if (!has_literal(&f[0]))
            return PARSE_ERROR(p,
                               "pattern '%s' matches every name; expected a name, or a "
                               "pattern with some letters besides %s",
                               quote(&f[0]).s, "* and ?");
        return set_copy(&e->pattern, f[0].s, f[0].n);
    case DLO_DETECT_FILE:
        if (need_args(p, f - 1, n, 1, 1, "one path such as %ProgramFiles%\\Vendor\\app.exe"))
            return DLO_E_PARSE;
        return parse_file_path(p, &f[0], e);
    case DLO_DETECT_REGFILE:
        if (need_args(p, f - 1, n, 2, 3, "HKLM\\KEY VALUE [PATH]"))
            return DLO_E_PARSE;
        return parse_regfile(p, f, n, e);
    case DLO_DETECT_SQL_INSTANCE:
    case DLO_DETECT_KIND_COUNT:
        break;
    }
    return dlo_error_set(p->err, DLO_E_INTERNAL, "unhandled evidence kind %d", (int)e->kind);
}

static dlo_status parse_entry(const parser *p, const field *f, size_t n, dlo_detect_entry *e)
{
    dlo_status st = parse_entry_head(p, f, n, e);
    return st ? st : parse_entry_args(p, f + 3, n - 3, e);
}

static dlo_detect_entry *table_add(dlo_detect_table *t)
{
    dlo_detect_entry *items = dlo_array_grow(t->entries, &t->cap, t->count, sizeof(*items));

    if (!items)
        return NULL;
    t->entries = items;
    memset(&t->entries[t->count], 0, sizeof(t->entries[0]));
    return &t->entries[t->count++];
}

static dlo_status parse_lines(dlo_detect_table *t, parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    bool header = false;

    /* A BOM is what Notepad writes at the start of a UTF-8 file. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    for (p->line = 1; pos < len; p->line++) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        field fields[TABLE_MAX_FIELDS];
        size_t count;
        dlo_detect_entry *e;
        dlo_status st;

        pos += n + (nl ? 1 : 0);
        if (n && s[n - 1] == '\r')
            n--;
        if (n > DLO_DETECT_MAX_LINE)
            return PARSE_ERROR(p, "line is %zu bytes long; expected at most %u", n,
                               (unsigned)DLO_DETECT_MAX_LINE);
        if (check_text(p, s, n) || split_fields(p, s, n, fields, &count))
            return DLO_E_PARSE;
        if (count == 0)
            continue;
        if (!header) {
            if (!field_is(&fields[0], TABLE_HEADER))
                return PARSE_ERROR(p,
                                   "'%s' before the header; expected the first line that is "
                                   "not blank or a comment to be '%s'",
                                   quote(&fields[0]).s, TABLE_HEADER " " TABLE_VERSION);
            if (count != 2 || !field_is(&fields[1], TABLE_VERSION))
                return PARSE_ERROR(p, "unsupported header; expected '%s'%s",
                                   TABLE_HEADER " " TABLE_VERSION,
                                   " (this agent reads version 1 of the format)");
            header = true;
            continue;
        }
        if (t->count == DLO_DETECT_MAX_ENTRIES)
            return PARSE_ERROR(p, "more than %u entries; expected at most %u",
                               (unsigned)DLO_DETECT_MAX_ENTRIES, (unsigned)DLO_DETECT_MAX_ENTRIES);
        e = table_add(t);
        if (!e)
            return dlo_error_set(p->err, DLO_E_NOMEM, "out of memory");
        st = parse_entry(p, fields, count, e);
        if (st)
            return st == DLO_E_NOMEM ? dlo_error_set(p->err, st, "out of memory") : st;
    }
    if (!header) {
        /* Name the last line there is, not the one after it. */
        if (p->line > 1)
            p->line--;
        return PARSE_ERROR(p,
                           "no header; expected the first line that is not blank or a comment "
                           "to be '%s'",
                           TABLE_HEADER " " TABLE_VERSION);
    }
    return DLO_OK;
}

dlo_status dlo_detect_table_parse(dlo_detect_table *t, const char *source, const char *text,
                                  size_t len, dlo_error *err)
{
    parser p = {source, 0, err};
    dlo_status st;

    dlo_detect_table_free(t);
    if (len > DLO_DETECT_MAX_BYTES)
        st = dlo_error_set(err, DLO_E_PARSE, "%s: is %zu bytes; expected at most %u", source, len,
                           (unsigned)DLO_DETECT_MAX_BYTES);
    else
        st = parse_lines(t, &p, text, len);
    if (!st && !(t->source = dlo_strdup(source)))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    if (st)
        dlo_detect_table_free(t);
    return st;
}

void dlo_detect_entry_describe(dlo_buf *b, const dlo_detect_entry *e)
{
    switch (e->kind) {
    case DLO_DETECT_SERVICE:
        dlo_buf_printf(b, "service named \"%s\"", e->pattern);
        break;
    case DLO_DETECT_SERVICE_DISPLAY:
        dlo_buf_printf(b, "service with display name \"%s\"", e->pattern);
        break;
    case DLO_DETECT_UNINSTALL:
        dlo_buf_printf(b, "Uninstall entry with DisplayName \"%s\"", e->pattern);
        break;
    case DLO_DETECT_FILE:
        dlo_buf_printf(b, "file %%%s%%\\%s", e->folder, e->path);
        break;
    case DLO_DETECT_REGFILE:
        dlo_buf_printf(b, "file named by HKLM\\%s value %s%s%s", e->key,
                       e->value[0] ? e->value : "(default)", e->path ? ", then \\" : "",
                       e->path ? e->path : "");
        break;
    case DLO_DETECT_SQL_INSTANCE:
        dlo_buf_puts(b, "SQL Server instance service (MSSQLSERVER or MSSQL$NAME)");
        break;
    case DLO_DETECT_KIND_COUNT:
        break;
    }
}
