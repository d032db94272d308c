/* assets_store.c: the SQL of the asset side beyond plain records: the
 * contracts that cover an asset and its entitlement, look-up by serial, meter
 * readings, what a ticket shows of its asset, and the asset's 360 view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/util.h"

#define MAX_CONTRACTS 64

/* Contracts that name the asset, and those of its organisation that name no
 * asset at all (they cover every asset of it). Strings owned by `hold`. */
struct contract_set {
    struct ent_contract c[MAX_CONTRACTS];
    char *hold[MAX_CONTRACTS * 5];
    int n, nhold;
};

static void
contract_set_free(struct contract_set *s)
{
    for (int i = 0; i < s->nhold; i++)
        free(s->hold[i]);
}

static const char *
keep(struct contract_set *s, struct db_stmt *st, int col)
{
    char *v = xstrdup(db_col_is_null(st, col) ? "" : db_col_text(st, col));
    s->hold[s->nhold++] = v;
    return v;
}

#define CONTRACT_COLS                                                                                                  \
    "c.id, c.number, c.status, c.starts_on, c.ends_on, c.auto_renew, c.covers_parts, c.covers_labour, "                \
    "c.covers_travel, c.sla_policy_id"

static enum tend_rc
load_contracts(struct db *db, int64_t asset_id, int64_t org, struct contract_set *s, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        "SELECT " CONTRACT_COLS " FROM contract_assets ca JOIN contracts c ON c.id = ca.contract_id "
        "WHERE ca.asset_id = ? UNION SELECT " CONTRACT_COLS " FROM contracts c WHERE c.organisation_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM contract_assets x WHERE x.contract_id = c.id) ORDER BY 1",
        err);
    enum db_step_result r;

    memset(s, 0, sizeof(*s));
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, asset_id);
    db_bind_int64(st, 2, org);
    while ((r = db_step(st, err)) == DB_ROW) {
        struct ent_contract *c;
        if (s->n >= MAX_CONTRACTS)
            continue;
        c = &s->c[s->n++];
        c->id = db_col_int64(st, 0);
        c->number = keep(s, st, 1);
        c->status = keep(s, st, 2);
        c->starts_on = keep(s, st, 3);
        c->ends_on = keep(s, st, 4);
        c->auto_renew = db_col_int64(st, 5) != 0;
        c->parts = db_col_int64(st, 6) != 0;
        c->labour = db_col_int64(st, 7) != 0;
        c->travel = db_col_int64(st, 8) != 0;
        c->sla_policy_id = db_col_is_null(st, 9) ? 0 : db_col_int64(st, 9);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        contract_set_free(s);
        return err->rc;
    }
    return TEND_OK;
}

/* The columns read_asset_row reads, from assets a joined to their model m. */
#define ASSET_ROW                                                                                                      \
    "SELECT a.id, a.model_id, a.organisation_id, a.site_id, a.parent_id, a.serial, a.status, a.warranty_start, "       \
    "a.warranty_end, m.code, m.name FROM assets a JOIN product_models m ON m.id = a.model_id "

struct asset_row {
    int64_t id, model_id, organisation_id, site_id, parent_id;
    char serial[128], status[16], warranty_start[12], warranty_end[12];
    char model_code[80], model_name[256];
};

static void
copy_col(struct db_stmt *st, int col, char *out, size_t outlen)
{
    strlcopy(out, db_col_is_null(st, col) ? "" : db_col_text(st, col), outlen);
}

static void
read_asset_row(struct db_stmt *st, void *out)
{
    struct asset_row *a = out;

    a->id = db_col_int64(st, 0);
    a->model_id = db_col_int64(st, 1);
    a->organisation_id = db_col_is_null(st, 2) ? 0 : db_col_int64(st, 2);
    a->site_id = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3);
    a->parent_id = db_col_is_null(st, 4) ? 0 : db_col_int64(st, 4);
    copy_col(st, 5, a->serial, sizeof(a->serial));
    copy_col(st, 6, a->status, sizeof(a->status));
    copy_col(st, 7, a->warranty_start, sizeof(a->warranty_start));
    copy_col(st, 8, a->warranty_end, sizeof(a->warranty_end));
    copy_col(st, 9, a->model_code, sizeof(a->model_code));
    copy_col(st, 10, a->model_name, sizeof(a->model_name));
}

