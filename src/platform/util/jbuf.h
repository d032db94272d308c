/* jbuf.h: writing JSON text straight into a growable buffer, for the hot read
 * paths where building a jansson tree first costs more than the query. */
#ifndef TEND_JBUF_H
#define TEND_JBUF_H

#include <stddef.h>
#include <stdint.h>

struct jbuf {
    char *data; /* owned, malloc'd */
    size_t len, cap;
};

void jbuf_init(struct jbuf *b, size_t initial);
void jbuf_cleanup(struct jbuf *b);

/* Append bytes as they are (JSON punctuation, keys known to need no escaping). */
void jbuf_raw(struct jbuf *b, const char *s, size_t len);
void jbuf_lit(struct jbuf *b, const char *s); /* NUL-terminated */

/* Append a JSON string (quoted, escaped) from valid UTF-8; NULL writes null. */
void jbuf_str(struct jbuf *b, const char *s, size_t len);
void jbuf_cstr(struct jbuf *b, const char *s);

void jbuf_int(struct jbuf *b, int64_t v);
/* An integer, or null when `v` is 0 (optional references). */
void jbuf_ref(struct jbuf *b, int64_t v);
/* Epoch milliseconds as an RFC 3339 string. */
void jbuf_time(struct jbuf *b, int64_t ms);

#endif
