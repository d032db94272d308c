/* records_api.c: the HTTP side of records described as data: list, read,
 * create, change (with a version) and upsert by external id, each write
 * applied on the writer thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "platform/http/api.h"
#include "platform/util/util.h"

static const char *const ignore_on_write[] = {"id", "version", "created_at", "updated_at", NULL};

int
records_api_filter(struct api_req *r, const struct rec_kind *k, struct rec_filter *f, json_t **hold)
{
    const char *names[API_MAX_QUERY], *values[API_MAX_QUERY];
    struct tend_err err;

    tend_err_clear(&err);
    for (int i = 0; i < r->nquery; i++) {
        names[i] = r->query[i].name;
        values[i] = r->query[i].value;
    }
    if (rec_filter_parse(k, names, values, r->nquery, f, hold, &err)) {
        json_decref(*hold);
        *hold = NULL;
        api_send_problem(r, 400, err.field, err.message, NULL);
        return -1;
    }
    f->scope_org = customers_scope_for(&r->actor);
    return 0;
}

void
records_api_list(struct api_req *r, const struct rec_kind *k)
{
    struct rec_filter f;
    struct tend_err err;
    json_t *hold = NULL, *out = NULL;

    if (records_api_filter(r, k, &f, &hold))
        return;
    if (rec_store_list(r->db, k, &f, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
    json_decref(hold);
}

void
records_api_get(struct api_req *r, const struct rec_kind *k)
{
    struct tend_err err;
    json_t *out = NULL;
    int64_t id;

    if (api_path_id(r, k->name, &id))
        return;
    if (rec_store_get(r->db, k, id, customers_scope_for(&r->actor), &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* --- writes ------------------------------------------------------------------ */

enum rec_op { REC_CREATE, REC_UPDATE, REC_UPSERT };

struct rec_write {
    struct api_write w; /* first */
    const struct rec_kind *k;
    enum rec_op op;
    int64_t id, version, scope_org;
    char ext[256];
    json_t *rec; /* validated: a full record (create, upsert) or a patch */
    json_t *patch; /* upsert: the same body validated as a patch, for an existing row */
    char actor[72];
    int created;
    json_t *result;
};

static enum tend_rc
rec_apply(struct api_write *w, struct db *db)
{
    struct rec_write *c = (struct rec_write *)w;
    int64_t now = time_now_ms();
    enum tend_rc rc;

    switch (c->op) {
    case REC_CREATE:
        rc = rec_store_insert(db, c->k, c->rec, c->actor, now, &c->id, &w->task.err);
        c->created = 1;
        break;
    case REC_UPDATE:
        rc = rec_store_update(db, c->k, c->id, c->rec, c->version, c->scope_org, c->actor, now, &w->task.err);
        break;
    default:
        rc = rec_store_find_external(db, c->k, c->ext, &c->id, &w->task.err);
        if (rc == TEND_OK && c->id)
            rc = rec_store_update(db, c->k, c->id, c->patch, 0, c->scope_org, c->actor, now, &w->task.err);
        else if (rc == TEND_OK) {
            /* a new row: the body must be a whole record */
            rc = rec_validate(c->k, c->patch, 1, NULL, &c->rec, &w->task.err);
            if (rc == TEND_OK)
                rc = rec_store_insert(db, c->k, c->rec, c->actor, now, &c->id, &w->task.err);
            c->created = 1;
        }
        break;
    }
    if (rc == TEND_OK)
        rc = rec_store_get(db, c->k, c->id, 0, &c->result, &w->task.err);
    return rc;
}

