/* rules.h: the rules engine's public API for other modules (tickets, SLA):
 * run the rules of a trigger on a ticket inside the caller's transaction and
 * get back the change set to apply; and the pure parts (rule bodies, the
 * compiled set, evaluation on a view) its own files and tests share.
 * docs/api-rules.md describes the behaviour. */
#ifndef TEND_RULES_H
#define TEND_RULES_H

#include <jansson.h>
#include <stdint.h>

#include "expr.h"
#include "modules/tickets/tickets.h"
#include "platform/db/db.h"

#define RULES_NAME_MAX 100

/* Triggers, as bits; names in rules_trigger_names by bit index. */
enum rules_trigger {
    RT_CREATED = 1 << 0,
    RT_UPDATED = 1 << 1,
    RT_COMMENTED = 1 << 2,
    RT_STATUS_CHANGED = 1 << 3,
    RT_SLA_WARNING = 1 << 4,
    RT_SLA_BREACHED = 1 << 5,
    RT_TIME = 1 << 6,
};
#define RULES_NTRIGGERS 7
extern const char *const rules_trigger_names[RULES_NTRIGGERS];

/* The trigger bit of a name, or 0. */
unsigned rules_trigger_of(const char *name);

/* What the rules decided for a ticket: `in` is a ticket change (the fields
 * bits say what to set; TF_STATUS with a transition), applied by the tickets
 * store through its validated change path as `actor`. Owned; clean up. */
struct rules_changeset {
    struct ticket_input in;
    char actor[RULES_NAME_MAX * 4 + 8]; /* "rule:<name>" or "rules" */
    json_t *rule_ids; /* the rules that changed something, for a rule.failed event */
    int fired;        /* how many rules fired */
};
void rules_changeset_cleanup(struct rules_changeset *cs);

/* Run the active rules of `triggers` (bits) on ticket `t` as written at
 * `now` (writer thread, inside the caller's transaction): write a rule.fired
 * event per firing rule (and rule.notify / rule.webhook events for those
 * actions), count the firings, and fill `cs` with the change to apply
 * (cs->in.fields 0 when none). Loop guard: the caller applies `cs` without
 * running the rules again. `cs` is initialised here. */
enum tend_rc rules_ticket_happened(struct db *db, const struct ticket *t, unsigned triggers, int64_t now,
                                   struct rules_changeset *cs, struct tend_err *err);

/* Create a rule from its API body (validated; writer thread or a loader's
 * transaction): *out is the rule as GET /rules/:id shows it (caller owns). */
enum tend_rc rules_create(struct db *db, const json_t *body, const char *actor, int64_t now, json_t **out,
                          struct tend_err *err);

/* The rules.sweep job (every minute): `time` rules on open tickets, each at
 * most once per ticket per status entry. */
enum tend_rc rules_sweep(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err);

/* --- the pure part (rules.c, assign.c) ---------------------------------------------- */

#define RULES_MAX_ACTIONS 20
#define RULES_DESCRIPTION_MAX 1000
#define RULES_MESSAGE_MAX 500
#define RULES_MAX_NOTIFY 20

enum rules_action_type {
    RA_SET_PRIORITY,
    RA_SET_FIELD,
    RA_ADD_TAGS,
    RA_REMOVE_TAGS,
    RA_ASSIGN_GROUP,
    RA_ASSIGN_AGENT,
    RA_SET_REQUIRED_SKILLS,
    RA_NOTIFY,
    RA_WEBHOOK,
    RA_TRANSITION,
    RA_ESCALATE,
    RA_COUNT
};
extern const char *const rules_action_names[RA_COUNT];

enum rules_strategy { RS_NONE, RS_ROUND_ROBIN, RS_LEAST_OPEN, RS_SKILL_MATCH };
extern const char *const rules_strategy_names[]; /* NULL-terminated */

/* notify targets */
enum { RN_ASSIGNEE = 1, RN_GROUP_LEAD = 2, RN_WATCHERS = 4, RN_MANAGERS = 8 };

struct rules_action {
    enum rules_action_type type;
    char value[48];      /* set_priority value; set_field field; transition to */
    json_t *field_value; /* set_field value (owned) */
    char items[EXPR_MAX_LIST][EXPR_ITEM_MAX]; /* tags or skills */
    int nitems;
    int64_t id;          /* group, user or webhook id */
    enum rules_strategy strategy;
    unsigned notify;     /* RN_* bits */
    int64_t notify_users[RULES_MAX_NOTIFY];
    int nnotify_users;
    char *message;       /* owned */
};

