/* jbuf.c: the JSON text writer. Output matches jansson's compact form. */
#include "jbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
jbuf_init(struct jbuf *b, size_t initial)
{
    b->cap = initial ? initial : 256;
    b->data = xmalloc(b->cap);
    b->len = 0;
}

void
jbuf_cleanup(struct jbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void
reserve(struct jbuf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return;
    while (b->len + more > b->cap)
        b->cap *= 2;
    b->data = xrealloc(b->data, b->cap);
}

void
jbuf_raw(struct jbuf *b, const char *s, size_t len)
{
    reserve(b, len);
    memcpy(b->data + b->len, s, len);
    b->len += len;
}

void
jbuf_lit(struct jbuf *b, const char *s)
{
    jbuf_raw(b, s, strlen(s));
}

/* Whether any byte of `w` is below 0x20, '"' or '\\' (may say yes spuriously
 * only when one of them is present: then the bytes are checked one by one). */
static int
word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
    uint64_t control = (w - ones * 0x20) & ~w & highs;
    return (control | ((quote - ones) & ~quote & highs) | ((slash - ones) & ~slash & highs)) != 0;
}

void
jbuf_str(struct jbuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, run = 0;
    char *o;

    if (!s) {
        jbuf_raw(b, "null", 4);
        return;
    }
    reserve(b, len * 6 + 2); /* worst case: every byte \u00XX */
    o = b->data + b->len;
    *o++ = '"';
    for (i = 0; i < len; i++) {
        unsigned char c;
        uint64_t w;

        /* most text needs no escaping: skip it eight bytes at a time */
        while (i + 8 <= len) {
            memcpy(&w, s + i, 8);
            if (word_needs_escape(w))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        memcpy(o, s + run, i - run);
        o += i - run;
        run = i + 1;
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    memcpy(o, s + run, len - run);
    o += len - run;
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

void
jbuf_cstr(struct jbuf *b, const char *s)
{
    jbuf_str(b, s, s ? strlen(s) : 0);
}

void
jbuf_int(struct jbuf *b, int64_t v)
{
    char tmp[24];
    char *o = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        *--o = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--o = '-';
    jbuf_raw(b, o, (size_t)(tmp + sizeof(tmp) - o));
}

void
jbuf_ref(struct jbuf *b, int64_t v)
{
    if (v)
        jbuf_int(b, v);
    else
        jbuf_raw(b, "null", 4);
}

void
jbuf_time(struct jbuf *b, int64_t ms)
{
    char tmp[40];
    time_format_rfc3339(ms, tmp, sizeof(tmp));
    reserve(b, 40);
    b->data[b->len++] = '"';
    jbuf_raw(b, tmp, strlen(tmp)); /* digits and punctuation: nothing to escape */
    b->data[b->len++] = '"';
}
