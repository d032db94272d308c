/* comments_api.c: HTTP routes of ticket comments: list and add replies and
 * internal notes. */
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_api.h"

void
comments_api_list(struct api_req *r)
{
    struct ticket_scope scope = ticket_scope_for(&r->actor);
    struct tend_err err;
    json_t *items;
    int64_t id;

    if (tickets_api_visible(r, &id))
        return;
    if (comments_store_list(r->db, id, scope.organisation_id == 0, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

struct comment_write {
    struct api_write w; /* first */
    struct comment_input in;
    struct ticket_scope scope;
    char actor_name[72];
    struct ticket_actor actor;
    json_t *result;
};

static enum tend_rc
comment_apply(struct api_write *w, struct db *db)
{
    struct comment_write *c = (struct comment_write *)w;
    struct ticket t;
    enum tend_rc rc = tickets_store_get(db, c->in.ticket_id, &c->scope, &t, &w->task.err);

    if (rc)
        return rc;
    ticket_cleanup(&t);
    return comments_store_add(db, &c->in, &c->actor, time_now_ms(), &c->result, &w->task.err);
}

static void
comment_respond(struct api_write *w, struct api_req *r)
{
    struct comment_write *c = (struct comment_write *)w;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    api_send_json(r, 201, c->result);
    c->result = NULL;
}

static void
comment_release(struct api_write *w)
{
    struct comment_write *c = (struct comment_write *)w;

    comment_input_cleanup(&c->in);
    json_decref(c->result);
    free(c);
}

void
comments_api_create(struct api_req *r)
{
    struct comment_write *c;
    struct tend_err err;
    int64_t id;

    if (api_path_id(r, "ticket", &id))
        return;
    c = xcalloc(1, sizeof(*c));
    if (comment_input_parse(r->body, &c->in, &err)) {
        api_send_error(r, &err);
        free(c);
        return;
    }
    c->in.ticket_id = id;
    c->scope = ticket_scope_for(&r->actor);
    if (c->in.internal && c->scope.organisation_id) {
        api_send_problem(r, 422, "internal", "customers write public replies only", NULL);
        comment_input_cleanup(&c->in);
        free(c);
        return;
    }
    strlcopy(c->actor_name, r->actor.username, sizeof(c->actor_name));
    c->actor.name = c->actor_name;
    c->actor.user_id = r->actor.user_id;
    c->actor.roles = r->actor.roles;
    c->w.apply = comment_apply;
    c->w.respond = comment_respond;
    c->w.release = comment_release;
    api_submit_write(r, &c->w);
}
