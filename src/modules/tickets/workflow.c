/* workflow.c: parsing and validating workflow definitions, and the look-ups a
 * transition needs. No SQL, no HTTP: the store loads the JSON, this checks it. */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/users/users.h"
#include "platform/util/util.h"

const char *const status_categories[] = {"new", "open", "pending", "resolved", "closed", NULL};

const char *const wf_requirable[] = {"assignee_id", "group_id",        "category_id",
                                     "fault_code_id", "resolution_code", "resolution",
                                     "organisation_id", NULL};

#define CLOSED_CATEGORY 4

int
wf_key_valid(const char *key)
{
    size_t len = strlen(key);

    if (len < 1 || len > WF_KEY_MAX || key[0] < 'a' || key[0] > 'z')
        return 0;
    for (size_t i = 1; i < len; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int
index_of(const char *s, const char *const *values)
{
    for (int i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return i;
    return -1;
}

void
workflow_cleanup(struct workflow *wf)
{
    for (int i = 0; i < wf->nstatuses; i++)
        free(wf->statuses[i].name);
    for (int i = 0; i < wf->ntransitions; i++) {
        free(wf->transitions[i].name);
        for (int j = 0; j < wf->transitions[i].nrequires; j++)
            free(wf->transitions[i].requires[j]);
    }
    free(wf->statuses);
    free(wf->transitions);
    free(wf->name);
    wf->statuses = NULL;
    wf->transitions = NULL;
    wf->name = NULL;
    wf->nstatuses = wf->ntransitions = 0;
}

int
workflow_status_index(const struct workflow *wf, const char *key)
{
    for (int i = 0; i < wf->nstatuses; i++)
        if (strcmp(wf->statuses[i].key, key) == 0)
            return i;
    return -1;
}

int
workflow_closed_status(const struct workflow *wf)
{
    for (int i = 0; i < wf->nstatuses; i++)
        if (wf->statuses[i].category == CLOSED_CATEGORY)
            return i;
    return -1;
}

/* A display name: 1-80 characters of text. */
static enum tend_rc
take_name(const json_t *v, const char *field, char **out, struct tend_err *err)
{
    size_t chars;

    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a string");
    chars = utf8_count(json_string_value(v), json_string_length(v));
    if (chars < 1 || chars > 80)
        return tend_fail(err, TEND_EINVAL, field, "must be 1 to 80 characters");
    *out = xstrdup(json_string_value(v));
    return TEND_OK;
}

static enum tend_rc
parse_status(const json_t *v, int i, struct workflow *wf, struct tend_err *err)
{
    struct wf_status *s = &wf->statuses[i];
    char field[64];
    const char *k;
    json_t *m;

    snprintf(field, sizeof(field), "statuses[%d]", i);
    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, field, "must be an object {key, name, category, pauses_sla}");
    json_object_foreach((json_t *)v, k, m) {
        snprintf(field, sizeof(field), "statuses[%d].%.20s", i, k);
        if (strcmp(k, "key") == 0) {
            if (!json_is_string(m) || !wf_key_valid(json_string_value(m)))
                return tend_fail(err, TEND_EINVAL, field,
                                 "must be 1-40 characters of a-z, 0-9 and _, starting with a letter");
            strlcopy(s->key, json_string_value(m), sizeof(s->key));
        } else if (strcmp(k, "name") == 0) {
            if (take_name(m, field, &s->name, err))
                return TEND_EINVAL;
        } else if (strcmp(k, "category") == 0) {
            s->category = json_is_string(m) ? index_of(json_string_value(m), status_categories) : -1;
            if (s->category < 0)
                return tend_fail(err, TEND_EINVAL, field,
                                 "must be one of: new, open, pending, resolved, closed");
        } else if (strcmp(k, "pauses_sla") == 0) {
            if (!json_is_boolean(m))
                return tend_fail(err, TEND_EINVAL, field, "must be true or false");
            s->pauses_sla = json_is_true(m);
        } else {
            return tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
    }
    snprintf(field, sizeof(field), "statuses[%d]", i);
    if (!s->key[0])
        return tend_fail(err, TEND_EINVAL, field, "needs a key");
    if (!s->name)
        s->name = xstrdup(s->key);
    if (s->category < 0)
        return tend_fail(err, TEND_EINVAL, field, "needs a category");
    for (int j = 0; j < i; j++)
        if (strcmp(wf->statuses[j].key, s->key) == 0)
            return tend_fail(err, TEND_EINVAL, field, "repeats the key '%s'", s->key);
    return TEND_OK;
}

static enum tend_rc
parse_roles(const json_t *v, const char *field, unsigned *roles, struct tend_err *err)
{
    size_t i;
    json_t *r;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a list of roles ([] for anyone)");
    json_array_foreach(v, i, r) {
        int bit = json_is_string(r) ? index_of(json_string_value(r), user_roles) : -1;
        if (bit < 0)
            return tend_fail(err, TEND_EINVAL, field, "'%.40s' is not a role",
                             json_is_string(r) ? json_string_value(r) : "?");
        *roles |= 1u << bit;
    }
    return TEND_OK;
}

/* A field a transition may require: a standard one or custom.<key>. */
static int
requirable(const char *s)
{
    if (index_of(s, wf_requirable) >= 0)
        return 1;
    return strncmp(s, "custom.", 7) == 0 && wf_key_valid(s + 7);
}

static enum tend_rc
parse_requires(const json_t *v, const char *field, struct wf_transition *t, struct tend_err *err)
{
    size_t i;
    json_t *r;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a list of field names");
    if (json_array_size(v) > WF_MAX_REQUIRES)
        return tend_fail(err, TEND_EINVAL, field, "at most %d fields", WF_MAX_REQUIRES);
    json_array_foreach(v, i, r) {
        if (!json_is_string(r) || !requirable(json_string_value(r)))
            return tend_fail(err, TEND_EINVAL, field,
                             "'%.40s' cannot be required (assignee_id, group_id, category_id, "
                             "fault_code_id, resolution_code, resolution, organisation_id or "
                             "custom.<key>)",
                             json_is_string(r) ? json_string_value(r) : "?");
        t->requires[t->nrequires++] = xstrdup(json_string_value(r));
    }
    return TEND_OK;
}

static enum tend_rc
parse_endpoint(const json_t *v, const char *field, const struct workflow *wf, int any_ok, int *out,
               struct tend_err *err)
{
    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a status key");
    if (any_ok && strcmp(json_string_value(v), "*") == 0) {
        *out = -1;
        return TEND_OK;
    }
    *out = workflow_status_index(wf, json_string_value(v));
    if (*out < 0)
        return tend_fail(err, TEND_EINVAL, field, "'%.40s' is not a status of this workflow",
                         json_string_value(v));
    return TEND_OK;
}

static enum tend_rc
parse_transition(const json_t *v, int i, struct workflow *wf, struct tend_err *err)
{
    struct wf_transition *t = &wf->transitions[i];
    int have_from = 0, have_to = 0;
    char field[64];
    const char *k;
    json_t *m;
    enum tend_rc rc = TEND_OK;

    snprintf(field, sizeof(field), "transitions[%d]", i);
    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, field, "must be an object {from, to, name, roles, requires}");
    json_object_foreach((json_t *)v, k, m) {
        snprintf(field, sizeof(field), "transitions[%d].%.20s", i, k);
        if (strcmp(k, "from") == 0) {
            rc = parse_endpoint(m, field, wf, 1, &t->from, err);
            have_from = 1;
        } else if (strcmp(k, "to") == 0) {
            rc = parse_endpoint(m, field, wf, 0, &t->to, err);
            have_to = 1;
        } else if (strcmp(k, "name") == 0) {
            rc = take_name(m, field, &t->name, err);
        } else if (strcmp(k, "roles") == 0) {
            rc = parse_roles(m, field, &t->roles, err);
        } else if (strcmp(k, "requires") == 0) {
            rc = parse_requires(m, field, t, err);
        } else {
            rc = tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
        if (rc)
            return rc;
    }
    snprintf(field, sizeof(field), "transitions[%d]", i);
    if (!have_from || !have_to)
        return tend_fail(err, TEND_EINVAL, field, "needs from and to");
    if (t->from == t->to)
        return tend_fail(err, TEND_EINVAL, field, "goes from a status to itself");
    if (!t->name)
        t->name = xstrdup(wf->statuses[t->to].name);
    for (int j = 0; j < i; j++)
        if (wf->transitions[j].from == t->from && wf->transitions[j].to == t->to)
            return tend_fail(err, TEND_EINVAL, field, "repeats transitions[%d]", j);
    return TEND_OK;
}

static enum tend_rc
parse_all(const json_t *def, struct workflow *wf, struct tend_err *err)
{
    const json_t *statuses = json_object_get(def, "statuses");
    const json_t *transitions = json_object_get(def, "transitions");
    const json_t *initial = json_object_get(def, "initial");
    size_t n;
    enum tend_rc rc;

    if (!json_is_array(statuses) || json_array_size(statuses) < 1 ||
        json_array_size(statuses) > WF_MAX_STATUSES)
        return tend_fail(err, TEND_EINVAL, "statuses", "must be a list of 1 to %d statuses",
                         WF_MAX_STATUSES);
    if (!json_is_array(transitions) || json_array_size(transitions) > WF_MAX_TRANSITIONS)
        return tend_fail(err, TEND_EINVAL, "transitions", "must be a list of at most %d transitions",
                         WF_MAX_TRANSITIONS);
    n = json_array_size(statuses);
    wf->statuses = xcalloc(n, sizeof(*wf->statuses));
    for (size_t i = 0; i < n; i++) {
        wf->statuses[i].category = -1;
        wf->nstatuses = (int)i + 1;
        rc = parse_status(json_array_get(statuses, i), (int)i, wf, err);
        if (rc)
            return rc;
    }
    if (workflow_closed_status(wf) < 0)
        return tend_fail(err, TEND_EINVAL, "statuses", "needs at least one status of category closed");
    if (!json_is_string(initial) || (wf->initial = workflow_status_index(wf, json_string_value(initial))) < 0)
        return tend_fail(err, TEND_EINVAL, "initial", "must be the key of one of the statuses");
    if (wf->statuses[wf->initial].category == CLOSED_CATEGORY)
        return tend_fail(err, TEND_EINVAL, "initial", "cannot be a closed status");
    n = json_array_size(transitions);
    wf->transitions = xcalloc(n ? n : 1, sizeof(*wf->transitions));
    for (size_t i = 0; i < n; i++) {
        wf->ntransitions = (int)i + 1;
        rc = parse_transition(json_array_get(transitions, i), (int)i, wf, err);
        if (rc)
            return rc;
    }
    return TEND_OK;
}

enum tend_rc
workflow_parse(const json_t *def, struct workflow *wf, struct tend_err *err)
{
    const char *k;
    json_t *v;
    enum tend_rc rc;

    wf->statuses = NULL;
    wf->transitions = NULL;
    wf->nstatuses = wf->ntransitions = 0;
    wf->initial = 0;
    if (!json_is_object(def))
        return tend_fail(err, TEND_EINVAL, "", "a workflow must be an object {initial, statuses, transitions}");
    json_object_foreach((json_t *)def, k, v) {
        if (strcmp(k, "initial") != 0 && strcmp(k, "statuses") != 0 && strcmp(k, "transitions") != 0)
            return tend_fail(err, TEND_EINVAL, k, "is not a known field");
    }
    rc = parse_all(def, wf, err);
    if (rc) {
        char *name = wf->name;
        wf->name = NULL;
        workflow_cleanup(wf);
        wf->name = name; /* the caller's */
    }
    return rc;
}

json_t *
workflow_definition_json(const struct workflow *wf)
{
    json_t *statuses = json_array(), *transitions = json_array();

    for (int i = 0; i < wf->nstatuses; i++) {
        const struct wf_status *s = &wf->statuses[i];
        json_array_append_new(statuses, json_pack("{s:s,s:s,s:s,s:b}", "key", s->key, "name", s->name,
                                                  "category", status_categories[s->category],
                                                  "pauses_sla", s->pauses_sla));
    }
    for (int i = 0; i < wf->ntransitions; i++) {
        const struct wf_transition *t = &wf->transitions[i];
        json_t *requires = json_array();
        for (int j = 0; j < t->nrequires; j++)
            json_array_append_new(requires, json_string(t->requires[j]));
        json_array_append_new(
            transitions,
            json_pack("{s:s,s:s,s:s,s:o,s:o}", "from", t->from < 0 ? "*" : wf->statuses[t->from].key,
                      "to", wf->statuses[t->to].key, "name", t->name, "roles", user_roles_json(t->roles),
                      "requires", requires));
    }
    return json_pack("{s:s,s:o,s:o}", "initial", wf->statuses[wf->initial].key, "statuses", statuses,
                     "transitions", transitions);
}

const struct wf_transition *
workflow_transition(const struct workflow *wf, int from, int to, unsigned roles, int *role_denied)
{
    const struct wf_transition *any = NULL;

    *role_denied = 0;
    for (int i = 0; i < wf->ntransitions; i++) {
        const struct wf_transition *t = &wf->transitions[i];
        if (t->to != to || (t->from != from && t->from != -1) || from == to)
            continue;
        if (t->roles && !(t->roles & roles)) {
            *role_denied = 1;
            continue;
        }
        if (t->from == from)
            return t; /* an explicit transition wins over "*" */
        any = t;
    }
    if (any)
        *role_denied = 0;
    return any;
}
