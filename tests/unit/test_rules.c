/* test_rules.c: the pure parts of the rules engine: the condition language
 * (every operator, precedence, functions, a catalogue of bad expressions with
 * their positions), rule bodies, ordered evaluation with stop_processing and
 * the loop guard, and the assignment strategies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rules/rules.h"

static const struct expr_named groups[] = {{3, "Finance 财务"}, {4, "Senior support"}};
static const struct expr_named users[] = {{7, "finance"}, {9, "li.na"}};
static const struct expr_named categories[] = {{11, "Printers"}};
static const struct expr_custom_def custom[] = {{"error_code", EXPR_NUMBER}, {"model", EXPR_TEXT},
                                                {"parts", EXPR_LIST}, {"urgent", EXPR_BOOL}};
static const int64_t calendars[] = {1, 2};
static const char *const statuses[] = {"new", "assigned", "pending_customer", "resolved"};
static const struct expr_catalog cat = {groups, 2, users, 2, categories, 1, NULL, 0, custom, 4, calendars, 2,
                                        statuses, 4};

/* A ticket view for the tests: a refund request from a VIP in the east. */
static void
sample(struct expr_ticket *t, json_t **custom_out)
{
    memset(t, 0, sizeof(*t));
    t->subject = "Please REFUND the duplicate invoice";
    t->description = "客户要求退款";
    t->customer_ref = "ACME-001";
    t->type = "repair";
    strcpy(t->status, "pending_customer");
    strcpy(t->status_category, "pending");
    strcpy(t->priority, "normal");
    strcpy(t->channel, "email");
    t->group_id = 3;
    t->category_id = 11;
    strcpy(t->tags[0], "vip");
    strcpy(t->tags[1], "billing");
    t->ntags = 2;
    strcpy(t->skills[0], "hvac");
    t->nskills = 1;
    t->org_tier = "vip";
    t->org_region = "east";
    t->org_name = "华东精密制造有限公司";
    t->asset_model = "HVAC-900";
    t->asset_serial = "SN-0042";
    t->site_region = "east";
    *custom_out = json_pack("{s:i,s:s,s:[s,s],s:b}", "error_code", 17, "model", "X200 Pro", "parts", "fan", "belt",
                            "urgent", 1);
    t->custom = *custom_out;
    t->created_at = 1000LL * 3600 * 1000;           /* hour 1000 */
    t->status_since = 1000LL * 3600 * 1000 + 3600000; /* an hour later */
    t->now = 1100LL * 3600 * 1000;                  /* hour 1100 */
}

/* Calendar 1 works always; calendar 2 never. */
static int
is_business(void *ctx, int64_t cal, int64_t at)
{
    (void)ctx;
    (void)at;
    return cal == 1;
}

static int64_t
business_ms(void *ctx, int64_t cal, int64_t from, int64_t to)
{
    (void)ctx;
    return cal == 1 ? to - from : 0;
}

static const struct expr_env env = {NULL, is_business, business_ms};

/* Whether `text` compiles and holds on the sample. */
static int
holds(const char *text)
{
    struct expr *e = NULL;
    struct expr_ticket t;
    struct tend_err err;
    json_t *c;
    int position, r;

    tend_err_clear(&err);
    sample(&t, &c);
    if (expr_compile(text, &cat, &e, &position, &err) != TEND_OK)
        fail_msg("'%s' does not compile: %s at %d", text, err.message, position);
    r = expr_eval(e, &t, &env);
    expr_free(e);
    json_decref(c);
    return r;
}

