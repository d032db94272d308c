/* tickets_store.c: the SQL of the tickets module. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "modules/users/users.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "tickets.h"

#define TICKET_COLUMNS                                                                           \
    "id, number, subject, description, status, priority, customer_ref, version, created_at, "    \
    "updated_at, organisation_id, assignee_id"

static void
read_row(struct db_stmt *st, void *out)
{
    struct ticket *t = out;

    memset(t, 0, sizeof(*t));
    t->id = db_col_int64(st, 0);
    strlcopy(t->number, db_col_text(st, 1), sizeof(t->number));
    t->subject = xstrdup(db_col_text(st, 2));
    t->description = xstrdup(db_col_text(st, 3));
    strlcopy(t->status, db_col_text(st, 4), sizeof(t->status));
    strlcopy(t->priority, db_col_text(st, 5), sizeof(t->priority));
    t->customer_ref = db_col_is_null(st, 6) ? NULL : xstrdup(db_col_text(st, 6));
    t->version = db_col_int64(st, 7);
    t->created_at = db_col_int64(st, 8);
    t->updated_at = db_col_int64(st, 9);
    t->organisation_id = db_col_is_null(st, 10) ? 0 : db_col_int64(st, 10);
    t->assignee_id = db_col_is_null(st, 11) ? 0 : db_col_int64(st, 11);
}

/* The organisation and assignee a write names must exist (422, not a 500 from the
 * foreign key). */
static enum tend_rc
check_references(struct db *db, int64_t organisation_id, int64_t assignee_id, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    if (organisation_id)
        rc = users_store_organisation_exists(db, organisation_id, err);
    if (rc == TEND_OK && assignee_id) {
        struct user u;
        rc = users_store_get(db, assignee_id, &u, err);
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_EINVAL, "assignee_id", "no user %lld", (long long)assignee_id);
        if (rc == TEND_OK) {
            if (u.disabled)
                rc = tend_fail(err, TEND_EINVAL, "assignee_id", "that user is disabled");
            else if (u.roles == ROLE_CUSTOMER)
                rc = tend_fail(err, TEND_EINVAL, "assignee_id", "a customer cannot be the assignee");
            user_cleanup(&u);
        }
    }
    return rc;
}

/* Next value of a named counter (created at 1). */
static enum tend_rc
next_sequence(struct db *db, const char *name, int64_t *value, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    r = db_step(st, err);
    if (r == DB_ROW)
        *value = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_ROW)
        return TEND_OK;
    st = db_prepare(db, "INSERT INTO sequences (name, value) VALUES (?, 1)", err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    *value = 1;
    return db_run(st, err);
}

enum tend_rc
tickets_store_create(struct db *db, const struct ticket_input *in, const char *actor, int64_t now,
                     struct ticket *out, struct tend_err *err)
{
    char seqname[32], number[32];
    int64_t seq = 0;
    int year = time_year_of(now);
    struct db_stmt *st;
    enum db_step_result r;
    enum tend_rc rc;

    rc = check_references(db, in->organisation_id, in->assignee_id, err);
    if (rc)
        return rc;
    snprintf(seqname, sizeof(seqname), "ticket.SR-%d", year);
    rc = next_sequence(db, seqname, &seq, err);
    if (rc)
        return rc;
    snprintf(number, sizeof(number), "SR-%d-%06lld", year, (long long)seq);
    st = db_prepare(db,
                    "INSERT INTO tickets (number, subject, description, status, priority, "
                    "customer_ref, version, created_at, updated_at, organisation_id, assignee_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING " TICKET_COLUMNS,
                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, number);
    db_bind_str(st, 2, in->subject);
    db_bind_str(st, 3, in->description ? in->description : "");
    db_bind_str(st, 4, in->status[0] ? in->status : "new");
    db_bind_str(st, 5, in->priority[0] ? in->priority : "normal");
    db_bind_str(st, 6, in->customer_ref);
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, now);
    db_bind_ref(st, 9, in->organisation_id);
    db_bind_ref(st, 10, in->assignee_id);
    r = db_step(st, err);
    if (r == DB_ROW)
        read_row(st, out);
    db_reset(st);
    if (r != DB_ROW)
        return r == DB_FAIL ? err->rc : tend_fail(err, TEND_EDB, NULL, "insert returned no row");
    rc = event_record(
        db, "ticket.created", "ticket", out->id, actor,
        json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "number", out->number, "subject", out->subject,
                  "status", out->status, "priority", out->priority, "customer_ref",
                  out->customer_ref ? json_string(out->customer_ref) : json_null(),
                  "organisation_id",
                  out->organisation_id ? json_integer(out->organisation_id) : json_null(),
                  "assignee_id", out->assignee_id ? json_integer(out->assignee_id) : json_null()),
        now, err);
    if (rc)
        ticket_cleanup(out);
    return rc;
}

