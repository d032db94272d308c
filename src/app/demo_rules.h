/* demo_rules.h: the demo's routing rules, skills and group members. */
#ifndef TEND_DEMO_RULES_H
#define TEND_DEMO_RULES_H

#include <stdint.h>

#include "platform/db/db.h"

struct ticket;

/* Give the demo users skills and the demo groups members, and add the
 * default rules (refund keywords to finance, VIP customers to senior support
 * with priority high, region routing with round robin). `groups` are East,
 * West, Finance, Senior support. */
enum tend_rc demo_rules_load(struct db *db, const int64_t *groups, int64_t now, struct tend_err *err);

/* A demo ticket no rule routed goes to `group_id` (as the agent); `t` is
 * replaced by the result. */
enum tend_rc demo_route_rest(struct db *db, struct ticket *t, int64_t group_id, int64_t at, struct tend_err *err);

#endif
