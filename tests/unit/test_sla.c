/* test_sla.c: the SLA clock and policies, without a database: hand-worked
 * cases on a Shanghai office calendar, and a property test that folds random
 * pauses, resumes and retargets (with calendar changes) through the clock and
 * compares it with a minute-by-minute count of the same history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modules/sla/calendar.h"
#include "modules/sla/clock.h"
#include "modules/sla/policy.h"
#include "platform/util/util.h"

#define MIN INT64_C(60000)
#define HOUR INT64_C(3600000)

static const char *const office =
    "{\"time_zone\":\"Asia/Shanghai\",\"week\":{\"mon\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"tue\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"wed\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],"
    "\"thu\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]],\"fri\":[[\"09:00\",\"12:00\"],[\"13:30\",\"18:00\"]]},"
    "\"holidays\":[{\"date\":\"2026-10-01\"},{\"date\":\"2026-10-02\"}],\"working_days\":[{\"date\":\"2026-10-10\"}]}";

static int64_t
at(const char *s)
{
    int64_t ms = 0;

    assert_int_equal(time_parse_rfc3339(s, &ms), 0);
    return ms;
}

static struct calendar *
cal_of(const char *json)
{
    struct calendar *c = NULL;
    struct tend_err err;

    if (calendar_parse_json(json, &c, &err) != TEND_OK)
        fail_msg("calendar: %s: %s", err.field, err.message);
    return c;
}

static const struct clock_levels levels = {3, {75, 100, 150}};

#define assert_at(got, want)                                                                       \
    do {                                                                                           \
        char g_[32], w_[32];                                                                       \
        time_format_rfc3339((got), g_, sizeof(g_));                                                \
        time_format_rfc3339((want), w_, sizeof(w_));                                               \
        assert_string_equal(g_, w_);                                                               \
    } while (0)

static void
test_due_skips_lunch_nights_and_holidays(void **state)
{
    struct calendar *cal = cal_of(office);
    struct sla_clock c;

    (void)state;
    /* Monday 10:00: 2h to lunch, 2h after it */
    clock_start(&c, SLA_RESOLUTION, 0, 4 * HOUR, at("2026-11-23T10:00:00+08:00"), cal, &levels);
    assert_at(c.due_at, at("2026-11-23T15:30:00+08:00"));
    assert_at(c.warn_at, at("2026-11-23T14:30:00+08:00")); /* 3h */
    assert_at(c.next_alert_at, c.warn_at);
    /* Wednesday 30 September 17:00: 1h that day, then two holidays and the
     * weekend: Monday 5 October at noon */
    clock_start(&c, SLA_RESOLUTION, 0, 4 * HOUR, at("2026-09-30T17:00:00+08:00"), cal, &levels);
    assert_at(c.due_at, at("2026-10-05T12:00:00+08:00"));
    /* Friday 9 October 17:00: 1h, and Saturday 10 October is a make-up working day */
    clock_start(&c, SLA_RESOLUTION, 0, 4 * HOUR, at("2026-10-09T17:00:00+08:00"), cal, &levels);
    assert_at(c.due_at, at("2026-10-10T12:00:00+08:00"));
    calendar_free(cal);
}

static void
test_pause_keeps_the_time_used(void **state)
{
    struct calendar *cal = cal_of(office);
    struct sla_clock c;

    (void)state;
    clock_start(&c, SLA_RESOLUTION, 0, 4 * HOUR, at("2026-11-23T10:00:00+08:00"), cal, &levels);
    clock_pause(&c, at("2026-11-23T11:00:00+08:00"), cal); /* 1h used */
    assert_int_equal(c.phase, CLOCK_PAUSED);
    assert_int_equal(c.elapsed_ms, HOUR);
    assert_int_equal(c.due_at, 0);
    clock_resume(&c, at("2026-11-24T16:00:00+08:00"), cal, &levels); /* 2h that day, 1h next */
    assert_at(c.due_at, at("2026-11-25T10:00:00+08:00"));
    clock_achieve(&c, at("2026-11-25T09:30:00+08:00"), cal);
    assert_int_equal(c.phase, CLOCK_ACHIEVED);
    assert_int_equal(c.elapsed_ms, 3 * HOUR + 30 * MIN);
    assert_int_equal(c.breached_at, 0);
    assert_false(clock_breached(&c, at("2026-12-01T00:00:00Z")));
    calendar_free(cal);
}

