/* assets_api.h: the routes of products, models, assets and contracts, the
 * serial look-up, meter readings, entitlement and the asset's 360 view. */
#ifndef TEND_ASSETS_API_H
#define TEND_ASSETS_API_H

#include "modules/customers/customers_api.h"

REC_API_DECLARE(products)
REC_API_DECLARE(models)
REC_API_DECLARE(assets)
REC_API_DECLARE(contracts)

void assets_api_lookup(struct api_req *r);
void assets_api_overview(struct api_req *r);
void assets_api_entitlement(struct api_req *r);
void assets_api_readings(struct api_req *r);
void assets_api_add_reading(struct api_req *r);

#endif
