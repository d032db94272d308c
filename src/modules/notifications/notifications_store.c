/* notifications_store.c: in-app notifications and notification preferences. */
#include "notifications_store.h"

#include <string.h>

#include "notifications.h"
#include "platform/util/util.h"

static json_t *
notification_json(struct db_stmt *st)
{
    return json_pack("{s:I,s:s,s:I,s:s,s:I,s:s,s:b,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0), "kind",
                     db_col_text(st, 1), "event_id", (json_int_t)db_col_int64(st, 2), "entity", db_col_text(st, 3),
                     "entity_id", (json_int_t)db_col_int64(st, 4), "title", db_col_text(st, 5), "read",
                     !db_col_is_null(st, 6), "read_at",
                     db_col_is_null(st, 6) ? json_null() : notify_time_json(db_col_int64(st, 6)), "created_at",
                     notify_time_json(db_col_int64(st, 7)));
}

enum tend_rc
notifications_store_list(struct db *db, int64_t user, int unread_only, int64_t before, int limit, json_t **items,
                         struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT id, kind, event_id, entity, entity_id, title, read_at, created_at "
                                    "FROM notifications WHERE user_id = ? AND id < ? AND (? = 0 OR read_at IS NULL) "
                                    "ORDER BY id DESC LIMIT ?",
                                    err);

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, user);
    db_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
    db_bind_int64(st, 3, unread_only);
    db_bind_int64(st, 4, (int64_t)limit + 1);
    return db_collect_json(st, notification_json, items, err);
}

enum tend_rc
notifications_store_unread(struct db *db, int64_t user, int64_t *count, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, user);
    r = db_step(st, err);
    *count = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
notifications_store_mark_read(struct db *db, int64_t user, int64_t id, int64_t now, int64_t *changed,
                              struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE user_id = ? "
                                    "AND (? = 0 AND read_at IS NULL OR id = ?) RETURNING id",
                                    err);
    long n = 0;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, user);
    db_bind_int64(st, 3, id);
    db_bind_int64(st, 4, id);
    if (db_run_counting(st, &n, err))
        return err->rc;
    *changed = n;
    if (id && n == 0)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no notification %lld", (long long)id);
    return TEND_OK;
}

enum tend_rc
notifications_store_prefs(struct db *db, int64_t user, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT language FROM notify_settings WHERE user_id = ?", err);
    json_t *channels = json_object();
    char lang[16] = "en";
    enum db_step_result r;

    if (!st) {
        json_decref(channels);
        return err->rc;
    }
    db_bind_int64(st, 1, user);
    r = db_step(st, err);
    if (r == DB_ROW)
        strlcopy(lang, db_col_text(st, 0), sizeof(lang));
    db_reset(st);
    for (int i = 0; i < notify_kinds_count; i++)
        json_object_set_new(channels, notify_kinds[i],
                            json_pack("{s:b,s:b}", "email", notify_default_enabled(notify_kinds[i], "email"),
                                      "in_app", notify_default_enabled(notify_kinds[i], "in_app")));
    st = r == DB_FAIL ? NULL : db_prepare(db, "SELECT kind, channel, enabled FROM notify_prefs WHERE user_id = ?", err);
    if (!st) {
        json_decref(channels);
        return err->rc;
    }
    db_bind_int64(st, 1, user);
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *k = json_object_get(channels, db_col_text(st, 0));
        if (k)
            json_object_set_new(k, db_col_text(st, 1), json_boolean(db_col_int64(st, 2) != 0));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(channels);
        return err->rc;
    }
    *out = json_pack("{s:s,s:o}", "language", lang, "channels", channels);
    return TEND_OK;
}

enum tend_rc
notifications_store_set_prefs(struct db *db, int64_t user, const json_t *body, json_t **out, struct tend_err *err)
{
    const char *lang = json_string_value(json_object_get(body, "language"));
    json_t *channels = json_object_get(body, "channels"), *chans;
    const char *kind;
    struct db_stmt *st;

    if (lang) {
        st = db_prepare(db,
                        "INSERT INTO notify_settings (user_id, language) VALUES (?, ?) "
                        "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
                        err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, user);
        db_bind_str(st, 2, lang);
        if (db_run(st, err))
            return err->rc;
    }
    json_object_foreach(channels, kind, chans) {
        const char *channel;
        json_t *on;
        json_object_foreach(chans, channel, on) {
            st = db_prepare(db,
                            "INSERT INTO notify_prefs (user_id, kind, channel, enabled) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = excluded.enabled",
                            err);
            if (!st)
                return err->rc;
            db_bind_int64(st, 1, user);
            db_bind_str(st, 2, kind);
            db_bind_str(st, 3, channel);
            db_bind_int64(st, 4, json_is_true(on));
            if (db_run(st, err))
                return err->rc;
        }
    }
    return notifications_store_prefs(db, user, out, err);
}
