/* meta_api.h: routes about the API itself. */
#ifndef TEND_META_API_H
#define TEND_META_API_H

#include "platform/http/api.h"

/* GET /api/v1/openapi.json: the OpenAPI 3.1 document compiled in from docs/openapi.json. */
void meta_api_openapi(struct api_req *r);

#endif
