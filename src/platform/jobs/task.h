/* task.h: a unit of work handed from an event-loop thread to another thread (the
 * database writer or the worker pool) whose completion is posted back to the
 * submitting loop through h2o's multithread queue. */
#ifndef TEND_TASK_H
#define TEND_TASK_H

#include <h2o.h>
#include <h2o/multithread.h>

#include "platform/util/err.h"

struct db;

struct task {
    h2o_multithread_message_t msg; /* must stay first: the posting link */
    struct task *next;             /* queue link while waiting */
    /* Runs on the executing thread. For the writer, inside the group's transaction
     * (a failed rc rolls back just this task's changes); for the pool, db is NULL. */
    enum tend_rc (*run)(struct task *t, struct db *db);
    /* Runs after completion: on the submitting loop thread when reply_to is set,
     * otherwise on the executing thread. Owns the task from then on. */
    void (*done)(struct task *t);
    h2o_multithread_receiver_t *reply_to;
    enum tend_rc rc;
    struct tend_err err;
};

/* The receiver callback an event loop registers for completed tasks: calls each
 * task's done in the order they arrived. */
void task_receive(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

/* Finish `t` after it ran: post it to its loop, or call done in place. */
void task_complete(struct task *t);

#endif