static enum tend_rc
get_asset_row(struct db *db, int64_t id, struct asset_row *a, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    ASSET_ROW "WHERE a.id = ?",
                                    err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_asset_row, a, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no asset %lld", (long long)id);
    return rc;
}

static json_t *
entitlement_of(const struct asset_row *a, const struct contract_set *s, const char *date)
{
    struct ent_decision d;

    entitlement_decide(date, a->warranty_start, a->warranty_end, s->c, s->n, &d);
    return entitlement_json(date, a->warranty_start, a->warranty_end, s->c, &d);
}

enum tend_rc
assets_store_entitlement(struct db *db, int64_t id, const char *date, json_t **out, struct tend_err *err)
{
    struct asset_row a = {0};
    struct contract_set s;
    enum tend_rc rc = get_asset_row(db, id, &a, err);

    if (rc == TEND_OK)
        rc = load_contracts(db, id, a.organisation_id, &s, err);
    if (rc)
        return rc;
    *out = entitlement_of(&a, &s, date);
    contract_set_free(&s);
    return TEND_OK;
}

enum tend_rc
assets_store_organisation_of(struct db *db, int64_t id, int64_t *organisation_id, struct tend_err *err)
{
    struct asset_row a = {0};
    enum tend_rc rc = get_asset_row(db, id, &a, err);

    *organisation_id = rc ? 0 : a.organisation_id;
    return rc;
}

static json_t *
ref_json(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *
asset_summary(const struct asset_row *a)
{
    return json_pack("{s:I,s:s,s:s,s:{s:I,s:s,s:s},s:o,s:o,s:o,s:o}", "id", (json_int_t)a->id, "serial", a->serial,
                     "status", a->status, "model", "id", (json_int_t)a->model_id, "code", a->model_code, "name",
                     a->model_name, "organisation_id", ref_json(a->organisation_id), "site_id", ref_json(a->site_id),
                     "parent_id", ref_json(a->parent_id), "warranty_end",
                     a->warranty_end[0] ? json_string(a->warranty_end) : json_null());
}

enum tend_rc
assets_store_ticket_context(struct db *db, int64_t id, int64_t at_ms, json_t **asset, json_t **entitlement,
                            struct tend_err *err)
{
    struct asset_row a = {0};
    struct contract_set s;
    char date[11];
    enum tend_rc rc = get_asset_row(db, id, &a, err);

    if (rc == TEND_OK)
        rc = load_contracts(db, id, a.organisation_id, &s, err);
    if (rc)
        return rc;
    assets_date_of(at_ms, date);
    *asset = asset_summary(&a);
    *entitlement = entitlement_of(&a, &s, date);
    contract_set_free(&s);
    return TEND_OK;
}

/* End a list read: reset `st`; on failure drop `items`, else *out = {items}. */
static enum tend_rc
finish_items(struct db_stmt *st, enum db_step_result r, json_t *items, json_t **out, struct tend_err *err)
{
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(items);
        return err->rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

enum tend_rc
assets_store_lookup_serial(struct db *db, const char *serial, int64_t scope_org, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT a.id, a.model_id, a.organisation_id, a.site_id, a.parent_id, a.serial, "
                                    "a.status, a.warranty_start, a.warranty_end, m.code, m.name, o.name "
                                    "FROM assets a JOIN product_models m ON m.id = a.model_id "
                                    "LEFT JOIN organisations o ON o.id = a.organisation_id "
                                    "WHERE a.serial = ? ORDER BY a.id LIMIT 50",
                                    err);
    enum db_step_result r;
    json_t *items;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, serial);
    items = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        struct asset_row a = {0};
        json_t *item;
        read_asset_row(st, &a);
        if (scope_org && a.organisation_id != scope_org)
            continue;
        item = asset_summary(&a);
        json_object_set_new(item, "organisation",
                            a.organisation_id ? json_pack("{s:I,s:s}", "id", (json_int_t)a.organisation_id, "name",
                                                          db_col_text(st, 11))
                                              : json_null());
        json_array_append_new(items, item);
    }
    return finish_items(st, r, items, out, err);
}

