/* jobs.c: every periodic job, its interval, and the admin view of their runs. */
#include "jobs.h"

#include <string.h>

#include "modules/auth/auth.h"
#include "modules/rules/rules.h"
#include "modules/sla/sla_sweep.h"
#include "platform/db/db.h"
#include "platform/db/idempotency.h"

#define HOUR_MS (3600LL * 1000)
#define RUNS_SHOWN 10

const struct sched_job app_jobs[] = {
    {"idempotency.purge", HOUR_MS, idem_purge},
    {"sessions.purge", HOUR_MS, auth_store_sessions_purge},
    {"sla.sweep", INT64_C(30000), sla_sweep},
    {"rules.sweep", INT64_C(60000), rules_sweep},
};
const int app_jobs_count = sizeof(app_jobs) / sizeof(app_jobs[0]);

/* The recent runs of `name`, newest first. */
static enum tend_rc
runs_of(struct db *db, const char *name, json_t *runs, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT slot, node, started_at, finished_at, outcome, detail FROM job_runs "
                                    "WHERE name = ? ORDER BY slot DESC LIMIT ?",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    db_bind_int64(st, 2, RUNS_SHOWN);
    while ((r = db_step(st, err)) == DB_ROW) {
        json_array_append_new(runs, json_pack("{s:o,s:s,s:o,s:o,s:s,s:s}", "slot", api_time(db_col_int64(st, 0)),
                                              "node", db_col_text(st, 1), "started_at",
                                              api_time(db_col_int64(st, 2)), "finished_at",
                                              db_col_is_null(st, 3) ? json_null() : api_time(db_col_int64(st, 3)),
                                              "outcome", db_col_text(st, 4), "detail", db_col_text(st, 5)));
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

void
jobs_api_list(struct api_req *r)
{
    json_t *items = json_array();
    struct tend_err err;
    enum tend_rc rc = TEND_OK;

    tend_err_clear(&err);
    for (int i = 0; i < app_jobs_count && !rc; i++) {
        json_t *runs = json_array(), *next = json_null(), *owner = json_null();
        /* the runs first, then the lease: a claim between the two reads (no
         * shared snapshot on PostgreSQL) then shows a next run after the
         * newest run listed, never the other way round */
        struct db_stmt *st = NULL;
        rc = runs_of(r->db, app_jobs[i].name, runs, &err);
        if (rc == TEND_OK)
            st = db_prepare(r->db, "SELECT next_run, owner FROM job_leases WHERE name = ?", &err);
        if (!st) {
            json_decref(runs);
            rc = err.rc;
            break;
        }
        db_bind_str(st, 1, app_jobs[i].name);
        if (db_step(st, &err) == DB_ROW) {
            next = api_time(db_col_int64(st, 0));
            if (!db_col_is_null(st, 1))
                owner = json_string(db_col_text(st, 1));
        }
        db_reset(st);
        json_array_append_new(items, json_pack("{s:s,s:I,s:o,s:o,s:o}", "name", app_jobs[i].name,
                                               "interval_seconds", (json_int_t)(app_jobs[i].interval_ms / 1000),
                                               "next_run_at", next, "last_node", owner, "runs", runs));
    }
    if (rc) {
        json_decref(items);
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}
