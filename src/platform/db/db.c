/* db.c: dispatch from the database interface to the backend chosen by the URL. */
#include "db.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "db_backend.h"

static const struct db_ops *
ops_for(const char *url, const char **target)
{
    if (strncmp(url, "sqlite:", 7) == 0) {
        *target = url + 7;
        return &db_sqlite_ops;
    }
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        *target = url;
        return &db_pg_ops;
    }
    return NULL;
}

enum tend_rc
db_url_check(const char *url, struct tend_err *err)
{
    const char *target;

    if (!url || !*url)
        return tend_fail(err, TEND_EINVAL, "db",
                         "no database given (use --db sqlite:PATH or --db postgres://...)");
    if (!ops_for(url, &target))
        return tend_fail(err, TEND_EINVAL, "db",
                         "unknown database URL '%.100s' (expected sqlite:PATH or postgres://...)", url);
    if (!*target)
        return tend_fail(err, TEND_EINVAL, "db", "sqlite: needs a file path");
    return TEND_OK;
}

void
db_url_redact(const char *url, char *out, size_t outlen)
{
    const char *scheme = strstr(url, "://");
    char *p;

    if (outlen == 0)
        return;
    snprintf(out, outlen, "%s", url);
    if (scheme) { /* scheme://user:password@host */
        const char *host = scheme + 3, *at = strchr(host, '@'), *colon = strchr(host, ':');
        size_t n = colon ? (size_t)(colon + 1 - url) : 0;
        if (at && colon && colon < at && n + 3 + strlen(at) < outlen)
            snprintf(out + n, outlen - n, "***%s", at);
    }
    p = strstr(out, "password="); /* ?password=... */
    if (p) {
        char *val = p + 9, *end = strchr(val, '&');
        size_t rest = end ? strlen(end) : 0;
        if ((size_t)(val - out) + 3 + rest < outlen) {
            memmove(val + 3, end ? end : val + strlen(val), rest + 1);
            val[0] = val[1] = val[2] = '*';
        }
    }
}

enum tend_rc
db_open(const char *url, int flags, struct db **out, struct tend_err *err)
{
    const char *target = NULL;
    const struct db_ops *ops;
    enum tend_rc rc = db_url_check(url, err);

    if (rc)
        return rc;
    ops = ops_for(url, &target);
    return ops->open(target, flags, out, err);
}

void
db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

enum db_kind
db_kind(const struct db *db)
{
    return db->ops->kind;
}

enum tend_rc
db_exec(struct db *db, const char *sql, struct tend_err *err)
{
    return db->ops->exec(db, sql, err);
}

struct db_stmt *
db_prepare(struct db *db, const char *sql, struct tend_err *err)
{
    return db->ops->prepare(db, sql, err);
}

void
db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    st->ops->bind_int64(st, i, v);
}

void
db_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
    st->ops->bind_text(st, i, s, len);
}

void
db_bind_str(struct db_stmt *st, int i, const char *s)
{
    if (s)
        st->ops->bind_text(st, i, s, strlen(s));
    else
        st->ops->bind_null(st, i);
}

void
db_bind_double(struct db_stmt *st, int i, double v)
{
    st->ops->bind_double(st, i, v);
}

void
db_bind_null(struct db_stmt *st, int i)
{
    st->ops->bind_null(st, i);
}

void
db_bind_ref(struct db_stmt *st, int i, int64_t v)
{
    if (v)
        st->ops->bind_int64(st, i, v);
    else
        st->ops->bind_null(st, i);
}

enum db_step_result
db_step(struct db_stmt *st, struct tend_err *err)
{
    return st->ops->step(st, err);
}

int64_t
db_col_int64(struct db_stmt *st, int i)
{
    return st->ops->col_int64(st, i);
}

const char *
db_col_text(struct db_stmt *st, int i)
{
    return st->ops->col_text(st, i);
}

size_t
db_col_len(struct db_stmt *st, int i)
{
    return st->ops->col_len(st, i);
}

int
db_col_is_null(struct db_stmt *st, int i)
{
    return st->ops->col_is_null(st, i);
}

