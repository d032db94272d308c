/* expr.c: the rule condition language (expr.h): a hand-written lexer and
 * recursive-descent parser into a flat array of nodes, type checks against the
 * field table and the catalogue, and evaluation without allocation. */
#include "expr_int.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

const char *const expr_type_names[] = {"text", "enum", "priority", "ref", "list", "number", "time", "bool", "date"};

const char *const expr_op_names[] = {"",    "=",        "!=",           "<",       "<=",       ">",       ">=",
                                     "in",  "not in",   "contains",     "contains_any", "matches", "is empty",
                                     "is not empty"};

const struct expr_field_info expr_fields[XF_COUNT] = {
    [XF_SUBJECT] = {"subject", EXPR_TEXT, 0},
    [XF_DESCRIPTION] = {"description", EXPR_TEXT, 0},
    [XF_CUSTOMER_REF] = {"customer_ref", EXPR_TEXT, 0},
    [XF_STATUS] = {"status", EXPR_ENUM, 0},
    [XF_STATUS_CATEGORY] = {"status_category", EXPR_ENUM, 0},
    [XF_PRIORITY] = {"priority", EXPR_PRIORITY, 0},
    [XF_CHANNEL] = {"channel", EXPR_ENUM, 0},
    [XF_TYPE] = {"type", EXPR_ENUM, 0},
    [XF_CATEGORY] = {"category", EXPR_REF, 0},
    [XF_FAULT_CODE] = {"fault_code", EXPR_REF, 0},
    [XF_GROUP] = {"group", EXPR_REF, 0},
    [XF_ASSIGNEE] = {"assignee", EXPR_REF, 0},
    [XF_TAGS] = {"tags", EXPR_LIST, 0},
    [XF_REQUIRED_SKILLS] = {"required_skills", EXPR_LIST, 0},
    [XF_ORG_TIER] = {"organisation.tier", EXPR_TEXT, 0},
    [XF_ORG_REGION] = {"organisation.region", EXPR_TEXT, 0},
    [XF_ORG_NAME] = {"organisation.name", EXPR_TEXT, 0},
    [XF_ASSET_MODEL] = {"asset.model", EXPR_TEXT, 0},
    [XF_ASSET_SERIAL] = {"asset.serial", EXPR_TEXT, 0},
    [XF_SITE_REGION] = {"site.region", EXPR_TEXT, 0},
    [XF_CREATED_AT] = {"created_at", EXPR_TIME, 0},
    [XF_CUSTOM] = {"custom.<key>", EXPR_TEXT, 0},
    [XF_HOURS_IN_STATUS] = {"hours_in_status", EXPR_NUMBER, 0},
    [XF_BUSINESS_HOURS_IN_STATUS] = {"business_hours_in_status", EXPR_NUMBER, 1},
    [XF_AGE_HOURS] = {"age_hours", EXPR_NUMBER, 0},
    [XF_WITHIN_BUSINESS_HOURS] = {"within_business_hours", EXPR_BOOL, 1},
};

const char *const expr_priorities[] = {"low", "normal", "high", "urgent", NULL};
static const char *const status_categories[] = {"new", "open", "pending", "resolved", "closed", NULL};
static const char *const channels[] = {"portal", "email", "phone", "wechat", "api", "iot", "internal", NULL};

#define BIT(op) (1u << (op))
#define TEXT_OPS                                                                                                    \
    (BIT(OP_EQ) | BIT(OP_NE) | BIT(OP_IN) | BIT(OP_NOT_IN) | BIT(OP_CONTAINS) | BIT(OP_CONTAINS_ANY) |             \
     BIT(OP_MATCHES) | BIT(OP_EMPTY) | BIT(OP_NOT_EMPTY))
#define ORDER_OPS (BIT(OP_EQ) | BIT(OP_NE) | BIT(OP_LT) | BIT(OP_LE) | BIT(OP_GT) | BIT(OP_GE))

