/* calendar_ics.c: a calendar's holidays and extra working days as iCalendar
 * (RFC 5545) events, read and written with libical. See calendar.h for the
 * mapping; export and import are each other's inverse. */
#include "calendar_int.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/util/util.h"

#define ICS_MAX_BYTES ((size_t)8 << 20)
#define ICS_MAX_EVENT_DAYS 366

/* ---- import ---- */

/* Whether a comma-separated list of CATEGORIES holds WORKDAY. */
static int
lists_workday(const char *list)
{
    const char *s = list;

    while (s && *s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len == 7 && strncasecmp(s, "WORKDAY", 7) == 0)
            return 1;
        s = comma ? comma + 1 : NULL;
    }
    return 0;
}

static int
is_workday_event(icalcomponent *ev)
{
    icalproperty *p;

    for (p = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY))
        if (lists_workday(icalproperty_get_categories(p)))
            return 1;
    for (p = icalcomponent_get_first_property(ev, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_X_PROPERTY)) {
        const char *name = icalproperty_get_x_name(p), *value = icalproperty_get_x(p);
        if (name && value && strcasecmp(name, "X-TEND-KIND") == 0 && strcasecmp(value, "WORKDAY") == 0)
            return 1;
    }
    return 0;
}

/* SUMMARY as a name: bad UTF-8 replaced, control characters (an escaped
 * newline) made spaces, cut to 80 characters, trimmed; NULL when empty. */
