/* The string module: the strict UTF-8 decoder and the helpers built on it, blanks and spans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/str.h"

/* Decodes the whole of s as one sequence: its length and code point, or 0. */
static size_t decode(const char *s, uint32_t *cp)
{
    return dlo_utf8_decode(s, strlen(s), cp);
}

static void test_decodes_each_length(void **state)
{
    uint32_t cp = 0;
    (void)state;

    assert_int_equal(decode("A", &cp), 1);
    assert_int_equal(cp, 0x41);
    assert_int_equal(decode("\x7f", &cp), 1);
    assert_int_equal(cp, 0x7f);
    assert_int_equal(decode("\xc2\x80", &cp), 2);
    assert_int_equal(cp, 0x80);
    assert_int_equal(decode("\xc3\xa9", &cp), 2); /* é */
    assert_int_equal(cp, 0xe9);
    assert_int_equal(decode("\xdf\xbf", &cp), 2);
    assert_int_equal(cp, 0x7ff);
    assert_int_equal(decode("\xe0\xa0\x80", &cp), 3);
    assert_int_equal(cp, 0x800);
    assert_int_equal(decode("\xe2\x82\xac", &cp), 3); /* € */
    assert_int_equal(cp, 0x20ac);
    assert_int_equal(decode("\xed\x9f\xbf", &cp), 3); /* just below the surrogates */
    assert_int_equal(cp, 0xd7ff);
    assert_int_equal(decode("\xee\x80\x80", &cp), 3); /* just above them */
    assert_int_equal(cp, 0xe000);
    assert_int_equal(decode("\xef\xbf\xbf", &cp), 3);
    assert_int_equal(cp, 0xffff);
    assert_int_equal(decode("\xf0\x90\x80\x80", &cp), 4);
    assert_int_equal(cp, 0x10000);
    assert_int_equal(decode("\xf0\x9f\x94\xa5", &cp), 4);
    assert_int_equal(cp, 0x1f525);
    assert_int_equal(decode("\xf4\x8f\xbf\xbf", &cp), 4);
    assert_int_equal(cp, 0x10ffff);
    /* Only the first sequence is decoded; NULL for cp is allowed. */
    assert_int_equal(dlo_utf8_decode("\xc3\xa9xyz", 5, NULL), 2);
}

/* Each input is refused and leaves cp as it was. */
static void refused(const char *s, size_t n)
{
    uint32_t cp = 0xdeadu;
    assert_int_equal(dlo_utf8_decode(s, n, &cp), 0);
    assert_int_equal(cp, 0xdeadu);
}

static void test_rejects_stray_and_bad_bytes(void **state)
{
    (void)state;
    refused("", 0);
    refused("\x80", 1); /* a continuation byte with no lead */
    refused("\xbf", 1);
    refused("\xfe", 1); /* never in UTF-8 */
    refused("\xff", 1);
    refused("\xf5\x80\x80\x80", 4); /* a lead past U+10FFFF */
    refused("\xf8\x88\x80\x80\x80", 5);
    refused("\xc3\x41", 2); /* the second byte is not a continuation */
    refused("\xe2\x82\x41", 3);
}

static void test_rejects_truncated(void **state)
{
    (void)state;
    refused("\xc3", 1);
    refused("\xe2\x82", 2);
    refused("\xf0\x9f\x94", 3);
    /* The bound counts, not what lies past it. */
    refused("\xe2\x82\xac", 2);
    /* A NUL ends the sequence before anything past it is read. */
    refused("\xe2\x00\xac", 3);
}

static void test_rejects_overlong(void **state)
{
    (void)state;
    refused("\xc0\x80", 2); /* U+0000 in two bytes */
    refused("\xc0\xaf", 2); /* '/' in two bytes */
    refused("\xc1\xbf", 2);
    refused("\xe0\x80\x80", 3);
    refused("\xe0\x9f\xbf", 3); /* U+07FF in three bytes */
    refused("\xf0\x80\x80\x80", 4);
    refused("\xf0\x8f\xbf\xbf", 4); /* U+FFFF in four bytes */
}

static void test_rejects_surrogates_and_past_max(void **state)
{
    (void)state;
    refused("\xed\xa0\x80", 3);             /* U+D800 */
    refused("\xed\xbf\xbf", 3);             /* U+DFFF */
    refused("\xed\xa0\xbd\xed\xb8\x80", 6); /* a CESU-8 pair */
    refused("\xf4\x90\x80\x80", 4);         /* U+110000 */
    refused("\xf4\xbf\xbf\xbf", 4);
}