unsigned
expr_type_ops(enum expr_type t)
{
    switch (t) {
    case EXPR_TEXT:
        return TEXT_OPS;
    case EXPR_ENUM:
        return BIT(OP_EQ) | BIT(OP_NE) | BIT(OP_IN) | BIT(OP_NOT_IN);
    case EXPR_PRIORITY:
        return ORDER_OPS | BIT(OP_IN) | BIT(OP_NOT_IN);
    case EXPR_REF:
        return BIT(OP_EQ) | BIT(OP_NE) | BIT(OP_IN) | BIT(OP_NOT_IN) | BIT(OP_EMPTY) | BIT(OP_NOT_EMPTY);
    case EXPR_LIST:
        return BIT(OP_CONTAINS) | BIT(OP_CONTAINS_ANY) | BIT(OP_IN) | BIT(OP_NOT_IN) | BIT(OP_EMPTY) |
               BIT(OP_NOT_EMPTY);
    case EXPR_NUMBER:
        return ORDER_OPS | BIT(OP_IN) | BIT(OP_NOT_IN) | BIT(OP_EMPTY) | BIT(OP_NOT_EMPTY);
    case EXPR_TIME:
        return ORDER_OPS;
    case EXPR_BOOL:
        return BIT(OP_NONE) | BIT(OP_EQ) | BIT(OP_NE);
    case EXPR_DATE:
        return ORDER_OPS | BIT(OP_EMPTY) | BIT(OP_NOT_EMPTY);
    }
    return 0;
}

/* --- lexer -------------------------------------------------------------------------- */

enum tok_kind { T_END, T_IDENT, T_STRING, T_NUMBER, T_LP, T_RP, T_COMMA, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE };

struct tok {
    enum tok_kind kind;
    size_t start, len; /* bytes in the source */
    char *text;        /* T_STRING: the unescaped value, owned */
    double num;
    int is_int;
    int64_t ival;
};

struct parser {
    const char *src;
    size_t pos;
    struct tok tok;
    const struct expr_catalog *cat;
    struct expr *e;
    struct tend_err *err;
    int failed;
    size_t errpos; /* bytes */
    int depth;
};

static int
fail(struct parser *p, size_t at, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof(p->err->message)];

    if (p->failed)
        return -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    utf8_sanitize(msg);
    tend_fail(p->err, TEND_EINVAL, "condition", "%s", msg);
    p->failed = 1;
    p->errpos = at;
    return -1;
}

/* The token's source text, shortened, for messages. */
static const char *
tok_quote(const struct parser *p, const struct tok *t, char *buf, size_t len)
{
    size_t n = t->len < len - 1 ? t->len : len - 1;

    if (t->kind == T_END)
        return "the end";
    memcpy(buf, p->src + t->start, n);
    buf[n] = '\0';
    utf8_sanitize(buf);
    return buf;
}

static int
ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static int
ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '.';
}

static int
lex_string(struct parser *p)
{
    const char *s = p->src;
    char quote = s[p->pos];
    size_t i = p->pos + 1, cap = 16, n = 0;
    char *out = xmalloc(cap);

    for (;;) {
        char c = s[i];
        if (c == '\0') {
            free(out);
            return fail(p, p->pos, "unterminated string");
        }
        if (c == quote) {
            i++;
            break;
        }
        if (c == '\\') {
            char d = s[i + 1];
            if (d == 'n')
                c = '\n';
            else if (d == 't')
                c = '\t';
            else if (d == '\\' || d == '\'' || d == '"')
                c = d;
            else {
                free(out);
                return fail(p, i, "unknown escape '\\%c' in a string", d ? d : ' ');
            }
            i++;
        }
        if (n + 2 > cap) {
            cap *= 2;
            out = xrealloc(out, cap);
        }
        out[n++] = c;
        i++;
    }
    out[n] = '\0';
    p->tok.kind = T_STRING;
    p->tok.text = out;
    p->tok.len = i - p->pos;
    p->pos = i;
    return 0;
}

static int
lex_number(struct parser *p)
{
    const char *s = p->src;
    size_t i = p->pos;
    char buf[64];
    int dot = 0;

    if (s[i] == '-')
        i++;
    while (isdigit((unsigned char)s[i]) || (s[i] == '.' && !dot && isdigit((unsigned char)s[i + 1]))) {
        dot |= s[i] == '.';
        i++;
    }
    if (ident_char((unsigned char)s[i]))
        return fail(p, p->pos, "bad number");
    if (i - p->pos >= sizeof(buf))
        return fail(p, p->pos, "number too long");
    memcpy(buf, s + p->pos, i - p->pos);
    buf[i - p->pos] = '\0';
    p->tok.kind = T_NUMBER;
    p->tok.num = strtod(buf, NULL);
    p->tok.is_int = !dot && parse_int64(buf, strlen(buf), INT64_MIN / 2, INT64_MAX / 2, &p->tok.ival) == 0;
    p->tok.len = i - p->pos;
    p->pos = i;
    return 0;
}

