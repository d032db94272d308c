/* tickets_store.c: the SQL of ticket reads and writes: create, update and
 * transition (through the type's workflow), tags and watchers as rows, and the
 * per-status counters kept in the same transaction. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "modules/assets/assets.h"
#include "modules/users/users.h"
#include "modules/rules/rules.h"
#include "modules/sla/sla.h"
#include "platform/db/events.h"
#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets.h"
#include "tickets_store.h"

static char *
dup_or_null(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? NULL : xstrdup(db_col_text(st, i));
}

static int64_t
ref_col(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? 0 : db_col_int64(st, i);
}

void
tickets_store_read_columns(struct db_stmt *st, struct ticket *t, int borrow)
{
    memset(t, 0, sizeof(*t));
    t->id = db_col_int64(st, 0);
    strlcopy(t->number, db_col_text(st, 1), sizeof(t->number));
    t->subject = borrow ? (char *)db_col_text(st, 2) : xstrdup(db_col_text(st, 2));
    t->description = borrow ? (char *)db_col_text(st, 3) : xstrdup(db_col_text(st, 3));
    strlcopy(t->status, db_col_text(st, 4), sizeof(t->status));
    strlcopy(t->priority, db_col_text(st, 5), sizeof(t->priority));
    t->customer_ref = borrow ? (char *)db_col_text(st, 6) : dup_or_null(st, 6);
    t->version = db_col_int64(st, 7);
    t->created_at = db_col_int64(st, 8);
    t->updated_at = db_col_int64(st, 9);
    t->organisation_id = ref_col(st, 10);
    t->assignee_id = ref_col(st, 11);
    t->type_id = ref_col(st, 12);
    strlcopy(t->type, db_col_is_null(st, 13) ? "" : db_col_text(st, 13), sizeof(t->type));
    strlcopy(t->status_category, db_col_text(st, 14), sizeof(t->status_category));
    strlcopy(t->channel, db_col_text(st, 15), sizeof(t->channel));
    t->category_id = ref_col(st, 16);
    t->fault_code_id = ref_col(st, 17);
    t->group_id = ref_col(st, 18);
    t->tags = borrow ? (char *)db_col_text(st, 19) : xstrdup(db_col_text(st, 19));
    t->watchers = borrow ? (char *)db_col_text(st, 20) : xstrdup(db_col_text(st, 20));
    t->custom = borrow ? (char *)db_col_text(st, 21) : xstrdup(db_col_text(st, 21));
    t->resolution_code = borrow ? (char *)db_col_text(st, 22) : dup_or_null(st, 22);
    t->resolution = borrow ? (char *)db_col_text(st, 23) : dup_or_null(st, 23);
    t->merged_into_id = ref_col(st, 24);
    t->sla_policy_id = ref_col(st, 25);
    t->sla_due_at = ref_col(st, 26);
    t->sla_warn_at = ref_col(st, 27);
    t->sla_flags = db_col_int64(st, 28);
    t->asset_id = ref_col(st, 29);
    t->required_skills = borrow ? (char *)db_col_text(st, 30) : xstrdup(db_col_text(st, 30));
}

static void
read_row(struct db_stmt *st, void *out)
{
    tickets_store_read_columns(st, out, 0);
}

static enum tend_rc apply_rules(struct db *db, struct ticket *t, unsigned triggers, const struct ticket_actor *actor,
                                int64_t now, int sla, int recount, struct tend_err *err);

/* --- references ---------------------------------------------------------- */

static enum tend_rc
check_user(struct db *db, int64_t id, const char *field, int allow_customer, struct tend_err *err)
{
    struct user u;
    enum tend_rc rc = users_store_get(db, id, &u, err);

    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_EINVAL, field, "no user %lld", (long long)id);
    if (rc)
        return rc;
    if (u.disabled)
        rc = tend_fail(err, TEND_EINVAL, field, "user %lld is disabled", (long long)id);
    else if (!allow_customer && u.roles == ROLE_CUSTOMER)
        rc = tend_fail(err, TEND_EINVAL, field, "a customer cannot be the assignee");
    user_cleanup(&u);
    return rc;
}

