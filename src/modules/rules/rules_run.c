/* rules_run.c: a rules pass against the database: the ticket view (with the
 * organisation, asset and site facts the conditions read), business time from
 * the SLA module's calendars, the choice of agents in a group, and what a
 * firing writes (rule.fired, rule.notify, rule.webhook, counters, time
 * firings); the same pass as a dry run that writes nothing; the time sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/sla/calendar.h"
#include "modules/sla/sla.h"
#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/util.h"
#include "rules_store.h"

#define MAX_MEMBERS 200
#define SWEEP_BATCH 500

/* A view and the storage of the facts it borrows. */
struct run_view {
    struct rules_view v;
    char org_tier[64], org_region[128], org_name[256];
    char asset_model[128], asset_serial[128], site_region[128];
    char type[48];
    char *subject, *description, *customer_ref; /* owned (dry-run samples) */
};

struct run {
    struct db *db;
    int dry;
    int64_t ticket_id, status_since;
    unsigned triggers;
    struct tend_err *err;
};

static void
run_view_cleanup(struct run_view *rv)
{
    rules_view_cleanup(&rv->v);
    free(rv->subject);
    free(rv->description);
    free(rv->customer_ref);
}

/* --- facts ---------------------------------------------------------------------------- */

/* Run `sql` with `id` bound; copy the row's text columns into outs[i]. */
static enum tend_rc
text_row(struct db *db, const char *sql, int64_t id, char **outs, const size_t *lens, int n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    for (int i = 0; r == DB_ROW && i < n; i++)
        strlcopy(outs[i], db_col_is_null(st, i) ? "" : db_col_text(st, i), lens[i]);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

#define USES(set, f) (((set) >> (f)) & 1u)

/* The organisation, asset and site facts the rules read. */
static enum tend_rc
load_facts(struct db *db, struct run_view *rv, int64_t organisation_id, int64_t asset_id, uint64_t used,
           struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    if (organisation_id && (USES(used, XF_ORG_TIER) || USES(used, XF_ORG_REGION) || USES(used, XF_ORG_NAME))) {
        char *outs[] = {rv->org_tier, rv->org_region, rv->org_name};
        const size_t lens[] = {sizeof(rv->org_tier), sizeof(rv->org_region), sizeof(rv->org_name)};
        rc = text_row(db, "SELECT tier, region, name FROM organisations WHERE id = ?", organisation_id, outs, lens, 3,
                      err);
    }
    if (rc == TEND_OK && asset_id &&
        (USES(used, XF_ASSET_MODEL) || USES(used, XF_ASSET_SERIAL) || USES(used, XF_SITE_REGION))) {
        char *outs[] = {rv->asset_model, rv->asset_serial, rv->site_region};
        const size_t lens[] = {sizeof(rv->asset_model), sizeof(rv->asset_serial), sizeof(rv->site_region)};
        rc = text_row(db,
                      "SELECT m.code, a.serial, s.region FROM assets a JOIN product_models m ON m.id = a.model_id "
                      "LEFT JOIN sites s ON s.id = a.site_id WHERE a.id = ?",
                      asset_id, outs, lens, 3, err);
    }
    rv->v.x.org_tier = rv->org_tier;
    rv->v.x.org_region = rv->org_region;
    rv->v.x.org_name = rv->org_name;
    rv->v.x.asset_model = rv->asset_model;
    rv->v.x.asset_serial = rv->asset_serial;
    rv->v.x.site_region = rv->site_region;
    return rc;
}

/* When ticket `id` entered its status: its last status change, else its creation. */
static enum tend_rc
status_since(struct db *db, int64_t id, int64_t created_at, int64_t *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT max(at) FROM events WHERE entity = 'ticket' AND entity_id = ? "
                                    "AND type = 'ticket.status_changed'",
                                    err);
    enum db_step_result r;

    *out = created_at;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW && !db_col_is_null(st, 0))
        *out = db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static void
list_from_json(const char *text, char (*items)[EXPR_ITEM_MAX], int *n)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    size_t i;
    json_t *v;

    *n = 0;
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && *n < EXPR_MAX_LIST)
            strlcopy(items[(*n)++], json_string_value(v), EXPR_ITEM_MAX);
    }
    json_decref(a);
}

