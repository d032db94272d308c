/* rules_api.c: the routes of the rules engine (docs/api-rules.md): list, read,
 * create, change, delete, reorder, validate, dry-run, and the builder's field
 * list. Writes go through the writer thread; condition errors carry their
 * position. */
#include "rules_api.h"

#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "rules_store.h"

typedef enum tend_rc (*rules_write_fn)(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                       json_t **out, struct tend_err *err);

struct rules_write {
    struct api_write w; /* first */
    rules_write_fn fn;
    int64_t id;
    int created;
    json_t *body;
    char actor[72];
    json_t *result;
    int position;
};

/* A 4xx with the errors list, the condition's position when there is one. */
static void
send_error(struct api_req *r, const struct tend_err *err, int position, json_t *current)
{
    json_t *extra;
    json_t *e;

    if (err->rc != TEND_EINVAL || position < 0) {
        if (current) {
            api_send_problem(r, 409, err->field, err->message, json_pack("{s:o}", "current", current));
            return;
        }
        api_send_error(r, err);
        return;
    }
    e = json_pack("{s:s,s:s,s:i}", "field", err->field, "message", err->message, "position", position);
    extra = json_pack("{s:[o]}", "errors", e);
    api_send_problem(r, 422, err->field, err->message, extra);
}

static enum tend_rc
apply(struct api_write *w, struct db *db)
{
    struct rules_write *s = (struct rules_write *)w;
    const json_t *cond = json_object_get(s->body, "condition");

    s->position = -1;
    if (s->fn == rules_store_create || s->fn == rules_store_update) {
        /* the condition's position travels beside the error */
        struct rules_catalog_data cat;
        enum tend_rc rc = rules_catalog_load(db, &cat, &w->task.err);
        if (rc == TEND_OK && json_is_string(cond)) {
            struct expr *e = NULL;
            struct tend_err cerr;
            tend_err_clear(&cerr);
            if (expr_compile(json_string_value(cond), &cat.cat.x, &e, &s->position, &cerr) != TEND_OK) {
                rules_catalog_cleanup(&cat);
                w->task.err = cerr;
                return TEND_EINVAL;
            }
            expr_free(e);
        }
        rules_catalog_cleanup(&cat);
        s->position = -1;
        if (rc)
            return rc;
    }
    return s->fn(db, s->id, s->body, s->actor, time_now_ms(), &s->result, &w->task.err);
}

static void
respond(struct api_write *w, struct api_req *r)
{
    struct rules_write *s = (struct rules_write *)w;

    if (w->task.rc == TEND_ECONFLICT && s->result) {
        send_error(r, &w->task.err, -1, s->result);
        s->result = NULL;
        return;
    }
    if (w->task.rc) {
        send_error(r, &w->task.err, s->position, NULL);
        return;
    }
    if (!s->result) {
        api_send_raw(r, 204, "application/json", "", 0);
        return;
    }
    api_send_json(r, s->created ? 201 : 200, s->result);
    s->result = NULL;
}

static void
release(struct api_write *w)
{
    struct rules_write *s = (struct rules_write *)w;

    json_decref(s->body);
    json_decref(s->result);
    free(s);
}

static void
submit(struct api_req *r, int with_id, int created, rules_write_fn fn)
{
    struct rules_write *s;
    int64_t id = 0;

    if (with_id && api_path_id(r, "rule", &id))
        return;
    s = xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->id = id;
    s->created = created;
    s->body = r->body ? json_deep_copy(r->body) : json_object();
    strlcopy(s->actor, r->actor.username, sizeof(s->actor));
    s->w.apply = apply;
    s->w.respond = respond;
    s->w.release = release;
    api_submit_write(r, &s->w);
}

void
rules_api_list(struct api_req *r)
{
    json_t *out = NULL;
    struct tend_err err;

    tend_err_clear(&err);
    if (rules_store_list(r->db, &out, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, out);
}

void
rules_api_get(struct api_req *r)
{
    json_t *out = NULL;
    struct tend_err err;
    int64_t id;

    if (api_path_id(r, "rule", &id))
        return;
    tend_err_clear(&err);
    if (rules_store_get_json(r->db, id, &out, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, out);
}

void
rules_api_create(struct api_req *r)
{
    submit(r, 0, 1, rules_store_create);
}

void
rules_api_update(struct api_req *r)
{
    submit(r, 1, 0, rules_store_update);
}

void
rules_api_delete(struct api_req *r)
{
    submit(r, 1, 0, rules_store_delete);
}

void
rules_api_reorder(struct api_req *r)
{
    submit(r, 0, 0, rules_store_reorder);
}

void
rules_api_validate(struct api_req *r)
{
    struct tend_err err;
    int position = -1;

    tend_err_clear(&err);
    if (rules_store_validate(r->db, r->body, &position, &err)) {
        send_error(r, &err, position, NULL);
        return;
    }
    api_send_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void
rules_api_dry_run(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    int position = -1;

    tend_err_clear(&err);
    if (rules_dry_run(r->db, r->body, time_now_ms(), &out, &position, &err)) {
        send_error(r, &err, position, NULL);
        return;
    }
    api_send_json(r, 200, out);
}

void
rules_api_fields(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    tend_err_clear(&err);
    if (rules_fields_json(r->db, &out, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, out);
}
