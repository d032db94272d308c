/* metrics.h: process-wide counters and histograms, rendered in Prometheus text
 * format at /metrics. Updates are lock-free (relaxed atomics). */
#ifndef TEND_METRICS_H
#define TEND_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Name the routes counted: `names[i]` is "METHOD /path/pattern". Call once at
 * start-up, before any request; ids >= count are folded into "other". */
void metrics_init(const char *const *names, int count);

/* One HTTP request answered on route `route_id` with `status` after `ns`. */
void metrics_observe_request(int route_id, int status, uint64_t ns);

/* One durable commit that carried `n` writes. */
void metrics_observe_commit(size_t n);

void metrics_set_write_queue(size_t depth);
void metrics_set_worker_queue(size_t depth);

/* Render everything into a malloc'd, NUL-terminated string; *len gets its length.
 * The caller frees it. */
char *metrics_render(size_t *len);

/* Release what metrics_init allocated. */
void metrics_cleanup(void);

#endif
