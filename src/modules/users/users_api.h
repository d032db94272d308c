/* users_api.h: HTTP routes for users and groups (see routes.def). */
#ifndef TEND_USERS_API_H
#define TEND_USERS_API_H

#include "platform/http/api.h"

void users_api_list(struct api_req *r);
void users_api_create(struct api_req *r);
void users_api_get(struct api_req *r);
void users_api_update(struct api_req *r);
void users_api_events(struct api_req *r);
void groups_api_list(struct api_req *r);
void groups_api_create(struct api_req *r);
void groups_api_update(struct api_req *r);

#endif
