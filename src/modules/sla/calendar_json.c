/* calendar_json.c: a calendar's JSON form, the one the API stores and serves:
 * parsing with errors that name the field ("week.mon[1][0]"), and rendering. */
#include "calendar_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* "HH:MM", 00:00 to 24:00; a start (is_end 0) ends at 23:59. */
static enum tend_rc
take_time(const json_t *v, const char *field, int is_end, int *minutes, struct tend_err *err)
{
    const char *s = json_string_value(v);
    int h, m;

    if (!json_is_string(v) || json_string_length(v) != 5 || s[2] != ':' || parse_digits(s, 2, &h) ||
        parse_digits(s + 3, 2, &m) || m > 59 || h > 24 || (h == 24 && m != 0))
        return tend_fail(err, TEND_EINVAL, field, "must be a time HH:MM from 00:00 to 24:00");
    if (!is_end && h == 24)
        return tend_fail(err, TEND_EINVAL, field, "a start must be 00:00 to 23:59");
    *minutes = h * 60 + m;
    return TEND_OK;
}

/* "YYYY-MM-DD", a real date from 1900 to 2199. */
static enum tend_rc
take_date(const json_t *v, const char *field, int32_t *date, struct tend_err *err)
{
    const char *s = json_string_value(v);
    int y, m, d;

    if (!json_is_string(v) || json_string_length(v) != 10 || s[4] != '-' || s[7] != '-' ||
        parse_digits(s, 4, &y) || parse_digits(s + 5, 2, &m) || parse_digits(s + 8, 2, &d))
        return tend_fail(err, TEND_EINVAL, field, "must be a date YYYY-MM-DD");
    if (m < 1 || m > 12 || d < 1 || d > civil_month_days(y, m))
        return tend_fail(err, TEND_EINVAL, field, "%s is not a date", s);
    if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR)
        return tend_fail(err, TEND_EINVAL, field, "must be a date from %d to %d", CAL_MIN_YEAR,
                         CAL_MAX_YEAR);
    *date = (int32_t)civil_days(y, m, d);
    return TEND_OK;
}

/* A name, its ends trimmed of spaces. */
static enum tend_rc
take_name(const json_t *v, const char *field, char **out, struct tend_err *err)
{
    char *name;

    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a text");
    name = xstrdup(json_string_value(v));
    calendar_trim(name);
    if (!calendar_name_valid(name, strlen(name))) {
        free(name);
        return tend_fail(err, TEND_EINVAL, field,
                         "must be a text of 1 to %d characters without control characters",
                         CAL_NAME_CHARS);
    }
    free(*out);
    *out = name;
    return TEND_OK;
}

static int
cmp_span(const void *a, const void *b)
{
    return ((const struct cal_span *)a)->from - ((const struct cal_span *)b)->from;
}

/* A list of [from, to] pairs at `path` ("week.mon", "working_days[2].intervals"):
 * each well-formed, ending after it starts, none overlapping another. Sorted. */
static enum tend_rc
take_spans(const json_t *v, const char *path, struct cal_span *spans, int *nspans,
           struct tend_err *err)
{
    char field[64];
    size_t i;
    json_t *pair;
    enum tend_rc rc;

    if (!json_is_array(v))
        return tend_fail(err, TEND_EINVAL, path,
                         "must be a list of [from, to] times, e.g. [[\"09:00\", \"12:00\"]]");
    if (json_array_size(v) > CAL_MAX_SPANS)
        return tend_fail(err, TEND_EINVAL, path, "at most %d intervals", CAL_MAX_SPANS);
    json_array_foreach(v, i, pair) {
        int from, to;
        snprintf(field, sizeof(field), "%s[%d]", path, (int)i);
        if (!json_is_array(pair) || json_array_size(pair) != 2)
            return tend_fail(err, TEND_EINVAL, field, "must be a pair [from, to] of times HH:MM");
        snprintf(field, sizeof(field), "%s[%d][0]", path, (int)i);
        if ((rc = take_time(json_array_get(pair, 0), field, 0, &from, err)))
            return rc;
        snprintf(field, sizeof(field), "%s[%d][1]", path, (int)i);
        if ((rc = take_time(json_array_get(pair, 1), field, 1, &to, err)))
            return rc;
        snprintf(field, sizeof(field), "%s[%d]", path, (int)i);
        if (to <= from)
            return tend_fail(err, TEND_EINVAL, field, "must end after it starts");
        for (size_t j = 0; j < i; j++)
            if (from < spans[j].to && spans[j].from < to)
                return tend_fail(err, TEND_EINVAL, field, "overlaps %s[%d]", path, (int)j);
        spans[i] = (struct cal_span){(int16_t)from, (int16_t)to};
    }
    *nspans = (int)json_array_size(v);
    qsort(spans, (size_t)*nspans, sizeof(*spans), cmp_span);
    return TEND_OK;
}