/* The view of a stored ticket (borrowing its strings). */
static enum tend_rc
view_of_ticket(struct db *db, const struct ticket *t, uint64_t used, int64_t now, struct run_view *rv,
               struct tend_err *err)
{
    struct rules_view *v = &rv->v;
    enum tend_rc rc;

    memset(rv, 0, sizeof(*rv));
    v->x.subject = t->subject;
    v->x.description = t->description;
    v->x.customer_ref = t->customer_ref;
    v->x.type = t->type;
    strlcopy(v->x.status, t->status, sizeof(v->x.status));
    strlcopy(v->x.status_category, t->status_category, sizeof(v->x.status_category));
    strlcopy(v->x.priority, t->priority, sizeof(v->x.priority));
    strlcopy(v->x.channel, t->channel, sizeof(v->x.channel));
    v->x.category_id = t->category_id;
    v->x.fault_code_id = t->fault_code_id;
    v->x.group_id = t->group_id;
    v->x.assignee_id = t->assignee_id;
    list_from_json(t->tags, v->x.tags, &v->x.ntags);
    list_from_json(t->required_skills, v->x.skills, &v->x.nskills);
    v->custom = json_loads(t->custom ? t->custom : "{}", 0, NULL);
    v->x.custom = v->custom;
    v->x.created_at = t->created_at;
    v->x.status_since = t->created_at;
    v->x.now = now;
    rc = load_facts(db, rv, t->organisation_id, t->asset_id, used, err);
    if (rc == TEND_OK && (USES(used, XF_HOURS_IN_STATUS) || USES(used, XF_BUSINESS_HOURS_IN_STATUS)))
        rc = status_since(db, t->id, t->created_at, &v->x.status_since, err);
    return rc;
}

/* --- the environment ---------------------------------------------------------------- */

static int
is_business(void *ctx, int64_t calendar_id, int64_t t)
{
    struct run *run = ctx;
    const struct calendar *cal = NULL;
    struct tend_err ignored;

    if (sla_calendar_get(run->db, calendar_id, &cal, &ignored) != TEND_OK || !cal)
        return 0;
    return calendar_is_business(cal, t);
}

static int64_t
business_ms(void *ctx, int64_t calendar_id, int64_t from, int64_t to)
{
    struct run *run = ctx;
    const struct calendar *cal = NULL;
    struct tend_err ignored;

    if (sla_calendar_get(run->db, calendar_id, &cal, &ignored) != TEND_OK || !cal)
        return 0;
    return calendar_business_ms(cal, from, to);
}

