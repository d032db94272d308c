/* scheduler.c: the scheduler thread and the claim task (see scheduler.h). */
#include "scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/db/db.h"
#include "platform/db/writer.h"
#include "platform/jobs/task.h"
#include "platform/util/util.h"

/* job_runs rows older than this are deleted by the job's next run */
#define RUNS_KEPT_MS (7LL * 24 * 3600 * 1000)
/* a row locked by another node's claim: look again this soon */
#define BUSY_RETRY_MS 1000

struct claim {
    struct task task;
    struct scheduler *s;
    int index;
    int64_t next; /* out: when the job is due next, as far as we know */
};

struct job_state {
    const struct sched_job *job;
    int64_t interval;
    int64_t next_local; /* do not claim before */
    int in_flight;
    struct claim claim;
};

struct scheduler {
    struct db_writer *writer;
    char node[128];
    struct job_state *jobs;
    int njobs;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping; /* guarded by lock */
    int started;
};

int64_t
scheduler_slot(int64_t now, int64_t interval_ms)
{
    return now - now % interval_ms;
}

/* The job's row exists and is ours for this transaction; 0 if another node
 * holds it now (PostgreSQL) or -1 on error. *next_run is read. */
static int
lock_row(struct db *db, const char *name, int64_t *next_run, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO job_leases (name, next_run) VALUES (?, 0) "
                                    "ON CONFLICT (name) DO NOTHING",
                                    err);
    enum db_step_result r;

    if (!st)
        return -1;
    db_bind_str(st, 1, name);
    if (db_run(st, err))
        return -1;
    st = db_prepare(db,
                    db_kind(db) == DB_POSTGRES
                        ? "SELECT next_run FROM job_leases WHERE name = ? FOR UPDATE SKIP LOCKED"
                        : "SELECT next_run FROM job_leases WHERE name = ?",
                    err);
    if (!st)
        return -1;
    db_bind_str(st, 1, name);
    r = db_step(st, err);
    if (r == DB_ROW)
        *next_run = db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? -1 : r == DB_ROW;
}

static enum tend_rc
record_start(struct db *db, const struct claim *c, const char *name, int64_t slot, int64_t next, int64_t now,
             int64_t *run_id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE job_leases SET next_run = ?, owner = ?, claimed_at = ? "
                                    "WHERE name = ?",
                                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, next);
    db_bind_str(st, 2, c->s->node);
    db_bind_int64(st, 3, now);
    db_bind_str(st, 4, name);
    if (db_run(st, err))
        return err->rc;
    st = db_prepare(db,
                    "INSERT INTO job_runs (name, slot, node, started_at, outcome) "
                    "VALUES (?, ?, ?, ?, 'running') RETURNING id",
                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    db_bind_int64(st, 2, slot);
    db_bind_str(st, 3, c->s->node);
    db_bind_int64(st, 4, now);
    return db_run_returning_id(st, run_id, err);
}

static enum tend_rc
record_end(struct db *db, const char *name, int64_t run_id, const char *outcome, const char *detail,
           int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "UPDATE job_runs SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?",
                                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, time_now_ms());
    db_bind_str(st, 2, outcome);
    db_bind_str(st, 3, detail);
    db_bind_int64(st, 4, run_id);
    if (db_run(st, err))
        return err->rc;
    st = db_prepare(db, "DELETE FROM job_runs WHERE name = ? AND slot < ?", err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    db_bind_int64(st, 2, now - RUNS_KEPT_MS);
    return db_run(st, err);
}

