/* idempotency.h: Idempotency-Key support for creating requests: the first request
 * with a key records which resource it made; a retry finds it. Runs inside the
 * writer's transaction, so concurrent retries are serialised. */
#ifndef TEND_IDEMPOTENCY_H
#define TEND_IDEMPOTENCY_H

#include <stdint.h>

#include "platform/db/db.h"

#define IDEM_KEY_MAX 255

/* Check a client's key: 1-255 visible ASCII characters. */
enum tend_rc idem_key_check(const char *key, struct tend_err *err);

/* Look `key` up in `scope` ("POST /api/v1/tickets"). Returns TEND_OK with
 * *resource_id = 0 if unseen, the id if seen with the same request_hash, and
 * TEND_EINVAL (field Idempotency-Key) if seen with a different request. */
enum tend_rc idem_lookup(struct db *db, const char *scope, const char *key, const char *request_hash,
                         int64_t *resource_id, struct tend_err *err);

/* Record that `key` made `resource_id`. */
enum tend_rc idem_record(struct db *db, const char *scope, const char *key,
                         const char *request_hash, int64_t resource_id, int64_t now,
                         struct tend_err *err);

/* How long a key is remembered: at least this long (idempotency.purge, an
 * hourly job, deletes older ones). */
#define IDEM_KEEP_MS (24LL * 3600 * 1000)

/* The idempotency.purge job (platform/jobs/scheduler.h). */
enum tend_rc idem_purge(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err);

#endif
