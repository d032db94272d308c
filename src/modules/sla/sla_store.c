/* sla_store.c: the SLA module's shared SQL: the per-thread cache of policies
 * and calendars, a ticket's clock rows, its summary columns, and the facts a
 * late-starting clock needs. */
#include "sla_store.h"
#include "sla.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "platform/http/api.h"
#include "platform/util/util.h"

/* --- policies and calendars in force ----------------------------------------- */

#define CONFIG_KEYS 6

struct config_cache {
    struct sla_config cfg;
    int valid;
    int64_t key[CONFIG_KEYS];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
config_clear(struct sla_config *cfg)
{
    for (int i = 0; i < cfg->npolicies; i++)
        sla_policy_cleanup(&cfg->policies[i]);
    for (int i = 0; i < cfg->ncalendars; i++)
        calendar_free(cfg->calendars[i].cal);
    free(cfg->policies);
    free(cfg->calendars);
    memset(cfg, 0, sizeof(*cfg));
}

static void
cache_free(void *p)
{
    struct config_cache *c = p;

    config_clear(&c->cfg);
    free(c);
}

static void
cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_free); /* freed when the thread ends */
}

static struct config_cache *
thread_cache(void)
{
    struct config_cache *c;

    pthread_once(&cache_once, cache_key_create);
    c = pthread_getspecific(cache_key);
    if (!c) {
        c = xcalloc(1, sizeof(*c));
        pthread_setspecific(cache_key, c);
    }
    return c;
}

