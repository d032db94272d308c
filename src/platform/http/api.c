/* api.c: answering requests (JSON, problem+json), reading their inputs, deferring
 * writes to the writer thread, and the access log line + metrics per answer. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <strings.h>

#include "platform/db/writer.h"
#include "platform/jobs/pool.h"
#include "platform/http/router.h"
#include "platform/http/server.h"
#include "platform/util/jbuf.h"
#include "platform/util/metrics.h"
#include "platform/util/util.h"

const char *
api_param(const struct api_req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    return NULL;
}

int
api_path_id(struct api_req *r, const char *what, int64_t *id)
{
    const char *s = api_param(r, "id");
    char msg[64];

    if (s && parse_int64(s, strlen(s), 1, INT64_MAX, id) == 0)
        return 0;
    snprintf(msg, sizeof(msg), "no such %s", what);
    api_send_problem(r, 404, "id", msg, NULL);
    return -1;
}

const char *
api_query(const struct api_req *r, const char *name)
{
    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].name, name) == 0)
            return r->query[i].value;
    return NULL;
}

const char *
api_header(struct api_req *r, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&r->req->headers, name, strlen(name), -1);
    char *v;

    if (i < 0)
        return NULL;
    v = h2o_mem_alloc_pool(&r->req->pool, r->req->headers.entries[i].value.len + 1);
    memcpy(v, r->req->headers.entries[i].value.base, r->req->headers.entries[i].value.len);
    v[r->req->headers.entries[i].value.len] = '\0';
    return v;
}

void
api_add_header(struct api_req *r, const char *name, const char *value)
{
    h2o_iovec_t v = h2o_strdup(&r->req->pool, value, SIZE_MAX);
    h2o_add_header_by_str(&r->req->pool, &r->req->res.headers, name, strlen(name), 0, NULL, v.base,
                          v.len);
}

int
api_status_of(enum tend_rc rc)
{
    switch (rc) {
    case TEND_OK:
        return 200;
    case TEND_EINVAL:
        return 422;
    case TEND_ESYNTAX:
        return 400;
    case TEND_ENOTFOUND:
        return 404;
    case TEND_ECONFLICT:
        return 409;
    case TEND_EFORBIDDEN:
        return 403;
    case TEND_ETOOLARGE:
        return 413;
    case TEND_EMEDIA:
        return 415;
    case TEND_EBUSY:
    case TEND_EUNAVAILABLE:
        return 503;
    case TEND_EDB:
    case TEND_EINTERNAL:
        break;
    }
    return 500;
}

/* Which request this was, and which node answered it. */
static void
add_id_headers(struct api_req *r)
{
    const char *node = r->thread->server->config.node;

    h2o_add_header_by_str(&r->req->pool, &r->req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          r->request_id, strlen(r->request_id));
    if (node)
        h2o_add_header_by_str(&r->req->pool, &r->req->res.headers, H2O_STRLIT("x-tend-node"), 0, NULL, node,
                              strlen(node));
}

static const char *
reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void
log_answer(struct api_req *r, int status, size_t bytes)
{
    uint64_t ns = time_mono_ns() - r->started_ns;
    struct http_thread *t = r->thread;
    struct jbuf *b = &t->logline;
    size_t plen = r->req->path.len > 300 ? 300 : r->req->path.len;
    char ts[32];

    metrics_observe_request(r->route_id, status, ns);
    if (!t->server->config.access_log)
        return;
    if (!b->data)
        jbuf_init(b, 512);
    b->len = 0;
    jbuf_lit(b, "{\"ts\":");
    jbuf_str(b, time_format_rfc3339(time_now_ms(), ts, sizeof(ts)), 24);
    jbuf_lit(b, ",\"request_id\":");
    jbuf_cstr(b, r->request_id);
    jbuf_lit(b, ",\"method\":");
    jbuf_str(b, r->req->method.base, r->req->method.len);
    jbuf_lit(b, ",\"path\":");
    /* the raw path may hold any bytes: keep valid UTF-8 only */
    if (utf8_valid(r->req->path.base, plen))
        jbuf_str(b, r->req->path.base, plen);
    else
        jbuf_lit(b, "\"(not UTF-8)\"");
    jbuf_lit(b, ",\"route\":");
    jbuf_cstr(b, r->route ? r->route->path : "");
    jbuf_lit(b, ",\"status\":");
    jbuf_int(b, status);
    jbuf_lit(b, ",\"bytes\":");
    jbuf_int(b, (int64_t)bytes);
    jbuf_lit(b, ",\"us\":");
    jbuf_int(b, (int64_t)(ns / 1000));
    jbuf_lit(b, "}\n");
    http_thread_log(t, b->data, b->len);
}

