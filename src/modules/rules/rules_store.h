/* rules_store.h: what the rules module's database files share: the catalogue
 * of names rules may use, the compiled rule set cached per thread, the rule
 * rows, and running a pass against the database (for real or as a dry run). */
#ifndef TEND_RULES_STORE_H
#define TEND_RULES_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"
#include "rules.h"

/* The names and ids rules may refer to, loaded from the database (owned). */
struct rules_catalog_data {
    struct rules_catalog cat;
    struct expr_named *groups, *users, *categories, *fault_codes;
    struct expr_custom_def *custom;
    int64_t *calendars, *agents, *webhooks;
    char **statuses;
    char **strings; /* every name above, for freeing */
    int nstrings, capstrings;
};
enum tend_rc rules_catalog_load(struct db *db, struct rules_catalog_data *out, struct tend_err *err);
void rules_catalog_cleanup(struct rules_catalog_data *c);

/* The compiled rules, in evaluation order. */
struct rules_set {
    struct rule *rules;
    int n;
    unsigned triggers; /* the union of the active rules' triggers */
    uint64_t used;     /* the union of the fields their conditions read */
};

/* The rule set in force (cached per thread, rebuilt when the rule epoch or a
 * referenced name changes); valid until this thread's next call. */
enum tend_rc rules_set_get(struct db *db, const struct rules_set **out, struct tend_err *err);

/* Rule rows as API JSON. */
enum tend_rc rules_store_list(struct db *db, json_t **out, struct tend_err *err);
enum tend_rc rules_store_get_json(struct db *db, int64_t id, json_t **out, struct tend_err *err);

/* Writes (writer thread): sla_write.h-style functions, `body` validated here. */
enum tend_rc rules_store_create(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                json_t **out, struct tend_err *err);
enum tend_rc rules_store_update(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                json_t **out, struct tend_err *err);
enum tend_rc rules_store_delete(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                json_t **out, struct tend_err *err);
enum tend_rc rules_store_reorder(struct db *db, int64_t id, const json_t *body, const char *actor, int64_t now,
                                 json_t **out, struct tend_err *err);

/* Validate {condition, actions?, triggers?} against the catalogue: TEND_OK or
 * the error (*position >= 0 for condition errors). */
enum tend_rc rules_store_validate(struct db *db, const json_t *body, int *position, struct tend_err *err);

/* Parse `body` as a rule against the database's catalogue. */
enum tend_rc rules_store_parse(struct db *db, const json_t *body, const struct rule *base, struct rule *out,
                               int *position, struct tend_err *err);

/* A dry run (rules_run.c): *out is {trigger, trace, changes, ticket}. */
enum tend_rc rules_dry_run(struct db *db, const json_t *body, int64_t now, json_t **out, int *position,
                           struct tend_err *err);

/* GET /rules/fields: {fields, functions, triggers, actions} for the builder. */
enum tend_rc rules_fields_json(struct db *db, json_t **out, struct tend_err *err);

/* The rule's counters: fired_count and last_fired_at (0 when never). */
enum tend_rc rules_store_counters(struct db *db, int64_t rule_id, int64_t *count, int64_t *last, struct tend_err *err);

/* Count a firing of rule `rule_id` on ticket `ticket_id`. */
enum tend_rc rules_store_count_firing(struct db *db, int64_t rule_id, int64_t ticket_id, int64_t now,
                                      struct tend_err *err);

/* The pass machinery of rules_run.c for the dry run: a view of a stored or a
 * sample ticket (validated; errors name "ticket.<member>"), and a pass that
 * writes nothing (round robin shows its next turn without taking it). */
enum tend_rc rules_run_view_ticket(struct db *db, const struct ticket *t, uint64_t used, int64_t now,
                                   struct rules_view **out, struct tend_err *err);
enum tend_rc rules_run_view_sample(struct db *db, const json_t *sample, uint64_t used, int64_t now,
                                   struct rules_view **out, struct tend_err *err);
void rules_run_view_free(struct rules_view *v);
enum tend_rc rules_run_pass(struct db *db, const struct rule *rules, int n, unsigned triggers, int all,
                            struct rules_view *v, int64_t ticket_id, struct rules_pass *pass, struct tend_err *err);

/* The rule as API JSON (counters given). */
json_t *rules_rule_json(const struct rule *r, int64_t fired_count, int64_t last_fired_at);

#endif
