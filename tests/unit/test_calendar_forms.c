/* test_calendar_forms.c: a calendar's input forms: every bad JSON input answered
 * with its field path, the canonical JSON, and iCalendar import and export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/sla/calendar.h"
#include "modules/sla/tzone.h"
#include "platform/util/util.h"
#include "test_calendar.h"

#define ZONE "\"time_zone\":\"Asia/Shanghai\","
#define WEEK "\"week\":{\"mon\":[[\"09:00\",\"18:00\"]],\"sat\":[]}"
#define WITH(list) "{" ZONE WEEK ",\"holidays\":" list "}"
#define WORKING(list) "{" ZONE WEEK ",\"working_days\":" list "}"

struct bad_input {
    const char *json;
    enum tend_rc rc;
    const char *field;
};

static const struct bad_input bad_inputs[] = {
    {"{\"week\":", TEND_ESYNTAX, ""},
    {"[1]", TEND_EINVAL, ""},
    {"{" WEEK "}", TEND_EINVAL, "time_zone"},
    {"{\"time_zone\":\"Mars/Olympus_Mons\"," WEEK "}", TEND_EINVAL, "time_zone"},
    {"{\"time_zone\":\"../../etc/passwd\"," WEEK "}", TEND_EINVAL, "time_zone"},
    {"{\"time_zone\":\"zone.tab\"," WEEK "}", TEND_EINVAL, "time_zone"},
    {"{\"time_zone\":8," WEEK "}", TEND_EINVAL, "time_zone"},
    {"{" ZONE "\"colour\":\"red\"," WEEK "}", TEND_EINVAL, "colour"},
    {"{" ZONE "\"name\":\"\"," WEEK "}", TEND_EINVAL, "name"},
    {"{" ZONE "\"name\":\"x\"}", TEND_EINVAL, "week"},
    {"{" ZONE "\"week\":{\"sat\":[]}}", TEND_EINVAL, "week"},
    {"{" ZONE "\"week\":[]}", TEND_EINVAL, "week"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"12:00\"]],\"xyz\":[]}}", TEND_EINVAL, "week.xyz"},
    {"{" ZONE "\"week\":{\"mon\":\"09:00-18:00\"}}", TEND_EINVAL, "week.mon"},
    {"{" ZONE "\"week\":{\"mon\":[[\"25:00\",\"26:00\"]]}}", TEND_EINVAL, "week.mon[0][0]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"12:00\"],[\"9:7\",\"18:00\"]]}}", TEND_EINVAL,
     "week.mon[1][0]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"12:00\"],[\"13:00\",\"24:01\"]]}}", TEND_EINVAL,
     "week.mon[1][1]"},
    {"{" ZONE "\"week\":{\"tue\":[[\"09:00\",\"12:60\"]]}}", TEND_EINVAL, "week.tue[0][1]"},
    {"{" ZONE "\"week\":{\"tue\":[[\"09:00\",900]]}}", TEND_EINVAL, "week.tue[0][1]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"24:00\",\"24:00\"]]}}", TEND_EINVAL, "week.mon[0][0]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"12:00\",\"09:00\"]]}}", TEND_EINVAL, "week.mon[0]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"09:00\"]]}}", TEND_EINVAL, "week.mon[0]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"12:00\"],[\"11:00\",\"13:00\"]]}}", TEND_EINVAL,
     "week.mon[1]"},
    {"{" ZONE "\"week\":{\"wed\":[[\"13:00\",\"18:00\"],[\"08:00\",\"20:00\"]]}}", TEND_EINVAL,
     "week.wed[1]"},
    {"{" ZONE "\"week\":{\"mon\":[[\"09:00\",\"12:00\",\"13:00\"]]}}", TEND_EINVAL, "week.mon[0]"},
    {WITH("{}"), TEND_EINVAL, "holidays"},
    {WITH("[\"2026-12-24\"]"), TEND_EINVAL, "holidays[0]"},
    {WITH("[{\"date\":\"2026-02-30\"}]"), TEND_EINVAL, "holidays[0].date"},
    {WITH("[{\"date\":\"2026-10-01\"},{\"date\":\"2026-1-05\"}]"), TEND_EINVAL, "holidays[1].date"},
    {WITH("[{\"date\":\"1899-12-31\"}]"), TEND_EINVAL, "holidays[0].date"},
    {WITH("[{\"name\":\"no date\"}]"), TEND_EINVAL, "holidays[0].date"},
    {WITH("[{\"date\":\"2026-10-01\"},{\"date\":\"2026-10-02\"},{\"date\":\"2026-10-03\"},"
          "{\"date\":\"2026-10-02\",\"from\":\"09:00\",\"to\":\"10:00\"}]"),
     TEND_EINVAL, "holidays[3].date"},
    {WITH("[{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"18:00\"},"
          "{\"date\":\"2026-12-24\",\"from\":\"09:00\",\"to\":\"10:00\"},"
          "{\"date\":\"2026-12-24\",\"from\":\"17:00\",\"to\":\"24:00\"}]"),
     TEND_EINVAL, "holidays[2].from"},
    {WITH("[{\"date\":\"2026-12-24\",\"from\":\"13:00\"}]"), TEND_EINVAL, "holidays[0].to"},
    {WITH("[{\"date\":\"2026-12-24\",\"to\":\"13:00\"}]"), TEND_EINVAL, "holidays[0].from"},
    {WITH("[{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"12:00\"}]"), TEND_EINVAL,
     "holidays[0].to"},
    {WITH("[{\"date\":\"2026-12-24\",\"note\":\"x\"}]"), TEND_EINVAL, "holidays[0].note"},
    {WITH("[{\"date\":\"2026-12-24\",\"name\":7}]"), TEND_EINVAL, "holidays[0].name"},
    {WITH("[{\"date\":\"2026-12-24\",\"name\":\"two\\nlines\"}]"), TEND_EINVAL, "holidays[0].name"},
    {WORKING("[{\"date\":\"2026-09-20\"},{\"date\":\"2026-09-20\"}]"), TEND_EINVAL,
     "working_days[1].date"},
    {"{" ZONE WEEK ",\"holidays\":[{\"date\":\"2026-10-01\"}],\"working_days\":"
     "[{\"date\":\"2026-10-01\"}]}",
     TEND_EINVAL, "working_days[0].date"},
    {WORKING("[{\"date\":\"2026-09-20\",\"intervals\":[]}]"), TEND_EINVAL,
     "working_days[0].intervals"},
    {WORKING("[{\"date\":\"2026-09-20\",\"intervals\":[[\"09:00\",\"7pm\"]]}]"), TEND_EINVAL,
     "working_days[0].intervals[0][1]"},
    {WORKING("[{\"date\":\"2026-09-20\",\"hours\":8}]"), TEND_EINVAL, "working_days[0].hours"},
    {WORKING("[{\"date\":\"2026-13-01\"}]"), TEND_EINVAL, "working_days[0].date"},
    {"{" ZONE "\"week\":{\"tue\":[[\"09:00\",\"18:00\"]]},\"working_days\":[{\"date\":\"2026-09-20\"}]}",
     TEND_EINVAL, "working_days[0].intervals"},
};

void
test_each_bad_input_names_its_field(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
        struct calendar *cal = (struct calendar *)1;
        struct tend_err err = {0};
        enum tend_rc rc = calendar_parse_json(bad_inputs[i].json, &cal, &err);
        if (rc != bad_inputs[i].rc || strcmp(err.field, bad_inputs[i].field) != 0)
            fail_msg("case %d: got %s '%s' (%s), want '%s'", (int)i, tend_rc_name(rc), err.field,
                     err.message, bad_inputs[i].field);
        assert_null(cal);
        assert_true(err.message[0] != '\0');
    }
    /* touching is not overlapping */
    calendar_free(cal_of("{" ZONE "\"week\":{\"mon\":[[\"12:00\",\"13:00\"],[\"09:00\",\"12:00\"]]},"
                         "\"holidays\":[{\"date\":\"2026-12-24\",\"from\":\"12:00\",\"to\":\"24:00\"},"
                         "{\"date\":\"2026-12-24\",\"from\":\"09:00\",\"to\":\"12:00\"}]}"));
}