enum tend_rc
tickets_store_get(struct db *db, int64_t id, const struct ticket_scope *scope, struct ticket *out,
                  struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_row, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no ticket %lld", (long long)id);
    if (rc)
        return rc;
    if (!ticket_in_scope(out, scope)) {
        ticket_cleanup(out);
        return tend_fail(err, TEND_ENOTFOUND, "id", "no ticket %lld", (long long)id);
    }
    return TEND_OK;
}

enum tend_rc
tickets_store_update(struct db *db, int64_t id, const struct ticket_input *in,
                     const struct ticket_scope *scope, const char *actor, int64_t now,
                     struct ticket *out, struct tend_err *err)
{
    struct db_stmt *st;
    json_t *changes;
    enum tend_rc rc = tickets_store_get(db, id, scope, out, err);

    if (rc)
        return rc;
    if (out->version != in->version) {
        rc = tend_fail(err, TEND_ECONFLICT, "version",
                       "the ticket was changed by someone else (you sent version %lld, it is now "
                       "%lld): reload and try again",
                       (long long)in->version, (long long)out->version);
        return rc; /* out stays filled: the caller reports the current version */
    }
    if (in->fields & (TF_ORGANISATION | TF_ASSIGNEE)) {
        rc = check_references(db, (in->fields & TF_ORGANISATION) ? in->organisation_id : 0,
                              (in->fields & TF_ASSIGNEE) ? in->assignee_id : 0, err);
        if (rc) {
            ticket_cleanup(out);
            return rc;
        }
    }
    changes = json_object();
    if (ticket_apply_update(out, in, changes) == 0) {
        json_decref(changes);
        return TEND_OK; /* nothing changed: no new version, no event */
    }
    st = db_prepare(db,
                    "UPDATE tickets SET subject = ?, description = ?, status = ?, priority = ?, "
                    "customer_ref = ?, version = version + 1, updated_at = ?, organisation_id = ?, "
                    "assignee_id = ? WHERE id = ? AND version = ?",
                    err);
    if (!st) {
        json_decref(changes);
        ticket_cleanup(out);
        return err->rc;
    }
    db_bind_str(st, 1, out->subject);
    db_bind_str(st, 2, out->description);
    db_bind_str(st, 3, out->status);
    db_bind_str(st, 4, out->priority);
    db_bind_str(st, 5, out->customer_ref);
    db_bind_int64(st, 6, now);
    db_bind_ref(st, 7, out->organisation_id);
    db_bind_ref(st, 8, out->assignee_id);
    db_bind_int64(st, 9, id);
    db_bind_int64(st, 10, in->version);
    rc = db_run(st, err);
    if (rc == TEND_OK) {
        out->version++;
        out->updated_at = now;
        rc = event_append(db, "ticket.updated", "ticket", id, actor, changes, now, err);
    }
    json_decref(changes);
    if (rc)
        ticket_cleanup(out);
    return rc;
}

/* A bounded SQL text under construction. */
struct sql {
    char text[1024];
    size_t len;
};

static void
sql_add(struct sql *q, const char *s)
{
    size_t n = strlen(s);
    if (q->len + n < sizeof(q->text)) {
        memcpy(q->text + q->len, s, n + 1);
        q->len += n;
    }
}