static void
test_a_late_stop_records_the_breach_at_the_due_time(void **state)
{
    struct calendar *cal = cal_of(office);
    struct sla_clock c;

    (void)state;
    clock_start(&c, SLA_FIRST_RESPONSE, 0, HOUR, at("2026-11-23T09:00:00+08:00"), cal, &levels);
    assert_false(clock_breached(&c, at("2026-11-23T10:00:00+08:00")));
    assert_true(clock_breached(&c, at("2026-11-23T10:00:00.001+08:00")));
    assert_int_equal(clock_due_levels(&c, at("2026-11-23T09:44:59+08:00"), cal, &levels), 0);
    assert_int_equal(clock_due_levels(&c, at("2026-11-23T09:45:00+08:00"), cal, &levels), 1);
    assert_int_equal(clock_due_levels(&c, at("2026-11-23T10:30:00+08:00"), cal, &levels), 7);
    c.alerts = 3;
    clock_plan(&c, cal, &levels);
    assert_at(c.next_alert_at, at("2026-11-23T10:30:00+08:00"));
    clock_pause(&c, at("2026-11-23T11:00:00+08:00"), cal);
    assert_at(c.breached_at, at("2026-11-23T10:00:00+08:00"));
    assert_true(clock_breached(&c, at("2026-11-23T11:00:00+08:00")));
    calendar_free(cal);
}

static void
test_retarget_measures_the_rest_on_the_new_terms(void **state)
{
    struct calendar *cal = cal_of(office), *all = cal_of("{\"time_zone\":\"UTC\",\"week\":{\"mon\":[[\"00:00\",\"24:00\"]],"
                                                         "\"tue\":[[\"00:00\",\"24:00\"]]}}");
    struct sla_clock c;

    (void)state;
    clock_start(&c, SLA_RESOLUTION, 0, 8 * HOUR, at("2026-11-23T09:00:00+08:00"), cal, &levels);
    /* 2h used on the office calendar; 1h left of a 3h target, counted around the clock */
    clock_retarget(&c, 3 * HOUR, at("2026-11-23T11:00:00+08:00"), cal, all, &levels);
    assert_int_equal(c.elapsed_ms, 2 * HOUR);
    assert_at(c.due_at, at("2026-11-23T12:00:00+08:00"));
    /* a target already used up is due at the change */
    clock_retarget(&c, HOUR, at("2026-11-23T11:30:00+08:00"), all, all, &levels);
    assert_at(c.due_at, at("2026-11-23T11:30:00+08:00"));
    assert_int_equal(c.breached_at, 0);
    clock_achieve(&c, at("2026-11-23T11:45:00+08:00"), all);
    assert_true(c.breached_at != 0);
    calendar_free(cal);
    calendar_free(all);
}

static void
test_reopen_resumes_and_cancel_stops(void **state)
{
    struct calendar *cal = cal_of(office);
    struct sla_clock c;

    (void)state;
    clock_start(&c, SLA_RESOLUTION, 0, 4 * HOUR, at("2026-11-23T09:00:00+08:00"), cal, &levels);
    clock_achieve(&c, at("2026-11-23T10:00:00+08:00"), cal);
    clock_reopen(&c, at("2026-11-24T09:00:00+08:00"), 0, cal, &levels);
    assert_int_equal(c.phase, CLOCK_RUNNING);
    assert_int_equal(c.achieved_at, 0);
    assert_at(c.due_at, at("2026-11-24T12:00:00+08:00"));
    clock_cancel(&c, at("2026-11-24T10:00:00+08:00"), cal);
    assert_int_equal(c.phase, CLOCK_CANCELLED);
    assert_int_equal(c.elapsed_ms, 2 * HOUR);
    clock_resume(&c, at("2026-11-24T11:00:00+08:00"), cal, &levels);
    assert_int_equal(c.phase, CLOCK_CANCELLED);
    calendar_free(cal);
}

/* --- property: the clock against a minute-by-minute count ------------------------ */

