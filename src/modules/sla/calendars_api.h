/* calendars_api.h: the routes of business calendars (routes.def). */
#ifndef TEND_SLA_CALENDARS_API_H
#define TEND_SLA_CALENDARS_API_H

#include "platform/http/api.h"

void calendars_api_list(struct api_req *r);
void calendars_api_get(struct api_req *r);
void calendars_api_create(struct api_req *r);
void calendars_api_replace(struct api_req *r);
void calendars_api_delete(struct api_req *r);
void calendars_api_export_ics(struct api_req *r);
void calendars_api_import_ics(struct api_req *r);
void calendars_api_business_time(struct api_req *r);

#endif
