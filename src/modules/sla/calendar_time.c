/* calendar_time.c: business-time arithmetic over a built calendar: is an instant
 * business time, the next business instant, business time between two instants,
 * and the instant a business duration after another. No allocation, no calls out.
 *
 * How: within one segment of the zone table (a stretch of constant UTC offset,
 * usually months long) local time is UTC plus a constant, so business time in
 * [a, b) is cum(b + off) - cum(a + off), where cum(L) is the business time
 * before local wall-clock time L. cum is closed-form: whole weeks times the
 * week's hours, plus the weekdays before, plus the corrections of the exception
 * days before (a prefix sum found by binary search), plus the part of L's own
 * day. Its inverse (the first local time where cum reaches a value) finds the
 * gap between exception days by binary search and the week arithmetically. A
 * span crossing a DST change takes one more round per change. */
#include "calendar_int.h"

#include <assert.h>

/* The number of exception dates before `day`. */
static inline int
exceptions_before(const struct calendar *cal, int64_t day)
{
    int lo = 0, hi = cal->nexc;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cal->exc_date[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The hours of local day `day`, given k = exceptions_before(day). */
static inline const struct cal_day *
day_hours(const struct calendar *cal, int64_t day, int k)
{
    if (k < cal->nexc && cal->exc_date[k] == day)
        return &cal->exc_day[k];
    return &cal->weekday[civil_weekday(day)];
}

/* Business time before local wall-clock time `local` (ms since 1970-01-01T00:00 local). */
static int64_t
cum(const struct calendar *cal, int64_t local)
{
    int64_t day = civil_floordiv(local, CIVIL_DAY_MS), ms = local - day * CIVIL_DAY_MS;
    int k = exceptions_before(cal, day);
    const struct cal_day *hours = day_hours(cal, day, k);
    const struct cal_msspan *s = cal->day_spans + hours->first;
    int64_t sum = calendar_week_before(cal, day) + cal->exc_before[k];

    for (int i = 0; i < hours->count && ms > s[i].from; i++)
        sum += (ms < s[i].to ? ms : s[i].to) - s[i].from;
    return sum;
}

/* The first local time L with cum(L) >= target (cum is continuous and rises by
 * one per millisecond in working time, so cum(L) == target). */
static int64_t
reaching(const struct calendar *cal, int64_t target)
{
    int lo = 0, hi = cal->nexc, weekday = 1;
    int64_t want, weeks, rest, end_day, day, r;
    const struct cal_day *hours;
    const struct cal_msspan *s;

    /* j = the first exception day whose end reaches the target */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cal->exc_after[mid] < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* between exceptions j-1 and j the week is regular: the first day E whose
     * start has cum >= target, arithmetically */
    want = target - cal->exc_before[lo];
    weeks = civil_floordiv(want - 1, cal->week_ms);
    rest = want - weeks * cal->week_ms; /* in (0, week_ms] */
    while (cal->week_prefix[weekday] < rest)
        weekday++;
    end_day = 7 * weeks + weekday - 3;
    /* cum at the end of exception j-1 is below the target, and the week only
     * adds, so E comes after that day; it is at most the day after exception j */
    assert(lo == 0 || end_day >= (int64_t)cal->exc_date[lo - 1] + 2);
    if (lo < cal->nexc && end_day > (int64_t)cal->exc_date[lo] + 1)
        end_day = (int64_t)cal->exc_date[lo] + 1;
    /* the target is inside day E - 1, which has exactly `lo` exceptions before it */
    day = end_day - 1;
    hours = day_hours(cal, day, lo);
    s = cal->day_spans + hours->first;
    r = target - (calendar_week_before(cal, day) + cal->exc_before[lo]);
    assert(r > 0 && r <= hours->total);
    for (int i = 0; i < hours->count; i++) {
        int64_t len = s[i].to - s[i].from;
        if (r <= len)
            return day * CIVIL_DAY_MS + s[i].from + r;
        r -= len;
    }
    return day * CIVIL_DAY_MS + CIVIL_DAY_MS; /* not reached */
}

static inline int64_t
clamp_instant(int64_t t)
{
    return t < CALENDAR_MIN_MS ? CALENDAR_MIN_MS : t > CALENDAR_MAX_MS ? CALENDAR_MAX_MS : t;
}

/* The end of zone segment i, within the supported range. */
static inline int64_t
segment_end(const struct tzone *z, int i)
{
    return z->at[i + 1] < CALENDAR_MAX_MS ? z->at[i + 1] : CALENDAR_MAX_MS;
}

int
calendar_is_business(const struct calendar *cal, int64_t t_ms)
{
    int64_t local, day, ms;
    const struct cal_day *hours;
    const struct cal_msspan *s;

    if (t_ms < CALENDAR_MIN_MS || t_ms >= CALENDAR_MAX_MS)
        return 0;
    local = tzone_local(&cal->zone, t_ms);
    day = civil_floordiv(local, CIVIL_DAY_MS);
    ms = local - day * CIVIL_DAY_MS;
    hours = day_hours(cal, day, exceptions_before(cal, day));
    s = cal->day_spans + hours->first;
    for (int i = 0; i < hours->count && ms >= s[i].from; i++)
        if (ms < s[i].to)
            return 1;
    return 0;
}

int64_t
calendar_next_business(const struct calendar *cal, int64_t t_ms)
{
    const struct tzone *z = &cal->zone;
    int64_t t = clamp_instant(t_ms);
    int i = tzone_segment(z, t);

    while (t < CALENDAR_MAX_MS) {
        int64_t off = z->offset[i], end = segment_end(z, i);
        /* the first business millisecond at or after t is the one that
         * brings cum to cum(t) + 1 */
        int64_t found = reaching(cal, cum(cal, t + off) + 1) - 1 - off;
        if (found < end)
            return found;
        t = end;
        i++;
    }
    return CALENDAR_NEVER;
}

int64_t
calendar_business_ms(const struct calendar *cal, int64_t a_ms, int64_t b_ms)
{
    const struct tzone *z = &cal->zone;
    int64_t a = clamp_instant(a_ms), b = clamp_instant(b_ms), sum = 0;
    int i;

    if (b <= a)
        return 0;
    for (i = tzone_segment(z, a);; i++) {
        int64_t off = z->offset[i], end = z->at[i + 1] < b ? z->at[i + 1] : b;
        sum += cum(cal, end + off) - cum(cal, a + off);
        if (end == b)
            return sum;
        a = end;
    }
}

int64_t
calendar_business_minutes(const struct calendar *cal, int64_t a_ms, int64_t b_ms)
{
    return calendar_business_ms(cal, a_ms, b_ms) / 60000;
}

int64_t
calendar_add_business_ms(const struct calendar *cal, int64_t start_ms, int64_t business_ms)
{
    const struct tzone *z = &cal->zone;
    int64_t t = clamp_instant(start_ms), left = business_ms;
    int i;

    if (business_ms <= 0)
        return calendar_next_business(cal, start_ms);
    if (business_ms > CALENDAR_MAX_MS - CALENDAR_MIN_MS)
        return CALENDAR_NEVER;
    for (i = tzone_segment(z, t); t < CALENDAR_MAX_MS; i++) {
        int64_t off = z->offset[i], end = segment_end(z, i);
        int64_t before = cum(cal, t + off);
        int64_t found = reaching(cal, before + left) - off;
        if (found <= end)
            return found;
        left -= cum(cal, end + off) - before;
        t = end;
    }
    return CALENDAR_NEVER;
}

int64_t
calendar_add_business_minutes(const struct calendar *cal, int64_t start_ms, int64_t minutes)
{
    if (minutes > (CALENDAR_MAX_MS - CALENDAR_MIN_MS) / 60000)
        return CALENDAR_NEVER;
    return calendar_add_business_ms(cal, start_ms, minutes * 60000);
}
