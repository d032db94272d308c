/* sla_report.h: SLA attainment, the one computation the report route and
 * analytics use: clocks decided in a period (met or missed when they stopped,
 * missed when an open clock ran past due), grouped by policy, priority, group,
 * organisation or period. */
#ifndef TEND_SLA_REPORT_H
#define TEND_SLA_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"

struct api_req;

enum sla_report_by { SLA_BY_POLICY, SLA_BY_PRIORITY, SLA_BY_GROUP, SLA_BY_ORGANISATION, SLA_BY_PERIOD };
enum sla_report_period { SLA_PERIOD_DAY, SLA_PERIOD_WEEK, SLA_PERIOD_MONTH };

struct sla_report_query {
    int64_t from, to; /* [from, to) */
    int by;           /* enum sla_report_by */
    int period;       /* enum sla_report_period, for SLA_BY_PERIOD */
    int metric;       /* enum sla_metric, or -1 for all */
};

/* The query parameters from, to (RFC 3339; default the 30 days to now), by,
 * period, metric; TEND_ESYNTAX naming the parameter. */
enum tend_rc sla_report_parse(const struct api_req *r, struct sla_report_query *q, struct tend_err *err);

/* {from, to, by, period, metric, rows: [{key, label, total, met, breached,
 * attainment, avg_elapsed_minutes}], total: {...}} as of `now`. */
enum tend_rc sla_report_run(struct db *db, const struct sla_report_query *q, int64_t now, json_t **out,
                            struct tend_err *err);

/* The period bucket label of instant `ms` (UTC): 2026-11-23, 2026-W48, 2026-11. */
void sla_report_period_label(int64_t ms, int period, char *out, size_t len);

#endif
