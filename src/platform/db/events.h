/* events.h: the append-only event log. Every state change writes one event in the
 * same transaction as the change: the audit trail, the timeline, and (later) the
 * outbox that notifications and webhooks are delivered from. */
#ifndef TEND_EVENTS_H
#define TEND_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"

/* Append an event. `data` is serialised (not stolen); `actor` may be NULL. */
enum tend_rc event_append(struct db *db, const char *type, const char *entity, int64_t entity_id,
                          const char *actor, const json_t *data, int64_t at, struct tend_err *err);

/* The same, taking over `data` (freed here whatever happens): for the usual
 * append(json_pack(...)) call. */
enum tend_rc event_record(struct db *db, const char *type, const char *entity, int64_t entity_id,
                          const char *actor, json_t *data, int64_t at, struct tend_err *err);

/* The events of one entity, oldest first, as a JSON array of
 * {id, type, actor, at, data}; at most `limit`. Caller owns *out. */
enum tend_rc event_list(struct db *db, const char *entity, int64_t entity_id, int limit, json_t **out,
                        struct tend_err *err);

#endif