void
db_reset(struct db_stmt *st)
{
    st->ops->reset(st);
}

enum tend_rc
db_run(struct db_stmt *st, struct tend_err *err)
{
    enum db_step_result r = db_step(st, err);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
db_fetch_one(struct db_stmt *st, void (*read)(struct db_stmt *st, void *out), void *out,
             struct tend_err *err)
{
    enum db_step_result r = db_step(st, err);

    if (r == DB_ROW)
        read(st, out);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return r == DB_DONE ? TEND_ENOTFOUND : TEND_OK;
}

enum tend_rc
db_run_counting(struct db_stmt *st, long *n, struct tend_err *err)
{
    enum db_step_result r;

    *n = 0;
    while ((r = db_step(st, err)) == DB_ROW)
        (*n)++;
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
db_collect_json(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out, struct tend_err *err)
{
    json_t *items = json_array();
    enum db_step_result r;

    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(items, row(st));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(items);
        *out = NULL;
        return err->rc;
    }
    *out = items;
    return TEND_OK;
}

enum tend_rc
db_one_json(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out, struct tend_err *err)
{
    enum db_step_result r = db_step(st, err);

    if (r == DB_ROW)
        *out = row(st);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return r == DB_ROW ? TEND_OK : TEND_ENOTFOUND;
}

void
db_ids_add(json_t *ids, int64_t id)
{
    size_t i;
    json_t *v;

    if (id <= 0)
        return;
    json_array_foreach(ids, i, v) {
        if (json_integer_value(v) == id)
            return;
    }
    json_array_append_new(ids, json_integer(id));
}

enum tend_rc
db_collect_ids(struct db *db, const char *sql, int64_t id, json_t *ids, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    if (id)
        db_bind_int64(st, 1, id);
    while ((r = db_step(st, err)) == DB_ROW)
        db_ids_add(ids, db_col_int64(st, 0));
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
db_run_returning_id(struct db_stmt *st, int64_t *id, struct tend_err *err)
{
    enum db_step_result r = db_step(st, err);

    if (r == DB_ROW && id)
        *id = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_EDB, NULL, "the insert returned no row");
    return TEND_OK;
}

enum tend_rc
db_begin(struct db *db, struct tend_err *err)
{
    return db->ops->begin(db, err);
}

/* Run a fixed statement through the cache (no parse per call). */
static enum tend_rc
run_cached(struct db *db, const char *sql, struct tend_err *err)
{
    struct db_stmt *st = db->ops->prepare(db, sql, err);
    if (!st)
        return err->rc;
    return db_run(st, err);
}

/* Set once at start-up, before any thread opens a connection; read-only after. */
static db_commit_hook commit_hooks[4];
static int ncommit_hooks;

void
db_add_commit_hook(db_commit_hook hook)
{
    if (ncommit_hooks < (int)(sizeof(commit_hooks) / sizeof(commit_hooks[0])))
        commit_hooks[ncommit_hooks++] = hook;
}

enum tend_rc
db_commit(struct db *db, struct tend_err *err)
{
    for (int i = 0; i < ncommit_hooks; i++) {
        enum tend_rc rc = commit_hooks[i](db, err);
        if (rc)
            return rc;
    }
    return run_cached(db, "COMMIT", err);
}

void
db_rollback(struct db *db)
{
    struct tend_err ignored;
    db->ops->exec(db, "ROLLBACK", &ignored);
}

enum tend_rc
db_savepoint(struct db *db, struct tend_err *err)
{
    return run_cached(db, "SAVEPOINT w", err);
}

void
db_savepoint_release(struct db *db)
{
    struct tend_err ignored;
    run_cached(db, "RELEASE SAVEPOINT w", &ignored);
}

void
db_savepoint_rollback(struct db *db)
{
    struct tend_err ignored;
    run_cached(db, "ROLLBACK TO SAVEPOINT w", &ignored);
    run_cached(db, "RELEASE SAVEPOINT w", &ignored);
}

int
db_ping(struct db *db)
{
    return db->ops->ping(db);
}
