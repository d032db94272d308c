/* scheduler.h: periodic background jobs, each run exactly once per slot across
 * every node sharing the database.
 *
 * Time is cut into slots of the job's interval (aligned to the epoch). A node's
 * scheduler thread wakes when it believes a job is due and hands the writer a
 * task that, in one transaction: locks the job's row in job_leases (FOR UPDATE
 * SKIP LOCKED on PostgreSQL, so a node never waits for another), checks that
 * next_run has come, moves it to the next slot, records the run in job_runs
 * (unique per job and slot) and does the job's work under a savepoint. Either
 * all of that commits or none of it, so a crash mid-way leaves the slot to the
 * next claimer and a committed slot is never run twice. A job that fails has
 * its work rolled back and the failure recorded; it runs again next slot. */
#ifndef TEND_SCHEDULER_H
#define TEND_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "platform/util/err.h"

struct db;
struct db_writer;

struct sched_job {
    const char *name;    /* "idempotency.purge" */
    int64_t interval_ms; /* slot length */
    /* The work, inside the claim's transaction; writes a short outcome
     * ("deleted 12 keys") into detail. */
    enum tend_rc (*run)(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err);
};

struct scheduler;

/* Start the thread for `jobs` (the array must outlive the scheduler), claiming
 * through `writer` as node `node`. every_ms > 0 replaces every interval (tests). */
struct scheduler *scheduler_start(const struct sched_job *jobs, int njobs, struct db_writer *writer,
                                  const char *node, int64_t every_ms);

/* Stop the thread; claims already queued still complete through the writer,
 * so free the scheduler only after the writer (scheduler_free). */
void scheduler_stop(struct scheduler *s);
void scheduler_free(struct scheduler *s);

/* The slot of `now` for `interval_ms`, and the next one. */
int64_t scheduler_slot(int64_t now, int64_t interval_ms);

#endif