void
api_send_bytes(struct api_req *r, int status, const char *content_type, const char *body,
               size_t len, int copy)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_req_t *req = r->req;
    h2o_iovec_t buf = copy ? h2o_strdup(&req->pool, body, len) : h2o_iovec_init(body, len);

    if (r->answered)
        return;
    r->answered = 1;
    req->res.status = status;
    req->res.reason = reason_of(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    add_id_headers(r);
    log_answer(r, status, len);
    h2o_start_response(req, &generator);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

static void
free_owned(void *p)
{
    free(*(char **)p);
}

void
api_send_owned(struct api_req *r, int status, const char *content_type, char *body, size_t len)
{
    char **slot = h2o_mem_alloc_shared(&r->req->pool, sizeof(char *), free_owned);
    *slot = body;
    api_send_bytes(r, status, content_type, body, len, 0);
}

int
api_send_file(struct api_req *r, int status, const char *content_type, const char *path)
{
    h2o_req_t *req = r->req;
    /* h2o keeps pointers to both for the life of the response */
    h2o_iovec_t type = h2o_strdup(&req->pool, content_type, SIZE_MAX);
    h2o_iovec_t file = h2o_strdup(&req->pool, path, SIZE_MAX);

    if (r->answered)
        return 0;
    add_id_headers(r);
    /* h2o reads the file in chunks of 64 KiB as the socket drains; the ETag it
     * would make from inode and mtime says nothing useful about stored content */
    if (h2o_file_send(req, status, reason_of(status), file.base, type, H2O_FILE_FLAG_NO_ETAG) != 0) {
        memset(&req->res.headers, 0, sizeof(req->res.headers));
        return -1;
    }
    r->answered = 1;
    log_answer(r, status, req->res.content_length == SIZE_MAX ? 0 : req->res.content_length);
    return 0;
}

void
api_send_raw(struct api_req *r, int status, const char *content_type, const char *body, size_t len)
{
    api_send_bytes(r, status, content_type, body, len, 1);
}

void
api_send_json(struct api_req *r, int status, json_t *body)
{
    size_t flags = JSON_COMPACT;
    size_t len = json_dumpb(body, NULL, 0, flags);
    char *buf = h2o_mem_alloc_pool(&r->req->pool, len + 1);

    json_dumpb(body, buf, len, flags);
    json_decref(body);
    api_send_raw(r, status, "application/json", buf, len);
}

void
api_send_problem(struct api_req *r, int status, const char *field, const char *message,
                 json_t *extra)
{
    json_t *p = json_object();
    json_t *errors = json_array();
    char detail[448], field_copy[128], message_copy[300];
    const char *type = "about:blank";

    /* callers quote client input into these; a cut character must not empty them */
    strlcopy(field_copy, field ? field : "", sizeof(field_copy));
    strlcopy(message_copy, message, sizeof(message_copy));
    utf8_sanitize(field_copy);
    utf8_sanitize(message_copy);
    field = field_copy;
    message = message_copy;

    if (status == 422 || status == 400)
        type = "https://tend.dev/problems/validation";
    else if (status == 409)
        type = "https://tend.dev/problems/conflict";
    else if (status == 404)
        type = "https://tend.dev/problems/not-found";
    if (*field)
        snprintf(detail, sizeof(detail), "%s: %s", field, message);
    else
        snprintf(detail, sizeof(detail), "%s", message);
    utf8_sanitize(detail);
    json_object_set_new(p, "type", json_string(type));
    json_object_set_new(p, "title", json_string(status == 422 ? "Invalid input" : reason_of(status)));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "detail", json_string(detail));
    json_object_set_new(p, "instance",
                        json_stringn_nocheck(r->req->path_normalized.base, r->req->path_normalized.len));
    json_object_set_new(p, "request_id", json_string(r->request_id));
    json_array_append_new(errors,
                          json_pack("{s:s,s:s}", "field", field, "message", message));
    json_object_set_new(p, "errors", errors);
    if (extra) {
        json_object_update(p, extra);
        json_decref(extra);
    }
    {
        size_t len = json_dumpb(p, NULL, 0, JSON_COMPACT);
        char *buf = h2o_mem_alloc_pool(&r->req->pool, len + 1);
        json_dumpb(p, buf, len, JSON_COMPACT);
        json_decref(p);
        api_send_raw(r, status, "application/problem+json", buf, len);
    }
}

