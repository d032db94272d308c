/* users_store.c: the SQL of the users module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
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
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, username);
    db_bind_str(st, 2, display_name);
    db_bind_str(st, 3, email);
    db_bind_str(st, 4, password_hash);
    db_bind_str(st, 5, roles);
    db_bind_ref(st, 6, organisation_id);
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, now);
    rc = db_run_returning_id(st, id, err);
    if (rc == TEND_ECONFLICT)
        return tend_fail(err, TEND_ECONFLICT, "username", "user '%.64s' already exists", username);
    return rc;
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

#define USER_COLUMNS                                                                             \
    "id, username, display_name, email, password_hash, roles, organisation_id, disabled, "       \
    "created_at, updated_at, skills, available"

static void
read_user(struct db_stmt *st, void *out)
{
    struct user *u = out;

    memset(u, 0, sizeof(*u));
    u->id = db_col_int64(st, 0);
    strlcopy(u->username, db_col_text(st, 1), sizeof(u->username));
    u->display_name = xstrdup(db_col_text(st, 2));
    u->email = db_col_is_null(st, 3) ? NULL : xstrdup(db_col_text(st, 3));
    u->password_hash = xstrdup(db_col_text(st, 4));
    u->roles = user_roles_bits(db_col_text(st, 5));
    u->organisation_id = db_col_is_null(st, 6) ? 0 : db_col_int64(st, 6);
    u->disabled = (int)db_col_int64(st, 7);
    u->created_at = db_col_int64(st, 8);
    u->updated_at = db_col_int64(st, 9);
    u->skills = xstrdup(db_col_text(st, 10));
    u->available = db_col_int64(st, 11) != 0;
}

static enum tend_rc
get_one(struct db_stmt *st, struct user *out, const char *what, struct tend_err *err)
{
    enum tend_rc rc = db_fetch_one(st, read_user, out, err);
    return rc == TEND_ENOTFOUND ? tend_fail(err, rc, "id", "no user %s", what) : rc;
}

enum tend_rc
users_store_get(struct db *db, int64_t id, struct user *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", err);
    char what[32];

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    snprintf(what, sizeof(what), "%lld", (long long)id);
    return get_one(st, out, what, err);
}

enum tend_rc
users_store_get_by_username(struct db *db, const char *username, struct user *out,
                            struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " USER_COLUMNS " FROM users WHERE username = ?", err);

    if (!st)
        return err->rc;
    db_bind_str(st, 1, username);
    return get_one(st, out, "with that username", err);
}

enum tend_rc
users_store_list(struct db *db, unsigned role, int disabled, int64_t before_id, int limit,
                 struct user **out, size_t *count, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " USER_COLUMNS " FROM users WHERE (? = 0 OR id < ?) "
                                    "AND (? < 0 OR disabled = ?) ORDER BY id DESC",
                                    err);
    size_t got = 0, cap = (size_t)limit + 1;
    struct user *items;
    enum db_step_result r = DB_DONE;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, before_id);
    db_bind_int64(st, 2, before_id);
    db_bind_int64(st, 3, disabled);
    db_bind_int64(st, 4, disabled);
    items = xcalloc(cap, sizeof(*items));
    /* the role filter is applied here: roles is a short list in one column */
    while (got < cap && (r = db_step(st, err)) == DB_ROW) {
        read_user(st, &items[got]);
        if (role && !(items[got].roles & role)) {
            user_cleanup(&items[got]);
            continue;
        }
        got++;
    }
    db_reset(st);
    if (r == DB_FAIL) {
        for (size_t i = 0; i < got; i++)
            user_cleanup(&items[i]);
        free(items);
        return err->rc;
    }
    *out = items;
    *count = got;
    return TEND_OK;
}

enum tend_rc
users_store_organisation_exists(struct db *db, int64_t id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT 1 FROM organisations WHERE id = ?", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_EINVAL, "organisation_id", "no organisation %lld", (long long)id);
    return TEND_OK;
}

enum tend_rc
users_store_save(struct db *db, const struct user *u, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE users SET display_name = ?, email = ?, roles = ?, "
                                    "organisation_id = ?, disabled = ?, password_hash = ?, "
                                    "updated_at = ?, skills = ?, available = ? WHERE id = ?",
                                    err);
    char roles[160];

    if (!st)
        return err->rc;
    user_roles_csv(u->roles, roles, sizeof(roles));
    db_bind_str(st, 1, u->display_name);
    db_bind_str(st, 2, u->email);
    db_bind_str(st, 3, roles);
    db_bind_ref(st, 4, u->organisation_id);
    db_bind_int64(st, 5, u->disabled);
    db_bind_str(st, 6, u->password_hash);
    db_bind_int64(st, 7, u->updated_at);
    db_bind_str(st, 8, u->skills ? u->skills : "[]");
    db_bind_int64(st, 9, u->available);
    db_bind_int64(st, 10, u->id);
    return db_run(st, err);
}

enum tend_rc
users_store_revoke_access(struct db *db, int64_t user_id, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, user_id);
    rc = db_run(st, err);
    if (rc)
        return rc;
    st = db_prepare(db, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, user_id);
    return db_run(st, err);
}

/* --- groups ------------------------------------------------------------ */

static enum tend_rc
group_members(struct db *db, int64_t group_id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT u.id, u.username, u.display_name FROM group_members m "
                                    "JOIN users u ON u.id = m.user_id WHERE m.group_id = ? "
                                    "ORDER BY u.username",
                                    err);
    enum db_step_result r;
    json_t *a;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, group_id);
    a = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(a, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)db_col_int64(st, 0),
                                            "username", db_col_text(st, 1), "display_name",
                                            db_col_text(st, 2)));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(a);
        return err->rc;
    }
    *out = a;
    return TEND_OK;
}

