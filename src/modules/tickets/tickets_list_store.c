/* tickets_list_store.c: the SQL of ticket lists: filters, sorts and keyset
 * pages, counts per status (from the counters when the filter allows), and
 * full-text search. Query text depends only on which filters are present, so
 * the statement cache holds a bounded set of shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_store.h"
#include "workflow.h"

/* A bounded SQL text with its parameters, bound after preparing. */
struct sql {
    char text[4096];
    size_t len;
    int overflow;
    struct {
        int kind; /* 0 text, 1 int, 2 real */
        const char *s;
        int64_t i;
        double d;
    } params[64];
    int nparams;
    const char *joiner;
    int pg; /* PostgreSQL dialect */
};

void
tickets_custom_expr(int pg, const char *table, const char *key, int numeric, char *out, size_t len)
{
    if (!pg)
        snprintf(out, len, "json_extract(%scustom, '$.%s')", table, key);
    else if (numeric)
        snprintf(out, len, "tend_jnum(%scustom -> '%s')", table, key);
    else
        snprintf(out, len, "(%scustom ->> '%s')", table, key);
}

static void
add(struct sql *q, const char *s)
{
    size_t n = strlen(s);

    if (q->len + n >= sizeof(q->text)) {
        q->overflow = 1;
        return;
    }
    memcpy(q->text + q->len, s, n + 1);
    q->len += n;
}

static void
param_text(struct sql *q, const char *s)
{
    if (q->nparams < 64) {
        q->params[q->nparams].kind = 0;
        q->params[q->nparams++].s = s;
    } else
        q->overflow = 1;
}

static void
param_int(struct sql *q, int64_t v)
{
    if (q->nparams < 64) {
        q->params[q->nparams].kind = 1;
        q->params[q->nparams++].i = v;
    } else
        q->overflow = 1;
}

static void
param_real(struct sql *q, double v)
{
    if (q->nparams < 64) {
        q->params[q->nparams].kind = 2;
        q->params[q->nparams++].d = v;
    } else
        q->overflow = 1;
}

static void
cond(struct sql *q, const char *text)
{
    add(q, q->joiner);
    add(q, text);
    q->joiner = " AND ";
}

static void
in_list(struct sql *q, const char *column, const char *const *values, int n)
{
    if (n == 0)
        return;
    add(q, q->joiner);
    add(q, column);
    add(q, " IN (?");
    for (int i = 1; i < n; i++)
        add(q, ", ?");
    add(q, ")");
    q->joiner = " AND ";
    for (int i = 0; i < n; i++)
        param_text(q, values[i]);
}

static void
id_filter(struct sql *q, const char *column, int64_t v)
{
    char text[96];

    if (v == 0)
        return;
    if (v < 0) {
        snprintf(text, sizeof(text), "%s IS NULL", column);
        cond(q, text);
        return;
    }
    snprintf(text, sizeof(text), "%s = ?", column);
    cond(q, text);
    param_int(q, v);
}

/* WHERE conditions of `f` (filters and scope, not the keyset). */
/* The SLA filters, on the summary columns as the SLA engine keeps them
 * (sla.h: flags 1 breached, 2 paused, 4 achieved, 8 has clocks) at this instant. */
static void
sla_where(struct sql *q, const struct ticket_filter *f)
{
    int64_t now = time_now_ms();

    switch (f->sla_state) {
    case TSLA_RUNNING:
        cond(q, "(t.sla_due_at >= ? AND (t.sla_flags & 1) = 0 AND (t.sla_warn_at IS NULL OR t.sla_warn_at > ?))");
        param_int(q, now);
        param_int(q, now);
        break;
    case TSLA_WARNING:
        cond(q, "(t.sla_due_at >= ? AND (t.sla_flags & 1) = 0 AND t.sla_warn_at <= ?)");
        param_int(q, now);
        param_int(q, now);
        break;
    case TSLA_BREACHED:
        cond(q, "((t.sla_flags & 1) <> 0 OR t.sla_due_at < ?)");
        param_int(q, now);
        break;
    case TSLA_PAUSED:
        cond(q, "((t.sla_flags & 3) = 2)");
        break;
    case TSLA_ACHIEVED:
        cond(q, "((t.sla_flags & 5) = 4)");
        break;
    case TSLA_NONE:
        cond(q, "((t.sla_flags & 8) = 0)");
        break;
    default:
        break;
    }
    if (f->sla_within_ms) {
        cond(q, "(t.sla_due_at >= ? AND t.sla_due_at <= ? AND (t.sla_flags & 1) = 0)");
        param_int(q, now);
        param_int(q, now + f->sla_within_ms);
    }
}

