/* tickets_search.h: pieces shared by the two search back ends (internal to the
 * tickets module): SQLite FTS5 in tickets_search_store.c, PostgreSQL pg_trgm in
 * tickets_search_pg.c. */
#ifndef TEND_TICKETS_SEARCH_H
#define TEND_TICKETS_SEARCH_H

#include <jansson.h>

#include "platform/db/db.h"
#include "tickets.h"

/* Snippet markers around matches, turned into <mark> by search_html_snippet. */
#define MARK_OPEN '\x01'
#define MARK_CLOSE '\x02'

/* Escape for HTML, turning the snippet markers into <mark> tags. */
json_t *search_html_snippet(const char *s);

/* Append the scope and status-category conditions of `f` on tickets t to
 * `sql`; search_bind_scope binds them from parameter `i` and returns the next. */
void search_add_scope(char *sql, size_t len, const struct ticket_filter *f);
int search_bind_scope(struct db_stmt *st, int i, const struct ticket_filter *f);

/* Step `st` (ids in its first column) into ids[0..max), skipping those in
 * skip[0..nskip); resets it. Returns the count, or -1 (err filled). */
int search_collect_ids(struct db_stmt *st, int max, const int64_t *skip, int nskip, int64_t *ids,
                       struct tend_err *err);

/* One result row: {ticket, snippet (owned), rank} from a TICKET_SELECT row. */
void search_append_hit(json_t *items, struct db_stmt *st, int customer, json_t *snippet, double rank);

/* Below three characters trigrams cannot help: the newest subjects containing
 * the text, scanned until `limit` are found. */
enum tend_rc search_short(struct db *db, const char *q, const struct ticket_filter *f, int customer,
                          int limit, json_t *items, struct tend_err *err);

/* The PostgreSQL search (pg_trgm). */
enum tend_rc search_pg(struct db *db, const char *q, const struct ticket_filter *f, int customer, int limit,
                       json_t *items, struct tend_err *err);

#endif
