/* calendars_store.h: business calendars as stored rows (the calendars table):
 * the definition is kept as the normalised JSON of calendar.h, with a version
 * for optimistic concurrency. */
#ifndef TEND_SLA_CALENDARS_STORE_H
#define TEND_SLA_CALENDARS_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "calendar.h"
#include "platform/db/db.h"

/* Every calendar ({items: [...]}) or one (the row as JSON: id, version, times
 * and the definition's members). TEND_ENOTFOUND (field "id") when absent. */
enum tend_rc calendars_store_list(struct db *db, json_t **out, struct tend_err *err);
enum tend_rc calendars_store_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err);

/* The calendar of row `id`, built (caller frees with calendar_free), and its version. */
enum tend_rc calendars_store_load(struct db *db, int64_t id, struct calendar **out, int64_t *version,
                                  struct tend_err *err);

/* Create from a definition body; *out is the stored row as JSON. Errors name
 * the definition's fields; a taken name is TEND_EINVAL on "name". */
enum tend_rc calendars_store_create(struct db *db, const json_t *body, const char *actor, int64_t now,
                                    json_t **out, struct tend_err *err);

/* Replace the definition of `id`; body.version must be the stored version
 * (TEND_ECONFLICT otherwise, with *out the current row). */
enum tend_rc calendars_store_replace(struct db *db, int64_t id, const json_t *body, const char *actor,
                                     int64_t now, json_t **out, struct tend_err *err);

/* Replace or add to the holidays and working days from iCalendar text:
 * body {ics, mode: "replace"|"merge", version}. */
enum tend_rc calendars_store_import_ics(struct db *db, int64_t id, const json_t *body, const char *actor,
                                        int64_t now, json_t **out, struct tend_err *err);

enum tend_rc calendars_store_delete(struct db *db, int64_t id, const char *actor, int64_t now,
                                    struct tend_err *err);

#endif
