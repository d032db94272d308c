/* policy.c: SLA policies (policy.h): parsing and validation of the API body,
 * its JSON, matching a ticket, targets and alert levels. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "modules/tickets/tickets.h"
#include "platform/util/util.h"

const char *const sla_condition_names[] = {"tier", "type", "priority", "channel", "group_id", "organisation_id",
                                           NULL};
static const char *const notify_names[] = {"assignee", "group_lead", "managers", NULL};
static const char *const escalation_members[] = {"percent", "notify", "set_priority", "assign_group_id",
                                                 "assign_user_id", "level", NULL};

static int
name_index(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static int
is_id_condition(int which)
{
    return which == SLA_COND_GROUP || which == SLA_COND_ORGANISATION;
}

/* One condition's list, checked and copied into `out` (duplicates dropped). */
static enum tend_rc
parse_condition(int which, const json_t *list, json_t *out, struct tend_err *err)
{
    const char *key = sla_condition_names[which];
    json_t *values = json_array(), *v;
    size_t i;

    if (!json_is_array(list)) {
        char field[64];
        snprintf(field, sizeof(field), "conditions.%s", key);
        json_decref(values);
        return tend_fail(err, TEND_EINVAL, field, "must be a list");
    }
    if (json_array_size(list) > SLA_MAX_CONDITION_VALUES) {
        char field[64];
        snprintf(field, sizeof(field), "conditions.%s", key);
        json_decref(values);
        return tend_fail(err, TEND_EINVAL, field, "at most %d values", SLA_MAX_CONDITION_VALUES);
    }
    json_array_foreach(list, i, v) {
        char field[64];
        int ok;
        snprintf(field, sizeof(field), "conditions.%s[%zu]", key, i);
        if (is_id_condition(which))
            ok = json_is_integer(v) && json_integer_value(v) > 0;
        else if (which == SLA_COND_PRIORITY)
            ok = json_is_string(v) && ticket_value_in(json_string_value(v), ticket_priorities);
        else if (which == SLA_COND_CHANNEL)
            ok = json_is_string(v) && ticket_value_in(json_string_value(v), ticket_channels);
        else
            ok = json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 40 &&
                 utf8_valid(json_string_value(v), json_string_length(v));
        if (!ok) {
            json_decref(values);
            return tend_fail(err, TEND_EINVAL, field, "%s",
                             is_id_condition(which)        ? "must be an id (a positive integer)"
                             : which == SLA_COND_PRIORITY ? "must be one of low, normal, high, urgent"
                             : which == SLA_COND_CHANNEL
                                 ? "must be one of portal, email, phone, wechat, api, iot, internal"
                                 : "must be a non-empty string of at most 40 characters");
        }
        int dup = 0;
        size_t j;
        json_t *w;
        json_array_foreach(values, j, w)
            dup |= json_equal(v, w);
        if (!dup)
            json_array_append(values, v);
    }
    if (json_array_size(values) > 0)
        json_object_set_new(out, key, values);
    else
        json_decref(values);
    return TEND_OK;
}

static enum tend_rc
parse_conditions(const json_t *conds, struct sla_policy *p, struct tend_err *err)
{
    const char *key;
    json_t *v;

    p->conditions = json_object();
    if (!conds || json_is_null(conds))
        return TEND_OK;
    if (!json_is_object(conds))
        return tend_fail(err, TEND_EINVAL, "conditions", "must be an object of lists, e.g. {\"tier\": [\"vip\"]}");
    json_object_foreach((json_t *)conds, key, v) {
        int which = name_index(sla_condition_names, key);
        enum tend_rc rc;
        if (which < 0)
            return tend_fail(err, TEND_EINVAL, "conditions",
                             "'%.40s' is not a condition (tier, type, priority, channel, group_id, "
                             "organisation_id)",
                             key);
        if (json_is_null(v))
            continue;
        rc = parse_condition(which, v, p->conditions, err);
        if (rc)
            return rc;
    }
    return TEND_OK;
}

