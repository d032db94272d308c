/* tickets_store.h: what the tickets module's store files share among
 * themselves (not for other modules: they use tickets.h). */
#ifndef TEND_TICKETS_STORE_H
#define TEND_TICKETS_STORE_H

#include "tickets.h"

/* The columns every ticket read selects, in the order tickets_store_read_columns
 * expects, and the join that gives the type's key. */
#define TICKET_SELECT                                                                            \
    "t.id, t.number, t.subject, t.description, t.status, t.priority, t.customer_ref, t.version, " \
    "t.created_at, t.updated_at, t.organisation_id, t.assignee_id, t.type_id, ty.key, "           \
    "t.status_category, t.channel, t.category_id, t.fault_code_id, t.group_id, t.tags, "         \
    "t.watchers, t.custom, t.resolution_code, t.resolution, t.merged_into_id, t.sla_policy_id, "   \
    "t.sla_due_at, t.sla_warn_at, t.sla_flags, t.asset_id, t.required_skills"
#define TICKET_SELECT_COLUMNS 31 /* a query's own columns follow at this index */
#define TICKET_JOIN "LEFT JOIN ticket_types ty ON ty.id = t.type_id"

/* Fill `t` from the current row: copies (borrow 0, clean up with ticket_cleanup)
 * or pointers into the statement valid until its next step (borrow 1). */
void tickets_store_read_columns(struct db_stmt *st, struct ticket *t, int borrow);

/* Add `delta` to the per-status counters of `t`'s status, group, assignee and
 * organisation. */
enum tend_rc tickets_store_count(struct db *db, const struct ticket *t, int delta,
                                 struct tend_err *err);

/* Apply a validated change to ticket `t` (read, in scope, version checked):
 * fields, custom values, the workflow transition and its requirements; write it
 * and record the events. Counters are the caller's. `status_field` names the
 * status in errors ("status" or "to"). */
enum tend_rc tickets_store_change(struct db *db, struct ticket *t, const struct ticket_input *in,
                                  const struct ticket_actor *actor, const char *status_field,
                                  int64_t now, struct tend_err *err);

/* Every id `in` names (in the `fields` bits) must exist: a 422 naming the
 * field, not a 500 from a foreign key. */
enum tend_rc tickets_store_check_references(struct db *db, const struct ticket_input *in,
                                            unsigned fields, struct tend_err *err);

/* Write all of `t`'s mutable columns (version + 1, updated_at = now). */
enum tend_rc tickets_store_save(struct db *db, struct ticket *t, int64_t now, struct tend_err *err);

/* The part of `t` the counters are keyed by (status, category, group,
 * assignee, organisation), copied into `part` (nothing owned). */
void tickets_store_counted(const struct ticket *t, struct ticket *part);

/* The counters move when status, group, assignee or organisation change
 * between `old` and `now_t`. */
enum tend_rc tickets_store_recount(struct db *db, const struct ticket *old, const struct ticket *now_t,
                                   struct tend_err *err);

/* The SQL expression of custom field `key` of the tickets row `table` ("t."
 * in queries, "" in the index), in the dialect (pg), as its filters, sorts and
 * expression index use it: SQLite's json_extract; on PostgreSQL a number
 * (tend_jnum) for numeric fields, else the text. */
void tickets_custom_expr(int pg, const char *table, const char *key, int numeric, char *out, size_t len);

struct workflow;
/* The workflow of ticket type `type_id` (caller cleans up). */
enum tend_rc ticket_config_workflow_of(struct db *db, int64_t type_id, struct workflow *wf,
                                       struct tend_err *err);

#endif
