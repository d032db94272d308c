/* rules_store.c: the SQL of rules: the catalogue of names they may use, the
 * per-thread compiled rule set (rebuilt when the rule epoch or a referenced
 * name changes), rule rows, their sharded firing counters, and the writes of
 * the rules routes (create, update, delete, reorder) with their audit events. */
#include "rules_store.h"

#include <stdlib.h>
#include <string.h>

#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/thread_slot.h"
#include "platform/util/util.h"

#define COUNTER_SHARDS 8

/* --- the catalogue ---------------------------------------------------------------- */

static char *
keep(struct rules_catalog_data *c, const char *s)
{
    if (c->nstrings == c->capstrings) {
        c->capstrings = c->capstrings ? c->capstrings * 2 : 64;
        c->strings = xrealloc(c->strings, (size_t)c->capstrings * sizeof(*c->strings));
    }
    return c->strings[c->nstrings++] = xstrdup(s ? s : "");
}

/* Rows of (id, name) into a growing array. */
static enum tend_rc
load_named(struct db *db, struct rules_catalog_data *c, const char *sql, struct expr_named **out, int *n,
           struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;
    int cap = 0;

    *out = NULL;
    *n = 0;
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, (size_t)cap * sizeof(**out));
        }
        (*out)[*n].id = db_col_int64(st, 0);
        (*out)[*n].name = keep(c, db_col_text(st, 1));
        (*n)++;
    }
    db_reset(st);
    if (!*out)
        *out = xcalloc(1, sizeof(**out)); /* non-NULL: an empty list, not "anything" */
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum tend_rc
load_ids(struct db *db, const char *sql, int64_t **out, int *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;
    int cap = 0;

    *out = NULL;
    *n = 0;
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, (size_t)cap * sizeof(**out));
        }
        (*out)[(*n)++] = db_col_int64(st, 0);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

static enum expr_type
custom_type(const char *cf_type)
{
    if (strcmp(cf_type, "number") == 0 || strcmp(cf_type, "money") == 0)
        return EXPR_NUMBER;
    if (strcmp(cf_type, "checkbox") == 0)
        return EXPR_BOOL;
    if (strcmp(cf_type, "multi_select") == 0)
        return EXPR_LIST;
    if (strcmp(cf_type, "date") == 0 || strcmp(cf_type, "datetime") == 0)
        return EXPR_DATE;
    return EXPR_TEXT;
}