/* Read the next token into p->tok. */
static int
next(struct parser *p)
{
    const char *s = p->src;
    int c;

    free(p->tok.text);
    memset(&p->tok, 0, sizeof(p->tok));
    while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\r' || s[p->pos] == '\n')
        p->pos++;
    p->tok.start = p->pos;
    c = (unsigned char)s[p->pos];
    if (c == '\0') {
        p->tok.kind = T_END;
        return 0;
    }
    if (c == '\'' || c == '"')
        return lex_string(p);
    if (isdigit(c) || (c == '-' && isdigit((unsigned char)s[p->pos + 1])))
        return lex_number(p);
    if (ident_start(c)) {
        size_t i = p->pos;
        while (ident_char((unsigned char)s[i]))
            i++;
        p->tok.kind = T_IDENT;
        p->tok.len = i - p->pos;
        p->pos = i;
        return 0;
    }
    p->tok.len = 1;
    switch (c) {
    case '(':
        p->tok.kind = T_LP;
        break;
    case ')':
        p->tok.kind = T_RP;
        break;
    case ',':
        p->tok.kind = T_COMMA;
        break;
    case '=':
        p->tok.kind = T_EQ;
        break;
    case '!':
        if (s[p->pos + 1] != '=')
            return fail(p, p->pos, "unexpected '!' (did you mean '!=' or 'not'?)");
        p->tok.kind = T_NE;
        p->tok.len = 2;
        break;
    case '<':
        p->tok.kind = s[p->pos + 1] == '=' ? T_LE : T_LT;
        p->tok.len = s[p->pos + 1] == '=' ? 2 : 1;
        break;
    case '>':
        p->tok.kind = s[p->pos + 1] == '=' ? T_GE : T_GT;
        p->tok.len = s[p->pos + 1] == '=' ? 2 : 1;
        break;
    default: {
        char ch[8] = {0};
        size_t n = 1;
        while (n < 4 && (s[p->pos + n] & 0xC0) == 0x80)
            n++;
        memcpy(ch, s + p->pos, n);
        return fail(p, p->pos, "unexpected character '%s'", ch);
    }
    }
    p->pos += p->tok.len;
    return 0;
}

/* Whether the current token is the keyword `kw` (case-insensitive). */
static int
is_kw(const struct parser *p, const char *kw)
{
    size_t n = strlen(kw);

    if (p->tok.kind != T_IDENT || p->tok.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (expr_fold_char((unsigned char)p->src[p->tok.start + i]) != kw[i])
            return 0;
    return 1;
}

static const char *const keywords[] = {"and", "or", "not", "in", "contains", "contains_any", "matches",
                                       "is", "empty", "true", "false", NULL};

static int
is_keyword(const struct parser *p)
{
    for (int i = 0; keywords[i]; i++)
        if (is_kw(p, keywords[i]))
            return 1;
    return 0;
}

/* --- nodes --------------------------------------------------------------------------- */

static int
new_node(struct expr *e, enum node_kind kind)
{
    struct node *n;

    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->nodes = xrealloc(e->nodes, (size_t)e->cap * sizeof(*e->nodes));
    }
    n = &e->nodes[e->n];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->first = -1;
    n->next = -1;
    return e->n++;
}

/* --- values ------------------------------------------------------------------------ */

static const struct expr_named *
ref_list(const struct expr_catalog *cat, enum expr_field f, int *n, const char **what)
{
    *n = 0;
    *what = f == XF_GROUP ? "group" : f == XF_ASSIGNEE ? "user" : f == XF_CATEGORY ? "category" : "fault code";
    if (!cat)
        return NULL;
    switch (f) {
    case XF_GROUP:
        *n = cat->ngroups;
        return cat->groups;
    case XF_ASSIGNEE:
        *n = cat->nusers;
        return cat->users;
    case XF_CATEGORY:
        *n = cat->ncategories;
        return cat->categories;
    default:
        *n = cat->nfault_codes;
        return cat->fault_codes;
    }
}

