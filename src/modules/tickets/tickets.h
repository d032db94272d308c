/* tickets.h: the public API of the tickets module: the ticket record, validation
 * of what clients send, and the store operations other modules may call. */
#ifndef TEND_TICKETS_H
#define TEND_TICKETS_H

#include <jansson.h>
#include <stdint.h>

#include "platform/db/db.h"

#define TICKET_SUBJECT_MAX_CHARS 200
#define TICKET_DESCRIPTION_MAX_BYTES 65536
#define TICKET_CUSTOMER_REF_MAX_CHARS 100
#define TICKET_RESOLUTION_CODE_MAX_CHARS 64
#define TICKET_TAG_MAX_CHARS 40
#define TICKET_MAX_TAGS 20
#define TICKET_MAX_WATCHERS 50
#define TICKET_LIST_MAX 200
#define TICKET_LIST_DEFAULT 50

extern const char *const ticket_priorities[]; /* NULL-terminated: low, normal, high, urgent */
extern const char *const ticket_channels[];   /* portal, email, phone, wechat, api, iot, internal */

struct ticket {
    int64_t id;
    char number[32];
    int64_t type_id;
    char type[48];      /* the type's key */
    char *subject;      /* owned */
    char *description;  /* owned */
    char status[48];
    char status_category[16];
    char priority[16];
    char channel[16];
    char *customer_ref; /* owned, NULL when none */
    int64_t organisation_id; /* the customer organisation, 0 when none */
    int64_t assignee_id;     /* the user working on it, 0 when none */
    int64_t group_id;
    int64_t category_id;
    int64_t fault_code_id;
    int64_t merged_into_id;
    int64_t asset_id;        /* the asset it is about, 0 when none */
    char *tags;     /* owned JSON array text, e.g. ["jam"] */
    char *watchers; /* owned JSON array text of user ids */
    char *custom;   /* owned JSON object text */
    char *resolution_code; /* owned, NULL when none */
    char *resolution;      /* owned, NULL when none */
    char *required_skills; /* owned JSON array text of skill names */
    int64_t version;
    int64_t created_at; /* epoch ms */
    int64_t updated_at;
    /* the SLA summary the SLA engine keeps (sla.h): policy, earliest due and
     * warning instants of running clocks (0 none), SLA_FLAG_* bits */
    int64_t sla_policy_id;
    int64_t sla_due_at;
    int64_t sla_warn_at;
    int64_t sla_flags;
};

void ticket_cleanup(struct ticket *t);

/* Which fields a client sent. */
enum ticket_field {
    TF_SUBJECT = 1 << 0,
    TF_DESCRIPTION = 1 << 1,
    TF_STATUS = 1 << 2,
    TF_PRIORITY = 1 << 3,
    TF_CUSTOMER_REF = 1 << 4,
    TF_VERSION = 1 << 5,
    TF_ORGANISATION = 1 << 6,
    TF_ASSIGNEE = 1 << 7,
    TF_TYPE = 1 << 8,
    TF_CHANNEL = 1 << 9,
    TF_GROUP = 1 << 10,
    TF_CATEGORY = 1 << 11,
    TF_FAULT_CODE = 1 << 12,
    TF_TAGS = 1 << 13,
    TF_WATCHERS = 1 << 14,
    TF_CUSTOM = 1 << 15,
    TF_RESOLUTION_CODE = 1 << 16,
    TF_RESOLUTION = 1 << 17,
    TF_ASSET = 1 << 18,
    TF_REQUIRED_SKILLS = 1 << 19,
};

/* A validated create or update request; strings and JSON are owned. A reference
 * of 0 with its bit set clears it. */
struct ticket_input {
    unsigned fields; /* enum ticket_field bits present */
    char *subject;
    char *description;
    char status[48];
    char priority[16];
    char type[48];
    char channel[16];
    char *customer_ref; /* NULL with TF_CUSTOMER_REF set: clear it */
    int64_t organisation_id;
    int64_t assignee_id;
    int64_t group_id;
    int64_t category_id;
    int64_t fault_code_id;
    int64_t asset_id;
    json_t *tags;     /* normalised array of strings */
    json_t *watchers; /* array of user ids */
    json_t *custom;   /* patch object: key -> value or null */
    json_t *required_skills; /* normalised array of skill names */
    char *resolution_code;
    char *resolution;
    int64_t version;
    int transition; /* from POST .../transitions: errors name "to", not "status" */
};

/* Who makes a change: name for the event log, id and roles for the workflow. */
struct ticket_actor {
    const char *name;
    int64_t user_id;
    unsigned roles;
    int no_rules; /* a change made by the rules engine: rules do not run again (loop guard) */
};

