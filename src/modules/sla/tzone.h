/* tzone.h: an IANA time zone's UTC offsets as a sorted table of transitions, read
 * from the system's TZif files (RFC 8536) with the POSIX TZ rule of the file's
 * footer expanded up to TZONE_MAX_MS. Immutable once loaded: any thread may read it. */
#ifndef TEND_SLA_TZONE_H
#define TEND_SLA_TZONE_H

#include <stdint.h>

#include "platform/util/err.h"

#define TZONE_NAME_MAX 64

/* The instants the table is exact for: 1900-01-01T00:00Z to 2200-01-01T00:00Z. */
#define TZONE_MIN_MS INT64_C(-2208988800000)
#define TZONE_MAX_MS INT64_C(7258118400000)

/* The offset table. Segment i covers the UTC instants [at[i], at[i+1]) and has
 * local wall-clock time = UTC + offset[i]. at[0] is far before TZONE_MIN_MS and
 * at[n] far after TZONE_MAX_MS, so every instant in range has a segment and
 * `t + offset` never overflows. Neighbouring segments have different offsets. */
struct tzone {
    char name[TZONE_NAME_MAX + 1];
    int n;           /* number of segments, >= 1 */
    int64_t *at;     /* n + 1 entries, strictly increasing */
    int32_t *offset; /* n entries, milliseconds east of UTC */
};

/* Whether `name` looks like an IANA zone name ("Asia/Shanghai", "UTC",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+8"): letters, digits, '_', '+',
 * '-' in '/'-separated parts that do not start with '.'. Says nothing about
 * whether the zone exists. */
int tzone_name_valid(const char *name);

/* Load zone `name` from $TZDIR or /usr/share/zoneinfo into `tz`. TEND_EINVAL
 * (with `field`) when the name is not a known zone or its file is not TZif
 * without leap seconds. On success the caller owns `tz` (tzone_cleanup). */
enum tend_rc tzone_load(const char *name, struct tzone *tz, const char *field, struct tend_err *err);

/* Make `dst` an independent copy of loaded zone `src`. */
void tzone_copy(struct tzone *dst, const struct tzone *src);

/* Release what tzone_load allocated; a zeroed or cleaned `tz` is fine. */
void tzone_cleanup(struct tzone *tz);

/* The segment holding instant `utc_ms`: 0 <= i < tz->n. */
static inline int
tzone_segment(const struct tzone *tz, int64_t utc_ms)
{
    int lo = 0, hi = tz->n; /* at[lo] <= t < at[hi] */

    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (tz->at[mid] <= utc_ms)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Local wall-clock time (ms since 1970-01-01T00:00 local) of instant `utc_ms`. */
static inline int64_t
tzone_local(const struct tzone *tz, int64_t utc_ms)
{
    return utc_ms + tz->offset[tzone_segment(tz, utc_ms)];
}

#endif
