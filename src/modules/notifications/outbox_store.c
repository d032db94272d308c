/* outbox_store.c: webhook subscriptions and the delivery log (the outbox's
 * rows as the admin API shows them), and retrying a parked delivery. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"
#include "notifications_store.h"
#include "platform/db/events.h"
#include "platform/util/util.h"

#define WEBHOOK_ROW "SELECT id, name, url, event_types, active, version, created_at, updated_at FROM webhooks"
#define DELIVERY_COLS                                                                                                \
    "id, channel, event_id, event_type, user_id, webhook_id, recipient, status, attempts, max_attempts, next_at, " \
    "last_error, last_code, sent_at, created_at, updated_at"

static json_t *
webhook_json(struct db_stmt *st)
{
    json_t *types = json_loads(db_col_text(st, 3), 0, NULL);

    return json_pack("{s:I,s:s,s:s,s:o,s:b,s:I,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0), "name",
                     db_col_text(st, 1), "url", db_col_text(st, 2), "event_types", types ? types : json_array(),
                     "active", db_col_int64(st, 4) != 0, "version", (json_int_t)db_col_int64(st, 5), "created_at",
                     notify_time_json(db_col_int64(st, 6)), "updated_at", notify_time_json(db_col_int64(st, 7)));
}

enum tend_rc
webhooks_store_list(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, WEBHOOK_ROW " ORDER BY id", err);
    json_t *items;

    if (!st || db_collect_json(st, webhook_json, &items, err))
        return err->rc;
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

static enum tend_rc
webhook_get(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, WEBHOOK_ROW " WHERE id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_one_json(st, webhook_json, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no webhook %lld", (long long)id);
    return rc;
}

static char *
types_text(const json_t *body)
{
    json_t *t = json_object_get(body, "event_types");
    return t ? json_dumps(t, JSON_COMPACT) : xstrdup("[\"*\"]");
}

enum tend_rc
webhooks_store_create(struct db *db, const json_t *body, const char *actor, int64_t now, json_t **out,
                      struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO webhooks (name, url, secret, event_types, active, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    err);
    const char *secret = json_string_value(json_object_get(body, "secret"));
    char generated[65], *types;
    json_t *active = json_object_get(body, "active");
    int64_t id = 0;
    enum tend_rc rc;

    if (!st)
        return err->rc;
    if (!secret) {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(generated, sizeof(generated), raw, sizeof(raw));
        secret = generated;
    }
    types = types_text(body);
    db_bind_str(st, 1, json_string_value(json_object_get(body, "name")));
    db_bind_str(st, 2, json_string_value(json_object_get(body, "url")));
    db_bind_str(st, 3, secret);
    db_bind_str(st, 4, types);
    db_bind_int64(st, 5, active ? json_is_true(active) : 1);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, now);
    rc = db_run_returning_id(st, &id, err);
    free(types);
    if (rc == TEND_OK)
        rc = event_record(db, "webhook.created", "webhook", id, actor,
                          json_pack("{s:O}", "url", json_object_get(body, "url")), now, err);
    if (rc == TEND_OK)
        rc = webhook_get(db, id, out, err);
    if (rc == TEND_OK)
        json_object_set_new(*out, "secret", json_string(secret));
    return rc;
}

enum tend_rc
webhooks_store_update(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                      struct tend_err *err)
{
    json_t *cur = NULL, *version = json_object_get(body, "version"), *active = json_object_get(body, "active");
    struct db_stmt *st;
    char *types = NULL;
    const char *secret = json_string_value(json_object_get(body, "secret"));
    enum tend_rc rc = webhook_get(db, id, &cur, err);

    if (rc)
        return rc;
    if (version && json_integer_value(version) != json_integer_value(json_object_get(cur, "version"))) {
        *out = cur;
        return tend_fail(err, TEND_ECONFLICT, "version", "the webhook was changed since version %lld",
                         (long long)json_integer_value(version));
    }
    if (json_object_get(body, "event_types"))
        types = types_text(body);
    st = db_prepare(db,
                    "UPDATE webhooks SET name = COALESCE(?, name), url = COALESCE(?, url), secret = COALESCE(?, secret), "
                    "event_types = COALESCE(?, event_types), active = COALESCE(?, active), version = version + 1, "
                    "updated_at = ? WHERE id = ?",
                    err);
    rc = st ? TEND_OK : err->rc;
    if (st) {
        db_bind_str(st, 1, json_string_value(json_object_get(body, "name")));
        db_bind_str(st, 2, json_string_value(json_object_get(body, "url")));
        db_bind_str(st, 3, secret);
        db_bind_str(st, 4, types);
        if (active)
            db_bind_int64(st, 5, json_is_true(active));
        else
            db_bind_null(st, 5);
        db_bind_int64(st, 6, now);
        db_bind_int64(st, 7, id);
        rc = db_run(st, err);
    }
    free(types);
    json_decref(cur);
    if (rc == TEND_OK)
        rc = event_record(db, "webhook.updated", "webhook", id, actor, json_object(), now, err);
    if (rc == TEND_OK)
        rc = webhook_get(db, id, out, err);
    return rc;
}

static json_t *
delivery_json(struct db_stmt *st)
{
    json_t *o = json_pack(
        "{s:I,s:s,s:I,s:s,s:o,s:o,s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0),
        "channel", db_col_text(st, 1), "event_id", (json_int_t)db_col_int64(st, 2), "event_type", db_col_text(st, 3),
        "user_id", db_col_is_null(st, 4) ? json_null() : json_integer(db_col_int64(st, 4)), "webhook_id",
        db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)), "recipient", db_col_text(st, 6),
        "status", db_col_text(st, 7), "attempts", (json_int_t)db_col_int64(st, 8), "max_attempts",
        (json_int_t)db_col_int64(st, 9), "next_at", notify_time_json(db_col_int64(st, 10)), "last_error",
        db_col_is_null(st, 11) ? json_null() : json_string(db_col_text(st, 11)), "last_code",
        db_col_is_null(st, 12) ? json_null() : json_integer(db_col_int64(st, 12)), "sent_at",
        db_col_is_null(st, 13) ? json_null() : notify_time_json(db_col_int64(st, 13)), "created_at",
        notify_time_json(db_col_int64(st, 14)), "updated_at", notify_time_json(db_col_int64(st, 15)));
    return o;
}

enum tend_rc
deliveries_store_list(struct db *db, const char *status, const char *channel, int64_t webhook, int64_t before,
                      int limit, json_t **items, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " DELIVERY_COLS " FROM deliveries WHERE id < ? AND (? = '' OR status = ?) "
                                    "AND (? = '' OR channel = ?) AND (? = 0 OR webhook_id = ?) ORDER BY id DESC LIMIT ?",
                                    err);

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, before > 0 ? before : INT64_MAX);
    db_bind_str(st, 2, status);
    db_bind_str(st, 3, status);
    db_bind_str(st, 4, channel);
    db_bind_str(st, 5, channel);
    db_bind_int64(st, 6, webhook);
    db_bind_int64(st, 7, webhook);
    db_bind_int64(st, 8, (int64_t)limit + 1);
    return db_collect_json(st, delivery_json, items, err);
}

static json_t *
attempt_json(struct db_stmt *st)
{
    return json_pack("{s:I,s:s,s:o,s:I,s:b,s:o,s:o}", "attempt", (json_int_t)db_col_int64(st, 0), "node",
                     db_col_text(st, 1), "at", notify_time_json(db_col_int64(st, 2)), "duration_ms",
                     (json_int_t)db_col_int64(st, 3), "ok", db_col_int64(st, 4) != 0, "code",
                     db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)), "error",
                     db_col_is_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
}

/* A delivery row with its payload (column 16) parsed. */
static json_t *
delivery_full_json(struct db_stmt *st)
{
    json_t *d = delivery_json(st), *p = json_loads(db_col_text(st, 16), 0, NULL);

    json_object_set_new(d, "payload", p ? p : json_string(db_col_text(st, 16)));
    return d;
}

