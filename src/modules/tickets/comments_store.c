/* comments_store.c: the SQL of ticket comments: public replies and internal
 * notes (search indexing is the ticket_search_comment trigger's). */
#include <stdlib.h>
#include <string.h>

#include "modules/attachments/attachments.h"
#include "modules/rules/rules.h"
#include "modules/sla/sla.h"
#include "modules/users/users.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "tickets.h"

static json_t *
time_json(int64_t ms)
{
    char text[40];
    return json_string(time_format_rfc3339(ms, text, sizeof(text)));
}

static json_t *
comment_json(struct db_stmt *st)
{
    return json_pack("{s:I,s:I,s:o,s:s,s:s,s:b,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0),
                     "ticket_id", (json_int_t)db_col_int64(st, 1), "author_id",
                     db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)), "author",
                     db_col_text(st, 3), "body", db_col_text(st, 4), "internal",
                     (int)db_col_int64(st, 5), "attachments", json_array(), "created_at",
                     time_json(db_col_int64(st, 6)));
}

enum tend_rc
comments_store_add(struct db *db, const struct comment_input *in, const struct ticket_actor *actor,
                   int64_t now, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO comments (ticket_id, author_id, author, body, internal, "
                                    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, ticket_id, "
                                    "author_id, author, body, internal, created_at",
                                    err);
    enum db_step_result r;
    int64_t id = 0;
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, in->ticket_id);
    db_bind_ref(st, 2, actor->user_id);
    db_bind_str(st, 3, actor->name);
    db_bind_str(st, 4, in->body);
    db_bind_int64(st, 5, in->internal);
    db_bind_int64(st, 6, now);
    r = db_step(st, err);
    if (r == DB_ROW) {
        *out = comment_json(st);
        id = db_col_int64(st, 0);
    }
    db_reset(st);
    if (r != DB_ROW)
        return r == DB_FAIL ? err->rc : tend_fail(err, TEND_EDB, NULL, "insert returned no row");
    if (in->nattachments) {
        json_t *files = NULL, *mine = json_array();
        size_t i;
        json_t *f;
        rc = attachments_store_claim(db, "ticket", in->ticket_id, id, in->internal, in->attachment_ids,
                                     in->nattachments, err);
        if (rc == TEND_OK)
            rc = attachments_store_list(db, "ticket", in->ticket_id, 1, &files, err);
        json_array_foreach(files, i, f)
            if (json_integer_value(json_object_get(f, "comment_id")) == id)
                json_array_append(mine, f);
        json_object_set_new(*out, "attachments", mine);
        json_decref(files);
        if (rc) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
    }
    /* the ticket was touched (lists sorted by update show it), but its version
     * stays: a reply must not make someone's open edit conflict */
    st = db_prepare(db, "UPDATE tickets SET updated_at = ? WHERE id = ?", err);
    rc = st ? TEND_OK : err->rc;
    if (st) {
        db_bind_int64(st, 1, now);
        db_bind_int64(st, 2, in->ticket_id);
        rc = db_run(st, err);
    }
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.commented", "ticket", in->ticket_id, actor->name,
                          json_pack("{s:I,s:b,s:i}", "comment_id", (json_int_t)id, "internal",
                                    in->internal, "attachments", in->nattachments),
                          now, err);
    if (rc == TEND_OK && !in->internal) { /* a public reply answers the customer, or asks for an answer */
        struct ticket t;
        rc = tickets_store_get(db, in->ticket_id, NULL, &t, err);
        if (rc == TEND_OK) {
            rc = sla_ticket_happened(db, &t, actor->roles == ROLE_CUSTOMER ? SLA_CUSTOMER_REPLY : SLA_AGENT_REPLY,
                                     now, actor->name, err);
            ticket_cleanup(&t);
        }
    }
    if (rc == TEND_OK && !actor->no_rules)
        rc = tickets_store_run_rules(db, in->ticket_id, RT_COMMENTED, now, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Put each attachment on its comment's "attachments" list. */
static enum tend_rc
attach_files(struct db *db, int64_t ticket_id, int include_internal, json_t *comments,
             struct tend_err *err)
{
    json_t *files = NULL, *f, *c;
    size_t i, j;
    enum tend_rc rc = attachments_store_list(db, "ticket", ticket_id, include_internal, &files, err);

    if (rc) {
        json_decref(comments);
        return rc;
    }
    json_array_foreach(files, i, f) {
        json_int_t owner = json_integer_value(json_object_get(f, "comment_id"));
        if (!owner)
            continue;
        json_array_foreach(comments, j, c)
            if (json_integer_value(json_object_get(c, "id")) == owner)
                json_array_append(json_object_get(c, "attachments"), f);
    }
    json_decref(files);
    return TEND_OK;
}

enum tend_rc
comments_store_list(struct db *db, int64_t ticket_id, int include_internal, json_t **out,
                    struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    include_internal
                                        ? "SELECT id, ticket_id, author_id, author, body, internal, "
                                          "created_at FROM comments WHERE ticket_id = ? ORDER BY id"
                                        : "SELECT id, ticket_id, author_id, author, body, internal, "
                                          "created_at FROM comments WHERE ticket_id = ? AND internal = 0 "
                                          "ORDER BY id",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, ticket_id);
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(*out, comment_json(st));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(*out);
        return err->rc;
    }
    return attach_files(db, ticket_id, include_internal, *out, err);
}