static int
ref_value(struct parser *p, struct node *n, struct value *v, size_t at)
{
    const char *what;
    int count;
    const struct expr_named *list = ref_list(p->cat, n->field, &count, &what);

    if (p->tok.kind == T_NUMBER) {
        if (!p->tok.is_int || p->tok.ival <= 0)
            return fail(p, at, "a %s id is a positive whole number", what);
        v->id = p->tok.ival;
        if (!list)
            return 0;
        for (int i = 0; i < count; i++)
            if (list[i].id == v->id)
                return 0;
        return fail(p, at, "no %s %lld", what, (long long)v->id);
    }
    if (p->tok.kind != T_STRING)
        return fail(p, at, "expected a %s id or name", what);
    if (!list) /* syntax only (no catalog): the name is not looked up */
        return 0;
    for (int i = 0; i < count; i++)
        if (list && expr_equal_ci(list[i].name, p->tok.text)) {
            v->id = list[i].id;
            return 0;
        }
    return fail(p, at, "no %s named '%.60s'", what, p->tok.text);
}

/* Read the value at the current token for test node `n` into `v`. */
static int
read_value(struct parser *p, struct node *n, struct value *v)
{
    size_t at = p->tok.start;
    const char *name = n->custom_key ? "custom field" : expr_fields[n->field].name;

    memset(v, 0, sizeof(*v));
    if (p->tok.kind == T_IDENT && (is_kw(p, "true") || is_kw(p, "false"))) {
        v->kind = V_BOOL;
        v->b = is_kw(p, "true");
        if (n->type != EXPR_BOOL)
            return fail(p, at, "'%s' takes no true/false value", name);
        return next(p);
    }
    if (n->type == EXPR_BOOL)
        return fail(p, at, "'%s' compares with true or false", name);
    if (n->type == EXPR_REF) {
        v->kind = p->tok.kind == T_STRING ? V_STR : V_NUM;
        if (ref_value(p, n, v, at))
            return -1;
        return next(p);
    }
    if (n->type == EXPR_NUMBER) {
        if (p->tok.kind != T_NUMBER)
            return fail(p, at, "'%s' is a number: expected a number", name);
        v->kind = V_NUM;
        v->num = p->tok.num;
        return next(p);
    }
    if (p->tok.kind != T_STRING) {
        char buf[40];
        return fail(p, at, "'%s' compares with text in quotes, not %s", name, tok_quote(p, &p->tok, buf, sizeof(buf)));
    }
    v->kind = V_STR;
    v->s = p->tok.text;
    v->fold = expr_fold(v->s);
    p->tok.text = NULL;
    if (n->type == EXPR_PRIORITY) {
        v->rank = expr_index_in(v->s, expr_priorities);
        if (v->rank < 0)
            return fail(p, at, "'%.40s' is not a priority (low, normal, high, urgent)", v->s);
    } else if (n->type == EXPR_TIME) {
        if (time_parse_rfc3339(v->s, &v->ms))
            return fail(p, at, "'%.40s' is not an RFC 3339 time", v->s);
    } else if (n->field == XF_STATUS_CATEGORY && expr_index_in(v->s, status_categories) < 0) {
        return fail(p, at, "'%.40s' is not a status category (new, open, pending, resolved, closed)", v->s);
    } else if (n->field == XF_CHANNEL && expr_index_in(v->s, channels) < 0) {
        return fail(p, at, "'%.40s' is not a channel", v->s);
    } else if (n->field == XF_STATUS && p->cat && p->cat->nstatuses >= 0) {
        int found = 0;
        for (int i = 0; i < p->cat->nstatuses && !found; i++)
            found = strcmp(p->cat->statuses[i], v->s) == 0;
        if (!found)
            return fail(p, at, "'%.40s' is not a status of any workflow", v->s);
    }
    return next(p);
}

/* '(' value (',' value)* ')' into n->vals. */
static int
read_list(struct parser *p, struct node *n)
{
    if (p->tok.kind != T_LP)
        return fail(p, p->tok.start, "expected '(' and a list of values");
    if (next(p))
        return -1;
    for (;;) {
        if (n->nvals == EXPR_MAX_VALUES)
            return fail(p, p->tok.start, "a list holds at most %d values", EXPR_MAX_VALUES);
        n->vals = xrealloc(n->vals, (size_t)(n->nvals + 1) * sizeof(*n->vals));
        memset(&n->vals[n->nvals], 0, sizeof(*n->vals));
        n->nvals++;
        if (read_value(p, n, &n->vals[n->nvals - 1]))
            return -1;
        if (p->tok.kind == T_RP)
            return next(p);
        if (p->tok.kind != T_COMMA)
            return fail(p, p->tok.start, "expected ',' or ')' in the list");
        if (next(p))
            return -1;
    }
}