void
test_json_round_trips_in_canonical_order(void **state)
{
    static const char in[] =
        "{\"working_days\":[{\"date\":\"2026-10-10\",\"intervals\":[[\"13:00\",\"17:00\"],"
        "[\"09:00\",\"12:00\"]]},{\"date\":\"2026-09-20\",\"name\":\"补班\"}],"
        "\"week\":{\"fri\":[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],\"mon\":[[\"08:00\",\"16:00\"]]},"
        "\"holidays\":[{\"date\":\"2026-12-24\",\"to\":\"24:00\",\"from\":\"13:00\"},"
        "{\"date\":\"2026-10-01\",\"name\":\"国庆节\"},"
        "{\"date\":\"2026-12-24\",\"from\":\"09:00\",\"to\":\"10:00\"}],"
        "\"time_zone\":\"Asia/Shanghai\",\"name\":\"  China \"}";
    static const char want[] =
        "{\"name\":\"China\",\"time_zone\":\"Asia/Shanghai\",\"week\":{\"mon\":[[\"08:00\",\"16:00\"]],\"tue\":[],"
        "\"wed\":[],\"thu\":[],\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"sat\":[],"
        "\"sun\":[]},\"holidays\":[{\"date\":\"2026-10-01\",\"name\":\"国庆节\"},"
        "{\"date\":\"2026-12-24\",\"from\":\"09:00\",\"to\":\"10:00\"},"
        "{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"24:00\"}],"
        "\"working_days\":[{\"date\":\"2026-09-20\",\"name\":\"补班\"},"
        "{\"date\":\"2026-10-10\",\"intervals\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]]}]}";
    struct calendar *cal = cal_of(in), *again;
    json_t *out = calendar_to_json(cal), *out2;
    char *text = json_dumps(out, JSON_COMPACT);
    struct tend_err err;
    (void)state;

    assert_string_equal(text, want);
    assert_int_equal(calendar_from_json(out, &again, &err), TEND_OK);
    out2 = calendar_to_json(again);
    assert_true(json_equal(out, out2));
    assert_string_equal(calendar_name(cal), "China");
    free(text);
    json_decref(out);
    json_decref(out2);
    calendar_free(cal);
    calendar_free(again);
}