static enum tend_rc
load_members(struct db *db, int64_t group_id, struct rules_member *m, int *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT u.id, u.disabled, u.roles, u.available, u.skills, "
                                    "(SELECT coalesce(sum(c.n), 0) FROM ticket_counts c WHERE c.dim = 'assignee' "
                                    "AND c.key = u.id AND c.category IN ('new', 'open', 'pending')) "
                                    "FROM group_members g JOIN users u ON u.id = g.user_id WHERE g.group_id = ? "
                                    "ORDER BY u.id",
                                    err);
    enum db_step_result r;

    *n = 0;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, group_id);
    while ((r = db_step(st, err)) == DB_ROW && *n < MAX_MEMBERS) {
        struct rules_member *x = &m[(*n)++];
        memset(x, 0, sizeof(*x));
        x->id = db_col_int64(st, 0);
        x->available = db_col_int64(st, 1) == 0 && strcmp(db_col_text(st, 2), "customer") != 0 &&
                       db_col_int64(st, 3) != 0;
        list_from_json(db_col_text(st, 4), x->skills, &x->nskills);
        x->open = db_col_int64(st, 5);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
round_robin_turn(struct run *run, int64_t group_id, int64_t *last, int64_t chosen, struct tend_err *err)
{
    struct db_stmt *st;
    enum db_step_result r;

    if (!chosen) {
        *last = 0;
        st = db_prepare(run->db, "SELECT last_user_id FROM rule_round_robin WHERE group_id = ?", err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, group_id);
        r = db_step(st, err);
        if (r == DB_ROW)
            *last = db_col_int64(st, 0);
        db_reset(st);
        return r == DB_FAIL ? err->rc : TEND_OK;
    }
    if (run->dry)
        return TEND_OK;
    st = db_prepare(run->db,
                    "INSERT INTO rule_round_robin (group_id, last_user_id) VALUES (?, ?) "
                    "ON CONFLICT (group_id) DO UPDATE SET last_user_id = excluded.last_user_id",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, group_id);
    db_bind_int64(st, 2, chosen);
    return db_run(st, err);
}

static enum tend_rc
choose_agent(void *ctx, int64_t group_id, enum rules_strategy s, const struct rules_view *v, int64_t *user_id,
             char *note, size_t note_len, struct tend_err *err)
{
    struct run *run = ctx;
    struct rules_member *m = xcalloc(MAX_MEMBERS, sizeof(*m));
    int n = 0;
    int64_t last = 0;
    enum tend_rc rc = load_members(run->db, group_id, m, &n, err);

    *user_id = 0;
    if (rc == TEND_OK && s == RS_ROUND_ROBIN) {
        rc = round_robin_turn(run, group_id, &last, 0, err);
        if (rc == TEND_OK)
            *user_id = rules_assign_round_robin(m, n, last);
        if (rc == TEND_OK && *user_id)
            rc = round_robin_turn(run, group_id, &last, *user_id, err);
    } else if (rc == TEND_OK && s == RS_LEAST_OPEN) {
        *user_id = rules_assign_least_open(m, n);
    } else if (rc == TEND_OK && s == RS_SKILL_MATCH) {
        *user_id = rules_assign_skill_match(m, n, (const char(*)[EXPR_ITEM_MAX])v->x.skills, v->x.nskills);
    }
    if (rc == TEND_OK && *user_id) {
        snprintf(note, note_len, "assigned group %lld, agent %lld (%s)", (long long)group_id, (long long)*user_id,
                 rules_strategy_names[s]);
    } else if (rc == TEND_OK && s == RS_SKILL_MATCH) {
        json_t *skills = json_array();
        char *text;
        for (int i = 0; i < v->x.nskills; i++)
            json_array_append_new(skills, json_string(v->x.skills[i]));
        text = json_dumps(skills, JSON_COMPACT);
        snprintf(note, note_len, "no available member of group %lld has skills %s: no agent assigned",
                 (long long)group_id, text ? text : "[]");
        free(text);
        json_decref(skills);
    } else if (rc == TEND_OK) {
        snprintf(note, note_len, "no available member in group %lld: no agent assigned (%s)", (long long)group_id,
                 rules_strategy_names[s]);
    }
    free(m);
    return rc;
}

/* Time rules run once per ticket per status entry. */
static int
eligible(void *ctx, const struct rule *r)
{
    struct run *run = ctx;
    struct db_stmt *st;
    int fired = 0;

    if (!(run->triggers & RT_TIME) || !(r->triggers & RT_TIME) || !r->id)
        return 1;
    st = db_prepare(run->db,
                    "SELECT 1 FROM rule_time_firings WHERE rule_id = ? AND ticket_id = ? AND status_since = ?",
                    run->err);
    if (!st)
        return 0;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, run->ticket_id);
    db_bind_int64(st, 3, run->status_since);
    fired = db_step(st, run->err) == DB_ROW;
    db_reset(st);
    return !fired;
}

static void
env_init(struct rules_env *env, struct run *run)
{
    memset(env, 0, sizeof(*env));
    env->expr.ctx = run;
    env->expr.is_business = is_business;
    env->expr.business_ms = business_ms;
    env->ctx = run;
    env->choose_agent = choose_agent;
    env->eligible = eligible;
}

/* --- what a firing writes ------------------------------------------------------------ */

static void
add_id(json_t *ids, int64_t id)
{
    size_t i;
    json_t *v;

    if (id <= 0)
        return;
    json_array_foreach(ids, i, v) {
        if (json_integer_value(v) == id)
            return;
    }
    json_array_append_new(ids, json_integer(id));
}

