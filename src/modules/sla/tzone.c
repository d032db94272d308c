/* tzone.c: reading a TZif file (RFC 8536, versions 1-4) and the POSIX TZ rule of
 * its footer into the offset table of tzone.h. Runs once per calendar load; the
 * hot path only does the binary search in tzone.h. No global state. */
#include "tzone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "platform/util/util.h"

#define TZIF_MAX_BYTES ((size_t)256 << 10)
#define TZIF_MAX_COUNT 100000
#define FAR_PAST (INT64_MIN / 4)
#define FAR_FUTURE (INT64_MAX / 4)
#define MAX_TRANSITION_S INT64_C(10000000000000) /* clamp for "big bang" times */
#define RULE_FIRST_YEAR 1900
#define RULE_LAST_YEAR 2200

/* A transition while the table is built: from `at` on, `offset`. `order` breaks
 * ties between rule transitions at the same instant (the start of DST wins, as
 * RFC 8536 wants for zones that keep DST all year). */
struct change {
    int64_t at;
    int32_t offset;
    int order;
};

struct changes {
    struct change *v;
    int n, cap;
};

static void
push(struct changes *c, int64_t at, int32_t offset, int order)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xrealloc(c->v, (size_t)c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = (struct change){at, offset, order};
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
tzone_name_valid(const char *name)
{
    size_t len = strlen(name);

    if (len < 1 || len > TZONE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        int part_start = i == 0 || name[i - 1] == '/';
        /* no empty part, no part starting with '.' or '-' (no "..") */
        int bad = c == '/' ? part_start || i + 1 == len
                           : (part_start && (c == '.' || c == '-')) ||
                                 (!is_alpha(c) && !is_digit(c) && c != '_' && c != '+' && c != '-' && c != '.');
        if (bad)
            return 0;
    }
    return 1;
}

/* ---- TZif ---- */

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
get64(const unsigned char *p)
{
    return (int64_t)((uint64_t)get32(p) << 32 | get32(p + 4));
}

struct tzif_header {
    char version;
    uint32_t isut, isstd, leap, time, type, chars;
};

static int
read_header(const unsigned char *p, size_t len, struct tzif_header *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    h->version = (char)p[4];
    h->isut = get32(p + 20);
    h->isstd = get32(p + 24);
    h->leap = get32(p + 28);
    h->time = get32(p + 32);
    h->type = get32(p + 36);
    h->chars = get32(p + 40);
    if (h->isut > TZIF_MAX_COUNT || h->isstd > TZIF_MAX_COUNT || h->leap > TZIF_MAX_COUNT ||
        h->time > TZIF_MAX_COUNT || h->type > 256 || h->chars > TZIF_MAX_COUNT)
        return -1;
    return 0;
}

static size_t
block_size(const struct tzif_header *h, size_t timesize)
{
    return (size_t)h->time * timesize + h->time + (size_t)h->type * 6 + h->chars +
           (size_t)h->leap * (timesize + 4) + h->isstd + h->isut;
}

/* The explicit transitions of the file into `out`; its footer (the TZ rule) into
 * `footer`, "" when there is none. */
static int
parse_tzif(const unsigned char *p, size_t len, struct changes *out, char *footer, size_t footer_len)
{
    struct tzif_header h;
    const unsigned char *data, *idx, *types;
    size_t timesize = 4;
    int32_t offsets[256];

    footer[0] = '\0';
    if (read_header(p, len, &h) || 44 + block_size(&h, 4) > len)
        return -1;
    data = p + 44;
    if (h.version >= '2') {
        const unsigned char *second = data + block_size(&h, 4);
        const unsigned char *end, *nl;
        size_t rest = len - (size_t)(second - p);
        if (read_header(second, rest, &h) || 44 + block_size(&h, 8) > rest)
            return -1;
        data = second + 44;
        timesize = 8;
        end = data + block_size(&h, 8);
        rest = len - (size_t)(end - p);
        if (rest < 2 || end[0] != '\n')
            return -1;
        nl = memchr(end + 1, '\n', rest - 1);
        if (!nl || (size_t)(nl - end - 1) >= footer_len)
            return -1;
        memcpy(footer, end + 1, (size_t)(nl - end - 1));
        footer[nl - end - 1] = '\0';
    }
    if (h.leap != 0 || h.type == 0) /* "right/" zones count leap seconds: not POSIX time */
        return -1;
    idx = data + h.time * timesize;
    types = idx + h.time;
    for (uint32_t i = 0; i < h.type; i++) {
        int32_t utoff = (int32_t)get32(types + 6 * (size_t)i);
        if (utoff <= -26 * 3600 || utoff >= 26 * 3600 || types[6 * i + 4] > 1)
            return -1;
        offsets[i] = utoff * 1000;
    }
    push(out, FAR_PAST, offsets[0], 0);
    for (uint32_t i = 0; i < h.time; i++) {
        int64_t at = timesize == 8 ? get64(data + 8 * (size_t)i) : (int32_t)get32(data + 4 * (size_t)i);
        if (idx[i] >= h.type)
            return -1;
        if (at < -MAX_TRANSITION_S)
            at = -MAX_TRANSITION_S;
        if (at > MAX_TRANSITION_S)
            at = MAX_TRANSITION_S;
        if (at * 1000 <= out->v[out->n - 1].at)
            return -1;
        push(out, at * 1000, offsets[idx[i]], 0);
    }
    return 0;
}

/* ---- POSIX TZ rules ("CST-8", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0") ---- */

struct rule_date {
    char kind; /* 'J' (1-365, no Feb 29), 'D' (0-365), 'M' (month.week.weekday) */
    int n, month, week, weekday;
};

struct posix_tz {
    int32_t std, dst; /* seconds east of UTC */
    int has_dst;
    struct rule_date start, end;
    int32_t start_time, end_time; /* local seconds after midnight, may be < 0 or > 24 h */
};

static const char *
parse_abbr(const char *s)
{
    const char *from = s;

    if (*s == '<') {
        from = ++s;
        while (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-')
            s++;
        return *s == '>' && s - from >= 3 ? s + 1 : NULL;
    }
    while (is_alpha(*s))
        s++;
    return s - from >= 3 ? s : NULL;
}

static const char *
parse_number(const char *s, int max, int *out)
{
    int v = 0, digits = 0;

    while (is_digit(*s) && digits < 4) {
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || v > max)
        return NULL;
    *out = v;
    return s;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static const char *
parse_hms(const char *s, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, sec = 0;

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!(s = parse_number(s, max_hours, &h)))
        return NULL;
    if (*s == ':' && !(s = parse_number(s + 1, 59, &m)))
        return NULL;
    if (*s == ':' && !(s = parse_number(s + 1, 59, &sec)))
        return NULL;
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *
parse_rule_date(const char *s, struct rule_date *d, int32_t *time)
{
    if (*s == 'J') {
        d->kind = 'J';
        if (!(s = parse_number(s + 1, 365, &d->n)) || d->n < 1)
            return NULL;
    } else if (*s == 'M') {
        d->kind = 'M';
        if (!(s = parse_number(s + 1, 12, &d->month)) || d->month < 1 || *s != '.' ||
            !(s = parse_number(s + 1, 5, &d->week)) || d->week < 1 || *s != '.' ||
            !(s = parse_number(s + 1, 6, &d->weekday)))
            return NULL;
    } else {
        d->kind = 'D';
        if (!(s = parse_number(s, 365, &d->n)))
            return NULL;
    }
    *time = 7200;
    if (*s == '/')
        s = parse_hms(s + 1, 167, time);
    return s;
}

static int
parse_posix_tz(const char *s, struct posix_tz *tz)
{
    int32_t v;

    memset(tz, 0, sizeof(*tz));
    if (!(s = parse_abbr(s)) || !(s = parse_hms(s, 24, &v)))
        return -1;
    tz->std = -v; /* POSIX counts hours west of Greenwich */
    if (!*s)
        return 0;
    if (!(s = parse_abbr(s)))
        return -1;
    tz->has_dst = 1;
    tz->dst = tz->std + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, 24, &v)))
            return -1;
        tz->dst = -v;
    }
    if (!*s) /* POSIX's default rule, the US one */
        s = ",M3.2.0,M11.1.0";
    if (*s != ',' || !(s = parse_rule_date(s + 1, &tz->start, &tz->start_time)) || *s != ',' ||
        !(s = parse_rule_date(s + 1, &tz->end, &tz->end_time)))
        return -1;
    return *s ? -1 : 0;
}

