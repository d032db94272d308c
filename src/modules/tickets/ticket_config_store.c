/* ticket_config_store.c: the SQL of ticket configuration: types, workflows
 * (with the re-mapping of tickets when a status goes away), custom fields and
 * categories. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/users/users.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets_store.h"

/* --- per-thread cache of parsed configuration ---------------------------------- */

#define CACHED_WORKFLOWS 16

struct config_cache {
    int fields_valid;
    int64_t fields_key[4]; /* count, max(updated_at), sum(updated_at), sum(active) */
    struct custom_field *fields;
    int nfields;
    struct {
        int64_t id, version;
        struct workflow wf;
    } workflows[CACHED_WORKFLOWS];
    int nworkflows;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cache_free(void *p)
{
    struct config_cache *c = p;

    ticket_config_fields_free(c->fields, c->nfields);
    for (int i = 0; i < c->nworkflows; i++)
        workflow_cleanup(&c->workflows[i].wf);
    free(c);
}

static void
cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_free); /* freed when the thread ends */
}

static struct config_cache *
thread_cache(void)
{
    struct config_cache *c;

    pthread_once(&cache_once, cache_key_create);
    c = pthread_getspecific(cache_key);
    if (!c) {
        c = xcalloc(1, sizeof(*c));
        pthread_setspecific(cache_key, c);
    }
    return c;
}

/* --- reads ------------------------------------------------------------------ */

static void
read_type(struct db_stmt *st, void *out)
{
    struct ticket_type *t = out;

    t->id = db_col_int64(st, 0);
    strlcopy(t->key, db_col_text(st, 1), sizeof(t->key));
    strlcopy(t->name, db_col_text(st, 2), sizeof(t->name));
    t->workflow_id = db_col_int64(st, 3);
    strlcopy(t->workflow_key, db_col_text(st, 4), sizeof(t->workflow_key));
    t->active = (int)db_col_int64(st, 5);
    t->position = (int)db_col_int64(st, 6);
}

#define TYPE_SELECT                                                                              \
    "SELECT ty.id, ty.key, ty.name, ty.workflow_id, w.key, ty.active, ty.position "              \
    "FROM ticket_types ty JOIN workflows w ON w.id = ty.workflow_id "

enum tend_rc
ticket_config_type(struct db *db, const char *key, int64_t id, const char *field,
                   struct ticket_type *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, key ? TYPE_SELECT "WHERE ty.key = ?" : TYPE_SELECT "WHERE ty.id = ?",
                                    err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    if (key)
        db_bind_str(st, 1, key);
    else
        db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_type, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, field, "no ticket type %s", key ? key : "with that id");
    return rc;
}

struct workflow_row {
    struct workflow *wf;
    char *definition;
};

static void
read_workflow(struct db_stmt *st, void *out)
{
    struct workflow_row *w = out;

    w->wf->id = db_col_int64(st, 0);
    strlcopy(w->wf->key, db_col_text(st, 1), sizeof(w->wf->key));
    w->definition = xstrdup(db_col_text(st, 3));
    w->wf->version = db_col_int64(st, 4);
    w->wf->name = xstrdup(db_col_text(st, 2));
}

enum tend_rc
ticket_config_workflow(struct db *db, int64_t id, struct workflow *out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT id, key, name, definition, version FROM workflows WHERE id = ?", err);
    struct workflow_row row;
    json_t *def;
    enum tend_rc rc;

    memset(out, 0, sizeof(*out));
    row.wf = out;
    row.definition = NULL;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_workflow, &row, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no workflow %lld", (long long)id);
    if (rc)
        return rc;
    def = json_loads(row.definition, 0, NULL);
    free(row.definition);
    rc = workflow_parse(def, out, err);
    json_decref(def);
    if (rc) {
        workflow_cleanup(out);
        return tend_fail(err, TEND_EINTERNAL, NULL, "stored workflow %lld is invalid", (long long)id);
    }
    return TEND_OK;
}

enum tend_rc
ticket_config_fields_cached(struct db *db, const struct custom_field **out, int *n, struct tend_err *err)
{
    struct config_cache *c = thread_cache();
    struct db_stmt *st = db_prepare(db,
                                    "SELECT count(*), coalesce(max(updated_at), 0), "
                                    "coalesce(sum(updated_at), 0), coalesce(sum(active), 0) "
                                    "FROM custom_fields",
                                    err);
    int64_t key[4] = {0, 0, 0, 0};
    enum tend_rc rc;

    if (!st)
        return err->rc;
    if (db_step(st, err) == DB_ROW)
        for (int i = 0; i < 4; i++)
            key[i] = db_col_int64(st, i);
    db_reset(st);
    if (!c->fields_valid || memcmp(key, c->fields_key, sizeof(key)) != 0) {
        struct custom_field *fields;
        int count;
        rc = ticket_config_fields(db, 1, &fields, &count, err);
        if (rc)
            return rc;
        ticket_config_fields_free(c->fields, c->nfields);
        c->fields = fields;
        c->nfields = count;
        memcpy(c->fields_key, key, sizeof(key));
        c->fields_valid = 1;
    }
    *out = c->fields;
    *n = c->nfields;
    return TEND_OK;
}