static enum tend_rc
add_query_ids(struct db *db, const char *sql, int64_t id, json_t *ids, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    if (id)
        db_bind_int64(st, 1, id);
    while ((r = db_step(st, err)) == DB_ROW)
        add_id(ids, db_col_int64(st, 0));
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
recipients(struct db *db, const struct rules_action *a, unsigned notify, const struct rules_view *v, int64_t ticket_id,
           json_t *ids, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    if (notify & RN_ASSIGNEE)
        add_id(ids, v->x.assignee_id);
    if ((notify & RN_GROUP_LEAD) && v->x.group_id)
        rc = add_query_ids(db, "SELECT coalesce(lead_id, 0) FROM groups WHERE id = ?", v->x.group_id, ids, err);
    if (rc == TEND_OK && (notify & RN_WATCHERS))
        rc = add_query_ids(db, "SELECT user_id FROM ticket_watchers WHERE ticket_id = ? ORDER BY user_id", ticket_id,
                           ids, err);
    if (rc == TEND_OK && (notify & RN_MANAGERS))
        rc = add_query_ids(db, "SELECT id FROM users WHERE disabled = 0 AND roles LIKE '%manager%' ORDER BY id", 0,
                           ids, err);
    for (int i = 0; a && i < a->nnotify_users; i++)
        add_id(ids, a->notify_users[i]);
    return rc;
}

static const char *
trigger_name(unsigned bits)
{
    for (int i = 0; i < RULES_NTRIGGERS; i++)
        if (bits & (1u << i))
            return rules_trigger_names[i];
    return "";
}

static enum tend_rc
write_firing(struct run *run, const struct rules_firing *f, const struct rules_view *final, const struct ticket *t,
             int64_t now, struct tend_err *err)
{
    const struct rule *r = f->rule;
    char actor[RULES_NAME_MAX * 4 + 8];
    enum tend_rc rc;

    snprintf(actor, sizeof(actor), "rule:%s", r->name);
    rc = event_record(run->db, "rule.fired", "ticket", t->id, actor,
                      json_pack("{s:I,s:s,s:s,s:O,s:O}", "rule_id", (json_int_t)r->id, "rule_name", r->name, "trigger",
                                trigger_name(r->triggers & run->triggers), "changes", f->changes, "notes", f->notes),
                      now, err);
    if (rc == TEND_OK)
        rc = rules_store_count_firing(run->db, r->id, t->id, now, err);
    if (rc == TEND_OK && (run->triggers & RT_TIME) && (r->triggers & RT_TIME)) {
        struct db_stmt *st = db_prepare(run->db,
                                        "INSERT INTO rule_time_firings (rule_id, ticket_id, status_since, fired_at) "
                                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                        err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_int64(st, 1, r->id);
            db_bind_int64(st, 2, t->id);
            db_bind_int64(st, 3, run->status_since);
            db_bind_int64(st, 4, now);
            rc = db_run(st, err);
        }
    }
    for (int k = 0; rc == TEND_OK && k < r->nactions; k++) {
        const struct rules_action *a = &r->actions[k];
        if (a->type == RA_NOTIFY || a->type == RA_ESCALATE) {
            json_t *ids = json_array();
            char message[RULES_MESSAGE_MAX * 4 + 200];
            if (a->type == RA_ESCALATE)
                snprintf(message, sizeof(message), "Escalated by rule %s: priority %s", r->name, final->x.priority);
            else
                strlcopy(message, a->message ? a->message : "", sizeof(message));
            utf8_sanitize(message);
            rc = recipients(run->db, a->type == RA_NOTIFY ? a : NULL, a->type == RA_NOTIFY ? a->notify : RN_GROUP_LEAD,
                            final, t->id, ids, err);
            if (rc == TEND_OK)
                rc = event_record(run->db, "rule.notify", "ticket", t->id, actor,
                                  json_pack("{s:I,s:s,s:s,s:O}", "rule_id", (json_int_t)r->id, "rule_name", r->name,
                                            "message", message, "notify_user_ids", ids),
                                  now, err);
            json_decref(ids);
        } else if (a->type == RA_WEBHOOK) {
            rc = event_record(
                run->db, "rule.webhook", "ticket", t->id, actor,
                json_pack("{s:I,s:s,s:I,s:{s:I,s:s,s:s,s:s,s:s,s:o,s:o}}", "rule_id", (json_int_t)r->id, "rule_name",
                          r->name, "webhook_id", (json_int_t)a->id, "ticket", "id", (json_int_t)t->id, "number",
                          t->number, "subject", t->subject, "status", final->x.status, "priority", final->x.priority,
                          "group_id", final->x.group_id ? json_integer(final->x.group_id) : json_null(), "assignee_id",
                          final->x.assignee_id ? json_integer(final->x.assignee_id) : json_null()),
                now, err);
        }
    }
    return rc;
}

enum tend_rc
rules_ticket_happened(struct db *db, const struct ticket *t, unsigned triggers, int64_t now,
                      struct rules_changeset *cs, struct tend_err *err)
{
    const struct rules_set *set = NULL;
    struct run run = {db, 0, t->id, 0, triggers, err};
    struct run_view rv, before;
    struct rules_env env;
    struct rules_pass pass;
    const char *only = NULL;
    int changers = 0;
    enum tend_rc rc;

    memset(cs, 0, sizeof(*cs));
    rc = rules_set_get(db, &set, err);
    if (rc || !(set->triggers & triggers))
        return rc;
    rc = view_of_ticket(db, t, set->used | ((triggers & RT_TIME) ? UINT64_C(1) << XF_HOURS_IN_STATUS : 0), now, &rv,
                        err);
    run.status_since = rv.v.x.status_since;
    if (rc) {
        run_view_cleanup(&rv);
        return rc;
    }
    memset(&before, 0, sizeof(before));
    rules_view_copy(&before.v, &rv.v);
    env_init(&env, &run);
    rc = rules_evaluate(set->rules, set->n, triggers, 0, &rv.v, &env, &pass, err);
    cs->rule_ids = json_array();
    for (int i = 0; rc == TEND_OK && i < pass.n; i++) {
        const struct rules_firing *f = &pass.firings[i];
        if (!f->fired)
            continue;
        cs->fired++;
        if (json_object_size(f->changes) > 0) {
            json_array_append_new(cs->rule_ids, json_integer(f->rule->id));
            only = f->rule->name;
            changers++;
        }
        rc = write_firing(&run, f, &rv.v, t, now, err);
    }
    if (rc == TEND_OK) {
        rules_view_change(&before.v, &rv.v, &cs->in);
        if (changers == 1)
            snprintf(cs->actor, sizeof(cs->actor), "rule:%s", only);
        else
            strlcopy(cs->actor, "rules", sizeof(cs->actor));
    }
    rules_pass_cleanup(&pass);
    rules_view_cleanup(&before.v);
    run_view_cleanup(&rv);
    return rc;
}

/* --- the time sweep --------------------------------------------------------------------- */

enum tend_rc
rules_sweep(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err)
{
    const struct rules_set *set = NULL;
    struct db_stmt *st;
    int64_t cursor = 0, *ids = NULL;
    int n = 0, cap = 0;
    enum db_step_result r;
    enum tend_rc rc = rules_set_get(db, &set, err);

    if (rc)
        return rc;
    if (!(set->triggers & RT_TIME)) {
        snprintf(detail, detail_len, "no active time rules");
        return TEND_OK;
    }
    st = db_prepare(db, "SELECT value FROM rule_epoch WHERE id = 2", err);
    if (!st)
        return err->rc;
    if (db_step(st, err) == DB_ROW)
        cursor = db_col_int64(st, 0);
    db_reset(st);
    st = db_prepare(db,
                    "SELECT id FROM tickets WHERE id > ? AND status_category IN ('new', 'open', 'pending') "
                    "ORDER BY id LIMIT ?",
                    err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, cursor);
    db_bind_int64(st, 2, SWEEP_BATCH);
    while ((r = db_step(st, err)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, (size_t)cap * sizeof(*ids));
        }
        ids[n++] = db_col_int64(st, 0);
    }
    db_reset(st);
    if (r == DB_FAIL) {
        free(ids);
        return err->rc;
    }
    for (int i = 0; rc == TEND_OK && i < n; i++)
        rc = tickets_store_run_rules(db, ids[i], RT_TIME, now, err);
    /* the next run goes on after the last ticket seen, or from the start */
    st = rc ? NULL : db_prepare(db, "UPDATE rule_epoch SET value = ? WHERE id = 2", err);
    if (st) {
        db_bind_int64(st, 1, n == SWEEP_BATCH ? ids[n - 1] : 0);
        rc = db_run(st, err);
    } else if (!rc) {
        rc = err->rc;
    }
    free(ids);
    if (rc == TEND_OK)
        snprintf(detail, detail_len, "time rules checked on %d open tickets", n);
    return rc;
}