static enum tend_rc
load_custom(struct db *db, struct rules_catalog_data *c, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT key, definition FROM custom_fields ORDER BY id", err);
    enum db_step_result r;
    int cap = 0;

    c->custom = xcalloc(1, sizeof(*c->custom));
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *def = json_loads(db_col_text(st, 1), 0, NULL);
        const char *type = json_string_value(json_object_get(def, "type"));
        if (c->cat.x.ncustom == cap) {
            cap = cap ? cap * 2 : 16;
            c->custom = xrealloc(c->custom, (size_t)cap * sizeof(*c->custom));
        }
        c->custom[c->cat.x.ncustom].key = keep(c, db_col_text(st, 0));
        c->custom[c->cat.x.ncustom].type = custom_type(type ? type : "text");
        c->cat.x.ncustom++;
        json_decref(def);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

/* Every status key of every workflow, once. */
static enum tend_rc
load_statuses(struct db *db, struct rules_catalog_data *c, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT definition FROM workflows ORDER BY id", err);
    enum db_step_result r;
    int cap = 0;

    c->statuses = xcalloc(1, sizeof(*c->statuses));
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *def = json_loads(db_col_text(st, 0), 0, NULL);
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(def, "statuses"), i, s) {
            const char *key = json_string_value(json_object_get(s, "key"));
            int dup = 0;
            for (int k = 0; key && k < c->cat.x.nstatuses; k++)
                dup |= strcmp(c->statuses[k], key) == 0;
            if (!key || dup)
                continue;
            if (c->cat.x.nstatuses == cap) {
                cap = cap ? cap * 2 : 16;
                c->statuses = xrealloc(c->statuses, (size_t)cap * sizeof(*c->statuses));
            }
            c->statuses[c->cat.x.nstatuses++] = keep(c, key);
        }
        json_decref(def);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
rules_catalog_load(struct db *db, struct rules_catalog_data *c, struct tend_err *err)
{
    struct expr_catalog *x = &c->cat.x;
    enum tend_rc rc;

    memset(c, 0, sizeof(*c));
    rc = load_named(db, c, "SELECT id, name FROM groups ORDER BY id", &c->groups, &x->ngroups, err);
    if (rc == TEND_OK)
        rc = load_named(db, c, "SELECT id, username FROM users ORDER BY id", &c->users, &x->nusers, err);
    if (rc == TEND_OK)
        rc = load_named(db, c, "SELECT id, name FROM categories WHERE kind = 'category' ORDER BY id", &c->categories,
                        &x->ncategories, err);
    if (rc == TEND_OK)
        rc = load_named(db, c, "SELECT id, name FROM categories WHERE kind = 'fault_code' ORDER BY id",
                        &c->fault_codes, &x->nfault_codes, err);
    if (rc == TEND_OK)
        rc = load_custom(db, c, err);
    if (rc == TEND_OK)
        rc = load_statuses(db, c, err);
    if (rc == TEND_OK)
        rc = load_ids(db, "SELECT id FROM calendars ORDER BY id", &c->calendars, &x->ncalendars, err);
    if (rc == TEND_OK)
        rc = load_ids(db, "SELECT id FROM users WHERE disabled = 0 AND roles <> 'customer' ORDER BY id", &c->agents,
                      &c->cat.nagents, err);
    if (rc == TEND_OK)
        rc = load_ids(db, "SELECT id FROM webhooks ORDER BY id", &c->webhooks, &c->cat.nwebhooks, err);
    x->groups = c->groups;
    x->users = c->users;
    x->categories = c->categories;
    x->fault_codes = c->fault_codes;
    x->custom = c->custom;
    x->calendars = c->calendars;
    x->statuses = (const char *const *)c->statuses;
    c->cat.agents = c->agents;
    c->cat.webhooks = c->webhooks;
    return rc;
}

void
rules_catalog_cleanup(struct rules_catalog_data *c)
{
    for (int i = 0; i < c->nstrings; i++)
        free(c->strings[i]);
    free(c->strings);
    free(c->groups);
    free(c->users);
    free(c->categories);
    free(c->fault_codes);
    free(c->custom);
    free(c->calendars);
    free(c->agents);
    free(c->webhooks);
    free(c->statuses);
    memset(c, 0, sizeof(*c));
}

/* --- rows --------------------------------------------------------------------------- */

#define RULE_COLUMNS                                                                                       \
    "r.id, r.name, r.description, r.active, r.position, r.triggers, r.condition, r.actions, "              \
    "r.stop_processing, r.version, r.created_at, r.updated_at"
#define COUNTER_JOIN                                                                                       \
    " LEFT JOIN (SELECT rule_id, sum(fired_count) AS n, max(last_fired_at) AS at FROM rule_counters "      \
    "GROUP BY rule_id) k ON k.rule_id = r.id"

/* A stored row as an unparsed rule body (the catalogue checks happen on parse). */
static json_t *
row_body(struct db_stmt *st)
{
    json_t *triggers = json_loads(db_col_text(st, 5), 0, NULL), *actions = json_loads(db_col_text(st, 7), 0, NULL);

    return json_pack("{s:s,s:s,s:b,s:I,s:o,s:s,s:o,s:b}", "name", db_col_text(st, 1), "description",
                     db_col_text(st, 2), "active", db_col_int64(st, 3) != 0, "position",
                     (json_int_t)db_col_int64(st, 4), "triggers", triggers ? triggers : json_array(), "condition",
                     db_col_text(st, 6), "actions", actions ? actions : json_array(), "stop_processing",
                     db_col_int64(st, 8) != 0);
}

json_t *
rules_rule_json(const struct rule *r, int64_t fired_count, int64_t last_fired_at)
{
    return json_pack("{s:I,s:s,s:s,s:b,s:I,s:o,s:s,s:o,s:b,s:I,s:o,s:o,s:I,s:o}", "id", (json_int_t)r->id, "name",
                     r->name, "description", r->description ? r->description : "", "active", r->active, "position",
                     (json_int_t)r->position, "triggers", rule_triggers_json(r->triggers), "condition",
                     r->condition ? r->condition : "", "actions", rule_actions_json(r), "stop_processing",
                     r->stop_processing, "version", (json_int_t)r->version, "created_at", api_time(r->created_at),
                     "updated_at", api_time(r->updated_at), "fired_count", (json_int_t)fired_count, "last_fired_at",
                     last_fired_at ? api_time(last_fired_at) : json_null());
}

/* The stored row as API JSON, without catalogue checks (a rule whose group is
 * gone still reads back as saved). */
static json_t *
row_json(struct db_stmt *st)
{
    json_t *out = row_body(st), *triggers = json_object_get(out, "triggers");

    json_object_set_new(out, "id", json_integer(db_col_int64(st, 0)));
    json_object_set(out, "triggers", triggers);
    json_object_set_new(out, "version", json_integer(db_col_int64(st, 9)));
    json_object_set_new(out, "created_at", api_time(db_col_int64(st, 10)));
    json_object_set_new(out, "updated_at", api_time(db_col_int64(st, 11)));
    json_object_set_new(out, "fired_count", json_integer(db_col_is_null(st, 12) ? 0 : db_col_int64(st, 12)));
    json_object_set_new(out, "last_fired_at",
                        db_col_is_null(st, 13) || db_col_int64(st, 13) == 0 ? json_null()
                                                                             : api_time(db_col_int64(st, 13)));
    return out;
}

enum tend_rc
rules_store_list(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT " RULE_COLUMNS ", k.n, k.at FROM rules r" COUNTER_JOIN " ORDER BY r.position, r.id", err);
    json_t *items;

    if (!st || db_collect_json(st, row_json, &items, err))
        return err->rc;
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

enum tend_rc
rules_store_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT " RULE_COLUMNS ", k.n, k.at FROM rules r" COUNTER_JOIN " WHERE r.id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_one_json(st, row_json, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no rule %lld", (long long)id);
    return rc;
}

enum tend_rc
rules_store_counters(struct db *db, int64_t rule_id, int64_t *count, int64_t *last, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "SELECT coalesce(sum(fired_count), 0), coalesce(max(last_fired_at), 0) "
                                    "FROM rule_counters WHERE rule_id = ?",
                                    err);
    enum db_step_result r;

    *count = *last = 0;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, rule_id);
    r = db_step(st, err);
    if (r == DB_ROW) {
        *count = db_col_int64(st, 0);
        *last = db_col_int64(st, 1);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
rules_store_count_firing(struct db *db, int64_t rule_id, int64_t ticket_id, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO rule_counters (rule_id, shard, fired_count, last_fired_at) "
                                    "VALUES (?, ?, 1, ?) ON CONFLICT (rule_id, shard) DO UPDATE SET "
                                    "fired_count = rule_counters.fired_count + 1, last_fired_at = "
                                    "CASE WHEN excluded.last_fired_at > rule_counters.last_fired_at "
                                    "THEN excluded.last_fired_at ELSE rule_counters.last_fired_at END",
                                    err);

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, rule_id);
    db_bind_int64(st, 2, ticket_id % COUNTER_SHARDS);
    db_bind_int64(st, 3, now);
    return db_run(st, err);
}

