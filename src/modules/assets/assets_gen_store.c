/* assets_gen_store.c: benchmark data for the customer side: organisations
 * with a site and a contact each, a catalogue of models, millions of assets
 * with serials and warranties, contracts covering some of them, and meter
 * readings, in transactions of 50000 rows. Not for production databases. */
#include <stdio.h>
#include <string.h>

#include "assets.h"
#include "platform/util/util.h"

#define GEN_MODELS 40
#define GEN_BATCH 50000

static uint64_t
next_random(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Run `sql` once per i in [from, to) with `bind` filling the parameters, in
 * batches of GEN_BATCH per transaction. */
static enum tend_rc
insert_rows(struct db *db, const char *sql, int64_t from, int64_t to,
            void (*bind)(struct db_stmt *st, int64_t i, void *ctx), void *ctx,
            void (*progress)(void *ctx, int64_t done, int64_t total), void *pctx, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    for (int64_t i = from; i < to && rc == TEND_OK;) {
        int64_t end = i + GEN_BATCH < to ? i + GEN_BATCH : to;
        rc = db_begin(db, err);
        for (; i < end && rc == TEND_OK; i++) {
            struct db_stmt *st = db_prepare(db, sql, err);
            if (!st) {
                rc = err->rc;
                break;
            }
            bind(st, i, ctx);
            rc = db_run(st, err);
        }
        if (rc) {
            db_rollback(db);
            break;
        }
        rc = db_commit(db, err);
        if (progress && rc == TEND_OK)
            progress(pctx, end - from, to - from);
    }
    return rc;
}

struct gen {
    int64_t now;
    int64_t orgs, org_base, site_base, model_base, asset_base, contract_base;
    uint64_t seed;
};

static void
bind_org(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;
    char name[64], ext[32];
    static const char *const regions[] = {"east", "north", "south", "west", "central"};

    snprintf(name, sizeof(name), "Bench customer %lld", (long long)i);
    snprintf(ext, sizeof(ext), "BENCH-O-%07lld", (long long)i);
    db_bind_str(st, 1, name);
    db_bind_str(st, 2, i % 20 == 0 ? "vip" : i % 5 == 0 ? "gold" : "standard");
    db_bind_str(st, 3, regions[i % 5]);
    db_bind_str(st, 4, ext);
    db_bind_int64(st, 5, g->now);
}

static void
bind_site(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;
    char name[64];

    snprintf(name, sizeof(name), "Site %lld", (long long)i);
    db_bind_int64(st, 1, g->org_base + i);
    db_bind_str(st, 2, name);
    db_bind_double(st, 3, 22.0 + (double)(i % 2000) / 100.0);
    db_bind_double(st, 4, 100.0 + (double)(i % 2500) / 100.0);
    db_bind_int64(st, 5, g->now);
}

static void
bind_contact(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;
    char name[64], email[64], phone[32];

    snprintf(name, sizeof(name), "Contact %lld", (long long)i);
    snprintf(email, sizeof(email), "contact%lld@bench.example", (long long)i);
    snprintf(phone, sizeof(phone), "86138%08lld", (long long)i);
    db_bind_int64(st, 1, g->org_base + i);
    db_bind_str(st, 2, name);
    db_bind_str(st, 3, email);
    db_bind_str(st, 4, email);
    db_bind_str(st, 5, phone);
    db_bind_str(st, 6, phone);
    db_bind_int64(st, 7, g->now);
}

static void
bind_asset(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;
    int64_t org = 1 + (int64_t)(next_random(&g->seed) % (uint64_t)g->orgs);
    int year = 2020 + (int)(i % 7);
    char serial[32], start[16], end[16];

    snprintf(serial, sizeof(serial), "BA-%09lld", (long long)i);
    snprintf(start, sizeof(start), "%04d-%02d-%02d", year, (int)(i % 12) + 1, (int)(i % 28) + 1);
    snprintf(end, sizeof(end), "%04d-%02d-%02d", year + 2, (int)(i % 12) + 1, (int)(i % 28) + 1);
    db_bind_int64(st, 1, g->model_base + 1 + i % GEN_MODELS);
    db_bind_str(st, 2, serial);
    db_bind_int64(st, 3, g->org_base + org);
    db_bind_int64(st, 4, g->site_base + org);
    db_bind_str(st, 5, start);
    db_bind_str(st, 6, start);
    db_bind_str(st, 7, end);
    db_bind_int64(st, 8, g->now);
}

static void
bind_contract(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;
    char number[32];

    snprintf(number, sizeof(number), "BC-%08lld", (long long)i);
    db_bind_str(st, 1, number);
    db_bind_int64(st, 2, g->org_base + 1 + (i * 4) % g->orgs);
    db_bind_int64(st, 3, i % 3 == 0);
    db_bind_int64(st, 4, g->now);
}

/* contract i / 5 covers asset i (benchmark data: the asset's organisation is
 * not checked against the contract's, which the entitlement does not read) */
static void
bind_cover(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;

    db_bind_int64(st, 1, g->contract_base + i / 5);
    db_bind_int64(st, 2, g->asset_base + i);
}

static void
bind_reading(struct db_stmt *st, int64_t i, void *ctx)
{
    struct gen *g = ctx;

    db_bind_int64(st, 1, g->asset_base + 1 + (i / 5) * 7);
    db_bind_int64(st, 2, 1000 + (i % 5) * 250);
    db_bind_int64(st, 3, g->now - (5 - i % 5) * 2592000000LL);
    db_bind_int64(st, 4, g->now);
}

static enum tend_rc
max_id(struct db *db, const char *table, int64_t *out, struct tend_err *err)
{
    char sql[96];

    snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s WHERE id > ?", table);
    return rec_store_scalar(db, sql, -1, out, err);
}

enum tend_rc
assets_store_generate(struct db *db, int64_t orgs, int64_t assets, uint64_t seed,
                      void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx, struct tend_err *err)
{
    struct gen g = {.now = time_now_ms(), .orgs = orgs, .seed = seed ? seed : 0x9E3779B97F4A7C15ULL};
    int64_t product = 0, ncontracts = assets / 50;
    enum tend_rc rc;

    rc = max_id(db, "organisations", &g.org_base, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO organisations (name, tier, region, external_id, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, 0)",
                         1, orgs + 1, bind_org, &g, progress, ctx, err);
    if (rc == TEND_OK)
        rc = max_id(db, "sites", &g.site_base, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO sites (organisation_id, name, latitude, longitude, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, 0)",
                         1, orgs + 1, bind_site, &g, progress, ctx, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO contacts (organisation_id, name, email, email_norm, phone, phone_norm, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         1, orgs + 1, bind_contact, &g, progress, ctx, err);
    if (rc == TEND_OK) {
        struct db_stmt *st = db_prepare(db,
                                        "INSERT INTO products (name, category, created_at, updated_at) VALUES "
                                        "('Bench product ' || ?, 'printer', 0, 0) RETURNING id",
                                        err);
        if (st)
            db_bind_int64(st, 1, g.now); /* the run's time keeps the name unique */
        rc = st ? db_run_returning_id(st, &product, err) : err->rc;
    }
    if (rc == TEND_OK)
        rc = max_id(db, "product_models", &g.model_base, err);
    for (int m = 0; m < GEN_MODELS && rc == TEND_OK; m++) {
        char code[32];
        struct db_stmt *st = db_prepare(db,
                                        "INSERT INTO product_models (product_id, code, name, created_at, updated_at) "
                                        "VALUES (?, ?, ?, 0, 0)",
                                        err);
        snprintf(code, sizeof(code), "BM-%lld-%02d", (long long)g.now % 100000, m);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, product);
        db_bind_str(st, 2, code);
        db_bind_str(st, 3, code);
        rc = db_run(st, err);
    }
    if (rc == TEND_OK)
        rc = max_id(db, "assets", &g.asset_base, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO assets (model_id, serial, organisation_id, site_id, install_date, "
                         "warranty_start, warranty_end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                         1, assets + 1, bind_asset, &g, progress, ctx, err);
    if (rc == TEND_OK)
        rc = max_id(db, "contracts", &g.contract_base, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO contracts (number, organisation_id, starts_on, ends_on, covers_parts, "
                         "covers_labour, auto_renew, created_at, updated_at) "
                         "VALUES (?, ?, '2026-01-01', '2026-12-31', 1, 1, ?, ?, 0)",
                         1, ncontracts + 1, bind_contract, &g, progress, ctx, err);
    if (rc == TEND_OK)
        rc = insert_rows(db, "INSERT INTO contract_assets (contract_id, asset_id) VALUES (?, ?)", 5,
                         ncontracts * 5, bind_cover, &g, progress, ctx, err);
    if (rc == TEND_OK)
        rc = insert_rows(db,
                         "INSERT INTO meter_readings (asset_id, meter, value, read_at, created_at) "
                         "VALUES (?, 'hours', ?, ?, ?)",
                         0, assets / 7 * 5, bind_reading, &g, progress, ctx, err);
    return rc;
}