static void
where(struct sql *q, const struct ticket_filter *f)
{
    in_list(q, "t.status", f->statuses, f->nstatuses);
    in_list(q, "t.status_category", f->categories, f->ncategories);
    in_list(q, "t.priority", f->priorities, f->npriorities);
    in_list(q, "t.channel", f->channels, f->nchannels);
    if (f->ntypes) {
        in_list(q, "ty.key", f->types, f->ntypes);
    }
    id_filter(q, "t.assignee_id", f->assignee_id);
    id_filter(q, "t.group_id", f->group_id);
    id_filter(q, "t.organisation_id", f->organisation_id);
    id_filter(q, "t.category_id", f->category_id);
    id_filter(q, "t.fault_code_id", f->fault_code_id);
    if (f->scope.organisation_id) {
        cond(q, "t.organisation_id = ?");
        param_int(q, f->scope.organisation_id);
    }
    if (f->scope.assignee_id) {
        cond(q, "t.assignee_id = ?");
        param_int(q, f->scope.assignee_id);
    }
    if (f->watcher_id) {
        cond(q, "t.id IN (SELECT ticket_id FROM ticket_watchers WHERE user_id = ?)");
        param_int(q, f->watcher_id);
    }
    if (f->tag) {
        cond(q, "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = ?)");
        param_text(q, f->tag);
    }
    if (f->customer_ref) {
        cond(q, "t.customer_ref = ?");
        param_text(q, f->customer_ref);
    }
    if (f->created_after) {
        cond(q, "t.created_at >= ?");
        param_int(q, f->created_after);
    }
    if (f->created_before) {
        cond(q, "t.created_at < ?");
        param_int(q, f->created_before);
    }
    if (f->updated_after) {
        cond(q, "t.updated_at >= ?");
        param_int(q, f->updated_after);
    }
    if (f->updated_before) {
        cond(q, "t.updated_at < ?");
        param_int(q, f->updated_before);
    }
    sla_where(q, f);
    for (int i = 0; i < f->ncustom; i++) {
        const struct ticket_custom_filter *c = &f->custom[i];
        char text[160], expr[96];
        /* the key is written into the SQL (a key of [a-z0-9_], checked when
         * the field was defined) so that the field's expression index can
         * serve it */
        tickets_custom_expr(q->pg, "t.", c->path + 2, c->numeric, expr, sizeof(expr));
        if (c->multi)
            snprintf(text, sizeof(text),
                     q->pg ? "(t.custom -> '%s') @> jsonb_build_array(?::text)"
                           : "EXISTS (SELECT 1 FROM json_each(t.custom, '$.%s') WHERE value = ?)",
                     c->path + 2);
        else
            snprintf(text, sizeof(text), "%s = ?", expr);
        cond(q, text);
        if (c->kind == 1)
            param_int(q, c->i);
        else if (c->kind == 2)
            param_real(q, c->d);
        else
            param_text(q, c->text);
    }
}

/* The sort expression of `f`. */
static const char *
sort_expr(const struct sql *q, const struct ticket_filter *f)
{
    switch (f->sort) {
    case SORT_CREATED:
        return "t.created_at";
    case SORT_UPDATED:
        return "t.updated_at";
    case SORT_PRIORITY:
        return "t.priority_rank";
    case SORT_SLA_DUE:
        return "coalesce(t.sla_due_at, 9000000000000000)"; /* TICKET_SLA_DUE_NEVER */
    case SORT_CUSTOM: {
        static _Thread_local char expr[96];
        tickets_custom_expr(q->pg, "t.", f->sort_path + 2, f->sort_numeric, expr, sizeof(expr));
        return expr;
    }
    case SORT_ID:
        break;
    }
    return "t.id";
}

static void
after_value_param(struct sql *q, const struct ticket_filter *f)
{
    if (f->after_kind == 1)
        param_int(q, f->after_int);
    else if (f->after_kind == 2)
        param_real(q, f->after_real);
    else
        param_text(q, f->after_text);
}

/* Rows after the cursor in sort order (ties broken by id in the same direction;
 * NULL sort values, possible for custom fields, come first ascending and last
 * descending, as SQLite sorts them). */
