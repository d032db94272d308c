/* custom_fields.c: custom field definitions and value validation. */
#include "custom_fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "workflow.h"

const char *const cf_type_names[] = {"text",   "long_text",    "number",   "money",
                                     "date",   "datetime",     "select",   "multi_select",
                                     "checkbox", "user",       "asset",    NULL};

int
cf_type_numeric(enum cf_type t)
{
    return t == CF_NUMBER || t == CF_MONEY || t == CF_CHECKBOX || t == CF_USER || t == CF_ASSET;
}

void
custom_field_cleanup(struct custom_field *f)
{
    free(f->label);
    json_decref(f->ticket_types);
    json_decref(f->options);
    if (f->pattern)
        regfree(&f->re);
    free(f->pattern);
    json_decref(f->def);
    memset(f, 0, sizeof(*f));
}

static int
type_of(const char *s)
{
    for (int i = 0; cf_type_names[i]; i++)
        if (strcmp(s, cf_type_names[i]) == 0)
            return i;
    return -1;
}

/* Copy `base` into `out` (deep) so an update starts from the stored definition. */
static void
copy_field(const struct custom_field *base, struct custom_field *out)
{
    *out = *base;
    out->label = xstrdup(base->label);
    out->ticket_types = json_deep_copy(base->ticket_types);
    out->options = base->options ? json_deep_copy(base->options) : NULL;
    out->pattern = NULL;
    if (base->pattern) {
        out->pattern = xstrdup(base->pattern);
        regcomp(&out->re, out->pattern, REG_EXTENDED | REG_NOSUB); /* compiled before: cannot fail */
    }
    out->def = base->def ? json_deep_copy(base->def) : NULL;
}

static enum tend_rc
take_string_list(const json_t *v, const char *field, int max, int want_keys, json_t **out,
                 struct tend_err *err)
{
    size_t i;
    json_t *s;

    if (!json_is_array(v) || (int)json_array_size(v) > max)
        return tend_fail(err, TEND_EINVAL, field, "must be a list of at most %d strings", max);
    json_array_foreach(v, i, s) {
        size_t chars;
        if (!json_is_string(s))
            return tend_fail(err, TEND_EINVAL, field, "item %zu must be a string", i);
        chars = utf8_count(json_string_value(s), json_string_length(s));
        if (chars < 1 || chars > 100 || (want_keys && !wf_key_valid(json_string_value(s))))
            return tend_fail(err, TEND_EINVAL, field, "item %zu is not a valid value", i);
        for (size_t j = 0; j < i; j++)
            if (json_equal(s, json_array_get(v, j)))
                return tend_fail(err, TEND_EINVAL, field, "repeats '%.40s'", json_string_value(s));
    }
    json_decref(*out);
    *out = json_deep_copy(v);
    return TEND_OK;
}

