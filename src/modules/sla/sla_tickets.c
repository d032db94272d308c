/* sla_tickets.c: what happens to a ticket moves its SLA clocks (sla.h): the
 * policy is chosen again, clocks are retargeted, started, paused, resumed and
 * stopped, a breach found on stopping is raised, and the ticket's summary
 * columns follow. Runs in the transaction of the ticket's own change. */
#include <stdlib.h>
#include <string.h>

#include "modules/assets/assets.h"
#include "modules/tickets/tickets.h"
#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "sla.h"
#include "sla_store.h"

struct clock_set {
    struct sla_row rows[SLA_MAX_ROWS];
    struct sla_row before[SLA_MAX_ROWS];
    int n, nbefore;
};

static int
is_open(const struct sla_row *r)
{
    return r->c.phase == CLOCK_RUNNING || r->c.phase == CLOCK_PAUSED;
}

/* The latest cycle of `metric`, or NULL. */
static struct sla_row *
latest(struct clock_set *k, int metric)
{
    struct sla_row *best = NULL;

    for (int i = 0; i < k->n; i++)
        if (k->rows[i].c.metric == metric && (!best || k->rows[i].c.cycle > best->c.cycle))
            best = &k->rows[i];
    return best;
}

/* A new clock for `metric` under `p`, paused at once in a pausing status. */
static void
start_clock(struct clock_set *k, const struct sla_config *cfg, const struct sla_policy *p, const struct ticket *t,
            int metric, int cycle, int64_t target_ms, int pauses, int64_t now)
{
    struct sla_row *r;
    struct clock_levels lv;
    const struct calendar *cal = sla_config_calendar(cfg, p->calendar_id);

    if (k->n == SLA_MAX_ROWS)
        return; /* a ticket with 60 reply cycles keeps its newest clocks */
    r = &k->rows[k->n++];
    memset(r, 0, sizeof(*r));
    sla_policy_levels(p, &lv);
    clock_start(&r->c, metric, cycle, target_ms, now, cal, &lv);
    r->policy_id = p->id;
    r->calendar_id = p->calendar_id;
    strlcopy(r->priority, t->priority, sizeof(r->priority));
    if (pauses)
        clock_pause(&r->c, now, cal);
}

/* Open clocks move to the terms of `p` (NULL: no policy any more) from `now`. */
static void
apply_terms(struct clock_set *k, const struct sla_config *cfg, const struct sla_policy *p, const struct ticket *t,
            int force, int64_t now)
{
    struct clock_levels lv;

    if (p)
        sla_policy_levels(p, &lv);
    for (int m = 0; m < SLA_NMETRICS; m++) {
        struct sla_row *r = latest(k, m);
        const struct calendar *old_cal;
        int64_t target;
        if (!r || !is_open(r))
            continue;
        old_cal = sla_config_calendar(cfg, r->calendar_id);
        target = p ? sla_policy_target(p, m, t->priority) * 60000 : 0;
        if (!target) {
            clock_cancel(&r->c, now, old_cal);
            continue;
        }
        if (force || r->policy_id != p->id || r->c.target_ms != target || r->calendar_id != p->calendar_id) {
            clock_retarget(&r->c, target, now, old_cal, sla_config_calendar(cfg, p->calendar_id), &lv);
            r->policy_id = p->id;
            r->calendar_id = p->calendar_id;
        }
        strlcopy(r->priority, t->priority, sizeof(r->priority));
    }
}

/* Clocks the policy sets that the ticket does not have yet: all of them on a
 * new ticket; later (a policy that newly applies) only what is still owed. */
static enum tend_rc
start_missing(struct db *db, struct clock_set *k, const struct sla_config *cfg, const struct sla_policy *p,
              const struct ticket *t, int created, int pauses, int64_t now, struct tend_err *err)
{
    static const int owed[] = {SLA_FIRST_RESPONSE, SLA_RESOLUTION, SLA_ON_SITE};
    int known = created, responded = 0, arrived = 0;

    for (size_t i = 0; i < sizeof(owed) / sizeof(owed[0]); i++) {
        int m = owed[i];
        int64_t target = sla_policy_target(p, m, t->priority) * 60000;
        if (!target || latest(k, m))
            continue;
        if (m != SLA_RESOLUTION && !known) {
            enum tend_rc rc = sla_store_facts(db, t->id, &responded, &arrived, err);
            if (rc)
                return rc;
            known = 1;
        }
        if ((m == SLA_FIRST_RESPONSE && responded) || (m == SLA_ON_SITE && arrived))
            continue;
        start_clock(k, cfg, p, t, m, 0, target, pauses, now);
    }
    return TEND_OK;
}

