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
#define TICKET_LIST_MAX 200
#define TICKET_LIST_DEFAULT 50

extern const char *const ticket_statuses[];   /* NULL-terminated: new, open, pending, resolved, closed */
extern const char *const ticket_priorities[]; /* NULL-terminated: low, normal, high, urgent */

struct ticket {
    int64_t id;
    char number[32];
    char *subject;      /* owned */
    char *description;  /* owned */
    char status[16];
    char priority[16];
    char *customer_ref; /* owned, NULL when none */
    int64_t organisation_id; /* the customer organisation, 0 when none */
    int64_t assignee_id;     /* the user working on it, 0 when none */
    int64_t version;
    int64_t created_at; /* epoch ms */
    int64_t updated_at;
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
};

/* A validated create or update request; strings are owned copies. */
struct ticket_input {
    unsigned fields; /* enum ticket_field bits present */
    char *subject;
    char *description;
    char status[16];
    char priority[16];
    char *customer_ref; /* NULL with TF_CUSTOMER_REF set: clear it */
    int64_t organisation_id; /* 0 with TF_ORGANISATION set: clear it */
    int64_t assignee_id;     /* 0 with TF_ASSIGNEE set: clear it */
    int64_t version;
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

/* Validate a create body: subject required; description, priority, customer_ref
 * optional; nothing else allowed. Fills `in` (caller cleans up) or `err`. */
enum tend_rc ticket_input_for_create(const json_t *body, struct ticket_input *in,
                                     struct tend_err *err);

/* Validate an update body: any of subject, description, status, priority,
 * customer_ref, plus version (an integer >= 1). At least one field to change. */
enum tend_rc ticket_input_for_update(const json_t *body, struct ticket_input *in,
                                     struct tend_err *err);

void ticket_input_cleanup(struct ticket_input *in);

/* Whether `s` is one of the NULL-terminated `values`. */
int ticket_value_in(const char *s, const char *const *values);

/* Parse an If-Match header value ("v3", W/"v3", "3") into a version; -1 if bad. */
int64_t ticket_parse_etag(const char *s);

/* Apply `in` to `t` in place (for an update) and describe each change into
 * `changes` as {"field": {"from": x, "to": y}}. Returns how many fields changed. */
int ticket_apply_update(struct ticket *t, const struct ticket_input *in, json_t *changes);

/* The list filter, validated from query parameters. */
struct ticket_filter {
    const char *statuses[8];
    int nstatuses;
    const char *priorities[8];
    int npriorities;
    const char *customer_ref;
    int64_t organisation_id; /* 0: any */
    int64_t assignee_id;     /* 0: any */
    struct ticket_scope scope;
    int64_t before_id; /* keyset cursor: only ids below this; 0 = from the newest */
    int limit;
};

/* Encode/decode the opaque list cursor. decode returns -1 on a malformed one. */
void ticket_cursor_encode(int64_t last_id, char *out, size_t outlen);
int ticket_cursor_decode(const char *s, int64_t *before_id);

/* Store (SQL in tickets_store.c). Writes must run on the writer thread. */
enum tend_rc tickets_store_create(struct db *db, const struct ticket_input *in, const char *actor,
                                  int64_t now, struct ticket *out, struct tend_err *err);
/* Read a ticket; TEND_ENOTFOUND if absent or outside `scope` (NULL: any). */
enum tend_rc tickets_store_get(struct db *db, int64_t id, const struct ticket_scope *scope,
                               struct ticket *out, struct tend_err *err);
enum tend_rc tickets_store_update(struct db *db, int64_t id, const struct ticket_input *in,
                                  const struct ticket_scope *scope, const char *actor,
                                  int64_t now, struct ticket *out, struct tend_err *err);

/* Visit the tickets of a list page (up to filter->limit + 1) without copying:
 * the ticket passed to `row` borrows the database's memory and is valid only
 * during the call. */
enum tend_rc tickets_store_scan(struct db *db, const struct ticket_filter *f,
                                void (*row)(void *ctx, const struct ticket *t), void *ctx,
                                struct tend_err *err);

struct jbuf;
/* The ticket as the API's JSON object, written into `b`. */
void ticket_write_json(struct jbuf *b, const struct ticket *t);

#endif
