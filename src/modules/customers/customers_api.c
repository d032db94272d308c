/* customers_api.c: HTTP routes of organisations, contacts and sites (through
 * the generic record routes), the contact look-up and the organisation's 360
 * view. */
#include "customers_api.h"

#include <string.h>

#include "customers.h"

REC_API_DEFINE(organisations, organisation_kind)
REC_API_DEFINE(contacts, contact_kind)
REC_API_DEFINE(sites, site_kind)

void
organisations_api_overview(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    int64_t id;

    if (api_path_id(r, "organisation", &id))
        return;
    if (customers_store_overview(r->db, id, customers_scope_for(&r->actor), &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* ?email= | ?phone= | ?wechat_openid=: exactly one. */
void
contacts_api_lookup(struct api_req *r)
{
    const char *keys[] = {"email", "phone", "wechat_openid"};
    const char *given[3] = {NULL, NULL, NULL};
    struct tend_err err;
    json_t *out = NULL;
    int n = 0;

    for (int i = 0; i < r->nquery; i++) {
        int known = 0;
        for (int k = 0; k < 3; k++)
            if (strcmp(r->query[i].name, keys[k]) == 0) {
                given[k] = r->query[i].value;
                known = 1;
                n++;
            }
        if (!known) {
            api_send_problem(r, 400, r->query[i].name, "is not a parameter (email, phone, wechat_openid)", NULL);
            return;
        }
    }
    if (n != 1) {
        api_send_problem(r, 400, "email", "give exactly one of email, phone, wechat_openid", NULL);
        return;
    }
    for (int k = 0; k < 3; k++)
        if (given[k] && (!*given[k] || strlen(given[k]) > 254)) {
            api_send_problem(r, 400, keys[k], "must be 1 to 254 characters", NULL);
            return;
        }
    if (customers_store_lookup_contacts(r->db, given[0], given[1], given[2], customers_scope_for(&r->actor), &out,
                                        &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}
