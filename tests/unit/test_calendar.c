/* test_calendar.c: business calendars: hand-worked cases (lunch breaks, weekends,
 * holidays, make-up days, DST in New York and Berlin), validation errors by field,
 * the JSON and iCalendar forms, and property tests against a minute-by-minute
 * reference that reads local time through glibc, not through the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/sla/calendar.h"
#include "modules/sla/tzone.h"
#include "platform/util/util.h"
#include "test_calendar.h"

int64_t
T(const char *s)
{
    int64_t ms;

    if (time_parse_rfc3339(s, &ms) != 0)
        fail_msg("bad time in test: %s", s);
    return ms;
}

struct calendar *
cal_of(const char *json)
{
    struct calendar *cal = NULL;
    struct tend_err err = {0};

    if (calendar_parse_json(json, &cal, &err) != TEND_OK)
        fail_msg("calendar rejected: %s: %s", err.field, err.message);
    return cal;
}

#define WEEKDAYS_LUNCH                                                                             \
    "\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"fri\":[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]]"

static const char china_json[] =
    "{\"name\":\"China mainland\",\"time_zone\":\"Asia/Shanghai\",\"week\":{" WEEKDAYS_LUNCH "},"
    "\"holidays\":[{\"date\":\"2026-10-01\",\"name\":\"国庆节\"},{\"date\":\"2026-10-02\"},"
    "{\"date\":\"2026-10-03\"},{\"date\":\"2026-10-04\"},{\"date\":\"2026-10-05\"},"
    "{\"date\":\"2026-10-06\"},{\"date\":\"2026-10-07\"},{\"date\":\"2026-09-25\"},"
    "{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"24:00\",\"name\":\"Christmas Eve\"},"
    "{\"date\":\"2027-01-01\"}],"
    "\"working_days\":[{\"date\":\"2026-09-20\",\"name\":\"补班\"},"
    "{\"date\":\"2026-10-10\",\"intervals\":[[\"13:00\",\"17:00\"],[\"09:00\",\"12:00\"]]}]}";

static void
test_adding_skips_the_lunch_break_and_stops_at_an_interval_end(void **state)
{
    struct calendar *cal = cal_of(china_json);
    (void)state;

    /* 2026-06-01 is a Monday: 3 h in the morning, then 1 h after 13:30 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T09:00:00+08:00"), 240),
                   T("2026-06-01T14:30:00+08:00"));
    /* exactly the morning: the end of the interval, not 13:30 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T09:00:00+08:00"), 180),
                   T("2026-06-01T12:00:00+08:00"));
    /* zero minutes: the next business instant at or after the start */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T12:00:00+08:00"), 0),
                   T("2026-06-01T13:30:00+08:00"));
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T10:15:00+08:00"), 0),
                   T("2026-06-01T10:15:00+08:00"));
    /* a start in the lunch break counts from 13:30 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T12:40:00+08:00"), 30),
                   T("2026-06-01T14:00:00+08:00"));
    /* milliseconds are kept */
    assert_instant(calendar_add_business_ms(cal, T("2026-06-01T11:59:59.500+08:00"), 1000),
                   T("2026-06-01T13:30:00.500+08:00"));
    calendar_free(cal);
}

static void
test_adding_crosses_nights_weekends_and_the_year_end(void **state)
{
    struct calendar *cal = cal_of(china_json);
    (void)state;

    /* Saturday: counting starts on Monday morning */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-06T10:00:00+08:00"), 60),
                   T("2026-06-08T10:00:00+08:00"));
    /* Friday 17:00 + 2 h: one hour on Friday, one on Monday */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-05T17:00:00+08:00"), 120),
                   T("2026-06-08T10:00:00+08:00"));
    /* Thursday 2026-12-31: Friday 2027-01-01 is a holiday, then the weekend */
    assert_instant(calendar_add_business_minutes(cal, T("2026-12-31T17:00:00+08:00"), 120),
                   T("2027-01-04T10:00:00+08:00"));
    /* five weeks of work from a Monday morning: 25 working days later */
    assert_instant(calendar_add_business_minutes(cal, T("2026-06-01T09:00:00+08:00"), 25 * 450),
                   T("2026-07-03T18:00:00+08:00"));
    calendar_free(cal);
}

