/* views_api.c: HTTP routes of saved views: each user's named ticket filters.
 * A view's query is checked exactly as a list request would be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/http/query.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets.h"
#include "tickets_api.h"

#define VIEW_QUERY_MAX 2000

/* What a view may show: the ticket's fields, and custom.<key>. */
static const char *const view_columns[] = {
    "id", "number", "type", "subject", "description", "status", "status_category", "priority",
    "channel", "category_id", "fault_code_id", "tags", "watchers", "organisation_id", "assignee_id",
    "group_id", "customer_ref", "resolution_code", "resolution", "merged_into_id", "version",
    "created_at", "updated_at", "asset_id", "sla",
    /* the console's display names of the reference columns */
    "assignee", "group", "category", "fault_code", "organisation", NULL};

/* Whether every column is one a view can show; answers 422 naming it if not. */
static int
check_columns(struct api_req *r, const json_t *columns)
{
    struct custom_field *fields = NULL;
    struct tend_err err;
    int nfields = 0, bad = -1;
    size_t i;
    json_t *c;

    if (!columns)
        return 0;
    if (ticket_config_fields(r->db, 0, &fields, &nfields, &err)) {
        api_send_error(r, &err);
        return -1;
    }
    json_array_foreach(columns, i, c) {
        const char *name = json_string_value(c);
        int known = ticket_value_in(name, view_columns);
        for (int k = 0; !known && k < nfields; k++)
            known = strncmp(name, "custom.", 7) == 0 && strcmp(name + 7, fields[k].key) == 0;
        if (!known) {
            bad = (int)i;
            break;
        }
    }
    ticket_config_fields_free(fields, nfields);
    if (bad >= 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "item %d ('%.60s') is not a ticket field or custom.<key>", bad,
                 json_string_value(json_array_get(columns, (size_t)bad)));
        api_send_problem(r, 422, "columns", msg, NULL);
        return -1;
    }
    return 0;
}

/* Check a view body; answers 422 and returns -1 when it is bad. On success the
 * name, query and columns point into the request's body. */
static int
check_view(struct api_req *r, int create, const char **name, const char **query, const json_t **columns,
           int *position)
{
    const char *k;
    json_t *v;

    *name = *query = NULL;
    *columns = NULL;
    json_object_foreach(r->body, k, v) {
        if (strcmp(k, "name") == 0) {
            size_t chars = json_is_string(v) ? utf8_count(json_string_value(v), json_string_length(v)) : 0;
            if (chars < 1 || chars > 80)
                goto bad_name;
            *name = json_string_value(v);
        } else if (strcmp(k, "query") == 0) {
            if (!json_is_string(v) || json_string_length(v) > VIEW_QUERY_MAX) {
                api_send_problem(r, 422, "query", "must be a query string of at most 2000 characters",
                                 NULL);
                return -1;
            }
            *query = json_string_value(v);
        } else if (strcmp(k, "columns") == 0) {
            size_t i;
            json_t *c;
            if (!json_is_array(v) || json_array_size(v) > 40)
                goto bad_columns;
            json_array_foreach(v, i, c)
                if (!json_is_string(c) || json_string_length(c) < 1 || json_string_length(c) > 60)
                    goto bad_columns;
            *columns = v;
        } else if (strcmp(k, "position") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10000) {
                api_send_problem(r, 422, "position", "must be an integer from 0 to 10000", NULL);
                return -1;
            }
            *position = (int)json_integer_value(v);
        } else {
            api_send_problem(r, 422, k, "is not a known field", NULL);
            return -1;
        }
    }
    if (create && !*name)
        goto bad_name;
    if (*name) {
        int blank = 1;
        for (const char *p = *name; *p; p++)
            blank &= *p == ' ' || *p == '\t';
        if (blank)
            goto bad_name;
    }
    if (create && !*query) {
        api_send_problem(r, 422, "query", "is required: the list's query string (may be empty)", NULL);
        return -1;
    }
    if (check_columns(r, *columns))
        return -1;
    if (*query) {
        struct api_param params[API_MAX_QUERY];
        const char *names[API_MAX_QUERY], *values[API_MAX_QUERY], *bad, *why;
        struct ticket_filter f;
        struct tend_err err;
        int n = 0;
        enum tend_rc rc;
        const char *q = (*query)[0] == '?' ? *query + 1 : *query;

        if (http_query_parse(&r->req->pool, q, strlen(q), params, API_MAX_QUERY, &n, &bad, &why) != 0) {
            char msg[200];
            snprintf(msg, sizeof(msg), "%.60s: %.120s", bad, why);
            api_send_problem(r, 422, "query", msg, NULL);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            names[i] = params[i].name;
            values[i] = params[i].value;
        }
        rc = ticket_config_filter(r->db, names, values, n, r->actor.user_id, 1, &f, &err);
        if (rc && rc != TEND_ESYNTAX) {
            api_send_error(r, &err);
            return -1;
        }
        if (rc) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%.60s: %.300s", err.field, err.message);
            api_send_problem(r, 422, "query", msg, NULL);
            return -1;
        }
    }
    return 0;
