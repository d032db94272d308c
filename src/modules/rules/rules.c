/* rules.c: the pure part of the rules engine: rule bodies (parse, validate,
 * JSON), evaluation of an ordered rule set on an in-memory ticket view with
 * stop_processing and at most one firing per rule, and the resulting change. */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

const char *const rules_trigger_names[RULES_NTRIGGERS] = {
    "ticket.created", "ticket.updated", "ticket.commented", "ticket.status_changed",
    "sla.warning",    "sla.breached",   "time",
};

const char *const rules_action_names[RA_COUNT] = {
    "set_priority", "set_field", "add_tags",   "remove_tags", "assign_group", "assign_agent",
    "set_required_skills", "notify", "webhook", "transition", "escalate",
};

const char *const rules_strategy_names[] = {"none", "round_robin", "least_open", "skill_match", NULL};

static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
static const char *const notify_targets[] = {"assignee", "group_lead", "watchers", "managers", NULL};

unsigned
rules_trigger_of(const char *name)
{
    for (int i = 0; i < RULES_NTRIGGERS; i++)
        if (strcmp(rules_trigger_names[i], name) == 0)
            return 1u << i;
    return 0;
}

void
rules_changeset_cleanup(struct rules_changeset *cs)
{
    ticket_input_cleanup(&cs->in);
    json_decref(cs->rule_ids);
    cs->rule_ids = NULL;
}

void
rule_cleanup(struct rule *r)
{
    free(r->description);
    free(r->condition);
    expr_free(r->expr);
    for (int i = 0; i < r->nactions; i++) {
        json_decref(r->actions[i].field_value);
        free(r->actions[i].message);
    }
    free(r->actions);
    memset(r, 0, sizeof(*r));
}

/* --- parsing ------------------------------------------------------------------------ */

static int
index_in(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return i;
    return -1;
}

static int
id_in(int64_t id, const int64_t *ids, int n)
{
    if (n < 0)
        return 1;
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static int
named_in(int64_t id, const struct expr_named *list, int n)
{
    if (!list && n == 0)
        return 1; /* no catalogue: any id */
    for (int i = 0; i < n; i++)
        if (list[i].id == id)
            return 1;
    return 0;
}

/* A positive integer member `name` of action `a` (index i). */
static enum tend_rc
action_id(const json_t *a, int i, const char *name, int64_t *out, struct tend_err *err)
{
    json_t *v = json_object_get(a, name);

    (void)i;
    if (!v)
        return tend_fail(err, TEND_EINVAL, "", "is required");
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return tend_fail(err, TEND_EINVAL, "", "must be a positive whole number");
    *out = json_integer_value(v);
    return TEND_OK;
}

/* A list of tags or skills into a->items. */
static enum tend_rc
action_items(const json_t *v, int min, struct rules_action *a, const char *what, struct tend_err *err)
{
    size_t i;
    json_t *x;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, "", "must be an array of %s", what);
    if (json_array_size(v) < (size_t)min || json_array_size(v) > EXPR_MAX_LIST)
        return tend_fail(err, TEND_EINVAL, "", "must hold %d to %d %s", min, EXPR_MAX_LIST, what);
    json_array_foreach(v, i, x) {
        char *norm = json_is_string(x) ? ticket_tag_normalise(json_string_value(x), json_string_length(x)) : NULL;
        int dup = 0;
        if (!norm)
            return tend_fail(err, TEND_EINVAL, "", "%s[%zu] is not a valid name (1-%d characters)", what, i,
                             TICKET_TAG_MAX_CHARS);
        for (int k = 0; k < a->nitems; k++)
            dup |= strcmp(a->items[k], norm) == 0;
        if (!dup)
            strlcopy(a->items[a->nitems++], norm, EXPR_ITEM_MAX);
        free(norm);
    }
    return TEND_OK;
}

static enum tend_rc
parse_notify(const json_t *o, int i, const struct rules_catalog *cat, struct rules_action *a, char *param,
             struct tend_err *err)
{
    json_t *to = json_object_get(o, "to"), *msg = json_object_get(o, "message"), *v;
    size_t k;

