/* db.h: the one small database interface every module's store uses.
 * Prepared statements with bound parameters only, typed getters, transactions.
 * Backends (SQLite now, PostgreSQL later) sit behind a table of functions. */
#ifndef TEND_DB_H
#define TEND_DB_H

#include <stddef.h>
#include <stdint.h>

#include "platform/util/err.h"

struct db;      /* one connection; used by one thread at a time */
struct db_stmt; /* a prepared statement, cached by its connection */

enum db_kind { DB_SQLITE, DB_POSTGRES };

enum db_open_flags {
    DB_OPEN_READONLY = 1, /* a reader connection */
    DB_OPEN_CREATE = 2,   /* create the database file if missing */
    DB_OPEN_WRITER = 4,   /* the one long-lived writer: backend may tune for it (SQLite:
                             WAL checkpoints move to a background thread) */
};

enum db_step_result { DB_ROW = 1, DB_DONE = 0, DB_FAIL = -1 };

/* Open a connection to `url` ("sqlite:PATH" or "postgres://..."). On success
 * *out owns the connection (free with db_close). On failure fills `err`. */
enum tend_rc db_open(const char *url, int flags, struct db **out, struct tend_err *err);

/* Close and free; NULL is fine. Finalises every cached statement. */
void db_close(struct db *db);

enum db_kind db_kind(const struct db *db);

/* Whether `url` names a backend we know; fills err with the reason if not. */
enum tend_rc db_url_check(const char *url, struct tend_err *err);

/* `url` with any password replaced by "***", for logs and messages. */
void db_url_redact(const char *url, char *out, size_t outlen);

/* Run statements without parameters or results (DDL, PRAGMA, BEGIN...). */
enum tend_rc db_exec(struct db *db, const char *sql, struct tend_err *err);

/* Prepare `sql` (placeholders `?`) or fetch it from the connection's cache (keyed
 * by the text, so a query built at run time from a bounded set of shapes is cached
 * too). The statement is reset and its bindings cleared. Returns NULL and fills err on failure. The connection
 * owns the statement. */
struct db_stmt *db_prepare(struct db *db, const char *sql, struct tend_err *err);

/* Bind the 1-based parameter `i`. */
void db_bind_int64(struct db_stmt *st, int i, int64_t v);
void db_bind_text(struct db_stmt *st, int i, const char *s, size_t len);
void db_bind_str(struct db_stmt *st, int i, const char *s); /* NULL binds SQL NULL */
void db_bind_null(struct db_stmt *st, int i);
void db_bind_double(struct db_stmt *st, int i, double v);
/* An optional reference: 0 binds SQL NULL. */
void db_bind_ref(struct db_stmt *st, int i, int64_t v);

/* Advance: DB_ROW with a row to read, DB_DONE at the end, DB_FAIL with err filled
 * (TEND_EBUSY when the database is locked, TEND_ECONFLICT on a unique violation). */
enum db_step_result db_step(struct db_stmt *st, struct tend_err *err);

/* Column getters for the current row (0-based). Text stays valid until the next
 * step or reset of the statement; NULL text reads as NULL. */
int64_t db_col_int64(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i);
size_t db_col_len(struct db_stmt *st, int i);
int db_col_is_null(struct db_stmt *st, int i);

/* Reset so the statement can be stepped again (keeps it in the cache). */
void db_reset(struct db_stmt *st);

/* Run a statement that returns no rows; convenience over step+reset. */
enum tend_rc db_run(struct db_stmt *st, struct tend_err *err);

/* Step a query that returns at most one row: `read` copies the row into `out`
 * before the statement is reset. TEND_ENOTFOUND (err left for the caller to
 * word) when there is no row. */
enum tend_rc db_fetch_one(struct db_stmt *st, void (*read)(struct db_stmt *st, void *out), void *out,
                          struct tend_err *err);

/* Step every row of `st` (a DELETE ... RETURNING 1, say) and count them. */
enum tend_rc db_run_counting(struct db_stmt *st, long *n, struct tend_err *err);

struct json_t;

/* Step every row of `st`, each turned into JSON by `row`: *out is the array
 * (caller owns; NULL on failure). */
enum tend_rc db_collect_json(struct db_stmt *st, struct json_t *(*row)(struct db_stmt *st), struct json_t **out,
                             struct tend_err *err);

/* Add `id` to the JSON array of ids `ids` unless it is <= 0 or already there. */
void db_ids_add(struct json_t *ids, int64_t id);

/* Add to `ids` (db_ids_add) the first column of every row of `sql`, which
 * has `id` bound as its one parameter when `id` is not 0: who to notify. */
enum tend_rc db_collect_ids(struct db *db, const char *sql, int64_t id, struct json_t *ids, struct tend_err *err);

/* The first row of `st` turned into JSON by `row` into *out (caller owns);
 * TEND_ENOTFOUND (err left for the caller to word) when there is none. */
enum tend_rc db_one_json(struct db_stmt *st, struct json_t *(*row)(struct db_stmt *st), struct json_t **out,
                         struct tend_err *err);

/* Run an "INSERT ... RETURNING id" and read the id (id may be NULL). */
enum tend_rc db_run_returning_id(struct db_stmt *st, int64_t *id, struct tend_err *err);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE on SQLite). */
enum tend_rc db_begin(struct db *db, struct tend_err *err);
enum tend_rc db_commit(struct db *db, struct tend_err *err);
void db_rollback(struct db *db);
enum tend_rc db_savepoint(struct db *db, struct tend_err *err);
void db_savepoint_release(struct db *db);
void db_savepoint_rollback(struct db *db);

/* Work that belongs at the end of a transaction rather than in each of its
 * statements (e.g. one full-text index update for a whole group commit): a
 * hook runs inside every db_commit, before COMMIT, on the committing
 * connection; a failure fails the commit (the caller rolls back). Hooks are
 * added at start-up, before any connection is used. */
typedef enum tend_rc (*db_commit_hook)(struct db *db, struct tend_err *err);
void db_add_commit_hook(db_commit_hook hook);

/* Whether the server behind the connection answers (for /readyz). */
int db_ping(struct db *db);

#endif
