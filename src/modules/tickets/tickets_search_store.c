/* tickets_search_store.c: full-text search over subject, description, replies
 * and internal notes with SQLite FTS5 trigrams (any language, Chinese
 * included), with HTML-escaped snippets where matches are wrapped in <mark>.
 * Up to SEARCH_WINDOW matches are ranked by bm25 (subject weighted highest);
 * beyond that (a common word in millions of tickets) subject matches come
 * first, then the rest, newest first, so no search reads every match. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_search.h"
#include "tickets_store.h"
#include "workflow.h"

/* Matches are ranked among the newest this many: ranking every match of a
 * common word in 10 million tickets would cost seconds. */
#define SEARCH_WINDOW 2000

json_t *
search_html_snippet(const char *s)
{
    struct jbuf b;
    json_t *out;

    jbuf_init(&b, 256);
    for (; s && *s; s++) {
        switch (*s) {
        case MARK_OPEN:
            jbuf_lit(&b, "<mark>");
            break;
        case MARK_CLOSE:
            jbuf_lit(&b, "</mark>");
            break;
        case '&':
            jbuf_lit(&b, "&amp;");
            break;
        case '<':
            jbuf_lit(&b, "&lt;");
            break;
        case '>':
            jbuf_lit(&b, "&gt;");
            break;
        case '"':
            jbuf_lit(&b, "&quot;");
            break;
        case '\'':
            jbuf_lit(&b, "&#39;");
            break;
        case '\n':
        case '\r':
        case '\t':
            jbuf_raw(&b, " ", 1);
            break;
        default:
            jbuf_raw(&b, s, 1);
        }
    }
    out = json_stringn(b.data ? b.data : "", b.len);
    jbuf_cleanup(&b);
    return out;
}

/* The FTS5 query: each whitespace-separated term of 3+ characters as a quoted
 * string, all required. Returns 0 when no term is long enough for trigrams. */
static int
fts_query(const char *q, const char *columns, char *out, size_t outlen)
{
    size_t used = 0;
    int terms = 0;
    const char *p = q;

    out[0] = '\0';
    if (columns)
        used += (size_t)snprintf(out, outlen, "{%s} : (", columns);
    while (*p) {
        const char *start;
        size_t len;
        while (*p && isspace((unsigned char)*p))
            p++;
        start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        len = (size_t)(p - start);
        if (len == 0 || utf8_count(start, len) < 3)
            continue;
        if (used + 2 * len + 8 >= outlen)
            break;
        if (terms++)
            used += (size_t)snprintf(out + used, outlen - used, " AND ");
        out[used++] = '"';
        for (size_t i = 0; i < len; i++) {
            if (start[i] == '"')
                out[used++] = '"';
            out[used++] = start[i];
        }
        out[used++] = '"';
        out[used] = '\0';
    }
    if (columns && used + 2 < outlen) {
        out[used++] = ')';
        out[used] = '\0';
    }
    return terms;
}

int
search_collect_ids(struct db_stmt *st, int max, const int64_t *skip, int nskip, int64_t *ids,
                   struct tend_err *err)
{
    enum db_step_result r;
    int n = 0;

    while ((r = db_step(st, err)) == DB_ROW && n < max) {
        int64_t id = db_col_int64(st, 0);
        int skipped = 0;
        for (int k = 0; k < nskip; k++)
            skipped |= skip[k] == id;
        if (!skipped)
            ids[n++] = id;
    }
    db_reset(st);
    return r == DB_FAIL ? -1 : n;
}

void
search_add_scope(char *sql, size_t len, const struct ticket_filter *f)
{
    size_t used = strlen(sql);

    if (f->scope.organisation_id)
        used += (size_t)snprintf(sql + used, len - used, " AND t.organisation_id = ?");
    if (f->scope.assignee_id)
        used += (size_t)snprintf(sql + used, len - used, " AND t.assignee_id = ?");
    if (f->ncategories) {
        used += (size_t)snprintf(sql + used, len - used, " AND t.status_category IN (?");
        for (int i = 1; i < f->ncategories; i++)
            used += (size_t)snprintf(sql + used, len - used, ", ?");
        snprintf(sql + used, len - used, ")");
    }
}