/* What part of the tickets a caller may see: 0 fields mean no restriction. A
 * customer sees their organisation's tickets, an engineer those assigned to them;
 * anything else answers as if it did not exist. */
struct ticket_scope {
    int64_t organisation_id;
    int64_t assignee_id;
};

struct api_actor;
/* The scope of a caller: staff see everything, engineers their assigned tickets,
 * customers their organisation's (none without an organisation). */
struct ticket_scope ticket_scope_for(const struct api_actor *actor);

/* Whether ticket `t` is within `scope`. */
int ticket_in_scope(const struct ticket *t, const struct ticket_scope *scope);

/* Validate a create body: subject required; every writable field optional (see
 * docs/api-tickets.md); nothing else allowed. Fills `in` (caller cleans up) or
 * `err`. Type and channel defaults are the caller's (they depend on who asks). */
enum tend_rc ticket_input_for_create(const json_t *body, struct ticket_input *in,
                                     struct tend_err *err);

/* Validate an update body: writable fields except type and channel, plus
 * version (an integer >= 1) and status. At least one field to change. */
enum tend_rc ticket_input_for_update(const json_t *body, struct ticket_input *in,
                                     struct tend_err *err);

/* Validate a transition body {to, version?, and fields to set with it}. */
enum tend_rc ticket_input_for_transition(const json_t *body, struct ticket_input *in,
                                         struct tend_err *err);

void ticket_input_cleanup(struct ticket_input *in);

/* Whether `s` is one of the NULL-terminated `values`. */
int ticket_value_in(const char *s, const char *const *values);

/* The sort rank of a priority (low 0 .. urgent 3). */
int ticket_priority_rank(const char *priority);

/* Parse an If-Match header value ("v3", W/"v3", "3") into a version; -1 if bad. */
int64_t ticket_parse_etag(const char *s);

/* Apply `in` to `t` in place (for an update) and describe each change into
 * `changes` as {"field": {"from": x, "to": y}}. The status is not touched (the
 * store applies it through the workflow) nor custom (merged by the store and
 * passed in `in->custom` as the complete new object when TF_CUSTOM is set).
 * Returns how many fields changed. */
int ticket_apply_update(struct ticket *t, const struct ticket_input *in, json_t *changes);

/* Append to array `into` the items of `add` it lacks, up to `max` items. */
void ticket_json_add_missing(json_t *into, const json_t *add, size_t max);

/* Normalise a tag: trimmed, lower-cased ASCII letters; NULL if invalid. */
char *ticket_tag_normalise(const char *s, size_t len);

/* --- lists ---------------------------------------------------------------- */

#define TF_MAX_VALUES 8
#define TICKET_MAX_CUSTOM_FILTERS 4

enum ticket_sort { SORT_ID, SORT_CREATED, SORT_UPDATED, SORT_PRIORITY, SORT_CUSTOM, SORT_SLA_DUE };

/* sla= filter values: the SLA summary state (sla.h), 0 when not filtered. */
enum ticket_sla_filter { TSLA_ANY, TSLA_RUNNING, TSLA_WARNING, TSLA_BREACHED, TSLA_PAUSED, TSLA_ACHIEVED, TSLA_NONE };
/* Tickets without a running SLA clock sort as due at this instant (last). */
#define TICKET_SLA_DUE_NEVER INT64_C(9000000000000000)

struct ticket_custom_filter {
    char path[48];  /* "$.key" */
    int multi;      /* multi-select: the array contains the value */
    int numeric;    /* the field's values compare as numbers */
    int kind;       /* 0 text, 1 integer, 2 real */
    const char *text;
    int64_t i;
    double d;
};

/* An id filter: 0 not set, -1 "none" (NULL), else the id. (Members ordered
 * by size: the struct is copied into every list request.) */
struct ticket_filter {
    const char *statuses[TF_MAX_VALUES];
    const char *categories[TF_MAX_VALUES];
    const char *priorities[TF_MAX_VALUES];
    const char *types[TF_MAX_VALUES];
    const char *channels[TF_MAX_VALUES];
    const char *tag;
    const char *customer_ref;
    int64_t assignee_id, group_id, organisation_id, category_id, fault_code_id;
    int64_t watcher_id;
    int64_t created_after, created_before, updated_after, updated_before; /* 0: not set */
    int sla_state;          /* enum ticket_sla_filter */
    int64_t sla_within_ms;  /* sla_due_within: due within this long and not breached; 0 not set */
    struct ticket_custom_filter custom[TICKET_MAX_CUSTOM_FILTERS];
    struct ticket_scope scope;
    /* keyset: rows after (after_value, after_id) in sort order; after_id 0 = from the start */
    int64_t after_id;
    int64_t after_int;
    double after_real;
    int nstatuses, ncategories, npriorities, ntypes, nchannels;
    int ncustom;
    enum ticket_sort sort;
    int descending;
    int after_kind; /* 0 text, 1 integer, 2 real, 3 null */
    int limit;
    char sort_path[48]; /* "$.key" for SORT_CUSTOM */
    int sort_numeric;   /* SORT_CUSTOM: the field's values compare as numbers */
    char after_text[256];
};