/* A ticket about asset `asset_id` belongs to the asset's organisation: an
 * organisation of 0 takes it, another one is refused (422 on asset_id). */
static enum tend_rc
fit_asset(struct db *db, int64_t asset_id, int64_t *organisation_id, struct tend_err *err)
{
    int64_t org = 0;
    enum tend_rc rc = assets_store_organisation_of(db, asset_id, &org, err);

    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_EINVAL, "asset_id", "no asset %lld", (long long)asset_id);
    if (rc)
        return rc;
    if (!*organisation_id)
        *organisation_id = org;
    else if (org && org != *organisation_id)
        return tend_fail(err, TEND_EINVAL, "asset_id", "asset %lld belongs to another organisation",
                         (long long)asset_id);
    return TEND_OK;
}

/* Every id a write names must exist (a 422 naming the field, not a 500 from a
 * foreign key). Only the fields in `fields` are checked. */
enum tend_rc
tickets_store_check_references(struct db *db, const struct ticket_input *in, unsigned fields,
                               struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    if ((fields & TF_ORGANISATION) && in->organisation_id) {
        rc = users_store_organisation_exists(db, in->organisation_id, err);
        if (rc == TEND_ENOTFOUND)
            rc = tend_fail(err, TEND_EINVAL, "organisation_id", "no organisation %lld",
                           (long long)in->organisation_id);
    }
    if (rc == TEND_OK && (fields & TF_ASSIGNEE) && in->assignee_id)
        rc = check_user(db, in->assignee_id, "assignee_id", 0, err);
    if (rc == TEND_OK && (fields & TF_GROUP) && in->group_id) {
        struct group g;
        rc = groups_store_get(db, in->group_id, &g, err);
        if (rc == TEND_ENOTFOUND)
            rc = tend_fail(err, TEND_EINVAL, "group_id", "no group %lld", (long long)in->group_id);
        else if (rc == TEND_OK)
            group_cleanup(&g);
    }
    if (rc == TEND_OK && (fields & TF_CATEGORY) && in->category_id)
        rc = ticket_config_check_category(db, in->category_id, "category", "category_id", err);
    if (rc == TEND_OK && (fields & TF_FAULT_CODE) && in->fault_code_id)
        rc = ticket_config_check_category(db, in->fault_code_id, "fault_code", "fault_code_id", err);
    if (rc == TEND_OK && (fields & TF_WATCHERS)) {
        size_t i;
        json_t *w;
        json_array_foreach(in->watchers, i, w) {
            char field[32];
            snprintf(field, sizeof(field), "watchers[%zu]", i);
            rc = check_user(db, json_integer_value(w), field, 1, err);
            if (rc)
                break;
        }
    }
    return rc;
}

/* Merge a custom patch into `current` (JSON text) under the type's fields; user
 * fields must name users. *merged is the complete new object. */
static enum tend_rc
merge_custom(struct db *db, const char *type_key, const char *current, const json_t *patch, int create,
             json_t **merged, struct tend_err *err)
{
    const struct custom_field *fields = NULL;
    int n = 0;
    json_t *values = json_loads(current ? current : "{}", 0, NULL);
    json_t *empty = json_object();
    enum tend_rc rc = ticket_config_fields_cached(db, &fields, &n, err);

    if (!values)
        values = json_object();
    if (rc == TEND_OK)
        rc = custom_values_apply(fields, n, type_key, values, patch ? patch : empty, create, err);
    for (int i = 0; rc == TEND_OK && i < n; i++) {
        const json_t *v = json_object_get(values, fields[i].key);
        if (fields[i].type == CF_USER && v && patch && json_object_get(patch, fields[i].key)) {
            char field[64];
            snprintf(field, sizeof(field), "custom.%s", fields[i].key);
            rc = check_user(db, json_integer_value(v), field, 1, err);
        }
    }
    json_decref(empty);
    if (rc) {
        json_decref(values);
        return rc;
    }
    *merged = values;
    return TEND_OK;
}

/* --- rows that mirror JSON columns, and counters -------------------------- */

