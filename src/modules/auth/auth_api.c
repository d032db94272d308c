/* auth_api.c: the guard, sign-in and sign-out, "me", API tokens and the
 * permission table over HTTP. */
#include "auth_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "modules/users/users.h"
#include "platform/db/events.h"
#include "platform/http/router.h"
#include "platform/util/util.h"

#define SESSION_COOKIE "tend_session"
#define TOKEN_PREFIX "tend_"

static struct auth_policy policy;
static struct auth_limiter *limiter;
static char dummy_hash[256]; /* verified against when the user does not exist */

const struct auth_policy *
auth_policy(void)
{
    return &policy;
}

enum tend_rc
auth_start(struct db *db, struct tend_err *err)
{
    char password[AUTH_SECRET_MAX];
    enum tend_rc rc = auth_store_load_policy(db, &policy, err);

    if (rc)
        return rc;
    limiter = auth_limiter_new(8192);
    auth_secret_new("", password, sizeof(password));
    return user_hash_password(password, dummy_hash, sizeof(dummy_hash), err);
}

void
auth_stop(void)
{
    auth_policy_free(&policy);
    auth_limiter_free(limiter);
    limiter = NULL;
}

/* --- the credential cache ----------------------------------------------------- */

/* Each loop thread remembers the identities it resolved, so a busy client costs
 * one database read per AUTH_CACHE_MS instead of one per request. An entry is
 * good only while the global epoch is unchanged: every revocation, role change or
 * disable bumps it, so those take effect on the very next request. The time bound
 * covers changes made by another process (the CLI). */
#define AUTH_CACHE_SLOTS 128
#define AUTH_CACHE_MS 30000

struct cached_identity {
    char hash[AUTH_HASH_HEX];
    int via_token;
    uint64_t epoch;
    int64_t cached_at;
    struct auth_identity id;
};

static uint64_t epoch = 1;
static __thread struct cached_identity cache[AUTH_CACHE_SLOTS];

void
auth_epoch_bump(void)
{
    __atomic_fetch_add(&epoch, 1, __ATOMIC_SEQ_CST);
}

static struct cached_identity *
cache_slot(const char *hash)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = hash; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return &cache[h % AUTH_CACHE_SLOTS];
}

/* Resolve a credential hash through the cache, else the database. */
static enum tend_rc
resolve(struct db *db, const char *hash, int via_token, struct auth_identity *out,
        struct tend_err *err)
{
    struct cached_identity *c = cache_slot(hash);
    uint64_t now_epoch = __atomic_load_n(&epoch, __ATOMIC_SEQ_CST);
    int64_t now = time_now_ms();
    enum tend_rc rc;

    if (c->epoch == now_epoch && c->via_token == via_token && now - c->cached_at < AUTH_CACHE_MS &&
        (c->id.expires_at == 0 || c->id.expires_at > now) &&
        sodium_memcmp(c->hash, hash, AUTH_HASH_HEX - 1) == 0) {
        *out = c->id;
        return TEND_OK;
    }
    memset(out, 0, sizeof(*out));
    if (via_token)
        rc = auth_store_token_lookup(db, hash, now, out, err);
    else
        rc = auth_store_session_lookup(db, hash, now, out, err);
    if (rc == TEND_OK) {
        memcpy(c->hash, hash, AUTH_HASH_HEX);
        c->via_token = via_token;
        c->epoch = now_epoch; /* read before the lookup: a bump during it invalidates */
        c->cached_at = now;
        c->id = *out;
    }
    return rc;
}

/* --- the guard ------------------------------------------------------------- */

/* The value of cookie `name` from any Cookie header, copied into `out`. */
static int
find_cookie(struct api_req *r, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    ssize_t i = -1;

    while ((i = h2o_find_header(&r->req->headers, H2O_TOKEN_COOKIE, i)) != -1) {
        const char *p = r->req->headers.entries[i].value.base;
        const char *end = p + r->req->headers.entries[i].value.len;
        while (p < end) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *stop = semi ? semi : end;
            while (p < stop && *p == ' ')
                p++;
            if ((size_t)(stop - p) > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
                size_t vlen = (size_t)(stop - p) - nlen - 1;
                if (vlen >= outlen)
                    return 0;
                memcpy(out, p + nlen + 1, vlen);
                out[vlen] = '\0';
                return 1;
            }
            p = stop + 1;
        }
    }
    return 0;
}

static void
unauthorized(struct api_req *r, const char *message)
{
    api_add_header(r, "www-authenticate", "Bearer realm=\"tend\"");
    api_send_problem(r, 401, "", message, NULL);
}