static char *
event_name(icalcomponent *ev)
{
    const char *summary = icalcomponent_get_summary(ev);
    char *name;
    size_t i = 0;
    int chars = 0;

    if (!summary || !*summary)
        return NULL;
    name = xstrdup(summary);
    utf8_sanitize(name);
    for (char *c = name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    calendar_trim(name);
    while (name[i] && chars < CAL_NAME_CHARS) {
        i++;
        while ((name[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    name[i] = '\0';
    calendar_trim(name);
    if (!name[0]) {
        free(name);
        return NULL;
    }
    return name;
}

static enum tend_rc
check_date(const struct icaltimetype *t, const char *field, int64_t *day, struct tend_err *err)
{
    if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > civil_month_days(t->year, t->month))
        return tend_fail(err, TEND_EINVAL, field, "is not a valid date");
    if (t->year < CAL_MIN_YEAR || t->year > CAL_MAX_YEAR)
        return tend_fail(err, TEND_EINVAL, field, "must be a date from %d to %d", CAL_MIN_YEAR,
                         CAL_MAX_YEAR);
    *day = civil_days(t->year, t->month, t->day);
    return TEND_OK;
}

/* A date-time of property `kind` of the event as local minutes (since
 * 1970-01-01T00:00) of the calendar's zone. */
static enum tend_rc
local_minutes(const struct calendar *cal, icalcomponent *ev, icalproperty_kind kind,
              struct icaltimetype t, const char *field, int64_t *out, struct tend_err *err)
{
    icalproperty *p = icalcomponent_get_first_property(ev, kind);
    icalparameter *tzp = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;
    const char *tzid = tzp ? icalparameter_get_tzid(tzp) : NULL;
    int64_t day = 0;
    enum tend_rc rc;

    if (t.is_date)
        return tend_fail(err, TEND_EINVAL, field, "must be a date-time, as DTSTART is");
    if (t.second != 0)
        return tend_fail(err, TEND_EINVAL, field, "must be on a whole minute");
    if ((rc = check_date(&t, field, &day, err)))
        return rc;
    if (t.hour > 23 || t.minute > 59)
        return tend_fail(err, TEND_EINVAL, field, "is not a valid time");
    if (icaltime_is_utc(t) || (tzid && strcmp(tzid, cal->zone.name) != 0)) {
        int64_t utc_ms, local;
        if (!icaltime_is_utc(t) && !t.zone)
            return tend_fail(err, TEND_EINVAL, field,
                             "has TZID '%.40s', which is neither the calendar's time zone nor "
                             "defined in the file",
                             tzid);
        utc_ms = (int64_t)icaltime_as_timet_with_zone(t, icaltime_is_utc(t) ? NULL : t.zone) * 1000;
        if (utc_ms < CALENDAR_MIN_MS || utc_ms >= CALENDAR_MAX_MS)
            return tend_fail(err, TEND_EINVAL, field, "must be from %d to %d", CAL_MIN_YEAR,
                             CAL_MAX_YEAR);
        local = tzone_local(&cal->zone, utc_ms);
        *out = civil_floordiv(local, 60000);
        return TEND_OK;
    }
    /* floating, or in the calendar's own zone: wall-clock time as written */
    *out = (int64_t)day * CAL_DAY_MINUTES + (int64_t)t.hour * 60 + t.minute;
    return TEND_OK;
}

/* Add working interval [from, to) of `date` from event n: to the working day the
 * event's earlier intervals of that date made, or a new one. */
static enum tend_rc
add_work_interval(struct calendar *cal, int first_ics, int n, int64_t date, int from, int to,
                  const char *name, struct tend_err *err)
{
    struct cal_workday *w = NULL;
    char field[64];
    int i;

    for (i = cal->nworkdays - 1; i >= first_ics; i--)
        if (cal->workdays[i].date == date && cal->workdays[i].given) {
            w = &cal->workdays[i];
            break;
        }
    snprintf(field, sizeof(field), "events[%d].DTSTART", n);
    if (!w) {
        w = calendar_add_workday(cal);
        w->date = (int32_t)date;
        w->given = 1;
        w->from_ics = 1;
        w->src = n;
        w->name = name ? xstrdup(name) : NULL;
    }
    if (w->nspans == CAL_MAX_SPANS)
        return tend_fail(err, TEND_EINVAL, field, "makes more than %d intervals in one working day",
                         CAL_MAX_SPANS);
    for (i = 0; i < w->nspans; i++)
        if (from < w->spans[i].to && w->spans[i].from < to)
            return tend_fail(err, TEND_EINVAL, field, "overlaps events[%d]", (int)w->src);
    /* keep the intervals sorted */
    for (i = w->nspans; i > 0 && w->spans[i - 1].from > from; i--)
        w->spans[i] = w->spans[i - 1];
    w->spans[i] = (struct cal_span){(int16_t)from, (int16_t)to};
    w->nspans++;
    return TEND_OK;
}

static void
add_whole_days(struct calendar *cal, int n, int64_t d0, int64_t d1, int workday, const char *name)
{
    for (int64_t d = d0; d < d1; d++) {
        if (workday) {
            struct cal_workday *w = calendar_add_workday(cal);
            w->date = (int32_t)d;
            w->from_ics = 1;
            w->src = n;
            w->name = name ? xstrdup(name) : NULL;
        } else {
            struct cal_holiday *h = calendar_add_holiday(cal);
            h->date = (int32_t)d;
            h->from = 0;
            h->to = CAL_DAY_MINUTES;
            h->whole = 1;
            h->from_ics = 1;
            h->src = n;
            h->name = name ? xstrdup(name) : NULL;
        }
    }
}

/* Local minutes [m0, m1) cut at local midnights into part days. */
static enum tend_rc
add_timed(struct calendar *cal, int first_ics_workday, int n, int64_t m0, int64_t m1, int workday,
          const char *name, struct tend_err *err)
{
    for (int64_t d = civil_floordiv(m0, CAL_DAY_MINUTES); d * CAL_DAY_MINUTES < m1; d++) {
        int64_t from = m0 - d * CAL_DAY_MINUTES, to = m1 - d * CAL_DAY_MINUTES;
        enum tend_rc rc;
        if (from < 0)
            from = 0;
        if (to > CAL_DAY_MINUTES)
            to = CAL_DAY_MINUTES;
        if (workday) {
            rc = add_work_interval(cal, first_ics_workday, n, d, (int)from, (int)to, name, err);
            if (rc)
                return rc;
        } else {
            struct cal_holiday *h = calendar_add_holiday(cal);
            h->date = (int32_t)d;
            h->from = (int16_t)from;
            h->to = (int16_t)to;
            h->from_ics = 1;
            h->src = n;
            h->name = name ? xstrdup(name) : NULL;
        }
    }
    return TEND_OK;
}

static enum tend_rc
import_event(struct calendar *cal, icalcomponent *ev, int n, int first_ics_workday,
             struct tend_err *err)
{
    icalproperty *status = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
    int has_end = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY) ||
                  icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
    int workday = is_workday_event(ev);
    struct icaltimetype start, end;
    char field[64], *name = NULL;
    int64_t a = 0, b = 0;
    enum tend_rc rc;

    if (status && icalproperty_get_status(status) == ICAL_STATUS_CANCELLED)
        return TEND_OK;
    snprintf(field, sizeof(field), "events[%d].RRULE", n);
    if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
        icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY))
        return tend_fail(err, TEND_EINVAL, field, "repeating events are not supported: list each date");
    snprintf(field, sizeof(field), "events[%d].DURATION", n);
    if (icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY) &&
        icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY))
        return tend_fail(err, TEND_EINVAL, field, "cannot be given with DTEND");
    snprintf(field, sizeof(field), "events[%d].DTSTART", n);
    if (!icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY))
        return tend_fail(err, TEND_EINVAL, field, "is required");
    start = icalcomponent_get_dtstart(ev);
    if (icaltime_is_null_time(start))
        return tend_fail(err, TEND_EINVAL, field, "is not a valid date or date-time");
    end = has_end ? icalcomponent_get_dtend(ev) : icaltime_null_time();
    if (start.is_date) {
        if ((rc = check_date(&start, field, &a, err)))
            return rc;
        snprintf(field, sizeof(field), "events[%d].DTEND", n);
        b = a + 1;
        if (has_end && !end.is_date)
            return tend_fail(err, TEND_EINVAL, field, "must be a date, as DTSTART is");
        if (has_end && (rc = check_date(&end, field, &b, err)))
            return rc;
        if (b <= a)
            return tend_fail(err, TEND_EINVAL, field, "must be after DTSTART");
        if (b - a > ICS_MAX_EVENT_DAYS)
            return tend_fail(err, TEND_EINVAL, field, "makes the event longer than %d days",
                             ICS_MAX_EVENT_DAYS);
        name = event_name(ev);
        add_whole_days(cal, n, a, b, workday, name);
        free(name);
        return TEND_OK;
    }
    if ((rc = local_minutes(cal, ev, ICAL_DTSTART_PROPERTY, start, field, &a, err)))
        return rc;
    snprintf(field, sizeof(field), "events[%d].DTEND", n);
    if (!has_end || icaltime_is_null_time(end))
        return tend_fail(err, TEND_EINVAL, field, "is required for an event with a time (or DURATION)");
    if ((rc = local_minutes(cal, ev, icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY)
                                         ? ICAL_DTEND_PROPERTY
                                         : ICAL_DTSTART_PROPERTY,
                            end, field, &b, err)))
        return rc;
    if (b <= a)
        return tend_fail(err, TEND_EINVAL, field, "must be after DTSTART");
    if (b - a > (int64_t)ICS_MAX_EVENT_DAYS * CAL_DAY_MINUTES)
        return tend_fail(err, TEND_EINVAL, field, "makes the event longer than %d days",
                         ICS_MAX_EVENT_DAYS);
    name = event_name(ev);
    rc = add_timed(cal, first_ics_workday, n, a, b, workday, name, err);
    free(name);
    return rc;
}