static void
test_every_operator_on_text_fields(void **state)
{
    (void)state;
    assert_true(holds("subject contains 'refund'"));   /* case-insensitive */
    assert_false(holds("subject contains 'credit'"));
    assert_true(holds("description contains_any ('refund', '退款')"));
    assert_true(holds("subject contains_any 'invoice'"));
    assert_true(holds("customer_ref = 'acme-001'"));
    assert_true(holds("customer_ref != 'NW-002'"));
    assert_true(holds("customer_ref in ('NW-002', 'ACME-001')"));
    assert_true(holds("customer_ref not in ('NW-002')"));
    assert_true(holds("subject matches '^please +refund'"));
    assert_true(holds("subject matches '(please|kindly)+ +(refund|return)s?'"));
    assert_false(holds("subject matches '^[A-Z]{2}-[0-9]{4}(-[0-9]{1,3}){0,2}$'"));
    assert_false(holds("subject matches '^refund'"));
    assert_true(holds("subject is not empty"));
    assert_false(holds("subject is empty"));
    assert_true(holds("organisation.tier = 'vip' and organisation.region = 'east'"));
    assert_true(holds("organisation.name contains '精密'"));
    assert_true(holds("asset.model matches 'hvac-[0-9]+' and asset.serial = 'SN-0042' and site.region = 'east'"));
}

static void
test_priorities_order_and_enums_compare(void **state)
{
    (void)state;
    assert_true(holds("priority = 'normal'"));
    assert_true(holds("priority < 'high'"));
    assert_true(holds("priority <= 'normal' and priority >= 'low' and priority > 'low'"));
    assert_false(holds("priority >= 'high'"));
    assert_true(holds("priority in ('normal', 'urgent')"));
    assert_true(holds("status = 'pending_customer' and status_category = 'pending'"));
    assert_true(holds("channel in ('email', 'phone') and type = 'repair'"));
}

static void
test_references_by_id_or_name(void **state)
{
    (void)state;
    assert_true(holds("group = 3"));
    assert_true(holds("group = 'Finance 财务'"));
    assert_true(holds("group = 'finance 财务'")); /* names compare case-insensitively */
    assert_false(holds("group = 'Senior support'"));
    assert_true(holds("group in (4, 'Finance 财务')"));
    assert_true(holds("assignee is empty"));
    assert_false(holds("assignee = 'li.na'"));
    assert_true(holds("assignee != 9"));
    assert_true(holds("category = 'Printers' and fault_code is empty"));
}

static void
test_lists_custom_fields_and_times(void **state)
{
    (void)state;
    assert_true(holds("tags contains 'VIP'"));
    assert_true(holds("tags contains_any ('x', 'billing')"));
    assert_true(holds("tags in ('billing')"));
    assert_true(holds("tags not in ('spam')"));
    assert_false(holds("tags is empty"));
    assert_true(holds("required_skills contains 'hvac'"));
    assert_true(holds("custom.error_code in (17, 23) and custom.error_code >= 17 and custom.error_code < 17.5"));
    assert_true(holds("custom.model contains 'x200'"));
    assert_true(holds("custom.parts contains 'belt'"));
    assert_true(holds("custom.urgent = true and custom.urgent"));
    assert_true(holds("created_at < '2026-01-01T00:00:00Z'"));
}

static void
test_functions_use_the_event_time_and_calendars(void **state)
{
    (void)state;
    assert_true(holds("age_hours = 100"));
    assert_true(holds("hours_in_status >= 99 and hours_in_status < 99.5"));
    assert_true(holds("business_hours_in_status(1) = 99"));
    assert_true(holds("business_hours_in_status(2) = 0"));
    assert_true(holds("within_business_hours(1)"));
    assert_true(holds("not within_business_hours(2)"));
    assert_true(holds("within_business_hours(2) = false"));
    assert_true(holds("age_hours() > 72"));
}

static void
test_precedence_not_and_or(void **state)
{
    (void)state;
    /* and binds tighter than or: true or (false and false) */
    assert_true(holds("priority = 'normal' or priority = 'low' and channel = 'phone'"));
    /* parentheses change it: (true or false) and false */
    assert_false(holds("(priority = 'normal' or priority = 'low') and channel = 'phone'"));
    /* not binds tightest: (not false) and true */
    assert_true(holds("not channel = 'phone' and priority = 'normal'"));
    assert_false(holds("not (channel = 'email' and priority = 'normal')"));
    assert_true(holds("NOT (channel = 'phone') AND (priority = 'normal' OR tags contains 'x')"));
    assert_true(holds(""));
    assert_true(holds("   "));
    assert_true(holds("true"));
    assert_false(holds("false"));
    assert_true(holds("subject = \"Please REFUND the duplicate invoice\""));
    assert_true(holds("subject contains 'it\\'s' or subject contains \"\\\\\" or true"));
}