static int
changes_state(const h2o_iovec_t *method)
{
    return !(h2o_memis(method->base, method->len, H2O_STRLIT("GET")) ||
             h2o_memis(method->base, method->len, H2O_STRLIT("HEAD")) ||
             h2o_memis(method->base, method->len, H2O_STRLIT("OPTIONS")));
}

int
auth_guard(struct api_req *r)
{
    const struct route *route = r->route;
    const char *authz;
    char secret[AUTH_SECRET_MAX + 8], hash[AUTH_HASH_HEX];
    struct auth_identity id;
    struct tend_err err;
    int via_token = 0;

    if (strcmp(route->resource, "public") == 0)
        return 0;
    authz = api_header(r, "authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0 || strlen(authz + 7) >= sizeof(secret)) {
            unauthorized(r, "the Authorization header must be 'Bearer <token>'");
            return -1;
        }
        strlcopy(secret, authz + 7, sizeof(secret));
        via_token = 1;
    } else if (!find_cookie(r, SESSION_COOKIE, secret, sizeof(secret))) {
        unauthorized(r, "sign in, or send an API token");
        return -1;
    }
    auth_secret_hash(secret, hash);
    sodium_memzero(secret, sizeof(secret));
    tend_err_clear(&err);
    if (resolve(r->db, hash, via_token, &id, &err)) {
        if (err.rc == TEND_ENOTFOUND)
            unauthorized(r, via_token ? "the token is unknown, expired or revoked"
                                      : "the session has ended; sign in again");
        else
            api_send_error(r, &err);
        return -1;
    }
    r->actor.user_id = id.user_id;
    strlcopy(r->actor.username, id.username, sizeof(r->actor.username));
    r->actor.roles = id.roles;
    r->actor.organisation_id = id.organisation_id;
    r->actor.via_token = via_token;
    r->actor.session_id = id.session_id;
    r->actor.token_id = id.token_id;
    strlcopy(r->actor.csrf, id.csrf, sizeof(r->actor.csrf));
    if (via_token)
        r->actor.scopes = h2o_strdup(&r->req->pool, id.scopes, SIZE_MAX).base;

    if (!via_token && changes_state(&r->req->method)) {
        const char *sent = api_header(r, "x-csrf-token");
        size_t want = strlen(id.csrf);
        if (!sent || strlen(sent) != want || sodium_memcmp(sent, id.csrf, want) != 0) {
            api_send_problem(r, 403, "X-CSRF-Token",
                             "is missing or wrong: send the csrf_token from sign-in", NULL);
            return -1;
        }
    }
    if (strcmp(route->resource, "session") == 0)
        return 0;
    if (!auth_policy_allows(&policy, id.roles, route->resource, route->action)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "your role may not %s %s", route->action, route->resource);
        api_send_problem(r, 403, "", msg, NULL);
        return -1;
    }
    if (via_token && !auth_scope_allows(id.scopes, route->resource, route->action)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "this token's scopes do not include %s:%s", route->resource,
                 route->action);
        api_send_problem(r, 403, "", msg, NULL);
        return -1;
    }
    return 0;
}

/* --- audit events that answer nobody --------------------------------------- */

struct audit_task {
    struct task task;
    char type[48];
    int64_t user_id;
    char actor[72];
    json_t *data;
};

static enum tend_rc
audit_run(struct task *t, struct db *db)
{
    struct audit_task *a = (struct audit_task *)t;
    return event_append(db, a->type, "user", a->user_id, a->actor[0] ? a->actor : NULL, a->data,
                        time_now_ms(), &t->err);
}

static void
audit_done(struct task *t)
{
    struct audit_task *a = (struct audit_task *)t;
    json_decref(a->data);
    free(a);
}

/* Record `type` about `user_id` (0 if unknown); steals `data`. */
static void
audit(struct api_req *r, const char *type, int64_t user_id, const char *actor, json_t *data)
{
    struct audit_task *a = xcalloc(1, sizeof(*a));
    strlcopy(a->type, type, sizeof(a->type));
    a->user_id = user_id;
    strlcopy(a->actor, actor ? actor : "", sizeof(a->actor));
    a->data = data;
    a->task.run = audit_run;
    a->task.done = audit_done;
    api_submit_detached(r, &a->task);
}

/* --- sign in ---------------------------------------------------------------- */

struct login {
    struct api_write w; /* first */
    char username[USER_NAME_MAX + 8];
    char *password;
    char hash[256];
    char address[64];
    char account_key[96], address_key[80];
    struct user user;
    int found;
    int verified;
    /* the session, once made */
    char secret[AUTH_SECRET_MAX];
    char csrf[AUTH_SECRET_MAX];
    int64_t expires_at;
    int https;
};