static int64_t
rule_day(const struct rule_date *d, int year)
{
    int64_t jan1 = civil_days(year, 1, 1), first, day;
    int first_sunday_based;

    if (d->kind == 'J')
        return jan1 + d->n - 1 + (civil_is_leap(year) && d->n >= 60);
    if (d->kind == 'D')
        return jan1 + d->n;
    first = civil_days(year, d->month, 1);
    first_sunday_based = (civil_weekday(first) + 1) % 7;
    day = first + (d->weekday - first_sunday_based + 7) % 7 + 7 * (int64_t)(d->week - 1);
    while (day >= first + civil_month_days(year, d->month))
        day -= 7;
    return day;
}

static int
cmp_change(const void *a, const void *b)
{
    const struct change *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->order - y->order;
}

/* Append the rule's transitions after the file's last one, up to RULE_LAST_YEAR. */
static void
expand_rule(struct changes *c, const struct posix_tz *tz)
{
    int64_t last = c->v[c->n - 1].at;
    int first_year = RULE_FIRST_YEAR, base = c->n, m, d;

    if (!tz->has_dst)
        return;
    if (last != FAR_PAST) {
        civil_from_days(civil_floordiv(last, CIVIL_DAY_MS), &first_year, &m, &d);
        if (first_year < RULE_FIRST_YEAR)
            first_year = RULE_FIRST_YEAR;
    }
    for (int y = first_year; y <= RULE_LAST_YEAR; y++) {
        int64_t start = (rule_day(&tz->start, y) * 86400 + tz->start_time - tz->std) * 1000;
        int64_t end = (rule_day(&tz->end, y) * 86400 + tz->end_time - tz->dst) * 1000;
        if (start > last)
            push(c, start, tz->dst * 1000, 1);
        if (end > last)
            push(c, end, tz->std * 1000, 0);
    }
    qsort(c->v + base, (size_t)(c->n - base), sizeof(*c->v), cmp_change);
}