struct rule {
    int64_t id; /* 0: an unsaved body (dry-run) */
    char name[RULES_NAME_MAX * 4 + 1];
    char *description; /* owned */
    int active;
    int64_t position;
    unsigned triggers;
    char *condition;   /* owned text */
    struct expr *expr; /* owned, compiled */
    struct rules_action *actions; /* owned */
    int nactions;
    int stop_processing;
    int64_t version, created_at, updated_at;
};
void rule_cleanup(struct rule *r);

/* What action parameters may name (NULL arrays with counts < 0: anything). */
struct rules_catalog {
    struct expr_catalog x;
    const int64_t *agents; /* active staff users */
    int nagents;
    const int64_t *webhooks;
    int nwebhooks;
};

/* Parse a rule body. Create (`base` NULL): name and triggers required.
 * Update: `base` is the current rule, the body's members replace its. Fills
 * `out` (caller cleans up, also on failure) or `err` naming the field
 * ("name", "triggers[1]", "condition" with *position, "actions[2].group_id"). */
enum tend_rc rule_parse(const json_t *body, const struct rule *base, const struct rules_catalog *cat, struct rule *out,
                        int *position, struct tend_err *err);

/* The rule's stored parts: triggers and actions as JSON (new references). */
json_t *rule_triggers_json(unsigned triggers);
json_t *rule_actions_json(const struct rule *r);

/* A ticket under evaluation: the condition's view plus what actions change. */
struct rules_view {
    struct expr_ticket x;
    json_t *custom; /* owned copy of the custom values */
    json_t *custom_patch; /* keys actions set (owned) */
    int64_t watcher_ids[64];
    int nwatchers;
};

/* What the store provides to evaluation: business time, and the choice of
 * an agent in a group (`dry`: do not remember a round-robin turn). */
struct rules_env {
    struct expr_env expr;
    void *ctx;
    /* Choose an agent of `group_id` for view `v`: *user_id (0: none) and a note. */
    enum tend_rc (*choose_agent)(void *ctx, int64_t group_id, enum rules_strategy s, const struct rules_view *v,
                                 int64_t *user_id, char *note, size_t note_len, struct tend_err *err);
    /* Whether rule `r` may run in this pass (NULL: all); time rules once per status entry. */
    int (*eligible)(void *ctx, const struct rule *r);
};

/* One rule's outcome in a pass. */
struct rules_firing {
    const struct rule *rule;
    int matched, fired, stopped;
    json_t *changes; /* {field: {from, to}}; NULL unless fired */
    json_t *notes;   /* ["..."]; NULL unless fired */
    json_t *actions; /* descriptions; NULL unless fired */
};

struct rules_pass {
    struct rules_firing *firings; /* one per rule considered, in order */
    int n;
    unsigned trigger; /* the trigger bits of the pass */
};
void rules_pass_cleanup(struct rules_pass *p);

/* Evaluate `rules` (in order; only active ones unless `all`) whose triggers
 * meet `triggers`, on `v`: firing rules' actions change `v` before the next
 * rule; stop_processing ends the pass. Each rule at most once. */
enum tend_rc rules_evaluate(const struct rule *rules, int n, unsigned triggers, int all, struct rules_view *v,
                            const struct rules_env *env, struct rules_pass *out, struct tend_err *err);

/* The difference between two views as {field: {from, to}} (new reference). */
json_t *rules_view_diff(const struct rules_view *before, const struct rules_view *after);

/* Copy a view (deep: custom objects). */
void rules_view_copy(struct rules_view *dst, const struct rules_view *src);
void rules_view_cleanup(struct rules_view *v);

/* Turn the difference into a ticket change (TF_* bits); the caller owns `in`. */
void rules_view_change(const struct rules_view *before, const struct rules_view *after, struct ticket_input *in);

/* --- assignment (assign.c) ---------------------------------------------------- */

struct rules_member {
    int64_t id;
    int available; /* 0: unavailable, disabled or not staff */
    int64_t open;  /* open tickets assigned */
    char skills[EXPR_MAX_LIST][EXPR_ITEM_MAX];
    int nskills;
};

/* Round robin: the first available member (by id) after `last_id`, wrapping. 0: none. */
int64_t rules_assign_round_robin(const struct rules_member *m, int n, int64_t last_id);
/* Least open: the available member with the fewest open tickets, ties by lowest id. */
int64_t rules_assign_least_open(const struct rules_member *m, int n);
/* Skill match: available members holding every one of `skills`, then least open. */
int64_t rules_assign_skill_match(const struct rules_member *m, int n, const char (*skills)[EXPR_ITEM_MAX],
                                 int nskills);

#endif
