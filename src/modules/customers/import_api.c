/* import_api.c: HTTP routes of imports and exports. An import takes the file
 * as the raw body: the worker pool parses it, the writer records an import
 * job (answered 202 with its id), and the rows are then checked and written
 * by one more writer task while GET .../imports/{kind}/{id} shows the
 * progress. Exports read on the worker pool with their own connection. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "customers_api.h"
#include "platform/http/server.h"
#include "platform/util/util.h"

#define IMPORT_BODY_MAX ((size_t)20 << 20)

/* --- progress of running imports (this process) ------------------------------ */

#define PROGRESS_SLOTS 32

static struct {
    int64_t job;
    int done, total;
} progress_slots[PROGRESS_SLOTS];
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;

static void
progress_set(int64_t job, int done, int total)
{
    int free_slot = -1;

    pthread_mutex_lock(&progress_lock);
    for (int i = 0; i < PROGRESS_SLOTS; i++) {
        if (progress_slots[i].job == job) {
            free_slot = i;
            break;
        }
        if (free_slot < 0 && progress_slots[i].job == 0)
            free_slot = i;
    }
    if (free_slot >= 0) {
        progress_slots[free_slot].job = done < 0 ? 0 : job;
        progress_slots[free_slot].done = done;
        progress_slots[free_slot].total = total;
    }
    pthread_mutex_unlock(&progress_lock);
}

static int
progress_get(int64_t job)
{
    int done = -1;

    pthread_mutex_lock(&progress_lock);
    for (int i = 0; i < PROGRESS_SLOTS; i++)
        if (progress_slots[i].job == job)
            done = progress_slots[i].done;
    pthread_mutex_unlock(&progress_lock);
    return done;
}

/* --- the import's steps ---------------------------------------------------------- */

struct import_work {
    struct api_write w; /* first */
    const struct rec_kind *k;
    char *data; /* the file, until parsed */
    size_t len;
    int xlsx, partial;
    struct sheet sheet;
    int64_t job;
    char actor[72];
};

/* The last step, detached: no request waits for it. */
struct import_task {
    struct task t; /* first */
    const struct rec_kind *k;
    struct sheet sheet;
    int partial;
    int64_t job;
    char actor[72];
};

static void
import_progress(void *ctx, int done, int total)
{
    progress_set(*(int64_t *)ctx, done, total);
}

static enum tend_rc
import_task_run(struct task *t, struct db *db)
{
    struct import_task *it = (struct import_task *)t;
    json_t *report = NULL;
    int64_t now = time_now_ms();
    enum tend_rc rc;

    progress_set(it->job, 0, it->sheet.nrows - 1);
    rc = import_rows(db, it->k, &it->sheet, it->partial, it->actor, now, import_progress, &it->job, &report, &t->err);
    if (rc == TEND_OK)
        rc = import_job_finish(db, it->job, report, NULL, time_now_ms(), &t->err);
    json_decref(report);
    progress_set(it->job, -1, 0);
    return rc;
}

static void
import_task_done(struct task *t)
{
    struct import_task *it = (struct import_task *)t;

    if (t->rc)
        fprintf(stderr, "tend: import %lld failed: %s\n", (long long)it->job, t->err.message);
    sheet_free(&it->sheet);
    free(it);
}

static void
work_release(struct api_write *w)
{
    struct import_work *c = (struct import_work *)w;

    free(c->data);
    sheet_free(&c->sheet);
    free(c);
}

static enum tend_rc
job_apply(struct api_write *w, struct db *db)
{
    struct import_work *c = (struct import_work *)w;

    return import_job_create(db, c->k->table, c->xlsx ? "xlsx" : "csv", c->partial,
                             c->sheet.nrows > 0 ? c->sheet.nrows - 1 : 0, c->actor, time_now_ms(), &c->job,
                             &w->task.err);
}

static void
job_respond(struct api_write *w, struct api_req *r)
{
    struct import_work *c = (struct import_work *)w;
    struct import_task *it;
    struct tend_err err;
    json_t *job = NULL;
    char location[128];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    it = xcalloc(1, sizeof(*it));
    it->k = c->k;
    it->sheet = c->sheet;
    memset(&c->sheet, 0, sizeof(c->sheet));
    it->partial = c->partial;
    it->job = c->job;
    memcpy(it->actor, c->actor, sizeof(it->actor));
    it->t.run = import_task_run;
    it->t.done = import_task_done;
    progress_set(c->job, 0, it->sheet.nrows - 1);
    api_submit_detached(r, &it->t);
    snprintf(location, sizeof(location), "/api/v1/imports/%s/%lld", c->k->table, (long long)c->job);
    api_add_header(r, "location", location);
    if (import_job_get(r->db, c->job, c->k->table, &job, &err)) /* not visible yet on another node */
        job = json_pack("{s:I,s:s,s:s,s:i}", "id", (json_int_t)c->job, "kind", c->k->table, "status", "running",
                        "total", it->sheet.nrows - 1);
    json_object_set_new(job, "processed", json_integer(0));
    api_send_json(r, 202, job);
}

static enum tend_rc
parse_apply(struct api_write *w, struct db *unused)
{
    struct import_work *c = (struct import_work *)w;
    enum tend_rc rc;

    (void)unused;
    rc = c->xlsx ? xlsx_parse(c->data, c->len, IMPORT_MAX_ROWS + 1, &c->sheet, &w->task.err)
                 : csv_parse(c->data, c->len, IMPORT_MAX_ROWS + 1, &c->sheet, &w->task.err);
    free(c->data);
    c->data = NULL;
    if (rc == TEND_OK && c->sheet.nrows == 0)
        rc = tend_fail(&w->task.err, TEND_EINVAL, "", "the file is empty: the first row names the columns");
    return rc;
}

