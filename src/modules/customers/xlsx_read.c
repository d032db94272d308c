/* xlsx_read.c: reading the first worksheet of an XLSX workbook for imports:
 * the ZIP container (central directory, stored or deflated members, through
 * zlib) and the sheet's XML (through expat), with shared and inline strings,
 * numbers and booleans. Sizes are bounded; anything malformed is TEND_EINVAL.
 * Pure. */
#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "customers.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

#define XLSX_MAX_MEMBER ((size_t)256 << 20) /* inflated size of one member */
#define XLSX_MAX_COLS 256

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The member `name` of the ZIP archive, inflated into *out (malloc'd). Returns
 * 1 found, 0 absent, -1 malformed. */
static int
zip_member(const unsigned char *zip, size_t len, const char *name, char **out, size_t *outlen)
{
    size_t eocd = 0, dir, count, nlen = strlen(name);
    int found = 0;

    if (len < 22)
        return -1;
    for (size_t i = len - 22 + 1; i-- > 0 && len - i <= 22 + 65535;)
        if (le32(zip + i) == 0x06054b50) {
            eocd = i;
            found = 1;
            break;
        }
    if (!found)
        return -1;
    count = le16(zip + eocd + 10);
    dir = le32(zip + eocd + 16);
    for (size_t e = 0, p = dir; e < count; e++) {
        size_t fnlen, extra, comment, csize, usize, local, data;
        unsigned method;
        if (p + 46 > len || le32(zip + p) != 0x02014b50)
            return -1;
        method = le16(zip + p + 10);
        csize = le32(zip + p + 20);
        usize = le32(zip + p + 24);
        fnlen = le16(zip + p + 28);
        extra = le16(zip + p + 30);
        comment = le16(zip + p + 32);
        local = le32(zip + p + 42);
        if (p + 46 + fnlen > len)
            return -1;
        if (fnlen == nlen && memcmp(zip + p + 46, name, nlen) == 0) {
            if (local + 30 > len || le32(zip + local) != 0x04034b50)
                return -1;
            data = local + 30 + le16(zip + local + 26) + le16(zip + local + 28);
            /* deflate expands at most ~1032 times: a larger claim is a lie */
            if (data > len || csize > len - data || usize > XLSX_MAX_MEMBER || usize > csize * 1100 + 1024)
                return -1;
            *out = xmalloc(usize + 1);
            *outlen = usize;
            if (method == 0) {
                if (csize != usize)
                    goto bad;
                memcpy(*out, zip + data, usize);
            } else if (method == 8) {
                z_stream z;
                int zr;
                memset(&z, 0, sizeof(z));
                if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
                    goto bad;
                z.next_in = (unsigned char *)(zip + data);
                z.avail_in = (uInt)csize;
                z.next_out = (unsigned char *)*out;
                z.avail_out = (uInt)usize;
                zr = inflate(&z, Z_FINISH);
                inflateEnd(&z);
                if (zr != Z_STREAM_END || z.total_out != usize)
                    goto bad;
            } else {
                goto bad;
            }
            (*out)[usize] = '\0';
            return 1;
        }
        p += 46 + fnlen + extra + comment;
    }
    return 0;
bad:
    free(*out);
    *out = NULL;
    return -1;
}

/* --- the XML ------------------------------------------------------------------- */

struct xml_state {
    /* shared strings */
    char **strings;
    size_t nstrings, capstrings;
    /* the sheet */
    struct sheet *sheet;
    int max_rows;
    char *cells[XLSX_MAX_COLS];
    int ncells, rownum, col, too_many;
    char type[16];
    /* text being collected */
    struct jbuf text;
    int in_text, in_si, in_phonetic, in_value, in_cell;
    int error;
};

static const char *
attr(const XML_Char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

/* "BC12" -> column 54 (0-based); -1 if not a reference. */
static int
column_of(const char *ref)
{
    int col = 0, n = 0;

    for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
        col = col * 26 + (*ref - 'A' + 1);
    return n == 0 || n > 3 ? -1 : col - 1;
}

static void
strings_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xml_state *x = data;

    (void)atts;
    if (strcmp(el, "si") == 0) {
        x->in_si = 1;
        x->text.len = 0;
    } else if (strcmp(el, "rPh") == 0) {
        x->in_phonetic = 1;
    } else if (strcmp(el, "t") == 0 && x->in_si && !x->in_phonetic) {
        x->in_text = 1;
    }
}

static void
strings_end(void *data, const XML_Char *el)
{
    struct xml_state *x = data;

    if (strcmp(el, "t") == 0) {
        x->in_text = 0;
    } else if (strcmp(el, "rPh") == 0) {
        x->in_phonetic = 0;
    } else if (strcmp(el, "si") == 0) {
        char *s = xmalloc(x->text.len + 1);
        if (x->text.len)
            memcpy(s, x->text.data, x->text.len);
        s[x->text.len] = '\0';
        if (x->nstrings == x->capstrings) {
            x->capstrings = x->capstrings ? x->capstrings * 2 : 256;
            x->strings = xrealloc(x->strings, sizeof(char *) * x->capstrings);
        }
        x->strings[x->nstrings++] = s;
        x->in_si = 0;
    }
}

static void
on_text(void *data, const XML_Char *s, int len)
{
    struct xml_state *x = data;

    if ((x->in_text || x->in_value) && len > 0) {
        if (x->text.len + (size_t)len > 65536)
            x->error = 1;
        else
            jbuf_raw(&x->text, s, (size_t)len);
    }
}

static void
end_row(struct xml_state *x)
{
    int n = x->ncells;

    while (n > 0 && (!x->cells[n - 1] || !x->cells[n - 1][0])) {
        free(x->cells[n - 1]);
        x->cells[--n] = NULL;
    }
    for (int i = 0; i < n; i++)
        if (!x->cells[i])
            x->cells[i] = xstrdup("");
    if (n == 0 || x->error)
        ;
    else if (x->sheet->nrows >= x->max_rows)
        x->too_many = 1;
    else {
        sheet_append(x->sheet, x->cells, n, x->rownum);
        memset(x->cells, 0, sizeof(char *) * (size_t)n);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        free(x->cells[i]);
    memset(x->cells, 0, sizeof(x->cells));
    x->ncells = 0;
}

static void
sheet_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xml_state *x = data;

    if (strcmp(el, "row") == 0) {
        const char *r = attr(atts, "r");
        long n = r ? strtol(r, NULL, 10) : x->rownum + 1L;
        x->rownum = n > 0 && n < 10000000 ? (int)n : x->rownum + 1;
        x->col = 0;
    } else if (strcmp(el, "c") == 0) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t");
        int col = r ? column_of(r) : x->col;
        x->col = col;
        strlcopy(x->type, t ? t : "n", sizeof(x->type));
        x->in_cell = 1;
        x->text.len = 0;
        if (col < 0 || col >= XLSX_MAX_COLS)
            x->error = 1;
    } else if (x->in_cell && (strcmp(el, "v") == 0 || strcmp(el, "t") == 0)) {
        x->in_value = 1;
    }
}

