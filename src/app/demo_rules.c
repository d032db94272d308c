/* demo_rules.c: the demo's rules engine data: skills on users, members in the
 * groups, and the default rules, created through the rules module like any
 * rule a manager saves. */
#include "demo_rules.h"

#include <stdlib.h>
#include <string.h>

#include "modules/rules/rules.h"
#include "modules/tickets/tickets.h"
#include "modules/users/users.h"
#include "platform/util/util.h"

struct demo_skills {
    const char *username, *skills;
    int available;
};

static const struct demo_skills skills[] = {
    {"engineer", "[\"hvac\",\"refrigerant\",\"electrical\"]", 1},
    {"agent", "[\"printers\",\"billing\"]", 1},
    {"dispatcher", "[\"printers\",\"medical\"]", 1},
    {"manager", "[\"medical\",\"hvac\"]", 1},
    {"finance", "[\"billing\"]", 1},
};

/* group index -> members by username */
static const char *const members[4][3] = {
    {"engineer", "agent", NULL},      /* Field service East 华东服务组 */
    {"engineer", "dispatcher", NULL}, /* Field service West */
    {"finance", NULL, NULL},          /* Finance 财务 */
    {"manager", "agent", NULL},       /* Senior support */
};
static const char *const group_names[] = {"Field service East 华东服务组", "Field service West", "Finance 财务",
                                          "Senior support"};

static int64_t
user_id(struct db *db, const char *username, struct tend_err *err)
{
    struct user u;
    int64_t id = 0;

    if (users_store_get_by_username(db, username, &u, err) == TEND_OK) {
        id = u.id;
        user_cleanup(&u);
    }
    return id;
}

static enum tend_rc
add_people(struct db *db, const int64_t *groups, int64_t now, struct tend_err *err)
{
    enum tend_rc rc = TEND_OK;

    for (size_t i = 0; i < sizeof(skills) / sizeof(skills[0]) && rc == TEND_OK; i++) {
        struct user u;
        if (users_store_get_by_username(db, skills[i].username, &u, err) != TEND_OK)
            continue; /* someone removed the demo user: no skills for them */
        free(u.skills);
        u.skills = xstrdup(skills[i].skills);
        u.available = skills[i].available;
        rc = users_store_save(db, &u, err);
        user_cleanup(&u);
    }
    for (int g = 0; g < 4 && rc == TEND_OK; g++) {
        int64_t ids[3];
        int n = 0;
        for (int k = 0; k < 3 && members[g][k]; k++)
            if ((ids[n] = user_id(db, members[g][k], err)) > 0)
                n++;
        int64_t same = 0;
        rc = groups_store_save(db, groups[g], group_names[g], NULL, ids, n, now, &same, err);
    }
    return rc;
}

enum tend_rc
demo_rules_load(struct db *db, const int64_t *groups, int64_t now, struct tend_err *err)
{
    json_t *rules = json_pack(
        "["
        "{s:s,s:s,s:[s],s:s,s:[{s:s,s:I,s:s},{s:s,s:[s]}],s:b},"
        "{s:s,s:s,s:[s],s:s,s:[{s:s,s:s}]},"
        "{s:s,s:s,s:[s],s:s,s:[{s:s,s:I,s:s}],s:b},"
        "{s:s,s:s,s:[s],s:s,s:[{s:s,s:I,s:s}]},"
        "{s:s,s:s,s:[s],s:s,s:[{s:s,s:I,s:s}]}"
        "]",
        /* 1 */ "name", "Refunds to finance 退款转财务", "description",
        "Refund requests in English or Chinese go to the finance group", "triggers", "ticket.created", "condition",
        "subject contains_any ('refund', '退款') or description contains_any ('refund', '退款')", "actions", "type",
        "assign_group", "group_id", (json_int_t)groups[2], "strategy", "least_open", "type", "add_tags", "tags",
        "refund", "stop_processing", 1,
        /* 2 */ "name", "VIP customers: at least high priority", "description",
        "Tickets of VIP organisations start at priority high", "triggers", "ticket.created", "condition",
        "organisation.tier = 'vip' and priority < 'high'", "actions", "type", "set_priority", "value", "high",
        /* 3 */ "name", "VIP customers to senior support", "description",
        "VIP organisations are served by the senior group", "triggers", "ticket.created", "condition",
        "organisation.tier = 'vip'", "actions", "type", "assign_group", "group_id", (json_int_t)groups[3],
        "strategy", "none", "stop_processing", 1,
        /* 4 */ "name", "Region east 华东", "description", "Unassigned work in the east region to the East field team, by turn",
        "triggers", "ticket.created", "condition", "(organisation.region = 'east' or site.region = 'east') and assignee is empty", "actions",
        "type", "assign_group", "group_id", (json_int_t)groups[0], "strategy", "round_robin",
        /* 5 */ "name", "Region west", "description", "Unassigned work in the west region to the West field team, by turn",
        "triggers", "ticket.created", "condition", "(organisation.region = 'west' or site.region = 'west') and assignee is empty",
        "actions", "type", "assign_group", "group_id", (json_int_t)groups[1], "strategy", "round_robin");
    size_t i;
    json_t *body;
    enum tend_rc rc = add_people(db, groups, now, err);

    if (!rules)
        return tend_fail(err, TEND_EINTERNAL, NULL, "demo rules: bad template");
    json_array_foreach(rules, i, body) {
        json_t *out = NULL;
        if (rc)
            break;
        rc = rules_create(db, body, "admin", now, &out, err);
        json_decref(out);
    }
    json_decref(rules);
    return rc;
}

enum tend_rc
demo_route_rest(struct db *db, struct ticket *t, int64_t group_id, int64_t at, struct tend_err *err)
{
    static const struct ticket_actor agent = {"agent", 0, ROLE_AGENT, 0};
    struct ticket_input in;
    struct ticket out;
    enum tend_rc rc;

    memset(&in, 0, sizeof(in));
    in.fields = TF_GROUP;
    in.group_id = group_id;
    rc = tickets_store_update(db, t->id, &in, NULL, &agent, at, &out, err);
    if (rc == TEND_OK) {
        ticket_cleanup(t);
        *t = out;
    }
    return rc;
}
