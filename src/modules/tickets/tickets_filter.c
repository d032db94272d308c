/* tickets_filter.c: list parameters (filters, sort, keyset cursor) parsed and
 * checked into a struct ticket_filter, shared by the list, the counts, the
 * export and saved views. Pure: no SQL, no HTTP. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custom_fields.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "workflow.h"

/* Split a comma list into `out` (pointers into `copy`, which the caller owns). */
static enum tend_rc
split_list(const char *name, char *copy, const char *const *allowed, const char **out, int *n,
           struct tend_err *err)
{
    char *tok, *next;

    *n = 0;
    for (tok = copy; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (!*tok)
            return tend_fail(err, TEND_ESYNTAX, name, "has an empty value in its list");
        if (allowed ? !ticket_value_in(tok, allowed) : !wf_key_valid(tok))
            return tend_fail(err, TEND_ESYNTAX, name, "'%.40s' is not a valid %s", tok, name);
        if (*n == TF_MAX_VALUES)
            return tend_fail(err, TEND_ESYNTAX, name, "at most %d values", TF_MAX_VALUES);
        out[(*n)++] = tok;
    }
    return TEND_OK;
}

static enum tend_rc
id_param(const char *name, const char *v, int64_t me, int none_ok, int64_t *out, struct tend_err *err)
{
    if (none_ok && strcmp(v, "none") == 0) {
        *out = -1;
        return TEND_OK;
    }
    if (me && strcmp(v, "me") == 0) {
        *out = me;
        return TEND_OK;
    }
    if (parse_int64(v, strlen(v), 1, INT64_MAX, out) != 0)
        return tend_fail(err, TEND_ESYNTAX, name, "must be an id%s%s", none_ok ? ", or none" : "",
                         me ? ", or me" : "");
    return TEND_OK;
}

static enum tend_rc
time_param(const char *name, const char *v, int64_t *out, struct tend_err *err)
{
    if (time_parse_rfc3339(v, out) != 0)
        return tend_fail(err, TEND_ESYNTAX, name, "must be an RFC 3339 time like 2026-11-23T09:00:00Z");
    if (*out == 0)
        *out = 1; /* 0 means "not set" */
    return TEND_OK;
}