static enum tend_rc
parse_week(const json_t *v, struct calendar *cal, struct tend_err *err)
{
    char field[64];
    const char *k;
    json_t *m;
    enum tend_rc rc;

    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, "week",
                         "must be an object of weekdays {\"mon\": [[\"09:00\", \"18:00\"]], ...}");
    json_object_foreach((json_t *)v, k, m) {
        int d = 0;
        while (d < 7 && strcmp(k, day_keys[d]) != 0)
            d++;
        snprintf(field, sizeof(field), "week.%.20s", k);
        if (d == 7)
            return tend_fail(err, TEND_EINVAL, field,
                             "is not a day of the week (mon, tue, wed, thu, fri, sat, sun)");
        if ((rc = take_spans(m, field, cal->week[d], &cal->nweek[d], err)))
            return rc;
    }
    return TEND_OK;
}

static enum tend_rc
parse_holiday(const json_t *v, int i, struct calendar *cal, struct tend_err *err)
{
    struct cal_holiday *h = calendar_add_holiday(cal);
    int have_date = 0, have_from = 0, have_to = 0, from = 0, to = CAL_DAY_MINUTES;
    char field[64];
    const char *k;
    json_t *m;
    enum tend_rc rc = TEND_OK;

    h->src = i;
    snprintf(field, sizeof(field), "holidays[%d]", i);
    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, field, "must be an object {date, from, to, name}");
    json_object_foreach((json_t *)v, k, m) {
        snprintf(field, sizeof(field), "holidays[%d].%.20s", i, k);
        if (strcmp(k, "date") == 0) {
            rc = take_date(m, field, &h->date, err);
            have_date = 1;
        } else if (strcmp(k, "from") == 0) {
            rc = take_time(m, field, 0, &from, err);
            have_from = 1;
        } else if (strcmp(k, "to") == 0) {
            rc = take_time(m, field, 1, &to, err);
            have_to = 1;
        } else if (strcmp(k, "name") == 0) {
            rc = take_name(m, field, &h->name, err);
        } else {
            rc = tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
        if (rc)
            return rc;
    }
    snprintf(field, sizeof(field), "holidays[%d].%s", i, !have_date ? "date" : have_from ? "to" : "from");
    if (!have_date)
        return tend_fail(err, TEND_EINVAL, field, "is required");
    if (have_from != have_to)
        return tend_fail(err, TEND_EINVAL, field, "is required with %s (or leave both out for a whole day)",
                         have_from ? "from" : "to");
    snprintf(field, sizeof(field), "holidays[%d].to", i);
    if (to <= from)
        return tend_fail(err, TEND_EINVAL, field, "must be after from");
    h->whole = !have_from;
    h->from = (int16_t)from;
    h->to = (int16_t)to;
    return TEND_OK;
}

static enum tend_rc
parse_workday(const json_t *v, int i, struct calendar *cal, struct tend_err *err)
{
    struct cal_workday *w = calendar_add_workday(cal);
    int have_date = 0;
    char field[64];
    const char *k;
    json_t *m;
    enum tend_rc rc = TEND_OK;

    w->src = i;
    snprintf(field, sizeof(field), "working_days[%d]", i);
    if (!json_is_object(v))
        return tend_fail(err, TEND_EINVAL, field, "must be an object {date, intervals, name}");
    json_object_foreach((json_t *)v, k, m) {
        snprintf(field, sizeof(field), "working_days[%d].%.20s", i, k);
        if (strcmp(k, "date") == 0) {
            rc = take_date(m, field, &w->date, err);
            have_date = 1;
        } else if (strcmp(k, "intervals") == 0) {
            rc = take_spans(m, field, w->spans, &w->nspans, err);
            if (rc == TEND_OK && w->nspans == 0)
                rc = tend_fail(err, TEND_EINVAL, field,
                               "needs at least one interval (leave it out to work Monday's hours)");
            w->given = 1;
        } else if (strcmp(k, "name") == 0) {
            rc = take_name(m, field, &w->name, err);
        } else {
            rc = tend_fail(err, TEND_EINVAL, field, "is not a known field");
        }
        if (rc)
            return rc;
    }
    snprintf(field, sizeof(field), "working_days[%d].date", i);
    if (!have_date)
        return tend_fail(err, TEND_EINVAL, field, "is required");
    return TEND_OK;
}

static enum tend_rc
parse_list(const json_t *v, const char *key, int max, struct calendar *cal,
           enum tend_rc (*parse_one)(const json_t *, int, struct calendar *, struct tend_err *),
           struct tend_err *err)
{
    size_t i;
    json_t *m;
    enum tend_rc rc;

    if (!v)
        return TEND_OK;
    if (!json_is_array(v) || json_array_size(v) > (size_t)max)
        return tend_fail(err, TEND_EINVAL, key, "must be a list of at most %d entries", max);
    json_array_foreach(v, i, m) {
        if ((rc = parse_one(m, (int)i, cal, err)))
            return rc;
    }
    return TEND_OK;
}

