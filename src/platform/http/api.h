/* api.h: what a route handler sees: the request context, its parsed inputs, and
 * the one way to answer (JSON, problem+json, or a deferred write). */
#ifndef TEND_API_H
#define TEND_API_H

#include <h2o.h>
#include <jansson.h>
#include <stdint.h>

#include "platform/jobs/task.h"
#include "platform/util/err.h"

struct db;
struct http_thread;
struct route;

#define API_MAX_PARAMS 4
#define API_MAX_QUERY 32
#define API_JSON_BODY_MAX ((size_t)1 << 20)

struct api_param {
    const char *name; /* from the route pattern, without ':' */
    char *value;      /* NUL-terminated, in the request pool */
};

/* Who is calling: filled by the guard (the auth module) before the handler runs. */
struct api_actor {
    int64_t user_id; /* 0: nobody (public routes) */
    char username[72];
    unsigned roles;          /* bit i set: users.h user_roles[i] */
    int64_t organisation_id; /* a customer's organisation, else 0 */
    int via_token;           /* 1: Authorization: Bearer; 0: session cookie */
    int64_t session_id;      /* the session row, for logout */
    int64_t token_id;
    char csrf[48]; /* the session's CSRF token (sessions only) */
    const char *scopes; /* the token's scopes, in the request pool (tokens only) */
};

/* One request, allocated in its h2o pool: it lives exactly as long as the request. */
struct api_req {
    h2o_req_t *req;
    struct http_thread *thread;
    const struct route *route; /* NULL for static files and unmatched paths */
    int route_id;
    struct db *db; /* this thread's read connection */
    json_t *body;  /* the parsed JSON body of POST/PUT/PATCH, or NULL; freed with the request */
    struct api_param params[API_MAX_PARAMS];
    int nparams;
    struct api_param query[API_MAX_QUERY];
    int nquery;
    char request_id[68];
    uint64_t started_ns;
    int answered;
    struct api_actor actor;
};

typedef void (*api_handler)(struct api_req *r);

/* The value of path parameter `name`, or NULL. */
const char *api_param(const struct api_req *r, const char *name);

/* The route's ":id" parameter as a positive integer; anything else answers 404
 * "no such <what>" and returns -1 (then the handler just returns). */
int api_path_id(struct api_req *r, const char *what, int64_t *id);

/* The decoded value of query parameter `name` (first occurrence), or NULL. */
const char *api_query(const struct api_req *r, const char *name);

/* The value of request header `name` (lower case) as a pool string, or NULL. */
const char *api_header(struct api_req *r, const char *name);

/* Add a response header (copied into the pool). */
void api_add_header(struct api_req *r, const char *name, const char *value);

/* Answer `status` with `body` as compact JSON; steals the reference to `body`. */
void api_send_json(struct api_req *r, int status, json_t *body);

/* Answer with raw bytes (copied). */
void api_send_raw(struct api_req *r, int status, const char *content_type, const char *body,
                  size_t len);

/* Answer with bytes that outlive the request (copy=0) or are copied (copy=1). */
void api_send_bytes(struct api_req *r, int status, const char *content_type, const char *body,
                    size_t len, int copy);

/* Answer with a malloc'd buffer that the request takes over (freed with it): no
 * copy of large bodies. */
void api_send_owned(struct api_req *r, int status, const char *content_type, char *body,
                    size_t len);

/* Answer with the file at `path`, streamed by h2o in chunks as the client
 * reads (never the whole file in memory, no long read on the loop). Headers
 * added before stay. Returns -1 without answering (and with the response
 * headers cleared) when the file cannot be opened. */
int api_send_file(struct api_req *r, int status, const char *content_type, const char *path);

/* Answer the problem+json that `err` describes (status from err->rc). */
void api_send_error(struct api_req *r, const struct tend_err *err);

/* Answer problem+json with an explicit status and optional extra members (stolen). */
void api_send_problem(struct api_req *r, int status, const char *field, const char *message,
                      json_t *extra);

/* The HTTP status for an error code (the one mapping table). */
int api_status_of(enum tend_rc rc);

/* A write to run on the database writer thread, answered after it is durable.
 * Embed it first in a module's own struct; allocate that on the heap (it may
 * outlive the request if the client goes away). */
struct api_write {
    struct task task;           /* first: the writer's queue and the post-back link */
    struct api_req *req;        /* NULL once the client has gone */
    struct http_thread *thread; /* the submitting loop */
    struct api_write_ref *ref;  /* the request pool's link back to us */
    /* Writer thread, inside the group transaction: do the SQL, fill results. */
    enum tend_rc (*apply)(struct api_write *w, struct db *db);
    /* Loop thread, request alive: send the answer (w->task.rc/err say if apply failed). */
    void (*respond)(struct api_write *w, struct api_req *r);
    /* Loop thread: free `w` and what it owns. Always called exactly once. */
    void (*release)(struct api_write *w);
};

/* Queue `w` for the writer; the handler returns and the answer follows later. */
void api_submit_write(struct api_req *r, struct api_write *w);

/* Queue `w` for the worker pool (apply gets db == NULL): for slow work such as
 * password hashing. respond may submit a further write or job. */
void api_submit_job(struct api_req *r, struct api_write *w);

/* Queue a write that answers nobody (an audit event after the answer is sent):
 * `t` is completed on the writer thread; its done must free it. */
void api_submit_detached(struct api_req *r, struct task *t);

/* The client's address as text ("127.0.0.1"), for rate limits and logs. */
void api_peer_address(struct api_req *r, char *out, size_t outlen);

/* Whether the request arrived over HTTPS (directly or per X-Forwarded-Proto). */
int api_is_https(struct api_req *r);

/* `ms` (epoch milliseconds) as an RFC 3339 UTC JSON string. */
json_t *api_time(int64_t ms);

#endif