/* --- the dry run's pieces (rules_store.h) ------------------------------------------- */

enum tend_rc
rules_run_view_ticket(struct db *db, const struct ticket *t, uint64_t used, int64_t now, struct rules_view **out,
                      struct tend_err *err)
{
    struct run_view *rv = xcalloc(1, sizeof(*rv));
    enum tend_rc rc = view_of_ticket(db, t, used, now, rv, err);

    *out = &rv->v;
    return rc;
}

void
rules_run_view_free(struct rules_view *v)
{
    struct run_view *rv = (struct run_view *)v; /* v is the first member */

    run_view_cleanup(rv);
    free(rv);
}

static const char *const sample_members[] = {"subject",     "description", "priority",      "channel",  "status",
                                              "type",        "customer_ref", "organisation_id", "asset_id",
                                              "category_id", "fault_code_id", "group_id",    "assignee_id", "tags",
                                              "required_skills", "custom", NULL};

static enum tend_rc
sample_text(const json_t *s, const char *name, char **out, char *buf, size_t len, struct tend_err *err)
{
    const json_t *v = json_object_get(s, name);
    char field[48];

    if (!v || json_is_null(v))
        return TEND_OK;
    snprintf(field, sizeof(field), "ticket.%s", name);
    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be text");
    if (out) {
        free(*out);
        *out = xstrdup(json_string_value(v));
    } else if (json_string_length(v) >= len) {
        return tend_fail(err, TEND_EINVAL, field, "is too long");
    } else {
        strlcopy(buf, json_string_value(v), len);
    }
    return TEND_OK;
}

