/* attachments.c: the pure rules of attachments: what a file is (judged from its
 * bytes, never from its name or the client's Content-Type), which file names are
 * acceptable, where a digest is stored, and how a name is sent back. */
#include "attachments.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "platform/util/util.h"

/* --- content sniffing ---------------------------------------------------- */

static int
starts_with(const unsigned char *data, size_t len, const void *magic, size_t n)
{
    return len >= n && memcmp(data, magic, n) == 0;
}

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

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
name_has_prefix(const unsigned char *name, size_t n, const char *prefix)
{
    size_t plen = strlen(prefix);
    return n >= plen && memcmp(name, prefix, plen) == 0;
}

/* Offset of the ZIP end-of-central-directory record, searched backwards over the
 * largest possible archive comment; -1 if there is none. */
static long
zip_find_end(const unsigned char *data, size_t len)
{
    size_t lowest = len > 22 + 65535 ? len - 22 - 65535 : 0;

    if (len < 22)
        return -1;
    for (size_t i = len - 22 + 1; i-- > lowest;)
        if (memcmp(data + i, "PK\5\6", 4) == 0)
            return (long)i;
    return -1;
}

/* The Office type of a ZIP whose central directory lists [Content_Types].xml and
 * the part folder of Word, Excel or PowerPoint; "application/zip" for any other
 * well-formed archive; NULL if the directory is missing or runs out of the file. */
static const char *
zip_type(const unsigned char *data, size_t len)
{
    long end = zip_find_end(data, len);
    int content_types = 0, word = 0, excel = 0, powerpoint = 0;
    size_t off, count;

    if (end < 0)
        return NULL;
    count = le16(data + end + 10);
    off = le32(data + end + 16);
    for (size_t i = 0; i < count; i++) {
        size_t nlen, step;
        const unsigned char *name;

        if (off > (size_t)end || (size_t)end - off < 46 || memcmp(data + off, "PK\1\2", 4) != 0)
            return NULL;
        nlen = le16(data + off + 28);
        step = 46 + nlen + le16(data + off + 30) + le16(data + off + 32);
        if ((size_t)end - off < step)
            return NULL;
        name = data + off + 46;
        if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
            content_types = 1;
        word |= name_has_prefix(name, nlen, "word/");
        excel |= name_has_prefix(name, nlen, "xl/");
        powerpoint |= name_has_prefix(name, nlen, "ppt/");
        off += step;
    }
    if (content_types && word)
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (content_types && excel)
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    if (content_types && powerpoint)
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    return "application/zip";
}

/* MP4 and QuickTime start with an "ftyp" box whose major brand says what they
 * are. HEIF/AVIF images share the box but are not video: refused. */
static const char *
iso_media_type(const unsigned char *data, size_t len)
{
    static const char *const mp4_brands[] = {"isom", "iso2", "iso3", "iso4", "iso5", "iso6",
                                             "mp41", "mp42", "mp71", "avc1", "M4V ", "f4v ",
                                             "dash", "MSNV", NULL};
    uint32_t box;

    if (len < 16 || memcmp(data + 4, "ftyp", 4) != 0)
        return NULL;
    box = be32(data);
    if (box < 16 || box > 4096 || box > len)
        return NULL;
    for (int i = 0; mp4_brands[i]; i++)
        if (memcmp(data + 8, mp4_brands[i], 4) == 0)
            return "video/mp4";
    if (memcmp(data + 8, "qt  ", 4) == 0)
        return "video/quicktime";
    return NULL;
}

/* Markup a browser might render if it ever ignored our headers: refused even as
 * text. Looked for at the start (after a BOM and blanks) and, case-blind, in the
 * first kilobyte, as old browsers' sniffers did. */