static enum tend_rc
take_bound(const json_t *v, const char *field, int *has, double *out, struct tend_err *err)
{
    if (json_is_null(v)) {
        *has = 0;
        return TEND_OK;
    }
    if (!json_is_number(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a number or null");
    *has = 1;
    *out = json_number_value(v);
    return TEND_OK;
}

static enum tend_rc
take_pattern(const json_t *v, struct custom_field *f, struct tend_err *err)
{
    if (f->pattern) {
        regfree(&f->re);
        free(f->pattern);
        f->pattern = NULL;
    }
    if (json_is_null(v))
        return TEND_OK;
    if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 200)
        return tend_fail(err, TEND_EINVAL, "pattern", "must be a regular expression of 1-200 characters");
    if (regcomp(&f->re, json_string_value(v), REG_EXTENDED | REG_NOSUB) != 0)
        return tend_fail(err, TEND_EINVAL, "pattern", "is not a valid POSIX extended regular expression");
    f->pattern = xstrdup(json_string_value(v));
    return TEND_OK;
}

static enum tend_rc
take_member(const char *k, const json_t *v, int create, struct custom_field *f, const json_t **def,
            struct tend_err *err)
{
    if (strcmp(k, "key") == 0) {
        if (!create)
            return json_is_string(v) && strcmp(json_string_value(v), f->key) == 0
                       ? TEND_OK
                       : tend_fail(err, TEND_EINVAL, "key", "cannot be changed");
        if (!json_is_string(v) || !wf_key_valid(json_string_value(v)))
            return tend_fail(err, TEND_EINVAL, "key",
                             "must be 1-40 characters of a-z, 0-9 and _, starting with a letter");
        strlcopy(f->key, json_string_value(v), sizeof(f->key));
    } else if (strcmp(k, "label") == 0) {
        size_t chars = json_is_string(v) ? utf8_count(json_string_value(v), json_string_length(v)) : 0;
        if (chars < 1 || chars > 100)
            return tend_fail(err, TEND_EINVAL, "label", "must be 1 to 100 characters");
        free(f->label);
        f->label = xstrdup(json_string_value(v));
    } else if (strcmp(k, "type") == 0) {
        int t = json_is_string(v) ? type_of(json_string_value(v)) : -1;
        if (t < 0)
            return tend_fail(err, TEND_EINVAL, "type",
                             "must be one of: text, long_text, number, money, date, datetime, "
                             "select, multi_select, checkbox, user, asset");
        if (!create && (enum cf_type)t != f->type)
            return tend_fail(err, TEND_EINVAL, "type", "cannot be changed");
        f->type = (enum cf_type)t;
    } else if (strcmp(k, "ticket_types") == 0) {
        return take_string_list(v, "ticket_types", CF_MAX_TYPES, 1, &f->ticket_types, err);
    } else if (strcmp(k, "options") == 0) {
        return take_string_list(v, "options", CF_MAX_OPTIONS, 0, &f->options, err);
    } else if (strcmp(k, "required") == 0 || strcmp(k, "active") == 0) {
        if (!json_is_boolean(v))
            return tend_fail(err, TEND_EINVAL, k, "must be true or false");
        *(k[0] == 'r' ? &f->required : &f->active) = json_is_true(v);
    } else if (strcmp(k, "min") == 0) {
        return take_bound(v, "min", &f->has_min, &f->min, err);
    } else if (strcmp(k, "max") == 0) {
        return take_bound(v, "max", &f->has_max, &f->max, err);
    } else if (strcmp(k, "pattern") == 0) {
        return take_pattern(v, f, err);
    } else if (strcmp(k, "default") == 0) {
        *def = v;
    } else if (strcmp(k, "currency") == 0) {
        const char *c = json_is_string(v) ? json_string_value(v) : "";
        if (json_is_null(v)) {
            f->currency[0] = '\0';
            return TEND_OK;
        }
        if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] < 'A' ||
            c[2] > 'Z')
            return tend_fail(err, TEND_EINVAL, "currency", "must be an ISO 4217 code such as CNY");
        strlcopy(f->currency, c, sizeof(f->currency));
    } else if (strcmp(k, "position") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
            return tend_fail(err, TEND_EINVAL, "position", "must be an integer from 0 to 100000");
        f->position = (int)json_integer_value(v);
    } else if (strcmp(k, "id") != 0) {
        return tend_fail(err, TEND_EINVAL, k, "is not a known field");
    }
    return TEND_OK;
}

/* Cross-field rules once every member is read. */
static enum tend_rc
check_definition(struct custom_field *f, const json_t *def, struct tend_err *err)
{
    int choice = f->type == CF_SELECT || f->type == CF_MULTI_SELECT;

    if (!f->key[0])
        return tend_fail(err, TEND_EINVAL, "key", "is required");
    if (!f->label)
        return tend_fail(err, TEND_EINVAL, "label", "is required");
    if (choice && (!f->options || json_array_size(f->options) == 0))
        return tend_fail(err, TEND_EINVAL, "options", "a %s field needs at least one option",
                         cf_type_names[f->type]);
    if (!choice && f->options && json_array_size(f->options) > 0)
        return tend_fail(err, TEND_EINVAL, "options", "only select and multi_select fields have options");
    if ((f->has_min || f->has_max) && f->type != CF_NUMBER && f->type != CF_MONEY)
        return tend_fail(err, TEND_EINVAL, f->has_min ? "min" : "max",
                         "only number and money fields have a range");
    if (f->has_min && f->has_max && f->min > f->max)
        return tend_fail(err, TEND_EINVAL, "min", "is greater than max");
    if (f->type == CF_MONEY && ((f->has_min && f->min != floor(f->min)) || (f->has_max && f->max != floor(f->max))))
        return tend_fail(err, TEND_EINVAL, f->has_min && f->min != floor(f->min) ? "min" : "max",
                         "must be a whole number of minor units");
    if (f->pattern && f->type != CF_TEXT)
        return tend_fail(err, TEND_EINVAL, "pattern", "only text fields have a pattern");
    if (f->type == CF_MONEY && !f->currency[0])
        return tend_fail(err, TEND_EINVAL, "currency", "a money field needs a currency");
    if (def) {
        json_t *norm = NULL;
        json_decref(f->def);
        f->def = NULL;
        if (json_is_null(def))
            return TEND_OK;
        if (custom_value_check(f, def, &norm, err)) {
            char msg[256];
            strlcopy(msg, err->message, sizeof(msg));
            return tend_fail(err, TEND_EINVAL, "default", "is not a valid value: %s", msg);
        }
        f->def = norm;
    } else if (f->def) {
        /* the default stays: it must still pass the changed rules */
        json_t *norm = NULL;
        if (custom_value_check(f, f->def, &norm, err)) {
            char msg[256];
            strlcopy(msg, err->message, sizeof(msg));
            return tend_fail(err, TEND_EINVAL, "default", "would no longer be valid: %s", msg);
        }
        json_decref(norm);
    }
    return TEND_OK;
}

