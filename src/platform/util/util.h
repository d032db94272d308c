/* util.h: small helpers every layer uses: checked allocation, time, number parsing. */
#ifndef TEND_UTIL_H
#define TEND_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts with a message on failure (callers never see NULL). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Milliseconds since the Unix epoch, wall clock. */
int64_t time_now_ms(void);

/* Nanoseconds from a monotonic clock, for durations. */
uint64_t time_mono_ns(void);

/* Format `ms` (epoch milliseconds) as RFC 3339 UTC with milliseconds into `out`
 * (at least 25 bytes): "2026-11-23T13:10:00.123Z". Returns `out`. */
char *time_format_rfc3339(int64_t ms, char *out, size_t outlen);

/* Parse RFC 3339 ("2026-11-23T13:10:00Z", fractions and +08:00 offsets allowed)
 * into epoch milliseconds. Returns 0, or -1 if it is not such a time. */
int time_parse_rfc3339(const char *s, int64_t *ms);

/* The UTC calendar year of `ms`. */
int time_year_of(int64_t ms);

/* Parse a whole decimal integer in [min, max]. Returns 0 on success, -1 when `s` is
 * empty, has trailing characters, or is out of range. */
int parse_int64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

/* Exactly `n` decimal digits at `s` into *out; -1 if any is not a digit. */
int parse_digits(const char *s, int n, int *out);

/* FNV-1a of a NUL-terminated string (hash tables keyed by text). */
uint64_t hash_fnv1a(const char *s);

/* Bounded copy that always NUL-terminates; returns the length of `src`. */
size_t strlcopy(char *dst, const char *src, size_t dstlen);

/* Number of Unicode code points in valid UTF-8 `s` of `len` bytes. */
size_t utf8_count(const char *s, size_t len);

/* Opaque keyset-pagination cursors: `tag` names the list ("t1" tickets), `id`
 * the last row seen. decode returns -1 for anything this server did not make. */
void cursor_encode(const char *tag, int64_t id, char *out, size_t outlen);
int cursor_decode(const char *tag, const char *s, int64_t *id);

/* Make a NUL-terminated string valid UTF-8 in place: a sequence cut short at the
 * end (by a bounded copy) is dropped, any other invalid byte becomes '?'. */
void utf8_sanitize(char *s);

/* Whether `s` of `len` bytes is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t len);

#endif