static int
looks_like_markup(const unsigned char *data, size_t len)
{
    static const char *const tags[] = {"<html", "<script", "<svg", "<!doctype", "<body", "<head",
                                       "<iframe", "<?xml", "<object", "<embed", "<img", "<a ",
                                       "<style", "<meta", "<!--", NULL};
    size_t i = 0, window = len < 1024 ? len : 1024;

    if (starts_with(data, len, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i + 1 < len && data[i] == '<' &&
        ((data[i + 1] | 0x20) >= 'a' && (data[i + 1] | 0x20) <= 'z'))
        return 1;
    if (i + 1 < len && data[i] == '<' && (data[i + 1] == '!' || data[i + 1] == '?'))
        return 1;
    for (size_t at = 0; at < window; at++) {
        if (data[at] != '<')
            continue;
        for (int t = 0; tags[t]; t++) {
            size_t n = strlen(tags[t]);
            if (window - at >= n && strncasecmp((const char *)data + at, tags[t], n) == 0)
                return 1;
        }
    }
    return 0;
}

/* Valid UTF-8 without NUL, and at most 1% other control characters (tab, line
 * ends, form feed and ESC, as in coloured device logs, are fine). */
static int
is_text(const unsigned char *data, size_t len)
{
    size_t controls = 0;

    if (!utf8_valid((const char *)data, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = data[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ||
            c == 0x7f)
            controls++;
    }
    return controls * 100 <= len;
}

static int
ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

const char *
attachment_sniff(const unsigned char *data, size_t len, const char *filename)
{
    if (!data || len == 0)
        return NULL;
    if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (starts_with(data, len, "\xFF\xD8\xFF", 3))
        return "image/jpeg";
    if (starts_with(data, len, "GIF87a", 6) || starts_with(data, len, "GIF89a", 6))
        return "image/gif";
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (starts_with(data, len, "%PDF-", 5))
        return "application/pdf";
    if (starts_with(data, len, "PK\3\4", 4) || starts_with(data, len, "PK\5\6", 4))
        return zip_type(data, len);
    if (len >= 8 && memcmp(data + 4, "ftyp", 4) == 0)
        return iso_media_type(data, len);
    if (looks_like_markup(data, len) || !is_text(data, len))
        return NULL;
    if (filename && ends_with_ci(filename, ".csv"))
        return "text/csv; charset=utf-8";
    return "text/plain; charset=utf-8";
}

/* --- file names ------------------------------------------------------------ */

/* The code point at `s` (valid UTF-8 assumed), its length in *n. */
static uint32_t
decode_utf8(const unsigned char *s, size_t *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *n = 2;
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0) {
        *n = 3;
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *n = 4;
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* C0, DEL and C1 controls, and the bidirectional overrides that make
 * "invoice\u202Efdp.exe" display as "invoiceexe.pdf". */
static int
is_forbidden_char(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F;
}

enum tend_rc
attachment_filename_check(const char *name, size_t len, struct tend_err *err)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t chars = 0;

    if (!name || len == 0)
        return tend_fail(err, TEND_EINVAL, "filename", "is required: the name of the file");
    if (len > ATTACHMENT_FILENAME_MAX_BYTES || !utf8_valid(name, len))
        return tend_fail(err, TEND_EINVAL, "filename",
                         len > ATTACHMENT_FILENAME_MAX_BYTES ? "must be at most 255 characters"
                                                             : "must be valid UTF-8");
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = decode_utf8(s + i, &n);
        if (cp == '/' || cp == '\\')
            return tend_fail(err, TEND_EINVAL, "filename", "must not contain '/' or '\\'");
        if (is_forbidden_char(cp))
            return tend_fail(err, TEND_EINVAL, "filename", "must not contain control characters");
        i += n;
        chars++;
    }
    if (chars > ATTACHMENT_FILENAME_MAX_CHARS)
        return tend_fail(err, TEND_EINVAL, "filename", "must be at most 255 characters");
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return tend_fail(err, TEND_EINVAL, "filename", "must not be '.' or '..'");
    return TEND_OK;
}

/* --- storage and download ---------------------------------------------------- */

int
attachment_sha256_valid(const char *hex)
{
    size_t i;

    if (!hex)
        return 0;
    for (i = 0; hex[i]; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return 0;
    return i == 64;
}

int
attachment_path(const char *data_dir, const char *hex, char *out, size_t outlen)
{
    int n;

    if (!data_dir || !*data_dir || !attachment_sha256_valid(hex))
        return -1;
    n = snprintf(out, outlen, "%s/attachments/%.2s/%.2s/%s", data_dir, hex, hex + 2, hex);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* RFC 5987 attr-char: sent as is inside filename*=; everything else is %XX. */
static int
is_attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("!#$&+-.^_`|~", c) != NULL;
}

/* A bounded output cursor: keeps room for the NUL, drops what does not fit. */
struct out {
    char *p;
    size_t left;
};

static void
put(struct out *o, char c)
{
    if (o->left > 1) {
        *o->p++ = c;
        o->left--;
    }
}

static void
put_str(struct out *o, const char *s)
{
    while (*s)
        put(o, *s++);
}

void
attachment_content_disposition(const char *filename, char *out, size_t outlen)
{
    static const char hexdigits[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)filename;
    struct out o = {out, outlen};
    size_t i;

    if (outlen == 0)
        return;
    put_str(&o, "attachment; filename=\"");
    /* the fallback for old clients: printable ASCII; quotes, percent signs (which
     * some clients decode) and each non-ASCII character become '_' */
    for (i = 0; s[i];) {
        size_t n = 1;
        if (s[i] >= 0x80) {
            decode_utf8(s + i, &n);
            put(&o, '_');
        } else {
            put(&o, s[i] == '"' || s[i] == '%' || s[i] < 0x20 || s[i] == 0x7f ? '_' : (char)s[i]);
        }
        i += n;
    }
    put_str(&o, "\"; filename*=UTF-8''");
    for (i = 0; s[i]; i++) {
        if (is_attr_char(s[i])) {
            put(&o, (char)s[i]);
        } else if (o.left > 3) { /* never a cut %XX */
            put(&o, '%');
            put(&o, hexdigits[s[i] >> 4]);
            put(&o, hexdigits[s[i] & 15]);
        } else {
            break;
        }
    }
    *o.p = '\0';
}

json_t *
attachment_to_json(const struct attachment *a)
{
    char when[40];

    return json_pack("{s:I,s:o,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)a->id, "comment_id",
                     a->comment_id ? json_integer(a->comment_id) : json_null(), "filename",
                     a->filename, "content_type", a->content_type, "size", (json_int_t)a->size,
                     "sha256", a->sha256, "created_at",
                     time_format_rfc3339(a->created_at, when, sizeof(when)));
}
