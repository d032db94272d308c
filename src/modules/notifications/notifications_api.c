/* notifications_api.c: a user's in-app notifications and preferences, and the
 * module's shared write and paging helpers (notify_write.h). */
#include "notifications_api.h"

#include <stdlib.h>
#include <string.h>

#include "notifications.h"
#include "notifications_store.h"
#include "notify_write.h"
#include "platform/util/util.h"

/* --- shared helpers ------------------------------------------------------------ */

static enum tend_rc
write_apply(struct api_write *w, struct db *db)
{
    struct notify_write *n = (struct notify_write *)w;
    return n->op(n, db, time_now_ms());
}

static void
write_respond(struct api_write *w, struct api_req *r)
{
    struct notify_write *n = (struct notify_write *)w;

    if (w->task.rc == TEND_ECONFLICT && n->result) {
        api_send_problem(r, 409, w->task.err.field, w->task.err.message, json_incref(n->result));
        return;
    }
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    if (n->status == 204 || !n->result) {
        api_send_raw(r, 204, "application/json", "", 0);
        return;
    }
    api_send_json(r, n->status, n->result);
    n->result = NULL;
}

static void
write_release(struct api_write *w)
{
    struct notify_write *n = (struct notify_write *)w;
    json_decref(n->body);
    json_decref(n->result);
    free(n);
}

void
notify_submit(struct api_req *r, enum tend_rc (*op)(struct notify_write *, struct db *, int64_t), int64_t id,
              const char *key, const char *lang, int status)
{
    struct notify_write *n = xcalloc(1, sizeof(*n));

    n->op = op;
    n->id = id;
    n->user_id = r->actor.user_id;
    n->body = r->body ? json_deep_copy(r->body) : NULL;
    n->status = status;
    strlcopy(n->actor, r->actor.username, sizeof(n->actor));
    if (key)
        strlcopy(n->key, key, sizeof(n->key));
    if (lang)
        strlcopy(n->lang, lang, sizeof(n->lang));
    n->w.apply = write_apply;
    n->w.respond = write_respond;
    n->w.release = write_release;
    api_submit_write(r, &n->w);
}

int
notify_only_params(struct api_req *r, const char *const *allowed)
{
    for (int i = 0; i < r->nquery; i++) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(r->query[i].name, *a) == 0;
        if (!ok) {
            api_send_problem(r, 400, r->query[i].name, "is not a parameter of this route", NULL);
            return -1;
        }
    }
    return 0;
}

int
notify_page(struct api_req *r, const char *tag, int max, int def, int *limit, int64_t *before)
{
    const char *l = api_query(r, "limit"), *c = api_query(r, "cursor");
    int64_t v = def;

    *before = 0;
    if (l && parse_int64(l, strlen(l), 1, max, &v) != 0) {
        char msg[64];
        snprintf(msg, sizeof(msg), "must be an integer from 1 to %d", max);
        api_send_problem(r, 400, "limit", msg, NULL);
        return -1;
    }
    if (c && cursor_decode(tag, c, before) != 0) {
        api_send_problem(r, 400, "cursor", "is not a cursor this server gave out", NULL);
        return -1;
    }
    *limit = (int)v;
    return 0;
}

void
notify_send_page(struct api_req *r, const char *tag, json_t *items, int limit, json_t *extra)
{
    json_t *body = extra ? extra : json_object();

    if (json_array_size(items) > (size_t)limit) {
        char next[64];
        json_array_remove(items, (size_t)limit);
        cursor_encode(tag, json_integer_value(json_object_get(json_array_get(items, (size_t)limit - 1), "id")), next,
                      sizeof(next));
        json_object_set_new(body, "next_cursor", json_string(next));
    } else {
        json_object_set_new(body, "next_cursor", json_null());
    }
    json_object_set_new(body, "items", items);
    api_send_json(r, 200, body);
}

/* --- in-app notifications ------------------------------------------------------ */

