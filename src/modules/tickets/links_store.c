/* links_store.c: the SQL of links between tickets (parent/child, duplicate,
 * related), merging a duplicate into its survivor, and all-or-nothing bulk
 * updates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_store.h"
#include "workflow.h"

const char *const ticket_link_kinds[] = {"parent", "child", "duplicate_of", "related", NULL};

/* Store a link as (from, to, kind) with kind child_of, duplicate_of or
 * related_to, whichever way round the request put it. */
static void
canonical(int64_t id, int64_t other, const char *kind, int64_t *from, int64_t *to, const char **stored)
{
    *from = id;
    *to = other;
    if (strcmp(kind, "parent") == 0) { /* other is the parent of id */
        *stored = "child_of";
    } else if (strcmp(kind, "child") == 0) { /* other is a child of id */
        *from = other;
        *to = id;
        *stored = "child_of";
    } else if (strcmp(kind, "duplicate_of") == 0) {
        *stored = "duplicate_of";
    } else {
        *stored = "related_to";
        if (other < id) { /* related is symmetric: one row per pair */
            *from = other;
            *to = id;
        }
    }
}

/* Whether `ancestor` is `id` or above it through child_of links. */
static enum tend_rc
is_ancestor(struct db *db, int64_t id, int64_t ancestor, int *yes, struct tend_err *err)
{
    int64_t cur = id;

    *yes = 0;
    for (int depth = 0; cur && depth < 100; depth++) {
        struct db_stmt *st;
        enum db_step_result r;
        if (cur == ancestor) {
            *yes = 1;
            return TEND_OK;
        }
        st = db_prepare(db, "SELECT to_id FROM ticket_links WHERE from_id = ? AND kind = 'child_of'", err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, cur);
        r = db_step(st, err);
        cur = r == DB_ROW ? db_col_int64(st, 0) : 0;
        db_reset(st);
        if (r == DB_FAIL)
            return err->rc;
    }
    return TEND_OK;
}

static enum tend_rc
pair_linked(struct db *db, int64_t a, int64_t b, int *yes, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT 1 FROM ticket_links WHERE (from_id = ? AND to_id = ?) OR "
                                    "(from_id = ? AND to_id = ?)",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, a);
    db_bind_int64(st, 2, b);
    db_bind_int64(st, 3, b);
    db_bind_int64(st, 4, a);
    r = db_step(st, err);
    db_reset(st);
    *yes = r == DB_ROW;
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
insert_link(struct db *db, int64_t from, int64_t to, const char *kind, int64_t now, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "INSERT INTO ticket_links (from_id, to_id, kind, created_at) VALUES (?, ?, ?, ?)", err);

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    db_bind_str(st, 3, kind);
    db_bind_int64(st, 4, now);
    return db_run(st, err);
}

enum tend_rc
links_store_add(struct db *db, int64_t id, int64_t other, const char *kind,
                const struct ticket_scope *scope, const char *actor, int64_t now, struct tend_err *err)
{
    struct ticket a, b;
    int64_t from, to;
    const char *stored;
    int yes = 0;
    enum tend_rc rc;

    if (id == other)
        return tend_fail(err, TEND_EINVAL, "ticket_id", "a ticket cannot be linked to itself");
    rc = tickets_store_get(db, id, scope, &a, err);
    if (rc)
        return rc;
    ticket_cleanup(&a);
    rc = tickets_store_get(db, other, scope, &b, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_EINVAL, "ticket_id", "no ticket %lld", (long long)other);
    if (rc)
        return rc;
    ticket_cleanup(&b);
    rc = pair_linked(db, id, other, &yes, err);
    if (rc == TEND_OK && yes)
        return tend_fail(err, TEND_EINVAL, "ticket_id", "the tickets are already linked; remove that link first");
    canonical(id, other, kind, &from, &to, &stored);
    if (rc == TEND_OK && strcmp(stored, "child_of") == 0) {
        /* from becomes a child of to: to must not already be below from */
        rc = is_ancestor(db, to, from, &yes, err);
        if (rc == TEND_OK && yes)
            return tend_fail(err, TEND_EINVAL, "ticket_id", "that would make a parent/child cycle");
        if (rc == TEND_OK) {
            struct db_stmt *st =
                db_prepare(db, "SELECT 1 FROM ticket_links WHERE from_id = ? AND kind = 'child_of'", err);
            enum db_step_result r;
            if (!st)
                return err->rc;
            db_bind_int64(st, 1, from);
            r = db_step(st, err);
            db_reset(st);
            if (r == DB_FAIL)
                return err->rc;
            if (r == DB_ROW)
                return tend_fail(err, TEND_EINVAL, "ticket_id", "ticket %lld already has a parent",
                                 (long long)from);
        }
    }
    if (rc == TEND_OK)
        rc = insert_link(db, from, to, stored, now, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.linked", "ticket", id, actor,
                          json_pack("{s:s,s:I}", "kind", kind, "ticket_id", (json_int_t)other), now, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.linked", "ticket", other, actor,
                          json_pack("{s:s,s:I}", "kind",
                                    strcmp(kind, "parent") == 0  ? "child"
                                    : strcmp(kind, "child") == 0 ? "parent"
                                    : strcmp(kind, "duplicate_of") == 0 ? "duplicated_by"
                                                                        : "related",
                                    "ticket_id", (json_int_t)id),
                          now, err);
    return rc;
}