/* A bad condition: the message mentions `what` and points at `position`. */
struct bad {
    const char *text;
    const char *what;
    int position;
};

static const struct bad bad_catalogue[] = {
    {"colour = 'red'", "unknown field 'colour'", 0},
    {"subject = 'x' and colour = 1", "unknown field", 18},
    {"custom.nope = 1", "unknown custom field", 0},
    {"subject < 'x'", "operator '<' is not allowed on text field 'subject'", 8},
    {"tags = 'x'", "operator '=' is not allowed on list", 5},
    {"priority = 'asap'", "not a priority", 11},
    {"priority = high", "text in quotes", 11},
    {"subject = 3", "text in quotes", 10},
    {"custom.error_code = 'x'", "is a number", 20},
    {"status_category = 'done'", "not a status category", 18},
    {"status = 'nowhere'", "not a status", 9},
    {"channel = 'fax'", "not a channel", 10},
    {"group = 'Sales'", "no group named 'Sales'", 8},
    {"group = 99", "no group 99", 8},
    {"assignee = 'nobody'", "no user named", 11},
    {"group = 0", "positive whole number", 8},
    {"created_at > 'yesterday'", "RFC 3339", 13},
    {"subject matches '(unclosed'", "bad regular expression", 16},
    {"subject matches '(a)\\\\1'", "back-references", 16},
    {"subject matches 'ma++++++++++++tches'", "cannot directly follow another repetition", 16},
    {"subject matches '((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+'", "repeats too much", 16},
    {"subject matches '(a{1,20}){1,20}{2}'", "cannot directly follow", 16},
    {"subject matches '((a{1,30}b){1,30}c){1,30}'", "repeats too much", 16},
    {"subject matches 'a{300}'", "at most 255", 16},
    {"(subject = 'x'", "never closed", 0},
    {"subject = 'x')", "has no '('", 13},
    {"subject = 'x' junk", "unexpected 'junk'", 14},
    {"subject = 'x' and", "expected a field", 17},
    {"and subject = 'x'", "expected a field, got and", 0},
    {"subject", "expected an operator", 7},
    {"subject 'x'", "expected an operator", 8},
    {"subject not 'x'", "expected 'in' after 'not'", 12},
    {"subject is 'x'", "expected 'empty'", 11},
    {"subject = 'unterminated", "unterminated string", 10},
    {"subject = 'bad \\q escape'", "unknown escape", 15},
    {"subject = 'x' & channel = 'email'", "unexpected character '&'", 14},
    {"subject ! 'x'", "unexpected '!'", 8},
    {"priority in 'high'", "expected '('", 12},
    {"priority in ('high' 'low')", "expected ',' or ')'", 20},
    {"within_business_hours", "needs a calendar id", 21},
    {"within_business_hours(9)", "no calendar 9", 22},
    {"within_business_hours(1) = 'yes'", "true or false", 27},
    {"subject = true", "takes no true/false", 10},
    {"age_hours(1) > 3", "takes no arguments", 10},
    {"priority = 12abc", "bad number", 11},
    {"标题 = 'x'", "unexpected character '标'", 0},
    {"subject = '退款' and 颜色 = 1", "unexpected character '颜'", 19},
};

static void
test_bad_conditions_name_the_problem_and_its_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_catalogue) / sizeof(bad_catalogue[0]); i++) {
        const struct bad *b = &bad_catalogue[i];
        struct expr *e = NULL;
        struct tend_err err;
        int position = -1;
        tend_err_clear(&err);
        if (expr_compile(b->text, &cat, &e, &position, &err) == TEND_OK)
            fail_msg("'%s' compiled", b->text);
        assert_null(e);
        assert_string_equal(err.field, "condition");
        if (!strstr(err.message, b->what))
            fail_msg("'%s': message '%s' lacks '%s'", b->text, err.message, b->what);
        if (position != b->position)
            fail_msg("'%s': position %d, expected %d (%s)", b->text, position, b->position, err.message);
    }
}

