/* ticket_config_edit.c: changes to ticket configuration (writer thread):
 * types, workflows, custom fields, categories. A workflow change never leaves a
 * ticket in a status its workflow lacks: statuses in use need a mapping, and the
 * tickets (and their counters) move with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets_store.h"

static enum tend_rc
name_member(const json_t *body, const char *field, int required, const char **out, struct tend_err *err)
{
    const json_t *v = json_object_get(body, field);
    size_t chars;

    *out = NULL;
    if (!v)
        return required ? tend_fail(err, TEND_EINVAL, field, "is required") : TEND_OK;
    chars = json_is_string(v) ? utf8_count(json_string_value(v), json_string_length(v)) : 0;
    if (chars < 1 || chars > 100)
        return tend_fail(err, TEND_EINVAL, field, "must be 1 to 100 characters");
    *out = json_string_value(v);
    return TEND_OK;
}

static enum tend_rc
only_members(const json_t *body, const char *const *allowed, struct tend_err *err)
{
    const char *k;
    json_t *v;

    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, k, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        if (!ok)
            return tend_fail(err, TEND_EINVAL, k, "is not a known field");
    }
    return TEND_OK;
}

static enum tend_rc
unique_violation(enum tend_rc rc, const char *field, const char *what, struct tend_err *err)
{
    if (rc == TEND_ECONFLICT)
        return tend_fail(err, TEND_EINVAL, field, "another %s already has this key", what);
    return rc;
}

/* --- moving tickets between statuses ------------------------------------------ */

/* Tickets under `scope_sql` (a condition on t, one id parameter) in status
 * `from` move to `to` (of category `category`), counters included. */
static enum tend_rc
move_status(struct db *db, const char *scope_sql, int64_t scope_id, const char *from, const char *to,
            const char *category, int64_t now, struct tend_err *err)
{
    char sql[512];
    struct db_stmt *st;
    enum db_step_result r;
    struct ticket t;
    enum tend_rc rc = TEND_OK;
    struct { int64_t group, assignee, org, n; char category[16]; } rows[512];
    int n = 0;

    snprintf(sql, sizeof(sql),
             "SELECT coalesce(group_id, 0), coalesce(assignee_id, 0), coalesce(organisation_id, 0), "
             "status_category, count(*) FROM tickets t WHERE status = ? AND %s "
             "GROUP BY 1, 2, 3, 4 LIMIT 512",
             scope_sql);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, from);
    db_bind_int64(st, 2, scope_id);
    while ((r = db_step(st, err)) == DB_ROW && n < 512) {
        rows[n].group = db_col_int64(st, 0);
        rows[n].assignee = db_col_int64(st, 1);
        rows[n].org = db_col_int64(st, 2);
        strlcopy(rows[n].category, db_col_text(st, 3), sizeof(rows[n].category));
        rows[n].n = db_col_int64(st, 4);
        n++;
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < n && rc == TEND_OK; i++) {
        t.group_id = rows[i].group;
        t.assignee_id = rows[i].assignee;
        t.organisation_id = rows[i].org;
        strlcopy(t.status, from, sizeof(t.status));
        strlcopy(t.status_category, rows[i].category, sizeof(t.status_category));
        rc = tickets_store_count(db, &t, (int)-rows[i].n, err);
        strlcopy(t.status, to, sizeof(t.status));
        strlcopy(t.status_category, category, sizeof(t.status_category));
        if (rc == TEND_OK)
            rc = tickets_store_count(db, &t, (int)rows[i].n, err);
    }
    if (rc)
        return rc;
    snprintf(sql, sizeof(sql),
             "UPDATE tickets SET status = ?, status_category = ?, version = version + 1, "
             "updated_at = ? WHERE status = ? AND id IN (SELECT t.id FROM tickets t WHERE %s)",
             scope_sql);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, to);
    db_bind_str(st, 2, category);
    db_bind_int64(st, 3, now);
    db_bind_str(st, 4, from);
    db_bind_int64(st, 5, scope_id);
    return db_run(st, err);
}

/* Re-home the tickets under a scope from workflow `old` to `new`: a status the
 * new one lacks needs `status_map[status]`; unmapped statuses in use are a 409
 * naming them with their ticket counts. */
