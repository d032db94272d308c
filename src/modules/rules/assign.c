/* assign.c: the pure choice of an agent within a group (rules.h): round
 * robin, least open work, skill match. Members come sorted by id; members
 * not available (unavailable, disabled, not staff) are never chosen. */
#include <string.h>

#include "rules.h"

int64_t
rules_assign_round_robin(const struct rules_member *m, int n, int64_t last_id)
{
    int64_t first = 0, next = 0;

    for (int i = 0; i < n; i++) {
        if (!m[i].available)
            continue;
        if (!first || m[i].id < first)
            first = m[i].id;
        if (m[i].id > last_id && (!next || m[i].id < next))
            next = m[i].id;
    }
    return next ? next : first; /* wrap around (0: nobody available) */
}

static int
better(const struct rules_member *a, const struct rules_member *b)
{
    return !b || a->open < b->open || (a->open == b->open && a->id < b->id);
}

int64_t
rules_assign_least_open(const struct rules_member *m, int n)
{
    const struct rules_member *best = NULL;

    for (int i = 0; i < n; i++)
        if (m[i].available && better(&m[i], best))
            best = &m[i];
    return best ? best->id : 0;
}

static int
has_skill(const struct rules_member *m, const char *skill)
{
    for (int i = 0; i < m->nskills; i++)
        if (expr_equal_ci(m->skills[i], skill))
            return 1;
    return 0;
}

int64_t
rules_assign_skill_match(const struct rules_member *m, int n, const char (*skills)[EXPR_ITEM_MAX], int nskills)
{
    const struct rules_member *best = NULL;

    for (int i = 0; i < n; i++) {
        int all = m[i].available;
        for (int k = 0; k < nskills && all; k++)
            all = has_skill(&m[i], skills[k]);
        if (all && better(&m[i], best))
            best = &m[i];
    }
    return best ? best->id : 0;
}
