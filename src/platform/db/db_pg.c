/* db_pg.c: the PostgreSQL backend (libpq). Statements keep the `?` placeholders
 * of the common interface and are rewritten to $n; each is prepared on the
 * server once per connection, lazily at its first execution, with int64 and
 * double parameters typed and text left for the server to infer from context.
 * Results come back whole (text format), so a caller may step one statement
 * while running others on the same connection, as with SQLite.
 *
 * A lost connection is re-opened at the next statement outside a transaction
 * (at most every RECONNECT_MS); inside one, every statement fails until the
 * caller rolls back, so a transaction can never continue half on a new session. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_backend.h"
#include "stmt_cache.h"
#include "platform/util/util.h"

#define RECONNECT_MS 250
#define INT8OID 20
#define FLOAT8OID 701

struct pg_param {
    char *value;  /* NULL = SQL NULL; else points into buf or `heap` */
    char buf[32]; /* numbers */
    char *heap;   /* text */
    size_t heap_cap;
    unsigned type; /* 0 = let the server infer */
};

struct pg_stmt {
    struct db_stmt super;
    struct pg_conn *conn;
    char *pgsql;   /* with $n placeholders */
    int nparams;
    int simple;    /* transaction control: sent with PQexec */
    int reads;     /* a SELECT: safe to send again on a new session */
    char name[24]; /* server-side name, valid while prepared_gen == conn->gen */
    unsigned prepared_gen;
    struct pg_param *params;
    PGresult *res;
    int row, nrows;
};

struct pg_conn {
    struct db super;
    PGconn *handle;
    char *url;
    int flags;
    unsigned gen;    /* bumped at every (re)connect: statements re-prepare */
    unsigned serial; /* statement names */
    int in_tx;       /* between BEGIN and COMMIT/ROLLBACK, as the caller sees it */
    int broken;      /* the session was lost inside a transaction */
    int64_t last_attempt;
    struct stmt_cache cache;
};

/* --- errors --------------------------------------------------------------------- */

static int
connection_lost(const struct pg_conn *c)
{
    return !c->handle || PQstatus(c->handle) != CONNECTION_OK;
}

static enum tend_rc
fail_res(struct pg_conn *c, const PGresult *res, struct tend_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (!msg)
        msg = c->handle ? PQerrorMessage(c->handle) : "no connection";
    if (connection_lost(c) || (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))) {
        if (c->in_tx)
            c->broken = 1;
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database server cannot be reached right now: try again later");
    }
    if (!state)
        return tend_fail(err, TEND_EDB, NULL, "database error: %.200s", msg);
    if (strcmp(state, "23505") == 0)
        return tend_fail(err, TEND_ECONFLICT, NULL, "already exists (%.150s)", msg);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return tend_fail(err, TEND_EBUSY, NULL, "the database is busy (%.150s): try again", msg);
    if (strncmp(state, "53", 2) == 0)
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database cannot be written right now (%.120s): try again later", msg);
    return tend_fail(err, TEND_EDB, NULL, "database error: %.200s", msg);
}

/* --- connection ----------------------------------------------------------------- */

static enum tend_rc
connect_now(struct pg_conn *c, struct tend_err *err)
{
    /* our defaults first: the URL's own parameters override them */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *values[] = {"5", "tend", c->url, NULL};
    PGresult *res;

    if (c->handle)
        PQfinish(c->handle);
    c->last_attempt = time_now_ms();
    c->handle = PQconnectdbParams(keys, values, 1);
    if (!c->handle || PQstatus(c->handle) != CONNECTION_OK) {
        const char *why = c->handle ? PQerrorMessage(c->handle) : "out of memory";
        char line[200];
        strlcopy(line, why, sizeof(line));
        line[strcspn(line, "\n")] = '\0';
        return tend_fail(err, TEND_EUNAVAILABLE, "db", "cannot connect to PostgreSQL: %s", line);
    }
    res = PQexec(c->handle, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(res);
    if ((c->flags & DB_OPEN_READONLY)) {
        res = PQexec(c->handle, "SET default_transaction_read_only = on");
        PQclear(res);
    }
    c->gen++;
    c->broken = 0;
    c->in_tx = 0;
    return TEND_OK;
}

/* Before a statement: a usable session, re-opened if it was lost outside a
 * transaction. */
static enum tend_rc
ensure_session(struct pg_conn *c, struct tend_err *err)
{
    if (c->broken)
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database connection was lost during the transaction");
    if (!connection_lost(c))
        return TEND_OK;
    if (c->in_tx) {
        c->broken = 1;
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database connection was lost during the transaction");
    }
    if (time_now_ms() - c->last_attempt < RECONNECT_MS)
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the database server cannot be reached right now: try again later");
    return connect_now(c, err);
}

static void pg_close(struct db *db);

static enum tend_rc
pg_open(const char *url, int flags, struct db **out, struct tend_err *err)
{
    struct pg_conn *c = xcalloc(1, sizeof(*c));
    enum tend_rc rc;

    c->super.ops = &db_pg_ops;
    c->url = xstrdup(url);
    c->flags = flags;
    stmt_cache_init(&c->cache);
    rc = connect_now(c, err);
    if (rc) {
        pg_close(&c->super);
        return rc;
    }
    *out = &c->super;
    return TEND_OK;
}

static void
stmt_free(struct db_stmt *s)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    PQclear(st->res);
    for (int i = 0; i < st->nparams; i++)
        free(st->params[i].heap);
    free(st->params);
    free(st->pgsql);
    free(st);
}

