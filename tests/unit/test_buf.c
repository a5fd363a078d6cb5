#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/buf.h"

static void test_append_and_printf(void **state)
{
    dlo_buf b;
    (void)state;
    dlo_buf_init(&b);
    assert_string_equal(dlo_buf_str(&b), "");
    dlo_buf_puts(&b, "rules: ");
    dlo_buf_printf(&b, "%d of %s", 12, "twelve");
    dlo_buf_putc(&b, '!');
    assert_string_equal(dlo_buf_str(&b), "rules: 12 of twelve!");
    assert_int_equal(b.len, strlen("rules: 12 of twelve!"));
    assert_int_equal(dlo_buf_status(&b), DLO_OK);
    dlo_buf_free(&b);
}

static void test_grows_past_initial_capacity(void **state)
{
    dlo_buf b;
    int i;
    (void)state;
    dlo_buf_init(&b);
    for (i = 0; i < 10000; i++)
        dlo_buf_printf(&b, "%04d", i % 10000);
    assert_int_equal(b.len, 40000);
    assert_memory_equal(b.data + 39996, "9999", 4);
    dlo_buf_free(&b);
}

static void json(const char *in, const char *want)
{
    dlo_buf b;
    dlo_buf_init(&b);
    dlo_buf_json_str(&b, in);
    assert_string_equal(dlo_buf_str(&b), want);
    dlo_buf_free(&b);
}

static void test_json_escapes(void **state)
{
    (void)state;
    json("plain", "\"plain\"");
    json("a\"b\\c", "\"a\\\"b\\\\c\"");
    json("tab\there\nnl\r", "\"tab\\there\\nnl\\r\"");
    json("\x01\x1f", "\"\\u0001\\u001f\"");
    json("", "\"\"");
    /* DEL, and the line and paragraph separators JavaScript ended lines at. */
    json("a\x7f\xe2\x80\xa8"
         "b\xe2\x80\xa9",
         "\"a\\u007f\\u2028b\\u2029\"");
}

static void test_json_keeps_valid_utf8_and_replaces_invalid(void **state)
{
    (void)state;
    json("Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\xa5",
         "\"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\xa5\"");
    json("bad \xff end", "\"bad \\ufffd end\"");
    json("cut \xc3", "\"cut \\ufffd\"");
    json("overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\"");
    json("surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\"");
}

/* A comma list as a JSON array: each item escaped like a string, no item cut short. */
/* What could make text lie (a right-to-left override, a zero-width space, a line separator,
 * C1 controls, tags) is escaped in JSON too: the document means the same to a parser, and shows
 * what it holds to whoever reads it raw. */
static void test_json_escapes_format_characters(void **state)
{
    (void)state;
    json("evil\xe2\x80\xaetxt.exe", "\"evil\\u202etxt.exe\"");
    json("a\xe2\x80\x8b"
         "b\xe2\x80\xa8"
         "c\xc2\x85"
         "d\x7f",
         "\"a\\u200bb\\u2028c\\u0085d\\u007f\"");
    json("\xef\xbb\xbf"
         "bom",
         "\"\\ufeffbom\"");
    /* A tag character, past the BMP: a surrogate pair. */
    json("x\xf3\xa0\x80\x81", "\"x\\udb40\\udc01\"");
    /* Letters of any script stay as they are. */
    json("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe4\xb8\xad",
         "\"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe4\xb8\xad\"");
}

static void shown(const char *in, bool lines, const char *want)
{
    dlo_buf b;
    dlo_buf_init(&b);
    dlo_buf_put_shown(&b, in, strlen(in), lines);
    assert_string_equal(dlo_buf_str(&b), want);
    dlo_buf_free(&b);
}

/* Text for people: every control and format character shown as what it is, never acted on. */
static void test_shown_text_escapes_what_could_lie(void **state)
{
    (void)state;
    shown("C:\\Users\\bob\\evil\xe2\x80\xaetxt.exe", true, "C:\\Users\\bob\\evil<U+202E>txt.exe");
    shown("\x1b[2J\rCOMPLIANT\x07", true, "<U+001B>[2J<U+000D>COMPLIANT<U+0007>");
    shown("a\tb", true, "a<U+0009>b");
    shown("line\nnext", true, "line\nnext");
    shown("line\nnext", false, "line<U+000A>next");
    shown("\xe2\x80\x8b\xe2\x81\xa6\xe2\x81\xa9\xef\xbb\xbf\xc2\xad\xc2\x9b\xe2\x80\xa9", true,
          "<U+200B><U+2066><U+2069><U+FEFF><U+00AD><U+009B><U+2029>");
    shown("\xf3\xa0\x80\x81\xf3\xa0\x81\xbf", true, "<U+E0001><U+E007F>");
    shown("bad \xff \xc3", true, "bad <0xFF> <0xC3>");
    shown("Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\xa5 \xd7\xa9", true,
          "Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\xa5 \xd7\xa9");
}

static void test_json_list(void **state)
{
    static const char *const cases[][2] = {
        {"", "[]"},
        {"a", "[\"a\"]"},
        {"AdminConsoles,ClientNetworks", "[\"AdminConsoles\", \"ClientNetworks\"]"},
        {"a\"b,c\\d", "[\"a\\\"b\", \"c\\\\d\"]"},
        {"x,,y", "[\"x\", \"\", \"y\"]"},
    };
    size_t i;
    dlo_buf b;
    char long_item[301];
    (void)state;
    dlo_buf_init(&b);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dlo_buf_reset(&b);
        dlo_buf_json_list(&b, cases[i][0]);
        assert_string_equal(dlo_buf_str(&b), cases[i][1]);
    }
    memset(long_item, 'z', 300);
    long_item[300] = 0;
    dlo_buf_reset(&b);
    dlo_buf_json_list(&b, long_item);
    assert_int_equal(b.len, 300 + 4);
    dlo_buf_free(&b);
}

static void test_pad_counts_code_points(void **state)
{
    dlo_buf b;
    (void)state;
    dlo_buf_init(&b);
    dlo_buf_pad(&b, "ab", 5);
    dlo_buf_putc(&b, '|');
    dlo_buf_pad(&b, "\xc3\xbc\xc3\xbc", 3);
    dlo_buf_putc(&b, '|');
    dlo_buf_pad(&b, "toolong", 3);
    assert_string_equal(dlo_buf_str(&b), "ab   |\xc3\xbc\xc3\xbc |toolong");
    dlo_buf_free(&b);
}

static void test_reset_keeps_buffer_usable(void **state)
{
    dlo_buf b;
    (void)state;
    dlo_buf_init(&b);
    dlo_buf_puts(&b, "first");
    dlo_buf_reset(&b);
    assert_string_equal(dlo_buf_str(&b), "");
    dlo_buf_puts(&b, "second");
    assert_string_equal(dlo_buf_str(&b), "second");
    dlo_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_grows_past_initial_capacity),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_keeps_valid_utf8_and_replaces_invalid),
        cmocka_unit_test(test_json_escapes_format_characters),
        cmocka_unit_test(test_shown_text_escapes_what_could_lie),
        cmocka_unit_test(test_json_list),
        cmocka_unit_test(test_pad_counts_code_points),
        cmocka_unit_test(test_reset_keeps_buffer_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
