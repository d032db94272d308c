/* tickets_api.c: HTTP routes of the tickets module: parse, call, render. */
#include "tickets_api.h"

#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/assets/assets.h"
#include "platform/db/events.h"
#include "platform/db/idempotency.h"
#include "modules/users/users.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "workflow.h"
#include "tickets.h"

#define CREATE_SCOPE "POST /api/v1/tickets"

/* The part of the tickets the caller may see (see struct ticket_scope). */
static struct ticket_scope
scope_of(const struct api_req *r)
{
    return ticket_scope_for(&r->actor);
}

static int
is_customer(const struct api_req *r)
{
    return scope_of(r).organisation_id != 0;
}

static void
fill_actor(const struct api_req *r, struct ticket_actor *a, char *name, size_t namelen)
{
    strlcopy(name, r->actor.username, namelen);
    a->name = name;
    a->user_id = r->actor.user_id;
    a->roles = r->actor.roles;
}

/* A ticket about an asset shows the asset and its entitlement on the day the
 * ticket was created: the written object `b` gains two members. */
static void
add_asset(struct api_req *r, struct jbuf *b, const struct ticket *t)
{
    json_t *asset = NULL, *entitlement = NULL, *both;
    struct tend_err err;
    char *text;

    if (assets_store_ticket_context(r->db, t->asset_id, t->created_at, &asset, &entitlement, &err))
        return; /* the ticket still reads without them */
    both = json_pack("{s:o,s:o}", "asset", asset, "entitlement", entitlement);
    text = json_dumps(both, JSON_COMPACT);
    json_decref(both);
    if (text && b->len > 1 && b->data[b->len - 1] == '}' && text[0] == '{') {
        b->data[b->len - 1] = ',';
        jbuf_lit(b, text + 1);
    }
    free(text);
}

static void
send_ticket(struct api_req *r, int status, const struct ticket *t)
{
    char etag[32];
    struct jbuf b;

    snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)t->version);
    api_add_header(r, "etag", etag);
    jbuf_init(&b, 1024);
    ticket_write_json(&b, t, is_customer(r));
    if (t->asset_id)
        add_asset(r, &b, t);
    api_send_owned(r, status, "application/json", b.data, b.len); /* the request frees it */
}

/* --- create ------------------------------------------------------------ */

struct create_write {
    struct api_write w; /* first */
    struct ticket_input in;
    struct ticket_scope scope;
    char actor_name[72];
    struct ticket_actor actor;
    char *idem_key;
    char request_hash[crypto_hash_sha256_BYTES * 2 + 1];
    struct ticket result;
    int replayed;
};

static enum tend_rc
create_apply(struct api_write *w, struct db *db)
{
    struct create_write *c = (struct create_write *)w;
    int64_t now = time_now_ms(), existing = 0;
    enum tend_rc rc;

    if (c->idem_key) {
        rc = idem_lookup(db, CREATE_SCOPE, c->idem_key, c->request_hash, &existing, &w->task.err);
        if (rc)
            return rc;
        if (existing) {
            c->replayed = 1;
            return tickets_store_get(db, existing, &c->scope, &c->result, &w->task.err);
        }
    }
    rc = tickets_store_create(db, &c->in, &c->actor, now, &c->result, &w->task.err);
    if (rc == TEND_OK && c->idem_key)
        rc = idem_record(db, CREATE_SCOPE, c->idem_key, c->request_hash, c->result.id, now,
                         &w->task.err);
    return rc;
}

static void
create_respond(struct api_write *w, struct api_req *r)
{
    struct create_write *c = (struct create_write *)w;
    char location[64];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    snprintf(location, sizeof(location), "/api/v1/tickets/%lld", (long long)c->result.id);
    api_add_header(r, "location", location);
    if (c->replayed)
        api_add_header(r, "idempotent-replayed", "true");
    send_ticket(r, c->replayed ? 200 : 201, &c->result);
}

static void
create_release(struct api_write *w)
{
    struct create_write *c = (struct create_write *)w;
    ticket_input_cleanup(&c->in);
    ticket_cleanup(&c->result);
    free(c->idem_key);
    free(c);
}

static void
hash_body(const json_t *body, char *hex, size_t hexlen)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char *canonical = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);

    crypto_hash_sha256(digest, (const unsigned char *)canonical, strlen(canonical));
    sodium_bin2hex(hex, hexlen, digest, sizeof(digest));
    free(canonical);
}

