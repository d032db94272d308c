/* cmd_import.c: `tend import KIND FILE`: organisations, contacts, sites or
 * assets from a CSV or XLSX file straight into the database, all or nothing
 * (--partial: the valid rows), with a progress bar on a terminal and the
 * per-row error report (row, column, reason) on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "modules/customers/customers.h"
#include "options.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

#define FILE_MAX ((size_t)512 << 20)

static void
progress_bar(void *ctx, int done, int total)
{
    int width = 40, filled = total > 0 ? (int)((int64_t)done * width / total) : width;

    (void)ctx;
    fprintf(stderr, "\r[%.*s%*s] %d/%d rows", filled, "########################################", width - filled, "",
            done, total);
    if (done >= total)
        fprintf(stderr, "\n");
}

static int
read_all(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct jbuf b;
    char chunk[65536];
    size_t n;

    if (!f) {
        perror(path);
        return -1;
    }
    jbuf_init(&b, sizeof(chunk));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= FILE_MAX)
        jbuf_raw(&b, chunk, n);
    if (f != stdin)
        fclose(f);
    if (b.len > FILE_MAX) {
        fprintf(stderr, "tend import: %s is larger than 512 MiB\n", path);
        jbuf_cleanup(&b);
        return -1;
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

static void
print_report(const json_t *report)
{
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(report, "errors"), i, e) {
        const char *column = json_string_value(json_object_get(e, "column"));
        fprintf(stderr, "row %lld, %s: %s\n", (long long)json_integer_value(json_object_get(e, "row")),
                column && *column ? column : "(row)", json_string_value(json_object_get(e, "reason")));
    }
    printf("%lld rows: %lld created, %lld updated, %lld failed%s\n",
           (long long)json_integer_value(json_object_get(report, "total")),
           (long long)json_integer_value(json_object_get(report, "created")),
           (long long)json_integer_value(json_object_get(report, "updated")),
           (long long)json_integer_value(json_object_get(report, "failed")),
           json_is_true(json_object_get(report, "applied")) ? "" : "; nothing imported (--partial imports the valid rows)");
}

int
cmd_import(int argc, char **argv)
{
    struct option_def defs[] = {
        {"db", "TEND_DB", "URL", "database: sqlite:PATH or postgres://... (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {"format", NULL, "csv|xlsx", "the file's format (default: from its first bytes)", NULL},
        {"partial", NULL, NULL, "import the valid rows even when others fail", NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    const char *synopsis = "Import organisations, contacts, sites or assets: tend import KIND FILE [options]";
    const struct rec_kind *k = argc > 0 ? import_kind(argv[0]) : NULL;
    const char *format;
    struct db *db = NULL;
    struct sheet sheet;
    struct tend_err err;
    json_t *report = NULL;
    char url[1100], *data = NULL;
    size_t len = 0;
    int applied = 0, rc, xlsx;

    if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        options_usage("import", synopsis, defs, 0);
        return 0;
    }
    if (!k || argc < 2) {
        fprintf(stderr, "tend import: say what and from where: tend import organisations|contacts|sites|assets FILE\n");
        return 2;
    }
    rc = options_parse("import", synopsis, defs, argc - 2, argv + 2);
    if (rc)
        return rc > 0 ? 0 : 2;
    format = options_get(defs, "format");
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        fprintf(stderr, "tend import: --format must be csv or xlsx\n");
        return 2;
    }
    if (resolve_db("import", options_get(defs, "db"), options_get(defs, "data-dir"), url, sizeof(url)) != 0 ||
        read_all(argv[1], &data, &len) != 0)
        return 1;
    xlsx = format ? strcmp(format, "xlsx") == 0 : len > 4 && memcmp(data, "PK\3\4", 4) == 0;
    tend_err_clear(&err);
    rc = xlsx ? xlsx_parse(data, len, IMPORT_MAX_ROWS + 1, &sheet, &err)
              : csv_parse(data, len, IMPORT_MAX_ROWS + 1, &sheet, &err);
    free(data);
    if (rc) {
        fprintf(stderr, "tend import: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.message);
        return 1;
    }
    if (db_open(url, DB_OPEN_CREATE, &db, &err) || migrate_up(db, &applied, &err) || db_begin(db, &err)) {
        fprintf(stderr, "tend import: %s\n", err.message);
        sheet_free(&sheet);
        db_close(db);
        return 1;
    }
    rc = import_rows(db, k, &sheet, options_get(defs, "partial") != NULL, "cli", time_now_ms(),
                     isatty(2) ? progress_bar : NULL, NULL, &report, &err);
    sheet_free(&sheet);
    if (rc == TEND_OK)
        rc = db_commit(db, &err);
    else
        db_rollback(db);
    if (rc) {
        fprintf(stderr, "tend import: %s\n", err.message);
        db_close(db);
        json_decref(report);
        return 1;
    }
    db_close(db);
    print_report(report);
    rc = json_is_true(json_object_get(report, "applied")) && !json_integer_value(json_object_get(report, "failed")) ? 0 : 1;
    json_decref(report);
    return rc;
}
