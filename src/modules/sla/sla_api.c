/* sla_api.c: HTTP routes of a ticket's SLA clocks, the engineer's arrival on
 * site, and the attainment report. */
#include "sla_api.h"

#include <string.h>

#include "modules/tickets/tickets.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "sla.h"
#include "sla_report.h"
#include "sla_store.h"
#include "sla_write.h"

/* The ticket of the path, in the caller's scope (404 otherwise). */
static int
scoped_ticket(struct api_req *r, struct ticket *t)
{
    struct ticket_scope scope = ticket_scope_for(&r->actor);
    struct tend_err err;
    int64_t id;

    if (api_path_id(r, "ticket", &id))
        return -1;
    if (tickets_store_get(r->db, id, &scope, t, &err)) {
        api_send_error(r, &err);
        return -1;
    }
    return 0;
}

void
sla_api_ticket(struct api_req *r)
{
    struct ticket t;
    struct tend_err err;
    json_t *out = NULL;
    enum tend_rc rc;

    if (scoped_ticket(r, &t))
        return;
    rc = sla_store_ticket_json(r->db, t.id, t.sla_policy_id, time_now_ms(), &out, &err);
    ticket_cleanup(&t);
    if (rc)
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* The arrival at body.at (default now): not before the ticket, not ahead of now. */
static enum tend_rc
arrived(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
        struct tend_err *err)
{
    const json_t *at = json_object_get(body, "at");
    int64_t when = now;
    struct ticket t;
    const char *k;
    json_t *v;
    enum tend_rc rc;

    json_object_foreach((json_t *)body, k, v)
        if (strcmp(k, "at") != 0)
            return tend_fail(err, TEND_EINVAL, k, "is not a known field (at)");
    if (at && !json_is_null(at) && (!json_is_string(at) || time_parse_rfc3339(json_string_value(at), &when) != 0))
        return tend_fail(err, TEND_EINVAL, "at", "must be an RFC 3339 time like 2026-11-23T09:30:00Z");
    if (when > now + 60000)
        return tend_fail(err, TEND_EINVAL, "at", "is in the future");
    rc = tickets_store_get(db, id, NULL, &t, err);
    if (rc)
        return rc;
    if (when < t.created_at)
        rc = tend_fail(err, TEND_EINVAL, "at", "is before the ticket was opened");
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.on_site", "ticket", id, actor, json_pack("{s:o}", "at", api_time(when)), now,
                          err);
    if (rc == TEND_OK)
        rc = sla_ticket_happened(db, &t, SLA_ARRIVED, when < now ? when : now, actor, err);
    if (rc == TEND_OK)
        rc = sla_store_ticket_json(db, id, t.sla_policy_id, now, out, err);
    ticket_cleanup(&t);
    return rc;
}

void
sla_api_on_site(struct api_req *r)
{
    struct ticket t;

    if (scoped_ticket(r, &t))
        return;
    ticket_cleanup(&t);
    sla_write_submit(r, "ticket", 0, arrived);
}

void
sla_api_report(struct api_req *r)
{
    struct sla_report_query q;
    struct tend_err err;
    json_t *out = NULL;

    if (sla_report_parse(r, &q, &err) || sla_report_run(r->db, &q, time_now_ms(), &out, &err)) {
        api_send_error(r, &err);
        return;
    }
    api_send_json(r, 200, out);
}
