/* calendar_bench: the business-calendar arithmetic the SLA engine runs for every
 * open ticket, timed: 1,000,000 calendar_add_business_minutes and 1,000,000
 * calendar_business_ms calls with spans of 1 hour to 30 days, on one core.
 * Usage: calendar_bench [calls]   (built by meson, never run by the tests) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "modules/sla/calendar.h"
#include "platform/util/util.h"

#define HOUR_MS INT64_C(3600000)
#define DAY_MS (24 * HOUR_MS)
#define Y2026_MS INT64_C(1767225600000) /* 2026-01-01T00:00Z */

/* Mon-Fri 09:00-12:00 and 13:30-18:00 with the State Council's 2026 holidays
 * and make-up working days. */
static const char china_2026[] =
    "{\"name\":\"China mainland 2026\",\"time_zone\":\"%s\",\"week\":{"
    "\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]]},"
    "\"holidays\":["
    "{\"date\":\"2026-01-01\"},{\"date\":\"2026-01-02\"},{\"date\":\"2026-01-03\"},"
    "{\"date\":\"2026-02-15\"},{\"date\":\"2026-02-16\"},{\"date\":\"2026-02-17\"},"
    "{\"date\":\"2026-02-18\"},{\"date\":\"2026-02-19\"},{\"date\":\"2026-02-20\"},"
    "{\"date\":\"2026-02-21\"},{\"date\":\"2026-02-22\"},{\"date\":\"2026-02-23\"},"
    "{\"date\":\"2026-04-04\"},{\"date\":\"2026-04-05\"},{\"date\":\"2026-04-06\"},"
    "{\"date\":\"2026-05-01\"},{\"date\":\"2026-05-02\"},{\"date\":\"2026-05-03\"},"
    "{\"date\":\"2026-05-04\"},{\"date\":\"2026-05-05\"},"
    "{\"date\":\"2026-06-19\"},{\"date\":\"2026-06-20\"},{\"date\":\"2026-06-21\"},"
    "{\"date\":\"2026-09-25\"},{\"date\":\"2026-09-26\"},{\"date\":\"2026-09-27\"},"
    "{\"date\":\"2026-10-01\"},{\"date\":\"2026-10-02\"},{\"date\":\"2026-10-03\"},"
    "{\"date\":\"2026-10-04\"},{\"date\":\"2026-10-05\"},{\"date\":\"2026-10-06\"},"
    "{\"date\":\"2026-10-07\"}],"
    "\"working_days\":[{\"date\":\"2026-01-04\"},{\"date\":\"2026-02-14\"},"
    "{\"date\":\"2026-02-28\"},{\"date\":\"2026-05-09\"},{\"date\":\"2026-09-20\"},"
    "{\"date\":\"2026-10-10\"}]}";

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int64_t
uniform(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* Returns the milliseconds of one add and one between per call. */
static double
run(const char *zone, long calls)
{
    char json[sizeof(china_2026) + 64];
    struct calendar *cal;
    struct tend_err err;
    int64_t *start = xmalloc((size_t)calls * sizeof(int64_t));
    int64_t *minutes = xmalloc((size_t)calls * sizeof(int64_t));
    int64_t *end = xmalloc((size_t)calls * sizeof(int64_t));
    int64_t check = 0;
    uint64_t t0, t1, t2;

    snprintf(json, sizeof(json), china_2026, zone);
    if (calendar_parse_json(json, &cal, &err)) {
        fprintf(stderr, "calendar_bench: %s: %s\n", err.field, err.message);
        exit(1);
    }
    for (long i = 0; i < calls; i++) {
        start[i] = uniform(Y2026_MS, Y2026_MS + 365 * DAY_MS);
        minutes[i] = uniform(60, 30 * 24 * 60);
        end[i] = start[i] + uniform(HOUR_MS, 30 * DAY_MS);
    }
    t0 = time_mono_ns();
    for (long i = 0; i < calls; i++)
        check += calendar_add_business_minutes(cal, start[i], minutes[i]) & 0xffff;
    t1 = time_mono_ns();
    for (long i = 0; i < calls; i++)
        check += calendar_business_ms(cal, start[i], end[i]) & 0xffff;
    t2 = time_mono_ns();
    printf("%-16s %ld x add_business_minutes: %7.1f ms (%5.0f ns/call)\n", zone, calls,
           (double)(t1 - t0) / 1e6, (double)(t1 - t0) / (double)calls);
    printf("%-16s %ld x business_ms:          %7.1f ms (%5.0f ns/call)   [check %lld]\n", zone,
           calls, (double)(t2 - t1) / 1e6, (double)(t2 - t1) / (double)calls, (long long)check);
    calendar_free(cal);
    free(start);
    free(minutes);
    free(end);
    return (double)(t2 - t0) / 1e6;
}

int
main(int argc, char **argv)
{
    long calls = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;

    if (calls < 1)
        calls = 1000000;
    printf("calendar_bench: Mon-Fri 09:00-12:00, 13:30-18:00, 2026 holidays and make-up days;\n"
           "starts in 2026, add 1 hour to 30 days of business minutes, between spans 1 hour to 30 days\n");
    double shanghai = run("Asia/Shanghai", calls);
    double new_york = run("America/New_York", calls); /* the same calendar across DST changes */
    double per_million = (shanghai > new_york ? shanghai : new_york) * 1e6 / (double)calls;

    printf("SLA state for 1,000,000 tickets (one add and one between each): %.0f ms, "
           "%.1fx under the 1000 ms target\n",
           per_million, 1000.0 / per_million);
    if (per_million >= 1000.0)
        printf("FAIL: calendar arithmetic misses the 1 s per million tickets target\n");
    return 0;
}
