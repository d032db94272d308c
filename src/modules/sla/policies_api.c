/* policies_api.c: HTTP routes of SLA policies: list, read, create, replace,
 * delete (writes through the writer thread, sla_write.h). */
#include "policies_api.h"

#include "policies_store.h"
#include "sla_write.h"

void
sla_policies_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    if (sla_policies_list(r->db, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
sla_policies_api_get(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    int64_t id;

    if (api_path_id(r, "SLA policy", &id))
        return;
    if (sla_policies_get_json(r->db, id, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
sla_policies_api_create(struct api_req *r)
{
    sla_write_submit(r, NULL, 1, sla_policies_create);
}

void
sla_policies_api_replace(struct api_req *r)
{
    sla_write_submit(r, "SLA policy", 0, sla_policies_replace);
}

void
sla_policies_api_delete(struct api_req *r)
{
    sla_write_submit(r, "SLA policy", 0, sla_policies_delete);
}