static void
test_limits_on_length_depth_and_lists(void **state)
{
    char *text = malloc(EXPR_MAX_CHARS + 64);
    struct expr *e = NULL;
    struct tend_err err;
    int position;
    size_t n = 0;

    (void)state;
    /* 33 nested parentheses */
    for (int i = 0; i < 33; i++)
        text[n++] = '(';
    n += (size_t)sprintf(text + n, "subject = 'x'");
    for (int i = 0; i < 33; i++)
        text[n++] = ')';
    text[n] = '\0';
    tend_err_clear(&err);
    assert_int_equal(expr_compile(text, &cat, &e, &position, &err), TEND_EINVAL);
    assert_non_null(strstr(err.message, "deeper than 32"));
    /* 31 levels are fine */
    strcpy(text, "((((((((((((((((((((((((((((((( subject = 'x' )))))))))))))))))))))))))))))))");
    assert_int_equal(expr_compile(text, &cat, &e, &position, &err), TEND_OK);
    expr_free(e);
    /* too long */
    memset(text, ' ', EXPR_MAX_CHARS + 1);
    text[EXPR_MAX_CHARS + 1] = '\0';
    assert_int_equal(expr_compile(text, &cat, &e, &position, &err), TEND_EINVAL);
    assert_non_null(strstr(err.message, "longer than 4000"));
    /* 65 values in a list */
    n = (size_t)sprintf(text, "subject in (");
    for (int i = 0; i < 65; i++)
        n += (size_t)sprintf(text + n, "%s'v%d'", i ? "," : "", i);
    strcpy(text + n, ")");
    assert_int_equal(expr_compile(text, &cat, &e, &position, &err), TEND_EINVAL);
    assert_non_null(strstr(err.message, "at most 64"));
    /* invalid UTF-8 */
    assert_int_equal(expr_compile("subject = '\xff'", &cat, &e, &position, &err), TEND_EINVAL);
    free(text);
}

/* --- rules ------------------------------------------------------------------------- */

static const int64_t agents[] = {7, 9};
static const int64_t webhooks[] = {5};
static const struct rules_catalog rcat = {
    {groups, 2, users, 2, categories, 1, NULL, 0, custom, 4, calendars, 2, statuses, 4}, agents, 2, webhooks, 1};

static enum tend_rc
parse(const char *json, struct rule *r, struct tend_err *err)
{
    json_t *body = json_loads(json, 0, NULL);
    int position;
    enum tend_rc rc;

    if (!body)
        fail_msg("bad test JSON: %s", json);
    tend_err_clear(err);
    rc = rule_parse(body, NULL, &rcat, r, &position, err);
    json_decref(body);
    return rc;
}

static void
test_rule_bodies_name_the_bad_field(void **state)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"{\"triggers\":[\"time\"]}", "name"},
        {"{\"name\":\"x\"}", "triggers"},
        {"{\"name\":\"x\",\"triggers\":[]}", "triggers"},
        {"{\"name\":\"x\",\"triggers\":[\"ticket.created\",\"nope\"]}", "triggers[1]"},
        {"{\"name\":\"x\",\"triggers\":[\"time\",\"time\"]}", "triggers[1]"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"colour\":1}", "colour"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"condition\":\"colour = 1\"}", "condition"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"explode\"}]}", "actions[0].type"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"set_priority\",\"value\":\"asap\"}]}",
         "actions[0].value"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"add_tags\",\"tags\":[]}]}",
         "actions[0].tags"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"escalate\"},{\"type\":\"assign_group\","
         "\"group_id\":99}]}",
         "actions[1].group_id"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"assign_group\",\"group_id\":3,"
         "\"strategy\":\"random\"}]}",
         "actions[0].strategy"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"assign_agent\",\"user_id\":8}]}",
         "actions[0].user_id"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"notify\",\"to\":[\"ceo\"],"
         "\"message\":\"m\"}]}",
         "actions[0].to[0]"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"notify\",\"to\":[\"assignee\"]}]}",
         "actions[0].message"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"webhook\",\"webhook_id\":6}]}",
         "actions[0].webhook_id"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"transition\",\"to\":\"limbo\"}]}",
         "actions[0].to"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"set_field\",\"field\":\"channel\","
         "\"value\":\"email\"}]}",
         "actions[0].field"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"set_field\",\"field\":\"category\","
         "\"value\":99}]}",
         "actions[0].value"},
        {"{\"name\":\"x\",\"triggers\":[\"time\"],\"actions\":[{\"type\":\"escalate\",\"level\":2}]}",
         "actions[0].level"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rule r;
        struct tend_err err;
        if (parse(cases[i].json, &r, &err) == TEND_OK)
            fail_msg("%s parsed", cases[i].json);
        if (strcmp(err.field, cases[i].field) != 0)
            fail_msg("%s: field '%s' (%s), expected '%s'", cases[i].json, err.field, err.message, cases[i].field);
        rule_cleanup(&r);
    }
}

