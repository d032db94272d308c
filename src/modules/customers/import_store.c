/* import_store.c: importing spreadsheet rows as records (each row checked and
 * written under its own savepoint, the whole import under one more, so that a
 * file with errors changes nothing unless a partial import was asked for), and
 * exporting a kind's rows as CSV or XLSX with the same columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "customers.h"
#include "modules/assets/assets.h"
#include "platform/http/api.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

const struct rec_kind *
import_kind(const char *name)
{
    static const struct rec_kind *const kinds[] = {&organisation_kind, &contact_kind, &site_kind, &asset_kind};

    for (size_t i = 0; name && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(name, kinds[i]->table) == 0)
            return kinds[i];
    return NULL;
}

static void
add_error(json_t *errors, int *nerrors, int row, const char *column, const char *reason)
{
    if ((*nerrors)++ < IMPORT_MAX_ERRORS)
        json_array_append_new(errors, json_pack("{s:i,s:s,s:s}", "row", row, "column", column, "reason", reason));
}

/* The cell text without the apostrophe an export puts before formula-like text. */
static const char *
cell_text(const char *s)
{
    return (s[0] == '\'' && s[1] && strchr("=+-@", s[1])) ? s + 1 : s;
}

/* Row `r` of the sheet as a JSON body (empty cells left out); errors of
 * single cells go to the report and make it return NULL. */
