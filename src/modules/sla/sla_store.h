/* sla_store.h: what the SLA module's files share: the policies and calendars
 * in force (cached per thread, checked against the database on each use), and
 * the ticket_sla rows of a ticket. */
#ifndef TEND_SLA_STORE_H
#define TEND_SLA_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "calendar.h"
#include "clock.h"
#include "platform/db/db.h"
#include "policy.h"

struct sla_calendar_entry {
    int64_t id;
    char name[256];
    struct calendar *cal;
};

struct sla_config {
    struct sla_policy *policies; /* every policy, by position then id */
    int npolicies;
    struct sla_calendar_entry *calendars;
    int ncalendars;
    int uses_tier; /* some active policy has a tier condition */
};

/* The policies and calendars in force; valid until this thread's next call. */
enum tend_rc sla_config_get(struct db *db, const struct sla_config **out, struct tend_err *err);
const struct sla_policy *sla_config_policy(const struct sla_config *cfg, int64_t id);
/* The calendar `id`, or the 24x7 calendar (id 1) when it is gone; NULL only
 * when there is no calendar at all. */
const struct calendar *sla_config_calendar(const struct sla_config *cfg, int64_t id);
const char *sla_config_calendar_name(const struct sla_config *cfg, int64_t id);
/* The first active policy whose conditions hold, or NULL. */
const struct sla_policy *sla_config_select(const struct sla_config *cfg, const struct sla_subject *s);

/* One clock row of a ticket. */
struct sla_row {
    struct sla_clock c;
    int64_t policy_id, calendar_id;
    char priority[16];
};
#define SLA_MAX_ROWS 64

/* The clock rows of a ticket, each metric's latest cycle first (at most
 * SLA_MAX_ROWS, newest cycles kept). */
enum tend_rc sla_store_rows(struct db *db, int64_t ticket_id, struct sla_row *rows, int *n, struct tend_err *err);
/* Insert or replace one row. */
enum tend_rc sla_store_save_row(struct db *db, int64_t ticket_id, const struct sla_row *r, struct tend_err *err);
/* Write the ticket's summary columns. */
enum tend_rc sla_store_summary(struct db *db, int64_t ticket_id, int64_t policy_id, int64_t due_at, int64_t warn_at,
                               int64_t flags, struct tend_err *err);
/* Fill a row from a statement whose columns start at `col` in SLA_ROW_COLUMNS order. */
void sla_store_read_row(struct db_stmt *st, int col, struct sla_row *r);
#define SLA_ROW_COLUMNS                                                                                   \
    "metric, cycle, policy_id, calendar_id, priority, phase, target_ms, elapsed_ms, since, started_at, " \
    "due_at, warn_at, next_alert_at, achieved_at, breached_at, alerts"
#define SLA_ROW_NCOLUMNS 16

/* Whether staff have answered the ticket publicly, and whether an engineer
 * arrived on site (for clocks a new policy starts late). */
enum tend_rc sla_store_facts(struct db *db, int64_t ticket_id, int *responded, int *arrived, struct tend_err *err);

/* The tier of organisation `id` into out ("" when none). */
enum tend_rc sla_store_tier(struct db *db, int64_t id, char *out, size_t len, struct tend_err *err);

/* A clock as its API JSON at `now` on `cal` (warning_percent for the flag). */
json_t *sla_clock_json(const struct sla_row *r, int64_t now, const struct calendar *cal, int warning_percent);

/* Calendar `id` changed from `old` to `now_cal` at `now`: running clocks on
 * it keep the business time counted on the old one and are planned on the
 * new one (sla_tickets.c). */
enum tend_rc sla_calendar_replan(struct db *db, int64_t id, const struct calendar *old,
                                 const struct calendar *now_cal, int64_t now, const char *actor,
                                 struct tend_err *err);

/* Choose the policy of every open ticket again from `now` (the policies
 * changed): clocks keep their history and run on the new terms. */
enum tend_rc sla_reevaluate_open(struct db *db, int64_t now, const char *actor, struct tend_err *err);

/* GET /tickets/{id}/sla: {ticket_id, policy, calendar, clocks} at `now`. */
enum tend_rc sla_store_ticket_json(struct db *db, int64_t ticket_id, int64_t policy_id, int64_t now, json_t **out,
                                   struct tend_err *err);

/* The rows of `sql` as {items: [row(st)...]}, or the one row of `sql` with
 * `id` bound (TEND_ENOTFOUND on "id", "no <what> <id>"): the list and read of
 * a stored SLA definition (calendars, policies). */
enum tend_rc sla_store_rows_json(struct db *db, const char *sql, json_t *(*row)(struct db_stmt *st), json_t **out,
                                 struct tend_err *err);
enum tend_rc sla_store_row_json(struct db *db, const char *sql, int64_t id, const char *what,
                                json_t *(*row)(struct db_stmt *st), json_t **out, struct tend_err *err);

/* The data of an sla.* event about clock `r`: {metric, cycle, policy_id,
 * target_minutes, due_at, breached_at} (new reference). */
json_t *sla_event_json(const struct sla_row *r);

/* The alert levels of policy `id` (warning 75 and breach when it is gone). */
void sla_config_levels(const struct sla_config *cfg, int64_t id, struct clock_levels *lv);

#endif
