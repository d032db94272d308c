/* calendar.h: business calendars for SLA clocks (a time zone, weekly working
 * hours, holidays, extra working days), the business-time arithmetic over them,
 * and their JSON and iCalendar forms. Pure: no database, no clock, no HTTP. */
#ifndef TEND_SLA_CALENDAR_H
#define TEND_SLA_CALENDAR_H

#include <jansson.h>
#include <stdint.h>

#include "platform/util/err.h"

/*
 * What is business time. Instants are int64 epoch milliseconds UTC. An instant
 * is business time when its local wall-clock time in the calendar's zone falls
 * in a working interval of its local date:
 *  - the date's intervals come from the weekly pattern ("week"), or, on an
 *    extra working day, from that day's own intervals (Monday's when none are
 *    given), whatever the pattern says for its weekday;
 *  - minus the holidays of that date (whole day, or the part from-to);
 *  - intervals are half-open [from, to) in whole local minutes; "24:00" ends a day.
 * Daylight saving follows from the definition: a wall-clock interval lasts as
 * long as the wall clock spends in it. A local time skipped by a spring-forward
 * change never occurs (an interval 01:00-03:00 over a 02:00->03:00 change is one
 * hour; a boundary inside the gap takes effect at the first instant after it). A
 * local time repeated by a fall-back change occurs twice and is business time
 * both times when its minute is in an interval (01:00-03:00 over a 02:00->01:00
 * change is three hours).
 *
 * The arithmetic is exact from 1900-01-01T00:00Z to 2200-01-01T00:00Z
 * (CALENDAR_MIN_MS to CALENDAR_MAX_MS); instants outside are clamped into that
 * range, and results beyond its end are CALENDAR_NEVER.
 *
 * A calendar is immutable once built: every function taking a const calendar
 * may run on any number of threads at once, without locks. The business-time
 * functions do no allocation and no library calls: O(log) in the number of
 * exception days and zone transitions, plus one step per DST change spanned.
 */
#define CALENDAR_MIN_MS INT64_C(-2208988800000)
#define CALENDAR_MAX_MS INT64_C(7258118400000)
#define CALENDAR_NEVER INT64_MAX

struct calendar;

/* Build a calendar from its JSON text:
 *   {"name": "China mainland", "time_zone": "Asia/Shanghai",
 *    "week": {"mon": [["09:00","12:00"],["13:30","18:00"]], ..., "sun": []},
 *    "holidays": [{"date": "2026-10-01", "name": "National Day"},
 *                 {"date": "2026-12-24", "from": "13:00", "to": "24:00"}],
 *    "working_days": [{"date": "2026-09-20"},
 *                     {"date": "2026-10-10", "intervals": [["09:00","17:00"]]}]}
 * time_zone and week are required; a missing weekday has no working hours; the
 * week needs at least one interval. A working day without intervals works
 * Monday's hours. Errors: TEND_ESYNTAX for text that is not JSON, TEND_EINVAL
 * naming the offending field ("week.mon[1][0]", "holidays[3].date",
 * "working_days[0].date", "time_zone"). On success the caller owns *out
 * (calendar_free). */
enum tend_rc calendar_parse_json(const char *text, struct calendar **out, struct tend_err *err);

/* The same from a parsed JSON value (not stolen). */
enum tend_rc calendar_from_json(const json_t *def, struct calendar **out, struct tend_err *err);

/* The calendar as JSON (new reference), in the form calendar_from_json reads:
 * all seven weekdays, holidays sorted by date and start, working days by date. */
json_t *calendar_to_json(const struct calendar *cal);

enum calendar_ics_mode {
    CALENDAR_ICS_REPLACE, /* the file's events replace the holidays and working days */
    CALENDAR_ICS_MERGE,   /* they are added to them (a date in both is an error) */
};

/* A new calendar with the name, zone and week of `base` and the holidays and
 * working days of iCalendar text `ics` (RFC 5545):
 *  - each VEVENT is a holiday, or an extra working day when a CATEGORIES value
 *    or X-TEND-KIND is WORKDAY; STATUS:CANCELLED events are skipped;
 *  - all-day events (DTSTART;VALUE=DATE, DTEND exclusive, default one day)
 *    cover whole days; an all-day working day works Monday's hours;
 *  - timed events cover local wall-clock times of the calendar's zone: floating
 *    times as written, UTC ("Z") and TZID times converted; split at local
 *    midnights into part-day holidays, or into the intervals of working days;
 *  - published feeds give some dates two events (a festival and the days off
 *    around it): a date of an all-day holiday event takes no other holiday
 *    event of the file, and keeps the first all-day event's name;
 *  - SUMMARY is the name (trimmed, cut to 80 characters). Repeating events
 *    (RRULE/RDATE) are refused.
 * Errors name the event ("events[4].DTEND", counting VEVENTs from 0) or "ics".
 * On success the caller owns *out. */
enum tend_rc calendar_import_ics(const struct calendar *base, const char *ics,
                                 enum calendar_ics_mode mode, struct calendar **out,
                                 struct tend_err *err);

/* The holidays and working days as an iCalendar text that calendar_import_ics
 * reads back to the same holidays and working days: consecutive whole-day
 * holidays of one name as one all-day event, part days and working-day
 * intervals as floating local times, working days tagged CATEGORIES:WORKDAY
 * and X-TEND-KIND:WORKDAY. `stamp_ms` is written as every event's DTSTAMP.
 * The caller frees the result with free(). */
char *calendar_export_ics(const struct calendar *cal, int64_t stamp_ms);

/* The instant at which `business_ms` of business time after `start_ms` have
 * elapsed: the earliest t with calendar_business_ms(cal, start_ms, t) ==
 * business_ms. Counting starts at the next business instant when start_ms is
 * outside working time. A target reached exactly at the end of an interval
 * returns that end, not the start of the next interval. business_ms <= 0
 * returns calendar_next_business(cal, start_ms). CALENDAR_NEVER past the range. */
int64_t calendar_add_business_ms(const struct calendar *cal, int64_t start_ms, int64_t business_ms);

/* calendar_add_business_ms for whole business minutes. */
int64_t calendar_add_business_minutes(const struct calendar *cal, int64_t start_ms, int64_t minutes);

/* Business time in [a_ms, b_ms), in milliseconds; 0 when b_ms <= a_ms. */
int64_t calendar_business_ms(const struct calendar *cal, int64_t a_ms, int64_t b_ms);

/* The same in whole minutes, rounded down. */
int64_t calendar_business_minutes(const struct calendar *cal, int64_t a_ms, int64_t b_ms);

/* The first business instant at or after t_ms (CALENDAR_NEVER past the range). */
int64_t calendar_next_business(const struct calendar *cal, int64_t t_ms);

/* Whether instant t_ms is business time (1) or not (0). */
int calendar_is_business(const struct calendar *cal, int64_t t_ms);

/* The IANA zone name ("Asia/Shanghai"), and the display name ("" if none). */
const char *calendar_time_zone(const struct calendar *cal);
const char *calendar_name(const struct calendar *cal);

/* Free a calendar; NULL is fine. */
void calendar_free(struct calendar *cal);

#endif
