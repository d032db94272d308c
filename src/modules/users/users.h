/* users.h: people who sign in: roles, password rules and hashing (argon2id),
 * and the store operations the CLI and (later) the auth module use. */
#ifndef TEND_USERS_H
#define TEND_USERS_H

#include <stdint.h>

#include "platform/db/db.h"

#define USER_PASSWORD_MIN 10
#define USER_PASSWORD_MAX 256
#define USER_NAME_MAX 64

/* NULL-terminated: admin, manager, dispatcher, agent, engineer, warehouse, finance, customer. */
extern const char *const user_roles[];

/* Check a username: 2-64 of [a-z0-9._-], starting with a letter or digit. */
enum tend_rc user_check_username(const char *username, struct tend_err *err);

/* Check a comma-separated role list against user_roles (at least one). */
enum tend_rc user_check_roles(const char *roles, struct tend_err *err);

/* Password policy: 10-256 bytes, not a common password, not the username. */
enum tend_rc user_check_password(const char *password, const char *username, struct tend_err *err);

/* Hash with argon2id into `out` (at least 128 bytes). Slow on purpose: never on
 * an event-loop thread. */
enum tend_rc user_hash_password(const char *password, char *out, size_t outlen,
                                struct tend_err *err);

/* Whether `password` matches `hash` (constant time). */
int user_verify_password(const char *hash, const char *password);

/* Add a user; TEND_ECONFLICT when the username is taken. */
enum tend_rc users_store_add(struct db *db, const char *username, const char *display_name,
                             const char *email, const char *roles, const char *password_hash,
                             int64_t organisation_id, int64_t now, int64_t *id,
                             struct tend_err *err);

/* Replace a user's password hash; TEND_ENOTFOUND when there is no such user. */
enum tend_rc users_store_set_password(struct db *db, const char *username,
                                      const char *password_hash, int64_t now,
                                      struct tend_err *err);

#endif