/* {metric: minutes|null} into `out`; at least one when `required`. */
static enum tend_rc
parse_targets(const json_t *obj, const char *field, int64_t *out, int required, struct tend_err *err)
{
    const char *key;
    json_t *v;
    int n = 0;

    if (!json_is_object(obj))
        return tend_fail(err, TEND_EINVAL, field, "must be an object of minutes, e.g. {\"resolution\": 480}");
    json_object_foreach((json_t *)obj, key, v) {
        int metric = sla_metric_of(key);
        char path[64];
        snprintf(path, sizeof(path), "%s.%.30s", field, key);
        if (metric < 0)
            return tend_fail(err, TEND_EINVAL, path,
                             "is not a target (first_response, next_response, resolution, on_site)");
        if (json_is_null(v))
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SLA_TARGET_MAX_MINUTES)
            return tend_fail(err, TEND_EINVAL, path, "must be whole business minutes from 1 to %d, or null",
                             SLA_TARGET_MAX_MINUTES);
        out[metric] = json_integer_value(v);
        n++;
    }
    if (required && n == 0)
        return tend_fail(err, TEND_EINVAL, field, "needs at least one target");
    return TEND_OK;
}

static enum tend_rc
parse_escalation(const json_t *e, int i, struct sla_escalation *out, struct tend_err *err)
{
    const json_t *percent = json_object_get(e, "percent"), *notify = json_object_get(e, "notify");
    const json_t *prio = json_object_get(e, "set_priority");
    const char *id_fields[] = {"assign_group_id", "assign_user_id"};
    int64_t *ids[] = {&out->assign_group_id, &out->assign_user_id};
    char path[64];
    const char *key;
    json_t *v;

    snprintf(path, sizeof(path), "escalations[%d]", i);
    if (!json_is_object(e))
        return tend_fail(err, TEND_EINVAL, path, "must be an object");
    json_object_foreach((json_t *)e, key, v) {
        if (name_index(escalation_members, key) < 0) {
            snprintf(path, sizeof(path), "escalations[%d].%.30s", i, key);
            return tend_fail(err, TEND_EINVAL, path,
                             "is not part of an escalation (percent, notify, set_priority, "
                             "assign_group_id, assign_user_id)");
        }
    }
    snprintf(path, sizeof(path), "escalations[%d].percent", i);
    if (!json_is_integer(percent) || json_integer_value(percent) < 1 || json_integer_value(percent) > 1000)
        return tend_fail(err, TEND_EINVAL, path, "must be a share of the target in percent, 1 to 1000");
    out->percent = (int)json_integer_value(percent);
    if (notify && !json_is_null(notify)) {
        size_t j;
        snprintf(path, sizeof(path), "escalations[%d].notify", i);
        if (!json_is_array(notify))
            return tend_fail(err, TEND_EINVAL, path, "must be a list");
        json_array_foreach(notify, j, v) {
            int which = json_is_string(v) ? name_index(notify_names, json_string_value(v)) : -1;
            snprintf(path, sizeof(path), "escalations[%d].notify[%zu]", i, j);
            if (which < 0)
                return tend_fail(err, TEND_EINVAL, path, "must be one of assignee, group_lead, managers");
            out->notify |= 1u << which;
        }
    }
    snprintf(path, sizeof(path), "escalations[%d].set_priority", i);
    if (prio && !json_is_null(prio)) {
        if (!json_is_string(prio) || !ticket_value_in(json_string_value(prio), ticket_priorities))
            return tend_fail(err, TEND_EINVAL, path, "must be one of low, normal, high, urgent, or null");
        strlcopy(out->set_priority, json_string_value(prio), sizeof(out->set_priority));
    }
    for (int k = 0; k < 2; k++) {
        const json_t *id = json_object_get(e, id_fields[k]);
        snprintf(path, sizeof(path), "escalations[%d].%s", i, id_fields[k]);
        if (!id || json_is_null(id))
            continue;
        if (!json_is_integer(id) || json_integer_value(id) < 1)
            return tend_fail(err, TEND_EINVAL, path, "must be an id, or null");
        *ids[k] = json_integer_value(id);
    }
    snprintf(path, sizeof(path), "escalations[%d]", i);
    if (!out->notify && !out->set_priority[0] && !out->assign_group_id && !out->assign_user_id)
        return tend_fail(err, TEND_EINVAL, path, "does nothing: give notify, set_priority or an assignment");
    return TEND_OK;
}

static const char *const policy_members[] = {"name", "position", "active", "calendar_id", "conditions", "targets",
                                             "priority_targets", "warning_percent", "escalations", "version",
                                             /* what GET returns, accepted back unchanged */
                                             "id", "calendar", "created_at", "updated_at", NULL};

