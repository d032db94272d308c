/* auth_api.h: the guard every routed request passes, and the auth routes. */
#ifndef TEND_AUTH_API_H
#define TEND_AUTH_API_H

#include "platform/http/api.h"

/* The http_config guard: authenticate (session cookie or bearer token), check
 * CSRF for cookie requests that change state, check the route's permission and
 * the token's scopes; fills r->actor. 0: go on; -1: answered 401/403. */
int auth_guard(struct api_req *r);

void auth_api_login(struct api_req *r);
void auth_api_logout(struct api_req *r);
void auth_api_me(struct api_req *r);
void auth_api_tokens_list(struct api_req *r);
void auth_api_tokens_create(struct api_req *r);
void auth_api_tokens_revoke(struct api_req *r);
void auth_api_permissions(struct api_req *r);

#endif
