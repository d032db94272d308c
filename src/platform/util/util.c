/* util.c: checked allocation, clocks, RFC 3339 formatting, bounded parsing. */
#include "util.h"

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
oom(size_t n)
{
    fprintf(stderr, "tend: out of memory allocating %zu bytes\n", n);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *
xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

int64_t
time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
 * civil_from_days): pure arithmetic, no locale, no time-zone lookup. */
static void
civil_from_days(int64_t z, int *year, int *month, int *day)
{
    int64_t era, doe, yoe, doy, mp, y;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (*month <= 2));
}

static char *
put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

char *
time_format_rfc3339(int64_t ms, char *out, size_t outlen)
{
    int64_t secs = ms / 1000, days, rem;
    int millis = (int)(ms % 1000), year, month, day;
    char tmp[32], *o = tmp;

    if (millis < 0) {
        millis += 1000;
        secs -= 1;
    }
    days = secs / 86400;
    rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    civil_from_days(days, &year, &month, &day);
    if (year < 0 || year > 9999) {
        snprintf(out, outlen, "%04d-%02d-%02dT00:00:00.000Z", year, month, day);
        return out;
    }
    o = put2(o, year / 100);
    o = put2(o, year % 100);
    *o++ = '-';
    o = put2(o, month);
    *o++ = '-';
    o = put2(o, day);
    *o++ = 'T';
    o = put2(o, (int)(rem / 3600));
    *o++ = ':';
    o = put2(o, (int)(rem / 60 % 60));
    *o++ = ':';
    o = put2(o, (int)(rem % 60));
    *o++ = '.';
    *o++ = (char)('0' + millis / 100);
    o = put2(o, millis % 100);
    *o++ = 'Z';
    *o = '\0';
    strlcopy(out, tmp, outlen);
    return out;
}

int
time_year_of(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    return tm.tm_year + 1900;
}

int
parse_int64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    char buf[32];
    char *end;
    long long v;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (!(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
        return -1;
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

size_t
strlcopy(char *dst, const char *src, size_t dstlen)
{
    size_t n = strlen(src);
    if (dstlen) {
        size_t c = n < dstlen - 1 ? n : dstlen - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

size_t
utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

int
utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += n + 1;
    }
    return 1;
}

int
parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int
time_parse_rfc3339(const char *s, int64_t *ms)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year, mon, day, hour, min, sec, millis = 0, offset = 0;
    struct tm tm;
    const char *p;
    time_t t;

    if (strlen(s) < 20 || parse_digits(s, 4, &year) || s[4] != '-' || parse_digits(s + 5, 2, &mon) ||
        s[7] != '-' || parse_digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
        parse_digits(s + 11, 2, &hour) || s[13] != ':' || parse_digits(s + 14, 2, &min) || s[16] != ':' ||
        parse_digits(s + 17, 2, &sec))
        return -1;
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour > 23 || min > 59 || sec > 60)
        return -1;
    p = s + 19;
    if (*p == '.') {
        int scale = 100;
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            millis += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (parse_digits(p + 1, 2, &oh) || p[3] != ':' || parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 60 + om) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec > 59 ? 59 : sec;
    t = timegm(&tm);
    if (tm.tm_mday != day) /* 31 April, 29 February in a common year */
        return -1;
    *ms = ((int64_t)t - (int64_t)offset * 60) * 1000 + millis;
    return 0;
}

void
cursor_encode(const char *tag, int64_t id, char *out, size_t outlen)
{
    char raw[48];
    int n = snprintf(raw, sizeof(raw), "%s:%lld", tag, (long long)id);
    sodium_bin2base64(out, outlen, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
cursor_decode(const char *tag, const char *s, int64_t *id)
{
    unsigned char raw[48];
    size_t len = 0, tlen = strlen(tag);

    if (strlen(s) > 60 ||
        sodium_base642bin(raw, sizeof(raw) - 1, s, strlen(s), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    if (len < tlen + 2 || memcmp(raw, tag, tlen) != 0 || raw[tlen] != ':')
        return -1;
    return parse_int64((const char *)raw + tlen + 1, len - tlen - 1, 1, INT64_MAX, id);
}

/* Length of the valid UTF-8 sequence starting at `s` (0 if invalid or cut). */
static size_t
utf8_seq(const unsigned char *s, size_t avail)
{
    size_t n;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

void
utf8_sanitize(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t len = strlen(str), i = 0;

    while (i < len) {
        size_t n = utf8_seq(s + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        /* a lead byte whose sequence runs past the end was cut: drop the tail */
        if (s[i] >= 0xC2 && s[i] <= 0xF4 && len - i < (s[i] >= 0xF0 ? 4u : s[i] >= 0xE0 ? 3u : 2u)) {
            int tail_ok = 1;
            for (size_t k = i + 1; k < len; k++)
                if ((s[k] & 0xC0) != 0x80)
                    tail_ok = 0;
            if (tail_ok) {
                s[i] = '\0';
                return;
            }
        }
        s[i++] = '?';
    }
}

uint64_t
hash_fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}