void
api_send_error(struct api_req *r, const struct tend_err *err)
{
    int status = api_status_of(err->rc);

    if (status >= 500) {
        fprintf(stderr, "tend: request %s failed (%s): %s\n", r->request_id, tend_rc_name(err->rc),
                err->message);
        if (status == 503)
            api_add_header(r, "retry-after", "5");
        api_send_problem(r, status, err->field,
                         status == 503 ? err->message : "internal error, see the server log", NULL);
        return;
    }
    api_send_problem(r, status, err->field, err->message[0] ? err->message : reason_of(status), NULL);
}

json_t *
api_time(int64_t ms)
{
    char buf[40];
    return json_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}

/* The request pool's link to an in-flight write; disposed with the request. */
struct api_write_ref {
    struct api_write *w;
};

static void
write_ref_dispose(void *p)
{
    struct api_write_ref *ref = p;
    if (ref->w)
        ref->w->req = NULL; /* the client went away; the write still completes */
}

static enum tend_rc
write_run(struct task *t, struct db *db)
{
    struct api_write *w = (struct api_write *)t;
    return w->apply(w, db);
}

static void
write_done(struct task *t)
{
    struct api_write *w = (struct api_write *)t;

    w->thread->pending--;
    if (w->req) {
        struct api_req *r = w->req;
        w->ref->w = NULL;
        w->respond(w, r);
    }
    w->release(w);
}

static void
prepare_deferred(struct api_req *r, struct api_write *w)
{
    w->req = r;
    w->thread = r->thread;
    w->ref = h2o_mem_alloc_shared(&r->req->pool, sizeof(*w->ref), write_ref_dispose);
    w->ref->w = w;
    w->task.run = write_run;
    w->task.done = write_done;
    w->task.reply_to = &r->thread->tasks;
    r->thread->pending++;
}

void
api_submit_write(struct api_req *r, struct api_write *w)
{
    prepare_deferred(r, w);
    db_writer_submit(r->thread->server->writer, &w->task);
}

void
api_submit_job(struct api_req *r, struct api_write *w)
{
    prepare_deferred(r, w);
    job_pool_submit(r->thread->server->pool, &w->task);
}

void
api_submit_detached(struct api_req *r, struct task *t)
{
    t->reply_to = NULL;
    db_writer_submit(r->thread->server->writer, t);
}

void
api_peer_address(struct api_req *r, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t len = r->req->conn->callbacks->get_peername(r->req->conn, (struct sockaddr *)&ss);

    out[0] = '\0';
    if (r->thread->server->config.trust_proxy) {
        /* the proxy appends the address it saw: the last entry is the one to trust */
        const char *xff = api_header(r, "x-forwarded-for"), *last;
        if (xff && *xff) {
            last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ')
                last++;
            if (*last && strlen(last) < outlen && strspn(last, "0123456789abcdefABCDEF.:") == strlen(last)) {
                strlcopy(out, last, outlen);
                return;
            }
        }
    }
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)outlen);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)outlen);
}

int
api_is_https(struct api_req *r)
{
    const char *proto = api_header(r, "x-forwarded-proto");
    if (proto && strcasecmp(proto, "https") == 0)
        return 1;
    return r->req->scheme == &H2O_URL_SCHEME_HTTPS;
}