static int
cmp_repeat(const void *pa, const void *pb)
{
    const struct cal_holiday *a = pa, *b = pb;

    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->from_ics != b->from_ics)
        return a->from_ics - b->from_ics;
    if (a->whole != b->whole)
        return b->whole - a->whole;
    return a->src < b->src ? -1 : a->src > b->src;
}

/* Published calendars often give a date two events (a festival and the days
 * off around it): of the file's holidays on a date with an all-day one, keep
 * the first all-day one. Entries the file did not make are left to the checks. */
static void
merge_repeated_days(struct calendar *cal)
{
    int n = 0;

    if (cal->nholidays > 1)
        qsort(cal->holidays, (size_t)cal->nholidays, sizeof(*cal->holidays), cmp_repeat);
    for (int i = 0; i < cal->nholidays; i++) {
        struct cal_holiday *h = &cal->holidays[i];
        if (n > 0 && h->from_ics) {
            const struct cal_holiday *kept = &cal->holidays[n - 1];
            if (kept->date == h->date && kept->from_ics && kept->whole) {
                free(h->name);
                continue;
            }
        }
        cal->holidays[n++] = *h;
    }
    cal->nholidays = n;
}

static struct calendar *
copy_base(const struct calendar *base, enum calendar_ics_mode mode)
{
    struct calendar *cal = calendar_alloc();

    cal->name = base->name ? xstrdup(base->name) : NULL;
    tzone_copy(&cal->zone, &base->zone);
    memcpy(cal->week, base->week, sizeof(cal->week));
    memcpy(cal->nweek, base->nweek, sizeof(cal->nweek));
    if (mode == CALENDAR_ICS_MERGE) {
        for (int i = 0; i < base->nholidays; i++) {
            struct cal_holiday *h = calendar_add_holiday(cal);
            *h = base->holidays[i];
            h->name = h->name ? xstrdup(h->name) : NULL;
        }
        for (int i = 0; i < base->nworkdays; i++) {
            struct cal_workday *w = calendar_add_workday(cal);
            *w = base->workdays[i];
            w->name = w->name ? xstrdup(w->name) : NULL;
        }
    }
    return cal;
}

