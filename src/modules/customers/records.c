/* records.c: validating records described as data (struct rec_kind): JSON
 * bodies, spreadsheet cells, list parameters. Pure: no database, no clock. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "modules/users/users.h"
#include "platform/http/api.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

const struct rec_field *
rec_field_of(const struct rec_kind *k, const char *name)
{
    for (int i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return &k->fields[i];
    return NULL;
}

int
rec_date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, leap;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || parse_digits(s, 4, &y) || parse_digits(s + 5, 2, &m) ||
        parse_digits(s + 8, 2, &d))
        return 0;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

void
rec_phone_norm(const char *phone, char *out, size_t outlen)
{
    size_t n = 0;

    for (const char *p = phone; p && *p && n + 1 < outlen; p++)
        if (*p >= '0' && *p <= '9')
            out[n++] = *p;
    out[n] = '\0';
}

static int
email_valid(const char *s)
{
    const char *at = strchr(s, '@');

    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' || s[strlen(s) - 1] == '.')
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ')
            return 0;
    return 1;
}

static int
in_list(const char *s, const char *const *values)
{
    for (int i = 0; values && values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return 1;
    return 0;
}

static void
join_values(const char *const *values, char *out, size_t outlen)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; values && values[i] && used < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", values[i]);
}

/* A text value: valid UTF-8 (jansson's), no control characters but tab and
 * newlines, at most f->max characters. */
static enum tend_rc
check_text(const struct rec_field *f, const char *s, size_t len, struct tend_err *err)
{
    if (utf8_count(s, len) > (size_t)f->max)
        return tend_fail(err, TEND_EINVAL, f->name, "must be at most %d characters", (int)f->max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return tend_fail(err, TEND_EINVAL, f->name, "must not contain control characters");
    }
    if ((f->flags & RF_REQUIRED) && len == 0)
        return tend_fail(err, TEND_EINVAL, f->name, "must not be empty");
    if ((f->flags & RF_EMAIL) && len && !email_valid(s))
        return tend_fail(err, TEND_EINVAL, f->name, "must be an e-mail address like name@example.com");
    if (f->flags & RF_PHONE) {
        char digits[64];
        rec_phone_norm(s, digits, sizeof(digits));
        if (len && (strlen(digits) < 5 || strspn(s, "0123456789+-() .") != len))
            return tend_fail(err, TEND_EINVAL, f->name, "must be a phone number: digits, spaces, + - ( ) and .");
    }
    return TEND_OK;
}

static enum tend_rc
check_custom(const struct rec_field *f, const json_t *v, struct tend_err *err)
{
    const char *key;
    json_t *m;

    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, f->name, "must be an object of custom values");
    if (json_object_size(v) > CUSTOM_MAX_MEMBERS)
        return tend_fail(err, TEND_EINVAL, f->name, "may hold at most %d values", CUSTOM_MAX_MEMBERS);
    json_object_foreach((json_t *)v, key, m) {
        char field[96];
        snprintf(field, sizeof(field), "%s.%.64s", f->name, key);
        if (strlen(key) == 0 || strlen(key) > 64)
            return tend_fail(err, TEND_EINVAL, f->name, "keys must be 1 to 64 characters");
        if (json_is_object(m) || json_is_array(m))
            return tend_fail(err, TEND_EINVAL, field, "must be a string, number, boolean or null");
        if (json_is_string(m) && utf8_count(json_string_value(m), json_string_length(m)) > 1000)
            return tend_fail(err, TEND_EINVAL, field, "must be at most 1000 characters");
    }
    return TEND_OK;
}

static enum tend_rc
check_list(const struct rec_field *f, const json_t *v, struct tend_err *err)
{
    size_t i;
    json_t *item;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, f->name, f->type == RT_IDSET ? "must be an array of ids"
                                                                        : "must be an array of strings");
    if (json_array_size(v) > (size_t)f->max)
        return tend_fail(err, TEND_EINVAL, f->name, "may hold at most %d items", (int)f->max);
    json_array_foreach(v, i, item) {
        char field[80];
        snprintf(field, sizeof(field), "%s[%zu]", f->name, i);
        if (f->type == RT_IDSET) {
            if (!json_is_integer(item) || json_integer_value(item) < 1)
                return tend_fail(err, TEND_EINVAL, field, "must be a positive integer id");
            for (size_t j = 0; j < i; j++)
                if (json_integer_value(json_array_get(v, j)) == json_integer_value(item))
                    return tend_fail(err, TEND_EINVAL, field, "is listed twice");
        } else if (!json_is_string(item) || json_string_length(item) == 0 ||
                   utf8_count(json_string_value(item), json_string_length(item)) > 64 ||
                   strchr(json_string_value(item), ';')) {
            return tend_fail(err, TEND_EINVAL, field, "must be a string of 1 to 64 characters without ';'");
        }
    }
    return TEND_OK;
}

