/* auth_store.c: the SQL of the auth module: permissions, sessions, API tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "modules/users/users.h"
#include "platform/util/util.h"

enum tend_rc
auth_store_load_policy(struct db *db, struct auth_policy *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT role, resource, action FROM permissions", err);
    enum db_step_result r;
    size_t cap = 0;

    if (!st)
        return err->rc;
    memset(out, 0, sizeof(*out));
    while ((r = db_step(st, err)) == DB_ROW) {
        unsigned bit = user_roles_bits(db_col_text(st, 0));
        struct auth_grant *g;
        if (!bit)
            continue; /* a role this binary does not know */
        if (out->count == cap) {
            cap = cap ? cap * 2 : 64;
            out->grants = xrealloc(out->grants, cap * sizeof(*out->grants));
        }
        g = &out->grants[out->count++];
        g->role = bit;
        strlcopy(g->resource, db_col_text(st, 1), sizeof(g->resource));
        strlcopy(g->action, db_col_text(st, 2), sizeof(g->action));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        auth_policy_free(out);
        return err->rc;
    }
    return TEND_OK;
}

enum tend_rc
auth_store_session_create(struct db *db, int64_t user_id, const char *secret_hash,
                          const char *csrf, const char *client, int64_t now, int64_t expires_at,
                          int64_t *id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO sessions (secret_hash, user_id, csrf_token, client, "
                                    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, secret_hash);
    db_bind_int64(st, 2, user_id);
    db_bind_str(st, 3, csrf);
    db_bind_str(st, 4, client);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, expires_at);
    return db_run_returning_id(st, id, err);
}

static void
read_identity_user(struct db_stmt *st, int col, struct auth_identity *out)
{
    out->user_id = db_col_int64(st, col);
    strlcopy(out->username, db_col_text(st, col + 1), sizeof(out->username));
    out->roles = user_roles_bits(db_col_text(st, col + 2));
    out->organisation_id = db_col_is_null(st, col + 3) ? 0 : db_col_int64(st, col + 3);
    out->disabled = (int)db_col_int64(st, col + 4);
}

enum tend_rc
auth_store_session_lookup(struct db *db, const char *secret_hash, int64_t now,
                          struct auth_identity *out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db,
                   "SELECT s.id, s.csrf_token, s.expires_at, u.id, u.username, u.roles, "
                   "u.organisation_id, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id "
                   "WHERE s.secret_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
                   err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, secret_hash);
    db_bind_int64(st, 2, now);
    memset(out, 0, sizeof(*out));
    r = db_step(st, err);
    if (r == DB_ROW) {
        out->session_id = db_col_int64(st, 0);
        strlcopy(out->csrf, db_col_text(st, 1), sizeof(out->csrf));
        out->expires_at = db_col_int64(st, 2);
        read_identity_user(st, 3, out);
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE || out->disabled)
        return tend_fail(err, TEND_ENOTFOUND, NULL, "no such session");
    return TEND_OK;
}

enum tend_rc
auth_store_session_revoke(struct db *db, int64_t id, int64_t now, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    return db_run(st, err);
}

enum tend_rc
auth_store_token_create(struct db *db, const char *name, int64_t user_id, const char *secret_hash,
                        const char *prefix, const char *scopes, int64_t created_by, int64_t now,
                        int64_t expires_at, int64_t *id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO api_tokens (name, user_id, secret_hash, prefix, "
                                    "scopes, created_by, created_at, expires_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    db_bind_int64(st, 2, user_id);
    db_bind_str(st, 3, secret_hash);
    db_bind_str(st, 4, prefix);
    db_bind_str(st, 5, scopes);
    db_bind_ref(st, 6, created_by);
    db_bind_int64(st, 7, now);
    db_bind_ref(st, 8, expires_at);
    return db_run_returning_id(st, id, err);
}

enum tend_rc
auth_store_token_lookup(struct db *db, const char *secret_hash, int64_t now,
                        struct auth_identity *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        "SELECT t.id, t.scopes, COALESCE(t.expires_at, 0), t.secret_hash, u.id, u.username, "
        "u.roles, u.organisation_id, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.secret_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)",
        err);
    enum db_step_result r;
    int match = 0;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, secret_hash);
    db_bind_int64(st, 2, now);
    memset(out, 0, sizeof(*out));
    r = db_step(st, err);
    if (r == DB_ROW) {
        out->token_id = db_col_int64(st, 0);
        strlcopy(out->scopes, db_col_text(st, 1), sizeof(out->scopes));
        out->expires_at = db_col_int64(st, 2);
        /* the index found it; compare the stored hash in constant time all the same */
        match = db_col_len(st, 3) == AUTH_HASH_HEX - 1 &&
                sodium_memcmp(db_col_text(st, 3), secret_hash, AUTH_HASH_HEX - 1) == 0;
        read_identity_user(st, 4, out);
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE || !match || out->disabled)
        return tend_fail(err, TEND_ENOTFOUND, NULL, "no such token");
    return TEND_OK;
}

static json_t *
token_row(struct db_stmt *st)
{
    char created[40], expires[40];
    json_t *scopes = json_array();
    const char *p = db_col_text(st, 5);

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(scopes, json_stringn(p, len));
        p = comma ? comma + 1 : NULL;
    }
    return json_pack("{s:I,s:s,s:I,s:s,s:o,s:s,s:o,s:b}", "id", (json_int_t)db_col_int64(st, 0),
                     "name", db_col_text(st, 1), "user_id", (json_int_t)db_col_int64(st, 2),
                     "prefix", db_col_text(st, 3), "scopes", scopes, "created_at",
                     time_format_rfc3339(db_col_int64(st, 4), created, sizeof(created)),
                     "expires_at",
                     db_col_is_null(st, 6)
                         ? json_null()
                         : json_string(time_format_rfc3339(db_col_int64(st, 6), expires,
                                                           sizeof(expires))),
                     "revoked", !db_col_is_null(st, 7));
}

static void
read_token(struct db_stmt *st, void *out)
{
    *(json_t **)out = token_row(st);
}

#define TOKEN_COLUMNS "id, name, user_id, prefix, created_at, scopes, expires_at, revoked_at"

enum tend_rc
auth_store_token_get(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_token, out, err);
    return rc == TEND_ENOTFOUND ? tend_fail(err, rc, "id", "no token %lld", (long long)id) : rc;
}

enum tend_rc
auth_store_token_list(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT " TOKEN_COLUMNS " FROM api_tokens ORDER BY id DESC LIMIT 1000", err);

    if (!st)
        return err->rc;
    return db_collect_json(st, token_row, out, err);
}

enum tend_rc
auth_store_token_revoke(struct db *db, int64_t id, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING id",
        err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no token %lld", (long long)id);
    return TEND_OK;
}

enum tend_rc
auth_store_sessions_purge(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ? RETURNING 1",
                                    err);
    long n = 0;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now - AUTH_SESSIONS_KEPT_MS);
    db_bind_int64(st, 2, now - AUTH_SESSIONS_KEPT_MS);
    if (db_run_counting(st, &n, err))
        return err->rc;
    snprintf(detail, detail_len, "deleted %ld session%s ended over 7 days ago", n, n == 1 ? "" : "s");
    return TEND_OK;
}
