/* notifications.h: the user-facing side of the outbox: which events become
 * which notification kinds for whom (assigned, mentioned, replies, status
 * changes, new tickets in a group, SLA warnings), users' channel preferences,
 * email templates per kind and language, and the fan-out that the notifier
 * (platform/notify/outbox.h) runs inside a writer transaction. */
#ifndef TEND_NOTIFICATIONS_H
#define TEND_NOTIFICATIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"
#include "platform/notify/outbox.h"

/* The notification kinds, in the order preferences are shown. */
extern const char *const notify_kinds[];
extern const int notify_kinds_count;
extern const char *const notify_languages[]; /* "en", "zh-CN" */
extern const int notify_languages_count;

/* Index of `kind` in notify_kinds, or -1. */
int notify_kind_index(const char *kind);
int notify_language_valid(const char *lang);

/* Whether `kind` reaches a user by `channel` ("email", "in_app") when the
 * user has not chosen. */
int notify_default_enabled(const char *kind, const char *channel);

/* The usernames mentioned in `body` ("@li.na" at the start or after a space or
 * punctuation; letters, digits, . _ -; a trailing dot is not part of it), at
 * most `max`, without repeats, each into names[i] (64 bytes). Returns the count. */
int notify_mentions(const char *body, char (*names)[64], int max);

/* Whether webhook subscription patterns (a JSON array of "type", "prefix.*"
 * or "*") match event `type`. */
int notify_pattern_match(const json_t *patterns, const char *type);

/* `ms` (epoch milliseconds) as an RFC 3339 UTC JSON string. */
json_t *notify_time_json(int64_t ms);

/* The template variables with sample values (for preview and checks). Caller owns. */
json_t *notify_sample_vars(void);

/* The fan-out (outbox.h notify_config.fanout). */
enum tend_rc notifications_fanout(struct db *db, const struct notify_config *cfg, int64_t now, int *n,
                                  struct tend_err *err);

#endif
