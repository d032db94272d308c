/* sla_write.h: how the SLA module's routes hand a write to the writer thread:
 * one store function per route, run in the group commit, answered with the
 * stored JSON (201 for creates, 204 when there is none, 409 carrying the
 * current record on a version conflict). */
#ifndef TEND_SLA_WRITE_H
#define TEND_SLA_WRITE_H

#include <jansson.h>
#include <stdint.h>

#include "platform/http/api.h"

/* A store write: `id` is the path's id (0 without one), `body` the request's
 * JSON ({} without one); *out the result (NULL: answer 204). */
typedef enum tend_rc (*sla_write_fn)(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                     json_t **out, struct tend_err *err);

/* Submit `fn` for request `r`. `path_id` names the path's id in errors
 * ("calendar"), NULL when the path has none; `created` answers 201. */
void sla_write_submit(struct api_req *r, const char *path_id, int created, sla_write_fn fn);

#endif
