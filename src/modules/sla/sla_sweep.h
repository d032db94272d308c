/* sla_sweep.h: the scheduled job that raises SLA warnings, breaches and
 * escalations: once per clock and level, inside the job's exactly-once claim. */
#ifndef TEND_SLA_SWEEP_H
#define TEND_SLA_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"

#define SLA_SWEEP_BATCH 500 /* clocks per run; the rest wait for the next slot */

/* Raise every level due by `now` on running clocks (up to SLA_SWEEP_BATCH):
 * sla.warning, sla.breached, sla.escalated events, and the escalations'
 * priority and assignment changes. A scheduler job (src/app/jobs.c). */
enum tend_rc sla_sweep(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err);

#endif
