/* sla_sweep.c: the SLA sweep (sla_sweep.h). Each raised level is recorded in
 * the clock's alerts bits in the same transaction as its event, so it is
 * raised exactly once whatever restarts or nodes do. */
#include "sla_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rules/rules.h"
#include "modules/tickets/tickets.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "sla_store.h"

struct due_clock {
    int64_t ticket_id;
    struct sla_row row;
};

static enum tend_rc
due_clocks(struct db *db, int64_t now, struct due_clock **out, size_t *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT ticket_id, " SLA_ROW_COLUMNS " FROM ticket_sla "
                                    "WHERE next_alert_at > 0 AND next_alert_at <= ? AND phase = 'running' "
                                    "ORDER BY next_alert_at, ticket_id LIMIT ?",
                                    err);
    enum db_step_result r;

    *n = 0;
    *out = xcalloc(SLA_SWEEP_BATCH, sizeof(**out));
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, SLA_SWEEP_BATCH);
    while ((r = db_step(st, err)) == DB_ROW) {
        struct due_clock *d = &(*out)[*n];
        d->ticket_id = db_col_int64(st, 0);
        sla_store_read_row(st, 1, &d->row);
        if (d->row.c.metric >= 0)
            (*n)++;
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* Read the clock again (an earlier escalation of its ticket may have moved it). */
static enum tend_rc
fresh(struct db *db, struct due_clock *d, struct tend_err *err)
{
    struct sla_row *rows = xcalloc(SLA_MAX_ROWS, sizeof(*rows));
    int n = 0;
    enum tend_rc rc = sla_store_rows(db, d->ticket_id, rows, &n, err);

    for (int i = 0; i < n && rc == TEND_OK; i++)
        if (rows[i].c.metric == d->row.c.metric && rows[i].c.cycle == d->row.c.cycle)
            d->row = rows[i];
    free(rows);
    return rc;
}

static enum tend_rc
add_ids(struct db *db, const char *sql, int64_t id, json_t *ids, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    if (id)
        db_bind_int64(st, 1, id);
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *v = json_integer(db_col_int64(st, 0));
        size_t i;
        json_t *w;
        int dup = 0;
        json_array_foreach(ids, i, w)
            dup |= json_equal(v, w);
        if (dup || json_integer_value(v) == 0)
            json_decref(v);
        else
            json_array_append_new(ids, v);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* Who an escalation (or, without one, a warning or breach) notifies. */
static enum tend_rc
recipients(struct db *db, const struct ticket *t, unsigned notify, json_t *ids, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    if ((notify & SLA_NOTIFY_ASSIGNEE) && t->assignee_id)
        json_array_append_new(ids, json_integer(t->assignee_id));
    if ((notify & SLA_NOTIFY_GROUP_LEAD) && t->group_id)
        rc = add_ids(db, "SELECT coalesce(lead_id, 0) FROM groups WHERE id = ?", t->group_id, ids, err);
    if (rc == TEND_OK && (notify & SLA_NOTIFY_MANAGERS))
        rc = add_ids(db, "SELECT id FROM users WHERE disabled = 0 AND roles LIKE '%manager%' ORDER BY id", 0, ids,
                     err);
    return rc;
}

/* An escalation's changes to the ticket, as the system; a change the ticket
 * refuses (a disabled user, say) is recorded instead of failing the sweep. */
static enum tend_rc
escalate(struct db *db, const struct ticket *t, const struct sla_escalation *e, int64_t now, json_t *data,
         struct tend_err *err)
{
    static const struct ticket_actor sla_actor = {"sla", 0, ~0u};
    struct ticket_input in;
    struct ticket after;
    struct tend_err why;
    enum tend_rc rc;

    memset(&in, 0, sizeof(in));
    if (e->set_priority[0] && strcmp(e->set_priority, t->priority) != 0) {
        in.fields |= TF_PRIORITY;
        strlcopy(in.priority, e->set_priority, sizeof(in.priority));
    }
    if (e->assign_group_id && e->assign_group_id != t->group_id) {
        in.fields |= TF_GROUP;
        in.group_id = e->assign_group_id;
    }
    if (e->assign_user_id && e->assign_user_id != t->assignee_id) {
        in.fields |= TF_ASSIGNEE;
        in.assignee_id = e->assign_user_id;
    }
    if (!in.fields)
        return TEND_OK;
    tend_err_clear(&why);
    rc = tickets_store_update(db, t->id, &in, NULL, &sla_actor, now, &after, &why);
    if (rc == TEND_OK) {
        ticket_cleanup(&after);
        return TEND_OK;
    }
    if (rc != TEND_EINVAL && rc != TEND_ECONFLICT && rc != TEND_ENOTFOUND) {
        *err = why;
        return rc;
    }
    json_object_set_new(data, "failed", json_pack("{s:s,s:s}", "field", why.field, "message", why.message));
    return TEND_OK;
}

static const char *const level_events[] = {"sla.warning", "sla.breached"};

/* Raise one level of a clock of ticket `id`: an escalation's changes first,
 * then its event, telling the people of the ticket as it now is. */
static enum tend_rc
raise_level(struct db *db, int64_t id, const struct sla_row *row, int level, const struct clock_levels *lv,
            const struct sla_escalation *e, int64_t now, struct tend_err *err)
{
    json_t *data = sla_event_json(row), *ids = json_array();
    struct ticket t;
    enum tend_rc rc = tickets_store_get(db, id, NULL, &t, err);

    json_object_set_new(data, "level", json_integer(level < 2 ? 0 : level - 1));
    json_object_set_new(data, "percent", json_integer(lv->percent[level]));
    if (rc == TEND_OK && e) {
        json_object_set_new(data, "set_priority", e->set_priority[0] ? json_string(e->set_priority) : json_null());
        json_object_set_new(data, "assign_group_id", e->assign_group_id ? json_integer(e->assign_group_id) : json_null());
        json_object_set_new(data, "assign_user_id", e->assign_user_id ? json_integer(e->assign_user_id) : json_null());
        rc = escalate(db, &t, e, now, data, err);
        ticket_cleanup(&t);
        if (rc == TEND_OK)
            rc = tickets_store_get(db, id, NULL, &t, err);
    }
    if (rc == TEND_OK) {
        rc = recipients(db, &t, e ? e->notify : SLA_NOTIFY_ASSIGNEE, ids, err);
        ticket_cleanup(&t);
    }
    json_object_set(data, "notify_user_ids", ids);
    if (rc == TEND_OK)
        rc = event_append(db, level < 2 ? level_events[level] : "sla.escalated", "ticket", id, "sla", data, now, err);
    if (rc == TEND_OK && level < 2) /* the rules of sla.warning and sla.breached */
        rc = tickets_store_run_rules(db, id, level == 0 ? RT_SLA_WARNING : RT_SLA_BREACHED, now, err);
    json_decref(ids);
    json_decref(data);
    return rc;
}

enum tend_rc
sla_sweep(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err)
{
    const struct sla_config *cfg = NULL;
    struct due_clock *clocks = NULL;
    size_t n = 0;
    int raised = 0;
    enum tend_rc rc = sla_config_get(db, &cfg, err);

    if (rc == TEND_OK)
        rc = due_clocks(db, now, &clocks, &n, err);
    for (size_t i = 0; i < n && rc == TEND_OK && cfg; i++) {
        struct sla_row *row = &clocks[i].row;
        const struct calendar *cal;
        struct clock_levels lv;
        unsigned due;
        rc = fresh(db, &clocks[i], err);
        if (rc)
            break;
        cal = sla_config_calendar(cfg, row->calendar_id);
        sla_config_levels(cfg, row->policy_id, &lv);
        due = cal ? clock_due_levels(&row->c, now, cal, &lv) : 0;
        row->c.alerts |= due;
        if (cal)
            clock_plan(&row->c, cal, &lv); /* the next level, or none */
        else
            row->c.next_alert_at = 0;
        /* the clock first: an escalation's own change reads it back */
        rc = sla_store_save_row(db, clocks[i].ticket_id, row, err);
        for (int level = 0; level < lv.n && rc == TEND_OK; level++) {
            const struct sla_policy *p = sla_config_policy(cfg, row->policy_id);
            if (!(due & (1u << level)))
                continue;
            rc = raise_level(db, clocks[i].ticket_id, row, level, &lv,
                             level >= 2 && p && level - 2 < p->nescalations ? &p->escalations[level - 2] : NULL, now,
                             err);
            raised++;
        }
    }
    free(clocks);
    if (rc == TEND_OK)
        snprintf(detail, detail_len, "raised %d alerts on %zu clocks", raised, n);
    return rc;
}
