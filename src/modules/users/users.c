/* users.c: username, role and password rules; argon2id hashing via libsodium. */
#include "users.h"

#include <sodium.h>
#include <string.h>
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
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return tend_fail(err, TEND_EINTERNAL, NULL, "out of memory hashing a password");
    return TEND_OK;
}

int
user_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