static enum tend_rc
sample_id(const json_t *s, const char *name, int64_t *out, struct tend_err *err)
{
    const json_t *v = json_object_get(s, name);
    char field[48];

    *out = 0;
    if (!v || json_is_null(v))
        return TEND_OK;
    snprintf(field, sizeof(field), "ticket.%s", name);
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return tend_fail(err, TEND_EINVAL, field, "must be an id or null");
    *out = json_integer_value(v);
    return TEND_OK;
}

static enum tend_rc
sample_list(const json_t *s, const char *name, char (*items)[EXPR_ITEM_MAX], int *n, struct tend_err *err)
{
    const json_t *v = json_object_get(s, name);
    char field[48];
    size_t i;
    json_t *x;

    *n = 0;
    if (!v || json_is_null(v))
        return TEND_OK;
    snprintf(field, sizeof(field), "ticket.%s", name);
    if (!json_is_array(v) || json_array_size(v) > EXPR_MAX_LIST)
        return tend_fail(err, TEND_EINVAL, field, "must be a list of at most %d names", EXPR_MAX_LIST);
    json_array_foreach(v, i, x) {
        char *norm = json_is_string(x) ? ticket_tag_normalise(json_string_value(x), json_string_length(x)) : NULL;
        if (!norm)
            return tend_fail(err, TEND_EINVAL, field, "item %zu is not a valid name", i);
        strlcopy(items[(*n)++], norm, EXPR_ITEM_MAX);
        free(norm);
    }
    return TEND_OK;
}

enum tend_rc
rules_run_view_sample(struct db *db, const json_t *s, uint64_t used, int64_t now, struct rules_view **out,
                      struct tend_err *err)
{
    struct run_view *rv = xcalloc(1, sizeof(*rv));
    struct rules_view *v = &rv->v;
    int64_t org = 0, asset = 0;
    const char *key;
    json_t *x;
    enum tend_rc rc = TEND_OK;