static void
rec_respond(struct api_write *w, struct api_req *r)
{
    struct rec_write *c = (struct rec_write *)w;
    char location[160];

    if (w->task.rc == TEND_ECONFLICT && c->op == REC_UPDATE) {
        json_t *cur = NULL;
        struct tend_err ignored;
        rec_store_get(r->db, c->k, c->id, c->scope_org, &cur, &ignored);
        api_send_problem(r, 409, w->task.err.field, w->task.err.message,
                         json_pack("{s:I}", "current_version",
                                   (json_int_t)json_integer_value(json_object_get(cur, "version"))));
        json_decref(cur);
        return;
    }
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    if (c->created) {
        snprintf(location, sizeof(location), "%s/%lld", c->k->route, (long long)c->id);
        api_add_header(r, "location", location);
    }
    api_send_json(r, c->created ? 201 : 200, c->result);
    c->result = NULL;
}

static void
rec_release(struct api_write *w)
{
    struct rec_write *c = (struct rec_write *)w;

    json_decref(c->rec);
    json_decref(c->patch);
    json_decref(c->result);
    free(c);
}

static void
submit(struct api_req *r, struct rec_write *c)
{
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
    c->scope_org = customers_scope_for(&r->actor);
    c->w.apply = rec_apply;
    c->w.respond = rec_respond;
    c->w.release = rec_release;
    api_submit_write(r, &c->w);
}

void
records_api_create(struct api_req *r, const struct rec_kind *k)
{
    struct tend_err err;
    json_t *rec = NULL;
    struct rec_write *c;

    tend_err_clear(&err);
    if (rec_validate(k, r->body, 1, ignore_on_write, &rec, &err)) {
        api_send_error(r, &err);
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->k = k;
    c->op = REC_CREATE;
    c->rec = rec;
    submit(r, c);
}

void
records_api_update(struct api_req *r, const struct rec_kind *k)
{
    struct tend_err err;
    json_t *rec = NULL;
    const json_t *v = json_object_get(r->body, "version");
    const char *if_match = api_header(r, "if-match");
    int64_t id, version = 0;
    struct rec_write *c;

    if (api_path_id(r, k->name, &id))
        return;
    tend_err_clear(&err);
    if (rec_validate(k, r->body, 0, ignore_on_write, &rec, &err)) {
        api_send_error(r, &err);
        return;
    }
    if (json_is_integer(v) && json_integer_value(v) > 0)
        version = json_integer_value(v);
    else if (!v && if_match) {
        const char *p = if_match + strspn(if_match, "W/\"v");
        if (parse_int64(p, strcspn(p, "\""), 1, INT64_MAX, &version) != 0)
            version = 0;
    }
    if (version < 1) {
        json_decref(rec);
        api_send_problem(r, 422, "version", "is required: send the version you read, or If-Match", NULL);
        return;
    }
    if (json_object_size(rec) == 0) {
        json_decref(rec);
        api_send_problem(r, 422, "", "nothing to change: send at least one field", NULL);
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->k = k;
    c->op = REC_UPDATE;
    c->id = id;
    c->version = version;
    c->rec = rec;
    submit(r, c);
}

void
records_api_upsert(struct api_req *r, const struct rec_kind *k)
{
    const char *ext = api_param(r, "ext");
    const json_t *given = json_object_get(r->body, "external_id");
    struct tend_err err;
    json_t *body, *patch = NULL;
    struct rec_write *c;

    if (!ext || !*ext || strlen(ext) > 100 || !utf8_valid(ext, strlen(ext))) {
        api_send_problem(r, 404, "ext", "no such external id", NULL);
        return;
    }
    if (given && !(json_is_string(given) && strcmp(json_string_value(given), ext) == 0)) {
        api_send_problem(r, 422, "external_id", "must be the one in the path, or left out", NULL);
        return;
    }
    tend_err_clear(&err);
    body = json_is_object(r->body) ? json_copy(r->body) : json_object();
    json_object_set_new(body, "external_id", json_string(ext));
    if (rec_validate(k, body, 0, ignore_on_write, &patch, &err)) {
        json_decref(body);
        api_send_error(r, &err);
        return;
    }
    json_decref(body);
    c = xcalloc(1, sizeof(*c));
    c->k = k;
    c->op = REC_UPSERT;
    strlcopy(c->ext, ext, sizeof(c->ext));
    c->patch = patch;
    submit(r, c);
}
