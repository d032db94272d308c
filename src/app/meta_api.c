/* meta_api.c: routes about the API itself: the OpenAPI document. */
#include "meta_api.h"

#include <stddef.h>

extern const char openapi_json[];
extern const size_t openapi_json_len;

void
meta_api_openapi(struct api_req *r)
{
    api_add_header(r, "cache-control", "no-cache");
    api_send_bytes(r, 200, "application/json", openapi_json, openapi_json_len, 0);
}