static enum tend_rc
sync_rows(struct db *db, const char *table, const char *column, int64_t id, const char *json_text,
          int ints, struct tend_err *err)
{
    char sql[160];
    struct db_stmt *st;
    json_t *items = json_loads(json_text ? json_text : "[]", 0, NULL);
    size_t i;
    json_t *v;
    enum tend_rc rc;

    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE ticket_id = ?", table);
    st = db_prepare(db, sql, err);
    if (!st) {
        json_decref(items);
        return err->rc;
    }
    db_bind_int64(st, 1, id);
    rc = db_run(st, err);
    snprintf(sql, sizeof(sql), "INSERT INTO %s (ticket_id, %s) VALUES (?, ?)", table, column);
    json_array_foreach(items, i, v) {
        if (rc)
            break;
        st = db_prepare(db, sql, err);
        if (!st) {
            rc = err->rc;
            break;
        }
        db_bind_int64(st, 1, id);
        if (ints)
            db_bind_int64(st, 2, json_integer_value(v));
        else
            db_bind_str(st, 2, json_string_value(v));
        rc = db_run(st, err);
    }
    json_decref(items);
    return rc;
}

static enum tend_rc
count_one(struct db *db, const char *dim, int64_t key, const struct ticket *t, int delta,
          struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO ticket_counts (dim, key, category, status, n) "
                                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dim, key, category, status) "
                                    "DO UPDATE SET n = ticket_counts.n + excluded.n",
                                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, dim);
    db_bind_int64(st, 2, key);
    db_bind_str(st, 3, t->status_category);
    db_bind_str(st, 4, t->status);
    db_bind_int64(st, 5, delta);
    return db_run(st, err);
}

enum tend_rc
tickets_store_count(struct db *db, const struct ticket *t, int delta, struct tend_err *err)
{
    enum tend_rc rc = count_one(db, "all", 0, t, delta, err);

    if (rc == TEND_OK)
        rc = count_one(db, "group", t->group_id, t, delta, err);
    if (rc == TEND_OK)
        rc = count_one(db, "assignee", t->assignee_id, t, delta, err);
    if (rc == TEND_OK)
        rc = count_one(db, "organisation", t->organisation_id, t, delta, err);
    return rc;
}

/* --- create ---------------------------------------------------------------- */

/* Next value of a named counter (created at 1). */
static enum tend_rc
next_sequence(struct db *db, const char *name, int64_t *value, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value", err);
    enum db_step_result r;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    r = db_step(st, err);
    if (r == DB_ROW)
        *value = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_ROW)
        return TEND_OK;
    st = db_prepare(db, "INSERT INTO sequences (name, value) VALUES (?, 1)", err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, name);
    *value = 1;
    return db_run(st, err);
}

static char *
dumps_or(const json_t *v, const char *fallback)
{
    return v ? json_dumps(v, JSON_COMPACT) : xstrdup(fallback);
}

/* The required skills of category `id` as JSON text (owned; "[]" when none). */
static char *
category_skills(struct db *db, int64_t id, struct tend_err *err)
{
    struct db_stmt *st = id ? db_prepare(db, "SELECT skills FROM categories WHERE id = ?", err) : NULL;
    char *out = NULL;

    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st, err) == DB_ROW)
            out = xstrdup(db_col_text(st, 0));
        db_reset(st);
    }
    return out ? out : xstrdup("[]");
}

static enum tend_rc
insert_ticket(struct db *db, const struct ticket_input *in, const struct ticket_type *type,
              const struct wf_status *initial, const char *custom, int64_t now, struct ticket *out,
              struct tend_err *err)
{
    char seqname[32], number[32];
    int64_t seq = 0;
    int year = time_year_of(now);
    char *tags = dumps_or(in->tags, "[]"), *watchers = dumps_or(in->watchers, "[]");
    /* the category's skills, unless the ticket names its own */
    char *skills = (in->fields & TF_REQUIRED_SKILLS) ? dumps_or(in->required_skills, "[]")
                                                     : category_skills(db, in->category_id, err);
    struct db_stmt *st;
    enum tend_rc rc;