    strlcopy(param, "to", 32);
    if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > RULES_MAX_NOTIFY)
        return tend_fail(err, TEND_EINVAL, "", "must be an array of 1 to %d recipients (assignee, group_lead, "
                                               "watchers, managers or user ids)", RULES_MAX_NOTIFY);
    json_array_foreach(to, k, v) {
        int t = json_is_string(v) ? index_in(json_string_value(v), notify_targets) : -1;
        if (t >= 0) {
            a->notify |= 1u << t;
        } else if (json_is_integer(v) && json_integer_value(v) > 0 &&
                   named_in(json_integer_value(v), cat ? cat->x.users : NULL, cat ? cat->x.nusers : 0)) {
            a->notify_users[a->nnotify_users++] = json_integer_value(v);
        } else {
            snprintf(param, 32, "to[%zu]", k);
            return tend_fail(err, TEND_EINVAL, "", "not a recipient: assignee, group_lead, watchers, managers "
                                                   "or the id of a user");
        }
    }
    strlcopy(param, "message", 32);
    if (!json_is_string(msg) || json_string_length(msg) == 0 ||
        utf8_count(json_string_value(msg), json_string_length(msg)) > RULES_MESSAGE_MAX ||
        !utf8_valid(json_string_value(msg), json_string_length(msg)))
        return tend_fail(err, TEND_EINVAL, "", "must be text of 1 to %d characters", RULES_MESSAGE_MAX);
    a->message = xstrdup(json_string_value(msg));
    return TEND_OK;
}

/* Which parameters each action takes (NULL-terminated, after "type"). */
static const char *const action_params[RA_COUNT][4] = {
    [RA_SET_PRIORITY] = {"value", NULL},
    [RA_SET_FIELD] = {"field", "value", NULL},
    [RA_ADD_TAGS] = {"tags", NULL},
    [RA_REMOVE_TAGS] = {"tags", NULL},
    [RA_ASSIGN_GROUP] = {"group_id", "strategy", NULL},
    [RA_ASSIGN_AGENT] = {"user_id", NULL},
    [RA_SET_REQUIRED_SKILLS] = {"skills", NULL},
    [RA_NOTIFY] = {"to", "message", NULL},
    [RA_WEBHOOK] = {"webhook_id", NULL},
    [RA_TRANSITION] = {"to", NULL},
    [RA_ESCALATE] = {NULL},
};

static enum tend_rc
parse_set_field(const json_t *o, const struct rules_catalog *cat, struct rules_action *a, char *param,
                struct tend_err *err)
{
    json_t *f = json_object_get(o, "field"), *v = json_object_get(o, "value");
    const char *name = json_string_value(f);

    strlcopy(param, "field", 32);
    if (!name)
        return tend_fail(err, TEND_EINVAL, "", "is required: category, fault_code or custom.<key>");
    if (strcmp(name, "type") == 0 || strcmp(name, "channel") == 0)
        return tend_fail(err, TEND_EINVAL, "", "%s cannot be changed after creation (not by a PATCH either)", name);
    if (strcmp(name, "category") != 0 && strcmp(name, "fault_code") != 0 && strncmp(name, "custom.", 7) != 0)
        return tend_fail(err, TEND_EINVAL, "", "must be category, fault_code or custom.<key>");
    strlcopy(a->value, name, sizeof(a->value));
    if (strncmp(name, "custom.", 7) == 0 && cat && cat->x.ncustom >= 0) {
        int found = 0;
        for (int i = 0; i < cat->x.ncustom && !found; i++)
            found = strcmp(cat->x.custom[i].key, name + 7) == 0;
        if (!found)
            return tend_fail(err, TEND_EINVAL, "", "unknown custom field '%.40s'", name + 7);
    }
    strlcopy(param, "value", 32);
    if (!v)
        return tend_fail(err, TEND_EINVAL, "", "is required (null clears)");
    if (strncmp(name, "custom.", 7) != 0 && !json_is_null(v)) {
        int cat_field = strcmp(name, "category") == 0;
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return tend_fail(err, TEND_EINVAL, "", "must be the id of a %s, or null", cat_field ? "category" : "fault code");
        if (cat && !named_in(json_integer_value(v), cat_field ? cat->x.categories : cat->x.fault_codes,
                             cat_field ? cat->x.ncategories : cat->x.nfault_codes))
            return tend_fail(err, TEND_EINVAL, "", "no %s %lld", cat_field ? "category" : "fault code",
                             (long long)json_integer_value(v));
    }
    a->field_value = json_incref(v);
    return TEND_OK;
}