static void
parse_respond(struct api_write *w, struct api_req *r)
{
    struct import_work *c = (struct import_work *)w, *next;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    next = xcalloc(1, sizeof(*next));
    next->k = c->k;
    next->xlsx = c->xlsx;
    next->partial = c->partial;
    next->sheet = c->sheet;
    memset(&c->sheet, 0, sizeof(c->sheet));
    memcpy(next->actor, c->actor, sizeof(next->actor));
    next->w.apply = job_apply;
    next->w.respond = job_respond;
    next->w.release = work_release;
    api_submit_write(r, &next->w);
}

/* The kind of the path; answers 404 and returns NULL when it names none. */
static const struct rec_kind *
path_kind(struct api_req *r)
{
    const struct rec_kind *k = import_kind(api_param(r, "kind"));

    if (!k)
        api_send_problem(r, 404, "kind", "imports and exports are of organisations, contacts, sites or assets", NULL);
    return k;
}

void
imports_api_create(struct api_req *r)
{
    const struct rec_kind *k = path_kind(r);
    const char *format = api_query(r, "format"), *partial = api_query(r, "partial");
    size_t len = r->req->entity.base ? r->req->entity.len : 0;
    struct import_work *c;

    if (!k)
        return;
    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].name, "format") != 0 && strcmp(r->query[i].name, "partial") != 0) {
            api_send_problem(r, 400, r->query[i].name, "is not a parameter (format, partial)", NULL);
            return;
        }
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_send_problem(r, 400, "format", "must be csv or xlsx", NULL);
        return;
    }
    if (partial && strcmp(partial, "true") != 0 && strcmp(partial, "false") != 0) {
        api_send_problem(r, 400, "partial", "must be true or false", NULL);
        return;
    }
    if (len > IMPORT_BODY_MAX) {
        api_send_problem(r, 413, "", "the file is larger than 20 MiB: split it", NULL);
        return;
    }
    if (len == 0) {
        api_send_problem(r, 422, "", "the body must be the CSV or XLSX file", NULL);
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->k = k;
    /* an XLSX file is a ZIP archive: PK\3\4 */
    c->xlsx = format ? strcmp(format, "xlsx") == 0 : len > 4 && memcmp(r->req->entity.base, "PK\3\4", 4) == 0;
    c->partial = partial && strcmp(partial, "true") == 0;
    c->data = xmalloc(len);
    memcpy(c->data, r->req->entity.base, len);
    c->len = len;
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
    c->w.apply = parse_apply;
    c->w.respond = parse_respond;
    c->w.release = work_release;
    api_submit_job(r, &c->w);
}

void
imports_api_get(struct api_req *r)
{
    const struct rec_kind *k = path_kind(r);
    struct tend_err err;
    json_t *job = NULL;
    int64_t id;
    int done;

    if (!k || api_path_id(r, "import", &id))
        return;
    if (import_job_get(r->db, id, k->table, &job, &err)) {
        api_send_error(r, &err);
        return;
    }
    done = progress_get(id);
    if (done >= 0 && strcmp(json_string_value(json_object_get(job, "status")), "running") == 0)
        json_object_set_new(job, "processed", json_integer(done));
    api_send_json(r, 200, job);
}

/* --- export ------------------------------------------------------------------- */

struct export_work {
    struct api_write w; /* first */
    const struct rec_kind *k;
    char *db_url, *tmpdir;
    int xlsx;
    char *data;
    size_t len;
};

static enum tend_rc
export_apply(struct api_write *w, struct db *unused)
{
    struct export_work *e = (struct export_work *)w;
    struct db *db = NULL;
    enum tend_rc rc = db_open(e->db_url, DB_OPEN_READONLY, &db, &w->task.err);

    (void)unused;
    if (rc == TEND_OK)
        rc = export_rows(db, e->k, e->xlsx, e->tmpdir, &e->data, &e->len, &w->task.err);
    db_close(db);
    return rc;
}

static void
export_respond(struct api_write *w, struct api_req *r)
{
    struct export_work *e = (struct export_work *)w;
    char disposition[128];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s.%s\"", e->k->table, e->xlsx ? "xlsx" : "csv");
    api_add_header(r, "content-disposition", disposition);
    api_send_owned(r, 200,
                   e->xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8",
                   e->data, e->len);
    e->data = NULL; /* the request frees it */
}

static void
export_release(struct api_write *w)
{
    struct export_work *e = (struct export_work *)w;

    free(e->db_url);
    free(e->tmpdir);
    free(e->data);
    free(e);
}

void
exports_api_get(struct api_req *r)
{
    const struct rec_kind *k = path_kind(r);
    const char *format = api_query(r, "format");
    struct export_work *e;

    if (!k)
        return;
    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].name, "format") != 0) {
            api_send_problem(r, 400, r->query[i].name, "is not a parameter (format)", NULL);
            return;
        }
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_send_problem(r, 400, "format", "must be csv or xlsx", NULL);
        return;
    }
    e = xcalloc(1, sizeof(*e));
    e->k = k;
    e->xlsx = format && strcmp(format, "xlsx") == 0;
    e->db_url = xstrdup(r->thread->server->config.db_url);
    e->tmpdir = xstrdup(r->thread->server->config.data_dir ? r->thread->server->config.data_dir : "/tmp");
    e->w.apply = export_apply;
    e->w.respond = export_respond;
    e->w.release = export_release;
    api_submit_job(r, &e->w);
}