static void
pg_close(struct db *db)
{
    struct pg_conn *c = (struct pg_conn *)db;

    stmt_cache_clear(&c->cache, stmt_free);
    if (c->handle)
        PQfinish(c->handle);
    free(c->url);
    free(c);
}

/* Transaction state as the caller sees it, from the statement's first word. */
static void
track_tx(struct pg_conn *c, const char *sql)
{
    while (*sql == ' ' || *sql == '\n')
        sql++;
    if (strncasecmp(sql, "BEGIN", 5) == 0 || strncasecmp(sql, "START TRANSACTION", 17) == 0) {
        c->in_tx = 1;
    } else if (strncasecmp(sql, "COMMIT", 6) == 0 || strncasecmp(sql, "END", 3) == 0 ||
               (strncasecmp(sql, "ROLLBACK", 8) == 0 && !strcasestr(sql, " TO "))) {
        c->in_tx = 0;
        c->broken = 0;
    }
}

static enum tend_rc
pg_exec(struct db *db, const char *sql, struct tend_err *err)
{
    struct pg_conn *c = (struct pg_conn *)db;
    PGresult *res;
    enum tend_rc rc = TEND_OK;
    int ending = strncasecmp(sql, "ROLLBACK", 8) == 0 && !strcasestr(sql, " TO ");

    if (ending && (c->broken || connection_lost(c))) {
        track_tx(c, sql); /* the server has dropped the transaction already */
        return TEND_OK;
    }
    rc = ensure_session(c, err);
    if (rc)
        return rc;
    res = PQexec(c->handle, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fail_res(c, res, err);
    PQclear(res);
    if (rc == TEND_OK || ending)
        track_tx(c, sql);
    return rc;
}

/* --- statements ----------------------------------------------------------------- */

/* `?` to $n outside quotes and comments; returns the parameter count. */
static int
rewrite_placeholders(const char *sql, char **out)
{
    size_t len = strlen(sql), used = 0;
    char *p = xmalloc(len * 4 + 1);
    int n = 0;

    for (const char *s = sql; *s; s++) {
        if (*s == '\'' || *s == '"') {
            char q = *s;
            p[used++] = *s++;
            while (*s && *s != q)
                p[used++] = *s++;
            if (!*s)
                break;
            p[used++] = *s;
            continue;
        }
        if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                p[used++] = *s++;
            if (!*s)
                break;
            p[used++] = *s;
            continue;
        }
        if (*s == '?') {
            used += (size_t)sprintf(p + used, "$%d", ++n);
            continue;
        }
        p[used++] = *s;
    }
    p[used] = '\0';
    *out = p;
    return n;
}

static void
clear_bindings(struct pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++)
        st->params[i].value = NULL;
}

static void
pg_reset(struct db_stmt *s)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
}

static struct db_stmt *
pg_prepare(struct db *db, const char *sql, struct tend_err *err)
{
    struct pg_conn *c = (struct pg_conn *)db;
    struct pg_stmt *st = (struct pg_stmt *)stmt_cache_find(&c->cache, sql);
    const char *w = sql;

    (void)err; /* preparing on the server waits for the first run */
    if (st) {
        pg_reset(&st->super);
        clear_bindings(st);
        return &st->super;
    }
    st = xcalloc(1, sizeof(*st));
    st->super.ops = &db_pg_ops;
    st->conn = c;
    st->row = -1;
    st->nparams = rewrite_placeholders(sql, &st->pgsql);
    if (st->nparams)
        st->params = xcalloc((size_t)st->nparams, sizeof(struct pg_param));
    while (*w == ' ')
        w++;
    st->simple = st->nparams == 0 &&
                 (strncasecmp(w, "BEGIN", 5) == 0 || strncasecmp(w, "COMMIT", 6) == 0 ||
                  strncasecmp(w, "ROLLBACK", 8) == 0 || strncasecmp(w, "SAVEPOINT", 9) == 0 ||
                  strncasecmp(w, "RELEASE", 7) == 0);
    st->reads = strncasecmp(w, "SELECT", 6) == 0;
    stmt_cache_put(&c->cache, sql, &st->super);
    return &st->super;
}

static struct pg_param *
param(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    return i >= 1 && i <= st->nparams ? &st->params[i - 1] : NULL;
}

static void
pg_bind_int64(struct db_stmt *s, int i, int64_t v)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    snprintf(p->buf, sizeof(p->buf), "%lld", (long long)v);
    p->value = p->buf;
    p->type = p->type ? p->type : INT8OID;
}

