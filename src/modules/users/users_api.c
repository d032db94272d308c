/* users_api.c: users and groups over HTTP. Passwords are hashed on the worker
 * pool, then the change is written; no answer ever carries a password hash. */
#include "users_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "users.h"

#define USERS_LIST_MAX 200

static int
path_id(struct api_req *r, const char *what, int64_t *id)
{
    const char *s = api_param(r, "id");
    if (!s || parse_int64(s, strlen(s), 1, INT64_MAX, id) != 0) {
        char msg[64];
        snprintf(msg, sizeof(msg), "no such %s", what);
        api_send_problem(r, 404, "id", msg, NULL);
        return -1;
    }
    return 0;
}

/* --- reading ------------------------------------------------------------------- */

void
users_api_get(struct api_req *r)
{
    struct user u;
    struct tend_err err;
    int64_t id;

    if (path_id(r, "user", &id))
        return;
    if (users_store_get(r->db, id, &u, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, user_to_json(&u));
    user_cleanup(&u);
}

void
users_api_events(struct api_req *r)
{
    struct user u;
    struct tend_err err;
    json_t *items;
    int64_t id;

    if (path_id(r, "user", &id))
        return;
    if (users_store_get(r->db, id, &u, &err)) {
        api_send_error(r, &err);
        return;
    }
    user_cleanup(&u);
    if (event_list(r->db, "user", id, 1000, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
users_api_list(struct api_req *r)
{
    const char *role = api_query(r, "role"), *disabled = api_query(r, "disabled");
    const char *limit = api_query(r, "limit"), *cursor = api_query(r, "cursor");
    unsigned role_bit = 0;
    int dis = -1;
    int64_t lim = 50, before = 0;
    struct user *items;
    size_t n;
    struct tend_err err;
    json_t *arr, *body;

    if (role && !(role_bit = user_roles_bits(role))) {
        api_send_problem(r, 400, "role", "is not a role", NULL);
        return;
    }
    if (disabled) {
        if (strcmp(disabled, "true") == 0)
            dis = 1;
        else if (strcmp(disabled, "false") == 0)
            dis = 0;
        else {
            api_send_problem(r, 400, "disabled", "must be true or false", NULL);
            return;
        }
    }
    if (limit && parse_int64(limit, strlen(limit), 1, USERS_LIST_MAX, &lim) != 0) {
        api_send_problem(r, 400, "limit", "must be an integer from 1 to 200", NULL);
        return;
    }
    if (cursor && cursor_decode("u1", cursor, &before) != 0) {
        api_send_problem(r, 400, "cursor", "is not a cursor this server gave out", NULL);
        return;
    }
    if (users_store_list(r->db, role_bit, dis, before, (int)lim, &items, &n, &err)) {
        api_send_error(r, &err);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < n && i < (size_t)lim; i++)
        json_array_append_new(arr, user_to_json(&items[i]));
    body = json_pack("{s:o}", "items", arr);
    if (n > (size_t)lim) {
        char next[64];
        cursor_encode("u1", items[lim - 1].id, next, sizeof(next));
        json_object_set_new(body, "next_cursor", json_string(next));
    } else {
        json_object_set_new(body, "next_cursor", json_null());
    }
    for (size_t i = 0; i < n; i++)
        user_cleanup(&items[i]);
    free(items);
    api_send_json(r, 200, body);
}

/* --- input ----------------------------------------------------------------------- */

/* What a create or update asks for; strings owned. */
struct user_change {
    struct api_write w; /* first */
    int64_t id;         /* 0: create */
    unsigned fields;
    char username[USER_NAME_MAX + 8];
    char *display_name;
    char *email;
    int email_null;
    unsigned roles;
    int64_t organisation_id; /* -1: set to none */
    int disabled;
    char *password;
    char hash[256];
    char actor[72];
    int64_t actor_id;
    struct user result;
};

enum { UF_NAME = 1, UF_EMAIL = 2, UF_ROLES = 4, UF_ORG = 8, UF_DISABLED = 16, UF_PASSWORD = 32 };

static void
change_release(struct api_write *w)
{
    struct user_change *c = (struct user_change *)w;

    if (c->id)
        auth_epoch_bump(); /* roles, organisation or state may have changed */
    free(c->display_name);
    free(c->email);
    if (c->password) {
        sodium_memzero(c->password, strlen(c->password));
        free(c->password);
    }
    sodium_memzero(c->hash, sizeof(c->hash));
    user_cleanup(&c->result);
    free(c);
}

static enum tend_rc
parse_roles(const json_t *v, unsigned *out, struct tend_err *err)
{
    size_t i;
    json_t *item;

    if (!json_is_array(v) || json_array_size(v) == 0)
        return tend_fail(err, TEND_EINVAL, "roles", "must be a non-empty list of roles");
    *out = 0;
    json_array_foreach(v, i, item) {
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

static enum tend_rc
parse_change(const json_t *body, struct user_change *c, int create, struct tend_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)body, key, v) {
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
            c->fields |= UF_NAME;
        } else if (strcmp(key, "email") == 0) {
            c->fields |= UF_EMAIL;
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
            c->fields |= UF_ROLES;
        } else if (strcmp(key, "organisation_id") == 0) {
            if (json_is_null(v))
                c->organisation_id = -1;
            else if (json_is_integer(v) && json_integer_value(v) >= 1)
                c->organisation_id = json_integer_value(v);
            else
                return tend_fail(err, TEND_EINVAL, "organisation_id",
                                 "must be an organisation id or null");
            c->fields |= UF_ORG;
        } else if (!create && strcmp(key, "disabled") == 0) {
            if (!json_is_boolean(v))
                return tend_fail(err, TEND_EINVAL, "disabled", "must be true or false");
            c->disabled = json_is_true(v);
            c->fields |= UF_DISABLED;
        } else if (strcmp(key, "password") == 0) {
            if (!json_is_string(v))
                return tend_fail(err, TEND_EINVAL, "password", "must be a string");
            c->password = xstrdup(json_string_value(v));
            c->fields |= UF_PASSWORD;
        } else {
            char field[64];
            snprintf(field, sizeof(field), "%s", key);
            return tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
    }
    if (create) {
        if (!c->username[0])
            return tend_fail(err, TEND_EINVAL, "username", "is required");
        if (!(c->fields & UF_ROLES))
            return tend_fail(err, TEND_EINVAL, "roles", "is required");
        if (!(c->fields & UF_PASSWORD))
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

/* --- writing --------------------------------------------------------------------- */

static enum tend_rc
record(struct db *db, const char *type, int64_t user_id, const char *actor, json_t *data,
       int64_t now, struct tend_err *err)
{
    enum tend_rc rc = event_append(db, type, "user", user_id, actor, data, now, err);
    json_decref(data);
    return rc;
}

static enum tend_rc
create_apply(struct api_write *w, struct db *db)
{
    struct user_change *c = (struct user_change *)w;
    struct tend_err *err = &w->task.err;
    int64_t now = time_now_ms(), id = 0;
    char roles[160];
    enum tend_rc rc;

    if (c->organisation_id > 0 && (rc = users_store_organisation_exists(db, c->organisation_id, err)))
        return rc;
    user_roles_csv(c->roles, roles, sizeof(roles));
    rc = users_store_add(db, c->username, c->display_name ? c->display_name : c->username, c->email,
                         roles, c->hash, c->organisation_id > 0 ? c->organisation_id : 0, now, &id,
                         err);
    if (rc)
        return rc;
    rc = record(db, "user.created", id, c->actor, json_pack("{s:s,s:s}", "username", c->username,
                                                             "roles", roles),
                now, err);
    return rc ? rc : users_store_get(db, id, &c->result, err);
}

static enum tend_rc
update_apply(struct api_write *w, struct db *db)
{
    struct user_change *c = (struct user_change *)w;
    struct tend_err *err = &w->task.err;
    struct user *u = &c->result;
    int64_t now = time_now_ms();
    unsigned old_roles;
    int was_disabled;
    enum tend_rc rc;

    auth_epoch_bump();
    rc = users_store_get(db, c->id, u, err);

    if (rc)
        return rc;
    old_roles = u->roles;
    was_disabled = u->disabled;
    if (c->fields & UF_NAME) {
        free(u->display_name);
        u->display_name = xstrdup(c->display_name);
    }
    if (c->fields & UF_EMAIL) {
        free(u->email);
        u->email = c->email_null ? NULL : xstrdup(c->email);
    }
    if (c->fields & UF_ROLES)
        u->roles = c->roles;
    if (c->fields & UF_ORG) {
        if (c->organisation_id > 0 &&
            (rc = users_store_organisation_exists(db, c->organisation_id, err)))
            return rc;
        u->organisation_id = c->organisation_id > 0 ? c->organisation_id : 0;
    }
    if (c->fields & UF_DISABLED) {
        if (c->disabled && c->id == c->actor_id)
            return tend_fail(err, TEND_EINVAL, "disabled", "you cannot disable yourself");
        u->disabled = c->disabled;
    }
    if (c->fields & UF_PASSWORD) {
        free(u->password_hash);
        u->password_hash = xstrdup(c->hash);
    }
    if ((u->roles & ROLE_CUSTOMER) && !u->organisation_id)
        return tend_fail(err, TEND_EINVAL, "organisation_id",
                         "is required for a customer: the organisation they belong to");
    u->updated_at = now;
    rc = users_store_save(db, u, err);
    if (rc == TEND_OK && u->roles != old_roles) {
        char from[160], to[160];
        user_roles_csv(old_roles, from, sizeof(from));
        user_roles_csv(u->roles, to, sizeof(to));
        rc = record(db, "user.roles_changed", u->id, c->actor,
                    json_pack("{s:{s:s,s:s}}", "roles", "from", from, "to", to), now, err);
    }
    if (rc == TEND_OK && u->disabled != was_disabled) {
        rc = record(db, u->disabled ? "user.disabled" : "user.enabled", u->id, c->actor,
                    json_object(), now, err);
        if (rc == TEND_OK && u->disabled)
            rc = users_store_revoke_access(db, u->id, now, err);
    }
    if (rc == TEND_OK && (c->fields & UF_PASSWORD)) {
        rc = record(db, "user.password_changed", u->id, c->actor, json_object(), now, err);
        if (rc == TEND_OK && c->id != c->actor_id) /* set by an admin: old sessions end */
            rc = users_store_revoke_access(db, u->id, now, err);
    }
    if (rc == TEND_OK && (c->fields & (UF_NAME | UF_EMAIL | UF_ORG)))
        rc = record(db, "user.updated", u->id, c->actor, json_object(), now, err);
    return rc;
}

static void
change_respond(struct api_write *w, struct api_req *r)
{
    struct user_change *c = (struct user_change *)w;
    char location[64];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    if (c->id == 0) {
        snprintf(location, sizeof(location), "/api/v1/users/%lld", (long long)c->result.id);
        api_add_header(r, "location", location);
    }
    api_send_json(r, c->id == 0 ? 201 : 200, user_to_json(&c->result));
}

/* Pool: hash the password, then hand the change to the writer. */
static enum tend_rc
hash_apply(struct api_write *w, struct db *db)
{
    struct user_change *c = (struct user_change *)w;
    (void)db;
    return user_hash_password(c->password, c->hash, sizeof(c->hash), &w->task.err);
}

static void
hash_respond(struct api_write *w, struct api_req *r)
{
    struct user_change *c = (struct user_change *)w, *next;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    next = xmalloc(sizeof(*next));
    *next = *c; /* moves every owned pointer */
    memset(&next->w, 0, sizeof(next->w));
    c->display_name = c->email = c->password = NULL;
    memset(&c->result, 0, sizeof(c->result));
    next->w.apply = next->id ? update_apply : create_apply;
    next->w.respond = change_respond;
    next->w.release = change_release;
    api_submit_write(r, &next->w);
}

static void
submit_change(struct api_req *r, struct user_change *c)
{
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
    c->actor_id = r->actor.user_id;
    c->w.release = change_release;
    if (c->password) {
        c->w.apply = hash_apply;
        c->w.respond = hash_respond;
        api_submit_job(r, &c->w);
    } else {
        c->w.apply = c->id ? update_apply : create_apply;
        c->w.respond = change_respond;
        api_submit_write(r, &c->w);
    }
}

void
users_api_create(struct api_req *r)
{
    struct user_change *c = xcalloc(1, sizeof(*c));
    struct tend_err err;

    tend_err_clear(&err);
    if (parse_change(r->body, c, 1, &err)) {
        api_send_error(r, &err);
        change_release(&c->w);
        return;
    }
    submit_change(r, c);
}

void
users_api_update(struct api_req *r)
{
    struct user_change *c;
    struct tend_err err;
    int64_t id;

    if (path_id(r, "user", &id))
        return;
    c = xcalloc(1, sizeof(*c));
    c->id = id;
    tend_err_clear(&err);
    if (parse_change(r->body, c, 0, &err)) {
        api_send_error(r, &err);
        change_release(&c->w);
        return;
    }
    submit_change(r, c);
}

/* --- groups ---------------------------------------------------------------------- */

struct group_change {
    struct api_write w;
    int64_t id;
    char *name, *description;
    int64_t *members;
    int nmembers, has_members;
    char actor[72];
    struct group result;
};

static void
group_release(struct api_write *w)
{
    struct group_change *g = (struct group_change *)w;
    free(g->name);
    free(g->description);
    free(g->members);
    group_cleanup(&g->result);
    free(g);
}

static enum tend_rc
group_apply(struct api_write *w, struct db *db)
{
    struct group_change *g = (struct group_change *)w;
    int64_t now = time_now_ms(), id = 0;
    enum tend_rc rc = groups_store_save(db, g->id, g->name, g->description,
                                        g->has_members ? g->members : NULL, g->nmembers, now, &id,
                                        &w->task.err);
    json_t *data;

    if (rc)
        return rc;
    rc = groups_store_get(db, id, &g->result, &w->task.err);
    if (rc)
        return rc;
    data = json_pack("{s:s,s:O}", "name", g->result.name, "members", g->result.members);
    rc = event_append(db, g->id ? "group.updated" : "group.created", "group", id, g->actor, data,
                      now, &w->task.err);
    json_decref(data);
    return rc;
}

static void
group_respond(struct api_write *w, struct api_req *r)
{
    struct group_change *g = (struct group_change *)w;
    if (w->task.rc)
        api_send_error(r, &w->task.err);
    else
        api_send_json(r, g->id ? 200 : 201, group_to_json(&g->result));
}

static enum tend_rc
parse_group(const json_t *body, struct group_change *g, int create, struct tend_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "name") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 100)
                return tend_fail(err, TEND_EINVAL, "name", "must be a string of 1 to 100 characters");
            g->name = xstrdup(json_string_value(v));
        } else if (strcmp(key, "description") == 0) {
            if (!json_is_string(v) || json_string_length(v) > 2000)
                return tend_fail(err, TEND_EINVAL, "description", "must be a string (at most 2000)");
            g->description = xstrdup(json_string_value(v));
        } else if (strcmp(key, "members") == 0) {
            size_t i;
            json_t *m;
            if (!json_is_array(v) || json_array_size(v) > 1000)
                return tend_fail(err, TEND_EINVAL, "members", "must be a list of user ids");
            g->members = xcalloc(json_array_size(v) + 1, sizeof(*g->members));
            json_array_foreach(v, i, m) {
                if (!json_is_integer(m) || json_integer_value(m) < 1)
                    return tend_fail(err, TEND_EINVAL, "members", "must be a list of user ids");
                g->members[g->nmembers++] = json_integer_value(m);
            }
            g->has_members = 1;
        } else {
            char field[64];
            snprintf(field, sizeof(field), "%s", key);
            return tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
    }
    if (create && !g->name)
        return tend_fail(err, TEND_EINVAL, "name", "is required");
    return TEND_OK;
}

static void
submit_group(struct api_req *r, int64_t id)
{
    struct group_change *g = xcalloc(1, sizeof(*g));
    struct tend_err err;

    tend_err_clear(&err);
    g->id = id;
    if (parse_group(r->body, g, id == 0, &err)) {
        api_send_error(r, &err);
        group_release(&g->w);
        return;
    }
    strlcopy(g->actor, r->actor.username, sizeof(g->actor));
    g->w.apply = group_apply;
    g->w.respond = group_respond;
    g->w.release = group_release;
    api_submit_write(r, &g->w);
}

void
groups_api_create(struct api_req *r)
{
    submit_group(r, 0);
}

void
groups_api_update(struct api_req *r)
{
    int64_t id;
    if (path_id(r, "group", &id) == 0)
        submit_group(r, id);
}

void
groups_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items;

    if (groups_store_list(r->db, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}