static enum tend_rc
remap(struct db *db, const char *scope_sql, int64_t scope_id, const struct workflow *old,
      const struct workflow *new, const json_t *status_map, int64_t now, struct tend_err *err)
{
    char sql[256], missing[200] = "";
    size_t used = 0;

    if (status_map && !json_is_object(status_map))
        return tend_fail(err, TEND_EINVAL, "status_map", "must be an object {old status: new status}");
    for (int i = 0; i < old->nstatuses; i++) {
        const char *from = old->statuses[i].key;
        const json_t *mapped = json_object_get(status_map, from);
        int target = workflow_status_index(new, from);
        struct db_stmt *st;
        enum db_step_result r;
        int64_t count = 0;

        if (mapped) {
            char field[80];
            snprintf(field, sizeof(field), "status_map.%s", from);
            if (!json_is_string(mapped) || (target = workflow_status_index(new, json_string_value(mapped))) < 0)
                return tend_fail(err, TEND_EINVAL, field, "must name a status of the new workflow");
        }
        if (target >= 0 && strcmp(new->statuses[target].key, from) == 0 &&
            new->statuses[target].category == old->statuses[i].category)
            continue; /* nothing moves */
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM tickets t WHERE status = ? AND %s", scope_sql);
        st = db_prepare(db, sql, err);
        if (!st)
            return err->rc;
        db_bind_str(st, 1, from);
        db_bind_int64(st, 2, scope_id);
        r = db_step(st, err);
        if (r == DB_ROW)
            count = db_col_int64(st, 0);
        db_reset(st);
        if (r == DB_FAIL)
            return err->rc;
        if (count == 0)
            continue;
        if (target < 0) {
            used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s (%lld tickets)",
                                     used ? ", " : "", from, (long long)count);
            if (used >= sizeof(missing))
                used = sizeof(missing) - 1;
            continue;
        }
        if (!missing[0]) {
            enum tend_rc rc = move_status(db, scope_sql, scope_id, from, new->statuses[target].key,
                                          status_categories[new->statuses[target].category], now, err);
            if (rc)
                return rc;
        }
    }
    if (missing[0])
        return tend_fail(err, TEND_ECONFLICT, "status_map",
                         "tickets use statuses the new workflow lacks: %s; map each to a new status",
                         missing);
    return TEND_OK;
}

/* --- types ------------------------------------------------------------------- */

static const char *const type_members[] = {"key", "name", "workflow_id", "position", "active",
                                           "status_map", NULL};

static enum tend_rc
type_json_out(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct ticket_type t;
    enum tend_rc rc = ticket_config_type(db, NULL, id, "id", &t, err);

    if (rc == TEND_OK)
        *out = json_pack("{s:I,s:s,s:s,s:I,s:s,s:b,s:i}", "id", (json_int_t)t.id, "key", t.key, "name",
                         t.name, "workflow_id", (json_int_t)t.workflow_id, "workflow_key",
                         t.workflow_key, "active", t.active, "position", t.position);
    return rc;
}

static enum tend_rc
int_member(const json_t *body, const char *field, int64_t min, int64_t max, int64_t *out, int *present,
           struct tend_err *err)
{
    const json_t *v = json_object_get(body, field);

    *present = v != NULL;
    if (!v)
        return TEND_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return tend_fail(err, TEND_EINVAL, field, "must be an integer from %lld to %lld", (long long)min,
                         (long long)max);
    *out = json_integer_value(v);
    return TEND_OK;
}

static enum tend_rc
bool_member(const json_t *body, const char *field, int *out, int *present, struct tend_err *err)
{
    const json_t *v = json_object_get(body, field);

    *present = v != NULL;
    if (v && !json_is_boolean(v))
        return tend_fail(err, TEND_EINVAL, field, "must be true or false");
    if (v)
        *out = json_is_true(v);
    return TEND_OK;
}