bad_name:
    api_send_problem(r, 422, "name", "is required: 1 to 80 characters", NULL);
    return -1;
bad_columns:
    api_send_problem(r, 422, "columns", "must be a list of at most 40 column names", NULL);
    return -1;
}

enum view_op { VIEW_CREATE, VIEW_UPDATE, VIEW_DELETE };

struct view_write {
    struct api_write w; /* first */
    enum view_op op;
    int64_t user_id, id;
    char *name, *query;
    json_t *columns;
    int position, has_position;
    json_t *result;
};

static enum tend_rc
view_apply(struct api_write *w, struct db *db)
{
    struct view_write *v = (struct view_write *)w;
    int64_t now = time_now_ms();
    enum tend_rc rc;

    if (v->op == VIEW_DELETE)
        return views_store_delete(db, v->user_id, v->id, &w->task.err);
    if (v->op == VIEW_UPDATE) {
        /* a partial change keeps what it does not name */
        json_t *cur = NULL;
        rc = views_store_get(db, v->user_id, v->id, &cur, &w->task.err);
        if (rc)
            return rc;
        if (!v->name)
            v->name = xstrdup(json_string_value(json_object_get(cur, "name")));
        if (!v->query)
            v->query = xstrdup(json_string_value(json_object_get(cur, "query")));
        if (!v->columns)
            v->columns = json_incref(json_object_get(cur, "columns"));
        if (!v->has_position)
            v->position = (int)json_integer_value(json_object_get(cur, "position"));
        json_decref(cur);
    }
    return views_store_save(db, v->user_id, v->op == VIEW_UPDATE ? v->id : 0, v->name, v->query,
                            v->columns, v->position, now, &v->result, &w->task.err);
}

static void
view_respond(struct api_write *w, struct api_req *r)
{
    struct view_write *v = (struct view_write *)w;

    if (w->task.rc)
        api_send_error(r, &w->task.err);
    else if (v->op == VIEW_DELETE)
        api_send_raw(r, 204, "application/json", "", 0);
    else {
        api_send_json(r, v->op == VIEW_CREATE ? 201 : 200, v->result);
        v->result = NULL;
    }
}

static void
view_release(struct api_write *w)
{
    struct view_write *v = (struct view_write *)w;

    free(v->name);
    free(v->query);
    json_decref(v->columns);
    json_decref(v->result);
    free(v);
}

static void
submit_view(struct api_req *r, enum view_op op)
{
    const char *name = NULL, *query = NULL;
    const json_t *columns = NULL;
    int position = -1;
    struct view_write *v;
    int64_t id = 0;

    if (op != VIEW_CREATE && api_path_id(r, "saved view", &id))
        return;
    if (op != VIEW_DELETE && check_view(r, op == VIEW_CREATE, &name, &query, &columns, &position))
        return;
    v = xcalloc(1, sizeof(*v));
    v->op = op;
    v->id = id;
    v->user_id = r->actor.user_id;
    v->name = name ? xstrdup(name) : NULL;
    v->query = query ? xstrdup(query) : NULL;
    v->columns = columns ? json_deep_copy(columns) : NULL;
    v->has_position = position >= 0;
    v->position = position >= 0 ? position : 0;
    v->w.apply = view_apply;
    v->w.respond = view_respond;
    v->w.release = view_release;
    api_submit_write(r, &v->w);
}

void
views_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items;

    if (views_store_list(r->db, r->actor.user_id, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
views_api_create(struct api_req *r)
{
    submit_view(r, VIEW_CREATE);
}

void
views_api_update(struct api_req *r)
{
    submit_view(r, VIEW_UPDATE);
}

void
views_api_delete(struct api_req *r)
{
    submit_view(r, VIEW_DELETE);
}
