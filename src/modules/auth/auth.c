/* auth.c: permission checks, scopes, secrets and login rate limits (no HTTP, no SQL). */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

int
auth_policy_allows(const struct auth_policy *p, unsigned roles, const char *resource,
                   const char *action)
{
    for (size_t i = 0; p && i < p->count; i++) {
        const struct auth_grant *g = &p->grants[i];
        if ((g->role & roles) && strcmp(g->resource, resource) == 0 &&
            strcmp(g->action, action) == 0)
            return 1;
    }
    return 0;
}

json_t *
auth_policy_permissions(const struct auth_policy *p, unsigned roles, const char *scopes)
{
    json_t *out = json_object();

    for (size_t i = 0; p && i < p->count; i++) {
        const struct auth_grant *g = &p->grants[i];
        json_t *actions;
        size_t k;
        json_t *v;
        int seen = 0;

        if (!(g->role & roles))
            continue;
        if (scopes && !auth_scope_allows(scopes, g->resource, g->action))
            continue;
        actions = json_object_get(out, g->resource);
        if (!actions) {
            actions = json_array();
            json_object_set_new(out, g->resource, actions);
        }
        json_array_foreach(actions, k, v) if (strcmp(json_string_value(v), g->action) == 0) seen =
            1;
        if (!seen)
            json_array_append_new(actions, json_string(g->action));
    }
    return out;
}

void
auth_policy_free(struct auth_policy *p)
{
    if (!p)
        return;
    free(p->grants);
    p->grants = NULL;
    p->count = 0;
}

int
auth_scope_allows(const char *scopes, const char *resource, const char *action)
{
    size_t rlen = strlen(resource), alen = strlen(action);
    const char *p = scopes;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 1 && p[0] == '*')
            return 1;
        if (len == rlen + 1 + alen && strncmp(p, resource, rlen) == 0 && p[rlen] == ':' &&
            strncmp(p + rlen + 1, action, alen) == 0)
            return 1;
        if (len == rlen + 2 && strncmp(p, resource, rlen) == 0 && p[rlen] == ':' &&
            p[rlen + 1] == '*')
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

static int
known_scope(const struct auth_policy *p, const char *scope)
{
    const char *colon = strchr(scope, ':');
    size_t rlen;

    if (strcmp(scope, "*") == 0)
        return 1;
    if (!colon)
        return 0;
    rlen = (size_t)(colon - scope);
    for (size_t i = 0; i < p->count; i++)
        if (strlen(p->grants[i].resource) == rlen &&
            strncmp(p->grants[i].resource, scope, rlen) == 0 &&
            (strcmp(colon + 1, "*") == 0 || strcmp(colon + 1, p->grants[i].action) == 0))
            return 1;
    return 0;
}

enum tend_rc
auth_scopes_parse(const json_t *array, const struct auth_policy *p, char *out, size_t outlen,
                  struct tend_err *err)
{
    size_t i, used = 0;
    json_t *v;

    if (!json_is_array(array) || json_array_size(array) == 0)
        return tend_fail(err, TEND_EINVAL, "scopes",
                         "must be a non-empty list like [\"tickets:read\"] or [\"*\"]");
    out[0] = '\0';
    json_array_foreach(array, i, v)
    {
        const char *s = json_string_value(v);
        int n;
        if (!s || !known_scope(p, s))
            return tend_fail(err, TEND_EINVAL, "scopes",
                             "'%.60s' is not a scope (resource:action, resource:* or *)",
                             s ? s : "(not a string)");
        n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", s);
        if (n < 0 || (size_t)n >= outlen - used)
            return tend_fail(err, TEND_EINVAL, "scopes", "too many scopes");
        used += (size_t)n;
    }
    return TEND_OK;
}

enum tend_rc
auth_token_input_parse(const json_t *body, const struct auth_policy *p, int64_t now,
                       struct auth_token_input *in, struct tend_err *err)
{
    const char *key;
    json_t *v;

