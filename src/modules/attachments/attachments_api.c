/* attachments_api.c: HTTP routes of the attachments module: upload a file to a
 * ticket (sniffed, hashed and written off the loop, then its row through the
 * writer), list a ticket's files, download one as an attachment. */
#include "attachments_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachments.h"
#include "modules/tickets/tickets.h"
#include "modules/users/users.h"
#include "platform/http/server.h"
#include "platform/util/util.h"

#define ENTITY_TICKET "ticket"

/* Customers (and only they) never see internal attachments. */
static int
sees_internal(const struct api_req *r)
{
    return (r->actor.roles & ~(unsigned)ROLE_CUSTOMER) != 0;
}

/* Whether ticket `id` exists and the caller may see it (TEND_ENOTFOUND if not). */
static enum tend_rc
ticket_in_view(struct api_req *r, int64_t id, struct tend_err *err)
{
    struct ticket_scope scope = ticket_scope_for(&r->actor);
    struct ticket t;
    enum tend_rc rc = tickets_store_get(r->db, id, &scope, &t, err);

    if (rc == TEND_OK)
        ticket_cleanup(&t);
    return rc;
}

/* The same, answering the error (404 for an unknown or hidden ticket). */
static int
ticket_visible(struct api_req *r, int64_t id)
{
    struct tend_err err;

    tend_err_clear(&err);
    if (ticket_in_view(r, id, &err)) {
        api_send_error(r, &err);
        return 0;
    }
    return 1;
}

/* --- upload --------------------------------------------------------------------- */

/* The file on its way: first a job on the worker pool (sniff, hash, write), then
 * a write on the writer thread (the row and its event). */
struct upload {
    struct api_write w; /* first */
    const char *data_dir; /* the server's configuration: outlives every request */
    unsigned char *data;  /* owned copy of the body: the job may outlive the request */
    size_t len;
    struct attachment a;
    int64_t user_id;
    char actor[72];
};

static void
upload_release(struct api_write *w)
{
    struct upload *u = (struct upload *)w;
    free(u->data);
    free(u);
}

/* Writer thread: the row and the event, in the group's transaction. */
static enum tend_rc
upload_insert(struct api_write *w, struct db *db)
{
    struct upload *u = (struct upload *)w;
    return attachments_store_add(db, &u->a, u->user_id, u->actor, time_now_ms(), &w->task.err);
}

static void
upload_created(struct api_write *w, struct api_req *r)
{
    struct upload *u = (struct upload *)w;
    char location[64];
    json_t *body;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    snprintf(location, sizeof(location), "/api/v1/attachments/%lld", (long long)u->a.id);
    api_add_header(r, "location", location);
    body = attachment_to_json(&u->a);
    json_object_del(body, "comment_id"); /* a new upload is on no comment yet */
    api_send_json(r, 201, body);
}

/* Worker pool: judge the bytes, hash them and store the file durably. */
static enum tend_rc
upload_store(struct api_write *w, struct db *db)
{
    struct upload *u = (struct upload *)w;
    unsigned char digest[crypto_hash_sha256_BYTES];
    const char *type = attachment_sniff(u->data, u->len, u->a.filename);

    (void)db;
    if (!type)
        return tend_fail(&w->task.err, TEND_EMEDIA, "file",
                         "this kind of file is not accepted: send PNG, JPEG, GIF, WebP, PDF, "
                         "Office (docx, xlsx, pptx) or ZIP, UTF-8 text or CSV, or MP4");
    strlcopy(u->a.content_type, type, sizeof(u->a.content_type));
    crypto_hash_sha256(digest, u->data, u->len);
    sodium_bin2hex(u->a.sha256, sizeof(u->a.sha256), digest, sizeof(digest));
    return attachments_store_file(u->data_dir, u->a.sha256, u->data, u->len, &w->task.err);
}

/* Loop: the file is durable; hand the row to the writer in a new write (this job
 * is released when we return). */
static void
upload_stored(struct api_write *w, struct api_req *r)
{
    struct upload *u = (struct upload *)w, *next;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    next = xcalloc(1, sizeof(*next));
    next->a = u->a;
    next->user_id = u->user_id;
    memcpy(next->actor, u->actor, sizeof(next->actor));
    next->w.apply = upload_insert;
    next->w.respond = upload_created;
    next->w.release = upload_release;
    api_submit_write(r, &next->w);
}

