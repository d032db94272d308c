/* writer.h: the single writer thread that owns the write connection and applies
 * concurrent writes in groups: one transaction and one durable commit per group,
 * then every task in the group is acknowledged. A task is answered only after its
 * write is durable. */
#ifndef TEND_WRITER_H
#define TEND_WRITER_H

#include "platform/jobs/task.h"
#include "platform/util/err.h"

struct db_writer;

/* Open the write connection for `url` and start the thread. */
enum tend_rc db_writer_new(const char *url, struct db_writer **out, struct tend_err *err);

/* Queue `t`; its run is called on the writer thread inside a transaction, then
 * its done once the group is durable (or failed: t->rc and t->err say why). Safe
 * from any thread. After db_writer_stop has begun, tasks fail with TEND_EBUSY. */
void db_writer_submit(struct db_writer *w, struct task *t);

/* Tasks waiting for the writer right now. */
size_t db_writer_queue_depth(struct db_writer *w);

/* Finish every queued task, stop the thread, close the connection, free. NULL ok. */
void db_writer_free(struct db_writer *w);

/* Largest number of tasks committed together. */
#define DB_WRITER_MAX_GROUP 512

#endif