static enum tend_rc
parse_all(const json_t *def, struct calendar *cal, struct tend_err *err)
{
    static const char *const known[] = {"name", "time_zone", "week", "holidays", "working_days", NULL};
    const json_t *name = json_object_get(def, "name"), *zone = json_object_get(def, "time_zone");
    const json_t *week = json_object_get(def, "week");
    const char *k;
    json_t *v;
    enum tend_rc rc;

    json_object_foreach((json_t *)def, k, v) {
        int i = 0;
        while (known[i] && strcmp(k, known[i]) != 0)
            i++;
        if (!known[i])
            return tend_fail(err, TEND_EINVAL, k, "is not a known field");
    }
    if (name && (rc = take_name(name, "name", &cal->name, err)))
        return rc;
    if (!zone)
        return tend_fail(err, TEND_EINVAL, "time_zone", "is required, e.g. \"Asia/Shanghai\"");
    if (!json_is_string(zone))
        return tend_fail(err, TEND_EINVAL, "time_zone", "must be an IANA time zone name, e.g. \"Asia/Shanghai\"");
    if ((rc = tzone_load(json_string_value(zone), &cal->zone, "time_zone", err)))
        return rc;
    if (!week)
        return tend_fail(err, TEND_EINVAL, "week", "is required");
    if ((rc = parse_week(week, cal, err)))
        return rc;
    if ((rc = parse_list(json_object_get(def, "holidays"), "holidays", CAL_MAX_HOLIDAYS, cal,
                         parse_holiday, err)))
        return rc;
    if ((rc = parse_list(json_object_get(def, "working_days"), "working_days", CAL_MAX_WORKING_DAYS,
                         cal, parse_workday, err)))
        return rc;
    return calendar_finish(cal, err);
}

enum tend_rc
calendar_from_json(const json_t *def, struct calendar **out, struct tend_err *err)
{
    struct calendar *cal;
    enum tend_rc rc;

    *out = NULL;
    if (!json_is_object(def))
        return tend_fail(err, TEND_EINVAL, "", "a calendar must be an object {name, time_zone, week, holidays, working_days}");
    cal = calendar_alloc();
    rc = parse_all(def, cal, err);
    if (rc)
        calendar_free(cal);
    else
        *out = cal;
    return rc;
}

enum tend_rc
calendar_parse_json(const char *text, struct calendar **out, struct tend_err *err)
{
    json_error_t jerr;
    json_t *def = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    enum tend_rc rc;

    *out = NULL;
    if (!def)
        return tend_fail(err, TEND_ESYNTAX, "", "not valid JSON (line %d, column %d): %s", jerr.line,
                         jerr.column, jerr.text);
    rc = calendar_from_json(def, out, err);
    json_decref(def);
    return rc;
}

static json_t *
spans_json(const struct cal_span *spans, int n)
{
    json_t *list = json_array();
    char from[8], to[8];

    for (int i = 0; i < n; i++) {
        calendar_format_time(spans[i].from, from, sizeof(from));
        calendar_format_time(spans[i].to, to, sizeof(to));
        json_array_append_new(list, json_pack("[s,s]", from, to));
    }
    return list;
}

json_t *
calendar_to_json(const struct calendar *cal)
{
    json_t *root = json_object(), *week = json_object(), *holidays = json_array(),
           *workdays = json_array();
    char date[16], from[8], to[8];

    for (int d = 0; d < 7; d++)
        json_object_set_new(week, day_keys[d], spans_json(cal->week[d], cal->nweek[d]));
    for (int i = 0; i < cal->nholidays; i++) {
        const struct cal_holiday *h = &cal->holidays[i];
        json_t *o;
        calendar_format_date(h->date, date, sizeof(date));
        o = json_pack("{s:s}", "date", date);
        if (!h->whole) {
            calendar_format_time(h->from, from, sizeof(from));
            calendar_format_time(h->to, to, sizeof(to));
            json_object_set_new(o, "from", json_string(from));
            json_object_set_new(o, "to", json_string(to));
        }
        if (h->name)
            json_object_set_new(o, "name", json_string(h->name));
        json_array_append_new(holidays, o);
    }
    for (int i = 0; i < cal->nworkdays; i++) {
        const struct cal_workday *w = &cal->workdays[i];
        json_t *o;
        calendar_format_date(w->date, date, sizeof(date));
        o = json_pack("{s:s}", "date", date);
        if (w->given)
            json_object_set_new(o, "intervals", spans_json(w->spans, w->nspans));
        if (w->name)
            json_object_set_new(o, "name", json_string(w->name));
        json_array_append_new(workdays, o);
    }
    if (cal->name)
        json_object_set_new(root, "name", json_string(cal->name));
    json_object_set_new(root, "time_zone", json_string(cal->zone.name));
    json_object_set_new(root, "week", week);
    json_object_set_new(root, "holidays", holidays);
    json_object_set_new(root, "working_days", workdays);
    return root;
}