void
tickets_api_create(struct api_req *r)
{
    struct create_write *c = xcalloc(1, sizeof(*c));
    const char *key = api_header(r, "idempotency-key");
    struct tend_err err;

    tend_err_clear(&err);
    if ((key && idem_key_check(key, &err)) || ticket_input_for_create(r->body, &c->in, &err)) {
        api_send_error(r, &err);
        ticket_input_cleanup(&c->in);
        free(c);
        return;
    }
    c->scope = scope_of(r);
    if (c->scope.organisation_id) {
        /* a customer files tickets for their own organisation, assigned to nobody yet */
        if ((c->in.fields & TF_ORGANISATION) && c->in.organisation_id != r->actor.organisation_id) {
            api_send_problem(r, 422, "organisation_id", "must be your own organisation", NULL);
            ticket_input_cleanup(&c->in);
            free(c);
            return;
        }
        const char *staff_only = (c->in.fields & TF_ASSIGNEE) ? "assignee_id"
                                 : (c->in.fields & TF_GROUP)  ? "group_id"
                                 : (c->in.fields & TF_WATCHERS) ? "watchers"
                                                                 : NULL;
        if (staff_only) {
            api_send_problem(r, 422, staff_only, "is set by the service desk", NULL);
            ticket_input_cleanup(&c->in);
            free(c);
            return;
        }
        c->in.organisation_id = r->actor.organisation_id;
        c->in.fields |= TF_ORGANISATION;
    }
    if (!(c->in.fields & TF_CHANNEL))
        strlcopy(c->in.channel,
                 r->actor.via_token ? "api" : c->scope.organisation_id ? "portal" : "internal",
                 sizeof(c->in.channel));
    fill_actor(r, &c->actor, c->actor_name, sizeof(c->actor_name));
    if (key) {
        /* keys are per caller: two integrations may pick the same key */
        char scoped[IDEM_KEY_MAX + 32];
        snprintf(scoped, sizeof(scoped), "%lld:%s", (long long)r->actor.user_id, key);
        c->idem_key = xstrdup(scoped);
        hash_body(r->body, c->request_hash, sizeof(c->request_hash));
    }
    c->w.apply = create_apply;
    c->w.respond = create_respond;
    c->w.release = create_release;
    api_submit_write(r, &c->w);
}

/* --- read -------------------------------------------------------------- */

void
tickets_api_get(struct api_req *r)
{
    struct ticket t;
    struct tend_err err;
    int64_t id;

    struct ticket_scope scope = scope_of(r);

    if (api_path_id(r, "ticket", &id))
        return;
    if (tickets_store_get(r->db, id, &scope, &t, &err)) {
        api_send_error(r, &err);
        return;
    }
    send_ticket(r, 200, &t);
    ticket_cleanup(&t);
}

/* The list parameters of the request as a filter. Answers 400 and returns -1
 * when they are bad. */
static int
request_filter(struct api_req *r, int list_only, struct ticket_filter *f)
{
    const char *names[API_MAX_QUERY], *values[API_MAX_QUERY];
    struct tend_err err;
    enum tend_rc rc;

    tend_err_clear(&err);
    for (int i = 0; i < r->nquery; i++) {
        size_t len = strlen(r->query[i].value);
        char *copy = h2o_mem_alloc_pool(&r->req->pool, len + 1); /* split in place */
        memcpy(copy, r->query[i].value, len + 1);
        names[i] = r->query[i].name;
        values[i] = copy;
    }
    rc = ticket_config_filter(r->db, names, values, r->nquery, r->actor.user_id, list_only, f, &err);
    if (rc && rc != TEND_ESYNTAX) {
        api_send_error(r, &err);
        return -1;
    }
    if (rc) {
        api_send_problem(r, 400, err.field, err.message, NULL);
        return -1;
    }
    f->scope = scope_of(r);
    return 0;
}

/* Rendering a list page row by row, straight from the database's memory. */
struct page {
    struct jbuf b;
    const struct ticket_filter *f;
    int customer;
    int count;
    char next[600]; /* the cursor after the last row shown */
};

static void
page_row(void *ctx, const struct ticket *t)
{
    struct page *p = ctx;

    if (p->count++ >= p->f->limit)
        return; /* the extra row only says there is a next page */
    if (p->count > 1)
        jbuf_raw(&p->b, ",", 1);
    ticket_write_json(&p->b, t, p->customer);
    if (p->count == p->f->limit)
        ticket_filter_cursor(p->f, t, p->next, sizeof(p->next));
}

