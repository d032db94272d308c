/* test_calendar_ref.c: property tests of the calendar arithmetic against a
 * deliberately simple reference: walk minute by minute, read each minute's local
 * time from glibc (TZ + localtime_r, not the code under test), and decide from
 * the calendar's own lists whether that minute works. Fixed seed, bounded work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/sla/calendar.h"
#include "platform/util/util.h"
#include "test_calendar.h"

#define CALENDARS 600
#define PAIRS 8             /* (a, b) spans checked against the reference per calendar */
#define MAX_SPAN_MIN (3 * 1440)
#define ADDS 40             /* add/between/next checks per calendar */

struct ref_span {
    int from, to; /* minutes of the local day */
};

struct ref_date {
    int y, m, d;
};

struct ref_holiday {
    struct ref_date date;
    int from, to; /* 0, 1440 for a whole day */
    int whole;
};

struct ref_workday {
    struct ref_date date;
    int given, n;
    struct ref_span spans[3];
};

struct ref_cal {
    const char *zone;
    int nweek[7]; /* 0 Monday */
    struct ref_span week[7][3];
    int nholidays, nworkdays;
    struct ref_holiday holidays[16];
    struct ref_workday workdays[4];
};

static const char *const zones[] = {
    "UTC",          "Asia/Shanghai",  "America/New_York",    "Europe/Berlin",
    "Europe/London", "America/Santiago", "Australia/Lord_Howe", "Pacific/Chatham",
    "Asia/Kolkata", "America/St_Johns", "Australia/Sydney",    "Africa/Casablanca"};

/* Days around the 2026 DST changes of those zones, and the year end. */
static const char *const hot_days[] = {"2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25",
                                       "2026-04-05", "2026-04-04", "2026-09-06", "2026-09-27",
                                       "2026-10-04", "2026-12-31", "2026-02-15", "2026-03-22"};

static uint64_t seed = 0x2026100120261007u;