int
search_bind_scope(struct db_stmt *st, int i, const struct ticket_filter *f)
{
    if (f->scope.organisation_id)
        db_bind_int64(st, i++, f->scope.organisation_id);
    if (f->scope.assignee_id)
        db_bind_int64(st, i++, f->scope.assignee_id);
    for (int k = 0; k < f->ncategories; k++)
        db_bind_str(st, i++, f->categories[k]);
    return i;
}

void
search_append_hit(json_t *items, struct db_stmt *st, int customer, json_t *snippet, double rank)
{
    struct ticket t;
    struct jbuf b;

    tickets_store_read_columns(st, &t, 1);
    jbuf_init(&b, 1024);
    ticket_write_json(&b, &t, customer);
    json_array_append_new(items, json_pack("{s:o,s:o,s:f}", "ticket", json_loadb(b.data, b.len, 0, NULL),
                                           "snippet", snippet, "rank", rank));
    jbuf_cleanup(&b);
}

/* The snippet of ticket `id` for `match`: a second, rowid-bound FTS query, run
 * only for the rows shown. */
static json_t *
snippet_of(struct db *db, const char *match, int64_t id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT snippet(ticket_search, -1, char(1), char(2), '…', 48) "
                                    "FROM ticket_search WHERE ticket_search MATCH ? AND rowid = ?",
                                    err);
    json_t *out = NULL;

    if (!st)
        return json_string("");
    db_bind_str(st, 1, match);
    db_bind_int64(st, 2, id);
    if (db_step(st, err) == DB_ROW)
        out = search_html_snippet(db_col_text(st, 0));
    db_reset(st);
    return out ? out : json_string("");
}

/* Up to `max` ids matching `match` within the scope, newest first, skipping
 * `skip[0..nskip)`; FTS5 reads its doclists lazily in this order, so a common
 * word costs no more than a rare one. Returns the count (or -1). */
static int
newest_matches(struct db *db, const char *match, const struct ticket_filter *f, int max,
               const int64_t *skip, int nskip, int64_t *ids, struct tend_err *err)
{
    char sql[2048];
    struct db_stmt *st;
    int i = 1;

    snprintf(sql, sizeof(sql),
             "SELECT s.rowid FROM ticket_search s JOIN tickets t ON t.id = s.rowid "
             "WHERE ticket_search MATCH ?");
    search_add_scope(sql, sizeof(sql), f);
    snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " ORDER BY s.rowid DESC LIMIT ?");
    st = db_prepare(db, sql, err);
    if (!st)
        return -1;
    db_bind_str(st, i++, match);
    i = search_bind_scope(st, i, f);
    db_bind_int64(st, i, max + nskip);
    return search_collect_ids(st, max, skip, nskip, ids, err);
}

/* Shown rows: the ticket, its snippet and its rank, in the given order. */
static enum tend_rc
emit(struct db *db, const char *match, const int64_t *ids, const double *ranks, int n, int customer,
     json_t *items, struct tend_err *err)
{
    for (int k = 0; k < n; k++) {
        json_t *snippet = snippet_of(db, match, ids[k], err);
        struct db_stmt *st =
            db_prepare(db, "SELECT " TICKET_SELECT " FROM tickets t " TICKET_JOIN " WHERE t.id = ?", err);
        if (!st) {
            json_decref(snippet);
            return err->rc;
        }
        db_bind_int64(st, 1, ids[k]);
        if (db_step(st, err) == DB_ROW)
            search_append_hit(items, st, customer, snippet, ranks[k]);
        else
            json_decref(snippet);
        db_reset(st);
    }
    return TEND_OK;
}

/* More matches than the ranking window: bm25 would have to read every one of
 * them (it needs each term's document count). Rank instead by where the words
 * are: subject matches first, then the rest, each newest first. */
static enum tend_rc
search_common(struct db *db, const char *q, const char *match, const struct ticket_filter *f,
              int customer, int limit, json_t *items, struct tend_err *err)
{
    char subject_match[1024];
    int64_t ids[64] = {0};
    double ranks[64] = {0};
    int n = 0, more;

    if (fts_query(q, "subject", subject_match, sizeof(subject_match)) > 0) {
        n = newest_matches(db, subject_match, f, limit, NULL, 0, ids, err);
        if (n < 0)
            return err->rc;
    }
    for (int k = 0; k < n; k++)
        ranks[k] = -2;
    more = newest_matches(db, match, f, limit - n, ids, n, ids + n, err);
    if (more < 0)
        return err->rc;
    for (int k = n; k < n + more; k++)
        ranks[k] = -1;
    return emit(db, match, ids, ranks, n + more, customer, items, err);
}