enum tend_rc
links_store_remove(struct db *db, int64_t id, int64_t other, const struct ticket_scope *scope,
                   const char *actor, int64_t now, struct tend_err *err)
{
    struct ticket a;
    struct db_stmt *st;
    enum tend_rc rc = tickets_store_get(db, id, scope, &a, err);

    if (rc)
        return rc;
    ticket_cleanup(&a);
    st = db_prepare(db,
                    "DELETE FROM ticket_links WHERE (from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?) "
                    "RETURNING kind",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, other);
    db_bind_int64(st, 3, other);
    db_bind_int64(st, 4, id);
    if (db_step(st, err) != DB_ROW) {
        db_reset(st);
        return tend_fail(err, TEND_ENOTFOUND, "other_id", "the tickets are not linked");
    }
    db_reset(st);
    rc = event_record(db, "ticket.unlinked", "ticket", id, actor,
                      json_pack("{s:I}", "ticket_id", (json_int_t)other), now, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.unlinked", "ticket", other, actor,
                          json_pack("{s:I}", "ticket_id", (json_int_t)id), now, err);
    return rc;
}

enum tend_rc
links_store_list(struct db *db, int64_t id, const struct ticket_scope *scope, json_t **out,
                 struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        "SELECT l.from_id, l.to_id, l.kind, t.id, t.number, t.subject, t.status, t.status_category, "
        "t.organisation_id, t.assignee_id FROM ticket_links l JOIN tickets t ON "
        "t.id = CASE WHEN l.from_id = ? THEN l.to_id ELSE l.from_id END "
        "WHERE l.from_id = ? OR l.to_id = ? ORDER BY l.created_at, t.id",
        err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, id);
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        int outgoing = db_col_int64(st, 0) == id;
        const char *stored = db_col_text(st, 2), *kind;
        struct ticket other = {0};
        other.organisation_id = db_col_is_null(st, 8) ? 0 : db_col_int64(st, 8);
        other.assignee_id = db_col_is_null(st, 9) ? 0 : db_col_int64(st, 9);
        if (!ticket_in_scope(&other, scope))
            continue; /* a link to what the caller may not see is not shown */
        if (strcmp(stored, "child_of") == 0)
            kind = outgoing ? "parent" : "child";
        else if (strcmp(stored, "duplicate_of") == 0)
            kind = outgoing ? "duplicate_of" : "duplicated_by";
        else
            kind = "related";
        json_array_append_new(*out, json_pack("{s:s,s:{s:I,s:s,s:s,s:s,s:s}}", "kind", kind, "ticket",
                                              "id", (json_int_t)db_col_int64(st, 3), "number",
                                              db_col_text(st, 4), "subject", db_col_text(st, 5),
                                              "status", db_col_text(st, 6), "status_category",
                                              db_col_text(st, 7)));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(*out);
        return err->rc;
    }
    return TEND_OK;
}