static int
one_value(struct parser *p, struct node *n)
{
    n->vals = xcalloc(1, sizeof(*n->vals));
    n->nvals = 1;
    return read_value(p, n, &n->vals[0]);
}

/* A matches pattern: bounded, no back-references, compiled now. */
static int
compile_regex(struct parser *p, struct node *n, size_t at)
{
    const char *re = n->vals[0].s;
    const char *problem;
    int rc;

    if (utf8_count(re, strlen(re)) > EXPR_MAX_REGEX)
        return fail(p, at, "a pattern is at most %d characters", EXPR_MAX_REGEX);
    for (const char *c = re; *c; c++) {
        if (*c == '\\' && c[1] >= '1' && c[1] <= '9')
            return fail(p, at, "back-references (\\%c) are not allowed in patterns", c[1]);
        if (*c == '\\' && c[1])
            c++;
    }
    problem = regex_cost_problem(re);
    if (problem)
        return fail(p, at, "%s", problem);
    rc = regcomp(&n->re, re, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc) {
        char msg[128];
        regerror(rc, &n->re, msg, sizeof(msg));
        regfree(&n->re);
        return fail(p, at, "bad regular expression: %s", msg);
    }
    n->has_re = 1;
    return 0;
}

/* --- the grammar -------------------------------------------------------------------- */

static int parse_or(struct parser *p, int *out);

/* Look up the field named by the identifier token; fills n->field/type/custom_key. */
static int
read_field(struct parser *p, struct node *n)
{
    char name[128] = {0};
    size_t len = p->tok.len;

    if (len >= sizeof(name))
        return fail(p, p->tok.start, "unknown field '%.40s...'", p->src + p->tok.start);
    for (size_t i = 0; i < len; i++)
        name[i] = (char)expr_fold_char((unsigned char)p->src[p->tok.start + i]);
    name[len] = '\0';
    if (strncmp(name, "custom.", 7) == 0 && name[7]) {
        const char *key = p->src + p->tok.start + 7; /* as written */
        n->field = XF_CUSTOM;
        n->custom_key = xmalloc(len - 7 + 1);
        memcpy(n->custom_key, key, len - 7);
        n->custom_key[len - 7] = '\0';
        n->type = EXPR_TEXT;
        if (p->cat && p->cat->ncustom >= 0) {
            int found = 0;
            for (int i = 0; i < p->cat->ncustom && !found; i++)
                if (strcmp(p->cat->custom[i].key, n->custom_key) == 0) {
                    n->type = p->cat->custom[i].type;
                    found = 1;
                }
            if (!found)
                return fail(p, p->tok.start, "unknown custom field '%s'", n->custom_key);
        }
        return 0;
    }
    for (int f = 0; f < XF_COUNT; f++)
        if (f != XF_CUSTOM && strcmp(expr_fields[f].name, name) == 0) {
            n->field = (enum expr_field)f;
            n->type = expr_fields[f].type;
            return 0;
        }
    return fail(p, p->tok.start, "unknown field '%s'", name);
}

/* A function's "(CALENDAR_ID)" or "()". */
static int
read_args(struct parser *p, struct node *n)
{
    const char *name = expr_fields[n->field].name;

    if (!expr_fields[n->field].takes_calendar) {
        if (p->tok.kind != T_LP)
            return 0;
        if (next(p))
            return -1;
        if (p->tok.kind != T_RP)
            return fail(p, p->tok.start, "%s takes no arguments", name);
        return next(p);
    }
    if (p->tok.kind != T_LP)
        return fail(p, p->tok.start, "%s needs a calendar id: %s(1)", name, name);
    if (next(p))
        return -1;
    if (p->tok.kind != T_NUMBER || !p->tok.is_int || p->tok.ival <= 0)
        return fail(p, p->tok.start, "%s needs a calendar id (a positive whole number)", name);
    n->calendar_id = p->tok.ival;
    if (p->cat && p->cat->ncalendars >= 0) {
        int found = 0;
        for (int i = 0; i < p->cat->ncalendars && !found; i++)
            found = p->cat->calendars[i] == n->calendar_id;
        if (!found)
            return fail(p, p->tok.start, "no calendar %lld", (long long)n->calendar_id);
    }
    if (next(p))
        return -1;
    if (p->tok.kind != T_RP)
        return fail(p, p->tok.start, "expected ')' after the calendar id");
    return next(p);
}

