/* bulk_store.c: one change applied to many tickets, all or nothing: the
 * validation of the request and its application inside one writer task (a
 * failure on any ticket rolls the whole task back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "tickets.h"
#include "tickets_store.h"

void
bulk_input_cleanup(struct bulk_input *in)
{
    free(in->ids);
    ticket_input_cleanup(&in->set);
    json_decref(in->tags_add);
    json_decref(in->tags_remove);
    memset(in, 0, sizeof(*in));
}

static enum tend_rc
take_tags(const json_t *v, const char *field, json_t **out, struct tend_err *err)
{
    size_t i;
    json_t *t;

    if (!json_is_array(v) || json_array_size(v) > TICKET_MAX_TAGS)
        return tend_fail(err, TEND_EINVAL, field, "must be a list of at most %d tags", TICKET_MAX_TAGS);
    *out = json_array();
    json_array_foreach(v, i, t) {
        char *norm = json_is_string(t) ? ticket_tag_normalise(json_string_value(t), json_string_length(t))
                                       : NULL;
        if (!norm)
            return tend_fail(err, TEND_EINVAL, field, "item %zu is not a valid tag", i);
        json_array_append_new(*out, json_string(norm));
        free(norm);
    }
    return TEND_OK;
}

enum tend_rc
bulk_input_parse(const json_t *body, struct bulk_input *in, struct tend_err *err)
{
    const json_t *ids = json_object_get(body, "ids"), *set = json_object_get(body, "set");
    json_t *rest;
    size_t i;
    json_t *v;
    enum tend_rc rc;

    memset(in, 0, sizeof(*in));
    {
        const char *k;
        json_object_foreach((json_t *)body, k, v)
            if (strcmp(k, "ids") != 0 && strcmp(k, "set") != 0)
                return tend_fail(err, TEND_EINVAL, k, "is not a known field");
    }
    if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > BULK_MAX)
        return tend_fail(err, TEND_EINVAL, "ids", "must be a list of 1 to %d ticket ids", BULK_MAX);
    in->ids = xcalloc(json_array_size(ids), sizeof(*in->ids));
    json_array_foreach(ids, i, v) {
        char field[32];
        snprintf(field, sizeof(field), "ids[%zu]", i);
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            bulk_input_cleanup(in);
            return tend_fail(err, TEND_EINVAL, field, "must be a ticket id");
        }
        for (int j = 0; j < in->nids; j++)
            if (in->ids[j] == json_integer_value(v)) {
                bulk_input_cleanup(in);
                return tend_fail(err, TEND_EINVAL, field, "repeats ticket %lld", (long long)in->ids[j]);
            }
        in->ids[in->nids++] = json_integer_value(v);
    }
    if (!json_is_object(set) || json_object_size(set) == 0) {
        bulk_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "set", "must be an object with at least one change");
    }
    /* tags_add/tags_remove are bulk's own; the rest is an ordinary update */
    rest = json_deep_copy(set);
    rc = TEND_OK;
    if (json_object_get(rest, "tags_add"))
        rc = take_tags(json_object_get(rest, "tags_add"), "set.tags_add", &in->tags_add, err);
    if (rc == TEND_OK && json_object_get(rest, "tags_remove"))
        rc = take_tags(json_object_get(rest, "tags_remove"), "set.tags_remove", &in->tags_remove, err);
    json_object_del(rest, "tags_add");
    json_object_del(rest, "tags_remove");
    if (rc == TEND_OK && json_object_size(rest) > 0) {
        static const char *const allowed[] = {"priority", "assignee_id", "group_id", "status",
                                              "category_id", "fault_code_id", "resolution_code", NULL};
        const char *k;
        json_object_foreach(rest, k, v)
            if (!ticket_value_in(k, allowed)) {
                char field[80];
                snprintf(field, sizeof(field), "set.%.60s", k);
                rc = tend_fail(err, TEND_EINVAL, field, "cannot be changed in bulk");
                break;
            }
        if (rc == TEND_OK && ticket_input_for_update(rest, &in->set, err) != TEND_OK) {
            char field[80];
            snprintf(field, sizeof(field), "set.%.60s", err->field);
            strlcopy(err->field, field, sizeof(err->field));
            rc = TEND_EINVAL;
        }
    }
    json_decref(rest);
    if (rc)
        bulk_input_cleanup(in);
    return rc;
}

/* The ticket's tags with the bulk additions and removals applied. */
static json_t *
edited_tags(const char *current, const json_t *add, const json_t *remove)
{
    json_t *tags = json_loads(current ? current : "[]", 0, NULL), *out = json_array();
    size_t i, j;
    json_t *t, *r;

    json_array_foreach(tags, i, t) {
        int drop = 0;
        json_array_foreach(remove, j, r)
            drop |= json_equal(t, r);
        if (!drop)
            json_array_append(out, t);
    }
    ticket_json_add_missing(out, add, TICKET_MAX_TAGS);
    json_decref(tags);
    return out;
}

enum tend_rc
bulk_store_apply(struct db *db, const struct bulk_input *in, const struct ticket_scope *scope,
                 const struct ticket_actor *actor, int64_t now, json_t **items, json_t **failures,
                 struct tend_err *err)
{
    enum tend_rc checked;

    *items = json_array();
    *failures = json_array();
    /* a wrong value is wrong for every ticket: say so once, on its field */
    checked = tickets_store_check_references(db, &in->set, in->set.fields, err);
    if (checked) {
        char field[80];
        snprintf(field, sizeof(field), "set.%.60s", err->field);
        strlcopy(err->field, field, sizeof(err->field));
        return checked;
    }
    for (int i = 0; i < in->nids; i++) {
        struct ticket t, old;
        struct ticket_input change = in->set;
        struct tend_err one;
        char field[32];
        enum tend_rc rc;

        snprintf(field, sizeof(field), "ids[%d]", i);
        tend_err_clear(&one);
        rc = tickets_store_get(db, in->ids[i], scope, &t, &one);
        if (rc == TEND_OK) {
            tickets_store_counted(&t, &old);
            change.tags = NULL;
            if (in->tags_add || in->tags_remove) {
                change.tags = edited_tags(t.tags, in->tags_add, in->tags_remove);
                change.fields |= TF_TAGS;
            }
            change.fields &= ~(unsigned)TF_VERSION;
            rc = tickets_store_change(db, &t, &change, actor, "status", now, &one);
            json_decref(change.tags);
            if (rc == TEND_OK)
                rc = tickets_store_recount(db, &old, &t, &one);
            if (rc == TEND_OK) {
                struct jbuf b;
                jbuf_init(&b, 1024);
                ticket_write_json(&b, &t, 0);
                json_array_append_new(*items, json_loadb(b.data, b.len, 0, NULL));
                jbuf_cleanup(&b);
            }
            ticket_cleanup(&t);
        }
        if (rc == TEND_EINVAL || rc == TEND_ENOTFOUND) {
            char message[400];
            snprintf(message, sizeof(message), "ticket %lld: %.60s%s%.250s", (long long)in->ids[i], one.field,
                     one.field[0] ? ": " : "", one.message);
            json_array_append_new(*failures, json_pack("{s:s,s:s}", "field", field, "message", message));
        } else if (rc) {
            *err = one;
            return rc;
        }
    }
    if (json_array_size(*failures) > 0)
        return tend_fail(err, TEND_EINVAL, "ids", "%zu of %d tickets cannot take this change; nothing was changed",
                         json_array_size(*failures), in->nids);
    return TEND_OK;
}