static const struct custom_field *
field_named(const struct custom_field *fields, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

/* custom.<key>=value: typed by the field's definition so it compares equal to
 * what json_extract returns. */
static enum tend_rc
custom_param(const char *name, const char *v, const struct custom_field *fields, int nfields,
             struct ticket_filter *f, struct tend_err *err)
{
    const struct custom_field *def = field_named(fields, nfields, name + 7);
    struct ticket_custom_filter *c;
    char *end;

    if (!def)
        return tend_fail(err, TEND_ESYNTAX, name, "is not a custom field");
    if (f->ncustom == TICKET_MAX_CUSTOM_FILTERS)
        return tend_fail(err, TEND_ESYNTAX, name, "at most %d custom field filters",
                         TICKET_MAX_CUSTOM_FILTERS);
    c = &f->custom[f->ncustom++];
    snprintf(c->path, sizeof(c->path), "$.%s", def->key);
    c->multi = def->type == CF_MULTI_SELECT;
    c->numeric = cf_type_numeric(def->type);
    c->text = v;
    c->kind = 0;
    if (def->type == CF_SELECT || def->type == CF_MULTI_SELECT) {
        size_t i;
        json_t *o;
        int known = 0;
        json_array_foreach(def->options, i, o)
            known |= strcmp(json_string_value(o), v) == 0;
        if (!known)
            return tend_fail(err, TEND_ESYNTAX, name, "'%.40s' is not one of the field's options", v);
    }
    switch (def->type) {
    case CF_NUMBER:
        c->d = strtod(v, &end);
        if (!*v || *end || !isfinite(c->d))
            return tend_fail(err, TEND_ESYNTAX, name, "must be a number");
        c->kind = 2;
        if (c->d == floor(c->d) && fabs(c->d) < 9e15) {
            c->kind = 1;
            c->i = (int64_t)c->d;
        }
        break;
    case CF_MONEY:
    case CF_USER:
    case CF_ASSET:
        if (parse_int64(v, strlen(v), INT64_MIN + 1, INT64_MAX, &c->i) != 0)
            return tend_fail(err, TEND_ESYNTAX, name, "must be an integer");
        c->kind = 1;
        break;
    case CF_CHECKBOX:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return tend_fail(err, TEND_ESYNTAX, name, "must be true or false");
        c->kind = 1;
        c->i = strcmp(v, "true") == 0;
        break;
    default:
        break;
    }
    return TEND_OK;
}

static enum tend_rc
sort_param(const char *v, const struct custom_field *fields, int nfields, struct ticket_filter *f,
           struct tend_err *err)
{
    f->descending = v[0] == '-';
    if (v[0] == '-' || v[0] == '+')
        v++;
    if (strcmp(v, "id") == 0)
        f->sort = SORT_ID;
    else if (strcmp(v, "created_at") == 0)
        f->sort = SORT_CREATED;
    else if (strcmp(v, "updated_at") == 0)
        f->sort = SORT_UPDATED;
    else if (strcmp(v, "priority") == 0)
        f->sort = SORT_PRIORITY;
    else if (strcmp(v, "sla_due_at") == 0)
        f->sort = SORT_SLA_DUE;
    else if (strncmp(v, "custom.", 7) == 0 && field_named(fields, nfields, v + 7)) {
        f->sort = SORT_CUSTOM;
        snprintf(f->sort_path, sizeof(f->sort_path), "$.%s", v + 7);
        f->sort_numeric = cf_type_numeric(field_named(fields, nfields, v + 7)->type);
    } else
        return tend_fail(err, TEND_ESYNTAX, "sort",
                         "must be id, created_at, updated_at, priority, sla_due_at or custom.<key>, with - "
                         "for descending");
    return TEND_OK;
}

/* The cursor is base64url("t2|sort|dir|kind|id|value"): a cursor of another
 * sort is refused rather than silently misread. */
static enum tend_rc
cursor_param(const char *v, struct ticket_filter *f, struct tend_err *err)
{
    unsigned char raw[400];
    size_t len = 0;
    char text[401], *parts[6], *save = NULL;
    int n = 0;

    if (sodium_base642bin(raw, sizeof(raw) - 1, v, strlen(v), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        goto bad;
    raw[len] = '\0';
    memcpy(text, raw, len + 1);
    for (char *tok = strtok_r(text, "|", &save); tok && n < 6; tok = strtok_r(NULL, "|", &save))
        parts[n++] = tok;
    if (n < 5 || strcmp(parts[0], "t2") != 0 || strtol(parts[1], NULL, 10) != (long)f->sort ||
        strtol(parts[2], NULL, 10) != f->descending)
        goto bad;
    f->after_kind = (int)strtol(parts[3], NULL, 10);
    if (parse_int64(parts[4], strlen(parts[4]), 1, INT64_MAX, &f->after_id) != 0 || f->after_kind < 0 ||
        f->after_kind > 3)
        goto bad;
    if (f->after_kind == 1 && (n < 6 || parse_int64(parts[5], strlen(parts[5]), INT64_MIN + 1,
                                                     INT64_MAX, &f->after_int) != 0))
        goto bad;
    if (f->after_kind == 2)
        f->after_real = n == 6 ? strtod(parts[5], NULL) : 0;
    if (f->after_kind == 0) {
        /* text values are the rest of the cursor after the fifth '|', '|' included */
        const char *value = (const char *)raw;
        for (int bars = 0; bars < 5 && value; bars++) {
            value = strchr(value, '|');
            if (value)
                value++;
        }
        strlcopy(f->after_text, value ? value : "", sizeof(f->after_text));
    }
    return TEND_OK;
bad:
    return tend_fail(err, TEND_ESYNTAX, "cursor", "is not a cursor this server gave out for this sort");
}

static const char *const list_names[] = {"status", "status_category", "priority", "type", "channel", NULL};

enum tend_rc
ticket_filter_parse(const char *const *names, const char *const *values, int n,
                    const struct custom_field *fields, int nfields, int64_t me, int list_only,
                    struct ticket_filter *f, struct tend_err *err)
{
    const char *sort = NULL, *cursor = NULL;
    enum tend_rc rc = TEND_OK;

    memset(f, 0, sizeof(*f));
    f->descending = 1;
    f->limit = TICKET_LIST_DEFAULT;
    for (int i = 0; i < n && rc == TEND_OK; i++) {
        const char *k = names[i], *v = values[i];
        char *copy;
        if (ticket_value_in(k, list_names)) {
            static const char *const *const allowed[] = {NULL, status_categories, ticket_priorities,
                                                         NULL, ticket_channels};
            const char **slots[] = {f->statuses, f->categories, f->priorities, f->types, f->channels};
            int *counts[] = {&f->nstatuses, &f->ncategories, &f->npriorities, &f->ntypes, &f->nchannels};
            int which = 0;
            while (strcmp(list_names[which], k) != 0)
                which++;
            copy = (char *)v; /* the caller's writable copy */
            rc = split_list(k, copy, allowed[which], slots[which], counts[which], err);
        } else if (strcmp(k, "assignee_id") == 0) {
            rc = id_param(k, v, me, 1, &f->assignee_id, err);
        } else if (strcmp(k, "group_id") == 0) {
            rc = id_param(k, v, 0, 1, &f->group_id, err);
        } else if (strcmp(k, "organisation_id") == 0) {
            rc = id_param(k, v, 0, 1, &f->organisation_id, err);
        } else if (strcmp(k, "category_id") == 0) {
            rc = id_param(k, v, 0, 1, &f->category_id, err);
        } else if (strcmp(k, "fault_code_id") == 0) {
            rc = id_param(k, v, 0, 1, &f->fault_code_id, err);
        } else if (strcmp(k, "watcher_id") == 0) {
            rc = id_param(k, v, me, 0, &f->watcher_id, err);
        } else if (strcmp(k, "tag") == 0) {
            /* tags are stored normalised: compare the same way (in the
             * caller's writable copy; the normal form is never longer) */
            char *norm = ticket_tag_normalise(v, strlen(v));
            if (!norm)
                rc = tend_fail(err, TEND_ESYNTAX, k, "is not a valid tag");
            else
                memcpy((char *)v, norm, strlen(norm) + 1);
            free(norm);
            f->tag = v;
        } else if (strcmp(k, "customer_ref") == 0) {
            f->customer_ref = v;
        } else if (strcmp(k, "created_after") == 0) {
            rc = time_param(k, v, &f->created_after, err);
        } else if (strcmp(k, "created_before") == 0) {
            rc = time_param(k, v, &f->created_before, err);
        } else if (strcmp(k, "updated_after") == 0) {
            rc = time_param(k, v, &f->updated_after, err);
        } else if (strcmp(k, "updated_before") == 0) {
            rc = time_param(k, v, &f->updated_before, err);
        } else if (strcmp(k, "sla") == 0) {
            static const char *const states[] = {"", "running", "warning", "breached", "paused", "achieved", "none", NULL};
            f->sla_state = 0;
            for (int s = 1; states[s]; s++)
                if (strcmp(states[s], v) == 0)
                    f->sla_state = s;
            if (!f->sla_state)
                rc = tend_fail(err, TEND_ESYNTAX, k, "must be running, warning, breached, paused, achieved or none");
        } else if (strcmp(k, "sla_due_within") == 0) {
            int64_t minutes;
            if (parse_int64(v, strlen(v), 1, 525600, &minutes) != 0)
                rc = tend_fail(err, TEND_ESYNTAX, k, "must be whole minutes from 1 to 525600 (a year)");
            else
                f->sla_within_ms = minutes * 60000;
        } else if (strncmp(k, "custom.", 7) == 0) {
            rc = custom_param(k, v, fields, nfields, f, err);
        } else if (list_only && strcmp(k, "sort") == 0) {
            sort = v;
        } else if (list_only && strcmp(k, "cursor") == 0) {
            cursor = v;
        } else if (list_only && strcmp(k, "limit") == 0) {
            int64_t lim;
            if (parse_int64(v, strlen(v), 1, TICKET_LIST_MAX, &lim) != 0)
                rc = tend_fail(err, TEND_ESYNTAX, k, "must be an integer from 1 to %d", TICKET_LIST_MAX);
            f->limit = (int)lim;
        } else {
            rc = tend_fail(err, TEND_ESYNTAX, k, "is not a known parameter");
        }
    }
    if (rc == TEND_OK && sort)
        rc = sort_param(sort, fields, nfields, f, err);
    if (rc == TEND_OK && cursor)
        rc = cursor_param(cursor, f, err);
    return rc;
}

void
ticket_filter_cursor(const struct ticket_filter *f, const struct ticket *last, char *out, size_t outlen)
{
    char text[400];
    int kind = 1;
    long long value = 0;

    switch (f->sort) {
    case SORT_ID:
        value = (long long)last->id;
        break;
    case SORT_CREATED:
        value = (long long)last->created_at;
        break;
    case SORT_UPDATED:
        value = (long long)last->updated_at;
        break;
    case SORT_PRIORITY:
        value = ticket_priority_rank(last->priority);
        break;
    case SORT_SLA_DUE:
        value = (long long)(last->sla_due_at ? last->sla_due_at : TICKET_SLA_DUE_NEVER);
        break;
    case SORT_CUSTOM:
        kind = 3;
        break;
    }
    if (kind == 3) {
        json_t *custom = json_loads(last->custom ? last->custom : "{}", 0, NULL);
        json_t *v = custom ? json_object_get(custom, f->sort_path + 2) : NULL;
        if (json_is_integer(v) || json_is_boolean(v))
            snprintf(text, sizeof(text), "t2|%d|%d|1|%lld|%lld", (int)f->sort, f->descending,
                     (long long)last->id, json_is_boolean(v) ? (long long)json_is_true(v)
                                                             : (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(text, sizeof(text), "t2|%d|%d|2|%lld|%.17g", (int)f->sort, f->descending,
                     (long long)last->id, json_real_value(v));
        else if (json_is_string(v))
            snprintf(text, sizeof(text), "t2|%d|%d|0|%lld|%.200s", (int)f->sort, f->descending,
                     (long long)last->id, json_string_value(v));
        else
            snprintf(text, sizeof(text), "t2|%d|%d|3|%lld", (int)f->sort, f->descending,
                     (long long)last->id);
        json_decref(custom);
    } else {
        snprintf(text, sizeof(text), "t2|%d|%d|1|%lld|%lld", (int)f->sort, f->descending,
                 (long long)last->id, value);
    }
    sodium_bin2base64(out, outlen, (const unsigned char *)text, strlen(text),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