/* A view from the sample, owning its custom object. */
static void
view(struct rules_view *v)
{
    json_t *c;

    memset(v, 0, sizeof(*v));
    sample(&v->x, &c);
    v->custom = c;
}

static void
test_firing_rules_change_the_view_for_later_rules_and_stop_ends_the_pass(void **state)
{
    const char *bodies[] = {
        "{\"name\":\"a\",\"triggers\":[\"ticket.created\"],\"condition\":\"subject contains 'refund'\","
        "\"actions\":[{\"type\":\"set_priority\",\"value\":\"high\"},{\"type\":\"add_tags\",\"tags\":[\"refund\"]}]}",
        "{\"name\":\"b\",\"triggers\":[\"ticket.created\"],\"condition\":\"priority = 'high'\","
        "\"actions\":[{\"type\":\"assign_group\",\"group_id\":4},{\"type\":\"set_field\",\"field\":\"custom.model\","
        "\"value\":\"Y\"}],\"stop_processing\":true}",
        "{\"name\":\"c\",\"triggers\":[\"ticket.created\"],\"condition\":\"\","
        "\"actions\":[{\"type\":\"set_priority\",\"value\":\"low\"}]}",
        "{\"name\":\"d\",\"triggers\":[\"ticket.updated\"],\"condition\":\"\","
        "\"actions\":[{\"type\":\"set_priority\",\"value\":\"low\"}]}",
    };
    struct rule rules[4];
    struct rules_view v, before;
    struct rules_pass pass;
    struct ticket_input in;
    struct tend_err err;
    json_t *diff;

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(parse(bodies[i], &rules[i], &err), TEND_OK);
    view(&v);
    rules_view_copy(&before, &v);
    assert_int_equal(rules_evaluate(rules, 4, RT_CREATED, 0, &v, NULL, &pass, &err), TEND_OK);
    assert_int_equal(pass.n, 3); /* d has another trigger */
    assert_true(pass.firings[0].fired);
    assert_true(pass.firings[1].matched); /* saw a's priority */
    assert_true(pass.firings[1].stopped);
    assert_false(pass.firings[2].matched); /* never evaluated after the stop */
    assert_string_equal(v.x.priority, "high");
    assert_int_equal(v.x.group_id, 4);
    assert_int_equal(v.x.ntags, 3);
    assert_string_equal(v.x.tags[2], "refund");
    diff = rules_view_diff(&before, &v);
    assert_non_null(json_object_get(diff, "priority"));
    assert_non_null(json_object_get(diff, "group_id"));
    assert_non_null(json_object_get(diff, "custom.model"));
    rules_view_change(&before, &v, &in);
    assert_int_equal(in.fields, TF_PRIORITY | TF_GROUP | TF_TAGS | TF_CUSTOM);
    assert_string_equal(json_string_value(json_object_get(in.custom, "model")), "Y");
    ticket_input_cleanup(&in);
    json_decref(diff);
    rules_pass_cleanup(&pass);
    rules_view_cleanup(&v);
    rules_view_cleanup(&before);
    for (int i = 0; i < 4; i++)
        rule_cleanup(&rules[i]);
}

