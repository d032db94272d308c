/* dispatch.h: the entry point of every HTTP request. */
#ifndef TEND_DISPATCH_H
#define TEND_DISPATCH_H

#include <h2o.h>

struct http_thread;

/* Answer `req` (now, or later for deferred writes). Never fails: every error is
 * answered as problem+json. */
void http_dispatch(struct http_thread *t, h2o_req_t *req);

#endif
