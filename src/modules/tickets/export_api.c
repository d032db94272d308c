/* export_api.c: ticket reads too big for an event loop, run on the worker pool
 * over their own read connection: GET /api/v1/tickets/export (the filtered
 * list as CSV or XLSX), and the counts whose filter the counters cannot answer
 * (they count every matching ticket). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/http/server.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets.h"
#include "tickets_api.h"

#define EXPORT_MAX_ROWS 100000

struct export_job {
    struct api_write w; /* first */
    char *db_url, *tmpdir;
    char *names[API_MAX_QUERY], *values[API_MAX_QUERY];
    int n;
    int64_t me;
    struct ticket_scope scope;
    int xlsx;
    int counts; /* a counts request, not an export */
    char *data;
    size_t len;
    json_t *result;
};

/* Parse the copied parameters into `f` against the stored configuration. */
static enum tend_rc
job_filter(struct export_job *j, struct db *db, struct ticket_filter *f, struct tend_err *err)
{
    enum tend_rc rc = ticket_config_filter(db, (const char *const *)j->names,
                                           (const char *const *)j->values, j->n, j->me, 1, f, err);

    f->scope = j->scope;
    f->limit = EXPORT_MAX_ROWS - 1; /* the scan reads limit + 1 */
    f->after_id = 0;
    return rc;
}

static enum tend_rc
export_run(struct api_write *w, struct db *unused)
{
    struct export_job *j = (struct export_job *)w;
    struct db *db = NULL;
    struct ticket_filter f;
    enum tend_rc rc = db_open(j->db_url, DB_OPEN_READONLY, &db, &w->task.err);

    (void)unused;
    if (rc)
        return rc;
    rc = job_filter(j, db, &f, &w->task.err);
    if (rc == TEND_OK && j->counts)
        rc = tickets_store_counts(db, &f, &j->result, &w->task.err);
    else if (rc == TEND_OK)
        rc = tickets_export(db, &f, j->xlsx, j->tmpdir, &j->data, &j->len, &w->task.err);
    db_close(db);
    return rc;
}

static void
export_respond(struct api_write *w, struct api_req *r)
{
    struct export_job *j = (struct export_job *)w;
    char disposition[96], day[40];

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    if (j->counts) {
        api_send_json(r, 200, j->result);
        j->result = NULL;
        return;
    }
    time_format_rfc3339(time_now_ms(), day, sizeof(day));
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"tickets-%.4s%.2s%.2s.%s\"", day,
             day + 5, day + 8, j->xlsx ? "xlsx" : "csv");
    api_add_header(r, "content-disposition", disposition);
    api_send_owned(r, 200,
                   j->xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8",
                   j->data, j->len);
    j->data = NULL; /* the request frees it */
}

static void
export_release(struct api_write *w)
{
    struct export_job *j = (struct export_job *)w;

    for (int i = 0; i < j->n; i++) {
        free(j->names[i]);
        free(j->values[i]);
    }
    free(j->db_url);
    free(j->tmpdir);
    free(j->data);
    json_decref(j->result);
    free(j);
}

/* A job holding copies of the request's parameters (but `skip`) and of who
 * asks: the job may outlive the request. */
static struct export_job *
job_from_request(struct api_req *r, const char *skip)
{
    struct export_job *j = xcalloc(1, sizeof(*j));

    for (int i = 0; i < r->nquery; i++) {
        if (skip && strcmp(r->query[i].name, skip) == 0)
            continue;
        j->names[j->n] = xstrdup(r->query[i].name);
        j->values[j->n++] = xstrdup(r->query[i].value);
    }
    j->db_url = xstrdup(r->thread->server->config.db_url);
    j->me = r->actor.user_id;
    j->scope = ticket_scope_for(&r->actor);
    j->w.apply = export_run;
    j->w.respond = export_respond;
    j->w.release = export_release;
    return j;
}

void
tickets_api_export(struct api_req *r)
{
    const char *format = api_query(r, "format"), *limits[] = {"cursor", "limit"};
    const char *names[API_MAX_QUERY], *values[API_MAX_QUERY];
    struct ticket_filter f;
    struct tend_err err;
    struct export_job *j;
    enum tend_rc rc;

    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_send_problem(r, 400, "format", "must be csv or xlsx", NULL);
        return;
    }
    for (int i = 0; i < 2; i++)
        if (api_query(r, limits[i])) {
            api_send_problem(r, 400, limits[i],
                             "does not apply: an export holds every matching ticket (up to 100000)", NULL);
            return;
        }
    j = job_from_request(r, "format");
    /* check the filter now (on copies: it splits them), so a typo is a 400
     * before any work */
    for (int i = 0; i < j->n; i++) {
        size_t len = strlen(j->values[i]) + 1;
        char *copy = h2o_mem_alloc_pool(&r->req->pool, len);
        memcpy(copy, j->values[i], len);
        names[i] = j->names[i];
        values[i] = copy;
    }
    rc = ticket_config_filter(r->db, names, values, j->n, r->actor.user_id, 1, &f, &err);
    if (rc) {
        if (rc == TEND_ESYNTAX)
            api_send_problem(r, 400, err.field, err.message, NULL);
        else
            api_send_error(r, &err);
        export_release(&j->w);
        return;
    }
    j->tmpdir = xstrdup(r->thread->server->config.data_dir ? r->thread->server->config.data_dir : "/tmp");
    j->xlsx = format && strcmp(format, "xlsx") == 0;
    api_submit_job(r, &j->w);
}

void
tickets_api_counts_deferred(struct api_req *r)
{
    struct export_job *j = job_from_request(r, NULL);

    j->counts = 1;
    api_submit_job(r, &j->w);
}