static void
sheet_end(void *data, const XML_Char *el)
{
    struct xml_state *x = data;

    if (strcmp(el, "v") == 0 || strcmp(el, "t") == 0) {
        x->in_value = 0;
    } else if (strcmp(el, "c") == 0) {
        char *v = xmalloc(x->text.len + 1);
        if (x->text.len)
            memcpy(v, x->text.data, x->text.len);
        v[x->text.len] = '\0';
        if (strcmp(x->type, "s") == 0) {
            char *end;
            unsigned long i = strtoul(v, &end, 10);
            int bad = *end != '\0' || end == v || i >= x->nstrings;
            free(v);
            if (bad) {
                x->error = 1;
                v = xstrdup("");
            } else {
                v = xstrdup(x->strings[i]);
            }
        } else if (strcmp(x->type, "b") == 0) {
            char *b = xstrdup(strcmp(v, "1") == 0 ? "true" : "false");
            free(v);
            v = b;
        } else if (strcmp(x->type, "e") == 0) {
            free(v);
            v = xstrdup("");
        }
        if (!x->error && x->col >= 0 && x->col < XLSX_MAX_COLS) {
            free(x->cells[x->col]);
            x->cells[x->col] = v;
            if (x->col + 1 > x->ncells)
                x->ncells = x->col + 1;
        } else {
            free(v);
        }
        x->col++;
        x->in_cell = 0;
    } else if (strcmp(el, "row") == 0) {
        end_row(x);
    }
}

static int
parse_xml(const char *text, size_t len, struct xml_state *x, XML_StartElementHandler start, XML_EndElementHandler end)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    int ok;

    if (!p)
        return -1;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, on_text);
    ok = XML_Parse(p, text, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok && !x->error ? 0 : -1;
}

enum tend_rc
xlsx_parse(const char *data, size_t len, int max_rows, struct sheet *out, struct tend_err *err)
{
    struct xml_state x;
    char *strings = NULL, *sheet = NULL;
    size_t slen = 0, shlen = 0;
    enum tend_rc rc = TEND_OK;
    int found;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    if (len > INT32_MAX)
        return tend_fail(err, TEND_ETOOLARGE, "", "the workbook is too large");
    jbuf_init(&x.text, 256);
    x.sheet = out;
    x.max_rows = max_rows;
    found = zip_member((const unsigned char *)data, len, "xl/worksheets/sheet1.xml", &sheet, &shlen);
    if (found != 1) {
        rc = tend_fail(err, TEND_EINVAL, "", "not an XLSX workbook with a first worksheet");
        goto out;
    }
    found = zip_member((const unsigned char *)data, len, "xl/sharedStrings.xml", &strings, &slen);
    if (found < 0 || (found == 1 && (slen > INT32_MAX || parse_xml(strings, slen, &x, strings_start, strings_end)))) {
        rc = tend_fail(err, TEND_EINVAL, "", "the workbook's shared strings cannot be read");
        goto out;
    }
    if (shlen > INT32_MAX || parse_xml(sheet, shlen, &x, sheet_start, sheet_end))
        rc = tend_fail(err, TEND_EINVAL, "", "the worksheet cannot be read");
    else if (x.too_many)
        rc = tend_fail(err, TEND_ETOOLARGE, "", "more than %d rows", max_rows - 1);
    for (int r = 0; rc == TEND_OK && r < out->nrows; r++)
        for (int c = 0; c < out->ncells[r]; c++)
            if (!utf8_valid(out->rows[r][c], strlen(out->rows[r][c])))
                rc = tend_fail(err, TEND_EINVAL, "", "a cell is not UTF-8 text");
out:
    for (int i = 0; i < XLSX_MAX_COLS; i++)
        free(x.cells[i]);
    for (size_t i = 0; i < x.nstrings; i++)
        free(x.strings[i]);
    free(x.strings);
    jbuf_cleanup(&x.text);
    free(strings);
    free(sheet);
    if (rc)
        sheet_free(out);
    return rc;
}
