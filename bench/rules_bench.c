/* rules_bench: evaluating 200 realistic rules against one ticket, timed on
 * one core: keyword lists in English and Chinese, in-lists, regular
 * expressions, numeric and priority comparisons, custom fields, nested
 * and/or/not; a handful match and fire (their actions change the view, as in
 * a real pass). One evaluation = a fresh view of the ticket + the whole pass.
 * The target: under 50 microseconds. Prints the figure and the ratio.
 * Usage: rules_bench [evaluations]   (built by meson, never run by the tests) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rules/rules.h"
#include "platform/util/util.h"

#define NRULES 200
#define TARGET_US 50.0

static const struct expr_named groups[] = {{1, "Field service East 华东服务组"}, {2, "Field service West"},
                                           {3, "Finance 财务"}, {4, "Senior support"}};
static const struct expr_named users[] = {{5, "engineer"}, {7, "finance"}};
static const struct expr_named categories[] = {{11, "Printers"}, {12, "HVAC 暖通空调"}};
static const struct expr_custom_def custom[] = {{"error_code", EXPR_NUMBER}, {"model", EXPR_TEXT}, {"parts", EXPR_LIST}};
static const int64_t calendars[] = {1};
static const char *const statuses[] = {"new", "assigned", "in_progress", "pending_customer", "resolved", "closed"};
static const int64_t agents[] = {5, 7};
static const struct rules_catalog cat = {
    {groups, 4, users, 2, categories, 2, NULL, 0, custom, 3, calendars, 1, statuses, 6}, agents, 2, NULL, 0};

/* Ten kinds of condition; each rule takes one with its own numbers and words. */
static void
condition(int i, char *out, size_t len)
{
    static const char *const words[] = {"jam", "leak", "noise", "alarm", "offline", "crack", "smoke", "error",
                                        "卡纸", "漏水", "噪音", "报警", "离线", "冒烟"};
    const char *w1 = words[i % 14], *w2 = words[(i * 7 + 3) % 14];

    switch (i % 10) {
    case 0:
        snprintf(out, len, "subject contains_any ('%s %d', '%s', 'refund-%d') or description contains '%s-%d'", w1, i,
                 w2, i, w1, i);
        break;
    case 1:
        snprintf(out, len, "priority >= 'high' and channel in ('phone', 'wechat') and tags contains 'rule-%d'", i);
        break;
    case 2:
        snprintf(out, len, "subject matches '^(urgent|紧急)[ :-]+%s-%d' or customer_ref matches '^ZZ-%03d$'", w1, i, i);
        break;
    case 3:
        snprintf(out, len, "custom.error_code in (%d, %d, %d) and custom.error_code > %d", i, i + 1, i + 2, i % 7);
        break;
    case 4:
        snprintf(out, len, "organisation.tier = 'gold-%d' and (organisation.region = 'east' or site.region = 'east')",
                 i);
        break;
    case 5:
        snprintf(out, len,
                 "not (status_category in ('resolved', 'closed')) and group is empty and age_hours > %d and "
                 "asset.model contains 'M-%d'",
                 i, i);
        break;
    case 6:
        snprintf(out, len, "(tags contains_any ('x%d', 'y%d') or required_skills contains 'skill-%d') and priority < 'urgent'",
                 i, i, i);
        break;
    case 7:
        snprintf(out, len, "category = 'Printers' and custom.model matches 'X%d[0-9]*' and not assignee = 'engineer'", i);
        break;
    case 8:
        snprintf(out, len,
                 "((subject contains '%s' and description contains '%s') or (subject contains '%s-%d')) and "
                 "channel != 'iot'",
                 w1, w2, w2, i);
        break;
    default:
        snprintf(out, len, "hours_in_status > %d and status in ('new', 'pending_customer') and custom.parts contains 'p%d'",
                 100 + i, i);
        break;
    }
}

