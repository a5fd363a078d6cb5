/* The detection table parser, the wildcard matcher it relies on, and the table shipped in
 * policies/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/detect.h"
#include "dlo/detect_table.h"
#include "dlo/str.h"

static void test_wildcard_matches(void **state)
{
    (void)state;
    assert_true(dlo_wildcard_match("DLOAdminSvcu", "DLOAdminSvcu"));
    assert_true(dlo_wildcard_match("dloadminsvcu", "DLOADMINSVCU"));
    assert_true(dlo_wildcard_match("*DLO Dedupe*", "Arctera DLO Dedupe Server"));
    assert_true(dlo_wildcard_match("*DLO Dedupe*", "dlo dedupe"));
    assert_true(dlo_wildcard_match("MSSQL$*", "MSSQL$DLO"));
    assert_true(dlo_wildcard_match("DLO?dmin*", "DLOAdminSvcu"));
    assert_true(dlo_wildcard_match("*a*b*c*", "xxaxxbxxcxx"));
    assert_true(dlo_wildcard_match("**", ""));
    assert_true(dlo_wildcard_match("*Journal Service", "Veritas DLO Change Journal Service"));
    /* '?' is one character, not one byte: "é" is two bytes in UTF-8. */
    assert_true(dlo_wildcard_match("Caf?", "Caf\xC3\xA9"));
    assert_true(dlo_wildcard_match("*", ""));
}

static void test_wildcard_rejects(void **state)
{
    (void)state;
    assert_false(dlo_wildcard_match("DLOAdminSvcu", "DLOAdminSvcu2"));
    assert_false(dlo_wildcard_match("DLOAdminSvcu", "XDLOAdminSvcu"));
    assert_false(dlo_wildcard_match("*DLO Edge*", "Veritas DLO Dedupe Server"));
    assert_false(dlo_wildcard_match("DLO?Admin", "DLOAdmin"));
    assert_false(dlo_wildcard_match("MSSQL$*", "MSSQLSERVER"));
    assert_false(dlo_wildcard_match("*a*b*c", "xxaxxbxxcxx"));
    assert_false(dlo_wildcard_match("Caf??", "Caf\xC3\xA9"));
    assert_false(dlo_wildcard_match("", "x"));
    /* Non-ASCII letters compare exactly: no locale decides that "É" is "é". */
    assert_false(dlo_wildcard_match("caf\xC3\xA9", "CAF\xC3\x89"));
}

static void test_wildcard_worst_case_finishes(void **state)
{
    /* Many stars against a long near-miss: exponential backtracking would never return. */
    char pattern[200], text[4000];
    size_t i;
    (void)state;
    for (i = 0; i + 2 < sizeof(pattern); i += 2) {
        pattern[i] = '*';
        pattern[i + 1] = 'a';
    }
    pattern[sizeof(pattern) - 2] = 'b';
    pattern[sizeof(pattern) - 1] = '\0';
    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    assert_false(dlo_wildcard_match(pattern, text));
}

static dlo_status parse(dlo_detect_table *t, const char *text, dlo_error *err)
{
    dlo_detect_table_init(t);
    dlo_error_clear(err);
    return dlo_detect_table_parse(t, "t.detect", text, strlen(text), err);
}