static json_t *
row_body(const struct sheet *s, int r, const struct rec_field **cols, json_t *errors, int *nerrors)
{
    json_t *body = json_object();
    int bad = 0;

    if (s->ncells[r] > s->ncells[0]) {
        add_error(errors, nerrors, s->lineno[r], "", "the row has more cells than the header");
        json_decref(body);
        return NULL;
    }
    for (int c = 0; c < s->ncells[r]; c++) {
        struct tend_err err;
        json_t *v = NULL;
        const char *text = cell_text(s->rows[r][c]);
        if (!*text || !cols[c]) /* (a bad header stops the import before any row) */
            continue;
        tend_err_clear(&err);
        if (rec_value_from_text(cols[c], text, &v, &err)) {
            add_error(errors, nerrors, s->lineno[r], cols[c]->name, err.message);
            bad = 1;
            continue;
        }
        json_object_set_new(body, cols[c]->name, v);
    }
    if (bad) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* Validate and write one row under its own savepoint; *created says which. */
static enum tend_rc
import_row(struct db *db, const struct rec_kind *k, json_t *body, const char *actor, int64_t now, int *created,
           struct tend_err *err)
{
    const json_t *ext = json_object_get(body, "external_id");
    json_t *rec = NULL;
    int64_t id = 0;
    int existed;
    enum tend_rc rc = TEND_OK;

    *created = 0;
    if (json_is_string(ext) && rec_field_of(k, "external_id"))
        rc = rec_store_find_external(db, k, json_string_value(ext), &id, err);
    if (rc == TEND_OK)
        rc = rec_validate(k, body, id == 0, NULL, &rec, err);
    if (rc)
        return rc;
    existed = id != 0;
    rc = db_savepoint(db, err);
    if (rc == TEND_OK) {
        if (id)
            rc = json_object_size(rec) ? rec_store_update(db, k, id, rec, 0, 0, actor, now, err) : TEND_OK;
        else
            rc = rec_store_insert(db, k, rec, actor, now, &id, err);
        if (rc)
            db_savepoint_rollback(db);
        else
            db_savepoint_release(db);
    }
    *created = !existed && rc == TEND_OK;
    json_decref(rec);
    return rc;
}

enum tend_rc
import_rows(struct db *db, const struct rec_kind *k, const struct sheet *s, int partial, const char *actor,
            int64_t now, void (*progress)(void *ctx, int done, int total), void *ctx, json_t **report,
            struct tend_err *err)
{
    const struct rec_field *cols[256] = {0};
    json_t *errors = json_array();
    int nerrors = 0, created = 0, updated = 0, failed = 0, total = s->nrows > 0 ? s->nrows - 1 : 0, applied = 0;
    enum tend_rc rc = TEND_OK;

    *report = NULL;
    if (s->nrows == 0)
        add_error(errors, &nerrors, 1, "", "the file is empty: the first row names the columns");
    for (int c = 0; s->nrows > 0 && c < s->ncells[0] && c < 256; c++) {
        cols[c] = rec_field_of(k, s->rows[0][c]);
        for (int d = 0; cols[c] && d < c; d++)
            if (cols[d] == cols[c]) {
                add_error(errors, &nerrors, s->lineno[0], s->rows[0][c], "the column is there twice");
                break;
            }
        if (!cols[c] || cols[c]->type == RT_IDSET)
            add_error(errors, &nerrors, s->lineno[0], s->rows[0][c], "is not a column of this import");
    }
    if (nerrors) /* a bad header: nothing to read */
        goto done;
    rc = db_savepoint(db, err);
    if (rc)
        goto done;
    for (int r = 1; r < s->nrows && rc == TEND_OK; r++) {
        struct tend_err row_err;
        int was_created = 0;
        json_t *body = row_body(s, r, cols, errors, &nerrors);
        enum tend_rc row_rc;
        if (!body) {
            failed++;
            continue;
        }
        tend_err_clear(&row_err);
        row_rc = import_row(db, k, body, actor, now, &was_created, &row_err);
        json_decref(body);
        if (row_rc == TEND_EINVAL || row_rc == TEND_ECONFLICT || row_rc == TEND_ENOTFOUND) {
            add_error(errors, &nerrors, s->lineno[r], row_err.field[0] ? row_err.field : "", row_err.message);
            failed++;
        } else if (row_rc) {
            *err = row_err;
            rc = row_rc;
        } else if (was_created) {
            created++;
        } else {
            updated++;
        }
        if (progress && (r % 500 == 0 || r == s->nrows - 1))
            progress(ctx, r, total);
    }
    if (rc == TEND_OK && failed && !partial) {
        db_savepoint_rollback(db); /* all or nothing */
        created = updated = 0;
    } else if (rc == TEND_OK) {
        db_savepoint_release(db);
        applied = 1;
    } else {
        db_savepoint_rollback(db);
    }
done:
    if (rc) {
        json_decref(errors);
        return rc;
    }
    *report = json_pack("{s:i,s:i,s:i,s:i,s:i,s:b,s:o}", "total", total, "processed", total, "created", created,
                        "updated", updated, "failed", nerrors && !failed ? total : failed, "applied",
                        applied, "errors", errors);
    if (nerrors > IMPORT_MAX_ERRORS)
        json_object_set_new(*report, "errors_truncated", json_integer(nerrors - IMPORT_MAX_ERRORS));
    return TEND_OK;
}

/* --- export ------------------------------------------------------------------- */

struct export_sheet {
    const struct rec_kind *k;
    struct jbuf csv;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_row_t row;
};

static void
export_row(void *ctx, json_t *rec)
{
    struct export_sheet *x = ctx;
    int col = 0;

    for (int i = 0; i < x->k->nfields; i++) {
        const struct rec_field *f = &x->k->fields[i];
        char *text;
        if (f->type == RT_IDSET)
            continue;
        text = rec_value_to_text(f, json_object_get(rec, f->name));
        if (x->ws)
            worksheet_write_string(x->ws, x->row, (lxw_col_t)col, text, NULL);
        else
            csv_put(&x->csv, text, i == x->k->nfields - 1);
        free(text);
        col++;
    }
    if (!x->ws && x->k->fields[x->k->nfields - 1].type == RT_IDSET)
        jbuf_raw(&x->csv, "\r\n", 2);
    x->row++;
}

static enum tend_rc
read_file(const char *path, char **out, size_t *len, struct tend_err *err)
{
    FILE *f = fopen(path, "rb");
    struct jbuf b;
    char chunk[65536];
    size_t n;

    if (!f)
        return tend_fail(err, TEND_EINTERNAL, NULL, "cannot read the workbook back");
    jbuf_init(&b, sizeof(chunk));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        jbuf_raw(&b, chunk, n);
    fclose(f);
    *out = b.data;
    *len = b.len;
    return TEND_OK;
}

enum tend_rc
export_rows(struct db *db, const struct rec_kind *k, int xlsx, const char *tmpdir, char **out, size_t *len,
            struct tend_err *err)
{
    struct export_sheet x;
    char path[512];
    enum tend_rc rc;

    memset(&x, 0, sizeof(x));
    x.k = k;
    if (xlsx) {
        lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
        snprintf(path, sizeof(path), "%s/tend-%s-%d-%llu.xlsx", tmpdir, k->table, (int)getpid(),
                 (unsigned long long)time_mono_ns());
        x.wb = workbook_new_opt(path, &options);
        x.ws = x.wb ? workbook_add_worksheet(x.wb, k->table) : NULL;
        if (!x.ws)
            return tend_fail(err, TEND_EINTERNAL, NULL, "cannot start a workbook in %s", tmpdir);
    } else {
        jbuf_init(&x.csv, 1 << 16);
        jbuf_raw(&x.csv, "\xEF\xBB\xBF", 3); /* Excel reads UTF-8 with it */
    }
    {
        /* the header: each column's own name */
        int col = 0;
        for (int i = 0; i < k->nfields; i++) {
            if (k->fields[i].type == RT_IDSET)
                continue;
            if (x.ws)
                worksheet_write_string(x.ws, 0, (lxw_col_t)col, k->fields[i].name, NULL);
            else
                csv_put(&x.csv, k->fields[i].name, i == k->nfields - 1);
            col++;
        }
        if (!x.ws && k->fields[k->nfields - 1].type == RT_IDSET)
            jbuf_raw(&x.csv, "\r\n", 2);
        x.row = 1;
    }
    rc = rec_store_each(db, k, export_row, &x, err);
    if (xlsx) {
        lxw_error e = workbook_close(x.wb);
        if (rc == TEND_OK && e != LXW_NO_ERROR)
            rc = tend_fail(err, TEND_EINTERNAL, NULL, "cannot write the workbook: %s", lxw_strerror(e));
        if (rc == TEND_OK)
            rc = read_file(path, out, len, err);
        unlink(path);
        return rc;
    }
    if (rc) {
        jbuf_cleanup(&x.csv);
        return rc;
    }
    *out = x.csv.data;
    *len = x.csv.len;
    return TEND_OK;
}

/* --- import jobs ------------------------------------------------------------------ */

enum tend_rc
import_job_create(struct db *db, const char *kind, const char *format, int partial, int total, const char *actor,
                  int64_t now, int64_t *id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO import_jobs (kind, format, status, partial, total, created_by, "
                                    "created_at) VALUES (?, ?, 'running', ?, ?, ?, ?) RETURNING id",
                                    err);

    if (!st)
        return err->rc;
    db_bind_str(st, 1, kind);
    db_bind_str(st, 2, format);
    db_bind_int64(st, 3, partial);
    db_bind_int64(st, 4, total);
    db_bind_str(st, 5, actor);
    db_bind_int64(st, 6, now);
    return db_run_returning_id(st, id, err);
}

static int64_t
int_of(const json_t *report, const char *name)
{
    return json_integer_value(json_object_get(report, name));
}

enum tend_rc
import_job_finish(struct db *db, int64_t id, const json_t *report, const char *reason, int64_t now,
                  struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE import_jobs SET status = ?, processed = ?, created = ?, updated = ?, "
                                    "failed = ?, errors = ?, finished_at = ? WHERE id = ?",
                                    err);
    json_t *errors = report ? json_incref(json_object_get(report, "errors"))
                            : json_pack("[{s:i,s:s,s:s}]", "row", 0, "column", "", "reason", reason);
    char *text = json_dumps(errors ? errors : json_array(), JSON_COMPACT);
    enum tend_rc rc;

    json_decref(errors);
    if (!st) {
        free(text);
        return err->rc;
    }
    db_bind_str(st, 1, report && json_is_true(json_object_get(report, "applied")) ? "done" : "failed");
    db_bind_int64(st, 2, report ? int_of(report, "processed") : 0);
    db_bind_int64(st, 3, report ? int_of(report, "created") : 0);
    db_bind_int64(st, 4, report ? int_of(report, "updated") : 0);
    db_bind_int64(st, 5, report ? int_of(report, "failed") : 0);
    db_bind_str(st, 6, text);
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, id);
    rc = db_run(st, err);
    free(text);
    return rc;
}

