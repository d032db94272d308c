/* static.h: the built web app (web/dist) held in memory with gzip copies, served
 * with cache headers, ETags and a single-page-app fallback to index.html. */
#ifndef TEND_STATIC_H
#define TEND_STATIC_H

#include "platform/http/api.h"

struct static_site;

/* Load every file under `root` (NULL or missing: a built-in page saying the web
 * app is not built). Fails on unreadable files or more than 64 MiB. */
enum tend_rc static_site_load(const char *root, struct static_site **out, struct tend_err *err);

/* Answer a GET or HEAD for a non-API path. */
void static_site_serve(struct static_site *s, struct api_req *r);

void static_site_free(struct static_site *s);

#endif
