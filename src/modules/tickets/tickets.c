/* tickets.c: ticket rules without HTTP or SQL: input validation, updates and
 * their change sets, list cursors. */
#include "tickets.h"

#include <stdlib.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/users/users.h"
#include "platform/http/api.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"

const char *const ticket_statuses[] = {"new", "open", "pending", "resolved", "closed", NULL};
const char *const ticket_priorities[] = {"low", "normal", "high", "urgent", NULL};

void
ticket_cleanup(struct ticket *t)
{
    free(t->subject);
    free(t->description);
    free(t->customer_ref);
    t->subject = t->description = t->customer_ref = NULL;
}

void
ticket_input_cleanup(struct ticket_input *in)
{
    free(in->subject);
    free(in->description);
    free(in->customer_ref);
    memset(in, 0, sizeof(*in));
}

int
ticket_value_in(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return 1;
    return 0;
}

static enum tend_rc
want_string(const json_t *v, const char *field, struct tend_err *err)
{
    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a string");
    return TEND_OK;
}

static enum tend_rc
take_subject(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    const char *s;
    size_t len, start = 0;

    if (want_string(v, "subject", err))
        return TEND_EINVAL;
    s = json_string_value(v);
    len = json_string_length(v);
    while (start < len && isspace((unsigned char)s[start]))
        start++;
    while (len > start && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == start)
        return tend_fail(err, TEND_EINVAL, "subject", "must not be empty");
    if (utf8_count(s + start, len - start) > TICKET_SUBJECT_MAX_CHARS)
        return tend_fail(err, TEND_EINVAL, "subject", "must be at most %d characters",
                         TICKET_SUBJECT_MAX_CHARS);
    in->subject = xmalloc(len - start + 1);
    memcpy(in->subject, s + start, len - start);
    in->subject[len - start] = '\0';
    in->fields |= TF_SUBJECT;
    return TEND_OK;
}

static enum tend_rc
take_description(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    if (want_string(v, "description", err))
        return TEND_EINVAL;
    if (json_string_length(v) > TICKET_DESCRIPTION_MAX_BYTES)
        return tend_fail(err, TEND_EINVAL, "description", "must be at most %d bytes",
                         TICKET_DESCRIPTION_MAX_BYTES);
    in->description = xstrdup(json_string_value(v));
    in->fields |= TF_DESCRIPTION;
    return TEND_OK;
}

static enum tend_rc
take_enum(const json_t *v, const char *field, const char *const *values, char *out, size_t outlen,
          struct tend_err *err)
{
    char allowed[128] = "";
    size_t used = 0;

    if (want_string(v, field, err))
        return TEND_EINVAL;
    if (ticket_value_in(json_string_value(v), values)) {
        strlcopy(out, json_string_value(v), outlen);
        return TEND_OK;
    }
    for (const char *const *p = values; *p; p++)
        used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s", used ? ", " : "", *p);
    return tend_fail(err, TEND_EINVAL, field, "must be one of: %s", allowed);
}

static enum tend_rc
take_customer_ref(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    in->fields |= TF_CUSTOMER_REF;
    if (json_is_null(v))
        return TEND_OK;
    if (want_string(v, "customer_ref", err))
        return TEND_EINVAL;
    if (utf8_count(json_string_value(v), json_string_length(v)) > TICKET_CUSTOMER_REF_MAX_CHARS)
        return tend_fail(err, TEND_EINVAL, "customer_ref", "must be at most %d characters",
                         TICKET_CUSTOMER_REF_MAX_CHARS);
    in->customer_ref = xstrdup(json_string_value(v));
    return TEND_OK;
}

