/* db_sqlite.c: the SQLite backend: WAL, durable commits (synchronous=FULL), a
 * per-connection statement cache keyed by the SQL text (stmt_cache.h). */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_backend.h"
#include "stmt_cache.h"
#include "platform/util/util.h"

struct sqlite_stmt {
    struct db_stmt super;
    struct sqlite_conn *conn;
    sqlite3_stmt *handle;
};

/* Checkpoints off the write path: the writer's commit hook wakes this thread when
 * the WAL has grown past CHECKPOINT_PAGES; it runs a PASSIVE checkpoint on its own
 * connection, which never blocks the writer or the readers. Under continuous
 * writes a passive checkpoint never fully catches up, so the WAL could only grow:
 * past WAL_HARD_PAGES the writer itself runs a RESTART checkpoint, which is short
 * because the background thread has already copied almost every frame. */
#define CHECKPOINT_PAGES 1000
#define WAL_HARD_PAGES 8000

struct checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int pending; /* guarded by lock */
    int stopping;
    sqlite3 *handle; /* used only by the thread */
};

struct sqlite_conn {
    struct db super;
    sqlite3 *handle;
    struct checkpointer *checkpointer; /* writer connections only */
    char path[1024];
    struct stmt_cache cache;
};

static void
stmt_free(struct db_stmt *s)
{
    sqlite3_finalize(((struct sqlite_stmt *)s)->handle);
    free(s);
}

static enum tend_rc
fail_from(struct sqlite_conn *c, int code, struct tend_err *err)
{
    int primary = code & 0xff;
    const char *msg = c->handle ? sqlite3_errmsg(c->handle) : sqlite3_errstr(code);

    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return tend_fail(err, TEND_EBUSY, NULL, "database '%.200s' is locked by another process",
                         c->path);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return tend_fail(err, TEND_ECONFLICT, NULL, "already exists (%.150s)", msg);
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database cannot be written right now (%s): try again later",
                         primary == SQLITE_FULL ? "the disk is full" : "storage error");
    if (primary == SQLITE_READONLY)
        return tend_fail(err, TEND_EDB, NULL, "database '%.200s' is read-only", c->path);
    return tend_fail(err, TEND_EDB, NULL, "database error: %.200s", msg);
}