enum tend_rc
ticket_config_type_create(struct db *db, const json_t *body, const char *actor, int64_t now,
                          json_t **out, struct tend_err *err)
{
    const char *name, *key;
    const json_t *k = json_object_get(body, "key");
    int64_t workflow_id = 0, position = 0, id = 0;
    int has, dummy;
    struct workflow wf;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, type_members, err);

    if (rc)
        return rc;
    if (!json_is_string(k) || !wf_key_valid(json_string_value(k)))
        return tend_fail(err, TEND_EINVAL, "key",
                         "is required: 1-40 characters of a-z, 0-9 and _, starting with a letter");
    key = json_string_value(k);
    if (name_member(body, "name", 1, &name, err) ||
        int_member(body, "workflow_id", 1, INT64_MAX, &workflow_id, &has, err) ||
        int_member(body, "position", 0, 100000, &position, &dummy, err))
        return TEND_EINVAL;
    if (!has)
        return tend_fail(err, TEND_EINVAL, "workflow_id", "is required");
    rc = ticket_config_workflow(db, workflow_id, &wf, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_EINVAL, "workflow_id", "no workflow %lld", (long long)workflow_id);
    if (rc)
        return rc;
    workflow_cleanup(&wf);
    st = db_prepare(db,
                    "INSERT INTO ticket_types (key, name, workflow_id, position, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, key);
    db_bind_str(st, 2, name);
    db_bind_int64(st, 3, workflow_id);
    db_bind_int64(st, 4, position);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    rc = unique_violation(db_run_returning_id(st, &id, err), "key", "ticket type", err);
    if (rc == TEND_OK)
        rc = type_json_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "ticket_type.created", "ticket_type", id, actor, *out, now, err);
    return rc;
}

enum tend_rc
ticket_config_type_update(struct db *db, int64_t id, const json_t *body, const char *actor,
                          int64_t now, json_t **out, struct tend_err *err)
{
    struct ticket_type t;
    const char *name;
    int64_t workflow_id = 0, position = 0;
    int has_wf, has_pos, has_active, active = 1;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, type_members, err);

    if (rc)
        return rc;
    rc = ticket_config_type(db, NULL, id, "id", &t, err);
    if (rc)
        return rc;
    if (json_object_get(body, "key") && (!json_is_string(json_object_get(body, "key")) ||
                                         strcmp(json_string_value(json_object_get(body, "key")), t.key) != 0))
        return tend_fail(err, TEND_EINVAL, "key", "cannot be changed");
    if (name_member(body, "name", 0, &name, err) ||
        int_member(body, "workflow_id", 1, INT64_MAX, &workflow_id, &has_wf, err) ||
        int_member(body, "position", 0, 100000, &position, &has_pos, err) ||
        bool_member(body, "active", &active, &has_active, err))
        return TEND_EINVAL;
    if (has_wf && workflow_id != t.workflow_id) {
        struct workflow old = {0}, new = {0};
        rc = ticket_config_workflow(db, workflow_id, &new, err);
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_EINVAL, "workflow_id", "no workflow %lld", (long long)workflow_id);
        if (rc)
            return rc;
        rc = ticket_config_workflow(db, t.workflow_id, &old, err);
        if (rc == TEND_OK) {
            rc = remap(db, "t.type_id = ?", id, &old, &new, json_object_get(body, "status_map"), now, err);
            workflow_cleanup(&old);
        }
        workflow_cleanup(&new);
        if (rc)
            return rc;
        t.workflow_id = workflow_id;
    }
    st = db_prepare(db,
                    "UPDATE ticket_types SET name = ?, workflow_id = ?, position = ?, active = ?, "
                    "updated_at = ? WHERE id = ?",
                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name ? name : t.name);
    db_bind_int64(st, 2, t.workflow_id);
    db_bind_int64(st, 3, has_pos ? position : t.position);
    db_bind_int64(st, 4, has_active ? active : t.active);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, id);
    rc = db_run(st, err);
    if (rc == TEND_OK)
        rc = type_json_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "ticket_type.updated", "ticket_type", id, actor, body, now, err);
    return rc;
}

/* --- workflows ---------------------------------------------------------------- */

static const char *const workflow_members[] = {"key", "name", "version", "initial", "statuses",
                                               "transitions", "status_map", "id", NULL};

/* The definition part of a workflow body. */
static json_t *
definition_of(const json_t *body)
{
    return json_pack("{s:O?,s:O?,s:O?}", "initial", json_object_get(body, "initial"), "statuses",
                     json_object_get(body, "statuses"), "transitions",
                     json_object_get(body, "transitions"));
}

/* Custom fields a transition requires must exist. */
static enum tend_rc
check_required_fields(struct db *db, const struct workflow *wf, struct tend_err *err)
{
    struct custom_field *fields;
    int n;
    enum tend_rc rc = ticket_config_fields(db, 0, &fields, &n, err);

    for (int i = 0; rc == TEND_OK && i < wf->ntransitions; i++)
        for (int j = 0; rc == TEND_OK && j < wf->transitions[i].nrequires; j++) {
            const char *req = wf->transitions[i].requires[j];
            int known = strncmp(req, "custom.", 7) != 0;
            for (int k = 0; !known && k < n; k++)
                known = strcmp(fields[k].key, req + 7) == 0;
            if (!known) {
                char field[64];
                snprintf(field, sizeof(field), "transitions[%d].requires[%d]", i, j);
                rc = tend_fail(err, TEND_EINVAL, field, "no custom field %.40s", req + 7);
            }
        }
    if (fields)
        ticket_config_fields_free(fields, n);
    return rc;
}

