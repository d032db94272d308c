/* tickets_search_pg.c: full-text search on PostgreSQL with pg_trgm. Every term
 * of three or more characters must occur (ILIKE, served by the trigram GIN
 * indexes of ticket_search, Chinese included); customers search subject,
 * description and public replies, staff internal notes as well. Tickets whose
 * subject holds every term come first, then the rest, each newest first, so a
 * common word in millions of tickets reads no more than a page of them. The
 * snippet is cut here around the first match, from the same texts the query
 * searched (never the notes for a customer), read with the ticket itself. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_search.h"
#include "tickets_store.h"

#define MAX_TERMS 8
#define SNIPPET_BEFORE 60 /* bytes of context before the first match */
#define SNIPPET_LEN 220   /* bytes shown in all */

struct terms {
    char *pattern[MAX_TERMS]; /* "%term%" with LIKE's specials escaped */
    char *text[MAX_TERMS];    /* the term itself */
    int n;
};

static void
terms_free(struct terms *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->pattern[i]);
        free(t->text[i]);
    }
}

/* The whitespace-separated terms of three or more characters. */
static void
terms_parse(const char *q, struct terms *t)
{
    const char *p = q;

    t->n = 0;
    while (*p && t->n < MAX_TERMS) {
        const char *start;
        size_t len, used = 0;
        char *pat;
        while (*p && isspace((unsigned char)*p))
            p++;
        start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        len = (size_t)(p - start);
        if (len == 0 || utf8_count(start, len) < 3)
            continue;
        pat = xmalloc(2 * len + 3);
        pat[used++] = '%';
        for (size_t i = 0; i < len; i++) {
            if (start[i] == '%' || start[i] == '_' || start[i] == '\\')
                pat[used++] = '\\';
            pat[used++] = start[i];
        }
        pat[used++] = '%';
        pat[used] = '\0';
        t->pattern[t->n] = pat;
        t->text[t->n] = xmalloc(len + 1);
        memcpy(t->text[t->n], start, len);
        t->text[t->n++][len] = '\0';
    }
}

/* " AND <cond>" per term: in the subject only, or in every searchable text. */
static void
add_terms(char *sql, size_t len, const struct terms *t, int subject_only, int customer)
{
    for (int i = 0; i < t->n; i++) {
        size_t used = strlen(sql);
        snprintf(sql + used, len - used, "%s",
                 subject_only ? " AND s.subject ILIKE ?"
                 : customer   ? " AND s.public ILIKE ?"
                              : " AND (s.public ILIKE ? OR s.notes ILIKE ?)");
    }
}

static int
bind_terms(struct db_stmt *st, int i, const struct terms *t, int subject_only, int customer)
{
    for (int k = 0; k < t->n; k++) {
        db_bind_str(st, i++, t->pattern[k]);
        if (!subject_only && !customer)
            db_bind_str(st, i++, t->pattern[k]);
    }
    return i;
}

/* Up to `max` matching ids, newest first, skipping `skip[0..nskip)`. */
static int
newest(struct db *db, const struct terms *t, int subject_only, const struct ticket_filter *f, int customer,
       int max, const int64_t *skip, int nskip, int64_t *ids, struct tend_err *err)
{
    char sql[3072];
    struct db_stmt *st;
    int i = 1;

    snprintf(sql, sizeof(sql),
             "SELECT s.ticket_id FROM ticket_search s JOIN tickets t ON t.id = s.ticket_id WHERE TRUE");
    add_terms(sql, sizeof(sql), t, subject_only, customer);
    search_add_scope(sql, sizeof(sql), f);
    snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " ORDER BY s.ticket_id DESC LIMIT ?");
    st = db_prepare(db, sql, err);
    if (!st)
        return -1;
    i = bind_terms(st, i, t, subject_only, customer);
    i = search_bind_scope(st, i, f);
    db_bind_int64(st, i, max + nskip);
    return search_collect_ids(st, max, skip, nskip, ids, err);
}

/* Where `hay[at..]` starts with one of the terms, its length (ASCII letters
 * compared without case, other bytes exactly); else 0. */
static size_t
term_at(const char *hay, size_t at, const struct terms *t)
{
    for (int k = 0; k < t->n; k++) {
        size_t len = strlen(t->text[k]);
        if (strncasecmp(hay + at, t->text[k], len) == 0)
            return len;
    }
    return 0;
}

/* Back to the start of a UTF-8 character. */
static size_t
char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* The snippet of `text` (subject, description, replies [, notes]): a window
 * around the first match with every match in it marked. */
static json_t *
snippet(const char *text, const struct terms *t)
{
    size_t len = strlen(text), first = len, from, to;
    struct jbuf b;
    json_t *out;

    for (size_t i = 0; i < len && first == len; i++)
        if (term_at(text, i, t))
            first = i;
    if (first == len)
        first = 0;
    from = char_start(text, first > SNIPPET_BEFORE ? first - SNIPPET_BEFORE : 0);
    to = from + SNIPPET_LEN < len ? char_start(text, from + SNIPPET_LEN) : len;
    jbuf_init(&b, SNIPPET_LEN + 64);
    if (from > 0)
        jbuf_lit(&b, "…");
    for (size_t i = from; i < to;) {
        size_t m = term_at(text, i, t);
        if (m) {
            char open = MARK_OPEN, close = MARK_CLOSE;
            jbuf_raw(&b, &open, 1);
            jbuf_raw(&b, text + i, m);
            jbuf_raw(&b, &close, 1);
            i += m;
        } else {
            jbuf_raw(&b, text + i, 1);
            i++;
        }
    }
    if (to < len)
        jbuf_lit(&b, "…");
    jbuf_raw(&b, "", 1);
    out = search_html_snippet(b.data);
    jbuf_cleanup(&b);
    return out;
}

enum tend_rc
search_pg(struct db *db, const char *q, const struct ticket_filter *f, int customer, int limit,
          json_t *items, struct tend_err *err)
{
    struct terms t;
    int64_t ids[64] = {0};
    int n, more;
    enum tend_rc rc = TEND_OK;

    terms_parse(q, &t);
    if (t.n == 0)
        return search_short(db, q, f, customer, limit, items, err);
    if (limit > 64)
        limit = 64;
    n = newest(db, &t, 1, f, customer, limit, NULL, 0, ids, err);
    more = n < 0 ? -1 : newest(db, &t, 0, f, customer, limit - n, ids, n, ids + n, err);
    if (n < 0 || more < 0) {
        terms_free(&t);
        return err->rc;
    }
    /* each shown ticket with the texts its snippet is cut from (never the
     * notes for a customer), in one statement */
    for (int k = 0; k < n + more && rc == TEND_OK; k++) {
        struct db_stmt *st = db_prepare(
            db,
            customer ? "SELECT " TICKET_SELECT ", s.public FROM tickets t " TICKET_JOIN
                       " JOIN ticket_search s ON s.ticket_id = t.id WHERE t.id = ?"
                     : "SELECT " TICKET_SELECT ", s.public || CASE WHEN s.notes = '' THEN '' "
                       "ELSE E'\\n' || s.notes END FROM tickets t " TICKET_JOIN
                       " JOIN ticket_search s ON s.ticket_id = t.id WHERE t.id = ?",
            err);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, ids[k]);
        if (db_step(st, err) == DB_ROW)
            search_append_hit(items, st, customer, snippet(db_col_text(st, TICKET_SELECT_COLUMNS), &t),
                              k < n ? -2 : -1);
        db_reset(st);
    }
    terms_free(&t);
    return rc;
}
