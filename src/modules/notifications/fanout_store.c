/* fanout_store.c: the outbox fan-out, inside one writer transaction: read the
 * events after the cursor, write the in-app notifications and the deliveries
 * (email per recipient and preference, webhook per matching subscription) they
 * produce, and move the cursor, so a crash never loses or doubles a fan-out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"
#include "platform/notify/template.h"
#include "platform/util/util.h"

#define FANOUT_BATCH 100
#define MAX_RECIPIENTS 64
#define MAX_MENTIONS 16

struct event_row {
    int64_t id, entity_id, at;
    char type[64], entity[32], actor[72];
    json_t *data;
};

struct recipient {
    int64_t user_id;
    const char *kind;
};

struct fanout {
    struct db *db;
    const struct notify_config *cfg;
    int64_t now;
    json_t *webhooks; /* [{id, url, types}] of active subscriptions */
    struct tend_err *err;
};

/* --- reading ---------------------------------------------------------------- */

/* The cursor, locked for this transaction; 0 when another node holds it. */
static int
lock_cursor(struct db *db, int64_t *last, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    db_kind(db) == DB_POSTGRES
                                        ? "SELECT last_event_id FROM notify_cursor WHERE name = 'fanout' "
                                          "FOR UPDATE SKIP LOCKED"
                                        : "SELECT last_event_id FROM notify_cursor WHERE name = 'fanout'",
                                    err);
    enum db_step_result r;

    if (!st)
        return -1;
    r = db_step(st, err);
    if (r == DB_ROW)
        *last = db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? -1 : r == DB_ROW;
}

/* Up to FANOUT_BATCH events after `last`, stopping before the first one whose
 * transaction may still have company with lower ids (PostgreSQL: an event is
 * settled once its inserting transaction is older than every running one). */
static enum tend_rc
read_events(struct db *db, int64_t last, struct event_row *rows, int *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        db_kind(db) == DB_POSTGRES
            ? "SELECT id, type, entity, entity_id, actor, at, data, CASE WHEN age(xmin) > "
              "age((pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text::xid) "
              "THEN 1 ELSE 0 END FROM events WHERE id > ? ORDER BY id LIMIT ?"
            : "SELECT id, type, entity, entity_id, actor, at, data, 1 FROM events WHERE id > ? ORDER BY id LIMIT ?",
        err);
    enum db_step_result r;

    *n = 0;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, last);
    db_bind_int64(st, 2, FANOUT_BATCH);
    while ((r = db_step(st, err)) == DB_ROW) {
        struct event_row *e = &rows[*n];
        if (db_col_int64(st, 7) == 0)
            break;
        e->id = db_col_int64(st, 0);
        strlcopy(e->type, db_col_text(st, 1), sizeof(e->type));
        strlcopy(e->entity, db_col_text(st, 2), sizeof(e->entity));
        e->entity_id = db_col_int64(st, 3);
        strlcopy(e->actor, db_col_is_null(st, 4) ? "" : db_col_text(st, 4), sizeof(e->actor));
        e->at = db_col_int64(st, 5);
        e->data = json_loads(db_col_text(st, 6), 0, NULL);
        if (!json_is_object(e->data)) {
            json_decref(e->data);
            e->data = json_object();
        }
        (*n)++;
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
load_webhooks(struct fanout *f)
{
    struct db_stmt *st = db_prepare(f->db, "SELECT id, url, event_types FROM webhooks WHERE active <> 0 ORDER BY id",
                                    f->err);
    enum db_step_result r;

    if (!st)
        return f->err->rc;
    f->webhooks = json_array();
    while ((r = db_step(st, f->err)) == DB_ROW) {
        json_t *types = json_loads(db_col_text(st, 2), 0, NULL);
        json_array_append_new(f->webhooks, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)db_col_int64(st, 0), "url",
                                                     db_col_text(st, 1), "types", types ? types : json_array()));
    }
    db_reset(st);
    return r == DB_FAIL ? f->err->rc : TEND_OK;
}

/* --- writing ---------------------------------------------------------------- */

