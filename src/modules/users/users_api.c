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

/* --- reading ------------------------------------------------------------------- */

void
users_api_get(struct api_req *r)
{
    struct user u;
    struct tend_err err;
    int64_t id;

    if (api_path_id(r, "user", &id))
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

    if (api_path_id(r, "user", &id))
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
    struct user_input in;
    char hash[256];
    char actor[72];
    int64_t actor_id;
    struct user result;
};

static void
change_release(struct api_write *w)
{
    struct user_change *c = (struct user_change *)w;

    if (c->id)
        auth_epoch_bump(); /* roles, organisation or state may have changed */
    user_input_cleanup(&c->in);
    sodium_memzero(c->hash, sizeof(c->hash));
    user_cleanup(&c->result);
    free(c);
}

/* --- writing --------------------------------------------------------------------- */

static enum tend_rc
create_apply(struct api_write *w, struct db *db)
{
    struct user_change *c = (struct user_change *)w;
    struct tend_err *err = &w->task.err;
    int64_t now = time_now_ms(), id = 0;
    char roles[160];
    enum tend_rc rc;

    if (c->in.organisation_id > 0 &&
        (rc = users_store_organisation_exists(db, c->in.organisation_id, err)))
        return rc;
    user_roles_csv(c->in.roles, roles, sizeof(roles));
    rc = users_store_add(
        db, c->in.username, c->in.display_name ? c->in.display_name : c->in.username, c->in.email,
        roles, c->hash, c->in.organisation_id > 0 ? c->in.organisation_id : 0, now, &id, err);
    if (rc)
        return rc;
    rc = event_record(db, "user.created", "user", id, c->actor,
                json_pack("{s:s,s:s}", "username", c->in.username, "roles", roles), now, err);
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
    if (c->in.fields & USER_F_NAME) {
        free(u->display_name);
        u->display_name = xstrdup(c->in.display_name);
    }
    if (c->in.fields & USER_F_EMAIL) {
        free(u->email);
        u->email = c->in.email_null ? NULL : xstrdup(c->in.email);
    }
    if (c->in.fields & USER_F_ROLES)
        u->roles = c->in.roles;
    if (c->in.fields & USER_F_ORG) {
        if (c->in.organisation_id > 0 &&
            (rc = users_store_organisation_exists(db, c->in.organisation_id, err)))
            return rc;
        u->organisation_id = c->in.organisation_id > 0 ? c->in.organisation_id : 0;
    }
    if (c->in.fields & USER_F_DISABLED) {
        if (c->in.disabled && c->id == c->actor_id)
            return tend_fail(err, TEND_EINVAL, "disabled", "you cannot disable yourself");
        u->disabled = c->in.disabled;
    }
    if (c->in.fields & USER_F_SKILLS) {
        free(u->skills);
        u->skills = json_dumps(c->in.skills, JSON_COMPACT);
    }
    if (c->in.fields & USER_F_AVAILABLE)
        u->available = c->in.available;
    if (c->in.fields & USER_F_PASSWORD) {
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
        rc = event_record(db, "user.roles_changed", "user", u->id, c->actor,
                    json_pack("{s:{s:s,s:s}}", "roles", "from", from, "to", to), now, err);
    }
    if (rc == TEND_OK && u->disabled != was_disabled) {
        rc = event_record(db, u->disabled ? "user.disabled" : "user.enabled", "user", u->id, c->actor,
                    json_object(), now, err);
        if (rc == TEND_OK && u->disabled)
            rc = users_store_revoke_access(db, u->id, now, err);
    }
    if (rc == TEND_OK && (c->in.fields & USER_F_PASSWORD)) {
        rc = event_record(db, "user.password_changed", "user", u->id, c->actor, json_object(), now, err);
        if (rc == TEND_OK && c->id != c->actor_id) /* set by an admin: old sessions end */
            rc = users_store_revoke_access(db, u->id, now, err);
    }
    if (rc == TEND_OK && (c->in.fields & (USER_F_NAME | USER_F_EMAIL | USER_F_ORG | USER_F_SKILLS | USER_F_AVAILABLE)))
        rc = event_record(db, "user.updated", "user", u->id, c->actor, json_object(), now, err);
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
    return user_hash_password(c->in.password, c->hash, sizeof(c->hash), &w->task.err);
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
    memset(&c->in, 0, sizeof(c->in));
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
    if (c->in.password) {
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
    if (user_input_parse(r->body, 1, &c->in, &err)) {
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

    if (api_path_id(r, "user", &id))
        return;
    c = xcalloc(1, sizeof(*c));
    c->id = id;
    tend_err_clear(&err);
    if (user_input_parse(r->body, 0, &c->in, &err)) {
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
    struct group_input in;
    char actor[72];
    struct group result;
};

static void
group_release(struct api_write *w)
{
    struct group_change *g = (struct group_change *)w;
    group_input_cleanup(&g->in);
    group_cleanup(&g->result);
    free(g);
}

static enum tend_rc
group_apply(struct api_write *w, struct db *db)
{
    struct group_change *g = (struct group_change *)w;
    int64_t now = time_now_ms(), id = 0;
    enum tend_rc rc = groups_store_save(db, g->id, g->in.name, g->in.description,
                                        g->in.has_members ? g->in.members : NULL, g->in.nmembers,
                                        now, &id, &w->task.err);

    if (rc == TEND_OK && g->in.has_lead)
        rc = groups_store_set_lead(db, id, g->in.lead_id, &w->task.err);
    if (rc)
        return rc;
    rc = groups_store_get(db, id, &g->result, &w->task.err);
    if (rc)
        return rc;
    return event_record(db, g->id ? "group.updated" : "group.created", "group", id, g->actor,
                        json_pack("{s:s,s:O}", "name", g->result.name, "members", g->result.members),
                        now, &w->task.err);
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

static void
submit_group(struct api_req *r, int64_t id)
{
    struct group_change *g = xcalloc(1, sizeof(*g));
    struct tend_err err;

    tend_err_clear(&err);
    g->id = id;
    if (group_input_parse(r->body, id == 0, &g->in, &err)) {
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
    if (api_path_id(r, "group", &id) == 0)
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
