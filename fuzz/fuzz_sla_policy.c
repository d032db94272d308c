/* fuzz_sla_policy.c: libFuzzer harness for SLA policies: any body is either
 * refused with a named reason or parsed into a policy whose own JSON parses
 * back to the same JSON; and the clock steps the policy's levels drive keep
 * their invariants (business time never shrinks, due times follow the start
 * of counting). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modules/sla/calendar.h"
#include "modules/sla/clock.h"
#include "modules/sla/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define START_MS INT64_C(1795478400000)

static struct calendar *office;

static void
check_clock(const struct sla_policy *p, const uint8_t *data, size_t size)
{
    struct clock_levels lv;
    struct sla_clock c;
    int64_t t = START_MS, target = sla_policy_target(p, SLA_RESOLUTION, "normal");

    sla_policy_levels(p, &lv);
    clock_start(&c, SLA_RESOLUTION, 0, (target ? target : 60) * 60000, t, office, &lv);
    for (size_t i = 0; i < size && i < 64; i++) {
        int64_t before = c.elapsed_ms;
        t += (int64_t)(data[i] >> 2) * 37 * 60000;
        switch (data[i] & 3) {
        case 0:
            clock_pause(&c, t, office);
            break;
        case 1:
            clock_resume(&c, t, office, &lv);
            break;
        case 2:
            clock_retarget(&c, (int64_t)(1 + data[i]) * 60000, t, office, office, &lv);
            break;
        default:
            c.alerts |= clock_due_levels(&c, t, office, &lv);
            clock_plan(&c, office, &lv);
            break;
        }
        if (c.elapsed_ms < before || (c.phase == CLOCK_RUNNING && c.due_at && c.due_at < c.since))
            __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    struct sla_policy p, again;
    struct tend_err err;

    if (!office) {
        struct tend_err e;
        if (calendar_parse_json("{\"time_zone\":\"Asia/Shanghai\",\"week\":{\"mon\":[[\"09:00\",\"18:00\"]],"
                                "\"sat\":[[\"10:00\",\"12:00\"]]}}",
                                &office, &e) != TEND_OK)
            __builtin_trap();
    }
    if (!body) {
        check_clock(&(struct sla_policy){.warning_percent = 75}, data, size);
        return 0;
    }
    if (sla_policy_parse(body, &p, &err) != TEND_OK) {
        if (err.rc != TEND_EINVAL || !err.message[0])
            __builtin_trap();
    } else {
        json_t *a = sla_policy_json(&p), *b;
        if (sla_policy_parse(a, &again, &err) != TEND_OK)
            __builtin_trap();
        b = sla_policy_json(&again);
        if (!json_equal(a, b))
            __builtin_trap();
        check_clock(&p, data, size);
        json_decref(a);
        json_decref(b);
        sla_policy_cleanup(&again);
    }
    sla_policy_cleanup(&p);
    json_decref(body);
    return 0;
}