static void test_parse_every_kind(void **state)
{
    dlo_detect_table t;
    dlo_error err;
    const char *text =
        "\xEF\xBB\xBF# comment first\r\n"
        "\r\n"
        "dlo-detect 1   # header\r\n"
        "admin-server confirmed service DLOAdminSvcu\r\n"
        "client Unconfirmed service-display \"Veritas DLO Change Journal Service\"\n"
        "edge-server unconfirmed uninstall \"*DLO Edge*\"#note\n"
        "admin-console unconfirmed file \"%programfiles(X86)%\\V DLO\\c.exe\"\n"
        "io-server unconfirmed regfile HKEY_LOCAL_MACHINE\\SOFTWARE\\V\\ @\n"
        "dedupe-server unconfirmed regfile \"HKLM\\SOFTWARE\\V D\" Dir \\bin\\d.exe\n"
        "\tstorage  confirmed  file  %ProgramData%/x/y.txt";
    (void)state;

    assert_int_equal(parse(&t, text, &err), DLO_OK);
    assert_string_equal(t.source, "t.detect");
    assert_int_equal(t.count, 7);

    assert_int_equal(t.entries[0].role, DLO_ROLE_ADMIN_SERVER);
    assert_int_equal(t.entries[0].kind, DLO_DETECT_SERVICE);
    assert_true(t.entries[0].confirmed);
    assert_int_equal(t.entries[0].line, 4);
    assert_string_equal(t.entries[0].pattern, "DLOAdminSvcu");

    assert_int_equal(t.entries[1].kind, DLO_DETECT_SERVICE_DISPLAY);
    assert_false(t.entries[1].confirmed);
    assert_string_equal(t.entries[1].pattern, "Veritas DLO Change Journal Service");

    assert_int_equal(t.entries[2].kind, DLO_DETECT_UNINSTALL);
    assert_string_equal(t.entries[2].pattern, "*DLO Edge*");
    assert_int_equal(t.entries[2].line, 6);

    assert_int_equal(t.entries[3].kind, DLO_DETECT_FILE);
    assert_string_equal(t.entries[3].folder, "ProgramFiles(x86)"); /* canonical spelling */
    assert_string_equal(t.entries[3].path, "V DLO\\c.exe");

    assert_int_equal(t.entries[4].kind, DLO_DETECT_REGFILE);
    assert_string_equal(t.entries[4].key, "SOFTWARE\\V"); /* root and trailing \ dropped */
    assert_string_equal(t.entries[4].value, "");          /* @ is the default value */
    assert_null(t.entries[4].path);

    assert_string_equal(t.entries[5].key, "SOFTWARE\\V D");
    assert_string_equal(t.entries[5].value, "Dir");
    assert_string_equal(t.entries[5].path, "bin\\d.exe");

    assert_int_equal(t.entries[6].role, DLO_ROLE_STORAGE);
    assert_string_equal(t.entries[6].folder, "ProgramData");
    assert_string_equal(t.entries[6].path, "x/y.txt");
    assert_int_equal(t.entries[6].line, 10);
    dlo_detect_table_free(&t);
}

static void test_header_only_is_an_empty_table(void **state)
{
    dlo_detect_table t;
    dlo_error err;
    (void)state;
    assert_int_equal(parse(&t, "dlo-detect 1\n", &err), DLO_OK);
    assert_int_equal(t.count, 0);
    dlo_detect_table_free(&t);
}

typedef struct bad_case {
    const char *text;
    const char *message; /* the whole message, so the line number and wording are checked */
} bad_case;