/* --- meter readings --------------------------------------------------------- */

static json_t *
reading_json(struct db_stmt *st)
{
    return json_pack("{s:I,s:s,s:I,s:o,s:s,s:o}", "id", (json_int_t)db_col_int64(st, 0), "meter", db_col_text(st, 1),
                     "value", (json_int_t)db_col_int64(st, 2), "read_at", api_time(db_col_int64(st, 3)), "source",
                     db_col_text(st, 4), "recorded_by",
                     db_col_is_null(st, 5) ? json_null() : json_string(db_col_text(st, 5)));
}

enum tend_rc
assets_store_add_reading(struct db *db, int64_t asset_id, const json_t *body, const char *actor, int64_t now,
                         json_t **out, struct tend_err *err)
{
    const json_t *meter = json_object_get(body, "meter"), *value = json_object_get(body, "value");
    const json_t *at = json_object_get(body, "read_at"), *source = json_object_get(body, "source");
    const char *key;
    json_t *v;
    int64_t read_at = now, id = 0, before = -1;
    struct db_stmt *st;
    enum db_step_result r;
    enum tend_rc rc;

    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "meter") != 0 && strcmp(key, "value") != 0 && strcmp(key, "read_at") != 0 && strcmp(key, "source") != 0)
            return tend_fail(err, TEND_EINVAL, key, "is not a field of a reading (meter, value, read_at, source)");
    }
    if (!json_is_string(meter) || (strcmp(json_string_value(meter), "hours") != 0 && strcmp(json_string_value(meter), "cycles") != 0 &&
                                   strcmp(json_string_value(meter), "pages") != 0))
        return tend_fail(err, TEND_EINVAL, "meter", "must be one of hours, cycles, pages");
    if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 1000000000000LL)
        return tend_fail(err, TEND_EINVAL, "value", "must be a whole number from 0 to 10^12");
    if (at && (!json_is_string(at) || time_parse_rfc3339(json_string_value(at), &read_at) != 0))
        return tend_fail(err, TEND_EINVAL, "read_at", "must be an RFC 3339 time");
    if (at && read_at > now + 300000)
        return tend_fail(err, TEND_EINVAL, "read_at", "must not be in the future");
    if (source && (!json_is_string(source) || json_string_length(source) == 0 || json_string_length(source) > 32))
        return tend_fail(err, TEND_EINVAL, "source", "must be 1 to 32 characters, e.g. manual, iot, visit");
    rc = rec_store_exists(db, "assets", asset_id, err);
    if (rc)
        return rc == TEND_ENOTFOUND ? tend_fail(err, rc, "id", "no asset %lld", (long long)asset_id) : rc;
    /* a meter only counts up: the reading before this time bounds it */
    st = db_prepare(db,
                    "SELECT value FROM meter_readings WHERE asset_id = ? AND meter = ? AND read_at <= ? "
                    "ORDER BY read_at DESC, id DESC LIMIT 1",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, asset_id);
    db_bind_str(st, 2, json_string_value(meter));
    db_bind_int64(st, 3, read_at);
    r = db_step(st, err);
    if (r == DB_ROW)
        before = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (before > json_integer_value(value))
        return tend_fail(err, TEND_EINVAL, "value", "is below the previous %s reading (%lld)",
                         json_string_value(meter), (long long)before);
    st = db_prepare(db,
                    "INSERT INTO meter_readings (asset_id, meter, value, read_at, source, recorded_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, asset_id);
    db_bind_str(st, 2, json_string_value(meter));
    db_bind_int64(st, 3, json_integer_value(value));
    db_bind_int64(st, 4, read_at);
    db_bind_str(st, 5, source ? json_string_value(source) : "manual");
    db_bind_str(st, 6, actor);
    db_bind_int64(st, 7, now);
    rc = db_run_returning_id(st, &id, err);
    if (rc == TEND_OK)
        rc = event_record(db, "asset.meter_read", "asset", asset_id, actor,
                          json_pack("{s:O,s:O}", "meter", meter, "value", value), now, err);
    if (rc)
        return rc;
    *out = json_pack("{s:I,s:O,s:O,s:o,s:s,s:s}", "id", (json_int_t)id, "meter", meter, "value", value, "read_at",
                     api_time(read_at), "source", source ? json_string_value(source) : "manual", "recorded_by",
                     actor ? actor : "");
    return TEND_OK;
}