static void
test_loop_guard_each_rule_fires_once_per_pass_even_when_it_keeps_matching(void **state)
{
    /* a rule whose own change keeps its condition true, and one whose change
     * would re-trigger it: each fires once, escalate stops at urgent */
    const char *bodies[] = {
        "{\"name\":\"bump\",\"triggers\":[\"ticket.updated\",\"ticket.created\"],\"condition\":\"priority >= 'low'\","
        "\"actions\":[{\"type\":\"escalate\"}]}",
        "{\"name\":\"again\",\"triggers\":[\"ticket.updated\"],\"condition\":\"priority >= 'low'\","
        "\"actions\":[{\"type\":\"escalate\"}]}",
    };
    struct rule rules[2];
    struct rules_view v;
    struct rules_pass pass;
    struct tend_err err;

    (void)state;
    for (int i = 0; i < 2; i++)
        assert_int_equal(parse(bodies[i], &rules[i], &err), TEND_OK);
    view(&v);
    assert_int_equal(rules_evaluate(rules, 2, RT_UPDATED, 0, &v, NULL, &pass, &err), TEND_OK);
    assert_int_equal(pass.n, 2);
    assert_string_equal(v.x.priority, "urgent"); /* normal -> high -> urgent: two firings, not a loop */
    rules_pass_cleanup(&pass);
    assert_int_equal(rules_evaluate(rules, 2, RT_UPDATED, 0, &v, NULL, &pass, &err), TEND_OK);
    assert_string_equal(v.x.priority, "urgent");
    rules_pass_cleanup(&pass);
    /* inactive rules do not run unless asked for (dry-run with bodies) */
    rules[0].active = 0;
    assert_int_equal(rules_evaluate(rules, 2, RT_CREATED, 0, &v, NULL, &pass, &err), TEND_OK);
    assert_int_equal(pass.n, 0);
    rules_pass_cleanup(&pass);
    assert_int_equal(rules_evaluate(rules, 2, RT_CREATED, 1, &v, NULL, &pass, &err), TEND_OK);
    assert_int_equal(pass.n, 1);
    rules_pass_cleanup(&pass);
    rules_view_cleanup(&v);
    for (int i = 0; i < 2; i++)
        rule_cleanup(&rules[i]);
}

static void
test_actions_round_trip_through_their_json(void **state)
{
    const char *body =
        "{\"name\":\"all\",\"triggers\":[\"time\",\"sla.warning\"],\"condition\":\"\",\"actions\":["
        "{\"type\":\"set_priority\",\"value\":\"urgent\"},"
        "{\"type\":\"set_field\",\"field\":\"category\",\"value\":11},"
        "{\"type\":\"add_tags\",\"tags\":[\"A\",\"a\",\"b\"]},{\"type\":\"remove_tags\",\"tags\":[\"b\"]},"
        "{\"type\":\"assign_group\",\"group_id\":3,\"strategy\":\"skill_match\"},"
        "{\"type\":\"assign_agent\",\"user_id\":9},{\"type\":\"set_required_skills\",\"skills\":[\"hvac\"]},"
        "{\"type\":\"notify\",\"to\":[\"assignee\",\"managers\",7],\"message\":\"看一下\"},"
        "{\"type\":\"webhook\",\"webhook_id\":5},{\"type\":\"transition\",\"to\":\"resolved\"},"
        "{\"type\":\"escalate\"}]}";
    struct rule r, again;
    struct tend_err err;
    json_t *a, *b, *wrapped;
    int position;

    (void)state;
    assert_int_equal(parse(body, &r, &err), TEND_OK);
    a = rule_actions_json(&r);
    assert_int_equal(json_array_size(a), 11);
    assert_int_equal(json_array_size(json_object_get(json_array_get(a, 2), "tags")), 2); /* normalised, once */
    wrapped = json_pack("{s:s,s:o,s:O}", "name", "again", "triggers", rule_triggers_json(r.triggers), "actions", a);
    assert_int_equal(rule_parse(wrapped, NULL, &rcat, &again, &position, &err), TEND_OK);
    b = rule_actions_json(&again);
    assert_true(json_equal(a, b));
    assert_int_equal(again.triggers, RT_TIME | RT_SLA_WARNING);
    json_decref(a);
    json_decref(b);
    json_decref(wrapped);
    rule_cleanup(&r);
    rule_cleanup(&again);
}

/* --- assignment ------------------------------------------------------------------- */

