/* calendars_api.c: HTTP routes of business calendars: CRUD, iCalendar import
 * and export, and business-time arithmetic on a stored calendar. */
#include "calendars_api.h"

#include <stdlib.h>
#include <string.h>

#include "calendars_store.h"
#include "sla_write.h"
#include "platform/util/util.h"

/* --- reads ------------------------------------------------------------------ */

void
calendars_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    if (calendars_store_list(r->db, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
calendars_api_get(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;
    int64_t id;

    if (api_path_id(r, "calendar", &id))
        return;
    if (calendars_store_get_json(r->db, id, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

void
calendars_api_export_ics(struct api_req *r)
{
    struct calendar *cal = NULL;
    struct tend_err err;
    int64_t id;
    char *text, disposition[96];

    if (api_path_id(r, "calendar", &id))
        return;
    if (calendars_store_load(r->db, id, &cal, NULL, &err)) {
        api_send_error(r, &err);
        return;
    }
    text = calendar_export_ics(cal, time_now_ms());
    calendar_free(cal);
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"calendar-%lld.ics\"", (long long)id);
    api_add_header(r, "content-disposition", disposition);
    api_send_owned(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
}

/* One instant from the query (RFC 3339), or the problem answered. */
static int
query_time(struct api_req *r, const char *name, int64_t *out)
{
    const char *v = api_query(r, name);

    if (!v || time_parse_rfc3339(v, out) != 0) {
        api_send_problem(r, 400, name, "must be an RFC 3339 time, e.g. 2026-11-23T09:30:00Z", NULL);
        return -1;
    }
    return 0;
}

/* ?from=T&minutes=N: when N business minutes after T have elapsed;
 * ?from=T&to=U: the business minutes between. */
void
calendars_api_business_time(struct api_req *r)
{
    struct calendar *cal = NULL;
    struct tend_err err;
    const char *minutes = api_query(r, "minutes"), *to = api_query(r, "to");
    int64_t id, from, n = 0, until = 0;

    if (api_path_id(r, "calendar", &id))
        return;
    for (int i = 0; i < r->nquery; i++) {
        const char *k = r->query[i].name;
        if (strcmp(k, "from") != 0 && strcmp(k, "minutes") != 0 && strcmp(k, "to") != 0) {
            api_send_problem(r, 400, k, "is not a parameter of this route (from, minutes, to)", NULL);
            return;
        }
    }
    if (query_time(r, "from", &from))
        return;
    if (!minutes == !to) {
        api_send_problem(r, 400, minutes ? "to" : "minutes", "give either minutes or to", NULL);
        return;
    }
    if (minutes && parse_int64(minutes, strlen(minutes), 0, 5256000, &n) != 0) {
        api_send_problem(r, 400, "minutes", "must be a whole number from 0 to 5256000 (ten years)", NULL);
        return;
    }
    if (to && query_time(r, "to", &until))
        return;
    if (calendars_store_load(r->db, id, &cal, NULL, &err)) {
        api_send_error(r, &err);
        return;
    }
    if (minutes) {
        int64_t due = calendar_add_business_minutes(cal, from, n);
        api_send_json(r, 200, json_pack("{s:o,s:I,s:o}", "from", api_time(from), "minutes", (json_int_t)n, "due_at",
                                        due == CALENDAR_NEVER ? json_null() : api_time(due)));
    } else {
        api_send_json(r, 200, json_pack("{s:o,s:o,s:I,s:I}", "from", api_time(from), "to", api_time(until),
                                        "business_minutes", (json_int_t)calendar_business_minutes(cal, from, until),
                                        "business_ms", (json_int_t)calendar_business_ms(cal, from, until)));
    }
    calendar_free(cal);
}

/* --- writes ----------------------------------------------------------------- */

static enum tend_rc
create(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
       struct tend_err *err)
{
    (void)id;
    return calendars_store_create(db, body, actor, now, out, err);
}

static enum tend_rc
delete_calendar(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                struct tend_err *err)
{
    (void)body;
    *out = NULL;
    return calendars_store_delete(db, id, actor, now, err);
}

void
calendars_api_create(struct api_req *r)
{
    sla_write_submit(r, NULL, 1, create);
}

void
calendars_api_replace(struct api_req *r)
{
    sla_write_submit(r, "calendar", 0, calendars_store_replace);
}

void
calendars_api_import_ics(struct api_req *r)
{
    sla_write_submit(r, "calendar", 0, calendars_store_import_ics);
}

void
calendars_api_delete(struct api_req *r)
{
    sla_write_submit(r, "calendar", 0, delete_calendar);
}
