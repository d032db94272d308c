/* links_api.c: HTTP routes for links between tickets, merging duplicates and
 * bulk updates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_api.h"

enum link_op { OP_LINK, OP_UNLINK, OP_MERGE, OP_BULK };

struct link_write {
    struct api_write w; /* first */
    enum link_op op;
    int64_t id, other;
    char kind[16];
    struct ticket_scope scope;
    char actor_name[72];
    struct ticket_actor actor;
    struct bulk_input bulk;
    struct ticket survivor;
    json_t *items, *failures;
};

static enum tend_rc
link_apply(struct api_write *w, struct db *db)
{
    struct link_write *l = (struct link_write *)w;
    int64_t now = time_now_ms();
    struct tend_err *err = &w->task.err;

    switch (l->op) {
    case OP_LINK:
        return links_store_add(db, l->id, l->other, l->kind, &l->scope, l->actor_name, now, err);
    case OP_UNLINK:
        return links_store_remove(db, l->id, l->other, &l->scope, l->actor_name, now, err);
    case OP_MERGE:
        return links_store_merge(db, l->id, l->other, &l->scope, &l->actor, now, &l->survivor, err);
    case OP_BULK:
        return bulk_store_apply(db, &l->bulk, &l->scope, &l->actor, now, &l->items, &l->failures, err);
    }
    return TEND_EINTERNAL;
}

static void
link_respond(struct api_write *w, struct api_req *r)
{
    struct link_write *l = (struct link_write *)w;

    if (w->task.rc == TEND_EINVAL && l->op == OP_BULK && json_array_size(l->failures) > 0) {
        api_send_problem(r, 422, w->task.err.field, w->task.err.message,
                         json_pack("{s:O}", "errors", l->failures));
        return;
    }
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    switch (l->op) {
    case OP_LINK:
        api_send_json(r, 201, json_pack("{s:s,s:I}", "kind", l->kind, "ticket_id", (json_int_t)l->other));
        break;
    case OP_UNLINK:
        api_send_raw(r, 204, "application/json", "", 0);
        break;
    case OP_MERGE: {
        struct jbuf b;
        jbuf_init(&b, 1024);
        ticket_write_json(&b, &l->survivor, 0);
        api_send_owned(r, 200, "application/json", b.data, b.len);
        break;
    }
    case OP_BULK:
        api_send_json(r, 200, json_pack("{s:I,s:O}", "updated", (json_int_t)json_array_size(l->items),
                                        "items", l->items));
        break;
    }
}

static void
link_release(struct api_write *w)
{
    struct link_write *l = (struct link_write *)w;

    bulk_input_cleanup(&l->bulk);
    ticket_cleanup(&l->survivor);
    json_decref(l->items);
    json_decref(l->failures);
    free(l);
}

static struct link_write *
new_write(struct api_req *r, enum link_op op)
{
    struct link_write *l = xcalloc(1, sizeof(*l));

    l->op = op;
    l->scope = ticket_scope_for(&r->actor);
    strlcopy(l->actor_name, r->actor.username, sizeof(l->actor_name));
    l->actor.name = l->actor_name;
    l->actor.user_id = r->actor.user_id;
    l->actor.roles = r->actor.roles;
    l->w.apply = link_apply;
    l->w.respond = link_respond;
    l->w.release = link_release;
    return l;
}

/* A positive id member of the body; answers 422 and returns -1 if it is bad. */
static int
body_id(struct api_req *r, const char *field, int64_t *out)
{
    const json_t *v = json_object_get(r->body, field);

    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        api_send_problem(r, 422, field, v ? "must be a ticket id" : "is required", NULL);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

static int
only(struct api_req *r, const char *a, const char *b)
{
    const char *k;
    json_t *v;

    json_object_foreach(r->body, k, v) {
        if (strcmp(k, a) != 0 && (!b || strcmp(k, b) != 0)) {
            api_send_problem(r, 422, k, "is not a known field", NULL);
            return -1;
        }
    }
    return 0;
}

void
links_api_list(struct api_req *r)
{
    struct ticket_scope scope = ticket_scope_for(&r->actor);
    struct tend_err err;
    json_t *items;
    int64_t id;

    if (tickets_api_visible(r, &id))
        return;
    if (links_store_list(r->db, id, &scope, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
links_api_create(struct api_req *r)
{
    const json_t *kind = json_object_get(r->body, "kind");
    struct link_write *l;
    int64_t id, other;

    if (api_path_id(r, "ticket", &id) || only(r, "kind", "ticket_id"))
        return;
    if (!json_is_string(kind) || !ticket_value_in(json_string_value(kind), ticket_link_kinds)) {
        api_send_problem(r, 422, "kind", "must be one of: parent, child, duplicate_of, related", NULL);
        return;
    }
    if (body_id(r, "ticket_id", &other))
        return;
    l = new_write(r, OP_LINK);
    l->id = id;
    l->other = other;
    strlcopy(l->kind, json_string_value(kind), sizeof(l->kind));
    api_submit_write(r, &l->w);
}

void
links_api_delete(struct api_req *r)
{
    const char *other_text = api_param(r, "other_id");
    struct link_write *l;
    int64_t id, other;

    if (api_path_id(r, "ticket", &id))
        return;
    if (!other_text || parse_int64(other_text, strlen(other_text), 1, INT64_MAX, &other) != 0) {
        api_send_problem(r, 404, "other_id", "no such link", NULL);
        return;
    }
    l = new_write(r, OP_UNLINK);
    l->id = id;
    l->other = other;
    api_submit_write(r, &l->w);
}

void
tickets_api_merge(struct api_req *r)
{
    struct link_write *l;
    int64_t id, into;

    if (api_path_id(r, "ticket", &id) || only(r, "into", NULL) || body_id(r, "into", &into))
        return;
    l = new_write(r, OP_MERGE);
    l->id = id;
    l->other = into;
    api_submit_write(r, &l->w);
}

void
tickets_api_bulk(struct api_req *r)
{
    struct link_write *l = new_write(r, OP_BULK);
    struct tend_err err;

    if (bulk_input_parse(r->body, &l->bulk, &err)) {
        api_send_error(r, &err);
        free(l);
        return;
    }
    api_submit_write(r, &l->w);
}