/* On the writer thread, inside the group's transaction. */
static enum tend_rc
claim_run(struct task *t, struct db *db)
{
    struct claim *c = (struct claim *)t;
    struct job_state *js = &c->s->jobs[c->index];
    const char *name = js->job->name;
    int64_t now = time_now_ms(), next_run = 0, slot, run_id = 0;
    char detail[256] = "";
    struct tend_err job_err;
    enum tend_rc rc;
    int mine = lock_row(db, name, &next_run, &t->err);

    if (mine < 0)
        return t->err.rc;
    if (!mine) {
        c->next = now + BUSY_RETRY_MS;
        return TEND_OK;
    }
    if (next_run > now) { /* another node ran this slot */
        c->next = next_run;
        return TEND_OK;
    }
    slot = scheduler_slot(now, js->interval);
    rc = record_start(db, c, name, slot, slot + js->interval, now, &run_id, &t->err);
    if (rc)
        return rc;
    tend_err_clear(&job_err);
    rc = db_savepoint(db, &job_err);
    if (!rc) {
        rc = js->job->run(db, now, detail, sizeof(detail), &job_err);
        if (rc)
            db_savepoint_rollback(db);
        else
            db_savepoint_release(db);
    }
    if (rc) {
        fprintf(stderr, "tend: job %s failed on %s: %s\n", name, c->s->node, job_err.message);
        strlcopy(detail, job_err.message, sizeof(detail));
    }
    rc = record_end(db, name, run_id, rc ? "failed" : "ok", detail, now, &t->err);
    c->next = slot + js->interval;
    return rc;
}

/* On the writer thread once the group is durable (or failed). */
static void
claim_done(struct task *t)
{
    struct claim *c = (struct claim *)t;
    struct job_state *js = &c->s->jobs[c->index];

    if (t->rc)
        fprintf(stderr, "tend: job %s could not be claimed: %s\n", js->job->name, t->err.message);
    pthread_mutex_lock(&c->s->lock);
    js->in_flight = 0;
    js->next_local = t->rc ? time_now_ms() + BUSY_RETRY_MS : c->next;
    pthread_cond_signal(&c->s->wake);
    pthread_mutex_unlock(&c->s->lock);
}

static void *
scheduler_main(void *arg)
{
    struct scheduler *s = arg;

    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        int64_t now = time_now_ms(), earliest = now + 5000, wait;
        struct timespec until;

        for (int i = 0; i < s->njobs; i++) {
            struct job_state *js = &s->jobs[i];
            if (js->in_flight)
                continue;
            if (js->next_local <= now) {
                js->in_flight = 1;
                memset(&js->claim.task, 0, sizeof(js->claim.task));
                js->claim.task.run = claim_run;
                js->claim.task.done = claim_done;
                pthread_mutex_unlock(&s->lock);
                db_writer_submit(s->writer, &js->claim.task);
                pthread_mutex_lock(&s->lock);
            } else if (js->next_local < earliest) {
                earliest = js->next_local;
            }
        }
        if (s->stopping)
            break;
        wait = earliest - time_now_ms();
        if (wait < 0)
            wait = 0;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)(wait / 1000);
        until.tv_nsec += (long)(wait % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

struct scheduler *
scheduler_start(const struct sched_job *jobs, int njobs, struct db_writer *writer, const char *node,
                int64_t every_ms)
{
    struct scheduler *s = xcalloc(1, sizeof(*s));

    s->writer = writer;
    strlcopy(s->node, node, sizeof(s->node));
    s->njobs = njobs;
    s->jobs = xcalloc((size_t)(njobs > 0 ? njobs : 1), sizeof(*s->jobs));
    for (int i = 0; i < njobs; i++) {
        s->jobs[i].job = &jobs[i];
        s->jobs[i].interval = every_ms > 0 ? every_ms : jobs[i].interval_ms;
        s->jobs[i].claim.s = s;
        s->jobs[i].claim.index = i;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->started = pthread_create(&s->thread, NULL, scheduler_main, s) == 0;
    if (!s->started)
        fprintf(stderr, "tend: cannot start the scheduler thread: %s\n", strerror(errno));
    return s;
}

void
scheduler_stop(struct scheduler *s)
{
    if (!s || !s->started)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->started = 0;
}

void
scheduler_free(struct scheduler *s)
{
    if (!s)
        return;
    scheduler_stop(s);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s->jobs);
    free(s);
}
