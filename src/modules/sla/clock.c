/* clock.c: the SLA clock state machine (clock.h): every step turns the running
 * stretch into kept business time on the calendar in force, then plans the due
 * and alert instants of what is left. */
#include "clock.h"

#include <string.h>

#include "calendar.h"

const char *const sla_metric_names[] = {"first_response", "next_response", "resolution", "on_site", NULL};
const char *const clock_phase_names[] = {"running", "paused", "achieved", "cancelled", NULL};

static int
index_of(const char *const *names, const char *name)
{
    for (int i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int
sla_metric_of(const char *name)
{
    return index_of(sla_metric_names, name);
}

int
clock_phase_of(const char *name)
{
    return index_of(clock_phase_names, name);
}

/* An instant the calendar never reaches is kept as 0 ("not planned"). */
static int64_t
planned(int64_t t)
{
    return t == CALENDAR_NEVER ? 0 : t;
}

int64_t
clock_level_at(const struct sla_clock *c, int percent, const struct calendar *cal)
{
    int64_t threshold = c->target_ms / 100 * percent + c->target_ms % 100 * percent / 100;

    if (c->elapsed_ms >= threshold)
        return c->since;
    return calendar_add_business_ms(cal, c->since, threshold - c->elapsed_ms);
}

void
clock_plan(struct sla_clock *c, const struct calendar *cal, const struct clock_levels *lv)
{
    c->due_at = c->warn_at = c->next_alert_at = 0;
    if (c->phase != CLOCK_RUNNING)
        return;
    c->due_at = planned(clock_level_at(c, 100, cal));
    for (int i = 0; i < lv->n; i++) {
        int64_t at = planned(i == SLA_LEVEL_BREACH ? c->due_at : clock_level_at(c, lv->percent[i], cal));
        if (i == SLA_LEVEL_WARNING)
            c->warn_at = at;
        if (at && !(c->alerts & (1u << i)) && (!c->next_alert_at || at < c->next_alert_at))
            c->next_alert_at = at;
    }
}

int64_t
clock_elapsed_at(const struct sla_clock *c, int64_t now, const struct calendar *cal)
{
    if (c->phase != CLOCK_RUNNING || now <= c->since)
        return c->elapsed_ms;
    return c->elapsed_ms + calendar_business_ms(cal, c->since, now);
}

/* End the running stretch at `now`: keep its business time, and note a due
 * time it ran past. */
static void
settle(struct sla_clock *c, int64_t now, const struct calendar *cal)
{
    if (c->phase != CLOCK_RUNNING)
        return;
    if (c->due_at && now > c->due_at && !c->breached_at)
        c->breached_at = c->due_at;
    c->elapsed_ms = clock_elapsed_at(c, now, cal);
    c->since = now;
    c->due_at = c->warn_at = c->next_alert_at = 0;
}

void
clock_start(struct sla_clock *c, int metric, int cycle, int64_t target_ms, int64_t now,
            const struct calendar *cal, const struct clock_levels *lv)
{
    memset(c, 0, sizeof(*c));
    c->metric = metric;
    c->cycle = cycle;
    c->phase = CLOCK_RUNNING;
    c->target_ms = target_ms;
    c->since = c->started_at = now;
    clock_plan(c, cal, lv);
}

void
clock_pause(struct sla_clock *c, int64_t now, const struct calendar *cal)
{
    if (c->phase != CLOCK_RUNNING)
        return;
    settle(c, now, cal);
    c->phase = CLOCK_PAUSED;
}

void
clock_resume(struct sla_clock *c, int64_t now, const struct calendar *cal, const struct clock_levels *lv)
{
    if (c->phase != CLOCK_PAUSED)
        return;
    c->phase = CLOCK_RUNNING;
    c->since = now;
    clock_plan(c, cal, lv);
}

void
clock_achieve(struct sla_clock *c, int64_t now, const struct calendar *cal)
{
    if (c->phase != CLOCK_RUNNING && c->phase != CLOCK_PAUSED)
        return;
    settle(c, now, cal);
    if (!c->breached_at && c->elapsed_ms > c->target_ms)
        c->breached_at = now; /* used up while the due time moved (retargeted) */
    c->phase = CLOCK_ACHIEVED;
    c->achieved_at = now;
}

void
clock_reopen(struct sla_clock *c, int64_t now, int paused, const struct calendar *cal,
             const struct clock_levels *lv)
{
    if (c->phase != CLOCK_ACHIEVED)
        return;
    c->achieved_at = 0;
    c->phase = CLOCK_PAUSED;
    c->since = now;
    if (!paused)
        clock_resume(c, now, cal, lv);
}

void
clock_cancel(struct sla_clock *c, int64_t now, const struct calendar *cal)
{
    if (c->phase != CLOCK_RUNNING && c->phase != CLOCK_PAUSED)
        return;
    settle(c, now, cal);
    c->phase = CLOCK_CANCELLED;
}

void
clock_retarget(struct sla_clock *c, int64_t target_ms, int64_t now, const struct calendar *old_cal,
               const struct calendar *new_cal, const struct clock_levels *lv)
{
    if (c->phase == CLOCK_RUNNING) {
        settle(c, now, old_cal);
        c->target_ms = target_ms;
        clock_plan(c, new_cal, lv);
    } else {
        c->target_ms = target_ms;
    }
}

int
clock_breached(const struct sla_clock *c, int64_t now)
{
    return c->breached_at != 0 || (c->phase == CLOCK_RUNNING && c->due_at && now > c->due_at);
}

int
clock_warning(const struct sla_clock *c, int64_t now, const struct calendar *cal, int warning_percent)
{
    int64_t threshold = c->target_ms / 100 * warning_percent + c->target_ms % 100 * warning_percent / 100;

    if (c->phase == CLOCK_RUNNING)
        return c->warn_at ? now >= c->warn_at : clock_elapsed_at(c, now, cal) >= threshold;
    return c->phase == CLOCK_PAUSED && c->elapsed_ms >= threshold;
}

unsigned
clock_due_levels(const struct sla_clock *c, int64_t now, const struct calendar *cal,
                 const struct clock_levels *lv)
{
    unsigned due = 0;

    if (c->phase != CLOCK_RUNNING)
        return 0;
    for (int i = 0; i < lv->n; i++) {
        int64_t at;
        if (c->alerts & (1u << i))
            continue;
        at = i == SLA_LEVEL_BREACH ? c->due_at : planned(clock_level_at(c, lv->percent[i], cal));
        if (at && now >= at)
            due |= 1u << i;
    }
    return due;
}
