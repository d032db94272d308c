/* workflow.h: a ticket type's workflow as data: statuses (each in one of five
 * categories, some pausing SLA clocks) and the transitions between them, who may
 * use each and which fields it requires. Pure: parsing, validation, look-ups. */
#ifndef TEND_WORKFLOW_H
#define TEND_WORKFLOW_H

#include <jansson.h>
#include <stdint.h>

#include "platform/util/err.h"

#define WF_KEY_MAX 40
#define WF_MAX_STATUSES 40
#define WF_MAX_TRANSITIONS 200
#define WF_MAX_REQUIRES 8

/* NULL-terminated: new, open, pending, resolved, closed. */
extern const char *const status_categories[];

/* Fields a transition may require (besides "custom.<key>"). */
extern const char *const wf_requirable[];

struct wf_status {
    char key[WF_KEY_MAX + 1];
    char *name;
    int category; /* index into status_categories */
    int pauses_sla;
};

struct wf_transition {
    int from; /* status index, or -1 for any other status */
    int to;
    char *name;
    unsigned roles; /* role bits (users.h); 0: anyone allowed on the route */
    char *requires[WF_MAX_REQUIRES];
    int nrequires;
};

struct workflow {
    int64_t id;
    char key[WF_KEY_MAX + 1];
    char *name;
    int64_t version;
    int initial;
    struct wf_status *statuses;
    int nstatuses;
    struct wf_transition *transitions;
    int ntransitions;
};

/* Parse and validate a definition {initial, statuses, transitions}. Errors name
 * their place ("statuses[2].category", "transitions[0].to"). `wf` is cleaned on
 * failure. Does not touch id, key, name, version. */
enum tend_rc workflow_parse(const json_t *def, struct workflow *wf, struct tend_err *err);

/* The definition as JSON {initial, statuses, transitions} (new reference). */
json_t *workflow_definition_json(const struct workflow *wf);

void workflow_cleanup(struct workflow *wf);

/* The index of status `key`, or -1. */
int workflow_status_index(const struct workflow *wf, const char *key);

/* The first closed status's index (a valid workflow has one). */
int workflow_closed_status(const struct workflow *wf);

/* The transition from status index `from` to `to` usable by `roles`. NULL when
 * there is none; *role_denied set when one exists but the roles may not use it. */
const struct wf_transition *workflow_transition(const struct workflow *wf, int from, int to,
                                                unsigned roles, int *role_denied);

/* Whether `key` is a valid status, field or custom field key: [a-z][a-z0-9_]{0,39}. */
int wf_key_valid(const char *key);

#endif
