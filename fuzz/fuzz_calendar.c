/* fuzz_calendar.c: libFuzzer harness for business calendars: the JSON form
 * (input not starting with "BEGIN") and iCalendar import (input starting with
 * it). A refusal must name its reason; an accepted calendar must survive its
 * own round trip and keep the arithmetic's invariants. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/sla/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define Y2026_MS INT64_C(1767225600000)

static void
check_refusal(enum tend_rc rc, const struct tend_err *err)
{
    if ((rc != TEND_EINVAL && rc != TEND_ESYNTAX && rc != TEND_ETOOLARGE) || !err->message[0])
        __builtin_trap();
}

static void
check_arithmetic(const struct calendar *cal, uint64_t h)
{
    for (int i = 0; i < 8; i++) {
        int64_t a = Y2026_MS + (int64_t)(h % (400 * INT64_C(86400000))) - 30 * INT64_C(86400000);
        int64_t n = (int64_t)((h >> 20) % 100000), t;
        h = h * 6364136223846793005u + 1442695040888963407u;
        t = calendar_add_business_minutes(cal, a, n);
        if (t != CALENDAR_NEVER && calendar_business_ms(cal, a, t) != n * 60000)
            __builtin_trap();
        t = calendar_next_business(cal, a);
        if (t != CALENDAR_NEVER && (t < a || !calendar_is_business(cal, t)))
            __builtin_trap();
    }
}

static void
check_json_round_trip(const struct calendar *cal)
{
    json_t *a = calendar_to_json(cal), *b;
    struct calendar *again;
    struct tend_err err;

    if (calendar_from_json(a, &again, &err) != TEND_OK)
        __builtin_trap();
    b = calendar_to_json(again);
    if (!json_equal(a, b))
        __builtin_trap();
    json_decref(a);
    json_decref(b);
    calendar_free(again);
}

static const struct calendar *
base_calendar(void)
{
    static struct calendar *base;
    struct tend_err err;

    if (!base && calendar_parse_json("{\"time_zone\":\"America/New_York\",\"week\":{"
                                     "\"mon\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]],"
                                     "\"fri\":[[\"00:00\",\"24:00\"]]}}",
                                     &base, &err) != TEND_OK)
        __builtin_trap();
    return base;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct calendar *cal = NULL, *again = NULL;
    struct tend_err err = {0};
    uint64_t h = 1469598103934665603u;
    enum tend_rc rc;

    memcpy(text, data, size);
    text[size] = '\0';
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211u;
    if (size >= 5 && memcmp(text, "BEGIN", 5) == 0) {
        rc = calendar_import_ics(base_calendar(), text, CALENDAR_ICS_REPLACE, &cal, &err);
        if (rc == TEND_OK) {
            char *ics = calendar_export_ics(cal, 0);
            if (calendar_import_ics(base_calendar(), ics, CALENDAR_ICS_REPLACE, &again, &err) != TEND_OK)
                __builtin_trap();
            free(ics);
        }
    } else {
        rc = calendar_parse_json(text, &cal, &err);
    }
    if (rc != TEND_OK) {
        check_refusal(rc, &err);
    } else {
        check_json_round_trip(cal);
        if (again) {
            json_t *a = calendar_to_json(cal), *b = calendar_to_json(again);
            if (!json_equal(a, b))
                __builtin_trap();
            json_decref(a);
            json_decref(b);
        }
        check_arithmetic(cal, h);
    }
    calendar_free(cal);
    calendar_free(again);
    free(text);
    return 0;
}
