/* civil.h: proleptic Gregorian dates as day numbers (days since 1970-01-01), the
 * arithmetic the time zone and calendar code share. Header-only, no state. */
#ifndef TEND_SLA_CIVIL_H
#define TEND_SLA_CIVIL_H

#include <stdint.h>

#define CIVIL_DAY_MS INT64_C(86400000)

/* Floor division and the matching non-negative remainder (b > 0). */
static inline int64_t
civil_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b < 0) ? q - 1 : q;
}

static inline int
civil_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int
civil_month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && civil_is_leap(y) ? 29 : days[m - 1];
}

/* The day number of y-m-d (m 1-12, d 1-31; not range-checked). H. Hinnant's algorithm. */
static inline int64_t
civil_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = civil_floordiv(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date of day number `z`. */
static inline void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = civil_floordiv(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The weekday of day number `z`: 0 Monday .. 6 Sunday (1970-01-01 was a Thursday). */
static inline int
civil_weekday(int64_t z)
{
    return (int)(z + 3 - civil_floordiv(z + 3, 7) * 7);
}

#endif