static enum tend_rc
login_verify(struct api_write *w, struct db *db)
{
    struct login *l = (struct login *)w;
    (void)db;
    l->verified = user_verify_password(l->hash, l->password) && l->found && !l->user.disabled;
    return TEND_OK;
}

static enum tend_rc
session_write(struct api_write *w, struct db *db)
{
    struct login *l = (struct login *)w;
    char hash[AUTH_HASH_HEX];
    int64_t now = time_now_ms(), id = 0;
    enum tend_rc rc;

    auth_secret_hash(l->secret, hash);
    l->expires_at = now + AUTH_SESSION_TTL_MS;
    rc = auth_store_session_create(db, l->user.id, hash, l->csrf, l->address, now, l->expires_at,
                                   &id, &w->task.err);
    if (rc)
        return rc;
    return event_record(db, "auth.login", "user", l->user.id, l->user.username,
                        json_pack("{s:s,s:I}", "address", l->address, "session", (json_int_t)id),
                        now, &w->task.err);
}

static void
session_respond(struct api_write *w, struct api_req *r)
{
    struct login *l = (struct login *)w;
    char cookie[256], expires[40];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s",
             SESSION_COOKIE, l->secret, AUTH_SESSION_TTL_MS / 1000, l->https ? "; Secure" : "");
    api_add_header(r, "set-cookie", cookie);
    api_add_header(r, "cache-control", "no-store");
    api_send_json(r, 200,
                  json_pack("{s:o,s:s,s:s}", "user", user_to_json(&l->user), "csrf_token", l->csrf,
                            "expires_at",
                            time_format_rfc3339(l->expires_at, expires, sizeof(expires))));
}

static void
login_release(struct api_write *w)
{
    struct login *l = (struct login *)w;
    if (l->password) {
        sodium_memzero(l->password, strlen(l->password));
        free(l->password);
    }
    sodium_memzero(l->secret, sizeof(l->secret));
    user_cleanup(&l->user);
    free(l);
}

/* After the password check: refuse, or go on to make the session. */
static void
login_checked(struct api_write *w, struct api_req *r)
{
    struct login *l = (struct login *)w;
    int64_t now = time_now_ms();
    struct login *next;

    if (!l->verified) {
        auth_limiter_fail(limiter, l->account_key, now);
        auth_limiter_fail(limiter, l->address_key, now);
        audit(r, "auth.login_failed", l->found ? l->user.id : 0, NULL,
              json_pack("{s:s,s:s}", "username", l->username, "address", l->address));
        unauthorized(r, "wrong username or password");
        return;
    }
    auth_limiter_reset(limiter, l->account_key);
    /* hand everything to a new write: this job is released when we return */
    next = xcalloc(1, sizeof(*next));
    memcpy(next->username, l->username, sizeof(next->username));
    memcpy(next->address, l->address, sizeof(next->address));
    next->user = l->user;
    memset(&l->user, 0, sizeof(l->user));
    auth_secret_new("", next->secret, sizeof(next->secret));
    auth_secret_new("", next->csrf, sizeof(next->csrf));
    next->https = api_is_https(r);
    next->w.apply = session_write;
    next->w.respond = session_respond;
    next->w.release = login_release;
    api_submit_write(r, &next->w);
}

