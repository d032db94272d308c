/* policies_api.h: the routes of SLA policies (routes.def). */
#ifndef TEND_SLA_POLICIES_API_H
#define TEND_SLA_POLICIES_API_H

#include "platform/http/api.h"

void sla_policies_api_list(struct api_req *r);
void sla_policies_api_get(struct api_req *r);
void sla_policies_api_create(struct api_req *r);
void sla_policies_api_replace(struct api_req *r);
void sla_policies_api_delete(struct api_req *r);

#endif
