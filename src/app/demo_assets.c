/* demo_assets.c: the demo's sites with coordinates, products and models
 * (printers, HVAC, EV chargers, patient monitors) with fault codes and spare
 * parts, assets with serials, warranties, components and meter readings, and
 * service contracts, written through the customers and assets stores. */
#include "demo_assets.h"

#include <string.h>

#include "modules/assets/assets.h"
#include "platform/util/util.h"

static enum tend_rc
add(struct db *db, const struct rec_kind *k, json_t *rec, int64_t now, int64_t *id, struct tend_err *err)
{
    json_t *norm = NULL;
    enum tend_rc rc = rec_validate(k, rec, 1, NULL, &norm, err);

    json_decref(rec);
    if (rc == TEND_OK)
        rc = rec_store_insert(db, k, norm, "demo", now, id, err);
    json_decref(norm);
    return rc;
}

static enum tend_rc
reading(struct db *db, int64_t asset, const char *meter, json_int_t value, int64_t at, int64_t now,
        struct tend_err *err)
{
    char when[40];
    json_t *body = json_pack("{s:s,s:I,s:s,s:s}", "meter", meter, "value", value, "read_at",
                             time_format_rfc3339(at, when, sizeof(when)), "source", "visit");
    json_t *out = NULL;
    enum tend_rc rc = assets_store_add_reading(db, asset, body, "demo", now, &out, err);

    json_decref(body);
    json_decref(out);
    return rc;
}

