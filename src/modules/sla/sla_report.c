/* sla_report.c: SLA attainment (sla_report.h): the database counts decided
 * clocks per key (per UTC day for periods, folded into weeks and months here). */
#include "sla_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "clock.h"
#include "platform/http/api.h"
#include "platform/util/util.h"

static const char *const by_names[] = {"policy", "priority", "group", "organisation", "period", NULL};
static const char *const period_names[] = {"day", "week", "month", NULL};

static int
name_index(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

enum tend_rc
sla_report_parse(const struct api_req *r, struct sla_report_query *q, struct tend_err *err)
{
    int have_from = 0, have_period = 0;

    memset(q, 0, sizeof(*q));
    q->metric = -1;
    q->to = time_now_ms();
    for (int i = 0; i < r->nquery; i++) {
        const char *k = r->query[i].name, *v = r->query[i].value;
        if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0) {
            int64_t *at = k[0] == 'f' ? &q->from : &q->to;
            if (time_parse_rfc3339(v, at) != 0)
                return tend_fail(err, TEND_ESYNTAX, k, "must be an RFC 3339 time like 2026-11-01T00:00:00Z");
            if (k[0] == 'f')
                have_from = 1;
        } else if (strcmp(k, "by") == 0) {
            if ((q->by = name_index(by_names, v)) < 0)
                return tend_fail(err, TEND_ESYNTAX, k, "must be policy, priority, group, organisation or period");
        } else if (strcmp(k, "period") == 0) {
            if ((q->period = name_index(period_names, v)) < 0)
                return tend_fail(err, TEND_ESYNTAX, k, "must be day, week or month");
            have_period = 1;
        } else if (strcmp(k, "metric") == 0) {
            if ((q->metric = sla_metric_of(v)) < 0)
                return tend_fail(err, TEND_ESYNTAX, k,
                                 "must be first_response, next_response, resolution or on_site");
        } else {
            return tend_fail(err, TEND_ESYNTAX, k, "is not a parameter (from, to, by, period, metric)");
        }
    }
    if (!have_from)
        q->from = q->to - 30 * CIVIL_DAY_MS;
    if (q->from >= q->to)
        return tend_fail(err, TEND_ESYNTAX, "from", "must be before to");
    if (q->to - q->from > 3700 * CIVIL_DAY_MS)
        return tend_fail(err, TEND_ESYNTAX, "from", "the report covers at most ten years");
    if (q->by == SLA_BY_PERIOD && !have_period)
        q->period = SLA_PERIOD_DAY;
    return TEND_OK;
}

void
sla_report_period_label(int64_t ms, int period, char *out, size_t len)
{
    int64_t day = civil_floordiv(ms, CIVIL_DAY_MS);
    int y, m, d;

    if (period == SLA_PERIOD_WEEK) { /* ISO 8601: the week's Thursday gives the year */
        int64_t thursday = day - civil_weekday(day) + 3;
        civil_from_days(thursday, &y, &m, &d);
        snprintf(out, len, "%04d-W%02d", y, (int)((thursday - civil_days(y, 1, 1)) / 7 + 1));
        return;
    }
    civil_from_days(day, &y, &m, &d);
    if (period == SLA_PERIOD_MONTH)
        snprintf(out, len, "%04d-%02d", y, m);
    else
        snprintf(out, len, "%04d-%02d-%02d", y, m, d);
}

struct tally {
    char key[48];
    char label[256];
    int64_t total, met, achieved, elapsed_ms;
};

static json_t *
tally_json(const struct tally *t, int with_key)
{
    int64_t achieved = t->achieved, total = t->total;
    json_t *avg = achieved > 0 ? json_integer(t->elapsed_ms / (achieved * 60000)) : json_null();
    json_t *share = total > 0 ? json_real((double)t->met / (double)total) : json_null();
    json_t *o = json_pack("{s:I,s:I,s:I,s:o,s:o}", "total", (json_int_t)total, "met", (json_int_t)t->met,
                          "breached", (json_int_t)(total - t->met), "attainment", share, "avg_elapsed_minutes", avg);

    if (with_key) {
        json_object_set_new(o, "key", json_string(t->key));
        json_object_set_new(o, "label", json_string(t->label));
    }
    return o;
}

/* The UTC day number a clock was decided on: met or missed when it stopped,
 * missed at its breach (or due time, when the sweep has not seen it yet). */
#define DECIDED_DAY                                                                                 \
    "(CASE WHEN s.phase = 'achieved' THEN s.achieved_at WHEN s.breached_at > 0 THEN s.breached_at " \
    "ELSE s.due_at END) / 86400000"

