/* calendars_store.c: the SQL of business calendars. */
#include "calendars_store.h"

#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/util/util.h"

#define CALENDAR_ROW "SELECT id, definition, version, created_at, updated_at FROM calendars"

static json_t *
time_json(int64_t ms)
{
    char buf[40];
    return json_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}

/* The row at `st` as API JSON: the definition's members plus id, version and times. */
static json_t *
row_json(struct db_stmt *st)
{
    json_t *out = json_loads(db_col_text(st, 1), 0, NULL);

    if (!json_is_object(out)) {
        json_decref(out);
        out = json_object();
    }
    json_object_set_new(out, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(out, "version", json_integer(db_col_int64(st, 2)));
    json_object_set_new(out, "created_at", time_json(db_col_int64(st, 3)));
    json_object_set_new(out, "updated_at", time_json(db_col_int64(st, 4)));
    return out;
}

enum tend_rc
calendars_store_list(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, CALENDAR_ROW " ORDER BY name, id", err);
    json_t *items;

    if (!st || db_collect_json(st, row_json, &items, err))
        return err->rc;
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

enum tend_rc
calendars_store_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, CALENDAR_ROW " WHERE id = ?", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        *out = row_json(st);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no calendar %lld", (long long)id);
    return TEND_OK;
}

enum tend_rc
calendars_store_load(struct db *db, int64_t id, struct calendar **out, int64_t *version, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT definition, version FROM calendars WHERE id = ?", err);
    enum db_step_result r;
    enum tend_rc rc = TEND_OK;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW) {
        rc = calendar_parse_json(db_col_text(st, 0), out, err);
        if (version)
            *version = db_col_int64(st, 1);
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no calendar %lld", (long long)id);
    return rc;
}

/* The definition members of `body` (a copy without `version`), checked by
 * building the calendar; *text is its normalised JSON. */
static enum tend_rc
definition_of(const json_t *body, struct calendar **cal, char **text, struct tend_err *err)
{
    json_t *def = json_copy((json_t *)body), *norm;
    enum tend_rc rc;

    json_object_del(def, "version");
    if (!json_is_string(json_object_get(def, "name")))
        rc = tend_fail(err, TEND_EINVAL, "name", "is required: the calendar's name");
    else
        rc = calendar_from_json(def, cal, err);
    json_decref(def);
    if (rc)
        return rc;
    norm = calendar_to_json(*cal);
    *text = json_dumps(norm, JSON_COMPACT);
    json_decref(norm);
    return TEND_OK;
}

static enum tend_rc
name_taken(enum tend_rc rc, struct tend_err *err)
{
    if (rc == TEND_ECONFLICT)
        return tend_fail(err, TEND_EINVAL, "name", "another calendar has this name");
    return rc;
}

enum tend_rc
calendars_store_create(struct db *db, const json_t *body, const char *actor, int64_t now, json_t **out,
                       struct tend_err *err)
{
    struct calendar *cal = NULL;
    char *text = NULL;
    int64_t id = 0;
    struct db_stmt *st;
    enum tend_rc rc = definition_of(body, &cal, &text, err);

    if (rc)
        return rc;
    st = db_prepare(db,
                    "INSERT INTO calendars (name, definition, version, created_at, updated_at) "
                    "VALUES (?, ?, 1, ?, ?) RETURNING id",
                    err);
    rc = st ? TEND_OK : err->rc;
    if (st) {
        db_bind_str(st, 1, calendar_name(cal));
        db_bind_str(st, 2, text);
        db_bind_int64(st, 3, now);
        db_bind_int64(st, 4, now);
        rc = name_taken(db_run_returning_id(st, &id, err), err);
    }
    if (!rc)
        rc = event_record(db, "calendar.created", "calendar", id, actor,
                          json_pack("{s:s}", "name", calendar_name(cal)), now, err);
    calendar_free(cal);
    free(text);
    return rc ? rc : calendars_store_get_json(db, id, out, err);
}

/* The stored version must be the body's; on a conflict *out is the current
 * calendar (for the 409). */
