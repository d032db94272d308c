/* pool.h: a fixed pool of worker threads for blocking work (password hashing,
 * exports, PDF rendering, PostgreSQL queries) so that event loops never block. */
#ifndef TEND_POOL_H
#define TEND_POOL_H

#include <stddef.h>

#include "platform/jobs/task.h"

struct job_pool;

/* Start `threads` workers (1..64). */
struct job_pool *job_pool_new(int threads);

/* Queue `t`: run(t, NULL) on a worker, then task_complete(t). Any thread. */
void job_pool_submit(struct job_pool *p, struct task *t);

size_t job_pool_queue_depth(struct job_pool *p);

/* Run every queued task, stop and join the workers, free. NULL is fine. */
void job_pool_free(struct job_pool *p);

#endif
