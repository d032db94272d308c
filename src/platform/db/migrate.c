/* migrate.c: apply the compiled-in migrations in order, once, under a lock. */
#include "migrate.h"

#include <stdio.h>

#include "platform/util/util.h"

int
migrate_latest(void)
{
    return migrations_count ? migrations[migrations_count - 1].version : 0;
}

/* Any number: the key of the advisory lock every migrating node takes. */
#define MIGRATE_LOCK_KEY 7291001

static enum tend_rc
ensure_table(struct db *db, struct tend_err *err)
{
    return db_exec(db,
                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                   err);
}

/* Inside the transaction: serialise with every other migrator. */
static enum tend_rc
lock_schema(struct db *db, struct tend_err *err)
{
    char sql[64];

    if (db_kind(db) != DB_POSTGRES)
        return TEND_OK; /* BEGIN IMMEDIATE holds SQLite's write lock */
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)", MIGRATE_LOCK_KEY);
    return db_exec(db, sql, err);
}

enum tend_rc
migrate_current(struct db *db, int *version, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    r = db_step(st, err);
    if (r == DB_ROW)
        *version = (int)db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
migrate_up(struct db *db, int *applied, struct tend_err *err)
{
    enum tend_rc rc;
    int current = 0, count = 0;

    const struct migration *set = db_kind(db) == DB_POSTGRES ? migrations_pg : migrations;
    int nset = db_kind(db) == DB_POSTGRES ? migrations_pg_count : migrations_count;

    rc = db_begin(db, err);
    if (rc)
        return rc;
    rc = lock_schema(db, err);
    if (!rc)
        rc = ensure_table(db, err);
    if (!rc)
        rc = migrate_current(db, &current, err);
    if (rc)
        goto out;
    if (current > migrate_latest()) {
        rc = tend_fail(err, TEND_ECONFLICT, "db",
                       "the database schema is version %d but this tend knows only up to %d: "
                       "upgrade tend before using this database",
                       current, migrate_latest());
        goto out;
    }
    for (int i = 0; i < nset; i++) {
        const struct migration *m = &set[i];
        struct db_stmt *st;

        if (m->version <= current)
            continue;
        rc = db_exec(db, m->sql, err);
        if (rc) {
            tend_fail(err, rc, "db", "migration %s failed: %.180s", m->name, err->message);
            goto out;
        }
        st = db_prepare(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        err);
        if (!st) {
            rc = err->rc;
            goto out;
        }
        db_bind_int64(st, 1, m->version);
        db_bind_str(st, 2, m->name);
        db_bind_int64(st, 3, time_now_ms());
        rc = db_run(st, err);
        if (rc)
            goto out;
        count++;
    }
    rc = db_commit(db, err);
out:
    if (rc)
        db_rollback(db);
    else if (applied)
        *applied = count;
    return rc;
}
