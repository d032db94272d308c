/* csv.c: reading and writing CSV (RFC 4180) for imports and exports: quoted
 * fields with "" escapes and line breaks, CRLF or LF, a UTF-8 BOM skipped;
 * every cell checked to be UTF-8. Pure. */
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

#define CSV_MAX_CELLS 256
#define CSV_MAX_CELL_BYTES 65536

void
sheet_free(struct sheet *s)
{
    for (int i = 0; i < s->nrows; i++) {
        for (int j = 0; j < s->ncells[i]; j++)
            free(s->rows[i][j]);
        free(s->rows[i]);
    }
    free(s->rows);
    free(s->ncells);
    free(s->lineno);
    memset(s, 0, sizeof(*s));
}

void
sheet_append(struct sheet *s, char **cells, int n, int lineno)
{
    /* capacity doubles at each power of two */
    if ((s->nrows & (s->nrows - 1)) == 0) {
        size_t cap = s->nrows ? (size_t)s->nrows * 2 : 1;
        s->rows = xrealloc(s->rows, sizeof(*s->rows) * cap);
        s->ncells = xrealloc(s->ncells, sizeof(*s->ncells) * cap);
        s->lineno = xrealloc(s->lineno, sizeof(*s->lineno) * cap);
    }
    s->rows[s->nrows] = xmalloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (n)
        memcpy(s->rows[s->nrows], cells, sizeof(char *) * (size_t)n);
    s->ncells[s->nrows] = n;
    s->lineno[s->nrows++] = lineno;
}

/* The row being built. */
struct row_buf {
    char *cells[CSV_MAX_CELLS];
    int n;
};

static int
row_blank(const struct row_buf *row)
{
    for (int i = 0; i < row->n; i++)
        if (row->cells[i][0])
            return 0;
    return 1;
}

static void
row_clear(struct row_buf *row)
{
    for (int i = 0; i < row->n; i++)
        free(row->cells[i]);
    row->n = 0;
}

enum tend_rc
csv_parse(const char *data, size_t len, int max_rows, struct sheet *out, struct tend_err *err)
{
    struct row_buf row = {.n = 0};
    struct jbuf cell;
    size_t i = 0;
    int line = 1, row_line = 1;
    enum tend_rc rc = TEND_OK;
    char where[32];

    memset(out, 0, sizeof(*out));
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    jbuf_init(&cell, 256);
    while (i <= len && rc == TEND_OK) {
        int quoted = 0, end_row = 0;
        cell.len = 0;
        if (row.n == 0)
            row_line = line;
        if (i < len && data[i] == '"') {
            int opened = line;
            quoted = 1;
            i++;
            for (;;) {
                if (i >= len) {
                    snprintf(where, sizeof(where), "line %d", opened);
                    rc = tend_fail(err, TEND_EINVAL, where, "a quoted field is not closed");
                    break;
                }
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        jbuf_raw(&cell, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (data[i] == '\n')
                    line++;
                jbuf_raw(&cell, data + i, 1);
                i++;
            }
            if (rc)
                break;
        }
        while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
            if (quoted || data[i] == '"') {
                snprintf(where, sizeof(where), "line %d", line);
                rc = tend_fail(err, TEND_EINVAL, where, "a quote inside an unquoted field, or text after a closing quote");
                break;
            }
            jbuf_raw(&cell, data + i, 1);
            i++;
        }
        if (rc)
            break;
        if (cell.len > CSV_MAX_CELL_BYTES || !utf8_valid(cell.data ? cell.data : "", cell.len)) {
            snprintf(where, sizeof(where), "line %d", line);
            rc = tend_fail(err, TEND_EINVAL, where,
                           cell.len > CSV_MAX_CELL_BYTES ? "a field is longer than 64 KiB" : "the text is not UTF-8");
            break;
        }
        if (row.n >= CSV_MAX_CELLS) {
            snprintf(where, sizeof(where), "line %d", line);
            rc = tend_fail(err, TEND_EINVAL, where, "more than %d columns", CSV_MAX_CELLS);
            break;
        }
        row.cells[row.n] = xmalloc(cell.len + 1);
        if (cell.len && cell.data)
            memcpy(row.cells[row.n], cell.data, cell.len);
        row.cells[row.n++][cell.len] = '\0';
        if (i >= len) {
            end_row = 1;
            i++;
        } else if (data[i] == ',') {
            i++;
        } else {
            if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
                i++;
            i++;
            line++;
            end_row = 1;
        }
        if (end_row) {
            if (row_blank(&row)) {
                row_clear(&row); /* blank lines (and the end of the file) carry nothing */
                continue;
            }
            if (out->nrows >= max_rows) {
                rc = tend_fail(err, TEND_ETOOLARGE, "", "more than %d rows", max_rows - 1);
                break;
            }
            sheet_append(out, row.cells, row.n, row_line);
            row.n = 0;
        }
    }
    row_clear(&row);
    jbuf_cleanup(&cell);
    if (rc)
        sheet_free(out);
    return rc;
}

void
csv_put(struct jbuf *b, const char *s, int last)
{
    size_t n = strlen(s);
    /* quoted when it holds a separator, a quote, a line break, or could be read as a formula */
    int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));

    if (n && strchr("=+-@", s[0]) && !((s[0] == '-' || s[0] == '+') && n > 1 && s[1] >= '0' && s[1] <= '9')) {
        /* a cell starting like a formula is kept as text (CSV injection); the
         * import takes the apostrophe off again */
        jbuf_raw(b, "\"'", 2);
        quote = 2;
    } else if (quote) {
        jbuf_raw(b, "\"", 1);
    }
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            jbuf_raw(b, "\"", 1);
        jbuf_raw(b, p, 1);
    }
    if (quote)
        jbuf_raw(b, "\"", 1);
    jbuf_raw(b, last ? "\r\n" : ",", last ? 2 : 1);
}