static void
pg_bind_double(struct db_stmt *s, int i, double v)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    snprintf(p->buf, sizeof(p->buf), "%.17g", v);
    p->value = p->buf;
    p->type = p->type ? p->type : FLOAT8OID;
}

static void
pg_bind_text(struct db_stmt *s, int i, const char *text, size_t len)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    if (p->heap_cap < len + 1) {
        free(p->heap);
        p->heap_cap = len + 1 < 64 ? 64 : len + 1;
        p->heap = xmalloc(p->heap_cap);
    }
    memcpy(p->heap, text, len);
    p->heap[len] = '\0';
    p->value = p->heap;
}

static void
pg_bind_null(struct db_stmt *s, int i)
{
    struct pg_param *p = param(s, i);
    if (p)
        p->value = NULL;
}

/* Prepare on the server if this session has not seen the statement. Parameter
 * types are fixed at this point from the first bindings. */
static int
server_prepare(struct pg_stmt *st, struct tend_err *err)
{
    struct pg_conn *c = st->conn;
    unsigned types[128];
    PGresult *res;
    int n = st->nparams < 128 ? st->nparams : 128;

    if (st->prepared_gen == c->gen)
        return 0;
    for (int i = 0; i < n; i++)
        types[i] = st->params[i].type;
    snprintf(st->name, sizeof(st->name), "t%u", ++c->serial);
    res = PQprepare(c->handle, st->name, st->pgsql, n, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fail_res(c, res, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    st->prepared_gen = c->gen;
    return 0;
}

/* One execution, prepared on this session first if need be. NULL (err filled)
 * when the prepare failed. */
static PGresult *
execute(struct pg_stmt *st, const char *const *values, struct tend_err *err)
{
    if (st->simple)
        return PQexec(st->conn->handle, st->pgsql);
    if (server_prepare(st, err))
        return NULL;
    return PQexecPrepared(st->conn->handle, st->name, st->nparams, values, NULL, NULL, 0);
}

static enum db_step_result
pg_step(struct db_stmt *s, struct tend_err *err)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    struct pg_conn *c = st->conn;

    if (!st->res) {
        const char *values[128];
        ExecStatusType status;

        if (st->nparams > 128) {
            tend_fail(err, TEND_EINTERNAL, NULL, "too many statement parameters");
            return DB_FAIL;
        }
        if (ensure_session(c, err))
            return DB_FAIL;
        for (int i = 0; i < st->nparams; i++)
            values[i] = st->params[i].value;
        st->res = execute(st, values, err);
        /* a session lost while idle (the server restarted since the last
         * statement) is found only now: a read is sent again on a new one */
        if (PQresultStatus(st->res) != PGRES_TUPLES_OK && st->reads && !c->in_tx && connection_lost(c)) {
            PQclear(st->res);
            st->res = connect_now(c, err) == TEND_OK ? execute(st, values, err) : NULL;
        }
        if (!st->res)
            return DB_FAIL;
        status = PQresultStatus(st->res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            fail_res(c, st->res, err);
            pg_reset(s);
            return DB_FAIL;
        }
        if (st->simple)
            track_tx(c, st->pgsql);
        st->nrows = status == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
        st->row = -1;
    }
    if (st->row + 1 < st->nrows) {
        st->row++;
        return DB_ROW;
    }
    st->row = st->nrows;
    return DB_DONE;
}

static int
current_row(const struct pg_stmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < PQnfields(st->res);
}

static int
pg_col_is_null(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    return !current_row(st, i) || PQgetisnull(st->res, st->row, i);
}

static int64_t
pg_col_int64(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    const char *v;

    if (pg_col_is_null(s, i))
        return 0;
    v = PQgetvalue(st->res, st->row, i);
    if (v[0] == 't' && v[1] == '\0')
        return 1; /* boolean */
    return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    return pg_col_is_null(s, i) ? NULL : PQgetvalue(st->res, st->row, i);
}

static size_t
pg_col_len(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    return pg_col_is_null(s, i) ? 0 : (size_t)PQgetlength(st->res, st->row, i);
}

static enum tend_rc
pg_begin(struct db *db, struct tend_err *err)
{
    return pg_exec(db, "BEGIN", err);
}

static int
pg_ping(struct db *db)
{
    struct pg_conn *c = (struct pg_conn *)db;
    struct tend_err err;
    PGresult *res;
    int ok;

    if (c->in_tx)
        return !c->broken && !connection_lost(c);
    if (ensure_session(c, &err))
        return 0;
    res = PQexec(c->handle, "SELECT 1");
    ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    return ok;
}

const struct db_ops db_pg_ops = {
    .kind = DB_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .bind_double = pg_bind_double,
    .step = pg_step,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_len = pg_col_len,
    .col_is_null = pg_col_is_null,
    .reset = pg_reset,
    .begin = pg_begin,
    .ping = pg_ping,
};