    memset(in, 0, sizeof(*in));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "name") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 100)
                return tend_fail(err, TEND_EINVAL, "name",
                                 "must be a string of 1 to 100 characters");
            strlcopy(in->name, json_string_value(v), sizeof(in->name));
        } else if (strcmp(key, "user_id") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                return tend_fail(err, TEND_EINVAL, "user_id", "must be a user id");
            in->user_id = json_integer_value(v);
        } else if (strcmp(key, "scopes") == 0) {
            if (auth_scopes_parse(v, p, in->scopes, sizeof(in->scopes), err))
                return TEND_EINVAL;
        } else if (strcmp(key, "expires_at") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &in->expires_at))
                return tend_fail(err, TEND_EINVAL, "expires_at", "must be an RFC 3339 time");
            if (in->expires_at <= now)
                return tend_fail(err, TEND_EINVAL, "expires_at", "must be in the future");
        } else {
            return tend_fail(err, TEND_EINVAL, key, "is not a known field");
        }
    }
    if (!in->name[0])
        return tend_fail(err, TEND_EINVAL, "name", "is required");
    if (!in->scopes[0])
        return tend_fail(err, TEND_EINVAL, "scopes",
                         "is required, e.g. [\"tickets:read\"] or [\"*\"]");
    return TEND_OK;
}

void
auth_secret_new(const char *prefix, char *out, size_t outlen)
{
    unsigned char raw[32];
    size_t plen = strlen(prefix);

    randombytes_buf(raw, sizeof(raw));
    if (plen >= outlen)
        plen = 0;
    snprintf(out, outlen, "%.*s", (int)plen, prefix);
    sodium_bin2base64(out + plen, outlen - plen, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
auth_secret_hash(const char *secret, char hex[AUTH_HASH_HEX])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(hex, AUTH_HASH_HEX, digest, sizeof(digest));
}

/* A fixed table of counters keyed by a hash of the key; a slot whose window has
 * ended is free for any key, so memory stays bounded under an attack. */
struct limiter_slot {
    uint64_t key;
    int64_t window_start;
    int failures;
};

struct auth_limiter {
    pthread_mutex_t lock;
    struct limiter_slot *slots;
    size_t count;
};

struct auth_limiter *
auth_limiter_new(size_t slots)
{
    struct auth_limiter *l = xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    l->count = slots ? slots : 4096;
    l->slots = xcalloc(l->count, sizeof(*l->slots));
    return l;
}

void
auth_limiter_free(struct auth_limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l->slots);
    free(l);
}

static uint64_t
key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return h | 1; /* 0 marks an empty slot */
}

/* The slot for `key` (4-way probe); with `claim`, an expired or empty one if absent. */
static struct limiter_slot *
find(struct auth_limiter *l, uint64_t h, int64_t now, int claim)
{
    struct limiter_slot *victim = NULL;
    for (size_t i = 0; i < 4; i++) {
        struct limiter_slot *s = &l->slots[(h + i) % l->count];
        if (s->key == h)
            return s;
        if (!victim && (s->key == 0 || now - s->window_start >= AUTH_FAIL_WINDOW_MS))
            victim = s;
    }
    if (!claim)
        return NULL;
    if (!victim) /* all four busy with live windows: reuse the oldest */
        for (size_t i = 0; i < 4; i++) {
            struct limiter_slot *s = &l->slots[(h + i) % l->count];
            if (!victim || s->window_start < victim->window_start)
                victim = s;
        }
    victim->key = h;
    victim->window_start = now;
    victim->failures = 0;
    return victim;
}

int64_t
auth_limiter_wait(struct auth_limiter *l, const char *key, int max_failures, int64_t now)
{
    uint64_t h = key_hash(key);
    int64_t wait = 0;
    struct limiter_slot *s;

    pthread_mutex_lock(&l->lock);
    s = find(l, h, now, 0);
    if (s && now - s->window_start < AUTH_FAIL_WINDOW_MS && s->failures >= max_failures)
        wait = (s->window_start + AUTH_FAIL_WINDOW_MS - now + 999) / 1000;
    pthread_mutex_unlock(&l->lock);
    return wait > 0 ? wait : 0;
}

void
auth_limiter_fail(struct auth_limiter *l, const char *key, int64_t now)
{
    uint64_t h = key_hash(key);
    struct limiter_slot *s;

    pthread_mutex_lock(&l->lock);
    s = find(l, h, now, 1);
    if (now - s->window_start >= AUTH_FAIL_WINDOW_MS) {
        s->window_start = now;
        s->failures = 0;
    }
    s->failures++;
    pthread_mutex_unlock(&l->lock);
}

void
auth_limiter_reset(struct auth_limiter *l, const char *key)
{
    uint64_t h = key_hash(key);
    struct limiter_slot *s;

    pthread_mutex_lock(&l->lock);
    s = find(l, h, 0, 0);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}
