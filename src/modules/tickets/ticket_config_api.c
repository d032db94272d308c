/* ticket_config_api.c: HTTP routes of ticket configuration: ticket types,
 * workflows, custom fields, categories and fault codes. */
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets_api.h"

/* --- reads --------------------------------------------------------------- */

static void
send_items(struct api_req *r, enum tend_rc rc, json_t *items, const struct tend_err *err)
{
    if (rc)
        api_send_error(r, err);
    else
        api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
ticket_types_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items = NULL;

    send_items(r, ticket_config_types_json(r->db, &items, &err), items, &err);
}

void
workflows_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items = NULL;

    send_items(r, ticket_config_workflows_json(r->db, 0, &items, &err), items, &err);
}

void
workflows_api_get(struct api_req *r)
{
    struct tend_err err;
    json_t *wf;
    int64_t id;

    if (api_path_id(r, "workflow", &id))
        return;
    if (ticket_config_workflows_json(r->db, id, &wf, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, wf);
}

void
custom_fields_api_list(struct api_req *r)
{
    struct custom_field *fields;
    struct tend_err err;
    json_t *items;
    int n;

    if (ticket_config_fields(r->db, 0, &fields, &n, &err)) {
        api_send_error(r, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, custom_field_json(&fields[i], 1));
    ticket_config_fields_free(fields, n);
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
categories_api_list(struct api_req *r)
{
    const char *kind = api_query(r, "kind");
    struct tend_err err;
    json_t *items = NULL;

    if (kind && strcmp(kind, "category") != 0 && strcmp(kind, "fault_code") != 0) {
        api_send_problem(r, 400, "kind", "must be category or fault_code", NULL);
        return;
    }
    send_items(r, ticket_config_categories_json(r->db, kind, &items, &err), items, &err);
}

/* --- writes: one shape for every configuration change ------------------------ */

enum config_op {
    OP_TYPE_CREATE,
    OP_TYPE_UPDATE,
    OP_WORKFLOW_CREATE,
    OP_WORKFLOW_REPLACE,
    OP_FIELD_CREATE,
    OP_FIELD_UPDATE,
    OP_CATEGORY_CREATE,
    OP_CATEGORY_UPDATE,
};

struct config_write {
    struct api_write w; /* first */
    enum config_op op;
    int64_t id;
    json_t *body; /* a private copy: the request's may die first */
    char actor[72];
    json_t *result;
};

static enum tend_rc
config_apply(struct api_write *w, struct db *db)
{
    struct config_write *c = (struct config_write *)w;
    int64_t now = time_now_ms();
    struct tend_err *err = &w->task.err;

    switch (c->op) {
    case OP_TYPE_CREATE:
        return ticket_config_type_create(db, c->body, c->actor, now, &c->result, err);
    case OP_TYPE_UPDATE:
        return ticket_config_type_update(db, c->id, c->body, c->actor, now, &c->result, err);
    case OP_WORKFLOW_CREATE:
        return ticket_config_workflow_create(db, c->body, c->actor, now, &c->result, err);
    case OP_WORKFLOW_REPLACE:
        return ticket_config_workflow_replace(db, c->id, c->body, c->actor, now, &c->result, err);
    case OP_FIELD_CREATE:
        return ticket_config_field_create(db, c->body, c->actor, now, &c->result, err);
    case OP_FIELD_UPDATE:
        return ticket_config_field_update(db, c->id, c->body, c->actor, now, &c->result, err);
    case OP_CATEGORY_CREATE:
        return ticket_config_category_create(db, c->body, c->actor, now, &c->result, err);
    case OP_CATEGORY_UPDATE:
        return ticket_config_category_update(db, c->id, c->body, c->actor, now, &c->result, err);
    }
    return TEND_EINTERNAL;
}

static void
config_respond(struct api_write *w, struct api_req *r)
{
    struct config_write *c = (struct config_write *)w;
    int created = c->op == OP_TYPE_CREATE || c->op == OP_WORKFLOW_CREATE || c->op == OP_FIELD_CREATE ||
                  c->op == OP_CATEGORY_CREATE;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    api_send_json(r, created ? 201 : 200, c->result);
    c->result = NULL;
}

static void
config_release(struct api_write *w)
{
    struct config_write *c = (struct config_write *)w;

    json_decref(c->body);
    json_decref(c->result);
    free(c);
}

static void
submit(struct api_req *r, enum config_op op, const char *what)
{
    struct config_write *c;
    int64_t id = 0;

    if (what && api_path_id(r, what, &id))
        return;
    c = xcalloc(1, sizeof(*c));
    c->op = op;
    c->id = id;
    c->body = json_deep_copy(r->body);
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
    c->w.apply = config_apply;
    c->w.respond = config_respond;
    c->w.release = config_release;
    api_submit_write(r, &c->w);
}

void
ticket_types_api_create(struct api_req *r)
{
    submit(r, OP_TYPE_CREATE, NULL);
}

void
ticket_types_api_update(struct api_req *r)
{
    submit(r, OP_TYPE_UPDATE, "ticket type");
}

void
workflows_api_create(struct api_req *r)
{
    submit(r, OP_WORKFLOW_CREATE, NULL);
}

void
workflows_api_replace(struct api_req *r)
{
    submit(r, OP_WORKFLOW_REPLACE, "workflow");
}

void
custom_fields_api_create(struct api_req *r)
{
    submit(r, OP_FIELD_CREATE, NULL);
}

void
custom_fields_api_update(struct api_req *r)
{
    submit(r, OP_FIELD_UPDATE, "custom field");
}

void
categories_api_create(struct api_req *r)
{
    submit(r, OP_CATEGORY_CREATE, NULL);
}

void
categories_api_update(struct api_req *r)
{
    submit(r, OP_CATEGORY_UPDATE, "category");
}
