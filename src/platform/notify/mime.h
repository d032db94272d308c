/* mime.h: outgoing mail as RFC 5322 text: UTF-8 header values as RFC 2047
 * encoded words, a multipart/alternative body (text and HTML, base64), and the
 * threading headers (Message-ID, In-Reply-To, References). Pure: no I/O. */
#ifndef TEND_NOTIFY_MIME_H
#define TEND_NOTIFY_MIME_H

#include <stddef.h>
#include <stdint.h>

struct mail_message {
    const char *from_name, *from_addr; /* name may be NULL */
    const char *to_name, *to_addr;
    const char *subject, *text, *html; /* UTF-8; html may be NULL (text only) */
    const char *message_id;            /* "<...@...>" */
    const char *in_reply_to;           /* "<...>" or NULL */
    const char *references;            /* "<...> <...>" or NULL */
    int64_t date_ms;
    const char *boundary; /* unique within the message: no body may contain it */
};

/* `s` as a header value: unchanged when it is printable ASCII, else a run of
 * "=?UTF-8?B?...?=" words of at most 75 characters each, folded with CRLF SP,
 * never splitting a UTF-8 sequence. malloc'd; caller frees. */
char *mime_encode_header(const char *s);

/* "name <addr>" with the name encoded (RFC 2047) or quoted as needed; just
 * "<addr>" without a name. malloc'd. */
char *mime_address(const char *name, const char *addr);

/* The whole message, CRLF line ends, ready for SMTP DATA. malloc'd. */
char *mime_build(const struct mail_message *m);

/* Standard base64 of `len` bytes, lines of at most `line` characters joined by
 * CRLF (line 0: one line). malloc'd. */
char *mime_base64(const unsigned char *data, size_t len, int line);

#endif
