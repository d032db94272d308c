/* static.c: serving the web app from memory: exact files, gzip when accepted,
 * immutable caching for hashed assets, index.html for client-side routes. */
#include "static.h"

#include <stdlib.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "platform/util/util.h"

#define SITE_MAX_BYTES ((size_t)64 << 20)
#define SITE_MAX_FILES 10000

struct static_file {
    char *path; /* "/assets/app.js" */
    const char *content_type;
    char *body;
    size_t len;
    char *gz; /* NULL if not worth it */
    size_t gzlen;
    char etag[24];
    int immutable;
};

struct static_site {
    struct static_file *files; /* sorted by path */
    size_t count, cap, total;
    int placeholder;
};

static const char placeholder_html[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tend</title></head><body>"
    "<h1>Tend</h1><p>The web app is not built. Run <code>make build</code> (or <code>make run</code>)"
    " to build <code>web/dist</code>. The API is at <code>/api/v1/</code>.</p></body></html>";

static const char *
mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"},
        {".webp", "image/webp"}, {".ico", "image/x-icon"}, {".woff", "font/woff"},
        {".woff2", "font/woff2"}, {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"}, {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int
compressible(const char *type)
{
    return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
           strcmp(type, "image/svg+xml") == 0 || strncmp(type, "application/manifest", 20) == 0;
}

static void
gzip_file(struct static_file *f)
{
    z_stream z;
    uLong bound;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    bound = deflateBound(&z, (uLong)f->len) + 32;
    f->gz = xmalloc(bound);
    z.next_in = (Bytef *)f->body;
    z.avail_in = (uInt)f->len;
    z.next_out = (Bytef *)f->gz;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= f->len) {
        free(f->gz);
        f->gz = NULL;
    } else {
        f->gzlen = z.total_out;
    }
    deflateEnd(&z);
}

static void
add_file(struct static_site *s, const char *urlpath, char *body, size_t len)
{
    struct static_file *f;
    uint64_t h = 1469598103934665603ull;

    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->files = xrealloc(s->files, s->cap * sizeof(*s->files));
    }
    f = &s->files[s->count++];
    memset(f, 0, sizeof(*f));
    f->path = xstrdup(urlpath);
    f->content_type = mime_of(urlpath);
    f->body = body;
    f->len = len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)body[i]) * 1099511628211ull;
    snprintf(f->etag, sizeof(f->etag), "\"%016llx\"", (unsigned long long)h);
    f->immutable = strncmp(urlpath, "/assets/", 8) == 0;
    if (len > 256 && compressible(f->content_type))
        gzip_file(f);
    s->total += len;
}

static enum tend_rc
load_dir(struct static_site *s, const char *dir, const char *prefix, struct tend_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    enum tend_rc rc = TEND_OK;

    if (!d)
        return tend_fail(err, TEND_EINVAL, "web-root", "cannot read '%.200s': %s", dir, strerror(errno));
    while (rc == TEND_OK && (de = readdir(d))) {
        char path[2048], urlpath[1024];
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
            (size_t)snprintf(urlpath, sizeof(urlpath), "%s/%s", prefix, de->d_name) >= sizeof(urlpath))
            continue;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = load_dir(s, path, urlpath, err);
        } else if (S_ISREG(st.st_mode)) {
            FILE *fp;
            char *body;

            if (s->count >= SITE_MAX_FILES || s->total + (size_t)st.st_size > SITE_MAX_BYTES) {
                rc = tend_fail(err, TEND_ETOOLARGE, "web-root", "web root '%.200s' is too large", dir);
                break;
            }
            fp = fopen(path, "rb");
            if (!fp) {
                rc = tend_fail(err, TEND_EINVAL, "web-root", "cannot read '%.200s': %s", path,
                               strerror(errno));
                break;
            }
            body = xmalloc((size_t)st.st_size + 1);
            if (fread(body, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
                free(body);
                fclose(fp);
                rc = tend_fail(err, TEND_EINVAL, "web-root", "short read on '%.200s'", path);
                break;
            }
            fclose(fp);
            add_file(s, urlpath, body, (size_t)st.st_size);
        }
    }
    closedir(d);
    return rc;
}

static int
cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

enum tend_rc
static_site_load(const char *root, struct static_site **out, struct tend_err *err)
{
    struct static_site *s = xcalloc(1, sizeof(*s));
    struct stat st;
    enum tend_rc rc = TEND_OK;
    char index[2048];

    snprintf(index, sizeof(index), "%s/index.html", root ? root : "");
    if (!root || stat(index, &st) != 0) {
        s->placeholder = 1;
        add_file(s, "/index.html", xstrdup(placeholder_html), sizeof(placeholder_html) - 1);
    } else {
        rc = load_dir(s, root, "", err);
    }
    if (rc) {
        static_site_free(s);
        return rc;
    }
    qsort(s->files, s->count, sizeof(*s->files), cmp_file);
    *out = s;
    return TEND_OK;
}

void
static_site_free(struct static_site *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++) {
        free(s->files[i].path);
        free(s->files[i].body);
        free(s->files[i].gz);
    }
    free(s->files);
    free(s);
}

static const struct static_file *
find(const struct static_site *s, const char *path)
{
    struct static_file key = {0};
    key.path = (char *)path;
    return bsearch(&key, s->files, s->count, sizeof(*s->files), cmp_file);
}

static int
accepts_gzip(struct api_req *r)
{
    const char *ae = api_header(r, "accept-encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

void
static_site_serve(struct static_site *s, struct api_req *r)
{
    h2o_req_t *req = r->req;
    const struct static_file *f;
    const char *inm;
    char path[1024];
    size_t plen = req->path_normalized.len;
    const char *last_slash;

    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        api_add_header(r, "allow", "GET, HEAD");
        api_send_problem(r, 405, "", "only GET and HEAD are allowed here", NULL);
        return;
    }
    if (plen >= sizeof(path) - 16) {
        api_send_problem(r, 404, "", "no such page", NULL);
        return;
    }
    memcpy(path, req->path_normalized.base, plen);
    path[plen] = '\0';
    if (strcmp(path, "/") == 0)
        strlcopy(path, "/index.html", sizeof(path));
    f = find(s, path);
    if (!f) {
        /* a client-side route (no extension in its last segment) gets the app */
        last_slash = strrchr(path, '/');
        if (last_slash && strchr(last_slash, '.')) {
            api_send_problem(r, 404, "", "no such file", NULL);
            return;
        }
        f = find(s, "/index.html");
        if (!f) {
            api_send_problem(r, 404, "", "no such page", NULL);
            return;
        }
    }
    api_add_header(r, "cache-control",
                   f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    api_add_header(r, "etag", f->etag);
    api_add_header(r, "vary", "accept-encoding");
    inm = api_header(r, "if-none-match");
    if (inm && strstr(inm, f->etag)) {
        api_send_bytes(r, 304, f->content_type, "", 0, 0);
        return;
    }
    if (f->gz && accepts_gzip(r)) {
        api_add_header(r, "content-encoding", "gzip");
        api_send_bytes(r, 200, f->content_type, f->gz, f->gzlen, 0);
        return;
    }
    api_send_bytes(r, 200, f->content_type, f->body, f->len, 0);
}