enum tend_rc
sla_policy_parse(const json_t *body, struct sla_policy *p, struct tend_err *err)
{
    const json_t *name = json_object_get(body, "name"), *pos = json_object_get(body, "position");
    const json_t *active = json_object_get(body, "active"), *cal = json_object_get(body, "calendar_id");
    const json_t *targets = json_object_get(body, "targets"), *pt = json_object_get(body, "priority_targets");
    const json_t *warn = json_object_get(body, "warning_percent"), *esc = json_object_get(body, "escalations");
    enum tend_rc rc;
    const char *key;
    json_t *v;

    memset(p, 0, sizeof(*p));
    p->active = 1;
    p->warning_percent = 75;
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
        if (name_index(policy_members, key) < 0)
            return tend_fail(err, TEND_EINVAL, key, "is not part of an SLA policy");
    if (!json_is_string(name) || json_string_length(name) == 0 ||
        utf8_count(json_string_value(name), json_string_length(name)) > SLA_POLICY_NAME_MAX)
        return tend_fail(err, TEND_EINVAL, "name", "is required: 1 to %d characters", SLA_POLICY_NAME_MAX);
    strlcopy(p->name, json_string_value(name), sizeof(p->name));
    if (pos && !json_is_null(pos)) {
        if (!json_is_integer(pos) || json_integer_value(pos) < 0 || json_integer_value(pos) > 10000)
            return tend_fail(err, TEND_EINVAL, "position", "must be a whole number from 1 to 10000 (0: last)");
        p->position = json_integer_value(pos);
    }
    if (active && !json_is_boolean(active))
        return tend_fail(err, TEND_EINVAL, "active", "must be true or false");
    p->active = !active || json_is_true(active);
    if (!json_is_integer(cal) || json_integer_value(cal) < 1)
        return tend_fail(err, TEND_EINVAL, "calendar_id", "is required: the id of a business calendar");
    p->calendar_id = json_integer_value(cal);
    rc = parse_conditions(json_object_get(body, "conditions"), p, err);
    if (rc)
        return rc;
    if (!targets)
        return tend_fail(err, TEND_EINVAL, "targets", "is required, e.g. {\"first_response\": 60, \"resolution\": 480}");
    rc = parse_targets(targets, "targets", p->target_min, 1, err);
    if (rc == TEND_OK && pt && !json_is_null(pt)) {
        if (!json_is_object(pt))
            return tend_fail(err, TEND_EINVAL, "priority_targets", "must be an object: priority -> targets");
        json_object_foreach((json_t *)pt, key, v) {
            int prio = name_index(ticket_priorities, key);
            char path[64];
            snprintf(path, sizeof(path), "priority_targets.%.20s", key);
            if (prio < 0)
                return tend_fail(err, TEND_EINVAL, path, "is not a priority (low, normal, high, urgent)");
            rc = parse_targets(v, path, p->priority_min[prio], 0, err);
            if (rc)
                return rc;
            for (int m = 0; m < SLA_NMETRICS; m++)
                if (p->priority_min[prio][m] && !p->target_min[m]) {
                    snprintf(path, sizeof(path), "priority_targets.%.20s.%s", key, sla_metric_names[m]);
                    return tend_fail(err, TEND_EINVAL, path, "overrides a target the policy does not set in targets");
                }
        }
    }
    if (rc)
        return rc;
    if (warn && !json_is_null(warn)) {
        if (!json_is_integer(warn) || json_integer_value(warn) < 1 || json_integer_value(warn) > 99)
            return tend_fail(err, TEND_EINVAL, "warning_percent", "must be a share of the target from 1 to 99");
        p->warning_percent = (int)json_integer_value(warn);
    }
    if (esc && !json_is_null(esc)) {
        size_t i;
        if (!json_is_array(esc) || json_array_size(esc) > SLA_MAX_ESCALATIONS)
            return tend_fail(err, TEND_EINVAL, "escalations", "must be a list of at most %d levels", SLA_MAX_ESCALATIONS);
        json_array_foreach(esc, i, v) {
            rc = parse_escalation(v, (int)i, &p->escalations[i], err);
            if (rc)
                return rc;
            if (i > 0 && p->escalations[i].percent <= p->escalations[i - 1].percent) {
                char path[64];
                snprintf(path, sizeof(path), "escalations[%zu].percent", i);
                return tend_fail(err, TEND_EINVAL, path, "must be above the previous level's (levels rise)");
            }
            p->nescalations++;
        }
    }
    return TEND_OK;
}