static enum tend_rc
insert_delivery(struct fanout *f, const char *channel, const struct event_row *e, int64_t user_id,
                int64_t webhook_id, const char *recipient, const char *payload)
{
    struct db_stmt *st = db_prepare(f->db,
                                    "INSERT INTO deliveries (channel, event_id, event_type, user_id, webhook_id, "
                                    "recipient, payload, max_attempts, next_at, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    f->err);
    if (!st)
        return f->err->rc;
    db_bind_str(st, 1, channel);
    db_bind_int64(st, 2, e->id);
    db_bind_str(st, 3, e->type);
    db_bind_ref(st, 4, user_id);
    db_bind_ref(st, 5, webhook_id);
    db_bind_str(st, 6, recipient);
    db_bind_str(st, 7, payload);
    db_bind_int64(st, 8, f->cfg->max_attempts);
    db_bind_int64(st, 9, f->now);
    db_bind_int64(st, 10, f->now);
    db_bind_int64(st, 11, f->now);
    return db_run(st, f->err);
}

static int64_t
member_int(const json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static enum tend_rc
webhook_deliveries(struct fanout *f, const struct event_row *e)
{
    size_t i;
    json_t *w, *body;
    char *text;
    enum tend_rc rc = TEND_OK;

    if (json_array_size(f->webhooks) == 0)
        return TEND_OK;
    body = json_pack("{s:I,s:s,s:s,s:I,s:o,s:o,s:O}", "id", (json_int_t)e->id, "type", e->type, "entity", e->entity,
                     "entity_id", (json_int_t)e->entity_id, "actor", e->actor[0] ? json_string(e->actor) : json_null(),
                     "at", notify_time_json(e->at), "data", e->data);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_array_foreach(f->webhooks, i, w) {
        int64_t id = json_integer_value(json_object_get(w, "id"));
        /* a rule's webhook action goes to its chosen subscription only */
        if (strcmp(e->type, "rule.webhook") == 0 ? id != member_int(e->data, "webhook_id")
                                                 : !notify_pattern_match(json_object_get(w, "types"), e->type))
            continue;
        if (rc)
            continue;
        rc = insert_delivery(f, "webhook", e, 0, json_integer_value(json_object_get(w, "id")),
                             json_string_value(json_object_get(w, "url")), text);
    }
    free(text);
    return rc;
}

/* --- who hears of a ticket event ------------------------------------------- */

static int
add_recipient(struct recipient *r, int n, int64_t user_id, const char *kind)
{
    if (user_id <= 0 || n >= MAX_RECIPIENTS)
        return n;
    for (int i = 0; i < n; i++)
        if (r[i].user_id == user_id)
            return n; /* the first kind wins: a mention over a plain reply */
    r[n].user_id = user_id;
    r[n].kind = kind;
    return n + 1;
}

/* Every user_id from a query with one parameter `id`. */
static int
add_query(struct fanout *f, const char *sql, int64_t id, struct recipient *r, int n, const char *kind, int *fail)
{
    struct db_stmt *st = db_prepare(f->db, sql, f->err);
    enum db_step_result res;

    if (!st) {
        *fail = 1;
        return n;
    }
    db_bind_int64(st, 1, id);
    while ((res = db_step(st, f->err)) == DB_ROW)
        n = add_recipient(r, n, db_col_int64(st, 0), kind);
    db_reset(st);
    if (res == DB_FAIL)
        *fail = 1;
    return n;
}


/* The comment of a ticket.commented event: its body and whether internal. */
static char *
comment_body(struct fanout *f, int64_t comment_id)
{
    struct db_stmt *st = db_prepare(f->db, "SELECT body FROM comments WHERE id = ?", f->err);
    char *body = NULL;

    if (!st)
        return NULL;
    db_bind_int64(st, 1, comment_id);
    if (db_step(st, f->err) == DB_ROW)
        body = xstrdup(db_col_text(st, 0));
    db_reset(st);
    return body;
}

#define WATCHERS "SELECT user_id FROM ticket_watchers WHERE ticket_id = ? ORDER BY user_id"
#define ASSIGNEE "SELECT assignee_id FROM tickets WHERE id = ? AND assignee_id IS NOT NULL"

static int
recipients_of(struct fanout *f, const struct event_row *e, const char *comment, struct recipient *r, int *fail)
{
    const json_t *d = e->data;
    int n = 0;

    if (strcmp(e->type, "ticket.created") == 0) {
        if (member_int(d, "assignee_id"))
            n = add_recipient(r, n, member_int(d, "assignee_id"), "ticket.assigned");
        else if (member_int(d, "group_id"))
            n = add_query(f, "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id",
                          member_int(d, "group_id"), r, n, "ticket.created", fail);
    } else if (strcmp(e->type, "ticket.updated") == 0) {
        json_t *a = json_object_get(json_object_get(d, "assignee_id"), "to");
        if (json_is_integer(a))
            n = add_recipient(r, n, json_integer_value(a), "ticket.assigned");
    } else if (strcmp(e->type, "ticket.status_changed") == 0) {
        n = add_query(f, ASSIGNEE, e->entity_id, r, n, "ticket.status_changed", fail);
        n = add_query(f, WATCHERS, e->entity_id, r, n, "ticket.status_changed", fail);
    } else if (strcmp(e->type, "ticket.commented") == 0) {
        char names[MAX_MENTIONS][64];
        int m = comment ? notify_mentions(comment, names, MAX_MENTIONS) : 0;
        for (int i = 0; i < m && !*fail; i++) {
            struct db_stmt *st = db_prepare(f->db, "SELECT id FROM users WHERE username = ?", f->err);
            if (!st) {
                *fail = 1;
                break;
            }
            db_bind_str(st, 1, names[i]);
            if (db_step(st, f->err) == DB_ROW)
                n = add_recipient(r, n, db_col_int64(st, 0), "ticket.mentioned");
            db_reset(st);
        }
        n = add_query(f, ASSIGNEE, e->entity_id, r, n, "ticket.commented", fail);
        n = add_query(f, WATCHERS, e->entity_id, r, n, "ticket.commented", fail);
    } else if ((strncmp(e->type, "sla.", 4) == 0 || strcmp(e->type, "rule.notify") == 0) &&
               notify_kind_index(e->type) >= 0) {
        json_t *ids = json_object_get(d, "notify_user_ids");
        if (json_is_array(ids)) {
            size_t i;
            json_t *v;
            json_array_foreach(ids, i, v) {
                if (json_is_integer(v))
                    n = add_recipient(r, n, json_integer_value(v), e->type);
            }
        } else {
            n = add_query(f, ASSIGNEE, e->entity_id, r, n, e->type, fail);
        }
    }
    return n;
}

/* --- rendering and writing one recipient's share ---------------------------- */

struct user_row {
    char username[72], name[128], email[256], language[8];
    int usable; /* enabled, staff (not a customer) */
};

static enum tend_rc
load_user(struct fanout *f, int64_t id, struct user_row *u)
{
    struct db_stmt *st = db_prepare(f->db,
                                    "SELECT u.username, u.display_name, u.email, u.disabled, u.organisation_id, "
                                    "s.language FROM users u LEFT JOIN notify_settings s ON s.user_id = u.id "
                                    "WHERE u.id = ?",
                                    f->err);
    enum db_step_result r;

    memset(u, 0, sizeof(*u));
    if (!st)
        return f->err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, f->err);
    if (r == DB_ROW) {
        strlcopy(u->username, db_col_text(st, 0), sizeof(u->username));
        strlcopy(u->name, db_col_text(st, 1), sizeof(u->name));
        strlcopy(u->email, db_col_is_null(st, 2) ? "" : db_col_text(st, 2), sizeof(u->email));
        u->usable = db_col_int64(st, 3) == 0 && db_col_is_null(st, 4);
        strlcopy(u->language, db_col_is_null(st, 5) ? "en" : db_col_text(st, 5), sizeof(u->language));
    }
    db_reset(st);
    return r == DB_FAIL ? f->err->rc : TEND_OK;
}

/* Whether `user` wants `kind` by `channel`. */
static int
wants(struct fanout *f, int64_t user, const char *kind, const char *channel, int *fail)
{
    struct db_stmt *st = db_prepare(f->db, "SELECT enabled FROM notify_prefs WHERE user_id = ? AND kind = ? AND channel = ?",
                                    f->err);
    enum db_step_result r;
    int on = notify_default_enabled(kind, channel);

    if (!st) {
        *fail = 1;
        return 0;
    }
    db_bind_int64(st, 1, user);
    db_bind_str(st, 2, kind);
    db_bind_str(st, 3, channel);
    r = db_step(st, f->err);
    if (r == DB_ROW)
        on = db_col_int64(st, 0) != 0;
    db_reset(st);
    if (r == DB_FAIL)
        *fail = 1;
    return on;
}

/* The template of `kind` in `lang` (English when missing): subject, text, html. */
static enum tend_rc
load_template(struct fanout *f, const char *kind, const char *lang, char **parts)
{
    struct db_stmt *st = db_prepare(f->db,
                                    "SELECT subject, body_text, body_html FROM email_templates WHERE kind = ? "
                                    "AND language IN (?, 'en') ORDER BY CASE WHEN language = ? THEN 0 ELSE 1 END",
                                    f->err);
    enum db_step_result r;

    if (!st)
        return f->err->rc;
    db_bind_str(st, 1, kind);
    db_bind_str(st, 2, lang);
    db_bind_str(st, 3, lang);
    r = db_step(st, f->err);
    for (int i = 0; i < 3; i++)
        parts[i] = xstrdup(r == DB_ROW ? db_col_text(st, i) : i == 0 ? "{{ticket.number}} {{event.type}}" : "");
    db_reset(st);
    return r == DB_FAIL ? f->err->rc : TEND_OK;
}

/* The ticket's facts as template variables (plus the event's and the actor's). */
static enum tend_rc
ticket_vars(struct fanout *f, const struct event_row *e, const char *comment, json_t **out)
{
    struct db_stmt *st = db_prepare(f->db, "SELECT number, subject, status, priority FROM tickets WHERE id = ?", f->err);
    json_t *v = json_object(), *d = e->data;
    char link[400], num[32];
    enum db_step_result r;

    if (!st) {
        json_decref(v);
        return f->err->rc;
    }
    db_bind_int64(st, 1, e->entity_id);
    r = db_step(st, f->err);
    if (r == DB_ROW) {
        json_object_set_new(v, "ticket.number", json_string(db_col_text(st, 0)));
        json_object_set_new(v, "ticket.subject", json_string(db_col_text(st, 1)));
        json_object_set_new(v, "ticket.status", json_string(db_col_text(st, 2)));
        json_object_set_new(v, "ticket.priority", json_string(db_col_text(st, 3)));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(v);
        return f->err->rc;
    }
    snprintf(num, sizeof(num), "%lld", (long long)e->entity_id);
    json_object_set_new(v, "ticket.id", json_string(num));
    snprintf(link, sizeof(link), "%s/tickets/%lld", f->cfg->public_url, (long long)e->entity_id);
    json_object_set_new(v, "link", json_string(link));
    json_object_set_new(v, "event.type", json_string(e->type));
    json_object_set_new(v, "actor", json_string(e->actor[0] ? e->actor : "Tend"));
    if (comment)
        json_object_set_new(v, "comment.body", json_string(comment));
    if (json_is_string(json_object_get(d, "message")))
        json_object_set(v, "rule.message", json_object_get(d, "message"));
    if (json_is_string(json_object_get(d, "metric")))
        json_object_set(v, "sla.metric", json_object_get(d, "metric"));
    if (json_is_string(json_object_get(d, "due_at")))
        json_object_set(v, "sla.due_at", json_object_get(d, "due_at"));
    if (json_is_integer(json_object_get(d, "level"))) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(json_object_get(d, "level")));
        json_object_set_new(v, "sla.level", json_string(num));
    }
    st = db_prepare(f->db, "SELECT display_name FROM users WHERE username = ?", f->err);
    if (st && e->actor[0]) {
        db_bind_str(st, 1, e->actor);
        if (db_step(st, f->err) == DB_ROW)
            json_object_set_new(v, "actor", json_string(db_col_text(st, 0)));
        db_reset(st);
    }
    *out = v;
    return TEND_OK;
}