void
test_unknown_and_unsafe_zone_names_are_refused(void **state)
{
    static const char *const good[] = {"Asia/Shanghai", "America/Argentina/Buenos_Aires",
                                       "Etc/GMT-14", "UTC", "America/Port-au-Prince"};
    static const char *const bad[] = {"", "../etc", "/etc/passwd", "Asia//Shanghai", "Asia/",
                                      ".hidden", "Asia/Shang hai", "Asia/..", "a\\b"};
    struct tzone tz;
    struct tend_err err;
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(tzone_name_valid(good[i]));
        assert_int_equal(tzone_load(good[i], &tz, "time_zone", &err), TEND_OK);
        tzone_cleanup(&tz);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(tzone_name_valid(bad[i]));
    /* a directory, and a file that is not TZif */
    assert_int_equal(tzone_load("America", &tz, "time_zone", &err), TEND_EINVAL);
    assert_string_equal(err.field, "time_zone");
    assert_int_equal(tzone_load("iso3166.tab", &tz, "time_zone", &err), TEND_EINVAL);
}

/* ---- iCalendar ---- */

#define LUNCH_WEEK                                                                                 \
    "\"week\":{\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                           \
    "\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"                                     \
    "\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]]}"

static const char shanghai_base[] = "{\"name\":\"Shanghai office\"," ZONE LUNCH_WEEK "}";

static struct calendar *
imported(const struct calendar *base, const char *ics, enum calendar_ics_mode mode)
{
    struct calendar *cal = NULL;
    struct tend_err err = {0};

    if (calendar_import_ics(base, ics, mode, &cal, &err) != TEND_OK)
        fail_msg("import failed: %s: %s", err.field, err.message);
    return cal;
}

static void
assert_same_json(const struct calendar *a, const struct calendar *b)
{
    json_t *ja = calendar_to_json(a), *jb = calendar_to_json(b);
    if (!json_equal(ja, jb)) {
        char *ta = json_dumps(ja, JSON_COMPACT), *tb = json_dumps(jb, JSON_COMPACT);
        fail_msg("calendars differ:\n%s\n%s", ta, tb);
    }
    json_decref(ja);
    json_decref(jb);
}