static void
keyset(struct sql *q, const struct ticket_filter *f)
{
    const char *e = sort_expr(q, f), *lt = f->descending ? "<" : ">";
    char text[512];

    if (!f->after_id)
        return;
    if (f->sort == SORT_ID) {
        snprintf(text, sizeof(text), "t.id %s ?", lt);
        cond(q, text);
        param_int(q, f->after_id);
        return;
    }
    if (f->after_kind == 3) { /* after a NULL */
        if (f->descending)
            snprintf(text, sizeof(text), "(%s IS NULL AND t.id < ?)", e);
        else
            snprintf(text, sizeof(text), "((%s IS NULL AND t.id > ?) OR %s IS NOT NULL)", e, e);
        cond(q, text);
        param_int(q, f->after_id);
        return;
    }
    if (f->descending)
        snprintf(text, sizeof(text), "(%s < ? OR (%s = ? AND t.id < ?) OR %s IS NULL)", e, e, e);
    else
        snprintf(text, sizeof(text), "(%s > ? OR (%s = ? AND t.id > ?))", e, e);
    cond(q, text);
    after_value_param(q, f);
    after_value_param(q, f);
    param_int(q, f->after_id);
}

static struct db_stmt *
prepare(struct db *db, struct sql *q, struct tend_err *err)
{
    struct db_stmt *st;

    if (q->overflow) {
        tend_fail(err, TEND_EINVAL, "", "the filter is too complex");
        return NULL;
    }
    st = db_prepare(db, q->text, err);
    if (!st)
        return NULL;
    for (int i = 0; i < q->nparams; i++) {
        if (q->params[i].kind == 1)
            db_bind_int64(st, i + 1, q->params[i].i);
        else if (q->params[i].kind == 2)
            db_bind_double(st, i + 1, q->params[i].d);
        else
            db_bind_str(st, i + 1, q->params[i].s);
    }
    return st;
}

/* A queue over several statuses or categories, newest first, would read and
 * sort every matching row (the index gives each value's rows in id order, not
 * their union). Instead each value's newest `limit` rows are taken through the
 * index and only those are merged: a page of "open and pending" costs two
 * index probes of `limit` rows however many tickets match. */
static int
build_split(struct sql *q, const struct ticket_filter *f, int limit)
{
    const char *dir = f->descending ? " DESC" : " ASC";
    int by_category = f->ncategories > 1 && f->nstatuses <= 1;
    int n = by_category ? f->ncategories : f->nstatuses;

    if (f->sort != SORT_ID || n < 2 || (!by_category && (f->nstatuses < 2 || f->ncategories > 1)))
        return 0;
    add(q, "SELECT " TICKET_SELECT " FROM tickets t " TICKET_JOIN " WHERE t.id IN (");
    for (int i = 0; i < n; i++) {
        struct ticket_filter one = *f;
        if (by_category) {
            one.categories[0] = f->categories[i];
            one.ncategories = 1;
        } else {
            one.statuses[0] = f->statuses[i];
            one.nstatuses = 1;
        }
        add(q, i ? " UNION ALL SELECT id FROM (SELECT t.id FROM tickets t " TICKET_JOIN
                 : "SELECT id FROM (SELECT t.id FROM tickets t " TICKET_JOIN);
        q->joiner = " WHERE ";
        where(q, &one);
        keyset(q, &one);
        add(q, " ORDER BY t.id");
        add(q, dir);
        add(q, " LIMIT ?) AS part"); /* PostgreSQL 15 names every derived table */
        param_int(q, limit);
    }
    add(q, ") ORDER BY t.id");
    add(q, dir);
    add(q, " LIMIT ?");
    param_int(q, limit);
    return 1;
}

static void
build_list(struct sql *q, const struct ticket_filter *f, int limit)
{
    const char *e = sort_expr(q, f), *dir = f->descending ? " DESC" : " ASC";

    if (build_split(q, f, limit))
        return;

    q->joiner = " WHERE ";
    add(q, "SELECT " TICKET_SELECT " FROM tickets t " TICKET_JOIN);
    where(q, f);
    keyset(q, f);
    add(q, " ORDER BY ");
    if (f->sort != SORT_ID) {
        add(q, e);
        add(q, dir);
        if (q->pg && f->sort == SORT_CUSTOM) /* SQLite's order: NULL is the smallest value */
            add(q, f->descending ? " NULLS LAST" : " NULLS FIRST");
        add(q, ", ");
    }
    add(q, "t.id");
    add(q, dir);
    add(q, " LIMIT ?");
    param_int(q, limit);
}