static uint64_t
rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static int
pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static struct ref_date
date_of(int64_t utc_secs)
{
    struct tm tm;
    time_t t = (time_t)utc_secs;

    gmtime_r(&t, &tm);
    return (struct ref_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

static int
same_date(struct ref_date a, struct ref_date b)
{
    return a.y == b.y && a.m == b.m && a.d == b.d;
}

/* Up to `max` disjoint sorted spans with boundaries near the DST hours. */
static int
random_spans(struct ref_span *out, int max)
{
    static const int cuts[] = {0, 30, 60, 90, 120, 150, 165, 180, 210, 240, 540, 720, 810, 1020, 1380, 1410, 1440};
    int v[6], n = 2 * (1 + pick(max)), k = 0;

    for (int i = 0; i < n; i++)
        v[i] = pick(2) ? cuts[pick((int)(sizeof(cuts) / sizeof(cuts[0])))] : pick(1441);
    for (int i = 1; i < n; i++) /* insertion sort */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    for (int i = 0; i + 1 < n; i += 2)
        if (v[i] < v[i + 1] && (k == 0 || out[k - 1].to < v[i]))
            out[k++] = (struct ref_span){v[i], v[i + 1]};
    return k;
}

/* A UTC midnight near the interesting days (or anywhere in 2026), in seconds. */
static int64_t
day_start_secs(void)
{
    static int64_t hot[sizeof(hot_days) / sizeof(hot_days[0])];
    char iso[32];

    if (!hot[0])
        for (size_t i = 0; i < sizeof(hot_days) / sizeof(hot_days[0]); i++) {
            snprintf(iso, sizeof(iso), "%sT00:00:00Z", hot_days[i]);
            hot[i] = T(iso) / 1000;
        }
    if (pick(3) > 0)
        return hot[pick((int)(sizeof(hot) / sizeof(hot[0])))] + 86400 * (pick(7) - 3);
    return T("2026-01-01T00:00:00Z") / 1000 + 86400 * pick(365);
}

static int
date_used(const struct ref_cal *r, struct ref_date d)
{
    for (int i = 0; i < r->nholidays; i++)
        if (same_date(r->holidays[i].date, d))
            return 1;
    for (int i = 0; i < r->nworkdays; i++)
        if (same_date(r->workdays[i].date, d))
            return 1;
    return 0;
}

static void
random_calendar(struct ref_cal *r)
{
    int total = 0;

    memset(r, 0, sizeof(*r));
    r->zone = zones[pick((int)(sizeof(zones) / sizeof(zones[0])))];
    while (total == 0)
        for (int d = 0; d < 7; d++) {
            if (pick(6) == 0) {
                r->nweek[d] = 1;
                r->week[d][0] = (struct ref_span){0, 1440};
            } else {
                r->nweek[d] = pick(4) ? random_spans(r->week[d], 3) : 0;
            }
            total += r->nweek[d];
        }
    for (int i = pick(17); i > 0; i--) {
        struct ref_holiday *h = &r->holidays[r->nholidays];
        h->date = date_of(day_start_secs());
        if (date_used(r, h->date))
            continue;
        h->whole = pick(2);
        h->from = 0;
        h->to = 1440;
        if (!h->whole) {
            struct ref_span s;
            if (!random_spans(&s, 1))
                continue;
            h->from = s.from;
            h->to = s.to;
        }
        r->nholidays++;
    }
    for (int i = pick(5); i > 0; i--) {
        struct ref_workday *w = &r->workdays[r->nworkdays];
        w->date = date_of(day_start_secs());
        if (date_used(r, w->date))
            continue;
        w->given = pick(2) || r->nweek[0] == 0;
        if (w->given && !(w->n = random_spans(w->spans, 3)))
            continue;
        r->nworkdays++;
    }
}

static void
append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static void
spans_json(char *buf, size_t len, const struct ref_span *s, int n)
{
    append(buf, len, "[");
    for (int i = 0; i < n; i++)
        append(buf, len, "%s[\"%02d:%02d\",\"%02d:%02d\"]", i ? "," : "", s[i].from / 60,
               s[i].from % 60, s[i].to / 60, s[i].to % 60);
    append(buf, len, "]");
}

static void
ref_json(const struct ref_cal *r, char *buf, size_t len)
{
    static const char *const keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    buf[0] = '\0';
    append(buf, len, "{\"time_zone\":\"%s\",\"week\":{", r->zone);
    for (int d = 0; d < 7; d++) {
        append(buf, len, "%s\"%s\":", d ? "," : "", keys[d]);
        spans_json(buf, len, r->week[d], r->nweek[d]);
    }
    append(buf, len, "},\"holidays\":[");
    for (int i = 0; i < r->nholidays; i++) {
        const struct ref_holiday *h = &r->holidays[i];
        append(buf, len, "%s{\"date\":\"%04d-%02d-%02d\"", i ? "," : "", h->date.y, h->date.m, h->date.d);
        if (!h->whole)
            append(buf, len, ",\"from\":\"%02d:%02d\",\"to\":\"%02d:%02d\"", h->from / 60, h->from % 60,
                   h->to / 60, h->to % 60);
        append(buf, len, "}");
    }
    append(buf, len, "],\"working_days\":[");
    for (int i = 0; i < r->nworkdays; i++) {
        const struct ref_workday *w = &r->workdays[i];
        append(buf, len, "%s{\"date\":\"%04d-%02d-%02d\"", i ? "," : "", w->date.y, w->date.m, w->date.d);
        if (w->given) {
            append(buf, len, ",\"intervals\":");
            spans_json(buf, len, w->spans, w->n);
        }
        append(buf, len, "}");
    }
    append(buf, len, "]}");
}

/* The reference: whether the UTC minute starting at `secs` is business time.
 * TZ must name r->zone. */
static int
ref_minute(const struct ref_cal *r, int64_t secs)
{
    struct tm tm;
    time_t t = (time_t)secs;
    struct ref_date date;
    const struct ref_span *spans;
    int n, minute, weekday;

    localtime_r(&t, &tm);
    date = (struct ref_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    minute = tm.tm_hour * 60 + tm.tm_min;
    weekday = (tm.tm_wday + 6) % 7;
    spans = r->week[weekday];
    n = r->nweek[weekday];
    for (int i = 0; i < r->nworkdays; i++)
        if (same_date(r->workdays[i].date, date)) {
            spans = r->workdays[i].given ? r->workdays[i].spans : r->week[0];
            n = r->workdays[i].given ? r->workdays[i].n : r->nweek[0];
        }
    for (int i = 0; i < r->nholidays; i++)
        if (same_date(r->holidays[i].date, date) && minute >= r->holidays[i].from &&
            minute < r->holidays[i].to)
            return 0;
    for (int i = 0; i < n; i++)
        if (minute >= spans[i].from && minute < spans[i].to)
            return 1;
    return 0;
}

static int64_t
ref_minutes_between(const struct ref_cal *r, int64_t a_secs, int64_t b_secs)
{
    int64_t count = 0;

    for (int64_t s = a_secs; s < b_secs; s += 60)
        count += ref_minute(r, s);
    return count;
}

static void
check_calendar(const struct ref_cal *r, const struct calendar *cal, const char *json)
{
    for (int i = 0; i < PAIRS; i++) {
        int64_t a = day_start_secs() + 60 * (pick(3 * 1440) - 1440);
        int64_t b = a + 60 * pick(MAX_SPAN_MIN);
        int64_t want = ref_minutes_between(r, a, b), got = calendar_business_ms(cal, a * 1000, b * 1000);
        if (got != want * MIN_MS)
            fail_msg("%s\nbetween %lld and %lld: %lld ms, reference %lld min", json, (long long)a,
                     (long long)b, (long long)got, (long long)want);
    }
    for (int i = 0; i < ADDS; i++) {
        int64_t a = (day_start_secs() + 60 * (pick(3 * 1440) - 1440)) * 1000 + pick(60000);
        int64_t n = pick(4) ? pick(600) : pick(20000), k = 1 + pick(600);
        int64_t t = calendar_add_business_minutes(cal, a, n), t2 = calendar_add_business_minutes(cal, a, n + k);
        int64_t next = calendar_next_business(cal, a);
        if (calendar_business_ms(cal, a, t) != n * MIN_MS)
            fail_msg("%s\nbetween(a, add(a, %lld)) = %lld ms (a %lld)", json, (long long)n,
                     (long long)calendar_business_ms(cal, a, t), (long long)a);
        if (t2 <= t || calendar_business_ms(cal, t, t2) != k * MIN_MS)
            fail_msg("%s\nadd is not monotonic at a %lld, n %lld", json, (long long)a, (long long)n);
        if (n > 0 && (!calendar_is_business(cal, t - 1) || calendar_business_ms(cal, a, t - 1) != n * MIN_MS - 1))
            fail_msg("%s\nadd(a %lld, %lld) is not the earliest instant", json, (long long)a, (long long)n);
        if (next < a || !calendar_is_business(cal, next) || calendar_business_ms(cal, a, next) != 0 ||
            calendar_add_business_minutes(cal, a, 0) != next)
            fail_msg("%s\nnext_business(%lld) = %lld", json, (long long)a, (long long)next);
        /* is_business agrees with the reference minute */
        if (calendar_is_business(cal, a) != ref_minute(r, a / 60000 * 60))
            fail_msg("%s\nis_business(%lld) disagrees with the reference", json, (long long)a);
    }
}

void
test_random_calendars_match_a_minute_by_minute_reference(void **state)
{
    char json[8192];
    (void)state;

    for (int c = 0; c < CALENDARS; c++) {
        struct ref_cal r;
        struct calendar *cal;
        random_calendar(&r);
        ref_json(&r, json, sizeof(json));
        cal = cal_of(json);
        setenv("TZ", r.zone, 1);
        tzset();
        check_calendar(&r, cal, json);
        calendar_free(cal);
    }
    setenv("TZ", "UTC", 1);
    tzset();
}