static enum tend_rc
search_fts(struct db *db, const char *q, const char *match, const struct ticket_filter *f, int customer,
           int limit, json_t *items, struct tend_err *err)
{
    char sql[2048];
    struct db_stmt *st;
    enum db_step_result r;
    int i = 1;
    int64_t ids[64] = {0}, *window = xmalloc((SEARCH_WINDOW + 1) * sizeof(int64_t));
    double ranks[64] = {0};
    int n = newest_matches(db, match, f, SEARCH_WINDOW + 1, NULL, 0, window, err);

    free(window);
    if (n < 0)
        return err->rc;
    if (n > SEARCH_WINDOW)
        return search_common(db, q, match, f, customer, limit, items, err);
    n = 0;
    snprintf(sql, sizeof(sql),
             "SELECT m.id, m.r FROM (SELECT s.rowid AS id, bm25(ticket_search, 10.0, 3.0, 1.0, 1.0) AS r "
             "FROM ticket_search s JOIN tickets t ON t.id = s.rowid "
             "WHERE ticket_search MATCH ?");
    search_add_scope(sql, sizeof(sql), f);
    snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
             " ORDER BY s.rowid DESC LIMIT %d) m ORDER BY m.r, m.id DESC LIMIT ?", SEARCH_WINDOW);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_str(st, i++, match);
    i = search_bind_scope(st, i, f);
    db_bind_int64(st, i, limit);
    while ((r = db_step(st, err)) == DB_ROW && n < 64) {
        ids[n] = db_col_int64(st, 0);
        ranks[n++] = strtod(db_col_text(st, 1), NULL);
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return emit(db, match, ids, ranks, n, customer, items, err);
}

enum tend_rc
search_short(struct db *db, const char *q, const struct ticket_filter *f, int customer, int limit,
             json_t *items, struct tend_err *err)
{
    char sql[2048], *pattern = xmalloc(2 * strlen(q) + 3);
    size_t used = 0;
    struct db_stmt *st;
    enum db_step_result r;
    int i = 1;

    pattern[used++] = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            pattern[used++] = '\\';
        pattern[used++] = *p;
    }
    pattern[used++] = '%';
    pattern[used] = '\0';
    snprintf(sql, sizeof(sql),
             "SELECT " TICKET_SELECT " FROM tickets t " TICKET_JOIN
             " WHERE t.subject %s ? ESCAPE '\\'", db_kind(db) == DB_POSTGRES ? "ILIKE" : "LIKE");
    search_add_scope(sql, sizeof(sql), f);
    snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " ORDER BY t.id DESC LIMIT ?");
    st = db_prepare(db, sql, err);
    if (!st) {
        free(pattern);
        return err->rc;
    }
    db_bind_str(st, i++, pattern);
    i = search_bind_scope(st, i, f);
    db_bind_int64(st, i, limit);
    while ((r = db_step(st, err)) == DB_ROW) {
        const char *subject = db_col_text(st, 2), *at = strcasestr(subject, q);
        size_t qlen = strlen(q);
        char *marked = xmalloc(strlen(subject) + 3);
        if (at) {
            size_t pre = (size_t)(at - subject);
            memcpy(marked, subject, pre);
            marked[pre] = MARK_OPEN;
            memcpy(marked + pre + 1, at, qlen);
            marked[pre + 1 + qlen] = MARK_CLOSE;
            memcpy(marked + pre + 2 + qlen, at + qlen, strlen(at + qlen) + 1);
        } else {
            memcpy(marked, subject, strlen(subject) + 1);
        }
        search_append_hit(items, st, customer, search_html_snippet(marked), 0);
        free(marked);
    }
    db_reset(st);
    free(pattern);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
tickets_store_search(struct db *db, const char *q, const struct ticket_filter *f, int customer, int limit,
                     json_t **out, struct tend_err *err)
{
    char match[1024];
    enum tend_rc rc;

    *out = json_array();
    if (db_kind(db) == DB_POSTGRES)
        rc = search_pg(db, q, f, customer, limit, *out, err);
    else if (fts_query(q, customer ? "subject description replies" : NULL, match, sizeof(match)) > 0)
        rc = search_fts(db, q, match, f, customer, limit, *out, err);
    else
        rc = search_short(db, q, f, customer, limit, *out, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
