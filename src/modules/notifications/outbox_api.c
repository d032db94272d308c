/* outbox_api.c: admin routes of the outbox: webhook subscriptions, the
 * delivery log with its attempts, and retrying a parked delivery. */
#include <string.h>

#include "notifications.h"
#include "notifications_api.h"
#include "notifications_store.h"
#include "notify_write.h"
#include "platform/util/util.h"

#define URL_MAX 2000
#define NAME_MAX_CHARS 200
#define TYPES_MAX 50

/* --- webhooks ---------------------------------------------------------------- */

void
webhooks_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    if (webhooks_store_list(r->db, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

static int
bad(struct api_req *r, const char *field, const char *message)
{
    api_send_problem(r, 422, field, message, NULL);
    return -1;
}

/* The body of a create (all required but secret/active) or update (all optional). */
static int
check_webhook(struct api_req *r, int create)
{
    static const char *const members[] = {"name", "url", "secret", "event_types", "active", "version", NULL};
    json_t *b = r->body, *v;
    const char *key;

    json_object_foreach(b, key, v) {
        int known = 0;
        for (const char *const *m = members; *m && !known; m++)
            known = strcmp(*m, key) == 0;
        if (!known || (create && strcmp(key, "version") == 0))
            return bad(r, key, "is not a member of a webhook (name, url, secret, event_types, active)");
    }
    v = json_object_get(b, "name");
    if ((create || v) && (!json_is_string(v) || json_string_length(v) == 0 ||
                          utf8_count(json_string_value(v), json_string_length(v)) > NAME_MAX_CHARS))
        return bad(r, "name", "is required: 1 to 200 characters");
    v = json_object_get(b, "url");
    if (create || v) {
        const char *u = json_string_value(v);
        if (!u || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) || strlen(u) > URL_MAX ||
            strlen(u) < 10 || strpbrk(u, " \r\n\t"))
            return bad(r, "url", "must be an http:// or https:// URL of at most 2000 characters");
    }
    v = json_object_get(b, "secret");
    if (v && (!json_is_string(v) || json_string_length(v) < 16 || json_string_length(v) > 256))
        return bad(r, "secret", "must be 16 to 256 characters (leave it out to have one generated)");
    v = json_object_get(b, "active");
    if (v && !json_is_boolean(v))
        return bad(r, "active", "must be true or false");
    v = json_object_get(b, "version");
    if (v && !json_is_integer(v))
        return bad(r, "version", "must be the version you read");
    v = json_object_get(b, "event_types");
    if (v) {
        size_t i;
        json_t *t;
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > TYPES_MAX)
            return bad(r, "event_types", "must be a list of 1 to 50 event types, \"prefix.*\" or \"*\"");
        json_array_foreach(v, i, t) {
            const char *s = json_string_value(t);
            char field[48];
            snprintf(field, sizeof(field), "event_types[%zu]", i);
            if (!s || !*s || strlen(s) > 64 ||
                strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._*") != strlen(s) ||
                (strchr(s, '*') && strcmp(s, "*") != 0 && (strlen(s) < 3 || strcmp(s + strlen(s) - 2, ".*") != 0 ||
                                                           strchr(s, '*') != s + strlen(s) - 1)))
                return bad(r, field, "must be an event type (ticket.created), a prefix (ticket.*) or *");
        }
    }
    return 0;
}

static enum tend_rc
op_webhook_create(struct notify_write *n, struct db *db, int64_t now)
{
    return webhooks_store_create(db, n->body, n->actor, now, &n->result, &n->w.task.err);
}

static enum tend_rc
op_webhook_update(struct notify_write *n, struct db *db, int64_t now)
{
    return webhooks_store_update(db, n->id, n->body, n->actor, now, &n->result, &n->w.task.err);
}

void
webhooks_api_create(struct api_req *r)
{
    if (check_webhook(r, 1))
        return;
    notify_submit(r, op_webhook_create, 0, NULL, NULL, 201);
}

void
webhooks_api_update(struct api_req *r)
{
    int64_t id;

    if (api_path_id(r, "webhook", &id) || check_webhook(r, 0))
        return;
    notify_submit(r, op_webhook_update, id, NULL, NULL, 200);
}

/* --- deliveries ---------------------------------------------------------------- */

void
deliveries_api_list(struct api_req *r)
{
    static const char *const allowed[] = {"status", "channel", "webhook_id", "limit", "cursor", NULL};
    const char *status = api_query(r, "status"), *channel = api_query(r, "channel"), *wh = api_query(r, "webhook_id");
    struct tend_err err;
    json_t *items = NULL;
    int64_t before, webhook = 0;
    int limit;

    if (notify_only_params(r, allowed) || notify_page(r, "d1", 200, 50, &limit, &before))
        return;
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "sent") != 0 && strcmp(status, "failed") != 0) {
        api_send_problem(r, 400, "status", "must be pending, sent or failed", NULL);
        return;
    }
    if (channel && strcmp(channel, "email") != 0 && strcmp(channel, "webhook") != 0) {
        api_send_problem(r, 400, "channel", "must be email or webhook", NULL);
        return;
    }
    if (wh && parse_int64(wh, strlen(wh), 1, INT64_MAX, &webhook) != 0) {
        api_send_problem(r, 400, "webhook_id", "must be a webhook id", NULL);
        return;
    }
    if (deliveries_store_list(r->db, status ? status : "", channel ? channel : "", webhook, before, limit, &items,
                              &err)) {
        api_send_error(r, &err);
        return;
    }
    notify_send_page(r, "d1", items, limit, NULL);
}

void
deliveries_api_get(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    int64_t id;

    if (api_path_id(r, "delivery", &id))
        return;
    if (deliveries_store_get(r->db, id, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

static enum tend_rc
op_retry(struct notify_write *n, struct db *db, int64_t now)
{
    return deliveries_store_retry(db, n->id, n->actor, now, &n->result, &n->w.task.err);
}

void
deliveries_api_retry(struct api_req *r)
{
    int64_t id;

    if (api_path_id(r, "delivery", &id))
        return;
    notify_submit(r, op_retry, id, NULL, NULL, 200);
}