/* --- the compiled set, per thread ----------------------------------------------------- */

#define SET_KEYS 8

struct set_cache {
    struct rules_set set;
    int valid;
    int64_t key[SET_KEYS];
};

static void
set_clear(struct rules_set *s)
{
    for (int i = 0; i < s->n; i++)
        rule_cleanup(&s->rules[i]);
    free(s->rules);
    memset(s, 0, sizeof(*s));
}

static void
cache_cleanup(void *p)
{
    set_clear(&((struct set_cache *)p)->set);
}

static struct thread_slot cache_slot = THREAD_SLOT_INIT(sizeof(struct set_cache), cache_cleanup);

/* Compile every stored rule; one that no longer compiles (its group was
 * deleted, say) is kept inactive. */
static enum tend_rc
load_set(struct db *db, struct rules_set *s, struct tend_err *err)
{
    struct rules_catalog_data cat;
    struct db_stmt *st;
    enum db_step_result r;
    int cap = 0;
    enum tend_rc rc = rules_catalog_load(db, &cat, err);

    st = rc ? NULL : db_prepare(db, "SELECT " RULE_COLUMNS " FROM rules r ORDER BY r.position, r.id", err);
    if (!st) {
        rules_catalog_cleanup(&cat);
        return err->rc ? err->rc : TEND_EDB;
    }
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *body = row_body(st);
        struct tend_err ignored;
        int position;
        struct rule *rule;
        if (s->n == cap) {
            cap = cap ? cap * 2 : 16;
            s->rules = xrealloc(s->rules, (size_t)cap * sizeof(*s->rules));
        }
        rule = &s->rules[s->n];
        tend_err_clear(&ignored);
        if (rule_parse(body, NULL, &cat.cat, rule, &position, &ignored) != TEND_OK) {
            rule_cleanup(rule);
            rule_parse(body, NULL, NULL, rule, &position, &ignored); /* shown, never run */
            rule->active = 0;
        }
        rule->id = db_col_int64(st, 0);
        rule->version = db_col_int64(st, 9);
        rule->created_at = db_col_int64(st, 10);
        rule->updated_at = db_col_int64(st, 11);
        if (rule->active) {
            s->triggers |= rule->triggers;
            s->used |= expr_fields_used(rule->expr);
        }
        s->n++;
        json_decref(body);
    }
    db_reset(st);
    rules_catalog_cleanup(&cat);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
