/* events.c: appending to and reading the event log. */
#include "events.h"

#include <stdlib.h>

#include "platform/util/util.h"

enum tend_rc
event_append(struct db *db, const char *type, const char *entity, int64_t entity_id,
             const char *actor, const json_t *data, int64_t at, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "INSERT INTO events (type, entity, entity_id, actor, at, data) VALUES (?, ?, ?, ?, ?, ?)",
        err);
    char *text;
    enum tend_rc rc;

    if (!st)
        return err->rc;
    text = json_dumps(data, JSON_COMPACT);
    if (!text)
        return tend_fail(err, TEND_EINTERNAL, NULL, "cannot serialise event data");
    db_bind_str(st, 1, type);
    db_bind_str(st, 2, entity);
    db_bind_int64(st, 3, entity_id);
    db_bind_str(st, 4, actor);
    db_bind_int64(st, 5, at);
    db_bind_str(st, 6, text);
    rc = db_run(st, err);
    free(text);
    return rc;
}

enum tend_rc
event_record(struct db *db, const char *type, const char *entity, int64_t entity_id,
             const char *actor, json_t *data, int64_t at, struct tend_err *err)
{
    enum tend_rc rc = event_append(db, type, entity, entity_id, actor, data, at, err);
    json_decref(data);
    return rc;
}

enum tend_rc
event_list(struct db *db, const char *entity, int64_t entity_id, int limit, json_t **out,
           struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT id, type, actor, at, data FROM events "
                                    "WHERE entity = ? AND entity_id = ? ORDER BY id LIMIT ?",
                                    err);
    json_t *items;
    enum db_step_result r;
    char when[40];

    if (!st)
        return err->rc;
    db_bind_str(st, 1, entity);
    db_bind_int64(st, 2, entity_id);
    db_bind_int64(st, 3, limit);
    items = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *data = json_loads(db_col_text(st, 4), 0, NULL);
        json_t *ev = json_object();
        json_object_set_new(ev, "id", json_integer(db_col_int64(st, 0)));
        json_object_set_new(ev, "type", json_string(db_col_text(st, 1)));
        json_object_set_new(ev, "actor",
                            db_col_is_null(st, 2) ? json_null() : json_string(db_col_text(st, 2)));
        json_object_set_new(ev, "at",
                            json_string(time_format_rfc3339(db_col_int64(st, 3), when, sizeof(when))));
        json_object_set_new(ev, "data", data ? data : json_object());
        json_array_append_new(items, ev);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(items);
        return err->rc;
    }
    *out = items;
    return TEND_OK;
}
