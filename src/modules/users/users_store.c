/* users_store.c: the SQL of the users module. */
#include "users.h"

enum tend_rc
users_store_add(struct db *db, const char *username, const char *display_name, const char *email,
                const char *roles, const char *password_hash, int64_t organisation_id, int64_t now,
                int64_t *id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO users (username, display_name, email, password_hash, "
                                    "roles, organisation_id, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, username);
    db_bind_str(st, 2, display_name);
    db_bind_str(st, 3, email);
    db_bind_str(st, 4, password_hash);
    db_bind_str(st, 5, roles);
    if (organisation_id)
        db_bind_int64(st, 6, organisation_id);
    else
        db_bind_null(st, 6);
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, now);
    r = db_step(st, err);
    if (r == DB_ROW && id)
        *id = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL && err->rc == TEND_ECONFLICT)
        return tend_fail(err, TEND_ECONFLICT, "username", "user '%.64s' already exists", username);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
users_store_set_password(struct db *db, const char *username, const char *password_hash,
                         int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ? RETURNING id", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, password_hash);
    db_bind_int64(st, 2, now);
    db_bind_str(st, 3, username);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "username", "no user '%.64s'", username);
    return TEND_OK;
}
