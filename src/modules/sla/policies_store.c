/* policies_store.c: the SQL of SLA policies: list, read, create, replace and
 * delete, keeping positions 1..n, then choosing open tickets' policies again. */
#include "policies_store.h"

#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/util.h"
#include "policy.h"
#include "sla_store.h"

#define POLICY_ROW                                                                                     \
    "SELECT p.id, p.definition, p.position, p.active, p.calendar_id, p.version, p.created_at, "         \
    "p.updated_at, p.name, c.name FROM sla_policies p LEFT JOIN calendars c ON c.id = p.calendar_id"

/* The row at `st` as API JSON: the definition with the row's own columns. */
static json_t *
row_json(struct db_stmt *st)
{
    json_t *out = json_loads(db_col_text(st, 1), 0, NULL);

    if (!json_is_object(out)) {
        json_decref(out);
        out = json_object();
    }
    json_object_set_new(out, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(out, "name", json_string(db_col_text(st, 8)));
    json_object_set_new(out, "position", json_integer(db_col_int64(st, 2)));
    json_object_set_new(out, "active", json_boolean(db_col_int64(st, 3) != 0));
    json_object_set_new(out, "calendar_id", json_integer(db_col_int64(st, 4)));
    json_object_set_new(out, "calendar", db_col_is_null(st, 9) ? json_null() : json_string(db_col_text(st, 9)));
    json_object_set_new(out, "version", json_integer(db_col_int64(st, 5)));
    json_object_set_new(out, "created_at", api_time(db_col_int64(st, 6)));
    json_object_set_new(out, "updated_at", api_time(db_col_int64(st, 7)));
    return out;
}

enum tend_rc
sla_policies_list(struct db *db, json_t **out, struct tend_err *err)
{
    return sla_store_rows_json(db, POLICY_ROW " ORDER BY p.position, p.id", row_json, out, err);
}

enum tend_rc
sla_policies_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    return sla_store_row_json(db, POLICY_ROW " WHERE p.id = ?", id, "SLA policy", row_json, out, err);
}

