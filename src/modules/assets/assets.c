/* assets.c: products, models, assets and service contracts as records
 * described as data, and the rules over a whole record that the store runs
 * inside each write (serial unique per model, a site of the asset's own
 * organisation, no component cycles, dates in order, covered assets of the
 * contract's organisation). */
#include <stdio.h>
#include <string.h>

#include "assets.h"
#include "platform/util/util.h"

const char *const asset_meters[] = {"hours", "cycles", "pages", NULL};

static const struct rec_field product_fields[] = {
    {"name", RT_TEXT, RF_REQUIRED | RF_SEARCH | RF_UNIQUE, 0, 200, NULL, NULL, NULL, NULL},
    {"category", RT_TEXT, RF_REQUIRED | RF_FILTER, 0, 64, NULL, NULL, NULL, NULL},
    {"manufacturer", RT_TEXT, RF_SEARCH, 0, 200, NULL, NULL, NULL, ""},
    {"description", RT_TEXT, 0, 0, 4000, NULL, NULL, NULL, ""},
};

const struct rec_kind product_kind = {
    "product", "products", "/api/v1/products", "p1", NULL, product_fields,
    (int)(sizeof(product_fields) / sizeof(product_fields[0])), NULL,
};

static const struct rec_field model_fields[] = {
    {"product_id", RT_REF, RF_REQUIRED | RF_FILTER, 0, 0, "products", NULL, NULL, NULL},
    {"code", RT_TEXT, RF_REQUIRED | RF_SEARCH | RF_UNIQUE | RF_FILTER, 0, 64, NULL, NULL, NULL, NULL},
    {"name", RT_TEXT, RF_REQUIRED | RF_SEARCH, 0, 200, NULL, NULL, NULL, NULL},
    {"warranty_months", RT_INT, 0, 0, 240, NULL, NULL, NULL, "12"},
    {"fault_codes", RT_STRLIST, 0, 0, 200, NULL, NULL, NULL, "[]"},
    {"spare_parts", RT_STRLIST, 0, 0, 500, NULL, NULL, NULL, "[]"},
};

const struct rec_kind model_kind = {
    "model", "product_models", "/api/v1/models", "m1", NULL, model_fields,
    (int)(sizeof(model_fields) / sizeof(model_fields[0])), NULL,
};

static const char *const asset_statuses[] = {"active", "in_repair", "retired", NULL};

static enum tend_rc check_asset(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec,
                                struct tend_err *err);

static const struct rec_field asset_fields[] = {
    {"model_id", RT_REF, RF_REQUIRED | RF_FILTER, 0, 0, "product_models", NULL, NULL, NULL},
    {"serial", RT_TEXT, RF_REQUIRED | RF_FILTER | RF_SEARCH, 0, 100, NULL, NULL, NULL, NULL},
    {"organisation_id", RT_REF, RF_FILTER, 0, 0, "organisations", NULL, NULL, NULL},
    {"site_id", RT_REF, RF_FILTER, 0, 0, "sites", NULL, NULL, NULL},
    {"parent_id", RT_REF, RF_FILTER, 0, 0, "assets", NULL, NULL, NULL},
    {"status", RT_ENUM, RF_FILTER, 0, 0, NULL, NULL, asset_statuses, "active"},
    {"install_date", RT_DATE, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"warranty_start", RT_DATE, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"warranty_end", RT_DATE, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"external_id", RT_TEXT, RF_FILTER | RF_UNIQUE, 0, 100, NULL, NULL, NULL, NULL},
    {"custom", RT_CUSTOM, 0, 0, 0, NULL, NULL, NULL, "{}"},
};

const struct rec_kind asset_kind = {
    "asset", "assets", "/api/v1/assets", "a1", "organisation_id", asset_fields,
    (int)(sizeof(asset_fields) / sizeof(asset_fields[0])), check_asset,
};

static const char *const contract_statuses[] = {"draft", "active", "cancelled", NULL};
static const char *const billing_periods[] = {"monthly", "quarterly", "yearly", "once", NULL};

static enum tend_rc check_contract(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec,
                                   struct tend_err *err);

static const struct rec_field contract_fields[] = {
    {"number", RT_TEXT, RF_REQUIRED | RF_SEARCH | RF_UNIQUE, 0, 64, NULL, NULL, NULL, NULL},
    {"organisation_id", RT_REF, RF_REQUIRED | RF_FILTER, 0, 0, "organisations", NULL, NULL, NULL},
    {"status", RT_ENUM, RF_FILTER, 0, 0, NULL, NULL, contract_statuses, "active"},
    {"starts_on", RT_DATE, RF_REQUIRED, 0, 0, NULL, NULL, NULL, NULL},
    {"ends_on", RT_DATE, RF_REQUIRED, 0, 0, NULL, NULL, NULL, NULL},
    {"auto_renew", RT_BOOL, 0, 0, 0, NULL, NULL, NULL, "0"},
    {"covers_parts", RT_BOOL, 0, 0, 0, NULL, NULL, NULL, "0"},
    {"covers_labour", RT_BOOL, 0, 0, 0, NULL, NULL, NULL, "0"},
    {"covers_travel", RT_BOOL, 0, 0, 0, NULL, NULL, NULL, "0"},
    {"sla_policy_id", RT_INT, RF_FILTER, 1, 9.0e15, NULL, NULL, NULL, NULL},
    {"price", RT_INT, 0, 0, 1.0e13, NULL, NULL, NULL, "0"},
    {"currency", RT_TEXT, 0, 0, 3, NULL, NULL, NULL, "CNY"},
    {"billing_period", RT_ENUM, 0, 0, 0, NULL, NULL, billing_periods, "yearly"},
    {"external_id", RT_TEXT, RF_FILTER | RF_UNIQUE, 0, 100, NULL, NULL, NULL, NULL},
    {"notes", RT_TEXT, 0, 0, 4000, NULL, NULL, NULL, ""},
    {"custom", RT_CUSTOM, 0, 0, 0, NULL, NULL, NULL, "{}"},
    {"asset_ids", RT_IDSET, 0, 0, 10000, "assets", "contract_assets", NULL, "[]"},
};

