/* calendar.c: a calendar's model: the checks that span entries (repeated dates,
 * a holiday on a working day), and the derived tables the arithmetic of
 * calendar_time.c reads. The JSON and iCalendar forms build on it. */
#include "calendar_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

struct calendar *
calendar_alloc(void)
{
    return xcalloc(1, sizeof(struct calendar));
}

void
calendar_free(struct calendar *cal)
{
    if (!cal)
        return;
    for (int i = 0; i < cal->nholidays; i++)
        free(cal->holidays[i].name);
    for (int i = 0; i < cal->nworkdays; i++)
        free(cal->workdays[i].name);
    free(cal->holidays);
    free(cal->workdays);
    free(cal->name);
    tzone_cleanup(&cal->zone);
    free(cal->day_spans);
    free(cal->exc_date);
    free(cal->exc_day);
    free(cal->exc_before);
    free(cal->exc_after);
    free(cal);
}

const char *
calendar_time_zone(const struct calendar *cal)
{
    return cal->zone.name;
}

const char *
calendar_name(const struct calendar *cal)
{
    return cal->name ? cal->name : "";
}

struct cal_holiday *
calendar_add_holiday(struct calendar *cal)
{
    if (cal->nholidays == cal->holidays_cap) {
        cal->holidays_cap = cal->holidays_cap ? cal->holidays_cap * 2 : 16;
        cal->holidays = xrealloc(cal->holidays, (size_t)cal->holidays_cap * sizeof(*cal->holidays));
    }
    memset(&cal->holidays[cal->nholidays], 0, sizeof(*cal->holidays));
    return &cal->holidays[cal->nholidays++];
}

struct cal_workday *
calendar_add_workday(struct calendar *cal)
{
    if (cal->nworkdays == cal->workdays_cap) {
        cal->workdays_cap = cal->workdays_cap ? cal->workdays_cap * 2 : 8;
        cal->workdays = xrealloc(cal->workdays, (size_t)cal->workdays_cap * sizeof(*cal->workdays));
    }
    memset(&cal->workdays[cal->nworkdays], 0, sizeof(*cal->workdays));
    return &cal->workdays[cal->nworkdays++];
}