static void
test_holidays_part_days_and_make_up_days_shape_the_count(void **state)
{
    struct calendar *cal = cal_of(china_json);
    (void)state;

    /* National Day week off: Wednesday 17:00 + 2 h ends on Thursday 10-08 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-09-30T17:00:00+08:00"), 120),
                   T("2026-10-08T10:00:00+08:00"));
    /* the make-up Saturday 10-10 works its own hours: 09-12, 13-17 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-10-09T17:00:00+08:00"), 120),
                   T("2026-10-10T10:00:00+08:00"));
    assert_instant(calendar_add_business_minutes(cal, T("2026-10-10T11:30:00+08:00"), 60),
                   T("2026-10-10T13:30:00+08:00"));
    /* the make-up Sunday 09-20 gave no intervals: it works Monday's hours */
    assert_instant(calendar_add_business_minutes(cal, T("2026-09-19T10:00:00+08:00"), 60),
                   T("2026-09-20T10:00:00+08:00"));
    assert_int_equal(calendar_business_minutes(cal, T("2026-09-20T00:00:00+08:00"),
                                               T("2026-09-21T00:00:00+08:00")),
                     450);
    /* Christmas Eve is off from 13:00: one hour in the morning, then Friday */
    assert_instant(calendar_add_business_minutes(cal, T("2026-12-24T11:00:00+08:00"), 120),
                   T("2026-12-25T10:00:00+08:00"));
    /* a regular week is 5 x 7.5 h; the National Day week keeps Mon-Wed; the
     * week of Mid-Autumn Friday 09-25 keeps Mon-Thu plus the make-up Sunday */
    assert_int_equal(calendar_business_minutes(cal, T("2026-06-01T00:00:00+08:00"),
                                               T("2026-06-08T00:00:00+08:00")),
                     2250);
    assert_int_equal(calendar_business_minutes(cal, T("2026-09-28T00:00:00+08:00"),
                                               T("2026-10-05T00:00:00+08:00")),
                     1350);
    assert_int_equal(calendar_business_minutes(cal, T("2026-09-20T00:00:00+08:00"),
                                               T("2026-09-27T00:00:00+08:00")),
                     5 * 450);
    assert_int_equal(calendar_business_ms(cal, T("2026-06-02T00:00:00+08:00"),
                                          T("2026-06-01T00:00:00+08:00")),
                     0);
    calendar_free(cal);
}

static void
test_is_business_and_next_business_respect_interval_ends(void **state)
{
    struct calendar *cal = cal_of(china_json);
    (void)state;

    assert_true(calendar_is_business(cal, T("2026-06-01T09:00:00+08:00")));
    assert_true(calendar_is_business(cal, T("2026-06-01T11:59:59.999+08:00")));
    assert_false(calendar_is_business(cal, T("2026-06-01T12:00:00+08:00")));
    assert_false(calendar_is_business(cal, T("2026-06-01T08:59:59.999+08:00")));
    assert_true(calendar_is_business(cal, T("2026-06-01T13:30:00+08:00")));
    assert_false(calendar_is_business(cal, T("2026-10-01T10:00:00+08:00")));
    assert_true(calendar_is_business(cal, T("2026-10-10T13:15:00+08:00")));
    assert_true(calendar_is_business(cal, T("2026-12-24T11:00:00+08:00")));
    assert_false(calendar_is_business(cal, T("2026-12-24T14:00:00+08:00")));
    assert_instant(calendar_next_business(cal, T("2026-06-05T18:00:00+08:00")),
                   T("2026-06-08T09:00:00+08:00"));
    assert_instant(calendar_next_business(cal, T("2026-10-01T00:00:00+08:00")),
                   T("2026-10-08T09:00:00+08:00"));
    assert_instant(calendar_next_business(cal, T("2026-06-01T09:00:00+08:00")),
                   T("2026-06-01T09:00:00+08:00"));
    assert_instant(calendar_next_business(cal, T("2026-10-10T12:00:00+08:00")),
                   T("2026-10-10T13:00:00+08:00"));
    calendar_free(cal);
}