    snprintf(seqname, sizeof(seqname), "ticket.SR-%d", year);
    rc = next_sequence(db, seqname, &seq, err);
    snprintf(number, sizeof(number), "SR-%d-%06lld", year, (long long)seq);
    st = rc ? NULL
            : db_prepare(db,
                         "INSERT INTO tickets (number, subject, description, status, priority, "
                         "customer_ref, version, created_at, updated_at, organisation_id, assignee_id, "
                         "type_id, status_category, channel, category_id, fault_code_id, group_id, "
                         "tags, watchers, custom, resolution_code, resolution, priority_rank, asset_id, "
                         "required_skills) "
                         "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         err);
    if (st) {
        db_bind_str(st, 1, number);
        db_bind_str(st, 2, in->subject);
        db_bind_str(st, 3, in->description ? in->description : "");
        db_bind_str(st, 4, initial->key);
        db_bind_str(st, 5, in->priority[0] ? in->priority : "normal");
        db_bind_str(st, 6, in->customer_ref);
        db_bind_int64(st, 7, now);
        db_bind_int64(st, 8, now);
        db_bind_ref(st, 9, in->organisation_id);
        db_bind_ref(st, 10, in->assignee_id);
        db_bind_int64(st, 11, type->id);
        db_bind_str(st, 12, status_categories[initial->category]);
        db_bind_str(st, 13, in->channel[0] ? in->channel : "internal");
        db_bind_ref(st, 14, in->category_id);
        db_bind_ref(st, 15, in->fault_code_id);
        db_bind_ref(st, 16, in->group_id);
        db_bind_str(st, 17, tags);
        db_bind_str(st, 18, watchers);
        db_bind_str(st, 19, custom);
        db_bind_str(st, 20, in->resolution_code);
        db_bind_str(st, 21, in->resolution);
        db_bind_int64(st, 22, ticket_priority_rank(in->priority[0] ? in->priority : "normal"));
        db_bind_ref(st, 23, in->asset_id);
        db_bind_str(st, 24, skills);
        rc = db_run_returning_id(st, &out->id, err);
    } else if (!rc) {
        rc = err->rc;
    }
    /* a new ticket has no rows to replace: write them only when there are some */
    if (rc == TEND_OK && json_array_size(in->tags) > 0)
        rc = sync_rows(db, "ticket_tags", "tag", out->id, tags, 0, err);
    if (rc == TEND_OK && json_array_size(in->watchers) > 0)
        rc = sync_rows(db, "ticket_watchers", "user_id", out->id, watchers, 1, err);
    free(tags);
    free(watchers);
    free(skills);
    return rc;
}

/* Changes made without a signed-in user (demo data, imports, tests) act as
 * the system, which every transition admits. */
static const struct ticket_actor system_actor = {"system", 0, ~0u};

enum tend_rc
tickets_store_create(struct db *db, const struct ticket_input *in, const struct ticket_actor *actor,
                     int64_t now, struct ticket *out, struct tend_err *err)
{
    struct ticket_type type;
    struct ticket_input fitted;
    const struct workflow *wf = NULL;
    json_t *custom = NULL;
    char *custom_text = NULL;
    int64_t id = 0;
    enum tend_rc rc;

    if (!actor)
        actor = &system_actor;
    memset(out, 0, sizeof(*out));
    rc = ticket_config_type(db, in->type[0] ? in->type : "repair", 0, "type", &type, err);
    if (rc == TEND_ENOTFOUND || (rc == TEND_OK && !type.active))
        return tend_fail(err, TEND_EINVAL, "type", "'%.40s' is not an active ticket type",
                         in->type[0] ? in->type : "repair");
    if (rc == TEND_OK)
        rc = ticket_config_workflow_cached(db, type.workflow_id, &wf, err);
    if (rc)
        return rc;
    rc = tickets_store_check_references(db, in, in->fields | TF_ORGANISATION | TF_ASSIGNEE, err);
    if (rc == TEND_OK && in->asset_id) {
        /* the asset's organisation, when the ticket names none */
        fitted = *in;
        rc = fit_asset(db, in->asset_id, &fitted.organisation_id, err);
        in = &fitted;
    }
    if (rc == TEND_OK)
        rc = merge_custom(db, type.key, "{}", in->custom, 1, &custom, err);
    if (rc == TEND_OK) {
        custom_text = json_dumps(custom, JSON_COMPACT);
        rc = insert_ticket(db, in, &type, &wf->statuses[wf->initial], custom_text, now, out, err);
        id = out->id;
    }
    free(custom_text);
    json_decref(custom);
    if (rc == TEND_OK)
        rc = tickets_store_get(db, id, NULL, out, err);
    if (rc == TEND_OK)
        rc = tickets_store_count(db, out, 1, err);
    if (rc == TEND_OK)
        rc = event_record(db, "ticket.created", "ticket", out->id, actor->name,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "number", out->number,
                                    "type", out->type, "subject", out->subject, "status", out->status,
                                    "priority", out->priority, "channel", out->channel, "organisation_id",
                                    out->organisation_id ? json_integer(out->organisation_id) : json_null(),
                                    "assignee_id",
                                    out->assignee_id ? json_integer(out->assignee_id) : json_null(),
                                    "group_id", out->group_id ? json_integer(out->group_id) : json_null()),
                          now, err);
    if (rc == TEND_OK)
        rc = apply_rules(db, out, RT_CREATED, actor, now, 0, 1, err);
    if (rc == TEND_OK && out->version != 1) {
        /* what the rules changed in the creating transaction nobody else saw:
         * a new ticket starts at version 1 */
        struct db_stmt *st = db_prepare(db, "UPDATE tickets SET version = 1 WHERE id = ?", err);
        rc = st ? TEND_OK : err->rc;
        if (st) {
            db_bind_int64(st, 1, out->id);
            rc = db_run(st, err);
            out->version = 1;
        }
    }
    if (rc == TEND_OK)
        rc = sla_ticket_happened(db, out, SLA_TICKET_CREATED, now, actor->name, err);
    if (rc && out->subject)
        ticket_cleanup(out);
    return rc;
}