static enum tend_rc
notify_user(struct fanout *f, const struct event_row *e, const struct recipient *to, json_t *vars)
{
    struct user_row u;
    char *parts[3] = {NULL, NULL, NULL}, *subject = NULL, *text = NULL, *html = NULL;
    int fail = 0, in_app, email;
    enum tend_rc rc = load_user(f, to->user_id, &u);

    if (rc || !u.usable || strcmp(u.username, e->actor) == 0) /* never the one who did it */
        return rc;
    in_app = wants(f, to->user_id, to->kind, "in_app", &fail);
    email = wants(f, to->user_id, to->kind, "email", &fail) && u.email[0];
    if (fail)
        return f->err->rc;
    if (!in_app && !email)
        return TEND_OK;
    rc = load_template(f, to->kind, u.language, parts);
    if (rc == TEND_OK) {
        json_object_set_new(vars, "recipient.name", json_string(u.name));
        subject = template_render(parts[0], vars, 0);
        text = template_render(parts[1], vars, 0);
        html = template_render(parts[2], vars, 1);
    }
    if (rc == TEND_OK && in_app) {
        struct db_stmt *st = db_prepare(f->db,
                                        "INSERT INTO notifications (user_id, kind, event_id, entity, entity_id, title, "
                                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                        f->err);
        rc = st ? TEND_OK : f->err->rc;
        if (st) {
            db_bind_int64(st, 1, to->user_id);
            db_bind_str(st, 2, to->kind);
            db_bind_int64(st, 3, e->id);
            db_bind_str(st, 4, e->entity);
            db_bind_int64(st, 5, e->entity_id);
            db_bind_str(st, 6, subject);
            db_bind_int64(st, 7, f->now);
            rc = db_run(st, f->err);
        }
    }
    if (rc == TEND_OK && email) {
        char mid[256], root[200];
        json_t *p;
        char *payload;
        snprintf(root, sizeof(root), "<tend.ticket-%lld@%s>", (long long)e->entity_id, f->cfg->mail_domain);
        snprintf(mid, sizeof(mid), "<tend.ticket-%lld.e%lld.u%lld@%s>", (long long)e->entity_id, (long long)e->id,
                 (long long)to->user_id, f->cfg->mail_domain);
        p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "to", u.email, "to_name", u.name, "subject", subject,
                      "text", text, "html", html, "message_id", mid, "in_reply_to", root, "references", root);
        payload = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        rc = insert_delivery(f, "email", e, to->user_id, 0, u.email, payload);
        free(payload);
    }
    for (int i = 0; i < 3; i++)
        free(parts[i]);
    free(subject);
    free(text);
    free(html);
    return rc;
}