static struct rules_member
member(int64_t id, int available, int64_t open, const char *skill1, const char *skill2)
{
    struct rules_member m;

    memset(&m, 0, sizeof(m));
    m.id = id;
    m.available = available;
    m.open = open;
    if (skill1)
        strcpy(m.skills[m.nskills++], skill1);
    if (skill2)
        strcpy(m.skills[m.nskills++], skill2);
    return m;
}

static void
test_round_robin_takes_turns_skipping_the_unavailable(void **state)
{
    struct rules_member m[] = {member(2, 1, 0, NULL, NULL), member(5, 0, 0, NULL, NULL), member(7, 1, 0, NULL, NULL),
                               member(9, 1, 0, NULL, NULL)};
    (void)state;
    assert_int_equal(rules_assign_round_robin(m, 4, 0), 2);
    assert_int_equal(rules_assign_round_robin(m, 4, 2), 7); /* 5 is away */
    assert_int_equal(rules_assign_round_robin(m, 4, 7), 9);
    assert_int_equal(rules_assign_round_robin(m, 4, 9), 2); /* wraps */
    assert_int_equal(rules_assign_round_robin(m, 4, 5), 7); /* the last one left the group */
    m[0].available = m[2].available = m[3].available = 0;
    assert_int_equal(rules_assign_round_robin(m, 4, 0), 0);
    assert_int_equal(rules_assign_round_robin(m, 0, 0), 0);
}

static void
test_least_open_prefers_fewest_then_lowest_id(void **state)
{
    struct rules_member m[] = {member(2, 1, 4, NULL, NULL), member(5, 0, 0, NULL, NULL), member(7, 1, 1, NULL, NULL),
                               member(9, 1, 1, NULL, NULL)};
    (void)state;
    assert_int_equal(rules_assign_least_open(m, 4), 7);
    m[2].open = 3;
    assert_int_equal(rules_assign_least_open(m, 4), 9);
    m[1].available = 1;
    assert_int_equal(rules_assign_least_open(m, 4), 5);
}

static void
test_skill_match_needs_every_skill_then_the_least_loaded(void **state)
{
    struct rules_member m[] = {member(2, 1, 0, "hvac", NULL), member(5, 0, 0, "hvac", "electrical"),
                               member(7, 1, 3, "HVAC", "electrical"), member(9, 1, 1, "electrical", "hvac")};
    char need[2][EXPR_ITEM_MAX] = {"hvac", "electrical"};
    char none[1][EXPR_ITEM_MAX] = {"medical"};
    (void)state;
    assert_int_equal(rules_assign_skill_match(m, 4, (const char(*)[EXPR_ITEM_MAX])need, 2), 9);
    m[3].open = 5;
    assert_int_equal(rules_assign_skill_match(m, 4, (const char(*)[EXPR_ITEM_MAX])need, 2), 7);
    assert_int_equal(rules_assign_skill_match(m, 4, (const char(*)[EXPR_ITEM_MAX])none, 1), 0);
    /* no required skills: everyone available qualifies */
    assert_int_equal(rules_assign_skill_match(m, 4, (const char(*)[EXPR_ITEM_MAX])need, 0), 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operator_on_text_fields),
        cmocka_unit_test(test_priorities_order_and_enums_compare),
        cmocka_unit_test(test_references_by_id_or_name),
        cmocka_unit_test(test_lists_custom_fields_and_times),
        cmocka_unit_test(test_functions_use_the_event_time_and_calendars),
        cmocka_unit_test(test_precedence_not_and_or),
        cmocka_unit_test(test_bad_conditions_name_the_problem_and_its_position),
        cmocka_unit_test(test_limits_on_length_depth_and_lists),
        cmocka_unit_test(test_rule_bodies_name_the_bad_field),
        cmocka_unit_test(test_firing_rules_change_the_view_for_later_rules_and_stop_ends_the_pass),
        cmocka_unit_test(test_loop_guard_each_rule_fires_once_per_pass_even_when_it_keeps_matching),
        cmocka_unit_test(test_actions_round_trip_through_their_json),
        cmocka_unit_test(test_round_robin_takes_turns_skipping_the_unavailable),
        cmocka_unit_test(test_least_open_prefers_fewest_then_lowest_id),
        cmocka_unit_test(test_skill_match_needs_every_skill_then_the_least_loaded),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