enum tend_rc
deliveries_store_get(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " DELIVERY_COLS ", payload FROM deliveries WHERE id = ?", err);
    json_t *d = NULL, *log;
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_one_json(st, delivery_full_json, &d, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no delivery %lld", (long long)id);
    if (rc)
        return rc;
    st = db_prepare(db,
                    "SELECT attempt, node, at, duration_ms, ok, code, error FROM delivery_attempts "
                    "WHERE delivery_id = ? ORDER BY id",
                    err);
    if (!st) {
        json_decref(d);
        return err->rc;
    }
    db_bind_int64(st, 1, id);
    if (db_collect_json(st, attempt_json, &log, err)) {
        json_decref(d);
        return err->rc;
    }
    json_object_set_new(d, "attempt_log", log);
    *out = d;
    return TEND_OK;
}

enum tend_rc
deliveries_store_retry(struct db *db, int64_t id, const char *actor, int64_t now, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT status FROM deliveries WHERE id = ?", err);
    enum db_step_result r;
    char status[16] = "";
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        strlcopy(status, db_col_text(st, 0), sizeof(status));
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no delivery %lld", (long long)id);
    if (strcmp(status, "failed") != 0)
        return tend_fail(err, TEND_ECONFLICT, "status", "only a failed delivery can be retried; this one is %s",
                         status);
    st = db_prepare(db,
                    "UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, locked_until = NULL, "
                    "locked_by = NULL, updated_at = ? WHERE id = ?",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    rc = db_run(st, err);
    if (rc == TEND_OK)
        rc = event_record(db, "delivery.retried", "delivery", id, actor, json_object(), now, err);
    if (rc == TEND_OK)
        rc = deliveries_store_get(db, id, out, err);
    return rc;
}