/* The operator after a field. */
static int
read_op(struct parser *p, struct node *n, size_t *op_at)
{
    *op_at = p->tok.start;
    switch (p->tok.kind) {
    case T_EQ:
        n->op = OP_EQ;
        return next(p);
    case T_NE:
        n->op = OP_NE;
        return next(p);
    case T_LT:
        n->op = OP_LT;
        return next(p);
    case T_LE:
        n->op = OP_LE;
        return next(p);
    case T_GT:
        n->op = OP_GT;
        return next(p);
    case T_GE:
        n->op = OP_GE;
        return next(p);
    default:
        break;
    }
    if (is_kw(p, "in")) {
        n->op = OP_IN;
        return next(p);
    }
    if (is_kw(p, "not")) {
        if (next(p))
            return -1;
        if (!is_kw(p, "in"))
            return fail(p, p->tok.start, "expected 'in' after 'not'");
        n->op = OP_NOT_IN;
        return next(p);
    }
    if (is_kw(p, "contains")) {
        n->op = OP_CONTAINS;
        return next(p);
    }
    if (is_kw(p, "contains_any")) {
        n->op = OP_CONTAINS_ANY;
        return next(p);
    }
    if (is_kw(p, "matches")) {
        n->op = OP_MATCHES;
        return next(p);
    }
    if (is_kw(p, "is")) {
        if (next(p))
            return -1;
        n->op = OP_EMPTY;
        if (is_kw(p, "not")) {
            n->op = OP_NOT_EMPTY;
            if (next(p))
                return -1;
        }
        if (!is_kw(p, "empty"))
            return fail(p, p->tok.start, "expected 'empty' after 'is'");
        return next(p);
    }
    if (n->type == EXPR_BOOL) {
        n->op = OP_NONE;
        return 0;
    }
    {
        char buf[40];
        return fail(p, p->tok.start, "expected an operator after '%s', got %s",
                    n->custom_key ? n->custom_key : expr_fields[n->field].name,
                    tok_quote(p, &p->tok, buf, sizeof(buf)));
    }
}

static int
parse_test(struct parser *p, int *out)
{
    int idx = new_node(p->e, N_TEST);
    struct node *n = &p->e->nodes[idx];
    size_t op_at = 0, val_at;

    *out = idx;
    if (p->tok.kind != T_IDENT || is_keyword(p)) {
        char buf[40];
        return fail(p, p->tok.start, "expected a field, got %s", tok_quote(p, &p->tok, buf, sizeof(buf)));
    }
    if (read_field(p, n) || next(p) || read_args(p, n))
        return -1;
    n = &p->e->nodes[idx];
    if (read_op(p, n, &op_at))
        return -1;
    if (!(expr_type_ops(n->type) & BIT(n->op)))
        return fail(p, op_at, "operator '%s' is not allowed on %s field '%s'", expr_op_names[n->op],
                    expr_type_names[n->type], n->custom_key ? n->custom_key : expr_fields[n->field].name);
    p->e->used |= UINT64_C(1) << n->field;
    val_at = p->tok.start;
    switch (n->op) {
    case OP_NONE:
    case OP_EMPTY:
    case OP_NOT_EMPTY:
        return 0;
    case OP_IN:
    case OP_NOT_IN:
        return read_list(p, n);
    case OP_CONTAINS_ANY:
        return p->tok.kind == T_LP ? read_list(p, n) : one_value(p, n);
    case OP_MATCHES:
        if (p->tok.kind != T_STRING)
            return fail(p, val_at, "matches takes a pattern in quotes");
        if (one_value(p, n))
            return -1;
        return compile_regex(p, &p->e->nodes[idx], val_at);
    case OP_CONTAINS:
        if (n->type == EXPR_TEXT || n->type == EXPR_LIST) {
            if (p->tok.kind != T_STRING)
                return fail(p, val_at, "contains takes text in quotes");
        }
        return one_value(p, n);
    default:
        return one_value(p, n);
    }
}