/* The key and label columns of each grouping (day numbers for periods). */
static const char *
key_sql(int by)
{
    switch (by) {
    case SLA_BY_PRIORITY:
        return "s.priority, s.priority";
    case SLA_BY_GROUP:
        return "coalesce(t.group_id, 0), coalesce(g.name, '')";
    case SLA_BY_ORGANISATION:
        return "coalesce(t.organisation_id, 0), coalesce(o.name, '')";
    case SLA_BY_PERIOD:
        return DECIDED_DAY ", ''";
    default:
        return "s.policy_id, coalesce(p.name, '')";
    }
}

enum tend_rc
sla_report_run(struct db *db, const struct sla_report_query *q, int64_t now, json_t **out, struct tend_err *err)
{
    char sql[2048];
    struct db_stmt *st;
    struct tally *rows = NULL, all;
    size_t n = 0, cap = 0;
    enum db_step_result r;
    json_t *items;

    snprintf(sql, sizeof(sql),
             "SELECT %s, count(*), "
             "sum(CASE WHEN s.phase = 'achieved' AND s.breached_at = 0 THEN 1 ELSE 0 END), "
             "sum(CASE WHEN s.phase = 'achieved' THEN 1 ELSE 0 END), "
             "sum(CASE WHEN s.phase = 'achieved' THEN s.elapsed_ms ELSE 0 END) "
             "FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id "
             "LEFT JOIN sla_policies p ON p.id = s.policy_id LEFT JOIN groups g ON g.id = t.group_id "
             "LEFT JOIN organisations o ON o.id = t.organisation_id "
             "WHERE ((s.phase = 'achieved' AND s.achieved_at >= ? AND s.achieved_at < ?) "
             "OR (s.phase <> 'achieved' AND s.phase <> 'cancelled' AND s.breached_at >= ? AND s.breached_at < ?) "
             "OR (s.phase = 'running' AND s.breached_at = 0 AND s.due_at > 0 AND s.due_at < ? "
             "AND s.due_at >= ? AND s.due_at < ?)) %s "
             "GROUP BY 1, 2 ORDER BY 1",
             key_sql(q->by), q->metric >= 0 ? "AND s.metric = ?" : "");
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, q->from);
    db_bind_int64(st, 2, q->to);
    db_bind_int64(st, 3, q->from > 0 ? q->from : 1);
    db_bind_int64(st, 4, q->to);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, q->from);
    db_bind_int64(st, 7, q->to);
    if (q->metric >= 0)
        db_bind_str(st, 8, sla_metric_names[q->metric]);
    memset(&all, 0, sizeof(all));
    while ((r = db_step(st, err)) == DB_ROW) {
        struct tally t;
        memset(&t, 0, sizeof(t));
        if (q->by == SLA_BY_PERIOD) {
            sla_report_period_label(db_col_int64(st, 0) * CIVIL_DAY_MS, q->period, t.key, sizeof(t.key));
            strlcopy(t.label, t.key, sizeof(t.label));
        } else {
            strlcopy(t.key, db_col_text(st, 0), sizeof(t.key));
            strlcopy(t.label, db_col_text(st, 1), sizeof(t.label));
            if (!t.label[0])
                snprintf(t.label, sizeof(t.label), "%s",
                         q->by == SLA_BY_POLICY ? "(deleted policy)"
                         : q->by == SLA_BY_GROUP ? "(no group)"
                                                 : "(no organisation)");
        }
        t.total = db_col_int64(st, 2);
        t.met = db_col_int64(st, 3);
        t.achieved = db_col_int64(st, 4);
        t.elapsed_ms = db_col_int64(st, 5);
        if (n > 0 && strcmp(rows[n - 1].key, t.key) == 0) { /* days folded into their week or month */
            rows[n - 1].total += t.total;
            rows[n - 1].met += t.met;
            rows[n - 1].achieved += t.achieved;
            rows[n - 1].elapsed_ms += t.elapsed_ms;
        } else {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                rows = xrealloc(rows, cap * sizeof(*rows));
            }
            rows[n++] = t;
        }
        all.total += t.total;
        all.met += t.met;
        all.achieved += t.achieved;
        all.elapsed_ms += t.elapsed_ms;
    }
    db_reset(st);
    if (r == DB_FAIL) {
        free(rows);
        return err->rc;
    }
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, tally_json(&rows[i], 1));
    free(rows);
    *out = json_pack("{s:o,s:o,s:s,s:o,s:o,s:o,s:o}", "from", api_time(q->from), "to", api_time(q->to), "by",
                     by_names[q->by], "period", q->by == SLA_BY_PERIOD ? json_string(period_names[q->period]) : json_null(),
                     "metric", q->metric >= 0 ? json_string(sla_metric_names[q->metric]) : json_null(), "rows", items,
                     "total", tally_json(&all, 0));
    return TEND_OK;
}
