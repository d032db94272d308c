/* sla_api.h: the SLA routes about tickets and the attainment report (routes.def). */
#ifndef TEND_SLA_API_H
#define TEND_SLA_API_H

#include "platform/http/api.h"

void sla_api_ticket(struct api_req *r);
void sla_api_on_site(struct api_req *r);
void sla_api_report(struct api_req *r);

#endif
