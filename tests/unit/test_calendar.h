/* test_calendar.h: what the files of the calendar test binary share. */
#ifndef TEND_TEST_CALENDAR_H
#define TEND_TEST_CALENDAR_H

#include <stdint.h>

struct calendar;

#define MIN_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)

/* An RFC 3339 time as epoch ms ("2026-03-08T01:00:00-05:00"); fails the test if bad. */
int64_t T(const char *s);

/* A calendar from JSON that must be valid. */
struct calendar *cal_of(const char *json);

/* An instant as "2026-10-08T10:00:00.000Z", for readable failures. */
#define assert_instant(got, want)                                                                  \
    do {                                                                                           \
        char g_[32], w_[32];                                                                       \
        time_format_rfc3339((got), g_, sizeof(g_));                                                \
        time_format_rfc3339((want), w_, sizeof(w_));                                               \
        assert_string_equal(g_, w_);                                                               \
    } while (0)

/* test_calendar_forms.c */
void test_each_bad_input_names_its_field(void **state);
void test_json_round_trips_in_canonical_order(void **state);
void test_unknown_and_unsafe_zone_names_are_refused(void **state);
void test_ics_export_reads_back_identically(void **state);
void test_ics_chinese_national_day_with_make_up_days(void **state);
void test_ics_timed_events_become_part_days_in_the_calendar_zone(void **state);
void test_ics_errors_name_the_event(void **state);

/* test_calendar_ref.c */
void test_random_calendars_match_a_minute_by_minute_reference(void **state);

#endif