void
notifications_api_list(struct api_req *r)
{
    static const char *const allowed[] = {"unread", "limit", "cursor", NULL};
    const char *unread = api_query(r, "unread");
    struct tend_err err;
    json_t *items = NULL;
    int64_t before, count = 0;
    int limit, only = 0;

    if (notify_only_params(r, allowed) || notify_page(r, "n1", 100, 20, &limit, &before))
        return;
    if (unread) {
        if (strcmp(unread, "true") != 0 && strcmp(unread, "false") != 0) {
            api_send_problem(r, 400, "unread", "must be true or false", NULL);
            return;
        }
        only = strcmp(unread, "true") == 0;
    }
    if (notifications_store_list(r->db, r->actor.user_id, only, before, limit, &items, &err) ||
        notifications_store_unread(r->db, r->actor.user_id, &count, &err)) {
        json_decref(items);
        api_send_error(r, &err);
        return;
    }
    notify_send_page(r, "n1", items, limit, json_pack("{s:I}", "unread", (json_int_t)count));
}

void
notifications_api_unread(struct api_req *r)
{
    struct tend_err err;
    int64_t count = 0;

    if (notifications_store_unread(r->db, r->actor.user_id, &count, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, json_pack("{s:I}", "unread", (json_int_t)count));
}

/* One (n->id) or all (0) read; all answers the count. */
static enum tend_rc
op_read(struct notify_write *n, struct db *db, int64_t now)
{
    int64_t changed = 0;
    enum tend_rc rc = notifications_store_mark_read(db, n->user_id, n->id, now, &changed, &n->w.task.err);

    if (rc == TEND_OK && n->id == 0)
        n->result = json_pack("{s:I,s:I}", "marked", (json_int_t)changed, "unread", (json_int_t)0);
    return rc;
}

void
notifications_api_read(struct api_req *r)
{
    int64_t id;

    if (api_path_id(r, "notification", &id))
        return;
    notify_submit(r, op_read, id, NULL, NULL, 204);
}

void
notifications_api_read_all(struct api_req *r)
{
    notify_submit(r, op_read, 0, NULL, NULL, 200);
}

/* --- preferences --------------------------------------------------------------- */

void
notifications_api_prefs_get(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    if (notifications_store_prefs(r->db, r->actor.user_id, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* {language?, channels?: {kind: {email?: bool, in_app?: bool}}}; 0 or -1 after answering. */
static int
check_prefs(struct api_req *r)
{
    const json_t *b = r->body;
    json_t *lang = json_object_get(b, "language"), *channels = json_object_get(b, "channels"), *chans;
    const char *key;
    char field[160];

    json_object_foreach((json_t *)b, key, chans) {
        if (strcmp(key, "language") != 0 && strcmp(key, "channels") != 0) {
            api_send_problem(r, 422, key, "is not a preference (language, channels)", NULL);
            return -1;
        }
    }
    if (lang && (!json_is_string(lang) || !notify_language_valid(json_string_value(lang)))) {
        api_send_problem(r, 422, "language", "must be en or zh-CN", NULL);
        return -1;
    }
    if (channels && !json_is_object(channels)) {
        api_send_problem(r, 422, "channels", "must be an object of notification kinds", NULL);
        return -1;
    }
    json_object_foreach(channels, key, chans) {
        const char *channel;
        json_t *on;
        snprintf(field, sizeof(field), "channels.%.100s", key);
        if (notify_kind_index(key) < 0) {
            api_send_problem(r, 422, field, "is not a notification kind", NULL);
            return -1;
        }
        if (!json_is_object(chans)) {
            api_send_problem(r, 422, field, "must be an object like {\"email\": true, \"in_app\": true}", NULL);
            return -1;
        }
        json_object_foreach(chans, channel, on) {
            snprintf(field, sizeof(field), "channels.%.100s.%.40s", key, channel);
            if (strcmp(channel, "email") != 0 && strcmp(channel, "in_app") != 0) {
                api_send_problem(r, 422, field, "is not a channel (email, in_app)", NULL);
                return -1;
            }
            if (!json_is_boolean(on)) {
                api_send_problem(r, 422, field, "must be true or false", NULL);
                return -1;
            }
        }
    }
    return 0;
}

static enum tend_rc
op_prefs(struct notify_write *n, struct db *db, int64_t now)
{
    (void)now;
    return notifications_store_set_prefs(db, n->user_id, n->body, &n->result, &n->w.task.err);
}

void
notifications_api_prefs_put(struct api_req *r)
{
    if (check_prefs(r))
        return;
    notify_submit(r, op_prefs, 0, NULL, NULL, 200);
}