enum tend_rc
tickets_store_get(struct db *db, int64_t id, const struct ticket_scope *scope, struct ticket *out,
                  struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT " TICKET_SELECT " FROM tickets t " TICKET_JOIN " WHERE t.id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_row, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, rc, "id", "no ticket %lld", (long long)id);
    if (rc)
        return rc;
    if (!ticket_in_scope(out, scope)) {
        ticket_cleanup(out);
        return tend_fail(err, TEND_ENOTFOUND, "id", "no ticket %lld", (long long)id);
    }
    return TEND_OK;
}

/* --- update and transition --------------------------------------------------- */

/* Whether the field a transition requires has a value on `t`. */
static int
has_value(const struct ticket *t, const char *field)
{
    if (strcmp(field, "assignee_id") == 0)
        return t->assignee_id != 0;
    if (strcmp(field, "group_id") == 0)
        return t->group_id != 0;
    if (strcmp(field, "category_id") == 0)
        return t->category_id != 0;
    if (strcmp(field, "fault_code_id") == 0)
        return t->fault_code_id != 0;
    if (strcmp(field, "organisation_id") == 0)
        return t->organisation_id != 0;
    if (strcmp(field, "resolution_code") == 0)
        return t->resolution_code && *t->resolution_code;
    if (strcmp(field, "resolution") == 0)
        return t->resolution && *t->resolution;
    if (strncmp(field, "custom.", 7) == 0) {
        json_t *custom = json_loads(t->custom ? t->custom : "{}", 0, NULL);
        json_t *v = custom ? json_object_get(custom, field + 7) : NULL;
        int ok = v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0) &&
                 !(json_is_array(v) && json_array_size(v) == 0);
        json_decref(custom);
        return ok;
    }
    return 0;
}

/* Move `t` to status `to` if its workflow allows it for `actor`; the fields the
 * transition requires are checked on the result later by the caller. */