static enum tend_rc
exists(struct db *db, const char *sql, int64_t id, const char *text, int *found, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    if (text)
        db_bind_str(st, 1, text);
    else
        db_bind_int64(st, 1, id);
    if (text)
        db_bind_int64(st, 2, id);
    r = db_step(st, err);
    *found = r == DB_ROW;
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* What a policy names must exist: its calendar, the groups and users of its
 * conditions and escalations; its name must be free (`self` may keep it). */
static enum tend_rc
check_references(struct db *db, const struct sla_policy *p, int64_t self, struct tend_err *err)
{
    const json_t *groups = json_object_get(p->conditions, "group_id");
    int found = 0;
    enum tend_rc rc = exists(db, "SELECT 1 FROM calendars WHERE id = ?", p->calendar_id, NULL, &found, err);
    size_t i;
    json_t *v;

    if (!rc && !found)
        return tend_fail(err, TEND_EINVAL, "calendar_id", "no calendar %lld", (long long)p->calendar_id);
    if (!rc)
        rc = exists(db, "SELECT 1 FROM sla_policies WHERE name = ? AND id <> ?", self, p->name, &found, err);
    if (!rc && found)
        return tend_fail(err, TEND_EINVAL, "name", "another SLA policy is called '%s'", p->name);
    json_array_foreach(groups, i, v) {
        char field[48];
        if (rc)
            break;
        rc = exists(db, "SELECT 1 FROM groups WHERE id = ?", json_integer_value(v), NULL, &found, err);
        snprintf(field, sizeof(field), "conditions.group_id[%zu]", i);
        if (!rc && !found)
            return tend_fail(err, TEND_EINVAL, field, "no group %lld", (long long)json_integer_value(v));
    }
    for (int e = 0; e < p->nescalations && !rc; e++) {
        char field[64];
        if (p->escalations[e].assign_group_id) {
            rc = exists(db, "SELECT 1 FROM groups WHERE id = ?", p->escalations[e].assign_group_id, NULL, &found,
                        err);
            snprintf(field, sizeof(field), "escalations[%d].assign_group_id", e);
            if (!rc && !found)
                return tend_fail(err, TEND_EINVAL, field, "no group %lld", (long long)p->escalations[e].assign_group_id);
        }
        if (!rc && p->escalations[e].assign_user_id) {
            rc = exists(db, "SELECT 1 FROM users WHERE id = ? AND disabled = 0 AND roles <> 'customer'",
                        p->escalations[e].assign_user_id, NULL, &found, err);
            snprintf(field, sizeof(field), "escalations[%d].assign_user_id", e);
            if (!rc && !found)
                return tend_fail(err, TEND_EINVAL, field, "no active staff user %lld",
                                 (long long)p->escalations[e].assign_user_id);
        }
    }
    return rc;
}

/* Positions 1..n by the current order, with `id` (0: none) moved to
 * `position` (0: last). Rows whose position moves get a new version. */
static enum tend_rc
renumber(struct db *db, int64_t id, int64_t position, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT id, position FROM sla_policies ORDER BY position, id", err);
    int64_t *ids = NULL, *was = NULL;
    size_t n = 0, cap = 0, at = 0;
    enum db_step_result r;
    enum tend_rc rc = TEND_OK;

    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (db_col_int64(st, 0) == id)
            continue;
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            ids = xrealloc(ids, cap * sizeof(*ids));
            was = xrealloc(was, cap * sizeof(*was));
        }
        ids[n] = db_col_int64(st, 0);
        was[n++] = db_col_int64(st, 1);
    }
    db_reset(st);
    if (r == DB_FAIL)
        rc = err->rc;
    if (rc == TEND_OK && id) { /* put it at its place */
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            ids = xrealloc(ids, cap * sizeof(*ids));
            was = xrealloc(was, cap * sizeof(*was));
        }
        at = position > 0 && (size_t)position <= n ? (size_t)position - 1 : n;
        memmove(ids + at + 1, ids + at, (n - at) * sizeof(*ids));
        memmove(was + at + 1, was + at, (n - at) * sizeof(*was));
        ids[at] = id;
        was[at] = -1;
        n++;
    }
    for (size_t i = 0; i < n && rc == TEND_OK; i++) {
        if (was[i] == (int64_t)i + 1)
            continue;
        st = db_prepare(db,
                        ids[i] == id ? "UPDATE sla_policies SET position = ? WHERE id = ?"
                                     : "UPDATE sla_policies SET position = ?, version = version + 1, "
                                       "updated_at = ? WHERE id = ?",
                        err);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, (int64_t)i + 1);
        if (ids[i] == id) {
            db_bind_int64(st, 2, ids[i]);
        } else {
            db_bind_int64(st, 2, now);
            db_bind_int64(st, 3, ids[i]);
        }
        rc = db_run(st, err);
    }
    free(ids);
    free(was);
    return rc;
}

/* Parse and check a body, and its stored definition text (caller frees). */
static enum tend_rc
parse_body(struct db *db, const json_t *body, int64_t self, struct sla_policy *p, char **text, struct tend_err *err)
{
    enum tend_rc rc = sla_policy_parse(body, p, err);
    json_t *def;

    if (rc == TEND_OK)
        rc = check_references(db, p, self, err);
    if (rc)
        return rc;
    def = sla_policy_json(p);
    *text = json_dumps(def, JSON_COMPACT);
    json_decref(def);
    return TEND_OK;
}

static enum tend_rc
finish(struct db *db, int64_t id, const struct sla_policy *p, const char *event, const char *actor, int64_t now,
       json_t **out, struct tend_err *err)
{
    enum tend_rc rc = renumber(db, p ? id : 0, p ? p->position : 0, now, err);

    if (rc == TEND_OK)
        rc = event_record(db, event, "sla_policy", id, actor, json_pack("{s:s}", "name", p ? p->name : ""), now,
                          err);
    if (rc == TEND_OK)
        rc = sla_reevaluate_open(db, now, actor, err);
    if (rc == TEND_OK && p)
        rc = sla_policies_get_json(db, id, out, err);
    return rc;
}