enum tend_rc
custom_field_parse(const json_t *body, const struct custom_field *base, struct custom_field *out,
                   struct tend_err *err)
{
    const json_t *def = NULL;
    const char *k;
    json_t *v;
    enum tend_rc rc = TEND_OK;

    if (base) {
        copy_field(base, out);
    } else {
        memset(out, 0, sizeof(*out));
        out->type = CF_TEXT;
        out->active = 1;
        out->ticket_types = json_array();
    }
    if (!json_is_object(body)) {
        rc = tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    } else {
        if (!base && !json_object_get(body, "type"))
            rc = tend_fail(err, TEND_EINVAL, "type", "is required");
        json_object_foreach((json_t *)body, k, v) {
            if (rc)
                break;
            rc = take_member(k, v, base == NULL, out, &def, err);
        }
    }
    if (rc == TEND_OK)
        rc = check_definition(out, def, err);
    if (rc)
        custom_field_cleanup(out);
    return rc;
}

json_t *
custom_field_json(const struct custom_field *f, int full)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:O,s:b,s:o,s:o,s:o,s:o,s:O,s:o,s:i}", "key", f->key, "label",
                          f->label, "type", cf_type_names[f->type], "ticket_types", f->ticket_types,
                          "required", f->required,
                          "options", f->options ? json_deep_copy(f->options) : json_array(), "min",
                          f->has_min ? json_real(f->min) : json_null(), "max",
                          f->has_max ? json_real(f->max) : json_null(), "pattern",
                          f->pattern ? json_string(f->pattern) : json_null(), "default",
                          f->def ? f->def : json_null(), "currency",
                          f->currency[0] ? json_string(f->currency) : json_null(), "position",
                          f->position);
    /* integral bounds read back as integers */
    if (f->has_min && f->min == floor(f->min) && fabs(f->min) < 9e15)
        json_object_set_new(o, "min", json_integer((json_int_t)f->min));
    if (f->has_max && f->max == floor(f->max) && fabs(f->max) < 9e15)
        json_object_set_new(o, "max", json_integer((json_int_t)f->max));
    if (full) {
        json_object_set_new(o, "id", json_integer(f->id));
        json_object_set_new(o, "active", json_boolean(f->active));
    }
    return o;
}

int
custom_field_applies(const struct custom_field *f, const char *type_key)
{
    size_t i;
    json_t *t;

    if (!f->ticket_types || json_array_size(f->ticket_types) == 0)
        return 1;
    json_array_foreach(f->ticket_types, i, t)
        if (strcmp(json_string_value(t), type_key) == 0)
            return 1;
    return 0;
}

static int
option_known(const struct custom_field *f, const json_t *v)
{
    size_t i;
    json_t *o;

    json_array_foreach(f->options, i, o)
        if (json_equal(o, v))
            return 1;
    return 0;
}

static enum tend_rc
check_range(const struct custom_field *f, double x, const char *field, struct tend_err *err)
{
    if (f->has_min && x < f->min)
        return tend_fail(err, TEND_EINVAL, field, "must be at least %g", f->min);
    if (f->has_max && x > f->max)
        return tend_fail(err, TEND_EINVAL, field, "must be at most %g", f->max);
    return TEND_OK;
}