rules_set_get(struct db *db, const struct rules_set **out, struct tend_err *err)
{
    struct set_cache *c = thread_slot_get(&cache_slot);
    /* runs on every ticket write: only small tables are counted; users (which
     * may be many customers) by their newest id, an index look-up */
    struct db_stmt *st = db_prepare(db,
                                    "SELECT (SELECT value FROM rule_epoch WHERE id = 1), "
                                    "(SELECT count(*) FROM groups), (SELECT coalesce(max(updated_at), 0) FROM groups), "
                                    "(SELECT count(*) FROM categories), "
                                    "(SELECT coalesce(max(updated_at), 0) FROM categories), "
                                    "(SELECT count(*) FROM custom_fields), (SELECT coalesce(max(id), 0) FROM users), "
                                    "(SELECT count(*) FROM webhooks)",
                                    err);
    int64_t key[SET_KEYS] = {0};
    enum db_step_result r;

    if (!st)
        return err->rc ? err->rc : TEND_EDB;
    r = db_step(st, err);
    if (r == DB_ROW)
        for (int i = 0; i < SET_KEYS; i++)
            key[i] = db_col_int64(st, i);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (!c->valid || memcmp(key, c->key, sizeof(key)) != 0) {
        enum tend_rc rc;
        set_clear(&c->set);
        c->valid = 0;
        rc = load_set(db, &c->set, err);
        if (rc) {
            set_clear(&c->set);
            return rc;
        }
        memcpy(c->key, key, sizeof(key));
        c->valid = 1;
    }
    *out = &c->set;
    return TEND_OK;
}

/* --- writes ------------------------------------------------------------------------------ */