static void
achieve(struct clock_set *k, const struct sla_config *cfg, int metric, int64_t now)
{
    struct sla_row *r = latest(k, metric);

    if (r)
        clock_achieve(&r->c, now, sla_config_calendar(cfg, r->calendar_id));
}

/* The clocks follow the ticket's status: a resolved or closed ticket stops
 * them (a visit no longer owed is cancelled), a reopened one resumes its
 * resolution clock, a pausing status pauses them. */
static void
follow_status(struct clock_set *k, const struct sla_config *cfg, const struct sla_policy *p, int closed, int pauses,
              int64_t now)
{
    for (int m = 0; m < SLA_NMETRICS; m++) {
        struct sla_row *r = latest(k, m);
        const struct calendar *cal;
        struct clock_levels lv;
        if (!r)
            continue;
        cal = sla_config_calendar(cfg, r->calendar_id);
        sla_config_levels(cfg, r->policy_id, &lv);
        if (closed) {
            if (m == SLA_ON_SITE)
                clock_cancel(&r->c, now, cal);
            else
                clock_achieve(&r->c, now, cal);
        } else if (m == SLA_RESOLUTION && r->c.phase == CLOCK_ACHIEVED && p && r->policy_id == p->id) {
            clock_reopen(&r->c, now, pauses, cal, &lv);
        } else if (pauses) {
            clock_pause(&r->c, now, cal);
        } else {
            clock_resume(&r->c, now, cal, &lv);
        }
    }
}

static void
summarise(const struct clock_set *k, int64_t *due, int64_t *warn, int64_t *flags)
{
    int running = 0, paused = 0;

    *due = *warn = *flags = 0;
    for (int i = 0; i < k->n; i++) {
        const struct sla_clock *c = &k->rows[i].c;
        *flags |= SLA_FLAG_CLOCKS;
        if (c->breached_at)
            *flags |= SLA_FLAG_BREACHED;
        if (c->phase == CLOCK_RUNNING) {
            running = 1;
            if (c->due_at && (!*due || c->due_at < *due))
                *due = c->due_at;
            if (c->warn_at && (!*warn || c->warn_at < *warn))
                *warn = c->warn_at;
        }
        paused |= c->phase == CLOCK_PAUSED;
    }
    if (!running && paused)
        *flags |= SLA_FLAG_PAUSED;
    if (!running && !paused && k->n > 0)
        *flags |= SLA_FLAG_ACHIEVED;
}

static int
rows_equal(const struct sla_row *a, const struct sla_row *b)
{
    const struct sla_clock *x = &a->c, *y = &b->c;

    return a->policy_id == b->policy_id && a->calendar_id == b->calendar_id &&
           strcmp(a->priority, b->priority) == 0 && x->metric == y->metric && x->cycle == y->cycle &&
           x->phase == y->phase && x->target_ms == y->target_ms && x->elapsed_ms == y->elapsed_ms &&
           x->since == y->since && x->started_at == y->started_at && x->due_at == y->due_at &&
           x->warn_at == y->warn_at && x->next_alert_at == y->next_alert_at && x->achieved_at == y->achieved_at &&
           x->breached_at == y->breached_at && x->alerts == y->alerts;
}

/* Raise the breach of clocks that stopped or paused past their due time
 * (running ones are the sweep's), write what changed, and the summary. */
static enum tend_rc
write_back(struct db *db, struct clock_set *k, struct ticket *t, int64_t policy_id, int64_t now, const char *actor,
           struct tend_err *err)
{
    unsigned breach = 1u << SLA_LEVEL_BREACH;
    int64_t due, warn, flags;
    enum tend_rc rc = TEND_OK;

    for (int i = 0; i < k->n && !rc; i++) {
        struct sla_row *r = &k->rows[i];
        if (r->c.phase != CLOCK_RUNNING && r->c.breached_at && !(r->c.alerts & breach)) {
            r->c.alerts |= breach;
            rc = event_record(db, "sla.breached", "ticket", t->id, actor, sla_event_json(r), now, err);
        }
        if (!rc && (i >= k->nbefore || !rows_equal(r, &k->before[i])))
            rc = sla_store_save_row(db, t->id, r, err);
    }
    if (rc)
        return rc;
    summarise(k, &due, &warn, &flags);
    if (policy_id == t->sla_policy_id && due == t->sla_due_at && warn == t->sla_warn_at && flags == t->sla_flags)
        return TEND_OK;
    rc = sla_store_summary(db, t->id, policy_id, due, warn, flags, err);
    if (rc == TEND_OK) {
        t->sla_policy_id = policy_id;
        t->sla_due_at = due;
        t->sla_warn_at = warn;
        t->sla_flags = flags;
    }
    return rc;
}

