/* notifications_store.h: the SQL of the notifications module's API: in-app
 * notifications and preferences, webhook subscriptions and the delivery log,
 * email templates. Reads take a read connection; writes run on the writer and
 * record their event. Each returns the API JSON in *out (caller owns). */
#ifndef TEND_NOTIFICATIONS_STORE_H
#define TEND_NOTIFICATIONS_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"

/* In-app: a user's notifications newest first, ids below `before` (0: from the
 * newest), at most limit + 1 rows (the extra one says there are more). */
enum tend_rc notifications_store_list(struct db *db, int64_t user, int unread_only, int64_t before, int limit,
                                      json_t **items, struct tend_err *err);
enum tend_rc notifications_store_unread(struct db *db, int64_t user, int64_t *count, struct tend_err *err);
/* Mark notification `id` (TEND_ENOTFOUND if not the user's) or, with id 0,
 * every unread one as read; *changed: how many rows. */
enum tend_rc notifications_store_mark_read(struct db *db, int64_t user, int64_t id, int64_t now, int64_t *changed,
                                           struct tend_err *err);

/* Preferences: {language, channels: {kind: {email, in_app}}} with defaults filled in. */
enum tend_rc notifications_store_prefs(struct db *db, int64_t user, json_t **out, struct tend_err *err);
/* Apply a checked body (notifications_api.c) and return the result. */
enum tend_rc notifications_store_set_prefs(struct db *db, int64_t user, const json_t *body, json_t **out,
                                           struct tend_err *err);

/* Webhooks. */
enum tend_rc webhooks_store_list(struct db *db, json_t **out, struct tend_err *err);
/* body checked: name, url, event_types, active, secret (generated when absent).
 * The answer of create carries the secret once. */
enum tend_rc webhooks_store_create(struct db *db, const json_t *body, const char *actor, int64_t now, json_t **out,
                                   struct tend_err *err);
enum tend_rc webhooks_store_update(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                   json_t **out, struct tend_err *err);

/* Deliveries: filters status/channel ("" for any), webhook (0 any); newest first. */
enum tend_rc deliveries_store_list(struct db *db, const char *status, const char *channel, int64_t webhook,
                                   int64_t before, int limit, json_t **items, struct tend_err *err);
/* One delivery with its payload and attempt log. */
enum tend_rc deliveries_store_get(struct db *db, int64_t id, json_t **out, struct tend_err *err);
/* A failed delivery back to pending with fresh attempts (TEND_ECONFLICT unless failed). */
enum tend_rc deliveries_store_retry(struct db *db, int64_t id, const char *actor, int64_t now, json_t **out,
                                    struct tend_err *err);

/* Email templates. */
enum tend_rc templates_store_list(struct db *db, json_t **out, struct tend_err *err);
/* body checked: subject, body_text, body_html. */
enum tend_rc templates_store_put(struct db *db, const char *kind, const char *lang, const json_t *body,
                                 const char *actor, int64_t now, json_t **out, struct tend_err *err);
/* The stored template's parts (subject, body_text, body_html) as JSON. */
enum tend_rc templates_store_get(struct db *db, const char *kind, const char *lang, json_t **out,
                                 struct tend_err *err);

#endif