enum tend_rc
ticket_config_workflow_cached(struct db *db, int64_t id, const struct workflow **out, struct tend_err *err)
{
    struct config_cache *c = thread_cache();
    struct db_stmt *st = db_prepare(db, "SELECT version FROM workflows WHERE id = ?", err);
    enum db_step_result r;
    int64_t version = 0;
    int slot = -1;
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        version = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no workflow %lld", (long long)id);
    for (int i = 0; i < c->nworkflows; i++)
        if (c->workflows[i].id == id) {
            if (c->workflows[i].version == version) {
                *out = &c->workflows[i].wf;
                return TEND_OK;
            }
            slot = i;
        }
    if (slot < 0)
        slot = c->nworkflows < CACHED_WORKFLOWS ? c->nworkflows++ : (int)(id % CACHED_WORKFLOWS);
    workflow_cleanup(&c->workflows[slot].wf); /* a new slot is zeroed: nothing to free */
    c->workflows[slot].id = 0;
    rc = ticket_config_workflow(db, id, &c->workflows[slot].wf, err);
    if (rc)
        return rc;
    c->workflows[slot].id = id;
    c->workflows[slot].version = c->workflows[slot].wf.version;
    *out = &c->workflows[slot].wf;
    return TEND_OK;
}

void
ticket_config_fields_free(struct custom_field *fields, int n)
{
    for (int i = 0; i < n; i++)
        custom_field_cleanup(&fields[i]);
    free(fields);
}

enum tend_rc
ticket_config_fields(struct db *db, int active_only, struct custom_field **out, int *n,
                     struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    active_only ? "SELECT id, definition, active FROM custom_fields "
                                                  "WHERE active = 1 ORDER BY position, id"
                                                : "SELECT id, definition, active FROM custom_fields "
                                                  "ORDER BY position, id",
                                    err);
    enum db_step_result r;
    int cap = 8;

    *out = NULL;
    *n = 0;
    if (!st)
        return err->rc;
    *out = xcalloc((size_t)cap, sizeof(**out));
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *def = json_loads(db_col_text(st, 1), 0, NULL);
        struct tend_err ignored;
        if (*n == cap) {
            cap *= 2;
            *out = xrealloc(*out, (size_t)cap * sizeof(**out));
        }
        if (def && custom_field_parse(def, NULL, &(*out)[*n], &ignored) == TEND_OK) {
            (*out)[*n].id = db_col_int64(st, 0);
            (*out)[*n].active = (int)db_col_int64(st, 2);
            (*n)++;
        }
        json_decref(def);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        ticket_config_fields_free(*out, *n);
        *out = NULL;
        *n = 0;
        return err->rc;
    }
    return TEND_OK;
}

enum tend_rc
ticket_config_check_category(struct db *db, int64_t id, const char *kind, const char *field,
                             struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT 1 FROM categories WHERE id = ? AND kind = ? AND active = 1", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_str(st, 2, kind);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_EINVAL, field, "no active %s %lld",
                         strcmp(kind, "category") == 0 ? "category" : "fault code", (long long)id);
    return TEND_OK;
}

static json_t *
type_json(const struct ticket_type *t)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:s,s:b,s:i}", "id", (json_int_t)t->id, "key", t->key, "name",
                     t->name, "workflow_id", (json_int_t)t->workflow_id, "workflow_key",
                     t->workflow_key, "active", t->active, "position", t->position);
}

enum tend_rc
ticket_config_types_json(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, TYPE_SELECT "ORDER BY ty.position, ty.id", err);
    enum db_step_result r;
    struct ticket_type t;

    if (!st)
        return err->rc;
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        read_type(st, &t);
        json_array_append_new(*out, type_json(&t));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(*out);
        return err->rc;
    }
    return TEND_OK;
}

static json_t *
workflow_json(const struct workflow *wf)
{
    json_t *o = workflow_definition_json(wf);

    json_object_set_new(o, "id", json_integer(wf->id));
    json_object_set_new(o, "key", json_string(wf->key));
    json_object_set_new(o, "name", json_string(wf->name));
    json_object_set_new(o, "version", json_integer(wf->version));
    return o;
}

enum tend_rc
ticket_config_workflows_json(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT id FROM workflows ORDER BY id", err);
    enum db_step_result r;
    int64_t ids[256];
    int n = 0;
    enum tend_rc rc = TEND_OK;

    if (id) {
        struct workflow wf;
        rc = ticket_config_workflow(db, id, &wf, err);
        if (rc == TEND_OK) {
            *out = workflow_json(&wf);
            workflow_cleanup(&wf);
        }
        return rc;
    }
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW && n < 256)
        ids[n++] = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    *out = json_array();
    for (int i = 0; i < n && rc == TEND_OK; i++) {
        struct workflow wf;
        rc = ticket_config_workflow(db, ids[i], &wf, err);
        if (rc == TEND_OK) {
            json_array_append_new(*out, workflow_json(&wf));
            workflow_cleanup(&wf);
        }
    }
    if (rc)
        json_decref(*out);
    return rc;
}

