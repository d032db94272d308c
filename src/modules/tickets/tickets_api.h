/* tickets_api.h: the HTTP routes of the tickets module (see routes.def). */
#ifndef TEND_TICKETS_API_H
#define TEND_TICKETS_API_H

#include "platform/http/api.h"

/* The route's ticket id, if that ticket exists and the caller may see it;
 * otherwise answers (404) and returns -1. */
int tickets_api_visible(struct api_req *r, int64_t *id);

void tickets_api_create(struct api_req *r);
void tickets_api_get(struct api_req *r);
void tickets_api_list(struct api_req *r);
void tickets_api_update(struct api_req *r);
void tickets_api_events(struct api_req *r);
void tickets_api_counts(struct api_req *r);
void tickets_api_transitions(struct api_req *r);
void tickets_api_transition(struct api_req *r);
void tickets_api_search(struct api_req *r);

/* links_api.c */
void links_api_list(struct api_req *r);
void links_api_create(struct api_req *r);
void links_api_delete(struct api_req *r);
void tickets_api_merge(struct api_req *r);
void tickets_api_bulk(struct api_req *r);

/* export_api.c */
void tickets_api_export(struct api_req *r);
/* GET .../counts when the counters cannot answer: counted on the worker pool
 * (the request's filter was already checked). */
void tickets_api_counts_deferred(struct api_req *r);

/* views_api.c */
void views_api_list(struct api_req *r);
void views_api_create(struct api_req *r);
void views_api_update(struct api_req *r);
void views_api_delete(struct api_req *r);

/* comments_api.c */
void comments_api_list(struct api_req *r);
void comments_api_create(struct api_req *r);

/* ticket_config_api.c */
void ticket_types_api_list(struct api_req *r);
void ticket_types_api_create(struct api_req *r);
void ticket_types_api_update(struct api_req *r);
void workflows_api_list(struct api_req *r);
void workflows_api_get(struct api_req *r);
void workflows_api_create(struct api_req *r);
void workflows_api_replace(struct api_req *r);
void custom_fields_api_list(struct api_req *r);
void custom_fields_api_create(struct api_req *r);
void custom_fields_api_update(struct api_req *r);
void categories_api_list(struct api_req *r);
void categories_api_create(struct api_req *r);
void categories_api_update(struct api_req *r);

#endif
