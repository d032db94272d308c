/* notifications_api.h: HTTP routes of notifications: a user's in-app list,
 * unread count and preferences; admin webhooks, deliveries and email templates. */
#ifndef TEND_NOTIFICATIONS_API_H
#define TEND_NOTIFICATIONS_API_H

#include "platform/http/api.h"

void notifications_api_list(struct api_req *r);
void notifications_api_unread(struct api_req *r);
void notifications_api_read(struct api_req *r);
void notifications_api_read_all(struct api_req *r);
void notifications_api_prefs_get(struct api_req *r);
void notifications_api_prefs_put(struct api_req *r);

void webhooks_api_list(struct api_req *r);
void webhooks_api_create(struct api_req *r);
void webhooks_api_update(struct api_req *r);
void deliveries_api_list(struct api_req *r);
void deliveries_api_get(struct api_req *r);
void deliveries_api_retry(struct api_req *r);

void templates_api_list(struct api_req *r);
void templates_api_put(struct api_req *r);
void templates_api_preview(struct api_req *r);

#endif