static void
add_rule(struct rule *r, int i)
{
    char cond[600], body[1200];
    json_t *json;
    struct tend_err err;
    int position;

    condition(i, cond, sizeof(cond));
    /* every 40th rule matches the sample ticket and fires */
    if (i % 40 == 7)
        snprintf(cond, sizeof(cond), "subject contains_any ('printer', '打印机') and priority >= 'normal'");
    json = json_pack("{s:s,s:[s],s:s,s:[{s:s,s:[s]},{s:s,s:s}]}", "name", "r", "triggers", "ticket.created",
                     "condition", cond, "actions", "type", "add_tags", "tags", "auto", "type", "set_priority", "value",
                     i % 80 == 7 ? "high" : "normal");
    tend_err_clear(&err);
    if (rule_parse(json, NULL, &cat, r, &position, &err) != TEND_OK) {
        fprintf(stderr, "rules_bench: rule %d: %s at %d: %s\n", i, err.message, position, cond);
        exit(1);
    }
    r->id = i + 1;
    (void)body;
    json_decref(json);
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    struct rule *rules = xcalloc(NRULES, sizeof(*rules));
    struct rules_view base, v;
    struct rules_pass pass;
    struct tend_err err;
    json_t *custom_values = json_pack("{s:i,s:s,s:[s,s]}", "error_code", 1042, "model", "LJ-9000", "parts", "roller",
                                      "fuser");
    uint64_t t0, t1;
    long fired = 0;
    double us;

    if (n < 1000)
        n = 1000;
    for (int i = 0; i < NRULES; i++)
        add_rule(&rules[i], i);
    memset(&base, 0, sizeof(base));
    base.x.subject = "Printer 打印机 on floor 3 jams every 20 sheets from tray 2";
    base.x.description = "The MFP-4200 jams on tray 2; the customer tried new paper. 客户已经更换纸张，仍然卡纸。";
    base.x.customer_ref = "CP-004";
    base.x.type = "repair";
    strcpy(base.x.status, "new");
    strcpy(base.x.status_category, "new");
    strcpy(base.x.priority, "normal");
    strcpy(base.x.channel, "email");
    base.x.category_id = 11;
    strcpy(base.x.tags[0], "warranty");
    base.x.ntags = 1;
    base.x.org_tier = "standard";
    base.x.org_region = "west";
    base.x.org_name = "Contoso Print Services";
    base.x.asset_model = "MFP-4200";
    base.x.asset_serial = "SN-88812";
    base.x.site_region = "west";
    base.custom = custom_values;
    base.x.custom = custom_values;
    base.x.created_at = INT64_C(1795478400000);
    base.x.status_since = base.x.created_at;
    base.x.now = base.x.created_at + 3600000;
    tend_err_clear(&err);
    /* warm up */
    for (int i = 0; i < 1000; i++) {
        rules_view_copy(&v, &base);
        rules_evaluate(rules, NRULES, RT_CREATED, 0, &v, NULL, &pass, &err);
        rules_pass_cleanup(&pass);
        rules_view_cleanup(&v);
    }
    t0 = time_mono_ns();
    for (long i = 0; i < n; i++) {
        rules_view_copy(&v, &base);
        rules_evaluate(rules, NRULES, RT_CREATED, 0, &v, NULL, &pass, &err);
        for (int k = 0; k < pass.n; k++)
            fired += pass.firings[k].fired;
        rules_pass_cleanup(&pass);
        rules_view_cleanup(&v);
    }
    t1 = time_mono_ns();
    us = (double)(t1 - t0) / 1000.0 / (double)n;
    printf("rules_bench: %d rules (keywords in English and Chinese, in-lists, regexes, numbers, priorities, custom "
           "fields, nesting), %ld evaluations, %.1f rules fired per evaluation\n",
           NRULES, n, (double)fired / (double)n);
    printf("%.2f us per evaluation of %d rules (%.1fx under the %.0f us target)\n", us, NRULES, TARGET_US / us,
           TARGET_US);
    if (us > TARGET_US)
        printf("FAIL: evaluating %d rules takes longer than %.0f us\n", NRULES, TARGET_US);
    for (int i = 0; i < NRULES; i++)
        rule_cleanup(&rules[i]);
    free(rules);
    json_decref(custom_values);
    return 0;
}