/* The SLA policy of the service contract that covers the ticket's asset on
 * the day the ticket was opened (assets.h entitlement), when it is active;
 * NULL otherwise. A contract's promise comes before the ordered conditions. */
static enum tend_rc
contract_policy(struct db *db, const struct sla_config *cfg, const struct ticket *t, const struct sla_policy **out,
                struct tend_err *err)
{
    const struct sla_policy *p;
    json_t *ent = NULL;
    char date[40];
    enum tend_rc rc;

    *out = NULL;
    if (!t->asset_id || cfg->npolicies == 0)
        return TEND_OK;
    time_format_rfc3339(t->created_at, date, sizeof(date));
    date[10] = '\0'; /* YYYY-MM-DD, UTC */
    rc = assets_store_entitlement(db, t->asset_id, date, &ent, err);
    if (rc == TEND_ENOTFOUND)
        return TEND_OK;
    if (rc)
        return rc;
    p = sla_config_policy(cfg, json_integer_value(json_object_get(ent, "sla_policy_id")));
    json_decref(ent);
    if (p && p->active && sla_config_calendar(cfg, p->calendar_id))
        *out = p;
    return TEND_OK;
}

enum tend_rc
sla_ticket_happened(struct db *db, struct ticket *t, enum sla_happening what, int64_t now, const char *actor,
                    struct tend_err *err)
{
    const struct sla_config *cfg = NULL;
    const struct sla_policy *p;
    struct sla_subject s = {"", t->type, t->priority, t->channel, t->group_id, t->organisation_id};
    struct clock_set *k;
    char tier[64] = "";
    int64_t was = t->sla_policy_id;
    int pauses = 0, closed;
    enum tend_rc rc = sla_config_get(db, &cfg, err);

    if (rc || !cfg)
        return rc;
    if (cfg->npolicies == 0 && t->sla_flags == 0)
        return TEND_OK; /* nothing to measure and nothing measured */
    if (cfg->uses_tier && t->organisation_id) {
        rc = sla_store_tier(db, t->organisation_id, tier, sizeof(tier), err);
        if (rc)
            return rc;
        s.tier = tier;
    }
    rc = contract_policy(db, cfg, t, &p, err);
    if (rc)
        return rc;
    if (!p)
        p = sla_config_select(cfg, &s);
    if (!p && t->sla_flags == 0)
        return TEND_OK;
    rc = ticket_status_pauses_sla(db, t, &pauses, err);
    if (rc)
        return rc;
    closed = strcmp(t->status_category, "resolved") == 0 || strcmp(t->status_category, "closed") == 0;
    k = xcalloc(1, sizeof(*k));
    if (what != SLA_TICKET_CREATED)
        rc = sla_store_rows(db, t->id, k->rows, &k->n, err);
    memcpy(k->before, k->rows, sizeof(k->rows[0]) * (size_t)k->n);
    k->nbefore = k->n;
    apply_terms(k, cfg, p, t, what == SLA_REEVALUATE, now);
    if (rc == TEND_OK && p && !closed)
        rc = start_missing(db, k, cfg, p, t, what == SLA_TICKET_CREATED, pauses, now, err);
    if (rc == TEND_OK) {
        struct sla_row *fr = latest(k, SLA_FIRST_RESPONSE), *nr = latest(k, SLA_NEXT_RESPONSE);
        int64_t target = p ? sla_policy_target(p, SLA_NEXT_RESPONSE, t->priority) * 60000 : 0;
        switch (what) {
        case SLA_AGENT_REPLY:
            achieve(k, cfg, SLA_FIRST_RESPONSE, now);
            achieve(k, cfg, SLA_NEXT_RESPONSE, now);
            break;
        case SLA_CUSTOMER_REPLY: /* owed once staff answered and nothing is owed yet */
            if (target && !closed && (!fr || !is_open(fr)) && (!nr || !is_open(nr)))
                start_clock(k, cfg, p, t, SLA_NEXT_RESPONSE, nr ? nr->c.cycle + 1 : 1, target, pauses, now);
            break;
        case SLA_ARRIVED:
            achieve(k, cfg, SLA_ON_SITE, now);
            break;
        default:
            break;
        }
        follow_status(k, cfg, p, closed, pauses, now);
        rc = write_back(db, k, t, p ? p->id : 0, now, actor, err);
    }
    if (rc == TEND_OK && what != SLA_TICKET_CREATED && was != t->sla_policy_id)
        rc = event_record(db, "sla.policy_changed", "ticket", t->id, actor,
                          json_pack("{s:o,s:o,s:s}", "from", was ? json_integer(was) : json_null(), "to",
                                    p ? json_integer(p->id) : json_null(), "policy", p ? p->name : ""),
                          now, err);
    free(k);
    return rc;
}

