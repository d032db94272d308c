/* auth.h: who may call what. The permission policy (loaded from the permissions
 * table), API-token scopes, login rate limits, and the secrets behind sessions
 * and tokens. Pure parts are unit-tested without a database. */
#ifndef TEND_AUTH_H
#define TEND_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"

#define AUTH_SESSION_TTL_MS (12LL * 3600 * 1000)
#define AUTH_SECRET_MAX 80     /* "tend_" + 43 base64url characters, with room */
#define AUTH_HASH_HEX 65       /* SHA-256 as hex, NUL-terminated */
#define AUTH_FAIL_WINDOW_MS (15LL * 60 * 1000)
#define AUTH_FAILS_PER_ACCOUNT 5
#define AUTH_FAILS_PER_ADDRESS 20

/* --- the policy: (role, resource, action) grants ------------------------- */

struct auth_grant {
    unsigned role; /* one role bit (users.h) */
    char resource[32];
    char action[16];
};

struct auth_policy {
    struct auth_grant *grants;
    size_t count;
};

/* Whether any role in `roles` holds (resource, action). */
int auth_policy_allows(const struct auth_policy *p, unsigned roles, const char *resource,
                       const char *action);

/* {"tickets": ["read", ...], ...} for a role set, limited by `scopes` (NULL: none). */
json_t *auth_policy_permissions(const struct auth_policy *p, unsigned roles, const char *scopes);

void auth_policy_free(struct auth_policy *p);

/* --- token scopes: "tickets:read,users:read" or "*" ----------------------- */

/* Whether a scope list lets a token do (resource, action). */
int auth_scope_allows(const char *scopes, const char *resource, const char *action);

/* Validate a JSON array of scope strings against the policy's resources and
 * actions; on success writes them comma-separated into `out`. */
enum tend_rc auth_scopes_parse(const json_t *array, const struct auth_policy *p, char *out,
                               size_t outlen, struct tend_err *err);

/* What a request for a new API token asks for. */
struct auth_token_input {
    char name[128];
    int64_t user_id; /* 0: the caller */
    char scopes[512];
    int64_t expires_at; /* 0: never */
};

/* Validate {name, user_id?, scopes, expires_at?} (expires_at must be after `now`). */
enum tend_rc auth_token_input_parse(const json_t *body, const struct auth_policy *p, int64_t now,
                                    struct auth_token_input *in, struct tend_err *err);

/* --- secrets ------------------------------------------------------------- */

/* A new random secret: `prefix` + 43 base64url characters (256 bits). */
void auth_secret_new(const char *prefix, char *out, size_t outlen);

/* SHA-256 of a secret as lowercase hex (what the database keeps). */
void auth_secret_hash(const char *secret, char hex[AUTH_HASH_HEX]);

/* --- login rate limits ----------------------------------------------------- */

struct auth_limiter;

struct auth_limiter *auth_limiter_new(size_t slots);
void auth_limiter_free(struct auth_limiter *l);

/* 0 if `key` may try again at `now`; else the seconds to wait (>= 1). */
int64_t auth_limiter_wait(struct auth_limiter *l, const char *key, int max_failures, int64_t now);

/* Count one failure for `key`; the window starts at its first failure. */
void auth_limiter_fail(struct auth_limiter *l, const char *key, int64_t now);

/* Forget `key`'s failures (after a successful login). */
void auth_limiter_reset(struct auth_limiter *l, const char *key);

/* --- the caller ------------------------------------------------------------ */

/* What a session or token resolves to. */
struct auth_identity {
    int64_t user_id;
    char username[72];
    unsigned roles;
    int64_t organisation_id;
    int disabled;
    int64_t session_id; /* 0 for tokens */
    int64_t token_id;   /* 0 for sessions */
    int64_t expires_at; /* 0: never */
    char csrf[48];      /* sessions only */
    char scopes[512];   /* tokens only */
};

/* Store (auth_store.c). */
enum tend_rc auth_store_load_policy(struct db *db, struct auth_policy *out, struct tend_err *err);
enum tend_rc auth_store_session_create(struct db *db, int64_t user_id, const char *secret_hash,
                                       const char *csrf, const char *client, int64_t now,
                                       int64_t expires_at, int64_t *id, struct tend_err *err);
/* TEND_ENOTFOUND when unknown, revoked, expired, or the user is disabled. */
enum tend_rc auth_store_session_lookup(struct db *db, const char *secret_hash, int64_t now,
                                       struct auth_identity *out, struct tend_err *err);
/* The sessions.purge job: delete sessions that expired or were revoked more
 * than AUTH_SESSIONS_KEPT_MS ago (kept a while for the audit of recent logins). */
#define AUTH_SESSIONS_KEPT_MS (7LL * 24 * 3600 * 1000)
enum tend_rc auth_store_sessions_purge(struct db *db, int64_t now, char *detail, size_t detail_len,
                                       struct tend_err *err);
enum tend_rc auth_store_session_revoke(struct db *db, int64_t id, int64_t now,
                                       struct tend_err *err);
enum tend_rc auth_store_token_create(struct db *db, const char *name, int64_t user_id,
                                     const char *secret_hash, const char *prefix,
                                     const char *scopes, int64_t created_by, int64_t now,
                                     int64_t expires_at, int64_t *id, struct tend_err *err);
enum tend_rc auth_store_token_lookup(struct db *db, const char *secret_hash, int64_t now,
                                     struct auth_identity *out, struct tend_err *err);
enum tend_rc auth_store_token_get(struct db *db, int64_t id, json_t **out, struct tend_err *err);
enum tend_rc auth_store_token_list(struct db *db, json_t **out, struct tend_err *err);
enum tend_rc auth_store_token_revoke(struct db *db, int64_t id, int64_t now, struct tend_err *err);

/* Invalidate every cached credential (all threads): call when a session or
 * token is revoked or a user's roles, organisation or state change, both before
 * the change commits and after (so no request caches the old state in between). */
void auth_epoch_bump(void);

/* Server life cycle hooks (struct http_config): load the policy, make the limiter. */
enum tend_rc auth_start(struct db *db, struct tend_err *err);
void auth_stop(void);

/* The policy loaded by auth_start (read-only while serving). */
const struct auth_policy *auth_policy(void);

#endif