/* Every ticket type a custom field names must exist. */
static enum tend_rc
check_field_types(struct db *db, const json_t *body, struct tend_err *err)
{
    size_t i;
    json_t *k;

    json_array_foreach(json_object_get(body, "ticket_types"), i, k) {
        struct ticket_type t;
        enum tend_rc rc = json_is_string(k) ? ticket_config_type(db, json_string_value(k), 0, "ticket_types", &t, err)
                                            : TEND_ENOTFOUND;
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_EINVAL, "ticket_types", "item %zu is not a ticket type", i);
        if (rc)
            return rc;
    }
    return TEND_OK;
}

static enum tend_rc
parse_definition(struct db *db, const json_t *body, struct workflow *wf, char **text,
                 struct tend_err *err)
{
    json_t *def = definition_of(body);
    enum tend_rc rc;

    if (!json_object_get(body, "statuses")) {
        json_decref(def);
        return tend_fail(err, TEND_EINVAL, "statuses", "is required");
    }
    rc = workflow_parse(def, wf, err);
    json_decref(def);
    if (rc)
        return rc; /* workflow_parse cleaned up */
    rc = check_required_fields(db, wf, err);
    if (rc) {
        char *name = wf->name;
        wf->name = NULL;
        workflow_cleanup(wf);
        wf->name = name; /* the caller's */
        return rc;
    }
    def = workflow_definition_json(wf); /* normalised */
    *text = json_dumps(def, JSON_COMPACT);
    json_decref(def);
    return TEND_OK;
}

enum tend_rc
ticket_config_workflow_create(struct db *db, const json_t *body, const char *actor, int64_t now,
                              json_t **out, struct tend_err *err)
{
    const json_t *k = json_object_get(body, "key");
    const char *name;
    struct workflow wf = {0};
    char *text = NULL;
    int64_t id = 0;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, workflow_members, err);

    if (rc)
        return rc;
    if (!json_is_string(k) || !wf_key_valid(json_string_value(k)))
        return tend_fail(err, TEND_EINVAL, "key",
                         "is required: 1-40 characters of a-z, 0-9 and _, starting with a letter");
    if (name_member(body, "name", 1, &name, err))
        return TEND_EINVAL;
    rc = parse_definition(db, body, &wf, &text, err);
    if (rc)
        return rc;
    st = db_prepare(db,
                    "INSERT INTO workflows (key, name, definition, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                    err);
    rc = st ? TEND_OK : err->rc;
    if (st) {
        db_bind_str(st, 1, json_string_value(k));
        db_bind_str(st, 2, name);
        db_bind_str(st, 3, text);
        db_bind_int64(st, 4, now);
        db_bind_int64(st, 5, now);
        rc = unique_violation(db_run_returning_id(st, &id, err), "key", "workflow", err);
    }
    free(text);
    workflow_cleanup(&wf);
    if (rc == TEND_OK)
        rc = ticket_config_workflows_json(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "workflow.created", "workflow", id, actor, *out, now, err);
    return rc;
}

