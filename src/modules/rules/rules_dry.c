/* rules_dry.c: the dry run (a pass on a stored or sample ticket that writes
 * nothing) and the field list of the console's condition builder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/http/api.h"
#include "platform/util/util.h"
#include "rules_store.h"

static json_t *
ref_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *
items_json(const char (*items)[EXPR_ITEM_MAX], int n)
{
    json_t *a = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

/* The ticket after the pass, as far as rules see and change it. */
static json_t *
view_json(const struct rules_view *v, int64_t id)
{
    return json_pack("{s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:O,s:s}", "id", ref_or_null(id),
                     "subject", v->x.subject ? v->x.subject : "", "description",
                     v->x.description ? v->x.description : "", "type", v->x.type ? v->x.type : "", "status",
                     v->x.status, "status_category", v->x.status_category, "priority", v->x.priority, "channel",
                     v->x.channel, "category_id", ref_or_null(v->x.category_id), "fault_code_id",
                     ref_or_null(v->x.fault_code_id), "group_id", ref_or_null(v->x.group_id), "assignee_id",
                     ref_or_null(v->x.assignee_id), "tags",
                     items_json((const char(*)[EXPR_ITEM_MAX])v->x.tags, v->x.ntags), "required_skills",
                     items_json((const char(*)[EXPR_ITEM_MAX])v->x.skills, v->x.nskills), "custom",
                     v->custom ? v->custom : json_object(), "customer_ref",
                     v->x.customer_ref ? v->x.customer_ref : "");
}

static const char *const dry_members[] = {"ticket_id", "ticket", "trigger", "rules", NULL};

/* The unsaved rules of the body, parsed against the catalogue. */
static enum tend_rc
parse_rules(struct db *db, const json_t *bodies, struct rule **out, int *n, int *position, struct tend_err *err)
{
    struct rules_catalog_data cat;
    enum tend_rc rc;
    size_t i;
    json_t *b;

    *n = 0;
    if (!json_is_array(bodies) || json_array_size(bodies) > 200)
        return tend_fail(err, TEND_EINVAL, "rules", "must be an array of at most 200 rule bodies");
    rc = rules_catalog_load(db, &cat, err);
    *out = xcalloc(json_array_size(bodies) + 1, sizeof(**out));
    json_array_foreach(bodies, i, b) {
        char field[sizeof(err->field) + 40];
        if (rc)
            break;
        rc = rule_parse(b, NULL, &cat.cat, &(*out)[i], position, err);
        *n = (int)i + 1;
        if (rc) {
            snprintf(field, sizeof(field), "rules[%zu]%s%s", i, err->field[0] ? "." : "", err->field);
            strlcopy(err->field, field, sizeof(err->field));
        }
    }
    rules_catalog_cleanup(&cat);
    return rc;
}

