/* rules_eval.c: a pass over the ordered rules on an in-memory ticket view
 * (rules.h): firing rules' actions change the view before the next rule,
 * stop_processing ends the pass, each rule fires at most once; and the
 * difference between two views as events and as a ticket change. Pure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "platform/util/util.h"
#include "rules.h"

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
        int rank = expr_index_in(v->x.priority, expr_priorities);
        if (rank >= 0 && expr_priorities[rank + 1])
            strlcopy(v->x.priority, expr_priorities[rank + 1], sizeof(v->x.priority));
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