enum tend_rc
calendar_import_ics(const struct calendar *base, const char *ics, enum calendar_ics_mode mode,
                    struct calendar **out, struct tend_err *err)
{
    struct calendar *cal = NULL;
    icalcomponent *root = NULL, *ev;
    int n = 0, first_ics_workday;
    enum tend_rc rc = TEND_OK;

    *out = NULL;
    if (strlen(ics) > ICS_MAX_BYTES) {
        rc = tend_fail(err, TEND_ETOOLARGE, "ics", "is larger than %d MB", (int)(ICS_MAX_BYTES >> 20));
        goto out;
    }
    root = icalparser_parse_string(ics);
    if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
        rc = tend_fail(err, TEND_EINVAL, "ics",
                       "is not an iCalendar text (BEGIN:VCALENDAR ... END:VCALENDAR)");
        goto out;
    }
    cal = copy_base(base, mode);
    first_ics_workday = cal->nworkdays;
    for (ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT), n++) {
        if (cal->nholidays > CAL_MAX_HOLIDAYS || cal->nworkdays > CAL_MAX_WORKING_DAYS) {
            rc = tend_fail(err, TEND_EINVAL, "ics", "makes more than %d holidays or %d working days",
                           CAL_MAX_HOLIDAYS, CAL_MAX_WORKING_DAYS);
            goto out;
        }
        if ((rc = import_event(cal, ev, n, first_ics_workday, err)))
            goto out;
    }
    merge_repeated_days(cal);
    rc = calendar_finish(cal, err);
out:
    if (root)
        icalcomponent_free(root);
    if (rc)
        calendar_free(cal);
    else
        *out = cal;
    return rc;
}

/* ---- export ---- */

static struct icaltimetype
date_value(int64_t day)
{
    struct icaltimetype t = icaltime_null_date();

    civil_from_days(day, &t.year, &t.month, &t.day);
    return t;
}

