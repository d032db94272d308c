/* fuzz_rule_expr.c: libFuzzer harness for rule conditions: any text either
 * compiles or is refused with a message and a position inside the text (never
 * a crash, a hang or a leak), and a compiled condition evaluates on a ticket
 * view; the same bytes as a rule body are parsed or refused naming a field. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rules/rules.h"
#include "platform/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct expr_named groups[] = {{3, "Finance 财务"}, {4, "Senior support"}};
static const struct expr_named users[] = {{7, "finance"}};
static const struct expr_custom_def custom[] = {{"n", EXPR_NUMBER}, {"t", EXPR_TEXT}, {"l", EXPR_LIST}, {"b", EXPR_BOOL}};
static const int64_t calendars[] = {1};
static const char *const statuses[] = {"new", "open"};
static const int64_t agents[] = {7};
static const struct rules_catalog cat = {
    {groups, 2, users, 1, NULL, 0, NULL, 0, custom, 4, calendars, 1, statuses, 2}, agents, 1, NULL, 0};

static int
always(void *ctx, int64_t cal, int64_t t)
{
    (void)ctx;
    (void)cal;
    return (t & 1) == 0;
}

static int64_t
span(void *ctx, int64_t cal, int64_t a, int64_t b)
{
    (void)ctx;
    (void)cal;
    return b - a;
}

static void
evaluate(const struct expr *e)
{
    static const struct expr_env env = {NULL, always, span};
    struct expr_ticket t;
    json_t *c = json_pack("{s:i,s:s,s:[s],s:b}", "n", 3, "t", "X200", "l", "a", "b", 1);

    memset(&t, 0, sizeof(t));
    t.subject = "Refund 退款 please";
    t.description = "";
    strcpy(t.priority, "high");
    strcpy(t.status, "new");
    strcpy(t.tags[0], "vip");
    t.ntags = 1;
    t.group_id = 3;
    t.custom = c;
    t.now = 7200000;
    (void)expr_eval(e, &t, &env);
    json_decref(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    struct expr *e = NULL;
    struct tend_err err;
    int position = -1;
    json_t *body;

    memcpy(text, data, size);
    text[size] = '\0';
    tend_err_clear(&err);
    if (expr_compile(text, &cat.x, &e, &position, &err) == TEND_OK) {
        evaluate(e);
        expr_free(e);
    } else if (err.rc != TEND_EINVAL || !err.message[0] || position < 0 ||
               (size_t)position > utf8_count(text, strlen(text)) + 1) {
        __builtin_trap(); /* a refusal says what and where */
    }
    body = json_loadb((const char *)data, size, 0, NULL);
    if (body) {
        struct rule r;
        tend_err_clear(&err);
        if (rule_parse(body, NULL, &cat, &r, &position, &err) != TEND_OK && err.rc != TEND_EINVAL)
            __builtin_trap();
        rule_cleanup(&r);
        json_decref(body);
    }
    free(text);
    return 0;
}