static enum tend_rc
bump_epoch(struct db *db, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "UPDATE rule_epoch SET value = value + 1 WHERE id = 1", err);

    return st ? db_run(st, err) : err->rc;
}

enum tend_rc
rules_store_parse(struct db *db, const json_t *body, const struct rule *base, struct rule *out, int *position,
                  struct tend_err *err)
{
    struct rules_catalog_data cat;
    enum tend_rc rc = rules_catalog_load(db, &cat, err);

    if (rc == TEND_OK)
        rc = rule_parse(body, base, &cat.cat, out, position, err);
    else
        memset(out, 0, sizeof(*out));
    rules_catalog_cleanup(&cat);
    return rc;
}

enum tend_rc
rules_store_validate(struct db *db, const json_t *body, int *position, struct tend_err *err)
{
    json_t *probe;
    const char *key;
    json_t *v;
    struct rule r;
    enum tend_rc rc;

    *position = -1;
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "condition") != 0 && strcmp(key, "actions") != 0 && strcmp(key, "triggers") != 0)
            return tend_fail(err, TEND_EINVAL, key, "unknown member (condition, actions, triggers)");
    }
    if (!json_object_get(body, "condition"))
        return tend_fail(err, TEND_EINVAL, "condition", "is required");
    probe = json_deep_copy(body);
    json_object_set_new(probe, "name", json_string("validate"));
    if (!json_object_get(probe, "triggers"))
        json_object_set_new(probe, "triggers", json_pack("[s]", "ticket.created"));
    rc = rules_store_parse(db, probe, NULL, &r, position, err);
    rule_cleanup(&r);
    json_decref(probe);
    return rc;
}

/* Read rule `id` as stored (parsed without the catalogue) for an update. */
static enum tend_rc
read_rule(struct db *db, int64_t id, struct rule *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "SELECT " RULE_COLUMNS " FROM rules r WHERE r.id = ?", err);
    enum db_step_result r;
    enum tend_rc rc = TEND_OK;

    memset(out, 0, sizeof(*out));
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW) {
        json_t *body = row_body(st);
        struct tend_err ignored;
        int position;
        tend_err_clear(&ignored);
        rule_parse(body, NULL, NULL, out, &position, &ignored);
        out->id = id;
        out->version = db_col_int64(st, 9);
        out->created_at = db_col_int64(st, 10);
        out->updated_at = db_col_int64(st, 11);
        json_decref(body);
    }
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r != DB_ROW)
        rc = tend_fail(err, TEND_ENOTFOUND, "id", "no rule %lld", (long long)id);
    return rc;
}

static enum tend_rc
write_rule(struct db *db, struct rule *r, int create, struct tend_err *err)
{
    json_t *triggers = rule_triggers_json(r->triggers), *actions = rule_actions_json(r);
    char *t = json_dumps(triggers, JSON_COMPACT), *a = json_dumps(actions, JSON_COMPACT);
    struct db_stmt *st =
        db_prepare(db,
                   create ? "INSERT INTO rules (name, description, active, position, triggers, condition, actions, "
                            "stop_processing, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            "RETURNING id"
                          : "UPDATE rules SET name = ?, description = ?, active = ?, position = ?, triggers = ?, "
                            "condition = ?, actions = ?, stop_processing = ?, version = ?, created_at = ?, "
                            "updated_at = ? WHERE id = ?",
                   err);
    enum tend_rc rc;

    if (!st) {
        rc = err->rc;
        goto out;
    }
    db_bind_str(st, 1, r->name);
    db_bind_str(st, 2, r->description);
    db_bind_int64(st, 3, r->active);
    db_bind_int64(st, 4, r->position);
    db_bind_str(st, 5, t);
    db_bind_str(st, 6, r->condition);
    db_bind_str(st, 7, a);
    db_bind_int64(st, 8, r->stop_processing);
    db_bind_int64(st, 9, r->version);
    db_bind_int64(st, 10, r->created_at);
    db_bind_int64(st, 11, r->updated_at);
    if (create) {
        rc = db_run_returning_id(st, &r->id, err);
    } else {
        db_bind_int64(st, 12, r->id);
        rc = db_run(st, err);
    }
    if (rc == TEND_ECONFLICT)
        rc = tend_fail(err, TEND_ECONFLICT, "name", "a rule named '%.100s' exists", r->name);
    if (rc == TEND_OK)
        rc = bump_epoch(db, err);
out:
    free(t);
    free(a);
    json_decref(triggers);
    json_decref(actions);
    return rc;
}

