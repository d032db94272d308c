/* metrics.c: request counts by route and status, latency and commit-size
 * histograms, queue gauges; Prometheus text exposition. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const int tracked_status[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                                     409, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof(tracked_status) / sizeof(tracked_status[0]) + 1) /* + other */

static const double latency_bounds[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                        0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
#define NLAT (sizeof(latency_bounds) / sizeof(latency_bounds[0]) + 1) /* + Inf */

static const unsigned commit_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
#define NCOMMIT (sizeof(commit_bounds) / sizeof(commit_bounds[0]) + 1)

struct route_metrics {
    uint64_t by_status[NSTATUS];
    uint64_t latency[NLAT];
    uint64_t latency_sum_ns;
};

static char **route_names;          /* owned; count + 1 entries, last "other" */
static int route_count;
static struct route_metrics *routes; /* route_count + 1 */
static uint64_t commit_hist[NCOMMIT];
static uint64_t commit_sum, commit_count;
static uint64_t write_queue, worker_queue;

void
metrics_init(const char *const *names, int count)
{
    metrics_cleanup();
    route_count = count;
    route_names = xcalloc((size_t)count + 1, sizeof(*route_names));
    for (int i = 0; i < count; i++)
        route_names[i] = xstrdup(names[i]);
    route_names[count] = xstrdup("other");
    routes = xcalloc((size_t)count + 1, sizeof(*routes));
}

void
metrics_cleanup(void)
{
    if (route_names)
        for (int i = 0; i <= route_count; i++)
            free(route_names[i]);
    free(route_names);
    free(routes);
    route_names = NULL;
    routes = NULL;
    route_count = 0;
}

static void
add(uint64_t *p, uint64_t v)
{
    __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static uint64_t
load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
metrics_observe_request(int route_id, int status, uint64_t ns)
{
    struct route_metrics *m;
    size_t s = NSTATUS - 1, b = NLAT - 1;
    double secs = (double)ns / 1e9;

    if (!routes)
        return;
    if (route_id < 0 || route_id > route_count)
        route_id = route_count;
    m = &routes[route_id];
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (tracked_status[i] == status) {
            s = i;
            break;
        }
    for (size_t i = 0; i < NLAT - 1; i++)
        if (secs <= latency_bounds[i]) {
            b = i;
            break;
        }
    add(&m->by_status[s], 1);
    add(&m->latency[b], 1);
    add(&m->latency_sum_ns, ns);
}

void
metrics_observe_commit(size_t n)
{
    size_t b = NCOMMIT - 1;
    for (size_t i = 0; i < NCOMMIT - 1; i++)
        if (n <= commit_bounds[i]) {
            b = i;
            break;
        }
    add(&commit_hist[b], 1);
    add(&commit_sum, n);
    add(&commit_count, 1);
}

void
metrics_set_write_queue(size_t depth)
{
    __atomic_store_n(&write_queue, (uint64_t)depth, __ATOMIC_RELAXED);
}

void
metrics_set_worker_queue(size_t depth)
{
    __atomic_store_n(&worker_queue, (uint64_t)depth, __ATOMIC_RELAXED);
}

struct out {
    char *buf;
    size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
outf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        o->cap = o->cap * 2 + (size_t)(n > 0 ? n : 0);
        o->buf = xrealloc(o->buf, o->cap);
    }
}

/* Split "GET /api/v1/x" into method and path labels. */
static void
route_labels(const char *name, char *method, size_t mlen, const char **path)
{
    const char *sp = strchr(name, ' ');
    size_t n = sp ? (size_t)(sp - name) : 0;
    if (n >= mlen)
        n = mlen - 1;
    memcpy(method, name, n);
    method[n] = '\0';
    *path = sp ? sp + 1 : name;
}

char *
metrics_render(size_t *len)
{
    struct out o = {xmalloc(8192), 0, 8192};

    outf(&o, "# HELP tend_http_requests_total HTTP requests answered, by route and status.\n"
             "# TYPE tend_http_requests_total counter\n");
    for (int r = 0; routes && r <= route_count; r++) {
        char method[16];
        const char *path;
        route_labels(route_names[r], method, sizeof(method), &path);
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = load(&routes[r].by_status[s]);
            if (!v)
                continue;
            if (s < NSTATUS - 1)
                outf(&o, "tend_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                     path, method, tracked_status[s], (unsigned long long)v);
            else
                outf(&o, "tend_http_requests_total{route=\"%s\",method=\"%s\",status=\"other\"} %llu\n",
                     path, method, (unsigned long long)v);
        }
    }
    outf(&o, "# HELP tend_http_request_duration_seconds Time from request to response.\n"
             "# TYPE tend_http_request_duration_seconds histogram\n");
    for (int r = 0; routes && r <= route_count; r++) {
        char method[16];
        const char *path;
        uint64_t cum = 0;
        route_labels(route_names[r], method, sizeof(method), &path);
        for (size_t b = 0; b < NLAT; b++)
            cum += load(&routes[r].latency[b]);
        if (!cum)
            continue;
        cum = 0;
        for (size_t b = 0; b < NLAT; b++) {
            cum += load(&routes[r].latency[b]);
            if (b < NLAT - 1)
                outf(&o,
                     "tend_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} "
                     "%llu\n",
                     path, method, latency_bounds[b], (unsigned long long)cum);
            else
                outf(&o,
                     "tend_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} "
                     "%llu\n",
                     path, method, (unsigned long long)cum);
        }
        outf(&o, "tend_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", path,
             method, (double)load(&routes[r].latency_sum_ns) / 1e9);
        outf(&o, "tend_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", path,
             method, (unsigned long long)cum);
    }
    outf(&o, "# HELP tend_db_commit_batch_size Writes carried by one durable commit.\n"
             "# TYPE tend_db_commit_batch_size histogram\n");
    {
        uint64_t cum = 0;
        for (size_t b = 0; b < NCOMMIT; b++) {
            cum += load(&commit_hist[b]);
            if (b < NCOMMIT - 1)
                outf(&o, "tend_db_commit_batch_size_bucket{le=\"%u\"} %llu\n", commit_bounds[b],
                     (unsigned long long)cum);
            else
                outf(&o, "tend_db_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
                     (unsigned long long)cum);
        }
        outf(&o, "tend_db_commit_batch_size_sum %llu\ntend_db_commit_batch_size_count %llu\n",
             (unsigned long long)load(&commit_sum), (unsigned long long)load(&commit_count));
    }
    outf(&o,
         "# HELP tend_db_write_queue_depth Writes waiting for the writer thread.\n"
         "# TYPE tend_db_write_queue_depth gauge\ntend_db_write_queue_depth %llu\n"
         "# HELP tend_worker_queue_depth Tasks waiting for a worker thread.\n"
         "# TYPE tend_worker_queue_depth gauge\ntend_worker_queue_depth %llu\n",
         (unsigned long long)load(&write_queue), (unsigned long long)load(&worker_queue));
    *len = o.len;
    return o.buf;
}