/* Drop ties (the later entry wins) and changes that keep the offset. */
static void
compact(struct changes *c)
{
    int n = 0;

    for (int i = 0; i < c->n; i++) {
        if (i + 1 < c->n && c->v[i + 1].at == c->v[i].at)
            continue;
        if (n > 0 && c->v[n - 1].offset == c->v[i].offset)
            continue;
        c->v[n++] = c->v[i];
    }
    c->n = n;
}

static unsigned char *
read_zone_file(const char *name, size_t *len)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    unsigned char *buf;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf = xmalloc(TZIF_MAX_BYTES);
    *len = fread(buf, 1, TZIF_MAX_BYTES, f);
    if (ferror(f) || *len == TZIF_MAX_BYTES) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

enum tend_rc
tzone_load(const char *name, struct tzone *tz, const char *field, struct tend_err *err)
{
    struct changes c = {0};
    struct posix_tz rule;
    char footer[128];
    unsigned char *file = NULL;
    size_t len = 0;
    enum tend_rc rc = TEND_OK;

    memset(tz, 0, sizeof(*tz));
    if (!tzone_name_valid(name) || !(file = read_zone_file(name, &len))) {
        rc = tend_fail(err, TEND_EINVAL, field, "'%.64s' is not a known IANA time zone", name);
        goto out;
    }
    if (parse_tzif(file, len, &c, footer, sizeof(footer)) ||
        (footer[0] && parse_posix_tz(footer, &rule))) {
        rc = tend_fail(err, TEND_EINVAL, field, "'%.64s' is not a usable time zone", name);
        goto out;
    }
    if (footer[0])
        expand_rule(&c, &rule);
    compact(&c);
    strlcopy(tz->name, name, sizeof(tz->name));
    tz->n = c.n;
    tz->at = xmalloc((size_t)(c.n + 1) * sizeof(*tz->at));
    tz->offset = xmalloc((size_t)c.n * sizeof(*tz->offset));
    for (int i = 0; i < c.n; i++) {
        tz->at[i] = c.v[i].at;
        tz->offset[i] = c.v[i].offset;
    }
    tz->at[0] = FAR_PAST;
    tz->at[c.n] = FAR_FUTURE;
out:
    free(c.v);
    free(file);
    return rc;
}

void
tzone_copy(struct tzone *dst, const struct tzone *src)
{
    *dst = *src;
    dst->at = xmalloc((size_t)(src->n + 1) * sizeof(*dst->at));
    dst->offset = xmalloc((size_t)src->n * sizeof(*dst->offset));
    memcpy(dst->at, src->at, (size_t)(src->n + 1) * sizeof(*dst->at));
    memcpy(dst->offset, src->offset, (size_t)src->n * sizeof(*dst->offset));
}

void
tzone_cleanup(struct tzone *tz)
{
    free(tz->at);
    free(tz->offset);
    tz->at = NULL;
    tz->offset = NULL;
    tz->n = 0;
}