enum tend_rc
ticket_config_workflow_replace(struct db *db, int64_t id, const json_t *body, const char *actor,
                               int64_t now, json_t **out, struct tend_err *err)
{
    struct workflow old, new = {0};
    const json_t *version = json_object_get(body, "version");
    const char *name;
    char *text = NULL;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, workflow_members, err);

    if (rc)
        return rc;
    if (!json_is_integer(version) || json_integer_value(version) < 1)
        return tend_fail(err, TEND_EINVAL, "version", "is required: the version you read");
    if (name_member(body, "name", 0, &name, err))
        return TEND_EINVAL;
    rc = ticket_config_workflow(db, id, &old, err);
    if (rc)
        return rc;
    if (json_object_get(body, "key") && (!json_is_string(json_object_get(body, "key")) ||
                                         strcmp(json_string_value(json_object_get(body, "key")), old.key) != 0))
        rc = tend_fail(err, TEND_EINVAL, "key", "cannot be changed");
    else if (old.version != json_integer_value(version)) {
        *out = json_pack("{s:I}", "current_version", (json_int_t)old.version);
        rc = tend_fail(err, TEND_ECONFLICT, "version",
                       "the workflow was changed by someone else (you sent version %lld, it is now "
                       "%lld): reload and try again",
                       (long long)json_integer_value(version), (long long)old.version);
    }
    if (rc == TEND_OK)
        rc = parse_definition(db, body, &new, &text, err);
    if (rc == TEND_OK)
        rc = remap(db, "t.type_id IN (SELECT id FROM ticket_types WHERE workflow_id = ?)", id, &old, &new,
                   json_object_get(body, "status_map"), now, err);
    if (rc == TEND_OK) {
        st = db_prepare(db,
                        "UPDATE workflows SET name = ?, definition = ?, version = version + 1, "
                        "updated_at = ? WHERE id = ?",
                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_str(st, 1, name ? name : old.name);
            db_bind_str(st, 2, text);
            db_bind_int64(st, 3, now);
            db_bind_int64(st, 4, id);
            rc = db_run(st, err);
        }
    }
    free(text);
    workflow_cleanup(&old);
    workflow_cleanup(&new);
    if (rc == TEND_OK)
        rc = ticket_config_workflows_json(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "workflow.updated", "workflow", id, actor, *out, now, err);
    return rc;
}

/* --- custom fields ------------------------------------------------------------- */

static enum tend_rc
field_json_out(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct custom_field *fields;
    int n;
    enum tend_rc rc = ticket_config_fields(db, 0, &fields, &n, err);

    if (rc)
        return rc;
    rc = tend_fail(err, TEND_ENOTFOUND, "id", "no custom field %lld", (long long)id);
    for (int i = 0; i < n; i++)
        if (fields[i].id == id) {
            *out = custom_field_json(&fields[i], 1);
            rc = TEND_OK;
        }
    ticket_config_fields_free(fields, n);
    return rc;
}

static enum tend_rc
save_field(struct db *db, int64_t id, const struct custom_field *f, int64_t now, int64_t *new_id,
           struct tend_err *err)
{
    json_t *def = custom_field_json(f, 0);
    char *text = json_dumps(def, JSON_COMPACT);
    struct db_stmt *st = db_prepare(
        db,
        id ? "UPDATE custom_fields SET definition = ?, active = ?, position = ?, updated_at = ? "
             "WHERE id = ?"
           : "INSERT INTO custom_fields (definition, active, position, updated_at, key, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        err);
    enum tend_rc rc = st ? TEND_OK : err->rc;

    if (st) {
        db_bind_str(st, 1, text);
        db_bind_int64(st, 2, f->active);
        db_bind_int64(st, 3, f->position);
        db_bind_int64(st, 4, now);
        if (id) {
            db_bind_int64(st, 5, id);
            rc = db_run(st, err);
        } else {
            db_bind_str(st, 5, f->key);
            db_bind_int64(st, 6, now);
            rc = unique_violation(db_run_returning_id(st, new_id, err), "key", "custom field", err);
        }
    }
    free(text);
    json_decref(def);
    return rc;
}

enum tend_rc
ticket_config_field_create(struct db *db, const json_t *body, const char *actor, int64_t now,
                           json_t **out, struct tend_err *err)
{
    struct custom_field f;
    int64_t id = 0;
    enum tend_rc rc = custom_field_parse(body, NULL, &f, err);

    if (rc)
        return rc;
    rc = check_field_types(db, body, err);
    if (rc) {
        custom_field_cleanup(&f);
        return rc;
    }
    rc = save_field(db, 0, &f, now, &id, err);
    if (rc == TEND_OK)
        rc = ticket_config_index_field(db, f.key, f.type, err);
    custom_field_cleanup(&f);
    if (rc == TEND_OK)
        rc = field_json_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "custom_field.created", "custom_field", id, actor, *out, now, err);
    return rc;
}