static enum tend_rc
plan_transition(struct db *db, struct ticket *t, const char *to, const struct ticket_actor *actor,
                const char *field, const struct wf_transition **via, struct tend_err *err)
{
    int from, target, denied = 0;
    const struct workflow *wf = NULL;
    struct ticket_type type;
    enum tend_rc rc = ticket_config_type(db, NULL, t->type_id, "type", &type, err);

    if (rc == TEND_OK)
        rc = ticket_config_workflow_cached(db, type.workflow_id, &wf, err);
    if (rc)
        return rc;
    from = workflow_status_index(wf, t->status);
    target = workflow_status_index(wf, to);
    if (target < 0)
        return tend_fail(err, TEND_EINVAL, field, "'%.40s' is not a status of the %s workflow", to,
                         wf->key);
    *via = workflow_transition(wf, from, target, actor->roles, &denied);
    if (!*via)
        return tend_fail(err, TEND_EINVAL, field,
                         denied ? "your role may not move this ticket from %s to %s"
                                : "the workflow has no transition from %s to %s",
                         t->status, to);
    strlcopy(t->status, wf->statuses[target].key, sizeof(t->status));
    strlcopy(t->status_category, status_categories[wf->statuses[target].category],
             sizeof(t->status_category));
    return TEND_OK;
}

static enum tend_rc
save_ticket(struct db *db, const struct ticket *t, int64_t expected_version, int64_t now,
            struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db,
        "UPDATE tickets SET subject = ?, description = ?, status = ?, priority = ?, "
        "customer_ref = ?, version = version + 1, updated_at = ?, organisation_id = ?, "
        "assignee_id = ?, status_category = ?, category_id = ?, fault_code_id = ?, group_id = ?, "
        "tags = ?, watchers = ?, custom = ?, resolution_code = ?, resolution = ?, merged_into_id = ?, "
        "priority_rank = ?, asset_id = ?, required_skills = ? WHERE id = ? AND version = ?",
        err);

    if (!st)
        return err->rc;
    db_bind_str(st, 1, t->subject);
    db_bind_str(st, 2, t->description);
    db_bind_str(st, 3, t->status);
    db_bind_str(st, 4, t->priority);
    db_bind_str(st, 5, t->customer_ref);
    db_bind_int64(st, 6, now);
    db_bind_ref(st, 7, t->organisation_id);
    db_bind_ref(st, 8, t->assignee_id);
    db_bind_str(st, 9, t->status_category);
    db_bind_ref(st, 10, t->category_id);
    db_bind_ref(st, 11, t->fault_code_id);
    db_bind_ref(st, 12, t->group_id);
    db_bind_str(st, 13, t->tags);
    db_bind_str(st, 14, t->watchers);
    db_bind_str(st, 15, t->custom);
    db_bind_str(st, 16, t->resolution_code);
    db_bind_str(st, 17, t->resolution);
    db_bind_ref(st, 18, t->merged_into_id);
    db_bind_int64(st, 19, ticket_priority_rank(t->priority));
    db_bind_ref(st, 20, t->asset_id);
    db_bind_str(st, 21, t->required_skills ? t->required_skills : "[]");
    db_bind_int64(st, 22, t->id);
    db_bind_int64(st, 23, expected_version);
    return db_run(st, err);
}

enum tend_rc
tickets_store_save(struct db *db, struct ticket *t, int64_t now, struct tend_err *err)
{
    enum tend_rc rc = save_ticket(db, t, t->version, now, err);

    if (rc == TEND_OK) {
        t->version++;
        t->updated_at = now;
    }
    return rc;
}

enum tend_rc
ticket_config_workflow_of(struct db *db, int64_t type_id, struct workflow *wf, struct tend_err *err)
{
    struct ticket_type type;
    enum tend_rc rc = ticket_config_type(db, NULL, type_id, "type", &type, err);

    return rc ? rc : ticket_config_workflow(db, type.workflow_id, wf, err);
}

/* Apply `in` to `t` (already read, in scope, version checked): fields, custom
 * values, the transition, the requirements; then write, sync rows and record
 * the events; then (unless the change is the rules' own) the rules of what
 * happened, and with `sla` the SLA engine on the result. `t` holds the result. */