static enum tend_rc
check_version(struct db *db, int64_t id, const json_t *body, json_t **out, struct tend_err *err)
{
    const json_t *v = json_object_get(body, "version");
    struct db_stmt *st;
    enum db_step_result r;
    int64_t stored = 0;

    if (!json_is_integer(v))
        return tend_fail(err, TEND_EINVAL, "version", "is required: the version you read");
    st = db_prepare(db, "SELECT version FROM calendars WHERE id = ?", err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        stored = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no calendar %lld", (long long)id);
    if (stored == json_integer_value(v))
        return TEND_OK;
    if (calendars_store_get_json(db, id, out, err))
        return err->rc;
    return tend_fail(err, TEND_ECONFLICT, "version", "the calendar changed since you read it (now version %lld)",
                     (long long)stored);
}

static enum tend_rc
store_definition(struct db *db, int64_t id, const struct calendar *cal, const char *text, const char *actor,
                 const char *event, int64_t now, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE calendars SET name = ?, definition = ?, version = version + 1, "
                                    "updated_at = ? WHERE id = ?",
                                    err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, calendar_name(cal));
    db_bind_str(st, 2, text);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, id);
    rc = name_taken(db_run(st, err), err);
    if (!rc)
        rc = event_record(db, event, "calendar", id, actor, json_pack("{s:s}", "name", calendar_name(cal)),
                          now, err);
    return rc ? rc : calendars_store_get_json(db, id, out, err);
}

enum tend_rc
calendars_store_replace(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                        json_t **out, struct tend_err *err)
{
    struct calendar *cal = NULL;
    char *text = NULL;
    enum tend_rc rc = check_version(db, id, body, out, err);

    if (rc)
        return rc;
    rc = definition_of(body, &cal, &text, err);
    if (!rc)
        rc = store_definition(db, id, cal, text, actor, "calendar.changed", now, out, err);
    calendar_free(cal);
    free(text);
    return rc;
}

enum tend_rc
calendars_store_import_ics(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                           json_t **out, struct tend_err *err)
{
    const json_t *ics = json_object_get(body, "ics"), *mode = json_object_get(body, "mode");
    struct calendar *base = NULL, *cal = NULL;
    enum calendar_ics_mode m = CALENDAR_ICS_REPLACE;
    char *text = NULL;
    const char *k;
    json_t *v;
    enum tend_rc rc;

    json_object_foreach((json_t *)body, k, v) {
        if (strcmp(k, "ics") != 0 && strcmp(k, "mode") != 0 && strcmp(k, "version") != 0)
            return tend_fail(err, TEND_EINVAL, k, "is not a known field (ics, mode, version)");
    }
    if (!json_is_string(ics))
        return tend_fail(err, TEND_EINVAL, "ics", "is required: the iCalendar text (RFC 5545)");
    if (mode && (!json_is_string(mode) || (strcmp(json_string_value(mode), "replace") != 0 &&
                                           strcmp(json_string_value(mode), "merge") != 0)))
        return tend_fail(err, TEND_EINVAL, "mode", "must be replace or merge");
    if (mode && strcmp(json_string_value(mode), "merge") == 0)
        m = CALENDAR_ICS_MERGE;
    rc = check_version(db, id, body, out, err);
    if (!rc)
        rc = calendars_store_load(db, id, &base, NULL, err);
    if (!rc)
        rc = calendar_import_ics(base, json_string_value(ics), m, &cal, err);
    if (!rc) {
        json_t *norm = calendar_to_json(cal);
        text = json_dumps(norm, JSON_COMPACT);
        json_decref(norm);
        rc = store_definition(db, id, cal, text, actor, "calendar.imported", now, out, err);
    }
    calendar_free(base);
    calendar_free(cal);
    free(text);
    return rc;
}

enum tend_rc
calendars_store_delete(struct db *db, int64_t id, const char *actor, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "DELETE FROM calendars WHERE id = ? RETURNING name", err);
    enum db_step_result r;
    char name[128] = "";

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        strlcopy(name, db_col_text(st, 0), sizeof(name));
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no calendar %lld", (long long)id);
    return event_record(db, "calendar.deleted", "calendar", id, actor, json_pack("{s:s}", "name", name), now,
                        err);
}