enum tend_rc
ticket_config_field_update(struct db *db, int64_t id, const json_t *body, const char *actor,
                           int64_t now, json_t **out, struct tend_err *err)
{
    struct custom_field *fields, f;
    const struct custom_field *base = NULL;
    int n;
    enum tend_rc rc = ticket_config_fields(db, 0, &fields, &n, err);

    memset(&f, 0, sizeof(f));
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        if (fields[i].id == id)
            base = &fields[i];
    if (!base)
        rc = tend_fail(err, TEND_ENOTFOUND, "id", "no custom field %lld", (long long)id);
    else
        rc = custom_field_parse(body, base, &f, err);
    ticket_config_fields_free(fields, n);
    if (rc == TEND_OK) {
        rc = check_field_types(db, body, err);
        if (rc)
            custom_field_cleanup(&f);
    }
    if (rc)
        return rc;
    rc = save_field(db, id, &f, now, NULL, err);
    custom_field_cleanup(&f);
    if (rc == TEND_OK)
        rc = field_json_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "custom_field.updated", "custom_field", id, actor, body, now, err);
    return rc;
}

/* --- categories ------------------------------------------------------------------ */

static const char *const category_members[] = {"kind", "name", "parent_id", "code", "active", "skills", NULL};

/* The required skills of a category's tickets: *text is owned JSON, NULL when absent. */
static enum tend_rc
skills_member(const json_t *body, char **text, struct tend_err *err)
{
    const json_t *v = json_object_get(body, "skills");
    json_t *out;
    size_t i;
    json_t *s;

    *text = NULL;
    if (!v)
        return TEND_OK;
    if (!json_is_array(v) || json_array_size(v) > TICKET_MAX_TAGS)
        return tend_fail(err, TEND_EINVAL, "skills", "must be a list of at most %d skill names", TICKET_MAX_TAGS);
    out = json_array();
    json_array_foreach(v, i, s) {
        char *norm = json_is_string(s) ? ticket_tag_normalise(json_string_value(s), json_string_length(s)) : NULL;
        if (!norm) {
            json_decref(out);
            return tend_fail(err, TEND_EINVAL, "skills", "item %zu must be 1 to %d characters without commas", i,
                             TICKET_TAG_MAX_CHARS);
        }
        json_array_append_new(out, json_string(norm));
        free(norm);
    }
    *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return TEND_OK;
}

static enum tend_rc
save_skills(struct db *db, int64_t id, const char *skills, struct tend_err *err)
{
    struct db_stmt *st;

    if (!skills)
        return TEND_OK;
    st = db_prepare(db, "UPDATE categories SET skills = ? WHERE id = ?", err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, skills);
    db_bind_int64(st, 2, id);
    return db_run(st, err);
}

static enum tend_rc
category_out(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    json_t *all;
    size_t i;
    json_t *c;
    enum tend_rc rc = ticket_config_categories_json(db, NULL, &all, err);

    if (rc)
        return rc;
    rc = tend_fail(err, TEND_ENOTFOUND, "id", "no category %lld", (long long)id);
    json_array_foreach(all, i, c)
        if (json_integer_value(json_object_get(c, "id")) == id) {
            *out = json_incref(c);
            rc = TEND_OK;
        }
    json_decref(all);
    return rc;
}

/* The parent must exist, be of the same kind, and not be `id` or below it. */
static enum tend_rc
check_parent(struct db *db, int64_t id, int64_t parent, const char *kind, struct tend_err *err)
{
    for (int depth = 0; parent; depth++) {
        struct db_stmt *st = db_prepare(db, "SELECT kind, parent_id FROM categories WHERE id = ?", err);
        enum db_step_result r;
        int same_kind;
        if (!st)
            return err->rc;
        if (parent == id || depth > 20)
            return tend_fail(err, TEND_EINVAL, "parent_id", "would make a cycle (or a tree over 20 deep)");
        db_bind_int64(st, 1, parent);
        r = db_step(st, err);
        if (r == DB_FAIL)
            return err->rc;
        if (r == DB_DONE) {
            db_reset(st);
            return tend_fail(err, TEND_EINVAL, "parent_id", "no category %lld", (long long)parent);
        }
        same_kind = strcmp(db_col_text(st, 0), kind) == 0;
        parent = db_col_is_null(st, 1) ? 0 : db_col_int64(st, 1);
        db_reset(st);
        if (!same_kind)
            return tend_fail(err, TEND_EINVAL, "parent_id", "the parent is of another kind");
    }
    return TEND_OK;
}

static enum tend_rc
code_member(const json_t *body, const char **code, int *present, struct tend_err *err)
{
    const json_t *v = json_object_get(body, "code");

    *present = v != NULL;
    *code = NULL;
    if (!v || json_is_null(v))
        return TEND_OK;
    if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 40)
        return tend_fail(err, TEND_EINVAL, "code", "must be 1 to 40 characters, or null");
    *code = json_string_value(v);
    return TEND_OK;
}

