/* mime.c: building outgoing mail text (see mime.h). */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"

/* raw bytes per encoded word: 45 bytes -> 60 base64 characters, plus the
 * 12 of "=?UTF-8?B?" and "?=" makes 72, within RFC 2047's 75 */
#define WORD_BYTES 45

char *
mime_base64(const unsigned char *data, size_t len, int line)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct jbuf b;
    int col = 0;

    jbuf_init(&b, len / 3 * 4 + len / 38 + 8);
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        char q[4];
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        q[0] = digits[(v >> 18) & 63];
        q[1] = digits[(v >> 12) & 63];
        q[2] = i + 1 < len ? digits[(v >> 6) & 63] : '=';
        q[3] = i + 2 < len ? digits[v & 63] : '=';
        if (line > 0 && col + 4 > line) {
            jbuf_raw(&b, "\r\n", 2);
            col = 0;
        }
        jbuf_raw(&b, q, 4);
        col += 4;
    }
    jbuf_raw(&b, "", 1);
    return b.data;
}

static int
plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* Bytes of the UTF-8 sequence that starts with `c` (1 for anything else). */
static size_t
seq_len(unsigned char c)
{
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    if (c >= 0xc0)
        return 2;
    return 1;
}

char *
mime_encode_header(const char *s)
{
    struct jbuf b;
    size_t len = strlen(s), i = 0;

    if (plain_ascii(s))
        return xstrdup(s);
    jbuf_init(&b, len * 2 + 32);
    while (i < len) {
        size_t n = 0;
        char *word;
        while (i + n < len) {
            size_t k = seq_len((unsigned char)s[i + n]);
            if (n + k > WORD_BYTES || i + n + k > len)
                break;
            n += k;
        }
        if (n == 0) /* a cut sequence at the end: take what is left */
            n = len - i;
        word = mime_base64((const unsigned char *)s + i, n, 0);
        if (b.len)
            jbuf_raw(&b, "\r\n ", 3);
        jbuf_lit(&b, "=?UTF-8?B?");
        jbuf_lit(&b, word);
        jbuf_lit(&b, "?=");
        free(word);
        i += n;
    }
    jbuf_raw(&b, "", 1);
    return b.data;
}

char *
mime_address(const char *name, const char *addr)
{
    struct jbuf b;

    jbuf_init(&b, 128);
    if (name && *name) {
        if (!plain_ascii(name)) {
            char *enc = mime_encode_header(name);
            jbuf_lit(&b, enc);
            free(enc);
        } else {
            jbuf_raw(&b, "\"", 1);
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    jbuf_raw(&b, "\\", 1);
                jbuf_raw(&b, p, 1);
            }
            jbuf_raw(&b, "\"", 1);
        }
        jbuf_raw(&b, " ", 1);
    }
    jbuf_raw(&b, "<", 1);
    jbuf_lit(&b, addr);
    jbuf_raw(&b, ">", 2); /* with the NUL */
    return b.data;
}

static void
header(struct jbuf *b, const char *name, const char *value)
{
    jbuf_lit(b, name);
    jbuf_raw(b, ": ", 2);
    jbuf_lit(b, value);
    jbuf_raw(b, "\r\n", 2);
}

static void
encoded_header(struct jbuf *b, const char *name, const char *value)
{
    char *enc = mime_encode_header(value);
    header(b, name, enc);
    free(enc);
}

static void
part(struct jbuf *b, const char *boundary, const char *type, const char *body)
{
    char *enc = mime_base64((const unsigned char *)body, strlen(body), 76);

    jbuf_lit(b, "--");
    jbuf_lit(b, boundary);
    jbuf_lit(b, "\r\nContent-Type: ");
    jbuf_lit(b, type);
    jbuf_lit(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    jbuf_lit(b, enc);
    jbuf_raw(b, "\r\n", 2);
    free(enc);
}

char *
mime_build(const struct mail_message *m)
{
    struct jbuf b;
    char date[64], *addr;
    time_t secs = (time_t)(m->date_ms / 1000);
    struct tm tm;

    jbuf_init(&b, 4096);
    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    header(&b, "Date", date);
    addr = mime_address(m->from_name, m->from_addr);
    header(&b, "From", addr);
    free(addr);
    addr = mime_address(m->to_name, m->to_addr);
    header(&b, "To", addr);
    free(addr);
    encoded_header(&b, "Subject", m->subject);
    header(&b, "Message-ID", m->message_id);
    if (m->in_reply_to)
        header(&b, "In-Reply-To", m->in_reply_to);
    if (m->references)
        header(&b, "References", m->references);
    header(&b, "Auto-Submitted", "auto-generated");
    header(&b, "X-Auto-Response-Suppress", "All");
    header(&b, "MIME-Version", "1.0");
    if (!m->html) {
        char *enc = mime_base64((const unsigned char *)m->text, strlen(m->text), 76);
        header(&b, "Content-Type", "text/plain; charset=UTF-8");
        header(&b, "Content-Transfer-Encoding", "base64");
        jbuf_raw(&b, "\r\n", 2);
        jbuf_lit(&b, enc);
        jbuf_raw(&b, "\r\n", 2);
        free(enc);
    } else {
        jbuf_lit(&b, "Content-Type: multipart/alternative; boundary=\"");
        jbuf_lit(&b, m->boundary);
        jbuf_lit(&b, "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n");
        part(&b, m->boundary, "text/plain", m->text);
        part(&b, m->boundary, "text/html", m->html);
        jbuf_lit(&b, "--");
        jbuf_lit(&b, m->boundary);
        jbuf_lit(&b, "--\r\n");
    }
    jbuf_raw(&b, "", 1);
    return b.data;
}