/* Check one value (not null) of field `f`. */
static enum tend_rc
check_value(const struct rec_field *f, const json_t *v, struct tend_err *err)
{
    char allowed[256];

    switch (f->type) {
    case RT_TEXT:
        if (!json_is_string(v))
            return tend_fail(err, TEND_EINVAL, f->name, "must be a string");
        return check_text(f, json_string_value(v), json_string_length(v), err);
    case RT_ENUM:
        if (!json_is_string(v) || !in_list(json_string_value(v), f->values)) {
            join_values(f->values, allowed, sizeof(allowed));
            return tend_fail(err, TEND_EINVAL, f->name, "must be one of %s", allowed);
        }
        return TEND_OK;
    case RT_INT:
        if (!json_is_integer(v) || (double)json_integer_value(v) < f->min ||
            (double)json_integer_value(v) > f->max)
            return tend_fail(err, TEND_EINVAL, f->name, "must be an integer from %.0f to %.0f", f->min, f->max);
        return TEND_OK;
    case RT_REAL:
        if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < f->min ||
            json_number_value(v) > f->max)
            return tend_fail(err, TEND_EINVAL, f->name, "must be a number from %g to %g", f->min, f->max);
        return TEND_OK;
    case RT_BOOL:
        if (!json_is_boolean(v))
            return tend_fail(err, TEND_EINVAL, f->name, "must be true or false");
        return TEND_OK;
    case RT_REF:
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return tend_fail(err, TEND_EINVAL, f->name, "must be the id of a %s, or null", f->ref);
        return TEND_OK;
    case RT_DATE:
        if (!json_is_string(v) || !rec_date_valid(json_string_value(v)))
            return tend_fail(err, TEND_EINVAL, f->name, "must be a date YYYY-MM-DD");
        return TEND_OK;
    case RT_CUSTOM:
        return check_custom(f, v, err);
    case RT_STRLIST:
    case RT_IDSET:
        return check_list(f, v, err);
    }
    return tend_fail(err, TEND_EINTERNAL, f->name, "unknown field type");
}

/* The default of `f` as JSON (null when it has none). */
static json_t *
default_of(const struct rec_field *f)
{
    if (!f->dflt)
        return json_null();
    switch (f->type) {
    case RT_INT:
        return json_integer(strtoll(f->dflt, NULL, 10));
    case RT_BOOL:
        return json_boolean(strcmp(f->dflt, "1") == 0);
    case RT_CUSTOM:
        return json_object();
    case RT_STRLIST:
    case RT_IDSET:
        return json_array();
    default:
        return json_string(f->dflt);
    }
}

static int
ignored(const char *key, const char *const *ignore)
{
    return ignore && in_list(key, ignore);
}

enum tend_rc
rec_validate(const struct rec_kind *k, const json_t *body, int create, const char *const *ignore, json_t **out,
             struct tend_err *err)
{
    json_t *rec, *v;
    const char *key;

    *out = NULL;
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (!rec_field_of(k, key) && !ignored(key, ignore))
            return tend_fail(err, TEND_EINVAL, key, "is not a field of %s", k->table);
    }
    rec = json_object();
    for (int i = 0; i < k->nfields; i++) {
        const struct rec_field *f = &k->fields[i];
        enum tend_rc rc;
        v = json_object_get(body, f->name);
        if (!v) {
            if (!create)
                continue;
            if (f->flags & RF_REQUIRED) {
                json_decref(rec);
                return tend_fail(err, TEND_EINVAL, f->name, "is required");
            }
            json_object_set_new(rec, f->name, default_of(f));
            continue;
        }
        if (json_is_null(v)) {
            if ((f->flags & RF_REQUIRED) || (f->dflt && f->type != RT_TEXT)) {
                json_decref(rec);
                return tend_fail(err, TEND_EINVAL, f->name, "must not be null");
            }
            json_object_set_new(rec, f->name, default_of(f));
            continue;
        }
        rc = check_value(f, v, err);
        if (rc) {
            json_decref(rec);
            return rc;
        }
        json_object_set(rec, f->name, v);
    }
    *out = rec;
    return TEND_OK;
}