static void
test_a_24x7_calendar_counts_wall_time_and_utc_has_no_offset(void **state)
{
    struct calendar *all = cal_of("{\"time_zone\":\"Asia/Shanghai\",\"week\":{"
                                  "\"mon\":[[\"00:00\",\"24:00\"]],\"tue\":[[\"00:00\",\"24:00\"]],"
                                  "\"wed\":[[\"00:00\",\"24:00\"]],\"thu\":[[\"00:00\",\"24:00\"]],"
                                  "\"fri\":[[\"00:00\",\"24:00\"]],\"sat\":[[\"00:00\",\"24:00\"]],"
                                  "\"sun\":[[\"00:00\",\"24:00\"]]}}");
    struct calendar *utc = cal_of("{\"time_zone\":\"UTC\",\"week\":{\"mon\":[[\"09:00\",\"17:00\"]],"
                                  "\"fri\":[[\"09:00\",\"17:00\"]]}}");
    int64_t a = T("2026-12-30T21:17:03.250Z");
    (void)state;

    assert_int_equal(calendar_add_business_minutes(all, a, 90), a + 90 * MIN_MS);
    assert_int_equal(calendar_add_business_minutes(all, a, 60 * 24 * 400), a + 400 * 24 * HOUR_MS);
    assert_int_equal(calendar_business_ms(all, a, a + 12345678), 12345678);
    assert_int_equal(calendar_next_business(all, a), a);
    /* UTC, Mondays and Fridays: 2026-12-28 is a Monday */
    assert_instant(calendar_add_business_minutes(utc, T("2026-12-28T16:00:00Z"), 120),
                   T("2027-01-01T10:00:00Z"));
    assert_int_equal(calendar_business_minutes(utc, T("2026-12-28T00:00:00Z"), T("2027-01-04T00:00:00Z")),
                     16 * 60);
    assert_string_equal(calendar_time_zone(utc), "UTC");
    assert_string_equal(calendar_name(utc), "");
    calendar_free(all);
    calendar_free(utc);
}

/* One interval every day, in `zone`. */
static struct calendar *
daily(const char *zone, const char *from, const char *to)
{
    char json[512];

    snprintf(json, sizeof(json),
             "{\"time_zone\":\"%s\",\"week\":{\"mon\":[[\"%s\",\"%s\"]],\"tue\":[[\"%s\",\"%s\"]],"
             "\"wed\":[[\"%s\",\"%s\"]],\"thu\":[[\"%s\",\"%s\"]],\"fri\":[[\"%s\",\"%s\"]],"
             "\"sat\":[[\"%s\",\"%s\"]],\"sun\":[[\"%s\",\"%s\"]]}}",
             zone, from, to, from, to, from, to, from, to, from, to, from, to, from, to);
    return cal_of(json);
}

/* Business minutes of one local day, given the UTC instants of its midnights. */
static int64_t
day_minutes(struct calendar *cal, const char *midnight, const char *next_midnight)
{
    return calendar_business_minutes(cal, T(midnight), T(next_midnight));
}