enum tend_rc
rules_dry_run(struct db *db, const json_t *body, int64_t now, json_t **out, int *position, struct tend_err *err)
{
    const struct rules_set *set = NULL;
    const json_t *trigger = json_object_get(body, "trigger"), *bodies = json_object_get(body, "rules");
    const json_t *tid = json_object_get(body, "ticket_id"), *sample = json_object_get(body, "ticket");
    struct rule *own = NULL;
    int nown = 0;
    unsigned bits = RT_CREATED;
    struct rules_view *v = NULL, before;
    struct rules_pass pass;
    struct ticket t;
    int have_ticket = 0;
    uint64_t used = 0;
    const char *key;
    json_t *x, *trace;
    enum tend_rc rc = TEND_OK;

    *position = -1;
    memset(&pass, 0, sizeof(pass));
    memset(&before, 0, sizeof(before));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, x) {
        int known = 0;
        for (int i = 0; dry_members[i] && !known; i++)
            known = strcmp(dry_members[i], key) == 0;
        if (!known)
            return tend_fail(err, TEND_EINVAL, key, "unknown member (ticket_id, ticket, trigger, rules)");
    }
    if (trigger && (!json_is_string(trigger) || !(bits = rules_trigger_of(json_string_value(trigger)))))
        return tend_fail(err, TEND_EINVAL, "trigger", "not a trigger");
    if (!tid == !sample)
        return tend_fail(err, TEND_EINVAL, "ticket_id", "give either ticket_id or a sample ticket");
    if (tid && (!json_is_integer(tid) || json_integer_value(tid) <= 0))
        return tend_fail(err, TEND_EINVAL, "ticket_id", "must be a ticket id");
    if (bodies) {
        rc = parse_rules(db, bodies, &own, &nown, position, err);
        for (int i = 0; i < nown; i++)
            used |= expr_fields_used(own[i].expr);
    } else {
        rc = rules_set_get(db, &set, err);
        if (rc == TEND_OK)
            used = set->used;
    }
    used |= UINT64_C(1) << XF_HOURS_IN_STATUS;
    if (rc == TEND_OK && tid) {
        rc = tickets_store_get(db, json_integer_value(tid), NULL, &t, err);
        if (rc == TEND_ENOTFOUND)
            rc = tend_fail(err, TEND_EINVAL, "ticket_id", "no ticket %lld", (long long)json_integer_value(tid));
        have_ticket = rc == TEND_OK;
        if (rc == TEND_OK)
            rc = rules_run_view_ticket(db, &t, used, now, &v, err);
    } else if (rc == TEND_OK) {
        rc = rules_run_view_sample(db, sample, used, now, &v, err);
    }
    if (rc == TEND_OK) {
        rules_view_copy(&before, v);
        rc = rules_run_pass(db, own ? own : set->rules, own ? nown : set->n, bits, own != NULL, v,
                            have_ticket ? t.id : 0, &pass, err);
    }
    if (rc == TEND_OK) {
        trace = json_array();
        for (int i = 0; i < pass.n; i++) {
            const struct rules_firing *f = &pass.firings[i];
            json_array_append_new(
                trace, json_pack("{s:o,s:s,s:b,s:b,s:b,s:o,s:o,s:o}", "rule_id", ref_or_null(f->rule->id), "name",
                                 f->rule->name, "matched", f->matched, "fired", f->fired, "stopped", f->stopped,
                                 "changes", f->changes ? json_incref(f->changes) : json_object(), "actions",
                                 f->actions ? json_incref(f->actions) : json_array(), "notes",
                                 f->notes ? json_incref(f->notes) : json_array()));
        }
        *out = json_pack("{s:s,s:o,s:o,s:o}", "trigger", rules_trigger_names[__builtin_ctz(bits)], "trace", trace,
                         "changes", rules_view_diff(&before, v), "ticket", view_json(v, have_ticket ? t.id : 0));
    }
    rules_pass_cleanup(&pass);
    rules_view_cleanup(&before);
    if (v)
        rules_run_view_free(v);
    if (have_ticket)
        ticket_cleanup(&t);
    for (int i = 0; i < nown; i++)
        rule_cleanup(&own[i]);
    free(own);
    return rc;
}

/* --- the builder's catalogue ------------------------------------------------------------ */

static json_t *
ops_json(enum expr_type t)
{
    json_t *a = json_array();
    unsigned ops = expr_type_ops(t);

    for (int op = OP_EQ; op <= OP_NOT_EMPTY; op++)
        if (ops & (1u << op))
            json_array_append_new(a, json_string(expr_op_names[op]));
    return a;
}

static json_t *
named_json(const struct expr_named *list, int n)
{
    json_t *a = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:s}", "id", (json_int_t)list[i].id, "name", list[i].name));
    return a;
}

