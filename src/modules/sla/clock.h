/* clock.h: one SLA clock (first response, next response, resolution or on-site
 * arrival of one ticket) as a pure state machine over business time: start,
 * pause, resume, stop, reopen and retarget at given instants on a calendar.
 * A ticket's clocks are the fold of its history through these steps; the store
 * keeps the folded state, so each change applies one step. No database, no
 * clock reads. */
#ifndef TEND_SLA_CLOCK_H
#define TEND_SLA_CLOCK_H

#include <stdint.h>

struct calendar;

enum sla_metric { SLA_FIRST_RESPONSE, SLA_NEXT_RESPONSE, SLA_RESOLUTION, SLA_ON_SITE, SLA_NMETRICS };

/* "first_response", "next_response", "resolution", "on_site"; NULL-terminated. */
extern const char *const sla_metric_names[];
/* The metric named `name`, or -1. */
int sla_metric_of(const char *name);

enum clock_phase { CLOCK_RUNNING, CLOCK_PAUSED, CLOCK_ACHIEVED, CLOCK_CANCELLED };
/* "running", "paused", "achieved", "cancelled"; NULL-terminated. */
extern const char *const clock_phase_names[];
int clock_phase_of(const char *name);

/* Alert levels of a clock, as shares of its target in percent: level 0 is the
 * warning, level 1 the breach (100), levels 2.. the policy's escalations. A
 * clock raises each level at most once (bit `level` of alerts). */
#define SLA_MAX_LEVELS 10
struct clock_levels {
    int n;
    int percent[SLA_MAX_LEVELS];
};
#define SLA_LEVEL_WARNING 0
#define SLA_LEVEL_BREACH 1

struct sla_clock {
    int metric; /* enum sla_metric */
    int cycle;  /* next response: 1, 2... per customer reply; else 0 */
    int phase;  /* enum clock_phase */
    int64_t target_ms;  /* business milliseconds */
    int64_t elapsed_ms; /* business time consumed before `since` */
    int64_t since;      /* running: when this running stretch began; else when it stopped */
    int64_t started_at;
    int64_t due_at;        /* running: when elapsed reaches the target; else 0 */
    int64_t warn_at;       /* running: when the warning level is reached; else 0 */
    int64_t next_alert_at; /* running: the earliest instant an unraised level falls due; 0 none */
    int64_t achieved_at;   /* achieved: when; else 0 */
    int64_t breached_at;   /* the due instant the clock ran past, once known; 0 never */
    unsigned alerts;       /* raised levels */
};

/* A clock for `metric` running from `now` with `target_ms`. */
void clock_start(struct sla_clock *c, int metric, int cycle, int64_t target_ms, int64_t now,
                 const struct calendar *cal, const struct clock_levels *lv);

/* Stop counting (a pausing status): the business time up to `now` is kept. A
 * clock that is not running is left alone. */
void clock_pause(struct sla_clock *c, int64_t now, const struct calendar *cal);

/* Count again from `now` (paused clocks only). */
void clock_resume(struct sla_clock *c, int64_t now, const struct calendar *cal, const struct clock_levels *lv);

/* The target is met (or missed) at `now`: running or paused clocks stop;
 * breached_at is set when `now` is past the due time. */
void clock_achieve(struct sla_clock *c, int64_t now, const struct calendar *cal);

/* An achieved clock counts again from `now` (a reopened ticket); its business
 * time so far is kept. `paused` reopens it paused. */
void clock_reopen(struct sla_clock *c, int64_t now, int paused, const struct calendar *cal,
                  const struct clock_levels *lv);

/* The clock no longer applies (a remote fix makes the on-site visit moot). */
void clock_cancel(struct sla_clock *c, int64_t now, const struct calendar *cal);

/* From `now` on, measure against `target_ms` on `new_cal` (a priority or policy
 * change): business time up to `now` is counted on `old_cal`, as it was, and
 * only what remains is measured on the new terms. A target already used up is
 * due at `now`. */
void clock_retarget(struct sla_clock *c, int64_t target_ms, int64_t now, const struct calendar *old_cal,
                    const struct calendar *new_cal, const struct clock_levels *lv);

/* Business time consumed by `now` (elapsed plus the running stretch). */
int64_t clock_elapsed_at(const struct sla_clock *c, int64_t now, const struct calendar *cal);

/* When level `percent` of the target is reached, counting from `since`: the
 * instant itself if already reached. Running clocks only; CALENDAR_NEVER when
 * the calendar never gets there. */
int64_t clock_level_at(const struct sla_clock *c, int percent, const struct calendar *cal);

/* Whether the clock has missed its target as of `now`: a recorded breach, or a
 * running clock past its due time. */
int clock_breached(const struct sla_clock *c, int64_t now);

/* Whether the warning level has been reached by `now` (running or paused). */
int clock_warning(const struct sla_clock *c, int64_t now, const struct calendar *cal, int warning_percent);

/* The levels reached by `now` and not yet raised, as bits; the caller raises
 * them (one event each) and ORs them into alerts, then calls clock_plan. */
unsigned clock_due_levels(const struct sla_clock *c, int64_t now, const struct calendar *cal,
                          const struct clock_levels *lv);

/* Recompute due_at, warn_at and next_alert_at of a running clock (after its
 * alerts or levels changed). */
void clock_plan(struct sla_clock *c, const struct calendar *cal, const struct clock_levels *lv);

#endif