static enum tend_rc
change_ticket(struct db *db, struct ticket *t, const struct ticket_input *in, const struct ticket_actor *actor,
              const char *status_field, int64_t now, int sla, struct tend_err *err)
{
    const struct wf_transition *via = NULL;
    struct ticket_input merged = *in;
    json_t *custom = NULL, *changes;
    char old_status[48];
    enum tend_rc rc;
    int n;

    strlcopy(old_status, t->status, sizeof(old_status));
    rc = tickets_store_check_references(db, in, in->fields, err);
    if (rc == TEND_OK && (in->fields & TF_CUSTOM)) {
        rc = merge_custom(db, t->type, t->custom, in->custom, 0, &custom, err);
        merged.custom = custom;
    }
    if (rc)
        return rc;
    changes = json_object();
    n = ticket_apply_update(t, &merged, changes);
    json_decref(custom);
    if (t->asset_id && (in->fields & (TF_ASSET | TF_ORGANISATION))) {
        int64_t org = t->organisation_id;
        rc = fit_asset(db, t->asset_id, &org, err);
        if (rc == TEND_OK && org != t->organisation_id) {
            json_object_set_new(changes, "organisation_id", json_pack("{s:n,s:I}", "from", "to", (json_int_t)org));
            t->organisation_id = org;
            n++;
        }
    }
    if ((in->fields & TF_STATUS) && in->transition && strcmp(in->status, t->status) == 0)
        rc = tend_fail(err, TEND_EINVAL, status_field, "the ticket is already %s", t->status);
    if (rc == TEND_OK && (in->fields & TF_STATUS) && strcmp(in->status, t->status) != 0) {
        rc = plan_transition(db, t, in->status, actor, status_field, &via, err);
        /* a PATCH lists the status among its changed fields; a transition's
         * own event, ticket.status_changed, says it once */
        if (rc == TEND_OK && !in->transition)
            json_object_set_new(changes, "status",
                                json_pack("{s:s,s:s}", "from", old_status, "to", t->status));
        for (int i = 0; rc == TEND_OK && via && i < via->nrequires; i++)
            if (!has_value(t, via->requires[i]))
                rc = tend_fail(err, TEND_EINVAL, via->requires[i], "is required to move to %s",
                               in->status);
        n += via != NULL;
    }
    if (rc == TEND_OK && n > 0) {
        rc = save_ticket(db, t, t->version, now, err);
        if (rc == TEND_OK) {
            t->version++;
            t->updated_at = now;
        }
        if (rc == TEND_OK && json_object_get(changes, "tags"))
            rc = sync_rows(db, "ticket_tags", "tag", t->id, t->tags, 0, err);
        if (rc == TEND_OK && json_object_get(changes, "watchers"))
            rc = sync_rows(db, "ticket_watchers", "user_id", t->id, t->watchers, 1, err);
        if (rc == TEND_OK && json_object_size(changes) > 0)
            rc = event_append(db, "ticket.updated", "ticket", t->id, actor->name, changes, now, err);
        if (rc == TEND_OK && via)
            rc = event_record(db, "ticket.status_changed", "ticket", t->id, actor->name,
                              json_pack("{s:s,s:s,s:s,s:s}", "from", old_status, "to", t->status,
                                        "category", t->status_category, "transition", via->name),
                              now, err);
        if (rc == TEND_OK)
            rc = apply_rules(db, t, (json_object_size(changes) > 0 ? RT_UPDATED : 0) | (via ? RT_STATUS_CHANGED : 0),
                             actor, now, 0, 0, err);
        if (rc == TEND_OK && sla)
            rc = sla_ticket_happened(db, t, SLA_TICKET_CHANGED, now, actor->name, err);
    }
    json_decref(changes);
    return rc;
}

enum tend_rc
tickets_store_change(struct db *db, struct ticket *t, const struct ticket_input *in,
                     const struct ticket_actor *actor, const char *status_field, int64_t now,
                     struct tend_err *err)
{
    return change_ticket(db, t, in, actor, status_field, now, 1, err);
}

/* --- rules ------------------------------------------------------------------------ */

/* Run the rules of `triggers` on `t` (written) unless `actor` is the rules
 * themselves (the loop guard: one pass per triggering change), and apply
 * their change set through the validated change path as the rules, with
 * the SLA engine when `sla` is set, the counters when `recount` is. A change
 * the ticket refuses is recorded as a rule.failed event and `t` is read
 * again; the triggering change stands. */
