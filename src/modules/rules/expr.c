/* expr.c: the rule condition language (expr.h): a hand-written lexer and
 * recursive-descent parser into a flat array of nodes, type checks against the
 * field table and the catalogue, and evaluation without allocation. */
#include "expr.h"

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

static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
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

/* --- the compiled form --------------------------------------------------------- */

enum node_kind { N_TRUE, N_AND, N_OR, N_NOT, N_TEST };
enum value_kind { V_STR, V_NUM, V_BOOL };

struct value {
    enum value_kind kind;
    char *s;     /* V_STR, owned */
    char *fold;  /* V_STR: s lower-cased (ASCII), owned */
    double num;  /* V_NUM */
    int b;       /* V_BOOL */
    int64_t id;  /* EXPR_REF: the id (-1: a name that matches nothing) */
    int rank;    /* EXPR_PRIORITY */
    int64_t ms;  /* EXPR_TIME */
};

struct node {
    enum node_kind kind;
    int first, next; /* children of and/or/not; the next sibling (-1: none) */
    enum expr_field field;
    enum expr_type type;
    enum expr_op op;
    char *custom_key; /* owned */
    int64_t calendar_id;
    struct value *vals; /* owned */
    int nvals;
    regex_t re;
    int has_re;
};

struct expr {
    struct node *nodes;
    int n, cap;
    int root;
    uint64_t used;
};

/* --- strings ------------------------------------------------------------------------ */

static int
fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
expr_equal_ci(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    while (*a && fold((unsigned char)*a) == fold((unsigned char)*b)) {
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
        *p = (char)fold((unsigned char)*p);
    return out;
}

/* `needle` already folded: scan for its first byte in either case. */
static int
contains_folded(const char *hay, const char *needle)
{
    int c0 = (unsigned char)needle[0], u0 = c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0;

    if (!c0)
        return 1;
    for (const char *h = hay; *h; h++) {
        size_t i = 1;
        if ((unsigned char)*h != c0 && (unsigned char)*h != u0)
            continue;
        while (needle[i] && fold((unsigned char)h[i]) == (unsigned char)needle[i])
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
        while (i < n && h[i] && fold((unsigned char)h[i]) == fold((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
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
        if (fold((unsigned char)p->src[p->tok.start + i]) != kw[i])
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

static int
value_in(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return i;
    return -1;
}

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
        v->rank = value_in(v->s, priorities);
        if (v->rank < 0)
            return fail(p, at, "'%.40s' is not a priority (low, normal, high, urgent)", v->s);
    } else if (n->type == EXPR_TIME) {
        if (time_parse_rfc3339(v->s, &v->ms))
            return fail(p, at, "'%.40s' is not an RFC 3339 time", v->s);
    } else if (n->field == XF_STATUS_CATEGORY && value_in(v->s, status_categories) < 0) {
        return fail(p, at, "'%.40s' is not a status category (new, open, pending, resolved, closed)", v->s);
    } else if (n->field == XF_CHANNEL && value_in(v->s, channels) < 0) {
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
    int rc;

    if (utf8_count(re, strlen(re)) > EXPR_MAX_REGEX)
        return fail(p, at, "a pattern is at most %d characters", EXPR_MAX_REGEX);
    for (const char *c = re; *c; c++) {
        if (*c == '\\' && c[1] >= '1' && c[1] <= '9')
            return fail(p, at, "back-references (\\%c) are not allowed in patterns", c[1]);
        if (*c == '\\' && c[1])
            c++;
    }
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
    char name[128];
    size_t len = p->tok.len;

    if (len >= sizeof(name))
        return fail(p, p->tok.start, "unknown field '%.40s...'", p->src + p->tok.start);
    for (size_t i = 0; i < len; i++)
        name[i] = (char)fold((unsigned char)p->src[p->tok.start + i]);
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
        int child, idx;
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
    int first, last, idx;

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
        int child;
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
        return contains_folded(s, n->vals[0].fold);
    case OP_CONTAINS_ANY:
        for (int i = 0; i < n->nvals; i++)
            if (contains_folded(s, n->vals[i].fold))
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

    if (v && json_is_null(v))
        v = NULL;
    switch (n->type) {
    case EXPR_NUMBER:
        return number_test(n, v && json_is_number(v), v ? json_number_value(v) : 0);
    case EXPR_BOOL:
        return bool_test(n, v && json_is_true(v));
    case EXPR_LIST:
        return json_list_test(n, json_is_array(v) ? v : NULL);
    case EXPR_DATE:
        if (!v || !json_is_string(v))
            return n->op == OP_NE || n->op == OP_EMPTY;
        return text_test(n, json_string_value(v));
    default:
        if (v && json_is_string(v))
            return text_test(n, json_string_value(v));
        if (v && json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            return text_test(n, num);
        }
        if (v && json_is_real(v)) {
            snprintf(num, sizeof(num), "%g", json_real_value(v));
            return text_test(n, num);
        }
        if (v && json_is_boolean(v))
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
        int rank = value_in(t->priority, priorities);
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