enum tend_rc
assets_store_readings(struct db *db, int64_t asset_id, const char *meter, int limit, json_t **out,
                      struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    meter ? "SELECT id, meter, value, read_at, source, recorded_by FROM meter_readings "
                                            "WHERE asset_id = ? AND meter = ? ORDER BY read_at DESC, id DESC LIMIT ?"
                                          : "SELECT id, meter, value, read_at, source, recorded_by FROM meter_readings "
                                            "WHERE asset_id = ? ORDER BY read_at DESC, id DESC LIMIT ?",
                                    err);
    enum db_step_result r;
    json_t *items;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, asset_id);
    if (meter)
        db_bind_str(st, 2, meter);
    db_bind_int64(st, meter ? 3 : 2, limit);
    items = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(items, reading_json(st));
    return finish_items(st, r, items, out, err);
}

/* --- contracts and the 360 view ------------------------------------------------ */

static json_t *
contract_summary(const struct ent_contract *c)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:{s:b,s:b,s:b},s:o}", "id", (json_int_t)c->id, "number", c->number,
                     "status", c->status, "starts_on", c->starts_on, "ends_on", c->ends_on, "auto_renew",
                     c->auto_renew, "covers", "parts", c->parts, "labour", c->labour, "travel", c->travel,
                     "sla_policy_id", ref_json(c->sla_policy_id));
}

enum tend_rc
assets_store_contracts_of(struct db *db, int64_t organisation_id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " CONTRACT_COLS ", (SELECT count(*) FROM contract_assets x WHERE "
                                    "x.contract_id = c.id) FROM contracts c WHERE c.organisation_id = ? "
                                    "ORDER BY c.ends_on DESC, c.id LIMIT 200",
                                    err);
    struct contract_set s;
    enum db_step_result r;
    json_t *items;

    if (!st)
        return err->rc;
    memset(&s, 0, sizeof(s));
    db_bind_int64(st, 1, organisation_id);
    items = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        struct ent_contract c = {db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                                 db_col_text(st, 4), db_col_int64(st, 5) != 0, db_col_int64(st, 6) != 0,
                                 db_col_int64(st, 7) != 0, db_col_int64(st, 8) != 0,
                                 db_col_is_null(st, 9) ? 0 : db_col_int64(st, 9)};
        json_t *item = contract_summary(&c);
        json_object_set_new(item, "covered_assets", json_integer(db_col_int64(st, 10)));
        json_array_append_new(items, item);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(items);
        return err->rc;
    }
    *out = items;
    return TEND_OK;
}

