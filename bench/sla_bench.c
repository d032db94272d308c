/* sla_bench: the SLA state of 1,000,000 open tickets, timed on one core.
 *  1. fold: each ticket's clocks (first response and resolution) built from a
 *     history of 0-4 pauses and resumes and maybe a priority change, on a
 *     Shanghai office calendar (what recomputing from history costs);
 *  2. state: at one instant, every ticket's clocks' elapsed and remaining
 *     business time, warning and breach (what a queue or a report needs);
 *  3. database: the same clocks stored in ticket_sla in a SQLite file, read
 *     back and their state computed (the sweep's and the report's path).
 * Usage: sla_bench [tickets] [sqlite file]   (built by meson, never run by the tests) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/sla/calendar.h"
#include "modules/sla/clock.h"
#include "modules/sla/sla_store.h"
#include "platform/db/db.h"
#include "platform/util/util.h"

#define MIN_MS INT64_C(60000)
#define DAY_MS INT64_C(86400000)
#define NOW_MS INT64_C(1795478400000) /* 2026-11-23T00:00Z */

static const char office[] =
    "{\"name\":\"China office\",\"time_zone\":\"Asia/Shanghai\",\"week\":{"
    "\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]]},"
    "\"holidays\":[{\"date\":\"2026-10-01\"},{\"date\":\"2026-10-02\"},{\"date\":\"2026-10-05\"},"
    "{\"date\":\"2026-10-06\"},{\"date\":\"2026-10-07\"}],"
    "\"working_days\":[{\"date\":\"2026-09-27\"},{\"date\":\"2026-10-10\"}]}";

static uint64_t rng_state = 0x5EED2026u;

static int64_t
uniform(int64_t lo, int64_t hi)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return lo + (int64_t)(rng_state % (uint64_t)(hi - lo + 1));
}

static double
ms_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e6;
}

/* Fold one clock from a random history that ends before NOW_MS. */
static void
fold(struct sla_clock *c, int metric, const struct calendar *cal, const struct clock_levels *lv)
{
    int64_t t = NOW_MS - uniform(MIN_MS, 20 * DAY_MS);
    int steps = (int)uniform(0, 4);

    clock_start(c, metric, 0, uniform(30, 2400) * MIN_MS, t, cal, lv);
    for (int i = 0; i < steps; i++) {
        t += uniform(MIN_MS, (NOW_MS - t) / 2 + MIN_MS);
        if (i == 1 && uniform(0, 3) == 0)
            clock_retarget(c, uniform(30, 2400) * MIN_MS, t, cal, cal, lv);
        else if (c->phase == CLOCK_RUNNING)
            clock_pause(c, t, cal);
        else
            clock_resume(c, t, cal, lv);
    }
}

struct tally {
    long running, paused, warning, breached;
    int64_t remaining_sum;
};

static void
state(const struct sla_clock *c, const struct calendar *cal, struct tally *t)
{
    int64_t elapsed = clock_elapsed_at(c, NOW_MS, cal);

    t->running += c->phase == CLOCK_RUNNING;
    t->paused += c->phase == CLOCK_PAUSED;
    t->warning += clock_warning(c, NOW_MS, cal, 75);
    t->breached += clock_breached(c, NOW_MS);
    t->remaining_sum += (c->target_ms - elapsed) / MIN_MS;
}

static void
fail(const char *what, const struct tend_err *err)
{
    fprintf(stderr, "sla_bench: %s: %s %s\n", what, err->field, err->message);
    exit(1);
}

/* Store the clocks in a fresh SQLite file, read them back, compute their state. */
static double
through_sqlite(const char *path, const struct sla_clock *clocks, long n, const struct calendar *cal,
               struct tally *t)
{
    char url[512];
    struct db *db = NULL;
    struct tend_err err;
    struct db_stmt *st;
    double took;
    uint64_t t0;
    long rows = 0;

