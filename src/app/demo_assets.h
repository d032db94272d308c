/* demo_assets.h: the demo's sites, products, models, assets (with components
 * and meter readings) and service contracts. */
#ifndef TEND_DEMO_ASSETS_H
#define TEND_DEMO_ASSETS_H

#include "platform/db/db.h"

/* The demo assets tickets are filed against. */
struct demo_assets {
    int64_t printer, hvac, charger, monitor;
};

/* Add them for the four demo organisations `org_ids` (in demo.c's order). */
enum tend_rc demo_assets_load(struct db *db, const int64_t *org_ids, int64_t now, struct demo_assets *out,
                              struct tend_err *err);

/* The asset a demo ticket is about, from its subject; 0 for none. */
int64_t demo_asset_for(const struct demo_assets *a, const char *subject);

#endif