void
test_ics_export_reads_back_identically(void **state)
{
    struct calendar *cal = cal_of(
        "{\"name\":\"Shanghai office\"," ZONE LUNCH_WEEK ",\"holidays\":["
        "{\"date\":\"2026-10-01\",\"name\":\"国庆节\"},{\"date\":\"2026-10-02\",\"name\":\"国庆节\"},"
        "{\"date\":\"2026-10-03\",\"name\":\"国庆节\"},"
        "{\"date\":\"2026-10-04\",\"name\":\"Other; name, with \\\"quotes\\\" and \\\\ backslash\"},"
        "{\"date\":\"2026-10-05\"},{\"date\":\"2026-10-06\"},{\"date\":\"2026-10-08\"},"
        "{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"24:00\",\"name\":\"Christmas Eve\"},"
        "{\"date\":\"2026-12-31\",\"from\":\"09:00\",\"to\":\"10:00\"},"
        "{\"date\":\"2026-12-31\",\"from\":\"16:00\",\"to\":\"18:00\"},"
        "{\"date\":\"2027-02-01\",\"from\":\"00:00\",\"to\":\"24:00\"}],"
        "\"working_days\":[{\"date\":\"2026-09-20\",\"name\":\"补班\"},"
        "{\"date\":\"2026-10-10\",\"intervals\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]],"
        "\"name\":\"make-up\"}]}");
    struct calendar *base = cal_of(shanghai_base), *back, *merged;
    char *ics = calendar_export_ics(cal, T("2026-01-01T00:00:00Z")), *ics2;
    (void)state;

    assert_non_null(strstr(ics, "DTSTART;VALUE=DATE:20261001"));
    assert_non_null(strstr(ics, "DTEND;VALUE=DATE:20261004")); /* three days of one name */
    assert_non_null(strstr(ics, "DTSTART:20261224T130000"));
    assert_non_null(strstr(ics, "DTEND:20261225T000000"));
    assert_non_null(strstr(ics, "X-TEND-KIND:WORKDAY"));
    assert_non_null(strstr(ics, "DTSTAMP:20260101T000000Z"));
    back = imported(base, ics, CALENDAR_ICS_REPLACE);
    assert_same_json(cal, back);
    merged = imported(base, ics, CALENDAR_ICS_MERGE);
    assert_same_json(cal, merged);
    ics2 = calendar_export_ics(back, T("2026-01-01T00:00:00Z"));
    assert_string_equal(ics, ics2);
    free(ics);
    free(ics2);
    calendar_free(cal);
    calendar_free(base);
    calendar_free(back);
    calendar_free(merged);
}

/* In the style of a published feed of the State Council's 2026 arrangement:
 * CRLF lines, all-day events with exclusive DTEND, a festival marker that
 * repeats a day off, make-up working days, a cancelled event. */
static const char national_day_ics[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//China Public Holidays//2026//ZH\r\n"
    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:中国法定节假日 2026\r\n"
    "X-WR-TIMEZONE:Asia/Shanghai\r\n"
    "BEGIN:VEVENT\r\nUID:2026-mid-autumn@holidays.example.cn\r\nDTSTAMP:20251104T000000Z\r\n"
    "DTSTART;VALUE=DATE:20260925\r\nDTEND;VALUE=DATE:20260928\r\nSUMMARY:中秋节 休\r\n"
    "CATEGORIES:HOLIDAY\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2026-national-day@holidays.example.cn\r\nDTSTAMP:20251104T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节 休\r\n"
    "CATEGORIES:HOLIDAY\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2026-national-day-marker@holidays.example.cn\r\n"
    "DTSTAMP:20251104T000000Z\r\nDTSTART;VALUE=DATE:20261001\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2026-0920-work@holidays.example.cn\r\nDTSTAMP:20251104T000000Z\r\n"
    "DTSTART;VALUE=DATE:20260920\r\nDTEND;VALUE=DATE:20260921\r\nSUMMARY:国庆节 补班\r\n"
    "CATEGORIES:补班,WORKDAY\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2026-1010-work@holidays.example.cn\r\nDTSTAMP:20251104T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节 补班\r\nX-TEND-KIND:workday\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2026-1009-draft@holidays.example.cn\r\nDTSTAMP:20251104T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261009\r\nSUMMARY:draft\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";

void
test_ics_chinese_national_day_with_make_up_days(void **state)
{
    struct calendar *base = cal_of(shanghai_base);
    struct calendar *cal = imported(base, national_day_ics, CALENDAR_ICS_REPLACE);
    json_t *j = calendar_to_json(cal), *hol = json_object_get(j, "holidays"),
           *work = json_object_get(j, "working_days");
    (void)state;

    assert_int_equal(json_array_size(hol), 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hol, 0), "date")), "2026-09-25");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hol, 3), "date")), "2026-10-01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hol, 3), "name")), "国庆节 休");
    assert_int_equal(json_array_size(work), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(work, 1), "date")), "2026-10-10");
    assert_null(json_object_get(json_array_get(work, 1), "intervals"));
    /* Wednesday 09-30 17:00 + 2 h: back on Thursday 10-08 */
    assert_instant(calendar_add_business_minutes(cal, T("2026-09-30T17:00:00+08:00"), 120),
                   T("2026-10-08T10:00:00+08:00"));
    assert_true(calendar_is_business(cal, T("2026-09-20T10:00:00+08:00")));  /* Sunday, make-up */
    assert_true(calendar_is_business(cal, T("2026-10-10T14:00:00+08:00")));  /* Saturday, make-up */
    assert_true(calendar_is_business(cal, T("2026-10-09T10:00:00+08:00")));  /* cancelled event */
    assert_false(calendar_is_business(cal, T("2026-09-25T10:00:00+08:00"))); /* Mid-Autumn */
    assert_int_equal(calendar_business_minutes(cal, T("2026-09-21T00:00:00+08:00"),
                                               T("2026-09-28T00:00:00+08:00")),
                     4 * 450);
    json_decref(j);
    calendar_free(cal);
    calendar_free(base);
}