static const bad_case bad_cases[] = {
    {"", "t.detect:1: no header; expected the first line that is not blank or a comment to be "
         "'dlo-detect 1'"},
    {"# a\n\n# b\n", "t.detect:3: no header; expected the first line that is not blank or a "
                     "comment to be 'dlo-detect 1'"},
    {"admin-server confirmed service X\n",
     "t.detect:1: 'admin-server' before the header; expected the first line that is not blank "
     "or a comment to be 'dlo-detect 1'"},
    {"dlo-detect 2\n", "t.detect:1: unsupported header; expected 'dlo-detect 1' (this agent "
                       "reads version 1 of the format)"},
    {"dlo-detect 1\r\nadmin-server\r\n",
     "t.detect:2: 'admin-server' is missing its status; expected ROLE confirmed|unconfirmed KIND "
     "ARGUMENTS"},
    {"dlo-detect 1\nadmin-server sure service X\n",
     "t.detect:2: unknown status 'sure'; expected confirmed or unconfirmed"},
    {"dlo-detect 1\nadmin-server confirmed\n",
     "t.detect:2: 'admin-server confirmed' is missing the kind of evidence; expected one of "
     "service, service-display, uninstall, file, regfile"},
    {"dlo-detect 1\nadmin-server confirmed process X\n",
     "t.detect:2: unknown kind of evidence 'process'; expected one of service, service-display, "
     "uninstall, file, regfile"},
    {"dlo-detect 1\nadmin-server confirmed service\n",
     "t.detect:2: 'service' is missing its argument; expected one name or pattern (* and ? "
     "allowed)"},
    {"dlo-detect 1\nadmin-server confirmed service A B\n",
     "t.detect:2: too many arguments for 'service'; expected one name or pattern (* and ? "
     "allowed)"},
    {"dlo-detect 1\nclient confirmed service-display \"Veritas DLO\n",
     "t.detect:2: unterminated quote after 'Veritas DLO'; expected a closing \""},
    {"dlo-detect 1\nclient confirmed service-display Veritas\"DLO\"\n",
     "t.detect:2: double quote inside 'Veritas\"'; expected quotes around a whole field"},
    {"dlo-detect 1\nclient confirmed service-display \"A\"B\n",
     "t.detect:2: 'B' right after a closing quote; expected a blank between fields"},
    {"dlo-detect 1\nclient confirmed uninstall \"**\"\n",
     "t.detect:2: pattern '**' matches every name; expected a name, or a pattern with some "
     "letters besides * and ?"},
    {"dlo-detect 1\nclient confirmed file C:\\x.exe\n",
     "t.detect:2: file path 'C:\\x.exe' does not start with a known folder; expected one of "
     "%ProgramFiles%, %ProgramFiles(x86)%, %CommonProgramFiles%, %CommonProgramFiles(x86)%, "
     "%ProgramData%, %SystemRoot%, then \\ and the rest of the path"},
    {"dlo-detect 1\nclient confirmed file %AppData%\\x.exe\n",
     "t.detect:2: file path '%AppData%\\x.exe' does not start with a known folder; expected one "
     "of %ProgramFiles%, %ProgramFiles(x86)%, %CommonProgramFiles%, %CommonProgramFiles(x86)%, "
     "%ProgramData%, %SystemRoot%, then \\ and the rest of the path"},
    {"dlo-detect 1\nclient confirmed file %ProgramFiles%\\\n",
     "t.detect:2: file path '%ProgramFiles%\\' names only a folder; expected %ProgramFiles%\\ and "
     "the path of a file below it"},
    {"dlo-detect 1\nclient confirmed regfile HKCU\\Software\\X Dir\n",
     "t.detect:2: registry key 'HKCU\\Software\\X' is not under HKLM; expected HKLM\\ and the path "
     "of a key, e.g. HKLM\\SOFTWARE\\Vendor\\Product"},
    {"dlo-detect 1\nclient confirmed regfile HKLM\\X\n",
     "t.detect:2: 'regfile' is missing its argument; expected HKLM\\KEY VALUE [PATH]"},
    {"dlo-detect 1\nclient confirmed regfile HKLM\\X \"\"\n",
     "t.detect:2: empty registry value name after 'HKLM\\X'; expected a value name, or @ for the "
     "key's default value"},
    {"dlo-detect 1\nclient confirmed regfile HKLM\\X V \\\n",
     "t.detect:2: empty path after value 'V'; expected the path of a file below the folder the "
     "value names"},
    {"dlo-detect 1\nsql-server confirmed service MSSQLSERVER\n",
     "t.detect:2: 'sql-server' cannot have entries: the role comes from the local SQL Server "
     "instance (configured, or beside the Administration Server); expected one of the other "
     "roles"},
    {"dlo-detect 1\nclient confirmed service A\x01\n",
     "t.detect:2: control character 0x01 at column 27; expected text"},
    {"dlo-detect 1\na b c d e f g h i\n",
     "t.detect:2: too many fields at 'i'; expected at most 8 (quote a value that holds blanks)"},
};

static void test_parse_errors_name_file_line_and_expectation(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        dlo_detect_table t;
        dlo_error err;
        print_message("case %u\n", (unsigned)i);
        assert_int_equal(parse(&t, bad_cases[i].text, &err), DLO_E_PARSE);
        assert_int_equal(err.status, DLO_E_PARSE);
        assert_string_equal(err.msg, bad_cases[i].message);
        /* Nothing half-parsed is left behind. */
        assert_int_equal(t.count, 0);
        assert_null(t.entries);
        dlo_detect_table_free(&t);
    }
}

/* An unknown role is refused with every role of the role rows that may have entries, in their
 * order, as the choice: all but SQL Server, which the local instance decides. */
static void test_unknown_role_lists_every_role(void **state)
{
    dlo_detect_table t;
    dlo_error err;
    dlo_buf want;
    int role;
    (void)state;

    dlo_buf_init(&want);
    dlo_buf_puts(&want, "t.detect:4: unknown role 'admin-srv'; expected one of: ");
    for (role = 0; role < DLO_ROLE_COUNT; role++)
        if (role != DLO_ROLE_SQL_SERVER)
            dlo_buf_printf(&want, "%s%s", role ? ", " : "", dlo_role_name((dlo_role)role));
    assert_int_equal(parse(&t, "dlo-detect 1\n# c\n\nadmin-srv confirmed service X\n", &err),
                     DLO_E_PARSE);
    assert_string_equal(err.msg, dlo_buf_str(&want));
    assert_int_equal(t.count, 0);
    dlo_detect_table_free(&t);
    dlo_buf_free(&want);
}

static void test_nul_byte_is_an_error_not_the_end(void **state)
{
    static const char text[] = "dlo-detect 1\nclient confirmed service A\0B\n";
    dlo_detect_table t;
    dlo_error err;
    (void)state;
    dlo_detect_table_init(&t);
    dlo_error_clear(&err);
    assert_int_equal(dlo_detect_table_parse(&t, "n.detect", text, sizeof(text) - 1, &err),
                     DLO_E_PARSE);
    assert_string_equal(err.msg, "n.detect:2: control character 0x00 at column 27; expected text");
}