/* The body's size within 1 byte..20 MiB; answers 413/422 and returns -1 if not. */
static int
check_body_size(struct api_req *r, size_t len)
{
    if (len > ATTACHMENT_MAX_BYTES) {
        api_send_problem(r, 413, "file", "the file is larger than 20 MiB", NULL);
        return -1;
    }
    if (len == 0) {
        api_send_problem(r, 422, "file", "the request body is empty; send the file's bytes",
                         NULL);
        return -1;
    }
    return 0;
}

void
attachments_api_upload(struct api_req *r)
{
    const char *filename = api_query(r, "filename");
    size_t len = r->req->entity.base ? r->req->entity.len : 0;
    struct tend_err err;
    struct upload *u;
    int64_t id;

    tend_err_clear(&err);
    if (api_path_id(r, "ticket", &id) || !ticket_visible(r, id))
        return;
    if (attachment_filename_check(filename, filename ? strlen(filename) : 0, &err)) {
        api_send_error(r, &err);
        return;
    }
    if (check_body_size(r, len))
        return;
    u = xcalloc(1, sizeof(*u));
    u->data_dir = r->thread->server->config.data_dir;
    /* one copy (a few ms for 20 MiB): the request's buffer dies with the request */
    u->data = xmalloc(len);
    memcpy(u->data, r->req->entity.base, len);
    u->len = len;
    strlcopy(u->a.entity, ENTITY_TICKET, sizeof(u->a.entity));
    u->a.entity_id = id;
    strlcopy(u->a.filename, filename, sizeof(u->a.filename));
    u->a.size = (int64_t)len;
    u->user_id = r->actor.user_id;
    strlcopy(u->actor, r->actor.username, sizeof(u->actor));
    u->w.apply = upload_store;
    u->w.respond = upload_stored;
    u->w.release = upload_release;
    api_submit_job(r, &u->w);
}

/* --- list and download ------------------------------------------------------------ */

void
attachments_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *items;
    int64_t id;

    tend_err_clear(&err);
    if (api_path_id(r, "ticket", &id) || !ticket_visible(r, id))
        return;
    if (attachments_store_list(r->db, ENTITY_TICKET, id, sees_internal(r), &items, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, json_pack("{s:o}", "items", items));
}

void
attachments_api_download(struct api_req *r)
{
    char path[ATTACHMENT_PATH_MAX], disposition[ATTACHMENT_DISPOSITION_MAX];
    struct attachment *a = h2o_mem_alloc_pool(&r->req->pool, sizeof(*a));
    struct tend_err err;
    int64_t id;

    tend_err_clear(&err);
    if (api_path_id(r, "attachment", &id))
        return;
    if (attachments_store_get(r->db, id, a, &err)) {
        api_send_error(r, &err);
        return;
    }
    /* hidden is the same answer as absent: nothing tells that it exists */
    if (strcmp(a->entity, ENTITY_TICKET) != 0 || (a->internal && !sees_internal(r)) ||
        ticket_in_view(r, a->entity_id, &err) == TEND_ENOTFOUND) {
        api_send_problem(r, 404, "id", "no such attachment", NULL);
        return;
    }
    if (err.rc) {
        api_send_error(r, &err);
        return;
    }
    if (attachment_path(r->thread->server->config.data_dir, a->sha256, path, sizeof(path)) != 0) {
        tend_fail(&err, TEND_EINTERNAL, NULL, "attachment %lld: bad digest or path",
                  (long long)id);
        api_send_error(r, &err);
        return;
    }
    attachment_content_disposition(a->filename, disposition, sizeof(disposition));
    api_add_header(r, "content-disposition", disposition);
    api_add_header(r, "x-content-type-options", "nosniff");
    api_add_header(r, "cache-control", "private, max-age=3600");
    /* should a browser ever render it inline, it runs nothing */
    api_add_header(r, "content-security-policy", "default-src 'none'; sandbox");
    if (api_send_file(r, 200, a->content_type, path) != 0) {
        tend_fail(&err, TEND_EINTERNAL, NULL, "attachment %lld: file %s is missing",
                  (long long)id, a->sha256);
        api_send_error(r, &err);
    }
}
