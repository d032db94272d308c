/* customers_store.c: the SQL of the intake look-ups (a contact by e-mail,
 * phone or WeChat OpenID), of the tickets of an organisation or asset, and of
 * the organisation's 360 view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "modules/assets/assets.h"
#include "platform/http/api.h"
#include "platform/util/util.h"

enum tend_rc
customers_store_lookup_contacts(struct db *db, const char *email, const char *phone, const char *wechat_openid,
                                int64_t scope_org, json_t **out, struct tend_err *err)
{
    char key[256];
    const char *sql;
    struct db_stmt *st;
    enum db_step_result r;
    json_t *items, *ids;
    size_t i;
    json_t *id;

    if (email) {
        size_t n = strlcopy(key, email, sizeof(key));
        for (size_t j = 0; j < n && j < sizeof(key); j++)
            if (key[j] >= 'A' && key[j] <= 'Z')
                key[j] = (char)(key[j] + 32);
        sql = "SELECT c.id, o.name, o.tier FROM contacts c JOIN organisations o ON o.id = c.organisation_id "
              "WHERE c.email_norm = ? ORDER BY c.id LIMIT 50";
    } else if (phone) {
        rec_phone_norm(phone, key, sizeof(key));
        sql = "SELECT c.id, o.name, o.tier FROM contacts c JOIN organisations o ON o.id = c.organisation_id "
              "WHERE c.phone_norm = ? ORDER BY c.id LIMIT 50";
    } else {
        strlcopy(key, wechat_openid, sizeof(key));
        sql = "SELECT c.id, o.name, o.tier FROM contacts c JOIN organisations o ON o.id = c.organisation_id "
              "WHERE c.wechat_openid = ? ORDER BY c.id LIMIT 50";
    }
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, key);
    ids = json_array();
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(ids, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)db_col_int64(st, 0), "name",
                                             db_col_text(st, 1), "tier", db_col_text(st, 2)));
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(ids);
        return err->rc;
    }
    items = json_array();
    json_array_foreach(ids, i, id) {
        json_t *contact = NULL;
        enum tend_rc rc =
            rec_store_get(db, &contact_kind, json_integer_value(json_object_get(id, "id")), scope_org, &contact, err);
        if (rc == TEND_ENOTFOUND)
            continue; /* another organisation's, for a customer */
        if (rc) {
            json_decref(ids);
            json_decref(items);
            return rc;
        }
        json_object_set_new(contact, "organisation",
                            json_pack("{s:O,s:O,s:O}", "id", json_object_get(contact, "organisation_id"), "name",
                                      json_object_get(id, "name"), "tier", json_object_get(id, "tier")));
        json_array_append_new(items, contact);
    }
    json_decref(ids);
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

static json_t *
ticket_row(struct db_stmt *st)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_col_int64(st, 0), "number",
                     db_col_text(st, 1), "subject", db_col_text(st, 2), "status", db_col_text(st, 3),
                     "status_category", db_col_text(st, 4), "priority", db_col_text(st, 5), "asset_id",
                     db_col_is_null(st, 6) ? json_null() : json_integer(db_col_int64(st, 6)), "created_at",
                     api_time(db_col_int64(st, 7)), "updated_at", api_time(db_col_int64(st, 8)));
}

enum tend_rc
customers_store_tickets_of(struct db *db, const char *column, int64_t id, int limit, json_t **out,
                           struct tend_err *err)
{
    char sql[512];
    json_t *open = json_array(), *past = json_array();

    /* open: every one not closed or resolved (newest first, at most 200);
     * past: the latest `limit` resolved or closed ones */
    for (int pass = 0; pass < 2; pass++) {
        struct db_stmt *st;
        enum db_step_result r;
        snprintf(sql, sizeof(sql),
                 "SELECT id, number, subject, status, status_category, priority, asset_id, created_at, updated_at "
                 "FROM tickets WHERE %s = ? AND status_category %s ('resolved', 'closed') ORDER BY id DESC LIMIT ?",
                 strcmp(column, "asset_id") == 0 ? "asset_id" : "organisation_id", pass ? "IN" : "NOT IN");
        st = db_prepare(db, sql, err);
        if (!st)
            goto fail;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, pass ? limit : 200);
        while ((r = db_step(st, err)) == DB_ROW)
            json_array_append_new(pass ? past : open, ticket_row(st));
        db_reset(st);
        if (r == DB_FAIL)
            goto fail;
    }
    *out = json_pack("{s:o,s:o}", "open", open, "past", past);
    return TEND_OK;
fail:
    json_decref(open);
    json_decref(past);
    return err->rc;
}

/* The first page (200) of a kind's rows of organisation `id` under `name`. */
static enum tend_rc
put_list(struct db *db, json_t *out, const char *name, const struct rec_kind *k, int64_t id, struct tend_err *err)
{
    struct rec_filter f;
    json_t *org = json_integer(id), *page = NULL;
    enum tend_rc rc;

    memset(&f, 0, sizeof(f));
    f.names[0] = "organisation_id";
    f.values[0] = org;
    f.n = 1;
    f.limit = REC_LIST_MAX;
    rc = rec_store_list(db, k, &f, &page, err);
    json_decref(org);
    if (rc)
        return rc;
    json_object_set(out, name, json_object_get(page, "items"));
    json_decref(page);
    return TEND_OK;
}

enum tend_rc
customers_store_overview(struct db *db, int64_t id, int64_t scope_org, json_t **out, struct tend_err *err)
{
    json_t *org = NULL, *v = NULL;
    int64_t nassets = 0, ncontacts = 0, nsites = 0;
    enum tend_rc rc = rec_store_get(db, &organisation_kind, id, scope_org, &org, err);

    if (rc)
        return rc;
    *out = json_pack("{s:o}", "organisation", org);
    rc = put_list(db, *out, "contacts", &contact_kind, id, err);
    if (rc == TEND_OK)
        rc = put_list(db, *out, "sites", &site_kind, id, err);
    if (rc == TEND_OK)
        rc = put_list(db, *out, "assets", &asset_kind, id, err);
    if (rc == TEND_OK && (rc = customers_store_tickets_of(db, "organisation_id", id, 50, &v, err)) == TEND_OK)
        json_object_set_new(*out, "tickets", v);
    v = NULL;
    if (rc == TEND_OK && (rc = assets_store_contracts_of(db, id, &v, err)) == TEND_OK)
        json_object_set_new(*out, "contracts", v);
    if (rc == TEND_OK)
        rc = rec_store_scalar(db, "SELECT count(*) FROM assets WHERE organisation_id = ?", id, &nassets, err);
    if (rc == TEND_OK)
        rc = rec_store_scalar(db, "SELECT count(*) FROM contacts WHERE organisation_id = ?", id, &ncontacts, err);
    if (rc == TEND_OK)
        rc = rec_store_scalar(db, "SELECT count(*) FROM sites WHERE organisation_id = ?", id, &nsites, err);
    if (rc == TEND_OK)
        json_object_set_new(*out, "counts",
                            json_pack("{s:I,s:I,s:I}", "contacts", (json_int_t)ncontacts, "sites", (json_int_t)nsites,
                                      "assets", (json_int_t)nassets));
    /* filled by the parts and surveys modules when they exist */
    json_object_set_new(*out, "parts_replaced", json_array());
    json_object_set_new(*out, "satisfaction", json_array());
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
