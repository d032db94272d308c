/* tickets_search_index.c: keeping the SQLite full-text index (ticket_search,
 * FTS5) up to date. Triggers only queue the ids of tickets whose text changed
 * (ticket_search_queue); this commit hook re-indexes the queued tickets once
 * per transaction, just before COMMIT. FTS5 flushes its pending terms to disk
 * at every statement savepoint, so indexing inside each write (one savepoint
 * per task in a group commit) wrote a new index segment per ticket and cost
 * more than the rest of a ticket create; one flush per group is cheap, and the
 * index is still updated in the same durable transaction as the ticket. The
 * PostgreSQL backend (pg_trgm) keeps its index in its own triggers. */
#include "platform/db/db.h"
#include "tickets.h"

static const char *const reindex_sql[] = {
    "DELETE FROM ticket_search WHERE rowid IN (SELECT ticket_id FROM ticket_search_queue)",
    /* replies and notes: each comment's text after a newline, oldest first */
    "INSERT INTO ticket_search (rowid, subject, description, replies, notes) "
    "SELECT t.id, t.subject, t.description, "
    "COALESCE((SELECT group_concat(char(10) || c.body, '') FROM "
    "(SELECT body FROM comments WHERE ticket_id = t.id AND internal = 0 ORDER BY id) c), ''), "
    "COALESCE((SELECT group_concat(char(10) || c.body, '') FROM "
    "(SELECT body FROM comments WHERE ticket_id = t.id AND internal = 1 ORDER BY id) c), '') "
    "FROM ticket_search_queue q JOIN tickets t ON t.id = q.ticket_id",
    "DELETE FROM ticket_search_queue",
};

enum tend_rc
tickets_search_flush(struct db *db, struct tend_err *err)
{
    struct tend_err missing;
    struct db_stmt *st;
    enum db_step_result r;

    if (db_kind(db) != DB_SQLITE)
        return TEND_OK;
    /* before migration 0010 there is no queue, and nothing to do */
    tend_err_clear(&missing);
    st = db_prepare(db, "SELECT 1 FROM ticket_search_queue LIMIT 1", &missing);
    if (!st)
        return TEND_OK;
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return TEND_OK;
    for (size_t i = 0; i < sizeof(reindex_sql) / sizeof(reindex_sql[0]); i++) {
        st = db_prepare(db, reindex_sql[i], err);
        if (!st)
            return err->rc;
        if (db_run(st, err))
            return err->rc;
    }
    return TEND_OK;
}
