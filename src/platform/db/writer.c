/* writer.c: group commit. One thread drains the queue, applies each task under its
 * own savepoint inside one transaction, commits once (synchronous=FULL, so the
 * commit is on disk), then completes every task of the group. */
#include "writer.h"

#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>

#include "platform/db/db.h"
#include "platform/util/metrics.h"
#include "platform/util/util.h"

/* runs of a task that met a deadlock before it fails with 503 */
#define WRITER_TASK_ATTEMPTS 3

struct db_writer {
    struct db *db; /* owned; used only by the writer thread once started */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct task *head, *tail; /* guarded by lock */
    size_t depth;             /* guarded by lock */
    int stopping;             /* guarded by lock */
    int sleeping;             /* guarded by lock: the thread waits on `wake` */
};

static void
fail_group(struct task *group, const struct tend_err *cause)
{
    while (group) {
        struct task *next = group->next;
        if (group->rc == TEND_OK) {
            group->rc = cause->rc;
            group->err = *cause;
        }
        task_complete(group);
        group = next;
    }
}

static void
apply_group(struct db_writer *w, struct task *group, size_t n)
{
    struct tend_err err;
    enum tend_rc rc;

    tend_err_clear(&err);
    rc = db_begin(w->db, &err);
    if (rc) {
        fail_group(group, &err);
        return;
    }
    for (struct task *t = group; t; t = t->next) {
        /* a deadlock or serialisation failure against another node
         * (PostgreSQL) undoes just this task: it runs again */
        for (int attempt = 0; attempt < WRITER_TASK_ATTEMPTS; attempt++) {
            tend_err_clear(&t->err);
            if (db_savepoint(w->db, &t->err)) {
                t->rc = t->err.rc;
                break;
            }
            t->rc = t->run(t, w->db);
            if (t->rc)
                db_savepoint_rollback(w->db);
            else
                db_savepoint_release(w->db);
            if (t->rc != TEND_EBUSY)
                break;
        }
    }
    rc = db_commit(w->db, &err);
    if (rc) {
        db_rollback(w->db);
        fprintf(stderr, "tend: commit of %zu writes failed: %s\n", n, err.message);
        /* nothing of the group is durable: every task fails, even those that ran fine */
        for (struct task *t = group; t; t = t->next)
            t->rc = TEND_OK;
        fail_group(group, &err);
        return;
    }
    metrics_observe_commit(n);
    while (group) {
        struct task *next = group->next;
        task_complete(group);
        group = next;
    }
}

static void *
writer_main(void *arg)
{
    struct db_writer *w = arg;

    for (;;) {
        struct task *group, *last;
        size_t n = 0;

        pthread_mutex_lock(&w->lock);
        while (!w->head && !w->stopping) {
            w->sleeping = 1;
            pthread_cond_wait(&w->wake, &w->lock);
            w->sleeping = 0;
        }
        if (!w->head) {
            pthread_mutex_unlock(&w->lock);
            break;
        }
        group = last = w->head;
        n = 1;
        while (last->next && n < DB_WRITER_MAX_GROUP) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        w->depth -= n;
        metrics_set_write_queue(w->depth);
        pthread_mutex_unlock(&w->lock);
        last->next = NULL;
        apply_group(w, group, n);
    }
    return NULL;
}

enum tend_rc
db_writer_new(const char *url, struct db_writer **out, struct tend_err *err)
{
    struct db_writer *w = xcalloc(1, sizeof(*w));
    enum tend_rc rc = db_open(url, DB_OPEN_WRITER, &w->db, err);

    if (rc) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        db_close(w->db);
        free(w);
        return tend_fail(err, TEND_EINTERNAL, NULL, "cannot start the writer thread");
    }
    *out = w;
    return TEND_OK;
}

void
db_writer_submit(struct db_writer *w, struct task *t)
{
    t->next = NULL;
    t->rc = TEND_OK;
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        pthread_mutex_unlock(&w->lock);
        t->rc = tend_fail(&t->err, TEND_EBUSY, NULL, "the server is shutting down");
        task_complete(t);
        return;
    }
    if (w->tail)
        w->tail->next = t;
    else
        w->head = t;
    w->tail = t;
    w->depth++;
    metrics_set_write_queue(w->depth);
    if (w->sleeping) /* a busy writer picks the task up with its next group */
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

size_t
db_writer_queue_depth(struct db_writer *w)
{
    size_t d;
    pthread_mutex_lock(&w->lock);
    d = w->depth;
    pthread_mutex_unlock(&w->lock);
    return d;
}

void
db_writer_free(struct db_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    db_close(w->db);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}
