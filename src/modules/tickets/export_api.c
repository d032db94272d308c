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

/* Parse the copied parameters into `f` (custom fields from `db`). */
static enum tend_rc
job_filter(struct export_job *j, struct db *db, struct ticket_filter *f, struct tend_err *err)
{
    struct custom_field *fields = NULL;
    int nfields = 0;
    enum tend_rc rc = ticket_config_fields(db, 0, &fields, &nfields, err);

    if (rc)
        return rc;
    rc = ticket_filter_parse((const char *const *)j->names, (const char *const *)j->values, j->n, fields,
                             nfields, j->me, 1, f, err);
    ticket_config_fields_free(fields, nfields);
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

void
tickets_api_export(struct api_req *r)
{
    const char *format = api_query(r, "format");
    const char *names[API_MAX_QUERY], *values[API_MAX_QUERY];
    struct custom_field *fields = NULL;
    struct ticket_filter f;
    struct tend_err err;
    struct export_job *j;
    int n = 0, nfields = 0;
    enum tend_rc rc;

    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_send_problem(r, 400, "format", "must be csv or xlsx", NULL);
        return;
    }
    j = xcalloc(1, sizeof(*j));
    for (int i = 0; i < r->nquery; i++) {
        if (strcmp(r->query[i].name, "cursor") == 0 || strcmp(r->query[i].name, "limit") == 0) {
            api_send_problem(r, 400, r->query[i].name, "does not apply: an export holds every matching ticket (up to 100000)", NULL);
            export_release(&j->w);
            return;
        }
        if (strcmp(r->query[i].name, "format") == 0)
            continue;
        j->names[n] = xstrdup(r->query[i].name);
        j->values[n] = xstrdup(r->query[i].value);
        n++;
    }
    j->n = n;
    /* check the filter now, so a typo is a 400 before any work */
    for (int i = 0; i < n; i++) {
        char *copy = h2o_mem_alloc_pool(&r->req->pool, strlen(j->values[i]) + 1);
        memcpy(copy, j->values[i], strlen(j->values[i]) + 1);
        names[i] = j->names[i];
        values[i] = copy;
    }
    rc = ticket_config_fields(r->db, 0, &fields, &nfields, &err);
    if (rc == TEND_OK) {
        rc = ticket_filter_parse(names, values, n, fields, nfields, r->actor.user_id, 1, &f, &err);
        ticket_config_fields_free(fields, nfields);
        if (rc == TEND_OK)
            rc = ticket_config_check_filter(r->db, &f, &err);
        if (rc)
            err.rc = TEND_ESYNTAX;
    }
    if (rc) {
        if (err.rc == TEND_ESYNTAX)
            api_send_problem(r, 400, err.field, err.message, NULL);
        else
            api_send_error(r, &err);
        export_release(&j->w);
        return;
    }
    j->db_url = xstrdup(r->thread->server->config.db_url);
    j->tmpdir = xstrdup(r->thread->server->config.data_dir ? r->thread->server->config.data_dir : "/tmp");
    j->me = r->actor.user_id;
    j->scope = ticket_scope_for(&r->actor);
    j->xlsx = format && strcmp(format, "xlsx") == 0;
    j->w.apply = export_run;
    j->w.respond = export_respond;
    j->w.release = export_release;
    api_submit_job(r, &j->w);
}

void
tickets_api_counts_deferred(struct api_req *r)
{
    struct export_job *j = xcalloc(1, sizeof(*j));

    /* the request's parameters are copied: the job may outlive it */
    for (int i = 0; i < r->nquery; i++) {
        j->names[j->n] = xstrdup(r->query[i].name);
        j->values[j->n++] = xstrdup(r->query[i].value);
    }
    j->db_url = xstrdup(r->thread->server->config.db_url);
    j->me = r->actor.user_id;
    j->scope = ticket_scope_for(&r->actor);
    j->counts = 1;
    j->w.apply = export_run;
    j->w.respond = export_respond;
    j->w.release = export_release;
    api_submit_job(r, &j->w);
}
