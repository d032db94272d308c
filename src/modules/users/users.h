/* users.h: people who sign in: roles, password rules and hashing (argon2id),
 * and the store operations the CLI and (later) the auth module use. */
#ifndef TEND_USERS_H
#define TEND_USERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"

#define USER_PASSWORD_MIN 10
#define USER_PASSWORD_MAX 256
#define USER_NAME_MAX 64

/* NULL-terminated: admin, manager, dispatcher, agent, engineer, warehouse, finance, customer.
 * A role's bit in a role set is 1 << its index here. */
extern const char *const user_roles[];

enum user_role_bit {
    ROLE_ADMIN = 1 << 0,
    ROLE_MANAGER = 1 << 1,
    ROLE_DISPATCHER = 1 << 2,
    ROLE_AGENT = 1 << 3,
    ROLE_ENGINEER = 1 << 4,
    ROLE_WAREHOUSE = 1 << 5,
    ROLE_FINANCE = 1 << 6,
    ROLE_CUSTOMER = 1 << 7,
};

/* The role set of a comma-separated list (unknown names are ignored). */
unsigned user_roles_bits(const char *csv);

/* A role set as a JSON array of names (new reference), and as "a,b" text. */
json_t *user_roles_json(unsigned bits);
void user_roles_csv(unsigned bits, char *out, size_t outlen);

/* A user as stored. */
struct user {
    int64_t id;
    char username[USER_NAME_MAX + 8];
    char *display_name;  /* owned */
    char *email;         /* owned, NULL if none */
    char *password_hash; /* owned; never leaves the server */
    unsigned roles;
    int64_t organisation_id; /* 0: none */
    int disabled;
    int64_t created_at, updated_at;
    char *skills;  /* owned JSON array text of skill names ("[]" when none) */
    int available; /* 0: away; the rules' assignment skips them */
};

void user_cleanup(struct user *u);

/* The user as the API shows it (no password hash). */
json_t *user_to_json(const struct user *u);

/* Look-ups: TEND_ENOTFOUND when there is none. */
enum tend_rc users_store_get(struct db *db, int64_t id, struct user *out, struct tend_err *err);
enum tend_rc users_store_get_by_username(struct db *db, const char *username, struct user *out,
                                         struct tend_err *err);

/* Users newest-id first after `before_id` (0: from the top), optionally only those
 * having role bit `role` (0: any) and `disabled` (-1: any). Up to limit + 1. */
enum tend_rc users_store_list(struct db *db, unsigned role, int disabled, int64_t before_id,
                              int limit, struct user **out, size_t *count, struct tend_err *err);

/* Whether an organisation with this id exists. */
enum tend_rc users_store_organisation_exists(struct db *db, int64_t id, struct tend_err *err);

/* Write the user's mutable fields back (display_name, email, roles,
 * organisation_id, disabled, password_hash, updated_at). */
enum tend_rc users_store_save(struct db *db, const struct user *u, struct tend_err *err);

/* End every session and token of a user (on disable). */
enum tend_rc users_store_revoke_access(struct db *db, int64_t user_id, int64_t now,
                                       struct tend_err *err);

/* What a create or update of a user asks for (validated; strings owned). */
enum user_field {
    USER_F_NAME = 1,
    USER_F_EMAIL = 2,
    USER_F_ROLES = 4,
    USER_F_ORG = 8,
    USER_F_DISABLED = 16,
    USER_F_PASSWORD = 32,
    USER_F_SKILLS = 64,
    USER_F_AVAILABLE = 128,
};

struct user_input {
    unsigned fields; /* enum user_field bits sent */
    char username[USER_NAME_MAX + 8];
    char *display_name;
    char *email;
    int email_null;
    unsigned roles;
    int64_t organisation_id; /* -1: set to none */
    int disabled;
    char *password;
    json_t *skills; /* normalised skill names */
    int available;
};

/* Validate a user body (create: username, roles and password required, and an
 * organisation for customers; update: at least one field). Fills `in` (caller
 * cleans up, also on failure) or `err` naming the field. */
enum tend_rc user_input_parse(const json_t *body, int create, struct user_input *in,
                              struct tend_err *err);
void user_input_cleanup(struct user_input *in);

/* What a create or update of a group asks for. */
struct group_input {
    char *name, *description;
    int64_t *members;
    int nmembers, has_members;
    int64_t lead_id; /* with has_lead: the group lead (0: none) */
    int has_lead;
};

enum tend_rc group_input_parse(const json_t *body, int create, struct group_input *in,
                               struct tend_err *err);
void group_input_cleanup(struct group_input *in);

/* Groups of users (teams), used by routing later. */
struct group {
    int64_t id;
    char *name;        /* owned */
    char *description; /* owned */
    json_t *members;   /* owned: [{id, username, display_name}] */
    int64_t lead_id;   /* who SLA escalations notify as the group lead, 0 none */
    int64_t created_at, updated_at;
};

void group_cleanup(struct group *g);
json_t *group_to_json(const struct group *g);

enum tend_rc groups_store_list(struct db *db, json_t **items, struct tend_err *err);
enum tend_rc groups_store_get(struct db *db, int64_t id, struct group *out, struct tend_err *err);
/* Create (id 0) or update a group; `members` (user ids, may be NULL to keep) replaces the list.
 * TEND_EINVAL naming `members` if an id is not a user; TEND_ECONFLICT on a duplicate name. */
enum tend_rc groups_store_save(struct db *db, int64_t id, const char *name, const char *description,
                               const int64_t *members, int nmembers, int64_t now, int64_t *out_id,
                               struct tend_err *err);

/* Set (lead_id > 0) or clear the lead of group `id`: an active staff user,
 * else TEND_EINVAL naming lead_id. */
enum tend_rc groups_store_set_lead(struct db *db, int64_t id, int64_t lead_id, struct tend_err *err);

/* Check a username: 2-64 of [a-z0-9._-], starting with a letter or digit. */
enum tend_rc user_check_username(const char *username, struct tend_err *err);

/* Check a comma-separated role list against user_roles (at least one). */
enum tend_rc user_check_roles(const char *roles, struct tend_err *err);

/* Password policy: 10-256 bytes, not a common password, not the username. */
enum tend_rc user_check_password(const char *password, const char *username, struct tend_err *err);

/* Hash with argon2id (t=2, m=19 MiB, OWASP's recommendation) into `out` (at least
 * 128 bytes). Slow on purpose: never on an event-loop thread. */
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