static uint64_t seed = 0x51a2026u;

static unsigned
rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Europe/Berlin", "UTC"};
static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* A random weekly calendar with a holiday and a make-up day around the DST weeks. */
static struct calendar *
random_calendar(void)
{
    char json[2048];
    size_t n = 0;

    n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"time_zone\":\"%s\",\"week\":{", zones[rnd(4)]);
    for (int d = 0; d < 7; d++) {
        int from = (int)rnd(12) * 60 + (int)rnd(4) * 15, len = 30 + (int)rnd(10) * 45;
        n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"%s\":", d ? "," : "", days[d]);
        if (rnd(5) == 0 || from + len > 24 * 60)
            n += (size_t)snprintf(json + n, sizeof(json) - n, "[]");
        else
            n += (size_t)snprintf(json + n, sizeof(json) - n, "[[\"%02d:%02d\",\"%02d:%02d\"]]", from / 60, from % 60,
                                  (from + len) / 60, (from + len) % 60);
    }
    snprintf(json + n, sizeof(json) - n,
             "},\"holidays\":[{\"date\":\"2026-11-0%u\"}],\"working_days\":[{\"date\":\"2026-11-0%u\",\"intervals\":[[\"10:00\",\"15:00\"]]}]}",
             1 + rnd(4), 5 + rnd(4));
    return cal_of(json);
}

enum op { OP_PAUSE, OP_RESUME, OP_RETARGET };

static void
test_random_histories_match_a_minute_by_minute_count(void **state)
{
    const int64_t start = at("2026-10-28T00:00:00Z"); /* Berlin and New York change clocks within the span */
    const int horizon = 30 * 24 * 60;
    int cases = 0;

    (void)state;
    for (int trial = 0; trial < 400; trial++) {
        struct calendar *cals[4] = {random_calendar(), random_calendar(), random_calendar(), random_calendar()};
        const struct calendar *cal = cals[0];
        int64_t target = (1 + (int64_t)rnd(900)) * MIN, count = 0;
        int running = 1, minute = 0, nops = (int)rnd(6);
        int64_t ref_breached = 0, ref_due = 0;
        struct sla_clock c;
        int op_at[8];

        for (int i = 0; i < nops; i++)
            op_at[i] = (int)rnd(9 * 24 * 60);
        for (int i = 1; i < nops; i++) /* sorted */
            for (int j = i; j > 0 && op_at[j] < op_at[j - 1]; j--) {
                int tmp = op_at[j];
                op_at[j] = op_at[j - 1];
                op_at[j - 1] = tmp;
            }
        clock_start(&c, SLA_RESOLUTION, 0, target, start, cal, &levels);
        for (int i = 0; i <= nops; i++) {
            int until = i < nops ? op_at[i] : horizon;
            /* the reference counts whole business minutes while running */
            for (; minute < until; minute++) {
                int64_t t = start + minute * MIN;
                if (running && count >= target && !ref_due)
                    ref_due = t;
                if (running && calendar_is_business(cal, t))
                    count += MIN;
                if (running && count >= target && !ref_due)
                    ref_due = t + MIN;
            }
            if (i == nops)
                break;
            {
                int64_t t = start + minute * MIN;
                enum op o = running ? (rnd(3) == 0 ? OP_RETARGET : OP_PAUSE) : (rnd(3) == 0 ? OP_RETARGET : OP_RESUME);
                if (running && ref_due && t > ref_due && !ref_breached)
                    ref_breached = ref_due;
                if (o == OP_PAUSE) {
                    clock_pause(&c, t, cal);
                    running = 0;
                } else if (o == OP_RESUME) {
                    clock_resume(&c, t, cal, &levels);
                    running = 1;
                } else {
                    const struct calendar *next = cals[1 + rnd(3)];
                    int64_t to = (1 + (int64_t)rnd(900)) * MIN;
                    clock_retarget(&c, to, t, cal, next, &levels);
                    cal = next;
                    target = to;
                }
                ref_due = 0; /* planned again from here */
                if (!running)
                    assert_int_equal(c.elapsed_ms, count);
            }
        }
        if (running && ref_due) {
            assert_at(c.due_at, ref_due);
            cases++;
        }
        assert_int_equal(c.breached_at, ref_breached);
        for (int k = 0; k < 4; k++)
            calendar_free(cals[k]);
    }
    assert_true(cases > 100);
}