    unlink(path);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    if (db_open(url, DB_OPEN_CREATE | DB_OPEN_WRITER, &db, &err) || db_exec(db,
                                              "CREATE TABLE ticket_sla (ticket_id INTEGER NOT NULL, metric TEXT NOT NULL, "
                                              "cycle INTEGER NOT NULL, policy_id INTEGER NOT NULL, calendar_id INTEGER NOT "
                                              "NULL, priority TEXT NOT NULL, phase TEXT NOT NULL, target_ms INTEGER NOT NULL, "
                                              "elapsed_ms INTEGER NOT NULL, since INTEGER NOT NULL, started_at INTEGER NOT "
                                              "NULL, due_at INTEGER NOT NULL, warn_at INTEGER NOT NULL, next_alert_at INTEGER "
                                              "NOT NULL, achieved_at INTEGER NOT NULL, breached_at INTEGER NOT NULL, alerts "
                                              "INTEGER NOT NULL, PRIMARY KEY (ticket_id, metric, cycle))",
                                              &err))
        fail("create", &err);
    if (db_begin(db, &err))
        fail("begin", &err);
    for (long i = 0; i < n; i++) {
        struct sla_row r;
        memset(&r, 0, sizeof(r));
        r.c = clocks[i];
        r.policy_id = 1;
        r.calendar_id = 2;
        strcpy(r.priority, "normal");
        if (sla_store_save_row(db, i / 2 + 1, &r, &err))
            fail("insert", &err);
    }
    if (db_commit(db, &err))
        fail("commit", &err);
    memset(t, 0, sizeof(*t));
    t0 = time_mono_ns();
    st = db_prepare(db, "SELECT " SLA_ROW_COLUMNS " FROM ticket_sla WHERE phase = 'running' OR phase = 'paused'", &err);
    if (!st)
        fail("select", &err);
    while (db_step(st, &err) == DB_ROW) {
        struct sla_row r;
        sla_store_read_row(st, 0, &r);
        state(&r.c, cal, t);
        rows++;
    }
    db_reset(st);
    took = ms_since(t0);
    printf("3. database: read %ld clocks from SQLite and computed their state: %7.1f ms\n", rows, took);
    db_close(db);
    unlink(path);
    return took;
}

int
main(int argc, char **argv)
{
    long tickets = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000, n;
    const char *path = argc > 2 ? argv[2] : "/tmp/tend-sla-bench.db";
    const struct clock_levels lv = {3, {75, 100, 150}};
    struct sla_clock *clocks;
    struct calendar *cal;
    struct tend_err err;
    struct tally t = {0}, db_t;
    double fold_ms, state_ms, db_ms;
    uint64_t t0;

    if (tickets < 1)
        tickets = 1000000;
    n = tickets * 2;
    if (calendar_parse_json(office, &cal, &err))
        fail("calendar", &err);
    clocks = xcalloc((size_t)n, sizeof(*clocks));
    printf("sla_bench: %ld open tickets, 2 clocks each, Shanghai office hours with holidays\n", tickets);
    t0 = time_mono_ns();
    for (long i = 0; i < n; i++)
        fold(&clocks[i], i % 2 ? SLA_RESOLUTION : SLA_FIRST_RESPONSE, cal, &lv);
    fold_ms = ms_since(t0);
    printf("1. fold:     %ld clocks from their histories:                %7.1f ms\n", n, fold_ms);
    t0 = time_mono_ns();
    for (long i = 0; i < n; i++)
        state(&clocks[i], cal, &t);
    state_ms = ms_since(t0);
    printf("2. state:    %ld clocks at one instant:                     %7.1f ms  (running %ld, paused %ld, "
           "warning %ld, breached %ld)\n",
           n, state_ms, t.running, t.paused, t.warning, t.breached);
    db_ms = through_sqlite(path, clocks, n, cal, &db_t);
    if (db_t.breached != t.breached || db_t.remaining_sum != t.remaining_sum)
        printf("MISMATCH: the stored clocks give another state\n");
    printf("SLA state for %ld open tickets: %.0f ms in memory (%.1fx under the 1000 ms target), "
           "%.0f ms from the database (%.2fx the target)\n",
           tickets, state_ms, 1000.0 / state_ms, db_ms, db_ms / 1000.0);
    if (tickets == 1000000 && state_ms >= 1000.0)
        printf("FAIL: the SLA state of a million tickets takes longer than 1 s\n");
    calendar_free(cal);
    free(clocks);
    return 0;
}