static enum tend_rc
load_calendars(struct db *db, struct sla_config *cfg, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT id, name, definition FROM calendars ORDER BY id", err);
    enum db_step_result r;
    int cap = 0;

    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        struct sla_calendar_entry *e;
        struct tend_err ignored;
        if (cfg->ncalendars == cap) {
            cap = cap ? cap * 2 : 8;
            cfg->calendars = xrealloc(cfg->calendars, (size_t)cap * sizeof(*cfg->calendars));
        }
        e = &cfg->calendars[cfg->ncalendars];
        memset(e, 0, sizeof(*e));
        e->id = db_col_int64(st, 0);
        strlcopy(e->name, db_col_text(st, 1), sizeof(e->name));
        if (calendar_parse_json(db_col_text(st, 2), &e->cal, &ignored) == TEND_OK)
            cfg->ncalendars++; /* stored definitions were validated; a bad one is skipped */
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
load_policies(struct db *db, struct sla_config *cfg, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT id, name, position, active, calendar_id, definition, version "
                                    "FROM sla_policies ORDER BY position, id",
                                    err);
    enum db_step_result r;
    int cap = 0;

    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        struct sla_policy *p;
        struct tend_err ignored;
        json_t *def = json_loads(db_col_text(st, 5), 0, NULL);
        if (cfg->npolicies == cap) {
            cap = cap ? cap * 2 : 8;
            cfg->policies = xrealloc(cfg->policies, (size_t)cap * sizeof(*cfg->policies));
        }
        p = &cfg->policies[cfg->npolicies];
        if (sla_policy_parse(def, p, &ignored) == TEND_OK) {
            p->id = db_col_int64(st, 0);
            strlcopy(p->name, db_col_text(st, 1), sizeof(p->name));
            p->position = db_col_int64(st, 2);
            p->active = db_col_int64(st, 3) != 0;
            p->calendar_id = db_col_int64(st, 4);
            p->version = db_col_int64(st, 6);
            cfg->uses_tier |= p->active && json_object_get(p->conditions, "tier") != NULL;
            cfg->npolicies++;
        } else {
            sla_policy_cleanup(p);
        }
        json_decref(def);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
sla_config_get(struct db *db, const struct sla_config **out, struct tend_err *err)
{
    struct config_cache *c = thread_cache();
    struct db_stmt *st = db_prepare(db,
                                    "SELECT (SELECT count(*) FROM sla_policies), "
                                    "(SELECT coalesce(sum(version + id), 0) FROM sla_policies), "
                                    "(SELECT coalesce(max(updated_at), 0) FROM sla_policies), "
                                    "(SELECT count(*) FROM calendars), "
                                    "(SELECT coalesce(sum(version + id), 0) FROM calendars), "
                                    "(SELECT coalesce(max(updated_at), 0) FROM calendars)",
                                    err);
    int64_t key[CONFIG_KEYS] = {0};
    enum db_step_result r;
    enum tend_rc rc;

    if (!st)
        return err->rc ? err->rc : TEND_EDB;
    r = db_step(st, err);
    if (r == DB_ROW)
        for (int i = 0; i < CONFIG_KEYS; i++)
            key[i] = db_col_int64(st, i);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (!c->valid || memcmp(key, c->key, sizeof(key)) != 0) {
        config_clear(&c->cfg);
        c->valid = 0;
        rc = load_calendars(db, &c->cfg, err);
        if (rc == TEND_OK)
            rc = load_policies(db, &c->cfg, err);
        if (rc) {
            config_clear(&c->cfg);
            return rc;
        }
        memcpy(c->key, key, sizeof(key));
        c->valid = 1;
    }
    *out = &c->cfg;
    return TEND_OK;
}

const struct sla_policy *
sla_config_policy(const struct sla_config *cfg, int64_t id)
{
    for (int i = 0; i < cfg->npolicies; i++)
        if (cfg->policies[i].id == id)
            return &cfg->policies[i];
    return NULL;
}

static const struct sla_calendar_entry *
calendar_entry(const struct sla_config *cfg, int64_t id)
{
    const struct sla_calendar_entry *fallback = NULL;

    for (int i = 0; i < cfg->ncalendars; i++) {
        if (cfg->calendars[i].id == id)
            return &cfg->calendars[i];
        if (cfg->calendars[i].id == 1 || !fallback)
            fallback = &cfg->calendars[i];
    }
    return fallback;
}

const struct calendar *
sla_config_calendar(const struct sla_config *cfg, int64_t id)
{
    const struct sla_calendar_entry *e = calendar_entry(cfg, id);

    return e ? e->cal : NULL;
}

enum tend_rc
sla_calendar_get(struct db *db, int64_t id, const struct calendar **out, struct tend_err *err)
{
    const struct sla_config *cfg = NULL;
    enum tend_rc rc = sla_config_get(db, &cfg, err);

    *out = NULL;
    for (int i = 0; rc == TEND_OK && cfg && i < cfg->ncalendars; i++)
        if (cfg->calendars[i].id == id)
            *out = cfg->calendars[i].cal;
    return rc;
}

const char *
sla_config_calendar_name(const struct sla_config *cfg, int64_t id)
{
    const struct sla_calendar_entry *e = calendar_entry(cfg, id);

    return e ? e->name : "";
}

const struct sla_policy *
sla_config_select(const struct sla_config *cfg, const struct sla_subject *s)
{
    for (int i = 0; i < cfg->npolicies; i++)
        if (sla_policy_matches(&cfg->policies[i], s) && sla_config_calendar(cfg, cfg->policies[i].calendar_id))
            return &cfg->policies[i];
    return NULL;
}

/* --- clock rows ----------------------------------------------------------------- */

void
sla_store_read_row(struct db_stmt *st, int col, struct sla_row *r)
{
    struct sla_clock *c = &r->c;

    memset(r, 0, sizeof(*r));
    c->metric = sla_metric_of(db_col_text(st, col));
    c->cycle = (int)db_col_int64(st, col + 1);
    r->policy_id = db_col_int64(st, col + 2);
    r->calendar_id = db_col_int64(st, col + 3);
    strlcopy(r->priority, db_col_text(st, col + 4), sizeof(r->priority));
    c->phase = clock_phase_of(db_col_text(st, col + 5));
    c->target_ms = db_col_int64(st, col + 6);
    c->elapsed_ms = db_col_int64(st, col + 7);
    c->since = db_col_int64(st, col + 8);
    c->started_at = db_col_int64(st, col + 9);
    c->due_at = db_col_int64(st, col + 10);
    c->warn_at = db_col_int64(st, col + 11);
    c->next_alert_at = db_col_int64(st, col + 12);
    c->achieved_at = db_col_int64(st, col + 13);
    c->breached_at = db_col_int64(st, col + 14);
    c->alerts = (unsigned)db_col_int64(st, col + 15);
}

enum tend_rc
sla_store_rows(struct db *db, int64_t ticket_id, struct sla_row *rows, int *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " SLA_ROW_COLUMNS " FROM ticket_sla WHERE ticket_id = ? "
                                    "ORDER BY metric, cycle DESC LIMIT ?",
                                    err);
    enum db_step_result r;

    *n = 0;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, SLA_MAX_ROWS);
    while ((r = db_step(st, err)) == DB_ROW) {
        sla_store_read_row(st, 0, &rows[*n]);
        if (rows[*n].c.metric >= 0 && rows[*n].c.phase >= 0)
            (*n)++;
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
sla_store_save_row(struct db *db, int64_t ticket_id, const struct sla_row *row, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        "INSERT INTO ticket_sla (ticket_id, " SLA_ROW_COLUMNS ") "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (ticket_id, metric, cycle) DO UPDATE SET policy_id = excluded.policy_id, "
        "calendar_id = excluded.calendar_id, priority = excluded.priority, phase = excluded.phase, "
        "target_ms = excluded.target_ms, elapsed_ms = excluded.elapsed_ms, since = excluded.since, "
        "started_at = excluded.started_at, due_at = excluded.due_at, warn_at = excluded.warn_at, "
        "next_alert_at = excluded.next_alert_at, achieved_at = excluded.achieved_at, "
        "breached_at = excluded.breached_at, alerts = excluded.alerts",
        err);
    const struct sla_clock *c = &row->c;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_str(st, 2, sla_metric_names[c->metric]);
    db_bind_int64(st, 3, c->cycle);
    db_bind_int64(st, 4, row->policy_id);
    db_bind_int64(st, 5, row->calendar_id);
    db_bind_str(st, 6, row->priority);
    db_bind_str(st, 7, clock_phase_names[c->phase]);
    db_bind_int64(st, 8, c->target_ms);
    db_bind_int64(st, 9, c->elapsed_ms);
    db_bind_int64(st, 10, c->since);
    db_bind_int64(st, 11, c->started_at);
    db_bind_int64(st, 12, c->due_at);
    db_bind_int64(st, 13, c->warn_at);
    db_bind_int64(st, 14, c->next_alert_at);
    db_bind_int64(st, 15, c->achieved_at);
    db_bind_int64(st, 16, c->breached_at);
    db_bind_int64(st, 17, c->alerts);
    return db_run(st, err);
}