static enum tend_rc
take_reference(const json_t *v, const char *field, int64_t *out, struct tend_err *err)
{
    if (json_is_null(v)) {
        *out = 0;
        return TEND_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return tend_fail(err, TEND_EINVAL, field, "must be an id or null");
    *out = json_integer_value(v);
    return TEND_OK;
}

static enum tend_rc
take_fields(const json_t *body, struct ticket_input *in, int update, struct tend_err *err)
{
    const char *key;
    json_t *v;
    enum tend_rc rc = TEND_OK;

    memset(in, 0, sizeof(*in));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "subject") == 0)
            rc = take_subject(v, in, err);
        else if (strcmp(key, "description") == 0)
            rc = take_description(v, in, err);
        else if (strcmp(key, "priority") == 0) {
            rc = take_enum(v, "priority", ticket_priorities, in->priority, sizeof(in->priority), err);
            in->fields |= TF_PRIORITY;
        } else if (strcmp(key, "customer_ref") == 0)
            rc = take_customer_ref(v, in, err);
        else if (strcmp(key, "organisation_id") == 0) {
            rc = take_reference(v, "organisation_id", &in->organisation_id, err);
            in->fields |= TF_ORGANISATION;
        } else if (strcmp(key, "assignee_id") == 0) {
            rc = take_reference(v, "assignee_id", &in->assignee_id, err);
            in->fields |= TF_ASSIGNEE;
        } else if (update && strcmp(key, "status") == 0) {
            rc = take_enum(v, "status", ticket_statuses, in->status, sizeof(in->status), err);
            in->fields |= TF_STATUS;
        } else if (update && strcmp(key, "version") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                rc = tend_fail(err, TEND_EINVAL, "version", "must be an integer of at least 1");
            in->version = json_integer_value(v);
            in->fields |= TF_VERSION;
        } else {
            rc = tend_fail(err, TEND_EINVAL, key, "is not a known field");
        }
        if (rc)
            break;
    }
    if (rc)
        ticket_input_cleanup(in);
    return rc;
}

enum tend_rc
ticket_input_for_create(const json_t *body, struct ticket_input *in, struct tend_err *err)
{
    enum tend_rc rc = take_fields(body, in, 0, err);

    if (rc)
        return rc;
    if (!(in->fields & TF_SUBJECT)) {
        ticket_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "subject", "is required");
    }
    if (!(in->fields & TF_PRIORITY))
        strlcopy(in->priority, "normal", sizeof(in->priority));
    strlcopy(in->status, "new", sizeof(in->status));
    if (!in->description)
        in->description = xstrdup("");
    return TEND_OK;
}

enum tend_rc
ticket_input_for_update(const json_t *body, struct ticket_input *in, struct tend_err *err)
{
    enum tend_rc rc = take_fields(body, in, 1, err);

    if (rc)
        return rc;
    if (!(in->fields & ~(unsigned)TF_VERSION)) {
        ticket_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "", "nothing to change: send at least one field");
    }
    return TEND_OK;
}

int64_t
ticket_parse_etag(const char *s)
{
    int64_t v;
    size_t len;

    if (strncmp(s, "W/", 2) == 0)
        s += 2;
    len = strlen(s);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    if (len > 0 && s[0] == 'v') {
        s++;
        len--;
    }
    if (parse_int64(s, len, 1, INT64_MAX, &v) != 0)
        return -1;
    return v;
}

static void
note_change(json_t *changes, const char *field, const char *from, const char *to)
{
    json_object_set_new(changes, field,
                        json_pack("{s:o,s:o}", "from", from ? json_string(from) : json_null(), "to",
                                  to ? json_string(to) : json_null()));
}

static int
same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int
replace_str(char **slot, const char *value, const char *field, json_t *changes)
{
    if (same(*slot, value))
        return 0;
    note_change(changes, field, *slot, value);
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
    return 1;
}