/* Values of `add` not yet in `into` (JSON arrays), appended. */
static json_t *
union_of(const char *into_text, const char *add_text)
{
    json_t *into = json_loads(into_text ? into_text : "[]", 0, NULL);
    json_t *add = json_loads(add_text ? add_text : "[]", 0, NULL);

    if (!into)
        into = json_array();
    ticket_json_add_missing(into, add, SIZE_MAX);
    json_decref(add);
    return into;
}

enum tend_rc
links_store_merge(struct db *db, int64_t id, int64_t into, const struct ticket_scope *scope,
                  const struct ticket_actor *actor, int64_t now, struct ticket *survivor,
                  struct tend_err *err)
{
    struct ticket dup, old;
    struct ticket_input in;
    struct workflow wf;
    int closed;
    enum tend_rc rc;

    if (id == into)
        return tend_fail(err, TEND_EINVAL, "into", "a ticket cannot be merged into itself");
    rc = tickets_store_get(db, id, scope, &dup, err);
    if (rc)
        return rc;
    rc = tickets_store_get(db, into, scope, survivor, err);
    if (rc == TEND_ENOTFOUND)
        rc = tend_fail(err, TEND_EINVAL, "into", "no ticket %lld", (long long)into);
    if (rc == TEND_OK && dup.merged_into_id)
        rc = tend_fail(err, TEND_EINVAL, "id", "ticket %s was already merged", dup.number);
    if (rc == TEND_OK && survivor->merged_into_id)
        rc = tend_fail(err, TEND_EINVAL, "into", "ticket %s was itself merged; merge into %lld instead",
                       survivor->number, (long long)survivor->merged_into_id);
    if (rc) {
        ticket_cleanup(&dup);
        if (rc != TEND_ENOTFOUND || survivor->subject)
            ticket_cleanup(survivor);
        return rc;
    }
    /* the survivor gains the duplicate's tags and watchers */
    memset(&in, 0, sizeof(in));
    in.fields = TF_TAGS | TF_WATCHERS;
    in.tags = union_of(survivor->tags, dup.tags);
    in.watchers = union_of(survivor->watchers, dup.watchers);
    rc = tickets_store_change(db, survivor, &in, actor, "into", now, err);
    json_decref(in.tags);
    json_decref(in.watchers);
    /* the duplicate closes, whatever its workflow's transitions say: a merge is
     * not a user's transition */
    tickets_store_counted(&dup, &old);
    if (rc == TEND_OK)
        rc = ticket_config_workflow_of(db, dup.type_id, &wf, err);
    if (rc == TEND_OK) {
        closed = workflow_closed_status(&wf);
        strlcopy(dup.status, wf.statuses[closed].key, sizeof(dup.status));
        strlcopy(dup.status_category, "closed", sizeof(dup.status_category));
        workflow_cleanup(&wf);
        dup.merged_into_id = into;
        rc = tickets_store_save(db, &dup, now, err);
    }
    if (rc == TEND_OK)
        rc = tickets_store_count(db, &old, -1, err);
    if (rc == TEND_OK)
        rc = tickets_store_count(db, &dup, 1, err);
    if (rc == TEND_OK) {
        struct db_stmt *st = db_prepare(db,
                                        "DELETE FROM ticket_links WHERE (from_id = ? AND to_id = ?) OR "
                                        "(from_id = ? AND to_id = ?)",
                                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, into);
            db_bind_int64(st, 3, into);
            db_bind_int64(st, 4, id);
            rc = db_run(st, err);
        }
    }
    if (rc == TEND_OK)
        rc = insert_link(db, id, into, "duplicate_of", now, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.merged", "ticket", id, actor->name,
                          json_pack("{s:I,s:s,s:s,s:s}", "into", (json_int_t)into, "number",
                                    survivor->number, "from_status", old.status, "to_status", dup.status),
                          now, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.merged_from", "ticket", into, actor->name,
                          json_pack("{s:I,s:s}", "from", (json_int_t)id, "number", dup.number), now, err);
    ticket_cleanup(&dup);
    if (rc)
        ticket_cleanup(survivor);
    return rc;
}