struct custom_field;
/* Parse list parameters (name/value pairs, values NUL-terminated and kept alive
 * by the caller) into `f`. `fields` are the custom field definitions (for
 * custom.<key> filters and sorts); `me` resolves "me". With `list_only` 0 the
 * list-only parameters (sort, limit, cursor) are refused. Unknown parameters
 * are errors (field = the parameter). */
enum tend_rc ticket_filter_parse(const char *const *names, const char *const *values, int n,
                                 const struct custom_field *fields, int nfields, int64_t me,
                                 int list_only, struct ticket_filter *f, struct tend_err *err);

/* The cursor for the row after which the next page starts. */
void ticket_filter_cursor(const struct ticket_filter *f, const struct ticket *last, char *out,
                          size_t outlen);

/* --- store (SQL in tickets_store.c); writes run on the writer thread ------- */

enum tend_rc tickets_store_create(struct db *db, const struct ticket_input *in,
                                  const struct ticket_actor *actor, int64_t now, struct ticket *out,
                                  struct tend_err *err);
/* Read a ticket; TEND_ENOTFOUND if absent or outside `scope` (NULL: any). */
enum tend_rc tickets_store_get(struct db *db, int64_t id, const struct ticket_scope *scope,
                               struct ticket *out, struct tend_err *err);
/* Whether ticket `t`'s status pauses SLA clocks (its workflow says so). */
enum tend_rc ticket_status_pauses_sla(struct db *db, const struct ticket *t, int *pauses, struct tend_err *err);
/* Update (and with TF_STATUS, transition) a ticket. TF_VERSION is checked when
 * set. On a version conflict `out` stays filled with the current ticket. */
enum tend_rc tickets_store_update(struct db *db, int64_t id, const struct ticket_input *in,
                                  const struct ticket_scope *scope,
                                  const struct ticket_actor *actor, int64_t now,
                                  struct ticket *out, struct tend_err *err);

/* Visit the tickets of a list page (up to filter->limit + 1) without copying:
 * the ticket passed to `row` borrows the database's memory and is valid only
 * during the call. */
enum tend_rc tickets_store_scan(struct db *db, const struct ticket_filter *f,
                                void (*row)(void *ctx, const struct ticket *t), void *ctx,
                                struct tend_err *err);

/* Whether the per-status counters answer `f` (no filter but one of group,
 * assignee, organisation, scope included): a few rows at any size. Other
 * filters count the matching tickets. */
int tickets_store_counts_cheap(const struct ticket_filter *f);

/* Counts per status of the tickets matching `f`: *out is
 * {"total", "by_category": {...}, "by_status": {...}}. */
enum tend_rc tickets_store_counts(struct db *db, const struct ticket_filter *f, json_t **out,
                                  struct tend_err *err);

/* Run the rules of `triggers` (rules.h bits) on ticket `id` as the SLA
 * engine or the rules sweep sees it at `now`, and apply what they decide
 * (writer thread, inside the caller's transaction). */
enum tend_rc tickets_store_run_rules(struct db *db, int64_t id, unsigned triggers, int64_t now,
                                     struct tend_err *err);

/* --- comments (comments_store.c) -------------------------------------------- */

#define COMMENT_BODY_MAX_BYTES 65536
#define COMMENT_MAX_ATTACHMENTS 20

/* A validated comment: body owned. */
struct comment_input {
    int64_t ticket_id;
    char *body;
    int internal;
    int64_t attachment_ids[COMMENT_MAX_ATTACHMENTS];
    int nattachments;
};

/* Validate {body, internal?, attachment_ids?}. */
enum tend_rc comment_input_parse(const json_t *body, struct comment_input *in, struct tend_err *err);
void comment_input_cleanup(struct comment_input *in);

/* Add a comment (writer thread): the event and the ticket's updated_at too.
 * *out is the comment as the API shows it (attachments empty). */
enum tend_rc comments_store_add(struct db *db, const struct comment_input *in,
                                const struct ticket_actor *actor, int64_t now, json_t **out,
                                struct tend_err *err);