/* Add "<joiner><column> IN (?, ?...)" or "<joiner><column> = ?"; returns the next joiner. */
static const char *
sql_filter(struct sql *q, const char *joiner, const char *column, int values)
{
    sql_add(q, joiner);
    sql_add(q, column);
    if (values == 1) {
        sql_add(q, " = ?");
    } else {
        sql_add(q, " IN (?");
        for (int i = 1; i < values; i++)
            sql_add(q, ", ?");
        sql_add(q, ")");
    }
    return " AND ";
}

/* Build and bind the list query for `f`. The text depends only on which filters
 * are present, so the statement cache holds a bounded set of shapes. */
static struct db_stmt *
prepare_list(struct db *db, const struct ticket_filter *f, struct tend_err *err)
{
    struct sql q = {"", 0};
    int bind = 1;
    struct db_stmt *st;
    const char *j = " WHERE ";

    sql_add(&q, "SELECT " TICKET_COLUMNS " FROM tickets");
    if (f->nstatuses)
        j = sql_filter(&q, j, "status", f->nstatuses);
    if (f->npriorities)
        j = sql_filter(&q, j, "priority", f->npriorities);
    if (f->customer_ref)
        j = sql_filter(&q, j, "customer_ref", 1);
    if (f->organisation_id)
        j = sql_filter(&q, j, "organisation_id", 1);
    if (f->scope.organisation_id)
        j = sql_filter(&q, j, "organisation_id", 1);
    if (f->assignee_id)
        j = sql_filter(&q, j, "assignee_id", 1);
    if (f->scope.assignee_id)
        j = sql_filter(&q, j, "assignee_id", 1);
    if (f->before_id) {
        sql_add(&q, j);
        sql_add(&q, "id < ?");
    }
    sql_add(&q, " ORDER BY id DESC LIMIT ?");

    st = db_prepare(db, q.text, err);
    if (!st)
        return NULL;
    for (int i = 0; i < f->nstatuses; i++)
        db_bind_str(st, bind++, f->statuses[i]);
    for (int i = 0; i < f->npriorities; i++)
        db_bind_str(st, bind++, f->priorities[i]);
    if (f->customer_ref)
        db_bind_str(st, bind++, f->customer_ref);
    if (f->organisation_id)
        db_bind_int64(st, bind++, f->organisation_id);
    if (f->scope.organisation_id)
        db_bind_int64(st, bind++, f->scope.organisation_id);
    if (f->assignee_id)
        db_bind_int64(st, bind++, f->assignee_id);
    if (f->scope.assignee_id)
        db_bind_int64(st, bind++, f->scope.assignee_id);
    if (f->before_id)
        db_bind_int64(st, bind++, f->before_id);
    db_bind_int64(st, bind, f->limit + 1);
    return st;
}

/* A row as a ticket borrowing the statement's memory. */
static void
borrow_row(struct db_stmt *st, struct ticket *t)
{
    t->id = db_col_int64(st, 0);
    strlcopy(t->number, db_col_text(st, 1), sizeof(t->number));
    t->subject = (char *)db_col_text(st, 2);
    t->description = (char *)db_col_text(st, 3);
    strlcopy(t->status, db_col_text(st, 4), sizeof(t->status));
    strlcopy(t->priority, db_col_text(st, 5), sizeof(t->priority));
    t->customer_ref = db_col_is_null(st, 6) ? NULL : (char *)db_col_text(st, 6);
    t->version = db_col_int64(st, 7);
    t->created_at = db_col_int64(st, 8);
    t->updated_at = db_col_int64(st, 9);
    t->organisation_id = db_col_is_null(st, 10) ? 0 : db_col_int64(st, 10);
    t->assignee_id = db_col_is_null(st, 11) ? 0 : db_col_int64(st, 11);
}

enum tend_rc
tickets_store_scan(struct db *db, const struct ticket_filter *f,
                   void (*row)(void *ctx, const struct ticket *t), void *ctx, struct tend_err *err)
{
    struct db_stmt *st = prepare_list(db, f, err);
    enum db_step_result r;
    struct ticket t;

    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        borrow_row(st, &t);
        row(ctx, &t);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}
