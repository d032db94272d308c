/* test_util.c: bounded parsing, UTF-8 checks, RFC 3339 formatting, error carrier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <stdlib.h>

#include "platform/util/err.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

static void
test_parse_int64_accepts_only_whole_numbers_in_range(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(parse_int64("42", 2, 1, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_int64("-5", 2, -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(parse_int64("", 0, 0, 10, &v), -1);
    assert_int_equal(parse_int64("12x", 3, 0, 100, &v), -1);
    assert_int_equal(parse_int64(" 1", 2, 0, 100, &v), -1);
    assert_int_equal(parse_int64("101", 3, 0, 100, &v), -1);
    assert_int_equal(parse_int64("99999999999999999999", 20, 0, INT64_MAX, &v), -1);
    assert_int_equal(parse_int64("+1", 2, 0, 100, &v), -1);
}

static void
test_utf8_valid_rejects_overlongs_surrogates_and_nul(void **state)
{
    (void)state;
    assert_true(utf8_valid("hello", 5));
    assert_true(utf8_valid("服务", strlen("服务")));
    assert_true(utf8_valid("\xF0\x9F\x98\x80", 4));     /* emoji */
    assert_false(utf8_valid("\xC0\xAF", 2));             /* overlong '/' */
    assert_false(utf8_valid("\xED\xA0\x80", 3));         /* surrogate */
    assert_false(utf8_valid("\xE6\x9C", 2));             /* truncated */
    assert_false(utf8_valid("a\0b", 3));                 /* NUL */
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4));     /* > U+10FFFF */
    assert_false(utf8_valid("\xFF", 1));
}

static void
test_utf8_count_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(utf8_count("abc", 3), 3);
    assert_int_equal(utf8_count("空调机组", strlen("空调机组")), 4);
}

static void
test_rfc3339_formats_utc_with_milliseconds(void **state)
{
    char buf[40];
    (void)state;
    assert_string_equal(time_format_rfc3339(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
    assert_string_equal(time_format_rfc3339(1795439400123LL, buf, sizeof(buf)),
                        "2026-11-23T13:10:00.123Z");
    assert_int_equal(time_year_of(1795439400123LL), 2026);
}

static void
test_rfc3339_agrees_with_gmtime_over_two_centuries(void **state)
{
    char ours[40], libc[96];
    (void)state;
    for (int64_t ms = -86400000LL * 800; ms < 86400000LL * 365 * 200; ms += 86400000LL * 7 / 3 + 12345) {
        time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
        struct tm tm;
        gmtime_r(&s, &tm);
        snprintf(libc, sizeof(libc), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(((ms % 1000) + 1000) % 1000));
        assert_string_equal(time_format_rfc3339(ms, ours, sizeof(ours)), libc);
    }
}

static void
test_jbuf_strings_match_jansson_byte_for_byte(void **state)
{
    (void)state;
    srand(7);
    for (int t = 0; t < 20000; t++) {
        char s[64];
        int n = rand() % 40;
        struct jbuf b;
        json_t *j;
        char *want;

        for (int i = 0; i < n; i++) {
            int r = rand() % 10;
            s[i] = r == 0 ? '"' : r == 1 ? '\\' : r == 2 ? (char)(1 + rand() % 31) : (char)('a' + rand() % 26);
        }
        jbuf_init(&b, 16);
        jbuf_str(&b, s, (size_t)n);
        j = json_stringn(s, (size_t)n);
        want = json_dumps(j, JSON_ENCODE_ANY);
        assert_int_equal(b.len, strlen(want));
        assert_memory_equal(b.data, want, b.len);
        free(want);
        json_decref(j);
        jbuf_cleanup(&b);
    }
}

static void
test_tend_fail_fills_field_and_message(void **state)
{
    struct tend_err err;
    (void)state;
    tend_err_clear(&err);
    assert_int_equal(tend_fail(&err, TEND_EINVAL, "subject", "must be at most %d", 200), TEND_EINVAL);
    assert_string_equal(err.field, "subject");
    assert_string_equal(err.message, "must be at most 200");
    assert_int_equal(tend_fail(NULL, TEND_ENOTFOUND, NULL, "x"), TEND_ENOTFOUND);
    assert_string_equal(tend_rc_name(TEND_ECONFLICT), "conflict");
}

static void
test_rfc3339_parses_offsets_fractions_and_rejects_nonsense(void **state)
{
    int64_t ms = 0;
    (void)state;
    assert_int_equal(time_parse_rfc3339("2026-11-23T13:10:00Z", &ms), 0);
    assert_int_equal(ms, 1795439400000LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23T21:10:00.5+08:00", &ms), 0);
    assert_int_equal(ms, 1795439400500LL);
    assert_int_equal(time_parse_rfc3339("2026-02-30T00:00:00Z", &ms), -1);
    assert_int_equal(time_parse_rfc3339("2026-11-23 13:10:00Z", &ms), -1);
    assert_int_equal(time_parse_rfc3339("2026-11-23T13:10:00", &ms), -1);
    assert_int_equal(time_parse_rfc3339("2026-11-23T13:10:00Zjunk", &ms), -1);
    assert_int_equal(time_parse_rfc3339("", &ms), -1);
}

static void
test_cursors_round_trip_per_list(void **state)
{
    char c[64];
    int64_t id = 0;
    (void)state;
    cursor_encode("u1", 42, c, sizeof(c));
    assert_int_equal(cursor_decode("u1", c, &id), 0);
    assert_int_equal(id, 42);
    assert_int_equal(cursor_decode("t1", c, &id), -1); /* another list's cursor */
    assert_int_equal(cursor_decode("u1", "%%%", &id), -1);
}

static void
test_strlcopy_truncates_and_terminates(void **state)
{
    char buf[4];
    (void)state;
    assert_int_equal(strlcopy(buf, "abcdef", sizeof(buf)), 6);
    assert_string_equal(buf, "abc");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int64_accepts_only_whole_numbers_in_range),
        cmocka_unit_test(test_utf8_valid_rejects_overlongs_surrogates_and_nul),
        cmocka_unit_test(test_utf8_count_counts_code_points),
        cmocka_unit_test(test_rfc3339_formats_utc_with_milliseconds),
        cmocka_unit_test(test_rfc3339_agrees_with_gmtime_over_two_centuries),
        cmocka_unit_test(test_jbuf_strings_match_jansson_byte_for_byte),
        cmocka_unit_test(test_tend_fail_fills_field_and_message),
        cmocka_unit_test(test_strlcopy_truncates_and_terminates),
        cmocka_unit_test(test_rfc3339_parses_offsets_fractions_and_rejects_nonsense),
        cmocka_unit_test(test_cursors_round_trip_per_list),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