/* --- spreadsheet cells ---------------------------------------------------- */

static enum tend_rc
number_from_text(const struct rec_field *f, const char *text, json_t **out, struct tend_err *err)
{
    char *end;
    double d = strtod(text, &end);

    while (*end == ' ')
        end++;
    if (end == text || *end || !isfinite(d))
        return tend_fail(err, TEND_EINVAL, f->name, "must be a number");
    if (f->type == RT_REAL) {
        *out = json_real(d);
        return TEND_OK;
    }
    /* spreadsheets write integers as 12 or 12.0 */
    if (d != floor(d) || fabs(d) > 9.0e15)
        return tend_fail(err, TEND_EINVAL, f->name, "must be a whole number");
    *out = json_integer((json_int_t)d);
    return TEND_OK;
}

/* A date cell: "YYYY-MM-DD", "YYYY/MM/DD", or an Excel serial day number. */
static enum tend_rc
date_from_text(const struct rec_field *f, const char *text, json_t **out, struct tend_err *err)
{
    char buf[16];
    int64_t serial;

    if (strlen(text) == 10 && (text[4] == '/' || text[4] == '.') && text[7] == text[4]) {
        memcpy(buf, text, 11);
        buf[4] = buf[7] = '-';
        text = buf;
    }
    if (rec_date_valid(text)) {
        *out = json_string(text);
        return TEND_OK;
    }
    if (parse_int64(text, strlen(text), 1, 120000, &serial) == 0) {
        /* Excel's day 25569 is 1970-01-01 */
        int64_t ms = (serial - 25569) * 86400000LL;
        char iso[40];
        time_format_rfc3339(ms, iso, sizeof(iso));
        iso[10] = '\0';
        if (rec_date_valid(iso)) {
            *out = json_string(iso);
            return TEND_OK;
        }
    }
    return tend_fail(err, TEND_EINVAL, f->name, "must be a date YYYY-MM-DD");
}

enum tend_rc
rec_value_from_text(const struct rec_field *f, const char *text, json_t **out, struct tend_err *err)
{
    *out = NULL;
    if (!text || !*text) {
        *out = json_null();
        return TEND_OK;
    }
    switch (f->type) {
    case RT_TEXT:
    case RT_ENUM:
        *out = json_string(text);
        if (!*out)
            return tend_fail(err, TEND_EINVAL, f->name, "must be UTF-8 text");
        return TEND_OK;
    case RT_INT:
    case RT_REAL:
    case RT_REF:
        return number_from_text(f->type == RT_REF ? &(struct rec_field){.name = f->name, .type = RT_INT} : f, text,
                                out, err);
    case RT_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "TRUE") == 0 || strcmp(text, "yes") == 0 ||
            strcmp(text, "1") == 0)
            *out = json_true();
        else if (strcmp(text, "false") == 0 || strcmp(text, "FALSE") == 0 || strcmp(text, "no") == 0 ||
                 strcmp(text, "0") == 0)
            *out = json_false();
        else
            return tend_fail(err, TEND_EINVAL, f->name, "must be true or false");
        return TEND_OK;
    case RT_DATE:
        return date_from_text(f, text, out, err);
    case RT_CUSTOM: {
        json_error_t jerr;
        *out = json_loads(text, JSON_DECODE_ANY, &jerr);
        if (!*out)
            return tend_fail(err, TEND_EINVAL, f->name, "must be a JSON object");
        return TEND_OK;
    }
    case RT_STRLIST:
    case RT_IDSET: {
        json_t *list = json_array();
        char *copy = xstrdup(text), *save = NULL;
        for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
            json_t *item = NULL;
            while (*tok == ' ')
                tok++;
            if (!*tok)
                continue;
            if (f->type == RT_IDSET) {
                int64_t id;
                if (parse_int64(tok, strlen(tok), 1, INT64_MAX, &id) == 0)
                    item = json_integer(id);
            } else {
                item = json_string(tok);
            }
            if (!item) {
                free(copy);
                json_decref(list);
                return tend_fail(err, TEND_EINVAL, f->name, "must be a ';'-separated list");
            }
            json_array_append_new(list, item);
        }
        free(copy);
        *out = list;
        return TEND_OK;
    }
    }
    return tend_fail(err, TEND_EINTERNAL, f->name, "unknown field type");
}