static const char timed_ics[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example Corp//Outlook//EN\n"
    "BEGIN:VTIMEZONE\nTZID:Eastern Standard Time\n"
    "BEGIN:STANDARD\nDTSTART:16011104T020000\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\n"
    "TZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nEND:STANDARD\n"
    "BEGIN:DAYLIGHT\nDTSTART:16010311T020000\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\n"
    "TZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
    /* 0: UTC: 05:00Z-16:00Z is 13:00-24:00 in Shanghai */
    "BEGIN:VEVENT\nUID:a\nDTSTART:20261224T050000Z\nDTEND:20261224T160000Z\nSUMMARY:Eve\nEND:VEVENT\n"
    /* 1: the calendar's own zone, over two midnights */
    "BEGIN:VEVENT\nUID:b\nDTSTART;TZID=Asia/Shanghai:20261231T160000\n"
    "DTEND;TZID=Asia/Shanghai:20270102T100000\nEND:VEVENT\n"
    /* 2: floating, with a DURATION */
    "BEGIN:VEVENT\nUID:c\nDTSTART:20261130T090000\nDURATION:PT2H\nEND:VEVENT\n"
    /* 3: another zone defined in the file: 20:00-23:00 EST is 09:00-12:00 next day in Shanghai */
    "BEGIN:VEVENT\nUID:d\nDTSTART;TZID=Eastern Standard Time:20261106T200000\n"
    "DTEND;TZID=Eastern Standard Time:20261106T230000\nEND:VEVENT\n"
    /* 4: an IANA TZID without VTIMEZONE, as libical knows it; and an escaped newline */
    "BEGIN:VEVENT\nUID:g\nDTSTART;TZID=America/New_York:20261203T200000\n"
    "DTEND;TZID=America/New_York:20261203T210000\nSUMMARY:Line\\nbreak\nEND:VEVENT\n"
    /* 5, 6: two timed WORKDAY events make one working day of two intervals */
    "BEGIN:VEVENT\nUID:e\nDTSTART:20261128T130000\nDTEND:20261128T170000\n"
    "CATEGORIES:Work,WORKDAY\nSUMMARY:Stocktake Saturday\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:f\nDTSTART:20261128T090000\nDTEND:20261128T120000\n"
    "CATEGORIES:WORKDAY\nEND:VEVENT\n"
    "END:VCALENDAR\n";

void
test_ics_timed_events_become_part_days_in_the_calendar_zone(void **state)
{
    static const char want_holidays[] =
        "[{\"date\":\"2026-11-07\",\"from\":\"09:00\",\"to\":\"12:00\"},"
        "{\"date\":\"2026-11-30\",\"from\":\"09:00\",\"to\":\"11:00\"},"
        "{\"date\":\"2026-12-04\",\"from\":\"09:00\",\"to\":\"10:00\",\"name\":\"Line break\"},"
        "{\"date\":\"2026-12-24\",\"from\":\"13:00\",\"to\":\"24:00\",\"name\":\"Eve\"},"
        "{\"date\":\"2026-12-31\",\"from\":\"16:00\",\"to\":\"24:00\"},"
        "{\"date\":\"2027-01-01\",\"from\":\"00:00\",\"to\":\"24:00\"},"
        "{\"date\":\"2027-01-02\",\"from\":\"00:00\",\"to\":\"10:00\"}]";
    static const char want_work[] = "[{\"date\":\"2026-11-28\",\"intervals\":[[\"09:00\",\"12:00\"],"
                                    "[\"13:00\",\"17:00\"]],\"name\":\"Stocktake Saturday\"}]";
    struct calendar *base = cal_of(shanghai_base);
    struct calendar *cal = imported(base, timed_ics, CALENDAR_ICS_REPLACE);
    json_t *j = calendar_to_json(cal);
    char *hol = json_dumps(json_object_get(j, "holidays"), JSON_COMPACT);
    char *work = json_dumps(json_object_get(j, "working_days"), JSON_COMPACT);
    (void)state;

    assert_string_equal(hol, want_holidays);
    assert_string_equal(work, want_work);
    assert_instant(calendar_add_business_minutes(cal, T("2026-11-27T17:00:00+08:00"), 120),
                   T("2026-11-28T10:00:00+08:00"));
    free(hol);
    free(work);
    json_decref(j);
    calendar_free(cal);
    calendar_free(base);
}

#define ICS(events) "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n" events "END:VCALENDAR\n"
#define EV(body) "BEGIN:VEVENT\nUID:x\n" body "END:VEVENT\n"
#define DAY_OFF EV("DTSTART;VALUE=DATE:20261001\n")

void
test_ics_errors_name_the_event(void **state)
{
    static const struct {
        const char *ics;
        enum calendar_ics_mode mode;
        const char *field;
    } cases[] = {
        {"this is not a calendar", CALENDAR_ICS_REPLACE, "ics"},
        {ICS(EV("DTSTART;VALUE=DATE:20261001\nRRULE:FREQ=YEARLY\n")), CALENDAR_ICS_REPLACE,
         "events[0].RRULE"},
        {ICS(DAY_OFF EV("DTSTART;VALUE=DATE:20261005\nDTEND;VALUE=DATE:20261003\n")),
         CALENDAR_ICS_REPLACE, "events[1].DTEND"},
        {ICS(EV("DTSTART:20261224T130000\n")), CALENDAR_ICS_REPLACE, "events[0].DTEND"},
        {ICS(EV("SUMMARY:no start\n")), CALENDAR_ICS_REPLACE, "events[0].DTSTART"},
        {ICS(EV("DTSTART:20261224T130000\nDTEND:20261224T150000\nDURATION:PT1H\n")),
         CALENDAR_ICS_REPLACE, "events[0].DURATION"},
        {ICS(EV("DTSTART;VALUE=DATE:20260230\n")), CALENDAR_ICS_REPLACE, "events[0].DTSTART"},
        {ICS(DAY_OFF EV("DTSTART;VALUE=DATE:20261001\nCATEGORIES:WORKDAY\n")), CALENDAR_ICS_REPLACE,
         "events[1].DTSTART"},
        {ICS(DAY_OFF), CALENDAR_ICS_MERGE, "events[0].DTSTART"},
        {ICS(EV("DTSTART;TZID=Nowhere/Special:20261224T130000\n"
                "DTEND;TZID=Nowhere/Special:20261224T150000\n")),
         CALENDAR_ICS_REPLACE, "events[0].DTSTART"},
        {ICS(EV("DTSTART:20261224T130030\nDTEND:20261224T150000\n")), CALENDAR_ICS_REPLACE,
         "events[0].DTSTART"},
        {ICS(EV("DTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20280101\n")), CALENDAR_ICS_REPLACE,
         "events[0].DTEND"},
        {ICS(EV("DTSTART:20261128T090000\nDTEND:20261128T120000\nCATEGORIES:WORKDAY\n")
                 EV("DTSTART:20261128T110000\nDTEND:20261128T130000\nCATEGORIES:WORKDAY\n")),
         CALENDAR_ICS_REPLACE, "events[1].DTSTART"},
    };
    struct calendar *base =
        cal_of("{" ZONE LUNCH_WEEK ",\"holidays\":[{\"date\":\"2026-10-01\"}]}");
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct calendar *cal = (struct calendar *)1;
        struct tend_err err = {0};
        enum tend_rc rc = calendar_import_ics(base, cases[i].ics, cases[i].mode, &cal, &err);
        if (rc != TEND_EINVAL || strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %d: got %s '%s' (%s), want '%s'", (int)i, tend_rc_name(rc), err.field,
                     err.message, cases[i].field);
        assert_null(cal);
    }
    calendar_free(base);
}