static enum tend_rc
fan_event(struct fanout *f, const struct event_row *e)
{
    struct recipient r[MAX_RECIPIENTS];
    char *comment = NULL;
    json_t *vars = NULL;
    int n, fail = 0;
    enum tend_rc rc = webhook_deliveries(f, e);

    if (rc || strcmp(e->entity, "ticket") != 0)
        return rc;
    if (strcmp(e->type, "ticket.commented") == 0)
        comment = comment_body(f, member_int(e->data, "comment_id"));
    n = recipients_of(f, e, comment, r, &fail);
    if (fail)
        rc = f->err->rc;
    if (rc == TEND_OK && n > 0)
        rc = ticket_vars(f, e, comment, &vars);
    for (int i = 0; rc == TEND_OK && i < n; i++)
        rc = notify_user(f, e, &r[i], vars);
    json_decref(vars);
    free(comment);
    return rc;
}

enum tend_rc
notifications_fanout(struct db *db, const struct notify_config *cfg, int64_t now, int *n, struct tend_err *err)
{
    struct event_row *rows;
    struct fanout f = {db, cfg, now, NULL, err};
    int64_t last = 0;
    int count = 0, mine = lock_cursor(db, &last, err);
    enum tend_rc rc;

    *n = 0;
    if (mine <= 0)
        return mine < 0 ? err->rc : TEND_OK;
    rows = xcalloc(FANOUT_BATCH, sizeof(*rows));
    rc = read_events(db, last, rows, &count, err);
    if (rc == TEND_OK && count > 0)
        rc = load_webhooks(&f);
    for (int i = 0; rc == TEND_OK && i < count; i++)
        rc = fan_event(&f, &rows[i]);
    if (rc == TEND_OK && count > 0) {
        struct db_stmt *st = db_prepare(db, "UPDATE notify_cursor SET last_event_id = ? WHERE name = 'fanout'", err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_int64(st, 1, rows[count - 1].id);
            rc = db_run(st, err);
        }
    }
    for (int i = 0; i < count; i++)
        json_decref(rows[i].data);
    free(rows);
    json_decref(f.webhooks);
    *n = count;
    return rc;
}
