/* users.c: username, role and password rules; argon2id hashing via libsodium. */
#include "users.h"

#include "modules/tickets/tickets.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/util/util.h"

const char *const user_roles[] = {"admin",     "manager", "dispatcher", "agent", "engineer",
                                  "warehouse", "finance", "customer",   NULL};

/* A short list of the passwords attackers try first (lower case). */
static const char *const common_passwords[] = {
    "1234567890",   "12345678910",   "123456789a",  "0123456789",  "1q2w3e4r5t", "qwertyuiop",
    "password123",  "password12",    "password1!",  "iloveyou12",  "abc1234567", "qwerty1234",
    "1qaz2wsx3edc", "administrator", "changeme123", "letmein123",  "welcome123", "passw0rd123",
    "aaaaaaaaaa",   "1111111111",    "0000000000",  "woaini1314",  "5201314520", "a123456789",
    "qq123456789",  "tend123456",    "servicedesk", "helpdesk123", NULL};

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
    free(u->skills);
    u->skills = NULL;
    u->display_name = u->email = u->password_hash = NULL;
}

json_t *
user_to_json(const struct user *u)
{
    char created[40], updated[40];
    json_t *skills = json_loads(u->skills ? u->skills : "[]", 0, NULL);

    return json_pack(
        "{s:I,s:s,s:s,s:o,s:o,s:o,s:b,s:s,s:s,s:o,s:b}", "id", (json_int_t)u->id, "username", u->username,
        "display_name", u->display_name, "email", u->email ? json_string(u->email) : json_null(),
        "roles", user_roles_json(u->roles), "organisation_id",
        u->organisation_id ? json_integer(u->organisation_id) : json_null(), "disabled",
        u->disabled, "created_at", time_format_rfc3339(u->created_at, created, sizeof(created)),
        "updated_at", time_format_rfc3339(u->updated_at, updated, sizeof(updated)), "skills",
        json_is_array(skills) ? skills : json_array(), "available", u->available);
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
    return json_pack("{s:I,s:s,s:s,s:O,s:o,s:s,s:s}", "id", (json_int_t)g->id, "name", g->name,
                     "description", g->description, "members", g->members, "lead_id",
                     g->lead_id ? json_integer(g->lead_id) : json_null(), "created_at",
                     time_format_rfc3339(g->created_at, created, sizeof(created)), "updated_at",
                     time_format_rfc3339(g->updated_at, updated, sizeof(updated)));
}

/* --- request input ------------------------------------------------------------ */

static enum tend_rc
parse_roles(const json_t *v, unsigned *out, struct tend_err *err)
{
    size_t i;
    json_t *item;

    if (!json_is_array(v) || json_array_size(v) == 0)
        return tend_fail(err, TEND_EINVAL, "roles", "must be a non-empty list of roles");
    *out = 0;
    json_array_foreach(v, i, item)
    {
        unsigned bit = json_is_string(item) ? user_roles_bits(json_string_value(item)) : 0;
        if (!bit || strchr(json_string_value(item), ','))
            return tend_fail(err, TEND_EINVAL, "roles",
                             "'%.40s' is not a role (admin, manager, dispatcher, agent, engineer, "
                             "warehouse, finance, customer)",
                             json_is_string(item) ? json_string_value(item) : "?");
        *out |= bit;
    }
    return TEND_OK;
}

