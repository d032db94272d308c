/* smtp.h: sending one rendered email through SMTP with libcurl (plain,
 * STARTTLS or implicit TLS, optional AUTH), with timeouts. */
#ifndef TEND_NOTIFY_SMTP_H
#define TEND_NOTIFY_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

/* Send the email that `payload` describes (JSON: to, to_name, subject, text,
 * html, message_id, in_reply_to, references) with the config's server and
 * sender, dated `now`. Returns 0 when the server accepted it; else -1 with
 * *code the last SMTP reply code (0: none) and `error` a short reason. */
int smtp_send(const struct notify_config *cfg, const char *payload, int64_t now, int *code, char *error,
              size_t errlen);

#endif