enum tend_rc
tickets_store_scan(struct db *db, const struct ticket_filter *f,
                   void (*row)(void *ctx, const struct ticket *t), void *ctx, struct tend_err *err)
{
    struct sql *q = xcalloc(1, sizeof(*q));
    struct db_stmt *st;
    enum db_step_result r;
    struct ticket t;

    q->pg = db_kind(db) == DB_POSTGRES;
    build_list(q, f, f->limit + 1);
    st = prepare(db, q, err);
    free(q);
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        tickets_store_read_columns(st, &t, 1);
        row(ctx, &t);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* --- counts ------------------------------------------------------------------- */

/* Whether the counters answer `f`: no filter but at most one of group,
 * assignee, organisation (a scope counts as one). */
static int
counters_answer(const struct ticket_filter *f, const char **dim, int64_t *key)
{
    int dims = 0;

    if (f->nstatuses || f->ncategories || f->npriorities || f->ntypes || f->nchannels ||
        f->category_id || f->fault_code_id || f->watcher_id || f->tag || f->customer_ref ||
        f->created_after || f->created_before || f->updated_after || f->updated_before || f->ncustom ||
        f->sla_state || f->sla_within_ms)
        return 0;
    *dim = "all";
    *key = 0;
    if (f->group_id) {
        dims++;
        *dim = "group";
        *key = f->group_id < 0 ? 0 : f->group_id;
    }
    if (f->assignee_id || f->scope.assignee_id) {
        int64_t a = f->assignee_id ? f->assignee_id : f->scope.assignee_id;
        if (f->assignee_id && f->scope.assignee_id && f->assignee_id != f->scope.assignee_id)
            return 0;
        dims++;
        *dim = "assignee";
        *key = a < 0 ? 0 : a;
    }
    if (f->organisation_id || f->scope.organisation_id) {
        int64_t o = f->organisation_id ? f->organisation_id : f->scope.organisation_id;
        if (f->organisation_id && f->scope.organisation_id && f->organisation_id != f->scope.organisation_id)
            return 0;
        dims++;
        *dim = "organisation";
        *key = o < 0 ? 0 : o;
    }
    return dims <= 1;
}

int
tickets_store_counts_cheap(const struct ticket_filter *f)
{
    const char *dim;
    int64_t key;

    return counters_answer(f, &dim, &key);
}

enum tend_rc
tickets_store_counts(struct db *db, const struct ticket_filter *f, json_t **out, struct tend_err *err)
{
    struct sql *q = xcalloc(1, sizeof(*q));
    json_t *by_category = json_object(), *by_status = json_object();
    struct db_stmt *st;
    enum db_step_result r;
    const char *dim;
    int64_t key, total = 0;

    q->pg = db_kind(db) == DB_POSTGRES;
    for (int i = 0; status_categories[i]; i++)
        json_object_set_new(by_category, status_categories[i], json_integer(0));
    if (counters_answer(f, &dim, &key)) {
        add(q, "SELECT category, status, n FROM ticket_counts WHERE dim = ? AND key = ? AND n <> 0");
        param_text(q, dim);
        param_int(q, key);
    } else {
        q->joiner = " WHERE ";
        add(q, "SELECT t.status_category, t.status, count(*) FROM tickets t " TICKET_JOIN);
        where(q, f);
        add(q, " GROUP BY t.status_category, t.status");
    }
    st = prepare(db, q, err);
    free(q);
    if (!st) {
        json_decref(by_category);
        json_decref(by_status);
        return err->rc;
    }
    while ((r = db_step(st, err)) == DB_ROW) {
        const char *category = db_col_text(st, 0), *status = db_col_text(st, 1);
        int64_t n = db_col_int64(st, 2);
        json_t *c = json_object_get(by_category, category), *s = json_object_get(by_status, status);
        json_object_set_new(by_category, category, json_integer((c ? json_integer_value(c) : 0) + n));
        json_object_set_new(by_status, status, json_integer((s ? json_integer_value(s) : 0) + n));
        total += n;
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(by_category);
        json_decref(by_status);
        return err->rc;
    }
    *out = json_pack("{s:I,s:o,s:o}", "total", (json_int_t)total, "by_category", by_category,
                     "by_status", by_status);
    return TEND_OK;
}
