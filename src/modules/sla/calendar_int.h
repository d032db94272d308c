/* calendar_int.h: the calendar's representation, shared by the files of the
 * calendar (model, JSON, iCalendar, arithmetic). Not for other modules. */
#ifndef TEND_SLA_CALENDAR_INT_H
#define TEND_SLA_CALENDAR_INT_H

#include <stdint.h>

#include "calendar.h"
#include "civil.h"
#include "tzone.h"

#define CAL_MAX_SPANS 16         /* intervals of one weekday or working day */
#define CAL_MAX_HOLIDAYS 5000    /* entries, one date each */
#define CAL_MAX_WORKING_DAYS 2000
#define CAL_MIN_YEAR 1900
#define CAL_MAX_YEAR 2199
#define CAL_NAME_CHARS 80
#define CAL_DAY_MINUTES 1440

/* A working interval in minutes of the local day: 0 <= from < to <= 1440. */
struct cal_span {
    int16_t from, to;
};

/* A holiday: its date is off from `from` to `to` (0 and 1440 when whole).
 * `src` and `from_ics` say where it came from, for error paths. */
struct cal_holiday {
    int32_t date; /* local date, days since 1970-01-01 */
    int16_t from, to;
    uint8_t whole;    /* given without from/to */
    uint8_t from_ics; /* src counts .ics events, else holidays[] */
    int32_t src;
    char *name; /* NULL if none; owned */
};

/* An extra working day: its date works `spans`, whatever its weekday. */
struct cal_workday {
    int32_t date;
    uint8_t given; /* spans given; else Monday's, filled by calendar_finish */
    uint8_t from_ics;
    int32_t src;
    int nspans;
    struct cal_span spans[CAL_MAX_SPANS];
    char *name;
};

/* One local day's working time as the arithmetic reads it: spans (ms after local
 * midnight, sorted, disjoint) in calendar.day_spans, and their total. */
struct cal_msspan {
    int32_t from, to;
};

struct cal_day {
    int32_t first, count;
    int64_t total;
};

/* A calendar. Owns everything it points to. The fields below "derived" are
 * built by calendar_finish from those above and are what the arithmetic uses:
 * the business time before local day D (from an arbitrary origin) is
 *   weeks(D) * week_ms + week_prefix[weekday(D)] + exc_before[k]
 * where k is the number of exception dates before D. */
struct calendar {
    char *name; /* NULL if none */
    struct tzone zone;
    struct cal_span week[7][CAL_MAX_SPANS]; /* 0 Monday .. 6 Sunday, sorted */
    int nweek[7];
    struct cal_holiday *holidays; /* sorted by (date, from) after calendar_finish */
    int nholidays, holidays_cap;
    struct cal_workday *workdays; /* sorted by date after calendar_finish */
    int nworkdays, workdays_cap;

    /* derived */
    struct cal_msspan *day_spans;
    int nday_spans;
    struct cal_day weekday[7];
    int64_t week_prefix[8]; /* business ms of a week before weekday d; [7] is the week's */
    int64_t week_ms;
    int nexc;                /* days whose hours differ from the week: holidays, working days */
    int32_t *exc_date;       /* sorted, distinct */
    struct cal_day *exc_day; /* their hours */
    int64_t *exc_before;     /* nexc + 1: sum over exceptions < k of (exception day - usual day) */
    int64_t *exc_after;      /* business time before the day after exception k */
};

/* Business time before local day `day` by the weekly pattern alone (from the
 * Monday 1969-12-29 as origin; negative before it). */
static inline int64_t
calendar_week_before(const struct calendar *cal, int64_t day)
{
    int64_t s = day + 3, weeks = civil_floordiv(s, 7);

    return weeks * cal->week_ms + cal->week_prefix[s - weeks * 7];
}

/* A new empty calendar (no zone loaded). */
struct calendar *calendar_alloc(void);

/* Check the week, holidays and working days together (the week has hours; no
 * date repeated, no holiday on a working day, overlapping part days), fill the
 * Monday default of working days, sort, and build the derived tables. Errors
 * name the entry (holidays[i].date, events[i].DTSTART, ...). */
enum tend_rc calendar_finish(struct calendar *cal, struct tend_err *err);

/* Append an entry (owned by the calendar from then on) and return it. */
struct cal_holiday *calendar_add_holiday(struct calendar *cal);
struct cal_workday *calendar_add_workday(struct calendar *cal);

/* "2026-10-01" (11 bytes with the NUL) and "09:30" / "24:00" (6 bytes). */
void calendar_format_date(int64_t date, char *out, size_t outlen);
void calendar_format_time(int minutes, char *out, size_t outlen);

/* A display name: valid UTF-8 of 1 to 80 characters, no control characters. */
int calendar_name_valid(const char *s, size_t len);

/* Cut spaces off both ends of `s`, in place (iCalendar text drops them). */
void calendar_trim(char *s);

#endif