/* The table is capped like the port matrix: entries, line length and size, each refusal naming
 * the file (and the line) and the limit. The last entry within the cap still loads. */
static void test_over_cap_tables_are_refused(void **state)
{
    dlo_buf text;
    dlo_detect_table t;
    dlo_error err;
    unsigned i;
    (void)state;

    dlo_buf_init(&text);
    dlo_buf_puts(&text, "dlo-detect 1\n");
    for (i = 0; i < DLO_DETECT_MAX_ENTRIES; i++)
        dlo_buf_printf(&text, "client unconfirmed service Svc%u\n", i);
    assert_int_equal(parse(&t, dlo_buf_str(&text), &err), DLO_OK);
    assert_int_equal(t.count, DLO_DETECT_MAX_ENTRIES);
    dlo_detect_table_free(&t);
    dlo_buf_puts(&text, "client unconfirmed service OneTooMany\n");
    assert_int_equal(parse(&t, dlo_buf_str(&text), &err), DLO_E_PARSE);
    assert_string_equal(err.msg, "t.detect:1002: more than 1000 entries; expected at most 1000");
    assert_int_equal(t.count, 0);

    dlo_buf_reset(&text);
    dlo_buf_puts(&text, "dlo-detect 1\nclient unconfirmed service \"");
    for (i = 0; i < DLO_DETECT_MAX_LINE; i++)
        dlo_buf_putc(&text, 'x');
    dlo_buf_puts(&text, "\"\n");
    assert_int_equal(parse(&t, dlo_buf_str(&text), &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t.detect:2: line is 4125 bytes long; expected at most 4096"));

    dlo_buf_reset(&text);
    dlo_buf_puts(&text, "dlo-detect 1\n");
    while (text.len <= DLO_DETECT_MAX_BYTES)
        dlo_buf_puts(&text, "# a comment line that makes the file large and says nothing\n");
    assert_int_equal(parse(&t, dlo_buf_str(&text), &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "t.detect: is "));
    assert_non_null(strstr(err.msg, " bytes; expected at most 262144"));
    dlo_buf_free(&text);
}

static void test_long_field_is_quoted_short(void **state)
{
    char text[600];
    dlo_detect_table t;
    dlo_error err;
    (void)state;
    strcpy(text, "dlo-detect 1\n");
    memset(text + strlen(text), 'r', 300);
    text[13 + 300] = '\0';
    strcat(text, " confirmed service X\n");
    assert_int_equal(parse(&t, text, &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "rrr...'; expected one of"));
    assert_true(strlen(err.msg) < 400);
}

static void test_describe(void **state)
{
    dlo_detect_table t;
    dlo_error err;
    dlo_buf b;
    size_t i;
    static const char *const want[] = {
        "service named \"A*\"",
        "service with display name \"B C\"",
        "Uninstall entry with DisplayName \"*D*\"",
        "file %ProgramFiles%\\E\\f.exe",
        "file named by HKLM\\SOFTWARE\\G value H, then \\i.exe",
        "file named by HKLM\\SOFTWARE\\G value (default)",
    };
    (void)state;
    assert_int_equal(parse(&t,
                           "dlo-detect 1\n"
                           "client confirmed service A*\n"
                           "client confirmed service-display \"B C\"\n"
                           "client confirmed uninstall *D*\n"
                           "client confirmed file %ProgramFiles%\\E\\f.exe\n"
                           "client confirmed regfile HKLM\\SOFTWARE\\G H i.exe\n"
                           "client confirmed regfile HKLM\\SOFTWARE\\G @\n",
                           &err),
                     DLO_OK);
    for (i = 0; i < t.count; i++) {
        dlo_buf_init(&b);
        dlo_detect_entry_describe(&b, &t.entries[i]);
        assert_string_equal(dlo_buf_str(&b), want[i]);
        dlo_buf_free(&b);
    }
    dlo_detect_table_free(&t);
}

/* ---- Loading through the platform ---- */

typedef struct fake_files {
    const char *embedded; /* NULL: no resource */
    const char *file;     /* NULL: the file cannot be opened */
} fake_files;

static dlo_status fake_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    fake_files *f = ctx;
    if (!f->embedded || strcmp(name, "DETECTION") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no embedded data named %s", name);
    dlo_buf_puts(out, f->embedded);
    return DLO_OK;
}

static dlo_status fake_read(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    fake_files *f = ctx;
    assert_int_equal(max, DLO_DETECT_MAX_BYTES);
    if (!f->file)
        return dlo_error_set(err, DLO_E_IO, "cannot open %s: The system cannot find the file",
                             path);
    dlo_buf_puts(out, f->file);
    return DLO_OK;
}

static void test_load_embedded_and_file(void **state)
{
    fake_files files = {
        "dlo-detect 1\nclient confirmed service A\n",
        "dlo-detect 1\nclient confirmed service B\nedge-server confirmed service C\n"};
    dlo_platform plat = {.ctx = &files, .load_embedded = fake_embedded, .read_file = fake_read};
    dlo_detect_table t;
    dlo_error err;
    (void)state;

    dlo_detect_table_init(&t);
    assert_int_equal(dlo_detect_table_load(&t, &plat, NULL, &err), DLO_OK);
    assert_string_equal(t.source, "embedded DETECTION");
    assert_int_equal(t.count, 1);
    dlo_detect_table_free(&t);

    assert_int_equal(dlo_detect_table_load(&t, &plat, "C:\\my.detect", &err), DLO_OK);
    assert_string_equal(t.source, "C:\\my.detect");
    assert_int_equal(t.count, 2);
    dlo_detect_table_free(&t);
}

static void test_load_failures(void **state)
{
    fake_files files = {NULL, NULL};
    dlo_platform plat = {.ctx = &files, .load_embedded = fake_embedded, .read_file = fake_read};
    dlo_detect_table t;
    dlo_error err;
    (void)state;

    dlo_detect_table_init(&t);
    /* A file the administrator named and that cannot be read: their input to fix (exit 2). */
    assert_int_equal(dlo_detect_table_load(&t, &plat, "C:\\missing.detect", &err), DLO_E_CONFIG);
    assert_string_equal(err.msg,
                        "detection table: cannot open C:\\missing.detect: The system cannot find "
                        "the file");
    /* A build without its table is broken (exit 3). */
    assert_int_equal(dlo_detect_table_load(&t, &plat, NULL, &err), DLO_E_INTERNAL);
    assert_non_null(strstr(err.msg, "embedded detection table cannot be loaded"));

    files.file = "dlo-detect 1\nclient confirmed services A\n";
    assert_int_equal(dlo_detect_table_load(&t, &plat, "bad.detect", &err), DLO_E_PARSE);
    assert_non_null(strstr(err.msg, "bad.detect:2: unknown kind of evidence 'services'"));
    assert_int_equal(t.count, 0);
}

/* ---- The shipped table ---- */

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return data;
}

static void test_shipped_table(void **state)
{
    dlo_detect_table t;
    dlo_error err;
    size_t len = 0, i;
    char *text = read_whole(DLO_DETECT_TABLE_PATH, &len);
    dlo_role_set roles = 0;
    bool unconfirmed = false;
    (void)state;

    assert_non_null(text);
    dlo_detect_table_init(&t);
    dlo_error_clear(&err);
    assert_int_equal(dlo_detect_table_parse(&t, "dlo-10.0.detect", text, len, &err), DLO_OK);
    for (i = 0; i < t.count; i++) {
        roles |= DLO_ROLE_BIT(t.entries[i].role);
        unconfirmed |= !t.entries[i].confirmed;
        /* The confirmed facts: DLOAdminSvcu and DLOMaintenanceSvc are confirmed entries. */
        if (t.entries[i].kind == DLO_DETECT_SERVICE)
            assert_true(t.entries[i].confirmed);
    }
    /* Every component that runs on a machine has evidence; the rest cannot be seen. */
    assert_int_equal(
        roles, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) |
                   DLO_ROLE_BIT(DLO_ROLE_DEDUPE_SERVER) |
                   DLO_ROLE_BIT(DLO_ROLE_MAINTENANCE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) |
                   DLO_ROLE_BIT(DLO_ROLE_IO_SERVER) | DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_true(unconfirmed);
    dlo_detect_table_free(&t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wildcard_matches),
        cmocka_unit_test(test_wildcard_rejects),
        cmocka_unit_test(test_wildcard_worst_case_finishes),
        cmocka_unit_test(test_parse_every_kind),
        cmocka_unit_test(test_header_only_is_an_empty_table),
        cmocka_unit_test(test_parse_errors_name_file_line_and_expectation),
        cmocka_unit_test(test_unknown_role_lists_every_role),
        cmocka_unit_test(test_nul_byte_is_an_error_not_the_end),
        cmocka_unit_test(test_over_cap_tables_are_refused),
        cmocka_unit_test(test_long_field_is_quoted_short),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_load_embedded_and_file),
        cmocka_unit_test(test_load_failures),
        cmocka_unit_test(test_shipped_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