char *
rec_value_to_text(const struct rec_field *f, const json_t *v)
{
    char buf[64];

    if (!v || json_is_null(v))
        return xstrdup("");
    switch (f->type) {
    case RT_BOOL:
        return xstrdup(json_is_true(v) ? "true" : "false");
    case RT_INT:
    case RT_REF:
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return xstrdup(buf);
    case RT_REAL:
        snprintf(buf, sizeof(buf), "%.17g", json_number_value(v));
        return xstrdup(buf);
    case RT_CUSTOM:
        return json_object_size(v) ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("");
    case RT_STRLIST:
    case RT_IDSET: {
        struct jbuf b;
        size_t i;
        json_t *item;
        jbuf_init(&b, 64);
        json_array_foreach(v, i, item) {
            if (i)
                jbuf_raw(&b, ";", 1);
            if (json_is_string(item))
                jbuf_raw(&b, json_string_value(item), json_string_length(item));
            else {
                int n = snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(item));
                jbuf_raw(&b, buf, (size_t)n);
            }
        }
        jbuf_raw(&b, "", 1); /* the NUL */
        return b.data;
    }
    default:
        return xstrdup(json_is_string(v) ? json_string_value(v) : "");
    }
}

/* --- list parameters ------------------------------------------------------- */

enum tend_rc
rec_filter_parse(const struct rec_kind *k, const char *const *names, const char *const *values, int n,
                 struct rec_filter *f, json_t **hold, struct tend_err *err)
{
    int64_t lim = REC_LIST_DEFAULT;

    memset(f, 0, sizeof(*f));
    *hold = json_array();
    for (int i = 0; i < n; i++) {
        const char *name = names[i], *value = values[i];
        const struct rec_field *fd = rec_field_of(k, name);
        json_t *v = NULL;
        if (strcmp(name, "limit") == 0) {
            if (parse_int64(value, strlen(value), 1, REC_LIST_MAX, &lim) != 0)
                return tend_fail(err, TEND_ESYNTAX, name, "must be an integer from 1 to %d", REC_LIST_MAX);
            continue;
        }
        if (strcmp(name, "cursor") == 0) {
            if (cursor_decode(k->cursor_tag, value, &f->after_id) != 0)
                return tend_fail(err, TEND_ESYNTAX, name, "is not a cursor this server gave out");
            continue;
        }
        if (strcmp(name, "q") == 0) {
            if (!*value || utf8_count(value, strlen(value)) > 100)
                return tend_fail(err, TEND_ESYNTAX, name, "must be 1 to 100 characters");
            f->q = value;
            continue;
        }
        if (!fd || !(fd->flags & RF_FILTER))
            return tend_fail(err, TEND_ESYNTAX, name, "is not a filter of %s", k->table);
        if (f->n >= (int)(sizeof(f->names) / sizeof(f->names[0])))
            return tend_fail(err, TEND_ESYNTAX, name, "too many filters");
        if (fd->type == RT_REF) {
            int64_t id;
            if (strcmp(value, "none") == 0)
                v = json_null();
            else if (parse_int64(value, strlen(value), 1, INT64_MAX, &id) == 0)
                v = json_integer(id);
            else
                return tend_fail(err, TEND_ESYNTAX, name, "must be an id or none");
        } else if (rec_value_from_text(fd, value, &v, err) != TEND_OK || json_is_null(v) ||
                   check_value(fd, v, err) != TEND_OK) {
            char reason[sizeof(err->message)];
            strlcopy(reason, err->message[0] ? err->message : "is not valid", sizeof(reason));
            json_decref(v);
            return tend_fail(err, TEND_ESYNTAX, name, "%s", reason);
        }
        json_array_append_new(*hold, v);
        f->names[f->n] = fd->name;
        f->values[f->n++] = v;
    }
    f->limit = (int)lim;
    return TEND_OK;
}

/* --- who sees what --------------------------------------------------------- */

int64_t
customers_scope_for(const struct api_actor *actor)
{
    if (actor->roles & ~(unsigned)ROLE_CUSTOMER) /* any other role is staff */
        return 0;
    return actor->organisation_id ? actor->organisation_id : -1;
}