static void *
checkpoint_main(void *arg)
{
    struct checkpointer *k = arg;

    pthread_mutex_lock(&k->lock);
    for (;;) {
        while (!k->pending && !k->stopping)
            pthread_cond_wait(&k->wake, &k->lock);
        if (k->stopping)
            break;
        k->pending = 0;
        pthread_mutex_unlock(&k->lock);
        sqlite3_wal_checkpoint_v2(k->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

static int
on_wal_commit(void *arg, sqlite3 *handle, const char *name, int pages)
{
    struct checkpointer *k = arg;
    (void)name;
    if (pages >= WAL_HARD_PAGES) {
        sqlite3_wal_checkpoint_v2(handle, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        return SQLITE_OK;
    }
    if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&k->lock);
        k->pending = 1;
        pthread_cond_signal(&k->wake);
        pthread_mutex_unlock(&k->lock);
    }
    return SQLITE_OK;
}

static void
checkpointer_stop(struct checkpointer *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stopping = 1;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    /* leave a short WAL behind for the next start */
    sqlite3_wal_checkpoint_v2(k->handle, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_close_v2(k->handle);
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->wake);
    free(k);
}

static void
checkpointer_start(struct sqlite_conn *c)
{
    struct checkpointer *k = calloc(1, sizeof(*k));

    if (!k || sqlite3_open_v2(c->path, &k->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                              NULL) != SQLITE_OK) {
        if (k)
            sqlite3_close_v2(k->handle);
        free(k);
        return; /* SQLite's own auto-checkpoint stays on */
    }
    sqlite3_busy_timeout(k->handle, 5000);
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    if (pthread_create(&k->thread, NULL, checkpoint_main, k) != 0) {
        sqlite3_close_v2(k->handle);
        free(k);
        return;
    }
    c->checkpointer = k;
    sqlite3_exec(c->handle, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
    sqlite3_wal_hook(c->handle, on_wal_commit, k);
}

static void
sqlite_close(struct db *db)
{
    struct sqlite_conn *c = (struct sqlite_conn *)db;

    if (c->checkpointer) {
        sqlite3_wal_hook(c->handle, NULL, NULL);
        checkpointer_stop(c->checkpointer);
    }

    stmt_cache_clear(&c->cache, stmt_free);
    sqlite3_close_v2(c->handle);
    free(c);
}

static enum tend_rc
sqlite_exec(struct db *db, const char *sql, struct tend_err *err)
{
    struct sqlite_conn *c = (struct sqlite_conn *)db;
    int rc = sqlite3_exec(c->handle, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? TEND_OK : fail_from(c, rc, err);
}

static enum tend_rc
check_path(const char *path, int flags, struct tend_err *err)
{
    struct stat st;
    char dir[1024];
    const char *slash;

    if (strlen(path) >= sizeof(dir))
        return tend_fail(err, TEND_EINVAL, "db", "database path is too long");
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return tend_fail(err, TEND_EINVAL, "db", "'%.200s' is not a regular file", path);
        return TEND_OK;
    }
    if (!(flags & DB_OPEN_CREATE))
        return tend_fail(err, TEND_EINVAL, "db", "database '%.200s' does not exist (run `tend migrate`)",
                         path);
    slash = strrchr(path, '/');
    if (!slash)
        return TEND_OK;
    if (slash == path)
        return TEND_OK;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tend_fail(err, TEND_EINVAL, "db", "cannot create database '%.200s': directory '%.200s' %s",
                         path, dir, errno == ENOENT ? "does not exist" : "is not accessible");
    return TEND_OK;
}

/* Process-wide settings, before SQLite initialises itself: no memory statistics
 * (they take a global mutex on every allocation, which the loop threads would
 * contend for on every read). */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void
configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum tend_rc
sqlite_open(const char *path, int flags, struct db **out, struct tend_err *err)
{
    struct sqlite_conn *c;
    int oflags = SQLITE_OPEN_NOMUTEX;
    int rc;
    enum tend_rc trc = check_path(path, flags, err);

    if (trc)
        return trc;
    pthread_once(&configured, configure_sqlite);
    c = xcalloc(1, sizeof(*c));
    c->super.ops = &db_sqlite_ops;
    strlcopy(c->path, path, sizeof(c->path));
    stmt_cache_init(&c->cache);
    oflags |= (flags & DB_OPEN_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (flags & DB_OPEN_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &c->handle, oflags, NULL);
    if (rc != SQLITE_OK) {
        tend_fail(err, TEND_EDB, "db", "cannot open database '%.200s': %.200s", path,
                  c->handle ? sqlite3_errmsg(c->handle) : sqlite3_errstr(rc));
        sqlite_close(&c->super);
        return TEND_EDB;
    }
    sqlite3_busy_timeout(c->handle, 5000);
    sqlite3_extended_result_codes(c->handle, 1);
    if (flags & DB_OPEN_READONLY)
        trc = sqlite_exec(&c->super,
                          "PRAGMA cache_size=-16384; PRAGMA query_only=1; "
                          "PRAGMA mmap_size=268435456;",
                          err);
    else
        trc = sqlite_exec(&c->super,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                          "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; "
                          "PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY; "
                          "PRAGMA mmap_size=268435456;",
                          err);
    if (trc) {
        if (trc == TEND_EDB)
            tend_fail(err, TEND_EDB, "db", "'%.200s' is not a usable SQLite database: %.150s", path,
                      sqlite3_errmsg(c->handle));
        sqlite_close(&c->super);
        return trc;
    }
    if (flags & DB_OPEN_WRITER)
        checkpointer_start(c);
    *out = &c->super;
    return TEND_OK;
}

static struct db_stmt *
sqlite_prepare(struct db *db, const char *sql, struct tend_err *err)
{
    struct sqlite_conn *c = (struct sqlite_conn *)db;
    struct sqlite_stmt *st = (struct sqlite_stmt *)stmt_cache_find(&c->cache, sql);
    int rc;

    if (st) {
        sqlite3_reset(st->handle);
        sqlite3_clear_bindings(st->handle);
        return &st->super;
    }
    st = xcalloc(1, sizeof(*st));
    st->super.ops = &db_sqlite_ops;
    st->conn = c;
    rc = sqlite3_prepare_v3(c->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->handle, NULL);
    if (rc != SQLITE_OK) {
        fail_from(c, rc, err);
        free(st);
        return NULL;
    }
    stmt_cache_put(&c->cache, sql, &st->super);
    return &st->super;
}

static void
sqlite_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(((struct sqlite_stmt *)st)->handle, i, v);
}

static void
sqlite_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
    sqlite3_bind_text64(((struct sqlite_stmt *)st)->handle, i, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void
sqlite_bind_double(struct db_stmt *st, int i, double v)
{
    sqlite3_bind_double(((struct sqlite_stmt *)st)->handle, i, v);
}

static void
sqlite_bind_null(struct db_stmt *st, int i)
{
    sqlite3_bind_null(((struct sqlite_stmt *)st)->handle, i);
}

static enum db_step_result
sqlite_step(struct db_stmt *st, struct tend_err *err)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)st;
    int rc = sqlite3_step(s->handle);

    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    fail_from(s->conn, rc, err);
    sqlite3_reset(s->handle);
    return DB_FAIL;
}

static int64_t
sqlite_col_int64(struct db_stmt *st, int i)
{
    return sqlite3_column_int64(((struct sqlite_stmt *)st)->handle, i);
}

static const char *
sqlite_col_text(struct db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(((struct sqlite_stmt *)st)->handle, i);
}

static size_t
sqlite_col_len(struct db_stmt *st, int i)
{
    return (size_t)sqlite3_column_bytes(((struct sqlite_stmt *)st)->handle, i);
}

static int
sqlite_col_is_null(struct db_stmt *st, int i)
{
    return sqlite3_column_type(((struct sqlite_stmt *)st)->handle, i) == SQLITE_NULL;
}

static void
sqlite_reset(struct db_stmt *st)
{
    sqlite3_reset(((struct sqlite_stmt *)st)->handle);
}

static enum tend_rc
sqlite_begin(struct db *db, struct tend_err *err)
{
    return sqlite_exec(db, "BEGIN IMMEDIATE", err);
}

static int
sqlite_ping(struct db *db)
{
    struct tend_err err;
    struct db_stmt *st = sqlite_prepare(db, "SELECT 1", &err);
    int ok;

    if (!st)
        return 0;
    ok = sqlite_step(st, &err) == DB_ROW;
    sqlite_reset(st);
    return ok;
}

const struct db_ops db_sqlite_ops = {
    .kind = DB_SQLITE,
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .bind_int64 = sqlite_bind_int64,
    .bind_text = sqlite_bind_text,
    .bind_null = sqlite_bind_null,
    .bind_double = sqlite_bind_double,
    .step = sqlite_step,
    .col_int64 = sqlite_col_int64,
    .col_text = sqlite_col_text,
    .col_len = sqlite_col_len,
    .col_is_null = sqlite_col_is_null,
    .reset = sqlite_reset,
    .begin = sqlite_begin,
    .ping = sqlite_ping,
};