static enum tend_rc
audit(struct db *db, const char *type, const struct rule *r, const char *actor, int64_t now, struct tend_err *err)
{
    return event_record(db, type, "rule", r->id, actor,
                        json_pack("{s:s,s:I}", "name", r->name, "version", (json_int_t)r->version), now, err);
}

static enum tend_rc
answer(struct db *db, int64_t id, json_t **out, struct tend_err *err)
{
    return rules_store_get_json(db, id, out, err);
}

enum tend_rc
rules_store_create(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                   struct tend_err *err)
{
    struct rule r;
    int position;
    enum tend_rc rc = rules_store_parse(db, body, NULL, &r, &position, err);

    (void)id;
    if (rc == TEND_OK && !json_object_get(body, "position")) {
        struct db_stmt *st = db_prepare(db, "SELECT coalesce(max(position), 0) + 1 FROM rules", err);
        rc = st ? TEND_OK : err->rc;
        if (st && db_step(st, err) == DB_ROW)
            r.position = db_col_int64(st, 0);
        if (st)
            db_reset(st);
    }
    r.version = 1;
    r.created_at = r.updated_at = now;
    if (rc == TEND_OK)
        rc = write_rule(db, &r, 1, err);
    if (rc == TEND_OK)
        rc = audit(db, "rule.created", &r, actor, now, err);
    if (rc == TEND_OK)
        rc = answer(db, r.id, out, err);
    rule_cleanup(&r);
    return rc;
}

enum tend_rc
rules_create(struct db *db, const json_t *body, const char *actor, int64_t now, json_t **out, struct tend_err *err)
{
    return rules_store_create(db, 0, body, actor, now, out, err);
}

/* Whether the rule, `cur` with `body` applied, is switched on. */
static int
would_be_active(const json_t *body, const struct rule *cur)
{
    const json_t *a = json_object_get(body, "active");

    return json_is_boolean(a) ? json_is_true(a) : cur->active;
}

enum tend_rc
rules_store_update(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                   struct tend_err *err)
{
    struct rule cur, r;
    json_t *version = json_object_get(body, "version");
    int position;
    enum tend_rc rc = read_rule(db, id, &cur, err);

    memset(&r, 0, sizeof(r));
    if (rc == TEND_OK && json_is_integer(version) && json_integer_value(version) != cur.version) {
        tend_fail(err, TEND_ECONFLICT, "version",
                  "the rule was changed by someone else (you sent version %lld, it is now %lld): reload and try again",
                  (long long)json_integer_value(version), (long long)cur.version);
        answer(db, id, out, err); /* the current rule goes with the 409 */
        err->rc = TEND_ECONFLICT;
        rule_cleanup(&cur);
        return TEND_ECONFLICT;
    }
    if (rc == TEND_OK)
        rc = rules_store_parse(db, body, &cur, &r, &position, err);
    if (rc == TEND_EINVAL && !would_be_active(body, &cur)) {
        /* a rule whose references no longer resolve (a group renamed, a
         * field deactivated) can still be switched off or edited while off:
         * it is checked for syntax only, and fully when switched on again */
        struct tend_err ignored;
        tend_err_clear(&ignored);
        rule_cleanup(&r);
        if (rule_parse(body, &cur, NULL, &r, &position, &ignored) == TEND_OK) {
            tend_err_clear(err);
            rc = TEND_OK;
        }
    }
    if (rc == TEND_OK) {
        r.version = cur.version + 1;
        r.updated_at = now;
        rc = write_rule(db, &r, 0, err);
    }
    if (rc == TEND_OK)
        rc = audit(db, "rule.updated", &r, actor, now, err);
    if (rc == TEND_OK)
        rc = answer(db, id, out, err);
    rule_cleanup(&cur);
    rule_cleanup(&r);
    return rc;
}

