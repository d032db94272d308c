/* policy.h: SLA policies as data: which tickets a policy applies to
 * (conditions), its targets per metric (with overrides per priority), its
 * calendar, warning share and escalation levels. Pure: parsing with errors
 * naming the field, matching, and the alert levels of a clock. */
#ifndef TEND_SLA_POLICY_H
#define TEND_SLA_POLICY_H

#include <jansson.h>
#include <stdint.h>

#include "clock.h"
#include "platform/util/err.h"

#define SLA_POLICY_NAME_MAX 100
#define SLA_MAX_CONDITION_VALUES 50
#define SLA_MAX_ESCALATIONS 8
#define SLA_TARGET_MAX_MINUTES 5256000 /* ten years */
#define SLA_NPRIORITIES 4              /* low, normal, high, urgent (tickets.h) */

enum sla_condition { SLA_COND_TIER, SLA_COND_TYPE, SLA_COND_PRIORITY, SLA_COND_CHANNEL, SLA_COND_GROUP,
                     SLA_COND_ORGANISATION, SLA_NCONDITIONS };
/* "tier", "type", "priority", "channel", "group_id", "organisation_id". */
extern const char *const sla_condition_names[];

/* Who an escalation notifies. */
enum { SLA_NOTIFY_ASSIGNEE = 1, SLA_NOTIFY_GROUP_LEAD = 2, SLA_NOTIFY_MANAGERS = 4 };

struct sla_escalation {
    int percent;           /* of the target, 1..1000 */
    unsigned notify;       /* SLA_NOTIFY_* bits */
    char set_priority[16]; /* "" = leave */
    int64_t assign_group_id, assign_user_id; /* 0 = leave */
};

struct sla_policy {
    int64_t id;
    char name[SLA_POLICY_NAME_MAX * 4 + 1];
    int64_t position;
    int active;
    int64_t calendar_id;
    int64_t version;
    /* conditions: text values (tier, type, priority, channel) or ids */
    json_t *conditions; /* normalised object: key -> non-empty array (owned) */
    int64_t target_min[SLA_NMETRICS];                  /* 0 = no such clock */
    int64_t priority_min[SLA_NPRIORITIES][SLA_NMETRICS]; /* 0 = as target_min */
    int warning_percent;
    struct sla_escalation escalations[SLA_MAX_ESCALATIONS];
    int nescalations;
};

/* What a policy's conditions look at. */
struct sla_subject {
    const char *tier; /* the organisation's tier, "" without one */
    const char *type;
    const char *priority;
    const char *channel;
    int64_t group_id, organisation_id;
};

/* Parse a policy body {name, position?, active?, calendar_id, conditions?,
 * targets, priority_targets?, warning_percent?, escalations?}. TEND_EINVAL
 * with the field's path ("targets.resolution", "escalations[1].notify[0]").
 * Does not touch id, version; position is 0 when not given. Clean up with
 * sla_policy_cleanup, also after a failure. */
enum tend_rc sla_policy_parse(const json_t *body, struct sla_policy *p, struct tend_err *err);

void sla_policy_cleanup(struct sla_policy *p);

/* The policy as its API JSON (without id, version, times, calendar name). */
json_t *sla_policy_json(const struct sla_policy *p);

/* Whether every condition of `p` holds for `s` (an inactive policy never matches). */
int sla_policy_matches(const struct sla_policy *p, const struct sla_subject *s);

/* The target of `metric` for a ticket of `priority`, in minutes (0: none). */
int64_t sla_policy_target(const struct sla_policy *p, int metric, const char *priority);

/* The alert levels of the policy's clocks: warning, breach, escalations. */
void sla_policy_levels(const struct sla_policy *p, struct clock_levels *lv);

#endif
