/* views_store.c: the SQL of saved views: named list filters per user. */
#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/util/util.h"
#include "tickets.h"

#define VIEW_COLUMNS "id, name, query, columns, position, created_at, updated_at"

static json_t *
time_json(int64_t ms)
{
    char text[40];
    return json_string(time_format_rfc3339(ms, text, sizeof(text)));
}

static json_t *
view_json(struct db_stmt *st)
{
    json_t *columns = json_loads(db_col_text(st, 3), 0, NULL);

    return json_pack("{s:I,s:s,s:s,s:o,s:i,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0), "name",
                     db_col_text(st, 1), "query", db_col_text(st, 2), "columns",
                     columns ? columns : json_array(), "position", (int)db_col_int64(st, 4), "created_at",
                     time_json(db_col_int64(st, 5)), "updated_at", time_json(db_col_int64(st, 6)));
}

static void
read_view(struct db_stmt *st, void *out)
{
    *(json_t **)out = view_json(st);
}

enum tend_rc
views_store_list(struct db *db, int64_t user_id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " VIEW_COLUMNS " FROM saved_views WHERE user_id = ? "
                                    "ORDER BY position, id",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, user_id);
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(*out, view_json(st));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(*out);
        return err->rc;
    }
    return TEND_OK;
}

enum tend_rc
views_store_get(struct db *db, int64_t user_id, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "SELECT " VIEW_COLUMNS " FROM saved_views WHERE id = ? AND user_id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, user_id);
    rc = db_fetch_one(st, read_view, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no saved view %lld", (long long)id);
    return rc;
}

enum tend_rc
views_store_save(struct db *db, int64_t user_id, int64_t id, const char *name, const char *query,
                 const json_t *columns, int position, int64_t now, json_t **out, struct tend_err *err)
{
    char *columns_text = columns ? json_dumps(columns, JSON_COMPACT) : xstrdup("[]");
    struct db_stmt *st = db_prepare(
        db,
        id ? "UPDATE saved_views SET name = ?, query = ?, columns = ?, position = ?, updated_at = ? "
             "WHERE id = ? AND user_id = ? RETURNING id"
           : "INSERT INTO saved_views (name, query, columns, position, updated_at, created_at, user_id) "
             "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        err);
    enum tend_rc rc = st ? TEND_OK : err->rc;
    int64_t saved = 0;

    if (st && id) {
        json_t *existing = NULL;
        rc = views_store_get(db, user_id, id, &existing, err);
        json_decref(existing);
        if (rc == TEND_OK) /* the look-up used the cache: prepare ours again */
            st = db_prepare(db,
                            "UPDATE saved_views SET name = ?, query = ?, columns = ?, position = ?, "
                            "updated_at = ? WHERE id = ? AND user_id = ? RETURNING id",
                            err);
        if (!st)
            rc = err->rc;
    }
    if (st && rc == TEND_OK) {
        db_bind_str(st, 1, name);
        db_bind_str(st, 2, query);
        db_bind_str(st, 3, columns_text);
        db_bind_int64(st, 4, position);
        db_bind_int64(st, 5, now);
        db_bind_int64(st, 6, id ? id : now);
        db_bind_int64(st, 7, user_id);
        rc = db_run_returning_id(st, &saved, err);
        if (rc == TEND_ECONFLICT)
            rc = tend_fail(err, TEND_EINVAL, "name", "you already have a view with this name");
    }
    free(columns_text);
    if (rc == TEND_OK)
        rc = views_store_get(db, user_id, saved, out, err);
    return rc;
}

enum tend_rc
views_store_delete(struct db *db, int64_t user_id, int64_t id, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "DELETE FROM saved_views WHERE id = ? AND user_id = ? RETURNING id", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, user_id);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return r == DB_ROW ? TEND_OK : tend_fail(err, TEND_ENOTFOUND, "id", "no saved view %lld", (long long)id);
}