enum tend_rc
sla_store_summary(struct db *db, int64_t ticket_id, int64_t policy_id, int64_t due_at, int64_t warn_at,
                  int64_t flags, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "UPDATE tickets SET sla_policy_id = ?, sla_due_at = ?, sla_warn_at = ?, "
                                    "sla_flags = ? WHERE id = ?",
                                    err);

    if (!st)
        return err->rc;
    db_bind_ref(st, 1, policy_id);
    db_bind_ref(st, 2, due_at);
    db_bind_ref(st, 3, warn_at);
    db_bind_int64(st, 4, flags);
    db_bind_int64(st, 5, ticket_id);
    return db_run(st, err);
}

static enum tend_rc
count_of(struct db *db, const char *sql, int64_t id, int *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    *out = r == DB_ROW && db_col_int64(st, 0) > 0;
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
sla_store_facts(struct db *db, int64_t ticket_id, int *responded, int *arrived, struct tend_err *err)
{
    enum tend_rc rc = count_of(db,
                               "SELECT count(*) FROM comments c LEFT JOIN users u ON u.id = c.author_id "
                               "WHERE c.ticket_id = ? AND c.internal = 0 "
                               "AND (u.roles IS NULL OR u.roles <> 'customer')",
                               ticket_id, responded, err);

    return rc ? rc
              : count_of(db,
                         "SELECT count(*) FROM events WHERE entity = 'ticket' AND entity_id = ? "
                         "AND type = 'ticket.on_site'",
                         ticket_id, arrived, err);
}

enum tend_rc
sla_store_tier(struct db *db, int64_t id, char *out, size_t len, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT tier FROM organisations WHERE id = ?", err);
    enum db_step_result r;

    out[0] = '\0';
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW)
        strlcopy(out, db_col_text(st, 0), len);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static json_t *
instant(int64_t ms)
{
    return ms ? api_time(ms) : json_null();
}

json_t *
sla_clock_json(const struct sla_row *r, int64_t now, const struct calendar *cal, int warning_percent)
{
    const struct sla_clock *c = &r->c;
    int64_t elapsed = cal ? clock_elapsed_at(c, now, cal) : c->elapsed_ms;

    return json_pack("{s:s,s:i,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:I,s:s}", "metric",
                     sla_metric_names[c->metric], "cycle", c->cycle, "state", clock_phase_names[c->phase],
                     "target_minutes", (json_int_t)(c->target_ms / 60000), "elapsed_minutes",
                     (json_int_t)(elapsed / 60000), "remaining_minutes",
                     (json_int_t)((c->target_ms - elapsed) / 60000), "started_at", instant(c->started_at), "due_at",
                     instant(c->due_at), "warning_at", instant(c->warn_at), "achieved_at", instant(c->achieved_at),
                     "breached_at", instant(c->breached_at), "breached", clock_breached(c, now), "warning",
                     cal ? clock_warning(c, now, cal, warning_percent) : 0, "policy_id", (json_int_t)r->policy_id,
                     "priority", r->priority);
}

json_t *
sla_event_json(const struct sla_row *r)
{
    return json_pack("{s:s,s:i,s:I,s:I,s:o,s:o}", "metric", sla_metric_names[r->c.metric], "cycle", r->c.cycle,
                     "policy_id", (json_int_t)r->policy_id, "target_minutes", (json_int_t)(r->c.target_ms / 60000),
                     "due_at", instant(r->c.due_at), "breached_at", instant(r->c.breached_at));
}

void
sla_config_levels(const struct sla_config *cfg, int64_t id, struct clock_levels *lv)
{
    const struct sla_policy *p = sla_config_policy(cfg, id);

    if (p) {
        sla_policy_levels(p, lv);
        return;
    }
    lv->n = 2;
    lv->percent[SLA_LEVEL_WARNING] = 75;
    lv->percent[SLA_LEVEL_BREACH] = 100;
}

enum tend_rc
sla_store_ticket_json(struct db *db, int64_t ticket_id, int64_t policy_id, int64_t now, json_t **out,
                      struct tend_err *err)
{
    const struct sla_config *cfg = NULL;
    const struct sla_policy *p;
    struct sla_row *rows = xcalloc(SLA_MAX_ROWS, sizeof(*rows));
    json_t *clocks;
    int n = 0;
    enum tend_rc rc = sla_config_get(db, &cfg, err);

    if (rc == TEND_OK)
        rc = sla_store_rows(db, ticket_id, rows, &n, err);
    if (rc || !cfg) {
        free(rows);
        return rc;
    }
    clocks = json_array();
    for (int i = 0; i < n; i++) {
        const struct sla_policy *of = sla_config_policy(cfg, rows[i].policy_id);
        json_array_append_new(clocks, sla_clock_json(&rows[i], now, sla_config_calendar(cfg, rows[i].calendar_id),
                                                     of ? of->warning_percent : 75));
    }
    p = sla_config_policy(cfg, policy_id);
    *out = json_pack("{s:I,s:o,s:o,s:o}", "ticket_id", (json_int_t)ticket_id, "policy",
                     p ? json_pack("{s:I,s:s}", "id", (json_int_t)p->id, "name", p->name) : json_null(), "calendar",
                     p ? json_pack("{s:I,s:s}", "id", (json_int_t)p->calendar_id, "name",
                                   sla_config_calendar_name(cfg, p->calendar_id))
                       : json_null(),
                     "clocks", clocks);
    free(rows);
    return TEND_OK;
}

enum tend_rc
sla_store_rows_json(struct db *db, const char *sql, json_t *(*row)(struct db_stmt *st), json_t **out,
                    struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    json_t *items;

    if (!st || db_collect_json(st, row, &items, err))
        return err->rc;
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

enum tend_rc
sla_store_row_json(struct db *db, const char *sql, int64_t id, const char *what, json_t *(*row)(struct db_stmt *st),
                   json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_one_json(st, row, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no %s %lld", what, (long long)id);
    return rc;
}