static void
test_new_york_dst_days_are_as_long_as_the_wall_clock_says(void **state)
{
    struct calendar *all = daily("America/New_York", "00:00", "24:00");
    struct calendar *night = daily("America/New_York", "01:00", "04:00");
    struct calendar *short_night = daily("America/New_York", "01:00", "03:00");
    struct calendar *repeated = daily("America/New_York", "00:00", "01:30");
    struct calendar *gap = daily("America/New_York", "02:30", "04:00");
    (void)state;

    /* 2026-03-08: 02:00 EST -> 03:00 EDT; 2026-11-01: 02:00 EDT -> 01:00 EST */
    assert_int_equal(day_minutes(all, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), 23 * 60);
    assert_int_equal(day_minutes(all, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), 25 * 60);
    assert_int_equal(day_minutes(night, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), 120);
    assert_int_equal(day_minutes(night, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), 240);
    assert_int_equal(day_minutes(night, "2026-03-07T00:00:00-05:00", "2026-03-08T00:00:00-05:00"), 180);
    assert_int_equal(day_minutes(short_night, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), 60);
    assert_int_equal(day_minutes(short_night, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), 180);
    /* 01:00-01:30 happens twice on 11-01 and counts twice */
    assert_int_equal(day_minutes(repeated, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), 120);
    assert_true(calendar_is_business(repeated, T("2026-11-01T01:15:00-05:00")));
    assert_false(calendar_is_business(repeated, T("2026-11-01T01:45:00-04:00")));
    /* the fourth night hour on 11-01 ends at 04:00 EST */
    assert_instant(calendar_add_business_minutes(night, T("2026-11-01T01:00:00-04:00"), 240),
                   T("2026-11-01T04:00:00-05:00"));
    /* 61 minutes from 01:00 EST on 03-08: 02:00 EST is 03:00 EDT */
    assert_instant(calendar_add_business_minutes(night, T("2026-03-08T01:00:00-05:00"), 61),
                   T("2026-03-08T03:01:00-04:00"));
    /* an interval starting in the skipped hour starts when the gap ends */
    assert_int_equal(day_minutes(gap, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), 60);
    assert_instant(calendar_next_business(gap, T("2026-03-08T01:00:00-05:00")),
                   T("2026-03-08T03:00:00-04:00"));
    calendar_free(all);
    calendar_free(night);
    calendar_free(short_night);
    calendar_free(repeated);
    calendar_free(gap);
}