static enum tend_rc
parse_action(const json_t *o, int i, const struct rules_catalog *cat, struct rules_action *a, struct tend_err *err)
{
    char param[32] = "type";
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *key;
    json_t *v;
    enum tend_rc rc = TEND_OK;
    int t = -1;

    memset(a, 0, sizeof(*a));
    if (!json_is_object(o))
        rc = tend_fail(err, TEND_EINVAL, "", "must be an object {type, ...}");
    if (rc)
        goto out;
    for (int k = 0; type && k < RA_COUNT; k++)
        if (strcmp(type, rules_action_names[k]) == 0)
            t = k;
    if (t < 0) {
        rc = tend_fail(err, TEND_EINVAL, "", "unknown action type; one of set_priority, set_field, add_tags, remove_tags, "
                                        "assign_group, assign_agent, set_required_skills, notify, webhook, transition, "
                                        "escalate");
        goto out;
    }
    a->type = (enum rules_action_type)t;
    json_object_foreach((json_t *)o, key, v) {
        int known = strcmp(key, "type") == 0;
        for (int k = 0; action_params[t][k] && !known; k++)
            known = strcmp(action_params[t][k], key) == 0;
        if (!known) {
            strlcopy(param, key, sizeof(param));
            rc = tend_fail(err, TEND_EINVAL, "", "%s takes no parameter '%.30s'", type, key);
            goto out;
        }
    }
    switch (a->type) {
    case RA_SET_PRIORITY:
        strlcopy(param, "value", sizeof(param));
        v = json_object_get(o, "value");
        if (!json_is_string(v) || index_in(json_string_value(v), priorities) < 0)
            rc = tend_fail(err, TEND_EINVAL, "", "must be low, normal, high or urgent");
        else
            strlcopy(a->value, json_string_value(v), sizeof(a->value));
        break;
    case RA_SET_FIELD:
        rc = parse_set_field(o, cat, a, param, err);
        break;
    case RA_ADD_TAGS:
    case RA_REMOVE_TAGS:
        strlcopy(param, "tags", sizeof(param));
        rc = action_items(json_object_get(o, "tags"), 1, a, "tags", err);
        break;
    case RA_SET_REQUIRED_SKILLS:
        strlcopy(param, "skills", sizeof(param));
        rc = action_items(json_object_get(o, "skills"), 0, a, "skills", err);
        break;
    case RA_ASSIGN_GROUP:
        strlcopy(param, "group_id", sizeof(param));
        rc = action_id(o, i, "group_id", &a->id, err);
        if (rc == TEND_OK && cat && !named_in(a->id, cat->x.groups, cat->x.ngroups))
            rc = tend_fail(err, TEND_EINVAL, "", "no group %lld", (long long)a->id);
        v = json_object_get(o, "strategy");
        if (rc == TEND_OK && v) {
            int s = json_is_string(v) ? index_in(json_string_value(v), rules_strategy_names) : -1;
            strlcopy(param, "strategy", sizeof(param));
            if (s < 0)
                rc = tend_fail(err, TEND_EINVAL, "", "must be none, round_robin, least_open or skill_match");
            else
                a->strategy = (enum rules_strategy)s;
        }
        break;
    case RA_ASSIGN_AGENT:
        strlcopy(param, "user_id", sizeof(param));
        rc = action_id(o, i, "user_id", &a->id, err);
        if (rc == TEND_OK && cat && !id_in(a->id, cat->agents, cat->nagents))
            rc = tend_fail(err, TEND_EINVAL, "", "user %lld is not an active staff user", (long long)a->id);
        break;
    case RA_WEBHOOK:
        strlcopy(param, "webhook_id", sizeof(param));
        rc = action_id(o, i, "webhook_id", &a->id, err);
        if (rc == TEND_OK && cat && !id_in(a->id, cat->webhooks, cat->nwebhooks))
            rc = tend_fail(err, TEND_EINVAL, "", "no webhook subscription %lld", (long long)a->id);
        break;
    case RA_NOTIFY:
        rc = parse_notify(o, i, cat, a, param, err);
        break;
    case RA_TRANSITION: {
        const char *to = json_string_value(json_object_get(o, "to"));
        int found = 0;
        strlcopy(param, "to", sizeof(param));
        if (!to || !*to || strlen(to) >= sizeof(a->value)) {
            rc = tend_fail(err, TEND_EINVAL, "", "must be a status key");
            break;
        }
        if (!cat || cat->x.nstatuses < 0)
            found = 1;
        for (int k = 0; cat && k < cat->x.nstatuses && !found; k++)
            found = strcmp(cat->x.statuses[k], to) == 0;
        if (!found)
            rc = tend_fail(err, TEND_EINVAL, "", "'%.40s' is not a status of any workflow", to);
        else
            strlcopy(a->value, to, sizeof(a->value));
        break;
    }
    case RA_ESCALATE:
    case RA_COUNT:
        break;
    }
out:
    if (rc) {
        char field[64];
        snprintf(field, sizeof(field), "actions[%d].%s", i, param);
        strlcopy(err->field, field, sizeof(err->field));
        return rc;
    }
    return TEND_OK;
}

