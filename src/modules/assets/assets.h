/* assets.h: the public API of the assets module: products and their models,
 * assets (serials, warranty, components, meter readings), service contracts,
 * and the entitlement decision (is this asset covered on this date, by what,
 * under which SLA policy). Records use the customers module's machinery. */
#ifndef TEND_ASSETS_H
#define TEND_ASSETS_H

#include <jansson.h>
#include <stdint.h>

#include "modules/customers/customers.h"
#include "platform/db/db.h"

extern const struct rec_kind product_kind, model_kind, asset_kind, contract_kind;

/* NULL-terminated: hours, cycles, pages. */
extern const char *const asset_meters[];

/* --- entitlement (entitlement.c, pure) --------------------------------------- */

/* A contract as the entitlement sees it; strings borrowed. */
struct ent_contract {
    int64_t id;
    const char *number;
    const char *status;    /* only "active" contracts count */
    const char *starts_on; /* YYYY-MM-DD */
    const char *ends_on;
    int auto_renew; /* past its end, it renews itself until cancelled */
    int parts, labour, travel;
    int64_t sla_policy_id; /* 0: none */
};

struct ent_decision {
    int under_warranty;
    int contract; /* index of the contract that applies, -1: none */
    int renewed;  /* that contract is past its end and applies by auto-renewal */
    int parts, labour, travel;
    int64_t sla_policy_id;
    const char *basis; /* "warranty+contract", "warranty", "contract" or "none" */
};

/* Decide for `date` (YYYY-MM-DD): the warranty (either bound may be NULL; no
 * end means no warranty) covers parts and labour; among the active contracts
 * in force (auto-renewing ones also after their end), the one covering most
 * applies (ties: one within its term, then one with an SLA policy, then the
 * latest end, then the lowest id). Covered is what either gives. */
void entitlement_decide(const char *date, const char *warranty_start, const char *warranty_end,
                        const struct ent_contract *contracts, int n, struct ent_decision *out);

/* The decision as API JSON: {date, under_warranty, warranty: {start, end},
 * contract: {id, number, starts_on, ends_on, auto_renew, renewed} | null,
 * sla_policy_id, covered: {parts, labour, travel}, basis}. */
json_t *entitlement_json(const char *date, const char *warranty_start, const char *warranty_end,
                         const struct ent_contract *contracts, const struct ent_decision *d);

/* --- store (assets_store.c) ----------------------------------------------------- */

/* The entitlement of asset `id` on `date` (YYYY-MM-DD) as entitlement_json. */
enum tend_rc assets_store_entitlement(struct db *db, int64_t id, const char *date, json_t **out,
                                      struct tend_err *err);

/* The organisation of asset `id` (0 when it has none); TEND_ENOTFOUND when no
 * such asset. */
enum tend_rc assets_store_organisation_of(struct db *db, int64_t id, int64_t *organisation_id,
                                          struct tend_err *err);

/* What a ticket about asset `id` shows: *asset {id, serial, status, model:
 * {id, code, name}, organisation_id, site_id, warranty_end} and *entitlement
 * on the day of `at_ms`. */
enum tend_rc assets_store_ticket_context(struct db *db, int64_t id, int64_t at_ms, json_t **asset,
                                         json_t **entitlement, struct tend_err *err);

/* Assets whose serial is `serial` (one per model at most), each with its model
 * and organisation: *out {items}. */
enum tend_rc assets_store_lookup_serial(struct db *db, const char *serial, int64_t scope_org, json_t **out,
                                        struct tend_err *err);

/* Append a meter reading {meter, value, read_at?, source?}; a value below the
 * previous reading of that meter is TEND_EINVAL. *out is the reading. */
enum tend_rc assets_store_add_reading(struct db *db, int64_t asset_id, const json_t *body, const char *actor,
                                      int64_t now, json_t **out, struct tend_err *err);

/* An asset's readings, newest first (meter NULL: every meter): {items}. */
enum tend_rc assets_store_readings(struct db *db, int64_t asset_id, const char *meter, int limit, json_t **out,
                                   struct tend_err *err);

/* The asset's 360 view: {asset, model, product, organisation, site, parent,
 * components, meters: {latest, history}, contracts, entitlement, tickets:
 * {open, past}, parts_replaced, satisfaction}. `today` is YYYY-MM-DD. */
enum tend_rc assets_store_overview(struct db *db, int64_t id, int64_t scope_org, const char *today, json_t **out,
                                   struct tend_err *err);

/* Contracts of an organisation (summaries without prices) as a JSON array. */
enum tend_rc assets_store_contracts_of(struct db *db, int64_t organisation_id, json_t **out, struct tend_err *err);

/* Benchmark data (assets_gen_store.c): `orgs` organisations with a site and a
 * contact each, 40 models, `assets` assets spread over them, a contract per 50
 * assets covering 5, and 5 meter readings for every 7th asset; in
 * transactions of 50000, `progress` after each. Not for production. */
enum tend_rc assets_store_generate(struct db *db, int64_t orgs, int64_t assets, uint64_t seed,
                                   void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                                   struct tend_err *err);

/* YYYY-MM-DD of epoch milliseconds (UTC). */
void assets_date_of(int64_t ms, char out[11]);

#endif