static json_t *
strings_json(const char *const *s, int n)
{
    json_t *a = json_array();

    for (int i = 0; (n < 0 ? s[i] != NULL : i < n); i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

static json_t *
param(const char *name, const char *type, int required)
{
    return json_pack("{s:s,s:s,s:b}", "name", name, "type", type, "required", required);
}

static json_t *
actions_catalogue(void)
{
    return json_pack(
        "[{s:s,s:[o]},{s:s,s:[o,o]},{s:s,s:[o]},{s:s,s:[o]},{s:s,s:[o,o]},{s:s,s:[o]},{s:s,s:[o]},"
        "{s:s,s:[o,o]},{s:s,s:[o]},{s:s,s:[o]},{s:s,s:[]}]",
        "type", "set_priority", "params", param("value", "priority", 1), "type", "set_field", "params",
        param("field", "field", 1), param("value", "any", 1), "type", "add_tags", "params", param("tags", "list", 1),
        "type", "remove_tags", "params", param("tags", "list", 1), "type", "assign_group", "params",
        param("group_id", "group", 1), param("strategy", "strategy", 0), "type", "assign_agent", "params",
        param("user_id", "user", 1), "type", "set_required_skills", "params", param("skills", "list", 1), "type",
        "notify", "params", param("to", "recipients", 1), param("message", "text", 1), "type", "webhook", "params",
        param("webhook_id", "webhook", 1), "type", "transition", "params", param("to", "status", 1), "type",
        "escalate", "params");
}

enum tend_rc
rules_fields_json(struct db *db, json_t **out, struct tend_err *err)
{
    static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
    static const char *const categories[] = {"new", "open", "pending", "resolved", "closed", NULL};
    static const char *const channels[] = {"portal", "email", "phone", "wechat", "api", "iot", "internal", NULL};
    struct rules_catalog_data cat;
    json_t *fields, *functions, *staff;
    enum tend_rc rc = rules_catalog_load(db, &cat, err);

    if (rc) {
        rules_catalog_cleanup(&cat);
        return rc;
    }
    fields = json_array();
    functions = json_array();
    staff = json_array();
    for (int i = 0; i < cat.cat.x.nusers; i++)
        for (int k = 0; k < cat.cat.nagents; k++)
            if (cat.agents[k] == cat.users[i].id)
                json_array_append_new(staff, json_pack("{s:I,s:s}", "id", (json_int_t)cat.users[i].id, "name",
                                                       cat.users[i].name));
    for (int f = 0; f < XF_COUNT; f++) {
        const struct expr_field_info *fi = &expr_fields[f];
        json_t *o;
        if (f == XF_CUSTOM)
            continue;
        if (f >= XF_HOURS_IN_STATUS) {
            json_array_append_new(functions,
                                  json_pack("{s:s,s:o,s:s,s:o}", "name", fi->name, "args",
                                            fi->takes_calendar ? json_pack("[s]", "calendar_id") : json_array(),
                                            "type", expr_type_names[fi->type], "ops", ops_json(fi->type)));
            continue;
        }
        o = json_pack("{s:s,s:s,s:o}", "name", fi->name, "type", expr_type_names[fi->type], "ops", ops_json(fi->type));
        if (f == XF_PRIORITY)
            json_object_set_new(o, "values", strings_json(priorities, -1));
        else if (f == XF_STATUS_CATEGORY)
            json_object_set_new(o, "values", strings_json(categories, -1));
        else if (f == XF_CHANNEL)
            json_object_set_new(o, "values", strings_json(channels, -1));
        else if (f == XF_STATUS)
            json_object_set_new(o, "values", strings_json((const char *const *)cat.statuses, cat.cat.x.nstatuses));
        else if (f == XF_GROUP)
            json_object_set_new(o, "values", named_json(cat.groups, cat.cat.x.ngroups));
        else if (f == XF_CATEGORY)
            json_object_set_new(o, "values", named_json(cat.categories, cat.cat.x.ncategories));
        else if (f == XF_FAULT_CODE)
            json_object_set_new(o, "values", named_json(cat.fault_codes, cat.cat.x.nfault_codes));
        else if (f == XF_ASSIGNEE)
            json_object_set(o, "values", staff);
        json_array_append_new(fields, o);
    }
    for (int i = 0; i < cat.cat.x.ncustom; i++) {
        char name[64];
        snprintf(name, sizeof(name), "custom.%s", cat.custom[i].key);
        json_array_append_new(fields, json_pack("{s:s,s:s,s:o}", "name", name, "type",
                                                expr_type_names[cat.custom[i].type], "ops",
                                                ops_json(cat.custom[i].type)));
    }
    *out = json_pack("{s:o,s:o,s:o,s:o}", "fields", fields, "functions", functions, "triggers",
                     strings_json(rules_trigger_names, RULES_NTRIGGERS), "actions", actions_catalogue());
    json_decref(staff);
    rules_catalog_cleanup(&cat);
    return TEND_OK;
}
