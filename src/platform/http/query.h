/* query.h: parsing URL query strings (application/x-www-form-urlencoded). */
#ifndef TEND_QUERY_H
#define TEND_QUERY_H

#include <h2o.h>

#include "platform/http/api.h"

/* Parse `q` (without the '?') into at most `max` name/value pairs, percent- and
 * '+'-decoded into `pool` memory. Empty pairs ("a=1&&b=2") are skipped. Returns 0,
 * or -1 with *bad naming the offending parameter (or "query") and *why saying
 * what is wrong: a bad escape, invalid UTF-8 or a NUL, too many parameters. */
int http_query_parse(h2o_mem_pool_t *pool, const char *q, size_t len, struct api_param *out, int max,
                     int *n, const char **bad, const char **why);

#endif
