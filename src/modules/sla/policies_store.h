/* policies_store.h: SLA policies as stored rows (sla_policies), in evaluation
 * order. Every write chooses the policy of each open ticket again from now on,
 * in the same transaction. */
#ifndef TEND_SLA_POLICIES_STORE_H
#define TEND_SLA_POLICIES_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"

/* {items: [...]} by position, or one policy as API JSON (TEND_ENOTFOUND on "id"). */
enum tend_rc sla_policies_list(struct db *db, json_t **out, struct tend_err *err);
enum tend_rc sla_policies_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err);

/* sla_write_fn shaped (sla_write.h): create from a body (id unused); replace
 * all of `id` (body.version must match: TEND_ECONFLICT with *out the current
 * policy); delete (*out NULL). A position puts the policy there and shifts
 * the others; without one a new policy goes last. */
enum tend_rc sla_policies_create(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                 json_t **out, struct tend_err *err);
enum tend_rc sla_policies_replace(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                  json_t **out, struct tend_err *err);
enum tend_rc sla_policies_delete(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                 json_t **out, struct tend_err *err);

#endif