enum tend_rc
ticket_config_index_field(struct db *db, const char *key, enum cf_type type, struct tend_err *err)
{
    char sql[256], expr[96];
    int pg = db_kind(db) == DB_POSTGRES;

    if (type == CF_LONG_TEXT || type == CF_MULTI_SELECT)
        return TEND_OK;
    if (!wf_key_valid(key)) /* it goes into SQL text: only [a-z0-9_] */
        return tend_fail(err, TEND_EINTERNAL, NULL, "bad custom field key");
    /* the queries' expression without their table alias */
    tickets_custom_expr(pg, "", key, cf_type_numeric(type), expr, sizeof(expr));
    snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS tickets_custom_%s ON tickets (%s%s%s)", key,
             pg ? "(" : "", expr, pg ? ")" : "");
    return db_exec(db, sql, err);
}

enum tend_rc
ticket_config_check_filter(struct db *db, const struct ticket_filter *f, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    for (int i = 0; i < f->ntypes && rc == TEND_OK; i++) {
        struct ticket_type t;
        rc = ticket_config_type(db, f->types[i], 0, "type", &t, err);
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_ESYNTAX, "type", "'%.40s' is not a ticket type", f->types[i]);
    }
    for (int i = 0; i < f->nstatuses && rc == TEND_OK; i++) {
        /* the stored definitions are normalised JSON: ask SQLite, no parsing here */
        struct db_stmt *st = db_prepare(
            db,
            db_kind(db) == DB_POSTGRES
                ? "SELECT 1 FROM workflows w, jsonb_array_elements(w.definition::jsonb -> 'statuses') s "
                  "WHERE s ->> 'key' = ? LIMIT 1"
                : "SELECT 1 FROM workflows w, json_each(w.definition, '$.statuses') s "
                  "WHERE json_extract(s.value, '$.key') = ? LIMIT 1",
            err);
        enum db_step_result r;
        if (!st)
            return err->rc;
        db_bind_str(st, 1, f->statuses[i]);
        r = db_step(st, err);
        db_reset(st);
        if (r == DB_FAIL)
            return err->rc;
        if (r == DB_DONE)
            rc = tend_fail(err, TEND_ESYNTAX, "status", "'%.40s' is not a status of any workflow",
                           f->statuses[i]);
    }
    return rc;
}

enum tend_rc
ticket_config_filter(struct db *db, const char *const *names, const char *const *values, int n,
                     int64_t me, int list_only, struct ticket_filter *f, struct tend_err *err)
{
    struct custom_field *fields = NULL;
    int nfields = 0, need_fields = 0;
    enum tend_rc rc;

    for (int i = 0; i < n; i++)
        need_fields |= strncmp(names[i], "custom.", 7) == 0 ||
                       (strcmp(names[i], "sort") == 0 && strstr(values[i], "custom."));
    if (need_fields && (rc = ticket_config_fields(db, 0, &fields, &nfields, err)) != TEND_OK)
        return rc;
    rc = ticket_filter_parse(names, values, n, fields, nfields, me, list_only, f, err);
    ticket_config_fields_free(fields, nfields);
    if (rc == TEND_OK)
        rc = ticket_config_check_filter(db, f, err);
    return rc;
}

static json_t *
category_row_json(struct db_stmt *st)
{
    json_t *skills = json_loads(db_col_text(st, 6), 0, NULL);

    return json_pack("{s:I,s:s,s:o,s:o,s:s,s:b,s:o}", "id", (json_int_t)db_col_int64(st, 0), "kind",
                     db_col_text(st, 1), "parent_id",
                     db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)), "code",
                     db_col_is_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)), "name",
                     db_col_text(st, 4), "active", (int)db_col_int64(st, 5), "skills",
                     json_is_array(skills) ? skills : json_array());
}

enum tend_rc
ticket_config_categories_json(struct db *db, const char *kind, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        kind ? "SELECT id, kind, parent_id, code, name, active, skills FROM categories WHERE kind = ? "
               "ORDER BY parent_id IS NOT NULL, parent_id, name, id"
             : "SELECT id, kind, parent_id, code, name, active, skills FROM categories "
               "ORDER BY kind, parent_id IS NOT NULL, parent_id, name, id",
        err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    if (kind)
        db_bind_str(st, 1, kind);
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(*out, category_row_json(st));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(*out);
        return err->rc;
    }
    return TEND_OK;
}

enum tend_rc
ticket_status_pauses_sla(struct db *db, const struct ticket *t, int *pauses, struct tend_err *err)
{
    const struct workflow *wf = NULL;
    struct ticket_type type;
    enum tend_rc rc;
    int i;

    *pauses = 0;
    memset(&type, 0, sizeof(type));
    rc = ticket_config_type(db, NULL, t->type_id, "type", &type, err);
    if (rc == TEND_OK)
        rc = ticket_config_workflow_cached(db, type.workflow_id, &wf, err);
    if (rc || !wf)
        return rc;
    i = workflow_status_index(wf, t->status);
    *pauses = i >= 0 && wf->statuses[i].pauses_sla;
    return TEND_OK;
}