void
sla_policy_cleanup(struct sla_policy *p)
{
    json_decref(p->conditions);
    p->conditions = NULL;
}

static json_t *
targets_json(const int64_t *minutes, int with_nulls)
{
    json_t *o = json_object();

    for (int m = 0; m < SLA_NMETRICS; m++)
        if (minutes[m])
            json_object_set_new(o, sla_metric_names[m], json_integer(minutes[m]));
        else if (with_nulls)
            json_object_set_new(o, sla_metric_names[m], json_null());
    return o;
}

json_t *
sla_policy_json(const struct sla_policy *p)
{
    json_t *pt = json_object(), *esc = json_array();

    for (int i = 0; i < SLA_NPRIORITIES; i++) {
        json_t *t = targets_json(p->priority_min[i], 0);
        if (json_object_size(t))
            json_object_set_new(pt, ticket_priorities[i], t);
        else
            json_decref(t);
    }
    for (int i = 0; i < p->nescalations; i++) {
        const struct sla_escalation *e = &p->escalations[i];
        json_t *notify = json_array();
        for (int k = 0; notify_names[k]; k++)
            if (e->notify & (1u << k))
                json_array_append_new(notify, json_string(notify_names[k]));
        json_array_append_new(
            esc, json_pack("{s:i,s:i,s:o,s:o,s:o,s:o}", "level", i + 1, "percent", e->percent, "notify", notify,
                           "set_priority", e->set_priority[0] ? json_string(e->set_priority) : json_null(),
                           "assign_group_id", e->assign_group_id ? json_integer(e->assign_group_id) : json_null(),
                           "assign_user_id", e->assign_user_id ? json_integer(e->assign_user_id) : json_null()));
    }
    return json_pack("{s:s,s:I,s:b,s:I,s:O,s:o,s:o,s:i,s:o}", "name", p->name, "position", (json_int_t)p->position,
                     "active", p->active, "calendar_id", (json_int_t)p->calendar_id, "conditions",
                     p->conditions ? p->conditions : json_object(), "targets", targets_json(p->target_min, 1),
                     "priority_targets", pt, "warning_percent", p->warning_percent, "escalations", esc);
}

/* Whether list `values` (absent: anything) holds the text or the id. */
static int
holds(const json_t *values, const char *text, int64_t id)
{
    size_t i;
    json_t *v;

    if (!values)
        return 1;
    json_array_foreach(values, i, v)
        if (text ? json_is_string(v) && strcmp(json_string_value(v), text) == 0 : json_integer_value(v) == id)
            return 1;
    return 0;
}

int
sla_policy_matches(const struct sla_policy *p, const struct sla_subject *s)
{
    const json_t *c = p->conditions;

    if (!p->active)
        return 0;
    if (!c)
        return 1;
    return holds(json_object_get(c, "tier"), s->tier ? s->tier : "", 0) &&
           holds(json_object_get(c, "type"), s->type ? s->type : "", 0) &&
           holds(json_object_get(c, "priority"), s->priority ? s->priority : "", 0) &&
           holds(json_object_get(c, "channel"), s->channel ? s->channel : "", 0) &&
           holds(json_object_get(c, "group_id"), NULL, s->group_id) &&
           holds(json_object_get(c, "organisation_id"), NULL, s->organisation_id);
}

int64_t
sla_policy_target(const struct sla_policy *p, int metric, const char *priority)
{
    int prio = priority ? name_index(ticket_priorities, priority) : -1;

    if (metric < 0 || metric >= SLA_NMETRICS)
        return 0;
    if (prio >= 0 && p->priority_min[prio][metric])
        return p->priority_min[prio][metric];
    return p->target_min[metric];
}

void
sla_policy_levels(const struct sla_policy *p, struct clock_levels *lv)
{
    lv->n = 0;
    lv->percent[lv->n++] = p->warning_percent;
    lv->percent[lv->n++] = 100;
    for (int i = 0; i < p->nescalations && lv->n < SLA_MAX_LEVELS; i++)
        lv->percent[lv->n++] = p->escalations[i].percent;
}