void
calendar_format_date(int64_t date, char *out, size_t outlen)
{
    int y, m, d;

    civil_from_days(date, &y, &m, &d);
    snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

void
calendar_format_time(int minutes, char *out, size_t outlen)
{
    snprintf(out, outlen, "%02d:%02d", minutes / 60, minutes % 60);
}

int
calendar_name_valid(const char *s, size_t len)
{
    size_t chars;

    if (!utf8_valid(s, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    chars = utf8_count(s, len);
    return chars >= 1 && chars <= CAL_NAME_CHARS;
}

void
calendar_trim(char *s)
{
    size_t start = 0, len = strlen(s);

    while (s[start] == ' ')
        start++;
    while (len > start && s[len - 1] == ' ')
        len--;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
}

/* ---- checks across entries ---- */

/* The path of an entry for an error: "holidays[3].date", or "events[7].DTSTART"
 * for one read from an .ics file (where every member is the event's DTSTART). */
static void
holiday_path(const struct cal_holiday *h, const char *member, char *out, size_t outlen)
{
    if (h->from_ics)
        snprintf(out, outlen, "events[%d]%s", (int)h->src, *member ? ".DTSTART" : "");
    else
        snprintf(out, outlen, "holidays[%d]%s", (int)h->src, member);
}

static void
workday_path(const struct cal_workday *w, const char *member, char *out, size_t outlen)
{
    if (w->from_ics)
        snprintf(out, outlen, "events[%d]%s", (int)w->src, *member ? ".DTSTART" : "");
    else
        snprintf(out, outlen, "working_days[%d]%s", (int)w->src, member);
}

/* Of two entries in conflict, whether the second is the one to blame: the one
 * the user wrote last (an imported event rather than a stored entry). */
static int
blame_second(int ics_a, int src_a, int ics_b, int src_b)
{
    if (ics_a != ics_b)
        return ics_b;
    return src_b > src_a;
}

static int
cmp_holiday(const void *pa, const void *pb)
{
    const struct cal_holiday *a = pa, *b = pb;

    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->from != b->from)
        return a->from - b->from;
    if (a->to != b->to)
        return a->to - b->to;
    if (a->from_ics != b->from_ics)
        return a->from_ics - b->from_ics;
    return a->src < b->src ? -1 : a->src > b->src;
}

static int
cmp_workday(const void *pa, const void *pb)
{
    const struct cal_workday *a = pa, *b = pb;

    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->from_ics != b->from_ics)
        return a->from_ics - b->from_ics;
    return a->src < b->src ? -1 : a->src > b->src;
}

static enum tend_rc
check_holidays(struct calendar *cal, struct tend_err *err)
{
    char field[64], ref[48], date[16], from[8], to[8];

    if (cal->nholidays > CAL_MAX_HOLIDAYS)
        return tend_fail(err, TEND_EINVAL, "holidays", "at most %d holiday dates", CAL_MAX_HOLIDAYS);
    if (cal->nholidays > 1)
        qsort(cal->holidays, (size_t)cal->nholidays, sizeof(*cal->holidays), cmp_holiday);
    for (int i = 1; i < cal->nholidays; i++) {
        const struct cal_holiday *a = &cal->holidays[i - 1], *b = &cal->holidays[i], *blamed, *other;
        int whole = a->whole || b->whole;
        if (a->date != b->date || (!whole && a->to <= b->from))
            continue;
        if (blame_second(a->from_ics, a->src, b->from_ics, b->src)) {
            blamed = b;
            other = a;
        } else {
            blamed = a;
            other = b;
        }
        holiday_path(blamed, whole ? ".date" : ".from", field, sizeof(field));
        holiday_path(other, "", ref, sizeof(ref));
        calendar_format_date(a->date, date, sizeof(date));
        if (whole)
            return tend_fail(err, TEND_EINVAL, field, "repeats the date %s of %s", date, ref);
        calendar_format_time(other->from, from, sizeof(from));
        calendar_format_time(other->to, to, sizeof(to));
        return tend_fail(err, TEND_EINVAL, field, "overlaps %s (%s %s-%s)", ref, date, from, to);
    }
    return TEND_OK;
}

static enum tend_rc
check_workdays(struct calendar *cal, struct tend_err *err)
{
    char field[64], ref[48], date[16];

    if (cal->nworkdays > CAL_MAX_WORKING_DAYS)
        return tend_fail(err, TEND_EINVAL, "working_days", "at most %d working days",
                         CAL_MAX_WORKING_DAYS);
    if (cal->nworkdays > 1)
        qsort(cal->workdays, (size_t)cal->nworkdays, sizeof(*cal->workdays), cmp_workday);
    for (int i = 0; i < cal->nworkdays; i++) {
        struct cal_workday *w = &cal->workdays[i];
        if (i > 0 && cal->workdays[i - 1].date == w->date) {
            const struct cal_workday *a = &cal->workdays[i - 1], *blamed = w, *other = a;
            if (!blame_second(a->from_ics, a->src, w->from_ics, w->src)) {
                blamed = a;
                other = w;
            }
            workday_path(blamed, ".date", field, sizeof(field));
            workday_path(other, "", ref, sizeof(ref));
            calendar_format_date(w->date, date, sizeof(date));
            return tend_fail(err, TEND_EINVAL, field, "repeats the date %s of %s", date, ref);
        }
        if (!w->given) {
            if (cal->nweek[0] == 0) {
                workday_path(w, ".intervals", field, sizeof(field));
                return tend_fail(err, TEND_EINVAL, field,
                                 "is required: the week has no Monday hours to work by default");
            }
            memcpy(w->spans, cal->week[0], sizeof(w->spans));
            w->nspans = cal->nweek[0];
        }
    }
    /* both lists are sorted by date: walk them together */
    for (int i = 0, j = 0; i < cal->nholidays && j < cal->nworkdays;) {
        const struct cal_holiday *h = &cal->holidays[i];
        const struct cal_workday *w = &cal->workdays[j];
        if (h->date < w->date) {
            i++;
        } else if (w->date < h->date) {
            j++;
        } else {
            workday_path(w, ".date", field, sizeof(field));
            holiday_path(h, "", ref, sizeof(ref));
            calendar_format_date(w->date, date, sizeof(date));
            return tend_fail(err, TEND_EINVAL, field,
                             "%s is also a holiday (%s): a date is either off or working", date, ref);
        }
    }
    return TEND_OK;
}

/* ---- derived tables ---- */

static void
push_span(struct calendar *cal, int64_t from_min, int64_t to_min, int *cap)
{
    if (cal->nday_spans == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        cal->day_spans = xrealloc(cal->day_spans, (size_t)*cap * sizeof(*cal->day_spans));
    }
    cal->day_spans[cal->nday_spans++] = (struct cal_msspan){(int32_t)(from_min * 60000),
                                                           (int32_t)(to_min * 60000)};
}

/* A day's hours: `spans` (sorted, disjoint) minus the holidays `hol` of that date
 * (sorted by start, disjoint). */
static void
make_day(struct calendar *cal, const struct cal_span *spans, int nspans,
         const struct cal_holiday *hol, int nhol, struct cal_day *day, int *cap)
{
    day->first = cal->nday_spans;
    day->total = 0;
    for (int i = 0; i < nspans; i++) {
        int cur = spans[i].from, end = spans[i].to;
        for (int j = 0; j < nhol && cur < end; j++) {
            if (hol[j].to <= cur || hol[j].from >= end)
                continue;
            if (hol[j].from > cur)
                push_span(cal, cur, hol[j].from, cap);
            if (hol[j].to > cur)
                cur = hol[j].to;
        }
        if (cur < end)
            push_span(cal, cur, end, cap);
    }
    day->count = cal->nday_spans - day->first;
    for (int i = day->first; i < cal->nday_spans; i++)
        day->total += cal->day_spans[i].to - cal->day_spans[i].from;
}

static void
build_tables(struct calendar *cal)
{
    int cap = 0, ndates = cal->nholidays + cal->nworkdays;
    int i = 0, j = 0, k = 0;

    cal->week_prefix[0] = 0;
    for (int d = 0; d < 7; d++) {
        make_day(cal, cal->week[d], cal->nweek[d], NULL, 0, &cal->weekday[d], &cap);
        cal->week_prefix[d + 1] = cal->week_prefix[d] + cal->weekday[d].total;
    }
    cal->week_ms = cal->week_prefix[7];
    cal->exc_date = xmalloc((size_t)(ndates ? ndates : 1) * sizeof(*cal->exc_date));
    cal->exc_day = xmalloc((size_t)(ndates ? ndates : 1) * sizeof(*cal->exc_day));
    cal->exc_before = xmalloc((size_t)(ndates + 1) * sizeof(*cal->exc_before));
    cal->exc_after = xmalloc((size_t)(ndates ? ndates : 1) * sizeof(*cal->exc_after));
    cal->exc_before[0] = 0;
    while (i < cal->nholidays || j < cal->nworkdays) {
        int32_t date;
        int first_hol = i, weekday;
        const struct cal_span *spans;
        int nspans;
        if (j >= cal->nworkdays || (i < cal->nholidays && cal->holidays[i].date < cal->workdays[j].date))
            date = cal->holidays[i].date;
        else
            date = cal->workdays[j].date;
        while (i < cal->nholidays && cal->holidays[i].date == date)
            i++;
        weekday = civil_weekday(date);
        if (j < cal->nworkdays && cal->workdays[j].date == date) {
            spans = cal->workdays[j].spans;
            nspans = cal->workdays[j].nspans;
            j++;
        } else {
            spans = cal->week[weekday];
            nspans = cal->nweek[weekday];
        }
        cal->exc_date[k] = date;
        make_day(cal, spans, nspans, i > first_hol ? &cal->holidays[first_hol] : NULL, i - first_hol,
                 &cal->exc_day[k], &cap);
        cal->exc_before[k + 1] =
            cal->exc_before[k] + cal->exc_day[k].total - cal->weekday[weekday].total;
        k++;
    }
    cal->nexc = k;
    for (k = 0; k < cal->nexc; k++)
        cal->exc_after[k] = calendar_week_before(cal, (int64_t)cal->exc_date[k] + 1) + cal->exc_before[k + 1];
}

enum tend_rc
calendar_finish(struct calendar *cal, struct tend_err *err)
{
    int nspans = 0;
    enum tend_rc rc;

    for (int d = 0; d < 7; d++)
        nspans += cal->nweek[d];
    if (nspans == 0)
        return tend_fail(err, TEND_EINVAL, "week", "needs at least one working interval");
    rc = check_holidays(cal, err);
    if (rc == TEND_OK)
        rc = check_workdays(cal, err);
    if (rc == TEND_OK)
        build_tables(cal);
    return rc;
}
