/* rules_api.h: the route handlers of the rules engine (routes.def). */
#ifndef TEND_RULES_API_H
#define TEND_RULES_API_H

#include "platform/http/api.h"

void rules_api_list(struct api_req *r);
void rules_api_get(struct api_req *r);
void rules_api_create(struct api_req *r);
void rules_api_update(struct api_req *r);
void rules_api_delete(struct api_req *r);
void rules_api_reorder(struct api_req *r);
void rules_api_validate(struct api_req *r);
void rules_api_dry_run(struct api_req *r);
void rules_api_fields(struct api_req *r);

#endif
