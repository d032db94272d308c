/* webhook.h: posting one event to a webhook receiver, signed with the
 * subscription's secret: X-Tend-Signature: t=UNIX,v1=HEX where HEX is
 * HMAC-SHA256(secret, "UNIX." + body). */
#ifndef TEND_NOTIFY_WEBHOOK_H
#define TEND_NOTIFY_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

/* The signature header value for `body` at `unix_seconds` into out (>= 80 bytes). */
void webhook_signature(const char *secret, int64_t unix_seconds, const char *body, size_t len, char *out,
                       size_t outlen);

/* POST `body` (JSON) to `url`; 0 on a 2xx answer, else -1 with *code the HTTP
 * status (0: no answer) and `error` a short reason. */
int webhook_send(const char *url, const char *secret, const char *body, int64_t delivery_id,
                 const char *event_type, int64_t timeout_ms, int64_t now, int *code, char *error, size_t errlen);

#endif
