/* customers_api.h: the routes of organisations, contacts and sites, the intake
 * look-ups, the organisation's 360 view, and imports and exports (routes.def). */
#ifndef TEND_CUSTOMERS_API_H
#define TEND_CUSTOMERS_API_H

#include "platform/http/api.h"

/* list, get, create, update, upsert by external id */
#define REC_API_DECLARE(p)                                                                                             \
    void p##_api_list(struct api_req *r);                                                                              \
    void p##_api_get(struct api_req *r);                                                                               \
    void p##_api_create(struct api_req *r);                                                                            \
    void p##_api_update(struct api_req *r);                                                                            \
    void p##_api_upsert(struct api_req *r);

/* ...and their definitions over a struct rec_kind */
#define REC_API_DEFINE(p, kind)                                                                                        \
    void p##_api_list(struct api_req *r) { records_api_list(r, &(kind)); }                                             \
    void p##_api_get(struct api_req *r) { records_api_get(r, &(kind)); }                                               \
    void p##_api_create(struct api_req *r) { records_api_create(r, &(kind)); }                                         \
    void p##_api_update(struct api_req *r) { records_api_update(r, &(kind)); }                                         \
    void p##_api_upsert(struct api_req *r) { records_api_upsert(r, &(kind)); }

REC_API_DECLARE(organisations)
REC_API_DECLARE(contacts)
REC_API_DECLARE(sites)

void organisations_api_overview(struct api_req *r);
void contacts_api_lookup(struct api_req *r);

void imports_api_create(struct api_req *r);
void imports_api_get(struct api_req *r);
void exports_api_get(struct api_req *r);

#endif