    *out = v;
    if (!json_is_object(s))
        return tend_fail(err, TEND_EINVAL, "ticket", "must be an object");
    json_object_foreach((json_t *)s, key, x) {
        int known = 0;
        for (int i = 0; sample_members[i] && !known; i++)
            known = strcmp(sample_members[i], key) == 0;
        if (!known) {
            char field[80];
            snprintf(field, sizeof(field), "ticket.%.60s", key);
            return tend_fail(err, TEND_EINVAL, field, "unknown member");
        }
    }
    strlcopy(v->x.status, "new", sizeof(v->x.status));
    strlcopy(v->x.status_category, "new", sizeof(v->x.status_category));
    strlcopy(v->x.priority, "normal", sizeof(v->x.priority));
    strlcopy(v->x.channel, "portal", sizeof(v->x.channel));
    strlcopy(rv->type, "repair", sizeof(rv->type));
    rv->subject = xstrdup("");
    rv->description = xstrdup("");
    rc = sample_text(s, "subject", &rv->subject, NULL, 0, err);
    if (rc == TEND_OK)
        rc = sample_text(s, "description", &rv->description, NULL, 0, err);
    if (rc == TEND_OK)
        rc = sample_text(s, "customer_ref", &rv->customer_ref, NULL, 0, err);
    if (rc == TEND_OK)
        rc = sample_text(s, "priority", NULL, v->x.priority, sizeof(v->x.priority), err);
    if (rc == TEND_OK && !ticket_value_in(v->x.priority, ticket_priorities))
        rc = tend_fail(err, TEND_EINVAL, "ticket.priority", "must be low, normal, high or urgent");
    if (rc == TEND_OK)
        rc = sample_text(s, "channel", NULL, v->x.channel, sizeof(v->x.channel), err);
    if (rc == TEND_OK && !ticket_value_in(v->x.channel, ticket_channels))
        rc = tend_fail(err, TEND_EINVAL, "ticket.channel", "is not a channel");
    if (rc == TEND_OK)
        rc = sample_text(s, "status", NULL, v->x.status, sizeof(v->x.status), err);
    if (rc == TEND_OK)
        rc = sample_text(s, "type", NULL, rv->type, sizeof(rv->type), err);
    if (rc == TEND_OK)
        rc = sample_id(s, "organisation_id", &org, err);
    if (rc == TEND_OK)
        rc = sample_id(s, "asset_id", &asset, err);
    if (rc == TEND_OK)
        rc = sample_id(s, "category_id", &v->x.category_id, err);
    if (rc == TEND_OK)
        rc = sample_id(s, "fault_code_id", &v->x.fault_code_id, err);
    if (rc == TEND_OK)
        rc = sample_id(s, "group_id", &v->x.group_id, err);
    if (rc == TEND_OK)
        rc = sample_id(s, "assignee_id", &v->x.assignee_id, err);
    if (rc == TEND_OK)
        rc = sample_list(s, "tags", v->x.tags, &v->x.ntags, err);
    if (rc == TEND_OK)
        rc = sample_list(s, "required_skills", v->x.skills, &v->x.nskills, err);
    x = json_object_get(s, "custom");
    if (rc == TEND_OK && x && !json_is_object(x) && !json_is_null(x))
        rc = tend_fail(err, TEND_EINVAL, "ticket.custom", "must be an object");
    if (rc)
        return rc;
    v->custom = json_is_object(x) ? json_deep_copy(x) : json_object();
    v->x.custom = v->custom;
    v->x.subject = rv->subject;
    v->x.description = rv->description;
    v->x.customer_ref = rv->customer_ref;
    v->x.type = rv->type;
    v->x.created_at = v->x.status_since = v->x.now = now;
    return load_facts(db, rv, org, asset, used, err);
}

enum tend_rc
rules_run_pass(struct db *db, const struct rule *rules, int n, unsigned triggers, int all, struct rules_view *v,
               int64_t ticket_id, struct rules_pass *pass, struct tend_err *err)
{
    struct run run = {db, 1, ticket_id, v->x.status_since, triggers, err};
    struct rules_env env;

    env_init(&env, &run);
    env.eligible = NULL; /* a dry run shows what the rules would do now */
    return rules_evaluate(rules, n, triggers, all, v, &env, pass, err);
}