enum tend_rc
ticket_config_category_create(struct db *db, const json_t *body, const char *actor, int64_t now,
                              json_t **out, struct tend_err *err)
{
    const json_t *kind = json_object_get(body, "kind");
    const char *name, *code;
    int64_t parent = 0, id = 0;
    int has_parent, has_code;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, category_members, err);

    if (rc)
        return rc;
    if (!json_is_string(kind) || (strcmp(json_string_value(kind), "category") != 0 &&
                                  strcmp(json_string_value(kind), "fault_code") != 0))
        return tend_fail(err, TEND_EINVAL, "kind", "must be category or fault_code");
    if (name_member(body, "name", 1, &name, err) || code_member(body, &code, &has_code, err))
        return TEND_EINVAL;
    if (json_object_get(body, "parent_id") && !json_is_null(json_object_get(body, "parent_id")) &&
        int_member(body, "parent_id", 1, INT64_MAX, &parent, &has_parent, err))
        return TEND_EINVAL;
    rc = check_parent(db, -1, parent, json_string_value(kind), err);
    if (rc)
        return rc;
    st = db_prepare(db,
                    "INSERT INTO categories (kind, parent_id, code, name, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, json_string_value(kind));
    db_bind_ref(st, 2, parent);
    db_bind_str(st, 3, code);
    db_bind_str(st, 4, name);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    rc = db_run_returning_id(st, &id, err);
    if (rc == TEND_OK) {
        char *skills = NULL;
        rc = skills_member(body, &skills, err);
        if (rc == TEND_OK)
            rc = save_skills(db, id, skills, err);
        free(skills);
    }
    if (rc == TEND_OK)
        rc = category_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "category.created", "category", id, actor, *out, now, err);
    return rc;
}

enum tend_rc
ticket_config_category_update(struct db *db, int64_t id, const json_t *body, const char *actor,
                              int64_t now, json_t **out, struct tend_err *err)
{
    json_t *cur;
    const char *name, *code;
    int64_t parent = 0;
    int has_code, active = 1, has_active, has_parent = 0;
    struct db_stmt *st;
    enum tend_rc rc = only_members(body, category_members, err);

    if (rc)
        return rc;
    if (json_object_get(body, "kind"))
        return tend_fail(err, TEND_EINVAL, "kind", "cannot be changed");
    rc = category_out(db, id, &cur, err);
    if (rc)
        return rc;
    parent = json_integer_value(json_object_get(cur, "parent_id"));
    if (name_member(body, "name", 0, &name, err) || code_member(body, &code, &has_code, err) ||
        bool_member(body, "active", &active, &has_active, err))
        rc = TEND_EINVAL;
    else if (json_object_get(body, "parent_id")) {
        has_parent = 1;
        parent = 0;
        if (!json_is_null(json_object_get(body, "parent_id")) &&
            int_member(body, "parent_id", 1, INT64_MAX, &parent, &has_parent, err))
            rc = TEND_EINVAL;
        else
            rc = check_parent(db, id, parent, json_string_value(json_object_get(cur, "kind")), err);
    }
    if (rc == TEND_OK) {
        st = db_prepare(db,
                        "UPDATE categories SET name = ?, code = ?, active = ?, parent_id = ?, "
                        "updated_at = ? WHERE id = ?",
                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            const json_t *old_code = json_object_get(cur, "code");
            db_bind_str(st, 1, name ? name : json_string_value(json_object_get(cur, "name")));
            db_bind_str(st, 2, has_code ? code : json_string_value(old_code));
            db_bind_int64(st, 3, has_active ? active : json_is_true(json_object_get(cur, "active")));
            db_bind_ref(st, 4, parent);
            db_bind_int64(st, 5, now);
            db_bind_int64(st, 6, id);
            rc = db_run(st, err);
        }
    }
    (void)has_parent;
    json_decref(cur);
    if (rc == TEND_OK) {
        char *skills = NULL;
        rc = skills_member(body, &skills, err);
        if (rc == TEND_OK)
            rc = save_skills(db, id, skills, err);
        free(skills);
    }
    if (rc == TEND_OK)
        rc = category_out(db, id, out, err);
    if (rc == TEND_OK)
        rc = event_append(db, "category.updated", "category", id, actor, body, now, err);
    return rc;
}