enum tend_rc
demo_assets_load(struct db *db, const int64_t *org, int64_t now, struct demo_assets *out, struct tend_err *err)
{
    int64_t site[4] = {0}, product[4] = {0}, model[4] = {0}, compressor_model = 0, id = 0, hvac2 = 0, chargers[3] = {0};
    const int64_t day = 86400000;
    enum tend_rc rc;

    memset(out, 0, sizeof(*out));
    rc = add(db, &site_kind,
             json_pack("{s:I,s:s,s:s,s:f,s:f,s:s,s:s}", "organisation_id", (json_int_t)org[0], "name", "张江工厂 3号楼",
                       "address", "上海市浦东新区张江路 100 号", "latitude", 31.2047, "longitude", 121.5906,
                       "access_notes", "东门进，需提前一天登记访客；屋顶机组钥匙在设备科", "region", "east"),
             now, &site[0], err);
    if (!rc)
        rc = add(db, &site_kind,
                 json_pack("{s:I,s:s,s:s,s:f,s:f,s:s,s:s}", "organisation_id", (json_int_t)org[1], "name",
                           "Berlin Campus, Ward 4", "address", "Invalidenstraße 50, 10115 Berlin", "latitude", 52.5251,
                           "longitude", 13.3694, "access_notes", "Sign in at reception; sterile area rules apply",
                           "region", "north"),
                 now, &site[1], err);
    if (!rc)
        rc = add(db, &site_kind,
                 json_pack("{s:I,s:s,s:s,s:f,s:f,s:s,s:s}", "organisation_id", (json_int_t)org[2], "name",
                           "南山停车场 B 区", "address", "深圳市南山区科技园南区 8 号", "latitude", 22.5431,
                           "longitude", 113.9298, "access_notes", "充电桩位于 B2 层，门禁卡向物业领取", "region",
                           "south"),
                 now, &site[2], err);
    if (!rc)
        rc = add(db, &site_kind,
                 json_pack("{s:I,s:s,s:s,s:f,s:f,s:s,s:s}", "organisation_id", (json_int_t)org[3], "name",
                           "Seattle HQ, floor 3", "address", "1200 5th Ave, Seattle, WA 98101", "latitude", 47.6062,
                           "longitude", -122.3321, "access_notes", "Loading dock on Union St.", "region", "west"),
                 now, &site[3], err);
    if (!rc)
        rc = add(db, &product_kind,
                 json_pack("{s:s,s:s,s:s}", "name", "MFP-4200 multifunction printer", "category", "printer",
                           "manufacturer", "Tend Imaging"),
                 now, &product[0], err);
    if (!rc)
        rc = add(db, &product_kind,
                 json_pack("{s:s,s:s,s:s}", "name", "HVAC-900 rooftop unit", "category", "hvac", "manufacturer",
                           "Tend Climate"),
                 now, &product[1], err);
    if (!rc)
        rc = add(db, &product_kind,
                 json_pack("{s:s,s:s,s:s}", "name", "EVC-22 AC charger", "category", "ev_charger", "manufacturer",
                           "绿源能源设备"),
                 now, &product[2], err);
    if (!rc)
        rc = add(db, &product_kind,
                 json_pack("{s:s,s:s,s:s}", "name", "PM-60 patient monitor", "category", "medical", "manufacturer",
                           "Tend Medical"),
                 now, &product[3], err);
    if (!rc)
        rc = add(db, &model_kind,
                 json_pack("{s:I,s:s,s:s,s:i,s:[s,s,s],s:[s,s]}", "product_id", (json_int_t)product[0], "code",
                           "MFP-4200-A", "name", "MFP-4200 A4 colour", "warranty_months", 12, "fault_codes", "PJ-TRAY2",
                           "FUSER-OVERHEAT", "SCAN-LINES", "spare_parts", "ROLLER-KIT-42", "FUSER-42"),
                 now, &model[0], err);
    if (!rc)
        rc = add(db, &model_kind,
                 json_pack("{s:I,s:s,s:s,s:i,s:[s,s],s:[s,s]}", "product_id", (json_int_t)product[1], "code",
                           "HVAC-900-R2", "name", "HVAC-900 rev 2", "warranty_months", 24, "fault_codes", "E01-HP",
                           "E07-LP", "spare_parts", "FLT-900", "CMP-22"),
                 now, &model[1], err);
    if (!rc)
        rc = add(db, &model_kind,
                 json_pack("{s:I,s:s,s:s,s:i,s:[s,s],s:[s]}", "product_id", (json_int_t)product[1], "code", "CMP-22",
                           "name", "Scroll compressor 22 kW", "warranty_months", 12, "fault_codes", "E01-HP", "E09-OIL",
                           "spare_parts", "CMP-22-OIL"),
                 now, &compressor_model, err);
    if (!rc)
        rc = add(db, &model_kind,
                 json_pack("{s:I,s:s,s:s,s:i,s:[s,s],s:[s,s]}", "product_id", (json_int_t)product[2], "code",
                           "EVC-22-7", "name", "EVC-22 7 kW wallbox", "warranty_months", 36, "fault_codes", "OFFLINE",
                           "RFID-FAIL", "spare_parts", "DISP-22", "RFID-MOD"),
                 now, &model[2], err);
    if (!rc)
        rc = add(db, &model_kind,
                 json_pack("{s:I,s:s,s:s,s:i,s:[s],s:[s]}", "product_id", (json_int_t)product[3], "code", "PM-60",
                           "name", "PM-60 bedside monitor", "warranty_months", 24, "fault_codes", "BATT-SWELL",
                           "spare_parts", "BATT-60"),
                 now, &model[3], err);
    /* the assets: under warranty, out of it, covered by contracts or not */
    if (!rc)
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s}", "model_id", (json_int_t)model[1], "serial",
                           "HV9-2024-00817", "organisation_id", (json_int_t)org[0], "site_id", (json_int_t)site[0],
                           "install_date", "2024-05-10", "warranty_start", "2024-05-10", "warranty_end", "2026-05-09"),
                 now, &out->hvac, err);
    if (!rc)
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:I,s:s,s:s,s:s}", "model_id", (json_int_t)compressor_model, "serial",
                           "CMP22-88213", "organisation_id", (json_int_t)org[0], "site_id", (json_int_t)site[0],
                           "parent_id", (json_int_t)out->hvac, "install_date", "2024-05-10", "warranty_start",
                           "2024-05-10", "warranty_end", "2025-05-09"),
                 now, &id, err);
    if (!rc)
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s}", "model_id", (json_int_t)model[1], "serial",
                           "HV9-2025-01102", "organisation_id", (json_int_t)org[0], "site_id", (json_int_t)site[0],
                           "install_date", "2025-09-01", "warranty_start", "2025-09-01", "warranty_end", "2027-08-31"),
                 now, &hvac2, err);
    if (!rc)
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s}", "model_id", (json_int_t)model[3], "serial", "PM60-14",
                           "organisation_id", (json_int_t)org[1], "site_id", (json_int_t)site[1], "install_date",
                           "2023-02-01", "warranty_start", "2023-02-01", "warranty_end", "2025-01-31"),
                 now, &out->monitor, err);
    for (int i = 0; i < 3 && !rc; i++) {
        char serial[32];
        snprintf(serial, sizeof(serial), "EVC22-SZ-%04d", 7 + i);
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:s}", "model_id", (json_int_t)model[2], "serial", serial,
                           "organisation_id", (json_int_t)org[2], "site_id", (json_int_t)site[2], "status",
                           i == 2 ? "in_repair" : "active", "install_date", "2025-03-15", "warranty_start",
                           "2025-03-15", "warranty_end", "2028-03-14"),
                 now, &chargers[i], err);
    }
    out->charger = chargers[0];
    if (!rc)
        rc = add(db, &asset_kind,
                 json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:{s:s}}", "model_id", (json_int_t)model[0], "serial",
                           "MFP42-CN-3310", "organisation_id", (json_int_t)org[3], "site_id", (json_int_t)site[3],
                           "install_date", "2024-11-20", "warranty_start", "2024-11-20", "warranty_end", "2025-11-19",
                           "custom", "floor", "3"),
                 now, &out->printer, err);
    /* meter history */
    for (int i = 0; i < 6 && !rc; i++) {
        int64_t at = now - (int64_t)(6 - i) * 30 * day;
        rc = reading(db, out->printer, "pages", 120000 + (json_int_t)i * 8400, at, now, err);
        if (!rc)
            rc = reading(db, out->hvac, "hours", 9800 + (json_int_t)i * 610, at, now, err);
        if (!rc)
            rc = reading(db, out->charger, "cycles", 2100 + (json_int_t)i * 260, at, now, err);
    }
    /* contracts */
    if (!rc)
        rc = add(db, &contract_kind,
                 json_pack("{s:s,s:I,s:s,s:s,s:b,s:b,s:b,s:b,s:I,s:s,s:[I,I]}", "number", "SC-2026-001",
                           "organisation_id", (json_int_t)org[0], "starts_on", "2026-01-01", "ends_on", "2026-12-31",
                           "auto_renew", 1, "covers_parts", 1, "covers_labour", 1, "covers_travel", 1, "price",
                           (json_int_t)12000000, "billing_period", "quarterly", "asset_ids", (json_int_t)out->hvac,
                           (json_int_t)hvac2),
                 now, &id, err);
    if (!rc)
        rc = add(db, &contract_kind,
                 json_pack("{s:s,s:I,s:s,s:s,s:b,s:b,s:I,s:s,s:s}", "number", "CP-2026-01", "organisation_id",
                           (json_int_t)org[3], "starts_on", "2026-01-01", "ends_on", "2026-12-31", "auto_renew", 1,
                           "covers_parts", 1, "price", (json_int_t)480000, "currency", "USD", "billing_period",
                           "monthly"),
                 now, &id, err);
    if (!rc)
        rc = add(db, &contract_kind,
                 json_pack("{s:s,s:I,s:s,s:s,s:b,s:b,s:I,s:s,s:[I]}", "number", "GS-2025-07", "organisation_id",
                           (json_int_t)org[2], "starts_on", "2025-01-01", "ends_on", "2025-12-31", "covers_labour", 1,
                           "covers_travel", 1, "price", (json_int_t)3600000, "billing_period", "yearly", "asset_ids",
                           (json_int_t)chargers[2]),
                 now, &id, err);
    return rc;
}

int64_t
demo_asset_for(const struct demo_assets *a, const char *subject)
{
    if (strstr(subject, "rinter") || strstr(subject, "canner") || strstr(subject, "oner"))
        return a->printer;
    if (strstr(subject, "HVAC") || strstr(subject, "空调"))
        return a->hvac;
    if (strstr(subject, "harger") || strstr(subject, "充电桩"))
        return a->charger;
    if (strstr(subject, "atient monitor"))
        return a->monitor;
    return 0;
}
