/* tickets_api.c: HTTP routes of the tickets module: parse, call, render. */
#include "tickets_api.h"

#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/db/idempotency.h"
#include "modules/users/users.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "tickets.h"

#define CREATE_SCOPE "POST /api/v1/tickets"

/* The part of the tickets the caller may see (see struct ticket_scope). */
static struct ticket_scope
scope_of(const struct api_req *r)
{
    return ticket_scope_for(&r->actor);
}

static void
send_ticket(struct api_req *r, int status, const struct ticket *t)
{
    char etag[32];
    struct jbuf b;

    snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)t->version);
    api_add_header(r, "etag", etag);
    jbuf_init(&b, 1024);
    ticket_write_json(&b, t);
    api_send_owned(r, status, "application/json", b.data, b.len); /* the request frees it */
}

/* --- create ------------------------------------------------------------ */

struct create_write {
    struct api_write w; /* first */
    struct ticket_input in;
    struct ticket_scope scope;
    char actor[72];
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
    rc = tickets_store_create(db, &c->in, c->actor, now, &c->result, &w->task.err);
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
        if (c->in.fields & TF_ASSIGNEE) {
            api_send_problem(r, 422, "assignee_id", "is set by the service desk", NULL);
            ticket_input_cleanup(&c->in);
            free(c);
            return;
        }
        c->in.organisation_id = r->actor.organisation_id;
        c->in.fields |= TF_ORGANISATION;
    }
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
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

/* Split a comma-separated filter into `out`, checking each value. */
static int
parse_set(struct api_req *r, const char *name, const char *const *allowed, const char **out,
          int *n)
{
    const char *v = api_query(r, name);
    char *copy, *tok, *next;

    *n = 0;
    if (!v)
        return 0;
    copy = h2o_mem_alloc_pool(&r->req->pool, strlen(v) + 1);
    memcpy(copy, v, strlen(v) + 1);
    for (tok = copy; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (!*tok) {
            api_send_problem(r, 400, name, "has an empty value in its list", NULL);
            return -1;
        }
        if (!ticket_value_in(tok, allowed)) {
            char msg[160];
            snprintf(msg, sizeof(msg), "'%.40s' is not a valid %s", tok, name);
            api_send_problem(r, 400, name, msg, NULL);
            return -1;
        }
        if (*n == 8) {
            api_send_problem(r, 400, name, "too many values", NULL);
            return -1;
        }
        out[(*n)++] = tok;
    }
    return 0;
}

static int
reference_filter(struct api_req *r, const char *name, int64_t *out)
{
    const char *v = api_query(r, name);
    if (v && parse_int64(v, strlen(v), 1, INT64_MAX, out) != 0) {
        api_send_problem(r, 400, name, "must be an id", NULL);
        return -1;
    }
    return 0;
}

/* Rendering a list page row by row, straight from the database's memory. */
struct page {
    struct jbuf b;
    int limit;
    int count;
    int64_t last_id; /* of the last row shown */
};

static void
page_row(void *ctx, const struct ticket *t)
{
    struct page *p = ctx;

    if (p->count++ >= p->limit)
        return; /* the extra row only says there is a next page */
    if (p->count > 1)
        jbuf_raw(&p->b, ",", 1);
    ticket_write_json(&p->b, t);
    p->last_id = t->id;
}

void
tickets_api_list(struct api_req *r)
{
    struct ticket_filter f;
    struct tend_err err;
    const char *limit = api_query(r, "limit"), *cursor = api_query(r, "cursor");
    int64_t lim = TICKET_LIST_DEFAULT;
    struct page p;

    memset(&f, 0, sizeof(f));
    if (parse_set(r, "status", ticket_statuses, f.statuses, &f.nstatuses) ||
        parse_set(r, "priority", ticket_priorities, f.priorities, &f.npriorities))
        return;
    if (limit && parse_int64(limit, strlen(limit), 1, TICKET_LIST_MAX, &lim) != 0) {
        api_send_problem(r, 400, "limit", "must be an integer from 1 to 200", NULL);
        return;
    }
    if (cursor && ticket_cursor_decode(cursor, &f.before_id) != 0) {
        api_send_problem(r, 400, "cursor", "is not a cursor this server gave out", NULL);
        return;
    }
    f.customer_ref = api_query(r, "customer_ref");
    if (reference_filter(r, "organisation_id", &f.organisation_id) ||
        reference_filter(r, "assignee_id", &f.assignee_id))
        return;
    f.scope = scope_of(r);
    f.limit = (int)lim;
    memset(&p, 0, sizeof(p));
    p.limit = f.limit;
    jbuf_init(&p.b, 8192);
    jbuf_lit(&p.b, "{\"items\":[");
    if (tickets_store_scan(r->db, &f, page_row, &p, &err)) {
        jbuf_cleanup(&p.b);
        api_send_error(r, &err);
        return;
    }
    jbuf_lit(&p.b, "],\"next_cursor\":");
    if (p.count > p.limit) {
        char next[64];
        ticket_cursor_encode(p.last_id, next, sizeof(next));
        jbuf_cstr(&p.b, next);
    } else {
        jbuf_raw(&p.b, "null", 4);
    }
    jbuf_raw(&p.b, "}", 1);
    api_send_owned(r, 200, "application/json", p.b.data, p.b.len); /* the request frees it */
}

void
tickets_api_events(struct api_req *r)
{
    struct ticket t;
    struct tend_err err;
    json_t *items;
    int64_t id;

    struct ticket_scope scope = scope_of(r);

    if (api_path_id(r, "ticket", &id))
        return;
    if (tickets_store_get(r->db, id, &scope, &t, &err)) {
        api_send_error(r, &err);
        return;
    }
    ticket_cleanup(&t);
    if (event_list(r->db, "ticket", id, 1000, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --- update ------------------------------------------------------------ */

struct update_write {
    struct api_write w; /* first */
    int64_t id;
    struct ticket_scope scope;
    char actor[72];
    struct ticket_input in;
    struct ticket result;
};

static enum tend_rc
update_apply(struct api_write *w, struct db *db)
{
    struct update_write *u = (struct update_write *)w;
    return tickets_store_update(db, u->id, &u->in, &u->scope, u->actor, time_now_ms(), &u->result,
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

void
tickets_api_update(struct api_req *r)
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
    strlcopy(u->actor, r->actor.username, sizeof(u->actor));
    tend_err_clear(&err);
    if (ticket_input_for_update(r->body, &u->in, &err)) {
        api_send_error(r, &err);
        free(u);
        return;
    }
    if (!(u->in.fields & TF_VERSION)) {
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
