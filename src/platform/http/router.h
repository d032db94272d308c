/* router.h: routes as data (method, path pattern, handler, permission), matched
 * by path segments; ":name" segments capture path parameters. */
#ifndef TEND_ROUTER_H
#define TEND_ROUTER_H

#include "platform/http/api.h"

enum route_body {
    BODY_NONE = 0, /* GET, DELETE: no body expected */
    BODY_JSON,     /* a JSON object, at most API_JSON_BODY_MAX bytes */
    BODY_RAW,      /* any bytes of any Content-Type, left in req->entity: the handler
                      checks the size against its own cap (under h2o's 32 MiB) */
};

struct route {
    const char *method;
    const char *path;
    api_handler handler;
    const char *resource; /* what the caller needs: "tickets"; "public" for anyone, */
    const char *action;   /* "session" for any signed-in caller; "read", "create"... */
    enum route_body body;
    const char *summary; /* one line, for the OpenAPI document */
};

#define ROUTER_MAX_SEGMENTS 12

struct router_entry {
    const struct route *route;
    int nsegments;
    const char *segments[ROUTER_MAX_SEGMENTS]; /* pointers into seg_store */
    size_t seglen[ROUTER_MAX_SEGMENTS];
    char *seg_store;
};

struct router {
    struct router_entry *entries;
    int count;
};

/* Build from a table; the table must outlive the router. Returns -1 (with a
 * message on stderr) for a malformed pattern. */
int router_init(struct router *rt, const struct route *routes, int count);
void router_cleanup(struct router *rt);

enum router_match { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

/* Match `path` (no query string) and `method`. On ROUTER_FOUND fills *route_id and
 * the captured params (values allocated from `pool`). On ROUTER_NO_METHOD writes
 * the allowed methods, comma separated, into allow. */
enum router_match router_match(const struct router *rt, h2o_mem_pool_t *pool, const char *path,
                               size_t pathlen, const char *method, size_t methodlen, int *route_id,
                               struct api_param *params, int *nparams, char *allow,
                               size_t allowlen);

#endif
