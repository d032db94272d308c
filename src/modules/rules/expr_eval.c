/* expr_eval.c: evaluation of compiled conditions on a ticket view (expr.h):
 * no allocation, text compared case-insensitively for ASCII, keyword tests on
 * subject and description against copies lower-cased once per pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "platform/util/util.h"

int
expr_equal_ci(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    while (*a && expr_fold_char((unsigned char)*a) == expr_fold_char((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == *b;
}

char *
expr_fold(const char *s)
{
    char *out = xstrdup(s ? s : "");

    for (char *p = out; *p; p++)
        *p = (char)expr_fold_char((unsigned char)*p);
    return out;
}

/* `needle` already folded: scan for its first byte in either case. */
int
expr_contains_folded(const char *hay, const char *needle)
{
    int c0 = (unsigned char)needle[0], u0 = c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0;

    if (!c0)
        return 1;
    for (const char *h = hay; *h; h++) {
        size_t i = 1;
        if ((unsigned char)*h != c0 && (unsigned char)*h != u0)
            continue;
        while (needle[i] && expr_fold_char((unsigned char)h[i]) == (unsigned char)needle[i])
            i++;
        if (!needle[i])
            return 1;
    }
    return 0;
}

int
expr_contains_ci(const char *hay, const char *needle)
{
    size_t n;

    hay = hay ? hay : "";
    if (!needle || !*needle)
        return 1;
    n = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < n && h[i] && expr_fold_char((unsigned char)h[i]) == expr_fold_char((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* --- evaluation ---------------------------------------------------------------------- */

static const char *
text_of(const struct expr_ticket *t, enum expr_field f)
{
    const char *s = NULL;

    switch (f) {
    case XF_SUBJECT:
        s = t->subject;
        break;
    case XF_DESCRIPTION:
        s = t->description;
        break;
    case XF_CUSTOMER_REF:
        s = t->customer_ref;
        break;
    case XF_STATUS:
        s = t->status;
        break;
    case XF_STATUS_CATEGORY:
        s = t->status_category;
        break;
    case XF_CHANNEL:
        s = t->channel;
        break;
    case XF_TYPE:
        s = t->type;
        break;
    case XF_ORG_TIER:
        s = t->org_tier;
        break;
    case XF_ORG_REGION:
        s = t->org_region;
        break;
    case XF_ORG_NAME:
        s = t->org_name;
        break;
    case XF_ASSET_MODEL:
        s = t->asset_model;
        break;
    case XF_ASSET_SERIAL:
        s = t->asset_serial;
        break;
    case XF_SITE_REGION:
        s = t->site_region;
        break;
    default:
        break;
    }
    return s ? s : "";
}

/* Keyword tests on a haystack already folded: plain strstr. */
static int
folded_test(const struct node *n, const char *lc)
{
    if (n->op == OP_CONTAINS)
        return strstr(lc, n->vals[0].fold) != NULL;
    for (int i = 0; i < n->nvals; i++)
        if (strstr(lc, n->vals[i].fold))
            return 1;
    return 0;
}

static int
text_test(const struct node *n, const char *s)
{
    switch (n->op) {
    case OP_EQ:
        return expr_equal_ci(s, n->vals[0].s);
    case OP_NE:
        return !expr_equal_ci(s, n->vals[0].s);
    case OP_IN:
    case OP_NOT_IN:
        for (int i = 0; i < n->nvals; i++)
            if (expr_equal_ci(s, n->vals[i].s))
                return n->op == OP_IN;
        return n->op == OP_NOT_IN;
    case OP_CONTAINS:
        return expr_contains_folded(s, n->vals[0].fold);
    case OP_CONTAINS_ANY:
        for (int i = 0; i < n->nvals; i++)
            if (expr_contains_folded(s, n->vals[i].fold))
                return 1;
        return 0;
    case OP_MATCHES:
        return regexec(&n->re, s, 0, NULL, 0) == 0;
    case OP_EMPTY:
        return !*s;
    case OP_NOT_EMPTY:
        return *s != 0;
    case OP_LT:
        return strcmp(s, n->vals[0].s) < 0;
    case OP_LE:
        return strcmp(s, n->vals[0].s) <= 0;
    case OP_GT:
        return strcmp(s, n->vals[0].s) > 0;
    case OP_GE:
        return strcmp(s, n->vals[0].s) >= 0;
    default:
        return 0;
    }
}

static int
order_test(enum expr_op op, double a, double b)
{
    switch (op) {
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_GT:
        return a > b;
    case OP_GE:
        return a >= b;
    default:
        return 0;
    }
}

/* A number that may be absent. */
static int
number_test(const struct node *n, int present, double x)
{
    if (n->op == OP_EMPTY)
        return !present;
    if (n->op == OP_NOT_EMPTY)
        return present;
    if (!present)
        return n->op == OP_NE || n->op == OP_NOT_IN;
    if (n->op == OP_IN || n->op == OP_NOT_IN) {
        for (int i = 0; i < n->nvals; i++)
            if (x == n->vals[i].num)
                return n->op == OP_IN;
        return n->op == OP_NOT_IN;
    }
    return order_test(n->op, x, n->vals[0].num);
}

static int
list_has(const char (*items)[EXPR_ITEM_MAX], int count, const char *v)
{
    for (int i = 0; i < count; i++)
        if (expr_equal_ci(items[i], v))
            return 1;
    return 0;
}

static int
list_test(const struct node *n, const char (*items)[EXPR_ITEM_MAX], int count)
{
    switch (n->op) {
    case OP_CONTAINS:
        return list_has(items, count, n->vals[0].s);
    case OP_CONTAINS_ANY:
    case OP_IN:
        for (int i = 0; i < n->nvals; i++)
            if (list_has(items, count, n->vals[i].s))
                return 1;
        return 0;
    case OP_NOT_IN:
        for (int i = 0; i < n->nvals; i++)
            if (list_has(items, count, n->vals[i].s))
                return 0;
        return 1;
    case OP_EMPTY:
        return count == 0;
    case OP_NOT_EMPTY:
        return count > 0;
    default:
        return 0;
    }
}

static int
json_list_test(const struct node *n, const json_t *arr)
{
    char items[EXPR_MAX_LIST][EXPR_ITEM_MAX];
    int count = 0;
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        if (count < EXPR_MAX_LIST && json_is_string(v))
            strlcopy(items[count++], json_string_value(v), EXPR_ITEM_MAX);
    }
    return list_test(n, (const char(*)[EXPR_ITEM_MAX])items, count);
}

static int
ref_test(const struct node *n, int64_t id)
{
    switch (n->op) {
    case OP_EQ:
        return id != 0 && id == n->vals[0].id;
    case OP_NE:
        return id != n->vals[0].id;
    case OP_IN:
    case OP_NOT_IN:
        for (int i = 0; i < n->nvals; i++)
            if (id != 0 && id == n->vals[i].id)
                return n->op == OP_IN;
        return n->op == OP_NOT_IN;
    case OP_EMPTY:
        return id == 0;
    case OP_NOT_EMPTY:
        return id != 0;
    default:
        return 0;
    }
}

static int
bool_test(const struct node *n, int b)
{
    if (n->op == OP_EQ)
        return b == n->vals[0].b;
    if (n->op == OP_NE)
        return b != n->vals[0].b;
    return b;
}

static int
custom_test(const struct node *n, const struct expr_ticket *t)
{
    const json_t *v = t->custom ? json_object_get(t->custom, n->custom_key) : NULL;
    char num[64];

    if (json_is_null(v))
        v = NULL;
    switch (n->type) {
    case EXPR_NUMBER:
        return number_test(n, json_is_number(v), json_number_value(v));
    case EXPR_BOOL:
        return bool_test(n, json_is_true(v));
    case EXPR_LIST:
        return json_list_test(n, json_is_array(v) ? v : NULL);
    case EXPR_DATE:
        if (!json_is_string(v))
            return n->op == OP_NE || n->op == OP_EMPTY;
        return text_test(n, json_string_value(v));
    default:
        if (json_is_string(v))
            return text_test(n, json_string_value(v));
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            return text_test(n, num);
        }
        if (json_is_real(v)) {
            snprintf(num, sizeof(num), "%g", json_real_value(v));
            return text_test(n, num);
        }
        if (json_is_boolean(v))
            return text_test(n, json_is_true(v) ? "true" : "false");
        return text_test(n, "");
    }
}

#define HOUR_MS 3600000.0

static int
eval_test(const struct node *n, const struct expr_ticket *t, const struct expr_env *env)
{
    switch (n->field) {
    case XF_PRIORITY: {
        int rank = expr_index_in(t->priority, expr_priorities);
        if (n->op == OP_IN || n->op == OP_NOT_IN) {
            for (int i = 0; i < n->nvals; i++)
                if (rank == n->vals[i].rank)
                    return n->op == OP_IN;
            return n->op == OP_NOT_IN;
        }
        return order_test(n->op, rank, n->vals[0].rank);
    }
    case XF_CATEGORY:
        return ref_test(n, t->category_id);
    case XF_FAULT_CODE:
        return ref_test(n, t->fault_code_id);
    case XF_GROUP:
        return ref_test(n, t->group_id);
    case XF_ASSIGNEE:
        return ref_test(n, t->assignee_id);
    case XF_TAGS:
        return list_test(n, (const char(*)[EXPR_ITEM_MAX])t->tags, t->ntags);
    case XF_REQUIRED_SKILLS:
        return list_test(n, (const char(*)[EXPR_ITEM_MAX])t->skills, t->nskills);
    case XF_CREATED_AT:
        return order_test(n->op, (double)t->created_at, (double)n->vals[0].ms);
    case XF_CUSTOM:
        return custom_test(n, t);
    case XF_HOURS_IN_STATUS:
        return number_test(n, 1, (double)(t->now - t->status_since) / HOUR_MS);
    case XF_AGE_HOURS:
        return number_test(n, 1, (double)(t->now - t->created_at) / HOUR_MS);
    case XF_BUSINESS_HOURS_IN_STATUS: {
        int64_t ms = env && env->business_ms ? env->business_ms(env->ctx, n->calendar_id, t->status_since, t->now) : 0;
        return number_test(n, 1, (double)ms / HOUR_MS);
    }
    case XF_WITHIN_BUSINESS_HOURS:
        return bool_test(n, env && env->is_business ? env->is_business(env->ctx, n->calendar_id, t->now) : 0);
    case XF_SUBJECT:
    case XF_DESCRIPTION: {
        const char *lc = n->field == XF_SUBJECT ? t->subject_lc : t->description_lc;
        if (lc && (n->op == OP_CONTAINS || n->op == OP_CONTAINS_ANY))
            return folded_test(n, lc);
        return text_test(n, text_of(t, n->field));
    }
    default:
        return text_test(n, text_of(t, n->field));
    }
}

static int
eval_node(const struct expr *e, int idx, const struct expr_ticket *t, const struct expr_env *env)
{
    const struct node *n = &e->nodes[idx];

    switch (n->kind) {
    case N_TRUE:
        return 1;
    case N_NOT:
        return !eval_node(e, n->first, t, env);
    case N_AND:
        for (int c = n->first; c >= 0; c = e->nodes[c].next)
            if (!eval_node(e, c, t, env))
                return 0;
        return 1;
    case N_OR:
        for (int c = n->first; c >= 0; c = e->nodes[c].next)
            if (eval_node(e, c, t, env))
                return 1;
        return 0;
    case N_TEST:
        return eval_test(n, t, env);
    }
    return 0;
}

int
expr_eval(const struct expr *e, const struct expr_ticket *t, const struct expr_env *env)
{
    if (!e || e->root < 0)
        return 1;
    return eval_node(e, e->root, t, env);
}