static int
valid_date(const char *s)
{
    int y, m, d;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static enum tend_rc
check_text(const struct custom_field *f, const json_t *v, const char *field, json_t **norm,
           struct tend_err *err)
{
    const char *s = json_string_value(v);

    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a string");
    if (f->type == CF_LONG_TEXT) {
        if (json_string_length(v) > CF_LONG_TEXT_MAX_BYTES)
            return tend_fail(err, TEND_EINVAL, field, "must be at most %d bytes", CF_LONG_TEXT_MAX_BYTES);
    } else if (utf8_count(s, json_string_length(v)) > CF_TEXT_MAX_CHARS) {
        return tend_fail(err, TEND_EINVAL, field, "must be at most %d characters", CF_TEXT_MAX_CHARS);
    }
    if (f->pattern && regexec(&f->re, s, 0, NULL, 0) != 0)
        return tend_fail(err, TEND_EINVAL, field, "does not match the pattern %.100s", f->pattern);
    *norm = json_incref((json_t *)v);
    return TEND_OK;
}

static enum tend_rc
check_multi(const struct custom_field *f, const json_t *v, const char *field, json_t **norm,
            struct tend_err *err)
{
    size_t i;
    json_t *o;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a list of options");
    json_array_foreach(v, i, o) {
        if (!json_is_string(o) || !option_known(f, o))
            return tend_fail(err, TEND_EINVAL, field, "item %zu is not one of the options", i);
        for (size_t j = 0; j < i; j++)
            if (json_equal(o, json_array_get(v, j)))
                return tend_fail(err, TEND_EINVAL, field, "repeats '%.40s'", json_string_value(o));
    }
    *norm = json_incref((json_t *)v);
    return TEND_OK;
}

enum tend_rc
custom_value_check(const struct custom_field *f, const json_t *v, json_t **norm, struct tend_err *err)
{
    char field[64];
    int64_t ms;

    *norm = NULL;
    snprintf(field, sizeof(field), "custom.%s", f->key);
    switch (f->type) {
    case CF_TEXT:
    case CF_LONG_TEXT:
        return check_text(f, v, field, norm, err);
    case CF_NUMBER:
        if (!json_is_number(v))
            return tend_fail(err, TEND_EINVAL, field, "must be a number");
        if (check_range(f, json_number_value(v), field, err))
            return TEND_EINVAL;
        break;
    case CF_MONEY:
        if (!json_is_integer(v))
            return tend_fail(err, TEND_EINVAL, field, "must be an integer amount in minor units of %s",
                             f->currency);
        if (check_range(f, (double)json_integer_value(v), field, err))
            return TEND_EINVAL;
        break;
    case CF_DATE:
        if (!json_is_string(v) || !valid_date(json_string_value(v)))
            return tend_fail(err, TEND_EINVAL, field, "must be a date like 2026-11-23");
        break;
    case CF_DATETIME: {
        char out[40];
        if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &ms) != 0)
            return tend_fail(err, TEND_EINVAL, field, "must be an RFC 3339 time like 2026-11-23T09:00:00Z");
        time_format_rfc3339(ms, out, sizeof(out));
        *norm = json_string(out);
        return TEND_OK;
    }
    case CF_SELECT:
        if (!json_is_string(v) || !option_known(f, v))
            return tend_fail(err, TEND_EINVAL, field, "must be one of the options");
        break;
    case CF_MULTI_SELECT:
        return check_multi(f, v, field, norm, err);
    case CF_CHECKBOX:
        if (!json_is_boolean(v))
            return tend_fail(err, TEND_EINVAL, field, "must be true or false");
        break;
    case CF_USER:
    case CF_ASSET:
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return tend_fail(err, TEND_EINVAL, field, "must be an id");
        break;
    }
    *norm = json_incref((json_t *)v);
    return TEND_OK;
}

static const struct custom_field *
find_field(const struct custom_field *fields, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

enum tend_rc
custom_values_apply(const struct custom_field *fields, int nfields, const char *type_key,
                    json_t *values, const json_t *patch, int create, struct tend_err *err)
{
    const char *k;
    json_t *v;

    if (!json_is_object(patch))
        return tend_fail(err, TEND_EINVAL, "custom", "must be an object of custom field values");
    if (create)
        for (int i = 0; i < nfields; i++)
            if (fields[i].def && custom_field_applies(&fields[i], type_key))
                json_object_set(values, fields[i].key, fields[i].def);
    json_object_foreach((json_t *)patch, k, v) {
        const struct custom_field *f = find_field(fields, nfields, k);
        char field[64];
        json_t *norm;

        snprintf(field, sizeof(field), "custom.%.40s", k);
        if (!f)
            return tend_fail(err, TEND_EINVAL, field, "is not a custom field");
        if (!custom_field_applies(f, type_key))
            return tend_fail(err, TEND_EINVAL, field, "does not apply to %s tickets", type_key);
        if (json_is_null(v)) {
            json_object_del(values, k);
            continue;
        }
        if (custom_value_check(f, v, &norm, err))
            return TEND_EINVAL;
        json_object_set_new(values, k, norm);
    }
    for (int i = 0; i < nfields; i++) {
        const struct custom_field *f = &fields[i];
        const json_t *have = json_object_get(values, f->key);
        if (f->required && custom_field_applies(f, type_key) &&
            (!have || (json_is_string(have) && json_string_length(have) == 0) ||
             (json_is_array(have) && json_array_size(have) == 0))) {
            char field[64];
            snprintf(field, sizeof(field), "custom.%s", f->key);
            /* an update only fails on what it touches or empties: old tickets
             * stay editable when a field becomes required later */
            if (create || json_object_get(patch, f->key))
                return tend_fail(err, TEND_EINVAL, field, "is required");
        }
    }
    return TEND_OK;
}
