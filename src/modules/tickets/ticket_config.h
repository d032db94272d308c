/* ticket_config.h: what admins configure for tickets without code: ticket
 * types, their workflows, custom fields, and the category / fault-code trees.
 * Store functions (SQL in ticket_config_store.c); writes on the writer thread. */
#ifndef TEND_TICKET_CONFIG_H
#define TEND_TICKET_CONFIG_H

#include <jansson.h>
#include <stdint.h>

#include "custom_fields.h"
#include "platform/db/db.h"
#include "workflow.h"

struct ticket_type {
    int64_t id;
    char key[48];
    char name[128];
    int64_t workflow_id;
    char workflow_key[48];
    int active;
    int position;
};

/* A type by key (key != NULL) or id. TEND_ENOTFOUND, err naming `field`, if absent. */
enum tend_rc ticket_config_type(struct db *db, const char *key, int64_t id, const char *field,
                                struct ticket_type *out, struct tend_err *err);

/* The workflow `id`, parsed (caller cleans up). */
enum tend_rc ticket_config_workflow(struct db *db, int64_t id, struct workflow *out,
                                    struct tend_err *err);

/* Every custom field definition (active only when `active_only`), by position.
 * Caller frees with ticket_config_fields_free. */
enum tend_rc ticket_config_fields(struct db *db, int active_only, struct custom_field **out, int *n,
                                  struct tend_err *err);
void ticket_config_fields_free(struct custom_field *fields, int n);

/* The hot paths' read of the configuration (every ticket write needs the
 * custom fields and a workflow): parsed once per thread and kept until the
 * stored rows change (checked with one small query per call, inside the
 * caller's transaction, so a rolled-back change is never served). Borrowed:
 * valid until this thread's next call; never freed by the caller. */
enum tend_rc ticket_config_fields_cached(struct db *db, const struct custom_field **out, int *n,
                                         struct tend_err *err);
enum tend_rc ticket_config_workflow_cached(struct db *db, int64_t id, const struct workflow **out,
                                           struct tend_err *err);

/* Whether category `id` exists, is active and of `kind`; else TEND_EINVAL on `field`. */
enum tend_rc ticket_config_check_category(struct db *db, int64_t id, const char *kind,
                                          const char *field, struct tend_err *err);

struct ticket_filter;
/* Whether every status and type a filter names exists in some workflow / as a
 * type; else TEND_ESYNTAX naming the parameter. */
enum tend_rc ticket_config_check_filter(struct db *db, const struct ticket_filter *f,
                                        struct tend_err *err);

/* An expression index on custom field `key` so that filters and sorts on it
 * use an index (not for long text or multi-select values). Idempotent. */
enum tend_rc ticket_config_index_field(struct db *db, const char *key, enum cf_type type,
                                       struct tend_err *err);

/* List parameters parsed (ticket_filter_parse) against the stored
 * configuration: the custom fields (loaded only when a parameter names one)
 * and the statuses and types that exist. `values` are split in place, so they
 * must be writable copies. TEND_ESYNTAX (a 400) names a bad parameter; any
 * other code is the database's. The scope is left for the caller. */
enum tend_rc ticket_config_filter(struct db *db, const char *const *names, const char *const *values,
                                  int n, int64_t me, int list_only, struct ticket_filter *f,
                                  struct tend_err *err);

/* Lists as the API shows them (new references). */
enum tend_rc ticket_config_types_json(struct db *db, json_t **out, struct tend_err *err);
enum tend_rc ticket_config_workflows_json(struct db *db, int64_t id, json_t **out,
                                          struct tend_err *err);
enum tend_rc ticket_config_categories_json(struct db *db, const char *kind, json_t **out,
                                           struct tend_err *err);

/* Writes (writer thread). Bodies are the API's; errors name their fields.
 * `actor` goes to the event log. *out gets the saved object as JSON. */
enum tend_rc ticket_config_type_create(struct db *db, const json_t *body, const char *actor,
                                       int64_t now, json_t **out, struct tend_err *err);
enum tend_rc ticket_config_type_update(struct db *db, int64_t id, const json_t *body,
                                       const char *actor, int64_t now, json_t **out,
                                       struct tend_err *err);
enum tend_rc ticket_config_workflow_create(struct db *db, const json_t *body, const char *actor,
                                           int64_t now, json_t **out, struct tend_err *err);
enum tend_rc ticket_config_workflow_replace(struct db *db, int64_t id, const json_t *body,
                                            const char *actor, int64_t now, json_t **out,
                                            struct tend_err *err);
enum tend_rc ticket_config_field_create(struct db *db, const json_t *body, const char *actor,
                                        int64_t now, json_t **out, struct tend_err *err);
enum tend_rc ticket_config_field_update(struct db *db, int64_t id, const json_t *body,
                                        const char *actor, int64_t now, json_t **out,
                                        struct tend_err *err);
enum tend_rc ticket_config_category_create(struct db *db, const json_t *body, const char *actor,
                                           int64_t now, json_t **out, struct tend_err *err);
enum tend_rc ticket_config_category_update(struct db *db, int64_t id, const json_t *body,
                                           const char *actor, int64_t now, json_t **out,
                                           struct tend_err *err);

#endif