static int
parse_unary(struct parser *p, int *out)
{
    int rc;

    if (++p->depth > EXPR_MAX_DEPTH)
        return fail(p, p->tok.start, "the condition nests deeper than %d levels", EXPR_MAX_DEPTH);
    if (is_kw(p, "not")) {
        int child = -1, idx;
        if (next(p) || parse_unary(p, &child))
            return -1;
        idx = new_node(p->e, N_NOT);
        p->e->nodes[idx].first = child;
        *out = idx;
        rc = 0;
    } else if (p->tok.kind == T_LP) {
        size_t open = p->tok.start;
        if (next(p) || parse_or(p, out))
            return -1;
        if (p->tok.kind != T_RP)
            return fail(p, p->tok.kind == T_END ? open : p->tok.start,
                        p->tok.kind == T_END ? "unbalanced parentheses: this '(' is never closed" : "expected ')'");
        rc = next(p);
    } else if (is_kw(p, "true") || is_kw(p, "false")) {
        int idx = new_node(p->e, N_TRUE);
        if (is_kw(p, "false")) { /* false is not true */
            int t = idx;
            idx = new_node(p->e, N_NOT);
            p->e->nodes[idx].first = t;
        }
        *out = idx;
        rc = next(p);
    } else {
        rc = parse_test(p, out);
    }
    p->depth--;
    return rc;
}

/* and/or: a node with the operands as children (one operand: itself). */
static int
parse_chain(struct parser *p, const char *kw, enum node_kind kind, int (*operand)(struct parser *, int *), int *out)
{
    int first = -1, last, idx;

    if (operand(p, &first))
        return -1;
    if (!is_kw(p, kw)) {
        *out = first;
        return 0;
    }
    idx = new_node(p->e, kind);
    p->e->nodes[idx].first = first;
    last = first;
    while (is_kw(p, kw)) {
        int child = -1;
        if (next(p) || operand(p, &child))
            return -1;
        p->e->nodes[last].next = child;
        last = child;
    }
    *out = idx;
    return 0;
}

static int
parse_and(struct parser *p, int *out)
{
    return parse_chain(p, "and", N_AND, parse_unary, out);
}

static int
parse_or(struct parser *p, int *out)
{
    return parse_chain(p, "or", N_OR, parse_and, out);
}

/* --- compile and free ---------------------------------------------------------------- */

void
expr_free(struct expr *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n; i++) {
        struct node *n = &e->nodes[i];
        for (int j = 0; j < n->nvals; j++) {
            free(n->vals[j].s);
            free(n->vals[j].fold);
        }
        free(n->vals);
        free(n->custom_key);
        if (n->has_re)
            regfree(&n->re);
    }
    free(e->nodes);
    free(e);
}

enum tend_rc
expr_compile(const char *text, const struct expr_catalog *cat, struct expr **out, int *position,
             struct tend_err *err)
{
    struct parser p;
    struct expr *e = xcalloc(1, sizeof(*e));
    size_t len = strlen(text);

    *out = NULL;
    *position = 0;
    if (!utf8_valid(text, len)) {
        expr_free(e);
        return tend_fail(err, TEND_EINVAL, "condition", "the condition is not valid UTF-8 text");
    }
    if (utf8_count(text, len) > EXPR_MAX_CHARS) {
        expr_free(e);
        *position = EXPR_MAX_CHARS;
        return tend_fail(err, TEND_EINVAL, "condition", "the condition is longer than %d characters",
                         EXPR_MAX_CHARS);
    }
    memset(&p, 0, sizeof(p));
    p.src = text;
    p.cat = cat;
    p.e = e;
    p.err = err;
    e->root = -1;
    if (next(&p) == 0) {
        if (p.tok.kind == T_END)
            e->root = new_node(e, N_TRUE);
        else if (parse_or(&p, &e->root) == 0 && p.tok.kind != T_END) {
            char buf[40];
            if (p.tok.kind == T_RP)
                fail(&p, p.tok.start, "unbalanced parentheses: this ')' has no '('");
            else
                fail(&p, p.tok.start, "unexpected '%s' after the end of the condition",
                     tok_quote(&p, &p.tok, buf, sizeof(buf)));
        }
    }
    free(p.tok.text);
    if (p.failed) {
        *position = (int)utf8_count(text, p.errpos);
        expr_free(e);
        return TEND_EINVAL;
    }
    *out = e;
    return TEND_OK;
}

uint64_t
expr_fields_used(const struct expr *e)
{
    return e ? e->used : 0;
}
