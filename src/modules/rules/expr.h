/* expr.h: the rule condition language: lexer, parser to an AST, validation
 * against a catalogue of fields and names, and evaluation on a ticket view.
 * Pure: no database, no clock (the view carries `now`), no HTTP. The grammar
 * and the fields are documented in docs/api-rules.md. */
#ifndef TEND_RULES_EXPR_H
#define TEND_RULES_EXPR_H

#include <jansson.h>
#include <stdint.h>

#include "platform/util/err.h"

#define EXPR_MAX_CHARS 4000   /* condition length in characters */
#define EXPR_MAX_DEPTH 32     /* nesting of parentheses and not */
#define EXPR_MAX_VALUES 64    /* values of one in/contains_any list */
#define EXPR_MAX_REGEX 200    /* characters of one matches pattern */
#define EXPR_MAX_LIST 20      /* tags / skills a view holds */
#define EXPR_ITEM_MAX 48      /* bytes of one tag or skill (NUL included) */

/* The value types of fields. */
enum expr_type {
    EXPR_TEXT,
    EXPR_ENUM,
    EXPR_PRIORITY,
    EXPR_REF,
    EXPR_LIST,
    EXPR_NUMBER,
    EXPR_TIME,
    EXPR_BOOL,
    EXPR_DATE, /* text in ISO order (custom date and datetime fields) */
};

extern const char *const expr_type_names[]; /* indexed by enum expr_type */

/* The fields a condition may test. */
enum expr_field {
    XF_SUBJECT,
    XF_DESCRIPTION,
    XF_CUSTOMER_REF,
    XF_STATUS,
    XF_STATUS_CATEGORY,
    XF_PRIORITY,
    XF_CHANNEL,
    XF_TYPE,
    XF_CATEGORY,
    XF_FAULT_CODE,
    XF_GROUP,
    XF_ASSIGNEE,
    XF_TAGS,
    XF_REQUIRED_SKILLS,
    XF_ORG_TIER,
    XF_ORG_REGION,
    XF_ORG_NAME,
    XF_ASSET_MODEL,
    XF_ASSET_SERIAL,
    XF_SITE_REGION,
    XF_CREATED_AT,
    XF_CUSTOM,          /* custom.<key> */
    XF_HOURS_IN_STATUS, /* functions from here */
    XF_BUSINESS_HOURS_IN_STATUS,
    XF_AGE_HOURS,
    XF_WITHIN_BUSINESS_HOURS,
    XF_COUNT
};

/* A field's name and type as the builder shows them. */
struct expr_field_info {
    const char *name;
    enum expr_type type;
    int takes_calendar; /* a function with a CALENDAR_ID argument */
};
extern const struct expr_field_info expr_fields[XF_COUNT];

/* The operators. */
enum expr_op {
    OP_NONE, /* a boolean function on its own */
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IN,
    OP_NOT_IN,
    OP_CONTAINS,
    OP_CONTAINS_ANY,
    OP_MATCHES,
    OP_EMPTY,
    OP_NOT_EMPTY,
};
extern const char *const expr_op_names[]; /* indexed by enum expr_op */

/* The operators a type admits, as a bit set of 1 << enum expr_op. */
unsigned expr_type_ops(enum expr_type t);

/* Names the condition may use, for validation and for resolving names to ids.
 * Every array may be NULL (with count 0); `custom` NULL with ncustom < 0
 * accepts any custom key as text. */
struct expr_named {
    int64_t id;
    const char *name;
};
struct expr_custom_def {
    const char *key;
    enum expr_type type;
};
struct expr_catalog {
    const struct expr_named *groups;
    int ngroups;
    const struct expr_named *users;
    int nusers;
    const struct expr_named *categories;
    int ncategories;
    const struct expr_named *fault_codes;
    int nfault_codes;
    const struct expr_custom_def *custom;
    int ncustom;
    const int64_t *calendars;
    int ncalendars; /* < 0: any calendar id is accepted */
    const char *const *statuses;
    int nstatuses; /* < 0: any status key is accepted */
};

/* A ticket as conditions see it. Strings are borrowed (NULL reads as ""); the
 * lists and the small strings are the view's own, so actions can change them. */
struct expr_ticket {
    const char *subject, *description, *customer_ref, *type;
    char status[48], status_category[16], priority[16], channel[16];
    int64_t category_id, fault_code_id, group_id, assignee_id;
    char tags[EXPR_MAX_LIST][EXPR_ITEM_MAX];
    int ntags;
    char skills[EXPR_MAX_LIST][EXPR_ITEM_MAX];
    int nskills;
    const char *org_tier, *org_region, *org_name, *asset_model, *asset_serial, *site_region;
    const json_t *custom; /* object, or NULL */
    int64_t created_at;   /* epoch ms */
    int64_t status_since; /* when it entered its status */
    int64_t now;          /* the event's time */
    /* subject and description with ASCII lower-cased, or NULL: set by
     * rules_evaluate for the pass so keyword tests are plain strstr */
    const char *subject_lc, *description_lc;
};

/* A copy of `s` with ASCII letters lower-cased (caller frees). */
char *expr_fold(const char *s);

/* Business-time look-ups for the calendar functions (the SLA module's
 * calendars); a calendar that is gone counts as no working time. */
struct expr_env {
    void *ctx;
    int (*is_business)(void *ctx, int64_t calendar_id, int64_t t);
    int64_t (*business_ms)(void *ctx, int64_t calendar_id, int64_t from, int64_t to);
};

struct expr; /* a compiled condition; immutable, shareable across threads */

/* Parse and validate `text` (NUL-terminated, UTF-8) against `cat` (NULL:
 * names are refused, custom keys accepted as text). On success *out owns the
 * compiled condition (expr_free); "" or blanks compile to "always true". On
 * failure TEND_EINVAL with err->field "condition", a message naming the
 * problem, and *position the 0-based code-point offset where it starts. */
enum tend_rc expr_compile(const char *text, const struct expr_catalog *cat, struct expr **out, int *position,
                          struct tend_err *err);

/* Whether the condition holds for `t`. */
int expr_eval(const struct expr *e, const struct expr_ticket *t, const struct expr_env *env);

/* Which view parts the condition reads: bits of 1 << enum expr_field. */
uint64_t expr_fields_used(const struct expr *e);

void expr_free(struct expr *e);

/* Case-insensitive (ASCII) search of `needle` in `hay`. */
int expr_contains_ci(const char *hay, const char *needle);
/* Case-insensitive (ASCII) equality. */
int expr_equal_ci(const char *a, const char *b);

#endif