/* A floating (local wall-clock) date-time; minute 1440 is the next midnight. */
static struct icaltimetype
local_value(int64_t day, int minutes)
{
    struct icaltimetype t = icaltime_null_time();

    if (minutes == CAL_DAY_MINUTES) {
        day++;
        minutes = 0;
    }
    civil_from_days(day, &t.year, &t.month, &t.day);
    t.hour = minutes / 60;
    t.minute = minutes % 60;
    return t;
}

static void
add_x(icalcomponent *c, const char *name, const char *value)
{
    icalproperty *p = icalproperty_new_x(value);

    icalproperty_set_x_name(p, name);
    icalcomponent_add_property(c, p);
}

static void
add_event(icalcomponent *root, struct icaltimetype stamp, const char *kind, struct icaltimetype start,
          struct icaltimetype end, const char *name)
{
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    char uid[96];

    snprintf(uid, sizeof(uid), "%s-%04d%02d%02d", kind, start.year, start.month, start.day);
    if (!start.is_date)
        snprintf(uid + strlen(uid), sizeof(uid) - strlen(uid), "T%02d%02d", start.hour, start.minute);
    strlcopy(uid + strlen(uid), "@tend", sizeof(uid) - strlen(uid));
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
    icalcomponent_add_property(ev, icalproperty_new_dtend(end));
    if (name)
        icalcomponent_add_property(ev, icalproperty_new_summary(name));
    if (strcmp(kind, "workday") == 0) {
        icalcomponent_add_property(ev, icalproperty_new_categories("WORKDAY"));
        add_x(ev, "X-TEND-KIND", "WORKDAY");
    } else {
        icalcomponent_add_property(ev, icalproperty_new_categories("HOLIDAY"));
        add_x(ev, "X-TEND-KIND", "HOLIDAY");
    }
    icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    icalcomponent_add_component(root, ev);
}

static int
same_name(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

char *
calendar_export_ics(const struct calendar *cal, int64_t stamp_ms)
{
    icalcomponent *root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    struct icaltimetype stamp = icaltime_from_timet_with_zone(
        (time_t)civil_floordiv(stamp_ms, 1000), 0, icaltimezone_get_utc_timezone());
    char *text, *copy;

    icalcomponent_add_property(root, icalproperty_new_version("2.0"));
    icalcomponent_add_property(root, icalproperty_new_prodid("-//Tend//Business calendar//EN"));
    icalcomponent_add_property(root, icalproperty_new_calscale("GREGORIAN"));
    if (cal->name)
        add_x(root, "X-WR-CALNAME", cal->name);
    add_x(root, "X-WR-TIMEZONE", cal->zone.name);
    for (int i = 0; i < cal->nholidays;) {
        const struct cal_holiday *h = &cal->holidays[i];
        int j = i + 1;
        if (!h->whole) {
            add_event(root, stamp, "holiday", local_value(h->date, h->from), local_value(h->date, h->to),
                      h->name);
            i++;
            continue;
        }
        while (j < cal->nholidays && cal->holidays[j].whole &&
               cal->holidays[j].date == cal->holidays[j - 1].date + 1 &&
               same_name(cal->holidays[j].name, h->name))
            j++;
        add_event(root, stamp, "holiday", date_value(h->date),
                  date_value(cal->holidays[j - 1].date + 1), h->name);
        i = j;
    }
    for (int i = 0; i < cal->nworkdays; i++) {
        const struct cal_workday *w = &cal->workdays[i];
        if (!w->given) {
            add_event(root, stamp, "workday", date_value(w->date), date_value(w->date + 1), w->name);
            continue;
        }
        for (int k = 0; k < w->nspans; k++)
            add_event(root, stamp, "workday", local_value(w->date, w->spans[k].from),
                      local_value(w->date, w->spans[k].to), w->name);
    }
    text = icalcomponent_as_ical_string_r(root);
    copy = xstrdup(text);
    icalmemory_free_buffer(text);
    icalcomponent_free(root);
    return copy;
}