static int
string_field(struct api_req *r, const char *name, size_t max, const char **out)
{
    json_t *v = json_object_get(r->body, name);
    if (!json_is_string(v) || json_string_length(v) == 0) {
        api_send_problem(r, 422, name, v ? "must be a non-empty string" : "is required", NULL);
        return -1;
    }
    if (json_string_length(v) > max) {
        api_send_problem(r, 422, name, "is too long", NULL);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

void
auth_api_login(struct api_req *r)
{
    const char *username, *password, *key;
    struct login *l;
    struct tend_err err;
    int64_t now = time_now_ms(), wait;
    json_t *v;

    json_object_foreach(r->body, key, v)
    {
        if (strcmp(key, "username") != 0 && strcmp(key, "password") != 0) {
            api_send_problem(r, 422, key, "is not a known field", NULL);
            return;
        }
    }
    if (string_field(r, "username", USER_NAME_MAX, &username) ||
        string_field(r, "password", USER_PASSWORD_MAX, &password))
        return;
    l = xcalloc(1, sizeof(*l));
    strlcopy(l->username, username, sizeof(l->username));
    api_peer_address(r, l->address, sizeof(l->address));
    snprintf(l->account_key, sizeof(l->account_key), "u:%s", l->username);
    snprintf(l->address_key, sizeof(l->address_key), "a:%s", l->address);
    wait = auth_limiter_wait(limiter, l->account_key, AUTH_FAILS_PER_ACCOUNT, now);
    if (!wait)
        wait = auth_limiter_wait(limiter, l->address_key, AUTH_FAILS_PER_ADDRESS, now);
    if (wait) {
        char after[32];
        snprintf(after, sizeof(after), "%lld", (long long)wait);
        api_add_header(r, "retry-after", after);
        api_send_problem(r, 429, "", "too many failed sign-ins; wait and try again", NULL);
        free(l);
        return;
    }
    tend_err_clear(&err);
    switch (users_store_get_by_username(r->db, l->username, &l->user, &err)) {
    case TEND_OK:
        l->found = 1;
        strlcopy(l->hash, l->user.password_hash, sizeof(l->hash));
        break;
    case TEND_ENOTFOUND: /* verify against a dummy all the same: same time either way */
        strlcopy(l->hash, dummy_hash, sizeof(l->hash));
        break;
    default:
        api_send_error(r, &err);
        free(l);
        return;
    }
    l->password = xstrdup(password);
    l->w.apply = login_verify;
    l->w.respond = login_checked;
    l->w.release = login_release;
    api_submit_job(r, &l->w);
}

/* --- sign out, me ------------------------------------------------------------- */

struct logout {
    struct api_write w;
    int64_t session_id, user_id;
    char username[72];
};

static enum tend_rc
logout_apply(struct api_write *w, struct db *db)
{
    struct logout *o = (struct logout *)w;
    int64_t now = time_now_ms();
    enum tend_rc rc;

    auth_epoch_bump();
    rc = auth_store_session_revoke(db, o->session_id, now, &w->task.err);
    if (rc)
        return rc;
    return event_record(db, "auth.logout", "user", o->user_id, o->username,
                        json_pack("{s:I}", "session", (json_int_t)o->session_id), now,
                        &w->task.err);
}

static void
logout_respond(struct api_write *w, struct api_req *r)
{
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    api_add_header(r, "set-cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    api_send_raw(r, 204, "application/json", "", 0);
}

/* After a revocation has committed (or failed): caches must look again. */
static void
revoking_release(struct api_write *w)
{
    auth_epoch_bump();
    free(w);
}

void
auth_api_logout(struct api_req *r)
{
    struct logout *o;

    if (r->actor.via_token) { /* a token has no session to end: revoke it instead */
        api_send_raw(r, 204, "application/json", "", 0);
        return;
    }
    o = xcalloc(1, sizeof(*o));
    o->session_id = r->actor.session_id;
    o->user_id = r->actor.user_id;
    strlcopy(o->username, r->actor.username, sizeof(o->username));
    o->w.apply = logout_apply;
    o->w.respond = logout_respond;
    o->w.release = revoking_release;
    api_submit_write(r, &o->w);
}

void
auth_api_me(struct api_req *r)
{
    struct user u;
    struct tend_err err;
    json_t *body;

    if (users_store_get(r->db, r->actor.user_id, &u, &err)) {
        api_send_error(r, &err);
        return;
    }
    body = json_pack("{s:o,s:s}", "user", user_to_json(&u), "auth",
                     r->actor.via_token ? "token" : "session");
    if (!r->actor.via_token)
        json_object_set_new(body, "csrf_token", json_string(r->actor.csrf));
    /* a token's scopes narrow what it may do */
    json_object_set_new(body, "permissions",
                        auth_policy_permissions(&policy, u.roles, r->actor.scopes));
    user_cleanup(&u);
    api_add_header(r, "cache-control", "no-store");
    api_send_json(r, 200, body);
}

/* --- API tokens ------------------------------------------------------------------ */

struct token_create {
    struct api_write w;
    struct auth_token_input in;
    int64_t created_by, id;
    char secret[AUTH_SECRET_MAX];
    char actor[72];
    json_t *result;
};

static enum tend_rc
token_create_apply(struct api_write *w, struct db *db)
{
    struct token_create *t = (struct token_create *)w;
    char hash[AUTH_HASH_HEX], prefix[16];
    struct user u;
    int64_t now = time_now_ms();
    enum tend_rc rc = users_store_get(db, t->in.user_id, &u, &w->task.err);

    if (rc == TEND_ENOTFOUND)
        return tend_fail(&w->task.err, TEND_EINVAL, "user_id", "no user %lld",
                         (long long)t->in.user_id);
    if (rc)
        return rc;
    rc = u.disabled ? tend_fail(&w->task.err, TEND_EINVAL, "user_id", "that user is disabled")
                    : TEND_OK;
    user_cleanup(&u);
    if (rc)
        return rc;
    auth_secret_hash(t->secret, hash);
    strlcopy(prefix, t->secret, 13);
    rc = auth_store_token_create(db, t->in.name, t->in.user_id, hash, prefix, t->in.scopes,
                                 t->created_by, now, t->in.expires_at, &t->id, &w->task.err);
    if (rc)
        return rc;
    rc = event_record(db, "auth.token_created", "user", t->in.user_id, t->actor,
                      json_pack("{s:I,s:s,s:s}", "token", (json_int_t)t->id, "name", t->in.name,
                                "scopes", t->in.scopes),
                      now, &w->task.err);
    if (rc == TEND_OK)
        rc = auth_store_token_get(db, t->id, &t->result, &w->task.err);
    return rc;
}

static void
token_create_respond(struct api_write *w, struct api_req *r)
{
    struct token_create *t = (struct token_create *)w;
    char location[64];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    json_object_set_new(t->result, "token", json_string(t->secret));
    snprintf(location, sizeof(location), "/api/v1/tokens/%lld", (long long)t->id);
    api_add_header(r, "location", location);
    api_add_header(r, "cache-control", "no-store");
    api_send_json(r, 201, json_incref(t->result));
}

static void
token_create_release(struct api_write *w)
{
    struct token_create *t = (struct token_create *)w;
    sodium_memzero(t->secret, sizeof(t->secret));
    json_decref(t->result);
    free(t);
}

void
auth_api_tokens_create(struct api_req *r)
{
    struct token_create *t = xcalloc(1, sizeof(*t));
    struct tend_err err;

    tend_err_clear(&err);
    t->created_by = r->actor.user_id;
    strlcopy(t->actor, r->actor.username, sizeof(t->actor));
    if (auth_token_input_parse(r->body, &policy, time_now_ms(), &t->in, &err)) {
        api_send_error(r, &err);
        free(t);
        return;
    }
    if (!t->in.user_id)
        t->in.user_id = r->actor.user_id; /* a token for oneself */
    auth_secret_new(TOKEN_PREFIX, t->secret, sizeof(t->secret));
    t->w.apply = token_create_apply;
    t->w.respond = token_create_respond;
    t->w.release = token_create_release;
    api_submit_write(r, &t->w);
}

void
auth_api_tokens_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items;

    if (auth_store_token_list(r->db, &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

struct token_revoke {
    struct api_write w;
    int64_t id;
    char actor[72];
    int64_t actor_id;
};

static enum tend_rc
token_revoke_apply(struct api_write *w, struct db *db)
{
    struct token_revoke *t = (struct token_revoke *)w;
    int64_t now = time_now_ms();
    enum tend_rc rc;

    auth_epoch_bump();
    rc = auth_store_token_revoke(db, t->id, now, &w->task.err);
    if (rc)
        return rc;
    return event_record(db, "auth.token_revoked", "user", t->actor_id, t->actor,
                        json_pack("{s:I}", "token", (json_int_t)t->id), now, &w->task.err);
}

static void
token_revoke_respond(struct api_write *w, struct api_req *r)
{
    if (w->task.rc)
        api_send_error(r, &w->task.err);
    else
        api_send_raw(r, 204, "application/json", "", 0);
}

void
auth_api_tokens_revoke(struct api_req *r)
{
    struct token_revoke *t;
    int64_t id;

    if (api_path_id(r, "token", &id))
        return;
    t = xcalloc(1, sizeof(*t));
    t->id = id;
    t->actor_id = r->actor.user_id;
    strlcopy(t->actor, r->actor.username, sizeof(t->actor));
    t->w.apply = token_revoke_apply;
    t->w.respond = token_revoke_respond;
    t->w.release = revoking_release;
    api_submit_write(r, &t->w);
}

void
auth_api_permissions(struct api_req *r)
{
    json_t *grants = json_array();

    for (size_t i = 0; i < policy.count; i++) {
        char role[32];
        user_roles_csv(policy.grants[i].role, role, sizeof(role));
        json_array_append_new(grants, json_pack("{s:s,s:s,s:s}", "role", role, "resource",
                                                policy.grants[i].resource, "action",
                                                policy.grants[i].action));
    }
    api_send_json(r, 200, json_pack("{s:o,s:o}", "roles", user_roles_json(0xff), "grants", grants));
}