static enum tend_rc
parse_triggers(const json_t *v, unsigned *out, struct tend_err *err)
{
    size_t i;
    json_t *x;

    *out = 0;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return tend_fail(err, TEND_EINVAL, "triggers",
                         "must be a non-empty array of ticket.created, ticket.updated, ticket.commented, "
                         "ticket.status_changed, sla.warning, sla.breached, time");
    json_array_foreach(v, i, x) {
        unsigned bit = json_is_string(x) ? rules_trigger_of(json_string_value(x)) : 0;
        char field[32];
        snprintf(field, sizeof(field), "triggers[%zu]", i);
        if (!bit)
            return tend_fail(err, TEND_EINVAL, field, "not a trigger");
        if (*out & bit)
            return tend_fail(err, TEND_EINVAL, field, "repeats a trigger");
        *out |= bit;
    }
    return TEND_OK;
}

static const char *const rule_members[] = {"name", "description", "active", "position", "triggers",
                                           "condition", "actions", "stop_processing", "version",
                                           /* read-only: accepted and ignored, so a rule read can be sent back */
                                           "id", "created_at", "updated_at", "fired_count", "last_fired_at", NULL};

static enum tend_rc
parse_text(const json_t *v, const char *field, int min, int max, char **out, struct tend_err *err)
{
    const char *s = json_string_value(v);
    size_t n;

    if (!s)
        return tend_fail(err, TEND_EINVAL, field, "must be text");
    n = utf8_count(s, json_string_length(v));
    if (!utf8_valid(s, json_string_length(v)) || (int)n < min || n > (size_t)max)
        return tend_fail(err, TEND_EINVAL, field, "must be %d to %d characters", min, max);
    free(*out);
    *out = xstrdup(s);
    return TEND_OK;
}