enum tend_rc
rules_store_delete(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                   struct tend_err *err)
{
    static const char *const cleanup[] = {"DELETE FROM rule_counters WHERE rule_id = ?",
                                          "DELETE FROM rule_time_firings WHERE rule_id = ?",
                                          "DELETE FROM rules WHERE id = ?"};
    struct rule cur;
    enum tend_rc rc = read_rule(db, id, &cur, err);

    (void)body;
    *out = NULL;
    for (size_t i = 0; rc == TEND_OK && i < sizeof(cleanup) / sizeof(cleanup[0]); i++) {
        struct db_stmt *st = db_prepare(db, cleanup[i], err);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, id);
        rc = db_run(st, err);
    }
    if (rc == TEND_OK)
        rc = bump_epoch(db, err);
    if (rc == TEND_OK)
        rc = audit(db, "rule.deleted", &cur, actor, now, err);
    rule_cleanup(&cur);
    return rc;
}

enum tend_rc
rules_store_reorder(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now, json_t **out,
                    struct tend_err *err)
{
    json_t *ids = json_object_get(body, "ids"), *all = NULL, *v;
    size_t i, k;
    enum tend_rc rc = TEND_OK;
    const char *key;

    (void)id;
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "ids") != 0)
            return tend_fail(err, TEND_EINVAL, key, "unknown member (ids)");
    }
    if (!json_is_array(ids))
        return tend_fail(err, TEND_EINVAL, "ids", "must be an array of every rule id, in the new order");
    {
        struct db_stmt *st = db_prepare(db, "SELECT id FROM rules ORDER BY id", err);
        json_t *seen = json_array();
        if (!st) {
            json_decref(seen);
            return err->rc;
        }
        all = json_array();
        while (db_step(st, err) == DB_ROW)
            json_array_append_new(all, json_integer(db_col_int64(st, 0)));
        db_reset(st);
        json_array_foreach(ids, i, v) {
            int known = 0, dup = 0;
            json_t *w;
            json_array_foreach(all, k, w)
                known |= json_is_integer(v) && json_integer_value(v) == json_integer_value(w);
            json_array_foreach(seen, k, w)
                dup |= json_equal(v, w);
            if (!known || dup) {
                char field[32];
                snprintf(field, sizeof(field), "ids[%zu]", i);
                rc = tend_fail(err, TEND_EINVAL, field, dup ? "repeats a rule" : "is not a rule id");
                break;
            }
            json_array_append(seen, v);
        }
        if (rc == TEND_OK && json_array_size(seen) != json_array_size(all))
            rc = tend_fail(err, TEND_EINVAL, "ids", "must list every rule (%zu), got %zu", json_array_size(all),
                           json_array_size(seen));
        json_decref(seen);
    }
    json_array_foreach(ids, i, v) {
        struct db_stmt *st;
        if (rc)
            break;
        st = db_prepare(db, "UPDATE rules SET position = ? WHERE id = ?", err);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, (int64_t)i + 1);
        db_bind_int64(st, 2, json_integer_value(v));
        rc = db_run(st, err);
    }
    if (rc == TEND_OK)
        rc = bump_epoch(db, err);
    if (rc == TEND_OK)
        rc = event_record(db, "rules.reordered", "rule", 0, actor, json_pack("{s:O}", "ids", ids), now, err);
    if (rc == TEND_OK)
        rc = rules_store_list(db, out, err);
    json_decref(all);
    return rc;
}
