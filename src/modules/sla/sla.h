/* sla.h: the SLA engine's public API for other modules: keep a ticket's clocks
 * up to date as things happen to it (called in the same transaction as the
 * change), and the summary every ticket's JSON carries. */
#ifndef TEND_SLA_H
#define TEND_SLA_H

#include <stdint.h>

#include "platform/db/db.h"

struct ticket;
struct jbuf;

/* tickets.sla_flags bits */
enum { SLA_FLAG_BREACHED = 1, SLA_FLAG_PAUSED = 2, SLA_FLAG_ACHIEVED = 4, SLA_FLAG_CLOCKS = 8 };

enum sla_happening {
    SLA_TICKET_CREATED,
    SLA_TICKET_CHANGED,  /* fields or status (priority, group, type... may pick another policy) */
    SLA_AGENT_REPLY,     /* a public reply by staff: the customer got an answer */
    SLA_CUSTOMER_REPLY,  /* a public reply by the customer: a next response is owed */
    SLA_ARRIVED,         /* the engineer arrived on site */
    SLA_REEVALUATE,      /* the policies changed: choose again from now on */
};

/* Bring the clocks of ticket `t` (as it is now, written) up to date with what
 * happened at `now`: choose the policy, start, pause, resume, stop or retarget
 * clocks, raise a breach found on stopping, and write the clocks and the
 * ticket's SLA summary columns (and t's sla_* members). `actor` names who
 * caused it in events. */
enum tend_rc sla_ticket_happened(struct db *db, struct ticket *t, enum sla_happening what, int64_t now,
                                 const char *actor, struct tend_err *err);

struct calendar;
/* The business calendar `id` as the SLA engine has it (calendar.h's pure
 * arithmetic applies), or *out NULL when there is none. The pointer is valid
 * on this thread until its next SLA call that reads the configuration. */
enum tend_rc sla_calendar_get(struct db *db, int64_t id, const struct calendar **out, struct tend_err *err);

/* The summary state at `now`: "running", "warning", "breached", "paused",
 * "achieved", or NULL when the ticket has no clocks. */
const char *sla_summary_state(int64_t flags, int64_t due_at, int64_t warn_at, int64_t now);

/* Write the summary object {policy_id, state, due_at, warning_at, paused,
 * breached}, or null without clocks. */
void sla_summary_write(struct jbuf *b, int64_t policy_id, int64_t due_at, int64_t warn_at, int64_t flags,
                       int64_t now);

#endif