static void
test_office_hours_across_dst_changes_in_new_york_and_berlin(void **state)
{
    struct calendar *ny = cal_of("{\"time_zone\":\"America/New_York\",\"week\":{"
                                 "\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],"
                                 "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
                                 "\"fri\":[[\"09:00\",\"17:00\"]]}}");
    struct calendar *berlin = cal_of("{\"time_zone\":\"Europe/Berlin\",\"week\":{"
                                     "\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],"
                                     "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
                                     "\"fri\":[[\"09:00\",\"17:00\"]]}}");
    struct calendar *bnight = daily("Europe/Berlin", "01:00", "04:00");
    struct calendar *ball = daily("Europe/Berlin", "00:00", "24:00");
    (void)state;

    assert_instant(calendar_add_business_minutes(ny, T("2026-03-06T16:00:00-05:00"), 120),
                   T("2026-03-09T10:00:00-04:00"));
    assert_instant(calendar_add_business_minutes(ny, T("2026-10-30T16:00:00-04:00"), 120),
                   T("2026-11-02T10:00:00-05:00"));
    assert_int_equal(calendar_business_minutes(ny, T("2026-03-06T00:00:00-05:00"),
                                               T("2026-03-10T00:00:00-04:00")),
                     16 * 60);
    /* Berlin: 2026-03-29 02:00 CET -> 03:00 CEST, 2026-10-25 03:00 CEST -> 02:00 CET */
    assert_instant(calendar_add_business_minutes(berlin, T("2026-03-27T16:00:00+01:00"), 120),
                   T("2026-03-30T10:00:00+02:00"));
    assert_instant(calendar_add_business_minutes(berlin, T("2026-10-23T16:30:00+02:00"), 60),
                   T("2026-10-26T09:30:00+01:00"));
    assert_int_equal(day_minutes(ball, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"), 23 * 60);
    assert_int_equal(day_minutes(ball, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"), 25 * 60);
    assert_int_equal(day_minutes(bnight, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"), 120);
    assert_int_equal(day_minutes(bnight, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"), 240);
    assert_instant(calendar_next_business(bnight, T("2026-10-25T03:30:00+02:00")),
                   T("2026-10-25T03:30:00+02:00"));
    calendar_free(ny);
    calendar_free(berlin);
    calendar_free(bnight);
    calendar_free(ball);
}

static void
test_shanghai_has_no_dst_and_the_zone_table_agrees_with_glibc(void **state)
{
    static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Europe/Berlin",
                                        "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata",
                                        "Pacific/Chatham", "America/St_Johns", "UTC", "Etc/GMT+8",
                                        "Africa/Casablanca", "Asia/Tehran"};
    uint64_t seed = 12345;
    (void)state;

    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        struct tzone tz;
        struct tend_err err;
        assert_int_equal(tzone_load(zones[z], &tz, "time_zone", &err), TEND_OK);
        setenv("TZ", zones[z], 1);
        tzset();
        for (int i = 0; i < 3000; i++) {
            struct tm tm;
            time_t secs;
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            /* 1970 to 2199: the explicit transitions and the expanded footer rule */
            secs = (time_t)((seed >> 20) % UINT64_C(7258118400));
            localtime_r(&secs, &tm);
            if (tzone_local(&tz, (int64_t)secs * 1000) - (int64_t)secs * 1000 != tm.tm_gmtoff * 1000)
                fail_msg("%s at %lld: %lld vs glibc %ld", zones[z], (long long)secs,
                         (long long)(tzone_local(&tz, (int64_t)secs * 1000) / 1000 - secs), tm.tm_gmtoff);
        }
        /* and exactly at each change, and the millisecond before it */
        for (int i = 1; i < tz.n; i++) {
            for (int64_t t = tz.at[i] - 1000; t <= tz.at[i]; t += 1000) {
                struct tm tm;
                time_t secs = (time_t)(t / 1000);
                if (t < 0 || t >= TZONE_MAX_MS)
                    continue;
                localtime_r(&secs, &tm);
                if (tzone_local(&tz, t) - t != tm.tm_gmtoff * 1000)
                    fail_msg("%s at the change %lld: %lld vs glibc %ld", zones[z], (long long)secs,
                             (long long)((tzone_local(&tz, t) - t) / 1000), tm.tm_gmtoff);
            }
            assert_int_equal(tzone_local(&tz, tz.at[i] - 1) - (tz.at[i] - 1), tz.offset[i - 1]);
        }
        if (strcmp(zones[z], "Asia/Shanghai") == 0) {
            assert_int_equal(tzone_local(&tz, T("2026-07-01T00:00:00Z")) - T("2026-07-01T00:00:00Z"),
                             8 * HOUR_MS);
            assert_int_equal(tz.at[tzone_segment(&tz, T("2000-01-01T00:00:00Z")) + 1] > T("2199-01-01T00:00:00Z"),
                             1);
        }
        tzone_cleanup(&tz);
    }
    setenv("TZ", "UTC", 1);
    tzset();
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A TZif v2 file whose only transition is to its one standard type (offset
 * `std_secs`) at 1900-01-01, with the footer rule for everything after: what
 * "slim" zic output and times past 2037 rely on. */
static void
write_footer_tzif(const char *path, int32_t std_secs, const char *footer)
{
    const int64_t at = INT64_C(-2208988800);
    unsigned char header[44] = {'T', 'Z', 'i', 'f', '2'}, type[10], t4[4], t8[8], idx = 0;
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    header[35] = 1; /* timecnt */
    header[39] = 1; /* typecnt */
    header[43] = 4; /* charcnt */
    put32(type, (uint32_t)std_secs);
    type[4] = 0; /* isdst */
    type[5] = 0; /* abbreviation index */
    memcpy(type + 6, "STD", 4);
    put32(t4, (uint32_t)(int32_t)at);
    put32(t8, (uint32_t)((uint64_t)at >> 32));
    put32(t8 + 4, (uint32_t)(uint64_t)at);
    fwrite(header, 1, sizeof(header), f);
    fwrite(t4, 1, 4, f);
    fwrite(&idx, 1, 1, f);
    fwrite(type, 1, sizeof(type), f);
    fwrite(header, 1, sizeof(header), f);
    fwrite(t8, 1, 8, f);
    fwrite(&idx, 1, 1, f);
    fwrite(type, 1, sizeof(type), f);
    fprintf(f, "\n%s\n", footer);
    fclose(f);
}

static void
test_footer_rules_expand_like_glibc_and_permanent_dst_stays_on(void **state)
{
    char dir[] = "/tmp/tend-tzif-XXXXXX", path[64], tz_env[80];
    struct tzone us, always;
    struct tend_err err;
    uint64_t seed = 777;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/US", dir);
    write_footer_tzif(path, -18000, "EST5EDT,M3.2.0,M11.1.0");
    snprintf(path, sizeof(path), "%s/Always", dir);
    write_footer_tzif(path, -18000, "EST5EDT,0/0,J365/25");
    setenv("TZDIR", dir, 1);
    assert_int_equal(tzone_load("US", &us, "time_zone", &err), TEND_OK);
    assert_int_equal(tzone_load("Always", &always, "time_zone", &err), TEND_OK);
    unsetenv("TZDIR");
    snprintf(tz_env, sizeof(tz_env), "%s/US", dir);
    setenv("TZ", tz_env, 1);
    tzset();
    for (int i = 0; i < 3000; i++) {
        struct tm tm;
        time_t secs;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        secs = (time_t)((seed >> 20) % UINT64_C(7258118400));
        localtime_r(&secs, &tm);
        assert_int_equal(tzone_local(&us, (int64_t)secs * 1000) - (int64_t)secs * 1000,
                         (int64_t)tm.tm_gmtoff * 1000);
        /* daylight saving all year: -4 h at every instant of the range */
        assert_int_equal(tzone_local(&always, (int64_t)secs * 1000) - (int64_t)secs * 1000,
                         -4 * HOUR_MS);
    }
    /* standard time until the rule starts in 1900, then DST for good (until the
     * last year the table expands the rule for, 2200, is over) */
    assert_int_equal(always.n, 3);
    assert_true(always.at[2] > TZONE_MAX_MS);
    tzone_cleanup(&us);
    tzone_cleanup(&always);
    setenv("TZ", "UTC", 1);
    tzset();
    snprintf(path, sizeof(path), "%s/US", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/Always", dir);
    remove(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adding_skips_the_lunch_break_and_stops_at_an_interval_end),
        cmocka_unit_test(test_adding_crosses_nights_weekends_and_the_year_end),
        cmocka_unit_test(test_holidays_part_days_and_make_up_days_shape_the_count),
        cmocka_unit_test(test_is_business_and_next_business_respect_interval_ends),
        cmocka_unit_test(test_a_24x7_calendar_counts_wall_time_and_utc_has_no_offset),
        cmocka_unit_test(test_new_york_dst_days_are_as_long_as_the_wall_clock_says),
        cmocka_unit_test(test_office_hours_across_dst_changes_in_new_york_and_berlin),
        cmocka_unit_test(test_shanghai_has_no_dst_and_the_zone_table_agrees_with_glibc),
        cmocka_unit_test(test_footer_rules_expand_like_glibc_and_permanent_dst_stays_on),
        cmocka_unit_test(test_each_bad_input_names_its_field),
        cmocka_unit_test(test_json_round_trips_in_canonical_order),
        cmocka_unit_test(test_unknown_and_unsafe_zone_names_are_refused),
        cmocka_unit_test(test_ics_export_reads_back_identically),
        cmocka_unit_test(test_ics_chinese_national_day_with_make_up_days),
        cmocka_unit_test(test_ics_timed_events_become_part_days_in_the_calendar_zone),
        cmocka_unit_test(test_ics_errors_name_the_event),
        cmocka_unit_test(test_random_calendars_match_a_minute_by_minute_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