void
tickets_api_list(struct api_req *r)
{
    struct ticket_filter f;
    struct tend_err err;
    struct page p;

    if (request_filter(r, 1, &f))
        return;
    memset(&p, 0, sizeof(p));
    p.f = &f;
    p.customer = is_customer(r);
    jbuf_init(&p.b, 8192);
    jbuf_lit(&p.b, "{\"items\":[");
    if (tickets_store_scan(r->db, &f, page_row, &p, &err)) {
        jbuf_cleanup(&p.b);
        api_send_error(r, &err);
        return;
    }
    jbuf_lit(&p.b, "],\"next_cursor\":");
    if (p.count > f.limit)
        jbuf_cstr(&p.b, p.next);
    else
        jbuf_raw(&p.b, "null", 4);
    jbuf_raw(&p.b, "}", 1);
    api_send_owned(r, 200, "application/json", p.b.data, p.b.len); /* the request frees it */
}

void
tickets_api_search(struct api_req *r)
{
    const char *q = api_query(r, "q"), *lim = api_query(r, "limit"), *cats = api_query(r, "status_category");
    struct ticket_filter f;
    struct tend_err err;
    int64_t limit = 20;
    json_t *items;

    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].name, "q") != 0 && strcmp(r->query[i].name, "limit") != 0 &&
            strcmp(r->query[i].name, "status_category") != 0) {
            api_send_problem(r, 400, r->query[i].name, "is not a known parameter", NULL);
            return;
        }
    if (!q || !*q || utf8_count(q, strlen(q)) > SEARCH_QUERY_MAX_CHARS || !utf8_valid(q, strlen(q))) {
        api_send_problem(r, 400, "q", "is required: 1 to 200 characters", NULL);
        return;
    }
    if (lim && parse_int64(lim, strlen(lim), 1, 50, &limit) != 0) {
        api_send_problem(r, 400, "limit", "must be an integer from 1 to 50", NULL);
        return;
    }
    memset(&f, 0, sizeof(f));
    if (cats) {
        const char *names[] = {"status_category"};
        char *copy = h2o_mem_alloc_pool(&r->req->pool, strlen(cats) + 1);
        const char *values[1];
        memcpy(copy, cats, strlen(cats) + 1);
        values[0] = copy;
        if (ticket_filter_parse(names, values, 1, NULL, 0, 0, 0, &f, &err)) {
            api_send_problem(r, 400, err.field, err.message, NULL);
            return;
        }
    }
    f.scope = scope_of(r);
    if (tickets_store_search(r->db, q, &f, is_customer(r), (int)limit, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
tickets_api_counts(struct api_req *r)
{
    struct ticket_filter f;
    struct tend_err err;
    json_t *out;

    if (request_filter(r, 0, &f))
        return;
    if (!tickets_store_counts_cheap(&f)) {
        tickets_api_counts_deferred(r);
        return;
    }
    if (tickets_store_counts(r->db, &f, &out, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, out);
}

int
tickets_api_visible(struct api_req *r, int64_t *id)
{
    struct ticket_scope scope = scope_of(r);
    struct ticket t;
    struct tend_err err;

    if (api_path_id(r, "ticket", id))
        return -1;
    if (tickets_store_get(r->db, *id, &scope, &t, &err)) {
        api_send_error(r, &err);
        return -1;
    }
    ticket_cleanup(&t);
    return 0;
}

void
tickets_api_events(struct api_req *r)
{
    struct tend_err err;
    json_t *items;
    int64_t id;

    if (tickets_api_visible(r, &id))
        return;
    if (event_list(r->db, "ticket", id, 5000, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    if (is_customer(r)) {
        /* internal notes and their files stay with the service desk */
        for (size_t i = json_array_size(items); i-- > 0;) {
            json_t *data = json_object_get(json_array_get(items, i), "data");
            if (json_is_true(json_object_get(data, "internal")))
                json_array_remove(items, i);
        }
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --- transitions --------------------------------------------------------- */

void
tickets_api_transitions(struct api_req *r)
{
    struct ticket_scope scope = scope_of(r);
    struct ticket_type type;
    struct workflow wf;
    struct ticket t;
    struct tend_err err;
    json_t *items;
    int64_t id;
    int from;

    if (api_path_id(r, "ticket", &id))
        return;
    if (tickets_store_get(r->db, id, &scope, &t, &err)) {
        api_send_error(r, &err);
        return;
    }
    if (ticket_config_type(r->db, NULL, t.type_id, "type", &type, &err) ||
        ticket_config_workflow(r->db, type.workflow_id, &wf, &err)) {
        ticket_cleanup(&t);
        api_send_error(r, &err);
        return;
    }
    from = workflow_status_index(&wf, t.status);
    items = json_array();
    for (int to = 0; to < wf.nstatuses; to++) {
        int denied;
        const struct wf_transition *tr = workflow_transition(&wf, from, to, r->actor.roles, &denied);
        json_t *requires;
        if (!tr)
            continue;
        requires = json_array();
        for (int j = 0; j < tr->nrequires; j++)
            json_array_append_new(requires, json_string(tr->requires[j]));
        json_array_append_new(items, json_pack("{s:s,s:s,s:o,s:s,s:s}", "to", wf.statuses[to].key, "name",
                                               tr->name, "requires", requires, "category",
                                               status_categories[wf.statuses[to].category],
                                               "status_name", wf.statuses[to].name));
    }
    workflow_cleanup(&wf);
    ticket_cleanup(&t);
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --- update ------------------------------------------------------------ */

struct update_write {
    struct api_write w; /* first */
    int64_t id;
    struct ticket_scope scope;
    char actor_name[72];
    struct ticket_actor actor;
    struct ticket_input in;
    struct ticket result;
};

static enum tend_rc
update_apply(struct api_write *w, struct db *db)
{
    struct update_write *u = (struct update_write *)w;
    return tickets_store_update(db, u->id, &u->in, &u->scope, &u->actor, time_now_ms(), &u->result,
                                &w->task.err);
}

static void
update_respond(struct api_write *w, struct api_req *r)
{
    struct update_write *u = (struct update_write *)w;

    if (w->task.rc == TEND_ECONFLICT && u->result.id) {
        api_send_problem(r, 409, "version", w->task.err.message,
                         json_pack("{s:I}", "current_version", (json_int_t)u->result.version));
        return;
    }
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    send_ticket(r, 200, &u->result);
}

static void
update_release(struct api_write *w)
{
    struct update_write *u = (struct update_write *)w;
    ticket_input_cleanup(&u->in);
    ticket_cleanup(&u->result);
    free(u);
}

/* PATCH and POST .../transitions: the same write, with the version required
 * for PATCH and optional for a transition (the workflow guards its start). */
static void
submit_update(struct api_req *r, int transition)
{
    struct update_write *u;
    struct tend_err err;
    const char *if_match = api_header(r, "if-match");
    int64_t id;

    if (api_path_id(r, "ticket", &id))
        return;
    u = xcalloc(1, sizeof(*u));
    u->id = id;
    u->scope = scope_of(r);
    fill_actor(r, &u->actor, u->actor_name, sizeof(u->actor_name));
    tend_err_clear(&err);
    if ((transition ? ticket_input_for_transition(r->body, &u->in, &err)
                    : ticket_input_for_update(r->body, &u->in, &err))) {
        api_send_error(r, &err);
        free(u);
        return;
    }
    if (is_customer(r) && (u->in.fields & (TF_ASSIGNEE | TF_GROUP | TF_WATCHERS | TF_ORGANISATION))) {
        api_send_problem(r, 422,
                         (u->in.fields & TF_ASSIGNEE) ? "assignee_id"
                         : (u->in.fields & TF_GROUP)  ? "group_id"
                         : (u->in.fields & TF_WATCHERS) ? "watchers"
                                                        : "organisation_id",
                         "is set by the service desk", NULL);
        ticket_input_cleanup(&u->in);
        free(u);
        return;
    }
    if (!(u->in.fields & TF_VERSION) && (if_match || !transition)) {
        int64_t v = if_match ? ticket_parse_etag(if_match) : -1;
        if (v < 1) {
            api_send_problem(r, 422, "version",
                             if_match ? "If-Match must be the ETag you read, like \"v3\""
                                      : "is required: send the version you read, or If-Match",
                             NULL);
            ticket_input_cleanup(&u->in);
            free(u);
            return;
        }
        u->in.version = v;
        u->in.fields |= TF_VERSION;
    }
    u->w.apply = update_apply;
    u->w.respond = update_respond;
    u->w.release = update_release;
    api_submit_write(r, &u->w);
}

void
tickets_api_update(struct api_req *r)
{
    submit_update(r, 0);
}

void
tickets_api_transition(struct api_req *r)
{
    submit_update(r, 1);
}