enum tend_rc
user_input_parse(const json_t *body, int create, struct user_input *c, struct tend_err *err)
{
    const char *key;
    json_t *v;

    memset(c, 0, sizeof(*c));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
    {
        if (create && strcmp(key, "username") == 0) {
            if (!json_is_string(v))
                return tend_fail(err, TEND_EINVAL, "username", "must be a string");
            if (user_check_username(json_string_value(v), err))
                return TEND_EINVAL;
            strlcopy(c->username, json_string_value(v), sizeof(c->username));
        } else if (strcmp(key, "display_name") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200)
                return tend_fail(err, TEND_EINVAL, "display_name",
                                 "must be a string of 1 to 200 characters");
            c->display_name = xstrdup(json_string_value(v));
            c->fields |= USER_F_NAME;
        } else if (strcmp(key, "email") == 0) {
            c->fields |= USER_F_EMAIL;
            if (json_is_null(v)) {
                c->email_null = 1;
                continue;
            }
            if (!json_is_string(v) || json_string_length(v) > 254 ||
                !strchr(json_string_value(v), '@'))
                return tend_fail(err, TEND_EINVAL, "email", "must be an email address or null");
            c->email = xstrdup(json_string_value(v));
        } else if (strcmp(key, "roles") == 0) {
            if (parse_roles(v, &c->roles, err))
                return TEND_EINVAL;
            c->fields |= USER_F_ROLES;
        } else if (strcmp(key, "organisation_id") == 0) {
            if (json_is_null(v))
                c->organisation_id = -1;
            else if (json_is_integer(v) && json_integer_value(v) >= 1)
                c->organisation_id = json_integer_value(v);
            else
                return tend_fail(err, TEND_EINVAL, "organisation_id",
                                 "must be an organisation id or null");
            c->fields |= USER_F_ORG;
        } else if (!create && strcmp(key, "disabled") == 0) {
            if (!json_is_boolean(v))
                return tend_fail(err, TEND_EINVAL, "disabled", "must be true or false");
            c->disabled = json_is_true(v);
            c->fields |= USER_F_DISABLED;
        } else if (strcmp(key, "skills") == 0) {
            size_t i;
            json_t *s;
            if (!json_is_array(v) || json_array_size(v) > 20)
                return tend_fail(err, TEND_EINVAL, "skills", "must be a list of at most 20 skill names");
            json_decref(c->skills);
            c->skills = json_array();
            json_array_foreach(v, i, s) {
                char *norm = json_is_string(s) ? ticket_tag_normalise(json_string_value(s), json_string_length(s))
                                               : NULL;
                if (!norm)
                    return tend_fail(err, TEND_EINVAL, "skills", "item %zu must be 1 to 40 characters without commas",
                                     i);
                json_array_append_new(c->skills, json_string(norm));
                free(norm);
            }
            c->fields |= USER_F_SKILLS;
        } else if (strcmp(key, "available") == 0) {
            if (!json_is_boolean(v))
                return tend_fail(err, TEND_EINVAL, "available", "must be true or false");
            c->available = json_is_true(v);
            c->fields |= USER_F_AVAILABLE;
        } else if (strcmp(key, "password") == 0) {
            if (!json_is_string(v))
                return tend_fail(err, TEND_EINVAL, "password", "must be a string");
            c->password = xstrdup(json_string_value(v));
            c->fields |= USER_F_PASSWORD;
        } else {
            return tend_fail(err, TEND_EINVAL, key, "is not a known field");
        }
    }
    if (create) {
        if (!c->username[0])
            return tend_fail(err, TEND_EINVAL, "username", "is required");
        if (!(c->fields & USER_F_ROLES))
            return tend_fail(err, TEND_EINVAL, "roles", "is required");
        if (!(c->fields & USER_F_PASSWORD))
            return tend_fail(err, TEND_EINVAL, "password", "is required");
        if ((c->roles & ROLE_CUSTOMER) && c->organisation_id <= 0)
            return tend_fail(err, TEND_EINVAL, "organisation_id",
                             "is required for a customer: the organisation they belong to");
    } else if (!c->fields) {
        return tend_fail(err, TEND_EINVAL, "", "nothing to change: send at least one field");
    }
    if (c->password && user_check_password(c->password, create ? c->username : NULL, err))
        return TEND_EINVAL;
    return TEND_OK;
}

void
user_input_cleanup(struct user_input *in)
{
    free(in->display_name);
    free(in->email);
    json_decref(in->skills);
    in->skills = NULL;
    if (in->password) {
        sodium_memzero(in->password, strlen(in->password));
        free(in->password);
    }
    memset(in, 0, sizeof(*in));
}

enum tend_rc
group_input_parse(const json_t *body, int create, struct group_input *g, struct tend_err *err)
{
    const char *key;
    json_t *v;

    memset(g, 0, sizeof(*g));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "name") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 100)
                return tend_fail(err, TEND_EINVAL, "name",
                                 "must be a string of 1 to 100 characters");
            g->name = xstrdup(json_string_value(v));
        } else if (strcmp(key, "description") == 0) {
            if (!json_is_string(v) || json_string_length(v) > 2000)
                return tend_fail(err, TEND_EINVAL, "description",
                                 "must be a string (at most 2000)");
            g->description = xstrdup(json_string_value(v));
        } else if (strcmp(key, "members") == 0) {
            size_t i;
            json_t *m;
            if (!json_is_array(v) || json_array_size(v) > 1000)
                return tend_fail(err, TEND_EINVAL, "members", "must be a list of user ids");
            g->members = xcalloc(json_array_size(v) + 1, sizeof(*g->members));
            json_array_foreach(v, i, m)
            {
                if (!json_is_integer(m) || json_integer_value(m) < 1)
                    return tend_fail(err, TEND_EINVAL, "members", "must be a list of user ids");
                g->members[g->nmembers++] = json_integer_value(m);
            }
            g->has_members = 1;
        } else if (strcmp(key, "lead_id") == 0) {
            if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1))
                return tend_fail(err, TEND_EINVAL, "lead_id", "must be a user id, or null");
            g->lead_id = json_is_null(v) ? 0 : json_integer_value(v);
            g->has_lead = 1;
        } else {
            return tend_fail(err, TEND_EINVAL, key, "is not a known field");
        }
    }
    if (create && !g->name)
        return tend_fail(err, TEND_EINVAL, "name", "is required");
    return TEND_OK;
}

void
group_input_cleanup(struct group_input *in)
{
    free(in->name);
    free(in->description);
    free(in->members);
    memset(in, 0, sizeof(*in));
}
