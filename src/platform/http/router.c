/* router.c: matching request paths against the route table, segment by segment. */
#include "router.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "platform/util/util.h"

int
router_init(struct router *rt, const struct route *routes, int count)
{
    rt->entries = xcalloc((size_t)count, sizeof(*rt->entries));
    rt->count = 0;
    for (int i = 0; i < count; i++) {
        struct router_entry *e = &rt->entries[i];
        char *p;

        e->route = &routes[i];
        e->seg_store = xstrdup(routes[i].path);
        rt->count++;
        if (e->seg_store[0] != '/') {
            fprintf(stderr, "tend: route '%s' must start with '/'\n", routes[i].path);
            return -1;
        }
        p = e->seg_store + 1;
        while (*p) {
            char *slash = strchr(p, '/');
            size_t len = slash ? (size_t)(slash - p) : strlen(p);
            if (e->nsegments == ROUTER_MAX_SEGMENTS || len == 0) {
                fprintf(stderr, "tend: route '%s' has too many or empty segments\n", routes[i].path);
                return -1;
            }
            e->segments[e->nsegments] = p;
            e->seglen[e->nsegments] = len;
            e->nsegments++;
            if (!slash)
                break;
            *slash = '\0';
            p = slash + 1;
        }
    }
    return 0;
}

void
router_cleanup(struct router *rt)
{
    for (int i = 0; i < rt->count; i++)
        free(rt->entries[i].seg_store);
    free(rt->entries);
    rt->entries = NULL;
    rt->count = 0;
}

/* Does entry `e` match the path split into `segs`? Captures params if so. */
static int
match_entry(const struct router_entry *e, const char **segs, const size_t *lens, int nsegs,
            h2o_mem_pool_t *pool, struct api_param *params, int *nparams)
{
    int np = 0;

    if (e->nsegments != nsegs)
        return 0;
    for (int i = 0; i < nsegs; i++) {
        if (e->segments[i][0] == ':')
            continue;
        if (e->seglen[i] != lens[i] || memcmp(e->segments[i], segs[i], lens[i]) != 0)
            return 0;
    }
    if (!params)
        return 1;
    for (int i = 0; i < nsegs && np < API_MAX_PARAMS; i++) {
        if (e->segments[i][0] != ':')
            continue;
        params[np].name = e->segments[i] + 1;
        params[np].value = h2o_mem_alloc_pool(pool, lens[i] + 1);
        memcpy(params[np].value, segs[i], lens[i]);
        params[np].value[lens[i]] = '\0';
        np++;
    }
    *nparams = np;
    return 1;
}

enum router_match
router_match(const struct router *rt, h2o_mem_pool_t *pool, const char *path, size_t pathlen,
             const char *method, size_t methodlen, int *route_id, struct api_param *params,
             int *nparams, char *allow, size_t allowlen)
{
    const char *segs[ROUTER_MAX_SEGMENTS];
    size_t lens[ROUTER_MAX_SEGMENTS];
    int nsegs = 0, path_known = 0;
    size_t i = 1, allowused = 0;

    if (pathlen == 0 || path[0] != '/')
        return ROUTER_NO_PATH;
    /* split; a trailing slash is not a separate (empty) segment */
    while (i < pathlen) {
        size_t start = i;
        while (i < pathlen && path[i] != '/')
            i++;
        if (i == start) /* "//" */
            return ROUTER_NO_PATH;
        if (memchr(path + start, '\0', i - start)) /* a decoded %00 names nothing */
            return ROUTER_NO_PATH;
        if (nsegs == ROUTER_MAX_SEGMENTS)
            return ROUTER_NO_PATH;
        segs[nsegs] = path + start;
        lens[nsegs] = i - start;
        nsegs++;
        i++;
    }
    if (allowlen)
        allow[0] = '\0';
    for (int r = 0; r < rt->count; r++) {
        const struct router_entry *e = &rt->entries[r];
        if (!match_entry(e, segs, lens, nsegs, pool, NULL, NULL))
            continue;
        if (strlen(e->route->method) == methodlen &&
            memcmp(e->route->method, method, methodlen) == 0) {
            match_entry(e, segs, lens, nsegs, pool, params, nparams);
            *route_id = r;
            return ROUTER_FOUND;
        }
        path_known = 1;
        if (allowlen && !strstr(allow, e->route->method)) {
            int n = snprintf(allow + allowused, allowlen - allowused, "%s%s",
                             allowused ? ", " : "", e->route->method);
            if (n > 0 && (size_t)n < allowlen - allowused)
                allowused += (size_t)n;
        }
    }
    return path_known ? ROUTER_NO_METHOD : ROUTER_NO_PATH;
}
