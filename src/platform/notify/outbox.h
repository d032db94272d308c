/* outbox.h: the notification outbox's engine: one thread per node that, in a
 * loop, (1) has the writer run the fan-out (events after the cursor become
 * notifications and deliveries, and the cursor moves, in one transaction),
 * (2) claims due deliveries through the writer with a lease (locked_until,
 * attempts + 1; FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes never send the
 * same delivery together), (3) sends them (SMTP, webhook POST) with timeouts
 * and (4) records each outcome through the writer: sent, due again after a
 * back-off with jitter, or parked as failed after max_attempts. A lease that
 * runs out (the node died mid-send) makes the delivery due again: every
 * delivery is sent at least once. A webhook's next delivery waits while an
 * earlier one of the same subscription is pending. */
#ifndef TEND_NOTIFY_OUTBOX_H
#define TEND_NOTIFY_OUTBOX_H

#include <stdint.h>

#include "platform/util/err.h"

struct db;
struct db_writer;

enum smtp_tls { SMTP_TLS_NONE, SMTP_TLS_STARTTLS, SMTP_TLS_TLS };

struct notify_config {
    char node[128];
    char smtp_url[512]; /* "" : no SMTP; email deliveries wait */
    char smtp_user[128];
    char smtp_password[256];
    char smtp_from_name[128];
    char smtp_from_addr[256];
    enum smtp_tls smtp_tls;
    char public_url[256]; /* links in messages: "https://tend.example" */
    char mail_domain[128]; /* right side of Message-IDs */
    int max_attempts;
    int64_t poll_ms;       /* idle wait between rounds */
    int64_t retry_base_ms; /* first back-off; doubles per attempt */
    int64_t retry_cap_ms;
    int64_t timeout_ms; /* one send */
    /* Inside a writer transaction: turn the events after the cursor into
     * notifications and deliveries and move the cursor; *n: events read. */
    enum tend_rc (*fanout)(struct db *db, const struct notify_config *cfg, int64_t now, int *n,
                           struct tend_err *err);
};

/* Defaults for everything but the node and fanout. */
void notify_config_defaults(struct notify_config *cfg);

/* Parse "Name <addr>" or "addr" into the config's from fields and mail
 * domain. -1 when there is no plausible address. */
int notify_config_set_from(struct notify_config *cfg, const char *from);

/* The wait before try `attempt` + 1 after `attempt` failed tries (1-based):
 * base * 2^(attempt-1), at most cap, then a random point in its upper half
 * (`rnd` any 32-bit random value). Pure. */
int64_t outbox_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t rnd);

/* The lease a claim takes: long enough for one send with its timeouts. */
int64_t outbox_lease_ms(const struct notify_config *cfg);

struct notifier;

/* Start the thread; `cfg` is copied. Returns NULL if the thread cannot start. */
struct notifier *notifier_start(const struct notify_config *cfg, struct db_writer *writer);

/* Stop the thread (a send in progress finishes first, within its timeout) and
 * free. Call before the writer is freed. NULL is fine. */
void notifier_free(struct notifier *n);

#endif
