/* entitlement.c: whether an asset is covered on a date: its warranty and the
 * service contracts that name it, decided without a database. */
#include <string.h>

#include "assets.h"

static int
in_force(const struct ent_contract *c, const char *date, int *renewed)
{
    *renewed = 0;
    if (!c->status || strcmp(c->status, "active") != 0 || !c->starts_on || !c->ends_on)
        return 0;
    if (strcmp(date, c->starts_on) < 0)
        return 0;
    if (strcmp(date, c->ends_on) <= 0)
        return 1;
    if (c->auto_renew) {
        *renewed = 1;
        return 1;
    }
    return 0;
}

/* Whether contract a (renewed ra) beats b (renewed rb). */
static int
better(const struct ent_contract *a, int ra, const struct ent_contract *b, int rb)
{
    int ca = a->parts + a->labour + a->travel, cb = b->parts + b->labour + b->travel;
    int cmp;

    if (ca != cb)
        return ca > cb;
    if (ra != rb)
        return !ra;
    if ((a->sla_policy_id != 0) != (b->sla_policy_id != 0))
        return a->sla_policy_id != 0;
    cmp = strcmp(a->ends_on, b->ends_on);
    if (cmp)
        return cmp > 0;
    return a->id < b->id;
}

void
entitlement_decide(const char *date, const char *warranty_start, const char *warranty_end,
                   const struct ent_contract *contracts, int n, struct ent_decision *out)
{
    memset(out, 0, sizeof(*out));
    out->contract = -1;
    out->under_warranty = warranty_end && *warranty_end && strcmp(date, warranty_end) <= 0 &&
                          (!warranty_start || !*warranty_start || strcmp(date, warranty_start) >= 0);
    for (int i = 0; i < n; i++) {
        int renewed;
        if (!in_force(&contracts[i], date, &renewed))
            continue;
        if (out->contract < 0 || better(&contracts[i], renewed, &contracts[out->contract], out->renewed)) {
            out->contract = i;
            out->renewed = renewed;
        }
    }
    if (out->under_warranty)
        out->parts = out->labour = 1;
    if (out->contract >= 0) {
        const struct ent_contract *c = &contracts[out->contract];
        out->parts |= c->parts;
        out->labour |= c->labour;
        out->travel |= c->travel;
        out->sla_policy_id = c->sla_policy_id;
    }
    out->basis = out->under_warranty && out->contract >= 0 ? "warranty+contract"
                 : out->under_warranty                    ? "warranty"
                 : out->contract >= 0                     ? "contract"
                                                          : "none";
}

static json_t *
str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *
entitlement_json(const char *date, const char *warranty_start, const char *warranty_end,
                 const struct ent_contract *contracts, const struct ent_decision *d)
{
    json_t *contract = json_null();

    if (d->contract >= 0) {
        const struct ent_contract *c = &contracts[d->contract];
        contract = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b}", "id", (json_int_t)c->id, "number", c->number, "starts_on",
                             c->starts_on, "ends_on", c->ends_on, "auto_renew", c->auto_renew, "renewed",
                             d->renewed);
    }
    return json_pack("{s:s,s:b,s:{s:o,s:o},s:o,s:o,s:{s:b,s:b,s:b},s:s}", "date", date, "under_warranty",
                     d->under_warranty, "warranty", "start", str_or_null(warranty_start), "end",
                     str_or_null(warranty_end), "contract", contract, "sla_policy_id",
                     d->sla_policy_id ? json_integer(d->sla_policy_id) : json_null(), "covered", "parts", d->parts,
                     "labour", d->labour, "travel", d->travel, "basis", d->basis);
}