int
ticket_apply_update(struct ticket *t, const struct ticket_input *in, json_t *changes)
{
    int n = 0;

    if (in->fields & TF_SUBJECT)
        n += replace_str(&t->subject, in->subject, "subject", changes);
    if (in->fields & TF_DESCRIPTION)
        n += replace_str(&t->description, in->description, "description", changes);
    if (in->fields & TF_CUSTOMER_REF)
        n += replace_str(&t->customer_ref, in->customer_ref, "customer_ref", changes);
    if ((in->fields & TF_STATUS) && strcmp(t->status, in->status) != 0) {
        note_change(changes, "status", t->status, in->status);
        strlcopy(t->status, in->status, sizeof(t->status));
        n++;
    }
    if ((in->fields & TF_ORGANISATION) && t->organisation_id != in->organisation_id) {
        json_object_set_new(changes, "organisation_id",
                            json_pack("{s:o,s:o}", "from",
                                      t->organisation_id ? json_integer(t->organisation_id) : json_null(),
                                      "to",
                                      in->organisation_id ? json_integer(in->organisation_id) : json_null()));
        t->organisation_id = in->organisation_id;
        n++;
    }
    if ((in->fields & TF_ASSIGNEE) && t->assignee_id != in->assignee_id) {
        json_object_set_new(changes, "assignee_id",
                            json_pack("{s:o,s:o}", "from",
                                      t->assignee_id ? json_integer(t->assignee_id) : json_null(),
                                      "to", in->assignee_id ? json_integer(in->assignee_id) : json_null()));
        t->assignee_id = in->assignee_id;
        n++;
    }
    if ((in->fields & TF_PRIORITY) && strcmp(t->priority, in->priority) != 0) {
        note_change(changes, "priority", t->priority, in->priority);
        strlcopy(t->priority, in->priority, sizeof(t->priority));
        n++;
    }
    return n;
}

void
ticket_cursor_encode(int64_t last_id, char *out, size_t outlen)
{
    cursor_encode("t1", last_id, out, outlen);
}

int
ticket_cursor_decode(const char *s, int64_t *before_id)
{
    return cursor_decode("t1", s, before_id);
}

/* Staff roles that see every ticket; everyone else is scoped. */
#define UNSCOPED_ROLES                                                                           \
    (ROLE_ADMIN | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_AGENT | ROLE_WAREHOUSE | ROLE_FINANCE)

struct ticket_scope
ticket_scope_for(const struct api_actor *actor)
{
    struct ticket_scope s = {0, 0};

    if (actor->roles & UNSCOPED_ROLES)
        return s;
    if (actor->roles & ROLE_ENGINEER)
        s.assignee_id = actor->user_id;
    else /* a customer; one without an organisation sees nothing */
        s.organisation_id = actor->organisation_id ? actor->organisation_id : -1;
    return s;
}

int
ticket_in_scope(const struct ticket *t, const struct ticket_scope *scope)
{
    if (!scope)
        return 1;
    if (scope->organisation_id && t->organisation_id != scope->organisation_id)
        return 0;
    if (scope->assignee_id && t->assignee_id != scope->assignee_id)
        return 0;
    return 1;
}

void
ticket_write_json(struct jbuf *b, const struct ticket *t)
{
    jbuf_lit(b, "{\"id\":");
    jbuf_int(b, t->id);
    jbuf_lit(b, ",\"number\":");
    jbuf_cstr(b, t->number);
    jbuf_lit(b, ",\"subject\":");
    jbuf_cstr(b, t->subject);
    jbuf_lit(b, ",\"description\":");
    jbuf_cstr(b, t->description);
    jbuf_lit(b, ",\"status\":");
    jbuf_cstr(b, t->status);
    jbuf_lit(b, ",\"priority\":");
    jbuf_cstr(b, t->priority);
    jbuf_lit(b, ",\"customer_ref\":");
    jbuf_cstr(b, t->customer_ref);
    jbuf_lit(b, ",\"organisation_id\":");
    jbuf_ref(b, t->organisation_id);
    jbuf_lit(b, ",\"assignee_id\":");
    jbuf_ref(b, t->assignee_id);
    jbuf_lit(b, ",\"version\":");
    jbuf_int(b, t->version);
    jbuf_lit(b, ",\"created_at\":");
    jbuf_time(b, t->created_at);
    jbuf_lit(b, ",\"updated_at\":");
    jbuf_time(b, t->updated_at);
    jbuf_raw(b, "}", 1);
}