/* --- policies ------------------------------------------------------------------------ */

static void
test_policy_parses_matches_and_chooses_targets(void **state)
{
    json_t *body = json_loads("{\"name\":\"VIP\",\"calendar_id\":2,\"conditions\":{\"tier\":[\"vip\"],"
                              "\"priority\":[\"high\",\"urgent\",\"high\"],\"group_id\":[4]},"
                              "\"targets\":{\"first_response\":30,\"resolution\":480},"
                              "\"priority_targets\":{\"urgent\":{\"resolution\":120}},\"warning_percent\":80,"
                              "\"escalations\":[{\"percent\":100,\"notify\":[\"managers\"]},"
                              "{\"percent\":150,\"set_priority\":\"urgent\"}]}",
                              0, NULL);
    struct sla_subject s = {"vip", "repair", "urgent", "phone", 4, 9};
    struct sla_policy p;
    struct clock_levels lv;
    struct tend_err err;
    json_t *back;

    (void)state;
    assert_int_equal(sla_policy_parse(body, &p, &err), TEND_OK);
    assert_true(sla_policy_matches(&p, &s));
    assert_int_equal(sla_policy_target(&p, SLA_RESOLUTION, "urgent"), 120);
    assert_int_equal(sla_policy_target(&p, SLA_RESOLUTION, "high"), 480);
    assert_int_equal(sla_policy_target(&p, SLA_NEXT_RESPONSE, "high"), 0);
    s.priority = "normal";
    assert_false(sla_policy_matches(&p, &s));
    s.priority = "high";
    s.group_id = 5;
    assert_false(sla_policy_matches(&p, &s));
    s.group_id = 4;
    s.tier = "";
    assert_false(sla_policy_matches(&p, &s));
    sla_policy_levels(&p, &lv);
    assert_int_equal(lv.n, 4);
    assert_int_equal(lv.percent[0], 80);
    assert_int_equal(lv.percent[1], 100);
    assert_int_equal(lv.percent[3], 150);
    back = sla_policy_json(&p);
    assert_int_equal(json_array_size(json_object_get(json_object_get(back, "conditions"), "priority")), 2);
    json_decref(back);
    sla_policy_cleanup(&p);
    json_decref(body);
}

static void
test_policy_errors_name_the_field(void **state)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"[]", ""},
        {"{\"calendar_id\":1,\"targets\":{\"resolution\":1}}", "name"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":1},\"colour\":1}", "colour"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":-1}}", "targets.resolution"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":1},\"conditions\":{\"channel\":[\"fax\"]}}",
         "conditions.channel[0]"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":1},\"conditions\":{\"tier\":\"vip\"}}",
         "conditions.tier"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":1},\"priority_targets\":{\"asap\":{}}}",
         "priority_targets.asap"},
        {"{\"name\":\"x\",\"calendar_id\":1,\"targets\":{\"resolution\":1},\"escalations\":[{\"percent\":50,"
         "\"notify\":[\"managers\"],\"set_priority\":\"soon\"}]}",
         "escalations[0].set_priority"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *body = json_loads(cases[i].body, JSON_DECODE_ANY, NULL);
        struct sla_policy p;
        struct tend_err err;
        tend_err_clear(&err);
        assert_int_equal(sla_policy_parse(body, &p, &err), TEND_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        sla_policy_cleanup(&p);
        json_decref(body);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_skips_lunch_nights_and_holidays),
        cmocka_unit_test(test_pause_keeps_the_time_used),
        cmocka_unit_test(test_a_late_stop_records_the_breach_at_the_due_time),
        cmocka_unit_test(test_retarget_measures_the_rest_on_the_new_terms),
        cmocka_unit_test(test_reopen_resumes_and_cancel_stops),
        cmocka_unit_test(test_random_histories_match_a_minute_by_minute_count),
        cmocka_unit_test(test_policy_parses_matches_and_chooses_targets),
        cmocka_unit_test(test_policy_errors_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
