/* users.c: username, role and password rules; argon2id hashing via libsodium. */
#include "users.h"

#include <sodium.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "platform/util/util.h"

const char *const user_roles[] = {"admin",    "manager",   "dispatcher", "agent",    "engineer",
                                  "warehouse", "finance", "customer",   NULL};

/* A short list of the passwords attackers try first (lower case). */
static const char *const common_passwords[] = {
    "1234567890", "12345678910", "123456789a", "0123456789", "1q2w3e4r5t", "qwertyuiop",
    "password123", "password12", "password1!", "iloveyou12", "abc1234567", "qwerty1234",
    "1qaz2wsx3edc", "administrator", "changeme123", "letmein123", "welcome123", "passw0rd123",
    "aaaaaaaaaa", "1111111111", "0000000000", "woaini1314", "5201314520", "a123456789",
    "qq123456789", "tend123456", "servicedesk", "helpdesk123", NULL};

enum tend_rc
user_check_username(const char *u, struct tend_err *err)
{
    size_t len = strlen(u);

    if (len < 2 || len > USER_NAME_MAX)
        return tend_fail(err, TEND_EINVAL, "username", "must be 2 to %d characters", USER_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = u[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return tend_fail(err, TEND_EINVAL, "username",
                             "may contain only a-z, 0-9, '.', '_' and '-', starting with a letter "
                             "or digit");
    }
    return TEND_OK;
}

enum tend_rc
user_check_roles(const char *roles, struct tend_err *err)
{
    char copy[256], *save = NULL, *tok;
    int n = 0;

    if (strlen(roles) >= sizeof(copy))
        return tend_fail(err, TEND_EINVAL, "roles", "too long");
    strlcopy(copy, roles, sizeof(copy));
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int known = 0;
        for (const char *const *r = user_roles; *r; r++)
            if (strcmp(*r, tok) == 0)
                known = 1;
        if (!known)
            return tend_fail(err, TEND_EINVAL, "roles",
                             "'%.40s' is not a role (admin, manager, dispatcher, agent, engineer, "
                             "warehouse, finance, customer)",
                             tok);
        n++;
    }
    if (!n)
        return tend_fail(err, TEND_EINVAL, "roles", "at least one role is required");
    return TEND_OK;
}

enum tend_rc
user_check_password(const char *password, const char *username, struct tend_err *err)
{
    size_t len = strlen(password);

    if (len < USER_PASSWORD_MIN)
        return tend_fail(err, TEND_EINVAL, "password", "must be at least %d characters",
                         USER_PASSWORD_MIN);
    if (len > USER_PASSWORD_MAX)
        return tend_fail(err, TEND_EINVAL, "password", "must be at most %d characters",
                         USER_PASSWORD_MAX);
    for (const char *const *p = common_passwords; *p; p++)
        if (strcasecmp(*p, password) == 0)
            return tend_fail(err, TEND_EINVAL, "password", "is too common; choose another");
    if (username && strcasecmp(username, password) == 0)
        return tend_fail(err, TEND_EINVAL, "password", "must not be the username");
    return TEND_OK;
}

enum tend_rc
user_hash_password(const char *password, char *out, size_t outlen, struct tend_err *err)
{
    if (outlen < crypto_pwhash_STRBYTES)
        return tend_fail(err, TEND_EINTERNAL, NULL, "hash buffer too small");
    if (crypto_pwhash_str_alg(out, password, strlen(password), 2, (size_t)19 << 20,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return tend_fail(err, TEND_EINTERNAL, NULL, "out of memory hashing a password");
    return TEND_OK;
}

int
user_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

unsigned
user_roles_bits(const char *csv)
{
    unsigned bits = 0;
    const char *p = csv;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        for (int i = 0; user_roles[i]; i++)
            if (strlen(user_roles[i]) == len && strncmp(user_roles[i], p, len) == 0)
                bits |= 1u << i;
        p = comma ? comma + 1 : NULL;
    }
    return bits;
}

json_t *
user_roles_json(unsigned bits)
{
    json_t *a = json_array();
    for (int i = 0; user_roles[i]; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(user_roles[i]));
    return a;
}

void
user_roles_csv(unsigned bits, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; user_roles[i]; i++)
        if (bits & (1u << i)) {
            int n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", user_roles[i]);
            if (n < 0 || (size_t)n >= outlen - used)
                break;
            used += (size_t)n;
        }
}

void
user_cleanup(struct user *u)
{
    free(u->display_name);
    free(u->email);
    if (u->password_hash)
        sodium_memzero(u->password_hash, strlen(u->password_hash));
    free(u->password_hash);
    u->display_name = u->email = u->password_hash = NULL;
}

json_t *
user_to_json(const struct user *u)
{
    char created[40], updated[40];
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:b,s:s,s:s}", "id", (json_int_t)u->id, "username",
                     u->username, "display_name", u->display_name, "email",
                     u->email ? json_string(u->email) : json_null(), "roles",
                     user_roles_json(u->roles), "organisation_id",
                     u->organisation_id ? json_integer(u->organisation_id) : json_null(), "disabled",
                     u->disabled, "created_at",
                     time_format_rfc3339(u->created_at, created, sizeof(created)), "updated_at",
                     time_format_rfc3339(u->updated_at, updated, sizeof(updated)));
}

void
group_cleanup(struct group *g)
{
    free(g->name);
    free(g->description);
    json_decref(g->members);
    g->name = g->description = NULL;
    g->members = NULL;
}

json_t *
group_to_json(const struct group *g)
{
    char created[40], updated[40];
    return json_pack("{s:I,s:s,s:s,s:O,s:s,s:s}", "id", (json_int_t)g->id, "name", g->name,
                     "description", g->description, "members", g->members, "created_at",
                     time_format_rfc3339(g->created_at, created, sizeof(created)), "updated_at",
                     time_format_rfc3339(g->updated_at, updated, sizeof(updated)));
}