enum tend_rc
sla_policies_create(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                    struct tend_err *err)
{
    struct sla_policy p;
    char *text = NULL;
    struct db_stmt *st;
    enum tend_rc rc = parse_body(db, body, 0, &p, &text, err);

    (void)id;
    if (rc == TEND_OK && json_object_get(body, "version"))
        rc = tend_fail(err, TEND_EINVAL, "version", "is given by the server");
    if (rc == TEND_OK) {
        st = db_prepare(db,
                        "INSERT INTO sla_policies (name, position, active, calendar_id, definition, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_str(st, 1, p.name);
            db_bind_int64(st, 2, 1000000); /* renumber puts it in place */
            db_bind_int64(st, 3, p.active);
            db_bind_int64(st, 4, p.calendar_id);
            db_bind_str(st, 5, text);
            db_bind_int64(st, 6, now);
            db_bind_int64(st, 7, now);
            rc = db_run_returning_id(st, &p.id, err);
        }
    }
    if (rc == TEND_OK)
        rc = finish(db, p.id, &p, "sla_policy.created", actor, now, out, err);
    sla_policy_cleanup(&p);
    free(text);
    return rc;
}

enum tend_rc
sla_policies_replace(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                     struct tend_err *err)
{
    const json_t *version = json_object_get(body, "version");
    struct sla_policy p;
    char *text = NULL;
    struct db_stmt *st;
    json_t *current = NULL;
    enum tend_rc rc = sla_policies_get_json(db, id, &current, err);

    memset(&p, 0, sizeof(p));
    if (rc)
        return rc;
    if (!json_is_integer(version)) {
        json_decref(current);
        return tend_fail(err, TEND_EINVAL, "version", "is required: the version you read (optimistic concurrency)");
    }
    if (json_integer_value(version) != json_integer_value(json_object_get(current, "version"))) {
        *out = current; /* answered with the 409 */
        return tend_fail(err, TEND_ECONFLICT, "version",
                         "the policy was changed by someone else (you sent version %lld, it is now %lld): reload "
                         "and try again",
                         (long long)json_integer_value(version),
                         (long long)json_integer_value(json_object_get(current, "version")));
    }
    rc = parse_body(db, body, id, &p, &text, err);
    if (!p.position) /* no position given: it stays where it is */
        p.position = json_integer_value(json_object_get(current, "position"));
    json_decref(current);
    if (rc == TEND_OK) {
        st = db_prepare(db,
                        "UPDATE sla_policies SET name = ?, active = ?, calendar_id = ?, definition = ?, "
                        "version = version + 1, updated_at = ? WHERE id = ?",
                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_str(st, 1, p.name);
            db_bind_int64(st, 2, p.active);
            db_bind_int64(st, 3, p.calendar_id);
            db_bind_str(st, 4, text);
            db_bind_int64(st, 5, now);
            db_bind_int64(st, 6, id);
            rc = db_run(st, err);
        }
    }
    if (rc == TEND_OK)
        rc = finish(db, id, &p, "sla_policy.changed", actor, now, out, err);
    sla_policy_cleanup(&p);
    free(text);
    return rc;
}

enum tend_rc
sla_policies_delete(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                    struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "DELETE FROM sla_policies WHERE id = ? RETURNING 1", err);
    long changed = 0;
    enum tend_rc rc;

    (void)body;
    *out = NULL;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_run_counting(st, &changed, err);
    if (rc == TEND_OK && changed == 0)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no SLA policy %lld", (long long)id);
    return rc ? rc : finish(db, id, NULL, "sla_policy.deleted", actor, now, out, err);
}
