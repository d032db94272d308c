/* dispatch.c: one request's way in: request id, service endpoints, routing,
 * query and body checks (400/405/413/415), then the route's handler. */
#include "dispatch.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/http/query.h"
#include "platform/http/server.h"
#include "platform/http/static.h"
#include "platform/util/metrics.h"
#include "platform/util/util.h"

static int
valid_request_id(const h2o_iovec_t *v)
{
    if (v->len == 0 || v->len > 64)
        return 0;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static void
set_request_id(struct api_req *r)
{
    ssize_t i = h2o_find_header_by_str(&r->req->headers, H2O_STRLIT("x-request-id"), -1);

    if (i >= 0 && valid_request_id(&r->req->headers.entries[i].value)) {
        memcpy(r->request_id, r->req->headers.entries[i].value.base,
               r->req->headers.entries[i].value.len);
        r->request_id[r->req->headers.entries[i].value.len] = '\0';
        return;
    }
    snprintf(r->request_id, sizeof(r->request_id), "%08x%02x%06llx", r->thread->server->instance,
             (unsigned)r->thread->index & 0xff,
             (unsigned long long)(++r->thread->next_request & 0xffffff));
}

/* Parse the query string into r->query; answers 400 and returns -1 on bad input. */
static int
parse_query(struct api_req *r)
{
    h2o_req_t *req = r->req;
    const char *bad = NULL, *why = NULL;

    if (req->query_at == SIZE_MAX)
        return 0;
    if (http_query_parse(&req->pool, req->path.base + req->query_at + 1,
                         req->path.len - req->query_at - 1, r->query, API_MAX_QUERY, &r->nquery,
                         &bad, &why) != 0) {
        api_send_problem(r, 400, bad, why, NULL);
        return -1;
    }
    return 0;
}

static void
body_dispose(void *p)
{
    json_decref(*(json_t **)p);
}

static int
is_json_type(const char *ct)
{
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    if (n == 28 && strncasecmp(ct, "application/merge-patch+json", 28) == 0)
        return 1;
    return 0;
}

/* Check and parse a JSON body; answers the error and returns -1 when it is bad. */
static int
read_json_body(struct api_req *r)
{
    h2o_req_t *req = r->req;
    const char *ct;
    json_error_t jerr;
    json_t **slot;

    if (req->entity.len > API_JSON_BODY_MAX) {
        api_send_problem(r, 413, "", "the request body is larger than 1 MiB", NULL);
        return -1;
    }
    ct = api_header(r, "content-type");
    if (!ct || !is_json_type(ct)) {
        api_send_problem(r, 415, "Content-Type",
                         ct ? "must be application/json" : "is missing; send application/json",
                         NULL);
        return -1;
    }
    if (req->entity.base == NULL || req->entity.len == 0) {
        api_send_problem(r, 400, "", "the request body is empty; send a JSON object", NULL);
        return -1;
    }
    r->body = json_loadb(req->entity.base, req->entity.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                         &jerr);
    if (!r->body) {
        char msg[256];
        snprintf(msg, sizeof(msg), "invalid JSON at line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        api_send_problem(r, 400, "", msg, NULL);
        return -1;
    }
    slot = h2o_mem_alloc_shared(&req->pool, sizeof(json_t *), body_dispose);
    *slot = r->body;
    if (!json_is_object(r->body)) {
        api_send_problem(r, 422, "", "the request body must be a JSON object", NULL);
        return -1;
    }
    return 0;
}

static void
serve_service(struct api_req *r, const char *path)
{
    struct http_server *s = r->thread->server;

    if (strcmp(path, "/healthz") == 0) {
        api_send_json(r, 200, json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(path, "/readyz") == 0) {
        struct tend_err err;
        int version = 0;
        tend_err_clear(&err);
        /* a newer schema is fine: during a rolling upgrade the old nodes keep
         * serving on the migrated (additive) schema until their restart */
        if (!s->ready || !db_ping(r->db) || migrate_current(r->db, &version, &err) ||
            version < migrate_latest())
            api_send_problem(r, 503, "", "the database is not ready", NULL);
        else
            api_send_json(r, 200, json_pack("{s:s,s:i}", "status", "ready", "schema", version));
    } else {
        size_t len;
        char *text = metrics_render(&len);
        api_send_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
        free(text);
    }
}

static int
is_service_path(const char *path)
{
    return strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 ||
           strcmp(path, "/metrics") == 0;
}

void
http_dispatch(struct http_thread *t, h2o_req_t *req)
{
    struct api_req *r = h2o_mem_alloc_pool(&req->pool, sizeof(*r));
    struct http_server *s = t->server;
    char allow[128], path[512];
    const struct route *route;
    enum router_match m;

    memset(r, 0, sizeof(*r));
    r->req = req;
    r->thread = t;
    r->db = t->read_db;
    r->route_id = -1;
    r->started_ns = time_mono_ns();
    set_request_id(r);

    if (req->path_normalized.len < sizeof(path)) {
        memcpy(path, req->path_normalized.base, req->path_normalized.len);
        path[req->path_normalized.len] = '\0';
    } else {
        path[0] = '\0';
    }
    if (path[0] && is_service_path(path)) {
        r->route_id = s->router.count + (strcmp(path, "/healthz") == 0   ? HTTP_PSEUDO_HEALTHZ
                                         : strcmp(path, "/readyz") == 0 ? HTTP_PSEUDO_READYZ
                                                                         : HTTP_PSEUDO_METRICS);
        if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
            !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
            api_add_header(r, "allow", "GET, HEAD");
            api_send_problem(r, 405, "", "only GET is allowed here", NULL);
            return;
        }
        serve_service(r, path);
        return;
    }
    m = router_match(&s->router, &req->pool, req->path_normalized.base, req->path_normalized.len,
                     req->method.base, req->method.len, &r->route_id, r->params, &r->nparams,
                     allow, sizeof(allow));
    if (m != ROUTER_FOUND)
        r->route_id = s->router.count + HTTP_PSEUDO_UNMATCHED;
    if (m == ROUTER_NO_METHOD) {
        api_add_header(r, "allow", allow);
        api_send_problem(r, 405, "", "this method is not allowed here", NULL);
        return;
    }
    if (m == ROUTER_NO_PATH) {
        if (req->path_normalized.len >= 4 && memcmp(req->path_normalized.base, "/api", 4) == 0 &&
            (req->path_normalized.len == 4 || req->path_normalized.base[4] == '/'))
            api_send_problem(r, 404, "", "no such API route", NULL);
        else {
            r->route_id = s->router.count + HTTP_PSEUDO_STATIC;
            static_site_serve(s->site, r);
        }
        return;
    }
    route = s->router.entries[r->route_id].route;
    r->route = route;
    if (parse_query(r) != 0)
        return;
    if (s->config.guard && s->config.guard(r) != 0)
        return;
    /* BODY_RAW goes to the handler as it came: it judges type and size itself */
    if (route->body == BODY_JSON && read_json_body(r) != 0)
        return;
    route->handler(r);
}