enum tend_rc
import_job_get(struct db *db, int64_t id, const char *kind, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT id, kind, format, status, partial, total, processed, created, updated, "
                                    "failed, errors, created_by, created_at, finished_at FROM import_jobs "
                                    "WHERE id = ? AND kind = ?",
                                    err);
    enum db_step_result r;

    *out = NULL;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    db_bind_str(st, 2, kind);
    r = db_step(st, err);
    if (r == DB_ROW) {
        json_t *errors = json_loads(db_col_text(st, 10), 0, NULL);
        *out = json_pack("{s:I,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "id",
                         (json_int_t)db_col_int64(st, 0), "kind", db_col_text(st, 1), "format", db_col_text(st, 2),
                         "status", db_col_text(st, 3), "partial", db_col_int64(st, 4) != 0, "total",
                         (json_int_t)db_col_int64(st, 5), "processed", (json_int_t)db_col_int64(st, 6), "created",
                         (json_int_t)db_col_int64(st, 7), "updated", (json_int_t)db_col_int64(st, 8), "failed",
                         (json_int_t)db_col_int64(st, 9), "errors", errors ? errors : json_array(), "created_by",
                         db_col_is_null(st, 11) ? json_null() : json_string(db_col_text(st, 11)), "created_at",
                         api_time(db_col_int64(st, 12)), "finished_at",
                         db_col_is_null(st, 13) ? json_null() : api_time(db_col_int64(st, 13)));
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no %s import %lld", kind, (long long)id);
    return TEND_OK;
}