enum tend_rc
rule_parse(const json_t *body, const struct rule *base, const struct rules_catalog *cat, struct rule *out,
           int *position, struct tend_err *err)
{
    const char *key;
    json_t *v;
    enum tend_rc rc = TEND_OK;

    memset(out, 0, sizeof(*out));
    *position = -1;
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (index_in(key, rule_members) < 0)
            return tend_fail(err, TEND_EINVAL, key, "unknown member");
    }
    if (base) {
        out->id = base->id;
        strlcopy(out->name, base->name, sizeof(out->name));
        out->description = xstrdup(base->description ? base->description : "");
        out->active = base->active;
        out->position = base->position;
        out->triggers = base->triggers;
        out->condition = xstrdup(base->condition ? base->condition : "");
        out->stop_processing = base->stop_processing;
        out->version = base->version;
        out->created_at = base->created_at;
        out->updated_at = base->updated_at;
    } else {
        out->description = xstrdup("");
        out->condition = xstrdup("");
        out->active = 1;
    }
    if ((v = json_object_get(body, "name")) || !base) {
        char *name = NULL;
        if (!v)
            return tend_fail(err, TEND_EINVAL, "name", "is required");
        rc = parse_text(v, "name", 1, RULES_NAME_MAX, &name, err);
        if (rc == TEND_OK)
            strlcopy(out->name, name, sizeof(out->name));
        free(name);
        if (rc)
            return rc;
    }
    if ((v = json_object_get(body, "description")) &&
        (rc = parse_text(v, "description", 0, RULES_DESCRIPTION_MAX, &out->description, err)))
        return rc;
    if ((v = json_object_get(body, "active"))) {
        if (!json_is_boolean(v))
            return tend_fail(err, TEND_EINVAL, "active", "must be true or false");
        out->active = json_is_true(v);
    }
    if ((v = json_object_get(body, "stop_processing"))) {
        if (!json_is_boolean(v))
            return tend_fail(err, TEND_EINVAL, "stop_processing", "must be true or false");
        out->stop_processing = json_is_true(v);
    }
    if ((v = json_object_get(body, "position"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
            return tend_fail(err, TEND_EINVAL, "position", "must be a whole number from 0 to 1000000");
        out->position = json_integer_value(v);
    }
    if ((v = json_object_get(body, "version")) && (!json_is_integer(v) || json_integer_value(v) < 1))
        return tend_fail(err, TEND_EINVAL, "version", "must be a whole number >= 1");
    if ((v = json_object_get(body, "triggers")) || !base) {
        if (!v)
            return tend_fail(err, TEND_EINVAL, "triggers", "is required");
        if ((rc = parse_triggers(v, &out->triggers, err)))
            return rc;
    }
    if ((v = json_object_get(body, "condition")) && !json_is_null(v)) {
        if (!json_is_string(v))
            return tend_fail(err, TEND_EINVAL, "condition", "must be text (\"\" is always true)");
        free(out->condition);
        out->condition = xstrdup(json_string_value(v));
    }
    rc = expr_compile(out->condition, cat ? &cat->x : NULL, &out->expr, position, err);
    if (rc)
        return rc;
    *position = -1;
    v = json_object_get(body, "actions");
    if (!v && base) { /* keep the current actions */
        out->actions = xcalloc(base->nactions ? (size_t)base->nactions : 1, sizeof(*out->actions));
        for (int i = 0; i < base->nactions; i++) {
            out->actions[i] = base->actions[i];
            out->actions[i].field_value = json_incref(base->actions[i].field_value);
            out->actions[i].message = base->actions[i].message ? xstrdup(base->actions[i].message) : NULL;
        }
        out->nactions = base->nactions;
        return TEND_OK;
    }
    if (v && !json_is_array(v))
        return tend_fail(err, TEND_EINVAL, "actions", "must be an array of actions");
    if (json_array_size(v) > RULES_MAX_ACTIONS)
        return tend_fail(err, TEND_EINVAL, "actions", "at most %d actions", RULES_MAX_ACTIONS);
    out->actions = xcalloc(json_array_size(v) ? json_array_size(v) : 1, sizeof(*out->actions));
    for (size_t i = 0; i < json_array_size(v); i++) {
        rc = parse_action(json_array_get(v, i), (int)i, cat, &out->actions[i], err);
        out->nactions = (int)i + 1;
        if (rc)
            return rc;
    }
    return TEND_OK;
}

json_t *
rule_triggers_json(unsigned triggers)
{
    json_t *a = json_array();

    for (int i = 0; i < RULES_NTRIGGERS; i++)
        if (triggers & (1u << i))
            json_array_append_new(a, json_string(rules_trigger_names[i]));
    return a;
}

static json_t *
items_json(const struct rules_action *a)
{
    json_t *arr = json_array();

    for (int i = 0; i < a->nitems; i++)
        json_array_append_new(arr, json_string(a->items[i]));
    return arr;
}

json_t *
rule_actions_json(const struct rule *r)
{
    json_t *arr = json_array();

    for (int i = 0; i < r->nactions; i++) {
        const struct rules_action *a = &r->actions[i];
        json_t *o = json_pack("{s:s}", "type", rules_action_names[a->type]);
        switch (a->type) {
        case RA_SET_PRIORITY:
            json_object_set_new(o, "value", json_string(a->value));
            break;
        case RA_SET_FIELD:
            json_object_set_new(o, "field", json_string(a->value));
            json_object_set(o, "value", a->field_value ? a->field_value : json_null());
            break;
        case RA_ADD_TAGS:
        case RA_REMOVE_TAGS:
            json_object_set_new(o, "tags", items_json(a));
            break;
        case RA_SET_REQUIRED_SKILLS:
            json_object_set_new(o, "skills", items_json(a));
            break;
        case RA_ASSIGN_GROUP:
            json_object_set_new(o, "group_id", json_integer(a->id));
            json_object_set_new(o, "strategy", json_string(rules_strategy_names[a->strategy]));
            break;
        case RA_ASSIGN_AGENT:
            json_object_set_new(o, "user_id", json_integer(a->id));
            break;
        case RA_WEBHOOK:
            json_object_set_new(o, "webhook_id", json_integer(a->id));
            break;
        case RA_TRANSITION:
            json_object_set_new(o, "to", json_string(a->value));
            break;
        case RA_NOTIFY: {
            json_t *to = json_array();
            for (int k = 0; notify_targets[k]; k++)
                if (a->notify & (1u << k))
                    json_array_append_new(to, json_string(notify_targets[k]));
            for (int k = 0; k < a->nnotify_users; k++)
                json_array_append_new(to, json_integer(a->notify_users[k]));
            json_object_set_new(o, "to", to);
            json_object_set_new(o, "message", json_string(a->message ? a->message : ""));
            break;
        }
        case RA_ESCALATE:
        case RA_COUNT:
            break;
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/* --- views ---------------------------------------------------------------------------- */

void
rules_view_copy(struct rules_view *dst, const struct rules_view *src)
{
    *dst = *src;
    dst->custom = src->custom ? json_deep_copy(src->custom) : NULL;
    dst->custom_patch = src->custom_patch ? json_deep_copy(src->custom_patch) : NULL;
    dst->x.custom = dst->custom;
}

void
rules_view_cleanup(struct rules_view *v)
{
    json_decref(v->custom);
    json_decref(v->custom_patch);
    v->custom = v->custom_patch = NULL;
    v->x.custom = NULL;
}

static json_t *
list_json(const char (*items)[EXPR_ITEM_MAX], int n)
{
    json_t *a = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static int
lists_equal(const char (*a)[EXPR_ITEM_MAX], int na, const char (*b)[EXPR_ITEM_MAX], int nb)
{
    if (na != nb)
        return 0;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

static json_t *
ref_json(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static void
diff_ref(json_t *d, const char *name, int64_t a, int64_t b)
{
    if (a != b)
        json_object_set_new(d, name, json_pack("{s:o,s:o}", "from", ref_json(a), "to", ref_json(b)));
}

json_t *
rules_view_diff(const struct rules_view *before, const struct rules_view *after)
{
    json_t *d = json_object();
    const char *key;
    json_t *v;

    if (strcmp(before->x.priority, after->x.priority) != 0)
        json_object_set_new(d, "priority", json_pack("{s:s,s:s}", "from", before->x.priority, "to", after->x.priority));
    if (strcmp(before->x.status, after->x.status) != 0)
        json_object_set_new(d, "status", json_pack("{s:s,s:s}", "from", before->x.status, "to", after->x.status));
    diff_ref(d, "group_id", before->x.group_id, after->x.group_id);
    diff_ref(d, "assignee_id", before->x.assignee_id, after->x.assignee_id);
    diff_ref(d, "category_id", before->x.category_id, after->x.category_id);
    diff_ref(d, "fault_code_id", before->x.fault_code_id, after->x.fault_code_id);
    if (!lists_equal((const char(*)[EXPR_ITEM_MAX])before->x.tags, before->x.ntags,
                     (const char(*)[EXPR_ITEM_MAX])after->x.tags, after->x.ntags))
        json_object_set_new(d, "tags", json_pack("{s:o,s:o}", "from",
                                                 list_json((const char(*)[EXPR_ITEM_MAX])before->x.tags, before->x.ntags),
                                                 "to", list_json((const char(*)[EXPR_ITEM_MAX])after->x.tags, after->x.ntags)));
    if (!lists_equal((const char(*)[EXPR_ITEM_MAX])before->x.skills, before->x.nskills,
                     (const char(*)[EXPR_ITEM_MAX])after->x.skills, after->x.nskills))
        json_object_set_new(d, "required_skills",
                            json_pack("{s:o,s:o}", "from",
                                      list_json((const char(*)[EXPR_ITEM_MAX])before->x.skills, before->x.nskills), "to",
                                      list_json((const char(*)[EXPR_ITEM_MAX])after->x.skills, after->x.nskills)));
    json_object_foreach(after->custom_patch, key, v) {
        json_t *old = before->custom ? json_object_get(before->custom, key) : NULL;
        char name[64];
        if (old && json_equal(old, v))
            continue;
        if (!old && json_is_null(v))
            continue;
        snprintf(name, sizeof(name), "custom.%s", key);
        json_object_set_new(d, name, json_pack("{s:O,s:O}", "from", old ? old : json_null(), "to", v));
    }
    return d;
}

void
rules_view_change(const struct rules_view *before, const struct rules_view *after, struct ticket_input *in)
{
    memset(in, 0, sizeof(*in));
    if (strcmp(before->x.priority, after->x.priority) != 0) {
        in->fields |= TF_PRIORITY;
        strlcopy(in->priority, after->x.priority, sizeof(in->priority));
    }
    if (strcmp(before->x.status, after->x.status) != 0) {
        in->fields |= TF_STATUS;
        strlcopy(in->status, after->x.status, sizeof(in->status));
    }
    if (before->x.group_id != after->x.group_id) {
        in->fields |= TF_GROUP;
        in->group_id = after->x.group_id;
    }
    if (before->x.assignee_id != after->x.assignee_id) {
        in->fields |= TF_ASSIGNEE;
        in->assignee_id = after->x.assignee_id;
    }
    if (before->x.category_id != after->x.category_id) {
        in->fields |= TF_CATEGORY;
        in->category_id = after->x.category_id;
    }
    if (before->x.fault_code_id != after->x.fault_code_id) {
        in->fields |= TF_FAULT_CODE;
        in->fault_code_id = after->x.fault_code_id;
    }
    if (!lists_equal((const char(*)[EXPR_ITEM_MAX])before->x.tags, before->x.ntags,
                     (const char(*)[EXPR_ITEM_MAX])after->x.tags, after->x.ntags)) {
        in->fields |= TF_TAGS;
        in->tags = list_json((const char(*)[EXPR_ITEM_MAX])after->x.tags, after->x.ntags);
    }
    if (!lists_equal((const char(*)[EXPR_ITEM_MAX])before->x.skills, before->x.nskills,
                     (const char(*)[EXPR_ITEM_MAX])after->x.skills, after->x.nskills)) {
        in->fields |= TF_REQUIRED_SKILLS;
        in->required_skills = list_json((const char(*)[EXPR_ITEM_MAX])after->x.skills, after->x.nskills);
    }
    if (json_object_size(after->custom_patch) > 0) {
        in->fields |= TF_CUSTOM;
        in->custom = json_deep_copy(after->custom_patch);
    }
}

/* --- evaluation ---------------------------------------------------------------------- */

void
rules_pass_cleanup(struct rules_pass *p)
{
    for (int i = 0; i < p->n; i++) {
        json_decref(p->firings[i].changes);
        json_decref(p->firings[i].notes);
        json_decref(p->firings[i].actions);
    }
    free(p->firings);
    memset(p, 0, sizeof(*p));
}

static void
list_add(char (*items)[EXPR_ITEM_MAX], int *n, const char *item)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(items[i], item) == 0)
            return;
    if (*n < EXPR_MAX_LIST)
        strlcopy(items[(*n)++], item, EXPR_ITEM_MAX);
}

static void
list_remove(char (*items)[EXPR_ITEM_MAX], int *n, const char *item)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(items[i], item) == 0) {
            memmove(items[i], items[i + 1], (size_t)(*n - i - 1) * EXPR_ITEM_MAX);
            (*n)--;
            return;
        }
}

static void
describe(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
describe(json_t *arr, const char *fmt, ...)
{
    char buf[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    utf8_sanitize(buf);
    json_array_append_new(arr, json_string(buf));
}

static enum tend_rc
apply_action(const struct rules_action *a, struct rules_view *v, const struct rules_env *env, json_t *actions,
             json_t *notes, struct tend_err *err)
{
    switch (a->type) {
    case RA_SET_PRIORITY:
        strlcopy(v->x.priority, a->value, sizeof(v->x.priority));
        describe(actions, "set priority %s", a->value);
        break;
    case RA_SET_FIELD:
        if (strcmp(a->value, "category") == 0 || strcmp(a->value, "fault_code") == 0) {
            int64_t id = json_is_integer(a->field_value) ? json_integer_value(a->field_value) : 0;
            *(strcmp(a->value, "category") == 0 ? &v->x.category_id : &v->x.fault_code_id) = id;
        } else {
            if (!v->custom)
                v->custom = json_object();
            if (!v->custom_patch)
                v->custom_patch = json_object();
            if (json_is_null(a->field_value))
                json_object_del(v->custom, a->value + 7);
            else
                json_object_set(v->custom, a->value + 7, a->field_value);
            json_object_set(v->custom_patch, a->value + 7, a->field_value);
            v->x.custom = v->custom;
        }
        describe(actions, "set %s", a->value);
        break;
    case RA_ADD_TAGS:
        for (int i = 0; i < a->nitems; i++)
            list_add(v->x.tags, &v->x.ntags, a->items[i]);
        describe(actions, "add %d tag(s)", a->nitems);
        break;
    case RA_REMOVE_TAGS:
        for (int i = 0; i < a->nitems; i++)
            list_remove(v->x.tags, &v->x.ntags, a->items[i]);
        describe(actions, "remove %d tag(s)", a->nitems);
        break;
    case RA_SET_REQUIRED_SKILLS:
        v->x.nskills = 0;
        for (int i = 0; i < a->nitems; i++)
            list_add(v->x.skills, &v->x.nskills, a->items[i]);
        describe(actions, "set %d required skill(s)", a->nitems);
        break;
    case RA_ASSIGN_GROUP:
        v->x.group_id = a->id;
        describe(actions, "assign group %lld, strategy %s", (long long)a->id, rules_strategy_names[a->strategy]);
        if (a->strategy != RS_NONE && env && env->choose_agent) {
            char note[300] = "";
            int64_t user = 0;
            enum tend_rc rc = env->choose_agent(env->ctx, a->id, a->strategy, v, &user, note, sizeof(note), err);
            if (rc)
                return rc;
            v->x.assignee_id = user;
            if (note[0])
                describe(notes, "%s", note);
        } else {
            describe(notes, "assigned group %lld (strategy %s)", (long long)a->id, rules_strategy_names[a->strategy]);
        }
        break;
    case RA_ASSIGN_AGENT:
        v->x.assignee_id = a->id;
        describe(actions, "assign agent %lld", (long long)a->id);
        break;
    case RA_NOTIFY:
        describe(actions, "notify: %s", a->message ? a->message : "");
        break;
    case RA_WEBHOOK:
        describe(actions, "call webhook %lld", (long long)a->id);
        break;
    case RA_TRANSITION:
        if (strcmp(v->x.status, a->value) != 0) {
            strlcopy(v->x.status, a->value, sizeof(v->x.status));
            describe(actions, "move to %s", a->value);
        } else {
            describe(notes, "already %s", a->value);
        }
        break;
    case RA_ESCALATE: {
        int rank = index_in(v->x.priority, priorities);
        if (rank >= 0 && priorities[rank + 1])
            strlcopy(v->x.priority, priorities[rank + 1], sizeof(v->x.priority));
        describe(actions, "escalate: priority %s, notify the group lead", v->x.priority);
        break;
    }
    case RA_COUNT:
        break;
    }
    return TEND_OK;
}

enum tend_rc
rules_evaluate(const struct rule *rules, int n, unsigned triggers, int all, struct rules_view *v,
               const struct rules_env *env, struct rules_pass *out, struct tend_err *err)
{
    int stopped = 0, own_lc = !v->x.subject_lc;
    char *subject_lc = NULL, *description_lc = NULL;
    enum tend_rc rc = TEND_OK;

    memset(out, 0, sizeof(*out));
    if (own_lc) { /* keyword tests on the two long texts read these */
        v->x.subject_lc = subject_lc = expr_fold(v->x.subject);
        v->x.description_lc = description_lc = expr_fold(v->x.description);
    }
    out->trigger = triggers;
    out->firings = xcalloc(n ? (size_t)n : 1, sizeof(*out->firings));
    for (int i = 0; i < n; i++) {
        const struct rule *r = &rules[i];
        struct rules_firing *f;
        struct rules_view before;
        if (!(r->triggers & triggers) || (!all && !r->active))
            continue;
        if (env && env->eligible && !env->eligible(env->ctx, r))
            continue;
        f = &out->firings[out->n++];
        f->rule = r; /* changes, notes and actions only for a firing: most rules do not */
        if (stopped)
            continue;
        f->matched = expr_eval(r->expr, &v->x, env ? &env->expr : NULL);
        if (!f->matched)
            continue;
        f->fired = 1;
        f->notes = json_array();
        f->actions = json_array();
        rules_view_copy(&before, v);
        for (int k = 0; k < r->nactions && rc == TEND_OK; k++)
            rc = apply_action(&r->actions[k], v, env, f->actions, f->notes, err);
        if (rc == TEND_OK)
            f->changes = rules_view_diff(&before, v);
        rules_view_cleanup(&before);
        if (rc)
            break;
        if (r->stop_processing) {
            f->stopped = 1;
            stopped = 1;
        }
    }
    if (own_lc) {
        v->x.subject_lc = v->x.description_lc = NULL;
        free(subject_lc);
        free(description_lc);
    }
    return rc;
}