/* A ticket's comments, oldest first; internal notes only with include_internal. */
enum tend_rc comments_store_list(struct db *db, int64_t ticket_id, int include_internal, json_t **out,
                                 struct tend_err *err);

/* --- links, merge and bulk (links_store.c, bulk_store.c) ----------------------- */

/* NULL-terminated: parent, child, duplicate_of, related (as the API names them). */
extern const char *const ticket_link_kinds[];

/* Link ticket `id` to `other` as `kind` (seen from `id`); both within `scope`. */
enum tend_rc links_store_add(struct db *db, int64_t id, int64_t other, const char *kind,
                             const struct ticket_scope *scope, const char *actor, int64_t now,
                             struct tend_err *err);
enum tend_rc links_store_remove(struct db *db, int64_t id, int64_t other,
                                const struct ticket_scope *scope, const char *actor, int64_t now,
                                struct tend_err *err);
/* The links of `id` as [{kind, ticket: {id, number, subject, status, status_category}}]. */
enum tend_rc links_store_list(struct db *db, int64_t id, const struct ticket_scope *scope,
                              json_t **out, struct tend_err *err);

/* Merge ticket `id` into `into`: the duplicate closes and points at the
 * survivor (returned in *survivor), which gains its tags and watchers. */
enum tend_rc links_store_merge(struct db *db, int64_t id, int64_t into,
                               const struct ticket_scope *scope, const struct ticket_actor *actor,
                               int64_t now, struct ticket *survivor, struct tend_err *err);

#define BULK_MAX 500

struct bulk_input {
    int64_t *ids; /* owned */
    int nids;
    struct ticket_input set; /* the ordinary fields of the change */
    json_t *tags_add, *tags_remove;
};

/* Validate {ids, set}. */
enum tend_rc bulk_input_parse(const json_t *body, struct bulk_input *in, struct tend_err *err);
void bulk_input_cleanup(struct bulk_input *in);

/* Apply the change to every ticket (writer thread). When any ticket cannot
 * take it, returns TEND_EINVAL with *failures listing each ({field: "ids[i]",
 * message}) and the caller's task rolls back. *items: {id, number, status,
 * version} per ticket. */
enum tend_rc bulk_store_apply(struct db *db, const struct bulk_input *in,
                              const struct ticket_scope *scope, const struct ticket_actor *actor,
                              int64_t now, json_t **items, json_t **failures, struct tend_err *err);

/* --- saved views (views_store.c) ------------------------------------------- */

/* A user's views as [{id, name, query, columns, position, created_at, updated_at}]. */
enum tend_rc views_store_list(struct db *db, int64_t user_id, json_t **out, struct tend_err *err);
/* One of the user's views; TEND_ENOTFOUND for anyone else's. */
enum tend_rc views_store_get(struct db *db, int64_t user_id, int64_t id, json_t **out,
                             struct tend_err *err);
/* Create (id 0) or replace a view; *out is the saved view. */
enum tend_rc views_store_save(struct db *db, int64_t user_id, int64_t id, const char *name,
                              const char *query, const json_t *columns, int position, int64_t now,
                              json_t **out, struct tend_err *err);
enum tend_rc views_store_delete(struct db *db, int64_t user_id, int64_t id, struct tend_err *err);

/* --- export (tickets_export.c) --------------------------------------------- */

/* The tickets of `f` as CSV (xlsx 0) or an XLSX workbook (temporary files in
 * `tmpdir`): *out is malloc'd, *len bytes. */
enum tend_rc tickets_export(struct db *db, const struct ticket_filter *f, int xlsx, const char *tmpdir,
                            char **out, size_t *len, struct tend_err *err);

/* --- benchmark data (tickets_gen_store.c) ------------------------------------ */

/* Add `count` generated tickets (and, once, the customers, engineers, groups
 * and custom fields they refer to), in transactions of 50000; `progress` is
 * called after each. Not for production databases. */
enum tend_rc tickets_store_generate(struct db *db, int64_t count, uint64_t seed,
                                    void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                                    struct tend_err *err);

/* --- search (tickets_search_store.c) ----------------------------------------- */

#define SEARCH_QUERY_MAX_CHARS 200

/* Tickets matching `q` within `f`'s scope and status categories, best first:
 * *out is an array of {ticket, snippet, rank}. With `customer` set, internal
 * notes neither match nor show. */
enum tend_rc tickets_store_search(struct db *db, const char *q, const struct ticket_filter *f,
                                  int customer, int limit, json_t **out, struct tend_err *err);

struct jbuf;
/* The ticket as the API's JSON object, written into `b`. With `customer` set,
 * the watchers list is left out. */
void ticket_write_json(struct jbuf *b, const struct ticket *t, int customer);

#endif