/* Components: the assets whose parent is `id`, as summaries. */
static enum tend_rc
components_of(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    ASSET_ROW "WHERE a.parent_id = ? "
                                    "ORDER BY a.id LIMIT 200",
                                    err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    *out = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        struct asset_row a = {0};
        read_asset_row(st, &a);
        json_array_append_new(*out, asset_summary(&a));
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* The latest reading of each meter: {hours: {value, read_at}, ...}. */
static json_t *
latest_meters(const json_t *history)
{
    json_t *latest = json_object(), *item;
    size_t i;

    json_array_foreach(history, i, item) {
        const char *m = json_string_value(json_object_get(item, "meter"));
        if (m && !json_object_get(latest, m))
            json_object_set_new(latest, m,
                                json_pack("{s:O,s:O}", "value", json_object_get(item, "value"), "read_at",
                                          json_object_get(item, "read_at")));
    }
    return latest;
}

/* Put record `k`/`id` (or null when id is 0 or it is gone) under `name`. */
static enum tend_rc
put_record(struct db *db, json_t *out, const char *name, const struct rec_kind *k, int64_t id, struct tend_err *err)
{
    json_t *rec = NULL;
    enum tend_rc rc = id ? rec_store_get(db, k, id, 0, &rec, err) : TEND_OK;

    if (rc == TEND_ENOTFOUND)
        rc = TEND_OK;
    json_object_set_new(out, name, rec ? rec : json_null());
    return rc;
}

enum tend_rc
assets_store_overview(struct db *db, int64_t id, int64_t scope_org, const char *today, json_t **out,
                      struct tend_err *err)
{
    json_t *asset = NULL, *v = NULL, *history = NULL;
    struct asset_row a = {0};
    struct contract_set s;
    int64_t product_id = 0;
    enum tend_rc rc = rec_store_get(db, &asset_kind, id, scope_org, &asset, err);

    if (rc)
        return rc;
    rc = get_asset_row(db, id, &a, err);
    if (rc == TEND_OK)
        rc = load_contracts(db, id, a.organisation_id, &s, err);
    if (rc) {
        json_decref(asset);
        return rc;
    }
    *out = json_pack("{s:o}", "asset", asset);
    rc = put_record(db, *out, "model", &model_kind, a.model_id, err);
    if (rc == TEND_OK) {
        product_id = json_integer_value(json_object_get(json_object_get(*out, "model"), "product_id"));
        rc = put_record(db, *out, "product", &product_kind, product_id, err);
    }
    if (rc == TEND_OK)
        rc = put_record(db, *out, "organisation", &organisation_kind, a.organisation_id, err);
    if (rc == TEND_OK)
        rc = put_record(db, *out, "site", &site_kind, a.site_id, err);
    if (rc == TEND_OK)
        rc = put_record(db, *out, "parent", &asset_kind, a.parent_id, err);
    if (rc == TEND_OK && (rc = components_of(db, id, &v, err)) == TEND_OK)
        json_object_set_new(*out, "components", v);
    else
        json_decref(v);
    if (rc == TEND_OK && (rc = assets_store_readings(db, id, NULL, 50, &history, err)) == TEND_OK) {
        json_t *items = json_object_get(history, "items");
        json_object_set_new(*out, "meters",
                            json_pack("{s:o,s:O}", "latest", latest_meters(items), "history", items));
        json_decref(history);
    }
    if (rc == TEND_OK) {
        json_t *contracts = json_array();
        for (int i = 0; i < s.n; i++)
            json_array_append_new(contracts, contract_summary(&s.c[i]));
        json_object_set_new(*out, "contracts", contracts);
        json_object_set_new(*out, "entitlement", entitlement_of(&a, &s, today));
    }
    v = NULL;
    if (rc == TEND_OK && (rc = customers_store_tickets_of(db, "asset_id", id, 20, &v, err)) == TEND_OK)
        json_object_set_new(*out, "tickets", v);
    /* filled by the parts and surveys modules when they exist */
    json_object_set_new(*out, "parts_replaced", json_array());
    json_object_set_new(*out, "satisfaction", json_array());
    contract_set_free(&s);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
