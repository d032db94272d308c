/* assets_api.c: HTTP routes of products, models, assets and contracts
 * (through the generic record routes), and of what only assets have: the
 * serial look-up, the 360 view, entitlement on a date and meter readings. */
#include "assets_api.h"

#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "platform/util/util.h"

REC_API_DEFINE(products, product_kind)
REC_API_DEFINE(models, model_kind)
REC_API_DEFINE(assets, asset_kind)
REC_API_DEFINE(contracts, contract_kind)

/* Refuse every query parameter but `allowed` (NULL-terminated); -1 when answered. */
static int
only_params(struct api_req *r, const char *const *allowed, const char *list)
{
    for (int i = 0; i < r->nquery; i++) {
        int ok = 0;
        for (int k = 0; allowed[k]; k++)
            ok |= strcmp(r->query[i].name, allowed[k]) == 0;
        if (!ok) {
            api_send_problem(r, 400, r->query[i].name, list, NULL);
            return -1;
        }
    }
    return 0;
}

void
assets_api_lookup(struct api_req *r)
{
    static const char *const allowed[] = {"serial", NULL};
    const char *serial = api_query(r, "serial");
    struct tend_err err;
    json_t *out = NULL;

    if (only_params(r, allowed, "is not a parameter (serial)"))
        return;
    if (!serial || !*serial || strlen(serial) > 100) {
        api_send_problem(r, 400, "serial", "is required: 1 to 100 characters", NULL);
        return;
    }
    if (assets_store_lookup_serial(r->db, serial, customers_scope_for(&r->actor), &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
assets_api_overview(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    char today[11];
    int64_t id;

    if (api_path_id(r, "asset", &id))
        return;
    assets_date_of(time_now_ms(), today);
    if (assets_store_overview(r->db, id, customers_scope_for(&r->actor), today, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* The asset of the path, within the caller's reach; -1 when answered. */
static int
visible_asset(struct api_req *r, int64_t *id)
{
    struct tend_err err;
    json_t *asset = NULL;

    if (api_path_id(r, "asset", id))
        return -1;
    if (rec_store_get(r->db, &asset_kind, *id, customers_scope_for(&r->actor), &asset, &err)) {
        api_send_error(r, &err);
        return -1;
    }
    json_decref(asset);
    return 0;
}

void
assets_api_entitlement(struct api_req *r)
{
    static const char *const allowed[] = {"date", NULL};
    const char *date = api_query(r, "date");
    struct tend_err err;
    json_t *out = NULL;
    char today[11];
    int64_t id;

    if (only_params(r, allowed, "is not a parameter (date)"))
        return;
    if (date && !rec_date_valid(date)) {
        api_send_problem(r, 400, "date", "must be a date YYYY-MM-DD", NULL);
        return;
    }
    if (visible_asset(r, &id))
        return;
    assets_date_of(time_now_ms(), today);
    if (assets_store_entitlement(r->db, id, date ? date : today, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
assets_api_readings(struct api_req *r)
{
    static const char *const allowed[] = {"meter", "limit", NULL};
    const char *meter = api_query(r, "meter"), *limit = api_query(r, "limit");
    struct tend_err err;
    json_t *out = NULL;
    int64_t id, lim = 100;

    if (only_params(r, allowed, "is not a parameter (meter, limit)"))
        return;
    if (meter && strcmp(meter, "hours") != 0 && strcmp(meter, "cycles") != 0 && strcmp(meter, "pages") != 0) {
        api_send_problem(r, 400, "meter", "must be one of hours, cycles, pages", NULL);
        return;
    }
    if (limit && parse_int64(limit, strlen(limit), 1, 1000, &lim) != 0) {
        api_send_problem(r, 400, "limit", "must be an integer from 1 to 1000", NULL);
        return;
    }
    if (visible_asset(r, &id))
        return;
    if (assets_store_readings(r->db, id, meter, (int)lim, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

struct reading_write {
    struct api_write w; /* first */
    int64_t asset_id;
    json_t *body;
    char actor[72];
    json_t *result;
};

static enum tend_rc
reading_apply(struct api_write *w, struct db *db)
{
    struct reading_write *c = (struct reading_write *)w;
    return assets_store_add_reading(db, c->asset_id, c->body, c->actor, time_now_ms(), &c->result, &w->task.err);
}

static void
reading_respond(struct api_write *w, struct api_req *r)
{
    struct reading_write *c = (struct reading_write *)w;

    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    api_send_json(r, 201, c->result);
    c->result = NULL;
}

static void
reading_release(struct api_write *w)
{
    struct reading_write *c = (struct reading_write *)w;
    json_decref(c->body);
    json_decref(c->result);
    free(c);
}

void
assets_api_add_reading(struct api_req *r)
{
    struct reading_write *c;
    int64_t id;

    if (visible_asset(r, &id))
        return;
    c = xcalloc(1, sizeof(*c));
    c->asset_id = id;
    c->body = r->body ? json_deep_copy(r->body) : json_object();
    strlcopy(c->actor, r->actor.username, sizeof(c->actor));
    c->w.apply = reading_apply;
    c->w.respond = reading_respond;
    c->w.release = reading_release;
    api_submit_write(r, &c->w);
}