/* The encoding of cp, the only one a strict decoder accepts for it. */
static size_t encode(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

static bool is_scalar(uint32_t cp)
{
    return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

/* Every code point round-trips, and every input of two or three bytes is accepted exactly
 * when it is the shortest encoding of a scalar value: nothing slips past the table of
 * well-formed sequences. */
static void test_agrees_with_the_encoder(void **state)
{
    unsigned char buf[4];
    uint32_t cp, got;
    unsigned long v;
    (void)state;

    for (cp = 0; cp <= 0x10ffff; cp++) {
        size_t n = encode(cp, buf);
        size_t len = dlo_utf8_decode((const char *)buf, n, &got);
        if (is_scalar(cp) ? len != n || got != cp : len != 0)
            fail_msg("U+%04lX: decoded %u bytes", (unsigned long)cp, (unsigned)len);
    }
    for (v = 0; v < 0x1000000ul; v++) {
        size_t len, n = v < 0x10000ul ? 2 : 3;
        buf[0] = (unsigned char)(n == 2 ? v >> 8 : v >> 16);
        buf[1] = (unsigned char)(n == 2 ? v : v >> 8);
        buf[2] = (unsigned char)v;
        if (n == 3 && (buf[0] & 0xf0) != 0xe0) /* 3-byte leads only: the rest tested above */
            continue;
        len = dlo_utf8_decode((const char *)buf, n, &got);
        if (buf[0] >= 0x80 && len == n) {
            unsigned char again[4];
            if (!is_scalar(got) || encode(got, again) != n || memcmp(again, buf, n) != 0)
                fail_msg("%02x %02x %02x accepted as U+%04lX", buf[0], buf[1], buf[2],
                         (unsigned long)got);
        } else if (buf[0] >= 0x80 && len != 0 && len != 1) {
            fail_msg("%02x %02x %02x: length %u", buf[0], buf[1], buf[2], (unsigned)len);
        }
    }
}

static void test_steps_and_counts(void **state)
{
    (void)state;
    assert_int_equal(dlo_utf8_step("", 0), 0);
    assert_int_equal(dlo_utf8_step("\xe2\x82\xac!", 4), 3);
    assert_int_equal(dlo_utf8_step("\xc0\x80", 2), 1); /* one bad byte is one character */
    assert_int_equal(dlo_utf8_chars("caf\xc3\xa9", 5), 4);
    assert_int_equal(dlo_utf8_chars("a\xf0\x9f\x94\xa5z", 6), 3);
    /* Invalid bytes count one each (as U+FFFD would show), not zero. */
    assert_int_equal(dlo_utf8_chars("\x80\x80", 2), 2);
    assert_int_equal(dlo_utf8_chars("\xed\xa0\x80", 3), 3);
}

static void test_cut_never_splits_a_character(void **state)
{
    const char *s = "ab\xe2\x82\xac"
                    "cd"; /* a b € c d */
    (void)state;
    assert_int_equal(dlo_utf8_cut(s, 7, 10), 7); /* short enough: all of it */
    assert_int_equal(dlo_utf8_cut(s, 7, 5), 5);  /* ends right after € */
    assert_int_equal(dlo_utf8_cut(s, 7, 4), 2);  /* would split €: before it */
    assert_int_equal(dlo_utf8_cut(s, 7, 3), 2);
    assert_int_equal(dlo_utf8_cut(s, 7, 0), 0);
    assert_int_equal(dlo_utf8_cut("\xff\xff\xff", 3, 2), 2);
}

static void test_wildcard_question_mark_is_one_character(void **state)
{
    (void)state;
    assert_true(dlo_wildcard_match("caf?", "caf\xc3\xa9"));
    assert_true(dlo_wildcard_match("?x", "\xf0\x9f\x94\xa5x"));
    assert_false(dlo_wildcard_match("??x", "\xf0\x9f\x94\xa5x"));
    /* An invalid byte is one character: the overlong C0 AF is two. */
    assert_true(dlo_wildcard_match("a??b", "a\xc0\xaf"
                                           "b"));
    assert_false(dlo_wildcard_match("a?b", "a\xc0\xaf"
                                           "b"));
    assert_true(dlo_wildcard_match("*\xc3\xa9", "caf\xc3\xa9"));
}

static void test_blanks_and_spans(void **state)
{
    const char *s = " \t role \t";
    size_t n = strlen(s);
    (void)state;

    assert_true(dlo_is_blank(' '));
    assert_true(dlo_is_blank('\t'));
    assert_false(dlo_is_blank('\n'));
    assert_true(dlo_is_blank_str(""));
    assert_true(dlo_is_blank_str(" \t "));
    assert_false(dlo_is_blank_str(" x "));
    dlo_trim(&s, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(s, "role", 4);
    assert_true(dlo_equals(s, n, "role"));
    assert_false(dlo_equals(s, n, "Role"));
    assert_false(dlo_equals(s, n, "rol"));
    assert_false(dlo_equals(s, n, "roles"));
    assert_true(dlo_equals_ci("ROLE", 4, "role"));
    assert_true(dlo_equals_ci("role", 4, "RoLe"));
    assert_false(dlo_equals_ci("roles", 5, "role"));
    assert_false(dlo_equals_ci("rol", 3, "role"));
    /* Non-ASCII letters compare exactly. */
    assert_false(dlo_equals_ci("\xc3\x89", 2, "\xc3\xa9"));
}

static void test_copies(void **state)
{
    char *a = dlo_strdup("edge-server");
    char *b = dlo_strndup("edge-server", 4);
    (void)state;
    assert_string_equal(a, "edge-server");
    assert_string_equal(b, "edge");
    free(a);
    free(b);
}

static void test_path_on_drive(void **state)
{
    (void)state;
    assert_true(dlo_path_on_drive("C:\\", 3));
    assert_true(dlo_path_on_drive("z:\\x\\y.exe", 10));
    assert_false(dlo_path_on_drive("C:\\", 2));
    assert_false(dlo_path_on_drive("C:x", 3));
    assert_false(dlo_path_on_drive("\\\\srv\\s", 7));
    assert_false(dlo_path_on_drive("1:\\", 3));
    assert_false(dlo_path_on_drive("@:\\", 3));
    assert_false(dlo_path_on_drive("", 0));
}

static void expect_decimal(const char *s, unsigned long hi, const char *why, unsigned long want)
{
    unsigned long v = 12345;
    const char *got = dlo_decimal_parse(s, strlen(s), 1, hi, &v);
    if (why ? !got || strcmp(got, why) != 0 : got != NULL)
        fail_msg("'%s': %s, expected %s", s, got ? got : "accepted", why ? why : "accepted");
    if (!why)
        assert_int_equal(v, want);
}

/* One way to write a number, whatever source it comes from. */
static void test_decimal_is_written_one_way(void **state)
{
    (void)state;
    expect_decimal("1433", 65535, NULL, 1433);
    expect_decimal("65535", 65535, NULL, 65535);
    expect_decimal("1", 65535, NULL, 1);
    expect_decimal("01433", 65535, "has a leading zero", 0);
    expect_decimal("00", 65535, "has a leading zero", 0);
    expect_decimal("0", 65535, "is out of range", 0);
    expect_decimal("65536", 65535, "is out of range", 0);
    expect_decimal("9", 5, "is out of range", 0);
    expect_decimal("30001", 30000, "is out of range", 0);
    expect_decimal("99999999999999999999999", 65535, "is out of range", 0);
    expect_decimal("18446744073709551616", (unsigned long)-1, "is out of range", 0);
    expect_decimal("+1433", 65535, "is not a number", 0);
    expect_decimal("-1", 65535, "is not a number", 0);
    expect_decimal("0x599", 65535, "is not a number", 0);
    expect_decimal("14 33", 65535, "is not a number", 0);
    expect_decimal("1433.0", 65535, "is not a number", 0);
    expect_decimal("", 65535, "is not a number", 0);
    expect_decimal("\xd9\xa1", 65535, "is not a number", 0); /* an Arabic-Indic digit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decodes_each_length),
        cmocka_unit_test(test_path_on_drive),
        cmocka_unit_test(test_rejects_stray_and_bad_bytes),
        cmocka_unit_test(test_rejects_truncated),
        cmocka_unit_test(test_rejects_overlong),
        cmocka_unit_test(test_rejects_surrogates_and_past_max),
        cmocka_unit_test(test_agrees_with_the_encoder),
        cmocka_unit_test(test_steps_and_counts),
        cmocka_unit_test(test_cut_never_splits_a_character),
        cmocka_unit_test(test_wildcard_question_mark_is_one_character),
        cmocka_unit_test(test_blanks_and_spans),
        cmocka_unit_test(test_copies),
        cmocka_unit_test(test_decimal_is_written_one_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