static void
read_group(struct db_stmt *st, void *out)
{
    struct group *g = out;

    memset(g, 0, sizeof(*g));
    g->id = db_col_int64(st, 0);
    g->name = xstrdup(db_col_text(st, 1));
    g->description = xstrdup(db_col_text(st, 2));
    g->created_at = db_col_int64(st, 3);
    g->updated_at = db_col_int64(st, 4);
    g->lead_id = db_col_is_null(st, 5) ? 0 : db_col_int64(st, 5);
}

enum tend_rc
groups_store_get(struct db *db, int64_t id, struct group *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "SELECT id, name, description, created_at, updated_at, lead_id FROM groups WHERE id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_group, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no group %lld", (long long)id);
    if (rc)
        return rc;
    if (group_members(db, id, &out->members, err)) {
        group_cleanup(out);
        return err->rc;
    }
    return TEND_OK;
}

enum tend_rc
groups_store_list(struct db *db, json_t **items, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "SELECT id, name, description, created_at, updated_at FROM groups ORDER BY name", err);
    enum db_step_result r;
    json_t *a;
    enum tend_rc rc = TEND_OK;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;

    if (!st)
        return err->rc;
    /* ids first: the members query reuses the connection */
    while ((r = db_step(st, err)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = db_col_int64(st, 0);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        free(ids);
        return err->rc;
    }
    a = json_array();
    for (size_t i = 0; i < n && rc == TEND_OK; i++) {
        struct group g;
        rc = groups_store_get(db, ids[i], &g, err);
        if (rc == TEND_OK) {
            json_array_append_new(a, group_to_json(&g));
            group_cleanup(&g);
        }
    }
    free(ids);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *items = a;
    return TEND_OK;
}

enum tend_rc
groups_store_save(struct db *db, int64_t id, const char *name, const char *description,
                  const int64_t *members, int nmembers, int64_t now, int64_t *out_id,
                  struct tend_err *err)
{
    struct db_stmt *st;
    enum db_step_result r;
    enum tend_rc rc;

    if (id == 0) {
        st = db_prepare(db,
                        "INSERT INTO groups (name, description, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?) RETURNING id",
                        err);
        if (!st)
            return err->rc;
        db_bind_str(st, 1, name);
        db_bind_str(st, 2, description ? description : "");
        db_bind_int64(st, 3, now);
        db_bind_int64(st, 4, now);
        r = db_step(st, err);
        if (r == DB_ROW)
            id = db_col_int64(st, 0);
        db_reset(st);
        if (r == DB_FAIL)
            return err->rc == TEND_ECONFLICT
                       ? tend_fail(err, TEND_ECONFLICT, "name", "a group with that name exists")
                       : err->rc;
    } else {
        st = db_prepare(db,
                        "UPDATE groups SET name = COALESCE(?, name), "
                        "description = COALESCE(?, description), updated_at = ? WHERE id = ? "
                        "RETURNING id",
                        err);
        if (!st)
            return err->rc;
        db_bind_str(st, 1, name);
        db_bind_str(st, 2, description);
        db_bind_int64(st, 3, now);
        db_bind_int64(st, 4, id);
        r = db_step(st, err);
        db_reset(st);
        if (r == DB_FAIL)
            return err->rc == TEND_ECONFLICT
                       ? tend_fail(err, TEND_ECONFLICT, "name", "a group with that name exists")
                       : err->rc;
        if (r == DB_DONE)
            return tend_fail(err, TEND_ENOTFOUND, "id", "no group %lld", (long long)id);
    }
    if (members) {
        st = db_prepare(db, "DELETE FROM group_members WHERE group_id = ?", err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, id);
        rc = db_run(st, err);
        if (rc)
            return rc;
        for (int i = 0; i < nmembers; i++) {
            struct user u;
            rc = users_store_get(db, members[i], &u, err);
            if (rc == TEND_ENOTFOUND)
                return tend_fail(err, TEND_EINVAL, "members", "no user %lld", (long long)members[i]);
            if (rc)
                return rc;
            user_cleanup(&u);
            st = db_prepare(db,
                            "INSERT INTO group_members (group_id, user_id) VALUES (?, ?) "
                            "ON CONFLICT DO NOTHING",
                            err);
            if (!st)
                return err->rc;
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, members[i]);
            rc = db_run(st, err);
            if (rc)
                return rc;
        }
    }
    *out_id = id;
    return TEND_OK;
}

enum tend_rc
groups_store_set_lead(struct db *db, int64_t id, int64_t lead_id, struct tend_err *err)
{
    struct db_stmt *st;

    if (lead_id) {
        struct user u;
        enum tend_rc rc;
        memset(&u, 0, sizeof(u));
        rc = users_store_get(db, lead_id, &u, err);
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_EINVAL, "lead_id", "no user %lld", (long long)lead_id);
        if (rc)
            return rc;
        rc = u.disabled || u.roles == ROLE_CUSTOMER
                 ? tend_fail(err, TEND_EINVAL, "lead_id", "must be an active staff user")
                 : TEND_OK;
        user_cleanup(&u);
        if (rc)
            return rc;
    }
    st = db_prepare(db, "UPDATE groups SET lead_id = ? WHERE id = ?", err);
    if (!st)
        return err->rc;
    db_bind_ref(st, 1, lead_id);
    db_bind_int64(st, 2, id);
    return db_run(st, err);
}
