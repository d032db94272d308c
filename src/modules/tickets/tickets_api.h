/* tickets_api.h: the HTTP routes of the tickets module (see routes.def). */
#ifndef TEND_TICKETS_API_H
#define TEND_TICKETS_API_H

#include "platform/http/api.h"

void tickets_api_create(struct api_req *r);
void tickets_api_get(struct api_req *r);
void tickets_api_list(struct api_req *r);
void tickets_api_update(struct api_req *r);
void tickets_api_events(struct api_req *r);
void tickets_api_counts(struct api_req *r);
void tickets_api_transitions(struct api_req *r);
void tickets_api_transition(struct api_req *r);

#endif