static enum tend_rc
apply_rules(struct db *db, struct ticket *t, unsigned triggers, const struct ticket_actor *actor, int64_t now,
            int sla, int recount, struct tend_err *err)
{
    struct rules_changeset cs;
    struct ticket_actor by_rules;
    struct ticket old;
    struct tend_err why;
    enum tend_rc rc;

    if (actor->no_rules || !triggers)
        return TEND_OK;
    rc = rules_ticket_happened(db, t, triggers, now, &cs, err);
    if (rc || !cs.in.fields) {
        rules_changeset_cleanup(&cs);
        return rc;
    }
    memset(&by_rules, 0, sizeof(by_rules));
    by_rules.name = cs.actor;
    by_rules.roles = ~0u;
    by_rules.no_rules = 1;
    tickets_store_counted(t, &old);
    tend_err_clear(&why);
    rc = change_ticket(db, t, &cs.in, &by_rules, "status", now, sla, &why);
    if (rc == TEND_OK && recount)
        rc = tickets_store_recount(db, &old, t, err);
    else if (rc == TEND_EINVAL || rc == TEND_ENOTFOUND || rc == TEND_ECONFLICT) {
        int64_t id = t->id;
        ticket_cleanup(t);
        rc = tickets_store_get(db, id, NULL, t, err);
        if (rc == TEND_OK)
            rc = event_record(db, "rule.failed", "ticket", id, cs.actor,
                              json_pack("{s:O,s:s,s:s}", "rule_ids", cs.rule_ids, "field", why.field, "message",
                                        why.message),
                              now, err);
    } else if (rc) {
        *err = why;
    }
    rules_changeset_cleanup(&cs);
    return rc;
}

enum tend_rc
tickets_store_run_rules(struct db *db, int64_t id, unsigned triggers, int64_t now, struct tend_err *err)
{
    static const struct ticket_actor rules_actor = {"rules", 0, ~0u, 0};
    struct ticket t;
    enum tend_rc rc = tickets_store_get(db, id, NULL, &t, err);

    if (rc)
        return rc;
    rc = apply_rules(db, &t, triggers, &rules_actor, now, 1, 1, err);
    ticket_cleanup(&t);
    return rc;
}

/* The counters move when status, group, assignee or organisation change. */
void
tickets_store_counted(const struct ticket *t, struct ticket *part)
{
    memset(part, 0, sizeof(*part));
    strlcopy(part->status, t->status, sizeof(part->status));
    strlcopy(part->status_category, t->status_category, sizeof(part->status_category));
    part->group_id = t->group_id;
    part->assignee_id = t->assignee_id;
    part->organisation_id = t->organisation_id;
}

enum tend_rc
tickets_store_recount(struct db *db, const struct ticket *old, const struct ticket *now_t, struct tend_err *err)
{
    enum tend_rc rc;

    if (strcmp(old->status, now_t->status) == 0 && old->group_id == now_t->group_id &&
        old->assignee_id == now_t->assignee_id && old->organisation_id == now_t->organisation_id)
        return TEND_OK;
    rc = tickets_store_count(db, old, -1, err);
    return rc ? rc : tickets_store_count(db, now_t, 1, err);
}

enum tend_rc
tickets_store_update(struct db *db, int64_t id, const struct ticket_input *in,
                     const struct ticket_scope *scope, const struct ticket_actor *actor, int64_t now,
                     struct ticket *out, struct tend_err *err)
{
    struct ticket old;
    enum tend_rc rc = tickets_store_get(db, id, scope, out, err);

    if (!actor)
        actor = &system_actor;
    if (rc)
        return rc;
    if ((in->fields & TF_VERSION) && out->version != in->version)
        return tend_fail(err, TEND_ECONFLICT, "version",
                         "the ticket was changed by someone else (you sent version %lld, it is now "
                         "%lld): reload and try again",
                         (long long)in->version, (long long)out->version);
    /* out stays filled on a conflict: the caller reports the current version */
    tickets_store_counted(out, &old);
    rc = tickets_store_change(db, out, in, actor, in->transition ? "to" : "status", now, err);
    if (rc == TEND_OK)
        rc = tickets_store_recount(db, &old, out, err);
    if (rc) {
        ticket_cleanup(out);
        out->id = 0;
    }
    return rc;
}