const struct rec_kind contract_kind = {
    "contract", "contracts", "/api/v1/contracts", "k1", "organisation_id", contract_fields,
    (int)(sizeof(contract_fields) / sizeof(contract_fields[0])), check_contract,
};

static const char *
text_of(const json_t *rec, const char *name)
{
    const json_t *v = json_object_get(rec, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t
ref_of(const json_t *rec, const char *name)
{
    const json_t *v = json_object_get(rec, name);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static enum tend_rc
check_asset(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec, struct tend_err *err)
{
    const char *ws = text_of(rec, "warranty_start"), *we = text_of(rec, "warranty_end");
    int64_t org = ref_of(rec, "organisation_id"), site = ref_of(rec, "site_id"), parent = ref_of(rec, "parent_id");
    struct db_stmt *st;
    enum db_step_result r;
    int64_t other = 0;
    enum tend_rc rc;

    (void)k;
    if (ws && we && strcmp(we, ws) < 0)
        return tend_fail(err, TEND_EINVAL, "warranty_end", "must not be before warranty_start");
    st = db_prepare(db, "SELECT id FROM assets WHERE model_id = ? AND serial = ? AND id <> ?", err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, ref_of(rec, "model_id"));
    db_bind_str(st, 2, text_of(rec, "serial"));
    db_bind_int64(st, 3, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        other = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (other)
        return tend_fail(err, TEND_EINVAL, "serial", "asset %lld of this model already has this serial",
                         (long long)other);
    if (site) {
        int64_t site_org = 0;
        rc = rec_store_scalar(db, "SELECT organisation_id FROM sites WHERE id = ?", site, &site_org, err);
        if (rc)
            return rc == TEND_ENOTFOUND ? tend_fail(err, TEND_EINVAL, "site_id", "no site %lld", (long long)site) : rc;
        if (site_org != org)
            return tend_fail(err, TEND_EINVAL, "site_id", "site %lld belongs to organisation %lld, not this asset's",
                             (long long)site, (long long)site_org);
    }
    /* a component's chain of parents never comes back to itself */
    for (int depth = 0; parent; depth++) {
        if (id && parent == id)
            return tend_fail(err, TEND_EINVAL, "parent_id", "an asset cannot be its own component");
        if (depth >= 16)
            return tend_fail(err, TEND_EINVAL, "parent_id", "components nest at most 16 deep");
        rc = rec_store_scalar(db, "SELECT parent_id FROM assets WHERE id = ?", parent, &parent, err);
        if (rc)
            return rc == TEND_ENOTFOUND ? tend_fail(err, TEND_EINVAL, "parent_id", "no such asset") : rc;
    }
    return TEND_OK;
}

static enum tend_rc
check_contract(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec, struct tend_err *err)
{
    const char *starts = text_of(rec, "starts_on"), *ends = text_of(rec, "ends_on"), *cur = text_of(rec, "currency");
    const json_t *assets = json_object_get(rec, "asset_ids");
    int64_t org = ref_of(rec, "organisation_id");
    size_t i;
    json_t *a;

    (void)k;
    (void)id;
    if (starts && ends && strcmp(ends, starts) < 0)
        return tend_fail(err, TEND_EINVAL, "ends_on", "must not be before starts_on");
    if (!cur || strlen(cur) != 3 || strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return tend_fail(err, TEND_EINVAL, "currency", "must be an ISO 4217 code such as CNY");
    json_array_foreach(assets, i, a) {
        int64_t asset_org = 0;
        char field[48];
        enum tend_rc rc = rec_store_scalar(db, "SELECT organisation_id FROM assets WHERE id = ?", json_integer_value(a),
                                    &asset_org, err);
        snprintf(field, sizeof(field), "asset_ids[%zu]", i);
        if (rc == TEND_ENOTFOUND)
            return tend_fail(err, TEND_EINVAL, field, "no asset %lld", (long long)json_integer_value(a));
        if (rc)
            return rc;
        if (asset_org != org)
            return tend_fail(err, TEND_EINVAL, field, "asset %lld does not belong to the contract's organisation",
                             (long long)json_integer_value(a));
    }
    return TEND_OK;
}

void
assets_date_of(int64_t ms, char out[11])
{
    char iso[40];

    time_format_rfc3339(ms, iso, sizeof(iso));
    memcpy(out, iso, 10);
    out[10] = '\0';
}
