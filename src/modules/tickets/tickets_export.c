/* tickets_export.c: a ticket list as CSV (UTF-8 with a BOM, for Excel) or XLSX
 * (libxlsxwriter), one column per standard field then one per custom field.
 * Runs on the worker pool with its own read connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets.h"

static const char *const standard_columns[] = {
    "id",          "number",          "type",        "subject",       "status",
    "status_category", "priority",    "channel",     "organisation_id", "assignee_id",
    "group_id",    "category_id",     "fault_code_id", "tags",        "customer_ref",
    "resolution_code", "created_at",  "updated_at",  NULL};

struct sheet {
    int xlsx;
    struct jbuf csv;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    uint32_t row;
    uint16_t col;
    const struct custom_field *fields;
    int nfields;
    int customer;
    int rows;
};

/* One CSV cell: quoted when needed; text a spreadsheet would run as a formula
 * gets a leading apostrophe. */
static void
csv_cell(struct jbuf *b, const char *s, int first)
{
    int quote = 0;

    if (!first)
        jbuf_raw(b, ",", 1);
    if (!s)
        return;
    for (const char *p = s; *p; p++)
        quote |= *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
    if (quote)
        jbuf_raw(b, "\"", 1);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        jbuf_raw(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            jbuf_raw(b, "\"", 1);
        jbuf_raw(b, p, 1);
    }
    if (quote)
        jbuf_raw(b, "\"", 1);
}

static void
put_text(struct sheet *s, const char *text)
{
    if (s->xlsx) {
        if (text && *text)
            worksheet_write_string(s->ws, s->row, s->col, text, NULL);
    } else {
        csv_cell(&s->csv, text, s->col == 0);
    }
    s->col++;
}

static void
put_number(struct sheet *s, double v, int present)
{
    char text[40];

    if (!present) {
        put_text(s, NULL);
        return;
    }
    if (s->xlsx) {
        worksheet_write_number(s->ws, s->row, s->col++, v, NULL);
        return;
    }
    snprintf(text, sizeof(text), "%.15g", v);
    put_text(s, text);
}

static void
end_row(struct sheet *s)
{
    if (!s->xlsx)
        jbuf_raw(&s->csv, "\r\n", 2);
    s->row++;
    s->col = 0;
}

static void
header(struct sheet *s)
{
    for (int i = 0; standard_columns[i]; i++)
        put_text(s, standard_columns[i]);
    for (int i = 0; i < s->nfields; i++) {
        char name[64];
        snprintf(name, sizeof(name), "custom.%s", s->fields[i].key);
        put_text(s, name);
    }
    end_row(s);
}

/* A custom value as cell text (lists joined with "; "). */
static void
put_custom(struct sheet *s, const json_t *v)
{
    if (!v || json_is_null(v)) {
        put_text(s, NULL);
    } else if (json_is_string(v)) {
        put_text(s, json_string_value(v));
    } else if (json_is_number(v)) {
        put_number(s, json_number_value(v), 1);
    } else if (json_is_boolean(v)) {
        put_text(s, json_is_true(v) ? "true" : "false");
    } else {
        struct jbuf b;
        size_t i;
        json_t *item;
        jbuf_init(&b, 64);
        json_array_foreach(v, i, item) {
            if (i)
                jbuf_lit(&b, "; ");
            jbuf_lit(&b, json_is_string(item) ? json_string_value(item) : "");
        }
        jbuf_raw(&b, "", 0);
        jbuf_raw(&b, "\0", 1);
        put_text(s, b.data);
        jbuf_cleanup(&b);
    }
}

static void
put_ref(struct sheet *s, int64_t v)
{
    put_number(s, (double)v, v != 0);
}

static void
row(void *ctx, const struct ticket *t)
{
    struct sheet *s = ctx;
    char created[40], updated[40];
    json_t *tags = json_loads(t->tags ? t->tags : "[]", 0, NULL);
    json_t *custom = json_loads(t->custom ? t->custom : "{}", 0, NULL);

    put_number(s, (double)t->id, 1);
    put_text(s, t->number);
    put_text(s, t->type);
    put_text(s, t->subject);
    put_text(s, t->status);
    put_text(s, t->status_category);
    put_text(s, t->priority);
    put_text(s, t->channel);
    put_ref(s, t->organisation_id);
    put_ref(s, t->assignee_id);
    put_ref(s, t->group_id);
    put_ref(s, t->category_id);
    put_ref(s, t->fault_code_id);
    put_custom(s, tags);
    put_text(s, t->customer_ref);
    put_text(s, t->resolution_code);
    put_text(s, time_format_rfc3339(t->created_at, created, sizeof(created)));
    put_text(s, time_format_rfc3339(t->updated_at, updated, sizeof(updated)));
    for (int i = 0; i < s->nfields; i++)
        put_custom(s, custom ? json_object_get(custom, s->fields[i].key) : NULL);
    end_row(s);
    json_decref(tags);
    json_decref(custom);
    s->rows++;
}

/* Read the finished workbook file into memory and remove it. */
static enum tend_rc
slurp(const char *path, char **out, size_t *len, struct tend_err *err)
{
    FILE *f = fopen(path, "rb");
    long size;

    if (!f)
        return tend_fail(err, TEND_EINTERNAL, NULL, "cannot read the export file");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = xmalloc(size > 0 ? (size_t)size : 1);
    *len = size > 0 ? fread(*out, 1, (size_t)size, f) : 0;
    fclose(f);
    unlink(path);
    return TEND_OK;
}

enum tend_rc
tickets_export(struct db *db, const struct ticket_filter *f, int xlsx, const char *tmpdir, char **out,
               size_t *len, struct tend_err *err)
{
    struct sheet s;
    struct custom_field *fields = NULL;
    char path[512];
    enum tend_rc rc;

    memset(&s, 0, sizeof(s));
    rc = ticket_config_fields(db, 0, &fields, &s.nfields, err);
    if (rc)
        return rc;
    s.fields = fields;
    s.xlsx = xlsx;
    if (xlsx) {
        lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
        snprintf(path, sizeof(path), "%s/tend-export-%d-%lld.xlsx", tmpdir, (int)getpid(),
                 (long long)time_mono_ns());
        s.wb = workbook_new_opt(path, &options);
        s.ws = s.wb ? workbook_add_worksheet(s.wb, "Tickets") : NULL;
        if (!s.ws) {
            ticket_config_fields_free(fields, s.nfields);
            return tend_fail(err, TEND_EINTERNAL, NULL, "cannot start the workbook in %s", tmpdir);
        }
    } else {
        jbuf_init(&s.csv, 1 << 16);
        jbuf_raw(&s.csv, "\xEF\xBB\xBF", 3); /* BOM: Excel then reads UTF-8 */
    }
    header(&s);
    rc = tickets_store_scan(db, f, row, &s, err);
    ticket_config_fields_free(fields, s.nfields);
    if (xlsx) {
        lxw_error e = workbook_close(s.wb);
        if (rc == TEND_OK && e != LXW_NO_ERROR)
            rc = tend_fail(err, TEND_EINTERNAL, NULL, "cannot write the workbook: %s", lxw_strerror(e));
        if (rc == TEND_OK)
            rc = slurp(path, out, len, err);
        else
            unlink(path);
        return rc;
    }
    if (rc) {
        jbuf_cleanup(&s.csv);
        return rc;
    }
    *out = s.csv.data;
    *len = s.csv.len;
    return TEND_OK;
}