/* The ids of the tickets `sql` selects (binding `id` when non-zero). */
static enum tend_rc
ticket_ids(struct db *db, const char *sql, int64_t id, int64_t **ids, size_t *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;
    size_t cap = 0;

    *ids = NULL;
    *n = 0;
    if (!st)
        return err->rc;
    if (id)
        db_bind_int64(st, 1, id);
    while ((r = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            *ids = xrealloc(*ids, cap * sizeof(**ids));
        }
        (*ids)[(*n)++] = db_col_int64(st, 0);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
sla_calendar_replan(struct db *db, int64_t id, const struct calendar *old, const struct calendar *now_cal, int64_t now,
                    const char *actor, struct tend_err *err)
{
    const struct sla_config *cfg = NULL;
    struct clock_set *k = xcalloc(1, sizeof(*k));
    int64_t *ids = NULL;
    size_t n = 0;
    enum tend_rc rc = ticket_ids(db,
                                 "SELECT DISTINCT ticket_id FROM ticket_sla WHERE phase = 'running' AND "
                                 "calendar_id = ? ORDER BY ticket_id",
                                 id, &ids, &n, err);

    if (rc == TEND_OK)
        rc = sla_config_get(db, &cfg, err);
    for (size_t i = 0; i < n && rc == TEND_OK && cfg; i++) {
        struct ticket t;
        rc = tickets_store_get(db, ids[i], NULL, &t, err);
        if (rc)
            break;
        rc = sla_store_rows(db, t.id, k->rows, &k->n, err);
        memcpy(k->before, k->rows, sizeof(k->rows[0]) * (size_t)k->n);
        k->nbefore = k->n;
        for (int j = 0; j < k->n && rc == TEND_OK; j++) {
            struct sla_row *r = &k->rows[j];
            struct clock_levels lv;
            if (r->c.phase != CLOCK_RUNNING || r->calendar_id != id)
                continue;
            sla_config_levels(cfg, r->policy_id, &lv);
            clock_retarget(&r->c, r->c.target_ms, now, old, now_cal, &lv);
        }
        if (rc == TEND_OK)
            rc = write_back(db, k, &t, t.sla_policy_id, now, actor, err);
        ticket_cleanup(&t);
    }
    free(ids);
    free(k);
    return rc;
}

enum tend_rc
sla_reevaluate_open(struct db *db, int64_t now, const char *actor, struct tend_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    enum tend_rc rc = ticket_ids(db,
                                 "SELECT id FROM tickets WHERE status_category <> 'resolved' AND "
                                 "status_category <> 'closed' ORDER BY id",
                                 0, &ids, &n, err);

    for (size_t i = 0; i < n && rc == TEND_OK; i++) {
        struct ticket t;
        rc = tickets_store_get(db, ids[i], NULL, &t, err);
        if (rc == TEND_OK) {
            rc = sla_ticket_happened(db, &t, SLA_REEVALUATE, now, actor, err);
            ticket_cleanup(&t);
        }
    }
    free(ids);
    return rc;
}

/* --- the summary on every ticket ------------------------------------------------- */

const char *
sla_summary_state(int64_t flags, int64_t due_at, int64_t warn_at, int64_t now)
{
    if (!(flags & SLA_FLAG_CLOCKS))
        return NULL;
    if ((flags & SLA_FLAG_BREACHED) || (due_at && now > due_at))
        return "breached";
    if (due_at)
        return warn_at && now >= warn_at ? "warning" : "running";
    return (flags & SLA_FLAG_PAUSED) ? "paused" : "achieved";
}

static void
time_or_null(struct jbuf *b, int64_t ms)
{
    if (ms)
        jbuf_time(b, ms);
    else
        jbuf_lit(b, "null");
}

void
sla_summary_write(struct jbuf *b, int64_t policy_id, int64_t due_at, int64_t warn_at, int64_t flags, int64_t now)
{
    const char *state = sla_summary_state(flags, due_at, warn_at, now);

    if (!state) {
        jbuf_lit(b, "null");
        return;
    }
    jbuf_lit(b, "{\"policy_id\":");
    jbuf_ref(b, policy_id);
    jbuf_lit(b, ",\"state\":");
    jbuf_cstr(b, state);
    jbuf_lit(b, ",\"due_at\":");
    time_or_null(b, due_at);
    jbuf_lit(b, ",\"warning_at\":");
    time_or_null(b, warn_at);
    jbuf_lit(b, ",\"paused\":");
    jbuf_lit(b, (flags & SLA_FLAG_PAUSED) ? "true" : "false");
    jbuf_lit(b, ",\"breached\":");
    jbuf_lit(b, strcmp(state, "breached") == 0 ? "true" : "false");
    jbuf_raw(b, "}", 1);
}
